/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "gw_flow.h"


static const uint32_t key_len[GW_FLOW_N_FAM] = {
	sizeof(struct gw_flow_key4), sizeof(struct gw_flow_key6)
};

static const uint8_t state_class[GW_FLOW_N_STATE] = {
	[GW_FLOW_FREE] = GW_FLOW_C_TIME_WAIT,
	[GW_FLOW_TCP_SYN_SENT] = GW_FLOW_C_SYN,
	[GW_FLOW_TCP_SYN_RECV] = GW_FLOW_C_SYN,
	[GW_FLOW_TCP_ESTABLISHED] = GW_FLOW_C_ESTABLISHED,
	[GW_FLOW_TCP_FIN_WAIT] = GW_FLOW_C_CLOSING,
	[GW_FLOW_TCP_TIME_WAIT] = GW_FLOW_C_TIME_WAIT,
	[GW_FLOW_TCP_CLOSED] = GW_FLOW_C_TIME_WAIT,
	[GW_FLOW_UDP] = GW_FLOW_C_UDP,
};

static const char *const state_names[GW_FLOW_N_STATE] = {
	[GW_FLOW_FREE] = "free",
	[GW_FLOW_TCP_SYN_SENT] = "syn-sent",
	[GW_FLOW_TCP_SYN_RECV] = "syn-recv",
	[GW_FLOW_TCP_ESTABLISHED] = "established",
	[GW_FLOW_TCP_FIN_WAIT] = "fin-wait",
	[GW_FLOW_TCP_TIME_WAIT] = "time-wait",
	[GW_FLOW_TCP_CLOSED] = "closed",
	[GW_FLOW_UDP] = "udp",
};

enum gw_flow_class
gw_flow_state_class(enum gw_flow_state s)
{
	return s < GW_FLOW_N_STATE ? (enum gw_flow_class)state_class[s] : GW_FLOW_C_TIME_WAIT;
}

const char *
gw_flow_state_name(enum gw_flow_state s)
{
	return s < GW_FLOW_N_STATE ? state_names[s] : "?";
}

uint32_t
gw_flow_hash(enum gw_flow_fam fam, const union gw_flow_key *k)
{
	return rte_hash_crc(k, key_len[fam], 0);
}

/* Bytes allocated on @socket's heap (SOCKET_ID_ANY: this thread's socket, as rte_malloc picks). */
static size_t
heap_allocated(int socket)
{
	struct rte_malloc_socket_stats st;

	if (socket == SOCKET_ID_ANY) {
		socket = (int)rte_socket_id();
		if (socket == SOCKET_ID_ANY)
			socket = 0;
	}
	if (rte_malloc_get_socket_stats(socket, &st) != 0)
		return 0;
	return st.heap_allocsz_bytes;
}

