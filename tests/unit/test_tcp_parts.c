/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/tcp parts that stand alone: congestion control (gw_tcp_cc.h) and the
 * SACK scoreboard (gw_tcp_sack.h). Pure arithmetic, no EAL.
 *
 * Congestion control is driven by a virtual clock and a simulated
 * cwnd-limited sender that acks one window per RTT, one MSS per ACK. NewReno:
 * slow start doubles per RTT with byte counting capped at one MSS per ACK,
 * avoidance adds exactly one MSS per RTT, loss halves the flight, a timeout
 * drops to one MSS, recovery end deflates, idle restarts at IW, and no growth
 * while application-limited. CUBIC: the 0.7 reduction, K against RFC 9438
 * eq. 2, the return to W_max near t = K, concave then convex growth, fast
 * convergence, the Reno-friendly region on short RTTs, the 1.5 cwnd cap, K =
 * 0 after a timeout, a clock that wraps.
 *
 * The scoreboard tests run twice, once with SND.UNA low and once with the
 * window straddling 2^32: merging, validation, overflow, pruning, IsLost,
 * SetPipe, NextSeg on RFC 6675 style scenarios; then a randomized run
 * against a byte-bitmap model of the RFC's per-octet definitions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "gw_tcp_cc.h"
#include "gw_tcp_sack.h"

/* ------------------------------------------------------------------ cc */

/*
 * enum gw_tcp_cc_algo (gw_tcp.h, which needs lib/stats that this test does
 * not link).
 */
#define GW_TCP_CC_CUBIC 0
#define GW_TCP_CC_NEWRENO 1

#define MSS 1000u

static uint32_t clock_low = 1000;
static uint32_t clock_wrap = UINT32_MAX - 3000;  /* wraps within the first seconds */

/*
 * One RTT of a sender that always fills cwnd: cwnd / MSS ACKs of one MSS,
 * spread evenly over @rtt, flight = cwnd before each.
 */
static void
sim_rtt(struct gw_tcp_cc *cc, uint32_t *now, uint32_t rtt)
{
	uint32_t n = cc->cwnd / MSS, start = *now, i;

	if (n == 0)
		n = 1;
	for (i = 0; i < n; i++)
		gw_tcp_cc_on_ack(cc, MSS, MSS, start + (uint32_t)((uint64_t)rtt * i / n), rtt,
			cc->cwnd);
	*now = start + rtt;
}

static double
segs(uint32_t bytes)
{
	return (double)bytes / MSS;
}

static void
test_cc_init(void **state)
{
	struct gw_tcp_cc cc;

	assert_true(sizeof(cc) <= 48);
	gw_tcp_cc_init(&cc, GW_TCP_CC_CUBIC, MSS, 10);
	assert_int_equal(cc.cwnd, 10 * MSS);
	assert_int_equal(cc.ssthresh, UINT32_MAX);
	assert_int_equal(cc.algo, GW_TCP_CC_CUBIC);
	gw_tcp_cc_init(&cc, GW_TCP_CC_NEWRENO, 1460, 4);
	assert_int_equal(cc.cwnd, 4 * 1460);
	assert_int_equal(cc.algo, GW_TCP_CC_NEWRENO);
}

static void
test_cc_slow_start_doubles_per_rtt(void **state)
{
	static const int algos[] = { GW_TCP_CC_NEWRENO, GW_TCP_CC_CUBIC };
	unsigned int a, r;

	for (a = 0; a < 2; a++) {
		struct gw_tcp_cc cc;
		uint32_t now = 0;

		gw_tcp_cc_init(&cc, algos[a], MSS, 10);
		for (r = 0; r < 5; r++) {
			uint32_t before = cc.cwnd;

			sim_rtt(&cc, &now, 50);
			assert_int_equal(cc.cwnd, 2 * before);
		}
		assert_int_equal(cc.cwnd, 320 * MSS);
	}
}

static void
test_cc_slow_start_byte_counting_limit(void **state)
{
	struct gw_tcp_cc cc;

	gw_tcp_cc_init(&cc, GW_TCP_CC_NEWRENO, MSS, 10);
	/* A stretch ACK of 5 MSS earns one MSS (L = 1 SMSS)... */
	gw_tcp_cc_on_ack(&cc, 5 * MSS, MSS, 0, 10, cc.cwnd);
	assert_int_equal(cc.cwnd, 11 * MSS);
	/* ...a partial one its own size. */
	gw_tcp_cc_on_ack(&cc, 300, MSS, 0, 10, cc.cwnd);
	assert_int_equal(cc.cwnd, 11 * MSS + 300);
	/* Nothing acked, nothing earned. */
	gw_tcp_cc_on_ack(&cc, 0, MSS, 0, 10, cc.cwnd);
	assert_int_equal(cc.cwnd, 11 * MSS + 300);
}

static void
test_cc_newreno_avoidance_one_mss_per_rtt(void **state)
{
	struct gw_tcp_cc cc;
	uint32_t now = 0, r;

	gw_tcp_cc_init(&cc, GW_TCP_CC_NEWRENO, MSS, 40);
	gw_tcp_cc_on_congestion(&cc, 40 * MSS, MSS, now);
	assert_int_equal(cc.ssthresh, 20 * MSS);
	assert_int_equal(cc.cwnd, 20 * MSS);
	for (r = 1; r <= 10; r++) {
		sim_rtt(&cc, &now, 100);
		assert_int_equal(cc.cwnd, (20 + r) * MSS);
	}
	/* Half a window of ACKs is not enough for the next MSS. */
	for (r = 0; r < 15; r++)
		gw_tcp_cc_on_ack(&cc, MSS, MSS, now, 100, cc.cwnd);
	assert_int_equal(cc.cwnd, 30 * MSS);
}

static void
test_cc_newreno_congestion_halves_flight(void **state)
{
	struct gw_tcp_cc cc;

	gw_tcp_cc_init(&cc, GW_TCP_CC_NEWRENO, MSS, 64);
	/* NewReno halves what was in flight, not cwnd. */
	gw_tcp_cc_on_congestion(&cc, 50 * MSS, MSS, 0);
	assert_int_equal(cc.ssthresh, 25 * MSS);
	assert_int_equal(cc.cwnd, 25 * MSS);
	/* Never below two segments. */
	gw_tcp_cc_on_congestion(&cc, 3 * MSS, MSS, 0);
	assert_int_equal(cc.ssthresh, 2 * MSS);
	assert_int_equal(cc.cwnd, 2 * MSS);
}

