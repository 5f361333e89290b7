/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L2/L3 services of a worker: ARP, IPv6 neighbour discovery, ICMP and
 * ICMPv6 echo for our addresses, and the output path (route, neighbour,
 * Ethernet header, checksum offload or software checksum) for everything
 * the gateway sends. Per-packet outcomes are counters, never logs.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_icmp.h>

#include "gw_worker.h"
#include "gw_pkt.h"
#include "gw_l3.h"

void gw_worker_neigh_share(struct gw_worker *w, const struct gw_neigh_key *k,
	const struct rte_ether_addr *mac, unsigned int flags);
void gw_worker_release_held(struct gw_worker *w, uint16_t port, const struct rte_ether_addr *mac,
	struct rte_mbuf **held, int n);

#define ARP_HRD_ETHER 1
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

#define ND_RS 133
#define ND_RA 134
#define ND_NS 135
#define ND_NA 136
#define ND_OPT_SLLA 1
#define ND_OPT_TLLA 2
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define NA_FLAG_SOLICITED 0x40
#define NA_FLAG_OVERRIDE 0x20

/* Neighbour solicitation / advertisement body (after type, code, cksum). */
struct nd_msg {
	uint8_t type;
	uint8_t code;
	uint16_t cksum;
	uint8_t flags;          /* NA only; reserved in NS */
	uint8_t reserved[3];
	uint8_t target[16];
} __rte_packed;

struct nd_opt_lla {
	uint8_t type;
	uint8_t len;            /* 1 = 8 bytes */
	struct rte_ether_addr mac;     /* 2-byte aligned at offset 2: no padding */
};

static const uint8_t ip6_unspec[16];
static const uint8_t ip6_all_nodes[16] = { 0xff, 0x02, [15] = 1 };

/*
 * Learn from a received message (GW_NEIGH_F_* @flags). Answers are shared
 * with the other workers, one of which may be the one that asked; what a
 * request taught us stays here (the others ask themselves if they need it).
 */
static void
learn(struct gw_worker *w, uint16_t port, int family, const void *ip,
	const struct rte_ether_addr *mac, unsigned int flags)
{
	struct gw_neigh_key k = { .port = port, .family = (uint8_t)family };
	struct rte_mbuf *held[GW_NEIGH_HOLD];
	int n;

	memcpy(k.ip, ip, family == AF_INET ? 4 : 16);
	n = gw_neigh_update(w->neigh, &k, mac, w->now, flags, held);
	if (n < 0) {
		GW_CNT_INC(&w->stats, drop_neigh_table_full);
		return;
	}
	if (n > 0)
		gw_worker_release_held(w, port, mac, held, n);
	if (!(flags & GW_NEIGH_F_CREATE))
		gw_worker_neigh_share(w, &k, mac, flags);
}

/* Fill IPv4 header checksum, by the NIC when it offers it. */
static void
ipv4_finish(struct gw_worker *w, uint16_t port, struct rte_mbuf *m, struct rte_ipv4_hdr *ip)
{
	ip->hdr_checksum = 0;
	if (w->ports[port].tx_offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) {
		m->l2_len = sizeof(struct rte_ether_hdr);
		m->l3_len = (uint16_t)rte_ipv4_hdr_len(ip);
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	} else {
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
}

/*
 * Send @m (Ethernet header in place, IP header final) out @port toward the
 * neighbour in @k: neighbour resolution, MAC addresses, IPv4 checksum.
 * Consumes @m. True when it went out or waits for its next hop.
 */
bool
gw_worker_send_via(struct gw_worker *w, struct rte_mbuf *m, struct gw_neigh_key *k)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	int rc;

	eth->src_addr = w->ports[k->port].mac;
	if (k->family == AF_INET)
		ipv4_finish(w, k->port, m, (struct rte_ipv4_hdr *)(eth + 1));
	rc = gw_neigh_resolve(w->neigh, k, w->now, m, &eth->dst_addr);
	if (rc == GW_NEIGH_SEND) {
		gw_worker_tx(w, k->port, m);
		return true;
	}
	if (rc == GW_NEIGH_HELD) {
		GW_CNT_INC(&w->stats, neigh_held);
		return true;
	}
	gw_worker_drop(w, m, rc == -ENOBUFS ? GW_CNT_drop_neigh_hold_full :
		GW_CNT_drop_neigh_table_full);
	return false;
}

