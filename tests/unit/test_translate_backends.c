/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * control/translate: the Gateway API translator, conformance-style, part 3:
 * route backends, filters, timeouts, TCPRoute / UDPRoute / TLSRoute.
 * Gateways, listeners and certificates are in test_translate.c; parentRefs,
 * hostnames and matching in test_translate_routes.c; the fixtures and
 * helpers all use, and how a case is written and checked, are in
 * translate_util.h.
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
