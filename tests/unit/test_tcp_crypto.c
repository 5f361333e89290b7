/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/tcp's keyed functions alone (gw_tcp_crypto.h), with a virtual clock.
 *
 * SipHash-2-4 against the paper's test vector; RFC 6528 ISNs: a function of
 * every tuple field and the key, advancing by one per 4 us; SYN cookies:
 * round trip of each MSS index for both families, the choice of index for
 * a peer MSS, rejection of any single flipped bit in the cookie, the tuple
 * or the peer's ISN, validity for the counter it was made in and the next
 * one only (not two later, not 256 later, not one earlier), and how often a
 * random 32-bit value passes, for random SYNs and for one SYN; the timestamp that carries window scale and
 * SACK-permitted: round trip and never ahead of the clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>

#include "gw_tcp_crypto.h"

#define PERIOD_US (64ull * 1000 * 1000)

static const uint8_t key[16] = {
	0x3a, 0x91, 0x07, 0xc4, 0x5e, 0x22, 0xb8, 0x6f,
	0x10, 0xdd, 0x43, 0x7a, 0x99, 0x01, 0xe6, 0x5c,
};

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t
rnd32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static struct gw_tcp_tuple
tuple4(void)
{
	struct gw_tcp_tuple t;
	static const uint8_t l[4] = { 10, 77, 1, 10 }, r[4] = { 192, 0, 2, 33 };

	memset(&t, 0, sizeof(t));
	t.family = AF_INET;
	memcpy(t.laddr, l, 4);
	memcpy(t.raddr, r, 4);
	t.lport = 80;
	t.rport = 40123;
	return t;
}

static struct gw_tcp_tuple
tuple6(void)
{
	struct gw_tcp_tuple t;
	unsigned int i;

	memset(&t, 0, sizeof(t));
	t.family = AF_INET6;
	t.laddr[0] = 0x20;
	t.laddr[1] = 0x01;
	t.laddr[2] = 0x0d;
	t.laddr[3] = 0xb8;
	t.raddr[0] = 0x20;
	t.raddr[1] = 0x01;
	t.raddr[2] = 0x0d;
	t.raddr[3] = 0xb8;
	for (i = 4; i < 16; i++) {
		t.laddr[i] = (uint8_t)i;
		t.raddr[i] = (uint8_t)(0xf0 | i);
	}
	t.lport = 443;
	t.rport = 51000;
	return t;
}

/* ---------------------------------------------------------------- siphash */

static void
test_siphash_reference_vector(void **state)
{
	uint8_t k[16], msg[64];
	unsigned int i;

	(void)state;
	for (i = 0; i < 16; i++)
		k[i] = (uint8_t)i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	/* Appendix A of the SipHash paper. */
	assert_true(gw_siphash24(k, msg, 15) == 0xa129ca6149be45e5ull);
	/* Each length (whole blocks, partial tails, empty) hashes differently. */
	for (i = 0; i < 24; i++)
		assert_true(gw_siphash24(k, msg, i) != gw_siphash24(k, msg, i + 1));
	/* The key matters. */
	k[15] ^= 1;
	assert_true(gw_siphash24(k, msg, 15) != 0xa129ca6149be45e5ull);
}

/* ---------------------------------------------------------------- ISN */

static void
test_isn_depends_on_every_field(void **state)
{
	struct gw_tcp_tuple base, t;
	uint64_t now = 987654321;
	uint32_t isn;
	uint8_t k2[16];
	unsigned int i, f;

	(void)state;
	for (f = 0; f < 2; f++) {
		base = f == 0 ? tuple4() : tuple6();
		isn = gw_tcp_isn(key, &base, now);
		assert_int_equal(gw_tcp_isn(key, &base, now), isn);
		for (i = 0; i < (f == 0 ? 4u : 16u); i++) {
			t = base;
			t.laddr[i] ^= 0x01;
			assert_int_not_equal(gw_tcp_isn(key, &t, now), isn);
			t = base;
			t.raddr[i] ^= 0x80;
			assert_int_not_equal(gw_tcp_isn(key, &t, now), isn);
		}
		t = base;
		t.lport++;
		assert_int_not_equal(gw_tcp_isn(key, &t, now), isn);
		t = base;
		t.rport ^= 0x100;
		assert_int_not_equal(gw_tcp_isn(key, &t, now), isn);
		/* Local and remote are not interchangeable. */
		t = base;
		memcpy(t.laddr, base.raddr, 16);
		memcpy(t.raddr, base.laddr, 16);
		t.lport = base.rport;
		t.rport = base.lport;
		assert_int_not_equal(gw_tcp_isn(key, &t, now), isn);
		t = base;
		t.family = f == 0 ? AF_INET6 : AF_INET;
		assert_int_not_equal(gw_tcp_isn(key, &t, now), isn);
		memcpy(k2, key, 16);
		k2[7] ^= 0x40;
		assert_int_not_equal(gw_tcp_isn(k2, &base, now), isn);
	}
	/* IPv4 reads 4 address bytes only. */
	base = tuple4();
	t = base;
	memset(t.laddr + 4, 0xee, 12);
	memset(t.raddr + 4, 0x11, 12);
	assert_int_equal(gw_tcp_isn(key, &t, now), gw_tcp_isn(key, &base, now));
}

