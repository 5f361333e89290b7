/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/gen: RCU publication of generations.
 *
 * The stress test is the CI form of "zero loss during route update": a
 * writer flips the generation thousands of times while reader lcores
 * acquire it continually; every read must see exactly one whole generation
 * (each tagged with its number across a payload), numbers never go
 * backwards for one reader, nothing is freed early (the destructor poisons
 * the memory, and ASan builds catch the use after free) and memory returns
 * to baseline once updates stop. No timing thresholds: everything is
 * counted, and the writer hands over to the readers at fixed checkpoints.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "gw_gen.h"
#include "gw_test_eal.h"

#define NB_LCORES         4 /* main (the writer) + 3 reader lcores */
#define MAX_READERS       8
#define TG_WORDS          64
#define STRESS_CHECKPOINT 50 /* publications between hand-overs to the readers */

/* A test generation: its number replicated over a payload, plus a checksum. */
struct tgen {
	struct gw_gen gen;
	uint64_t word[TG_WORDS];
	uint64_t check;
};

static uint64_t live_gens;    /* atomic: allocated and not yet freed */
static uint32_t stress_ready; /* atomic */
static uint32_t stress_stop;  /* atomic */
static uint32_t stuck_state;  /* atomic: 0 start, 1 holding, 2 let go */

static uint64_t
tg_checksum(uint64_t n)
{
	return (n * 0x9e3779b97f4a7c15ULL) ^ 0x5bd1e9955bd1e995ULL;
}

static void
tgen_free(struct gw_gen *g)
{
	struct tgen *t = container_of(g, struct tgen, gen);

	/* Poison, so that a reader still looking at it sees garbage. */
	memset(t, 0xdb, sizeof(*t));
	__atomic_sub_fetch(&live_gens, 1, __ATOMIC_RELAXED);
	free(t);
}

/* A generation that will be published as number @tag. */
static struct tgen *
tgen_new(uint64_t tag)
{
	struct tgen *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	for (unsigned int i = 0; i < TG_WORDS; i++)
		t->word[i] = tag;
	t->check = tg_checksum(tag);
	t->gen.free = tgen_free;
	__atomic_add_fetch(&live_gens, 1, __ATOMIC_RELAXED);
	return t;
}

static uint64_t
live(void)
{
	return __atomic_load_n(&live_gens, __ATOMIC_RELAXED);
}

/* True when @g is one whole, live generation: every word equals its number. */
static bool
tgen_whole(const struct gw_gen *g)
{
	const volatile struct tgen *t =
		(const volatile struct tgen *)container_of(g, struct tgen, gen);
	uint64_t n = t->gen.number;

	if (n == 0)
		return false;
	for (unsigned int i = 0; i < TG_WORDS; i++)
		if (t->word[i] != n)
			return false;
	if (t->check != tg_checksum(n))
		return false;
	return t->gen.number == n;
}

/* Publish a fresh generation; asserts it gets the number it was tagged with. */
static struct tgen *
publish_next(struct gw_gen_domain *d)
{
	uint64_t n = gw_gen_current_number(d) + 1;
	struct tgen *t = tgen_new(n);

	assert_non_null(t);
	assert_int_equal(gw_gen_publish(d, &t->gen), n);
	return t;
}

/* Sum of what the rte_malloc heaps hold: the domain and its QSBR live there. */
static void
heap_usage(uint64_t *count, uint64_t *bytes)
{
	*count = 0;
	*bytes = 0;
	for (unsigned int i = 0; i < rte_socket_count(); i++) {
		struct rte_malloc_socket_stats st;

		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0) {
			*count += st.alloc_count;
			*bytes += st.heap_allocsz_bytes;
		}
	}
}

static int
group_setup(void **state)
{
	(void)state;
	if (gw_test_eal_init(NB_LCORES) != 0)
		return -1;
	return rte_lcore_count() >= 3 ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	rte_eal_cleanup();
	return 0;
}

