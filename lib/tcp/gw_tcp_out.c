/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Segment building and the send loop: headers and options, payload taken
 * from the send queue by reference (indirect mbufs; small payloads copied),
 * checksums, SWS avoidance, congestion/receive window limits, FIN, SACK
 * recovery transmission (RFC 6675 §5 step C), persist and keepalive probes.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "gw_tcp_int.h"

#define OPT_NOP 1
#define OPT_MSS 2
#define OPT_WS 3
#define OPT_SACK_OK 4
#define OPT_SACK 5
#define OPT_TS 8

static inline uint16_t
ip_hdr_len(int family)
{
	return family == AF_INET ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);
}

/*
 * A header mbuf with IP and TCP headers (TCP options @optlen bytes, left for
 * the caller) laid out; returns the TCP header.
 */
static struct rte_tcp_hdr *
hdr_alloc(struct gw_tcp_stack *s, const struct gw_tcp_key *k, unsigned int optlen,
	struct rte_mbuf **mp)
{
	uint16_t iplen = ip_hdr_len(k->family);
	struct rte_mbuf *m = rte_pktmbuf_alloc(s->pool);
	struct rte_tcp_hdr *th;
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(iplen + sizeof(*th) + optlen));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (k->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;

		ip->version_ihl = 0x45;
		ip->type_of_service = 0;
		ip->packet_id = rte_cpu_to_be_16(s->ip_id++);
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		ip->hdr_checksum = 0;
		memcpy(&ip->src_addr, k->laddr, 4);
		memcpy(&ip->dst_addr, k->raddr, 4);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)p;

		ip6->vtc_flow = rte_cpu_to_be_32(0x60000000);
		ip6->proto = IPPROTO_TCP;
		ip6->hop_limits = 64;
		memcpy(ip6->src_addr, k->laddr, 16);
		memcpy(ip6->dst_addr, k->raddr, 16);
	}
	th = (struct rte_tcp_hdr *)(p + iplen);
	th->src_port = rte_cpu_to_be_16(k->lport);
	th->dst_port = rte_cpu_to_be_16(k->rport);
	th->data_off = (uint8_t)(((sizeof(*th) + optlen) / 4) << 4);
	th->cksum = 0;
	th->tcp_urp = 0;
	*mp = m;
	return th;
}

/* Lengths, checksum, and out. Consumes @m. */
static int
finish_and_send(struct gw_tcp_stack *s, const struct gw_tcp_key *k, struct rte_mbuf *m,
	struct rte_tcp_hdr *th)
{
	uint16_t iplen = ip_hdr_len(k->family);
	uint32_t tcplen = m->pkt_len - iplen;
	uint8_t *ipp = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t sum;
	uint16_t phdr, raw;
	int rc;

	if (k->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)ipp;

		ip->total_length = rte_cpu_to_be_16((uint16_t)m->pkt_len);
		phdr = rte_ipv4_phdr_cksum(ip, 0);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)ipp;

		ip6->payload_len = rte_cpu_to_be_16((uint16_t)tcplen);
		phdr = rte_ipv6_phdr_cksum(ip6, 0);
	}
	if (s->tx_cksum_offload) {
		th->cksum = phdr;
		m->l2_len = 0;
		m->l3_len = iplen;
		m->l4_len = (uint8_t)((th->data_off >> 4) * 4);
		m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM |
			(k->family == AF_INET ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6);
	} else {
		th->cksum = 0;
		raw = tcp_chain_cksum(m, iplen, tcplen);
		sum = (uint32_t)phdr + raw;
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		th->cksum = (uint16_t)~sum;
	}
	TCP_CNT(s, tcp_tx_segs);
	rc = s->output(s->output_arg, m, k->family, k->laddr, k->raddr);
	if (rc < 0)
		TCP_CNT(s, tcp_tx_fail);
	return rc;
}

static uint8_t *
put_ts(uint8_t *o, uint32_t val, uint32_t ecr)
{
	o[0] = OPT_TS;
	o[1] = 10;
	val = rte_cpu_to_be_32(val);
	ecr = rte_cpu_to_be_32(ecr);
	memcpy(o + 2, &val, 4);
	memcpy(o + 6, &ecr, 4);
	return o + 10;
}

