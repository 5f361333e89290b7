/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where backend replies land, with two workers on one port of two queues
 * (a net_ring port with two RX and two TX rings). The test plays the NIC:
 * each frame goes to the RX queue its RSS would pick.
 *
 *  - predictable RSS: the port's key and redirection table are known to
 *    the workers (struct gw_port_rss), and the "NIC" spreads with the same
 *    Toeplitz hash. SNAT ports are chosen so that every reply reaches its
 *    owner: no handoff at all.
 *  - unpredictable spreading (af_packet's kernel fanout, or an RSS dpgw
 *    could not read back): the "NIC" uses a key the workers do not know.
 *    About half of the replies reach the other worker and are handed to
 *    the owner over its ring; every one is still translated.
 *
 * Client SYNs go to the queue of the client tuple (the owner is whoever
 * receives the SYN, design.md §1); replies are SYN-ACKs from the backend.
 * Last, client segments that reach the wrong worker (af_packet rollover).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_tcp.h>
#include <rte_thash.h>

#include "gw_test_eal.h"
#include "gw_worker.h"
#include "compile.h"
#include "config.h"

#define NQ 2
#define FLOWS 200

static const char conf[] =
	"ports = ( { name = \"p0\"; device = \"net_ring0\"; addresses = [ \"10.77.1.1/24\" ]; } );\n"
	"vips = [ \"10.77.1.10\" ];\n"
	"workers = { lcores = \"1,2\"; };\n";

static const struct rte_ether_addr port_mac = { { 0x02, 0, 0, 0, 0, 0x10 } };
static const struct rte_ether_addr peer_mac = { { 0x02, 0, 0, 0, 0, 0x20 } };

static struct {
	struct rte_mempool *pool;
	struct rte_ring *rx[NQ], *tx[NQ];
	uint16_t port_id;
	struct gw_gen_domain *gen;
	struct gw_worker *w[NQ];
	struct gw_port_rss rss;         /* what the workers are told */
	uint8_t nic_key[40];            /* what the "NIC" hashes with */
	uint64_t now;
} env;

static uint16_t
nic_queue(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	struct rte_ipv4_tuple t = {
		.src_addr = rte_be_to_cpu_32(src), .dst_addr = rte_be_to_cpu_32(dst),
		.sport = rte_be_to_cpu_16(sport), .dport = rte_be_to_cpu_16(dport),
	};

	return env.rss.reta[rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, env.nic_key) %
		env.rss.reta_size];
}

static struct rte_mbuf *
frame(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint8_t flags)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(env.pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *tcp;

	assert_non_null(m);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*ip) +
		sizeof(*tcp));
	assert_non_null(eth);
	memset(eth, 0, m->data_len);
	eth->dst_addr = port_mac;
	eth->src_addr = peer_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*tcp));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = src;
	ip->dst_addr = dst;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	tcp = (struct rte_tcp_hdr *)(ip + 1);
	tcp->src_port = sport;
	tcp->dst_port = dport;
	tcp->sent_seq = rte_cpu_to_be_32(1000);
	tcp->recv_ack = flags & RTE_TCP_ACK_FLAG ? rte_cpu_to_be_32(1001) : 0;
	tcp->data_off = 5 << 4;
	tcp->tcp_flags = flags;
	tcp->rx_win = rte_cpu_to_be_16(65535);
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	return m;
}

/* Give the frame to RX queue @q and let both workers run. */
static void
nic_rx(struct rte_mbuf *m, uint16_t q)
{
	assert_int_equal(rte_ring_enqueue(env.rx[q], m), 0);
	env.now += 1000;
	for (int i = 0; i < NQ; i++) {
		gw_worker_poll(env.w[i], env.now);
		gw_gen_quiescent(env.gen, env.w[i]->id);
	}
	/* A handed-over packet is served on the owner's next iteration. */
	for (int i = 0; i < NQ; i++) {
		gw_worker_poll(env.w[i], env.now);
		gw_gen_quiescent(env.gen, env.w[i]->id);
	}
}

/* Take one TCP frame off the TX rings (NULL if none). */
static struct rte_mbuf *
tx_take(void)
{
	void *m;

	for (int i = 0; i < NQ; i++)
		if (rte_ring_dequeue(env.tx[i], &m) == 0)
			return m;
	return NULL;
}

static void
drain(void)
{
	struct rte_mbuf *m;

	while ((m = tx_take()) != NULL)
		rte_pktmbuf_free(m);
}

