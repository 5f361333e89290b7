/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpgw.conf: the tcp = { ... } group, the tunables of the user-space TCP
 * stack (lib/tcp, struct gw_tcp_params). Defaults are the stack's own.
 */
#include <stdio.h>
#include <string.h>

#include "config_int.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))
#define TCP_MIN_CONNS 16
#define TCP_MAX_CONNS 16777216
#define TCP_MIN_BUF 4096
#define TCP_MAX_BUF (64u << 20)

void
cfg_tcp_defaults(struct gw_config *cfg)
{
	memset(&cfg->tcp, 0, sizeof(cfg->tcp));
	cfg->tcp.max_conns = 65536;
	cfg->tcp.rcv_buf = 262144;
	cfg->tcp.snd_buf = 262144;
	snprintf(cfg->tcp.cc, sizeof(cfg->tcp.cc), "cubic");
	cfg->tcp.init_cwnd = 10;
	cfg->tcp.rto_min_ms = 200;
	cfg->tcp.delack_ms = 40;
	cfg->tcp.syn_backlog = 1024;
	cfg->tcp.syncookies = true;
	cfg->tcp.sack = true;
	cfg->tcp.timestamps = true;
	cfg->tcp.window_scaling = true;
	cfg->tcp.time_wait_s = 60;
	cfg->tcp.fin_wait2_s = 60;
	cfg->tcp.keepalive_idle_s = 7200;
	cfg->tcp.keepalive_intvl_s = 75;
	cfg->tcp.keepalive_probes = 9;
	cfg->tcp.port_lo = 32768;
	cfg->tcp.port_hi = 60999;
}

int
cfg_parse_tcp(const struct cfg_ctx *ctx, const struct cfg_node *root, struct gw_config *cfg)
{
	static const char *const keys[] = {"max_conns", "rcv_buf", "snd_buf", "cc", "init_cwnd",
		"rto_min_ms", "delack_ms", "syn_backlog", "syncookies", "sack", "timestamps",
		"window_scaling", "time_wait_s", "fin_wait2_s", "keepalive_idle_s",
		"keepalive_intvl_s", "keepalive_probes", "ports", NULL};
	struct {
		const char *key;
		long long min, max;
		uint32_t *v;
	} u32[] = {
		{ "max_conns", TCP_MIN_CONNS, TCP_MAX_CONNS, &cfg->tcp.max_conns },
		{ "rcv_buf", TCP_MIN_BUF, TCP_MAX_BUF, &cfg->tcp.rcv_buf },
		{ "snd_buf", TCP_MIN_BUF, TCP_MAX_BUF, &cfg->tcp.snd_buf },
		{ "init_cwnd", 1, 100, &cfg->tcp.init_cwnd },
		/* RFC 6298 2.4 says 1 s; Linux uses 200 ms; below 10 ms spurious RTOs abound. */
		{ "rto_min_ms", 10, 60000, &cfg->tcp.rto_min_ms },
		/* RFC 9293 MUST-40: an ACK within 0.5 s. */
		{ "delack_ms", 1, 500, &cfg->tcp.delack_ms },
		{ "syn_backlog", 1, TCP_MAX_CONNS, &cfg->tcp.syn_backlog },
		/* 2 MSL; RFC 9293 wants MSL = 2 min but allows less (RFC 6191). */
		{ "time_wait_s", 1, 600, &cfg->tcp.time_wait_s },
		{ "fin_wait2_s", 1, 3600, &cfg->tcp.fin_wait2_s },
		/* RFC 9293 MUST-26: the keepalive interval defaults to no less than 2 hours. */
		{ "keepalive_idle_s", 1, 86400 * 7, &cfg->tcp.keepalive_idle_s },
		{ "keepalive_intvl_s", 1, 86400, &cfg->tcp.keepalive_intvl_s },
		{ "keepalive_probes", 1, 100, &cfg->tcp.keepalive_probes },
	};
	struct {
		const char *key;
		bool *v;
	} bools[] = {
		{ "syncookies", &cfg->tcp.syncookies },
		{ "sack", &cfg->tcp.sack },
		{ "timestamps", &cfg->tcp.timestamps },
		{ "window_scaling", &cfg->tcp.window_scaling },
	};
	char ports[GW_CFG_NAME_LEN] = "";
	unsigned long lo, hi;
	struct cfg_node g, n;
	int rc = cfg_child(ctx, root, "tcp", false, &g);

	if (rc <= 0)
		return rc;
	rc = cfg_as_group(ctx, &g);
	if (rc == 0)
		rc = cfg_check_keys(ctx, &g, keys);
	for (unsigned int i = 0; rc == 0 && i < DIM(u32); i++)
		rc = cfg_opt_u32(ctx, &g, u32[i].key, u32[i].min, u32[i].max, u32[i].v);
	for (unsigned int i = 0; rc == 0 && i < DIM(bools); i++)
		rc = cfg_opt_bool(ctx, &g, bools[i].key, bools[i].v);
	if (rc == 0)
		rc = cfg_opt_str(ctx, &g, "cc", cfg->tcp.cc, sizeof(cfg->tcp.cc));
	if (rc != 0)
		return rc;
	if (strcmp(cfg->tcp.cc, "cubic") != 0 && strcmp(cfg->tcp.cc, "newreno") != 0) {
		cfg_child(ctx, &g, "cc", true, &n);
		return cfg_fail(ctx, &n, "unknown congestion control \"%s\" (expected \"cubic\" "
			"or \"newreno\")", cfg->tcp.cc);
	}
	rc = cfg_opt_str(ctx, &g, "ports", ports, sizeof(ports));
	if (rc != 0 || ports[0] == '\0')
		return rc;
	cfg_child(ctx, &g, "ports", true, &n);
	if (!cfg_port_range_parse(ports, &lo, &hi))
		return cfg_fail(ctx, &n, "bad port range \"%s\" (expected \"LO-HI\" with "
			"1 <= LO <= HI <= 65535, like \"32768-60999\")", ports);
	if (hi - lo + 1 < 64u * cfg->workers.n_workers)
		return cfg_fail(ctx, &n, "range %s holds %lu ports, fewer than 64 per worker "
			"(worker i of n connects from the ports p with p %% n = i)", ports, hi - lo + 1);
	cfg->tcp.port_lo = (uint16_t)lo;
	cfg->tcp.port_hi = (uint16_t)hi;
	return 0;
}
