/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route matcher: gw_route_match() and the other lookups of gw_route.h
 * over a table that gw_route.c compiled (layout in gw_route_int.h).
 */
#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gw_route_int.h"

#define HOST_SFX_MAX 128
/* Segment boundaries hashed per request; deeper paths scan linearly. */
#define PATH_CANDS   64

/* ---- small helpers ---- */

static bool
eq_icase(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lc((unsigned char)a[i]) != lc((unsigned char)b[i]))
			return false;
	return true;
}

/* Without REG_STARTEND the subject must be NUL-terminated: copy it. */
static bool
re_ok(const regex_t *re, const char *s, size_t len)
{
#ifdef REG_STARTEND
	regmatch_t pm[1];

	pm[0].rm_so = 0;
	pm[0].rm_eo = (regoff_t)len;
	return regexec(re, s != NULL ? s : "", 1, pm, REG_STARTEND) == 0;
#else
	char buf[1024];

	if (len >= sizeof(buf))
		return false;
	if (len > 0)
		memcpy(buf, s, len);
	buf[len] = '\0';
	return regexec(re, buf, 0, NULL, 0) == 0;
#endif
}

/* ---- lookup ---- */

bool
gw_route_path_prefix_match(const char *prefix, size_t prefix_len, const char *path,
	size_t path_len)
{
	if (prefix_len > 0 && prefix[prefix_len - 1] == '/')
		prefix_len--;
	if (path_len < prefix_len || memcmp(prefix, path, prefix_len) != 0)
		return false;
	return path_len == prefix_len || path[prefix_len] == '/';
}

bool
gw_route_host_match(const char *pattern, const char *host, size_t host_len)
{
	size_t pl = pattern == NULL ? 0 : strlen(pattern);

	if (host == NULL)
		host_len = 0;
	if (host_len > 0 && host[host_len - 1] == '.')
		host_len--;
	if (pl > 0 && pattern[pl - 1] == '.')
		pl--;
	if (pl == 0 || (pl == 1 && pattern[0] == '*'))
		return true;
	if (is_wild(pattern, (uint32_t)pl)) {
		size_t sl = pl - 1; /* ".example.com" */

		return host_len > sl && eq_icase(pattern + 1, host + host_len - sl, sl);
	}
	return host_len == pl && eq_icase(pattern, host, pl);
}

/* The request's Host, split once for every hostname table it meets. */
struct hostkey {
	const char *s;
	uint32_t len;
	bool valid;                /* 0 < len <= HOST_MAX: may match a hostname */
	uint32_t hash;
	uint32_t n_sfx;            /* suffixes after a '.', shortest first */
	uint32_t sfx_off[HOST_SFX_MAX];
	uint32_t sfx_hash[HOST_SFX_MAX];
};

static void
host_key(const char *h, size_t len, struct hostkey *hk)
{
	uint32_t hv = FNV_OFF;

	if (h == NULL)
		len = 0;
	if (len > 0 && h[0] == '[') {
		/* IPv6 literal: its colons are not a port separator. */
		const char *e = memchr(h, ']', len);

		if (e != NULL)
			len = (size_t)(e - h) + 1;
	} else if (len > 0) {
		const char *e = memchr(h, ':', len);

		if (e != NULL)
			len = (size_t)(e - h);
	}
	if (len > 0 && h[len - 1] == '.')
		len--;
	hk->s = h;
	hk->n_sfx = 0;
	hk->valid = len > 0 && len <= HOST_MAX;
	if (!hk->valid)
		return;
	hk->len = (uint32_t)len;
	for (uint32_t i = (uint32_t)len; i-- > 0;) {
		/* A wildcard needs a non-empty label before its suffix. */
		if (h[i] == '.' && i > 0 && i + 1 < len && hk->n_sfx < HOST_SFX_MAX) {
			hk->sfx_off[hk->n_sfx] = i + 1;
			hk->sfx_hash[hk->n_sfx] = hv;
			hk->n_sfx++;
		}
		hv = host_step(hv, h[i]);
	}
	hk->hash = hv;
}

/* Exact, then the wildcard with the longest suffix; the index in a. */
static const struct hslot *
host_select(const struct htab *exact, const struct htab *wild, const struct hostkey *hk)
{
	const struct hslot *s;

	if (!hk->valid)
		return NULL;
	s = htab_find(exact, hk->s, hk->len, hk->hash);
	if (s != NULL || wild->slot == NULL)
		return s;
	for (uint32_t k = hk->n_sfx; k-- > 0;) {
		uint32_t off = hk->sfx_off[k];

		s = htab_find(wild, hk->s + off, hk->len - off, hk->sfx_hash[k]);
		if (s != NULL)
			return s;
	}
	return NULL;
}

static bool
header_get(const struct gw_route_req *req, const char *name, uint32_t nlen, const char **v,
	size_t *vlen)
{
	for (unsigned int i = 0; i < req->n_headers; i++) {
		const struct gw_route_header *h = &req->headers[i];

		if (h->name_len == nlen && eq_icase(h->name, name, nlen)) {
			*v = h->value;
			*vlen = h->value_len;
			return true;
		}
	}
	return false;
}

