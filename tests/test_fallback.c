// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The decision points of __rmqueue, each with a constructed scenario whose
 * outcome is asserted: first-fit and expand, whole-block claim, sub-block
 * claim at the half-block threshold, steal, the movable order-4 claim floor,
 * ALLOC_NOFRAGMENT, watermark boost, the highatomic reserve, and the merge
 * rules across pageblock types.
 */
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
#include "internal.h"

#define NR_PAGES 16384ul	/* 64 MiB: 32 pageblocks */

static uint64_t stat_of(struct ga_zone *z, enum ga_stat_item item)
{
	struct ga_stats s;

	ga_zone_stats(z, &s);
	return s.v[item];
}

static int block_mt(struct ga_zone *z, ga_pfn_t pfn)
{
	struct ga_pageblock_info bi;

	ga_pageblock_query(z, pfn, &bi);
	return bi.migratetype;
}

static unsigned long nr_blocks(struct ga_zone *z, int mt)
{
	struct ga_zone_info info;

	ga_zone_info(z, &info);
	return info.blocks_mt[mt];
}

/* A pcp-less zone with a 1-page min watermark, filled with order-0 pages
 * of the given gfp until allocation fails. */
static struct ga_zone *filled_zone(unsigned int gfp, unsigned int boost_factor,
				   unsigned long nr_pages)
{
	struct ga_policy p = test_policy(false);
	struct ga_zone *z;
	ga_pfn_t pfn;

	p.min_free_kbytes = 4;
	p.watermark_boost_factor = boost_factor;
	z = test_zone(nr_pages, 1, &p);
	while (ga_alloc(z, 0, 0, gfp, 0, &pfn) == 0)
		;
	return z;
}

static void free_range(struct ga_zone *z, ga_pfn_t start, unsigned long n,
		       unsigned long stride)
{
	for (ga_pfn_t pfn = start; pfn < start + n * stride; pfn += stride)
		if (ga_free(z, 0, pfn, 0))
			ok(0, "free of %#llx failed", (unsigned long long)pfn);
}

/* __rmqueue_smallest is first-fit from list heads; expand() puts the upper
 * halves at the heads, so consecutive allocations walk up from pfn 0. */
static void test_first_fit_and_expand(void)
{
	struct ga_policy p = test_policy(false);
	struct ga_zone *z = test_zone(NR_PAGES, 1, &p);
	unsigned int orders[] = { 0, 0, 1, 0, 2 };
	ga_pfn_t want[] = { 0, 1, 2, 4, 8 }, pfn;

	for (int i = 0; i < 5; i++) {
		ga_alloc(z, 0, orders[i], GA_GFP_HIGHUSER_MOVABLE, 0, &pfn);
		is_long(pfn, want[i], "allocation %d (order %u) is pfn %llu", i,
			orders[i], (unsigned long long)want[i]);
	}
	zone_ok(z, "checker after first-fit allocations");
	ga_zone_destroy(z);
}

/* With a free max-order block, an unmovable request claims it whole:
 * both pageblocks relabelled, no boost, NOFRAGMENT satisfied at once. */
static void test_claim_whole_block(void)
{
	struct ga_policy p = test_policy(false);
	struct ga_zone *z = test_zone(NR_PAGES, 1, &p);
	ga_pfn_t pfn;

	is_long(ga_alloc(z, 0, 0, GA_GFP_KERNEL, 0, &pfn), 0, "unmovable order 0");
	is_long(stat_of(z, GA_STAT_CLAIM_WHOLE), 1, "claimed a whole free block");
	is_long(nr_blocks(z, GA_MT_UNMOVABLE), 2,
		"the max-order buddy's two pageblocks became Unmovable");
	is_long(stat_of(z, GA_STAT_BOOST), 0, "whole-block claims do not boost");
	is_long(stat_of(z, GA_STAT_FALLBACK_FRAGMENTING), 0, "not a fragmenting fallback");
	is_long(stat_of(z, GA_STAT_FALLBACK_CHANGE_OWNERSHIP), 1, "ownership changed");
	is_long(stat_of(z, GA_STAT_ALLOC_NOFRAG_RETRY), 0,
		"satisfied on the NOFRAGMENT pass");
	zone_ok(z, "checker after a whole-block claim");
	ga_zone_destroy(z);
}

