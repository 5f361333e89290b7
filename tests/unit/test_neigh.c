/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/neigh: the L3 view (local addresses, routes through rte_lpm and
 * rte_lpm6, source selection) and the per-worker neighbour table.
 *
 * The neighbour table is driven by a virtual clock: times are plain
 * integers passed in, with reachable = 1000, stale_gc = 10000,
 * retrans = 100 and max_probes = 3, so every state change is checked at
 * the exact tick it is due and the one before. The ops callbacks record
 * solicitations and dropped packets; every test checks that the mbuf pool
 * is back to its starting count when it ends, so a packet leaked or freed
 * twice by the table shows up. Needs EAL (rte_lpm, rte_hash, mbufs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_memory.h>

#include "gw_l3.h"
#include "gw_neigh.h"
#include "gw_test_eal.h"

#define NB_MBUFS 512

/* ---------------------------------------------------------------- helpers */

struct ip {
	int family;
	uint8_t b[16];
};

static struct ip
ip_of(const char *s)
{
	struct ip a;

	memset(&a, 0, sizeof(a));
	a.family = strchr(s, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(a.family, s, a.b) != 1)
		fail_msg("bad address in test: %s", s);
	return a;
}

static const char *
ip_str(int family, const uint8_t *b, char *buf)
{
	return inet_ntop(family, b, buf, INET6_ADDRSTRLEN);
}

/* ---------------------------------------------------------------- gw_l3 */

/*
 * The topology every L3 test looks at:
 *   port 0: 10.0.0.1/24, 10.0.0.2/24, 2001:db8::1/64
 *   port 1: 172.16.0.1/16, 192.168.1.1/24, 2001:db8:1::1/64
 *   VIPs:   203.0.113.10, 2001:db8:ffff::10
 *   routes: [0.0.0.0/0 via 10.0.0.254, ::/0 via 2001:db8:1::fe]
 *           198.51.100.0/24 via 192.168.1.254, 198.51.100.128/25 via 10.0.0.253,
 *           100.64.0.0/10 via 192.0.2.1 on port 1 (explicit, not on a subnet),
 *           2001:db8:100::/48 via 2001:db8::fe,
 *           2001:db8:100:8000::/49 via 2001:db8:1::fd
 */
struct l3_addr_spec {
	uint16_t port;
	const char *ip;
	uint8_t plen;
};

struct l3_route_spec {
	const char *prefix;
	uint8_t plen;
	const char *via;
	int port;
};

static const struct l3_addr_spec topo_addrs[] = {
	{ 0, "10.0.0.1", 24 },
	{ 0, "10.0.0.2", 24 },
	{ 0, "2001:db8::1", 64 },
	{ 1, "172.16.0.1", 16 },
	{ 1, "192.168.1.1", 24 },
	{ 1, "2001:db8:1::1", 64 },
};

static const char *const topo_vips[] = { "203.0.113.10", "2001:db8:ffff::10" };

static const struct l3_route_spec topo_defaults[] = {
	{ "0.0.0.0", 0, "10.0.0.254", -1 },
	{ "::", 0, "2001:db8:1::fe", -1 },
};

static const struct l3_route_spec topo_routes[] = {
	{ "198.51.100.0", 24, "192.168.1.254", -1 },
	{ "198.51.100.128", 25, "10.0.0.253", -1 },
	{ "100.64.0.0", 10, "192.0.2.1", 1 },
	{ "2001:db8:100::", 48, "2001:db8::fe", -1 },
	{ "2001:db8:100:8000::", 49, "2001:db8:1::fd", -1 },
};

static int
add_route_spec(struct gw_l3 *l3, const struct l3_route_spec *r)
{
	struct ip p = ip_of(r->prefix), v = ip_of(r->via);

	return gw_l3_add_route(l3, p.family, p.b, r->plen, v.b, r->port);
}

static struct gw_l3 *
topo_build(bool with_default)
{
	struct gw_l3 *l3 = gw_l3_create(2, SOCKET_ID_ANY);

	assert_non_null(l3);
	for (size_t i = 0; i < RTE_DIM(topo_addrs); i++) {
		struct ip a = ip_of(topo_addrs[i].ip);

		assert_int_equal(gw_l3_add_addr(l3, topo_addrs[i].port, a.family, a.b,
			topo_addrs[i].plen), 0);
	}
	for (size_t i = 0; i < RTE_DIM(topo_vips); i++) {
		struct ip a = ip_of(topo_vips[i]);

		assert_int_equal(gw_l3_add_vip(l3, a.family, a.b), 0);
	}
	if (with_default)
		for (size_t i = 0; i < RTE_DIM(topo_defaults); i++)
			assert_int_equal(add_route_spec(l3, &topo_defaults[i]), 0);
	for (size_t i = 0; i < RTE_DIM(topo_routes); i++)
		assert_int_equal(add_route_spec(l3, &topo_routes[i]), 0);
	assert_int_equal(gw_l3_finalize(l3), 0);
	return l3;
}

static int
l3_group_setup(void **state)
{
	(void)state;
	return gw_test_eal_init(1) == 0 ? 0 : -1;
}

static void
test_l3_local_lookup(void **state)
{
	static const struct {
		const char *desc;
		const char *ip;
		enum gw_l3_local_kind kind;
		uint16_t port;
	} cases[] = {
		{ "port 0 address", "10.0.0.1", GW_L3_PORT_ADDR, 0 },
		{ "second address of port 0", "10.0.0.2", GW_L3_PORT_ADDR, 0 },
		{ "port 1 address", "172.16.0.1", GW_L3_PORT_ADDR, 1 },
		{ "last IPv4 address in sort order", "192.168.1.1", GW_L3_PORT_ADDR, 1 },
		{ "IPv4 VIP", "203.0.113.10", GW_L3_VIP, 0 },
		{ "neighbour on port 0's subnet", "10.0.0.3", GW_L3_NOT_LOCAL, 0 },
		{ "below every address", "1.1.1.1", GW_L3_NOT_LOCAL, 0 },
		{ "above every address", "250.0.0.1", GW_L3_NOT_LOCAL, 0 },
		{ "subnet address", "10.0.0.0", GW_L3_NOT_LOCAL, 0 },
		/* The first 4 bytes of 2001:db8::1: families do not mix. */
		{ "IPv4 with an IPv6 address's leading bytes", "32.1.13.184", GW_L3_NOT_LOCAL, 0 },
		{ "IPv6 port 0 address", "2001:db8::1", GW_L3_PORT_ADDR, 0 },
		{ "IPv6 port 1 address", "2001:db8:1::1", GW_L3_PORT_ADDR, 1 },
		{ "IPv6 VIP", "2001:db8:ffff::10", GW_L3_VIP, 0 },
		{ "IPv6 neighbour", "2001:db8::2", GW_L3_NOT_LOCAL, 0 },
		{ "IPv6 differing in the last bit", "2001:db8:ffff::11", GW_L3_NOT_LOCAL, 0 },
		{ "IPv4-mapped IPv6 of a local address", "::ffff:10.0.0.1", GW_L3_NOT_LOCAL, 0 },
	};
	struct gw_l3 *l3 = topo_build(true);
	(void)state;

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		struct ip a = ip_of(cases[i].ip);
		uint16_t port = 0xeeee;
		enum gw_l3_local_kind k = gw_l3_local_lookup(l3, a.family, a.b, &port);

		if (k != cases[i].kind)
			fail_msg("%s (%s): kind %d, want %d", cases[i].desc, cases[i].ip, k,
				cases[i].kind);
		if (k == GW_L3_PORT_ADDR && port != cases[i].port)
			fail_msg("%s (%s): port %u, want %u", cases[i].desc, cases[i].ip, port,
				cases[i].port);
	}
	/* @port may be NULL. */
	{
		struct ip a = ip_of("10.0.0.2");

		assert_int_equal(gw_l3_local_lookup(l3, AF_INET, a.b, NULL), GW_L3_PORT_ADDR);
	}
	gw_l3_free(l3);
}

struct route_case {
	const char *desc;
	const char *dst;
	int rc;
	uint16_t port;
	const char *nh;         /* next hop to resolve */
};

