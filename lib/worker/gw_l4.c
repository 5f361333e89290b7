/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L4 load balancing: TCPRoute/UDPRoute listeners with full NAT (design.md
 * §3, L4 branch).
 *
 *   client -> VIP:vport          ==>  SNAT:sport -> backend:bport
 *   backend:bport -> SNAT:sport  ==>  VIP:vport -> client
 *
 * A client packet that misses the flow table starts a flow (TCP: only a
 * SYN): Maglev picks the backend from the flow hash, a SNAT address and a
 * port owned by this worker (port % n_workers == worker id) are chosen,
 * and both keys go into this worker's flow table. Every later packet is
 * one lookup and an in-place rewrite with RFC 1624 checksum updates (or
 * the port's checksum offload). Backend packets are owned by the worker
 * their destination port names; another worker that receives one hands
 * it over on a single-producer ring (counted).
 *
 * Flows keep their backend by value: a new generation changes only the
 * choice for new flows. The first packet of a flow after a change checks
 * that its backend is still an endpoint of its service (weight 0 drains:
 * it still counts); a flow whose backend left is reset (TCP: RST to the
 * client) or, for UDP, picked again.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_thash.h>
#include <rte_udp.h>

#include "gw_worker.h"
#include "gw_pkt.h"
#include "gw_l3.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* SNAT ports tried per new flow before giving up. */
#define SNAT_TRIES 64
#define HANDOFF_RING 1024
#define EXPIRE_BUDGET 1024

/* Where a packet's addresses and ports are. */
struct l4_view {
	enum gw_flow_fam fam;
	int family;
	uint8_t proto;
	uint8_t *l3;
	uint8_t *l4;
	uint8_t *src, *dst;      /* in the IP header */
	uint16_t *sport, *dport; /* in the L4 header */
};

static inline uint32_t
alen(enum gw_flow_fam fam)
{
	return fam == GW_FLOW_V4 ? 4 : 16;
}

static inline void
view_init(struct l4_view *v, struct rte_mbuf *m, const struct gw_pkt *p)
{
	v->l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, p->l3_off);
	v->l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, p->l4_off);
	v->proto = p->l4_proto;
	if (p->ip_version == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)v->l3;

		v->fam = GW_FLOW_V4;
		v->family = AF_INET;
		v->src = (uint8_t *)&ip->src_addr;
		v->dst = (uint8_t *)&ip->dst_addr;
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)v->l3;

		v->fam = GW_FLOW_V6;
		v->family = AF_INET6;
		v->src = ip6->src_addr;
		v->dst = ip6->dst_addr;
	}
	v->sport = (uint16_t *)v->l4;
	v->dport = (uint16_t *)(v->l4 + 2);
}

/* The key of a packet as it arrived. */
static inline void
key_of(const struct l4_view *v, union gw_flow_key *k)
{
	if (v->fam == GW_FLOW_V4) {
		memcpy(&k->v4.src, v->src, 4);
		memcpy(&k->v4.dst, v->dst, 4);
		k->v4.sport = *v->sport;
		k->v4.dport = *v->dport;
		k->v4.proto = v->proto;
		memset(k->v4.pad, 0, sizeof(k->v4.pad));
	} else {
		memcpy(k->v6.src, v->src, 16);
		memcpy(k->v6.dst, v->dst, 16);
		k->v6.sport = *v->sport;
		k->v6.dport = *v->dport;
		k->v6.proto = v->proto;
		memset(k->v6.pad, 0, sizeof(k->v6.pad));
	}
}

/* Accessors that hide the family. */
static inline const uint8_t *
k_src(enum gw_flow_fam fam, const union gw_flow_key *k)
{
	return fam == GW_FLOW_V4 ? (const uint8_t *)&k->v4.src : k->v6.src;
}

static inline const uint8_t *
k_dst(enum gw_flow_fam fam, const union gw_flow_key *k)
{
	return fam == GW_FLOW_V4 ? (const uint8_t *)&k->v4.dst : k->v6.dst;
}

static inline uint16_t
k_sport(enum gw_flow_fam fam, const union gw_flow_key *k)
{
	return fam == GW_FLOW_V4 ? k->v4.sport : k->v6.sport;
}

static inline uint16_t
k_dport(enum gw_flow_fam fam, const union gw_flow_key *k)
{
	return fam == GW_FLOW_V4 ? k->v4.dport : k->v6.dport;
}

static inline uint64_t
gateway_version(const struct gw_worker *w)
{
	return w->dp->gateway != NULL ? w->dp->gateway->version : 0;
}

/* ---- checksums ---- */

/* Add the change of @n 16-bit words from @o to @nw to a partial sum. */
static inline uint32_t
sum_delta(uint32_t sum, const void *o, const void *nw, unsigned int n)
{
	const uint16_t *a = o, *b = nw;

	for (unsigned int i = 0; i < n; i++)
		sum += (uint16_t)~a[i] + (uint32_t)b[i];
	return sum;
}

static inline uint16_t
fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Checksum field after the changes summed in @delta (RFC 1624 eqn. 3). */
static inline uint16_t
cksum_apply(uint16_t cks, uint32_t delta)
{
	return (uint16_t)~fold((uint16_t)~cks + delta);
}

/*
 * Rewrite a packet in place to @src:@sport -> @dst:@dport (network order)
 * with the L4 checksum updated, TTL/hop limit decremented, padding
 * trimmed; then route it to @dst and send it. @m is consumed.
 */
