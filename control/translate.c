/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Gateway API translator: see translate.h. The order of work:
 *   1. GatewayClasses ours -> status;
 *   2. Gateways of our classes, oldest first: addresses, listeners,
 *      conflicts, allowed kinds, certificates;
 *   3. routes of every kind: parents, attachment, hostnames, rules and
 *      backends -> status.parents; attached routes counted per listener;
 *   4. Gateway and listener status (attachedRoutes needs step 3);
 *   5. compile: HTTP groups per VIP:port, L4 services per listener;
 *   6. only if 5 succeeded: statuses into the cache.
 * Everything transient lives in one arena freed at the end; strings point
 * into the cache's JSON, which cannot change while the caller holds the
 * cache lock.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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

static void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_blk *b = a->head;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (n == 0)
		n = sizeof(max_align_t);
	if (b == NULL || b->cap - b->used < n) {
		size_t want = a->blk != 0 ? a->blk : 256 * 1024;
		size_t cap = n > want ? n : want;

		b = malloc(sizeof(*b) + cap);
		if (b == NULL) {
			a->failed = true;
			return NULL;
		}
		b->next = a->head;
		b->used = 0;
		b->cap = cap;
		a->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

static char *
arena_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = arena_alloc(a, n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

static char *
arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return arena_strdup(a, buf);
}

static void
arena_free(struct arena *a)
{
	while (a->head != NULL) {
		struct arena_blk *n = a->head->next;

		free(a->head);
		a->head = n;
	}
}

/* A growable array of pointers in plain malloc (freed with the context). */
struct vec {
	void **v;
	unsigned int n, cap;
};

static int
vec_push(struct vec *v, void *p)
{
	if (v->n == v->cap) {
		unsigned int cap = v->cap ? v->cap * 2 : 8;
		void **nv = realloc(v->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -ENOMEM;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = p;
	return 0;
}

static void
vec_free(struct vec *v)
{
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}

/* ---- JSON access ---- */

static json_t *
jget(const json_t *o, const char *key)
{
	return json_is_object(o) ? json_object_get(o, key) : NULL;
}

static const char *
jstr(const json_t *o, const char *key, const char *def)
{
	json_t *v = jget(o, key);

	return json_is_string(v) ? json_string_value(v) : def;
}

static bool
jhas(const json_t *o, const char *key)
{
	json_t *v = jget(o, key);

	return v != NULL && !json_is_null(v);
}

/* Integer field; strings of digits are taken too (YAML authors quote ports). */
static int64_t
jint(const json_t *o, const char *key, int64_t def)
{
	json_t *v = jget(o, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v)) {
		char *end;
		long long x = strtoll(json_string_value(v), &end, 10);

		if (end != json_string_value(v) && *end == '\0')
			return x;
	}
	return def;
}

static size_t
jlen(const json_t *o, const char *key)
{
	json_t *v = jget(o, key);

	return json_is_array(v) ? json_array_size(v) : 0;
}

static json_t *
jat(const json_t *o, const char *key, size_t i)
{
	return json_array_get(jget(o, key), i);
}

static const char *
meta_label(const json_t *obj, const char *key)
{
	return jstr(jget(jget(obj, "metadata"), "labels"), key, NULL);
}

/* ---- time and conditions ---- */

static void
fmt_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct tctx;

/*
 * A condition list under construction; @prev is the object's previous
 * conditions (from the cache's last status) so that lastTransitionTime
 * moves only when the status of a condition changes.
 */
static json_t *
condition(const json_t *prev, const char *type, const char *status, const char *reason,
	const char *message, int64_t gen, const char *now)
{
	const char *ltt = now;
	size_t i;

	for (i = 0; json_is_array(prev) && i < json_array_size(prev); i++) {
		json_t *c = json_array_get(prev, i);

		if (strcmp(jstr(c, "type", ""), type) == 0 &&
				strcmp(jstr(c, "status", ""), status) == 0 &&
				jstr(c, "lastTransitionTime", NULL) != NULL)
			ltt = jstr(c, "lastTransitionTime", now);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "type", type, "status", status,
		"reason", reason, "message", message != NULL ? message : "",
		"observedGeneration", (json_int_t)gen, "lastTransitionTime", ltt);
}

static int
cond_add(json_t *arr, const json_t *prev, const char *type, bool ok, const char *reason,
	const char *message, int64_t gen, const char *now)
{
	json_t *c = condition(prev, type, ok ? "True" : "False", reason, message, gen, now);

	if (c == NULL || json_array_append_new(arr, c) != 0)
		return -ENOMEM;
	return 0;
}

/* A set of object pointers (statuses written or kept this round). */
struct pset {
	const void **slot;
	uint32_t cap, n;
};

static uint32_t
ptr_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (uint32_t)x;
}

static int
pset_add(struct pset *s, const void *p)
{
	uint32_t j;

	if ((s->n + 1) * 2 > s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 1024;
		const void **ns = calloc(cap, sizeof(*ns));

		if (ns == NULL)
			return -ENOMEM;
		for (uint32_t i = 0; i < s->cap; i++) {
			if (s->slot[i] == NULL)
				continue;
			j = ptr_hash(s->slot[i]) & (cap - 1);
			while (ns[j] != NULL)
				j = (j + 1) & (cap - 1);
			ns[j] = s->slot[i];
		}
		free(s->slot);
		s->slot = ns;
		s->cap = cap;
	}
	j = ptr_hash(p) & (s->cap - 1);
	while (s->slot[j] != NULL) {
		if (s->slot[j] == p)
			return 0;
		j = (j + 1) & (s->cap - 1);
	}
	s->slot[j] = p;
	s->n++;
	return 0;
}

static bool
pset_has(const struct pset *s, const void *p)
{
	uint32_t j;

	if (s->cap == 0)
		return false;
	j = ptr_hash(p) & (s->cap - 1);
	while (s->slot[j] != NULL) {
		if (s->slot[j] == p)
			return true;
		j = (j + 1) & (s->cap - 1);
	}
	return false;
}

/* ---- model ---- */

enum proto {
	P_HTTP = 0,
	P_HTTPS,
	P_TLS,
	P_TCP,
	P_UDP,
	P_OTHER,
};

static const char *const proto_names[] = {"HTTP", "HTTPS", "TLS", "TCP", "UDP", "?"};

/* Route kinds a listener may take, as a bitmap of enum gw_kind. */
#define KB(k) (1u << (k))
#define ROUTE_KINDS (KB(GW_KIND_HTTPROUTE) | KB(GW_KIND_GRPCROUTE) | KB(GW_KIND_TLSROUTE) | \
	KB(GW_KIND_TCPROUTE) | KB(GW_KIND_UDPROUTE))

static uint32_t
proto_kinds(enum proto p)
{
	switch (p) {
	case P_HTTP:
	case P_HTTPS:
		return KB(GW_KIND_HTTPROUTE) | KB(GW_KIND_GRPCROUTE);
	case P_TLS:
		return KB(GW_KIND_TLSROUTE);
	case P_TCP:
		return KB(GW_KIND_TCPROUTE);
	case P_UDP:
		return KB(GW_KIND_UDPROUTE);
	default:
		return 0;
	}
}

struct troute;

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

static int
status_touch(struct tctx *c, const struct gw_obj *o)
{
	return pset_add(&c->touched, o);
}

/* The object's status in the cache is still right: leave it there. */
static int
status_keep(struct tctx *c, const struct gw_obj *o)
{
	return status_touch(c, o);
}

static int
status_put(struct tctx *c, const struct gw_obj *o, json_t *status)
{
	json_t *e;

	if (status == NULL || status_touch(c, o) != 0) {
		json_decref(status);
		return -ENOMEM;
	}
	e = json_pack("[i, s, s, o]", (int)o->kind, o->ns, o->name, status);
	if (e == NULL || json_array_append_new(c->statuses, e) != 0)
		return -ENOMEM;
	return 0;
}

static const json_t *
prev_status(const struct gw_obj *o)
{
	return o->status;
}

/* ---- names, hostnames, addresses ---- */

static bool
host_is_wild(const char *h)
{
	return h != NULL && h[0] == '*' && h[1] == '.';
}

int
gw_translate_host_intersect(const char *l, const char *r, char *out, size_t outlen)
{
	const char *res;

	if (l != NULL && *l == '\0')
		l = NULL;
	if (r != NULL && *r == '\0')
		r = NULL;
	if (l == NULL && r == NULL)
		res = "";
	else if (l == NULL)
		res = r;
	else if (r == NULL)
		res = l;
	else if (!host_is_wild(l) && !host_is_wild(r))
		res = strcasecmp(l, r) == 0 ? r : NULL;
	else if (host_is_wild(l) && !host_is_wild(r))
		res = gw_route_host_match(l, r, strlen(r)) ? r : NULL;
	else if (!host_is_wild(l) && host_is_wild(r))
		res = gw_route_host_match(r, l, strlen(l)) ? l : NULL;
	else {
		/* both wildcards: the narrower one, if it lies inside the other */
		size_t ll = strlen(l + 1), rl = strlen(r + 1);

		if (rl >= ll && strcasecmp(r + 1 + rl - ll, l + 1) == 0)
			res = r;
		else if (ll > rl && strcasecmp(l + 1 + ll - rl, r + 1) == 0)
			res = l;
		else
			res = NULL;
	}
	if (res == NULL)
		return 0;
	for (size_t i = 0; outlen > 0; i++) {
		if (i == outlen - 1 || res[i] == '\0') {
			out[i] = '\0';
			break;
		}
		out[i] = (char)tolower((unsigned char)res[i]);
	}
	return 1;
}

int
gw_translate_duration_ms(const char *s, uint64_t *ms)
{
	uint64_t total = 0;
	unsigned int parts = 0;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	while (*s != '\0') {
		uint64_t v = 0;
		unsigned int digits = 0;

		while (isdigit((unsigned char)*s)) {
			v = v * 10 + (uint64_t)(*s++ - '0');
			if (++digits > 5)
				return -EINVAL;
		}
		if (digits == 0)
			return -EINVAL;
		if (s[0] == 'm' && s[1] == 's') {
			s += 2;
		} else if (*s == 'h') {
			v *= 3600000;
			s++;
		} else if (*s == 'm') {
			v *= 60000;
			s++;
		} else if (*s == 's') {
			v *= 1000;
			s++;
		} else {
			return -EINVAL;
		}
		total += v;
		if (++parts > 4)
			return -EINVAL;
	}
	*ms = total;
	return 0;
}

