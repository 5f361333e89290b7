/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/pkt: gw_pkt_parse() over hand-built frames, and the checksum helpers.
 *
 * Each parser fixture is a description, a frame built from a small spec
 * (Ethernet + ARP / IPv4 / IPv6 with extension headers, with an optional
 * mutation and truncation), the hardware checksum flags, and the expected
 * verdict: 0 with every field of struct gw_pkt, or the exact drop counter.
 * Frames are parsed from a heap copy of exactly their length, so ASan
 * catches any read past the end. The checksum helpers are compared with
 * RFC 1071/1624 worked examples and with DPDK's own rte_ipv4_cksum and
 * rte_ipv6_udptcp_cksum on random input from a fixed seed. No EAL needed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "gw_pkt.h"

#define FRAME_MAX 1024
#define ETH_LEN   14
#define IP4_OFF   ETH_LEN
#define IP6_LEN   40

/* DPDK's RTE_IPV4() shifts an int: UB for a first byte >= 128. */
#define IP4(a, b, c, d) \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

enum { L3_NONE, L3_ARP, L3_V4, L3_V6 };

struct frame {
	uint8_t b[FRAME_MAX];
	uint32_t len;
};

/* One parser fixture. */
struct fx {
	const char *desc;
	int l3;                 /* L3_* */
	uint16_t ethertype;     /* 0: the one of @l3 (L3_NONE: 0 itself) */
	uint8_t dst_kind;       /* 0 unicast, 1 multicast, 2 broadcast MAC */
	uint8_t ihl;            /* IPv4 header words, 0: 5 */
	uint8_t proto;          /* IP protocol after any extension headers */
	uint16_t l4len;         /* L4 bytes counted by the IP length fields */
	uint8_t n_ext;          /* IPv6 extension headers */
	uint8_t ext[12][2];     /* { type, hdr_ext_len } */
	uint16_t pad;           /* bytes after the IP packet / ARP body */
	int cut;                /* > 0: frame truncated to this length; < 0: by this much */
	void (*mut)(struct frame *);
	uint32_t hw;
	int rc;
	struct gw_pkt want;     /* rc == 0 only */
};

static const uint8_t mac_us[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t mac_peer[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t mac_mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static const uint8_t ip6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
static const uint8_t ip6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

static struct rte_ipv4_hdr *
ip4_of(struct frame *f)
{
	return (struct rte_ipv4_hdr *)(f->b + IP4_OFF);
}

static struct rte_ipv6_hdr *
ip6_of(struct frame *f)
{
	return (struct rte_ipv6_hdr *)(f->b + IP4_OFF);
}

/* Recompute the IPv4 header checksum with DPDK's reference, not ours. */
static void
ip4_refix(struct frame *f)
{
	struct rte_ipv4_hdr *ip = ip4_of(f);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static void
build_arp(struct frame *f, const struct fx *x)
{
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(f->b + ETH_LEN);

	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(x->dst_kind == 2 ? RTE_ARP_OP_REQUEST : RTE_ARP_OP_REPLY);
	memcpy(&a->arp_data.arp_sha, mac_peer, 6);
	a->arp_data.arp_sip = rte_cpu_to_be_32(IP4(10, 0, 0, 2));
	a->arp_data.arp_tip = rte_cpu_to_be_32(IP4(10, 0, 0, 1));
	f->len = ETH_LEN + sizeof(*a);
}

static void
build_v4(struct frame *f, const struct fx *x)
{
	struct rte_ipv4_hdr *ip = ip4_of(f);
	uint32_t ihl = (x->ihl ? x->ihl : 5) * 4u;

	ip->version_ihl = (uint8_t)(0x40 | (ihl / 4));
	ip->total_length = rte_cpu_to_be_16((uint16_t)(ihl + x->l4len));
	ip->packet_id = rte_cpu_to_be_16(0x1234);
	ip->time_to_live = 64;
	ip->next_proto_id = x->proto;
	ip->src_addr = rte_cpu_to_be_32(IP4(10, 0, 0, 2));
	ip->dst_addr = rte_cpu_to_be_32(IP4(10, 0, 0, 1));
	/* Options: NOPs. */
	memset(f->b + IP4_OFF + sizeof(*ip), 1, ihl - sizeof(*ip));
	/* L4: a recognisable pattern, never parsed as lengths. */
	for (uint32_t i = 0; i < x->l4len; i++)
		f->b[IP4_OFF + ihl + i] = (uint8_t)(0xa0 + i);
	f->len = IP4_OFF + ihl + x->l4len;
	ip4_refix(f);
}

static void
build_v6(struct frame *f, const struct fx *x)
{
	struct rte_ipv6_hdr *ip6 = ip6_of(f);
	uint32_t off = IP4_OFF + IP6_LEN;
	uint8_t *prev_nh = &ip6->proto;

	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->hop_limits = 64;
	memcpy(ip6->src_addr, ip6_src, 16);
	memcpy(ip6->dst_addr, ip6_dst, 16);
	for (int i = 0; i < x->n_ext; i++) {
		uint32_t hlen = (x->ext[i][1] + 1u) * 8u;

		*prev_nh = x->ext[i][0];
		memset(f->b + off, 0, hlen);
		f->b[off + 1] = x->ext[i][1];
		/* PadN filling the options of hop-by-hop / destination options. */
		f->b[off + 2] = 1;
		f->b[off + 3] = (uint8_t)(hlen - 4);
		prev_nh = &f->b[off];
		off += hlen;
	}
	*prev_nh = x->proto;
	for (uint32_t i = 0; i < x->l4len; i++)
		f->b[off + i] = (uint8_t)(0xa0 + i);
	off += x->l4len;
	ip6->payload_len = rte_cpu_to_be_16((uint16_t)(off - IP4_OFF - IP6_LEN));
	f->len = off;
}

static void
build(struct frame *f, const struct fx *x)
{
	const uint8_t *dst = x->dst_kind == 2 ? mac_bcast : x->dst_kind == 1 ? mac_mcast : mac_us;
	uint16_t et = x->ethertype;

	memset(f, 0, sizeof(*f));
	if (et == 0 && x->l3 != L3_NONE)
		et = x->l3 == L3_ARP ? GW_PKT_ETH_P_ARP :
			x->l3 == L3_V4 ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6;
	memcpy(f->b, dst, 6);
	memcpy(f->b + 6, mac_peer, 6);
	f->b[12] = (uint8_t)(et >> 8);
	f->b[13] = (uint8_t)et;
	f->len = ETH_LEN;
	switch (x->l3) {
	case L3_ARP:
		build_arp(f, x);
		break;
	case L3_V4:
		build_v4(f, x);
		break;
	case L3_V6:
		build_v6(f, x);
		break;
	default:
		/* Something after the Ethernet header, so it is not a truncation. */
		f->len += 46;
		break;
	}
	/* Ethernet padding: zero bytes after the packet. */
	f->len += x->pad;
	if (x->mut != NULL)
		x->mut(f);
	if (x->cut > 0)
		f->len = (uint32_t)x->cut;
	else if (x->cut < 0)
		f->len -= (uint32_t)-x->cut;
	assert_true(f->len <= FRAME_MAX);
}

/* Parse from a heap copy of exactly f->len bytes. */
static int
parse_exact(const struct frame *f, uint32_t hw, struct gw_pkt *p)
{
	uint8_t *copy = malloc(f->len ? f->len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, f->b, f->len);
	rc = gw_pkt_parse(copy, f->len, hw, p);
	free(copy);
	return rc;
}

/* Mutations. Those that must get past the checksum check recompute it. */
static void
m_v4_version6(struct frame *f)
{
	ip4_of(f)->version_ihl = 0x65;
	ip4_refix(f);
}

static void
m_v4_version5(struct frame *f)
{
	ip4_of(f)->version_ihl = 0x55;
}

static void
m_ihl4(struct frame *f)
{
	ip4_of(f)->version_ihl = 0x44;
}

static void
m_ihl0(struct frame *f)
{
	ip4_of(f)->version_ihl = 0x40;
}

static void
m_ihl15(struct frame *f)
{
	ip4_of(f)->version_ihl = 0x4f;
}

static void
m_tot19(struct frame *f)
{
	ip4_of(f)->total_length = rte_cpu_to_be_16(19);
}

static void
m_tot20(struct frame *f)
{
	ip4_of(f)->total_length = rte_cpu_to_be_16(20);
}

static void
m_tot_plus1(struct frame *f)
{
	struct rte_ipv4_hdr *ip = ip4_of(f);

	ip->total_length = rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(ip->total_length) + 1));
	ip4_refix(f);
}

static void
m_cksum_plus1(struct frame *f)
{
	struct rte_ipv4_hdr *ip = ip4_of(f);

	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(ip->hdr_checksum) + 1));
}

