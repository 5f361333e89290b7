/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpgwctl's rendering of response data: aligned tables for show and get
 * (AGE columns included) and the YAML emitter behind -o yaml. Tables print
 * the keys they know and ignore the rest, so a newer daemon never breaks an
 * older client; -o json shows everything.
 */
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "dpgwctl.h"

/* ---- tables ---- */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum row_kind { ROW_DATA, ROW_HEADER, ROW_BLANK };

struct table {
	unsigned int ncols, nrows, cap;
	char **cells;           /* nrows * ncols; NULL prints as "-" */
	enum row_kind *kind;
	bool *right;            /* right-aligned columns (numbers) */
};

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

/*
 * One line of counts, then the flows:
 *   3 flows (worker 0: 2 IPv4, 1 IPv6; capacity 65536 per worker and family)
 */
static void
print_flows(const json_t *data)
{
	static const char *const head[] = { "WORKER", "PROTO", "CLIENT", "VIP", "BACKEND", "SNAT",
		"STATE", "IDLE", NULL };
	const json_t *ws = json_object_get(data, "workers");
	const json_t *fs = json_object_get(data, "flows");
	json_int_t total = 0, v4, v6, cap = -1, id, ms;
	struct table *t;
	char idle[32];
	size_t i;

	if (!jint(data, "total", &total))
		total = (json_int_t)json_array_size(fs);
	printf("%" JSON_INTEGER_FORMAT " flow%s", total, total == 1 ? "" : "s");
	for (i = 0; i < json_array_size(ws); i++) {
		const json_t *w = json_array_get(ws, i);

		if (!jint(w, "worker", &id))
			id = (json_int_t)i;
		if (!jint(w, "flows4", &v4))
			v4 = 0;
		if (!jint(w, "flows6", &v6))
			v6 = 0;
		printf("%sworker %" JSON_INTEGER_FORMAT ": %" JSON_INTEGER_FORMAT " IPv4, %"
			JSON_INTEGER_FORMAT " IPv6", i == 0 ? " (" : "; ", id, v4, v6);
		if (cap < 0)
			jint(w, "capacity", &cap);
	}
	if (cap >= 0)
		printf("; capacity %" JSON_INTEGER_FORMAT " per worker and family", cap);
	printf("%s\n", json_array_size(ws) > 0 ? ")" : "");
	if (json_array_size(fs) == 0) {
		if (total > 0)
			printf("none shown (--limit 0?)\n");
		return;
	}
	if ((json_int_t)json_array_size(fs) < total)
		printf("showing the first %zu (--limit N shows more)\n", json_array_size(fs));
	t = table_new(NELEM(head) - 1);
	t->right[0] = t->right[7] = true;
	table_header(t, head);
	for (i = 0; i < json_array_size(fs); i++) {
		const json_t *f = json_array_get(fs, i);

		table_row(t, ROW_DATA);
		cell_int(t, 0, f, "worker");
		cell_json(t, 1, json_object_get(f, "proto"));
		cell_json(t, 2, json_object_get(f, "client"));
		cell_json(t, 3, json_object_get(f, "vip"));
		cell_json(t, 4, json_object_get(f, "backend"));
		cell_json(t, 5, json_object_get(f, "snat"));
		cell_json(t, 6, json_object_get(f, "state"));
		if (jint(f, "idle_ms", &ms)) {
			fmt_ms(idle, sizeof(idle), ms);
			table_cell(t, 7, "%s", idle);
		}
	}
	putchar('\n');
	table_print(t, "");
	table_free(t);
}

/*
 * One line of counts, then the connections:
 *   2 connections (worker 0: 2, 0 half-open, 1 in TIME-WAIT)
 */
