/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the whole packet path of one worker (parse, ARP, ND,
 * ICMP/ICMPv6 echo, neighbour resolution, output) under ASan and UBSan.
 *
 * LLVMFuzzerInitialize() starts EAL once (no hugepages, no PCI, one
 * lcore), makes two ports out of rte_rings with rte_eth_from_rings(),
 * compiles a generation from a fixed configuration with gw_compile(),
 * publishes it and creates a worker polled from this thread, registered as
 * RCU reader 0 (as tests/unit do).
 *
 * The generation also holds L4 services (TCP 80 and UDP 53 on both VIPs,
 * load balanced to the peer 10.77.1.2 / fd00:77:1::2, with 10.77.2.5 /
 * fd00:77:2::5 of weight 0 beside it), so frames to a VIP start NAT'd flows and
 * frames to a port address in the SNAT range look up flows' replies.
 *
 * The input is one raw Ethernet frame (the same corpus as fuzz_pkt),
 * received on port 0 twice:
 *   1. in an external buffer exactly the frame's size, fenced by ASan
 *      poison, so AddressSanitizer reports any access past the frame by any
 *      handler (mbuf data rooms are DPDK memory that ASan does not see into);
 *   2. in an ordinary pool mbuf with headroom and tailroom, so replies
 *      built by appending (ND advertisements) are exercised too.
 * After each gw_worker_poll() everything the worker transmitted is taken
 * off the TX rings and checked: it is a frame gw_pkt_parse() accepts, sent
 * from the port's MAC, and ICMP/ICMPv6 checksums verify; a TCP or UDP
 * segment sent for an input whose own checksum was right (NAT rewrites
 * update it incrementally) or built by us (resets) verifies too. Then mbuf
 * accounting is checked: every mbuf not on a ring is held by the
 * neighbour table, so a leak or a double free shows up within 64 inputs.
 *
 * Worker state (neighbour table) persists across inputs, as in the daemon;
 * time is a virtual clock advancing 1 ms per input so that ageing and
 * retransmission run deterministically with the input sequence.
 * FUZZ_WORKER_VERBOSE=1 prints the counters each input moved.
 * FUZZ_WORKER_IGNORE=id,... turns the checks of known, reported bugs into
 * counts printed at exit, so that a fuzzing session can look past them
 * (ids: see known_bugs[]; tests/fuzz/crashes/README.md lists the bugs).
 * Replays never set it.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_eth_ring.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <sanitizer/asan_interface.h>

#include "config.h"
#include "compile.h"
#include "gw_dp.h"
#include "gw_gen.h"
#include "gw_pkt.h"
#include "gw_stats.h"
#include "gw_worker.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_worker: %s:%d: check failed: %s\n", __FILE__,        \
				__LINE__, #cond);                                                  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define N_PORTS       2
#define RING_SIZE     1024
#define POOL_SIZE     8191
#define MAX_FRAME     9216 /* jumbo; larger frames no port would deliver */
#define ACCOUNT_EVERY 64

/* The seeds in corpus/pkt are built for these (tests/fuzz/corpus/README.md). */
static const char fuzz_conf[] =
	"ports = ( { name = \"p0\"; device = \"net_ring_fz0\";\n"
	"            addresses = [ \"10.77.1.1/24\", \"fd00:77:1::1/64\" ]; },\n"
	"          { name = \"p1\"; device = \"net_ring_fz1\";\n"
	"            addresses = [ \"10.77.2.1/24\", \"fd00:77:2::1/64\" ]; } );\n"
	"routes = ( { prefix = \"0.0.0.0/0\"; via = \"10.77.1.254\"; },\n"
	"           { prefix = \"::/0\"; via = \"fd00:77:1::fe\"; } );\n"
	"vips = [ \"10.77.1.10\", \"fd00:77:1::10\" ];\n"
	"workers = { lcores = \"1\"; idle_sleep_us = 0; };\n";

