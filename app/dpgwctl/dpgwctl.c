/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpgwctl: the command-line client of dpgw's admin socket.
 *
 * It sends one JSON request line ({"cmd": "show stats", "args": {...}}),
 * reads one response line, and prints its "data" either as JSON or as
 * aligned tables in the manner of ip(8), ipvsadm -Ln and vppctl. Tables
 * print the keys they know and ignore the rest, so a newer daemon never
 * breaks an older client; -o json shows everything.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <jansson.h>

#include "gw_build_config.h"
#include "config.h"

#define EXIT_ERROR 1    /* the daemon said no, or the exchange failed */
#define EXIT_USAGE 2
#define EXIT_CONNECT 3  /* nobody listens on the socket */

#define TIMEOUT_MS 5000
#define RESPONSE_MAX (256u << 20)

static const char usage_text[] =
	"Usage: dpgwctl [--socket PATH | -c CONFIG] [-o table|json] COMMAND...\n"
	"\n"
	"Query and control a running dpgw through its admin socket.\n"
	"\n"
	"Commands:\n"
	"  show ports                  ports: link, driver, queues, offloads, addresses, counters\n"
	"  show stats [--all] [--worker N]\n"
	"                              per-worker counters and drop reasons; zero rows are\n"
	"                              hidden unless --all; --worker N shows one worker\n"
	"  show neigh                  ARP/ND neighbour entries of every worker\n"
	"  show routes                 routes, local addresses and VIPs of the live generation\n"
	"  show generation             the live configuration generation and what each worker uses\n"
	"  reload                      re-read the configuration (like SIGHUP)\n"
	"  help                        the commands the running daemon offers\n"
	"  raw 'JSON'                  send one request as is and print the whole response\n"
	"\n"
	"Options:\n"
	"  -s, --socket PATH           admin socket (default " GW_DEFAULT_ADMIN_SOCKET ")\n"
	"  -c, --config FILE           take the socket from FILE's admin.socket\n"
	"  -o, --output table|json     readable tables (default) or the response data as JSON\n"
	"  -a, --all                   show stats: show zero counters too\n"
	"  -w, --worker N              show stats: only worker N\n"
	"  -h, --help                  this text\n"
	"  -V, --version               print the version\n"
	"\n"
	"Every request and response is one line of JSON, so scripts may also use\n"
	"  echo '{\"cmd\":\"show stats\"}' | socat - UNIX-CONNECT:" GW_DEFAULT_ADMIN_SOCKET "\n"
	"\n"
	"Exit status: 0 success, 1 error (from dpgw or talking to it), 2 usage,\n"
	"3 cannot connect to the socket.\n";

static void
die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("dpgwctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("dpgwctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'dpgwctl --help'.\n", stderr);
	exit(EXIT_USAGE);
}

/* ---- tables ---- */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum row_kind { ROW_DATA, ROW_HEADER, ROW_BLANK };

struct table {
	unsigned int ncols, nrows, cap;
	char **cells;           /* nrows * ncols; NULL prints as "-" */
	enum row_kind *kind;
	bool *right;            /* right-aligned columns (numbers) */
};

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL)
		die(EXIT_ERROR, "out of memory");
	return p;
}

static struct table *
table_new(unsigned int ncols)
{
	struct table *t = xrealloc(NULL, sizeof(*t));

	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->right = xrealloc(NULL, ncols * sizeof(bool));
	memset(t->right, 0, ncols * sizeof(bool));
	return t;
}

static void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < (size_t)t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->kind);
	free(t->right);
	free(t);
}

static void
table_row(struct table *t, enum row_kind kind)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = xrealloc(t->cells, (size_t)t->cap * t->ncols * sizeof(char *));
		t->kind = xrealloc(t->kind, t->cap * sizeof(*t->kind));
	}
	memset(&t->cells[(size_t)t->nrows * t->ncols], 0, t->ncols * sizeof(char *));
	t->kind[t->nrows++] = kind;
}

