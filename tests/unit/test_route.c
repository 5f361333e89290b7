/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/route: the compiled HTTP route matcher. The Gateway API conformance
 * tests of rules 5.1 and 5.3 are replayed here as data (routes as the
 * translator would hand them over, requests with the backend the suite
 * expects or 404), then precedence tie-breaks, regular expressions,
 * weighted backend choice, Host parsing, walking and a large table.
 * No EAL needed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "gw_route.h"

#define N(a) ((unsigned int)(sizeof(a) / sizeof((a)[0])))

static const struct gw_route_endpoint ep = {
	.family = AF_INET,
	.addr = { 10, 0, 0, 1 },
	.port = 8080,
};

#define BACKEND(n) { .name = (n), .weight = 1, .n_endpoints = 1, .endpoints = &ep }
static const struct gw_route_backend_spec v1[] = { BACKEND("v1") };
static const struct gw_route_backend_spec v2[] = { BACKEND("v2") };
static const struct gw_route_backend_spec v3[] = { BACKEND("v3") };

#define PFX(p)   { .path_type = GW_ROUTE_PATH_PREFIX, .path = (p) }
#define EXACT(p) { .path_type = GW_ROUTE_PATH_EXACT, .path = (p) }
#define REGEX(p) { .path_type = GW_ROUTE_PATH_REGEX, .path = (p) }
#define HDRS(h)  .n_headers = N(h), .headers = (h)
#define QRY(q)   .n_query = N(q), .query = (q)
#define RULE(m, b) { .n_matches = N(m), .matches = (m), .n_backends = 1, .backends = (b) }
#define RULE_ALL(b) { .n_backends = 1, .backends = (b) }
#define ROUTE(ns_, name_, r) { .ns = (ns_), .name = (name_), .created = 100, \
		.n_rules = N(r), .rules = (r) }
#define ROUTE_H(ns_, name_, h, r) { .ns = (ns_), .name = (name_), .created = 100, \
		.n_hostnames = N(h), .hostnames = (h), .n_rules = N(r), .rules = (r) }
#define LISTENER(n, h, r) { .name = (n), .hostname = (h), .n_routes = N(r), .routes = (r) }

/* A request and what the conformance suite expects: a backend, or 404. */
struct treq {
	const char *host;          /* NULL: none sent */
	const char *method;        /* NULL: GET */
	const char *target;        /* path, optionally "?query" */
	const char *hdrs;          /* "name: value\n..." or NULL */
	const char *want;          /* backend name; NULL: 404 */
};

struct preq {
	struct gw_route_req req;
	struct gw_route_header h[8];
};

static void
parse_req(struct preq *p, uint32_t group, const struct treq *r)
{
	const char *q = strchr(r->target, '?');
	const char *s = r->hdrs;

	memset(p, 0, sizeof(*p));
	p->req.group = group;
	p->req.host = r->host;
	p->req.host_len = r->host != NULL ? strlen(r->host) : 0;
	p->req.method = r->method != NULL ? r->method : "GET";
	p->req.method_len = strlen(p->req.method);
	p->req.path = r->target;
	p->req.path_len = q != NULL ? (size_t)(q - r->target) : strlen(r->target);
	if (q != NULL) {
		p->req.query = q + 1;
		p->req.query_len = strlen(q + 1);
	}
	while (s != NULL && *s != '\0' && p->req.n_headers < N(p->h)) {
		struct gw_route_header *h = &p->h[p->req.n_headers++];
		const char *colon = strchr(s, ':');
		const char *nl = strchr(s, '\n');

		assert_non_null(colon);
		if (nl == NULL)
			nl = s + strlen(s);
		h->name = s;
		h->name_len = (size_t)(colon - s);
		h->value = colon + 2;
		h->value_len = (size_t)(nl - colon - 2);
		s = *nl != '\0' ? nl + 1 : nl;
	}
	p->req.headers = p->h;
}

static void
check_reqs(const struct gw_route_table *t, uint32_t group, const struct treq *r, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct gw_route_result res;
		struct preq p;
		int rc;

		parse_req(&p, group, &r[i]);
		rc = gw_route_match(t, &p.req, &res);
		if (r[i].want == NULL) {
			if (rc != 404 || res.status != 404 || res.rule != NULL)
				fail_msg("case %u: %s %s%s [%s]: want 404, got %d (%s)", i,
					r[i].host ? r[i].host : "-", r[i].method ? r[i].method : "",
					r[i].target, r[i].hdrs ? r[i].hdrs : "", rc,
					res.rule != NULL && res.rule->n_backends != 0 ?
						res.rule->backends[0].name : "-");
			continue;
		}
		if (rc != 0 || res.status != 0 || res.rule == NULL || res.listener == NULL)
			fail_msg("case %u: %s %s%s [%s]: want %s, got %d", i,
				r[i].host ? r[i].host : "-", r[i].method ? r[i].method : "",
				r[i].target, r[i].hdrs ? r[i].hdrs : "", r[i].want, rc);
		if (strcmp(res.rule->backends[0].name, r[i].want) != 0)
			fail_msg("case %u: %s %s%s [%s]: want %s, got %s (route %s/%s rule %u)", i,
				r[i].host ? r[i].host : "-", r[i].method ? r[i].method : "",
				r[i].target, r[i].hdrs ? r[i].hdrs : "", r[i].want,
				res.rule->backends[0].name, res.rule->route_ns,
				res.rule->route_name, res.rule->rule_index);
	}
}

static struct gw_route_table *
build_spec(const struct gw_route_table_spec *s)
{
	char err[256];
	struct gw_route_table *t = gw_route_table_build(s, err, sizeof(err));

	if (t == NULL)
		fail_msg("build: %s", err);
	return t;
}

/* One group (id 1, :80) with one listener without hostname. */
static struct gw_route_table *
build1(const struct gw_route_route_spec *routes, unsigned int n)
{
	struct gw_route_listener_spec l = { .name = "gwns/gw/http", .n_routes = n, .routes = routes };
	struct gw_route_group_spec g = { .id = 1, .family = AF_INET, .port = 80,
		.n_listeners = 1, .listeners = &l };
	struct gw_route_table_spec s = { .n_groups = 1, .groups = &g };

	return build_spec(&s);
}

static void
run1(const struct gw_route_route_spec *routes, unsigned int nr, const struct treq *r,
	unsigned int n)
{
	struct gw_route_table *t = build1(routes, nr);

	check_reqs(t, 1, r, n);
	gw_route_table_free(t);
}

/* ---- helpers shared with the translator ---- */

static void
test_path_prefix_helper(void **state)
{
	static const struct {
		const char *prefix, *path;
		bool want;
	} c[] = {
		{ "/abc", "/abc", true },  { "/abc", "/abc/", true },  { "/abc", "/abc/def", true },
		{ "/abc", "/abcd", false }, { "/abc/", "/abc", true }, { "/abc/", "/abc/def", true },
		{ "/abc/", "/abcd", false }, { "/", "/", true },       { "/", "/anything", true },
		{ "/v2", "/v2example", false }, { "/v2", "/foo/v2/example", false },
		{ "/abc", "/ABC", false }, { "/abc", "/ab", false },   { "/a/b", "/a/b/c", true },
	};

	(void)state;
	for (unsigned int i = 0; i < N(c); i++)
		if (gw_route_path_prefix_match(c[i].prefix, strlen(c[i].prefix), c[i].path,
			    strlen(c[i].path)) != c[i].want)
			fail_msg("prefix %s path %s: want %d", c[i].prefix, c[i].path, c[i].want);
}

static void
test_host_match_helper(void **state)
{
	static const struct {
		const char *pattern, *host;
		bool want;
	} c[] = {
		{ "example.com", "example.com", true },      { "example.com", "EXAMPLE.com", true },
		{ "example.com", "example.com.", true },     { "example.com", "a.example.com", false },
		{ "*.example.com", "a.example.com", true },  { "*.example.com", "a.b.example.com", true },
		{ "*.example.com", "example.com", false },   { "*.example.com", "A.Example.COM", true },
		{ "*.example.com", "aexample.com", false },  { "*.example.com", ".example.com", false },
		{ "", "anything.io", true },                 { "very.specific.com", "specific.com", false },
	};

	(void)state;
	for (unsigned int i = 0; i < N(c); i++)
		if (gw_route_host_match(c[i].pattern, c[i].host, strlen(c[i].host)) != c[i].want)
			fail_msg("pattern %s host %s: want %d", c[i].pattern, c[i].host, c[i].want);
}

/* ---- conformance: HTTPRouteExactPathMatching ---- */

static const struct gw_route_match_spec m_one[] = { EXACT("/one") };
static const struct gw_route_match_spec m_two[] = { EXACT("/two") };
static const struct gw_route_rule_spec exact_rules[] = { RULE(m_one, v1), RULE(m_two, v2) };
static const struct gw_route_route_spec exact_routes[] = {
	ROUTE("gateway-conformance-infra", "exact-matching", exact_rules),
};

static void
test_conf_exact_path(void **state)
{
	static const struct treq r[] = {
		{ .target = "/one", .want = "v1" },
		{ .target = "/two", .want = "v2" },
		{ .target = "/" },
		{ .target = "/one/example" },
		{ .target = "/two/" },
		{ .target = "/Two" },
	};

	(void)state;
	run1(exact_routes, N(exact_routes), r, N(r));
}

/* ---- conformance: HTTPRouteMatching ---- */

static const struct gw_route_kv_match h_ver_one[] = { { "version", "one", 0 } };
static const struct gw_route_kv_match h_ver_two[] = { { "version", "two", 0 } };
static const struct gw_route_match_spec m_root_or_one[] = { PFX("/"), { .path = "/", HDRS(h_ver_one) } };
static const struct gw_route_match_spec m_v2_or_two[] = { PFX("/v2"), { .path = "/", HDRS(h_ver_two) } };
static const struct gw_route_rule_spec matching_rules[] = {
	RULE(m_root_or_one, v1),
	RULE(m_v2_or_two, v2),
};
static const struct gw_route_route_spec matching_routes[] = {
	ROUTE("gateway-conformance-infra", "matching", matching_rules),
};

static void
test_conf_matching(void **state)
{
	static const struct treq r[] = {
		{ .target = "/", .want = "v1" },
		{ .target = "/example", .want = "v1" },
		{ .target = "/", .hdrs = "Version: one", .want = "v1" },
		{ .target = "/v2", .want = "v2" },
		{ .target = "/v2/example", .want = "v2" },
		{ .target = "/", .hdrs = "Version: two", .want = "v2" },
		{ .target = "/v2/", .want = "v2" },
		{ .target = "/v2example", .want = "v1" },
		{ .target = "/foo/v2/example", .want = "v1" },
	};

	(void)state;
	run1(matching_routes, N(matching_routes), r, N(r));
}

/* ---- conformance: HTTPRoutePathMatchOrder ---- */

