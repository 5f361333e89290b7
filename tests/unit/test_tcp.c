/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/tcp end to end in one process: two stacks wired back to back (the
 * output of one is the input of the other) through a virtual wire that can
 * lose, delay and reorder segments, on a virtual clock. Bulk transfers are
 * checked byte for byte both ways; the segment-level behaviour is tested by
 * the scripts in tests/tcp.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "gw_test_eal.h"
#include "gw_common.h"
#include "gw_tcp.h"

#define WIRE_MAX 65536
#define POOL_SIZE 65535

struct wire_pkt {
	struct rte_mbuf *m;
	int to;                 /* stack index */
	uint64_t due;           /* µs */
};

struct wire {
	struct wire_pkt q[WIRE_MAX];
	unsigned int head, n;
	uint32_t loss_ppm;      /* drop probability, parts per million */
	uint32_t reorder_ppm;   /* delay this share by an extra 3 ms */
	uint64_t delay_us;
	uint64_t sent, dropped;
	uint64_t seed;
};

static struct rte_mempool *pool;
static struct wire wire;
static struct gw_tcp_stack *st[2];
static struct gw_stats stats[2];
static uint64_t now_us = 1000000000ull;

static uint32_t
rnd(void)
{
	wire.seed = wire.seed * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(wire.seed >> 33);
}

static int
out_fn(void *arg, struct rte_mbuf *m, int family, const uint8_t *src, const uint8_t *dst)
{
	int to = (int)(uintptr_t)arg;
	struct wire_pkt *p;
	uint64_t due = now_us + wire.delay_us;

	wire.sent++;
	if (wire.n == WIRE_MAX || (wire.loss_ppm && rnd() % 1000000 < wire.loss_ppm)) {
		wire.dropped++;
		rte_pktmbuf_free(m);
		return 0;
	}
	if (wire.reorder_ppm && rnd() % 1000000 < wire.reorder_ppm)
		due += 3000;
	p = &wire.q[(wire.head + wire.n) % WIRE_MAX];
	wire.n++;
	p->m = m;
	p->to = to;
	p->due = due;
	return 0;
}

/* Deliver every packet due by now; a later one goes back to the tail (reordering). */
static unsigned int
wire_run(void)
{
	unsigned int n = wire.n, done = 0, i;

	for (i = 0; i < n; i++) {
		struct wire_pkt p = wire.q[wire.head];

		wire.head = (wire.head + 1) % WIRE_MAX;
		wire.n--;
		if (p.due > now_us) {
			wire.q[(wire.head + wire.n) % WIRE_MAX] = p;
			wire.n++;
			continue;
		}
		{
			int fam = (rte_pktmbuf_mtod(p.m, uint8_t *)[0] >> 4) == 4 ? AF_INET : AF_INET6;
			uint16_t l3 = fam == AF_INET ? 20 : 40;

			gw_tcp_input(st[p.to], p.m, fam, 0, l3, (uint16_t)(p.m->pkt_len - l3));
		}
		done++;
	}
	return done;
}

static void
tick(uint64_t us)
{
	now_us += us;
	gw_tcp_stack_advance(st[0], now_us);
	gw_tcp_stack_advance(st[1], now_us);
}

static void
stacks_up(uint32_t max_conns, const struct gw_tcp_params *p)
{
	struct gw_tcp_conf c;
	int i;

	memset(&wire, 0, sizeof(wire));
	wire.seed = 42;
	for (i = 0; i < 2; i++) {
		memset(&c, 0, sizeof(c));
		memset(&stats[i], 0, sizeof(stats[i]));
		c.pool = pool;
		c.max_conns = max_conns;
		c.mtu = 1500;
		c.output = out_fn;
		c.output_arg = (void *)(uintptr_t)(1 - i);
		c.stats = &stats[i];
		c.now_us = now_us;
		if (p != NULL)
			c.params = *p;
		else
			gw_tcp_params_default(&c.params);
		st[i] = gw_tcp_stack_create(&c);
		assert_non_null(st[i]);
	}
}

