/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/neigh: the per-worker neighbour table (gw_l3 has test_l3.c).
 *
 * The neighbour table is driven by a virtual clock: times are plain
 * integers passed in, with reachable = 1000, stale_gc = 10000,
 * retrans = 100 and max_probes = 3, so every state change is checked at
 * the exact tick it is due and the one before. Updates carry the
 * GW_NEIGH_F_* flags the worker derives from the message: F_ANSWER for an
 * ARP reply or an NA with S and O set, F_REQUEST for an ARP request or an
 * NS with a source link-layer option. The ops callbacks record
 * solicitations and dropped packets; every test checks that the mbuf pool
 * is back to its starting count when it ends, so a packet leaked or freed
 * twice by the table shows up. Needs EAL (rte_lpm, rte_hash, mbufs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_memory.h>

#include "gw_neigh.h"
#include "gw_test_eal.h"
#include "gw_test_ip.h"

#define NB_MBUFS 512

/* ---------------------------------------------------------------- gw_neigh */

#define T0          1000000ull
#define REACHABLE   1000
#define STALE_GC    10000
#define RETRANS     100
#define MAX_PROBES  3
#define MAX_RECORDS 64

static struct rte_mempool *pool;
static unsigned int table_seq;

static const struct gw_neigh_params params = {
	.reachable = REACHABLE,
	.stale_gc = STALE_GC,
	.retrans = RETRANS,
	.max_probes = MAX_PROBES,
};

/* What the ops callbacks saw. */
struct rec {
	unsigned int n_solicit;
	struct gw_neigh_key solicited[MAX_RECORDS];
	unsigned int n_drop;
	struct rte_mbuf *dropped[MAX_RECORDS];
};

struct nctx {
	struct gw_neigh_table *t;
	struct rec r;
	unsigned int avail0;
};

static void
rec_solicit(void *arg, const struct gw_neigh_key *k)
{
	struct rec *r = arg;

	if (r->n_solicit < MAX_RECORDS)
		r->solicited[r->n_solicit] = *k;
	r->n_solicit++;
}

static void
rec_drop(void *arg, struct rte_mbuf *m)
{
	struct rec *r = arg;

	if (r->n_drop < MAX_RECORDS)
		r->dropped[r->n_drop] = m;
	r->n_drop++;
	rte_pktmbuf_free(m);
}

static const struct gw_neigh_ops rec_ops = {
	.solicit = rec_solicit,
	.drop = rec_drop,
};

static struct gw_neigh_table *
table_new(uint32_t capacity, struct rec *r)
{
	char name[32];
	struct gw_neigh_table *t;

	snprintf(name, sizeof(name), "tn%u_%u", (unsigned int)getpid() % 100000, table_seq++);
	t = gw_neigh_create(name, capacity, SOCKET_ID_ANY, &params, &rec_ops, r);
	assert_non_null(t);
	return t;
}

static struct gw_neigh_key
key_of(uint16_t port, const char *ip)
{
	struct gw_neigh_key k;
	struct ip a = ip_of(ip);

	memset(&k, 0, sizeof(k));
	k.port = port;
	k.family = (uint8_t)a.family;
	memcpy(k.ip, a.b, 16);
	return k;
}

static struct rte_ether_addr
mac_of(uint8_t last)
{
	struct rte_ether_addr m = { .addr_bytes = { 0x02, 0x00, 0x5e, 0x10, 0x00, last } };

	return m;
}

static struct rte_mbuf *
mb(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	return m;
}

static void
free_all(struct rte_mbuf **m, int n)
{
	for (int i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

/* The dump entry for @k, or fail. */
static struct gw_neigh_info
info_of(const struct gw_neigh_table *t, const struct gw_neigh_key *k, uint64_t now)
{
	struct gw_neigh_info out[MAX_RECORDS];
	uint32_t n = gw_neigh_dump(t, now, out, MAX_RECORDS);

	for (uint32_t i = 0; i < n; i++)
		if (memcmp(&out[i].key, k, sizeof(*k)) == 0)
			return out[i];
	fail_msg("no entry in the dump");
	return out[0];
}

static bool
in_dump(const struct gw_neigh_table *t, const struct gw_neigh_key *k, uint64_t now)
{
	struct gw_neigh_info out[MAX_RECORDS];
	uint32_t n = gw_neigh_dump(t, now, out, MAX_RECORDS);

	for (uint32_t i = 0; i < n; i++)
		if (memcmp(&out[i].key, k, sizeof(*k)) == 0)
			return true;
	return false;
}

static void
assert_state(const struct gw_neigh_table *t, const struct gw_neigh_key *k, uint64_t now,
	enum gw_neigh_state want)
{
	struct gw_neigh_info i = info_of(t, k, now);

	if (i.state != want)
		fail_msg("state %s, want %s", gw_neigh_state_name(i.state),
			gw_neigh_state_name((uint8_t)want));
}

/* What the worker passes for an answer to our solicitation, and for a request. */
#define F_ANSWER  (GW_NEIGH_F_SOLICITED | GW_NEIGH_F_OVERRIDE)
#define F_REQUEST (GW_NEIGH_F_CREATE | GW_NEIGH_F_OVERRIDE)

/* A REACHABLE entry confirmed at @now: learnt from a request, then answered. */
static void
learn_reachable(struct gw_neigh_table *t, const struct gw_neigh_key *k,
	const struct rte_ether_addr *mac, uint64_t now)
{
	struct rte_mbuf *rel[GW_NEIGH_HOLD];

	assert_int_equal(gw_neigh_update(t, k, mac, now, F_REQUEST, rel), 0);
	assert_state(t, k, now, GW_NEIGH_STALE);
	assert_int_equal(gw_neigh_update(t, k, mac, now, F_ANSWER, rel), 0);
	assert_state(t, k, now, GW_NEIGH_REACHABLE);
}

static int
neigh_group_setup(void **state)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	(void)state;
	if (gw_test_eal_init(1) != 0)
		return -1;
	snprintf(name, sizeof(name), "tneigh_%d", (int)getpid());
	/* No per-lcore cache, so the available count is exact. */
	pool = rte_pktmbuf_pool_create(name, NB_MBUFS, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
		SOCKET_ID_ANY);
	return pool != NULL ? 0 : -1;
}

static int
neigh_group_teardown(void **state)
{
	(void)state;
	rte_mempool_free(pool);
	pool = NULL;
	return 0;
}

static int
neigh_setup(void **state)
{
	struct nctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return -1;
	c->avail0 = rte_mempool_avail_count(pool);
	c->t = table_new(64, &c->r);
	*state = c;
	return 0;
}

/* Every test ends with every mbuf back in the pool. */
static int
neigh_teardown(void **state)
{
	struct nctx *c = *state;
	unsigned int avail0 = c->avail0;

	gw_neigh_free(c->t);
	free(c);
	assert_int_equal(rte_mempool_avail_count(pool), avail0);
	return 0;
}

/* A miss creates an INCOMPLETE entry, holds the packet and solicits once. */
static void
test_neigh_miss_holds(void **state)
{
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(0, "10.0.0.5");
	struct rte_ether_addr mac = mac_of(0xee), untouched = mac;
	struct gw_neigh_info i;

	assert_int_equal(gw_neigh_count(c->t), 0);
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0, mb(), &mac), GW_NEIGH_HELD);
	assert_memory_equal(&mac, &untouched, sizeof(mac));
	assert_int_equal(gw_neigh_count(c->t), 1);
	assert_int_equal(c->r.n_solicit, 1);
	assert_memory_equal(&c->r.solicited[0], &k, sizeof(k));
	assert_int_equal(c->r.n_drop, 0);
	i = info_of(c->t, &k, T0 + 7);
	assert_int_equal(i.state, GW_NEIGH_INCOMPLETE);
	assert_int_equal(i.held, 1);
	assert_int_equal(i.age, 7);
}

