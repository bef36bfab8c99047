// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Fallback: what __rmqueue does when the requested type's lists are empty
 * (mm/page_alloc.c, v6.15 structure as backported to 6.12.117):
 *
 *   1. claim  (__rmqueue_claim): find a fallback block big enough or free
 *      enough to relabel as the requested type, and allocate from it;
 *   2. steal  (__rmqueue_steal): take a single block from another type's
 *      list without relabelling; only without ALLOC_NOFRAGMENT.
 *
 * Each success is an mm_page_alloc_extfrag event, counted in count_extfrag().
 * Runs under zone->lock.
 */
#include "internal.h"

/* fallbacks[]: the order in which other types' lists are tried. */
static const int fallbacks[GA_MT_PCPTYPES][GA_MT_PCPTYPES - 1] = {
	[GA_MT_UNMOVABLE]   = { GA_MT_RECLAIMABLE, GA_MT_MOVABLE },
	[GA_MT_MOVABLE]     = { GA_MT_RECLAIMABLE, GA_MT_UNMOVABLE },
	[GA_MT_RECLAIMABLE] = { GA_MT_UNMOVABLE, GA_MT_MOVABLE },
};

/*
 * should_try_claim_block (6.12.117: can_steal_fallback): order is the
 * candidate buddy's. Movable requests only claim from buddies of at least
 * half a pageblock: movable pages do not cause permanent fragmentation, so
 * for them stealing single pages is cheaper than relabelling.
 */
bool should_try_claim_block(const struct ga_zone *z, unsigned int order,
			    int start_mt)
{
	if (order >= z->pageblock_order)
		return true;
	if (order >= z->pageblock_order / 2 || start_mt == GA_MT_RECLAIMABLE ||
	    start_mt == GA_MT_UNMOVABLE || !z->policy.mobility_grouping)
		return true;
	return false;
}

/*
 * RFC 24: UNMOVABLE and RECLAIMABLE pages cannot be told apart by the claim
 * heuristic and neither can be evacuated, so one sticky page of either
 * keeps the other's freed pages from coalescing. MOVABLE mixes with both.
 */
static bool noncompatible_cross_type(int a, int b)
{
	return (a == GA_MT_UNMOVABLE && b == GA_MT_RECLAIMABLE) ||
	       (a == GA_MT_RECLAIMABLE && b == GA_MT_UNMOVABLE);
}

/*
 * find_suitable_fallback: the first fallback type (table order) with a free
 * block of this order, or -1. no_cross skips the other non-movable type.
 */
static int find_suitable_fallback(const struct ga_zone *z, unsigned int order,
				  int mt, bool no_cross)
{
	const struct ga_free_area *area = &z->free_area[order];

	if (!area->nr_free)
		return -1;
	for (int i = 0; i < GA_MT_PCPTYPES - 1; i++) {
		int fb = fallbacks[mt][i];

		if (no_cross && noncompatible_cross_type(mt, fb))
			continue;
		if (!free_area_empty(area, fb))
			return fb;
	}
	return -1;
}

void count_extfrag(struct ga_zone *z, ga_pfn_t pfn, unsigned int alloc_order,
		   unsigned int fallback_order, int alloc_mt, int fallback_mt)
{
	(void)alloc_order;
	if (zone_peeking(z)) {
		z->peek->fallback = true;
		z->peek->fragmenting = fallback_order < z->pageblock_order;
		return;
	}
	zone_stat_add_locked(z, GA_STAT_FALLBACK, 1);
	if (fallback_order < z->pageblock_order)
		zone_stat_add_locked(z, GA_STAT_FALLBACK_FRAGMENTING, 1);
	/* change_ownership: the block now carries the allocation's type. */
	if (get_pfnblock_migratetype(z, pfn) == alloc_mt)
		zone_stat_add_locked(z, GA_STAT_FALLBACK_CHANGE_OWNERSHIP, 1);
	z->fallback[alloc_mt][fallback_mt]++;
}

/*
 * boost_watermark: a fallback mixed types, so make kswapd reclaim a little
 * beyond the high mark to free whole pageblocks (watermark_boost_factor).
 */
bool boost_watermark(struct ga_zone *z)
{
	unsigned long max_boost;

	if (!z->policy.watermark_boost_factor)
		return false;
	if (z->pageblock_nr_pages * 4ul > READ_ONCE(z->managed_pages))
		return false;
	max_boost = READ_ONCE(z->watermark[WMARK_HIGH]) * z->policy.watermark_boost_factor /
		    10000;
	if (!max_boost)
		return false;
	max_boost = ga_max(z->pageblock_nr_pages, max_boost);
	WRITE_ONCE(z->watermark_boost,
		   ga_min(z->watermark_boost + z->pageblock_nr_pages, max_boost));
	zone_stat_add_locked(z, GA_STAT_BOOST, 1);
	return true;
}