/* free + alike >= 256: the half-free movable block is claimed. */
static void test_claim_partial_block(bool nofragment)
{
	struct ga_zone *z = filled_zone(GA_GFP_HIGHUSER_MOVABLE, 15000, NR_PAGES);
	const ga_pfn_t b = 5 * 512;
	ga_pfn_t pfn;

	uint64_t retries;

	z->policy.nofragment = nofragment;
	free_range(z, b, 300, 1);
	retries = stat_of(z, GA_STAT_ALLOC_NOFRAG_RETRY);
	zone_ok(z, "checker on a full zone with one half-free block");
	is_long(ga_alloc(z, 0, 0, GA_GFP_KERNEL, 0, &pfn), 0, "unmovable order 0");
	ok(pfn >= b && pfn < b + 512, "served from the half-free block");
	is_long(block_mt(z, b), GA_MT_UNMOVABLE, "300 free >= 256: block claimed");
	is_long(stat_of(z, GA_STAT_CLAIM_PARTIAL), 1, "one sub-block claim");
	is_long(stat_of(z, GA_STAT_STEAL), 0, "no steal");
	is_long(stat_of(z, GA_STAT_FALLBACK_FRAGMENTING), 1, "a fragmenting fallback");
	is_long(stat_of(z, GA_STAT_FALLBACK_CHANGE_OWNERSHIP), 1, "that changed ownership");
	ok(stat_of(z, GA_STAT_BOOST) >= 1, "the sub-block claim boosted the watermark");
	is_long(stat_of(z, GA_STAT_ALLOC_NOFRAG_RETRY) - retries, nofragment ? 1 : 0,
		"nofragment=%d: %s", nofragment,
		nofragment ? "the NOFRAGMENT pass refused, the retry claimed" :
			     "no NOFRAGMENT pass");
	zone_ok(z, "checker after a partial claim");
	ga_zone_destroy(z);
}

/* free + alike < 256: no claim, a single page is stolen instead. */
static void test_steal(void)
{
	struct ga_zone *z = filled_zone(GA_GFP_HIGHUSER_MOVABLE, 15000, NR_PAGES);
	const ga_pfn_t b = 5 * 512;
	struct ga_page_info pi;
	ga_pfn_t pfn;

	free_range(z, b, 200, 1);
	is_long(ga_alloc(z, 0, 0, GA_GFP_KERNEL, 0, &pfn), 0, "unmovable order 0");
	is_long(block_mt(z, b), GA_MT_MOVABLE, "200 free < 256: block keeps its label");
	is_long(nr_blocks(z, GA_MT_UNMOVABLE), 0, "no pageblock became Unmovable");
	ok(stat_of(z, GA_STAT_CLAIM_REFUSED) >= 1, "claim attempts were refused");
	is_long(stat_of(z, GA_STAT_CLAIM_PARTIAL), 0, "no claim");
	is_long(stat_of(z, GA_STAT_STEAL), 1, "one steal");
	is_long(stat_of(z, GA_STAT_FALLBACK_CHANGE_OWNERSHIP), 0, "no ownership change");
	ga_page_query(z, pfn, &pi);
	ok(pi.migratetype == GA_MT_UNMOVABLE && block_mt(z, pfn) == GA_MT_MOVABLE,
	   "an unmovable page now sits in a Movable block (mixed)");
	zone_ok(z, "checker after a steal");
	ga_zone_destroy(z);
}

/* Movable requests claim only from buddies of order >= pageblock_order/2. */
static void test_movable_claim_floor(void)
{
	struct ga_zone *z = filled_zone(GA_GFP_KERNEL, 0, NR_PAGES);
	const ga_pfn_t b = 5 * 512, c = 7 * 512;
	ga_pfn_t pfn;

	is_long(nr_blocks(z, GA_MT_UNMOVABLE), 32, "an unmovable fill claims every block");
	free_range(z, b, 256, 2);	/* every other page: 256 order-0 buddies */
	is_long(ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 0, &pfn), 0, "movable order 0");
	is_long(stat_of(z, GA_STAT_CLAIM_REFUSED) + stat_of(z, GA_STAT_CLAIM_PARTIAL), 0,
		"order-0 fallback buddies are never claimed for movable");
	is_long(stat_of(z, GA_STAT_STEAL), 1, "the page is stolen");
	is_long(block_mt(z, b), GA_MT_UNMOVABLE, "the block keeps its label");

	free_range(z, c, 16, 1);	/* one order-4 buddy */
	is_long(ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 0, &pfn), 0, "movable order 0");
	is_long(stat_of(z, GA_STAT_CLAIM_REFUSED), 1,
		"an order-4 buddy is tried, 16 free < 256 refuses");
	is_long(stat_of(z, GA_STAT_STEAL), 2, "then a page is stolen");

	free_range(z, c + 16, 272, 1);	/* block c: 288 free, orders 8 and 5 */
	is_long(ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 0, &pfn), 0, "movable order 0");
	is_long(stat_of(z, GA_STAT_CLAIM_PARTIAL), 1, "288 free >= 256: claimed");
	is_long(block_mt(z, c), GA_MT_MOVABLE, "the block is Movable now");
	ok(pfn >= c && pfn < c + 512, "and served the allocation");
	zone_ok(z, "checker after movable fallbacks");
	ga_zone_destroy(z);
}

