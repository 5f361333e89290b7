/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <netinet/in.h>

#include <rte_malloc.h>

#include "gw_common.h"
#include "gw_l3.h"

static uint32_t fib_seq; /* unique rte_lpm names */

static unsigned int
alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

bool
gw_l3_prefix_match(int family, const void *a, const void *b, uint8_t plen)
{
	const uint8_t *x = a, *y = b;
	unsigned int full = plen / 8, rem = plen % 8;

	if (plen > alen(family) * 8)
		return false;
	if (memcmp(x, y, full) != 0)
		return false;
	if (rem == 0)
		return true;
	return ((x[full] ^ y[full]) & (uint8_t)(0xff << (8 - rem))) == 0;
}

struct gw_l3 *
gw_l3_create(uint16_t n_ports, int socket)
{
	struct gw_l3 *l3 = calloc(1, sizeof(*l3));

	if (l3 == NULL)
		return NULL;
	l3->n_ports = n_ports;
	l3->socket = socket;
	l3->default_nh4 = -1;
	l3->default_nh6 = -1;
	return l3;
}

static int
push_local(struct gw_l3 *l3, const struct gw_l3_local *loc)
{
	struct gw_l3_local **arr = loc->family == AF_INET ? &l3->local4 : &l3->local6;
	uint32_t *n = loc->family == AF_INET ? &l3->n_local4 : &l3->n_local6;
	struct gw_l3_local *na;

	for (uint32_t i = 0; i < *n; i++)
		if (memcmp((*arr)[i].ip, loc->ip, 16) == 0)
			return -EEXIST;
	na = realloc(*arr, (*n + 1) * sizeof(**arr));
	if (na == NULL)
		return -ENOMEM;
	na[*n] = *loc;
	*arr = na;
	(*n)++;
	return 0;
}

int
gw_l3_add_addr(struct gw_l3 *l3, uint16_t port, int family, const void *ip, uint8_t plen)
{
	struct gw_l3_local loc = { .family = (uint8_t)family, .kind = GW_L3_PORT_ADDR,
		.plen = plen, .port = port };

	if (l3->final || port >= l3->n_ports || (family != AF_INET && family != AF_INET6) ||
			plen > alen(family) * 8)
		return -EINVAL;
	memcpy(loc.ip, ip, alen(family));
	return push_local(l3, &loc);
}

int
gw_l3_add_vip(struct gw_l3 *l3, int family, const void *ip)
{
	return gw_l3_add_local(l3, family, ip, GW_L3_VIP);
}

int
gw_l3_add_local(struct gw_l3 *l3, int family, const void *ip, enum gw_l3_local_kind kind)
{
	struct gw_l3_local loc = { .family = (uint8_t)family, .kind = (uint8_t)kind,
		.plen = (uint8_t)(alen(family) * 8) };

	if (l3->final || (family != AF_INET && family != AF_INET6))
		return -EINVAL;
	memcpy(loc.ip, ip, alen(family));
	return push_local(l3, &loc);
}

static int
push_route(struct gw_l3 *l3, int family, const void *prefix, uint8_t plen, uint8_t type,
	const struct gw_l3_nexthop *nh)
{
	struct gw_l3_route r = { .family = (uint8_t)family, .plen = plen, .type = type };
	struct gw_l3_route *nr;
	struct gw_l3_nexthop *nn;

	memcpy(r.prefix, prefix, alen(family));
	for (uint32_t i = 0; i < l3->n_routes; i++)
		if (l3->routes[i].family == family && l3->routes[i].plen == plen &&
				memcmp(l3->routes[i].prefix, r.prefix, 16) == 0)
			return -EEXIST;
	nn = realloc(l3->nh, (l3->n_nh + 1) * sizeof(*nn));
	if (nn == NULL)
		return -ENOMEM;
	l3->nh = nn;
	nr = realloc(l3->routes, (l3->n_routes + 1) * sizeof(*nr));
	if (nr == NULL)
		return -ENOMEM;
	l3->routes = nr;
	r.nh = l3->n_nh;
	l3->nh[l3->n_nh++] = *nh;
	l3->routes[l3->n_routes++] = r;
	return 0;
}

