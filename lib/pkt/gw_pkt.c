/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <netinet/in.h>

#include "gw_pkt.h"

#define IPV4_MF 0x2000
#define IPV4_OFFMASK 0x1fff
#define IPV6_MAX_EXT 8

static const uint8_t ip6_loopback[16] = { [15] = 1 };

uint32_t
gw_cksum_partial(const void *buf, uint32_t len, uint32_t sum)
{
	const uint8_t *b = buf;
	uint64_t s = sum;

	/* Bytes are summed as big-endian words so the result is host independent. */
	while (len >= 2) {
		s += ((uint32_t)b[0] << 8) | b[1];
		b += 2;
		len -= 2;
	}
	if (len)
		s += (uint32_t)b[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

/* Fold to 16 bits and return in network order, complemented. */
static uint16_t
cksum_net(uint32_t sum)
{
	return rte_cpu_to_be_16(gw_cksum_finish(sum));
}

uint16_t
gw_cksum_icmp4(const void *icmp, uint32_t len)
{
	return cksum_net(gw_cksum_partial(icmp, len, 0));
}

uint16_t
gw_cksum_ipv6_l4(const struct rte_ipv6_hdr *ip6, const void *l4, uint32_t len, uint8_t proto)
{
	uint32_t sum = 0;

	sum = gw_cksum_partial(ip6->src_addr, 16, sum);
	sum = gw_cksum_partial(ip6->dst_addr, 16, sum);
	sum += len >> 16;
	sum += len & 0xffff;
	sum += proto;
	sum = gw_cksum_partial(l4, len, sum);
	return cksum_net(sum);
}

static int
parse_l4_min(struct gw_pkt *p)
{
	uint32_t need;

	switch (p->l4_proto) {
	case IPPROTO_TCP:
		need = sizeof(struct rte_tcp_hdr);
		break;
	case IPPROTO_UDP:
		need = sizeof(struct rte_udp_hdr);
		break;
	case IPPROTO_ICMP:
	case GW_PKT_IPPROTO_ICMPV6:
		need = 4; /* type, code, checksum */
		break;
	default:
		need = 0;
		break;
	}
	return p->l4_len < need ? GW_CNT_drop_l4_truncated : 0;
}

static int
parse_ipv4(const uint8_t *data, uint32_t len, uint32_t hw, struct gw_pkt *p)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t ihl, tot;
	uint16_t frag;
	uint8_t src0;

	if (len - p->l3_off < sizeof(*ip))
		return GW_CNT_drop_truncated;
	ip = (const struct rte_ipv4_hdr *)(data + p->l3_off);
	if ((ip->version_ihl >> 4) != 4)
		return GW_CNT_drop_ipv4_bad_version;
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (ihl < sizeof(*ip) || ihl > len - p->l3_off)
		return GW_CNT_drop_ipv4_bad_ihl;
	tot = rte_be_to_cpu_16(ip->total_length);
	/* Ethernet pads short frames, so the frame may be longer, never shorter. */
	if (tot < ihl || tot > len - p->l3_off)
		return GW_CNT_drop_ipv4_bad_len;
	if (hw & GW_PKT_HW_IP_CKSUM_BAD)
		return GW_CNT_drop_ipv4_bad_cksum;
	if (!(hw & GW_PKT_HW_IP_CKSUM_GOOD) &&
			gw_cksum_finish(gw_cksum_partial(ip, ihl, 0)) != 0)
		return GW_CNT_drop_ipv4_bad_cksum;
	frag = rte_be_to_cpu_16(ip->fragment_offset);
	if (frag & (IPV4_MF | IPV4_OFFMASK))
		return GW_CNT_drop_ip_fragment;
	src0 = ((const uint8_t *)&ip->src_addr)[0];
	/* 0/8 is "this host" (RFC 1122 3.2.1.3): never a valid source on the wire. */
	if (src0 >= 224 || src0 == 127 || src0 == 0)
		return GW_CNT_drop_ipv4_bad_src;
	p->ip_version = 4;
	p->l3_len = (uint16_t)ihl;
	p->l4_off = (uint16_t)(p->l3_off + ihl);
	p->l4_len = (uint16_t)(tot - ihl);
	p->l4_proto = ip->next_proto_id;
	return parse_l4_min(p);
}

static int
parse_ipv6(const uint8_t *data, uint32_t len, struct gw_pkt *p)
{
	const struct rte_ipv6_hdr *ip6;
	uint32_t plen, off, end;
	uint8_t nh;
	int n;

	if (len - p->l3_off < sizeof(*ip6))
		return GW_CNT_drop_truncated;
	ip6 = (const struct rte_ipv6_hdr *)(data + p->l3_off);
	if ((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6)
		return GW_CNT_drop_ipv6_bad_version;
	plen = rte_be_to_cpu_16(ip6->payload_len);
	/* Jumbograms (payload_len 0 with a hop-by-hop option) are not for us. */
	if (plen > len - p->l3_off - sizeof(*ip6))
		return GW_CNT_drop_ipv6_bad_len;
	if (ip6->src_addr[0] == 0xff || memcmp(ip6->src_addr, ip6_loopback, 16) == 0)
		return GW_CNT_drop_ipv6_bad_src;
	off = p->l3_off + sizeof(*ip6);
	end = off + plen;
	nh = ip6->proto;
	for (n = 0; n <= IPV6_MAX_EXT; n++) {
		uint32_t hlen;

		if (nh == 44) /* fragment header */
			return GW_CNT_drop_ip_fragment;
		if (nh != 0 && nh != 43 && nh != 60)
			break;
		if (n == IPV6_MAX_EXT)
			return GW_CNT_drop_ipv6_ext_hdr;
		if (end - off < 8)
			return GW_CNT_drop_ipv6_bad_len;
		hlen = ((uint32_t)data[off + 1] + 1) * 8;
		if (hlen > end - off)
			return GW_CNT_drop_ipv6_bad_len;
		nh = data[off];
		off += hlen;
	}
	p->ip_version = 6;
	p->l4_off = (uint16_t)off;
	p->l3_len = (uint16_t)(off - p->l3_off);
	p->l4_len = (uint16_t)(end - off);
	p->l4_proto = nh;
	return parse_l4_min(p);
}

int
gw_pkt_parse(const uint8_t *data, uint32_t len, uint32_t hw, struct gw_pkt *p)
{
	const struct rte_ether_hdr *eth;

	memset(p, 0, sizeof(*p));
	if (len < sizeof(*eth))
		return GW_CNT_drop_truncated;
	eth = (const struct rte_ether_hdr *)data;
	p->l2_bcast = rte_is_broadcast_ether_addr(&eth->dst_addr);
	p->l2_mcast = !p->l2_bcast && rte_is_multicast_ether_addr(&eth->dst_addr);
	p->ethertype = rte_be_to_cpu_16(eth->ether_type);
	p->l3_off = sizeof(*eth);
	switch (p->ethertype) {
	case RTE_ETHER_TYPE_IPV4:
		return parse_ipv4(data, len, hw, p);
	case RTE_ETHER_TYPE_IPV6:
		return parse_ipv6(data, len, p);
	case GW_PKT_ETH_P_ARP:
		if (len - p->l3_off < sizeof(struct rte_arp_hdr))
			return GW_CNT_drop_arp_malformed;
		return 0;
	case RTE_ETHER_TYPE_VLAN:
	case RTE_ETHER_TYPE_QINQ:
		return GW_CNT_drop_vlan;
	default:
		return GW_CNT_drop_unknown_ethertype;
	}
}
