/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/neigh, the L3 view: local addresses and VIPs, routes through rte_lpm
 * and rte_lpm6 (default routes beside them), source selection, and the
 * checks that refuse a bad table. Needs EAL (rte_lpm).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
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
#include "gw_test_eal.h"
#include "gw_test_ip.h"

#define NB_MBUFS 512

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

	return cmocka_run_group_tests_name("gw_l3", l3_tests, l3_group_setup, NULL);
}
