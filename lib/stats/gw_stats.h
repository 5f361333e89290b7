/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker counters.
 *
 * Every per-packet outcome is a counter in one array owned by one worker;
 * reasons come from the single list in gw_counters.def (the pattern of
 * VPP's tcp_error.def). The owning worker increments with relaxed
 * load/store pairs, which compile to plain instructions on x86 and are
 * race-free readable by the control thread with gw_stats_read(): readers
 * may see a slightly old value, never a torn one. No atomic read-modify-
 * write is ever used on the packet path.
 */
#ifndef GW_STATS_H
#define GW_STATS_H

#include <stdint.h>

enum gw_cnt_kind {
	GW_CNT_KIND_EVENT,
	GW_CNT_KIND_DROP,
};

enum gw_cnt {
#define GW_CNT(name, kind, help) GW_CNT_##name,
#include "gw_counters.def"
#undef GW_CNT
	GW_CNT_MAX
};

struct gw_stats {
	uint64_t c[GW_CNT_MAX];
};

/* Name ("drop_truncated"), kind and help text of counter @id. */
const char *gw_stats_name(enum gw_cnt id);
enum gw_cnt_kind gw_stats_kind(enum gw_cnt id);
const char *gw_stats_help(enum gw_cnt id);

/* Look a counter up by name; returns -1 if unknown. */
int gw_stats_lookup(const char *name);

/* Owner-only increment: no atomic RMW, single writer. */
static inline void
gw_stats_add(struct gw_stats *s, enum gw_cnt id, uint64_t n)
{
	uint64_t v = __atomic_load_n(&s->c[id], __ATOMIC_RELAXED);

	__atomic_store_n(&s->c[id], v + n, __ATOMIC_RELAXED);
}

#define GW_CNT_INC(s, name) gw_stats_add((s), GW_CNT_##name, 1)

/* Any thread: read one counter of another thread's array. */
static inline uint64_t
gw_stats_read(const struct gw_stats *s, enum gw_cnt id)
{
	return __atomic_load_n(&s->c[id], __ATOMIC_RELAXED);
}

/* Any thread: add a snapshot of @src into @sum. */
void gw_stats_accumulate(struct gw_stats *sum, const struct gw_stats *src);

#endif /* GW_STATS_H */
