/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Gateway API translator, route side (see translate.c for the order of
 * work): the memo kept across translations, Services and EndpointSlices,
 * backends, HTTP and gRPC rules with their matches and filters, L4 rules,
 * parentRefs and attachment to listeners, and the route statuses.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "gw_hash.h"
#include "translate_int.h"

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
fnv_str(uint64_t h, const char *s)
{
	return gw_fnv64(h, s != NULL ? s : "\xff", s != NULL ? strlen(s) + 1 : 1);
}

static uint64_t
fnv_u64(uint64_t h, uint64_t v)
{
	return gw_fnv64(h, &v, sizeof(v));
}

#define FNV_INIT GW_FNV64_INIT

struct gw_translate_memo *
gw_translate_memo_new(void)
{
	return calloc(1, sizeof(struct gw_translate_memo));
}

static void
memo_entry_free(struct memo_entry *e)
{
	tl_arena_free(&e->a);
	tl_vec_free(&e->l4_backends);
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
		j = tl_ptr_hash(e->key) & (cap - 1);
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
	j = tl_ptr_hash(key) & (m->cap - 1);
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
void
tl_memo_sweep(struct gw_translate_memo *m)
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
		j = tl_ptr_hash(e->key) & (cap - 1);
		while (m->slot[j] != NULL)
			j = (j + 1) & (cap - 1);
		m->slot[j] = e;
		m->n++;
	}
	free(old);
}

/* A new translation begins: entries it does not see are swept at its end. */
void
tl_memo_round_begin(struct gw_translate_memo *m)
{
	m->round++;
}

/* Forget every status signature: the statuses of this round were not applied. */
void
tl_memo_forget_status(struct gw_translate_memo *m)
{
	for (uint32_t i = 0; i < m->cap; i++)
		if (m->slot[i] != NULL)
			m->slot[i]->status_sig = 0;
}

/* Every ReferenceGrant's version folded: any change re-resolves every backend. */
int
tl_grant_epoch(struct tctx *c)
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
			sum += (uint64_t)tl_ptr_hash((const void *)(uintptr_t)
				g[i]->resource_version) * 0x9e3779b97f4a7c15ull +
				g[i]->resource_version;
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

