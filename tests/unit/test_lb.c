/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/lb: weighted Maglev tables and the L4 service table.
 *
 * Maglev's promises are checked by counting slots: shares follow weights,
 * the table depends only on the endpoints (not their order), and a change
 * of one endpoint moves about its share and little more. Endpoints are
 * compared by key, not index, because indexes shift when the list does.
 * No EAL: the library uses plain malloc.
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
#include <netinet/in.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "gw_lb.h"

#define M GW_LB_MAGLEV_SIZE

static struct gw_lb_endpoint
ep4(const char *addr, uint16_t port, uint32_t weight)
{
	struct gw_lb_endpoint e;

	memset(&e, 0, sizeof(e));
	e.family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, addr, e.addr), 1);
	e.port = port;
	e.weight = weight;
	return e;
}

static struct gw_lb_endpoint
ep6(const char *addr, uint16_t port, uint32_t weight)
{
	struct gw_lb_endpoint e;

	memset(&e, 0, sizeof(e));
	e.family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, addr, e.addr), 1);
	e.port = port;
	e.weight = weight;
	return e;
}

/* 10.0.0.(i+1):8080 */
static void
make_eps(struct gw_lb_endpoint *eps, unsigned int n, uint32_t weight)
{
	char a[32];
	unsigned int i;

	for (i = 0; i < n; i++) {
		snprintf(a, sizeof(a), "10.0.%u.%u", (i + 1) / 256, (i + 1) % 256);
		eps[i] = ep4(a, 8080, weight);
	}
}

static uint16_t *
build(const struct gw_lb_endpoint *eps, unsigned int n, uint32_t size)
{
	uint16_t *lut = malloc(size * sizeof(*lut));

	assert_non_null(lut);
	assert_int_equal(gw_lb_maglev_build(eps, n, size, lut), 0);
	return lut;
}

static void
count_slots(const uint16_t *lut, uint32_t size, unsigned int n, uint32_t *cnt)
{
	uint32_t i;

	memset(cnt, 0, n * sizeof(*cnt));
	for (i = 0; i < size; i++) {
		assert_true(lut[i] < n);
		cnt[lut[i]]++;
	}
}

static bool
same_ep(const struct gw_lb_endpoint *a, const struct gw_lb_endpoint *b)
{
	return a->family == b->family && a->port == b->port &&
		memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0;
}

/* Slots whose owner (by key) differs between two tables. */
static uint32_t
changed_slots(const struct gw_lb_endpoint *ea, const uint16_t *la,
	const struct gw_lb_endpoint *eb, const uint16_t *lb, uint32_t size)
{
	uint32_t i, changed = 0;

	for (i = 0; i < size; i++)
		if (la[i] == GW_LB_NONE || lb[i] == GW_LB_NONE ?
				la[i] != lb[i] : !same_ep(&ea[la[i]], &eb[lb[i]]))
			changed++;
	return changed;
}

/* |got - want| within @pct percent of the table */
static void
assert_share(uint32_t got, double want_share, double pct)
{
	double want = want_share * M;
	double diff = got > want ? got - want : want - got;

	if (diff > pct / 100.0 * M)
		fail_msg("slot count %u, want %.0f +- %.0f", got, want, pct / 100.0 * M);
}

/* ---- Maglev ---- */

static void
test_prime(void **state)
{
	static const uint32_t primes[] = { 2, 3, 5, 251, 65521, 65537, 4294967291u };
	static const uint32_t others[] = { 0, 1, 4, 9, 65535, 65536, 65539 * 3u, 4294967295u };
	unsigned int i;

	for (i = 0; i < sizeof(primes) / sizeof(primes[0]); i++)
		assert_true(gw_lb_is_prime(primes[i]));
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_false(gw_lb_is_prime(others[i]));
}

static void
test_bad_args(void **state)
{
	struct gw_lb_endpoint e = ep4("10.0.0.1", 80, 1);
	uint16_t lut[256];

	assert_int_equal(gw_lb_maglev_build(&e, 1, 256, lut), -EINVAL);
	assert_int_equal(gw_lb_maglev_build(&e, 1, 1, lut), -EINVAL);
	assert_int_equal(gw_lb_maglev_build(&e, 65536, 251, lut), -EINVAL);
}