/* SYN / SYN-ACK options: MSS, SACK-permitted, timestamps, window scale. */
static unsigned int
syn_opts(uint8_t *o, uint16_t mss, bool sack, bool ts, uint32_t tsval, uint32_t tsecr,
	bool ws, uint8_t wscale)
{
	uint8_t *p = o;

	*p++ = OPT_MSS;
	*p++ = 4;
	*p++ = (uint8_t)(mss >> 8);
	*p++ = (uint8_t)mss;
	if (sack && ts) {
		*p++ = OPT_SACK_OK;
		*p++ = 2;
		p = put_ts(p, tsval, tsecr);
	} else if (ts) {
		*p++ = OPT_NOP;
		*p++ = OPT_NOP;
		p = put_ts(p, tsval, tsecr);
	} else if (sack) {
		*p++ = OPT_NOP;
		*p++ = OPT_NOP;
		*p++ = OPT_SACK_OK;
		*p++ = 2;
	}
	if (ws) {
		*p++ = OPT_NOP;
		*p++ = OPT_WS;
		*p++ = 3;
		*p++ = wscale;
	}
	return (unsigned int)(p - o);
}

/*
 * SACK blocks for the out-of-order queue (RFC 2018 §4): the block holding
 * the latest arrival first, then the others in sequence order.
 */
static unsigned int
sack_blocks(struct gw_tcp_conn *c, struct gw_tcp_sack_block *b, unsigned int max)
{
	struct gw_tcp_sack_block all[16];
	struct rte_mbuf *m;
	unsigned int n = 0, i, out = 0, first = UINT32_MAX;

	for (m = c->ooo; m != NULL && n < GW_DIM(all); m = gw_tcp_mq(m)->next) {
		uint32_t seq = gw_tcp_mq(m)->seq, end = seq + m->pkt_len;

		if (n > 0 && all[n - 1].end == seq)
			all[n - 1].end = end;
		else
			all[n++] = (struct gw_tcp_sack_block){ seq, end };
	}
	for (i = 0; i < n; i++) {
		if (SEQ_LE(all[i].start, c->last_ooo_seq) && SEQ_LT(c->last_ooo_seq, all[i].end)) {
			first = i;
			b[out++] = all[i];
			break;
		}
	}
	for (i = 0; i < n && out < max; i++)
		if (i != first)
			b[out++] = all[i];
	return out;
}

/*
 * Payload bytes a segment can carry now: the effective MSS (which already
 * leaves room for timestamps) less the SACK blocks the segment will carry
 * (RFC 9293 §3.7.1: options come out of the MSS, or the frame outgrows the
 * MTU).
 */
uint32_t
tcp_payload_room(struct gw_tcp_conn *c)
{
	struct gw_tcp_sack_block blk[4];
	unsigned int n;

	if (!c->sack_ok || c->ooo == NULL)
		return c->mss;
	n = sack_blocks(c, blk, c->ts_ok ? 3 : 4);
	return c->mss - (4 + 8 * n);
}

/* Point the send-queue cursor at @seq; returns the segment and the offset in it. */
static struct rte_mbuf *
sq_find(struct gw_tcp_conn *c, uint32_t seq, uint32_t *off)
{
	struct rte_mbuf *m;
	uint32_t mseq;

	if (c->sq_cur != NULL && SEQ_GE(seq, c->sq_cur_seq)) {
		m = c->sq_cur;
		mseq = c->sq_cur_seq;
	} else {
		m = c->sq_head;
		mseq = c->snd_una;
	}
	while (m != NULL && SEQ_GE(seq, mseq + m->data_len)) {
		mseq += m->data_len;
		m = m->next;
	}
	c->sq_cur = m;
	c->sq_cur_seq = mseq;
	*off = seq - mseq;
	return m;
}

/* Append [seq, seq + len) of the send queue to the header mbuf @h. */
static int
attach_payload(struct gw_tcp_conn *c, struct rte_mbuf *h, uint32_t seq, uint32_t len)
{
	struct rte_mbuf *m, *last = h;
	uint32_t off;

	m = sq_find(c, seq, &off);
	if (len <= GW_TCP_COPY_MAX && rte_pktmbuf_tailroom(h) >= len) {
		uint8_t *dst = (uint8_t *)rte_pktmbuf_append(h, (uint16_t)len);

		while (len > 0 && m != NULL) {
			uint32_t n = RTE_MIN(len, (uint32_t)m->data_len - off);

			memcpy(dst, rte_pktmbuf_mtod_offset(m, uint8_t *, off), n);
			dst += n;
			len -= n;
			off = 0;
			m = m->next;
		}
		return len == 0 ? 0 : -EINVAL;
	}
	while (len > 0 && m != NULL) {
		uint32_t n = RTE_MIN(len, (uint32_t)m->data_len - off);
		struct rte_mbuf *mi = rte_pktmbuf_alloc(c->s->pool);

		if (mi == NULL)
			return -ENOMEM;
		rte_pktmbuf_attach(mi, m);
		mi->data_off = (uint16_t)(m->data_off + off);
		mi->data_len = (uint16_t)n;
		mi->pkt_len = n;
		last->next = mi;
		last = mi;
		h->nb_segs++;
		h->pkt_len += n;
		len -= n;
		off = 0;
		m = m->next;
	}
	return len == 0 ? 0 : -EINVAL;
}