/* Up to GW_NEIGH_HOLD packets wait; the next is refused and stays the caller's. */
static void
test_neigh_hold_limit_and_release(void **state)
{
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(0, "10.0.0.5");
	struct rte_ether_addr mac, want = mac_of(5);
	struct rte_mbuf *m[GW_NEIGH_HOLD], *extra, *released[GW_NEIGH_HOLD];
	int n;

	for (int i = 0; i < GW_NEIGH_HOLD; i++) {
		m[i] = mb();
		if (gw_neigh_resolve(c->t, &k, T0 + (uint64_t)i, m[i], &mac) != GW_NEIGH_HELD)
			fail_msg("packet %d not held", i);
	}
	/* Only the miss solicited: retrans has not passed. */
	assert_int_equal(c->r.n_solicit, 1);
	assert_int_equal(info_of(c->t, &k, T0 + 8).held, GW_NEIGH_HOLD);
	extra = mb();
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 9, extra, &mac), -ENOBUFS);
	assert_int_equal(info_of(c->t, &k, T0 + 9).held, GW_NEIGH_HOLD);
	rte_pktmbuf_free(extra);

	memset(released, 0, sizeof(released));
	n = gw_neigh_update(c->t, &k, &want, T0 + 50, F_ANSWER, released);
	assert_int_equal(n, GW_NEIGH_HOLD);
	for (int i = 0; i < GW_NEIGH_HOLD; i++)
		if (released[i] != m[i])
			fail_msg("released[%d] is not the %dth held packet", i, i);
	free_all(released, n);
	assert_int_equal(info_of(c->t, &k, T0 + 50).held, 0);
	assert_state(c->t, &k, T0 + 50, GW_NEIGH_REACHABLE);

	/* Now resolved: SEND with the MAC, caller keeps the packet, no solicitation. */
	memset(&mac, 0, sizeof(mac));
	extra = mb();
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 60, extra, &mac), GW_NEIGH_SEND);
	assert_memory_equal(&mac, &want, sizeof(mac));
	rte_pktmbuf_free(extra);
	assert_int_equal(c->r.n_solicit, 1);
	assert_int_equal(c->r.n_drop, 0);
	/* A second update has nothing left to release. */
	assert_int_equal(gw_neigh_update(c->t, &k, &want, T0 + 70, F_ANSWER, released), 0);
}

/* Reachable for `reachable` ticks, then STALE: still used, re-solicited per retrans. */
static void
test_neigh_stale_still_sends(void **state)
{
	static const struct {
		const char *desc;
		uint64_t at;            /* ticks after the confirmation */
		unsigned int solicits;  /* total after the resolve */
		enum gw_neigh_state state;
	} steps[] = {
		{ "fresh", 1, 0, GW_NEIGH_REACHABLE },
		{ "exactly `reachable` later: still reachable", REACHABLE, 0, GW_NEIGH_REACHABLE },
		{ "one tick later: stale, solicited", REACHABLE + 1, 1, GW_NEIGH_STALE },
		{ "within retrans: no new solicitation", REACHABLE + 50, 1, GW_NEIGH_STALE },
		{ "one tick before retrans", REACHABLE + RETRANS, 1, GW_NEIGH_STALE },
		{ "retrans after the last one: solicited again", REACHABLE + 1 + RETRANS, 2,
			GW_NEIGH_STALE },
		{ "right after: rate-limited", REACHABLE + 2 + RETRANS, 2, GW_NEIGH_STALE },
	};
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(1, "192.168.1.7");
	struct rte_ether_addr mac, want = mac_of(7);
	struct rte_mbuf *rel[GW_NEIGH_HOLD];

	learn_reachable(c->t, &k, &want, T0);
	for (size_t i = 0; i < RTE_DIM(steps); i++) {
		struct rte_mbuf *m = mb();
		int rc;

		memset(&mac, 0, sizeof(mac));
		rc = gw_neigh_resolve(c->t, &k, T0 + steps[i].at, m, &mac);
		rte_pktmbuf_free(m);
		if (rc != GW_NEIGH_SEND || memcmp(&mac, &want, sizeof(mac)) != 0)
			fail_msg("%s: rc %d or wrong MAC", steps[i].desc, rc);
		if (c->r.n_solicit != steps[i].solicits)
			fail_msg("%s: %u solicitations, want %u", steps[i].desc, c->r.n_solicit,
				steps[i].solicits);
		if (info_of(c->t, &k, T0 + steps[i].at).state != steps[i].state)
			fail_msg("%s: state %s", steps[i].desc,
				gw_neigh_state_name(info_of(c->t, &k, T0 + steps[i].at).state));
	}
	assert_memory_equal(&c->r.solicited[1], &k, sizeof(k));
	/* An answer makes it reachable again, with no solicitation due. */
	assert_int_equal(gw_neigh_update(c->t, &k, &want, T0 + 2000, F_ANSWER, rel), 0);
	assert_state(c->t, &k, T0 + 2000, GW_NEIGH_REACHABLE);
	{
		struct rte_mbuf *m = mb();

		assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 2500, m, &mac), GW_NEIGH_SEND);
		rte_pktmbuf_free(m);
	}
	assert_int_equal(c->r.n_solicit, 2);
	assert_int_equal(gw_neigh_count(c->t), 1);
}

/* Unanswered: re-solicit every retrans, then drop the held packets and forget. */
static void
test_neigh_incomplete_gives_up(void **state)
{
	static const struct {
		const char *desc;
		uint64_t at;
		unsigned int solicits, drops, count;
	} steps[] = {
		{ "before retrans", RETRANS - 1, 1, 0, 1 },
		{ "retrans: second solicitation", RETRANS, 2, 0, 1 },
		{ "age again in the same tick", RETRANS, 2, 0, 1 },
		{ "between", RETRANS + 50, 2, 0, 1 },
		{ "2 x retrans: third", 2 * RETRANS, 3, 0, 1 },
		{ "one tick before giving up", 3 * RETRANS - 1, 3, 0, 1 },
		{ "3 x retrans: max_probes sent, given up", 3 * RETRANS, 3, 3, 0 },
		{ "later: nothing more", 10 * RETRANS, 3, 3, 0 },
	};
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(0, "10.0.0.99"), other = key_of(0, "10.0.0.98");
	struct rte_ether_addr mac, omac = mac_of(98);
	struct rte_mbuf *m[3], *rel[GW_NEIGH_HOLD];

	/* A resolved neighbour beside it must be left alone. */
	learn_reachable(c->t, &other, &omac, T0);
	for (int i = 0; i < 3; i++) {
		m[i] = mb();
		assert_int_equal(gw_neigh_resolve(c->t, &k, T0, m[i], &mac), GW_NEIGH_HELD);
	}
	for (size_t i = 0; i < RTE_DIM(steps); i++) {
		gw_neigh_age(c->t, T0 + steps[i].at);
		if (c->r.n_solicit != steps[i].solicits || c->r.n_drop != steps[i].drops ||
				gw_neigh_count(c->t) != steps[i].count + 1)
			fail_msg("%s: %u solicitations, %u drops, %u entries; want %u, %u, %u",
				steps[i].desc, c->r.n_solicit, c->r.n_drop, gw_neigh_count(c->t),
				steps[i].solicits, steps[i].drops, steps[i].count + 1);
	}
	for (unsigned int i = 0; i < c->r.n_solicit; i++)
		assert_memory_equal(&c->r.solicited[i], &k, sizeof(k));
	/* Dropped through ops->drop, in the order they were held. */
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(c->r.dropped[i], m[i]);
	assert_false(in_dump(c->t, &k, T0 + 10 * RETRANS));
	assert_true(in_dump(c->t, &other, T0 + 10 * RETRANS));
	/* A late answer (no F_CREATE) does not bring it back. */
	assert_int_equal(gw_neigh_update(c->t, &k, &omac, T0 + 1001, F_ANSWER, rel), 0);
	assert_false(in_dump(c->t, &k, T0 + 1001));
	/* The next packet starts over. */
	m[0] = mb();
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 1002, m[0], &mac), GW_NEIGH_HELD);
	assert_int_equal(c->r.n_solicit, 4);
	assert_state(c->t, &k, T0 + 1002, GW_NEIGH_INCOMPLETE);
}

/*
 * An unused stale entry goes after stale_gc, whether it was confirmed once
 * or only heard from in a request; a used one stays.
 */