static void
print_tcp(const json_t *data)
{
	static const char *const head[] = { "WORKER", "LOCAL", "REMOTE", "STATE", "SNDQ", "RCVQ",
		"CWND", "SRTT", "RTO", "RETX", "IDLE", NULL };
	const json_t *ws = json_object_get(data, "workers");
	const json_t *cs = json_object_get(data, "conns");
	json_int_t total = 0, id, n, ho, tw, us, ms;
	struct table *t;
	char buf[32];
	size_t i;

	if (!jint(data, "total", &total))
		total = (json_int_t)json_array_size(cs);
	if (json_array_size(ws) == 0) {
		printf("no TCP stack runs here (dpgw-tcp-echo has one per worker)\n");
		return;
	}
	printf("%" JSON_INTEGER_FORMAT " connection%s", total, total == 1 ? "" : "s");
	for (i = 0; i < json_array_size(ws); i++) {
		const json_t *w = json_array_get(ws, i);

		if (!jint(w, "worker", &id))
			id = (json_int_t)i;
		if (!jint(w, "conns", &n))
			n = 0;
		if (!jint(w, "half_open", &ho))
			ho = 0;
		if (!jint(w, "time_wait", &tw))
			tw = 0;
		printf("%sworker %" JSON_INTEGER_FORMAT ": %" JSON_INTEGER_FORMAT ", %"
			JSON_INTEGER_FORMAT " half-open, %" JSON_INTEGER_FORMAT " in TIME-WAIT",
			i == 0 ? " (" : "; ", id, n, ho, tw);
	}
	printf(")\n");
	if (json_array_size(cs) == 0)
		return;
	if ((json_int_t)json_array_size(cs) < total)
		printf("showing the first %zu (--limit N shows more)\n", json_array_size(cs));
	t = table_new(NELEM(head) - 1);
	t->right[0] = t->right[4] = t->right[5] = t->right[6] = true;
	t->right[7] = t->right[8] = t->right[9] = t->right[10] = true;
	table_header(t, head);
	for (i = 0; i < json_array_size(cs); i++) {
		const json_t *c = json_array_get(cs, i);

		table_row(t, ROW_DATA);
		cell_int(t, 0, c, "worker");
		cell_json(t, 1, json_object_get(c, "local"));
		cell_json(t, 2, json_object_get(c, "remote"));
		cell_json(t, 3, json_object_get(c, "state"));
		cell_int(t, 4, c, "snd_queued");
		cell_int(t, 5, c, "rcv_queued");
		cell_int(t, 6, c, "cwnd");
		if (jint(c, "srtt_us", &us)) {
			snprintf(buf, sizeof(buf), "%.1fms", (double)us / 1000.0);
			table_cell(t, 7, "%s", buf);
		}
		if (jint(c, "rto_ms", &ms)) {
			fmt_ms(buf, sizeof(buf), ms);
			table_cell(t, 8, "%s", buf);
		}
		cell_int(t, 9, c, "retransmits");
		if (jint(c, "idle_ms", &ms)) {
			fmt_ms(buf, sizeof(buf), ms);
			table_cell(t, 10, "%s", buf);
		}
	}
	putchar('\n');
	table_print(t, "");
	table_free(t);
}

static void print_gateway_tables(const json_t *data);

static void
print_routes(const json_t *data)
{
	static const char *const rhead[] = { "PREFIX", "VIA", "PORT", "TYPE", NULL };
	static const char *const ahead[] = { "PORT", "ADDRESS", NULL };
	const json_t *rs = json_object_get(data, "routes");
	const json_t *as = json_object_get(data, "addresses");
	const json_t *vs = json_object_get(data, "vips");
	const json_t *ss = json_object_get(data, "snat");
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
	/* The SNAT pool, when there is one (without, flows use the port addresses). */
	for (i = 0; i < json_array_size(ss); i++) {
		char *s = jtext(json_array_get(ss, i));

		printf("%s%s", i == 0 ? "SNAT  " : ", ", s != NULL ? s : "-");
		free(s);
	}
	if (json_array_size(ss) > 0)
		putchar('\n');
	if (json_object_get(data, "http") != NULL)
		print_gateway_tables(data);
}

/* The match of a compiled HTTP rule in one cell: "Exact /a GET h:x=1 q:a=b". */
static void
match_text(char *buf, size_t len, const json_t *e)
{
	const char *pt = json_string_value(json_object_get(e, "path_type"));
	const char *m = json_string_value(json_object_get(e, "method"));
	size_t n = 0;

	n += (size_t)snprintf(buf + n, len - n, "%s %s",
		pt == NULL ? "?" : strcmp(pt, "PathPrefix") == 0 ? "prefix" :
		strcmp(pt, "Exact") == 0 ? "exact" : "regex",
		json_string_value(json_object_get(e, "path")) ?: "");
	if (m != NULL && n < len)
		n += (size_t)snprintf(buf + n, len - n, " %s", m);
	for (int k = 0; k < 2; k++) {
		const json_t *a = json_object_get(e, k == 0 ? "headers" : "query");

		for (size_t i = 0; i < json_array_size(a) && n < len; i++) {
			const json_t *h = json_array_get(a, i);

			n += (size_t)snprintf(buf + n, len - n, " %s:%s%s%s", k == 0 ? "h" : "q",
				json_string_value(json_object_get(h, "name")) ?: "",
				strcmp(json_string_value(json_object_get(h, "type")) ?: "", "Exact") == 0 ?
					"=" : "~",
				json_string_value(json_object_get(h, "value")) ?: "");
		}
	}
}

