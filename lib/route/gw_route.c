/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route table compiler; the contract is in gw_route.h, the table's layout
 * in gw_route_int.h, the lookup in gw_route_match.c.
 *
 * Everything a table holds lives in one arena of a few large blocks, so
 * freeing is a walk over the blocks plus regfree() of each compiled
 * expression. The first block is sized from a guess over the spec's
 * routes; a large one is mapped in huge pages (faulting a few MB in 4 KiB
 * pages would cost more than the rest of the build). Strings are packed
 * unaligned. The build sorts nothing by strings but hostnames: routes are
 * ranked once by (created, "ns/name"), each match gets an integer key,
 * the listener's matches are put in precedence order once (by class of
 * equal keys, then route rank) and dealt out to their virtual hosts;
 * exact and prefix keys are grouped by hashing, not sorting.
 */
#include <regex.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_route_int.h"

#define AR_BLK_MIN   (64u * 1024)
#define AR_BLK_MAX   (4u * 1024 * 1024)
/* Blocks this large are mapped on their own, in huge pages where the kernel has them. */
#define AR_HUGE      (2u * 1024 * 1024)
#define AR_ALIGN     8u

struct bctx {
	struct gw_route_table *t;
	char *err;
	size_t errlen;
	char *sp;                  /* strings: unaligned, packed in chunks of the arena */
	char *se;
};

/* ---- small helpers ---- */

static uint32_t
host_hash(const char *s, size_t len)
{
	uint32_t h = FNV_OFF;

	for (size_t i = len; i-- > 0;)
		h = host_step(h, s[i]);
	return h;
}

static uint32_t
path_hash(const char *s, size_t len)
{
	uint32_t h = FNV_OFF;

	for (size_t i = 0; i < len; i++)
		h = path_step(h, s[i]);
	return h;
}

static uint32_t
pow2_cap(uint32_t n)
{
	uint32_t c = 2;

	/* Linear probing at a load of at most 2/3. */
	while (c < n + n / 2 + 1)
		c <<= 1;
	return c;
}

/* The caller checked the key is absent and sized the table (pow2_cap). */
static void
htab_put(struct htab *h, const char *key, uint32_t hash, uint32_t a)
{
	uint32_t i = mix(hash) & h->mask;

	while (h->slot[i].key != NULL)
		i = (i + 1) & h->mask;
	h->slot[i] = (struct hslot){ .key = key, .hash = hash, .a = a };
}

static void
seterr(struct bctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err == NULL || c->errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
}

/* ---- arena ---- */

/*
 * A zeroed block with room for at least *@sz bytes; *@sz is what it has.
 * A large table is a few MB written once: in 4 KiB pages its page faults
 * cost more than everything else the build does, so large blocks are
 * mapped in whole huge pages (MADV_HUGEPAGE: the "madvise" THP setting
 * takes them too) and unmapped on free.
 */
static struct ar_blk *
ar_blk_new(size_t *sz)
{
	struct ar_blk *b;

#if defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS)
	if (*sz >= AR_HUGE - sizeof(*b)) {
		size_t len = (*sz + sizeof(*b) + AR_HUGE - 1) & ~(size_t)(AR_HUGE - 1);
		size_t over = len + AR_HUGE;
		char *p = mmap(NULL, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED) {
			char *a = (char *)(((uintptr_t)p + AR_HUGE - 1) & ~(uintptr_t)(AR_HUGE - 1));

			/* Keep only the aligned part. */
			if (a > p)
				munmap(p, (size_t)(a - p));
			if (a + len < p + over)
				munmap(a + len, (size_t)(p + over - (a + len)));
			(void)madvise(a, len, MADV_HUGEPAGE);
			b = (struct ar_blk *)(void *)a;
			b->mapped = len;
			b->size = len - sizeof(*b);
			b->used = 0;
			b->next = NULL;
			*sz = b->size;
			return b;
		}
	}
#endif
	b = calloc(1, sizeof(*b) + *sz);
	if (b != NULL)
		b->size = *sz;
	return b;
}

