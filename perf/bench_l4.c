/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L4 data-plane benchmark (issue 4): the real worker pipeline, in one
 * process, on two net_ring ports, with a generation compiled from a real
 * configuration and an L4 service published the way the translator
 * publishes one (gw_lb_table_build -> gw_dp_gateway_new -> publish).
 * perf/bench_l4.sh runs it and records the results; perf/README.md
 * explains what is measured and why it is fair.
 *
 * Layout: port 0 faces the clients (10.77.1.1/24, clients behind the
 * router 10.77.1.254), port 1 the backends (10.77.2.1/24, backends
 * 10.77.2.11.., SNAT pool 10.77.2.100..). VIP 10.77.1.10, TCP port 80
 * (backends :8080) and UDP port 53 (backends :5353).
 *
 * What runs, per round:
 *   fwd, rev   established flows (-f, default 1024): data packets client ->
 *              VIP (fwd) or backend -> SNAT (rev), NAT'd by the worker,
 *              against an in-process "testpmd io" on the same ports and the
 *              same packets (rx_burst on one port, tx_burst on the other,
 *              both ports polled every iteration), alternated;
 *   new        SYNs with distinct source addresses/ports into a fresh
 *              worker: new flows per second, table filling, then full
 *              (oldest idle evicted); at the default l4.max_flows (65536)
 *              and at -N (2^20);
 *   big        -F established flows (default 1,000,000) in one worker, the
 *              fwd and rev runs again with flows picked at random;
 *   table      gw_flow_* alone: bytes per flow at -T entries, random
 *              lookups of present keys at -T and at -t (1,000) entries.
 *
 * Packets are recycled: whatever the worker (or the baseline) transmits on
 * the output port is taken back, overwritten with a precomputed frame of
 * the next flow (64-byte memcpy, mbuf fields reset) and put back on the
 * input port's RX ring, so -q mbufs circulate. That refill is the same
 * code for both sides and is timed apart: "mpps" counts only the cycles
 * spent in the forwarding loop itself (gw_worker_poll + quiescent state,
 * or the two rx_burst/tx_burst pairs), "mpps_loop" the whole iteration
 * with the refill. Iterations the thread spent partly off the CPU
 * (preempted) are left out (see struct run_res).
 *
 *   bench_l4 [options] [-- EAL args]
 *     -r N  rounds (3)          -d S  seconds per timed run (3)
 *     -f N  established flows (1024)       -F N  big-table flows (1000000, 0: skip)
 *     -s B  frame size (64)     -q N  mbufs in flight (1024)
 *     -b N  backends (4)        -S N  SNAT pool addresses (16; 0: port address)
 *     -N N  new-flow table capacity (1048576)   -T N  table entries (1000000)
 *     -t N  small table entries (1000)          -L N  lookups per measurement (4000000)
 *     -u    UDP instead of TCP for fwd/rev/big
 *     -m LIST  what to run: fwd,rev,new,big,table (all)
 *     -x    dpgw only, no baseline runs (profiling)
 *   One JSON object per round on stdout; progress on stderr. Without EAL
 *   args: -l 1 --no-huge -m 3072 --no-pci --no-shconf. Exit 3 when a frame
 *   the worker sent failed its check.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_ring.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "compile.h"
#include "config.h"
#include "gw_dp.h"
#include "gw_flow.h"
#include "gw_lb.h"
#include "gw_neigh.h"
#include "gw_worker.h"

#define N_PORTS 2
#define RING_SIZE 8192
#define MAX_BACKENDS 64
#define MAX_SNAT 16
#define BURST GW_WORKER_BURST
#define CHUNK 1024              /* flows per handshake step while establishing */
#define FRAME_STRIDE 128        /* template slot */
#define MAX_FRAME FRAME_STRIDE

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))
#define VIP IP4(10, 77, 1, 10)
#define ROUTER IP4(10, 77, 1, 254)
#define PORT0_IP IP4(10, 77, 1, 1)
#define PORT1_IP IP4(10, 77, 2, 1)
#define BACKEND_IP(k) IP4(10, 77, 2, 11 + (k))
#define SNAT_IP(k) IP4(10, 77, 2, 100 + (k))
#define CLIENT_IP(i) (IP4(16, 0, 0, 0) + ((i) >> 10))
#define CLIENT_PORT(i) ((uint16_t)(10000 + ((i) & 1023)))
#define TCP_VPORT 80
#define TCP_BPORT 8080
#define UDP_VPORT 53
#define UDP_BPORT 5353
#define SEQ_SRV 0x40000000u

enum dir { C2S = 0, S2C = 1 };

static struct {
	/* options */
	unsigned int rounds, flows, big_flows, size, inflight, n_backends, n_snat;
	unsigned int new_cap, table_n, table_small, lookups;
	double secs;
	bool udp, no_base;
	bool run_fwd, run_rev, run_new, run_big, run_table;

	struct rte_mempool *pool;       /* the worker's own (ARP replies, RST, ...) */
	struct rte_mempool *data;       /* benchmark packets */
	struct rte_ring *rx[N_PORTS], *tx[N_PORTS];
	uint16_t port_id[N_PORTS];
	struct gw_port_info info[N_PORTS];
	struct rte_ether_addr router_mac, backend_mac[MAX_BACKENDS];
	struct gw_gen_domain *gen;
	uint64_t hz;
	unsigned int worker_seq;
	uint64_t check_errors;          /* frames the worker sent that were not what NAT must give */
	char first_error[256];
} B = {
	.rounds = 3, .flows = 1024, .big_flows = 1000000, .size = 64, .inflight = 1024,
	.n_backends = 4, .n_snat = 16, .new_cap = 1u << 20, .table_n = 1000000,
	.table_small = 1000, .lookups = 4000000, .secs = 3.0,
};

/* What the forward SYN told us about a flow: its backend and SNAT address/port. */
struct nat {
	uint32_t snat;          /* host order */
	uint16_t snat_port;     /* host order */
	uint8_t backend;
	uint8_t ok;
};

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench_l4: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void
note_error(const char *fmt, ...)
{
	va_list ap;

	if (B.check_errors++ == 0) {
		va_start(ap, fmt);
		vsnprintf(B.first_error, sizeof(B.first_error), fmt, ap);
		va_end(ap);
		fprintf(stderr, "bench_l4: first check error: %s\n", B.first_error);
	}
}

static inline uint64_t
xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Uniform in [0, n) without a division. */
static inline uint32_t
pick(uint64_t *s, uint32_t n)
{
	return (uint32_t)(((xorshift(s) >> 32) * (uint64_t)n) >> 32);
}

static inline uint64_t
thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Was the thread off the CPU for more than 20 us between CPU time @c0 (read
 * just before TSC @t0) and TSC @t1 (read just before this call)?
 */
static inline bool
preempted(uint64_t c0, uint64_t t0, uint64_t t1)
{
	uint64_t cpu = thread_ns() - c0;
	double wall = (double)(t1 - t0) * 1e9 / (double)B.hz;

	return wall > (double)cpu + 20000.0;
}

/* ---- frames ------------------------------------------------------------ */

static uint8_t
l4_proto(void)
{
	return B.udp ? IPPROTO_UDP : IPPROTO_TCP;
}

/*
 * Build flow @i's frame in direction @d into @p. TCP flags @flags; data
 * frames (@len_total bytes, 0: headers only, padded to 60) carry payload.
 * The flow index travels in the TCP sequence/ack numbers, and in the first
 * four payload bytes for UDP, so it survives the NAT.
 */
