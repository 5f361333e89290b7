/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_tcp: the application. Its calls into the stack (what they may
 * return), its callbacks (when they may come, what they deliver) and its
 * handles. The format and the oracles are described in fuzz_tcp.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>

#include "gw_tcp.h"

#include "fuzz_tcp.h"

struct app *
app_new(struct gw_tcp_conn *c)
{
	struct app *a;

	if (fz.n_apps == MAX_APPS)
		return NULL;
	a = &fz.apps[fz.n_apps++];
	memset(a, 0, sizeof(*a));
	a->c = c;
	a->live = true;
	a->react = fz.react_default;
	return a;
}

/* Where the handle's connection is: its 4-tuple in our terms. */
void
app_learn_tuple(struct app *a)
{
	struct gw_tcp_info info;
	int p, l;

	gw_tcp_conn_info(a->c, &info);
	a->family = info.local.family;
	a->lport = info.local.port;
	l = local_of(info.local.family, info.local.ip);
	p = peer_of(info.remote.family, info.remote.ip, info.remote.port);
	CHECK(l >= 0 && p >= 0);
	a->alt = l == 1;
	a->peer = (uint8_t)p;
}

/* A callback about @a arrives: it must be allowed now. */
static void
cb_check(struct app *a, struct gw_tcp_conn *c, bool from_resume_ok)
{
	CHECK(!fz.in_free);
	CHECK(a >= fz.apps && a < fz.apps + fz.n_apps);
	/* No callback after EV_CLOSED / close / abort. */
	CHECK(a->live);
	CHECK(a->c == c);
	if (fz.api != API_NONE)
		CHECK(from_resume_ok && fz.api == API_RESUME);
}

void
app_close(struct app *a)
{
	a->live = false;
	a->shut = true;
	API(gw_tcp_close(a->c));
}

void
app_abort(struct app *a)
{
	a->live = false;
	API(gw_tcp_abort(a->c));
}

void
app_pause(struct app *a)
{
	a->paused = true;
	API(gw_tcp_pause(a->c));
}

void
app_resume(struct app *a)
{
	enum api_call saved = fz.api;

	a->paused = false;
	fz.api = API_RESUME;
	gw_tcp_resume(a->c);
	fz.api = saved;
}

void
app_shutdown(struct app *a)
{
	bool was;
	int rc;

	/* Set before the call: the FIN goes out from inside it. */
	was = a->shut;
	a->shut = true;
	API(rc = gw_tcp_shutdown(a->c));
	CHECK(rc == 0 || rc == -ENOTCONN);
	if (rc != 0)
		a->shut = was;
}

void
app_keepalive(struct app *a)
{
	a->keepalive = !a->keepalive;
	API(gw_tcp_set_keepalive(a->c, a->keepalive));
	API(gw_tcp_flush(a->c));
	a->want_sent = true;
	API(gw_tcp_want_space(a->c));
}

NO_COV static void
fill_out(uint8_t *d, uint32_t n, uint32_t seq)
{
	uint32_t j;

	for (j = 0; j < n; j++)
		d[j] = pat_out(seq + j);
}

NO_COV void
fill_in(uint8_t *d, uint32_t n, uint32_t seq)
{
	uint32_t j;

	for (j = 0; j < n; j++)
		d[j] = pat_in(seq + j);
}

/* Queue @len bytes as a chain of @chunk-byte mbufs. */
void
app_send(struct app *a, uint32_t len, uint32_t chunk)
{
	struct rte_mbuf *head = NULL, *last = NULL;
	uint32_t done = 0, seq = a->tx_base + a->tx_off;
	int rc;

	/* At most SEND_SEGS mbufs of at most MAX_FRAME bytes. */
	len = RTE_MIN(len, (uint32_t)SEND_SEGS * MAX_FRAME);
	if (len > SEND_SEGS * chunk)
		chunk = (len + SEND_SEGS - 1) / SEND_SEGS;
	do {
		uint16_t n = (uint16_t)RTE_MIN(len - done, chunk);
		struct rte_mbuf *m = buf_mbuf(NULL, n);

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return;
		}
		fill_out(rte_pktmbuf_mtod(m, uint8_t *), n, seq + done);
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		last = m;
		done += n;
	} while (done < len);
	/* Counted before the call: the stack sends from inside it. */
	a->tx_off += len;
	API(rc = gw_tcp_send(a->c, head));
	if (rc == 0) {
		/* Not after shutdown/close (-EPIPE). */
		CHECK(!a->shut);
		return;
	}
	a->tx_off -= len;
	CHECK(rc == -EAGAIN || rc == -EPIPE || rc == -ENOTCONN);
	if (rc == -EAGAIN)
		a->want_sent = true;
	if (rc == -EPIPE)
		CHECK(a->shut);
	rte_pktmbuf_free(head);
}

