/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NewReno and CUBIC window arithmetic. Everything is integer: cwnd and the
 * CUBIC windows are bytes, the cubic function is evaluated in milliseconds
 * and milli-segments, K comes from an integer cube root.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gw_tcp_cc.h"

/*
 * enum gw_tcp_cc_algo of gw_tcp.h; that header needs lib/stats, which this
 * stand-alone library does not depend on, so the one value used is repeated.
 */
#define CC_NEWRENO 1            /* GW_TCP_CC_NEWRENO; anything else is CUBIC */

_Static_assert(sizeof(struct gw_tcp_cc) <= 48, "struct gw_tcp_cc grew past 48 bytes");

/* Far beyond any useful window; keeps every sum below 2^32. */
#define CC_CWND_MAX (UINT32_C(1) << 30)

/* flags */
#define CC_F_EPOCH     0x01     /* a CUBIC avoidance epoch runs (epoch_ms valid) */
#define CC_F_AFTER_RTO 0x02     /* next epoch: K = 0, origin = cwnd (RFC 9438 §4.8) */

/*
 * RFC 9438 constants as fractions: beta = 7/10, C = 4/10, fast convergence
 * factor (1 + beta) / 2 = 17/20, alpha = 3 (1 - beta) / (1 + beta) = 9/17.
 */
#define CUBIC_BETA_NUM 7
#define CUBIC_BETA_DEN 10
#define CUBIC_FC_NUM 17
#define CUBIC_FC_DEN 20
#define CUBIC_ALPHA_NUM 9
#define CUBIC_ALPHA_DEN 17
/*
 * |t - K| is clamped here (about 17 minutes) so that 4 * d^3 fits int64;
 * the window it gives is far above any cap anyway.
 */
#define CUBIC_D_MAX (INT64_C(1) << 20)

static inline uint32_t
clamp_cwnd(uint64_t w)
{
	return w > CC_CWND_MAX ? CC_CWND_MAX : (uint32_t)w;
}

static inline uint32_t
max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* floor(cbrt(x)), bit by bit: three bits of x per bit of the root. */
static uint32_t
icbrt64(uint64_t x)
{
	uint64_t y = 0;
	int s;

	for (s = 63; s >= 0; s -= 3) {
		uint64_t b;

		y <<= 1;
		b = 3 * y * (y + 1) + 1;
		if ((x >> s) >= b) {
			x -= b << s;
			y++;
		}
	}
	return (uint32_t)y;
}

void
gw_tcp_cc_init(struct gw_tcp_cc *cc, int algo, uint32_t mss, uint32_t iw_segs)
{
	memset(cc, 0, sizeof(*cc));
	cc->algo = (uint8_t)algo;
	/* A zero window would never send anything to get ACKed. */
	cc->cwnd = clamp_cwnd((uint64_t)(iw_segs != 0 ? iw_segs : 1) * mss);
	cc->ssthresh = UINT32_MAX;
}

/*
 * W_cubic(t) = C (t - K)^3 + W_max (RFC 9438 eq. 1) in bytes, t in ms.
 * C (d / 1000)^3 segments = 4 d^3 / 10^7 milli-segments.
 */
static uint64_t
cubic_window(const struct gw_tcp_cc *cc, int64_t t_ms, uint32_t mss)
{
	int64_t d = t_ms - (int64_t)cc->k_ms;
	int64_t mseg, delta;

	if (d > CUBIC_D_MAX)
		d = CUBIC_D_MAX;
	else if (d < -CUBIC_D_MAX)
		d = -CUBIC_D_MAX;
	mseg = 4 * d * d * d / 10000000;
	/* Split so that mseg * mss cannot overflow for any 32-bit mss. */
	delta = mseg / 1000 * (int64_t)mss + mseg % 1000 * (int64_t)mss / 1000;
	if (delta < 0 && (uint64_t)-delta >= cc->origin)
		return 0;
	return (uint64_t)((int64_t)cc->origin + delta);
}