/*
 * Send @m to @dst through the route table: the one output path for what
 * the gateway originates. True when it went out or waits for its next hop;
 * false when it was dropped (counted).
 */
bool
gw_worker_send_ip(struct gw_worker *w, struct rte_mbuf *m, int family, const void *dst)
{
	struct gw_neigh_key k = { .family = (uint8_t)family };

	if (gw_l3_route_lookup(w->dp->l3, family, dst, &k.port, k.ip) < 0) {
		gw_worker_drop(w, m, GW_CNT_drop_no_route);
		return false;
	}
	return gw_worker_send_via(w, m, &k);
}

/* ---- ARP ---- */

static struct rte_mbuf *
alloc_frame(struct gw_worker *w, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->pool);

	if (m == NULL) {
		GW_CNT_INC(&w->stats, drop_no_mbuf);
		return NULL;
	}
	if (rte_pktmbuf_append(m, len) == NULL) {
		rte_pktmbuf_free(m);
		GW_CNT_INC(&w->stats, drop_no_mbuf);
		return NULL;
	}
	memset(rte_pktmbuf_mtod(m, void *), 0, len);
	return m;
}

static void
arp_solicit(struct gw_worker *w, const struct gw_neigh_key *k)
{
	uint8_t src[16];
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	struct rte_mbuf *m;

	if (gw_l3_source(w->dp->l3, k->port, AF_INET, k->ip, src) < 0) {
		GW_CNT_INC(&w->stats, drop_no_route);
		return;
	}
	m = alloc_frame(w, sizeof(*eth) + sizeof(*arp));
	if (m == NULL)
		return;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = w->ports[k->port].mac;
	eth->ether_type = rte_cpu_to_be_16(GW_PKT_ETH_P_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = rte_cpu_to_be_16(ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(ARP_OP_REQUEST);
	arp->arp_data.arp_sha = w->ports[k->port].mac;
	memcpy(&arp->arp_data.arp_sip, src, 4);
	memcpy(&arp->arp_data.arp_tip, k->ip, 4);
	GW_CNT_INC(&w->stats, arp_request_tx);
	gw_worker_tx(w, k->port, m);
}

/*
 * ARP senders (RFC 1122 §3.2.1.3): a multicast, broadcast, loopback or
 * "this network" address, or one of our own, is never believed. A valid
 * sender is learnt only when it is on this port's subnets; others (a host
 * asking from an address behind a router, as Linux does with the packet's
 * source) get their answer but are reached through the route table.
 */
static bool
arp_sender_valid(struct gw_worker *w, uint32_t sip)
{
	const uint8_t *b = (const uint8_t *)&sip;

	if (b[0] == 0 || b[0] == 127 || b[0] >= 224)
		return false;
	return gw_l3_local_lookup(w->dp->l3, AF_INET, &sip, NULL) == GW_L3_NOT_LOCAL;
}

static void
handle_arp(struct gw_worker *w, uint16_t port, struct rte_mbuf *m, const struct gw_pkt *p)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, p->l3_off);
	struct rte_arp_ipv4 *d = &arp->arp_data;
	uint16_t op = rte_be_to_cpu_16(arp->arp_opcode);
	uint32_t sip = d->arp_sip, tip = d->arp_tip;
	enum gw_l3_local_kind kind;
	uint16_t lport = 0;

	if (arp->arp_hardware != rte_cpu_to_be_16(ARP_HRD_ETHER) ||
			arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
			arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4 ||
			(op != ARP_OP_REQUEST && op != ARP_OP_REPLY) ||
			!rte_is_valid_assigned_ether_addr(&d->arp_sha) ||
			rte_is_same_ether_addr(&d->arp_sha, &w->ports[port].mac)) {
		gw_worker_drop(w, m, GW_CNT_drop_arp_malformed);
		return;
	}
	if (sip != 0 && !arp_sender_valid(w, sip)) {
		gw_worker_drop(w, m, GW_CNT_drop_arp_bad_sender);
		return;
	}
	kind = gw_l3_local_lookup(w->dp->l3, AF_INET, &tip, &lport);
	/* Port addresses are answered on their own port only; VIPs on every port. */
	if (kind == GW_L3_PORT_ADDR && lport != port)
		kind = GW_L3_NOT_LOCAL;
	if (op == ARP_OP_REPLY || sip == tip) {
		/* Replies and gratuitous ARP refresh what we already asked for. */
		if (sip != 0 && gw_l3_onlink(w->dp->l3, port, AF_INET, &sip))
			learn(w, port, AF_INET, &sip, &d->arp_sha, GW_NEIGH_F_OVERRIDE |
				(op == ARP_OP_REPLY ? GW_NEIGH_F_SOLICITED : 0));
		if (op == ARP_OP_REPLY) {
			GW_CNT_INC(&w->stats, arp_reply_rx);
			rte_pktmbuf_free(m);
		} else {
			gw_worker_drop(w, m, kind == GW_L3_NOT_LOCAL ? GW_CNT_drop_arp_not_for_us :
				GW_CNT_drop_arp_malformed);
		}
		return;
	}
	if (kind == GW_L3_NOT_LOCAL) {
		gw_worker_drop(w, m, GW_CNT_drop_arp_not_for_us);
		return;
	}
	GW_CNT_INC(&w->stats, arp_request_rx);
	/* A request to us tells us the sender (RFC 826); probes (sip 0) do not. */
	if (sip != 0 && gw_l3_onlink(w->dp->l3, port, AF_INET, &sip))
		learn(w, port, AF_INET, &sip, &d->arp_sha,
			GW_NEIGH_F_CREATE | GW_NEIGH_F_OVERRIDE);
	arp->arp_opcode = rte_cpu_to_be_16(ARP_OP_REPLY);
	d->arp_tha = d->arp_sha;
	d->arp_tip = sip;
	d->arp_sha = w->ports[port].mac;
	d->arp_sip = tip;
	eth->dst_addr = d->arp_tha;
	eth->src_addr = w->ports[port].mac;
	GW_CNT_INC(&w->stats, arp_reply_tx);
	gw_worker_tx(w, port, m);
}