/* @al: a power of two from AR_ALIGN to 64 (a cache line); nothing here needs more than 8. */
static void *
ar_alloc_al(struct bctx *c, size_t n, size_t al)
{
	struct gw_route_table *t = c->t;
	struct ar_blk *b = t->blk;
	void *p;

	n = (n + AR_ALIGN - 1) & ~(size_t)(AR_ALIGN - 1);
	if (n == 0)
		n = AR_ALIGN;
	if (b != NULL && al > AR_ALIGN) {
		/* data[] is 32 bytes into a calloc'ed block: align the address. */
		uintptr_t a = (uintptr_t)((char *)b->data + b->used);
		size_t pad = (size_t)(((a + al - 1) & ~(uintptr_t)(al - 1)) - a);

		b->used = b->size - b->used < pad ? b->size : b->used + pad;
	}
	if (b == NULL || b->size - b->used < n + al) {
		size_t sz = t->next_blk;

		while (sz < n + al) {
			if (sz > SIZE_MAX / 2) {
				seterr(c, "out of memory");
				return NULL;
			}
			sz *= 2;
		}
		b = ar_blk_new(&sz);
		if (b == NULL) {
			seterr(c, "out of memory");
			return NULL;
		}
		b->next = t->blk;
		t->blk = b;
		t->bytes += sizeof(*b) + sz;
		/* After an estimated first block: what is left is small. */
		if (t->next_blk > AR_BLK_MAX)
			t->next_blk = AR_HUGE;
		else if (t->next_blk < AR_BLK_MAX)
			t->next_blk *= 2;
	}
	if (al > AR_ALIGN) {
		uintptr_t a = (uintptr_t)((char *)b->data + b->used);

		b->used += (size_t)(((a + al - 1) & ~(uintptr_t)(al - 1)) - a);
	}
	p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

static void *
ar_alloc(struct bctx *c, size_t n)
{
	return ar_alloc_al(c, n, AR_ALIGN);
}

static void *
ar_array(struct bctx *c, size_t n, size_t size)
{
	if (n != 0 && size > SIZE_MAX / n) {
		seterr(c, "out of memory");
		return NULL;
	}
	return ar_alloc(c, n * size);
}

#define AR_STR_CHUNK 4096u

/* @n bytes, unaligned: strings are packed, not padded to AR_ALIGN. */
static char *
ar_chars(struct bctx *c, size_t n)
{
	char *p;

	if ((size_t)(c->se - c->sp) < n) {
		if (n > AR_STR_CHUNK / 4)
			return ar_alloc(c, n);
		p = ar_alloc(c, AR_STR_CHUNK);
		if (p == NULL)
			return NULL;
		c->sp = p;
		c->se = p + AR_STR_CHUNK;
	}
	p = c->sp;
	c->sp += n;
	return p;
}

/* NULL stays NULL: optional strings keep their meaning. */
static int
ar_str(struct bctx *c, const char *s, const char **out)
{
	size_t n;
	char *p;

	*out = NULL;
	if (s == NULL)
		return 0;
	n = strlen(s);
	p = ar_chars(c, n + 1);
	if (p == NULL)
		return -1;
	memcpy(p, s, n + 1);
	*out = p;
	return 0;
}

static int
ar_htab(struct bctx *c, struct htab *h, uint32_t n)
{
	uint32_t cap = pow2_cap(n);

	h->mask = cap - 1;
	h->slot = ar_array(c, cap, sizeof(*h->slot));
	return h->slot == NULL ? -1 : 0;
}

/*
 * Lower case, no trailing '.'. "" and "*" both mean any host. Returns
 * the copy's length in *len.
 */
static const char *
ar_host(struct bctx *c, const char *s, uint32_t *len)
{
	size_t n = s == NULL ? 0 : strlen(s);
	char *p;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 1 && s[0] == '*')
		n = 0;
	p = ar_chars(c, n + 1);
	if (p == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		p[i] = (char)lc((unsigned char)s[i]);
	p[n] = '\0';
	*len = (uint32_t)n;
	return p;
}

static uint32_t
labels(const char *s, uint32_t len)
{
	uint32_t n = 1;

	for (uint32_t i = 0; i < len; i++)
		n += s[i] == '.';
	return n;
}

/* 0 exact, 1 wildcard, 2 any: the selection order of hostnames. */
static uint32_t
host_class(const char *s, uint32_t len)
{
	if (len == 0)
		return 2;
	return is_wild(s, len) ? 1 : 0;
}

/* ---- regular expressions ---- */

static const regex_t *
re_compile(struct bctx *c, const char *pat, const char *what, const char *lname,
	const struct gw_route_route_spec *rs, unsigned int rule)
{
	struct re_node *n;
	size_t plen = strlen(pat);
	char *anch;
	int rc;

	n = ar_alloc(c, sizeof(*n));
	if (n == NULL)
		return NULL;
	/* Anchored on the whole subject: the spec's "matches the path". */
	anch = malloc(plen + 5);
	if (anch == NULL) {
		seterr(c, "out of memory");
		return NULL;
	}
	memcpy(anch, "^(", 2);
	memcpy(anch + 2, pat, plen);
	memcpy(anch + 2 + plen, ")$", 3);
	rc = regcomp(&n->re, anch, REG_EXTENDED | REG_NOSUB);
	free(anch);
	if (rc != 0) {
		char why[128];

		regerror(rc, &n->re, why, sizeof(why));
		seterr(c, "listener %s route %s/%s rule %u: bad regular expression \"%s\" (%s): %s",
			lname, rs->ns != NULL ? rs->ns : "", rs->name != NULL ? rs->name : "", rule,
			pat, what, why);
		return NULL;
	}
	n->next = c->t->regexes;
	c->t->regexes = n;
	return &n->re;
}

/* ---- compiling rules ---- */

static int compile_backend(struct bctx *c, struct gw_route_backend *d,
	const struct gw_route_backend_spec *s);

static int
copy_kvs(struct bctx *c, unsigned int n, const struct gw_route_kv *s, const struct gw_route_kv **out)
{
	struct gw_route_kv *d;

	*out = NULL;
	if (n == 0)
		return 0;
	d = ar_array(c, n, sizeof(*d));
	if (d == NULL)
		return -1;
	for (unsigned int i = 0; i < n; i++)
		if (ar_str(c, s[i].name, &d[i].name) != 0 || ar_str(c, s[i].value, &d[i].value) != 0)
			return -1;
	*out = d;
	return 0;
}

static int
copy_hdr_mod(struct bctx *c, struct gw_route_hdr_mod *d, const struct gw_route_hdr_mod *s)
{
	const char **rm;

	d->n_set = s->n_set;
	d->n_add = s->n_add;
	d->n_remove = s->n_remove;
	d->remove = NULL;
	if (copy_kvs(c, s->n_set, s->set, &d->set) != 0 ||
		copy_kvs(c, s->n_add, s->add, &d->add) != 0)
		return -1;
	if (s->n_remove == 0)
		return 0;
	rm = ar_array(c, s->n_remove, sizeof(*rm));
	if (rm == NULL)
		return -1;
	for (unsigned int i = 0; i < s->n_remove; i++)
		if (ar_str(c, s->remove[i], &rm[i]) != 0)
			return -1;
	d->remove = rm;
	return 0;
}

static int
copy_filters(struct bctx *c, unsigned int n, const struct gw_route_filter_spec *s,
	const struct gw_route_filter **out)
{
	struct gw_route_filter *d;

	*out = NULL;
	if (n == 0)
		return 0;
	d = ar_array(c, n, sizeof(*d));
	if (d == NULL)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		d[i].type = s[i].type;
		switch (s[i].type) {
		case GW_ROUTE_FILTER_REQ_HEADERS:
		case GW_ROUTE_FILTER_RESP_HEADERS:
			if (copy_hdr_mod(c, &d[i].headers, &s[i].headers) != 0)
				return -1;
			break;
		case GW_ROUTE_FILTER_REDIRECT:
			d[i].redirect = s[i].redirect;
			if (ar_str(c, s[i].redirect.scheme, &d[i].redirect.scheme) != 0 ||
				ar_str(c, s[i].redirect.hostname, &d[i].redirect.hostname) != 0 ||
				ar_str(c, s[i].redirect.path, &d[i].redirect.path) != 0)
				return -1;
			break;
		case GW_ROUTE_FILTER_REWRITE:
			d[i].rewrite = s[i].rewrite;
			if (ar_str(c, s[i].rewrite.hostname, &d[i].rewrite.hostname) != 0 ||
				ar_str(c, s[i].rewrite.path, &d[i].rewrite.path) != 0)
				return -1;
			break;
		case GW_ROUTE_FILTER_MIRROR: {
			struct gw_route_backend *be = NULL;

			if (s[i].mirror.backend != NULL) {
				be = ar_alloc(c, sizeof(*be));
				if (be == NULL || compile_backend(c, be, s[i].mirror.backend) != 0)
					return -1;
			}
			d[i].mirror.backend = be;
			d[i].mirror.numerator = s[i].mirror.numerator;
			d[i].mirror.denominator = s[i].mirror.denominator;
			break;
		}
		default:
			seterr(c, "unknown filter type %d", (int)s[i].type);
			return -1;
		}
	}
	*out = d;
	return 0;
}