static const struct gw_route_match_spec m_x_match[] = { EXACT("/match") };
static const struct gw_route_match_spec m_x_exact[] = { EXACT("/match/exact") };
static const struct gw_route_match_spec m_x_exact_one[] = { EXACT("/match/exact/one") };
static const struct gw_route_match_spec m_p_match[] = { PFX("/match/") };
static const struct gw_route_match_spec m_p_prefix[] = { PFX("/match/prefix/") };
static const struct gw_route_match_spec m_p_prefix_one[] = { PFX("/match/prefix/one") };
static const struct gw_route_rule_spec order_rules[] = {
	RULE(m_x_match, v1), RULE(m_x_exact, v2), RULE(m_x_exact_one, v3),
	RULE(m_p_match, v3), RULE(m_p_prefix, v1), RULE(m_p_prefix_one, v2),
};
static const struct gw_route_route_spec order_routes[] = {
	ROUTE("gateway-conformance-infra", "path-matching-order", order_rules),
};

static void
test_conf_path_match_order(void **state)
{
	static const struct treq r[] = {
		{ .target = "/match/exact/one", .want = "v3" },
		{ .target = "/match/exact", .want = "v2" },
		{ .target = "/match", .want = "v1" },
		{ .target = "/match/prefix/one/any", .want = "v2" },
		{ .target = "/match/prefix/any", .want = "v1" },
		{ .target = "/match/any", .want = "v3" },
	};

	(void)state;
	run1(order_routes, N(order_routes), r, N(r));
}

/* ---- conformance: HTTPRouteMatchingAcrossRoutes ---- */

static const char *const h_com_net[] = { "example.com", "example.net" };
static const char *const h_com[] = { "example.com" };
static const struct gw_route_rule_spec part1_rules[] = { RULE(m_root_or_one, v1) };
static const struct gw_route_rule_spec part2_rules[] = { RULE(m_v2_or_two, v2) };
static const struct gw_route_route_spec across_routes[] = {
	ROUTE_H("gateway-conformance-infra", "matching-part1", h_com_net, part1_rules),
	ROUTE_H("gateway-conformance-infra", "matching-part2", h_com, part2_rules),
};

static void
test_conf_matching_across_routes(void **state)
{
	static const struct treq r[] = {
		{ .host = "example.com", .target = "/", .want = "v1" },
		{ .host = "example.com", .target = "/example", .want = "v1" },
		{ .host = "example.net", .target = "/example", .want = "v1" },
		{ .host = "example.com", .target = "/example", .hdrs = "Version: one", .want = "v1" },
		{ .host = "example.com", .target = "/v2", .want = "v2" },
		{ .host = "example.net", .target = "/v2", .want = "v1" },
		{ .host = "example.com", .target = "/v2/example", .want = "v2" },
		{ .host = "example.com", .target = "/", .hdrs = "Version: two", .want = "v2" },
		{ .host = "example.org", .target = "/" },
	};

	(void)state;
	run1(across_routes, N(across_routes), r, N(r));
}

/* ---- conformance: HTTPRouteHeaderMatching ---- */

static const struct gw_route_kv_match h_two_orange[] = {
	{ "version", "two", 0 }, { "color", "orange", 0 } };
static const struct gw_route_kv_match h_blue[] = { { "color", "blue", 0 } };
static const struct gw_route_kv_match h_green[] = { { "color", "green", 0 } };
static const struct gw_route_kv_match h_red[] = { { "color", "red", 0 } };
static const struct gw_route_kv_match h_yellow[] = { { "color", "yellow", 0 } };
static const struct gw_route_match_spec m_h_one[] = { { .path = "/", HDRS(h_ver_one) } };
static const struct gw_route_match_spec m_h_two[] = { { .path = "/", HDRS(h_ver_two) } };
static const struct gw_route_match_spec m_h_two_orange[] = { { .path = "/", HDRS(h_two_orange) } };
static const struct gw_route_match_spec m_h_blue_green[] = {
	{ .path = "/", HDRS(h_blue) }, { .path = "/", HDRS(h_green) } };
static const struct gw_route_match_spec m_h_red_yellow[] = {
	{ .path = "/", HDRS(h_red) }, { .path = "/", HDRS(h_yellow) } };
static const struct gw_route_rule_spec header_rules[] = {
	RULE(m_h_one, v1), RULE(m_h_two, v2), RULE(m_h_two_orange, v1),
	RULE(m_h_blue_green, v1), RULE(m_h_red_yellow, v2),
};
static const struct gw_route_route_spec header_routes[] = {
	ROUTE("gateway-conformance-infra", "header-matching", header_rules),
};

static void
test_conf_header_matching(void **state)
{
	static const struct treq r[] = {
		{ .target = "/", .hdrs = "Version: one", .want = "v1" },
		{ .target = "/", .hdrs = "Version: two", .want = "v2" },
		{ .target = "/", .hdrs = "Version: two\nColor: orange", .want = "v1" },
		{ .target = "/", .hdrs = "Version: two\nColor: blue", .want = "v2" },
		{ .target = "/", .hdrs = "Color: orange" },
		{ .target = "/", .hdrs = "Some-Other-Header: one" },
		{ .target = "/", .hdrs = "Color: blue", .want = "v1" },
		{ .target = "/", .hdrs = "Color: green", .want = "v1" },
		{ .target = "/", .hdrs = "Color: red", .want = "v2" },
		{ .target = "/", .hdrs = "Color: yellow", .want = "v2" },
		{ .target = "/", .hdrs = "Color: purple" },
		/* Values are exact: case and length count. */
		{ .target = "/", .hdrs = "VERSION: One" },
		{ .target = "/", .hdrs = "version: one " },
	};

	(void)state;
	run1(header_routes, N(header_routes), r, N(r));
}

/* ---- conformance: HTTPRouteMethodMatching ---- */

static const struct gw_route_kv_match h_ver_three[] = { { "version", "three", 0 } };
static const struct gw_route_kv_match h_ver_four[] = { { "version", "four", 0 } };
static const struct gw_route_match_spec mm_post[] = { { .path = "/", .method = "POST" } };
static const struct gw_route_match_spec mm_get[] = { { .path = "/", .method = "GET" } };
static const struct gw_route_match_spec mm_path1_get[] = { { .path = "/path1", .method = "GET" } };
static const struct gw_route_match_spec mm_one_put[] = {
	{ .path = "/", .method = "PUT", HDRS(h_ver_one) } };
static const struct gw_route_match_spec mm_path2_two_post[] = {
	{ .path = "/path2", .method = "POST", HDRS(h_ver_two) } };
static const struct gw_route_match_spec mm_or[] = {
	{ .path = "/path3", .method = "PATCH" },
	{ .path = "/path4", .method = "DELETE", HDRS(h_ver_three) },
};
static const struct gw_route_match_spec mm_path5[] = { PFX("/path5") };
static const struct gw_route_match_spec mm_patch[] = { { .path = "/", .method = "PATCH" } };
static const struct gw_route_match_spec mm_four[] = { { .path = "/", HDRS(h_ver_four) } };
static const struct gw_route_rule_spec method_rules[] = {
	RULE(mm_post, v1), RULE(mm_get, v2), RULE(mm_path1_get, v1), RULE(mm_one_put, v2),
	RULE(mm_path2_two_post, v3), RULE(mm_or, v1), RULE(mm_path5, v1), RULE(mm_patch, v2),
	RULE(mm_four, v3),
};
static const struct gw_route_route_spec method_routes[] = {
	ROUTE("gateway-conformance-infra", "method-matching", method_rules),
};

static void
test_conf_method_matching(void **state)
{
	static const struct treq r[] = {
		{ .method = "POST", .target = "/", .want = "v1" },
		{ .method = "GET", .target = "/", .want = "v2" },
		{ .method = "HEAD", .target = "/" },
		{ .method = "GET", .target = "/path1", .want = "v1" },
		{ .method = "PUT", .target = "/", .hdrs = "version: one", .want = "v2" },
		{ .method = "POST", .target = "/path2", .hdrs = "version: two", .want = "v3" },
		{ .method = "PATCH", .target = "/path3", .want = "v1" },
		{ .method = "DELETE", .target = "/path4", .hdrs = "version: three", .want = "v1" },
		{ .method = "PUT", .target = "/" },
		{ .method = "DELETE", .target = "/path4" },
		{ .method = "PATCH", .target = "/path5", .want = "v1" },
		{ .method = "PATCH", .target = "/", .hdrs = "version: four", .want = "v2" },
		/* Methods are case-sensitive. */
		{ .method = "post", .target = "/" },
	};

	(void)state;
	run1(method_routes, N(method_routes), r, N(r));
}

/* ---- conformance: HTTPRouteQueryParamMatching ---- */

static const struct gw_route_kv_match q_whale[] = { { "animal", "whale", 0 } };
static const struct gw_route_kv_match q_dolphin[] = { { "animal", "dolphin", 0 } };
static const struct gw_route_kv_match q_dolphin_blue[] = {
	{ "animal", "dolphin", 0 }, { "color", "blue", 0 } };
static const struct gw_route_kv_match q_up_whale[] = { { "ANIMAL", "Whale", 0 } };
static const struct gw_route_kv_match q_shark[] = { { "animal", "shark", 0 } };
static const struct gw_route_kv_match q_kraken[] = { { "animal", "kraken", 0 } };
static const struct gw_route_kv_match q_hydra[] = { { "animal", "hydra", 0 } };
static const struct gw_route_match_spec mq_whale[] = { { .path = "/", QRY(q_whale) } };
static const struct gw_route_match_spec mq_dolphin[] = { { .path = "/", QRY(q_dolphin) } };
static const struct gw_route_match_spec mq_v3[] = {
	{ .path = "/", QRY(q_dolphin_blue) }, { .path = "/", QRY(q_up_whale) } };
static const struct gw_route_match_spec mq_path1[] = { { .path = "/path1", QRY(q_whale) } };
static const struct gw_route_match_spec mq_one_whale[] = {
	{ .path = "/", HDRS(h_ver_one), QRY(q_whale) } };
static const struct gw_route_match_spec mq_path2[] = {
	{ .path = "/path2", HDRS(h_ver_two), QRY(q_whale) } };
static const struct gw_route_match_spec mq_or[] = {
	{ .path = "/path3", QRY(q_shark) },
	{ .path = "/path4", HDRS(h_ver_three), QRY(q_kraken) },
};
static const struct gw_route_match_spec mq_hydra[] = { { .path = "/", QRY(q_hydra) } };
static const struct gw_route_rule_spec query_rules[] = {
	RULE(mq_whale, v1), RULE(mq_dolphin, v2), RULE(mq_v3, v3), RULE(mq_path1, v1),
	RULE(mq_one_whale, v2), RULE(mq_path2, v3), RULE(mq_or, v1), RULE(mm_path5, v1),
	RULE(mq_hydra, v2), RULE(mm_four, v3),
};
static const struct gw_route_route_spec query_routes[] = {
	ROUTE("gateway-conformance-infra", "query-param-matching", query_rules),
};