static void
m_cksum_zero(struct frame *f)
{
	ip4_of(f)->hdr_checksum = 0;
}

/* A header byte changed after the checksum was computed. */
static void
m_ttl_changed(struct frame *f)
{
	ip4_of(f)->time_to_live--;
}

static void
m_opt_changed(struct frame *f)
{
	f->b[IP4_OFF + 21] = 0;
}

static void
m_frag(struct frame *f, uint16_t v)
{
	ip4_of(f)->fragment_offset = rte_cpu_to_be_16(v);
	ip4_refix(f);
}

static void
m_mf(struct frame *f)
{
	m_frag(f, 0x2000);
}

static void
m_off1(struct frame *f)
{
	m_frag(f, 0x0001);
}

static void
m_off_max(struct frame *f)
{
	m_frag(f, 0x1fff);
}

static void
m_mf_off(struct frame *f)
{
	m_frag(f, 0x2000 | 185);
}

static void
m_df(struct frame *f)
{
	m_frag(f, 0x4000);
}

static void
m_src(struct frame *f, uint32_t a)
{
	ip4_of(f)->src_addr = rte_cpu_to_be_32(a);
	ip4_refix(f);
}

static void
m_src_224(struct frame *f)
{
	m_src(f, IP4(224, 0, 0, 1));
}

static void
m_src_239(struct frame *f)
{
	m_src(f, IP4(239, 255, 255, 250));
}

static void
m_src_240(struct frame *f)
{
	m_src(f, IP4(240, 0, 0, 1));
}

static void
m_src_bcast(struct frame *f)
{
	m_src(f, IP4(255, 255, 255, 255));
}

static void
m_src_lo(struct frame *f)
{
	m_src(f, IP4(127, 0, 0, 1));
}

static void
m_src_lo_top(struct frame *f)
{
	m_src(f, IP4(127, 255, 255, 254));
}

/* Just below multicast and just off loopback: ordinary sources. */
static void
m_src_223(struct frame *f)
{
	m_src(f, IP4(223, 255, 255, 255));
}

static void
m_src_126(struct frame *f)
{
	m_src(f, IP4(126, 255, 255, 255));
}

static void
m_v6_version4(struct frame *f)
{
	ip6_of(f)->vtc_flow = rte_cpu_to_be_32(4u << 28);
}

static void
m_v6_src_mcast(struct frame *f)
{
	ip6_of(f)->src_addr[0] = 0xff;
	ip6_of(f)->src_addr[1] = 0x02;
}

static void
m_v6_plen_plus1(struct frame *f)
{
	struct rte_ipv6_hdr *ip6 = ip6_of(f);

	ip6->payload_len = rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(ip6->payload_len) + 1));
}

/* The first extension header claims 16 bytes more than the payload holds. */
static void
m_v6_ext_long(struct frame *f)
{
	f->b[IP4_OFF + IP6_LEN + 1] += 2;
}

/* Payload lengths shorter than the extension headers that follow. */
static void
m_v6_plen4(struct frame *f)
{
	ip6_of(f)->payload_len = rte_cpu_to_be_16(4);
}

static void
m_v6_plen8(struct frame *f)
{
	ip6_of(f)->payload_len = rte_cpu_to_be_16(8);
}

#define V4(...)  .l3 = L3_V4, __VA_ARGS__
#define V6(...)  .l3 = L3_V6, __VA_ARGS__
#define OK4(l4o, l4l, pr) \
	.rc = 0, .want = { .ethertype = RTE_ETHER_TYPE_IPV4, .l3_off = 14, .l4_off = (l4o), \
		.l3_len = (l4o) - 14, .l4_len = (l4l), .ip_version = 4, .l4_proto = (pr) }
#define OK6(l4o, l4l, pr) \
	.rc = 0, .want = { .ethertype = RTE_ETHER_TYPE_IPV6, .l3_off = 14, .l4_off = (l4o), \
		.l3_len = (l4o) - 14, .l4_len = (l4l), .ip_version = 6, .l4_proto = (pr) }
