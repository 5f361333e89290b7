/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of lib/tcp shared by gw_tcp.c (stack, table, API, timers),
 * gw_tcp_in.c (segment arrival) and gw_tcp_out.c (segment building).
 *
 * Sequence space of a connection (send side):
 *
 *   snd_una        snd_nxt          snd_max          snd_end
 *      |  in flight   |  (resent after   |   unsent     |
 *      |              |   an RTO)        |              |
 *      sq_head (first byte = snd_una) ... sq_tail (last byte = snd_end - 1)
 *
 * The send queue is one singly-linked list of mbuf segments (the chains the
 * application sent, concatenated through m->next; only per-segment fields
 * mean anything). A partly acknowledged head segment has its data_off moved;
 * indirect mbufs already in flight keep their own view.
 *
 * Receive side: in-order data goes to the application at once, or to the
 * paused queue (rq) while the application does not read; out-of-order data
 * waits on the ooo list, sorted by sequence, each entry a payload chain with
 * its sequence number and list link in an mbuf dynamic field.
 */
#ifndef GW_TCP_INT_H
#define GW_TCP_INT_H

#include <netinet/in.h>

#include <rte_hash.h>
#include <rte_mbuf_dyn.h>

#include "gw_common.h"
#include "gw_stats.h"
#include "gw_timer.h"
#include "gw_tcp.h"
#include "gw_tcp_cc.h"
#include "gw_tcp_crypto.h"
#include "gw_tcp_sack.h"

#define GW_TCP_MAX_LISTEN 16
#define GW_TCP_MAX_WSCALE 14
/* Payloads up to this size are copied into the header mbuf instead of attached. */
#define GW_TCP_COPY_MAX 128
/* Segments of the receive queue at most (nb_segs is 16 bits). */
#define GW_TCP_RQ_MAX_SEGS 60000

/* TCP header flags. */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

/* Connection flags. */
#define CF_DETACHED     (1u << 0)   /* the application is gone (close/abort/CLOSED) */
#define CF_PAUSED       (1u << 1)
#define CF_KEEPALIVE    (1u << 2)
#define CF_FIN_QUEUED   (1u << 3)   /* shutdown: FIN after snd_end */
#define CF_FIN_SENT     (1u << 4)   /* FIN occupies snd_end (sent at least once) */
#define CF_PASSIVE      (1u << 5)   /* from a listener */
#define CF_DEAD         (1u << 6)   /* removed from the table, waiting to be reaped */
#define CF_ACK_NOW      (1u << 7)   /* send an ACK before returning from input */
#define CF_WANT_SENT    (1u << 8)   /* gw_tcp_send refused: EV_SENT when space opens */
#define CF_PERSIST      (1u << 9)   /* zero-window probing */
#define CF_RTT_TIMING   (1u << 10)  /* timing rtt_seq (no timestamps) */
#define CF_EOF_SEEN     (1u << 11)  /* FIN received */
#define CF_RCV_SHUT     (1u << 12)  /* closed by the app: received data is unwanted */
#define CF_IN_RECOVERY  (1u << 13)
#define CF_SYN_RETX     (1u << 14)  /* the SYN / SYN-ACK was retransmitted (Karn) */
#define CF_OOO_FIN      (1u << 15)  /* a FIN waits beyond a hole at ooo_fin_seq */
#define CF_COOKIE       (1u << 16)  /* created from a SYN cookie */
#define CF_EOF_PENDING  (1u << 17)  /* EV_EOF waits for the paused queue to drain */
#define CF_CLOSE_PENDING (1u << 18) /* EV_CLOSED waits for EV_EOF (paused queue) */

struct gw_tcp_key {
	uint8_t family;
	uint8_t pad;
	uint16_t lport;                 /* host order */
	uint16_t rport;
	uint16_t pad2;
	uint8_t laddr[16];
	uint8_t raddr[16];
} __rte_aligned(8);

/* What an arriving segment says, parsed once. */
struct gw_tcp_seg {
	uint32_t seq, ack;
	uint32_t len;                   /* payload bytes */
	uint32_t wnd;                   /* raw window field */
	uint8_t flags;
	/* options */
	uint8_t has_mss : 1, has_ws : 1, sack_ok : 1, has_ts : 1;
	uint8_t ws;
	uint8_t n_sack;
	uint16_t mss;
	uint32_t tsval, tsecr;
	struct gw_tcp_sack_block sack[4];
};