static void
test_cc_newreno_rto_to_one_mss(void **state)
{
	struct gw_tcp_cc cc;
	uint32_t now = 0;

	gw_tcp_cc_init(&cc, GW_TCP_CC_NEWRENO, MSS, 40);
	gw_tcp_cc_on_rto(&cc, 30 * MSS, MSS, now);
	assert_int_equal(cc.ssthresh, 15 * MSS);
	assert_int_equal(cc.cwnd, MSS);
	/* Slow start back up: 1, 2, 4, 8, then 7 ACKs to ssthresh, 1 counted. */
	sim_rtt(&cc, &now, 100);
	sim_rtt(&cc, &now, 100);
	sim_rtt(&cc, &now, 100);
	assert_int_equal(cc.cwnd, 8 * MSS);
	sim_rtt(&cc, &now, 100);
	assert_int_equal(cc.cwnd, 15 * MSS);
	assert_int_equal(cc.bytes_acked, MSS);
	/* Avoidance: one MSS per window. */
	sim_rtt(&cc, &now, 100);
	assert_int_equal(cc.cwnd, 16 * MSS);
}

static void
test_cc_recovery_end_deflates(void **state)
{
	struct gw_tcp_cc cc;

	gw_tcp_cc_init(&cc, GW_TCP_CC_NEWRENO, MSS, 40);
	gw_tcp_cc_on_congestion(&cc, 40 * MSS, MSS, 0);
	cc.cwnd = 35 * MSS;             /* the stack's inflation during recovery */
	gw_tcp_cc_on_recovery_end(&cc, 30 * MSS, MSS, 0);
	assert_int_equal(cc.cwnd, 20 * MSS);
	cc.cwnd = 35 * MSS;
	gw_tcp_cc_on_recovery_end(&cc, 5 * MSS, MSS, 0);
	assert_int_equal(cc.cwnd, 6 * MSS);
	gw_tcp_cc_on_recovery_end(&cc, 0, MSS, 0);
	assert_int_equal(cc.cwnd, 2 * MSS);
	/* Below ssthresh again: slow start refills it. */
	gw_tcp_cc_on_ack(&cc, MSS, MSS, 0, 100, cc.cwnd);
	assert_int_equal(cc.cwnd, 3 * MSS);
}

static void
test_cc_after_idle_restart_window(void **state)
{
	struct gw_tcp_cc cc;

	gw_tcp_cc_init(&cc, GW_TCP_CC_NEWRENO, MSS, 50);
	gw_tcp_cc_after_idle(&cc, MSS, 10);
	assert_int_equal(cc.cwnd, 10 * MSS);
	cc.cwnd = 4 * MSS;
	gw_tcp_cc_after_idle(&cc, MSS, 10);
	assert_int_equal(cc.cwnd, 4 * MSS);
}

static void
test_cc_no_growth_when_app_limited(void **state)
{
	static const int algos[] = { GW_TCP_CC_NEWRENO, GW_TCP_CC_CUBIC };
	unsigned int a, i;

	for (a = 0; a < 2; a++) {
		struct gw_tcp_cc cc;
		uint32_t now = 5000;

		/* Slow start: needs half the window in flight. */
		gw_tcp_cc_init(&cc, algos[a], MSS, 10);
		for (i = 0; i < 50; i++)
			gw_tcp_cc_on_ack(&cc, MSS, MSS, now + i, 50, 4 * MSS);
		assert_int_equal(cc.cwnd, 10 * MSS);
		gw_tcp_cc_on_ack(&cc, MSS, MSS, now, 50, 5 * MSS);
		assert_int_equal(cc.cwnd, 11 * MSS);

		/* Avoidance: needs all but one MSS in flight. */
		gw_tcp_cc_init(&cc, algos[a], MSS, 40);
		gw_tcp_cc_on_congestion(&cc, 40 * MSS, MSS, now);
		assert_true(cc.cwnd >= 20 * MSS);
		{
			uint32_t w = cc.cwnd;

			for (i = 0; i < 20000; i++)
				gw_tcp_cc_on_ack(&cc, MSS, MSS, now + i, 50, w - 2 * MSS);
			assert_int_equal(cc.cwnd, w);
			for (i = 0; i < 20000 && cc.cwnd == w; i++)
				gw_tcp_cc_on_ack(&cc, MSS, MSS, now + 20000 + i, 50, w - MSS);
			assert_true(cc.cwnd > w);
		}
	}
}

static void
test_cubic_congestion_to_0_7(void **state)
{
	struct gw_tcp_cc cc;

	gw_tcp_cc_init(&cc, GW_TCP_CC_CUBIC, MSS, 100);
	/* CUBIC scales cwnd, whatever the flight. */
	gw_tcp_cc_on_congestion(&cc, 60 * MSS, MSS, 0);
	assert_int_equal(cc.w_max, 100 * MSS);
	assert_int_equal(cc.ssthresh, 70 * MSS);
	assert_int_equal(cc.cwnd, 70 * MSS);
	gw_tcp_cc_init(&cc, GW_TCP_CC_CUBIC, MSS, 2);
	gw_tcp_cc_on_congestion(&cc, 2 * MSS, MSS, 0);
	assert_int_equal(cc.ssthresh, 2 * MSS);
	assert_int_equal(cc.cwnd, 2 * MSS);
}

/* First avoidance ACK after a loss at @w_segs; returns K in ms. */
static uint32_t
cubic_k_after_loss(uint32_t w_segs, uint32_t mss)
{
	struct gw_tcp_cc cc;

	gw_tcp_cc_init(&cc, GW_TCP_CC_CUBIC, mss, w_segs);
	gw_tcp_cc_on_congestion(&cc, cc.cwnd, mss, 0);
	gw_tcp_cc_on_ack(&cc, mss, mss, 10, 100, cc.cwnd);
	assert_int_equal(cc.origin, w_segs * mss);
	return cc.k_ms;
}

static void
test_cubic_k_matches_formula(void **state)
{
	static const uint32_t w[] = { 10, 20, 100, 333, 1000, 5000, 40000 };
	static const uint32_t mss[] = { 536, 1000, 1448, 8960 };
	unsigned int i, j;

	/* cbrt(100 * 0.3 / 0.4) = 4.2172 s */
	assert_in_range(cubic_k_after_loss(100, MSS), 4217 - 84, 4217 + 84);
	/* cbrt(1000 * 0.3 / 0.4) = 9.0856 s */
	assert_in_range(cubic_k_after_loss(1000, 1448), 9086 - 90, 9086 + 90);
	/* Else check C K^3 = W_max - cwnd_epoch in segments; 6% on K^3 is 2% on K. */
	for (i = 0; i < RTE_DIM(w); i++) {
		for (j = 0; j < RTE_DIM(mss); j++) {
			double k = cubic_k_after_loss(w[i], mss[j]) / 1000.0;
			double drop = (double)(w[i] * mss[j] - w[i] * mss[j] * 7 / 10) / mss[j];

			double ck3 = 0.4 * k * k * k;

			assert_true(ck3 >= drop * 0.94 && ck3 <= drop * 1.06);
		}
	}
}

