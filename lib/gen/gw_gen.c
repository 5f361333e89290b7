/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generations: publication with a release store, deferred reclamation with
 * rte_rcu_qsbr (design.md §2). See gw_gen.h for the contract.
 *
 * The writer side is serialised by one mutex; the reader side is only
 * rte_rcu_qsbr and the acquire load in gw_gen_acquire(). Retired
 * generations sit on a FIFO list in publication order, each with the token
 * rte_rcu_qsbr_start() returned right after its replacement was stored.
 * Tokens grow along the list, so reclaim stops at the first one whose grace
 * period is not over.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "gw_common.h"
#include "gw_gen.h"

/* How long gw_gen_domain_free() waits for readers before giving up. */
#define GW_GEN_FREE_TIMEOUT_MS 5000
/* Back-off between reclaim attempts in gw_gen_synchronize(). */
#define GW_GEN_SYNC_SLEEP_MIN_NS 20000L
#define GW_GEN_SYNC_SLEEP_MAX_NS 1000000L

struct gw_gen_domain {
	/* Read by every reader on every burst: must match gw_gen_domain_pub. */
	struct gw_gen *current; /* release-stored under lock */
	struct rte_rcu_qsbr *qsv;

	/* Writer side, on its own cache line, away from the readers' line. */
	pthread_mutex_t lock __rte_cache_aligned;
	struct gw_gen *retired_head; /* oldest first */
	struct gw_gen *retired_tail;
	unsigned int nb_retired; /* atomic: read without the lock */
	uint64_t number;         /* atomic: read by any thread */
	unsigned int max_readers;
	char name[32];
};

_Static_assert(
	offsetof(struct gw_gen_domain, current) == offsetof(struct gw_gen_domain_pub, current),
	"gw_gen_domain must start like gw_gen_domain_pub");
_Static_assert(offsetof(struct gw_gen_domain, qsv) == offsetof(struct gw_gen_domain_pub, qsv),
	"gw_gen_domain must start like gw_gen_domain_pub");

static uint64_t
gen_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct gw_gen_domain *
gw_gen_domain_create(const char *name, unsigned int max_readers)
{
	struct gw_gen_domain *d;
	size_t sz;
	int ret;

	if (name == NULL || max_readers == 0) {
		GW_LOG(ERR, "gen domain: invalid arguments (max_readers %u)", max_readers);
		rte_errno = EINVAL;
		return NULL;
	}
	d = rte_zmalloc("gw_gen_domain", sizeof(*d), RTE_CACHE_LINE_SIZE);
	if (d == NULL) {
		GW_LOG(ERR, "gen domain %s: out of memory", name);
		rte_errno = ENOMEM;
		return NULL;
	}
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->max_readers = max_readers;

	sz = rte_rcu_qsbr_get_memsize(max_readers);
	if (sz == 1) {
		GW_LOG(ERR, "gen domain %s: bad reader count %u", name, max_readers);
		rte_free(d);
		rte_errno = EINVAL;
		return NULL;
	}
	d->qsv = rte_zmalloc("gw_gen_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (d->qsv == NULL) {
		GW_LOG(ERR, "gen domain %s: out of memory for QSBR (%zu bytes)", name, sz);
		rte_free(d);
		rte_errno = ENOMEM;
		return NULL;
	}
	if (rte_rcu_qsbr_init(d->qsv, max_readers) != 0) {
		GW_LOG(ERR, "gen domain %s: rte_rcu_qsbr_init failed: %s", name,
			rte_strerror(rte_errno));
		rte_free(d->qsv);
		rte_free(d);
		rte_errno = EINVAL;
		return NULL;
	}
	ret = pthread_mutex_init(&d->lock, NULL);
	if (ret != 0) {
		GW_LOG(ERR, "gen domain %s: mutex init failed: %s", name, strerror(ret));
		rte_free(d->qsv);
		rte_free(d);
		rte_errno = ret;
		return NULL;
	}
	return d;
}

/*
 * Unlink every retired generation whose grace period is over and return
 * them as a list for the caller to free once the lock is dropped.
 */
static struct gw_gen *
gen_collect_locked(struct gw_gen_domain *d)
{
	struct gw_gen *done = NULL, **done_tail = &done;
	struct gw_gen *g;
	unsigned int n = 0;

	while ((g = d->retired_head) != NULL) {
		if (rte_rcu_qsbr_check(d->qsv, g->retire_token, false) != 1)
			break; /* later tokens are larger: they cannot be done either */
		d->retired_head = g->next_retired;
		g->next_retired = NULL;
		*done_tail = g;
		done_tail = &g->next_retired;
		n++;
	}
	if (d->retired_head == NULL)
		d->retired_tail = NULL;
	if (n != 0)
		__atomic_store_n(&d->nb_retired, d->nb_retired - n, __ATOMIC_RELAXED);
	return done;
}

static unsigned int
gen_free_list(struct gw_gen *g)
{
	unsigned int n = 0;

	while (g != NULL) {
		struct gw_gen *next = g->next_retired;

		g->next_retired = NULL;
		g->free(g);
		g = next;
		n++;
	}
	return n;
}

