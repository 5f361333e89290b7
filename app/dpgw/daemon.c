/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon's life, shared by dpgw (main.c) and the applications built on
 * the same data plane (dpgw-tcp-echo), which adjust it through struct
 * gw_app_hooks.
 *
 *   PROG -c FILE [--check] [program options] [-- EAL options]
 *
 * Init order: configuration (fully validated before anything starts), EAL
 * (with the ports as --vdev / -a), mbuf pool, ports, generation domain and
 * first generation, workers on their lcores, admin server. The main thread
 * then waits for signals: SIGHUP reloads the reloadable keys, SIGINT and
 * SIGTERM stop the workers, close the ports, log the final counters and
 * exit 0.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>

#include "gw_build_config.h"
#include "app.h"
#include "admin.h"
#include "compile.h"

#define MAX_EAL_ARGS 128

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t reload_signal;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_signal = 1;
	else
		quit_signal = sig;
}

static const struct gw_app_hooks no_hooks = { .name = "dpgw" };

static void
usage(FILE *f, const struct gw_app_hooks *h)
{
	fprintf(f,
		"usage: %s -c FILE [--check]%s [-- EAL options]\n"
		"  -c, --config FILE  configuration (libconfig; see docs/configuration.md)\n"
		"      --check        validate the configuration and exit\n"
		"  -V, --version      print the version\n%s"
		"EAL options after -- are passed to DPDK; without -l/--lcores the main\n"
		"thread runs on the lowest CPU the workers do not use.\n",
		h->name, h->usage != NULL ? " [options]" : "", h->usage != NULL ? h->usage : "");
}

static bool
has_arg(int argc, char **argv, const char *a, const char *b)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], a) == 0 || (b != NULL && strcmp(argv[i], b) == 0) ||
				strncmp(argv[i], a, strlen(a)) == 0)
			return true;
	return false;
}

static bool
is_pci(const char *dev)
{
	unsigned int d, b, s, f;

	return sscanf(dev, "%x:%x:%x.%x", &d, &b, &s, &f) == 4 ||
		sscanf(dev, "%x:%x.%x", &b, &s, &f) == 3;
}

/* Build EAL's argv: user options, plus lcores, devices and a file prefix. */
static int
build_eal_args(struct gw_app *app, int uargc, char **uargv, char **eal, char *lcore_buf,
	size_t lcore_len)
{
	int n = 0;
	bool any_pci = false;

	eal[n++] = "dpgw";
	for (int i = 0; i < uargc && n < MAX_EAL_ARGS - 40; i++)
		eal[n++] = uargv[i];
	if (!has_arg(uargc, uargv, "-l", "--lcores") && !has_arg(uargc, uargv, "-c", NULL)) {
		size_t off;

		off = (size_t)snprintf(lcore_buf, lcore_len, "%u", app->cfg.workers.main_lcore);
		for (unsigned int i = 0; i < app->n_workers && off < lcore_len; i++)
			off += (size_t)snprintf(lcore_buf + off, lcore_len - off, ",%u",
				app->worker_lcores[i]);
		/* EAL makes the first lcore of the list the main one. */
		eal[n++] = "-l";
		eal[n++] = lcore_buf;
	}
	for (unsigned int i = 0; i < app->cfg.n_ports; i++) {
		if (is_pci(app->cfg.ports[i].device)) {
			any_pci = true;
			eal[n++] = "-a";
		} else {
			eal[n++] = "--vdev";
		}
		eal[n++] = app->cfg.ports[i].device;
	}
	if (!any_pci && !has_arg(uargc, uargv, "--no-pci", NULL) &&
			!has_arg(uargc, uargv, "-a", "--allow"))
		eal[n++] = "--no-pci";
	if (!has_arg(uargc, uargv, "--file-prefix", NULL) &&
			!has_arg(uargc, uargv, "--in-memory", NULL)) {
		eal[n++] = "--file-prefix";
		eal[n++] = "dpgw";
	}
	eal[n] = NULL;
	return n;
}

