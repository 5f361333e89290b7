/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The user-space TCP stack (design.md §3): one instance per worker, owned by
 * that worker alone (no locks, no atomics), RFC 9293 with RFC 7323 window
 * scaling, timestamps and PAWS, RFC 2018/6675 SACK, RFC 6298 timers, RFC
 * 5681/6582 NewReno and RFC 9438 CUBIC congestion control, RFC 5961
 * challenge ACKs, RFC 6528 ISNs and RFC 4987 SYN cookies, IPv4 and IPv6.
 *
 * Payload is never copied on the way through:
 *  - received mbufs are handed to the application as a chain that holds only
 *    payload (headers adjusted away); the application owns and frees them;
 *  - mbufs given to gw_tcp_send() are kept on the send queue and referenced
 *    by indirect mbufs for each (re)transmission; they are freed once ACKed.
 *
 * The stack knows nothing of ports, routes or Ethernet: it hands each IP
 * packet it builds to the output function of its configuration, which
 * prepends L2 and transmits (a worker), or captures it (tests). It reads time
 * only from gw_tcp_stack_advance(), so tests drive a virtual clock. Those two
 * and gw_tcp_input() are the seams packetdrill's user-space mode uses:
 * inject a segment, capture what the stack sends, set the time.
 *
 * Connections are found by 4-tuple in a per-stack hash table; every timer
 * (retransmission, delayed ACK, persist, keepalive, FIN-WAIT-2, TIME-WAIT,
 * SYN-RECEIVED) hangs on one hashed timer wheel per stack (lib/timer).
 *
 * Lifetime of a struct gw_tcp_conn as the application sees it: it is valid
 * from the accept callback (passive) or gw_tcp_connect() (active) until the
 * application receives GW_TCP_EV_CLOSED or calls gw_tcp_close() or
 * gw_tcp_abort(). After that the stack may keep the connection (FIN
 * sequence, TIME-WAIT) but never calls the application about it again.
 * Callbacks run from gw_tcp_input() and gw_tcp_stack_advance(), and from
 * gw_tcp_resume() (on_data with what was queued while paused, then EV_EOF
 * if the FIN came meanwhile, then EV_CLOSED if the connection closed
 * meanwhile: EV_CLOSED never overtakes data or EOF); no other API call
 * makes one. An application
 * may call any API function from a callback, including close/abort of the
 * connection the callback is about.
 *
 * Addresses are in network byte order; ports in host order.
 */
#ifndef GW_TCP_H
#define GW_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "gw_stats.h"

struct gw_tcp_stack;
struct gw_tcp_conn;

struct gw_tcp_addr {
	uint8_t family;         /* AF_INET or AF_INET6 */
	uint8_t ip[16];         /* IPv4: first 4 bytes; all zero in listen = any */
	uint16_t port;          /* host order */
};

enum gw_tcp_cc_algo {
	GW_TCP_CC_CUBIC = 0,    /* RFC 9438, the default */
	GW_TCP_CC_NEWRENO = 1,  /* RFC 5681 + RFC 6582 */
};

/*
 * Tunables; gw_tcp_params_default() fills the defaults given here. They
 * apply to connections created after they are set.
 */
