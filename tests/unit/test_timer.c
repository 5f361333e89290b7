/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/timer: the hashed timer wheel alone, driven by a virtual microsecond
 * clock.
 *
 * Directed tests cover each promise of gw_timer.h: arm, cancel, re-arm
 * (move), the count, firing at the first run whose now reaches the expiry
 * and not a tick later (no rounding), order across ticks, expiries in the
 * past, expiries several turns ahead, clock jumps of many turns (each slot
 * visited once, all due timers in expiry order), a clock that goes back,
 * callbacks that re-arm themselves, arm others or cancel a sibling waiting
 * in the same run, and freeing a wheel with timers still armed. A
 * randomized run against a plain array model checks that every timer fires
 * exactly once, at the first run with now >= its expiry. Needs EAL
 * (rte_zmalloc).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_memory.h>

#include "gw_timer.h"
#include "gw_test_eal.h"

#define SLOTS 64
#define TICK 1000       /* us */
#define TURN ((uint64_t)SLOTS * TICK)

/* What callbacks saw, in order. */
struct fire_log {
	struct gw_timer *t[4096];
	uint64_t expire[4096];
	unsigned int n;
};

static struct fire_log *
log_new(void)
{
	struct fire_log *l = calloc(1, sizeof(*l));

	assert_non_null(l);
	return l;
}

static void
log_cb(struct gw_timer *t, void *arg)
{
	struct fire_log *l = arg;

	/* Already disarmed when called. */
	assert_false(gw_timer_armed(t));
	assert_true(l->n < RTE_DIM(l->t));
	l->t[l->n] = t;
	l->expire[l->n] = t->expire;
	l->n++;
}

static struct gw_timer_wheel *
new_wheel(uint32_t slots, uint32_t tick, uint64_t now)
{
	struct gw_timer_wheel *w = gw_timer_wheel_create(slots, tick, now, SOCKET_ID_ANY);

	assert_non_null(w);
	return w;
}

static int
group_setup(void **state)
{
	(void)state;
	return gw_test_eal_init(1) == 0 ? 0 : -1;
}

/* ---------------------------------------------------------------- basics */

static void
test_timer_create_rejects_bad_args(void **state)
{
	struct gw_timer_wheel *w;

	(void)state;
	assert_null(gw_timer_wheel_create(0, TICK, 0, SOCKET_ID_ANY));
	assert_null(gw_timer_wheel_create(100, TICK, 0, SOCKET_ID_ANY));
	assert_null(gw_timer_wheel_create(SLOTS, 0, 0, SOCKET_ID_ANY));
	w = new_wheel(1, TICK, 0);      /* one slot is a power of two */
	assert_int_equal(gw_timer_wheel_count(w), 0);
	gw_timer_wheel_free(w);
	gw_timer_wheel_free(NULL);
}

static void
test_timer_arm_cancel_count(void **state)
{
	struct gw_timer_wheel *w = new_wheel(SLOTS, TICK, 5000);
	struct fire_log *l = log_new();
	struct gw_timer a, b, c;

	(void)state;
	gw_timer_init(&a);
	gw_timer_init(&b);
	gw_timer_init(&c);
	assert_false(gw_timer_armed(&a));
	gw_timer_cancel(&a);            /* harmless when not armed */
	gw_timer_arm(w, &a, 10000);
	gw_timer_arm(w, &b, 10000);     /* same slot */
	gw_timer_arm(w, &c, 20000);
	assert_true(gw_timer_armed(&a));
	assert_int_equal(a.expire, 10000);
	assert_int_equal(gw_timer_wheel_count(w), 3);
	gw_timer_cancel(&a);
	assert_false(gw_timer_armed(&a));
	assert_int_equal(gw_timer_wheel_count(w), 2);
	gw_timer_cancel(&a);
	assert_int_equal(gw_timer_wheel_count(w), 2);

	assert_int_equal(gw_timer_wheel_run(w, 15000, log_cb, l), 1);
	assert_int_equal(l->n, 1);
	assert_ptr_equal(l->t[0], &b);
	assert_false(gw_timer_armed(&b));
	assert_int_equal(gw_timer_wheel_count(w), 1);
	/* Cancel the last one: nothing fires later. */
	gw_timer_cancel(&c);
	assert_int_equal(gw_timer_wheel_count(w), 0);
	assert_int_equal(gw_timer_wheel_run(w, 100000, log_cb, l), 0);
	assert_int_equal(l->n, 1);
	gw_timer_wheel_free(w);
	free(l);
}