static uint16_t
build_frame(uint8_t *p, enum dir d, uint32_t i, const struct nat *n, uint8_t flags,
	unsigned int len_total)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	uint8_t proto = l4_proto();
	unsigned int l4_hdr = proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) :
		sizeof(struct rte_udp_hdr);
	unsigned int min = (unsigned int)(sizeof(*eth) + sizeof(*ip)) + l4_hdr +
		(proto == IPPROTO_UDP ? 4 : 0);
	unsigned int frame = len_total > min ? len_total : min;
	unsigned int ip_len = frame - (unsigned int)sizeof(*eth);
	uint8_t *l4 = (uint8_t *)(ip + 1);
	uint8_t *payload = l4 + l4_hdr;
	unsigned int payload_len = frame - min + (proto == IPPROTO_UDP ? 4 : 0);
	uint16_t out_len = (uint16_t)(frame < 60 ? 60 : frame);

	memset(p, 0, out_len);
	eth->dst_addr = B.info[d == C2S ? 0 : 1].mac;
	eth->src_addr = d == C2S ? B.router_mac : B.backend_mac[n->backend];
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)ip_len);
	ip->packet_id = rte_cpu_to_be_16((uint16_t)i);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	if (d == C2S) {
		ip->src_addr = rte_cpu_to_be_32(CLIENT_IP(i));
		ip->dst_addr = rte_cpu_to_be_32(VIP);
	} else {
		ip->src_addr = rte_cpu_to_be_32(BACKEND_IP(n->backend));
		ip->dst_addr = rte_cpu_to_be_32(n->snat);
	}
	for (unsigned int k = 0; k < payload_len; k++)
		payload[k] = (uint8_t)(0x61 + k % 26);
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)l4;

		if (d == C2S) {
			t->src_port = rte_cpu_to_be_16(CLIENT_PORT(i));
			t->dst_port = rte_cpu_to_be_16(TCP_VPORT);
			t->sent_seq = rte_cpu_to_be_32((flags & RTE_TCP_SYN_FLAG) ? i : i + 1);
			t->recv_ack = rte_cpu_to_be_32((flags & RTE_TCP_ACK_FLAG) ? SEQ_SRV + i + 1 : 0);
		} else {
			t->src_port = rte_cpu_to_be_16(TCP_BPORT);
			t->dst_port = rte_cpu_to_be_16(n->snat_port);
			t->sent_seq = rte_cpu_to_be_32((flags & RTE_TCP_SYN_FLAG) ? SEQ_SRV + i :
				SEQ_SRV + i + 1);
			t->recv_ack = rte_cpu_to_be_32(i + 1);
		}
		t->data_off = 0x50;
		t->tcp_flags = flags;
		t->rx_win = rte_cpu_to_be_16(65535);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		t->cksum = rte_ipv4_udptcp_cksum(ip, t);
	} else {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4;

		if (d == C2S) {
			u->src_port = rte_cpu_to_be_16(CLIENT_PORT(i));
			u->dst_port = rte_cpu_to_be_16(UDP_VPORT);
		} else {
			u->src_port = rte_cpu_to_be_16(UDP_BPORT);
			u->dst_port = rte_cpu_to_be_16(n->snat_port);
		}
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - sizeof(*ip)));
		*(uint32_t *)payload = rte_cpu_to_be_32(i);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	}
	return out_len;
}

static struct rte_mbuf *
frame_mbuf(const uint8_t *frame, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(B.data);

	if (m == NULL)
		die("data pool empty");
	rte_memcpy(rte_pktmbuf_append(m, len), frame, len);
	return m;
}

/* Put @m on @port's RX ring (the ring is sized for everything in flight). */
static void
feed(int port, struct rte_mbuf *m)
{
	if (rte_ring_enqueue(B.rx[port], m) != 0)
		die("RX ring of port %d full", port);
}

/* Reuse @m for a precomputed frame: the NIC's DMA, in effect. */
static inline void
refill(struct rte_mbuf *m, const uint8_t *frame, uint16_t len)
{
	m->data_off = RTE_PKTMBUF_HEADROOM;
	m->data_len = len;
	m->pkt_len = len;
	m->nb_segs = 1;
	m->next = NULL;
	m->ol_flags = 0;
	m->packet_type = 0;
	m->tx_offload = 0;
	rte_memcpy(rte_pktmbuf_mtod(m, void *), frame, len);
}

/*
 * Check a frame the worker sent after NAT. @d is the direction of the
 * packet that went in. Returns the flow index, or -1 (error counted).
 * For C2S (forward) it fills @n_out from the frame: backend, SNAT.
 */
static int64_t
check_out(struct rte_mbuf *m, enum dir d, struct nat *n_out, const struct nat *nats,
	uint32_t n_flows)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	const uint8_t *l4 = (const uint8_t *)(ip + 1);
	uint8_t proto = l4_proto();
	uint16_t sport, dport;
	int64_t i;
	uint32_t src, dst;

	if (m->data_len < sizeof(*eth) + sizeof(*ip) + 8 ||
			eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		note_error("%s: not IPv4 (%u bytes)", d == C2S ? "fwd" : "rev", m->data_len);
		return -1;
	}
	if (m->data_len != sizeof(*eth) + rte_be_to_cpu_16(ip->total_length)) {
		note_error("frame %u bytes, IP total length %u (padding not trimmed?)",
			m->data_len, rte_be_to_cpu_16(ip->total_length));
		return -1;
	}
	if (ip->time_to_live != 63 || ip->next_proto_id != proto ||
			rte_raw_cksum(ip, sizeof(*ip)) != 0xffff) {
		note_error("bad IPv4 header (ttl %u, proto %u, cksum %#x)", ip->time_to_live,
			ip->next_proto_id, rte_be_to_cpu_16(ip->hdr_checksum));
		return -1;
	}
	if (rte_ipv4_udptcp_cksum_verify(ip, l4) != 0 &&
			!(proto == IPPROTO_UDP && ((const struct rte_udp_hdr *)l4)->dgram_cksum == 0)) {
		note_error("bad %s checksum", proto == IPPROTO_TCP ? "TCP" : "UDP");
		return -1;
	}
	sport = rte_be_to_cpu_16(*(const uint16_t *)l4);
	dport = rte_be_to_cpu_16(*(const uint16_t *)(l4 + 2));
	src = rte_be_to_cpu_32(ip->src_addr);
	dst = rte_be_to_cpu_32(ip->dst_addr);
	if (proto == IPPROTO_TCP) {
		const struct rte_tcp_hdr *t = (const struct rte_tcp_hdr *)l4;

		i = d == C2S ? (int64_t)rte_be_to_cpu_32(t->sent_seq) -
			((t->tcp_flags & RTE_TCP_SYN_FLAG) ? 0 : 1) :
			(int64_t)rte_be_to_cpu_32(t->recv_ack) - 1;
	} else {
		i = rte_be_to_cpu_32(*(const uint32_t *)(l4 + 8));
	}
	if (i < 0 || (uint64_t)i >= n_flows) {
		note_error("flow index %" PRId64 " out of range", i);
		return -1;
	}
	if (!rte_is_same_ether_addr(&eth->src_addr, &B.info[d == C2S ? 1 : 0].mac)) {
		note_error("source MAC is not the output port's");
		return -1;
	}
	if (d == C2S) {
		unsigned int be = dst - BACKEND_IP(0);

		if (be >= B.n_backends || dport != (B.udp ? UDP_BPORT : TCP_BPORT) ||
				!rte_is_same_ether_addr(&eth->dst_addr, &B.backend_mac[be])) {
			note_error("fwd: not to a backend (dst %#x:%u)", dst, dport);
			return -1;
		}
		if (B.n_snat != 0 ? src - SNAT_IP(0) >= B.n_snat : src != PORT1_IP) {
			note_error("fwd: source %#x is not a SNAT address", src);
			return -1;
		}
		if (n_out != NULL) {
			n_out->snat = src;
			n_out->snat_port = sport;
			n_out->backend = (uint8_t)be;
			n_out->ok = 1;
		} else if (nats != NULL && (nats[i].snat != src || nats[i].snat_port != sport ||
				nats[i].backend != be)) {
			note_error("fwd: flow %" PRId64 " changed its NAT", i);
			return -1;
		}
	} else {
		if (src != VIP || sport != (B.udp ? UDP_VPORT : TCP_VPORT) ||
				dst != CLIENT_IP((uint32_t)i) || dport != CLIENT_PORT((uint32_t)i) ||
				!rte_is_same_ether_addr(&eth->dst_addr, &B.router_mac)) {
			note_error("rev: flow %" PRId64 " not back to its client", i);
			return -1;
		}
	}
	return i;
}