static bool
query_get(const char *q, size_t qlen, const char *name, uint32_t nlen, const char **v,
	size_t *vlen)
{
	if (q == NULL)
		return false;
	for (size_t s = 0, e; s < qlen; s = e + 1) {
		const char *eq;

		for (e = s; e < qlen && q[e] != '&'; e++)
			;
		eq = memchr(q + s, '=', e - s);
		if ((size_t)((eq != NULL ? eq : q + e) - (q + s)) != nlen ||
			memcmp(q + s, name, nlen) != 0)
			continue;
		*v = eq != NULL ? eq + 1 : q + e;
		*vlen = eq != NULL ? (size_t)(q + e - eq - 1) : 0;
		return true;
	}
	return false;
}

static bool
value_ok(const struct ckv *k, const char *want, const char *v, size_t vlen)
{
	if (k->re != NULL)
		return re_ok(k->re, v, vlen);
	return vlen == k->value_len && memcmp(v, want, vlen) == 0;
}

/* Everything but the path, which the caller has checked. */
static bool
conds_ok(const struct cmatch *m, const struct gw_route_req *req)
{
	const char *v;
	size_t vlen;

	if (m->method != NULL && (req->method_len != m->method_len ||
		(m->method_len != 0 && memcmp(req->method, m->method, m->method_len) != 0)))
		return false;
	for (unsigned int i = 0; i < m->n_headers; i++) {
		if (!header_get(req, m->kv[i].name, m->ck[i].name_len, &v, &vlen) ||
			!value_ok(&m->ck[i], m->kv[i].value, v, vlen))
			return false;
	}
	for (unsigned int i = m->n_headers; i < m->n_headers + m->n_query; i++) {
		if (!query_get(req->query, req->query_len, m->kv[i].name, m->ck[i].name_len,
			&v, &vlen) ||
			!value_ok(&m->ck[i], m->kv[i].value, v, vlen))
			return false;
	}
	return true;
}

/*
 * Path tables: a slot's key is the buf[] of the first match of its run
 * (vhost->runs[a]), so the key compare reads the match itself.
 */
static const struct cmatch *
path_find(const struct htab *h, const char *p, size_t len, uint32_t hash, uint32_t *start)
{
	if (h->slot == NULL)
		return NULL;
	for (uint32_t i = mix(hash) & h->mask;; i = (i + 1) & h->mask) {
		const struct hslot *s = &h->slot[i];
		const struct cmatch *m;

		if (s->key == NULL)
			return NULL;
		if (s->hash != hash)
			continue;
		m = (const struct cmatch *)(const void *)(s->key - offsetof(struct cmatch, buf));
		if (m->key_len == len && memcmp(m->buf, p, len) == 0) {
			*start = s->a;
			return m;
		}
	}
}

/* First match of the run at runs[start] (= @m) whose other conditions hold. */
static const struct cmatch *
run_match(const struct vhost *v, const struct cmatch *m, uint32_t start,
	const struct gw_route_req *req)
{
	if (m == NULL)
		return NULL;
	if (conds_ok(m, req))
		return m;
	for (uint32_t i = start + 1; i < v->n_exact + v->n_prefix; i++) {
		const struct cmatch *o = v->runs[i];

		if (o->path_type != m->path_type || o->key_len != m->key_len ||
			memcmp(o->buf, m->buf, m->key_len) != 0)
			break;
		if (conds_ok(o, req))
			return o;
	}
	return NULL;
}

static const struct cmatch *
vhost_match(const struct vhost *v, const struct gw_route_req *req)
{
	const char *p = req->path != NULL ? req->path : "";
	size_t plen = req->path != NULL ? req->path_len : 0;
	const struct cmatch *m;

	if (v->n_exact + v->n_prefix != 0 && plen <= UINT32_MAX) {
		uint32_t cl[PATH_CANDS], ch[PATH_CANDS], nc = 0, h = FNV_OFF, st = 0;
		bool deep = false;

		/* One pass hashes the whole path and every prefix ending before a '/'. */
		for (size_t i = 0; i < plen; i++) {
			if (p[i] == '/') {
				if (nc < PATH_CANDS) {
					cl[nc] = (uint32_t)i;
					ch[nc] = h;
					nc++;
				} else {
					deep = true;
				}
			}
			h = path_step(h, p[i]);
		}
		if (v->exact_lens & (1ull << (plen & 63))) {
			m = path_find(&v->exact, p, plen, h, &st);
			m = run_match(v, m, st, req);
			if (m != NULL)
				return m;
		}
		if (v->n_prefix != 0 && !deep) {
			/* Longest prefix first is precedence order (see cm_cmp). */
			if (v->prefix_lens & (1ull << (plen & 63))) {
				m = path_find(&v->prefix, p, plen, h, &st);
				m = run_match(v, m, st, req);
				if (m != NULL)
					return m;
			}
			for (uint32_t k = nc; k-- > 0;) {
				if (!(v->prefix_lens & (1ull << (cl[k] & 63))))
					continue;
				m = path_find(&v->prefix, p, cl[k], ch[k], &st);
				m = run_match(v, m, st, req);
				if (m != NULL)
					return m;
			}
		} else if (v->n_prefix != 0) {
			for (uint32_t i = v->n_exact; i < v->n_exact + v->n_prefix; i++) {
				m = v->order[i];
				if (gw_route_path_prefix_match(m->buf, m->key_len, p, plen) &&
					conds_ok(m, req))
					return m;
			}
		}
	}
	for (uint32_t i = v->n_exact + v->n_prefix; i < v->n; i++) {
		m = v->order[i];
		if (re_ok(m->path_re, p, plen) && conds_ok(m, req))
			return m;
	}
	return NULL;
}