static void
test_conf_query_matching(void **state)
{
	static const struct treq r[] = {
		{ .target = "/?animal=whale", .want = "v1" },
		{ .target = "/?animal=dolphin", .want = "v2" },
		{ .target = "/?animal=dolphin&color=blue", .want = "v3" },
		{ .target = "/?ANIMAL=Whale", .want = "v3" },
		{ .target = "/?animal=whale&otherparam=irrelevant", .want = "v1" },
		{ .target = "/?animal=dolphin&color=yellow", .want = "v2" },
		{ .target = "/?color=blue" },
		{ .target = "/?animal=dog" },
		{ .target = "/?animal=whaledolphin" },
		{ .target = "/" },
		{ .target = "/path1?animal=whale", .want = "v1" },
		{ .target = "/?animal=whale", .hdrs = "version: one", .want = "v2" },
		{ .target = "/path2?animal=whale", .hdrs = "version: two", .want = "v3" },
		{ .target = "/path3?animal=shark", .want = "v1" },
		{ .target = "/path4?animal=kraken", .hdrs = "version: three", .want = "v1" },
		{ .target = "/?animal=shark" },
		{ .target = "/path4?animal=kraken" },
		{ .target = "/path5?animal=hydra", .want = "v1" },
		{ .target = "/?animal=hydra", .hdrs = "version: four", .want = "v3" },
	};

	(void)state;
	run1(query_routes, N(query_routes), r, N(r));
}

/* ---- conformance: HTTPRouteHostnameIntersection (effective hostnames given) ---- */

static const char *const hi_very[] = { "very.specific.com" };
static const char *const hi_wild2[] = { "foo.wildcard.io", "bar.wildcard.io", "foo.bar.wildcard.io" };
static const char *const hi_wild3[] = { "*.anotherwildcard.io" };
static const char *const hi_all[] = { "first.com", "sub.first.com", "second.com", "sub.second.com" };
static const struct gw_route_match_spec m_s1[] = { PFX("/s1") };
static const struct gw_route_match_spec m_s2[] = { PFX("/s2") };
static const struct gw_route_match_spec m_s3[] = { PFX("/s3") };
static const struct gw_route_match_spec m_s4[] = { PFX("/s4") };
static const struct gw_route_rule_spec r_s1[] = { RULE(m_s1, v1) };
static const struct gw_route_rule_spec r_s2[] = { RULE(m_s2, v2) };
static const struct gw_route_rule_spec r_s3[] = { RULE(m_s3, v3) };
static const struct gw_route_rule_spec r_s4[] = { RULE(m_s4, v1) };
static const struct gw_route_rule_spec r_all_v2[] = { RULE_ALL(v2) };
static const struct gw_route_route_spec hi_l1[] = {
	ROUTE_H("ns", "specific-host-matches-listener-specific-host", hi_very, r_s1),
	/* "*.specific.com" intersected with very.specific.com */
	ROUTE_H("ns", "wildcard-host-matches-listener-specific-host", hi_very, r_s3),
};
static const struct gw_route_route_spec hi_l2[] = {
	ROUTE_H("ns", "specific-host-matches-listener-wildcard-host", hi_wild2, r_s2),
};
static const struct gw_route_route_spec hi_l3[] = {
	ROUTE_H("ns", "wildcard-host-matches-listener-wildcard-host", hi_wild3, r_s4),
};
static const struct gw_route_route_spec hi_all_routes[] = {
	ROUTE_H("ns", "httproute-hostname-intersection-all", hi_all, r_all_v2),
};
static const struct gw_route_listener_spec hi_listeners[] = {
	LISTENER("ns/hi/listener-1", "very.specific.com", hi_l1),
	LISTENER("ns/hi/listener-2", "*.wildcard.io", hi_l2),
	LISTENER("ns/hi/listener-3", "*.anotherwildcard.io", hi_l3),
};
static const struct gw_route_listener_spec hi_all_listeners[] = {
	LISTENER("ns/hi-all/listener-1", NULL, hi_all_routes),
};
static const struct gw_route_group_spec hi_groups[] = {
	{ .id = 7, .family = AF_INET, .port = 80, .n_listeners = N(hi_listeners),
		.listeners = hi_listeners },
	{ .id = 8, .family = AF_INET, .port = 80, .n_listeners = N(hi_all_listeners),
		.listeners = hi_all_listeners },
};

static void
test_conf_hostname_intersection(void **state)
{
	static const struct gw_route_table_spec s = { .n_groups = N(hi_groups), .groups = hi_groups };
	static const struct treq r[] = {
		{ .host = "very.specific.com", .target = "/s1", .want = "v1" },
		{ .host = "very.specific.com:1234", .target = "/s1", .want = "v1" },
		{ .host = "non.matching.com", .target = "/s1" },
		{ .host = "foo.nonmatchingwildcard.io", .target = "/s1" },
		{ .host = "foo.wildcard.io", .target = "/s1" },
		{ .host = "very.specific.com", .target = "/non-matching-prefix" },
		{ .host = "foo.wildcard.io", .target = "/s2", .want = "v2" },
		{ .host = "bar.wildcard.io", .target = "/s2", .want = "v2" },
		{ .host = "foo.bar.wildcard.io", .target = "/s2", .want = "v2" },
		{ .host = "non.matching.com", .target = "/s2" },
		{ .host = "wildcard.io", .target = "/s2" },
		{ .host = "very.specific.com", .target = "/s2" },
		{ .host = "foo.wildcard.io", .target = "/non-matching-prefix" },
		{ .host = "very.specific.com", .target = "/s3", .want = "v3" },
		{ .host = "non.matching.com", .target = "/s3" },
		{ .host = "foo.specific.com", .target = "/s3" },
		{ .host = "foo.wildcard.io", .target = "/s3" },
		{ .host = "foo.anotherwildcard.io", .target = "/s4", .want = "v1" },
		{ .host = "bar.anotherwildcard.io", .target = "/s4", .want = "v1" },
		{ .host = "foo.bar.anotherwildcard.io", .target = "/s4", .want = "v1" },
		{ .host = "anotherwildcard.io", .target = "/s4" },
		{ .host = "foo.wildcard.io", .target = "/s4" },
		{ .host = "very.specific.com", .target = "/s4" },
		{ .host = "foo.anotherwildcard.io", .target = "/non-matching-prefix" },
		{ .host = "specific.but.wrong.com", .target = "/s5" },
		{ .host = "wildcard.io", .target = "/s5" },
		/* listener-2 takes baz.wildcard.io but no route hostname does */
		{ .host = "baz.wildcard.io", .target = "/s2" },
	};
	static const struct treq r_all[] = {
		{ .host = "first.com", .target = "/", .want = "v2" },
		{ .host = "sub.first.com", .target = "/", .want = "v2" },
		{ .host = "second.com", .target = "/", .want = "v2" },
		{ .host = "sub.second.com", .target = "/", .want = "v2" },
		{ .host = "third.com", .target = "/" },
		{ .host = "sub.third.com", .target = "/" },
	};
	struct gw_route_table *t;

	(void)state;
	t = build_spec(&s);
	check_reqs(t, 7, r, N(r));
	check_reqs(t, 8, r_all, N(r_all));
	gw_route_table_free(t);
}

/* ---- conformance: GatewayHTTPListenerIsolation (both gateways) ---- */

static const struct gw_route_match_spec m_empty[] = { PFX("/empty-hostname") };
static const struct gw_route_match_spec m_wex[] = { PFX("/wildcard-example-com") };
static const struct gw_route_match_spec m_wfoo[] = { PFX("/wildcard-foo-example-com") };
static const struct gw_route_match_spec m_abc[] = { PFX("/abc-foo-example-com") };
static const struct gw_route_rule_spec r_empty[] = { RULE(m_empty, v1) };
static const struct gw_route_rule_spec r_wex[] = { RULE(m_wex, v1) };
static const struct gw_route_rule_spec r_wfoo[] = { RULE(m_wfoo, v1) };
static const struct gw_route_rule_spec r_abc[] = { RULE(m_abc, v1) };
static const struct gw_route_route_spec iso_empty[] = { ROUTE("ns", "attaches-to-empty-hostname", r_empty) };
static const struct gw_route_route_spec iso_wex[] = { ROUTE("ns", "attaches-to-wildcard-example-com", r_wex) };
static const struct gw_route_route_spec iso_wfoo[] = {
	ROUTE("ns", "attaches-to-wildcard-foo-example-com", r_wfoo) };
static const struct gw_route_route_spec iso_abc[] = { ROUTE("ns", "attaches-to-abc-foo-example-com", r_abc) };
/* With hostnames: what the intersection with each listener leaves. */
static const char *const ix_empty[] = { "bar.com", "*.example.com", "*.foo.example.com",
	"abc.foo.example.com" };
static const char *const ix_wex[] = { "*.example.com", "*.foo.example.com", "abc.foo.example.com" };
static const char *const ix_wfoo[] = { "*.foo.example.com", "abc.foo.example.com" };
static const char *const ix_abc[] = { "abc.foo.example.com" };
static const struct gw_route_route_spec isx_empty[] = { ROUTE_H("ns", "empty-x", ix_empty, r_empty) };
static const struct gw_route_route_spec isx_wex[] = { ROUTE_H("ns", "wex-x", ix_wex, r_wex) };
static const struct gw_route_route_spec isx_wfoo[] = { ROUTE_H("ns", "wfoo-x", ix_wfoo, r_wfoo) };
static const struct gw_route_route_spec isx_abc[] = { ROUTE_H("ns", "abc-x", ix_abc, r_abc) };
static const struct gw_route_listener_spec iso_listeners[] = {
	LISTENER("ns/iso/empty-hostname", NULL, iso_empty),
	LISTENER("ns/iso/wildcard-example-com", "*.example.com", iso_wex),
	LISTENER("ns/iso/wildcard-foo-example-com", "*.foo.example.com", iso_wfoo),
	LISTENER("ns/iso/abc-foo-example-com", "abc.foo.example.com", iso_abc),
};
static const struct gw_route_listener_spec isx_listeners[] = {
	LISTENER("ns/isx/empty-hostname", "", isx_empty),
	LISTENER("ns/isx/wildcard-example-com", "*.example.com", isx_wex),
	LISTENER("ns/isx/wildcard-foo-example-com", "*.foo.example.com", isx_wfoo),
	LISTENER("ns/isx/abc-foo-example-com", "abc.foo.example.com", isx_abc),
};
static const struct gw_route_group_spec iso_groups[] = {
	{ .id = 1, .family = AF_INET, .port = 80, .n_listeners = N(iso_listeners),
		.listeners = iso_listeners },
	{ .id = 2, .family = AF_INET, .port = 80, .n_listeners = N(isx_listeners),
		.listeners = isx_listeners },
};

