// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The allocation path, top to bottom, in the order the kernel runs it
 * (mm/page_alloc.c, v6.12.117 with the v6.15 claim/steal split):
 *
 *   ga_alloc
 *     get_page_from_freelist (fast path, LOW watermark, ALLOC_NOFRAGMENT)
 *       zone_watermark_fast
 *       rmqueue
 *         rmqueue_pcplist -> rmqueue_bulk -> __rmqueue      (pcp.c)
 *         rmqueue_buddy   -> __rmqueue
 *           __rmqueue_smallest                               (buddy.c)
 *           CMA, claim, steal                                (fallback.c)
 *       reserve_highatomic_pageblock                         (highatomic.c)
 *     alloc_slowpath (MIN watermark, reserves, kswapd, async direct
 *                     compaction, direct reclaim, highatomic unreserve,
 *                     pcp drain, sync direct compaction, retries)
 *       try_to_compact_pages                                 (compaction.c)
 *
 * This file models a single zone: the zonelist walk, lowmem_reserve,
 * cpusets, node reclaim and the OOM killer are not modelled (docs/VANILLA.md).
 */
#include <errno.h>

#include "internal.h"

int ga_gfp_migratetype(unsigned int gfp)
{
	if ((gfp & GA_GFP_MOVABLE) && (gfp & GA_GFP_RECLAIMABLE))
		return -EINVAL;
	if (gfp & GA_GFP_MOVABLE)
		return GA_MT_MOVABLE;
	if (gfp & GA_GFP_RECLAIMABLE)
		return GA_MT_RECLAIMABLE;
	return GA_MT_UNMOVABLE;
}

/* ------------------------------------------------------------------------ */
/* Watermarks.                                                               */

/* wmark_pages(): every read includes the current boost. */
unsigned long zone_watermark_mark(const struct ga_zone *z, int wmark)
{
	return READ_ONCE(z->watermark[wmark]) + READ_ONCE(z->watermark_boost);
}

static long zone_watermark_unusable_free(struct ga_zone *z, unsigned int order,
					 unsigned int alloc_flags)
{
	long unusable = (1l << order) - 1;

	if (!(alloc_flags & ALLOC_RESERVES))
		unusable += (long)READ_ONCE(z->nr_free_highatomic);
	if (!(alloc_flags & ALLOC_CMA))
		unusable += (long)READ_ONCE(z->nr_free_cma);
	return unusable;
}

/*
 * __zone_watermark_ok: reserve is lowmem_reserve[highest_zoneidx] of a
 * zone in a node (0 for a zone alone); the reserve rights lower the mark,
 * never the reserve.
 */