int
gw_route_match(const struct gw_route_table *t, const struct gw_route_req *req,
	struct gw_route_result *res)
{
	struct hostkey hk;
	const struct grp *g;
	const struct lst *l;
	const struct vhost *v;
	const struct cmatch *m;
	const struct hslot *s;

	res->status = 404;
	res->listener = NULL;
	res->rule = NULL;
	res->match_index = 0;
	if (t == NULL || req == NULL)
		return 404;
	g = group_find(t, req->group);
	if (g == NULL || g->n_lst == 0)
		return 404;
	host_key(req->host, req->host_len, &hk);
	s = host_select(&g->l_exact, &g->l_wild, &hk);
	l = s != NULL ? &g->lst[s->a] : g->l_any;
	if (l == NULL)
		return 404;
	res->listener = &l->pub;
	s = host_select(&l->vh_exact, &l->vh_wild, &hk);
	v = s != NULL ? l->vhosts[s->a] : l->vh_any;
	if (v == NULL)
		return 404;
	m = vhost_match(v, req);
	if (m == NULL)
		return 404;
	res->status = 0;
	res->rule = m->rule;
	res->match_index = m->match_index;
	return 0;
}

int
gw_route_pick_backend(const struct gw_route_rule *rule, uint32_t rnd,
	const struct gw_route_backend **be)
{
	uint32_t r;

	*be = NULL;
	if (rule == NULL || rule->n_backends == 0 || rule->total_weight == 0)
		return 500;
	r = rnd % rule->total_weight;
	for (unsigned int i = 0; i < rule->n_backends; i++) {
		const struct gw_route_backend *b = &rule->backends[i];

		if (r >= b->weight) {
			r -= b->weight;
			continue;
		}
		switch (b->state) {
		case GW_ROUTE_BACKEND_OK:
			*be = b;
			/* OK without endpoints is what a drained Service looks like: 503. */
			return b->n_endpoints != 0 ? 0 : 503;
		case GW_ROUTE_BACKEND_NO_ENDPOINTS:
			*be = b;
			return 503;
		default:
			return 500;
		}
	}
	return 500;
}

/* ---- walk ---- */

static int
walk_match(const struct grp *g, const struct lst *l, const struct vhost *v, uint32_t order,
	const struct cmatch *m, int (*fn)(const struct gw_route_walk_entry *e, void *arg),
	void *arg)
{
	struct gw_route_walk_entry e = {
		.group = g->id,
		.family = g->family,
		.vip = g->vip,
		.port = g->port,
		.listener = &l->pub,
		.vhost = v != NULL ? v->name : NULL,
		.order = order,
	};

	if (m != NULL) {
		e.rule = m->rule;
		e.match_index = m->match_index;
		e.path_type = m->path_type;
		e.path = m->buf;
		e.method = m->method;
		e.n_headers = m->n_headers;
		e.headers = m->n_headers != 0 ? m->kv : NULL;
		e.n_query = m->n_query;
		e.query = m->n_query != 0 ? m->kv + m->n_headers : NULL;
	}
	return fn(&e, arg);
}

int
gw_route_table_walk(const struct gw_route_table *t,
	int (*fn)(const struct gw_route_walk_entry *e, void *arg), void *arg)
{
	int rc;

	if (t == NULL || fn == NULL)
		return 0;
	for (uint32_t gi = 0; gi < t->n_groups; gi++) {
		const struct grp *g = &t->groups[gi];

		for (uint32_t li = 0; li < g->n_lst; li++) {
			const struct lst *l = &g->lst[li];

			if (l->n_vhosts == 0) {
				rc = walk_match(g, l, NULL, 0, NULL, fn, arg);
				if (rc != 0)
					return rc;
			}
			for (uint32_t vi = 0; vi < l->n_vhosts; vi++) {
				const struct vhost *v = l->vhosts[vi];

				if (v->n == 0) {
					rc = walk_match(g, l, v, 0, NULL, fn, arg);
					if (rc != 0)
						return rc;
				}
				for (uint32_t k = 0; k < v->n; k++) {
					rc = walk_match(g, l, v, k, v->order[k], fn, arg);
					if (rc != 0)
						return rc;
				}
			}
		}
	}
	return 0;
}