static void
test_isn_advances_with_clock(void **state)
{
	struct gw_tcp_tuple t = tuple4();
	uint64_t now = 5000000;
	uint32_t isn0 = gw_tcp_isn(key, &t, now);

	(void)state;
	/* One per 4 us: the M of RFC 6528. */
	assert_int_equal(gw_tcp_isn(key, &t, now + 3), isn0);
	assert_int_equal(gw_tcp_isn(key, &t, now + 4), isn0 + 1);
	assert_int_equal(gw_tcp_isn(key, &t, now + 4000000), isn0 + 1000000);
	/* Wraps mod 2^32 (every 4.77 hours). */
	assert_int_equal(gw_tcp_isn(key, &t, now + (4ull << 32)), isn0);
	assert_int_equal(gw_tcp_isn(key, &t, now + (4ull << 32) + 40), isn0 + 10);
	/* Each tuple has its own offset, advancing alike. */
	t.rport++;
	assert_int_not_equal(gw_tcp_isn(key, &t, now), isn0);
	assert_int_equal(gw_tcp_isn(key, &t, now + 400) - gw_tcp_isn(key, &t, now), 100);
}

/* ---------------------------------------------------------------- cookies */

static void
test_cookie_mss_table(void **state)
{
	unsigned int i;

	(void)state;
	assert_int_equal(gw_tcp_cookie_mss[0], 536);
	for (i = 1; i < 8; i++)
		assert_true(gw_tcp_cookie_mss[i - 1] < gw_tcp_cookie_mss[i]);
}

static void
test_cookie_roundtrip_each_mss(void **state)
{
	struct gw_tcp_tuple t;
	uint64_t now = 3 * PERIOD_US + 12345;
	uint32_t isn, c;
	unsigned int f, i, n;

	(void)state;
	for (f = 0; f < 2; f++) {
		t = f == 0 ? tuple4() : tuple6();
		for (n = 0; n < 64; n++) {
			isn = rnd32();
			for (i = 0; i < 8; i++) {
				uint16_t mss = gw_tcp_cookie_mss[i];

				c = gw_tcp_cookie_make(key, &t, isn, mss, now);
				assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, now), mss);
				/* Anything up to the next entry maps to this one. */
				if (i < 7) {
					uint16_t up = (uint16_t)(gw_tcp_cookie_mss[i + 1] - 1);

					c = gw_tcp_cookie_make(key, &t, isn, up, now);
					assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, now), mss);
				}
			}
			/* No option: 536; below the table: its smallest; huge: its largest. */
			c = gw_tcp_cookie_make(key, &t, isn, 0, now);
			assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, now), 536);
			c = gw_tcp_cookie_make(key, &t, isn, 100, now);
			assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, now), 536);
			c = gw_tcp_cookie_make(key, &t, isn, 65535, now);
			assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, now), 8960);
			now += 1000003;
		}
	}
}

static void
test_cookie_rejects_flipped_bits(void **state)
{
	struct gw_tcp_tuple t0, t;
	uint64_t now = 7 * PERIOD_US + 1;
	uint32_t isn = 0xdeadbeef, c;
	unsigned int f, b, i;
	uint8_t k2[16];

	(void)state;
	for (f = 0; f < 2; f++) {
		t0 = f == 0 ? tuple4() : tuple6();
		c = gw_tcp_cookie_make(key, &t0, isn, 1460, now);
		assert_int_equal(gw_tcp_cookie_check(key, &t0, isn, c, now), 1460);
		for (b = 0; b < 32; b++) {
			assert_int_equal(gw_tcp_cookie_check(key, &t0, isn, c ^ (1u << b), now), 0);
			assert_int_equal(gw_tcp_cookie_check(key, &t0, isn ^ (1u << b), c, now), 0);
		}
		for (i = 0; i < (f == 0 ? 4u : 16u); i++) {
			for (b = 0; b < 8; b++) {
				t = t0;
				t.laddr[i] ^= (uint8_t)(1u << b);
				assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, now), 0);
				t = t0;
				t.raddr[i] ^= (uint8_t)(1u << b);
				assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, now), 0);
			}
		}
		for (b = 0; b < 16; b++) {
			t = t0;
			t.lport ^= (uint16_t)(1u << b);
			assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, now), 0);
			t = t0;
			t.rport ^= (uint16_t)(1u << b);
			assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, now), 0);
		}
		t = t0;
		t.family = f == 0 ? AF_INET6 : AF_INET;
		assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, now), 0);
		memcpy(k2, key, 16);
		k2[0] ^= 1;
		assert_int_equal(gw_tcp_cookie_check(k2, &t0, isn, c, now), 0);
	}
}