bool zone_watermark_ok_reserve(struct ga_zone *z, unsigned int order,
			       unsigned long mark, unsigned long reserve,
			       unsigned int alloc_flags, long free_pages)
{
	long min = (long)mark;

	free_pages -= zone_watermark_unusable_free(z, order, alloc_flags);
	if (alloc_flags & ALLOC_RESERVES) {
		if (alloc_flags & ALLOC_MIN_RESERVE) {
			min -= min / 2;
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}
	if (free_pages <= min + (long)reserve)
		return false;
	if (!order)
		return true;

	/* A high-order request also needs one free block that is big enough. */
	for (unsigned int o = order; o <= z->max_order; o++) {
		const struct ga_free_area *area = &z->free_area[o];

		if (!READ_ONCE(area->nr_free))
			continue;
		for (int mt = 0; mt < GA_MT_PCPTYPES; mt++)
			if (READ_ONCE(area->nr[mt]))
				return true;
		if ((alloc_flags & ALLOC_CMA) && READ_ONCE(area->nr[GA_MT_CMA]))
			return true;
		if ((alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) &&
		    READ_ONCE(area->nr[GA_MT_HIGHATOMIC]))
			return true;
	}
	return false;
}

bool zone_watermark_ok(struct ga_zone *z, unsigned int order,
		       unsigned long mark, unsigned int alloc_flags,
		       long free_pages)
{
	return zone_watermark_ok_reserve(z, order, mark, 0, alloc_flags, free_pages);
}

static bool watermark_fast(struct ga_zone *z, unsigned int order,
			   unsigned long mark, unsigned long reserve,
			   unsigned int alloc_flags)
{
	long free_pages = (long)READ_ONCE(z->nr_free_pages);

	if (!order) {
		long usable = free_pages;
		long reserved = zone_watermark_unusable_free(z, 0, alloc_flags);

		usable -= ga_min(usable, reserved);
		if (usable > (long)(mark + reserve))
			return true;
	}
	if (zone_watermark_ok_reserve(z, order, mark, reserve, alloc_flags, free_pages))
		return true;
	/* __GFP_HIGH order-0 requests ignore the boost at the min mark. */
	if (!order && (alloc_flags & ALLOC_MIN_RESERVE) &&
	    READ_ONCE(z->watermark_boost) &&
	    (alloc_flags & ALLOC_WMARK_MASK) == ALLOC_WMARK_MIN)
		return zone_watermark_ok_reserve(z, order,
						 READ_ONCE(z->watermark[WMARK_MIN]),
						 reserve, alloc_flags, free_pages);
	return false;
}

/*
 * zone_watermark_fast with the request's lowmem_reserve; a failure that
 * the reserve alone caused is noted for the node's counters.
 */
static bool zone_watermark_fast(struct ga_zone *z, struct alloc_context *ac,
				unsigned long mark, unsigned int alloc_flags)
{
	if (watermark_fast(z, ac->order, mark, ac->lowmem_reserve, alloc_flags))
		return true;
	if (ac->lowmem_reserve && watermark_fast(z, ac->order, mark, 0, alloc_flags))
		ac->reserve_refused = true;
	return false;
}

/* ------------------------------------------------------------------------ */
/* __rmqueue and rmqueue_buddy (zone->lock held / taken).                    */

/*
 * __rmqueue: the requested type first, then fallbacks of increasing
 * fragmentation risk. *mode caches where rmqueue_bulk found pages so its
 * later iterations skip searches that cannot succeed under the same lock.
 */
long rmqueue_locked(struct ga_zone *z, unsigned int order, int mt,
		    unsigned int alloc_flags, enum rmqueue_mode *mode)
{
	long pfn;

	/* Before v6.15 every page of a refill searched from the start. */
	if (z->policy.rmqueue_bulk_restart)
		*mode = RMQUEUE_NORMAL;
	/* Balance movable allocations between CMA and the rest of the zone. */
	if ((alloc_flags & ALLOC_CMA) &&
	    z->nr_free_cma > z->nr_free_pages / 2) {
		pfn = rmqueue_cma_fallback(z, order);
		if (pfn >= 0)
			return pfn;
	}

	/* Superpageblock steering: which 1 GiB region serves this request. */
	if (spb_steering(z)) {
		pfn = spb_rmqueue(z, order, mt, alloc_flags);
		if (pfn >= 0)
			return pfn;
		/* RFC 26: an optional request fails rather than taint. */
		if (pfn == SPB_REFUSED) {
			zone_stat_add_locked(z, GA_STAT_SPB_REFUSE_OPTIONAL, 1);
			trace_event_locked(z, GA_TRACE_SPB_ATOMIC_RELAX, order, mt,
					   "refuse_optional", -1, 0);
			return -1;
		}
		/* Taint no clean SPB while reclaim may still help (RFC 20). */
		if ((alloc_flags & ALLOC_NOFRAGMENT) && mt != GA_MT_MOVABLE &&
		    spb_keeps_nofragment(z))
			return -1;
		/*
		 * The series' fallback search skips, for movable requests,
		 * every tainted SPB at or below its reserve: what the passes
		 * did not serve goes to reclaim, never to another type's
		 * fragments or a tainted SPB's last free pages.
		 */
		if (mt == GA_MT_MOVABLE && z->policy.spb_movable_reserve_gate) {
			zone_stat_add_locked(z, GA_STAT_SPB_MOVABLE_GATED, 1);
			return -1;
		}
		zone_stat_add_locked(z, GA_STAT_SPB_FALLTHROUGH, 1);
		trace_event_locked(z, GA_TRACE_SPB_FALL_THROUGH, order, mt, "rmqueue", -1, 0);
	}

	switch (*mode) {
	case RMQUEUE_NORMAL:
		pfn = rmqueue_smallest(z, order, mt);
		if (pfn >= 0)
			return pfn;
		/* fall through */
	case RMQUEUE_CMA:
		if (alloc_flags & ALLOC_CMA) {
			pfn = rmqueue_cma_fallback(z, order);
			if (pfn >= 0) {
				*mode = RMQUEUE_CMA;
				return pfn;
			}
		}
		/* fall through */
	case RMQUEUE_CLAIM:
		pfn = rmqueue_claim(z, order, mt, alloc_flags);
		if (pfn >= 0) {
			/* The preferred lists were just refilled. */
			*mode = RMQUEUE_NORMAL;
			return pfn;
		}
		/* fall through */
	case RMQUEUE_STEAL:
		if (!(alloc_flags & ALLOC_NOFRAGMENT)) {
			pfn = rmqueue_steal(z, order, mt);
			if (pfn >= 0) {
				*mode = RMQUEUE_STEAL;
				return pfn;
			}
		}
	}
	return -1;
}

static long rmqueue_highatomic(struct ga_zone *z, unsigned int order)
{
	long pfn = rmqueue_smallest(z, order, GA_MT_HIGHATOMIC);

	if (pfn >= 0)
		zone_stat_add_locked(z, GA_STAT_HIGHATOMIC_ALLOC, 1);
	return pfn;
}

/*
 * A block just taken off the buddy lists becomes an allocation of
 * content_mt: charge its pageblock and count it (zone->lock held).
 */
void account_buddy_alloc(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
			 int content_mt)
{
	charge_block(z, pfn, order, content_mt, 1);
	zone_stat_add_locked(z, GA_STAT_ALLOC_CALLS, 1);
	zone_stat_add_locked(z, GA_STAT_PGALLOC, 1ul << order);
}

/* rmqueue_buddy: orders the pcp does not cache, or when the pcp failed. */
static long rmqueue_buddy(struct ga_zone *z, unsigned int order, int mt,
			  int content_mt, unsigned int alloc_flags)
{
	enum rmqueue_mode mode = RMQUEUE_NORMAL;
	long pfn = -1;

	if (alloc_flags & ALLOC_TRYLOCK) {
		if (!ga_trylock(&z->lock)) {
			zone_stat_add(z, GA_STAT_NOLOCK_BUSY, 1);
			return RMQUEUE_BUSY;
		}
		z->stat[GA_STAT_ZONE_LOCK]++;
	} else {
		zone_lock(z);
	}
	if (alloc_flags & ALLOC_HIGHATOMIC)
		pfn = rmqueue_highatomic(z, order);
	if (pfn < 0) {
		pfn = rmqueue_locked(z, order, mt, alloc_flags, &mode);
		if (pfn < 0 && (alloc_flags & (ALLOC_OOM | ALLOC_NON_BLOCK)))
			pfn = rmqueue_highatomic(z, order);
	}
	if (pfn >= 0)
		account_buddy_alloc(z, (ga_pfn_t)pfn, order, content_mt);
	zone_unlock(z);
	return pfn;
}

/* rmqueue: pcp for the orders it caches, else (or on failure) the buddy. */
static long rmqueue(struct ga_zone *z, struct alloc_context *ac,
		    unsigned int alloc_flags)
{
	long pfn = -1;

	if (z->policy.pcp && pcp_allowed_order(z, ac->order) &&
	    !(alloc_flags & ALLOC_TRYLOCK))
		pfn = rmqueue_pcplist(z, ac->order, ac->migratetype,
				      ac->content_mt, alloc_flags, ac->cpu);
	if (pfn < 0)
		pfn = rmqueue_buddy(z, ac->order, ac->migratetype,
				    ac->content_mt, alloc_flags);

	/* A fallback boosted the watermark: kswapd should reclaim the boost. */
	if ((alloc_flags & ALLOC_KSWAPD) &&
	    ga_test_bit(ZONE_BOOSTED_WATERMARK, &z->flags) &&
	    ga_test_and_clear_bit(ZONE_BOOSTED_WATERMARK, &z->flags))
		ac->wake_kswapd_boost = true;
	return pfn;
}

/* ------------------------------------------------------------------------ */
/* get_page_from_freelist.                                                   */

/*
 * One zone of get_page_from_freelist's walk: the high mark (for
 * ZONE_BELOW_HIGH), the request's mark plus lowmem_reserve, rmqueue.
 * Returns the pfn, -1, or RMQUEUE_BUSY.
 */
long zone_try_alloc(struct ga_zone *z, struct alloc_context *ac,
		    unsigned int alloc_flags)
{
	unsigned long mark;
	long pfn;

	/* ZONE_BELOW_HIGH shrinks pcp->high in the free path. */
	if (!ga_test_bit(ZONE_BELOW_HIGH, &z->flags)) {
		mark = zone_watermark_mark(z, WMARK_HIGH);
		if (zone_watermark_fast(z, ac, mark, alloc_flags))
			goto try_this_zone;
		ga_set_bit(ZONE_BELOW_HIGH, &z->flags);
	}
	mark = zone_watermark_mark(z, (int)(alloc_flags & ALLOC_WMARK_MASK));
	if (!zone_watermark_fast(z, ac, mark, alloc_flags) &&
	    !(alloc_flags & ALLOC_NO_WATERMARKS))
		return -1;

try_this_zone:
	pfn = rmqueue(z, ac, alloc_flags);
	if (pfn == RMQUEUE_BUSY)
		return pfn;	/* ga_alloc_nolock: give up, do not retry */
	if (pfn >= 0) {
		/* Set the block aside for future high-order atomic bursts. */
		if (alloc_flags & ALLOC_HIGHATOMIC)
			reserve_highatomic_pageblock(z, (ga_pfn_t)pfn, ac->order);
		return pfn;
	}
	return -1;
}

/*
 * When every zone failed under NOFRAGMENT, the walk is retried without
 * it. With SPB steering a non-movable request keeps it through reclaim
 * instead (RFC 20).
 */
bool nofragment_may_drop(const struct ga_zone *z, const struct alloc_context *ac)
{
	return !spb_keeps_nofragment(z) || ac->migratetype == GA_MT_MOVABLE;
}

/* The walk over a zonelist of one zone. */
static long get_page_from_freelist(struct ga_zone *z, struct alloc_context *ac,
				   unsigned int alloc_flags)
{
	long pfn;

	alloc_flags |= ac->spb_flags;
	for (;;) {
		pfn = zone_try_alloc(z, ac, alloc_flags);
		if (pfn >= 0 || pfn == RMQUEUE_BUSY)
			return pfn;
		if (!(alloc_flags & ALLOC_NOFRAGMENT) || !nofragment_may_drop(z, ac))
			return -1;
		alloc_flags &= ~(unsigned int)ALLOC_NOFRAGMENT;
		zone_stat_add(z, GA_STAT_ALLOC_NOFRAG_RETRY, 1);
	}
}

/* ------------------------------------------------------------------------ */
/* Slow path.                                                                */

static unsigned int gfp_to_alloc_flags_cma(unsigned int gfp,
					   unsigned int alloc_flags)
{
	if (ga_gfp_migratetype(gfp) == GA_MT_MOVABLE)
		alloc_flags |= ALLOC_CMA;
	return alloc_flags;
}

/* gfp_to_alloc_flags: the slow path's MIN watermark and reserve rights. */
static unsigned int gfp_to_alloc_flags(unsigned int gfp, unsigned int order)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN;

	if (gfp & GA_GFP_HIGH)
		alloc_flags |= ALLOC_MIN_RESERVE;
	if (gfp & GA_GFP_KSWAPD_RECLAIM)
		alloc_flags |= ALLOC_KSWAPD;
	if (!(gfp & GA_GFP_DIRECT_RECLAIM) && !(gfp & GA_GFP_NOMEMALLOC)) {
		alloc_flags |= ALLOC_NON_BLOCK;
		if (order > 0 && (alloc_flags & ALLOC_MIN_RESERVE))
			alloc_flags |= ALLOC_HIGHATOMIC;
	}
	return gfp_to_alloc_flags_cma(gfp, alloc_flags);
}