static const struct rte_ether_addr port_mac[N_PORTS] = {
	{.addr_bytes = {0x02, 0x00, 0x00, 0x77, 0x01, 0x01}},
	{.addr_bytes = {0x02, 0x00, 0x00, 0x77, 0x02, 0x01}},
};

/* Checks of known bugs that FUZZ_WORKER_IGNORE may downgrade to counts. */
enum known_bug {
	BUG_NS_EXT_HDR, /* NA built from an NS with extension headers is malformed */
	BUG_ZERO_MAC,   /* frames sent to MAC 00:00:00:00:00:00 learnt from ARP/ND */
	BUG_MAX
};

static const char *const known_bugs[BUG_MAX] = {
	[BUG_NS_EXT_HDR] = "ns-ext-hdr",
	[BUG_ZERO_MAC] = "zero-mac",
};

/* Everything below is reachable from globals, so LeakSanitizer is quiet. */
static struct {
	struct rte_mempool *pool;
	struct rte_ring *rx[N_PORTS], *tx[N_PORTS];
	uint16_t port_id[N_PORTS];
	struct gw_config *cfg;
	struct gw_dp *dp;
	struct gw_gen_domain *gen;
	struct gw_worker *w;
	struct gw_neigh_info *dump;
	uint64_t now, tick;
	uint64_t inputs;
	bool verbose;
	bool ignore[BUG_MAX];
	uint64_t ignored[BUG_MAX];
	bool input_is_ns_ext; /* the current input is an NS behind extension headers */
	bool input_l4_ok;     /* the current input is TCP/UDP with a right checksum */
	uint64_t rst_before;  /* l4_rst_tx before the current input */
} fz;

/* A known bug's check: fatal unless FUZZ_WORKER_IGNORE names it. */
#define CHECK_KNOWN(bug, cond)                                                                     \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			if (fz.ignore[bug]) {                                                      \
				fz.ignored[bug]++;                                                 \
				return;                                                            \
			}                                                                          \
			fprintf(stderr,                                                            \
				"fuzz_worker: known bug %s (FUZZ_WORKER_IGNORE=%s skips it)\n",    \
				known_bugs[bug], known_bugs[bug]);                                 \
			CHECK(cond);                                                               \
		}                                                                                  \
	} while (0)

/*
 * Exact-size external buffers. A frame of up to SLOT_FRAME bytes lives in
 * a slot of a static arena that is poisoned for AddressSanitizer except
 * for the frame's own bytes (to the byte: ASan tracks partial granules),
 * so any access before or past the frame is reported without a malloc per
 * input (libFuzzer re-runs every input whose mallocs and frees do not
 * balance, which held packets would make slow). Larger frames get malloc()
 * with the same effect; held packets keep theirs across inputs, referenced
 * only from DPDK memory, which LeakSanitizer does not scan: the list keeps
 * them reachable.
 */
#define SLOT_SIZE  2048
#define SLOT_GUARD 64
#define SLOT_FRAME (SLOT_SIZE - 2 * SLOT_GUARD)
#define N_SLOTS    4096

static uint8_t arena[N_SLOTS][SLOT_SIZE] __rte_aligned(64);
static struct rte_mbuf_ext_shared_info slot_shinfo[N_SLOTS];
static uint16_t free_slot[N_SLOTS];
static unsigned int n_free_slots;

struct fz_ext {
	struct rte_mbuf_ext_shared_info shinfo;
	struct fz_ext *prev, *next;
	uint8_t *buf;
};

static struct fz_ext ext_list = {.prev = &ext_list, .next = &ext_list};

static void
slots_init(void)
{
	for (unsigned int i = 0; i < N_SLOTS; i++)
		free_slot[i] = (uint16_t)(N_SLOTS - 1 - i);
	n_free_slots = N_SLOTS;
	ASAN_POISON_MEMORY_REGION(arena, sizeof(arena));
}

static void
slot_free(void *addr, void *opaque)
{
	uintptr_t i = (uintptr_t)opaque;

	CHECK(i < N_SLOTS && addr == arena[i] + SLOT_GUARD);
	ASAN_POISON_MEMORY_REGION(arena[i], SLOT_SIZE);
	free_slot[n_free_slots++] = (uint16_t)i;
}

