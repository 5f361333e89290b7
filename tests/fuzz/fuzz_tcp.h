/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_tcp: what its sources share (the input format and the oracles are
 * described at the top of fuzz_tcp.c).
 *
 *   fuzz_tcp.c       libFuzzer entry points, the stack's set-up and
 *                    tear-down, the opcode interpreter
 *   fuzz_tcp_wire.c  addresses, exact-size external buffers, our own
 *                    checksums, the segments the scripted peer injects
 *                    (INJECT) and the checks of those the stack sends
 *   fuzz_tcp_app.c   the application: its calls into the stack, its
 *                    callbacks and what they check
 */
#ifndef FUZZ_TCP_H
#define FUZZ_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "gw_stats.h"
#include "gw_tcp.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_tcp: %s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/*
 * Helpers that loop over bytes, connections or peers carry no coverage
 * instrumentation: their edges say nothing about the stack, and every
 * feature they add slows libFuzzer's bookkeeping down on each run.
 */
#define NO_COV __attribute__((no_sanitize("coverage"), noinline))

#define POOL_SIZE    8191
#define N_PEERS      32
#define MAX_APPS     256
#define MAX_FRAME    1920 /* largest injected frame (an arena slot) */
#define SEND_SEGS    64   /* mbufs per gw_tcp_send() chain at most */
#define T0_US        1000000000ull
#define LPORT_EPH_LO 40000

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

/* Reactions of the application from its callbacks (REACT). */
#define R_DATA_PAUSE 0x01 /* on_data: pause */
#define R_DATA_SEND  0x02 /* on_data: send 100 bytes */
#define R_DATA_CLOSE 0x04 /* on_data: close */
#define R_DATA_ABORT 0x08 /* on_data: abort */
#define R_EOF_CLOSE  0x10 /* EV_EOF: close */
#define R_EOF_SHUT   0x20 /* EV_EOF: send 10 bytes, shut down */
#define R_SENT_SEND  0x40 /* EV_SENT: send 3000 bytes */
#define R_CONN_SEND  0x80 /* EV_CONNECTED: send 500 bytes */

enum api_call {
	API_NONE,
	API_RESUME,
	API_OTHER,
};

/* What the application knows of one connection handle (never reused within an input). */
struct app {
	struct gw_tcp_conn *c;
	uint8_t family;
	bool alt; /* local address: the other one */
	uint16_t lport;
	uint8_t peer;
	bool live;  /* the handle is valid */
	bool stale; /* a newer connection took the tuple: not ours to check */
	bool active;
	bool rx_known; /* rx_base set: established */
	bool connected, paused, eof, shut, want_sent, keepalive;
	uint8_t react;
	uint32_t rx_base, rx_off; /* sequence of the first byte; bytes delivered */
	uint32_t tx_base, tx_off; /* same, sent side */
};

/* A peer: what the script sent it as, and what the stack last sent it. */
struct peer {
	uint32_t isn, nxt; /* the peer's ISN and next sequence number */
	uint32_t acked;    /* the last ack it sent */
	bool heard;        /* the stack sent it something */
	bool s_has_ack;
	uint16_t lport; /* local port of that */
	uint32_t s_end, s_max, s_ack, s_tsval;
};

/* Everything below is reachable from globals, so LeakSanitizer is quiet. */
struct fz_state {
	struct rte_mempool *pool;
	bool verbose;
	uint64_t inputs;
	void *hog[POOL_SIZE];
	/* per input */
	struct gw_tcp_stack *s;
	struct gw_stats stats;
	uint32_t max_conns;
	bool trusted; /* rx_cksum_trusted */
	uint64_t now;
	bool out_fail;
	bool tx_offload;
	bool stray_take;
	struct rte_mbuf *in_m; /* the segment gw_tcp_input() is looking at */
	uint32_t in_len;
	uint8_t in_frame[MAX_FRAME + 64];
	bool in_free;      /* inside gw_tcp_stack_free() */
	enum api_call api; /* the API call the application is in */
	unsigned int n_hog;
	uint8_t accept_mode;
	uint8_t react_default;
	bool lis[4];
	struct gw_tcp_params p;
	struct peer peers[N_PEERS];
	struct app apps[MAX_APPS];
	unsigned int n_apps;
};

extern struct fz_state fz; /* fuzz_tcp.c */

/* ---- the byte patterns of both streams ---- */

static inline uint8_t
pat_in(uint32_t seq)
{
	return (uint8_t)(((seq ^ 0x3c6ef372u) * 2654435761u) >> 24);
}

static inline uint8_t
pat_out(uint32_t seq)
{
	return (uint8_t)(((seq ^ 0x5bd1e995u) * 0x85ebca6bu) >> 24);
}

static inline bool
seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/* ---- input reader ---- */

struct rd {
	const uint8_t *p;
	size_t n, off;
};

static inline uint8_t
rd_u8(struct rd *r)
{
	return r->off < r->n ? r->p[r->off++] : 0;
}

static inline uint16_t
rd_u16(struct rd *r)
{
	uint16_t hi = rd_u8(r);

	return (uint16_t)(hi << 8 | rd_u8(r));
}

static inline uint32_t
rd_u32(struct rd *r)
{
	uint32_t hi = rd_u16(r);

	return hi << 16 | rd_u16(r);
}

/*
 * The application calls the stack (anything but gw_tcp_resume()): no
 * callback may come from inside.
 */
#define API(call)                                                                                  \
	do {                                                                                       \
		enum api_call api_saved_ = fz.api;                                                 \
		fz.api = API_OTHER;                                                                \
		call;                                                                              \
		fz.api = api_saved_;                                                               \
	} while (0)

/* ---- fuzz_tcp_wire.c ---- */

/* Exact-size external buffers: N_SLOTS slots of an arena, poisoned around. */
#define SLOT_SIZE  2048
#define SLOT_GUARD 64
#define N_SLOTS    4096

extern unsigned int n_free_slots;

void local_ip(int family, bool alt, uint8_t ip[16]);
int peer_family(unsigned int peer);
void peer_ip(unsigned int peer, uint8_t ip[16]);
uint16_t peer_port(unsigned int peer);
int peer_of(int family, const uint8_t *ip, uint16_t port);
int local_of(int family, const uint8_t *ip);
void slots_init(void);
struct rte_mbuf *buf_mbuf(const uint8_t *data, uint16_t len);
int out_fn(void *arg, struct rte_mbuf *m, int family, const uint8_t *src, const uint8_t *dst);
void op_inject(struct rd *r);

/* ---- fuzz_tcp_app.c ---- */

extern const struct gw_tcp_conn_ops app_ops;

struct app *app_new(struct gw_tcp_conn *c);
void app_learn_tuple(struct app *a);
void app_close(struct app *a);
void app_abort(struct app *a);
void app_pause(struct app *a);
void app_resume(struct app *a);
void app_shutdown(struct app *a);
void app_keepalive(struct app *a);
void app_send(struct app *a, uint32_t len, uint32_t chunk);
void fill_in(uint8_t *d, uint32_t n, uint32_t seq);
int on_accept(void *arg, struct gw_tcp_conn *c);
struct app *app_pick(unsigned int k);
struct app *app_by_tuple(int family, bool alt, uint16_t lport, unsigned int peer);

#endif /* FUZZ_TCP_H */