static void
check_routes(struct gw_l3 *l3, const struct route_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct ip d = ip_of(cases[i].dst);
		uint8_t nh[16];
		uint16_t port = 0xeeee;
		char buf[INET6_ADDRSTRLEN];
		int rc;

		memset(nh, 0xaa, sizeof(nh));
		rc = gw_l3_route_lookup(l3, d.family, d.b, &port, nh);
		if (rc != cases[i].rc)
			fail_msg("%s (%s): rc %d, want %d", cases[i].desc, cases[i].dst, rc,
				cases[i].rc);
		if (rc != 0)
			continue;
		if (port != cases[i].port)
			fail_msg("%s (%s): port %u, want %u", cases[i].desc, cases[i].dst, port,
				cases[i].port);
		{
			struct ip want = ip_of(cases[i].nh);

			/* IPv4 next hops come zero-padded to 16 bytes. */
			if (memcmp(nh, want.b, 16) != 0)
				fail_msg("%s (%s): next hop %s, want %s", cases[i].desc,
					cases[i].dst, ip_str(d.family, nh, buf), cases[i].nh);
		}
	}
}

static void
test_l3_route_lookup(void **state)
{
	static const struct route_case cases[] = {
		{ "connected /24: on-link, the destination itself", "10.0.0.77", 0, 0,
			"10.0.0.77" },
		{ "connected, broadcast address of the subnet", "10.0.0.255", 0, 0,
			"10.0.0.255" },
		{ "connected /24 on port 1", "192.168.1.9", 0, 1, "192.168.1.9" },
		{ "connected /16 on port 1", "172.16.200.5", 0, 1, "172.16.200.5" },
		{ "static /24 via port 1's subnet", "198.51.100.5", 0, 1, "192.168.1.254" },
		{ "last address of the /24's lower half", "198.51.100.127", 0, 1,
			"192.168.1.254" },
		{ "more specific /25 wins", "198.51.100.128", 0, 0, "10.0.0.253" },
		{ "inside the /25", "198.51.100.200", 0, 0, "10.0.0.253" },
		{ "explicit port, via on no subnet", "100.127.255.255", 0, 1, "192.0.2.1" },
		{ "just outside the /10: default", "100.128.0.0", 0, 0, "10.0.0.254" },
		{ "default route", "8.8.8.8", 0, 0, "10.0.0.254" },
		{ "default route, 255.255.255.255", "255.255.255.255", 0, 0, "10.0.0.254" },
		{ "default route, 0.0.0.0", "0.0.0.0", 0, 0, "10.0.0.254" },
		{ "VIP is not a connected subnet: default", "203.0.113.11", 0, 0,
			"10.0.0.254" },
		{ "IPv6 connected on port 0", "2001:db8::99", 0, 0, "2001:db8::99" },
		{ "IPv6 connected on port 1", "2001:db8:1::5", 0, 1, "2001:db8:1::5" },
		{ "IPv6 static /48", "2001:db8:100:5::1", 0, 0, "2001:db8::fe" },
		{ "IPv6 more specific /49", "2001:db8:100:8001::1", 0, 1, "2001:db8:1::fd" },
		{ "IPv6 default", "2606:4700::1", 0, 1, "2001:db8:1::fe" },
		{ "IPv6 next to the /64: default", "2001:db8:2::1", 0, 1, "2001:db8:1::fe" },
	};
	struct gw_l3 *l3 = topo_build(true);
	(void)state;

	check_routes(l3, cases, RTE_DIM(cases));
	gw_l3_free(l3);
}

static void
test_l3_route_no_default(void **state)
{
	static const struct route_case cases[] = {
		{ "no route, no default", "8.8.8.8", -ENETUNREACH, 0, NULL },
		{ "no route, just past the /10", "100.128.0.0", -ENETUNREACH, 0, NULL },
		{ "connected still found", "10.0.0.9", 0, 0, "10.0.0.9" },
		{ "static still found", "198.51.100.5", 0, 1, "192.168.1.254" },
		{ "IPv6 no route, no default", "2606:4700::1", -ENETUNREACH, 0, NULL },
		{ "IPv6 connected still found", "2001:db8:1::5", 0, 1, "2001:db8:1::5" },
	};
	struct gw_l3 *l3 = topo_build(false);
	(void)state;

	check_routes(l3, cases, RTE_DIM(cases));
	gw_l3_free(l3);
}

/* An l3 with nothing in it: lookups fail cleanly. */
static void
test_l3_empty(void **state)
{
	static const struct route_case cases[] = {
		{ "empty, IPv4", "10.0.0.1", -ENETUNREACH, 0, NULL },
		{ "empty, IPv6", "2001:db8::1", -ENETUNREACH, 0, NULL },
	};
	struct gw_l3 *l3 = gw_l3_create(1, SOCKET_ID_ANY);
	struct ip a = ip_of("10.0.0.1"), a6 = ip_of("2001:db8::1");
	uint8_t src[16];
	(void)state;

	assert_non_null(l3);
	assert_int_equal(gw_l3_finalize(l3), 0);
	check_routes(l3, cases, RTE_DIM(cases));
	assert_int_equal(gw_l3_local_lookup(l3, AF_INET, a.b, NULL), GW_L3_NOT_LOCAL);
	assert_int_equal(gw_l3_local_lookup(l3, AF_INET6, a6.b, NULL), GW_L3_NOT_LOCAL);
	assert_int_equal(gw_l3_source(l3, 0, AF_INET, a.b, src), -EADDRNOTAVAIL);
	gw_l3_free(l3);
	gw_l3_free(NULL);
}

static void
test_l3_source(void **state)
{
	static const struct {
		const char *desc;
		uint16_t port;
		const char *dst;
		int rc;
		const char *src;
	} cases[] = {
		{ "dst in port 0's subnet", 0, "10.0.0.50", 0, "10.0.0.1" },
		{ "dst elsewhere: port 0's first", 0, "8.8.8.8", 0, "10.0.0.1" },
		/* 192.168.1.1 is port 1's second address: the subnet match wins. */
		{ "dst in the subnet of port 1's second address", 1, "192.168.1.50", 0,
			"192.168.1.1" },
		{ "dst in the subnet of port 1's first address", 1, "172.16.3.3", 0,
			"172.16.0.1" },
		{ "dst elsewhere: port 1's first", 1, "8.8.8.8", 0, "172.16.0.1" },
		{ "dst on port 0's subnet but asking port 1", 1, "10.0.0.50", 0, "172.16.0.1" },
		{ "dst is a VIP: VIPs are never sources", 0, "203.0.113.10", 0, "10.0.0.1" },
		{ "IPv6 dst in port 0's subnet", 0, "2001:db8::99", 0, "2001:db8::1" },
		{ "IPv6 dst elsewhere", 0, "2606:4700::1", 0, "2001:db8::1" },
		{ "IPv6 on port 1", 1, "2001:db8:1::7", 0, "2001:db8:1::1" },
	};
	struct gw_l3 *l3 = topo_build(true);
	(void)state;

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		struct ip d = ip_of(cases[i].dst);
		uint8_t src[16];
		char buf[INET6_ADDRSTRLEN];
		int rc;

		memset(src, 0xaa, sizeof(src));
		rc = gw_l3_source(l3, cases[i].port, d.family, d.b, src);
		if (rc != cases[i].rc)
			fail_msg("%s: rc %d, want %d", cases[i].desc, rc, cases[i].rc);
		if (rc == 0 && memcmp(src, ip_of(cases[i].src).b, 16) != 0)
			fail_msg("%s: source %s, want %s", cases[i].desc,
				ip_str(d.family, src, buf), cases[i].src);
	}
	gw_l3_free(l3);

	/* A port with only VIPs around, and one family missing. */
	l3 = gw_l3_create(2, SOCKET_ID_ANY);
	assert_non_null(l3);
	{
		struct ip a = ip_of("10.0.0.1"), v = ip_of("203.0.113.10");
		struct ip d = ip_of("10.0.0.9"), d6 = ip_of("2001:db8::9");
		uint8_t src[16];

		assert_int_equal(gw_l3_add_addr(l3, 0, AF_INET, a.b, 24), 0);
		assert_int_equal(gw_l3_add_vip(l3, AF_INET, v.b), 0);
		assert_int_equal(gw_l3_finalize(l3), 0);
		assert_int_equal(gw_l3_source(l3, 1, AF_INET, d.b, src), -EADDRNOTAVAIL);
		assert_int_equal(gw_l3_source(l3, 0, AF_INET6, d6.b, src), -EADDRNOTAVAIL);
		assert_int_equal(gw_l3_source(l3, 0, AF_INET, d.b, src), 0);
		assert_memory_equal(src, a.b, 16);
	}
	gw_l3_free(l3);
}

