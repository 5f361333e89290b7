/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour table (ARP for IPv4, neighbour discovery for IPv6): one per
 * worker, owned by it, no locks.
 *
 * States follow RFC 4861 §7.3.2 in a reduced form:
 *   INCOMPLETE  solicitation sent, no answer yet; packets to it are held
 *               (up to GW_NEIGH_HOLD), re-solicited every retrans interval,
 *               dropped and counted after max_probes unanswered tries;
 *   REACHABLE   confirmed within reachable time; used as is;
 *   STALE       older; still used, and each use past the retrans interval
 *               asks for a fresh solicitation; after max_probes unanswered
 *               ones the entry is removed; an unused stale entry is removed
 *               after stale_gc.
 * Learning: an answer (ARP reply, NA) updates an existing entry; a
 * request addressed to us (ARP request, NS with a source link-layer
 * option) creates or updates the sender's entry, as Linux does.
 *
 * Workers share what they learn by sending each other updates (lib/worker);
 * the table itself is never touched by another thread. Times are TSC
 * cycles passed in by the caller, so tests drive a virtual clock.
 */
#ifndef GW_NEIGH_H
#define GW_NEIGH_H

#include <stdint.h>
#include <stdbool.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#define GW_NEIGH_HOLD 8

enum gw_neigh_state {
	GW_NEIGH_FREE = 0,
	GW_NEIGH_INCOMPLETE,
	GW_NEIGH_REACHABLE,
	GW_NEIGH_STALE,
};

struct gw_neigh_key {
	uint16_t port;
	uint8_t family;
	uint8_t pad;
	uint8_t ip[16];
};

struct gw_neigh_params {
	uint64_t reachable;     /* TSC cycles */
	uint64_t stale_gc;
	uint64_t retrans;
	uint32_t max_probes;
};

/* A snapshot of one entry, for display. */
struct gw_neigh_info {
	struct gw_neigh_key key;
	struct rte_ether_addr mac;
	uint8_t state;
	uint16_t held;
	uint64_t age;           /* cycles since last confirmation */
};

/* Results of gw_neigh_resolve(). */
enum gw_neigh_verdict {
	GW_NEIGH_SEND = 0,      /* MAC filled in: send now */
	GW_NEIGH_HELD = 1,      /* the table owns the packet now */
};

struct gw_neigh_table;

/* Callbacks from gw_neigh_resolve() and gw_neigh_age(). */
struct gw_neigh_ops {
	/* send a solicitation for @k (broadcast ARP / multicast NS) */
	void (*solicit)(void *arg, const struct gw_neigh_key *k);
	/* a held packet is given up on: free and count it */
	void (*drop)(void *arg, struct rte_mbuf *m);
};

/* NULL on failure (rte_errno). @name must be unique. */
struct gw_neigh_table *gw_neigh_create(const char *name, uint32_t capacity, int socket,
	const struct gw_neigh_params *params, const struct gw_neigh_ops *ops, void *arg);
/* Frees the table and every held packet (without counting them). */
void gw_neigh_free(struct gw_neigh_table *t);
/* Replace the timing parameters (configuration reload). */
void gw_neigh_set_params(struct gw_neigh_table *t, const struct gw_neigh_params *params);

/*
 * Next-hop MAC for @k, to send @m. Returns GW_NEIGH_SEND (@mac filled; the
 * caller still owns @m), GW_NEIGH_HELD (the table owns @m; a solicitation
 * went out through ops->solicit if one was due), -ENOBUFS (hold queue
 * full) or -ENOSPC (table full): then the caller still owns @m.
 */
int gw_neigh_resolve(struct gw_neigh_table *t, const struct gw_neigh_key *k, uint64_t now,
	struct rte_mbuf *m, struct rte_ether_addr *mac);

/* What a received message says about a neighbour (RFC 4861 §7.2.5). */
#define GW_NEIGH_F_CREATE    (1u << 0)  /* a request to us: create a missing entry (STALE) */
#define GW_NEIGH_F_SOLICITED (1u << 1)  /* an answer to our solicitation: REACHABLE */
#define GW_NEIGH_F_OVERRIDE  (1u << 2)  /* may replace a different known MAC */

/*
 * Learn @mac for @k, with GW_NEIGH_F_* @flags:
 *  - missing entry: created as STALE with @mac only with F_CREATE;
 *  - INCOMPLETE: gets @mac, REACHABLE if F_SOLICITED else STALE, and its
 *    held packets are moved to @released (room for GW_NEIGH_HOLD) for the
 *    caller to send;
 *  - known, same MAC: F_SOLICITED confirms (REACHABLE), otherwise nothing;
 *  - known, other MAC: replaced (REACHABLE if F_SOLICITED, else STALE) only
 *    with F_OVERRIDE; without it a REACHABLE entry turns STALE.
 * A STALE entry created from a request is first re-solicited after the
 * reachable time, not on first use. When the table is full, the least
 * recently used STALE entry among a sample is evicted.
 * Returns the number of released packets, 0, or -ENOSPC (table full).
 */
int gw_neigh_update(struct gw_neigh_table *t, const struct gw_neigh_key *k,
	const struct rte_ether_addr *mac, uint64_t now, unsigned int flags,
	struct rte_mbuf **released);

/* Timers: re-solicit, give up on and collect entries. Call every few ms. */
void gw_neigh_age(struct gw_neigh_table *t, uint64_t now);

/* Copy up to @max entries to @out; returns how many. */
uint32_t gw_neigh_dump(const struct gw_neigh_table *t, uint64_t now, struct gw_neigh_info *out,
	uint32_t max);

/* Number of entries in use. */
uint32_t gw_neigh_count(const struct gw_neigh_table *t);

const char *gw_neigh_state_name(uint8_t state);

#endif /* GW_NEIGH_H */