static int
parse_ip(const char *s, struct gw_translate_vip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->addr) == 1) {
		ip->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->addr) == 1) {
		ip->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

static const char *
ip_str(const struct gw_translate_vip *ip, char *buf, size_t len)
{
	return inet_ntop(ip->family, ip->addr, buf, (socklen_t)len);
}

static bool
vip_eq(const struct gw_translate_vip *a, const struct gw_translate_vip *b)
{
	return a->family == b->family &&
		memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0;
}

static int
pool_index(const struct tctx *c, const struct gw_translate_vip *ip)
{
	for (unsigned int i = 0; i < c->p->n_vips; i++)
		if (vip_eq(&c->p->vips[i], ip))
			return (int)i;
	return -1;
}

static int
obj_cmp_age(const struct gw_obj *a, const struct gw_obj *b)
{
	int r;

	if (a->created != b->created)
		return a->created < b->created ? -1 : 1;
	r = strcmp(a->ns, b->ns);
	if (r == 0)
		r = strcmp(a->name, b->name);
	return r != 0 ? r : (int)a->kind - (int)b->kind;
}

/* ---- ReferenceGrant, namespaces ---- */

/*
 * May an object (@fgroup, @fkind) in namespace @fns refer to (@tgroup,
 * @tkind) @tname in namespace @tns? Same namespace always may; otherwise
 * a ReferenceGrant in @tns must name both sides (rules 5.8).
 */
static bool
ref_allowed(const struct tctx *c, const char *fgroup, const char *fkind, const char *fns,
	const char *tgroup, const char *tkind, const char *tns, const char *tname)
{
	const struct gw_obj **grants;
	int n = gw_objcache_list(c->cache, GW_KIND_REFERENCEGRANT, tns, &grants);
	bool ok = false;

	if (strcmp(fns, tns) == 0) {
		free(grants);
		return true;
	}
	for (int i = 0; i < n && !ok; i++) {
		const json_t *spec = jget(grants[i]->obj, "spec");
		bool from = false, to = false;

		for (size_t j = 0; j < jlen(spec, "from") && !from; j++) {
			json_t *f = jat(spec, "from", j);

			from = strcmp(jstr(f, "group", ""), fgroup) == 0 &&
				strcmp(jstr(f, "kind", ""), fkind) == 0 &&
				strcmp(jstr(f, "namespace", ""), fns) == 0;
		}
		for (size_t j = 0; j < jlen(spec, "to") && from && !to; j++) {
			json_t *t = jat(spec, "to", j);
			const char *name = jstr(t, "name", NULL);

			to = strcmp(jstr(t, "group", ""), tgroup) == 0 &&
				strcmp(jstr(t, "kind", ""), tkind) == 0 &&
				(name == NULL || *name == '\0' || strcmp(name, tname) == 0);
		}
		ok = from && to;
	}
	free(grants);
	return ok;
}

static const char *
ns_label(const struct tctx *c, const char *ns, const char *key)
{
	const struct gw_obj *o;

	/* what the API server sets on every namespace since 1.21 */
	if (strcmp(key, "kubernetes.io/metadata.name") == 0)
		return ns;
	o = gw_objcache_get(c->cache, GW_KIND_NAMESPACE, "", ns);
	return o != NULL ? meta_label(o->obj, key) : NULL;
}

/* A metav1.LabelSelector against namespace @ns. Malformed selectors match nothing. */
static bool
selector_match(const struct tctx *c, const json_t *sel, const char *ns)
{
	const json_t *ml = jget(sel, "matchLabels");
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)ml, key, val) {
		const char *have = ns_label(c, ns, key);

		if (!json_is_string(val) || have == NULL || strcmp(have, json_string_value(val)) != 0)
			return false;
	}
	for (size_t i = 0; i < jlen(sel, "matchExpressions"); i++) {
		json_t *e = jat(sel, "matchExpressions", i);
		const char *k = jstr(e, "key", ""), *op = jstr(e, "operator", "");
		const char *have = ns_label(c, ns, k);
		bool in = false;

		for (size_t j = 0; j < jlen(e, "values"); j++) {
			json_t *v = jat(e, "values", j);

			if (have != NULL && json_is_string(v) && strcmp(json_string_value(v), have) == 0)
				in = true;
		}
		if (strcmp(op, "In") == 0) {
			if (!in)
				return false;
		} else if (strcmp(op, "NotIn") == 0) {
			if (in)
				return false;
		} else if (strcmp(op, "Exists") == 0) {
			if (have == NULL)
				return false;
		} else if (strcmp(op, "DoesNotExist") == 0) {
			if (have != NULL)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

/* ---- GatewayClasses ---- */

static int
do_classes(struct tctx *c)
{
	const struct gw_obj **all;
	int n = gw_objcache_list(c->cache, GW_KIND_GATEWAYCLASS, NULL, &all);

	if (n < 0)
		return n;
	c->classes = calloc((size_t)n + 1, sizeof(*c->classes));
	if (c->classes == NULL) {
		free(all);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		const struct gw_obj *o = all[i];
		const json_t *spec = jget(o->obj, "spec");
		json_t *st, *conds;
		bool params = jhas(spec, "parametersRef");

		if (strcmp(jstr(spec, "controllerName", ""), c->p->controller_name) != 0)
			continue;
		conds = json_array();
		st = json_pack("{s:o}", "conditions", conds);
		if (st == NULL ||
				cond_add(conds, jget(prev_status(o), "conditions"), "Accepted", !params,
					params ? "InvalidParameters" : "Accepted",
					params ? "parametersRef is not supported by dpgw" :
						"dpgw manages this class", o->generation, c->now) != 0 ||
				cond_add(conds, jget(prev_status(o), "conditions"), "SupportedVersion",
					true, "SupportedVersion", "Gateway API v1", o->generation,
					c->now) != 0) {
			json_decref(st);
			free(all);
			return -ENOMEM;
		}
		if (status_put(c, o, st) != 0) {
			free(all);
			return -ENOMEM;
		}
		if (!params)
			c->classes[c->n_classes++] = o;
	}
	free(all);
	return 0;
}

static bool
class_ours(const struct tctx *c, const char *name)
{
	for (int i = 0; i < c->n_classes; i++)
		if (strcmp(c->classes[i]->name, name) == 0)
			return true;
	return false;
}

/* ---- certificates ---- */

static unsigned char *
b64_decode(const char *in, size_t *outlen)
{
	size_t n = strlen(in);
	unsigned char *out = malloc(n / 4 * 3 + 4);
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	int l1 = 0, l2 = 0;

	if (out == NULL || ctx == NULL)
		goto fail;
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, out, &l1, (const unsigned char *)in, (int)n) < 0)
		goto fail;
	if (EVP_DecodeFinal(ctx, out + l1, &l2) < 0)
		goto fail;
	EVP_ENCODE_CTX_free(ctx);
	*outlen = (size_t)(l1 + l2);
	return out;
fail:
	EVP_ENCODE_CTX_free(ctx);
	free(out);
	return NULL;
}

/*
 * Load a kubernetes.io/tls Secret's tls.crt and tls.key (base64 PEM in
 * "data", or plain PEM in "stringData"): both must parse and match.
 * 0, or -EINVAL with a reason in @why.
 */