/* ---- IPv4 ---- */

static void
handle_ipv4(struct gw_worker *w, uint16_t port, struct rte_mbuf *m, const struct gw_pkt *p)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, p->l3_off);
	struct rte_icmp_hdr *icmp;
	uint32_t tmp;

	enum gw_l3_local_kind kind;

	/* TCP and UDP find their flow before the local-address lookup. */
	if (likely(p->l4_proto == IPPROTO_TCP || p->l4_proto == IPPROTO_UDP)) {
		gw_l4_input(w, port, m, p);
		return;
	}
	kind = gw_l3_local_lookup(w->dp->l3, AF_INET, &ip->dst_addr, NULL);
	if (kind == GW_L3_NOT_LOCAL) {
		gw_worker_drop(w, m, GW_CNT_drop_not_for_us);
		return;
	}
	if (p->l4_proto != IPPROTO_ICMP) {
		gw_worker_drop(w, m, GW_CNT_drop_no_listener);
		return;
	}
	icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, p->l4_off);
	if (p->l4_len >= sizeof(*icmp) && (icmp->icmp_type == 3 || icmp->icmp_type == 11)) {
		gw_l4_icmp_error(w, port, m, p, kind);
		return;
	}
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0 ||
			p->l4_len < sizeof(*icmp)) {
		gw_worker_drop(w, m, GW_CNT_drop_icmp_unhandled);
		return;
	}
	if (gw_cksum_finish(gw_cksum_partial(icmp, p->l4_len, 0)) != 0) {
		gw_worker_drop(w, m, GW_CNT_drop_l4_bad_cksum);
		return;
	}
	/* Drop Ethernet padding so the reply is exactly the request's size. */
	gw_worker_trim_to_ip(m, p);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = gw_cksum_update16(icmp->icmp_cksum,
		rte_cpu_to_be_16(RTE_IP_ICMP_ECHO_REQUEST << 8),
		rte_cpu_to_be_16(RTE_IP_ICMP_ECHO_REPLY << 8));
	tmp = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tmp;
	ip->time_to_live = 64;
	ip->fragment_offset = 0;
	gw_worker_reuse_rx(m);
	if (gw_worker_send_ip(w, m, AF_INET, &ip->dst_addr))
		GW_CNT_INC(&w->stats, icmp_echo_tx);
}