enum { OP_ADDR, OP_VIP, OP_ROUTE, OP_FINALIZE };

/* Build steps applied in order to one l3, each with its expected result. */
static void
test_l3_build_errors(void **state)
{
	static const struct {
		const char *desc;
		int op;
		int port;               /* address port, or route port */
		const char *ip;         /* address, VIP or route prefix */
		uint8_t plen;
		const char *via;
		int family;             /* 0: the one of @ip */
		int rc;
	} steps[] = {
		{ "port 0 address", OP_ADDR, 0, "10.0.0.1", 24, NULL, 0, 0 },
		{ "port 0 IPv6 address", OP_ADDR, 0, "2001:db8::1", 64, NULL, 0, 0 },
		{ "VIP", OP_VIP, 0, "203.0.113.10", 0, NULL, 0, 0 },
		{ "IPv6 VIP", OP_VIP, 0, "2001:db8:ffff::10", 0, NULL, 0, 0 },
		{ "route via port 0", OP_ROUTE, -1, "198.51.100.0", 24, "10.0.0.254", 0, 0 },
		{ "same address again, same port", OP_ADDR, 0, "10.0.0.1", 24, NULL, 0, -EEXIST },
		{ "same address on the other port", OP_ADDR, 1, "10.0.0.1", 16, NULL, 0,
			-EEXIST },
		{ "IPv6 address again", OP_ADDR, 1, "2001:db8::1", 64, NULL, 0, -EEXIST },
		{ "VIP again", OP_VIP, 0, "203.0.113.10", 0, NULL, 0, -EEXIST },
		{ "IPv6 VIP again", OP_VIP, 0, "2001:db8:ffff::10", 0, NULL, 0, -EEXIST },
		{ "VIP equal to a port address", OP_VIP, 0, "10.0.0.1", 0, NULL, 0, -EEXIST },
		{ "port address equal to a VIP", OP_ADDR, 1, "203.0.113.10", 24, NULL, 0,
			-EEXIST },
		{ "IPv6 whose first bytes are an IPv4 address: no clash", OP_ADDR, 1,
			"a00:1::", 64, NULL, 0, 0 },
		{ "address on port 2 of 2", OP_ADDR, 2, "10.9.0.1", 24, NULL, 0, -EINVAL },
		{ "IPv4 prefix length 33", OP_ADDR, 1, "10.9.0.1", 33, NULL, 0, -EINVAL },
		{ "IPv6 prefix length 129", OP_ADDR, 1, "2001:db8:9::1", 129, NULL, 0, -EINVAL },
		{ "address of family AF_UNIX", OP_ADDR, 1, "10.9.0.1", 24, NULL, AF_UNIX,
			-EINVAL },
		{ "VIP of family AF_UNIX", OP_VIP, 0, "10.9.0.1", 0, NULL, AF_UNIX, -EINVAL },
		{ "second port address", OP_ADDR, 1, "192.168.1.1", 24, NULL, 0, 0 },
		{ "route prefix length 33", OP_ROUTE, -1, "10.1.2.3", 33, "10.0.0.254", 0,
			-EINVAL },
		{ "via on no subnet", OP_ROUTE, -1, "198.18.0.0", 15, "9.9.9.9", 0,
			-ENETUNREACH },
		{ "via a VIP (not a subnet)", OP_ROUTE, -1, "198.18.0.0", 15, "203.0.113.10", 0,
			-ENETUNREACH },
		{ "IPv6 via on no subnet", OP_ROUTE, -1, "2001:db8:100::", 48, "2001:db8:9::1", 0,
			-ENETUNREACH },
		{ "explicit port 2 of 2", OP_ROUTE, 2, "198.18.0.0", 15, "10.0.0.254", 0,
			-EINVAL },
		{ "same prefix again, other via", OP_ROUTE, -1, "198.51.100.0", 24,
			"192.168.1.254", 0, -EEXIST },
		{ "same address, longer prefix", OP_ROUTE, -1, "198.51.100.0", 25,
			"192.168.1.254", 0, 0 },
		{ "host route", OP_ROUTE, -1, "198.51.100.7", 32, "10.0.0.254", 0, 0 },
		{ "default route", OP_ROUTE, -1, "0.0.0.0", 0, "10.0.0.254", 0, 0 },
		{ "second default route", OP_ROUTE, -1, "0.0.0.0", 0, "192.168.1.254", 0,
			-EEXIST },
		{ "IPv6 default route", OP_ROUTE, -1, "::", 0, "2001:db8::fe", 0, 0 },
		{ "finalize", OP_FINALIZE, 0, NULL, 0, NULL, 0, 0 },
		{ "finalize twice", OP_FINALIZE, 0, NULL, 0, NULL, 0, -EALREADY },
		{ "address after finalize", OP_ADDR, 1, "10.7.0.1", 24, NULL, 0, -EINVAL },
		{ "VIP after finalize", OP_VIP, 0, "203.0.113.77", 0, NULL, 0, -EINVAL },
		{ "route after finalize", OP_ROUTE, -1, "198.19.0.0", 16, "10.0.0.254", 0,
			-EINVAL },
	};
	struct gw_l3 *l3 = gw_l3_create(2, SOCKET_ID_ANY);
	(void)state;

	assert_non_null(l3);
	for (size_t i = 0; i < RTE_DIM(steps); i++) {
		struct ip a = { 0 }, v;
		int fam, rc = 0;

		if (steps[i].op != OP_FINALIZE)
			a = ip_of(steps[i].ip);
		fam = steps[i].family ? steps[i].family : a.family;
		switch (steps[i].op) {
		case OP_ADDR:
			rc = gw_l3_add_addr(l3, (uint16_t)steps[i].port, fam, a.b, steps[i].plen);
			break;
		case OP_VIP:
			rc = gw_l3_add_vip(l3, fam, a.b);
			break;
		case OP_ROUTE:
			v = ip_of(steps[i].via);
			rc = gw_l3_add_route(l3, fam, a.b, steps[i].plen, v.b, steps[i].port);
			break;
		default:
			rc = gw_l3_finalize(l3);
			break;
		}
		if (rc != steps[i].rc)
			fail_msg("step %zu, %s: rc %d, want %d", i, steps[i].desc, rc, steps[i].rc);
	}
	/* What was accepted is what is routed. */
	{
		static const struct route_case cases[] = {
			{ "/25 added beside the /24", "198.51.100.1", 0, 1, "192.168.1.254" },
			{ "rest of the /24", "198.51.100.200", 0, 0, "10.0.0.254" },
			{ "host route", "198.51.100.7", 0, 0, "10.0.0.254" },
			{ "first default route kept", "8.8.8.8", 0, 0, "10.0.0.254" },
			{ "connected route of the IPv6 address starting 0a00:0001", "a00:1::5", 0,
				1, "a00:1::5" },
			{ "IPv6 default", "2606:4700::1", 0, 0, "2001:db8::fe" },
		};

		check_routes(l3, cases, RTE_DIM(cases));
	}
	gw_l3_free(l3);
}

/*
 * A static route whose prefix has bits set past its length is a
 * configuration mistake (10.1.2.3/16): gw_l3_add_route() must refuse it
 * with -EINVAL, each on a fresh l3 so one acceptance cannot hide another.
 */