static void
test_timer_rearm_moves(void **state)
{
	struct gw_timer_wheel *w = new_wheel(SLOTS, TICK, 0);
	struct fire_log *l = log_new();
	struct gw_timer a;

	(void)state;
	gw_timer_init(&a);
	gw_timer_arm(w, &a, 3000);
	gw_timer_arm(w, &a, 9000);      /* later: moves, stays one timer */
	assert_int_equal(gw_timer_wheel_count(w), 1);
	assert_int_equal(gw_timer_wheel_run(w, 5000, log_cb, l), 0);
	gw_timer_arm(w, &a, 7000);      /* earlier again */
	assert_int_equal(gw_timer_wheel_run(w, 6999, log_cb, l), 0);
	assert_int_equal(gw_timer_wheel_run(w, 7000, log_cb, l), 1);
	assert_int_equal(gw_timer_wheel_run(w, 20000, log_cb, l), 0);
	assert_int_equal(l->n, 1);
	assert_int_equal(l->expire[0], 7000);
	assert_int_equal(gw_timer_wheel_count(w), 0);
	gw_timer_wheel_free(w);
	free(l);
}

/* Exact boundary: not rounded to the tick either way. */
static void
test_timer_fires_at_expiry_not_tick(void **state)
{
	struct gw_timer_wheel *w = new_wheel(SLOTS, TICK, 0);
	struct fire_log *l = log_new();
	struct gw_timer a, b;

	(void)state;
	gw_timer_init(&a);
	gw_timer_init(&b);
	gw_timer_arm(w, &a, 2300);      /* mid-tick */
	gw_timer_arm(w, &b, 3000);      /* on a tick */
	assert_int_equal(gw_timer_wheel_run(w, 2299, log_cb, l), 0);
	assert_int_equal(gw_timer_wheel_run(w, 2300, log_cb, l), 1);
	assert_ptr_equal(l->t[0], &a);
	assert_int_equal(gw_timer_wheel_run(w, 2999, log_cb, l), 0);
	assert_int_equal(gw_timer_wheel_run(w, 3000, log_cb, l), 1);
	assert_ptr_equal(l->t[1], &b);
	gw_timer_wheel_free(w);
	free(l);
}

static void
test_timer_order_across_ticks(void **state)
{
	struct gw_timer_wheel *w = new_wheel(SLOTS, TICK, 0);
	struct fire_log *l = log_new();
	struct gw_timer t[20];
	unsigned int i;

	(void)state;
	/* Armed in scrambled order, one tick or more apart, within one turn. */
	for (i = 0; i < RTE_DIM(t); i++) {
		gw_timer_init(&t[i]);
		gw_timer_arm(w, &t[i], 1000 + (uint64_t)((i * 7) % 20) * 2500);
	}
	assert_int_equal(gw_timer_wheel_run(w, 60000, log_cb, l), 20);
	for (i = 1; i < l->n; i++)
		assert_true(l->expire[i - 1] < l->expire[i]);
	gw_timer_wheel_free(w);
	free(l);
}

static void
test_timer_past_expiry_fires_next_run(void **state)
{
	struct gw_timer_wheel *w = new_wheel(SLOTS, TICK, 0);
	struct fire_log *l = log_new();
	struct gw_timer a, b, c;

	(void)state;
	gw_timer_init(&a);
	gw_timer_init(&b);
	gw_timer_init(&c);
	assert_int_equal(gw_timer_wheel_run(w, 500000, log_cb, l), 0);
	gw_timer_arm(w, &a, 0);                 /* long past */
	gw_timer_arm(w, &b, 499999);            /* just past */
	gw_timer_arm(w, &c, 500000);            /* now */
	assert_int_equal(gw_timer_wheel_run(w, 500000, log_cb, l), 3);
	/* And a past expiry also fires when the next run comes much later. */
	gw_timer_arm(w, &a, 1);
	assert_int_equal(gw_timer_wheel_run(w, 500000 + 10 * TURN + 17, log_cb, l), 1);
	assert_int_equal(l->n, 4);
	gw_timer_wheel_free(w);
	free(l);
}

