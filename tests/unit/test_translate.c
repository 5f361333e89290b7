/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * control/translate: the Gateway API translator, conformance-style.
 *
 * Every case is what a user writes: multi-document Kubernetes YAML
 * (GatewayClass, Gateway, routes, ReferenceGrant, Service, EndpointSlice,
 * Secret, Namespace) parsed with gw_manifest_parse() into a fresh object
 * cache, translated with a fixed VIP pool and clock, and then checked the
 * way the kubernetes-sigs/gateway-api conformance suite checks a live
 * implementation: (a) the statuses written back into the cache
 * (conditions with status/reason/observedGeneration, listeners'
 * supportedKinds and attachedRoutes, addresses, route status.parents),
 * (b) the compiled data plane: gw_route_match() / gw_route_pick_backend()
 * on the HTTP table (which route and rule a request reaches, 404, and the
 * exact weighted split of 500 / 503 / backends), and the L4 table
 * (gw_lb_lookup(), Maglev shares) for TCPRoute / UDPRoute.
 *
 * Expected values follow the Gateway API spec and
 * ../shared/reference/gateway-api-rules.md, not the implementation: a
 * failing case here is a departure from the spec.
 *
 * Helpers return short strings ("True/Accepted", "r1#0", "v1=70 v2=30
 * 500=1") so that a failure prints both sides.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <jansson.h>

#include "manifest.h"
#include "objcache.h"
#include "translate.h"

#define CTRL "dpgw.io/gateway-controller"
#define NOW0 1700000000 /* 2023-11-14T22:13:20Z */
#define NOW0_STR "2023-11-14T22:13:20Z"

/* openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=example.com (base64 PEM) */
static const char CERT_B64[] =
	"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUREVENDQWZXZ0F3SUJBZ0lVZWZXMDcw"
	"RkVvQWovNVliOW5mQ2pGQ2c5bWMwd0RRWUpLb1pJaHZjTkFRRUwKQlFBd0ZqRVVNQklHQTFV"
	"RUF3d0xaWGhoYlhCc1pTNWpiMjB3SGhjTk1qWXhNVEkyTWpNeE56STRXaGNOTXpZeApNVEl6"
	"TWpNeE56STRXakFXTVJRd0VnWURWUVFEREF0bGVHRnRjR3hsTG1OdmJUQ0NBU0l3RFFZSktv"
	"WklodmNOCkFRRUJCUUFEZ2dFUEFEQ0NBUW9DZ2dFQkFLRlBDMkRPYnJsNUJYN2RuNGlIbGNq"
	"eXNHK0dEalREVU0xK0JFSVEKTTVyNldrb0ExdzlNWTdsS1prQWtCNFNKcjdMcHg3TXUvWTZN"
	"RWVVQkcybUdlZVVTdUpnS1lDU3JDeVRJRFZqcAphcTc5STRqVGZEeGN3TFJPeTk4Y0gzNC9x"
	"MmpPdllKd1BPRlNDdzNhRTkzbEdLOVNQSTQ1KzlMU0tuSE5CYnY5Ck1wdDc5QWxHTWtqMjlE"
	"c2pSM0grSXc4dFR2TmhtVzJVYzJyTXZGeDAwVXROTGJLWW1kakNHVHExelNlWmF0UzgKejQ1"
	"WkY3Q0ZhMkk5NTZwWkFNZXN5REJpK2xTNENEL0tGc1JGdzlIcERiNTJzam1OVnJEdTFNT0J4"
	"ZFBReWp0YwpnVmd4akVxTmRteUpkQ3JiTnRiNW5SMTRCK2tYL1Rjak95NnVpamhrTXpsUHFo"
	"Y0NBd0VBQWFOVE1GRXdIUVlEClZSME9CQllFRkl3MmlaVmxOa1A4N2RLandPc3RlSEs4R0w0"
	"OU1COEdBMVVkSXdRWU1CYUFGSXcyaVpWbE5rUDgKN2RLandPc3RlSEs4R0w0OU1BOEdBMVVk"
	"RXdFQi93UUZNQU1CQWY4d0RRWUpLb1pJaHZjTkFRRUxCUUFEZ2dFQgpBQzVKY2tCcGZNRVpx"
	"ckFDVkgwODlQd2JlaStXM21YYjN5bnNoNnhmNE90WFFIRVo2Z3N3Y0hWWFhiTHNXWFdyCkhB"
	"L2s1bTkvYzlaSVFtbElkR3hxdTh0eHJGZnp4Q1ZkMWgvcFE3c0l0QWdDOXJRTXFid0R1Ui94"
	"U0pzQXNma0QKaGZ0N2lLY2FOTUNiSk8rWTZnSVdVK3pESG5rRTZoa2h5NXovcXp3Q3JkMTZw"
	"MVltUnl1TDY1L3NOMzV4bE8xNQppTUR4UTVPNU4vb3JGVkRJQXFGdHBhaGVtTUpod0RGVGVl"
	"QWREejAyWTlYQ2d2T2xEV0FDeDVQQWpKZXZrV2RMCmlFNWxaWm5mN2d4QXdJTGVRSXEzRVps"
	"VTlSWDFOcWpMT2JkanpYVGtsc0p1V0hsQW8yU3dlSnNKbG5QNWJ4NkIKbEJsQytxcHB5TlJK"
	"QnpzMDlqT2lOeVE9Ci0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K";
static const char KEY_B64[] =
	"LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2Z0lCQURBTkJna3Foa2lHOXcwQkFR"
	"RUZBQVNDQktnd2dnU2tBZ0VBQW9JQkFRQ2hUd3Rnem02NWVRVisKM1orSWg1WEk4ckJ2aGc0"
	"MHcxRE5mZ1JDRURPYStscEtBTmNQVEdPNVNtWkFKQWVFaWEreTZjZXpMdjJPakJIbApBUnRw"
	"aG5ubEVyaVlDbUFrcXdza3lBMVk2V3F1L1NPSTAzdzhYTUMwVHN2ZkhCOStQNnRvenIyQ2NE"
	"emhVZ3NOCjJoUGQ1Uml2VWp5T09mdlMwaXB4elFXNy9US2JlL1FKUmpKSTl2UTdJMGR4L2lN"
	"UExVN3pZWmx0bEhOcXpMeGMKZE5GTFRTMnltSm5Zd2hrNnRjMG5tV3JVdk0rT1dSZXdoV3Rp"
	"UGVlcVdRREhyTWd3WXZwVXVBZy95aGJFUmNQUgo2UTIrZHJJNWpWYXc3dFREZ2NYVDBNbzdY"
	"SUZZTVl4S2pYWnNpWFFxMnpiVytaMGRlQWZwRi8wM0l6c3Vyb280ClpETTVUNm9YQWdNQkFB"
	"RUNnZ0VBSGY5Z21zNlk2YlgzVHlud3ZvZVVVOHZLQXR0WHJmazZnQlIwdjBKYkRuR0wKTStM"
	"bkc0bTFxK0lKbE5qK2F1ZmQvRFFjZHBhQkFhN0xyeDRmRm1jektPWHIzUjVrMWJ6WE5DNWR5"
	"UkNUVGRwMgpicjRCaHdvcXJmMVBUWHpoNEd6L3Q5eG1ncWpUc1lVNzJBWWJsckxCZmUwWnBN"
	"dGtxTVo3clRFVzVXaEhMb0c1CmdINWFVOTZLemVuN080NTlZRDd4TXYxN0p1SUpvOVBsMDBu"
	"dC9ZUmZlb3EwQnloQTRrMi8wUHBFQkxaekhyZkoKNTE0QjRyMys4VW5BcVBWVVI1Qm9kTjRY"
	"Z0c2dUgvS2NrV0hYcERNalBHSnBXb1hlNTRPQ3I0R3ZiMzlEVml0RAoxcjk4U0kzbmtHQW43"
	"SjZySmJvT0EvbnN2bUVtNWdGNko2S1JBY3YzVFFLQmdRRE5zOUF5WUt5UXdEREZKYVFUCmI0"
	"eWlVNlZxMEpObkRENlJQZ2lSQ0hsemhyd1h0bDhOKzRMM2tiR1N5bFBOM2F6WC93OGZxSXE4"
	"aWJpQkVDY1kKRzJ6Tm1CeElEekNjdno2a3BVQmp5ckJqQWVzbEZOODZFTkZJNFc0TGFMbGM2"
	"Mi81THpNSXVhZFRTUUFqQndSNgpGVXVITmhocmJvclhZaFQrdXkyQk12eUdLd0tCZ1FESXdG"
	"dnM3Mkh1ZzUzTmZ1MXZOb0xqNDg4VmJsWlVJdDVVCnoySzlocmZ3QWw5V1dpRHJQbzRjRFpI"
	"ME91RlQxbkVsK0JxdE55Zk9XaktxQnZ3ZXgvbFFpTUdZSHo3V200ajgKVTdyeXhyRVllanpj"
	"TERHRXdyVWxvMzVBdWFYQ3kxOGlTYng2MDMxbFY3Tk84a3lMU0ZjYlJub0E5Uk5wT2NsOApW"
	"NUZjYm9MQnhRS0JnUUM4bWthbE9pQmU0K2lUaWt5akNWOGZvcVFEaU5QdDRyc25Qb0pxUUNQ"
	"ak9jRVIyTVBVCnRTdkN4RkhWTGkraWpNS2lsSmlRUlY5WE9NcnpneFRsTkpnUTlZdlF3aVNu"
	"UTI0elZkVHc2bkhKaFlQTlR4TFIKVVlRaVY1Y25YTkRBRXBwckZjeXNEbFVOdHR3cVFZL29R"
	"OGdwWS84RjJhZnhqVnVFcDZnMFVzUllXd0tCZ1FDbApqS1FDRHlMR2k3bHRobmVORi9uMnJw"
	"M09nWkFsa0IraTl1YnBmcGhmRDhYSk0wZ2tWeERnSjN5dVdJUUxIRE53CjZWb3ViK2Flc0Js"
	"Sng3clFNMzd4SCtYdWFnM3E4cGFUNXdTclFwazJvMDlmRGY3RUNjRlN5YkhLOUkyeXh2MnMK"
	"Qy95bm1aSzJLUTJRVkJZMVlqR2JKNUpqQ2JlNU5kTm5lOXMreTA5L05RS0JnQk8vdUdQV0Rh"
	"SnJtSWhkQkZ6bAp1aUlaa0pZL0xqVmVUR0FZRnl4ZVVCUDlETzJlNUluVGRiYlV3Mkc5VG1j"
	"QmZHZldaWGxXa1dNUEIreXovQ2JTCkhxdW94ZXluN3BTQkxYSHJVRldPb1IwOGJJTjdKQzY1"
	"RDNLMkJ3bmFkMmNoM2JsU3FoeURYVjFMZlRTR0xZL1UKU05mQ1JRclVidDF2V0h4UmRpandv"
	"T0VSCi0tLS0tRU5EIFBSSVZBVEUgS0VZLS0tLS0K";
/* the key of another certificate (/CN=other.example.com): does not match CERT_B64 */
static const char KEY2_B64[] =
	"LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2Z0lCQURBTkJna3Foa2lHOXcwQkFR"
	"RUZBQVNDQktnd2dnU2tBZ0VBQW9JQkFRREkrVTFiWUFKTUdNQ2kKd2lQdlpmdWM2OVdwNGJ0"
	"T09jM0VYcytqbytJSHdqWHFOVU9HeVpuQjl0VkIvNmM4MklxM29OTGtzcFhpMkxhcwo3WXNk"
	"Ull0eXRWMEE4QU82OUdxYWNEZHdCaDJPcmtiNStlblhzN2lnOUlrQ2Q5RFlrWWt0WjZnUTN5"
	"SVJnNmNNCmY1Y1h0MG1qMFhlUjdnL1QrbzhzaHNwcVNneSsybDk3Q0I0Q1BmV09FV0RXSmJJ"
	"cEhSQ0xZRU83SzV5cjdvQnoKRnMwRGx2QnVwZ3FONVltaXhiOWVXaFB5d0VqTzNGK2pxaG5R"
	"MGIzT3ZxUGhOa0VPMnl5WGVBcEdQZ1gzRm5CSAplS1phUlNqM2FDUnBkbk9OR3EyUVRtOVNL"
	"Z3BzTHdBSk0rNGxhWlBzSkJqemJEOFlBNlZyTTFhdE0xek1hTG1sCmtaK0ZjNmRMQWdNQkFB"
	"RUNnZ0VBT0xsUTBhMFFDTzFsbGFxcEhOMVNmckI3dm5hMWVMZE04aE4ybEsvaFVLSksKdUYr"
	"dlB3Qncwdk81cm1hYmk4dHNuN2FYUDdCK0tLaFZLd3JpM0hDd0VzREl6c1p2cnhsa2ExR24v"
	"QWpsMThzdAp3a2w4N0lKUDVySU9aN0ZzczJ1a1pibmZrRitDVEtJMWlJd01sOGVHVStQLzFT"
	"TDF1YlY3S3F5aXZneEhlNmhECjlCQnZUVFhHS0RibHdaUU5GbmoweWQ2ZlZIRG42L0J2RGRn"
	"aFRlQzRJOEQyaEJ5ZVM4UklkRUljTEVUU0N6VkoKcWpaZVRlenlaMjROQVRLRXJXVk90bjZm"
	"VWREdU5pSENpclBYcGdvL29TdVlmY2p6VERiQk4xUDJtTVcybjJLaQoxcTBtN1JkUDI5ZklP"
	"eHl5UDZHOGgrc3pWWmtZaXVHai9RanZTQ2UwclFLQmdRRHFxY3pwNzZRbW0ybC9LdUFuCnlC"
	"WE5OT3R6MWE0WE5jck5sbm0vc3VSYjVJblpQSGEwK3JyN3NGL3J5STY3R2FJMURkYWVuOXRY"
	"MWlBcHZrYi8KOXF4T203akM2b012TnlIU0Y1VlVmV2E1VXRJanFjV3p3L3pIU0V4ekpsYnd1"
	"NmpQWnFiSWVSRVNzS3FKUVUwSgpTakt3ZG5nTmtGRGpKdFR6ZXRQa3Q4dkgxd0tCZ1FEYlAx"
	"SWQ3VmZndTJncnU0azFIb0hZT2tzeGZrRzFRSXdUCjdmeVhwbUQrc29WSm8rMzRid095TnB2"
	"YXBMUG55a2xpaG4zQ0FVWTRvSWVweWtHZmZ3M0lJK0N3dkJYWk1SRmYKMm9GbjZUcXJJazlG"
	"MmlPUDdydCtSbFNta2IvdzA1SFZQejZpRVcxNnhpSUg4MUpnbytjandMZ0FpSVJjL0MwNwpC"
	"dXNKV1cvZHJRS0JnQkcweURwcWs1YzZLTWFvcElzNzVMRThLZnZ1aHBsSHZNcXdiUFZTK1Rv"
	"WnozRHR5QU0xCjIvLzd1ZkVmaSsyQUxLWVdLamlEMVZnV1Z3enZSNG91d2FlWXhtTW1zTWxT"
	"UHFJTWwzN3RpMSsyYVJhNXk2b1oKd3F3Q3Y0bjh2WmlpZ0VWTitJMnQzT1R0SWFFRHBWMXJG"
	"TklOemxjdnFYcktSazBzMm1vcW1CeTNBb0dCQUlsUwpaOFNHMi92T1piaStoWG5YMmN2czl4"
	"dlEwS2NOL3E2YzZSQ3pEUjE2QXpIVWswQi9oL2tmYXc3UENqK3IyN3J5Ck1lSkptZ250d2dy"
	"K3U0dUNzTWNpY2FGQXJRNlVSU1djWG1FUEc4Z0VmVkpyQnNzbjVCZDdSWm51d0NHKzRpQ0cK"
	"dEZ3ZVBrd2Z2VUR0ampNcGRhUlhHT2g4bVNzRVovQUlyVDMxM3JNaEFvR0JBTU5FV296T2hz"
	"OUFsWld0UjZBaApHS3RCQzhxWEdXa0JTbWtwQ1UvTitYanZWak5WYTRIdWl3RThrSDhaVlY2"
	"M3gwVmpUR1VZNzMwTGxWTTFwRTdTCm5GVkczV3cwTUY3cmlXdldNbHUxVmlncmV2MUxNWHox"
	"SjVzN293aWYweFN4NGJndjVZTENwbCtoRXZuOUkrQlMKTURIK2U4Z240U0J4L3dvOERlL2dM"
	"MUJICi0tLS0tRU5EIFBSSVZBVEUgS0VZLS0tLS0K";

/* ---- state: one cache and one translation per test ---- */

static struct gw_objcache *cache;
static struct gw_translation out;
/*
 * Every test translates with a memo that lives as long as the test's cache
 * (as the daemon does), and tl() checks each result against a translation
 * of the same cache without a memo: statuses, compiled HTTP rules, L4
 * services and groups must be identical, so every case here also tests
 * that what the memo reuses is still right.
 */
static struct gw_translate_memo *memo;
static struct gw_translate_vip pool[4];
static unsigned int n_pool;
static int64_t now;
static uint32_t maglev;

static const char *const pool_str[] = {"10.0.0.1", "10.0.0.2", "fd00::1"};

static int
setup(void **state)
{
	(void)state;
	memset(&out, 0, sizeof(out));
	memset(pool, 0, sizeof(pool));
	for (unsigned int i = 0; i < 3; i++) {
		pool[i].family = strchr(pool_str[i], ':') != NULL ? AF_INET6 : AF_INET;
		if (inet_pton(pool[i].family, pool_str[i], pool[i].addr) != 1)
			return -1;
	}
	n_pool = 3;
	now = NOW0;
	maglev = 0;
	cache = gw_objcache_new();
	memo = gw_translate_memo_new();
	return cache != NULL && memo != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	gw_translation_release(&out);
	gw_translate_memo_free(memo);
	memo = NULL;
	gw_objcache_free(cache);
	cache = NULL;
	return 0;
}

/* Rotating result buffers so a helper's string survives a few more calls. */
static char *
sbuf(void)
{
	static char b[16][1024];
	static unsigned int i;

	i = (i + 1) % 16;
	b[i][0] = '\0';
	return b[i];
}

/* Parse @yaml (any number of documents) and put every object into the cache. */
static void
put(const char *yaml)
{
	struct gw_manifest_doc *docs = NULL;
	char err[512] = "";
	int n = gw_manifest_parse(yaml, strlen(yaml), "test.yaml", &docs, err, sizeof(err));

	if (n < 0)
		fail_msg("gw_manifest_parse: %d: %s", n, err);
	for (int i = 0; i < n; i++) {
		int rc = gw_objcache_put(cache, docs[i].obj, "test.yaml", err, sizeof(err));

		docs[i].obj = NULL; /* stolen */
		if (rc != 0) {
			gw_manifest_docs_free(docs, n);
			fail_msg("gw_objcache_put: document %d: %d: %s", i, rc, err);
		}
	}
	gw_manifest_docs_free(docs, n);
}

static void __attribute__((format(printf, 1, 2)))
putf(const char *fmt, ...)
{
	static char buf[64 * 1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(buf);
}

/* Every object's status, keyed "kind/ns/name" (a new reference). */
static json_t *
all_statuses(void)
{
	json_t *all = json_object();

	for (int k = 0; k < GW_KIND_COUNT; k++) {
		const struct gw_obj **v;
		int n = gw_objcache_list(cache, (enum gw_kind)k, NULL, &v);

		for (int i = 0; i < n; i++) {
			char key[600];

			if (v[i]->status == NULL)
				continue;
			snprintf(key, sizeof(key), "%d/%s/%s", k, v[i]->ns, v[i]->name);
			json_object_set_new(all, key, json_deep_copy(v[i]->status));
		}
		free(v);
	}
	return all;
}

struct digest {
	char *buf;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3)))
dg(struct digest *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(d->buf + d->len, d->cap - d->len, fmt, ap);
		va_end(ap);
		if ((size_t)n < d->cap - d->len)
			break;
		d->cap = d->cap * 2 + (size_t)n + 1024;
		d->buf = realloc(d->buf, d->cap);
		assert_non_null(d->buf);
	}
	d->len += (size_t)n;
}

static int
digest_walk(const struct gw_route_walk_entry *e, void *arg)
{
	struct digest *d = arg;
	const struct gw_route_rule *r = e->rule;

	dg(d, "g%u %u l=%s vh=%s #%u", e->group, e->port, e->listener->name,
		e->vhost != NULL ? e->vhost : "-", e->order);
	if (r == NULL) {
		dg(d, " (none)\n");
		return 0;
	}
	dg(d, " %s/%s#%u m%u p%d:%s %s h%u q%u f%u t%u/%u", r->route_ns, r->route_name,
		r->rule_index, e->match_index, (int)e->path_type, e->path,
		e->method != NULL ? e->method : "*", e->n_headers, e->n_query, r->n_filters,
		r->timeout_request_ms, r->timeout_backend_request_ms);
	for (unsigned int i = 0; i < r->n_backends; i++) {
		const struct gw_route_backend *be = &r->backends[i];

		dg(d, " [%s w%u s%d p%d", be->name, be->weight, (int)be->state, (int)be->proto);
		for (unsigned int k = 0; k < be->n_endpoints; k++) {
			char ip[64];

			inet_ntop(be->endpoints[k].family, be->endpoints[k].addr, ip, sizeof(ip));
			dg(d, " %s:%u", ip, be->endpoints[k].port);
		}
		dg(d, "]");
	}
	dg(d, "\n");
	return 0;
}