/*
 * Send one segment of the connection: [seq, seq + len) of queued data with
 * @flags (ACK added once synchronized). Takes the ACK and window of now and
 * clears any pending ACK. 0 or -errno (nothing sent).
 */
int
tcp_send_seg(struct gw_tcp_conn *c, uint32_t seq, uint32_t len, uint8_t flags)
{
	struct gw_tcp_stack *s = c->s;
	uint8_t opts[40], *o = opts;
	struct gw_tcp_sack_block blk[4];
	unsigned int nblk = 0, i, optlen;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	uint32_t win;

	if (c->ts_ok) {
		*o++ = OPT_NOP;
		*o++ = OPT_NOP;
		o = put_ts(o, tcp_ts_now(c), c->ts_recent);
	}
	if (c->sack_ok && c->ooo != NULL && !(flags & TH_RST)) {
		nblk = sack_blocks(c, blk, c->ts_ok ? 3 : 4);
		*o++ = OPT_NOP;
		*o++ = OPT_NOP;
		*o++ = OPT_SACK;
		*o++ = (uint8_t)(2 + 8 * nblk);
		for (i = 0; i < nblk; i++) {
			uint32_t a = rte_cpu_to_be_32(blk[i].start), b = rte_cpu_to_be_32(blk[i].end);

			memcpy(o, &a, 4);
			memcpy(o + 4, &b, 4);
			o += 8;
		}
	}
	optlen = (unsigned int)(o - opts);
	th = hdr_alloc(s, &c->key, optlen, &m);
	if (th == NULL) {
		GW_CNT_INC(s->st, drop_no_mbuf);
		return -ENOMEM;
	}
	memcpy(th + 1, opts, optlen);
	if (len > 0 && attach_payload(c, m, seq, len) < 0) {
		rte_pktmbuf_free(m);
		GW_CNT_INC(s->st, drop_no_mbuf);
		return -ENOMEM;
	}
	flags |= TH_ACK;
	win = tcp_rcv_window(c);
	if (SEQ_GT(c->rcv_nxt + win, c->rcv_adv))
		c->rcv_adv = c->rcv_nxt + win;
	/*
	 * The field says the window >> rcv_ws, rounded up (rounding down could
	 * shrink it); the right edge is then what the field says, exactly, or
	 * the peer may send up to an edge we would refuse.
	 */
	win = (c->rcv_adv - c->rcv_nxt + (1u << c->rcv_ws) - 1) >> c->rcv_ws;
	win = RTE_MIN(win, 65535u);
	c->rcv_adv = c->rcv_nxt + (win << c->rcv_ws);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(c->rcv_nxt);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16((uint16_t)win);
	c->last_ack_sent = c->rcv_nxt;
	c->unacked = 0;
	c->t_delack = 0;
	c->flags &= ~CF_ACK_NOW;
	if (len > 0 && SEQ_LT(seq, c->snd_max) && !(c->flags & CF_PERSIST)) {
		c->retransmits++;
		TCP_CNT(s, tcp_retransmits);
	}
	if (len > 0 || (flags & (TH_SYN | TH_FIN)))
		c->last_send_ms = s->now_ms;
	finish_and_send(s, &c->key, m, th);
	return 0;
}

void
tcp_send_ack(struct gw_tcp_conn *c)
{
	uint32_t seq = c->snd_nxt;

	/* In SYN states the ACK carries no SYN; its sequence is what follows the SYN. */
	tcp_send_seg(c, seq, 0, 0);
}

/* RFC 5961 §7: at most challenge_ack_limit per second and stack. */
void
tcp_send_challenge_ack(struct gw_tcp_conn *c)
{
	struct gw_tcp_stack *s = c->s;
	uint32_t sec = s->now_ms / 1000;

	if (sec != s->chack_sec) {
		s->chack_sec = sec;
		s->chack_count = 0;
	}
	if (s->chack_count >= s->p.challenge_ack_limit) {
		TCP_CNT(s, tcp_challenge_ack_limited);
		return;
	}
	s->chack_count++;
	TCP_CNT(s, tcp_challenge_acks);
	tcp_send_ack(c);
}

