/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stack object, the connection table, timers and the application API.
 * Segment arrival is gw_tcp_in.c, segment building gw_tcp_out.c.
 */
#include <errno.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_errno.h>
#include <rte_random.h>

#include "gw_tcp_int.h"

int gw_tcp_dyn_off = -1;

static const char *const state_names[] = {
	[GW_TCP_CLOSED] = "CLOSED", [GW_TCP_LISTEN] = "LISTEN",
	[GW_TCP_SYN_SENT] = "SYN-SENT", [GW_TCP_SYN_RECEIVED] = "SYN-RECEIVED",
	[GW_TCP_ESTABLISHED] = "ESTABLISHED", [GW_TCP_FIN_WAIT_1] = "FIN-WAIT-1",
	[GW_TCP_FIN_WAIT_2] = "FIN-WAIT-2", [GW_TCP_CLOSE_WAIT] = "CLOSE-WAIT",
	[GW_TCP_CLOSING] = "CLOSING", [GW_TCP_LAST_ACK] = "LAST-ACK",
	[GW_TCP_TIME_WAIT] = "TIME-WAIT",
};

const char *
gw_tcp_state_name(int state)
{
	if (state < 0 || state >= (int)GW_DIM(state_names))
		return "?";
	return state_names[state];
}

void
gw_tcp_params_default(struct gw_tcp_params *p)
{
	memset(p, 0, sizeof(*p));
	p->rcv_buf = 262144;
	p->snd_buf = 262144;
	p->init_cwnd = 10;
	p->rto_init_ms = 1000;
	p->rto_min_ms = 200;
	p->rto_max_ms = 60000;
	p->delack_ms = 40;
	p->syn_retries = 5;
	p->synack_retries = 3;
	p->data_retries = 12;
	p->fin_wait2_ms = 60000;
	p->time_wait_ms = 60000;
	p->keepalive_idle_ms = 7200000;
	p->keepalive_intvl_ms = 75000;
	p->keepalive_probes = 9;
	p->syn_backlog = 1024;
	p->challenge_ack_limit = 1000;
	p->cc = GW_TCP_CC_CUBIC;
	p->nagle = false;
	p->sack = true;
	p->timestamps = true;
	p->window_scaling = true;
	p->syncookies = true;
}

static void
params_sanitize(struct gw_tcp_params *p)
{
	if (p->rcv_buf < 1024)
		p->rcv_buf = 1024;
	if (p->rcv_buf > (65535u << GW_TCP_MAX_WSCALE))
		p->rcv_buf = 65535u << GW_TCP_MAX_WSCALE;
	if (p->snd_buf < 1024)
		p->snd_buf = 1024;
	if (p->init_cwnd == 0)
		p->init_cwnd = 1;
	if (p->rto_min_ms == 0)
		p->rto_min_ms = 1;
	if (p->rto_max_ms < p->rto_min_ms)
		p->rto_max_ms = p->rto_min_ms;
	if (p->rto_init_ms < p->rto_min_ms)
		p->rto_init_ms = p->rto_min_ms;
	if (p->delack_ms > 500)         /* RFC 9293 MUST-40: within 0.5 s */
		p->delack_ms = 500;
	if (p->keepalive_intvl_ms == 0)
		p->keepalive_intvl_ms = 1000;
	if (p->cc > GW_TCP_CC_NEWRENO)
		p->cc = GW_TCP_CC_CUBIC;
}

size_t
gw_tcp_stack_conn_size(void)
{
	return sizeof(struct gw_tcp_conn);
}