/* Set column @col of the last row. */
static void __attribute__((format(printf, 3, 4)))
table_cell(struct table *t, unsigned int col, const char *fmt, ...)
{
	char **cell = &t->cells[(size_t)(t->nrows - 1) * t->ncols + col];
	va_list ap;
	int rc;

	free(*cell);
	va_start(ap, fmt);
	rc = vasprintf(cell, fmt, ap);
	va_end(ap);
	if (rc < 0)
		die(EXIT_ERROR, "out of memory");
}

/* A header row from a NULL-terminated list of titles. */
static void
table_header(struct table *t, const char *const *titles)
{
	unsigned int c;

	table_row(t, ROW_HEADER);
	for (c = 0; c < t->ncols && titles[c] != NULL; c++)
		table_cell(t, c, "%s", titles[c]);
}

static const char *
table_text(const struct table *t, unsigned int r, unsigned int c)
{
	const char *s = t->cells[(size_t)r * t->ncols + c];

	return s != NULL ? s : "-";
}

static void
table_print(const struct table *t, const char *indent)
{
	size_t *w = xrealloc(NULL, t->ncols * sizeof(size_t));
	unsigned int r, c;

	memset(w, 0, t->ncols * sizeof(size_t));
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols && t->kind[r] != ROW_BLANK; c++)
			if (strlen(table_text(t, r, c)) > w[c])
				w[c] = strlen(table_text(t, r, c));
	for (r = 0; r < t->nrows; r++) {
		if (t->kind[r] == ROW_BLANK) {
			putchar('\n');
			continue;
		}
		fputs(indent, stdout);
		for (c = 0; c < t->ncols; c++) {
			int pad = (int)w[c];

			/* No trailing blanks after a left-aligned last column. */
			if (c + 1 == t->ncols && !t->right[c])
				pad = 0;
			printf(c == 0 ? "%*s" : "  %*s", t->right[c] ? pad : -pad,
				table_text(t, r, c));
		}
		putchar('\n');
	}
	free(w);
}

/* ---- JSON access that tolerates missing or odd values ---- */

static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool
jint(const json_t *o, const char *key, json_int_t *v)
{
	const json_t *j = json_object_get(o, key);

	if (!json_is_integer(j))
		return false;
	*v = json_integer_value(j);
	return true;
}

/* Any value as table text; NULL ("-") for missing and null. */
static char *
jtext(const json_t *v)
{
	char *s = NULL;

	if (v == NULL || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		s = strdup(json_string_value(v));
	else if (json_is_true(v))
		s = strdup("yes");
	else if (json_is_false(v))
		s = strdup("no");
	else
		s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (s == NULL)
		die(EXIT_ERROR, "out of memory");
	return s;
}

static void
cell_json(struct table *t, unsigned int col, const json_t *v)
{
	char *s = jtext(v);

	if (s != NULL)
		table_cell(t, col, "%s", s);
	free(s);
}

static void
cell_int(struct table *t, unsigned int col, const json_t *o, const char *key)
{
	json_int_t v;

	if (jint(o, key, &v))
		table_cell(t, col, "%" JSON_INTEGER_FORMAT, v);
	else
		cell_json(t, col, json_object_get(o, key));
}

/* 1200 -> "1.2s", 75000 -> "1m15s" */
static void
fmt_ms(char *buf, size_t len, json_int_t ms)
{
	if (ms < 0)
		snprintf(buf, len, "-");
	else if (ms < 1000)
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT "ms", ms);
	else if (ms < 60000)
		snprintf(buf, len, "%.1fs", (double)ms / 1000);
	else if (ms < 3600000)
		snprintf(buf, len, "%dm%02ds", (int)(ms / 60000), (int)(ms / 1000 % 60));
	else if (ms < 86400000)
		snprintf(buf, len, "%dh%02dm", (int)(ms / 3600000), (int)(ms / 60000 % 60));
	else
		snprintf(buf, len, "%dd%02dh", (int)(ms / 86400000), (int)(ms / 3600000 % 24));
}