static void
test_l3_route_host_bits(void **state)
{
	static const struct {
		const char *desc;
		const char *prefix;
		uint8_t plen;
		const char *via;
	} cases[] = {
		{ "10.1.2.3/16", "10.1.2.3", 16, "10.0.0.254" },
		{ "one host bit past a /25: 10.1.2.64/25", "10.1.2.64", 25, "10.0.0.254" },
		{ "lowest bit of a /31: 10.1.2.1/31", "10.1.2.1", 31, "10.0.0.254" },
		{ "default route with a non-zero prefix: 1.0.0.0/0", "1.0.0.0", 0, "10.0.0.254" },
		{ "IPv6 2001:db8:5::1/64", "2001:db8:5::1", 64, "2001:db8::fe" },
		{ "IPv6 default with a non-zero prefix: 2000::/0", "2000::", 0, "2001:db8::fe" },
	};
	(void)state;

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		struct gw_l3 *l3 = gw_l3_create(1, SOCKET_ID_ANY);
		struct ip a = ip_of("10.0.0.1"), a6 = ip_of("2001:db8::1");
		struct ip p = ip_of(cases[i].prefix), v = ip_of(cases[i].via);
		int rc;

		assert_non_null(l3);
		assert_int_equal(gw_l3_add_addr(l3, 0, AF_INET, a.b, 24), 0);
		assert_int_equal(gw_l3_add_addr(l3, 0, AF_INET6, a6.b, 64), 0);
		rc = gw_l3_add_route(l3, p.family, p.b, cases[i].plen, v.b, -1);
		gw_l3_free(l3);
		if (rc != -EINVAL)
			fail_msg("route %s via %s: rc %d, want -EINVAL (%d)", cases[i].desc,
				cases[i].via, rc, -EINVAL);
	}
}

static void
test_l3_prefix_match(void **state)
{
	static const struct {
		const char *desc;
		const char *a, *b;
		uint8_t plen;
		bool want;
	} cases[] = {
		{ "plen 0 matches anything", "1.2.3.4", "250.0.0.1", 0, true },
		{ "plen 32, equal", "10.0.0.1", "10.0.0.1", 32, true },
		{ "plen 32, last bit differs", "10.0.0.1", "10.0.0.0", 32, false },
		{ "plen 31, last bit differs", "10.0.0.1", "10.0.0.0", 31, true },
		{ "plen 33 is out of range", "10.0.0.1", "10.0.0.1", 33, false },
		{ "plen 1, both below 128", "0.0.0.0", "127.255.255.255", 1, true },
		{ "plen 1, first bit differs", "0.0.0.0", "128.0.0.0", 1, false },
		{ "plen 8, byte aligned", "10.1.2.3", "10.200.0.0", 8, true },
		{ "plen 8, first byte differs", "10.1.2.3", "11.1.2.3", 8, false },
		{ "plen 23, bit 24 differs", "10.0.0.0", "10.0.1.0", 23, true },
		{ "plen 24, bit 24 differs", "10.0.0.0", "10.0.1.0", 24, false },
		{ "plen 25, low half", "10.0.0.1", "10.0.0.127", 25, true },
		{ "plen 25, high half", "10.0.0.1", "10.0.0.128", 25, false },
		{ "plen 10, inside 100.64/10", "100.64.0.0", "100.127.255.255", 10, true },
		{ "plen 10, outside 100.64/10", "100.64.0.0", "100.128.0.0", 10, false },
		{ "IPv6 plen 0", "2001:db8::1", "fe80::1", 0, true },
		{ "IPv6 plen 128, equal", "2001:db8::1", "2001:db8::1", 128, true },
		{ "IPv6 plen 128, last bit differs", "2001:db8::1", "2001:db8::", 128, false },
		{ "IPv6 plen 127, last bit differs", "2001:db8::1", "2001:db8::", 127, true },
		{ "IPv6 plen 129 is out of range", "2001:db8::1", "2001:db8::1", 129, false },
		{ "IPv6 plen 64", "2001:db8::1", "2001:db8::ffff:1", 64, true },
		{ "IPv6 plen 64, bit 64 differs", "2001:db8::1", "2001:db8:0:1::1", 64, false },
		{ "IPv6 plen 63, bit 64 differs", "2001:db8::1", "2001:db8:0:1::1", 63, true },
		{ "IPv6 plen 49, bit 49 differs", "2001:db8:100::", "2001:db8:100:8000::", 49,
			false },
		{ "IPv6 plen 48, bit 49 differs", "2001:db8:100::", "2001:db8:100:8000::", 48,
			true },
		{ "IPv6 plen 3, 2000::/3", "2000::", "3fff:ffff::", 3, true },
		{ "IPv6 plen 3, outside 2000::/3", "2000::", "4000::", 3, false },
		/* IPv4 never looks past its 4 bytes, whatever follows them. */
		{ "IPv4 plen 32 ignores the rest", "10.0.0.1", "10.0.0.1", 32, true },
	};
	(void)state;

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		struct ip a = ip_of(cases[i].a), b = ip_of(cases[i].b);
		bool got;

		assert_int_equal(a.family, b.family);
		if (a.family == AF_INET)
			memset(b.b + 4, 0x5a, 12);
		got = gw_l3_prefix_match(a.family, a.b, b.b, cases[i].plen);
		if (got != cases[i].want)
			fail_msg("%s: %s vs %s /%u: %d", cases[i].desc, cases[i].a, cases[i].b,
				cases[i].plen, got);
		/* Symmetric. */
		if (gw_l3_prefix_match(a.family, b.b, a.b, cases[i].plen) != got)
			fail_msg("%s: not symmetric", cases[i].desc);
	}
}

/* ---------------------------------------------------------------- gw_neigh */

#define T0          1000000ull
#define REACHABLE   1000
#define STALE_GC    10000
#define RETRANS     100
#define MAX_PROBES  3
#define MAX_RECORDS 64

static struct rte_mempool *pool;
static unsigned int table_seq;

static const struct gw_neigh_params params = {
	.reachable = REACHABLE,
	.stale_gc = STALE_GC,
	.retrans = RETRANS,
	.max_probes = MAX_PROBES,
};

/* What the ops callbacks saw. */
struct rec {
	unsigned int n_solicit;
	struct gw_neigh_key solicited[MAX_RECORDS];
	unsigned int n_drop;
	struct rte_mbuf *dropped[MAX_RECORDS];
};

struct nctx {
	struct gw_neigh_table *t;
	struct rec r;
	unsigned int avail0;
};

static void
rec_solicit(void *arg, const struct gw_neigh_key *k)
{
	struct rec *r = arg;

	if (r->n_solicit < MAX_RECORDS)
		r->solicited[r->n_solicit] = *k;
	r->n_solicit++;
}

static void
rec_drop(void *arg, struct rte_mbuf *m)
{
	struct rec *r = arg;

	if (r->n_drop < MAX_RECORDS)
		r->dropped[r->n_drop] = m;
	r->n_drop++;
	rte_pktmbuf_free(m);
}

static const struct gw_neigh_ops rec_ops = {
	.solicit = rec_solicit,
	.drop = rec_drop,
};

static struct gw_neigh_table *
table_new(uint32_t capacity, struct rec *r)
{
	char name[32];
	struct gw_neigh_table *t;

	snprintf(name, sizeof(name), "tn%u_%u", (unsigned int)getpid() % 100000, table_seq++);
	t = gw_neigh_create(name, capacity, SOCKET_ID_ANY, &params, &rec_ops, r);
	assert_non_null(t);
	return t;
}

static struct gw_neigh_key
key_of(uint16_t port, const char *ip)
{
	struct gw_neigh_key k;
	struct ip a = ip_of(ip);

	memset(&k, 0, sizeof(k));
	k.port = port;
	k.family = (uint8_t)a.family;
	memcpy(k.ip, a.b, 16);
	return k;
}

static struct rte_ether_addr
mac_of(uint8_t last)
{
	struct rte_ether_addr m = { .addr_bytes = { 0x02, 0x00, 0x5e, 0x10, 0x00, last } };

	return m;
}

static struct rte_mbuf *
mb(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	return m;
}