static void
backends_text(char *buf, size_t len, const json_t *e)
{
	const json_t *bs = json_object_get(e, "backends");
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < json_array_size(bs) && n < len; i++) {
		const json_t *b = json_array_get(bs, i);
		const char *st = json_string_value(json_object_get(b, "state")) ?: "?";
		json_int_t w = 0;

		jint(b, "weight", &w);
		n += (size_t)snprintf(buf + n, len - n, "%s%s w=%" JSON_INTEGER_FORMAT " eps=%zu%s%s",
			i ? ", " : "", json_string_value(json_object_get(b, "name")) ?: "?", w,
			json_array_size(json_object_get(b, "endpoints")),
			strcmp(st, "ok") == 0 ? "" : " ", strcmp(st, "ok") == 0 ? "" : st);
	}
	if (json_array_size(bs) == 0 && n < len) {
		const json_t *fs = json_object_get(e, "filters");
		bool redirect = false;

		for (size_t i = 0; i < json_array_size(fs); i++)
			redirect |= strcmp(json_string_value(json_array_get(fs, i)) ?: "",
				"RequestRedirect") == 0;
		snprintf(buf, len, "%s", redirect ? "(redirect)" : "(none: 500)");
	}
}

static void
print_gateway_tables(const json_t *data)
{
	static const char *const hhead[] = { "LISTENER", "VIP:PORT", "VHOST", "#", "ROUTE",
		"MATCH", "BACKENDS", NULL };
	static const char *const lhead[] = { "LISTENER", "PROTO", "VIP:PORT", "ENDPOINT",
		"WEIGHT", "SLOTS", NULL };
	const json_t *http = json_object_get(data, "http"), *l4 = json_object_get(data, "l4");
	struct table *t;
	json_int_t v = 0;
	char buf[1024];

	jint(data, "gateway_tables", &v);
	printf("\ngateway tables v%" JSON_INTEGER_FORMAT ": %zu HTTP rules, %zu L4 services\n",
		v, json_array_size(http), json_array_size(l4));
	if (json_array_size(http) > 0) {
		t = table_new(7);
		table_header(t, hhead);
		for (size_t i = 0; i < json_array_size(http); i++) {
			const json_t *e = json_array_get(http, i);
			const char *vip = json_string_value(json_object_get(e, "vip")) ?: "?";
			const char *vh = json_string_value(json_object_get(e, "vhost"));
			json_int_t port = 0, order = 0, rule = 0;

			jint(e, "port", &port);
			table_row(t, ROW_DATA);
			cell_json(t, 0, json_object_get(e, "listener"));
			table_cell(t, 1, strchr(vip, ':') ? "[%s]:%" JSON_INTEGER_FORMAT :
				"%s:%" JSON_INTEGER_FORMAT, vip, port);
			table_cell(t, 2, "%s", vh == NULL || *vh == '\0' ? "*" : vh);
			if (json_object_get(e, "route") == NULL) {
				table_cell(t, 3, "-");
				table_cell(t, 4, "(no routes: 404)");
				continue;
			}
			jint(e, "order", &order);
			jint(e, "rule", &rule);
			table_cell(t, 3, "%" JSON_INTEGER_FORMAT, order);
			table_cell(t, 4, "%s/%s#%" JSON_INTEGER_FORMAT,
				json_string_value(json_object_get(e, "namespace")) ?: "",
				json_string_value(json_object_get(e, "route")) ?: "", rule);
			match_text(buf, sizeof(buf), e);
			table_cell(t, 5, "%s", buf);
			backends_text(buf, sizeof(buf), e);
			table_cell(t, 6, "%s", buf);
		}
		putchar('\n');
		table_print(t, "");
		table_free(t);
	}
	if (json_array_size(l4) > 0) {
		t = table_new(6);
		table_header(t, lhead);
		for (size_t i = 0; i < json_array_size(l4); i++) {
			const json_t *s = json_array_get(l4, i), *eps = json_object_get(s, "endpoints");
			const char *vip = json_string_value(json_object_get(s, "vip")) ?: "?";
			json_int_t port = 0;

			jint(s, "port", &port);
			for (size_t k = 0; k < (json_array_size(eps) ? json_array_size(eps) : 1); k++) {
				const json_t *ep = json_array_get(eps, k);

				table_row(t, ROW_DATA);
				cell_json(t, 0, json_object_get(s, "listener"));
				cell_json(t, 1, json_object_get(s, "protocol"));
				table_cell(t, 2, strchr(vip, ':') ? "[%s]:%" JSON_INTEGER_FORMAT :
					"%s:%" JSON_INTEGER_FORMAT, vip, port);
				if (ep == NULL) {
					table_cell(t, 3, "(no endpoints)");
					continue;
				}
				json_int_t eport = 0;

				jint(ep, "port", &eport);
				table_cell(t, 3, "%s:%" JSON_INTEGER_FORMAT,
					json_string_value(json_object_get(ep, "address")) ?: "?", eport);
				cell_int(t, 4, ep, "weight");
				cell_int(t, 5, ep, "slots");
			}
		}
		putchar('\n');
		table_print(t, "");
		table_free(t);
	}
}

