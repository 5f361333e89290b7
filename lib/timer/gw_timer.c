/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hashed timer wheel. Slot k (mod slots) holds the timers whose expiry
 * falls in tick k = expire / tick_us (rounded down), or in the wheel's
 * current tick when that is already past. A run walks the ticks from the
 * wheel's current one to now's, so the current tick is visited again by the
 * next run: it may still hold timers due later in that tick. Rounding down
 * and comparing each timer with now makes a timer fire at the first run
 * whose now is >= its expiry, never sooner and never a tick later.
 *
 * A run first moves every due timer onto a list of its own, then calls the
 * callbacks while popping that list. The wheel is consistent before any
 * callback runs, so a callback may arm, move or cancel anything, including
 * timers still waiting on the due list (they are linked with pprev like any
 * other armed timer) and the timer it was called for.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "gw_timer.h"

/* Bound on the slot array (128 MiB of heads): larger asks are mistakes. */
#define GW_TIMER_MAX_SLOTS (1u << 24)

struct gw_timer_wheel {
	uint64_t cur;                   /* tick the next run starts at */
	uint32_t mask;                  /* slots - 1 */
	uint32_t tick_us;
	/* While a run calls back: its due list, still armed timers, for the count. */
	struct gw_timer **due;
	struct gw_timer *slot[];
};

static inline void
timer_unlink(struct gw_timer *t)
{
	*t->pprev = t->next;
	if (t->next != NULL)
		t->next->pprev = t->pprev;
	t->next = NULL;
	t->pprev = NULL;
}

static inline void
timer_push(struct gw_timer **head, struct gw_timer *t)
{
	t->next = *head;
	if (t->next != NULL)
		t->next->pprev = &t->next;
	*head = t;
	t->pprev = head;
}

