/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route lookup cost against table size: the same kind of routes and the
 * same mix of requests against a table of 10 routes and one of 10,000
 * (100 namespaces x 100 routes, 1000 hostnames plus wildcards and some
 * hostname-less routes, Exact / PathPrefix / header matches). A lookup
 * that scaled with the table would show in the ratio; target < 2.
 *
 * Every request's expected outcome is checked once before timing, so a
 * fast wrong matcher cannot pass. Small and large are timed alternately,
 * @reps times; ns are medians, ratio the median of the per-repetition
 * ratios, ratio_min the ratio of the best times. Prints one JSON line.
 *
 * Build time: the large table is built @breps times (each freed before the
 * next); build_ms_large is the median, build_ms_large_first the first
 * (cold: fresh pages), build_ms_large_min the best. -B n only builds the
 * large table n times and exits (for perf record).
 *
 *   bench_route_match [-i iterations] [-r repetitions] [-q requests] [-l large_routes]
 *                     [-b build_reps] [-B build_only_reps]
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "gw_route.h"

#define NS_ROUTES 100          /* routes per namespace */
#define NHOST_MAX 1000
#define STR       48

struct world {
	unsigned int n;
	struct gw_route_route_spec *routes;
	struct gw_route_rule_spec *rules;     /* 3 per route */
	struct gw_route_match_spec *matches;  /* 3 per route */
	struct gw_route_kv_match *hdr;        /* 1 per route */
	struct gw_route_backend_spec *be;     /* 1 per route */
	const char **hostp;                   /* 1 per route */
	char (*str)[STR];                     /* 8 per route */
};

struct query {
	struct gw_route_req req;
	struct gw_route_header h;
	char host[STR];
	char path[STR];
	int want_route;            /* -1: 404 */
	unsigned int want_rule;
};

static const struct gw_route_endpoint ep = { .family = AF_INET, .addr = { 10, 0, 0, 1 }, .port = 80 };

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t
rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/* 0: exact host, 1: wildcard, 2: none. */
static int
host_kind(unsigned int j)
{
	if (j % 97 == 5)
		return 2;
	return j % 50 == 7 ? 1 : 0;
}

static unsigned int
nhost(unsigned int n)
{
	return n < NHOST_MAX ? n : NHOST_MAX;
}

