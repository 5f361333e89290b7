/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Admin commands of the daemon. They read only what is safe from a
 * control thread: ethdev statistics, relaxed per-worker counters, the
 * current generation under the writer lock, and worker-private tables
 * through gw_worker_call(). Each also answers as a DPDK telemetry command.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <netinet/in.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "app.h"
#include "admin.h"

#define NEIGH_DUMP_MAX 4096
#define FLOWS_DEFAULT_LIMIT 1000
#define FLOWS_MAX_LIMIT 100000

static json_t *
ip_json(int family, const void *ip)
{
	char buf[INET6_ADDRSTRLEN];

	return json_string(inet_ntop(family, ip, buf, sizeof(buf)));
}

static json_t *
prefix_json(int family, const void *ip, unsigned int plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	size_t n;

	inet_ntop(family, ip, buf, sizeof(buf));
	n = strlen(buf);
	snprintf(buf + n, sizeof(buf) - n, "/%u", plen);
	return json_string(buf);
}

static json_t *
mac_json(const struct rte_ether_addr *mac)
{
	char buf[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(buf, sizeof(buf), mac);
	return json_string(buf);
}

static json_t *
show_ports(const json_t *args, void *arg, char *err, size_t errlen)
{
	struct gw_app *app = arg;
	json_t *ports = json_array();

	/* A reload may replace app->cfg meanwhile; handlers run in several threads. */
	pthread_mutex_lock(&app->cfg_lock);
	for (unsigned int i = 0; i < app->n_ports; i++) {
		const struct gw_app_port *ap = &app->ports[i];
		const struct gw_cfg_port *cp = &app->cfg.ports[i];
		struct rte_eth_stats st = { 0 };
		struct rte_eth_link link = { 0 };
		json_t *addrs = json_array();
		uint64_t tx = ap->info.tx_offloads;

		rte_eth_stats_get(ap->port_id, &st);
		rte_eth_link_get_nowait(ap->port_id, &link);
		for (unsigned int j = 0; j < cp->n_addrs; j++)
			json_array_append_new(addrs, prefix_json(cp->addrs[j].addr.family,
				cp->addrs[j].addr.bytes, cp->addrs[j].len));
		json_array_append_new(ports, json_pack(
			"{s:s, s:i, s:s, s:s, s:o, s:{s:b, s:I}, s:i, s:i, s:i, s:b,"
			" s:{s:b, s:b, s:b}, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}}",
			"name", cp->name, "port_id", (int)ap->port_id, "device", cp->device,
			"driver", ap->driver, "mac", mac_json(&ap->info.mac),
			"link", "up", link.link_status == RTE_ETH_LINK_UP,
			"speed_mbps", (json_int_t)link.link_speed,
			"mtu", (int)ap->info.mtu, "rx_queues", (int)ap->n_queues,
			"tx_queues", (int)ap->n_queues, "rss", ap->rss,
			"offloads", "ipv4_cksum", (tx & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0,
			"tcp_cksum", (tx & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) != 0,
			"udp_cksum", (tx & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) != 0,
			"addresses", addrs,
			"stats", "ipackets", (json_int_t)st.ipackets,
			"opackets", (json_int_t)st.opackets, "ibytes", (json_int_t)st.ibytes,
			"obytes", (json_int_t)st.obytes, "imissed", (json_int_t)st.imissed,
			"ierrors", (json_int_t)st.ierrors, "oerrors", (json_int_t)st.oerrors,
			"rx_nombuf", (json_int_t)st.rx_nombuf));
	}
	pthread_mutex_unlock(&app->cfg_lock);
	return json_pack("{s:o}", "ports", ports);
}

static json_t *
show_stats(const json_t *args, void *arg, char *err, size_t errlen)
{
	struct gw_app *app = arg;
	json_t *counters = json_array(), *workers = json_array();

	for (unsigned int w = 0; w < app->n_workers; w++)
		json_array_append_new(workers, json_pack("{s:i, s:i}", "id", (int)w,
			"lcore", (int)app->worker_lcores[w]));
	for (int c = 0; c < GW_CNT_MAX; c++) {
		json_t *per = json_array();
		uint64_t total = 0;

		for (unsigned int w = 0; w < app->n_workers; w++) {
			uint64_t v = app->workers[w] == NULL ? 0 :
				gw_stats_read(&app->workers[w]->stats, (enum gw_cnt)c);

			total += v;
			json_array_append_new(per, json_integer((json_int_t)v));
		}
		json_array_append_new(counters, json_pack("{s:s, s:s, s:s, s:I, s:o}",
			"name", gw_stats_name((enum gw_cnt)c),
			"kind", gw_stats_kind((enum gw_cnt)c) == GW_CNT_KIND_DROP ? "drop" : "event",
			"help", gw_stats_help((enum gw_cnt)c), "total", (json_int_t)total,
			"workers", per));
	}
	return json_pack("{s:o, s:o}", "counters", counters, "workers", workers);
}

/* Runs on the worker: copy its neighbour table. */
struct neigh_dump {
	uint64_t now;
	uint32_t n;
	struct gw_neigh_info e[NEIGH_DUMP_MAX];
};

static void
neigh_dump_fn(struct gw_worker *w, void *arg)
{
	struct neigh_dump *d = arg;

	d->now = rte_rdtsc();
	d->n = gw_neigh_dump(w->neigh, d->now, d->e, NEIGH_DUMP_MAX);
}

static json_t *
show_neigh(const json_t *args, void *arg, char *err, size_t errlen)
{
	struct gw_app *app = arg;
	json_t *list = json_array();

	for (unsigned int w = 0; w < app->n_workers; w++) {
		/* Heap, not stack: on timeout the worker may still write it later. */
		struct neigh_dump *d = calloc(1, sizeof(*d));
		int rc;

		if (d == NULL) {
			json_decref(list);
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		rc = gw_worker_call(app->workers[w], neigh_dump_fn, d, 1000);
		if (rc != 0) {
			/* Leaked on purpose: the worker may still write it. */
			json_decref(list);
			snprintf(err, errlen, "worker %u did not answer: %s", w, strerror(-rc));
			return NULL;
		}
		pthread_mutex_lock(&app->cfg_lock);
		for (uint32_t i = 0; i < d->n; i++) {
			const struct gw_neigh_info *e = &d->e[i];

			json_array_append_new(list, json_pack("{s:i, s:s, s:o, s:o, s:s, s:I, s:i}",
				"worker", (int)w, "port", app->cfg.ports[e->key.port].name,
				"ip", ip_json(e->key.family, e->key.ip),
				"mac", e->state == GW_NEIGH_INCOMPLETE ? json_null() :
					mac_json(&e->mac),
				"state", gw_neigh_state_name(e->state),
				"age_ms", (json_int_t)(e->age * 1000 / rte_get_tsc_hz()),
				"held", (int)e->held));
		}
		pthread_mutex_unlock(&app->cfg_lock);
		free(d);
	}
	return json_pack("{s:o}", "neighbours", list);
}

/* show flows / show tcp: "limit" (rows over all workers), 0..FLOWS_MAX_LIMIT. */
static int
limit_arg(const json_t *args, json_int_t *limit, char *err, size_t errlen)
{
	const json_t *lj = json_object_get(args, "limit");

	*limit = FLOWS_DEFAULT_LIMIT;
	if (lj == NULL)
		return 0;
	if (!json_is_integer(lj) || json_integer_value(lj) < 0 ||
			json_integer_value(lj) > FLOWS_MAX_LIMIT) {
		snprintf(err, errlen, "limit: expected an integer 0..%d", FLOWS_MAX_LIMIT);
		return -EINVAL;
	}
	*limit = json_integer_value(lj);
	return 0;
}

/*
 * Run @fn on worker @w over a fresh zeroed buffer of @size bytes whose first
 * member is the uint32_t row limit (@max). The buffer is on the heap, not
 * the stack: when the worker does not answer in time it may still write it
 * later, so it is then left allocated on purpose. NULL with @err on failure.
 */
static void *
worker_dump(struct gw_app *app, unsigned int w, void (*fn)(struct gw_worker *, void *),
	size_t size, uint32_t max, char *err, size_t errlen)
{
	uint32_t *d = calloc(1, size);
	int rc;

	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	*d = max;
	rc = gw_worker_call(app->workers[w], fn, d, 1000);
	if (rc != 0) {
		snprintf(err, errlen, "worker %u did not answer: %s", w, strerror(-rc));
		return NULL;
	}
	return d;
}

/* Runs on the worker: copy up to max of its L4 flows, and count them. */
struct flow_dump {
	uint32_t max, n, total, capacity;
	uint32_t count[GW_FLOW_N_FAM];
	struct gw_l4_flow_info e[];
};

static void
flow_dump_fn(struct gw_worker *w, void *arg)
{
	struct flow_dump *d = arg;

	d->n = gw_worker_flow_dump(w, d->e, d->max, &d->total);
	d->capacity = gw_worker_flow_capacity(w);
	for (int f = 0; f < GW_FLOW_N_FAM; f++)
		d->count[f] = w->flows != NULL ? gw_flow_count(w->flows, (enum gw_flow_fam)f) : 0;
}

/* "10.0.0.1:80", "[fd00::1]:80" */
static json_t *
endpoint_json(int family, const void *ip, uint16_t port)
{
	char a[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 8];

	inet_ntop(family, ip, a, sizeof(a));
	snprintf(buf, sizeof(buf), family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
	return json_string(buf);
}

static json_t *
show_flows(const json_t *args, void *arg, char *err, size_t errlen)
{
	struct gw_app *app = arg;
	json_t *workers, *list;
	json_int_t limit, total = 0;

	if (limit_arg(args, &limit, err, errlen) != 0)
		return NULL;
	workers = json_array();
	list = json_array();
	for (unsigned int w = 0; w < app->n_workers; w++) {
		uint32_t max = (uint32_t)(limit - (json_int_t)json_array_size(list));
		struct flow_dump *d = worker_dump(app, w, flow_dump_fn,
			sizeof(*d) + max * sizeof(d->e[0]), max, err, errlen);

		if (d == NULL) {
			json_decref(workers);
			json_decref(list);
			return NULL;
		}
		total += d->total;
		json_array_append_new(workers, json_pack("{s:i, s:I, s:I, s:I}", "worker", (int)w,
			"flows4", (json_int_t)d->count[GW_FLOW_V4],
			"flows6", (json_int_t)d->count[GW_FLOW_V6],
			"capacity", (json_int_t)d->capacity));
		for (uint32_t i = 0; i < d->n && i < max; i++) {
			const struct gw_l4_flow_info *e = &d->e[i];

			json_array_append_new(list, json_pack(
				"{s:i, s:s, s:o, s:o, s:o, s:o, s:s, s:I}", "worker", (int)w, "proto", e->proto == IPPROTO_TCP ? "tcp" : "udp",
				"client", endpoint_json(e->family, e->client, e->client_port),
				"vip", endpoint_json(e->family, e->vip, e->vip_port),
				"backend", endpoint_json(e->family, e->backend, e->backend_port),
				"snat", endpoint_json(e->family, e->snat, e->snat_port),
				"state", gw_flow_state_name((enum gw_flow_state)e->state),
				"idle_ms", (json_int_t)e->idle_ms));
		}
		free(d);
	}
	return json_pack("{s:o, s:o, s:I}", "workers", workers, "flows", list,
		"total", total);
}

/* Runs on the worker: its TCP connections (up to max) and counts. */
struct tcp_dump {
	uint32_t max, n, conns, half_open, time_wait;
	bool has_stack;
	struct gw_tcp_info e[];
};

static void
tcp_dump_fn(struct gw_worker *w, void *arg)
{
	struct tcp_dump *d = arg;
	struct gw_tcp_stack *s = gw_worker_tcp(w);

	d->has_stack = s != NULL;
	if (s == NULL)
		return;
	d->n = gw_tcp_stack_dump(s, d->e, d->max);
	d->conns = gw_tcp_stack_conns(s);
	d->half_open = gw_tcp_stack_half_open(s);
	d->time_wait = gw_tcp_stack_time_wait(s);
}

static json_t *
tcp_conn_json(unsigned int w, const struct gw_tcp_info *e)
{
	return json_pack("{s:i, s:o, s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i}",
		"worker", (int)w,
		"local", endpoint_json(e->local.family, e->local.ip, e->local.port),
		"remote", endpoint_json(e->remote.family, e->remote.ip, e->remote.port),
		"state", gw_tcp_state_name(e->state),
		"snd_queued", (json_int_t)e->snd_queued, "rcv_queued", (json_int_t)e->rcv_queued,
		"cwnd", (json_int_t)e->cwnd, "snd_wnd", (json_int_t)e->snd_wnd,
		"srtt_us", (json_int_t)e->srtt_us, "rto_ms", (json_int_t)e->rto_ms,
		"retransmits", (json_int_t)e->retransmits, "idle_ms", (json_int_t)e->idle_ms,
		"mss", (int)e->mss);
}

static json_t *
show_tcp(const json_t *args, void *arg, char *err, size_t errlen)
{
	struct gw_app *app = arg;
	json_t *workers, *list;
	json_int_t limit, total = 0;

	if (limit_arg(args, &limit, err, errlen) != 0)
		return NULL;
	workers = json_array();
	list = json_array();
	for (unsigned int w = 0; w < app->n_workers; w++) {
		uint32_t max = (uint32_t)(limit - (json_int_t)json_array_size(list));
		struct tcp_dump *d = worker_dump(app, w, tcp_dump_fn,
			sizeof(*d) + max * sizeof(d->e[0]), max, err, errlen);

		if (d == NULL) {
			json_decref(workers);
			json_decref(list);
			return NULL;
		}
		if (!d->has_stack) {
			free(d);
			continue;
		}
		total += d->conns;
		json_array_append_new(workers, json_pack("{s:i, s:I, s:I, s:I}", "worker", (int)w,
			"conns", (json_int_t)d->conns, "half_open", (json_int_t)d->half_open,
			"time_wait", (json_int_t)d->time_wait));
		for (uint32_t i = 0; i < d->n && i < max; i++)
			json_array_append_new(list, tcp_conn_json(w, &d->e[i]));
		free(d);
	}
	return json_pack("{s:o, s:o, s:I}", "workers", workers, "conns", list, "total", total);
}

static const char *const path_types[] = {"PathPrefix", "Exact", "RegularExpression"};
static const char *const be_states[] = {"ok", "invalid", "no-endpoints"};

static json_t *
kv_matches_json(unsigned int n, const struct gw_route_kv_match *m)
{
	json_t *a = json_array();

	for (unsigned int i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "name", m[i].name, "value",
			m[i].value, "type", m[i].type == GW_ROUTE_VALUE_REGEX ? "RegularExpression" :
			"Exact"));
	return a;
}

static json_t *
endpoints_json(unsigned int n, const struct gw_route_endpoint *e)
{
	json_t *a = json_array();
	char buf[INET6_ADDRSTRLEN];

	for (unsigned int i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:i}", "address",
			inet_ntop(e[i].family, e[i].addr, buf, sizeof(buf)), "port", e[i].port));
	return a;
}

static const char *const filter_names[] = {"RequestHeaderModifier", "ResponseHeaderModifier",
	"RequestRedirect", "URLRewrite", "RequestMirror"};

static int
walk_http(const struct gw_route_walk_entry *e, void *arg)
{
	json_t *out = arg, *be, *filters;
	char vip[INET6_ADDRSTRLEN];
	const struct gw_route_rule *r = e->rule;

	if (r == NULL) {
		json_array_append_new(out, json_pack("{s:i, s:s, s:i, s:s, s:s, s:s}",
			"group", (int)e->group, "vip", inet_ntop(e->family, e->vip, vip, sizeof(vip)),
			"port", e->port, "listener", e->listener->name, "hostname",
			e->listener->hostname, "vhost", e->vhost != NULL ? e->vhost : ""));
		return 0;
	}
	be = json_array();
	for (unsigned int i = 0; i < r->n_backends; i++)
		json_array_append_new(be, json_pack("{s:s, s:i, s:s, s:o}", "name",
			r->backends[i].name, "weight", (int)r->backends[i].weight, "state",
			be_states[r->backends[i].state], "endpoints",
			endpoints_json(r->backends[i].n_endpoints, r->backends[i].endpoints)));
	filters = json_array();
	for (unsigned int i = 0; i < r->n_filters; i++)
		json_array_append_new(filters, json_string(filter_names[r->filters[i].type]));
	json_array_append_new(out, json_pack("{s:i, s:s, s:i, s:s, s:s, s:s, s:i, s:s, s:i, s:i, "
		"s:s, s:s, s:s?, s:o, s:o, s:o, s:o, s:o, s:i, s:i}",
		"group", (int)e->group, "vip", inet_ntop(e->family, e->vip, vip, sizeof(vip)),
		"port", e->port, "listener", e->listener->name, "hostname", e->listener->hostname,
		"vhost", e->vhost, "order", (int)e->order,
		"route", r->route_name, "rule", (int)r->rule_index, "match", (int)e->match_index,
		"namespace", r->route_ns, "path_type", path_types[e->path_type], "path", e->path,
		"method", e->method != NULL ? json_string(e->method) : json_null(),
		"headers", kv_matches_json(e->n_headers, e->headers),
		"query", kv_matches_json(e->n_query, e->query),
		"backends", be, "filters", filters,
		"timeout_request_ms", (int)r->timeout_request_ms,
		"timeout_backend_request_ms", (int)r->timeout_backend_request_ms));
	return 0;
}

static json_t *
l4_json(const struct gw_lb_table *t)
{
	json_t *out = json_array();
	char buf[INET6_ADDRSTRLEN];

	for (unsigned int i = 0; t != NULL && i < gw_lb_table_count(t); i++) {
		const struct gw_lb_service *s = gw_lb_table_at(t, i);
		json_t *eps = json_array();

		for (unsigned int k = 0; k < s->n_endpoints; k++) {
			uint32_t slots = 0;

			for (uint32_t j = 0; j < s->maglev_size; j++)
				slots += s->lut[j] == k;
			json_array_append_new(eps, json_pack("{s:s, s:i, s:i, s:i}", "address",
				inet_ntop(s->endpoints[k].family, s->endpoints[k].addr, buf, sizeof(buf)),
				"port", s->endpoints[k].port, "weight", (int)s->endpoints[k].weight,
				"slots", (int)slots));
		}
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:i, s:i, s:o}", "listener",
			s->name, "protocol", s->proto == IPPROTO_TCP ? "TCP" : "UDP", "vip",
			inet_ntop(s->family, s->vip, buf, sizeof(buf)), "port", s->port,
			"maglev_size", (int)s->maglev_size, "endpoints", eps));
	}
	return out;
}