/* Take a whole free block of order >= pageblock_order for start_mt. */
long claim_whole_block(struct ga_zone *z, ga_pfn_t pfn,
			      unsigned int current_order, unsigned int order,
			      int start_mt, int block_mt)
{
	unsigned long nr_added;

	if (zone_peeking(z))
		return peek_take(z, pfn, current_order, block_mt, true);
	start_mt = pageblock_label(z, start_mt);
	del_from_free_list(z, pfn, current_order, block_mt);
	change_pageblock_range(z, pfn, current_order, start_mt);
	nr_added = expand(z, pfn, order, current_order, start_mt);
	account_freepages(z, (long)nr_added, start_mt);
	zone_stat_add_locked(z, GA_STAT_CLAIM_WHOLE, 1);
	return (long)pfn;
}

/*
 * try_to_claim_block (6.12.117: try_to_steal_block): relabel the candidate's
 * pageblock if at least half of it is free or "alike" to the request. For a
 * movable request the alike pages are the movable ones; for an unmovable or
 * reclaimable request falling into a MOVABLE block, every in-use page that
 * is not movable; between UNMOVABLE and RECLAIMABLE nothing can be told
 * apart, so only free pages count.
 */
static long try_to_claim_block(struct ga_zone *z, ga_pfn_t pfn,
			       unsigned int current_order, unsigned int order,
			       int start_mt, unsigned int alloc_flags)
{
	int block_mt = get_pfnblock_migratetype(z, pfn);
	unsigned long free_pages, movable_pages, alike_pages;
	ga_pfn_t start_pfn;

	if (block_mt == GA_MT_HIGHATOMIC)
		return -1;
	/* Taking back a block under evacuation would undo the work (RFC 06). */
	if (pb_test_flag(pfn_to_block(z, pfn), PB_EVACUATING)) {
		zone_stat_add_locked(z, GA_STAT_EVAC_CLAIM_REFUSED, 1);
		trace_event_locked(z, GA_TRACE_SPB_CLAIM_REFUSED, order, start_mt,
				   "under_evacuation", -1, pageblock_start_pfn(z, pfn));
		return -1;
	}
	if (current_order >= z->pageblock_order)
		return claim_whole_block(z, pfn, current_order, order, start_mt,
					 block_mt);

	/* Boost before the threshold test: every sub-block attempt counts. */
	if (!zone_peeking(z) && boost_watermark(z) && (alloc_flags & ALLOC_KSWAPD))
		ga_set_bit(ZONE_BOOSTED_WATERMARK, &z->flags);

	start_pfn = pageblock_start_pfn(z, pfn);
	pageblock_scan(z, start_pfn, &free_pages, &movable_pages);
	/* RFC 24: between unmovable and reclaimable only a wholly free block. */
	if (z->policy.spb_no_mixing && noncompatible_cross_type(start_mt, block_mt) &&
	    free_pages != z->pageblock_nr_pages) {
		zone_stat_add_locked(z, GA_STAT_SPB_NOMIX_REFUSED, 1);
		trace_event_locked(z, GA_TRACE_SPB_CLAIM_REFUSED, order, start_mt,
				   "noncompatible_cross_type", -1, start_pfn);
		return -1;
	}
	if (start_mt == GA_MT_MOVABLE)
		alike_pages = movable_pages;
	else if (block_mt == GA_MT_MOVABLE)
		alike_pages = z->pageblock_nr_pages - (free_pages + movable_pages);
	else
		alike_pages = 0;

	if (free_pages + alike_pages >= z->pageblock_nr_pages / 2 ||
	    !z->policy.mobility_grouping) {
		if (zone_peeking(z))
			return peek_take(z, pfn, current_order, block_mt, true);
		move_freepages_block(z, start_pfn, block_mt, start_mt);
		zone_stat_add_locked(z, GA_STAT_CLAIM_PARTIAL, 1);
		/* Move the remaining movable pages out (RFC 06). */
		if (block_mt == GA_MT_MOVABLE && start_mt != GA_MT_MOVABLE)
			queue_pageblock_evacuate(z, start_pfn);
		return rmqueue_smallest(z, order, start_mt);
	}
	zone_stat_add_locked(z, GA_STAT_CLAIM_REFUSED, 1);
	return -1;
}

/*
 * A page from the fallback buddy at pfn without relabelling its block
 * (v6.1 steal_suitable_fallback's single_page): boosted first when the
 * buddy is smaller than a pageblock. v6.1 moved the buddy to the request's
 * lists before splitting it; here the remainder stays on the fallback
 * type's lists, which keeps the v6.10+ rule that a free page is on its
 * block's list (the checker enforces it).
 */
static long steal_from(struct ga_zone *z, ga_pfn_t pfn, unsigned int current_order,
		       unsigned int order, int start_mt, int fallback_mt,
		       unsigned int alloc_flags)
{
	if (current_order >= z->pageblock_order) {
		claim_whole_block(z, pfn, current_order, order, start_mt, fallback_mt);
	} else {
		if (boost_watermark(z) && (alloc_flags & ALLOC_KSWAPD))
			ga_set_bit(ZONE_BOOSTED_WATERMARK, &z->flags);
		page_del_and_expand(z, pfn, order, current_order, fallback_mt);
		zone_stat_add_locked(z, GA_STAT_STEAL, 1);
	}
	count_extfrag(z, pfn, order, current_order, start_mt, fallback_mt);
	return (long)pfn;
}