static void
test_neigh_stale_gc(void **state)
{
	struct nctx *c = *state;
	struct gw_neigh_key idle = key_of(0, "10.0.0.20"), busy = key_of(0, "10.0.0.21"),
		heard = key_of(0, "10.0.0.22");
	struct rte_ether_addr mac, m20 = mac_of(20), m21 = mac_of(21), m22 = mac_of(22);
	struct rte_mbuf *rel[GW_NEIGH_HOLD], *m;

	learn_reachable(c->t, &idle, &m20, T0);
	learn_reachable(c->t, &busy, &m21, T0);
	assert_int_equal(gw_neigh_update(c->t, &heard, &m22, T0, F_REQUEST, rel), 0);
	gw_neigh_age(c->t, T0 + REACHABLE);
	assert_state(c->t, &idle, T0 + REACHABLE, GW_NEIGH_REACHABLE);
	assert_state(c->t, &heard, T0 + REACHABLE, GW_NEIGH_STALE);
	gw_neigh_age(c->t, T0 + REACHABLE + 1);
	assert_state(c->t, &idle, T0 + REACHABLE + 1, GW_NEIGH_STALE);
	assert_int_equal(gw_neigh_count(c->t), 3);
	/* Ageing itself never solicits a stale entry: only use does. */
	assert_int_equal(c->r.n_solicit, 0);

	m = mb();
	assert_int_equal(gw_neigh_resolve(c->t, &busy, T0 + 5000, m, &mac), GW_NEIGH_SEND);
	rte_pktmbuf_free(m);
	assert_int_equal(c->r.n_solicit, 1);

	gw_neigh_age(c->t, T0 + STALE_GC);
	assert_int_equal(gw_neigh_count(c->t), 3);
	gw_neigh_age(c->t, T0 + STALE_GC + 1);
	assert_int_equal(gw_neigh_count(c->t), 1);
	assert_false(in_dump(c->t, &idle, T0 + STALE_GC + 1));
	assert_false(in_dump(c->t, &heard, T0 + STALE_GC + 1));
	assert_true(in_dump(c->t, &busy, T0 + STALE_GC + 1));
	/* The busy one goes stale_gc after its last use. */
	gw_neigh_age(c->t, T0 + 5000 + STALE_GC);
	assert_int_equal(gw_neigh_count(c->t), 1);
	gw_neigh_age(c->t, T0 + 5000 + STALE_GC + 1);
	assert_int_equal(gw_neigh_count(c->t), 0);
	assert_int_equal(c->r.n_drop, 0);
	assert_int_equal(c->r.n_solicit, 1);
}

/*
 * A stale entry in use whose max_probes solicitations go unanswered is
 * removed; an answer in between starts the count again.
 */
static void
test_neigh_stale_probes_exhausted(void **state)
{
	static const struct {
		const char *desc;
		bool resolve;           /* else age */
		bool answer;            /* an update instead */
		uint64_t at;
		unsigned int solicits;
		bool present;
	} steps[] = {
		{ "stale use: first solicitation", true, false, REACHABLE + 1, 1, true },
		{ "second, a retrans later", true, false, REACHABLE + 1 + RETRANS, 2, true },
		{ "answered: count starts over", false, true, REACHABLE + 150, 2, true },
		{ "stale again: one solicitation", true, false, 2 * REACHABLE + 151, 3, true },
		{ "ageing a retrans later keeps it (1 of 3)", false, false,
			2 * REACHABLE + 151 + RETRANS, 3, true },
		{ "second", true, false, 2 * REACHABLE + 151 + RETRANS, 4, true },
		{ "third", true, false, 2 * REACHABLE + 151 + 2 * RETRANS, 5, true },
		{ "ageing in the same tick keeps it", false, false,
			2 * REACHABLE + 151 + 2 * RETRANS, 5, true },
		{ "one tick before the last one's retrans", false, false,
			2 * REACHABLE + 150 + 3 * RETRANS, 5, true },
		{ "retrans after the third unanswered: removed", false, false,
			2 * REACHABLE + 151 + 3 * RETRANS, 5, false },
	};
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(0, "10.0.0.30");
	struct rte_ether_addr mac, want = mac_of(30);
	struct rte_mbuf *rel[GW_NEIGH_HOLD];

	learn_reachable(c->t, &k, &want, T0);
	for (size_t i = 0; i < RTE_DIM(steps); i++) {
		uint64_t now = T0 + steps[i].at;

		if (steps[i].answer) {
			assert_int_equal(gw_neigh_update(c->t, &k, &want, now, F_ANSWER, rel), 0);
		} else if (steps[i].resolve) {
			struct rte_mbuf *m = mb();
			int rc = gw_neigh_resolve(c->t, &k, now, m, &mac);

			rte_pktmbuf_free(m);
			if (rc != GW_NEIGH_SEND)
				fail_msg("%s: resolve %d", steps[i].desc, rc);
		} else {
			gw_neigh_age(c->t, now);
		}
		if (c->r.n_solicit != steps[i].solicits ||
				in_dump(c->t, &k, now) != steps[i].present)
			fail_msg("%s: %u solicitations, %s; want %u, %s", steps[i].desc,
				c->r.n_solicit, in_dump(c->t, &k, now) ? "present" : "gone",
				steps[i].solicits, steps[i].present ? "present" : "gone");
	}
	assert_int_equal(gw_neigh_count(c->t), 0);
	assert_int_equal(c->r.n_drop, 0);
}

/* Without F_CREATE nothing is learnt about an unknown neighbour, whatever else is set. */
static void
test_neigh_update_no_create(void **state)
{
	static const struct {
		const char *desc;
		unsigned int flags;
	} cases[] = {
		{ "answer (solicited, override)", F_ANSWER },
		{ "solicited only", GW_NEIGH_F_SOLICITED },
		{ "override only (unsolicited NA)", GW_NEIGH_F_OVERRIDE },
		{ "no flags", 0 },
	};
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(0, "10.0.0.40");
	struct rte_ether_addr mac, want = mac_of(40);
	struct rte_mbuf *rel[GW_NEIGH_HOLD], *m;

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		int rc = gw_neigh_update(c->t, &k, &want, T0, cases[i].flags, rel);

		if (rc != 0 || gw_neigh_count(c->t) != 0 || in_dump(c->t, &k, T0))
			fail_msg("%s: rc %d, %u entries", cases[i].desc, rc, gw_neigh_count(c->t));
	}
	/* Not learnt: the next packet still misses. */
	m = mb();
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 1, m, &mac), GW_NEIGH_HELD);
	assert_int_equal(c->r.n_solicit, 1);
	assert_int_equal(c->r.n_drop, 0);
}

/*
 * A request creates the sender's entry STALE with its MAC (unconfirmed,
 * RFC 4861 §7.2.3); an answer then confirms it, and a later request with
 * another MAC overrides it back to STALE.
 */