/*
 * Loss at 100 MSS, then a cwnd-limited sender with a 100 ms RTT. Returns
 * the window at the end of each RTT in @w (segments), index = RTTs since
 * the epoch; sets *@k_ms.
 */
static unsigned int
cubic_trace(uint32_t clock0, double *w, unsigned int max, uint32_t *k_ms)
{
	struct gw_tcp_cc cc;
	uint32_t now = clock0;
	unsigned int r;

	gw_tcp_cc_init(&cc, GW_TCP_CC_CUBIC, MSS, 100);
	gw_tcp_cc_on_congestion(&cc, cc.cwnd, MSS, now);
	w[0] = segs(cc.cwnd);
	for (r = 1; r < max; r++) {
		sim_rtt(&cc, &now, 100);
		w[r] = segs(cc.cwnd);
	}
	*k_ms = cc.k_ms;
	return max;
}

static void
test_cubic_returns_to_w_max_at_k(void **state)
{
	uint32_t clock0 = *(uint32_t *)*state, k;
	double w[120];
	unsigned int kr;

	cubic_trace(clock0, w, RTE_DIM(w), &k);
	assert_in_range(k, 4100, 4300);
	kr = (k + 50) / 100;            /* RTT count closest to K */
	print_message("cubic: w(0)=%.1f w(K/2)=%.1f w(K)=%.1f w(K+2s)=%.1f w(K+4s)=%.1f\n",
		w[0], w[kr / 2], w[kr], w[kr + 20], w[kr + 40]);
	assert_true(w[0] == 70.0);
	assert_true(w[kr] >= 97.0 && w[kr] <= 103.0);
	/* Before K it stays below W_max, after it probes beyond. */
	assert_true(w[kr - 10] < 100.0);
	assert_true(w[kr + 30] > 105.0);
	/* Close to the cubic curve (target is one RTT ahead). */
	assert_true(w[kr / 2] >= 93.0 && w[kr / 2] <= 99.0);
}

static void
test_cubic_concave_then_convex(void **state)
{
	uint32_t clock0 = *(uint32_t *)*state, k;
	double w[121], g1, g2, g3, g4;
	unsigned int kr, h;

	cubic_trace(clock0, w, RTE_DIM(w), &k);
	kr = k / 100;
	h = kr / 2;
	/* Concave: the first half of [0, K] gains more than the second. */
	g1 = w[h] - w[0];
	g2 = w[kr] - w[h];
	assert_true(g1 > 2 * g2);
	/* Convex: each later stretch after K gains more. */
	g3 = w[kr + 20] - w[kr];
	g4 = w[kr + 40] - w[kr + 20];
	assert_true(g4 > 2 * g3);
	/* Monotonic throughout. */
	for (h = 1; h < RTE_DIM(w); h++)
		assert_true(w[h] >= w[h - 1]);
}

static void
test_cubic_fast_convergence(void **state)
{
	struct gw_tcp_cc cc;

	gw_tcp_cc_init(&cc, GW_TCP_CC_CUBIC, MSS, 100);
	gw_tcp_cc_on_congestion(&cc, cc.cwnd, MSS, 0);
	assert_int_equal(cc.w_max, 100 * MSS);
	/* Lost again before regaining W_max: remember less than we had. */
	cc.cwnd = 90 * MSS;
	gw_tcp_cc_on_congestion(&cc, cc.cwnd, MSS, 0);
	assert_int_equal(cc.w_max, 76500);
	assert_int_equal(cc.cwnd, 63 * MSS);
	/* K = cbrt((76.5 - 63) / 0.4) = 3.23 s */
	gw_tcp_cc_on_ack(&cc, MSS, MSS, 10, 100, cc.cwnd);
	assert_in_range(cc.k_ms, 3231 - 65, 3231 + 65);
	assert_int_equal(cc.origin, 76500);
	/* Past the old maximum: no convergence, W_max = cwnd. */
	cc.cwnd = 110 * MSS;
	gw_tcp_cc_on_congestion(&cc, cc.cwnd, MSS, 0);
	assert_int_equal(cc.w_max, 110 * MSS);
}

static void
test_cubic_reno_friendly_region(void **state)
{
	struct gw_tcp_cc cc;
	uint32_t now = *(uint32_t *)*state, r;
	double reno = 7.0;

	/* Small window, 1 ms RTT: cubic alone would take K = 1.96 s. */
	gw_tcp_cc_init(&cc, GW_TCP_CC_CUBIC, MSS, 10);
	gw_tcp_cc_on_congestion(&cc, cc.cwnd, MSS, now);
	assert_int_equal(cc.cwnd, 7 * MSS);
	for (r = 1; r <= 300; r++) {
		sim_rtt(&cc, &now, 1);
		/* Reno: alpha = 9/17 MSS per RTT until the old window, then 1. */
		reno += reno >= 10.0 ? 1.0 : 9.0 / 17.0;
		assert_true(segs(cc.cwnd) >= reno - 2.0);
		assert_true(segs(cc.cwnd) <= reno + 2.0);
	}
	/* Far above what W_cubic(0.3 s) = 8.2 segments would give. */
	assert_true(cc.cwnd > 250 * MSS);
	assert_true(cc.w_est <= cc.cwnd);
}

static void
test_cubic_growth_capped_at_1_5(void **state)
{
	struct gw_tcp_cc cc;
	uint32_t now = *(uint32_t *)*state, w;

	gw_tcp_cc_init(&cc, GW_TCP_CC_CUBIC, MSS, 20);
	gw_tcp_cc_on_congestion(&cc, cc.cwnd, MSS, now);
	gw_tcp_cc_on_ack(&cc, MSS, MSS, now, 100, cc.cwnd);      /* epoch starts */
	/* Much later on the convex side, W_cubic is enormous. */
	now += 120000;
	w = cc.cwnd;
	sim_rtt(&cc, &now, 100);
	assert_true(cc.cwnd <= w + w / 2 + MSS);
	assert_true(cc.cwnd >= w + w / 4);
	w = cc.cwnd;
	sim_rtt(&cc, &now, 100);
	assert_true(cc.cwnd <= w + w / 2 + MSS);
}