/* Further away than one turn: skipped on the turns before its own. */
static void
test_timer_several_turns_ahead(void **state)
{
	struct gw_timer_wheel *w = new_wheel(SLOTS, TICK, 0);
	struct fire_log *l = log_new();
	struct gw_timer a, b;
	uint64_t now;

	(void)state;
	gw_timer_init(&a);
	gw_timer_init(&b);
	gw_timer_arm(w, &a, 5 * TURN + 1500);
	gw_timer_arm(w, &b, 1500);              /* same slot, this turn */
	for (now = 0; now < 5 * TURN + 1500; now += 250) {
		gw_timer_wheel_run(w, now, log_cb, l);
		if (now >= 1500) {
			assert_int_equal(l->n, 1);
			assert_ptr_equal(l->t[0], &b);
		} else {
			assert_int_equal(l->n, 0);
		}
		assert_true(gw_timer_armed(&a));
	}
	assert_int_equal(gw_timer_wheel_run(w, 5 * TURN + 1500, log_cb, l), 1);
	assert_ptr_equal(l->t[1], &a);
	assert_int_equal(gw_timer_wheel_count(w), 0);
	gw_timer_wheel_free(w);
	free(l);
}

/*
 * A jump of many turns: every due timer fires once, in expiry order, the
 * others stay; one run over 60 s of 1 ms ticks must not take 60000 visits
 * (not measurable here, but 2^40 ticks would hang).
 */
static void
test_timer_big_jump(void **state)
{
	struct gw_timer_wheel *w = new_wheel(SLOTS, TICK, 1000);
	struct fire_log *l = log_new();
	static struct gw_timer t[1000];
	uint64_t jump = 60ull * 1000 * 1000, far = (1ull << 40) * TICK;
	unsigned int i, due = 0;

	(void)state;
	for (i = 0; i < RTE_DIM(t); i++) {
		uint64_t e = 1000 + ((uint64_t)i * 104729u) % (2 * jump);

		gw_timer_init(&t[i]);
		gw_timer_arm(w, &t[i], e);
		if (e <= jump)
			due++;
	}
	assert_int_equal(gw_timer_wheel_run(w, jump, log_cb, l), due);
	assert_int_equal(l->n, due);
	for (i = 0; i < l->n; i++) {
		assert_true(l->expire[i] <= jump);
		if (i > 0)
			assert_true(l->expire[i - 1] <= l->expire[i]);
	}
	assert_int_equal(gw_timer_wheel_count(w), RTE_DIM(t) - due);
	for (i = 0; i < RTE_DIM(t); i++)
		assert_true(gw_timer_armed(&t[i]) == (t[i].expire > jump));
	/* The rest, after an absurd jump. */
	l->n = 0;
	assert_int_equal(gw_timer_wheel_run(w, far, log_cb, l), RTE_DIM(t) - due);
	for (i = 1; i < l->n; i++)
		assert_true(l->expire[i - 1] <= l->expire[i]);
	assert_int_equal(gw_timer_wheel_count(w), 0);
	/* The wheel keeps working after it. */
	gw_timer_arm(w, &t[0], far + 2500);
	assert_int_equal(gw_timer_wheel_run(w, far + 2499, log_cb, l), 0);
	assert_int_equal(gw_timer_wheel_run(w, far + 2500, log_cb, l), 1);
	gw_timer_wheel_free(w);
	free(l);
}

static void
test_timer_clock_back(void **state)
{
	struct gw_timer_wheel *w = new_wheel(SLOTS, TICK, 0);
	struct fire_log *l = log_new();
	struct gw_timer a;

	(void)state;
	gw_timer_init(&a);
	assert_int_equal(gw_timer_wheel_run(w, 50000, log_cb, l), 0);
	gw_timer_arm(w, &a, 40000);
	assert_int_equal(gw_timer_wheel_run(w, 30000, log_cb, l), 0);  /* back: not yet */
	assert_int_equal(gw_timer_wheel_run(w, 40000, log_cb, l), 1);
	gw_timer_wheel_free(w);
	free(l);
}

/* ---------------------------------------------------------------- callbacks */