static int
compile_backend(struct bctx *c, struct gw_route_backend *d, const struct gw_route_backend_spec *s)
{
	if (ar_str(c, s->name, &d->name) != 0)
		return -1;
	d->weight = s->weight;
	d->state = s->state;
	d->proto = s->proto;
	d->n_endpoints = s->n_endpoints;
	d->endpoints = NULL;
	if (s->n_endpoints != 0) {
		struct gw_route_endpoint *ep = ar_array(c, s->n_endpoints, sizeof(*ep));

		if (ep == NULL)
			return -1;
		memcpy(ep, s->endpoints, s->n_endpoints * sizeof(*ep));
		d->endpoints = ep;
	}
	d->n_filters = s->n_filters;
	return copy_filters(c, s->n_filters, s->filters, &d->filters);
}

static int
compile_rule(struct bctx *c, struct gw_route_rule *d, const struct gw_route_rule_spec *s,
	const char *ns, const char *name, unsigned int idx)
{
	struct gw_route_backend *be = NULL;
	uint64_t total = 0;

	d->route_ns = ns;
	d->route_name = name;
	d->rule_index = idx;
	if (ar_str(c, s->name, &d->name) != 0)
		return -1;
	d->n_filters = s->n_filters;
	if (copy_filters(c, s->n_filters, s->filters, &d->filters) != 0)
		return -1;
	d->redirect = false;
	for (unsigned int i = 0; i < s->n_filters; i++)
		if (s->filters[i].type == GW_ROUTE_FILTER_REDIRECT)
			d->redirect = true;
	if (s->n_backends != 0) {
		be = ar_array(c, s->n_backends, sizeof(*be));
		if (be == NULL)
			return -1;
		for (unsigned int i = 0; i < s->n_backends; i++) {
			if (compile_backend(c, &be[i], &s->backends[i]) != 0)
				return -1;
			total += s->backends[i].weight;
		}
	}
	if (total > UINT32_MAX) {
		seterr(c, "route %s/%s rule %u: backend weights add up to more than 2^32",
			ns, name, idx);
		return -1;
	}
	d->n_backends = s->n_backends;
	d->backends = be;
	d->total_weight = (uint32_t)total;
	d->timeout_request_ms = s->timeout_request_ms;
	d->timeout_backend_request_ms = s->timeout_backend_request_ms;
	return 0;
}

/* Fills @d and @k, @n entries each (the caller's arena arrays). */
static int
compile_kvs(struct bctx *c, unsigned int n, const struct gw_route_kv_match *s, bool lower_names,
	struct gw_route_kv_match *d, struct ckv *k, const char *lname,
	const struct gw_route_route_spec *rs, unsigned int rule)
{
	for (unsigned int i = 0; i < n; i++) {
		const char *nm = s[i].name != NULL ? s[i].name : "";
		const char *v = s[i].value != NULL ? s[i].value : "";
		size_t nl = strlen(nm), vl = strlen(v);
		char *p = ar_chars(c, nl + 1 + vl + 1);

		if (p == NULL)
			return -1;
		for (size_t j = 0; j <= nl; j++)
			p[j] = lower_names ? (char)lc((unsigned char)nm[j]) : nm[j];
		memcpy(p + nl + 1, v, vl + 1);
		d[i].name = p;
		d[i].value = p + nl + 1;
		d[i].type = s[i].type;
		k[i].name_len = (uint32_t)nl;
		k[i].value_len = (uint32_t)vl;
		k[i].re = NULL;
		if (s[i].type == GW_ROUTE_VALUE_REGEX) {
			k[i].re = re_compile(c, v, lower_names ? "header" : "query parameter", lname,
				rs, rule);
			if (k[i].re == NULL)
				return -1;
		}
	}
	return 0;
}

static const struct gw_route_match_spec default_match = {
	.path_type = GW_ROUTE_PATH_PREFIX,
	.path = "/",
};

static struct cmatch *
compile_match(struct bctx *c, const struct gw_route_match_spec *s, const struct gw_route_rule *rule,
	unsigned int midx, const char *lname, const struct gw_route_route_spec *rs)
{
	const char *path = s->path != NULL ? s->path : "/";
	size_t plen = strlen(path);
	struct cmatch *m = ar_alloc(c, sizeof(*m) + plen + 1);

	if (m == NULL)
		return NULL;
	m->rule = rule;
	m->match_index = midx;
	m->path_type = s->path_type;
	memcpy(m->buf, path, plen + 1);
	m->path_len = (uint32_t)plen;
	m->key_len = m->path_len;
	switch (s->path_type) {
	case GW_ROUTE_PATH_PREFIX:
		if (m->key_len > 0 && path[m->key_len - 1] == '/')
			m->key_len--;
		break;
	case GW_ROUTE_PATH_EXACT:
		break;
	case GW_ROUTE_PATH_REGEX:
		m->path_re = re_compile(c, path, "path", lname, rs, rule->rule_index);
		if (m->path_re == NULL)
			return NULL;
		break;
	default:
		seterr(c, "listener %s route %s/%s rule %u: unknown path match type %d", lname,
			rule->route_ns, rule->route_name, rule->rule_index, (int)s->path_type);
		return NULL;
	}
	m->key_hash = path_hash(m->buf, m->key_len);
	if (ar_str(c, s->method, &m->method) != 0)
		return NULL;
	m->method_len = s->method != NULL ? (uint32_t)strlen(s->method) : 0;
	m->n_headers = s->n_headers;
	m->n_query = s->n_query;
	if (s->n_headers != 0 || s->n_query != 0) {
		/* Headers then query parameters, one array of each kind. */
		size_t n = (size_t)s->n_headers + s->n_query;
		struct gw_route_kv_match *d = ar_array(c, n, sizeof(*d));
		struct ckv *k = ar_array(c, n, sizeof(*k));

		if (d == NULL || k == NULL ||
			compile_kvs(c, s->n_headers, s->headers, true, d, k, lname, rs,
				rule->rule_index) != 0 ||
			compile_kvs(c, s->n_query, s->query, false, d + s->n_headers,
				k + s->n_headers, lname, rs, rule->rule_index) != 0)
			return NULL;
		m->kv = d;
		m->ck = k;
	}
	return m;
}

/* ---- precedence ---- */

/* Byte order of "ns/name" without building the strings. */
static int
cmp_nsname(const char *ns1, const char *n1, const char *ns2, const char *n2)
{
	const char *a = ns1, *b = ns2;
	int pa = 0, pb = 0;        /* 0: in ns, 1: the '/', 2: in name */

	for (;;) {
		unsigned char ca, cb;

		if (pa == 0 && *a == '\0')
			pa = 1;
		if (pb == 0 && *b == '\0')
			pb = 1;
		ca = pa == 1 ? '/' : (unsigned char)*a;
		cb = pb == 1 ? '/' : (unsigned char)*b;
		if (ca != cb)
			return ca < cb ? -1 : 1;
		if (ca == '\0')
			return 0;
		if (pa == 1) {
			pa = 2;
			a = n1;
		} else {
			a++;
		}
		if (pb == 1) {
			pb = 2;
			b = n2;
		} else {
			b++;
		}
	}
}