void
tcp_send_rst_conn(struct gw_tcp_conn *c)
{
	struct gw_tcp_stack *s = c->s;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;

	th = hdr_alloc(s, &c->key, 0, &m);
	if (th == NULL) {
		GW_CNT_INC(s->st, drop_no_mbuf);
		return;
	}
	th->sent_seq = rte_cpu_to_be_32(c->snd_nxt);
	th->recv_ack = rte_cpu_to_be_32(c->rcv_nxt);
	th->tcp_flags = TH_RST | TH_ACK;
	th->rx_win = 0;
	TCP_CNT(s, tcp_rst_tx);
	finish_and_send(s, &c->key, m, th);
}

static void
send_syn_common(struct gw_tcp_conn *c, uint8_t flags)
{
	struct gw_tcp_stack *s = c->s;
	uint16_t mss = (uint16_t)(s->mtu - (c->key.family == AF_INET ? 40 : 60));
	uint8_t opts[40];
	unsigned int optlen;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	uint32_t win = RTE_MIN(c->rcv_buf, 65535u);

	optlen = syn_opts(opts, mss, c->sack_ok, c->ts_ok, tcp_ts_now(c), c->ts_recent,
		c->ws_ok, c->rcv_ws);
	th = hdr_alloc(s, &c->key, optlen, &m);
	if (th == NULL) {
		GW_CNT_INC(s->st, drop_no_mbuf);
		return;
	}
	memcpy(th + 1, opts, optlen);
	th->sent_seq = rte_cpu_to_be_32(c->iss);
	th->recv_ack = rte_cpu_to_be_32((flags & TH_ACK) ? c->rcv_nxt : 0);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16((uint16_t)win);
	if (flags & TH_ACK) {
		c->rcv_adv = c->rcv_nxt + win;
		c->last_ack_sent = c->rcv_nxt;
	}
	c->last_send_ms = s->now_ms;
	finish_and_send(s, &c->key, m, th);
}

/* Our SYN offers everything enabled; the reply decides (RFC 7323 §1.3, RFC 2018). */
void
tcp_send_syn(struct gw_tcp_conn *c)
{
	struct gw_tcp_params *p = &c->s->p;

	if (!(c->flags & CF_SYN_RETX)) {
		c->ts_ok = p->timestamps;
		c->sack_ok = p->sack;
		c->ws_ok = p->window_scaling;
		c->rcv_ws = 0;
		if (c->ws_ok)
			while (c->rcv_ws < GW_TCP_MAX_WSCALE && (c->rcv_buf >> c->rcv_ws) > 65535)
				c->rcv_ws++;
	}
	send_syn_common(c, TH_SYN);
}

void
tcp_send_synack(struct gw_tcp_conn *c)
{
	send_syn_common(c, TH_SYN | TH_ACK);
}

/*
 * A segment without a connection: a RST answering one (@syn NULL), or the
 * SYN-ACK of a SYN cookie (@syn the peer's SYN, @tsval our encoded TSval).
 */
void
tcp_send_raw(struct gw_tcp_stack *s, const struct gw_tcp_key *k, uint32_t seq, uint32_t ack,
	uint8_t flags, uint16_t win, const struct gw_tcp_seg *syn, uint32_t tsval, uint8_t rcv_ws)
{
	uint8_t opts[40];
	unsigned int optlen = 0;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;

	if (syn != NULL) {
		uint16_t mss = (uint16_t)(s->mtu - (k->family == AF_INET ? 40 : 60));

		optlen = syn_opts(opts, mss, syn->sack_ok && s->p.sack,
			syn->has_ts && s->p.timestamps, tsval, syn->tsval,
			syn->has_ws && s->p.window_scaling, rcv_ws);
	}
	th = hdr_alloc(s, k, optlen, &m);
	if (th == NULL) {
		GW_CNT_INC(s->st, drop_no_mbuf);
		return;
	}
	memcpy(th + 1, opts, optlen);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32((flags & TH_ACK) ? ack : 0);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(win);
	if (flags & TH_RST)
		TCP_CNT(s, tcp_rst_tx);
	finish_and_send(s, k, m, th);
}

