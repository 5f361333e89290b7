/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-plane benchmark (issue: Gateway API control plane):
 *   1. cold: N HTTPRoutes (namespaces x routes, mixed hostnames, paths and
 *      header matches, each backed by a Service and an EndpointSlice) read
 *      from a manifest directory, translated and compiled: time and peak
 *      memory (ru_maxrss) of the process;
 *   2. changes: one route changed on disk (the file rewritten) -> inotify
 *      -> debounce -> rescan -> translate -> compile -> new generation
 *      published through lib/gen: p50 / p99 over C changes, measured from
 *      just before the write to just after the publish;
 *   3. the same steps without the file system: translate + compile only.
 * Prints one JSON line. No timing thresholds: perf/bench_control.sh records.
 *
 *   bench_control [-n NAMESPACES] [-r ROUTES_PER_NS] [-c CHANGES] [-d DEBOUNCE_MS] [-l]
 *
 * -l: one object per file (NS/route007.yaml, ...) instead of one file per
 * namespace; a change then rewrites one route's file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include <rte_eal.h>

#include "gw_dp.h"
#include "gw_gen.h"
#include "manifest.h"
#include "objcache.h"
#include "translate.h"

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static long
maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static long
rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;

	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double *v, int n, double p)
{
	int i = (int)(p * (n - 1) + 0.5);

	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

/* Where objects go: one file per namespace, or one per object (-l). */
struct out {
	const char *dir;
	int ns;
	bool per_object;
	FILE *f;                /* the namespace's file */
	int n;                  /* objects written to it */
	char path[512], tmp[520];
};

/* Start an object: in its own file (-l), or the next document of the namespace's. */
static FILE *
obj_open(struct out *o, const char *name)
{
	if (!o->per_object) {
		if (o->n++ > 0)
			fputs("---\n", o->f);
		return o->f;
	}
	snprintf(o->path, sizeof(o->path), "%s/ns%03d/%s.yaml", o->dir, o->ns, name);
	snprintf(o->tmp, sizeof(o->tmp), "%s/ns%03d/.%s.tmp", o->dir, o->ns, name);
	return fopen(o->tmp, "w");
}

/* atomic replace, as kubectl-style tools and editors do */
static int
obj_close(struct out *o, FILE *f)
{
	if (!o->per_object)
		return 0;
	if (f == NULL || fclose(f) != 0)
		return -errno;
	return rename(o->tmp, o->path) == 0 ? 0 : -errno;
}

static void
route_yaml(FILE *f, int ns, int r, int variant, int changed_route)
{
	int svcs = 10, host = r % 10;

	fprintf(f, "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		"metadata:\n  name: route%03d\n  namespace: ns%03d\nspec:\n  parentRefs:\n"
		"  - name: gw\n    namespace: gateway\n  hostnames:\n", r, ns);
	if (host == 9)
		fprintf(f, "  - \"*.ns%03d.example.com\"\n", ns);
	else
		fprintf(f, "  - app%d.ns%03d.example.com\n", host, ns);
	fprintf(f, "  rules:\n  - matches:\n    - path:\n        type: %s\n"
		"        value: /api/r%03d%s\n", r % 3 == 0 ? "Exact" : "PathPrefix", r,
		r == changed_route ? (variant % 2 ? "/v2" : "/v1") : "");
	if (r % 4 == 0)
		fprintf(f, "      headers:\n      - name: x-tenant\n        value: t%d\n", r % 5);
	if (r % 6 == 0)
		fprintf(f, "      method: GET\n");
	fprintf(f, "    backendRefs:\n    - name: svc%d\n      port: 80\n      weight: %d\n"
		"    - name: svc%d\n      port: 80\n      weight: 1\n", r % svcs, 1 + r % 3,
		(r + 1) % svcs);
}

/*
 * One namespace's manifests: Namespace, Services + EndpointSlices, routes.
 * @only_changed (-l): rewrite just the changed route's file.
 */
static int
write_ns(const char *dir, int ns, int routes, int variant, int changed_route, bool per_object,
	bool only_changed)
{
	struct out o = {.dir = dir, .ns = ns, .per_object = per_object};
	char name[64];
	FILE *f;
	int svcs = 10;

	if (per_object && only_changed) {
		snprintf(name, sizeof(name), "route%03d", changed_route);
		f = obj_open(&o, name);
		if (f == NULL)
			return -errno;
		route_yaml(f, ns, changed_route, variant, changed_route);
		return obj_close(&o, f);
	}
	if (per_object) {
		snprintf(o.path, sizeof(o.path), "%s/ns%03d", dir, ns);
		if (mkdir(o.path, 0755) < 0 && errno != EEXIST)
			return -errno;
	} else {
		snprintf(o.path, sizeof(o.path), "%s/ns%03d.yaml", dir, ns);
		snprintf(o.tmp, sizeof(o.tmp), "%s/.ns%03d.tmp", dir, ns);
		o.f = fopen(o.tmp, "w");
		if (o.f == NULL)
			return -errno;
	}
	f = obj_open(&o, "namespace");
	if (f == NULL)
		return -errno;
	fprintf(f, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns%03d\n  labels:\n"
		"    team: t%d\n", ns, ns % 7);
	if (obj_close(&o, f) != 0)
		return -errno;
	for (int s = 0; s < svcs; s++) {
		snprintf(name, sizeof(name), "svc%d", s);
		f = obj_open(&o, name);
		if (f == NULL)
			return -errno;
		fprintf(f, "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc%d\n"
			"  namespace: ns%03d\nspec:\n  ports:\n  - name: http\n    port: 80\n"
			"    targetPort: 8080\n", s, ns);
		if (obj_close(&o, f) != 0)
			return -errno;
		snprintf(name, sizeof(name), "svc%d-abc", s);
		f = obj_open(&o, name);
		if (f == NULL)
			return -errno;
		fprintf(f, "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n"
			"  name: svc%d-abc\n  namespace: ns%03d\n  labels:\n"
			"    kubernetes.io/service-name: svc%d\naddressType: IPv4\nports:\n"
			"- name: http\n  port: 8080\nendpoints:\n", s, ns, s);
		for (int e = 0; e < 3; e++)
			fprintf(f, "- addresses: [\"10.%d.%d.%d\"]\n  conditions: {ready: true}\n",
				ns % 250, s, e + 1);
		if (obj_close(&o, f) != 0)
			return -errno;
	}
	for (int r = 0; r < routes; r++) {
		snprintf(name, sizeof(name), "route%03d", r);
		f = obj_open(&o, name);
		if (f == NULL)
			return -errno;
		route_yaml(f, ns, r, variant, changed_route);
		if (obj_close(&o, f) != 0)
			return -errno;
	}
	if (per_object)
		return 0;
	if (fclose(o.f) != 0)
		return -errno;
	/* atomic replace, as kubectl-style tools and editors do */
	return rename(o.tmp, o.path) == 0 ? 0 : -errno;
}

static int
write_gateway(const char *dir)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/gateway.yaml", dir);
	f = fopen(path, "w");
	if (f == NULL)
		return -errno;
	fprintf(f, "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata:\n"
		"  name: dpgw\nspec:\n  controllerName: dpgw.io/gateway-controller\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: gw\n"
		"  namespace: gateway\nspec:\n  gatewayClassName: dpgw\n  listeners:\n"
		"  - name: http\n    protocol: HTTP\n    port: 80\n    allowedRoutes:\n"
		"      namespaces:\n        from: All\n");
	return fclose(f) == 0 ? 0 : -errno;
}