/*
 * Sort key: precedence compares integers only. For a match, k0 and k1 are
 * what comes before the route (path type, path length, method, header and
 * query counts) and pos its place in (route created, "ns/name", rule,
 * match, build order), ranked once per listener; idx says which match.
 */
struct skey {
	uint64_t k0;
	uint64_t k1;
	uint32_t pos;
	uint32_t idx;
};

static inline bool
skey_lt(const struct skey *a, const struct skey *b)
{
	if (a->k0 != b->k0)
		return a->k0 < b->k0;
	if (a->k1 != b->k1)
		return a->k1 < b->k1;
	if (a->pos != b->pos)
		return a->pos < b->pos;
	return a->idx < b->idx;
}

/*
 * Merge sort (insertion-sorted runs of 16, then bottom-up merges, already
 * ordered neighbours copied); @tmp holds @n keys. Returns @a or @tmp,
 * whichever holds the result.
 */
static struct skey *
skey_sort(struct skey *a, struct skey *tmp, size_t n)
{
	struct skey *src = a, *dst = tmp, *sw;

	for (size_t lo = 0; lo < n; lo += 16) {
		size_t hi = lo + 16 < n ? lo + 16 : n;

		for (size_t i = lo + 1; i < hi; i++) {
			struct skey x = a[i];
			size_t j = i;

			while (j > lo && skey_lt(&x, &a[j - 1])) {
				a[j] = a[j - 1];
				j--;
			}
			a[j] = x;
		}
	}
	for (size_t w = 16; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;

			if (mid == hi || !skey_lt(&src[mid], &src[mid - 1])) {
				memcpy(&dst[lo], &src[lo], (hi - lo) * sizeof(*src));
				continue;
			}
			while (i < mid && j < hi)
				dst[k++] = skey_lt(&src[j], &src[i]) ? src[j++] : src[i++];
			memcpy(&dst[k], &src[i], (mid - i) * sizeof(*src));
			k += mid - i;
			memcpy(&dst[k], &src[j], (hi - j) * sizeof(*src));
		}
		sw = src;
		src = dst;
		dst = sw;
	}
	return src;
}

static uint64_t
type_rank(enum gw_route_path_type t)
{
	switch (t) {
	case GW_ROUTE_PATH_EXACT:
		return 0;
	case GW_ROUTE_PATH_PREFIX:
		return 1;
	default:
		return 2;
	}
}

/*
 * Exact before PathPrefix before RegularExpression; longer Exact /
 * PathPrefix value first; method first; more headers, more query
 * parameters first (complements: smaller is first).
 */
static void
match_key(const struct cmatch *m, struct skey *k)
{
	uint64_t tr = type_rank(m->path_type);

	k->k0 = tr << 62 | (uint64_t)(tr == 2 ? 0 : ~m->path_len) << 30 |
		(uint64_t)(m->method == NULL) << 29;
	k->k1 = (uint64_t)(uint32_t)~m->n_headers << 32 | (uint32_t)~m->n_query;
}

/* Routes with the same creation time, by "ns/name", then spec order. */
struct rtie {
	const char *ns;
	const char *name;
	uint32_t idx;
};