static void
print_gateway(const json_t *data)
{
	const json_t *sum = json_object_get(data, "summary");
	const json_t *errs = json_object_get(data, "manifest_errors");
	const json_t *m = json_object_get(data, "manifest");
	const char *key;
	json_t *val;
	json_int_t v = 0, f = 0;
	double ms = json_real_value(json_object_get(data, "last_ms"));

	jint(data, "version", &v);
	jint(data, "failures", &f);
	printf("source      %s %s\n", json_string_value(json_object_get(data, "source")) ?: "?",
		json_string_value(json_object_get(data, "manifests")) ?: "");
	printf("controller  %s\n", json_string_value(json_object_get(data, "controller_name")) ?: "?");
	printf("tables      v%" JSON_INTEGER_FORMAT " (last translation %.2f ms), %"
		JSON_INTEGER_FORMAT " failed\n", v, ms, f);
	if (json_string_value(json_object_get(data, "last_error")) != NULL)
		printf("last error  %s\n", json_string_value(json_object_get(data, "last_error")));
	if (json_is_object(m)) {
		json_int_t files = 0, applied = 0, refused = 0;

		jint(m, "files", &files);
		jint(m, "applied", &applied);
		jint(m, "refused", &refused);
		printf("manifests   %" JSON_INTEGER_FORMAT " files, %" JSON_INTEGER_FORMAT
			" applied, %" JSON_INTEGER_FORMAT " refused\n", files, applied, refused);
	}
	if (json_is_object(sum)) {
		printf("summary    ");
		json_object_foreach((json_t *)sum, key, val)
			if (json_is_integer(val))
				printf(" %s=%" JSON_INTEGER_FORMAT, key, json_integer_value(val));
		putchar('\n');
	}
	printf("\nmanifest errors: %zu\n", json_array_size(errs));
	for (size_t i = 0; i < json_array_size(errs); i++)
		printf("  %s\n", json_string_value(json_object_get(json_array_get(errs, i),
			"error")) ?: "?");
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

static bool
word_in_nocase(const char *w, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcasecmp(w, *list) == 0)
			return true;
	return false;
}

/* ---- YAML output ---- */

/*
 * A small block-style emitter for jansson values, laid out like kubectl's
 * (a sequence sits at its key's indentation). A string is plain unless a
 * YAML 1.1 or 1.2 reader could take it for something else (a number, a
 * bool, a date, a comment, an indicator), double-quoted otherwise, and a
 * literal block when it spans lines and nothing in it needs escaping.
 * Quoting too much is harmless; too little changes the data, so -o yaml
 * must always read back as what -o json prints.
 */

/* Numbers, dates and sexagesimals of YAML 1.1 (PyYAML, go-yaml v2) and 1.2. */
static const char yaml_number_re[] =
	"^[-+]?[0-9][0-9_]*$"
	"|^[-+]?0b[01_]+$"
	"|^[-+]?0x[0-9a-f_]+$"
	"|^[-+]?0o[0-7_]+$"
	"|^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?$"
	"|^[-+]?([0-9][0-9_]*)?\\.[0-9_]*([e][-+]?[0-9]+)?$"
	"|^[-+]?[0-9][0-9_]*(\\.[0-9_]*)?[e][-+]?[0-9]+$"
	"|^[-+]?\\.(inf|nan)$"
	"|^[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?";

static bool
yaml_is_number(const char *s)
{
	static regex_t re;
	static bool ready;

	if (!ready) {
		if (regcomp(&re, yaml_number_re, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
			die(EXIT_ERROR, "cannot compile the YAML number pattern");
		ready = true;
	}
	return regexec(&re, s, 0, NULL, 0) == 0;
}

/* Bools and nulls of YAML 1.1 and 1.2 in any case, merge keys and the 1.1 "=" value. */
static bool
yaml_is_word(const char *s)
{
	static const char *const words[] = { "true", "false", "yes", "no", "on", "off", "y",
		"n", "null", "~", "<<", "=", NULL };
	const char *const *w;

	for (w = words; *w != NULL; w++)
		if (strcasecmp(s, *w) == 0)
			return true;
	return false;
}

/* Line breaks YAML 1.1 adds to \n and \r (NEL, LS, PS) and the BOM: always escaped. */
static unsigned int
yaml_special_utf8(const unsigned char *p, size_t left)
{
	if (left >= 2 && p[0] == 0xc2 && p[1] == 0x85)
		return 2;
	if (left >= 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
		return 3;
	if (left >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return 3;
	return 0;
}

/* Anything but \n and \t that needs an escape. */
static bool
yaml_has_unprintable(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ||
				yaml_special_utf8((const unsigned char *)s + i, len - i) > 0)
			return true;
	}
	return false;
}

static bool
yaml_plain_ok(const char *s, size_t len)
{
	if (len == 0 || strlen(s) != len || yaml_has_unprintable(s, len))
		return false;
	if (memchr(s, '\n', len) != NULL || memchr(s, '\t', len) != NULL)
		return false;
	if (s[0] == ' ' || s[len - 1] == ' ' || s[len - 1] == ':')
		return false;
	if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) != NULL)
		return false;
	if (strstr(s, ": ") != NULL || strstr(s, " #") != NULL)
		return false;
	if (strncmp(s, "---", 3) == 0 || strncmp(s, "...", 3) == 0)
		return false;
	return !yaml_is_word(s) && !yaml_is_number(s);
}