struct gw_tcp_conn {
	/* hot: lookup and input */
	struct gw_tcp_key key;
	struct gw_tcp_stack *s;
	uint32_t flags;
	uint8_t state;
	uint8_t snd_ws, rcv_ws;
	uint8_t ts_ok : 1, sack_ok : 1, ws_ok : 1;
	uint8_t dupacks;
	uint8_t backoff;                /* RTO doublings */
	uint8_t retries;                /* retransmissions of the current segment */
	uint8_t probes;                 /* keepalive probes unanswered */
	uint16_t mss;                   /* effective send MSS (options excluded) */
	uint16_t rcv_mss;               /* largest segment seen / peer's send size estimate */
	uint16_t listener;              /* index of the listener (passive) */

	/* send */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_end;
	uint32_t snd_wnd, max_snd_wnd, snd_wl1, snd_wl2;
	uint32_t recover, high_rxt;
	uint32_t rtt_seq, rtt_start_ms;
	uint32_t srtt_us, rttvar_us, rto_ms;
	uint32_t last_send_ms;
	struct rte_mbuf *sq_head, *sq_tail, *sq_cur;
	uint32_t sq_cur_seq;            /* sequence of sq_cur's first byte */
	struct gw_tcp_cc cc;
	struct gw_tcp_sackboard sb;

	/* receive */
	uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: right edge last advertised */
	uint32_t rcv_buf;
	uint32_t rq_bytes, ooo_bytes;
	uint32_t unacked;               /* bytes received since our last ACK */
	uint32_t ts_recent, ts_offset;
	uint32_t last_ack_sent;
	uint32_t last_rx_ms;
	uint32_t ooo_fin_seq, last_ooo_seq, last_ooo_end;
	struct rte_mbuf *rq_head, *rq_tail, *ooo;

	/* timers: deadlines in µs, 0 = off; tm fires at the earliest */
	struct gw_timer tm;
	uint64_t t_rtx, t_delack, t_keep;

	/* application */
	const struct gw_tcp_conn_ops *ops;
	void *ctx;
	struct gw_tcp_conn *znext;      /* zombie list */
	struct gw_tcp_conn *tw_next, *tw_prev;  /* TIME-WAIT FIFO (expiry in t_keep) */
	uint32_t retransmits;
	uint32_t idx;
};

struct gw_tcp_listener {
	struct gw_tcp_addr a;
	gw_tcp_accept_fn accept;
	void *arg;
	bool used;
};

struct gw_tcp_stack {
	struct gw_tcp_params p;
	unsigned int worker_id, n_workers;
	uint16_t port_lo, port_hi, port_cursor;
	uint16_t mtu;
	uint16_t ip_id;
	bool rx_cksum_trusted, tx_cksum_offload;
	struct rte_mempool *pool;
	gw_tcp_output_fn output;
	void *output_arg;
	struct gw_stats *st;
	uint64_t now_us;
	uint32_t now_ms;
	uint32_t max_conns, n_conns, half_open;
	struct rte_hash *h;
	struct gw_tcp_conn *conns;
	uint32_t *free_idx;
	uint32_t n_free;
	struct gw_timer_wheel *wheel;
	struct gw_tcp_conn *zombies;
	/*
	 * TIME-WAIT connections in the order they entered it: one duration for
	 * all, so the list is in expiry order and expiring is O(1) per
	 * connection, with no wheel entry turning round for 60 s.
	 */
	struct gw_tcp_conn *tw_head, *tw_tail;
	uint32_t n_time_wait;
	uint8_t key_isn[16], key_cookie[16];
	uint32_t chack_sec, chack_count;
	uint64_t cookie_last_us;        /* last SYN cookie sent (0 = never) */
	gw_tcp_stray_fn stray;
	void *stray_arg;
	struct gw_tcp_listener lis[GW_TCP_MAX_LISTEN];
	unsigned int n_lis;
};