static void
ext_free(void *addr, void *opaque)
{
	struct fz_ext *x = opaque;

	CHECK(addr == x->buf);
	x->prev->next = x->next;
	x->next->prev = x->prev;
	free(x->buf);
	free(x);
}

static struct rte_mbuf *
frame_ext(const uint8_t *data, size_t size)
{
	struct rte_mbuf_ext_shared_info *shinfo;
	struct rte_mbuf *m = rte_pktmbuf_alloc(fz.pool);
	uint8_t *buf;

	if (m == NULL)
		return NULL;
	if (size <= SLOT_FRAME && n_free_slots > 0) {
		uint16_t i = free_slot[--n_free_slots];

		buf = arena[i] + SLOT_GUARD;
		ASAN_UNPOISON_MEMORY_REGION(buf, size);
		shinfo = &slot_shinfo[i];
		shinfo->free_cb = slot_free;
		shinfo->fcb_opaque = (void *)(uintptr_t)i;
	} else {
		struct fz_ext *x = calloc(1, sizeof(*x));

		if (x == NULL || (x->buf = malloc(size)) == NULL) {
			free(x);
			rte_pktmbuf_free(m);
			return NULL;
		}
		x->next = ext_list.next;
		x->prev = &ext_list;
		ext_list.next->prev = x;
		ext_list.next = x;
		buf = x->buf;
		shinfo = &x->shinfo;
		shinfo->free_cb = ext_free;
		shinfo->fcb_opaque = x;
	}
	memcpy(buf, data, size);
	rte_mbuf_ext_refcnt_set(shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, buf, (rte_iova_t)(uintptr_t)buf, (uint16_t)size, shinfo);
	m->data_off = 0;
	m->data_len = (uint16_t)size;
	m->pkt_len = (uint32_t)size;
	return m;
}

static struct rte_mbuf *
frame_pool(const uint8_t *data, size_t size)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fz.pool);
	char *p;

	if (m == NULL)
		return NULL;
	p = rte_pktmbuf_append(m, (uint16_t)size);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(p, data, size);
	return m;
}

/* TCP/UDP checksum of a parsed frame verifies (IPv4 UDP without one counts as right). */
static bool
l4_cksum_ok(const uint8_t *d, const struct gw_pkt *p)
{
	if (p->ip_version == 4) {
		const struct rte_ipv4_hdr *ip = (const void *)(d + p->l3_off);
		uint32_t sum;

		if (p->l4_proto == IPPROTO_UDP && p->l4_len >= 8 &&
				d[p->l4_off + 6] == 0 && d[p->l4_off + 7] == 0)
			return true;
		sum = gw_cksum_partial(&ip->src_addr, 8, 0);
		sum += rte_cpu_to_be_16(p->l4_proto) + rte_cpu_to_be_16(p->l4_len);
		return gw_cksum_finish(gw_cksum_partial(d + p->l4_off, p->l4_len, sum)) == 0;
	}
	return gw_cksum_ipv6_l4((const void *)(d + p->l3_off), d + p->l4_off, p->l4_len,
		p->l4_proto) == 0;
}