/* Send [seq, seq + len) of queued data, with FIN if it ends where the FIN goes. */
static int
xmit(struct gw_tcp_conn *c, uint32_t seq, uint32_t len)
{
	uint8_t flags = 0;

	if (seq + len == c->snd_end) {
		if (len > 0)
			flags |= TH_PSH;
		if (c->flags & CF_FIN_QUEUED) {
			flags |= TH_FIN;
			c->flags |= CF_FIN_SENT;
		}
	}
	if (len == 0 && !(flags & TH_FIN))
		return -EINVAL;
	return tcp_send_seg(c, seq, len, flags);
}

/* Sequence space the segment [seq, seq + len) with its FIN covers. */
static uint32_t
seg_end(const struct gw_tcp_conn *c, uint32_t seq, uint32_t len)
{
	uint32_t end = seq + len;

	if (end == c->snd_end && (c->flags & CF_FIN_QUEUED))
		end++;
	return end;
}

/* Retransmit the first unacknowledged segment (RTO, fast retransmit, NewReno partial ACK). */
void
tcp_retransmit_una(struct gw_tcp_conn *c)
{
	uint32_t avail = c->snd_end - c->snd_una;
	uint32_t len = RTE_MIN(avail, tcp_payload_room(c)), end;

	if (SEQ_GT(c->snd_una, c->snd_end))
		return;         /* only... nothing: the FIN was acked */
	if (xmit(c, c->snd_una, len) < 0)
		return;
	end = seg_end(c, c->snd_una, len);
	if (SEQ_GT(end, c->snd_nxt))
		c->snd_nxt = end;
	if (SEQ_GT(end, c->snd_max))
		c->snd_max = end;
}

/* Zero window: one byte beyond what the peer accepted (RFC 9293 3.8.6.1). */
void
tcp_persist_probe(struct gw_tcp_conn *c)
{
	uint32_t end;

	if (c->snd_end == c->snd_una)
		return;
	TCP_CNT(c->s, tcp_zero_window_probes);
	if (xmit(c, c->snd_una, 1) < 0)
		return;
	end = seg_end(c, c->snd_una, 1);
	if (SEQ_GT(end, c->snd_nxt))
		c->snd_nxt = end;
	if (SEQ_GT(end, c->snd_max))
		c->snd_max = end;
}

/* SWS override timeout: send what the (small) window takes now. */
void
tcp_sws_override(struct gw_tcp_conn *c)
{
	uint32_t flight = c->snd_nxt - c->snd_una;
	uint32_t usable = c->snd_wnd > flight ? c->snd_wnd - flight : 0;
	uint32_t avail = SEQ_LT(c->snd_nxt, c->snd_end) ? c->snd_end - c->snd_nxt : 0;
	uint32_t len = RTE_MIN(avail, usable), end;

	len = RTE_MIN(len, tcp_payload_room(c));
	if (len == 0 || xmit(c, c->snd_nxt, len) < 0)
		return;
	end = seg_end(c, c->snd_nxt, len);
	c->snd_nxt = end;
	if (SEQ_GT(end, c->snd_max))
		c->snd_max = end;
	tcp_set_rtx(c);
}

/* RFC 9293 3.8.4: SEG.SEQ = SND.NXT - 1, no data, to elicit an ACK. */
void
tcp_keepalive_probe(struct gw_tcp_conn *c)
{
	TCP_CNT(c->s, tcp_keepalive_probes);
	tcp_send_seg(c, c->snd_una - 1, 0, 0);
}

/* RFC 6675 §5 (C): fill cwnd - pipe with lost segments, new data, then the rest. */
static bool
sack_recovery_send(struct gw_tcp_conn *c)
{
	uint32_t pipe = gw_tcp_sb_pipe(&c->sb, c->snd_una, c->snd_max, c->high_rxt, c->mss);
	uint32_t room = tcp_payload_room(c);
	bool sent = false;
	unsigned int guard = 0;

	while (c->cc.cwnd > pipe && c->cc.cwnd - pipe >= c->mss && guard++ < 64) {
		uint32_t seq, len, wnd_end = c->snd_una + c->snd_wnd;

		if (SEQ_LT(c->high_rxt, c->snd_una))
			c->high_rxt = c->snd_una;
		if (gw_tcp_sb_next_seg(&c->sb, c->snd_una, c->snd_max, c->high_rxt, c->mss,
				&seq, &len)) {
			if (SEQ_GT(seq + len, c->snd_end))
				len = c->snd_end - seq;
			len = RTE_MIN(len, room);
			if (xmit(c, seq, len) < 0)
				break;
			c->high_rxt = seq + len;
			pipe += len;
			sent = true;
			continue;
		}
		/* Rule 2: new data the receive window allows. */
		if (SEQ_LT(c->snd_max, c->snd_end) && SEQ_LT(c->snd_max, wnd_end)) {
			len = RTE_MIN(c->snd_end - c->snd_max, room);
			len = RTE_MIN(len, wnd_end - c->snd_max);
			if (xmit(c, c->snd_max, len) < 0)
				break;
			c->snd_max = seg_end(c, c->snd_max, len);
			c->snd_nxt = c->snd_max;
			pipe += len;
			sent = true;
			continue;
		}
		break;
	}
	return sent;
}

