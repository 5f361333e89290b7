/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generations: RCU publication of immutable configuration (design.md §2).
 *
 * Everything the workers read from the control plane lives in one immutable
 * object, a generation. A domain holds the currently published generation.
 * One writer at a time (the compiler, serialised by the domain's mutex)
 * builds a complete new generation off to the side, then gw_gen_publish()
 * stores its pointer with release semantics and gives it the next number.
 * The generation it replaced is not freed then: it goes on a deferred list
 * and is freed by gw_gen_reclaim() once every registered reader has passed
 * a quiescent state since the swap (rte_rcu_qsbr). Never free on swap.
 *
 * Readers (worker lcores) register once with gw_gen_reader_register(),
 * load the root once per burst with gw_gen_acquire(), must not keep any
 * pointer into it past their next gw_gen_quiescent() call, and call
 * gw_gen_quiescent() once per loop iteration. A reader about to block for
 * long goes offline first (gw_gen_reader_offline()).
 *
 * The caller's root structure embeds struct gw_gen (usually as its first
 * member) and sets ->free, the destructor run on reclaim. Generations are
 * tagged with their number so that tests can verify that a reader always
 * sees exactly one whole generation.
 */
#ifndef GW_GEN_H
#define GW_GEN_H

#include <stdint.h>
#include <stdbool.h>

#include <rte_rcu_qsbr.h>

struct gw_gen {
	uint64_t number;        /* set by gw_gen_publish(), 1, 2, ... */
	uint64_t published_ns;  /* CLOCK_MONOTONIC time of publication */
	void (*free)(struct gw_gen *g); /* destructor, called on reclaim */
	struct gw_gen *next_retired;    /* private to lib/gen */
	uint64_t retire_token;          /* private to lib/gen */
};

struct gw_gen_domain;

/*
 * Create a domain for up to @max_readers readers (reader ids 0..max-1).
 * Returns NULL (and sets rte_errno) on failure.
 */
struct gw_gen_domain *gw_gen_domain_create(const char *name, unsigned int max_readers);

/*
 * Free the domain: waits for readers, reclaims every retired generation and
 * the current one. No reader may be registered any more; if one still is,
 * or readers never go quiescent, the domain is logged and leaked rather than
 * freed under them.
 */
void gw_gen_domain_free(struct gw_gen_domain *d);

/* Reader side: register @reader_id (unique per thread) and go online. 0 or -errno. */
int gw_gen_reader_register(struct gw_gen_domain *d, unsigned int reader_id);
/* Go offline and unregister. */
void gw_gen_reader_unregister(struct gw_gen_domain *d, unsigned int reader_id);
/* Temporarily leave / rejoin (around blocking calls). */
void gw_gen_reader_offline(struct gw_gen_domain *d, unsigned int reader_id);
void gw_gen_reader_online(struct gw_gen_domain *d, unsigned int reader_id);

/* Internal layout exposed for the inline fast path only. */
struct gw_gen_domain_pub {
	struct gw_gen *current;   /* published root, release-stored */
	struct rte_rcu_qsbr *qsv;
};

/*
 * Reader: the current generation, or NULL if none has been published.
 * Valid until the reader's next gw_gen_quiescent().
 */
static inline const struct gw_gen *
gw_gen_acquire(const struct gw_gen_domain *d)
{
	const struct gw_gen_domain_pub *p = (const struct gw_gen_domain_pub *)d;

	return __atomic_load_n(&p->current, __ATOMIC_ACQUIRE);
}

/* Reader: report a quiescent state (no pointers into a generation held). */
static inline void
gw_gen_quiescent(struct gw_gen_domain *d, unsigned int reader_id)
{
	struct gw_gen_domain_pub *p = (struct gw_gen_domain_pub *)d;

	rte_rcu_qsbr_quiescent(p->qsv, reader_id);
}

/*
 * Writer: publish @g as the current generation. @g must be complete and
 * validated; it must not be modified afterwards. Assigns g->number and
 * g->published_ns, retires the previous generation and reclaims whatever
 * has passed its grace period. Returns the new number (>0), or 0 (logged,
 * nothing changed) when @g is NULL, has no ->free, or is already current
 * or retired. Destructors run in the caller's thread, outside the lock.
 */
uint64_t gw_gen_publish(struct gw_gen_domain *d, struct gw_gen *g);

/*
 * Writer: free every retired generation whose grace period is over.
 * Returns how many were freed. Never blocks.
 */
unsigned int gw_gen_reclaim(struct gw_gen_domain *d);

/*
 * Writer: wait until all retired generations can be freed, and free them.
 * Blocks until every online reader has passed a quiescent state, or until
 * @timeout_ms passed (then -ETIMEDOUT, the rest stays retired). Sleeps
 * between attempts. Must not be called by an online reader, nor with the
 * writer lock held.
 */
int gw_gen_synchronize(struct gw_gen_domain *d, unsigned int timeout_ms);

/*
 * Control threads that are not registered readers (the admin server) read
 * the current generation under the writer lock: while it is held nothing is
 * published or reclaimed. Returns the current generation (or NULL). The
 * lock is not recursive: do not publish, reclaim or synchronize under it.
 */
const struct gw_gen *gw_gen_writer_lock(struct gw_gen_domain *d);
void gw_gen_writer_unlock(struct gw_gen_domain *d);

/* Any thread: current number (0 before the first publish). */
uint64_t gw_gen_current_number(const struct gw_gen_domain *d);

/* Any thread: generations retired and not yet reclaimed. */
unsigned int gw_gen_retired_count(const struct gw_gen_domain *d);

#endif /* GW_GEN_H */