#define HBH(n)  { 0, (n) }
#define DST(n)  { 60, (n) }
#define RTH(n)  { 43, (n) }
#define FRAG    { 44, 0 }

static const struct fx fixtures[] = {
	/* Accepted. */
	{ "ARP request to broadcast", .l3 = L3_ARP, .dst_kind = 2,
		.rc = 0, .want = { .ethertype = GW_PKT_ETH_P_ARP, .l3_off = 14, .l2_bcast = 1 } },
	{ "ARP reply, unicast, padded to 60 bytes", .l3 = L3_ARP, .pad = 18,
		.rc = 0, .want = { .ethertype = GW_PKT_ETH_P_ARP, .l3_off = 14 } },
	{ "IPv4/ICMP echo", V4(.proto = IPPROTO_ICMP, .l4len = 8), OK4(34, 8, IPPROTO_ICMP) },
	{ "IPv4/ICMP, exactly the 4 bytes checked", V4(.proto = IPPROTO_ICMP, .l4len = 4),
		OK4(34, 4, IPPROTO_ICMP) },
	{ "IPv4/TCP", V4(.proto = IPPROTO_TCP, .l4len = 20), OK4(34, 20, IPPROTO_TCP) },
	{ "IPv4/TCP with 100 bytes of payload", V4(.proto = IPPROTO_TCP, .l4len = 120),
		OK4(34, 120, IPPROTO_TCP) },
	{ "IPv4/TCP, IHL 6 (4 bytes of options)", V4(.ihl = 6, .proto = IPPROTO_TCP, .l4len = 20),
		OK4(38, 20, IPPROTO_TCP) },
	{ "IPv4/UDP, IHL 15 (40 bytes of options)",
		V4(.ihl = 15, .proto = IPPROTO_UDP, .l4len = 8), OK4(74, 8, IPPROTO_UDP) },
	{ "IPv4/UDP", V4(.proto = IPPROTO_UDP, .l4len = 12), OK4(34, 12, IPPROTO_UDP) },
	{ "IPv4/UDP in a frame padded to 60 bytes",
		V4(.proto = IPPROTO_UDP, .l4len = 8, .pad = 18), OK4(34, 8, IPPROTO_UDP) },
	{ "IPv4 with DF set", V4(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_df),
		OK4(34, 8, IPPROTO_UDP) },
	{ "IPv4 to a multicast MAC", V4(.dst_kind = 1, .proto = IPPROTO_UDP, .l4len = 8),
		.rc = 0, .want = { .ethertype = RTE_ETHER_TYPE_IPV4, .l3_off = 14, .l4_off = 34,
			.l3_len = 20, .l4_len = 8, .ip_version = 4, .l4_proto = IPPROTO_UDP,
			.l2_mcast = 1 } },
	{ "IPv4 to the broadcast MAC", V4(.dst_kind = 2, .proto = IPPROTO_UDP, .l4len = 8),
		.rc = 0, .want = { .ethertype = RTE_ETHER_TYPE_IPV4, .l3_off = 14, .l4_off = 34,
			.l3_len = 20, .l4_len = 8, .ip_version = 4, .l4_proto = IPPROTO_UDP,
			.l2_bcast = 1 } },
	{ "IPv4 GRE, no payload: no minimum for other protocols", V4(.proto = 47, .l4len = 0),
		OK4(34, 0, 47) },
	{ "IPv4 source 223.255.255.255 (just below multicast)",
		V4(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_src_223), OK4(34, 8, IPPROTO_UDP) },
	{ "IPv4 source 126.255.255.255 (just below loopback)",
		V4(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_src_126), OK4(34, 8, IPPROTO_UDP) },
	{ "IPv4 good checksum, hardware says GOOD",
		V4(.proto = IPPROTO_UDP, .l4len = 8, .hw = GW_PKT_HW_IP_CKSUM_GOOD),
		OK4(34, 8, IPPROTO_UDP) },
	{ "IPv4 bad checksum, hardware says GOOD: not checked again",
		V4(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_cksum_plus1,
			.hw = GW_PKT_HW_IP_CKSUM_GOOD), OK4(34, 8, IPPROTO_UDP) },
	{ "IPv6/ICMPv6 echo", V6(.proto = GW_PKT_IPPROTO_ICMPV6, .l4len = 8),
		OK6(54, 8, GW_PKT_IPPROTO_ICMPV6) },
	{ "IPv6/TCP", V6(.proto = IPPROTO_TCP, .l4len = 20), OK6(54, 20, IPPROTO_TCP) },
	{ "IPv6/UDP", V6(.proto = IPPROTO_UDP, .l4len = 8), OK6(54, 8, IPPROTO_UDP) },
	{ "IPv6/ICMPv6 with 6 bytes of Ethernet padding",
		V6(.proto = GW_PKT_IPPROTO_ICMPV6, .l4len = 8, .pad = 6),
		OK6(54, 8, GW_PKT_IPPROTO_ICMPV6) },
	{ "IPv6 hop-by-hop (8) + destination options (16) + UDP",
		V6(.n_ext = 2, .ext = { HBH(0), DST(1) }, .proto = IPPROTO_UDP, .l4len = 16),
		OK6(78, 16, IPPROTO_UDP) },
	{ "IPv6 routing header (24) + TCP",
		V6(.n_ext = 1, .ext = { RTH(2) }, .proto = IPPROTO_TCP, .l4len = 20),
		OK6(78, 20, IPPROTO_TCP) },
	{ "IPv6 seven extension headers + ICMPv6",
		V6(.n_ext = 7, .ext = { HBH(0), DST(0), RTH(0), DST(1), DST(0), DST(0), DST(0) },
			.proto = GW_PKT_IPPROTO_ICMPV6, .l4len = 8),
		OK6(54 + 64, 8, GW_PKT_IPPROTO_ICMPV6) },
	{ "IPv6 no next header (59), empty payload", V6(.proto = 59, .l4len = 0), OK6(54, 0, 59) },
	{ "IPv6 hop-by-hop then no next header",
		V6(.n_ext = 1, .ext = { HBH(0) }, .proto = 59, .l4len = 0), OK6(62, 0, 59) },

	/* Truncated Ethernet / L3. */
	{ "empty frame", .l3 = L3_NONE, .ethertype = RTE_ETHER_TYPE_IPV4, .cut = -60,
		.rc = GW_CNT_drop_truncated },
	{ "1-byte frame", .l3 = L3_NONE, .ethertype = RTE_ETHER_TYPE_IPV4, .cut = 1,
		.rc = GW_CNT_drop_truncated },
	{ "13-byte frame", .l3 = L3_NONE, .ethertype = RTE_ETHER_TYPE_IPV4, .cut = 13,
		.rc = GW_CNT_drop_truncated },
	{ "IPv4 ethertype, Ethernet header only", V4(.proto = IPPROTO_UDP, .l4len = 8, .cut = 14),
		.rc = GW_CNT_drop_truncated },
	{ "IPv4 header cut at 19 bytes", V4(.proto = IPPROTO_UDP, .l4len = 8, .cut = 14 + 19),
		.rc = GW_CNT_drop_truncated },
	{ "IPv6 ethertype, Ethernet header only", V6(.proto = IPPROTO_UDP, .l4len = 8, .cut = 14),
		.rc = GW_CNT_drop_truncated },
	{ "IPv6 header cut at 39 bytes", V6(.proto = IPPROTO_UDP, .l4len = 8, .cut = 14 + 39),
		.rc = GW_CNT_drop_truncated },

	/* IPv4 header checks. */
	{ "IPv4 ethertype, version 6", V4(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_v4_version6),
		.rc = GW_CNT_drop_ipv4_bad_version },
	{ "IPv4 ethertype, version 5", V4(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_v4_version5),
		.rc = GW_CNT_drop_ipv4_bad_version },
	{ "IPv4 IHL 4", V4(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_ihl4),
		.rc = GW_CNT_drop_ipv4_bad_ihl },
	{ "IPv4 IHL 0", V4(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_ihl0),
		.rc = GW_CNT_drop_ipv4_bad_ihl },
	{ "IPv4 IHL 15 past a 40-byte packet", V4(.proto = IPPROTO_TCP, .l4len = 20, .mut = m_ihl15),
		.rc = GW_CNT_drop_ipv4_bad_ihl },
	{ "IPv4 IHL 6, frame ends inside the options",
		V4(.ihl = 6, .proto = 47, .l4len = 0, .cut = 14 + 22), .rc = GW_CNT_drop_ipv4_bad_ihl },
	{ "IPv4 total length 19 < IHL 20", V4(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_tot19),
		.rc = GW_CNT_drop_ipv4_bad_len },
	{ "IPv4 total length 20 < IHL 24",
		V4(.ihl = 6, .proto = IPPROTO_UDP, .l4len = 8, .mut = m_tot20),
		.rc = GW_CNT_drop_ipv4_bad_len },
	{ "IPv4 total length one byte past the frame",
		V4(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_tot_plus1),
		.rc = GW_CNT_drop_ipv4_bad_len },
	{ "IPv4 frame one byte short of its total length",
		V4(.proto = IPPROTO_TCP, .l4len = 40, .cut = -1), .rc = GW_CNT_drop_ipv4_bad_len },
	{ "IPv4 header checksum off by one",
		V4(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_cksum_plus1),
		.rc = GW_CNT_drop_ipv4_bad_cksum },
	{ "IPv4 header checksum zero", V4(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_cksum_zero),
		.rc = GW_CNT_drop_ipv4_bad_cksum },
	{ "IPv4 TTL changed, checksum not updated",
		V4(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_ttl_changed),
		.rc = GW_CNT_drop_ipv4_bad_cksum },
	{ "IPv4 bad checksum: an option byte changed (IHL 6)",
		V4(.ihl = 6, .proto = IPPROTO_UDP, .l4len = 8, .mut = m_opt_changed),
		.rc = GW_CNT_drop_ipv4_bad_cksum },
	{ "IPv4 good checksum, hardware says BAD",
		V4(.proto = IPPROTO_UDP, .l4len = 8, .hw = GW_PKT_HW_IP_CKSUM_BAD),
		.rc = GW_CNT_drop_ipv4_bad_cksum },
	{ "IPv4 more-fragments flag", V4(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_mf),
		.rc = GW_CNT_drop_ip_fragment },
	{ "IPv4 fragment offset 1 (last fragment)", V4(.proto = IPPROTO_UDP, .l4len = 8,
		.mut = m_off1), .rc = GW_CNT_drop_ip_fragment },
	{ "IPv4 fragment offset 0x1fff", V4(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_off_max),
		.rc = GW_CNT_drop_ip_fragment },
	{ "IPv4 middle fragment (MF + offset)", V4(.proto = IPPROTO_UDP, .l4len = 8,
		.mut = m_mf_off), .rc = GW_CNT_drop_ip_fragment },
	{ "IPv4 source 224.0.0.1 (multicast)", V4(.proto = IPPROTO_UDP, .l4len = 8,
		.mut = m_src_224), .rc = GW_CNT_drop_ipv4_bad_src },
	{ "IPv4 source 239.255.255.250 (multicast)", V4(.proto = IPPROTO_UDP, .l4len = 8,
		.mut = m_src_239), .rc = GW_CNT_drop_ipv4_bad_src },
	{ "IPv4 source 240.0.0.1 (class E)", V4(.proto = IPPROTO_UDP, .l4len = 8,
		.mut = m_src_240), .rc = GW_CNT_drop_ipv4_bad_src },
	{ "IPv4 source 255.255.255.255 (broadcast)", V4(.proto = IPPROTO_UDP, .l4len = 8,
		.mut = m_src_bcast), .rc = GW_CNT_drop_ipv4_bad_src },
	{ "IPv4 source 127.0.0.1 (loopback)", V4(.proto = IPPROTO_UDP, .l4len = 8,
		.mut = m_src_lo), .rc = GW_CNT_drop_ipv4_bad_src },
	{ "IPv4 source 127.255.255.254 (loopback)", V4(.proto = IPPROTO_UDP, .l4len = 8,
		.mut = m_src_lo_top), .rc = GW_CNT_drop_ipv4_bad_src },

	/* IPv6 header checks. */
	{ "IPv6 ethertype, version 4", V6(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_v6_version4),
		.rc = GW_CNT_drop_ipv6_bad_version },
	{ "IPv6 payload length one byte past the frame",
		V6(.proto = IPPROTO_UDP, .l4len = 8, .mut = m_v6_plen_plus1),
		.rc = GW_CNT_drop_ipv6_bad_len },
	{ "IPv6 frame one byte short of its payload length",
		V6(.proto = IPPROTO_TCP, .l4len = 20, .cut = -1), .rc = GW_CNT_drop_ipv6_bad_len },
	{ "IPv6 source ff02::2 (multicast)", V6(.proto = IPPROTO_UDP, .l4len = 8,
		.mut = m_v6_src_mcast), .rc = GW_CNT_drop_ipv6_bad_src },
	{ "IPv6 eight extension headers (the limit)",
		V6(.n_ext = 8, .ext = { HBH(0), DST(0), DST(0), DST(0), DST(0), DST(0), DST(0),
			DST(0) }, .proto = IPPROTO_UDP, .l4len = 8), OK6(54 + 64, 8, IPPROTO_UDP) },
	{ "IPv6 fragment header", V6(.n_ext = 1, .ext = { FRAG }, .proto = IPPROTO_UDP, .l4len = 8),
		.rc = GW_CNT_drop_ip_fragment },
	{ "IPv6 fragment header after hop-by-hop",
		V6(.n_ext = 2, .ext = { HBH(0), FRAG }, .proto = IPPROTO_UDP, .l4len = 8),
		.rc = GW_CNT_drop_ip_fragment },
	{ "IPv6 nine extension headers",
		V6(.n_ext = 9, .ext = { HBH(0), DST(0), DST(0), DST(0), DST(0), DST(0), DST(0),
			DST(0), DST(0) }, .proto = IPPROTO_UDP, .l4len = 8),
		.rc = GW_CNT_drop_ipv6_ext_hdr },
	{ "IPv6 twelve extension headers",
		V6(.n_ext = 12, .ext = { HBH(0), DST(0), DST(0), DST(0), DST(0), DST(0), DST(0),
			DST(0), DST(0), DST(0), DST(0), DST(0) }, .proto = IPPROTO_UDP, .l4len = 8),
		.rc = GW_CNT_drop_ipv6_ext_hdr },
	{ "IPv6 hop-by-hop claiming 16 bytes past the payload",
		V6(.n_ext = 1, .ext = { HBH(0) }, .proto = IPPROTO_UDP, .l4len = 8,
			.mut = m_v6_ext_long), .rc = GW_CNT_drop_ipv6_bad_len },
	{ "IPv6 destination options in the frame but past the payload",
		V6(.n_ext = 2, .ext = { HBH(0), DST(0) }, .proto = 59, .l4len = 0,
			.mut = m_v6_plen8), .rc = GW_CNT_drop_ipv6_bad_len },
	{ "IPv6 hop-by-hop in a 4-byte payload",
		V6(.n_ext = 1, .ext = { HBH(0) }, .proto = 59, .l4len = 0, .mut = m_v6_plen4),
		.rc = GW_CNT_drop_ipv6_bad_len },
	{ "IPv6 hop-by-hop with a 1-byte payload ending the frame",
		V6(.proto = 0, .l4len = 1), .rc = GW_CNT_drop_ipv6_bad_len },
	{ "IPv6 hop-by-hop with an empty payload",
		V6(.proto = 0, .l4len = 0), .rc = GW_CNT_drop_ipv6_bad_len },

	/* L4 minimum headers, counted by the IP lengths, not the frame. */
	{ "IPv4 TCP header of 19 bytes", V4(.proto = IPPROTO_TCP, .l4len = 19),
		.rc = GW_CNT_drop_l4_truncated },
	{ "IPv4 TCP header of 4 bytes, frame padded to 60",
		V4(.proto = IPPROTO_TCP, .l4len = 4, .pad = 22), .rc = GW_CNT_drop_l4_truncated },
	{ "IPv4 UDP header of 7 bytes", V4(.proto = IPPROTO_UDP, .l4len = 7),
		.rc = GW_CNT_drop_l4_truncated },
	{ "IPv4 UDP, no L4 bytes", V4(.proto = IPPROTO_UDP, .l4len = 0),
		.rc = GW_CNT_drop_l4_truncated },
	{ "IPv4 ICMP header of 3 bytes", V4(.proto = IPPROTO_ICMP, .l4len = 3),
		.rc = GW_CNT_drop_l4_truncated },
	{ "IPv6 TCP header of 19 bytes", V6(.proto = IPPROTO_TCP, .l4len = 19),
		.rc = GW_CNT_drop_l4_truncated },
	{ "IPv6 UDP header of 7 bytes after hop-by-hop",
		V6(.n_ext = 1, .ext = { HBH(0) }, .proto = IPPROTO_UDP, .l4len = 7),
		.rc = GW_CNT_drop_l4_truncated },
	{ "IPv6 ICMPv6 header of 3 bytes", V6(.proto = GW_PKT_IPPROTO_ICMPV6, .l4len = 3),
		.rc = GW_CNT_drop_l4_truncated },

	/* Ethernet types. */
	{ "802.1Q VLAN tag", .l3 = L3_NONE, .ethertype = RTE_ETHER_TYPE_VLAN,
		.rc = GW_CNT_drop_vlan },
	{ "802.1ad QinQ tag", .l3 = L3_NONE, .ethertype = RTE_ETHER_TYPE_QINQ,
		.rc = GW_CNT_drop_vlan },
	{ "802.1Q tag on a bare Ethernet header", .l3 = L3_NONE,
		.ethertype = RTE_ETHER_TYPE_VLAN, .cut = 14, .rc = GW_CNT_drop_vlan },
	{ "LLDP: unknown ethertype", .l3 = L3_NONE, .ethertype = 0x88cc,
		.rc = GW_CNT_drop_unknown_ethertype },
	{ "ethertype 0 (an 802.3 length)", .l3 = L3_NONE, .ethertype = 0x0000,
		.rc = GW_CNT_drop_unknown_ethertype },
	{ "RARP: unknown ethertype", .l3 = L3_NONE, .ethertype = 0x8035,
		.rc = GW_CNT_drop_unknown_ethertype },
	{ "ARP of 27 bytes", .l3 = L3_ARP, .cut = 14 + 27, .rc = GW_CNT_drop_arp_malformed },
	{ "ARP ethertype, Ethernet header only", .l3 = L3_ARP, .cut = 14,
		.rc = GW_CNT_drop_arp_malformed },
};

