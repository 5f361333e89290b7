/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpgw-tcp-echo: a small application on dpgw's TCP stack, for lab tests and
 * benchmarks against Linux peers.
 *
 *   dpgw-tcp-echo -c FILE [--connect ADDR:PORT [--conns N] [--count K]
 *                 [--bytes B]] [--max-conns N] [--keepalive] [-- EAL options]
 *
 * Same configuration, ports, workers, L2/L3 services and admin socket as
 * dpgw. Every worker's stack serves, on every port address (IPv4 and IPv6):
 *  - echo (RFC 862) on TCP port 7: received mbufs are sent back as they are
 *    (zero copy); when the send queue is full the connection stops reading
 *    (its window closes) until the stack reports space again; the peer's FIN
 *    is answered by ours once everything is echoed;
 *  - discard (RFC 863) on TCP port 9.
 * With --connect, worker 0 also acts as a client: K connections (N at a
 * time) to ADDR:PORT, each sending B bytes of a fixed pattern, then a FIN,
 * and reading until the server closes. It prints one line per run:
 *   client: conns=K ok=.. failed=.. sent=.. received=.. [sha256_sent=.. sha256_received=..]
 * (hashes of the first connection's two streams) and exits 0 when every
 * connection closed cleanly.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <openssl/evp.h>

#include <rte_malloc.h>

#include "app.h"
#include "gw_l3.h"
#include "gw_tcp.h"

#define PORT_ECHO 7
#define PORT_DISCARD 9
#define CHUNK 2048

enum { OPT_CONNECT = 256, OPT_CONNS, OPT_COUNT, OPT_BYTES, OPT_MAX_CONNS, OPT_KEEPALIVE };

/* One server connection. */
struct srv_conn {
	struct srv_conn *next_free;
	struct rte_mbuf *pending;       /* echo data the send queue refused */
	struct srv_worker *sw;
	bool echo;
	bool eof;
};

struct srv_worker {
	struct srv_conn *conns;
	struct srv_conn *free;
};

/* One client connection (worker 0). */
struct cli_conn {
	struct gw_tcp_conn *c;
	uint64_t sent, received;
	EVP_MD_CTX *h_sent, *h_recv;
	bool shut;
};

struct echo_app {
	/* options */
	struct gw_tcp_addr remote;
	bool client;
	uint32_t conns, count;
	uint64_t bytes;
	uint32_t max_conns;
	bool keepalive;
	/* server */
	struct srv_worker srv[GW_MAX_WORKERS];
	/* client: touched only by worker 0 once launched; main reads after it stopped */
	struct cli_conn *cli;
	uint32_t started, active, finished, ok, failed;
	uint64_t tot_sent, tot_received;
	char hash_sent[65], hash_recv[65];
	volatile int done;
};

static struct echo_app E = {
	.conns = 1,
};

/* ---- server ---- */

static void
srv_release(struct srv_worker *sw, struct srv_conn *sc)
{
	rte_pktmbuf_free(sc->pending);
	sc->pending = NULL;
	sc->next_free = sw->free;
	sw->free = sc;
}

static void
srv_on_data(struct gw_tcp_conn *c, void *ctx, struct rte_mbuf *m)
{
	struct srv_conn *sc = ctx;

	if (!sc->echo) {
		rte_pktmbuf_free(m);
		return;
	}
	if (gw_tcp_send(c, m) == 0)
		return;
	/* Send queue full: hold this chain, stop reading until EV_SENT. */
	if (sc->pending == NULL) {
		sc->pending = m;
	} else {
		if (rte_pktmbuf_chain(sc->pending, m) != 0) {
			rte_pktmbuf_free(m);
			gw_tcp_abort(c);
			return;
		}
	}
	gw_tcp_pause(c);
}

static void
srv_on_event(struct gw_tcp_conn *c, void *ctx, enum gw_tcp_event ev, int err)
{
	struct srv_conn *sc = ctx;
	RTE_SET_USED(err);
	switch (ev) {
	case GW_TCP_EV_SENT:
		if (sc->pending != NULL && gw_tcp_send(c, sc->pending) == 0) {
			sc->pending = NULL;
			gw_tcp_resume(c);
		}
		if (sc->pending == NULL && sc->eof)
			gw_tcp_shutdown(c);
		break;
	case GW_TCP_EV_EOF:
		sc->eof = true;
		if (sc->pending == NULL)
			gw_tcp_shutdown(c);
		break;
	case GW_TCP_EV_CLOSED:
		srv_release(sc->sw, sc);
		break;
	default:
		break;
	}
}

static const struct gw_tcp_conn_ops srv_ops = { srv_on_data, srv_on_event };

static int
srv_accept(void *arg, struct gw_tcp_conn *c)
{
	struct srv_worker *sw = arg;
	struct srv_conn *sc = sw->free;
	struct gw_tcp_info info;

	if (sc == NULL)
		return -ENOMEM;
	sw->free = sc->next_free;
	gw_tcp_conn_info(c, &info);
	sc->echo = info.local.port == PORT_ECHO;
	sc->eof = false;
	sc->pending = NULL;
	sc->sw = sw;
	if (E.keepalive)
		gw_tcp_set_keepalive(c, true);
	gw_tcp_conn_set_ops(c, &srv_ops, sc);
	return 0;
}

/* ---- client ---- */

static uint8_t
pattern(uint64_t i)
{
	return (uint8_t)(i * 131 + (i >> 8) + (i >> 16));
}

static void
hex(const unsigned char *d, unsigned int n, char *out)
{
	for (unsigned int i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void
cli_push(struct gw_worker *w, struct cli_conn *cc)
{
	while (cc->sent < E.bytes) {
		uint32_t space = gw_tcp_send_space(cc->c);
		uint64_t want = E.bytes - cc->sent;
		uint32_t n = RTE_MIN(space, 32768u);
		struct rte_mbuf *head = NULL, *last = NULL;
		uint32_t left;
		int rc;

		if (want < n)
			n = (uint32_t)want;
		left = n;
		if (n == 0 || (n < want && n < CHUNK)) {
			gw_tcp_want_space(cc->c);       /* EV_SENT when there is room */
			return;
		}
		while (left > 0) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(w->pool);
			uint32_t k = RTE_MIN(left, (uint32_t)CHUNK);
			uint8_t *d;

			if (m == NULL) {
				rte_pktmbuf_free(head);
				return;
			}
			d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)k);
			for (uint32_t j = 0; j < k; j++)
				d[j] = pattern(cc->sent + (n - left) + j);
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
		if (cc->h_sent != NULL)
			for (struct rte_mbuf *s = head; s != NULL; s = s->next)
				EVP_DigestUpdate(cc->h_sent, rte_pktmbuf_mtod(s, void *), s->data_len);
		rc = gw_tcp_send(cc->c, head);
		if (rc != 0) {
			rte_pktmbuf_free(head);
			return;
		}
		cc->sent += n;
	}
	if (!cc->shut) {
		cc->shut = true;
		gw_tcp_shutdown(cc->c);
	}
}

static void
cli_on_data(struct gw_tcp_conn *c, void *ctx, struct rte_mbuf *m)
{
	struct cli_conn *cc = ctx;

	RTE_SET_USED(c);
	cc->received += m->pkt_len;
	if (cc->h_recv != NULL)
		for (struct rte_mbuf *s = m; s != NULL; s = s->next)
			EVP_DigestUpdate(cc->h_recv, rte_pktmbuf_mtod(s, void *), s->data_len);
	rte_pktmbuf_free(m);
}

static struct gw_worker *cli_worker;

static void
cli_finish(struct cli_conn *cc, int err)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n;

	E.active--;
	E.finished++;
	if (err == 0)
		E.ok++;
	else
		E.failed++;
	E.tot_sent += cc->sent;
	E.tot_received += cc->received;
	if (cc == &E.cli[0] && cc->h_sent != NULL) {
		EVP_DigestFinal_ex(cc->h_sent, d, &n);
		hex(d, n, E.hash_sent);
		EVP_DigestFinal_ex(cc->h_recv, d, &n);
		hex(d, n, E.hash_recv);
	}
	EVP_MD_CTX_free(cc->h_sent);
	EVP_MD_CTX_free(cc->h_recv);
	cc->h_sent = cc->h_recv = NULL;
	cc->c = NULL;
}

