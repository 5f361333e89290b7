/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP stack benchmark (lib/tcp): two stack instances in one process, A the
 * client and B the server, wired back to back through two rte_rings (the
 * output function of one enqueues, a loop dequeues bursts of 32 and calls
 * gw_tcp_input() of the other), everything on one lcore, on the real clock
 * (rte_rdtsc() in µs for gw_tcp_stack_advance(), both stacks advanced every
 * loop iteration as a worker does once per poll). All the CPU time of the
 * loop is the stacks' (and the tiny applications'), so rates are per
 * CPU-second of the process (getrusage, user + sys), i.e. per core.
 * perf/bench_tcp.sh runs it against perf/bench_tcp_linux.c and records the
 * results; perf/README.md ("TCP stack") says what is measured and why.
 *
 * Modes (-m, comma separated; default all):
 *   bulk          -c connections (1), A sends as fast as send space allows
 *                 (chains of -b byte mbufs, 2048, from a pool whose data was
 *                 written once at start), B frees what it gets. MTU 1500,
 *                 timestamps on (MSS 1448), TCP checksums in software both
 *                 ways (the stack's defaults: tx_cksum_offload and
 *                 rx_cksum_trusted off). A connection is closed and replaced
 *                 once it has carried -L bytes (1 GiB), so that none crosses
 *                 2 GiB (the wrap check below is about that).
 *   bulk_offload  the same with the checksums a NIC would do: the output
 *                 leaves the pseudo-header sum (tx_cksum_offload) and the
 *                 receiver trusts it (rx_cksum_trusted), as loopback does.
 *   bulk_nots     bulk with timestamps off (MSS 1460), software checksums.
 *   crr           connections per second: A connects, sends 64 bytes, B
 *                 echoes them, A closes on the reply, B closes on EOF;
 *                 -k (256) in flight. A is the active closer and keeps
 *                 TIME-WAIT with the default time_wait_ms (60 s), so its
 *                 table (-M, 2^20) fills: the run ends early when it is
 *                 nearly full. A's local address moves on every 64,512
 *                 connects (ports 1024-65535) so ports never run out.
 *   crr_tw        crr with time_wait_ms = -W (1000): TIME-WAIT expires
 *                 during the run, the steady state with its timer work.
 *   idle          -n (100000) established idle connections: heap the two
 *                 stacks take (rte_malloc socket stats, created with
 *                 max_conns = n) per connection and per side, heap growth
 *                 while opening, mbufs held.
 *   wrap          a check, not timed: one connection carries 2.25 GiB.
 *
 * Only the timed windows count; with BENCH_PERF_CTL / BENCH_PERF_ACK (perf
 * record --control fifos) perf records only them too. The heap is touched
 * once before anything is timed (see heap_prefault()).
 *
 *   bench_tcp [-m modes] [-d secs] [-w warmup] [-c conns] [-k inflight]
 *             [-M max_conns] [-W tw_ms] [-n idle] [-b mbuf_bytes] [-L conn_bytes]
 *             [-- EAL args]
 *   One JSON object on stdout, progress on stderr. Without EAL args:
 *   -l 1 --no-huge -m 2048 --no-pci --no-shconf --log-level lib.eal:error.
 *   Exit 3 when a check failed (connection errors, wire drops, a dry payload
 *   pool, mbufs left after the stacks are freed, the wrap check).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "gw_stats.h"
#include "gw_tcp.h"

#define BURST 32
#define RING_SIZE 65536
#define HDR_MBUFS 65535         /* headers and indirect mbufs of both stacks */
#define DATA_MBUFS 32767        /* application payload */
#define MBUF_CACHE 512
#define CHAIN_MAX 32            /* mbufs per gw_tcp_send() in bulk */
#define REQ_BYTES 64
#define PORT_LO 1024
#define PORT_HI 65535
#define SRV_PORT 80
#define IDLE_BATCH 512          /* below syn_backlog (1024): no SYN cookies */
#define CLI 0                   /* stack A, the client */
#define SRV 1                   /* stack B, the server */

static struct {
	/* options */
	double secs, warm;
	unsigned int bulk_conns, inflight, crr_max, tw_ms, idle_n, mbuf_bytes;
	uint64_t conn_bytes;
	bool run_bulk, run_bulk_offload, run_bulk_nots, run_crr, run_crr_tw, run_idle, run_wrap;