static void
nat_send(struct gw_worker *w, struct rte_mbuf *m, const struct gw_pkt *p,
	const struct l4_view *v, const uint8_t *src, const uint8_t *dst, uint16_t sport,
	uint16_t dport)
{
	uint16_t *cks = (uint16_t *)(v->l4 + (v->proto == IPPROTO_TCP ? 16 : 6));
	struct gw_neigh_key k = { .family = (uint8_t)v->family };
	uint32_t n = alen(v->fam), delta;
	bool offload;

	if (unlikely(gw_l3_route_lookup(w->dp->l3, v->family, dst, &k.port, k.ip) < 0)) {
		gw_worker_drop(w, m, GW_CNT_drop_no_route);
		return;
	}
	delta = sum_delta(0, v->src, src, n / 2);
	delta = sum_delta(delta, v->dst, dst, n / 2);
	delta = sum_delta(delta, v->sport, &sport, 1);
	delta = sum_delta(delta, v->dport, &dport, 1);
	memcpy(v->src, src, n);
	memcpy(v->dst, dst, n);
	*v->sport = sport;
	*v->dport = dport;
	gw_worker_trim_to_ip(m, p);
	gw_worker_reuse_rx(m);
	offload = (w->ports[k.port].tx_offloads & (v->proto == IPPROTO_TCP ?
		RTE_ETH_TX_OFFLOAD_TCP_CKSUM : RTE_ETH_TX_OFFLOAD_UDP_CKSUM)) != 0;
	if (v->fam == GW_FLOW_V4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)v->l3;

		ip->time_to_live--;
		/* UDP over IPv4 without a checksum stays without one. */
		if (v->proto == IPPROTO_UDP && *cks == 0) {
			offload = false;
		} else if (offload) {
			m->l2_len = p->l3_off;
			m->l3_len = (uint16_t)(p->l4_off - p->l3_off);
			m->ol_flags |= RTE_MBUF_F_TX_IPV4 | (v->proto == IPPROTO_TCP ?
				RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
			*cks = rte_ipv4_phdr_cksum(ip, m->ol_flags);
		} else {
			*cks = cksum_apply(*cks, delta);
			if (v->proto == IPPROTO_UDP && *cks == 0)
				*cks = 0xffff;
		}
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)v->l3;

		ip6->hop_limits--;
		if (offload) {
			m->l2_len = p->l3_off;
			m->l3_len = (uint16_t)(p->l4_off - p->l3_off);
			m->ol_flags |= RTE_MBUF_F_TX_IPV6 | (v->proto == IPPROTO_TCP ?
				RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
			*cks = rte_ipv6_phdr_cksum(ip6, m->ol_flags);
		} else {
			*cks = cksum_apply(*cks, delta);
			if (v->proto == IPPROTO_UDP && *cks == 0)
				*cks = 0xffff;
		}
	}
	gw_worker_send_via(w, m, &k);
}

/* ---- TCP ---- */

/*
 * A reset for the client's segment (RFC 9293 §3.10.7.1), built in place:
 * from the VIP:port it wrote to, no payload, no options.
 */
static void
send_rst(struct gw_worker *w, struct rte_mbuf *m, const struct gw_pkt *p,
	const struct l4_view *v)
{
	const struct rte_tcp_hdr *in = (const struct rte_tcp_hdr *)v->l4;
	uint32_t hlen = (uint32_t)(in->data_off >> 4) * 4;
	uint32_t plen = p->l4_len > hlen ? p->l4_len - hlen : 0;
	uint8_t flags = in->tcp_flags, src[16], dst[16];
	uint16_t sport = in->dst_port, dport = in->src_port;
	uint32_t seq, ack;
	struct rte_tcp_hdr *tcp;
	uint8_t rflags;

	if (flags & TCP_RST) {          /* never answer a reset */
		rte_pktmbuf_free(m);
		return;
	}
	if (flags & TCP_ACK) {
		seq = in->recv_ack;
		ack = 0;
		rflags = TCP_RST;
	} else {
		seq = 0;
		ack = rte_cpu_to_be_32(rte_be_to_cpu_32(in->sent_seq) + plen +
			((flags & TCP_SYN) ? 1 : 0) + ((flags & TCP_FIN) ? 1 : 0));
		rflags = TCP_RST | TCP_ACK;
	}
	memcpy(src, v->dst, alen(v->fam));
	memcpy(dst, v->src, alen(v->fam));
	if (v->fam == GW_FLOW_V4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)v->l3;

		memset(ip, 0, sizeof(*ip) + sizeof(*tcp));
		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*tcp));
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		memcpy(&ip->src_addr, src, 4);
		memcpy(&ip->dst_addr, dst, 4);
		tcp = (struct rte_tcp_hdr *)(ip + 1);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)v->l3;

		memset(ip6, 0, sizeof(*ip6) + sizeof(*tcp));
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16(sizeof(*tcp));
		ip6->proto = IPPROTO_TCP;
		ip6->hop_limits = 64;
		memcpy(ip6->src_addr, src, 16);
		memcpy(ip6->dst_addr, dst, 16);
		tcp = (struct rte_tcp_hdr *)(ip6 + 1);
	}
	tcp->src_port = sport;
	tcp->dst_port = dport;
	tcp->sent_seq = seq;
	tcp->recv_ack = ack;
	tcp->data_off = 5 << 4;
	tcp->tcp_flags = rflags;
	if (v->fam == GW_FLOW_V4)
		tcp->cksum = rte_ipv4_udptcp_cksum((struct rte_ipv4_hdr *)v->l3, tcp);
	else
		tcp->cksum = rte_ipv6_udptcp_cksum((struct rte_ipv6_hdr *)v->l3, tcp);
	rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - p->l3_off -
		(v->fam == GW_FLOW_V4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr)) -
		sizeof(*tcp)));
	gw_worker_reuse_rx(m);
	GW_CNT_INC(&w->stats, l4_rst_tx);
	gw_worker_send_ip(w, m, v->family, dst);
}