static void
check_fixture(const struct fx *x, const struct frame *f, int rc, const struct gw_pkt *p)
{
	if (rc != x->rc)
		fail_msg("%s: rc %d (%s), want %d (%s)", x->desc, rc,
			rc == 0 ? "accepted" : gw_stats_name((enum gw_cnt)rc), x->rc,
			x->rc == 0 ? "accepted" : gw_stats_name((enum gw_cnt)x->rc));
	if (rc != 0)
		return;
#define CHECK_FIELD(fl) \
	do { \
		if (p->fl != x->want.fl) \
			fail_msg("%s: " #fl " %u, want %u", x->desc, (unsigned int)p->fl, \
				(unsigned int)x->want.fl); \
	} while (0)
	CHECK_FIELD(ethertype);
	CHECK_FIELD(l3_off);
	CHECK_FIELD(l4_off);
	CHECK_FIELD(l3_len);
	CHECK_FIELD(l4_len);
	CHECK_FIELD(ip_version);
	CHECK_FIELD(l4_proto);
	CHECK_FIELD(l2_bcast);
	CHECK_FIELD(l2_mcast);
#undef CHECK_FIELD
	/* What consumers rely on: everything recorded lies inside the frame. */
	if (p->ip_version != 0 && (uint32_t)p->l4_off + p->l4_len > f->len)
		fail_msg("%s: L4 ends at %u past the frame (%u)", x->desc,
			(unsigned int)(p->l4_off + p->l4_len), f->len);
}