struct gw_tcp_stack *
gw_tcp_stack_create(const struct gw_tcp_conf *c)
{
	static const struct rte_mbuf_dynfield dyn = {
		.name = "gw_tcp_mbuf_q",
		.size = sizeof(struct gw_tcp_mbuf_q),
		.align = __alignof__(struct gw_tcp_mbuf_q),
	};
	struct rte_hash_parameters hp = { 0 };
	struct gw_tcp_stack *s;
	char name[RTE_HASH_NAMESIZE];
	uint32_t i, n;

	if (c->pool == NULL || c->output == NULL || c->stats == NULL || c->max_conns == 0) {
		GW_LOG(ERR, "tcp: stack needs a pool, an output, counters and max_conns");
		return NULL;
	}
	if (gw_tcp_dyn_off < 0) {
		gw_tcp_dyn_off = rte_mbuf_dynfield_register(&dyn);
		if (gw_tcp_dyn_off < 0) {
			GW_LOG(ERR, "tcp: cannot register the mbuf field: %s", rte_strerror(rte_errno));
			return NULL;
		}
	}
	s = rte_zmalloc_socket("gw_tcp", sizeof(*s), RTE_CACHE_LINE_SIZE, c->socket);
	if (s == NULL)
		return NULL;
	s->p = c->params;
	params_sanitize(&s->p);
	s->worker_id = c->worker_id;
	s->n_workers = c->n_workers ? c->n_workers : 1;
	s->port_lo = c->port_lo ? c->port_lo : 32768;
	s->port_hi = c->port_hi ? c->port_hi : 60999;
	if (s->port_hi < s->port_lo)
		s->port_hi = s->port_lo;
	s->port_cursor = s->port_lo;
	s->mtu = c->mtu >= 576 ? c->mtu : 1500;
	s->rx_cksum_trusted = c->rx_cksum_trusted;
	s->tx_cksum_offload = c->tx_cksum_offload;
	s->pool = c->pool;
	s->output = c->output;
	s->output_arg = c->output_arg;
	s->st = c->stats;
	s->now_us = c->now_us;
	s->now_ms = (uint32_t)(c->now_us / 1000);
	s->max_conns = c->max_conns;
	if (c->secret != NULL) {
		memcpy(s->key_isn, c->secret, 16);
		memcpy(s->key_cookie, c->secret + 16, 16);
	} else {
		for (i = 0; i < 16; i += 8) {
			uint64_t r1 = rte_rand(), r2 = rte_rand();

			memcpy(s->key_isn + i, &r1, 8);
			memcpy(s->key_cookie + i, &r2, 8);
		}
	}

	/* rte_hash wants a capacity of at least 8 and loses some to cuckoo paths. */
	n = RTE_MAX(c->max_conns + c->max_conns / 8, 64u);
	snprintf(name, sizeof(name), "gw_tcp_%u_%p", c->worker_id, (void *)s);
	hp.name = name;
	hp.entries = n;
	hp.key_len = sizeof(struct gw_tcp_key);
	hp.hash_func = rte_hash_crc;    /* SSE4.2 CRC32 over the 8-byte aligned key */
	hp.socket_id = c->socket;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	s->h = rte_hash_create(&hp);
	s->conns = rte_zmalloc_socket("gw_tcp_conns", sizeof(*s->conns) * c->max_conns,
		RTE_CACHE_LINE_SIZE, c->socket);
	s->free_idx = rte_malloc_socket("gw_tcp_free", sizeof(uint32_t) * c->max_conns, 0,
		c->socket);
	s->wheel = gw_timer_wheel_create(4096, 1000, c->now_us, c->socket);
	if (s->h == NULL || s->conns == NULL || s->free_idx == NULL || s->wheel == NULL) {
		GW_LOG(ERR, "tcp: cannot allocate a stack of %u connections", c->max_conns);
		gw_tcp_stack_free(s);
		return NULL;
	}
	for (i = 0; i < c->max_conns; i++)
		s->free_idx[i] = c->max_conns - 1 - i;
	s->n_free = c->max_conns;
	return s;
}

void
tcp_reap(struct gw_tcp_stack *s)
{
	struct gw_tcp_conn *c;

	while ((c = s->zombies) != NULL) {
		s->zombies = c->znext;
		c->flags = 0;
		c->state = GW_TCP_CLOSED;
		s->free_idx[s->n_free++] = c->idx;
	}
}

static void
conn_release_bufs(struct gw_tcp_conn *c)
{
	struct rte_mbuf *m, *n;

	tcp_chain_free(c->sq_head);
	c->sq_head = c->sq_tail = c->sq_cur = NULL;
	tcp_chain_free(c->rq_head);
	c->rq_head = c->rq_tail = NULL;
	for (m = c->ooo; m != NULL; m = n) {
		n = gw_tcp_mq(m)->next;
		rte_pktmbuf_free(m);
	}
	c->ooo = NULL;
	c->rq_bytes = c->ooo_bytes = 0;
}

void
gw_tcp_stack_free(struct gw_tcp_stack *s)
{
	uint32_t i;

	if (s == NULL)
		return;
	if (s->conns != NULL) {
		for (i = 0; i < s->max_conns; i++) {
			struct gw_tcp_conn *c = &s->conns[i];

			if (c->state != GW_TCP_CLOSED && !(c->flags & CF_DEAD))
				conn_release_bufs(c);
		}
	}
	gw_timer_wheel_free(s->wheel);
	rte_hash_free(s->h);
	rte_free(s->conns);
	rte_free(s->free_idx);
	rte_free(s);
}

void
gw_tcp_stack_set_params(struct gw_tcp_stack *s, const struct gw_tcp_params *p)
{
	s->p = *p;
	params_sanitize(&s->p);
}

void
gw_tcp_set_stray(struct gw_tcp_stack *s, gw_tcp_stray_fn fn, void *arg)
{
	s->stray = fn;
	s->stray_arg = arg;
}

void
gw_tcp_set_workers(struct gw_tcp_stack *s, unsigned int id, unsigned int n)
{
	s->worker_id = id;
	s->n_workers = n ? n : 1;
}

uint64_t
gw_tcp_stack_now(const struct gw_tcp_stack *s)
{
	return s->now_us;
}

uint32_t
gw_tcp_stack_conns(const struct gw_tcp_stack *s)
{
	return s->n_conns;
}

uint32_t
gw_tcp_stack_half_open(const struct gw_tcp_stack *s)
{
	return s->half_open;
}

/*
 * One's-complement sum (16 bits, host order as rte_raw_cksum() gives it) of
 * @len bytes of chain @m from @off. Not rte_raw_cksum_mbuf(): in 22.11 it
 * cuts a segment's partial sum to 16 bits before swapping the bytes of a
 * segment that starts at an odd offset, so a chain of odd-length mbufs (a
 * proxy forwarding what it received) got a wrong checksum. Each piece here
 * is reduced first, then swapped when it starts at an odd position.
 */