/* ---- IPv6: ND and echo ---- */

static bool
is_solicited_node_of_ours(const struct gw_l3 *l3, const uint8_t *dst)
{
	static const uint8_t prefix[13] = { 0xff, 0x02, [11] = 1, [12] = 0xff };

	/* The target is checked afterwards; here only the group's shape. */
	(void)l3;
	return memcmp(dst, prefix, 13) == 0;
}

/* Walk ND options: -1 if malformed; else the link-layer address option of @want (or NULL). */
static int
nd_find_lla(const uint8_t *opt, uint32_t len, uint8_t want, const struct rte_ether_addr **lla)
{
	*lla = NULL;
	while (len > 0) {
		uint32_t olen;

		if (len < 2)
			return -1;
		olen = (uint32_t)opt[1] * 8;
		/* RFC 4861 §4.6: a zero length option is invalid. */
		if (olen == 0 || olen > len)
			return -1;
		if (opt[0] == want && olen >= 8) {
			*lla = (const struct rte_ether_addr *)(opt + 2);
			/* Never learn, or answer to, a zero or group address. */
			if (!rte_is_valid_assigned_ether_addr(*lla))
				return -1;
		}
		opt += olen;
		len -= olen;
	}
	return 0;
}

static void
nd_solicit(struct gw_worker *w, const struct gw_neigh_key *k)
{
	const size_t len = sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv6_hdr) +
		sizeof(struct nd_msg) + sizeof(struct nd_opt_lla);
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip6;
	struct nd_msg *ns;
	struct nd_opt_lla *opt;
	struct rte_mbuf *m;
	uint8_t src[16];

	if (gw_l3_source(w->dp->l3, k->port, AF_INET6, k->ip, src) < 0) {
		GW_CNT_INC(&w->stats, drop_no_route);
		return;
	}
	m = alloc_frame(w, (uint16_t)len);
	if (m == NULL)
		return;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	ns = (struct nd_msg *)(ip6 + 1);
	opt = (struct nd_opt_lla *)(ns + 1);
	/* Solicited-node multicast group ff02::1:ffXX:XXXX and its MAC 33:33:ff:XX:XX:XX. */
	memset(ip6->dst_addr, 0, 16);
	ip6->dst_addr[0] = 0xff;
	ip6->dst_addr[1] = 0x02;
	ip6->dst_addr[11] = 0x01;
	ip6->dst_addr[12] = 0xff;
	memcpy(&ip6->dst_addr[13], &k->ip[13], 3);
	eth->dst_addr.addr_bytes[0] = 0x33;
	eth->dst_addr.addr_bytes[1] = 0x33;
	memcpy(&eth->dst_addr.addr_bytes[2], &ip6->dst_addr[12], 4);
	eth->src_addr = w->ports[k->port].mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(sizeof(*ns) + sizeof(*opt));
	ip6->proto = GW_PKT_IPPROTO_ICMPV6;
	ip6->hop_limits = 255;
	memcpy(ip6->src_addr, src, 16);
	ns->type = ND_NS;
	memcpy(ns->target, k->ip, 16);
	opt->type = ND_OPT_SLLA;
	opt->len = 1;
	opt->mac = w->ports[k->port].mac;
	ns->cksum = gw_cksum_ipv6_l4(ip6, ns, sizeof(*ns) + sizeof(*opt), GW_PKT_IPPROTO_ICMPV6);
	GW_CNT_INC(&w->stats, nd_ns_tx);
	gw_worker_tx(w, k->port, m);
}