/* "10000" Mb/s -> "10Gb/s" */
static void
fmt_speed(char *buf, size_t len, json_int_t mbps)
{
	if (mbps <= 0)
		snprintf(buf, len, "unknown speed");
	else if (mbps % 1000 == 0)
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT "Gb/s", mbps / 1000);
	else
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT "Mb/s", mbps);
}

/* ---- show ports ---- */

static const char *
onoff(const json_t *v)
{
	return json_is_true(v) ? "on" : json_is_false(v) ? "off" : "?";
}

/* One "RX:"/"TX:" block of ip -s link: a title row, then the numbers. */
static void
print_counter_block(const json_t *st, const char *title, const char *const (*keys)[2],
	unsigned int n)
{
	struct table *t = table_new(n + 1);
	unsigned int i;

	table_row(t, ROW_HEADER);
	table_cell(t, 0, "%s", title);
	for (i = 0; i < n; i++) {
		t->right[i + 1] = true;
		table_cell(t, i + 1, "%s", keys[i][0]);
	}
	table_row(t, ROW_DATA);
	table_cell(t, 0, "%s", "");
	for (i = 0; i < n; i++)
		cell_int(t, i + 1, st, keys[i][1]);
	table_print(t, "    ");
	table_free(t);
}

static void
print_port_stats(const json_t *st)
{
	static const char *const rx[][2] = {
		{ "packets", "ipackets" }, { "bytes", "ibytes" }, { "missed", "imissed" },
		{ "errors", "ierrors" }, { "nombuf", "rx_nombuf" },
	};
	static const char *const tx[][2] = {
		{ "packets", "opackets" }, { "bytes", "obytes" }, { "errors", "oerrors" },
	};

	if (!json_is_object(st))
		return;
	print_counter_block(st, "RX:", rx, NELEM(rx));
	print_counter_block(st, "TX:", tx, NELEM(tx));
}

static void
print_ports(const json_t *data)
{
	const json_t *ports = json_object_get(data, "ports");
	size_t i, j;

	if (json_array_size(ports) == 0) {
		printf("no ports\n");
		return;
	}
	for (i = 0; i < json_array_size(ports); i++) {
		const json_t *p = json_array_get(ports, i);
		const json_t *link = json_object_get(p, "link");
		const json_t *off = json_object_get(p, "offloads");
		const json_t *addrs = json_object_get(p, "addresses");
		const char *key;
		json_t *v;
		json_int_t n;
		char speed[32];

		if (i > 0)
			putchar('\n');
		if (jint(p, "port_id", &n))
			printf("%" JSON_INTEGER_FORMAT ": ", n);
		printf("%s:", jstr(p, "name") ? jstr(p, "name") : "?");
		if (json_is_object(link)) {
			printf(" <%s>", json_is_true(json_object_get(link, "up")) ? "UP" : "DOWN");
			if (jint(link, "speed_mbps", &n) && json_is_true(json_object_get(link, "up"))) {
				fmt_speed(speed, sizeof(speed), n);
				printf(" speed %s", speed);
			}
		}
		if (jint(p, "mtu", &n))
			printf(" mtu %" JSON_INTEGER_FORMAT, n);
		putchar('\n');
		if (jstr(p, "device") != NULL || jstr(p, "driver") != NULL)
			printf("    device %s  driver %s\n", jstr(p, "device") ? jstr(p, "device") : "-",
				jstr(p, "driver") ? jstr(p, "driver") : "-");
		if (jstr(p, "mac") != NULL || json_object_get(p, "rx_queues") != NULL) {
			printf("    ether %s", jstr(p, "mac") != NULL ? jstr(p, "mac") : "-");
			if (jint(p, "rx_queues", &n))
				printf("  rxq %" JSON_INTEGER_FORMAT, n);
			if (jint(p, "tx_queues", &n))
				printf("  txq %" JSON_INTEGER_FORMAT, n);
			if (json_object_get(p, "rss") != NULL)
				printf("  rss %s", onoff(json_object_get(p, "rss")));
			putchar('\n');
		}
		if (json_object_size(off) > 0) {
			printf("    offloads");
			json_object_foreach((json_t *)(uintptr_t)off, key, v)
				printf(" %s %s", key, onoff(v));
			putchar('\n');
		}
		for (j = 0; j < json_array_size(addrs); j++) {
			const char *a = json_string_value(json_array_get(addrs, j));

			if (a != NULL)
				printf("    %s %s\n", strchr(a, ':') != NULL ? "inet6" : "inet", a);
		}
		print_port_stats(json_object_get(p, "stats"));
	}
}

