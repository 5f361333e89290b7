/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of the Gateway API translator (translate.h), shared by its
 * three files: translate.c (context, shared helpers, compile, entry
 * points), translate_gateway.c (GatewayClasses, Gateways, listeners,
 * ReferenceGrants) and translate_route.c (memo, Services, routes). Not an
 * interface: nothing outside these files includes it.
 */
#ifndef GW_TRANSLATE_INT_H
#define GW_TRANSLATE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "translate.h"

#define GW_GROUP "gateway.networking.k8s.io"
#define TL_MAX_VIPS 8

/* ---- arena ---- */

struct arena_blk {
	struct arena_blk *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct arena_blk *head;
	bool failed;
	size_t blk;                /* block size; 0: 256 KiB (memo entries use small ones) */
};

/* A growable array of pointers in plain malloc (freed with the context). */
struct vec {
	void **v;
	unsigned int n, cap;
};

/* A set of object pointers (statuses written or kept this round). */
struct pset {
	const void **slot;
	uint32_t cap, n;
};

/* ---- model ---- */

enum proto {
	P_HTTP = 0,
	P_HTTPS,
	P_TLS,
	P_TCP,
	P_UDP,
	P_OTHER,
};

/* Route kinds a listener may take, as a bitmap of enum gw_kind. */
#define KB(k) (1u << (k))
#define ROUTE_KINDS (KB(GW_KIND_HTTPROUTE) | KB(GW_KIND_GRPCROUTE) | KB(GW_KIND_TLSROUTE) | \
	KB(GW_KIND_TCPROUTE) | KB(GW_KIND_UDPROUTE))

struct troute;
struct memo_entry;          /* translate_route.c */

/* A parentRef, decoded once (and kept in the memo with the route). */
struct pref {
	json_t *ref;
	const char *ns, *name, *section;
	int64_t port;
	bool gateway;              /* group/kind name a Gateway */
};

struct attach {
	struct troute *route;
	unsigned int n_hosts;
	const char **hosts;        /* effective hostnames; 0 = any */
};

enum from { FROM_SAME = 0, FROM_ALL, FROM_SELECTOR, FROM_NONE };

struct tgateway;

struct tlistener {
	struct tgateway *gw;
	const json_t *spec;
	const char *name;
	const char *hostname;      /* NULL: any */
	const char *fullname;      /* ns/gw/name */
	enum proto proto;
	const char *proto_str;
	uint16_t port;
	bool tls_passthrough;
	/* conditions */
	bool accepted;
	const char *acc_reason, *acc_msg;
	bool conflicted;
	const char *conf_reason;
	bool resolved;
	const char *res_reason, *res_msg;
	uint32_t kinds;            /* valid supported kinds */
	json_t *kinds_json;        /* supportedKinds (owned until status) */
	enum from from;
	const json_t *selector;
	unsigned int attached;     /* routes Accepted on this listener */
	struct vec attach;         /* struct attach * */
	unsigned int n_http, n_grpc; /* of attach: HTTPRoutes, GRPCRoutes */
	unsigned int n_certs;
	struct gw_translate_cert *certs; /* arena; x509/pkey owned by ctx until moved */
};

struct tgateway {
	const struct gw_obj *o;
	unsigned int n_listeners;
	struct tlistener *listeners;
	bool accepted;
	const char *acc_reason, *acc_msg;
	bool programmed;
	const char *prog_reason, *prog_msg;
	unsigned int n_vips;
	struct gw_translate_vip vips[TL_MAX_VIPS];
};

struct tbackend {
	struct gw_route_backend_spec be;     /* HTTP view */
	struct gw_lb_endpoint *lb_eps;       /* L4 view (weights filled by caller) */
	unsigned int n_lb;
};

struct troute {
	const struct gw_obj *o;
	enum gw_kind kind;
	unsigned int n_hostnames;
	const char **hostnames;
	/* validity of the route as a whole */
	bool invalid;              /* Accepted False for every parent */
	const char *inv_reason, *inv_msg;
	bool resolved;             /* ResolvedRefs */
	const char *res_reason, *res_msg;
	/* compiled rules (HTTP / GRPC) */
	unsigned int n_rules;
	struct gw_route_rule_spec *rules;
	/* L4: every backend of every rule */
	struct vec l4_backends;    /* struct tbackend * */
	json_t *parents;           /* status.parents being built; NULL: status kept */
	unsigned int n_parents;    /* parentRefs that name one of our Gateways */
	uint64_t status_sig;
	bool accepted_any;
	struct memo_entry *memo;   /* NULL without a memo */
	unsigned int n_prefs;
	struct pref *prefs;
};

struct tctx {
	struct gw_objcache *cache;
	const struct gw_translate_params *p;
	struct arena a;
	char now[32];
	char *err;
	size_t errlen;
	struct vec gateways;       /* struct tgateway * (ours, oldest first) */
	struct vec routes;         /* struct troute * */
	json_t *statuses;          /* [[kind, ns, name, status], ...] applied at the end */
	struct vec certs;          /* struct gw_translate_cert * for cleanup */
	const struct gw_obj **classes;
	int n_classes;
	unsigned int n_routes_accepted;
	unsigned char *vip_used;   /* per pool entry: claimed this round */
	json_t *slices;            /* "ns/service" -> [index into slice_objs] */
	const struct gw_obj **slice_objs;
	json_t *eps_cache;         /* "ns/service:port" -> index into eps */
	struct vec eps;            /* struct svc_eps * */
	struct arena sa;           /* service endpoint cache (never swapped) */
	struct gw_translate_memo *memo; /* NULL: no caching across translations */
	bool slice_objs_borrowed;  /* slice_objs belongs to the memo */
	uint64_t grant_epoch;      /* hash of every ReferenceGrant's version */
	uint64_t svc_epoch;        /* count and versions of every Service and EndpointSlice */
	json_t *svc_versions;      /* "ns/name" -> version hash, this translation */
	struct memo_entry *building; /* entry being parsed: records its dependencies */
	struct pset touched;       /* objects whose status was written or kept */
	json_t *intern;            /* condition text -> shared condition object */
	unsigned int memo_hits, memo_misses, status_kept;
};

