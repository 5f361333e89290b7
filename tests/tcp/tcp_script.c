/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scripted segment tests of lib/tcp: each scripts/ *.pkt file is one cmocka
 * test that injects segments (gw_tcp_input), drives the virtual clock
 * (gw_tcp_stack_advance), calls the API as an application would and checks
 * every segment the stack sends and every callback it makes. The format is
 * in README.md.
 *
 * Usage: tcp_script DIR (every *.pkt in it, sorted) | tcp_script FILE...
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "gw_stats.h"
#include "gw_tcp.h"
#include "../unit/gw_test_eal.h"
#include "tcp_script.h"

#define T0_US 1000000000ULL             /* virtual clock at script start */
#define PEER_ISN 1000000u               /* absolute ISN of every scripted peer */
#define POOL_SIZE 4095
#define SEG_DATA 2048                   /* payload bytes per mbuf of chains we build */
#define MAX_FLOWS 8
#define MAX_CONNS 16
#define MAX_EVENTS 256
#define PKT_MAX 65600

enum ts_ev_type { TS_EV_ACCEPT, TS_EV_CONNECTED, TS_EV_DATA, TS_EV_EOF, TS_EV_SENT, TS_EV_CLOSED };

static const char *const ev_names[] = {
	"accept", "connected", "data", "eof", "sent", "closed",
};

/* One scripted peer: a 4-tuple and the sequence bases of its line numbers. */
struct ts_flow {
	uint16_t lport, rport;          /* lport 0: learned from the stack's SYN */
	bool isn_known;
	uint32_t isn;                   /* the stack's ISN (from its SYN or SYN-ACK) */
	uint32_t peer_base;             /* absolute peer sequence number of relative 0 */
	uint32_t peer_syn;              /* relative sequence of the peer's last SYN */
	bool ts_seen;
	uint32_t last_tsval;            /* last TSval the stack sent on this flow */
};

struct ts_ctx;

/* A connection the application holds. */
struct ts_conn {
	struct ts_ctx *x;
	struct gw_tcp_conn *c;
	int idx;
	int flow;
	bool live;                      /* callbacks allowed, handle valid */
	bool paused;
	uint64_t app_sent;              /* bytes of the application's stream queued */
	uint32_t rx_off;                /* peer pattern index of the next delivered byte */
};

struct ts_event {
	uint8_t type;
	int err;
	int conn;
	uint64_t bytes;
};

/* A segment the stack sent, decoded when captured. */
struct ts_cap {
	struct ts_cap *next;
	uint64_t t_us;                  /* script time it was sent */
	int flow;
	uint32_t isn, peer_base;        /* of its flow when it was sent */
	uint16_t sport, dport;
	char bad[200];                  /* header problem or "" */
	struct ts_seg seg;              /* absolute numbers */
	uint8_t *payload;
};

struct ts_ctx {
	const char *file;
	int line;
	char err[4096];
	char async_err[1024];
	int family;
	uint16_t mtu;
	struct gw_tcp_params params;
	struct rte_mempool *pool;
	struct gw_tcp_stack *stack;
	struct gw_stats stats;
	uint64_t now;                   /* microseconds since script start */
	uint64_t tol_us;
	uint16_t listen_port;
	bool refuse;
	bool ignore_rest;
	struct ts_flow flows[MAX_FLOWS];
	int n_flows, cur_flow;
	struct ts_conn conns[MAX_CONNS];
	int n_conns, cur_conn;
	struct ts_event ev[MAX_EVENTS];
	unsigned int ev_head, ev_n;
	struct ts_cap *cap_head, **cap_tail;
	uint8_t pkt[PKT_MAX];
};

