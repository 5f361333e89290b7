/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Workers: one per worker lcore, each polling its own RX queue of every
 * port and transmitting on its own TX queue of every port, running every
 * packet to completion (design.md §1, §3). A worker owns all its state in
 * one cache-aligned struct gw_worker (DPDK l3fwd's lcore_conf): counters,
 * neighbour table, TX buffers. Nothing on the packet path takes a lock or
 * an atomic read-modify-write.
 *
 * Talking to a worker:
 *  - configuration comes only through published generations (gw_dp.h);
 *  - other workers send it neighbour updates over its message ring
 *    (multi-producer, rare: ARP replies and advertisements);
 *  - control threads run a function on it with gw_worker_call(), which
 *    queues the request on its request ring; the worker runs it between
 *    bursts, so the function may read the worker's private state.
 *
 * One loop iteration is gw_worker_poll(); gw_worker_main() is the lcore
 * entry that loops until gw_worker_stop(), reporting an RCU quiescent state
 * every iteration and sleeping idle_sleep_us when nothing arrived.
 */
#ifndef GW_WORKER_H
#define GW_WORKER_H

#include <stdint.h>
#include <stdbool.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "gw_common.h"
#include "gw_stats.h"
#include "gw_gen.h"
#include "gw_dp.h"
#include "gw_neigh.h"
#include "gw_flow.h"
#include "gw_pkt.h"
#include "gw_tcp.h"

#define GW_WORKER_BURST 32

/*
 * How a port spreads received packets over its queues (RSS), when dpgw
 * configured it and can predict it: Toeplitz hash with this key over the
 * addresses and ports, then the redirection table. SNAT ports are chosen
 * so that a backend's replies hash to the queue of the worker that owns
 * the flow.
 */
#define GW_RSS_KEY_LEN_MAX 128
#define GW_RSS_RETA_MAX 512
struct gw_port_rss {
	uint16_t key_len;
	uint16_t reta_size;
	uint8_t key[GW_RSS_KEY_LEN_MAX];
	uint16_t reta[GW_RSS_RETA_MAX];  /* queue of each hash % reta_size */
};

/* Queue RSS picks for a packet src:sport -> dst:dport (network order). */
uint16_t gw_rss_queue(const struct gw_port_rss *rss, int family, const void *src,
	const void *dst, uint16_t sport, uint16_t dport);

/* What a worker knows of a port; fixed at boot. */
struct gw_port_info {
	uint16_t port_id;               /* DPDK port id */
	uint16_t mtu;
	struct rte_ether_addr mac;
	uint64_t tx_offloads;           /* RTE_ETH_TX_OFFLOAD_* enabled on the port */
	uint64_t rx_offloads;
	const struct gw_port_rss *rss;  /* NULL: receive queue not predictable */
};

struct gw_worker;

struct gw_worker_conf {
	unsigned int id;                /* 0..n-1, also the queue index and RCU reader id */
	unsigned int lcore;
	int socket;
	uint16_t n_ports;
	struct gw_port_info ports[GW_MAX_PORTS];
	struct rte_mempool *pool;
	struct gw_gen_domain *gen;
	uint32_t neigh_capacity;        /* default 4096 */
	uint32_t max_flows;             /* L4 flows per family; default 65536 */
	/*
	 * Start SNAT ports at a random point of the worker's share, so a
	 * restarted dpgw does not reuse the ports of its last connections,
	 * which backends may still hold in TIME_WAIT. Tests leave it false:
	 * the first flow then gets the lowest port.
	 */
	bool snat_random_start;
	/*
	 * The user-space TCP stack (lib/tcp) for TCP to the port addresses:
	 * created when tcp_max_conns > 0, with tcp_params. An application on the
	 * stack (dpgw-tcp-echo) listens on gw_worker_tcp() before the worker is
	 * launched and may run @poll_hook once per loop iteration on the worker
	 * (w->dp valid, time current).
	 */
	uint32_t tcp_max_conns;
	struct gw_tcp_params tcp_params;
	uint16_t tcp_port_lo, tcp_port_hi;  /* connect() ports; 0/0: the stack's default */
	void (*poll_hook)(struct gw_worker *w, void *arg);
	void *poll_arg;
};

struct gw_worker_txq {
	uint16_t n;
	uint16_t len[GW_WORKER_BURST];  /* pkt_len, read before the driver owns the mbuf */
	struct rte_mbuf *m[GW_WORKER_BURST];
};

struct gw_worker {
	/* read every burst */
	unsigned int id;
	uint16_t queue;
	uint16_t n_ports;
	struct gw_gen_domain *gen;
	const struct gw_dp *dp;         /* valid during one iteration only */
	uint64_t now;                   /* TSC at the start of the iteration */
	struct gw_neigh_table *neigh;
	struct rte_mempool *pool;
	struct gw_port_info ports[GW_MAX_PORTS];
	struct gw_worker_txq txq[GW_MAX_PORTS];
	uint16_t n_drops;               /* dropped mbufs waiting for one bulk free */
	struct rte_mbuf *drops[GW_WORKER_BURST];

	struct gw_flow_table *flows;    /* L4 flows this worker owns */
	uint32_t now_ms;                /* now in milliseconds (flow times) */
	uint32_t snat_cursor;           /* next SNAT port to try, in this worker's share */
	uint16_t n_workers;             /* workers sharing the ports (SNAT port ownership) */
	uint32_t rx_hops;               /* workers the packet being handled visited before */
	struct gw_tcp_stack *tcp;       /* NULL unless conf.tcp_max_conns */
	uint64_t tsc_per_us;
	void (*poll_hook)(struct gw_worker *w, void *arg);
	void *poll_arg;

	/* less often */
	uint64_t iter;
	uint64_t tsc_per_ms;
	uint64_t next_age;
	uint64_t gen_seen;              /* number of the generation last used, read by control */
	uint64_t applied_gen;           /* generation whose parameters are applied */
	struct rte_ring *msg_ring;      /* neighbour updates from other workers */
	struct rte_ring *req_ring;      /* requests from control threads */
	struct gw_worker **peers;       /* all workers, for neighbour updates */
	/* Handoff: hin[i] carries packets from worker i to this one (single producer). */
	struct rte_ring *hin[GW_MAX_WORKERS];
	unsigned int n_peers;
	unsigned int lcore;
	int socket;
	volatile int stop;

	struct gw_stats stats __rte_cache_aligned;
} __rte_cache_aligned;

/* NULL on failure (logged). */
struct gw_worker *gw_worker_create(const struct gw_worker_conf *c);
void gw_worker_free(struct gw_worker *w);

/* Let every worker of @all send neighbour updates to the others. */
void gw_worker_link(struct gw_worker **all, unsigned int n);

/*
 * One loop iteration at time @now (TSC): receive a burst on every port,
 * process it, flush TX, run timers and rings. Returns packets received.
 * Must run on the worker's own thread (or a test thread that stands in for
 * it and is registered as RCU reader w->id).
 */
unsigned int gw_worker_poll(struct gw_worker *w, uint64_t now);

/* lcore entry point: @arg is the struct gw_worker. */
int gw_worker_main(void *arg);

/* Ask the loop to end (any thread). */
void gw_worker_stop(struct gw_worker *w);

/*
 * Control threads: run @fn(w, @arg) on the worker between bursts and wait
 * for it. If the worker is not running (@w->stop or not launched) the
 * caller must not use this. 0, or -ETIMEDOUT after @timeout_ms (@fn may
 * still run later; @arg must then stay valid: pass heap memory the
 * function owns or nothing). Tests polling by hand call
 * gw_worker_run_requests() to serve requests.
 */
int gw_worker_call(struct gw_worker *w, void (*fn)(struct gw_worker *w, void *arg), void *arg,
	unsigned int timeout_ms);
void gw_worker_run_requests(struct gw_worker *w);

/* One L4 flow as `dpgwctl show flows` prints it. Addresses in network order. */
struct gw_l4_flow_info {
	uint8_t family;                 /* AF_INET or AF_INET6 */
	uint8_t proto;                  /* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t state;                  /* enum gw_flow_state (gw_flow_state_name()) */
	uint16_t svc;                   /* the L4 table's service id when it was created */
	uint32_t idle_ms;
	uint8_t client[16], vip[16], backend[16], snat[16];
	uint16_t client_port, vip_port, backend_port, snat_port;   /* host order */
};

/*
 * Run on the worker (gw_worker_call()): copy up to @max of its flows into
 * @out. Returns how many were copied; *@total is how many it holds.
 */
unsigned int gw_worker_flow_dump(struct gw_worker *w, struct gw_l4_flow_info *out,
	unsigned int max, uint32_t *total);
/* The worker's TCP stack (NULL when it has none). */
static inline struct gw_tcp_stack *
gw_worker_tcp(const struct gw_worker *w)
{
	return w->tcp;
}

/* Flow table capacity per family (0 if none). */
uint32_t gw_worker_flow_capacity(const struct gw_worker *w);

/*
 * A received mbuf sent on (a reply built in place, a NAT'd packet) keeps
 * only the flags saying what its buffer is (external or indirect):
 * clearing those would return an attached buffer to the pool as if it
 * were the mbuf's own.
 */
static inline void
gw_worker_reuse_rx(struct rte_mbuf *m)
{
	m->ol_flags &= RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT;
}

/* Drop Ethernet padding: the frame ends where the IP packet @p describes ends. */
static inline void
gw_worker_trim_to_ip(struct rte_mbuf *m, const struct gw_pkt *p)
{
	uint32_t end = (uint32_t)p->l4_off + p->l4_len;

	if (m->pkt_len > end)
		rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - end));
}