static void
free_all(struct rte_mbuf **m, int n)
{
	for (int i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

/* The dump entry for @k, or fail. */
static struct gw_neigh_info
info_of(const struct gw_neigh_table *t, const struct gw_neigh_key *k, uint64_t now)
{
	struct gw_neigh_info out[MAX_RECORDS];
	uint32_t n = gw_neigh_dump(t, now, out, MAX_RECORDS);

	for (uint32_t i = 0; i < n; i++)
		if (memcmp(&out[i].key, k, sizeof(*k)) == 0)
			return out[i];
	fail_msg("no entry in the dump");
	return out[0];
}

static bool
in_dump(const struct gw_neigh_table *t, const struct gw_neigh_key *k, uint64_t now)
{
	struct gw_neigh_info out[MAX_RECORDS];
	uint32_t n = gw_neigh_dump(t, now, out, MAX_RECORDS);

	for (uint32_t i = 0; i < n; i++)
		if (memcmp(&out[i].key, k, sizeof(*k)) == 0)
			return true;
	return false;
}

static void
assert_state(const struct gw_neigh_table *t, const struct gw_neigh_key *k, uint64_t now,
	enum gw_neigh_state want)
{
	struct gw_neigh_info i = info_of(t, k, now);

	if (i.state != want)
		fail_msg("state %s, want %s", gw_neigh_state_name(i.state),
			gw_neigh_state_name((uint8_t)want));
}

static int
neigh_group_setup(void **state)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	(void)state;
	if (gw_test_eal_init(1) != 0)
		return -1;
	snprintf(name, sizeof(name), "tneigh_%d", (int)getpid());
	/* No per-lcore cache, so the available count is exact. */
	pool = rte_pktmbuf_pool_create(name, NB_MBUFS, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
		SOCKET_ID_ANY);
	return pool != NULL ? 0 : -1;
}

static int
neigh_group_teardown(void **state)
{
	(void)state;
	rte_mempool_free(pool);
	pool = NULL;
	return 0;
}

static int
neigh_setup(void **state)
{
	struct nctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return -1;
	c->avail0 = rte_mempool_avail_count(pool);
	c->t = table_new(64, &c->r);
	*state = c;
	return 0;
}

/* Every test ends with every mbuf back in the pool. */
static int
neigh_teardown(void **state)
{
	struct nctx *c = *state;
	unsigned int avail0 = c->avail0;

	gw_neigh_free(c->t);
	free(c);
	assert_int_equal(rte_mempool_avail_count(pool), avail0);
	return 0;
}

/* A miss creates an INCOMPLETE entry, holds the packet and solicits once. */
static void
test_neigh_miss_holds(void **state)
{
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(0, "10.0.0.5");
	struct rte_ether_addr mac = mac_of(0xee), untouched = mac;
	struct gw_neigh_info i;

	assert_int_equal(gw_neigh_count(c->t), 0);
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0, mb(), &mac), GW_NEIGH_HELD);
	assert_memory_equal(&mac, &untouched, sizeof(mac));
	assert_int_equal(gw_neigh_count(c->t), 1);
	assert_int_equal(c->r.n_solicit, 1);
	assert_memory_equal(&c->r.solicited[0], &k, sizeof(k));
	assert_int_equal(c->r.n_drop, 0);
	i = info_of(c->t, &k, T0 + 7);
	assert_int_equal(i.state, GW_NEIGH_INCOMPLETE);
	assert_int_equal(i.held, 1);
	assert_int_equal(i.age, 7);
}

/* Up to GW_NEIGH_HOLD packets wait; the next is refused and stays the caller's. */
static void
test_neigh_hold_limit_and_release(void **state)
{
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(0, "10.0.0.5");
	struct rte_ether_addr mac, want = mac_of(5);
	struct rte_mbuf *m[GW_NEIGH_HOLD], *extra, *released[GW_NEIGH_HOLD];
	int n;

	for (int i = 0; i < GW_NEIGH_HOLD; i++) {
		m[i] = mb();
		if (gw_neigh_resolve(c->t, &k, T0 + (uint64_t)i, m[i], &mac) != GW_NEIGH_HELD)
			fail_msg("packet %d not held", i);
	}
	/* Only the miss solicited: retrans has not passed. */
	assert_int_equal(c->r.n_solicit, 1);
	assert_int_equal(info_of(c->t, &k, T0 + 8).held, GW_NEIGH_HOLD);
	extra = mb();
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 9, extra, &mac), -ENOBUFS);
	assert_int_equal(info_of(c->t, &k, T0 + 9).held, GW_NEIGH_HOLD);
	rte_pktmbuf_free(extra);

	memset(released, 0, sizeof(released));
	n = gw_neigh_update(c->t, &k, &want, T0 + 50, false, released);
	assert_int_equal(n, GW_NEIGH_HOLD);
	for (int i = 0; i < GW_NEIGH_HOLD; i++)
		if (released[i] != m[i])
			fail_msg("released[%d] is not the %dth held packet", i, i);
	free_all(released, n);
	assert_int_equal(info_of(c->t, &k, T0 + 50).held, 0);
	assert_state(c->t, &k, T0 + 50, GW_NEIGH_REACHABLE);

	/* Now resolved: SEND with the MAC, caller keeps the packet, no solicitation. */
	memset(&mac, 0, sizeof(mac));
	extra = mb();
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 60, extra, &mac), GW_NEIGH_SEND);
	assert_memory_equal(&mac, &want, sizeof(mac));
	rte_pktmbuf_free(extra);
	assert_int_equal(c->r.n_solicit, 1);
	assert_int_equal(c->r.n_drop, 0);
	/* A second update has nothing left to release. */
	assert_int_equal(gw_neigh_update(c->t, &k, &want, T0 + 70, false, released), 0);
}

/* Reachable for `reachable` ticks, then STALE: still used, re-solicited per retrans. */
static void
test_neigh_stale_still_sends(void **state)
{
	static const struct {
		const char *desc;
		uint64_t at;            /* ticks after the confirmation */
		unsigned int solicits;  /* total after the resolve */
		enum gw_neigh_state state;
	} steps[] = {
		{ "fresh", 1, 0, GW_NEIGH_REACHABLE },
		{ "exactly `reachable` later: still reachable", REACHABLE, 0, GW_NEIGH_REACHABLE },
		{ "one tick later: stale, solicited", REACHABLE + 1, 1, GW_NEIGH_STALE },
		{ "within retrans: no new solicitation", REACHABLE + 50, 1, GW_NEIGH_STALE },
		{ "one tick before retrans", REACHABLE + RETRANS, 1, GW_NEIGH_STALE },
		{ "retrans after the last one: solicited again", REACHABLE + 1 + RETRANS, 2,
			GW_NEIGH_STALE },
		{ "right after: rate-limited", REACHABLE + 2 + RETRANS, 2, GW_NEIGH_STALE },
	};
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(1, "192.168.1.7");
	struct rte_ether_addr mac, want = mac_of(7);
	struct rte_mbuf *rel[GW_NEIGH_HOLD];

	assert_int_equal(gw_neigh_update(c->t, &k, &want, T0, true, rel), 0);
	for (size_t i = 0; i < RTE_DIM(steps); i++) {
		struct rte_mbuf *m = mb();
		int rc;

		memset(&mac, 0, sizeof(mac));
		rc = gw_neigh_resolve(c->t, &k, T0 + steps[i].at, m, &mac);
		rte_pktmbuf_free(m);
		if (rc != GW_NEIGH_SEND || memcmp(&mac, &want, sizeof(mac)) != 0)
			fail_msg("%s: rc %d or wrong MAC", steps[i].desc, rc);
		if (c->r.n_solicit != steps[i].solicits)
			fail_msg("%s: %u solicitations, want %u", steps[i].desc, c->r.n_solicit,
				steps[i].solicits);
		if (info_of(c->t, &k, T0 + steps[i].at).state != steps[i].state)
			fail_msg("%s: state %s", steps[i].desc,
				gw_neigh_state_name(info_of(c->t, &k, T0 + steps[i].at).state));
	}
	assert_memory_equal(&c->r.solicited[1], &k, sizeof(k));
	/* An answer makes it reachable again, with no solicitation due. */
	assert_int_equal(gw_neigh_update(c->t, &k, &want, T0 + 2000, false, rel), 0);
	assert_state(c->t, &k, T0 + 2000, GW_NEIGH_REACHABLE);
	{
		struct rte_mbuf *m = mb();

		assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 2500, m, &mac), GW_NEIGH_SEND);
		rte_pktmbuf_free(m);
	}
	assert_int_equal(c->r.n_solicit, 2);
	assert_int_equal(gw_neigh_count(c->t), 1);
}