static void
stacks_down(void)
{
	while (wire.n > 0) {
		struct wire_pkt *p = &wire.q[wire.head];

		rte_pktmbuf_free(p->m);
		wire.head = (wire.head + 1) % WIRE_MAX;
		wire.n--;
	}
	gw_tcp_stack_free(st[0]);
	gw_tcp_stack_free(st[1]);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
}

/* ---- a small application: echo server, checking client ---- */

struct app_conn {
	struct gw_tcp_conn *c;
	uint64_t rx, tx_goal, tx_done;
	struct rte_mbuf *pending;       /* echo data the send queue refused */
	bool connected, eof, closed, echo;
	int err;
};

static struct app_conn srv_conns[1024];
static uint32_t chunk = 2000;   /* bytes per mbuf of what the client sends */
static unsigned int n_srv;

static uint8_t
pattern(uint64_t i)
{
	return (uint8_t)(i * 7 + 3 + (i >> 11));
}

static void
app_push(struct app_conn *a)
{
	while (a->tx_done < a->tx_goal) {
		uint32_t space = gw_tcp_send_space(a->c);
		uint64_t want = a->tx_goal - a->tx_done;
		uint32_t n = RTE_MIN(space, 8192u);
		struct rte_mbuf *head = NULL, *last = NULL;
		uint32_t left;

		if (want < n)
			n = (uint32_t)want;
		left = n;
		if (n == 0) {
			/* Ask for EV_SENT. */
			struct rte_mbuf *probe = rte_pktmbuf_alloc(pool);

			assert_non_null(rte_pktmbuf_append(probe, 1));
			assert_int_equal(gw_tcp_send(a->c, probe), -EAGAIN);
			rte_pktmbuf_free(probe);
			return;
		}
		while (left > 0) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
			uint32_t k = RTE_MIN(left, chunk), j;
			uint8_t *d;

			assert_non_null(m);
			d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)k);
			for (j = 0; j < k; j++)
				d[j] = pattern(a->tx_done + (n - left) + j);
			if (head == NULL) {
				head = m;
			} else {
				last->next = m;
				head->nb_segs++;
				head->pkt_len += k;
			}
			last = m;
			left -= k;
		}
		assert_int_equal(gw_tcp_send(a->c, head), 0);
		a->tx_done += n;
	}
}

static void
on_data(struct gw_tcp_conn *c, void *ctx, struct rte_mbuf *m)
{
	struct app_conn *a = ctx;
	struct rte_mbuf *s;

	for (s = m; s != NULL; s = s->next) {
		const uint8_t *d = rte_pktmbuf_mtod(s, const uint8_t *);
		uint16_t j;

		for (j = 0; j < s->data_len; j++) {
			if (d[j] != pattern(a->rx))
				fail_msg("byte %" PRIu64 " is %u, want %u", a->rx, d[j], pattern(a->rx));
			a->rx++;
		}
	}
	if (a->echo) {
		/* Echo the very mbufs back (zero copy); a full send queue pauses reading. */
		if (gw_tcp_send(c, m) == 0)
			return;
		assert_null(a->pending);
		a->pending = m;
		gw_tcp_pause(c);
		return;
	}
	rte_pktmbuf_free(m);
}

static void
on_event(struct gw_tcp_conn *c, void *ctx, enum gw_tcp_event ev, int err)
{
	struct app_conn *a = ctx;

	switch (ev) {
	case GW_TCP_EV_CONNECTED:
		a->connected = true;
		app_push(a);
		break;
	case GW_TCP_EV_SENT:
		if (a->pending != NULL) {
			if (gw_tcp_send(c, a->pending) == 0) {
				a->pending = NULL;
				gw_tcp_resume(c);
				if (a->eof && a->pending == NULL)
					gw_tcp_shutdown(c);
			}
			break;
		}
		app_push(a);
		break;
	case GW_TCP_EV_EOF:
		a->eof = true;
		if (a->echo && a->pending == NULL)
			gw_tcp_shutdown(c);
		break;
	case GW_TCP_EV_CLOSED:
		rte_pktmbuf_free(a->pending);
		a->pending = NULL;
		a->closed = true;
		a->err = err;
		break;
	}
}