/* Track a segment of flow @idx; @from_client tells the direction. */
static inline void
tcp_track(struct gw_worker *w, enum gw_flow_fam fam, uint32_t idx, uint8_t flags,
	bool from_client)
{
	struct gw_flow *f = gw_flow_at(w->flows, fam, idx);
	enum gw_flow_state s = (enum gw_flow_state)f->state, ns = s;

	if (likely(s == GW_FLOW_TCP_ESTABLISHED && !(flags & (TCP_FIN | TCP_RST)))) {
		f->seen = w->now_ms;
		return;
	}
	if (flags & TCP_RST) {
		ns = GW_FLOW_TCP_CLOSED;
	} else if (flags & TCP_FIN) {
		f->fin |= from_client ? GW_FLOW_FIN_CLIENT : GW_FLOW_FIN_BACKEND;
		ns = f->fin == (GW_FLOW_FIN_CLIENT | GW_FLOW_FIN_BACKEND) ?
			GW_FLOW_TCP_TIME_WAIT : GW_FLOW_TCP_FIN_WAIT;
		if (s == GW_FLOW_TCP_CLOSED)
			ns = s;
	} else if (s == GW_FLOW_TCP_SYN_SENT && !from_client &&
			(flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
		ns = GW_FLOW_TCP_SYN_RECV;
	} else if (s == GW_FLOW_TCP_SYN_RECV && from_client && (flags & TCP_ACK)) {
		ns = GW_FLOW_TCP_ESTABLISHED;
	}
	if (ns != s)
		gw_flow_set_state(w->flows, fam, idx, ns, w->now_ms);
	else
		f->seen = w->now_ms;
}

/* ---- flows ---- */

/* Is @be:@bport (network order) still an endpoint of the service at @fk's VIP:port? */
static bool
backend_present(const struct gw_worker *w, enum gw_flow_fam fam, const union gw_flow_key *fk,
	const uint8_t *be, uint16_t bport)
{
	const struct gw_lb_service *s;
	int family = fam == GW_FLOW_V4 ? AF_INET : AF_INET6;
	uint8_t proto = fam == GW_FLOW_V4 ? fk->v4.proto : fk->v6.proto;

	if (w->dp->l4 == NULL)
		return false;
	s = gw_lb_lookup(w->dp->l4, proto, family, k_dst(fam, fk),
		rte_be_to_cpu_16(k_dport(fam, fk)));
	if (s == NULL)
		return false;
	for (unsigned int i = 0; i < s->n_endpoints; i++) {
		const struct gw_lb_endpoint *e = &s->endpoints[i];

		if (e->family == family && e->port == rte_be_to_cpu_16(bport) &&
				memcmp(e->addr, be, alen(fam)) == 0)
			return true;
	}
	return false;
}

/*
 * After a generation change: is flow @idx's backend still there? Updates
 * the flow's version when it is.
 */
static inline bool
flow_valid(struct gw_worker *w, enum gw_flow_fam fam, uint32_t idx)
{
	struct gw_flow *f = gw_flow_at(w->flows, fam, idx);
	uint32_t ver = (uint32_t)gateway_version(w);
	const union gw_flow_key *fk, *rk;

	if (likely(f->version == ver))
		return true;
	fk = gw_flow_fwd_key(w->flows, fam, idx);
	rk = gw_flow_rev_key(w->flows, fam, idx);
	if (fk == NULL || rk == NULL || !backend_present(w, fam, fk, k_src(fam, rk),
			k_sport(fam, rk)))
		return false;
	f->version = ver;
	return true;
}

/* The SNAT source address toward @be leaving through @port. */
static int
snat_addr(const struct gw_worker *w, enum gw_flow_fam fam, uint16_t port, const uint8_t *be,
	uint32_t hash, uint8_t out[16])
{
	const struct gw_dp_l4_params *lp = &w->dp->l4p;

	if (fam == GW_FLOW_V4 && lp->n_snat4 > 0) {
		memcpy(out, lp->snat4[hash % lp->n_snat4], 4);
		return 0;
	}
	if (fam == GW_FLOW_V6 && lp->n_snat6 > 0) {
		memcpy(out, lp->snat6[hash % lp->n_snat6], 16);
		return 0;
	}
	return gw_l3_source(w->dp->l3, port, fam == GW_FLOW_V4 ? AF_INET : AF_INET6, be, out);
}

static inline uint16_t
n_workers(const struct gw_worker *w)
{
	return w->n_workers > 0 ? w->n_workers : 1;
}

/* Build the reverse key backend -> snat:port for @proto. */
static inline void
rev_key(enum gw_flow_fam fam, union gw_flow_key *rk, const uint8_t *be, uint16_t bport,
	const uint8_t *snat, uint16_t sport, uint8_t proto)
{
	memset(rk, 0, sizeof(*rk));
	if (fam == GW_FLOW_V4) {
		memcpy(&rk->v4.src, be, 4);
		memcpy(&rk->v4.dst, snat, 4);
		rk->v4.sport = bport;
		rk->v4.dport = sport;
		rk->v4.proto = proto;
	} else {
		memcpy(rk->v6.src, be, 16);
		memcpy(rk->v6.dst, snat, 16);
		rk->v6.sport = bport;
		rk->v6.dport = sport;
		rk->v6.proto = proto;
	}
}

uint16_t
gw_rss_queue(const struct gw_port_rss *rss, int family, const void *src, const void *dst,
	uint16_t sport, uint16_t dport)
{
	union rte_thash_tuple t;
	uint32_t h;

	if (family == AF_INET) {
		uint32_t a, b;

		memcpy(&a, src, 4);
		memcpy(&b, dst, 4);
		t.v4.src_addr = rte_be_to_cpu_32(a);
		t.v4.dst_addr = rte_be_to_cpu_32(b);
		t.v4.sport = rte_be_to_cpu_16(sport);
		t.v4.dport = rte_be_to_cpu_16(dport);
		h = rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, rss->key);
	} else {
		struct rte_ipv6_hdr ip6;

		memcpy(ip6.src_addr, src, 16);
		memcpy(ip6.dst_addr, dst, 16);
		rte_thash_load_v6_addrs(&ip6, &t);
		t.v6.sport = rte_be_to_cpu_16(sport);
		t.v6.dport = rte_be_to_cpu_16(dport);
		h = rte_softrss((uint32_t *)&t, RTE_THASH_V6_L4_LEN, rss->key);
	}
	return rss->reta[h % rss->reta_size];
}

/*
 * A free SNAT port of this worker's share (port % n_workers == id) for
 * the reverse key in @rk (address fields filled); sets its dport and
 * returns its hash, or -1 when SNAT_TRIES candidates are all taken. When
 * the port facing the backend (@oport) spreads by a predictable RSS, the
 * port must also make the backend's replies hash to this worker's queue.
 */
static int64_t
snat_port(struct gw_worker *w, enum gw_flow_fam fam, union gw_flow_key *rk, uint16_t oport)
{
	const struct gw_port_rss *rss = n_workers(w) > 1 ? w->ports[oport].rss : NULL;
	int family = fam == GW_FLOW_V4 ? AF_INET : AF_INET6;
	const struct gw_dp_l4_params *lp = &w->dp->l4p;
	uint32_t n = n_workers(w), lo = lp->snat_port_lo ? lp->snat_port_lo : 1024;
	uint32_t hi = lp->snat_port_hi ? lp->snat_port_hi : 65535;
	uint32_t first = lo + (w->id + n - lo % n) % n, share, tries;

	if (first > hi)
		return -1;
	share = (hi - first) / n + 1;
	/* With RSS, about one candidate in n lands on our queue. */
	tries = SNAT_TRIES * (rss != NULL ? n : 1);
	for (uint32_t i = 0; i < tries && i < share; i++) {
		uint32_t c = (w->snat_cursor + i) % share;
		uint16_t port = rte_cpu_to_be_16((uint16_t)(first + c * n));
		uint32_t h;

		if (fam == GW_FLOW_V4)
			rk->v4.dport = port;
		else
			rk->v6.dport = port;
		if (rss != NULL && gw_rss_queue(rss, family, k_src(fam, rk), k_dst(fam, rk),
				k_sport(fam, rk), port) != w->queue)
			continue;
		h = gw_flow_hash(fam, rk);
		if (!gw_flow_rev_exists(w->flows, fam, rk, h)) {
			w->snat_cursor = (c + 1) % share;
			return h;
		}
	}
	return -1;
}

