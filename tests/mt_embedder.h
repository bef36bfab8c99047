/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A threaded embedder for the worker tests (test_evacuate, test_spb_defrag):
 * a table of order-0 objects, one slot per owner, with one lock that
 * serializes the owners' frees with the migrate callback (as the kernel's
 * page lock does). Each test thread allocates and frees its own range of
 * slots on its own CPU while the executor's workers move pages; at the end
 * mt_owner_errors says whether every owner still holds its page.
 */
#ifndef GA_TEST_MT_EMBEDDER_H
#define GA_TEST_MT_EMBEDDER_H

#include <pthread.h>
#include <stdbool.h>

#include "embedder.h"
#include "gigalloc.h"

struct mt_embedder {
	pthread_mutex_t lock;
	struct fake_obj *obj;
	unsigned long nr_per_thread;
	unsigned long nr_threads;
	unsigned long errors;		/* a free refused, a move of the wrong order */
	unsigned long bad_owner;	/* migrate calls naming no owner of ours */
	int done;			/* threads finished */
	struct ga_executor *ex;
	struct ga_zone *zone;
};

/* One thread's share: slots [base, base + nr_per_thread) on `cpu`. */
struct mt_thread {
	struct mt_embedder *m;
	struct ga_zone *z;
	unsigned int cpu;
	unsigned long base;
};

/*
 * A zone from cfg (its nr_cpus = nr_threads) with the migrate callback and a
 * threaded executor of `workers` threads. Bails out of the test if the zone
 * cannot be created.
 */
struct ga_zone *mt_zone(struct mt_embedder *m, struct ga_zone_config *cfg,
			unsigned long nr_threads, unsigned long nr_per_thread,
			unsigned int workers);
void mt_destroy(struct mt_embedder *m);
/* Start one thread per share running fn(&t[i]); mt_join waits for them. */
void mt_start(struct mt_embedder *m, struct mt_thread *t, pthread_t *th,
	      void *(*fn)(void *));
void mt_join(struct mt_embedder *m, pthread_t *th);

/* Allocate an order-0 page for slot with gfp; false if none. */
bool mt_alloc(struct mt_thread *t, unsigned long slot, unsigned int gfp);
/* Free slot's page if it holds one. */
void mt_free(struct mt_thread *t, unsigned long slot);
/* Live slots whose head page is not an allocation of theirs. */
unsigned long mt_owner_errors(struct mt_embedder *m);

#endif
