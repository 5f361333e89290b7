/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Object cache: kinds and apiVersions, the metadata an API server would
 * set (namespace, generation, creationTimestamp, resourceVersion, uid),
 * validation, status, list order and filters, and many objects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objcache.h"

#define GW "gateway.networking.k8s.io/"

static json_t *
mkobj(const char *api, const char *kind, const char *ns, const char *name)
{
	json_t *o = json_pack("{s:s,s:s,s:{s:s},s:{s:s}}", "apiVersion", api, "kind", kind,
		"metadata", "name", name, "spec", "x", "y");

	assert_non_null(o);
	if (ns != NULL)
		json_object_set_new(json_object_get(o, "metadata"), "namespace", json_string(ns));
	return o;
}

static json_t *
route(const char *ns, const char *name, const char *host)
{
	json_t *o = json_pack("{s:s,s:s,s:{s:s},s:{s:[s]}}", "apiVersion", GW "v1",
		"kind", "HTTPRoute", "metadata", "name", name, "spec", "hostnames", host);

	assert_non_null(o);
	if (ns != NULL)
		json_object_set_new(json_object_get(o, "metadata"), "namespace", json_string(ns));
	return o;
}

static const char *
md_str(const struct gw_obj *o, const char *key)
{
	return json_string_value(json_object_get(json_object_get(o->obj, "metadata"), key));
}

static void
put_ok(struct gw_objcache *c, json_t *o)
{
	char err[256] = "";
	int rc = gw_objcache_put(c, o, "test", err, sizeof(err));

	if (rc != 0)
		fail_msg("put: %d %s", rc, err);
}

static int
put_rc(struct gw_objcache *c, json_t *o, char *err, size_t len)
{
	err[0] = '\0';
	return gw_objcache_put(c, o, "test", err, len);
}

/* ---- kinds ---- */

static void
test_kind_names(void **state)
{
	for (int k = 0; k < GW_KIND_COUNT; k++) {
		assert_int_equal(gw_kind_parse(gw_kind_name(k)), k);
		assert_int_equal(gw_kind_parse(gw_kind_plural(k)), k);
	}
	assert_string_equal(gw_kind_name(GW_KIND_HTTPROUTE), "HTTPRoute");
	assert_string_equal(gw_kind_plural(GW_KIND_GATEWAYCLASS), "gatewayclasses");
	assert_string_equal(gw_kind_plural(GW_KIND_ENDPOINTSLICE), "endpointslices");
	assert_string_equal(gw_kind_group(GW_KIND_GATEWAY), "gateway.networking.k8s.io");
	assert_string_equal(gw_kind_group(GW_KIND_SERVICE), "");
	assert_string_equal(gw_kind_group(GW_KIND_ENDPOINTSLICE), "discovery.k8s.io");
	assert_false(gw_kind_namespaced(GW_KIND_GATEWAYCLASS));
	assert_false(gw_kind_namespaced(GW_KIND_NAMESPACE));
	assert_true(gw_kind_namespaced(GW_KIND_GATEWAY));
	assert_true(gw_kind_namespaced(GW_KIND_SECRET));
}