static void
test_neigh_update_create(void **state)
{
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(0, "10.0.0.41");
	struct rte_ether_addr mac, first = mac_of(41), moved = mac_of(42);
	struct rte_mbuf *rel[GW_NEIGH_HOLD], *m;
	struct gw_neigh_info i;

	assert_int_equal(gw_neigh_update(c->t, &k, &first, T0, F_REQUEST, rel), 0);
	assert_int_equal(gw_neigh_count(c->t), 1);
	i = info_of(c->t, &k, T0 + 3);
	assert_int_equal(i.state, GW_NEIGH_STALE);
	assert_memory_equal(&i.mac, &first, sizeof(first));
	assert_int_equal(i.held, 0);
	assert_int_equal(i.age, 3);
	/* Usable at once, without a solicitation. */
	m = mb();
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 5, m, &mac), GW_NEIGH_SEND);
	assert_memory_equal(&mac, &first, sizeof(mac));
	/* F_CREATE alone behaves the same for a missing entry. */
	{
		struct gw_neigh_key k2 = key_of(0, "10.0.0.43");
		struct rte_ether_addr m43 = mac_of(43);

		assert_int_equal(gw_neigh_update(c->t, &k2, &m43, T0 + 6, GW_NEIGH_F_CREATE,
			rel), 0);
		i = info_of(c->t, &k2, T0 + 6);
		assert_int_equal(i.state, GW_NEIGH_STALE);
		assert_memory_equal(&i.mac, &m43, sizeof(m43));
	}
	/* The neighbour moved and answered: the new MAC wins, confirmed. */
	assert_int_equal(gw_neigh_update(c->t, &k, &moved, T0 + 10, F_ANSWER, rel), 0);
	i = info_of(c->t, &k, T0 + 10);
	assert_int_equal(i.state, GW_NEIGH_REACHABLE);
	assert_int_equal(i.age, 0);
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 11, m, &mac), GW_NEIGH_SEND);
	assert_memory_equal(&mac, &moved, sizeof(mac));
	/* A request from the old MAC overrides again, unconfirmed: STALE. */
	assert_int_equal(gw_neigh_update(c->t, &k, &first, T0 + 12, F_REQUEST, rel), 0);
	assert_state(c->t, &k, T0 + 12, GW_NEIGH_STALE);
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 13, m, &mac), GW_NEIGH_SEND);
	assert_memory_equal(&mac, &first, sizeof(mac));
	/* A request with the MAC already known changes nothing. */
	assert_int_equal(gw_neigh_update(c->t, &k, &first, T0 + 14, F_REQUEST, rel), 0);
	i = info_of(c->t, &k, T0 + 14);
	assert_int_equal(i.state, GW_NEIGH_STALE);
	assert_int_equal(i.age, 2);
	rte_pktmbuf_free(m);
	assert_int_equal(gw_neigh_count(c->t), 2);
	assert_int_equal(c->r.n_solicit, 0);
}

/*
 * Without F_OVERRIDE a different MAC is not taken (RFC 4861 §7.2.5): the
 * known one stays, and a REACHABLE entry turns STALE so it gets verified.
 */
static void
test_neigh_update_no_override(void **state)
{
	static const struct {
		const char *desc;
		unsigned int flags;
	} cases[] = {
		{ "solicited, no override", GW_NEIGH_F_SOLICITED },
		{ "no flags", 0 },
		{ "create, no override", GW_NEIGH_F_CREATE },
		{ "create and solicited, no override",
			GW_NEIGH_F_CREATE | GW_NEIGH_F_SOLICITED },
	};
	struct nctx *c = *state;
	struct rte_ether_addr mac, known = mac_of(44), other = mac_of(45);
	struct rte_mbuf *rel[GW_NEIGH_HOLD];

	for (size_t j = 0; j < RTE_DIM(cases); j++) {
		char ip[32];
		struct gw_neigh_key k;
		struct gw_neigh_info i;
		struct rte_mbuf *m;
		int rc;

		snprintf(ip, sizeof(ip), "10.0.2.%zu", j + 1);
		k = key_of(0, ip);
		learn_reachable(c->t, &k, &known, T0);
		/* REACHABLE: kept MAC, now STALE, confirmation time unchanged. */
		rc = gw_neigh_update(c->t, &k, &other, T0 + 10, cases[j].flags, rel);
		i = info_of(c->t, &k, T0 + 10);
		if (rc != 0 || i.state != GW_NEIGH_STALE ||
				memcmp(&i.mac, &known, sizeof(known)) != 0 || i.age != 10)
			fail_msg("%s, reachable: rc %d, state %s, age %" PRIu64 ", MAC %s",
				cases[j].desc, rc, gw_neigh_state_name(i.state), i.age,
				memcmp(&i.mac, &known, sizeof(known)) == 0 ? "kept" : "changed");
		/* STALE: still nothing taken, still STALE. */
		rc = gw_neigh_update(c->t, &k, &other, T0 + 20, cases[j].flags, rel);
		i = info_of(c->t, &k, T0 + 20);
		if (rc != 0 || i.state != GW_NEIGH_STALE ||
				memcmp(&i.mac, &known, sizeof(known)) != 0 || i.age != 20)
			fail_msg("%s, stale: rc %d, state %s, age %" PRIu64 ", MAC %s",
				cases[j].desc, rc, gw_neigh_state_name(i.state), i.age,
				memcmp(&i.mac, &known, sizeof(known)) == 0 ? "kept" : "changed");
		/* Packets still go to the known MAC; being stale, its use asks again. */
		m = mb();
		rc = gw_neigh_resolve(c->t, &k, T0 + 30, m, &mac);
		rte_pktmbuf_free(m);
		if (rc != GW_NEIGH_SEND || memcmp(&mac, &known, sizeof(mac)) != 0)
			fail_msg("%s: resolve %d or wrong MAC", cases[j].desc, rc);
		if (c->r.n_solicit != j + 1)
			fail_msg("%s: %u solicitations, want %zu", cases[j].desc, c->r.n_solicit,
				j + 1);
		assert_memory_equal(&c->r.solicited[j], &k, sizeof(k));
	}
	assert_int_equal(gw_neigh_count(c->t), RTE_DIM(cases));
	assert_int_equal(c->r.n_drop, 0);
}

/*
 * F_OVERRIDE without F_SOLICITED (an unsolicited NA with O, a request from
 * a moved neighbour) takes the new MAC, unconfirmed: STALE, first asked
 * again only after `reachable`.
 */
static void
test_neigh_update_override_unsolicited(void **state)
{
	static const struct {
		const char *desc;
		unsigned int flags;
	} cases[] = {
		{ "override only", GW_NEIGH_F_OVERRIDE },
		{ "request (create, override)", F_REQUEST },
	};
	struct nctx *c = *state;
	struct rte_ether_addr mac, old = mac_of(46), neu = mac_of(47);
	struct rte_mbuf *rel[GW_NEIGH_HOLD];

	for (size_t j = 0; j < RTE_DIM(cases); j++) {
		char ip[32];
		struct gw_neigh_key k;
		struct gw_neigh_info i;
		struct rte_mbuf *m = mb();
		unsigned int before = c->r.n_solicit;

		snprintf(ip, sizeof(ip), "10.0.3.%zu", j + 1);
		k = key_of(0, ip);
		learn_reachable(c->t, &k, &old, T0);
		assert_int_equal(gw_neigh_update(c->t, &k, &neu, T0 + 10, cases[j].flags, rel), 0);
		i = info_of(c->t, &k, T0 + 15);
		if (i.state != GW_NEIGH_STALE || memcmp(&i.mac, &neu, sizeof(neu)) != 0 ||
				i.age != 5)
			fail_msg("%s: state %s, age %" PRIu64 ", MAC %s", cases[j].desc,
				gw_neigh_state_name(i.state), i.age,
				memcmp(&i.mac, &neu, sizeof(neu)) == 0 ? "new" : "old");
		/* Used with the new MAC, not solicited before `reachable` has passed. */
		assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 11, m, &mac), GW_NEIGH_SEND);
		assert_memory_equal(&mac, &neu, sizeof(mac));
		assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 10 + REACHABLE - 1, m, &mac),
			GW_NEIGH_SEND);
		if (c->r.n_solicit != before)
			fail_msg("%s: solicited before `reachable`", cases[j].desc);
		assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 10 + REACHABLE, m, &mac),
			GW_NEIGH_SEND);
		assert_memory_equal(&mac, &neu, sizeof(mac));
		if (c->r.n_solicit != before + 1)
			fail_msg("%s: %u solicitations after `reachable`, want %u", cases[j].desc,
				c->r.n_solicit - before, 1);
		rte_pktmbuf_free(m);
	}
	assert_int_equal(gw_neigh_count(c->t), RTE_DIM(cases));
}

/*
 * F_SOLICITED with the known MAC confirms the entry: REACHABLE, and the
 * confirmation time moves to now. Without F_SOLICITED the same MAC
 * confirms nothing. Each step ages the table first, so a state past
 * `reachable` is the table's own, not just the dump's view.
 */