	struct rte_mempool *hdr, *data;
	struct rte_ring *ring[2];       /* ring[i]: packets for stack i */
	struct gw_tcp_stack *st[2];
	struct gw_stats stats[2];
	uint64_t hz, tsc_per_us;
	uint64_t wire_drops, no_mbuf, errors, rotations;
	uint32_t cli_ip, cli_used;      /* A's local address index, ports taken on it */
	uint64_t check_errors;
	char first_error[256];
} G = {
	.secs = 2.0, .warm = 0.3, .bulk_conns = 1, .inflight = 256, .crr_max = 1u << 20,
	.tw_ms = 1000, .idle_n = 100000, .mbuf_bytes = 2048, .conn_bytes = 1ull << 30,
};

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench_tcp: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void
note_error(const char *fmt, ...)
{
	va_list ap;

	if (G.check_errors++ == 0) {
		va_start(ap, fmt);
		vsnprintf(G.first_error, sizeof(G.first_error), fmt, ap);
		va_end(ap);
		fprintf(stderr, "bench_tcp: first check error: %s\n", G.first_error);
	}
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats st;
	size_t sum = 0;
	unsigned int i;

	for (i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

static unsigned int
mbufs_in_use(void)
{
	return rte_mempool_in_use_count(G.hdr) + rte_mempool_in_use_count(G.data);
}

/* ---- the wire ---- */

static int
wire_out(void *arg, struct rte_mbuf *m, int family, const uint8_t *src, const uint8_t *dst)
{
	struct rte_ring *r = arg;

	/* What a NIC would do with the offload request: nothing left to do here. */
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
	if (rte_ring_sp_enqueue(r, m) != 0) {
		G.wire_drops++;
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	return 0;
}

/* Deliver up to a burst each way; returns how many packets moved. */
static unsigned int
wire_pump(void)
{
	struct rte_mbuf *pk[BURST];
	unsigned int to, i, n, total = 0;

	for (to = 0; to < 2; to++) {
		n = rte_ring_sc_dequeue_burst(G.ring[to], (void **)pk, BURST, NULL);
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = pk[i];
			const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
			uint16_t l3 = (uint16_t)((ip->version_ihl & 0xf) * 4);

			if (i + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pk[i + 1], void *));
			gw_tcp_input(G.st[to], m, AF_INET, 0, l3, (uint16_t)(m->pkt_len - l3));
		}
		total += n;
	}
	return total;
}

static inline unsigned int
poll_once(void)
{
	uint64_t us = rte_rdtsc() / G.tsc_per_us;

	gw_tcp_stack_advance(G.st[CLI], us);
	gw_tcp_stack_advance(G.st[SRV], us);
	return wire_pump();
}

static void
wire_drain(void)
{
	void *m;
	unsigned int i;

	for (i = 0; i < 2; i++)
		while (rte_ring_sc_dequeue(G.ring[i], &m) == 0)
			rte_pktmbuf_free(m);
}

/* ---- stacks ---- */

static void
addr4(struct gw_tcp_addr *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->ip[0] = b0;
	a->ip[1] = b1;
	a->ip[2] = b2;
	a->ip[3] = b3;
	a->port = port;
}

static void
stacks_up(uint32_t max_a, uint32_t max_b, const struct gw_tcp_params *p, bool offload)
{
	struct gw_tcp_conf c;
	unsigned int i;

	G.wire_drops = 0;
	G.no_mbuf = 0;
	G.errors = 0;
	G.rotations = 0;
	G.cli_ip = 1;
	G.cli_used = 0;
	for (i = 0; i < 2; i++) {
		memset(&c, 0, sizeof(c));
		memset(&G.stats[i], 0, sizeof(G.stats[i]));
		c.worker_id = 0;
		c.n_workers = 1;
		c.port_lo = PORT_LO;
		c.port_hi = PORT_HI;
		c.pool = G.hdr;
		c.max_conns = i == CLI ? max_a : max_b;
		c.mtu = 1500;
		c.output = wire_out;
		c.output_arg = G.ring[1 - i];
		c.stats = &G.stats[i];
		c.rx_cksum_trusted = offload;
		c.tx_cksum_offload = offload;
		c.socket = (int)rte_socket_id();
		c.now_us = rte_rdtsc() / G.tsc_per_us;
		c.params = *p;
		G.st[i] = gw_tcp_stack_create(&c);
		if (G.st[i] == NULL)
			die("cannot create a stack of %u connections", c.max_conns);
	}
}

static void
stacks_down(const char *mode)
{
	unsigned int used;

	gw_tcp_stack_free(G.st[CLI]);
	gw_tcp_stack_free(G.st[SRV]);
	G.st[CLI] = G.st[SRV] = NULL;
	wire_drain();
	used = mbufs_in_use();
	if (used != 0)
		note_error("%s: %u mbufs still in use after both stacks were freed", mode, used);
}

/* A's listener-side peer: B listens on 10.1.0.1:80. */
static int
listen_b(gw_tcp_accept_fn fn)
{
	struct gw_tcp_addr l;

	addr4(&l, 10, 1, 0, 1, SRV_PORT);
	return gw_tcp_listen(G.st[SRV], &l, fn, NULL);
}

/*
 * Connect from A: local address 10.2.x.y, moved on once its ports (every
 * one of the range, the cursor goes round once) are taken.
 */
static struct gw_tcp_conn *
client_connect(const struct gw_tcp_conn_ops *ops, void *ctx, int *err)
{
	struct gw_tcp_addr l, r;
	struct gw_tcp_conn *c;
	int tries;

	addr4(&r, 10, 1, 0, 1, SRV_PORT);
	for (tries = 0; tries < 2; tries++) {
		if (G.cli_used >= PORT_HI - PORT_LO + 1u) {
			G.cli_ip++;
			G.cli_used = 0;
		}
		addr4(&l, 10, (uint8_t)(2 + (G.cli_ip >> 16)), (uint8_t)(G.cli_ip >> 8),
			(uint8_t)G.cli_ip, 0);
		c = gw_tcp_connect(G.st[CLI], &l, &r, ops, ctx, err);
		if (c != NULL || *err == -ENOMEM)
			G.cli_used++;
		if (c != NULL || *err != -EADDRNOTAVAIL)
			return c;
		G.cli_used = UINT32_MAX;
	}
	return NULL;
}

static struct rte_mbuf *
chain_alloc(unsigned int k, uint16_t bytes)
{
	struct rte_mbuf *m[CHAIN_MAX];
	unsigned int i;

	if (rte_pktmbuf_alloc_bulk(G.data, m, k) != 0) {
		G.no_mbuf++;
		return NULL;
	}
	for (i = 0; i < k; i++) {
		m[i]->data_len = bytes;
		m[i]->pkt_len = bytes;
		if (i > 0)
			m[i - 1]->next = m[i];
	}
	m[0]->nb_segs = (uint16_t)k;
	m[0]->pkt_len = (uint32_t)k * bytes;
	return m[0];
}

/* ---- timing ---- */

/*
 * perf record --control fifo:CTL,ACK -D -1: with BENCH_PERF_CTL and
 * BENCH_PERF_ACK naming those fifos, only the timed windows are recorded
 * (not stack creation, warm-up or teardown).
 */
static void
perf_ctl(const char *cmd)
{
	const char *ctl = getenv("BENCH_PERF_CTL"), *ack = getenv("BENCH_PERF_ACK");
	char buf[16];
	FILE *f;

	if (ctl == NULL || ack == NULL)
		return;
	f = fopen(ctl, "w");
	if (f == NULL)
		return;
	fprintf(f, "%s\n", cmd);
	fclose(f);
	f = fopen(ack, "r");
	if (f == NULL)
		return;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
}

struct window {
	uint64_t tsc0;
	double cpu0;
	double wall_s, cpu_s;
};

static void
window_open(struct window *w)
{
	perf_ctl("enable");
	w->cpu0 = cpu_seconds();
	w->tsc0 = rte_rdtsc();
}

static void
window_close(struct window *w)
{
	w->wall_s = (double)(rte_rdtsc() - w->tsc0) / (double)G.hz;
	w->cpu_s = cpu_seconds() - w->cpu0;
	if (w->cpu_s <= 0)
		w->cpu_s = w->wall_s;
	perf_ctl("disable");
}

static bool
elapsed(uint64_t tsc0, double secs)
{
	return (double)(rte_rdtsc() - tsc0) >= secs * (double)G.hz;
}

/* Every counter of both stacks that is not zero: "name=n ..." (cumulative since stacks_up). */
static void
print_nonzero(FILE *o, const char *key, const struct gw_stats *st)
{
	const char *sep = "";
	unsigned int i;

	fprintf(o, ",\"%s\":\"", key);
	for (i = 0; i < GW_CNT_MAX; i++) {
		if (st->c[i] == 0)
			continue;
		fprintf(o, "%s%s=%" PRIu64, sep, gw_stats_name((enum gw_cnt)i), st->c[i]);
		sep = " ";
	}
	fprintf(o, "\"");
}

static void
print_counters(FILE *o)
{
	fprintf(o, ",\"retransmits\":%" PRIu64 ",\"rto\":%" PRIu64 ",\"wire_drops\":%" PRIu64
		",\"no_mbuf\":%" PRIu64 ",\"errors\":%" PRIu64,
		G.stats[CLI].c[GW_CNT_tcp_retransmits] + G.stats[SRV].c[GW_CNT_tcp_retransmits],
		G.stats[CLI].c[GW_CNT_tcp_rto] + G.stats[SRV].c[GW_CNT_tcp_rto],
		G.wire_drops, G.no_mbuf + G.stats[CLI].c[GW_CNT_drop_no_mbuf] +
		G.stats[SRV].c[GW_CNT_drop_no_mbuf], G.errors);
	print_nonzero(o, "counters_client", &G.stats[CLI]);
	print_nonzero(o, "counters_server", &G.stats[SRV]);
}

/* ---- bulk ---- */

struct bulk_conn {
	struct gw_tcp_conn *c;
	uint64_t sent;                  /* bytes given to this connection */
	bool up, closed;
};

static struct bulk_conn *bulk;
static uint64_t rx_bytes, rx_calls;

static void
discard_data(struct gw_tcp_conn *c, void *ctx, struct rte_mbuf *m)
{
	rte_pktmbuf_free(m);
}

static void
bulk_cli_event(struct gw_tcp_conn *c, void *ctx, enum gw_tcp_event ev, int err)
{
	struct bulk_conn *b = ctx;

	if (ev == GW_TCP_EV_CONNECTED)
		b->up = true;
	if (ev == GW_TCP_EV_CLOSED) {
		b->closed = true;
		G.errors++;
		note_error("bulk: connection closed during the run (err %d)", err);
	}
}

static void
sink_data(struct gw_tcp_conn *c, void *ctx, struct rte_mbuf *m)
{
	rx_bytes += m->pkt_len;
	rx_calls++;
	rte_pktmbuf_free(m);
}

static void
sink_event(struct gw_tcp_conn *c, void *ctx, enum gw_tcp_event ev, int err)
{
	if (ev == GW_TCP_EV_EOF)
		gw_tcp_close(c);
}

static const struct gw_tcp_conn_ops bulk_cli_ops = { discard_data, bulk_cli_event };
static const struct gw_tcp_conn_ops sink_ops = { sink_data, sink_event };

static int
sink_accept(void *arg, struct gw_tcp_conn *c)
{
	gw_tcp_conn_set_ops(c, &sink_ops, NULL);
	return 0;
}

/*
 * Keep every connection's send queue full. A connection that has been
 * given @limit bytes is closed (FIN after its data) and replaced by a new
 * one (0: never).
 */
static void
bulk_push(uint64_t limit)
{
	unsigned int i, per = G.mbuf_bytes;
	int err;

	for (i = 0; i < G.bulk_conns; i++) {
		struct bulk_conn *b = &bulk[i];
		uint32_t space;

		if (!b->up || b->closed)
			continue;
		if (limit != 0 && b->sent >= limit) {
			gw_tcp_close(b->c);
			G.rotations++;
			b->up = false;
			b->sent = 0;
			b->c = client_connect(&bulk_cli_ops, b, &err);
			if (b->c == NULL)
				die("bulk: reconnect failed (%d)", err);
			continue;
		}
		space = gw_tcp_send_space(b->c);
		while (space >= per) {
			unsigned int k = RTE_MIN(space / per, (unsigned int)CHAIN_MAX);
			struct rte_mbuf *m = chain_alloc(k, (uint16_t)per);

			if (m == NULL)
				return;
			if (gw_tcp_send(b->c, m) != 0) {
				rte_pktmbuf_free(m);
				break;
			}
			b->sent += k * per;
			space -= k * per;
		}
	}
}

static void
run_bulk(FILE *o, const char *name, bool timestamps, bool offload)
{
	struct gw_tcp_params p;
	struct gw_tcp_info info;
	struct window w;
	uint64_t b0, c0, segs0, pk0, t0, iters = 0;
	unsigned int i, up;
	double gbps, gbps_wall, segs;
	int err;

	gw_tcp_params_default(&p);
	p.timestamps = timestamps;
	stacks_up(RTE_MAX(G.bulk_conns, 64u), RTE_MAX(G.bulk_conns, 64u), &p, offload);
	if (listen_b(sink_accept) != 0)
		die("listen failed");
	bulk = calloc(G.bulk_conns, sizeof(*bulk));
	if (bulk == NULL)
		die("out of memory");
	for (i = 0; i < G.bulk_conns; i++) {
		bulk[i].c = client_connect(&bulk_cli_ops, &bulk[i], &err);
		if (bulk[i].c == NULL)
			die("connect failed (%d)", err);
	}
	t0 = rte_rdtsc();
	do {
		poll_once();
		for (i = 0, up = 0; i < G.bulk_conns; i++)
			up += bulk[i].up;
	} while (up < G.bulk_conns && !elapsed(t0, 2.0));
	if (up < G.bulk_conns)
		die("%s: only %u of %u connections came up", name, up, G.bulk_conns);
	/* Warm up: slow start, pools, caches. */
	t0 = rte_rdtsc();
	while (!elapsed(t0, G.warm)) {
		bulk_push(G.conn_bytes);
		poll_once();
	}
	b0 = rx_bytes;
	c0 = rx_calls;
	segs0 = G.stats[SRV].c[GW_CNT_tcp_rx_segs];
	pk0 = G.stats[CLI].c[GW_CNT_tcp_tx_segs] + G.stats[SRV].c[GW_CNT_tcp_tx_segs];
	window_open(&w);
	do {
		for (i = 0; i < 64; i++) {
			bulk_push(G.conn_bytes);
			poll_once();
		}
		iters += 64;
	} while (!elapsed(w.tsc0, G.secs));
	window_close(&w);
	gw_tcp_conn_info(bulk[0].c, &info);
	gbps = (double)(rx_bytes - b0) * 8 / w.cpu_s / 1e9;
	gbps_wall = (double)(rx_bytes - b0) * 8 / w.wall_s / 1e9;
	segs = (double)(G.stats[SRV].c[GW_CNT_tcp_rx_segs] - segs0);
	fprintf(stderr, "  %-13s %u conn, MSS %u: %6.2f Gbit/s per core (%5.2f wall), %5.2f M data "
		"segs/s, %4.0f cycles/seg\n", name, G.bulk_conns, info.mss, gbps, gbps_wall,
		(double)(rx_calls - c0) / w.cpu_s / 1e6,
		w.cpu_s * (double)G.hz / (double)(rx_calls - c0));
	fprintf(o, ",\"%s\":{\"conns\":%u,\"mss\":%u,\"timestamps\":%s,\"cksum\":\"%s\","
		"\"mbuf_bytes\":%u,\"wall_s\":%.3f,\"cpu_s\":%.3f,\"payload_bytes\":%" PRIu64
		",\"data_segs\":%" PRIu64 ",\"segs_in_b\":%.0f,\"pkts\":%" PRIu64
		",\"gbps_per_core\":%.3f,\"gbps_wall\":%.3f,\"data_segs_per_s\":%.0f,"
		"\"pkts_per_s\":%.0f,\"cycles_per_data_seg\":%.0f,\"cwnd\":%u,\"srtt_us\":%u,"
		"\"loop_iters\":%" PRIu64 ",\"conn_bytes_limit\":%" PRIu64 ",\"conn_rotations\":%" PRIu64,
		name, G.bulk_conns, info.mss, timestamps ? "true" : "false", offload ? "offload" : "sw",
		G.mbuf_bytes, w.wall_s, w.cpu_s, rx_bytes - b0, rx_calls - c0, segs,
		G.stats[CLI].c[GW_CNT_tcp_tx_segs] + G.stats[SRV].c[GW_CNT_tcp_tx_segs] - pk0,
		gbps, gbps_wall, (double)(rx_calls - c0) / w.cpu_s,
		(double)(G.stats[CLI].c[GW_CNT_tcp_tx_segs] + G.stats[SRV].c[GW_CNT_tcp_tx_segs] - pk0) /
		w.cpu_s, w.cpu_s * (double)G.hz / (double)(rx_calls - c0), info.cwnd, info.srtt_us,
		iters, G.conn_bytes, G.rotations);
	print_counters(o);
	fprintf(o, ",\"target_gbps\":10,\"pass\":%s}", gbps >= 10 ? "true" : "false");
	if (G.wire_drops != 0)
		note_error("%s: %" PRIu64 " packets dropped on the wire (ring full)", name,
			G.wire_drops);
	if (G.no_mbuf != 0)
		note_error("%s: the payload pool ran dry (%u of %u mbufs in use, %u bytes queued)",
			name, rte_mempool_in_use_count(G.data), DATA_MBUFS, info.snd_queued);
	stacks_down(name);
	free(bulk);
	bulk = NULL;
}

/*
 * One connection carries 2.25 GiB (checksums offloaded, as fast as it
 * goes): sequence comparisons that only hold within 2^31 of the ISN show
 * up here. Not timed; fails on a stall (no byte for 1 s) or a dry pool.
 */
static void
run_wrap(FILE *o)
{
	const uint64_t goal = (1ull << 31) + (1ull << 28);
	struct gw_tcp_params p;
	struct gw_tcp_info info;
	unsigned int saved = G.bulk_conns;
	uint64_t t0, last_tsc, last_rx, b0;
	bool ok;
	int err;

	gw_tcp_params_default(&p);
	G.bulk_conns = 1;
	stacks_up(64, 64, &p, true);
	if (listen_b(sink_accept) != 0)
		die("listen failed");
	bulk = calloc(1, sizeof(*bulk));
	if (bulk == NULL)
		die("out of memory");
	bulk[0].c = client_connect(&bulk_cli_ops, &bulk[0], &err);
	if (bulk[0].c == NULL)
		die("connect failed (%d)", err);
	b0 = rx_bytes;
	t0 = last_tsc = rte_rdtsc();
	last_rx = b0;
	while (rx_bytes - b0 < goal && !elapsed(t0, 30.0)) {
		unsigned int i;

		for (i = 0; i < 64; i++) {
			bulk_push(0);
			poll_once();
		}
		if (rx_bytes != last_rx) {
			last_rx = rx_bytes;
			last_tsc = rte_rdtsc();
		} else if (elapsed(last_tsc, 1.0)) {
			break;
		}
	}
	gw_tcp_conn_info(bulk[0].c, &info);
	ok = rx_bytes - b0 >= goal && G.no_mbuf == 0 && G.errors == 0;
	fprintf(stderr, "  wrap          one connection, %.2f GiB through in %.1f s: %s\n",
		(double)(rx_bytes - b0) / (1 << 30), (double)(rte_rdtsc() - t0) / (double)G.hz,
		ok ? "ok" : "FAILED (stalled)");
	fprintf(o, ",\"wrap\":{\"goal_bytes\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"seconds\":%.2f,"
		"\"ok\":%s,\"snd_queued\":%u,\"data_mbufs_in_use\":%u", goal, rx_bytes - b0,
		(double)(rte_rdtsc() - t0) / (double)G.hz, ok ? "true" : "false", info.snd_queued,
		rte_mempool_in_use_count(G.data));
	print_counters(o);
	fprintf(o, "}");
	if (!ok)
		note_error("wrap: one connection stalled after %" PRIu64 " bytes (%u bytes queued, "
			"%u payload mbufs in use)", rx_bytes - b0, info.snd_queued,
			rte_mempool_in_use_count(G.data));
	stacks_down("wrap");
	free(bulk);
	bulk = NULL;
	G.bulk_conns = saved;
}

/* ---- crr ---- */

struct crr_slot {
	struct gw_tcp_conn *c;
	uint32_t got;
	bool busy;
};

static struct crr_slot *slots;
static uint32_t *free_slots;
static uint32_t n_free_slots;
static uint64_t crr_done;

static void
slot_release(struct crr_slot *s)
{
	if (!s->busy)
		return;
	s->busy = false;
	s->c = NULL;
	free_slots[n_free_slots++] = (uint32_t)(s - slots);
}

static void
crr_cli_data(struct gw_tcp_conn *c, void *ctx, struct rte_mbuf *m)
{
	struct crr_slot *s = ctx;

	s->got += m->pkt_len;
	rte_pktmbuf_free(m);
	if (s->got >= REQ_BYTES) {
		gw_tcp_close(c);
		crr_done++;
		slot_release(s);
	}
}

static void
crr_cli_event(struct gw_tcp_conn *c, void *ctx, enum gw_tcp_event ev, int err)
{
	struct crr_slot *s = ctx;
	struct rte_mbuf *m;

	switch (ev) {
	case GW_TCP_EV_CONNECTED:
		m = rte_pktmbuf_alloc(G.data);
		if (m == NULL || rte_pktmbuf_append(m, REQ_BYTES) == NULL) {
			G.no_mbuf++;
			rte_pktmbuf_free(m);
			gw_tcp_abort(c);
			slot_release(s);
			return;
		}
		if (gw_tcp_send(c, m) != 0) {
			rte_pktmbuf_free(m);
			G.errors++;
			note_error("crr: the request could not be sent");
			gw_tcp_abort(c);
			slot_release(s);
		}
		break;
	case GW_TCP_EV_CLOSED:
		G.errors++;
		note_error("crr: client connection closed before the reply (err %d)", err);
		slot_release(s);
		break;
	default:
		break;
	}
}

/* The server echoes the very mbufs (as a proxy forwards them) and closes on EOF. */
static void
echo_data(struct gw_tcp_conn *c, void *ctx, struct rte_mbuf *m)
{
	if (gw_tcp_send(c, m) != 0) {
		rte_pktmbuf_free(m);
		G.errors++;
	}
}

static void
echo_event(struct gw_tcp_conn *c, void *ctx, enum gw_tcp_event ev, int err)
{
	if (ev == GW_TCP_EV_EOF)
		gw_tcp_close(c);
	else if (ev == GW_TCP_EV_CLOSED && err != 0)
		G.errors++;
}

static const struct gw_tcp_conn_ops crr_cli_ops = { crr_cli_data, crr_cli_event };
static const struct gw_tcp_conn_ops echo_ops = { echo_data, echo_event };

static int
echo_accept(void *arg, struct gw_tcp_conn *c)
{
	gw_tcp_conn_set_ops(c, &echo_ops, NULL);
	return 0;
}

/* Fill the free slots with new connections; false when A's table is (nearly) full. */
static bool
crr_open(void)
{
	while (n_free_slots > 0) {
		struct crr_slot *s = &slots[free_slots[n_free_slots - 1]];
		int err;

		if (gw_tcp_stack_conns(G.st[CLI]) + 2 * G.inflight >= G.crr_max)
			return false;
		s->got = 0;
		s->busy = true;
		n_free_slots--;
		s->c = client_connect(&crr_cli_ops, s, &err);
		if (s->c == NULL) {
			s->busy = false;
			n_free_slots++;
			if (err == -ENOMEM)
				return false;
			die("connect failed (%d)", err);
		}
	}
	return true;
}

/* @tw_ms: TIME-WAIT of the client, 0: the stack's default. */
static void
run_crr(FILE *o, const char *name, uint32_t tw_ms)
{
	struct gw_tcp_params p;
	struct window w;
	uint64_t d0, pk0, t0, a0, heap0, heap_a;
	const char *stop = "time";
	unsigned int i;
	double rate, rate_wall;

	gw_tcp_params_default(&p);
	if (tw_ms != 0)
		p.time_wait_ms = tw_ms;
	tw_ms = p.time_wait_ms;
	heap0 = heap_used();
	stacks_up(G.crr_max, RTE_MAX(4 * G.inflight, 65536u), &p, false);
	heap_a = heap_used() - heap0;
	if (listen_b(echo_accept) != 0)
		die("listen failed");
	slots = calloc(G.inflight, sizeof(*slots));
	free_slots = calloc(G.inflight, sizeof(*free_slots));
	if (slots == NULL || free_slots == NULL)
		die("out of memory");
	n_free_slots = 0;
	for (i = 0; i < G.inflight; i++)
		free_slots[n_free_slots++] = G.inflight - 1 - i;
	crr_done = 0;
	t0 = rte_rdtsc();
	while (!elapsed(t0, G.warm)) {
		crr_open();
		poll_once();
	}
	d0 = crr_done;
	a0 = G.stats[CLI].c[GW_CNT_tcp_active_opens];
	pk0 = G.stats[CLI].c[GW_CNT_tcp_tx_segs] + G.stats[SRV].c[GW_CNT_tcp_tx_segs];
	window_open(&w);
	for (;;) {
		for (i = 0; i < 64; i++) {
			if (!crr_open()) {
				stop = "table_full";
				break;
			}
			poll_once();
		}
		if (i < 64 || elapsed(w.tsc0, G.secs))
			break;
	}
	window_close(&w);
	rate = (double)(crr_done - d0) / w.cpu_s;
	rate_wall = (double)(crr_done - d0) / w.wall_s;
	fprintf(stderr, "  %-13s %u in flight, TIME-WAIT %u ms on the client: %7.0f conns/s per core "
		"(%7.0f wall), %5.0f cycles/conn, %u conns held by A at the end (%s)\n", name,
		G.inflight, tw_ms, rate, rate_wall, w.cpu_s * (double)G.hz / (double)(crr_done - d0),
		gw_tcp_stack_conns(G.st[CLI]), stop);
	fprintf(o, ",\"%s\":{\"inflight\":%u,\"request_bytes\":%u,\"active_closer\":\"client\","
		"\"time_wait_ms\":%u,\"max_conns_client\":%u,\"client_heap_bytes\":%" PRIu64
		",\"wall_s\":%.3f,\"cpu_s\":%.3f,\"completed\":%" PRIu64 ",\"opened\":%" PRIu64
		",\"per_s\":%.0f,\"per_s_wall\":%.0f,\"cycles_per_conn\":%.0f,\"pkts_per_conn\":%.2f,"
		"\"client_conns_end\":%u,\"server_conns_end\":%u,\"client_addrs\":%u,\"stop\":\"%s\"",
		name, G.inflight, REQ_BYTES, tw_ms, G.crr_max, heap_a, w.wall_s, w.cpu_s,
		crr_done - d0, G.stats[CLI].c[GW_CNT_tcp_active_opens] - a0, rate, rate_wall,
		w.cpu_s * (double)G.hz / (double)(crr_done - d0),
		(double)(G.stats[CLI].c[GW_CNT_tcp_tx_segs] + G.stats[SRV].c[GW_CNT_tcp_tx_segs] - pk0) /
		(double)(crr_done - d0), gw_tcp_stack_conns(G.st[CLI]), gw_tcp_stack_conns(G.st[SRV]),
		G.cli_ip, stop);
	print_counters(o);
	fprintf(o, ",\"target_per_s\":500000,\"pass\":%s}", rate >= 500000 ? "true" : "false");
	if (G.wire_drops != 0)
		note_error("%s: %" PRIu64 " packets dropped on the wire (ring full)", name,
			G.wire_drops);
	stacks_down(name);
	free(slots);
	free(free_slots);
	slots = NULL;
	free_slots = NULL;
}

/* ---- idle ---- */

static uint32_t idle_up, idle_acc;

static void
idle_event(struct gw_tcp_conn *c, void *ctx, enum gw_tcp_event ev, int err)
{
	if (ev == GW_TCP_EV_CONNECTED)
		idle_up++;
	else if (ev == GW_TCP_EV_CLOSED) {
		G.errors++;
		note_error("idle: connection closed (err %d)", err);
	}
}

static int
idle_accept(void *arg, struct gw_tcp_conn *c)
{
	gw_tcp_conn_set_ops(c, &sink_ops, NULL);
	idle_acc++;
	return 0;
}

static const struct gw_tcp_conn_ops idle_ops = { discard_data, idle_event };

static void
run_idle(FILE *o)
{
	struct gw_tcp_params p;
	uint64_t heap0, heap1, heap2, t0, tsc;
	unsigned int used0, mbufs, i, n = G.idle_n;
	double per_conn, setup_s;
	int err;

	gw_tcp_params_default(&p);
	used0 = mbufs_in_use();
	heap0 = heap_used();
	stacks_up(n, n, &p, false);
	heap1 = heap_used();
	if (listen_b(idle_accept) != 0)
		die("listen failed");
	idle_up = idle_acc = 0;
	tsc = rte_rdtsc();
	for (i = 0; i < n;) {
		unsigned int k = RTE_MIN(n - i, (unsigned int)IDLE_BATCH), j;

		for (j = 0; j < k; j++)
			if (client_connect(&idle_ops, NULL, &err) == NULL)
				die("idle: connect %u failed (%d)", i + j, err);
		i += k;
		t0 = rte_rdtsc();
		while ((idle_up < i || idle_acc < i) && !elapsed(t0, 5.0))
			poll_once();
		if (idle_up < i || idle_acc < i)
			die("idle: %u/%u connected, %u accepted", idle_up, i, idle_acc);
	}
	setup_s = (double)(rte_rdtsc() - tsc) / (double)G.hz;
	/* Let any pending ACK go and be taken. */
	t0 = rte_rdtsc();
	while (!elapsed(t0, 0.05))
		poll_once();
	heap2 = heap_used();
	mbufs = mbufs_in_use() - used0;
	per_conn = (double)(heap2 - heap0) / (2.0 * n);
	fprintf(stderr, "  idle          %u conns: %.0f bytes per connection and side (struct %zu), "
		"heap growth while opening %" PRId64 " B, %u mbufs held, %.0f opens/s\n", n, per_conn,
		gw_tcp_stack_conn_size(), (int64_t)(heap2 - heap1), mbufs, n / setup_s);
	fprintf(o, ",\"idle\":{\"conns\":%u,\"client_conns\":%u,\"server_conns\":%u,"
		"\"heap_bytes_both\":%" PRIu64 ",\"heap_growth_opening\":%" PRId64
		",\"bytes_per_conn\":%.1f,\"conn_struct_bytes\":%zu,\"table_and_rest_bytes\":%.1f,"
		"\"mbufs_held\":%u,\"opens_per_s\":%.0f,\"target_bytes\":1024,\"pass\":%s",
		n, gw_tcp_stack_conns(G.st[CLI]), gw_tcp_stack_conns(G.st[SRV]), heap2 - heap0,
		(int64_t)(heap2 - heap1), per_conn, gw_tcp_stack_conn_size(),
		per_conn - (double)gw_tcp_stack_conn_size(), mbufs, n / setup_s,
		per_conn <= 1024 ? "true" : "false");
	print_counters(o);
	fprintf(o, "}");
	stacks_down("idle");
}

/* ---- main ---- */

/*
 * --no-huge memory is faulted in (and zeroed by the kernel) on first touch,
 * and rte_zmalloc() does not touch fresh heap memory, so the connection
 * slots of a new stack would fault page by page in the timed windows, a
 * cost hugepages (production) never have. Touch as much heap as the
 * biggest pair of stacks takes once, before anything is timed: freed heap
 * stays mapped and is handed out again.
 */
static void
heap_prefault(void)
{
	struct gw_tcp_params p;
	uint32_t n = 0;
	size_t h0, bytes;
	void *m;

	if (G.run_crr || G.run_crr_tw)
		n = G.crr_max;
	if (G.run_idle && G.idle_n > n)
		n = G.idle_n;
	if (n == 0)
		return;
	gw_tcp_params_default(&p);
	h0 = heap_used();
	stacks_up(n, n, &p, false);
	bytes = heap_used() - h0;
	stacks_down("prefault");
	m = rte_malloc("btcp_prefault", bytes, RTE_CACHE_LINE_SIZE);
	if (m == NULL)
		die("cannot allocate %zu bytes of heap (-m too small?)", bytes);
	memset(m, 0, bytes);
	rte_free(m);
}

static void
fill_cb(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	struct rte_mbuf *m = obj;

	memset((uint8_t *)m->buf_addr + RTE_PKTMBUF_HEADROOM, (int)(idx & 0xff),
		m->buf_len - RTE_PKTMBUF_HEADROOM);
}

static void
parse_modes(const char *s)
{
	char buf[256], *tok, *save = NULL;

	G.run_bulk = G.run_bulk_offload = G.run_bulk_nots = false;
	G.run_crr = G.run_crr_tw = G.run_idle = G.run_wrap = false;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "bulk") == 0)
			G.run_bulk = true;
		else if (strcmp(tok, "bulk_offload") == 0)
			G.run_bulk_offload = true;
		else if (strcmp(tok, "bulk_nots") == 0)
			G.run_bulk_nots = true;
		else if (strcmp(tok, "crr") == 0)
			G.run_crr = true;
		else if (strcmp(tok, "crr_tw") == 0)
			G.run_crr_tw = true;
		else if (strcmp(tok, "idle") == 0)
			G.run_idle = true;
		else if (strcmp(tok, "wrap") == 0)
			G.run_wrap = true;
		else
			die("unknown mode '%s' (bulk,bulk_offload,bulk_nots,crr,crr_tw,idle,wrap)", tok);
	}
}

