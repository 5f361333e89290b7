/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/flow: the per-worker L4 flow table alone, driven by a virtual clock
 * (plain millisecond integers passed in).
 *
 * Directed tests cover each promise of gw_flow.h: both lookups for both
 * families, -EEXIST on either key without leaving anything behind, delete,
 * the key accessors, state classes, per-class expiry (a head touched after
 * it was queued survives, budgets, the exact timeout boundary, a 32-bit
 * clock wrap), eviction of the oldest idle flow in a full table (also when
 * the first one queued was touched since, and across class lists), walks
 * that stop and resume, memory accounting. A randomized run against a
 * plain array model checks counts, lookups and keys after thousands of
 * mixed operations, that expiry never removes a live flow and removes
 * every dead one within its bound, and that a full table always evicts
 * exactly one flow instead of failing. Needs EAL (rte_hash).
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

#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_memory.h>

#include "gw_flow.h"
#include "gw_test_eal.h"

#define CAP 64

/* Pointer to a temporary copy of a key value. */
#define KP(k) (&(union gw_flow_key[1]){ (k) }[0])

static unsigned int table_seq;

/* Timeouts per class in ms (syn, established, closing, time_wait, udp). */
static const uint32_t timeouts[GW_FLOW_N_CLASS] = { 100, 1000, 300, 50, 200 };

static struct gw_flow_table *
new_table(uint32_t capacity)
{
	char name[32];
	struct gw_flow_table *t;

	snprintf(name, sizeof(name), "tflow%u", table_seq++);
	t = gw_flow_table_create(name, capacity, SOCKET_ID_ANY);
	assert_non_null(t);
	return t;
}

/* Forward key: client 10.1.x.y:sport -> VIP 10.77.1.10:80, TCP or UDP. */
static union gw_flow_key
fwd4(uint32_t n, uint8_t proto)
{
	union gw_flow_key k;

	memset(&k, 0, sizeof(k));
	k.v4.src = htonl(0x0a010000u + (n >> 8));
	k.v4.dst = htonl(0x0a4d010au);
	k.v4.sport = htons((uint16_t)(40000 + (n & 0xff)));
	k.v4.dport = htons(80);
	k.v4.proto = proto;
	return k;
}

/* Reverse key: backend 10.77.2.11:8080 -> SNAT 10.77.2.1:(1024 + n). */
static union gw_flow_key
rev4(uint32_t n, uint8_t proto)
{
	union gw_flow_key k;

	memset(&k, 0, sizeof(k));
	k.v4.src = htonl(0x0a4d020bu);
	k.v4.dst = htonl(0x0a4d0201u);
	k.v4.sport = htons(8080);
	k.v4.dport = htons((uint16_t)(1024 + n));
	k.v4.proto = proto;
	return k;
}

static union gw_flow_key
fwd6(uint32_t n, uint8_t proto)
{
	union gw_flow_key k;

	memset(&k, 0, sizeof(k));
	inet_pton(AF_INET6, "fd00:77:1::2", k.v6.src);
	k.v6.src[12] = (uint8_t)(n >> 8);
	k.v6.src[13] = (uint8_t)(n >> 16);
	inet_pton(AF_INET6, "fd00:77:1::10", k.v6.dst);
	k.v6.sport = htons((uint16_t)(40000 + (n & 0xff)));
	k.v6.dport = htons(80);
	k.v6.proto = proto;
	return k;
}

static union gw_flow_key
rev6(uint32_t n, uint8_t proto)
{
	union gw_flow_key k;

	memset(&k, 0, sizeof(k));
	inet_pton(AF_INET6, "fd00:77:2::11", k.v6.src);
	inet_pton(AF_INET6, "fd00:77:2::1", k.v6.dst);
	k.v6.src[11] = (uint8_t)(n >> 16);
	k.v6.sport = htons(8080);
	k.v6.dport = htons((uint16_t)(1024 + (n & 0xffff)));
	k.v6.proto = proto;
	return k;
}

static size_t
key_len(enum gw_flow_fam fam)
{
	return fam == GW_FLOW_V4 ? sizeof(struct gw_flow_key4) : sizeof(struct gw_flow_key6);
}

static union gw_flow_key
fwd_of(enum gw_flow_fam fam, uint32_t n, uint8_t proto)
{
	return fam == GW_FLOW_V4 ? fwd4(n, proto) : fwd6(n, proto);
}

static union gw_flow_key
rev_of(enum gw_flow_fam fam, uint32_t n, uint8_t proto)
{
	return fam == GW_FLOW_V4 ? rev4(n, proto) : rev6(n, proto);
}

static int
ins(struct gw_flow_table *t, enum gw_flow_fam fam, const union gw_flow_key *f,
	const union gw_flow_key *r, enum gw_flow_state s, uint32_t now, int *evicted)
{
	int ev = 0;
	int rc = gw_flow_insert(t, fam, f, gw_flow_hash(fam, f), r, gw_flow_hash(fam, r), s, now,
		&ev);

	if (evicted != NULL)
		*evicted = ev;
	return rc;
}

static int
find_f(struct gw_flow_table *t, enum gw_flow_fam fam, const union gw_flow_key *k)
{
	return gw_flow_find_fwd(t, fam, k, gw_flow_hash(fam, k));
}

static int
find_r(struct gw_flow_table *t, enum gw_flow_fam fam, const union gw_flow_key *k)
{
	return gw_flow_find_rev(t, fam, k, gw_flow_hash(fam, k));
}

static bool
rev_exists(struct gw_flow_table *t, enum gw_flow_fam fam, const union gw_flow_key *k)
{
	return gw_flow_rev_exists(t, fam, k, gw_flow_hash(fam, k));
}

/* Insert flow n of @fam (keys fwd_of/rev_of n) and check the new record. */
static int
ins_n(struct gw_flow_table *t, enum gw_flow_fam fam, uint32_t n, enum gw_flow_state s,
	uint32_t now)
{
	union gw_flow_key f = fwd_of(fam, n, s == GW_FLOW_UDP ? IPPROTO_UDP : IPPROTO_TCP);
	union gw_flow_key r = rev_of(fam, n, s == GW_FLOW_UDP ? IPPROTO_UDP : IPPROTO_TCP);
	int ev;
	int idx = ins(t, fam, &f, &r, s, now, &ev);

	if (idx < 0)
		fail_msg("insert of flow %u failed: %d", n, idx);
	assert_int_equal(ev, 0);
	return idx;
}

static bool
present_n(struct gw_flow_table *t, enum gw_flow_fam fam, uint32_t n, uint8_t proto)
{
	union gw_flow_key f = fwd_of(fam, n, proto), r = rev_of(fam, n, proto);
	int a = find_f(t, fam, &f), b = find_r(t, fam, &r);

	/* Both keys come and go together. */
	if ((a >= 0) != (b >= 0))
		fail_msg("flow %u: forward lookup %d but reverse lookup %d", n, a, b);
	if (a >= 0 && a != b)
		fail_msg("flow %u: forward index %d, reverse index %d", n, a, b);
	return a >= 0;
}

static void
touch(struct gw_flow_table *t, enum gw_flow_fam fam, int idx, uint32_t now)
{
	/* What the worker does on a packet of an existing flow. */
	gw_flow_at(t, fam, (uint32_t)idx)->seen = now;
}

