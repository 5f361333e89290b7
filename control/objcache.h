/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The object cache (design.md §4): every Kubernetes object the gateway
 * reads, as JSON (jansson), keyed by kind, namespace and name. Every
 * source feeds it (the manifest directory now, the k8s-agent later) and
 * the translator reads only it.
 *
 * Kinds and the apiVersions taken (what the Gateway API standard and
 * experimental channels and Kubernetes serve):
 *   GatewayClass, Gateway, HTTPRoute      gateway.networking.k8s.io/v1, v1beta1
 *   GRPCRoute                             gateway.networking.k8s.io/v1, v1alpha2
 *   TCPRoute, UDPRoute                    gateway.networking.k8s.io/v1alpha2
 *   TLSRoute                              gateway.networking.k8s.io/v1, v1alpha3, v1alpha2
 *   ReferenceGrant                        gateway.networking.k8s.io/v1, v1beta1, v1alpha2
 *   Service, Secret, Namespace            v1
 *   EndpointSlice                         discovery.k8s.io/v1
 * GatewayClass and Namespace are cluster-scoped (their namespace is "");
 * the others default to namespace "default".
 *
 * On put, metadata is normalised the way an API server would:
 *   - metadata.namespace set (namespaced kinds) or removed (cluster-scoped);
 *   - metadata.generation: kept if the object gives one; otherwise 1 for a
 *     new object, and on replace the old value, plus one if "spec" changed
 *     (for kinds without a spec, EndpointSlice and Secret: if anything
 *     outside metadata changed, as an API server does);
 *   - metadata.creationTimestamp: kept if given (RFC 3339, validated);
 *     otherwise the replaced object's, or for a new object a stable
 *     synthetic one, 2000-01-01T00:00:00Z plus one second per object the
 *     cache has created, so load order decides precedence ties;
 *   - metadata.resourceVersion: the cache's version counter as a string;
 *   - metadata.uid: kept, or a stable one derived from kind/ns/name.
 * "status" from the source is dropped: status is what the translator
 * computes (gw_objcache_set_status()); a replaced object keeps its last
 * computed status until the translator sets a new one.
 *
 * Lookups (get, delete, set_status) take @ns NULL as "default"; for
 * cluster-scoped kinds @ns is ignored.
 *
 * Not thread-safe by itself: writers (the source thread) and readers (the
 * admin thread) bracket their use with gw_objcache_lock()/_unlock().
 * Pointers returned stay valid until the object is replaced or deleted.
 */
#ifndef GW_OBJCACHE_H
#define GW_OBJCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum gw_kind {
	GW_KIND_GATEWAYCLASS = 0,
	GW_KIND_GATEWAY,
	GW_KIND_HTTPROUTE,
	GW_KIND_GRPCROUTE,
	GW_KIND_TCPROUTE,
	GW_KIND_UDPROUTE,
	GW_KIND_TLSROUTE,
	GW_KIND_REFERENCEGRANT,
	GW_KIND_SERVICE,
	GW_KIND_ENDPOINTSLICE,
	GW_KIND_SECRET,
	GW_KIND_NAMESPACE,
	GW_KIND_COUNT
};

/* "HTTPRoute". */
const char *gw_kind_name(enum gw_kind k);
/* "httproutes" (the resource name kubectl uses). */
const char *gw_kind_plural(enum gw_kind k);
/* API group: "gateway.networking.k8s.io", "" (core), "discovery.k8s.io". */
const char *gw_kind_group(enum gw_kind k);
bool gw_kind_namespaced(enum gw_kind k);
/*
 * Parse a kind as a user writes it to dpgwctl or kubectl: the kind
 * ("HTTPRoute"), singular or plural resource name in any case
 * ("httproute", "httproutes"), or a short name ("gc", "gtw", "svc", "ns").
 * Returns the kind or -EINVAL.
 */
int gw_kind_parse(const char *s);
/* Kind from an object's apiVersion and kind. -EINVAL if not one the cache
 * takes; -EPROTO if the kind is known but not at this apiVersion. */
int gw_kind_from_object(const char *api_version, const char *kind);