static const uint8_t addr4_local[4] = { 192, 0, 2, 1 };
static const uint8_t addr4_remote[4] = { 192, 0, 2, 2 };
static const uint8_t addr6_local[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t addr6_remote[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static unsigned int pool_seq;

static int __rte_format_printf(2, 3)
ts_fail(struct ts_ctx *x, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (x->err[0] != '\0')
		return -1;
	n = snprintf(x->err, sizeof(x->err), "%s:%d: ", x->file, x->line);
	va_start(ap, fmt);
	vsnprintf(x->err + n, sizeof(x->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A problem seen inside a callback: reported after the current line. */
static void __rte_format_printf(2, 3)
async_fail(struct ts_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->async_err[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(x->async_err, sizeof(x->async_err), fmt, ap);
	va_end(ap);
}

static const uint8_t *
local_addr(const struct ts_ctx *x)
{
	return x->family == AF_INET ? addr4_local : addr6_local;
}

static const uint8_t *
remote_addr(const struct ts_ctx *x)
{
	return x->family == AF_INET ? addr4_remote : addr6_remote;
}

static size_t
addr_len(const struct ts_ctx *x)
{
	return x->family == AF_INET ? 4 : 16;
}

/* ---- flows and events ---- */

static int
flow_find(struct ts_ctx *x, uint16_t rport, uint16_t lport)
{
	for (int i = 0; i < x->n_flows; i++)
		if (x->flows[i].rport == rport && (lport == 0 || x->flows[i].lport == lport ||
				x->flows[i].lport == 0))
			return i;
	return -1;
}

static int
flow_add(struct ts_ctx *x, uint16_t rport, uint16_t lport)
{
	struct ts_flow *f;

	if (x->n_flows == MAX_FLOWS)
		return ts_fail(x, "too many flows (%d)", MAX_FLOWS);
	f = &x->flows[x->n_flows];
	memset(f, 0, sizeof(*f));
	f->rport = rport;
	f->lport = lport;
	f->peer_base = PEER_ISN;
	return x->n_flows++;
}

static uint16_t
flow_lport(const struct ts_ctx *x, const struct ts_flow *f)
{
	return f->lport != 0 ? f->lport : x->listen_port;
}

static void
ev_push(struct ts_ctx *x, uint8_t type, int conn, int err, uint64_t bytes)
{
	struct ts_event *e;

	if (type == TS_EV_DATA && x->ev_n > 0) {
		e = &x->ev[(x->ev_head + x->ev_n - 1) % MAX_EVENTS];
		if (e->type == TS_EV_DATA && e->conn == conn) {
			e->bytes += bytes;
			return;
		}
	}
	if (x->ev_n == MAX_EVENTS) {
		async_fail(x, "callback queue overflow");
		return;
	}
	e = &x->ev[(x->ev_head + x->ev_n) % MAX_EVENTS];
	e->type = type;
	e->conn = conn;
	e->err = err;
	e->bytes = bytes;
	x->ev_n++;
}

static const char *
err_name(int err)
{
	switch (err) {
	case 0: return "0";
	case ECONNRESET: return "ECONNRESET";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ENOMEM: return "ENOMEM";
	case EAGAIN: return "EAGAIN";
	case EPIPE: return "EPIPE";
	case ENOTCONN: return "ENOTCONN";
	case EINVAL: return "EINVAL";
	case EADDRINUSE: return "EADDRINUSE";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case EEXIST: return "EEXIST";
	case ENOSPC: return "ENOSPC";
	default: return "?";
	}
}

/* "0", "ECONNRESET", "-EAGAIN", ...: the value with its sign. */
static int
parse_err(const char *s, int *v)
{
	static const int known[] = { ECONNRESET, ECONNREFUSED, ETIMEDOUT, ENOMEM, EAGAIN, EPIPE,
		ENOTCONN, EINVAL, EADDRINUSE, EADDRNOTAVAIL, EEXIST, ENOSPC };
	int sign = 1;
	int64_t n;

	if (ts_parse_int(s, &n) == 0) {
		*v = (int)n;
		return 0;
	}
	if (*s == '-') {
		sign = -1;
		s++;
	}
	for (size_t i = 0; i < RTE_DIM(known); i++)
		if (strcmp(s, err_name(known[i])) == 0) {
			*v = sign * known[i];
			return 0;
		}
	return -1;
}

static void
format_event(const struct ts_event *e, char *buf, size_t len)
{
	if (e->type == TS_EV_DATA)
		snprintf(buf, len, "data %" PRIu64 " (conn %d)", e->bytes, e->conn);
	else if (e->type == TS_EV_CLOSED)
		snprintf(buf, len, "closed %s (conn %d)", err_name(e->err), e->conn);
	else
		snprintf(buf, len, "%s (conn %d)", ev_names[e->type], e->conn);
}

/* ---- callbacks ---- */

static void
cb_data(struct gw_tcp_conn *c, void *ctx, struct rte_mbuf *m)
{
	struct ts_conn *k = ctx;
	struct ts_ctx *x = k->x;
	uint64_t n = 0;
	uint32_t segs = 0;

	if (!k->live || k->c != c)
		async_fail(x, "on_data for conn %d after it was closed", k->idx);
	if (k->paused)
		async_fail(x, "on_data for conn %d while paused", k->idx);
	for (struct rte_mbuf *s = m; s != NULL; s = s->next) {
		const uint8_t *p = rte_pktmbuf_mtod(s, const uint8_t *);

		segs++;
		for (uint32_t i = 0; i < s->data_len; i++, n++) {
			uint8_t want = ts_peer_byte((uint32_t)(k->rx_off + n));

			if (p[i] != want) {
				async_fail(x, "conn %d: delivered byte %" PRIu64
					" (peer seq %u) is 0x%02x, want 0x%02x", k->idx, n,
					(uint32_t)(k->rx_off + n + 1), p[i], want);
				break;
			}
		}
	}
	if (n != m->pkt_len || segs != m->nb_segs)
		async_fail(x, "conn %d: delivered chain pkt_len %u nb_segs %u, segments hold %"
			PRIu64 " bytes in %u", k->idx, m->pkt_len, m->nb_segs, n, segs);
	if (n == 0)
		async_fail(x, "conn %d: on_data with no payload", k->idx);
	rte_pktmbuf_free(m);
	k->rx_off += (uint32_t)n;
	ev_push(x, TS_EV_DATA, k->idx, 0, n);
}

static void
cb_event(struct gw_tcp_conn *c, void *ctx, enum gw_tcp_event ev, int err)
{
	struct ts_conn *k = ctx;
	struct ts_ctx *x = k->x;
	static const uint8_t map[] = {
		[GW_TCP_EV_CONNECTED] = TS_EV_CONNECTED, [GW_TCP_EV_SENT] = TS_EV_SENT,
		[GW_TCP_EV_EOF] = TS_EV_EOF, [GW_TCP_EV_CLOSED] = TS_EV_CLOSED,
	};

	if (!k->live || k->c != c) {
		async_fail(x, "event %d for conn %d after it was closed", (int)ev, k->idx);
		return;
	}
	if ((unsigned int)ev >= RTE_DIM(map)) {
		async_fail(x, "unknown event %d", (int)ev);
		return;
	}
	if (ev == GW_TCP_EV_CONNECTED)
		k->rx_off = x->flows[k->flow].peer_syn;
	if (ev == GW_TCP_EV_CLOSED)
		k->live = false;
	ev_push(x, map[ev], k->idx, err, 0);
}

static const struct gw_tcp_conn_ops conn_ops = {
	.on_data = cb_data,
	.on_event = cb_event,
};

static struct ts_conn *
conn_new(struct ts_ctx *x, int flow)
{
	struct ts_conn *k;

	if (x->n_conns == MAX_CONNS)
		return NULL;
	k = &x->conns[x->n_conns];
	memset(k, 0, sizeof(*k));
	k->x = x;
	k->idx = x->n_conns;
	k->flow = flow;
	k->rx_off = flow >= 0 ? x->flows[flow].peer_syn : 0;
	return k;
}

static int
cb_accept(void *arg, struct gw_tcp_conn *c)
{
	struct ts_ctx *x = arg;
	struct gw_tcp_info info;
	struct ts_conn *k;
	int flow;

	gw_tcp_conn_info(c, &info);
	flow = flow_find(x, info.remote.port, info.local.port);
	if (x->refuse) {
		ev_push(x, TS_EV_ACCEPT, -1, 0, 0);
		return -ECONNREFUSED;
	}
	k = conn_new(x, flow);
	if (k == NULL || flow < 0) {
		async_fail(x, "accept: too many conns or unknown peer port %u", info.remote.port);
		return -ENOMEM;
	}
	k->c = c;
	k->live = true;
	x->n_conns++;
	x->cur_conn = k->idx;
	gw_tcp_conn_set_ops(c, &conn_ops, k);
	ev_push(x, TS_EV_ACCEPT, k->idx, 0, 0);
	return 0;
}

/* Decode what the stack sent into @cp; problems go to cp->bad. */
static void
decode_sent(struct ts_ctx *x, const uint8_t *p, uint32_t len, int family, const uint8_t *src,
	const uint8_t *dst, struct ts_cap *cp)
{
	size_t al = addr_len(x);
	const uint8_t *isrc, *idst, *tcp;
	uint32_t ihl, tlen, doff;

	if (family != x->family) {
		snprintf(cp->bad, sizeof(cp->bad), "family %d on a family %d script", family,
			x->family);
		return;
	}
	if (family == AF_INET) {
		if (len < 20 || p[0] >> 4 != 4 || (p[0] & 0xf) < 5 ||
				(uint32_t)(p[2] << 8 | p[3]) != len || p[9] != IPPROTO_TCP) {
			snprintf(cp->bad, sizeof(cp->bad), "bad IPv4 header (len %u)", len);
			return;
		}
		ihl = (p[0] & 0xfu) * 4;
		isrc = p + 12;
		idst = p + 16;
	} else {
		if (len < 40 || p[0] >> 4 != 6 || (uint32_t)(p[4] << 8 | p[5]) != len - 40 ||
				p[6] != IPPROTO_TCP) {
			snprintf(cp->bad, sizeof(cp->bad), "bad IPv6 header (len %u)", len);
			return;
		}
		ihl = 40;
		isrc = p + 8;
		idst = p + 24;
	}
	if (memcmp(isrc, src, al) != 0 || memcmp(idst, dst, al) != 0 ||
			memcmp(isrc, local_addr(x), al) != 0 || memcmp(idst, remote_addr(x), al) != 0) {
		snprintf(cp->bad, sizeof(cp->bad), "wrong IP addresses");
		return;
	}
	tcp = p + ihl;
	tlen = len - ihl;
	doff = tlen >= 20 ? (uint32_t)(tcp[12] >> 4) * 4 : 0;
	if (tlen < 20 || doff < 20 || doff > tlen) {
		snprintf(cp->bad, sizeof(cp->bad), "bad TCP header");
		return;
	}
	if (ts_l4_cksum(family, isrc, idst, tcp, tlen) != 0)
		snprintf(cp->bad, sizeof(cp->bad), "bad TCP checksum");
	cp->sport = (uint16_t)(tcp[0] << 8 | tcp[1]);
	cp->dport = (uint16_t)(tcp[2] << 8 | tcp[3]);
	cp->seg.seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 | (uint32_t)tcp[6] << 8 | tcp[7];
	cp->seg.ack = (uint32_t)tcp[8] << 24 | (uint32_t)tcp[9] << 16 | (uint32_t)tcp[10] << 8 |
		tcp[11];
	cp->seg.flags = tcp[13];
	cp->seg.has_ack = (cp->seg.flags & RTE_TCP_ACK_FLAG) != 0;
	cp->seg.win = (uint32_t)(tcp[14] << 8 | tcp[15]);
	cp->seg.has_win = true;
	if (ts_decode_opts(tcp + 20, doff - 20, &cp->seg.o) < 0 && cp->bad[0] == '\0')
		snprintf(cp->bad, sizeof(cp->bad), "malformed TCP options");
	cp->seg.len = tlen - doff;
	if (cp->seg.len > 0) {
		cp->payload = malloc(cp->seg.len);
		if (cp->payload != NULL)
			memcpy(cp->payload, tcp + doff, cp->seg.len);
	}
}

static int
cb_output(void *arg, struct rte_mbuf *m, int family, const uint8_t *src, const uint8_t *dst)
{
	struct ts_ctx *x = arg;
	struct ts_cap *cp = calloc(1, sizeof(*cp));
	uint32_t len = m->pkt_len, sum = 0;
	const void *data;
	int fl;

	if (cp == NULL) {
		rte_pktmbuf_free(m);
		return -ENOMEM;
	}
	cp->t_us = x->now;
	cp->flow = -1;
	for (struct rte_mbuf *s = m; s != NULL; s = s->next)
		sum += s->data_len;
	if (sum != len || len > PKT_MAX)
		snprintf(cp->bad, sizeof(cp->bad), "mbuf chain pkt_len %u, segments %u", len, sum);
	else if (rte_pktmbuf_headroom(m) < RTE_PKTMBUF_HEADROOM - 40)
		snprintf(cp->bad, sizeof(cp->bad), "only %u bytes of headroom",
			rte_pktmbuf_headroom(m));
	data = cp->bad[0] == '\0' ? rte_pktmbuf_read(m, 0, len, x->pkt) : NULL;
	if (data != NULL)
		decode_sent(x, data, len, family, src, dst, cp);
	else if (cp->bad[0] == '\0')
		snprintf(cp->bad, sizeof(cp->bad), "unreadable mbuf");
	rte_pktmbuf_free(m);
	fl = flow_find(x, cp->dport, cp->sport);
	if (fl >= 0) {
		struct ts_flow *f = &x->flows[fl];

		if ((cp->seg.flags & RTE_TCP_SYN_FLAG) != 0) {
			f->isn = cp->seg.seq;
			f->isn_known = true;
			if (f->lport == 0)
				f->lport = cp->sport;
		}
		if (cp->seg.o.has_ts) {
			f->ts_seen = true;
			f->last_tsval = cp->seg.o.tsval;
		}
		cp->flow = fl;
		cp->isn = f->isn_known ? f->isn : 0;
		cp->peer_base = f->peer_base;
	}
	*x->cap_tail = cp;
	x->cap_tail = &cp->next;
	return 0;
}

/* The captured segment with numbers relative to its flow, as a script would write it. */
static void
cap_relative(const struct ts_cap *cp, struct ts_seg *r)
{
	*r = cp->seg;
	r->seq -= cp->isn;
	r->ack -= cp->peer_base;
	for (uint8_t i = 0; i < r->o.n_sack; i++) {
		r->o.sack[i][0] -= cp->peer_base;
		r->o.sack[i][1] -= cp->peer_base;
	}
}

static void
format_cap(const struct ts_cap *cp, char *buf, size_t len)
{
	struct ts_seg r;
	size_t n;

	cap_relative(cp, &r);
	ts_format_seg(&r, buf, len);
	n = strlen(buf);
	if (n < len)
		snprintf(buf + n, len - n, " (%u > %u, sent at +%.3f%s%.*s)", cp->sport,
			cp->dport, cp->t_us / 1e6, cp->bad[0] != '\0' ? ", " : "",
			(int)sizeof(cp->bad), cp->bad);
}

static struct ts_cap *
cap_pop(struct ts_ctx *x)
{
	struct ts_cap *cp = x->cap_head;

	if (cp != NULL) {
		x->cap_head = cp->next;
		if (x->cap_head == NULL)
			x->cap_tail = &x->cap_head;
	}
	return cp;
}

static void
cap_free(struct ts_cap *cp)
{
	if (cp != NULL) {
		free(cp->payload);
		free(cp);
	}
}

/* ---- stack, clock, mbufs ---- */

static int
ensure_stack(struct ts_ctx *x)
{
	struct gw_tcp_conf conf;
	static const uint8_t secret[32] = "tcp_script fixed secret 0123456";
	char name[RTE_MEMPOOL_NAMESIZE];

	if (x->stack != NULL)
		return 0;
	snprintf(name, sizeof(name), "tcps%u", pool_seq++);
	x->pool = rte_pktmbuf_pool_create(name, POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
		SOCKET_ID_ANY);
	if (x->pool == NULL)
		return ts_fail(x, "mempool: %s", rte_strerror(rte_errno));
	memset(&conf, 0, sizeof(conf));
	conf.n_workers = 1;
	conf.pool = x->pool;
	conf.max_conns = 64;
	conf.mtu = x->mtu;
	conf.output = cb_output;
	conf.output_arg = x;
	conf.stats = &x->stats;
	conf.secret = secret;
	conf.socket = SOCKET_ID_ANY;
	conf.now_us = T0_US + x->now;
	conf.params = x->params;
	x->stack = gw_tcp_stack_create(&conf);
	if (x->stack == NULL)
		return ts_fail(x, "gw_tcp_stack_create failed");
	return 0;
}

/* Move the clock to @t (script µs) in 1 ms steps so every timer fires at its time. */
static void
advance_to(struct ts_ctx *x, uint64_t t)
{
	while (x->now < t) {
		x->now += RTE_MIN((uint64_t)1000, t - x->now);
		if (x->stack != NULL)
			gw_tcp_stack_advance(x->stack, T0_US + x->now);
	}
}

/* A chain of @n bytes (SEG_DATA per mbuf) filled by @fn from pattern index @off; @head bytes reserved. */
static struct rte_mbuf *
make_chain(struct ts_ctx *x, const uint8_t *hdr, uint32_t hlen, uint32_t n, uint64_t off,
	uint8_t (*fn)(uint64_t))
{
	struct rte_mbuf *head = NULL;
	uint32_t done = 0;

	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(x->pool);
		uint32_t room = SEG_DATA, chunk;
		uint8_t *p;

		if (m == NULL)
			goto nomem;
		if (head == NULL && hlen > 0) {
			p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)hlen);
			memcpy(p, hdr, hlen);
			room -= hlen;
		}
		chunk = RTE_MIN(room, n - done);
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)chunk);
		if (p == NULL && chunk > 0) {
			rte_pktmbuf_free(m);
			goto nomem;
		}
		for (uint32_t i = 0; i < chunk; i++)
			p[i] = fn(off + done + i);
		done += chunk;
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			goto nomem;
		}
	} while (done < n);
	return head;
nomem:
	rte_pktmbuf_free(head);
	return NULL;
}

