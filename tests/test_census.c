// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * ga_zone_regions_query, the census from the per-pageblock counters, must
 * equal ga_region_query, the census from the page walk, region by region
 * and pageblock by pageblock: under random allocations of every order and
 * mobility, long-term pins (some freed while still pinned, some spanning
 * two pageblocks), pages cached on the pcp lists and contiguous ranges.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define NR_PAGES (1ul << 19)	/* 2 GiB: two 1 GiB regions */
#define NR_SLOTS 20000
#define NR_OPS 200000
#define BATCH 20000

struct slot {
	ga_pfn_t pfn;
	unsigned int order;
	bool live, pinned, contig;
};

/* Both censuses of every region at order; how many regions differ. */
static unsigned long census_diff(struct ga_zone *z, unsigned int order)
{
	unsigned long n = ga_zone_nr_regions(z, order), bad = 0;
	struct ga_region_info *fast = calloc(n, sizeof(*fast));

	if (ga_zone_regions_query(z, order, fast, n) != (long)n) {
		free(fast);
		return n + 1;
	}
	for (unsigned long i = 0; i < n; i++) {
		struct ga_region_info walk;

		if (ga_region_query(z, i, order, &walk) ||
		    memcmp(&walk, &fast[i], sizeof(walk)))
			bad++;
	}
	free(fast);
	return bad;
}

static void op(struct ga_zone *z, struct slot *s, unsigned long long *rng,
	       unsigned long *pinned, unsigned long *freed_pinned)
{
	static const unsigned int gfp[] = {
		GA_GFP_HIGHUSER_MOVABLE, GA_GFP_KERNEL, GA_GFP_KERNEL_RECLAIMABLE,
		GA_GFP_HIGHUSER_MOVABLE, GA_GFP_ATOMIC,
	};
	unsigned long long r = test_rand(rng);
	unsigned int cpu = (unsigned int)(r >> 60) & 1;

	if (!s->live) {
		unsigned int order = (r & 7) == 0 ? (unsigned int)(r >> 8) % 11 :
						    (unsigned int)(r >> 8) % 4;

		if ((r >> 20) % 500 == 0) {
			if (!ga_alloc_contig_pages(z, cpu, 9, 1, &s->pfn, NULL)) {
				s->live = s->contig = true;
				s->order = 9;
			}
			return;
		}
		if (ga_alloc(z, cpu, order, gfp[(r >> 16) % 5], 0, &s->pfn))
			return;
		s->live = true;
		s->order = order;
		if ((r >> 24) % 8 == 0 && !ga_pin(z, s->pfn)) {
			s->pinned = true;
			(*pinned)++;
		}
		return;
	}
	if (s->contig) {
		ga_free_contig_range(z, cpu, s->pfn, s->pfn + (1ul << s->order));
	} else {
		/* Half the pinned ones are freed with their pin still held. */
		if (s->pinned && (r >> 30) & 1)
			ga_unpin(z, s->pfn);
		else if (s->pinned)
			(*freed_pinned)++;
		ga_free(z, cpu, s->pfn, s->order);
	}
	memset(s, 0, sizeof(*s));
}

static void run(const char *preset)
{
	struct ga_policy p;
	struct slot *slots = calloc(NR_SLOTS, sizeof(*slots));
	unsigned long long rng = 0x5eed;
	unsigned long bad = 0, pinned = 0, freed_pinned = 0;
	struct ga_zone *z;

	ga_policy_preset(&p, preset);
	z = test_zone(NR_PAGES, 2, &p);
	for (unsigned long i = 0; i < NR_OPS; i++) {
		op(z, &slots[test_rand(&rng) % NR_SLOTS], &rng, &pinned,
		   &freed_pinned);
		if ((i + 1) % BATCH)
			continue;
		bad += census_diff(z, 0) + census_diff(z, 9) + census_diff(z, 10);
		if (ga_zone_check(z, NULL, 0))
			zone_ok(z, "%s: checker after op %lu", preset, i + 1);
	}
	is_long(bad, 0, "%s: counter census equals the page walk at 1 GiB, "
		"pageblock and order-10 regions after every batch", preset);
	ok(pinned > 1000 && freed_pinned > 100,
	   "%s: %lu pins taken, %lu allocations freed while pinned", preset,
	   pinned, freed_pinned);
	ga_drain_all_pcp(z);
	is_long(census_diff(z, 0) + census_diff(z, 9), 0,
		"%s: still equal after the pcp lists are drained", preset);
	zone_ok(z, "%s: checker at the end (pinned page counts included)", preset);
	ga_zone_destroy(z);
	free(slots);
}

int main(void)
{
	run("vanilla");
	run("spb");
	return done_testing();
}