/*
 * alloc_flags_nofragment: on x86-64 a Normal-zone request avoids
 * fragmenting fallbacks on its first pass (it would rather spill to DMA32).
 */
static unsigned int alloc_flags_nofragment(const struct ga_zone *z,
					   unsigned int gfp)
{
	unsigned int alloc_flags = 0;

	if (gfp & GA_GFP_KSWAPD_RECLAIM)
		alloc_flags |= ALLOC_KSWAPD;
	if (z->policy.nofragment)
		alloc_flags |= ALLOC_NOFRAGMENT;
	return alloc_flags;
}

/*
 * __alloc_pages_direct_reclaim: reclaim, retry, and on failure give back
 * one highatomic block and drain the pcp lists before one more try.
 */
static long alloc_direct_reclaim(struct ga_zone *z, struct alloc_context *ac,
				 unsigned int alloc_flags,
				 unsigned long *did_some_progress)
{
	bool drained = false;
	long pfn;

	*did_some_progress = direct_reclaim(z, ac);
	if (!*did_some_progress)
		return -1;
retry:
	pfn = get_page_from_freelist(z, ac, alloc_flags);
	if (pfn < 0 && !drained) {
		unreserve_highatomic_pageblock(z, ac->migratetype, false);
		ga_drain_all_pcp(z);
		drained = true;
		goto retry;
	}
	return pfn;
}