/* Each test starts from zero live generations, whatever the last one left. */
static int
test_setup(void **state)
{
	(void)state;
	__atomic_store_n(&live_gens, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&stress_stop, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&stuck_state, 0, __ATOMIC_RELAXED);
	return 0;
}

/* After a failed assertion, do not leave reader lcores spinning. */
static int
test_teardown(void **state)
{
	(void)state;
	__atomic_store_n(&stress_stop, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&stuck_state, 2, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	return 0;
}

/* ---- 1. basics, single thread, a simulated reader ---- */

static void
test_gen_basic_publish_reclaim(void **state)
{
	struct gw_gen_domain *d;
	struct tgen *g1, *g2, *g3;
	const struct gw_gen *cur;

	(void)state;
	assert_int_equal(live(), 0);

	assert_null(gw_gen_domain_create("bad", 0));
	d = gw_gen_domain_create("basic", MAX_READERS);
	assert_non_null(d);
	assert_null(gw_gen_acquire(d));
	assert_int_equal(gw_gen_current_number(d), 0);
	assert_int_equal(gw_gen_retired_count(d), 0);
	assert_null(gw_gen_writer_lock(d));
	gw_gen_writer_unlock(d);

	assert_int_equal(gw_gen_reader_register(d, MAX_READERS), -EINVAL);
	assert_int_equal(gw_gen_reader_register(d, 0), 0);

	/* Invalid publications change nothing. */
	assert_int_equal(gw_gen_publish(d, NULL), 0);
	{
		struct gw_gen nofree = {0};

		assert_int_equal(gw_gen_publish(d, &nofree), 0);
	}

	g1 = publish_next(d);
	assert_int_equal(g1->gen.number, 1);
	assert_true(g1->gen.published_ns > 0);
	assert_ptr_equal(gw_gen_acquire(d), &g1->gen);
	assert_true(tgen_whole(gw_gen_acquire(d)));
	assert_int_equal(gw_gen_retired_count(d), 0);     /* nothing replaced yet */
	assert_int_equal(gw_gen_publish(d, &g1->gen), 0); /* already current */
	assert_int_equal(gw_gen_current_number(d), 1);

	/* The reader holds g1 and has not passed a quiescent state. */
	cur = gw_gen_acquire(d);
	g2 = publish_next(d);
	assert_int_equal(g2->gen.number, 2);
	assert_true(g2->gen.published_ns >= g1->gen.published_ns);
	assert_ptr_equal(gw_gen_acquire(d), &g2->gen);
	assert_int_equal(gw_gen_current_number(d), 2);
	assert_int_equal(gw_gen_retired_count(d), 1);
	assert_int_equal(gw_gen_reclaim(d), 0);
	assert_int_equal(gw_gen_reclaim(d), 0);
	assert_int_equal(live(), 2);
	assert_true(tgen_whole(cur)); /* still intact: not freed */
	assert_int_equal(cur->number, 1);
	assert_int_equal(gw_gen_publish(d, &g1->gen), 0); /* retired: refused */

	/* Quiescent: g1 can go. */
	gw_gen_quiescent(d, 0);
	assert_int_equal(gw_gen_reclaim(d), 1);
	assert_int_equal(gw_gen_retired_count(d), 0);
	assert_int_equal(live(), 1);
	assert_int_equal(gw_gen_reclaim(d), 0);

	/* Two retirements behind one reader, freed together. */
	g3 = publish_next(d);
	(void)publish_next(d);
	assert_int_equal(gw_gen_retired_count(d), 2);
	assert_int_equal(live(), 3);
	gw_gen_quiescent(d, 0);
	assert_int_equal(gw_gen_reclaim(d), 2);
	assert_int_equal(live(), 1);
	assert_int_equal(gw_gen_current_number(d), 4);
	(void)g3;

	/* The writer lock hands out the current generation. */
	cur = gw_gen_writer_lock(d);
	assert_non_null(cur);
	assert_int_equal(cur->number, 4);
	assert_true(tgen_whole(cur));
	gw_gen_writer_unlock(d);

	/* A reader that quiesces right away lets publish reclaim at once. */
	(void)publish_next(d);
	gw_gen_quiescent(d, 0);
	(void)publish_next(d); /* reclaims 4 inside publish, retires 5 */
	assert_int_equal(gw_gen_retired_count(d), 1);
	assert_int_equal(live(), 2);

	gw_gen_reader_unregister(d, 0);
	assert_int_equal(gw_gen_synchronize(d, 1000), 0);
	assert_int_equal(live(), 1);
	gw_gen_domain_free(d);
	assert_int_equal(live(), 0);
}

/* ---- 2. stress: whole generations only ---- */

struct reader_ctx {
	struct gw_gen_domain *d;
	unsigned int id;
	bool go_offline; /* now and then go offline and back */
	uint64_t reads;  /* atomic, polled by the writer */
	uint64_t violations;
	uint64_t backwards;
	uint64_t distinct;
	uint64_t nulls;
	int reg_ret;
} __rte_cache_aligned;

static int
stress_reader(void *arg)
{
	struct reader_ctx *r = arg;
	uint64_t last = 0, reads = 0;

	r->reg_ret = gw_gen_reader_register(r->d, r->id);
	__atomic_add_fetch(&stress_ready, 1, __ATOMIC_RELEASE);
	if (r->reg_ret != 0)
		return -1;
	while (!__atomic_load_n(&stress_stop, __ATOMIC_ACQUIRE)) {
		const struct gw_gen *g = gw_gen_acquire(r->d);

		if (g == NULL) {
			r->nulls++;
		} else {
			uint64_t n = g->number;

			if (!tgen_whole(g))
				r->violations++;
			if (n < last)
				r->backwards++;
			if (n != last)
				r->distinct++;
			last = n;
			/* Now and then hold on across a reschedule: a long read. */
			if ((reads & 63) == 0) {
				sched_yield();
				if (!tgen_whole(g) || g->number != n)
					r->violations++;
			}
			reads++;
			__atomic_store_n(&r->reads, reads, __ATOMIC_RELEASE);
		}
		gw_gen_quiescent(r->d, r->id);
		if (r->go_offline && (reads & 255) == 128) {
			gw_gen_reader_offline(r->d, r->id);
			sched_yield();
			gw_gen_reader_online(r->d, r->id);
		}
		rte_pause();
	}
	gw_gen_reader_unregister(r->d, r->id);
	return 0;
}

/* Run @nb_updates publications under the reader lcores; returns the domain. */
static struct gw_gen_domain *
stress_run(const char *name, unsigned int nb_updates, unsigned int checkpoint,
	struct reader_ctx *rc, unsigned int *nb_readers)
{
	struct gw_gen_domain *d = gw_gen_domain_create(name, MAX_READERS);
	unsigned int lcore, n = 0, max_retired = 0;

	assert_non_null(d);
	(void)publish_next(d); /* readers start with something to read */

	__atomic_store_n(&stress_stop, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&stress_ready, 0, __ATOMIC_RELAXED);
	RTE_LCORE_FOREACH_WORKER(lcore) {
		memset(&rc[n], 0, sizeof(rc[n]));
		rc[n].d = d;
		rc[n].id = n;
		rc[n].go_offline = (n == 1);
		assert_int_equal(rte_eal_remote_launch(stress_reader, &rc[n], lcore), 0);
		n++;
	}
	*nb_readers = n;
	while (__atomic_load_n(&stress_ready, __ATOMIC_ACQUIRE) < n)
		sched_yield();

	for (unsigned int i = 1; i <= nb_updates; i++) {
		(void)publish_next(d);
		/* Everything allocated is either current or waiting for readers. */
		assert_int_equal(live(), 1 + gw_gen_retired_count(d));
		max_retired = RTE_MAX(max_retired, gw_gen_retired_count(d));
		if (i % checkpoint != 0)
			continue;
		/* Hand over: wait until every reader made two more reads. */
		for (unsigned int k = 0; k < n; k++) {
			uint64_t seen = __atomic_load_n(&rc[k].reads, __ATOMIC_ACQUIRE);

			while (__atomic_load_n(&rc[k].reads, __ATOMIC_ACQUIRE) < seen + 2)
				sched_yield();
		}
	}
	__atomic_store_n(&stress_stop, 1, __ATOMIC_RELEASE);
	RTE_LCORE_FOREACH_WORKER(lcore)
		assert_int_equal(rte_eal_wait_lcore(lcore), 0);
	print_message(
		"%s: %u publications, at most %u retired at once\n", name, nb_updates, max_retired);
	return d;
}

static void
test_gen_stress_whole_generations(void **state)
{
	struct reader_ctx rc[RTE_MAX_LCORE];
	struct gw_gen_domain *d;
	const unsigned int updates = 20000;
	unsigned int nb_readers;

	(void)state;
	assert_int_equal(live(), 0);
	d = stress_run("stress", updates, STRESS_CHECKPOINT, rc, &nb_readers);
	assert_true(nb_readers >= 2);

	for (unsigned int k = 0; k < nb_readers; k++) {
		print_message("reader %u: %" PRIu64 " reads, %" PRIu64 " generations seen, "
			      "%" PRIu64 " torn, %" PRIu64 " backwards\n",
			k, rc[k].reads, rc[k].distinct, rc[k].violations, rc[k].backwards);
		assert_int_equal(rc[k].reg_ret, 0);
		assert_int_equal(rc[k].violations, 0);
		assert_int_equal(rc[k].backwards, 0);
		assert_int_equal(rc[k].nulls, 0);
		/* Every checkpoint made each reader read after new publications. */
		assert_true(rc[k].reads >= 2 * (updates / STRESS_CHECKPOINT));
		assert_true(rc[k].distinct >= 2);
	}
	assert_int_equal(gw_gen_current_number(d), updates + 1);

	/* Updates stopped: only the current generation is left. */
	assert_int_equal(gw_gen_synchronize(d, 5000), 0);
	assert_int_equal(gw_gen_retired_count(d), 0);
	assert_int_equal(live(), 1);
	assert_true(tgen_whole(gw_gen_acquire(d)));
	gw_gen_domain_free(d);
	assert_int_equal(live(), 0);
}

/* ---- 3. memory returns to baseline ---- */

static void
test_gen_memory_baseline(void **state)
{
	struct reader_ctx rc[RTE_MAX_LCORE];
	uint64_t count0, bytes0, count1, bytes1;
	unsigned int nb_readers;

	(void)state;
	assert_int_equal(live(), 0);
	heap_usage(&count0, &bytes0);
	for (unsigned int round = 0; round < 3; round++) {
		struct gw_gen_domain *d = stress_run("mem", 3000, 1000, rc, &nb_readers);

		for (unsigned int k = 0; k < nb_readers; k++)
			assert_int_equal(rc[k].violations, 0);
		assert_int_equal(gw_gen_synchronize(d, 5000), 0);
		assert_int_equal(live(), 1);
		/* More reclaims find nothing; the number stays. */
		assert_int_equal(gw_gen_reclaim(d), 0);
		assert_int_equal(gw_gen_current_number(d), 3001);
		gw_gen_domain_free(d);
		assert_int_equal(live(), 0);
		heap_usage(&count1, &bytes1);
		assert_int_equal(count1, count0);
		assert_int_equal(bytes1, bytes0);
	}
}

/* ---- 4. offline readers, stuck readers, timeouts ---- */

struct stuck_ctx {
	struct gw_gen_domain *d;
	unsigned int id;
	bool intact;
	uint64_t held;
};

static int
stuck_reader(void *arg)
{
	struct stuck_ctx *s = arg;
	const struct gw_gen *g;

	if (gw_gen_reader_register(s->d, s->id) != 0)
		return -1;
	g = gw_gen_acquire(s->d);
	s->held = g != NULL ? g->number : 0;
	s->intact = g != NULL && tgen_whole(g);
	__atomic_store_n(&stuck_state, 1, __ATOMIC_RELEASE);
	/* Never quiescent while told to hold on. */
	while (__atomic_load_n(&stuck_state, __ATOMIC_ACQUIRE) != 2)
		rte_pause();
	s->intact = s->intact && tgen_whole(g) && g->number == s->held;
	gw_gen_quiescent(s->d, s->id);
	gw_gen_reader_unregister(s->d, s->id);
	return 0;
}

static void
test_gen_offline_and_stuck_readers(void **state)
{
	struct stuck_ctx s = {0};
	struct gw_gen_domain *d;
	unsigned int lcore;

	(void)state;
	assert_int_equal(live(), 0);
	__atomic_store_n(&stuck_state, 0, __ATOMIC_RELAXED);
	d = gw_gen_domain_create("stuck", MAX_READERS);
	assert_non_null(d);
	(void)publish_next(d);

	/* A registered reader that went offline blocks nothing. */
	assert_int_equal(gw_gen_reader_register(d, 1), 0);
	gw_gen_reader_offline(d, 1);
	(void)publish_next(d);
	(void)publish_next(d);
	assert_int_equal(gw_gen_retired_count(d), 0); /* reclaimed inside publish */
	assert_int_equal(live(), 1);
	assert_int_equal(gw_gen_synchronize(d, 0), 0);

	/* Back online, it blocks again until it reports. */
	gw_gen_reader_online(d, 1);
	(void)publish_next(d);
	assert_int_equal(gw_gen_retired_count(d), 1);
	assert_int_equal(gw_gen_synchronize(d, 0), -ETIMEDOUT);
	gw_gen_quiescent(d, 1);
	assert_int_equal(gw_gen_reclaim(d), 1);
	gw_gen_reader_offline(d, 1);

	/* A real reader lcore holds generation 4 and never reports. */
	lcore = rte_get_next_lcore(-1, 1, 0);
	assert_true(lcore < RTE_MAX_LCORE);
	s.d = d;
	s.id = 0;
	assert_int_equal(rte_eal_remote_launch(stuck_reader, &s, lcore), 0);
	while (__atomic_load_n(&stuck_state, __ATOMIC_ACQUIRE) != 1)
		rte_pause();
	assert_int_equal(s.held, 4);
	(void)publish_next(d);
	(void)publish_next(d);
	assert_int_equal(gw_gen_retired_count(d), 2);
	assert_int_equal(gw_gen_reclaim(d), 0);
	assert_int_equal(gw_gen_synchronize(d, 20), -ETIMEDOUT);
	assert_int_equal(gw_gen_retired_count(d), 2); /* the rest stays retired */
	assert_int_equal(live(), 3);

	/* Let go: the reader checks what it held, reports, leaves. */
	__atomic_store_n(&stuck_state, 2, __ATOMIC_RELEASE);
	assert_int_equal(rte_eal_wait_lcore(lcore), 0);
	assert_true(s.intact);
	assert_int_equal(gw_gen_synchronize(d, 5000), 0);
	assert_int_equal(gw_gen_retired_count(d), 0);
	assert_int_equal(live(), 1);

	gw_gen_reader_unregister(d, 1);
	gw_gen_domain_free(d);
	assert_int_equal(live(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_gen_basic_publish_reclaim, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(
			test_gen_stress_whole_generations, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(
			test_gen_memory_baseline, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(
			test_gen_offline_and_stuck_readers, test_setup, test_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
