/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "gw_stats.h"

static const char *const names[GW_CNT_MAX] = {
#define GW_CNT(name, kind, help) [GW_CNT_##name] = #name,
#include "gw_counters.def"
#undef GW_CNT
};

static const char *const helps[GW_CNT_MAX] = {
#define GW_CNT(name, kind, help) [GW_CNT_##name] = help,
#include "gw_counters.def"
#undef GW_CNT
};

static const enum gw_cnt_kind kinds[GW_CNT_MAX] = {
#define GW_CNT(name, kind, help) [GW_CNT_##name] = GW_CNT_KIND_##kind,
#include "gw_counters.def"
#undef GW_CNT
};

const char *
gw_stats_name(enum gw_cnt id)
{
	return (unsigned int)id < GW_CNT_MAX ? names[id] : "unknown";
}

enum gw_cnt_kind
gw_stats_kind(enum gw_cnt id)
{
	return (unsigned int)id < GW_CNT_MAX ? kinds[id] : GW_CNT_KIND_EVENT;
}

const char *
gw_stats_help(enum gw_cnt id)
{
	return (unsigned int)id < GW_CNT_MAX ? helps[id] : "";
}

int
gw_stats_lookup(const char *name)
{
	for (int i = 0; i < GW_CNT_MAX; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

void
gw_stats_accumulate(struct gw_stats *sum, const struct gw_stats *src)
{
	for (int i = 0; i < GW_CNT_MAX; i++)
		sum->c[i] += gw_stats_read(src, (enum gw_cnt)i);
}
