/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L4 services and Maglev consistent hashing (design.md §3, L4 branch).
 *
 * A service is one TCP or UDP listener of a Gateway: VIP, protocol and
 * port, with the weighted endpoints of the TCPRoute/UDPRoute backends
 * attached to it. gw_lb_table_build() copies a list of service specs into
 * one immutable table with a Maglev lookup table per service; the data
 * plane finds a service by (protocol, VIP, port) with gw_lb_lookup() and
 * picks the endpoint for a new flow with gw_lb_pick(hash).
 *
 * Maglev (Eisenbud et al., NSDI 2016) with weights: every endpoint has a
 * permutation of the table derived from its key (address and port, so
 * every gateway node computes the same table); endpoints take turns
 * claiming their next free preferred slot, an endpoint of weight w taking
 * a turn in proportion to w. Weight 0 claims nothing. Adding or removing
 * one endpoint moves about its share of slots and little more.
 * The table size must be prime (default GW_LB_MAGLEV_SIZE).
 *
 * Immutable after build; no EAL needed (plain malloc), so unit tests and
 * the translator can use it without DPDK memory.
 */
#ifndef GW_LB_H
#define GW_LB_H

#include <stddef.h>
#include <stdint.h>

#define GW_LB_MAGLEV_SIZE 65537u

struct gw_lb_endpoint {
	int family;                /* AF_INET or AF_INET6 */
	uint8_t addr[16];          /* network byte order; IPv4 in the first 4 bytes */
	uint16_t port;             /* host byte order */
	uint32_t weight;           /* relative; 0: never picked */
};

/*
 * Fill @lut (@size entries, @size prime) with endpoint indexes. Endpoints
 * of weight 0 get no slot. With no endpoint of positive weight every slot
 * is GW_LB_NONE. Returns 0, or -EINVAL (size not prime, or @n over
 * 65535), -ENOMEM.
 */
#define GW_LB_NONE 0xffffu
int gw_lb_maglev_build(const struct gw_lb_endpoint *eps, unsigned int n, uint32_t size,
	uint16_t *lut);

/* Is @n prime (table sizes)? */
int gw_lb_is_prime(uint32_t n);

struct gw_lb_service_spec {
	uint32_t id;               /* the caller's id (listener), for counters and show */
	const char *name;          /* "namespace/gateway/listener" */
	uint8_t proto;             /* IPPROTO_TCP or IPPROTO_UDP */
	int family;
	uint8_t vip[16];
	uint16_t port;             /* host byte order */
	uint32_t maglev_size;      /* 0: GW_LB_MAGLEV_SIZE */
	unsigned int n_endpoints;
	const struct gw_lb_endpoint *endpoints;
};

struct gw_lb_service {
	uint32_t id;
	const char *name;
	uint8_t proto;
	int family;
	uint8_t vip[16];
	uint16_t port;
	unsigned int n_endpoints;
	const struct gw_lb_endpoint *endpoints;
	uint32_t maglev_size;
	const uint16_t *lut;       /* maglev_size entries */
};

struct gw_lb_table;

/*
 * Build a table. Two services with the same protocol, VIP and port are
 * -EEXIST (NULL with a message in @err). The table owns copies.
 */
struct gw_lb_table *gw_lb_table_build(const struct gw_lb_service_spec *specs, unsigned int n,
	char *err, size_t errlen);
void gw_lb_table_free(struct gw_lb_table *t);
size_t gw_lb_table_size(const struct gw_lb_table *t);
unsigned int gw_lb_table_count(const struct gw_lb_table *t);
const struct gw_lb_service *gw_lb_table_at(const struct gw_lb_table *t, unsigned int i);

/* Find the service for a packet's destination; NULL if none. @vip in network order. */
const struct gw_lb_service *gw_lb_lookup(const struct gw_lb_table *t, uint8_t proto,
	int family, const void *vip, uint16_t port);

/* Endpoint for a new flow with 5-tuple hash @hash; NULL if none has weight. */
static inline const struct gw_lb_endpoint *
gw_lb_pick(const struct gw_lb_service *s, uint32_t hash)
{
	uint16_t i;

	if (s->maglev_size == 0)
		return NULL;
	i = s->lut[hash % s->maglev_size];
	return i == GW_LB_NONE ? NULL : &s->endpoints[i];
}

#endif /* GW_LB_H */