static int
group_setup(void **state)
{
	(void)state;
	return gw_test_eal_init(1) == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------- basics */

/*
 * Keys are read by position straight from rte_hash's key store (layout
 * probed at creation); DPDK 22.11 must give the fast road, and it must
 * agree with the official rte_hash_get_key_with_position().
 */
static void
test_flow_key_store_fast_path(void **state)
{
	struct gw_flow_table *t = new_table(CAP);

	for (int f = 0; f < GW_FLOW_N_FAM; f++) {
		enum gw_flow_fam fam = (enum gw_flow_fam)f;
		int idx = ins_n(t, fam, 7, GW_FLOW_UDP, 100);

		assert_non_null(t->fam[f].fkeys.base);
		assert_non_null(t->fam[f].rkeys.base);
		assert_ptr_equal(gw_flow_fwd_key(t, fam, (uint32_t)idx),
			gw_flow_key_lookup(t->fam[f].fwd, (uint32_t)idx));
		assert_ptr_equal(gw_flow_rev_key(t, fam, (uint32_t)idx),
			gw_flow_key_lookup(t->fam[f].rev, t->fam[f].rec[idx].rev_pos));
	}
	gw_flow_table_free(t);
}

static void
test_flow_create_capacity(void **state)
{
	struct gw_flow_table *t = new_table(1);

	assert_int_equal(gw_flow_capacity(t), 64);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V4), 0);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V6), 0);
	gw_flow_table_free(t);
	t = new_table(100);
	assert_int_equal(gw_flow_capacity(t), 128);
	gw_flow_table_free(t);
	t = new_table(1024);
	assert_int_equal(gw_flow_capacity(t), 1024);
	gw_flow_table_free(t);
	gw_flow_table_free(NULL);
}

static void
test_flow_hash_is_crc32c_of_key(void **state)
{
	union gw_flow_key k4 = fwd4(7, IPPROTO_TCP), k6 = fwd6(7, IPPROTO_UDP);

	/* The spec's Maglev hash: rte_hash_crc of the 16/40-byte key, init 0. */
	assert_int_equal(sizeof(struct gw_flow_key4), 16);
	assert_int_equal(sizeof(struct gw_flow_key6), 40);
	assert_int_equal(gw_flow_hash(GW_FLOW_V4, &k4), rte_hash_crc(&k4, 16, 0));
	assert_int_equal(gw_flow_hash(GW_FLOW_V6, &k6), rte_hash_crc(&k6, 40, 0));
	assert_int_equal(sizeof(struct gw_flow), 32);
}

static void
test_flow_state_classes(void **state)
{
	static const struct {
		enum gw_flow_state s;
		enum gw_flow_class c;
	} cases[] = {
		{ GW_FLOW_TCP_SYN_SENT, GW_FLOW_C_SYN },
		{ GW_FLOW_TCP_SYN_RECV, GW_FLOW_C_SYN },
		{ GW_FLOW_TCP_ESTABLISHED, GW_FLOW_C_ESTABLISHED },
		{ GW_FLOW_TCP_FIN_WAIT, GW_FLOW_C_CLOSING },
		{ GW_FLOW_TCP_TIME_WAIT, GW_FLOW_C_TIME_WAIT },
		{ GW_FLOW_TCP_CLOSED, GW_FLOW_C_TIME_WAIT },
		{ GW_FLOW_UDP, GW_FLOW_C_UDP },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *name = gw_flow_state_name(cases[i].s);

		assert_int_equal(gw_flow_state_class(cases[i].s), cases[i].c);
		assert_non_null(name);
		assert_true(name[0] != '\0');
		/* Distinct names (dpgwctl show flows prints them). */
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(name, gw_flow_state_name(cases[j].s));
	}
	/* The names the l4 spec's JSON example and state list use. */
	assert_string_equal(gw_flow_state_name(GW_FLOW_TCP_ESTABLISHED), "established");
	assert_string_equal(gw_flow_state_name(GW_FLOW_TCP_CLOSED), "closed");
	assert_string_equal(gw_flow_state_name(GW_FLOW_UDP), "udp");
}

static void
check_insert_find(enum gw_flow_fam fam)
{
	struct gw_flow_table *t = new_table(CAP);
	union gw_flow_key f = fwd_of(fam, 1, IPPROTO_TCP), r = rev_of(fam, 1, IPPROTO_TCP);
	union gw_flow_key f2 = fwd_of(fam, 2, IPPROTO_TCP), r2 = rev_of(fam, 2, IPPROTO_TCP);
	union gw_flow_key fu = fwd_of(fam, 1, IPPROTO_UDP);
	enum gw_flow_fam other = fam == GW_FLOW_V4 ? GW_FLOW_V6 : GW_FLOW_V4;
	struct gw_flow *fl;
	int ev, idx, idx2;

	assert_int_equal(find_f(t, fam, &f), -ENOENT);
	assert_int_equal(find_r(t, fam, &r), -ENOENT);
	assert_false(rev_exists(t, fam, &r));
	idx = ins(t, fam, &f, &r, GW_FLOW_TCP_SYN_SENT, 5000, &ev);
	assert_true(idx >= 0);
	assert_true((uint32_t)idx < gw_flow_capacity(t));
	assert_int_equal(ev, 0);
	assert_int_equal(gw_flow_count(t, fam), 1);
	assert_int_equal(gw_flow_count(t, other), 0);
	assert_int_equal(find_f(t, fam, &f), idx);
	assert_int_equal(find_r(t, fam, &r), idx);
	assert_true(rev_exists(t, fam, &r));
	/* The forward key is not a reverse key and vice versa. */
	assert_int_equal(find_r(t, fam, &f), -ENOENT);
	assert_int_equal(find_f(t, fam, &r), -ENOENT);
	assert_false(rev_exists(t, fam, &f));
	/* Every field of the key counts: the protocol too. */
	assert_int_equal(find_f(t, fam, &fu), -ENOENT);

	fl = gw_flow_at(t, fam, (uint32_t)idx);
	assert_int_equal(fl->state, GW_FLOW_TCP_SYN_SENT);
	assert_int_equal(fl->cls, GW_FLOW_C_SYN);
	assert_int_equal(fl->seen, 5000);
	assert_int_equal(fl->fin, 0);
	assert_memory_equal(gw_flow_fwd_key(t, fam, (uint32_t)idx), &f, key_len(fam));
	assert_memory_equal(gw_flow_rev_key(t, fam, (uint32_t)idx), &r, key_len(fam));

	idx2 = ins(t, fam, &f2, &r2, GW_FLOW_UDP, 5001, &ev);
	assert_true(idx2 >= 0);
	assert_int_not_equal(idx2, idx);
	assert_int_equal(gw_flow_count(t, fam), 2);
	assert_int_equal(find_f(t, fam, &f2), idx2);
	assert_int_equal(find_r(t, fam, &r2), idx2);
	assert_int_equal(find_f(t, fam, &f), idx);
	assert_memory_equal(gw_flow_fwd_key(t, fam, (uint32_t)idx2), &f2, key_len(fam));
	assert_memory_equal(gw_flow_rev_key(t, fam, (uint32_t)idx2), &r2, key_len(fam));
	assert_int_equal(gw_flow_at(t, fam, (uint32_t)idx2)->cls, GW_FLOW_C_UDP);
	/* The other family's tables know nothing of these keys. */
	assert_int_equal(find_f(t, other, &f), -ENOENT);
	gw_flow_table_free(t);
}

static void
test_flow_insert_find_ipv4(void **state)
{
	check_insert_find(GW_FLOW_V4);
}