/* A text digest of the compiled tables (malloc'd). */
static char *
tables_digest(const struct gw_translation *t)
{
	struct digest d = {.buf = malloc(4096), .cap = 4096};

	assert_non_null(d.buf);
	d.buf[0] = '\0';
	gw_route_table_walk(t->http, digest_walk, &d);
	for (unsigned int i = 0; i < gw_lb_table_count(t->l4); i++) {
		const struct gw_lb_service *sv = gw_lb_table_at(t->l4, i);
		uint64_t h = 1469598103934665603ull;

		for (uint32_t j = 0; j < sv->maglev_size; j++)
			h = (h ^ sv->lut[j]) * 1099511628211ull;
		dg(&d, "l4 %s %u %u eps=%u lut=%016llx\n", sv->name, sv->proto, sv->port,
			sv->n_endpoints, (unsigned long long)h);
	}
	return d.buf;
}

/* Translate the cache; the previous translation is released. */
static void
tl(void)
{
	struct gw_translate_params p = {
		.controller_name = CTRL,
		.n_vips = n_pool,
		.vips = pool,
		.maglev_size = maglev,
		.now = now,
	};
	char err[512] = "";
	int rc;

	struct gw_translation ref;
	json_t *st_memo, *st_ref;
	char *a, *b;

	gw_translation_release(&out);
	p.memo = memo;
	rc = gw_translate(cache, &p, &out, err, sizeof(err));
	if (rc != 0)
		fail_msg("gw_translate: %d: %s", rc, err);
	assert_non_null(out.http);
	assert_non_null(out.l4);
	assert_non_null(out.groups);

	/* the same cache from scratch must give the same answer */
	st_memo = all_statuses();
	p.memo = NULL;
	rc = gw_translate(cache, &p, &ref, err, sizeof(err));
	if (rc != 0)
		fail_msg("gw_translate without memo: %d: %s", rc, err);
	st_ref = all_statuses();
	if (!json_equal(st_memo, st_ref)) {
		a = json_dumps(st_memo, JSON_SORT_KEYS);
		b = json_dumps(st_ref, JSON_SORT_KEYS);
		fail_msg("statuses differ with and without the memo:\n%s\n%s", a, b);
	}
	json_decref(st_memo);
	json_decref(st_ref);
	a = tables_digest(&out);
	b = tables_digest(&ref);
	if (strcmp(a, b) != 0)
		fail_msg("compiled tables differ with and without the memo:\n%s\n---\n%s", a, b);
	free(a);
	free(b);
	assert_true(json_equal(out.groups, ref.groups));
	gw_translation_release(&ref);
}

static void
load(const char *yaml)
{
	put(yaml);
	tl();
}

/* ---- statuses ---- */

static const json_t *
status_of(enum gw_kind k, const char *ns, const char *name)
{
	const struct gw_obj *o = gw_objcache_get(cache, k, ns, name);

	if (o == NULL)
		fail_msg("%s %s/%s is not in the cache", gw_kind_name(k), ns ? ns : "", name);
	return o->status;
}

static const json_t *
find_cond(const json_t *conds, const char *type)
{
	size_t i;
	json_t *c;

	json_array_foreach(conds, i, c)
		if (strcmp(json_string_value(json_object_get(c, "type")) ?: "", type) == 0)
			return c;
	return NULL;
}

/* "True/Accepted", or "(none)" when the condition is missing. */
static const char *
cs(const json_t *c)
{
	char *b = sbuf();

	if (c == NULL)
		return "(none)";
	snprintf(b, 1024, "%s/%s", json_string_value(json_object_get(c, "status")) ?: "?",
		json_string_value(json_object_get(c, "reason")) ?: "?");
	return b;
}

static const json_t *
obj_cond(enum gw_kind k, const char *ns, const char *name, const char *type)
{
	return find_cond(json_object_get(status_of(k, ns, name), "conditions"), type);
}

/* GatewayClass condition. */
static const char *
gcc(const char *name, const char *type)
{
	return cs(obj_cond(GW_KIND_GATEWAYCLASS, NULL, name, type));
}

/* Gateway condition. */
static const char *
gwc(const char *ns, const char *name, const char *type)
{
	return cs(obj_cond(GW_KIND_GATEWAY, ns, name, type));
}

static const json_t *
listener(const char *ns, const char *gw, const char *l)
{
	json_t *ls = json_object_get(status_of(GW_KIND_GATEWAY, ns, gw), "listeners");
	size_t i;
	json_t *e;

	json_array_foreach(ls, i, e)
		if (strcmp(json_string_value(json_object_get(e, "name")) ?: "", l) == 0)
			return e;
	return NULL;
}

/* Listener condition. */
static const char *
lc(const char *ns, const char *gw, const char *l, const char *type)
{
	return cs(find_cond(json_object_get(listener(ns, gw, l), "conditions"), type));
}

/* attachedRoutes, or -1 when the listener has no status. */
static int
attached(const char *ns, const char *gw, const char *l)
{
	const json_t *e = listener(ns, gw, l);

	return e == NULL ? -1 : (int)json_integer_value(json_object_get(e, "attachedRoutes"));
}

/* supportedKinds as "HTTPRoute,GRPCRoute" (each must carry the Gateway API group). */
static const char *
kinds(const char *ns, const char *gw, const char *l)
{
	const json_t *e = listener(ns, gw, l);
	char *b = sbuf();
	size_t i;
	json_t *k;

	if (e == NULL)
		return "(none)";
	json_array_foreach(json_object_get(e, "supportedKinds"), i, k) {
		const char *g = json_string_value(json_object_get(k, "group"));

		assert_non_null(g);
		assert_string_equal(g, "gateway.networking.k8s.io");
		snprintf(b + strlen(b), 1024 - strlen(b), "%s%s", i ? "," : "",
			json_string_value(json_object_get(k, "kind")) ?: "?");
	}
	return b;
}

/* status.addresses as "10.0.0.1,fd00::1" (each of type IPAddress). */
static const char *
addrs(const char *ns, const char *gw)
{
	const json_t *st = status_of(GW_KIND_GATEWAY, ns, gw);
	char *b = sbuf();
	size_t i;
	json_t *a;

	if (st == NULL)
		return "(no status)";
	json_array_foreach(json_object_get(st, "addresses"), i, a) {
		assert_string_equal(json_string_value(json_object_get(a, "type")) ?: "", "IPAddress");
		snprintf(b + strlen(b), 1024 - strlen(b), "%s%s", i ? "," : "",
			json_string_value(json_object_get(a, "value")) ?: "?");
	}
	return b;
}

/* Number of status.parents entries; 0 when the route has no status. */
static int
nparents(enum gw_kind k, const char *ns, const char *name)
{
	const json_t *st = status_of(k, ns, name);

	return st == NULL ? 0 : (int)json_array_size(json_object_get(st, "parents"));
}

static const json_t *
parent(enum gw_kind k, const char *ns, const char *name, size_t i)
{
	const json_t *st = status_of(k, ns, name);
	const json_t *p = json_array_get(json_object_get(st, "parents"), i);

	if (p != NULL)
		assert_string_equal(json_string_value(json_object_get(p, "controllerName")) ?: "",
			CTRL);
	return p;
}

/* Route parent condition ("(none)" without such a parent entry). */
static const char *
pc(enum gw_kind k, const char *ns, const char *name, size_t i, const char *type)
{
	return cs(find_cond(json_object_get(parent(k, ns, name, i), "conditions"), type));
}

#define HR(name, type) pc(GW_KIND_HTTPROUTE, "default", name, 0, type)
#define GWD(type) gwc("default", "gw", type)
#define LD(l, type) lc("default", "gw", l, type)

/* Every condition of @st (recursively) has observedGeneration @gen. */
static void
all_gen(const json_t *st, int64_t gen)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_array(st)) {
		json_array_foreach(st, i, v)
			all_gen(v, gen);
		return;
	}
	if (!json_is_object(st))
		return;
	if (json_object_get(st, "type") != NULL && json_object_get(st, "reason") != NULL) {
		assert_int_equal(json_integer_value(json_object_get(st, "observedGeneration")), gen);
		return;
	}
	json_object_foreach((json_t *)st, key, v)
		all_gen(v, gen);
}

static const char *
ltt(const json_t *c)
{
	assert_non_null(c);
	return json_string_value(json_object_get(c, "lastTransitionTime")) ?: "(none)";
}

/* ---- the HTTP table ---- */

struct treq {
	const char *host;
	const char *path;          /* may hold "?query" */
	const char *method;        /* NULL: GET */
	const char *hdr[6];        /* "Name: value" */
	unsigned int port;         /* 0: 80 */
	const char *vip;           /* NULL: any group on the port */
};

/* The id of the group on @vip (NULL: any) and @port, or 0xfffffff0. */
static uint32_t
group_id(const char *vip, unsigned int port)
{
	size_t i;
	json_t *g;

	json_array_foreach(out.groups, i, g)
		if ((unsigned int)json_integer_value(json_object_get(g, "port")) == port &&
				(vip == NULL || strcmp(json_string_value(json_object_get(g, "vip")) ?: "",
					vip) == 0))
			return (uint32_t)json_integer_value(json_object_get(g, "id"));
	return 0xfffffff0u;
}

/* "VIP:PORT[listeners]" for every group, sorted as given. */
static const char *
groups(void)
{
	char *b = sbuf();
	size_t i, j;
	json_t *g, *l;

	json_array_foreach(out.groups, i, g) {
		snprintf(b + strlen(b), 1024 - strlen(b), "%s%s:%d[", i ? " " : "",
			json_string_value(json_object_get(g, "vip")) ?: "?",
			(int)json_integer_value(json_object_get(g, "port")));
		json_array_foreach(json_object_get(g, "listeners"), j, l)
			snprintf(b + strlen(b), 1024 - strlen(b), "%s%s", j ? "," : "",
				json_string_value(l) ?: "?");
		snprintf(b + strlen(b), 1024 - strlen(b), "]");
	}
	return b;
}

static int
do_match(const struct treq *q, struct gw_route_result *res)
{
	struct gw_route_header h[6];
	struct gw_route_req r;
	const char *path = q->path != NULL ? q->path : "/";
	const char *qm = strchr(path, '?');
	unsigned int nh = 0;

	memset(&r, 0, sizeof(r));
	memset(res, 0, sizeof(*res));
	r.group = group_id(q->vip, q->port != 0 ? q->port : 80);
	r.host = q->host != NULL ? q->host : "example.com";
	r.host_len = strlen(r.host);
	r.method = q->method != NULL ? q->method : "GET";
	r.method_len = strlen(r.method);
	r.path = path;
	r.path_len = qm != NULL ? (size_t)(qm - path) : strlen(path);
	r.query = qm != NULL ? qm + 1 : NULL;
	r.query_len = qm != NULL ? strlen(qm + 1) : 0;
	for (unsigned int i = 0; i < 6 && q->hdr[i] != NULL; i++) {
		const char *colon = strchr(q->hdr[i], ':');

		assert_non_null(colon);
		h[nh].name = q->hdr[i];
		h[nh].name_len = (size_t)(colon - q->hdr[i]);
		h[nh].value = colon + 1 + (colon[1] == ' ');
		h[nh].value_len = strlen(h[nh].value);
		nh++;
	}
	r.n_headers = nh;
	r.headers = h;
	return gw_route_match(out.http, &r, res);
}

/* "route#rule" (namespace prefixed unless "default"), or "404". */
static const char *
route_of(struct treq q)
{
	struct gw_route_result res;
	char *b = sbuf();
	int rc = do_match(&q, &res);

	if (rc != 0) {
		assert_null(res.rule);
		snprintf(b, 1024, "%d", rc);
		return b;
	}
	assert_int_equal(res.status, 0);
	assert_non_null(res.rule);
	if (strcmp(res.rule->route_ns, "default") == 0)
		snprintf(b, 1024, "%s#%u", res.rule->route_name, res.rule->rule_index);
	else
		snprintf(b, 1024, "%s/%s#%u", res.rule->route_ns, res.rule->route_name,
			res.rule->rule_index);
	return b;
}

#define M(...) route_of((struct treq){__VA_ARGS__})

static const struct gw_route_rule *
rule_of(struct treq q)
{
	struct gw_route_result res;

	if (do_match(&q, &res) != 0)
		return NULL;
	return res.rule;
}

#define RULE(...) rule_of((struct treq){__VA_ARGS__})

/* "svc" out of "ns/svc:port" */
static void
svc_short(const char *full, char *b, size_t len)
{
	const char *s = strchr(full, '/');
	size_t n;

	s = s != NULL ? s + 1 : full;
	n = strcspn(s, ":");
	snprintf(b, len, "%.*s", (int)n, s);
}

/*
 * The exact weighted split of a rule: gw_route_pick_backend() with every
 * rnd in [0, total_weight): "v1=70 v2=30" then "500=n" / "503=n". "404"
 * when the request matches nothing; "500" for a rule without weight.
 */
static const char *
dist_rule(const struct gw_route_rule *rule)
{
	unsigned int cnt[16] = {0}, n500 = 0, n503 = 0;
	char *b = sbuf();

	if (rule == NULL)
		return "404";
	if (rule->total_weight == 0) {
		const struct gw_route_backend *be = (const void *)1;
		int rc = gw_route_pick_backend(rule, 0, &be);

		snprintf(b, 1024, "%d", rc);
		return b;
	}
	assert_true(rule->n_backends <= 16);
	for (uint32_t r = 0; r < rule->total_weight; r++) {
		const struct gw_route_backend *be = NULL;
		int rc = gw_route_pick_backend(rule, r, &be);

		if (rc == 0) {
			assert_non_null(be);
			assert_true(be->n_endpoints > 0);
			assert_true(be->weight > 0);
			cnt[be - rule->backends]++;
		} else if (rc == 503) {
			n503++;
		} else {
			assert_int_equal(rc, 500);
			n500++;
		}
	}
	for (unsigned int i = 0; i < rule->n_backends; i++) {
		char s[256];

		if (cnt[i] == 0)
			continue;
		svc_short(rule->backends[i].name, s, sizeof(s));
		snprintf(b + strlen(b), 1024 - strlen(b), "%s%s=%u", *b ? " " : "", s, cnt[i]);
	}
	if (n500 > 0)
		snprintf(b + strlen(b), 1024 - strlen(b), "%s500=%u", *b ? " " : "", n500);
	if (n503 > 0)
		snprintf(b + strlen(b), 1024 - strlen(b), "%s503=%u", *b ? " " : "", n503);
	return b;
}

#define D(...) dist_rule(rule_of((struct treq){__VA_ARGS__}))

/*
 * What a conformance request sees: the Service that answers (first
 * backend picked with rnd 0, as "svc"), "404", "500" or "503".
 */
static const char *
backend_of(struct treq q)
{
	const struct gw_route_rule *rule = rule_of(q);
	const struct gw_route_backend *be = NULL;
	char *b = sbuf();
	int rc;

	if (rule == NULL)
		return "404";
	rc = gw_route_pick_backend(rule, 0, &be);
	if (rc != 0) {
		snprintf(b, 1024, "%d", rc);
		return b;
	}
	svc_short(be->name, b, 1024);
	return b;
}

#define B(...) backend_of((struct treq){__VA_ARGS__})

/* Endpoints of a backend as "10.1.0.1:8080,10.1.0.2:8080" in the table's order. */
static const char *
eps_str(const struct gw_route_backend *be)
{
	char *b = sbuf();

	for (unsigned int i = 0; i < be->n_endpoints; i++) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(be->endpoints[i].family, be->endpoints[i].addr, a, sizeof(a));
		snprintf(b + strlen(b), 1024 - strlen(b), "%s%s%s%s:%u", i ? "," : "",
			be->endpoints[i].family == AF_INET6 ? "[" : "", a,
			be->endpoints[i].family == AF_INET6 ? "]" : "", be->endpoints[i].port);
	}
	return b;
}

/* ---- the L4 table ---- */

static const struct gw_lb_service *
l4(int proto, const char *vip, unsigned int port)
{
	uint8_t a[16] = {0};
	int fam = strchr(vip, ':') != NULL ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(fam, vip, a), 1);
	return gw_lb_lookup(out.l4, (uint8_t)proto, fam, a, (uint16_t)port);
}

/* Share of the Maglev slots owned by endpoint @addr, in permille. */
static unsigned int
l4_permille(const struct gw_lb_service *s, const char *addr)
{
	uint8_t a[16] = {0};
	int fam = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;
	uint64_t n = 0;

	assert_non_null(s);
	assert_int_equal(inet_pton(fam, addr, a), 1);
	for (uint32_t i = 0; i < s->maglev_size; i++) {
		const struct gw_lb_endpoint *e = gw_lb_pick(s, i);

		if (e != NULL && e->family == fam && memcmp(e->addr, a, fam == AF_INET ? 4 : 16) == 0)
			n++;
	}
	return s->maglev_size ? (unsigned int)((n * 1000 + s->maglev_size / 2) / s->maglev_size) : 0;
}

/* Endpoints of an L4 service as "10.1.0.1:8080" sorted by the table. */
static const char *
l4_eps(const struct gw_lb_service *s)
{
	char *b = sbuf();

	if (s == NULL)
		return "(no service)";
	for (unsigned int i = 0; i < s->n_endpoints; i++) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(s->endpoints[i].family, s->endpoints[i].addr, a, sizeof(a));
		snprintf(b + strlen(b), 1024 - strlen(b), "%s%s:%u", i ? "," : "", a,
			s->endpoints[i].port);
	}
	return b;
}

/* ---- YAML building blocks ---- */

#define GC \
	"apiVersion: gateway.networking.k8s.io/v1\n" \
	"kind: GatewayClass\n" \
	"metadata:\n" \
	"  name: dpgw\n" \
	"spec:\n" \
	"  controllerName: dpgw.io/gateway-controller\n" \
	"---\n"

/* Gateway default/gw with one HTTP listener "http" on port 80. */
#define GW_HTTP \
	"apiVersion: gateway.networking.k8s.io/v1\n" \
	"kind: Gateway\n" \
	"metadata:\n" \
	"  name: gw\n" \
	"  namespace: default\n" \
	"spec:\n" \
	"  gatewayClassName: dpgw\n" \
	"  listeners:\n" \
	"  - name: http\n" \
	"    protocol: HTTP\n" \
	"    port: 80\n" \
	"---\n"

/* HTTPRoute default/NAME on gw: one rule, PathPrefix PATH -> SVC:8080. */
#define HR_PREFIX(name, path, svc) \
	"apiVersion: gateway.networking.k8s.io/v1\n" \
	"kind: HTTPRoute\n" \
	"metadata:\n" \
	"  name: " name "\n" \
	"spec:\n" \
	"  parentRefs:\n" \
	"  - name: gw\n" \
	"  rules:\n" \
	"  - matches:\n" \
	"    - path:\n" \
	"        type: PathPrefix\n" \
	"        value: " path "\n" \
	"    backendRefs:\n" \
	"    - name: " svc "\n" \
	"      port: 8080\n" \
	"---\n"

/*
 * A Service @ns/@name with one port (@port, named "http", targetPort 8080,
 * @app_proto when non-NULL) and an EndpointSlice for it with @ips
 * ("10.1.0.1 10.1.0.2"; a trailing '!' marks an endpoint not ready, a
 * trailing '?' one without conditions).
 */
static void
svc_app(const char *ns, const char *name, unsigned int port, const char *app_proto,
	const char *ips)
{
	char eps[4096] = "", ip[64];
	const char *p = ips;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, " ");
		char last;

		snprintf(ip, sizeof(ip), "%.*s", (int)n, p);
		last = ip[strlen(ip) - 1];
		if (last == '!' || last == '?')
			ip[strlen(ip) - 1] = '\0';
		snprintf(eps + strlen(eps), sizeof(eps) - strlen(eps),
			"- addresses:\n"
			"  - \"%s\"\n"
			"%s", ip,
			last == '!' ? "  conditions:\n    ready: false\n" :
			last == '?' ? "" : "  conditions:\n    ready: true\n");
		p += n;
		while (*p == ' ')
			p++;
	}
	putf("apiVersion: v1\n"
		"kind: Service\n"
		"metadata:\n"
		"  name: %s\n"
		"  namespace: %s\n"
		"spec:\n"
		"  ports:\n"
		"  - name: http\n"
		"    port: %u\n"
		"    targetPort: 8080\n"
		"%s%s%s"
		"---\n"
		"apiVersion: discovery.k8s.io/v1\n"
		"kind: EndpointSlice\n"
		"metadata:\n"
		"  name: %s-abcde\n"
		"  namespace: %s\n"
		"  labels:\n"
		"    kubernetes.io/service-name: %s\n"
		"addressType: IPv4\n"
		"ports:\n"
		"- name: http\n"
		"  port: 8080\n"
		"  protocol: TCP\n"
		"endpoints:\n"
		"%s",
		name, ns, port, app_proto ? "    appProtocol: " : "", app_proto ? app_proto : "",
		app_proto ? "\n" : "", name, ns, name, *eps ? eps : "[]\n");
}

static void
svc(const char *ns, const char *name, const char *ips)
{
	svc_app(ns, name, 8080, NULL, ips);
}

/* A kubernetes.io/tls Secret with base64 data. */
static void
secret(const char *ns, const char *name, const char *crt_b64, const char *key_b64)
{
	putf("apiVersion: v1\n"
		"kind: Secret\n"
		"metadata:\n"
		"  name: %s\n"
		"  namespace: %s\n"
		"type: kubernetes.io/tls\n"
		"data:\n"
		"  tls.crt: %s\n"
		"  tls.key: %s\n",
		name, ns, crt_b64, key_b64);
}