static uint8_t
peer_byte64(uint64_t i)
{
	return ts_peer_byte((uint32_t)i);
}

static uint8_t
app_byte64(uint64_t i)
{
	return ts_app_byte(i);
}

/* ---- commands ---- */

static struct ts_conn *
cur_conn(struct ts_ctx *x)
{
	struct ts_conn *k;

	if (x->cur_conn < 0 || x->cur_conn >= x->n_conns) {
		ts_fail(x, "no connection");
		return NULL;
	}
	k = &x->conns[x->cur_conn];
	if (!k->live) {
		ts_fail(x, "conn %d is closed", k->idx);
		return NULL;
	}
	return k;
}

static int
cmd_in(struct ts_ctx *x, char **tok, int ntok)
{
	struct ts_flow *f = &x->flows[x->cur_flow];
	uint8_t hdr[60 + 60], opts[40];
	struct ts_seg s;
	char e[200];
	size_t olen, iphl = x->family == AF_INET ? 20 : 40;
	uint8_t *tcp = hdr + iphl;
	uint32_t tlen, hlen, syn, seq_rel;
	uint16_t lport = flow_lport(x, f), ck;
	struct rte_mbuf *m;

	if (ts_parse_seg(tok, ntok, &s, false, e, sizeof(e)) < 0)
		return ts_fail(x, "%s", e);
	if (lport == 0)
		return ts_fail(x, "no local port: listen first or use \"port R L\"");
	syn = (s.flags & RTE_TCP_SYN_FLAG) != 0;
	seq_rel = s.seq;
	if (syn)
		f->peer_syn = seq_rel;
	s.seq += f->peer_base;
	if (s.has_ack)
		s.ack += f->isn_known ? f->isn : 0;
	for (uint8_t i = 0; i < s.o.n_sack; i++) {
		s.o.sack[i][0] += f->isn;
		s.o.sack[i][1] += f->isn;
	}
	if (s.o.has_ts && s.o.tsecr_any) {
		if (!f->ts_seen)
			return ts_fail(x, "\"ecr *\": the stack sent no timestamp yet");
		s.o.tsecr = f->last_tsval;
	}
	olen = ts_build_opts(&s.o, opts);
	if (olen > 40)
		return ts_fail(x, "options longer than 40 bytes");
	hlen = (uint32_t)(iphl + 20 + olen);
	tlen = (uint32_t)(20 + olen) + s.len;
	memset(hdr, 0, sizeof(hdr));
	if (x->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)hdr;

		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + tlen));
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		memcpy(&ip->src_addr, remote_addr(x), 4);
		memcpy(&ip->dst_addr, local_addr(x), 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		hdr[0] = 0x60;
		hdr[4] = (uint8_t)(tlen >> 8);
		hdr[5] = (uint8_t)tlen;
		hdr[6] = IPPROTO_TCP;
		hdr[7] = 64;
		memcpy(hdr + 8, remote_addr(x), 16);
		memcpy(hdr + 24, local_addr(x), 16);
	}
	tcp[0] = (uint8_t)(f->rport >> 8);
	tcp[1] = (uint8_t)f->rport;
	tcp[2] = (uint8_t)(lport >> 8);
	tcp[3] = (uint8_t)lport;
	for (int k = 0; k < 4; k++) {
		tcp[4 + k] = (uint8_t)(s.seq >> (24 - 8 * k));
		tcp[8 + k] = (uint8_t)(s.has_ack ? s.ack >> (24 - 8 * k) : 0);
	}
	tcp[12] = (uint8_t)(((20 + olen) / 4) << 4);
	tcp[13] = s.flags;
	s.win = s.has_win ? s.win : 65535;
	tcp[14] = (uint8_t)(s.win >> 8);
	tcp[15] = (uint8_t)s.win;
	memcpy(tcp + 20, opts, olen);
	/* checksum over a flat copy: header + generated payload */
	memcpy(x->pkt, tcp, 20 + olen);
	for (uint32_t j = 0; j < s.len; j++)
		x->pkt[20 + olen + j] = ts_peer_byte(seq_rel + j - 1 + syn);
	ck = ts_l4_cksum(x->family, remote_addr(x), local_addr(x), x->pkt, tlen);
	if (s.badcsum)
		ck ^= 0x5a5a;
	tcp[16] = (uint8_t)(ck >> 8);
	tcp[17] = (uint8_t)ck;
	m = make_chain(x, hdr, hlen, s.len, (uint32_t)(seq_rel - 1 + syn), peer_byte64);
	if (m == NULL)
		return ts_fail(x, "out of mbufs building a segment");
	gw_tcp_input(x->stack, m, x->family, 0, (uint16_t)iphl, (uint16_t)tlen);
	return 0;
}