/* ---- show stats ---- */

struct stats_opts {
	bool all;
	long worker;    /* -1: all workers */
};

static bool
counter_value(const json_t *c, long col, json_int_t *v)
{
	if (col < 0)
		return jint(c, "total", v);
	if (!json_is_integer(json_array_get(json_object_get(c, "workers"), (size_t)col)))
		return false;
	*v = json_integer_value(json_array_get(json_object_get(c, "workers"), (size_t)col));
	return true;
}

/* The column of worker @id: the "workers" entry with that id. */
static long
worker_column(const json_t *data, long id)
{
	const json_t *ws = json_object_get(data, "workers");
	const json_t *c0 = json_array_get(json_object_get(data, "counters"), 0);
	json_int_t wid;
	size_t i;

	for (i = 0; i < json_array_size(ws); i++)
		if (jint(json_array_get(ws, i), "id", &wid) && wid == id)
			return (long)i;
	if (json_array_size(ws) == 0 && (size_t)id < json_array_size(json_object_get(c0, "workers")))
		return id;
	return -1;
}

/* The section of one kind of counter, after a blank row if @blank. */
static bool
stats_rows(struct table *t, const json_t *data, bool drops, const struct stats_opts *o,
	long wcol, size_t nworkers, bool blank)
{
	const json_t *cs = json_object_get(data, "counters");
	const json_t *ws = json_object_get(data, "workers");
	bool any = false;
	unsigned int col;
	json_int_t v, id;
	size_t i, w;

	for (i = 0; i < json_array_size(cs); i++) {
		const json_t *c = json_array_get(cs, i);
		const json_t *per = json_object_get(c, "workers");
		const char *kind = jstr(c, "kind");

		if ((kind != NULL && strcmp(kind, "drop") == 0) != drops)
			continue;
		if (!o->all && (!counter_value(c, wcol, &v) || v == 0))
			continue;
		if (!any) {
			if (blank)
				table_row(t, ROW_BLANK);
			table_row(t, ROW_HEADER);
			table_cell(t, 0, "%s", drops ? "DROP REASON" : "COUNTER");
			col = 1;
			if (wcol < 0) {
				table_cell(t, col++, "TOTAL");
				for (w = 0; w < nworkers; w++) {
					id = (json_int_t)w;
					jint(json_array_get(ws, w), "id", &id);
					table_cell(t, col++, "w%" JSON_INTEGER_FORMAT, id);
				}
			} else {
				table_cell(t, col++, "w%ld", o->worker);
			}
			table_cell(t, col, "DESCRIPTION");
			any = true;
		}
		table_row(t, ROW_DATA);
		table_cell(t, 0, "%s", jstr(c, "name") != NULL ? jstr(c, "name") : "?");
		col = 1;
		if (wcol < 0) {
			cell_int(t, col++, c, "total");
			for (w = 0; w < nworkers; w++)
				cell_json(t, col++, json_array_get(per, w));
		} else {
			cell_json(t, col++, json_array_get(per, (size_t)wcol));
		}
		table_cell(t, col, "%s", jstr(c, "help") != NULL ? jstr(c, "help") : "");
	}
	return any;
}

/*
 * One table, two sections: events, then drop reasons under their own
 * header (the way vppctl show errors sets drops apart), sharing columns.
 */
