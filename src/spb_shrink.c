// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Slab-shrink pressure from superpageblock placement (RFC 28, v1 32/45:
 * queue_spb_slab_shrink and spb_below_shrink_high_water).
 *
 * Unmovable and reclaimable allocations are packed into tainted SPBs. When
 * those run out of room the next one taints a clean SPB, which is then lost
 * for 1 GiB pages. Reclaimable slab (dentries, inodes, btrfs extent
 * buffers) lives in exactly those SPBs, so shrinking it makes room where
 * non-movable memory is placed. The RFC first shrank only at PASS_3 or at
 * claim-time taint ("too late") and added a proactive high-water trigger:
 *
 *  - a non-movable allocation served inside a tainted SPB whose free pages
 *    are below spb_tainted_reserve() x pageblock_nr_pages, and
 *  - a non-movable allocation that is about to taint a clean or empty SPB.
 *
 * Either queues one background work item on the zone's executor (single-
 * flight: the RFC dropped its 100 ms throttle because queue_work already is
 * one) that calls the embedder's ops->shrink. The library never frees
 * memory itself: the shrinker calls ga_free on objects it owns.
 *
 * How much to ask for is not in the text we have: a request asks for the
 * SPB's shortfall below its high-water mark (a newly tainted SPB's whole
 * mark), at most policy.spb_shrink_batch pages; requests that arrive while
 * one is queued merge into it (the largest is kept).
 */
#include "executor.h"
#include "internal.h"

static void spb_shrink_work_fn(struct ga_work *work)
{
	struct ga_zone *z = ga_container_of(work, struct ga_zone, shrink.work);
	struct ga_shrink_request req = { .cpu = 0 };
	unsigned long got;

	req.nr_to_free = __atomic_exchange_n(&z->shrink.want, 0, __ATOMIC_RELAXED);
	if (!req.nr_to_free)
		return;
	got = z->ops.shrink(z->ops_ctx, z, &req);
	zone_stat_add(z, GA_STAT_SPB_SHRINK_CALLS, 1);
	zone_stat_add(z, GA_STAT_SPB_SHRINK_PAGES, got);
}

void spb_shrink_init(struct ga_zone *z)
{
	z->shrink.want = 0;
	ga_work_init(&z->shrink.work, spb_shrink_work_fn);
}

/* Pages the SPB holding the allocation is short of (0: none). */
static unsigned long shrink_shortfall(struct ga_zone *z, const struct ga_spb *s)
{
	unsigned long high = (unsigned long)spb_tainted_reserve(z, s) *
			     z->pageblock_nr_pages;

	/* A clean or empty SPB about to be tainted: its whole mark. */
	if (s->category != SPB_TAINTED)
		return high;
	/* spb_below_shrink_high_water() */
	return s->nr_free_pages < high ? high - s->nr_free_pages : 0;
}

/*
 * A non-movable allocation was just served at pfn by SPB steering
 * (zone->lock held; the pages are not charged yet, so an SPB it taints
 * still reads clean or empty). Queue a shrink if its SPB is short.
 */
void spb_shrink_pressure(struct ga_zone *z, ga_pfn_t pfn)
{
	unsigned long want, old;

	if (!z->policy.spb_shrink || !z->ops.shrink || !z->executor)
		return;
	want = shrink_shortfall(z, pfn_to_spb(z, pfn));
	if (!want)
		return;
	want = ga_min(want, (unsigned long)z->policy.spb_shrink_batch);
	old = __atomic_load_n(&z->shrink.want, __ATOMIC_RELAXED);
	while (old < want &&
	       !__atomic_compare_exchange_n(&z->shrink.want, &old, want, true,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	zone_stat_add_locked(z, GA_STAT_SPB_SHRINK_WANTED, 1);
	/* The executor is woken once ga_alloc has dropped its locks. */
	if (ga_work_queue(z->executor, &z->shrink.work))
		ga_set_bit(ZONE_EXECUTOR_KICK, &z->flags);
}
