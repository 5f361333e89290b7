/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet parsing and checksums for the L2/L3/L4 headers the data plane
 * reads: Ethernet (with 802.1Q/802.1ad tags noticed), ARP, IPv4, IPv6 with
 * its extension-header chain, and the first bytes of TCP, UDP, ICMP and
 * ICMPv6.
 *
 * gw_pkt_parse() works on a flat byte range, so it needs no EAL and can be
 * fuzzed alone. It validates everything the rest of the pipeline relies on
 * (lengths, IHL, version, IPv4 header checksum unless hardware already
 * vouched for it, fragments) and returns either 0, with struct gw_pkt
 * describing where each header starts, or the counter of the reason the
 * frame must be dropped. Nothing after gw_pkt_parse() re-checks lengths it
 * established: a consumer may read l3 and l4 headers up to the lengths
 * recorded here.
 */
#ifndef GW_PKT_H
#define GW_PKT_H

#include <stdint.h>
#include <stdbool.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "gw_stats.h"

#define GW_PKT_ETH_P_ARP 0x0806
#define GW_PKT_IPPROTO_ICMPV6 58

/* What gw_pkt_parse() learnt. Offsets are from the start of the frame. */
struct gw_pkt {
	uint16_t ethertype;     /* host order, after any VLAN tag */
	uint16_t l3_off;        /* start of ARP / IP header */
	uint16_t l4_off;        /* start of TCP/UDP/ICMP (IPv4/IPv6 only) */
	uint16_t l3_len;        /* IP header(s) length, extension headers included */
	uint16_t l4_len;        /* L4 header + payload, from the IP lengths */
	uint8_t ip_version;     /* 4, 6, or 0 (ARP) */
	uint8_t l4_proto;       /* IPPROTO_* of the final header */
	uint8_t l2_bcast : 1;   /* destination MAC is broadcast */
	uint8_t l2_mcast : 1;   /* destination MAC is multicast (not broadcast) */
};

/* Flags describing what the NIC already checked (from mbuf ol_flags). */
#define GW_PKT_HW_IP_CKSUM_GOOD (1u << 0)
#define GW_PKT_HW_IP_CKSUM_BAD (1u << 1)

/*
 * Parse the frame @data of @len bytes. @hw is a GW_PKT_HW_* mask.
 * Returns 0 (then *@p is filled) or the GW_CNT_drop_* reason.
 */
int gw_pkt_parse(const uint8_t *data, uint32_t len, uint32_t hw, struct gw_pkt *p);

/* RFC 1071 checksum folding helpers (host-independent; results in network order). */

/* One's-complement sum of @len bytes, network order words, not folded. */
uint32_t gw_cksum_partial(const void *buf, uint32_t len, uint32_t sum);

/* Fold and complement a partial sum. */
static inline uint16_t
gw_cksum_finish(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Checksum of an ICMPv4 message (header + data), over @len bytes. */
uint16_t gw_cksum_icmp4(const void *icmp, uint32_t len);

/* L4 checksum over an IPv6 pseudo-header (TCP, UDP, ICMPv6). */
uint16_t gw_cksum_ipv6_l4(const struct rte_ipv6_hdr *ip6, const void *l4, uint32_t len,
	uint8_t proto);

/*
 * RFC 1624 incremental update: the checksum @old_cksum after a 16-bit word
 * changed from @old_w to @new_w (all network order).
 */
static inline uint16_t
gw_cksum_update16(uint16_t old_cksum, uint16_t old_w, uint16_t new_w)
{
	uint32_t sum = (uint16_t)~old_cksum + (uint32_t)(uint16_t)~old_w + new_w;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif /* GW_PKT_H */
