/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: gw_pkt_parse() on a raw Ethernet frame.
 *
 * The input is the frame, nothing else (the same corpus feeds fuzz_worker).
 * It is copied into a heap buffer of exactly its length, so AddressSanitizer
 * reports any read past the frame. When the parser accepts a frame, its
 * contract (lib/pkt/gw_pkt.h: "a consumer may read l3 and l4 headers up to
 * the lengths recorded here") is checked: every offset plus length it
 * reports lies inside the frame, the headers it vouches for fit, and those
 * bytes are read (and checksummed) so that ASan sees them touched. A frame
 * it refuses must come back with a drop reason from gw_counters.def.
 * Both hardware checksum hints are tried, as a NIC would give them.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "gw_pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_pkt: %s:%d: contract violated: %s\n", __FILE__,      \
				__LINE__, #cond);                                                  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static volatile uint32_t sink;

/* Read every byte of [off, off + len) of @buf: ASan traps if out of bounds. */
static void
touch(const uint8_t *buf, uint32_t off, uint32_t len)
{
	if (len == 0)
		return;
	sink += gw_cksum_partial(buf + off, len, 0);
}

static void
check_ok(const uint8_t *buf, uint32_t len, const struct gw_pkt *p)
{
	CHECK(len >= sizeof(struct rte_ether_hdr));
	CHECK(p->l3_off >= sizeof(struct rte_ether_hdr));
	CHECK(p->l3_off <= len);
	CHECK(!(p->l2_bcast && p->l2_mcast));
	switch (p->ip_version) {
	case 0:
		/* ARP: the fixed Ethernet/IPv4 ARP header is in the frame. */
		CHECK(p->ethertype == GW_PKT_ETH_P_ARP);
		CHECK((uint32_t)p->l3_off + sizeof(struct rte_arp_hdr) <= len);
		touch(buf, p->l3_off, sizeof(struct rte_arp_hdr));
		return;
	case 4:
		CHECK(p->ethertype == RTE_ETHER_TYPE_IPV4);
		CHECK(p->l3_len >= sizeof(struct rte_ipv4_hdr) && p->l3_len <= 60);
		/* The header checksum was verified (no hardware hint given): it folds to 0. */
		break;
	case 6:
		CHECK(p->ethertype == RTE_ETHER_TYPE_IPV6);
		CHECK(p->l3_len >= sizeof(struct rte_ipv6_hdr));
		CHECK((p->l3_len - sizeof(struct rte_ipv6_hdr)) % 8 == 0);
		break;
	default:
		CHECK(!"ip_version other than 0, 4, 6");
	}
	CHECK((uint32_t)p->l3_off + p->l3_len == p->l4_off);
	CHECK((uint32_t)p->l4_off + p->l4_len <= len);
	touch(buf, p->l3_off, p->l3_len);
	touch(buf, p->l4_off, p->l4_len);
	switch (p->l4_proto) {
	case IPPROTO_TCP:
		CHECK(p->l4_len >= sizeof(struct rte_tcp_hdr));
		break;
	case IPPROTO_UDP:
		CHECK(p->l4_len >= sizeof(struct rte_udp_hdr));
		break;
	case IPPROTO_ICMP:
	case GW_PKT_IPPROTO_ICMPV6:
		CHECK(p->l4_len >= 4);
		break;
	default:
		break;
	}
	if (p->ip_version == 6) {
		const struct rte_ipv6_hdr *ip6 = (const void *)(buf + p->l3_off);

		sink += gw_cksum_ipv6_l4(ip6, buf + p->l4_off, p->l4_len, p->l4_proto);
	} else if (p->l4_proto == IPPROTO_ICMP) {
		sink += gw_cksum_icmp4(buf + p->l4_off, p->l4_len);
	}
}

static void
parse_one(const uint8_t *buf, uint32_t len, uint32_t hw)
{
	struct gw_pkt p;
	int rc;

	rc = gw_pkt_parse(buf, len, hw, &p);
	if (rc != 0) {
		CHECK(rc > 0 && rc < GW_CNT_MAX);
		CHECK(gw_stats_kind((enum gw_cnt)rc) == GW_CNT_KIND_DROP);
		return;
	}
	check_ok(buf, len, &p);
	if (hw == 0 && p.ip_version == 4)
		CHECK(gw_cksum_finish(gw_cksum_partial(buf + p.l3_off, p.l3_len, 0)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	uint32_t len;

	/* Frames are at most 64 KiB; mbuf data_len is 16 bits. */
	if (size > UINT16_MAX)
		return 0;
	len = (uint32_t)size;
	buf = malloc(size > 0 ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	parse_one(buf, len, 0);
	parse_one(buf, len, GW_PKT_HW_IP_CKSUM_GOOD);
	parse_one(buf, len, GW_PKT_HW_IP_CKSUM_BAD);
	/* The parser must not write to the frame. */
	CHECK(size == 0 || memcmp(buf, data, size) == 0);
	free(buf);
	return 0;
}