static void
test_parse_fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		const struct fx *x = &fixtures[i];
		struct frame f;
		struct gw_pkt p;
		int rc;

		build(&f, x);
		rc = parse_exact(&f, x->hw, &p);
		check_fixture(x, &f, rc, &p);
	}
}

/*
 * The same frames with hardware flags: GOOD only skips the checksum check,
 * BAD drops any IPv4 packet that got as far as the checksum, and neither
 * changes anything for ARP or IPv6.
 */
static void
test_parse_hw_flags(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		const struct fx *x = &fixtures[i];
		struct frame f;
		struct gw_pkt p;
		int rc_none, rc_good, rc_bad;

		if (x->hw != 0)
			continue;
		build(&f, x);
		rc_none = parse_exact(&f, 0, &p);
		rc_good = parse_exact(&f, GW_PKT_HW_IP_CKSUM_GOOD, &p);
		rc_bad = parse_exact(&f, GW_PKT_HW_IP_CKSUM_BAD, &p);
		if (x->l3 != L3_V4 || x->ethertype != 0) {
			if (rc_good != rc_none || rc_bad != rc_none)
				fail_msg("%s: flags changed a non-IPv4 verdict (%d/%d/%d)", x->desc,
					rc_none, rc_good, rc_bad);
			continue;
		}
		if (rc_none == GW_CNT_drop_ipv4_bad_cksum) {
			if (rc_good == GW_CNT_drop_ipv4_bad_cksum)
				fail_msg("%s: GOOD flag did not skip the checksum", x->desc);
			if (rc_bad != GW_CNT_drop_ipv4_bad_cksum)
				fail_msg("%s: BAD flag: %d", x->desc, rc_bad);
			continue;
		}
		if (rc_good != rc_none)
			fail_msg("%s: GOOD flag changed %d to %d", x->desc, rc_none, rc_good);
		/* Checks before the checksum keep their reason; after it, BAD wins. */
		if (rc_none == 0 || rc_none == GW_CNT_drop_ip_fragment ||
				rc_none == GW_CNT_drop_ipv4_bad_src ||
				rc_none == GW_CNT_drop_l4_truncated) {
			if (rc_bad != GW_CNT_drop_ipv4_bad_cksum)
				fail_msg("%s: BAD flag gave %d", x->desc, rc_bad);
		} else if (rc_bad != rc_none) {
			fail_msg("%s: BAD flag changed %d to %d", x->desc, rc_none, rc_bad);
		}
	}
}