static void
test_conf_listener_isolation(void **state)
{
	static const struct gw_route_table_spec s = { .n_groups = N(iso_groups), .groups = iso_groups };
	static const char *const hosts[] = { "bar.com", "bar.example.com", "bar.foo.example.com",
		"abc.foo.example.com" };
	static const char *const paths[] = { "/empty-hostname", "/wildcard-example-com",
		"/wildcard-foo-example-com", "/abc-foo-example-com" };
	struct gw_route_table *t = build_spec(&s);

	(void)state;
	/* 16 cases per gateway: host i reaches only the routes of listener i. */
	for (uint32_t g = 1; g <= 2; g++)
		for (unsigned int h = 0; h < N(hosts); h++)
			for (unsigned int p = 0; p < N(paths); p++) {
				struct treq r = { .host = hosts[h], .target = paths[p],
					.want = h == p ? "v1" : NULL };

				check_reqs(t, g, &r, 1);
			}
	gw_route_table_free(t);
}

/* Listener selection order and res->listener. */
static void
test_listener_selection(void **state)
{
	static const struct gw_route_table_spec s = { .n_groups = 1, .groups = iso_groups };
	static const struct {
		const char *host;
		const char *listener;
	} c[] = {
		{ "abc.foo.example.com", "ns/iso/abc-foo-example-com" },
		{ "ABC.Foo.Example.COM.", "ns/iso/abc-foo-example-com" },
		{ "x.abc.foo.example.com", "ns/iso/wildcard-foo-example-com" },
		{ "a.b.foo.example.com", "ns/iso/wildcard-foo-example-com" },
		{ "foo.example.com", "ns/iso/wildcard-example-com" },
		{ "example.com", "ns/iso/empty-hostname" },
		{ ".example.com", "ns/iso/empty-hostname" },
		{ "", "ns/iso/empty-hostname" },
		{ NULL, "ns/iso/empty-hostname" },
		{ "[::1]:80", "ns/iso/empty-hostname" },
		{ "10.0.0.1:8080", "ns/iso/empty-hostname" },
	};
	struct gw_route_table *t = build_spec(&s);

	(void)state;
	for (unsigned int i = 0; i < N(c); i++) {
		struct gw_route_req req = { .group = 1, .host = c[i].host,
			.host_len = c[i].host ? strlen(c[i].host) : 0, .method = "GET",
			.method_len = 3, .path = "/nothing", .path_len = 8 };
		struct gw_route_result res;

		assert_int_equal(gw_route_match(t, &req, &res), 404);
		if (res.listener == NULL || strcmp(res.listener->name, c[i].listener) != 0)
			fail_msg("host %s: want listener %s, got %s", c[i].host ? c[i].host : "(none)",
				c[i].listener, res.listener ? res.listener->name : "none");
		assert_int_equal(res.listener->port, 80);
	}
	gw_route_table_free(t);
}

/* Without a listener taking the host: 404 and no listener. */
static void
test_no_listener(void **state)
{
	static const struct gw_route_table_spec s = { .n_groups = 1, .groups = hi_groups };
	static const char *const hosts[] = { "other.com", "wildcard.io", "specific.com",
		"[::1]:80", "", "x.very.specific.com" };
	struct gw_route_table *t = build_spec(&s);

	(void)state;
	for (unsigned int i = 0; i < N(hosts); i++) {
		struct gw_route_req req = { .group = 7, .host = hosts[i], .host_len = strlen(hosts[i]),
			.method = "GET", .method_len = 3, .path = "/s1", .path_len = 3 };
		struct gw_route_result res;

		if (gw_route_match(t, &req, &res) != 404 || res.listener != NULL || res.rule != NULL)
			fail_msg("host %s: want 404 without listener", hosts[i]);
	}
	gw_route_table_free(t);
}

/* ---- virtual hosts ---- */

static const char *const vh_exact[] = { "a.example.com" };
static const char *const vh_wild[] = { "*.example.com" };
static const char *const vh_wild2[] = { "*.b.example.com" };
static const char *const vh_multi[] = { "x.io", "Y.IO.", "x.io" };
static const struct gw_route_match_spec m_only_a[] = { PFX("/only-a") };
static const struct gw_route_rule_spec r_only_a[] = { RULE(m_only_a, v1) };
static const struct gw_route_rule_spec r_any_v2[] = { RULE_ALL(v2) };
static const struct gw_route_rule_spec r_any_v3[] = { RULE_ALL(v3) };
static const struct gw_route_rule_spec r_any_v1[] = { RULE_ALL(v1) };
static const struct gw_route_route_spec vh_routes[] = {
	ROUTE_H("ns", "exact", vh_exact, r_only_a),
	ROUTE_H("ns", "wild", vh_wild, r_any_v2),
	ROUTE_H("ns", "wild2", vh_wild2, r_any_v3),
	ROUTE("ns", "any", r_any_v1),
	ROUTE_H("ns", "multi", vh_multi, r_s1),
};

/* Most specific vhost wins and never falls through to a less specific one. */
static void
test_vhost_no_fallthrough(void **state)
{
	static const struct treq r[] = {
		{ .host = "a.example.com", .target = "/only-a", .want = "v1" },
		{ .host = "a.example.com", .target = "/other" },
		{ .host = "c.example.com", .target = "/other", .want = "v2" },
		{ .host = "c.b.example.com", .target = "/", .want = "v3" },
		{ .host = "d.c.b.example.com", .target = "/", .want = "v3" },
		{ .host = "b.example.com", .target = "/", .want = "v2" },
		{ .host = "example.com", .target = "/", .want = "v1" },
		{ .host = "other.org", .target = "/x", .want = "v1" },
		{ .host = "x.io", .target = "/s1", .want = "v1" },
		{ .host = "y.io", .target = "/s1", .want = "v1" },
		{ .host = "x.io", .target = "/" },
		{ .host = "A.EXAMPLE.COM.:443", .target = "/only-a", .want = "v1" },
	};

	(void)state;
	run1(vh_routes, N(vh_routes), r, N(r));
}

/* ---- precedence tie-breaks ---- */

static const struct gw_route_backend_spec be_newer[] = { BACKEND("newer") };
static const struct gw_route_backend_spec be_older[] = { BACKEND("older") };
static const struct gw_route_backend_spec be_dash[] = { BACKEND("a-b/x") };
static const struct gw_route_backend_spec be_slash[] = { BACKEND("a/z") };
static const struct gw_route_backend_spec be_rule0[] = { BACKEND("rule0") };
static const struct gw_route_backend_spec be_rule1[] = { BACKEND("rule1") };
static const struct gw_route_match_spec m_t[] = { PFX("/t") };
static const struct gw_route_match_spec m_u[] = { PFX("/u") };
static const struct gw_route_match_spec m_w[] = { PFX("/w") };
static const struct gw_route_rule_spec r_t_newer[] = { RULE(m_t, be_newer) };
static const struct gw_route_rule_spec r_t_older[] = { RULE(m_t, be_older) };
static const struct gw_route_rule_spec r_u_dash[] = { RULE(m_u, be_dash) };
static const struct gw_route_rule_spec r_u_slash[] = { RULE(m_u, be_slash) };
static const struct gw_route_rule_spec r_w[] = { RULE(m_w, be_rule0), RULE(m_w, be_rule1) };
static const struct gw_route_route_spec tie_routes[] = {
	{ .ns = "b", .name = "r", .created = 200, .n_rules = 1, .rules = r_t_newer },
	{ .ns = "b", .name = "s", .created = 100, .n_rules = 1, .rules = r_t_older },
	/* Same age: "a/z" > "a-b/x" in byte order ('/' 0x2f > '-' 0x2d). */
	{ .ns = "a", .name = "z", .created = 5, .n_rules = 1, .rules = r_u_slash },
	{ .ns = "a-b", .name = "x", .created = 5, .n_rules = 1, .rules = r_u_dash },
	{ .ns = "c", .name = "w", .created = 5, .n_rules = 2, .rules = r_w },
};

static void
test_precedence_tiebreaks(void **state)
{
	static const struct treq r[] = {
		{ .target = "/t", .want = "older" },
		{ .target = "/u/1", .want = "a-b/x" },
		{ .target = "/w", .want = "rule0" },
	};

	(void)state;
	run1(tie_routes, N(tie_routes), r, N(r));
}

static const struct gw_route_backend_spec be_trail[] = { BACKEND("trail") };
static const struct gw_route_backend_spec be_short[] = { BACKEND("short") };
static const struct gw_route_backend_spec be_exact[] = { BACKEND("exact") };
static const struct gw_route_backend_spec be_meth[] = { BACKEND("method") };
static const struct gw_route_backend_spec be_hdr2[] = { BACKEND("hdr2") };
static const struct gw_route_backend_spec be_hdr1[] = { BACKEND("hdr1") };
static const struct gw_route_backend_spec be_q1[] = { BACKEND("q1") };
static const struct gw_route_kv_match h_ab[] = { { "a", "1", 0 }, { "b", "1", 0 } };
static const struct gw_route_kv_match h_a[] = { { "a", "1", 0 } };
static const struct gw_route_kv_match q_a[] = { { "a", "1", 0 } };
static const struct gw_route_match_spec mp_trail[] = { PFX("/abc/") };
static const struct gw_route_match_spec mp_short[] = { PFX("/abc") };
static const struct gw_route_match_spec mp_exact[] = { EXACT("/q") };
static const struct gw_route_match_spec mp_q_hdr[] = { { .path = "/q", HDRS(h_ab), .method = "GET" } };
static const struct gw_route_match_spec mp_meth[] = { { .path = "/m", .method = "GET" } };
static const struct gw_route_match_spec mp_hdr2[] = { { .path = "/m", HDRS(h_ab) } };
static const struct gw_route_match_spec mp_hdr1[] = { { .path = "/m", HDRS(h_a), QRY(q_a) } };
static const struct gw_route_match_spec mp_q1[] = { { .path = "/m", QRY(q_a) } };
/* Spec order is the reverse of precedence, so ordering by list would fail. */
static const struct gw_route_rule_spec prec_rules[] = {
	RULE(mp_short, be_short), RULE(mp_trail, be_trail), RULE(mp_q_hdr, be_hdr2),
	RULE(mp_exact, be_exact), RULE(mp_q1, be_q1), RULE(mp_hdr1, be_hdr1),
	RULE(mp_hdr2, be_hdr2), RULE(mp_meth, be_meth),
};
static const struct gw_route_route_spec prec_routes[] = { ROUTE("ns", "prec", prec_rules) };