static bool
starts(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)) != 0) {
		print_error("\"%s\" does not start with \"%s\"\n", s, prefix);
		return false;
	}
	return true;
}

/* ==== GatewayClass ==== */

static void
test_gatewayclass_accepted(void **state)
{
	(void)state;
	load(GC);
	assert_string_equal(gcc("dpgw", "Accepted"), "True/Accepted");
	assert_string_equal(ltt(obj_cond(GW_KIND_GATEWAYCLASS, NULL, "dpgw", "Accepted")), NOW0_STR);
	all_gen(status_of(GW_KIND_GATEWAYCLASS, NULL, "dpgw"), 1);
	assert_int_equal(json_integer_value(json_object_get(out.summary, "gatewayclasses")), 1);
}

static void
test_gatewayclass_not_ours_ignored(void **state)
{
	(void)state;
	load("apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: GatewayClass\n"
		"metadata:\n"
		"  name: other\n"
		"spec:\n"
		"  controllerName: example.net/other-controller\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"spec:\n"
		"  gatewayClassName: other\n"
		"  listeners:\n"
		"  - name: http\n"
		"    protocol: HTTP\n"
		"    port: 80\n"
		"---\n"
		HR_PREFIX("r1", "/", "v1"));
	/* another controller's objects: no status written, nothing compiled */
	assert_null(status_of(GW_KIND_GATEWAYCLASS, NULL, "other"));
	assert_null(status_of(GW_KIND_GATEWAY, "default", "gw"));
	assert_int_equal(nparents(GW_KIND_HTTPROUTE, "default", "r1"), 0);
	assert_int_equal(json_array_size(out.groups), 0);
	assert_string_equal(M(.path = "/"), "404");
}

static void
test_gatewayclass_parameters_ref(void **state)
{
	(void)state;
	load("apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: GatewayClass\n"
		"metadata:\n"
		"  name: dpgw\n"
		"spec:\n"
		"  controllerName: dpgw.io/gateway-controller\n"
		"  parametersRef:\n"
		"    group: example.net\n"
		"    kind: Config\n"
		"    name: cfg\n"
		"---\n"
		GW_HTTP);
	assert_string_equal(gcc("dpgw", "Accepted"), "False/InvalidParameters");
	/* a class that is not accepted serves nothing */
	assert_int_equal(json_array_size(out.groups), 0);
}

static void
test_gatewayclass_generation_bump(void **state)
{
	(void)state;
	load(GC);
	all_gen(status_of(GW_KIND_GATEWAYCLASS, NULL, "dpgw"), 1);
	load("apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: GatewayClass\n"
		"metadata:\n"
		"  name: dpgw\n"
		"spec:\n"
		"  controllerName: dpgw.io/gateway-controller\n"
		"  description: updated\n");
	assert_int_equal(gw_objcache_get(cache, GW_KIND_GATEWAYCLASS, NULL, "dpgw")->generation, 2);
	all_gen(status_of(GW_KIND_GATEWAYCLASS, NULL, "dpgw"), 2);
	assert_string_equal(gcc("dpgw", "Accepted"), "True/Accepted");
}

/* ==== Gateway addresses ==== */

static void
test_gateway_auto_vip(void **state)
{
	(void)state;
	load(GC GW_HTTP);
	assert_string_equal(GWD("Accepted"), "True/Accepted");
	assert_string_equal(GWD("Programmed"), "True/Programmed");
	assert_string_equal(addrs("default", "gw"), "10.0.0.1");
	assert_string_equal(groups(), "10.0.0.1:80[default/gw/http]");
	assert_string_equal(LD("http", "Accepted"), "True/Accepted");
	assert_string_equal(LD("http", "Programmed"), "True/Programmed");
	assert_string_equal(LD("http", "ResolvedRefs"), "True/ResolvedRefs");
	assert_string_equal(LD("http", "Conflicted"), "False/NoConflicts");
	all_gen(status_of(GW_KIND_GATEWAY, "default", "gw"), 1);
}

static void
test_gateway_explicit_vip(void **state)
{
	(void)state;
	load(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  addresses:\n"
		"  - type: IPAddress\n"
		"    value: 10.0.0.2\n"
		"  - value: fd00::1\n"
		"  listeners:\n"
		"  - name: http\n"
		"    protocol: HTTP\n"
		"    port: 8080\n");
	assert_string_equal(GWD("Accepted"), "True/Accepted");
	assert_string_equal(GWD("Programmed"), "True/Programmed");
	assert_string_equal(addrs("default", "gw"), "10.0.0.2,fd00::1");
	assert_int_not_equal(group_id("10.0.0.2", 8080), 0xfffffff0u);
	assert_int_not_equal(group_id("fd00::1", 8080), 0xfffffff0u);
	assert_int_equal(group_id("10.0.0.1", 8080), 0xfffffff0u);
}

static void
test_gateway_address_unsupported_type(void **state)
{
	(void)state;
	load(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  addresses:\n"
		"  - type: Hostname\n"
		"    value: gw.example.com\n"
		"  listeners:\n"
		"  - name: http\n"
		"    protocol: HTTP\n"
		"    port: 80\n");
	assert_string_equal(GWD("Accepted"), "False/UnsupportedAddress");
	assert_true(starts(GWD("Programmed"), "False/"));
	assert_int_equal(json_array_size(out.groups), 0);
}

/*
 * An IPAddress the implementation cannot use (outside the VIP pool):
 * gateway_types.go GatewayReasonAddressNotUsable ("a provided static
 * address can't be used") on Programmed, while Accepted stays True;
 * UnsupportedAddress is for an unsupported address *type*
 * (conformance GatewayStaticAddresses).
 */
static void
test_gateway_address_not_in_pool(void **state)
{
	(void)state;
	load(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  addresses:\n"
		"  - value: 192.0.2.7\n"
		"  listeners:\n"
		"  - name: http\n"
		"    protocol: HTTP\n"
		"    port: 80\n");
	assert_string_equal(GWD("Accepted"), "True/Accepted");
	assert_string_equal(GWD("Programmed"), "False/AddressNotUsable");
	assert_string_equal(addrs("default", "gw"), "");
	assert_int_equal(json_array_size(out.groups), 0);
}

/* conformance GatewayStaticAddresses: invalid type, unusable and usable address, removed in turn */
static void
test_gateway_static_addresses_conformance(void **state)
{
	static const char *const tmpl =
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gateway-static-addresses\n"
		"  namespace: gateway-conformance-infra\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  addresses:\n"
		"%s%s"
		"  - value: 10.0.0.2\n"
		"  listeners:\n"
		"  - name: http\n"
		"    port: 8080\n"
		"    protocol: HTTP\n";
	const char *inv = "  - type: test/fake-invalid-type\n    value: \"fake address teehee!\"\n";
	const char *unusable = "  - value: 198.51.100.1\n";

	(void)state;
	put(GC);
	putf(tmpl, inv, unusable);
	tl();
	assert_string_equal(gwc("gateway-conformance-infra", "gateway-static-addresses", "Accepted"),
		"False/UnsupportedAddress");
	putf(tmpl, "", unusable);
	tl();
	assert_string_equal(gwc("gateway-conformance-infra", "gateway-static-addresses", "Accepted"),
		"True/Accepted");
	assert_string_equal(gwc("gateway-conformance-infra", "gateway-static-addresses", "Programmed"),
		"False/AddressNotUsable");
	putf(tmpl, "", "");
	tl();
	assert_string_equal(gwc("gateway-conformance-infra", "gateway-static-addresses", "Accepted"),
		"True/Accepted");
	assert_string_equal(gwc("gateway-conformance-infra", "gateway-static-addresses", "Programmed"),
		"True/Programmed");
	assert_string_equal(addrs("gateway-conformance-infra", "gateway-static-addresses"),
		"10.0.0.2");
	all_gen(status_of(GW_KIND_GATEWAY, "gateway-conformance-infra", "gateway-static-addresses"), 3);
}

static void
gw_named(const char *name, const char *created)
{
	putf("apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: %s\n"
		"  creationTimestamp: \"%s\"\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: http\n"
		"    protocol: HTTP\n"
		"    port: 80\n", name, created);
}

static void
test_gateway_pool_exhausted(void **state)
{
	(void)state;
	put(GC);
	gw_named("a", "2024-01-01T00:00:01Z");
	gw_named("b", "2024-01-01T00:00:02Z");
	gw_named("c", "2024-01-01T00:00:03Z");
	gw_named("d", "2024-01-01T00:00:04Z");
	tl();
	/* oldest first take the pool in order */
	assert_string_equal(addrs("default", "a"), "10.0.0.1");
	assert_string_equal(addrs("default", "b"), "10.0.0.2");
	assert_string_equal(addrs("default", "c"), "fd00::1");
	assert_string_equal(addrs("default", "d"), "");
	assert_string_equal(gwc("default", "d", "Accepted"), "True/Accepted");
	assert_string_equal(gwc("default", "d", "Programmed"), "False/AddressNotAssigned");
	assert_string_equal(gwc("default", "c", "Programmed"), "True/Programmed");
	assert_int_equal(json_array_size(out.groups), 3);
}

static void
test_gateway_vip_stable(void **state)
{
	(void)state;
	put(GC);
	gw_named("a", "2024-01-01T00:00:01Z");
	gw_named("b", "2024-01-01T00:00:02Z");
	tl();
	assert_string_equal(addrs("default", "a"), "10.0.0.1");
	assert_string_equal(addrs("default", "b"), "10.0.0.2");
	/* a goes away, an even older Gateway arrives: b keeps its address */
	assert_int_equal(gw_objcache_delete(cache, GW_KIND_GATEWAY, "default", "a"), 0);
	gw_named("old", "2020-01-01T00:00:00Z");
	tl();
	assert_string_equal(addrs("default", "b"), "10.0.0.2");
	assert_string_equal(addrs("default", "old"), "10.0.0.1");
	/* and nothing moves on a re-translation */
	tl();
	assert_string_equal(addrs("default", "b"), "10.0.0.2");
	assert_string_equal(addrs("default", "old"), "10.0.0.1");
}

static void
test_gateway_explicit_address_taken(void **state)
{
	(void)state;
	put(GC);
	putf("apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: %s\n"
		"  creationTimestamp: \"%s\"\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  addresses:\n"
		"  - value: 10.0.0.1\n"
		"  listeners:\n"
		"  - name: http\n"
		"    protocol: HTTP\n"
		"    port: 80\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: %s\n"
		"  creationTimestamp: \"%s\"\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  addresses:\n"
		"  - value: 10.0.0.1\n"
		"  listeners:\n"
		"  - name: http\n"
		"    protocol: HTTP\n"
		"    port: 80\n",
		"newer", "2024-01-01T00:00:02Z", "older", "2024-01-01T00:00:01Z");
	tl();
	assert_string_equal(gwc("default", "older", "Programmed"), "True/Programmed");
	assert_string_equal(addrs("default", "older"), "10.0.0.1");
	assert_string_equal(gwc("default", "newer", "Programmed"), "False/AddressNotUsable");
	assert_string_equal(groups(), "10.0.0.1:80[default/older/http]");
}

static void
test_gateway_generation_bump(void **state)
{
	(void)state;
	load(GC GW_HTTP);
	all_gen(status_of(GW_KIND_GATEWAY, "default", "gw"), 1);
	/* same spec again: no bump */
	load(GW_HTTP);
	all_gen(status_of(GW_KIND_GATEWAY, "default", "gw"), 1);
	/* conformance GatewayObservedGenerationBump: add a listener */
	load("apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: http\n"
		"    protocol: HTTP\n"
		"    port: 80\n"
		"  - name: alt\n"
		"    protocol: HTTP\n"
		"    port: 8080\n");
	assert_int_equal(gw_objcache_get(cache, GW_KIND_GATEWAY, "default", "gw")->generation, 2);
	all_gen(status_of(GW_KIND_GATEWAY, "default", "gw"), 2);
	assert_string_equal(LD("alt", "Programmed"), "True/Programmed");
	assert_int_equal(json_array_size(json_object_get(status_of(GW_KIND_GATEWAY, "default", "gw"),
		"listeners")), 2);
}

static void
test_last_transition_time(void **state)
{
	const char *t2 = "2023-11-14T22:30:00Z"; /* NOW0 + 1000 s */

	(void)state;
	load(GC GW_HTTP HR_PREFIX("r1", "/", "v1"));
	svc("default", "v1", "10.1.0.1");
	tl();
	assert_string_equal(ltt(obj_cond(GW_KIND_GATEWAY, "default", "gw", "Accepted")), NOW0_STR);
	assert_string_equal(ltt(find_cond(json_object_get(parent(GW_KIND_HTTPROUTE, "default", "r1",
		0), "conditions"), "Accepted")), NOW0_STR);
	/* later, nothing changed: every lastTransitionTime stays */
	now = NOW0 + 1000;
	tl();
	assert_string_equal(ltt(obj_cond(GW_KIND_GATEWAY, "default", "gw", "Accepted")), NOW0_STR);
	assert_string_equal(ltt(obj_cond(GW_KIND_GATEWAYCLASS, NULL, "dpgw", "Accepted")), NOW0_STR);
	assert_string_equal(ltt(find_cond(json_object_get(listener("default", "gw", "http"),
		"conditions"), "Programmed")), NOW0_STR);
	/* the route's ResolvedRefs flips: only that condition moves */
	assert_int_equal(gw_objcache_delete(cache, GW_KIND_SERVICE, "default", "v1"), 0);
	tl();
	assert_string_equal(HR("r1", "ResolvedRefs"), "False/BackendNotFound");
	assert_string_equal(ltt(find_cond(json_object_get(parent(GW_KIND_HTTPROUTE, "default", "r1",
		0), "conditions"), "ResolvedRefs")), t2);
	assert_string_equal(ltt(find_cond(json_object_get(parent(GW_KIND_HTTPROUTE, "default", "r1",
		0), "conditions"), "Accepted")), NOW0_STR);
}

/* ==== listeners ==== */

/* conformance GatewayInvalidListenersUnsupportedProtocol */
static void
test_listener_unsupported_protocol(void **state)
{
	(void)state;
	load(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gateway-supported-and-unsupported-protocols\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: http\n"
		"    port: 80\n"
		"    protocol: HTTP\n"
		"  - name: invalid\n"
		"    port: 8080\n"
		"    protocol: example.com/made-up\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gateway-only-unsupported-protocols\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: invalid\n"
		"    port: 8080\n"
		"    protocol: example.com/made-up\n");
	assert_string_equal(gwc("default", "gateway-only-unsupported-protocols", "Accepted"),
		"False/ListenersNotValid");
	assert_string_equal(lc("default", "gateway-only-unsupported-protocols", "invalid", "Accepted"),
		"False/UnsupportedProtocol");
	assert_string_equal(kinds("default", "gateway-only-unsupported-protocols", "invalid"), "");
	assert_string_equal(gwc("default", "gateway-supported-and-unsupported-protocols", "Accepted"),
		"True/ListenersNotValid");
	assert_string_equal(lc("default", "gateway-supported-and-unsupported-protocols", "http",
		"Accepted"), "True/Accepted");
	assert_string_equal(lc("default", "gateway-supported-and-unsupported-protocols", "invalid",
		"Accepted"), "False/UnsupportedProtocol");
	assert_string_equal(lc("default", "gateway-supported-and-unsupported-protocols", "invalid",
		"Programmed"), "False/Invalid");
	assert_string_equal(kinds("default", "gateway-supported-and-unsupported-protocols", "invalid"),
		"");
	assert_non_null(strstr(kinds("default", "gateway-supported-and-unsupported-protocols", "http"),
		"HTTPRoute"));
	assert_int_equal(attached("default", "gateway-supported-and-unsupported-protocols", "invalid"),
		0);
}

static void
test_listener_hostname_conflict(void **state)
{
	(void)state;
	load(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: a\n"
		"    port: 80\n"
		"    protocol: HTTP\n"
		"    hostname: foo.example.com\n"
		"  - name: b\n"
		"    port: 80\n"
		"    protocol: HTTP\n"
		"    hostname: FOO.example.com\n"
		"  - name: c\n"
		"    port: 80\n"
		"    protocol: HTTP\n"
		"    hostname: bar.example.com\n"
		"---\n"
		HR_PREFIX("r1", "/", "v1"));
	svc("default", "v1", "10.1.0.1");
	tl();
	assert_string_equal(LD("a", "Conflicted"), "True/HostnameConflict");
	assert_string_equal(LD("b", "Conflicted"), "True/HostnameConflict");
	assert_string_equal(LD("c", "Conflicted"), "False/NoConflicts");
	assert_string_equal(strchr(GWD("Accepted"), '/'), "/ListenersNotValid");
	/* none of the conflicting listeners wins (ListenerSetHostnameConflict's conditions) */
	assert_string_equal(LD("a", "Accepted"), "False/HostnameConflict");
	assert_string_equal(LD("b", "Accepted"), "False/HostnameConflict");
	assert_true(starts(LD("a", "Programmed"), "False/"));
	assert_true(starts(LD("b", "Programmed"), "False/"));
	assert_string_equal(LD("c", "Programmed"), "True/Programmed");
	assert_string_equal(M(.host = "foo.example.com"), "404");
	assert_string_equal(M(.host = "bar.example.com"), "r1#0");
	assert_string_equal(groups(), "10.0.0.1:80[default/gw/c]");
}

static void
test_listener_protocol_conflict(void **state)
{
	(void)state;
	load(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: http\n"
		"    port: 80\n"
		"    protocol: HTTP\n"
		"  - name: tcp\n"
		"    port: 80\n"
		"    protocol: TCP\n"
		"  - name: tcp2\n"
		"    port: 5000\n"
		"    protocol: TCP\n"
		"  - name: udp2\n"
		"    port: 5000\n"
		"    protocol: UDP\n"
		"  - name: tcp3\n"
		"    port: 6000\n"
		"    protocol: TCP\n"
		"  - name: tcp4\n"
		"    port: 6000\n"
		"    protocol: TCP\n");
	assert_string_equal(LD("http", "Conflicted"), "True/ProtocolConflict");
	assert_string_equal(LD("tcp", "Conflicted"), "True/ProtocolConflict");
	assert_string_equal(LD("http", "Accepted"), "False/ProtocolConflict");
	assert_true(starts(LD("tcp", "Programmed"), "False/"));
	assert_string_equal(strchr(GWD("Accepted"), '/'), "/ListenersNotValid");
	/* TCP and UDP on one port are distinct */
	assert_string_equal(LD("tcp2", "Conflicted"), "False/NoConflicts");
	assert_string_equal(LD("udp2", "Conflicted"), "False/NoConflicts");
	assert_string_equal(LD("udp2", "Accepted"), "True/Accepted");
	/* two TCP listeners on one port are not (no hostname to tell them apart) */
	assert_true(starts(LD("tcp3", "Conflicted"), "True/"));
	assert_true(starts(LD("tcp4", "Conflicted"), "True/"));
	assert_int_equal(json_array_size(out.groups), 0);
}

static void
test_listener_distinct_hostnames_share_port(void **state)
{
	(void)state;
	load(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: a\n"
		"    port: 80\n"
		"    protocol: HTTP\n"
		"    hostname: a.example.com\n"
		"  - name: b\n"
		"    port: 80\n"
		"    protocol: HTTP\n"
		"    hostname: \"*.example.com\"\n"
		"  - name: any\n"
		"    port: 80\n"
		"    protocol: HTTP\n"
		"  - name: other-port\n"
		"    port: 8080\n"
		"    protocol: HTTP\n"
		"    hostname: a.example.com\n");
	assert_string_equal(GWD("Accepted"), "True/Accepted");
	assert_string_equal(LD("a", "Conflicted"), "False/NoConflicts");
	assert_string_equal(LD("b", "Conflicted"), "False/NoConflicts");
	assert_string_equal(LD("any", "Conflicted"), "False/NoConflicts");
	assert_string_equal(groups(), "10.0.0.1:80[default/gw/a,default/gw/b,default/gw/any] "
		"10.0.0.1:8080[default/gw/other-port]");
}

static const char *const allowed_gw =
	"apiVersion: gateway.networking.k8s.io/v1\n"
	"kind: Gateway\n"
	"metadata:\n"
	"  name: gw\n"
	"  namespace: infra\n"
	"spec:\n"
	"  gatewayClassName: dpgw\n"
	"  listeners:\n"
	"  - name: http\n"
	"    port: 80\n"
	"    protocol: HTTP\n"
	"    allowedRoutes:\n"
	"      namespaces:\n"
	"%s";

static void
route_in(const char *ns, const char *name)
{
	putf("apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: %s\n"
		"  namespace: %s\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"    namespace: infra\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - name: v1\n"
		"      port: 8080\n", name, ns);
}

static const char *
route_acc(const char *ns, const char *name)
{
	return pc(GW_KIND_HTTPROUTE, ns, name, 0, "Accepted");
}

static void
test_allowed_routes_same(void **state)
{
	(void)state;
	put(GC);
	putf(allowed_gw, "        from: Same\n");
	route_in("infra", "r-same");
	route_in("team-a", "r-other");
	tl();
	assert_string_equal(route_acc("infra", "r-same"), "True/Accepted");
	assert_string_equal(route_acc("team-a", "r-other"), "False/NotAllowedByListeners");
	assert_int_equal(attached("infra", "gw", "http"), 1);
}