static int
cmd_out(struct ts_ctx *x, char **tok, int ntok)
{
	struct ts_flow *f = &x->flows[x->cur_flow];
	struct ts_cap *cp;
	struct ts_seg s, r;
	char e[200], a[600], b[600], why[100];
	const char *res;
	int rc = 0;

	if (ntok == 1 && strcmp(tok[0], "none") == 0) {
		if (x->cap_head == NULL)
			return 0;
		format_cap(x->cap_head, b, sizeof(b));
		return ts_fail(x, "expected no segment, got %s", b);
	}
	if (ts_parse_seg(tok, ntok, &s, true, e, sizeof(e)) < 0)
		return ts_fail(x, "%s", e);
	ts_format_seg(&s, a, sizeof(a));
	cp = cap_pop(x);
	if (cp == NULL)
		return ts_fail(x, "expected %s, the stack sent nothing", a);
	format_cap(cp, b, sizeof(b));
	cap_relative(cp, &r);
	if (cp->bad[0] != '\0')
		rc = ts_fail(x, "expected %s, got %s: %s", a, b, cp->bad);
	else if (cp->dport != f->rport || cp->sport != flow_lport(x, f))
		rc = ts_fail(x, "expected %s on ports %u > %u, got %s", a, flow_lport(x, f), f->rport,
			b);
	else if ((res = ts_compare_seg(&s, &r, why, sizeof(why))) != NULL)
		rc = ts_fail(x, "expected %s, got %s: %s", a, b, res);
	else if (x->now - cp->t_us > x->tol_us)
		rc = ts_fail(x, "expected %s at +%.3f, it was sent early: %s", a, x->now / 1e6, b);
	for (uint32_t j = 0; rc == 0 && j < r.len; j++) {
		uint64_t idx = (uint32_t)(r.seq + j - 1 + ((r.flags & RTE_TCP_SYN_FLAG) != 0));

		if (cp->payload == NULL || cp->payload[j] != ts_app_byte(idx))
			rc = ts_fail(x, "%s: payload byte %u (stream offset %" PRIu64
				") is not the application's data", b, j, idx);
	}
	cap_free(cp);
	return rc;
}