/*
 * Several lines, printable, and a first line that starts with text: the
 * indentation of a literal block is then the one it is written with.
 * Trailing blanks on a line are left to quotes: readers differ on lines
 * of only blanks, and they are invisible anyway.
 */
static bool
yaml_literal_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || strlen(s) != len || memchr(s, '\n', len) == NULL)
		return false;
	if (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || yaml_has_unprintable(s, len))
		return false;
	for (i = 0; i < len; i++)
		if ((s[i] == ' ' || s[i] == '\t') && (i + 1 == len || s[i + 1] == '\n'))
			return false;
	return true;
}

static void
yaml_quoted(FILE *f, const char *s, size_t len)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned int n = yaml_special_utf8((const unsigned char *)s + i, len - i);

		if (n > 0) {
			fputs(c == 0xc2 ? "\\N" : c == 0xef ? "\\uFEFF" :
				(unsigned char)s[i + 2] == 0xa8 ? "\\L" : "\\P", f);
			i += n - 1;
		} else if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c == '\r') {
			fputs("\\r", f);
		} else if (c == '\0') {
			fputs("\\0", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\x%02x", c);
		} else {
			fputc(c, f);
		}
	}
	fputc('"', f);
}

/* "|", "|-" or "|+" after the key, then the lines at @indent. */
static void
yaml_literal(FILE *f, const char *s, size_t len, unsigned int indent)
{
	size_t trail = 0, i, start;

	while (trail < len && s[len - 1 - trail] == '\n')
		trail++;
	fputs(trail == 0 ? "|-\n" : trail == 1 ? "|\n" : "|+\n", f);
	len -= trail;
	for (start = 0, i = 0; i <= len; i++) {
		if (i < len && s[i] != '\n')
			continue;
		if (i > start)
			fprintf(f, "%*s%.*s", (int)indent, "", (int)(i - start), s + start);
		fputc('\n', f);
		start = i + 1;
	}
	for (i = 1; i < trail; i++)
		fputc('\n', f);
}

static void
yaml_string(FILE *f, const json_t *v)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);

	if (yaml_plain_ok(s, len))
		fwrite(s, 1, len, f);
	else
		yaml_quoted(f, s, len);
}

/*
 * jansson's shortest form, made a float to YAML 1.1 readers too: they want
 * a dot and a signed exponent (1e20 is a string to them, 1.0e+20 is not).
 */
static void
yaml_real(FILE *f, const json_t *v)
{
	char *num = json_dumps(v, JSON_ENCODE_ANY), *e;

	if (num == NULL)
		die(EXIT_ERROR, "out of memory");
	e = strpbrk(num, "eE");
	if (e == NULL) {
		fputs(num, f);
	} else {
		fprintf(f, "%.*s%se%s%s", (int)(e - num), num,
			memchr(num, '.', (size_t)(e - num)) != NULL ? "" : ".0",
			e[1] == '-' || e[1] == '+' ? "" : "+", e + 1);
	}
	free(num);
}

/* A scalar or an empty collection, then the end of the line. */
static void
yaml_scalar_line(FILE *f, const json_t *v, unsigned int indent, bool lead)
{
	if (lead)
		fputc(' ', f);
	if (json_is_string(v) && !yaml_plain_ok(json_string_value(v), json_string_length(v)) &&
			yaml_literal_ok(json_string_value(v), json_string_length(v)) && lead) {
		yaml_literal(f, json_string_value(v), json_string_length(v), indent);
		return;
	}
	if (json_is_object(v)) {
		fputs("{}", f);
	} else if (json_is_array(v)) {
		fputs("[]", f);
	} else if (json_is_string(v)) {
		yaml_string(f, v);
	} else if (json_is_real(v)) {
		yaml_real(f, v);
	} else if (json_is_integer(v)) {
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_boolean(v)) {
		fputs(json_is_true(v) ? "true" : "false", f);
	} else {
		fputs("null", f);
	}
	fputc('\n', f);
}

static bool
yaml_is_block(const json_t *v)
{
	return json_object_size(v) > 0 || json_array_size(v) > 0;
}

static void yaml_seq(FILE *f, const json_t *a, unsigned int indent, bool inline_first);

