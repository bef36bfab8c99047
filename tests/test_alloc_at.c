// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * ga_alloc_at: the exact block is allocated, the rest of its buddy goes
 * back split, the zone's invariants hold after every operation (under
 * vanilla and spb), each error is refused without a state change, a page
 * on a pcp list is taken off that list (the others stay cached; a page
 * inside a larger cached block is found after a drain), and a random fill of exact blocks
 * freed again leaves the zone whole.
 */
#include <errno.h>
#include <stdlib.h>

#include "gigalloc.h"
#include "harness.h"

#define NPAGES	(8ul << 9)	/* 8 pageblocks */

static unsigned long free_pages(struct ga_zone *z)
{
	struct ga_zone_info zi;

	ga_zone_info(z, &zi);
	return zi.free_pages;
}

static void test_basic(const char *preset)
{
	struct ga_policy p;
	struct ga_zone *z;
	struct ga_page_info pi;
	unsigned long before;

	ga_policy_preset(&p, preset);
	z = test_zone(NPAGES, 1, &p);
	ga_drain_all_pcp(z);
	before = free_pages(z);
	is_long(ga_alloc_at(z, 0, 1234, 1, GA_GFP_KERNEL, 7), 0, "%s: order-1 at 1234", preset);
	zone_ok(z, "%s: invariants after alloc_at", preset);
	ok(!ga_page_query(z, 1234, &pi) && pi.state == GA_PAGE_ALLOC && pi.order == 1 &&
	   pi.owner == 7 && pi.migratetype == GA_MT_UNMOVABLE, "the block is ours, unmovable");
	is_long((long)(before - free_pages(z)), 2, "two pages fewer free");
	ok(!ga_page_query(z, 1232, &pi) && pi.state == GA_PAGE_BUDDY && pi.order == 1,
	   "the order-1 buddy before it is free");
	ok(!ga_page_query(z, 1236, &pi) && pi.state == GA_PAGE_BUDDY && pi.order == 2,
	   "the next order-2 block is free");
	is_long(ga_alloc_at(z, 0, 1234, 0, GA_GFP_KERNEL, 0), -EBUSY, "again: -EBUSY");
	is_long(ga_alloc_at(z, 0, 1232, 2, GA_GFP_KERNEL, 0), -EBUSY,
		"a block that overlaps it: -EBUSY");
	is_long(ga_alloc_at(z, 0, 1235, 1, GA_GFP_KERNEL, 0), -EINVAL, "misaligned: -EINVAL");
	is_long(ga_alloc_at(z, 0, NPAGES, 0, GA_GFP_KERNEL, 0), -ERANGE, "outside: -ERANGE");
	is_long(ga_alloc_at(z, 0, 0, 30, GA_GFP_KERNEL, 0), -E2BIG, "order 30: -E2BIG");
	is_long(ga_alloc_at(z, 5, 0, 0, GA_GFP_KERNEL, 0), -EINVAL, "bad cpu: -EINVAL");
	is_long(ga_alloc_at(z, 0, 0, 0, GA_GFP_MOVABLE | GA_GFP_RECLAIMABLE, 0), -EINVAL,
		"bad gfp: -EINVAL");
	is_long((long)(before - free_pages(z)), 2, "refusals changed nothing");
	zone_ok(z, "%s: invariants after the refusals", preset);
	is_long(ga_alloc_at(z, 0, 2048, 9, GA_GFP_HIGHUSER_MOVABLE, 1), 0, "a whole pageblock");
	ok(!ga_page_query(z, 2048, &pi) && pi.migratetype == GA_MT_MOVABLE, "movable");
	zone_ok(z, "%s: invariants", preset);
	is_long(ga_free(z, 0, 1234, 1), 0, "freed with ga_free");
	is_long(ga_free(z, 0, 2048, 9), 0, "and the pageblock");
	ga_drain_all_pcp(z);
	is_long((long)free_pages(z), (long)before, "everything free again");
	ok(!ga_page_query(z, 0, &pi) && pi.state == GA_PAGE_BUDDY && pi.order == 10,
	   "merged back to max-order blocks");
	zone_ok(z, "%s: invariants at the end", preset);
	ga_zone_destroy(z);
}