static void
cubic_epoch_start(struct gw_tcp_cc *cc, uint32_t mss, uint32_t now_ms)
{
	cc->flags |= CC_F_EPOCH;
	cc->epoch_ms = now_ms;
	cc->bytes_acked = 0;
	cc->est_acked = 0;
	cc->w_est = cc->cwnd;
	if ((cc->flags & CC_F_AFTER_RTO) != 0 || cc->cwnd >= cc->w_max) {
		/* Nothing to return to: probe from here on the convex side. */
		cc->k_ms = 0;
		cc->origin = cc->cwnd;
	} else {
		/*
		 * K = cbrt((W_max - cwnd_epoch) / C) s with W in segments
		 * (eq. 2); in ms that is cbrt(bytes * 2.5e9 / mss). The
		 * product stays below 2^32 * 2.5e9 < 2^64.
		 */
		uint64_t v = (uint64_t)(cc->w_max - cc->cwnd) * UINT64_C(2500000000) / mss;

		cc->k_ms = icbrt64(v);
		cc->origin = cc->w_max;
	}
	cc->flags &= (uint8_t)~CC_F_AFTER_RTO;
}

static void
reno_avoid(struct gw_tcp_cc *cc, uint32_t acked, uint32_t mss)
{
	/* One MSS per cwnd of bytes acked (RFC 5681 §3.1, RFC 3465). */
	cc->bytes_acked += acked;
	if (cc->bytes_acked >= cc->cwnd) {
		cc->bytes_acked -= cc->cwnd;
		cc->cwnd = clamp_cwnd((uint64_t)cc->cwnd + mss);
	}
}

static void
cubic_avoid(struct gw_tcp_cc *cc, uint32_t acked, uint32_t mss, uint32_t now_ms,
	uint32_t srtt_ms)
{
	uint64_t cwnd, w_t, target, thresh, need, n;
	int64_t t;

	if ((cc->flags & CC_F_EPOCH) == 0)
		cubic_epoch_start(cc, mss, now_ms);
	cwnd = cc->cwnd;
	t = (int64_t)(uint32_t)(now_ms - cc->epoch_ms);

	/*
	 * W_est += alpha * segments_acked / cwnd (§4.3) is one MSS per
	 * cwnd / alpha bytes acked; counting bytes keeps the fraction that
	 * a per-ACK division would lose on large windows. Alpha becomes 1
	 * once W_est reaches the window before the reduction.
	 */
	cc->est_acked += acked;
	thresh = cc->w_est >= cc->cwnd_prior ? cwnd : cwnd * CUBIC_ALPHA_DEN / CUBIC_ALPHA_NUM;
	if (cc->est_acked >= thresh) {
		n = cc->est_acked / thresh;
		cc->w_est = clamp_cwnd(cc->w_est + n * mss);
		cc->est_acked -= (uint32_t)(n * thresh);
	}

	w_t = cubic_window(cc, t, mss);
	if (w_t < cc->w_est) {
		/* Reno-friendly region: never below what Reno would have. */
		if (cc->w_est > cc->cwnd)
			cc->cwnd = cc->w_est;
		cc->bytes_acked = 0;
		return;
	}

	/* Concave and convex regions (§4.4, §4.5): aim one RTT ahead. */
	target = cubic_window(cc, t + srtt_ms, mss);
	if (target > cwnd + cwnd / 2)
		target = cwnd + cwnd / 2;
	if (target <= cwnd)
		return;
	/*
	 * (target - cwnd) / cwnd segments per segment acked, i.e. one MSS per
	 * cwnd * mss / (target - cwnd) bytes acked; at least 2 MSS given the
	 * 1.5 cwnd cap.
	 */
	cc->bytes_acked += acked;
	need = cwnd * mss / (target - cwnd);
	if (need == 0)
		need = 1;
	if (cc->bytes_acked >= need) {
		uint64_t w;

		n = cc->bytes_acked / need;
		cc->bytes_acked -= (uint32_t)(n * need);
		w = cwnd + n * mss;
		cc->cwnd = clamp_cwnd(w < target ? w : target);
	}
}

