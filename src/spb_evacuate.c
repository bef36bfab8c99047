// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Targeted evacuation for non-movable requests (RFC patch 23,
 * spb_evacuate_for_order), the same from direct compaction (RFC 17's
 * non-movable half), and its deferred form for atomic requests (RFC 25,
 * queue_spb_evacuate).
 *
 * When reclaim and compaction could not find an unmovable or reclaimable
 * request room in a tainted SPB, and the next step would drop
 * ALLOC_NOFRAGMENT and taint a clean SPB, movable pages are moved out of
 * tainted SPBs first, in two phases:
 *
 *   1. from a pageblock already labelled with the wanted type, so its free
 *      pages coalesce into a block of the wanted order (PASS_1 then finds
 *      it). Only below pageblock order.
 *   2. from a pageblock of a tainted SPB holding nothing but free and
 *      movable pages, so it becomes wholly free and PASS_2 claims it.
 *
 * Each phase tries up to SPB_EVAC_MAX_BLOCKS pageblocks, the one with the
 * fewest movable pages first, and stops at its first success; phase 2
 * passes over blocks holding a long-term pinned page (they cannot end
 * free). Attempts and
 * successes are counted per phase. The moved data goes outside the SPB:
 * targets the allocator would place inside it are held aside.
 *
 * This migrates, so it sleeps: only callers that may direct-reclaim run it
 * in line. An atomic request that is about to taint a clean or empty SPB
 * taints it anyway, but queues one deferred run on the executor so the
 * next request finds room in the tainted pool: single-flight, at most one
 * per second of zone time, and only if some tainted SPB holds movable
 * pages at all (the RFC's precheck). Movable requests never trigger it.
 */
#include "internal.h"

#define SPB_EVAC_MAX_BLOCKS 4	/* pageblocks evacuated per phase */
#define SPB_EVAC_MAX_LOOK 64	/* candidates looked at per phase */

/* Phase 1 candidate: labelled mt, movable pages in it, room for order. */
static bool phase1_candidate(const struct ga_zone *z, const struct ga_pageblock *pb,
			     unsigned int order, int mt)
{
	return pb->mt == mt && !pb->nr_reserved &&
	       !pb_test_flag(pb, PB_ISOLATE | PB_EVACUATING) &&
	       pb->used[GA_MT_MOVABLE] &&
	       pb->used[GA_MT_MOVABLE] + pb->nr_free >= (1u << order) &&
	       pb->nr_free < z->pageblock_nr_pages;
}

/* Phase 2 candidate: a movable pageblock that evacuation leaves free. */
static bool phase2_candidate(const struct ga_zone *z, const struct ga_pageblock *pb)
{
	return pb->mt == GA_MT_MOVABLE && !pb->nr_reserved &&
	       !pb_test_flag(pb, PB_ISOLATE | PB_EVACUATING) &&
	       !pb->used[GA_MT_UNMOVABLE] && !pb->used[GA_MT_RECLAIMABLE] &&
	       pb->used[GA_MT_MOVABLE] &&
	       pb->used[GA_MT_MOVABLE] + pb->nr_free == z->pageblock_nr_pages;
}

/*
 * The next candidate pageblock over all tainted SPBs in (movable pages,
 * pfn) order after *key, marked PB_EVACUATING and *key advanced; -1 if
 * none. zone->lock held.
 */
static long pick_block(struct ga_zone *z, int phase, unsigned int order, int mt,
		       uint64_t *key)
{
	uint64_t best_key = UINT64_MAX;
	long best = -1;
	unsigned long i;

	for_each_spb_of_category(z, SPB_TAINTED, i) {
		const struct ga_spb *s = &z->spbs[i];

		if (!s->nr_used_pb[GA_MT_MOVABLE])
			continue;
		for (ga_pfn_t b = s->start_pfn; b < s->end_pfn;
		     b += z->pageblock_nr_pages) {
			const struct ga_pageblock *pb = pfn_to_block(z, b);
			bool ok = phase == 1 ? phase1_candidate(z, pb, order, mt) :
					       phase2_candidate(z, pb);
			uint64_t k = ((uint64_t)pb->used[GA_MT_MOVABLE] << 40) |
				     (b - z->start_pfn);

			if (ok && k > *key && k < best_key) {
				best_key = k;
				best = (long)b;
			}
		}
	}
	if (best >= 0) {
		pb_set_flag(pfn_to_block(z, (ga_pfn_t)best), PB_EVACUATING);
		*key = best_key;
	}
	return best;
}

/* A free buddy of at least order inside the pageblock. zone->lock held. */
static bool block_has_free_order(struct ga_zone *z, ga_pfn_t block,
				 unsigned int order)
{
	ga_pfn_t pfn = block, end = block + z->pageblock_nr_pages;

	if (pfn_to_block(z, block)->nr_free == z->pageblock_nr_pages)
		return true;
	while (pfn < end) {
		const struct ga_page *p = pfn_to_page(z, pfn);
		unsigned int state = page_state(p);

		if (state == GA_PAGE_TAIL || state == GA_PAGE_RESERVED) {
			pfn++;
			continue;
		}
		if (state == GA_PAGE_BUDDY && page_order(p) >= order)
			return true;
		pfn += 1ul << page_order(p);
	}
	return false;
}

/* One phase: up to SPB_EVAC_MAX_BLOCKS blocks, until one succeeds. */
static bool evacuate_phase(struct ga_zone *z, int phase, unsigned int order, int mt)
{
	enum ga_stat_item attempt = phase == 1 ? GA_STAT_SPB_EVAC_P1_ATTEMPT :
						 GA_STAT_SPB_EVAC_P2_ATTEMPT;
	enum ga_stat_item success = phase == 1 ? GA_STAT_SPB_EVAC_P1_SUCCESS :
						 GA_STAT_SPB_EVAC_P2_SUCCESS;

	uint64_t key = 0;

	for (int i = 0, looked = 0; i < SPB_EVAC_MAX_BLOCKS &&
				    looked < SPB_EVAC_MAX_LOOK; looked++) {
		struct evacuate_result res;
		const struct ga_spb *s;
		bool done;
		long block;

		ga_lock(&z->lock);
		block = pick_block(z, phase, order, mt, &key);
		ga_unlock(&z->lock);
		if (block < 0)
			return false;
		/* A pinned page keeps a phase 2 block from ending free. */
		if (phase == 2 && evacuate_block_pinned(z, (ga_pfn_t)block)) {
			pb_clear_flag(pfn_to_block(z, (ga_pfn_t)block), PB_EVACUATING);
			continue;
		}
		i++;
		zone_stat_add(z, attempt, 1);
		s = pfn_to_spb(z, (ga_pfn_t)block);
		evacuate_block(z, (ga_pfn_t)block, s->start_pfn, s->end_pfn, true, &res);
		zone_stat_add(z, GA_STAT_SPB_EVAC_PAGES, res.migrated + res.dropped);
		ga_lock(&z->lock);
		pb_clear_flag(pfn_to_block(z, (ga_pfn_t)block), PB_EVACUATING);
		done = phase == 1 ? block_has_free_order(z, (ga_pfn_t)block, order) :
			pfn_to_block(z, (ga_pfn_t)block)->nr_free == z->pageblock_nr_pages;
		ga_unlock(&z->lock);
		if (done) {
			zone_stat_add(z, success, 1);
			return true;
		}
		if (res.nomem)
			return false;
	}
	return false;
}

static bool evacuate_for_order(struct ga_zone *z, unsigned int order, int mt)
{
	if (order < z->pageblock_order && evacuate_phase(z, 1, order, mt))
		return true;
	return order <= z->pageblock_order && evacuate_phase(z, 2, order, mt);
}

static bool evacuate_usable(const struct ga_zone *z, int mt)
{
	return mt != GA_MT_MOVABLE && z->policy.spb_free_lists &&
	       z->ops.migrate && !READ_ONCE(z->spb_bg.stopping);
}

bool spb_evacuate_for_order(struct ga_zone *z, unsigned int order, int mt,
			    unsigned int gfp)
{
	if (!z->policy.spb_evacuate_order || !(gfp & GA_GFP_DIRECT_RECLAIM) ||
	    !evacuate_usable(z, mt))
		return false;
	return evacuate_for_order(z, order, mt);
}

/*
 * RFC 17: __alloc_pages_direct_compact() first evacuates movable pages
 * from tainted SPBs for a non-movable high-order request, to give its
 * buddies a chance to coalesce; compaction runs only if that fails. Both
 * phases, as for 23: phase 1 is the coalescing, phase 2 frees a whole
 * pageblock that PASS_2 claims (for orders up to pageblock order).
 */
bool spb_evacuate_for_compaction(struct ga_zone *z, unsigned int order, int mt,
				 unsigned int gfp)
{
	if (!z->policy.spb_compact_evacuate || !order ||
	    !(gfp & GA_GFP_DIRECT_RECLAIM) || !evacuate_usable(z, mt))
		return false;
	zone_stat_add(z, GA_STAT_SPB_COMPACT_EVAC, 1);
	return evacuate_for_order(z, order, mt);
}

/* ------------------------------------------------------------------------ */
/* Deferred (RFC 25).                                                        */

static void evac_work_fn(struct ga_work *work)
{
	struct ga_zone *z = ga_container_of(work, struct ga_zone, spb_bg.evac_work);
	struct spb_background *bg = &z->spb_bg;

	if (!READ_ONCE(bg->stopping)) {
		evacuate_for_order(z, bg->evac_order, bg->evac_mt);
		zone_stat_add(z, GA_STAT_SPB_EVAC_DEFERRED_RUN, 1);
	}
	__atomic_store_n(&bg->evac_busy, 0, __ATOMIC_RELEASE);
}

void spb_evacuate_init(struct ga_zone *z)
{
	ga_work_init(&z->spb_bg.evac_work, evac_work_fn);
}

/* The precheck: some tainted SPB holds movable pages. zone->lock held. */
static bool tainted_pool_has_movable(const struct ga_zone *z)
{
	unsigned long i;

	for_each_spb_of_category(z, SPB_TAINTED, i)
		if (z->spbs[i].nr_used_pb[GA_MT_MOVABLE])
			return true;
	return false;
}

void spb_evacuate_queue_deferred(struct ga_zone *z, unsigned int order, int mt,
				 unsigned int alloc_flags)
{
	struct spb_background *bg = &z->spb_bg;
	unsigned long now = __atomic_load_n(&bg->now_s, __ATOMIC_RELAXED);

	if (!z->policy.spb_evacuate_deferred || !z->executor ||
	    !(alloc_flags & ALLOC_NON_BLOCK) || !evacuate_usable(z, mt))
		return;
	if (__atomic_load_n(&bg->evac_busy, __ATOMIC_ACQUIRE) ||
	    now < bg->evac_next_s || !tainted_pool_has_movable(z)) {
		zone_stat_add_locked(z, GA_STAT_SPB_EVAC_THROTTLED, 1);
		return;
	}
	__atomic_store_n(&bg->evac_busy, 1, __ATOMIC_RELAXED);
	bg->evac_order = order;
	bg->evac_mt = mt;
	bg->evac_next_s = now + 1;
	zone_stat_add_locked(z, GA_STAT_SPB_EVAC_DEFERRED, 1);
	ga_work_queue(z->executor, &bg->evac_work);
	ga_set_bit(ZONE_EXECUTOR_KICK, &z->flags);
}