/* Per-mbuf link of the ooo list (an mbuf dynamic field). */
struct gw_tcp_mbuf_q {
	struct rte_mbuf *next;
	uint32_t seq;
};
extern int gw_tcp_dyn_off;

static inline struct gw_tcp_mbuf_q *
gw_tcp_mq(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, gw_tcp_dyn_off, struct gw_tcp_mbuf_q *);
}

#define SEQ_LT(a, b) gw_seq_lt((a), (b))
#define SEQ_LE(a, b) gw_seq_le((a), (b))
#define SEQ_GT(a, b) gw_seq_lt((b), (a))
#define SEQ_GE(a, b) gw_seq_le((b), (a))

#define TCP_CNT(s, name) GW_CNT_INC((s)->st, name)

static inline uint32_t
tcp_ts_now(const struct gw_tcp_conn *c)
{
	return c->s->now_ms + c->ts_offset;
}

static inline uint32_t
tcp_flight(const struct gw_tcp_conn *c)
{
	return c->snd_max - c->snd_una;
}

/* gw_tcp.c */
void tcp_timer_update(struct gw_tcp_conn *c);
void tcp_set_rtx(struct gw_tcp_conn *c);
/* @sig: rte_hash_hash() of @k, computed once by the caller. */
struct gw_tcp_conn *tcp_conn_alloc(struct gw_tcp_stack *s, const struct gw_tcp_key *k,
	hash_sig_t sig);
void tcp_conn_destroy(struct gw_tcp_conn *c);
void tcp_notify(struct gw_tcp_conn *c, enum gw_tcp_event ev, int err);
void tcp_conn_reset_by_peer(struct gw_tcp_conn *c, int err);
void tcp_enter_time_wait(struct gw_tcp_conn *c);
void tcp_time_wait_restart(struct gw_tcp_conn *c);
/* End a TIME-WAIT connection (EV_CLOSED first if its application still waits for it). */
void tcp_time_wait_expire(struct gw_tcp_conn *c);
void tcp_set_state(struct gw_tcp_conn *c, uint8_t state);
void tcp_conn_init_params(struct gw_tcp_conn *c);
void tcp_chain_free(struct rte_mbuf *m);
uint16_t tcp_chain_cksum(const struct rte_mbuf *m, uint32_t off, uint32_t len);
uint32_t tcp_rcv_window(struct gw_tcp_conn *c);
int tcp_find_listener(struct gw_tcp_stack *s, int family, const uint8_t *addr, uint16_t port);
void tcp_rtt_sample(struct gw_tcp_conn *c, uint32_t rtt_ms);
void tcp_deliver(struct gw_tcp_conn *c, struct rte_mbuf *m);
void tcp_sq_ack(struct gw_tcp_conn *c, uint32_t acked);
void tcp_reap(struct gw_tcp_stack *s);

/* gw_tcp_out.c */
int tcp_send_seg(struct gw_tcp_conn *c, uint32_t seq, uint32_t len, uint8_t flags);
void tcp_output(struct gw_tcp_conn *c);
uint32_t tcp_payload_room(struct gw_tcp_conn *c);
void tcp_send_ack(struct gw_tcp_conn *c);
void tcp_send_challenge_ack(struct gw_tcp_conn *c);
void tcp_send_rst_conn(struct gw_tcp_conn *c);
void tcp_send_synack(struct gw_tcp_conn *c);
void tcp_send_syn(struct gw_tcp_conn *c);
/* A RST (or SYN-ACK for a cookie) built from a tuple, without a connection. */
void tcp_send_raw(struct gw_tcp_stack *s, const struct gw_tcp_key *k, uint32_t seq, uint32_t ack,
	uint8_t flags, uint16_t win, const struct gw_tcp_seg *syn, uint32_t tsval, uint8_t rcv_ws);
void tcp_retransmit_una(struct gw_tcp_conn *c);
void tcp_persist_probe(struct gw_tcp_conn *c);
void tcp_keepalive_probe(struct gw_tcp_conn *c);
void tcp_sws_override(struct gw_tcp_conn *c);

/* gw_tcp_in.c */
void tcp_reply_rst(struct gw_tcp_stack *s, const struct gw_tcp_key *k, const struct gw_tcp_seg *g);

#endif /* GW_TCP_INT_H */