/* A page freed to a pcp list is taken off it; a page inside a cached
 * larger block after a drain. */
static void test_pcp(void)
{
	struct ga_zone *z = test_zone(NPAGES, 2, NULL);
	struct ga_zone_info zi0, zi1;
	struct ga_page_info pi;
	ga_pfn_t pfn, other[2], big;

	is_long(ga_alloc(z, 1, 0, GA_GFP_KERNEL, 0, &other[0]), 0, "order-0 via the pcp");
	is_long(ga_alloc(z, 1, 0, GA_GFP_KERNEL, 0, &pfn), 0, "and another");
	is_long(ga_alloc(z, 1, 0, GA_GFP_KERNEL, 0, &other[1]), 0, "and a third");
	ok(!ga_free(z, 1, other[0], 0) && !ga_free(z, 1, pfn, 0) && !ga_free(z, 1, other[1], 0),
	   "all freed on CPU 1");
	ok(!ga_page_query(z, pfn, &pi) && pi.state == GA_PAGE_PCP, "it sits on a pcp list");
	ga_zone_info(z, &zi0);
	ok(zi0.pcp_pages > 1, "with others (%lu pages cached)", zi0.pcp_pages);
	is_long(ga_alloc_at(z, 0, pfn, 0, GA_GFP_KERNEL, 3), 0, "alloc_at takes it");
	ok(!ga_page_query(z, pfn, &pi) && pi.state == GA_PAGE_ALLOC && pi.owner == 3, "ours");
	ga_zone_info(z, &zi1);
	is_long((long)(zi0.pcp_pages - zi1.pcp_pages), 1,
		"off CPU 1's list: the other cached pages stay cached");
	zone_ok(z, "invariants");
	is_long(ga_alloc(z, 0, 2, GA_GFP_KERNEL, 0, &big), 0, "an order-2 block");
	is_long(ga_free(z, 0, big, 2), 0, "cached whole on CPU 0");
	is_long(ga_alloc_at(z, 1, big + 1, 0, GA_GFP_KERNEL, 4), 0,
		"a page inside it: taken after a drain");
	ga_zone_info(z, &zi1);
	is_long((long)zi1.pcp_pages, 0, "the drain emptied the lists");
	is_long(ga_free(z, 1, big + 1, 0), 0, "freed");
	zone_ok(z, "invariants");
	ga_zone_destroy(z);
}

static void test_hole(void)
{
	static const struct ga_pfn_range hole = { 600, 610 };
	struct ga_zone_config cfg;
	struct ga_zone *z;

	ga_zone_config_default(&cfg, 0, NPAGES, 1);
	cfg.holes = &hole;
	cfg.nr_holes = 1;
	if (!ok(!ga_zone_create(&z, &cfg), "zone with a hole"))
		return;
	is_long(ga_alloc_at(z, 0, 600, 0, GA_GFP_KERNEL, 0), -EPERM, "a hole page: -EPERM");
	is_long(ga_alloc_at(z, 0, 512, 9, GA_GFP_KERNEL, 0), -EPERM,
		"a block holding a hole: -EPERM");
	is_long(ga_alloc_at(z, 0, 611, 0, GA_GFP_KERNEL, 0), 0, "next to it: fine");
	zone_ok(z, "invariants");
	ga_zone_destroy(z);
}

