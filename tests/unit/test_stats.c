/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/stats: the counter list from gw_counters.def. Every counter has a
 * unique, non-empty, identifier-like name and help text and a kind that
 * agrees with its name; names look up back to their ids; per-worker arrays
 * add up. No EAL needed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_stats.h"

static bool
is_identifier(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* Every name and help text present, lowercase identifier, no duplicate. */
static void
test_names_unique(void **state)
{
	(void)state;
	assert_true(GW_CNT_MAX > 0);
	for (int i = 0; i < GW_CNT_MAX; i++) {
		const char *n = gw_stats_name((enum gw_cnt)i);
		const char *h = gw_stats_help((enum gw_cnt)i);

		assert_non_null(n);
		assert_non_null(h);
		if (n[0] == '\0' || h[0] == '\0')
			fail_msg("counter %d: empty name or help", i);
		if (!is_identifier(n))
			fail_msg("counter %d: name \"%s\" is not a lowercase identifier", i, n);
		if (strcmp(n, "unknown") == 0)
			fail_msg("counter %d: \"unknown\" is what out-of-range ids print", i);
		for (int j = 0; j < i; j++) {
			if (strcmp(n, gw_stats_name((enum gw_cnt)j)) == 0)
				fail_msg("counters %d and %d share the name \"%s\"", j, i, n);
			if (strcmp(h, gw_stats_help((enum gw_cnt)j)) == 0)
				fail_msg("counters %d (%s) and %d (%s) share the help \"%s\"", j,
					gw_stats_name((enum gw_cnt)j), i, n, h);
		}
	}
}

/* DROP exactly for the drop_* names; nothing else is a valid kind. */
static void
test_kinds(void **state)
{
	(void)state;
	for (int i = 0; i < GW_CNT_MAX; i++) {
		const char *n = gw_stats_name((enum gw_cnt)i);
		enum gw_cnt_kind k = gw_stats_kind((enum gw_cnt)i);
		bool drop_name = strncmp(n, "drop_", 5) == 0;

		if (k != GW_CNT_KIND_EVENT && k != GW_CNT_KIND_DROP)
			fail_msg("counter %s: kind %d", n, (int)k);
		if (drop_name != (k == GW_CNT_KIND_DROP))
			fail_msg("counter %s: kind %s does not match its name", n,
				k == GW_CNT_KIND_DROP ? "DROP" : "EVENT");
	}
}

/* Known entries: enum value, name, kind and lookup agree. */
static void
test_known_entries(void **state)
{
	static const struct {
		const char *desc;
		enum gw_cnt id;
		const char *name;
		enum gw_cnt_kind kind;
	} cases[] = {
		{ "first entry", GW_CNT_rx_packets, "rx_packets", GW_CNT_KIND_EVENT },
		{ "an event in the middle", GW_CNT_neigh_held, "neigh_held", GW_CNT_KIND_EVENT },
		{ "a parser drop", GW_CNT_drop_truncated, "drop_truncated", GW_CNT_KIND_DROP },
		{ "a neighbour drop", GW_CNT_drop_neigh_hold_full, "drop_neigh_hold_full",
			GW_CNT_KIND_DROP },
		{ "last entry", GW_CNT_MAX - 1, "drop_no_generation", GW_CNT_KIND_DROP },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(gw_stats_name(cases[i].id), cases[i].name) != 0)
			fail_msg("%s: name %s, want %s", cases[i].desc,
				gw_stats_name(cases[i].id), cases[i].name);
		if (gw_stats_kind(cases[i].id) != cases[i].kind)
			fail_msg("%s: wrong kind", cases[i].desc);
		if (gw_stats_lookup(cases[i].name) != (int)cases[i].id)
			fail_msg("%s: lookup %d, want %d", cases[i].desc,
				gw_stats_lookup(cases[i].name), (int)cases[i].id);
	}
}

/* name -> id -> name for every counter. */
static void
test_lookup_round_trip(void **state)
{
	(void)state;
	for (int i = 0; i < GW_CNT_MAX; i++) {
		const char *n = gw_stats_name((enum gw_cnt)i);

		if (gw_stats_lookup(n) != i)
			fail_msg("lookup(%s) = %d, want %d", n, gw_stats_lookup(n), i);
	}
}

