/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpgwctl internals shared by the client proper (dpgwctl.c: options, the
 * admin socket round trip, dispatch) and its renderers (dpgwctl_render.c:
 * tables, YAML, AGE).
 */
#ifndef DPGWCTL_H
#define DPGWCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#define EXIT_ERROR 1    /* the daemon said no, or the exchange failed */
#define EXIT_USAGE 2
#define EXIT_CONNECT 3  /* nobody listens on the socket */

/* -o: how to print the response data. */
enum output { OUT_TABLE, OUT_WIDE, OUT_JSON, OUT_YAML };

/* show stats: --all and --worker. */
struct stats_opts {
	bool all;
	long worker;    /* -1: all workers */
};

/* get KIND [NAME] [-n NS | -A]. */
struct get_opts {
	const char *kind;
	const char *name;       /* NULL: every object of the kind */
	const char *ns;         /* -n; NULL: the server's default */
	bool all_ns;            /* -A */
	time_t now;             /* for AGE */
};

/* Print "dpgwctl: " and the message to stderr, then exit with @code. */
void die(int code, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

/* realloc() that dies when memory runs out. */
void *xrealloc(void *p, size_t n);

/* RFC 3339 ("2024-05-01T12:00:00Z", fractions, offsets) to seconds since the epoch. */
bool parse_rfc3339(const char *s, time_t *out);

/* Print the data of a @cmd response (not get) as @out asks. */
void print_data(const char *cmd, const json_t *data, enum output out,
	const struct stats_opts *so);

/* Print the data of a get response: a kubectl-like table, or the objects as JSON or YAML. */
void print_get(const json_t *data, const struct get_opts *o, enum output out);

#endif /* DPGWCTL_H */