static int
cmd_listen(struct ts_ctx *x, char **tok, int ntok)
{
	struct gw_tcp_addr a;
	int64_t port;
	int rc;

	if (ntok < 1 || ts_parse_int(tok[0], &port) < 0 || port <= 0 || port > 65535)
		return ts_fail(x, "usage: listen PORT [refuse]");
	x->refuse = ntok > 1 && strcmp(tok[1], "refuse") == 0;
	memset(&a, 0, sizeof(a));
	a.family = (uint8_t)x->family;
	memcpy(a.ip, local_addr(x), addr_len(x));
	a.port = (uint16_t)port;
	rc = gw_tcp_listen(x->stack, &a, cb_accept, x);
	if (rc != 0)
		return ts_fail(x, "gw_tcp_listen: %d", rc);
	x->listen_port = (uint16_t)port;
	return 0;
}

/* "-> VALUE" at @tok[i]: parses into @want (default 0). */
static int
parse_ret(struct ts_ctx *x, char **tok, int ntok, int i, int *want)
{
	*want = 0;
	if (i >= ntok)
		return 0;
	if (strcmp(tok[i], "->") != 0 || i + 2 != ntok || parse_err(tok[i + 1], want) < 0)
		return ts_fail(x, "expected \"-> VALUE\" at \"%s\"", tok[i]);
	return 0;
}

static int
cmd_connect(struct ts_ctx *x, char **tok, int ntok)
{
	struct gw_tcp_addr l, r;
	struct ts_conn *k;
	int64_t port, lport = 0;
	int i = 1, want, err = 0, fl;

	if (ntok < 1 || ts_parse_int(tok[0], &port) < 0 || port <= 0 || port > 65535)
		return ts_fail(x, "usage: connect PORT [from LPORT] [-> ERR]");
	if (ntok > 2 && strcmp(tok[1], "from") == 0) {
		if (ts_parse_int(tok[2], &lport) < 0 || lport < 0 || lport > 65535)
			return ts_fail(x, "bad local port");
		i = 3;
	}
	if (parse_ret(x, tok, ntok, i, &want) < 0)
		return -1;
	fl = flow_add(x, (uint16_t)port, (uint16_t)lport);
	if (fl < 0)
		return -1;
	x->cur_flow = fl;
	memset(&l, 0, sizeof(l));
	memset(&r, 0, sizeof(r));
	l.family = r.family = (uint8_t)x->family;
	memcpy(l.ip, local_addr(x), addr_len(x));
	memcpy(r.ip, remote_addr(x), addr_len(x));
	l.port = (uint16_t)lport;
	r.port = (uint16_t)port;
	k = conn_new(x, fl);
	if (k == NULL)
		return ts_fail(x, "too many conns");
	k->live = true;
	k->c = gw_tcp_connect(x->stack, &l, &r, &conn_ops, k, &err);
	if (k->c == NULL) {
		if (err != want)
			return ts_fail(x, "connect returned %d, want %d", err, want);
		return 0;
	}
	if (want != 0)
		return ts_fail(x, "connect succeeded, want %d", want);
	x->cur_conn = x->n_conns++;
	return 0;
}

static int
cmd_app(struct ts_ctx *x, char **tok, int ntok)
{
	struct ts_conn *k = cur_conn(x);
	int want, rc;

	if (k == NULL || ntok < 1)
		return k == NULL ? -1 : ts_fail(x, "usage: app ACTION");
	if (strcmp(tok[0], "send") == 0) {
		int64_t n;
		struct rte_mbuf *m;

		if (ntok < 2 || ts_parse_int(tok[1], &n) < 0 || n < 0 || n > (1 << 24))
			return ts_fail(x, "usage: app send N [-> RET]");
		if (parse_ret(x, tok, ntok, 2, &want) < 0)
			return -1;
		m = make_chain(x, NULL, 0, (uint32_t)n, k->app_sent, app_byte64);
		if (m == NULL)
			return ts_fail(x, "out of mbufs for app send");
		rc = gw_tcp_send(k->c, m);
		if (rc == 0)
			k->app_sent += (uint64_t)n;
		else
			rte_pktmbuf_free(m);
		if (rc != want)
			return ts_fail(x, "gw_tcp_send returned %d (%s), want %d", rc, err_name(-rc),
				want);
		return 0;
	}
	if (strcmp(tok[0], "shutdown") == 0) {
		if (parse_ret(x, tok, ntok, 1, &want) < 0)
			return -1;
		rc = gw_tcp_shutdown(k->c);
		if (rc != want)
			return ts_fail(x, "gw_tcp_shutdown returned %d, want %d", rc, want);
		return 0;
	}
	if (ntok != 1 && strcmp(tok[0], "keepalive") != 0)
		return ts_fail(x, "unexpected \"%s\"", tok[1]);
	if (strcmp(tok[0], "close") == 0) {
		k->live = false;
		gw_tcp_close(k->c);
	} else if (strcmp(tok[0], "abort") == 0) {
		k->live = false;
		gw_tcp_abort(k->c);
	} else if (strcmp(tok[0], "pause") == 0) {
		k->paused = true;
		gw_tcp_pause(k->c);
	} else if (strcmp(tok[0], "resume") == 0) {
		k->paused = false;
		gw_tcp_resume(k->c);
	} else if (strcmp(tok[0], "flush") == 0) {
		gw_tcp_flush(k->c);
	} else if (strcmp(tok[0], "keepalive") == 0 && ntok == 2) {
		gw_tcp_set_keepalive(k->c, strcmp(tok[1], "on") == 0);
	} else {
		return ts_fail(x, "unknown app action \"%s\"", tok[0]);
	}
	return 0;
}