/* ---- translate.c: shared helpers ---- */

/* Zeroed memory from @a; NULL (and a->failed set) on ENOMEM. */
void *tl_arena_alloc(struct arena *a, size_t n);
/* Copy of @s in @a; NULL on ENOMEM. */
char *tl_arena_strdup(struct arena *a, const char *s);
/* Formatted string (at most 1023 characters) in @a; NULL on ENOMEM. */
char *tl_arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Free every block of @a. */
void tl_arena_free(struct arena *a);
/* Append @p to @v: 0 or -ENOMEM. */
int tl_vec_push(struct vec *v, void *p);
/* Free @v's array and empty it. */
void tl_vec_free(struct vec *v);

/* Member @key of object @o; NULL when @o is not an object or has no @key. */
json_t *tl_jget(const json_t *o, const char *key);
/* String member @key of @o, or @def. */
const char *tl_jstr(const json_t *o, const char *key, const char *def);
/* Whether @o has member @key, not null. */
bool tl_jhas(const json_t *o, const char *key);
/* Integer member @key of @o (a string of digits counts), or @def. */
int64_t tl_jint(const json_t *o, const char *key, int64_t def);
/* Length of array member @key of @o; 0 when it is not an array. */
size_t tl_jlen(const json_t *o, const char *key);
/* Element @i of array member @key of @o, or NULL. */
json_t *tl_jat(const json_t *o, const char *key, size_t i);
/* metadata.labels[@key] of @obj, or NULL. */
const char *tl_meta_label(const json_t *obj, const char *key);

/* A new condition; lastTransitionTime is kept from @prev while status holds. */
json_t *tl_condition(const json_t *prev, const char *type, const char *status,
	const char *reason, const char *message, int64_t gen, const char *now);
/* Append a True (@ok) or False condition to @arr: 0 or -ENOMEM. */
int tl_cond_add(json_t *arr, const json_t *prev, const char *type, bool ok, const char *reason,
	const char *message, int64_t gen, const char *now);
/* Hash of a pointer, for the open-addressing tables. */
uint32_t tl_ptr_hash(const void *p);

/* Queue @status (reference taken, even on failure) for object @o: 0 or -ENOMEM. */
int tl_status_put(struct tctx *c, const struct gw_obj *o, json_t *status);
/* Keep @o's status in the cache as it is: 0 or -ENOMEM. */
int tl_status_keep(struct tctx *c, const struct gw_obj *o);
/* The status @o carries in the cache (written by the last translation). */
const json_t *tl_prev_status(const struct gw_obj *o);

/* Whether @h is a "*.suffix" wildcard hostname. */
bool tl_host_is_wild(const char *h);
/* Parse an IPv4 or IPv6 address: 0 or -EINVAL. */
int tl_parse_ip(const char *s, struct gw_translate_vip *ip);
/* @ip as text in @buf. */
const char *tl_ip_str(const struct gw_translate_vip *ip, char *buf, size_t len);
/* qsort() comparator of struct gw_obj pointers: oldest first, then ns/name/kind. */
int tl_age_cmp_ptr(const void *a, const void *b);

/* ---- translate_gateway.c ---- */

/* May (@fgroup, @fkind) in @fns refer to (@tgroup, @tkind) @tns/@tname (ReferenceGrant)? */
bool tl_ref_allowed(const struct tctx *c, const char *fgroup, const char *fkind,
	const char *fns, const char *tgroup, const char *tkind, const char *tns, const char *tname);
/* Whether listener @l's allowedRoutes.namespaces admits routes of namespace @ns. */
bool tl_ns_allowed(const struct tctx *c, const struct tlistener *l, const char *ns);
/* Step 1: our GatewayClasses and their status: 0 or -errno. */
int tl_do_classes(struct tctx *c);
/* Step 2: our Gateways, listeners and addresses, oldest first: 0 or -errno. */
int tl_do_gateways(struct tctx *c);
/* Whether listener @l serves traffic (and is compiled). */
bool tl_listener_programmed(const struct tlistener *l);
/* Step 4: Gateway @g's status, once routes are attached: 0 or -ENOMEM. */
int tl_gateway_status(struct tctx *c, struct tgateway *g);

/* ---- translate_route.c ---- */

/* Hash the ReferenceGrants and the Services and EndpointSlices into @c: 0 or -errno. */
int tl_grant_epoch(struct tctx *c);
/* Index EndpointSlices by Service (or reuse the memo's index): 0 or -errno. */
int tl_index_slices(struct tctx *c);
/* Step 3: every route parsed, attached and given a status: 0 or -errno. */
int tl_do_routes(struct tctx *c);
/* Start a translation round of memo @m. */
void tl_memo_round_begin(struct gw_translate_memo *m);
/* Drop the entries of routes that were not seen in this round. */
void tl_memo_sweep(struct gw_translate_memo *m);
/* Forget every status signature of @m (statuses of this round not applied). */
void tl_memo_forget_status(struct gw_translate_memo *m);

#endif /* GW_TRANSLATE_INT_H */