static void
test_neigh_update_solicited_same_mac(void **state)
{
	static const struct {
		const char *desc;
		uint64_t at;
		unsigned int flags;
		enum gw_neigh_state state;
		uint64_t age;           /* at the update */
	} steps[] = {
		{ "request-created: stale", 0, F_REQUEST, GW_NEIGH_STALE, 0 },
		{ "solicited, no override: reachable", 40, GW_NEIGH_F_SOLICITED,
			GW_NEIGH_REACHABLE, 0 },
		{ "request, same MAC: no confirmation", 60, F_REQUEST, GW_NEIGH_REACHABLE, 20 },
		{ "override only, same MAC: no confirmation", 70, GW_NEIGH_F_OVERRIDE,
			GW_NEIGH_REACHABLE, 30 },
		{ "no flags, same MAC: nothing", 80, 0, GW_NEIGH_REACHABLE, 40 },
		{ "answer again: confirmed now", 500, F_ANSWER, GW_NEIGH_REACHABLE, 0 },
		/* Past reachable: the dump shows it stale. */
		{ "request after reachable: still stale", 500 + REACHABLE + 1, F_REQUEST,
			GW_NEIGH_STALE, REACHABLE + 1 },
		{ "solicited on a stale entry: reachable", 500 + REACHABLE + 5,
			GW_NEIGH_F_SOLICITED, GW_NEIGH_REACHABLE, 0 },
	};
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(1, "2001:db8:1::48");
	struct rte_ether_addr mac, want = mac_of(48);
	struct rte_mbuf *rel[GW_NEIGH_HOLD], *m;
	const uint64_t last = 500 + REACHABLE + 5;

	for (size_t j = 0; j < RTE_DIM(steps); j++) {
		struct gw_neigh_info i;
		int rc;

		gw_neigh_age(c->t, T0 + steps[j].at);
		rc = gw_neigh_update(c->t, &k, &want, T0 + steps[j].at, steps[j].flags, rel);
		i = info_of(c->t, &k, T0 + steps[j].at);
		if (rc != 0 || i.state != steps[j].state || i.age != steps[j].age ||
				memcmp(&i.mac, &want, sizeof(want)) != 0)
			fail_msg("%s: rc %d, state %s, age %" PRIu64 "; want %s, age %" PRIu64,
				steps[j].desc, rc, gw_neigh_state_name(i.state), i.age,
				gw_neigh_state_name((uint8_t)steps[j].state), steps[j].age);
	}
	/* Reachable for `reachable` ticks after the last confirmation, not before. */
	m = mb();
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + last + REACHABLE, m, &mac),
		GW_NEIGH_SEND);
	assert_state(c->t, &k, T0 + last + REACHABLE, GW_NEIGH_REACHABLE);
	assert_int_equal(c->r.n_solicit, 0);
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + last + REACHABLE + 1, m, &mac),
		GW_NEIGH_SEND);
	assert_state(c->t, &k, T0 + last + REACHABLE + 1, GW_NEIGH_STALE);
	assert_int_equal(c->r.n_solicit, 1);
	rte_pktmbuf_free(m);
}

/*
 * An entry learnt from a request is STALE but not yet in doubt: resolve
 * sends without soliciting until `reachable` has passed since the request,
 * then asks once, then once per retrans.
 */
static void
test_neigh_request_created_probe_delay(void **state)
{
	static const struct {
		const char *desc;
		bool resolve;           /* else age */
		uint64_t at;
		unsigned int solicits;
	} steps[] = {
		{ "first use", true, 1, 0 },
		{ "ageing never solicits", false, REACHABLE - 1, 0 },
		{ "one tick before `reachable`", true, REACHABLE - 1, 0 },
		{ "`reachable` after the request: one solicitation", true, REACHABLE, 1 },
		{ "right after: none", true, REACHABLE + 1, 1 },
		{ "one tick before retrans", true, REACHABLE + RETRANS - 1, 1 },
		{ "retrans later: the second", true, REACHABLE + RETRANS, 2 },
	};
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(0, "10.0.0.49");
	struct rte_ether_addr mac, want = mac_of(49);
	struct rte_mbuf *rel[GW_NEIGH_HOLD];

	assert_int_equal(gw_neigh_update(c->t, &k, &want, T0, F_REQUEST, rel), 0);
	for (size_t j = 0; j < RTE_DIM(steps); j++) {
		uint64_t now = T0 + steps[j].at;

		if (steps[j].resolve) {
			struct rte_mbuf *m = mb();
			int rc;

			memset(&mac, 0, sizeof(mac));
			rc = gw_neigh_resolve(c->t, &k, now, m, &mac);
			rte_pktmbuf_free(m);
			if (rc != GW_NEIGH_SEND || memcmp(&mac, &want, sizeof(mac)) != 0)
				fail_msg("%s: rc %d or wrong MAC", steps[j].desc, rc);
		} else {
			gw_neigh_age(c->t, now);
		}
		if (c->r.n_solicit != steps[j].solicits)
			fail_msg("%s: %u solicitations, want %u", steps[j].desc, c->r.n_solicit,
				steps[j].solicits);
		assert_state(c->t, &k, now, GW_NEIGH_STALE);
	}
	assert_memory_equal(&c->r.solicited[0], &k, sizeof(k));
	/* The answer confirms it. */
	assert_int_equal(gw_neigh_update(c->t, &k, &want, T0 + 1500, F_ANSWER, rel), 0);
	assert_state(c->t, &k, T0 + 1500, GW_NEIGH_REACHABLE);
	assert_int_equal(c->r.n_drop, 0);
}

/*
 * Any update of an INCOMPLETE entry gives it the MAC and releases its held
 * packets in order: REACHABLE if solicited, else STALE (and then first
 * asked again only after `reachable`).
 */
static void
test_neigh_incomplete_any_update(void **state)
{
	static const struct {
		const char *desc;
		unsigned int flags;
		enum gw_neigh_state state;
	} cases[] = {
		{ "answer", F_ANSWER, GW_NEIGH_REACHABLE },
		{ "solicited only", GW_NEIGH_F_SOLICITED, GW_NEIGH_REACHABLE },
		{ "request", F_REQUEST, GW_NEIGH_STALE },
		{ "create only", GW_NEIGH_F_CREATE, GW_NEIGH_STALE },
		{ "override only", GW_NEIGH_F_OVERRIDE, GW_NEIGH_STALE },
		{ "no flags", 0, GW_NEIGH_STALE },
	};
	struct nctx *c = *state;
	struct rte_ether_addr want = mac_of(50);

	for (size_t j = 0; j < RTE_DIM(cases); j++) {
		char ip[32];
		struct gw_neigh_key k;
		struct gw_neigh_info i;
		struct rte_ether_addr mac;
		struct rte_mbuf *m[2], *rel[GW_NEIGH_HOLD];
		unsigned int before;
		int n;

		snprintf(ip, sizeof(ip), "2001:db8::5:%zu", j + 1);
		k = key_of(0, ip);
		for (int p = 0; p < 2; p++) {
			m[p] = mb();
			assert_int_equal(gw_neigh_resolve(c->t, &k, T0, m[p], &mac), GW_NEIGH_HELD);
		}
		before = c->r.n_solicit;
		memset(rel, 0, sizeof(rel));
		n = gw_neigh_update(c->t, &k, &want, T0 + 10, cases[j].flags, rel);
		if (n != 2 || rel[0] != m[0] || rel[1] != m[1])
			fail_msg("%s: %d released, or not in order", cases[j].desc, n);
		free_all(rel, 2);
		i = info_of(c->t, &k, T0 + 10);
		if (i.state != cases[j].state || i.held != 0 ||
				memcmp(&i.mac, &want, sizeof(want)) != 0)
			fail_msg("%s: state %s, %u held", cases[j].desc,
				gw_neigh_state_name(i.state), i.held);
		/* Used at once; a STALE one is asked again only `reachable` later. */
		{
			struct rte_mbuf *x = mb();

			assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 11, x, &mac),
				GW_NEIGH_SEND);
			assert_memory_equal(&mac, &want, sizeof(mac));
			assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 10 + REACHABLE - 1, x,
				&mac), GW_NEIGH_SEND);
			rte_pktmbuf_free(x);
		}
		if (c->r.n_solicit != before)
			fail_msg("%s: solicited within `reachable`", cases[j].desc);
	}
	assert_int_equal(c->r.n_drop, 0);
}