static void
test_kind_parse(void **state)
{
	static const struct {
		const char *s;
		int k;
	} cases[] = {
		{ "gc", GW_KIND_GATEWAYCLASS }, { "gatewayclass", GW_KIND_GATEWAYCLASS },
		{ "GatewayClasses", GW_KIND_GATEWAYCLASS },
		{ "gtw", GW_KIND_GATEWAY }, { "gateway", GW_KIND_GATEWAY },
		{ "Gateways", GW_KIND_GATEWAY },
		{ "httproute", GW_KIND_HTTPROUTE }, { "httproutes", GW_KIND_HTTPROUTE },
		{ "HTTPRoute", GW_KIND_HTTPROUTE }, { "HTTPROUTES", GW_KIND_HTTPROUTE },
		{ "httproutes.gateway.networking.k8s.io", GW_KIND_HTTPROUTE },
		{ "svc", GW_KIND_SERVICE }, { "service", GW_KIND_SERVICE },
		{ "services", GW_KIND_SERVICE },
		{ "ns", GW_KIND_NAMESPACE }, { "namespace", GW_KIND_NAMESPACE },
		{ "namespaces", GW_KIND_NAMESPACE },
		{ "secret", GW_KIND_SECRET }, { "secrets", GW_KIND_SECRET },
		{ "endpointslice", GW_KIND_ENDPOINTSLICE },
		{ "endpointslices", GW_KIND_ENDPOINTSLICE },
		{ "endpointslices.discovery.k8s.io", GW_KIND_ENDPOINTSLICE },
		{ "referencegrant", GW_KIND_REFERENCEGRANT },
		{ "referencegrants", GW_KIND_REFERENCEGRANT },
		{ "refgrant", GW_KIND_REFERENCEGRANT },
		{ "grpcroute", GW_KIND_GRPCROUTE }, { "grpcroutes", GW_KIND_GRPCROUTE },
		{ "tcproute", GW_KIND_TCPROUTE }, { "tcproutes", GW_KIND_TCPROUTE },
		{ "udproute", GW_KIND_UDPROUTE }, { "udproutes", GW_KIND_UDPROUTE },
		{ "tlsroute", GW_KIND_TLSROUTE }, { "tlsroutes", GW_KIND_TLSROUTE },
		{ "", -EINVAL }, { "deployment", -EINVAL }, { "route", -EINVAL },
		{ "httproutess", -EINVAL }, { "svcs", -EINVAL }, { "gcs", -EINVAL },
		{ "httproutes.apps", -EINVAL }, { ".gateway.networking.k8s.io", -EINVAL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (gw_kind_parse(cases[i].s) != cases[i].k)
			fail_msg("gw_kind_parse(\"%s\") = %d, want %d", cases[i].s,
				gw_kind_parse(cases[i].s), cases[i].k);
	assert_int_equal(gw_kind_parse(NULL), -EINVAL);
}

static void
test_kind_versions(void **state)
{
	static const struct {
		const char *api, *kind;
		int k;
	} cases[] = {
		{ GW "v1", "GatewayClass", GW_KIND_GATEWAYCLASS },
		{ GW "v1beta1", "GatewayClass", GW_KIND_GATEWAYCLASS },
		{ GW "v1alpha2", "GatewayClass", -EPROTO },
		{ GW "v1", "Gateway", GW_KIND_GATEWAY },
		{ GW "v1beta1", "Gateway", GW_KIND_GATEWAY },
		{ GW "v1alpha2", "Gateway", -EPROTO },
		{ GW "v1", "HTTPRoute", GW_KIND_HTTPROUTE },
		{ GW "v1beta1", "HTTPRoute", GW_KIND_HTTPROUTE },
		{ GW "v1alpha2", "HTTPRoute", -EPROTO },
		{ GW "v1", "GRPCRoute", GW_KIND_GRPCROUTE },
		{ GW "v1alpha2", "GRPCRoute", GW_KIND_GRPCROUTE },
		{ GW "v1beta1", "GRPCRoute", -EPROTO },
		{ GW "v1alpha2", "TCPRoute", GW_KIND_TCPROUTE },
		{ GW "v1", "TCPRoute", -EPROTO },
		{ GW "v1alpha2", "UDPRoute", GW_KIND_UDPROUTE },
		{ GW "v1", "UDPRoute", -EPROTO },
		{ GW "v1", "TLSRoute", GW_KIND_TLSROUTE },
		{ GW "v1alpha3", "TLSRoute", GW_KIND_TLSROUTE },
		{ GW "v1alpha2", "TLSRoute", GW_KIND_TLSROUTE },
		{ GW "v1beta1", "TLSRoute", -EPROTO },
		{ GW "v1", "ReferenceGrant", GW_KIND_REFERENCEGRANT },
		{ GW "v1beta1", "ReferenceGrant", GW_KIND_REFERENCEGRANT },
		{ GW "v1alpha2", "ReferenceGrant", GW_KIND_REFERENCEGRANT },
		{ "v1", "Service", GW_KIND_SERVICE },
		{ "v1", "Secret", GW_KIND_SECRET },
		{ "v1", "Namespace", GW_KIND_NAMESPACE },
		{ "discovery.k8s.io/v1", "EndpointSlice", GW_KIND_ENDPOINTSLICE },
		{ "discovery.k8s.io/v1beta1", "EndpointSlice", -EPROTO },
		{ "v1", "EndpointSlice", -EPROTO },
		{ "v2", "Service", -EPROTO },
		{ "core/v1", "Service", -EPROTO },
		{ "v1", "Gateway", -EPROTO },
		{ "networking.k8s.io/v1", "HTTPRoute", -EPROTO },
		{ "apps/v1", "Deployment", -EINVAL },
		{ "v1", "ConfigMap", -EINVAL },
		{ "v1", "Endpoints", -EINVAL },
		{ GW "v1", "httproute", -EINVAL },
		{ GW "v1", "BackendTLSPolicy", -EINVAL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (gw_kind_from_object(cases[i].api, cases[i].kind) != cases[i].k)
			fail_msg("%s %s: %d, want %d", cases[i].api, cases[i].kind,
				gw_kind_from_object(cases[i].api, cases[i].kind), cases[i].k);
}

/* put() takes every kind at every version it serves, and refuses the rest. */
static void
test_put_versions(void **state)
{
	struct gw_objcache *c = gw_objcache_new();
	char err[256];

	assert_non_null(c);
	assert_int_equal(put_rc(c, mkobj(GW "v1beta1", "HTTPRoute", "a", "r"), err, sizeof(err)), 0);
	assert_int_equal(put_rc(c, mkobj(GW "v1alpha3", "TLSRoute", "a", "t"), err, sizeof(err)), 0);
	assert_int_equal(put_rc(c, mkobj(GW "v1alpha2", "TCPRoute", "a", "t"), err, sizeof(err)), 0);
	assert_int_equal(put_rc(c, mkobj(GW "v1alpha2", "UDPRoute", "a", "u"), err, sizeof(err)), 0);
	assert_int_equal(put_rc(c, mkobj(GW "v1alpha2", "GRPCRoute", "a", "g"), err, sizeof(err)), 0);
	assert_int_equal(put_rc(c, mkobj(GW "v1alpha2", "ReferenceGrant", "a", "g"), err,
		sizeof(err)), 0);
	assert_int_equal(put_rc(c, mkobj("discovery.k8s.io/v1", "EndpointSlice", "a", "e"), err,
		sizeof(err)), 0);
	assert_int_equal(put_rc(c, mkobj("v1", "Secret", "a", "s"), err, sizeof(err)), 0);

	/* A known kind at a version not served: refused, with the version to use. */
	assert_int_equal(put_rc(c, mkobj(GW "v1alpha2", "HTTPRoute", "a", "x"), err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "HTTPRoute"));
	assert_non_null(strstr(err, "v1alpha2"));
	assert_non_null(strstr(err, "gateway.networking.k8s.io/v1"));
	assert_int_equal(put_rc(c, mkobj("v1", "Gateway", "a", "x"), err, sizeof(err)), -EINVAL);

	/* Kinds the gateway does not read: skipped, not an error. */
	assert_int_equal(put_rc(c, mkobj("apps/v1", "Deployment", "a", "web"), err, sizeof(err)), 1);
	assert_non_null(strstr(err, "Deployment"));
	assert_int_equal(put_rc(c, mkobj("v1", "ConfigMap", "a", "cm"), err, sizeof(err)), 1);
	assert_int_equal(gw_objcache_version(c), 8);
	gw_objcache_free(c);
}

/* ---- validation ---- */

static void
test_validation(void **state)
{
	struct gw_objcache *c = gw_objcache_new();
	char err[256];
	json_t *o;
	static const char *const bad_names[] = {
		"", "Foo", "foo_bar", "-foo", "foo-", "foo..bar", ".foo", "foo.", "a b", "föo",
		"foo.-bar",
	};
	static const char *const good_names[] = {
		"a", "foo", "foo-bar", "foo.bar", "0", "a-1.b-2.c", "9abc",
	};

	assert_non_null(c);
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		if (put_rc(c, route("default", bad_names[i], "a"), err, sizeof(err)) != -EINVAL)
			fail_msg("name \"%s\" taken", bad_names[i]);
		assert_non_null(strstr(err, "metadata.name"));
	}
	for (size_t i = 0; i < sizeof(good_names) / sizeof(good_names[0]); i++)
		put_ok(c, route("default", good_names[i], "a"));

	/* The example of objcache.h. */
	put_rc(c, route("default", "Foo", "a"), err, sizeof(err));
	assert_string_equal(err, "HTTPRoute default/Foo: metadata.name: must be a DNS subdomain");

	/* 253 bytes is the limit; labels inside may be longer than 63. */
	{
		char name[300];

		memset(name, 'a', 253);
		name[253] = '\0';
		put_ok(c, route("default", name, "a"));
		name[253] = 'a';
		name[254] = '\0';
		assert_int_equal(put_rc(c, route("default", name, "a"), err, sizeof(err)), -EINVAL);
	}
	/* A namespace is a DNS label: no dots, at most 63. */
	assert_int_equal(put_rc(c, route("a.b", "r", "a"), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "metadata.namespace"));
	{
		char ns[70];

		memset(ns, 'n', 64);
		ns[64] = '\0';
		assert_int_equal(put_rc(c, route(ns, "r", "a"), err, sizeof(err)), -EINVAL);
		ns[63] = '\0';
		put_ok(c, route(ns, "r", "a"));
	}
	/* A Namespace object's name is a label. */
	assert_int_equal(put_rc(c, mkobj("v1", "Namespace", NULL, "a.b"), err, sizeof(err)),
		-EINVAL);
	put_ok(c, mkobj("v1", "Namespace", NULL, "team-a"));

	/* Shape. */
	assert_int_equal(put_rc(c, json_string("x"), err, sizeof(err)), -EINVAL);
	assert_int_equal(put_rc(c, json_pack("{s:s}", "kind", "HTTPRoute"), err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "apiVersion"));
	assert_int_equal(put_rc(c, json_pack("{s:s,s:i}", "apiVersion", "v1", "kind", 3), err,
		sizeof(err)), -EINVAL);
	assert_int_equal(put_rc(c, json_pack("{s:s,s:s}", "apiVersion", "v1", "kind", "Service"),
		err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "metadata"));
	assert_int_equal(put_rc(c, json_pack("{s:s,s:s,s:{}}", "apiVersion", "v1", "kind",
		"Service", "metadata"), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "metadata.name"));
	assert_int_equal(put_rc(c, json_pack("{s:s,s:s,s:{s:i}}", "apiVersion", "v1", "kind",
		"Service", "metadata", "name", 5), err, sizeof(err)), -EINVAL);
	o = route("default", "r", "a");
	json_object_set_new(o, "spec", json_array());
	assert_int_equal(put_rc(c, o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "spec"));
	o = route("default", "r", "a");
	json_object_set_new(json_object_get(o, "metadata"), "namespace", json_integer(1));
	assert_int_equal(put_rc(c, o, err, sizeof(err)), -EINVAL);
	o = route("default", "r", "a");
	json_object_set_new(json_object_get(o, "metadata"), "labels",
		json_pack("{s:s,s:i}", "app", "web", "port", 80));
	assert_int_equal(put_rc(c, o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "metadata.labels"));
	o = route("default", "r", "a");
	json_object_set_new(json_object_get(o, "metadata"), "labels", json_array());
	assert_int_equal(put_rc(c, o, err, sizeof(err)), -EINVAL);
	o = route("default", "r", "a");
	json_object_set_new(json_object_get(o, "metadata"), "annotations",
		json_pack("{s:b}", "x", 1));
	assert_int_equal(put_rc(c, o, err, sizeof(err)), -EINVAL);
	o = route("default", "r", "a");
	json_object_set_new(json_object_get(o, "metadata"), "labels",
		json_pack("{s:s}", "app", "web"));
	put_ok(c, o);
	o = route("default", "r", "a");
	json_object_set_new(json_object_get(o, "metadata"), "generation", json_string("3"));
	assert_int_equal(put_rc(c, o, err, sizeof(err)), -EINVAL);
	o = route("default", "r", "a");
	json_object_set_new(json_object_get(o, "metadata"), "generation", json_integer(-1));
	assert_int_equal(put_rc(c, o, err, sizeof(err)), -EINVAL);

	/* Refusals leave the cache as it was; err may be NULL. */
	{
		uint64_t v = gw_objcache_version(c);
		size_t n = gw_objcache_count(c, GW_KIND_HTTPROUTE);

		assert_int_equal(gw_objcache_put(c, route("default", "BAD", "a"), "x", NULL, 0),
			-EINVAL);
		assert_int_equal(gw_objcache_version(c), v);
		assert_int_equal(gw_objcache_count(c, GW_KIND_HTTPROUTE), n);
	}
	/* check() says the same as put() without a cache. */
	{
		enum gw_kind k;
		const char *ns, *name;

		o = mkobj(GW "v1", "GatewayClass", "ignored", "dpgw");
		assert_int_equal(gw_objcache_check(o, &k, &ns, &name, err, sizeof(err)), 0);
		assert_int_equal(k, GW_KIND_GATEWAYCLASS);
		assert_string_equal(ns, "");
		assert_string_equal(name, "dpgw");
		json_decref(o);
		o = mkobj(GW "v1", "Gateway", NULL, "gw");
		assert_int_equal(gw_objcache_check(o, &k, &ns, &name, NULL, 0), 0);
		assert_string_equal(ns, "default");
		json_decref(o);
		o = mkobj("apps/v1", "Deployment", NULL, "gw");
		assert_int_equal(gw_objcache_check(o, NULL, NULL, NULL, err, sizeof(err)), 1);
		json_decref(o);
		o = mkobj(GW "v1", "Gateway", NULL, "GW");
		assert_int_equal(gw_objcache_check(o, NULL, NULL, NULL, err, sizeof(err)), -EINVAL);
		json_decref(o);
	}
	gw_objcache_free(c);
}

/* ---- metadata ---- */

static void
test_namespaces(void **state)
{
	struct gw_objcache *c = gw_objcache_new();
	const struct gw_obj *o;
	json_t *j;

	put_ok(c, route(NULL, "a", "x"));
	put_ok(c, route("", "b", "x"));
	put_ok(c, route("prod", "a", "x"));
	j = route(NULL, "c", "x");
	json_object_set_new(json_object_get(j, "metadata"), "namespace", json_null());
	put_ok(c, j);
	o = gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "a");
	assert_non_null(o);
	assert_string_equal(o->ns, "default");
	assert_string_equal(md_str(o, "namespace"), "default");
	assert_non_null(gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "b"));
	assert_non_null(gw_objcache_get(c, GW_KIND_HTTPROUTE, NULL, "c"));
	assert_non_null(gw_objcache_get(c, GW_KIND_HTTPROUTE, "prod", "a"));
	assert_null(gw_objcache_get(c, GW_KIND_HTTPROUTE, "prod", "b"));
	assert_int_equal(gw_objcache_count(c, GW_KIND_HTTPROUTE), 4);

	/* Cluster-scoped: the namespace goes, any @ns finds it. */
	put_ok(c, mkobj(GW "v1", "GatewayClass", "kube-system", "dpgw"));
	put_ok(c, mkobj("v1", "Namespace", NULL, "prod"));
	o = gw_objcache_get(c, GW_KIND_GATEWAYCLASS, NULL, "dpgw");
	assert_non_null(o);
	assert_string_equal(o->ns, "");
	assert_null(json_object_get(json_object_get(o->obj, "metadata"), "namespace"));
	assert_ptr_equal(gw_objcache_get(c, GW_KIND_GATEWAYCLASS, "whatever", "dpgw"), o);
	assert_ptr_equal(gw_objcache_get(c, GW_KIND_GATEWAYCLASS, "", "dpgw"), o);
	assert_non_null(gw_objcache_get(c, GW_KIND_NAMESPACE, "x", "prod"));
	/* Same name, other kind: another object. */
	assert_null(gw_objcache_get(c, GW_KIND_GATEWAY, "default", "a"));
	assert_int_equal(gw_objcache_delete(c, GW_KIND_GATEWAYCLASS, "other", "dpgw"), 0);
	assert_null(gw_objcache_get(c, GW_KIND_GATEWAYCLASS, NULL, "dpgw"));
	gw_objcache_free(c);
}

static void
test_generation(void **state)
{
	struct gw_objcache *c = gw_objcache_new();
	const struct gw_obj *o;
	json_t *j;

	put_ok(c, route("default", "r", "a.example.com"));
	o = gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "r");
	assert_int_equal(o->generation, 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o->obj, "metadata"),
		"generation")), 1);
	/* Same spec, other metadata: kept. */
	j = route("default", "r", "a.example.com");
	json_object_set_new(json_object_get(j, "metadata"), "labels",
		json_pack("{s:s}", "x", "y"));
	put_ok(c, j);
	o = gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "r");
	assert_int_equal(o->generation, 1);
	/* Spec changed: +1, each time. */
	put_ok(c, route("default", "r", "b.example.com"));
	o = gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "r");
	assert_int_equal(o->generation, 2);
	put_ok(c, route("default", "r", "c.example.com"));
	o = gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "r");
	assert_int_equal(o->generation, 3);
	put_ok(c, route("default", "r", "c.example.com"));
	assert_int_equal(gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "r")->generation, 3);
	/* A status in the source changes nothing. */
	j = route("default", "r", "c.example.com");
	json_object_set_new(j, "status", json_pack("{s:[]}", "parents"));
	put_ok(c, j);
	assert_int_equal(gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "r")->generation, 3);
	/* Explicit: kept, whatever it was. */
	j = route("default", "r", "d.example.com");
	json_object_set_new(json_object_get(j, "metadata"), "generation", json_integer(42));
	put_ok(c, j);
	o = gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "r");
	assert_int_equal(o->generation, 42);
	put_ok(c, route("default", "r", "e.example.com"));
	assert_int_equal(gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "r")->generation, 43);
	j = route("default", "new", "x");
	json_object_set_new(json_object_get(j, "metadata"), "generation", json_integer(7));
	put_ok(c, j);
	assert_int_equal(gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "new")->generation, 7);
	/* Deleted and put again: new. */
	assert_int_equal(gw_objcache_delete(c, GW_KIND_HTTPROUTE, "default", "r"), 0);
	put_ok(c, route("default", "r", "e.example.com"));
	assert_int_equal(gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "r")->generation, 1);

	/* No spec (EndpointSlice): what lies outside metadata counts. */
	j = json_pack("{s:s,s:s,s:{s:s},s:s,s:[{s:[s]}]}", "apiVersion", "discovery.k8s.io/v1",
		"kind", "EndpointSlice", "metadata", "name", "web-1", "addressType", "IPv4",
		"endpoints", "addresses", "10.0.0.1");
	put_ok(c, json_deep_copy(j));
	put_ok(c, json_deep_copy(j));
	assert_int_equal(gw_objcache_get(c, GW_KIND_ENDPOINTSLICE, NULL, "web-1")->generation, 1);
	json_array_append_new(json_object_get(j, "endpoints"),
		json_pack("{s:[s]}", "addresses", "10.0.0.2"));
	put_ok(c, j);
	assert_int_equal(gw_objcache_get(c, GW_KIND_ENDPOINTSLICE, NULL, "web-1")->generation, 2);
	gw_objcache_free(c);
}