static const char *const state_names[] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
	"FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

/* "OP VALUE" or "VALUE" at tok[i]; compares @got. */
static int
check_num(struct ts_ctx *x, const char *what, char **tok, int ntok, int i, uint64_t got)
{
	const char *op = "==";
	int64_t v;
	bool ok;

	if (i + 1 < ntok)
		op = tok[i++];
	if (i + 1 != ntok)
		return ts_fail(x, "expected [OP] VALUE after %s", what);
	if (strcmp(tok[i], "max") == 0)
		v = UINT32_MAX;
	else if (ts_parse_int(tok[i], &v) < 0)
		return ts_fail(x, "bad number \"%s\"", tok[i]);
	if (strcmp(op, "==") == 0)
		ok = (int64_t)got == v;
	else if (strcmp(op, "!=") == 0)
		ok = (int64_t)got != v;
	else if (strcmp(op, "<") == 0)
		ok = (int64_t)got < v;
	else if (strcmp(op, "<=") == 0)
		ok = (int64_t)got <= v;
	else if (strcmp(op, ">") == 0)
		ok = (int64_t)got > v;
	else if (strcmp(op, ">=") == 0)
		ok = (int64_t)got >= v;
	else
		return ts_fail(x, "bad operator \"%s\"", op);
	if (!ok)
		return ts_fail(x, "expected %s %s %" PRId64 ", got %" PRIu64, what, op, v, got);
	return 0;
}

static int
info_field(struct ts_ctx *x, struct ts_conn *k, const char *name, uint64_t *v)
{
	const struct ts_flow *f = &x->flows[k->flow];
	struct gw_tcp_info i;

	gw_tcp_conn_info(k->c, &i);
#define F(n, e) do { if (strcmp(name, n) == 0) { *v = (e); return 0; } } while (0)
	F("state", i.state);
	F("snd_una", (uint32_t)(i.snd_una - f->isn));
	F("snd_nxt", (uint32_t)(i.snd_nxt - f->isn));
	F("rcv_nxt", (uint32_t)(i.rcv_nxt - f->peer_base));
	F("snd_wnd", i.snd_wnd);
	F("rcv_wnd", i.rcv_wnd);
	F("cwnd", i.cwnd);
	F("ssthresh", i.ssthresh);
	F("srtt_us", i.srtt_us);
	F("rttvar_us", i.rttvar_us);
	F("rto_ms", i.rto_ms);
	F("mss", i.mss);
	F("snd_wscale", i.snd_wscale);
	F("rcv_wscale", i.rcv_wscale);
	F("ts", i.ts);
	F("sack", i.sack);
	F("retransmits", i.retransmits);
	F("snd_queued", i.snd_queued);
	F("rcv_queued", i.rcv_queued);
	F("send_space", gw_tcp_send_space(k->c));
#undef F
	return ts_fail(x, "unknown info field \"%s\"", name);
}

static int
expect_event(struct ts_ctx *x, char **tok, int ntok)
{
	static const char *const simple[] = { "accept", "connected", NULL, "eof", "sent" };
	struct ts_event got, want;
	char a[100], b[100];
	int64_t n;

	memset(&want, 0, sizeof(want));
	want.conn = -2;
	if (strcmp(tok[0], "data") == 0 && ntok == 2 && ts_parse_int(tok[1], &n) == 0 && n > 0) {
		want.type = TS_EV_DATA;
		want.bytes = (uint64_t)n;
	} else if (strcmp(tok[0], "closed") == 0 && ntok == 2 && parse_err(tok[1], &want.err) == 0) {
		want.type = TS_EV_CLOSED;
		want.err = abs(want.err);
	} else {
		size_t i;

		for (i = 0; i < RTE_DIM(simple); i++)
			if (simple[i] != NULL && strcmp(tok[0], simple[i]) == 0)
				break;
		if (i == RTE_DIM(simple) || ntok != 1)
			return ts_fail(x, "unknown expectation \"%s\"", tok[0]);
		want.type = (uint8_t)i;
	}
	format_event(&want, a, sizeof(a));
	*strstr(a, " (conn") = '\0';
	if (x->ev_n == 0)
		return ts_fail(x, "expected callback %s, got none", a);
	got = x->ev[x->ev_head];
	x->ev_head = (x->ev_head + 1) % MAX_EVENTS;
	x->ev_n--;
	format_event(&got, b, sizeof(b));
	if (got.type != want.type || got.err != want.err ||
			(want.type == TS_EV_DATA && got.bytes != want.bytes))
		return ts_fail(x, "expected callback %s, got %s", a, b);
	return 0;
}