static const struct gw_tcp_conn_ops ops = { on_data, on_event };

static int
on_accept(void *arg, struct gw_tcp_conn *c)
{
	struct app_conn *a;

	if (n_srv == GW_DIM(srv_conns))
		return -1;
	a = &srv_conns[n_srv++];
	memset(a, 0, sizeof(*a));
	a->c = c;
	a->echo = arg != NULL;
	gw_tcp_conn_set_ops(c, &ops, a);
	return 0;
}

static void
addr_set(struct gw_tcp_addr *a, int fam, int host, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)fam;
	if (fam == AF_INET) {
		a->ip[0] = 10;
		a->ip[3] = (uint8_t)host;
	} else {
		a->ip[0] = 0xfd;
		a->ip[15] = (uint8_t)host;
	}
	a->port = port;
}

/* Run until @done says so or @limit_us of virtual time passed. */
static bool
run_until(bool (*done)(void *), void *arg, uint64_t limit_us)
{
	uint64_t end = now_us + limit_us;

	while (now_us < end) {
		if (done(arg))
			return true;
		if (wire_run() == 0)
			tick(wire.delay_us ? 100 : 1000);
	}
	return done(arg);
}

static bool
srv_done(void *arg)
{
	(void)arg;
	return n_srv > 0 && srv_conns[0].closed;
}

static bool
client_done(void *arg)
{
	struct app_conn *a = arg;

	return a->closed;
}

/* Echo @bytes through one connection over @fam and compare. */
static void
echo_transfer(int fam, uint64_t bytes, uint64_t limit_us)
{
	struct gw_tcp_addr l, r;
	struct app_conn cli = { 0 };
	int err;

	n_srv = 0;
	addr_set(&l, fam, 1, 7);
	assert_int_equal(gw_tcp_listen(st[1], &l, on_accept, (void *)1), 0);
	addr_set(&r, fam, 2, 0);
	cli.tx_goal = bytes;
	cli.c = gw_tcp_connect(st[0], &r, &l, &ops, &cli, &err);
	assert_non_null(cli.c);
	/* The client half-closes once everything is queued; the echo server follows. */
	while (!cli.closed && now_us < 1000000000ull + limit_us * 1000) {
		if (cli.connected && cli.tx_done == cli.tx_goal && !cli.eof) {
			gw_tcp_shutdown(cli.c);
			cli.eof = true;     /* (reused as "shut down") */
		}
		if (wire_run() == 0)
			tick(wire.delay_us ? 100 : 1000);
	}
	assert_true(cli.closed);
	assert_true(run_until(srv_done, NULL, 10000000));
	assert_int_equal(cli.err, 0);
	assert_int_equal(cli.rx, bytes);
	assert_int_equal(n_srv, 1);
	assert_int_equal(srv_conns[0].rx, bytes);
	assert_true(srv_conns[0].closed);
}

static void
test_echo_1mb(void **state)
{
	(void)state;
	stacks_up(64, NULL);
	echo_transfer(AF_INET, 1 << 20, 60000000);
	assert_int_equal(stats[0].c[GW_CNT_tcp_retransmits], 0);
	stacks_down();
}

/* Odd-length mbufs: payload checksums over chains that split 16-bit words. */
static void
test_echo_odd_chunks(void **state)
{
	(void)state;
	stacks_up(64, NULL);
	chunk = 129;
	echo_transfer(AF_INET, 100000, 60000000);
	chunk = 2000;
	assert_int_equal(stats[0].c[GW_CNT_drop_tcp_bad_cksum] + stats[1].c[GW_CNT_drop_tcp_bad_cksum], 0);
	assert_int_equal(stats[0].c[GW_CNT_tcp_retransmits], 0);
	stacks_down();
}