static int
load_cert(const json_t *secret, X509 **x509, EVP_PKEY **pkey, char *why, size_t len)
{
	const char *keys[2] = {"tls.crt", "tls.key"};
	unsigned char *pem[2] = {NULL, NULL};
	size_t pl[2] = {0, 0};
	BIO *bio;
	int rc = -EINVAL;

	*x509 = NULL;
	*pkey = NULL;
	for (int i = 0; i < 2; i++) {
		const char *d = jstr(jget(secret, "data"), keys[i], NULL);
		const char *s = jstr(jget(secret, "stringData"), keys[i], NULL);

		if (d != NULL) {
			pem[i] = b64_decode(d, &pl[i]);
			if (pem[i] == NULL) {
				snprintf(why, len, "%s is not valid base64", keys[i]);
				goto out;
			}
		} else if (s != NULL) {
			pem[i] = (unsigned char *)strdup(s);
			pl[i] = strlen(s);
		} else {
			snprintf(why, len, "secret has no %s", keys[i]);
			goto out;
		}
	}
	bio = BIO_new_mem_buf(pem[0], (int)pl[0]);
	*x509 = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (*x509 == NULL) {
		snprintf(why, len, "tls.crt is not a PEM certificate");
		goto out;
	}
	bio = BIO_new_mem_buf(pem[1], (int)pl[1]);
	*pkey = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (*pkey == NULL) {
		snprintf(why, len, "tls.key is not a PEM private key");
		goto out;
	}
	if (X509_check_private_key(*x509, *pkey) != 1) {
		snprintf(why, len, "tls.key does not match the certificate in tls.crt");
		goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	if (rc != 0) {
		X509_free(*x509);
		EVP_PKEY_free(*pkey);
		*x509 = NULL;
		*pkey = NULL;
	}
	free(pem[0]);
	free(pem[1]);
	return rc;
}

/* certificateRefs of a TLS-terminating listener (rules 5.1.5, 5.8). */
static int
listener_certs(struct tctx *c, struct tlistener *l, const json_t *tls)
{
	const struct gw_obj *gwo = l->gw->o;
	size_t n = jlen(tls, "certificateRefs");
	char why[256];

	if (n == 0) {
		l->resolved = false;
		l->res_reason = "InvalidCertificateRef";
		l->res_msg = "a TLS-terminating listener needs certificateRefs";
		return 0;
	}
	l->certs = arena_alloc(&c->a, n * sizeof(*l->certs));
	if (l->certs == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *ref = jat(tls, "certificateRefs", i);
		const char *group = jstr(ref, "group", ""), *kind = jstr(ref, "kind", "Secret");
		const char *name = jstr(ref, "name", ""), *ns = jstr(ref, "namespace", gwo->ns);
		const struct gw_obj *sec;
		struct gw_translate_cert *cert;
		X509 *x;
		EVP_PKEY *k;

		if (*group != '\0' || strcmp(kind, "Secret") != 0) {
			l->resolved = false;
			l->res_reason = "InvalidCertificateRef";
			l->res_msg = arena_printf(&c->a, "certificateRefs[%zu]: %s/%s is not a Secret",
				i, group, kind);
			return 0;
		}
		if (!ref_allowed(c, GW_GROUP, "Gateway", gwo->ns, "", "Secret", ns, name)) {
			l->resolved = false;
			l->res_reason = "RefNotPermitted";
			l->res_msg = arena_printf(&c->a, "certificateRefs[%zu]: Secret %s/%s: no "
				"ReferenceGrant in %s allows it", i, ns, name, ns);
			return 0;
		}
		sec = gw_objcache_get(c->cache, GW_KIND_SECRET, ns, name);
		if (sec == NULL) {
			l->resolved = false;
			l->res_reason = "InvalidCertificateRef";
			l->res_msg = arena_printf(&c->a, "certificateRefs[%zu]: Secret %s/%s not found",
				i, ns, name);
			return 0;
		}
		if (load_cert(sec->obj, &x, &k, why, sizeof(why)) != 0) {
			l->resolved = false;
			l->res_reason = "InvalidCertificateRef";
			l->res_msg = arena_printf(&c->a, "certificateRefs[%zu]: Secret %s/%s: %s",
				i, ns, name, why);
			return 0;
		}
		cert = &l->certs[l->n_certs++];
		snprintf(cert->listener, sizeof(cert->listener), "%s", l->fullname);
		snprintf(cert->secret, sizeof(cert->secret), "%s/%s", ns, name);
		cert->x509 = x;
		cert->pkey = k;
		if (vec_push(&c->certs, cert) != 0) {
			X509_free(x);
			EVP_PKEY_free(k);
			cert->x509 = cert->pkey = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

/* ---- Gateways and listeners ---- */

static enum proto
proto_parse(const char *s)
{
	for (int i = 0; i < P_OTHER; i++)
		if (strcmp(s, proto_names[i]) == 0)
			return (enum proto)i;
	return P_OTHER;
}

static void
listener_invalid(struct tlistener *l, const char *reason, const char *msg)
{
	if (!l->accepted)
		return; /* the first reason stays */
	l->accepted = false;
	l->acc_reason = reason;
	l->acc_msg = msg;
}

static int
listener_parse(struct tctx *c, struct tgateway *g, struct tlistener *l, const json_t *spec)
{
	const json_t *ar = jget(spec, "allowedRoutes");
	const json_t *ns = jget(ar, "namespaces");
	const char *from = jstr(ns, "from", "Same");
	const json_t *tls = jget(spec, "tls");
	int64_t port = jint(spec, "port", 0);
	uint32_t allowed;

	l->gw = g;
	l->spec = spec;
	l->name = jstr(spec, "name", "");
	l->proto_str = jstr(spec, "protocol", "");
	l->proto = proto_parse(l->proto_str);
	l->hostname = jstr(spec, "hostname", NULL);
	if (l->hostname != NULL && *l->hostname == '\0')
		l->hostname = NULL;
	l->fullname = arena_printf(&c->a, "%s/%s/%s", g->o->ns, g->o->name, l->name);
	l->accepted = true;
	l->acc_reason = "Accepted";
	l->resolved = true;
	l->res_reason = "ResolvedRefs";
	l->conf_reason = "NoConflicts";
	l->kinds_json = json_array();
	if (l->fullname == NULL || l->kinds_json == NULL)
		return -ENOMEM;

	if (*l->name == '\0')
		listener_invalid(l, "UnsupportedValue", "listener has no name");
	if (port < 1 || port > 65535)
		listener_invalid(l, "PortUnavailable",
			arena_printf(&c->a, "port %" PRId64 " is not 1-65535", port));
	l->port = (uint16_t)(port >= 1 && port <= 65535 ? port : 0);
	if (l->proto == P_OTHER)
		listener_invalid(l, "UnsupportedProtocol",
			arena_printf(&c->a, "protocol \"%s\" is not supported (HTTP, HTTPS, TLS, TCP, UDP)",
				l->proto_str));
	if (l->proto == P_TCP || l->proto == P_UDP)
		l->hostname = NULL; /* hostname does not apply to TCP and UDP */
	if (l->hostname != NULL) {
		char *h = arena_strdup(&c->a, l->hostname);

		if (h == NULL)
			return -ENOMEM;
		for (char *q = h; *q != '\0'; q++)
			*q = (char)tolower((unsigned char)*q);
		l->hostname = h;
	}

	/* TLS mode and certificates */
	if (l->proto == P_HTTPS || l->proto == P_TLS) {
		const char *mode = jstr(tls, "mode", "Terminate");

		if (tls == NULL || json_is_null(tls)) {
			listener_invalid(l, "UnsupportedValue",
				arena_printf(&c->a, "a %s listener needs a tls block", l->proto_str));
		} else if (strcmp(mode, "Passthrough") == 0) {
			if (l->proto == P_HTTPS)
				listener_invalid(l, "UnsupportedValue",
					"HTTPS listeners terminate TLS: tls.mode Passthrough is for TLS listeners");
			l->tls_passthrough = true;
		} else if (strcmp(mode, "Terminate") == 0) {
			if (listener_certs(c, l, tls) != 0)
				return -ENOMEM;
		} else {
			listener_invalid(l, "UnsupportedValue",
				arena_printf(&c->a, "tls.mode \"%s\" is not Terminate or Passthrough", mode));
		}
	}

	/* allowedRoutes.kinds (rules 5.2.2) */
	allowed = proto_kinds(l->proto);
	if (jlen(ar, "kinds") > 0) {
		for (size_t i = 0; i < jlen(ar, "kinds"); i++) {
			json_t *k = jat(ar, "kinds", i);
			const char *group = jstr(k, "group", GW_GROUP), *kind = jstr(k, "kind", "");
			int kk = strcmp(group, GW_GROUP) == 0 ? gw_kind_parse(kind) : -EINVAL;

			if (kk >= 0 && strcmp(gw_kind_name((enum gw_kind)kk), kind) != 0)
				kk = -EINVAL; /* kinds are written exactly */
			if (kk >= 0 && (allowed & KB(kk)) != 0) {
				l->kinds |= KB(kk);
			} else if (l->resolved) {
				l->resolved = false;
				l->res_reason = "InvalidRouteKinds";
				l->res_msg = arena_printf(&c->a, "%s/%s is not a route kind a %s "
					"listener takes", group, kind, l->proto_str);
			}
		}
	} else {
		l->kinds = allowed;
	}
	for (int k = 0; k < GW_KIND_COUNT; k++)
		if ((l->kinds & KB(k)) != 0 &&
				json_array_append_new(l->kinds_json, json_pack("{s:s, s:s}", "group",
					GW_GROUP, "kind", gw_kind_name((enum gw_kind)k))) != 0)
			return -ENOMEM;

	if (strcmp(from, "Same") == 0) {
		l->from = FROM_SAME;
	} else if (strcmp(from, "All") == 0) {
		l->from = FROM_ALL;
	} else if (strcmp(from, "None") == 0) {
		l->from = FROM_NONE;
	} else if (strcmp(from, "Selector") == 0) {
		l->from = FROM_SELECTOR;
		l->selector = jget(ns, "selector");
		if (!json_is_object(l->selector))
			listener_invalid(l, "UnsupportedValue",
				"allowedRoutes.namespaces.from Selector needs a selector");
	} else {
		l->from = FROM_NONE;
		listener_invalid(l, "UnsupportedValue",
			arena_printf(&c->a, "allowedRoutes.namespaces.from \"%s\" is not Same, All, "
				"Selector or None", from));
	}
	return c->a.failed ? -ENOMEM : 0;
}

static bool
same_transport(enum proto a, enum proto b)
{
	return (a == P_UDP) == (b == P_UDP);
}

static bool
host_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcasecmp(a, b) == 0;
}

/* Listener distinctness (rules 5.1.1): mark both sides of every clash. */
static void
listeners_conflicts(struct tgateway *g)
{
	for (unsigned int i = 0; i < g->n_listeners; i++) {
		struct tlistener *a = &g->listeners[i];

		for (unsigned int j = i + 1; j < g->n_listeners; j++) {
			struct tlistener *b = &g->listeners[j];
			const char *why = NULL;

			if (a->proto == P_OTHER || b->proto == P_OTHER || a->port != b->port ||
					a->port == 0 || !same_transport(a->proto, b->proto))
				continue;
			if (a->proto != b->proto || a->proto == P_TCP || a->proto == P_UDP)
				why = "ProtocolConflict";
			else if (host_eq(a->hostname, b->hostname))
				why = "HostnameConflict";
			if (why == NULL)
				continue;
			if (!a->conflicted) {
				a->conflicted = true;
				a->conf_reason = why;
			}
			if (!b->conflicted) {
				b->conflicted = true;
				b->conf_reason = why;
			}
		}
	}
	for (unsigned int i = 0; i < g->n_listeners; i++) {
		struct tlistener *l = &g->listeners[i];

		if (l->conflicted)
			listener_invalid(l, l->conf_reason, strcmp(l->conf_reason, "HostnameConflict") == 0 ?
				"another listener on this port has the same hostname" :
				"another listener on this port has an incompatible protocol");
	}
	for (unsigned int i = 0; i < g->n_listeners; i++)
		for (unsigned int j = i + 1; j < g->n_listeners; j++)
			if (strcmp(g->listeners[i].name, g->listeners[j].name) == 0)
				listener_invalid(&g->listeners[j], "UnsupportedValue",
					"listener name used twice in this Gateway");
}

static bool
listener_live(const struct tlistener *l)
{
	return l->accepted && !l->conflicted && l->gw->n_vips > 0 && l->gw->accepted;
}

/* Claim spec.addresses from the pool (rules: UnsupportedAddress otherwise). */
static int
gateway_addresses(struct tctx *c, struct tgateway *g)
{
	const json_t *spec = jget(g->o->obj, "spec");
	size_t n = jlen(spec, "addresses");

	for (size_t i = 0; i < n; i++) {
		json_t *a = jat(spec, "addresses", i);
		const char *type = jstr(a, "type", "IPAddress"), *val = jstr(a, "value", "");
		struct gw_translate_vip ip;
		int k;

		if (strcmp(type, "IPAddress") != 0 && strcmp(type, GW_GROUP "/IPAddress") != 0) {
			g->acc_msg = arena_printf(&c->a, "addresses[%zu]: type %s is not supported "
				"(IPAddress only)", i, type);
			goto bad;
		}
		if (parse_ip(val, &ip) != 0) {
			g->acc_msg = arena_printf(&c->a, "addresses[%zu]: \"%s\" is not an IP address",
				i, val);
			goto bad;
		}
		k = pool_index(c, &ip);
		if (k < 0) {
			/* a well-formed static address we cannot use: Programmed, not Accepted */
			g->programmed = false;
			g->prog_reason = "AddressNotUsable";
			g->prog_msg = arena_printf(&c->a, "addresses[%zu]: %s is not in the vips "
				"pool of dpgw.conf", i, val);
			continue;
		}
		if (c->vip_used[k]) {
			g->programmed = false;
			g->prog_reason = "AddressNotUsable";
			g->prog_msg = arena_printf(&c->a, "%s is already used by an older Gateway", val);
			continue;
		}
		if (g->n_vips < TL_MAX_VIPS) {
			c->vip_used[k] = 1;
			g->vips[g->n_vips++] = ip;
		}
	}
	return 0;
bad:
	g->accepted = false;
	g->acc_reason = "UnsupportedAddress";
	return 0;
}

static int
age_cmp_ptr(const void *a, const void *b)
{
	const struct gw_obj *const *x = a, *const *y = b;

	return obj_cmp_age(*x, *y);
}

static int
do_gateways(struct tctx *c)
{
	const struct gw_obj **all;
	int n = gw_objcache_list(c->cache, GW_KIND_GATEWAY, NULL, &all);
	int rc = 0;

	if (n < 0)
		return n;
	qsort(all, (size_t)n, sizeof(*all), age_cmp_ptr);
	for (int i = 0; i < n && rc == 0; i++) {
		const struct gw_obj *o = all[i];
		const json_t *spec = jget(o->obj, "spec");
		struct tgateway *g;

		if (!class_ours(c, jstr(spec, "gatewayClassName", "")))
			continue;
		g = arena_alloc(&c->a, sizeof(*g));
		if (g == NULL || vec_push(&c->gateways, g) != 0) {
			rc = -ENOMEM;
			break;
		}
		g->o = o;
		g->accepted = true;
		g->acc_reason = "Accepted";
		g->programmed = true;
		g->prog_reason = "Programmed";
		g->n_listeners = (unsigned int)jlen(spec, "listeners");
		g->listeners = arena_alloc(&c->a, (g->n_listeners + 1) * sizeof(*g->listeners));
		if (g->listeners == NULL) {
			rc = -ENOMEM;
			break;
		}
		for (unsigned int j = 0; j < g->n_listeners && rc == 0; j++)
			rc = listener_parse(c, g, &g->listeners[j], jat(spec, "listeners", j));
		if (rc == 0)
			rc = gateway_addresses(c, g);
		if (rc == 0)
			listeners_conflicts(g);
	}
	free(all);
	if (rc != 0)
		return rc;

	/*
	 * Gateways without spec.addresses: keep the VIP they were given last
	 * time if it is still free, so an unrelated change never moves a
	 * Gateway's address; then hand out the free ones in pool order.
	 */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < c->gateways.n; i++) {
			struct tgateway *g = c->gateways.v[i];
			const json_t *prev = jget(prev_status(g->o), "addresses");
			struct gw_translate_vip ip;
			int k = -1;

			if (jlen(jget(g->o->obj, "spec"), "addresses") > 0 || g->n_vips > 0 ||
					!g->accepted)
				continue;
			if (pass == 0) {
				if (json_array_size(prev) > 0 &&
						parse_ip(jstr(json_array_get(prev, 0), "value", ""), &ip) == 0)
					k = pool_index(c, &ip);
				if (k < 0 || c->vip_used[k])
					continue;
			} else {
				for (unsigned int v = 0; v < c->p->n_vips && k < 0; v++)
					if (!c->vip_used[v])
						k = (int)v;
				if (k < 0) {
					g->programmed = false;
					g->prog_reason = "AddressNotAssigned";
					g->prog_msg = "no free address left in the vips pool of dpgw.conf";
					continue;
				}
			}
			c->vip_used[k] = 1;
			g->vips[g->n_vips++] = c->p->vips[k];
		}
	}

	for (unsigned int i = 0; i < c->gateways.n; i++) {
		struct tgateway *g = c->gateways.v[i];
		unsigned int bad = 0;

		for (unsigned int j = 0; j < g->n_listeners; j++)
			bad += !g->listeners[j].accepted;
		if (g->accepted && bad > 0) {
			/* Accepted stays True while some listener works (gateway_types.go) */
			g->acc_reason = "ListenersNotValid";
			g->acc_msg = arena_printf(&c->a, "%u of %u listeners are not valid", bad,
				g->n_listeners);
			if (bad == g->n_listeners)
				g->accepted = false;
		}
		if (g->n_listeners == 0 && g->accepted) {
			g->accepted = false;
			g->acc_reason = "ListenersNotValid";
			g->acc_msg = "the Gateway has no listeners";
		}
		if (!g->accepted && g->programmed) {
			g->programmed = false;
			g->prog_reason = "Invalid";
			g->prog_msg = "the Gateway is not accepted";
		}
		if (g->n_vips == 0 && g->programmed) {
			g->programmed = false;
			g->prog_reason = "AddressNotAssigned";
			g->prog_msg = "no usable address";
		}
	}
	return c->a.failed ? -ENOMEM : 0;
}

/* ---- memo: what stays valid across translations ---- */

/*
 * A route's parsed form (hostnames, rules, backends with their endpoints)
 * depends only on the route object, the Services and EndpointSlices it
 * names and the ReferenceGrants; its status depends on the attachment
 * outcome too. The memo keeps, per route, the parsed form (in the entry's
 * own arena) with the versions it was built from, and a signature of the
 * status last written, so a change to one route re-parses one route and
 * rewrites one status. Strings in a parsed form point into the route's
 * JSON in the cache, which cannot change without its resource_version
 * changing, which invalidates the entry.
 */
struct memo_dep {
	const char *ns, *name;     /* a Service the route refers to */
};

struct memo_entry {
	const void *key;           /* the route's struct gw_obj (compared, never followed) */
	uint64_t rv;               /* route resource_version parsed */
	uint64_t deps;             /* hash of dependency versions at parse time */
	uint64_t status_sig;       /* signature of the status last written; 0 none */
	uint64_t valid_epoch;      /* services epoch at which deps were last checked */
	uint32_t round;            /* last translation that saw the route */
	struct arena a;
	unsigned int n_deps, cap_deps;
	struct memo_dep *dep;      /* in a */
	/* the parsed form */
	unsigned int n_hostnames;
	const char **hostnames;
	bool invalid, resolved;
	const char *inv_reason, *inv_msg, *res_reason, *res_msg;
	unsigned int n_rules;
	struct gw_route_rule_spec *rules;
	struct vec l4_backends;
	unsigned int n_prefs;
	struct pref *prefs;
};

struct gw_translate_memo {
	struct memo_entry **slot;  /* open addressing on the key */
	uint32_t cap, n;
	uint32_t round;
	/* the EndpointSlice index of the last translation, and its services epoch */
	json_t *slices;
	const struct gw_obj **slice_objs;
	uint64_t slices_epoch;
};

static uint64_t
fnv64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t
fnv_str(uint64_t h, const char *s)
{
	return fnv64(h, s != NULL ? s : "\xff", s != NULL ? strlen(s) + 1 : 1);
}

static uint64_t
fnv_u64(uint64_t h, uint64_t v)
{
	return fnv64(h, &v, sizeof(v));
}

#define FNV_INIT 0xcbf29ce484222325ull

struct gw_translate_memo *
gw_translate_memo_new(void)
{
	return calloc(1, sizeof(struct gw_translate_memo));
}

static void
memo_entry_free(struct memo_entry *e)
{
	arena_free(&e->a);
	vec_free(&e->l4_backends);
	free(e);
}

void
gw_translate_memo_free(struct gw_translate_memo *m)
{
	if (m == NULL)
		return;
	for (uint32_t i = 0; i < m->cap; i++)
		if (m->slot[i] != NULL)
			memo_entry_free(m->slot[i]);
	free(m->slot);
	json_decref(m->slices);
	free(m->slice_objs);
	free(m);
}

static int
memo_grow(struct gw_translate_memo *m)
{
	uint32_t cap = m->cap ? m->cap * 2 : 1024;
	struct memo_entry **ns = calloc(cap, sizeof(*ns));

	if (ns == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < m->cap; i++) {
		struct memo_entry *e = m->slot[i];
		uint32_t j;

		if (e == NULL)
			continue;
		j = ptr_hash(e->key) & (cap - 1);
		while (ns[j] != NULL)
			j = (j + 1) & (cap - 1);
		ns[j] = e;
	}
	free(m->slot);
	m->slot = ns;
	m->cap = cap;
	return 0;
}

/* Find or create the entry of @key. NULL on ENOMEM. */
/*
 * Keyed by the cache object's address: a replaced object may come back at
 * the same address, but never with the same resource_version, which every
 * use of an entry checks first.
 */
static struct memo_entry *
memo_get(struct gw_translate_memo *m, const void *key)
{
	uint32_t j;

	if ((m->n + 1) * 2 > m->cap && memo_grow(m) != 0)
		return NULL;
	j = ptr_hash(key) & (m->cap - 1);
	while (m->slot[j] != NULL) {
		if (m->slot[j]->key == key)
			return m->slot[j];
		j = (j + 1) & (m->cap - 1);
	}
	m->slot[j] = calloc(1, sizeof(**m->slot));
	if (m->slot[j] == NULL)
		return NULL;
	m->slot[j]->key = key;
	m->n++;
	return m->slot[j];
}

/* Drop the entries of routes that were not seen in this round. */
static void
memo_sweep(struct gw_translate_memo *m)
{
	struct memo_entry **old = m->slot;
	uint32_t cap = m->cap;

	if (m->n == 0)
		return;
	m->slot = calloc(cap, sizeof(*m->slot));
	if (m->slot == NULL) {
		m->slot = old; /* keep everything: only memory is lost */
		return;
	}
	m->n = 0;
	for (uint32_t i = 0; i < cap; i++) {
		struct memo_entry *e = old[i];
		uint32_t j;

		if (e == NULL)
			continue;
		if (e->round != m->round) {
			memo_entry_free(e);
			continue;
		}
		j = ptr_hash(e->key) & (cap - 1);
		while (m->slot[j] != NULL)
			j = (j + 1) & (cap - 1);
		m->slot[j] = e;
		m->n++;
	}
	free(old);
}

/* Every ReferenceGrant's version folded: any change re-resolves every backend. */
static int
grant_epoch(struct tctx *c)
{
	const struct gw_obj **g;
	int n = gw_objcache_list(c->cache, GW_KIND_REFERENCEGRANT, NULL, &g);
	uint64_t h = FNV_INIT;

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		h = fnv_u64(fnv_str(fnv_str(h, g[i]->ns), g[i]->name), g[i]->resource_version);
	free(g);
	c->grant_epoch = h;
	/*
	 * Services and EndpointSlices: an order-free fold (sum of mixed
	 * versions, and the count), so no sorting is needed; resource versions
	 * are unique per put, so any put or delete changes it. The grant
	 * epoch is folded in: a grant change re-checks every route.
	 */
	h = fnv_u64(FNV_INIT, c->grant_epoch);
	for (int k = 0; k < 2; k++) {
		enum gw_kind kind = k == 0 ? GW_KIND_SERVICE : GW_KIND_ENDPOINTSLICE;
		uint64_t sum = 0;

		n = gw_objcache_list_unsorted(c->cache, kind, NULL, &g);
		if (n < 0)
			return n;
		for (int i = 0; i < n; i++)
			sum += (uint64_t)ptr_hash((const void *)(uintptr_t)g[i]->resource_version) *
				0x9e3779b97f4a7c15ull + g[i]->resource_version;
		free(g);
		h = fnv_u64(fnv_u64(h, (uint64_t)n), sum);
	}
	c->svc_epoch = h | 1; /* never 0, the value of a fresh entry */
	return 0;
}

/* ---- Services and EndpointSlices ---- */

struct svc_eps {
	int state;                 /* 0 found; -1 no such Service; -2 no such port */
	const char *app_protocol;  /* the Service port's appProtocol, or NULL */
	unsigned int n;
	struct gw_route_endpoint *eps;
};

static int
index_slices(struct tctx *c)
{
	int n;

	/*
	 * The same Services and EndpointSlices (same versions) as last time:
	 * the objects were not replaced, so last time's index still holds.
	 */
	if (c->memo != NULL && c->memo->slices != NULL && c->memo->slices_epoch == c->svc_epoch) {
		c->slices = json_incref(c->memo->slices);
		c->slice_objs = c->memo->slice_objs;
		c->slice_objs_borrowed = true;
		c->eps_cache = json_object();
		return c->eps_cache == NULL ? -ENOMEM : 0;
	}
	n = gw_objcache_list(c->cache, GW_KIND_ENDPOINTSLICE, NULL, &c->slice_objs);
	if (n < 0)
		return n;
	c->slices = json_object();
	c->eps_cache = json_object();
	if (c->slices == NULL || c->eps_cache == NULL)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const char *svc = meta_label(c->slice_objs[i]->obj, "kubernetes.io/service-name");
		char key[600];
		json_t *arr;

		if (svc == NULL)
			continue;
		snprintf(key, sizeof(key), "%s/%s", c->slice_objs[i]->ns, svc);
		arr = json_object_get(c->slices, key);
		if (arr == NULL) {
			arr = json_array();
			if (arr == NULL || json_object_set_new(c->slices, key, arr) != 0)
				return -ENOMEM;
		}
		if (json_array_append_new(arr, json_integer(i)) != 0)
			return -ENOMEM;
	}
	if (c->memo != NULL) {
		json_decref(c->memo->slices);
		free(c->memo->slice_objs);
		c->memo->slices = json_incref(c->slices);
		c->memo->slice_objs = c->slice_objs;
		c->memo->slices_epoch = c->svc_epoch;
		c->slice_objs_borrowed = true;
	}
	return 0;
}