struct gw_timer_wheel *
gw_timer_wheel_create(uint32_t slots, uint32_t tick_us, uint64_t now_us, int socket)
{
	struct gw_timer_wheel *w;

	if (slots == 0 || slots > GW_TIMER_MAX_SLOTS || (slots & (slots - 1)) != 0 ||
			tick_us == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	w = rte_zmalloc_socket("gw_timer_wheel",
		sizeof(*w) + (size_t)slots * sizeof(w->slot[0]), RTE_CACHE_LINE_SIZE, socket);
	if (w == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	w->mask = slots - 1;
	w->tick_us = tick_us;
	w->cur = now_us / tick_us;
	return w;
}

/* Disarm whatever is left, so that a later gw_timer_cancel() on it stays harmless. */
void
gw_timer_wheel_free(struct gw_timer_wheel *w)
{
	uint32_t i;

	if (w == NULL)
		return;
	for (i = 0; i <= w->mask; i++)
		while (w->slot[i] != NULL)
			timer_unlink(w->slot[i]);
	rte_free(w);
}

void
gw_timer_arm(struct gw_timer_wheel *w, struct gw_timer *t, uint64_t expire_us)
{
	uint64_t tick = expire_us / w->tick_us;

	if (t->pprev != NULL)
		timer_unlink(t);
	/*
	 * A tick the wheel has left behind is never visited again: the
	 * current one is, by the next run.
	 */
	if (tick < w->cur)
		tick = w->cur;
	t->expire = expire_us;
	timer_push(&w->slot[tick & w->mask], t);
}

void
gw_timer_cancel(struct gw_timer *t)
{
	if (t->pprev != NULL)
		timer_unlink(t);
}

/*
 * Move the due timers of one slot to the due list's tail (@tail: the last
 * next field of that list) and leave the others in place. Returns the new tail.
 */
static struct gw_timer **
collect_slot(struct gw_timer **head, struct gw_timer **tail, uint64_t now_us)
{
	struct gw_timer *t = *head, *next;

	*head = NULL;
	for (; t != NULL; t = next) {
		next = t->next;
		if (t->expire <= now_us) {
			t->next = NULL;
			t->pprev = tail;
			*tail = t;
			tail = &t->next;
		} else {
			timer_push(head, t);
		}
	}
	return tail;
}

/* Merge two lists sorted by expiry, first ones first on ties (stable). */
static struct gw_timer *
merge_by_expire(struct gw_timer *a, struct gw_timer *b)
{
	struct gw_timer *head = NULL, **tail = &head;

	while (a != NULL && b != NULL) {
		if (b->expire < a->expire) {
			*tail = b;
			b = b->next;
		} else {
			*tail = a;
			a = a->next;
		}
		tail = &(*tail)->next;
	}
	*tail = a != NULL ? a : b;
	return head;
}

/*
 * Sort the due list by expiry: after a jump of more than one turn a slot
 * holds timers from several turns, and slot order is no longer time order.
 * Bottom-up merge sort (no recursion, no memory); rare, so O(n log n) is fine.
 */
static void
sort_due(struct gw_timer **head)
{
	struct gw_timer *list = *head, *a, *b, *rest, *merged, **tail, *t, **pp;
	size_t run, i, nmerges;

	if (list == NULL || list->next == NULL)
		return;
	for (run = 1;; run *= 2) {
		tail = &list;
		rest = list;
		nmerges = 0;
		while (rest != NULL) {
			a = rest;
			for (i = 1; i < run && rest->next != NULL; i++)
				rest = rest->next;
			b = rest->next;
			rest->next = NULL;
			rest = b;
			for (i = 1; i < run && rest != NULL && rest->next != NULL; i++)
				rest = rest->next;
			if (rest != NULL) {
				t = rest->next;
				rest->next = NULL;
				rest = t;
			}
			merged = merge_by_expire(a, b);
			*tail = merged;
			while (*tail != NULL)
				tail = &(*tail)->next;
			nmerges++;
		}
		if (nmerges <= 1)
			break;
	}
	*head = list;
	/* Merging only followed next: rebuild the back links. */
	for (pp = head; *pp != NULL; pp = &(*pp)->next)
		(*pp)->pprev = pp;
}

unsigned int
gw_timer_wheel_run(struct gw_timer_wheel *w, uint64_t now_us, gw_timer_cb cb, void *arg)
{
	struct gw_timer *due = NULL, **tail = &due, *t;
	uint64_t now_tick = now_us / w->tick_us, tick, n;
	unsigned int fired = 0;
	bool several_turns;

	/* A clock that went back: only the current tick can hold due timers. */
	if (now_tick < w->cur)
		now_tick = w->cur;
	n = now_tick - w->cur + 1;
	/* Each slot is checked against now, so one visit each covers any jump. */
	several_turns = n > (uint64_t)w->mask + 1;
	if (several_turns)
		n = (uint64_t)w->mask + 1;
	for (tick = w->cur; n > 0; tick++, n--)
		tail = collect_slot(&w->slot[tick & w->mask], tail, now_us);
	w->cur = now_tick;
	if (due == NULL)
		return 0;
	if (several_turns)
		sort_due(&due);

	/*
	 * Pop one at a time from the head: a callback may take any timer off
	 * this list (cancel or arm) and that must not leave us holding it.
	 * What callbacks arm lands in the wheel, at the current tick at the
	 * earliest, so it waits for the next run even when already due.
	 */
	w->due = &due;
	while (due != NULL) {
		t = due;
		timer_unlink(t);
		fired++;
		cb(t, arg);
	}
	w->due = NULL;
	return fired;
}

static uint32_t
list_len(const struct gw_timer *t)
{
	uint32_t n = 0;

	for (; t != NULL; t = t->next)
		n++;
	return n;
}

/*
 * gw_timer_cancel() gets no wheel (struct gw_timer has no room for one), so
 * nothing can keep a running total: count by walking. O(slots + armed).
 */
uint32_t
gw_timer_wheel_count(const struct gw_timer_wheel *w)
{
	uint32_t i, n = 0;

	for (i = 0; i <= w->mask; i++)
		n += list_len(w->slot[i]);
	if (w->due != NULL)
		n += list_len(*w->due);
	return n;
}
