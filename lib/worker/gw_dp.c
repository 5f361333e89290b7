/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>

#include "gw_dp.h"

void
gw_dp_part_get(struct gw_dp_part *p)
{
	if (p != NULL)
		__atomic_add_fetch(&p->refcnt, 1, __ATOMIC_RELAXED);
}

void
gw_dp_part_put(struct gw_dp_part *p)
{
	if (p != NULL && __atomic_sub_fetch(&p->refcnt, 1, __ATOMIC_ACQ_REL) == 0)
		p->free(p);
}

static void
l3_part_free(struct gw_dp_part *p)
{
	struct gw_dp_l3 *l = (struct gw_dp_l3 *)p;

	gw_l3_free(l->l3);
	free(l);
}

struct gw_dp_l3 *
gw_dp_l3_new(struct gw_l3 *l3)
{
	struct gw_dp_l3 *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->part.refcnt = 1;
	l->part.free = l3_part_free;
	l->l3 = l3;
	return l;
}

static void
gateway_part_free(struct gw_dp_part *p)
{
	struct gw_dp_gateway *g = (struct gw_dp_gateway *)p;

	gw_route_table_free(g->http);
	gw_lb_table_free(g->l4);
	free(g);
}

struct gw_dp_gateway *
gw_dp_gateway_new(uint64_t version, struct gw_route_table *http, struct gw_lb_table *l4)
{
	struct gw_dp_gateway *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	g->part.refcnt = 1;
	g->part.free = gateway_part_free;
	g->version = version;
	g->http = http;
	g->l4 = l4;
	return g;
}

void
gw_dp_set_l3(struct gw_dp *dp, struct gw_dp_l3 *l3)
{
	if (dp->l3_part != NULL)
		gw_dp_part_put(&dp->l3_part->part);
	dp->l3_part = l3;
	dp->l3 = l3 != NULL ? l3->l3 : NULL;
}

void
gw_dp_set_gateway(struct gw_dp *dp, struct gw_dp_gateway *gw)
{
	if (dp->gateway != NULL)
		gw_dp_part_put(&dp->gateway->part);
	dp->gateway = gw;
	dp->http = gw != NULL ? gw->http : NULL;
	dp->l4 = gw != NULL ? gw->l4 : NULL;
}

static void
dp_gen_free(struct gw_gen *g)
{
	struct gw_dp *dp = (struct gw_dp *)g;

	gw_dp_set_l3(dp, NULL);
	gw_dp_set_gateway(dp, NULL);
	free(dp);
}

struct gw_dp *
gw_dp_alloc(void)
{
	struct gw_dp *dp = calloc(1, sizeof(*dp));

	static const struct gw_dp_l4_params l4_defaults = {
		.timeout_ms = { 10000, 900000, 60000, 10000, 60000 },
		.snat_port_lo = 1024, .snat_port_hi = 65535,
	};

	if (dp != NULL) {
		dp->gen.free = dp_gen_free;
		dp->l4p = l4_defaults;
	}
	return dp;
}

void
gw_dp_free(struct gw_dp *dp)
{
	if (dp != NULL)
		dp_gen_free(&dp->gen);
}