static int
translate_publish(struct gw_objcache *cache, const struct gw_translate_params *p,
	struct gw_gen_domain *dom, uint64_t version, size_t *table_bytes)
{
	struct gw_translation t;
	struct gw_dp_gateway *part;
	struct gw_dp *dp;
	char err[512];
	int rc;

	gw_objcache_lock(cache);
	rc = gw_translate(cache, p, &t, err, sizeof(err));
	gw_objcache_unlock(cache);
	if (rc != 0) {
		fprintf(stderr, "translate: %s\n", err);
		return rc;
	}
	if (table_bytes != NULL)
		*table_bytes = gw_route_table_size(t.http);
	part = gw_dp_gateway_new(version, t.http, t.l4);
	dp = gw_dp_alloc();
	if (part == NULL || dp == NULL)
		return -ENOMEM;
	t.http = NULL;
	t.l4 = NULL;
	gw_dp_set_gateway(dp, part);
	gw_gen_publish(dom, &dp->gen);
	gw_gen_reclaim(dom);
	gw_translation_release(&t);
	return 0;
}

int
main(int argc, char **argv)
{
	int nns = 100, nroutes = 100, changes = 100, debounce = 0, opt;
	bool per_object = false;
	struct gw_manifest_stats ms;
	double *scan, *mf;
	uint64_t c0, c1;
	char dir[] = "/tmp/dpgw-bench-control.XXXXXX";
	char *eal[] = {argv[0], "--no-huge", "-m", "256", "--no-shconf", "--no-pci",
		"--log-level", "lib.*:error", "--file-prefix", NULL, NULL};
	char prefix[64];
	struct gw_translate_vip vip = {.family = AF_INET, .addr = {10, 0, 0, 1}};
	struct gw_translate_params p = {.controller_name = "dpgw.io/gateway-controller",
		.n_vips = 1, .vips = &vip, .memo = NULL};
	struct gw_gen_domain *dom;
	struct gw_objcache *cache;
	struct gw_manifest_dir *md;
	double *lat, *tl;
	uint64_t t0, t1, t2;
	long rss0, rss1, max1, rss_scan;
	size_t bytes = 0;
	int rc;

	while ((opt = getopt(argc, argv, "n:r:c:d:l")) != -1) {
		switch (opt) {
		case 'n': nns = atoi(optarg); break;
		case 'r': nroutes = atoi(optarg); break;
		case 'c': changes = atoi(optarg); break;
		case 'd': debounce = atoi(optarg); break;
		case 'l': per_object = true; break;
		default:
			fprintf(stderr, "usage: %s [-n NS] [-r ROUTES_PER_NS] [-c CHANGES] "
				"[-d DEBOUNCE_MS] [-l]\n", argv[0]);
			return 2;
		}
	}
	p.memo = getenv("BENCH_NO_MEMO") != NULL ? NULL : gw_translate_memo_new();
	snprintf(prefix, sizeof(prefix), "bench_ctl_%d", (int)getpid());
	eal[9] = prefix;
	if (rte_eal_init(10, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	dom = gw_gen_domain_create("bench", 1);
	if (mkdtemp(dir) == NULL || dom == NULL)
		return 1;
	if (write_gateway(dir) != 0)
		return 1;
	for (int n = 0; n < nns; n++)
		if (write_ns(dir, n, nroutes, 0, -1, per_object, false) != 0)
			return 1;

	/* 1. cold */
	rss0 = rss_kb();
	t0 = now_ns();
	c0 = cpu_ns();
	cache = gw_objcache_new();
	md = gw_manifest_dir_new(dir, cache, (unsigned int)debounce);
	rc = gw_manifest_dir_scan(md);
	t1 = now_ns();
	c1 = cpu_ns();
	rss_scan = rss_kb();
	if (rc < 0 || translate_publish(cache, &p, dom, 1, &bytes) != 0) {
		fprintf(stderr, "cold load failed (%d)\n", rc);
		return 1;
	}
	t2 = now_ns();
	rss1 = rss_kb();
	max1 = maxrss_kb();
	{
		json_t *errs = gw_manifest_dir_errors(md);

		if (json_array_size(errs) > 0) {
			char *s = json_dumps(errs, 0);

			fprintf(stderr, "manifest errors: %s\n", s);
			return 1;
		}
		json_decref(errs);
	}

	/* 2. one route changed on disk */
	lat = calloc((size_t)changes, sizeof(*lat));
	tl = calloc((size_t)changes, sizeof(*tl));
	scan = calloc((size_t)changes, sizeof(*scan));
	mf = calloc((size_t)changes, sizeof(*mf));
	for (int i = 0; i < changes; i++) {
		int ns = (i * 37) % nns;
		uint64_t a, b, c;

		a = now_ns();
		if (write_ns(dir, ns, nroutes, i + 1, (i * 13) % nroutes, per_object, true) != 0)
			return 1;
		do {
			rc = gw_manifest_dir_poll(md, 2000);
		} while (rc == 0 || rc == -EINTR);
		if (rc < 0)
			return 1;
		b = now_ns();
		gw_manifest_dir_stats(md, &ms);
		scan[i] = (double)ms.scan_ns / 1e6;
		mf[i] = (double)(b - a) / 1e6;
		if (translate_publish(cache, &p, dom, (uint64_t)i + 2, NULL) != 0)
			return 1;
		c = now_ns();
		lat[i] = (double)(c - a) / 1e6;
		tl[i] = (double)(c - b) / 1e6;
	}
	qsort(lat, (size_t)changes, sizeof(*lat), cmp_double);
	qsort(tl, (size_t)changes, sizeof(*tl), cmp_double);
	qsort(scan, (size_t)changes, sizeof(*scan), cmp_double);
	qsort(mf, (size_t)changes, sizeof(*mf), cmp_double);
	printf("{\"bench\":\"control\",\"namespaces\":%d,\"routes\":%d,\"objects\":%zu,"
		"\"cold_scan_ms\":%.1f,\"cold_translate_ms\":%.1f,\"cold_total_ms\":%.1f,"
		"\"rss_before_mb\":%.1f,\"rss_after_mb\":%.1f,\"rss_growth_mb\":%.1f,"
		"\"peak_rss_mb\":%.1f,\"http_table_mb\":%.2f,\"changes\":%d,\"debounce_ms\":%d,"
		"\"change_p50_ms\":%.2f,\"change_p99_ms\":%.2f,\"change_max_ms\":%.2f,"
		"\"translate_publish_p50_ms\":%.2f,\"translate_publish_p99_ms\":%.2f,"
		"\"layout\":\"%s\",\"cold_scan_cpu_ms\":%.1f,\"rss_scan_mb\":%.1f,"
		"\"change_manifest_p50_ms\":%.2f,\"change_manifest_p99_ms\":%.2f,"
		"\"change_scan_p50_ms\":%.3f,\"change_scan_p99_ms\":%.3f}\n",
		nns, nns * nroutes, (size_t)(nns * (1 + 20 + nroutes) + 2),
		(double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6, (double)(t2 - t0) / 1e6,
		rss0 / 1024.0, rss1 / 1024.0, (rss1 - rss0) / 1024.0, max1 / 1024.0,
		bytes / 1048576.0, changes, debounce == 0 ? 5 : debounce,
		pct(lat, changes, 0.5), pct(lat, changes, 0.99), lat[changes - 1],
		pct(tl, changes, 0.5), pct(tl, changes, 0.99),
		per_object ? "object" : "namespace", (double)(c1 - c0) / 1e6,
		(rss_scan - rss0) / 1024.0, pct(mf, changes, 0.5), pct(mf, changes, 0.99),
		pct(scan, changes, 0.5), pct(scan, changes, 0.99));
	gw_manifest_dir_free(md);
	gw_objcache_free(cache);
	gw_translate_memo_free(p.memo);
	gw_gen_domain_free(dom);
	free(lat);
	free(tl);
	free(scan);
	free(mf);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	rte_eal_cleanup();
	return 0;
}