static void
cli_on_event(struct gw_tcp_conn *c, void *ctx, enum gw_tcp_event ev, int err)
{
	struct cli_conn *cc = ctx;

	RTE_SET_USED(c);
	switch (ev) {
	case GW_TCP_EV_CONNECTED:
	case GW_TCP_EV_SENT:
		cli_push(cli_worker, cc);
		break;
	case GW_TCP_EV_CLOSED:
		cli_finish(cc, err);
		break;
	default:
		break;
	}
}

static const struct gw_tcp_conn_ops cli_ops = { cli_on_data, cli_on_event };

/* Worker 0, every loop iteration: keep --conns connections going until --count. */
static void
cli_poll(struct gw_worker *w, void *arg)
{
	struct gw_tcp_stack *s = gw_worker_tcp(w);
	struct gw_tcp_addr local = { .family = E.remote.family };
	uint8_t nh[16];
	uint16_t port;

	RTE_SET_USED(arg);
	if (E.done)
		return;
	if (E.finished == E.count) {
		__atomic_store_n(&E.done, 1, __ATOMIC_RELEASE);
		return;
	}
	if (E.active >= E.conns || E.started >= E.count)
		return;
	if (gw_l3_route_lookup(w->dp->l3, E.remote.family, E.remote.ip, &port, nh) < 0 ||
			gw_l3_source(w->dp->l3, port, E.remote.family, nh, local.ip) < 0)
		return;         /* no route yet: try again next time */
	cli_worker = w;
	while (E.active < E.conns && E.started < E.count) {
		struct cli_conn *cc = &E.cli[E.started];
		int err;

		memset(cc, 0, sizeof(*cc));
		if (E.started == 0) {
			cc->h_sent = EVP_MD_CTX_new();
			cc->h_recv = EVP_MD_CTX_new();
			EVP_DigestInit_ex(cc->h_sent, EVP_sha256(), NULL);
			EVP_DigestInit_ex(cc->h_recv, EVP_sha256(), NULL);
		}
		cc->c = gw_tcp_connect(s, &local, &E.remote, &cli_ops, cc, &err);
		E.started++;
		E.active++;
		if (cc->c == NULL) {
			GW_LOG(ERR, "connect: %s", strerror(-err));
			cli_finish(cc, -err);
		}
	}
}