static void
test_precedence_kinds(void **state)
{
	static const struct treq r[] = {
		{ .target = "/abc/d", .want = "trail" },
		{ .target = "/abc", .want = "trail" },
		{ .target = "/q", .hdrs = "a: 1\nb: 1", .want = "exact" },
		{ .target = "/q/x", .hdrs = "a: 1\nb: 1", .want = "hdr2" },
		{ .target = "/m?a=1", .hdrs = "a: 1\nb: 1", .want = "method" },
		{ .method = "PUT", .target = "/m?a=1", .hdrs = "a: 1\nb: 1", .want = "hdr2" },
		{ .method = "PUT", .target = "/m?a=1", .hdrs = "a: 1", .want = "hdr1" },
		{ .method = "PUT", .target = "/m?a=1", .want = "q1" },
		{ .method = "PUT", .target = "/m" },
	};

	(void)state;
	run1(prec_routes, N(prec_routes), r, N(r));
}

/* ---- request details ---- */

static const struct gw_route_kv_match h_x[] = { { "X-Env", "prod", 0 } };
static const struct gw_route_kv_match q_env[] = { { "env", "prod", 0 } };
static const struct gw_route_kv_match q_flag[] = { { "flag", "", 0 } };
static const struct gw_route_kv_match q_enc[] = { { "name", "a%20b", 0 } };
static const struct gw_route_match_spec md_h[] = { { .path = "/h", HDRS(h_x) } };
static const struct gw_route_match_spec md_q[] = { { .path = "/q", QRY(q_env) } };
static const struct gw_route_match_spec md_flag[] = { { .path = "/f", QRY(q_flag) } };
static const struct gw_route_match_spec md_enc[] = { { .path = "/e", QRY(q_enc) } };
static const struct gw_route_rule_spec detail_rules[] = {
	RULE(md_h, v1), RULE(md_q, v2), RULE(md_flag, v3), RULE(md_enc, v1),
};
static const struct gw_route_route_spec detail_routes[] = { ROUTE("ns", "details", detail_rules) };

static void
test_repeated_headers_and_params(void **state)
{
	static const struct treq r[] = {
		{ .target = "/h", .hdrs = "x-env: prod\nX-Env: dev", .want = "v1" },
		{ .target = "/h", .hdrs = "X-ENV: dev\nx-env: prod" },
		{ .target = "/h", .hdrs = "X-Envy: prod" },
		{ .target = "/q?env=prod&env=dev", .want = "v2" },
		{ .target = "/q?env=dev&env=prod" },
		{ .target = "/q?Env=prod" },
		{ .target = "/q?x=1&env=prod", .want = "v2" },
		{ .target = "/q?envx=prod" },
		{ .target = "/f?flag", .want = "v3" },
		{ .target = "/f?flag=", .want = "v3" },
		{ .target = "/f?flag=1" },
		{ .target = "/e?name=a%20b", .want = "v1" },
		{ .target = "/e?name=a b" },
	};

	(void)state;
	run1(detail_routes, N(detail_routes), r, N(r));
}

/* ---- regular expressions ---- */

static const struct gw_route_kv_match h_re[] = { { "version", "v[0-9]+", GW_ROUTE_VALUE_REGEX } };
static const struct gw_route_kv_match q_re[] = { { "id", "[a-f]+", GW_ROUTE_VALUE_REGEX } };
static const struct gw_route_match_spec mr_path[] = { REGEX("/r/[0-9]+") };
static const struct gw_route_match_spec mr_pfx[] = { PFX("/r/7") };
static const struct gw_route_match_spec mr_h[] = { { .path = "/h", HDRS(h_re) } };
static const struct gw_route_match_spec mr_q[] = { { .path = "/q", QRY(q_re) } };
static const struct gw_route_match_spec mr_alt[] = { REGEX("/(a|b)/x") };
static const struct gw_route_rule_spec re_rules[] = {
	RULE(mr_path, v1), RULE(mr_pfx, v2), RULE(mr_h, v3), RULE(mr_q, v2), RULE(mr_alt, v3),
};
static const struct gw_route_route_spec re_routes[] = { ROUTE("ns", "regex", re_rules) };

static void
test_regex(void **state)
{
	static const struct treq r[] = {
		{ .target = "/r/123", .want = "v1" },
		{ .target = "/r/7", .want = "v2" },
		{ .target = "/r/12a" },
		{ .target = "/r/123/x" },
		{ .target = "/x/r/1" },
		{ .target = "/a/x", .want = "v3" },
		{ .target = "/b/x", .want = "v3" },
		{ .target = "/c/x" },
		{ .target = "/h", .hdrs = "Version: v12", .want = "v3" },
		{ .target = "/h", .hdrs = "Version: v12x" },
		{ .target = "/h", .hdrs = "Version: xv12" },
		{ .target = "/q?id=cafe", .want = "v2" },
		{ .target = "/q?id=cafe1" },
	};

	(void)state;
	run1(re_routes, N(re_routes), r, N(r));
}

static const struct gw_route_match_spec mb_ok[] = { PFX("/ok") };
static const struct gw_route_match_spec mb_path[] = { REGEX("/a(") };
static const struct gw_route_kv_match h_bad[] = { { "x", "[z", GW_ROUTE_VALUE_REGEX } };
static const struct gw_route_match_spec mb_hdr[] = { { .path = "/", HDRS(h_bad) } };
static const struct gw_route_rule_spec bad_path_rules[] = { RULE(mb_ok, v1), RULE(mb_path, v1) };
static const struct gw_route_rule_spec bad_hdr_rules[] = { RULE(mb_hdr, v1) };
static const struct gw_route_route_spec bad_path_routes[] = { ROUTE("default", "bad", bad_path_rules) };
static const struct gw_route_route_spec bad_hdr_routes[] = { ROUTE("other", "badhdr", bad_hdr_rules) };

static void
test_bad_regex(void **state)
{
	struct gw_route_listener_spec l = { .name = "gwns/gw/http", .n_routes = 1, .routes = bad_path_routes };
	struct gw_route_group_spec g = { .id = 1, .n_listeners = 1, .listeners = &l };
	struct gw_route_table_spec s = { .n_groups = 1, .groups = &g };
	char err[256] = "";

	(void)state;
	assert_null(gw_route_table_build(&s, err, sizeof(err)));
	if (strstr(err, "gwns/gw/http") == NULL || strstr(err, "default/bad") == NULL ||
		strstr(err, "rule 1") == NULL || strstr(err, "/a(") == NULL)
		fail_msg("error does not name listener, route, rule and pattern: %s", err);
	l.routes = bad_hdr_routes;
	err[0] = '\0';
	assert_null(gw_route_table_build(&s, err, sizeof(err)));
	if (strstr(err, "other/badhdr") == NULL || strstr(err, "rule 0") == NULL ||
		strstr(err, "header") == NULL)
		fail_msg("error does not name route, rule and header: %s", err);
}

/* ---- backends ---- */

static const struct gw_route_match_spec m_root[] = { PFX("/") };

static const struct gw_route_rule *
rule_of(const struct gw_route_table *t)
{
	struct gw_route_req req = { .group = 1, .method = "GET", .method_len = 3, .path = "/",
		.path_len = 1 };
	struct gw_route_result res;

	assert_int_equal(gw_route_match(t, &req, &res), 0);
	return res.rule;
}

static const struct gw_route_table *
build_backends(const struct gw_route_backend_spec *b, unsigned int n, struct gw_route_table **out)
{
	struct gw_route_rule_spec rule = { .n_matches = 1, .matches = m_root, .n_backends = n,
		.backends = b };
	struct gw_route_route_spec route = { .ns = "ns", .name = "w", .n_rules = 1, .rules = &rule };

	*out = build1(&route, 1);
	return *out;
}

static void
test_weights(void **state)
{
	static const struct gw_route_backend_spec b[] = {
		{ .name = "a", .weight = 70, .n_endpoints = 1, .endpoints = &ep },
		{ .name = "zero", .weight = 0, .n_endpoints = 1, .endpoints = &ep },
		{ .name = "b", .weight = 30, .n_endpoints = 1, .endpoints = &ep },
	};
	static const uint32_t extremes[] = { 0, 1, 99, 100, UINT32_MAX, UINT32_MAX - 1, 0x80000000u };
	struct gw_route_table *t;
	const struct gw_route_rule *rule;
	unsigned int hits[3] = { 0 };

	(void)state;
	build_backends(b, N(b), &t);
	rule = rule_of(t);
	assert_int_equal(rule->total_weight, 100);
	assert_int_equal(rule->n_backends, 3);
	for (uint32_t rnd = 0; rnd < 100 * 50; rnd++) {
		const struct gw_route_backend *be;

		assert_int_equal(gw_route_pick_backend(rule, rnd, &be), 0);
		assert_non_null(be);
		hits[be - rule->backends]++;
	}
	assert_int_equal(hits[0], 70 * 50);
	assert_int_equal(hits[1], 0);
	assert_int_equal(hits[2], 30 * 50);
	for (unsigned int i = 0; i < N(extremes); i++) {
		const struct gw_route_backend *be;

		assert_int_equal(gw_route_pick_backend(rule, extremes[i], &be), 0);
		assert_string_not_equal(be->name, "zero");
	}
	gw_route_table_free(t);
}

static void
test_weights_error_shares(void **state)
{
	static const struct gw_route_backend_spec b[] = {
		{ .name = "ok", .weight = 2, .n_endpoints = 1, .endpoints = &ep },
		{ .name = "bad", .weight = 1, .state = GW_ROUTE_BACKEND_INVALID },
		{ .name = "empty", .weight = 1, .state = GW_ROUTE_BACKEND_NO_ENDPOINTS },
		{ .name = "off", .weight = 0, .state = GW_ROUTE_BACKEND_INVALID },
	};
	struct gw_route_table *t;
	const struct gw_route_rule *rule;
	unsigned int n0 = 0, n500 = 0, n503 = 0;

	(void)state;
	build_backends(b, N(b), &t);
	rule = rule_of(t);
	for (uint32_t rnd = 0; rnd < 4000; rnd++) {
		const struct gw_route_backend *be;
		int rc = gw_route_pick_backend(rule, rnd, &be);

		if (rc == 0) {
			assert_string_equal(be->name, "ok");
			n0++;
		} else if (rc == 500) {
			n500++;
		} else if (rc == 503) {
			assert_non_null(be);
			assert_string_equal(be->name, "empty");
			n503++;
		} else {
			fail_msg("rnd %u: status %d", rnd, rc);
		}
	}
	assert_int_equal(n0, 2000);
	assert_int_equal(n500, 1000);
	assert_int_equal(n503, 1000);
	gw_route_table_free(t);
}

static void
test_weights_none(void **state)
{
	static const struct gw_route_backend_spec zero[] = {
		{ .name = "a", .weight = 0, .n_endpoints = 1, .endpoints = &ep },
		{ .name = "b", .weight = 0, .n_endpoints = 1, .endpoints = &ep },
	};
	struct gw_route_table *t;
	const struct gw_route_backend *be = (const void *)&be;

	(void)state;
	build_backends(NULL, 0, &t);
	assert_int_equal(gw_route_pick_backend(rule_of(t), 12345, &be), 500);
	assert_null(be);
	gw_route_table_free(t);
	build_backends(zero, N(zero), &t);
	for (uint32_t rnd = 0; rnd < 10; rnd++)
		assert_int_equal(gw_route_pick_backend(rule_of(t), rnd, &be), 500);
	gw_route_table_free(t);
}