static bool
ep_seen(const struct svc_eps *s, const struct gw_route_endpoint *e)
{
	for (unsigned int i = 0; i < s->n; i++)
		if (s->eps[i].family == e->family && s->eps[i].port == e->port &&
				memcmp(s->eps[i].addr, e->addr, 16) == 0)
			return true;
	return false;
}

/*
 * Ready endpoints of Service @ns/@name port @port, through the
 * EndpointSlices labelled kubernetes.io/service-name (rules 5.4.4, 5.4.6:
 * ClusterIP, headless and hand-written slices all work the same).
 */
static const struct svc_eps *
service_eps(struct tctx *c, const char *ns, const char *name, int64_t port)
{
	char key[600];
	json_t *hit, *arr;
	const struct gw_obj *svc;
	const json_t *sport = NULL;
	struct svc_eps *s;
	size_t cap = 0;

	snprintf(key, sizeof(key), "%s/%s:%" PRId64, ns, name, port);
	hit = json_object_get(c->eps_cache, key);
	if (hit != NULL)
		return c->eps.v[json_integer_value(hit)];
	s = arena_alloc(&c->sa, sizeof(*s));
	if (s == NULL || vec_push(&c->eps, s) != 0 ||
			json_object_set_new(c->eps_cache, key, json_integer(c->eps.n - 1)) != 0)
		return NULL;
	svc = gw_objcache_get(c->cache, GW_KIND_SERVICE, ns, name);
	if (svc == NULL) {
		s->state = -1;
		return s;
	}
	for (size_t i = 0; i < jlen(jget(svc->obj, "spec"), "ports"); i++) {
		json_t *sp = jat(jget(svc->obj, "spec"), "ports", i);

		if (jint(sp, "port", -1) == port) {
			sport = sp;
			break;
		}
	}
	if (sport == NULL) {
		s->state = -2;
		return s;
	}
	s->app_protocol = jstr(sport, "appProtocol", NULL);
	snprintf(key, sizeof(key), "%s/%s", ns, name);
	arr = json_object_get(c->slices, key);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *sl = c->slice_objs[json_integer_value(json_array_get(arr, i))]->obj;
		const char *atype = jstr(sl, "addressType", "IPv4");
		int fam = strcmp(atype, "IPv4") == 0 ? AF_INET :
			strcmp(atype, "IPv6") == 0 ? AF_INET6 : 0;
		int64_t eport = -1;

		if (fam == 0)
			continue; /* FQDN slices have no address to send to */
		if (jlen(sl, "ports") == 0) {
			/* no ports: the Service port's numeric targetPort, or the port itself */
			eport = jint(sport, "targetPort", port);
		}
		for (size_t j = 0; j < jlen(sl, "ports"); j++) {
			json_t *pp = jat(sl, "ports", j);

			if (strcmp(jstr(pp, "name", ""), jstr(sport, "name", "")) == 0) {
				eport = jint(pp, "port", -1);
				break;
			}
		}
		if (eport < 1 || eport > 65535)
			continue;
		for (size_t j = 0; j < jlen(sl, "endpoints"); j++) {
			json_t *ep = jat(sl, "endpoints", j);
			json_t *ready = jget(jget(ep, "conditions"), "ready");

			/* ready unset means ready (discovery/v1) */
			if (json_is_false(ready))
				continue;
			for (size_t k = 0; k < jlen(ep, "addresses"); k++) {
				struct gw_translate_vip ip;
				struct gw_route_endpoint e;

				if (!json_is_string(jat(ep, "addresses", k)) ||
						parse_ip(json_string_value(jat(ep, "addresses", k)), &ip) != 0 ||
						ip.family != fam)
					continue;
				memset(&e, 0, sizeof(e));
				e.family = fam;
				memcpy(e.addr, ip.addr, 16);
				e.port = (uint16_t)eport;
				if (ep_seen(s, &e))
					continue;
				if (s->n == cap) {
					struct gw_route_endpoint *ne;

					cap = cap ? cap * 2 : 8;
					ne = arena_alloc(&c->sa, cap * sizeof(*ne));
					if (ne == NULL)
						return NULL;
					if (s->n > 0)
						memcpy(ne, s->eps, s->n * sizeof(*ne));
					s->eps = ne;
				}
				s->eps[s->n++] = e;
			}
		}
	}
	return s;
}

/* ---- routes: backends ---- */

static void memo_dep_add(struct tctx *c, const char *ns, const char *name);

static void
route_unresolved(struct troute *r, const char *reason, const char *msg)
{
	if (!r->resolved)
		return;
	r->resolved = false;
	r->res_reason = reason;
	r->res_msg = msg;
}

static void
route_invalid(struct troute *r, const char *reason, const char *msg)
{
	if (r->invalid)
		return;
	r->invalid = true;
	r->inv_reason = reason;
	r->inv_msg = msg;
}

/*
 * Resolve one backendRef of route @r (rules 5.4.2, 5.8). @http: the
 * backend serves HTTP, so appProtocol is checked. Fills @b; an invalid
 * reference becomes an INVALID backend (its share answers 500) and the
 * route's ResolvedRefs turns False with the reason.
 */
static int
resolve_backend(struct tctx *c, struct troute *r, const json_t *ref, bool http, bool grpc,
	struct tbackend *b)
{
	const char *group = jstr(ref, "group", ""), *kind = jstr(ref, "kind", "Service");
	const char *name = jstr(ref, "name", ""), *ns = jstr(ref, "namespace", r->o->ns);
	int64_t port = jint(ref, "port", -1), w = jint(ref, "weight", 1);
	const struct svc_eps *s;

	b->be.weight = w < 0 ? 0 : w > 1000000 ? 1000000 : (uint32_t)w;
	b->be.name = arena_printf(&c->a, "%s/%s:%" PRId64, ns, name, port);
	b->be.state = GW_ROUTE_BACKEND_INVALID;
	b->be.proto = grpc ? GW_ROUTE_PROTO_H2C : GW_ROUTE_PROTO_HTTP1;
	if (b->be.name == NULL)
		return -ENOMEM;
	if (*group != '\0' || strcmp(kind, "Service") != 0) {
		route_unresolved(r, "InvalidKind", arena_printf(&c->a, "backendRef %s: kind %s%s%s "
			"is not supported (core Service only)", name, group, *group ? "/" : "", kind));
		return 0;
	}
	if (!ref_allowed(c, GW_GROUP, gw_kind_name(r->kind), r->o->ns, "", "Service", ns, name)) {
		route_unresolved(r, "RefNotPermitted", arena_printf(&c->a, "backendRef Service "
			"%s/%s: no ReferenceGrant in %s allows it", ns, name, ns));
		return 0;
	}
	if (port < 1 || port > 65535) {
		route_unresolved(r, "UnsupportedValue", arena_printf(&c->a, "backendRef Service "
			"%s/%s needs a port", ns, name));
		return 0;
	}
	memo_dep_add(c, ns, name);
	s = service_eps(c, ns, name, port);
	if (s == NULL)
		return -ENOMEM;
	if (s->state == -1) {
		route_unresolved(r, "BackendNotFound", arena_printf(&c->a, "Service %s/%s not found",
			ns, name));
		return 0;
	}
	if (s->state == -2) {
		route_unresolved(r, "BackendNotFound", arena_printf(&c->a, "Service %s/%s has no "
			"port %" PRId64, ns, name, port));
		return 0;
	}
	if (http && s->app_protocol != NULL) {
		if (strcmp(s->app_protocol, "kubernetes.io/h2c") == 0) {
			b->be.proto = GW_ROUTE_PROTO_H2C;
		} else if (strcmp(s->app_protocol, "kubernetes.io/ws") == 0) {
			b->be.proto = GW_ROUTE_PROTO_WS;
		} else if (strcasecmp(s->app_protocol, "http") != 0 &&
				strcmp(s->app_protocol, "kubernetes.io/http") != 0 &&
				!(grpc && strcasecmp(s->app_protocol, "grpc") == 0)) {
			route_unresolved(r, "UnsupportedProtocol", arena_printf(&c->a, "Service %s/%s "
				"port %" PRId64 ": appProtocol %s is not supported", ns, name, port,
				s->app_protocol));
			return 0;
		}
	}
	b->be.state = s->n > 0 ? GW_ROUTE_BACKEND_OK : GW_ROUTE_BACKEND_NO_ENDPOINTS;
	b->be.n_endpoints = s->n;
	b->be.endpoints = s->eps;
	if (c->building != NULL && s->n > 0) {
		/* the endpoint cache dies with this translation; the memo entry does not */
		struct gw_route_endpoint *copy = arena_alloc(&c->a, s->n * sizeof(*copy));

		if (copy == NULL)
			return -ENOMEM;
		memcpy(copy, s->eps, s->n * sizeof(*copy));
		b->be.endpoints = copy;
	}
	return 0;
}

/* ---- routes: HTTP and gRPC rules ---- */

static bool
regex_ok(const char *re)
{
	regex_t rx;
	int rc = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB);

	if (rc == 0)
		regfree(&rx);
	return rc == 0;
}

