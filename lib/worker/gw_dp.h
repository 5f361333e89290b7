/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data plane's generation root: everything a worker reads from the
 * control plane, published as one immutable object through lib/gen.
 * Later issues add listeners, VIP services and compiled route tables here.
 */
#ifndef GW_DP_H
#define GW_DP_H

#include <stdint.h>

#include "gw_gen.h"
#include "gw_l3.h"
#include "gw_neigh.h"

struct gw_dp {
	struct gw_gen gen;              /* first: lib/gen header */
	struct gw_l3 *l3;               /* addresses, VIPs, routes */
	uint32_t idle_sleep_us;         /* worker back-off when idle; 0 = busy poll */
	struct gw_neigh_params neigh;   /* in TSC cycles */
};

/* Allocate an empty root whose ->gen.free frees it and its l3. */
struct gw_dp *gw_dp_alloc(void);
/* Free a root that was never published. */
void gw_dp_free(struct gw_dp *dp);

static inline const struct gw_dp *
gw_dp_from_gen(const struct gw_gen *g)
{
	return (const struct gw_dp *)g;
}

#endif /* GW_DP_H */
