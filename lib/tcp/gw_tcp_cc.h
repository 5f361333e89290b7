/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion controllers of lib/tcp: NewReno (RFC 5681 + RFC 6582) and
 * CUBIC (RFC 9438, the default). The stack owns loss detection and the
 * recovery episode (which segment to resend, partial ACKs, SACK pipe); a
 * controller only answers "how big is cwnd now" and "what is ssthresh after
 * a congestion event". All sizes are bytes, times milliseconds of the
 * stack's clock. No floating point.
 */
#ifndef GW_TCP_CC_H
#define GW_TCP_CC_H

#include <stdint.h>

struct gw_tcp_cc {
	uint32_t cwnd;                  /* bytes */
	uint32_t ssthresh;              /* bytes; UINT32_MAX at start */
	uint32_t bytes_acked;           /* avoidance byte counter (RFC 3465 style; CUBIC: toward +1 MSS) */
	uint8_t algo;                   /* enum gw_tcp_cc_algo */
	uint8_t flags;                  /* private to gw_tcp_cc.c */
	/* CUBIC (RFC 9438 §4) */
	uint32_t w_max;                 /* bytes: cwnd before the last reduction (§4.7 applied) */
	uint32_t k_ms;                  /* time to reach w_max again */
	uint32_t epoch_ms;              /* start of the current avoidance epoch, if one runs */
	uint32_t w_est;                 /* bytes: Reno-friendly estimate (§4.3) */
	uint32_t origin;                /* bytes: W_max for the cubic function of this epoch */
	uint32_t cwnd_prior;            /* bytes: cwnd at the last reduction (§4.3 alpha switch) */
	uint32_t est_acked;             /* bytes acked toward w_est's next MSS */
};

/* Initial state: cwnd = @iw_segs * @mss, ssthresh = UINT32_MAX. */
void gw_tcp_cc_init(struct gw_tcp_cc *cc, int algo, uint32_t mss, uint32_t iw_segs);

/*
 * @acked new bytes were cumulatively acknowledged outside loss recovery.
 * Slow start below ssthresh (cwnd += min(acked, mss) per ACK, RFC 5681 /
 * RFC 3465 L=1*SMSS), else the algorithm's congestion avoidance. @srtt_ms
 * is the smoothed RTT (CUBIC's t + RTT); @flight bytes in flight before this
 * ACK: cwnd does not grow when the sender was not cwnd-limited (RFC 7661
 * spirit): in congestion avoidance unless flight + mss >= cwnd, in slow
 * start unless 2 * flight >= cwnd.
 */
void gw_tcp_cc_on_ack(struct gw_tcp_cc *cc, uint32_t acked, uint32_t mss, uint32_t now_ms,
	uint32_t srtt_ms, uint32_t flight);

/*
 * Loss detected by duplicate ACKs or SACK (entering fast recovery):
 * NewReno ssthresh = max(flight / 2, 2 * mss); CUBIC ssthresh = max(cwnd *
 * 0.7, 2 * mss) with fast convergence on w_max. cwnd = ssthresh (the stack
 * adds its recovery inflation itself).
 */
void gw_tcp_cc_on_congestion(struct gw_tcp_cc *cc, uint32_t flight, uint32_t mss, uint32_t now_ms);

/*
 * Retransmission timeout: ssthresh as on congestion, cwnd = 1 * mss (RFC 5681
 * eq. 4). Call it for the first expiry of a back-off series only: RFC 5681
 * holds ssthresh while the same segment times out again. CUBIC's first
 * avoidance epoch after it starts with K = 0 at the cwnd it then has (§4.8).
 */
void gw_tcp_cc_on_rto(struct gw_tcp_cc *cc, uint32_t flight, uint32_t mss, uint32_t now_ms);

/*
 * Recovery ended (the ACK covering the recovery point): cwnd = min(ssthresh,
 * max(@flight, mss) + mss), RFC 6582 §3.2 step 6 option (1), so that a small
 * flight does not turn into a burst; slow start then refills up to ssthresh.
 * @flight is what is outstanding after that ACK.
 */
void gw_tcp_cc_on_recovery_end(struct gw_tcp_cc *cc, uint32_t flight, uint32_t mss, uint32_t now_ms);

/*
 * Idle for @idle_ms longer than one RTO (@rto_ms): restart window
 * min(IW, cwnd) (RFC 5681 §4.1); CUBIC also restarts its epoch.
 */
void gw_tcp_cc_after_idle(struct gw_tcp_cc *cc, uint32_t mss, uint32_t iw_segs);

#endif /* GW_TCP_CC_H */