static int
setup(void **state)
{
	static struct gw_config cfg;
	struct rte_eth_conf ec = { 0 };
	struct gw_lb_endpoint ep = { .family = AF_INET, .port = 8080, .weight = 1 };
	struct gw_lb_service_spec spec = {
		.id = 1, .name = "t/gw/tcp", .proto = IPPROTO_TCP, .family = AF_INET, .port = 80,
		.maglev_size = 251, .n_endpoints = 1, .endpoints = &ep,
	};
	struct gw_worker_conf wc = { .n_ports = 1, .neigh_capacity = 64, .max_flows = 1024 };
	char err[512];
	struct gw_dp *dp;
	struct gw_lb_table *t;
	int rc;

	(void)state;
	if (gw_test_eal_init(1) != 0)
		return -1;
	env.pool = rte_pktmbuf_pool_create("st_pool", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (env.pool == NULL)
		return -1;
	for (int i = 0; i < NQ; i++) {
		char name[32];

		snprintf(name, sizeof(name), "st_rx%d", i);
		env.rx[i] = rte_ring_create(name, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "st_tx%d", i);
		env.tx[i] = rte_ring_create(name, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	}
	rc = rte_eth_from_rings("st_port", env.rx, NQ, env.tx, NQ, 0);
	if (rc < 0)
		return -1;
	env.port_id = (uint16_t)rc;
	if (rte_eth_dev_configure(env.port_id, NQ, NQ, &ec) != 0)
		return -1;
	for (uint16_t q = 0; q < NQ; q++)
		if (rte_eth_rx_queue_setup(env.port_id, q, 256, 0, NULL, env.pool) != 0 ||
				rte_eth_tx_queue_setup(env.port_id, q, 256, 0, NULL) != 0)
			return -1;
	if (rte_eth_dev_start(env.port_id) != 0)
		return -1;

	if (gw_config_load_string(conf, "steer.conf", &cfg, err, sizeof(err)) != 0 ||
			(dp = gw_compile(&cfg, 0, err, sizeof(err))) == NULL) {
		print_error("%s\n", err);
		return -1;
	}
	inet_pton(AF_INET, "10.77.1.3", ep.addr);
	inet_pton(AF_INET, "10.77.1.10", spec.vip);
	t = gw_lb_table_build(&spec, 1, err, sizeof(err));
	if (t == NULL)
		return -1;
	gw_dp_set_gateway(dp, gw_dp_gateway_new(1, NULL, t));
	env.gen = gw_gen_domain_create("st", NQ);
	gw_gen_publish(env.gen, &dp->gen);

	/* A symmetric key (what dpgw programs) and a RETA spreading over both queues. */
	env.rss.key_len = 40;
	for (int i = 0; i < 40; i++)
		env.rss.key[i] = (i & 1) ? 0x5a : 0x6d;
	env.rss.reta_size = 128;
	for (int i = 0; i < 128; i++)
		env.rss.reta[i] = (uint16_t)(i % NQ);

	wc.pool = env.pool;
	wc.gen = env.gen;
	wc.ports[0].port_id = env.port_id;
	wc.ports[0].mac = port_mac;
	wc.ports[0].mtu = 1500;
	for (unsigned int i = 0; i < NQ; i++) {
		wc.id = i;
		env.w[i] = gw_worker_create(&wc);
		if (env.w[i] == NULL || gw_gen_reader_register(env.gen, i) != 0)
			return -1;
	}
	gw_worker_link(env.w, NQ);
	env.now = 1000000000000ull;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NQ; i++) {
		gw_gen_reader_unregister(env.gen, i);
		gw_worker_free(env.w[i]);
	}
	gw_gen_domain_free(env.gen);
	return 0;
}

/* Both workers learn the peer's MAC for the client and the backend address. */
static void
teach_neighbours(void)
{
	uint32_t tip, sip[2];

	inet_pton(AF_INET, "10.77.1.1", &tip);
	inet_pton(AF_INET, "10.77.1.2", &sip[0]);
	inet_pton(AF_INET, "10.77.1.3", &sip[1]);
	for (uint16_t q = 0; q < NQ; q++) {
		for (int i = 0; i < 2; i++) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(env.pool);
			struct rte_ether_hdr *eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
				sizeof(*eth) + sizeof(struct rte_arp_hdr));
			struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

			memset(eth->dst_addr.addr_bytes, 0xff, 6);
			eth->src_addr = peer_mac;
			eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
			arp->arp_hardware = rte_cpu_to_be_16(1);
			arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
			arp->arp_hlen = 6;
			arp->arp_plen = 4;
			arp->arp_opcode = rte_cpu_to_be_16(1);
			arp->arp_data.arp_sha = peer_mac;
			arp->arp_data.arp_sip = sip[i];
			memset(&arp->arp_data.arp_tha, 0, 6);
			arp->arp_data.arp_tip = tip;
			nic_rx(m, q);
		}
	}
	drain();
}