static void
print_stats(const json_t *data, const struct stats_opts *o)
{
	const json_t *cs = json_object_get(data, "counters");
	size_t nworkers = json_array_size(json_object_get(data, "workers"));
	struct table *t;
	long wcol = -1;
	unsigned int i;
	bool events;

	if (nworkers == 0)
		nworkers = json_array_size(json_object_get(json_array_get(cs, 0), "workers"));
	if (o->worker >= 0) {
		wcol = worker_column(data, o->worker);
		if (wcol < 0)
			die(EXIT_ERROR, "no worker %ld (dpgw runs %zu)", o->worker, nworkers);
	}
	t = table_new(wcol < 0 ? 3 + (unsigned int)nworkers : 3);
	for (i = 1; i + 1 < t->ncols; i++)
		t->right[i] = true;
	events = stats_rows(t, data, false, o, wcol, nworkers, false);
	stats_rows(t, data, true, o, wcol, nworkers, events);
	if (t->nrows == 0)
		printf("all counters are zero (--all shows them)\n");
	else
		table_print(t, "");
	table_free(t);
}

/* ---- show neigh, routes, generation, help ---- */

static void
print_neigh(const json_t *data)
{
	const json_t *ns = json_object_get(data, "neighbours");
	static const char *const head[] = { "WORKER", "PORT", "ADDRESS", "MAC", "STATE",
		"AGE", "HELD", NULL };
	struct table *t;
	json_int_t ms;
	char age[32];
	size_t i;

	if (json_array_size(ns) == 0) {
		printf("no neighbour entries\n");
		return;
	}
	t = table_new(NELEM(head) - 1);
	t->right[0] = t->right[5] = t->right[6] = true;
	table_header(t, head);
	for (i = 0; i < json_array_size(ns); i++) {
		const json_t *n = json_array_get(ns, i);

		table_row(t, ROW_DATA);
		cell_int(t, 0, n, "worker");
		cell_json(t, 1, json_object_get(n, "port"));
		cell_json(t, 2, json_object_get(n, "ip"));
		if (json_is_string(json_object_get(n, "mac")))
			cell_json(t, 3, json_object_get(n, "mac"));
		else
			table_cell(t, 3, "(incomplete)");
		cell_json(t, 4, json_object_get(n, "state"));
		if (jint(n, "age_ms", &ms)) {
			fmt_ms(age, sizeof(age), ms);
			table_cell(t, 5, "%s", age);
		}
		cell_int(t, 6, n, "held");
	}
	table_print(t, "");
	table_free(t);
}

static void
print_routes(const json_t *data)
{
	static const char *const rhead[] = { "PREFIX", "VIA", "PORT", "TYPE", NULL };
	static const char *const ahead[] = { "PORT", "ADDRESS", NULL };
	const json_t *rs = json_object_get(data, "routes");
	const json_t *as = json_object_get(data, "addresses");
	const json_t *vs = json_object_get(data, "vips");
	struct table *t;
	json_int_t gen;
	size_t i;

	if (jint(data, "generation", &gen))
		printf("generation %" JSON_INTEGER_FORMAT "\n\n", gen);
	t = table_new(4);
	table_header(t, rhead);
	for (i = 0; i < json_array_size(rs); i++) {
		const json_t *r = json_array_get(rs, i);

		table_row(t, ROW_DATA);
		cell_json(t, 0, json_object_get(r, "prefix"));
		cell_json(t, 1, json_object_get(r, "via"));
		cell_json(t, 2, json_object_get(r, "port"));
		cell_json(t, 3, json_object_get(r, "type"));
	}
	if (json_array_size(rs) == 0)
		printf("no routes\n");
	else
		table_print(t, "");
	table_free(t);

	if (json_array_size(as) > 0) {
		t = table_new(2);
		table_header(t, ahead);
		for (i = 0; i < json_array_size(as); i++) {
			table_row(t, ROW_DATA);
			cell_json(t, 0, json_object_get(json_array_get(as, i), "port"));
			cell_json(t, 1, json_object_get(json_array_get(as, i), "address"));
		}
		putchar('\n');
		table_print(t, "");
		table_free(t);
	}
	if (json_is_array(vs)) {
		printf("\nVIPS");
		for (i = 0; i < json_array_size(vs); i++) {
			char *s = jtext(json_array_get(vs, i));

			printf("%s%s", i == 0 ? "  " : ", ", s != NULL ? s : "-");
			free(s);
		}
		printf("%s\n", json_array_size(vs) == 0 ? "  (none)" : "");
	}
}