int
gw_app_reload(struct gw_app *app, char *err, size_t errlen)
{
	static struct gw_config next; /* large; reloads are serialised by cfg_lock */
	char what[256];
	bool vips_changed = false;
	int rc;

	pthread_mutex_lock(&app->cfg_lock);
	rc = gw_config_load(app->cfg.path, &next, err, errlen);
	if (rc == 0 && gw_config_boot_diff(&app->cfg, &next, what, sizeof(what)) != 0) {
		snprintf(err, errlen, "%s: %s changed: boot-only key, restart dpgw to apply it; "
			"nothing was changed", app->cfg.path, what);
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = gw_app_publish(app, &next, NULL, err, errlen);
	if (rc == 0) {
		/* Gateways take their addresses from the pool: re-translate if it changed */
		vips_changed = app->cfg.n_vips != next.n_vips ||
			memcmp(app->cfg.vips, next.vips, next.n_vips * sizeof(next.vips[0])) != 0;
		app->cfg = next;
	}
	pthread_mutex_unlock(&app->cfg_lock);
	if (rc == 0 && vips_changed)
		gw_app_gateway_retranslate(app);
	if (rc != 0)
		GW_LOG(ERR, "reload refused, the running configuration keeps serving: %s", err);
	return rc;
}

/* The TCP stack's tunables from tcp = { ... } (every worker; used where a stack runs). */
static void
tcp_params_from_cfg(const struct gw_config *cfg, struct gw_worker_conf *wc)
{
	struct gw_tcp_params *p = &wc->tcp_params;

	gw_tcp_params_default(p);
	p->rcv_buf = cfg->tcp.rcv_buf;
	p->snd_buf = cfg->tcp.snd_buf;
	p->cc = strcmp(cfg->tcp.cc, "newreno") == 0 ? GW_TCP_CC_NEWRENO : GW_TCP_CC_CUBIC;
	p->init_cwnd = cfg->tcp.init_cwnd;
	p->rto_min_ms = cfg->tcp.rto_min_ms;
	p->delack_ms = cfg->tcp.delack_ms;
	p->syn_backlog = cfg->tcp.syn_backlog;
	p->syncookies = cfg->tcp.syncookies;
	p->sack = cfg->tcp.sack;
	p->timestamps = cfg->tcp.timestamps;
	p->window_scaling = cfg->tcp.window_scaling;
	p->time_wait_ms = cfg->tcp.time_wait_s * 1000;
	p->fin_wait2_ms = cfg->tcp.fin_wait2_s * 1000;
	p->keepalive_idle_ms = cfg->tcp.keepalive_idle_s * 1000;
	p->keepalive_intvl_ms = cfg->tcp.keepalive_intvl_s * 1000;
	p->keepalive_probes = cfg->tcp.keepalive_probes;
	wc->tcp_port_lo = cfg->tcp.port_lo;
	wc->tcp_port_hi = cfg->tcp.port_hi;
}

static int
start_workers(struct gw_app *app, const struct gw_app_hooks *h, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < app->n_workers; i++) {
		struct gw_worker_conf wc = {
			.id = i,
			.lcore = app->worker_lcores[i],
			.socket = (int)rte_lcore_to_socket_id(app->worker_lcores[i]),
			.n_ports = (uint16_t)app->n_ports,
			.pool = app->pool,
			.gen = app->gen,
			.max_flows = app->cfg.l4.max_flows,   /* boot-only: not reloaded */
			.snat_random_start = true,
		};

		if (!rte_lcore_is_enabled(wc.lcore) || wc.lcore == rte_get_main_lcore()) {
			snprintf(err, errlen, "%s: workers.lcores: lcore %u is not available as a "
				"worker (EAL lcores given with -l must include it, and it must not "
				"be the main lcore)", app->cfg.path, wc.lcore);
			return -EINVAL;
		}
		for (unsigned int p = 0; p < app->n_ports; p++)
			wc.ports[p] = app->ports[p].info;
		tcp_params_from_cfg(&app->cfg, &wc);
		if (h->worker_conf != NULL)
			h->worker_conf(h->arg, app, &wc);
		app->workers[i] = gw_worker_create(&wc);
		if (app->workers[i] == NULL) {
			snprintf(err, errlen, "worker %u: cannot create", i);
			return -ENOMEM;
		}
	}
	gw_worker_link(app->workers, app->n_workers);
	if (h->workers_created != NULL) {
		int rc = h->workers_created(h->arg, app, err, errlen);

		if (rc != 0)
			return rc;
	}
	/* Set first: if a later launch fails, stop_workers() stops those running. */
	app->workers_running = true;
	for (unsigned int i = 0; i < app->n_workers; i++) {
		int rc = rte_eal_remote_launch(gw_worker_main, app->workers[i],
			app->worker_lcores[i]);

		if (rc != 0) {
			snprintf(err, errlen, "worker %u: cannot launch on lcore %u: %s", i,
				app->worker_lcores[i], strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static void
stop_workers(struct gw_app *app)
{
	if (!app->workers_running)
		return;
	for (unsigned int i = 0; i < app->n_workers; i++)
		if (app->workers[i] != NULL)
			gw_worker_stop(app->workers[i]);
	rte_eal_mp_wait_lcore();
	app->workers_running = false;
}

static void
log_final_counters(struct gw_app *app)
{
	struct gw_stats sum = { 0 };

	for (unsigned int i = 0; i < app->n_workers; i++)
		if (app->workers[i] != NULL)
			gw_stats_accumulate(&sum, &app->workers[i]->stats);
	GW_LOG(INFO, "final counters (all workers):");
	for (int i = 0; i < GW_CNT_MAX; i++)
		if (sum.c[i] != 0)
			GW_LOG(INFO, "  %-28s %" PRIu64, gw_stats_name((enum gw_cnt)i), sum.c[i]);
}

/*
 * The mbuf pool. Without a PCI port nothing DMAs into it, so objects need not
 * avoid page boundaries (RTE_MEMPOOL_F_NO_IOVA_CONTIG): they are packed end to
 * end. af_xdp depends on that: it registers the pool as its UMEM from the
 * first object on, pool size x object size long, and an mbuf beyond that
 * span (which the page-boundary gaps of a --no-huge pool create) makes an
 * invalid TX descriptor the kernel drops without a trace.
 */
static struct rte_mempool *
pool_create(struct gw_app *app)
{
	struct rte_mempool *mp;
	int rc;

	for (unsigned int i = 0; i < app->cfg.n_ports; i++)
		if (is_pci(app->cfg.ports[i].device))
			return rte_pktmbuf_pool_create("gw_mbuf", app->cfg.workers.mbufs, 256, 0,
				RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	mp = rte_mempool_create_empty("gw_mbuf", app->cfg.workers.mbufs,
		sizeof(struct rte_mbuf) + RTE_MBUF_DEFAULT_BUF_SIZE, 256,
		sizeof(struct rte_pktmbuf_pool_private), (int)rte_socket_id(),
		RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (mp == NULL)
		return NULL;
	rc = rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(), NULL);
	if (rc == 0) {
		struct rte_pktmbuf_pool_private priv = {
			.mbuf_data_room_size = RTE_MBUF_DEFAULT_BUF_SIZE,
		};

		rte_pktmbuf_pool_init(mp, &priv);
		rc = rte_mempool_populate_default(mp) < 0 ? -1 : 0;
	}
	if (rc != 0) {
		rte_mempool_free(mp);
		return NULL;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static struct gw_app app;

#define MAX_OPTS 32

int
gw_app_main(int argc, char **argv, const struct gw_app_hooks *h)
{
	static const struct option base_opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
	};
	struct option longopts[MAX_OPTS];
	unsigned int n_opts = 0;
	char err[1024] = "", lcore_buf[512];
	char *eal[MAX_EAL_ARGS];
	const char *path = NULL;
	struct gw_admin *admin = NULL;
	bool check_only = false;
	int opt, n_eal, rc;

	if (h == NULL)
		h = &no_hooks;
	for (unsigned int i = 0; i < GW_DIM(base_opts); i++)
		longopts[n_opts++] = base_opts[i];
	for (const struct option *o = h->long_opts; o != NULL && o->name != NULL &&
			n_opts < MAX_OPTS - 1; o++)
		longopts[n_opts++] = *o;
	memset(&longopts[n_opts], 0, sizeof(longopts[0]));
	while ((opt = getopt_long(argc, argv, "+c:Vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'k':
			check_only = true;
			break;
		case 'V':
			printf("%s %s\n", h->name, GW_VERSION);
			return 0;
		case 'h':
			usage(stdout, h);
			return 0;
		default:
			if (opt != '?' && h->opt != NULL && h->opt(h->arg, opt, optarg) == 0)
				break;
			usage(stderr, h);
			return 2;
		}
	}
	if (path == NULL) {
		usage(stderr, h);
		return 2;
	}
	/* Nothing starts before the whole configuration is known to be good. */
	rc = gw_config_load(path, &app.cfg, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", h->name, err);
		return 1;
	}
	app.n_workers = app.cfg.workers.n_workers;
	for (unsigned int i = 0; i < app.n_workers; i++)
		app.worker_lcores[i] = app.cfg.workers.lcore_ids[i];
	if (check_only) {
		printf("%s: configuration OK (%u port(s), %u worker(s))\n", path, app.cfg.n_ports,
			app.n_workers);
		return 0;
	}
	pthread_mutex_init(&app.cfg_lock, NULL);
	n_eal = build_eal_args(&app, argc - optind, argv + optind, eal, lcore_buf,
		sizeof(lcore_buf));
	rc = rte_eal_init(n_eal, eal);
	if (rc < 0)
		rte_exit(EXIT_FAILURE, "%s: EAL initialisation failed: %s\n", path,
			rte_strerror(rte_errno));
	install_signals();
	app.pool = pool_create(&app);
	if (app.pool == NULL)
		rte_exit(EXIT_FAILURE, "cannot create mbuf pool of %u: %s\n",
			app.cfg.workers.mbufs, rte_strerror(rte_errno));
	if (gw_app_ports_init(&app, err, sizeof(err)) != 0)
		rte_exit(EXIT_FAILURE, "%s\n", err);
	app.gen = gw_gen_domain_create("dpgw", app.n_workers);
	if (app.gen == NULL)
		rte_exit(EXIT_FAILURE, "cannot create generation domain\n");
	pthread_mutex_lock(&app.cfg_lock);
	rc = gw_app_publish(&app, &app.cfg, NULL, err, sizeof(err));
	pthread_mutex_unlock(&app.cfg_lock);
	if (rc != 0)
		rte_exit(EXIT_FAILURE, "%s\n", err);
	/* the Gateway API tables are in the first generation the workers see */
	if (gw_app_gateway_start(&app, err, sizeof(err)) != 0)
		rte_exit(EXIT_FAILURE, "%s\n", err);
	if (start_workers(&app, h, err, sizeof(err)) != 0) {
		GW_LOG(ERR, "%s", err);
		quit_signal = SIGTERM;
		rc = 1;
	} else {
		admin = gw_admin_create(app.cfg.admin.socket);
		if (admin == NULL || gw_app_admin_register(&app, admin) != 0 ||
				gw_app_gateway_admin_register(&app, admin) != 0 ||
				gw_admin_start(admin) != 0) {
			GW_LOG(ERR, "admin socket %s unavailable; stopping", app.cfg.admin.socket);
			quit_signal = SIGTERM;
			rc = 1;
		} else {
			GW_LOG(INFO, "%s %s running: %u port(s), %u worker(s), admin %s",
				h->name, GW_VERSION, app.n_ports, app.n_workers, app.cfg.admin.socket);
			rc = 0;
		}
	}
	while (!quit_signal) {
		if (reload_signal) {
			reload_signal = 0;
			gw_app_reload(&app, err, sizeof(err));
		}
		gw_gen_reclaim(app.gen);
		if (h->done != NULL && h->done(h->arg)) {
			quit_signal = SIGTERM;
			break;
		}
		usleep(50 * 1000);
	}
	GW_LOG(INFO, "signal %d: stopping", (int)quit_signal);
	gw_admin_free(admin);
	gw_app_gateway_stop(&app);
	stop_workers(&app);
	gw_app_ports_close(&app);
	log_final_counters(&app);
	if (h->report != NULL && rc == 0)
		rc = h->report(h->arg, &app);
	for (unsigned int i = 0; i < app.n_workers; i++)
		gw_worker_free(app.workers[i]);
	gw_gen_domain_free(app.gen);
	rte_mempool_free(app.pool);
	rte_eal_cleanup();
	return rc;
}
