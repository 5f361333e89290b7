/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The admin API: JSON over a UNIX stream socket, one request and one
 * response per line.
 *
 *   request:  {"cmd": "show stats", "args": {...}}\n      (args optional)
 *   response: {"ok": true, "data": {...}}\n
 *         or  {"ok": false, "error": "why"}\n
 *
 * Commands are registered by the application with a handler that builds
 * the "data" object; the same handlers back DPDK telemetry commands
 * ("show stats" -> "/dpgw/stats"), so dpdk-telemetry.py sees the same
 * numbers as dpgwctl. The server runs in its own control thread
 * (rte_ctrl_thread_create) and never touches worker state directly:
 * handlers read published generations, relaxed counters, or ask workers
 * through their request rings.
 */
#ifndef GW_ADMIN_H
#define GW_ADMIN_H

#include <stddef.h>
#include <jansson.h>

struct gw_admin;

/*
 * Handler: return a new reference to the "data" JSON value, or NULL with a
 * message in @err. @args is the request's "args" object (or an empty object).
 */
typedef json_t *(*gw_admin_handler_t)(const json_t *args, void *arg, char *err, size_t errlen);

/*
 * Create the server on @socket_path: creates the parent directory (0755),
 * removes a stale socket (refuses, -EADDRINUSE, if a live server answers
 * on it), binds, listens, chmod 0660. Returns NULL and logs on error.
 */
struct gw_admin *gw_admin_create(const char *socket_path);

/*
 * Register @cmd ("show stats"). If @telemetry is non-NULL ("/dpgw/stats")
 * the handler is also registered as a DPDK telemetry command; must then be
 * called after rte_eal_init(). 0 or -errno.
 */
int gw_admin_register(struct gw_admin *a, const char *cmd, const char *telemetry,
	gw_admin_handler_t fn, void *arg, const char *help);
/*
 * More on gw_admin_register(): "help" is built in and cannot be taken;
 * a name already registered gives -EEXIST, more than GW_ADMIN_MAX_CMDS
 * -ENOSPC. A telemetry path must be "/..." below 56 bytes of
 * [A-Za-z0-9_/] (what 22.11 accepts), else -EINVAL. Telemetry cannot
 * unregister: after gw_admin_free() the path answers null until a new
 * server registers the same path, which takes it over. Handlers with a
 * telemetry path run in telemetry's threads as well as the admin thread,
 * possibly at the same time, so they must be thread-safe; telemetry
 * "params" ("/dpgw/stats,{\"worker\":1}") are parsed as the args object.
 */

/* Start serving in a control thread named "dpgw-admin". 0 or -errno. */
int gw_admin_start(struct gw_admin *a);

/* Stop the thread, close and unlink the socket, free. NULL is a no-op. */
void gw_admin_free(struct gw_admin *a);

/*
 * Run one request line through the registered handlers without a socket
 * (used by the server itself and by tests). Returns the response object.
 */
json_t *gw_admin_dispatch(struct gw_admin *a, const char *line);

/* Longest request line accepted, without its newline; longer ones are
 * answered with an error and the connection is closed. */
#define GW_ADMIN_LINE_MAX (64 * 1024)
/* Clients served at once; one more is told so and closed. */
#define GW_ADMIN_MAX_CLIENTS 32
/* Commands per server, and telemetry paths per process. */
#define GW_ADMIN_MAX_CMDS 64

struct rte_tel_data;

/*
 * Convert a handler's "data" value into a telemetry reply @d (not yet
 * started). The mapping, chosen because 22.11 telemetry arrays cannot
 * hold dicts and deeper container nesting is not portable across DPDK
 * releases, keeps at most one level of containers:
 *
 *  - an object becomes the top dict; each scalar member a dict entry;
 *  - an object member, or an array member of scalars, becomes one
 *    container (dict or typed array) under the member's key;
 *  - an array member holding objects or arrays is split into one entry
 *    per element, keyed "<key>/<index>" ("counters/0", "ports/1"), so
 *    each element gets its own 256-entry container;
 *  - inside a container, deeper values are flattened to keys that join
 *    the path with '/' ("link/up", "workers/1", "stats/ipackets");
 *  - integers >= 0 are u64, negative ones int; true/false are 1/0; reals
 *    are strings ("%.17g"); strings are cut to 127 bytes (on a UTF-8
 *    boundary); null members are left out;
 *  - key characters outside [A-Za-z0-9_/] (the only ones 22.11 accepts)
 *    become '_';
 *  - a top-level array of scalars becomes a typed array; any other
 *    top-level array is handled like an object keyed "0", "1", ...;
 *    a top-level scalar becomes a string reply.
 *
 * Returns 0; -EINVAL for NULL arguments; -ENOSPC if a telemetry limit
 * (256 dict entries, 512 array entries) dropped some values; -ENOMEM.
 * After -ENOSPC or -ENOMEM @d still holds a valid, partial reply.
 */
int gw_admin_json_to_tel(const json_t *data, struct rte_tel_data *d);

#endif /* GW_ADMIN_H */