/* ---- ports, worker ------------------------------------------------------ */

static void
setup_ports(void)
{
	B.pool = rte_pktmbuf_pool_create("bl4_pool", 4095, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	B.data = rte_pktmbuf_pool_create("bl4_data", RTE_MAX(4u * B.inflight + 2 * CHUNK * 3,
		16383u), 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (B.pool == NULL || B.data == NULL)
		die("mbuf pools: %s", rte_strerror(rte_errno));
	for (int i = 0; i < N_PORTS; i++) {
		struct rte_eth_conf conf = { 0 };
		char name[32];
		int rc;

		snprintf(name, sizeof(name), "bl4_rx%d", i);
		B.rx[i] = rte_ring_create(name, RING_SIZE, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "bl4_tx%d", i);
		B.tx[i] = rte_ring_create(name, RING_SIZE, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (B.rx[i] == NULL || B.tx[i] == NULL)
			die("rings: %s", rte_strerror(rte_errno));
		snprintf(name, sizeof(name), "bl4_port%d", i);
		rc = rte_eth_from_rings(name, &B.rx[i], 1, &B.tx[i], 1, 0);
		if (rc < 0)
			die("rte_eth_from_rings: %s", rte_strerror(rte_errno));
		B.port_id[i] = (uint16_t)rc;
		if (rte_eth_dev_configure(B.port_id[i], 1, 1, &conf) != 0 ||
				rte_eth_rx_queue_setup(B.port_id[i], 0, 1024, 0, NULL, B.pool) != 0 ||
				rte_eth_tx_queue_setup(B.port_id[i], 0, 1024, 0, NULL) != 0 ||
				rte_eth_dev_start(B.port_id[i]) != 0)
			die("ring port %d setup failed", i);
		B.info[i].port_id = B.port_id[i];
		B.info[i].mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, (uint8_t)(0x10 + i) } };
		B.info[i].mtu = 1500;
	}
	B.router_mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 0xfe } };
	for (unsigned int k = 0; k < MAX_BACKENDS; k++)
		B.backend_mac[k] = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0x02, (uint8_t)(k + 1) } };
}

static void
ip_str(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* Compile the configuration, add the L4 services, publish. */
static void
publish(void)
{
	static struct gw_config cfg;
	struct gw_lb_endpoint eps[MAX_BACKENDS], eps_udp[MAX_BACKENDS];
	struct gw_lb_service_spec spec[2];
	struct gw_lb_table *l4;
	struct gw_dp_gateway *part;
	struct gw_dp *dp;
	char conf[4096], err[512], a[32];
	size_t off;

	off = (size_t)snprintf(conf, sizeof(conf),
		"ports = ( { name = \"p0\"; device = \"net_ring0\"; addresses = [ \"10.77.1.1/24\" ]; },\n"
		"          { name = \"p1\"; device = \"net_ring1\"; addresses = [ \"10.77.2.1/24\" ]; } );\n"
		"routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.77.1.254\"; } );\n"
		"vips = [ \"10.77.1.10\" ];\n"
		"neigh = { reachable_s = 3600; stale_gc_s = 3600; };\n"
		"workers = { idle_sleep_us = 0; };\n");
	if (B.n_snat != 0) {
		off += (size_t)snprintf(conf + off, sizeof(conf) - off, "snat = [ ");
		for (unsigned int k = 0; k < B.n_snat; k++) {
			ip_str(SNAT_IP(k), a, sizeof(a));
			off += (size_t)snprintf(conf + off, sizeof(conf) - off, "%s\"%s\"",
				k ? ", " : "", a);
		}
		off += (size_t)snprintf(conf + off, sizeof(conf) - off, " ];\n");
	}
	if (gw_config_load_string(conf, "bench_l4.conf", &cfg, err, sizeof(err)) != 0)
		die("config: %s\n%s", err, conf);
	dp = gw_compile(&cfg, 0, err, sizeof(err));
	if (dp == NULL)
		die("compile: %s", err);
	for (unsigned int k = 0; k < B.n_backends; k++) {
		uint32_t be = rte_cpu_to_be_32(BACKEND_IP(k));

		eps[k] = (struct gw_lb_endpoint){ .family = AF_INET, .port = TCP_BPORT, .weight = 1 };
		memcpy(eps[k].addr, &be, 4);
		eps_udp[k] = eps[k];
		eps_udp[k].port = UDP_BPORT;
	}
	uint32_t vip = rte_cpu_to_be_32(VIP);
	spec[0] = (struct gw_lb_service_spec){ .id = 1, .name = "bench/gw/tcp", .proto = IPPROTO_TCP,
		.family = AF_INET, .port = TCP_VPORT, .n_endpoints = B.n_backends, .endpoints = eps };
	spec[1] = (struct gw_lb_service_spec){ .id = 2, .name = "bench/gw/udp", .proto = IPPROTO_UDP,
		.family = AF_INET, .port = UDP_VPORT, .n_endpoints = B.n_backends,
		.endpoints = eps_udp };
	memcpy(spec[0].vip, &vip, 4);
	memcpy(spec[1].vip, &vip, 4);
	l4 = gw_lb_table_build(spec, 2, err, sizeof(err));
	if (l4 == NULL)
		die("gw_lb_table_build: %s", err);
	part = gw_dp_gateway_new(1, NULL, l4);
	if (part == NULL)
		die("gw_dp_gateway_new: out of memory");
	gw_dp_set_gateway(dp, part);
	gw_gen_publish(B.gen, &dp->gen);
}

static void
drain_all(void)
{
	void *m;

	for (int i = 0; i < N_PORTS; i++) {
		while (rte_ring_dequeue(B.tx[i], &m) == 0)
			rte_pktmbuf_free(m);
		while (rte_ring_dequeue(B.rx[i], &m) == 0)
			rte_pktmbuf_free(m);
	}
}

static inline void
poll_worker(struct gw_worker *w)
{
	gw_worker_poll(w, rte_rdtsc());
	gw_gen_quiescent(B.gen, 0);
}

/* Poll until both RX rings are empty. */
static void
poll_all(struct gw_worker *w)
{
	do
		poll_worker(w);
	while (rte_ring_count(B.rx[0]) != 0 || rte_ring_count(B.rx[1]) != 0);
}

static void
arp_request(struct gw_worker *w, int port, const struct rte_ether_addr *smac, uint32_t sip,
	uint32_t tip)
{
	uint8_t f[60] = { 0 };
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = *smac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = 6;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = *smac;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	arp->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	feed(port, frame_mbuf(f, sizeof(f)));
	poll_all(w);
}

/*
 * A fresh worker (id 0, the only one polled at a time; the benchmark
 * thread is generation reader 0) that knows the router's and the
 * backends' MACs.
 */
static struct gw_worker *
new_worker(uint32_t max_flows)
{
	struct gw_worker_conf c = {
		.id = 0, .lcore = rte_lcore_id(), .socket = 0, .n_ports = N_PORTS, .pool = B.pool,
		.gen = B.gen, .neigh_capacity = 256, .max_flows = max_flows,
	};
	struct gw_worker *w;

	memcpy(c.ports, B.info, sizeof(B.info));
	w = gw_worker_create(&c);
	if (w == NULL)
		die("gw_worker_create(max_flows %u) failed", max_flows);
	w->queue = 0;
	drain_all();
	arp_request(w, 0, &B.router_mac, ROUTER, PORT0_IP);
	for (unsigned int k = 0; k < B.n_backends; k++)
		arp_request(w, 1, &B.backend_mac[k], BACKEND_IP(k), PORT1_IP);
	if (gw_neigh_count(w->neigh) < 1 + B.n_backends)
		die("worker learnt %u neighbours, expected %u", gw_neigh_count(w->neigh),
			1 + B.n_backends);
	drain_all();
	B.worker_seq++;
	return w;
}

static uint64_t
cnt(const struct gw_worker *w, enum gw_cnt id)
{
	return gw_stats_read(&w->stats, id);
}

/* Non-zero drop counters (as "name=n,...") between two snapshots. */
static void
drops_str(const struct gw_stats *a, const struct gw_stats *b, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int id = 0; id < GW_CNT_MAX; id++) {
		uint64_t d = b->c[id] - a->c[id];

		if (d != 0 && gw_stats_kind((enum gw_cnt)id) == GW_CNT_KIND_DROP && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s=%" PRIu64,
				off ? "," : "", gw_stats_name((enum gw_cnt)id), d);
	}
}