/* @inline_first: the first key follows a "- " already written. */
static void
yaml_map(FILE *f, const json_t *o, unsigned int indent, bool inline_first)
{
	bool first = true;
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)(uintptr_t)o, k, v) {
		if (!first || !inline_first)
			fprintf(f, "%*s", (int)indent, "");
		first = false;
		if (yaml_plain_ok(k, strlen(k)))
			fputs(k, f);
		else
			yaml_quoted(f, k, strlen(k));
		fputc(':', f);
		if (json_is_object(v) && yaml_is_block(v)) {
			fputc('\n', f);
			yaml_map(f, v, indent + 2, false);
		} else if (json_is_array(v) && yaml_is_block(v)) {
			fputc('\n', f);
			yaml_seq(f, v, indent, false);
		} else {
			yaml_scalar_line(f, v, indent + 2, true);
		}
	}
}

static void
yaml_seq(FILE *f, const json_t *a, unsigned int indent, bool inline_first)
{
	size_t i;

	for (i = 0; i < json_array_size(a); i++) {
		const json_t *v = json_array_get(a, i);

		if (i > 0 || !inline_first)
			fprintf(f, "%*s", (int)indent, "");
		fputc('-', f);
		if (json_is_object(v) && yaml_is_block(v)) {
			fputc(' ', f);
			yaml_map(f, v, indent + 2, true);
		} else if (json_is_array(v) && yaml_is_block(v)) {
			fputc(' ', f);
			yaml_seq(f, v, indent + 2, true);
		} else {
			yaml_scalar_line(f, v, indent + 2, true);
		}
	}
}

static void
yaml_print(FILE *f, const json_t *v)
{
	if (json_is_object(v) && yaml_is_block(v))
		yaml_map(f, v, 0, false);
	else if (json_is_array(v) && yaml_is_block(v))
		yaml_seq(f, v, 0, false);
	else
		yaml_scalar_line(f, v, 0, false);
}

/* ---- get ---- */

enum get_kind { GK_OTHER, GK_CLASS, GK_GATEWAY, GK_ROUTE, GK_L4ROUTE };

static enum get_kind
get_kind_of(const char *plural)
{
	static const char *const routes[] = { "httproutes", "grpcroutes", "tlsroutes", NULL };
	static const char *const l4routes[] = { "tcproutes", "udproutes", NULL };

	if (strcasecmp(plural, "gatewayclasses") == 0)
		return GK_CLASS;
	if (strcasecmp(plural, "gateways") == 0)
		return GK_GATEWAY;
	if (word_in_nocase(plural, routes))
		return GK_ROUTE;
	if (word_in_nocase(plural, l4routes))
		return GK_L4ROUTE;
	return GK_OTHER;
}

/* RFC 3339 ("2024-05-01T12:00:00Z", fractions, offsets) to seconds since the epoch. */
bool
parse_rfc3339(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, n = 0, oh, om;
	long off = 0;
	time_t t;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
			&sec, &n) != 6 || n == 0)
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	s += n;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if ((*s == '+' || *s == '-') && sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) == 2 &&
			n == 5) {
		off = (oh * 60L + om) * 60 * (*s == '-' ? -1 : 1);
		s += 6;
	} else {
		return false;
	}
	if (*s != '\0')
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return false;
	*out = t - off;
	return true;
}

/* kubectl's AGE (apimachinery's duration.HumanDuration): 45s, 3m20s, 5h, 2d3h, 3y. */
static void
fmt_age(char *buf, size_t len, const char *ts, time_t now)
{
	long long sec, min, hrs;
	time_t t;

	if (!parse_rfc3339(ts, &t)) {
		snprintf(buf, len, "<unknown>");
		return;
	}
	sec = (long long)now - (long long)t;
	min = sec / 60;
	hrs = sec / 3600;
	/* A clock a second ahead of the server's is "now", not an error. */
	if (sec < -1)
		snprintf(buf, len, "<invalid>");
	else if (sec < 0)
		snprintf(buf, len, "0s");
	else if (sec < 120)
		snprintf(buf, len, "%llds", sec);
	else if (min < 10 && sec % 60 != 0)
		snprintf(buf, len, "%lldm%llds", min, sec % 60);
	else if (min < 180)
		snprintf(buf, len, "%lldm", min);
	else if (hrs < 8 && min % 60 != 0)
		snprintf(buf, len, "%lldh%lldm", hrs, min % 60);
	else if (hrs < 48)
		snprintf(buf, len, "%lldh", hrs);
	else if (hrs < 24 * 8 && hrs % 24 != 0)
		snprintf(buf, len, "%lldd%lldh", hrs / 24, hrs % 24);
	else if (hrs < 24 * 365 * 2)
		snprintf(buf, len, "%lldd", hrs / 24);
	else if (hrs < 24 * 365 * 8 && hrs / 24 % 365 != 0)
		snprintf(buf, len, "%lldy%lldd", hrs / 24 / 365, hrs / 24 % 365);
	else
		snprintf(buf, len, "%lldy", hrs / 24 / 365);
}

