/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The L4 flow table of one worker (design.md §1, §3): the full-NAT state
 * of every TCP and UDP flow the worker load balances, owned by that worker
 * alone. No locks, no atomics; only its worker (or a control request run
 * on it) touches it.
 *
 * A flow is two keys: the forward key, as the client's packets arrive
 * (client -> VIP:port), and the reverse key, as the backend's replies
 * arrive (backend -> SNAT address:port). Each family has two rte_hash
 * tables, one per direction, and an array of small records indexed by
 * the forward key's position:
 *
 *   fwd: key -> position p           rec[p]: state, times, lists
 *   rev: key -> data = p             rec[p].rev_pos: position in rev
 *
 * The NAT rewrite of one direction is the other direction's key (read
 * back from the other table by position), so a flow stores no address
 * twice. IPv4 keys are 16 bytes, IPv6 keys 40.
 *
 * Timeouts. Every flow is on the list of its timeout class (SYN,
 * established, closing, time-wait, UDP) in the order it was queued. A
 * packet only writes rec->seen; the expiry walk looks at list heads: a
 * head seen since it was queued goes to the back with its new time, an
 * expired one is deleted, and the first head that is neither ends the
 * walk (everything behind it was queued later). So expiry costs O(1)
 * amortised per flow and per timeout, and the list heads, once settled,
 * are the oldest idle flows of each class: a full table evicts the oldest
 * of them (counted by the caller).
 *
 * Times are milliseconds of a clock the caller passes in (tests drive a
 * virtual one). Addresses and ports in keys are in network byte order.
 */
#ifndef GW_FLOW_H
#define GW_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_flow_key4 {
	uint32_t src;
	uint32_t dst;
	uint16_t sport;
	uint16_t dport;
	uint8_t proto;
	uint8_t pad[3];         /* zero */
};

struct gw_flow_key6 {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint8_t proto;
	uint8_t pad[3];         /* zero */
};

/* 8-byte aligned: rte_hash_crc() reads keys 8 bytes at a time. */
union gw_flow_key {
	struct gw_flow_key4 v4;
	struct gw_flow_key6 v6;
	uint64_t align;
};

enum gw_flow_fam { GW_FLOW_V4 = 0, GW_FLOW_V6 = 1, GW_FLOW_N_FAM };

enum gw_flow_state {
	GW_FLOW_FREE = 0,
	GW_FLOW_TCP_SYN_SENT,   /* client SYN forwarded */
	GW_FLOW_TCP_SYN_RECV,   /* backend SYN-ACK returned */
	GW_FLOW_TCP_ESTABLISHED,
	GW_FLOW_TCP_FIN_WAIT,   /* one side sent FIN */
	GW_FLOW_TCP_TIME_WAIT,  /* both sides sent FIN */
	GW_FLOW_TCP_CLOSED,     /* RST seen */
	GW_FLOW_UDP,
	GW_FLOW_N_STATE
};

/* Timeout classes: each state belongs to one. */
enum gw_flow_class {
	GW_FLOW_C_SYN = 0,
	GW_FLOW_C_ESTABLISHED,
	GW_FLOW_C_CLOSING,
	GW_FLOW_C_TIME_WAIT,
	GW_FLOW_C_UDP,
	GW_FLOW_N_CLASS
};

#define GW_FLOW_NIL UINT32_MAX

/* 32 bytes. */
struct gw_flow {
	uint32_t seen;          /* ms of the last packet */
	uint32_t qtime;         /* seen when put on its list */
	uint32_t prev, next;    /* class list, record indexes */
	uint32_t rev_pos;       /* position of the reverse key */
	uint32_t version;       /* gateway version the backend was last checked against */
	uint16_t svc;           /* service id (the L4 table's), for display */
	uint8_t state;          /* enum gw_flow_state */
	uint8_t cls;            /* enum gw_flow_class */
	uint8_t fin;            /* GW_FLOW_FIN_* seen */
	uint8_t pad[3];
};

#define GW_FLOW_FIN_CLIENT 1
#define GW_FLOW_FIN_BACKEND 2

struct gw_flow_table;

/*
 * Create a table for up to @capacity flows per family (rounded up to a
 * power of two, at least 64). @name must be unique in the
 * process (it names the rte_hash tables). NULL on failure (rte_errno set).
 */
struct gw_flow_table *gw_flow_table_create(const char *name, uint32_t capacity, int socket);
void gw_flow_table_free(struct gw_flow_table *t);

/* Capacity per family, flows in use, bytes allocated (hash tables + records). */
uint32_t gw_flow_capacity(const struct gw_flow_table *t);
uint32_t gw_flow_count(const struct gw_flow_table *t, enum gw_flow_fam fam);
size_t gw_flow_memory(const struct gw_flow_table *t, enum gw_flow_fam fam);

/* The hash both lookups and Maglev use (CRC32C of the key). */
uint32_t gw_flow_hash(enum gw_flow_fam fam, const union gw_flow_key *k);

/* Class of a state. */
enum gw_flow_class gw_flow_state_class(enum gw_flow_state s);
const char *gw_flow_state_name(enum gw_flow_state s);

/*
 * Find a flow by its forward key (a client packet) or its reverse key (a
 * backend packet). Returns the record index (>= 0) or -ENOENT.
 */
int gw_flow_find_fwd(struct gw_flow_table *t, enum gw_flow_fam fam, const union gw_flow_key *k,
	uint32_t hash);