/* The port whose address subnet holds @ip, or -1. */
static int
onlink_port(const struct gw_l3 *l3, int family, const void *ip)
{
	const struct gw_l3_local *arr = family == AF_INET ? l3->local4 : l3->local6;
	uint32_t n = family == AF_INET ? l3->n_local4 : l3->n_local6;

	for (uint32_t i = 0; i < n; i++)
		if (arr[i].kind == GW_L3_PORT_ADDR &&
				gw_l3_prefix_match(family, arr[i].ip, ip, arr[i].plen))
			return arr[i].port;
	return -1;
}

static void
mask_prefix(uint8_t *ip, unsigned int bytes, uint8_t plen)
{
	for (unsigned int i = 0; i < bytes; i++) {
		int bits = (int)plen - (int)i * 8;

		if (bits <= 0)
			ip[i] = 0;
		else if (bits < 8)
			ip[i] &= (uint8_t)(0xff << (8 - bits));
	}
}

int
gw_l3_add_route(struct gw_l3 *l3, int family, const void *prefix, uint8_t plen, const void *via,
	int port)
{
	struct gw_l3_nexthop nh = { .family = (uint8_t)family };
	uint8_t p[16] = { 0 }, masked[16];

	if (l3->final || (family != AF_INET && family != AF_INET6) || plen > alen(family) * 8)
		return -EINVAL;
	memcpy(p, prefix, alen(family));
	memcpy(masked, p, sizeof(masked));
	mask_prefix(masked, alen(family), plen);
	/* Host bits set would silently overwrite the network's route in the LPM. */
	if (memcmp(masked, p, sizeof(p)) != 0)
		return -EINVAL;
	if (port < 0)
		port = onlink_port(l3, family, via);
	if (port < 0)
		return -ENETUNREACH;
	if (port >= l3->n_ports)
		return -EINVAL;
	nh.port = (uint16_t)port;
	memcpy(nh.via, via, alen(family));
	return push_route(l3, family, p, plen, GW_L3_ROUTE_STATIC, &nh);
}

static int
cmp_local(const void *a, const void *b)
{
	return memcmp(((const struct gw_l3_local *)a)->ip, ((const struct gw_l3_local *)b)->ip, 16);
}

static int
add_connected(struct gw_l3 *l3)
{
	for (int f = 0; f < 2; f++) {
		const struct gw_l3_local *arr = f == 0 ? l3->local4 : l3->local6;
		uint32_t n = f == 0 ? l3->n_local4 : l3->n_local6;
		int family = f == 0 ? AF_INET : AF_INET6;

		for (uint32_t i = 0; i < n; i++) {
			struct gw_l3_nexthop nh = { .family = (uint8_t)family, .onlink = 1,
				.port = arr[i].port };
			uint8_t p[16] = { 0 };
			int rc;

			if (arr[i].kind != GW_L3_PORT_ADDR)
				continue;
			memcpy(p, arr[i].ip, 16);
			mask_prefix(p, alen(family), arr[i].plen);
			rc = push_route(l3, family, p, arr[i].plen, GW_L3_ROUTE_CONNECTED, &nh);
			/* Two addresses in one subnet share the connected route. */
			if (rc < 0 && rc != -EEXIST)
				return rc;
		}
	}
	return 0;
}