void
gw_tcp_cc_on_ack(struct gw_tcp_cc *cc, uint32_t acked, uint32_t mss, uint32_t now_ms,
	uint32_t srtt_ms, uint32_t flight)
{
	if (acked == 0 || mss == 0)
		return;
	if (cc->cwnd < cc->ssthresh) {
		/*
		 * Slow start doubles what was in use, so it may run only while
		 * at least half the window was (Linux's rule): an application
		 * trickling data must not earn a window it never tested.
		 */
		if ((uint64_t)flight * 2 < cc->cwnd)
			return;
		cc->cwnd = clamp_cwnd((uint64_t)cc->cwnd + (acked < mss ? acked : mss));
		return;
	}
	/* Avoidance grows by a fraction of a full window: require a full one. */
	if ((uint64_t)flight + mss < cc->cwnd)
		return;
	if (cc->algo == CC_NEWRENO)
		reno_avoid(cc, acked, mss);
	else
		cubic_avoid(cc, acked, mss, now_ms, srtt_ms);
}

/* Shared by loss and timeout: set ssthresh from the current state. */
static void
cc_reduce(struct gw_tcp_cc *cc, uint32_t flight, uint32_t mss)
{
	uint32_t lo = (uint32_t)clamp_cwnd((uint64_t)mss * 2);

	cc->bytes_acked = 0;
	if (cc->algo == CC_NEWRENO) {
		cc->ssthresh = max_u32(flight / 2, lo);
		return;
	}
	/* Fast convergence (§4.7): yield to newer flows when losing ground. */
	if (cc->cwnd < cc->w_max)
		cc->w_max = (uint32_t)((uint64_t)cc->cwnd * CUBIC_FC_NUM / CUBIC_FC_DEN);
	else
		cc->w_max = cc->cwnd;
	cc->cwnd_prior = cc->cwnd;
	cc->ssthresh = max_u32((uint32_t)((uint64_t)cc->cwnd * CUBIC_BETA_NUM / CUBIC_BETA_DEN),
		lo);
	cc->flags &= (uint8_t)~CC_F_EPOCH;
}

void
gw_tcp_cc_on_congestion(struct gw_tcp_cc *cc, uint32_t flight, uint32_t mss, uint32_t now_ms)
{
	cc_reduce(cc, flight, mss);
	cc->flags &= (uint8_t)~CC_F_AFTER_RTO;
	cc->cwnd = cc->ssthresh;
}

void
gw_tcp_cc_on_rto(struct gw_tcp_cc *cc, uint32_t flight, uint32_t mss, uint32_t now_ms)
{
	cc_reduce(cc, flight, mss);
	if (cc->algo != CC_NEWRENO)
		cc->flags |= CC_F_AFTER_RTO;
	cc->cwnd = mss != 0 ? mss : 1;
}

void
gw_tcp_cc_on_recovery_end(struct gw_tcp_cc *cc, uint32_t flight, uint32_t mss, uint32_t now_ms)
{
	uint64_t w = (uint64_t)max_u32(flight, mss) + mss;

	cc->cwnd = w < cc->ssthresh ? clamp_cwnd(w) : cc->ssthresh;
	cc->bytes_acked = 0;
}

void
gw_tcp_cc_after_idle(struct gw_tcp_cc *cc, uint32_t mss, uint32_t iw_segs)
{
	uint64_t iw = (uint64_t)(iw_segs != 0 ? iw_segs : 1) * mss;

	if (cc->cwnd > iw)
		cc->cwnd = (uint32_t)iw;
	cc->bytes_acked = 0;
	/* The cubic clock must not count the idle time as probing time. */
	cc->flags &= (uint8_t)~CC_F_EPOCH;
}