/* The status ("True", "False", "Unknown") of condition @type; NULL if absent. */
static const char *
cond_status(const json_t *conds, const char *type)
{
	size_t i;

	for (i = 0; i < json_array_size(conds); i++) {
		const json_t *c = json_array_get(conds, i);
		const char *t = jstr(c, "type");

		if (t != NULL && strcmp(t, type) == 0)
			return jstr(c, "status") != NULL ? jstr(c, "status") : "Unknown";
	}
	return NULL;
}

/* Over a route's parents: "True" if all say so, "False" if any says so, "-" with none. */
static const char *
parents_status(const json_t *parents, const char *type)
{
	bool all_true = true;
	size_t i;

	if (json_array_size(parents) == 0)
		return "-";
	for (i = 0; i < json_array_size(parents); i++) {
		const json_t *conds = json_object_get(json_array_get(parents, i), "conditions");
		const char *s = cond_status(conds, type);

		if (s != NULL && strcmp(s, "False") == 0)
			return "False";
		if (s == NULL || strcmp(s, "True") != 0)
			all_true = false;
	}
	return all_true ? "True" : "Unknown";
}

/* A cell of the strings of @a (or of each element's @key), comma-separated. */
static void
cell_join(struct table *t, unsigned int col, const json_t *a, const char *key)
{
	char *s = NULL;
	size_t i, len = 0;

	for (i = 0; i < json_array_size(a); i++) {
		const json_t *e = json_array_get(a, i);
		const char *v = json_string_value(key != NULL ? json_object_get(e, key) : e);

		if (v == NULL)
			continue;
		s = xrealloc(s, len + strlen(v) + 2);
		if (len > 0)
			s[len++] = ',';
		memcpy(s + len, v, strlen(v) + 1);
		len += strlen(v);
	}
	if (s != NULL)
		table_cell(t, col, "%s", s);
	free(s);
}

/* Gateway listeners as name:port, route parents as [namespace/]name[/section]. */
static void
cell_refs(struct table *t, unsigned int col, const json_t *a, bool listeners)
{
	json_t *names = json_array();
	char *s;
	size_t i;

	if (names == NULL)
		die(EXIT_ERROR, "out of memory");
	for (i = 0; i < json_array_size(a); i++) {
		const json_t *e = json_array_get(a, i);
		const char *ns = jstr(e, "namespace"), *sec = jstr(e, "sectionName");
		const char *name = jstr(e, "name") != NULL ? jstr(e, "name") : "?";
		json_int_t port = 0;
		int rc;

		if (listeners) {
			jint(e, "port", &port);
			rc = asprintf(&s, "%s:%" JSON_INTEGER_FORMAT, name, port);
		} else {
			rc = asprintf(&s, "%s%s%s%s%s", ns != NULL ? ns : "", ns != NULL ? "/" : "",
				name, sec != NULL ? "/" : "", sec != NULL ? sec : "");
		}
		if (rc < 0)
			die(EXIT_ERROR, "out of memory");
		json_array_append_new(names, json_string(s));
		free(s);
	}
	cell_join(t, col, names, NULL);
	json_decref(names);
}