static void
snap(const struct gw_worker *w, struct gw_stats *s)
{
	for (int id = 0; id < GW_CNT_MAX; id++)
		s->c[id] = gw_stats_read(&w->stats, (enum gw_cnt)id);
}

/*
 * Open @n flows, indexes 0..n-1, through the worker: SYN (checked on the
 * backend side: that is where the NAT is learnt), SYN-ACK (checked on the
 * client side), ACK. UDP: one datagram each way. Returns the seconds it
 * took, handshake packets and checks included.
 */
static double
establish(struct gw_worker *w, uint32_t n, struct nat *nats)
{
	uint8_t f[MAX_FRAME];
	struct rte_mbuf *out[RING_SIZE];
	uint64_t t0 = rte_rdtsc();
	uint32_t got = 0;

	memset(nats, 0, sizeof(*nats) * n);
	for (uint32_t base = 0; base < n; base += CHUNK) {
		uint32_t k = RTE_MIN((uint32_t)CHUNK, n - base);
		unsigned int m;

		for (uint32_t i = base; i < base + k; i++) {
			uint16_t len = build_frame(f, C2S, i, NULL, RTE_TCP_SYN_FLAG, 0);

			feed(0, frame_mbuf(f, len));
		}
		poll_all(w);
		m = rte_ring_dequeue_burst(B.tx[1], (void **)out, RING_SIZE, NULL);
		for (unsigned int j = 0; j < m; j++) {
			struct nat nn;
			int64_t i = check_out(out[j], C2S, &nn, NULL, n);

			if (i >= 0)
				nats[i] = nn;
			rte_pktmbuf_free(out[j]);
		}
		/* The backend answers: SYN-ACK (TCP) or a datagram (UDP). */
		for (uint32_t i = base; i < base + k; i++) {
			uint16_t len;

			if (!nats[i].ok)
				continue;
			len = build_frame(f, S2C, i, &nats[i], RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 0);
			feed(1, frame_mbuf(f, len));
		}
		poll_all(w);
		m = rte_ring_dequeue_burst(B.tx[0], (void **)out, RING_SIZE, NULL);
		for (unsigned int j = 0; j < m; j++) {
			if (check_out(out[j], S2C, NULL, nats, n) >= 0)
				got++;
			rte_pktmbuf_free(out[j]);
		}
		if (!B.udp) {
			for (uint32_t i = base; i < base + k; i++) {
				uint16_t len;

				if (!nats[i].ok)
					continue;
				len = build_frame(f, C2S, i, &nats[i], RTE_TCP_ACK_FLAG, 0);
				feed(0, frame_mbuf(f, len));
			}
			poll_all(w);
			m = rte_ring_dequeue_burst(B.tx[1], (void **)out, RING_SIZE, NULL);
			for (unsigned int j = 0; j < m; j++) {
				check_out(out[j], C2S, NULL, nats, n);
				rte_pktmbuf_free(out[j]);
			}
		}
		drain_all();
	}
	if (got != n)
		die("only %u of %u flows completed their handshake (check errors %" PRIu64
			"%s%s; l4_flow_new %" PRIu64 ", evicted %" PRIu64 ")", got, n, B.check_errors,
			B.check_errors ? ": " : "", B.first_error, cnt(w, GW_CNT_l4_flow_new),
			cnt(w, GW_CNT_l4_flow_evicted));
	return (double)(rte_rdtsc() - t0) / (double)B.hz;
}

/* Data frames of every flow in direction @d, FRAME_STRIDE bytes apart. */
static uint8_t *
templates(enum dir d, uint32_t n, const struct nat *nats, uint16_t *len)
{
	uint8_t *t = aligned_alloc(64, (size_t)n * FRAME_STRIDE);

	if (t == NULL)
		die("out of memory for %u templates", n);
	for (uint32_t i = 0; i < n; i++)
		*len = build_frame(t + (size_t)i * FRAME_STRIDE, d, i, &nats[i],
			RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, B.size);
	return t;
}

/* ---- timed forwarding runs ---------------------------------------------- */

/*
 * One timed run. The machine may be shared (other jobs on the same CPUs):
 * each iteration is bracketed by reads of the thread's CPU time, and an
 * iteration whose TSC time exceeds its CPU time by more than 20 us spent
 * that long off the CPU (preempted): it is left out, cycles and packets
 * both, and how much was left out is recorded. (Time the hypervisor takes
 * from the whole VM, steal time, cannot be told apart this way.)
 */
struct run_res {
	uint64_t pkts;                  /* frames that came out, all of them */
	uint64_t busy, busy_pkts;       /* forwarding-stage cycles and their frames */
	uint64_t loop, loop_pkts;       /* whole iterations (with the refill) */
	uint64_t wall;
	uint64_t cut_polls, cut_cycles; /* iterations left out as preempted */
	uint64_t other, wrong, topup;
	char drops[256];
};