static void
print_generation(const json_t *data)
{
	static const char *const head[] = { "WORKER", "LCORE", "SEEN", "STATUS", NULL };
	const json_t *ws = json_object_get(data, "workers");
	json_int_t cur = -1, v, seen;
	struct table *t;
	char age[32];
	size_t i;

	if (jint(data, "current", &cur))
		printf("generation %" JSON_INTEGER_FORMAT, cur);
	else
		printf("generation ?");
	if (jint(data, "age_ms", &v)) {
		fmt_ms(age, sizeof(age), v);
		printf(", published %s ago", age);
	}
	if (jint(data, "retired", &v))
		printf(", %" JSON_INTEGER_FORMAT " retired awaiting grace period", v);
	printf("\n");
	if (json_array_size(ws) == 0)
		return;
	t = table_new(4);
	t->right[0] = t->right[1] = t->right[2] = true;
	table_header(t, head);
	for (i = 0; i < json_array_size(ws); i++) {
		const json_t *w = json_array_get(ws, i);

		table_row(t, ROW_DATA);
		cell_int(t, 0, w, "id");
		cell_int(t, 1, w, "lcore");
		cell_int(t, 2, w, "seen");
		if (jint(w, "seen", &seen) && cur >= 0)
			table_cell(t, 3, "%s", seen >= cur ? "current" : "behind");
	}
	putchar('\n');
	table_print(t, "");
	table_free(t);
}

static void
print_help(const json_t *data)
{
	const json_t *cs = json_object_get(data, "commands");
	static const char *const head[] = { "COMMAND", "TELEMETRY", "DESCRIPTION", NULL };
	struct table *t = table_new(3);
	size_t i;

	table_header(t, head);
	for (i = 0; i < json_array_size(cs); i++) {
		const json_t *c = json_array_get(cs, i);

		table_row(t, ROW_DATA);
		cell_json(t, 0, json_object_get(c, "cmd"));
		cell_json(t, 1, json_object_get(c, "telemetry"));
		table_cell(t, 2, "%s", jstr(c, "help") ? jstr(c, "help") : "");
	}
	table_print(t, "");
	table_free(t);
}

/* ---- talking to the daemon ---- */

static long
ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

static int
connect_admin(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = TIMEOUT_MS / 1000 };
	const char *hint = "is dpgw running?";
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		die(EXIT_CONNECT, "cannot connect to %s: path too long", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die(EXIT_ERROR, "socket: %s", strerror(errno));
	/* A full backlog makes a UNIX connect wait up to the send timeout. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	err = errno;
	if (err == EACCES || err == EPERM)
		hint = "run as root or as a member of the socket's group";
	else if (err == EAGAIN)
		hint = "dpgw is not accepting connections";
	die(EXIT_CONNECT, "cannot connect to %s: %s (%s)", path,
		err == EAGAIN ? "timed out" : strerror(err), hint);
	return -1;
}

/* Send @req plus a newline, read one line back; all within TIMEOUT_MS. */
static char *
exchange(const char *path, const char *req)
{
	struct timespec deadline;
	size_t len = strlen(req), off = 0, cap = 4096, got = 0;
	char *out = xrealloc(NULL, len + 1);
	char *buf = xrealloc(NULL, cap);
	int fd = connect_admin(path);

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += TIMEOUT_MS / 1000;
	memcpy(out, req, len);
	out[len++] = '\n';
	while (off < len) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		ssize_t n;

		if (poll(&p, 1, (int)(ms_left(&deadline) > 0 ? ms_left(&deadline) : 0)) == 0)
			die(EXIT_ERROR, "timed out sending to %s", path);
		n = send(fd, out + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			die(EXIT_ERROR, "cannot send to %s: %s", path, strerror(errno));
		if (n > 0)
			off += (size_t)n;
	}
	free(out);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char *nl;
		ssize_t n;

		if (poll(&p, 1, (int)(ms_left(&deadline) > 0 ? ms_left(&deadline) : 0)) == 0)
			die(EXIT_ERROR, "no response from %s within %d s", path, TIMEOUT_MS / 1000);
		if (got + 1 >= cap) {
			if (cap >= RESPONSE_MAX)
				die(EXIT_ERROR, "response from %s too long", path);
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = recv(fd, buf + got, cap - got - 1, MSG_DONTWAIT);
		if (n == 0)
			die(EXIT_ERROR, "%s closed the connection without a response", path);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			die(EXIT_ERROR, "cannot read from %s: %s", path, strerror(errno));
		}
		nl = memchr(buf + got, '\n', (size_t)n);
		got += (size_t)n;
		if (nl != NULL) {
			*nl = '\0';
			break;
		}
	}
	close(fd);
	return buf;
}