static void
print_get_table(const json_t *data, const struct get_opts *o, bool wide)
{
	const json_t *items = json_object_get(data, "items");
	const char *plural = jstr(data, "plural") != NULL ? jstr(data, "plural") : o->kind;
	enum get_kind k = get_kind_of(plural);
	const json_t *nsd = json_object_get(data, "namespaced");
	bool namespaced = json_is_boolean(nsd) ? json_is_true(nsd) : k != GK_CLASS;
	bool nscol = namespaced && (o->all_ns || o->ns == NULL);
	const char *head[10];
	unsigned int nh = 0, c;
	struct table *t;
	char age[32];
	size_t i;

	if (json_array_size(items) == 0) {
		if (o->ns != NULL && namespaced)
			fprintf(stderr, "No resources found in %s namespace.\n", o->ns);
		else
			fprintf(stderr, "No resources found\n");
		return;
	}
	if (nscol)
		head[nh++] = "NAMESPACE";
	head[nh++] = "NAME";
	if (k == GK_CLASS) {
		head[nh++] = "CONTROLLER";
		head[nh++] = "ACCEPTED";
	} else if (k == GK_GATEWAY) {
		head[nh++] = "CLASS";
		head[nh++] = "ADDRESS";
		head[nh++] = "PROGRAMMED";
	} else if (k == GK_ROUTE || k == GK_L4ROUTE) {
		head[nh++] = "HOSTNAMES";
		head[nh++] = "ACCEPTED";
		head[nh++] = "RESOLVED";
	}
	head[nh++] = "AGE";
	/* kubectl's -o wide columns come after AGE. */
	if (wide && k == GK_CLASS)
		head[nh++] = "DESCRIPTION";
	else if (wide && k == GK_GATEWAY)
		head[nh++] = "LISTENERS";
	else if (wide && (k == GK_ROUTE || k == GK_L4ROUTE))
		head[nh++] = "PARENTS";
	head[nh] = NULL;

	t = table_new(nh);
	table_header(t, head);
	for (i = 0; i < json_array_size(items); i++) {
		const json_t *it = json_array_get(items, i);
		const json_t *md = json_object_get(it, "metadata");
		const json_t *spec = json_object_get(it, "spec");
		const json_t *st = json_object_get(it, "status");
		const char *s;

		table_row(t, ROW_DATA);
		c = 0;
		if (nscol)
			cell_json(t, c++, json_object_get(md, "namespace"));
		cell_json(t, c++, json_object_get(md, "name"));
		if (k == GK_CLASS) {
			cell_json(t, c++, json_object_get(spec, "controllerName"));
			s = cond_status(json_object_get(st, "conditions"), "Accepted");
			table_cell(t, c++, "%s", s != NULL ? s : "Unknown");
		} else if (k == GK_GATEWAY) {
			cell_json(t, c++, json_object_get(spec, "gatewayClassName"));
			cell_json(t, c++, json_object_get(json_array_get(json_object_get(st,
				"addresses"), 0), "value"));
			s = cond_status(json_object_get(st, "conditions"), "Programmed");
			table_cell(t, c++, "%s", s != NULL ? s : "Unknown");
		} else if (k == GK_ROUTE || k == GK_L4ROUTE) {
			/* No hostnames on an HTTP, GRPC or TLS route: it takes every one. */
			const json_t *hosts = json_object_get(spec, "hostnames");

			if (k == GK_ROUTE && json_array_size(hosts) == 0)
				table_cell(t, c, "*");
			else
				cell_join(t, c, hosts, NULL);
			c++;
			table_cell(t, c++, "%s",
				parents_status(json_object_get(st, "parents"), "Accepted"));
			table_cell(t, c++, "%s",
				parents_status(json_object_get(st, "parents"), "ResolvedRefs"));
		}
		fmt_age(age, sizeof(age), jstr(md, "creationTimestamp"), o->now);
		table_cell(t, c++, "%s", age);
		if (wide && k == GK_CLASS)
			cell_json(t, c++, json_object_get(spec, "description"));
		else if (wide && k == GK_GATEWAY)
			cell_refs(t, c++, json_object_get(spec, "listeners"), true);
		else if (wide && (k == GK_ROUTE || k == GK_L4ROUTE))
			cell_refs(t, c++, json_object_get(spec, "parentRefs"), false);
	}
	table_print(t, "");
	table_free(t);
}

/* What -o json and -o yaml show: the object itself, or a List like kubectl's. */
static json_t *
get_document(const json_t *data, const struct get_opts *o)
{
	const json_t *items = json_object_get(data, "items");
	json_t *doc;

	if (o->name != NULL) {
		if (json_array_size(items) == 0)
			die(EXIT_ERROR, "%s \"%s\" not found", o->kind, o->name);
		return json_incref(json_array_get(items, 0));
	}
	if (json_is_array(items))
		doc = json_pack("{s:s,s:s,s:O}", "apiVersion", "v1", "kind", "List", "items",
			(json_t *)(uintptr_t)items);
	else
		doc = json_pack("{s:s,s:s,s:[]}", "apiVersion", "v1", "kind", "List", "items");
	if (doc == NULL)
		die(EXIT_ERROR, "out of memory");
	return doc;
}

void
print_get(const json_t *data, const struct get_opts *o, enum output out)
{
	json_t *doc;

	if (out == OUT_TABLE || out == OUT_WIDE) {
		if (o->name != NULL && json_array_size(json_object_get(data, "items")) == 0)
			die(EXIT_ERROR, "%s \"%s\" not found", o->kind, o->name);
		print_get_table(data, o, out == OUT_WIDE);
		return;
	}
	doc = get_document(data, o);
	if (out == OUT_JSON) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY);
		putchar('\n');
	} else {
		yaml_print(stdout, doc);
	}
	json_decref(doc);
}

void
print_data(const char *cmd, const json_t *data, enum output out, const struct stats_opts *so)
{
	if (out == OUT_JSON) {
		json_dumpf(data, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY);
		putchar('\n');
	} else if (out == OUT_YAML) {
		yaml_print(stdout, data);
	} else if (strcmp(cmd, "show ports") == 0) {
		print_ports(data);
	} else if (strcmp(cmd, "show stats") == 0) {
		print_stats(data, so);
	} else if (strcmp(cmd, "show neigh") == 0) {
		print_neigh(data);
	} else if (strcmp(cmd, "show routes") == 0) {
		print_routes(data);
	} else if (strcmp(cmd, "show flows") == 0) {
		print_flows(data);
	} else if (strcmp(cmd, "show tcp") == 0) {
		print_tcp(data);
	} else if (strcmp(cmd, "show generation") == 0) {
		print_generation(data);
	} else if (strcmp(cmd, "show gateway") == 0) {
		print_gateway(data);
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