static json_t *
show_routes(const json_t *args, void *arg, char *err, size_t errlen)
{
	struct gw_app *app = arg;
	json_t *routes = json_array(), *vips = json_array(), *addrs = json_array();
	json_t *snat = json_array();
	json_t *http = json_array(), *l4 = NULL;
	uint64_t tables = 0;
	const struct gw_gen *g;
	const struct gw_l3 *l3;
	uint64_t num = 0;

	/* Lock order everywhere: cfg_lock, then the generation writer lock. */
	pthread_mutex_lock(&app->cfg_lock);
	g = gw_gen_writer_lock(app->gen);
	if (g != NULL) {
		l3 = gw_dp_from_gen(g)->l3;
		num = g->number;
		for (uint32_t i = 0; i < l3->n_routes; i++) {
			const struct gw_l3_route *r = &l3->routes[i];
			const struct gw_l3_nexthop *nh = &l3->nh[r->nh];

			json_array_append_new(routes, json_pack("{s:o, s:o, s:s, s:s}",
				"prefix", prefix_json(r->family, r->prefix, r->plen),
				"via", nh->onlink ? json_null() : ip_json(nh->family, nh->via),
				"port", app->cfg.ports[nh->port].name,
				"type", r->type == GW_L3_ROUTE_STATIC ? "static" : "connected"));
		}
		for (int f = 0; f < 2; f++) {
			const struct gw_l3_local *arr = f == 0 ? l3->local4 : l3->local6;
			uint32_t n = f == 0 ? l3->n_local4 : l3->n_local6;
			int family = f == 0 ? AF_INET : AF_INET6;

			for (uint32_t i = 0; i < n; i++) {
				if (arr[i].kind == GW_L3_VIP)
					json_array_append_new(vips, ip_json(family, arr[i].ip));
				else if (arr[i].kind == GW_L3_SNAT)
					json_array_append_new(snat, ip_json(family, arr[i].ip));
				else
					json_array_append_new(addrs, json_pack("{s:s, s:o}", "port",
						app->cfg.ports[arr[i].port].name, "address",
						prefix_json(family, arr[i].ip, arr[i].plen)));
			}
		}
	}
	if (g != NULL) {
		const struct gw_dp *dp = gw_dp_from_gen(g);

		if (dp->http != NULL)
			gw_route_table_walk(dp->http, walk_http, http);
		l4 = l4_json(dp->l4);
		tables = dp->gateway != NULL ? dp->gateway->version : 0;
	}
	gw_gen_writer_unlock(app->gen);
	pthread_mutex_unlock(&app->cfg_lock);
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:I, s:o, s:o}", "generation",
		(json_int_t)num, "routes", routes, "vips", vips, "snat", snat, "addresses", addrs,
		"gateway_tables", (json_int_t)tables, "http", http,
		"l4", l4 != NULL ? l4 : json_array());
}