/* ---- hooks ---- */

static uint64_t
parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 10);

	switch (*end) {
	case 'k': case 'K':
		return v << 10;
	case 'm': case 'M':
		return v << 20;
	case 'g': case 'G':
		return v << 30;
	case '\0':
		return v;
	default:
		return UINT64_MAX;
	}
}

static int
parse_addr(const char *arg, struct gw_tcp_addr *a)
{
	char buf[128], *colon;
	const char *host;

	snprintf(buf, sizeof(buf), "%s", arg);
	colon = strrchr(buf, ':');
	if (colon == NULL)
		return -1;
	*colon = '\0';
	a->port = (uint16_t)atoi(colon + 1);
	host = buf;
	if (buf[0] == '[') {
		host = buf + 1;
		if (colon[-1] != ']')
			return -1;
		colon[-1] = '\0';
	}
	memset(a->ip, 0, sizeof(a->ip));
	if (inet_pton(AF_INET, host, a->ip) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, host, a->ip) == 1)
		a->family = AF_INET6;
	else
		return -1;
	return a->port == 0 ? -1 : 0;
}

static int
on_opt(void *arg, int opt, const char *val)
{
	uint64_t v;

	RTE_SET_USED(arg);
	switch (opt) {
	case OPT_CONNECT:
		E.client = true;
		return parse_addr(val, &E.remote);
	case OPT_CONNS:
	case OPT_COUNT:
	case OPT_MAX_CONNS:
		v = parse_size(val);
		if (v == 0 || v > 10000000)
			return -1;
		if (opt == OPT_CONNS)
			E.conns = (uint32_t)v;
		else if (opt == OPT_COUNT)
			E.count = (uint32_t)v;
		else
			E.max_conns = (uint32_t)v;
		return 0;
	case OPT_BYTES:
		E.bytes = parse_size(val);
		return E.bytes == UINT64_MAX ? -1 : 0;
	case OPT_KEEPALIVE:
		E.keepalive = true;
		return 0;
	default:
		return -1;
	}
}