struct ctx {
	struct gw_timer_wheel *w;
	uint64_t period;                /* re-arm self this far after its expiry */
	unsigned int rearms_left;
	unsigned int calls;
};

static void
rearm_self_cb(struct gw_timer *t, void *arg)
{
	struct ctx *c = arg;

	c->calls++;
	if (c->rearms_left > 0) {
		c->rearms_left--;
		gw_timer_arm(c->w, t, t->expire + c->period);
	}
}

static void
test_timer_cb_rearms_itself(void **state)
{
	struct gw_timer_wheel *w = new_wheel(SLOTS, TICK, 0);
	struct ctx c = { .w = w, .period = 3 * TICK, .rearms_left = 4 };
	struct gw_timer a;
	uint64_t now;

	(void)state;
	gw_timer_init(&a);
	gw_timer_arm(w, &a, 1000);
	/* One run covering all: each re-arm waits for a later run. */
	assert_int_equal(gw_timer_wheel_run(w, 100000, rearm_self_cb, &c), 1);
	assert_true(gw_timer_armed(&a));
	assert_int_equal(gw_timer_wheel_run(w, 100000, rearm_self_cb, &c), 1);
	assert_int_equal(gw_timer_wheel_run(w, 100000, rearm_self_cb, &c), 1);
	assert_int_equal(gw_timer_wheel_run(w, 100000, rearm_self_cb, &c), 1);
	assert_int_equal(gw_timer_wheel_run(w, 100000, rearm_self_cb, &c), 1);
	assert_false(gw_timer_armed(&a));
	assert_int_equal(gw_timer_wheel_run(w, 100000, rearm_self_cb, &c), 0);
	assert_int_equal(c.calls, 5);

	/* Periodic in step with the clock: fires once per period, same slot each turn. */
	c.rearms_left = 1000;
	c.calls = 0;
	c.period = TURN;
	gw_timer_arm(w, &a, 200000);
	for (now = 100000; now < 200000 + 10 * TURN; now += TICK / 2)
		gw_timer_wheel_run(w, now, rearm_self_cb, &c);
	assert_int_equal(c.calls, 10);
	gw_timer_cancel(&a);
	gw_timer_wheel_free(w);
}

/* Re-arms itself to "now" forever: must not loop inside one run. */
static void
rearm_now_cb(struct gw_timer *t, void *arg)
{
	struct ctx *c = arg;

	c->calls++;
	gw_timer_arm(c->w, t, t->expire);
}

static void
test_timer_cb_rearm_due_waits_next_run(void **state)
{
	struct gw_timer_wheel *w = new_wheel(SLOTS, TICK, 0);
	struct ctx c = { .w = w };
	struct gw_timer a, b;

	(void)state;
	gw_timer_init(&a);
	gw_timer_init(&b);
	gw_timer_arm(w, &a, 5000);
	gw_timer_arm(w, &b, 5000 + 3 * TURN);
	assert_int_equal(gw_timer_wheel_run(w, 5000, rearm_now_cb, &c), 1);
	assert_int_equal(gw_timer_wheel_run(w, 5000, rearm_now_cb, &c), 1);
	/* Same after a multi-turn jump, with two of them. */
	assert_int_equal(gw_timer_wheel_run(w, 5000 + 10 * TURN, rearm_now_cb, &c), 2);
	assert_int_equal(gw_timer_wheel_run(w, 5000 + 10 * TURN, rearm_now_cb, &c), 2);
	assert_int_equal(c.calls, 6);
	assert_int_equal(gw_timer_wheel_count(w), 2);
	gw_timer_wheel_free(w);
	/* Freed wheel disarmed them. */
	assert_false(gw_timer_armed(&a));
	assert_false(gw_timer_armed(&b));
	gw_timer_cancel(&a);
}

/*
 * Whichever of @pair fires first cancels the rest of it; the first call
 * also cancels @other (waiting in the wheel) and arms @spawn, already due.
 */
struct sib_ctx {
	struct gw_timer_wheel *w;
	struct gw_timer *pair[3];
	struct gw_timer *other;
	struct gw_timer *spawn;
	unsigned int calls;
	struct gw_timer *seen[8];
};

