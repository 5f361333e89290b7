/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L4 services and weighted Maglev tables (see gw_lb.h).
 *
 * Everything that decides which endpoint owns a slot depends only on the
 * endpoints' keys and weights, never on their order in the input or on
 * the host's byte order, so every gateway node behind ECMP builds the
 * same table from the same backends.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "gw_lb.h"

#define LB_KEY_LEN      19 /* family, 16 address bytes, port */
#define LB_SEED_OFFSET  0x6a09e667f3bcc908ULL
#define LB_SEED_SKIP    0xbb67ae8584caa73bULL
#define LB_HASH_MIN_CAP 16u

/* murmur3's finaliser: every input bit affects every output bit. */
static inline uint64_t
lb_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Big-endian load, so that the hash is the same on every host. */
static uint64_t
lb_load_be64(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/*
 * The endpoint's identity as bytes. IPv4 keeps only its 4 bytes (the rest
 * of addr[] may be anything) so that stray bytes never change the table.
 */
static void
lb_ep_key(const struct gw_lb_endpoint *ep, uint8_t key[LB_KEY_LEN])
{
	memset(key, 0, LB_KEY_LEN);
	key[0] = ep->family == AF_INET ? 4 : ep->family == AF_INET6 ? 6 : (uint8_t)ep->family;
	memcpy(&key[1], ep->addr, ep->family == AF_INET ? 4 : 16);
	key[17] = (uint8_t)(ep->port >> 8);
	key[18] = (uint8_t)ep->port;
}

static uint64_t
lb_key_hash(const uint8_t key[LB_KEY_LEN], uint64_t seed)
{
	uint64_t h = seed;

	h = lb_mix64(h ^ lb_load_be64(&key[1], 8));
	h = lb_mix64(h ^ lb_load_be64(&key[9], 8));
	h = lb_mix64(h ^ lb_load_be64(&key[17], 2) ^ ((uint64_t)key[0] << 56));
	return h;
}

int
gw_lb_is_prime(uint32_t n)
{
	uint64_t d;

	if (n < 2)
		return 0;
	if (n % 2 == 0)
		return n == 2;
	for (d = 3; d * d <= n; d += 2)
		if (n % d == 0)
			return 0;
	return 1;
}

/* ---- Maglev ---- */

struct lb_mg_ep {
	uint8_t key[LB_KEY_LEN];
	uint32_t weight;
	uint32_t idx;      /* in the caller's array: what the LUT holds */
	uint64_t pos;      /* next slot of its permutation to try */
	uint32_t skip;
	uint32_t claims;   /* slots claimed so far */
};

static int
lb_mg_cmp(const void *a, const void *b)
{
	const struct lb_mg_ep *x = a, *y = b;
	int c = memcmp(x->key, y->key, LB_KEY_LEN);

	if (c != 0)
		return c;
	if (x->weight != y->weight)
		return x->weight < y->weight ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Whose turn comes first: endpoint e takes its k-th turn (from 0) at time
 * (k + 1/2) / w_e, so over any stretch each takes turns in proportion to
 * its weight (stride scheduling); the half stride rounds each count to
 * the nearest, where starting everyone at 0 would give each light endpoint
 * an extra slot at the heavy ones' expense. Ties go to the lower key,
 * which keeps the result independent of input order. 128-bit products:
 * claims and weights may both approach 2^32.
 */
static bool
lb_mg_before(const struct lb_mg_ep *e, uint32_t a, uint32_t b)
{
	unsigned __int128 ta = (unsigned __int128)(2 * (uint64_t)e[a].claims + 1) * e[b].weight;
	unsigned __int128 tb = (unsigned __int128)(2 * (uint64_t)e[b].claims + 1) * e[a].weight;

	return ta < tb || (ta == tb && a < b);
}

static void
lb_heap_down(const struct lb_mg_ep *e, uint32_t *heap, uint32_t n, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i, tmp;

		if (l < n && lb_mg_before(e, heap[l], heap[m]))
			m = l;
		if (r < n && lb_mg_before(e, heap[r], heap[m]))
			m = r;
		if (m == i)
			return;
		tmp = heap[i];
		heap[i] = heap[m];
		heap[m] = tmp;
		i = m;
	}
}

int
gw_lb_maglev_build(const struct gw_lb_endpoint *eps, unsigned int n, uint32_t size,
	uint16_t *lut)
{
	struct lb_mg_ep *e;
	uint32_t *heap, i, live = 0, filled;

	if (!gw_lb_is_prime(size) || n > 65535 || lut == NULL || (n > 0 && eps == NULL))
		return -EINVAL;
	for (i = 0; i < size; i++)
		lut[i] = GW_LB_NONE;
	for (i = 0; i < n; i++)
		live += eps[i].weight > 0;
	if (live == 0)
		return 0;

	e = calloc(live, sizeof(*e));
	heap = malloc(live * sizeof(*heap));
	if (e == NULL || heap == NULL) {
		free(e);
		free(heap);
		return -ENOMEM;
	}
	live = 0;
	for (i = 0; i < n; i++) {
		if (eps[i].weight == 0)
			continue;
		lb_ep_key(&eps[i], e[live].key);
		e[live].weight = eps[i].weight;
		e[live].idx = i;
		live++;
	}
	qsort(e, live, sizeof(*e), lb_mg_cmp);
	for (i = 0; i < live; i++) {
		e[i].pos = lb_key_hash(e[i].key, LB_SEED_OFFSET) % size;
		e[i].skip = (uint32_t)(lb_key_hash(e[i].key, LB_SEED_SKIP) % (size - 1) + 1);
		heap[i] = i;
	}
	for (i = live / 2; i-- > 0;)
		lb_heap_down(e, heap, live, i);

	for (filled = 0; filled < size; filled++) {
		struct lb_mg_ep *x = &e[heap[0]];

		/* size is prime and 0 < skip < size: the walk visits every slot. */
		while (lut[x->pos] != GW_LB_NONE) {
			x->pos += x->skip;
			if (x->pos >= size)
				x->pos -= size;
		}
		lut[x->pos] = (uint16_t)x->idx;
		x->claims++;
		lb_heap_down(e, heap, live, 0);
	}
	free(heap);
	free(e);
	return 0;
}

/* ---- services ---- */

struct gw_lb_table {
	unsigned int n;
	struct gw_lb_service *svc;
	uint32_t hash_mask;
	uint32_t *hash;    /* service index + 1; 0 empty */
	size_t bytes;
};

static unsigned int
lb_addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static uint32_t
lb_svc_hash(uint8_t proto, int family, const uint8_t *vip, uint16_t port)
{
	uint64_t a = 0, b = 0, h;

	if (family == AF_INET) {
		memcpy(&a, vip, 4);
	} else {
		memcpy(&a, vip, 8);
		memcpy(&b, vip + 8, 8);
	}
	h = a ^ lb_mix64(b ^ ((uint64_t)proto << 40 | (uint64_t)(uint8_t)family << 32 | port));
	return (uint32_t)lb_mix64(h);
}

static bool
lb_svc_eq(const struct gw_lb_service *s, uint8_t proto, int family, const uint8_t *vip,
	uint16_t port)
{
	return s->proto == proto && s->family == family && s->port == port &&
		memcmp(s->vip, vip, lb_addr_len(family)) == 0;
}

static void __attribute__((format(printf, 3, 4)))
lb_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const char *
lb_name(const char *name)
{
	return name != NULL ? name : "(unnamed)";
}

static void
lb_svc_desc(const struct gw_lb_service *s, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(s->family, s->vip, a, sizeof(a));
	snprintf(buf, len, "%s %s%s%s:%u", s->proto == IPPROTO_TCP ? "tcp" : "udp",
		s->family == AF_INET6 ? "[" : "", a, s->family == AF_INET6 ? "]" : "", s->port);
}

void
gw_lb_table_free(struct gw_lb_table *t)
{
	unsigned int i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n && t->svc != NULL; i++) {
		free((void *)(uintptr_t)t->svc[i].name);
		free((void *)(uintptr_t)t->svc[i].endpoints);
		free((void *)(uintptr_t)t->svc[i].lut);
	}
	free(t->svc);
	free(t->hash);
	free(t);
}