/* Every prefix of valid frames: accepted only when all it records is present. */
static void
test_parse_every_truncation(void **state)
{
	static const struct fx bases[] = {
		{ "IPv4/TCP", V4(.proto = IPPROTO_TCP, .l4len = 20) },
		{ "IPv4/UDP IHL 7", V4(.ihl = 7, .proto = IPPROTO_UDP, .l4len = 9) },
		{ "IPv6 ext + UDP", V6(.n_ext = 2, .ext = { HBH(1), DST(0) },
			.proto = IPPROTO_UDP, .l4len = 8) },
		{ "ARP", .l3 = L3_ARP },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		struct frame f;
		struct gw_pkt p;
		uint32_t full;

		build(&f, &bases[i]);
		full = f.len;
		assert_int_equal(parse_exact(&f, 0, &p), 0);
		for (uint32_t n = 0; n < full; n++) {
			int rc;

			f.len = n;
			rc = parse_exact(&f, 0, &p);
			if (rc == 0)
				fail_msg("%s cut to %u of %u bytes: accepted", bases[i].desc, n, full);
			if (rc <= 0 || rc >= GW_CNT_MAX ||
					gw_stats_kind((enum gw_cnt)rc) != GW_CNT_KIND_DROP)
				fail_msg("%s cut to %u: %d is not a drop reason", bases[i].desc, n,
					rc);
		}
	}
}

/*
 * Random single-byte and length corruptions of valid frames (fixed seed):
 * the verdict is always 0 or a drop counter, and an accepted frame's
 * recorded headers lie inside it with room for the L4 minimum.
 */