static void
test_flow_insert_find_ipv6(void **state)
{
	check_insert_find(GW_FLOW_V6);
}

static void
check_duplicates(enum gw_flow_fam fam)
{
	struct gw_flow_table *t = new_table(CAP);
	union gw_flow_key f = fwd_of(fam, 1, IPPROTO_TCP), r = rev_of(fam, 1, IPPROTO_TCP);
	union gw_flow_key f2 = fwd_of(fam, 2, IPPROTO_TCP), r2 = rev_of(fam, 2, IPPROTO_TCP);
	int ev, idx;

	idx = ins(t, fam, &f, &r, GW_FLOW_TCP_SYN_SENT, 10, &ev);
	assert_true(idx >= 0);
	/* Same forward key, new reverse key. */
	assert_int_equal(ins(t, fam, &f, &r2, GW_FLOW_TCP_SYN_SENT, 11, &ev), -EEXIST);
	assert_int_equal(ev, 0);
	/* Same reverse key (a SNAT port in use), new forward key. */
	assert_int_equal(ins(t, fam, &f2, &r, GW_FLOW_TCP_SYN_SENT, 12, &ev), -EEXIST);
	assert_int_equal(ev, 0);
	assert_int_equal(ins(t, fam, &f, &r, GW_FLOW_UDP, 13, &ev), -EEXIST);
	/* A refused insert leaves neither of its keys behind. */
	assert_int_equal(gw_flow_count(t, fam), 1);
	assert_int_equal(find_f(t, fam, &f2), -ENOENT);
	assert_false(rev_exists(t, fam, &r2));
	assert_int_equal(find_r(t, fam, &r2), -ENOENT);
	/* The original is untouched. */
	assert_int_equal(find_f(t, fam, &f), idx);
	assert_int_equal(find_r(t, fam, &r), idx);
	assert_int_equal(gw_flow_at(t, fam, (uint32_t)idx)->state, GW_FLOW_TCP_SYN_SENT);
	assert_int_equal(gw_flow_at(t, fam, (uint32_t)idx)->seen, 10);
	/* And the keys refused above are still free for a flow of their own. */
	assert_true(ins(t, fam, &f2, &r2, GW_FLOW_TCP_SYN_SENT, 14, &ev) >= 0);
	assert_int_equal(gw_flow_count(t, fam), 2);
	gw_flow_table_free(t);
}

static void
test_flow_duplicate_key_ipv4(void **state)
{
	check_duplicates(GW_FLOW_V4);
}

static void
test_flow_duplicate_key_ipv6(void **state)
{
	check_duplicates(GW_FLOW_V6);
}

static void
check_delete(enum gw_flow_fam fam)
{
	struct gw_flow_table *t = new_table(CAP);
	union gw_flow_key f = fwd_of(fam, 1, IPPROTO_UDP), r = rev_of(fam, 1, IPPROTO_UDP);
	int ev, idx, idx_b;

	idx = ins(t, fam, &f, &r, GW_FLOW_UDP, 100, &ev);
	assert_true(idx >= 0);
	idx_b = ins_n(t, fam, 2, GW_FLOW_UDP, 100);
	gw_flow_delete(t, fam, (uint32_t)idx);
	assert_int_equal(gw_flow_count(t, fam), 1);
	assert_int_equal(find_f(t, fam, &f), -ENOENT);
	assert_int_equal(find_r(t, fam, &r), -ENOENT);
	assert_false(rev_exists(t, fam, &r));
	assert_true(present_n(t, fam, 2, IPPROTO_UDP));
	assert_int_equal(find_f(t, fam, KP(fwd_of(fam, 2, IPPROTO_UDP))), idx_b);
	/* A deleted flow is no longer on its class list: expiry does not see it. */
	assert_int_equal(gw_flow_expire(t, 100 + 10000, timeouts, 100), 1);
	assert_int_equal(gw_flow_count(t, fam), 0);
	/* Both keys and the slot are free again: the same flow goes back in. */
	idx = ins(t, fam, &f, &r, GW_FLOW_UDP, 20000, &ev);
	assert_true(idx >= 0);
	assert_int_equal(ev, 0);
	assert_int_equal(find_r(t, fam, &r), idx);
	gw_flow_delete(t, fam, (uint32_t)idx);
	assert_int_equal(gw_flow_count(t, fam), 0);

	/* Fill, delete some, refill: the freed slots take new flows without evicting. */
	for (uint32_t i = 0; i < CAP; i++)
		ins_n(t, fam, 100 + i, GW_FLOW_UDP, 30000 + i);
	assert_int_equal(gw_flow_count(t, fam), CAP);
	for (uint32_t i = 0; i < CAP; i += 4) {
		union gw_flow_key k = fwd_of(fam, 100 + i, IPPROTO_UDP);

		gw_flow_delete(t, fam, (uint32_t)find_f(t, fam, &k));
	}
	assert_int_equal(gw_flow_count(t, fam), CAP - CAP / 4);
	for (uint32_t i = 0; i < CAP / 4; i++)
		ins_n(t, fam, 1000 + i, GW_FLOW_UDP, 31000);   /* asserts evicted == 0 */
	assert_int_equal(gw_flow_count(t, fam), CAP);
	for (uint32_t i = 0; i < CAP; i++)
		assert_true(present_n(t, fam, 100 + i, IPPROTO_UDP) == (i % 4 != 0));
	gw_flow_table_free(t);
}

static void
test_flow_delete_frees_keys_and_slot_ipv4(void **state)
{
	check_delete(GW_FLOW_V4);
}

static void
test_flow_delete_frees_keys_and_slot_ipv6(void **state)
{
	check_delete(GW_FLOW_V6);
}

static void
test_flow_flush(void **state)
{
	struct gw_flow_table *t = new_table(CAP);

	for (uint32_t i = 0; i < 10; i++) {
		ins_n(t, GW_FLOW_V4, i, GW_FLOW_UDP, 1);
		ins_n(t, GW_FLOW_V6, i, GW_FLOW_TCP_ESTABLISHED, 1);
	}
	gw_flow_flush(t);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V4), 0);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V6), 0);
	for (uint32_t i = 0; i < 10; i++) {
		assert_false(present_n(t, GW_FLOW_V4, i, IPPROTO_UDP));
		assert_false(present_n(t, GW_FLOW_V6, i, IPPROTO_TCP));
	}
	/* Nothing left on any list. */
	assert_int_equal(gw_flow_expire(t, 1u << 30, timeouts, 1000), 0);
	for (uint32_t i = 0; i < CAP; i++)
		ins_n(t, GW_FLOW_V4, 100 + i, GW_FLOW_UDP, 2);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V4), CAP);
	gw_flow_table_free(t);
}

/* ---------------------------------------------------------------- states */