/*
 * A client segment of a TCP flow this worker does not hold (or an ICMP
 * error about a packet we sent to a client: nothing in it names the
 * flow's owner either). The client
 * side of a flow belongs to the worker the NIC gave its SYN to (design.md
 * §1), and the NIC keeps giving it the rest; not always: af_packet's
 * fanout rolls packets over to another socket when one is full, and a
 * RETA change moves flows. So before such a segment is dropped it visits
 * the other workers in turn, on the handoff rings, carrying how many it
 * has seen; the one holding the flow forwards it. Rare by design, counted.
 * True when it was passed on.
 */
static bool
pass_on(struct gw_worker *w, struct rte_mbuf *m, uint16_t port)
{
	unsigned int n = n_workers(w), next;
	struct rte_ring *r;

	if (n <= 1 || w->rx_hops + 1u >= n || w->peers == NULL)
		return false;
	next = (w->id + 1) % n;
	r = w->peers[next]->hin[w->id];
	m->port = port;
	m->hash.usr = w->rx_hops + 1u;
	if (unlikely(r == NULL || rte_ring_sp_enqueue(r, m) != 0)) {
		gw_worker_drop(w, m, GW_CNT_drop_handoff_full);
		return true;
	}
	GW_CNT_INC(&w->stats, l4_stray_tx);
	return true;
}

/* Start a flow for the client packet with key @k (hash @h). Index, or -1 (dropped). */
static int
flow_new(struct gw_worker *w, uint16_t port, struct rte_mbuf *m, const struct l4_view *v,
	const union gw_flow_key *k, uint32_t h)
{
	const struct gw_lb_service *s = NULL;
	const struct gw_lb_endpoint *ep;
	union gw_flow_key rk;
	uint8_t snat[16], nh[16];
	uint16_t oport, bport;
	int64_t rh;
	int idx, evicted;

	if (w->dp->l4 != NULL)
		s = gw_lb_lookup(w->dp->l4, v->proto, v->family, v->dst,
			rte_be_to_cpu_16(*v->dport));
	if (s == NULL) {
		gw_worker_drop(w, m, GW_CNT_drop_no_listener);
		return -1;
	}
	if (v->proto == IPPROTO_TCP) {
		uint8_t fl = v->l4[13];

		if ((fl & TCP_SYN) ? (fl & (TCP_FIN | TCP_RST)) != 0 :
				(fl & (TCP_FIN | TCP_RST | TCP_ACK)) == 0) {
			gw_worker_drop(w, m, GW_CNT_drop_l4_bad_tcp_flags);
			return -1;
		}
		if ((fl & (TCP_SYN | TCP_ACK)) != TCP_SYN) {
			if (!pass_on(w, m, port))
				gw_worker_drop(w, m, GW_CNT_drop_l4_no_flow);
			return -1;
		}
	}
	ep = gw_lb_pick(s, h);
	if (ep == NULL || ep->family != v->family) {
		gw_worker_drop(w, m, GW_CNT_drop_l4_no_backend);
		return -1;
	}
	if (gw_l3_route_lookup(w->dp->l3, v->family, ep->addr, &oport, nh) < 0) {
		gw_worker_drop(w, m, GW_CNT_drop_no_route);
		return -1;
	}
	bport = rte_cpu_to_be_16(ep->port);
	if (snat_addr(w, v->fam, oport, ep->addr, h, snat) < 0) {
		gw_worker_drop(w, m, GW_CNT_drop_l4_snat_exhausted);
		return -1;
	}
	rev_key(v->fam, &rk, ep->addr, bport, snat, 0, v->proto);
	rh = snat_port(w, v->fam, &rk, oport);
	if (rh < 0) {
		gw_worker_drop(w, m, GW_CNT_drop_l4_snat_exhausted);
		return -1;
	}
	idx = gw_flow_insert_new(w->flows, v->fam, k, h, &rk, (uint32_t)rh,
		v->proto == IPPROTO_TCP ? GW_FLOW_TCP_SYN_SENT : GW_FLOW_UDP, w->now_ms, &evicted);
	if (evicted)
		GW_CNT_INC(&w->stats, l4_flow_evicted);
	if (idx < 0) {
		gw_worker_drop(w, m, GW_CNT_drop_l4_table_full);
		return -1;
	}
	gw_flow_at(w->flows, v->fam, (uint32_t)idx)->version = (uint32_t)gateway_version(w);
	gw_flow_at(w->flows, v->fam, (uint32_t)idx)->svc = (uint16_t)s->id;
	GW_CNT_INC(&w->stats, l4_flow_new);
	return idx;
}

/* A client packet to a VIP: flow @idx (key @k, hash @h), or -1 for none. */
static void
l4_forward(struct gw_worker *w, uint16_t port, struct rte_mbuf *m, const struct gw_pkt *p,
	const struct l4_view *v, const union gw_flow_key *kp, uint32_t h, int idx)
{
	const union gw_flow_key *rk;
	uint8_t flags = v->proto == IPPROTO_TCP ? v->l4[13] : 0;

	if (idx >= 0) {
		struct gw_flow *f = gw_flow_at(w->flows, v->fam, (uint32_t)idx);

		if (unlikely(!flow_valid(w, v->fam, (uint32_t)idx))) {
			GW_CNT_INC(&w->stats, l4_backend_gone);
			gw_flow_delete(w->flows, v->fam, (uint32_t)idx);
			if (v->proto == IPPROTO_TCP) {
				send_rst(w, m, p, v);
				return;
			}
			idx = -1;
		} else if (unlikely((flags & (TCP_SYN | TCP_ACK)) == TCP_SYN &&
				(f->state == GW_FLOW_TCP_TIME_WAIT ||
				 f->state == GW_FLOW_TCP_CLOSED))) {
			/* A new connection reusing the addresses and ports of a closed one. */
			GW_CNT_INC(&w->stats, l4_flow_reused);
			gw_flow_delete(w->flows, v->fam, (uint32_t)idx);
			idx = -1;
		}
	}
	if (idx < 0) {
		idx = flow_new(w, port, m, v, kp, h);
		if (idx < 0)
			return;
	}
	if (v->proto == IPPROTO_TCP)
		tcp_track(w, v->fam, (uint32_t)idx, flags, true);
	else
		gw_flow_at(w->flows, v->fam, (uint32_t)idx)->seen = w->now_ms;
	rk = gw_flow_rev_key(w->flows, v->fam, (uint32_t)idx);
	GW_CNT_INC(&w->stats, l4_fwd_packets);
	/* backend -> snat:port reversed: snat:port -> backend */
	nat_send(w, m, p, v, k_dst(v->fam, rk), k_src(v->fam, rk), k_dport(v->fam, rk),
		k_sport(v->fam, rk));
}