/* A frame the worker sent: well formed, from us, checksums right. */
static void
check_tx(uint16_t port, struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ether_hdr *eth = (const void *)d;
	struct gw_pkt p;
	int rc;

	CHECK(m->nb_segs == 1 && m->pkt_len == m->data_len);
	CHECK(m->data_len >= sizeof(*eth));
	CHECK(rte_is_same_ether_addr(&eth->src_addr, &port_mac[port]));
	CHECK_KNOWN(BUG_ZERO_MAC, !rte_is_zero_ether_addr(&eth->dst_addr));
	if (fz.input_is_ns_ext) {
		/* The advertisement answering it is known to be malformed. */
		if (fz.ignore[BUG_NS_EXT_HDR]) {
			fz.ignored[BUG_NS_EXT_HDR]++;
			return;
		}
		fprintf(stderr, "fuzz_worker: answering an NS behind extension headers: known "
				"bug ns-ext-hdr (FUZZ_WORKER_IGNORE=ns-ext-hdr skips it)\n");
	}
	rc = gw_pkt_parse(d, m->data_len, 0, &p);
	if (rc != 0)
		fprintf(stderr, "fuzz_worker: sent a frame the parser drops as %s\n",
			gw_stats_name((enum gw_cnt)rc));
	CHECK(rc == 0);
	if (p.ip_version == 4 && p.l4_proto == IPPROTO_ICMP)
		CHECK(gw_cksum_finish(gw_cksum_partial(d + p.l4_off, p.l4_len, 0)) == 0);
	if (p.ip_version == 6 && p.l4_proto == GW_PKT_IPPROTO_ICMPV6)
		CHECK(gw_cksum_ipv6_l4((const void *)(d + p.l3_off), d + p.l4_off, p.l4_len,
			      GW_PKT_IPPROTO_ICMPV6) == 0);
	if ((p.l4_proto == IPPROTO_TCP || p.l4_proto == IPPROTO_UDP) && p.ip_version != 0) {
		/* A reset we built (not one forwarded) has a checksum of its own. */
		bool rst = p.l4_proto == IPPROTO_TCP && p.l4_len >= 20 &&
			(d[p.l4_off + 13] & 0x04) != 0 &&
			fz.w->stats.c[GW_CNT_l4_rst_tx] != fz.rst_before;

		if (fz.input_l4_ok || rst)
			CHECK(l4_cksum_ok(d, &p));
	}
	/* No trailing bytes past the IP packet on what we send. */
	if (p.ip_version != 0)
		CHECK((uint32_t)p.l4_off + p.l4_len == m->data_len);
}

static void
drain_tx(void)
{
	struct rte_mbuf *m;

	for (uint16_t port = 0; port < N_PORTS; port++) {
		while (rte_ring_dequeue(fz.tx[port], (void **)&m) == 0) {
			check_tx(port, m);
			rte_pktmbuf_free(m);
		}
	}
}

/* Every mbuf not back in the pool is held by the neighbour table. */
static void
check_accounting(void)
{
	uint32_t n = gw_neigh_dump(fz.w->neigh, fz.now, fz.dump, 1u << 16);
	uint64_t held = 0;

	for (uint32_t i = 0; i < n; i++)
		held += fz.dump[i].held;
	if (held != rte_mempool_in_use_count(fz.pool))
		fprintf(stderr,
			"fuzz_worker: %u mbufs in use, %" PRIu64 " held by %u "
			"neighbours\n",
			rte_mempool_in_use_count(fz.pool), held, n);
	CHECK(held == rte_mempool_in_use_count(fz.pool));
}

static void
run_frame(struct rte_mbuf *m)
{
	struct gw_stats before = {{0}};

	if (m == NULL)
		return;
	{
		const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
		struct gw_pkt p;

		fz.input_l4_ok = gw_pkt_parse(d, m->data_len, 0, &p) == 0 && p.ip_version != 0 &&
			(p.l4_proto == IPPROTO_TCP || p.l4_proto == IPPROTO_UDP) &&
			l4_cksum_ok(d, &p);
		fz.rst_before = fz.w->stats.c[GW_CNT_l4_rst_tx];
	}
	m->port = fz.port_id[0];
	if (fz.verbose)
		before = fz.w->stats;
	CHECK(rte_ring_enqueue(fz.rx[0], m) == 0);
	fz.now += fz.tick;
	CHECK(gw_worker_poll(fz.w, fz.now) == 1);
	gw_gen_quiescent(fz.gen, 0);
	drain_tx();
	if (fz.verbose) {
		for (int i = 0; i < GW_CNT_MAX; i++)
			if (fz.w->stats.c[i] != before.c[i])
				fprintf(stderr, "  %s +%" PRIu64 "\n",
					gw_stats_name((enum gw_cnt)i),
					fz.w->stats.c[i] - before.c[i]);
	}
}

