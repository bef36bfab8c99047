// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * A million random operations — mixed orders 0..10, all mobilities, atomic
 * and THP requests, reclaim under pressure, pcp decay and drains, bad frees
 * — with the invariant checker after every batch of 10,000 and a shadow map
 * that catches any page handed out twice.
 */
#include <stdlib.h>

#include "harness.h"
#include "workload.h"

#define NR_PAGES (1ul << 16)	/* 256 MiB */
#define NR_OPS 1000000
#define BATCH 10000

static void run(const char *preset, bool pcp, unsigned long long seed,
		unsigned long nr_ops)
{
	struct ga_ops ops = { .reclaim = wl_reclaim };
	struct ga_policy p;
	struct ga_zone_config cfg;
	struct ga_zone_info info;
	struct ga_stats st;
	struct workload w[2];
	uint8_t *shadow = calloc(NR_PAGES, 1);
	struct ga_zone *z;
	int bad_batches = 0;

	ga_policy_preset(&p, preset);
	p.pcp = pcp;
	ga_zone_config_default(&cfg, 0, NR_PAGES, 2);
	cfg.policy = &p;
	cfg.ops = &ops;
	ga_zone_create(&z, &cfg);
	/* Slots for about twice the zone at the mean order: memory stays full. */
	for (unsigned int cpu = 0; cpu < 2; cpu++) {
		wl_init(&w[cpu], z, cpu, seed + cpu, NR_PAGES / 6, shadow, 0);
		w[cpu].inject_bad_frees = true;
	}

	for (unsigned long i = 0; i < nr_ops; i++) {
		wl_step(&w[i & 1]);
		if ((i + 1) % BATCH)
			continue;
		if ((i + 1) % (10 * BATCH) == 0)
			ga_vmstat_tick(z);
		if ((i + 1) % (50 * BATCH) == 0)
			ga_drain_all_pcp(z);
		if (ga_zone_check(z, NULL, 0) && !bad_batches++)
			zone_ok(z, "%s pcp=%d: checker after op %lu", preset, pcp, i + 1);
	}
	ok(bad_batches == 0, "%s pcp=%d: checker passed after all %lu batches", preset, pcp,
	   nr_ops / BATCH);
	is_long(w[0].errors + w[1].errors, 0,
		"%s pcp=%d: no page handed out twice, every free and bad free answered right",
		preset, pcp);
	ok(w[0].bad_frees + w[1].bad_frees > nr_ops / 2000,
	   "%s pcp=%d: %lu bad frees were tried", preset, pcp,
	   w[0].bad_frees + w[1].bad_frees);
	ok(w[0].reclaimed + w[1].reclaimed > 0, "%s pcp=%d: reclaim ran (%lu pages)", preset, pcp,
	   w[0].reclaimed + w[1].reclaimed);
	ga_zone_stats(z, &st);
	diag("%s pcp=%d: allocs %lu enomem %lu fallbacks %llu claims %llu steals %llu "
	     "boosts %llu kswapd %llu direct %llu", preset, pcp, w[0].allocs + w[1].allocs,
	     w[0].enomem + w[1].enomem,
	     (unsigned long long)st.v[GA_STAT_FALLBACK],
	     (unsigned long long)st.v[GA_STAT_CLAIM_PARTIAL] + st.v[GA_STAT_CLAIM_WHOLE],
	     (unsigned long long)st.v[GA_STAT_STEAL],
	     (unsigned long long)st.v[GA_STAT_BOOST],
	     (unsigned long long)st.v[GA_STAT_KSWAPD_WAKE],
	     (unsigned long long)st.v[GA_STAT_DIRECT_RECLAIM]);
	ok(st.v[GA_STAT_FALLBACK] > 0, "%s pcp=%d: the workload exercised fallbacks",
	   preset, pcp);
	if (p.watermark_boost_factor)
		ok(st.v[GA_STAT_BOOST] > 0, "%s pcp=%d: ... and boosts", preset, pcp);
	else	/* RFC 05 removed the boost */
		is_long(st.v[GA_STAT_BOOST], 0, "%s pcp=%d: no boost without the factor",
			preset, pcp);

	for (unsigned int cpu = 0; cpu < 2; cpu++)
		wl_free_all(&w[cpu]);
	ga_drain_all_pcp(z);
	zone_ok(z, "%s pcp=%d: checker after freeing everything", preset, pcp);
	ga_zone_info(z, &info);
	is_long(info.free_pages, NR_PAGES, "%s pcp=%d: all memory is free again", preset, pcp);
	{
		unsigned long small = 0;

		for (unsigned int o = 0; o < 9; o++)
			small += info.nr_free[o];
		is_long(small, 0, "%s pcp=%d: merged back to pageblocks or larger", preset, pcp);
		ok(info.nr_free[9] <= 2 * info.blocks_mt[GA_MT_HIGHATOMIC],
		   "%s pcp=%d: only HighAtomic blocks (%lu) keep order-9 pairs apart (%lu)",
		   preset, pcp, info.blocks_mt[GA_MT_HIGHATOMIC], info.nr_free[9]);
	}
	for (unsigned int cpu = 0; cpu < 2; cpu++)
		wl_destroy(&w[cpu]);
	free(shadow);
	ga_zone_destroy(z);
}

int main(void)
{
	run("vanilla", true, 1, NR_OPS);
	run("vanilla", false, 7, NR_OPS / 4);
	run("spb", true, 3, NR_OPS / 2);
	return done_testing();
}