uint16_t
tcp_chain_cksum(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint32_t sum = 0, done = 0;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (m != NULL && len > 0) {
		uint32_t n = RTE_MIN(len, (uint32_t)m->data_len - off);
		uint16_t p = rte_raw_cksum(rte_pktmbuf_mtod_offset(m, const void *, off), n);

		if (done & 1)
			p = rte_bswap16(p);
		sum += p;
		done += n;
		len -= n;
		off = 0;
		m = m->next;
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

void
tcp_chain_free(struct rte_mbuf *m)
{
	struct rte_mbuf *n;

	/* Queue segments are linked through ->next without a valid head nb_segs. */
	for (; m != NULL; m = n) {
		n = m->next;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
	}
}

/* ---- connections ---- */

void
tcp_set_state(struct gw_tcp_conn *c, uint8_t state)
{
	struct gw_tcp_stack *s = c->s;

	if (c->state == GW_TCP_SYN_RECEIVED && (c->flags & CF_PASSIVE))
		s->half_open--;
	if (state == GW_TCP_SYN_RECEIVED && (c->flags & CF_PASSIVE))
		s->half_open++;
	c->state = state;
}

struct gw_tcp_conn *
tcp_conn_alloc(struct gw_tcp_stack *s, const struct gw_tcp_key *k, hash_sig_t sig)
{
	struct gw_tcp_conn *c;
	uint32_t idx;

	/* No reaping here: a caller up the stack may still look at a zombie. */
	if (s->n_free == 0)
		return NULL;
	idx = s->free_idx[s->n_free - 1];
	c = &s->conns[idx];
	memset(c, 0, sizeof(*c));
	c->key = *k;
	if (rte_hash_add_key_with_hash_data(s->h, &c->key, sig, c) < 0)
		return NULL;
	s->n_free--;
	c->idx = idx;
	c->s = s;
	c->state = GW_TCP_CLOSED;
	gw_timer_init(&c->tm);
	s->n_conns++;
	return c;
}

/* Everything the connection gets from the stack's parameters at creation. */
void
tcp_conn_init_params(struct gw_tcp_conn *c)
{
	struct gw_tcp_stack *s = c->s;

	c->rcv_buf = s->p.rcv_buf;
	c->rto_ms = s->p.rto_init_ms;
	c->mss = 536;
	c->rcv_mss = 536;
	c->snd_wnd = 0;
	c->last_rx_ms = s->now_ms;
	c->last_send_ms = s->now_ms;
}

static void
tw_unlink(struct gw_tcp_conn *c)
{
	struct gw_tcp_stack *s = c->s;

	if (c->tw_prev != NULL)
		c->tw_prev->tw_next = c->tw_next;
	else
		s->tw_head = c->tw_next;
	if (c->tw_next != NULL)
		c->tw_next->tw_prev = c->tw_prev;
	else
		s->tw_tail = c->tw_prev;
	c->tw_next = c->tw_prev = NULL;
	s->n_time_wait--;
}

/* (Re)start 2 MSL: to the tail of the TIME-WAIT list. */
void
tcp_time_wait_restart(struct gw_tcp_conn *c)
{
	struct gw_tcp_stack *s = c->s;

	if (c->tw_prev != NULL || s->tw_head == c)
		tw_unlink(c);
	c->t_keep = s->now_us + (uint64_t)s->p.time_wait_ms * 1000;
	c->tw_prev = s->tw_tail;
	c->tw_next = NULL;
	if (s->tw_tail != NULL)
		s->tw_tail->tw_next = c;
	else
		s->tw_head = c;
	s->tw_tail = c;
	s->n_time_wait++;
}

/*
 * 2 MSL are over. An application that kept the connection paused with data
 * or EOF unread for all that time still holds it: it hears EV_CLOSED now,
 * ETIMEDOUT, the unread data lost.
 */
void
tcp_time_wait_expire(struct gw_tcp_conn *c)
{
	if (c->flags & CF_CLOSE_PENDING)
		tcp_notify(c, GW_TCP_EV_CLOSED, ETIMEDOUT);
	tcp_conn_destroy(c);
}

/* Remove from the table now; the slot returns to the free list at the next reap. */
void
tcp_conn_destroy(struct gw_tcp_conn *c)
{
	struct gw_tcp_stack *s = c->s;

	if (c->flags & CF_DEAD)
		return;
	if (c->state == GW_TCP_SYN_RECEIVED && (c->flags & CF_PASSIVE))
		s->half_open--;
	if (c->state == GW_TCP_TIME_WAIT)
		tw_unlink(c);
	c->state = GW_TCP_CLOSED;
	c->flags |= CF_DEAD | CF_DETACHED;
	gw_timer_cancel(&c->tm);
	conn_release_bufs(c);
	rte_hash_del_key(s->h, &c->key);
	s->n_conns--;
	c->znext = s->zombies;
	s->zombies = c;
}

/* Tell the application; EV_CLOSED also detaches it. */
void
tcp_notify(struct gw_tcp_conn *c, enum gw_tcp_event ev, int err)
{
	const struct gw_tcp_conn_ops *ops = c->ops;

	if (c->flags & CF_DETACHED)
		return;
	if (ev == GW_TCP_EV_CLOSED)
		c->flags |= CF_DETACHED;
	if (ops != NULL && ops->on_event != NULL)
		ops->on_event(c, c->ctx, ev, err);
}

/* The connection ends with an error the application must hear about. */
void
tcp_conn_reset_by_peer(struct gw_tcp_conn *c, int err)
{
	if (c->state == GW_TCP_ESTABLISHED || c->state == GW_TCP_CLOSE_WAIT)
		TCP_CNT(c->s, tcp_estab_resets);
	tcp_notify(c, GW_TCP_EV_CLOSED, err);
	tcp_conn_destroy(c);
}

void
tcp_enter_time_wait(struct gw_tcp_conn *c)
{
	tcp_set_state(c, GW_TCP_TIME_WAIT);
	/* Nothing more goes out or comes in but a retransmitted FIN. */
	tcp_chain_free(c->sq_head);
	c->sq_head = c->sq_tail = c->sq_cur = NULL;
	c->t_rtx = 0;
	c->t_delack = 0;
	c->flags &= ~CF_PERSIST;
	gw_timer_cancel(&c->tm);
	tcp_time_wait_restart(c);
	/* Data the paused application has not taken, and its EOF, come first. */
	if (c->rq_head != NULL || (c->flags & CF_EOF_PENDING))
		c->flags |= CF_CLOSE_PENDING;
	else
		tcp_notify(c, GW_TCP_EV_CLOSED, 0);
}

int
tcp_find_listener(struct gw_tcp_stack *s, int family, const uint8_t *addr, uint16_t port)
{
	static const uint8_t any[16];
	unsigned int i, alen = family == AF_INET ? 4 : 16;
	int wild = -1;

	for (i = 0; i < s->n_lis; i++) {
		const struct gw_tcp_listener *l = &s->lis[i];

		if (!l->used || l->a.family != family || l->a.port != port)
			continue;
		if (memcmp(l->a.ip, addr, alen) == 0)
			return (int)i;
		if (memcmp(l->a.ip, any, alen) == 0)
			wild = (int)i;
	}
	return wild;
}

/* ---- timers ---- */

/* Arm the wheel at the earliest deadline. A later one is left armed: the handler re-checks. */
void
tcp_timer_update(struct gw_tcp_conn *c)
{
	uint64_t next = UINT64_MAX;

	if (c->state == GW_TCP_TIME_WAIT)
		return;         /* on the TIME-WAIT list, not the wheel */
	if (c->t_rtx != 0)
		next = c->t_rtx;
	if (c->t_delack != 0 && c->t_delack < next)
		next = c->t_delack;
	if (c->t_keep != 0 && c->t_keep < next)
		next = c->t_keep;
	if (next == UINT64_MAX)
		return;
	if (!gw_timer_armed(&c->tm) || next < c->tm.expire)
		gw_timer_arm(c->s->wheel, &c->tm, next);
}

static uint32_t
cur_rto_ms(const struct gw_tcp_conn *c)
{
	uint64_t rto = (uint64_t)c->rto_ms << c->backoff;

	return rto > c->s->p.rto_max_ms ? c->s->p.rto_max_ms : (uint32_t)rto;
}

/* (Re)start the retransmission timer for what is outstanding (RFC 6298 5.1, 5.3). */
void
tcp_set_rtx(struct gw_tcp_conn *c)
{
	c->t_rtx = c->s->now_us + (uint64_t)cur_rto_ms(c) * 1000;
	tcp_timer_update(c);
}

void
tcp_rtt_sample(struct gw_tcp_conn *c, uint32_t rtt_ms)
{
	uint32_t r = rtt_ms * 1000, rto, var4;

	if (c->srtt_us == 0) {
		c->srtt_us = r ? r : 1;
		c->rttvar_us = r / 2;
	} else {
		uint32_t d = c->srtt_us > r ? c->srtt_us - r : r - c->srtt_us;

		c->rttvar_us = c->rttvar_us - c->rttvar_us / 4 + d / 4;
		c->srtt_us = c->srtt_us - c->srtt_us / 8 + r / 8;
		if (c->srtt_us == 0)
			c->srtt_us = 1;
	}
	/* RTO = SRTT + max(G, 4 RTTVAR), G = the 1 ms tick. */
	var4 = RTE_MAX(4 * c->rttvar_us, 1000u);
	rto = (c->srtt_us + var4 + 999) / 1000;
	if (rto < c->s->p.rto_min_ms)
		rto = c->s->p.rto_min_ms;
	c->rto_ms = RTE_MIN(rto, c->s->p.rto_max_ms);
	c->backoff = 0;
}

static void
rtx_timeout(struct gw_tcp_conn *c)
{
	struct gw_tcp_stack *s = c->s;
	uint32_t limit;

	if (c->flags & CF_PERSIST) {
		if (c->snd_una == c->snd_end) {
			c->flags &= ~CF_PERSIST;
			return;
		}
		if (c->snd_wnd != 0) {
			/* A window too small for the SWS rules: the override timeout (3.8.6.2.1). */
			c->flags &= ~CF_PERSIST;
			tcp_sws_override(c);
			return;
		}
		tcp_persist_probe(c);
		if (c->backoff < 16)
			c->backoff++;
		tcp_set_rtx(c);
		return;
	}
	if (c->snd_una == c->snd_max && c->state != GW_TCP_SYN_SENT &&
			c->state != GW_TCP_SYN_RECEIVED)
		return;
	limit = c->state == GW_TCP_SYN_SENT ? s->p.syn_retries :
		c->state == GW_TCP_SYN_RECEIVED ? s->p.synack_retries : s->p.data_retries;
	if (c->retries >= limit) {
		TCP_CNT(s, tcp_timeouts);
		if (c->state == GW_TCP_SYN_RECEIVED && (c->flags & CF_PASSIVE)) {
			tcp_conn_destroy(c);
			return;
		}
		if (c->state == GW_TCP_SYN_SENT)
			TCP_CNT(s, tcp_attempt_fails);
		else
			tcp_send_rst_conn(c);
		tcp_notify(c, GW_TCP_EV_CLOSED, ETIMEDOUT);
		tcp_conn_destroy(c);
		return;
	}
	c->retries++;
	if (c->backoff < 16)
		c->backoff++;
	TCP_CNT(s, tcp_rto);
	if (c->state == GW_TCP_SYN_SENT || c->state == GW_TCP_SYN_RECEIVED) {
		c->retransmits++;
		TCP_CNT(s, tcp_retransmits);
	}
	if (c->state == GW_TCP_SYN_SENT) {
		c->flags |= CF_SYN_RETX;
		tcp_send_syn(c);
		tcp_set_rtx(c);
		return;
	}
	if (c->state == GW_TCP_SYN_RECEIVED) {
		c->flags |= CF_SYN_RETX;
		tcp_send_synack(c);
		tcp_set_rtx(c);
		return;
	}
	/* RFC 5681 §3.1 eq. 4 once per episode; RFC 6582: recover = highest sent. */
	if (c->retries == 1)
		gw_tcp_cc_on_rto(&c->cc, tcp_flight(c), c->mss, s->now_ms);
	else
		c->cc.cwnd = c->mss;
	c->flags &= ~(CF_IN_RECOVERY | CF_RTT_TIMING);
	c->recover = c->snd_max;
	c->dupacks = 0;
	gw_tcp_sb_reset(&c->sb);
	c->high_rxt = c->snd_una;
	/* Go back to the first unacknowledged byte. */
	c->snd_nxt = c->snd_una;
	c->sq_cur = NULL;
	tcp_retransmit_una(c);
	tcp_set_rtx(c);
}

static void
keep_timeout(struct gw_tcp_conn *c)
{
	struct gw_tcp_stack *s = c->s;

	if (c->state == GW_TCP_TIME_WAIT) {
		tcp_time_wait_expire(c);
		return;
	}
	if (c->state == GW_TCP_FIN_WAIT_2 && (c->flags & CF_DETACHED)) {
		/* Orphaned FIN-WAIT-2 gives up (Linux tcp_fin_timeout). */
		tcp_conn_destroy(c);
		return;
	}
	/* Keepalive runs while we may still receive: ESTABLISHED and a half-closed FIN-WAIT-2. */
	if (!(c->flags & CF_KEEPALIVE) || (c->state != GW_TCP_ESTABLISHED &&
			c->state != GW_TCP_FIN_WAIT_2)) {
		c->t_keep = 0;
		return;
	}
	if ((uint32_t)(s->now_ms - c->last_rx_ms) < s->p.keepalive_idle_ms && c->probes == 0) {
		c->t_keep = (uint64_t)(c->last_rx_ms + s->p.keepalive_idle_ms - s->now_ms) * 1000 +
			s->now_us;
		return;
	}
	if (c->probes >= s->p.keepalive_probes) {
		TCP_CNT(s, tcp_timeouts);
		tcp_send_rst_conn(c);
		tcp_notify(c, GW_TCP_EV_CLOSED, ETIMEDOUT);
		tcp_conn_destroy(c);
		return;
	}
	c->probes++;
	tcp_keepalive_probe(c);
	c->t_keep = s->now_us + (uint64_t)s->p.keepalive_intvl_ms * 1000;
}

static void
conn_timer(struct gw_timer *t, void *arg)
{
	struct gw_tcp_conn *c = container_of(t, struct gw_tcp_conn, tm);
	uint64_t now = ((struct gw_tcp_stack *)arg)->now_us;

	if (c->flags & CF_DEAD)
		return;
	if (c->t_delack != 0 && c->t_delack <= now) {
		c->t_delack = 0;
		if (c->unacked != 0 || (c->flags & CF_ACK_NOW)) {
			TCP_CNT(c->s, tcp_delayed_acks);
			tcp_send_ack(c);
		}
	}
	if (c->t_rtx != 0 && c->t_rtx <= now) {
		c->t_rtx = 0;
		rtx_timeout(c);
		if (c->flags & CF_DEAD)
			return;
	}
	if (c->t_keep != 0 && c->t_keep <= now) {
		c->t_keep = 0;
		keep_timeout(c);
		if (c->flags & CF_DEAD)
			return;
	}
	tcp_timer_update(c);
}

void
gw_tcp_stack_advance(struct gw_tcp_stack *s, uint64_t now_us)
{
	if (now_us < s->now_us)
		return;
	s->now_us = now_us;
	s->now_ms = (uint32_t)(now_us / 1000);
	gw_timer_wheel_run(s->wheel, now_us, conn_timer, s);
	while (s->tw_head != NULL && s->tw_head->t_keep <= now_us)
		tcp_time_wait_expire(s->tw_head);
	tcp_reap(s);
}

/* ---- receive side helpers ---- */

/*
 * The window to advertise: the free receive space, at most what the field
 * can say, and never a right edge left of the one advertised (no
 * shrinking). Receiver SWS avoidance (RFC 9293 3.8.6.2.2): the edge moves
 * only when RCV.BUFF - RCV.USER - RCV.WND reaches min(RCV.BUFF / 2, MSS).
 */
uint32_t
tcp_rcv_window(struct gw_tcp_conn *c)
{
	uint32_t used = c->rq_bytes + c->ooo_bytes;
	uint32_t free_space = used >= c->rcv_buf ? 0 : c->rcv_buf - used;
	uint32_t max_win = 65535u << c->rcv_ws;
	uint32_t cur = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t avail = RTE_MIN(free_space, max_win);

	if (avail > cur && free_space - RTE_MIN(cur, free_space) >=
			RTE_MIN((uint32_t)c->rcv_mss, c->rcv_buf / 2))
		return avail;
	return cur;
}

/* In-order payload: to the application, or onto the paused queue. Consumes @m. */
void
tcp_deliver(struct gw_tcp_conn *c, struct rte_mbuf *m)
{
	if (c->flags & CF_DETACHED) {
		rte_pktmbuf_free(m);
		return;
	}
	if (!(c->flags & CF_PAUSED) && c->rq_head == NULL) {
		if (c->ops != NULL && c->ops->on_data != NULL)
			c->ops->on_data(c, c->ctx, m);
		else
			rte_pktmbuf_free(m);
		return;
	}
	if (c->rq_head == NULL) {
		c->rq_head = m;
	} else {
		c->rq_tail->next = m;
		c->rq_head->nb_segs += m->nb_segs;
		c->rq_head->pkt_len += m->pkt_len;
	}
	c->rq_bytes += m->pkt_len;
	c->rq_tail = rte_pktmbuf_lastseg(m);
}

/* @acked bytes at the head of the send queue are acknowledged: free them. */
void
tcp_sq_ack(struct gw_tcp_conn *c, uint32_t acked)
{
	struct rte_mbuf *m;

	while (acked > 0 && (m = c->sq_head) != NULL) {
		if (acked < m->data_len) {
			m->data_off += (uint16_t)acked;
			m->data_len -= (uint16_t)acked;
			break;
		}
		acked -= m->data_len;
		c->sq_head = m->next;
		if (c->sq_cur == m)
			c->sq_cur = NULL;
		m->next = NULL;
		m->nb_segs = 1;
		rte_pktmbuf_free_seg(m);
	}
	if (c->sq_head == NULL) {
		c->sq_tail = NULL;
		c->sq_cur = NULL;
	}
	if (c->sq_cur != NULL && SEQ_LT(c->sq_cur_seq, c->snd_una))
		c->sq_cur = NULL;
}

/* ---- application API ---- */

int
gw_tcp_listen(struct gw_tcp_stack *s, const struct gw_tcp_addr *local,
	gw_tcp_accept_fn accept, void *arg)
{
	unsigned int i, free_slot = GW_TCP_MAX_LISTEN;

	if (local == NULL || accept == NULL || local->port == 0 ||
			(local->family != AF_INET && local->family != AF_INET6))
		return -EINVAL;
	for (i = 0; i < s->n_lis; i++) {
		if (!s->lis[i].used) {
			if (free_slot == GW_TCP_MAX_LISTEN)
				free_slot = i;
			continue;
		}
		if (s->lis[i].a.family == local->family && s->lis[i].a.port == local->port &&
				memcmp(s->lis[i].a.ip, local->ip, 16) == 0)
			return -EEXIST;
	}
	if (free_slot == GW_TCP_MAX_LISTEN) {
		if (s->n_lis == GW_TCP_MAX_LISTEN)
			return -ENOSPC;
		free_slot = s->n_lis++;
	}
	s->lis[free_slot].a = *local;
	s->lis[free_slot].accept = accept;
	s->lis[free_slot].arg = arg;
	s->lis[free_slot].used = true;
	return 0;
}

int
gw_tcp_unlisten(struct gw_tcp_stack *s, const struct gw_tcp_addr *local)
{
	unsigned int i;

	for (i = 0; i < s->n_lis; i++) {
		if (s->lis[i].used && s->lis[i].a.family == local->family &&
				s->lis[i].a.port == local->port &&
				memcmp(s->lis[i].a.ip, local->ip, 16) == 0) {
			s->lis[i].used = false;
			return 0;
		}
	}
	return -ENOENT;
}

static bool
key_taken(struct gw_tcp_stack *s, const struct gw_tcp_key *k, hash_sig_t *sig)
{
	*sig = rte_hash_hash(s->h, k);
	return rte_hash_lookup_with_hash(s->h, k, *sig) >= 0;
}

struct gw_tcp_conn *
gw_tcp_connect(struct gw_tcp_stack *s, const struct gw_tcp_addr *local,
	const struct gw_tcp_addr *remote, const struct gw_tcp_conn_ops *ops, void *ctx, int *err)
{
	struct gw_tcp_key k;
	struct gw_tcp_conn *c;
	struct gw_tcp_tuple t;
	unsigned int range, tries;
	hash_sig_t sig = 0;
	int dummy;

	if (err == NULL)
		err = &dummy;
	if (local == NULL || remote == NULL || local->family != remote->family ||
			(local->family != AF_INET && local->family != AF_INET6) || remote->port == 0) {
		*err = -EINVAL;
		return NULL;
	}
	memset(&k, 0, sizeof(k));
	k.family = local->family;
	memcpy(k.laddr, local->ip, 16);
	memcpy(k.raddr, remote->ip, 16);
	k.rport = remote->port;
	if (local->port != 0) {
		k.lport = local->port;
		if (key_taken(s, &k, &sig)) {
			*err = -EADDRINUSE;
			return NULL;
		}
	} else {
		/* Ports this worker owns (port % n == id), so replies come back to it. */
		range = (unsigned int)(s->port_hi - s->port_lo) + 1;
		for (tries = 0; tries < range; tries++) {
			uint16_t p = s->port_cursor;

			s->port_cursor = p >= s->port_hi ? s->port_lo : (uint16_t)(p + 1);
			if (p % s->n_workers != s->worker_id)
				continue;
			k.lport = p;
			if (!key_taken(s, &k, &sig))
				break;
		}
		if (tries == range) {
			*err = -EADDRNOTAVAIL;
			return NULL;
		}
	}
	c = tcp_conn_alloc(s, &k, sig);
	if (c == NULL) {
		TCP_CNT(s, drop_tcp_conn_full);
		*err = -ENOMEM;
		return NULL;
	}
	tcp_conn_init_params(c);
	c->ops = ops;
	c->ctx = ctx;
	t.family = k.family;
	memcpy(t.laddr, k.laddr, 16);
	memcpy(t.raddr, k.raddr, 16);
	t.lport = k.lport;
	t.rport = k.rport;
	c->iss = gw_tcp_isn_ts(s->key_isn, &t, s->now_us, &c->ts_offset);
	c->snd_una = c->iss;
	c->snd_nxt = c->iss + 1;
	c->snd_max = c->iss + 1;
	c->snd_end = c->iss + 1;
	c->recover = c->iss;
	c->mss = (uint16_t)(s->mtu - (k.family == AF_INET ? 40 : 60));
	tcp_set_state(c, GW_TCP_SYN_SENT);
	TCP_CNT(s, tcp_active_opens);
	tcp_send_syn(c);
	tcp_set_rtx(c);
	*err = 0;
	return c;
}

void
gw_tcp_conn_set_ops(struct gw_tcp_conn *c, const struct gw_tcp_conn_ops *ops, void *ctx)
{
	c->ops = ops;
	c->ctx = ctx;
}

static uint32_t
snd_queued(const struct gw_tcp_conn *c)
{
	return c->snd_end - c->snd_una;
}

uint32_t
gw_tcp_send_space(const struct gw_tcp_conn *c)
{
	uint32_t q = snd_queued(c);

	if ((c->flags & (CF_DETACHED | CF_FIN_QUEUED)) || c->state == GW_TCP_CLOSED)
		return 0;
	return q >= c->s->p.snd_buf ? 0 : c->s->p.snd_buf - q;
}

void
gw_tcp_want_space(struct gw_tcp_conn *c)
{
	c->flags |= CF_WANT_SENT;
}

int
gw_tcp_send(struct gw_tcp_conn *c, struct rte_mbuf *m)
{
	struct rte_mbuf *last;

	if (c->flags & (CF_FIN_QUEUED | CF_DETACHED))
		return (c->flags & CF_DETACHED) ? -ENOTCONN : -EPIPE;
	switch (c->state) {
	case GW_TCP_SYN_SENT:
	case GW_TCP_ESTABLISHED:
	case GW_TCP_CLOSE_WAIT:
		break;
	default:
		return -ENOTCONN;
	}
	/*
	 * All or nothing, but an empty queue takes any chain: a chain larger
	 * than snd_buf (a proxy forwards what it received, up to rcv_buf) would
	 * otherwise never fit.
	 */
	if (m->pkt_len > gw_tcp_send_space(c) && snd_queued(c) != 0) {
		c->flags |= CF_WANT_SENT;
		return -EAGAIN;
	}
	if (m->pkt_len == 0) {
		rte_pktmbuf_free(m);
		return 0;
	}
	last = rte_pktmbuf_lastseg(m);
	if (c->sq_tail == NULL)
		c->sq_head = m;
	else
		c->sq_tail->next = m;
	c->sq_tail = last;
	c->snd_end += m->pkt_len;
	if (c->state != GW_TCP_SYN_SENT)
		tcp_output(c);
	return 0;
}

void
gw_tcp_flush(struct gw_tcp_conn *c)
{
	if (c->state >= GW_TCP_ESTABLISHED && !(c->flags & CF_DEAD))
		tcp_output(c);
}

void
gw_tcp_pause(struct gw_tcp_conn *c)
{
	c->flags |= CF_PAUSED;
}

void
gw_tcp_resume(struct gw_tcp_conn *c)
{
	struct rte_mbuf *m;
	uint32_t before;

	if (!(c->flags & CF_PAUSED) || (c->flags & (CF_DEAD | CF_DETACHED)))
		return;
	c->flags &= ~CF_PAUSED;
	m = c->rq_head;
	before = c->rcv_adv - c->rcv_nxt;
	c->rq_head = c->rq_tail = NULL;
	c->rq_bytes = 0;
	if (m != NULL) {
		if (c->ops != NULL && c->ops->on_data != NULL)
			c->ops->on_data(c, c->ctx, m);
		else
			rte_pktmbuf_free(m);
	}
	if (c->flags & CF_DEAD)
		return;
	if ((c->flags & (CF_EOF_PENDING | CF_PAUSED)) == CF_EOF_PENDING && c->rq_head == NULL) {
		c->flags &= ~CF_EOF_PENDING;
		tcp_notify(c, GW_TCP_EV_EOF, 0);
		if (c->flags & CF_DEAD)
			return;
	}
	if ((c->flags & (CF_CLOSE_PENDING | CF_EOF_PENDING | CF_PAUSED)) == CF_CLOSE_PENDING) {
		c->flags &= ~CF_CLOSE_PENDING;
		tcp_notify(c, GW_TCP_EV_CLOSED, 0);
		return;
	}
	/* Window update once the window has opened noticeably (RFC 9293 3.8.6.2.2). */
	if (c->state >= GW_TCP_ESTABLISHED && c->state != GW_TCP_TIME_WAIT &&
			tcp_rcv_window(c) > before)
		tcp_send_ack(c);
}

int
gw_tcp_shutdown(struct gw_tcp_conn *c)
{
	if (c->flags & CF_DEAD)
		return -ENOTCONN;
	if (c->flags & CF_FIN_QUEUED)
		return 0;
	switch (c->state) {
	case GW_TCP_SYN_SENT:
	case GW_TCP_SYN_RECEIVED:
		c->flags |= CF_FIN_QUEUED;  /* sent once established */
		return 0;
	case GW_TCP_ESTABLISHED:
		c->flags |= CF_FIN_QUEUED;
		tcp_set_state(c, GW_TCP_FIN_WAIT_1);
		break;
	case GW_TCP_CLOSE_WAIT:
		c->flags |= CF_FIN_QUEUED;
		tcp_set_state(c, GW_TCP_LAST_ACK);
		break;
	default:
		return -ENOTCONN;
	}
	tcp_output(c);
	return 0;
}

void
gw_tcp_close(struct gw_tcp_conn *c)
{
	if (c->flags & CF_DEAD)
		return;
	if (c->rq_bytes != 0 || c->state == GW_TCP_SYN_SENT) {
		/* Unread data is lost: tell the peer (RFC 9293 3.10.4, RFC 2525 2.17). */
		gw_tcp_abort(c);
		return;
	}
	c->flags |= CF_DETACHED | CF_RCV_SHUT;
	c->ops = NULL;
	if (c->state == GW_TCP_ESTABLISHED || c->state == GW_TCP_CLOSE_WAIT ||
			c->state == GW_TCP_SYN_RECEIVED)
		gw_tcp_shutdown(c);
	if (c->state == GW_TCP_FIN_WAIT_2) {
		c->t_keep = c->s->now_us + (uint64_t)c->s->p.fin_wait2_ms * 1000;
		tcp_timer_update(c);
	}
}

void
gw_tcp_abort(struct gw_tcp_conn *c)
{
	if (c->flags & CF_DEAD)
		return;
	c->flags |= CF_DETACHED;
	c->ops = NULL;
	if (c->state != GW_TCP_SYN_SENT && c->state != GW_TCP_TIME_WAIT)
		tcp_send_rst_conn(c);
	tcp_conn_destroy(c);
}

void
gw_tcp_set_keepalive(struct gw_tcp_conn *c, bool on)
{
	if (on) {
		c->flags |= CF_KEEPALIVE;
		c->probes = 0;
		if (c->state == GW_TCP_ESTABLISHED) {
			c->t_keep = (uint64_t)c->last_rx_ms * 1000 +
				(uint64_t)c->s->p.keepalive_idle_ms * 1000;
			if (c->t_keep <= c->s->now_us)
				c->t_keep = c->s->now_us + 1000;
			tcp_timer_update(c);
		}
	} else {
		c->flags &= ~CF_KEEPALIVE;
		if (c->state == GW_TCP_ESTABLISHED)
			c->t_keep = 0;
	}
}

void
gw_tcp_conn_info(const struct gw_tcp_conn *c, struct gw_tcp_info *o)
{
	memset(o, 0, sizeof(*o));
	o->state = c->state;
	o->local.family = o->remote.family = c->key.family;
	memcpy(o->local.ip, c->key.laddr, 16);
	memcpy(o->remote.ip, c->key.raddr, 16);
	o->local.port = c->key.lport;
	o->remote.port = c->key.rport;
	o->snd_una = c->snd_una;
	o->snd_nxt = c->snd_nxt;
	o->snd_wnd = c->snd_wnd;
	o->rcv_nxt = c->rcv_nxt;
	o->rcv_wnd = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	o->cwnd = c->cc.cwnd;
	o->ssthresh = c->cc.ssthresh;
	o->srtt_us = c->srtt_us;
	o->rttvar_us = c->rttvar_us;
	o->rto_ms = cur_rto_ms(c);
	o->mss = c->mss;
	o->snd_wscale = c->snd_ws;
	o->rcv_wscale = c->rcv_ws;
	o->ts = c->ts_ok;
	o->sack = c->sack_ok;
	o->retransmits = c->retransmits;
	o->snd_queued = snd_queued(c);
	o->rcv_queued = c->rq_bytes;
	o->idle_ms = c->s->now_ms - c->last_rx_ms;
	o->backoff = c->backoff;
}

unsigned int
gw_tcp_stack_dump(const struct gw_tcp_stack *s, struct gw_tcp_info *out, unsigned int max)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i < s->max_conns && n < max; i++) {
		const struct gw_tcp_conn *c = &s->conns[i];

		if (c->state == GW_TCP_CLOSED || (c->flags & CF_DEAD))
			continue;
		gw_tcp_conn_info(c, &out[n++]);
	}
	return n;
}

uint32_t
gw_tcp_stack_time_wait(const struct gw_tcp_stack *s)
{
	return s->n_time_wait;
}
