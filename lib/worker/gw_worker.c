/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_random.h>

#include "gw_worker.h"

/* Serve rings every this many iterations when busy (always when idle). */
#define GW_WORKER_RING_EVERY 64
#define GW_WORKER_MSG_RING 1024
#define GW_WORKER_REQ_RING 64
/* How many packets ahead the RX loop prefetches headers (l3fwd uses 3). */
#define GW_WORKER_PREFETCH 4
/* Neighbour timers run this often. */
#define GW_WORKER_AGE_US 1000

/* A neighbour learnt by one worker, shared with the others. */
struct gw_neigh_msg {
	struct gw_neigh_key key;
	struct rte_ether_addr mac;
	uint8_t flags;          /* GW_NEIGH_F_* */
	uint8_t pad;
};

struct gw_worker_req {
	void (*fn)(struct gw_worker *w, void *arg);
	void *arg;
	int done;       /* 1 when fn returned */
	int refs;       /* caller + worker; the last one to let go frees */
};

static void
req_put(struct gw_worker_req *req)
{
	if (__atomic_sub_fetch(&req->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(req);
}

static void
neigh_drop_cb(void *arg, struct rte_mbuf *m)
{
	gw_worker_drop(arg, m, GW_CNT_drop_neigh_unresolved);
}

static void
drops_flush(struct gw_worker *w)
{
	if (w->n_drops != 0) {
		rte_pktmbuf_free_bulk(w->drops, w->n_drops);
		w->n_drops = 0;
	}
}

/* The stack's MSS follows the smallest MTU of the ports. */
static uint16_t
tcp_mtu(const struct gw_worker_conf *c)
{
	uint16_t mtu = 0;

	for (uint16_t i = 0; i < c->n_ports; i++)
		if (c->ports[i].mtu != 0 && (mtu == 0 || c->ports[i].mtu < mtu))
			mtu = c->ports[i].mtu;
	return mtu ? mtu : 1500;
}

struct gw_worker *
gw_worker_create(const struct gw_worker_conf *c)
{
	static const struct gw_neigh_ops ops = {
		.solicit = gw_worker_neigh_solicit,
		.drop = neigh_drop_cb,
	};
	struct gw_neigh_params np = {
		.reachable = 30 * rte_get_tsc_hz(),
		.stale_gc = 300 * rte_get_tsc_hz(),
		.retrans = rte_get_tsc_hz(),
		.max_probes = 3,
	};
	char name[RTE_RING_NAMESIZE];
	struct gw_worker *w;

	w = rte_zmalloc_socket("gw_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, c->socket);
	if (w == NULL) {
		GW_LOG(ERR, "worker %u: out of memory", c->id);
		return NULL;
	}
	w->id = c->id;
	w->queue = (uint16_t)c->id;
	w->lcore = c->lcore;
	w->socket = c->socket;
	w->n_ports = c->n_ports;
	memcpy(w->ports, c->ports, sizeof(w->ports));
	w->pool = c->pool;
	w->gen = c->gen;
	snprintf(name, sizeof(name), "gw_nb%u_%d", c->id, (int)getpid());
	w->neigh = gw_neigh_create(name, c->neigh_capacity ? c->neigh_capacity : 4096, c->socket,
		&np, &ops, w);
	snprintf(name, sizeof(name), "gw_fl%u_%d", c->id, (int)getpid());
	w->flows = gw_flow_table_create(name, c->max_flows ? c->max_flows : 65536, c->socket);
	w->tsc_per_ms = rte_get_tsc_hz() / 1000;
	if (w->tsc_per_ms == 0)
		w->tsc_per_ms = 1;
	w->n_workers = 1;
	if (c->snat_random_start)
		w->snat_cursor = (uint32_t)rte_rand();
	snprintf(name, sizeof(name), "gw_msg%u_%d", c->id, (int)getpid());
	w->msg_ring = rte_ring_create_elem(name, sizeof(struct gw_neigh_msg), GW_WORKER_MSG_RING,
		c->socket, RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "gw_req%u_%d", c->id, (int)getpid());
	w->req_ring = rte_ring_create(name, GW_WORKER_REQ_RING, c->socket, RING_F_SC_DEQ);
	w->tsc_per_us = RTE_MAX(rte_get_tsc_hz() / 1000000, (uint64_t)1);
	w->poll_hook = c->poll_hook;
	w->poll_arg = c->poll_arg;
	if (c->tcp_max_conns > 0) {
		struct gw_tcp_conf tc = {
			.worker_id = c->id,
			.n_workers = 1,         /* gw_worker_link() tells the real number */
			.port_lo = c->tcp_port_lo,
			.port_hi = c->tcp_port_hi,
			.pool = c->pool,
			.max_conns = c->tcp_max_conns,
			.mtu = tcp_mtu(c),
			.output = gw_worker_tcp_output,
			.output_arg = w,
			.stats = &w->stats,
			.socket = c->socket,
			.now_us = rte_rdtsc() / w->tsc_per_us,
			.params = c->tcp_params,
		};

		w->tcp = gw_tcp_stack_create(&tc);
		if (w->tcp == NULL) {
			gw_worker_free(w);
			return NULL;
		}
		gw_tcp_set_stray(w->tcp, gw_worker_tcp_stray, w);
	}
	if (w->neigh == NULL || w->msg_ring == NULL || w->req_ring == NULL || w->flows == NULL) {
		GW_LOG(ERR, "worker %u: cannot create neighbour table, flow table or rings "
			"(l4.max_flows %u: is there memory for it?)", c->id,
			c->max_flows ? c->max_flows : 65536);
		gw_worker_free(w);
		return NULL;
	}
	return w;
}

void
gw_worker_free(struct gw_worker *w)
{
	void *p;

	if (w == NULL)
		return;
	for (uint16_t i = 0; i < w->n_ports; i++)
		rte_pktmbuf_free_bulk(w->txq[i].m, w->txq[i].n);
	drops_flush(w);
	gw_neigh_free(w->neigh);
	gw_flow_table_free(w->flows);
	gw_tcp_stack_free(w->tcp);
	for (unsigned int i = 0; i < GW_MAX_WORKERS; i++) {
		if (w->hin[i] == NULL)
			continue;
		while (rte_ring_dequeue(w->hin[i], &p) == 0)
			rte_pktmbuf_free(p);
		rte_ring_free(w->hin[i]);
	}
	rte_ring_free(w->msg_ring);
	if (w->req_ring != NULL) {
		/* Requests never served: their callers gave up or will time out. */
		while (rte_ring_dequeue(w->req_ring, &p) == 0)
			req_put(p);
		rte_ring_free(w->req_ring);
	}
	free(w->peers);
	rte_free(w);
}

void
gw_worker_link(struct gw_worker **all, unsigned int n)
{
	char name[RTE_RING_NAMESIZE];

	for (unsigned int i = 0; i < n; i++) {
		all[i]->n_workers = (uint16_t)n;
		if (all[i]->tcp != NULL)
			gw_tcp_set_workers(all[i]->tcp, all[i]->id, n);
		/* Handoff rings into worker i, one per sender (single producer). */
		for (unsigned int j = 0; j < n && n > 1; j++) {
			if (j == i || all[i]->hin[j] != NULL)
				continue;
			snprintf(name, sizeof(name), "gw_ho%u_%u_%d", j, i, (int)getpid());
			all[i]->hin[j] = rte_ring_create(name, 1024, all[i]->socket,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (all[i]->hin[j] == NULL)
				GW_LOG(WARNING, "worker %u: no handoff ring from worker %u: its "
					"packets for flows of this worker will be dropped", i, j);
		}
		free(all[i]->peers);
		all[i]->peers = calloc(n, sizeof(*all));
		if (all[i]->peers == NULL) {
			all[i]->n_peers = 0;
			continue;
		}
		memcpy(all[i]->peers, all, n * sizeof(*all));
		all[i]->n_peers = n;
	}
}

/* One bulk free per burst costs a fraction of one free per packet. */
static inline void
drop_later(struct gw_worker *w, struct rte_mbuf *m)
{
	w->drops[w->n_drops++] = m;
	if (unlikely(w->n_drops == GW_WORKER_BURST))
		drops_flush(w);
}

void
gw_worker_drop(struct gw_worker *w, struct rte_mbuf *m, enum gw_cnt reason)
{
	gw_stats_add(&w->stats, reason, 1);
	drop_later(w, m);
}

static void
tx_flush(struct gw_worker *w, uint16_t port)
{
	struct gw_worker_txq *q = &w->txq[port];
	uint64_t bytes = 0;
	uint16_t sent;

	if (q->n == 0)
		return;
	sent = rte_eth_tx_burst(w->ports[port].port_id, w->queue, q->m, q->n);
	/* Counted from what the driver took: a full ring is drop_tx_full only. */
	for (uint16_t i = 0; i < sent; i++)
		bytes += q->len[i];
	gw_stats_add(&w->stats, GW_CNT_tx_packets, sent);
	gw_stats_add(&w->stats, GW_CNT_tx_bytes, bytes);
	if (unlikely(sent < q->n)) {
		gw_stats_add(&w->stats, GW_CNT_drop_tx_full, q->n - sent);
		rte_pktmbuf_free_bulk(&q->m[sent], q->n - sent);
	}
	q->n = 0;
}

void
gw_worker_tx(struct gw_worker *w, uint16_t port, struct rte_mbuf *m)
{
	struct gw_worker_txq *q = &w->txq[port];

	/*
	 * The TCP stack sends payload by reference (a header mbuf chained to
	 * indirect ones). A port that cannot send chains (af_xdp copies only
	 * the first segment) gets them flattened into the header mbuf.
	 */
	if (unlikely(m->nb_segs > 1) &&
			!(w->ports[port].tx_offloads & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) &&
			rte_pktmbuf_linearize(m) != 0) {
		gw_worker_drop(w, m, GW_CNT_drop_tx_chain);
		return;
	}
	q->len[q->n] = (uint16_t)m->pkt_len;
	q->m[q->n++] = m;
	if (q->n == GW_WORKER_BURST)
		tx_flush(w, port);
}

/* Share a learnt neighbour with the other workers (rare: ARP replies, NAs). */
void gw_worker_neigh_share(struct gw_worker *w, const struct gw_neigh_key *k,
	const struct rte_ether_addr *mac, unsigned int flags);

void
gw_worker_neigh_share(struct gw_worker *w, const struct gw_neigh_key *k,
	const struct rte_ether_addr *mac, unsigned int flags)
{
	struct gw_neigh_msg msg = { .key = *k, .mac = *mac, .flags = (uint8_t)flags };

	for (unsigned int i = 0; i < w->n_peers; i++) {
		if (w->peers[i] == w)
			continue;
		/* A full ring only delays learning: the peer will solicit itself. */
		rte_ring_mp_enqueue_elem(w->peers[i]->msg_ring, &msg, sizeof(msg));
	}
}

/* Send what was waiting for a neighbour that just became known. */
void gw_worker_release_held(struct gw_worker *w, uint16_t port, const struct rte_ether_addr *mac,
	struct rte_mbuf **held, int n);

void
gw_worker_release_held(struct gw_worker *w, uint16_t port, const struct rte_ether_addr *mac,
	struct rte_mbuf **held, int n)
{
	for (int i = 0; i < n; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(held[i], struct rte_ether_hdr *);

		eth->dst_addr = *mac;
		gw_worker_tx(w, port, held[i]);
	}
}

static void
serve_msgs(struct gw_worker *w)
{
	struct gw_neigh_msg msgs[16];
	struct rte_mbuf *held[GW_NEIGH_HOLD];
	unsigned int n;

	n = rte_ring_sc_dequeue_burst_elem(w->msg_ring, msgs, sizeof(msgs[0]), RTE_DIM(msgs),
		NULL);
	for (unsigned int i = 0; i < n; i++) {
		int r = gw_neigh_update(w->neigh, &msgs[i].key, &msgs[i].mac, w->now,
			msgs[i].flags, held);

		GW_CNT_INC(&w->stats, neigh_update_rx);
		if (r > 0)
			gw_worker_release_held(w, msgs[i].key.port, &msgs[i].mac, held, r);
	}
}

void
gw_worker_run_requests(struct gw_worker *w)
{
	struct gw_worker_req *req;

	while (rte_ring_sc_dequeue(w->req_ring, (void **)&req) == 0) {
		req->fn(w, req->arg);
		__atomic_store_n(&req->done, 1, __ATOMIC_RELEASE);
		req_put(req);
	}
}

int
gw_worker_call(struct gw_worker *w, void (*fn)(struct gw_worker *w, void *arg), void *arg,
	unsigned int timeout_ms)
{
	struct gw_worker_req *req = calloc(1, sizeof(*req));
	uint64_t deadline;

	if (req == NULL)
		return -ENOMEM;
	req->fn = fn;
	req->arg = arg;
	req->refs = 2;
	if (rte_ring_mp_enqueue(w->req_ring, req) != 0) {
		free(req);
		return -EBUSY;
	}
	deadline = rte_get_timer_cycles() + (uint64_t)timeout_ms * rte_get_timer_hz() / 1000;
	while (!__atomic_load_n(&req->done, __ATOMIC_ACQUIRE)) {
		if (rte_get_timer_cycles() > deadline) {
			req_put(req);
			return -ETIMEDOUT;
		}
		usleep(100);
	}
	req_put(req);
	return 0;
}

static void
apply_generation(struct gw_worker *w)
{
	if (w->dp->gen.number == w->applied_gen)
		return;
	w->applied_gen = w->dp->gen.number;
	gw_neigh_set_params(w->neigh, &w->dp->neigh);
}

/*
 * One burst from one port. The MAC filter a NIC would apply runs inline:
 * frames for other hosts (promiscuous ports, flooding) cost no call and
 * no parsing, and their counter is bumped once per burst.
 */
static inline void
rx_burst(struct gw_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	const struct rte_ether_addr *mine = &w->ports[port].mac;
	struct rte_mbuf *ours[GW_WORKER_BURST];
	uint64_t bytes = 0;
	uint16_t foreign = 0, n_ours = 0;

	/* Headers are read once each: prefetch far enough ahead to hide the miss. */
	for (uint16_t i = 0; i < n && i < GW_WORKER_PREFETCH; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

		if (i + GW_WORKER_PREFETCH < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + GW_WORKER_PREFETCH], void *));
		bytes += m->pkt_len;
		if (likely(m->data_len >= sizeof(*eth)) &&
				rte_is_unicast_ether_addr(&eth->dst_addr) &&
				!rte_is_same_ether_addr(&eth->dst_addr, mine)) {
			foreign++;
			drop_later(w, m);
			continue;
		}
		ours[n_ours++] = m;
	}
	if (n_ours != 0)
		gw_l4_rx_burst(w, port, ours, n_ours);
	gw_stats_add(&w->stats, GW_CNT_rx_packets, n);
	gw_stats_add(&w->stats, GW_CNT_rx_bytes, bytes);
	if (foreign != 0)
		gw_stats_add(&w->stats, GW_CNT_drop_l2_other_host, foreign);
	drops_flush(w);
}

unsigned int
gw_worker_poll(struct gw_worker *w, uint64_t now)
{
	struct rte_mbuf *pkts[GW_WORKER_BURST];
	unsigned int total = 0;
	const struct gw_gen *g;

	w->now = now;
	w->now_ms = (uint32_t)(now / w->tsc_per_ms);
	g = gw_gen_acquire(w->gen);
	w->dp = g == NULL ? NULL : gw_dp_from_gen(g);
	if (likely(w->dp != NULL)) {
		if (unlikely(w->dp->gen.number != w->applied_gen))
			apply_generation(w);
		__atomic_store_n(&w->gen_seen, w->dp->gen.number, __ATOMIC_RELAXED);
	}
	for (uint16_t p = 0; p < w->n_ports; p++) {
		uint16_t n = rte_eth_rx_burst(w->ports[p].port_id, w->queue, pkts, GW_WORKER_BURST);

		if (n == 0)
			continue;
		total += n;
		if (unlikely(w->dp == NULL)) {
			gw_stats_add(&w->stats, GW_CNT_rx_packets, n);
			gw_stats_add(&w->stats, GW_CNT_drop_no_generation, n);
			rte_pktmbuf_free_bulk(pkts, n);
			continue;
		}
		rx_burst(w, p, pkts, n);
	}
	if (w->dp != NULL && w->n_workers > 1) {
		gw_l4_handoff_drain(w);
		drops_flush(w);
	}
	if (w->tcp != NULL && w->dp != NULL) {
		gw_tcp_stack_advance(w->tcp, now / w->tsc_per_us);
		if (w->poll_hook != NULL)
			w->poll_hook(w, w->poll_arg);
	}
	w->iter++;
	if (w->dp != NULL && (total == 0 || w->iter % GW_WORKER_RING_EVERY == 0)) {
		serve_msgs(w);
		gw_worker_run_requests(w);
		if ((int64_t)(now - w->next_age) >= 0) {
			/* An empty table has nothing to age: skip the walk. */
			if (gw_neigh_count(w->neigh) != 0)
				gw_neigh_age(w->neigh, now);
			gw_l4_expire(w);
			w->next_age = now + rte_get_tsc_hz() / (1000000 / GW_WORKER_AGE_US);
		}
	} else if (w->dp == NULL && total == 0) {
		gw_worker_run_requests(w);
	}
	for (uint16_t p = 0; p < w->n_ports; p++)
		tx_flush(w, p);
	drops_flush(w);
	w->dp = NULL;
	return total;
}

/*
 * The poll loop, apart from gw_worker_main(): that one logs, and GCC places
 * a function calling the cold rte_log() in .text.unlikely, loop included.
 */
static void __attribute__((hot, noinline))
worker_loop(struct gw_worker *w)
{
	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)) {
		unsigned int n = gw_worker_poll(w, rte_rdtsc());
		const struct gw_gen *g;
		uint32_t sleep_us;

		gw_gen_quiescent(w->gen, w->id);
		if (n != 0)
			continue;
		g = gw_gen_acquire(w->gen);
		sleep_us = g == NULL ? 1000 : gw_dp_from_gen(g)->idle_sleep_us;
		gw_gen_quiescent(w->gen, w->id);
		if (sleep_us != 0)
			rte_delay_us_sleep(sleep_us);
		else
			rte_pause();
	}
}

int
gw_worker_main(void *arg)
{
	struct gw_worker *w = arg;
	int rc;

	rc = gw_gen_reader_register(w->gen, w->id);
	if (rc < 0) {
		GW_LOG(ERR, "worker %u: cannot register as RCU reader: %s", w->id, strerror(-rc));
		return rc;
	}
	GW_LOG(INFO, "worker %u running on lcore %u, %u port(s), queue %u", w->id,
		rte_lcore_id(), w->n_ports, w->queue);
	worker_loop(w);
	gw_gen_reader_unregister(w->gen, w->id);
	return 0;
}

void
gw_worker_stop(struct gw_worker *w)
{
	__atomic_store_n(&w->stop, 1, __ATOMIC_RELAXED);
}