static inline bool
in_snat_range(const struct gw_worker *w, uint16_t port_be)
{
	const struct gw_dp_l4_params *lp = &w->dp->l4p;
	uint16_t port = rte_be_to_cpu_16(port_be);

	return port >= (lp->snat_port_lo ? lp->snat_port_lo : 1024) &&
		port <= (lp->snat_port_hi ? lp->snat_port_hi : 65535);
}

/* The worker owning SNAT port @port_be. */
static inline unsigned int
owner_of(const struct gw_worker *w, uint16_t port_be)
{
	return rte_be_to_cpu_16(port_be) % n_workers(w);
}

/* Hand @m to the owner of SNAT port @port_be; true when it was taken (or dropped, counted). */
static bool
handoff(struct gw_worker *w, struct rte_mbuf *m, uint16_t port, uint16_t port_be)
{
	unsigned int owner = owner_of(w, port_be);
	struct rte_ring *r;

	if (likely(owner == w->id) || w->peers == NULL || owner >= w->n_peers)
		return false;
	r = w->peers[owner]->hin[w->id];
	m->port = port;
	if (unlikely(r == NULL || rte_ring_sp_enqueue(r, m) != 0)) {
		gw_worker_drop(w, m, GW_CNT_drop_handoff_full);
		return true;
	}
	m->hash.usr = 0;
	GW_CNT_INC(&w->stats, l4_handoff_tx);
	return true;
}

/* A backend's reply: flow @idx, found by its reverse key. */
static void
l4_reverse(struct gw_worker *w, struct rte_mbuf *m, const struct gw_pkt *p,
	const struct l4_view *v, int idx)
{
	const union gw_flow_key *fk;

	if (unlikely(!flow_valid(w, v->fam, (uint32_t)idx))) {
		GW_CNT_INC(&w->stats, l4_backend_gone);
		gw_flow_delete(w->flows, v->fam, (uint32_t)idx);
		gw_worker_drop(w, m, GW_CNT_drop_l4_no_flow);
		return;
	}
	if (v->proto == IPPROTO_TCP)
		tcp_track(w, v->fam, (uint32_t)idx, v->l4[13], false);
	else
		gw_flow_at(w->flows, v->fam, (uint32_t)idx)->seen = w->now_ms;
	fk = gw_flow_fwd_key(w->flows, v->fam, (uint32_t)idx);
	GW_CNT_INC(&w->stats, l4_rev_packets);
	/* client -> vip:port reversed: vip:port -> client */
	nat_send(w, m, p, v, k_dst(v->fam, fk), k_src(v->fam, fk), k_dport(v->fam, fk),
		k_sport(v->fam, fk));
}

/* Forwarded packets must allow one more hop. */
static inline bool
ttl_ok(const struct l4_view *v)
{
	return v->fam == GW_FLOW_V4 ? ((const struct rte_ipv4_hdr *)v->l3)->time_to_live > 1 :
		((const struct rte_ipv6_hdr *)v->l3)->hop_limits > 1;
}

/*
 * Where a TCP/UDP packet goes, given its flow lookups: @ridx / @fidx the
 * reverse / forward lookup (>= 0 hit, -1 miss, -2 not done yet).
 *
 * Flows are found before the local-address lookup (a hit proves the
 * destination is ours), so established traffic costs one flow lookup.
 * Misses are classified by their destination: a VIP starts a flow, a port
 * or SNAT address in the SNAT port range has no flow (or belongs to
 * another worker: handed over), anything else is not for us.
 */
static void
l4_handle(struct gw_worker *w, uint16_t port, struct rte_mbuf *m, const struct gw_pkt *p,
	const struct l4_view *v, const union gw_flow_key *k, uint32_t h, int ridx, int fidx)
{
	enum gw_l3_local_kind kind = GW_L3_NOT_LOCAL;
	bool looked_up = false;

	if (unlikely(w->flows == NULL))
		goto classify;
	if (in_snat_range(w, *v->dport)) {
		if (unlikely(owner_of(w, *v->dport) != w->id)) {
			/* Another worker's port: its flows cannot be here. */
			kind = gw_l3_local_lookup(w->dp->l3, v->family, v->dst, NULL);
			looked_up = true;
			if (kind == GW_L3_PORT_ADDR || kind == GW_L3_SNAT) {
				handoff(w, m, port, *v->dport);
				return;
			}
		} else {
			if (ridx == -2)
				ridx = gw_flow_find_rev(w->flows, v->fam, k, h);
			if (ridx >= 0) {
				if (unlikely(!ttl_ok(v))) {
					gw_worker_drop(w, m, GW_CNT_drop_ttl_exceeded);
					return;
				}
				l4_reverse(w, m, p, v, ridx);
				return;
			}
		}
	}
	if (fidx == -2)
		fidx = gw_flow_find_fwd(w->flows, v->fam, k, h);
	if (fidx >= 0) {
		if (unlikely(!ttl_ok(v))) {
			gw_worker_drop(w, m, GW_CNT_drop_ttl_exceeded);
			return;
		}
		l4_forward(w, port, m, p, v, k, h, fidx);
		return;
	}
classify:
	if (!looked_up)
		kind = gw_l3_local_lookup(w->dp->l3, v->family, v->dst, NULL);
	if (kind == GW_L3_NOT_LOCAL) {
		gw_worker_drop(w, m, GW_CNT_drop_not_for_us);
		return;
	}
	if (w->tcp != NULL && v->proto == IPPROTO_TCP && kind == GW_L3_PORT_ADDR) {
		/* The gateway's own TCP (lib/tcp): listeners and connections it opened. */
		m->port = port;
		gw_tcp_input(w->tcp, m, v->family, p->l3_off, p->l4_off, p->l4_len);
		return;
	}
	if (w->flows == NULL || kind != GW_L3_VIP) {
		gw_worker_drop(w, m, w->flows != NULL && in_snat_range(w, *v->dport) ?
			GW_CNT_drop_l4_no_flow : GW_CNT_drop_no_listener);
		return;
	}
	if (unlikely(!ttl_ok(v))) {
		gw_worker_drop(w, m, GW_CNT_drop_ttl_exceeded);
		return;
	}
	l4_forward(w, port, m, p, v, k, h, -1);
}