static uint64_t
sum(enum gw_cnt c)
{
	uint64_t n = 0;

	for (int i = 0; i < NQ; i++)
		n += env.w[i]->stats.c[c];
	return n;
}

/*
 * Open FLOWS connections from 10.77.1.2 (one source port each) and answer
 * each NAT'd SYN with a SYN-ACK from the backend, each frame on the queue
 * the "NIC" picks. Returns the handoffs it took.
 */
static uint64_t
run_flows(uint16_t first_port)
{
	uint32_t client, vip;
	uint64_t ho0 = sum(GW_CNT_l4_handoff_tx), rev0 = sum(GW_CNT_l4_rev_packets);

	inet_pton(AF_INET, "10.77.1.2", &client);
	inet_pton(AF_INET, "10.77.1.10", &vip);
	for (uint16_t i = 0; i < FLOWS; i++) {
		uint16_t cport = rte_cpu_to_be_16((uint16_t)(first_port + i));
		uint16_t vport = rte_cpu_to_be_16(80);
		struct rte_mbuf *out;
		struct rte_ipv4_hdr *ip;
		struct rte_tcp_hdr *tcp;
		uint32_t s, d;
		uint16_t sp, dp;

		nic_rx(frame(client, vip, cport, vport, RTE_TCP_SYN_FLAG),
			nic_queue(client, vip, cport, vport));
		out = tx_take();
		assert_non_null(out);
		ip = rte_pktmbuf_mtod_offset(out, struct rte_ipv4_hdr *,
			sizeof(struct rte_ether_hdr));
		tcp = (struct rte_tcp_hdr *)(ip + 1);
		/* The backend answers: SNAT'd SYN reversed. */
		s = ip->dst_addr;
		d = ip->src_addr;
		sp = tcp->dst_port;
		dp = tcp->src_port;
		rte_pktmbuf_free(out);
		nic_rx(frame(s, d, sp, dp, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG),
			nic_queue(s, d, sp, dp));
		out = tx_take();
		assert_non_null(out);
		rte_pktmbuf_free(out);
		drain();
	}
	assert_int_equal(sum(GW_CNT_l4_rev_packets) - rev0, FLOWS);
	return sum(GW_CNT_l4_handoff_tx) - ho0;
}

static void
test_predictable_rss_no_handoff(void **state)
{
	uint64_t ho;

	(void)state;
	memcpy(env.nic_key, env.rss.key, 40);
	for (int i = 0; i < NQ; i++)
		env.w[i]->ports[0].rss = &env.rss;
	teach_neighbours();
	ho = run_flows(20000);
	print_message("predictable RSS: %" PRIu64 " handoffs for %d replies\n", ho, FLOWS);
	assert_int_equal(ho, 0);
	/* Both workers owned flows: the client side was spread too. */
	assert_true(env.w[0]->stats.c[GW_CNT_l4_flow_new] > 0);
	assert_true(env.w[1]->stats.c[GW_CNT_l4_flow_new] > 0);
}

static void
test_unpredictable_spread_hands_over(void **state)
{
	uint64_t ho, rx0 = sum(GW_CNT_l4_handoff_rx);

	(void)state;
	/* A key the workers do not know: replies land by chance. */
	for (int i = 0; i < 40; i++)
		env.nic_key[i] = (uint8_t)(i * 37 + 11);
	for (int i = 0; i < NQ; i++)
		env.w[i]->ports[0].rss = NULL;
	teach_neighbours();
	ho = run_flows(30000);
	print_message("unpredictable spreading: %" PRIu64 " handoffs for %d replies\n", ho,
		FLOWS);
	/* About half: far from 0 and from all of them. */
	assert_true(ho > FLOWS / 5 && ho < FLOWS * 4 / 5);
	assert_int_equal(sum(GW_CNT_l4_handoff_rx) - rx0, ho);
	assert_int_equal(sum(GW_CNT_drop_handoff_full), 0);
}

/*
 * A client segment that reaches the worker not holding its flow (af_packet
 * rolls packets over to another socket when one is full) is passed to the
 * next worker and forwarded there; one of no flow at all visits every
 * worker once and is dropped.
 */
