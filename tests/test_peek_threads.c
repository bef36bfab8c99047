// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * ga_alloc_peek while other threads allocate and free: run under
 * ThreadSanitizer in CI. The peek sets zone->peek under zone->lock and the
 * allocation paths read it there; a peek must never be seen by another
 * CPU's rmqueue (it would record instead of taking) and must never take a
 * page itself. Two workers allocate and free on CPUs 0 and 1 while a third
 * thread peeks at every order and migratetype on both CPUs, under vanilla,
 * rfc and spb. Afterwards: no page went to two owners, every answer was a
 * well-formed block of the zone, everything frees back, and the checker
 * passes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "harness.h"
#include "workload.h"

#define NR_PAGES	(1ul << 16)	/* 32 pageblocks: 256 MiB */
#define NR_WORKERS	2
#define NR_OPS		60000

#define MIN_PEEKS	200	/* peeks the workers wait for, busy */

static int stop_peeker;
static unsigned long peeks_seen;	/* the peeker's count, for the workers */

struct peeker {
	struct ga_zone *z;
	unsigned long peeks, found, enomem, bad;
};

static void *worker(void *arg)
{
	struct workload *w = arg;

	/* On a loaded machine the peeker may not get a CPU for a while. */
	for (unsigned long i = 0; i < NR_OPS ||
	     __atomic_load_n(&peeks_seen, __ATOMIC_RELAXED) < MIN_PEEKS; i++)
		wl_step(w);
	return NULL;
}

static const unsigned int peek_gfps[] = {
	GA_GFP_KERNEL, GA_GFP_HIGHUSER_MOVABLE, GA_GFP_KERNEL_RECLAIMABLE,
};
static const unsigned int peek_orders[] = { 0, 0, 1, 3, 9 };

/* A peek's answer: a block of the zone, aligned to the order asked, split
 * from a free block at least that large; a claim is a fallback's. (A pcp
 * answer may be a predicted refill, which may fall back.) */
static bool well_formed(const struct ga_alloc_choice *c, unsigned int order)
{
	if (c->pfn >= NR_PAGES || c->pfn & ((1ul << order) - 1))
		return false;
	if (c->from_order < order)
		return false;
	return !(c->claim && !c->fallback);
}

static void *peeker(void *arg)
{
	struct peeker *pk = arg;
	unsigned long i = 0;

	while (!__atomic_load_n(&stop_peeker, __ATOMIC_RELAXED)) {
		unsigned int order = peek_orders[i % 5];
		unsigned int gfp = peek_gfps[(i / 5) % 3];
		struct ga_alloc_choice c;
		int rc = ga_alloc_peek(pk->z, (unsigned int)(i & 1), order, gfp, &c);

		pk->peeks++;
		__atomic_store_n(&peeks_seen, pk->peeks, __ATOMIC_RELAXED);
		if (!rc)
			pk->found++;
		else if (rc == -ENOMEM)
			pk->enomem++;
		if ((rc && rc != -ENOMEM) || (!rc && !well_formed(&c, order)))
			pk->bad++;
		i++;
	}
	return NULL;
}

static void run(const char *preset)
{
	struct ga_ops ops = { .reclaim = wl_reclaim };
	struct workload w[NR_WORKERS];
	pthread_t th[NR_WORKERS], pt;
	uint8_t *shadow = calloc(NR_PAGES, 1);
	struct peeker pk = { 0 };
	struct ga_zone_config cfg;
	struct ga_zone_info info;
	struct ga_policy p;
	struct ga_zone *z;
	unsigned long errors = 0, allocs = 0;

	ga_policy_preset(&p, preset);
	ga_zone_config_default(&cfg, 0, NR_PAGES, NR_WORKERS);
	cfg.policy = &p;
	cfg.ops = &ops;
	if (!ok(shadow && !ga_zone_create(&z, &cfg), "%s: zone", preset)) {
		free(shadow);
		return;
	}
	for (int t = 0; t < NR_WORKERS; t++)
		wl_init(&w[t], z, (unsigned int)t, 300 + t, NR_PAGES / 6, shadow, 0);
	pk.z = z;
	stop_peeker = 0;
	peeks_seen = 0;
	pthread_create(&pt, NULL, peeker, &pk);
	for (int t = 0; t < NR_WORKERS; t++)
		pthread_create(&th[t], NULL, worker, &w[t]);
	for (int t = 0; t < NR_WORKERS; t++)
		pthread_join(th[t], NULL);
	__atomic_store_n(&stop_peeker, 1, __ATOMIC_RELAXED);
	pthread_join(pt, NULL);

	zone_ok(z, "%s: checker after %d workers x %d ops beside the peeks", preset,
		NR_WORKERS, NR_OPS);
	for (int t = 0; t < NR_WORKERS; t++) {
		errors += w[t].errors;
		allocs += w[t].allocs;
	}
	is_long(errors, 0, "%s: no page was handed to two owners", preset);
	ok(allocs > NR_WORKERS * NR_OPS / 4, "%s: %lu allocations succeeded", preset, allocs);
	ok(pk.peeks > 100 && pk.found > 0, "%s: %lu peeks ran concurrently, %lu answered",
	   preset, pk.peeks, pk.found);
	is_long(pk.bad, 0, "%s: every answer well formed (%lu -ENOMEM)", preset, pk.enomem);
	for (int t = 0; t < NR_WORKERS; t++)
		wl_free_all(&w[t]);
	ga_drain_all_pcp(z);
	ga_zone_info(z, &info);
	is_long(info.free_pages, NR_PAGES, "%s: the peeks took no page: all memory free again",
		preset);
	zone_ok(z, "%s: checker after freeing everything", preset);
	for (int t = 0; t < NR_WORKERS; t++)
		wl_destroy(&w[t]);
	free(shadow);
	ga_zone_destroy(z);
}

int main(void)
{
	run("vanilla");
	run("rfc");
	run("spb");
	return done_testing();
}