static inline bool
l4_len_ok(const struct gw_pkt *p)
{
	return p->l4_len >= (p->l4_proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) :
		sizeof(struct rte_udp_hdr));
}

/* One TCP/UDP packet on its own (handed over, or not in a burst's fast road). */
void
gw_l4_input(struct gw_worker *w, uint16_t port, struct rte_mbuf *m, const struct gw_pkt *p)
{
	union gw_flow_key k;
	struct l4_view v;
	uint32_t h = 0;

	if (unlikely(!l4_len_ok(p))) {
		gw_worker_drop(w, m, GW_CNT_drop_l4_truncated);
		return;
	}
	view_init(&v, m, p);
	if (likely(w->flows != NULL)) {
		key_of(&v, &k);
		h = gw_flow_hash(v.fam, &k);
	}
	l4_handle(w, port, m, p, &v, &k, h, -2, -2);
}

/*
 * A burst: parse every frame, look the TCP/UDP ones up in the flow table
 * all at once (rte_hash's bulk lookups prefetch buckets and keys, so with
 * a large table the cache misses of a burst overlap instead of adding up),
 * then handle each frame in order. Other frames go on with the parse they
 * already had (gw_worker_rx_parsed()); chained ones through
 * gw_worker_rx_one(), which flattens them first. A flow inserted or deleted while the burst
 * is handled (a new flow evicting one, a reset) makes later packets of the
 * burst look themselves up again.
 */
void
gw_l4_rx_burst(struct gw_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct gw_pkt pk[GW_WORKER_BURST];
	union gw_flow_key key[GW_WORKER_BURST];
	uint32_t hs[GW_WORKER_BURST];
	int fidx[GW_WORKER_BURST], ridx[GW_WORKER_BURST];
	bool cand[GW_WORKER_BURST];
	int8_t state[GW_WORKER_BURST];
	const void *lk[GW_FLOW_N_FAM][2][GW_WORKER_BURST];
	uint32_t lsig[GW_FLOW_N_FAM][2][GW_WORKER_BURST];
	uint8_t lwho[GW_FLOW_N_FAM][2][GW_WORKER_BURST];
	unsigned int ln[GW_FLOW_N_FAM][2] = { { 0, 0 }, { 0, 0 } };
	uint32_t mut;
	int rc;

	if (unlikely(w->flows == NULL)) {
		for (uint16_t i = 0; i < n; i++)
			gw_worker_rx_one(w, port, pkts[i]);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct l4_view v;
		uint32_t hw = 0;

		/* 0: not TCP/UDP (handled below, already parsed); -1: gw_worker_rx_one(). */
		state[i] = -1;
		cand[i] = false;
		if (unlikely(m->nb_segs > 1))
			continue;
		if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
			hw |= GW_PKT_HW_IP_CKSUM_GOOD;
		else if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD)
			hw |= GW_PKT_HW_IP_CKSUM_BAD;
		rc = gw_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, hw, &pk[i]);
		if (unlikely(rc != 0)) {
			/* Counted now, freed in the worker's bulk free: order does not matter. */
			gw_worker_drop(w, m, (enum gw_cnt)rc);
			state[i] = 1;
			continue;
		}
		state[i] = 0;
		if (pk[i].ip_version == 0 || (pk[i].l4_proto != IPPROTO_TCP &&
				pk[i].l4_proto != IPPROTO_UDP) || !l4_len_ok(&pk[i]))
			continue;
		cand[i] = true;
		view_init(&v, m, &pk[i]);
		key_of(&v, &key[i]);
		hs[i] = gw_flow_hash(v.fam, &key[i]);
		/*
		 * One bulk lookup each: replies (SNAT range, ours) in the reverse
		 * table, the rest in the forward one; a reply that misses looks
		 * forward on its own later (a VIP port inside the SNAT range).
		 */
		fidx[i] = ridx[i] = -2;
		if (in_snat_range(w, *v.dport) && owner_of(w, *v.dport) == w->id) {
			lk[v.fam][1][ln[v.fam][1]] = &key[i];
			lsig[v.fam][1][ln[v.fam][1]] = hs[i];
			lwho[v.fam][1][ln[v.fam][1]++] = (uint8_t)i;
		} else {
			lk[v.fam][0][ln[v.fam][0]] = &key[i];
			lsig[v.fam][0][ln[v.fam][0]] = hs[i];
			lwho[v.fam][0][ln[v.fam][0]++] = (uint8_t)i;
		}
	}
	for (int f = 0; f < GW_FLOW_N_FAM; f++) {
		struct gw_flow_fam_tab *ft = &w->flows->fam[f];
		int32_t pos[GW_WORKER_BURST];
		void *data[GW_WORKER_BURST];
		uint64_t hit = 0;

		if (ln[f][0] != 0 && rte_hash_lookup_with_hash_bulk(ft->fwd, lk[f][0], lsig[f][0],
				ln[f][0], pos) == 0)
			for (unsigned int j = 0; j < ln[f][0]; j++)
				fidx[lwho[f][0][j]] = pos[j] >= 0 ? pos[j] : -1;
		else
			for (unsigned int j = 0; j < ln[f][0]; j++)
				fidx[lwho[f][0][j]] = -2;
		if (ln[f][1] != 0 && rte_hash_lookup_with_hash_bulk_data(ft->rev, lk[f][1], lsig[f][1],
				ln[f][1], &hit, data) >= 0)
			for (unsigned int j = 0; j < ln[f][1]; j++)
				ridx[lwho[f][1][j]] = (hit >> j) & 1 ? (int)(uintptr_t)data[j] : -1;
		else
			for (unsigned int j = 0; j < ln[f][1]; j++)
				ridx[lwho[f][1][j]] = -2;
	}
	mut = w->flows->mutations;
	for (uint16_t i = 0; i < n; i++) {
		struct l4_view v;

		if (!cand[i]) {
			if (state[i] == 0)
				gw_worker_rx_parsed(w, port, pkts[i], &pk[i]);
			else if (state[i] < 0)
				gw_worker_rx_one(w, port, pkts[i]);
			continue;
		}
		if (unlikely(w->flows->mutations != mut)) {
			/* The table changed under the burst: look again. */
			fidx[i] = ridx[i] = -2;
		}
		view_init(&v, pkts[i], &pk[i]);
		l4_handle(w, port, pkts[i], &pk[i], &v, &key[i], hs[i], ridx[i], fidx[i]);
	}
}

