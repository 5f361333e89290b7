/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiled route table: its layout and the helpers that both the compiler
 * (gw_route.c) and the matcher (gw_route_match.c) need. Internal to
 * lib/route. What the lookup calls is static inline so that splitting the
 * two sides costs gw_route_match() nothing.
 *
 * Lookups go through small immutable open-addressing hash tables at every
 * level (group id, listener hostname, virtual host name, exact path, path
 * prefix), so their cost depends on the request and on how many matches
 * share its path, never on the size of the table.
 */
#ifndef GW_ROUTE_INT_H
#define GW_ROUTE_INT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gw_route.h"

/* A DNS name is at most 253 characters: longer Hosts only match "any". */
#define HOST_MAX     253
#define FNV_OFF      2166136261u
#define FNV_PRIME    16777619u

struct ar_blk {
	struct ar_blk *next;
	size_t size;
	size_t used;
	size_t mapped;             /* 0: calloc'ed; else mmap'ed, this many bytes */
	max_align_t data[];
};

struct re_node {
	regex_t re;
	struct re_node *next;
};

/*
 * 16 bytes, four to a cache line. key NULL: empty slot. Keys live inside
 * what they map to (a vhost's or a match's buf[]), so that comparing one
 * touches memory the lookup needs next anyway; a: an index (listener,
 * vhost, or the start of a run of matches in vhost->runs).
 */
struct hslot {
	const char *key;
	uint32_t hash;
	uint32_t a;
};

struct htab {
	uint32_t mask;
	struct hslot *slot;        /* NULL: empty table */
};

/* Per header / query match: what the hot path needs beside the spec copy. */
struct ckv {
	uint32_t name_len;
	uint32_t value_len;
	const regex_t *re;
};

/*
 * Cache-line aligned; the lookup reads it all: the hash table key points
 * to buf[], right after key_len. What only the build needs (created,
 * "ns/name", build order) stays in the builder's temporaries.
 */
struct cmatch {
	const struct gw_route_rule *rule;
	const regex_t *path_re;
	const char *method;
	const struct gw_route_kv_match *kv; /* n_headers headers, then n_query parameters */
	const struct ckv *ck;      /* the same, what the lookup needs beside */
	uint32_t method_len;
	unsigned int n_headers;
	unsigned int n_query;
	unsigned int match_index;
	enum gw_route_path_type path_type;
	uint32_t path_len;
	uint32_t key_hash;         /* path_hash(buf, key_len) */
	uint32_t key_len;          /* PathPrefix: without its trailing '/' */
	char buf[];                /* the path, as given */
};

struct vhost {
	const char *name;          /* buf */
	uint32_t len;
	/* Bit (length % 64) of every key: most probes end here, without a miss. */
	uint64_t exact_lens;
	uint64_t prefix_lens;
	uint32_t n;                /* matches, in order[] */
	uint32_t n_exact;          /* order[0, n_exact) are Exact */
	uint32_t n_prefix;         /* then PathPrefix, then RegularExpression */
	const struct cmatch **order;
	const struct cmatch **runs; /* Exact and PathPrefix grouped by key */
	struct htab exact;         /* path -> run starting at runs[a] */
	struct htab prefix;        /* prefix without trailing '/' -> run at runs[a] */
	char buf[];
};

struct lst {
	struct gw_route_listener pub;
	uint32_t n_vhosts;
	struct vhost **vhosts;     /* selection order */
	struct htab vh_exact;      /* name -> vhosts[a] */
	struct htab vh_wild;       /* suffix after "*." -> vhosts[a] */
	const struct vhost *vh_any;
};

struct grp {
	uint32_t id;
	int family;
	uint8_t vip[16];
	uint16_t port;
	uint32_t n_lst;
	struct lst *lst;           /* selection order */
	struct htab l_exact;
	struct htab l_wild;
	const struct lst *l_any;
};

struct gw_route_table {
	struct ar_blk *blk;
	size_t next_blk;
	size_t bytes;
	struct re_node *regexes;
	uint32_t n_groups;
	struct grp *groups;        /* spec order */
	uint32_t gmask;
	uint32_t *gslot;           /* index + 1 into groups[], 0: empty */
};

/* ---- helpers shared by the build and the lookup ---- */

static inline unsigned char
lc(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* Hostnames hash backwards so that one pass yields every suffix's hash. */
static inline uint32_t
host_step(uint32_t h, char c)
{
	return (h ^ lc((unsigned char)c)) * FNV_PRIME;
}

/* Paths hash forwards so that one pass yields every prefix's hash. */
static inline uint32_t
path_step(uint32_t h, char c)
{
	return (h ^ (unsigned char)c) * FNV_PRIME;
}

static inline uint32_t
mix(uint32_t h)
{
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h;
}

/* @key (NUL-terminated) equals @s[0, len) ignoring case; never reads past its NUL. */
static inline bool
eq_key(const char *key, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (key[i] == '\0' || lc((unsigned char)key[i]) != lc((unsigned char)s[i]))
			return false;
	return key[len] == '\0';
}

/* Hostname tables: NUL-terminated lower-case keys, any-case @key. */
static inline const struct hslot *
htab_find(const struct htab *h, const char *key, size_t len, uint32_t hash)
{
	if (h->slot == NULL)
		return NULL;
	for (uint32_t i = mix(hash) & h->mask;; i = (i + 1) & h->mask) {
		const struct hslot *s = &h->slot[i];

		if (s->key == NULL)
			return NULL;
		if (s->hash == hash && eq_key(s->key, key, len))
			return s;
	}
}

static inline bool
is_wild(const char *s, uint32_t len)
{
	return len >= 2 && s[0] == '*' && s[1] == '.';
}

static inline const struct grp *
group_find(const struct gw_route_table *t, uint32_t id)
{
	if (t->gslot == NULL)
		return NULL;
	for (uint32_t i = mix(id) & t->gmask;; i = (i + 1) & t->gmask) {
		uint32_t s = t->gslot[i];

		if (s == 0)
			return NULL;
		if (t->groups[s - 1].id == id)
			return &t->groups[s - 1];
	}
}

#endif /* GW_ROUTE_INT_H */