struct gw_obj {
	enum gw_kind kind;
	const char *ns;            /* "" for cluster-scoped kinds */
	const char *name;
	json_t *obj;               /* the normalised object; read-only */
	json_t *status;            /* last computed status, or NULL; read-only */
	int64_t generation;        /* metadata.generation */
	int64_t created;           /* creationTimestamp, seconds since the epoch */
	uint64_t resource_version; /* cache version when last put */
	const char *origin;        /* where it came from: "dir/file.yaml:12", "api" */
};

struct gw_objcache;

struct gw_objcache *gw_objcache_new(void);
void gw_objcache_free(struct gw_objcache *c);

void gw_objcache_lock(struct gw_objcache *c);
void gw_objcache_unlock(struct gw_objcache *c);

/*
 * Validate @obj and insert it, or replace the object with the same kind,
 * namespace and name. Steals the reference to @obj in every case. @origin
 * is copied. Returns 0 when stored; 1 when the object is of a kind the
 * gateway does not read (a Deployment in a kubectl directory): not stored,
 * not an error, @err says what was skipped; or -EINVAL with a reason in
 * @err ("HTTPRoute default/foo: metadata.name: must be a DNS subdomain")
 * and the cache unchanged. Checks: object with string apiVersion, kind
 * and metadata.name (DNS-1123 subdomain, at most 253 bytes; a namespace a
 * DNS-1123 label), apiVersion served for the kind, spec an object when
 * present, metadata.labels and metadata.annotations string maps,
 * metadata.generation a non-negative integer, creationTimestamp RFC 3339.
 */
int gw_objcache_put(struct gw_objcache *c, json_t *obj, const char *origin,
	char *err, size_t errlen);

/*
 * The validation of gw_objcache_put() alone, touching no cache: 0 with the
 * kind, namespace (defaulted: "default", or "" for cluster-scoped kinds)
 * and name the object would be stored under (@ns and @name point into
 * @obj or static storage: valid while @obj is unchanged); 1 for a kind the
 * gateway does not read; -EINVAL with the reason in @err. Lets a source
 * check a whole file before it changes the cache. Any out pointer may be
 * NULL.
 */
int gw_objcache_check(const json_t *obj, enum gw_kind *kind, const char **ns,
	const char **name, char *err, size_t errlen);

/*
 * gw_objcache_put() for an object that gw_objcache_check() has passed
 * (returned 0) with @kind, @ns and @name, unchanged since: the same, less
 * the second validation. @ns and @name may point into @obj.
 */
int gw_objcache_put_checked(struct gw_objcache *c, json_t *obj, enum gw_kind kind,
	const char *ns, const char *name, const char *origin, char *err, size_t errlen);

/* Delete; 0 or -ENOENT. */
int gw_objcache_delete(struct gw_objcache *c, enum gw_kind kind, const char *ns,
	const char *name);

/* Find; NULL if absent. For cluster-scoped kinds @ns is ignored. */
const struct gw_obj *gw_objcache_get(const struct gw_objcache *c, enum gw_kind kind,
	const char *ns, const char *name);

/*
 * The objects of @kind sorted by namespace then name, into a new array
 * (*@out, free() it, even for a count of 0); @ns non-NULL restricts to one
 * namespace (ignored for cluster-scoped kinds). Returns the count, or
 * -ENOMEM (-EINVAL for a kind out of range).
 */
int gw_objcache_list(const struct gw_objcache *c, enum gw_kind kind, const char *ns,
	const struct gw_obj ***out);

/*
 * The same in no particular order (the hash table's), for callers that
 * sort by something else or do not care: saves the O(n log n) sort.
 */
int gw_objcache_list_unsorted(const struct gw_objcache *c, enum gw_kind kind, const char *ns,
	const struct gw_obj ***out);

/* Number of objects of @kind. */
size_t gw_objcache_count(const struct gw_objcache *c, enum gw_kind kind);

/*
 * Set the computed status of an object (steals @status; NULL clears).
 * Does not bump versions. 0 or -ENOENT.
 */
int gw_objcache_set_status(struct gw_objcache *c, enum gw_kind kind, const char *ns,
	const char *name, json_t *status);

/* Incremented by every put and delete (not by set_status). */
uint64_t gw_objcache_version(const struct gw_objcache *c);

/*
 * A copy of the object with its status as "status" (a new reference), for
 * dpgwctl get: what kubectl get -o json would show.
 */
json_t *gw_objcache_render(const struct gw_obj *o);

#endif /* GW_OBJCACHE_H */