/* Valid in the counter it was made in and the next: 64 to 128 s. */
static void
test_cookie_lifetime(void **state)
{
	struct gw_tcp_tuple t = tuple4();
	uint64_t made = 10 * PERIOD_US;        /* first microsecond of counter 10 */
	uint32_t isn = 42, c;
	unsigned int n;

	(void)state;
	c = gw_tcp_cookie_make(key, &t, isn, 1400, made);
	assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, made), 1400);
	assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, made + PERIOD_US - 1), 1400);
	assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, made + PERIOD_US), 1400);      /* t+1 */
	assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, made + 2 * PERIOD_US - 1), 1400);
	assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, made + 2 * PERIOD_US), 0);     /* t+2 */
	assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, made + 3 * PERIOD_US), 0);
	assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, made - 1), 0);                 /* t-1 */
	/* The counter's top bits are not in the cookie: 256 periods later it must still fail. */
	assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, made + 256 * PERIOD_US), 0);
	assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, made + 257 * PERIOD_US), 0);
	/* Counter 0: no t-1 to wrap into. */
	c = gw_tcp_cookie_make(key, &t, isn, 536, 5);
	assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, 6), 536);
	assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, PERIOD_US + 6), 536);
	/* The same across many counters, over the 8-bit wrap of the top byte. */
	for (n = 250; n < 262; n++) {
		made = n * PERIOD_US + 777;
		c = gw_tcp_cookie_make(key, &t, isn, 1220, made);
		assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, made + PERIOD_US), 1220);
		assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, made + 2 * PERIOD_US), 0);
		assert_int_equal(gw_tcp_cookie_check(key, &t, isn, c, made - PERIOD_US), 0);
	}
}

static void
test_cookie_random_false_accepts(void **state)
{
	struct gw_tcp_tuple t4 = tuple4(), t6 = tuple6();
	uint64_t now = 99 * PERIOD_US + 31337;
	unsigned int i, accepted = 0;

	(void)state;
	for (i = 0; i < 1000000; i++) {
		struct gw_tcp_tuple *t = (i & 1) ? &t6 : &t4;

		if (gw_tcp_cookie_check(key, t, rnd32(), rnd32(), now) != 0)
			accepted++;
	}
	/* Expected 2^-28 each: 0.004 in a million. */
	print_message("random cookies accepted: %u of 1000000\n", accepted);
	assert_true(accepted <= 2);
	/* A blind attacker's case: one SYN, a million guesses at its cookie. */
	accepted = 0;
	for (i = 0; i < 1000000; i++)
		if (gw_tcp_cookie_check(key, &t4, 0x01020304, rnd32(), now) != 0)
			accepted++;
	print_message("guesses for one SYN accepted: %u of 1000000\n", accepted);
	assert_true(accepted <= 2);
}

/* ---------------------------------------------------------------- timestamps */

static void
test_cookie_ts_roundtrip_never_later(void **state)
{
	static const uint32_t clocks[] = {
		0, 1, 5, 31, 32, 63, 64, 65, 100, 127, 128, 0x12345678, 0x7fffffc0, 0x80000000,
		0xffffffc0, 0xffffffdf, 0xfffffffe, 0xffffffff,
	};
	unsigned int c, n, ws, sack;
	uint32_t now, ts;
	uint8_t dws;
	bool dsack;

	(void)state;
	for (n = 0; n < RTE_DIM(clocks) + 2000; n++) {
		now = n < RTE_DIM(clocks) ? clocks[n] : rnd32();
		c = 0;
		for (ws = 0; ws <= 15; ws++) {
			for (sack = 0; sack < 2; sack++) {
				ts = gw_tcp_cookie_ts(now, (uint8_t)ws, sack != 0);
				gw_tcp_cookie_ts_decode(ts, &dws, &dsack);
				assert_int_equal(dws, ws);
				assert_int_equal(dsack, sack != 0);
				assert_int_equal(ts & 0x20, 0);
				/* Not after now (mod 2^32), and at most one step before. */
				assert_true((int32_t)(now - ts) >= 0);
				assert_true(now - ts < 64);
				c++;
			}
		}
		assert_int_equal(c, 32);
	}
	/* Exactly the clock when its low bits already say it. */
	assert_int_equal(gw_tcp_cookie_ts(0x1000 | 0x17, 7, true), 0x1000 | 0x17);
	assert_int_equal(gw_tcp_cookie_ts(0x1000 | 0x16, 7, true), 0x1000 - 64 + 0x17);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_reference_vector),
		cmocka_unit_test(test_isn_depends_on_every_field),
		cmocka_unit_test(test_isn_advances_with_clock),
		cmocka_unit_test(test_cookie_mss_table),
		cmocka_unit_test(test_cookie_roundtrip_each_mss),
		cmocka_unit_test(test_cookie_rejects_flipped_bits),
		cmocka_unit_test(test_cookie_lifetime),
		cmocka_unit_test(test_cookie_random_false_accepts),
		cmocka_unit_test(test_cookie_ts_roundtrip_never_later),
	};

	return cmocka_run_group_tests_name("gw_tcp_crypto", tests, NULL, NULL);
}
