/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixtures and helpers shared by the Gateway API translator tests; see
 * translate_util.h for what each one does.
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
#include "translate_util.h"

/* openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=example.com (base64 PEM) */
const char CERT_B64[] =
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
const char KEY_B64[] =
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
const char KEY2_B64[] =
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

struct gw_objcache *cache;
struct gw_translation out;
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
int64_t now;
uint32_t maglev;

static const char *const pool_str[] = {"10.0.0.1", "10.0.0.2", "fd00::1"};

int
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

int
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
void
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

void
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
json_t *
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
char *
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
void
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

void
load(const char *yaml)
{
	put(yaml);
	tl();
}

/* ---- statuses ---- */

const json_t *
status_of(enum gw_kind k, const char *ns, const char *name)
{
	const struct gw_obj *o = gw_objcache_get(cache, k, ns, name);

	if (o == NULL)
		fail_msg("%s %s/%s is not in the cache", gw_kind_name(k), ns ? ns : "", name);
	return o->status;
}

const json_t *
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
const char *
cs(const json_t *c)
{
	char *b = sbuf();

	if (c == NULL)
		return "(none)";
	snprintf(b, 1024, "%s/%s", json_string_value(json_object_get(c, "status")) ?: "?",
		json_string_value(json_object_get(c, "reason")) ?: "?");
	return b;
}

const json_t *
obj_cond(enum gw_kind k, const char *ns, const char *name, const char *type)
{
	return find_cond(json_object_get(status_of(k, ns, name), "conditions"), type);
}

/* GatewayClass condition. */
const char *
gcc(const char *name, const char *type)
{
	return cs(obj_cond(GW_KIND_GATEWAYCLASS, NULL, name, type));
}

/* Gateway condition. */
const char *
gwc(const char *ns, const char *name, const char *type)
{
	return cs(obj_cond(GW_KIND_GATEWAY, ns, name, type));
}

const json_t *
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
const char *
lc(const char *ns, const char *gw, const char *l, const char *type)
{
	return cs(find_cond(json_object_get(listener(ns, gw, l), "conditions"), type));
}

/* attachedRoutes, or -1 when the listener has no status. */
int
attached(const char *ns, const char *gw, const char *l)
{
	const json_t *e = listener(ns, gw, l);

	return e == NULL ? -1 : (int)json_integer_value(json_object_get(e, "attachedRoutes"));
}

/* supportedKinds as "HTTPRoute,GRPCRoute" (each must carry the Gateway API group). */
const char *
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
const char *
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
int
nparents(enum gw_kind k, const char *ns, const char *name)
{
	const json_t *st = status_of(k, ns, name);

	return st == NULL ? 0 : (int)json_array_size(json_object_get(st, "parents"));
}

const json_t *
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
const char *
pc(enum gw_kind k, const char *ns, const char *name, size_t i, const char *type)
{
	return cs(find_cond(json_object_get(parent(k, ns, name, i), "conditions"), type));
}

/* Every condition of @st (recursively) has observedGeneration @gen. */
void
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

const char *
ltt(const json_t *c)
{
	assert_non_null(c);
	return json_string_value(json_object_get(c, "lastTransitionTime")) ?: "(none)";
}

/* ---- the HTTP table ---- */

/* The id of the group on @vip (NULL: any) and @port, or 0xfffffff0. */
uint32_t
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
const char *
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
const char *
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

const struct gw_route_rule *
rule_of(struct treq q)
{
	struct gw_route_result res;

	if (do_match(&q, &res) != 0)
		return NULL;
	return res.rule;
}

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
const char *
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

/*
 * What a conformance request sees: the Service that answers (first
 * backend picked with rnd 0, as "svc"), "404", "500" or "503".
 */
const char *
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

/* Endpoints of a backend as "10.1.0.1:8080,10.1.0.2:8080" in the table's order. */
const char *
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

const struct gw_lb_service *
l4(int proto, const char *vip, unsigned int port)
{
	uint8_t a[16] = {0};
	int fam = strchr(vip, ':') != NULL ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(fam, vip, a), 1);
	return gw_lb_lookup(out.l4, (uint8_t)proto, fam, a, (uint16_t)port);
}

/* Share of the Maglev slots owned by endpoint @addr, in permille. */
unsigned int
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
const char *
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

/*
 * A Service @ns/@name with one port (@port, named "http", targetPort 8080,
 * @app_proto when non-NULL) and an EndpointSlice for it with @ips
 * ("10.1.0.1 10.1.0.2"; a trailing '!' marks an endpoint not ready, a
 * trailing '?' one without conditions).
 */
void
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

void
svc(const char *ns, const char *name, const char *ips)
{
	svc_app(ns, name, 8080, NULL, ips);
}

/* A kubernetes.io/tls Secret with base64 data. */
void
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

bool
starts(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)) != 0) {
		print_error("\"%s\" does not start with \"%s\"\n", s, prefix);
		return false;
	}
	return true;
}

void
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