/* testpmd's io engine, on both ports (two streams, one core). */
static inline void
baseline_poll(void)
{
	struct rte_mbuf *pkts[BURST];

	for (int p = 0; p < N_PORTS; p++) {
		uint16_t n = rte_eth_rx_burst(B.port_id[p], 0, pkts, BURST);
		uint16_t sent;

		if (n == 0)
			continue;
		sent = rte_eth_tx_burst(B.port_id[p ^ 1], 0, pkts, n);
		if (unlikely(sent < n))
			rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

/*
 * Feed @in_port with data frames of @n_flows flows (random order) from
 * @tmpl for @secs, forwarding with @w (NULL: the baseline). Every frame
 * that leaves on the other port is counted, spot-checked when @w is set
 * (one in 256), refilled with the next flow's frame and fed again.
 */
static void
run(struct gw_worker *w, int in_port, const uint8_t *tmpl, uint16_t len, uint32_t n_flows,
	const struct nat *nats, double secs, struct run_res *r)
{
	int out_port = in_port ^ 1;
	enum dir d = in_port == 0 ? C2S : S2C;
	struct rte_mbuf *objs[2 * BURST];
	struct gw_stats s0, s1;
	uint64_t seed = 0x9e3779b97f4a7c15ull ^ (uint64_t)in_port, t_end, t_start;

	memset(r, 0, sizeof(*r));
	drain_all();
	if (w != NULL)
		snap(w, &s0);
	for (unsigned int k = 0; k < B.inflight; k++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(B.data);

		if (m == NULL)
			die("data pool empty");
		refill(m, tmpl + (size_t)pick(&seed, n_flows) * FRAME_STRIDE, len);
		feed(in_port, m);
	}
	t_start = rte_rdtsc();
	t_end = t_start + (uint64_t)(secs * (double)B.hz);
	for (;;) {
		uint64_t c0 = thread_ns(), t0 = rte_rdtsc(), t1, t2;
		unsigned int n, kept = 0;

		if (t0 >= t_end)
			break;
		if (w != NULL) {
			gw_worker_poll(w, t0);
			gw_gen_quiescent(B.gen, 0);
		} else {
			baseline_poll();
		}
		t1 = rte_rdtsc();
		/* The NIC's side: take what was sent, receive it again. */
		n = rte_ring_dequeue_burst(B.tx[out_port], (void **)objs, RTE_DIM(objs), NULL);
		for (unsigned int j = 0; j < n; j++) {
			struct rte_mbuf *m = objs[j];

			if (unlikely(m->pool != B.data)) {
				rte_pktmbuf_free(m);
				r->other++;
				continue;
			}
			if (w != NULL && unlikely(((r->pkts + kept) & 255) == 0))
				check_out(m, d, NULL, nats, n_flows);
			refill(m, tmpl + (size_t)pick(&seed, n_flows) * FRAME_STRIDE, len);
			objs[kept++] = m;
		}
		t2 = rte_rdtsc();
		r->pkts += kept;
		if (likely(!preempted(c0, t0, t2))) {
			r->busy += t1 - t0;
			r->busy_pkts += kept;
			r->loop += t2 - t0;
			r->loop_pkts += kept;
		} else {
			r->cut_polls++;
			r->cut_cycles += t2 - t0;
		}
		if (kept != 0 && rte_ring_enqueue_bulk(B.rx[in_port], (void **)objs, kept, NULL) == 0)
			die("rx ring full");
		if (unlikely(rte_ring_count(B.tx[in_port]) != 0)) {
			while (rte_ring_dequeue(B.tx[in_port], (void **)&objs[0]) == 0) {
				rte_pktmbuf_free(objs[0]);
				r->wrong++;
			}
		}
		/* Frames the worker dropped went back to the pool: replace them. */
		if (unlikely(rte_ring_count(B.rx[in_port]) < 2 * BURST)) {
			for (unsigned int k = 0; k < BURST; k++) {
				struct rte_mbuf *m = rte_pktmbuf_alloc(B.data);

				if (m == NULL)
					break;
				refill(m, tmpl + (size_t)pick(&seed, n_flows) * FRAME_STRIDE, len);
				feed(in_port, m);
				r->topup++;
			}
		}
	}
	r->wall = rte_rdtsc() - t_start;
	if (w != NULL) {
		/* Let the worker send what it holds, then look at its counters. */
		poll_worker(w);
		snap(w, &s1);
		drops_str(&s0, &s1, r->drops, sizeof(r->drops));
		uint64_t nat = s1.c[in_port == 0 ? GW_CNT_l4_fwd_packets : GW_CNT_l4_rev_packets] -
			s0.c[in_port == 0 ? GW_CNT_l4_fwd_packets : GW_CNT_l4_rev_packets];
		if (nat < r->pkts)
			note_error("%s: %" PRIu64 " frames out, l4 counter says %" PRIu64,
				in_port == 0 ? "fwd" : "rev", r->pkts, nat);
	}
	drain_all();
}

static double
mpps(uint64_t pkts, uint64_t cycles)
{
	return cycles == 0 ? 0 : (double)pkts * (double)B.hz / (double)cycles / 1e6;
}

/* JSON for one direction: baseline then dpgw, same packets. */
static void
fwd_pair(FILE *o, const char *key, struct gw_worker *w, int in_port, const uint8_t *tmpl,
	uint16_t len, uint32_t n_flows, const struct nat *nats)
{
	struct run_res b = { 0 }, g;
	double bm, gm, bl, gl;

	if (!B.no_base)
		run(NULL, in_port, tmpl, len, n_flows, nats, B.secs, &b);
	run(w, in_port, tmpl, len, n_flows, nats, B.secs, &g);
	bm = mpps(b.busy_pkts, b.busy);
	gm = mpps(g.busy_pkts, g.busy);
	bl = mpps(b.loop_pkts, b.loop);
	gl = mpps(g.loop_pkts, g.loop);
	fprintf(stderr, "  %-8s flows %-8u baseline %7.2f Mpps (%5.1f cyc/pkt)  dpgw %6.2f Mpps "
		"(%6.1f cyc/pkt)  ratio %.3f  [with refill: %.2f / %.2f = %.3f; cut %.0f ms]\n",
		key, n_flows, bm, b.busy_pkts ? (double)b.busy / (double)b.busy_pkts : 0, gm,
		g.busy_pkts ? (double)g.busy / (double)g.busy_pkts : 0, bm > 0 ? gm / bm : 0,
		bl, gl, bl > 0 ? gl / bl : 0,
		(double)(b.cut_cycles + g.cut_cycles) * 1e3 / (double)B.hz);
	fprintf(o, ",\"%s\":{\"flows\":%u,\"frame_bytes\":%u,"
		"\"baseline_mpps\":%.3f,\"dpgw_mpps\":%.3f,\"ratio\":%.3f,"
		"\"baseline_cycles_per_pkt\":%.1f,\"dpgw_cycles_per_pkt\":%.1f,"
		"\"baseline_mpps_loop\":%.3f,\"dpgw_mpps_loop\":%.3f,\"ratio_loop\":%.3f,"
		"\"baseline_pkts\":%" PRIu64 ",\"dpgw_pkts\":%" PRIu64
		",\"baseline_cut_ms\":%.1f,\"dpgw_cut_ms\":%.1f,\"dpgw_cut_polls\":%" PRIu64
		",\"dpgw_topup\":%" PRIu64 ",\"dpgw_other_frames\":%" PRIu64
		",\"dpgw_wrong_port\":%" PRIu64 ",\"dpgw_drops\":\"%s\"}",
		key, n_flows, len, bm, gm, bm > 0 ? gm / bm : 0,
		b.busy_pkts ? (double)b.busy / (double)b.busy_pkts : 0,
		g.busy_pkts ? (double)g.busy / (double)g.busy_pkts : 0,
		bl, gl, bl > 0 ? gl / bl : 0, b.pkts, g.pkts,
		(double)b.cut_cycles * 1e3 / (double)B.hz, (double)g.cut_cycles * 1e3 / (double)B.hz,
		g.cut_polls, g.topup, g.other, g.wrong, g.drops);
}

/* Established flows: set up, then fwd and rev, each against the baseline. */
static void
bench_established(FILE *o, const char *prefix, uint32_t n_flows, uint32_t max_flows)
{
	struct nat *nats = calloc(n_flows, sizeof(*nats));
	struct gw_worker *w;
	uint8_t *tc, *ts;
	uint16_t lc, ls;
	double secs;
	char key[32];

	if (nats == NULL)
		die("out of memory");
	w = new_worker(max_flows);
	secs = establish(w, n_flows, nats);
	fprintf(stderr, "  %u flows established in %.2f s (%s)\n", n_flows, secs,
		B.udp ? "UDP: 2 datagrams each" : "SYN, SYN-ACK, ACK, all checked");
	fprintf(o, ",\"%s_setup\":{\"flows\":%u,\"seconds\":%.3f,\"flows_per_s\":%.0f}", prefix,
		n_flows, secs, n_flows / secs);
	tc = templates(C2S, n_flows, nats, &lc);
	ts = templates(S2C, n_flows, nats, &ls);
	if (B.run_fwd || strcmp(prefix, "big") == 0) {
		snprintf(key, sizeof(key), "%s", strcmp(prefix, "big") == 0 ? "big_fwd" : "fwd");
		fwd_pair(o, key, w, 0, tc, lc, n_flows, nats);
	}
	if (B.run_rev || strcmp(prefix, "big") == 0) {
		snprintf(key, sizeof(key), "%s", strcmp(prefix, "big") == 0 ? "big_rev" : "rev");
		fwd_pair(o, key, w, 1, ts, ls, n_flows, nats);
	}
	free(tc);
	free(ts);
	gw_worker_free(w);
	free(nats);
}

/* ---- new flows -------------------------------------------------------------- */

struct new_res {
	uint64_t busy[3], made[3], cut, wall;
};

/*
 * Send SYNs (UDP: first datagrams) of flows @first .. @first + @total - 1,
 * distinct client address/port each, through @w. Each poll's cycles and
 * the flows it created go to the phase the table was in before it:
 * 0-50 % full, 50-100 %, full (every new flow evicts the oldest idle).
 */
static void
new_pass(struct gw_worker *w, uint32_t first, uint32_t total, struct new_res *r)
{
	uint32_t cap = gw_flow_capacity(w->flows), next = first, end = first + total;
	struct rte_mbuf *objs[2 * BURST];
	uint8_t f[MAX_FRAME];
	uint8_t syn = B.udp ? 0 : RTE_TCP_SYN_FLAG;
	uint64_t t_start;

	memset(r, 0, sizeof(*r));
	for (unsigned int k = 0; k < B.inflight && next < end; k++) {
		uint16_t len = build_frame(f, C2S, next++, NULL, syn, 0);

		feed(0, frame_mbuf(f, len));
	}
	t_start = rte_rdtsc();
	for (;;) {
		uint32_t count = gw_flow_count(w->flows, GW_FLOW_V4);
		int phase = count < cap / 2 ? 0 : count < cap ? 1 : 2;
		uint64_t n0 = cnt(w, GW_CNT_l4_flow_new), c0 = thread_ns(), t0 = rte_rdtsc(), t1;
		unsigned int n, kept = 0;

		gw_worker_poll(w, t0);
		gw_gen_quiescent(B.gen, 0);
		t1 = rte_rdtsc();
		if (likely(!preempted(c0, t0, t1))) {
			r->busy[phase] += t1 - t0;
			r->made[phase] += cnt(w, GW_CNT_l4_flow_new) - n0;
		} else {
			r->cut += t1 - t0;
		}
		n = rte_ring_dequeue_burst(B.tx[1], (void **)objs, RTE_DIM(objs), NULL);
		for (unsigned int j = 0; j < n; j++) {
			struct rte_mbuf *m = objs[j];
			uint16_t len;

			if (unlikely((next & 4095) == 0))
				check_out(m, C2S, NULL, NULL, end);
			if (m->pool != B.data || next >= end) {
				rte_pktmbuf_free(m);
				continue;
			}
			len = build_frame(f, C2S, next++, NULL, syn, 0);
			refill(m, f, len);
			objs[kept++] = m;
		}
		if (kept != 0 && rte_ring_enqueue_bulk(B.rx[0], (void **)objs, kept, NULL) == 0)
			die("rx ring full");
		while (rte_ring_dequeue(B.tx[0], (void **)&objs[0]) == 0)
			rte_pktmbuf_free(objs[0]);
		/* Dropped SYNs do not come out: replace them. */
		if (rte_ring_count(B.rx[0]) < 2 * BURST) {
			if (next >= end && rte_ring_count(B.rx[0]) == 0)
				break;
			for (unsigned int k = 0; k < BURST && next < end; k++) {
				uint16_t len = build_frame(f, C2S, next++, NULL, syn, 0);

				feed(0, frame_mbuf(f, len));
			}
		}
	}
	r->wall = rte_rdtsc() - t_start;
	poll_all(w);
	drain_all();
}

static double
per_s(const struct new_res *r, int phase)
{
	return r->busy[phase] ? (double)r->made[phase] * (double)B.hz / (double)r->busy[phase] : 0;
}

/*
 * New flows per second of worker time, into a fresh worker of capacity
 * @capacity. First (cold) pass: 1.5 x capacity SYNs, so the table fills, then
 * evicts; its memory is touched for the first time here (page faults
 * included). The table is then flushed and the warm pass fills it again:
 * that is the headline figure, a running gateway's table being warm.
 */
static void
bench_new(FILE *o, const char *key, uint32_t capacity)
{
	struct gw_worker *w = new_worker(capacity);
	uint32_t cap = gw_worker_flow_capacity(w);
	struct gw_stats s0, s1;
	struct new_res cold, warm;
	uint64_t evicted, made;
	char drops[256];

	snap(w, &s0);
	new_pass(w, 0, cap + cap / 2, &cold);
	gw_flow_flush(w->flows);
	new_pass(w, 0, cap, &warm);
	snap(w, &s1);
	evicted = s1.c[GW_CNT_l4_flow_evicted] - s0.c[GW_CNT_l4_flow_evicted];
	made = s1.c[GW_CNT_l4_flow_new] - s0.c[GW_CNT_l4_flow_new];
	drops_str(&s0, &s1, drops, sizeof(drops));
	fprintf(stderr, "  %-8s capacity %u: warm %.2f M flows/s (0-50%% full), %.2f M/s (50-100%%); "
		"cold %.2f / %.2f M/s; full table %.2f M/s (%" PRIu64 " evicted); drops: %s\n", key, cap,
		per_s(&warm, 0) / 1e6, per_s(&warm, 1) / 1e6, per_s(&cold, 0) / 1e6,
		per_s(&cold, 1) / 1e6, per_s(&cold, 2) / 1e6, evicted, drops[0] ? drops : "none");
	fprintf(o, ",\"%s\":{\"capacity\":%u,\"flows_new\":%" PRIu64 ",\"per_s\":%.0f,"
		"\"per_s_50_100\":%.0f,\"cold_per_s\":%.0f,\"cold_per_s_50_100\":%.0f,"
		"\"per_s_full\":%.0f,\"cycles_per_flow\":%.1f,\"evicted\":%" PRIu64
		",\"wall_s\":%.3f,\"cut_ms\":%.1f,\"drops\":\"%s\",\"target_per_s\":2000000,"
		"\"pass\":%s}",
		key, cap, made, per_s(&warm, 0), per_s(&warm, 1), per_s(&cold, 0), per_s(&cold, 1),
		per_s(&cold, 2), warm.made[0] ? (double)warm.busy[0] / (double)warm.made[0] : 0,
		evicted, (double)(cold.wall + warm.wall) / (double)B.hz,
		(double)(cold.cut + warm.cut) * 1e3 / (double)B.hz, drops,
		per_s(&warm, 0) >= 2e6 ? "true" : "false");
	gw_worker_free(w);
}

/* ---- the flow table alone ----------------------------------------------------- */

static void
key4(uint32_t i, union gw_flow_key *fwd, union gw_flow_key *rev)
{
	memset(fwd, 0, sizeof(*fwd));
	fwd->v4.src = rte_cpu_to_be_32(CLIENT_IP(i));
	fwd->v4.dst = rte_cpu_to_be_32(VIP);
	fwd->v4.sport = rte_cpu_to_be_16(CLIENT_PORT(i));
	fwd->v4.dport = rte_cpu_to_be_16(TCP_VPORT);
	fwd->v4.proto = IPPROTO_TCP;
	if (rev != NULL) {
		/* 64 backend x SNAT address pairs, 15,625 ports each for 1M. */
		memset(rev, 0, sizeof(*rev));
		rev->v4.src = rte_cpu_to_be_32(BACKEND_IP(i & 3));
		rev->v4.dst = rte_cpu_to_be_32(SNAT_IP((i >> 2) & 15));
		rev->v4.sport = rte_cpu_to_be_16(TCP_BPORT);
		rev->v4.dport = rte_cpu_to_be_16((uint16_t)(1024 + (i >> 6)));
		rev->v4.proto = IPPROTO_TCP;
	}
}

static void
key6(uint32_t i, union gw_flow_key *fwd, union gw_flow_key *rev)
{
	memset(fwd, 0, sizeof(*fwd));
	fwd->v6.src[0] = 0x20;
	fwd->v6.src[1] = 0x01;
	*(uint32_t *)&fwd->v6.src[12] = rte_cpu_to_be_32(i >> 10);
	fwd->v6.dst[0] = 0xfd;
	fwd->v6.dst[15] = 0x10;
	fwd->v6.sport = rte_cpu_to_be_16(CLIENT_PORT(i));
	fwd->v6.dport = rte_cpu_to_be_16(TCP_VPORT);
	fwd->v6.proto = IPPROTO_TCP;
	if (rev != NULL) {
		memset(rev, 0, sizeof(*rev));
		rev->v6.src[0] = 0xfd;
		rev->v6.src[15] = (uint8_t)(11 + (i & 3));
		rev->v6.dst[0] = 0xfd;
		rev->v6.dst[14] = 1;
		rev->v6.dst[15] = (uint8_t)((i >> 2) & 15);
		rev->v6.sport = rte_cpu_to_be_16(TCP_BPORT);
		rev->v6.dport = rte_cpu_to_be_16((uint16_t)(1024 + (i >> 6)));
		rev->v6.proto = IPPROTO_TCP;
	}
}

typedef void (*keyfn)(uint32_t, union gw_flow_key *, union gw_flow_key *);

static uint32_t
fill_table(struct gw_flow_table *t, enum gw_flow_fam fam, keyfn kf, uint32_t n, double *secs)
{
	uint32_t ok = 0;
	uint64_t t0 = rte_rdtsc();

	for (uint32_t i = 0; i < n; i++) {
		union gw_flow_key f, r;
		int ev = 0;

		kf(i, &f, &r);
		if (gw_flow_insert(t, fam, &f, gw_flow_hash(fam, &f), &r, gw_flow_hash(fam, &r),
				GW_FLOW_TCP_ESTABLISHED, 0, &ev) >= 0 && !ev)
			ok++;
	}
	*secs = (double)(rte_rdtsc() - t0) / (double)B.hz;
	return ok;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

#define LOOKUP_CHUNK 256

/*
 * @lookups random lookups of present keys (keys 0..n-1; the key is
 * rebuilt and hashed per lookup, as the worker hashes every packet), timed
 * in chunks of 256: ns per lookup of the median chunk, so that chunks the
 * thread spent preempted do not count. *@hash_ns is the same loop without
 * the find.
 */
static double
lookup_ns(struct gw_flow_table *t, enum gw_flow_fam fam, keyfn kf, uint32_t n, bool rev,
	uint64_t *misses, double *hash_ns)
{
	uint32_t chunks = RTE_MAX(B.lookups / LOOKUP_CHUNK, 1u);
	uint64_t *c = malloc(sizeof(*c) * chunks), seed, sink = 0;
	union gw_flow_key f, r;
	double ns;

	if (c == NULL)
		die("out of memory");
	*misses = 0;
	for (int pass = 0; pass < 2; pass++) {
		seed = 0x2545f4914f6cdd1dull;
		for (uint32_t ch = 0; ch < chunks; ch++) {
			uint64_t t0 = rte_rdtsc();

			for (uint32_t k = 0; k < LOOKUP_CHUNK; k++) {
				uint32_t i = pick(&seed, n);
				int rc;

				kf(i, &f, rev ? &r : NULL);
				if (pass == 0) {
					sink += gw_flow_hash(fam, rev ? &r : &f);
					continue;
				}
				rc = rev ? gw_flow_find_rev(t, fam, &r, gw_flow_hash(fam, &r)) :
					gw_flow_find_fwd(t, fam, &f, gw_flow_hash(fam, &f));
				*misses += rc < 0;
			}
			c[ch] = rte_rdtsc() - t0;
		}
		qsort(c, chunks, sizeof(*c), cmp_u64);
		ns = (double)c[chunks / 2] * 1e9 / (double)B.hz / LOOKUP_CHUNK;
		if (pass == 0)
			*hash_ns = ns;
	}
	if (sink == 42)
		fprintf(stderr, " ");
	free(c);
	return ns;
}

static void
bench_table(FILE *o)
{
	static const struct { enum gw_flow_fam fam; keyfn kf; const char *name; } fams[] = {
		{ GW_FLOW_V4, key4, "v4" }, { GW_FLOW_V6, key6, "v6" },
	};
	char name[32];

	fprintf(o, ",\"table\":{\"entries\":%u,\"small_entries\":%u,\"lookups\":%u", B.table_n,
		B.table_small, B.lookups);
	for (unsigned int fi = 0; fi < RTE_DIM(fams); fi++) {
		enum gw_flow_fam fam = fams[fi].fam;
		struct gw_flow_table *big, *small;
		double fill_s, fill_small_s, ns_big, ns_small, ns_rev, h_big, h_small, h_rev;
		uint64_t miss_big, miss_small, miss_rev;
		uint32_t ok_big, ok_small;
		size_t mem_big, mem_all;

		snprintf(name, sizeof(name), "bl4_big%u_%u", fi, B.worker_seq++);
		big = gw_flow_table_create(name, B.table_n, 0);
		snprintf(name, sizeof(name), "bl4_small%u_%u", fi, B.worker_seq++);
		small = gw_flow_table_create(name, B.table_small, 0);
		if (big == NULL || small == NULL)
			die("gw_flow_table_create: %s", rte_strerror(rte_errno));
		ok_big = fill_table(big, fam, fams[fi].kf, B.table_n, &fill_s);
		ok_small = fill_table(small, fam, fams[fi].kf, B.table_small, &fill_small_s);
		mem_big = gw_flow_memory(big, fam);
		mem_all = gw_flow_memory(big, GW_FLOW_V4) + gw_flow_memory(big, GW_FLOW_V6);
		ns_big = lookup_ns(big, fam, fams[fi].kf, B.table_n, false, &miss_big, &h_big);
		ns_rev = lookup_ns(big, fam, fams[fi].kf, B.table_n, true, &miss_rev, &h_rev);
		ns_small = lookup_ns(small, fam, fams[fi].kf, B.table_small, false, &miss_small,
			&h_small);
		uint32_t count = gw_flow_count(big, fam);
		fprintf(stderr, "  table %s  %u/%u inserted (capacity %u, %.2f M inserts/s): %.1f B/flow "
			"(%zu B; both families %.1f B/flow); lookups: %.1f ns (%.2f M/s) at %u, %.1f ns "
			"(%.2f M/s) at %u, ratio %.2f; rev %.1f ns; key+hash alone %.1f ns; misses %" PRIu64
			"\n", fams[fi].name, ok_big, B.table_n, gw_flow_capacity(big),
			ok_big / fill_s / 1e6, count ? (double)mem_big / count : 0, mem_big,
			count ? (double)mem_all / count : 0, ns_big, 1e3 / ns_big, count, ns_small,
			1e3 / ns_small, gw_flow_count(small, fam), ns_big / ns_small, ns_rev, h_big,
			miss_big + miss_small + miss_rev);
		fprintf(o, ",\"%s\":{\"capacity\":%u,\"inserted\":%u,\"count\":%u,\"memory_bytes\":%zu,"
			"\"bytes_per_flow\":%.1f,\"bytes_per_flow_both_families\":%.1f,"
			"\"bytes_per_capacity_slot\":%.1f,\"insert_per_s\":%.0f,"
			"\"lookup_ns\":%.2f,\"lookup_mops\":%.3f,\"lookup_rev_ns\":%.2f,"
			"\"small_count\":%u,\"small_inserted\":%u,\"small_lookup_ns\":%.2f,"
			"\"small_lookup_mops\":%.3f,\"ratio_ns\":%.3f,\"key_hash_ns\":%.2f,"
			"\"small_key_hash_ns\":%.2f,\"misses\":%" PRIu64 ",\"target_bytes\":128,\"pass\":%s}",
			fams[fi].name, gw_flow_capacity(big), ok_big, count, mem_big,
			count ? (double)mem_big / count : 0, count ? (double)mem_all / count : 0,
			(double)mem_big / gw_flow_capacity(big), ok_big / fill_s, ns_big, 1e3 / ns_big,
			ns_rev, gw_flow_count(small, fam), ok_small, ns_small, 1e3 / ns_small,
			ns_big / ns_small, h_big, h_small, miss_big + miss_small + miss_rev,
			count && (double)mem_big / count <= 128 ? "true" : "false");
		gw_flow_table_free(big);
		gw_flow_table_free(small);
	}
	fprintf(o, "}");
}

/* ---- main ------------------------------------------------------------------- */

static void
parse_modes(const char *s)
{
	B.run_fwd = strstr(s, "fwd") != NULL;
	B.run_rev = strstr(s, "rev") != NULL;
	B.run_new = strstr(s, "new") != NULL;
	B.run_big = strstr(s, "big") != NULL;
	B.run_table = strstr(s, "table") != NULL;
}

static void
usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-r rounds] [-d secs] [-f flows] [-F big_flows] [-s size] "
		"[-q inflight] [-b backends] [-S snat] [-N new_cap] [-T entries] [-t small] "
		"[-L lookups] [-u] [-m fwd,rev,new,big,table] [-x] [-- EAL args]\n", argv0);
	exit(2);
}