static void
test_empty(void **state)
{
	struct gw_lb_endpoint eps[3];
	uint16_t lut[251];
	unsigned int i;

	make_eps(eps, 3, 0);
	memset(lut, 0, sizeof(lut));
	assert_int_equal(gw_lb_maglev_build(NULL, 0, 251, lut), 0);
	for (i = 0; i < 251; i++)
		assert_int_equal(lut[i], GW_LB_NONE);
	memset(lut, 0, sizeof(lut));
	assert_int_equal(gw_lb_maglev_build(eps, 3, 251, lut), 0);
	for (i = 0; i < 251; i++)
		assert_int_equal(lut[i], GW_LB_NONE);
}

static void
test_equal_shares(void **state)
{
	struct gw_lb_endpoint eps[3];
	uint32_t cnt[3];
	uint16_t *lut;
	unsigned int i;

	make_eps(eps, 3, 1);
	lut = build(eps, 3, M);
	count_slots(lut, M, 3, cnt);
	for (i = 0; i < 3; i++)
		assert_share(cnt[i], 1.0 / 3, 1.0);
	free(lut);
}

static void
test_weighted_shares(void **state)
{
	struct gw_lb_endpoint eps[3];
	uint32_t cnt[3];
	uint16_t *lut;

	make_eps(eps, 3, 0);
	eps[0].weight = 70;
	eps[1].weight = 30;
	lut = build(eps, 3, M);
	count_slots(lut, M, 3, cnt);
	assert_share(cnt[0], 0.7, 1.0);
	assert_share(cnt[1], 0.3, 1.0);
	assert_int_equal(cnt[2], 0);
	free(lut);
}

/* Large weight ratios and many endpoints: each is within a slot of its share. */
static void
test_many_weighted(void **state)
{
	enum { N = 1000 };
	struct gw_lb_endpoint *eps = calloc(N, sizeof(*eps));
	uint32_t *cnt = calloc(N, sizeof(*cnt));
	uint64_t sum = 0;
	uint16_t *lut;
	unsigned int i;

	assert_non_null(eps);
	assert_non_null(cnt);
	make_eps(eps, N, 1);
	for (i = 0; i < N; i++) {
		eps[i].weight = i == 0 ? 100000 : i % 7 + 1;
		sum += eps[i].weight;
	}
	lut = build(eps, N, M);
	count_slots(lut, M, N, cnt);
	for (i = 0; i < N; i++) {
		double want = (double)eps[i].weight * M / (double)sum;

		/* Each light one rounds to the nearest slot; the heavy one absorbs the sum. */
		double tol = i == 0 ? M / 1000.0 : 1.0;

		if (cnt[i] > want + tol || cnt[i] + tol < want)
			fail_msg("endpoint %u weight %u: %u slots, want %.1f", i, eps[i].weight,
				cnt[i], want);
	}
	free(lut);
	free(cnt);
	free(eps);
}

static void
test_deterministic(void **state)
{
	struct gw_lb_endpoint eps[5];
	uint16_t *a, *b;

	make_eps(eps, 5, 3);
	eps[4] = ep6("2001:db8::7", 443, 2);
	a = build(eps, 5, M);
	b = build(eps, 5, M);
	assert_memory_equal(a, b, M * sizeof(*a));
	free(a);
	free(b);
}

/* Same endpoints in another order (and junk past an IPv4 address): same owners. */
static void
test_order_independent(void **state)
{
	enum { N = 16 };
	struct gw_lb_endpoint eps[N], rev[N];
	uint16_t *a, *b;
	unsigned int i;

	make_eps(eps, N, 1);
	for (i = 0; i < N; i++)
		eps[i].weight = i % 3 + 1;
	eps[N - 1] = ep6("2001:db8::1", 80, 2);
	for (i = 0; i < N; i++) {
		rev[i] = eps[(i * 7 + 3) % N];
		if (rev[i].family == AF_INET)
			memset(&rev[i].addr[4], 0xa5, 12);
	}
	a = build(eps, N, M);
	b = build(rev, N, M);
	assert_int_equal(changed_slots(eps, a, rev, b, M), 0);
	free(a);
	free(b);
}

static void
test_remove_one(void **state)
{
	struct gw_lb_endpoint eps[10], less[9];
	uint16_t *a, *b;
	uint32_t changed;

	make_eps(eps, 10, 1);
	memcpy(less, eps, 4 * sizeof(eps[0]));
	memcpy(&less[4], &eps[5], 5 * sizeof(eps[0]));
	a = build(eps, 10, M);
	b = build(less, 9, M);
	changed = changed_slots(eps, a, less, b, M);
	/* At least the removed one's slots; at most 1.5x its share. */
	assert_true(changed >= M / 10 - M / 100);
	if (changed > M * 3 / 20)
		fail_msg("%u of %u slots changed", changed, M);
	free(a);
	free(b);
}