static void
test_creation_timestamp(void **state)
{
	struct gw_objcache *c = gw_objcache_new();
	const struct gw_obj *a, *b, *o;
	char err[256];
	json_t *j;
	int64_t created_b;

	put_ok(c, route("default", "a", "x"));
	put_ok(c, route("default", "b", "x"));
	a = gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "a");
	b = gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "b");
	/* Synthetic, one second apart in insertion order. */
	assert_string_equal(md_str(a, "creationTimestamp"), "2000-01-01T00:00:00Z");
	assert_string_equal(md_str(b, "creationTimestamp"), "2000-01-01T00:00:01Z");
	assert_int_equal(a->created, 946684800);
	assert_int_equal(b->created, 946684801);
	created_b = b->created;

	/* Replaced: keeps its own. */
	put_ok(c, route("default", "b", "y"));
	b = gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "b");
	assert_int_equal(b->created, created_b);
	assert_string_equal(md_str(b, "creationTimestamp"), "2000-01-01T00:00:01Z");

	/* Given: kept, and parsed with fractions and offsets. */
	j = route("default", "c", "x");
	json_object_set_new(json_object_get(j, "metadata"), "creationTimestamp",
		json_string("2024-02-29T12:30:00Z"));
	put_ok(c, j);
	o = gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "c");
	assert_string_equal(md_str(o, "creationTimestamp"), "2024-02-29T12:30:00Z");
	assert_int_equal(o->created, 1709209800);
	/* Replaced without one: the old one stays. */
	put_ok(c, route("default", "c", "y"));
	o = gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "c");
	assert_string_equal(md_str(o, "creationTimestamp"), "2024-02-29T12:30:00Z");
	assert_int_equal(o->created, 1709209800);
	j = route("default", "d", "x");
	json_object_set_new(json_object_get(j, "metadata"), "creationTimestamp",
		json_string("2024-02-29T14:30:00.123+02:00"));
	put_ok(c, j);
	assert_int_equal(gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "d")->created,
		1709209800);

	/* The next synthetic one continues the count (c and d were created too). */
	put_ok(c, route("default", "e", "x"));
	assert_string_equal(md_str(gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "e"),
		"creationTimestamp"), "2000-01-01T00:00:04Z");

	static const char *const bad[] = {
		"2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z",
		"2024-01-01 00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:00:00",
		"2024-01-01T00:00:00+0200", "2024-01-01", "yesterday", "2024-01-01T00:00:00.Z",
		"2024-01-01T00:00:00Zjunk",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = route("default", "f", "x");
		json_object_set_new(json_object_get(j, "metadata"), "creationTimestamp",
			json_string(bad[i]));
		if (put_rc(c, j, err, sizeof(err)) != -EINVAL)
			fail_msg("creationTimestamp %s taken", bad[i]);
		assert_non_null(strstr(err, "creationTimestamp"));
	}
	j = route("default", "f", "x");
	json_object_set_new(json_object_get(j, "metadata"), "creationTimestamp", json_integer(5));
	assert_int_equal(put_rc(c, j, err, sizeof(err)), -EINVAL);
	assert_null(gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "f"));
	gw_objcache_free(c);
}

