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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "translate_int.h"

/* ---- arena ---- */

void *
tl_arena_alloc(struct arena *a, size_t n)
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

char *
tl_arena_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = tl_arena_alloc(a, n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

char *
tl_arena_printf(struct arena *a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tl_arena_strdup(a, buf);
}

void
tl_arena_free(struct arena *a)
{
	while (a->head != NULL) {
		struct arena_blk *n = a->head->next;

		free(a->head);
		a->head = n;
	}
}

int
tl_vec_push(struct vec *v, void *p)
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

void
tl_vec_free(struct vec *v)
{
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}

/* ---- JSON access ---- */

json_t *
tl_jget(const json_t *o, const char *key)
{
	return json_is_object(o) ? json_object_get(o, key) : NULL;
}

const char *
tl_jstr(const json_t *o, const char *key, const char *def)
{
	json_t *v = tl_jget(o, key);

	return json_is_string(v) ? json_string_value(v) : def;
}

bool
tl_jhas(const json_t *o, const char *key)
{
	json_t *v = tl_jget(o, key);

	return v != NULL && !json_is_null(v);
}

/* Integer field; strings of digits are taken too (YAML authors quote ports). */
int64_t
tl_jint(const json_t *o, const char *key, int64_t def)
{
	json_t *v = tl_jget(o, key);

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

size_t
tl_jlen(const json_t *o, const char *key)
{
	json_t *v = tl_jget(o, key);

	return json_is_array(v) ? json_array_size(v) : 0;
}

json_t *
tl_jat(const json_t *o, const char *key, size_t i)
{
	return json_array_get(tl_jget(o, key), i);
}

const char *
tl_meta_label(const json_t *obj, const char *key)
{
	return tl_jstr(tl_jget(tl_jget(obj, "metadata"), "labels"), key, NULL);
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

/*
 * A condition list under construction; @prev is the object's previous
 * conditions (from the cache's last status) so that lastTransitionTime
 * moves only when the status of a condition changes.
 */
json_t *
tl_condition(const json_t *prev, const char *type, const char *status, const char *reason,
	const char *message, int64_t gen, const char *now)
{
	const char *ltt = now;
	size_t i;

	for (i = 0; json_is_array(prev) && i < json_array_size(prev); i++) {
		json_t *c = json_array_get(prev, i);

		if (strcmp(tl_jstr(c, "type", ""), type) == 0 &&
				strcmp(tl_jstr(c, "status", ""), status) == 0 &&
				tl_jstr(c, "lastTransitionTime", NULL) != NULL)
			ltt = tl_jstr(c, "lastTransitionTime", now);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "type", type, "status", status,
		"reason", reason, "message", message != NULL ? message : "",
		"observedGeneration", (json_int_t)gen, "lastTransitionTime", ltt);
}

int
tl_cond_add(json_t *arr, const json_t *prev, const char *type, bool ok, const char *reason,
	const char *message, int64_t gen, const char *now)
{
	json_t *c = tl_condition(prev, type, ok ? "True" : "False", reason, message, gen, now);

	if (c == NULL || json_array_append_new(arr, c) != 0)
		return -ENOMEM;
	return 0;
}

/* ---- pointer sets ---- */

uint32_t
tl_ptr_hash(const void *p)
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
			j = tl_ptr_hash(s->slot[i]) & (cap - 1);
			while (ns[j] != NULL)
				j = (j + 1) & (cap - 1);
			ns[j] = s->slot[i];
		}
		free(s->slot);
		s->slot = ns;
		s->cap = cap;
	}
	j = tl_ptr_hash(p) & (s->cap - 1);
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
	j = tl_ptr_hash(p) & (s->cap - 1);
	while (s->slot[j] != NULL) {
		if (s->slot[j] == p)
			return true;
		j = (j + 1) & (s->cap - 1);
	}
	return false;
}

/* ---- statuses ---- */

static int
status_touch(struct tctx *c, const struct gw_obj *o)
{
	return pset_add(&c->touched, o);
}

/* The object's status in the cache is still right: leave it there. */
int
tl_status_keep(struct tctx *c, const struct gw_obj *o)
{
	return status_touch(c, o);
}

int
tl_status_put(struct tctx *c, const struct gw_obj *o, json_t *status)
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

const json_t *
tl_prev_status(const struct gw_obj *o)
{
	return o->status;
}

/* ---- names, hostnames, addresses ---- */

bool
tl_host_is_wild(const char *h)
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
	else if (!tl_host_is_wild(l) && !tl_host_is_wild(r))
		res = strcasecmp(l, r) == 0 ? r : NULL;
	else if (tl_host_is_wild(l) && !tl_host_is_wild(r))
		res = gw_route_host_match(l, r, strlen(r)) ? r : NULL;
	else if (!tl_host_is_wild(l) && tl_host_is_wild(r))
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