static void
make_world(struct world *w, unsigned int n)
{
	w->n = n;
	w->routes = calloc(n, sizeof(*w->routes));
	w->rules = calloc(3 * (size_t)n, sizeof(*w->rules));
	w->matches = calloc(3 * (size_t)n, sizeof(*w->matches));
	w->hdr = calloc(n, sizeof(*w->hdr));
	w->be = calloc(n, sizeof(*w->be));
	w->hostp = calloc(n, sizeof(*w->hostp));
	w->str = calloc(8 * (size_t)n, STR);
	if (w->routes == NULL || w->rules == NULL || w->matches == NULL || w->hdr == NULL ||
		w->be == NULL || w->hostp == NULL || w->str == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	for (unsigned int j = 0; j < n; j++) {
		char (*s)[STR] = &w->str[8 * (size_t)j];
		struct gw_route_rule_spec *ru = &w->rules[3 * (size_t)j];
		struct gw_route_match_spec *m = &w->matches[3 * (size_t)j];
		unsigned int nr = j % 5 == 0 ? 3 : 2;

		snprintf(s[0], STR, "ns%u", j / NS_ROUTES);
		snprintf(s[1], STR, "route%u", j % NS_ROUTES);
		if (host_kind(j) == 1)
			snprintf(s[2], STR, "*.w%u.example.com", j % 20);
		else
			snprintf(s[2], STR, "svc%u.example.com", j % nhost(n));
		snprintf(s[3], STR, "/r%u/exact", j);
		snprintf(s[4], STR, "/r%u/pfx", j);
		snprintf(s[5], STR, "/r%u/hdr", j);
		snprintf(s[6], STR, "t%u", j);
		snprintf(s[7], STR, "ns%u/svc%u:80", j / NS_ROUTES, j);
		w->hostp[j] = s[2];
		w->hdr[j] = (struct gw_route_kv_match){ .name = "X-Tenant", .value = s[6] };
		m[0] = (struct gw_route_match_spec){ .path_type = GW_ROUTE_PATH_EXACT, .path = s[3] };
		m[1] = (struct gw_route_match_spec){ .path_type = GW_ROUTE_PATH_PREFIX, .path = s[4] };
		m[2] = (struct gw_route_match_spec){ .path_type = GW_ROUTE_PATH_PREFIX, .path = s[5],
			.n_headers = 1, .headers = &w->hdr[j] };
		w->be[j] = (struct gw_route_backend_spec){ .name = s[7], .weight = 1,
			.n_endpoints = 1, .endpoints = &ep };
		for (unsigned int r = 0; r < nr; r++)
			ru[r] = (struct gw_route_rule_spec){ .n_matches = 1, .matches = &m[r],
				.n_backends = 1, .backends = &w->be[j] };
		w->routes[j] = (struct gw_route_route_spec){ .ns = s[0], .name = s[1],
			.created = 1700000000 + j, .n_hostnames = host_kind(j) == 2 ? 0 : 1,
			.hostnames = &w->hostp[j], .n_rules = nr, .rules = ru };
	}
}

static void
free_world(struct world *w)
{
	free(w->routes);
	free(w->rules);
	free(w->matches);
	free(w->hdr);
	free(w->be);
	free(w->hostp);
	free(w->str);
}

static struct gw_route_table *
build(const struct world *w, double *ms)
{
	struct gw_route_listener_spec l = { .name = "bench/gw/http", .n_routes = w->n,
		.routes = w->routes };
	struct gw_route_group_spec g = { .id = 1, .family = AF_INET, .port = 80, .n_listeners = 1,
		.listeners = &l };
	struct gw_route_table_spec spec = { .n_groups = 1, .groups = &g };
	char err[256];
	uint64_t t0 = now_ns();
	struct gw_route_table *t = gw_route_table_build(&spec, err, sizeof(err));

	*ms = (double)(now_ns() - t0) / 1e6;
	if (t == NULL) {
		fprintf(stderr, "build: %s\n", err);
		exit(1);
	}
	return t;
}

/*
 * About 80 % hits spread over Exact, PathPrefix and header rules; the rest
 * 404s (unknown path in the right vhost, or a host that only reaches the
 * vhost of hostname-less routes).
 */
static void
make_queries(const struct world *w, struct query *q, unsigned int nq, uint64_t seed)
{
	for (unsigned int k = 0; k < nq; k++) {
		unsigned int j = rnd(&seed) % w->n, v = rnd(&seed) % 10;

		memset(&q[k], 0, sizeof(q[k]));
		q[k].want_route = (int)j;
		switch (host_kind(j)) {
		case 1:
			snprintf(q[k].host, STR, "a%u.w%u.example.com", k % 7, j % 20);
			break;
		case 2:
			snprintf(q[k].host, STR, "other%u.org", k % 13);
			break;
		default:
			snprintf(q[k].host, STR, "svc%u.example.com", j % nhost(w->n));
			break;
		}
		if (v < 3) {
			snprintf(q[k].path, STR, "/r%u/exact", j);
			q[k].want_rule = 0;
		} else if (v < 6) {
			snprintf(q[k].path, STR, "/r%u/pfx/items/%u", j, k);
			q[k].want_rule = 1;
		} else if (v < 8 && j % 5 == 0) {
			snprintf(q[k].path, STR, "/r%u/hdr/x", j);
			q[k].h = (struct gw_route_header){ "x-tenant", 8, w->hdr[j].value,
				strlen(w->hdr[j].value) };
			q[k].req.n_headers = 1;
			q[k].want_rule = 2;
		} else if (v < 8) {
			snprintf(q[k].path, STR, "/r%u/pfx", j);
			q[k].want_rule = 1;
		} else if (v == 8) {
			snprintf(q[k].path, STR, "/r%u/nothing", j);
			q[k].want_route = -1;
		} else {
			/* Right path, but a host whose vhost does not hold the route. */
			snprintf(q[k].host, STR, "nohost%u.example.net", k);
			snprintf(q[k].path, STR, "/r%u/exact", j);
			q[k].want_route = host_kind(j) == 2 ? (int)j : -1;
			q[k].want_rule = 0;
		}
		q[k].req.group = 1;
		q[k].req.host = q[k].host;
		q[k].req.host_len = strlen(q[k].host);
		q[k].req.method = "GET";
		q[k].req.method_len = 3;
		q[k].req.path = q[k].path;
		q[k].req.path_len = strlen(q[k].path);
		q[k].req.headers = &q[k].h;
	}
}

static void
verify(const struct gw_route_table *t, const struct world *w, const struct query *q,
	unsigned int nq, double *hit_rate)
{
	unsigned int hits = 0;

	for (unsigned int k = 0; k < nq; k++) {
		struct gw_route_result res;
		int rc = gw_route_match(t, &q[k].req, &res);
		bool ok;

		if (q[k].want_route < 0) {
			ok = rc == 404;
		} else {
			const struct gw_route_route_spec *r = &w->routes[q[k].want_route];

			ok = rc == 0 && strcmp(res.rule->route_ns, r->ns) == 0 &&
				strcmp(res.rule->route_name, r->name) == 0 &&
				res.rule->rule_index == q[k].want_rule;
			hits++;
		}
		if (!ok) {
			fprintf(stderr, "request %u (%s %s): wrong answer %d\n", k, q[k].host,
				q[k].path, rc);
			exit(1);
		}
	}
	*hit_rate = (double)hits / nq;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* ns per lookup over @iters passes over the requests. */
static double
time_lookups(const struct gw_route_table *t, const struct query *q, unsigned int nq,
	unsigned int iters, uint64_t *sink)
{
	uint64_t t0 = now_ns();

	for (unsigned int i = 0; i < iters; i++)
		for (unsigned int k = 0; k < nq; k++) {
			struct gw_route_result res;

			*sink += (uint64_t)gw_route_match(t, &q[k].req, &res) + (uintptr_t)res.rule;
		}
	return (double)(now_ns() - t0) / ((double)iters * nq);
}

static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return (n % 2) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char **argv)
{
	unsigned int iters = 100, reps = 11, nq = 4096, n_small = 10, n_large = 10000;
	unsigned int breps = 7, bonly = 0;
	double *vb, build_first, build_min = 1e300;
	struct world ws, wl;
	struct query *qs, *ql;
	struct gw_route_table *ts, *tl;
	double build_small, build_large, hit_small, hit_large, ns_small, ns_large, ratio;
	double *vs, *vl, *vr, min_s = 1e300, min_l = 1e300;
	uint64_t sink = 0;
	int opt;

	while ((opt = getopt(argc, argv, "i:r:q:l:b:B:")) != -1) {
		switch (opt) {
		case 'i':
			iters = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			reps = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'q':
			nq = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'l':
			n_large = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'b':
			breps = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'B':
			bonly = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-i iterations] [-r reps] [-q requests] [-l routes] "
				"[-b build_reps] [-B build_only_reps]\n", argv[0]);
			return 2;
		}
	}
	if (iters == 0 || reps == 0 || nq == 0 || breps == 0 || n_large < n_small) {
		fprintf(stderr, "bad arguments\n");
		return 2;
	}
	make_world(&ws, n_small);
	make_world(&wl, n_large);
	if (bonly != 0) {
		double ms, sum = 0, best = 1e300;
		struct timespec c0, c1;

		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
		for (unsigned int i = 0; i < bonly; i++) {
			gw_route_table_free(build(&wl, &ms));
			sum += ms;
			best = ms < best ? ms : best;
		}
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
		/* CPU time (build and free) says more than wall time on a busy machine. */
		printf("{\"build_only\":%u,\"build_ms_large_mean\":%.3f,\"build_ms_large_min\":%.3f,"
		       "\"cpu_ms_per_build_and_free\":%.3f}\n", bonly, sum / bonly, best,
			((double)(c1.tv_sec - c0.tv_sec) * 1e3 + (double)(c1.tv_nsec - c0.tv_nsec) / 1e6) /
				bonly);
		free_world(&ws);
		free_world(&wl);
		return 0;
	}
	qs = calloc(nq, sizeof(*qs));
	ql = calloc(nq, sizeof(*ql));
	if (qs == NULL || ql == NULL)
		return 1;
	make_queries(&ws, qs, nq, 42);
	make_queries(&wl, ql, nq, 42);
	ts = build(&ws, &build_small);
	vb = calloc(breps, sizeof(*vb));
	if (vb == NULL)
		return 1;
	tl = NULL;
	for (unsigned int i = 0; i < breps; i++) {
		gw_route_table_free(tl);
		tl = build(&wl, &vb[i]);
		build_min = vb[i] < build_min ? vb[i] : build_min;
	}
	build_first = vb[0];
	build_large = median(vb, breps);
	free(vb);
	verify(ts, &ws, qs, nq, &hit_small);
	verify(tl, &wl, ql, nq, &hit_large);
	vs = calloc(reps, sizeof(*vs));
	vl = calloc(reps, sizeof(*vl));
	vr = calloc(reps, sizeof(*vr));
	if (vs == NULL || vl == NULL || vr == NULL)
		return 1;
	/* Warm both, then alternate so that drift and neighbours hit both alike. */
	time_lookups(ts, qs, nq, 1, &sink);
	time_lookups(tl, ql, nq, 1, &sink);
	for (unsigned int r = 0; r < reps; r++) {
		vs[r] = time_lookups(ts, qs, nq, iters, &sink);
		vl[r] = time_lookups(tl, ql, nq, iters, &sink);
		vr[r] = vl[r] / vs[r];
		min_s = vs[r] < min_s ? vs[r] : min_s;
		min_l = vl[r] < min_l ? vl[r] : min_l;
	}
	ns_small = median(vs, reps);
	ns_large = median(vl, reps);
	ratio = median(vr, reps);
	printf("{\"bench\":\"route_match\",\"routes_small\":%u,\"routes_large\":%u,"
	       "\"requests\":%u,\"iterations\":%u,\"reps\":%u,"
	       "\"hit_rate_small\":%.3f,\"hit_rate_large\":%.3f,"
	       "\"ns_per_match_small\":%.1f,\"ns_per_match_large\":%.1f,\"ratio\":%.3f,"
	       "\"ns_min_small\":%.1f,\"ns_min_large\":%.1f,\"ratio_min\":%.3f,"
	       "\"build_ms_small\":%.3f,\"build_reps\":%u,\"build_ms_large\":%.2f,"
	       "\"build_ms_large_first\":%.2f,\"build_ms_large_min\":%.2f,"
	       "\"table_bytes_small\":%zu,\"table_bytes_large\":%zu,\"sink\":%" PRIu64 "}\n",
		n_small, n_large, nq, iters, reps, hit_small, hit_large, ns_small, ns_large, ratio,
		min_s, min_l, min_l / min_s, build_small, breps, build_large, build_first, build_min,
		gw_route_table_size(ts),
		gw_route_table_size(tl), sink % 10);
	gw_route_table_free(ts);
	gw_route_table_free(tl);
	free(qs);
	free(ql);
	free(vs);
	free(vl);
	free(vr);
	free_world(&ws);
	free_world(&wl);
	return 0;
}