/* Internal to lib/worker: packet handlers in gw_services.c. */
void gw_worker_rx_one(struct gw_worker *w, uint16_t port, struct rte_mbuf *m);
/* The same for a frame gw_pkt_parse() already accepted (flat, @p its result). */
void gw_worker_rx_parsed(struct gw_worker *w, uint16_t port, struct rte_mbuf *m,
	const struct gw_pkt *p);
void gw_worker_neigh_solicit(void *arg, const struct gw_neigh_key *k);
void gw_worker_tx(struct gw_worker *w, uint16_t port, struct rte_mbuf *m);
void gw_worker_drop(struct gw_worker *w, struct rte_mbuf *m, enum gw_cnt reason);
/* Output path: route @dst, resolve its next hop, send (consumes @m; false if dropped). */
bool gw_worker_send_ip(struct gw_worker *w, struct rte_mbuf *m, int family, const void *dst);
bool gw_worker_send_via(struct gw_worker *w, struct rte_mbuf *m, struct gw_neigh_key *k);

/* L4 load balancing (gw_l4.c). */
/* Every TCP/UDP packet (before the local-address lookup: gw_l4.c classifies misses). */
void gw_l4_input(struct gw_worker *w, uint16_t port, struct rte_mbuf *m, const struct gw_pkt *p);
/* A received burst (MAC-filtered): bulk flow lookups, then each frame in order. */
void gw_l4_rx_burst(struct gw_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n);
/* ICMP/ICMPv6 error to one of our addresses: translate it if it is about a NAT'd flow. */
void gw_l4_icmp_error(struct gw_worker *w, uint16_t port, struct rte_mbuf *m,
	const struct gw_pkt *p, int kind);
/* Serve the handoff rings; expire flows (every millisecond). */
void gw_l4_handoff_drain(struct gw_worker *w);
void gw_l4_expire(struct gw_worker *w);
/* The TCP stack's hooks (gw_l4.c): output and stray segments. */
int gw_worker_tcp_output(void *arg, struct rte_mbuf *m, int family, const uint8_t *src,
	const uint8_t *dst);
bool gw_worker_tcp_stray(void *arg, struct rte_mbuf *m);

#endif /* GW_WORKER_H */