struct gw_tcp_params {
	uint32_t rcv_buf;               /* 262144: bytes the stack holds while the app is paused;
					 * the advertised window (wscale: smallest shift with
					 * rcv_buf >> shift <= 65535, i.e. 3 for 256 KiB) */
	uint32_t snd_buf;               /* 262144: bytes of unacked + unsent data gw_tcp_send() accepts */
	uint32_t init_cwnd;             /* 10 segments (RFC 6928) */
	uint32_t rto_init_ms;           /* 1000 (RFC 6298 2.1); 3000 after a lost SYN (2.4 note) */
	uint32_t rto_min_ms;            /* 200 (Linux; RFC says SHOULD 1000) */
	uint32_t rto_max_ms;            /* 60000 */
	uint32_t delack_ms;             /* 40: ACK at the latest this long after data; every 2nd full segment at once */
	uint32_t syn_retries;           /* 5: SYN retransmissions before connect fails (ETIMEDOUT) */
	uint32_t synack_retries;        /* 3: SYN-ACK retransmissions before a half-open conn is dropped */
	uint32_t data_retries;          /* 12: RTO retransmissions of data/FIN before ETIMEDOUT */
	uint32_t fin_wait2_ms;          /* 60000: FIN-WAIT-2 after close() before it is dropped */
	uint32_t time_wait_ms;          /* 60000: 2 MSL with MSL = 30 s */
	uint32_t keepalive_idle_ms;     /* 7200000 (RFC 9293 MUST >= 2 h); off unless enabled per conn */
	uint32_t keepalive_intvl_ms;    /* 75000 */
	uint32_t keepalive_probes;      /* 9 */
	uint32_t syn_backlog;           /* 1024: half-open conns per stack before SYN cookies */
	uint32_t challenge_ack_limit;   /* 1000 challenge ACKs per second per stack (RFC 5961 §7) */
	uint8_t cc;                     /* enum gw_tcp_cc_algo */
	bool nagle;                     /* false (a proxy forwards what it has) */
	bool sack;                      /* true: offer/accept SACK-permitted */
	bool timestamps;                /* true: offer/accept RFC 7323 timestamps */
	bool window_scaling;            /* true */
	bool syncookies;                /* true: cookies over syn_backlog; false: drop those SYNs */
};

void gw_tcp_params_default(struct gw_tcp_params *p);

/*
 * Output: @m is a complete IP packet (data starts at the IPv4/IPv6 header,
 * at least RTE_PKTMBUF_HEADROOM - 40 bytes of headroom left for L2) with the
 * TCP checksum computed, unless conf.tx_cksum_offload: then the pseudo-header
 * sum is in the checksum field and RTE_MBUF_F_TX_TCP_CKSUM, l2_len = 0,
 * l3_len are set (the output function adds the L2 length). The IPv4 header
 * checksum is left 0 with RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM NOT set:
 * the output function finishes the IPv4 header as it does for any packet it
 * originates. The function consumes @m in every case; a negative return
 * (-errno) is counted as tcp_tx_fail.
 */
typedef int (*gw_tcp_output_fn)(void *arg, struct rte_mbuf *m, int family,
	const uint8_t *src, const uint8_t *dst);

struct gw_tcp_conf {
	unsigned int worker_id;         /* local ports of connect(): port % n_workers == worker_id */
	unsigned int n_workers;         /* 0 is taken as 1 */
	uint16_t port_lo, port_hi;      /* ephemeral range; 0/0 = 32768..60999 */
	struct rte_mempool *pool;       /* header and indirect mbufs */
	uint32_t max_conns;             /* connections of every state, TIME-WAIT included */
	uint16_t mtu;                   /* MSS offered = mtu - 40 (IPv4) / mtu - 60 (IPv6) */
	gw_tcp_output_fn output;
	void *output_arg;
	struct gw_stats *stats;         /* counters (tcp_*) go here; required */
	const uint8_t *secret;          /* 32 bytes for ISNs and cookies; NULL: random */
	bool rx_cksum_trusted;          /* true: do not verify TCP checksums on input */
	bool tx_cksum_offload;          /* see gw_tcp_output_fn */
	int socket;
	uint64_t now_us;                /* initial clock */
	struct gw_tcp_params params;
};

/* NULL on failure (logged). */
struct gw_tcp_stack *gw_tcp_stack_create(const struct gw_tcp_conf *c);
/* Free every connection (no segment sent, no callback) and the stack. */
void gw_tcp_stack_free(struct gw_tcp_stack *s);
void gw_tcp_stack_set_params(struct gw_tcp_stack *s, const struct gw_tcp_params *p);