static void
test_allowed_routes_default_is_same(void **state)
{
	(void)state;
	load(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"  namespace: infra\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: http\n"
		"    port: 80\n"
		"    protocol: HTTP\n");
	route_in("infra", "r-same");
	route_in("team-a", "r-other");
	tl();
	assert_string_equal(route_acc("infra", "r-same"), "True/Accepted");
	assert_string_equal(route_acc("team-a", "r-other"), "False/NotAllowedByListeners");
}

static void
test_allowed_routes_all(void **state)
{
	(void)state;
	put(GC);
	putf(allowed_gw, "        from: All\n");
	route_in("infra", "r-same");
	route_in("team-a", "r-other");
	tl();
	assert_string_equal(route_acc("infra", "r-same"), "True/Accepted");
	assert_string_equal(route_acc("team-a", "r-other"), "True/Accepted");
	assert_int_equal(attached("infra", "gw", "http"), 2);
	assert_string_equal(M(.path = "/"), "infra/r-same#0");
}

static void
test_allowed_routes_none(void **state)
{
	(void)state;
	put(GC);
	putf(allowed_gw, "        from: None\n");
	route_in("infra", "r-same");
	tl();
	assert_string_equal(route_acc("infra", "r-same"), "False/NotAllowedByListeners");
	assert_int_equal(attached("infra", "gw", "http"), 0);
	assert_string_equal(M(.path = "/"), "404");
}

static const char *const namespaces_yaml =
	"apiVersion: v1\n"
	"kind: Namespace\n"
	"metadata:\n"
	"  name: team-a\n"
	"  labels:\n"
	"    env: prod\n"
	"    tier: web\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Namespace\n"
	"metadata:\n"
	"  name: team-b\n"
	"  labels:\n"
	"    env: dev\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Namespace\n"
	"metadata:\n"
	"  name: team-c\n"
	"---\n";

static void
test_allowed_routes_selector_match_labels(void **state)
{
	(void)state;
	put(GC);
	put(namespaces_yaml);
	putf(allowed_gw, "        from: Selector\n"
		"        selector:\n"
		"          matchLabels:\n"
		"            env: prod\n");
	route_in("team-a", "r");
	route_in("team-b", "r");
	route_in("team-c", "r");
	route_in("infra", "r");
	tl();
	assert_string_equal(route_acc("team-a", "r"), "True/Accepted");
	assert_string_equal(route_acc("team-b", "r"), "False/NotAllowedByListeners");
	assert_string_equal(route_acc("team-c", "r"), "False/NotAllowedByListeners");
	/* Selector does not include the Gateway's own namespace by itself */
	assert_string_equal(route_acc("infra", "r"), "False/NotAllowedByListeners");
	assert_int_equal(attached("infra", "gw", "http"), 1);
	/* the label changes: access follows */
	put("apiVersion: v1\n"
		"kind: Namespace\n"
		"metadata:\n"
		"  name: team-b\n"
		"  labels:\n"
		"    env: prod\n");
	tl();
	assert_string_equal(route_acc("team-b", "r"), "True/Accepted");
	assert_int_equal(attached("infra", "gw", "http"), 2);
}

static void
test_allowed_routes_selector_match_expressions(void **state)
{
	static const struct {
		const char *expr;
		const char *a, *b, *c;     /* expected for team-a, team-b, team-c */
	} cases[] = {
		{"- {key: env, operator: In, values: [prod, staging]}\n", "T", "F", "F"},
		{"- {key: env, operator: NotIn, values: [prod]}\n", "F", "T", "T"},
		{"- {key: env, operator: Exists}\n", "T", "T", "F"},
		{"- {key: env, operator: DoesNotExist}\n", "F", "F", "T"},
		{"- {key: env, operator: In, values: [prod, dev]}\n"
		 "          - {key: tier, operator: Exists}\n", "T", "F", "F"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char sel[512];
		const char *want[3] = {cases[i].a, cases[i].b, cases[i].c};
		const char *nss[3] = {"team-a", "team-b", "team-c"};

		teardown(NULL);
		setup(NULL);
		put(GC);
		put(namespaces_yaml);
		snprintf(sel, sizeof(sel), "        from: Selector\n"
			"        selector:\n"
			"          matchExpressions:\n"
			"          %s", cases[i].expr);
		putf(allowed_gw, sel);
		for (int k = 0; k < 3; k++)
			route_in(nss[k], "r");
		tl();
		for (int k = 0; k < 3; k++) {
			const char *exp = *want[k] == 'T' ? "True/Accepted" :
				"False/NotAllowedByListeners";

			if (strcmp(route_acc(nss[k], "r"), exp) != 0)
				fail_msg("case %zu (%s) %s: got %s, want %s", i, cases[i].expr, nss[k],
					route_acc(nss[k], "r"), exp);
		}
	}
}

/* conformance GatewayWithAttachedRoutes: kubernetes.io/metadata.name is on every namespace */
static void
test_allowed_routes_selector_metadata_name(void **state)
{
	(void)state;
	put(GC);
	/* no Namespace objects at all: the label is implicit */
	putf(allowed_gw, "        from: Selector\n"
		"        selector:\n"
		"          matchLabels:\n"
		"            kubernetes.io/metadata.name: team-a\n");
	route_in("team-a", "r");
	route_in("team-b", "r");
	tl();
	assert_string_equal(route_acc("team-a", "r"), "True/Accepted");
	assert_string_equal(route_acc("team-b", "r"), "False/NotAllowedByListeners");
}

/* conformance GatewayInvalidRouteKind */
static void
test_listener_invalid_route_kinds(void **state)
{
	(void)state;
	load(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gateway-only-invalid-route-kind\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: http\n"
		"    port: 80\n"
		"    protocol: HTTP\n"
		"    allowedRoutes:\n"
		"      kinds:\n"
		"      - kind: InvalidRoute\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gateway-supported-and-invalid-route-kind\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: http\n"
		"    port: 80\n"
		"    protocol: HTTP\n"
		"    allowedRoutes:\n"
		"      kinds:\n"
		"      - kind: InvalidRoute\n"
		"      - kind: HTTPRoute\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: tcp-kind-on-http\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: http\n"
		"    port: 80\n"
		"    protocol: HTTP\n"
		"    allowedRoutes:\n"
		"      kinds:\n"
		"      - kind: TCPRoute\n");
	assert_string_equal(lc("default", "gateway-only-invalid-route-kind", "http", "ResolvedRefs"),
		"False/InvalidRouteKinds");
	assert_string_equal(kinds("default", "gateway-only-invalid-route-kind", "http"), "");
	assert_int_equal(attached("default", "gateway-only-invalid-route-kind", "http"), 0);
	assert_string_equal(lc("default", "gateway-supported-and-invalid-route-kind", "http",
		"ResolvedRefs"), "False/InvalidRouteKinds");
	assert_string_equal(kinds("default", "gateway-supported-and-invalid-route-kind", "http"),
		"HTTPRoute");
	/* a route kind the protocol cannot carry is invalid too */
	assert_string_equal(lc("default", "tcp-kind-on-http", "http", "ResolvedRefs"),
		"False/InvalidRouteKinds");
	assert_string_equal(kinds("default", "tcp-kind-on-http", "http"), "");
}

static void
test_listener_default_supported_kinds(void **state)
{
	(void)state;
	load(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - {name: http, port: 80, protocol: HTTP}\n"
		"  - {name: tcp, port: 5000, protocol: TCP}\n"
		"  - {name: udp, port: 5001, protocol: UDP}\n"
		"  - name: tls\n"
		"    port: 443\n"
		"    protocol: TLS\n"
		"    tls:\n"
		"      mode: Passthrough\n");
	assert_non_null(strstr(kinds("default", "gw", "http"), "HTTPRoute"));
	assert_null(strstr(kinds("default", "gw", "http"), "TCPRoute"));
	assert_string_equal(kinds("default", "gw", "tcp"), "TCPRoute");
	assert_string_equal(kinds("default", "gw", "udp"), "UDPRoute");
	assert_string_equal(kinds("default", "gw", "tls"), "TLSRoute");
	assert_string_equal(LD("tls", "Programmed"), "True/Programmed");
	assert_string_equal(GWD("Accepted"), "True/Accepted");
}

/* conformance GatewayWithAttachedRoutes (three Gateways) */
static void
test_gateway_with_attached_routes(void **state)
{
	(void)state;
	put(GC);
	putf("apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gateway-with-two-attached-routes\n"
		"  namespace: gateway-conformance-infra\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: http\n"
		"    port: 80\n"
		"    protocol: HTTP\n"
		"    hostname: \"foo.example.com\"\n"
		"    allowedRoutes:\n"
		"      kinds:\n"
		"      - kind: HTTPRoute\n"
		"      namespaces:\n"
		"        from: Selector\n"
		"        selector:\n"
		"          matchLabels:\n"
		"            kubernetes.io/metadata.name: gateway-conformance-infra\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: unresolved-gateway-with-one-attached-unresolved-route\n"
		"  namespace: gateway-conformance-infra\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: tls\n"
		"    port: 443\n"
		"    protocol: HTTPS\n"
		"    allowedRoutes:\n"
		"      kinds:\n"
		"      - kind: HTTPRoute\n"
		"      namespaces:\n"
		"        from: Selector\n"
		"        selector:\n"
		"          matchLabels:\n"
		"            kubernetes.io/metadata.name: gateway-conformance-infra\n"
		"    tls:\n"
		"      certificateRefs:\n"
		"      - group: \"\"\n"
		"        kind: Secret\n"
		"        name: does-not-exist\n"
		"      mode: Terminate\n");
	for (int i = 2; i <= 3; i++)
		putf("apiVersion: gateway.networking.k8s.io/v1\n"
			"kind: HTTPRoute\n"
			"metadata:\n"
			"  name: http-route-%d\n"
			"  namespace: gateway-conformance-infra\n"
			"spec:\n"
			"  parentRefs:\n"
			"  - kind: Gateway\n"
			"    name: gateway-with-two-attached-routes\n"
			"    namespace: gateway-conformance-infra\n"
			"  rules:\n"
			"  - backendRefs:\n"
			"    - name: infra-backend-v1\n"
			"      port: 8080\n", i);
	put("apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: http-route-not-accepted\n"
		"  namespace: gateway-conformance-infra\n"
		"spec:\n"
		"  hostnames:\n"
		"  - \"not-accepted.test.com\"\n"
		"  parentRefs:\n"
		"  - kind: Gateway\n"
		"    name: gateway-with-two-attached-routes\n"
		"    namespace: gateway-conformance-infra\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - name: infra-backend-v1\n"
		"      port: 8080\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: http-route-4\n"
		"  namespace: gateway-conformance-infra\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - kind: Gateway\n"
		"    name: unresolved-gateway-with-one-attached-unresolved-route\n"
		"    namespace: gateway-conformance-infra\n"
		"    sectionName: tls\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - name: does-not-exist\n"
		"      port: 8080\n");
	svc("gateway-conformance-infra", "infra-backend-v1", "10.1.0.1");
	tl();
	assert_int_equal(attached("gateway-conformance-infra", "gateway-with-two-attached-routes",
		"http"), 2);
	assert_string_equal(lc("gateway-conformance-infra", "gateway-with-two-attached-routes", "http",
		"Accepted"), "True/Accepted");
	assert_string_equal(lc("gateway-conformance-infra", "gateway-with-two-attached-routes", "http",
		"ResolvedRefs"), "True/ResolvedRefs");
	assert_string_equal(pc(GW_KIND_HTTPROUTE, "gateway-conformance-infra",
		"http-route-not-accepted", 0, "Accepted"), "False/NoMatchingListenerHostname");
	assert_string_equal(kinds("gateway-conformance-infra",
		"unresolved-gateway-with-one-attached-unresolved-route", "tls"), "HTTPRoute");
	assert_int_equal(attached("gateway-conformance-infra",
		"unresolved-gateway-with-one-attached-unresolved-route", "tls"), 1);
	assert_true(starts(lc("gateway-conformance-infra",
		"unresolved-gateway-with-one-attached-unresolved-route", "tls", "Programmed"), "False/"));
	assert_string_equal(lc("gateway-conformance-infra",
		"unresolved-gateway-with-one-attached-unresolved-route", "tls", "ResolvedRefs"),
		"False/InvalidCertificateRef");
	assert_string_equal(pc(GW_KIND_HTTPROUTE, "gateway-conformance-infra", "http-route-4", 0,
		"ResolvedRefs"), "False/BackendNotFound");
}

/* ==== HTTPS listeners and certificateRefs ==== */

static const char *const https_gw =
	"apiVersion: gateway.networking.k8s.io/v1\n"
	"kind: Gateway\n"
	"metadata:\n"
	"  name: gw\n"
	"spec:\n"
	"  gatewayClassName: dpgw\n"
	"  listeners:\n"
	"  - name: https\n"
	"    port: 443\n"
	"    protocol: HTTPS\n"
	"    hostname: example.com\n"
	"    tls:\n"
	"      mode: Terminate\n"
	"      certificateRefs:\n"
	"      - kind: Secret\n"
	"        group: \"\"\n"
	"        name: %s\n"
	"%s";

static void
test_https_valid_certificate(void **state)
{
	(void)state;
	put(GC);
	putf(https_gw, "tls", "");
	secret("default", "tls", CERT_B64, KEY_B64);
	put(HR_PREFIX("r1", "/", "v1"));
	svc("default", "v1", "10.1.0.1");
	tl();
	assert_string_equal(LD("https", "ResolvedRefs"), "True/ResolvedRefs");
	assert_string_equal(LD("https", "Accepted"), "True/Accepted");
	assert_string_equal(LD("https", "Programmed"), "True/Programmed");
	assert_int_equal(out.n_certs, 1);
	assert_string_equal(out.certs[0].listener, "default/gw/https");
	assert_string_equal(out.certs[0].secret, "default/tls");
	assert_non_null(out.certs[0].x509);
	assert_non_null(out.certs[0].pkey);
	assert_string_equal(groups(), "10.0.0.1:443[default/gw/https]");
	assert_string_equal(json_string_value(json_object_get(json_array_get(out.groups, 0),
		"protocol")) ?: "", "HTTPS");
	assert_string_equal(M(.port = 443, .host = "example.com"), "r1#0");
	assert_string_equal(B(.port = 443, .host = "example.com"), "v1");
	assert_true(RULE(.port = 443, .host = "example.com") != NULL);
}

static void
test_https_missing_secret(void **state)
{
	(void)state;
	put(GC);
	putf(https_gw, "nope", "");
	put(HR_PREFIX("r1", "/", "v1"));
	tl();
	assert_string_equal(LD("https", "ResolvedRefs"), "False/InvalidCertificateRef");
	assert_true(starts(LD("https", "Programmed"), "False/"));
	assert_int_equal(out.n_certs, 0);
	assert_int_equal(json_array_size(out.groups), 0);
	/* the route still attaches and is counted (GatewayWithAttachedRoutes) */
	assert_int_equal(attached("default", "gw", "https"), 1);
}

static void
test_https_garbage_pem(void **state)
{
	(void)state;
	put(GC);
	putf(https_gw, "tls", "");
	/* base64 of "-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----\n" */
	secret("default", "tls",
		"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCm5vdCBhIGNlcnQKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=",
		KEY_B64);
	tl();
	assert_string_equal(LD("https", "ResolvedRefs"), "False/InvalidCertificateRef");
	assert_int_equal(out.n_certs, 0);
	/* a key that is not the certificate's */
	secret("default", "tls", CERT_B64, KEY2_B64);
	tl();
	assert_string_equal(LD("https", "ResolvedRefs"), "False/InvalidCertificateRef");
	/* not base64 at all */
	secret("default", "tls", "not*base64!!", KEY_B64);
	tl();
	assert_string_equal(LD("https", "ResolvedRefs"), "False/InvalidCertificateRef");
	/* fixed: the listener recovers */
	secret("default", "tls", CERT_B64, KEY_B64);
	tl();
	assert_string_equal(LD("https", "ResolvedRefs"), "True/ResolvedRefs");
	assert_int_equal(out.n_certs, 1);
}

static void
test_https_no_certificate_refs(void **state)
{
	(void)state;
	load(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: https\n"
		"    port: 443\n"
		"    protocol: HTTPS\n"
		"    tls:\n"
		"      mode: Terminate\n");
	assert_string_equal(LD("https", "ResolvedRefs"), "False/InvalidCertificateRef");
	assert_int_equal(json_array_size(out.groups), 0);
}

static const char *const grant_secret =
	"apiVersion: gateway.networking.k8s.io/v1beta1\n"
	"kind: ReferenceGrant\n"
	"metadata:\n"
	"  name: allow-gw\n"
	"  namespace: certs\n"
	"spec:\n"
	"  from:\n"
	"  - group: gateway.networking.k8s.io\n"
	"    kind: Gateway\n"
	"    namespace: %s\n"
	"  to:\n"
	"  - group: \"\"\n"
	"    kind: Secret\n"
	"%s";

/* conformance GatewaySecretMissingReferenceGrant / GatewaySecretReferenceGrant* */
static void
test_https_cross_namespace_secret(void **state)
{
	(void)state;
	put(GC);
	putf(https_gw, "tls", "        namespace: certs\n");
	secret("certs", "tls", CERT_B64, KEY_B64);
	tl();
	assert_string_equal(LD("https", "ResolvedRefs"), "False/RefNotPermitted");
	assert_int_equal(out.n_certs, 0);
	/* a grant from another namespace does not count (GatewaySecretInvalidReferenceGrant) */
	putf(grant_secret, "elsewhere", "");
	tl();
	assert_string_equal(LD("https", "ResolvedRefs"), "False/RefNotPermitted");
	/* a grant for another Secret by name does not count */
	putf(grant_secret, "default", "    name: other\n");
	tl();
	assert_string_equal(LD("https", "ResolvedRefs"), "False/RefNotPermitted");
	/* the specific Secret (GatewaySecretReferenceGrantSpecific) */
	putf(grant_secret, "default", "    name: tls\n");
	tl();
	assert_string_equal(LD("https", "ResolvedRefs"), "True/ResolvedRefs");
	assert_string_equal(LD("https", "Programmed"), "True/Programmed");
	assert_int_equal(out.n_certs, 1);
	assert_string_equal(out.certs[0].secret, "certs/tls");
	/* all Secrets of the namespace (GatewaySecretReferenceGrantAllInNamespace) */
	putf(grant_secret, "default", "");
	tl();
	assert_string_equal(LD("https", "ResolvedRefs"), "True/ResolvedRefs");
	/* removing the grant revokes */
	assert_int_equal(gw_objcache_delete(cache, GW_KIND_REFERENCEGRANT, "certs", "allow-gw"), 0);
	tl();
	assert_string_equal(LD("https", "ResolvedRefs"), "False/RefNotPermitted");
	assert_int_equal(out.n_certs, 0);
}

/* ==== parentRefs ==== */

static const char *const two_listener_gw =
	"apiVersion: gateway.networking.k8s.io/v1\n"
	"kind: Gateway\n"
	"metadata:\n"
	"  name: gw\n"
	"spec:\n"
	"  gatewayClassName: dpgw\n"
	"  listeners:\n"
	"  - name: http\n"
	"    port: 80\n"
	"    protocol: HTTP\n"
	"  - name: alt\n"
	"    port: 8080\n"
	"    protocol: HTTP\n"
	"  - name: alt-b\n"
	"    port: 8080\n"
	"    protocol: HTTP\n"
	"    hostname: b.example.com\n"
	"---\n";

static void
route_ref(const char *name, const char *ref)
{
	putf("apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: %s\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"%s"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - name: v1\n"
		"      port: 8080\n", name, ref);
}

static void
test_parentref_section_name(void **state)
{
	(void)state;
	put(GC);
	put(two_listener_gw);
	route_ref("r1", "    sectionName: alt\n");
	tl();
	assert_string_equal(HR("r1", "Accepted"), "True/Accepted");
	assert_int_equal(attached("default", "gw", "http"), 0);
	assert_int_equal(attached("default", "gw", "alt"), 1);
	assert_int_equal(attached("default", "gw", "alt-b"), 0);
	assert_string_equal(M(.port = 80), "404");
	assert_string_equal(M(.port = 8080, .host = "a.example.com"), "r1#0");
	assert_string_equal(M(.port = 8080, .host = "b.example.com"), "404");
	/* the entry echoes the parentRef as written */
	assert_string_equal(json_string_value(json_object_get(json_object_get(parent(
		GW_KIND_HTTPROUTE, "default", "r1", 0), "parentRef"), "sectionName")) ?: "", "alt");
}

/* conformance HTTPRouteListenerPortMatching / HTTPRouteParentRefPort */
static void
test_parentref_port(void **state)
{
	(void)state;
	put(GC);
	put(two_listener_gw);
	route_ref("r1", "    port: 8080\n");
	tl();
	assert_string_equal(HR("r1", "Accepted"), "True/Accepted");
	assert_int_equal(attached("default", "gw", "http"), 0);
	assert_int_equal(attached("default", "gw", "alt"), 1);
	assert_int_equal(attached("default", "gw", "alt-b"), 1);
	assert_string_equal(M(.port = 80), "404");
	assert_string_equal(M(.port = 8080, .host = "a.example.com"), "r1#0");
	assert_string_equal(M(.port = 8080, .host = "b.example.com"), "r1#0");
}

static void
test_parentref_port_and_section(void **state)
{
	(void)state;
	put(GC);
	put(two_listener_gw);
	route_ref("both", "    port: 8080\n    sectionName: alt-b\n");
	route_ref("mismatch", "    port: 80\n    sectionName: alt-b\n");
	tl();
	assert_string_equal(HR("both", "Accepted"), "True/Accepted");
	assert_string_equal(HR("mismatch", "Accepted"), "False/NoMatchingParent");
	assert_int_equal(attached("default", "gw", "alt-b"), 1);
	assert_int_equal(attached("default", "gw", "alt"), 0);
	assert_string_equal(M(.port = 8080, .host = "b.example.com"), "both#0");
}

/* conformance HTTPRouteInvalidParentRefNotMatchingSectionName / ...ListenerPort */
static void
test_parentref_no_matching_parent(void **state)
{
	(void)state;
	put(GC);
	put(two_listener_gw);
	route_ref("bad-section", "    sectionName: does-not-exist\n");
	route_ref("bad-port", "    port: 81\n");
	tl();
	assert_string_equal(HR("bad-section", "Accepted"), "False/NoMatchingParent");
	assert_string_equal(HR("bad-port", "Accepted"), "False/NoMatchingParent");
	assert_int_equal(attached("default", "gw", "http"), 0);
	assert_int_equal(attached("default", "gw", "alt"), 0);
	all_gen(status_of(GW_KIND_HTTPROUTE, "default", "bad-port"), 1);
}

static void
test_parentref_other_controller(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: GatewayClass\n"
		"metadata:\n"
		"  name: other\n"
		"spec:\n"
		"  controllerName: example.net/other\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: theirs\n"
		"spec:\n"
		"  gatewayClassName: other\n"
		"  listeners:\n"
		"  - name: http\n"
		"    protocol: HTTP\n"
		"    port: 80\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: only-theirs\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: theirs\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: both\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: theirs\n"
		"  - name: gw\n"
		"  - name: missing-gateway\n");
	assert_int_equal(nparents(GW_KIND_HTTPROUTE, "default", "only-theirs"), 0);
	assert_int_equal(nparents(GW_KIND_HTTPROUTE, "default", "both"), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(parent(
		GW_KIND_HTTPROUTE, "default", "both", 0), "parentRef"), "name")) ?: "", "gw");
	assert_string_equal(pc(GW_KIND_HTTPROUTE, "default", "both", 0, "Accepted"), "True/Accepted");
	assert_null(status_of(GW_KIND_GATEWAY, "default", "theirs"));
}