/*
 * v6.1 __rmqueue_fallback: the largest fallback buddy (from order 10 down to
 * min_order), one candidate; a movable request that may not claim it looks
 * for the smallest instead. The candidate's block is claimed if it can be,
 * else the page is taken from that buddy anyway.
 */
static long rmqueue_fallback_largest(struct ga_zone *z, unsigned int order,
				     int start_mt, unsigned int alloc_flags)
{
	int min_order = (int)order, fallback_mt = -1, o;
	ga_pfn_t pfn;
	long got;

	if (order < z->pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT))
		min_order = (int)z->pageblock_order;
	for (o = (int)z->max_order; o >= min_order; o--) {
		fallback_mt = find_suitable_fallback(z, (unsigned int)o, start_mt, false);
		if (fallback_mt >= 0)
			break;
	}
	if (fallback_mt < 0)
		return -1;
	if (!should_try_claim_block(z, (unsigned int)o, start_mt) &&
	    start_mt == GA_MT_MOVABLE && (unsigned int)o > order) {
		/* find_smallest */
		for (o = (int)order; o <= (int)z->max_order; o++) {
			fallback_mt = find_suitable_fallback(z, (unsigned int)o, start_mt,
							     false);
			if (fallback_mt >= 0)
				break;
		}
		pfn = idx_to_pfn(z, free_area_first(z, (unsigned int)o, fallback_mt));
		return steal_from(z, pfn, (unsigned int)o, order, start_mt, fallback_mt,
				  alloc_flags);
	}
	pfn = idx_to_pfn(z, free_area_first(z, (unsigned int)o, fallback_mt));
	if (should_try_claim_block(z, (unsigned int)o, start_mt)) {
		got = try_to_claim_block(z, pfn, (unsigned int)o, order, start_mt,
					 alloc_flags);
		if (got >= 0) {
			count_extfrag(z, (ga_pfn_t)got, order, (unsigned int)o,
				      start_mt, fallback_mt);
			return got;
		}
		/* Refused: try_to_claim_block boosted already. */
		page_del_and_expand(z, pfn, order, (unsigned int)o, fallback_mt);
		zone_stat_add_locked(z, GA_STAT_STEAL, 1);
		count_extfrag(z, pfn, order, (unsigned int)o, start_mt, fallback_mt);
		return (long)pfn;
	}
	return steal_from(z, pfn, (unsigned int)o, order, start_mt, fallback_mt,
			  alloc_flags);
}

/*
 * __rmqueue_claim: look at the largest fallback buddies first — the largest
 * free block approximates the pageblock with the most free pages — one
 * candidate (the list head) per order. Under ALLOC_NOFRAGMENT only whole
 * pageblocks may be claimed.
 */
long rmqueue_claim(struct ga_zone *z, unsigned int order, int start_mt,
		   unsigned int alloc_flags)
{
	int min_order = (int)order;

	if (z->policy.fallback_largest)
		return rmqueue_fallback_largest(z, order, start_mt, alloc_flags);
	if (order < z->pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT))
		min_order = (int)z->pageblock_order;

	for (int o = (int)z->max_order; o >= min_order; o--) {
		int fallback_mt = find_suitable_fallback(z, (unsigned int)o, start_mt,
							 false);
		uint32_t idx;
		long pfn;

		if (fallback_mt < 0)
			continue;
		/* v6.16 "tighten up": lower orders are no more claimable. */
		if (!should_try_claim_block(z, (unsigned int)o, start_mt))
			break;
		idx = free_area_first(z, (unsigned int)o, fallback_mt);
		pfn = try_to_claim_block(z, idx_to_pfn(z, idx), (unsigned int)o,
					 order, start_mt, alloc_flags);
		if (pfn >= 0) {
			count_extfrag(z, (ga_pfn_t)pfn, order, (unsigned int)o,
				      start_mt, fallback_mt);
			return pfn;
		}
	}
	return -1;
}

/*
 * __rmqueue_steal: the smallest fallback block that fits, split onto the
 * fallback type's lists; the pageblock keeps its label and becomes mixed.
 */
long rmqueue_steal(struct ga_zone *z, unsigned int order, int start_mt)
{
	for (unsigned int o = order; o <= z->max_order; o++) {
		int fallback_mt = find_suitable_fallback(z, o, start_mt,
							 z->policy.spb_no_mixing);
		uint32_t idx;
		ga_pfn_t pfn;

		if (fallback_mt < 0)
			continue;
		idx = free_area_first(z, o, fallback_mt);
		pfn = idx_to_pfn(z, idx);
		page_del_and_expand(z, pfn, order, o, fallback_mt);
		count_extfrag(z, pfn, order, o, start_mt, fallback_mt);
		zone_stat_add_locked(z, GA_STAT_STEAL, 1);
		return (long)pfn;
	}
	return -1;
}

long rmqueue_cma_fallback(struct ga_zone *z, unsigned int order)
{
	long pfn = rmqueue_smallest(z, order, GA_MT_CMA);

	if (pfn >= 0)
		zone_stat_add_locked(z, GA_STAT_CMA_ALLOC, 1);
	return pfn;
}