/* Set the clock (monotonic, microseconds) and run every timer that is due. */
void gw_tcp_stack_advance(struct gw_tcp_stack *s, uint64_t now_us);
uint64_t gw_tcp_stack_now(const struct gw_tcp_stack *s);
/* Connections of every state the stack holds, and how many are half-open. */
uint32_t gw_tcp_stack_conns(const struct gw_tcp_stack *s);
uint32_t gw_tcp_stack_half_open(const struct gw_tcp_stack *s);
/* Bytes of memory the stack allocated at creation per connection slot. */
size_t gw_tcp_stack_conn_size(void);

/*
 * A TCP segment arrived: @m holds an IP packet whose IP header starts at
 * @l3_off and the TCP header at @l4_off, @l4_len bytes of TCP header and
 * payload (from the IP lengths; trailing padding is trimmed). Consumes @m.
 * A segment for no connection and no listener is answered with a RST
 * (RFC 9293 §3.10.7.1), counted as drop_tcp_no_conn.
 */
void gw_tcp_input(struct gw_tcp_stack *s, struct rte_mbuf *m, int family,
	uint16_t l3_off, uint16_t l4_off, uint16_t l4_len);

/*
 * Segments that match no connection and are not a SYN would be answered with
 * RST. With a stray function set, the stack first offers them to it (the
 * original packet, untouched): true means it took the mbuf (a worker passes
 * it to another worker, which may hold the connection: design.md §1), false
 * lets the stack answer as usual.
 */
typedef bool (*gw_tcp_stray_fn)(void *arg, struct rte_mbuf *m);
void gw_tcp_set_stray(struct gw_tcp_stack *s, gw_tcp_stray_fn fn, void *arg);
/* This stack is worker @id of @n: connect() takes local ports with port % n == id. */
void gw_tcp_set_workers(struct gw_tcp_stack *s, unsigned int id, unsigned int n);

enum gw_tcp_event {
	GW_TCP_EV_CONNECTED,    /* active open completed (ESTABLISHED) */
	GW_TCP_EV_SENT,         /* send space was exhausted and is available again */
	GW_TCP_EV_EOF,          /* the peer sent FIN: no more data will come */
	GW_TCP_EV_CLOSED,       /* gone; err: 0 orderly, ECONNRESET, ECONNREFUSED, ETIMEDOUT, ENOMEM */
};

struct gw_tcp_conn_ops {
	/*
	 * In-order payload: a chain of payload-only mbufs, now the application's.
	 * Not called while the connection is paused.
	 */
	void (*on_data)(struct gw_tcp_conn *c, void *ctx, struct rte_mbuf *m);
	void (*on_event)(struct gw_tcp_conn *c, void *ctx, enum gw_tcp_event ev, int err);
};

/*
 * Passive open completed (ESTABLISHED). Return 0 and set the connection's
 * ops with gw_tcp_conn_set_ops() to keep it; a negative value refuses it
 * (the stack sends RST and frees it).
 */
typedef int (*gw_tcp_accept_fn)(void *arg, struct gw_tcp_conn *c);

/* 0, -EEXIST, -ENOSPC (16 listeners per stack), -EINVAL. */
int gw_tcp_listen(struct gw_tcp_stack *s, const struct gw_tcp_addr *local,
	gw_tcp_accept_fn accept, void *arg);
int gw_tcp_unlisten(struct gw_tcp_stack *s, const struct gw_tcp_addr *local);

/*
 * Active open from @local (port 0: an ephemeral port this worker owns) to
 * @remote. Returns the connection in SYN-SENT (the SYN is sent at once), or
 * NULL with *@err = -EADDRNOTAVAIL (no free port), -ENOMEM, -EINVAL,
 * -EADDRINUSE (explicit local port taken).
 */
struct gw_tcp_conn *gw_tcp_connect(struct gw_tcp_stack *s, const struct gw_tcp_addr *local,
	const struct gw_tcp_addr *remote, const struct gw_tcp_conn_ops *ops, void *ctx, int *err);

void gw_tcp_conn_set_ops(struct gw_tcp_conn *c, const struct gw_tcp_conn_ops *ops, void *ctx);