static void
test_cubic_rto_then_k_zero(void **state)
{
	struct gw_tcp_cc cc;
	uint32_t now = *(uint32_t *)*state;

	gw_tcp_cc_init(&cc, GW_TCP_CC_CUBIC, MSS, 100);
	gw_tcp_cc_on_rto(&cc, 10 * MSS, MSS, now);
	assert_int_equal(cc.cwnd, MSS);
	assert_int_equal(cc.ssthresh, 70 * MSS);
	assert_int_equal(cc.w_max, 100 * MSS);
	while (cc.cwnd < cc.ssthresh)
		sim_rtt(&cc, &now, 100);
	/* The first avoidance after a timeout starts flat at cwnd (§4.8). */
	sim_rtt(&cc, &now, 100);
	assert_int_equal(cc.k_ms, 0);
	assert_true(cc.origin >= 70 * MSS && cc.origin < 75 * MSS);
	/* A later loss computes K as usual again. */
	gw_tcp_cc_on_congestion(&cc, cc.cwnd, MSS, now);
	gw_tcp_cc_on_ack(&cc, MSS, MSS, now, 100, cc.cwnd);
	assert_true(cc.k_ms > 1000);
}

static void
test_cubic_after_idle_restarts_epoch(void **state)
{
	struct gw_tcp_cc cc;
	uint32_t now = *(uint32_t *)*state, idle_end;

	gw_tcp_cc_init(&cc, GW_TCP_CC_CUBIC, MSS, 100);
	gw_tcp_cc_on_congestion(&cc, cc.cwnd, MSS, now);
	sim_rtt(&cc, &now, 100);
	assert_int_equal(cc.epoch_ms, *(uint32_t *)*state);
	now += 30000;
	idle_end = now;
	gw_tcp_cc_after_idle(&cc, MSS, 10);
	assert_int_equal(cc.cwnd, 10 * MSS);
	while (cc.cwnd < cc.ssthresh)
		sim_rtt(&cc, &now, 100);
	sim_rtt(&cc, &now, 100);
	/* A fresh epoch, not 30 s of phantom probing time. */
	assert_true((int32_t)(cc.epoch_ms - idle_end) > 0);
	assert_true(cc.k_ms > 0);
	assert_true(cc.cwnd < cc.w_max);
}

/* ------------------------------------------------------------------ sack */

#define SMSS 100u

static uint32_t base_low = 1000;
static uint32_t base_wrap = UINT32_MAX - 450;  /* segment 5 straddles 2^32 */

#define BASE() (*(uint32_t *)*state)
/* Segment k (1-based) of the test window: [base + (k-1) SMSS, base + k SMSS). */
#define SEG(k) (BASE() + ((k) - 1) * SMSS)

static uint32_t
upd(struct gw_tcp_sackboard *sb, uint32_t una, uint32_t nxt, uint32_t s, uint32_t e)
{
	struct gw_tcp_sack_block b = { .start = s, .end = e };

	return gw_tcp_sb_update(sb, una, nxt, &b, 1);
}

/* Sorted, disjoint, not touching, within (una, nxt]. */
static void
check_board(const struct gw_tcp_sackboard *sb, uint32_t una, uint32_t nxt)
{
	unsigned int i;

	assert_true(sb->n <= GW_TCP_SB_MAX);
	for (i = 0; i < sb->n; i++) {
		assert_true(gw_seq_le(una, sb->b[i].start));
		assert_true(gw_seq_lt(sb->b[i].start, sb->b[i].end));
		assert_true(gw_seq_le(sb->b[i].end, nxt));
		if (i > 0)
			assert_true(gw_seq_lt(sb->b[i - 1].end, sb->b[i].start));
	}
}

static void
assert_block(const struct gw_tcp_sackboard *sb, unsigned int i, uint32_t s, uint32_t e)
{
	assert_true(i < sb->n);
	assert_int_equal(sb->b[i].start, s);
	assert_int_equal(sb->b[i].end, e);
}

static void
test_sack_merge_disjoint_sorted(void **state)
{
	struct gw_tcp_sackboard sb;
	uint32_t una = SEG(1), nxt = SEG(11);

	gw_tcp_sb_reset(&sb);
	assert_int_equal(upd(&sb, una, nxt, SEG(6), SEG(7)), SMSS);
	assert_int_equal(upd(&sb, una, nxt, SEG(2), SEG(3)), SMSS);
	assert_int_equal(upd(&sb, una, nxt, SEG(9), SEG(11)), 2 * SMSS);
	assert_int_equal(sb.n, 3);
	assert_block(&sb, 0, SEG(2), SEG(3));
	assert_block(&sb, 1, SEG(6), SEG(7));
	assert_block(&sb, 2, SEG(9), SEG(11));
	check_board(&sb, una, nxt);
	assert_int_equal(gw_tcp_sb_sacked(&sb), 4 * SMSS);
	/* Several blocks in one ACK, as an option carries them. */
	{
		struct gw_tcp_sack_block b[3] = {
			{ SEG(4), SEG(5) }, { SEG(2), SEG(3) }, { SEG(8), SEG(8) + 50 },
		};

		assert_int_equal(gw_tcp_sb_update(&sb, una, nxt, b, 3), SMSS + 50);
	}
	assert_int_equal(sb.n, 5);
	check_board(&sb, una, nxt);
}

static void
test_sack_merge_overlap(void **state)
{
	struct gw_tcp_sackboard sb;
	uint32_t una = SEG(1), nxt = SEG(11);

	gw_tcp_sb_reset(&sb);
	upd(&sb, una, nxt, SEG(3), SEG(5));
	upd(&sb, una, nxt, SEG(7), SEG(8));
	/* Overlaps the tail of one: only the new part counts. */
	assert_int_equal(upd(&sb, una, nxt, SEG(4), SEG(6)), SMSS);
	assert_int_equal(sb.n, 2);
	assert_block(&sb, 0, SEG(3), SEG(6));
	/* Covers both and the gap between. */
	assert_int_equal(upd(&sb, una, nxt, SEG(2) + 10, SEG(9)), 90 + 2 * SMSS);
	assert_int_equal(sb.n, 1);
	assert_block(&sb, 0, SEG(2) + 10, SEG(9));
	/* Inside: nothing new. */
	assert_int_equal(upd(&sb, una, nxt, SEG(4), SEG(5)), 0);
	assert_int_equal(sb.n, 1);
	check_board(&sb, una, nxt);
}

static void
test_sack_merge_adjacent(void **state)
{
	struct gw_tcp_sackboard sb;
	uint32_t una = SEG(1), nxt = SEG(11);

	gw_tcp_sb_reset(&sb);
	upd(&sb, una, nxt, SEG(3), SEG(4));
	upd(&sb, una, nxt, SEG(5), SEG(6));
	assert_int_equal(sb.n, 2);
	/* Fills the gap exactly: three become one. */
	assert_int_equal(upd(&sb, una, nxt, SEG(4), SEG(5)), SMSS);
	assert_int_equal(sb.n, 1);
	assert_block(&sb, 0, SEG(3), SEG(6));
	/* Touching at either end. */
	upd(&sb, una, nxt, SEG(6), SEG(7));
	upd(&sb, una, nxt, SEG(2), SEG(3));
	assert_int_equal(sb.n, 1);
	assert_block(&sb, 0, SEG(2), SEG(7));
	check_board(&sb, una, nxt);
}