static int
ring_port(unsigned int i)
{
	struct rte_eth_conf conf;
	char name[RTE_RING_NAMESIZE];
	int port;

	memset(&conf, 0, sizeof(conf));
	snprintf(name, sizeof(name), "fz_rx%u", i);
	fz.rx[i] = rte_ring_create(name, RING_SIZE, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "fz_tx%u", i);
	fz.tx[i] = rte_ring_create(name, RING_SIZE, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (fz.rx[i] == NULL || fz.tx[i] == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "net_ring_fz%u", i);
	port = rte_eth_from_rings(name, &fz.rx[i], 1, &fz.tx[i], 1, 0);
	if (port < 0)
		return -rte_errno;
	if (rte_eth_dev_configure((uint16_t)port, 1, 1, &conf) != 0 ||
		rte_eth_rx_queue_setup((uint16_t)port, 0, RING_SIZE, 0, NULL, fz.pool) != 0 ||
		rte_eth_tx_queue_setup((uint16_t)port, 0, RING_SIZE, 0, NULL) != 0 ||
		rte_eth_dev_start((uint16_t)port) != 0)
		return -EIO;
	fz.port_id[i] = (uint16_t)port;
	return 0;
}

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

static void
fuzz_cleanup(void)
{
	for (int i = 0; i < BUG_MAX; i++)
		if (fz.ignore[i])
			fprintf(stderr, "fuzz_worker: known bug %s: %" PRIu64 " frame(s) ignored\n",
				known_bugs[i], fz.ignored[i]);
	drain_tx();
	if (fz.w != NULL) {
		gw_gen_reader_unregister(fz.gen, 0);
		gw_worker_free(fz.w);
	}
	gw_gen_domain_free(fz.gen);
	free(fz.cfg);
	free(fz.dump);
	remove_runtime_dir();
}

/* L4 services: TCP 80 and UDP 53 on both VIPs (see the top comment). */
static int
add_l4_services(struct gw_dp *dp)
{
	static struct gw_lb_endpoint ep4[2], ep6[2];
	struct gw_lb_service_spec specs[4];
	struct gw_lb_table *t;
	struct gw_dp_gateway *part;
	char err[256];

	memset(specs, 0, sizeof(specs));
	inet_pton(AF_INET, "10.77.1.2", ep4[0].addr);
	inet_pton(AF_INET, "10.77.2.5", ep4[1].addr);
	inet_pton(AF_INET6, "fd00:77:1::2", ep6[0].addr);
	inet_pton(AF_INET6, "fd00:77:2::5", ep6[1].addr);
	for (int i = 0; i < 2; i++) {
		ep4[i].family = AF_INET;
		ep6[i].family = AF_INET6;
		ep4[i].port = ep6[i].port = 8080;
		ep4[i].weight = ep6[i].weight = i == 0 ? 1 : 0; /* 10.77.2.5 drains */
	}
	for (int i = 0; i < 4; i++) {
		specs[i].id = (uint32_t)i;
		specs[i].name = "fuzz/gw/l4";
		specs[i].proto = (i & 1) ? IPPROTO_UDP : IPPROTO_TCP;
		specs[i].family = i < 2 ? AF_INET : AF_INET6;
		inet_pton(specs[i].family, i < 2 ? "10.77.1.10" : "fd00:77:1::10", specs[i].vip);
		specs[i].port = (i & 1) ? 53 : 80;
		specs[i].maglev_size = 251;
		specs[i].n_endpoints = 2;
		specs[i].endpoints = i < 2 ? ep4 : ep6;
	}
	t = gw_lb_table_build(specs, 4, err, sizeof(err));
	if (t == NULL) {
		fprintf(stderr, "fuzz_worker: L4 table: %s\n", err);
		return -1;
	}
	part = gw_dp_gateway_new(1, NULL, t);
	if (part == NULL)
		return -1;
	gw_dp_set_gateway(dp, part);
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[64];
	char *eal[] = {"fuzz_worker", "-l", "0", "--no-huge", "-m", "256", "--no-shconf",
		"--no-pci", "--no-telemetry", "--log-level=error", "--file-prefix", prefix, NULL};
	struct gw_worker_conf wc;
	char err[GW_CFG_ERR_LEN];
	const char *v;

	(void)argc;
	(void)argv;
	v = getenv("FUZZ_WORKER_VERBOSE");
	fz.verbose = v != NULL && v[0] == '1';
	v = getenv("FUZZ_WORKER_IGNORE");
	for (int i = 0; v != NULL && i < BUG_MAX; i++) {
		size_t n = strlen(known_bugs[i]);

		for (const char *s = strstr(v, known_bugs[i]); s != NULL;
			s = strstr(s + 1, known_bugs[i]))
			if ((s == v || s[-1] == ',') && (s[n] == '\0' || s[n] == ','))
				fz.ignore[i] = true;
	}
	snprintf(prefix, sizeof(prefix), "fuzz%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "fuzz_worker: EAL init failed: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	slots_init();
	fz.pool = rte_pktmbuf_pool_create("fz_pool", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	CHECK(fz.pool != NULL);
	for (unsigned int i = 0; i < N_PORTS; i++)
		CHECK(ring_port(i) == 0);

	fz.cfg = malloc(sizeof(*fz.cfg));
	CHECK(fz.cfg != NULL);
	if (gw_config_load_string(fuzz_conf, "fuzz_worker.conf", fz.cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_worker: %s\n", err);
		exit(1);
	}
	fz.dp = gw_compile(fz.cfg, 0, err, sizeof(err));
	if (fz.dp == NULL) {
		fprintf(stderr, "fuzz_worker: compile: %s\n", err);
		exit(1);
	}
	CHECK(add_l4_services(fz.dp) == 0);
	fz.gen = gw_gen_domain_create("fuzz", 1);
	CHECK(fz.gen != NULL);
	CHECK(gw_gen_publish(fz.gen, &fz.dp->gen) > 0);

	memset(&wc, 0, sizeof(wc));
	wc.id = 0;
	wc.lcore = rte_lcore_id();
	wc.socket = 0;
	wc.n_ports = N_PORTS;
	wc.pool = fz.pool;
	wc.gen = fz.gen;
	wc.neigh_capacity = 1024;
	for (unsigned int i = 0; i < N_PORTS; i++) {
		wc.ports[i].port_id = fz.port_id[i];
		wc.ports[i].mtu = 1500;
		wc.ports[i].mac = port_mac[i];
	}
	fz.w = gw_worker_create(&wc);
	CHECK(fz.w != NULL);
	CHECK(gw_gen_reader_register(fz.gen, 0) == 0);
	fz.dump = calloc(1u << 16, sizeof(*fz.dump));
	CHECK(fz.dump != NULL);
	fz.tick = rte_get_tsc_hz() / 1000;
	fz.now = rte_get_tsc_hz();
	atexit(fuzz_cleanup);
	return 0;
}

/* An NS behind IPv6 extension headers (BUG_NS_EXT_HDR). */
static bool
is_ns_ext(const uint8_t *data, size_t size)
{
	struct gw_pkt p;

	return gw_pkt_parse(data, (uint32_t)size, 0, &p) == 0 && p.ip_version == 6 &&
	       p.l4_proto == GW_PKT_IPPROTO_ICMPV6 && p.l3_len > sizeof(struct rte_ipv6_hdr) &&
	       data[p.l4_off] == 135;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size > MAX_FRAME)
		return 0;
	fz.input_is_ns_ext = is_ns_ext(data, size);
	run_frame(frame_ext(data, size));
	if (size <= RTE_MBUF_DEFAULT_DATAROOM)
		run_frame(frame_pool(data, size));
	if (++fz.inputs % ACCOUNT_EVERY == 0)
		check_accounting();
	return 0;
}