static bool
is_link_local6(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/*
 * An NS source we answer and learn: not ours, and on this link (link-local,
 * or on one of this port's connected subnets).
 */
static bool
nd_sender_ok(struct gw_worker *w, uint16_t port, const uint8_t *src)
{
	if (gw_l3_local_lookup(w->dp->l3, AF_INET6, src, NULL) != GW_L3_NOT_LOCAL)
		return false;
	return is_link_local6(src) || gw_l3_onlink(w->dp->l3, port, AF_INET6, src);
}

static void
handle_ns(struct gw_worker *w, uint16_t port, struct rte_mbuf *m, const struct gw_pkt *p,
	struct rte_ipv6_hdr *ip6, struct nd_msg *ns)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const struct rte_ether_addr *slla;
	struct rte_ether_addr sender;
	struct nd_opt_lla *opt;
	enum gw_l3_local_kind kind;
	uint16_t lport = 0;
	bool dad = memcmp(ip6->src_addr, ip6_unspec, 16) == 0;

	if (nd_find_lla((const uint8_t *)(ns + 1), p->l4_len - sizeof(*ns), ND_OPT_SLLA,
			&slla) < 0 || ns->target[0] == 0xff || (dad && slla != NULL) ||
			(dad && !is_solicited_node_of_ours(w->dp->l3, ip6->dst_addr))) {
		gw_worker_drop(w, m, GW_CNT_drop_nd_malformed);
		return;
	}
	kind = gw_l3_local_lookup(w->dp->l3, AF_INET6, ns->target, &lport);
	if (kind == GW_L3_PORT_ADDR && lport != port)
		kind = GW_L3_NOT_LOCAL;
	if (kind == GW_L3_NOT_LOCAL) {
		gw_worker_drop(w, m, GW_CNT_drop_nd_not_for_us);
		return;
	}
	if (!dad && !nd_sender_ok(w, port, ip6->src_addr)) {
		gw_worker_drop(w, m, GW_CNT_drop_nd_bad_sender);
		return;
	}
	/* Without an SLLA option the answer goes to the frame's source. */
	if (!dad && slla == NULL && !rte_is_valid_assigned_ether_addr(&eth->src_addr)) {
		gw_worker_drop(w, m, GW_CNT_drop_nd_malformed);
		return;
	}
	GW_CNT_INC(&w->stats, nd_ns_rx);
	if (slla != NULL)
		learn(w, port, AF_INET6, ip6->src_addr, slla,
			GW_NEIGH_F_CREATE | GW_NEIGH_F_OVERRIDE);
	/* The reply's TLLA option overwrites the SLLA option: keep the sender now. */
	sender = slla != NULL ? *slla : eth->src_addr;
	/*
	 * Reply in place: NA with our target link-layer address (RFC 4861
	 * §7.2.4), as plain IPv6: extension headers the NS carried are dropped
	 * by moving the message up behind the fixed header.
	 */
	if (p->l4_off != p->l3_off + sizeof(*ip6)) {
		struct nd_msg *to = (struct nd_msg *)(ip6 + 1);

		memmove(to, ns, sizeof(*ns));
		ns = to;
	}
	rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - p->l3_off - sizeof(*ip6) - sizeof(*ns)));
	opt = (struct nd_opt_lla *)rte_pktmbuf_append(m, sizeof(*opt));
	if (opt == NULL) {
		gw_worker_drop(w, m, GW_CNT_drop_no_mbuf);
		return;
	}
	opt->type = ND_OPT_TLLA;
	opt->len = 1;
	opt->mac = w->ports[port].mac;
	ns->type = ND_NA;
	ns->code = 0;
	ns->flags = NA_FLAG_OVERRIDE | (dad ? 0 : NA_FLAG_SOLICITED);
	memset(ns->reserved, 0, sizeof(ns->reserved));
	memcpy(ip6->dst_addr, dad ? ip6_all_nodes : ip6->src_addr, 16);
	memcpy(ip6->src_addr, ns->target, 16);
	ip6->hop_limits = 255;
	ip6->payload_len = rte_cpu_to_be_16(sizeof(*ns) + sizeof(*opt));
	ip6->proto = GW_PKT_IPPROTO_ICMPV6;
	ns->cksum = 0;
	ns->cksum = gw_cksum_ipv6_l4(ip6, ns, sizeof(*ns) + sizeof(*opt), GW_PKT_IPPROTO_ICMPV6);
	if (dad) {
		eth->dst_addr.addr_bytes[0] = 0x33;
		eth->dst_addr.addr_bytes[1] = 0x33;
		memcpy(&eth->dst_addr.addr_bytes[2], &ip6_all_nodes[12], 4);
	} else {
		eth->dst_addr = sender;
	}
	eth->src_addr = w->ports[port].mac;
	gw_worker_reuse_rx(m);
	GW_CNT_INC(&w->stats, nd_na_tx);
	gw_worker_tx(w, port, m);
}