static void
test_lookup_unknown(void **state)
{
	static const struct {
		const char *desc;
		const char *name;
	} cases[] = {
		{ "empty", "" },
		{ "not a counter", "no_such_counter" },
		{ "prefix of a name", "drop_" },
		{ "name plus a suffix", "rx_packets_" },
		{ "trailing space", "rx_packets " },
		{ "wrong case", "RX_PACKETS" },
		{ "what out-of-range ids print", "unknown" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (gw_stats_lookup(cases[i].name) != -1)
			fail_msg("%s: lookup(\"%s\") = %d, want -1", cases[i].desc, cases[i].name,
				gw_stats_lookup(cases[i].name));
}

/* Ids outside the list do not read past the tables. */
static void
test_out_of_range(void **state)
{
	static const int ids[] = { GW_CNT_MAX, GW_CNT_MAX + 1, 1000, -1 };
	(void)state;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		enum gw_cnt id = (enum gw_cnt)ids[i];

		assert_string_equal(gw_stats_name(id), "unknown");
		assert_string_equal(gw_stats_help(id), "");
		assert_int_equal(gw_stats_kind(id), GW_CNT_KIND_EVENT);
	}
}

static void
test_add_read(void **state)
{
	struct gw_stats s;
	(void)state;
	memset(&s, 0, sizeof(s));
	GW_CNT_INC(&s, rx_packets);
	GW_CNT_INC(&s, rx_packets);
	gw_stats_add(&s, GW_CNT_rx_bytes, 1500);
	gw_stats_add(&s, GW_CNT_rx_bytes, 60);
	GW_CNT_INC(&s, drop_no_generation);
	for (int i = 0; i < GW_CNT_MAX; i++) {
		uint64_t want = i == GW_CNT_rx_packets ? 2 :
			i == GW_CNT_rx_bytes ? 1560 :
			i == GW_CNT_drop_no_generation ? 1 : 0;

		if (gw_stats_read(&s, (enum gw_cnt)i) != want)
			fail_msg("%s = %llu, want %llu", gw_stats_name((enum gw_cnt)i),
				(unsigned long long)gw_stats_read(&s, (enum gw_cnt)i),
				(unsigned long long)want);
	}
}

/* Summing three worker arrays into a non-zero total, twice for one of them. */
static void
test_accumulate(void **state)
{
	struct gw_stats *w = calloc(3, sizeof(*w));
	struct gw_stats *sum = calloc(1, sizeof(*sum));
	struct gw_stats *copy = calloc(1, sizeof(*copy));
	(void)state;

	assert_non_null(w);
	assert_non_null(sum);
	assert_non_null(copy);
	for (int i = 0; i < GW_CNT_MAX; i++) {
		for (int k = 0; k < 3; k++)
			w[k].c[i] = (uint64_t)(k + 1) * 1000003u * (uint64_t)(i + 1);
		sum->c[i] = 7;
	}
	/* Large values carry into the upper half of the word. */
	w[2].c[GW_CNT_rx_bytes] = 0xffffffffull;
	*copy = w[0];
	gw_stats_accumulate(sum, &w[0]);
	gw_stats_accumulate(sum, &w[1]);
	gw_stats_accumulate(sum, &w[2]);
	gw_stats_accumulate(sum, &w[0]);
	for (int i = 0; i < GW_CNT_MAX; i++) {
		uint64_t want = 7 + 2 * w[0].c[i] + w[1].c[i] + w[2].c[i];

		if (sum->c[i] != want)
			fail_msg("%s: sum %llu, want %llu", gw_stats_name((enum gw_cnt)i),
				(unsigned long long)sum->c[i], (unsigned long long)want);
	}
	/* The source is only read. */
	assert_memory_equal(copy, &w[0], sizeof(*copy));
	free(w);
	free(sum);
	free(copy);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_unique),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_known_entries),
		cmocka_unit_test(test_lookup_round_trip),
		cmocka_unit_test(test_lookup_unknown),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_add_read),
		cmocka_unit_test(test_accumulate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