/* Random exact blocks until the zone is full, then all freed. */
static void test_random(void)
{
	struct ga_policy p;
	struct ga_zone *z;
	unsigned long long seed = 14;
	static unsigned char used[NPAGES];
	static struct { ga_pfn_t pfn; unsigned int order; } got[NPAGES];
	unsigned long n = 0, before, tries = 0;
	bool ok_all = true;

	ga_policy_preset(&p, "spb");
	z = test_zone(NPAGES, 1, &p);
	ga_drain_all_pcp(z);
	before = free_pages(z);
	while (tries++ < 20000) {
		unsigned int order = (unsigned int)(test_rand(&seed) % 4);
		ga_pfn_t pfn = (test_rand(&seed) % NPAGES) & ~((1ul << order) - 1);
		bool free_range = true;
		int rc;

		for (ga_pfn_t q = pfn; q < pfn + (1ul << order); q++)
			free_range &= !used[q];
		rc = ga_alloc_at(z, 0, pfn, order, test_rand(&seed) & 1 ? GA_GFP_KERNEL :
				 GA_GFP_HIGHUSER_MOVABLE, pfn);
		if (rc != (free_range ? 0 : -EBUSY))
			ok_all = false;
		if (rc)
			continue;
		for (ga_pfn_t q = pfn; q < pfn + (1ul << order); q++)
			used[q] = 1;
		got[n].pfn = pfn;
		got[n++].order = order;
		if (n % 256 == 0)
			zone_ok(z, "invariants after %lu blocks", n);
	}
	ok(ok_all, "every block succeeded exactly when its pages were free (%lu taken)", n);
	zone_ok(z, "invariants when full");
	for (unsigned long i = 0; i < n; i++)
		ok_all &= !ga_free(z, 0, got[i].pfn, got[i].order);
	ga_drain_all_pcp(z);
	ok(ok_all, "all freed");
	is_long((long)free_pages(z), (long)before, "the zone is whole again");
	zone_ok(z, "invariants at the end");
	ga_zone_destroy(z);
}

/* Labels: a block inside a max-order buddy, its free pages follow. */
static void test_labels(const char *preset)
{
	struct ga_pageblock_info bi;
	struct ga_policy p;
	struct ga_zone *z;

	ga_policy_preset(&p, preset);
	z = test_zone(NPAGES, 1, &p);
	ga_drain_all_pcp(z);
	is_long(ga_pageblock_set_migratetype(z, 1536, GA_MT_UNMOVABLE), 0,
		"%s: label block 3 unmovable", preset);
	ok(!ga_pageblock_query(z, 1536, &bi) && bi.migratetype == GA_MT_UNMOVABLE &&
	   bi.nr_free == 512, "it is, with its 512 free pages");
	ok(!ga_pageblock_query(z, 1024, &bi) && bi.migratetype == GA_MT_UNMOVABLE,
	   "so is the other block of its free order-10 buddy");
	is_long(ga_alloc_at(z, 0, 1024, 0, GA_GFP_HIGHUSER_MOVABLE, 0), 0, "split it");
	is_long(ga_pageblock_set_migratetype(z, 1024, GA_MT_MOVABLE), 0, "relabel block 2");
	ok(!ga_pageblock_query(z, 1536, &bi) && bi.migratetype == GA_MT_UNMOVABLE,
	   "block 3 keeps its label once the buddy is split");
	is_long(ga_free(z, 0, 1024, 0), 0, "free it again");
	ga_drain_all_pcp(z);
	zone_ok(z, "%s: invariants after relabelling", preset);
	is_long(ga_alloc_at(z, 0, 1600, 0, GA_GFP_KERNEL, 0), 0, "alloc_at inside it");
	is_long(ga_pageblock_set_migratetype(z, 1536, GA_MT_RECLAIMABLE), 0, "relabel again");
	is_long(ga_pageblock_set_migratetype(z, 1536, 5), -EINVAL, "type 5: -EINVAL");
	is_long(ga_pageblock_set_migratetype(z, NPAGES, 0), -ERANGE, "outside: -ERANGE");
	zone_ok(z, "%s: invariants", preset);
	is_long(ga_free(z, 0, 1600, 0), 0, "free");
	ga_drain_all_pcp(z);
	ok(!ga_pageblock_query(z, 1536, &bi) && bi.migratetype == GA_MT_RECLAIMABLE &&
	   bi.nr_free == 512, "the block is whole and reclaimable");
	zone_ok(z, "%s: invariants at the end", preset);
	ga_zone_destroy(z);
}

int main(void)
{
	test_labels("vanilla");
	test_labels("spb");
	test_basic("vanilla");
	test_basic("spb");
	test_pcp();
	test_hole();
	test_random();
	return done_testing();
}