/* headers / queryParams: first entry of a name wins (rules 5.3.3). */
static int
parse_kv_matches(struct tctx *c, struct troute *r, const json_t *arr, bool icase,
	unsigned int *n_out, const struct gw_route_kv_match **out)
{
	size_t n = json_array_size(arr);
	struct gw_route_kv_match *m;
	unsigned int k = 0;

	*n_out = 0;
	*out = NULL;
	if (n == 0)
		return 0;
	m = arena_alloc(&c->a, n * sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *h = json_array_get(arr, i);
		const char *type = jstr(h, "type", "Exact"), *name = jstr(h, "name", "");
		bool dup = false;

		for (unsigned int j = 0; j < k; j++)
			dup |= icase ? strcasecmp(m[j].name, name) == 0 : strcmp(m[j].name, name) == 0;
		if (dup)
			continue;
		m[k].name = name;
		m[k].value = jstr(h, "value", "");
		if (strcmp(type, "Exact") == 0) {
			m[k].type = GW_ROUTE_VALUE_EXACT;
		} else if (strcmp(type, "RegularExpression") == 0) {
			m[k].type = GW_ROUTE_VALUE_REGEX;
			if (!regex_ok(m[k].value))
				route_invalid(r, "UnsupportedValue", arena_printf(&c->a, "match on %s: "
					"\"%s\" is not a POSIX extended regular expression", name,
					m[k].value));
		} else {
			route_invalid(r, "UnsupportedValue", arena_printf(&c->a, "match type %s is "
				"not supported", type));
		}
		if (*name == '\0')
			route_invalid(r, "UnsupportedValue", "a header or query match has no name");
		k++;
	}
	*n_out = k;
	*out = m;
	return 0;
}

static int
parse_http_match(struct tctx *c, struct troute *r, const json_t *j, struct gw_route_match_spec *m)
{
	const json_t *path = jget(j, "path");
	const char *type = jstr(path, "type", "PathPrefix");

	m->path = jstr(path, "value", "/");
	if (strcmp(type, "PathPrefix") == 0) {
		m->path_type = GW_ROUTE_PATH_PREFIX;
	} else if (strcmp(type, "Exact") == 0) {
		m->path_type = GW_ROUTE_PATH_EXACT;
	} else if (strcmp(type, "RegularExpression") == 0) {
		m->path_type = GW_ROUTE_PATH_REGEX;
		if (!regex_ok(m->path))
			route_invalid(r, "UnsupportedValue", arena_printf(&c->a, "path \"%s\" is not a "
				"POSIX extended regular expression", m->path));
	} else {
		route_invalid(r, "UnsupportedValue", arena_printf(&c->a, "path match type %s is not "
			"supported", type));
	}
	if (m->path_type != GW_ROUTE_PATH_REGEX && m->path[0] != '/')
		route_invalid(r, "UnsupportedValue", arena_printf(&c->a, "path \"%s\" does not start "
			"with /", m->path));
	m->method = jstr(j, "method", NULL);
	if (parse_kv_matches(c, r, jget(j, "headers"), true, &m->n_headers, &m->headers) != 0 ||
			parse_kv_matches(c, r, jget(j, "queryParams"), false, &m->n_query, &m->query) != 0)
		return -ENOMEM;
	return 0;
}

/* GRPCRoute method match -> a path on "/service/method" (gRPC over HTTP/2). */
static int
parse_grpc_match(struct tctx *c, struct troute *r, const json_t *j, struct gw_route_match_spec *m)
{
	const json_t *meth = jget(j, "method");
	const char *type = jstr(meth, "type", "Exact");
	const char *svc = jstr(meth, "service", NULL), *mt = jstr(meth, "method", NULL);
	bool rx = strcmp(type, "RegularExpression") == 0;

	if (!rx && strcmp(type, "Exact") != 0)
		route_invalid(r, "UnsupportedValue", arena_printf(&c->a, "gRPC method match type %s "
			"is not supported", type));
	if (meth != NULL && svc == NULL && mt == NULL)
		route_invalid(r, "UnsupportedValue", "a gRPC method match needs service or method");
	if (rx) {
		m->path_type = GW_ROUTE_PATH_REGEX;
		m->path = arena_printf(&c->a, "/%s/%s", svc ? svc : "[^/]+", mt ? mt : "[^/]+");
		if (m->path != NULL && !regex_ok(m->path))
			route_invalid(r, "UnsupportedValue", "gRPC method regular expression invalid");
	} else if (svc != NULL && mt != NULL) {
		m->path_type = GW_ROUTE_PATH_EXACT;
		m->path = arena_printf(&c->a, "/%s/%s", svc, mt);
	} else if (svc != NULL) {
		m->path_type = GW_ROUTE_PATH_PREFIX;
		m->path = arena_printf(&c->a, "/%s", svc);
	} else if (mt != NULL) {
		m->path_type = GW_ROUTE_PATH_REGEX;
		m->path = arena_printf(&c->a, "/[^/]+/%s", mt);
	} else {
		m->path_type = GW_ROUTE_PATH_PREFIX;
		m->path = "/";
	}
	m->method = "POST";
	if (parse_kv_matches(c, r, jget(j, "headers"), true, &m->n_headers, &m->headers) != 0)
		return -ENOMEM;
	return m->path == NULL ? -ENOMEM : 0;
}