static struct rte_hash *
make_hash(const char *name, const char *dir, enum gw_flow_fam fam, uint32_t cap, int socket)
{
	char hname[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = hname,
		.entries = cap,
		.key_len = key_len[fam],
		.hash_func = rte_hash_crc,
		.hash_func_init_val = 0,
		.socket_id = socket,
		/* Extendable buckets: an insert fails only when the table is full. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	snprintf(hname, sizeof(hname), "%s_%s%c", name, dir, fam == GW_FLOW_V4 ? '4' : '6');
	return rte_hash_create(&hp);
}

/*
 * Learn where @h keeps its keys: insert three keys with data, read their
 * addresses back with the official (slow) call and check they sit at
 * base + position * stride, each right after its data word. rte_hash
 * keeps keys in one array of {data, key} indexed by position, so this
 * holds; should a DPDK release change that, the check fails and the table
 * falls back to the official calls.
 */
static void
probe_key_store(struct rte_hash *h, enum gw_flow_fam fam, struct gw_flow_keys *ks)
{
	union gw_flow_key k[3];
	int32_t pos[3];
	const uint8_t *addr[3];
	int64_t stride = 0;
	bool ok = true;

	ks->base = NULL;
	ks->stride = 0;
	memset(k, 0, sizeof(k));
	for (int i = 0; i < 3; i++) {
		void *key;

		k[i].v4.sport = (uint16_t)(0xfff0 + i);
		pos[i] = rte_hash_add_key_data(h, &k[i], (void *)(uintptr_t)(0x5eed0 + i)) == 0 ?
			rte_hash_lookup(h, &k[i]) : -1;
		if (pos[i] < 0 || rte_hash_get_key_with_position(h, pos[i], &key) != 0 ||
				memcmp(key, &k[i], key_len[fam]) != 0)
			ok = false;
		else
			addr[i] = key;
	}
	if (ok && pos[1] != pos[0]) {
		stride = (addr[1] - addr[0]) / (pos[1] - pos[0]);
		ok = stride >= (int64_t)key_len[fam] &&
			(addr[1] - addr[0]) % (pos[1] - pos[0]) == 0;
		for (int i = 0; ok && i < 3; i++)
			ok = addr[i] == addr[0] + (pos[i] - pos[0]) * stride;
		/* Each key's data word sits right before it (struct rte_hash_key). */
		for (int i = 0; ok && i < 3; i++) {
			uintptr_t d;

			memcpy(&d, addr[i] - sizeof(d), sizeof(d));
			ok = d == (uintptr_t)(0x5eed0 + i);
		}
	} else {
		ok = false;
	}
	if (ok) {
		ks->base = addr[0] - (int64_t)pos[0] * stride;
		ks->stride = (uint32_t)stride;
	}
	rte_hash_reset(h);
}

struct gw_flow_table *
gw_flow_table_create(const char *name, uint32_t capacity, int socket)
{
	struct gw_flow_table *t;
	uint32_t cap = capacity < 64 ? 64 : rte_align32pow2(capacity);

	if (capacity > (1u << 31)) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket("gw_flow_table", sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->capacity = cap;
	for (int f = 0; f < GW_FLOW_N_FAM; f++) {
		struct gw_flow_fam_tab *ft = &t->fam[f];
		size_t before = heap_allocated(socket);

		ft->fwd = make_hash(name, "f", (enum gw_flow_fam)f, cap, socket);
		ft->rev = make_hash(name, "r", (enum gw_flow_fam)f, cap, socket);
		ft->rec = rte_zmalloc_socket("gw_flow_rec", (size_t)cap * sizeof(struct gw_flow),
			RTE_CACHE_LINE_SIZE, socket);
		if (ft->fwd == NULL || ft->rev == NULL || ft->rec == NULL) {
			gw_flow_table_free(t);
			rte_errno = ENOMEM;
			return NULL;
		}
		ft->memory = heap_allocated(socket) - before;
		probe_key_store(ft->fwd, (enum gw_flow_fam)f, &ft->fkeys);
		probe_key_store(ft->rev, (enum gw_flow_fam)f, &ft->rkeys);
		for (int c = 0; c < GW_FLOW_N_CLASS; c++)
			ft->head[c] = ft->tail[c] = GW_FLOW_NIL;
	}
	return t;
}

void
gw_flow_table_free(struct gw_flow_table *t)
{
	if (t == NULL)
		return;
	for (int f = 0; f < GW_FLOW_N_FAM; f++) {
		rte_hash_free(t->fam[f].fwd);
		rte_hash_free(t->fam[f].rev);
		rte_free(t->fam[f].rec);
	}
	rte_free(t);
}

uint32_t
gw_flow_capacity(const struct gw_flow_table *t)
{
	return t == NULL ? 0 : t->capacity;
}

uint32_t
gw_flow_count(const struct gw_flow_table *t, enum gw_flow_fam fam)
{
	return t->fam[fam].count;
}

size_t
gw_flow_memory(const struct gw_flow_table *t, enum gw_flow_fam fam)
{
	return t->fam[fam].memory;
}

int
gw_flow_find_fwd(struct gw_flow_table *t, enum gw_flow_fam fam, const union gw_flow_key *k,
	uint32_t hash)
{
	int32_t pos = rte_hash_lookup_with_hash(t->fam[fam].fwd, k, hash);

	return pos < 0 ? -ENOENT : pos;
}

int
gw_flow_find_rev(struct gw_flow_table *t, enum gw_flow_fam fam, const union gw_flow_key *k,
	uint32_t hash)
{
	void *data;
	int32_t pos = rte_hash_lookup_with_hash_data(t->fam[fam].rev, k, hash, &data);

	return pos < 0 ? -ENOENT : (int)(uintptr_t)data;
}

bool
gw_flow_rev_exists(struct gw_flow_table *t, enum gw_flow_fam fam, const union gw_flow_key *k,
	uint32_t hash)
{
	return rte_hash_lookup_with_hash(t->fam[fam].rev, k, hash) >= 0;
}

const union gw_flow_key *
gw_flow_key_lookup(struct rte_hash *h, uint32_t pos)
{
	void *key;

	if (rte_hash_get_key_with_position(h, (int32_t)pos, &key) != 0)
		return NULL;
	return key;
}

/* ---- class lists ---- */

static void
list_append(struct gw_flow_fam_tab *ft, uint32_t idx)
{
	struct gw_flow *f = &ft->rec[idx];
	uint8_t c = f->cls;

	f->next = GW_FLOW_NIL;
	f->prev = ft->tail[c];
	if (ft->tail[c] == GW_FLOW_NIL)
		ft->head[c] = idx;
	else
		ft->rec[ft->tail[c]].next = idx;
	ft->tail[c] = idx;
}

static void
list_unlink(struct gw_flow_fam_tab *ft, uint32_t idx)
{
	struct gw_flow *f = &ft->rec[idx];
	uint8_t c = f->cls;

	if (f->prev == GW_FLOW_NIL)
		ft->head[c] = f->next;
	else
		ft->rec[f->prev].next = f->next;
	if (f->next == GW_FLOW_NIL)
		ft->tail[c] = f->prev;
	else
		ft->rec[f->next].prev = f->prev;
	f->prev = f->next = GW_FLOW_NIL;
}

/* Seen since it was put on its list? (Times wrap: compare by difference.) */
static inline bool
touched(const struct gw_flow *f)
{
	return (int32_t)(f->seen - f->qtime) > 0;
}

/* Queue a flow seen since it was queued at the back, as of @now. */
static void
requeue(struct gw_flow_fam_tab *ft, uint32_t idx, uint32_t now)
{
	struct gw_flow *f = &ft->rec[idx];

	list_unlink(ft, idx);
	/* Never earlier than its last packet: it must read untouched afterwards. */
	f->qtime = (int32_t)(f->seen - now) > 0 ? f->seen : now;
	list_append(ft, idx);
}

void
gw_flow_delete(struct gw_flow_table *t, enum gw_flow_fam fam, uint32_t idx)
{
	struct gw_flow_fam_tab *ft = &t->fam[fam];
	const union gw_flow_key *key;
	union gw_flow_key k;

	if (ft->rec[idx].state == GW_FLOW_FREE)
		return;
	/* Copy each key out first: deleting frees its slot. */
	key = gw_flow_rev_key(t, fam, idx);
	if (key != NULL) {
		memcpy(&k, key, key_len[fam]);
		rte_hash_del_key_with_hash(ft->rev, &k, gw_flow_hash(fam, &k));
	}
	key = gw_flow_fwd_key(t, fam, idx);
	if (key != NULL) {
		memcpy(&k, key, key_len[fam]);
		rte_hash_del_key_with_hash(ft->fwd, &k, gw_flow_hash(fam, &k));
	}
	list_unlink(ft, idx);
	ft->rec[idx].state = GW_FLOW_FREE;
	ft->count--;
	t->mutations++;
}

/*
 * The oldest idle flow of a family: settle each class head (a head seen
 * since it was queued goes to the back), then take the head seen
 * longest ago. GW_FLOW_NIL if the family is empty.
 */
static uint32_t
oldest_idle(struct gw_flow_fam_tab *ft, uint32_t now)
{
	uint32_t best = GW_FLOW_NIL, best_idle = 0;

	for (int c = 0; c < GW_FLOW_N_CLASS; c++) {
		uint32_t h = ft->head[c];

		/*
		 * Each move back uses up one packet's touch, so this is O(1)
		 * amortised; the expiry walk settles most heads beforehand.
		 */
		while (h != GW_FLOW_NIL && touched(&ft->rec[h]) && ft->head[c] != ft->tail[c]) {
			requeue(ft, h, now);
			h = ft->head[c];
		}
		if (h == GW_FLOW_NIL)
			continue;
		if (best == GW_FLOW_NIL || now - ft->rec[h].seen > best_idle) {
			best = h;
			best_idle = now - ft->rec[h].seen;
		}
	}
	return best;
}

int
gw_flow_insert(struct gw_flow_table *t, enum gw_flow_fam fam,
	const union gw_flow_key *fwd, uint32_t fwd_hash,
	const union gw_flow_key *rev, uint32_t rev_hash,
	enum gw_flow_state state, uint32_t now, int *evicted)
{
	struct gw_flow_fam_tab *ft = &t->fam[fam];

	*evicted = 0;
	if (rte_hash_lookup_with_hash(ft->fwd, fwd, fwd_hash) >= 0 ||
			rte_hash_lookup_with_hash(ft->rev, rev, rev_hash) >= 0)
		return -EEXIST;
	return gw_flow_insert_new(t, fam, fwd, fwd_hash, rev, rev_hash, state, now, evicted);
}

int
gw_flow_insert_new(struct gw_flow_table *t, enum gw_flow_fam fam,
	const union gw_flow_key *fwd, uint32_t fwd_hash,
	const union gw_flow_key *rev, uint32_t rev_hash,
	enum gw_flow_state state, uint32_t now, int *evicted)
{
	struct gw_flow_fam_tab *ft = &t->fam[fam];
	struct gw_flow *f;
	int32_t pos, rpos;

	*evicted = 0;
	if (ft->count >= t->capacity) {
		uint32_t victim = oldest_idle(ft, now);

		if (victim == GW_FLOW_NIL)
			return -ENOSPC;
		gw_flow_delete(t, fam, victim);
		*evicted = 1;
	}
	pos = rte_hash_add_key_with_hash(ft->fwd, fwd, fwd_hash);
	if (pos < 0)
		return -ENOSPC;
	rpos = rte_hash_add_key_with_hash(ft->rev, rev, rev_hash);
	if (rpos < 0) {
		rte_hash_del_key_with_hash(ft->fwd, fwd, fwd_hash);
		return -ENOSPC;
	}
	/* The reverse key's data is the forward position: set in place when we can. */
	if (ft->rkeys.base != NULL) {
		uintptr_t d = (uintptr_t)pos;

		memcpy((uint8_t *)(uintptr_t)ft->rkeys.base + (size_t)rpos * ft->rkeys.stride -
			sizeof(d), &d, sizeof(d));
	} else {
		rte_hash_add_key_with_hash_data(ft->rev, rev, rev_hash, (void *)(uintptr_t)pos);
	}
	f = &ft->rec[pos];
	memset(f, 0, sizeof(*f));
	f->seen = f->qtime = now;
	f->rev_pos = (uint32_t)rpos;
	f->state = (uint8_t)state;
	f->cls = state_class[state];
	list_append(ft, (uint32_t)pos);
	ft->count++;
	t->mutations++;
	return pos;
}

void
gw_flow_set_state(struct gw_flow_table *t, enum gw_flow_fam fam, uint32_t idx,
	enum gw_flow_state state, uint32_t now)
{
	struct gw_flow_fam_tab *ft = &t->fam[fam];
	struct gw_flow *f = &ft->rec[idx];
	uint8_t cls = state_class[state];

	f->state = (uint8_t)state;
	f->seen = now;
	if (cls != f->cls) {
		list_unlink(ft, idx);
		f->cls = cls;
		f->qtime = now;
		list_append(ft, idx);
	}
}

unsigned int
gw_flow_expire(struct gw_flow_table *t, uint32_t now, const uint32_t timeout_ms[GW_FLOW_N_CLASS],
	unsigned int budget)
{
	unsigned int done = 0, work = 0;

	for (int fam = 0; fam < GW_FLOW_N_FAM; fam++) {
		struct gw_flow_fam_tab *ft = &t->fam[fam];

		for (int c = 0; c < GW_FLOW_N_CLASS; c++) {
			while (work < budget && ft->head[c] != GW_FLOW_NIL) {
				uint32_t h = ft->head[c];
				struct gw_flow *f = &ft->rec[h];

				if (now - f->seen > timeout_ms[c]) {
					gw_flow_delete(t, (enum gw_flow_fam)fam, h);
					done++;
				} else if (touched(f) && ft->head[c] != ft->tail[c]) {
					/* Active since queued: to the back, as of now. */
					requeue(ft, h, now);
				} else {
					break;
				}
				work++;
			}
		}
	}
	return done;
}

void
gw_flow_flush(struct gw_flow_table *t)
{
	for (int fam = 0; fam < GW_FLOW_N_FAM; fam++) {
		struct gw_flow_fam_tab *ft = &t->fam[fam];

		rte_hash_reset(ft->fwd);
		rte_hash_reset(ft->rev);
		memset(ft->rec, 0, (size_t)t->capacity * sizeof(struct gw_flow));
		ft->count = 0;
		for (int c = 0; c < GW_FLOW_N_CLASS; c++)
			ft->head[c] = ft->tail[c] = GW_FLOW_NIL;
	}
	t->mutations++;
}

int
gw_flow_walk(struct gw_flow_table *t, enum gw_flow_fam fam, uint32_t *cursor,
	int (*fn)(void *arg, uint32_t idx, const struct gw_flow *f), void *arg)
{
	struct gw_flow_fam_tab *ft = &t->fam[fam];

	for (; *cursor < t->capacity; (*cursor)++) {
		const struct gw_flow *f = &ft->rec[*cursor];

		if (f->state == GW_FLOW_FREE)
			continue;
		if (fn(arg, *cursor, f) != 0) {
			(*cursor)++;
			return 1;
		}
	}
	return 0;
}