static void
test_sack_invalid_and_dsack_ignored(void **state)
{
	struct gw_tcp_sackboard sb;
	uint32_t una = SEG(3), nxt = SEG(11);

	gw_tcp_sb_reset(&sb);
	/* D-SACK below SND.UNA, or starting at it. */
	assert_int_equal(upd(&sb, una, nxt, SEG(1), SEG(2)), 0);
	assert_int_equal(upd(&sb, una, nxt, SEG(2), SEG(4)), 0);
	assert_int_equal(upd(&sb, una, nxt, SEG(3), SEG(4)), 0);
	/* Beyond anything sent, empty, reversed, absurd. */
	assert_int_equal(upd(&sb, una, nxt, SEG(10), SEG(11) + 1), 0);
	assert_int_equal(upd(&sb, una, nxt, SEG(5), SEG(5)), 0);
	assert_int_equal(upd(&sb, una, nxt, SEG(6), SEG(5)), 0);
	assert_int_equal(upd(&sb, una, nxt, SEG(5), SEG(5) + 0x80000000u), 0);
	assert_int_equal(sb.n, 0);
	/* A valid block in the same ACK as a D-SACK one is taken. */
	{
		struct gw_tcp_sack_block b[2] = { { SEG(1), SEG(2) }, { SEG(10), SEG(11) } };

		assert_int_equal(gw_tcp_sb_update(&sb, una, nxt, b, 2), SMSS);
	}
	assert_int_equal(sb.n, 1);
	assert_block(&sb, 0, SEG(10), SEG(11));
	assert_int_equal(gw_tcp_sb_update(&sb, una, nxt, NULL, 0), 0);
	assert_int_equal(sb.n, 1);
}

static void
test_sack_overflow_keeps_lowest(void **state)
{
	struct gw_tcp_sackboard sb;
	struct gw_tcp_sack_block b[8];
	uint32_t una = SEG(1), nxt = SEG(21);
	unsigned int i;

	gw_tcp_sb_reset(&sb);
	/* Every other segment from 2: eight ranges for six slots. */
	for (i = 0; i < 8; i++) {
		b[i].start = SEG(2 * i + 2);
		b[i].end = SEG(2 * i + 3);
	}
	gw_tcp_sb_update(&sb, una, nxt, b, 8);
	assert_int_equal(sb.n, GW_TCP_SB_MAX);
	for (i = 0; i < GW_TCP_SB_MAX; i++)
		assert_block(&sb, i, SEG(2 * i + 2), SEG(2 * i + 3));
	/* A new lowest range pushes out the highest. */
	upd(&sb, una, nxt, SEG(1) + 10, SEG(1) + 20);
	assert_int_equal(sb.n, GW_TCP_SB_MAX);
	assert_block(&sb, 0, SEG(1) + 10, SEG(1) + 20);
	assert_block(&sb, 5, SEG(10), SEG(11));
	/* A new highest range does not stay. */
	upd(&sb, una, nxt, SEG(20), SEG(21));
	assert_int_equal(sb.n, GW_TCP_SB_MAX);
	assert_block(&sb, 5, SEG(10), SEG(11));
	/* Bridging two frees a slot instead. */
	upd(&sb, una, nxt, SEG(3), SEG(4));
	assert_int_equal(sb.n, GW_TCP_SB_MAX - 1);
	assert_block(&sb, 1, SEG(2), SEG(5));
	check_board(&sb, una, nxt);
}

static void
test_sack_ack_prunes_and_trims(void **state)
{
	struct gw_tcp_sackboard sb;
	uint32_t una = SEG(1), nxt = SEG(11);

	gw_tcp_sb_reset(&sb);
	upd(&sb, una, nxt, SEG(2), SEG(3));
	upd(&sb, una, nxt, SEG(4), SEG(6));
	upd(&sb, una, nxt, SEG(8), SEG(9));
	/* The cumulative ACK covers the first range and half the second. */
	gw_tcp_sb_ack(&sb, SEG(5));
	assert_int_equal(sb.n, 2);
	assert_block(&sb, 0, SEG(5), SEG(6));
	assert_block(&sb, 1, SEG(8), SEG(9));
	/* Exactly to a range's end removes it. */
	gw_tcp_sb_ack(&sb, SEG(6));
	assert_int_equal(sb.n, 1);
	assert_block(&sb, 0, SEG(8), SEG(9));
	/* gw_tcp_sb_update prunes to its SND.UNA first. */
	assert_int_equal(upd(&sb, SEG(9), nxt, SEG(10), SEG(11)), SMSS);
	assert_int_equal(sb.n, 1);
	assert_block(&sb, 0, SEG(10), SEG(11));
	gw_tcp_sb_ack(&sb, nxt);
	assert_int_equal(sb.n, 0);
}

static void
test_sack_sacked_queries(void **state)
{
	struct gw_tcp_sackboard sb;
	uint32_t una = SEG(1), nxt = SEG(11);

	gw_tcp_sb_reset(&sb);
	assert_int_equal(gw_tcp_sb_sacked(&sb), 0);
	assert_false(gw_tcp_sb_is_sacked(&sb, SEG(3)));
	upd(&sb, una, nxt, SEG(3), SEG(5));
	upd(&sb, una, nxt, SEG(7), SEG(8));
	assert_int_equal(gw_tcp_sb_sacked(&sb), 3 * SMSS);
	assert_int_equal(gw_tcp_sb_sacked_above(&sb, una), 3 * SMSS);
	assert_int_equal(gw_tcp_sb_sacked_above(&sb, SEG(4) + 30), 70 + SMSS);
	assert_int_equal(gw_tcp_sb_sacked_above(&sb, SEG(5)), SMSS);
	assert_int_equal(gw_tcp_sb_sacked_above(&sb, SEG(8)), 0);
	assert_true(gw_tcp_sb_is_sacked(&sb, SEG(3)));
	assert_true(gw_tcp_sb_is_sacked(&sb, SEG(5) - 1));
	assert_false(gw_tcp_sb_is_sacked(&sb, SEG(5)));
	assert_false(gw_tcp_sb_is_sacked(&sb, SEG(3) - 1));
	assert_true(gw_tcp_sb_is_sacked(&sb, SEG(7) + 99));
	assert_false(gw_tcp_sb_is_sacked(&sb, SEG(8)));
}