static void
test_flow_set_state_moves_class(void **state)
{
	struct gw_flow_table *t = new_table(CAP);
	int a = ins_n(t, GW_FLOW_V4, 1, GW_FLOW_TCP_SYN_SENT, 0);
	int b = ins_n(t, GW_FLOW_V4, 2, GW_FLOW_TCP_SYN_SENT, 0);
	struct gw_flow *fa = gw_flow_at(t, GW_FLOW_V4, (uint32_t)a);

	gw_flow_set_state(t, GW_FLOW_V4, (uint32_t)a, GW_FLOW_TCP_SYN_RECV, 10);
	assert_int_equal(fa->state, GW_FLOW_TCP_SYN_RECV);
	assert_int_equal(fa->cls, GW_FLOW_C_SYN);
	assert_int_equal(fa->seen, 10);
	gw_flow_set_state(t, GW_FLOW_V4, (uint32_t)a, GW_FLOW_TCP_ESTABLISHED, 20);
	assert_int_equal(fa->state, GW_FLOW_TCP_ESTABLISHED);
	assert_int_equal(fa->cls, GW_FLOW_C_ESTABLISHED);
	assert_int_equal(fa->seen, 20);
	/* At 500 the SYN flow (idle 500 > 100) goes, the established one (idle 480) stays. */
	assert_int_equal(gw_flow_expire(t, 500, timeouts, 100), 1);
	assert_false(present_n(t, GW_FLOW_V4, 2, IPPROTO_TCP));
	assert_true(present_n(t, GW_FLOW_V4, 1, IPPROTO_TCP));
	(void)b;
	/* Closing: 300 ms from its last packet. */
	gw_flow_set_state(t, GW_FLOW_V4, (uint32_t)a, GW_FLOW_TCP_FIN_WAIT, 600);
	assert_int_equal(fa->cls, GW_FLOW_C_CLOSING);
	assert_int_equal(gw_flow_expire(t, 850, timeouts, 100), 0);
	assert_true(present_n(t, GW_FLOW_V4, 1, IPPROTO_TCP));
	/* Time-wait: 50 ms. */
	gw_flow_set_state(t, GW_FLOW_V4, (uint32_t)a, GW_FLOW_TCP_TIME_WAIT, 860);
	assert_int_equal(fa->cls, GW_FLOW_C_TIME_WAIT);
	assert_int_equal(gw_flow_expire(t, 890, timeouts, 100), 0);
	assert_int_equal(gw_flow_expire(t, 911, timeouts, 100), 1);
	assert_false(present_n(t, GW_FLOW_V4, 1, IPPROTO_TCP));
	assert_int_equal(gw_flow_count(t, GW_FLOW_V4), 0);

	/* RST: closed is in the time-wait class. */
	a = ins_n(t, GW_FLOW_V4, 3, GW_FLOW_TCP_ESTABLISHED, 1000);
	gw_flow_set_state(t, GW_FLOW_V4, (uint32_t)a, GW_FLOW_TCP_CLOSED, 1001);
	assert_int_equal(gw_flow_at(t, GW_FLOW_V4, (uint32_t)a)->cls, GW_FLOW_C_TIME_WAIT);
	assert_int_equal(gw_flow_expire(t, 1100, timeouts, 100), 1);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V4), 0);
	gw_flow_table_free(t);
}

/* ---------------------------------------------------------------- expiry */

static void
test_flow_expire_touched_head_survives(void **state)
{
	struct gw_flow_table *t = new_table(CAP);
	/* UDP timeout 200. */
	int a = ins_n(t, GW_FLOW_V4, 1, GW_FLOW_UDP, 0);

	ins_n(t, GW_FLOW_V4, 2, GW_FLOW_UDP, 10);
	touch(t, GW_FLOW_V4, a, 190);
	/* a queued long ago but seen at 190; b idle 195 < 200. */
	assert_int_equal(gw_flow_expire(t, 205, timeouts, 100), 0);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V4), 2);
	/* b idle 205: gone; a idle 25 stays. */
	assert_int_equal(gw_flow_expire(t, 215, timeouts, 100), 1);
	assert_false(present_n(t, GW_FLOW_V4, 2, IPPROTO_UDP));
	assert_true(present_n(t, GW_FLOW_V4, 1, IPPROTO_UDP));
	assert_int_equal(gw_flow_count(t, GW_FLOW_V4), 1);
	/* Touched again, several times, without any walk in between. */
	touch(t, GW_FLOW_V4, a, 300);
	touch(t, GW_FLOW_V4, a, 380);
	assert_int_equal(gw_flow_expire(t, 570, timeouts, 100), 0);
	assert_true(present_n(t, GW_FLOW_V4, 1, IPPROTO_UDP));
	assert_int_equal(gw_flow_expire(t, 581, timeouts, 100), 1);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V4), 0);
	gw_flow_table_free(t);
}

static void
test_flow_expire_boundary(void **state)
{
	struct gw_flow_table *t = new_table(CAP);

	ins_n(t, GW_FLOW_V6, 1, GW_FLOW_UDP, 1000);
	/* "idle longer than the timeout": exactly the timeout is not longer. */
	assert_int_equal(gw_flow_expire(t, 1000 + timeouts[GW_FLOW_C_UDP], timeouts, 10), 0);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V6), 1);
	assert_int_equal(gw_flow_expire(t, 1001 + timeouts[GW_FLOW_C_UDP], timeouts, 10), 1);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V6), 0);
	gw_flow_table_free(t);
}

static void
test_flow_expire_per_class_timeouts(void **state)
{
	struct gw_flow_table *t = new_table(CAP);
	/* One flow per class, all last seen at 0, IPv4 and IPv6. */
	static const enum gw_flow_state st[] = {
		GW_FLOW_TCP_SYN_SENT, GW_FLOW_TCP_ESTABLISHED, GW_FLOW_TCP_FIN_WAIT,
		GW_FLOW_TCP_TIME_WAIT, GW_FLOW_UDP,
	};
	uint32_t order[] = { 50, 100, 200, 300, 1000 };   /* sorted timeouts */
	unsigned int left = 10;

	for (uint32_t i = 0; i < 5; i++) {
		ins_n(t, GW_FLOW_V4, i, st[i], 0);
		ins_n(t, GW_FLOW_V6, i, st[i], 0);
	}
	for (unsigned int k = 0; k < 5; k++) {
		/* Just before the next timeout nothing more goes; just after, one per family. */
		assert_int_equal(gw_flow_expire(t, order[k] - 1, timeouts, 100), 0);
		assert_int_equal(gw_flow_expire(t, order[k] + 1, timeouts, 100), 2);
		left -= 2;
		assert_int_equal(gw_flow_count(t, GW_FLOW_V4) + gw_flow_count(t, GW_FLOW_V6), left);
		for (uint32_t i = 0; i < 5; i++) {
			bool alive = timeouts[gw_flow_state_class(st[i])] > order[k];
			uint8_t proto = st[i] == GW_FLOW_UDP ? IPPROTO_UDP : IPPROTO_TCP;

			assert_true(present_n(t, GW_FLOW_V4, i, proto) == alive);
			assert_true(present_n(t, GW_FLOW_V6, i, proto) == alive);
		}
	}
	gw_flow_table_free(t);
}

static void
test_flow_expire_budget(void **state)
{
	struct gw_flow_table *t = new_table(CAP);

	for (uint32_t i = 0; i < 10; i++)
		ins_n(t, GW_FLOW_V4, i, GW_FLOW_UDP, i);
	assert_int_equal(gw_flow_expire(t, 5000, timeouts, 3), 3);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V4), 7);
	/* The oldest go first. */
	for (uint32_t i = 0; i < 3; i++)
		assert_false(present_n(t, GW_FLOW_V4, i, IPPROTO_UDP));
	assert_int_equal(gw_flow_expire(t, 5000, timeouts, 3), 3);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V4), 4);
	assert_int_equal(gw_flow_expire(t, 5000, timeouts, 0), 0);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V4), 4);
	assert_int_equal(gw_flow_expire(t, 5000, timeouts, 100), 4);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V4), 0);
	assert_int_equal(gw_flow_expire(t, 5000, timeouts, 100), 0);
	gw_flow_table_free(t);
}