static void
test_versions_uid_origin(void **state)
{
	struct gw_objcache *c = gw_objcache_new(), *c2 = gw_objcache_new();
	const struct gw_obj *o;
	char uid[64];
	json_t *j;

	assert_int_equal(gw_objcache_version(c), 0);
	put_ok(c, route("default", "a", "x"));
	o = gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "a");
	assert_int_equal(o->resource_version, 1);
	assert_string_equal(md_str(o, "resourceVersion"), "1");
	assert_string_equal(o->origin, "test");
	snprintf(uid, sizeof(uid), "%s", md_str(o, "uid"));
	assert_int_equal(strlen(uid), 36);

	j = route("default", "a", "y");
	json_object_set_new(json_object_get(j, "metadata"), "resourceVersion", json_string("999"));
	assert_int_equal(gw_objcache_put(c, j, "dir/f.yaml:3", NULL, 0), 0);
	o = gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "a");
	assert_int_equal(o->resource_version, 2);
	assert_string_equal(md_str(o, "resourceVersion"), "2");
	assert_string_equal(o->origin, "dir/f.yaml:3");
	assert_string_equal(md_str(o, "uid"), uid);
	assert_int_equal(gw_objcache_version(c), 2);

	/* Stable across caches; different for another object; given ones kept. */
	put_ok(c2, route("default", "a", "z"));
	assert_string_equal(md_str(gw_objcache_get(c2, GW_KIND_HTTPROUTE, NULL, "a"), "uid"), uid);
	put_ok(c2, route("default", "b", "z"));
	assert_string_not_equal(md_str(gw_objcache_get(c2, GW_KIND_HTTPROUTE, NULL, "b"), "uid"),
		uid);
	j = route("default", "c", "x");
	json_object_set_new(json_object_get(j, "metadata"), "uid", json_string("my-uid"));
	put_ok(c2, j);
	assert_string_equal(md_str(gw_objcache_get(c2, GW_KIND_HTTPROUTE, NULL, "c"), "uid"),
		"my-uid");

	/* delete bumps the version; set_status and failed calls do not. */
	assert_int_equal(gw_objcache_delete(c, GW_KIND_HTTPROUTE, "default", "a"), 0);
	assert_int_equal(gw_objcache_version(c), 3);
	assert_int_equal(gw_objcache_delete(c, GW_KIND_HTTPROUTE, "default", "a"), -ENOENT);
	assert_int_equal(gw_objcache_version(c), 3);
	assert_int_equal(gw_objcache_put(c, route("x", "Bad", "y"), NULL, NULL, 0), -EINVAL);
	assert_int_equal(gw_objcache_version(c), 3);
	put_ok(c, route("default", "a", "x"));
	assert_int_equal(gw_objcache_set_status(c, GW_KIND_HTTPROUTE, NULL, "a", json_object()), 0);
	assert_int_equal(gw_objcache_version(c), 4);
	/* NULL origin is "". */
	assert_int_equal(gw_objcache_put(c, route("default", "n", "x"), NULL, NULL, 0), 0);
	assert_string_equal(gw_objcache_get(c, GW_KIND_HTTPROUTE, NULL, "n")->origin, "");
	gw_objcache_free(c);
	gw_objcache_free(c2);
}