/* ALLOC_NOFRAGMENT refuses sub-pageblock fallbacks (white-box __rmqueue). */
static void test_nofragment_refuses(void)
{
	struct ga_zone *z = filled_zone(GA_GFP_HIGHUSER_MOVABLE, 0, NR_PAGES);
	const ga_pfn_t b = 5 * 512;
	enum rmqueue_mode mode = RMQUEUE_NORMAL;
	long pfn;

	free_range(z, b, 300, 1);
	ga_lock(&z->lock);
	pfn = rmqueue_locked(z, 0, GA_MT_UNMOVABLE, ALLOC_NOFRAGMENT, &mode);
	ga_unlock(&z->lock);
	is_long(pfn, -1, "with ALLOC_NOFRAGMENT nothing smaller than a pageblock is taken");
	is_long(block_mt(z, b), GA_MT_MOVABLE, "and the block is untouched");

	mode = RMQUEUE_NORMAL;
	ga_lock(&z->lock);
	pfn = rmqueue_locked(z, 0, GA_MT_UNMOVABLE, 0, &mode);
	ok(pfn >= (long)b && pfn < (long)b + 512, "without it the block is claimed");
	is_long(mode, RMQUEUE_NORMAL, "a claim resets the rmqueue mode to NORMAL");
	free_one_page_locked(z, (ga_pfn_t)pfn, 0, get_pfnblock_migratetype(z, (ga_pfn_t)pfn),
			     false);
	ga_unlock(&z->lock);
	zone_ok(z, "checker after white-box rmqueue");

	/* After a steal the mode cache skips straight to stealing. */
	free_range(z, 9 * 512, 100, 1);
	mode = RMQUEUE_NORMAL;
	ga_lock(&z->lock);
	pfn = rmqueue_locked(z, 0, GA_MT_RECLAIMABLE, 0, &mode);
	ok(pfn >= 0, "a reclaimable request falls back");
	free_one_page_locked(z, (ga_pfn_t)pfn, 0, get_pfnblock_migratetype(z, (ga_pfn_t)pfn),
			     false);
	ga_unlock(&z->lock);
	ok(mode == RMQUEUE_NORMAL || mode == RMQUEUE_STEAL,
	   "mode after a fallback is NORMAL (claim) or STEAL (%d)", mode);
	zone_ok(z, "checker after the second white-box rmqueue");
	ga_zone_destroy(z);
}

/* A sub-block claim attempt boosts the watermark; kswapd's run drops it. */
static void test_watermark_boost(unsigned int factor)
{
	struct ga_zone *z = filled_zone(GA_GFP_HIGHUSER_MOVABLE, factor, NR_PAGES);
	struct ga_zone_info info;
	ga_pfn_t pfn;

	free_range(z, 5 * 512, 200, 1);
	/* gfp 0: no kswapd wake, so the boost stays visible. */
	is_long(ga_alloc(z, 0, 0, 0, 0, &pfn), 0, "factor %u: unmovable order 0", factor);
	ga_zone_info(z, &info);
	if (factor) {
		ok(stat_of(z, GA_STAT_BOOST) >= 1, "the refused claim attempts boosted");
		is_long(info.watermark_boost, 512,
			"boost = max(pageblock, high * 1.5), one pageblock here");
	} else {
		is_long(stat_of(z, GA_STAT_BOOST), 0, "factor 0 switches boosting off");
		is_long(info.watermark_boost, 0, "no boost");
	}
	is_long(ga_alloc(z, 0, 0, GA_GFP_KERNEL, 0, &pfn), 0,
		"a kswapd-waking allocation succeeds");
	ga_zone_info(z, &info);
	is_long(info.watermark_boost, 0, "kswapd's run dropped the boost");
	zone_ok(z, "checker after boosting");
	ga_zone_destroy(z);
}

/* A high-order atomic allocation in the slow path reserves its pageblock;
 * an allocation about to fail gives it back. */