/* Unanswered: re-solicit every retrans, then drop the held packets and forget. */
static void
test_neigh_incomplete_gives_up(void **state)
{
	static const struct {
		const char *desc;
		uint64_t at;
		unsigned int solicits, drops, count;
	} steps[] = {
		{ "before retrans", RETRANS - 1, 1, 0, 1 },
		{ "retrans: second solicitation", RETRANS, 2, 0, 1 },
		{ "age again in the same tick", RETRANS, 2, 0, 1 },
		{ "between", RETRANS + 50, 2, 0, 1 },
		{ "2 x retrans: third", 2 * RETRANS, 3, 0, 1 },
		{ "one tick before giving up", 3 * RETRANS - 1, 3, 0, 1 },
		{ "3 x retrans: max_probes sent, given up", 3 * RETRANS, 3, 3, 0 },
		{ "later: nothing more", 10 * RETRANS, 3, 3, 0 },
	};
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(0, "10.0.0.99"), other = key_of(0, "10.0.0.98");
	struct rte_ether_addr mac, omac = mac_of(98);
	struct rte_mbuf *m[3], *rel[GW_NEIGH_HOLD];

	/* A resolved neighbour beside it must be left alone. */
	assert_int_equal(gw_neigh_update(c->t, &other, &omac, T0, true, rel), 0);
	for (int i = 0; i < 3; i++) {
		m[i] = mb();
		assert_int_equal(gw_neigh_resolve(c->t, &k, T0, m[i], &mac), GW_NEIGH_HELD);
	}
	for (size_t i = 0; i < RTE_DIM(steps); i++) {
		gw_neigh_age(c->t, T0 + steps[i].at);
		if (c->r.n_solicit != steps[i].solicits || c->r.n_drop != steps[i].drops ||
				gw_neigh_count(c->t) != steps[i].count + 1)
			fail_msg("%s: %u solicitations, %u drops, %u entries; want %u, %u, %u",
				steps[i].desc, c->r.n_solicit, c->r.n_drop, gw_neigh_count(c->t),
				steps[i].solicits, steps[i].drops, steps[i].count + 1);
	}
	for (unsigned int i = 0; i < c->r.n_solicit; i++)
		assert_memory_equal(&c->r.solicited[i], &k, sizeof(k));
	/* Dropped through ops->drop, in the order they were held. */
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(c->r.dropped[i], m[i]);
	assert_false(in_dump(c->t, &k, T0 + 10 * RETRANS));
	assert_true(in_dump(c->t, &other, T0 + 10 * RETRANS));
	/* A late answer without create does not bring it back. */
	assert_int_equal(gw_neigh_update(c->t, &k, &omac, T0 + 1001, false, rel), 0);
	assert_false(in_dump(c->t, &k, T0 + 1001));
	/* The next packet starts over. */
	m[0] = mb();
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 1002, m[0], &mac), GW_NEIGH_HELD);
	assert_int_equal(c->r.n_solicit, 4);
	assert_state(c->t, &k, T0 + 1002, GW_NEIGH_INCOMPLETE);
}

/* An unused stale entry goes after stale_gc; a used one stays. */
static void
test_neigh_stale_gc(void **state)
{
	struct nctx *c = *state;
	struct gw_neigh_key idle = key_of(0, "10.0.0.20"), busy = key_of(0, "10.0.0.21");
	struct rte_ether_addr mac, m20 = mac_of(20), m21 = mac_of(21);
	struct rte_mbuf *rel[GW_NEIGH_HOLD], *m;

	assert_int_equal(gw_neigh_update(c->t, &idle, &m20, T0, true, rel), 0);
	assert_int_equal(gw_neigh_update(c->t, &busy, &m21, T0, true, rel), 0);
	gw_neigh_age(c->t, T0 + REACHABLE);
	assert_state(c->t, &idle, T0 + REACHABLE, GW_NEIGH_REACHABLE);
	gw_neigh_age(c->t, T0 + REACHABLE + 1);
	assert_state(c->t, &idle, T0 + REACHABLE + 1, GW_NEIGH_STALE);
	assert_int_equal(gw_neigh_count(c->t), 2);
	/* Ageing itself never solicits a stale entry: only use does. */
	assert_int_equal(c->r.n_solicit, 0);

	m = mb();
	assert_int_equal(gw_neigh_resolve(c->t, &busy, T0 + 5000, m, &mac), GW_NEIGH_SEND);
	rte_pktmbuf_free(m);
	assert_int_equal(c->r.n_solicit, 1);

	gw_neigh_age(c->t, T0 + STALE_GC);
	assert_int_equal(gw_neigh_count(c->t), 2);
	gw_neigh_age(c->t, T0 + STALE_GC + 1);
	assert_int_equal(gw_neigh_count(c->t), 1);
	assert_false(in_dump(c->t, &idle, T0 + STALE_GC + 1));
	assert_true(in_dump(c->t, &busy, T0 + STALE_GC + 1));
	/* The busy one goes stale_gc after its last use. */
	gw_neigh_age(c->t, T0 + 5000 + STALE_GC);
	assert_int_equal(gw_neigh_count(c->t), 1);
	gw_neigh_age(c->t, T0 + 5000 + STALE_GC + 1);
	assert_int_equal(gw_neigh_count(c->t), 0);
	assert_int_equal(c->r.n_drop, 0);
	assert_int_equal(c->r.n_solicit, 1);
}

/*
 * A stale entry in use whose max_probes solicitations go unanswered is
 * removed; an answer in between starts the count again.
 */
static void
test_neigh_stale_probes_exhausted(void **state)
{
	static const struct {
		const char *desc;
		bool resolve;           /* else age */
		bool answer;            /* an update instead */
		uint64_t at;
		unsigned int solicits;
		bool present;
	} steps[] = {
		{ "stale use: first solicitation", true, false, REACHABLE + 1, 1, true },
		{ "second, a retrans later", true, false, REACHABLE + 1 + RETRANS, 2, true },
		{ "answered: count starts over", false, true, REACHABLE + 150, 2, true },
		{ "stale again: one solicitation", true, false, 2 * REACHABLE + 151, 3, true },
		{ "ageing a retrans later keeps it (1 of 3)", false, false,
			2 * REACHABLE + 151 + RETRANS, 3, true },
		{ "second", true, false, 2 * REACHABLE + 151 + RETRANS, 4, true },
		{ "third", true, false, 2 * REACHABLE + 151 + 2 * RETRANS, 5, true },
		{ "ageing in the same tick keeps it", false, false,
			2 * REACHABLE + 151 + 2 * RETRANS, 5, true },
		{ "one tick before the last one's retrans", false, false,
			2 * REACHABLE + 150 + 3 * RETRANS, 5, true },
		{ "retrans after the third unanswered: removed", false, false,
			2 * REACHABLE + 151 + 3 * RETRANS, 5, false },
	};
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(0, "10.0.0.30");
	struct rte_ether_addr mac, want = mac_of(30);
	struct rte_mbuf *rel[GW_NEIGH_HOLD];

	assert_int_equal(gw_neigh_update(c->t, &k, &want, T0, true, rel), 0);
	for (size_t i = 0; i < RTE_DIM(steps); i++) {
		uint64_t now = T0 + steps[i].at;

		if (steps[i].answer) {
			assert_int_equal(gw_neigh_update(c->t, &k, &want, now, false, rel), 0);
		} else if (steps[i].resolve) {
			struct rte_mbuf *m = mb();
			int rc = gw_neigh_resolve(c->t, &k, now, m, &mac);

			rte_pktmbuf_free(m);
			if (rc != GW_NEIGH_SEND)
				fail_msg("%s: resolve %d", steps[i].desc, rc);
		} else {
			gw_neigh_age(c->t, now);
		}
		if (c->r.n_solicit != steps[i].solicits ||
				in_dump(c->t, &k, now) != steps[i].present)
			fail_msg("%s: %u solicitations, %s; want %u, %s", steps[i].desc,
				c->r.n_solicit, in_dump(c->t, &k, now) ? "present" : "gone",
				steps[i].solicits, steps[i].present ? "present" : "gone");
	}
	assert_int_equal(gw_neigh_count(c->t), 0);
	assert_int_equal(c->r.n_drop, 0);
}

