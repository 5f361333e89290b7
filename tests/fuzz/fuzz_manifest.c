/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: manifest text -> gw_manifest_parse() -> a fresh
 * object cache -> (translator) -> every object listed, looked up and
 * rendered -> freed.
 *
 * Whatever the text, the parser returns objects or -EINVAL with a
 * "fuzz.yaml:LINE..." message, never crashes or leaks; every object it
 * gives is a JSON object with a line; the cache takes each with 0, 1
 * (a kind it skips) or -EINVAL with a reason; what it holds lists sorted,
 * is found again by get(), renders, and survives status and delete.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "manifest.h"
#include "objcache.h"
#include "translate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_manifest: %s:%d: contract violated: %s\n", __FILE__, \
				__LINE__, #cond);                                                  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Texts longer than this are not what one manifest file looks like. */
#define MAX_INPUT (256 * 1024)
#define NAME "fuzz.yaml"

static void
check_cache(struct gw_objcache *c, uint64_t puts)
{
	size_t total = 0;

	for (int k = 0; k < GW_KIND_COUNT; k++) {
		const struct gw_obj **v;
		int n = gw_objcache_list(c, k, NULL, &v);

		CHECK(n >= 0);
		CHECK((size_t)n == gw_objcache_count(c, k));
		total += (size_t)n;
		for (int i = 0; i < n; i++) {
			const struct gw_obj *o = v[i];
			const struct gw_obj **w;
			json_t *r;
			char *s;
			int m;

			CHECK(o->kind == (enum gw_kind)k);
			CHECK(gw_objcache_get(c, k, o->ns, o->name) == o);
			CHECK(gw_kind_namespaced(k) ? o->ns[0] != '\0' : o->ns[0] == '\0');
			CHECK(o->generation >= 0);
			CHECK(o->resource_version >= 1 && o->resource_version <= puts);
			CHECK(json_object_get(o->obj, "status") == NULL);
			if (i > 0) {
				int cmp = strcmp(v[i - 1]->ns, o->ns);

				CHECK(cmp < 0 || (cmp == 0 && strcmp(v[i - 1]->name, o->name) < 0));
			}
			r = gw_objcache_render(o);
			CHECK(r != NULL);
			s = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
			CHECK(s != NULL);
			free(s);
			json_decref(r);
			m = gw_objcache_list(c, k, o->ns, &w);
			CHECK(m >= 1);
			free(w);
		}
		free(v);
	}
	(void)total;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_manifest_doc *docs = NULL;
	struct gw_objcache *c;
	char err[512];
	uint64_t puts = 0;
	int n;

	if (size > MAX_INPUT)
		return 0;
	err[0] = '\0';
	n = gw_manifest_parse((const char *)data, size, NAME, &docs, err, sizeof(err));
	if (n < 0) {
		CHECK(n == -EINVAL || n == -ENOMEM);
		CHECK(docs == NULL);
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		CHECK(strncmp(err, NAME ":", strlen(NAME ":")) == 0);
		CHECK(atoi(err + strlen(NAME ":")) >= 1);
		return 0;
	}
	CHECK(n == 0 || docs != NULL);

	c = gw_objcache_new();
	CHECK(c != NULL);
	gw_objcache_lock(c);
	for (int i = 0; i < n; i++) {
		enum gw_kind kind;
		const char *ns, *name;
		char origin[64];
		int rc, chk;

		CHECK(json_is_object(docs[i].obj));
		CHECK(docs[i].line >= 1);
		chk = gw_objcache_check(docs[i].obj, &kind, &ns, &name, NULL, 0);
		snprintf(origin, sizeof(origin), NAME ":%d", docs[i].line);
		err[0] = '\0';
		/* The cache edits what it takes: give it the doc's own reference. */
		rc = gw_objcache_put(c, docs[i].obj, origin, err, sizeof(err));
		docs[i].obj = NULL;
		CHECK(rc == chk);
		CHECK(rc == 0 || rc == 1 || rc == -EINVAL);
		CHECK(rc == 0 || err[0] != '\0');
		if (rc == 0)
			puts++;
		CHECK(gw_objcache_version(c) == puts);
	}
	gw_objcache_unlock(c);

	/*
	 * The translator over whatever the input made of the cache, twice with
	 * a memo (the second run takes the cached paths) and once without:
	 * the three must agree on what was accepted, and every compiled table
	 * must answer a lookup without faulting.
	 */
	{
		static const struct gw_translate_vip vips[2] = {
			{.family = AF_INET, .addr = {10, 0, 0, 1}},
			{.family = AF_INET6, .addr = {0xfd, 0, [15] = 1}},
		};
		struct gw_translate_params tp = {.controller_name = "dpgw.io/gateway-controller",
			.n_vips = 2, .vips = vips, .now = 1700000000};
		struct gw_translate_memo *memo = gw_translate_memo_new();
		json_int_t accepted[3] = {0, 0, 0};
		char terr[512];

		CHECK(memo != NULL);
		gw_objcache_lock(c);
		for (int round = 0; round < 3; round++) {
			struct gw_translation t;

			tp.memo = round < 2 ? memo : NULL;
			if (gw_translate(c, &tp, &t, terr, sizeof(terr)) != 0)
				continue; /* a regex a table refuses, say: nothing published */
			accepted[round] = json_integer_value(json_object_get(t.summary,
				"routes_accepted"));
			for (size_t g = 0; g < json_array_size(t.groups); g++) {
				struct gw_route_req rq = {
					.group = (uint32_t)json_integer_value(json_object_get(
						json_array_get(t.groups, g), "id")),
					.host = "a.example.com", .host_len = 13,
					.method = "GET", .method_len = 3, .path = "/x/y", .path_len = 4,
					.query = "a=1&b", .query_len = 5,
				};
				struct gw_route_result rr;

				if (gw_route_match(t.http, &rq, &rr) == 0) {
					const struct gw_route_backend *be;

					gw_route_pick_backend(rr.rule, (uint32_t)g * 2654435761u, &be);
				}
			}
			for (unsigned int i = 0; i < gw_lb_table_count(t.l4); i++) {
				const struct gw_lb_service *sv = gw_lb_table_at(t.l4, i);

				CHECK(gw_lb_lookup(t.l4, sv->proto, sv->family, sv->vip, sv->port) != NULL);
				gw_lb_pick(sv, 12345);
			}
			gw_translation_release(&t);
		}
		gw_objcache_unlock(c);
		CHECK(accepted[0] == accepted[1] && accepted[1] == accepted[2]);
		gw_translate_memo_free(memo);
	}

	check_cache(c, puts);

	/* Status on everything, then delete every other object, then check again. */
	for (int k = 0; k < GW_KIND_COUNT; k++) {
		const struct gw_obj **v;
		int m = gw_objcache_list(c, k, NULL, &v);

		CHECK(m >= 0);
		for (int i = 0; i < m; i++) {
			char ns[256], name[256];
			json_t *st;

			snprintf(ns, sizeof(ns), "%s", v[i]->ns);
			snprintf(name, sizeof(name), "%s", v[i]->name);
			st = json_pack("{s:i}", "observedGeneration", (int)v[i]->generation);
			CHECK(gw_objcache_set_status(c, k, ns, name, st) == 0);
			if (i % 2 == 0) {
				/* v[i] dies here: the copies keep the key. */
				CHECK(gw_objcache_delete(c, k, ns, name) == 0);
				CHECK(gw_objcache_get(c, k, ns, name) == NULL);
				puts++;
			}
		}
		free(v);
	}
	check_cache(c, puts);
	gw_objcache_free(c);
	gw_manifest_docs_free(docs, n);
	return 0;
}