/* ---- groups, sizes, copies ---- */

static void
test_unknown_group(void **state)
{
	struct gw_route_table *t = build1(exact_routes, N(exact_routes));
	struct gw_route_req req = { .group = 2, .method = "GET", .method_len = 3, .path = "/one",
		.path_len = 4 };
	struct gw_route_result res;

	(void)state;
	assert_int_equal(gw_route_match(t, &req, &res), 404);
	assert_null(res.listener);
	assert_null(res.rule);
	req.group = 1;
	assert_int_equal(gw_route_match(t, &req, &res), 0);
	assert_int_equal(res.status, 0);
	assert_string_equal(res.listener->name, "gwns/gw/http");
	gw_route_table_free(t);
	gw_route_table_free(NULL);
	assert_int_equal(gw_route_match(NULL, &req, &res), 404);
}

static void
test_duplicate_group(void **state)
{
	struct gw_route_group_spec g[2] = { { .id = 5 }, { .id = 5 } };
	struct gw_route_table_spec s = { .n_groups = 2, .groups = g };
	char err[128] = "";
	struct gw_route_table *t;

	(void)state;
	assert_null(gw_route_table_build(&s, err, sizeof(err)));
	assert_non_null(strstr(err, "duplicate group id 5"));
	g[1].id = 6;
	t = gw_route_table_build(&s, err, sizeof(err));
	assert_non_null(t);
	assert_true(gw_route_table_size(t) > 0);
	gw_route_table_free(t);
}

static char *
dup(const char *s)
{
	char *p = strdup(s);

	assert_non_null(p);
	return p;
}

/* Everything is copied: the spec can be scribbled over and freed. */
static void
test_spec_copied(void **state)
{
	char *path = dup("/copied"), *ns = dup("ns1"), *name = dup("r1"), *host = dup("Copy.Example.COM.");
	char *bname = dup("ns1/svc:80"), *hname = dup("X-Copy"), *hval = dup("yes"), *lname = dup("l");
	struct gw_route_kv_match *hm = calloc(1, sizeof(*hm));
	struct gw_route_match_spec *m = calloc(1, sizeof(*m));
	struct gw_route_backend_spec *b = calloc(1, sizeof(*b));
	struct gw_route_rule_spec *rule = calloc(1, sizeof(*rule));
	const char **hosts = calloc(1, sizeof(*hosts));
	struct gw_route_route_spec *route = calloc(1, sizeof(*route));
	struct gw_route_listener_spec *l = calloc(1, sizeof(*l));
	struct gw_route_group_spec *g = calloc(1, sizeof(*g));
	struct gw_route_table_spec s = { .n_groups = 1, .groups = g };
	struct gw_route_header h = { "x-copy", 6, "yes", 3 };
	struct gw_route_req req = { .group = 3, .host = "copy.example.com", .host_len = 16,
		.method = "GET", .method_len = 3, .path = "/copied/x", .path_len = 9,
		.n_headers = 1, .headers = &h };
	struct gw_route_result res;
	struct gw_route_table *t;

	(void)state;
	*hm = (struct gw_route_kv_match){ hname, hval, 0 };
	*m = (struct gw_route_match_spec){ .path = path, .n_headers = 1, .headers = hm };
	*b = (struct gw_route_backend_spec){ .name = bname, .weight = 1, .n_endpoints = 1,
		.endpoints = &ep };
	*rule = (struct gw_route_rule_spec){ .n_matches = 1, .matches = m, .n_backends = 1,
		.backends = b };
	hosts[0] = host;
	*route = (struct gw_route_route_spec){ .ns = ns, .name = name, .n_hostnames = 1,
		.hostnames = hosts, .n_rules = 1, .rules = rule };
	*l = (struct gw_route_listener_spec){ .name = lname, .n_routes = 1, .routes = route };
	*g = (struct gw_route_group_spec){ .id = 3, .n_listeners = 1, .listeners = l };
	t = build_spec(&s);
	memset(path, 'x', strlen(path));
	memset(host, 'x', strlen(host));
	memset(hname, 'x', strlen(hname));
	memset(ns, 'x', strlen(ns));
	memset(bname, 'x', strlen(bname));
	memset(rule, 0xff, sizeof(*rule));
	memset(b, 0xff, sizeof(*b));
	free(path); free(ns); free(name); free(host); free(bname); free(hname); free(hval);
	free(lname); free(hm); free(m); free(b); free(rule); free(hosts); free(route); free(l); free(g);
	assert_int_equal(gw_route_match(t, &req, &res), 0);
	assert_string_equal(res.rule->route_ns, "ns1");
	assert_string_equal(res.rule->route_name, "r1");
	assert_string_equal(res.rule->backends[0].name, "ns1/svc:80");
	assert_string_equal(res.listener->name, "l");
	gw_route_table_free(t);
}

/* Rules keep filters, backends, timeouts and names. */
static void
test_rule_contents(void **state)
{
	static const struct gw_route_kv set[] = { { "X-A", "1" } };
	static const char *const rm[] = { "X-Gone" };
	static const struct gw_route_filter_spec bef[] = {
		{ .type = GW_ROUTE_FILTER_REQ_HEADERS, .headers = { .n_set = 1, .set = set } },
	};
	static const struct gw_route_backend_spec mirror = BACKEND("mirror");
	static const struct gw_route_backend_spec be[] = {
		{ .name = "svc", .weight = 3, .proto = GW_ROUTE_PROTO_H2C, .n_endpoints = 1,
			.endpoints = &ep, .n_filters = 1, .filters = bef },
	};
	static const struct gw_route_filter_spec f[] = {
		{ .type = GW_ROUTE_FILTER_RESP_HEADERS, .headers = { .n_remove = 1, .remove = rm } },
		{ .type = GW_ROUTE_FILTER_REDIRECT, .redirect = { .scheme = "https", .status = 301 } },
		{ .type = GW_ROUTE_FILTER_MIRROR, .mirror = { .backend = &mirror, .numerator = 1,
			.denominator = 2 } },
	};
	static const struct gw_route_rule_spec rule[] = {
		{ .n_filters = N(f), .filters = f, .n_backends = 1, .backends = be,
			.timeout_request_ms = 1000, .timeout_backend_request_ms = 500, .name = "first" },
	};
	static const struct gw_route_route_spec route[] = { ROUTE("ns", "contents", rule) };
	struct gw_route_table *t = build1(route, 1);
	const struct gw_route_rule *r = rule_of(t);

	(void)state;
	assert_string_equal(r->name, "first");
	assert_true(r->redirect);
	assert_int_equal(r->total_weight, 3);
	assert_int_equal(r->timeout_request_ms, 1000);
	assert_int_equal(r->timeout_backend_request_ms, 500);
	assert_int_equal(r->n_filters, 3);
	assert_string_equal(r->filters[0].headers.remove[0], "X-Gone");
	assert_string_equal(r->filters[1].redirect.scheme, "https");
	assert_null(r->filters[1].redirect.hostname);
	assert_int_equal(r->filters[1].redirect.status, 301);
	assert_string_equal(r->filters[2].mirror.backend->name, "mirror");
	assert_int_equal(r->filters[2].mirror.denominator, 2);
	assert_int_equal(r->backends[0].proto, GW_ROUTE_PROTO_H2C);
	assert_int_equal(r->backends[0].endpoints[0].port, 8080);
	assert_string_equal(r->backends[0].filters[0].headers.set[0].value, "1");
	gw_route_table_free(t);
}

/* Paths deeper than the hashed prefix candidates still match in order. */
static void
test_deep_path(void **state)
{
	char deep[512], req_path[1024];
	size_t n = 0;
	struct gw_route_match_spec m[2] = { PFX("/a"), { .path_type = GW_ROUTE_PATH_PREFIX } };
	struct gw_route_rule_spec rules[2] = {
		{ .n_matches = 1, .matches = &m[0], .n_backends = 1, .backends = v1 },
		{ .n_matches = 1, .matches = &m[1], .n_backends = 1, .backends = v2 },
	};
	struct gw_route_route_spec route = { .ns = "ns", .name = "deep", .n_rules = 2, .rules = rules };
	struct gw_route_table *t;

	(void)state;
	n += (size_t)snprintf(deep + n, sizeof(deep) - n, "/a");
	for (int i = 0; i < 80; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "/b");
	m[1].path = deep;
	t = build1(&route, 1);
	snprintf(req_path, sizeof(req_path), "%s/c/d", deep);
	{
		struct treq r[] = {
			{ .target = req_path, .want = "v2" },
			{ .target = deep, .want = "v2" },
			{ .target = "/a/b/b", .want = "v1" },
		};

		check_reqs(t, 1, r, N(r));
	}
	strcpy(req_path, "/a");
	for (int i = 0; i < 100; i++)
		strcat(req_path, "/x");
	{
		struct treq r[] = { { .target = req_path, .want = "v1" }, { .target = "/ab" } };

		check_reqs(t, 1, r, N(r));
	}
	gw_route_table_free(t);
}

/* ---- walk ---- */

struct walk_log {
	unsigned int n;
	char line[32][96];
	int stop_at;
};

static int
walk_cb(const struct gw_route_walk_entry *e, void *arg)
{
	struct walk_log *w = arg;

	if (w->n < N(w->line))
		snprintf(w->line[w->n], sizeof(w->line[0]), "%u %s [%s] %u %s %u.%u %s", e->group,
			e->listener->name, e->vhost ? e->vhost : "-", e->order,
			e->rule ? e->rule->route_name : "-", e->rule ? e->rule->rule_index : 0,
			e->match_index, e->path ? e->path : "-");
	if (e->n_headers != 0 && strcmp(e->headers[0].name, "x-up") != 0)
		fail_msg("header names are compiled lower case, got %s", e->headers[0].name);
	w->n++;
	return w->stop_at != 0 && (int)w->n == w->stop_at ? 42 : 0;
}

