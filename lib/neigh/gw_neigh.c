/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_errno.h>

#include "gw_common.h"
#include "gw_neigh.h"

struct gw_neigh_entry {
	struct gw_neigh_key key;
	struct rte_ether_addr mac;
	uint8_t state;
	uint8_t probes;         /* solicitations sent since the last confirmation */
	uint16_t n_held;
	uint64_t confirmed;     /* last confirmation (or creation) */
	uint64_t used;          /* last transmit through it */
	uint64_t next_probe;    /* earliest next solicitation */
	struct rte_mbuf *held[GW_NEIGH_HOLD];
};

struct gw_neigh_table {
	struct rte_hash *h;
	struct gw_neigh_entry *e;       /* indexed by rte_hash key position */
	uint32_t capacity;
	uint32_t count;
	uint32_t evict_iter;            /* rte_hash_iterate cursor of evict_one() */
	struct gw_neigh_params p;
	struct gw_neigh_ops ops;
	void *arg;
};

struct gw_neigh_table *
gw_neigh_create(const char *name, uint32_t capacity, int socket,
	const struct gw_neigh_params *params, const struct gw_neigh_ops *ops, void *arg)
{
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = capacity,
		.key_len = sizeof(struct gw_neigh_key),
		.hash_func = rte_jhash,
		.socket_id = socket,
		/* Without the extension table colliding keys fail before capacity. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct gw_neigh_table *t;

	t = rte_zmalloc_socket(name, sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL)
		return NULL;
	t->h = rte_hash_create(&hp);
	if (t->h == NULL)
		goto fail;
	/* rte_hash may return positions up to its internal capacity. */
	t->capacity = capacity;
	t->e = rte_zmalloc_socket(name, sizeof(*t->e) * (rte_hash_max_key_id(t->h) + 1),
		RTE_CACHE_LINE_SIZE, socket);
	if (t->e == NULL)
		goto fail;
	t->p = *params;
	t->ops = *ops;
	t->arg = arg;
	return t;
fail:
	rte_hash_free(t->h);
	rte_free(t);
	rte_errno = ENOMEM;
	return NULL;
}

static void
entry_drop_held(struct gw_neigh_table *t, struct gw_neigh_entry *e, bool count)
{
	for (uint16_t i = 0; i < e->n_held; i++) {
		if (count)
			t->ops.drop(t->arg, e->held[i]);
		else
			rte_pktmbuf_free(e->held[i]);
	}
	e->n_held = 0;
}

void
gw_neigh_free(struct gw_neigh_table *t)
{
	if (t == NULL)
		return;
	for (int32_t i = 0; i <= rte_hash_max_key_id(t->h); i++)
		if (t->e[i].state != GW_NEIGH_FREE)
			entry_drop_held(t, &t->e[i], false);
	rte_hash_free(t->h);
	rte_free(t->e);
	rte_free(t);
}

void
gw_neigh_set_params(struct gw_neigh_table *t, const struct gw_neigh_params *params)
{
	t->p = *params;
}

static struct gw_neigh_entry *
entry_find(struct gw_neigh_table *t, const struct gw_neigh_key *k)
{
	int32_t pos = rte_hash_lookup(t->h, k);

	return pos < 0 ? NULL : &t->e[pos];
}

static void entry_del(struct gw_neigh_table *t, struct gw_neigh_entry *e, bool count_drops);

/*
 * Full table: evict the least recently used STALE entry among the next
 * GW_NEIGH_EVICT_SAMPLE entries (a rotating cursor keeps this O(sample)),
 * so a flood of requests cannot lock real neighbours out for good.
 */
#define GW_NEIGH_EVICT_SAMPLE 64

static bool
evict_one(struct gw_neigh_table *t)
{
	struct gw_neigh_entry *victim = NULL;
	const void *key;
	void *data;
	int32_t pos;

	for (int i = 0; i < GW_NEIGH_EVICT_SAMPLE; i++) {
		pos = rte_hash_iterate(t->h, &key, &data, &t->evict_iter);
		if (pos < 0) {
			t->evict_iter = 0;
			pos = rte_hash_iterate(t->h, &key, &data, &t->evict_iter);
			if (pos < 0)
				break;
		}
		if (t->e[pos].state == GW_NEIGH_STALE &&
				(victim == NULL || t->e[pos].used < victim->used))
			victim = &t->e[pos];
	}
	if (victim == NULL)
		return false;
	entry_del(t, victim, false);
	return true;
}

static struct gw_neigh_entry *
entry_add(struct gw_neigh_table *t, const struct gw_neigh_key *k, uint64_t now)
{
	struct gw_neigh_entry *e;
	int32_t pos;

	if (t->count >= t->capacity && !evict_one(t))
		return NULL;
	pos = rte_hash_add_key(t->h, k);
	if (pos < 0)
		return NULL;
	e = &t->e[pos];
	memset(e, 0, sizeof(*e));
	e->key = *k;
	e->confirmed = now;
	e->used = now;
	t->count++;
	return e;
}

static void
entry_del(struct gw_neigh_table *t, struct gw_neigh_entry *e, bool count_drops)
{
	entry_drop_held(t, e, count_drops);
	rte_hash_del_key(t->h, &e->key);
	e->state = GW_NEIGH_FREE;
	t->count--;
}

static void
solicit(struct gw_neigh_table *t, struct gw_neigh_entry *e, uint64_t now)
{
	e->probes++;
	e->next_probe = now + t->p.retrans;
	t->ops.solicit(t->arg, &e->key);
}