static int
parse_hdr_mod(struct tctx *c, const json_t *j, struct gw_route_hdr_mod *h)
{
	struct gw_route_kv *kv;
	const char **rm;
	size_t n;

	n = jlen(j, "set");
	kv = arena_alloc(&c->a, (n + 1) * sizeof(*kv));
	if (kv == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		kv[i].name = jstr(jat(j, "set", i), "name", "");
		kv[i].value = jstr(jat(j, "set", i), "value", "");
	}
	h->n_set = (unsigned int)n;
	h->set = kv;
	n = jlen(j, "add");
	kv = arena_alloc(&c->a, (n + 1) * sizeof(*kv));
	if (kv == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		kv[i].name = jstr(jat(j, "add", i), "name", "");
		kv[i].value = jstr(jat(j, "add", i), "value", "");
	}
	h->n_add = (unsigned int)n;
	h->add = kv;
	n = jlen(j, "remove");
	rm = arena_alloc(&c->a, (n + 1) * sizeof(*rm));
	if (rm == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		rm[i] = json_is_string(jat(j, "remove", i)) ?
			json_string_value(jat(j, "remove", i)) : "";
	h->n_remove = (unsigned int)n;
	h->remove = rm;
	return 0;
}

static int
parse_path_mod(struct tctx *c, struct troute *r, const json_t *p, enum gw_route_path_mod *mod,
	const char **path)
{
	const char *type = jstr(p, "type", NULL);

	*mod = GW_ROUTE_PATH_MOD_NONE;
	*path = NULL;
	if (p == NULL || json_is_null(p))
		return 0;
	if (type != NULL && strcmp(type, "ReplaceFullPath") == 0) {
		*mod = GW_ROUTE_PATH_MOD_FULL;
		*path = jstr(p, "replaceFullPath", "/");
	} else if (type != NULL && strcmp(type, "ReplacePrefixMatch") == 0) {
		*mod = GW_ROUTE_PATH_MOD_PREFIX;
		*path = jstr(p, "replacePrefixMatch", "/");
	} else {
		route_invalid(r, "UnsupportedValue", arena_printf(&c->a, "path modifier type %s is "
			"not supported", type ? type : "(none)"));
	}
	(void)c;
	return 0;
}

/*
 * Filters of a rule (or of a backendRef when @be_level): validated per
 * rules 5.5 and compiled. *@redirect tells whether a RequestRedirect is
 * among them.
 */
static int
parse_filters(struct tctx *c, struct troute *r, const json_t *arr, bool grpc, bool be_level,
	unsigned int *n_out, const struct gw_route_filter_spec **out, bool *redirect, bool *rewrite)
{
	size_t n = json_array_size(arr);
	struct gw_route_filter_spec *f;
	unsigned int k = 0, seen = 0;

	*n_out = 0;
	*out = NULL;
	*redirect = *rewrite = false;
	if (n == 0)
		return 0;
	f = arena_alloc(&c->a, n * sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *j = json_array_get(arr, i);
		const char *type = jstr(j, "type", "");
		struct gw_route_filter_spec *x = &f[k];
		unsigned int bit = 0;

		if (strcmp(type, "RequestHeaderModifier") == 0) {
			x->type = GW_ROUTE_FILTER_REQ_HEADERS;
			if (parse_hdr_mod(c, jget(j, "requestHeaderModifier"), &x->headers) != 0)
				return -ENOMEM;
			bit = 1;
		} else if (strcmp(type, "ResponseHeaderModifier") == 0) {
			x->type = GW_ROUTE_FILTER_RESP_HEADERS;
			if (parse_hdr_mod(c, jget(j, "responseHeaderModifier"), &x->headers) != 0)
				return -ENOMEM;
			bit = 2;
		} else if (!grpc && !be_level && strcmp(type, "RequestRedirect") == 0) {
			const json_t *rr = jget(j, "requestRedirect");
			int64_t code = jint(rr, "statusCode", 302), port = jint(rr, "port", 0);
			const char *scheme = jstr(rr, "scheme", NULL);

			x->type = GW_ROUTE_FILTER_REDIRECT;
			x->redirect.scheme = scheme;
			x->redirect.hostname = jstr(rr, "hostname", NULL);
			x->redirect.port = (uint16_t)(port > 0 && port <= 65535 ? port : 0);
			x->redirect.status = (uint16_t)code;
			if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308)
				route_invalid(r, "UnsupportedValue", arena_printf(&c->a, "redirect "
					"statusCode %" PRId64 " is not 301, 302, 303, 307 or 308", code));
			if (scheme != NULL && strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
				route_invalid(r, "UnsupportedValue", arena_printf(&c->a, "redirect scheme "
					"%s is not http or https", scheme));
			if (port < 0 || port > 65535)
				route_invalid(r, "UnsupportedValue", "redirect port is not 1-65535");
			parse_path_mod(c, r, jget(rr, "path"), &x->redirect.path_mod, &x->redirect.path);
			*redirect = true;
			bit = 4;
		} else if (!grpc && !be_level && strcmp(type, "URLRewrite") == 0) {
			const json_t *rw = jget(j, "urlRewrite");

			x->type = GW_ROUTE_FILTER_REWRITE;
			x->rewrite.hostname = jstr(rw, "hostname", NULL);
			parse_path_mod(c, r, jget(rw, "path"), &x->rewrite.path_mod, &x->rewrite.path);
			*rewrite = true;
			bit = 8;
		} else if (!be_level && strcmp(type, "RequestMirror") == 0) {
			const json_t *rm = jget(j, "requestMirror");
			const json_t *fr = jget(rm, "fraction");
			struct tbackend *mb = arena_alloc(&c->a, sizeof(*mb));

			if (mb == NULL)
				return -ENOMEM;
			x->type = GW_ROUTE_FILTER_MIRROR;
			if (resolve_backend(c, r, jget(rm, "backendRef"), true, grpc, mb) != 0)
				return -ENOMEM;
			x->mirror.backend = &mb->be;
			if (jhas(rm, "percent")) {
				x->mirror.numerator = (uint32_t)jint(rm, "percent", 100);
				x->mirror.denominator = 100;
			} else if (fr != NULL) {
				x->mirror.numerator = (uint32_t)jint(fr, "numerator", 0);
				x->mirror.denominator = (uint32_t)jint(fr, "denominator", 100);
			} else {
				x->mirror.numerator = x->mirror.denominator = 100;
			}
			if (x->mirror.denominator == 0 || x->mirror.numerator > x->mirror.denominator)
				route_invalid(r, "UnsupportedValue", "requestMirror fraction out of range");
		} else {
			route_invalid(r, "UnsupportedValue", arena_printf(&c->a, "filter type %s is not "
				"supported%s", *type ? type : "(none)", be_level ? " on a backendRef" : ""));
			continue;
		}
		if ((seen & bit) != 0)
			route_invalid(r, "IncompatibleFilters", arena_printf(&c->a, "filter %s appears "
				"twice in one rule", type));
		seen |= bit;
		k++;
	}
	*n_out = k;
	*out = f;
	return 0;
}

static int
parse_http_rule(struct tctx *c, struct troute *r, const json_t *j, bool grpc,
	struct gw_route_rule_spec *rule)
{
	size_t nm = jlen(j, "matches"), nb = jlen(j, "backendRefs");
	struct gw_route_match_spec *m = NULL;
	struct gw_route_backend_spec *bs = NULL;
	bool redirect, rewrite;
	const json_t *to = jget(j, "timeouts");
	unsigned int n_prefix = 0;

	rule->name = jstr(j, "name", NULL);
	if (nm > 0) {
		m = arena_alloc(&c->a, nm * sizeof(*m));
		if (m == NULL)
			return -ENOMEM;
		for (size_t i = 0; i < nm; i++) {
			int rc = grpc ? parse_grpc_match(c, r, jat(j, "matches", i), &m[i]) :
				parse_http_match(c, r, jat(j, "matches", i), &m[i]);

			if (rc != 0)
				return rc;
			n_prefix += m[i].path_type == GW_ROUTE_PATH_PREFIX;
		}
	}
	rule->n_matches = (unsigned int)nm;
	rule->matches = m;
	if (parse_filters(c, r, jget(j, "filters"), grpc, false, &rule->n_filters, &rule->filters,
			&redirect, &rewrite) != 0)
		return -ENOMEM;
	if (redirect && rewrite)
		route_invalid(r, "IncompatibleFilters", "RequestRedirect and URLRewrite cannot be "
			"combined in one rule");
	if (redirect && nb > 0)
		route_invalid(r, "IncompatibleFilters", "RequestRedirect cannot be combined with "
			"backendRefs");
	for (unsigned int i = 0; i < rule->n_filters; i++) {
		const struct gw_route_filter_spec *f = &rule->filters[i];
		enum gw_route_path_mod pm = f->type == GW_ROUTE_FILTER_REDIRECT ?
			f->redirect.path_mod : f->type == GW_ROUTE_FILTER_REWRITE ?
			f->rewrite.path_mod : GW_ROUTE_PATH_MOD_NONE;

		/* ReplacePrefixMatch needs exactly one PathPrefix match (CEL of the CRD) */
		if (pm == GW_ROUTE_PATH_MOD_PREFIX && (nm == 0 ? 1u : n_prefix) != 1)
			route_invalid(r, "UnsupportedValue", "ReplacePrefixMatch needs exactly one "
				"PathPrefix match in the rule");
		if (pm == GW_ROUTE_PATH_MOD_PREFIX && nm > 1)
			route_invalid(r, "UnsupportedValue", "ReplacePrefixMatch needs exactly one "
				"match in the rule");
	}
	if (nb > 0) {
		bs = arena_alloc(&c->a, nb * sizeof(*bs));
		if (bs == NULL)
			return -ENOMEM;
		for (size_t i = 0; i < nb; i++) {
			json_t *ref = jat(j, "backendRefs", i);
			struct tbackend tb;
			bool rd, rw;

			memset(&tb, 0, sizeof(tb));
			if (resolve_backend(c, r, ref, true, grpc, &tb) != 0)
				return -ENOMEM;
			bs[i] = tb.be;
			if (parse_filters(c, r, jget(ref, "filters"), grpc, true, &bs[i].n_filters,
					&bs[i].filters, &rd, &rw) != 0)
				return -ENOMEM;
		}
	}
	rule->n_backends = (unsigned int)nb;
	rule->backends = bs;
	if (to != NULL && !json_is_null(to)) {
		uint64_t req = 0, be = 0;
		const char *rs = jstr(to, "request", NULL), *bes = jstr(to, "backendRequest", NULL);

		if ((rs != NULL && gw_translate_duration_ms(rs, &req) != 0) ||
				(bes != NULL && gw_translate_duration_ms(bes, &be) != 0))
			route_invalid(r, "UnsupportedValue", "timeouts: not a duration (e.g. 10s, 1m, 500ms)");
		else if (req > 0 && be > req)
			route_invalid(r, "UnsupportedValue", "timeouts.backendRequest is longer than "
				"timeouts.request");
		rule->timeout_request_ms = (uint32_t)(req > UINT32_MAX ? UINT32_MAX : req);
		rule->timeout_backend_request_ms = (uint32_t)(be > UINT32_MAX ? UINT32_MAX : be);
	}
	return 0;
}

/* L4 (TCP, UDP, TLS) rules: every backendRef of every rule, resolved. */
static int
parse_l4_rules(struct tctx *c, struct troute *r)
{
	const json_t *spec = jget(r->o->obj, "spec");

	for (size_t i = 0; i < jlen(spec, "rules"); i++) {
		json_t *rule = jat(spec, "rules", i);

		for (size_t k = 0; k < jlen(rule, "backendRefs"); k++) {
			struct tbackend *b = arena_alloc(&c->a, sizeof(*b));

			if (b == NULL || vec_push(&r->l4_backends, b) != 0 ||
					resolve_backend(c, r, jat(rule, "backendRefs", k), false, false, b) != 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* ---- routes: parents and attachment ---- */

/*
 * cond_add() for route statuses, sharing equal condition objects: ten
 * thousand routes mostly carry the same few conditions, and statuses are
 * read-only once built (renders copy them).
 */
static int
cond_add_shared(struct tctx *c, json_t *arr, const json_t *prev, const char *type, bool ok,
	const char *reason, const char *message, int64_t gen)
{
	char key[1024];
	json_t *cond;

	cond = condition(prev, type, ok ? "True" : "False", reason, message, gen, c->now);
	if (cond == NULL)
		return -ENOMEM;
	snprintf(key, sizeof(key), "%s\x1f%d\x1f%s\x1f%s\x1f%" PRId64 "\x1f%s", type, ok, reason,
		message != NULL ? message : "", gen,
		json_string_value(json_object_get(cond, "lastTransitionTime")));
	if (strlen(key) < sizeof(key) - 1) {
		json_t *hit = json_object_get(c->intern, key);

		if (hit != NULL) {
			json_decref(cond);
			return json_array_append(arr, hit) == 0 ? 0 : -ENOMEM;
		}
		json_object_set(c->intern, key, cond);
	}
	return json_array_append_new(arr, cond) == 0 ? 0 : -ENOMEM;
}

static bool
ns_allowed(const struct tctx *c, const struct tlistener *l, const char *ns)
{
	switch (l->from) {
	case FROM_SAME:
		return strcmp(ns, l->gw->o->ns) == 0;
	case FROM_ALL:
		return true;
	case FROM_SELECTOR:
		return selector_match(c, l->selector, ns);
	default:
		return false;
	}
}

static bool
hosts_overlap(unsigned int na, const char *const *a, unsigned int nb, const char *const *b)
{
	char tmp[256];

	if (na == 0 || nb == 0)
		return true;
	for (unsigned int i = 0; i < na; i++)
		for (unsigned int j = 0; j < nb; j++)
			if (gw_translate_host_intersect(a[i], b[j], tmp, sizeof(tmp)))
				return true;
	return false;
}

static struct tgateway *
find_gateway(const struct tctx *c, const char *ns, const char *name)
{
	for (unsigned int i = 0; i < c->gateways.n; i++) {
		struct tgateway *g = c->gateways.v[i];

		if (strcmp(g->o->ns, ns) == 0 && strcmp(g->o->name, name) == 0)
			return g;
	}
	return NULL;
}

/*
 * Effective hostnames of route @r on listener @l (rules 5.2.3): 0 with
 * *@n 0 means "every host the listener takes"; -ENOENT: no intersection.
 */
static int
effective_hosts(struct tctx *c, const struct troute *r, const struct tlistener *l,
	unsigned int *n, const char ***out)
{
	const char **h;
	unsigned int k = 0;

	*n = 0;
	*out = NULL;
	if (r->kind == GW_KIND_TCPROUTE || r->kind == GW_KIND_UDPROUTE || r->n_hostnames == 0)
		return 0;
	h = arena_alloc(&c->a, r->n_hostnames * sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < r->n_hostnames; i++) {
		char buf[256];
		bool dup = false;

		if (!gw_translate_host_intersect(l->hostname, r->hostnames[i], buf, sizeof(buf)))
			continue;
		for (unsigned int j = 0; j < k; j++)
			dup |= strcmp(h[j], buf) == 0;
		if (!dup && (h[k] = arena_strdup(&c->a, buf)) != NULL)
			k++;
	}
	if (k == 0)
		return -ENOENT;
	*n = k;
	*out = h;
	return 0;
}

static int
route_parents(struct tctx *c, struct troute *r)
{
	const json_t *prev = jget(prev_status(r->o), "parents");
	size_t nrefs = r->n_prefs;
	struct pres {
		json_t *ref;
		unsigned int attached;
		const char *reason, *msg;
	} *pr = arena_alloc(&c->a, (nrefs + 1) * sizeof(*pr));
	unsigned int npr = 0;
	uint64_t sig;

	if (pr == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < nrefs; i++) {
		json_t *ref = r->prefs[i].ref;
		const char *ns = r->prefs[i].ns, *name = r->prefs[i].name;
		const char *section = r->prefs[i].section;
		int64_t port = r->prefs[i].port;
		bool candidate = false, allowed = false, conflict = false;
		unsigned int attached = 0;
		const char *reason, *msg = "";
		struct tgateway *g;

		if (!r->prefs[i].gateway)
			continue; /* not a Gateway: not ours to answer for */
		g = find_gateway(c, ns, name);
		if (g == NULL)
			continue; /* another controller's Gateway, or none: not ours either */
		for (unsigned int li = 0; li < g->n_listeners && !r->invalid; li++) {
			struct tlistener *l = &g->listeners[li];
			struct attach *a;
			unsigned int nh;
			const char **hosts;
			int rc;

			if (section != NULL && strcmp(section, l->name) != 0)
				continue;
			if (port != 0 && port != l->port)
				continue;
			candidate = true;
			if ((l->kinds & KB(r->kind)) == 0 || !ns_allowed(c, l, r->o->ns))
				continue;
			allowed = true;
			rc = effective_hosts(c, r, l, &nh, &hosts);
			if (rc == -ENOENT)
				continue;
			if (rc != 0)
				return rc;
			if ((r->kind == GW_KIND_HTTPROUTE && l->n_grpc > 0) ||
					(r->kind == GW_KIND_GRPCROUTE && l->n_http > 0)) {
				/* rules 5.2.4: the older of an HTTPRoute and a GRPCRoute wins */
				bool clash = false;

				for (unsigned int k = 0; k < l->attach.n && !clash; k++) {
					const struct attach *o = l->attach.v[k];

					if ((o->route->kind == GW_KIND_HTTPROUTE ||
							o->route->kind == GW_KIND_GRPCROUTE) &&
							o->route->kind != r->kind &&
							hosts_overlap(o->n_hosts, o->hosts, nh, hosts))
						clash = true;
				}
				if (clash) {
					conflict = true;
					continue;
				}
			}
			a = arena_alloc(&c->a, sizeof(*a));
			if (a == NULL || vec_push(&l->attach, a) != 0)
				return -ENOMEM;
			a->route = r;
			a->n_hosts = nh;
			a->hosts = hosts;
			l->n_http += r->kind == GW_KIND_HTTPROUTE;
			l->n_grpc += r->kind == GW_KIND_GRPCROUTE;
			l->attached++;
			attached++;
		}
		if (r->invalid) {
			reason = r->inv_reason;
			msg = r->inv_msg;
		} else if (attached > 0) {
			reason = "Accepted";
			msg = attached == 1 ? "attached to 1 listener" :
				arena_printf(&c->a, "attached to %u listeners", attached);
		} else if (!candidate) {
			reason = "NoMatchingParent";
			msg = section != NULL || port != 0 ? "no listener matches sectionName/port" :
				"the Gateway has no listeners";
		} else if (conflict) {
			reason = "Conflicted";
			msg = "an older HTTPRoute or GRPCRoute has intersecting hostnames on the listener";
		} else if (allowed) {
			reason = "NoMatchingListenerHostname";
			msg = "no hostname of the route intersects a listener's hostname";
		} else {
			reason = "NotAllowedByListeners";
			msg = arena_printf(&c->a, "no listener allows %s from namespace %s",
				gw_kind_name(r->kind), r->o->ns);
		}
		r->accepted_any |= attached > 0;
		pr[npr].ref = ref;
		pr[npr].attached = attached;
		pr[npr].reason = reason;
		pr[npr].msg = msg;
		npr++;
	}
	if (c->a.failed)
		return -ENOMEM;

	/*
	 * The status is a function of these values: when they are what they
	 * were when this route's status was last written, keep that status
	 * (and its JSON) as it is.
	 */
	sig = fnv_u64(fnv_u64(FNV_INIT, r->o->resource_version), (uint64_t)r->o->generation);
	sig = fnv_str(fnv_u64(sig, r->resolved), r->res_reason);
	sig = fnv_str(fnv_u64(sig, npr), r->res_msg);
	for (unsigned int i = 0; i < npr; i++)
		sig = fnv_str(fnv_str(fnv_u64(sig, pr[i].attached), pr[i].reason), pr[i].msg);
	r->status_sig = sig;
	r->n_parents = npr;
	if (r->memo != NULL && r->memo->status_sig == sig && r->o->status != NULL)
		return 0; /* r->parents stays NULL: status kept */
	r->parents = json_array();
	if (r->parents == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < npr; i++) {
		const json_t *prev_conds = NULL;
		json_t *entry, *conds;

		for (size_t k = 0; k < json_array_size(prev); k++)
			if (json_equal(jget(json_array_get(prev, k), "parentRef"), pr[i].ref))
				prev_conds = jget(json_array_get(prev, k), "conditions");
		conds = json_array();
		entry = json_pack("{s:O, s:s, s:o}", "parentRef", pr[i].ref, "controllerName",
			c->p->controller_name, "conditions", conds);
		if (entry == NULL || json_array_append_new(r->parents, entry) != 0 ||
				cond_add_shared(c, conds, prev_conds, "Accepted", pr[i].attached > 0,
					pr[i].reason, pr[i].msg, r->o->generation) != 0 ||
				cond_add_shared(c, conds, prev_conds, "ResolvedRefs", r->resolved,
					r->resolved ? "ResolvedRefs" : r->res_reason,
					r->resolved ? "all references resolved" : r->res_msg,
					r->o->generation) != 0)
			return -ENOMEM;
	}
	return 0;
}

/* Parse route @r's hostnames and rules into the current arena. */
static int
route_parse(struct tctx *c, struct troute *r)
{
	const json_t *spec = jget(r->o->obj, "spec");
	size_t nh = jlen(spec, "hostnames"), np = jlen(spec, "parentRefs");

	r->resolved = true;
	r->prefs = arena_alloc(&c->a, (np + 1) * sizeof(*r->prefs));
	if (r->prefs == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < np; i++) {
		struct pref *p = &r->prefs[r->n_prefs++];

		p->ref = jat(spec, "parentRefs", i);
		p->ns = jstr(p->ref, "namespace", r->o->ns);
		p->name = jstr(p->ref, "name", "");
		p->section = jstr(p->ref, "sectionName", NULL);
		p->port = jint(p->ref, "port", 0);
		p->gateway = strcmp(jstr(p->ref, "group", GW_GROUP), GW_GROUP) == 0 &&
			strcmp(jstr(p->ref, "kind", "Gateway"), "Gateway") == 0;
	}
	if (nh > 0) {
		r->hostnames = arena_alloc(&c->a, nh * sizeof(*r->hostnames));
		if (r->hostnames == NULL)
			return -ENOMEM;
		for (size_t i = 0; i < nh; i++) {
			json_t *h = jat(spec, "hostnames", i);
			char *s;

			if (!json_is_string(h) || json_string_length(h) == 0 ||
					json_string_length(h) > 253) {
				route_invalid(r, "UnsupportedValue", "hostnames: not a hostname");
				continue;
			}
			s = arena_strdup(&c->a, json_string_value(h));
			if (s == NULL)
				return -ENOMEM;
			for (char *q = s; *q != '\0'; q++)
				*q = (char)tolower((unsigned char)*q);
			if (strchr(s + (host_is_wild(s) ? 1 : 0), '*') != NULL || s[0] == '.' ||
					strchr(s, ':') != NULL)
				route_invalid(r, "UnsupportedValue", arena_printf(&c->a, "hostname \"%s\" "
					"is not a DNS name or *.wildcard", s));
			r->hostnames[r->n_hostnames++] = s;
		}
	}
	if (r->kind == GW_KIND_TLSROUTE && r->n_hostnames == 0 && !r->invalid)
		route_invalid(r, "UnsupportedValue", "a TLSRoute needs hostnames");
	if (r->kind == GW_KIND_HTTPROUTE || r->kind == GW_KIND_GRPCROUTE) {
		size_t n = jlen(spec, "rules");
		bool grpc = r->kind == GW_KIND_GRPCROUTE;

		if (n == 0) {
			/* a route with no rules: one rule matching everything (500, no backends) */
			r->rules = arena_alloc(&c->a, sizeof(*r->rules));
			if (r->rules == NULL)
				return -ENOMEM;
			r->n_rules = 1;
		} else {
			r->rules = arena_alloc(&c->a, n * sizeof(*r->rules));
			if (r->rules == NULL)
				return -ENOMEM;
			r->n_rules = (unsigned int)n;
			for (size_t i = 0; i < n; i++)
				if (parse_http_rule(c, r, jat(spec, "rules", i), grpc, &r->rules[i]) != 0)
					return -ENOMEM;
		}
	} else if (parse_l4_rules(c, r) != 0) {
		return -ENOMEM;
	}
	return c->a.failed ? -ENOMEM : 0;
}

/* Version of a Service as a backend: the Service and all its EndpointSlices. */
static uint64_t
svc_version(struct tctx *c, const char *ns, const char *name)
{
	char key[600];
	json_t *hit, *arr;
	const struct gw_obj *svc;
	uint64_t h;

	snprintf(key, sizeof(key), "%s/%s", ns, name);
	hit = json_object_get(c->svc_versions, key);
	if (hit != NULL)
		return (uint64_t)json_integer_value(hit);
	svc = gw_objcache_get(c->cache, GW_KIND_SERVICE, ns, name);
	h = fnv_u64(FNV_INIT, svc != NULL ? svc->resource_version : 0);
	arr = json_object_get(c->slices, key);
	for (size_t i = 0; i < json_array_size(arr); i++)
		h = fnv_u64(h, c->slice_objs[json_integer_value(json_array_get(arr, i))]->resource_version);
	h &= INT64_MAX; /* a json integer */
	json_object_set_new(c->svc_versions, key, json_integer((json_int_t)h));
	return h;
}

static uint64_t
deps_hash(struct tctx *c, const struct memo_entry *e)
{
	uint64_t h = fnv_u64(FNV_INIT, c->grant_epoch);

	for (unsigned int i = 0; i < e->n_deps; i++)
		h = fnv_u64(h, svc_version(c, e->dep[i].ns, e->dep[i].name));
	return h;
}

/* Record that the route being parsed refers to Service @ns/@name. */
static void
memo_dep_add(struct tctx *c, const char *ns, const char *name)
{
	struct memo_entry *e = c->building;

	if (e == NULL)
		return;
	for (unsigned int i = 0; i < e->n_deps; i++)
		if (strcmp(e->dep[i].ns, ns) == 0 && strcmp(e->dep[i].name, name) == 0)
			return;
	if (e->n_deps == e->cap_deps) {
		unsigned int cap = e->cap_deps ? e->cap_deps * 2 : 4;
		struct memo_dep *nd = arena_alloc(&c->a, cap * sizeof(*nd));

		if (nd == NULL)
			return;
		if (e->n_deps > 0)
			memcpy(nd, e->dep, e->n_deps * sizeof(*nd));
		e->dep = nd;
		e->cap_deps = cap;
	}
	e->dep[e->n_deps].ns = arena_strdup(&c->a, ns);
	e->dep[e->n_deps].name = arena_strdup(&c->a, name);
	e->n_deps++;
}

static void
memo_to_route(const struct memo_entry *e, struct troute *r)
{
	r->n_hostnames = e->n_hostnames;
	r->hostnames = e->hostnames;
	r->invalid = e->invalid;
	r->inv_reason = e->inv_reason;
	r->inv_msg = e->inv_msg;
	r->resolved = e->resolved;
	r->res_reason = e->res_reason;
	r->res_msg = e->res_msg;
	r->n_rules = e->n_rules;
	r->rules = e->rules;
	r->l4_backends = e->l4_backends;
	r->n_prefs = e->n_prefs;
	r->prefs = e->prefs;
}

static int
route_new(struct tctx *c, const struct gw_obj *o, struct troute **out)
{
	struct troute *r = arena_alloc(&c->a, sizeof(*r));
	struct memo_entry *e;
	struct arena saved;
	int rc;

	*out = r;
	if (r == NULL || vec_push(&c->routes, r) != 0)
		return -ENOMEM;
	r->o = o;
	r->kind = o->kind;
	if (c->memo == NULL)
		return route_parse(c, r);

	e = memo_get(c->memo, o);
	if (e == NULL)
		return -ENOMEM;
	e->round = c->memo->round;
	r->memo = e;
	if (e->rv != 0 && e->rv == o->resource_version &&
			(e->valid_epoch == c->svc_epoch || deps_hash(c, e) == e->deps)) {
		e->valid_epoch = c->svc_epoch;
		memo_to_route(e, r);
		c->memo_hits++;
		return 0;
	}
	c->memo_misses++;
	/* parse into the entry's own arena, which outlives this translation */
	arena_free(&e->a);
	e->a.failed = false;
	e->a.blk = 1024; /* a route's parsed form is a few hundred bytes to a few KiB */
	vec_free(&e->l4_backends);
	e->n_deps = e->cap_deps = 0;
	e->dep = NULL;
	e->rv = 0;
	e->status_sig = 0;
	saved = c->a;
	c->a = e->a;
	c->building = e;
	rc = route_parse(c, r);
	c->building = NULL;
	e->a = c->a;
	c->a = saved;
	if (rc == 0 && e->a.failed)
		rc = -ENOMEM;
	e->n_hostnames = r->n_hostnames;
	e->hostnames = r->hostnames;
	e->invalid = r->invalid;
	e->inv_reason = r->inv_reason;
	e->inv_msg = r->inv_msg;
	e->resolved = r->resolved;
	e->res_reason = r->res_reason;
	e->res_msg = r->res_msg;
	e->n_rules = r->n_rules;
	e->rules = r->rules;
	e->l4_backends = r->l4_backends; /* the entry owns the vector now */
	e->n_prefs = r->n_prefs;
	e->prefs = r->prefs;
	if (rc != 0)
		return rc;
	e->rv = o->resource_version;
	e->deps = deps_hash(c, e);
	e->valid_epoch = c->svc_epoch;
	return 0;
}

static int
do_routes(struct tctx *c)
{
	static const enum gw_kind order[][2] = {
		{GW_KIND_HTTPROUTE, GW_KIND_GRPCROUTE},
		{GW_KIND_TLSROUTE, GW_KIND_COUNT},
		{GW_KIND_TCPROUTE, GW_KIND_COUNT},
		{GW_KIND_UDPROUTE, GW_KIND_COUNT},
	};

	for (size_t s = 0; s < sizeof(order) / sizeof(order[0]); s++) {
		const struct gw_obj **a = NULL, **b = NULL, **all;
		int na = gw_objcache_list_unsorted(c->cache, order[s][0], NULL, &a), nb = 0;
		int rc = 0;

		if (na < 0)
			return na;
		if (order[s][1] != GW_KIND_COUNT) {
			nb = gw_objcache_list_unsorted(c->cache, order[s][1], NULL, &b);
			if (nb < 0) {
				free(a);
				return nb;
			}
		}
		all = malloc(((size_t)na + (size_t)nb + 1) * sizeof(*all));
		if (all == NULL) {
			free(a);
			free(b);
			return -ENOMEM;
		}
		if (na > 0)
			memcpy(all, a, (size_t)na * sizeof(*all));
		if (nb > 0)
			memcpy(all + na, b, (size_t)nb * sizeof(*all));
		free(a);
		free(b);
		/* oldest first: attachment conflicts and L4 choice go to the older route */
		qsort(all, (size_t)(na + nb), sizeof(*all), age_cmp_ptr);
		for (int i = 0; i < na + nb && rc == 0; i++) {
			struct troute *r;

			rc = route_new(c, all[i], &r);
			if (rc == 0)
				rc = route_parents(c, r);
			if (rc == 0 && r->n_parents > 0) {
				c->n_routes_accepted += r->accepted_any;
				if (r->parents == NULL) {
					rc = status_keep(c, r->o);
					c->status_kept++;
				} else {
					rc = status_put(c, r->o, json_pack("{s:O}", "parents", r->parents));
				}
				if (r->memo != NULL)
					r->memo->status_sig = r->status_sig;
			}
		}
		free(all);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ---- Gateway status ---- */

static bool
listener_programmed(const struct tlistener *l)
{
	/* invalid route kinds alone leave the listener serving its valid kinds */
	return listener_live(l) && (l->resolved || (strcmp(l->res_reason, "InvalidRouteKinds") == 0 &&
		l->kinds != 0));
}

static int
gateway_status(struct tctx *c, struct tgateway *g)
{
	const json_t *prev = prev_status(g->o);
	json_t *st = json_object(), *addrs = json_array(), *conds = json_array();
	json_t *ls = json_array();
	int64_t gen = g->o->generation;

	if (st == NULL || addrs == NULL || conds == NULL || ls == NULL)
		goto nomem;
	for (unsigned int i = 0; i < g->n_vips; i++) {
		char buf[INET6_ADDRSTRLEN];

		if (json_array_append_new(addrs, json_pack("{s:s, s:s}", "type", "IPAddress",
				"value", ip_str(&g->vips[i], buf, sizeof(buf)))) != 0)
			goto nomem;
	}
	if (cond_add(conds, jget(prev, "conditions"), "Accepted", g->accepted, g->acc_reason,
			g->acc_msg, gen, c->now) != 0 ||
			cond_add(conds, jget(prev, "conditions"), "Programmed", g->programmed,
				g->prog_reason, g->prog_msg, gen, c->now) != 0)
		goto nomem;
	for (unsigned int i = 0; i < g->n_listeners; i++) {
		struct tlistener *l = &g->listeners[i];
		const json_t *pl = NULL, *pc;
		json_t *lc = json_array(), *le;
		bool prog = listener_programmed(l);

		for (size_t k = 0; k < jlen(prev, "listeners"); k++)
			if (strcmp(jstr(jat(prev, "listeners", k), "name", ""), l->name) == 0)
				pl = jat(prev, "listeners", k);
		pc = jget(pl, "conditions");
		le = json_pack("{s:s, s:o, s:i, s:o}", "name", l->name, "supportedKinds",
			l->kinds_json, "attachedRoutes", (int)l->attached, "conditions", lc);
		l->kinds_json = NULL; /* moved */
		if (le == NULL || json_array_append_new(ls, le) != 0 ||
				cond_add(lc, pc, "Accepted", l->accepted, l->acc_reason, l->acc_msg, gen,
					c->now) != 0 ||
				json_array_append_new(lc, condition(pc, "Conflicted",
					l->conflicted ? "True" : "False", l->conf_reason,
					l->conflicted ? l->acc_msg : "", gen, c->now)) != 0 ||
				cond_add(lc, pc, "ResolvedRefs", l->resolved, l->res_reason, l->res_msg, gen,
					c->now) != 0 ||
				cond_add(lc, pc, "Programmed", prog, prog ? "Programmed" :
					!l->gw->accepted || !l->accepted ? "Invalid" :
					l->gw->n_vips == 0 ? "Pending" : "Invalid",
					prog ? "" : l->gw->n_vips == 0 ? "the Gateway has no address" :
					"the listener is not valid", gen, c->now) != 0)
			goto nomem;
	}
	if (json_object_set_new(st, "addresses", addrs) != 0 ||
			json_object_set_new(st, "conditions", conds) != 0 ||
			json_object_set_new(st, "listeners", ls) != 0) {
		addrs = conds = ls = NULL;
		goto nomem;
	}
	return status_put(c, g->o, st);
nomem:
	json_decref(addrs);
	json_decref(conds);
	json_decref(ls);
	json_decref(st);
	return -ENOMEM;
}

/* ---- compile ---- */

static int
compile_http(struct tctx *c, struct gw_translation *out)
{
	struct vec groups = {0};
	struct gw_route_table_spec ts;
	int rc = 0;

	for (unsigned int gi = 0; gi < c->gateways.n && rc == 0; gi++) {
		struct tgateway *g = c->gateways.v[gi];

		for (unsigned int v = 0; v < g->n_vips && rc == 0; v++) {
			for (unsigned int i = 0; i < g->n_listeners && rc == 0; i++) {
				struct tlistener *l0 = &g->listeners[i];
				struct gw_route_group_spec *gs;
				struct gw_route_listener_spec *ls;
				json_t *names, *gj;
				char buf[INET6_ADDRSTRLEN];
				unsigned int nl = 0;
				bool first = true;

				if (!listener_programmed(l0) || (l0->proto != P_HTTP && l0->proto != P_HTTPS))
					continue;
				/* one group per port: only the first listener of a port opens it */
				for (unsigned int j = 0; j < i; j++)
					if (g->listeners[j].port == l0->port && listener_programmed(&g->listeners[j]) &&
							(g->listeners[j].proto == P_HTTP || g->listeners[j].proto == P_HTTPS))
						first = false;
				if (!first)
					continue;
				gs = arena_alloc(&c->a, sizeof(*gs));
				ls = arena_alloc(&c->a, g->n_listeners * sizeof(*ls));
				names = json_array();
				if (gs == NULL || ls == NULL || names == NULL || vec_push(&groups, gs) != 0) {
					json_decref(names);
					rc = -ENOMEM;
					break;
				}
				gs->id = groups.n - 1;
				gs->family = g->vips[v].family;
				memcpy(gs->vip, g->vips[v].addr, 16);
				gs->port = l0->port;
				for (unsigned int j = i; j < g->n_listeners; j++) {
					struct tlistener *l = &g->listeners[j];
					struct gw_route_route_spec *rs;
					unsigned int nr = 0;

					if (l->port != l0->port || !listener_programmed(l) ||
							(l->proto != P_HTTP && l->proto != P_HTTPS))
						continue;
					rs = arena_alloc(&c->a, (l->attach.n + 1) * sizeof(*rs));
					if (rs == NULL) {
						rc = -ENOMEM;
						break;
					}
					for (unsigned int k = 0; k < l->attach.n; k++) {
						const struct attach *a = l->attach.v[k];
						const struct troute *r = a->route;

						if (r->kind != GW_KIND_HTTPROUTE && r->kind != GW_KIND_GRPCROUTE)
							continue;
						rs[nr].ns = r->o->ns;
						rs[nr].name = r->o->name;
						rs[nr].created = r->o->created;
						rs[nr].n_hostnames = a->n_hosts;
						rs[nr].hostnames = a->hosts;
						rs[nr].n_rules = r->n_rules;
						rs[nr].rules = r->rules;
						nr++;
					}
					ls[nl].name = l->fullname;
					ls[nl].hostname = l->hostname;
					ls[nl].https = l->proto == P_HTTPS;
					ls[nl].n_routes = nr;
					ls[nl].routes = rs;
					nl++;
					json_array_append_new(names, json_string(l->fullname));
				}
				gs->n_listeners = nl;
				gs->listeners = ls;
				gj = json_pack("{s:i, s:s, s:i, s:s, s:o}", "id", (int)gs->id, "vip",
					ip_str(&g->vips[v], buf, sizeof(buf)), "port", (int)gs->port,
					"protocol", l0->proto == P_HTTPS ? "HTTPS" : "HTTP", "listeners", names);
				if (gj == NULL || json_array_append_new(out->groups, gj) != 0)
					rc = -ENOMEM;
			}
		}
	}
	if (rc == 0) {
		struct gw_route_group_spec *arr = malloc((groups.n + 1) * sizeof(*arr));

		if (arr == NULL) {
			rc = -ENOMEM;
		} else {
			for (unsigned int i = 0; i < groups.n; i++)
				arr[i] = *(struct gw_route_group_spec *)groups.v[i];
			ts.n_groups = groups.n;
			ts.groups = arr;
			out->http = gw_route_table_build(&ts, c->err, c->errlen);
			if (out->http == NULL)
				rc = -EINVAL;
			free(arr);
		}
	}
	vec_free(&groups);
	return rc;
}

static int
compile_l4(struct tctx *c, struct gw_translation *out)
{
	struct gw_lb_service_spec *specs = NULL;
	unsigned int n = 0, cap = 0;
	int rc = 0;

	for (unsigned int gi = 0; gi < c->gateways.n && rc == 0; gi++) {
		struct tgateway *g = c->gateways.v[gi];

		for (unsigned int i = 0; i < g->n_listeners && rc == 0; i++) {
			struct tlistener *l = &g->listeners[i];
			const struct troute *r = NULL;
			struct gw_lb_endpoint *eps = NULL;
			unsigned int ne = 0, cap_e = 0;

			if (!listener_programmed(l) || (l->proto != P_TCP && l->proto != P_UDP))
				continue;
			/* one route serves an L4 listener: the oldest attached (GEP-2644) */
			for (unsigned int k = 0; k < l->attach.n && r == NULL; k++)
				r = ((const struct attach *)l->attach.v[k])->route;
			if (r == NULL)
				continue; /* no route: the port stays closed (not for us) */
			for (unsigned int b = 0; r != NULL && b < r->l4_backends.n; b++) {
				const struct tbackend *tb = r->l4_backends.v[b];

				if (tb->be.state != GW_ROUTE_BACKEND_OK)
					continue;
				for (unsigned int e = 0; e < tb->be.n_endpoints; e++) {
					const struct gw_route_endpoint *re = &tb->be.endpoints[e];
					uint64_t w = tb->be.weight == 0 ? 0 :
						(uint64_t)tb->be.weight * 1000 / tb->be.n_endpoints;

					if (ne == cap_e) {
						struct gw_lb_endpoint *nn;

						cap_e = cap_e ? cap_e * 2 : 8;
						nn = arena_alloc(&c->a, cap_e * sizeof(*nn));
						if (nn == NULL)
							return -ENOMEM;
						if (ne > 0)
							memcpy(nn, eps, ne * sizeof(*nn));
						eps = nn;
					}
					eps[ne].family = re->family;
					memcpy(eps[ne].addr, re->addr, 16);
					eps[ne].port = re->port;
					eps[ne].weight = (uint32_t)(tb->be.weight > 0 && w == 0 ? 1 : w);
					ne++;
				}
			}
			for (unsigned int v = 0; v < g->n_vips; v++) {
				if (n == cap) {
					struct gw_lb_service_spec *ns;

					cap = cap ? cap * 2 : 8;
					ns = realloc(specs, cap * sizeof(*ns));
					if (ns == NULL) {
						free(specs);
						return -ENOMEM;
					}
					specs = ns;
				}
				memset(&specs[n], 0, sizeof(specs[n]));
				specs[n].id = n;
				specs[n].name = l->fullname;
				specs[n].proto = l->proto == P_TCP ? IPPROTO_TCP : IPPROTO_UDP;
				specs[n].family = g->vips[v].family;
				memcpy(specs[n].vip, g->vips[v].addr, 16);
				specs[n].port = l->port;
				specs[n].maglev_size = c->p->maglev_size;
				specs[n].n_endpoints = ne;
				specs[n].endpoints = eps;
				n++;
			}
		}
	}
	out->l4 = gw_lb_table_build(specs, n, c->err, c->errlen);
	if (out->l4 == NULL)
		rc = -EINVAL;
	free(specs);
	return rc;
}

/* ---- entry points ---- */

static const enum gw_kind owned_kinds[] = {
	GW_KIND_GATEWAYCLASS, GW_KIND_GATEWAY, GW_KIND_HTTPROUTE, GW_KIND_GRPCROUTE,
	GW_KIND_TLSROUTE, GW_KIND_TCPROUTE, GW_KIND_UDPROUTE,
};

static int
apply_statuses(struct tctx *c)
{
	for (size_t k = 0; k < sizeof(owned_kinds) / sizeof(owned_kinds[0]); k++) {
		const struct gw_obj **all;
		int n = gw_objcache_list_unsorted(c->cache, owned_kinds[k], NULL, &all);

		if (n < 0)
			return n;
		for (int i = 0; i < n; i++) {
			if (all[i]->status == NULL)
				continue;
			if (!pset_has(&c->touched, all[i]))
				gw_objcache_set_status(c->cache, all[i]->kind, all[i]->ns, all[i]->name,
					NULL);
		}
		free(all);
	}
	for (size_t i = 0; i < json_array_size(c->statuses); i++) {
		json_t *e = json_array_get(c->statuses, i);

		gw_objcache_set_status(c->cache, (enum gw_kind)json_integer_value(json_array_get(e, 0)),
			json_string_value(json_array_get(e, 1)), json_string_value(json_array_get(e, 2)),
			json_incref(json_array_get(e, 3)));
	}
	return 0;
}

void
gw_translation_release(struct gw_translation *t)
{
	if (t == NULL)
		return;
	gw_route_table_free(t->http);
	gw_lb_table_free(t->l4);
	json_decref(t->groups);
	json_decref(t->summary);
	for (unsigned int i = 0; i < t->n_certs; i++) {
		X509_free(t->certs[i].x509);
		EVP_PKEY_free(t->certs[i].pkey);
	}
	free(t->certs);
	memset(t, 0, sizeof(*t));
}

static void
ctx_free(struct tctx *c)
{
	for (unsigned int i = 0; i < c->gateways.n; i++) {
		struct tgateway *g = c->gateways.v[i];

		for (unsigned int j = 0; j < g->n_listeners; j++) {
			json_decref(g->listeners[j].kinds_json);
			vec_free(&g->listeners[j].attach);
		}
	}
	for (unsigned int i = 0; i < c->routes.n; i++) {
		struct troute *r = c->routes.v[i];

		json_decref(r->parents);
		if (r->memo == NULL)
			vec_free(&r->l4_backends); /* else the memo entry owns it */
	}
	for (unsigned int i = 0; i < c->certs.n; i++) {
		struct gw_translate_cert *cert = c->certs.v[i];

		X509_free(cert->x509);
		EVP_PKEY_free(cert->pkey);
	}
	vec_free(&c->certs);
	vec_free(&c->gateways);
	vec_free(&c->routes);
	vec_free(&c->eps);
	json_decref(c->statuses);
	json_decref(c->slices);
	json_decref(c->eps_cache);
	if (!c->slice_objs_borrowed)
		free(c->slice_objs);
	free(c->classes);
	free(c->vip_used);
	free(c->touched.slot);
	json_decref(c->intern);
	json_decref(c->svc_versions);
	arena_free(&c->sa);
	arena_free(&c->a);
}

int
gw_translate(struct gw_objcache *cache, const struct gw_translate_params *p,
	struct gw_translation *out, char *err, size_t errlen)
{
	struct tctx c;
	unsigned int n_listeners = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.cache = cache;
	c.p = p;
	c.err = err;
	c.errlen = errlen;
	fmt_time(p->now != 0 ? p->now : (int64_t)time(NULL), c.now, sizeof(c.now));
	c.statuses = json_array();
	c.svc_versions = json_object();
	c.intern = json_object();
	c.vip_used = calloc(p->n_vips + 1, 1);
	c.memo = p->memo;
	out->groups = json_array();
	if (c.statuses == NULL || c.vip_used == NULL || out->groups == NULL ||
			c.svc_versions == NULL || c.intern == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	if (c.memo != NULL)
		c.memo->round++;
	rc = grant_epoch(&c);
	if (rc == 0)
		rc = index_slices(&c);
	if (rc == 0)
		rc = do_classes(&c);
	if (rc == 0)
		rc = do_gateways(&c);
	if (rc == 0)
		rc = do_routes(&c);
	for (unsigned int i = 0; rc == 0 && i < c.gateways.n; i++) {
		rc = gateway_status(&c, c.gateways.v[i]);
		n_listeners += ((struct tgateway *)c.gateways.v[i])->n_listeners;
	}
	if (rc == 0)
		rc = compile_http(&c, out);
	if (rc == 0)
		rc = compile_l4(&c, out);
	if (rc == 0 && c.certs.n > 0) {
		out->certs = calloc(c.certs.n, sizeof(*out->certs));
		if (out->certs == NULL) {
			rc = -ENOMEM;
		} else {
			for (unsigned int i = 0; i < c.certs.n; i++) {
				out->certs[i] = *(struct gw_translate_cert *)c.certs.v[i];
			}
			out->n_certs = c.certs.n;
			c.certs.n = 0; /* moved */
		}
	}
	if (rc == 0) {
		out->summary = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:I}",
			"gatewayclasses", c.n_classes, "gateways", (int)c.gateways.n,
			"listeners", (int)n_listeners, "routes", (int)c.routes.n,
			"routes_accepted", (int)c.n_routes_accepted,
			"http_groups", (int)json_array_size(out->groups),
			"l4_services", (int)gw_lb_table_count(out->l4),
			"http_table_bytes", (json_int_t)gw_route_table_size(out->http));
		if (out->summary == NULL)
			rc = -ENOMEM;
	}
	if (rc == 0)
		rc = apply_statuses(&c);
	if (rc != 0)
		goto fail;
	if (c.memo != NULL) {
		json_object_set_new(out->summary, "memo_hits", json_integer(c.memo_hits));
		json_object_set_new(out->summary, "statuses_kept", json_integer(c.status_kept));
		memo_sweep(c.memo);
	}
	ctx_free(&c);
	return 0;
fail:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory while translating");
	if (c.memo != NULL) {
		/*
		 * Statuses were not applied, so no signature written this round
		 * may be trusted next time.
		 */
		for (uint32_t i = 0; i < c.memo->cap; i++)
			if (c.memo->slot[i] != NULL)
				c.memo->slot[i]->status_sig = 0;
	}
	ctx_free(&c);
	gw_translation_release(out);
	return rc;
}