static void
handle_na(struct gw_worker *w, uint16_t port, struct rte_mbuf *m, const struct gw_pkt *p,
	struct rte_ipv6_hdr *ip6, struct nd_msg *na)
{
	const struct rte_ether_addr *tlla;

	if (nd_find_lla((const uint8_t *)(na + 1), p->l4_len - sizeof(*na), ND_OPT_TLLA,
			&tlla) < 0 || na->target[0] == 0xff ||
			((na->flags & NA_FLAG_SOLICITED) && ip6->dst_addr[0] == 0xff)) {
		gw_worker_drop(w, m, GW_CNT_drop_nd_malformed);
		return;
	}
	GW_CNT_INC(&w->stats, nd_na_rx);
	/*
	 * An NA creates nothing (§7.2.5); one without a TLLA option cannot
	 * give a link-layer address, so it teaches us nothing on Ethernet.
	 */
	if (tlla != NULL)
		learn(w, port, AF_INET6, na->target, tlla,
			((na->flags & NA_FLAG_SOLICITED) ? GW_NEIGH_F_SOLICITED : 0) |
			((na->flags & NA_FLAG_OVERRIDE) ? GW_NEIGH_F_OVERRIDE : 0));
	rte_pktmbuf_free(m);
}

static void
handle_ipv6(struct gw_worker *w, uint16_t port, struct rte_mbuf *m, const struct gw_pkt *p)
{
	struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, p->l3_off);
	uint8_t *l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, p->l4_off);
	bool mcast = ip6->dst_addr[0] == 0xff;
	enum gw_l3_local_kind kind = GW_L3_NOT_LOCAL;
	uint8_t tmp[16];

	if (likely(p->l4_proto == IPPROTO_TCP || p->l4_proto == IPPROTO_UDP)) {
		gw_l4_input(w, port, m, p);
		return;
	}
	if (!mcast) {
		kind = gw_l3_local_lookup(w->dp->l3, AF_INET6, ip6->dst_addr, NULL);
		if (kind == GW_L3_NOT_LOCAL) {
			gw_worker_drop(w, m, GW_CNT_drop_not_for_us);
			return;
		}
	}
	if (p->l4_proto != GW_PKT_IPPROTO_ICMPV6) {
		gw_worker_drop(w, m, mcast ? GW_CNT_drop_not_for_us : GW_CNT_drop_no_listener);
		return;
	}
	if (gw_cksum_ipv6_l4(ip6, l4, p->l4_len, GW_PKT_IPPROTO_ICMPV6) != 0) {
		gw_worker_drop(w, m, GW_CNT_drop_l4_bad_cksum);
		return;
	}
	switch (l4[0]) {
	case 1: /* destination unreachable */
	case 2: /* packet too big */
	case 3: /* time exceeded */
		if (mcast || p->l4_len < 8)
			break;
		gw_l4_icmp_error(w, port, m, p, kind);
		return;
	case ND_NS:
	case ND_NA:
		/* RFC 4861 §7.1: hop limit 255 proves the sender is on-link. */
		if (ip6->hop_limits != 255 || l4[1] != 0 || p->l4_len < sizeof(struct nd_msg)) {
			gw_worker_drop(w, m, GW_CNT_drop_nd_malformed);
			return;
		}
		if (l4[0] == ND_NS)
			handle_ns(w, port, m, p, ip6, (struct nd_msg *)l4);
		else
			handle_na(w, port, m, p, ip6, (struct nd_msg *)l4);
		return;
	case ICMP6_ECHO_REQUEST:
		if (mcast || l4[1] != 0 || p->l4_len < 8)
			break;
		/* Only ND may come from the unspecified address. */
		if (memcmp(ip6->src_addr, ip6_unspec, 16) == 0) {
			gw_worker_drop(w, m, GW_CNT_drop_ipv6_bad_src);
			return;
		}
		gw_worker_trim_to_ip(m, p);
		l4[0] = ICMP6_ECHO_REPLY;
		memcpy(tmp, ip6->src_addr, 16);
		memcpy(ip6->src_addr, ip6->dst_addr, 16);
		memcpy(ip6->dst_addr, tmp, 16);
		ip6->hop_limits = 64;
		/* Extension headers (if any) stay; the pseudo-header is unchanged by the swap. */
		*(uint16_t *)(l4 + 2) = gw_cksum_update16(*(uint16_t *)(l4 + 2),
			rte_cpu_to_be_16(ICMP6_ECHO_REQUEST << 8),
			rte_cpu_to_be_16(ICMP6_ECHO_REPLY << 8));
		gw_worker_reuse_rx(m);
		/* Link-local destinations are on the receiving link, never routed. */
		if (is_link_local6(ip6->dst_addr)) {
			struct gw_neigh_key k = { .port = port, .family = AF_INET6 };

			memcpy(k.ip, ip6->dst_addr, 16);
			if (gw_worker_send_via(w, m, &k))
				GW_CNT_INC(&w->stats, icmp6_echo_tx);
			return;
		}
		if (gw_worker_send_ip(w, m, AF_INET6, ip6->dst_addr))
			GW_CNT_INC(&w->stats, icmp6_echo_tx);
		return;
	default:
		break;
	}
	gw_worker_drop(w, m, GW_CNT_drop_icmp_unhandled);
}