static void test_highatomic(void)
{
	struct ga_policy p = test_policy(false);
	struct ga_zone_info info;
	struct ga_zone *z;
	const ga_pfn_t h = 20 * 512;
	ga_pfn_t pfn;

	p.min_free_kbytes = 256;	/* min 64, low 80, high 96 pages */
	p.watermark_boost_factor = 0;
	z = test_zone(65536, 1, &p);	/* 256 MiB: reserve cap 1024 pages */
	while (ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 0, &pfn) == 0)
		;
	free_range(z, h, 16, 1);
	is_long(ga_alloc(z, 0, 2, GA_GFP_ATOMIC, 0, &pfn), 0,
		"order-2 GFP_ATOMIC below the low watermark succeeds");
	ga_zone_info(z, &info);
	is_long(stat_of(z, GA_STAT_HIGHATOMIC_RESERVE), 1, "its pageblock was reserved");
	is_long(info.blocks_mt[GA_MT_HIGHATOMIC], 1, "one HighAtomic pageblock");
	is_long(info.nr_reserved_highatomic, 512, "512 pages reserved");
	is_long(block_mt(z, pfn), GA_MT_HIGHATOMIC, "the allocation's own block");
	zone_ok(z, "checker after reserving");

	is_long(ga_alloc(z, 0, 2, GA_GFP_ATOMIC, 0, &pfn), 0, "a second atomic order 2");
	is_long(stat_of(z, GA_STAT_HIGHATOMIC_ALLOC), 1, "is served from the reserve");

	is_long(ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 0, &pfn), 0,
		"a movable request that only the reserve can serve succeeds");
	ga_zone_info(z, &info);
	is_long(stat_of(z, GA_STAT_HIGHATOMIC_UNRESERVE), 1, "after the reserve was given back");
	is_long(info.blocks_mt[GA_MT_HIGHATOMIC], 0, "no HighAtomic pageblock left");
	is_long(info.nr_reserved_highatomic, 0, "nothing reserved");
	zone_ok(z, "checker after unreserving");
	ga_zone_destroy(z);
}

/* CMA blocks never merge with their non-CMA buddies. */
static void test_merge_cma(void)
{
	struct ga_pfn_range cma = { 0, 512 };
	struct ga_policy p = test_policy(false);
	struct ga_zone_config cfg;
	struct ga_zone_info info;
	struct ga_zone *z;

	ga_zone_config_default(&cfg, 0, NR_PAGES, 1);
	cfg.cma = &cma;
	cfg.nr_cma = 1;
	cfg.policy = &p;
	ga_zone_create(&z, &cfg);
	ga_zone_info(z, &info);
	is_long(info.nr_free_mt[9][GA_MT_CMA], 1, "the CMA pageblock is free at order 9");
	is_long(info.nr_free_mt[9][GA_MT_MOVABLE], 1, "and its Movable buddy too, unmerged");
	is_long(info.nr_free[10], 15, "the other 15 max-order blocks merged");
	is_long(info.free_cma, 512, "NR_FREE_CMA_PAGES");
	zone_ok(z, "checker accepts a non-mergeable free pair");
	ga_zone_destroy(z);
}

/* Freeing a max-order block frees each pageblock with its own type, and a
 * merge across mergeable types relabels the buddy (split_large_buddy). */
static void test_merge_relabels(void)
{
	struct ga_policy p = test_policy(false);
	struct ga_zone *z = test_zone(NR_PAGES, 1, &p);
	struct ga_zone_info info;
	ga_pfn_t x;

	ga_alloc(z, 0, 10, GA_GFP_HIGHUSER_MOVABLE, 0, &x);
	ga_lock(&z->lock);
	set_pageblock_migratetype(z, x + 512, GA_MT_UNMOVABLE);
	ga_unlock(&z->lock);
	is_long(ga_free(z, 0, x, 10), 0, "free the max-order block");
	ga_zone_info(z, &info);
	is_long(block_mt(z, x), GA_MT_UNMOVABLE, "the Movable half was relabelled");
	is_long(info.nr_free_mt[10][GA_MT_UNMOVABLE], 1,
		"and merged into one Unmovable max-order block");
	zone_ok(z, "checker after a cross-type merge");
	ga_zone_destroy(z);
}

int main(void)
{
	test_first_fit_and_expand();
	test_claim_whole_block();
	test_claim_partial_block(true);
	test_claim_partial_block(false);
	test_steal();
	test_movable_claim_floor();
	test_nofragment_refuses();
	test_watermark_boost(15000);
	test_watermark_boost(0);
	test_highatomic();
	test_merge_cma();
	test_merge_relabels();
	return done_testing();
}