static int
cmd_expect(struct ts_ctx *x, char **tok, int ntok)
{
	struct ts_conn *k;
	uint64_t v = 0;

	if (ntok < 1)
		return ts_fail(x, "usage: expect WHAT");
	if (strcmp(tok[0], "none") == 0) {
		char b[100];

		if (x->ev_n == 0)
			return 0;
		format_event(&x->ev[x->ev_head], b, sizeof(b));
		return ts_fail(x, "expected no callback, got %s", b);
	}
	if (strcmp(tok[0], "counter") == 0 && ntok >= 3) {
		int id = gw_stats_lookup(tok[1]);

		if (id < 0)
			return ts_fail(x, "unknown counter %s", tok[1]);
		return check_num(x, tok[1], tok, ntok, 2, gw_stats_read(&x->stats, (enum gw_cnt)id));
	}
	if (strcmp(tok[0], "conns") == 0)
		return check_num(x, "conns", tok, ntok, 1, gw_tcp_stack_conns(x->stack));
	if (strcmp(tok[0], "half-open") == 0)
		return check_num(x, "half-open", tok, ntok, 1, gw_tcp_stack_half_open(x->stack));
	if (strcmp(tok[0], "state") == 0 && ntok == 2) {
		char want[32];
		size_t i;
		struct gw_tcp_info info;

		snprintf(want, sizeof(want), "%s", tok[1]);
		for (char *p = want; *p != '\0'; p++)
			*p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
		for (i = 0; i < RTE_DIM(state_names); i++)
			if (strcmp(want, state_names[i]) == 0)
				break;
		if (i == RTE_DIM(state_names))
			return ts_fail(x, "unknown state %s", tok[1]);
		if (i == GW_TCP_CLOSED && (x->cur_conn < 0 || x->cur_conn >= x->n_conns ||
				!x->conns[x->cur_conn].live)) {
			if (gw_tcp_stack_conns(x->stack) != 0)
				return ts_fail(x, "expected CLOSED (no conn), stack holds %u",
					gw_tcp_stack_conns(x->stack));
			return 0;
		}
		k = cur_conn(x);
		if (k == NULL)
			return -1;
		gw_tcp_conn_info(k->c, &info);
		if (info.state != i)
			return ts_fail(x, "expected state %s, got %s", state_names[i],
				info.state < RTE_DIM(state_names) ? state_names[info.state] : "?");
		return 0;
	}
	if ((strcmp(tok[0], "info") == 0 && ntok >= 3) || (strcmp(tok[0], "cwnd") == 0)) {
		bool cw = strcmp(tok[0], "cwnd") == 0;

		k = cur_conn(x);
		if (k == NULL || info_field(x, k, cw ? "cwnd" : tok[1], &v) < 0)
			return -1;
		return check_num(x, cw ? "cwnd" : tok[1], tok, ntok, cw ? 1 : 2, v);
	}
	return expect_event(x, tok, ntok);
}

static const struct {
	const char *name;
	size_t off;
	char type;                      /* 'u' uint32, 'b' bool, 'c' cc */
} param_table[] = {
#define PU(n) { #n, offsetof(struct gw_tcp_params, n), 'u' }
#define PB(n) { #n, offsetof(struct gw_tcp_params, n), 'b' }
	PU(rcv_buf), PU(snd_buf), PU(init_cwnd), PU(rto_init_ms), PU(rto_min_ms), PU(rto_max_ms),
	PU(delack_ms), PU(syn_retries), PU(synack_retries), PU(data_retries), PU(fin_wait2_ms),
	PU(time_wait_ms), PU(keepalive_idle_ms), PU(keepalive_intvl_ms), PU(keepalive_probes),
	PU(syn_backlog), PU(challenge_ack_limit), PB(nagle), PB(sack), PB(timestamps),
	PB(window_scaling), PB(syncookies), { "cc", offsetof(struct gw_tcp_params, cc), 'c' },
#undef PU
#undef PB
};

static int
cmd_param(struct ts_ctx *x, char **tok, int ntok)
{
	int64_t v = 0;
	size_t i;

	if (ntok != 2)
		return ts_fail(x, "usage: param NAME VALUE");
	for (i = 0; i < RTE_DIM(param_table); i++)
		if (strcmp(tok[0], param_table[i].name) == 0)
			break;
	if (i == RTE_DIM(param_table))
		return ts_fail(x, "unknown param %s", tok[0]);
	if (param_table[i].type == 'c') {
		if (strcmp(tok[1], "cubic") == 0)
			v = GW_TCP_CC_CUBIC;
		else if (strcmp(tok[1], "newreno") == 0)
			v = GW_TCP_CC_NEWRENO;
		else
			return ts_fail(x, "cc is cubic or newreno");
		x->params.cc = (uint8_t)v;
	} else {
		if (ts_parse_int(tok[1], &v) < 0 || v < 0 || v > UINT32_MAX ||
				(param_table[i].type == 'b' && v > 1))
			return ts_fail(x, "bad value for %s", tok[0]);
		if (param_table[i].type == 'b')
			*(bool *)((char *)&x->params + param_table[i].off) = v != 0;
		else
			*(uint32_t *)((char *)&x->params + param_table[i].off) = (uint32_t)v;
	}
	if (x->stack != NULL)
		gw_tcp_stack_set_params(x->stack, &x->params);
	return 0;
}

/* "+S" / "@S" into script microseconds; 1: not a time. */
static int
parse_time(struct ts_ctx *x, const char *s, uint64_t *t)
{
	char *end;
	double d;

	if (s[0] != '+' && s[0] != '@')
		return 1;
	d = strtod(s + 1, &end);
	if (*end != '\0' || !(d >= 0) || d > 1e7)
		return ts_fail(x, "bad time \"%s\"", s);
	*t = (uint64_t)(d * 1e6 + 0.5) + (s[0] == '+' ? x->now : 0);
	if (*t < x->now)
		return ts_fail(x, "time %s is in the past (now +%.3f)", s, x->now / 1e6);
	return 0;
}

static int
run_line(struct ts_ctx *x, char **tok, int ntok)
{
	uint64_t t = 0;
	int rc;

	rc = parse_time(x, tok[0], &t);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		tok++;
		ntok--;
		if (x->stack == NULL && ensure_stack(x) < 0)
			return -1;
		advance_to(x, t);
		if (ntok == 0)
			return 0;
	}
	if (strcmp(tok[0], "family") == 0 || strcmp(tok[0], "mtu") == 0) {
		int64_t v;

		if (x->stack != NULL)
			return ts_fail(x, "%s must come before the first event", tok[0]);
		if (ntok != 2 || ts_parse_int(tok[1], &v) < 0)
			return ts_fail(x, "usage: %s N", tok[0]);
		if (tok[0][0] == 'f' && (v == 4 || v == 6))
			x->family = v == 4 ? AF_INET : AF_INET6;
		else if (tok[0][0] == 'm' && v >= 68 && v <= 9216)
			x->mtu = (uint16_t)v;
		else
			return ts_fail(x, "bad %s", tok[0]);
		return 0;
	}
	if (strcmp(tok[0], "param") == 0)
		return cmd_param(x, tok + 1, ntok - 1);
	if (strcmp(tok[0], "tolerance") == 0) {
		int64_t v;

		if (ntok != 2 || ts_parse_int(tok[1], &v) < 0 || v < 0)
			return ts_fail(x, "usage: tolerance MS");
		x->tol_us = (uint64_t)v * 1000;
		return 0;
	}
	if (strcmp(tok[0], "ignore-rest") == 0) {
		x->ignore_rest = true;
		return 0;
	}
	if (ensure_stack(x) < 0)
		return -1;
	if (strcmp(tok[0], "in") == 0)
		return cmd_in(x, tok + 1, ntok - 1);
	if (strcmp(tok[0], "out") == 0)
		return cmd_out(x, tok + 1, ntok - 1);
	if (strcmp(tok[0], "app") == 0)
		return cmd_app(x, tok + 1, ntok - 1);
	if (strcmp(tok[0], "expect") == 0)
		return cmd_expect(x, tok + 1, ntok - 1);
	if (strcmp(tok[0], "listen") == 0)
		return cmd_listen(x, tok + 1, ntok - 1);
	if (strcmp(tok[0], "connect") == 0)
		return cmd_connect(x, tok + 1, ntok - 1);
	if (strcmp(tok[0], "conn") == 0) {
		int64_t v;

		if (ntok != 2 || ts_parse_int(tok[1], &v) < 0 || v < 0 || v >= x->n_conns)
			return ts_fail(x, "usage: conn INDEX (0..%d)", x->n_conns - 1);
		x->cur_conn = (int)v;
		return 0;
	}
	if (strcmp(tok[0], "port") == 0) {
		int64_t r, l = 0;
		int fl;

		if ((ntok != 2 && ntok != 3) || ts_parse_int(tok[1], &r) < 0 || r <= 0 ||
				r > 65535 || (ntok == 3 && (ts_parse_int(tok[2], &l) < 0 ||
				l <= 0 || l > 65535)))
			return ts_fail(x, "usage: port REMOTE [LOCAL]");
		if (l == 0)
			l = x->listen_port;
		fl = flow_find(x, (uint16_t)r, (uint16_t)l);
		if (fl < 0 || (l != 0 && x->flows[fl].lport != l && x->flows[fl].lport != 0))
			fl = flow_add(x, (uint16_t)r, (uint16_t)l);
		if (fl < 0)
			return -1;
		if (x->flows[fl].lport == 0)
			x->flows[fl].lport = (uint16_t)l;
		x->cur_flow = fl;
		return 0;
	}
	return ts_fail(x, "unknown command \"%s\"", tok[0]);
}