int
tl_parse_ip(const char *s, struct gw_translate_vip *ip)
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

const char *
tl_ip_str(const struct gw_translate_vip *ip, char *buf, size_t len)
{
	return inet_ntop(ip->family, ip->addr, buf, (socklen_t)len);
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

int
tl_age_cmp_ptr(const void *a, const void *b)
{
	const struct gw_obj *const *x = a, *const *y = b;

	return obj_cmp_age(*x, *y);
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

				if (!tl_listener_programmed(l0) || (l0->proto != P_HTTP && l0->proto != P_HTTPS))
					continue;
				/* one group per port: only the first listener of a port opens it */
				for (unsigned int j = 0; j < i; j++)
					if (g->listeners[j].port == l0->port && tl_listener_programmed(&g->listeners[j]) &&
							(g->listeners[j].proto == P_HTTP || g->listeners[j].proto == P_HTTPS))
						first = false;
				if (!first)
					continue;
				gs = tl_arena_alloc(&c->a, sizeof(*gs));
				ls = tl_arena_alloc(&c->a, g->n_listeners * sizeof(*ls));
				names = json_array();
				if (gs == NULL || ls == NULL || names == NULL || tl_vec_push(&groups, gs) != 0) {
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

					if (l->port != l0->port || !tl_listener_programmed(l) ||
							(l->proto != P_HTTP && l->proto != P_HTTPS))
						continue;
					rs = tl_arena_alloc(&c->a, (l->attach.n + 1) * sizeof(*rs));
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
					tl_ip_str(&g->vips[v], buf, sizeof(buf)), "port", (int)gs->port,
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
	tl_vec_free(&groups);
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
			/* Endpoints per family: a VIP is served by endpoints of its own family. */
			struct gw_lb_endpoint *eps[2] = {NULL, NULL};
			unsigned int ne[2] = {0, 0}, cap_e[2] = {0, 0};

			if (!tl_listener_programmed(l) || (l->proto != P_TCP && l->proto != P_UDP))
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
					int fi = re->family == AF_INET6;

					if (ne[fi] == cap_e[fi]) {
						struct gw_lb_endpoint *nn;

						cap_e[fi] = cap_e[fi] ? cap_e[fi] * 2 : 8;
						nn = tl_arena_alloc(&c->a, cap_e[fi] * sizeof(*nn));
						if (nn == NULL)
							return -ENOMEM;
						if (ne[fi] > 0)
							memcpy(nn, eps[fi], ne[fi] * sizeof(*nn));
						eps[fi] = nn;
					}
					eps[fi][ne[fi]].family = re->family;
					memcpy(eps[fi][ne[fi]].addr, re->addr, 16);
					eps[fi][ne[fi]].port = re->port;
					eps[fi][ne[fi]].weight =
						(uint32_t)(tb->be.weight > 0 && w == 0 ? 1 : w);
					ne[fi]++;
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
				specs[n].n_endpoints = ne[g->vips[v].family == AF_INET6];
				specs[n].endpoints = eps[g->vips[v].family == AF_INET6];
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
			tl_vec_free(&g->listeners[j].attach);
		}
	}
	for (unsigned int i = 0; i < c->routes.n; i++) {
		struct troute *r = c->routes.v[i];

		json_decref(r->parents);
		if (r->memo == NULL)
			tl_vec_free(&r->l4_backends); /* else the memo entry owns it */
	}
	for (unsigned int i = 0; i < c->certs.n; i++) {
		struct gw_translate_cert *cert = c->certs.v[i];

		X509_free(cert->x509);
		EVP_PKEY_free(cert->pkey);
	}
	tl_vec_free(&c->certs);
	tl_vec_free(&c->gateways);
	tl_vec_free(&c->routes);
	tl_vec_free(&c->eps);
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
	tl_arena_free(&c->sa);
	tl_arena_free(&c->a);
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
		tl_memo_round_begin(c.memo);
	rc = tl_grant_epoch(&c);
	if (rc == 0)
		rc = tl_index_slices(&c);
	if (rc == 0)
		rc = tl_do_classes(&c);
	if (rc == 0)
		rc = tl_do_gateways(&c);
	if (rc == 0)
		rc = tl_do_routes(&c);
	for (unsigned int i = 0; rc == 0 && i < c.gateways.n; i++) {
		rc = tl_gateway_status(&c, c.gateways.v[i]);
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
		tl_memo_sweep(c.memo);
	}
	ctx_free(&c);
	return 0;
fail:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory while translating");
	/*
	 * Statuses were not applied, so no signature written this round
	 * may be trusted next time.
	 */
	if (c.memo != NULL)
		tl_memo_forget_status(c.memo);
	ctx_free(&c);
	gw_translation_release(out);
	return rc;
}