int
main(int argc, char **argv)
{
	char prefix[64], *eal[32];
	int neal = 0, opt, sep;

	parse_modes("fwd,rev,new,big,table");
	for (sep = 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
		;
	while ((opt = getopt(sep, argv, "r:d:f:F:s:q:b:S:N:T:t:L:um:xh")) != -1) {
		switch (opt) {
		case 'r': B.rounds = (unsigned int)atoi(optarg); break;
		case 'd': B.secs = atof(optarg); break;
		case 'f': B.flows = (unsigned int)atoi(optarg); break;
		case 'F': B.big_flows = (unsigned int)atoi(optarg); break;
		case 's': B.size = (unsigned int)atoi(optarg); break;
		case 'q': B.inflight = (unsigned int)atoi(optarg); break;
		case 'b': B.n_backends = (unsigned int)atoi(optarg); break;
		case 'S': B.n_snat = (unsigned int)atoi(optarg); break;
		case 'N': B.new_cap = (unsigned int)atoi(optarg); break;
		case 'T': B.table_n = (unsigned int)atoi(optarg); break;
		case 't': B.table_small = (unsigned int)atoi(optarg); break;
		case 'L': B.lookups = (unsigned int)atoi(optarg); break;
		case 'u': B.udp = true; break;
		case 'm': parse_modes(optarg); break;
		case 'x': B.no_base = true; break;
		default: usage(argv[0]);
		}
	}
	if (B.size < 60 || B.size > MAX_FRAME || B.n_backends < 1 ||
			B.n_backends > MAX_BACKENDS || B.n_snat > MAX_SNAT || B.flows < 1 ||
			B.inflight < 2 * BURST || B.inflight > RING_SIZE / 2 || B.lookups < 1 ||
			B.table_small < 1 || B.table_n < 1)
		usage(argv[0]);
	if (B.flows > 1u << 24 || B.big_flows > 1u << 24)
		die("at most 16M flows (client addresses are 16.0.0.0/8)");

	eal[neal++] = argv[0];
	if (sep < argc) {
		for (int i = sep + 1; i < argc && neal < 30; i++)
			eal[neal++] = argv[i];
	} else {
		static char *def[] = { "-l", "1", "--no-huge", "-m", "3072", "--no-pci",
			"--no-shconf", "--log-level", "lib.eal:error" };

		for (unsigned int i = 0; i < RTE_DIM(def); i++)
			eal[neal++] = def[i];
		snprintf(prefix, sizeof(prefix), "--file-prefix=bench_l4_%d", (int)getpid());
		eal[neal++] = prefix;
	}
	eal[neal] = NULL;
	if (rte_eal_init(neal, eal) < 0)
		die("EAL init failed: %s", rte_strerror(rte_errno));
	B.hz = rte_get_tsc_hz();
	setup_ports();
	B.gen = gw_gen_domain_create("bl4", 1);
	if (B.gen == NULL || gw_gen_reader_register(B.gen, 0) != 0)
		die("generation domain");
	publish();
	fprintf(stderr, "bench_l4: TSC %.3f GHz, %s, %u-byte frames, %u mbufs in flight, "
		"%u backends, %u SNAT addresses, %.1f s per run\n", (double)B.hz / 1e9,
		B.udp ? "UDP" : "TCP", B.size, B.inflight, B.n_backends, B.n_snat, B.secs);

	for (unsigned int round = 1; round <= B.rounds; round++) {
		char *buf = NULL;
		size_t blen = 0;
		FILE *o = open_memstream(&buf, &blen);

		fprintf(stderr, "round %u of %u\n", round, B.rounds);
		B.check_errors = 0;
		B.first_error[0] = '\0';
		fprintf(o, "{\"bench\":\"l4\",\"round\":%u,\"of\":%u,\"proto\":\"%s\",\"tsc_hz\":%" PRIu64
			",\"inflight\":%u,\"backends\":%u,\"snat_addresses\":%u,\"run_s\":%.2f",
			round, B.rounds, B.udp ? "udp" : "tcp", B.hz, B.inflight, B.n_backends, B.n_snat,
			B.secs);
		if (B.run_fwd || B.run_rev)
			bench_established(o, "est", B.flows, RTE_MAX(65536u, B.flows));
		if (B.run_new) {
			/* The default l4.max_flows, then the large table. */
			bench_new(o, "new", 65536);
			if (B.new_cap > 65536)
				bench_new(o, "new_big", B.new_cap);
		}
		if (B.run_big && B.big_flows != 0)
			bench_established(o, "big", B.big_flows, B.big_flows);
		if (B.run_table)
			bench_table(o);
		fprintf(o, ",\"check_errors\":%" PRIu64 ",\"first_check_error\":\"%s\"}\n",
			B.check_errors, B.first_error);
		fclose(o);
		fputs(buf, stdout);
		fflush(stdout);
		free(buf);
	}
	gw_gen_reader_unregister(B.gen, 0);
	return B.check_errors != 0 ? 3 : 0;
}