static void
test_walk(void **state)
{
	static const char *const h_walk[] = { "b.io", "*.io", "a.io", "A.IO." };
	static const struct gw_route_kv_match hw[] = { { "X-Up", "1", 0 } };
	static const struct gw_route_match_spec mw[] = { { .path = "/p", HDRS(hw) }, EXACT("/e") };
	static const struct gw_route_rule_spec rw[] = { RULE(mw, v1) };
	static const struct gw_route_route_spec routes_a[] = {
		ROUTE_H("ns", "h", h_walk, rw),
		ROUTE("ns", "any", r_any_v2),
	};
	static const struct gw_route_listener_spec ls[] = {
		LISTENER("L-any", NULL, routes_a),
		{ .name = "L-empty", .hostname = "x.io" },
	};
	static const struct gw_route_group_spec g[] = {
		{ .id = 9, .port = 80, .n_listeners = N(ls), .listeners = ls },
	};
	static const struct gw_route_table_spec s = { .n_groups = 1, .groups = g };
	static const char *const want[] = {
		"9 L-empty [-] 0 - 0.0 -",
		"9 L-any [a.io] 0 h 0.1 /e",
		"9 L-any [a.io] 1 h 0.0 /p",
		"9 L-any [b.io] 0 h 0.1 /e",
		"9 L-any [b.io] 1 h 0.0 /p",
		"9 L-any [*.io] 0 h 0.1 /e",
		"9 L-any [*.io] 1 h 0.0 /p",
		"9 L-any [] 0 any 0.0 /",
	};
	struct gw_route_table *t = build_spec(&s);
	struct walk_log w = { 0 };

	(void)state;
	assert_int_equal(gw_route_table_walk(t, walk_cb, &w), 0);
	if (w.n != N(want))
		fail_msg("walk gave %u entries, want %u", w.n, N(want));
	for (unsigned int i = 0; i < N(want); i++)
		if (strcmp(w.line[i], want[i]) != 0)
			fail_msg("walk entry %u: \"%s\", want \"%s\"", i, w.line[i], want[i]);
	gw_route_table_free(t);
}

/* A non-zero return from the callback stops the walk and is returned. */
static void
test_walk_stop(void **state)
{
	struct gw_route_table *t = build1(order_routes, N(order_routes));
	struct walk_log w = { .stop_at = 3 };

	(void)state;
	assert_int_equal(gw_route_table_walk(t, walk_cb, &w), 42);
	assert_int_equal(w.n, 3);
	/* Precedence order of HTTPRoutePathMatchOrder: longest Exact first. */
	assert_string_equal(w.line[0], "1 gwns/gw/http [] 0 path-matching-order 2.0 /match/exact/one");
	assert_string_equal(w.line[2], "1 gwns/gw/http [] 2 path-matching-order 0.0 /match");
	memset(&w, 0, sizeof(w));
	assert_int_equal(gw_route_table_walk(t, walk_cb, &w), 0);
	assert_int_equal(w.n, 6);
	assert_string_equal(w.line[3], "1 gwns/gw/http [] 3 path-matching-order 5.0 /match/prefix/one");
	assert_string_equal(w.line[5], "1 gwns/gw/http [] 5 path-matching-order 3.0 /match/");
	gw_route_table_free(t);
}

/* ---- scale ---- */

static void
test_10k_routes(void **state)
{
	enum { NS = 100, PER = 100, NR = NS * PER, NHOST = 1000 };
	struct gw_route_route_spec *routes = calloc(NR, sizeof(*routes));
	struct gw_route_rule_spec *rules = calloc(NR, sizeof(*rules));
	struct gw_route_match_spec *m = calloc(NR, sizeof(*m));
	char (*names)[32] = calloc(NR, 32), (*paths)[32] = calloc(NR, 32);
	char (*hosts)[32] = calloc(NHOST, 32);
	const char **hp = calloc(NHOST, sizeof(*hp));
	struct gw_route_backend_spec *be = calloc(NR, sizeof(*be));
	struct gw_route_listener_spec l = { .name = "big", .n_routes = NR, .routes = routes };
	struct gw_route_group_spec g = { .id = 1, .n_listeners = 1, .listeners = &l };
	struct gw_route_table_spec s = { .n_groups = 1, .groups = &g };
	static char nsn[NS][16];
	struct gw_route_table *t;

	(void)state;
	assert_non_null(routes);
	for (int i = 0; i < NHOST; i++) {
		snprintf(hosts[i], 32, "h%d.example.com", i);
		hp[i] = hosts[i];
	}
	for (int i = 0; i < NS; i++)
		snprintf(nsn[i], sizeof(nsn[i]), "ns%d", i);
	for (int i = 0; i < NR; i++) {
		snprintf(names[i], 32, "r%d", i);
		snprintf(paths[i], 32, "/svc%d", i);
		m[i] = (struct gw_route_match_spec){ .path_type = i % 2 ? GW_ROUTE_PATH_EXACT :
			GW_ROUTE_PATH_PREFIX, .path = paths[i] };
		be[i] = (struct gw_route_backend_spec){ .name = names[i], .weight = 1,
			.n_endpoints = 1, .endpoints = &ep };
		rules[i] = (struct gw_route_rule_spec){ .n_matches = 1, .matches = &m[i],
			.n_backends = 1, .backends = &be[i] };
		routes[i] = (struct gw_route_route_spec){ .ns = nsn[i / PER], .name = names[i],
			.created = i, .n_hostnames = 1, .hostnames = &hp[i % NHOST], .n_rules = 1,
			.rules = &rules[i] };
	}
	t = build_spec(&s);
	for (int i = 0; i < NR; i++) {
		char target[40];
		struct treq r[2] = {
			{ .host = hosts[i % NHOST], .target = target, .want = names[i] },
			{ .host = hosts[(i + 1) % NHOST], .target = target },
		};

		snprintf(target, sizeof(target), "%s%s", paths[i], i % 2 ? "" : "/x");
		check_reqs(t, 1, r, 2);
	}
	assert_true(gw_route_table_size(t) > (size_t)NR * 64);
	gw_route_table_free(t);
	free(routes); free(rules); free(m); free(names); free(paths); free(hosts); free(hp); free(be);
}

/* Host forms: ports, IPv6 literals, case, trailing dot, empty first label. */
static void
test_host_forms(void **state)
{
	static const char *const h_forms[] = { "[::1]", "Example.COM" };
	static const struct gw_route_route_spec routes[] = {
		ROUTE_H("ns", "forms", h_forms, r_any_v3),
		ROUTE_H("ns", "wild", vh_wild, r_any_v2),
		ROUTE("ns", "any", r_any_v1),
	};
	static const struct treq r[] = {
		{ .host = "[::1]", .target = "/", .want = "v3" },
		{ .host = "[::1]:8080", .target = "/", .want = "v3" },
		{ .host = "[::2]:8080", .target = "/", .want = "v1" },
		{ .host = "example.com", .target = "/", .want = "v3" },
		{ .host = "EXAMPLE.com:80", .target = "/", .want = "v3" },
		{ .host = "example.com.", .target = "/", .want = "v3" },
		{ .host = "example.com.:443", .target = "/", .want = "v3" },
		{ .host = "www.example.com:80", .target = "/", .want = "v2" },
		{ .host = ".example.com", .target = "/", .want = "v1" },
		{ .host = "example.co", .target = "/", .want = "v1" },
		{ .target = "/", .want = "v1" },
	};
	char longhost[400];

	(void)state;
	run1(routes, N(routes), r, N(r));
	/* Longer than any DNS name: only the hostname-less routes can take it. */
	memset(longhost, 'a', sizeof(longhost));
	memcpy(longhost + sizeof(longhost) - 13, ".example.com", 13);
	{
		struct treq rl[] = { { .host = longhost, .target = "/", .want = "v1" } };

		run1(routes, N(routes), rl, N(rl));
	}
}

/* A regex sees only the path, not the query behind it in the same buffer. */
static void
test_regex_bounds(void **state)
{
	static const struct treq r[] = {
		{ .target = "/r/123?x=1", .want = "v1" },
		{ .target = "/h?id=1", .hdrs = "Version: v1x", .want = NULL },
		{ .target = "/q?id=abc&z=1", .want = "v2" },
	};

	(void)state;
	run1(re_routes, N(re_routes), r, N(r));
}

static void
test_weight_overflow(void **state)
{
	static const struct gw_route_backend_spec big[] = {
		{ .name = "a", .weight = UINT32_MAX, .n_endpoints = 1, .endpoints = &ep },
		{ .name = "b", .weight = 2, .n_endpoints = 1, .endpoints = &ep },
	};
	static const struct gw_route_rule_spec rule[] = {
		{ .n_matches = 1, .matches = m_root, .n_backends = N(big), .backends = big } };
	static const struct gw_route_route_spec route[] = { ROUTE("ns", "huge", rule) };
	struct gw_route_listener_spec l = { .name = "l", .n_routes = 1, .routes = route };
	struct gw_route_group_spec g = { .id = 1, .n_listeners = 1, .listeners = &l };
	struct gw_route_table_spec s = { .n_groups = 1, .groups = &g };
	char err[200] = "";

	(void)state;
	assert_null(gw_route_table_build(&s, err, sizeof(err)));
	assert_non_null(strstr(err, "ns/huge"));
}

static void
test_empty_table(void **state)
{
	struct gw_route_table_spec s = { 0 };
	struct gw_route_table *t = build_spec(&s);
	struct gw_route_req req = { .group = 0, .path = "/", .path_len = 1 };
	struct gw_route_result res;
	struct walk_log w = { 0 };

	(void)state;
	assert_int_equal(gw_route_match(t, &req, &res), 404);
	assert_null(res.listener);
	assert_int_equal(gw_route_table_walk(t, walk_cb, &w), 0);
	assert_int_equal(w.n, 0);
	assert_true(gw_route_table_size(t) > 0);
	assert_null(gw_route_table_build(NULL, NULL, 0));
	gw_route_table_free(t);
}

/* n_matches 0 is one PathPrefix "/" match, ordered as such. */
static void
test_rule_without_matches(void **state)
{
	static const struct gw_route_match_spec m_ex[] = { EXACT("/e") };
	static const struct gw_route_rule_spec rules[] = { RULE_ALL(v1), RULE(m_ex, v2) };
	static const struct gw_route_route_spec routes[] = { ROUTE("ns", "nomatch", rules) };
	static const struct treq r[] = {
		{ .target = "/", .want = "v1" },
		{ .target = "/anything/at/all", .want = "v1" },
		{ .target = "/e", .want = "v2" },
		{ .target = "*", .want = NULL },
	};

	(void)state;
	run1(routes, N(routes), r, N(r));
}

/* A listener that takes the host but has no route: 404, listener set. */
static void
test_listener_without_routes(void **state)
{
	static const struct gw_route_listener_spec ls[] = {
		{ .name = "bare", .hostname = "bare.io", .https = true },
		LISTENER("rest", NULL, exact_routes),
	};
	static const struct gw_route_group_spec g[] = {
		{ .id = 4, .port = 443, .n_listeners = N(ls), .listeners = ls } };
	static const struct gw_route_table_spec s = { .n_groups = 1, .groups = g };
	struct gw_route_table *t = build_spec(&s);
	struct gw_route_req req = { .group = 4, .host = "bare.io", .host_len = 7, .method = "GET",
		.method_len = 3, .path = "/one", .path_len = 4 };
	struct gw_route_result res;

	(void)state;
	assert_int_equal(gw_route_match(t, &req, &res), 404);
	assert_non_null(res.listener);
	assert_string_equal(res.listener->name, "bare");
	assert_string_equal(res.listener->hostname, "bare.io");
	assert_true(res.listener->https);
	assert_int_equal(res.listener->port, 443);
	assert_null(res.rule);
	req.host = "other.io";
	assert_int_equal(gw_route_match(t, &req, &res), 0);
	assert_string_equal(res.listener->name, "rest");
	assert_string_equal(res.listener->hostname, "");
	gw_route_table_free(t);
}