/* ---- ICMP errors ---- */

/*
 * An ICMP error quotes a packet we sent: either to a backend (from a SNAT
 * address; the error came to that address) or to a client (from a VIP).
 * Find its flow and turn the error into the one the other side would
 * have got had there been no NAT: the quoted packet rewritten to what
 * that side sent, the outer header from our address on that side.
 */
void
gw_l4_icmp_error(struct gw_worker *w, uint16_t port, struct rte_mbuf *m, const struct gw_pkt *p,
	int kind)
{
	uint8_t *l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, p->l4_off);
	enum gw_flow_fam fam = p->ip_version == 4 ? GW_FLOW_V4 : GW_FLOW_V6;
	uint32_t n = alen(fam), ihl, qlen, delta, h;
	uint8_t *inner = l4 + 8, *il4, *isrc, *idst, proto;
	const union gw_flow_key *other;
	union gw_flow_key k;
	uint16_t *isport, *idport;
	uint8_t nsrc[16], ndst[16], osrc[16];
	uint16_t nsport, ndport;
	bool to_backend = kind == GW_L3_VIP;
	int idx;

	if (w->flows == NULL || p->l4_len < 8)
		goto unhandled;
	qlen = p->l4_len - 8;
	if (fam == GW_FLOW_V4) {
		struct rte_ipv4_hdr *iip = (struct rte_ipv4_hdr *)inner;

		if (gw_cksum_finish(gw_cksum_partial(l4, p->l4_len, 0)) != 0) {
			gw_worker_drop(w, m, GW_CNT_drop_l4_bad_cksum);
			return;
		}
		if (qlen < sizeof(*iip) || (iip->version_ihl >> 4) != 4)
			goto unhandled;
		ihl = (uint32_t)(iip->version_ihl & 0xf) * 4;
		proto = iip->next_proto_id;
		isrc = (uint8_t *)&iip->src_addr;
		idst = (uint8_t *)&iip->dst_addr;
	} else {
		struct rte_ipv6_hdr *iip6 = (struct rte_ipv6_hdr *)inner;

		if (qlen < sizeof(*iip6) || (inner[0] >> 4) != 6)
			goto unhandled;
		ihl = sizeof(*iip6);
		proto = iip6->proto;
		isrc = iip6->src_addr;
		idst = iip6->dst_addr;
	}
	if (ihl < (fam == GW_FLOW_V4 ? 20u : 40u) || qlen < ihl + 4 ||
			(proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		goto unhandled;
	il4 = inner + ihl;
	isport = (uint16_t *)il4;
	idport = (uint16_t *)(il4 + 2);
	/* The quoted packet went from us (isrc:isport) to the peer: its reply's key. */
	memset(&k, 0, sizeof(k));
	if (fam == GW_FLOW_V4) {
		memcpy(&k.v4.src, idst, 4);
		memcpy(&k.v4.dst, isrc, 4);
		k.v4.sport = *idport;
		k.v4.dport = *isport;
		k.v4.proto = proto;
	} else {
		memcpy(k.v6.src, idst, 16);
		memcpy(k.v6.dst, isrc, 16);
		k.v6.sport = *idport;
		k.v6.dport = *isport;
		k.v6.proto = proto;
	}
	h = gw_flow_hash(fam, &k);
	if (to_backend) {
		/* We sent VIP -> client; the reply key is the forward key. */
		idx = gw_flow_find_fwd(w->flows, fam, &k, h);
		/* Its owner is not in the quoted packet: look on the other workers. */
		if (idx < 0 && pass_on(w, m, port))
			return;
	} else {
		if (!in_snat_range(w, *isport))
			goto unhandled;
		if (handoff(w, m, port, *isport))
			return;
		idx = gw_flow_find_rev(w->flows, fam, &k, h);
	}
	if (idx < 0)
		goto unhandled;
	other = to_backend ? gw_flow_rev_key(w->flows, fam, (uint32_t)idx) :
		gw_flow_fwd_key(w->flows, fam, (uint32_t)idx);
	if (other == NULL)
		goto unhandled;
	/* What the other side sent: its key as is. */
	memcpy(nsrc, k_src(fam, other), n);
	memcpy(ndst, k_dst(fam, other), n);
	nsport = k_sport(fam, other);
	ndport = k_dport(fam, other);
	delta = sum_delta(0, isrc, nsrc, n / 2);
	delta = sum_delta(delta, idst, ndst, n / 2);
	delta = sum_delta(delta, isport, &nsport, 1);
	delta = sum_delta(delta, idport, &ndport, 1);
	memcpy(isrc, nsrc, n);
	memcpy(idst, ndst, n);
	*isport = nsport;
	*idport = ndport;
	/* The quoted L4 checksum, when quoted (UDP: bytes 6-7, TCP: 16-17). */
	{
		uint32_t off = proto == IPPROTO_TCP ? 16 : 6;

		if (qlen >= ihl + off + 2) {
			uint16_t *c = (uint16_t *)(il4 + off);

			if (!(proto == IPPROTO_UDP && *c == 0 && fam == GW_FLOW_V4))
				*c = cksum_apply(*c, delta);
		}
	}
	gw_worker_trim_to_ip(m, p);
	gw_worker_reuse_rx(m);
	/* Outer: from our address on the other side, to the other side's sender. */
	memcpy(osrc, ndst, n);
	if (fam == GW_FLOW_V4) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
			p->l3_off);
		struct rte_ipv4_hdr *iip = (struct rte_ipv4_hdr *)inner;

		iip->hdr_checksum = 0;
		iip->hdr_checksum = rte_ipv4_cksum(iip);
		memcpy(&ip->src_addr, osrc, 4);
		memcpy(&ip->dst_addr, nsrc, 4);
		ip->time_to_live = 64;
		l4[2] = l4[3] = 0;
		*(uint16_t *)(l4 + 2) = gw_cksum_icmp4(l4, p->l4_len);
	} else {
		struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *,
			p->l3_off);

		memcpy(ip6->src_addr, osrc, 16);
		memcpy(ip6->dst_addr, nsrc, 16);
		ip6->hop_limits = 64;
		l4[2] = l4[3] = 0;
		*(uint16_t *)(l4 + 2) = gw_cksum_ipv6_l4(ip6, l4, p->l4_len, GW_PKT_IPPROTO_ICMPV6);
	}
	gw_flow_at(w->flows, fam, (uint32_t)idx)->seen = w->now_ms;
	GW_CNT_INC(&w->stats, l4_icmp_translated);
	gw_worker_send_ip(w, m, fam == GW_FLOW_V4 ? AF_INET : AF_INET6, nsrc);
	return;
