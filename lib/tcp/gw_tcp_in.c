/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Segment arrival (RFC 9293 §3.10.7) with RFC 5961 (RST/SYN/ACK checks and
 * challenge ACKs), RFC 7323 (PAWS, timestamps, window scale), RFC 2018 SACK
 * (received blocks, out-of-order queue), RFC 6298 RTT samples, RFC 5681 /
 * 6582 / 6675 loss recovery, and RFC 4987 SYN cookies at the listener.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "gw_tcp_int.h"

/* ---- parsing ---- */

static int
parse_opts(const uint8_t *o, unsigned int len, struct gw_tcp_seg *g)
{
	unsigned int i = 0;

	while (i < len) {
		uint8_t kind = o[i], olen;

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -1;
		olen = o[i + 1];
		if (olen < 2 || i + olen > len)
			return -1;
		switch (kind) {
		case 2:
			if (olen == 4 && (g->flags & TH_SYN)) {
				g->has_mss = 1;
				g->mss = (uint16_t)(o[i + 2] << 8 | o[i + 3]);
			}
			break;
		case 3:
			if (olen == 3 && (g->flags & TH_SYN)) {
				g->has_ws = 1;
				g->ws = RTE_MIN(o[i + 2], (uint8_t)GW_TCP_MAX_WSCALE);
			}
			break;
		case 4:
			if (olen == 2 && (g->flags & TH_SYN))
				g->sack_ok = 1;
			break;
		case 5:
			if (olen >= 10 && (olen - 2) % 8 == 0) {
				unsigned int n = (olen - 2u) / 8u, j;

				for (j = 0; j < n && j < 4; j++) {
					uint32_t a, b;

					memcpy(&a, o + i + 2 + 8 * j, 4);
					memcpy(&b, o + i + 6 + 8 * j, 4);
					g->sack[j].start = rte_be_to_cpu_32(a);
					g->sack[j].end = rte_be_to_cpu_32(b);
				}
				g->n_sack = (uint8_t)j;
			}
			break;
		case 8:
			if (olen == 10) {
				uint32_t a, b;

				memcpy(&a, o + i + 2, 4);
				memcpy(&b, o + i + 6, 4);
				g->has_ts = 1;
				g->tsval = rte_be_to_cpu_32(a);
				g->tsecr = rte_be_to_cpu_32(b);
			}
			break;
		default:
			break;
		}
		i += olen;
	}
	return 0;
}