static void
test_flow_expire_clock_wrap(void **state)
{
	struct gw_flow_table *t = new_table(CAP);
	const uint32_t t0 = 0xffffff00u;

	/* The millisecond clock wraps every 49.7 days; idle times must not. */
	ins_n(t, GW_FLOW_V4, 1, GW_FLOW_TCP_ESTABLISHED, t0);
	ins_n(t, GW_FLOW_V4, 2, GW_FLOW_UDP, t0 + 0xf0);
	/* At 0x10 they are idle 272 and 32 ms: neither past its timeout (1000, 200). */
	assert_int_equal(gw_flow_expire(t, 0x10, timeouts, 100), 0);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V4), 2);
	/* At 0x10a the UDP one is idle 0x11a = 282 > 200. */
	assert_int_equal(gw_flow_expire(t, 0x10a, timeouts, 100), 1);
	assert_true(present_n(t, GW_FLOW_V4, 1, IPPROTO_TCP));
	/* 1001 ms after t0. */
	assert_int_equal(gw_flow_expire(t, t0 + 1001, timeouts, 100), 1);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V4), 0);
	gw_flow_table_free(t);
}

/* ---------------------------------------------------------------- eviction */

static void
check_evict_oldest(enum gw_flow_fam fam)
{
	struct gw_flow_table *t = new_table(CAP);
	int ev, idx;

	assert_int_equal(gw_flow_capacity(t), CAP);
	for (uint32_t i = 0; i < CAP; i++)
		ins_n(t, fam, i, GW_FLOW_UDP, 1000 + 10 * i);
	assert_int_equal(gw_flow_count(t, fam), CAP);
	/* One more: flow 0, seen at 1000, is the oldest idle. */
	idx = ins(t, fam, KP(fwd_of(fam, 500, IPPROTO_UDP)),
		KP(rev_of(fam, 500, IPPROTO_UDP)), GW_FLOW_UDP, 5000, &ev);
	assert_true(idx >= 0);
	assert_int_equal(ev, 1);
	assert_int_equal(gw_flow_count(t, fam), CAP);
	assert_false(present_n(t, fam, 0, IPPROTO_UDP));
	assert_true(present_n(t, fam, 500, IPPROTO_UDP));
	for (uint32_t i = 1; i < CAP; i++)
		assert_true(present_n(t, fam, i, IPPROTO_UDP));
	assert_false(rev_exists(t, fam, KP(rev_of(fam, 0, IPPROTO_UDP))));

	/* Flow 1 is now the first queued, but it was seen since: flow 2 is the oldest idle. */
	touch(t, fam, find_f(t, fam, KP(fwd_of(fam, 1, IPPROTO_UDP))), 5001);
	idx = ins(t, fam, KP(fwd_of(fam, 501, IPPROTO_UDP)),
		KP(rev_of(fam, 501, IPPROTO_UDP)), GW_FLOW_UDP, 5002, &ev);
	assert_true(idx >= 0);
	assert_int_equal(ev, 1);
	assert_true(present_n(t, fam, 1, IPPROTO_UDP));
	assert_false(present_n(t, fam, 2, IPPROTO_UDP));
	assert_true(present_n(t, fam, 3, IPPROTO_UDP));
	assert_true(present_n(t, fam, 501, IPPROTO_UDP));
	assert_int_equal(gw_flow_count(t, fam), CAP);

	/* Several heads touched in a row (3, 4, 5): 6 goes. */
	for (uint32_t i = 3; i <= 5; i++)
		touch(t, fam, find_f(t, fam, KP(fwd_of(fam, i, IPPROTO_UDP))),
			5003);
	idx = ins(t, fam, KP(fwd_of(fam, 502, IPPROTO_UDP)),
		KP(rev_of(fam, 502, IPPROTO_UDP)), GW_FLOW_UDP, 5004, &ev);
	assert_true(idx >= 0);
	assert_int_equal(ev, 1);
	for (uint32_t i = 3; i <= 5; i++)
		assert_true(present_n(t, fam, i, IPPROTO_UDP));
	assert_false(present_n(t, fam, 6, IPPROTO_UDP));
	assert_true(present_n(t, fam, 7, IPPROTO_UDP));
	/* The other family is not affected by this one being full. */
	assert_int_equal(gw_flow_count(t, fam == GW_FLOW_V4 ? GW_FLOW_V6 : GW_FLOW_V4), 0);
	gw_flow_table_free(t);
}

static void
test_flow_evict_oldest_idle_ipv4(void **state)
{
	check_evict_oldest(GW_FLOW_V4);
}

static void
test_flow_evict_oldest_idle_ipv6(void **state)
{
	check_evict_oldest(GW_FLOW_V6);
}

static void
test_flow_evict_behind_many_touched_heads(void **state)
{
	struct gw_flow_table *t = new_table(CAP);
	int ev;

	for (uint32_t i = 0; i < CAP; i++)
		ins_n(t, GW_FLOW_V4, i, GW_FLOW_UDP, i);
	/* The first 40 queued are all active again: 40 is the oldest idle. */
	for (uint32_t i = 0; i < 40; i++)
		touch(t, GW_FLOW_V4, find_f(t, GW_FLOW_V4, KP(fwd4(i, IPPROTO_UDP))), 1000 + i);
	assert_true(ins(t, GW_FLOW_V4, KP(fwd4(900, IPPROTO_UDP)), KP(rev4(900, IPPROTO_UDP)),
		GW_FLOW_UDP, 2000, &ev) >= 0);
	assert_int_equal(ev, 1);
	for (uint32_t i = 0; i < 40; i++)
		if (!present_n(t, GW_FLOW_V4, i, IPPROTO_UDP))
			fail_msg("flow %u, seen at %u, evicted while flow 40 idle since 40", i,
				1000 + i);
	assert_false(present_n(t, GW_FLOW_V4, 40, IPPROTO_UDP));
	gw_flow_table_free(t);
}