void
gw_worker_neigh_solicit(void *arg, const struct gw_neigh_key *k)
{
	struct gw_worker *w = arg;

	/* Called from resolve/age inside an iteration, so w->dp is valid. */
	if (w->dp == NULL)
		return;
	if (k->family == AF_INET)
		arp_solicit(w, k);
	else
		nd_solicit(w, k);
}

void
gw_worker_rx_one(struct gw_worker *w, uint16_t port, struct rte_mbuf *m)
{
	struct gw_pkt p;
	uint32_t hw = 0;
	int rc;

	/* rx_packets/rx_bytes and the MAC filter are done per burst by the caller. */
	/* Headers are parsed in place: make a chained frame flat (rare). */
	if (unlikely(m->nb_segs > 1) && rte_pktmbuf_linearize(m) != 0) {
		gw_worker_drop(w, m, GW_CNT_drop_no_mbuf);
		return;
	}
	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
		hw |= GW_PKT_HW_IP_CKSUM_GOOD;
	else if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		hw |= GW_PKT_HW_IP_CKSUM_BAD;
	rc = gw_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, hw, &p);
	if (unlikely(rc != 0)) {
		gw_worker_drop(w, m, (enum gw_cnt)rc);
		return;
	}
	gw_worker_rx_parsed(w, port, m, &p);
}

void
gw_worker_rx_parsed(struct gw_worker *w, uint16_t port, struct rte_mbuf *m, const struct gw_pkt *p)
{
	switch (p->ip_version) {
	case 4:
		handle_ipv4(w, port, m, p);
		return;
	case 6:
		handle_ipv6(w, port, m, p);
		return;
	default:
		handle_arp(w, port, m, p);
		return;
	}
}