static bool
cksum_ok(struct rte_mbuf *m, int family, uint16_t l3_off, uint16_t l4_off, uint16_t l4_len)
{
	const void *ip = rte_pktmbuf_mtod_offset(m, const void *, l3_off);
	uint16_t raw;
	uint32_t sum;

	if (m->pkt_len < (uint32_t)l4_off + l4_len)
		return false;
	raw = tcp_chain_cksum(m, l4_off, l4_len);
	if (family == AF_INET) {
		const struct rte_ipv4_hdr *ip4 = ip;
		uint32_t ps = 0;

		ps += (rte_be_to_cpu_32(ip4->src_addr) >> 16) + (rte_be_to_cpu_32(ip4->src_addr) & 0xffff);
		ps += (rte_be_to_cpu_32(ip4->dst_addr) >> 16) + (rte_be_to_cpu_32(ip4->dst_addr) & 0xffff);
		ps += IPPROTO_TCP + l4_len;
		sum = ps + rte_be_to_cpu_16(raw);
	} else {
		const struct rte_ipv6_hdr *ip6 = ip;
		uint32_t ps = 0;
		unsigned int i;

		for (i = 0; i < 16; i += 2) {
			ps += (uint32_t)(ip6->src_addr[i] << 8 | ip6->src_addr[i + 1]);
			ps += (uint32_t)(ip6->dst_addr[i] << 8 | ip6->dst_addr[i + 1]);
		}
		ps += IPPROTO_TCP + l4_len;
		sum = ps + rte_be_to_cpu_16(raw);
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* ---- payload chains ---- */

/* Drop @n bytes from the front of chain @m; returns the new head (NULL if all gone). */
static struct rte_mbuf *
chain_adj(struct rte_mbuf *m, uint32_t n)
{
	uint32_t pkt_len = m->pkt_len;
	uint16_t nb = m->nb_segs;

	if (n >= pkt_len) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	while (n > 0 && n >= m->data_len) {
		struct rte_mbuf *next = m->next;

		n -= m->data_len;
		pkt_len -= m->data_len;
		nb--;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
		m = next;
	}
	m->data_off += (uint16_t)n;
	m->data_len -= (uint16_t)n;
	m->pkt_len = pkt_len - n;
	m->nb_segs = nb;
	return m;
}

/* Keep only the first @len bytes of chain @m (len > 0, len <= pkt_len). */
static void
chain_cut(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *s = m;
	uint32_t left = len;
	uint16_t nb = 1;

	while (left > s->data_len) {
		left -= s->data_len;
		s = s->next;
		nb++;
	}
	s->data_len = (uint16_t)left;
	if (s->next != NULL) {
		rte_pktmbuf_free(s->next);
		s->next = NULL;
	}
	m->pkt_len = len;
	m->nb_segs = nb;
}

/* ---- replies without a connection ---- */

/* RFC 9293 §3.10.7.1: the RST that answers a segment nobody wants. */
void
tcp_reply_rst(struct gw_tcp_stack *s, const struct gw_tcp_key *k, const struct gw_tcp_seg *g)
{
	uint32_t slen = g->len + !!(g->flags & TH_SYN) + !!(g->flags & TH_FIN);

	if (g->flags & TH_RST)
		return;
	if (g->flags & TH_ACK)
		tcp_send_raw(s, k, g->ack, 0, TH_RST, 0, NULL, 0, 0);
	else
		tcp_send_raw(s, k, 0, g->seq + slen, TH_RST | TH_ACK, 0, NULL, 0, 0);
}

static void
tuple_of(const struct gw_tcp_key *k, struct gw_tcp_tuple *t)
{
	t->family = k->family;
	memcpy(t->laddr, k->laddr, 16);
	memcpy(t->raddr, k->raddr, 16);
	t->lport = k->lport;
	t->rport = k->rport;
}

static uint8_t
our_wscale(uint32_t rcv_buf)
{
	uint8_t ws = 0;

	while (ws < GW_TCP_MAX_WSCALE && (rcv_buf >> ws) > 65535)
		ws++;
	return ws;
}

static uint16_t
our_mss(const struct gw_tcp_stack *s, int family)
{
	return (uint16_t)(s->mtu - (family == AF_INET ? 40 : 60));
}

/* Negotiated options of a SYN we answer or a SYN-ACK we get. */
static void
negotiate(struct gw_tcp_conn *c, const struct gw_tcp_seg *g, bool active)
{
	struct gw_tcp_params *p = &c->s->p;
	uint16_t peer_mss = g->has_mss && g->mss >= 64 ? g->mss : 536;
	uint16_t mss = RTE_MIN(peer_mss, our_mss(c->s, c->key.family));

	if (active) {
		c->ts_ok = c->ts_ok && g->has_ts;
		c->sack_ok = c->sack_ok && g->sack_ok;
		c->ws_ok = c->ws_ok && g->has_ws;
	} else {
		c->ts_ok = p->timestamps && g->has_ts;
		c->sack_ok = p->sack && g->sack_ok;
		c->ws_ok = p->window_scaling && g->has_ws;
	}
	if (c->ws_ok) {
		c->snd_ws = g->ws;
		c->rcv_ws = our_wscale(c->rcv_buf);
	} else {
		c->snd_ws = 0;
		c->rcv_ws = 0;
	}
	if (c->ts_ok)
		c->ts_recent = g->tsval;
	c->mss = (uint16_t)(mss - (c->ts_ok ? 12 : 0));
	c->rcv_mss = c->mss;
}

static void
established_common(struct gw_tcp_conn *c)
{
	struct gw_tcp_stack *s = c->s;

	gw_tcp_cc_init(&c->cc, s->p.cc, c->mss, s->p.init_cwnd);
	c->max_snd_wnd = c->snd_wnd;
	c->retries = 0;
	c->backoff = 0;
	c->t_rtx = 0;
	c->high_rxt = c->snd_una;
	c->recover = c->snd_una;
	c->last_rx_ms = s->now_ms;
	if (c->flags & CF_KEEPALIVE)
		gw_tcp_set_keepalive(c, true);
}

/* The handshake's RTT sample (not from a retransmitted SYN without timestamps: Karn). */
static void
handshake_rtt(struct gw_tcp_conn *c, const struct gw_tcp_seg *g)
{
	if (c->ts_ok && g->has_ts && g->tsecr != 0)
		tcp_rtt_sample(c, tcp_ts_now(c) - g->tsecr);
	else if (!(c->flags & CF_SYN_RETX))
		tcp_rtt_sample(c, c->s->now_ms - c->last_send_ms);
	else
		c->rto_ms = RTE_MAX(c->s->p.rto_init_ms, 3000u);   /* RFC 6298 5.7 */
}

/* Passive open completes: ask the listener's application. false when refused. */
static bool
passive_accept(struct gw_tcp_conn *c)
{
	struct gw_tcp_stack *s = c->s;
	struct gw_tcp_listener *l = &s->lis[c->listener];

	TCP_CNT(s, tcp_passive_opens);
	if (!l->used || l->accept(l->arg, c) < 0) {
		tcp_send_rst_conn(c);
		tcp_conn_destroy(c);
		return false;
	}
	return !(c->flags & CF_DEAD);
}

/* ---- LISTEN ---- */

/* @mss: what gw_tcp_cookie_check() said of this ACK already, 0 if not asked yet. */
static struct gw_tcp_conn *
cookie_accept(struct gw_tcp_stack *s, const struct gw_tcp_key *k, hash_sig_t sig,
	const struct gw_tcp_seg *g, int li, uint16_t mss)
{
	struct gw_tcp_tuple t;
	struct gw_tcp_conn *c;
	struct gw_tcp_seg syn = { 0 };
	uint8_t ws = 15;
	bool sack = false;

	tuple_of(k, &t);
	if (mss == 0)
		mss = gw_tcp_cookie_check(s->key_cookie, &t, g->seq - 1, g->ack - 1, s->now_us);
	if (mss == 0) {
		TCP_CNT(s, drop_tcp_bad_cookie);
		return NULL;
	}
	c = tcp_conn_alloc(s, k, sig);
	if (c == NULL) {
		TCP_CNT(s, drop_tcp_conn_full);
		return NULL;
	}
	tcp_conn_init_params(c);
	gw_tcp_isn_ts(s->key_isn, &t, 0, &c->ts_offset);
	if (g->has_ts && s->p.timestamps)
		gw_tcp_cookie_ts_decode(g->tsecr, &ws, &sack);
	syn.flags = TH_SYN;
	syn.has_mss = 1;
	syn.mss = mss;
	syn.has_ts = g->has_ts;
	syn.tsval = g->tsval;
	syn.has_ws = ws != 15;
	syn.ws = ws == 15 ? 0 : ws;
	syn.sack_ok = sack;
	negotiate(c, &syn, false);
	c->flags |= CF_PASSIVE | CF_COOKIE;
	c->listener = (uint16_t)li;
	c->irs = g->seq - 1;
	c->rcv_nxt = g->seq;
	c->rcv_adv = c->rcv_nxt + RTE_MIN(c->rcv_buf, 65535u);
	c->iss = g->ack - 1;
	c->snd_una = c->snd_nxt = c->snd_max = c->snd_end = g->ack;
	c->snd_wnd = g->wnd << c->snd_ws;
	c->snd_wl1 = g->seq;
	c->snd_wl2 = g->ack;
	c->last_ack_sent = c->rcv_nxt;
	c->state = GW_TCP_ESTABLISHED;
	established_common(c);
	if (c->ts_ok && g->tsecr != 0)
		tcp_rtt_sample(c, tcp_ts_now(c) - g->tsecr);
	TCP_CNT(s, tcp_syncookies_ok);
	return c;
}

static void
send_cookie(struct gw_tcp_stack *s, const struct gw_tcp_key *k, const struct gw_tcp_seg *g)
{
	struct gw_tcp_tuple t;
	uint32_t iss, tsval = 0, ts_offset;
	uint8_t rcv_ws = s->p.window_scaling && g->has_ws ? our_wscale(s->p.rcv_buf) : 0;
	uint16_t win = (uint16_t)RTE_MIN(s->p.rcv_buf, 65535u);

	tuple_of(k, &t);
	iss = gw_tcp_cookie_make(s->key_cookie, &t, g->seq, g->has_mss ? g->mss : 0, s->now_us);
	if (g->has_ts && s->p.timestamps) {
		gw_tcp_isn_ts(s->key_isn, &t, 0, &ts_offset);
		tsval = gw_tcp_cookie_ts(s->now_ms + ts_offset,
			g->has_ws && s->p.window_scaling ? g->ws : 15, g->sack_ok && s->p.sack);
	}
	s->cookie_last_us = s->now_us ? s->now_us : 1;
	TCP_CNT(s, tcp_syncookies_sent);
	if (!g->has_ts || !s->p.timestamps) {
		/* Window scale and SACK live only in the TSval: without it, offer neither. */
		struct gw_tcp_seg plain = *g;

		plain.has_ws = 0;
		plain.sack_ok = 0;
		tcp_send_raw(s, k, iss, g->seq + 1, TH_SYN | TH_ACK, win, &plain, 0, 0);
		return;
	}
	tcp_send_raw(s, k, iss, g->seq + 1, TH_SYN | TH_ACK, win, g, tsval, rcv_ws);
}

static void conn_input(struct gw_tcp_conn *c, struct gw_tcp_seg *g, struct rte_mbuf *m);

static bool
cookies_recent(const struct gw_tcp_stack *s)
{
	return s->p.syncookies && s->cookie_last_us != 0 &&
		s->now_us - s->cookie_last_us < 130000000ull;
}

/*
 * Could this segment be the third of a cookie handshake with a listener of
 * ours? The MSS its cookie carries, or 0.
 */
static uint16_t
cookie_candidate(struct gw_tcp_stack *s, const struct gw_tcp_key *k, const struct gw_tcp_seg *g)
{
	struct gw_tcp_tuple t;

	if ((g->flags & (TH_SYN | TH_RST | TH_ACK)) != TH_ACK || !cookies_recent(s) ||
			tcp_find_listener(s, k->family, k->laddr, k->lport) < 0)
		return 0;
	tuple_of(k, &t);
	return gw_tcp_cookie_check(s->key_cookie, &t, g->seq - 1, g->ack - 1, s->now_us);
}

/* @cookie_mss: the MSS of a cookie the caller checked already (0: not checked). */
static void
listen_input(struct gw_tcp_stack *s, const struct gw_tcp_key *k, hash_sig_t sig,
	struct gw_tcp_seg *g, struct rte_mbuf *m, uint16_t cookie_mss)
{
	struct gw_tcp_conn *c;
	struct gw_tcp_tuple t;
	int li = tcp_find_listener(s, k->family, k->laddr, k->lport);

	if (li < 0) {
		if (!(g->flags & TH_RST)) {
			TCP_CNT(s, drop_tcp_no_conn);
			tcp_reply_rst(s, k, g);
		}
		goto drop;
	}
	if (g->flags & TH_RST)
		goto drop;
	if (g->flags & TH_ACK) {
		/* A third segment whose SYN got a cookie; anything else is answered with RST. */
		if (!(g->flags & TH_SYN) && cookies_recent(s)) {
			c = cookie_accept(s, k, sig, g, li, cookie_mss);
			if (c != NULL) {
				if (!passive_accept(c))
					goto drop;
				conn_input(c, g, m);
				return;
			}
		}
		TCP_CNT(s, drop_tcp_no_conn);
		tcp_reply_rst(s, k, g);
		goto drop;
	}
	if (!(g->flags & TH_SYN) || (g->flags & TH_FIN))
		goto drop;
	if (s->half_open >= s->p.syn_backlog) {
		if (s->p.syncookies)
			send_cookie(s, k, g);
		else
			TCP_CNT(s, drop_tcp_syn_backlog);
		goto drop;
	}
	c = tcp_conn_alloc(s, k, sig);
	if (c == NULL) {
		TCP_CNT(s, drop_tcp_conn_full);
		goto drop;
	}
	tcp_conn_init_params(c);
	c->flags |= CF_PASSIVE;
	c->listener = (uint16_t)li;
	negotiate(c, g, false);
	c->irs = g->seq;
	c->rcv_nxt = g->seq + 1;
	tuple_of(k, &t);
	c->iss = gw_tcp_isn_ts(s->key_isn, &t, s->now_us, &c->ts_offset);
	c->snd_una = c->iss;
	c->snd_nxt = c->snd_max = c->snd_end = c->iss + 1;
	c->snd_wnd = g->wnd;    /* never scaled in a SYN (RFC 7323 §2.2) */
	tcp_set_state(c, GW_TCP_SYN_RECEIVED);
	tcp_send_synack(c);
	tcp_set_rtx(c);
drop:
	rte_pktmbuf_free(m);
}

/* ---- SYN-SENT ---- */

static void
syn_sent_input(struct gw_tcp_conn *c, struct gw_tcp_seg *g)
{
	struct gw_tcp_stack *s = c->s;
	bool ack_ok = false;

	if (g->flags & TH_ACK) {
		if (SEQ_LE(g->ack, c->iss) || SEQ_GT(g->ack, c->snd_max)) {
			if (!(g->flags & TH_RST))
				tcp_reply_rst(s, &c->key, g);
			return;
		}
		ack_ok = true;
	}
	if (g->flags & TH_RST) {
		if (ack_ok) {
			TCP_CNT(s, tcp_rst_rx);
			TCP_CNT(s, tcp_attempt_fails);
			tcp_notify(c, GW_TCP_EV_CLOSED, ECONNREFUSED);
			tcp_conn_destroy(c);
		}
		return;
	}
	if (!(g->flags & TH_SYN))
		return;
	c->irs = g->seq;
	c->rcv_nxt = g->seq + 1;
	negotiate(c, g, true);
	/* What our SYN advertised (unscaled, RFC 7323 §2.2). */
	c->rcv_adv = c->rcv_nxt + RTE_MIN(c->rcv_buf, 65535u);
	if (ack_ok) {
		c->snd_una = g->ack;
		c->snd_wnd = g->wnd;    /* unscaled in the SYN-ACK */
		c->snd_wl1 = g->seq;
		c->snd_wl2 = g->ack;
		c->state = GW_TCP_ESTABLISHED;
		handshake_rtt(c, g);
		established_common(c);
		c->flags |= CF_ACK_NOW;
		tcp_notify(c, GW_TCP_EV_CONNECTED, 0);
		if (c->flags & CF_DEAD)
			return;
		if (c->flags & CF_FIN_QUEUED)
			tcp_set_state(c, GW_TCP_FIN_WAIT_1);
		tcp_output(c);
		return;
	}
	/* Simultaneous open (RFC 9293 §3.5 figure 7). */
	c->snd_wnd = g->wnd;
	tcp_set_state(c, GW_TCP_SYN_RECEIVED);
	tcp_send_synack(c);
	tcp_set_rtx(c);
}

/* ---- synchronized states ---- */

static void
ooo_insert(struct gw_tcp_conn *c, struct rte_mbuf *m, uint32_t seq)
{
	struct rte_mbuf **pp = &c->ooo, *q;
	uint32_t end = seq + m->pkt_len;

	/* Skip entries wholly before; trim our front against the one that overlaps. */
	while ((q = *pp) != NULL) {
		uint32_t qs = gw_tcp_mq(q)->seq, qe = qs + q->pkt_len;

		if (SEQ_LE(qe, seq)) {
			pp = &gw_tcp_mq(q)->next;
			continue;
		}
		if (SEQ_LE(qs, seq)) {
			if (SEQ_GE(qe, end)) {
				rte_pktmbuf_free(m);        /* duplicate */
				return;
			}
			m = chain_adj(m, qe - seq);
			seq = qe;
			pp = &gw_tcp_mq(q)->next;
			continue;
		}
		break;
	}
	/* Entries wholly covered by the new one go; a partly covered one trims us. */
	while ((q = *pp) != NULL) {
		uint32_t qs = gw_tcp_mq(q)->seq, qe = qs + q->pkt_len;

		if (SEQ_GE(qs, end))
			break;
		if (SEQ_LE(qe, end)) {
			*pp = gw_tcp_mq(q)->next;
			c->ooo_bytes -= q->pkt_len;
			rte_pktmbuf_free(q);
			continue;
		}
		chain_cut(m, qs - seq);
		break;
	}
	gw_tcp_mq(m)->seq = seq;
	gw_tcp_mq(m)->next = *pp;
	*pp = m;
	c->ooo_bytes += m->pkt_len;
}

/* Move what the out-of-order queue holds at rcv_nxt to the application. */
static void
ooo_drain(struct gw_tcp_conn *c)
{
	struct rte_mbuf *q;

	while ((q = c->ooo) != NULL) {
		uint32_t qs = gw_tcp_mq(q)->seq, qe = qs + q->pkt_len;

		if (SEQ_GT(qs, c->rcv_nxt))
			break;
		c->ooo = gw_tcp_mq(q)->next;
		c->ooo_bytes -= q->pkt_len;
		if (SEQ_LE(qe, c->rcv_nxt)) {
			rte_pktmbuf_free(q);
			continue;
		}
		q = chain_adj(q, c->rcv_nxt - qs);
		c->rcv_nxt = qe;
		tcp_deliver(c, q);
		if (c->flags & CF_DEAD)
			return;
	}
}

/* EV_EOF, after any data the application has not taken yet. */
static void
notify_eof(struct gw_tcp_conn *c)
{
	if (c->rq_head != NULL)
		c->flags |= CF_EOF_PENDING;
	else
		tcp_notify(c, GW_TCP_EV_EOF, 0);
}

static void
fin_received(struct gw_tcp_conn *c)
{
	c->rcv_nxt++;
	c->flags |= CF_ACK_NOW | CF_EOF_SEEN;
	c->flags &= ~CF_OOO_FIN;
	switch (c->state) {
	case GW_TCP_SYN_RECEIVED:
	case GW_TCP_ESTABLISHED:
		tcp_set_state(c, GW_TCP_CLOSE_WAIT);
		notify_eof(c);
		break;
	case GW_TCP_FIN_WAIT_1:
		tcp_set_state(c, GW_TCP_CLOSING);
		notify_eof(c);
		break;
	case GW_TCP_FIN_WAIT_2:
		notify_eof(c);
		if (!(c->flags & CF_DEAD)) {
			tcp_send_ack(c);
			tcp_enter_time_wait(c);
		}
		break;
	default:
		break;
	}
}

/* Loss recovery entry (RFC 5681 §3.2, RFC 6582 §3.2, RFC 6675 §5). */
static void
enter_recovery(struct gw_tcp_conn *c)
{
	struct gw_tcp_stack *s = c->s;
	uint32_t len;

	c->recover = c->snd_max;
	gw_tcp_cc_on_congestion(&c->cc, tcp_flight(c), c->mss, s->now_ms);
	c->flags |= CF_IN_RECOVERY;
	c->flags &= ~CF_RTT_TIMING;
	TCP_CNT(s, tcp_fast_retransmits);
	if (c->sack_ok)
		TCP_CNT(s, tcp_sack_recoveries);
	len = RTE_MIN(c->snd_end - c->snd_una, tcp_payload_room(c));
	c->high_rxt = c->snd_una + len;
	tcp_retransmit_una(c);
	if (!c->sack_ok)
		c->cc.cwnd = c->cc.ssthresh + 3u * c->mss;
	tcp_set_rtx(c);
}

/* Process the acknowledgment field (RFC 9293 §3.10.7.4 fifth check). false: stop. */
static bool
ack_input(struct gw_tcp_conn *c, struct gw_tcp_seg *g)
{
	struct gw_tcp_stack *s = c->s;
	uint32_t ack = g->ack, acked, from, to, flight = tcp_flight(c);
	uint32_t wnd = g->wnd << c->snd_ws;
	bool dup, fin_acked;

	if (SEQ_GT(ack, c->snd_max) || SEQ_LT(ack, c->snd_una - RTE_MAX(c->max_snd_wnd, 1u))) {
		/* RFC 5961 §5.2: ACK of data never sent, or too old to be real. */
		TCP_CNT(s, drop_tcp_bad_ack);
		tcp_send_challenge_ack(c);
		return false;
	}
	/* RFC 5681 §2 "duplicate ACK"; answers to zero-window probes are not. */
	dup = g->len == 0 && !(g->flags & (TH_SYN | TH_FIN)) && ack == c->snd_una &&
		wnd == c->snd_wnd && wnd != 0 && c->snd_una != c->snd_max &&
		!(c->flags & CF_PERSIST);
	/* Window update (RFC 9293 §3.10.7.4: SND.WL1/WL2). */
	if (SEQ_LT(c->snd_wl1, g->seq) || (c->snd_wl1 == g->seq && SEQ_LE(c->snd_wl2, ack))) {
		c->snd_wnd = wnd;
		c->snd_wl1 = g->seq;
		c->snd_wl2 = ack;
		if (wnd > c->max_snd_wnd)
			c->max_snd_wnd = wnd;
	}
	if (c->sack_ok && g->n_sack > 0)
		gw_tcp_sb_update(&c->sb, c->snd_una, c->snd_max, g->sack, g->n_sack);

	if (SEQ_LE(ack, c->snd_una)) {
		if (!dup) {
			if (ack == c->snd_una)
				c->dupacks = 0;
			return true;
		}
		c->dupacks++;
		if (c->flags & CF_IN_RECOVERY) {
			if (!c->sack_ok)
				c->cc.cwnd += c->mss;   /* RFC 6582 step 4: inflate */
		} else if (c->dupacks == 3 ||
				(c->sack_ok && gw_tcp_sb_is_lost(&c->sb, c->snd_una, c->mss))) {
			/* RFC 6582 §3.2 step 2: not again for losses of the same window. */
			if (SEQ_GE(c->snd_una, c->recover))
				enter_recovery(c);
		}
		return true;
	}

	/* New data acknowledged. */
	acked = ack - c->snd_una;
	/* Synchronized: the SYN is acknowledged already (the handshake paths set snd_una past it). */
	from = c->snd_una;
	to = SEQ_GT(ack, c->snd_end) ? c->snd_end : ack;
	fin_acked = (c->flags & CF_FIN_SENT) && ack == c->snd_end + 1;
	c->snd_una = ack;
	if (SEQ_GT(to, from))
		tcp_sq_ack(c, to - from);
	if (SEQ_LT(c->snd_nxt, ack))
		c->snd_nxt = ack;
	if (SEQ_LT(c->high_rxt, ack))
		c->high_rxt = ack;
	if (c->sack_ok)
		gw_tcp_sb_ack(&c->sb, ack);
	/* RTT (RFC 7323 §4 with timestamps, else one timed segment; Karn's rule). */
	if (c->ts_ok && g->has_ts && g->tsecr != 0)
		tcp_rtt_sample(c, tcp_ts_now(c) - g->tsecr);
	else if ((c->flags & CF_RTT_TIMING) && SEQ_GT(ack, c->rtt_seq)) {
		c->flags &= ~CF_RTT_TIMING;
		tcp_rtt_sample(c, s->now_ms - c->rtt_start_ms);
	}
	c->retries = 0;
	c->backoff = 0;
	if (c->flags & CF_IN_RECOVERY) {
		if (SEQ_GE(ack, c->recover)) {
			c->flags &= ~CF_IN_RECOVERY;
			c->dupacks = 0;
			gw_tcp_cc_on_recovery_end(&c->cc, tcp_flight(c), c->mss, s->now_ms);
		} else if (!c->sack_ok) {
			/* RFC 6582 step 5: partial ACK retransmits the next hole, deflates. */
			tcp_retransmit_una(c);
			c->cc.cwnd -= RTE_MIN(acked, c->cc.cwnd);
			if (acked >= c->mss)
				c->cc.cwnd += c->mss;
			if (c->cc.cwnd < c->mss)
				c->cc.cwnd = c->mss;
		}
	} else {
		c->dupacks = 0;
		gw_tcp_cc_on_ack(&c->cc, acked, c->mss, s->now_ms, c->srtt_us / 1000, flight);
	}
	if (c->snd_una == c->snd_max) {
		c->t_rtx = 0;
		c->flags &= ~CF_PERSIST;
	} else if (!(c->flags & CF_PERSIST)) {
		tcp_set_rtx(c);
	}
	if ((c->flags & CF_WANT_SENT) && gw_tcp_send_space(c) > 0) {
		c->flags &= ~CF_WANT_SENT;
		tcp_notify(c, GW_TCP_EV_SENT, 0);
		if (c->flags & CF_DEAD)
			return false;
	}
	if (fin_acked) {
		switch (c->state) {
		case GW_TCP_FIN_WAIT_1:
			tcp_set_state(c, GW_TCP_FIN_WAIT_2);
			if (c->flags & CF_DETACHED) {
				c->t_keep = s->now_us + (uint64_t)s->p.fin_wait2_ms * 1000;
				tcp_timer_update(c);
			}
			break;
		case GW_TCP_CLOSING:
			tcp_enter_time_wait(c);
			return false;
		case GW_TCP_LAST_ACK:
			if (c->rq_head != NULL || (c->flags & CF_EOF_PENDING)) {
				/* The paused application has not read everything: hold it in TIME-WAIT. */
				tcp_enter_time_wait(c);
				return false;
			}
			tcp_notify(c, GW_TCP_EV_CLOSED, 0);
			tcp_conn_destroy(c);
			return false;
		default:
			break;
		}
	}
	return true;
}

/* TIME-WAIT: a new SYN may take the tuple over (RFC 9293 §3.6.1, RFC 6191). */
static bool
time_wait_reusable(const struct gw_tcp_conn *c, const struct gw_tcp_seg *g)
{
	if (c->ts_ok && g->has_ts)
		return SEQ_GT(g->tsval, c->ts_recent);
	return SEQ_GT(g->seq, c->rcv_nxt);
}

static void
conn_input(struct gw_tcp_conn *c, struct gw_tcp_seg *g, struct rte_mbuf *m)
{
	struct gw_tcp_stack *s = c->s;
	uint32_t wnd, slen, seq0 = g->seq;
	bool acceptable;

	if (c->state == GW_TCP_SYN_SENT) {
		syn_sent_input(c, g);
		goto drop;
	}
	if (c->state == GW_TCP_TIME_WAIT && (g->flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN &&
			time_wait_reusable(c, g)) {
		struct gw_tcp_key k = c->key;

		TCP_CNT(s, tcp_time_wait_reused);
		tcp_time_wait_expire(c);
		listen_input(s, &k, rte_hash_hash(s->h, &k), g, m, 0);
		return;
	}
	if (c->state == GW_TCP_SYN_RECEIVED && !(c->flags & CF_PASSIVE) &&
			(g->flags & (TH_SYN | TH_ACK | TH_RST)) == (TH_SYN | TH_ACK) && g->seq == c->irs) {
		/*
		 * Simultaneous open: the peer's SYN-ACK repeats its SYN and ACKs ours
		 * (RFC 9293 figure 8): take it as the ACK.
		 */
		g->seq++;
		g->flags &= (uint8_t)~TH_SYN;
	}
	if (c->state == GW_TCP_SYN_RECEIVED && (g->flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN &&
			g->seq == c->irs) {
		/* Our SYN-ACK was lost: the peer repeats its SYN. */
		tcp_send_synack(c);
		goto drop;
	}

	/* RFC 7323 §3.2: once negotiated, a non-RST segment without TSopt is dropped. */
	if (c->ts_ok && !g->has_ts && !(g->flags & TH_RST) && c->state != GW_TCP_SYN_RECEIVED) {
		TCP_CNT(s, drop_tcp_no_ts);
		goto drop;
	}
	/* PAWS (RFC 7323 §5.3): an old timestamp makes the segment unacceptable. */
	if (c->ts_ok && g->has_ts && !(g->flags & TH_RST) && SEQ_LT(g->tsval, c->ts_recent)) {
		TCP_CNT(s, drop_tcp_paws);
		tcp_send_ack(c);
		goto drop;
	}

	/* Acceptability (RFC 9293 §3.10.7.4 first check, the four cases). */
	wnd = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	slen = g->len + !!(g->flags & TH_SYN) + !!(g->flags & TH_FIN);
	if (slen == 0)
		acceptable = wnd == 0 ? g->seq == c->rcv_nxt :
			(SEQ_LE(c->rcv_nxt, g->seq) && SEQ_LT(g->seq, c->rcv_nxt + wnd));
	else
		acceptable = wnd != 0 &&
			((SEQ_LE(c->rcv_nxt, g->seq) && SEQ_LT(g->seq, c->rcv_nxt + wnd)) ||
			 (SEQ_LE(c->rcv_nxt, g->seq + slen - 1) &&
			  SEQ_LT(g->seq + slen - 1, c->rcv_nxt + wnd)));
	/* A zero window still takes the ACK and RST of an in-sequence segment. */
	if (!acceptable && wnd == 0 && g->seq == c->rcv_nxt) {
		acceptable = true;
		if (g->len > 0) {
			rte_pktmbuf_free(m);
			m = NULL;
			g->len = 0;
			c->flags |= CF_ACK_NOW;
			TCP_CNT(s, drop_tcp_rcv_buf_full);
		}
		g->flags &= (uint8_t)~TH_FIN;
	}
	if (!acceptable) {
		if (g->flags & TH_RST)
			goto drop;
		if (g->flags & TH_SYN) {
			if (c->state != GW_TCP_SYN_RECEIVED)
				tcp_send_challenge_ack(c);
			goto drop;
		}
		TCP_CNT(s, drop_tcp_unacceptable);
		tcp_send_ack(c);
		goto drop;
	}

	/* RST (RFC 5961 §3.2): only the exact next sequence resets; in-window gets a challenge. */
	if (g->flags & TH_RST) {
		if (seq0 != c->rcv_nxt) {
			tcp_send_challenge_ack(c);
			goto drop;
		}
		TCP_CNT(s, tcp_rst_rx);
		if (c->state == GW_TCP_SYN_RECEIVED && (c->flags & CF_PASSIVE)) {
			tcp_conn_destroy(c);
		} else if (c->state == GW_TCP_SYN_RECEIVED) {
			TCP_CNT(s, tcp_attempt_fails);
			tcp_notify(c, GW_TCP_EV_CLOSED, ECONNREFUSED);
			tcp_conn_destroy(c);
		} else {
			tcp_conn_reset_by_peer(c, ECONNRESET);
		}
		goto drop;
	}
	/* SYN in a synchronized state (RFC 5961 §4.2): challenge ACK. */
	if (g->flags & TH_SYN) {
		tcp_send_challenge_ack(c);
		goto drop;
	}
	if (!(g->flags & TH_ACK))
		goto drop;

	/* Timestamps to echo (RFC 7323 §4.3). */
	if (c->ts_ok && g->has_ts && SEQ_LE(g->seq, c->last_ack_sent) &&
			SEQ_GE(g->tsval, c->ts_recent))
		c->ts_recent = g->tsval;
	c->last_rx_ms = s->now_ms;
	c->probes = 0;

	if (c->state == GW_TCP_SYN_RECEIVED) {
		if (SEQ_LE(g->ack, c->snd_una) || SEQ_GT(g->ack, c->snd_max)) {
			tcp_reply_rst(s, &c->key, g);
			goto drop;
		}
		c->snd_una = g->ack;
		c->snd_wnd = g->wnd << c->snd_ws;
		c->snd_wl1 = g->seq;
		c->snd_wl2 = g->ack;
		tcp_set_state(c, GW_TCP_ESTABLISHED);
		handshake_rtt(c, g);
		established_common(c);
		if (c->flags & CF_PASSIVE) {
			if (!passive_accept(c))
				goto drop;
		} else {
			tcp_notify(c, GW_TCP_EV_CONNECTED, 0);
			if (c->flags & CF_DEAD)
				goto drop;
			if (c->flags & CF_FIN_QUEUED)
				tcp_set_state(c, GW_TCP_FIN_WAIT_1);
		}
	} else if (!ack_input(c, g)) {
		goto drop;
	}

	/* Segment text (seventh check). */
	if (g->len > 0 && m != NULL) {
		if (c->state != GW_TCP_ESTABLISHED && c->state != GW_TCP_FIN_WAIT_1 &&
				c->state != GW_TCP_FIN_WAIT_2) {
			/* After the peer's FIN: nothing more is valid; just ACK. */
			c->flags |= CF_ACK_NOW;
			rte_pktmbuf_free(m);
			m = NULL;
		} else if (c->flags & CF_RCV_SHUT) {
			/* Data for an application that closed: it is lost, say so (RFC 2525 2.17). */
			tcp_send_rst_conn(c);
			tcp_conn_destroy(c);
			goto drop;
		} else {
			uint32_t seq = g->seq, len = g->len;

			if (SEQ_LT(seq, c->rcv_nxt)) {
				/* Old bytes in front (a retransmission); all of them when only its FIN is new. */
				uint32_t d = c->rcv_nxt - seq;

				if (d >= len) {
					rte_pktmbuf_free(m);
					m = NULL;
					len = 0;
				} else {
					m = chain_adj(m, d);
					len -= d;
				}
				seq = c->rcv_nxt;
			}
			if (len > 0 && SEQ_GT(seq + len, c->rcv_nxt + wnd)) {
				len = c->rcv_nxt + wnd - seq;
				chain_cut(m, len);
				g->flags &= (uint8_t)~TH_FIN;
			}
			if (len > c->rcv_mss)
				c->rcv_mss = (uint16_t)RTE_MIN(len, 65535u);
			if (m == NULL) {
				c->flags |= CF_ACK_NOW;         /* a duplicate: tell the peer where we are */
			} else if (seq == c->rcv_nxt) {
				bool had_ooo = c->ooo != NULL;

				if (c->rq_head != NULL &&
						c->rq_head->nb_segs + m->nb_segs > GW_TCP_RQ_MAX_SEGS) {
					TCP_CNT(s, drop_tcp_rcv_buf_full);
					rte_pktmbuf_free(m);
					m = NULL;
					c->flags |= CF_ACK_NOW;
					g->flags &= (uint8_t)~TH_FIN;
				} else {
					c->rcv_nxt += len;
					c->unacked += len;
					tcp_deliver(c, m);
					m = NULL;
					if (c->flags & CF_DEAD)
						goto drop;
					if (had_ooo) {
						ooo_drain(c);
						if (c->flags & CF_DEAD)
							goto drop;
						c->flags |= CF_ACK_NOW;    /* a hole filled (RFC 5681 §4.2) */
					}
					if (c->unacked >= 2u * c->rcv_mss)
						c->flags |= CF_ACK_NOW;
				}
			} else {
				TCP_CNT(s, tcp_ooo_segs);
				c->last_ooo_seq = seq;
				if (g->flags & TH_FIN) {
					c->flags |= CF_OOO_FIN;
					c->ooo_fin_seq = seq + len;
					g->flags &= (uint8_t)~TH_FIN;
				}
				ooo_insert(c, m, seq);
				m = NULL;
				c->flags |= CF_ACK_NOW;     /* dup ACK at once (RFC 5681 §4.2) */
			}
		}
	}

	/* A bare FIN beyond a hole waits for the hole, like data (and gets a dup ACK). */
	if ((g->flags & TH_FIN) && g->len == 0 && SEQ_GT(g->seq, c->rcv_nxt) &&
			!(c->flags & CF_EOF_SEEN) && (c->state == GW_TCP_ESTABLISHED ||
			c->state == GW_TCP_FIN_WAIT_1 || c->state == GW_TCP_FIN_WAIT_2)) {
		c->flags |= CF_OOO_FIN | CF_ACK_NOW;
		c->ooo_fin_seq = g->seq;
		g->flags &= (uint8_t)~TH_FIN;
	}
	/* FIN (eighth check): only once everything before it has arrived. */
	if ((g->flags & TH_FIN) && g->seq + g->len == c->rcv_nxt && !(c->flags & CF_EOF_SEEN)) {
		fin_received(c);
	} else if ((g->flags & TH_FIN) && c->state == GW_TCP_TIME_WAIT) {
		/* A retransmitted FIN: ACK it and restart the 2 MSL timer. */
		tcp_time_wait_restart(c);
		tcp_send_ack(c);
		goto drop;
	} else if ((g->flags & TH_FIN) && (c->flags & CF_EOF_SEEN)) {
		c->flags |= CF_ACK_NOW;
	}
	if (!(c->flags & CF_DEAD) && (c->flags & CF_OOO_FIN) && c->ooo_fin_seq == c->rcv_nxt &&
			!(c->flags & CF_EOF_SEEN))
		fin_received(c);
	if (c->flags & CF_DEAD)
		goto drop;
	if (c->state == GW_TCP_TIME_WAIT) {
		if (c->flags & CF_ACK_NOW)
			tcp_send_ack(c);
		goto drop;
	}
	tcp_output(c);
	if (c->unacked > 0 && c->t_delack == 0) {
		c->t_delack = s->now_us + (uint64_t)s->p.delack_ms * 1000;
		tcp_timer_update(c);
	}
drop:
	if (m != NULL)
		rte_pktmbuf_free(m);
}

void
gw_tcp_input(struct gw_tcp_stack *s, struct rte_mbuf *m, int family, uint16_t l3_off,
	uint16_t l4_off, uint16_t l4_len)
{
	struct gw_tcp_seg g;
	struct gw_tcp_key k;
	const struct rte_tcp_hdr *th;
	unsigned int hlen;
	void *data, *cd = NULL;
	hash_sig_t sig;
	uint16_t cookie_mss = 0;
	uint64_t ol;

	TCP_CNT(s, tcp_rx_segs);
	if (l4_len < sizeof(*th) || m->pkt_len < (uint32_t)l4_off + l4_len ||
			m->data_len < l4_off + sizeof(*th))
		goto malformed;
	th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, l4_off);
	hlen = (th->data_off >> 4) * 4u;
	if (hlen < sizeof(*th) || hlen > l4_len || m->data_len < l4_off + hlen)
		goto malformed;
	ol = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	if (ol == RTE_MBUF_F_RX_L4_CKSUM_BAD ||
			(!s->rx_cksum_trusted && ol != RTE_MBUF_F_RX_L4_CKSUM_GOOD &&
			 !cksum_ok(m, family, l3_off, l4_off, l4_len))) {
		GW_CNT_INC(s->st, drop_tcp_bad_cksum);
		rte_pktmbuf_free(m);
		return;
	}
	memset(&g, 0, sizeof(g));
	g.seq = rte_be_to_cpu_32(th->sent_seq);
	g.ack = rte_be_to_cpu_32(th->recv_ack);
	g.wnd = rte_be_to_cpu_16(th->rx_win);
	g.flags = th->tcp_flags & 0x3f;
	g.len = l4_len - hlen;
	if (parse_opts((const uint8_t *)(th + 1), hlen - sizeof(*th), &g) < 0)
		goto malformed;
	if ((g.flags & (TH_SYN | TH_RST)) == (TH_SYN | TH_RST) ||
			(g.flags & (TH_SYN | TH_FIN)) == (TH_SYN | TH_FIN))
		goto malformed;

	memset(&k, 0, sizeof(k));
	k.family = (uint8_t)family;
	k.lport = rte_be_to_cpu_16(th->dst_port);
	k.rport = rte_be_to_cpu_16(th->src_port);
	data = rte_pktmbuf_mtod_offset(m, void *, l3_off);
	if (family == AF_INET) {
		const struct rte_ipv4_hdr *ip = data;

		memcpy(k.laddr, &ip->dst_addr, 4);
		memcpy(k.raddr, &ip->src_addr, 4);
	} else {
		const struct rte_ipv6_hdr *ip6 = data;

		memcpy(k.laddr, ip6->dst_addr, 16);
		memcpy(k.raddr, ip6->src_addr, 16);
	}
	sig = rte_hash_hash(s->h, &k);
	if (rte_hash_lookup_with_hash_data(s->h, &k, sig, &cd) < 0) {
		cd = NULL;
		/* Not ours: maybe another worker's (a stray), unless it may be a cookie's ACK. */
		if (s->stray != NULL && !(g.flags & TH_SYN)) {
			cookie_mss = cookie_candidate(s, &k, &g);
			if (cookie_mss == 0 && s->stray(s->stray_arg, m))
				goto out;
		}
	}
	/* Keep only the payload: the application gets it as is. */
	m = chain_adj(m, (uint32_t)l4_off + hlen);
	if (m != NULL && m->pkt_len > g.len)
		chain_cut(m, g.len);
	if (m != NULL && g.len == 0) {
		rte_pktmbuf_free(m);
		m = NULL;
	}
	if (cd != NULL)
		conn_input(cd, &g, m);
	else
		listen_input(s, &k, sig, &g, m, cookie_mss);
out:
	tcp_reap(s);
	return;
malformed:
	GW_CNT_INC(s->st, drop_tcp_malformed);
	rte_pktmbuf_free(m);
}