static void
cancel_siblings_cb(struct gw_timer *t, void *arg)
{
	struct sib_ctx *c = arg;
	unsigned int i;

	assert_true(c->calls < RTE_DIM(c->seen));
	c->seen[c->calls++] = t;
	if (c->calls > 1)
		return;
	for (i = 0; i < RTE_DIM(c->pair); i++) {
		if (c->pair[i] == t)
			continue;
		/* Due in this run and not fired yet: still armed until cancelled. */
		assert_true(gw_timer_armed(c->pair[i]));
		gw_timer_cancel(c->pair[i]);
		assert_false(gw_timer_armed(c->pair[i]));
	}
	gw_timer_cancel(c->other);
	gw_timer_arm(c->w, c->spawn, 0);
}

static void
test_timer_cb_cancels_sibling_same_slot(void **state)
{
	struct gw_timer_wheel *w = new_wheel(SLOTS, TICK, 0);
	struct gw_timer t[3], other, spawn;
	struct sib_ctx c;
	unsigned int i, round;
	uint64_t base;

	(void)state;
	for (round = 0; round < 3; round++) {
		memset(&c, 0, sizeof(c));
		c.w = w;
		for (i = 0; i < 3; i++) {
			gw_timer_init(&t[i]);
			c.pair[i] = &t[i];
		}
		gw_timer_init(&other);
		gw_timer_init(&spawn);
		c.other = &other;
		c.spawn = &spawn;
		/* All three in the slot of tick 7 (of this round's turn), armed in rotated order. */
		base = (uint64_t)round * 2 * TURN + 7 * TICK;
		for (i = 0; i < 3; i++)
			gw_timer_arm(w, &t[(i + round) % 3], base + 100 * i);
		/* Same slot, one turn later: not due, cancelled from the callback. */
		gw_timer_arm(w, &other, base + TURN);
		assert_int_equal(gw_timer_wheel_count(w), 4);
		assert_int_equal(gw_timer_wheel_run(w, base + 500, cancel_siblings_cb, &c), 1);
		assert_int_equal(c.calls, 1);
		for (i = 0; i < 3; i++)
			assert_false(gw_timer_armed(&t[i]));
		assert_false(gw_timer_armed(&other));
		/* The spawned one was due when armed: it fires on the next run. */
		assert_true(gw_timer_armed(&spawn));
		assert_int_equal(gw_timer_wheel_count(w), 1);
		assert_int_equal(gw_timer_wheel_run(w, base + 500, cancel_siblings_cb, &c), 1);
		assert_ptr_equal(c.seen[1], &spawn);
		assert_int_equal(gw_timer_wheel_run(w, base + 2 * TURN, cancel_siblings_cb, &c), 0);
		assert_int_equal(gw_timer_wheel_count(w), 0);
	}
	gw_timer_wheel_free(w);
}

/* A callback may cancel a due timer of a later slot in the same run, after a big jump too. */
static void
test_timer_cb_cancels_other_due(void **state)
{
	struct gw_timer_wheel *w = new_wheel(SLOTS, TICK, 0);
	struct gw_timer a, b, c2;
	struct sib_ctx c;
	unsigned int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		uint64_t now = i == 0 ? 20 * TICK : 1000 * TURN;

		memset(&c, 0, sizeof(c));
		c.w = w;
		gw_timer_init(&a);
		gw_timer_init(&b);
		gw_timer_init(&c2);
		c.pair[0] = &a;
		c.pair[1] = &b;
		c.pair[2] = &a;
		c.other = &c2;
		c.spawn = &c2;
		gw_timer_arm(w, &a, now - 10 * TICK);
		gw_timer_arm(w, &b, now - 5 * TICK);        /* later slot, also due */
		assert_int_equal(gw_timer_wheel_run(w, now, cancel_siblings_cb, &c), 1);
		assert_ptr_equal(c.seen[0], &a);           /* time order */
		assert_false(gw_timer_armed(&b));
		assert_int_equal(gw_timer_wheel_run(w, now, cancel_siblings_cb, &c), 1);
		assert_ptr_equal(c.seen[1], &c2);
	}
	gw_timer_wheel_free(w);
}

/* ---------------------------------------------------------------- randomized */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

#define NT 512

