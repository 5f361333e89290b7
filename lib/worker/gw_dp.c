/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>

#include "gw_dp.h"

static void
dp_gen_free(struct gw_gen *g)
{
	struct gw_dp *dp = (struct gw_dp *)g;

	gw_l3_free(dp->l3);
	free(dp);
}

struct gw_dp *
gw_dp_alloc(void)
{
	struct gw_dp *dp = calloc(1, sizeof(*dp));

	if (dp != NULL)
		dp->gen.free = dp_gen_free;
	return dp;
}

void
gw_dp_free(struct gw_dp *dp)
{
	if (dp != NULL)
		dp_gen_free(&dp->gen);
}