static void
test_neigh_update_no_create(void **state)
{
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(0, "10.0.0.40");
	struct rte_ether_addr mac, want = mac_of(40);
	struct rte_mbuf *rel[GW_NEIGH_HOLD], *m;

	assert_int_equal(gw_neigh_update(c->t, &k, &want, T0, false, rel), 0);
	assert_int_equal(gw_neigh_count(c->t), 0);
	assert_false(in_dump(c->t, &k, T0));
	/* Not learnt: the next packet still misses. */
	m = mb();
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 1, m, &mac), GW_NEIGH_HELD);
	assert_int_equal(c->r.n_solicit, 1);
	assert_int_equal(c->r.n_drop, 0);
}

static void
test_neigh_update_create(void **state)
{
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(0, "10.0.0.41");
	struct rte_ether_addr mac, first = mac_of(41), moved = mac_of(42);
	struct rte_mbuf *rel[GW_NEIGH_HOLD], *m;
	struct gw_neigh_info i;

	assert_int_equal(gw_neigh_update(c->t, &k, &first, T0, true, rel), 0);
	assert_int_equal(gw_neigh_count(c->t), 1);
	i = info_of(c->t, &k, T0 + 3);
	assert_int_equal(i.state, GW_NEIGH_REACHABLE);
	assert_memory_equal(&i.mac, &first, sizeof(first));
	assert_int_equal(i.held, 0);
	assert_int_equal(i.age, 3);
	m = mb();
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 5, m, &mac), GW_NEIGH_SEND);
	assert_memory_equal(&mac, &first, sizeof(mac));
	/* The neighbour moved: the new MAC wins, for create either way. */
	assert_int_equal(gw_neigh_update(c->t, &k, &moved, T0 + 10, false, rel), 0);
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 11, m, &mac), GW_NEIGH_SEND);
	assert_memory_equal(&mac, &moved, sizeof(mac));
	assert_int_equal(gw_neigh_update(c->t, &k, &first, T0 + 12, true, rel), 0);
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 13, m, &mac), GW_NEIGH_SEND);
	assert_memory_equal(&mac, &first, sizeof(mac));
	rte_pktmbuf_free(m);
	assert_int_equal(gw_neigh_count(c->t), 1);
	assert_int_equal(c->r.n_solicit, 0);
}

/* Port and family are part of the key. */
static void
test_neigh_keys_distinct(void **state)
{
	struct nctx *c = *state;
	struct gw_neigh_key k[] = {
		key_of(0, "10.0.0.1"),
		key_of(1, "10.0.0.1"),
		key_of(0, "a00:1::"),   /* 10.0.0.1's bytes, as IPv6 */
		key_of(0, "2001:db8::1"),
	};
	struct rte_ether_addr mac, want = mac_of(1);
	struct rte_mbuf *m[RTE_DIM(k)], *rel[GW_NEIGH_HOLD];

	for (size_t i = 0; i < RTE_DIM(k); i++) {
		m[i] = mb();
		assert_int_equal(gw_neigh_resolve(c->t, &k[i], T0, m[i], &mac), GW_NEIGH_HELD);
	}
	assert_int_equal(gw_neigh_count(c->t), RTE_DIM(k));
	assert_int_equal(c->r.n_solicit, RTE_DIM(k));
	for (size_t i = 0; i < RTE_DIM(k); i++)
		assert_memory_equal(&c->r.solicited[i], &k[i], sizeof(k[i]));
	/* An answer on port 1 releases port 1's packet only. */
	assert_int_equal(gw_neigh_update(c->t, &k[1], &want, T0 + 1, false, rel), 1);
	assert_ptr_equal(rel[0], m[1]);
	rte_pktmbuf_free(rel[0]);
	assert_state(c->t, &k[0], T0 + 1, GW_NEIGH_INCOMPLETE);
	assert_state(c->t, &k[1], T0 + 1, GW_NEIGH_REACHABLE);
	assert_state(c->t, &k[2], T0 + 1, GW_NEIGH_INCOMPLETE);
	assert_int_equal(gw_neigh_update(c->t, &k[3], &want, T0 + 1, false, rel), 1);
	assert_ptr_equal(rel[0], m[3]);
	rte_pktmbuf_free(rel[0]);
	assert_state(c->t, &k[2], T0 + 1, GW_NEIGH_INCOMPLETE);
}

/* Capacity counts entries in every state; freed entries make room. */
static void
test_neigh_capacity(void **state)
{
	struct nctx *c = *state;
	struct rec r;
	struct gw_neigh_table *t;
	struct gw_neigh_key k[9];
	struct rte_ether_addr mac, want = mac_of(9);
	struct rte_mbuf *m, *rel[GW_NEIGH_HOLD];
	unsigned int avail0 = rte_mempool_avail_count(pool);

	memset(&r, 0, sizeof(r));
	/* 8 is the smallest rte_hash: one bucket, so all 8 keys always fit. */
	t = table_new(8, &r);
	(void)c;
	for (int i = 0; i < 9; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "10.0.1.%d", i + 1);
		k[i] = key_of(0, ip);
	}
	for (int i = 0; i < 8; i++)
		assert_int_equal(gw_neigh_resolve(t, &k[i], T0, mb(), &mac), GW_NEIGH_HELD);
	assert_int_equal(gw_neigh_count(t), 8);
	m = mb();
	assert_int_equal(gw_neigh_resolve(t, &k[8], T0, m, &mac), -ENOSPC);
	/* Still the caller's: it can be freed, and the table did not keep it. */
	rte_pktmbuf_free(m);
	assert_int_equal(gw_neigh_update(t, &k[8], &want, T0, true, rel), -ENOSPC);
	assert_int_equal(gw_neigh_count(t), 8);
	assert_int_equal(r.n_solicit, 8);
	/* Existing entries still learn. */
	assert_int_equal(gw_neigh_update(t, &k[0], &want, T0 + 1, true, rel), 1);
	rte_pktmbuf_free(rel[0]);
	/* The 7 unanswered ones give up; room again. */
	for (uint64_t at = RETRANS; at <= MAX_PROBES * RETRANS; at += RETRANS)
		gw_neigh_age(t, T0 + at);
	assert_int_equal(r.n_drop, 7);
	assert_int_equal(gw_neigh_count(t), 1);
	m = mb();
	assert_int_equal(gw_neigh_resolve(t, &k[8], T0 + 400, m, &mac), GW_NEIGH_HELD);
	assert_int_equal(gw_neigh_update(t, &k[1], &want, T0 + 401, true, rel), 0);
	assert_int_equal(gw_neigh_count(t), 3);
	gw_neigh_free(t);
	assert_int_equal(rte_mempool_avail_count(pool), avail0);
}

/*
 * A table of capacity N holds N neighbours, whatever their addresses: a
 * subnet's worth of sequential addresses must not be refused before then.
 */
static void
test_neigh_capacity_fills(void **state)
{
	static const uint32_t caps[] = { 64, 256, 1024 };
	struct nctx *c = *state;
	struct rte_ether_addr want = mac_of(1);
	struct rte_mbuf *rel[GW_NEIGH_HOLD];

	(void)c;
	for (size_t ci = 0; ci < RTE_DIM(caps); ci++) {
		struct rec r;
		struct gw_neigh_table *t;
		uint32_t n = 0;
		int rc = 0;

		memset(&r, 0, sizeof(r));
		t = table_new(caps[ci], &r);
		for (uint32_t i = 0; i <= caps[ci]; i++) {
			struct gw_neigh_key k;
			uint32_t a = htonl(0x0a000000u + i); /* 10.0.0.0 + i */

			memset(&k, 0, sizeof(k));
			k.family = AF_INET;
			memcpy(k.ip, &a, 4);
			rc = gw_neigh_update(t, &k, &want, T0, true, rel);
			if (rc < 0)
				break;
			n++;
		}
		gw_neigh_free(t);
		if (n != caps[ci] || rc != -ENOSPC)
			fail_msg("capacity %u: %u neighbours learnt before %d, want %u then -ENOSPC",
				caps[ci], n, rc, caps[ci]);
	}
}