static void
test_add_one(void **state)
{
	struct gw_lb_endpoint eps[11];
	uint16_t *a, *b;
	uint32_t changed;

	make_eps(eps, 11, 1);
	a = build(eps, 10, M);
	b = build(eps, 11, M);
	changed = changed_slots(eps, a, eps, b, M);
	/* The newcomer takes 1/11; allow half as much again of collateral moves. */
	assert_true(changed >= M / 11 - M / 100);
	if (changed > M * 3 / 22)
		fail_msg("%u of %u slots changed", changed, M);
	free(a);
	free(b);
}

static void
test_weight_change(void **state)
{
	struct gw_lb_endpoint eps[10], heavier[10];
	uint16_t *a, *b;
	uint32_t changed, cnt[10];

	make_eps(eps, 10, 1);
	memcpy(heavier, eps, sizeof(eps));
	heavier[3].weight = 2; /* 1/10 -> 2/11 of the table: +8.2% */
	a = build(eps, 10, M);
	b = build(heavier, 10, M);
	count_slots(b, M, 10, cnt);
	assert_share(cnt[3], 2.0 / 11, 1.0);
	changed = changed_slots(eps, a, heavier, b, M);
	if (changed > M * 2 * (2.0 / 11 - 1.0 / 10))
		fail_msg("%u of %u slots changed", changed, M);
	free(a);
	free(b);
}

static void
test_mixed_families(void **state)
{
	struct gw_lb_endpoint eps[4];
	uint32_t cnt[4];
	uint16_t *lut;
	unsigned int i;

	eps[0] = ep4("192.0.2.1", 53, 1);
	eps[1] = ep6("2001:db8::1", 53, 1);
	eps[2] = ep6("2001:db8::1", 54, 1); /* the port is part of the key */
	eps[3] = ep6("::ffff:192.0.2.1", 53, 1);
	lut = build(eps, 4, 251);
	count_slots(lut, 251, 4, cnt);
	for (i = 0; i < 4; i++)
		assert_true(cnt[i] >= 62 && cnt[i] <= 63);
	free(lut);
}

/* ---- service table ---- */

static struct gw_lb_service_spec
spec(const char *name, uint8_t proto, int family, const char *vip, uint16_t port,
	const struct gw_lb_endpoint *eps, unsigned int n)
{
	struct gw_lb_service_spec s;

	memset(&s, 0, sizeof(s));
	s.id = port;
	s.name = name;
	s.proto = proto;
	s.family = family;
	assert_int_equal(inet_pton(family, vip, s.vip), 1);
	s.port = port;
	s.endpoints = eps;
	s.n_endpoints = n;
	return s;
}

