/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * control/translate: the Gateway API translator, conformance-style, part 2:
 * routes: parentRefs and attachment, hostnames, request matching and
 * precedence, route removal. Gateways, listeners and certificates are in
 * test_translate.c; backends, filters, timeouts and TCPRoute / UDPRoute /
 * TLSRoute in test_translate_backends.c; the fixtures and helpers all use,
 * and how a case is written and checked, are in translate_util.h.
 *
 * Expected values follow the Gateway API spec and
 * ../shared/reference/gateway-api-rules.md, not the implementation: a
 * failing case here is a departure from the spec.
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
#include <string.h>
#include <netinet/in.h>

#include <jansson.h>

#include "objcache.h"
#include "translate.h"
#include "translate_util.h"

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

/* ==== route removal, effective hostnames, gRPC method matches ==== */

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
		cmocka_unit_test_setup_teardown(test_route_removal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_effective_hostnames_narrowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grpc_service_and_method_only, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