/*
 * should_reclaim_retry: keep trying while reclaim makes progress (up to
 * reclaim_retries rounds without it) and the watermark could be met. The
 * kernel adds the zone's reclaimable LRU pages to "available"; we cannot see
 * the embedder's LRU, so progress in this round stands in for it. When
 * giving up, force-unreserve highatomic blocks.
 */
static bool should_reclaim_retry(struct ga_zone *z, struct alloc_context *ac,
				 unsigned int alloc_flags, bool did_progress,
				 unsigned int *no_progress_loops)
{
	bool ret;

	if (did_progress && ac->order <= PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		(*no_progress_loops)++;

	ret = *no_progress_loops <= z->policy.reclaim_retries &&
	      (did_progress ||
	       zone_watermark_ok_reserve(z, ac->order, READ_ONCE(z->watermark[WMARK_MIN]) +
					 READ_ONCE(z->watermark_boost), ac->lowmem_reserve,
					 alloc_flags, (long)READ_ONCE(z->nr_free_pages)));
	if (!ret)
		return unreserve_highatomic_pageblock(z, ac->migratetype, true);
	return ret;
}

/* The slow path's compaction state: priority, last result, retries. */
struct compact_attempt {
	enum compact_priority prio;
	enum compact_result result;
	int retries;
	bool spb_evacuated;	/* RFC 17's evacuation ran in this slow path */
};

/*
 * RFC 17, non-movable half: a steered unmovable/reclaimable request above
 * order 0 evacuates movable pages from tainted SPBs (spb_evacuate.c)
 * before compaction runs, and retries with NOFRAGMENT kept. Once per slow
 * path: each run scans every tainted SPB's pageblocks.
 */
static long alloc_after_compact_evacuation(struct ga_zone *z, struct alloc_context *ac,
					   unsigned int alloc_flags,
					   struct compact_attempt *ca)
{
	long pfn;

	if (ca->spb_evacuated || !ac->order || ac->migratetype == GA_MT_MOVABLE ||
	    !spb_keeps_nofragment(z))
		return -1;
	ca->spb_evacuated = true;
	if (!spb_evacuate_for_compaction(z, ac->order, ac->migratetype, ac->gfp))
		return -1;
	pfn = get_page_from_freelist(z, ac, alloc_flags);
	if (pfn >= 0)
		zone_stat_add(z, GA_STAT_SPB_COMPACT_EVAC_SERVED, 1);
	return pfn;
}

/*
 * __alloc_pages_direct_compact: compact, then try the free lists. Capture
 * is not modelled: the page compaction freed is looked up afterwards, and
 * a racing allocation may take it first.
 */
static long alloc_direct_compact(struct ga_zone *z, struct alloc_context *ac,
				 unsigned int alloc_flags,
				 enum compact_priority prio,
				 struct compact_attempt *ca)
{
	long pfn;

	if (!ac->order)
		return -1;
	if (z->policy.spb_contig_movable && z->policy.spb_free_lists &&
	    ac->content_mt == GA_MT_MOVABLE && ac->order >= z->pageblock_order &&
	    !spb_evacuate_window(z, ac->cpu, ac->order)) {
		pfn = get_page_from_freelist(z, ac, alloc_flags);
		if (pfn >= 0)
			return pfn;
	}
	pfn = alloc_after_compact_evacuation(z, ac, alloc_flags, ca);
	if (pfn >= 0)
		return pfn;
	ca->result = try_to_compact_pages(z, ac, alloc_flags, prio);
	if (ca->result == COMPACT_SKIPPED)
		return -1;
	zone_stat_add(z, GA_STAT_COMPACT_STALL, 1);
	pfn = get_page_from_freelist(z, ac, alloc_flags);
	if (pfn >= 0) {
		compaction_alloc_succeeded(z, ac->order);
		zone_stat_add(z, GA_STAT_COMPACT_SUCCESS, 1);
		return pfn;
	}
	zone_stat_add(z, GA_STAT_COMPACT_FAIL, 1);
	return -1;
}

/*
 * Costly orders compact before reclaiming (there are likely enough base
 * pages), and so do non-movable high orders, since compaction empties
 * blocks of their own type instead of falling back into others.
 */
static bool compact_before_reclaim(struct ga_zone *z,
				   const struct alloc_context *ac)
{
	return compaction_allowed(z) && (ac->gfp & GA_GFP_DIRECT_RECLAIM) &&
	       (ac->order > PAGE_ALLOC_COSTLY_ORDER ||
		(ac->order > 0 && ac->migratetype != GA_MT_MOVABLE));
}

/*
 * should_compact_retry: a run that found a page which then got away is
 * retried (MAX_COMPACT_RETRIES, a quarter for costly orders); a failed
 * one is retried at the next priority, down to SYNC_FULL (SYNC_LIGHT for
 * costly orders). Skipped for lack of free pages: retry if reclaim helped.
 */
static bool should_compact_retry(struct ga_zone *z,
				 const struct alloc_context *ac,
				 struct compact_attempt *ca)
{
	int max_retries = MAX_COMPACT_RETRIES;
	enum compact_priority min_prio = MIN_COMPACT_PRIORITY;

	if (!ac->order || !compaction_allowed(z))
		return false;
	if (ca->result == COMPACT_SKIPPED)
		return compaction_suitable_after_reclaim(z, ac->order);
	if (ac->order > PAGE_ALLOC_COSTLY_ORDER) {
		max_retries /= 4;
		min_prio = MIN_COMPACT_COSTLY_PRIORITY;
	}
	if (ca->result == COMPACT_SUCCESS && ++ca->retries <= max_retries)
		return true;
	if (ca->prio > min_prio) {
		ca->prio--;
		ca->retries = 0;
		return true;
	}
	return false;
}

/*
 * spb_relax_placement: a steered non-movable request that failed only for
 * want of room in a tainted SPB while free memory is above the high
 * watermark lacks placement, not memory; reclaim (and the pcp drain that
 * comes with it) cannot help it, so let it taint an SPB straight away.
 */
static bool placement_not_memory(struct ga_zone *z, const struct alloc_context *ac)
{
	return z->policy.spb_relax_placement && spb_keeps_nofragment(z) &&
	       ac->migratetype != GA_MT_MOVABLE &&
	       READ_ONCE(z->nr_free_pages) >
	       zone_watermark_mark(z, WMARK_HIGH) + (1ul << ac->order);
}

static long alloc_slowpath(struct ga_zone *z, struct alloc_context *ac)
{
	bool can_direct_reclaim = ac->gfp & GA_GFP_DIRECT_RECLAIM;
	bool costly = ac->order > PAGE_ALLOC_COSTLY_ORDER;
	/*
	 * RFC 20 keeps NOFRAGMENT through reclaim; RFC 18 keeps it for
	 * requests that cannot reclaim too, so the tainted pool and the
	 * highatomic reserve are tried before a clean SPB is tainted.
	 */
	bool keep = spb_keeps_nofragment(z) &&
		    (can_direct_reclaim || z->policy.spb_atomic_protect);
	unsigned int alloc_flags = gfp_to_alloc_flags(ac->gfp, ac->order) |
				   (keep ? ALLOC_NOFRAGMENT : 0);

	if (!keep && spb_keeps_nofragment(z)) {
		zone_stat_add(z, GA_STAT_SPB_ATOMIC_NO_NOFRAG, 1);
		trace_event(z, GA_TRACE_SPB_ATOMIC_RELAX, ac->order, ac->migratetype,
			    "atomic_no_nofragment", -1, 0);
	}
	struct compact_attempt ca = { DEF_COMPACT_PRIORITY, COMPACT_SKIPPED, 0, false };
	unsigned int no_progress_loops = 0;
	unsigned long progress;
	long pfn;

	zone_stat_add(z, GA_STAT_ALLOC_SLOWPATH, 1);
	if (alloc_flags & ALLOC_KSWAPD)
		wakeup_kswapd(z, ac, false);
	pfn = get_page_from_freelist(z, ac, alloc_flags);
	if (pfn >= 0)
		return pfn;

	if (compact_before_reclaim(z, ac)) {
		pfn = alloc_direct_compact(z, ac, alloc_flags,
					   INIT_COMPACT_PRIORITY, &ca);
		if (pfn >= 0)
			return pfn;
		/* A costly __GFP_NORETRY request (THP) only keeps compacting
		 * async, and not at all if compaction could not run. */
		if (costly && (ac->gfp & GA_GFP_NORETRY)) {
			if (ca.result == COMPACT_SKIPPED ||
			    ca.result == COMPACT_DEFERRED)
				return -1;
			ca.prio = INIT_COMPACT_PRIORITY;
		}
	}

	for (;;) {
		if (alloc_flags & ALLOC_KSWAPD)
			wakeup_kswapd(z, ac, false);
		pfn = get_page_from_freelist(z, ac, alloc_flags);
		if (pfn >= 0)
			return pfn;
		if (!can_direct_reclaim)
			return -1;
		if (placement_not_memory(z, ac))
			return -1;	/* the caller taints an SPB instead */
		pfn = alloc_direct_reclaim(z, ac, alloc_flags, &progress);
		if (pfn >= 0)
			return pfn;
		pfn = alloc_direct_compact(z, ac, alloc_flags, ca.prio, &ca);
		if (pfn >= 0)
			return pfn;
		if (ac->gfp & GA_GFP_NORETRY)
			return -1;
		if (costly && (!compaction_allowed(z) ||
			       !(ac->gfp & GA_GFP_RETRY_MAYFAIL)))
			return -1;
		if (should_reclaim_retry(z, ac, alloc_flags, progress > 0,
					 &no_progress_loops))
			continue;
		if (progress > 0 && should_compact_retry(z, ac, &ca))
			continue;
		return -1;
	}
}

/*
 * RFC 20: only when reclaim and compaction could not help does a
 * non-movable request get to taint a clean superpageblock: one more try
 * with the slow path's rights and no ALLOC_NOFRAGMENT.
 */
static long alloc_tainting(struct ga_zone *z, struct alloc_context *ac)
{
	unsigned int alloc_flags = gfp_to_alloc_flags(ac->gfp, ac->order);

	zone_stat_add(z, GA_STAT_SPB_RELAX_NOFRAGMENT, 1);
	trace_event(z, GA_TRACE_SPB_ATOMIC_RELAX, ac->order, ac->migratetype,
		    "drop_nofragment", -1, 0);
	return get_page_from_freelist(z, ac, alloc_flags);
}

/*
 * RFC 23: before dropping NOFRAGMENT, move movable pages out of tainted
 * SPBs (spb_evacuate.c) and try once more with NOFRAGMENT kept.
 */
static long alloc_after_evacuation(struct ga_zone *z, struct alloc_context *ac)
{
	long pfn;

	if (!spb_evacuate_for_order(z, ac->order, ac->migratetype, ac->gfp))
		return -1;
	pfn = get_page_from_freelist(z, ac, gfp_to_alloc_flags(ac->gfp, ac->order) |
					    ALLOC_NOFRAGMENT);
	if (pfn >= 0)
		zone_stat_add(z, GA_STAT_SPB_EVAC_SERVED, 1);
	return pfn;
}

/* ------------------------------------------------------------------------ */
/* The series' refusals (RFC 26, 35): who fails instead of tainting.         */

/* Atomic shape: no direct reclaim, no NOMEMALLOC, no NOFAIL (GFP_ATOMIC, NOWAIT). */
static bool gfp_atomic_shape(unsigned int gfp)
{
	return !(gfp & (GA_GFP_DIRECT_RECLAIM | GA_GFP_NOMEMALLOC | GA_GFP_NOFAIL));
}

/*
 * ALLOC_HIGHORDER_OPTIONAL (26): a high-order caller with a cheap
 * fallback: NORETRY without RETRY_MAYFAIL (THP, slab refill, skb frags),
 * or atomic shape. MEMALLOC and NOFAIL callers never are.
 */
static bool gfp_highorder_optional(unsigned int gfp, unsigned int order)
{
	if (!order || (gfp & (GA_GFP_MEMALLOC | GA_GFP_NOFAIL)))
		return false;
	return ((gfp & GA_GFP_NORETRY) && !(gfp & GA_GFP_RETRY_MAYFAIL)) ||
	       gfp_atomic_shape(gfp);
}

/* Best effort (35): order > 0, NOWARN, no NOFAIL, no direct reclaim. */
static bool gfp_best_effort(unsigned int gfp, unsigned int order)
{
	return order && (gfp & GA_GFP_NOWARN) &&
	       !(gfp & (GA_GFP_NOFAIL | GA_GFP_DIRECT_RECLAIM));
}

static unsigned int spb_refusal_flags(const struct ga_zone *z, unsigned int gfp,
				      unsigned int order)
{
	if (z->policy.spb_refuse_optional && spb_keeps_nofragment(z) &&
	    gfp_highorder_optional(gfp, order))
		return ALLOC_HIGHORDER_OPTIONAL;
	return 0;
}

/*
 * The last step before a non-movable request drops NOFRAGMENT: 35 refuses
 * a best-effort high-order request that a lower order could serve from the
 * tainted pool (the caller's order-decrement fallback then runs).
 */
static long alloc_last_resort(struct ga_zone *z, struct alloc_context *ac)
{
	bool servable;

	if (z->policy.spb_refuse_lower_order && gfp_best_effort(ac->gfp, ac->order)) {
		zone_lock(z);
		servable = spb_lower_order_servable(z, ac->order, ac->migratetype);
		zone_unlock(z);
		if (servable) {
			zone_stat_add(z, GA_STAT_SPB_REFUSE_LOWER_ORDER, 1);
			trace_event(z, GA_TRACE_SPB_ATOMIC_RELAX, ac->order, ac->migratetype,
				    "refuse_lower_order", -1, 0);
			return -1;
		}
	}
	return alloc_tainting(z, ac);
}

/* ------------------------------------------------------------------------ */
/* Entry point.                                                              */

/*
 * prep_new_page: the block becomes the caller's allocation. extra
 * (PF_ISOLATED for a migration target) goes in with the same store:
 * lockless movers must never see the allocation without it, or they could
 * isolate a target as a source.
 *
 * The owner token shares its words with the list links the page had while
 * free or cached (an owned pcp_buddy page's links are rewritten under
 * pcp->lock only). The ALLOC state is published with a release store after
 * the token, and isolate_page's compare-and-swap acquires it, so a mover
 * that isolates the page reads this token, never the links of its life on
 * a list, even if the page went through a free and a reallocation with the
 * same flags between the mover's first read and its swap.
 */
void prep_new_page(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
		   int mt, uint64_t owner, uint32_t extra)
{
	struct ga_page *page = pfn_to_page(z, pfn);

	set_page_owner(page, owner);
	publish_page_flags(page, GA_PAGE_ALLOC | (order << PF_ORDER_SHIFT) |
				 ((uint32_t)mt << PF_MT_SHIFT) | extra);
}

/*
 * The argument checks every allocation entry point shares. Returns the
 * migratetype the request is served from (UNMOVABLE for every request
 * when mobility grouping is off), or a negative errno, counted.
 */
int alloc_check_args(struct ga_zone *z, unsigned int cpu,
			    unsigned int order, unsigned int gfp,
			    const ga_pfn_t *pfn_out)
{
	int mt = ga_gfp_migratetype(gfp);

	if (cpu >= z->nr_cpus || mt < 0 || (gfp & ~GA_GFP_VALID_MASK) || !pfn_out) {
		zone_stat_add(z, GA_STAT_BAD_ARG, 1);
		return -EINVAL;
	}
	if (order > z->max_order) {
		zone_stat_add(z, GA_STAT_BAD_ARG, 1);
		return -E2BIG;
	}
	return z->policy.mobility_grouping ? mt : GA_MT_UNMOVABLE;
}

int ga_alloc(struct ga_zone *z, unsigned int cpu, unsigned int order,
	     unsigned int gfp, uint64_t owner, ga_pfn_t *pfn_out)
{
	return alloc_pages_flags(z, cpu, order, gfp, owner, pfn_out, 0);
}

void alloc_context_init(struct ga_zone *z, struct alloc_context *ac,
			unsigned int cpu, unsigned int order, unsigned int gfp,
			int mt)
{
	*ac = (struct alloc_context){ .order = order, .gfp = gfp,
				      .migratetype = mt, .cpu = cpu,
				      .content_mt = ga_gfp_migratetype(gfp),
				      .spb_flags = spb_refusal_flags(z, gfp, order),
				      .highest_zoneidx = z->zone_type };
}

/* The fast path's flags: the low mark, alloc_flags_nofragment, CMA. */
unsigned int alloc_fast_flags(const struct ga_zone *z, unsigned int gfp,
			      bool nofragment)
{
	unsigned int alloc_flags = ALLOC_WMARK_LOW | alloc_flags_nofragment(z, gfp);

	if (!nofragment)
		alloc_flags &= ~(unsigned int)ALLOC_NOFRAGMENT;
	return gfp_to_alloc_flags_cma(gfp, alloc_flags);
}

/* The slow path's first try, before any reclaim (its get_page_from_freelist). */
unsigned int alloc_slow_flags(const struct ga_zone *z, const struct alloc_context *ac)
{
	bool keep = spb_keeps_nofragment(z) &&
		    ((ac->gfp & GA_GFP_DIRECT_RECLAIM) || z->policy.spb_atomic_protect);

	return gfp_to_alloc_flags(ac->gfp, ac->order) | ac->spb_flags |
	       (keep ? ALLOC_NOFRAGMENT : 0);
}

/* Everything after the fast path failed, in one zone. */
long zone_alloc_slow(struct ga_zone *z, struct alloc_context *ac)
{
	long pfn = alloc_slowpath(z, ac);

	if (pfn < 0 && spb_keeps_nofragment(z) && ac->migratetype != GA_MT_MOVABLE)
		pfn = alloc_after_evacuation(z, ac);
	if (pfn < 0 && spb_keeps_nofragment(z) && ac->migratetype != GA_MT_MOVABLE)
		pfn = alloc_last_resort(z, ac);
	return pfn;
}

/* The block becomes the allocation, kswapd and the executor are kicked. */
int alloc_finish(struct ga_zone *z, struct alloc_context *ac, long pfn,
		 uint64_t owner, uint32_t extra, ga_pfn_t *pfn_out)
{
	if (pfn >= 0)
		prep_new_page(z, (ga_pfn_t)pfn, ac->order,
			      ga_gfp_migratetype(ac->gfp), owner, extra);
	if (ac->wake_kswapd_boost)
		wakeup_kswapd(z, ac, true);
	if (z->executor)
		zone_kick_executor(z);
	if (pfn < 0) {
		zone_stat_add(z, GA_STAT_ALLOC_FAIL, 1);
		return -ENOMEM;
	}
	*pfn_out = (ga_pfn_t)pfn;
	return 0;
}

int alloc_pages_flags(struct ga_zone *z, unsigned int cpu, unsigned int order,
		      unsigned int gfp, uint64_t owner, ga_pfn_t *pfn_out,
		      uint32_t extra)
{
	struct alloc_context ac;
	int mt = alloc_check_args(z, cpu, order, gfp, pfn_out);
	long pfn;

	if (mt < 0)
		return mt;
	alloc_context_init(z, &ac, cpu, order, gfp, mt);
	pfn = get_page_from_freelist(z, &ac, alloc_fast_flags(z, gfp, true));
	if (pfn < 0)
		pfn = zone_alloc_slow(z, &ac);
	return alloc_finish(z, &ac, pfn, owner, extra, pfn_out);
}

/*
 * alloc_pages_nolock: one fast-path attempt with trylocks, on the buddy
 * lists only (a pcp refill would take zone->lock inside the pcp lock),
 * no slow path. RFC 36 gives it NOFRAGMENT, so it fails rather than taint.
 */
int ga_alloc_nolock(struct ga_zone *z, unsigned int cpu, unsigned int order,
		    unsigned int gfp, uint64_t owner, ga_pfn_t *pfn_out)
{
	struct alloc_context ac;
	unsigned int alloc_flags = ALLOC_WMARK_LOW | ALLOC_TRYLOCK;
	int mt = alloc_check_args(z, cpu, order, gfp, pfn_out);
	long pfn;

	if (mt < 0)
		return mt;
	/* No reclaim of any kind: the kswapd bit would wake a worker. */
	gfp &= ~(unsigned int)GA_GFP_RECLAIM;
	ac = (struct alloc_context){ .order = order, .gfp = gfp,
				     .migratetype = mt, .cpu = cpu,
				     .content_mt = ga_gfp_migratetype(gfp) };
	if (z->policy.nofragment)
		alloc_flags |= ALLOC_NOFRAGMENT;
	alloc_flags = gfp_to_alloc_flags_cma(gfp, alloc_flags);
	pfn = get_page_from_freelist(z, &ac, alloc_flags);
	if (pfn == RMQUEUE_BUSY)
		return -EBUSY;
	if (pfn < 0 && spb_keeps_nofragment(z) && !z->policy.spb_nolock_nofragment &&
	    mt != GA_MT_MOVABLE) {
		/* Without 36 the nolock path drops NOFRAGMENT like any other. */
		pfn = get_page_from_freelist(z, &ac,
					     alloc_flags & ~(unsigned int)ALLOC_NOFRAGMENT);
		if (pfn == RMQUEUE_BUSY)
			return -EBUSY;
	}
	if (pfn < 0) {
		zone_stat_add(z, GA_STAT_ALLOC_FAIL, 1);
		return -ENOMEM;
	}
	prep_new_page(z, (ga_pfn_t)pfn, order, ga_gfp_migratetype(gfp), owner, 0);
	*pfn_out = (ga_pfn_t)pfn;
	return 0;
}