/* ---- command line ---- */

enum output { OUT_TABLE, OUT_JSON };

static const char *
socket_from_config(const char *file)
{
	static char path[GW_CFG_STR_LEN];
	char err[GW_CFG_ERR_LEN] = "";
	struct gw_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		die(EXIT_ERROR, "out of memory");
	if (gw_config_load(file, cfg, err, sizeof(err)) < 0)
		die(EXIT_ERROR, "%s", err[0] != '\0' ? err : "cannot load the configuration");
	snprintf(path, sizeof(path), "%s",
		cfg->admin.socket[0] != '\0' ? cfg->admin.socket : GW_DEFAULT_ADMIN_SOCKET);
	free(cfg);
	return path;
}

static bool
word_in(const char *w, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(w, *list) == 0)
			return true;
	return false;
}

/* "show X" -> the daemon's command name; NULL if unknown. */
static const char *
show_command(const char *what)
{
	static const char *const ports[] = { "ports", "port", "interfaces", NULL };
	static const char *const stats[] = { "stats", "statistics", "counters", "errors", NULL };
	static const char *const neigh[] = { "neigh", "neighbours", "neighbors", "arp", NULL };
	static const char *const routes[] = { "routes", "route", NULL };
	static const char *const gen[] = { "generation", "gen", NULL };

	if (word_in(what, ports))
		return "show ports";
	if (word_in(what, stats))
		return "show stats";
	if (word_in(what, neigh))
		return "show neigh";
	if (word_in(what, routes))
		return "show routes";
	if (word_in(what, gen))
		return "show generation";
	return NULL;
}