static void
test_status(void **state)
{
	struct gw_objcache *c = gw_objcache_new();
	const struct gw_obj *o;
	json_t *j, *r;

	j = route("default", "r", "x");
	json_object_set_new(j, "status", json_pack("{s:s}", "from", "source"));
	put_ok(c, j);
	o = gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "r");
	assert_null(json_object_get(o->obj, "status"));
	assert_null(o->status);
	r = gw_objcache_render(o);
	assert_null(json_object_get(r, "status"));
	assert_string_equal(json_string_value(json_object_get(r, "kind")), "HTTPRoute");
	json_decref(r);

	assert_int_equal(gw_objcache_set_status(c, GW_KIND_HTTPROUTE, "default", "r",
		json_pack("{s:[{s:s}]}", "parents", "controllerName", "dpgw.io/gateway")), 0);
	o = gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "r");
	assert_non_null(o->status);
	r = gw_objcache_render(o);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
		json_object_get(r, "status"), "parents"), 0), "controllerName")), "dpgw.io/gateway");
	/* The render is a copy: editing it leaves the cache alone. */
	json_object_set_new(json_object_get(r, "metadata"), "name", json_string("changed"));
	json_object_clear(json_object_get(r, "status"));
	json_decref(r);
	assert_string_equal(md_str(o, "name"), "r");
	assert_non_null(json_object_get(o->status, "parents"));

	/* Replaced: the computed status stands until recomputed; a source status is dropped. */
	j = route("default", "r", "y");
	json_object_set_new(j, "status", json_pack("{s:s}", "from", "source"));
	put_ok(c, j);
	o = gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "r");
	assert_non_null(json_object_get(o->status, "parents"));
	assert_null(json_object_get(o->status, "from"));
	assert_null(json_object_get(o->obj, "status"));

	assert_int_equal(gw_objcache_set_status(c, GW_KIND_HTTPROUTE, "default", "r", NULL), 0);
	assert_null(gw_objcache_get(c, GW_KIND_HTTPROUTE, "default", "r")->status);
	assert_int_equal(gw_objcache_set_status(c, GW_KIND_HTTPROUTE, "default", "nope",
		json_object()), -ENOENT);
	assert_int_equal(gw_objcache_set_status(c, GW_KIND_GATEWAY, "default", "r",
		json_object()), -ENOENT);
	gw_objcache_free(c);
}