struct model {
	struct gw_timer t[NT];
	bool armed[NT];
	uint64_t expire[NT];
	unsigned int fired_now[NT];     /* fires seen in the current run */
	uint64_t now;
	unsigned int total_fired;
};

static void
model_cb(struct gw_timer *t, void *arg)
{
	struct model *m = arg;
	size_t i = (size_t)(t - m->t);

	assert_true(i < NT);
	assert_true(m->armed[i]);
	assert_true(m->expire[i] <= m->now);    /* never early */
	assert_int_equal(t->expire, m->expire[i]);
	m->fired_now[i]++;
	m->armed[i] = false;
	m->total_fired++;
}

static void
test_timer_randomized_against_model(void **state)
{
	struct model *m = calloc(1, sizeof(*m));
	struct gw_timer_wheel *w;
	bool due[NT];
	unsigned int op, i, armed, fired, n_run = 0, n_jump = 0, n_arm = 0, n_cancel = 0;

	(void)state;
	assert_non_null(m);
	m->now = 123456789;
	w = new_wheel(SLOTS, TICK, m->now);
	for (i = 0; i < NT; i++)
		gw_timer_init(&m->t[i]);
	for (op = 0; op < 10000; op++) {
		uint64_t r = rnd(100);

		i = (unsigned int)rnd(NT);
		if (r < 45) {
			/* Arm or move: past, near, a few turns, far. */
			uint64_t k = rnd(4), e;

			if (k == 0)
				e = m->now - rnd(3 * TURN);
			else if (k == 1)
				e = m->now + rnd(2 * TICK);
			else if (k == 2)
				e = m->now + rnd(5 * TURN);
			else
				e = m->now + rnd(200 * TURN);
			gw_timer_arm(w, &m->t[i], e);
			m->armed[i] = true;
			m->expire[i] = e;
			n_arm++;
		} else if (r < 55) {
			gw_timer_cancel(&m->t[i]);
			m->armed[i] = false;
			n_cancel++;
		} else {
			/* Advance: usually a little, sometimes by many turns. */
			if (rnd(50) == 0) {
				m->now += rnd(100 * TURN);
				n_jump++;
			} else {
				m->now += rnd(3 * TICK);
			}
			memset(m->fired_now, 0, sizeof(m->fired_now));
			for (i = 0; i < NT; i++)
				due[i] = m->armed[i] && m->expire[i] <= m->now;
			fired = gw_timer_wheel_run(w, m->now, model_cb, m);
			for (i = 0; i < NT; i++) {
				/* Exactly the due ones, each once. */
				assert_int_equal(m->fired_now[i], due[i] ? 1 : 0);
				assert_true(gw_timer_armed(&m->t[i]) == m->armed[i]);
				if (due[i])
					fired--;
			}
			assert_int_equal(fired, 0);
			n_run++;
		}
		armed = 0;
		for (i = 0; i < NT; i++)
			armed += m->armed[i];
		assert_int_equal(gw_timer_wheel_count(w), armed);
	}
	print_message("randomized: %u arms, %u cancels, %u runs (%u jumps), %u fired\n",
		n_arm, n_cancel, n_run, n_jump, m->total_fired);
	assert_true(m->total_fired > 1000);
	assert_true(n_jump > 10);
	gw_timer_wheel_free(w);
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_create_rejects_bad_args),
		cmocka_unit_test(test_timer_arm_cancel_count),
		cmocka_unit_test(test_timer_rearm_moves),
		cmocka_unit_test(test_timer_fires_at_expiry_not_tick),
		cmocka_unit_test(test_timer_order_across_ticks),
		cmocka_unit_test(test_timer_past_expiry_fires_next_run),
		cmocka_unit_test(test_timer_several_turns_ahead),
		cmocka_unit_test(test_timer_big_jump),
		cmocka_unit_test(test_timer_clock_back),
		cmocka_unit_test(test_timer_cb_rearms_itself),
		cmocka_unit_test(test_timer_cb_rearm_due_waits_next_run),
		cmocka_unit_test(test_timer_cb_cancels_sibling_same_slot),
		cmocka_unit_test(test_timer_cb_cancels_other_due),
		cmocka_unit_test(test_timer_randomized_against_model),
	};

	return cmocka_run_group_tests_name("gw_timer", tests, group_setup, NULL);
}