static void
usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-m bulk,bulk_offload,bulk_nots,crr,crr_tw,idle,wrap] [-d secs] "
		"[-w warmup_secs] [-c bulk_conns] [-k inflight] [-M crr_max_conns] [-W crr_tw_ms] "
		"[-n idle_conns] [-b mbuf_bytes] [-L bytes_per_bulk_conn] [-- EAL args]\n", argv0);
	exit(2);
}

int
main(int argc, char **argv)
{
	char prefix[64], *eal[32];
	int neal = 0, opt, sep, i;
	FILE *o = stdout;

	parse_modes("bulk,bulk_offload,bulk_nots,crr,crr_tw,idle,wrap");
	for (sep = 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
		;
	while ((opt = getopt(sep, argv, "m:d:w:c:k:M:W:n:b:L:h")) != -1) {
		switch (opt) {
		case 'm':
			parse_modes(optarg);
			break;
		case 'd':
			G.secs = atof(optarg);
			break;
		case 'w':
			G.warm = atof(optarg);
			break;
		case 'c':
			G.bulk_conns = (unsigned int)atoi(optarg);
			break;
		case 'k':
			G.inflight = (unsigned int)atoi(optarg);
			break;
		case 'M':
			G.crr_max = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'W':
			G.tw_ms = (unsigned int)atoi(optarg);
			break;
		case 'n':
			G.idle_n = (unsigned int)atoi(optarg);
			break;
		case 'b':
			G.mbuf_bytes = (unsigned int)atoi(optarg);
			break;
		case 'L':
			G.conn_bytes = strtoull(optarg, NULL, 0);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (G.secs <= 0 || G.bulk_conns == 0 || G.inflight == 0 || G.idle_n == 0 ||
			G.mbuf_bytes < 64 || G.mbuf_bytes > 2048 || G.crr_max < 4 * G.inflight)
		usage(argv[0]);
	eal[neal++] = argv[0];
	if (sep < argc) {
		for (i = sep + 1; i < argc && neal < 30; i++)
			eal[neal++] = argv[i];
	} else {
		static char *def[] = { "-l", "1", "--no-huge", "-m", "2048", "--no-pci",
			"--no-shconf", "--log-level", "lib.eal:error" };

		for (i = 0; i < (int)RTE_DIM(def); i++)
			eal[neal++] = def[i];
		snprintf(prefix, sizeof(prefix), "--file-prefix=bench_tcp_%d", (int)getpid());
		eal[neal++] = prefix;
	}
	eal[neal] = NULL;
	if (rte_eal_init(neal, eal) < 0)
		die("EAL init failed: %s", rte_strerror(rte_errno));
	G.hz = rte_get_tsc_hz();
	G.tsc_per_us = RTE_MAX(G.hz / 1000000, (uint64_t)1);
	G.hdr = rte_pktmbuf_pool_create("btcp_hdr", HDR_MBUFS, MBUF_CACHE, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	G.data = rte_pktmbuf_pool_create("btcp_data", DATA_MBUFS, MBUF_CACHE, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	G.ring[CLI] = rte_ring_create("btcp_to_a", RING_SIZE, (int)rte_socket_id(),
		RING_F_SP_ENQ | RING_F_SC_DEQ);
	G.ring[SRV] = rte_ring_create("btcp_to_b", RING_SIZE, (int)rte_socket_id(),
		RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (G.hdr == NULL || G.data == NULL || G.ring[CLI] == NULL || G.ring[SRV] == NULL)
		die("cannot create pools or rings: %s", rte_strerror(rte_errno));
	/* Payload pattern written once: senders never touch payload bytes again. */
	rte_mempool_obj_iter(G.data, fill_cb, NULL);
	heap_prefault();
	fprintf(stderr, "bench_tcp: TSC %.3f GHz, lcore %u, conn struct %zu bytes\n",
		(double)G.hz / 1e9, rte_lcore_id(), gw_tcp_stack_conn_size());

	fprintf(o, "{\"bench\":\"tcp\",\"impl\":\"dpgw\",\"tsc_hz\":%" PRIu64 ",\"lcore\":%u,"
		"\"conn_struct_bytes\":%zu,\"run_s\":%.2f", G.hz, rte_lcore_id(),
		gw_tcp_stack_conn_size(), G.secs);
	if (G.run_bulk)
		run_bulk(o, "bulk", true, false);
	if (G.run_bulk_offload)
		run_bulk(o, "bulk_offload", true, true);
	if (G.run_bulk_nots)
		run_bulk(o, "bulk_nots", false, false);
	if (G.run_crr)
		run_crr(o, "crr", 0);
	if (G.run_crr_tw)
		run_crr(o, "crr_tw", G.tw_ms);
	if (G.run_idle)
		run_idle(o);
	if (G.run_wrap)
		run_wrap(o);
	fprintf(o, ",\"check_errors\":%" PRIu64 ",\"first_check_error\":\"%s\"}\n", G.check_errors,
		G.first_error);
	fflush(o);
	rte_mempool_free(G.hdr);
	rte_mempool_free(G.data);
	rte_ring_free(G.ring[CLI]);
	rte_ring_free(G.ring[SRV]);
	rte_eal_cleanup();
	return G.check_errors != 0 ? 3 : 0;
}