static void
test_lookup(void **state)
{
	struct gw_lb_endpoint eps[2] = { ep4("10.1.0.1", 9000, 1), ep6("fd00::1", 9000, 1) };
	struct gw_lb_service_spec specs[5];
	const struct gw_lb_service *s;
	struct gw_lb_table *t;
	uint8_t *v4 = malloc(4), v6[16];
	char err[256];

	assert_non_null(v4);
	specs[0] = spec("ns/gw/tcp", IPPROTO_TCP, AF_INET, "192.0.2.10", 80, eps, 2);
	specs[1] = spec("ns/gw/udp", IPPROTO_UDP, AF_INET, "192.0.2.10", 80, eps, 1);
	specs[2] = spec("ns/gw/tcp81", IPPROTO_TCP, AF_INET, "192.0.2.10", 81, eps, 1);
	specs[3] = spec("ns/gw/v6", IPPROTO_TCP, AF_INET6, "2001:db8::10", 80, eps, 2);
	specs[4] = spec(NULL, IPPROTO_TCP, AF_INET, "192.0.2.11", 80, NULL, 0);
	specs[0].maglev_size = 251;
	t = gw_lb_table_build(specs, 5, err, sizeof(err));
	assert_non_null(t);
	assert_int_equal(gw_lb_table_count(t), 5);
	assert_true(gw_lb_table_size(t) > 3 * M * sizeof(uint16_t));
	assert_null(gw_lb_table_at(t, 5));

	/* The data path passes a pointer into the packet: exactly 4 bytes for IPv4. */
	inet_pton(AF_INET, "192.0.2.10", v4);
	s = gw_lb_lookup(t, IPPROTO_TCP, AF_INET, v4, 80);
	assert_ptr_equal(s, gw_lb_table_at(t, 0));
	assert_string_equal(s->name, "ns/gw/tcp");
	assert_int_equal(s->maglev_size, 251);
	assert_int_equal(s->n_endpoints, 2);
	s = gw_lb_lookup(t, IPPROTO_UDP, AF_INET, v4, 80);
	assert_non_null(s);
	assert_string_equal(s->name, "ns/gw/udp");
	assert_int_equal(s->maglev_size, M);
	assert_string_equal(gw_lb_lookup(t, IPPROTO_TCP, AF_INET, v4, 81)->name, "ns/gw/tcp81");
	assert_null(gw_lb_lookup(t, IPPROTO_TCP, AF_INET, v4, 82));
	assert_null(gw_lb_lookup(t, IPPROTO_UDP, AF_INET, v4, 81));
	assert_null(gw_lb_lookup(t, IPPROTO_ICMP, AF_INET, v4, 80));
	inet_pton(AF_INET, "192.0.2.11", v4);
	s = gw_lb_lookup(t, IPPROTO_TCP, AF_INET, v4, 80);
	assert_non_null(s);
	assert_null(s->name);
	inet_pton(AF_INET, "192.0.2.12", v4);
	assert_null(gw_lb_lookup(t, IPPROTO_TCP, AF_INET, v4, 80));

	inet_pton(AF_INET6, "2001:db8::10", v6);
	s = gw_lb_lookup(t, IPPROTO_TCP, AF_INET6, v6, 80);
	assert_non_null(s);
	assert_string_equal(s->name, "ns/gw/v6");
	assert_int_equal(s->family, AF_INET6);
	assert_null(gw_lb_lookup(t, IPPROTO_UDP, AF_INET6, v6, 80));
	v6[15] ^= 1;
	assert_null(gw_lb_lookup(t, IPPROTO_TCP, AF_INET6, v6, 80));
	/* The IPv4 address as the first bytes of an IPv6 one is another service. */
	memset(v6, 0, sizeof(v6));
	inet_pton(AF_INET, "192.0.2.10", v6);
	assert_null(gw_lb_lookup(t, IPPROTO_TCP, AF_INET6, v6, 80));
	gw_lb_table_free(t);
	free(v4);
}

/* Hundreds of services, all found; none found that was not added. */
static void
test_lookup_many(void **state)
{
	enum { N = 600 };
	struct gw_lb_endpoint e = ep4("10.9.9.9", 1, 1);
	struct gw_lb_service_spec *specs = calloc(N, sizeof(*specs));
	struct gw_lb_table *t;
	char err[256], a[32];
	uint8_t vip[16];
	unsigned int i;

	assert_non_null(specs);
	for (i = 0; i < N; i++) {
		snprintf(a, sizeof(a), "198.51.%u.%u", i / 200, i % 200);
		specs[i] = spec("svc", i % 2 ? IPPROTO_UDP : IPPROTO_TCP, AF_INET, a,
			(uint16_t)(1000 + i % 5), &e, 1);
		specs[i].maglev_size = 3;
	}
	t = gw_lb_table_build(specs, N, err, sizeof(err));
	assert_non_null(t);
	for (i = 0; i < N; i++) {
		assert_ptr_equal(gw_lb_lookup(t, specs[i].proto, AF_INET, specs[i].vip,
			specs[i].port), gw_lb_table_at(t, i));
		memcpy(vip, specs[i].vip, 4);
		assert_null(gw_lb_lookup(t, specs[i].proto, AF_INET, vip, 999));
	}
	gw_lb_table_free(t);
	free(specs);
}