/*
 * Queue the chain @m (any number of segments, pkt_len bytes) for sending.
 * 0: the stack owns @m. -EAGAIN: less than m->pkt_len of send space (see
 * gw_tcp_send_space(); GW_TCP_EV_SENT comes when space opens) while data is
 * still queued, @m is still the caller's. An empty send queue takes a chain
 * of any size, so a chain larger than snd_buf is not refused forever. -EPIPE after shutdown/close, -ENOTCONN before ESTABLISHED
 * of a passive conn or after CLOSED.
 * Data queued in SYN-SENT goes out once the connection is established.
 */
int gw_tcp_send(struct gw_tcp_conn *c, struct rte_mbuf *m);
uint32_t gw_tcp_send_space(const struct gw_tcp_conn *c);
/* Ask for GW_TCP_EV_SENT the next time acknowledged data frees send space. */
void gw_tcp_want_space(struct gw_tcp_conn *c);
/* Send what is queued now even if Nagle would wait (no-op without Nagle). */
void gw_tcp_flush(struct gw_tcp_conn *c);

/* Stop / restart on_data. While paused the stack queues up to rcv_buf and the window closes. */
void gw_tcp_pause(struct gw_tcp_conn *c);
void gw_tcp_resume(struct gw_tcp_conn *c);

/* Half-close: FIN after the queued data. Reading goes on. 0 or -ENOTCONN. */
int gw_tcp_shutdown(struct gw_tcp_conn *c);
/*
 * Close and detach: FIN after queued data (RST instead if received data was
 * left unread, RFC 9293 §3.10.4 / RFC 2525), no more callbacks.
 */
void gw_tcp_close(struct gw_tcp_conn *c);
/* Send RST, drop everything, detach. No callback. */
void gw_tcp_abort(struct gw_tcp_conn *c);
/* Keepalive probes on this connection (off by default). */
void gw_tcp_set_keepalive(struct gw_tcp_conn *c, bool on);

enum gw_tcp_state {
	GW_TCP_CLOSED = 0,
	GW_TCP_LISTEN,
	GW_TCP_SYN_SENT,
	GW_TCP_SYN_RECEIVED,
	GW_TCP_ESTABLISHED,
	GW_TCP_FIN_WAIT_1,
	GW_TCP_FIN_WAIT_2,
	GW_TCP_CLOSE_WAIT,
	GW_TCP_CLOSING,
	GW_TCP_LAST_ACK,
	GW_TCP_TIME_WAIT,
};
const char *gw_tcp_state_name(int state);

struct gw_tcp_info {
	uint8_t state;                  /* enum gw_tcp_state */
	struct gw_tcp_addr local, remote;
	uint32_t snd_una, snd_nxt, snd_wnd, rcv_nxt, rcv_wnd;
	uint32_t cwnd, ssthresh;        /* bytes */
	uint32_t srtt_us, rttvar_us, rto_ms;
	uint16_t mss;                   /* effective send MSS */
	uint8_t snd_wscale, rcv_wscale;
	bool ts, sack;
	uint32_t retransmits;           /* segments retransmitted on this conn */
	uint32_t snd_queued, rcv_queued;/* bytes on the send / paused receive queues */
	uint32_t idle_ms;               /* since the last segment received */
	uint8_t backoff;                /* RTO doublings in a row */
};
void gw_tcp_conn_info(const struct gw_tcp_conn *c, struct gw_tcp_info *out);

/*
 * Copy the info of up to @max connections (any state, TIME-WAIT included)
 * into @out; returns how many. For operators (dpgwctl show tcp): a walk of
 * the connection array, not for the packet path.
 */
unsigned int gw_tcp_stack_dump(const struct gw_tcp_stack *s, struct gw_tcp_info *out,
	unsigned int max);
/* Connections in TIME-WAIT. */
uint32_t gw_tcp_stack_time_wait(const struct gw_tcp_stack *s);

#endif /* GW_TCP_H */