static void
on_worker_conf(void *arg, struct gw_app *app, struct gw_worker_conf *wc)
{
	RTE_SET_USED(arg);
	/* tcp.max_conns unless --max-conns said otherwise; the rest is tcp = { ... }. */
	if (E.max_conns == 0)
		E.max_conns = app->cfg.tcp.max_conns;
	wc->tcp_max_conns = E.max_conns;
	if (E.client && wc->id == 0) {
		wc->poll_hook = cli_poll;
		wc->poll_arg = NULL;
	}
}

static int
on_workers_created(void *arg, struct gw_app *app, char *err, size_t errlen)
{
	static const uint16_t ports[] = { PORT_ECHO, PORT_DISCARD };
	static const int fams[] = { AF_INET, AF_INET6 };

	RTE_SET_USED(arg);
	for (unsigned int i = 0; i < app->n_workers; i++) {
		struct gw_tcp_stack *s = gw_worker_tcp(app->workers[i]);
		struct srv_worker *sw = &E.srv[i];

		sw->conns = rte_zmalloc("echo_conns", sizeof(*sw->conns) * E.max_conns, 0);
		if (s == NULL || sw->conns == NULL) {
			snprintf(err, errlen, "worker %u: no TCP stack or no memory for %u connections",
				i, E.max_conns);
			return -ENOMEM;
		}
		for (uint32_t j = 0; j < E.max_conns; j++) {
			sw->conns[j].next_free = sw->free;
			sw->free = &sw->conns[j];
		}
		for (unsigned int p = 0; p < GW_DIM(ports); p++) {
			for (unsigned int f = 0; f < GW_DIM(fams); f++) {
				struct gw_tcp_addr a = { .family = (uint8_t)fams[f], .port = ports[p] };
				int rc = gw_tcp_listen(s, &a, srv_accept, sw);

				if (rc != 0) {
					snprintf(err, errlen, "worker %u: listen on port %u: %s", i,
						ports[p], strerror(-rc));
					return rc;
				}
			}
		}
	}
	if (E.client) {
		if (E.count == 0)
			E.count = E.conns;
		E.cli = calloc(E.count, sizeof(*E.cli));
		if (E.cli == NULL) {
			snprintf(err, errlen, "no memory for %u client connections", E.count);
			return -ENOMEM;
		}
	}
	GW_LOG(INFO, "tcp-echo: echo on port %u, discard on port %u, up to %u connections per worker%s",
		PORT_ECHO, PORT_DISCARD, E.max_conns, E.client ? ", client running" : "");
	return 0;
}

static bool
on_done(void *arg)
{
	RTE_SET_USED(arg);
	return E.client && __atomic_load_n(&E.done, __ATOMIC_ACQUIRE);
}

static int
on_report(void *arg, struct gw_app *app)
{
	RTE_SET_USED(arg);
	RTE_SET_USED(app);
	if (!E.client)
		return 0;
	printf("client: conns=%u ok=%u failed=%u sent=%" PRIu64 " received=%" PRIu64,
		E.finished, E.ok, E.failed, E.tot_sent, E.tot_received);
	if (E.hash_sent[0] != '\0')
		printf(" sha256_sent=%s sha256_received=%s", E.hash_sent, E.hash_recv);
	printf("\n");
	fflush(stdout);
	free(E.cli);
	return E.done && E.failed == 0 && E.finished == E.count ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, OPT_CONNECT },
		{ "conns", required_argument, NULL, OPT_CONNS },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "bytes", required_argument, NULL, OPT_BYTES },
		{ "max-conns", required_argument, NULL, OPT_MAX_CONNS },
		{ "keepalive", no_argument, NULL, OPT_KEEPALIVE },
		{ NULL, 0, NULL, 0 },
	};
	const struct gw_app_hooks hooks = {
		.name = "dpgw-tcp-echo",
		.usage =
			"      --connect A:P  also run a client to A:P (IPv6: [A]:P) on worker 0\n"
			"      --conns N      client connections at a time (1)\n"
			"      --count K      client connections in all (--conns)\n"
			"      --bytes B      bytes each client connection sends (k/M/G suffixes; 0)\n"
			"      --max-conns N  TCP connections per worker (tcp.max_conns)\n"
			"      --keepalive    keepalive probes on accepted connections\n",
		.long_opts = opts,
		.opt = on_opt,
		.worker_conf = on_worker_conf,
		.workers_created = on_workers_created,
		.done = on_done,
		.report = on_report,
	};

	return gw_app_main(argc, argv, &hooks);
}
