/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the user-space TCP stack (lib/tcp) under ASan and UBSan.
 *
 * One stack is the system under test. The input is a byte-coded script: a
 * scripted peer injects segments toward the stack, a virtual clock moves,
 * and an application acts on the connections it holds. Every segment the
 * stack sends goes to the output callback, which checks it and remembers,
 * per peer, the last sequence/ack/timestamp the stack used, so that injected
 * segments can be made relative to them (in window) and reach deep states.
 * Each input gets a fresh stack; at its end the stack is freed and every
 * mbuf and external buffer must be back (a leak or a double free aborts).
 *
 * Input format (a byte read past the end reads 0):
 *
 *   header, 3 bytes:
 *     c0  bits 0-4 max_conns - 1; bit 5 rx_cksum_trusted; bit 6 ephemeral
 *         ports 40000..40003 only; bit 7 mtu 576 (else 1500)
 *     c1  initial params, bit set = non-default: 0 sack off, 1 timestamps
 *         off, 2 window scaling off, 3 syncookies off, 4 NewReno, 5 Nagle,
 *         6 syn_backlog 1, 7 rcv_buf 4096
 *     c2  bit 0 start the clock 10 s before the 32-bit millisecond clock
 *         wraps; bit 1 n_workers 2, worker_id 1; bit 2 the output function
 *         returns -ENOBUFS (the packet is still checked and consumed); bit 3
 *         tx_cksum_offload; bit 4 a stray function is set (gw_tcp_set_stray),
 *         bit 5 it takes the segments it is offered
 *   then operations until the input ends. An operation byte: low nibble the
 *   opcode, high nibble K picks the connection of application operations
 *   (the K % n-th live handle, in creation order; a no-op when none).
 *
 *   0 INJECT   a f s o [v] [seq delta] [ack delta] [window] [options] [payload]
 *       a: bits 0-4 peer slot (bits 0-1 peer port 1234/40000/50000/65535,
 *          bits 2-3 peer host 1..4, bit 4 IPv6); bits 5-6 destination port:
 *          0 = 80, 1 = the local port the stack last used toward this peer
 *          (80 if none), 2 = 8080, 3 = 79 (never listened); bit 7: a
 *          variant byte v follows o
 *       f: the TCP flags byte, raw
 *       s: bits 0-1 seq base: 0 the ack the stack last sent this peer (what
 *          it expects; the peer's next seq if none), 1 the peer's next seq,
 *          2 zero (absolute), 3 the peer's ISN; bit 2: a seq delta follows.
 *          bits 3-4 ack base: 0 the end of the last segment the stack sent
 *          this peer (seq + len + SYN + FIN), 1 the highest such end, 2 the
 *          last ack the peer sent, 3 zero; bit 5: an ack delta follows.
 *          bits 6-7 window: 0 65535, 1 u8 << 8 follows, 2 zero, 3 u16 follows
 *       o: options from a menu, in this order: bit 0 MSS (u8 m: bit 7 set:
 *          u16 raw follows, else {1460,536,1440,64,63,0,9000,1220}[m & 7]),
 *          bit 1 window scale (u8 shift), bit 2 SACK-permitted, bit 3
 *          timestamps (u8 t: t & 3 TSval = 0 the peer clock, 1 the peer
 *          clock - 1 - (t >> 4) * 1000 (old), 2 u32 raw, 3 the peer clock
 *          + (t >> 4) * 100000; (t >> 2) & 3 TSecr = 0 the stack's last
 *          TSval, 1 zero, 2 that + 1, 3 u32 raw), bit 4 SACK blocks (u8 n:
 *          1 + (n & 3) blocks of two bytes b, l: [B + b * 32, + (l + 1) *
 *          32) with B this segment's ack, or, n & 4, [B - (b + 1) * 32, +
 *          (l + 1) * 32) with B the highest end the stack sent), bit 5 raw
 *          option bytes (u8 length % 41, then the bytes), bit 6 pad with EOL
 *          instead of NOP; bit 7 payload (u8 p: p < 0xc0: p bytes, else
 *          (p - 0xbf) * 24), bytes pat_in(their sequence number)
 *       v: bit 0 bad TCP checksum; bit 1 truncate (u8 t: t & 0x80: claim
 *          (t & 0x7f) fewer TCP bytes than built, else cut (t & 0x3f) + 1
 *          bytes off the frame's end); bit 2 data offset from u8 (low nibble);
 *          bit 3 4 bytes of trailing padding; bit 4 split the frame into a
 *          chain of two mbufs at its middle; bit 5 RX L4 checksum flag GOOD;
 *          bit 6 send to the other local address (10.0.0.99 / fd00::99);
 *          bit 7 a 14-byte L2 header in front (l3_off 14)
 *       deltas: u8 c: c < 0x40: +c; < 0x80: -((c & 0x3f) + 1); < 0xc0:
 *          +(((c & 0x3f) << 8) | u8); else u32 raw.
 *   1 ADV_MS   u8 b: the clock moves (b + 1) ms
 *   2 ADV_SEC  u8 b: (b >> 5) + 1 steps of ((b & 31) + 1) * 100 ms
 *   3 ADV_MIN  u8 b: (b >> 5) + 1 steps of ((b & 31) + 1) * 60 s
 *   4 SEND     u8 len, u8 chunk: len < 0x80: len bytes (0 included), else
 *              (len - 0x7f) KiB; a chain of mbufs of {1,7,64,128,129,1000,
 *              1448,1920}[chunk & 7] bytes (64 mbufs at most), bytes
 *              pat_out(their sequence number)
 *   5 PAUSE   6 RESUME   7 SHUTDOWN   8 CLOSE   9 ABORT
 *   a KEEPALIVE  toggle keepalive, then gw_tcp_flush() and gw_tcp_want_space()
 *   b CONNECT  u8 c: bits 0-4 peer slot; bits 5-6 local port: 0, 3 an
 *              ephemeral one, 1 = 80, 2 = the port the stack last used toward
 *              that peer; bit 7: from the other local address
 *   c PARAM    u8 sel, u8 v (see set_param()); applies to new connections;
 *              sel % 14 == 12: gw_tcp_set_workers(v & 3, (v >> 2) & 3)
 *   d LISTEN   u8 v: bits 0-2 accept mode for the next passive opens (0
 *              accept, 1 refuse, 2 close, 3 abort, 4 send, 5 shutdown, 6
 *              pause, 7 keepalive in the accept callback); bits 3-5: 0
 *              nothing, 1 toggle 10.0.0.1:80, 2 toggle [::]:80, 3 toggle
 *              0.0.0.0:8080, 4 toggle [fd00::1]:8080, 5 listen twice
 *              (-EEXIST), 6 fill the listener table (-ENOSPC) and empty it
 *              again, 7 unlisten what is not there (-ENOENT)
 *   e REACT    u8 mask: what the application does from its callbacks, for
 *              connection K and for connections created from now on (R_*)
 *   f HOG      u8 h: h & 0x80: give the held mbufs back; else hold every
 *              free mbuf of the pool but (h & 0x7f) * 4 (allocation failures)
 *
 * Oracles besides the sanitizers:
 *  - every segment the stack sends is a well-formed IP packet from a local
 *    address to a peer, with a right checksum and well-formed options; its
 *    payload is the application's bytes for exactly those sequence numbers
 *    (the application sends pat_out(seq)), never past what it queued; a FIN
 *    only after shutdown/close, right after the last queued byte; a SYN or
 *    RST carries no payload; with tx_cksum_offload, the pseudo-header sum
 *    and the offload fields instead of the checksum;
 *  - a segment injected with a right checksum is never dropped for its
 *    checksum; the stray function is offered only the segment being
 *    injected, untouched;
 *  - data delivered to the application is exactly the peer's stream, in
 *    order, without holes or repeats (the peer sends pat_in(seq)); never
 *    while paused, never after EV_EOF, never before the connection is
 *    established; chains are consistent (nb_segs, pkt_len);
 *  - no callback after EV_CLOSED, close or abort; a handle the application
 *    still holds is never destroyed without EV_CLOSED (it still names its
 *    own 4-tuple in a live state); EV_CONNECTED once and only for active
 *    opens, EV_EOF at most once, EV_SENT only after -EAGAIN or
 *    gw_tcp_want_space(); EV_CLOSED with
 *    an error the API lists; no callback from inside an API call other
 *    than gw_tcp_resume() (on_data, EV_EOF), none and no segment from
 *    gw_tcp_stack_free();
 *  - gw_tcp_send() refuses after shutdown/close (-EPIPE) and returns only
 *    the documented codes; listen/unlisten return what is documented;
 *  - gw_tcp_stack_conns() <= max_conns, half-open <= conns, at all times;
 *  - after gw_tcp_stack_free() every mbuf is back in the pool and every
 *    external buffer was released exactly once.
 *
 * Payload mbufs (injected segments and data the application sends) are
 * external buffers of exactly their size in an arena that AddressSanitizer
 * sees poisoned everywhere else, so a read past a segment is reported.
 *
 * FUZZ_TCP_VERBOSE=1 prints each operation and segment. Seeds:
 * tests/fuzz/gen_tcp_seeds.py. Fuzz with -entropic=0 (replay.sh does):
 * libFuzzer's entropic bookkeeping otherwise takes most of each run.
 *
 * Sources (fuzz_tcp.h shares their declarations): this file has the entry
 * points, the stack's set-up and tear-down and the opcode interpreter;
 * fuzz_tcp_wire.c the addresses, exact-size external buffers, our own
 * checksums, INJECT's segments and the checks of the segments the stack
 * sends; fuzz_tcp_app.c the application (its calls and callbacks).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "gw_stats.h"
#include "gw_tcp.h"

#include "fuzz_tcp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t chunk_menu[8] = {1, 7, 64, 128, 129, 1000, 1448, 1920};
static const uint8_t secret[32] = "fuzz_tcp: a fixed secret, 32 B.";

struct fz_state fz;

/* ---- operations ---- */

NO_COV static void
check_invariants(void)
{
	unsigned int i;

	CHECK(gw_tcp_stack_conns(fz.s) <= fz.max_conns);
	CHECK(gw_tcp_stack_half_open(fz.s) <= gw_tcp_stack_conns(fz.s));
	for (i = 0; i < fz.n_apps; i++) {
		struct app *a = &fz.apps[i];
		struct gw_tcp_info info;
		bool ok;

		if (!a->live)
			continue;
		/* Slots are never freed before the stack is: reading one is safe. */
		gw_tcp_conn_info(a->c, &info);
		/*
		 * TIME-WAIT is fine only while the application is paused with data
		 * or EOF not yet taken: EV_CLOSED waits for them (it comes on resume).
		 */
		ok = info.state != GW_TCP_CLOSED && info.state != GW_TCP_LISTEN &&
		     (info.state != GW_TCP_TIME_WAIT || (a->paused && !a->eof)) &&
		     info.local.port == a->lport &&
		     peer_of(info.remote.family, info.remote.ip, info.remote.port) == a->peer;
		if (!ok)
			fprintf(stderr, "fuzz_tcp: app %u holds a handle now %s (%u -> peer %d)\n",
				i, gw_tcp_state_name(info.state), info.local.port,
				peer_of(info.remote.family, info.remote.ip, info.remote.port));
		/* Destroyed (or its slot reused) without GW_TCP_EV_CLOSED. */
		CHECK(ok);
	}
}

static void
advance(uint64_t us, unsigned int steps)
{
	while (steps-- > 0) {
		fz.now += us;
		gw_tcp_stack_advance(fz.s, fz.now);
		check_invariants();
	}
}

static void
op_connect(struct rd *r)
{
	uint8_t c = rd_u8(r);
	unsigned int pi = c & 31;
	struct gw_tcp_addr l, rem;
	struct gw_tcp_info info;
	struct gw_tcp_conn *conn;
	struct app *a;
	int err = 1;

	if (fz.n_apps == MAX_APPS)
		return;
	memset(&l, 0, sizeof(l));
	memset(&rem, 0, sizeof(rem));
	l.family = rem.family = (uint8_t)peer_family(pi);
	local_ip(l.family, (c & 0x80) != 0, l.ip);
	peer_ip(pi, rem.ip);
	rem.port = peer_port(pi);
	switch ((c >> 5) & 3) {
	case 1:
		l.port = 80;
		break;
	case 2:
		l.port = fz.peers[pi].heard ? fz.peers[pi].lport : 80;
		break;
	default:
		l.port = 0;
		break;
	}
	a = &fz.apps[fz.n_apps];
	memset(a, 0, sizeof(*a));
	API(conn = gw_tcp_connect(fz.s, &l, &rem, &app_ops, a, &err));
	if (conn == NULL) {
		CHECK(err == -EADDRNOTAVAIL || err == -ENOMEM || err == -EINVAL ||
			err == -EADDRINUSE);
		return;
	}
	CHECK(err == 0);
	a = app_new(conn);
	a->active = true;
	app_learn_tuple(a);
	gw_tcp_conn_info(conn, &info);
	CHECK(info.state == GW_TCP_SYN_SENT);
	a->tx_base = info.snd_una + 1;
}

static void
set_param(struct gw_tcp_params *p, uint8_t sel, uint8_t v)
{
	switch (sel % 14) {
	case 0:
		p->rcv_buf = v == 0 ? 262144u : v * 1024u;
		break;
	case 1:
		p->snd_buf = v == 0 ? 262144u : v * 512u;
		break;
	case 2:
		p->syn_backlog = v < 16 ? v : 1024u;
		break;
	case 3:
		p->sack = v & 1;
		p->timestamps = (v & 2) != 0;
		p->window_scaling = (v & 4) != 0;
		p->syncookies = (v & 8) != 0;
		p->nagle = (v & 16) != 0;
		p->cc = (v & 32) ? GW_TCP_CC_NEWRENO : GW_TCP_CC_CUBIC;
		break;
	case 4:
		p->delack_ms = v * 2u;
		break;
	case 5:
		p->init_cwnd = v & 15;
		p->rto_init_ms = ((v >> 4) + 1u) * 200u;
		break;
	case 6:
		p->rto_min_ms = v + 1u;
		p->rto_max_ms = (v + 1u) * 100u;
		break;
	case 7:
		p->time_wait_ms = v * 100u;
		p->fin_wait2_ms = v * 100u + 1;
		break;
	case 8:
		p->keepalive_idle_ms = (v + 1u) * 1000u;
		p->keepalive_intvl_ms = ((v & 15) + 1u) * 1000u;
		p->keepalive_probes = v >> 4;
		break;
	case 9:
		p->challenge_ack_limit = v;
		break;
	case 10:
		p->syn_retries = v & 7;
		p->synack_retries = (v >> 3) & 7;
		p->data_retries = (v >> 6) * 4u;
		break;
	default:
		gw_tcp_params_default(p);
		break;
	}
}

static void
listener_addr(unsigned int i, struct gw_tcp_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = (i & 1) ? AF_INET6 : AF_INET;
	a->port = i < 2 ? 80 : 8080;
	/* 0: 10.0.0.1:80, 1: [::]:80, 2: 0.0.0.0:8080, 3: [fd00::1]:8080 */
	if (i == 0 || i == 3)
		local_ip(a->family, false, a->ip);
}

static void
op_listen(struct rd *r)
{
	uint8_t v = rd_u8(r);
	struct gw_tcp_addr a;
	unsigned int i, act = (v >> 3) & 7;
	int rc;

	fz.accept_mode = v & 7;
	switch (act) {
	case 1:
	case 2:
	case 3:
	case 4:
		i = act - 1;
		listener_addr(i, &a);
		if (fz.lis[i])
			API(rc = gw_tcp_unlisten(fz.s, &a));
		else
			API(rc = gw_tcp_listen(fz.s, &a, on_accept, NULL));
		CHECK(rc == 0);
		fz.lis[i] = !fz.lis[i];
		break;
	case 5:
		for (i = 0; i < 4; i++) {
			if (!fz.lis[i])
				continue;
			listener_addr(i, &a);
			API(rc = gw_tcp_listen(fz.s, &a, on_accept, NULL));
			CHECK(rc == -EEXIST);
		}
		break;
	case 6:
		/* Up to 16 listeners: the rest of the table, then the next fails. */
		for (i = 0; i < 17; i++) {
			memset(&a, 0, sizeof(a));
			a.family = AF_INET;
			a.port = (uint16_t)(9000 + i);
			API(rc = gw_tcp_listen(fz.s, &a, on_accept, NULL));
			CHECK(rc == 0 || rc == -ENOSPC);
			if (rc == -ENOSPC)
				break;
		}
		CHECK(i < 17);
		for (i = 0; i < 17; i++) {
			memset(&a, 0, sizeof(a));
			a.family = AF_INET;
			a.port = (uint16_t)(9000 + i);
			API(rc = gw_tcp_unlisten(fz.s, &a));
			CHECK(rc == 0 || rc == -ENOENT);
		}
		break;
	case 7:
		memset(&a, 0, sizeof(a));
		a.family = AF_INET6;
		a.port = 7;
		API(rc = gw_tcp_unlisten(fz.s, &a));
		CHECK(rc == -ENOENT);
		a.port = 0;
		API(rc = gw_tcp_listen(fz.s, &a, on_accept, NULL));
		CHECK(rc == -EINVAL);
		break;
	default:
		break;
	}
}

static void
hog_release(void)
{
	if (fz.n_hog > 0)
		rte_mempool_put_bulk(fz.pool, fz.hog, fz.n_hog);
	fz.n_hog = 0;
}

/* Raw objects in bulk: free mbufs stay as they are, and it costs next to nothing. */
static void
op_hog(uint8_t h)
{
	unsigned int keep = (h & 0x7fu) * 4u, avail = rte_mempool_avail_count(fz.pool);

	if (h & 0x80) {
		hog_release();
		return;
	}
	if (avail <= keep)
		return;
	if (rte_mempool_get_bulk(fz.pool, fz.hog + fz.n_hog, avail - keep) == 0)
		fz.n_hog += avail - keep;
}

static void
run_op(struct rd *r)
{
	uint8_t b = rd_u8(r), op = b & 15, k = b >> 4;
	struct app *a = NULL;

	if (op >= 4 && op <= 10) {
		a = app_pick(k);
		if (fz.verbose)
			fprintf(stderr, "op %x app %d\n", op, a == NULL ? -1 : (int)(a - fz.apps));
		if (a == NULL) {
			/* Still consume the operands: the script's layout does not depend on state.
			 */
			if (op == 4) {
				rd_u8(r);
				rd_u8(r);
			}
			return;
		}
	} else if (fz.verbose) {
		fprintf(stderr, "op %x\n", op);
	}
	switch (op) {
	case 0:
		op_inject(r);
		break;
	case 1:
		advance((rd_u8(r) + 1u) * 1000u, 1);
		return;
	case 2: {
		uint8_t v = rd_u8(r);

		advance(((v & 31) + 1u) * 100000u, (v >> 5) + 1u);
		return;
	}
	case 3: {
		uint8_t v = rd_u8(r);

		advance(((v & 31) + 1ull) * 60000000ull, (v >> 5) + 1u);
		return;
	}
	case 4: {
		uint8_t lc = rd_u8(r), cc = rd_u8(r);
		uint32_t len = lc < 0x80 ? lc : (lc - 0x7fu) * 1024u;

		app_send(a, len, chunk_menu[cc & 7]);
		break;
	}
	case 5:
		app_pause(a);
		break;
	case 6:
		app_resume(a);
		break;
	case 7:
		app_shutdown(a);
		break;
	case 8:
		app_close(a);
		break;
	case 9:
		app_abort(a);
		break;
	case 10:
		app_keepalive(a);
		break;
	case 11:
		op_connect(r);
		break;
	case 12: {
		uint8_t sel = rd_u8(r), v = rd_u8(r);

		if (sel % 14 == 12) {
			API(gw_tcp_set_workers(fz.s, v & 3u, (v >> 2) & 3u));
			break;
		}
		set_param(&fz.p, sel, v);
		API(gw_tcp_stack_set_params(fz.s, &fz.p));
		break;
	}
	case 13:
		op_listen(r);
		break;
	case 14: {
		uint8_t mask = rd_u8(r);

		fz.react_default = mask;
		a = app_pick(k);
		if (a != NULL)
			a->react = mask;
		break;
	}
	default:
		op_hog(rd_u8(r));
		break;
	}
	check_invariants();
}

/* ---- per input ---- */

/* Offered a segment no connection wants: the one injected, untouched, not a SYN. */
static bool
stray_fn(void *arg, struct rte_mbuf *m)
{
	uint8_t buf[MAX_FRAME + 64];
	const uint8_t *d;

	(void)arg;
	CHECK(fz.api == API_NONE);
	CHECK(m == fz.in_m && m->pkt_len == fz.in_len);
	d = rte_pktmbuf_read(m, 0, m->pkt_len, buf);
	CHECK(d != NULL && memcmp(d, fz.in_frame, fz.in_len) == 0);
	if (!fz.stray_take)
		return false;
	rte_pktmbuf_free(m);
	return true;
}

static bool
stack_up(struct rd *r)
{
	uint8_t c0 = rd_u8(r), c1 = rd_u8(r), c2 = rd_u8(r);
	struct gw_tcp_conf conf;
	struct gw_tcp_addr a;
	unsigned int i;

	memset(&fz.stats, 0, sizeof(fz.stats));
	memset(fz.peers, 0, sizeof(fz.peers));
	for (i = 0; i < N_PEERS; i++) {
		/* Each peer's first ISN; the script may pick any other. */
		fz.peers[i].isn = 0x10000000u * (i & 15) + 0x01000000u * (i >> 4) + 0x777u;
		fz.peers[i].nxt = fz.peers[i].isn;
	}
	fz.n_apps = 0;
	fz.n_hog = 0;
	fz.api = API_NONE;
	fz.in_free = false;
	fz.accept_mode = 0;
	fz.react_default = 0;
	fz.now = (c2 & 1) ? (4294967296ull - 10000ull) * 1000ull : T0_US;
	fz.out_fail = (c2 & 4) != 0;
	fz.tx_offload = (c2 & 8) != 0;
	fz.stray_take = (c2 & 32) != 0;
	gw_tcp_params_default(&fz.p);
	fz.p.sack = !(c1 & 1);
	fz.p.timestamps = !(c1 & 2);
	fz.p.window_scaling = !(c1 & 4);
	fz.p.syncookies = !(c1 & 8);
	fz.p.cc = (c1 & 16) ? GW_TCP_CC_NEWRENO : GW_TCP_CC_CUBIC;
	fz.p.nagle = (c1 & 32) != 0;
	if (c1 & 64)
		fz.p.syn_backlog = 1;
	if (c1 & 128)
		fz.p.rcv_buf = 4096;

	memset(&conf, 0, sizeof(conf));
	fz.max_conns = (c0 & 31) + 1u;
	conf.max_conns = fz.max_conns;
	conf.rx_cksum_trusted = (c0 & 32) != 0;
	fz.trusted = conf.rx_cksum_trusted;
	if (c0 & 64) {
		conf.port_lo = LPORT_EPH_LO;
		conf.port_hi = LPORT_EPH_LO + 3;
	}
	conf.mtu = (c0 & 128) ? 576 : 1500;
	if (c2 & 2) {
		conf.n_workers = 2;
		conf.worker_id = 1;
	}
	conf.pool = fz.pool;
	conf.output = out_fn;
	conf.stats = &fz.stats;
	conf.secret = secret;
	conf.socket = SOCKET_ID_ANY;
	conf.now_us = fz.now;
	conf.params = fz.p;
	conf.tx_cksum_offload = fz.tx_offload;
	fz.s = gw_tcp_stack_create(&conf);
	CHECK(fz.s != NULL);
	if (c2 & 16)
		gw_tcp_set_stray(fz.s, stray_fn, NULL);
	/* 10.0.0.1:80 and [::]:80 listen from the start. */
	for (i = 0; i < 4; i++)
		fz.lis[i] = false;
	for (i = 0; i < 2; i++) {
		listener_addr(i, &a);
		CHECK(gw_tcp_listen(fz.s, &a, on_accept, NULL) == 0);
		fz.lis[i] = true;
	}
	return true;
}

static void
stack_down(void)
{
	int i;

	if (fz.verbose)
		for (i = 0; i < GW_CNT_MAX; i++)
			if (fz.stats.c[i] != 0)
				fprintf(stderr, "  %s %" PRIu64 "\n", gw_stats_name((enum gw_cnt)i),
					fz.stats.c[i]);
	hog_release();
	fz.in_free = true;
	gw_tcp_stack_free(fz.s);
	fz.in_free = false;
	fz.s = NULL;
	/* Every mbuf back (leaks and double frees), every external buffer released once. */
	if (rte_mempool_avail_count(fz.pool) != POOL_SIZE)
		fprintf(stderr, "fuzz_tcp: %u mbufs of %u in the pool after the stack was freed\n",
			rte_mempool_avail_count(fz.pool), POOL_SIZE);
	CHECK(rte_mempool_avail_count(fz.pool) == POOL_SIZE);
	CHECK(n_free_slots == N_SLOTS);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = {data, size, 0};

	if (size < 3 || size > 65536)
		return 0;
	stack_up(&r);
	while (r.off < r.n)
		run_op(&r);
	stack_down();
	fz.inputs++;
	return 0;
}

/* ---- once ---- */

/* Leave no runtime directory behind in /var/run/dpdk (one per process). */
static void
remove_runtime_dir(void)
{
	const char *dir = rte_eal_get_runtime_dir();
	char f[PATH_MAX + 256];
	struct dirent *de;
	DIR *d;

	if (dir == NULL || dir[0] == '\0')
		return;
	d = opendir(dir);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(f, sizeof(f), "%s/%s", dir, de->d_name);
			unlink(f);
		}
		closedir(d);
	}
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[64];
	char *eal[] = {"fuzz_tcp", "-l", "0", "--no-huge", "-m", "128", "--no-shconf", "--no-pci",
		"--no-telemetry", "--log-level=error", "--file-prefix", prefix, NULL};
	const char *v;

	(void)argc;
	(void)argv;
	v = getenv("FUZZ_TCP_VERBOSE");
	fz.verbose = v != NULL && v[0] == '1';
	snprintf(prefix, sizeof(prefix), "fuzz%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "fuzz_tcp: EAL init failed: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	slots_init();
	/* No per-lcore cache: rte_mempool_avail_count() is then exact. */
	fz.pool = rte_pktmbuf_pool_create(
		"fz_tcp_pool", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	CHECK(fz.pool != NULL);
	atexit(remove_runtime_dir);
	return 0;
}