static void
test_flow_evict_across_classes(void **state)
{
	struct gw_flow_table *t = new_table(CAP);
	int ev;

	/* 0..31 UDP seen at 0..31, 32..63 SYN seen at 32..63. */
	for (uint32_t i = 0; i < CAP; i++)
		ins_n(t, GW_FLOW_V4, i, i < 32 ? GW_FLOW_UDP : GW_FLOW_TCP_SYN_SENT, i);
	/* Every UDP flow seen again at 100+: the oldest idle is SYN flow 32... */
	for (uint32_t i = 0; i < 32; i++)
		touch(t, GW_FLOW_V4, find_f(t, GW_FLOW_V4,
			KP(fwd4(i, IPPROTO_UDP))), 100 + i);
	/* ...except that 32 moved to established at 150 (a new list): 33 is. */
	gw_flow_set_state(t, GW_FLOW_V4, (uint32_t)find_f(t, GW_FLOW_V4,
		KP(fwd4(32, IPPROTO_TCP))), GW_FLOW_TCP_ESTABLISHED, 150);
	assert_true(ins(t, GW_FLOW_V4, KP(fwd4(900, IPPROTO_TCP)),
		KP(rev4(900, IPPROTO_TCP)), GW_FLOW_TCP_SYN_SENT, 200, &ev) >= 0);
	assert_int_equal(ev, 1);
	assert_false(present_n(t, GW_FLOW_V4, 33, IPPROTO_TCP));
	assert_true(present_n(t, GW_FLOW_V4, 32, IPPROTO_TCP));
	for (uint32_t i = 0; i < 32; i++)
		assert_true(present_n(t, GW_FLOW_V4, i, IPPROTO_UDP));
	/* Touch every SYN flow: the oldest idle is now UDP flow 0 (seen at 100). */
	for (uint32_t i = 34; i < CAP; i++)
		touch(t, GW_FLOW_V4, find_f(t, GW_FLOW_V4,
			KP(fwd4(i, IPPROTO_TCP))), 201);
	assert_true(ins(t, GW_FLOW_V4, KP(fwd4(901, IPPROTO_TCP)),
		KP(rev4(901, IPPROTO_TCP)), GW_FLOW_TCP_SYN_SENT, 202, &ev) >= 0);
	assert_int_equal(ev, 1);
	assert_false(present_n(t, GW_FLOW_V4, 0, IPPROTO_UDP));
	assert_true(present_n(t, GW_FLOW_V4, 1, IPPROTO_UDP));
	assert_true(present_n(t, GW_FLOW_V4, 34, IPPROTO_TCP));
	assert_int_equal(gw_flow_count(t, GW_FLOW_V4), CAP);
	gw_flow_table_free(t);
}

static void
test_flow_full_never_enospc(void **state)
{
	struct gw_flow_table *t = new_table(CAP);
	uint32_t now = 0;
	int ev;

	for (uint32_t i = 0; i < CAP; i++)
		ins_n(t, GW_FLOW_V6, i, (i & 1) ? GW_FLOW_UDP : GW_FLOW_TCP_ESTABLISHED, now++);
	/* Churn: every insert into the full table evicts exactly one flow. */
	for (uint32_t i = CAP; i < 20 * CAP; i++) {
		int idx = ins(t, GW_FLOW_V6, KP(fwd6(i, IPPROTO_TCP)),
			KP(rev6(i, IPPROTO_TCP)),
			(i % 3) ? GW_FLOW_TCP_SYN_SENT : GW_FLOW_TCP_TIME_WAIT, now++, &ev);

		if (idx < 0)
			fail_msg("insert %u into a full table: %d", i, idx);
		assert_int_equal(ev, 1);
		assert_int_equal(gw_flow_count(t, GW_FLOW_V6), CAP);
	}
	/* Never touched: the table holds exactly the newest CAP flows. */
	for (uint32_t i = 19 * CAP; i < 20 * CAP; i++)
		assert_true(present_n(t, GW_FLOW_V6, i, IPPROTO_TCP));
	/* A duplicate into a full table is refused without evicting anything. */
	assert_int_equal(ins(t, GW_FLOW_V6, KP(fwd6(20 * CAP - 1, IPPROTO_TCP)),
		KP(rev6(99999, IPPROTO_TCP)), GW_FLOW_TCP_SYN_SENT, now++, &ev),
		-EEXIST);
	assert_int_equal(ev, 0);
	assert_int_equal(ins(t, GW_FLOW_V6, KP(fwd6(99999, IPPROTO_TCP)),
		KP(rev6(19 * CAP, IPPROTO_TCP)), GW_FLOW_TCP_SYN_SENT, now++, &ev),
		-EEXIST);
	assert_int_equal(ev, 0);
	assert_true(present_n(t, GW_FLOW_V6, 19 * CAP, IPPROTO_TCP));
	assert_int_equal(gw_flow_count(t, GW_FLOW_V6), CAP);
	gw_flow_table_free(t);
}

/* ---------------------------------------------------------------- walk, memory */

struct walk_ctx {
	struct gw_flow_table *t;
	enum gw_flow_fam fam;
	uint8_t seen[1024];
	unsigned int calls, stop_every;
};

static int
walk_fn(void *arg, uint32_t idx, const struct gw_flow *f)
{
	struct walk_ctx *c = arg;

	assert_true(idx < 1024);
	assert_ptr_equal(f, gw_flow_at(c->t, c->fam, idx));
	assert_int_not_equal(f->state, GW_FLOW_FREE);
	c->seen[idx]++;
	c->calls++;
	return c->stop_every != 0 && c->calls % c->stop_every == 0;
}

static void
test_flow_walk_visits_each_once_and_resumes(void **state)
{
	struct gw_flow_table *t = new_table(256);
	struct walk_ctx *c = calloc(1, sizeof(*c));
	int idx[200];
	uint32_t cursor = 0;
	int rc, stops = 0;

	c->t = t;
	c->fam = GW_FLOW_V4;
	for (uint32_t i = 0; i < 200; i++)
		idx[i] = ins_n(t, GW_FLOW_V4, i, GW_FLOW_UDP, i);
	for (uint32_t i = 0; i < 200; i += 3)
		gw_flow_delete(t, GW_FLOW_V4, (uint32_t)idx[i]);
	ins_n(t, GW_FLOW_V6, 1, GW_FLOW_UDP, 0);
	/* One walk, no stop. */
	assert_int_equal(gw_flow_walk(t, GW_FLOW_V4, &cursor, walk_fn, c), 0);
	assert_int_equal(c->calls, gw_flow_count(t, GW_FLOW_V4));
	for (uint32_t i = 0; i < 200; i++)
		assert_int_equal(c->seen[idx[i]], i % 3 == 0 ? 0 : 1);
	/* Stopping every 7 flows and resuming from the cursor: still each once. */
	memset(c->seen, 0, sizeof(c->seen));
	c->calls = 0;
	c->stop_every = 7;
	cursor = 0;
	while ((rc = gw_flow_walk(t, GW_FLOW_V4, &cursor, walk_fn, c)) == 1)
		stops++;
	assert_int_equal(rc, 0);
	assert_int_equal(stops, (int)(gw_flow_count(t, GW_FLOW_V4) / 7));
	assert_int_equal(c->calls, gw_flow_count(t, GW_FLOW_V4));
	for (uint32_t i = 0; i < 200; i++)
		assert_int_equal(c->seen[idx[i]], i % 3 == 0 ? 0 : 1);
	/* The other family: exactly its one flow. */
	memset(c->seen, 0, sizeof(c->seen));
	c->calls = 0;
	c->stop_every = 0;
	c->fam = GW_FLOW_V6;
	cursor = 0;
	assert_int_equal(gw_flow_walk(t, GW_FLOW_V6, &cursor, walk_fn, c), 0);
	assert_int_equal(c->calls, 1);
	/* Empty. */
	gw_flow_flush(t);
	c->calls = 0;
	cursor = 0;
	assert_int_equal(gw_flow_walk(t, GW_FLOW_V6, &cursor, walk_fn, c), 0);
	assert_int_equal(c->calls, 0);
	free(c);
	gw_flow_table_free(t);
}

static struct gw_flow_table *
new_table_on(uint32_t capacity, int socket)
{
	char name[32];
	struct gw_flow_table *t;

	snprintf(name, sizeof(name), "tflow%u", table_seq++);
	t = gw_flow_table_create(name, capacity, socket);
	assert_non_null(t);
	return t;
}