static void
test_stray_client_segment(void **state)
{
	uint32_t client, vip;
	uint16_t cport = rte_cpu_to_be_16(41000), vport = rte_cpu_to_be_16(80), q;
	uint64_t stray0 = sum(GW_CNT_l4_stray_tx), fwd0 = sum(GW_CNT_l4_fwd_packets);
	uint64_t nf0 = sum(GW_CNT_drop_l4_no_flow);
	struct rte_mbuf *out;

	(void)state;
	inet_pton(AF_INET, "10.77.1.2", &client);
	inet_pton(AF_INET, "10.77.1.10", &vip);
	q = nic_queue(client, vip, cport, vport);
	nic_rx(frame(client, vip, cport, vport, RTE_TCP_SYN_FLAG), q);
	drain();
	/* The ACK lands on the other queue. */
	nic_rx(frame(client, vip, cport, vport, RTE_TCP_ACK_FLAG), (uint16_t)(1 - q));
	out = tx_take();
	assert_non_null(out);
	rte_pktmbuf_free(out);
	assert_int_equal(sum(GW_CNT_l4_stray_tx) - stray0, 1);
	assert_int_equal(sum(GW_CNT_l4_fwd_packets) - fwd0, 2);
	assert_int_equal(sum(GW_CNT_drop_l4_no_flow) - nf0, 0);
	/* No flow anywhere: one pass, then dropped. */
	cport = rte_cpu_to_be_16(41001);
	nic_rx(frame(client, vip, cport, vport, RTE_TCP_ACK_FLAG), 0);
	assert_null(tx_take());
	assert_int_equal(sum(GW_CNT_l4_stray_tx) - stray0, 2);
	assert_int_equal(sum(GW_CNT_drop_l4_no_flow) - nf0, 1);
}

/*
 * A port with TCP checksum offload: the NAT'd segment leaves with the
 * pseudo-header sum in its checksum field and the offload flags set, for
 * the NIC to finish (net_ring does not).
 */