int gw_flow_find_rev(struct gw_flow_table *t, enum gw_flow_fam fam, const union gw_flow_key *k,
	uint32_t hash);

/* Is a reverse key in use (SNAT port allocation)? */
bool gw_flow_rev_exists(struct gw_flow_table *t, enum gw_flow_fam fam,
	const union gw_flow_key *k, uint32_t hash);

static inline struct gw_flow *gw_flow_at(struct gw_flow_table *t, enum gw_flow_fam fam,
	uint32_t idx);

/* The keys of flow @idx (pointers into the tables, valid until it is deleted). */
static inline const union gw_flow_key *gw_flow_fwd_key(struct gw_flow_table *t,
	enum gw_flow_fam fam, uint32_t idx);
static inline const union gw_flow_key *gw_flow_rev_key(struct gw_flow_table *t,
	enum gw_flow_fam fam, uint32_t idx);

/*
 * Insert a flow in @state at time @now. When the family is full the
 * oldest idle flow is evicted first (*@evicted set to 1). Returns the
 * record index, -EEXIST if either key is in use, -ENOSPC if nothing
 * could be evicted.
 */
int gw_flow_insert(struct gw_flow_table *t, enum gw_flow_fam fam,
	const union gw_flow_key *fwd, uint32_t fwd_hash,
	const union gw_flow_key *rev, uint32_t rev_hash,
	enum gw_flow_state state, uint32_t now, int *evicted);
/* The same for a caller that knows neither key is in use (no -EEXIST check). */
int gw_flow_insert_new(struct gw_flow_table *t, enum gw_flow_fam fam,
	const union gw_flow_key *fwd, uint32_t fwd_hash,
	const union gw_flow_key *rev, uint32_t rev_hash,
	enum gw_flow_state state, uint32_t now, int *evicted);

/* Delete flow @idx. */
void gw_flow_delete(struct gw_flow_table *t, enum gw_flow_fam fam, uint32_t idx);

/* A packet of flow @idx at @now; moves it to its new state's class list. */
void gw_flow_set_state(struct gw_flow_table *t, enum gw_flow_fam fam, uint32_t idx,
	enum gw_flow_state state, uint32_t now);

/*
 * Delete flows idle longer than their class's timeout (@timeout_ms, per
 * class), at most @budget of them. Returns how many were deleted.
 */
unsigned int gw_flow_expire(struct gw_flow_table *t, uint32_t now,
	const uint32_t timeout_ms[GW_FLOW_N_CLASS], unsigned int budget);

/* Delete every flow (tests, shutdown). */
void gw_flow_flush(struct gw_flow_table *t);

/*
 * Walk flows of @fam: @fn(arg, idx, flow) for each, starting at *@cursor
 * (0 for the first call); returns 0 when done, 1 if @fn returned
 * non-zero (resume from *@cursor).
 */
int gw_flow_walk(struct gw_flow_table *t, enum gw_flow_fam fam, uint32_t *cursor,
	int (*fn)(void *arg, uint32_t idx, const struct gw_flow *f), void *arg);

/* ---- inline ---- */

/*
 * Where rte_hash keeps the key at position p: base + p * stride. Found
 * once at creation (and checked against rte_hash_get_key_with_position(),
 * which re-hashes and looks the key up again on every call: too slow for
 * every packet). NULL base: read keys through that function instead.
 */
struct gw_flow_keys {
	const uint8_t *base;
	uint32_t stride;
};

struct gw_flow_fam_tab {
	struct rte_hash *fwd, *rev;
	struct gw_flow_keys fkeys, rkeys;
	struct gw_flow *rec;
	uint32_t count;
	uint32_t head[GW_FLOW_N_CLASS], tail[GW_FLOW_N_CLASS];
	size_t memory;
};

struct gw_flow_table {
	uint32_t capacity;
	uint32_t mutations;     /* bumped by every insert and delete (lookups made before are stale) */
	struct gw_flow_fam_tab fam[GW_FLOW_N_FAM];
};

static inline struct gw_flow *
gw_flow_at(struct gw_flow_table *t, enum gw_flow_fam fam, uint32_t idx)
{
	return &t->fam[fam].rec[idx];
}

/* The slow road (key stores of unknown layout). */
const union gw_flow_key *gw_flow_key_lookup(struct rte_hash *h, uint32_t pos);

static inline const union gw_flow_key *
gw_flow_fwd_key(struct gw_flow_table *t, enum gw_flow_fam fam, uint32_t idx)
{
	const struct gw_flow_fam_tab *ft = &t->fam[fam];

	if (__builtin_expect(ft->fkeys.base != NULL, 1))
		return (const union gw_flow_key *)(ft->fkeys.base +
			(size_t)idx * ft->fkeys.stride);
	return gw_flow_key_lookup(ft->fwd, idx);
}

static inline const union gw_flow_key *
gw_flow_rev_key(struct gw_flow_table *t, enum gw_flow_fam fam, uint32_t idx)
{
	const struct gw_flow_fam_tab *ft = &t->fam[fam];
	uint32_t pos = ft->rec[idx].rev_pos;

	if (__builtin_expect(ft->rkeys.base != NULL, 1))
		return (const union gw_flow_key *)(ft->rkeys.base +
			(size_t)pos * ft->rkeys.stride);
	return gw_flow_key_lookup(ft->rev, pos);
}

#endif /* GW_FLOW_H */
