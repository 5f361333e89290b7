/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The L3 view of a generation: which addresses are ours (port addresses and
 * VIPs), and where everything the gateway sends goes (connected subnets of
 * the port addresses plus static routes, longest prefix first, through
 * rte_lpm and rte_lpm6).
 *
 * A struct gw_l3 is built by the control thread (gw_l3_create, add_*,
 * gw_l3_finalize), then published inside a generation and never modified:
 * workers only call the lookup functions, which take no locks and write
 * nothing. Ports are dpgw port indexes (0..n_ports-1), not DPDK port ids.
 * Addresses are in network byte order.
 */
#ifndef GW_L3_H
#define GW_L3_H

#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include <rte_lpm.h>
#include <rte_lpm6.h>

enum gw_l3_local_kind {
	GW_L3_NOT_LOCAL = 0,
	GW_L3_PORT_ADDR = 1,
	GW_L3_VIP = 2,
	GW_L3_SNAT = 3,         /* SNAT pool address: answered like a VIP, replies only */
};

enum gw_l3_route_type {
	GW_L3_ROUTE_CONNECTED = 1,
	GW_L3_ROUTE_STATIC = 2,
};

/* An address of ours: a port address (with its prefix length) or a VIP. */
struct gw_l3_local {
	uint8_t ip[16];         /* IPv4 in the first 4 bytes */
	uint8_t family;         /* AF_INET or AF_INET6 */
	uint8_t kind;           /* enum gw_l3_local_kind */
	uint8_t plen;           /* port addresses only */
	uint16_t port;          /* port addresses only */
};

struct gw_l3_nexthop {
	uint8_t via[16];        /* gateway address; unused when onlink */
	uint8_t family;
	uint8_t onlink;         /* 1: the destination itself is the next hop */
	uint16_t port;
};

/* A route as configured or derived, for display. */
struct gw_l3_route {
	uint8_t prefix[16];
	uint8_t family;
	uint8_t plen;
	uint8_t type;           /* enum gw_l3_route_type */
	uint32_t nh;            /* index into nexthops */
};

struct gw_l3 {
	uint16_t n_ports;
	uint32_t n_local4, n_local6;
	struct gw_l3_local *local4;   /* sorted by address */
	struct gw_l3_local *local6;   /* sorted by address */
	uint32_t n_nh, n_routes;
	struct gw_l3_nexthop *nh;
	struct gw_l3_route *routes;
	struct rte_lpm *fib4;
	struct rte_lpm6 *fib6;
	/* rte_lpm takes depths 1..32 (1..128): default routes live here. */
	int32_t default_nh4, default_nh6;
	int socket;
	bool final;
};

/* Control side: build. All return 0 or -errno; NULL on allocation failure. */
struct gw_l3 *gw_l3_create(uint16_t n_ports, int socket);
int gw_l3_add_addr(struct gw_l3 *l3, uint16_t port, int family, const void *ip, uint8_t plen);
int gw_l3_add_vip(struct gw_l3 *l3, int family, const void *ip);
/* A VIP or SNAT pool address (@kind GW_L3_VIP or GW_L3_SNAT), answered on every port. */
int gw_l3_add_local(struct gw_l3 *l3, int family, const void *ip, enum gw_l3_local_kind kind);
/*
 * Add a static route. @port < 0: the port whose subnet holds @via
 * (-ENETUNREACH if none). Duplicate prefixes: -EEXIST.
 */
int gw_l3_add_route(struct gw_l3 *l3, int family, const void *prefix, uint8_t plen,
	const void *via, int port);
/* Sort, derive connected routes and build the LPM tables. */
int gw_l3_finalize(struct gw_l3 *l3);
void gw_l3_free(struct gw_l3 *l3);

/* Worker side: is @ip one of ours? Returns the kind; *@port for port addresses. */
enum gw_l3_local_kind gw_l3_local_lookup(const struct gw_l3 *l3, int family, const void *ip,
	uint16_t *port);

/*
 * Next hop toward @dst: the output port and the neighbour address to
 * resolve (@dst itself when on-link). 0 or -ENETUNREACH.
 */
int gw_l3_route_lookup(const struct gw_l3 *l3, int family, const void *dst, uint16_t *port,
	uint8_t nh_ip[16]);

/*
 * True if @ip is a neighbour on @port: the route toward it is on-link
 * through that port (a connected subnet), not via a gateway.
 */
bool gw_l3_onlink(const struct gw_l3 *l3, uint16_t port, int family, const void *ip);

/*
 * Source address for a packet we originate on @port toward @dst: the port
 * address whose subnet holds @dst, else the port's first address of that
 * family. 0 or -EADDRNOTAVAIL.
 */
int gw_l3_source(const struct gw_l3 *l3, uint16_t port, int family, const void *dst,
	uint8_t src[16]);

/* True if @a and @b (of @family) agree on the first @plen bits. */
bool gw_l3_prefix_match(int family, const void *a, const void *b, uint8_t plen);

#endif /* GW_L3_H */