/* The dump shows every entry with its key, MAC, state, held count and age. */
static void
test_neigh_dump(void **state)
{
	struct nctx *c = *state;
	struct gw_neigh_key inc = key_of(0, "10.0.0.50"), rea = key_of(1, "2001:db8:1::51"),
		sta = key_of(0, "10.0.0.52");
	struct rte_ether_addr mac, mrea = mac_of(51), msta = mac_of(52);
	struct rte_mbuf *rel[GW_NEIGH_HOLD];
	struct gw_neigh_info out[8], i;
	const uint64_t now = T0 + 2000;
	bool seen[3] = { false, false, false };
	uint32_t n;

	assert_int_equal(gw_neigh_update(c->t, &sta, &msta, T0, true, rel), 0);
	assert_int_equal(gw_neigh_update(c->t, &rea, &mrea, T0 + 1500, true, rel), 0);
	assert_int_equal(gw_neigh_resolve(c->t, &inc, T0 + 1990, mb(), &mac), GW_NEIGH_HELD);
	assert_int_equal(gw_neigh_resolve(c->t, &inc, T0 + 1995, mb(), &mac), GW_NEIGH_HELD);

	n = gw_neigh_dump(c->t, now, out, RTE_DIM(out));
	assert_int_equal(n, 3);
	for (uint32_t j = 0; j < n; j++) {
		i = out[j];
		if (memcmp(&i.key, &inc, sizeof(inc)) == 0) {
			seen[0] = true;
			assert_int_equal(i.state, GW_NEIGH_INCOMPLETE);
			assert_int_equal(i.held, 2);
			assert_int_equal(i.age, 10);
		} else if (memcmp(&i.key, &rea, sizeof(rea)) == 0) {
			seen[1] = true;
			assert_int_equal(i.state, GW_NEIGH_REACHABLE);
			assert_memory_equal(&i.mac, &mrea, sizeof(mrea));
			assert_int_equal(i.held, 0);
			assert_int_equal(i.age, 500);
		} else if (memcmp(&i.key, &sta, sizeof(sta)) == 0) {
			seen[2] = true;
			/* Past reachable with no ageing pass yet: shown as stale. */
			assert_int_equal(i.state, GW_NEIGH_STALE);
			assert_memory_equal(&i.mac, &msta, sizeof(msta));
			assert_int_equal(i.held, 0);
			assert_int_equal(i.age, 2000);
		} else {
			fail_msg("unexpected entry %u in the dump", j);
		}
	}
	assert_true(seen[0] && seen[1] && seen[2]);
	/* @max bounds the copy. */
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(gw_neigh_dump(c->t, now, out, 2), 2);
	assert_int_equal(out[2].held, 0xa5a5);
	assert_int_equal(gw_neigh_dump(c->t, now, out, 0), 0);
	/* Dumping changes nothing. */
	assert_int_equal(gw_neigh_count(c->t), 3);
	assert_int_equal(c->r.n_solicit, 1);
}

/* Freeing the table frees held packets without counting them as drops. */
static void
test_neigh_free_releases_held(void **state)
{
	struct nctx *c = *state;
	struct rec r;
	struct gw_neigh_table *t;
	struct gw_neigh_key a = key_of(0, "10.0.0.60"), b = key_of(0, "2001:db8::61");
	struct rte_ether_addr mac;
	unsigned int avail0 = rte_mempool_avail_count(pool);

	(void)c;
	memset(&r, 0, sizeof(r));
	t = table_new(64, &r);
	for (int i = 0; i < GW_NEIGH_HOLD; i++)
		assert_int_equal(gw_neigh_resolve(t, &a, T0, mb(), &mac), GW_NEIGH_HELD);
	for (int i = 0; i < 3; i++)
		assert_int_equal(gw_neigh_resolve(t, &b, T0, mb(), &mac), GW_NEIGH_HELD);
	assert_int_equal(rte_mempool_avail_count(pool), avail0 - GW_NEIGH_HOLD - 3);
	gw_neigh_free(t);
	assert_int_equal(rte_mempool_avail_count(pool), avail0);
	assert_int_equal(r.n_drop, 0);
	gw_neigh_free(NULL);
}

/* New parameters apply to existing entries. */
static void
test_neigh_set_params(void **state)
{
	struct nctx *c = *state;
	struct gw_neigh_key k = key_of(0, "10.0.0.70");
	struct rte_ether_addr mac, want = mac_of(70);
	struct rte_mbuf *rel[GW_NEIGH_HOLD], *m = mb();
	struct gw_neigh_params p = params;

	assert_int_equal(gw_neigh_update(c->t, &k, &want, T0, true, rel), 0);
	assert_state(c->t, &k, T0 + 11, GW_NEIGH_REACHABLE);
	p.reachable = 10;
	gw_neigh_set_params(c->t, &p);
	assert_state(c->t, &k, T0 + 11, GW_NEIGH_STALE);
	assert_int_equal(gw_neigh_resolve(c->t, &k, T0 + 11, m, &mac), GW_NEIGH_SEND);
	assert_int_equal(c->r.n_solicit, 1);
	rte_pktmbuf_free(m);
}

static void
test_neigh_state_names(void **state)
{
	static const struct {
		const char *desc;
		uint8_t state;
		const char *name;
	} cases[] = {
		{ "free", GW_NEIGH_FREE, "free" },
		{ "incomplete", GW_NEIGH_INCOMPLETE, "incomplete" },
		{ "reachable", GW_NEIGH_REACHABLE, "reachable" },
		{ "stale", GW_NEIGH_STALE, "stale" },
		{ "out of range", 200, "free" },
	};
	(void)state;
	for (size_t i = 0; i < RTE_DIM(cases); i++)
		if (strcmp(gw_neigh_state_name(cases[i].state), cases[i].name) != 0)
			fail_msg("%s: %s", cases[i].desc, gw_neigh_state_name(cases[i].state));
}

int
main(void)
{
	const struct CMUnitTest l3_tests[] = {
		cmocka_unit_test(test_l3_local_lookup),
		cmocka_unit_test(test_l3_route_lookup),
		cmocka_unit_test(test_l3_route_no_default),
		cmocka_unit_test(test_l3_empty),
		cmocka_unit_test(test_l3_source),
		cmocka_unit_test(test_l3_build_errors),
		cmocka_unit_test(test_l3_route_host_bits),
		cmocka_unit_test(test_l3_prefix_match),
	};
#define NT(f) cmocka_unit_test_setup_teardown(f, neigh_setup, neigh_teardown)
	const struct CMUnitTest neigh_tests[] = {
		NT(test_neigh_miss_holds),
		NT(test_neigh_hold_limit_and_release),
		NT(test_neigh_stale_still_sends),
		NT(test_neigh_incomplete_gives_up),
		NT(test_neigh_stale_gc),
		NT(test_neigh_stale_probes_exhausted),
		NT(test_neigh_update_no_create),
		NT(test_neigh_update_create),
		NT(test_neigh_keys_distinct),
		NT(test_neigh_capacity),
		NT(test_neigh_capacity_fills),
		NT(test_neigh_dump),
		NT(test_neigh_free_releases_held),
		NT(test_neigh_set_params),
		NT(test_neigh_state_names),
	};
#undef NT
	int fails = 0;

	fails += cmocka_run_group_tests_name("gw_l3", l3_tests, l3_group_setup, NULL);
	fails += cmocka_run_group_tests_name("gw_neigh", neigh_tests, neigh_group_setup,
		neigh_group_teardown);
	return fails;
}
