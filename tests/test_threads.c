// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Concurrency: threads allocate and free on their own CPUs, two threads
 * share a CPU (pcp trylock contention), and a drainer empties every pcp list
 * while they run. Run under ThreadSanitizer in CI. Afterwards the shadow map
 * shows no page was ever given to two owners and the checker passes.
 */
#include <pthread.h>
#include <stdlib.h>

#include "harness.h"
#include "workload.h"

#define NR_PAGES (1ul << 16)
#define NR_THREADS 3
#define NR_OPS 200000

static int stop_drainer;

static void *worker(void *arg)
{
	struct workload *w = arg;

	for (unsigned long i = 0; i < NR_OPS; i++)
		wl_step(w);
	return NULL;
}

static void *drainer(void *arg)
{
	struct ga_zone *z = arg;
	unsigned long rounds = 0;

	while (!__atomic_load_n(&stop_drainer, __ATOMIC_RELAXED)) {
		ga_drain_all_pcp(z);
		if (++rounds % 16 == 0)
			ga_vmstat_tick(z);
	}
	return NULL;
}

static void run(bool pcp)
{
	struct ga_ops ops = { .reclaim = wl_reclaim };
	struct workload w[NR_THREADS];
	pthread_t th[NR_THREADS], dr;
	uint8_t *shadow = calloc(NR_PAGES, 1);
	struct ga_zone_config cfg;
	struct ga_zone_info info;
	struct ga_stats st;
	struct ga_policy p;
	struct ga_zone *z;
	unsigned long errors = 0, allocs = 0;

	ga_policy_preset(&p, "vanilla");
	p.pcp = pcp;
	ga_zone_config_default(&cfg, 0, NR_PAGES, 2);
	cfg.policy = &p;
	cfg.ops = &ops;
	ga_zone_create(&z, &cfg);
	for (int t = 0; t < NR_THREADS; t++)
		wl_init(&w[t], z, t % 2, 100 + t, NR_PAGES / 8, shadow, 0);

	stop_drainer = 0;
	pthread_create(&dr, NULL, drainer, z);
	for (int t = 0; t < NR_THREADS; t++)
		pthread_create(&th[t], NULL, worker, &w[t]);
	for (int t = 0; t < NR_THREADS; t++)
		pthread_join(th[t], NULL);
	__atomic_store_n(&stop_drainer, 1, __ATOMIC_RELAXED);
	pthread_join(dr, NULL);

	zone_ok(z, "pcp=%d: checker after %d threads x %d ops", pcp, NR_THREADS, NR_OPS);
	for (int t = 0; t < NR_THREADS; t++) {
		errors += w[t].errors;
		allocs += w[t].allocs;
	}
	is_long(errors, 0, "pcp=%d: no page was handed to two owners", pcp);
	ok(allocs > NR_THREADS * NR_OPS / 4, "pcp=%d: %lu allocations succeeded", pcp,
	   allocs);
	ga_zone_stats(z, &st);
	ok(st.v[GA_STAT_PGALLOC] >= st.v[GA_STAT_PGFREE],
	   "pcp=%d: counters: pgalloc %llu >= pgfree %llu", pcp,
	   (unsigned long long)st.v[GA_STAT_PGALLOC],
	   (unsigned long long)st.v[GA_STAT_PGFREE]);
	for (int t = 0; t < NR_THREADS; t++)
		wl_free_all(&w[t]);
	ga_drain_all_pcp(z);
	ga_zone_stats(z, &st);
	is_long(st.v[GA_STAT_PGALLOC], st.v[GA_STAT_PGFREE],
		"pcp=%d: every allocated page was freed once", pcp);
	ga_zone_info(z, &info);
	is_long(info.free_pages, NR_PAGES, "pcp=%d: all memory is free again", pcp);
	zone_ok(z, "pcp=%d: checker after freeing everything", pcp);
	for (int t = 0; t < NR_THREADS; t++)
		wl_destroy(&w[t]);
	free(shadow);
	ga_zone_destroy(z);
}

int main(void)
{
	run(true);
	run(false);
	return done_testing();
}