static void
test_list(void **state)
{
	struct gw_objcache *c = gw_objcache_new();
	const struct gw_obj **v;
	static const char *const order[][2] = {
		{ "a", "x" }, { "a", "y" }, { "b", "a" }, { "default", "m" }, { "z", "a" },
	};
	int n;

	put_ok(c, route("z", "a", "h"));
	put_ok(c, route(NULL, "m", "h"));
	put_ok(c, route("a", "y", "h"));
	put_ok(c, route("b", "a", "h"));
	put_ok(c, route("a", "x", "h"));
	put_ok(c, mkobj("v1", "Service", "a", "svc"));
	n = gw_objcache_list(c, GW_KIND_HTTPROUTE, NULL, &v);
	assert_int_equal(n, 5);
	for (int i = 0; i < n; i++) {
		assert_string_equal(v[i]->ns, order[i][0]);
		assert_string_equal(v[i]->name, order[i][1]);
		assert_int_equal(v[i]->kind, GW_KIND_HTTPROUTE);
	}
	free(v);
	n = gw_objcache_list(c, GW_KIND_HTTPROUTE, "a", &v);
	assert_int_equal(n, 2);
	assert_string_equal(v[0]->name, "x");
	assert_string_equal(v[1]->name, "y");
	free(v);
	n = gw_objcache_list(c, GW_KIND_HTTPROUTE, "nope", &v);
	assert_int_equal(n, 0);
	assert_non_null(v);
	free(v);
	n = gw_objcache_list(c, GW_KIND_GATEWAY, NULL, &v);
	assert_int_equal(n, 0);
	free(v);
	/* Cluster-scoped kinds ignore the namespace filter. */
	put_ok(c, mkobj(GW "v1", "GatewayClass", NULL, "b"));
	put_ok(c, mkobj(GW "v1", "GatewayClass", NULL, "a"));
	n = gw_objcache_list(c, GW_KIND_GATEWAYCLASS, "default", &v);
	assert_int_equal(n, 2);
	assert_string_equal(v[0]->name, "a");
	free(v);
	assert_int_equal(gw_objcache_count(c, GW_KIND_SERVICE), 1);
	assert_int_equal(gw_objcache_count(c, GW_KIND_GATEWAYCLASS), 2);
	assert_int_equal(gw_objcache_list(c, GW_KIND_COUNT, NULL, &v), -EINVAL);
	gw_objcache_lock(c);
	gw_objcache_unlock(c);
	gw_objcache_free(c);
	gw_objcache_free(NULL);
}