static void
test_checksum_offload(void **state)
{
	uint32_t client, vip;
	uint16_t cport = rte_cpu_to_be_16(42000), vport = rte_cpu_to_be_16(80);
	uint64_t saved[NQ];
	struct rte_mbuf *out;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *tcp;

	(void)state;
	inet_pton(AF_INET, "10.77.1.2", &client);
	inet_pton(AF_INET, "10.77.1.10", &vip);
	for (int i = 0; i < NQ; i++) {
		saved[i] = env.w[i]->ports[0].tx_offloads;
		env.w[i]->ports[0].tx_offloads = RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	}
	nic_rx(frame(client, vip, cport, vport, RTE_TCP_SYN_FLAG),
		nic_queue(client, vip, cport, vport));
	out = tx_take();
	assert_non_null(out);
	ip = rte_pktmbuf_mtod_offset(out, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	tcp = (struct rte_tcp_hdr *)(ip + 1);
	assert_true(out->ol_flags & RTE_MBUF_F_TX_TCP_CKSUM);
	assert_true(out->ol_flags & RTE_MBUF_F_TX_IPV4);
	assert_true(out->ol_flags & RTE_MBUF_F_TX_IP_CKSUM);
	assert_int_equal(out->l2_len, sizeof(struct rte_ether_hdr));
	assert_int_equal(out->l3_len, sizeof(struct rte_ipv4_hdr));
	/* The pseudo-header of the rewritten addresses, left for the NIC. */
	assert_int_equal(tcp->cksum, rte_ipv4_phdr_cksum(ip, out->ol_flags));
	{
		uint32_t be;

		inet_pton(AF_INET, "10.77.1.3", &be);
		assert_int_equal(ip->dst_addr, be);
		assert_int_equal(tcp->dst_port, rte_cpu_to_be_16(8080));
	}
	rte_pktmbuf_free(out);
	drain();
	for (int i = 0; i < NQ; i++)
		env.w[i]->ports[0].tx_offloads = saved[i];
}

/*
 * One burst holding a new connection's SYN and its next segment: the
 * burst's bulk lookup missed both, the SYN creates the flow, and the
 * second segment must look again and find it (not be dropped as having
 * no flow, nor start a second flow).
 */
static void
test_burst_syn_then_segment(void **state)
{
	uint32_t client, vip;
	uint16_t cport = rte_cpu_to_be_16(43000), vport = rte_cpu_to_be_16(80), q;
	uint64_t new0 = sum(GW_CNT_l4_flow_new), fwd0 = sum(GW_CNT_l4_fwd_packets);
	uint64_t nf0 = sum(GW_CNT_drop_l4_no_flow);
	int out = 0;

	(void)state;
	inet_pton(AF_INET, "10.77.1.2", &client);
	inet_pton(AF_INET, "10.77.1.10", &vip);
	q = nic_queue(client, vip, cport, vport);
	assert_int_equal(rte_ring_enqueue(env.rx[q], frame(client, vip, cport, vport,
		RTE_TCP_SYN_FLAG)), 0);
	assert_int_equal(rte_ring_enqueue(env.rx[q], frame(client, vip, cport, vport,
		RTE_TCP_ACK_FLAG)), 0);
	nic_rx(frame(client, vip, cport, vport, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG), q);
	for (struct rte_mbuf *m; (m = tx_take()) != NULL; out++)
		rte_pktmbuf_free(m);
	assert_int_equal(out, 3);
	assert_int_equal(sum(GW_CNT_l4_flow_new) - new0, 1);
	assert_int_equal(sum(GW_CNT_l4_fwd_packets) - fwd0, 3);
	assert_int_equal(sum(GW_CNT_drop_l4_no_flow) - nf0, 0);
}

/*
 * An ICMP error from the client's side (port unreachable, quoting a
 * segment we sent from the VIP) reaching the worker that does not hold
 * the flow: passed on, translated by the owner and sent to the backend
 * from the SNAT address.
 */
static void
test_stray_client_icmp_error(void **state)
{
	uint32_t client, vip, be;
	uint16_t cport = rte_cpu_to_be_16(44000), vport = rte_cpu_to_be_16(80), q;
	uint64_t tr0 = sum(GW_CNT_l4_icmp_translated), stray0 = sum(GW_CNT_l4_stray_tx);
	uint8_t buf[128] __rte_aligned(8);
	struct rte_mbuf *m, *out;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip, *iip;
	struct rte_icmp_hdr *icmp;
	struct rte_tcp_hdr *itcp;
	uint16_t len = sizeof(*eth) + 2 * sizeof(*ip) + sizeof(*icmp) + 8;
	char *d;

	(void)state;
	inet_pton(AF_INET, "10.77.1.2", &client);
	inet_pton(AF_INET, "10.77.1.10", &vip);
	inet_pton(AF_INET, "10.77.1.3", &be);
	q = nic_queue(client, vip, cport, vport);
	nic_rx(frame(client, vip, cport, vport, RTE_TCP_SYN_FLAG), q);
	drain();
	memset(buf, 0, sizeof(buf));
	eth->dst_addr = port_mac;
	eth->src_addr = peer_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(len - sizeof(*eth));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = client;
	ip->dst_addr = vip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	icmp->icmp_type = 3;
	icmp->icmp_code = 3;
	iip = (struct rte_ipv4_hdr *)(icmp + 1);
	iip->version_ihl = 0x45;
	iip->total_length = rte_cpu_to_be_16(40);
	iip->time_to_live = 64;
	iip->next_proto_id = IPPROTO_TCP;
	iip->src_addr = vip;
	iip->dst_addr = client;
	iip->hdr_checksum = rte_ipv4_cksum(iip);
	itcp = (struct rte_tcp_hdr *)(iip + 1);
	itcp->src_port = vport;
	itcp->dst_port = cport;
	icmp->icmp_cksum = ~rte_raw_cksum(icmp, len - sizeof(*eth) - sizeof(*ip));
	m = rte_pktmbuf_alloc(env.pool);
	assert_non_null(m);
	d = rte_pktmbuf_append(m, len);
	assert_non_null(d);
	memcpy(d, buf, len);
	nic_rx(m, (uint16_t)(1 - q));
	out = tx_take();
	assert_non_null(out);
	ip = rte_pktmbuf_mtod_offset(out, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	assert_int_equal(ip->next_proto_id, IPPROTO_ICMP);
	assert_int_equal(ip->dst_addr, be);
	iip = (struct rte_ipv4_hdr *)((uint8_t *)(ip + 1) + sizeof(struct rte_icmp_hdr));
	assert_int_equal(iip->src_addr, be);
	assert_int_equal(iip->dst_addr, ip->src_addr);
	rte_pktmbuf_free(out);
	drain();
	assert_int_equal(sum(GW_CNT_l4_icmp_translated) - tr0, 1);
	assert_int_equal(sum(GW_CNT_l4_stray_tx) - stray0, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_predictable_rss_no_handoff),
		cmocka_unit_test(test_unpredictable_spread_hands_over),
		cmocka_unit_test(test_stray_client_segment),
		cmocka_unit_test(test_checksum_offload),
		cmocka_unit_test(test_burst_syn_then_segment),
		cmocka_unit_test(test_stray_client_icmp_error),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