static void
test_echo_ipv6(void **state)
{
	(void)state;
	stacks_up(64, NULL);
	echo_transfer(AF_INET6, 300000, 60000000);
	stacks_down();
}

static void
test_echo_loss_newreno(void **state)
{
	struct gw_tcp_params p;

	(void)state;
	gw_tcp_params_default(&p);
	p.cc = GW_TCP_CC_NEWRENO;
	p.sack = false;
	stacks_up(64, &p);
	wire.loss_ppm = 10000;
	wire.delay_us = 2000;
	echo_transfer(AF_INET, 2 << 20, 600000000);
	assert_true(stats[0].c[GW_CNT_tcp_retransmits] + stats[1].c[GW_CNT_tcp_retransmits] > 0);
	stacks_down();
}

static void
test_echo_loss_sack_reorder(void **state)
{
	(void)state;
	stacks_up(64, NULL);
	wire.loss_ppm = 10000;
	wire.reorder_ppm = 20000;
	wire.delay_us = 2000;
	echo_transfer(AF_INET, 2 << 20, 600000000);
	assert_true(stats[0].c[GW_CNT_tcp_sack_recoveries] + stats[1].c[GW_CNT_tcp_sack_recoveries] > 0);
	stacks_down();
}

static void
test_echo_heavy_loss(void **state)
{
	(void)state;
	stacks_up(64, NULL);
	wire.loss_ppm = 50000;
	wire.delay_us = 1000;
	echo_transfer(AF_INET, 256 << 10, 600000000);
	assert_true(stats[0].c[GW_CNT_tcp_rto] + stats[1].c[GW_CNT_tcp_rto] > 0);
	stacks_down();
}

static void
test_many_connections(void **state)
{
	static struct app_conn cli[500];
	struct gw_tcp_addr l, r;
	unsigned int i, closed;
	int err;

	(void)state;
	stacks_up(1024, NULL);
	n_srv = 0;
	addr_set(&l, AF_INET, 1, 7);
	assert_int_equal(gw_tcp_listen(st[1], &l, on_accept, (void *)1), 0);
	addr_set(&r, AF_INET, 2, 0);
	memset(cli, 0, sizeof(cli));
	for (i = 0; i < GW_DIM(cli); i++) {
		cli[i].tx_goal = 3000;
		cli[i].c = gw_tcp_connect(st[0], &r, &l, &ops, &cli[i], &err);
		assert_non_null(cli[i].c);
	}
	for (closed = 0; closed < GW_DIM(cli) && now_us < 2000000000ull;) {
		closed = 0;
		for (i = 0; i < GW_DIM(cli); i++) {
			if (cli[i].connected && cli[i].tx_done == cli[i].tx_goal && !cli[i].eof) {
				gw_tcp_shutdown(cli[i].c);
				cli[i].eof = true;
			}
			closed += cli[i].closed;
		}
		if (wire_run() == 0)
			tick(1000);
	}
	assert_int_equal(closed, GW_DIM(cli));
	for (i = 0; i < GW_DIM(cli); i++) {
		assert_int_equal(cli[i].err, 0);
		assert_int_equal(cli[i].rx, 3000);
	}
	/* Client ports are distinct and the active closers wait in TIME-WAIT. */
	assert_int_equal(gw_tcp_stack_conns(st[0]), GW_DIM(cli));
	assert_int_equal(gw_tcp_stack_conns(st[1]), 0);
	tick(61000000);
	assert_int_equal(gw_tcp_stack_conns(st[0]), 0);
	stacks_down();
}