static json_t *
show_generation(const json_t *args, void *arg, char *err, size_t errlen)
{
	struct gw_app *app = arg;
	json_t *workers = json_array();
	const struct gw_gen *g = gw_gen_writer_lock(app->gen);
	uint64_t num = 0, pub = 0, now;
	struct timespec ts;

	if (g != NULL) {
		num = g->number;
		pub = g->published_ns;
	}
	gw_gen_writer_unlock(app->gen);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	for (unsigned int w = 0; w < app->n_workers; w++)
		json_array_append_new(workers, json_pack("{s:i, s:i, s:I}", "id", (int)w,
			"lcore", (int)app->worker_lcores[w], "seen", (json_int_t)(app->workers[w] ?
				__atomic_load_n(&app->workers[w]->gen_seen, __ATOMIC_RELAXED) : 0)));
	return json_pack("{s:I, s:I, s:I, s:i, s:o}", "current", (json_int_t)num,
		"published_ns", (json_int_t)pub, "age_ms", (json_int_t)((now - pub) / 1000000),
		"retired", (int)gw_gen_retired_count(app->gen), "workers", workers);
}

static json_t *
do_reload(const json_t *args, void *arg, char *err, size_t errlen)
{
	struct gw_app *app = arg;

	if (gw_app_reload(app, err, errlen) != 0)
		return NULL;
	return json_pack("{s:I}", "generation", (json_int_t)gw_gen_current_number(app->gen));
}