static void
test_duplicate(void **state)
{
	struct gw_lb_endpoint e = ep4("10.1.0.1", 9000, 1);
	struct gw_lb_service_spec specs[3];
	char err[256];

	specs[0] = spec("a/gw/one", IPPROTO_TCP, AF_INET6, "2001:db8::1", 443, &e, 1);
	specs[1] = spec("a/gw/two", IPPROTO_UDP, AF_INET6, "2001:db8::1", 443, &e, 1);
	specs[2] = spec("b/gw/three", IPPROTO_TCP, AF_INET6, "2001:db8::1", 443, &e, 1);
	errno = 0;
	assert_null(gw_lb_table_build(specs, 3, err, sizeof(err)));
	assert_int_equal(errno, EEXIST);
	assert_non_null(strstr(err, "b/gw/three"));
	assert_non_null(strstr(err, "a/gw/one"));
	assert_non_null(strstr(err, "[2001:db8::1]:443"));
	/* IPv4: bytes past the address do not make two services different. */
	specs[0] = spec("a/gw/one", IPPROTO_TCP, AF_INET, "192.0.2.1", 80, &e, 1);
	specs[1] = spec("a/gw/two", IPPROTO_TCP, AF_INET, "192.0.2.1", 80, &e, 1);
	specs[1].vip[9] = 0x42;
	assert_null(gw_lb_table_build(specs, 2, err, sizeof(err)));
	assert_non_null(strstr(err, "192.0.2.1:80"));
}

static void
test_bad_spec(void **state)
{
	struct gw_lb_endpoint e = ep4("10.1.0.1", 9000, 1);
	struct gw_lb_service_spec s = spec("x/y/z", IPPROTO_TCP, AF_INET, "192.0.2.1", 80, &e, 1);
	char err[256];

	s.maglev_size = 65536;
	errno = 0;
	assert_null(gw_lb_table_build(&s, 1, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "x/y/z"));
	assert_non_null(strstr(err, "prime"));
	s.maglev_size = 0;
	s.proto = IPPROTO_ICMP;
	assert_null(gw_lb_table_build(&s, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "protocol"));
	s.proto = IPPROTO_UDP;
	e.family = 0;
	assert_null(gw_lb_table_build(&s, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "family"));
}

static void
test_pick(void **state)
{
	struct gw_lb_endpoint eps[3], zero[2];
	struct gw_lb_service_spec specs[3];
	const struct gw_lb_service *s;
	struct gw_lb_table *t;
	uint32_t h, cnt[3] = { 0 };
	char err[256];

	make_eps(eps, 3, 1);
	make_eps(zero, 2, 0);
	specs[0] = spec("ns/gw/l", IPPROTO_TCP, AF_INET, "192.0.2.1", 80, eps, 3);
	specs[1] = spec("ns/gw/zero", IPPROTO_TCP, AF_INET, "192.0.2.1", 81, zero, 2);
	specs[2] = spec("ns/gw/none", IPPROTO_TCP, AF_INET, "192.0.2.1", 82, NULL, 0);
	t = gw_lb_table_build(specs, 3, err, sizeof(err));
	assert_non_null(t);
	/* The table owns copies: the caller's arrays may change now. */
	memset(eps, 0, sizeof(eps));
	s = gw_lb_table_at(t, 0);
	for (h = 0; h < 3000; h++) {
		const struct gw_lb_endpoint *e = gw_lb_pick(s, h * 2654435761u);

		assert_non_null(e);
		assert_int_equal(e->port, 8080);
		assert_int_equal(e->weight, 1);
		cnt[e - s->endpoints]++;
	}
	assert_true(cnt[0] > 800 && cnt[1] > 800 && cnt[2] > 800);
	/* Same hash, same endpoint. */
	assert_ptr_equal(gw_lb_pick(s, 12345), gw_lb_pick(s, 12345));
	for (h = 0; h < 100; h++) {
		assert_null(gw_lb_pick(gw_lb_table_at(t, 1), h));
		assert_null(gw_lb_pick(gw_lb_table_at(t, 2), h));
	}
	gw_lb_table_free(t);
}

static void
test_empty_table(void **state)
{
	struct gw_lb_table *t;
	uint8_t vip[16] = { 0 };
	char err[64] = "junk";

	t = gw_lb_table_build(NULL, 0, err, sizeof(err));
	assert_non_null(t);
	assert_string_equal(err, "");
	assert_int_equal(gw_lb_table_count(t), 0);
	assert_null(gw_lb_table_at(t, 0));
	assert_null(gw_lb_lookup(t, IPPROTO_TCP, AF_INET, vip, 80));
	assert_null(gw_lb_lookup(t, IPPROTO_UDP, AF_INET6, vip, 0));
	gw_lb_table_free(t);
	gw_lb_table_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prime),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_equal_shares),
		cmocka_unit_test(test_weighted_shares),
		cmocka_unit_test(test_many_weighted),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_order_independent),
		cmocka_unit_test(test_remove_one),
		cmocka_unit_test(test_add_one),
		cmocka_unit_test(test_weight_change),
		cmocka_unit_test(test_mixed_families),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_lookup_many),
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_bad_spec),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_empty_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