/* Several echo connections at once over a lossy wire: all finish, in bounded virtual time. */
static void
test_parallel_loss(void **state)
{
	static struct app_conn cli[8];
	struct gw_tcp_addr l, r;
	unsigned int i, closed = 0;
	uint64_t start = now_us;
	int err;

	(void)state;
	stacks_up(64, NULL);
	wire.loss_ppm = 10000;
	wire.delay_us = 500;
	n_srv = 0;
	addr_set(&l, AF_INET, 1, 7);
	assert_int_equal(gw_tcp_listen(st[1], &l, on_accept, (void *)1), 0);
	addr_set(&r, AF_INET, 2, 0);
	memset(cli, 0, sizeof(cli));
	for (i = 0; i < GW_DIM(cli); i++) {
		cli[i].tx_goal = 256 << 10;
		cli[i].c = gw_tcp_connect(st[0], &r, &l, &ops, &cli[i], &err);
		assert_non_null(cli[i].c);
	}
	while (closed < GW_DIM(cli) && now_us - start < 60000000ull) {
		closed = 0;
		for (i = 0; i < GW_DIM(cli); i++) {
			if (cli[i].connected && cli[i].tx_done == cli[i].tx_goal && !cli[i].eof) {
				gw_tcp_shutdown(cli[i].c);
				cli[i].eof = true;
			}
			closed += cli[i].closed;
		}
		if (wire_run() == 0)
			tick(100);
	}
	print_message("parallel loss: %u closed after %" PRIu64 " ms virtual, rto %" PRIu64
		", retransmits %" PRIu64 "\n", closed, (now_us - start) / 1000,
		stats[0].c[GW_CNT_tcp_rto] + stats[1].c[GW_CNT_tcp_rto],
		stats[0].c[GW_CNT_tcp_retransmits] + stats[1].c[GW_CNT_tcp_retransmits]);
	assert_int_equal(closed, GW_DIM(cli));
	for (i = 0; i < GW_DIM(cli); i++) {
		assert_int_equal(cli[i].err, 0);
		assert_int_equal(cli[i].rx, 256 << 10);
	}
	tick(61000000);
	stacks_down();
}

static void
test_refused_and_timeout(void **state)
{
	struct gw_tcp_addr l, r;
	struct app_conn cli = { 0 };
	int err;

	(void)state;
	stacks_up(8, NULL);
	addr_set(&l, AF_INET, 1, 99);
	addr_set(&r, AF_INET, 2, 0);
	cli.c = gw_tcp_connect(st[0], &r, &l, &ops, &cli, &err);
	assert_non_null(cli.c);
	assert_true(run_until(client_done, &cli, 5000000));
	assert_int_equal(cli.err, ECONNREFUSED);
	/* Nobody answers: SYN retries, then ETIMEDOUT. */
	memset(&cli, 0, sizeof(cli));
	wire.loss_ppm = 1000000;
	cli.c = gw_tcp_connect(st[0], &r, &l, &ops, &cli, &err);
	assert_true(run_until(client_done, &cli, 200000000));
	assert_int_equal(cli.err, ETIMEDOUT);
	assert_int_equal(stats[0].c[GW_CNT_tcp_rto], 5);
	stacks_down();
}

static void
test_conn_size(void **state)
{
	(void)state;
	/* The budget for an idle established connection is 1 KiB with its table entry. */
	assert_true(gw_tcp_stack_conn_size() <= 640);
}

static int
setup(void **state)
{
	(void)state;
	if (gw_test_eal_init(1) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("tcp_test", POOL_SIZE, 256, 0, 2304, SOCKET_ID_ANY);
	return pool == NULL ? -1 : 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conn_size),
		cmocka_unit_test(test_echo_1mb),
		cmocka_unit_test(test_echo_ipv6),
		cmocka_unit_test(test_echo_odd_chunks),
		cmocka_unit_test(test_echo_loss_newreno),
		cmocka_unit_test(test_echo_loss_sack_reorder),
		cmocka_unit_test(test_echo_heavy_loss),
		cmocka_unit_test(test_many_connections),
		cmocka_unit_test(test_parallel_loss),
		cmocka_unit_test(test_refused_and_timeout),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