static void
print_data(const char *cmd, const json_t *data, enum output out, const struct stats_opts *so)
{
	if (out == OUT_JSON) {
		json_dumpf(data, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY);
		putchar('\n');
	} else if (strcmp(cmd, "show ports") == 0) {
		print_ports(data);
	} else if (strcmp(cmd, "show stats") == 0) {
		print_stats(data, so);
	} else if (strcmp(cmd, "show neigh") == 0) {
		print_neigh(data);
	} else if (strcmp(cmd, "show routes") == 0) {
		print_routes(data);
	} else if (strcmp(cmd, "show generation") == 0) {
		print_generation(data);
	} else if (strcmp(cmd, "help") == 0) {
		print_help(data);
	} else if (strcmp(cmd, "reload") == 0) {
		json_int_t gen;

		if (jint(data, "generation", &gen))
			printf("reloaded: generation %" JSON_INTEGER_FORMAT "\n", gen);
		else
			printf("reloaded\n");
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "all", no_argument, NULL, 'a' },
		{ "worker", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct stats_opts so = { .all = false, .worker = -1 };
	const char *sock = NULL, *config = NULL, *cmd, *raw = NULL;
	enum output out = OUT_TABLE;
	bool worker_set = false;
	json_t *req, *resp, *data;
	json_error_t jerr;
	char *line, *end;
	int opt, nargs;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":s:c:o:aw:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			sock = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'o':
			if (strcmp(optarg, "json") == 0)
				out = OUT_JSON;
			else if (strcmp(optarg, "table") == 0)
				out = OUT_TABLE;
			else
				usage_error("-o takes table or json, not \"%s\"", optarg);
			break;
		case 'a':
			so.all = true;
			break;
		case 'w':
			errno = 0;
			so.worker = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || so.worker < 0 ||
					so.worker > INT_MAX)
				usage_error("--worker takes a worker number, not \"%s\"", optarg);
			worker_set = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("dpgwctl %s\n", GW_VERSION);
			return 0;
		case ':':
			usage_error("option %s needs an argument", argv[optind - 1]);
			break;
		default:
			if (optopt != 0)
				usage_error("unknown option -%c", optopt);
			usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (sock != NULL && config != NULL)
		usage_error("--socket and -c are alternatives; give one");
	nargs = argc - optind;
	argv += optind;
	if (nargs == 0)
		usage_error("no command given");

	if (strcmp(argv[0], "show") == 0) {
		if (nargs != 2)
			usage_error(nargs < 2 ? "show what? ports, stats, neigh, routes or generation"
				: "too many arguments to show");
		cmd = show_command(argv[1]);
		if (cmd == NULL)
			usage_error("cannot show \"%s\"; try ports, stats, neigh, routes or generation",
				argv[1]);
	} else if (strcmp(argv[0], "reload") == 0 || strcmp(argv[0], "help") == 0) {
		if (nargs != 1)
			usage_error("%s takes no arguments", argv[0]);
		cmd = argv[0];
	} else if (strcmp(argv[0], "raw") == 0) {
		if (nargs != 2)
			usage_error("raw takes one JSON request, quoted");
		raw = argv[1];
		if (strchr(raw, '\n') != NULL)
			usage_error("a raw request must be one line");
		cmd = "raw";
	} else {
		usage_error("unknown command \"%s\"", argv[0]);
	}
	if ((so.all || worker_set) && strcmp(cmd, "show stats") != 0)
		usage_error("--all and --worker go with show stats");

	if (config != NULL)
		sock = socket_from_config(config);
	if (sock == NULL)
		sock = GW_DEFAULT_ADMIN_SOCKET;

	if (raw != NULL) {
		line = exchange(sock, raw);
		resp = json_loads(line, 0, &jerr);
		if (resp == NULL)
			die(EXIT_ERROR, "bad response from %s: %s", sock, jerr.text);
		json_dumpf(resp, stdout, JSON_INDENT(2));
		putchar('\n');
		free(line);
		opt = json_is_true(json_object_get(resp, "ok")) ? 0 : EXIT_ERROR;
		json_decref(resp);
		return opt;
	}

	req = json_pack("{s:s,s:{}}", "cmd", cmd, "args");
	if (req == NULL)
		die(EXIT_ERROR, "out of memory");
	if (worker_set)
		json_object_set_new(json_object_get(req, "args"), "worker",
			json_integer(so.worker));
	if (so.all)
		json_object_set_new(json_object_get(req, "args"), "all", json_true());
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (line == NULL)
		die(EXIT_ERROR, "out of memory");
	end = exchange(sock, line);
	free(line);
	resp = json_loads(end, 0, &jerr);
	if (resp == NULL)
		die(EXIT_ERROR, "bad response from %s: %s", sock, jerr.text);
	free(end);
	if (!json_is_true(json_object_get(resp, "ok"))) {
		const char *e = jstr(resp, "error");

		fprintf(stderr, "dpgwctl: %s\n", e != NULL ? e : "request failed");
		json_decref(resp);
		return EXIT_ERROR;
	}
	data = json_object_get(resp, "data");
	if (data == NULL)
		data = json_null();
	print_data(cmd, data, out, &so);
	json_decref(resp);
	return fflush(stdout) == 0 ? 0 : EXIT_ERROR;
}