static void
test_flow_memory_grows_with_capacity(void **state)
{
	/* The worker's way: its own socket. */
	struct gw_flow_table *a = new_table_on(64, 0), *b = new_table_on(4096, 0);

	assert_true(gw_flow_memory(a, GW_FLOW_V4) > 0);
	assert_true(gw_flow_memory(a, GW_FLOW_V6) > 0);
	assert_true(gw_flow_memory(b, GW_FLOW_V4) > gw_flow_memory(a, GW_FLOW_V4));
	assert_true(gw_flow_memory(b, GW_FLOW_V6) > gw_flow_memory(a, GW_FLOW_V6));
	/* At least the records. */
	assert_true(gw_flow_memory(b, GW_FLOW_V4) >= 4096 * sizeof(struct gw_flow));
	/* IPv6 keys are bigger. */
	assert_true(gw_flow_memory(b, GW_FLOW_V6) >= gw_flow_memory(b, GW_FLOW_V4));
	gw_flow_table_free(a);
	gw_flow_table_free(b);
}

static void
test_flow_memory_any_socket(void **state)
{
	/* SOCKET_ID_ANY is a valid socket for rte_malloc: the size is still known. */
	struct gw_flow_table *a = new_table_on(64, SOCKET_ID_ANY);

	assert_true(gw_flow_memory(a, GW_FLOW_V4) >= 64 * sizeof(struct gw_flow));
	assert_true(gw_flow_memory(a, GW_FLOW_V6) >= 64 * sizeof(struct gw_flow));
	gw_flow_table_free(a);
}

/* ---------------------------------------------------------------- randomized */

#define R_CAP 64
#define R_KEYS 160      /* forward keys: more than the table holds */
#define R_PORTS 96      /* reverse keys: collide with each other now and then */
#define R_OPS 6000

/* Long enough for the table to fill between expiry walks. */
static const uint32_t rtimeouts[GW_FLOW_N_CLASS] = { 400, 3000, 800, 200, 600 };

struct model_flow {
	bool used;
	enum gw_flow_fam fam;
	uint32_t fk, rk;        /* key numbers */
	uint8_t proto;
	enum gw_flow_state state;
	uint32_t seen;
	int idx;
	/*
	 * Liveness bound of lazy expiry: after its last packet, the first
	 * walk (w1), the first walk more than a timeout after w1 (w2): a walk
	 * more than a timeout after w2 must have deleted it (see below).
	 */
	uint8_t wstage;         /* 0: no walk since the last packet, 1: w1 set, 2: w2 set */
	uint32_t w1, w2;
};

static struct model_flow model[2 * R_CAP + 8];

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static enum gw_flow_class
model_class(enum gw_flow_state s)
{
	switch (s) {
	case GW_FLOW_TCP_SYN_SENT:
	case GW_FLOW_TCP_SYN_RECV:
		return GW_FLOW_C_SYN;
	case GW_FLOW_TCP_ESTABLISHED:
		return GW_FLOW_C_ESTABLISHED;
	case GW_FLOW_TCP_FIN_WAIT:
		return GW_FLOW_C_CLOSING;
	case GW_FLOW_UDP:
		return GW_FLOW_C_UDP;
	default:
		return GW_FLOW_C_TIME_WAIT;
	}
}

static int
model_find_fwd(enum gw_flow_fam fam, uint32_t fk, uint8_t proto)
{
	for (size_t i = 0; i < RTE_DIM(model); i++)
		if (model[i].used && model[i].fam == fam && model[i].fk == fk &&
				model[i].proto == proto)
			return (int)i;
	return -1;
}

static int
model_find_rev(enum gw_flow_fam fam, uint32_t rk, uint8_t proto)
{
	for (size_t i = 0; i < RTE_DIM(model); i++)
		if (model[i].used && model[i].fam == fam && model[i].rk == rk &&
				model[i].proto == proto)
			return (int)i;
	return -1;
}

static uint32_t
model_count(enum gw_flow_fam fam)
{
	uint32_t n = 0;

	for (size_t i = 0; i < RTE_DIM(model); i++)
		n += model[i].used && model[i].fam == fam;
	return n;
}

static int
model_any(enum gw_flow_fam fam)
{
	uint32_t n = model_count(fam), k;

	if (n == 0)
		return -1;
	k = rnd(n);
	for (size_t i = 0; i < RTE_DIM(model); i++)
		if (model[i].used && model[i].fam == fam && k-- == 0)
			return (int)i;
	return -1;
}

/* Everything in the model is in the table with its keys, state and index. */
static void
model_check_all(struct gw_flow_table *t, uint32_t op)
{
	for (int fam = 0; fam < GW_FLOW_N_FAM; fam++)
		if (gw_flow_count(t, fam) != model_count(fam))
			fail_msg("op %u: family %d count %u, model %u", op, fam,
				gw_flow_count(t, fam), model_count(fam));
	for (size_t i = 0; i < RTE_DIM(model); i++) {
		struct model_flow *m = &model[i];
		union gw_flow_key f, r;
		struct gw_flow *fl;

		if (!m->used)
			continue;
		f = fwd_of(m->fam, m->fk, m->proto);
		r = rev_of(m->fam, m->rk, m->proto);
		if (find_f(t, m->fam, &f) != m->idx || find_r(t, m->fam, &r) != m->idx)
			fail_msg("op %u: flow fk %u rk %u: lookups %d/%d, expected %d", op, m->fk,
				m->rk, find_f(t, m->fam, &f), find_r(t, m->fam, &r), m->idx);
		fl = gw_flow_at(t, m->fam, (uint32_t)m->idx);
		assert_int_equal(fl->state, m->state);
		assert_int_equal(fl->cls, model_class(m->state));
		assert_int_equal(fl->seen, m->seen);
		assert_memory_equal(gw_flow_fwd_key(t, m->fam, (uint32_t)m->idx), &f,
			key_len(m->fam));
		assert_memory_equal(gw_flow_rev_key(t, m->fam, (uint32_t)m->idx), &r,
			key_len(m->fam));
	}
}

/* Model flows the table no longer has (checked by forward lookup), removed from the model. */
static unsigned int
model_sync_gone(struct gw_flow_table *t, uint32_t now, bool expiry, int *gone_slot)
{
	unsigned int n = 0;

	for (size_t i = 0; i < RTE_DIM(model); i++) {
		struct model_flow *m = &model[i];
		union gw_flow_key f;

		if (!m->used)
			continue;
		f = fwd_of(m->fam, m->fk, m->proto);
		if (find_f(t, m->fam, &f) >= 0)
			continue;
		if (expiry && now - m->seen <= rtimeouts[model_class(m->state)])
			fail_msg("flow fk %u (%s) expired at %u, last seen %u, timeout %u", m->fk,
				gw_flow_state_name(m->state), now, m->seen,
				rtimeouts[model_class(m->state)]);
		if (gone_slot != NULL)
			*gone_slot = (int)i;
		m->used = false;
		n++;
	}
	return n;
}