int
tl_index_slices(struct tctx *c)
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
		const char *svc = tl_meta_label(c->slice_objs[i]->obj,
			"kubernetes.io/service-name");
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
	s = tl_arena_alloc(&c->sa, sizeof(*s));
	if (s == NULL || tl_vec_push(&c->eps, s) != 0 ||
			json_object_set_new(c->eps_cache, key, json_integer(c->eps.n - 1)) != 0)
		return NULL;
	svc = gw_objcache_get(c->cache, GW_KIND_SERVICE, ns, name);
	if (svc == NULL) {
		s->state = -1;
		return s;
	}
	for (size_t i = 0; i < tl_jlen(tl_jget(svc->obj, "spec"), "ports"); i++) {
		json_t *sp = tl_jat(tl_jget(svc->obj, "spec"), "ports", i);

		if (tl_jint(sp, "port", -1) == port) {
			sport = sp;
			break;
		}
	}
	if (sport == NULL) {
		s->state = -2;
		return s;
	}
	s->app_protocol = tl_jstr(sport, "appProtocol", NULL);
	snprintf(key, sizeof(key), "%s/%s", ns, name);
	arr = json_object_get(c->slices, key);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *sl = c->slice_objs[json_integer_value(json_array_get(arr, i))]->obj;
		const char *atype = tl_jstr(sl, "addressType", "IPv4");
		int fam = strcmp(atype, "IPv4") == 0 ? AF_INET :
			strcmp(atype, "IPv6") == 0 ? AF_INET6 : 0;
		int64_t eport = -1;

		if (fam == 0)
			continue; /* FQDN slices have no address to send to */
		if (tl_jlen(sl, "ports") == 0) {
			/* no ports: the Service port's numeric targetPort, or the port itself */
			eport = tl_jint(sport, "targetPort", port);
		}
		for (size_t j = 0; j < tl_jlen(sl, "ports"); j++) {
			json_t *pp = tl_jat(sl, "ports", j);

			if (strcmp(tl_jstr(pp, "name", ""), tl_jstr(sport, "name", "")) == 0) {
				eport = tl_jint(pp, "port", -1);
				break;
			}
		}
		if (eport < 1 || eport > 65535)
			continue;
		for (size_t j = 0; j < tl_jlen(sl, "endpoints"); j++) {
			json_t *ep = tl_jat(sl, "endpoints", j);
			json_t *ready = tl_jget(tl_jget(ep, "conditions"), "ready");

			/* ready unset means ready (discovery/v1) */
			if (json_is_false(ready))
				continue;
			for (size_t k = 0; k < tl_jlen(ep, "addresses"); k++) {
				struct gw_translate_vip ip;
				struct gw_route_endpoint e;

				if (!json_is_string(tl_jat(ep, "addresses", k)) ||
						tl_parse_ip(json_string_value(tl_jat(ep, "addresses", k)), &ip) != 0 ||
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
					ne = tl_arena_alloc(&c->sa, cap * sizeof(*ne));
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
	const char *group = tl_jstr(ref, "group", ""), *kind = tl_jstr(ref, "kind", "Service");
	const char *name = tl_jstr(ref, "name", ""), *ns = tl_jstr(ref, "namespace", r->o->ns);
	int64_t port = tl_jint(ref, "port", -1), w = tl_jint(ref, "weight", 1);
	const struct svc_eps *s;

	b->be.weight = w < 0 ? 0 : w > 1000000 ? 1000000 : (uint32_t)w;
	b->be.name = tl_arena_printf(&c->a, "%s/%s:%" PRId64, ns, name, port);
	b->be.state = GW_ROUTE_BACKEND_INVALID;
	b->be.proto = grpc ? GW_ROUTE_PROTO_H2C : GW_ROUTE_PROTO_HTTP1;
	if (b->be.name == NULL)
		return -ENOMEM;
	if (*group != '\0' || strcmp(kind, "Service") != 0) {
		route_unresolved(r, "InvalidKind", tl_arena_printf(&c->a, "backendRef %s: kind "
			"%s%s%s is not supported (core Service only)", name, group, *group ? "/" : "",
			kind));
		return 0;
	}
	if (!tl_ref_allowed(c, GW_GROUP, gw_kind_name(r->kind), r->o->ns, "", "Service", ns,
			name)) {
		route_unresolved(r, "RefNotPermitted", tl_arena_printf(&c->a, "backendRef Service "
			"%s/%s: no ReferenceGrant in %s allows it", ns, name, ns));
		return 0;
	}
	if (port < 1 || port > 65535) {
		route_unresolved(r, "UnsupportedValue", tl_arena_printf(&c->a, "backendRef Service "
			"%s/%s needs a port", ns, name));
		return 0;
	}
	memo_dep_add(c, ns, name);
	s = service_eps(c, ns, name, port);
	if (s == NULL)
		return -ENOMEM;
	if (s->state == -1) {
		route_unresolved(r, "BackendNotFound", tl_arena_printf(&c->a, "Service %s/%s not found",
			ns, name));
		return 0;
	}
	if (s->state == -2) {
		route_unresolved(r, "BackendNotFound", tl_arena_printf(&c->a, "Service %s/%s has "
			"no port %" PRId64, ns, name, port));
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
			route_unresolved(r, "UnsupportedProtocol", tl_arena_printf(&c->a, "Service %s/%s "
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
		struct gw_route_endpoint *copy = tl_arena_alloc(&c->a, s->n * sizeof(*copy));

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
	m = tl_arena_alloc(&c->a, n * sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *h = json_array_get(arr, i);
		const char *type = tl_jstr(h, "type", "Exact"), *name = tl_jstr(h, "name", "");
		bool dup = false;

		for (unsigned int j = 0; j < k; j++)
			dup |= icase ? strcasecmp(m[j].name, name) == 0 : strcmp(m[j].name, name) == 0;
		if (dup)
			continue;
		m[k].name = name;
		m[k].value = tl_jstr(h, "value", "");
		if (strcmp(type, "Exact") == 0) {
			m[k].type = GW_ROUTE_VALUE_EXACT;
		} else if (strcmp(type, "RegularExpression") == 0) {
			m[k].type = GW_ROUTE_VALUE_REGEX;
			if (!regex_ok(m[k].value))
				route_invalid(r, "UnsupportedValue", tl_arena_printf(&c->a, "match on %s: "
					"\"%s\" is not a POSIX extended regular expression", name,
					m[k].value));
		} else {
			route_invalid(r, "UnsupportedValue", tl_arena_printf(&c->a, "match type %s "
				"is not supported", type));
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
	const json_t *path = tl_jget(j, "path");
	const char *type = tl_jstr(path, "type", "PathPrefix");

	m->path = tl_jstr(path, "value", "/");
	if (strcmp(type, "PathPrefix") == 0) {
		m->path_type = GW_ROUTE_PATH_PREFIX;
	} else if (strcmp(type, "Exact") == 0) {
		m->path_type = GW_ROUTE_PATH_EXACT;
	} else if (strcmp(type, "RegularExpression") == 0) {
		m->path_type = GW_ROUTE_PATH_REGEX;
		if (!regex_ok(m->path))
			route_invalid(r, "UnsupportedValue", tl_arena_printf(&c->a, "path \"%s\" is not a "
				"POSIX extended regular expression", m->path));
	} else {
		route_invalid(r, "UnsupportedValue", tl_arena_printf(&c->a, "path match type %s is not "
			"supported", type));
	}
	if (m->path_type != GW_ROUTE_PATH_REGEX && m->path[0] != '/')
		route_invalid(r, "UnsupportedValue", tl_arena_printf(&c->a, "path \"%s\" does not start "
			"with /", m->path));
	m->method = tl_jstr(j, "method", NULL);
	if (parse_kv_matches(c, r, tl_jget(j, "headers"), true, &m->n_headers, &m->headers) != 0 ||
			parse_kv_matches(c, r, tl_jget(j, "queryParams"), false, &m->n_query, &m->query) != 0)
		return -ENOMEM;
	return 0;
}

/* GRPCRoute method match -> a path on "/service/method" (gRPC over HTTP/2). */
static int
parse_grpc_match(struct tctx *c, struct troute *r, const json_t *j, struct gw_route_match_spec *m)
{
	const json_t *meth = tl_jget(j, "method");
	const char *type = tl_jstr(meth, "type", "Exact");
	const char *svc = tl_jstr(meth, "service", NULL), *mt = tl_jstr(meth, "method", NULL);
	bool rx = strcmp(type, "RegularExpression") == 0;

	if (!rx && strcmp(type, "Exact") != 0)
		route_invalid(r, "UnsupportedValue", tl_arena_printf(&c->a, "gRPC method match type %s "
			"is not supported", type));
	if (meth != NULL && svc == NULL && mt == NULL)
		route_invalid(r, "UnsupportedValue", "a gRPC method match needs service or method");
	if (rx) {
		m->path_type = GW_ROUTE_PATH_REGEX;
		m->path = tl_arena_printf(&c->a, "/%s/%s", svc ? svc : "[^/]+", mt ? mt : "[^/]+");
		if (m->path != NULL && !regex_ok(m->path))
			route_invalid(r, "UnsupportedValue", "gRPC method regular expression invalid");
	} else if (svc != NULL && mt != NULL) {
		m->path_type = GW_ROUTE_PATH_EXACT;
		m->path = tl_arena_printf(&c->a, "/%s/%s", svc, mt);
	} else if (svc != NULL) {
		m->path_type = GW_ROUTE_PATH_PREFIX;
		m->path = tl_arena_printf(&c->a, "/%s", svc);
	} else if (mt != NULL) {
		m->path_type = GW_ROUTE_PATH_REGEX;
		m->path = tl_arena_printf(&c->a, "/[^/]+/%s", mt);
	} else {
		m->path_type = GW_ROUTE_PATH_PREFIX;
		m->path = "/";
	}
	m->method = "POST";
	if (parse_kv_matches(c, r, tl_jget(j, "headers"), true, &m->n_headers, &m->headers) != 0)
		return -ENOMEM;
	return m->path == NULL ? -ENOMEM : 0;
}

static int
parse_hdr_mod(struct tctx *c, const json_t *j, struct gw_route_hdr_mod *h)
{
	struct gw_route_kv *kv;
	const char **rm;
	size_t n;

	n = tl_jlen(j, "set");
	kv = tl_arena_alloc(&c->a, (n + 1) * sizeof(*kv));
	if (kv == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		kv[i].name = tl_jstr(tl_jat(j, "set", i), "name", "");
		kv[i].value = tl_jstr(tl_jat(j, "set", i), "value", "");
	}
	h->n_set = (unsigned int)n;
	h->set = kv;
	n = tl_jlen(j, "add");
	kv = tl_arena_alloc(&c->a, (n + 1) * sizeof(*kv));
	if (kv == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		kv[i].name = tl_jstr(tl_jat(j, "add", i), "name", "");
		kv[i].value = tl_jstr(tl_jat(j, "add", i), "value", "");
	}
	h->n_add = (unsigned int)n;
	h->add = kv;
	n = tl_jlen(j, "remove");
	rm = tl_arena_alloc(&c->a, (n + 1) * sizeof(*rm));
	if (rm == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		rm[i] = json_is_string(tl_jat(j, "remove", i)) ?
			json_string_value(tl_jat(j, "remove", i)) : "";
	h->n_remove = (unsigned int)n;
	h->remove = rm;
	return 0;
}

static int
parse_path_mod(struct tctx *c, struct troute *r, const json_t *p, enum gw_route_path_mod *mod,
	const char **path)
{
	const char *type = tl_jstr(p, "type", NULL);

	*mod = GW_ROUTE_PATH_MOD_NONE;
	*path = NULL;
	if (p == NULL || json_is_null(p))
		return 0;
	if (type != NULL && strcmp(type, "ReplaceFullPath") == 0) {
		*mod = GW_ROUTE_PATH_MOD_FULL;
		*path = tl_jstr(p, "replaceFullPath", "/");
	} else if (type != NULL && strcmp(type, "ReplacePrefixMatch") == 0) {
		*mod = GW_ROUTE_PATH_MOD_PREFIX;
		*path = tl_jstr(p, "replacePrefixMatch", "/");
	} else {
		route_invalid(r, "UnsupportedValue", tl_arena_printf(&c->a, "path modifier type "
			"%s is not supported", type ? type : "(none)"));
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
	f = tl_arena_alloc(&c->a, n * sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *j = json_array_get(arr, i);
		const char *type = tl_jstr(j, "type", "");
		struct gw_route_filter_spec *x = &f[k];
		unsigned int bit = 0;

		if (strcmp(type, "RequestHeaderModifier") == 0) {
			x->type = GW_ROUTE_FILTER_REQ_HEADERS;
			if (parse_hdr_mod(c, tl_jget(j, "requestHeaderModifier"), &x->headers) != 0)
				return -ENOMEM;
			bit = 1;
		} else if (strcmp(type, "ResponseHeaderModifier") == 0) {
			x->type = GW_ROUTE_FILTER_RESP_HEADERS;
			if (parse_hdr_mod(c, tl_jget(j, "responseHeaderModifier"),
					&x->headers) != 0)
				return -ENOMEM;
			bit = 2;
		} else if (!grpc && !be_level && strcmp(type, "RequestRedirect") == 0) {
			const json_t *rr = tl_jget(j, "requestRedirect");
			int64_t code = tl_jint(rr, "statusCode", 302);
			int64_t port = tl_jint(rr, "port", 0);
			const char *scheme = tl_jstr(rr, "scheme", NULL);

			x->type = GW_ROUTE_FILTER_REDIRECT;
			x->redirect.scheme = scheme;
			x->redirect.hostname = tl_jstr(rr, "hostname", NULL);
			x->redirect.port = (uint16_t)(port > 0 && port <= 65535 ? port : 0);
			x->redirect.status = (uint16_t)code;
			if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308)
				route_invalid(r, "UnsupportedValue", tl_arena_printf(&c->a,
					"redirect statusCode %" PRId64 " is not 301, 302, 303, 307 "
					"or 308", code));
			if (scheme != NULL && strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
				route_invalid(r, "UnsupportedValue", tl_arena_printf(&c->a, "redirect scheme "
					"%s is not http or https", scheme));
			if (port < 0 || port > 65535)
				route_invalid(r, "UnsupportedValue", "redirect port is not 1-65535");
			parse_path_mod(c, r, tl_jget(rr, "path"), &x->redirect.path_mod, &x->redirect.path);
			*redirect = true;
			bit = 4;
		} else if (!grpc && !be_level && strcmp(type, "URLRewrite") == 0) {
			const json_t *rw = tl_jget(j, "urlRewrite");

			x->type = GW_ROUTE_FILTER_REWRITE;
			x->rewrite.hostname = tl_jstr(rw, "hostname", NULL);
			parse_path_mod(c, r, tl_jget(rw, "path"), &x->rewrite.path_mod, &x->rewrite.path);
			*rewrite = true;
			bit = 8;
		} else if (!be_level && strcmp(type, "RequestMirror") == 0) {
			const json_t *rm = tl_jget(j, "requestMirror");
			const json_t *fr = tl_jget(rm, "fraction");
			struct tbackend *mb = tl_arena_alloc(&c->a, sizeof(*mb));

			if (mb == NULL)
				return -ENOMEM;
			x->type = GW_ROUTE_FILTER_MIRROR;
			if (resolve_backend(c, r, tl_jget(rm, "backendRef"), true, grpc, mb) != 0)
				return -ENOMEM;
			x->mirror.backend = &mb->be;
			if (tl_jhas(rm, "percent")) {
				x->mirror.numerator = (uint32_t)tl_jint(rm, "percent", 100);
				x->mirror.denominator = 100;
			} else if (fr != NULL) {
				x->mirror.numerator = (uint32_t)tl_jint(fr, "numerator", 0);
				x->mirror.denominator = (uint32_t)tl_jint(fr, "denominator", 100);
			} else {
				x->mirror.numerator = x->mirror.denominator = 100;
			}
			if (x->mirror.denominator == 0 || x->mirror.numerator > x->mirror.denominator)
				route_invalid(r, "UnsupportedValue", "requestMirror fraction out of range");
		} else {
			route_invalid(r, "UnsupportedValue", tl_arena_printf(&c->a, "filter type %s is not "
				"supported%s", *type ? type : "(none)", be_level ? " on a backendRef" : ""));
			continue;
		}
		if ((seen & bit) != 0)
			route_invalid(r, "IncompatibleFilters", tl_arena_printf(&c->a, "filter %s appears "
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
	size_t nm = tl_jlen(j, "matches"), nb = tl_jlen(j, "backendRefs");
	struct gw_route_match_spec *m = NULL;
	struct gw_route_backend_spec *bs = NULL;
	bool redirect, rewrite;
	const json_t *to = tl_jget(j, "timeouts");
	unsigned int n_prefix = 0;

	rule->name = tl_jstr(j, "name", NULL);
	if (nm > 0) {
		m = tl_arena_alloc(&c->a, nm * sizeof(*m));
		if (m == NULL)
			return -ENOMEM;
		for (size_t i = 0; i < nm; i++) {
			int rc = grpc ? parse_grpc_match(c, r, tl_jat(j, "matches", i), &m[i]) :
				parse_http_match(c, r, tl_jat(j, "matches", i), &m[i]);

			if (rc != 0)
				return rc;
			n_prefix += m[i].path_type == GW_ROUTE_PATH_PREFIX;
		}
	}
	rule->n_matches = (unsigned int)nm;
	rule->matches = m;
	if (parse_filters(c, r, tl_jget(j, "filters"), grpc, false, &rule->n_filters,
			&rule->filters, &redirect, &rewrite) != 0)
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
		bs = tl_arena_alloc(&c->a, nb * sizeof(*bs));
		if (bs == NULL)
			return -ENOMEM;
		for (size_t i = 0; i < nb; i++) {
			json_t *ref = tl_jat(j, "backendRefs", i);
			struct tbackend tb;
			bool rd, rw;

			memset(&tb, 0, sizeof(tb));
			if (resolve_backend(c, r, ref, true, grpc, &tb) != 0)
				return -ENOMEM;
			bs[i] = tb.be;
			if (parse_filters(c, r, tl_jget(ref, "filters"), grpc, true,
					&bs[i].n_filters, &bs[i].filters, &rd, &rw) != 0)
				return -ENOMEM;
		}
	}
	rule->n_backends = (unsigned int)nb;
	rule->backends = bs;
	if (to != NULL && !json_is_null(to)) {
		uint64_t req = 0, be = 0;
		const char *rs = tl_jstr(to, "request", NULL);
		const char *bes = tl_jstr(to, "backendRequest", NULL);

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
	const json_t *spec = tl_jget(r->o->obj, "spec");

	for (size_t i = 0; i < tl_jlen(spec, "rules"); i++) {
		json_t *rule = tl_jat(spec, "rules", i);

		for (size_t k = 0; k < tl_jlen(rule, "backendRefs"); k++) {
			struct tbackend *b = tl_arena_alloc(&c->a, sizeof(*b));

			if (b == NULL || tl_vec_push(&r->l4_backends, b) != 0 ||
					resolve_backend(c, r, tl_jat(rule, "backendRefs", k), false, false, b) != 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* ---- routes: parents and attachment ---- */

/*
 * tl_cond_add() for route statuses, sharing equal condition objects: ten
 * thousand routes mostly carry the same few conditions, and statuses are
 * read-only once built (renders copy them).
 */
static int
cond_add_shared(struct tctx *c, json_t *arr, const json_t *prev, const char *type, bool ok,
	const char *reason, const char *message, int64_t gen)
{
	char key[1024];
	json_t *cond;

	cond = tl_condition(prev, type, ok ? "True" : "False", reason, message, gen, c->now);
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
	h = tl_arena_alloc(&c->a, r->n_hostnames * sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < r->n_hostnames; i++) {
		char buf[256];
		bool dup = false;

		if (!gw_translate_host_intersect(l->hostname, r->hostnames[i], buf, sizeof(buf)))
			continue;
		for (unsigned int j = 0; j < k; j++)
			dup |= strcmp(h[j], buf) == 0;
		if (!dup && (h[k] = tl_arena_strdup(&c->a, buf)) != NULL)
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
	const json_t *prev = tl_jget(tl_prev_status(r->o), "parents");
	size_t nrefs = r->n_prefs;
	struct pres {
		json_t *ref;
		unsigned int attached;
		const char *reason, *msg;
	} *pr = tl_arena_alloc(&c->a, (nrefs + 1) * sizeof(*pr));
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
			if ((l->kinds & KB(r->kind)) == 0 || !tl_ns_allowed(c, l, r->o->ns))
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
			a = tl_arena_alloc(&c->a, sizeof(*a));
			if (a == NULL || tl_vec_push(&l->attach, a) != 0)
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
				tl_arena_printf(&c->a, "attached to %u listeners", attached);
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
			msg = tl_arena_printf(&c->a, "no listener allows %s from namespace %s",
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
			if (json_equal(tl_jget(json_array_get(prev, k), "parentRef"), pr[i].ref))
				prev_conds = tl_jget(json_array_get(prev, k), "conditions");
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
	const json_t *spec = tl_jget(r->o->obj, "spec");
	size_t nh = tl_jlen(spec, "hostnames"), np = tl_jlen(spec, "parentRefs");

	r->resolved = true;
	r->prefs = tl_arena_alloc(&c->a, (np + 1) * sizeof(*r->prefs));
	if (r->prefs == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < np; i++) {
		struct pref *p = &r->prefs[r->n_prefs++];

		p->ref = tl_jat(spec, "parentRefs", i);
		p->ns = tl_jstr(p->ref, "namespace", r->o->ns);
		p->name = tl_jstr(p->ref, "name", "");
		p->section = tl_jstr(p->ref, "sectionName", NULL);
		p->port = tl_jint(p->ref, "port", 0);
		p->gateway = strcmp(tl_jstr(p->ref, "group", GW_GROUP), GW_GROUP) == 0 &&
			strcmp(tl_jstr(p->ref, "kind", "Gateway"), "Gateway") == 0;
	}
	if (nh > 0) {
		r->hostnames = tl_arena_alloc(&c->a, nh * sizeof(*r->hostnames));
		if (r->hostnames == NULL)
			return -ENOMEM;
		for (size_t i = 0; i < nh; i++) {
			json_t *h = tl_jat(spec, "hostnames", i);
			char *s;

			if (!json_is_string(h) || json_string_length(h) == 0 ||
					json_string_length(h) > 253) {
				route_invalid(r, "UnsupportedValue", "hostnames: not a hostname");
				continue;
			}
			s = tl_arena_strdup(&c->a, json_string_value(h));
			if (s == NULL)
				return -ENOMEM;
			for (char *q = s; *q != '\0'; q++)
				*q = (char)tolower((unsigned char)*q);
			if (strchr(s + (tl_host_is_wild(s) ? 1 : 0), '*') != NULL || s[0] == '.' ||
					strchr(s, ':') != NULL)
				route_invalid(r, "UnsupportedValue", tl_arena_printf(&c->a, "hostname \"%s\" "
					"is not a DNS name or *.wildcard", s));
			r->hostnames[r->n_hostnames++] = s;
		}
	}
	if (r->kind == GW_KIND_TLSROUTE && r->n_hostnames == 0 && !r->invalid)
		route_invalid(r, "UnsupportedValue", "a TLSRoute needs hostnames");
	if (r->kind == GW_KIND_HTTPROUTE || r->kind == GW_KIND_GRPCROUTE) {
		size_t n = tl_jlen(spec, "rules");
		bool grpc = r->kind == GW_KIND_GRPCROUTE;

		if (n == 0) {
			/* a route with no rules: one rule matching everything (500, no backends) */
			r->rules = tl_arena_alloc(&c->a, sizeof(*r->rules));
			if (r->rules == NULL)
				return -ENOMEM;
			r->n_rules = 1;
		} else {
			r->rules = tl_arena_alloc(&c->a, n * sizeof(*r->rules));
			if (r->rules == NULL)
				return -ENOMEM;
			r->n_rules = (unsigned int)n;
			for (size_t i = 0; i < n; i++)
				if (parse_http_rule(c, r, tl_jat(spec, "rules", i), grpc, &r->rules[i]) != 0)
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
		struct memo_dep *nd = tl_arena_alloc(&c->a, cap * sizeof(*nd));

		if (nd == NULL)
			return;
		if (e->n_deps > 0)
			memcpy(nd, e->dep, e->n_deps * sizeof(*nd));
		e->dep = nd;
		e->cap_deps = cap;
	}
	e->dep[e->n_deps].ns = tl_arena_strdup(&c->a, ns);
	e->dep[e->n_deps].name = tl_arena_strdup(&c->a, name);
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
	struct troute *r = tl_arena_alloc(&c->a, sizeof(*r));
	struct memo_entry *e;
	struct arena saved;
	int rc;

	*out = r;
	if (r == NULL || tl_vec_push(&c->routes, r) != 0)
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
	tl_arena_free(&e->a);
	e->a.failed = false;
	e->a.blk = 1024; /* a route's parsed form is a few hundred bytes to a few KiB */
	tl_vec_free(&e->l4_backends);
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

int
tl_do_routes(struct tctx *c)
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
		qsort(all, (size_t)(na + nb), sizeof(*all), tl_age_cmp_ptr);
		for (int i = 0; i < na + nb && rc == 0; i++) {
			struct troute *r;

			rc = route_new(c, all[i], &r);
			if (rc == 0)
				rc = route_parents(c, r);
			if (rc == 0 && r->n_parents > 0) {
				c->n_routes_accepted += r->accepted_any;
				if (r->parents == NULL) {
					rc = tl_status_keep(c, r->o);
					c->status_kept++;
				} else {
					rc = tl_status_put(c, r->o, json_pack("{s:O}", "parents", r->parents));
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