/* Port and family are part of the key. */
static void
test_neigh_keys_distinct(void **state)
{
	struct nctx *c = *state;
	struct gw_neigh_key k[] = {
		key_of(0, "10.0.0.1"),
		key_of(1, "10.0.0.1"),
		key_of(0, "a00:1::"),   /* 10.0.0.1's bytes, as IPv6 */
		key_of(0, "2001:db8::1"),
	};
	struct rte_ether_addr mac, want = mac_of(1);
	struct rte_mbuf *m[RTE_DIM(k)], *rel[GW_NEIGH_HOLD];

	for (size_t i = 0; i < RTE_DIM(k); i++) {
		m[i] = mb();
		assert_int_equal(gw_neigh_resolve(c->t, &k[i], T0, m[i], &mac), GW_NEIGH_HELD);
	}
	assert_int_equal(gw_neigh_count(c->t), RTE_DIM(k));
	assert_int_equal(c->r.n_solicit, RTE_DIM(k));
	for (size_t i = 0; i < RTE_DIM(k); i++)
		assert_memory_equal(&c->r.solicited[i], &k[i], sizeof(k[i]));
	/* An answer on port 1 releases port 1's packet only. */
	assert_int_equal(gw_neigh_update(c->t, &k[1], &want, T0 + 1, F_ANSWER, rel), 1);
	assert_ptr_equal(rel[0], m[1]);
	rte_pktmbuf_free(rel[0]);
	assert_state(c->t, &k[0], T0 + 1, GW_NEIGH_INCOMPLETE);
	assert_state(c->t, &k[1], T0 + 1, GW_NEIGH_REACHABLE);
	assert_state(c->t, &k[2], T0 + 1, GW_NEIGH_INCOMPLETE);
	assert_int_equal(gw_neigh_update(c->t, &k[3], &want, T0 + 1, F_ANSWER, rel), 1);
	assert_ptr_equal(rel[0], m[3]);
	rte_pktmbuf_free(rel[0]);
	assert_state(c->t, &k[2], T0 + 1, GW_NEIGH_INCOMPLETE);
}

/*
 * Capacity counts entries in every state; with nothing STALE to evict a
 * full table refuses new ones; freed entries make room.
 */
static void
test_neigh_capacity(void **state)
{
	struct nctx *c = *state;
	struct rec r;
	struct gw_neigh_table *t;
	struct gw_neigh_key k[9];
	struct rte_ether_addr mac, want = mac_of(9);
	struct rte_mbuf *m, *rel[GW_NEIGH_HOLD];
	unsigned int avail0 = rte_mempool_avail_count(pool);

	memset(&r, 0, sizeof(r));
	/* 8 is the smallest rte_hash: one bucket, so all 8 keys always fit. */
	t = table_new(8, &r);
	(void)c;
	for (int i = 0; i < 9; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "10.0.1.%d", i + 1);
		k[i] = key_of(0, ip);
	}
	/* Full of INCOMPLETE entries: nothing to evict. */
	for (int i = 0; i < 8; i++)
		assert_int_equal(gw_neigh_resolve(t, &k[i], T0, mb(), &mac), GW_NEIGH_HELD);
	assert_int_equal(gw_neigh_count(t), 8);
	m = mb();
	assert_int_equal(gw_neigh_resolve(t, &k[8], T0, m, &mac), -ENOSPC);
	/* Still the caller's: it can be freed, and the table did not keep it. */
	rte_pktmbuf_free(m);
	assert_int_equal(gw_neigh_update(t, &k[8], &want, T0, F_REQUEST, rel), -ENOSPC);
	assert_int_equal(gw_neigh_count(t), 8);
	assert_int_equal(r.n_solicit, 8);
	/* Existing entries still learn. */
	assert_int_equal(gw_neigh_update(t, &k[0], &want, T0 + 1, F_ANSWER, rel), 1);
	rte_pktmbuf_free(rel[0]);
	/* One REACHABLE among INCOMPLETE ones: still nothing to evict. */
	assert_int_equal(gw_neigh_update(t, &k[8], &want, T0 + 2, F_REQUEST, rel), -ENOSPC);
	assert_int_equal(gw_neigh_count(t), 8);
	assert_int_equal(r.n_drop, 0);
	/* The 7 unanswered ones give up; room again. */
	for (uint64_t at = RETRANS; at <= MAX_PROBES * RETRANS; at += RETRANS)
		gw_neigh_age(t, T0 + at);
	assert_int_equal(r.n_drop, 7);
	assert_int_equal(gw_neigh_count(t), 1);
	m = mb();
	assert_int_equal(gw_neigh_resolve(t, &k[8], T0 + 400, m, &mac), GW_NEIGH_HELD);
	assert_int_equal(gw_neigh_update(t, &k[1], &want, T0 + 401, F_REQUEST, rel), 0);
	assert_int_equal(gw_neigh_count(t), 3);
	gw_neigh_free(t);
	assert_int_equal(rte_mempool_avail_count(pool), avail0);
}

/* 10.0.0.0 + @i on port 0. */
static struct gw_neigh_key
key_seq(uint32_t i)
{
	struct gw_neigh_key k;
	uint32_t a = htonl(0x0a000000u + i);

	memset(&k, 0, sizeof(k));
	k.family = AF_INET;
	memcpy(k.ip, &a, 4);
	return k;
}

/*
 * A table of capacity N holds N neighbours, whatever their addresses: a
 * subnet's worth of sequential addresses must not be refused before then.
 * They are confirmed (REACHABLE), so the N+1th is refused, not let in by
 * evicting one.
 */
static void
test_neigh_capacity_fills(void **state)
{
	static const uint32_t caps[] = { 64, 256, 1024 };
	struct nctx *c = *state;
	struct rte_ether_addr want = mac_of(1);
	struct rte_mbuf *rel[GW_NEIGH_HOLD];

	(void)c;
	for (size_t ci = 0; ci < RTE_DIM(caps); ci++) {
		struct rec r;
		struct gw_neigh_table *t;
		uint32_t n = 0;
		int rc = 0;

		memset(&r, 0, sizeof(r));
		t = table_new(caps[ci], &r);
		for (uint32_t i = 0; i <= caps[ci]; i++) {
			struct gw_neigh_key k = key_seq(i);

			rc = gw_neigh_update(t, &k, &want, T0, F_REQUEST, rel);
			if (rc < 0)
				break;
			rc = gw_neigh_update(t, &k, &want, T0, F_ANSWER, rel);
			if (rc < 0)
				break;
			n++;
		}
		if (n != caps[ci] || rc != -ENOSPC || gw_neigh_count(t) != caps[ci]) {
			uint32_t count = gw_neigh_count(t);

			gw_neigh_free(t);
			fail_msg("capacity %u: %u neighbours learnt before %d (%u entries), "
				"want %u then -ENOSPC", caps[ci], n, rc, count, caps[ci]);
		}
		gw_neigh_free(t);
	}
}

/*
 * A full table of STALE entries (requests from many senders) still lets a
 * new neighbour in: the least recently used STALE entry goes, nothing held
 * is dropped, and entries used since stay.
 */
