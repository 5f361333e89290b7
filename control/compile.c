/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>

#include "compile.h"

_Static_assert(GW_CFG_MAX_SNAT == GW_DP_MAX_SNAT, "SNAT pool limits differ");
_Static_assert(sizeof(((struct gw_dp_l4_params *)0)->timeout_ms) ==
	GW_CFG_L4_N_TIMEOUTS * sizeof(uint32_t), "l4 timeout classes differ");

static int
compile_l3(const struct gw_config *cfg, struct gw_l3 *l3, char *err, size_t errlen)
{
	char buf[64];
	int rc;

	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct gw_cfg_port *p = &cfg->ports[i];

		for (unsigned int j = 0; j < p->n_addrs; j++) {
			rc = gw_l3_add_addr(l3, (uint16_t)i, p->addrs[j].addr.family,
				p->addrs[j].addr.bytes, p->addrs[j].len);
			if (rc < 0) {
				snprintf(err, errlen, "%s:%d: ports.[%u].addresses.[%u]: %s: %s",
					cfg->path, p->line, i, j,
					gw_cfg_ip_str(&p->addrs[j].addr, buf, sizeof(buf)),
					rc == -EEXIST ? "duplicate address" : strerror(-rc));
				return rc;
			}
		}
	}
	for (unsigned int i = 0; i < cfg->n_vips; i++) {
		rc = gw_l3_add_vip(l3, cfg->vips[i].family, cfg->vips[i].bytes);
		if (rc < 0) {
			snprintf(err, errlen, "%s: vips.[%u]: %s: %s", cfg->path, i,
				gw_cfg_ip_str(&cfg->vips[i], buf, sizeof(buf)),
				rc == -EEXIST ? "address already in use" : strerror(-rc));
			return rc;
		}
	}
	for (unsigned int i = 0; i < cfg->n_snat; i++) {
		rc = gw_l3_add_local(l3, cfg->snat[i].family, cfg->snat[i].bytes, GW_L3_SNAT);
		if (rc < 0) {
			snprintf(err, errlen, "%s: snat.[%u]: %s: %s", cfg->path, i,
				gw_cfg_ip_str(&cfg->snat[i], buf, sizeof(buf)),
				rc == -EEXIST ? "address already in use" : strerror(-rc));
			return rc;
		}
	}
	for (unsigned int i = 0; i < cfg->n_routes; i++) {
		const struct gw_cfg_route *r = &cfg->routes[i];
		int port = -1;

		if (r->port[0] != '\0') {
			for (unsigned int j = 0; j < cfg->n_ports; j++)
				if (strcmp(cfg->ports[j].name, r->port) == 0)
					port = (int)j;
		}
		rc = gw_l3_add_route(l3, r->prefix.addr.family, r->prefix.addr.bytes,
			r->prefix.len, r->via.bytes, port);
		if (rc < 0) {
			snprintf(err, errlen, "%s:%d: routes.[%u]: %s", cfg->path, r->line, i,
				rc == -ENETUNREACH ? "next hop is not on any port's subnet" :
				rc == -EEXIST ? "duplicate prefix" : strerror(-rc));
			return rc;
		}
	}
	rc = gw_l3_finalize(l3);
	if (rc < 0)
		snprintf(err, errlen, "%s: building route tables: %s", cfg->path, strerror(-rc));
	return rc;
}

/* l4 = { ... } and the snat pool, split by family (the loader keeps each at most 16). */
static void
compile_l4(const struct gw_config *cfg, struct gw_dp_l4_params *p)
{
	for (unsigned int i = 0; i < GW_CFG_L4_N_TIMEOUTS; i++)
		p->timeout_ms[i] = cfg->l4.timeout_s[i] * 1000u;
	p->snat_port_lo = cfg->l4.snat_port_lo;
	p->snat_port_hi = cfg->l4.snat_port_hi;
	p->n_snat4 = p->n_snat6 = 0;
	for (unsigned int i = 0; i < cfg->n_snat; i++) {
		const struct gw_cfg_ip *ip = &cfg->snat[i];

		if (ip->family == AF_INET && p->n_snat4 < GW_DP_MAX_SNAT)
			memcpy(p->snat4[p->n_snat4++], ip->bytes, 4);
		else if (ip->family == AF_INET6 && p->n_snat6 < GW_DP_MAX_SNAT)
			memcpy(p->snat6[p->n_snat6++], ip->bytes, 16);
	}
}

struct gw_dp *
gw_compile(const struct gw_config *cfg, int socket, char *err, size_t errlen)
{
	uint64_t hz = rte_get_tsc_hz();
	struct gw_dp *dp = gw_dp_alloc();
	struct gw_l3 *l3;
	struct gw_dp_l3 *part;

	if (dp == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l3 = gw_l3_create((uint16_t)cfg->n_ports, socket);
	part = l3 != NULL ? gw_dp_l3_new(l3) : NULL;
	if (part == NULL) {
		gw_l3_free(l3);
		snprintf(err, errlen, "out of memory");
		gw_dp_free(dp);
		return NULL;
	}
	gw_dp_set_l3(dp, part);
	if (compile_l3(cfg, dp->l3, err, errlen) < 0) {
		gw_dp_free(dp);
		return NULL;
	}
	dp->idle_sleep_us = cfg->workers.idle_sleep_us;
	dp->neigh.reachable = (uint64_t)cfg->neigh.reachable_s * hz;
	dp->neigh.stale_gc = (uint64_t)cfg->neigh.stale_gc_s * hz;
	dp->neigh.retrans = (uint64_t)cfg->neigh.resolve_ms * hz / 1000 / 3;
	if (dp->neigh.retrans == 0)
		dp->neigh.retrans = 1;
	dp->neigh.max_probes = 3;
	compile_l4(cfg, &dp->l4p);
	return dp;
}