/* The chain is the next bytes of the peer's stream, and consistent. */
NO_COV static void
rx_verify(struct app *a, const struct rte_mbuf *m)
{
	const struct rte_mbuf *seg;
	uint32_t len = 0;
	uint16_t nb = 0;

	for (seg = m; seg != NULL; seg = seg->next) {
		const uint8_t *d = rte_pktmbuf_mtod(seg, const uint8_t *);
		uint16_t j;

		for (j = 0; j < seg->data_len; j++) {
			uint32_t seq = a->rx_base + a->rx_off;

			if (d[j] != pat_in(seq)) {
				fprintf(stderr,
					"fuzz_tcp: stream byte %u (seq %u) is %u, want %u\n",
					a->rx_off, seq, d[j], pat_in(seq));
				CHECK(!"delivered data is the peer's stream in order");
			}
			a->rx_off++;
		}
		len += seg->data_len;
		nb++;
	}
	CHECK(len == m->pkt_len);
	CHECK(nb == m->nb_segs);
}

static void
on_data(struct gw_tcp_conn *c, void *ctx, struct rte_mbuf *m)
{
	struct app *a = ctx;

	cb_check(a, c, true);
	CHECK(a->rx_known);
	CHECK(!a->paused);
	CHECK(!a->eof);
	CHECK(m != NULL && m->pkt_len > 0);
	rx_verify(a, m);
	rte_pktmbuf_free(m);
	if (a->react & R_DATA_ABORT) {
		app_abort(a);
		return;
	}
	if (a->react & R_DATA_CLOSE) {
		app_close(a);
		return;
	}
	if (a->react & R_DATA_SEND)
		app_send(a, 100, 100);
	if ((a->react & R_DATA_PAUSE) && a->live)
		app_pause(a);
}

static void
on_event(struct gw_tcp_conn *c, void *ctx, enum gw_tcp_event ev, int err)
{
	struct app *a = ctx;
	struct gw_tcp_info info;

	cb_check(a, c, ev == GW_TCP_EV_EOF || ev == GW_TCP_EV_CLOSED);
	if (fz.verbose)
		fprintf(stderr, "  app %u: event %d err %d\n", (unsigned int)(a - fz.apps), ev,
			err);
	switch (ev) {
	case GW_TCP_EV_CONNECTED:
		CHECK(a->active && !a->connected);
		a->connected = true;
		gw_tcp_conn_info(c, &info);
		CHECK(info.state >= GW_TCP_ESTABLISHED);
		a->rx_known = true;
		a->rx_base = info.rcv_nxt;
		if (a->react & R_CONN_SEND)
			app_send(a, 500, 128);
		break;
	case GW_TCP_EV_SENT:
		CHECK(a->want_sent);
		a->want_sent = false;
		if (a->react & R_SENT_SEND)
			app_send(a, 3000, 1000);
		break;
	case GW_TCP_EV_EOF:
		CHECK(!a->eof);
		CHECK(a->rx_known);
		a->eof = true;
		if (a->react & R_EOF_CLOSE) {
			app_close(a);
		} else if (a->react & R_EOF_SHUT) {
			app_send(a, 10, 10);
			if (a->live)
				app_shutdown(a);
		}
		break;
	case GW_TCP_EV_CLOSED:
		CHECK(err == 0 || err == ECONNRESET || err == ECONNREFUSED || err == ETIMEDOUT ||
			err == ENOMEM);
		a->live = false;
		break;
	default:
		CHECK(!"an event gw_tcp.h does not list");
	}
}

const struct gw_tcp_conn_ops app_ops = {on_data, on_event};

int
on_accept(void *arg, struct gw_tcp_conn *c)
{
	struct gw_tcp_info info;
	struct app *a;

	(void)arg;
	CHECK(!fz.in_free);
	CHECK(fz.api == API_NONE);
	gw_tcp_conn_info(c, &info);
	CHECK(info.state >= GW_TCP_ESTABLISHED && info.state != GW_TCP_TIME_WAIT);
	if (fz.accept_mode == 1)
		return -1;
	a = app_new(c);
	if (a == NULL)
		return -1;
	app_learn_tuple(a);
	a->rx_known = true;
	a->rx_base = info.rcv_nxt;
	a->tx_base = info.snd_una;
	gw_tcp_conn_set_ops(c, &app_ops, a);
	switch (fz.accept_mode) {
	case 2:
		app_close(a);
		break;
	case 3:
		app_abort(a);
		break;
	case 4:
		app_send(a, 2000, 1000);
		break;
	case 5:
		app_shutdown(a);
		break;
	case 6:
		app_pause(a);
		break;
	case 7:
		app_keepalive(a);
		break;
	default:
		break;
	}
	return 0;
}

/* The K-th live handle (K modulo how many), or NULL. */
NO_COV struct app *
app_pick(unsigned int k)
{
	unsigned int i, n = 0;

	for (i = 0; i < fz.n_apps; i++)
		n += fz.apps[i].live;
	if (n == 0)
		return NULL;
	k %= n;
	for (i = 0; i < fz.n_apps; i++) {
		if (!fz.apps[i].live)
			continue;
		if (k-- == 0)
			return &fz.apps[i];
	}
	return NULL;
}

/* The newest handle (live or not) of a tuple: whose data the stack sends there. */
NO_COV struct app *
app_by_tuple(int family, bool alt, uint16_t lport, unsigned int peer)
{
	unsigned int i;

	for (i = fz.n_apps; i-- > 0;) {
		struct app *a = &fz.apps[i];

		if (!a->stale && a->family == family && a->alt == alt && a->lport == lport &&
			a->peer == peer)
			return a;
	}
	return NULL;
}