static void
test_parse_random_corruption(void **state)
{
	static const struct fx bases[] = {
		{ "IPv4/TCP", V4(.ihl = 6, .proto = IPPROTO_TCP, .l4len = 24) },
		{ "IPv4/ICMP", V4(.proto = IPPROTO_ICMP, .l4len = 8, .pad = 10) },
		{ "IPv6 ext + UDP", V6(.n_ext = 3, .ext = { HBH(1), RTH(0), DST(0) },
			.proto = IPPROTO_UDP, .l4len = 12) },
		{ "ARP", .l3 = L3_ARP, .pad = 18 },
	};
	unsigned int seed = 12345;
	(void)state;
	for (int trial = 0; trial < 20000; trial++) {
		const struct fx *x = &bases[(unsigned int)trial % 4];
		struct frame f;
		struct gw_pkt p;
		int rc, nmut;

		build(&f, x);
		nmut = 1 + rand_r(&seed) % 3;
		for (int k = 0; k < nmut; k++)
			f.b[(uint32_t)rand_r(&seed) % f.len] = (uint8_t)rand_r(&seed);
		if (rand_r(&seed) % 4 == 0)
			f.len = (uint32_t)rand_r(&seed) % (f.len + 1);
		rc = parse_exact(&f, (uint32_t)rand_r(&seed) % 2, &p);
		if (rc < 0 || rc >= GW_CNT_MAX ||
				(rc != 0 && gw_stats_kind((enum gw_cnt)rc) != GW_CNT_KIND_DROP))
			fail_msg("trial %d: verdict %d", trial, rc);
		if (rc != 0 || p.ip_version == 0)
			continue;
		if (p.l3_off != ETH_LEN || p.l4_off != p.l3_off + p.l3_len ||
				(uint32_t)p.l4_off + p.l4_len > f.len)
			fail_msg("trial %d: l3 %u+%u l4 %u+%u in %u bytes", trial, p.l3_off,
				p.l3_len, p.l4_off, p.l4_len, f.len);
		if ((p.l4_proto == IPPROTO_TCP && p.l4_len < 20) ||
				(p.l4_proto == IPPROTO_UDP && p.l4_len < 8) ||
				((p.l4_proto == IPPROTO_ICMP || p.l4_proto == GW_PKT_IPPROTO_ICMPV6) &&
					p.l4_len < 4))
			fail_msg("trial %d: proto %u with l4_len %u accepted", trial, p.l4_proto,
				p.l4_len);
	}
}

/* RFC 1071 section 3's example, whole and in pieces. */
static void
test_cksum_rfc1071(void **state)
{
	static const uint8_t ex[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint32_t s;
	(void)state;

	s = gw_cksum_partial(ex, sizeof(ex), 0);
	/* 0001 + f203 + f4f5 + f6f7 = 2ddf0, folded ddf2, checksum ~ddf2 = 220d. */
	assert_int_equal((s & 0xffff) + (s >> 16), 0xddf2);
	assert_int_equal(gw_cksum_finish(s), 0x220d);
	/* Even-length pieces chain through @sum. */
	s = gw_cksum_partial(ex, 2, 0);
	s = gw_cksum_partial(ex + 2, 4, s);
	s = gw_cksum_partial(ex + 6, 2, s);
	assert_int_equal(gw_cksum_finish(s), 0x220d);
	/* An odd tail counts as the high byte of a word. */
	assert_int_equal(gw_cksum_partial(ex + 2, 1, 0), 0xf200);
	assert_int_equal(gw_cksum_partial(ex, 7, 0), 0x0001 + 0xf203 + 0xf4f5 + 0xf600);
	/* Nothing, and all-ones data. */
	assert_int_equal(gw_cksum_partial(ex, 0, 0x1234), 0x1234);
	assert_int_equal(gw_cksum_finish(0), 0xffff);
	assert_int_equal(gw_cksum_finish(0xffff), 0x0000);
	assert_int_equal(gw_cksum_finish(0x1fffe), 0x0000);
	/* The data with its checksum appended sums to zero. */
	{
		uint8_t with[10];

		memcpy(with, ex, 8);
		with[8] = 0x22;
		with[9] = 0x0d;
		assert_int_equal(gw_cksum_finish(gw_cksum_partial(with, 10, 0)), 0);
	}
}

static uint32_t
fold16(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	return (s & 0xffff) + (s >> 16);
}

/* Long buffers: the 32-bit sum loses no carries; a start value adds in. */
static void
test_cksum_long_buffer(void **state)
{
	static uint8_t big[70001];
	uint32_t a, b;
	(void)state;

	memset(big, 0xff, sizeof(big) - 1);
	a = gw_cksum_partial(big, sizeof(big) - 1, 0);
	assert_int_equal(gw_cksum_finish(a), 0x0000);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	for (size_t n = sizeof(big) - 2; n <= sizeof(big); n++) {
		a = gw_cksum_partial(big, (uint32_t)n, 0);
		assert_int_equal(rte_cpu_to_be_16(gw_cksum_finish(a)),
			(uint16_t)~rte_raw_cksum(big, n));
		b = gw_cksum_partial(big, (uint32_t)n, 0xfffffff0u);
		assert_int_equal(gw_cksum_finish(b),
			gw_cksum_finish(fold16(a) + fold16(0xfffffff0u)));
	}
}

static void
random_ipv4(struct rte_ipv4_hdr *ip, unsigned int *seed, uint32_t *ihl)
{
	uint8_t *b = (uint8_t *)ip;

	*ihl = (5 + (uint32_t)rand_r(seed) % 11) * 4;
	for (uint32_t i = 0; i < *ihl; i++)
		b[i] = (uint8_t)rand_r(seed);
	ip->version_ihl = (uint8_t)(0x40 | (*ihl / 4));
	ip->hdr_checksum = 0;
}

/* Ours in network order equals DPDK's on random headers of every IHL. */
static void
test_cksum_vs_rte_ipv4(void **state)
{
	unsigned int seed = 1071;
	(void)state;
	for (int trial = 0; trial < 100000; trial++) {
		uint8_t buf[60];
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
		uint16_t ours, ref;
		uint32_t ihl;

		random_ipv4(ip, &seed, &ihl);
		ours = rte_cpu_to_be_16(gw_cksum_finish(gw_cksum_partial(buf, ihl, 0)));
		ref = rte_ipv4_cksum(ip);
		if (ours != ref)
			fail_msg("trial %d: ours %#06x, rte_ipv4_cksum %#06x", trial, ours, ref);
		/* And the parser's verification accepts it. */
		ip->hdr_checksum = ours;
		if (gw_cksum_finish(gw_cksum_partial(buf, ihl, 0)) != 0)
			fail_msg("trial %d: header does not verify", trial);
	}
}

/* ICMPv4 checksum of random messages of every small length. */
static void
test_cksum_icmp4(void **state)
{
	unsigned int seed = 792;
	(void)state;
	for (int trial = 0; trial < 20000; trial++) {
		uint8_t buf[300];
		uint32_t len = 4 + (uint32_t)rand_r(&seed) % 290;
		uint16_t c, ref;

		for (uint32_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rand_r(&seed);
		buf[2] = buf[3] = 0;
		c = gw_cksum_icmp4(buf, len);
		ref = (uint16_t)~rte_raw_cksum(buf, len);
		if (c != ref)
			fail_msg("trial %d (len %u): %#06x vs %#06x", trial, len, c, ref);
		memcpy(buf + 2, &c, 2);
		if (gw_cksum_icmp4(buf, len) != 0)
			fail_msg("trial %d (len %u): message does not verify", trial, len);
	}
}

/* RFC 1624 section 4's example (host values: the update is order-blind). */
static void
test_cksum_update16_rfc1624(void **state)
{
	static const struct {
		const char *desc;
		uint16_t hc, m, m2, want;
	} cases[] = {
		{ "RFC 1624 example: eqn. 3 gives 0x0000", 0xdd2f, 0x5555, 0x3285, 0x0000 },
		{ "no change", 0x1234, 0xabcd, 0xabcd, 0x1234 },
		{ "0 to 1 lowers the checksum by one", 0x1234, 0x0000, 0x0001, 0x1233 },
		{ "1 to 0 raises it by one", 0x1233, 0x0001, 0x0000, 0x1234 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint16_t got = gw_cksum_update16(cases[i].hc, cases[i].m, cases[i].m2);

		if (got != cases[i].want)
			fail_msg("%s: %#06x, want %#06x", cases[i].desc, got, cases[i].want);
	}
}

/* Incremental update equals recomputation, words as stored in memory. */
static void
test_cksum_update16_random(void **state)
{
	unsigned int seed = 1624;
	(void)state;
	for (int trial = 0; trial < 100000; trial++) {
		uint8_t buf[60];
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
		uint16_t old_w, new_w, inc, full;
		uint32_t ihl, w;

		random_ipv4(ip, &seed, &ihl);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		/* Any word but the checksum (word 5) and the version/IHL one (word 0). */
		do
			w = 1 + (uint32_t)rand_r(&seed) % (ihl / 2 - 1);
		while (w == 5);
		memcpy(&old_w, buf + 2 * w, 2);
		switch (trial % 4) {
		case 0:
			new_w = 0;
			break;
		case 1:
			new_w = 0xffff;
			break;
		default:
			new_w = (uint16_t)rand_r(&seed);
			break;
		}
		memcpy(buf + 2 * w, &new_w, 2);
		inc = gw_cksum_update16(ip->hdr_checksum, old_w, new_w);
		ip->hdr_checksum = 0;
		full = rte_ipv4_cksum(ip);
		if (inc != full)
			fail_msg("trial %d word %u %#06x->%#06x: incremental %#06x, full %#06x",
				trial, w, old_w, new_w, inc, full);
	}
}

static void
random_ipv6_l4(uint8_t *buf, uint32_t len, uint8_t proto, unsigned int *seed)
{
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)buf;

	for (uint32_t i = 0; i < sizeof(*ip6) + len; i++)
		buf[i] = (uint8_t)rand_r(seed);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16((uint16_t)len);
	ip6->proto = proto;
}

/*
 * UDP over IPv6: ours equals rte_ipv6_udptcp_cksum, except where the sum
 * is zero and DPDK applies RFC 768's "send 0 as 0xffff" (checked apart).
 */
static void
test_cksum_ipv6_udp(void **state)
{
	unsigned int seed = 2460;
	(void)state;
	for (int trial = 0; trial < 50000; trial++) {
		uint8_t buf[40 + 1500];
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)buf;
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(buf + 40);
		uint32_t len = 8 + (uint32_t)rand_r(&seed) % 1400;
		uint16_t ours, ref;

		random_ipv6_l4(buf, len, IPPROTO_UDP, &seed);
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)len);
		udp->dgram_cksum = 0;
		ours = gw_cksum_ipv6_l4(ip6, udp, len, IPPROTO_UDP);
		ref = rte_ipv6_udptcp_cksum(ip6, udp);
		if (ours == 0 && ref == 0xffff)
			continue;
		if (ours != ref)
			fail_msg("trial %d (len %u): ours %#06x, rte %#06x", trial, len, ours, ref);
		udp->dgram_cksum = ours;
		if (gw_cksum_ipv6_l4(ip6, udp, len, IPPROTO_UDP) != 0)
			fail_msg("trial %d: datagram does not verify", trial);
	}
}