static void
test_flow_randomized_against_model(void **state)
{
	struct gw_flow_table *t = new_table(R_CAP);
	uint32_t now = 0xfffff000u;     /* wraps during the run */
	unsigned int n_evict = 0, n_expire = 0, n_eexist = 0, n_insert = 0;

	memset(model, 0, sizeof(model));
	for (uint32_t op = 0; op < R_OPS; op++) {
		enum gw_flow_fam fam = rnd(3) == 0 ? GW_FLOW_V6 : GW_FLOW_V4;
		uint32_t r = rnd(100);
		int mi;

		now += rnd(3);
		if (r < 40) {
			/* insert */
			uint8_t proto = rnd(2) ? IPPROTO_TCP : IPPROTO_UDP;
			uint32_t fk = rnd(R_KEYS), rk = rnd(R_PORTS);
			enum gw_flow_state s = proto == IPPROTO_UDP ? GW_FLOW_UDP :
				(enum gw_flow_state)(GW_FLOW_TCP_SYN_SENT + rnd(6));
			union gw_flow_key f = fwd_of(fam, fk, proto), rv = rev_of(fam, rk, proto);
			bool dup = model_find_fwd(fam, fk, proto) >= 0 ||
				model_find_rev(fam, rk, proto) >= 0;
			bool full = model_count(fam) == R_CAP;
			int ev = -1, gone = -1, idx;

			idx = ins(t, fam, &f, &rv, s, now, &ev);
			if (dup) {
				if (idx != -EEXIST)
					fail_msg("op %u: duplicate insert returned %d", op, idx);
				assert_int_equal(ev, 0);
				n_eexist++;
				model_check_all(t, op);
				continue;
			}
			if (idx < 0)
				fail_msg("op %u: insert returned %d (model count %u)", op, idx,
					model_count(fam));
			n_insert++;
			assert_int_equal(ev, full ? 1 : 0);
			if (full) {
				/* Exactly one flow, of this family, went. */
				assert_int_equal(model_sync_gone(t, now, false, &gone), 1);
				assert_int_equal(model[gone].fam, fam);
				n_evict++;
			}
			for (mi = 0; model[mi].used; mi++)
				;
			model[mi] = (struct model_flow){ .used = true, .fam = fam, .fk = fk,
				.rk = rk, .proto = proto, .state = s, .seen = now, .idx = idx };
		} else if (r < 55) {
			/* lookups of random keys, present or not */
			uint8_t proto = rnd(2) ? IPPROTO_TCP : IPPROTO_UDP;
			uint32_t fk = rnd(R_KEYS), rk = rnd(R_PORTS);
			union gw_flow_key f = fwd_of(fam, fk, proto), rv = rev_of(fam, rk, proto);
			int a = model_find_fwd(fam, fk, proto), b = model_find_rev(fam, rk, proto);

			assert_int_equal(find_f(t, fam, &f), a < 0 ? -ENOENT : model[a].idx);
			assert_int_equal(find_r(t, fam, &rv), b < 0 ? -ENOENT : model[b].idx);
			assert_true(rev_exists(t, fam, &rv) == (b >= 0));
		} else if (r < 75) {
			/* a packet of an existing flow */
			mi = model_any(fam);
			if (mi < 0)
				continue;
			touch(t, fam, model[mi].idx, now);
			model[mi].seen = now;
			model[mi].wstage = 0;
		} else if (r < 85) {
			/* a state change */
			mi = model_any(fam);
			if (mi < 0)
				continue;
			if (model[mi].proto == IPPROTO_TCP)
				model[mi].state = (enum gw_flow_state)(GW_FLOW_TCP_SYN_SENT + rnd(6));
			gw_flow_set_state(t, fam, (uint32_t)model[mi].idx, model[mi].state, now);
			model[mi].seen = now;
			model[mi].wstage = 0;
		} else if (r < 93) {
			mi = model_any(fam);
			if (mi < 0)
				continue;
			gw_flow_delete(t, fam, (uint32_t)model[mi].idx);
			model[mi].used = false;
		} else {
			unsigned int n = gw_flow_expire(t, now, rtimeouts, UINT32_MAX);

			/* Only flows idle past their timeout go, all of them counted. */
			assert_int_equal(model_sync_gone(t, now, true, NULL), n);
			n_expire += n;
			/*
			 * Liveness. Lists are walked lazily: a flow seen since it was
			 * queued goes to the back when it reaches the head, possibly
			 * behind flows with later packets, so it may outlive its
			 * timeout. But everything ahead of it at walk w1 was queued
			 * by w1: a walk w2 more than a timeout later expires those or
			 * moves them behind it, and it reaches the head and is moved
			 * back (or deleted); the first walk more than a timeout after
			 * w2 must delete it.
			 */
			for (size_t i = 0; i < RTE_DIM(model); i++) {
				struct model_flow *m = &model[i];
				uint32_t to = rtimeouts[model_class(m->state)];

				if (!m->used)
					continue;
				if (m->wstage == 2 && now - m->w2 > to)
					fail_msg("op %u: flow fk %u (%s) idle %u, timeout %u, walks at "
						"%u and %u since: not expired", op, m->fk,
						gw_flow_state_name(m->state), now - m->seen, to,
						m->w1, m->w2);
				if (m->wstage == 1 && now - m->w1 > to) {
					m->wstage = 2;
					m->w2 = now;
				} else if (m->wstage == 0) {
					m->wstage = 1;
					m->w1 = now;
				}
			}
		}
		model_check_all(t, op);
	}
	/* Everything expires eventually. */
	now += 10 * rtimeouts[GW_FLOW_C_ESTABLISHED];
	gw_flow_expire(t, now, rtimeouts, UINT32_MAX);
	now += 10 * rtimeouts[GW_FLOW_C_ESTABLISHED];
	gw_flow_expire(t, now, rtimeouts, UINT32_MAX);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V4), 0);
	assert_int_equal(gw_flow_count(t, GW_FLOW_V6), 0);
	print_message("randomized: %u inserts, %u evictions, %u expired, %u refused duplicates\n",
		n_insert, n_evict, n_expire, n_eexist);
	/* The run did exercise each path. */
	assert_true(n_evict > 10);
	assert_true(n_expire > 10);
	assert_true(n_eexist > 10);
	gw_flow_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_key_store_fast_path),
		cmocka_unit_test(test_flow_create_capacity),
		cmocka_unit_test(test_flow_hash_is_crc32c_of_key),
		cmocka_unit_test(test_flow_state_classes),
		cmocka_unit_test(test_flow_insert_find_ipv4),
		cmocka_unit_test(test_flow_insert_find_ipv6),
		cmocka_unit_test(test_flow_duplicate_key_ipv4),
		cmocka_unit_test(test_flow_duplicate_key_ipv6),
		cmocka_unit_test(test_flow_delete_frees_keys_and_slot_ipv4),
		cmocka_unit_test(test_flow_delete_frees_keys_and_slot_ipv6),
		cmocka_unit_test(test_flow_flush),
		cmocka_unit_test(test_flow_set_state_moves_class),
		cmocka_unit_test(test_flow_expire_touched_head_survives),
		cmocka_unit_test(test_flow_expire_boundary),
		cmocka_unit_test(test_flow_expire_per_class_timeouts),
		cmocka_unit_test(test_flow_expire_budget),
		cmocka_unit_test(test_flow_expire_clock_wrap),
		cmocka_unit_test(test_flow_evict_oldest_idle_ipv4),
		cmocka_unit_test(test_flow_evict_oldest_idle_ipv6),
		cmocka_unit_test(test_flow_evict_behind_many_touched_heads),
		cmocka_unit_test(test_flow_evict_across_classes),
		cmocka_unit_test(test_flow_full_never_enospc),
		cmocka_unit_test(test_flow_walk_visits_each_once_and_resumes),
		cmocka_unit_test(test_flow_memory_grows_with_capacity),
		cmocka_unit_test(test_flow_memory_any_socket),
		cmocka_unit_test(test_flow_randomized_against_model),
	};

	return cmocka_run_group_tests_name("gw_flow", tests, group_setup, NULL);
}