/* Copy one spec into @s; the LUT only if some endpoint has weight. */
static int
lb_svc_copy(struct gw_lb_service *s, const struct gw_lb_service_spec *sp, size_t *bytes,
	char *err, size_t errlen)
{
	struct gw_lb_endpoint *eps = NULL;
	uint32_t size = sp->maglev_size != 0 ? sp->maglev_size : GW_LB_MAGLEV_SIZE;
	uint16_t *lut = NULL;
	unsigned int i;
	bool live = false;
	int rc;

	s->id = sp->id;
	s->proto = sp->proto;
	s->family = sp->family;
	memcpy(s->vip, sp->vip, lb_addr_len(sp->family));
	s->port = sp->port;
	if (sp->name != NULL) {
		s->name = strdup(sp->name);
		if (s->name == NULL)
			goto nomem;
		*bytes += strlen(sp->name) + 1;
	}
	if (!gw_lb_is_prime(size) || sp->n_endpoints > 65535) {
		lb_err(err, errlen, "service %s: %s", lb_name(sp->name),
			sp->n_endpoints > 65535 ? "more than 65535 endpoints" :
			"Maglev table size is not prime");
		return -EINVAL;
	}
	if (sp->n_endpoints > 0) {
		if (sp->endpoints == NULL) {
			lb_err(err, errlen, "service %s: no endpoint array", lb_name(sp->name));
			return -EINVAL;
		}
		eps = malloc(sp->n_endpoints * sizeof(*eps));
		if (eps == NULL)
			goto nomem;
		memcpy(eps, sp->endpoints, sp->n_endpoints * sizeof(*eps));
		s->endpoints = eps;
		s->n_endpoints = sp->n_endpoints;
		*bytes += sp->n_endpoints * sizeof(*eps);
	}
	for (i = 0; i < sp->n_endpoints; i++) {
		if (eps[i].family != AF_INET && eps[i].family != AF_INET6) {
			lb_err(err, errlen, "service %s: endpoint %u: bad address family %d",
				lb_name(sp->name), i, eps[i].family);
			return -EINVAL;
		}
		live |= eps[i].weight > 0;
	}
	/* Nothing to pick from: maglev_size 0 makes gw_lb_pick() say NULL without a LUT. */
	if (!live)
		return 0;
	lut = malloc((size_t)size * sizeof(*lut));
	if (lut == NULL)
		goto nomem;
	s->lut = lut;
	rc = gw_lb_maglev_build(eps, sp->n_endpoints, size, lut);
	if (rc < 0)
		goto nomem; /* arguments were checked above: only -ENOMEM is left */
	s->maglev_size = size;
	*bytes += (size_t)size * sizeof(*lut);
	return 0;
nomem:
	lb_err(err, errlen, "service %s: out of memory", lb_name(sp->name));
	return -ENOMEM;
}