static void
test_neigh_full_evicts_stale_lru(void **state)
{
	struct nctx *c = *state;
	struct rec r;
	struct gw_neigh_table *t;
	struct gw_neigh_key k[11];
	struct rte_ether_addr mac, want = mac_of(10), moved = mac_of(11);
	struct rte_mbuf *m, *rel[GW_NEIGH_HOLD];
	unsigned int avail0 = rte_mempool_avail_count(pool);

	(void)c;
	memset(&r, 0, sizeof(r));
	t = table_new(8, &r);
	for (int i = 0; i < 11; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "10.0.4.%d", i + 1);
		k[i] = key_of(0, ip);
	}
	/* k[i] learnt (STALE) at T0 + i: k[0] is the oldest... */
	for (int i = 0; i < 8; i++) {
		assert_int_equal(gw_neigh_update(t, &k[i], &want, T0 + (uint64_t)i, F_REQUEST,
			rel), 0);
		assert_state(t, &k[i], T0 + (uint64_t)i, GW_NEIGH_STALE);
	}
	assert_int_equal(gw_neigh_count(t), 8);
	/* ...but used since, so k[1] is the least recently used. */
	m = mb();
	assert_int_equal(gw_neigh_resolve(t, &k[0], T0 + 100, m, &mac), GW_NEIGH_SEND);
	rte_pktmbuf_free(m);

	assert_int_equal(gw_neigh_update(t, &k[8], &want, T0 + 200, F_REQUEST, rel), 0);
	assert_int_equal(gw_neigh_count(t), 8);
	assert_false(in_dump(t, &k[1], T0 + 200));
	assert_true(in_dump(t, &k[0], T0 + 200));
	{
		struct gw_neigh_info i = info_of(t, &k[8], T0 + 200);

		assert_int_equal(i.state, GW_NEIGH_STALE);
		assert_memory_equal(&i.mac, &want, sizeof(want));
	}
	/* Next: k[2]. */
	assert_int_equal(gw_neigh_update(t, &k[9], &want, T0 + 201, F_REQUEST, rel), 0);
	assert_int_equal(gw_neigh_count(t), 8);
	assert_false(in_dump(t, &k[2], T0 + 201));
	/* A miss evicts too: k[3] goes, the packet is held, k[10] solicited. */
	m = mb();
	assert_int_equal(gw_neigh_resolve(t, &k[10], T0 + 202, m, &mac), GW_NEIGH_HELD);
	assert_int_equal(gw_neigh_count(t), 8);
	assert_false(in_dump(t, &k[3], T0 + 202));
	assert_state(t, &k[10], T0 + 202, GW_NEIGH_INCOMPLETE);
	assert_int_equal(r.n_solicit, 1);
	assert_memory_equal(&r.solicited[0], &k[10], sizeof(k[10]));
	/* Updating a known entry in a full table evicts nothing. */
	assert_int_equal(gw_neigh_update(t, &k[0], &moved, T0 + 203, F_REQUEST, rel), 0);
	assert_int_equal(gw_neigh_count(t), 8);
	{
		static const int kept[] = { 0, 4, 5, 6, 7, 8, 9, 10 };

		for (size_t i = 0; i < RTE_DIM(kept); i++)
			if (!in_dump(t, &k[kept[i]], T0 + 203))
				fail_msg("k[%d] evicted", kept[i]);
	}
	assert_int_equal(r.n_drop, 0);
	gw_neigh_free(t);
	assert_int_equal(rte_mempool_avail_count(pool), avail0);
}

/*
 * Only STALE entries are evicted: a full table of REACHABLE and INCOMPLETE
 * entries refuses requests and misses with -ENOSPC until one turns STALE,
 * and a request-created entry is itself the next victim until confirmed.
 */
static void
test_neigh_full_no_stale(void **state)
{
	struct nctx *c = *state;
	struct rec r;
	struct gw_neigh_table *t;
	struct gw_neigh_key k[11];
	struct rte_ether_addr mac, want = mac_of(12), other = mac_of(13);
	struct rte_mbuf *m, *rel[GW_NEIGH_HOLD];
	unsigned int avail0 = rte_mempool_avail_count(pool);

	(void)c;
	memset(&r, 0, sizeof(r));
	t = table_new(8, &r);
	for (int i = 0; i < 11; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "10.0.5.%d", i + 1);
		k[i] = key_of(0, ip);
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(gw_neigh_resolve(t, &k[i], T0, mb(), &mac), GW_NEIGH_HELD);
	for (int i = 4; i < 8; i++)
		learn_reachable(t, &k[i], &want, T0);
	assert_int_equal(gw_neigh_count(t), 8);

	assert_int_equal(gw_neigh_update(t, &k[8], &want, T0 + 1, F_REQUEST, rel), -ENOSPC);
	assert_int_equal(gw_neigh_update(t, &k[8], &want, T0 + 1, GW_NEIGH_F_CREATE, rel),
		-ENOSPC);
	m = mb();
	assert_int_equal(gw_neigh_resolve(t, &k[8], T0 + 1, m, &mac), -ENOSPC);
	rte_pktmbuf_free(m);
	assert_int_equal(gw_neigh_count(t), 8);
	for (int i = 0; i < 8; i++)
		assert_true(in_dump(t, &k[i], T0 + 1));
	assert_int_equal(r.n_solicit, 4);

	/* A different MAC without override turns k[5] STALE: it is the victim. */
	assert_int_equal(gw_neigh_update(t, &k[5], &other, T0 + 2, GW_NEIGH_F_SOLICITED, rel),
		0);
	assert_state(t, &k[5], T0 + 2, GW_NEIGH_STALE);
	assert_int_equal(gw_neigh_update(t, &k[8], &want, T0 + 3, F_REQUEST, rel), 0);
	assert_int_equal(gw_neigh_count(t), 8);
	assert_false(in_dump(t, &k[5], T0 + 3));
	assert_state(t, &k[8], T0 + 3, GW_NEIGH_STALE);
	/* k[8] came from a request, unconfirmed: the next request replaces it. */
	assert_int_equal(gw_neigh_update(t, &k[9], &want, T0 + 4, F_REQUEST, rel), 0);
	assert_false(in_dump(t, &k[8], T0 + 4));
	/* Confirmed, k[9] stays: nothing STALE is left. */
	assert_int_equal(gw_neigh_update(t, &k[9], &want, T0 + 5, F_ANSWER, rel), 0);
	assert_int_equal(gw_neigh_update(t, &k[10], &want, T0 + 6, F_REQUEST, rel), -ENOSPC);
	assert_int_equal(gw_neigh_count(t), 8);
	{
		static const int kept[] = { 0, 1, 2, 3, 4, 6, 7, 9 };

		for (size_t i = 0; i < RTE_DIM(kept); i++)
			if (!in_dump(t, &k[kept[i]], T0 + 6))
				fail_msg("k[%d] evicted", kept[i]);
	}
	assert_int_equal(r.n_drop, 0);
	gw_neigh_free(t);
	assert_int_equal(rte_mempool_avail_count(pool), avail0);
}

/*
 * Eviction looks at a sample of 64 entries, from a cursor that moves on:
 * in a full table of 128 with a single STALE entry, placed past the first
 * 64 in iteration order, the second request finds it at the latest.
 */
static void
test_neigh_full_evict_sample_rotates(void **state)
{
	enum { CAP = 128, VICTIM_AT = 100 };
	struct nctx *c = *state;
	struct rec r;
	struct gw_neigh_table *t;
	struct gw_neigh_info *out;
	struct gw_neigh_key victim, newk = key_seq(CAP);
	struct rte_ether_addr want = mac_of(14), other = mac_of(15);
	struct rte_mbuf *rel[GW_NEIGH_HOLD];
	bool victim_seen = false, new_seen = false, others_reachable = true;
	int rc = -1, tries;
	uint32_t n;

	(void)c;
	memset(&r, 0, sizeof(r));
	t = table_new(CAP, &r);
	out = calloc(CAP + 1, sizeof(*out));
	assert_non_null(out);
	for (uint32_t i = 0; i < CAP; i++) {
		struct gw_neigh_key k = key_seq(i);

		assert_int_equal(gw_neigh_update(t, &k, &want, T0, F_REQUEST, rel), 0);
		assert_int_equal(gw_neigh_update(t, &k, &want, T0, F_ANSWER, rel), 0);
	}
	assert_int_equal(gw_neigh_dump(t, T0, out, CAP + 1), CAP);
	victim = out[VICTIM_AT].key;
	assert_int_equal(gw_neigh_update(t, &victim, &other, T0 + 1, GW_NEIGH_F_SOLICITED,
		rel), 0);
	for (tries = 1; tries <= 2; tries++) {
		rc = gw_neigh_update(t, &newk, &want, T0 + 2, F_REQUEST, rel);
		if (rc != -ENOSPC)
			break;
		assert_int_equal(gw_neigh_count(t), CAP);
	}
	if (rc != 0) {
		free(out);
		gw_neigh_free(t);
		fail_msg("no room after %d requests: rc %d", tries - 1, rc);
	}
	n = gw_neigh_dump(t, T0 + 2, out, CAP + 1);
	for (uint32_t i = 0; i < n; i++) {
		if (memcmp(&out[i].key, &victim, sizeof(victim)) == 0)
			victim_seen = true;
		if (memcmp(&out[i].key, &newk, sizeof(newk)) == 0)
			new_seen = true;
		else if (out[i].state != GW_NEIGH_REACHABLE)
			others_reachable = false;
	}
	free(out);
	assert_int_equal(gw_neigh_count(t), CAP);
	gw_neigh_free(t);
	assert_int_equal(n, CAP);
	assert_false(victim_seen);
	assert_true(new_seen);
	assert_true(others_reachable);
}