uint64_t
gw_gen_publish(struct gw_gen_domain *d, struct gw_gen *g)
{
	struct gw_gen *old, *done, *r;
	uint64_t number;

	if (d == NULL || g == NULL || g->free == NULL) {
		GW_LOG(ERR, "gen publish: invalid arguments (generation or destructor missing)");
		return 0;
	}
	pthread_mutex_lock(&d->lock);
	old = d->current;
	if (g == old) {
		pthread_mutex_unlock(&d->lock);
		GW_LOG(ERR, "gen domain %s: generation %" PRIu64 " published twice", d->name,
			g->number);
		return 0;
	}
	for (r = d->retired_head; r != NULL; r = r->next_retired) {
		if (r == g) {
			pthread_mutex_unlock(&d->lock);
			GW_LOG(ERR, "gen domain %s: retired generation %" PRIu64 " published again",
				d->name, g->number);
			return 0;
		}
	}

	number = d->number + 1;
	g->number = number;
	g->published_ns = gen_now_ns();
	g->next_retired = NULL;
	g->retire_token = 0;
	/* Everything the writer built is visible before the pointer. */
	__atomic_store_n(&d->current, g, __ATOMIC_RELEASE);
	__atomic_store_n(&d->number, number, __ATOMIC_RELEASE);

	if (old != NULL) {
		/* Readers that report quiescent after this token can't hold @old. */
		old->retire_token = rte_rcu_qsbr_start(d->qsv);
		old->next_retired = NULL;
		if (d->retired_tail == NULL)
			d->retired_head = old;
		else
			d->retired_tail->next_retired = old;
		d->retired_tail = old;
		__atomic_store_n(&d->nb_retired, d->nb_retired + 1, __ATOMIC_RELAXED);
	}
	done = gen_collect_locked(d);
	pthread_mutex_unlock(&d->lock);

	gen_free_list(done);
	return number;
}

unsigned int
gw_gen_reclaim(struct gw_gen_domain *d)
{
	struct gw_gen *done;

	if (d == NULL)
		return 0;
	pthread_mutex_lock(&d->lock);
	done = gen_collect_locked(d);
	pthread_mutex_unlock(&d->lock);
	return gen_free_list(done);
}

int
gw_gen_synchronize(struct gw_gen_domain *d, unsigned int timeout_ms)
{
	uint64_t deadline;
	long sleep_ns = GW_GEN_SYNC_SLEEP_MIN_NS;

	if (d == NULL)
		return -EINVAL;
	deadline = gen_now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	for (;;) {
		struct timespec ts;
		uint64_t now;

		gw_gen_reclaim(d);
		if (__atomic_load_n(&d->nb_retired, __ATOMIC_RELAXED) == 0)
			return 0;
		now = gen_now_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		if ((uint64_t)sleep_ns > deadline - now)
			sleep_ns = (long)(deadline - now);
		ts.tv_sec = 0;
		ts.tv_nsec = sleep_ns;
		nanosleep(&ts, NULL);
		if (sleep_ns < GW_GEN_SYNC_SLEEP_MAX_NS)
			sleep_ns *= 2;
	}
}

void
gw_gen_domain_free(struct gw_gen_domain *d)
{
	uint32_t readers;
	int ret;

	if (d == NULL)
		return;
	readers = __atomic_load_n(&d->qsv->num_threads, __ATOMIC_ACQUIRE);
	if (readers != 0) {
		/* Freeing under a registered reader would be a use after free. */
		GW_LOG(ERR, "gen domain %s: freed with %u readers registered, leaking it", d->name,
			readers);
		return;
	}
	ret = gw_gen_synchronize(d, GW_GEN_FREE_TIMEOUT_MS);
	if (ret != 0) {
		GW_LOG(ERR, "gen domain %s: readers never went quiescent, leaking it", d->name);
		return;
	}
	if (d->current != NULL) {
		struct gw_gen *cur = d->current;

		__atomic_store_n(&d->current, NULL, __ATOMIC_RELEASE);
		cur->free(cur);
	}
	pthread_mutex_destroy(&d->lock);
	rte_free(d->qsv);
	rte_free(d);
}

int
gw_gen_reader_register(struct gw_gen_domain *d, unsigned int reader_id)
{
	if (d == NULL || reader_id >= d->max_readers) {
		GW_LOG(ERR, "gen domain: invalid reader id %u", reader_id);
		return -EINVAL;
	}
	if (rte_rcu_qsbr_thread_register(d->qsv, reader_id) != 0) {
		GW_LOG(ERR, "gen domain %s: cannot register reader %u: %s", d->name, reader_id,
			rte_strerror(rte_errno));
		return -rte_errno;
	}
	rte_rcu_qsbr_thread_online(d->qsv, reader_id);
	return 0;
}

void
gw_gen_reader_unregister(struct gw_gen_domain *d, unsigned int reader_id)
{
	if (d == NULL || reader_id >= d->max_readers)
		return;
	rte_rcu_qsbr_thread_offline(d->qsv, reader_id);
	rte_rcu_qsbr_thread_unregister(d->qsv, reader_id);
}

void
gw_gen_reader_offline(struct gw_gen_domain *d, unsigned int reader_id)
{
	if (unlikely(d == NULL || reader_id >= d->max_readers))
		return;
	rte_rcu_qsbr_thread_offline(d->qsv, reader_id);
}

void
gw_gen_reader_online(struct gw_gen_domain *d, unsigned int reader_id)
{
	if (unlikely(d == NULL || reader_id >= d->max_readers))
		return;
	rte_rcu_qsbr_thread_online(d->qsv, reader_id);
}

const struct gw_gen *
gw_gen_writer_lock(struct gw_gen_domain *d)
{
	if (d == NULL)
		return NULL;
	pthread_mutex_lock(&d->lock);
	return d->current;
}

void
gw_gen_writer_unlock(struct gw_gen_domain *d)
{
	if (d == NULL)
		return;
	pthread_mutex_unlock(&d->lock);
}

uint64_t
gw_gen_current_number(const struct gw_gen_domain *d)
{
	if (d == NULL)
		return 0;
	return __atomic_load_n(&d->number, __ATOMIC_ACQUIRE);
}

unsigned int
gw_gen_retired_count(const struct gw_gen_domain *d)
{
	if (d == NULL)
		return 0;
	return __atomic_load_n(&d->nb_retired, __ATOMIC_RELAXED);
}