/* Insert service @i; -EEXIST if its (proto, family, VIP, port) is taken. */
static int
lb_hash_add(struct gw_lb_table *t, unsigned int i, char *err, size_t errlen)
{
	const struct gw_lb_service *s = &t->svc[i];
	uint32_t h = lb_svc_hash(s->proto, s->family, s->vip, s->port) & t->hash_mask;
	char desc[80];

	while (t->hash[h] != 0) {
		const struct gw_lb_service *o = &t->svc[t->hash[h] - 1];

		if (lb_svc_eq(o, s->proto, s->family, s->vip, s->port)) {
			lb_svc_desc(s, desc, sizeof(desc));
			lb_err(err, errlen, "service %s: %s is already used by service %s",
				lb_name(s->name), desc, lb_name(o->name));
			return -EEXIST;
		}
		h = (h + 1) & t->hash_mask;
	}
	t->hash[h] = i + 1;
	return 0;
}

struct gw_lb_table *
gw_lb_table_build(const struct gw_lb_service_spec *specs, unsigned int n, char *err,
	size_t errlen)
{
	struct gw_lb_table *t;
	uint32_t cap = LB_HASH_MIN_CAP;
	unsigned int i;
	int rc = -ENOMEM;

	lb_err(err, errlen, "%s", "");
	if (n > 0 && specs == NULL) {
		lb_err(err, errlen, "no service array");
		errno = EINVAL;
		return NULL;
	}
	/* At most half full, so that a miss ends after a short probe. */
	while (cap < 2 * (uint64_t)n) {
		if (cap >= (1u << 31)) {
			lb_err(err, errlen, "too many services (%u)", n);
			errno = EINVAL;
			return NULL;
		}
		cap <<= 1;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		goto nomem;
	t->hash = calloc(cap, sizeof(*t->hash));
	t->svc = calloc(n > 0 ? n : 1, sizeof(*t->svc));
	if (t->hash == NULL || t->svc == NULL)
		goto nomem;
	t->hash_mask = cap - 1;
	t->bytes = sizeof(*t) + cap * sizeof(*t->hash) + n * sizeof(*t->svc);

	for (i = 0; i < n; i++) {
		const struct gw_lb_service_spec *sp = &specs[i];

		/* Counted before the copy so that free() sees what was half built. */
		t->n = i + 1;
		if (sp->proto != IPPROTO_TCP && sp->proto != IPPROTO_UDP) {
			lb_err(err, errlen, "service %s: protocol %u is neither TCP nor UDP",
				lb_name(sp->name), sp->proto);
			rc = -EINVAL;
			goto fail;
		}
		if (sp->family != AF_INET && sp->family != AF_INET6) {
			lb_err(err, errlen, "service %s: bad address family %d", lb_name(sp->name),
				sp->family);
			rc = -EINVAL;
			goto fail;
		}
		rc = lb_svc_copy(&t->svc[i], sp, &t->bytes, err, errlen);
		if (rc < 0)
			goto fail;
		rc = lb_hash_add(t, i, err, errlen);
		if (rc < 0)
			goto fail;
	}
	return t;
nomem:
	lb_err(err, errlen, "out of memory");
fail:
	gw_lb_table_free(t);
	errno = -rc;
	return NULL;
}

size_t
gw_lb_table_size(const struct gw_lb_table *t)
{
	return t != NULL ? t->bytes : 0;
}

unsigned int
gw_lb_table_count(const struct gw_lb_table *t)
{
	return t != NULL ? t->n : 0;
}

const struct gw_lb_service *
gw_lb_table_at(const struct gw_lb_table *t, unsigned int i)
{
	return t != NULL && i < t->n ? &t->svc[i] : NULL;
}

const struct gw_lb_service *
gw_lb_lookup(const struct gw_lb_table *t, uint8_t proto, int family, const void *vip,
	uint16_t port)
{
	uint32_t h, idx;

	if (family != AF_INET && family != AF_INET6)
		return NULL;
	h = lb_svc_hash(proto, family, vip, port) & t->hash_mask;
	/* Never full (load at most 1/2), so an empty slot always ends the probe. */
	while ((idx = t->hash[h]) != 0) {
		const struct gw_lb_service *s = &t->svc[idx - 1];

		if (lb_svc_eq(s, proto, family, vip, port))
			return s;
		h = (h + 1) & t->hash_mask;
	}
	return NULL;
}