/* The same for ICMPv6, where DPDK does no 0 -> 0xffff mapping. */
static void
test_cksum_ipv6_icmp6(void **state)
{
	unsigned int seed = 4443;
	(void)state;
	for (int trial = 0; trial < 50000; trial++) {
		uint8_t buf[40 + 1500];
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)buf;
		uint8_t *icmp = buf + 40;
		uint32_t len = 4 + (uint32_t)rand_r(&seed) % 1400;
		uint16_t ours, ref;

		random_ipv6_l4(buf, len, GW_PKT_IPPROTO_ICMPV6, &seed);
		icmp[2] = icmp[3] = 0;
		ours = gw_cksum_ipv6_l4(ip6, icmp, len, GW_PKT_IPPROTO_ICMPV6);
		ref = rte_ipv6_udptcp_cksum(ip6, icmp);
		if (ours != ref)
			fail_msg("trial %d (len %u): ours %#06x, rte %#06x", trial, len, ours, ref);
		memcpy(icmp + 2, &ours, 2);
		if (gw_cksum_ipv6_l4(ip6, icmp, len, GW_PKT_IPPROTO_ICMPV6) != 0)
			fail_msg("trial %d: message does not verify", trial);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_fixtures),
		cmocka_unit_test(test_parse_hw_flags),
		cmocka_unit_test(test_parse_every_truncation),
		cmocka_unit_test(test_parse_random_corruption),
		cmocka_unit_test(test_cksum_rfc1071),
		cmocka_unit_test(test_cksum_long_buffer),
		cmocka_unit_test(test_cksum_vs_rte_ipv4),
		cmocka_unit_test(test_cksum_icmp4),
		cmocka_unit_test(test_cksum_update16_rfc1624),
		cmocka_unit_test(test_cksum_update16_random),
		cmocka_unit_test(test_cksum_ipv6_udp),
		cmocka_unit_test(test_cksum_ipv6_icmp6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