static void
test_sack_is_lost_by_ranges(void **state)
{
	struct gw_tcp_sackboard sb;
	uint32_t una = SEG(1), nxt = SEG(21);

	gw_tcp_sb_reset(&sb);
	/* Three small ranges, 30 bytes in all: DupThresh ranges, not bytes. */
	upd(&sb, una, nxt, SEG(3), SEG(3) + 10);
	upd(&sb, una, nxt, SEG(5), SEG(5) + 10);
	assert_false(gw_tcp_sb_is_lost(&sb, SEG(1), SMSS));
	upd(&sb, una, nxt, SEG(7), SEG(7) + 10);
	assert_true(gw_tcp_sb_is_lost(&sb, SEG(1), SMSS));
	assert_true(gw_tcp_sb_is_lost(&sb, SEG(2), SMSS));
	assert_true(gw_tcp_sb_is_lost(&sb, SEG(3) - 1, SMSS));
	/* Above the first range only two remain. */
	assert_false(gw_tcp_sb_is_lost(&sb, SEG(3) + 10, SMSS));
	assert_false(gw_tcp_sb_is_lost(&sb, SEG(4), SMSS));
	/* A range ending right after @seq still lies above it. */
	assert_true(gw_tcp_sb_is_lost(&sb, SEG(3) + 8, SMSS));
	assert_false(gw_tcp_sb_is_lost(&sb, SEG(3) + 9, SMSS));
}

static void
test_sack_is_lost_by_bytes(void **state)
{
	struct gw_tcp_sackboard sb;
	uint32_t una = SEG(1), nxt = SEG(21);

	gw_tcp_sb_reset(&sb);
	/* Exactly (DupThresh - 1) * SMSS above: not yet. */
	upd(&sb, una, nxt, SEG(4), SEG(6));
	assert_false(gw_tcp_sb_is_lost(&sb, SEG(1), SMSS));
	/* One byte more is "more than". */
	upd(&sb, una, nxt, SEG(6), SEG(6) + 1);
	assert_true(gw_tcp_sb_is_lost(&sb, SEG(1), SMSS));
	assert_true(gw_tcp_sb_is_lost(&sb, SEG(4) - 1, SMSS));
	/* Inside the range: bytes strictly above count. */
	assert_false(gw_tcp_sb_is_lost(&sb, SEG(4), SMSS));
	/* Nothing above the highest range is ever lost. */
	assert_false(gw_tcp_sb_is_lost(&sb, SEG(10), SMSS));
	/* A larger MSS needs more evidence. */
	assert_false(gw_tcp_sb_is_lost(&sb, SEG(1), 2 * SMSS));
}

static void
test_sack_pipe_rfc6675_scenario(void **state)
{
	struct gw_tcp_sackboard sb;
	uint32_t una = SEG(1), nxt = SEG(11);

	gw_tcp_sb_reset(&sb);
	/* No SACK: everything outstanding is in the network. */
	assert_int_equal(gw_tcp_sb_pipe(&sb, una, nxt, una, SMSS), 10 * SMSS);
	/* Segments 2..5 arrive out of order: segment 1 is lost. */
	upd(&sb, una, nxt, SEG(2), SEG(6));
	assert_true(gw_tcp_sb_is_lost(&sb, SEG(1), SMSS));
	assert_false(gw_tcp_sb_is_lost(&sb, SEG(6), SMSS));
	assert_int_equal(gw_tcp_sb_pipe(&sb, una, nxt, una, SMSS), 5 * SMSS);
	/* Segment 1 retransmitted: in the network again. */
	assert_int_equal(gw_tcp_sb_pipe(&sb, una, nxt, SEG(2), SMSS), 6 * SMSS);
	/* HighRxt inside the SACKed range adds nothing more. */
	assert_int_equal(gw_tcp_sb_pipe(&sb, una, nxt, SEG(4), SMSS), 6 * SMSS);
	/* Half of segment 1 retransmitted counts half (octet by octet). */
	assert_int_equal(gw_tcp_sb_pipe(&sb, una, nxt, SEG(1) + 50, SMSS), 5 * SMSS + 50);
	/* HighRxt beyond SND.NXT is clipped; unsent data is no pipe. */
	assert_int_equal(gw_tcp_sb_pipe(&sb, una, nxt, SEG(15), SMSS), 5 * SMSS + 6 * SMSS);
	/* Nothing outstanding. */
	assert_int_equal(gw_tcp_sb_pipe(&sb, una, una, una, SMSS), 0);
}

static void
test_sack_pipe_holes_and_partial_pieces(void **state)
{
	struct gw_tcp_sackboard sb;
	uint32_t una = SEG(1), nxt = SEG(11);

	gw_tcp_sb_reset(&sb);
	/* Holes at 1, 3 (partly), 5, 7; SACKed 2, tail of 3, 4, 6, 8. */
	upd(&sb, una, nxt, SEG(2), SEG(3));
	upd(&sb, una, nxt, SEG(3) + 60, SEG(5));
	upd(&sb, una, nxt, SEG(6), SEG(7));
	upd(&sb, una, nxt, SEG(8), SEG(9));
	/*
	 * Lost: 1, 3 (three ranges above), 5 (two ranges, 200 bytes = 2 SMSS
	 * above: not lost). In flight: 5, 7, 9, 10 and nothing of 1, 3.
	 */
	assert_true(gw_tcp_sb_is_lost(&sb, SEG(3), SMSS));
	assert_false(gw_tcp_sb_is_lost(&sb, SEG(5), SMSS));
	assert_int_equal(gw_tcp_sb_pipe(&sb, una, nxt, una, SMSS), 4 * SMSS);
	/* Retransmit 1 and the 60-byte hole of 3. */
	assert_int_equal(gw_tcp_sb_pipe(&sb, una, nxt, SEG(3) + 60, SMSS), 5 * SMSS + 60);
	/* Window not a multiple of SMSS: the last piece is short. */
	assert_int_equal(gw_tcp_sb_pipe(&sb, una, nxt + 30, una, SMSS), 4 * SMSS + 30);
}

static void
test_sack_next_seg_first_lost_hole(void **state)
{
	struct gw_tcp_sackboard sb;
	uint32_t una = SEG(1), nxt = SEG(11), seq = 0, len = 0;

	gw_tcp_sb_reset(&sb);
	assert_false(gw_tcp_sb_next_seg(&sb, una, nxt, una, SMSS, &seq, &len));
	upd(&sb, una, nxt, SEG(2), SEG(6));
	assert_true(gw_tcp_sb_next_seg(&sb, una, nxt, una, SMSS, &seq, &len));
	assert_int_equal(seq, SEG(1));
	assert_int_equal(len, SMSS);
	/* Once it is retransmitted the next hole (6..10) is not lost. */
	assert_false(gw_tcp_sb_next_seg(&sb, una, nxt, SEG(2), SMSS, &seq, &len));
	/* HighRxt below SND.UNA (stale) counts as SND.UNA. */
	assert_true(gw_tcp_sb_next_seg(&sb, una, nxt, una - 500, SMSS, &seq, &len));
	assert_int_equal(seq, SEG(1));
}

