/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A hashed timer wheel (Varghese & Lauck, scheme 6), one per worker: the
 * TCP stack hangs every connection timer on it. Timers are intrusive
 * (struct gw_timer lives in the object it times), arming and cancelling are
 * O(1), and gw_timer_wheel_run() costs one slot visit per elapsed tick plus
 * one check per timer in those slots. A timer further away than one turn of
 * the wheel stays in its slot and is skipped until its turn comes.
 *
 * Times are microseconds of the caller's clock (tests drive a virtual one).
 * The tick only sets how timers are spread over slots: a timer fires at the
 * first gw_timer_wheel_run() whose now is >= its expiry, never earlier, not
 * rounded to the tick. Single-threaded: no locks.
 */
#ifndef GW_TIMER_H
#define GW_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct gw_timer {
	struct gw_timer *next;
	struct gw_timer **pprev;        /* NULL when not armed */
	uint64_t expire;                /* microseconds */
};

struct gw_timer_wheel;

/* Called for each due timer, already disarmed; it may re-arm it or any other timer. */
typedef void (*gw_timer_cb)(struct gw_timer *t, void *arg);

/*
 * @slots: power of two (e.g. 4096); @tick_us: slot width (e.g. 1000).
 * @now_us: the current time. NULL on failure (rte_errno EINVAL or ENOMEM).
 */
struct gw_timer_wheel *gw_timer_wheel_create(uint32_t slots, uint32_t tick_us, uint64_t now_us,
	int socket);
/* Timers still armed are disarmed (their owners may cancel them later, harmlessly). */
void gw_timer_wheel_free(struct gw_timer_wheel *w);

static inline void
gw_timer_init(struct gw_timer *t)
{
	t->next = NULL;
	t->pprev = NULL;
	t->expire = 0;
}

static inline bool
gw_timer_armed(const struct gw_timer *t)
{
	return t->pprev != NULL;
}

/* Arm (or move) @t to fire at @expire_us (a time in the past fires on the next run). */
void gw_timer_arm(struct gw_timer_wheel *w, struct gw_timer *t, uint64_t expire_us);
/* Disarm; harmless on a timer that is not armed. */
void gw_timer_cancel(struct gw_timer *t);

/*
 * Fire every timer with expire <= @now_us, in slot order (so timers a tick
 * or more apart fire in time order; after a jump of more than one turn, all
 * in expiry order). Returns how many fired.
 *
 * The due timers are taken off the wheel before the first callback; a
 * callback may then arm, move or cancel any timer, the one it was called
 * for and those still waiting to fire in this run included (a cancelled one
 * then does not fire). A timer armed from a callback never fires in the same
 * run, even when already due: it fires on the next run. Not reentrant: do
 * not call it from a callback. A clock that goes back fires nothing early.
 */
unsigned int gw_timer_wheel_run(struct gw_timer_wheel *w, uint64_t now_us, gw_timer_cb cb,
	void *arg);
/*
 * Armed timers. gw_timer_cancel() has no wheel to update, so this walks the
 * slots: O(slots + armed), for stats and tests, not for each packet.
 */
uint32_t gw_timer_wheel_count(const struct gw_timer_wheel *w);

#endif /* GW_TIMER_H */