/* 30,000 objects: put, replace, get, list, delete all stay fast and right. */
static void
test_many(void **state)
{
	struct gw_objcache *c = gw_objcache_new();
	const struct gw_obj **v;
	char name[64], ns[16];
	int n;

	for (int i = 0; i < 10000; i++) {
		snprintf(ns, sizeof(ns), "ns-%d", i % 50);
		snprintf(name, sizeof(name), "route-%05d", i);
		put_ok(c, route(ns, name, "h.example.com"));
		put_ok(c, mkobj("v1", "Service", ns, name));
		put_ok(c, mkobj("discovery.k8s.io/v1", "EndpointSlice", ns, name));
	}
	assert_int_equal(gw_objcache_count(c, GW_KIND_HTTPROUTE), 10000);
	for (int i = 0; i < 10000; i += 7) {
		snprintf(ns, sizeof(ns), "ns-%d", i % 50);
		snprintf(name, sizeof(name), "route-%05d", i);
		put_ok(c, route(ns, name, "other.example.com"));
		assert_int_equal(gw_objcache_get(c, GW_KIND_HTTPROUTE, ns, name)->generation, 2);
	}
	n = gw_objcache_list(c, GW_KIND_HTTPROUTE, NULL, &v);
	assert_int_equal(n, 10000);
	for (int i = 1; i < n; i++) {
		int r = strcmp(v[i - 1]->ns, v[i]->ns);

		assert_true(r < 0 || (r == 0 && strcmp(v[i - 1]->name, v[i]->name) < 0));
	}
	free(v);
	n = gw_objcache_list(c, GW_KIND_SERVICE, "ns-7", &v);
	assert_int_equal(n, 200);
	free(v);
	for (int i = 0; i < 10000; i += 2) {
		snprintf(ns, sizeof(ns), "ns-%d", i % 50);
		snprintf(name, sizeof(name), "route-%05d", i);
		assert_int_equal(gw_objcache_delete(c, GW_KIND_SERVICE, ns, name), 0);
	}
	assert_int_equal(gw_objcache_count(c, GW_KIND_SERVICE), 5000);
	assert_null(gw_objcache_get(c, GW_KIND_SERVICE, "ns-0", "route-00000"));
	assert_non_null(gw_objcache_get(c, GW_KIND_SERVICE, "ns-1", "route-00001"));
	gw_objcache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_kind_parse),
		cmocka_unit_test(test_kind_versions),
		cmocka_unit_test(test_put_versions),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_generation),
		cmocka_unit_test(test_creation_timestamp),
		cmocka_unit_test(test_versions_uid_origin),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
