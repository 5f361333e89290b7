/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * control/translate: the Gateway API translator, conformance-style, part 1:
 * GatewayClass, Gateway addresses, listeners, HTTPS certificateRefs,
 * allowedRoutes and ReferenceGrant. Routes (attachment, hostnames,
 * matching, backends, filters, timeouts, L4, TLSRoute) are in
 * test_translate_routes.c; the fixtures and helpers both use, and how a
 * case is written and checked, are in translate_util.h.
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

/* ==== summary, dual stack, ReferenceGrant, allowedRoutes.kinds ==== */

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
	/* No NAT46: the IPv6 VIP is served by IPv6 endpoints only, and there are none. */
	assert_string_equal(l4_eps(l4(IPPROTO_TCP, "fd00::1", 5000)), "");
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
		cmocka_unit_test_setup_teardown(test_summary_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dual_stack_gateway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reference_grant_wrong_namespace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allowed_kinds_restrict, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