/* conformance HTTPRouteInvalidCrossNamespaceParentRef */
static void
test_parentref_cross_namespace(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: invalid-cross-namespace-parent-ref\n"
		"  namespace: gateway-conformance-web-backend\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"    namespace: default\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - name: web-backend\n"
		"      port: 8080\n");
	assert_string_equal(pc(GW_KIND_HTTPROUTE, "gateway-conformance-web-backend",
		"invalid-cross-namespace-parent-ref", 0, "Accepted"), "False/NotAllowedByListeners");
	assert_int_equal(attached("default", "gw", "http"), 0);
	assert_string_equal(M(.path = "/"), "404");
}

static void
test_route_two_parents(void **state)
{
	(void)state;
	put(GC);
	gw_named("a", "2024-01-01T00:00:01Z");
	gw_named("b", "2024-01-01T00:00:02Z");
	put("apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: a\n"
		"  - name: b\n"
		"    sectionName: nope\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - name: v1\n"
		"      port: 8080\n");
	svc("default", "v1", "10.1.0.1");
	tl();
	assert_int_equal(nparents(GW_KIND_HTTPROUTE, "default", "r"), 2);
	assert_string_equal(pc(GW_KIND_HTTPROUTE, "default", "r", 0, "Accepted"), "True/Accepted");
	assert_string_equal(pc(GW_KIND_HTTPROUTE, "default", "r", 1, "Accepted"),
		"False/NoMatchingParent");
	assert_string_equal(pc(GW_KIND_HTTPROUTE, "default", "r", 0, "ResolvedRefs"),
		"True/ResolvedRefs");
	assert_string_equal(M(.vip = "10.0.0.1"), "r#0");
	assert_string_equal(M(.vip = "10.0.0.2"), "404");
}

/* ==== hostnames ==== */

static void
test_host_intersect_table(void **state)
{
	static const struct {
		const char *l, *r, *want;  /* want NULL: no intersection */
	} cases[] = {
		{NULL, NULL, ""},
		{"", "", ""},
		{NULL, "foo.example.com", "foo.example.com"},
		{"foo.example.com", NULL, "foo.example.com"},
		{"foo.example.com", "", "foo.example.com"},
		{"foo.example.com", "foo.example.com", "foo.example.com"},
		{"foo.example.com", "FOO.Example.com", "foo.example.com"},
		{"foo.example.com", "bar.example.com", NULL},
		{"*.example.com", "foo.example.com", "foo.example.com"},
		{"*.example.com", "foo.bar.example.com", "foo.bar.example.com"},
		{"*.example.com", "example.com", NULL},
		{"*.example.com", "fooexample.com", NULL},
		{"foo.example.com", "*.example.com", "foo.example.com"},
		{"example.com", "*.example.com", NULL},
		{"*.example.com", "*.example.com", "*.example.com"},
		{"*.example.com", "*.foo.example.com", "*.foo.example.com"},
		{"*.foo.example.com", "*.example.com", "*.foo.example.com"},
		{"*.example.com", "*.example.net", NULL},
		{"*.example.com", "*.com", "*.example.com"},
		{"*.wildcard.io", "wildcard.io", NULL},
		{"very.specific.com", "*.specific.com", "very.specific.com"},
		{"*.anotherwildcard.io", "*.anotherwildcard.io", "*.anotherwildcard.io"},
		{"*.foo.com", "*.barfoo.com", NULL},
		{"*.barfoo.com", "*.foo.com", NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[256] = "x";
		int rc = gw_translate_host_intersect(cases[i].l, cases[i].r, buf, sizeof(buf));

		if (rc != (cases[i].want != NULL) || (rc && strcmp(buf, cases[i].want) != 0))
			fail_msg("intersect(%s, %s): rc %d \"%s\", want %s", cases[i].l ?: "NULL",
				cases[i].r ?: "NULL", rc, buf, cases[i].want ?: "no intersection");
	}
}

/* conformance HTTPRouteHostnameIntersection, first Gateway: every case */
static void
test_hostname_intersection_conformance(void **state)
{
	static const struct {
		const char *host, *path, *want;
	} cases[] = {
		/* specific-host-matches-listener-specific-host */
		{"very.specific.com", "/s1", "infra-backend-v1"},
		{"very.specific.com:1234", "/s1", "infra-backend-v1"},
		{"non.matching.com", "/s1", "404"},
		{"foo.nonmatchingwildcard.io", "/s1", "404"},
		{"foo.wildcard.io", "/s1", "404"},
		{"very.specific.com", "/non-matching-prefix", "404"},
		/* specific-host-matches-listener-wildcard-host */
		{"foo.wildcard.io", "/s2", "infra-backend-v2"},
		{"bar.wildcard.io", "/s2", "infra-backend-v2"},
		{"foo.bar.wildcard.io", "/s2", "infra-backend-v2"},
		{"non.matching.com", "/s2", "404"},
		{"wildcard.io", "/s2", "404"},
		{"very.specific.com", "/s2", "404"},
		{"foo.wildcard.io", "/non-matching-prefix", "404"},
		/* wildcard-host-matches-listener-specific-host */
		{"very.specific.com", "/s3", "infra-backend-v3"},
		{"non.matching.com", "/s3", "404"},
		{"foo.specific.com", "/s3", "404"},
		{"foo.wildcard.io", "/s3", "404"},
		{"very.specific.com", "/non-matching-prefix", "404"},
		/* wildcard-host-matches-listener-wildcard-host */
		{"foo.anotherwildcard.io", "/s4", "infra-backend-v1"},
		{"bar.anotherwildcard.io", "/s4", "infra-backend-v1"},
		{"foo.bar.anotherwildcard.io", "/s4", "infra-backend-v1"},
		{"anotherwildcard.io", "/s4", "404"},
		{"foo.wildcard.io", "/s4", "404"},
		{"very.specific.com", "/s4", "404"},
		{"foo.anotherwildcard.io", "/non-matching-prefix", "404"},
		/* no-intersecting-hosts */
		{"specific.but.wrong.com", "/s5", "404"},
		{"wildcard.io", "/s5", "404"},
	};
	static const char *const rt =
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: %s\n"
		"  namespace: gateway-conformance-infra\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: httproute-hostname-intersection\n"
		"    namespace: gateway-conformance-infra\n"
		"  hostnames:\n"
		"%s"
		"  rules:\n"
		"  - matches:\n"
		"    - path:\n"
		"        type: PathPrefix\n"
		"        value: %s\n"
		"    backendRefs:\n"
		"    - name: %s\n"
		"      port: 8080\n";
	const char *ns = "gateway-conformance-infra", *gw = "httproute-hostname-intersection";

	(void)state;
	put(GC
		"apiVersion: gateway.networking.k8s.io/v1beta1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: httproute-hostname-intersection\n"
		"  namespace: gateway-conformance-infra\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: listener-1\n"
		"    port: 80\n"
		"    protocol: HTTP\n"
		"    allowedRoutes:\n"
		"      namespaces:\n"
		"        from: Same\n"
		"    hostname: very.specific.com\n"
		"  - name: listener-2\n"
		"    port: 80\n"
		"    protocol: HTTP\n"
		"    allowedRoutes:\n"
		"      namespaces:\n"
		"        from: Same\n"
		"    hostname: \"*.wildcard.io\"\n"
		"  - name: listener-3\n"
		"    port: 80\n"
		"    protocol: HTTP\n"
		"    allowedRoutes:\n"
		"      namespaces:\n"
		"        from: Same\n"
		"    hostname: \"*.anotherwildcard.io\"\n");
	putf(rt, "specific-host-matches-listener-specific-host",
		"  - non.matching.com\n  - \"*.nonmatchingwildcard.io\"\n  - very.specific.com\n",
		"/s1", "infra-backend-v1");
	putf(rt, "specific-host-matches-listener-wildcard-host",
		"  - non.matching.com\n  - wildcard.io\n  - foo.wildcard.io\n  - bar.wildcard.io\n"
		"  - foo.bar.wildcard.io\n", "/s2", "infra-backend-v2");
	putf(rt, "wildcard-host-matches-listener-specific-host",
		"  - non.matching.com\n  - \"*.specific.com\"\n", "/s3", "infra-backend-v3");
	putf(rt, "wildcard-host-matches-listener-wildcard-host", "  - \"*.anotherwildcard.io\"\n",
		"/s4", "infra-backend-v1");
	putf(rt, "no-intersecting-hosts", "  - specific.but.wrong.com\n  - wildcard.io\n", "/s5",
		"infra-backend-v2");
	svc(ns, "infra-backend-v1", "10.1.0.1");
	svc(ns, "infra-backend-v2", "10.1.0.2");
	svc(ns, "infra-backend-v3", "10.1.0.3");
	tl();
	assert_string_equal(gwc(ns, gw, "Accepted"), "True/Accepted");
	assert_string_equal(pc(GW_KIND_HTTPROUTE, ns, "specific-host-matches-listener-specific-host",
		0, "Accepted"), "True/Accepted");
	assert_string_equal(pc(GW_KIND_HTTPROUTE, ns, "specific-host-matches-listener-wildcard-host",
		0, "Accepted"), "True/Accepted");
	assert_string_equal(pc(GW_KIND_HTTPROUTE, ns, "wildcard-host-matches-listener-specific-host",
		0, "Accepted"), "True/Accepted");
	assert_string_equal(pc(GW_KIND_HTTPROUTE, ns, "wildcard-host-matches-listener-wildcard-host",
		0, "Accepted"), "True/Accepted");
	assert_string_equal(pc(GW_KIND_HTTPROUTE, ns, "wildcard-host-matches-listener-wildcard-host",
		0, "ResolvedRefs"), "True/ResolvedRefs");
	assert_string_equal(pc(GW_KIND_HTTPROUTE, ns, "no-intersecting-hosts", 0, "Accepted"),
		"False/NoMatchingListenerHostname");
	assert_int_equal(attached(ns, gw, "listener-1"), 2);
	assert_int_equal(attached(ns, gw, "listener-2"), 1);
	assert_int_equal(attached(ns, gw, "listener-3"), 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = B(.host = cases[i].host, .path = cases[i].path);

		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: %s%s: got %s, want %s", i, cases[i].host, cases[i].path, got,
				cases[i].want);
	}
}

/* conformance HTTPRouteHostnameIntersection, "intersects with an unspecified hostname listener" */
static void
test_hostname_intersection_any_listener(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: httproute-hostname-intersection-all\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  hostnames:\n"
		"  - first.com\n"
		"  - \"*.first.com\"\n"
		"  - second.com\n"
		"  - \"*.second.com\"\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - name: infra-backend-v2\n"
		"      port: 8080\n");
	svc("default", "infra-backend-v2", "10.1.0.2");
	tl();
	assert_string_equal(B(.host = "first.com"), "infra-backend-v2");
	assert_string_equal(B(.host = "sub.first.com"), "infra-backend-v2");
	assert_string_equal(B(.host = "second.com"), "infra-backend-v2");
	assert_string_equal(B(.host = "sub.second.com"), "infra-backend-v2");
	assert_string_equal(B(.host = "third.com"), "404");
	assert_string_equal(B(.host = "sub.third.com"), "404");
	assert_string_equal(B(.host = "First.COM."), "infra-backend-v2");
}

/* Listener selection by Host and listener isolation (GatewayHTTPListenerIsolation) */
static void
test_listener_isolation(void **state)
{
	static const char *const rt =
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: %s\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"    sectionName: %s\n"
		"  rules:\n"
		"  - matches:\n"
		"    - path:\n"
		"        type: PathPrefix\n"
		"        value: %s\n"
		"    backendRefs:\n"
		"    - name: v1\n"
		"      port: 8080\n";

	(void)state;
	put(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - {name: empty-hostname, port: 80, protocol: HTTP}\n"
		"  - {name: wildcard-example-com, port: 80, protocol: HTTP, hostname: \"*.example.com\"}\n"
		"  - {name: wildcard-foo-example-com, port: 80, protocol: HTTP,"
		" hostname: \"*.foo.example.com\"}\n"
		"  - {name: abc-foo-example-com, port: 80, protocol: HTTP, hostname: abc.foo.example.com}\n");
	putf(rt, "attaches-to-empty-hostname", "empty-hostname", "/empty-hostname");
	putf(rt, "attaches-to-wildcard-example-com", "wildcard-example-com", "/wildcard-example-com");
	putf(rt, "attaches-to-wildcard-foo-example-com", "wildcard-foo-example-com",
		"/wildcard-foo-example-com");
	putf(rt, "attaches-to-abc-foo-example-com", "abc-foo-example-com", "/abc-foo-example-com");
	svc("default", "v1", "10.1.0.1");
	tl();
	/* the most specific listener takes the request; its routes only */
	assert_string_equal(M(.host = "bar.com", .path = "/empty-hostname"),
		"attaches-to-empty-hostname#0");
	assert_string_equal(M(.host = "bar.com", .path = "/wildcard-example-com"), "404");
	assert_string_equal(M(.host = "bar.example.com", .path = "/wildcard-example-com"),
		"attaches-to-wildcard-example-com#0");
	assert_string_equal(M(.host = "bar.example.com", .path = "/empty-hostname"), "404");
	assert_string_equal(M(.host = "bar.foo.example.com", .path = "/wildcard-foo-example-com"),
		"attaches-to-wildcard-foo-example-com#0");
	assert_string_equal(M(.host = "bar.foo.example.com", .path = "/wildcard-example-com"), "404");
	assert_string_equal(M(.host = "abc.foo.example.com", .path = "/abc-foo-example-com"),
		"attaches-to-abc-foo-example-com#0");
	assert_string_equal(M(.host = "abc.foo.example.com", .path = "/wildcard-foo-example-com"),
		"404");
	assert_string_equal(M(.host = "abc.foo.example.com", .path = "/empty-hostname"), "404");
	assert_string_equal(M(.host = "example.com", .path = "/empty-hostname"),
		"attaches-to-empty-hostname#0");
	for (int i = 0; i < 4; i++)
		assert_int_equal(attached("default", "gw", (const char *[]){"empty-hostname",
			"wildcard-example-com", "wildcard-foo-example-com", "abc-foo-example-com"}[i]), 1);
}

/* Route hostname precedence inside one listener (rules 5.3.4: hostname partition first) */
static void
test_route_hostname_precedence(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: any-host\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches:\n"
		"    - path: {type: Exact, value: /x}\n"
		"    backendRefs:\n"
		"    - {name: v1, port: 8080}\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: wild\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  hostnames: [\"*.example.com\"]\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - {name: v1, port: 8080}\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: exact\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  hostnames: [foo.example.com]\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - {name: v1, port: 8080}\n");
	/* an exact host beats a wildcard even with a longer path match elsewhere */
	assert_string_equal(M(.host = "foo.example.com", .path = "/x"), "exact#0");
	assert_string_equal(M(.host = "bar.example.com", .path = "/x"), "wild#0");
	assert_string_equal(M(.host = "example.org", .path = "/x"), "any-host#0");
	assert_string_equal(M(.host = "example.org", .path = "/y"), "404");
}

/* rules 5.2.4: HTTPRoute and GRPCRoute with intersecting hostnames on one listener */
static void
test_http_grpc_route_conflict(void **state)
{
	static const char *const routes =
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: http\n"
		"  creationTimestamp: \"%s\"\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  hostnames: [\"*.example.com\"]\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - {name: v1, port: 8080}\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: GRPCRoute\n"
		"metadata:\n"
		"  name: grpc\n"
		"  creationTimestamp: \"%s\"\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  hostnames: [grpc.example.com]\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - {name: v1, port: 8080}\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: GRPCRoute\n"
		"metadata:\n"
		"  name: grpc-other-host\n"
		"  creationTimestamp: \"%s\"\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  hostnames: [grpc.example.net]\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - {name: v1, port: 8080}\n";

	(void)state;
	put(GC GW_HTTP);
	svc("default", "v1", "10.1.0.1");
	putf(routes, "2024-01-01T00:00:01Z", "2024-01-01T00:00:02Z", "2024-01-01T00:00:03Z");
	tl();
	assert_string_equal(HR("http", "Accepted"), "True/Accepted");
	assert_string_equal(pc(GW_KIND_GRPCROUTE, "default", "grpc", 0, "Accepted"),
		"False/Conflicted");
	assert_string_equal(pc(GW_KIND_GRPCROUTE, "default", "grpc-other-host", 0, "Accepted"),
		"True/Accepted");
	assert_int_equal(attached("default", "gw", "http"), 2);
	assert_string_equal(M(.host = "grpc.example.com", .method = "POST", .path = "/svc/M"),
		"http#0");
	/* the GRPCRoute is older now: it wins */
	putf(routes, "2024-01-01T00:00:05Z", "2024-01-01T00:00:02Z", "2024-01-01T00:00:03Z");
	tl();
	assert_string_equal(HR("http", "Accepted"), "False/Conflicted");
	assert_string_equal(pc(GW_KIND_GRPCROUTE, "default", "grpc", 0, "Accepted"), "True/Accepted");
	assert_string_equal(M(.host = "grpc.example.com", .method = "POST", .path = "/svc/M"),
		"grpc#0");
	/* same age: "{namespace}/{name}" decides: default/grpc < default/http */
	putf(routes, "2024-01-01T00:00:02Z", "2024-01-01T00:00:02Z", "2024-01-01T00:00:03Z");
	tl();
	assert_string_equal(pc(GW_KIND_GRPCROUTE, "default", "grpc", 0, "Accepted"), "True/Accepted");
	assert_string_equal(HR("http", "Accepted"), "False/Conflicted");
}

static void
test_grpc_route_matching(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: GRPCRoute\n"
		"metadata:\n"
		"  name: exact-matching\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches:\n"
		"    - method:\n"
		"        service: gateway_api_conformance.echo_basic.grpcecho.GrpcEcho\n"
		"        method: Echo\n"
		"    backendRefs:\n"
		"    - name: grpc-infra-backend-v1\n"
		"      port: 8080\n"
		"  - matches:\n"
		"    - method:\n"
		"        service: gateway_api_conformance.echo_basic.grpcecho.GrpcEcho\n"
		"        method: EchoTwo\n"
		"    backendRefs:\n"
		"    - name: grpc-infra-backend-v2\n"
		"      port: 8080\n"
		"  - matches:\n"
		"    - headers:\n"
		"      - name: version\n"
		"        value: three\n"
		"    backendRefs:\n"
		"    - name: grpc-infra-backend-v3\n"
		"      port: 8080\n");
	svc_app("default", "grpc-infra-backend-v1", 8080, "kubernetes.io/h2c", "10.1.0.1");
	svc_app("default", "grpc-infra-backend-v2", 8080, "kubernetes.io/h2c", "10.1.0.2");
	svc_app("default", "grpc-infra-backend-v3", 8080, "kubernetes.io/h2c", "10.1.0.3");
	tl();
	assert_string_equal(pc(GW_KIND_GRPCROUTE, "default", "exact-matching", 0, "Accepted"),
		"True/Accepted");
	assert_string_equal(pc(GW_KIND_GRPCROUTE, "default", "exact-matching", 0, "ResolvedRefs"),
		"True/ResolvedRefs");
	assert_string_equal(B(.method = "POST",
		.path = "/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/Echo"),
		"grpc-infra-backend-v1");
	assert_string_equal(B(.method = "POST",
		.path = "/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/EchoTwo"),
		"grpc-infra-backend-v2");
	/* no match: 404 here, gRPC Unimplemented on the wire */
	assert_string_equal(B(.method = "POST",
		.path = "/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/EchoThree"), "404");
	assert_string_equal(B(.method = "POST",
		.path = "/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/EchoThree",
		.hdr = {"version: three"}), "grpc-infra-backend-v3");
	assert_int_equal(RULE(.method = "POST",
		.path = "/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/Echo")->backends[0].proto,
		GW_ROUTE_PROTO_H2C);
}
/* ==== request matching ==== */