/*
 * Send what the windows allow: new data in MSS-sized segments (sender SWS
 * avoidance, optional Nagle), the FIN, the persist timer on a zero window,
 * and a pure ACK if one is owed and nothing else carried it.
 */
void
tcp_output(struct gw_tcp_conn *c)
{
	struct gw_tcp_stack *s = c->s;
	bool sent = false;

	if (c->state < GW_TCP_ESTABLISHED || c->state == GW_TCP_TIME_WAIT || (c->flags & CF_DEAD))
		return;
	if ((c->flags & CF_PERSIST) && c->snd_wnd != 0) {
		/* The window opened: the probe byte goes again with what follows it. */
		c->flags &= ~CF_PERSIST;
		c->snd_nxt = c->snd_una;
		c->t_rtx = 0;
		c->backoff = 0;
	}
	if ((c->flags & CF_IN_RECOVERY) && c->sack_ok) {
		sent = sack_recovery_send(c);
	} else {
		uint32_t room = tcp_payload_room(c);

		/* RFC 5681 §4.1: restart from at most IW after an idle RTO. */
		if (c->snd_una == c->snd_max && c->srtt_us != 0 &&
				(uint32_t)(s->now_ms - c->last_send_ms) > c->rto_ms)
			gw_tcp_cc_after_idle(&c->cc, c->mss, s->p.init_cwnd);
		for (;;) {
			uint32_t wnd = RTE_MIN(c->snd_wnd, c->cc.cwnd);
			uint32_t flight = c->snd_nxt - c->snd_una;
			uint32_t avail = SEQ_LT(c->snd_nxt, c->snd_end) ? c->snd_end - c->snd_nxt : 0;
			uint32_t usable = wnd > flight ? wnd - flight : 0;
			uint32_t len = RTE_MIN(avail, room);
			bool fin = (c->flags & CF_FIN_QUEUED) && c->snd_nxt == c->snd_end;
			uint32_t end;

			len = RTE_MIN(len, usable);
			if (len == 0 && !fin)
				break;
			if (len < avail && len < room) {
				/* SWS: a partial segment only if it is half the largest window seen. */
				if (len == 0 || len < c->max_snd_wnd / 2)
					break;
			}
			if (len < room && len == avail && s->p.nagle && flight > 0 && !fin)
				break;
			if (len < avail)
				fin = false;
			if (xmit(c, c->snd_nxt, len) < 0)
				break;
			end = seg_end(c, c->snd_nxt, len);
			if (!c->ts_ok && !(c->flags & CF_RTT_TIMING) && SEQ_GE(c->snd_nxt, c->snd_max) &&
					len > 0) {
				c->flags |= CF_RTT_TIMING;
				c->rtt_seq = c->snd_nxt;
				c->rtt_start_ms = s->now_ms;
			}
			c->snd_nxt = end;
			if (SEQ_GT(end, c->snd_max))
				c->snd_max = end;
			sent = true;
			if (c->t_rtx == 0 || (c->flags & CF_PERSIST)) {
				c->flags &= ~CF_PERSIST;
				tcp_set_rtx(c);
			}
			if (fin)
				break;
		}
		/*
		 * Data waiting, nothing in flight, yet nothing sent: a zero window
		 * (probe, RFC 9293 3.8.6.1) or one too small for the SWS rules (the
		 * override timeout of 3.8.6.2.1). Without a timer a lost window
		 * update would stall the connection for good.
		 */
		if (SEQ_LT(c->snd_nxt, c->snd_end) && c->snd_una == c->snd_max &&
				!(c->flags & CF_PERSIST)) {
			c->flags |= CF_PERSIST;
			tcp_set_rtx(c);
		}
	}
	if (!sent && (c->flags & CF_ACK_NOW))
		tcp_send_ack(c);
	if (sent && c->t_rtx == 0)
		tcp_set_rtx(c);
}