int
gw_neigh_resolve(struct gw_neigh_table *t, const struct gw_neigh_key *k, uint64_t now,
	struct rte_mbuf *m, struct rte_ether_addr *mac)
{
	struct gw_neigh_entry *e = entry_find(t, k);

	if (likely(e != NULL && e->state != GW_NEIGH_INCOMPLETE)) {
		e->used = now;
		if (e->state == GW_NEIGH_REACHABLE && now - e->confirmed > t->p.reachable)
			e->state = GW_NEIGH_STALE;
		/* A stale entry keeps working while we ask again (RFC 4861 §7.3.3). */
		if (e->state == GW_NEIGH_STALE && (int64_t)(now - e->next_probe) >= 0)
			solicit(t, e, now);
		*mac = e->mac;
		return GW_NEIGH_SEND;
	}
	if (e == NULL) {
		e = entry_add(t, k, now);
		if (e == NULL)
			return -ENOSPC;
		e->state = GW_NEIGH_INCOMPLETE;
		e->held[e->n_held++] = m;
		solicit(t, e, now);
		return GW_NEIGH_HELD;
	}
	if (e->n_held >= GW_NEIGH_HOLD)
		return -ENOBUFS;
	e->held[e->n_held++] = m;
	return GW_NEIGH_HELD;
}

int
gw_neigh_update(struct gw_neigh_table *t, const struct gw_neigh_key *k,
	const struct rte_ether_addr *mac, uint64_t now, unsigned int flags,
	struct rte_mbuf **released)
{
	struct gw_neigh_entry *e = entry_find(t, k);
	bool solicited = flags & GW_NEIGH_F_SOLICITED;
	int n = 0;

	if (e == NULL) {
		if (!(flags & GW_NEIGH_F_CREATE))
			return 0;
		e = entry_add(t, k, now);
		if (e == NULL)
			return -ENOSPC;
		/* Unconfirmed (RFC 4861 §7.2.3): usable, asked again only later. */
		e->mac = *mac;
		e->state = GW_NEIGH_STALE;
		e->next_probe = now + t->p.reachable;
		return 0;
	}
	if (e->state == GW_NEIGH_INCOMPLETE) {
		e->mac = *mac;
		e->state = solicited ? GW_NEIGH_REACHABLE : GW_NEIGH_STALE;
		e->confirmed = now;
		e->probes = 0;
		e->next_probe = solicited ? now : now + t->p.reachable;
		n = e->n_held;
		if (n > 0) {
			memcpy(released, e->held, sizeof(*released) * (size_t)n);
			e->n_held = 0;
		}
		return n;
	}
	if (!rte_is_same_ether_addr(&e->mac, mac)) {
		if (!(flags & GW_NEIGH_F_OVERRIDE)) {
			if (e->state == GW_NEIGH_REACHABLE)
				e->state = GW_NEIGH_STALE;
			return 0;
		}
		e->mac = *mac;
		e->state = solicited ? GW_NEIGH_REACHABLE : GW_NEIGH_STALE;
		e->probes = 0;
		e->confirmed = now;
		e->next_probe = solicited ? now : now + t->p.reachable;
		return 0;
	}
	if (solicited) {
		e->state = GW_NEIGH_REACHABLE;
		e->confirmed = now;
		e->probes = 0;
		e->next_probe = now;
	}
	return 0;
}

void
gw_neigh_age(struct gw_neigh_table *t, uint64_t now)
{
	const void *key;
	void *data;
	uint32_t iter = 0;
	int32_t pos;

	/* Deleting the current key while iterating is allowed by rte_hash. */
	while ((pos = rte_hash_iterate(t->h, &key, &data, &iter)) >= 0) {
		struct gw_neigh_entry *e = &t->e[pos];

		switch (e->state) {
		case GW_NEIGH_INCOMPLETE:
			if ((int64_t)(now - e->next_probe) < 0)
				break;
			if (e->probes >= t->p.max_probes)
				entry_del(t, e, true);
			else
				solicit(t, e, now);
			break;
		case GW_NEIGH_REACHABLE:
			if (now - e->confirmed > t->p.reachable)
				e->state = GW_NEIGH_STALE;
			break;
		case GW_NEIGH_STALE:
			if (now - e->used > t->p.stale_gc)
				entry_del(t, e, false);
			else if (e->probes >= t->p.max_probes &&
					(int64_t)(now - e->next_probe) >= 0)
				entry_del(t, e, false);
			break;
		default:
			break;
		}
	}
}

uint32_t
gw_neigh_dump(const struct gw_neigh_table *t, uint64_t now, struct gw_neigh_info *out,
	uint32_t max)
{
	const void *key;
	void *data;
	uint32_t iter = 0, n = 0;
	int32_t pos;

	while (n < max && (pos = rte_hash_iterate(t->h, &key, &data, &iter)) >= 0) {
		const struct gw_neigh_entry *e = &t->e[pos];

		out[n].key = e->key;
		out[n].mac = e->mac;
		out[n].state = e->state;
		if (e->state == GW_NEIGH_REACHABLE && now - e->confirmed > t->p.reachable)
			out[n].state = GW_NEIGH_STALE;
		out[n].held = e->n_held;
		out[n].age = now - e->confirmed;
		n++;
	}
	return n;
}

uint32_t
gw_neigh_count(const struct gw_neigh_table *t)
{
	return t->count;
}

const char *
gw_neigh_state_name(uint8_t state)
{
	switch (state) {
	case GW_NEIGH_INCOMPLETE:
		return "incomplete";
	case GW_NEIGH_REACHABLE:
		return "reachable";
	case GW_NEIGH_STALE:
		return "stale";
	default:
		return "free";
	}
}
