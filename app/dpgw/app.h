/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dpgw process: what main.c sets up and the admin handlers (show.c)
 * read. One instance, owned by the main thread.
 */
#ifndef GW_APP_H
#define GW_APP_H

#include <pthread.h>
#include <stdbool.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "config.h"
#include "gw_gen.h"
#include "gw_worker.h"

struct gw_app_port {
	uint16_t port_id;
	char dev_name[RTE_ETH_NAME_MAX_LEN];
	char driver[64];
	uint16_t n_queues;
	bool rss;
	struct gw_port_info info;
	struct gw_port_rss rss_info;    /* info.rss points here when RSS is predictable */
};

struct gw_app {
	struct gw_config cfg;           /* the configuration live now */
	pthread_mutex_t cfg_lock;       /* reloads (SIGHUP, admin) serialise here */
	struct rte_mempool *pool;
	unsigned int n_ports;
	struct gw_app_port ports[GW_MAX_PORTS];
	unsigned int n_workers;
	unsigned int worker_lcores[GW_MAX_WORKERS];
	struct gw_worker *workers[GW_MAX_WORKERS];
	struct gw_gen_domain *gen;
	bool workers_running;
	struct gw_app_gateway *gw;      /* gateway.c: Gateway API source and translator */
};

/*
 * How a program built on the daemon (dpgw-tcp-echo) adjusts it; every
 * member may be NULL. Hooks run on the main thread.
 */
struct option;
struct gw_app_hooks {
	const char *name;               /* program name in usage and logs */
	const char *usage;              /* extra option lines for --help */
	const struct option *long_opts; /* extra long options, ended by a zero entry */
	int (*opt)(void *arg, int opt, const char *optarg);     /* 0, or -1: usage error */
	/* Each worker's configuration before it is created (the TCP stack, a poll hook). */
	void (*worker_conf)(void *arg, struct gw_app *app, struct gw_worker_conf *wc);
	/* Workers exist and are linked, not yet launched (listen here). 0 or -errno. */
	int (*workers_created)(void *arg, struct gw_app *app, char *err, size_t errlen);
	bool (*done)(void *arg);        /* polled by the main loop: true stops the program */
	/* After the workers stopped: print results; the exit status. */
	int (*report)(void *arg, struct gw_app *app);
	void *arg;
};

/* daemon.c: the whole life of the program; the exit status. */
int gw_app_main(int argc, char **argv, const struct gw_app_hooks *h);

/* ports.c: probe-free setup of every configured port (EAL already probed them). */
int gw_app_ports_init(struct gw_app *app, char *err, size_t errlen);
void gw_app_ports_close(struct gw_app *app);

/* main.c: apply a new configuration file (reloadable keys only). 0 or -errno. */
int gw_app_reload(struct gw_app *app, char *err, size_t errlen);

/*
 * gateway.c: the Gateway API loop. Start reads the manifest directory,
 * translates and publishes once, then watches in a control thread.
 */
struct gw_dp_gateway;
int gw_app_gateway_start(struct gw_app *app, char *err, size_t errlen);
void gw_app_gateway_stop(struct gw_app *app);
/* Ask the loop to translate again (the VIP pool may have changed). */
void gw_app_gateway_retranslate(struct gw_app *app);
/*
 * Publish a generation built from @cfg (NULL: share the live l3 part) and
 * @gw (NULL: share the live gateway part; else takes the caller's
 * reference). Caller holds cfg_lock. 0 or -errno with a message.
 */
int gw_app_publish(struct gw_app *app, const struct gw_config *cfg, struct gw_dp_gateway *gw,
	char *err, size_t errlen);

/* show.c: register admin commands and telemetry. */
struct gw_admin;
int gw_app_admin_register(struct gw_app *app, struct gw_admin *admin);
int gw_app_gateway_admin_register(struct gw_app *app, struct gw_admin *admin);

#endif /* GW_APP_H */
