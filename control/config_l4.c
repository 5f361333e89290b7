/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpgw.conf: the l4 = { ... } group (flow table size, SNAT port range,
 * flow idle timeouts). The snat = [ ... ] pool is parsed with the VIPs in
 * config.c, which shares its address checks.
 */
#include <ctype.h>
#include <stdlib.h>

#include "config_int.h"

#define L4_DEF_MAX_FLOWS 65536
#define L4_MIN_FLOWS     64
#define L4_MAX_FLOWS     16777216
#define L4_MAX_TIMEOUT_S 86400

/* Keys of the timeouts, in the order of cfg->l4.timeout_s (enum gw_flow_class). */
static const char *const timeout_keys[GW_CFG_L4_N_TIMEOUTS] = {"tcp_syn_timeout_s",
	"tcp_established_timeout_s", "tcp_closing_timeout_s", "tcp_time_wait_timeout_s",
	"udp_timeout_s"};
static const uint32_t timeout_defaults[GW_CFG_L4_N_TIMEOUTS] = {10, 900, 60, 10, 60};

void
cfg_l4_defaults(struct gw_config *cfg)
{
	cfg->l4.max_flows = L4_DEF_MAX_FLOWS;
	cfg->l4.snat_port_lo = 1024;
	cfg->l4.snat_port_hi = 65535;
	for (unsigned int i = 0; i < GW_CFG_L4_N_TIMEOUTS; i++)
		cfg->l4.timeout_s[i] = timeout_defaults[i];
}

/* "LO-HI": two decimal numbers, 1 <= LO <= HI <= 65535. */
bool
cfg_port_range_parse(const char *s, unsigned long *lo, unsigned long *hi)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	*lo = strtoul(s, &end, 10);
	if (*end != '-' || !isdigit((unsigned char)end[1]))
		return false;
	*hi = strtoul(end + 1, &end, 10);
	return *end == '\0' && *lo >= 1 && *lo <= *hi && *hi <= 65535;
}

int
cfg_parse_l4(const struct cfg_ctx *ctx, const struct cfg_node *root, struct gw_config *cfg)
{
	static const char *const keys[] = {"max_flows", "snat_ports", "tcp_syn_timeout_s",
		"tcp_established_timeout_s", "tcp_closing_timeout_s", "tcp_time_wait_timeout_s",
		"udp_timeout_s", NULL};
	char ports[GW_CFG_NAME_LEN] = "";
	unsigned long lo, hi;
	struct cfg_node g, n;
	int rc = cfg_child(ctx, root, "l4", false, &g);

	if (rc <= 0)
		return rc;
	rc = cfg_as_group(ctx, &g);
	if (rc == 0)
		rc = cfg_check_keys(ctx, &g, keys);
	if (rc == 0)
		rc = cfg_opt_u32(ctx, &g, "max_flows", L4_MIN_FLOWS, L4_MAX_FLOWS,
			&cfg->l4.max_flows);
	for (unsigned int i = 0; rc == 0 && i < GW_CFG_L4_N_TIMEOUTS; i++)
		rc = cfg_opt_u32(ctx, &g, timeout_keys[i], 1, L4_MAX_TIMEOUT_S,
			&cfg->l4.timeout_s[i]);
	if (rc == 0)
		rc = cfg_opt_str(ctx, &g, "snat_ports", ports, sizeof(ports));
	if (rc != 0 || ports[0] == '\0')
		return rc;
	cfg_child(ctx, &g, "snat_ports", true, &n);
	if (!cfg_port_range_parse(ports, &lo, &hi))
		return cfg_fail(ctx, &n, "bad port range \"%s\" (expected \"LO-HI\" with "
			"1 <= LO <= HI <= 65535, like \"1024-65535\")", ports);
	if (hi - lo + 1 < cfg->workers.n_workers)
		return cfg_fail(ctx, &n, "range %s holds %lu ports, fewer than the %u workers "
			"(each worker takes the ports p with p %% workers = its number)", ports,
			hi - lo + 1, cfg->workers.n_workers);
	cfg->l4.snat_port_lo = (uint16_t)lo;
	cfg->l4.snat_port_hi = (uint16_t)hi;
	return 0;
}