/* conformance HTTPRouteExactPathMatching + HTTPRouteMatching + prefix semantics */
static void
test_path_exact_and_prefix(void **state)
{
	static const struct {
		const char *path, *want;
	} cases[] = {
		{"/one", "r#0"},
		{"/two", "r#1"},
		{"/one/", "404"},
		{"/two/", "404"},
		{"/Two", "404"},
		{"/v2", "r#2"},
		{"/v2/", "r#2"},
		{"/v2/example", "r#2"},
		{"/v2example", "404"},
		{"/abc", "r#3"},
		{"/abc/", "r#3"},
		{"/abc/def", "r#3"},
		{"/abcd", "404"},
		{"/", "404"},
	};

	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches:\n"
		"    - path: {type: Exact, value: /one}\n"
		"    backendRefs: [{name: v1, port: 8080}]\n"
		"  - matches:\n"
		"    - path: {type: Exact, value: /two}\n"
		"    backendRefs: [{name: v1, port: 8080}]\n"
		"  - matches:\n"
		"    - path: {type: PathPrefix, value: /v2}\n"
		"    backendRefs: [{name: v1, port: 8080}]\n"
		"  - matches:\n"
		"    - path: {type: PathPrefix, value: /abc/}\n"
		"    backendRefs: [{name: v1, port: 8080}]\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(M(.path = cases[i].path), cases[i].want) != 0)
			fail_msg("%s: got %s, want %s", cases[i].path, M(.path = cases[i].path),
				cases[i].want);
}

static void
test_path_regex(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches:\n"
		"    - path: {type: RegularExpression, value: \"/r/[0-9]+\"}\n"
		"    backendRefs: [{name: v1, port: 8080}]\n"
		"  - matches:\n"
		"    - path: {type: PathPrefix, value: /r}\n"
		"    backendRefs: [{name: v1, port: 8080}]\n");
	assert_string_equal(HR("r", "Accepted"), "True/Accepted");
	/* PathPrefix before RegularExpression in precedence; the regex is anchored */
	assert_string_equal(M(.path = "/r/12"), "r#1");
	assert_string_equal(M(.path = "/x"), "404");
	load("apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches:\n"
		"    - path: {type: RegularExpression, value: \"/r/[0-9]+\"}\n"
		"    backendRefs: [{name: v1, port: 8080}]\n");
	assert_string_equal(M(.path = "/r/12"), "r#0");
	assert_string_equal(M(.path = "/r/ab"), "404");
	assert_string_equal(M(.path = "/r/12/x"), "404");
	assert_string_equal(M(.path = "/x/r/12"), "404");
}

/* conformance HTTPRouteHeaderMatching */
static void
test_header_matching(void **state)
{
	static const struct {
		const char *h1, *h2, *want;
	} cases[] = {
		{"Version: one", NULL, "infra-backend-v1"},
		{"Version: two", NULL, "infra-backend-v2"},
		{"Version: two", "Color: orange", "infra-backend-v1"},
		{"Version: two", "Color: blue", "infra-backend-v2"},
		{"Color: orange", NULL, "404"},
		{"Some-Other-Header: one", NULL, "404"},
		{"Color: blue", NULL, "infra-backend-v1"},
		{"Color: green", NULL, "infra-backend-v1"},
		{"Color: red", NULL, "infra-backend-v2"},
		{"Color: yellow", NULL, "infra-backend-v2"},
		{"Color: purple", NULL, "404"},
		{"VERSION: one", NULL, "infra-backend-v1"},
		{"version: ONE", NULL, "404"},
	};

	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: header-matching\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches:\n"
		"    - headers:\n"
		"      - name: version\n"
		"        value: one\n"
		"    backendRefs:\n"
		"    - name: infra-backend-v1\n"
		"      port: 8080\n"
		"  - matches:\n"
		"    - headers:\n"
		"      - name: version\n"
		"        value: two\n"
		"    backendRefs:\n"
		"    - name: infra-backend-v2\n"
		"      port: 8080\n"
		"  - matches:\n"
		"    - headers:\n"
		"      - name: version\n"
		"        value: two\n"
		"      - name: color\n"
		"        value: orange\n"
		"    backendRefs:\n"
		"    - name: infra-backend-v1\n"
		"      port: 8080\n"
		"  - matches:\n"
		"    - headers:\n"
		"      - name: color\n"
		"        value: blue\n"
		"    - headers:\n"
		"      - name: color\n"
		"        value: green\n"
		"    backendRefs:\n"
		"    - name: infra-backend-v1\n"
		"      port: 8080\n"
		"  - matches:\n"
		"    - headers:\n"
		"      - name: color\n"
		"        value: red\n"
		"    - headers:\n"
		"      - name: color\n"
		"        value: yellow\n"
		"    backendRefs:\n"
		"    - name: infra-backend-v2\n"
		"      port: 8080\n");
	svc("default", "infra-backend-v1", "10.1.0.1");
	svc("default", "infra-backend-v2", "10.1.0.2");
	tl();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = B(.hdr = {cases[i].h1, cases[i].h2});

		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu (%s, %s): got %s, want %s", i, cases[i].h1,
				cases[i].h2 ?: "-", got, cases[i].want);
	}
}

/* conformance HTTPRouteQueryParamMatching (first part) */
static void
test_query_param_matching(void **state)
{
	static const struct {
		const char *path, *want;
	} cases[] = {
		{"/?animal=whale", "r#0"},
		{"/?animal=dolphin", "r#1"},
		{"/?animal=dolphin&color=blue", "r#2"},
		{"/?ANIMAL=Whale", "r#2"},
		{"/?animal=whale&otherparam=irrelevant", "r#0"},
		{"/?animal=dolphin&color=yellow", "r#1"},
		{"/?color=blue", "404"},
		{"/?animal=dog", "404"},
		{"/?animal=whaledolphin", "404"},
		{"/", "404"},
		{"/path1?animal=whale", "r#3"},
	};

	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches:\n"
		"    - queryParams:\n"
		"      - name: animal\n"
		"        value: whale\n"
		"    backendRefs: [{name: v1, port: 8080}]\n"
		"  - matches:\n"
		"    - queryParams:\n"
		"      - name: animal\n"
		"        value: dolphin\n"
		"    backendRefs: [{name: v1, port: 8080}]\n"
		"  - matches:\n"
		"    - queryParams:\n"
		"      - name: animal\n"
		"        value: dolphin\n"
		"      - name: color\n"
		"        value: blue\n"
		"    - queryParams:\n"
		"      - name: ANIMAL\n"
		"        value: Whale\n"
		"    backendRefs: [{name: v1, port: 8080}]\n"
		"  - matches:\n"
		"    - path:\n"
		"        type: PathPrefix\n"
		"        value: /path1\n"
		"      queryParams:\n"
		"      - name: animal\n"
		"        value: whale\n"
		"    backendRefs: [{name: v1, port: 8080}]\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(M(.path = cases[i].path), cases[i].want) != 0)
			fail_msg("%s: got %s, want %s", cases[i].path, M(.path = cases[i].path),
				cases[i].want);
}

/* conformance HTTPRouteMethodMatching */
static void
test_method_matching(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches:\n"
		"    - method: POST\n"
		"    backendRefs: [{name: v1, port: 8080}]\n"
		"  - matches:\n"
		"    - method: GET\n"
		"    backendRefs: [{name: v1, port: 8080}]\n"
		"  - matches:\n"
		"    - path: {type: PathPrefix, value: /path5}\n"
		"    backendRefs: [{name: v1, port: 8080}]\n"
		"  - matches:\n"
		"    - method: PATCH\n"
		"    backendRefs: [{name: v1, port: 8080}]\n"
		"  - matches:\n"
		"    - headers: [{name: version, value: four}]\n"
		"    backendRefs: [{name: v1, port: 8080}]\n");
	assert_string_equal(M(.method = "POST"), "r#0");
	assert_string_equal(M(.method = "GET"), "r#1");
	assert_string_equal(M(.method = "HEAD"), "404");
	/* a longer prefix beats a method match; a method match beats headers */
	assert_string_equal(M(.method = "PATCH", .path = "/path5"), "r#2");
	assert_string_equal(M(.method = "PATCH", .hdr = {"version: four"}), "r#3");
	assert_string_equal(M(.method = "PUT", .hdr = {"version: four"}), "r#4");
}

/* conformance HTTPRouteMatchingAcrossRoutes */
static void
test_matching_across_routes(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: matching-part1\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  hostnames:\n"
		"  - example.com\n"
		"  - example.net\n"
		"  rules:\n"
		"  - matches:\n"
		"    - path:\n"
		"        type: PathPrefix\n"
		"        value: /\n"
		"    - headers:\n"
		"      - name: version\n"
		"        value: one\n"
		"    backendRefs:\n"
		"    - name: infra-backend-v1\n"
		"      port: 8080\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: matching-part2\n"
		"spec:\n"
		"  hostnames:\n"
		"  - example.com\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches:\n"
		"    - path:\n"
		"        type: PathPrefix\n"
		"        value: /v2\n"
		"    - headers:\n"
		"      - name: version\n"
		"        value: two\n"
		"    backendRefs:\n"
		"    - name: infra-backend-v2\n"
		"      port: 8080\n");
	svc("default", "infra-backend-v1", "10.1.0.1");
	svc("default", "infra-backend-v2", "10.1.0.2");
	tl();
	assert_string_equal(B(.host = "example.com", .path = "/"), "infra-backend-v1");
	assert_string_equal(B(.host = "example.com", .path = "/example"), "infra-backend-v1");
	assert_string_equal(B(.host = "example.net", .path = "/example"), "infra-backend-v1");
	assert_string_equal(B(.host = "example.com", .path = "/example", .hdr = {"Version: one"}),
		"infra-backend-v1");
	assert_string_equal(B(.host = "example.com", .path = "/v2"), "infra-backend-v2");
	assert_string_equal(B(.host = "example.net", .path = "/v2"), "infra-backend-v1");
	assert_string_equal(B(.host = "example.com", .path = "/v2/example"), "infra-backend-v2");
	assert_string_equal(B(.host = "example.com", .path = "/", .hdr = {"Version: two"}),
		"infra-backend-v2");
	assert_string_equal(B(.host = "example.org", .path = "/"), "404");
}

/* conformance HTTPRoutePathMatchOrder */
static void
test_path_match_order(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: path-matching-order\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches: [{path: {type: Exact, value: /match}}]\n"
		"    backendRefs: [{name: infra-backend-v1, port: 8080}]\n"
		"  - matches: [{path: {type: Exact, value: /match/exact}}]\n"
		"    backendRefs: [{name: infra-backend-v2, port: 8080}]\n"
		"  - matches: [{path: {type: Exact, value: /match/exact/one}}]\n"
		"    backendRefs: [{name: infra-backend-v3, port: 8080}]\n"
		"  - matches: [{path: {type: PathPrefix, value: /match/}}]\n"
		"    backendRefs: [{name: infra-backend-v3, port: 8080}]\n"
		"  - matches: [{path: {type: PathPrefix, value: /match/prefix/}}]\n"
		"    backendRefs: [{name: infra-backend-v1, port: 8080}]\n"
		"  - matches: [{path: {type: PathPrefix, value: /match/prefix/one}}]\n"
		"    backendRefs: [{name: infra-backend-v2, port: 8080}]\n");
	assert_string_equal(M(.path = "/match/exact/one"), "path-matching-order#2");
	assert_string_equal(M(.path = "/match/exact"), "path-matching-order#1");
	assert_string_equal(M(.path = "/match"), "path-matching-order#0");
	assert_string_equal(M(.path = "/match/prefix/one/any"), "path-matching-order#5");
	assert_string_equal(M(.path = "/match/prefix/any"), "path-matching-order#4");
	assert_string_equal(M(.path = "/match/any"), "path-matching-order#3");
}

/* rules 5.3.4 (f)-(h): oldest route, then namespace/name, then rule order */
static void
test_precedence_across_routes(void **state)
{
	static const char *const rt =
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: %s\n"
		"  namespace: %s\n"
		"  creationTimestamp: \"%s\"\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"    namespace: default\n"
		"  rules:\n"
		"  - matches: [{path: {type: PathPrefix, value: /a}}]\n"
		"    backendRefs: [{name: v1, port: 8080}]\n"
		"  - matches: [{path: {type: PathPrefix, value: /a}}]\n"
		"    backendRefs: [{name: v1, port: 8080}]\n";

	(void)state;
	put(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: http\n"
		"    protocol: HTTP\n"
		"    port: 80\n"
		"    allowedRoutes:\n"
		"      namespaces:\n"
		"        from: All\n");
	putf(rt, "zzz", "default", "2024-01-01T00:00:01Z");
	putf(rt, "aaa", "default", "2024-01-01T00:00:02Z");
	tl();
	assert_string_equal(M(.path = "/a"), "zzz#0");
	/* same age: namespace/name order */
	putf(rt, "aaa", "default", "2024-01-01T00:00:01Z");
	tl();
	assert_string_equal(M(.path = "/a"), "aaa#0");
	putf(rt, "aaa", "zz-ns", "2024-01-01T00:00:01Z");
	assert_int_equal(gw_objcache_delete(cache, GW_KIND_HTTPROUTE, "default", "aaa"), 0);
	tl();
	assert_string_equal(M(.path = "/a"), "zzz#0");
	putf(rt, "bbb", "aa-ns", "2024-01-01T00:00:01Z");
	tl();
	assert_string_equal(M(.path = "/a"), "aa-ns/bbb#0");
	/* an older route wins over a more specific-looking name */
	putf(rt, "zzz", "default", "2023-01-01T00:00:00Z");
	tl();
	assert_string_equal(M(.path = "/a"), "zzz#0");
	/* but a longer prefix anywhere wins over age */
	putf("apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: newest\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches: [{path: {type: PathPrefix, value: /a/b}}]\n"
		"    backendRefs: [{name: v1, port: 8080}]\n");
	tl();
	assert_string_equal(M(.path = "/a/b/c"), "newest#0");
	assert_string_equal(M(.path = "/a/bc"), "zzz#0");
}

static void
test_rule_without_matches(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - backendRefs: [{name: v1, port: 8080}]\n"
		"  - matches:\n"
		"    - headers:\n"
		"      - {name: x-a, value: \"1\"}\n"
		"      - {name: X-A, value: \"2\"}\n"
		"    backendRefs: [{name: v1, port: 8080}]\n");
	assert_string_equal(M(.path = "/anything/at/all", .method = "DELETE"), "r#0");
	/* duplicate header names: the first entry wins */
	assert_string_equal(M(.hdr = {"x-a: 1"}), "r#1");
	assert_string_equal(M(.hdr = {"x-a: 2"}), "r#0");
}

/* ==== backends ==== */

/* conformance HTTPRouteWeight and rules 5.4.1 */
static void
test_backend_weights(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: weighted-backends\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches: [{path: {type: PathPrefix, value: /w}}]\n"
		"    backendRefs:\n"
		"    - name: infra-backend-v1\n"
		"      port: 8080\n"
		"      weight: 70\n"
		"    - name: infra-backend-v2\n"
		"      port: 8080\n"
		"      weight: 30\n"
		"    - name: infra-backend-v3\n"
		"      port: 8080\n"
		"      weight: 0\n"
		"  - matches: [{path: {type: PathPrefix, value: /d}}]\n"
		"    backendRefs:\n"
		"    - {name: infra-backend-v1, port: 8080}\n"
		"    - {name: infra-backend-v2, port: 8080}\n"
		"  - matches: [{path: {type: PathPrefix, value: /z}}]\n"
		"    backendRefs:\n"
		"    - {name: infra-backend-v1, port: 8080, weight: 0}\n"
		"    - {name: infra-backend-v2, port: 8080, weight: 0}\n");
	svc("default", "infra-backend-v1", "10.1.0.1");
	svc("default", "infra-backend-v2", "10.1.0.2");
	svc("default", "infra-backend-v3", "10.1.0.3");
	tl();
	assert_string_equal(D(.path = "/w"), "infra-backend-v1=70 infra-backend-v2=30");
	assert_int_equal(RULE(.path = "/w")->n_backends, 3);
	assert_int_equal(RULE(.path = "/w")->backends[2].weight, 0);
	/* weight defaults to 1 */
	assert_string_equal(D(.path = "/d"), "infra-backend-v1=1 infra-backend-v2=1");
	/* every weight 0: no backend takes traffic (dpgw answers 500) */
	assert_string_equal(D(.path = "/z"), "500");
}

static void
test_backend_not_found(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: invalid-nonexistent-backend-ref\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches: [{path: {type: PathPrefix, value: /}}]\n"
		"    backendRefs:\n"
		"    - name: nonexistent-backend\n"
		"      port: 8080\n");
	/* conformance HTTPRouteInvalidNonExistentBackendRef: Accepted stays True */
	assert_string_equal(HR("invalid-nonexistent-backend-ref", "Accepted"), "True/Accepted");
	assert_string_equal(HR("invalid-nonexistent-backend-ref", "ResolvedRefs"),
		"False/BackendNotFound");
	assert_string_equal(D(.path = "/"), "500=1");
	/* the Service appears: resolved */
	svc("default", "nonexistent-backend", "10.1.0.9");
	tl();
	assert_string_equal(HR("invalid-nonexistent-backend-ref", "ResolvedRefs"),
		"True/ResolvedRefs");
	assert_string_equal(D(.path = "/"), "nonexistent-backend=1");
}

static void
test_backend_service_port_missing(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - name: v1\n"
		"      port: 9999\n");
	svc("default", "v1", "10.1.0.1");
	tl();
	assert_string_equal(HR("r", "ResolvedRefs"), "False/BackendNotFound");
	assert_string_equal(D(.path = "/"), "500=1");
}

/* conformance HTTPRoutePartiallyInvalidViaInvalidReferenceGrant-like split: 50/50 -> 50 % 500 */
static void
test_backend_partially_invalid(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches: [{path: {type: PathPrefix, value: /mixed}}]\n"
		"    backendRefs:\n"
		"    - {name: v1, port: 8080, weight: 1}\n"
		"    - {name: missing, port: 8080, weight: 1}\n"
		"  - matches: [{path: {type: PathPrefix, value: /ok}}]\n"
		"    backendRefs:\n"
		"    - {name: v1, port: 8080}\n");
	svc("default", "v1", "10.1.0.1");
	tl();
	assert_string_equal(HR("r", "Accepted"), "True/Accepted");
	assert_string_equal(HR("r", "ResolvedRefs"), "False/BackendNotFound");
	assert_string_equal(D(.path = "/mixed"), "v1=1 500=1");
	assert_string_equal(D(.path = "/ok"), "v1=1");
}

/* conformance HTTPRouteInvalidBackendRefUnknownKind */
static void
test_backend_unknown_kind(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: invalid-backend-ref-unknown-kind\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - group: unknownkind.example.com\n"
		"      kind: NonExistent\n"
		"      name: infra-backend-v1\n"
		"      port: 8080\n");
	svc("default", "infra-backend-v1", "10.1.0.1");
	tl();
	assert_string_equal(HR("invalid-backend-ref-unknown-kind", "Accepted"), "True/Accepted");
	assert_string_equal(HR("invalid-backend-ref-unknown-kind", "ResolvedRefs"),
		"False/InvalidKind");
	assert_string_equal(D(.path = "/"), "500=1");
}

static const char *const grant_svc =
	"apiVersion: gateway.networking.k8s.io/v1beta1\n"
	"kind: ReferenceGrant\n"
	"metadata:\n"
	"  name: reference-grant\n"
	"  namespace: gateway-conformance-web-backend\n"
	"spec:\n"
	"  from:\n"
	"  - group: gateway.networking.k8s.io\n"
	"    kind: %s\n"
	"    namespace: default\n"
	"  to:\n"
	"  - group: \"\"\n"
	"    kind: Service\n"
	"%s";

/* conformance HTTPRouteInvalidCrossNamespaceBackendRef / HTTPRouteReferenceGrant */
static void
test_backend_cross_namespace(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: reference-grant\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - name: web-backend\n"
		"      namespace: gateway-conformance-web-backend\n"
		"      port: 8080\n");
	svc("gateway-conformance-web-backend", "web-backend", "10.2.0.1");
	tl();
	assert_string_equal(HR("reference-grant", "Accepted"), "True/Accepted");
	assert_string_equal(HR("reference-grant", "ResolvedRefs"), "False/RefNotPermitted");
	assert_string_equal(D(.path = "/"), "500=1");
	/* a grant for another kind does not help */
	putf(grant_svc, "GRPCRoute", "");
	tl();
	assert_string_equal(HR("reference-grant", "ResolvedRefs"), "False/RefNotPermitted");
	/* a grant for another Service by name does not either (HTTPRouteInvalidReferenceGrant) */
	putf(grant_svc, "HTTPRoute", "    name: not-web-backend\n");
	tl();
	assert_string_equal(HR("reference-grant", "ResolvedRefs"), "False/RefNotPermitted");
	assert_string_equal(D(.path = "/"), "500=1");
	/* the right grant */
	putf(grant_svc, "HTTPRoute", "    name: web-backend\n");
	tl();
	assert_string_equal(HR("reference-grant", "ResolvedRefs"), "True/ResolvedRefs");
	assert_string_equal(D(.path = "/"), "web-backend=1");
	assert_string_equal(eps_str(&RULE(.path = "/")->backends[0]), "10.2.0.1:8080");
	/* removing the grant revokes access */
	assert_int_equal(gw_objcache_delete(cache, GW_KIND_REFERENCEGRANT,
		"gateway-conformance-web-backend", "reference-grant"), 0);
	tl();
	assert_string_equal(HR("reference-grant", "ResolvedRefs"), "False/RefNotPermitted");
	assert_string_equal(D(.path = "/"), "500=1");
}