/* Random bytes everywhere (NULs, dots, colons, slashes): never a crash. */
static void
test_garbage_requests(void **state)
{
	static const char alpha[] = "/.:?&=[]aAbZ%\0*-9";
	static const struct gw_route_route_spec routes[] = {
		ROUTE_H("ns", "exact", vh_exact, r_only_a),
		ROUTE_H("ns", "wild", vh_wild, r_any_v2),
		ROUTE("ns", "regex", re_rules),
		ROUTE("ns", "query", query_rules),
	};
	struct gw_route_table *t = build1(routes, N(routes));
	uint64_t seed = 1;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		char host[40], path[80], query[40], hv[16];
		struct gw_route_header h[2] = { { "version", 7, hv, 0 }, { "Color", 5, hv, 0 } };
		struct gw_route_req req = { .group = 1, .method = "GET", .method_len = 3,
			.n_headers = 2, .headers = h };
		struct gw_route_result res;
		char *bufs[4] = { host, path, query, hv };
		size_t lens[4] = { sizeof(host), sizeof(path), sizeof(query), sizeof(hv) };
		size_t got[4];
		int rc;

		for (int b = 0; b < 4; b++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			got[b] = (size_t)(seed >> 40) % lens[b];
			for (size_t k = 0; k < got[b]; k++) {
				seed = seed * 6364136223846793005ull + 1442695040888963407ull;
				bufs[b][k] = alpha[(seed >> 33) % (sizeof(alpha) - 1)];
			}
		}
		/* Lengths as parsed: nothing NUL-terminated, as the header allows. */
		req.host = host;
		req.host_len = got[0];
		req.path = path;
		req.path_len = got[1];
		req.query = query;
		req.query_len = got[2];
		h[0].value_len = h[1].value_len = got[3];
		rc = gw_route_match(t, &req, &res);
		assert_true(rc == 0 || rc == 404);
		assert_int_equal(rc, res.status);
		assert_true((rc == 0) == (res.rule != NULL));
	}
	gw_route_table_free(t);
}

/*
 * Precedence against a reference: random routes with colliding creation
 * times, names (the same route twice included), path kinds and lengths,
 * methods and header / query counts; the walk must list every vhost's
 * matches in the order of rules 5.3.4, each exactly once. The rule's name
 * carries its route's creation time.
 */
#define PR_ROUTES 400

struct prec_log {
	unsigned int n;
	unsigned int bad;
	const char *vhost;
	bool have;
	struct gw_route_walk_entry prev;
};

static int
prec_rank(enum gw_route_path_type t)
{
	return t == GW_ROUTE_PATH_EXACT ? 0 : t == GW_ROUTE_PATH_PREFIX ? 1 : 2;
}

/* The rules 5.3.4 order of two walk entries, created from the rule's name. */
static int
prec_ref_cmp(const struct gw_route_walk_entry *a, const struct gw_route_walk_entry *b)
{
	int ra = prec_rank(a->path_type), rb = prec_rank(b->path_type);
	long ca = strtol(a->rule->name + 1, NULL, 10), cb = strtol(b->rule->name + 1, NULL, 10);
	char na[64], nb[64];
	int r;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (ra != 2 && strlen(a->path) != strlen(b->path))
		return strlen(a->path) > strlen(b->path) ? -1 : 1;
	if ((a->method != NULL) != (b->method != NULL))
		return a->method != NULL ? -1 : 1;
	if (a->n_headers != b->n_headers)
		return a->n_headers > b->n_headers ? -1 : 1;
	if (a->n_query != b->n_query)
		return a->n_query > b->n_query ? -1 : 1;
	if (ca != cb)
		return ca < cb ? -1 : 1;
	snprintf(na, sizeof(na), "%s/%s", a->rule->route_ns, a->rule->route_name);
	snprintf(nb, sizeof(nb), "%s/%s", b->rule->route_ns, b->rule->route_name);
	r = strcmp(na, nb);
	if (r != 0)
		return r;
	if (a->rule->rule_index != b->rule->rule_index)
		return a->rule->rule_index < b->rule->rule_index ? -1 : 1;
	if (a->match_index != b->match_index)
		return a->match_index < b->match_index ? -1 : 1;
	return 0;                  /* the same route twice: build order, not visible here */
}

static int
prec_cb(const struct gw_route_walk_entry *e, void *arg)
{
	struct prec_log *w = arg;

	if (e->rule == NULL)
		return 0;
	w->n++;
	if (w->have && w->vhost == e->vhost && prec_ref_cmp(&w->prev, e) > 0)
		w->bad++;
	w->have = true;
	w->vhost = e->vhost;
	w->prev = *e;
	return 0;
}

static void
test_precedence_random(void **state)
{
	static const char *const hosts[] = { "a.io", "B.io", "*.io", "*.x.io" };
	static const char *const nss[] = { "a", "a-b", "ab", "b" };
	static const char *const names[] = { "x", "y", "x-y", "z/" };
	static const char *const paths[] = { "/", "/a", "/ab", "/a/b", "/abc", "/a/", "/b" };
	static const char *const rpaths[] = { "/a.*", "/[ab]+" };
	static const struct gw_route_kv_match kv[] = {
		{ .name = "k1", .value = "v" }, { .name = "k2", .value = "v" },
	};
	static struct gw_route_route_spec routes[PR_ROUTES];
	static struct gw_route_rule_spec rules[PR_ROUTES][3];
	static struct gw_route_match_spec ms[PR_ROUTES][3][3];
	static const char *hp[PR_ROUTES][2];
	static char rname[PR_ROUTES][16];
	struct gw_route_listener_spec l = { .name = "ns/gw/l", .n_routes = PR_ROUTES,
		.routes = routes };
	struct gw_route_group_spec g = { .id = 1, .family = AF_INET, .port = 80, .n_listeners = 1,
		.listeners = &l };
	struct gw_route_table_spec spec = { .n_groups = 1, .groups = &g };
	struct prec_log w = { 0 };
	struct gw_route_table *t;
	uint64_t seed = 7;
	unsigned int want = 0;
	char err[256];

	(void)state;
	for (int round = 0; round < 4; round++) {
		want = 0;
		for (unsigned int r = 0; r < PR_ROUTES; r++) {
			unsigned int nh = 0, nr;
#define RND(n) ((unsigned int)((seed = seed * 6364136223846793005ull + 1442695040888963407ull) >> 33) % (n))
			int64_t created = (int64_t)RND(3) - 1;

			if (r > 0 && RND(20) == 0) {
				/* The same route again. */
				routes[r] = routes[r - 1];
			} else {
				nh = RND(3);
				for (unsigned int i = 0; i < nh; i++)
					hp[r][i] = hosts[(r + i * 3) % N(hosts)];
				nr = RND(4);
				snprintf(rname[r], sizeof(rname[r]), "c%lld", (long long)created);
				for (unsigned int i = 0; i < nr; i++) {
					unsigned int nm = RND(4);

					for (unsigned int j = 0; j < nm; j++) {
						unsigned int k = RND(10);

						ms[r][i][j] = (struct gw_route_match_spec){
							.path_type = k < 4 ? GW_ROUTE_PATH_PREFIX :
								k < 8 ? GW_ROUTE_PATH_EXACT : GW_ROUTE_PATH_REGEX,
							.method = RND(3) == 0 ? "GET" : NULL,
							.n_headers = RND(3), .headers = kv,
							.n_query = RND(3), .query = kv,
						};
						ms[r][i][j].path = k < 8 ? paths[RND(N(paths))] :
							rpaths[RND(N(rpaths))];
					}
					rules[r][i] = (struct gw_route_rule_spec){ .n_matches = nm,
						.matches = ms[r][i], .n_backends = 1, .backends = v1,
						.name = rname[r] };
				}
				routes[r] = (struct gw_route_route_spec){ .ns = nss[RND(N(nss))],
					.name = names[RND(N(names))], .created = created,
					.n_hostnames = nh, .hostnames = hp[r], .n_rules = nr,
					.rules = rules[r] };
			}
#undef RND
		}
		for (unsigned int r = 0; r < PR_ROUTES; r++) {
			unsigned int nm = 0;

			for (unsigned int i = 0; i < routes[r].n_rules; i++)
				nm += routes[r].rules[i].n_matches ? routes[r].rules[i].n_matches : 1;
			want += nm * (routes[r].n_hostnames ? routes[r].n_hostnames : 1);
		}
		t = gw_route_table_build(&spec, err, sizeof(err));
		assert_non_null(t);
		memset(&w, 0, sizeof(w));
		assert_int_equal(gw_route_table_walk(t, prec_cb, &w), 0);
		assert_int_equal(w.bad, 0);
		assert_int_equal(w.n, want);
		gw_route_table_free(t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_prefix_helper),
		cmocka_unit_test(test_host_match_helper),
		cmocka_unit_test(test_conf_exact_path),
		cmocka_unit_test(test_conf_matching),
		cmocka_unit_test(test_conf_path_match_order),
		cmocka_unit_test(test_conf_matching_across_routes),
		cmocka_unit_test(test_conf_header_matching),
		cmocka_unit_test(test_conf_method_matching),
		cmocka_unit_test(test_conf_query_matching),
		cmocka_unit_test(test_conf_hostname_intersection),
		cmocka_unit_test(test_conf_listener_isolation),
		cmocka_unit_test(test_listener_selection),
		cmocka_unit_test(test_no_listener),
		cmocka_unit_test(test_vhost_no_fallthrough),
		cmocka_unit_test(test_precedence_tiebreaks),
		cmocka_unit_test(test_precedence_kinds),
		cmocka_unit_test(test_precedence_random),
		cmocka_unit_test(test_repeated_headers_and_params),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_bad_regex),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_weights_error_shares),
		cmocka_unit_test(test_weights_none),
		cmocka_unit_test(test_unknown_group),
		cmocka_unit_test(test_duplicate_group),
		cmocka_unit_test(test_spec_copied),
		cmocka_unit_test(test_rule_contents),
		cmocka_unit_test(test_deep_path),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_walk_stop),
		cmocka_unit_test(test_host_forms),
		cmocka_unit_test(test_regex_bounds),
		cmocka_unit_test(test_weight_overflow),
		cmocka_unit_test(test_empty_table),
		cmocka_unit_test(test_rule_without_matches),
		cmocka_unit_test(test_listener_without_routes),
		cmocka_unit_test(test_garbage_requests),
		cmocka_unit_test(test_10k_routes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