unhandled:
	gw_worker_drop(w, m, GW_CNT_drop_icmp_unhandled);
}

/* ---- the TCP stack's hooks ---- */

/* lib/tcp hands over an IP packet: add Ethernet, route, resolve, send. */
int
gw_worker_tcp_output(void *arg, struct rte_mbuf *m, int family, const uint8_t *src,
	const uint8_t *dst)
{
	struct gw_worker *w = arg;
	struct rte_ether_hdr *eth;

	RTE_SET_USED(src);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	if (unlikely(eth == NULL)) {
		gw_worker_drop(w, m, GW_CNT_drop_no_mbuf);
		return -ENOBUFS;
	}
	eth->ether_type = rte_cpu_to_be_16(family == AF_INET ? RTE_ETHER_TYPE_IPV4 :
		RTE_ETHER_TYPE_IPV6);
	if (m->ol_flags & RTE_MBUF_F_TX_TCP_CKSUM)
		m->l2_len = sizeof(*eth);
	return gw_worker_send_ip(w, m, family, dst) ? 0 : -EHOSTUNREACH;
}

/* A segment no connection of this worker holds: the others may (af_packet rollover). */
bool
gw_worker_tcp_stray(void *arg, struct rte_mbuf *m)
{
	struct gw_worker *w = arg;

	return pass_on(w, m, m->port);
}

/* ---- handoff, timers, dump ---- */

void
gw_l4_handoff_drain(struct gw_worker *w)
{
	struct rte_mbuf *ms[GW_WORKER_BURST];

	for (unsigned int i = 0; i < w->n_peers; i++) {
		struct rte_ring *r = w->hin[i];
		unsigned int n;

		if (r == NULL || rte_ring_empty(r))
			continue;
		n = rte_ring_sc_dequeue_burst(r, (void **)ms, GW_WORKER_BURST, NULL);
		gw_stats_add(&w->stats, GW_CNT_l4_handoff_rx, n);
		for (unsigned int j = 0; j < n; j++) {
			/* Workers a stray client segment has visited (pass_on()). */
			w->rx_hops = ms[j]->hash.usr;
			gw_worker_rx_one(w, ms[j]->port, ms[j]);
		}
		w->rx_hops = 0;
	}
}

void
gw_l4_expire(struct gw_worker *w)
{
	unsigned int n;

	if (w->flows == NULL || (gw_flow_count(w->flows, GW_FLOW_V4) == 0 &&
			gw_flow_count(w->flows, GW_FLOW_V6) == 0))
		return;
	n = gw_flow_expire(w->flows, w->now_ms, w->dp->l4p.timeout_ms, EXPIRE_BUDGET);
	if (n != 0)
		gw_stats_add(&w->stats, GW_CNT_l4_flow_expired, n);
}

struct dump_ctx {
	struct gw_worker *w;
	enum gw_flow_fam fam;
	struct gw_l4_flow_info *out;
	unsigned int n, max;
};

static int
dump_one(void *arg, uint32_t idx, const struct gw_flow *f)
{
	struct dump_ctx *d = arg;
	const union gw_flow_key *fk = gw_flow_fwd_key(d->w->flows, d->fam, idx);
	const union gw_flow_key *rk = gw_flow_rev_key(d->w->flows, d->fam, idx);
	struct gw_l4_flow_info *o = &d->out[d->n];
	uint32_t n = alen(d->fam);

	if (d->n >= d->max)
		return 1;
	if (fk == NULL || rk == NULL)
		return 0;
	memset(o, 0, sizeof(*o));
	o->family = d->fam == GW_FLOW_V4 ? AF_INET : AF_INET6;
	o->proto = d->fam == GW_FLOW_V4 ? fk->v4.proto : fk->v6.proto;
	o->state = f->state;
	o->svc = f->svc;
	o->idle_ms = d->w->now_ms - f->seen;
	memcpy(o->client, k_src(d->fam, fk), n);
	memcpy(o->vip, k_dst(d->fam, fk), n);
	memcpy(o->backend, k_src(d->fam, rk), n);
	memcpy(o->snat, k_dst(d->fam, rk), n);
	o->client_port = rte_be_to_cpu_16(k_sport(d->fam, fk));
	o->vip_port = rte_be_to_cpu_16(k_dport(d->fam, fk));
	o->backend_port = rte_be_to_cpu_16(k_sport(d->fam, rk));
	o->snat_port = rte_be_to_cpu_16(k_dport(d->fam, rk));
	d->n++;
	return 0;
}

unsigned int
gw_worker_flow_dump(struct gw_worker *w, struct gw_l4_flow_info *out, unsigned int max,
	uint32_t *total)
{
	struct dump_ctx d = { .w = w, .out = out, .max = max };

	*total = 0;
	if (w->flows == NULL)
		return 0;
	*total = gw_flow_count(w->flows, GW_FLOW_V4) + gw_flow_count(w->flows, GW_FLOW_V6);
	for (int f = 0; f < GW_FLOW_N_FAM && d.n < max; f++) {
		uint32_t cursor = 0;

		d.fam = (enum gw_flow_fam)f;
		gw_flow_walk(w->flows, d.fam, &cursor, dump_one, &d);
	}
	return d.n;
}

uint32_t
gw_worker_flow_capacity(const struct gw_worker *w)
{
	return gw_flow_capacity(w->flows);
}