static void
test_backend_no_ready_endpoints(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches: [{path: {type: PathPrefix, value: /down}}]\n"
		"    backendRefs:\n"
		"    - {name: down, port: 8080}\n"
		"  - matches: [{path: {type: PathPrefix, value: /half}}]\n"
		"    backendRefs:\n"
		"    - {name: down, port: 8080, weight: 1}\n"
		"    - {name: up, port: 8080, weight: 3}\n"
		"  - matches: [{path: {type: PathPrefix, value: /noslice}}]\n"
		"    backendRefs:\n"
		"    - {name: noslice, port: 8080}\n");
	svc("default", "down", "10.1.0.1! 10.1.0.2!");
	svc("default", "up", "10.1.0.3");
	put("apiVersion: v1\n"
		"kind: Service\n"
		"metadata:\n"
		"  name: noslice\n"
		"spec:\n"
		"  ports:\n"
		"  - port: 8080\n");
	tl();
	/* a Service without ready endpoints is resolved; its share answers 503 */
	assert_string_equal(HR("r", "ResolvedRefs"), "True/ResolvedRefs");
	assert_string_equal(D(.path = "/down"), "503=1");
	assert_string_equal(D(.path = "/half"), "up=3 503=1");
	assert_string_equal(D(.path = "/noslice"), "503=1");
}

static void
test_endpoint_readiness_and_ports(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches: [{path: {type: PathPrefix, value: /named}}]\n"
		"    backendRefs:\n"
		"    - {name: named, port: 80}\n"
		"  - matches: [{path: {type: PathPrefix, value: /ready}}]\n"
		"    backendRefs:\n"
		"    - {name: mixed, port: 8080}\n"
		"---\n"
		"apiVersion: v1\n"
		"kind: Service\n"
		"metadata:\n"
		"  name: named\n"
		"spec:\n"
		"  ports:\n"
		"  - name: metrics\n"
		"    port: 9100\n"
		"    targetPort: metrics\n"
		"  - name: web\n"
		"    port: 80\n"
		"    targetPort: http-alt\n"
		"---\n"
		"apiVersion: discovery.k8s.io/v1\n"
		"kind: EndpointSlice\n"
		"metadata:\n"
		"  name: named-v4\n"
		"  labels:\n"
		"    kubernetes.io/service-name: named\n"
		"addressType: IPv4\n"
		"ports:\n"
		"- name: metrics\n"
		"  port: 9100\n"
		"- name: web\n"
		"  port: 8081\n"
		"endpoints:\n"
		"- addresses: [\"10.3.0.1\"]\n"
		"  conditions: {ready: true}\n"
		"---\n"
		"apiVersion: discovery.k8s.io/v1\n"
		"kind: EndpointSlice\n"
		"metadata:\n"
		"  name: named-v6\n"
		"  labels:\n"
		"    kubernetes.io/service-name: named\n"
		"addressType: IPv6\n"
		"ports:\n"
		"- name: web\n"
		"  port: 8082\n"
		"endpoints:\n"
		"- addresses: [\"fd10::1\"]\n"
		"---\n"
		"apiVersion: discovery.k8s.io/v1\n"
		"kind: EndpointSlice\n"
		"metadata:\n"
		"  name: someone-else\n"
		"  labels:\n"
		"    kubernetes.io/service-name: other\n"
		"addressType: IPv4\n"
		"ports:\n"
		"- name: web\n"
		"  port: 8081\n"
		"endpoints:\n"
		"- addresses: [\"10.9.9.9\"]\n");
	/* ready false skipped, ready unset counts (discovery/v1) */
	svc("default", "mixed", "10.1.0.1 10.1.0.2! 10.1.0.3?");
	tl();
	assert_string_equal(HR("r", "ResolvedRefs"), "True/ResolvedRefs");
	assert_string_equal(eps_str(&RULE(.path = "/ready")->backends[0]),
		"10.1.0.1:8080,10.1.0.3:8080");
	/* named target ports resolve through the slices' port names, per slice */
	assert_string_equal(eps_str(&RULE(.path = "/named")->backends[0]),
		"10.3.0.1:8081,[fd10::1]:8082");
}

static void
test_backend_app_protocol(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: h2c\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches: [{path: {type: PathPrefix, value: /h2c}}]\n"
		"    backendRefs: [{name: h2c-backend, port: 8080}]\n"
		"  - matches: [{path: {type: PathPrefix, value: /ws}}]\n"
		"    backendRefs: [{name: ws-backend, port: 8080}]\n"
		"  - matches: [{path: {type: PathPrefix, value: /plain}}]\n"
		"    backendRefs: [{name: plain-backend, port: 8080}]\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: bad-proto\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches: [{path: {type: PathPrefix, value: /bad}}]\n"
		"    backendRefs: [{name: bad-backend, port: 8080}]\n");
	svc_app("default", "h2c-backend", 8080, "kubernetes.io/h2c", "10.1.0.1");
	svc_app("default", "ws-backend", 8080, "kubernetes.io/ws", "10.1.0.2");
	svc_app("default", "plain-backend", 8080, "http", "10.1.0.3");
	svc_app("default", "bad-backend", 8080, "example.com/smtp", "10.1.0.4");
	tl();
	assert_string_equal(HR("h2c", "ResolvedRefs"), "True/ResolvedRefs");
	assert_int_equal(RULE(.path = "/h2c")->backends[0].proto, GW_ROUTE_PROTO_H2C);
	assert_int_equal(RULE(.path = "/ws")->backends[0].proto, GW_ROUTE_PROTO_WS);
	assert_int_equal(RULE(.path = "/plain")->backends[0].proto, GW_ROUTE_PROTO_HTTP1);
	assert_string_equal(HR("bad-proto", "Accepted"), "True/Accepted");
	assert_string_equal(HR("bad-proto", "ResolvedRefs"), "False/UnsupportedProtocol");
	assert_string_equal(D(.path = "/bad"), "500=1");
}

/* conformance HTTPRouteNoBackendRefs (httproute-omitted-backendrefs) */
static void
test_empty_backend_refs(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: no-backends\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches: [{path: {type: PathPrefix, value: /omitted}}]\n"
		"  - matches: [{path: {type: PathPrefix, value: /empty}}]\n"
		"    backendRefs: []\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: no-rules\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  hostnames: [norules.example.com]\n");
	assert_string_equal(HR("no-backends", "Accepted"), "True/Accepted");
	assert_string_equal(HR("no-backends", "ResolvedRefs"), "True/ResolvedRefs");
	assert_string_equal(M(.path = "/omitted"), "no-backends#0");
	assert_string_equal(D(.path = "/omitted"), "500");
	assert_string_equal(D(.path = "/empty"), "500");
	assert_string_equal(M(.path = "/other"), "404");
	assert_string_equal(D(.host = "norules.example.com", .path = "/x"), "500");
}

/* ==== filters ==== */

static void
test_filters_redirect_and_rewrite_incompatible(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: both\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - filters:\n"
		"    - type: RequestRedirect\n"
		"      requestRedirect:\n"
		"        hostname: example.org\n"
		"    - type: URLRewrite\n"
		"      urlRewrite:\n"
		"        hostname: example.net\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: redirect-with-backend\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  hostnames: [b.example.com]\n"
		"  rules:\n"
		"  - filters:\n"
		"    - type: RequestRedirect\n"
		"      requestRedirect:\n"
		"        statusCode: 301\n"
		"    backendRefs:\n"
		"    - {name: v1, port: 8080}\n");
	assert_string_equal(HR("both", "Accepted"), "False/IncompatibleFilters");
	assert_string_equal(HR("redirect-with-backend", "Accepted"), "False/IncompatibleFilters");
	assert_int_equal(attached("default", "gw", "http"), 0);
	assert_string_equal(M(.path = "/"), "404");
	assert_string_equal(M(.host = "b.example.com", .path = "/"), "404");
}

static void
test_filters_compiled(void **state)
{
	const struct gw_route_rule *r;

	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: f\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches: [{path: {type: PathPrefix, value: /redirect}}]\n"
		"    filters:\n"
		"    - type: RequestRedirect\n"
		"      requestRedirect:\n"
		"        scheme: https\n"
		"        hostname: example.org\n"
		"        statusCode: 301\n"
		"        path:\n"
		"          type: ReplacePrefixMatch\n"
		"          replacePrefixMatch: /new\n"
		"  - matches: [{path: {type: PathPrefix, value: /hdr}}]\n"
		"    filters:\n"
		"    - type: RequestHeaderModifier\n"
		"      requestHeaderModifier:\n"
		"        set: [{name: X-Set, value: s}]\n"
		"        add: [{name: X-Add, value: a}]\n"
		"        remove: [X-Remove]\n"
		"    - type: URLRewrite\n"
		"      urlRewrite:\n"
		"        hostname: rewritten.example.com\n"
		"        path: {type: ReplaceFullPath, replaceFullPath: /full}\n"
		"    backendRefs:\n"
		"    - {name: v1, port: 8080}\n");
	assert_string_equal(HR("f", "Accepted"), "True/Accepted");
	r = RULE(.path = "/redirect/x");
	assert_non_null(r);
	assert_true(r->redirect);
	assert_int_equal(r->n_filters, 1);
	assert_int_equal(r->filters[0].type, GW_ROUTE_FILTER_REDIRECT);
	assert_int_equal(r->filters[0].redirect.status, 301);
	assert_string_equal(r->filters[0].redirect.scheme, "https");
	assert_string_equal(r->filters[0].redirect.hostname, "example.org");
	assert_int_equal(r->filters[0].redirect.path_mod, GW_ROUTE_PATH_MOD_PREFIX);
	assert_string_equal(r->filters[0].redirect.path, "/new");
	r = RULE(.path = "/hdr");
	assert_non_null(r);
	assert_false(r->redirect);
	assert_int_equal(r->n_filters, 2);
	assert_int_equal(r->filters[0].type, GW_ROUTE_FILTER_REQ_HEADERS);
	assert_int_equal(r->filters[0].headers.n_set, 1);
	assert_string_equal(r->filters[0].headers.set[0].name, "X-Set");
	assert_int_equal(r->filters[0].headers.n_add, 1);
	assert_int_equal(r->filters[0].headers.n_remove, 1);
	assert_string_equal(r->filters[0].headers.remove[0], "X-Remove");
	assert_int_equal(r->filters[1].type, GW_ROUTE_FILTER_REWRITE);
	assert_string_equal(r->filters[1].rewrite.hostname, "rewritten.example.com");
	assert_int_equal(r->filters[1].rewrite.path_mod, GW_ROUTE_PATH_MOD_FULL);
	assert_string_equal(r->filters[1].rewrite.path, "/full");
}