static int
rtie_cmp(const void *x, const void *y)
{
	const struct rtie *a = x, *b = y;
	int r = cmp_nsname(a->ns, a->name, b->ns, b->name);

	if (r != 0)
		return r;
	return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

struct hsel {
	uint32_t cls;
	uint32_t labels;
	const char *name;
	uint32_t idx;
	struct vhost *vh;
};

static int
hsel_cmp(const void *x, const void *y)
{
	const struct hsel *a = x, *b = y;
	int r;

	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->labels != b->labels)
		return a->labels > b->labels ? -1 : 1;
	if (a->name != NULL && b->name != NULL) {
		r = strcmp(a->name, b->name);
		if (r != 0)
			return r;
	}
	return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

/* ---- building ---- */

/* What grouping by path key needs of a match, packed (the builder's copy). */
struct minfo {
	uint32_t hash;             /* cmatch key_hash */
	uint32_t key_len;
	uint32_t type;
};

/* Scratch of build_vindex(), sized for the largest virtual host. */
struct vscratch {
	uint32_t *slot;            /* run + 1, 0: empty */
	uint32_t *rid;             /* match -> run */
	uint32_t *rfirst;          /* run -> its first match, then its start in runs[] */
	uint32_t *rcur;            /* run -> size, then fill cursor */
};

/*
 * @vl: the vhost's matches (indices into @cms) in precedence order, Exact
 * first, then PathPrefix. Groups them by key into runs[] (precedence kept
 * inside a run, runs in order of first appearance) and hashes each key once.
 */
static int
build_vindex(struct bctx *c, struct vhost *v, const uint32_t *vl, const struct cmatch **cms,
	const struct minfo *mi, struct vscratch *x)
{
	uint32_t nk = v->n_exact + v->n_prefix;
	uint32_t cap, mask, nr = 0, ne = 0, off = 0;
	const struct cmatch **runs;

	if (nk == 0)
		return 0;
	cap = pow2_cap(nk);
	mask = cap - 1;
	memset(x->slot, 0, cap * sizeof(*x->slot));
	for (uint32_t i = 0; i < nk; i++) {
		const struct minfo *m = &mi[vl[i]];

		for (uint32_t j = mix(m->hash) & mask;; j = (j + 1) & mask) {
			uint32_t s = x->slot[j];
			const struct minfo *o;

			if (s == 0) {
				x->slot[j] = nr + 1;
				x->rfirst[nr] = i;
				x->rcur[nr] = 0;
				x->rid[i] = nr++;
				ne += m->type == GW_ROUTE_PATH_EXACT;
				break;
			}
			o = &mi[vl[x->rfirst[s - 1]]];
			if (o->hash == m->hash && o->type == m->type && o->key_len == m->key_len &&
				memcmp(cms[vl[x->rfirst[s - 1]]]->buf, cms[vl[i]]->buf, m->key_len) == 0) {
				x->rid[i] = s - 1;
				break;
			}
		}
		x->rcur[x->rid[i]]++;
	}
	runs = ar_array(c, nk, sizeof(*runs));
	if (runs == NULL ||
		(ne != 0 && ar_htab(c, &v->exact, ne) != 0) ||
		(nr - ne != 0 && ar_htab(c, &v->prefix, nr - ne) != 0))
		return -1;
	for (uint32_t r = 0; r < nr; r++) {
		uint32_t k = vl[x->rfirst[r]];

		htab_put(mi[k].type == GW_ROUTE_PATH_EXACT ? &v->exact : &v->prefix, cms[k]->buf,
			mi[k].hash, off);
		if (mi[k].type == GW_ROUTE_PATH_EXACT)
			v->exact_lens |= 1ull << (mi[k].key_len & 63);
		else
			v->prefix_lens |= 1ull << (mi[k].key_len & 63);
		x->rfirst[r] = off;
		off += x->rcur[r];
		x->rcur[r] = x->rfirst[r];
	}
	for (uint32_t i = 0; i < nk; i++)
		runs[x->rcur[x->rid[i]]++] = cms[vl[i]];
	v->runs = runs;
	return 0;
}

/* Temporaries of one listener's build, freed together. */
struct lbuild {
	uint32_t nm;               /* matches */
	const struct cmatch **cms; /* every match of every route, by route */
	struct minfo *mi;          /* the same */
	uint32_t *mr;              /* match -> route */
	uint32_t *rm_off;          /* route r: cms[rm_off[r], rm_off[r + 1]) */
	struct skey *keys;         /* per match, then the sort's buffer */
	uint32_t *rv;              /* distinct vhost (temporary index) per route */
	uint32_t *rv_off;
	struct hsel *vt;           /* vhosts, temporary index order */
	uint32_t *rank;            /* temporary index -> selection position */
	struct htab names;         /* temporary index by name */
	uint32_t *vcnt;            /* per vhost (selection order): matches, then fill cursor */
	uint32_t *vl;              /* per vhost, its matches: vl[voff[v], voff[v + 1]) */
	uint32_t *voff;
	uint32_t *vs;              /* vscratch, 4 arrays */
	char *host;                /* lower-case hostname being looked up */
	size_t host_cap;
};

static void
lbuild_free(struct lbuild *b)
{
	free(b->cms);
	free(b->mi);
	free(b->mr);
	free(b->rm_off);
	free(b->keys);
	free(b->rv);
	free(b->rv_off);
	free(b->vt);
	free(b->rank);
	free(b->names.slot);
	free(b->vcnt);
	free(b->vl);
	free(b->voff);
	free(b->vs);
	free(b->host);
}

/* A rule without matches has one: PathPrefix "/". */
static unsigned int
rule_matches(const struct gw_route_rule_spec *ru)
{
	return ru->n_matches ? ru->n_matches : 1;
}

/* Counts, and the temporaries sized by them. */
static int
lbuild_alloc(struct bctx *c, struct lbuild *b, const struct gw_route_listener_spec *ls,
	const char *lname)
{
	size_t nm = 0;

	b->rm_off = malloc(((size_t)ls->n_routes + 1) * sizeof(*b->rm_off));
	if (b->rm_off == NULL) {
		seterr(c, "out of memory");
		return -1;
	}
	for (unsigned int r = 0; r < ls->n_routes; r++) {
		b->rm_off[r] = (uint32_t)nm;
		for (unsigned int i = 0; i < ls->routes[r].n_rules; i++)
			nm += rule_matches(&ls->routes[r].rules[i]);
		if (nm > UINT32_MAX / 4) {
			seterr(c, "listener %s: too many matches", lname);
			return -1;
		}
	}
	b->rm_off[ls->n_routes] = (uint32_t)nm;
	b->nm = (uint32_t)nm;
	b->cms = malloc((nm + 1) * sizeof(*b->cms));
	b->mi = malloc((nm + 1) * sizeof(*b->mi));
	b->mr = malloc((nm + 1) * sizeof(*b->mr));
	b->keys = malloc(2 * (nm + 1) * sizeof(*b->keys));
	if (b->cms == NULL || b->mi == NULL || b->mr == NULL || b->keys == NULL) {
		seterr(c, "out of memory");
		return -1;
	}
	return 0;
}

/* Route tie groups (same created and "ns/name") whose matches interleave. */
static int
rank_group(struct bctx *c, struct lbuild *b, const struct gw_route_listener_spec *ls,
	const uint32_t *order, uint32_t n, uint32_t *pos)
{
	size_t nm = 0, k = 0;
	struct skey *g, *s;

	for (uint32_t i = 0; i < n; i++)
		nm += b->rm_off[order[i] + 1] - b->rm_off[order[i]];
	g = malloc(2 * (nm + 1) * sizeof(*g));
	if (g == NULL) {
		seterr(c, "out of memory");
		return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct gw_route_route_spec *rs = &ls->routes[order[i]];
		uint32_t m = b->rm_off[order[i]];

		for (unsigned int ri = 0; ri < rs->n_rules; ri++)
			for (unsigned int j = 0; j < rule_matches(&rs->rules[ri]); j++, m++)
				g[k++] = (struct skey){ .k0 = (uint64_t)ri << 32 | j, .pos = m, .idx = m };
	}
	s = skey_sort(g, g + nm, nm);
	for (size_t i = 0; i < nm; i++)
		b->keys[s[i].idx].pos = (*pos)++;
	free(g);
	return 0;
}

/*
 * keys[].pos of every match: routes ordered by (created, "ns/name", spec
 * order) once, so that precedence compares integers; routes equal in both
 * are one group whose matches interleave by (rule, match, build order).
 */
static int
lbuild_rank(struct bctx *c, struct lbuild *b, const struct gw_route_listener_spec *ls)
{
	uint32_t nr = ls->n_routes, pos = 0;
	struct skey *rk, *sorted;
	struct rtie *ties;
	uint32_t *order;
	int rc = -1;

	rk = malloc(2 * ((size_t)nr + 1) * sizeof(*rk));
	order = malloc(((size_t)nr + 1) * sizeof(*order));
	ties = malloc(((size_t)nr + 1) * sizeof(*ties));
	if (rk == NULL || order == NULL || ties == NULL) {
		seterr(c, "out of memory");
		goto out;
	}
	for (uint32_t r = 0; r < nr; r++)
		rk[r] = (struct skey){ .k0 = (uint64_t)ls->routes[r].created ^ (1ull << 63),
			.pos = r, .idx = r };
	sorted = skey_sort(rk, rk + nr, nr);
	for (uint32_t i = 0, j; i < nr; i = j) {
		for (j = i + 1; j < nr && sorted[j].k0 == sorted[i].k0; j++)
			;
		/* Only routes created in the same second compare names. */
		for (uint32_t k = i; k < j; k++) {
			const struct gw_route_route_spec *rs = &ls->routes[sorted[k].idx];

			ties[k] = (struct rtie){ .ns = rs->ns != NULL ? rs->ns : "",
				.name = rs->name != NULL ? rs->name : "", .idx = sorted[k].idx };
		}
		if (j - i > 1)
			qsort(&ties[i], j - i, sizeof(*ties), rtie_cmp);
		for (uint32_t k = i; k < j;) {
			uint32_t e = k + 1;

			while (e < j && cmp_nsname(ties[e].ns, ties[e].name, ties[k].ns,
				ties[k].name) == 0)
				e++;
			if (e - k == 1) {
				uint32_t r = ties[k].idx;

				for (uint32_t m = b->rm_off[r]; m < b->rm_off[r + 1]; m++)
					b->keys[m].pos = pos++;
			} else {
				for (uint32_t q = k; q < e; q++)
					order[q - k] = ties[q].idx;
				if (rank_group(c, b, ls, order, e - k, &pos) != 0)
					goto out;
			}
			k = e;
		}
	}
	rc = 0;
out:
	free(rk);
	free(order);
	free(ties);
	return rc;
}

static int
lbuild_routes(struct bctx *c, struct lbuild *b, const struct gw_route_listener_spec *ls,
	const char *lname)
{
	uint32_t k = 0;

	for (unsigned int r = 0; r < ls->n_routes; r++) {
		const struct gw_route_route_spec *rs = &ls->routes[r];
		struct gw_route_rule *rules = NULL;
		const char *ns, *name;

		if (ar_str(c, rs->ns != NULL ? rs->ns : "", &ns) != 0 ||
			ar_str(c, rs->name != NULL ? rs->name : "", &name) != 0)
			return -1;
		if (rs->n_rules != 0) {
			rules = ar_array(c, rs->n_rules, sizeof(*rules));
			if (rules == NULL)
				return -1;
		}
		for (unsigned int i = 0; i < rs->n_rules; i++) {
			const struct gw_route_rule_spec *ru = &rs->rules[i];
			unsigned int n = rule_matches(ru);

			if (compile_rule(c, &rules[i], ru, ns, name, i) != 0)
				return -1;
			for (unsigned int j = 0; j < n; j++) {
				const struct gw_route_match_spec *ms =
					ru->n_matches ? &ru->matches[j] : &default_match;
				const struct cmatch *m = compile_match(c, ms, &rules[i], j, lname, rs);

				if (m == NULL)
					return -1;
				/* While it is in cache: what sorting and grouping need. */
				match_key(m, &b->keys[k]);
				b->keys[k].idx = k;
				b->mi[k] = (struct minfo){ .hash = m->key_hash, .key_len = m->key_len,
					.type = m->path_type };
				b->mr[k] = r;
				b->cms[k++] = m;
			}
		}
	}
	return 0;
}

static int
lbuild_vhosts(struct bctx *c, struct lbuild *b, const struct gw_route_listener_spec *ls,
	uint32_t *nv)
{
	size_t nh = 0;
	uint32_t k = 0;

	*nv = 0;
	for (unsigned int r = 0; r < ls->n_routes; r++)
		nh += ls->routes[r].n_hostnames ? ls->routes[r].n_hostnames : 1;
	if (nh > UINT32_MAX / 4) {
		seterr(c, "too many hostnames");
		return -1;
	}
	b->rv = malloc((nh + 1) * sizeof(*b->rv));
	b->rv_off = malloc((ls->n_routes + 1) * sizeof(*b->rv_off));
	b->vt = malloc((nh + 1) * sizeof(*b->vt));
	b->names.mask = pow2_cap((uint32_t)nh) - 1;
	b->names.slot = calloc((size_t)b->names.mask + 1, sizeof(*b->names.slot));
	b->host_cap = HOST_MAX + 2;
	b->host = malloc(b->host_cap);
	if (b->rv == NULL || b->rv_off == NULL || b->vt == NULL || b->names.slot == NULL ||
		b->host == NULL) {
		seterr(c, "out of memory");
		return -1;
	}
	for (unsigned int r = 0; r < ls->n_routes; r++) {
		const struct gw_route_route_spec *rs = &ls->routes[r];
		unsigned int n = rs->n_hostnames ? rs->n_hostnames : 1;

		b->rv_off[r] = k;
		for (unsigned int i = 0; i < n; i++) {
			const char *s = rs->n_hostnames ? rs->hostnames[i] : NULL;
			size_t len = s == NULL ? 0 : strlen(s);
			uint32_t h = FNV_OFF, idx;
			const struct hslot *hs;
			bool dup = false;

			/* As ar_host(): lower case, no trailing '.', "*" is any. */
			if (len > 0 && s[len - 1] == '.')
				len--;
			if (len == 1 && s[0] == '*')
				len = 0;
			if (len >= b->host_cap) {
				char *nb = realloc(b->host, len + 1);

				if (nb == NULL) {
					seterr(c, "out of memory");
					return -1;
				}
				b->host = nb;
				b->host_cap = len + 1;
			}
			for (size_t j = len; j-- > 0;) {
				b->host[j] = (char)lc((unsigned char)s[j]);
				h = host_step(h, b->host[j]);
			}
			b->host[len] = '\0';
			hs = htab_find(&b->names, b->host, len, h);
			if (hs != NULL) {
				idx = hs->a;
			} else {
				struct vhost *vh = ar_alloc_al(c, sizeof(*vh) + len + 1, 64);

				if (vh == NULL)
					return -1;
				memcpy(vh->buf, b->host, len + 1);
				vh->name = vh->buf;
				vh->len = (uint32_t)len;
				idx = *nv;
				b->vt[idx] = (struct hsel){ .cls = host_class(vh->buf, vh->len),
					.labels = labels(vh->buf, vh->len), .name = vh->buf, .idx = idx,
					.vh = vh };
				htab_put(&b->names, vh->buf, h, idx);
				(*nv)++;
			}
			/* A hostname listed twice must not add the route's matches twice. */
			for (uint32_t j = b->rv_off[r]; j < k; j++)
				dup |= b->rv[j] == idx;
			if (!dup)
				b->rv[k++] = idx;
		}
	}
	b->rv_off[ls->n_routes] = k;
	return 0;
}

/*
 * The matches in precedence order, into @out: keys with the same (k0, k1)
 * are a class (few: path lengths times condition counts), classes are
 * sorted, and the matches, taken in pos order, are placed by class.
 * Linear in the matches but for sorting the classes.
 */
static int
prec_order(struct bctx *c, struct lbuild *b, uint32_t *out)
{
	uint32_t nm = b->nm, ncls = 0, cap = pow2_cap(nm), mask = cap - 1;
	uint32_t *inv = malloc(((size_t)nm + 1) * sizeof(*inv));
	uint32_t *cls = malloc(((size_t)nm + 1) * sizeof(*cls));
	uint32_t *slot = calloc(cap, sizeof(*slot));
	struct skey *ck = b->keys + nm; /* the sort buffer half: class keys */
	struct skey *sorted;
	uint32_t *off = NULL;
	int rc = -1;

	if (inv == NULL || cls == NULL || slot == NULL) {
		seterr(c, "out of memory");
		goto out;
	}
	for (uint32_t k = 0; k < nm; k++) {
		const struct skey *key = &b->keys[k];
		uint32_t h = mix((uint32_t)(key->k0 >> 29) ^ (uint32_t)(key->k0 >> 61) * FNV_PRIME ^
			(uint32_t)key->k1 * 0x9e3779b1u ^ (uint32_t)(key->k1 >> 32));

		inv[key->pos] = k;
		for (uint32_t j = h & mask;; j = (j + 1) & mask) {
			uint32_t sl = slot[j];

			if (sl == 0) {
				slot[j] = ncls + 1;
				ck[ncls] = (struct skey){ .k0 = key->k0, .k1 = key->k1, .pos = 0,
					.idx = ncls };
				cls[k] = ncls++;
				break;
			}
			if (ck[sl - 1].k0 == key->k0 && ck[sl - 1].k1 == key->k1) {
				cls[k] = sl - 1;
				break;
			}
		}
		ck[cls[k]].pos++;          /* the class's size, for now */
	}
	/* The class keys move into keys[0, ncls): every match key is read. */
	memmove(b->keys, ck, ncls * sizeof(*ck));
	ck = b->keys;
	off = malloc(((size_t)ncls + 1) * sizeof(*off));
	if (off == NULL) {
		seterr(c, "out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < ncls; i++)
		off[i] = ck[i].pos;        /* size by class id */
	for (uint32_t i = 0; i < ncls; i++)
		ck[i].pos = 0;
	sorted = skey_sort(ck, ck + ncls, ncls);
	for (uint32_t i = 0, o = 0, n; i < ncls; i++) {
		n = off[sorted[i].idx];
		off[sorted[i].idx] = o;
		o += n;
	}
	for (uint32_t p = 0; p < nm; p++) {
		uint32_t k = inv[p];

		out[off[cls[k]]++] = k;
	}
	rc = 0;
out:
	free(inv);
	free(cls);
	free(slot);
	free(off);
	return rc;
}

static int
build_listener(struct bctx *c, struct lst *l, const struct gw_route_listener_spec *ls)
{
	struct lbuild b = { 0 };
	struct vscratch x;
	uint32_t nv = 0, nex = 0, nwild = 0, maxn = 0, nr = ls->n_routes;
	size_t np = 0;
	uint32_t *prec = NULL;
	int rc = -1;

	if (lbuild_alloc(c, &b, ls, l->pub.name) != 0 || lbuild_rank(c, &b, ls) != 0 ||
		lbuild_routes(c, &b, ls, l->pub.name) != 0 || lbuild_vhosts(c, &b, ls, &nv) != 0)
		goto out;
	if (nv == 0) {
		rc = 0;
		goto out;
	}
	qsort(b.vt, nv, sizeof(*b.vt), hsel_cmp);
	b.rank = malloc(nv * sizeof(*b.rank));
	b.vcnt = calloc(nv, sizeof(*b.vcnt));
	b.voff = malloc((nv + 1) * sizeof(*b.voff));
	l->vhosts = ar_array(c, nv, sizeof(*l->vhosts));
	if (b.rank == NULL || b.vcnt == NULL || b.voff == NULL || l->vhosts == NULL) {
		seterr(c, "out of memory");
		goto out;
	}
	l->n_vhosts = nv;
	for (uint32_t i = 0; i < nv; i++) {
		b.rank[b.vt[i].idx] = i;
		l->vhosts[i] = b.vt[i].vh;
		nex += b.vt[i].cls == 0;
		nwild += b.vt[i].cls == 1;
	}
	/* rv[] in selection order from here on. */
	for (uint32_t i = 0; i < b.rv_off[nr]; i++)
		b.rv[i] = b.rank[b.rv[i]];
	for (uint32_t r = 0; r < nr; r++)
		for (uint32_t v = b.rv_off[r]; v < b.rv_off[r + 1]; v++)
			b.vcnt[b.rv[v]] += b.rm_off[r + 1] - b.rm_off[r];
	for (uint32_t v = 0; v < nv; v++) {
		b.voff[v] = (uint32_t)np;
		np += b.vcnt[v];
		maxn = b.vcnt[v] > maxn ? b.vcnt[v] : maxn;
		b.vcnt[v] = b.voff[v];
	}
	b.voff[nv] = (uint32_t)np;
	if (np > UINT32_MAX) {
		seterr(c, "listener %s: too many matches", l->pub.name);
		goto out;
	}
	b.vl = malloc((np + 1) * sizeof(*b.vl));
	b.vs = malloc(((size_t)pow2_cap(maxn) + 3 * (size_t)maxn) * sizeof(*b.vs));
	if (b.vl == NULL || b.vs == NULL) {
		seterr(c, "out of memory");
		goto out;
	}
	/* One precedence order; each vhost takes the matches of its routes in it. */
	prec = malloc(((size_t)b.nm + 1) * sizeof(*prec));
	if (prec == NULL) {
		seterr(c, "out of memory");
		goto out;
	}
	if (prec_order(c, &b, prec) != 0)
		goto out;
	for (uint32_t i = 0; i < b.nm; i++) {
		uint32_t k = prec[i], r = b.mr[k];

		for (uint32_t v = b.rv_off[r]; v < b.rv_off[r + 1]; v++)
			b.vl[b.vcnt[b.rv[v]]++] = k;
	}
	x.slot = b.vs;
	x.rid = x.slot + pow2_cap(maxn);
	x.rfirst = x.rid + maxn;
	x.rcur = x.rfirst + maxn;
	if ((nex != 0 && ar_htab(c, &l->vh_exact, nex) != 0) ||
		(nwild != 0 && ar_htab(c, &l->vh_wild, nwild) != 0))
		goto out;
	for (uint32_t v = 0; v < nv; v++) {
		struct vhost *vh = l->vhosts[v];
		const uint32_t *vl = &b.vl[b.voff[v]];

		vh->n = b.voff[v + 1] - b.voff[v];
		if (vh->n != 0) {
			const struct cmatch **o = ar_array(c, vh->n, sizeof(*o));

			if (o == NULL)
				goto out;
			for (uint32_t i = 0; i < vh->n; i++) {
				o[i] = b.cms[vl[i]];
				vh->n_exact += b.mi[vl[i]].type == GW_ROUTE_PATH_EXACT;
				vh->n_prefix += b.mi[vl[i]].type == GW_ROUTE_PATH_PREFIX;
			}
			vh->order = o;
		}
		if (build_vindex(c, vh, vl, b.cms, b.mi, &x) != 0)
			goto out;
		switch (host_class(vh->name, vh->len)) {
		case 0:
			htab_put(&l->vh_exact, vh->name, host_hash(vh->name, vh->len), v);
			break;
		case 1:
			htab_put(&l->vh_wild, vh->name + 2, host_hash(vh->name + 2, vh->len - 2), v);
			break;
		default:
			l->vh_any = vh;
			break;
		}
	}
	rc = 0;
out:
	free(prec);
	lbuild_free(&b);
	return rc;
}

static int
build_group(struct bctx *c, struct grp *g, const struct gw_route_group_spec *gs)
{
	struct hsel *sel;
	uint32_t n = gs->n_listeners, nex = 0, nwild = 0;
	int rc = -1;

	g->id = gs->id;
	g->family = gs->family;
	memcpy(g->vip, gs->vip, sizeof(g->vip));
	g->port = gs->port;
	g->n_lst = n;
	if (n == 0)
		return 0;
	g->lst = ar_array(c, n, sizeof(*g->lst));
	sel = malloc(n * sizeof(*sel));
	if (g->lst == NULL || sel == NULL) {
		free(sel);
		seterr(c, "out of memory");
		return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len;
		const char *h = ar_host(c, gs->listeners[i].hostname, &len);

		if (h == NULL)
			goto out;
		/* name NULL: equal hostnames keep spec order. */
		sel[i] = (struct hsel){ .cls = host_class(h, len), .labels = labels(h, len),
			.name = NULL, .idx = i };
		/* Parked here until placed in selection order below. */
		g->lst[i].pub.hostname = h;
	}
	qsort(sel, n, sizeof(*sel), hsel_cmp);
	for (uint32_t i = 0; i < n; i++) {
		sel[i].name = g->lst[sel[i].idx].pub.hostname;
		nex += sel[i].cls == 0;
		nwild += sel[i].cls == 1;
	}
	if ((nex != 0 && ar_htab(c, &g->l_exact, nex) != 0) ||
		(nwild != 0 && ar_htab(c, &g->l_wild, nwild) != 0))
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		const struct gw_route_listener_spec *ls = &gs->listeners[sel[i].idx];
		struct lst *l = &g->lst[i];
		const char *h = sel[i].name;
		uint32_t len = (uint32_t)strlen(h), hash;

		memset(l, 0, sizeof(*l));
		l->pub.hostname = h;
		l->pub.https = ls->https;
		l->pub.port = gs->port;
		if (ar_str(c, ls->name != NULL ? ls->name : "", &l->pub.name) != 0)
			goto out;
		if (build_listener(c, l, ls) != 0)
			goto out;
		/* Indistinct listeners are the translator's error: the first one wins. */
		switch (sel[i].cls) {
		case 0:
			hash = host_hash(h, len);
			if (htab_find(&g->l_exact, h, len, hash) == NULL)
				htab_put(&g->l_exact, h, hash, i);
			break;
		case 1:
			hash = host_hash(h + 2, len - 2);
			if (htab_find(&g->l_wild, h + 2, len - 2, hash) == NULL)
				htab_put(&g->l_wild, h + 2, hash, i);
			break;
		default:
			if (g->l_any == NULL)
				g->l_any = l;
			break;
		}
	}
	rc = 0;
out:
	free(sel);
	return rc;
}

/*
 * Roughly what the table will take (strings guessed, not measured), so
 * that a large table lands in one block. Short: more blocks follow.
 */
static size_t
table_estimate(const struct gw_route_table_spec *spec)
{
	size_t n = sizeof(struct gw_route_table) + 64;

	for (unsigned int g = 0; g < spec->n_groups; g++) {
		const struct gw_route_group_spec *gs = &spec->groups[g];

		n += sizeof(struct grp) + 64;
		for (unsigned int l = 0; l < gs->n_listeners; l++) {
			const struct gw_route_listener_spec *ls = &gs->listeners[l];

			n += sizeof(struct lst) + 128;
			for (unsigned int r = 0; r < ls->n_routes; r++) {
				const struct gw_route_route_spec *rs = &ls->routes[r];

				/*
				 * Routes only, not their rules (a second pass over the
				 * spec costs more than a guess): a rule as one match,
				 * one backend with one endpoint.
				 */
				n += 32 + (size_t)rs->n_hostnames * 24 + (size_t)rs->n_rules *
					(sizeof(struct gw_route_rule) + sizeof(struct gw_route_backend) +
						24 + sizeof(struct gw_route_endpoint) +
						(sizeof(struct cmatch) + 16 + 16 + 24) *
							(rs->n_hostnames > 1 ? rs->n_hostnames : 1));
			}
		}
	}
	return n;
}

struct gw_route_table *
gw_route_table_build(const struct gw_route_table_spec *spec, char *err, size_t errlen)
{
	struct gw_route_table *t;
	struct bctx c = { .err = err, .errlen = errlen };
	uint32_t n;
	size_t est;

	if (err != NULL && errlen != 0)
		err[0] = '\0';
	if (spec == NULL) {
		seterr(&c, "no spec");
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		seterr(&c, "out of memory");
		return NULL;
	}
	c.t = t;
	t->next_blk = AR_BLK_MIN;
	est = table_estimate(spec);
	if (est > AR_BLK_MIN)
		t->next_blk = est;
	t->bytes = sizeof(*t);
	n = spec->n_groups;
	t->n_groups = n;
	if (n != 0) {
		uint32_t cap = pow2_cap(n);

		t->groups = ar_array(&c, n, sizeof(*t->groups));
		t->gslot = ar_array(&c, cap, sizeof(*t->gslot));
		if (t->groups == NULL || t->gslot == NULL)
			goto fail;
		t->gmask = cap - 1;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t id = spec->groups[i].id, j;

		if (group_find(t, id) != NULL) {
			seterr(&c, "duplicate group id %u", id);
			goto fail;
		}
		if (build_group(&c, &t->groups[i], &spec->groups[i]) != 0)
			goto fail;
		for (j = mix(id) & t->gmask; t->gslot[j] != 0; j = (j + 1) & t->gmask)
			;
		t->gslot[j] = i + 1;
	}
	return t;
fail:
	gw_route_table_free(t);
	return NULL;
}

void
gw_route_table_free(struct gw_route_table *t)
{
	struct ar_blk *b, *nb;

	if (t == NULL)
		return;
	for (struct re_node *r = t->regexes; r != NULL; r = r->next)
		regfree(&r->re);
	for (b = t->blk; b != NULL; b = nb) {
		nb = b->next;
		if (b->mapped != 0)
			munmap(b, b->mapped);
		else
			free(b);
	}
	free(t);
}

size_t
gw_route_table_size(const struct gw_route_table *t)
{
	return t == NULL ? 0 : t->bytes;
}