static void
test_sack_next_seg_truncates(void **state)
{
	struct gw_tcp_sackboard sb;
	uint32_t una = SEG(1), nxt = SEG(11), seq = 0, len = 0;

	gw_tcp_sb_reset(&sb);
	/* A 150-byte hole, then ranges at 3.5, 5, 7. */
	upd(&sb, una, nxt, SEG(2) + 50, SEG(3));
	upd(&sb, una, nxt, SEG(4), SEG(5));
	upd(&sb, una, nxt, SEG(6), SEG(7));
	/* Longer than SMSS: one SMSS. */
	assert_true(gw_tcp_sb_next_seg(&sb, una, nxt, una, SMSS, &seq, &len));
	assert_int_equal(seq, SEG(1));
	assert_int_equal(len, SMSS);
	/* Rest of the hole: up to the SACKed range. */
	assert_true(gw_tcp_sb_next_seg(&sb, una, nxt, SEG(2), SMSS, &seq, &len));
	assert_int_equal(seq, SEG(2));
	assert_int_equal(len, 50);
	/* Mid-hole HighRxt. */
	assert_true(gw_tcp_sb_next_seg(&sb, una, nxt, SEG(2) + 20, SMSS, &seq, &len));
	assert_int_equal(seq, SEG(2) + 20);
	assert_int_equal(len, 30);
	/* HighRxt inside a range: skip to its end; that hole is not lost (200 bytes above). */
	assert_false(gw_tcp_sb_next_seg(&sb, una, nxt, SEG(2) + 60, SMSS, &seq, &len));
	/* Make the hole at 3 lost with one more range far up. */
	upd(&sb, una, nxt, SEG(9), SEG(9) + 1);
	assert_true(gw_tcp_sb_next_seg(&sb, una, nxt, SEG(2) + 60, SMSS, &seq, &len));
	assert_int_equal(seq, SEG(3));
	assert_int_equal(len, SMSS);
	/* A hole ending at SND.NXT truncates there. */
	gw_tcp_sb_reset(&sb);
	upd(&sb, una, SEG(4) + 40, SEG(1) + 10, SEG(4));
	assert_true(gw_tcp_sb_next_seg(&sb, una, SEG(4) + 40, una, SMSS, &seq, &len));
	assert_int_equal(seq, SEG(1));
	assert_int_equal(len, 10);
	assert_false(gw_tcp_sb_next_seg(&sb, una, SEG(4) + 40, SEG(1) + 10, SMSS, &seq, &len));
}

static void
test_sack_window_straddles_wrap(void **state)
{
	struct gw_tcp_sackboard sb;
	uint32_t una = UINT32_MAX - 249, nxt = una + 1000, seq, len;

	/* Explicit values either side of 0, whatever the run's base. */
	gw_tcp_sb_reset(&sb);
	assert_int_equal(upd(&sb, una, nxt, UINT32_MAX - 99, 100), 200);
	assert_int_equal(upd(&sb, una, nxt, 300, 400), 100);
	assert_int_equal(upd(&sb, una, nxt, 100, 300), 200);
	assert_int_equal(sb.n, 1);
	assert_block(&sb, 0, UINT32_MAX - 99, 400);
	assert_int_equal(gw_tcp_sb_sacked_above(&sb, 0), 400);
	assert_true(gw_tcp_sb_is_sacked(&sb, UINT32_MAX));
	assert_true(gw_tcp_sb_is_sacked(&sb, 0));
	assert_true(gw_tcp_sb_is_lost(&sb, una, 100));
	assert_int_equal(gw_tcp_sb_pipe(&sb, una, nxt, una, 100), 1000 - 500 - 150);
	assert_true(gw_tcp_sb_next_seg(&sb, una, nxt, una, 100, &seq, &len));
	assert_int_equal(seq, una);
	assert_int_equal(len, 100);
	assert_true(gw_tcp_sb_next_seg(&sb, una, nxt, una + 100, 100, &seq, &len));
	assert_int_equal(seq, una + 100);
	assert_int_equal(len, 50);
	gw_tcp_sb_ack(&sb, 200);
	assert_block(&sb, 0, 200, 400);
}

/* --------------------------------------------------- sack: randomized model */

#define M_SPAN 40000     /* bytes of sequence space the run covers */
#define M_WIN 500
#define M_MSS 20

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n != 0 ? (uint32_t)(rng % n) : 0;
}

/* The board as the RFC sees it: one flag per octet, positions from base. */
static bool m_sacked[M_SPAN + M_WIN];
/* From position una + i to nxt: SACKed octets, ends of SACKed runs. */
static uint32_t m_bytes_from[M_WIN + 2], m_runs_from[M_WIN + 2];

/* Runs of SACKed octets in [from, to); position of the last one's start. */
static unsigned int
m_runs(uint32_t from, uint32_t to, uint32_t *last_start)
{
	unsigned int runs = 0;
	uint32_t p;

	for (p = from; p < to; p++) {
		if (m_sacked[p] && (p == from || !m_sacked[p - 1])) {
			runs++;
			if (last_start != NULL)
				*last_start = p;
		}
	}
	return runs;
}

static void
m_suffix(uint32_t una, uint32_t nxt)
{
	uint32_t p = nxt;

	m_bytes_from[nxt - una] = 0;
	m_runs_from[nxt - una] = 0;
	while (p-- > una) {
		m_bytes_from[p - una] = m_bytes_from[p + 1 - una] + m_sacked[p];
		m_runs_from[p - una] = m_runs_from[p + 1 - una] +
			(m_sacked[p] && (p + 1 == nxt || !m_sacked[p + 1]));
	}
}

/* RFC 6675 IsLost(pos): evidence strictly above pos. */
static bool
m_is_lost(uint32_t pos, uint32_t una)
{
	uint32_t i = pos + 1 - una;

	return m_runs_from[i] >= 3 || m_bytes_from[i] > 2 * M_MSS;
}