static int
build_fibs(struct gw_l3 *l3)
{
	uint32_t n4 = 0, n6 = 0, seq;
	char name[RTE_LPM_NAMESIZE];

	for (uint32_t i = 0; i < l3->n_routes; i++) {
		if (l3->routes[i].family == AF_INET)
			n4++;
		else
			n6++;
	}
	seq = __atomic_fetch_add(&fib_seq, 1, __ATOMIC_RELAXED);
	struct rte_lpm_config c4 = { .max_rules = n4 + 8, .number_tbl8s = 64 + n4 * 2 };
	snprintf(name, sizeof(name), "gwfib4_%u", seq);
	l3->fib4 = rte_lpm_create(name, l3->socket, &c4);
	if (l3->fib4 == NULL)
		return -ENOMEM;
	struct rte_lpm6_config c6 = { .max_rules = n6 + 8, .number_tbl8s = 64 + n6 * 16 };
	snprintf(name, sizeof(name), "gwfib6_%u", seq);
	l3->fib6 = rte_lpm6_create(name, l3->socket, &c6);
	if (l3->fib6 == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < l3->n_routes; i++) {
		const struct gw_l3_route *r = &l3->routes[i];
		int rc;

		if (r->plen == 0) {
			*(r->family == AF_INET ? &l3->default_nh4 : &l3->default_nh6) =
				(int32_t)r->nh;
			continue;
		}
		if (r->family == AF_INET) {
			uint32_t a;

			memcpy(&a, r->prefix, 4);
			rc = rte_lpm_add(l3->fib4, rte_be_to_cpu_32(a), r->plen, r->nh);
		} else {
			rc = rte_lpm6_add(l3->fib6, r->prefix, r->plen, r->nh);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
gw_l3_finalize(struct gw_l3 *l3)
{
	int rc;

	if (l3->final)
		return -EALREADY;
	rc = add_connected(l3);
	if (rc < 0)
		return rc;
	if (l3->n_local4 > 0)
		qsort(l3->local4, l3->n_local4, sizeof(*l3->local4), cmp_local);
	if (l3->n_local6 > 0)
		qsort(l3->local6, l3->n_local6, sizeof(*l3->local6), cmp_local);
	rc = build_fibs(l3);
	if (rc < 0)
		return rc;
	l3->final = true;
	return 0;
}

void
gw_l3_free(struct gw_l3 *l3)
{
	if (l3 == NULL)
		return;
	rte_lpm_free(l3->fib4);
	rte_lpm6_free(l3->fib6);
	free(l3->local4);
	free(l3->local6);
	free(l3->nh);
	free(l3->routes);
	free(l3);
}

enum gw_l3_local_kind
gw_l3_local_lookup(const struct gw_l3 *l3, int family, const void *ip, uint16_t *port)
{
	const struct gw_l3_local *arr = family == AF_INET ? l3->local4 : l3->local6;
	uint32_t lo = 0, hi = family == AF_INET ? l3->n_local4 : l3->n_local6;
	unsigned int len = alen(family);

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		int c = memcmp(arr[mid].ip, ip, len);

		if (c == 0) {
			if (port != NULL)
				*port = arr[mid].port;
			return (enum gw_l3_local_kind)arr[mid].kind;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return GW_L3_NOT_LOCAL;
}

int
gw_l3_route_lookup(const struct gw_l3 *l3, int family, const void *dst, uint16_t *port,
	uint8_t nh_ip[16])
{
	const struct gw_l3_nexthop *nh;
	uint32_t idx;

	if (family == AF_INET) {
		uint32_t a;

		memcpy(&a, dst, 4);
		if (rte_lpm_lookup(l3->fib4, rte_be_to_cpu_32(a), &idx) != 0) {
			if (l3->default_nh4 < 0)
				return -ENETUNREACH;
			idx = (uint32_t)l3->default_nh4;
		}
	} else {
		if (rte_lpm6_lookup(l3->fib6, dst, &idx) != 0) {
			if (l3->default_nh6 < 0)
				return -ENETUNREACH;
			idx = (uint32_t)l3->default_nh6;
		}
	}
	nh = &l3->nh[idx];
	*port = nh->port;
	memset(nh_ip, 0, 16);
	memcpy(nh_ip, nh->onlink ? dst : nh->via, alen(family));
	return 0;
}

bool
gw_l3_onlink(const struct gw_l3 *l3, uint16_t port, int family, const void *ip)
{
	uint8_t nh[16];
	uint16_t out;

	if (gw_l3_route_lookup(l3, family, ip, &out, nh) < 0)
		return false;
	return out == port && memcmp(nh, ip, alen(family)) == 0;
}

int
gw_l3_source(const struct gw_l3 *l3, uint16_t port, int family, const void *dst, uint8_t src[16])
{
	const struct gw_l3_local *arr = family == AF_INET ? l3->local4 : l3->local6;
	uint32_t n = family == AF_INET ? l3->n_local4 : l3->n_local6;
	const struct gw_l3_local *first = NULL;

	for (uint32_t i = 0; i < n; i++) {
		if (arr[i].kind != GW_L3_PORT_ADDR || arr[i].port != port)
			continue;
		if (dst != NULL && gw_l3_prefix_match(family, arr[i].ip, dst, arr[i].plen)) {
			first = &arr[i];
			break;
		}
		if (first == NULL)
			first = &arr[i];
	}
	if (first == NULL)
		return -EADDRNOTAVAIL;
	memset(src, 0, 16);
	memcpy(src, first->ip, alen(family));
	return 0;
}