/* The dump shows every entry with its key, MAC, state, held count and age. */
static void
test_neigh_dump(void **state)
{
	struct nctx *c = *state;
	struct gw_neigh_key inc = key_of(0, "10.0.0.50"), rea = key_of(1, "2001:db8:1::51"),
		sta = key_of(0, "10.0.0.52"), req = key_of(0, "10.0.0.53");
	struct rte_ether_addr mac, mrea = mac_of(51), msta = mac_of(52), mreq = mac_of(53);
	struct rte_mbuf *rel[GW_NEIGH_HOLD];
	struct gw_neigh_info out[8], i;
	const uint64_t now = T0 + 2000;
	bool seen[4] = { false, false, false, false };
	uint32_t n;

	learn_reachable(c->t, &sta, &msta, T0);
	learn_reachable(c->t, &rea, &mrea, T0 + 1500);
	assert_int_equal(gw_neigh_update(c->t, &req, &mreq, T0 + 1800, F_REQUEST, rel), 0);
	assert_int_equal(gw_neigh_resolve(c->t, &inc, T0 + 1990, mb(), &mac), GW_NEIGH_HELD);
	assert_int_equal(gw_neigh_resolve(c->t, &inc, T0 + 1995, mb(), &mac), GW_NEIGH_HELD);

	n = gw_neigh_dump(c->t, now, out, RTE_DIM(out));
	assert_int_equal(n, 4);
	for (uint32_t j = 0; j < n; j++) {
		i = out[j];
		if (memcmp(&i.key, &inc, sizeof(inc)) == 0) {
			seen[0] = true;
			assert_int_equal(i.state, GW_NEIGH_INCOMPLETE);
			assert_int_equal(i.held, 2);
			assert_int_equal(i.age, 10);
		} else if (memcmp(&i.key, &rea, sizeof(rea)) == 0) {
			seen[1] = true;
			assert_int_equal(i.state, GW_NEIGH_REACHABLE);
			assert_memory_equal(&i.mac, &mrea, sizeof(mrea));
			assert_int_equal(i.held, 0);
			assert_int_equal(i.age, 500);
		} else if (memcmp(&i.key, &sta, sizeof(sta)) == 0) {
			seen[2] = true;
			/* Past reachable with no ageing pass yet: shown as stale. */
			assert_int_equal(i.state, GW_NEIGH_STALE);
			assert_memory_equal(&i.mac, &msta, sizeof(msta));
			assert_int_equal(i.held, 0);
			assert_int_equal(i.age, 2000);
		} else if (memcmp(&i.key, &req, sizeof(req)) == 0) {
			seen[3] = true;
			/* Learnt from a request: stale from the start, aged since then. */
			assert_int_equal(i.state, GW_NEIGH_STALE);
			assert_memory_equal(&i.mac, &mreq, sizeof(mreq));
			assert_int_equal(i.held, 0);
			assert_int_equal(i.age, 200);
		} else {
			fail_msg("unexpected entry %u in the dump", j);
		}
	}
	assert_true(seen[0] && seen[1] && seen[2] && seen[3]);
	/* @max bounds the copy. */
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(gw_neigh_dump(c->t, now, out, 2), 2);
	assert_int_equal(out[2].held, 0xa5a5);
	assert_int_equal(gw_neigh_dump(c->t, now, out, 0), 0);
	/* Dumping changes nothing. */
	assert_int_equal(gw_neigh_count(c->t), 4);
	assert_int_equal(c->r.n_solicit, 1);
}

/* Freeing the table frees held packets without counting them as drops. */
static void
test_neigh_free_releases_held(void **state)
{
	struct nctx *c = *state;
	struct rec r;
	struct gw_neigh_table *t;
	struct gw_neigh_key a = key_of(0, "10.0.0.60"), b = key_of(0, "2001:db8::61");
	struct rte_ether_addr mac;
	unsigned int avail0 = rte_mempool_avail_count(pool);

	(void)c;
	memset(&r, 0, sizeof(r));
	t = table_new(64, &r);
	for (int i = 0; i < GW_NEIGH_HOLD; i++)
		assert_int_equal(gw_neigh_resolve(t, &a, T0, mb(), &mac), GW_NEIGH_HELD);
	for (int i = 0; i < 3; i++)
		assert_int_equal(gw_neigh_resolve(t, &b, T0, mb(), &mac), GW_NEIGH_HELD);
	assert_int_equal(rte_mempool_avail_count(pool), avail0 - GW_NEIGH_HOLD - 3);
	gw_neigh_free(t);
	assert_int_equal(rte_mempool_avail_count(pool), avail0);
	assert_int_equal(r.n_drop, 0);
	gw_neigh_free(NULL);
}

/* New parameters apply to existing entries. */
static void
test_neigh_set_params(void **state)
{
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(0, "10.0.0.70");
	struct rte_ether_addr mac, want = mac_of(70);
	struct rte_mbuf *m = mb();
	struct gw_neigh_params p = params;

	learn_reachable(c->t, &k, &want, T0);
	assert_state(c->t, &k, T0 + 11, GW_NEIGH_REACHABLE);
	p.reachable = 10;
	gw_neigh_set_params(c->t, &p);
	assert_state(c->t, &k, T0 + 11, GW_NEIGH_STALE);
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 11, m, &mac), GW_NEIGH_SEND);
	assert_int_equal(c->r.n_solicit, 1);
	rte_pktmbuf_free(m);
}

static void
test_neigh_state_names(void **state)
{
	static const struct {
		const char *desc;
		uint8_t state;
		const char *name;
	} cases[] = {
		{ "free", GW_NEIGH_FREE, "free" },
		{ "incomplete", GW_NEIGH_INCOMPLETE, "incomplete" },
		{ "reachable", GW_NEIGH_REACHABLE, "reachable" },
		{ "stale", GW_NEIGH_STALE, "stale" },
		{ "out of range", 200, "free" },
	};
	(void)state;
	for (size_t i = 0; i < RTE_DIM(cases); i++)
		if (strcmp(gw_neigh_state_name(cases[i].state), cases[i].name) != 0)
			fail_msg("%s: %s", cases[i].desc, gw_neigh_state_name(cases[i].state));
}

int
main(void)
{
#define NT(f) cmocka_unit_test_setup_teardown(f, neigh_setup, neigh_teardown)
	const struct CMUnitTest neigh_tests[] = {
		NT(test_neigh_miss_holds),
		NT(test_neigh_hold_limit_and_release),
		NT(test_neigh_stale_still_sends),
		NT(test_neigh_incomplete_gives_up),
		NT(test_neigh_stale_gc),
		NT(test_neigh_stale_probes_exhausted),
		NT(test_neigh_update_no_create),
		NT(test_neigh_update_create),
		NT(test_neigh_update_no_override),
		NT(test_neigh_update_override_unsolicited),
		NT(test_neigh_update_solicited_same_mac),
		NT(test_neigh_request_created_probe_delay),
		NT(test_neigh_incomplete_any_update),
		NT(test_neigh_keys_distinct),
		NT(test_neigh_capacity),
		NT(test_neigh_capacity_fills),
		NT(test_neigh_full_evicts_stale_lru),
		NT(test_neigh_full_no_stale),
		NT(test_neigh_full_evict_sample_rotates),
		NT(test_neigh_dump),
		NT(test_neigh_free_releases_held),
		NT(test_neigh_set_params),
		NT(test_neigh_state_names),
	};
#undef NT
	return cmocka_run_group_tests_name("gw_neigh", neigh_tests, neigh_group_setup,
		neigh_group_teardown);
}