static void
m_check(const struct gw_tcp_sackboard *sb, uint32_t base, uint32_t una, uint32_t nxt)
{
	bool lost_piece[M_WIN / M_MSS + 1];
	uint32_t p, i, j, hr, pipe, seq, len;
	bool got;

	/* The board is exactly the runs of the bitmap. */
	assert_int_equal(sb->n, m_runs(una, nxt, NULL));
	for (i = 0, p = una; p < nxt; p++) {
		if (m_sacked[p] && (p == una || !m_sacked[p - 1])) {
			uint32_t e = p;

			while (e < nxt && m_sacked[e])
				e++;
			assert_block(sb, i, base + p, base + e);
			i++;
		}
	}
	check_board(sb, base + una, base + nxt);
	m_suffix(una, nxt);
	for (p = una; p < nxt; p++) {
		assert_int_equal(gw_tcp_sb_is_sacked(sb, base + p), m_sacked[p]);
		assert_int_equal(gw_tcp_sb_is_lost(sb, base + p, M_MSS), m_is_lost(p, una));
		assert_int_equal(gw_tcp_sb_sacked_above(sb, base + p), m_bytes_from[p - una]);
	}
	for (i = 0; una + i * M_MSS < nxt; i++)
		lost_piece[i] = m_is_lost(una + i * M_MSS, una);
	for (j = 0; j < 4; j++) {
		/* SetPipe and NextSeg from the RFC's per-octet wording. */
		hr = una - 10 + rnd(nxt - una + 20);
		pipe = 0;
		for (p = una; p < nxt; p++) {
			if (m_sacked[p])
				continue;
			pipe += !lost_piece[(p - una) / M_MSS];
			pipe += p < hr;
		}
		assert_int_equal(gw_tcp_sb_pipe(sb, base + una, base + nxt, base + hr, M_MSS),
			pipe);
		p = hr > una ? hr : una;
		while (p < nxt && m_sacked[p])
			p++;
		got = gw_tcp_sb_next_seg(sb, base + una, base + nxt, base + hr, M_MSS, &seq, &len);
		if (p >= nxt || !m_is_lost(p, una)) {
			assert_false(got);
			continue;
		}
		assert_true(got);
		assert_int_equal(seq, base + p);
		for (i = 0; i < M_MSS && p + i < nxt && !m_sacked[p + i]; i++)
			;
		assert_int_equal(len, i);
	}
}

static void
test_sack_randomized_against_model(void **state)
{
	struct gw_tcp_sackboard sb;
	/* Positions start at 100: the window crosses 2^32 early in the _wrap run. */
	uint32_t base = BASE() - 20000, una = 100, nxt = 100, cleared = 0;
	unsigned int op, n_drop = 0, n_lost = 0;

	memset(m_sacked, 0, sizeof(m_sacked));
	gw_tcp_sb_reset(&sb);
	for (op = 0; op < 4000 && nxt + M_WIN < M_SPAN; op++) {
		struct gw_tcp_sack_block b[4];
		uint32_t nb = 1 + rnd(4), i, gained = 0, p, last;

		/* Send more; sometimes advance the cumulative ACK. */
		if (nxt - una < M_WIN)
			nxt += rnd(M_WIN - (nxt - una) + 1);
		if (rnd(10) == 0) {
			una += rnd(nxt - una + 1);
			for (p = cleared; p < una; p++)
				m_sacked[p] = false;
			cleared = una;
		}
		for (i = 0; i < nb; i++) {
			/* Mostly valid, now and then D-SACK, stale or beyond. */
			uint32_t s = una - 30 + rnd(nxt - una + 60), l = 1 + rnd(3 * M_MSS);

			if (rnd(3) == 0)
				l = M_MSS;
			b[i].start = base + s;
			b[i].end = base + s + l;
			if (s <= una || s + l > nxt)
				continue;
			for (p = s; p < s + l; p++) {
				gained += !m_sacked[p];
				m_sacked[p] = true;
			}
			if (m_runs(una, nxt, &last) > GW_TCP_SB_MAX) {
				for (p = last; p < nxt && m_sacked[p]; p++)
					m_sacked[p] = false;
				n_drop++;
			}
		}
		assert_int_equal(gw_tcp_sb_update(&sb, base + una, base + nxt, b, nb), gained);
		m_check(&sb, base, una, nxt);
		n_lost += gw_tcp_sb_is_lost(&sb, base + una, M_MSS);
	}
	print_message("sack model: %u ops up to SND.NXT %u, %u overflows, %u with SND.UNA lost\n",
		op, nxt, n_drop, n_lost);
	assert_true(op > 1000 && n_drop > 0 && n_lost > 0);
}

#define TWICE(f) \
	{ #f, f, NULL, NULL, &base_low }, \
	{ #f "_wrap", f, NULL, NULL, &base_wrap }
#define CLOCKS(f) \
	{ #f, f, NULL, NULL, &clock_low }, \
	{ #f "_clock_wrap", f, NULL, NULL, &clock_wrap }

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cc_init),
		cmocka_unit_test(test_cc_slow_start_doubles_per_rtt),
		cmocka_unit_test(test_cc_slow_start_byte_counting_limit),
		cmocka_unit_test(test_cc_newreno_avoidance_one_mss_per_rtt),
		cmocka_unit_test(test_cc_newreno_congestion_halves_flight),
		cmocka_unit_test(test_cc_newreno_rto_to_one_mss),
		cmocka_unit_test(test_cc_recovery_end_deflates),
		cmocka_unit_test(test_cc_after_idle_restart_window),
		cmocka_unit_test(test_cc_no_growth_when_app_limited),
		cmocka_unit_test(test_cubic_congestion_to_0_7),
		cmocka_unit_test(test_cubic_k_matches_formula),
		CLOCKS(test_cubic_returns_to_w_max_at_k),
		CLOCKS(test_cubic_concave_then_convex),
		cmocka_unit_test(test_cubic_fast_convergence),
		CLOCKS(test_cubic_reno_friendly_region),
		CLOCKS(test_cubic_growth_capped_at_1_5),
		CLOCKS(test_cubic_rto_then_k_zero),
		CLOCKS(test_cubic_after_idle_restarts_epoch),
		TWICE(test_sack_merge_disjoint_sorted),
		TWICE(test_sack_merge_overlap),
		TWICE(test_sack_merge_adjacent),
		TWICE(test_sack_invalid_and_dsack_ignored),
		TWICE(test_sack_overflow_keeps_lowest),
		TWICE(test_sack_ack_prunes_and_trims),
		TWICE(test_sack_sacked_queries),
		TWICE(test_sack_is_lost_by_ranges),
		TWICE(test_sack_is_lost_by_bytes),
		TWICE(test_sack_pipe_rfc6675_scenario),
		TWICE(test_sack_pipe_holes_and_partial_pieces),
		TWICE(test_sack_next_seg_first_lost_hole),
		TWICE(test_sack_next_seg_truncates),
		cmocka_unit_test(test_sack_window_straddles_wrap),
		TWICE(test_sack_randomized_against_model),
	};

	return cmocka_run_group_tests_name("gw_tcp_parts", tests, NULL, NULL);
}