static void
test_filters_invalid_values(void **state)
{
	static const struct {
		const char *rule, *reason;
	} cases[] = {
		/* bad regular expression */
		{"  - matches: [{path: {type: RegularExpression, value: \"/a(\"}}]\n",
		 "False/UnsupportedValue"},
		{"  - matches: [{headers: [{type: RegularExpression, name: x, value: \"[\"}]}]\n",
		 "False/UnsupportedValue"},
		/* redirect status not one of 301 302 303 307 308 */
		{"  - filters: [{type: RequestRedirect, requestRedirect: {statusCode: 200}}]\n",
		 "False/UnsupportedValue"},
		/* ReplacePrefixMatch without exactly one PathPrefix match */
		{"  - matches:\n"
		 "    - path: {type: PathPrefix, value: /a}\n"
		 "    - path: {type: PathPrefix, value: /b}\n"
		 "    filters:\n"
		 "    - type: URLRewrite\n"
		 "      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /c}}\n"
		 "    backendRefs: [{name: v1, port: 8080}]\n", "False/UnsupportedValue"},
		{"  - matches: [{path: {type: Exact, value: /a}}]\n"
		 "    filters:\n"
		 "    - type: URLRewrite\n"
		 "      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /c}}\n"
		 "    backendRefs: [{name: v1, port: 8080}]\n", "False/UnsupportedValue"},
		/* a path that does not start with / */
		{"  - matches: [{path: {type: PathPrefix, value: nope}}]\n", "False/UnsupportedValue"},
		/* the same core filter twice */
		{"  - filters:\n"
		 "    - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: a, value: b}]}}\n"
		 "    - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: c, value: d}]}}\n"
		 "    backendRefs: [{name: v1, port: 8080}]\n", NULL},
		/* an unknown filter type */
		{"  - filters: [{type: Frobnicate}]\n    backendRefs: [{name: v1, port: 8080}]\n",
		 "False/UnsupportedValue"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got;

		teardown(NULL);
		setup(NULL);
		put(GC GW_HTTP);
		svc("default", "v1", "10.1.0.1");
		putf("apiVersion: gateway.networking.k8s.io/v1\n"
			"kind: HTTPRoute\n"
			"metadata:\n"
			"  name: r\n"
			"spec:\n"
			"  parentRefs:\n"
			"  - name: gw\n"
			"  rules:\n"
			"%s", cases[i].rule);
		tl();
		got = HR("r", "Accepted");
		if (cases[i].reason != NULL ? strcmp(got, cases[i].reason) != 0 :
				strncmp(got, "False/", 6) != 0)
			fail_msg("case %zu: Accepted %s, want %s\n%s", i, got,
				cases[i].reason ?: "False/*", cases[i].rule);
		/* a route that is not accepted serves nothing */
		if (attached("default", "gw", "http") != 0 || strcmp(M(.path = "/a"), "404") != 0)
			fail_msg("case %zu: the rejected route still serves", i);
	}
}

/* ==== timeouts ==== */

static void
test_duration_parse(void **state)
{
	static const struct {
		const char *s;
		int rc;
		uint64_t ms;
	} cases[] = {
		{"10s", 0, 10000},
		{"1h", 0, 3600000},
		{"1m", 0, 60000},
		{"500ms", 0, 500},
		{"1h30m", 0, 5400000},
		{"1h2m3s4ms", 0, 3723004},
		{"0s", 0, 0},
		{"99999s", 0, 99999000},
		{"100000s", -EINVAL, 0},
		{"1h1m1s1ms1h", -EINVAL, 0},
		{"", -EINVAL, 0},
		{"10", -EINVAL, 0},
		{"s", -EINVAL, 0},
		{"1.5s", -EINVAL, 0},
		{"-1s", -EINVAL, 0},
		{"10x", -EINVAL, 0},
		{"1d", -EINVAL, 0},
		{" 1s", -EINVAL, 0},
		{"1s ", -EINVAL, 0},
		{"1S", -EINVAL, 0},
		{"1us", -EINVAL, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t ms = 12345;
		int rc = gw_translate_duration_ms(cases[i].s, &ms);

		if (rc != cases[i].rc || (rc == 0 && ms != cases[i].ms))
			fail_msg("\"%s\": rc %d ms %" PRIu64 ", want rc %d ms %" PRIu64, cases[i].s, rc,
				ms, cases[i].rc, cases[i].ms);
	}
	assert_int_equal(gw_translate_duration_ms(NULL, &(uint64_t){0}), -EINVAL);
}

static void
test_rule_timeouts(void **state)
{
	const struct gw_route_rule *r;

	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches: [{path: {type: PathPrefix, value: /t}}]\n"
		"    timeouts:\n"
		"      request: 10s\n"
		"      backendRequest: 1500ms\n"
		"    backendRefs: [{name: v1, port: 8080}]\n"
		"  - matches: [{path: {type: PathPrefix, value: /none}}]\n"
		"    backendRefs: [{name: v1, port: 8080}]\n");
	assert_string_equal(HR("r", "Accepted"), "True/Accepted");
	r = RULE(.path = "/t");
	assert_non_null(r);
	assert_int_equal(r->timeout_request_ms, 10000);
	assert_int_equal(r->timeout_backend_request_ms, 1500);
	r = RULE(.path = "/none");
	assert_non_null(r);
	assert_int_equal(r->timeout_request_ms, 0);
	assert_int_equal(r->timeout_backend_request_ms, 0);
	/* backendRequest longer than request (CRD rule) and a bad duration */
	load("apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - timeouts: {request: 1s, backendRequest: 2s}\n"
		"    backendRefs: [{name: v1, port: 8080}]\n");
	assert_string_equal(HR("r", "Accepted"), "False/UnsupportedValue");
	load("apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - timeouts: {request: 10x}\n"
		"    backendRefs: [{name: v1, port: 8080}]\n");
	assert_string_equal(HR("r", "Accepted"), "False/UnsupportedValue");
}

/* conformance HTTPRouteObservedGenerationBump */
static void
test_route_generation_bump(void **state)
{
	(void)state;
	load(GC GW_HTTP HR_PREFIX("r1", "/", "v1"));
	all_gen(status_of(GW_KIND_HTTPROUTE, "default", "r1"), 1);
	/* the same object again: no bump */
	load(HR_PREFIX("r1", "/", "v1"));
	all_gen(status_of(GW_KIND_HTTPROUTE, "default", "r1"), 1);
	load(HR_PREFIX("r1", "/changed", "v1"));
	assert_int_equal(gw_objcache_get(cache, GW_KIND_HTTPROUTE, "default", "r1")->generation, 2);
	all_gen(status_of(GW_KIND_HTTPROUTE, "default", "r1"), 2);
	assert_string_equal(M(.path = "/changed"), "r1#0");
	assert_string_equal(M(.path = "/"), "404");
	/* a Service change does not touch the route's generation */
	svc("default", "v1", "10.1.0.1");
	tl();
	all_gen(status_of(GW_KIND_HTTPROUTE, "default", "r1"), 2);
}
/* ==== TCPRoute / UDPRoute / TLSRoute ==== */

static const char *const l4_gw =
	"apiVersion: gateway.networking.k8s.io/v1\n"
	"kind: Gateway\n"
	"metadata:\n"
	"  name: gw\n"
	"spec:\n"
	"  gatewayClassName: dpgw\n"
	"  listeners:\n"
	"  - name: tcp\n"
	"    port: 5000\n"
	"    protocol: TCP\n"
	"  - name: udp\n"
	"    port: 5300\n"
	"    protocol: UDP\n"
	"  - name: http\n"
	"    port: 80\n"
	"    protocol: HTTP\n"
	"---\n";

/* conformance TCPRouteWeightedRouting / UDPRouteWeightedRouting (70/30/0) */
static void
test_tcp_udp_weighted(void **state)
{
	static const char *const rt =
		"apiVersion: gateway.networking.k8s.io/v1alpha2\n"
		"kind: %s\n"
		"metadata:\n"
		"  name: %s\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"    sectionName: %s\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - name: backend-v1\n"
		"      port: 8080\n"
		"      weight: 70\n"
		"    - name: backend-v2\n"
		"      port: 8080\n"
		"      weight: 30\n"
		"    - name: backend-v3\n"
		"      port: 8080\n"
		"      weight: 0\n";
	const struct gw_lb_service *s;

	(void)state;
	put(GC);
	put(l4_gw);
	putf(rt, "TCPRoute", "tcp-weighted", "tcp");
	putf(rt, "UDPRoute", "udp-weighted", "udp");
	svc("default", "backend-v1", "10.1.0.1");
	svc("default", "backend-v2", "10.1.0.2");
	svc("default", "backend-v3", "10.1.0.3");
	tl();
	assert_string_equal(pc(GW_KIND_TCPROUTE, "default", "tcp-weighted", 0, "Accepted"),
		"True/Accepted");
	assert_string_equal(pc(GW_KIND_TCPROUTE, "default", "tcp-weighted", 0, "ResolvedRefs"),
		"True/ResolvedRefs");
	assert_string_equal(pc(GW_KIND_UDPROUTE, "default", "udp-weighted", 0, "Accepted"),
		"True/Accepted");
	assert_int_equal(attached("default", "gw", "tcp"), 1);
	assert_int_equal(attached("default", "gw", "udp"), 1);
	assert_int_equal(attached("default", "gw", "http"), 0);
	for (int k = 0; k < 2; k++) {
		s = l4(k == 0 ? IPPROTO_TCP : IPPROTO_UDP, "10.0.0.1", k == 0 ? 5000 : 5300);
		assert_non_null(s);
		assert_int_equal(s->port, k == 0 ? 5000 : 5300);
		assert_int_equal(l4_permille(s, "10.1.0.3"), 0);
		assert_in_range(l4_permille(s, "10.1.0.1"), 680, 720);
		assert_in_range(l4_permille(s, "10.1.0.2"), 280, 320);
		for (unsigned int i = 0; i < s->n_endpoints; i++)
			assert_int_equal(s->endpoints[i].port, 8080);
	}
	/* a TCP service is not a UDP one */
	assert_null(l4(IPPROTO_UDP, "10.0.0.1", 5000));
	assert_null(l4(IPPROTO_TCP, "10.0.0.2", 5000));
	assert_int_equal(json_integer_value(json_object_get(out.summary, "l4_services")), 2);
}

static void
test_l4_endpoints_and_maglev_size(void **state)
{
	const struct gw_lb_service *s;

	(void)state;
	maglev = 251;
	put(GC);
	put(l4_gw);
	put("apiVersion: gateway.networking.k8s.io/v1alpha2\n"
		"kind: TCPRoute\n"
		"metadata:\n"
		"  name: t\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - name: pods\n"
		"      port: 8080\n");
	svc("default", "pods", "10.1.0.1 10.1.0.2! 10.1.0.3");
	tl();
	s = l4(IPPROTO_TCP, "10.0.0.1", 5000);
	assert_non_null(s);
	assert_int_equal(s->maglev_size, 251);
	assert_string_equal(l4_eps(s), "10.1.0.1:8080,10.1.0.3:8080");
	/* the TCPRoute attaches only where it can: TCP listener (parentRef without sectionName) */
	assert_string_equal(pc(GW_KIND_TCPROUTE, "default", "t", 0, "Accepted"), "True/Accepted");
	assert_int_equal(attached("default", "gw", "tcp"), 1);
	assert_int_equal(attached("default", "gw", "udp"), 0);
	assert_int_equal(attached("default", "gw", "http"), 0);
}

/* conformance TCPRouteInvalidNonTCPListener, UDPRouteNotAllowedByListeners */
static void
test_l4_route_on_wrong_listener(void **state)
{
	(void)state;
	put(GC);
	put(l4_gw);
	put("apiVersion: gateway.networking.k8s.io/v1alpha2\n"
		"kind: TCPRoute\n"
		"metadata:\n"
		"  name: tcp-route\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"    sectionName: http\n"
		"  rules:\n"
		"  - backendRefs: [{name: v1, port: 8080}]\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1alpha2\n"
		"kind: UDPRoute\n"
		"metadata:\n"
		"  name: udp-route\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"    sectionName: tcp\n"
		"  rules:\n"
		"  - backendRefs: [{name: v1, port: 8080}]\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: http-on-tcp\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"    sectionName: tcp\n"
		"  rules:\n"
		"  - backendRefs: [{name: v1, port: 8080}]\n");
	svc("default", "v1", "10.1.0.1");
	tl();
	assert_string_equal(pc(GW_KIND_TCPROUTE, "default", "tcp-route", 0, "Accepted"),
		"False/NotAllowedByListeners");
	assert_string_equal(pc(GW_KIND_UDPROUTE, "default", "udp-route", 0, "Accepted"),
		"False/NotAllowedByListeners");
	assert_string_equal(HR("http-on-tcp", "Accepted"), "False/NotAllowedByListeners");
	assert_int_equal(attached("default", "gw", "http"), 0);
	assert_int_equal(attached("default", "gw", "tcp"), 0);
	assert_int_equal(attached("default", "gw", "udp"), 0);
}

/* conformance TCPRouteParentRefPortAndSectionName / UDPRouteParentRefPortAndSectionName */
static void
test_l4_parentref_port_and_section(void **state)
{
	(void)state;
	put(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - {name: tcp-a, port: 5001, protocol: TCP}\n"
		"  - {name: tcp-b, port: 5002, protocol: TCP}\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1alpha2\n"
		"kind: TCPRoute\n"
		"metadata:\n"
		"  name: by-port\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - {name: gw, port: 5002}\n"
		"  rules:\n"
		"  - backendRefs: [{name: b, port: 8080}]\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1alpha2\n"
		"kind: TCPRoute\n"
		"metadata:\n"
		"  name: by-both\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - {name: gw, port: 5001, sectionName: tcp-a}\n"
		"  rules:\n"
		"  - backendRefs: [{name: a, port: 8080}]\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1alpha2\n"
		"kind: TCPRoute\n"
		"metadata:\n"
		"  name: mismatch\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - {name: gw, port: 5002, sectionName: tcp-a}\n"
		"  rules:\n"
		"  - backendRefs: [{name: a, port: 8080}]\n");
	svc("default", "a", "10.1.0.1");
	svc("default", "b", "10.1.0.2");
	tl();
	assert_string_equal(pc(GW_KIND_TCPROUTE, "default", "by-port", 0, "Accepted"), "True/Accepted");
	assert_string_equal(pc(GW_KIND_TCPROUTE, "default", "by-both", 0, "Accepted"), "True/Accepted");
	assert_string_equal(pc(GW_KIND_TCPROUTE, "default", "mismatch", 0, "Accepted"),
		"False/NoMatchingParent");
	assert_string_equal(l4_eps(l4(IPPROTO_TCP, "10.0.0.1", 5001)), "10.1.0.1:8080");
	assert_string_equal(l4_eps(l4(IPPROTO_TCP, "10.0.0.1", 5002)), "10.1.0.2:8080");
	assert_int_equal(attached("default", "gw", "tcp-a"), 1);
	assert_int_equal(attached("default", "gw", "tcp-b"), 1);
}

/* conformance TCPRouteMultipleRoutesAttachment: both Accepted, only the oldest serves */
static void
test_tcp_multiple_routes(void **state)
{
	static const char *const rt =
		"apiVersion: gateway.networking.k8s.io/v1alpha2\n"
		"kind: TCPRoute\n"
		"metadata:\n"
		"  name: %s\n"
		"  creationTimestamp: \"%s\"\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"    sectionName: tcp\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - name: %s\n"
		"      port: 3000\n";

	(void)state;
	put(GC);
	put(l4_gw);
	putf(rt, "tcproute-attach-newer", "2024-01-01T00:00:02Z", "tcp-attach-backend-2");
	putf(rt, "tcproute-attach-older", "2024-01-01T00:00:01Z", "tcp-attach-backend-1");
	svc_app("default", "tcp-attach-backend-1", 3000, NULL, "10.1.0.1");
	svc_app("default", "tcp-attach-backend-2", 3000, NULL, "10.1.0.2");
	tl();
	assert_string_equal(pc(GW_KIND_TCPROUTE, "default", "tcproute-attach-older", 0, "Accepted"),
		"True/Accepted");
	assert_string_equal(pc(GW_KIND_TCPROUTE, "default", "tcproute-attach-newer", 0, "Accepted"),
		"True/Accepted");
	assert_int_equal(attached("default", "gw", "tcp"), 2);
	assert_string_equal(l4_eps(l4(IPPROTO_TCP, "10.0.0.1", 5000)), "10.1.0.1:8080");
}

/* conformance TCPRouteReferenceGrant / TCPRouteInvalidCrossNamespaceBackendRef */
static void
test_tcp_reference_grant(void **state)
{
	(void)state;
	put(GC);
	put(l4_gw);
	put("apiVersion: gateway.networking.k8s.io/v1alpha2\n"
		"kind: TCPRoute\n"
		"metadata:\n"
		"  name: t\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - {name: gw, sectionName: tcp}\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - {name: web-backend, namespace: gateway-conformance-web-backend, port: 8080}\n");
	svc("gateway-conformance-web-backend", "web-backend", "10.2.0.1");
	tl();
	assert_string_equal(pc(GW_KIND_TCPROUTE, "default", "t", 0, "ResolvedRefs"),
		"False/RefNotPermitted");
	assert_string_equal(l4_eps(l4(IPPROTO_TCP, "10.0.0.1", 5000)), "");
	putf(grant_svc, "TCPRoute", "");
	tl();
	assert_string_equal(pc(GW_KIND_TCPROUTE, "default", "t", 0, "ResolvedRefs"),
		"True/ResolvedRefs");
	assert_string_equal(l4_eps(l4(IPPROTO_TCP, "10.0.0.1", 5000)), "10.2.0.1:8080");
	/* a grant for HTTPRoutes does not cover TCPRoutes */
	putf(grant_svc, "HTTPRoute", "");
	tl();
	assert_string_equal(pc(GW_KIND_TCPROUTE, "default", "t", 0, "ResolvedRefs"),
		"False/RefNotPermitted");
}

static void
test_l4_backend_not_found(void **state)
{
	(void)state;
	put(GC);
	put(l4_gw);
	put("apiVersion: gateway.networking.k8s.io/v1alpha2\n"
		"kind: UDPRoute\n"
		"metadata:\n"
		"  name: u\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - {name: gw, sectionName: udp}\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - {name: nonexistent, port: 53}\n");
	tl();
	assert_string_equal(pc(GW_KIND_UDPROUTE, "default", "u", 0, "Accepted"), "True/Accepted");
	assert_string_equal(pc(GW_KIND_UDPROUTE, "default", "u", 0, "ResolvedRefs"),
		"False/BackendNotFound");
	assert_string_equal(l4_eps(l4(IPPROTO_UDP, "10.0.0.1", 5300)), "");
}

/* The L4 table holds one service per TCP/UDP listener *carrying a route* (translate.h). */
static void
test_l4_listener_without_route(void **state)
{
	(void)state;
	load(GC);
	load(l4_gw);
	assert_string_equal(LD("tcp", "Programmed"), "True/Programmed");
	assert_null(l4(IPPROTO_TCP, "10.0.0.1", 5000));
	assert_null(l4(IPPROTO_UDP, "10.0.0.1", 5300));
	assert_int_equal(gw_lb_table_count(out.l4), 0);
}

/* conformance TLSRouteInvalidNoMatchingListener + TLSRouteHostnameIntersection basics */
static void
test_tlsroute_attachment(void **state)
{
	static const char *const rt =
		"apiVersion: gateway.networking.k8s.io/v1alpha2\n"
		"kind: TLSRoute\n"
		"metadata:\n"
		"  name: %s\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: %s\n"
		"%s"
		"  hostnames:\n"
		"  - %s\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - name: tls-backend\n"
		"      port: 443\n";

	(void)state;
	put(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gateway-tlsroute-tls-passthrough-only\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: tls\n"
		"    port: 443\n"
		"    protocol: TLS\n"
		"    hostname: \"*.example.com\"\n"
		"    tls:\n"
		"      mode: Passthrough\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gateway-tlsroute-http-only\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: http\n"
		"    port: 80\n"
		"    protocol: HTTP\n");
	putf(rt, "ok", "gateway-tlsroute-tls-passthrough-only", "", "abc.example.com");
	putf(rt, "tlsroute-no-matching-section-name", "gateway-tlsroute-tls-passthrough-only",
		"    sectionName: nope\n", "abc.example.com");
	putf(rt, "no-matching-hostname", "gateway-tlsroute-tls-passthrough-only", "",
		"abc.example.net");
	putf(rt, "tlsroute-not-allowed-protocol-http", "gateway-tlsroute-http-only", "",
		"abc.example.com");
	svc_app("default", "tls-backend", 443, NULL, "10.1.0.1");
	tl();
	assert_string_equal(pc(GW_KIND_TLSROUTE, "default", "ok", 0, "Accepted"), "True/Accepted");
	assert_string_equal(pc(GW_KIND_TLSROUTE, "default", "ok", 0, "ResolvedRefs"),
		"True/ResolvedRefs");
	assert_string_equal(pc(GW_KIND_TLSROUTE, "default", "tlsroute-no-matching-section-name", 0,
		"Accepted"), "False/NoMatchingParent");
	assert_string_equal(pc(GW_KIND_TLSROUTE, "default", "no-matching-hostname", 0, "Accepted"),
		"False/NoMatchingListenerHostname");
	assert_string_equal(pc(GW_KIND_TLSROUTE, "default", "tlsroute-not-allowed-protocol-http", 0,
		"Accepted"), "False/NotAllowedByListeners");
	assert_int_equal(attached("default", "gateway-tlsroute-tls-passthrough-only", "tls"), 1);
	assert_int_equal(attached("default", "gateway-tlsroute-http-only", "http"), 0);
}

static void
test_summary_counts(void **state)
{
	(void)state;
	put(GC GW_HTTP HR_PREFIX("r1", "/", "v1"));
	put("apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r2\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - {name: gw, sectionName: nope}\n");
	svc("default", "v1", "10.1.0.1");
	tl();
	assert_int_equal(json_integer_value(json_object_get(out.summary, "gatewayclasses")), 1);
	assert_int_equal(json_integer_value(json_object_get(out.summary, "gateways")), 1);
	assert_int_equal(json_integer_value(json_object_get(out.summary, "listeners")), 1);
	assert_int_equal(json_integer_value(json_object_get(out.summary, "routes")), 2);
	assert_int_equal(json_integer_value(json_object_get(out.summary, "routes_accepted")), 1);
	assert_int_equal(json_integer_value(json_object_get(out.summary, "http_groups")), 1);
	assert_int_equal(json_integer_value(json_object_get(out.summary, "l4_services")), 0);
}

/* A route removed from the cache leaves the table at the next translation. */
static void
test_route_removal(void **state)
{
	(void)state;
	load(GC GW_HTTP HR_PREFIX("r1", "/", "v1"));
	assert_string_equal(M(.path = "/"), "r1#0");
	assert_int_equal(attached("default", "gw", "http"), 1);
	assert_int_equal(gw_objcache_delete(cache, GW_KIND_HTTPROUTE, "default", "r1"), 0);
	tl();
	assert_string_equal(M(.path = "/"), "404");
	assert_int_equal(attached("default", "gw", "http"), 0);
	/* the Gateway leaves: its status goes with it, nothing is served */
	assert_int_equal(gw_objcache_delete(cache, GW_KIND_GATEWAY, "default", "gw"), 0);
	tl();
	assert_int_equal(json_array_size(out.groups), 0);
}

/* A Gateway with an IPv4 and an IPv6 address: one group each, same routes. */
static void
test_dual_stack_gateway(void **state)
{
	(void)state;
	load(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  addresses:\n"
		"  - value: 10.0.0.1\n"
		"  - value: fd00::1\n"
		"  listeners:\n"
		"  - {name: http, port: 80, protocol: HTTP}\n"
		"  - {name: tcp, port: 5000, protocol: TCP}\n"
		"---\n"
		HR_PREFIX("r1", "/", "v1")
		"apiVersion: gateway.networking.k8s.io/v1alpha2\n"
		"kind: TCPRoute\n"
		"metadata:\n"
		"  name: t\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - {name: gw, sectionName: tcp}\n"
		"  rules:\n"
		"  - backendRefs: [{name: v1, port: 8080}]\n");
	svc("default", "v1", "10.1.0.1");
	tl();
	assert_string_equal(addrs("default", "gw"), "10.0.0.1,fd00::1");
	assert_string_equal(M(.vip = "10.0.0.1"), "r1#0");
	assert_string_equal(M(.vip = "fd00::1"), "r1#0");
	assert_string_equal(l4_eps(l4(IPPROTO_TCP, "10.0.0.1", 5000)), "10.1.0.1:8080");
	assert_string_equal(l4_eps(l4(IPPROTO_TCP, "fd00::1", 5000)), "10.1.0.1:8080");
}

/* rules 5.8: the grant must live in the *target* namespace */
static void
test_reference_grant_wrong_namespace(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - backendRefs:\n"
		"    - {name: web-backend, namespace: backend-ns, port: 8080}\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1beta1\n"
		"kind: ReferenceGrant\n"
		"metadata:\n"
		"  name: in-the-source-namespace\n"
		"  namespace: default\n"
		"spec:\n"
		"  from:\n"
		"  - {group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}\n"
		"  to:\n"
		"  - {group: \"\", kind: Service}\n");
	svc("backend-ns", "web-backend", "10.2.0.1");
	tl();
	assert_string_equal(HR("r", "ResolvedRefs"), "False/RefNotPermitted");
	assert_string_equal(D(.path = "/"), "500=1");
	/* several from / to entries are ORed */
	put("apiVersion: gateway.networking.k8s.io/v1beta1\n"
		"kind: ReferenceGrant\n"
		"metadata:\n"
		"  name: ored\n"
		"  namespace: backend-ns\n"
		"spec:\n"
		"  from:\n"
		"  - {group: gateway.networking.k8s.io, kind: GRPCRoute, namespace: default}\n"
		"  - {group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}\n"
		"  to:\n"
		"  - {group: \"\", kind: Secret}\n"
		"  - {group: \"\", kind: Service, name: web-backend}\n");
	tl();
	assert_string_equal(HR("r", "ResolvedRefs"), "True/ResolvedRefs");
	assert_string_equal(D(.path = "/"), "web-backend=1");
}

/* rules 5.2.3: effective hostnames are the intersection, nothing more */
static void
test_effective_hostnames_narrowed(void **state)
{
	(void)state;
	load(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - {name: wild, port: 80, protocol: HTTP, hostname: \"*.example.com\"}\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata:\n"
		"  name: r\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  hostnames: [\"*.foo.example.com\", Bar.Example.com, other.net]\n"
		"  rules:\n"
		"  - backendRefs: [{name: v1, port: 8080}]\n");
	assert_string_equal(HR("r", "Accepted"), "True/Accepted");
	assert_string_equal(M(.host = "x.foo.example.com"), "r#0");
	assert_string_equal(M(.host = "bar.example.com"), "r#0");
	assert_string_equal(M(.host = "baz.example.com"), "404");
	assert_string_equal(M(.host = "foo.example.com"), "404");
	assert_string_equal(M(.host = "other.net"), "404");
}

/* allowedRoutes.kinds narrows what an HTTP listener takes */
static void
test_allowed_kinds_restrict(void **state)
{
	(void)state;
	load(GC
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata:\n"
		"  name: gw\n"
		"spec:\n"
		"  gatewayClassName: dpgw\n"
		"  listeners:\n"
		"  - name: grpc-only\n"
		"    port: 80\n"
		"    protocol: HTTP\n"
		"    allowedRoutes:\n"
		"      kinds:\n"
		"      - group: gateway.networking.k8s.io\n"
		"        kind: GRPCRoute\n"
		"---\n"
		HR_PREFIX("h", "/", "v1")
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: GRPCRoute\n"
		"metadata:\n"
		"  name: g\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - backendRefs: [{name: v1, port: 8080}]\n");
	assert_string_equal(kinds("default", "gw", "grpc-only"), "GRPCRoute");
	assert_string_equal(LD("grpc-only", "ResolvedRefs"), "True/ResolvedRefs");
	assert_string_equal(HR("h", "Accepted"), "False/NotAllowedByListeners");
	assert_string_equal(pc(GW_KIND_GRPCROUTE, "default", "g", 0, "Accepted"), "True/Accepted");
	assert_int_equal(attached("default", "gw", "grpc-only"), 1);
}

/* GRPCRoute method matches: service only, method only; gRPC is POST */
static void
test_grpc_service_and_method_only(void **state)
{
	(void)state;
	load(GC GW_HTTP
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: GRPCRoute\n"
		"metadata:\n"
		"  name: g\n"
		"spec:\n"
		"  parentRefs:\n"
		"  - name: gw\n"
		"  rules:\n"
		"  - matches:\n"
		"    - method: {service: foo.Bar}\n"
		"    backendRefs: [{name: v1, port: 8080}]\n"
		"  - matches:\n"
		"    - method: {method: Ping}\n"
		"    backendRefs: [{name: v1, port: 8080}]\n");
	assert_string_equal(pc(GW_KIND_GRPCROUTE, "default", "g", 0, "Accepted"), "True/Accepted");
	assert_string_equal(M(.method = "POST", .path = "/foo.Bar/Anything"), "g#0");
	assert_string_equal(M(.method = "POST", .path = "/foo.BarBaz/Anything"), "404");
	assert_string_equal(M(.method = "POST", .path = "/other.Svc/Ping"), "g#1");
	assert_string_equal(M(.method = "POST", .path = "/other.Svc/Pong"), "404");
	assert_string_equal(M(.method = "GET", .path = "/foo.Bar/Anything"), "404");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_gatewayclass_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gatewayclass_not_ours_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gatewayclass_parameters_ref, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gatewayclass_generation_bump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_auto_vip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_explicit_vip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_address_unsupported_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_address_not_in_pool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_static_addresses_conformance, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_pool_exhausted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_vip_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_explicit_address_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_generation_bump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_transition_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_unsupported_protocol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_hostname_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_protocol_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_distinct_hostnames_share_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allowed_routes_same, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allowed_routes_default_is_same, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allowed_routes_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allowed_routes_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allowed_routes_selector_match_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allowed_routes_selector_match_expressions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allowed_routes_selector_metadata_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_invalid_route_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_default_supported_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_with_attached_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_https_valid_certificate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_https_missing_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_https_garbage_pem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_https_no_certificate_refs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_https_cross_namespace_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parentref_section_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parentref_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parentref_port_and_section, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parentref_no_matching_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parentref_other_controller, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parentref_cross_namespace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_two_parents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_intersect_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostname_intersection_conformance, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostname_intersection_any_listener, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_isolation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_hostname_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_grpc_route_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grpc_route_matching, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_exact_and_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_regex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_matching, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_param_matching, setup, teardown),
		cmocka_unit_test_setup_teardown(test_method_matching, setup, teardown),
		cmocka_unit_test_setup_teardown(test_matching_across_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_match_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precedence_across_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_without_matches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_weights, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_service_port_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_partially_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_unknown_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_cross_namespace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_no_ready_endpoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_endpoint_readiness_and_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_app_protocol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_backend_refs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters_redirect_and_rewrite_incompatible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters_compiled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters_invalid_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duration_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_timeouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_generation_bump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_udp_weighted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_l4_endpoints_and_maglev_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_l4_route_on_wrong_listener, setup, teardown),
		cmocka_unit_test_setup_teardown(test_l4_parentref_port_and_section, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_multiple_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_reference_grant, setup, teardown),
		cmocka_unit_test_setup_teardown(test_l4_backend_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_l4_listener_without_route, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tlsroute_attachment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_removal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dual_stack_gateway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reference_grant_wrong_namespace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_effective_hostnames_narrowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allowed_kinds_restrict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grpc_service_and_method_only, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