/* Release everything; with @check, report leftovers and leaked mbufs. */
static int
finish(struct ts_ctx *x, bool check)
{
	struct ts_cap *cp;
	int rc = 0;

	if (check && !x->ignore_rest) {
		char b[600];

		if (x->cap_head != NULL) {
			format_cap(x->cap_head, b, sizeof(b));
			rc = ts_fail(x, "end of script: unexpected segment %s", b);
		} else if (x->ev_n > 0) {
			format_event(&x->ev[x->ev_head], b, sizeof(b));
			rc = ts_fail(x, "end of script: unexpected callback %s", b);
		}
	}
	while ((cp = cap_pop(x)) != NULL)
		cap_free(cp);
	if (x->stack != NULL)
		gw_tcp_stack_free(x->stack);
	x->stack = NULL;
	/* anything sent during free (it must not send) is a failure too */
	if (x->cap_head != NULL && check && rc == 0)
		rc = ts_fail(x, "end of script: gw_tcp_stack_free sent a segment");
	while ((cp = cap_pop(x)) != NULL)
		cap_free(cp);
	if (x->pool != NULL) {
		unsigned int avail = rte_mempool_avail_count(x->pool);

		if (check && rc == 0 && avail != x->pool->size)
			rc = ts_fail(x, "end of script: %u mbufs leaked", x->pool->size - avail);
		rte_mempool_free(x->pool);
		x->pool = NULL;
	}
	return rc;
}

static int
run_script(struct ts_ctx *x, const char *path)
{
	char line[1024], *tok[TS_MAX_TOK];
	FILE *fp = fopen(path, "r");
	int rc = 0;

	x->file = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	x->family = AF_INET;
	x->mtu = 1500;
	x->tol_us = 1000;
	x->cap_tail = &x->cap_head;
	x->cur_conn = -1;
	gw_tcp_params_default(&x->params);
	if (fp == NULL)
		return ts_fail(x, "cannot open: %s", strerror(errno));
	if (flow_add(x, 40000, 0) < 0) {
		fclose(fp);
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), fp) != NULL) {
		int ntok;

		x->line++;
		ntok = ts_tokenize(line, tok, TS_MAX_TOK);
		if (ntok < 0)
			rc = ts_fail(x, "cannot tokenize the line");
		else if (ntok > 0)
			rc = run_line(x, tok, ntok);
		if (rc == 0 && x->async_err[0] != '\0')
			rc = ts_fail(x, "%s", x->async_err);
	}
	fclose(fp);
	if (rc == 0 && x->stack == NULL)
		rc = ts_fail(x, "empty script");
	x->line++;
	if (rc == 0)
		rc = finish(x, true);
	else
		finish(x, false);
	return rc;
}

static void
test_script(void **state)
{
	const char *path = *state;
	struct ts_ctx *x = calloc(1, sizeof(*x));
	char err[sizeof(x->err)];

	assert_non_null(x);
	if (run_script(x, path) < 0) {
		snprintf(err, sizeof(err), "%s", x->err);
		free(x);
		fail_msg("%s", err);
	}
	free(x);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
list_add(char ***list, size_t *n, char *p)
{
	char **l = p != NULL ? realloc(*list, (*n + 1) * sizeof(**list)) : NULL;

	if (l == NULL) {
		free(p);
		return -1;
	}
	*list = l;
	l[(*n)++] = p;
	return 0;
}

/* Append @path, or the sorted *.pkt files of directory @path, to @list. */
static int
collect(const char *path, char ***list, size_t *n)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	size_t first = *n;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "tcp_script: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return list_add(list, n, strdup(path));
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char *p;

		if (l < 5 || strcmp(de->d_name + l - 4, ".pkt") != 0)
			continue;
		p = malloc(strlen(path) + l + 2);
		if (p != NULL)
			sprintf(p, "%s/%s", path, de->d_name);
		if (list_add(list, n, p) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	qsort(*list + first, *n - first, sizeof(**list), cmp_str);
	return 0;
}

int
main(int argc, char **argv)
{
	char **paths = NULL;
	size_t n = 0;
	struct CMUnitTest *tests;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR | FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (collect(argv[i], &paths, &n) < 0)
			return 2;
	if (n == 0) {
		fprintf(stderr, "tcp_script: no scripts\n");
		return 2;
	}
	if (gw_test_eal_init(1) < 0) {
		fprintf(stderr, "tcp_script: EAL init failed\n");
		return 1;
	}
	tests = calloc(n, sizeof(*tests));
	if (tests == NULL)
		return 1;
	for (size_t i = 0; i < n; i++) {
		tests[i].name = strrchr(paths[i], '/') != NULL ? strrchr(paths[i], '/') + 1 : paths[i];
		tests[i].test_func = test_script;
		tests[i].initial_state = paths[i];
	}
	rc = _cmocka_run_group_tests("tcp_scripts", tests, n, NULL, NULL);
	free(tests);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return rc;
}