int
gw_app_admin_register(struct gw_app *app, struct gw_admin *admin)
{
	static const struct {
		const char *cmd, *tel, *help;
		gw_admin_handler_t fn;
	} cmds[] = {
		{ "show ports", "/dpgw/ports", "ports, addresses, link and ethdev stats", show_ports },
		{ "show stats", "/dpgw/stats", "per-worker counters and drop reasons", show_stats },
		{ "show neigh", "/dpgw/neigh", "neighbour (ARP/ND) tables of every worker",
			show_neigh },
		{ "show routes", "/dpgw/routes", "routes, addresses and VIPs of the live generation",
			show_routes },
		{ "show flows", "/dpgw/flows", "L4 (TCP/UDP) flows of every worker; args: limit",
			show_flows },
		{ "show tcp", "/dpgw/tcp", "connections of every worker's TCP stack; args: limit",
			show_tcp },
		{ "show generation", "/dpgw/generation", "live generation and what each worker saw",
			show_generation },
		{ "reload", NULL, "re-read the configuration file (reloadable keys)", do_reload },
	};

	for (size_t i = 0; i < RTE_DIM(cmds); i++) {
		int rc = gw_admin_register(admin, cmds[i].cmd, cmds[i].tel, cmds[i].fn, app,
			cmds[i].help);

		if (rc != 0)
			return rc;
	}
	return 0;
}
