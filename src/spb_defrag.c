// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Background superpageblock defragmentation (RFC patch 15, with the v1
 * 43/45 follow-up).
 *
 * A tainted SPB that runs short of room (at most one wholly free
 * pageblock, or under two pageblocks' worth of free pages) will soon send
 * the next non-movable growth into a clean SPB. The worker evacuates the
 * movable pageblocks of that SPB, cheapest first, until it holds two free
 * pageblocks or three pageblocks' worth of free pages, or no movable
 * pageblock is left to empty. Clean SPBs are never defragmented, and SPBs
 * without movable pages are skipped.
 *
 * Triggers (zone->lock held): sb_update_list()'s, i.e. whenever the SPB's
 * counters are re-filed (spb.c spb_update: a pageblock became or stopped
 * being free, the SPB changed bucket or category); after a non-movable
 * allocation served in a tainted SPB below its shrink high-water mark
 * (reserve x pageblock pages); and just before a clean SPB would be
 * tainted, on every tainted SPB. A run that moved nothing stamps the SPB,
 * which is then not tried again for policy.spb_defrag_noop_cooldown
 * seconds of the zone's time (ga_vmstat_tick): that keeps the last two
 * triggers cheap on SPBs nothing can be done about.
 *
 * Modelling choices. The kernel gives each SPB its own work_struct; here
 * one work item serves every SPB marked pending, and an SPB's state
 * (idle -> pending -> running -> idle) makes it single-flight per SPB as a
 * work_struct's pending bit does. Only pageblocks holding nothing but free
 * and movable pages are evacuated: emptying a mixed block frees no
 * pageblock (the v1 43 failure mode), and neither does emptying one that
 * holds a long-term pinned page, so those are passed over too. Migration
 * targets come from clean SPBs' free lists first, and any inside this SPB
 * are refused (held aside), so evacuated data leaves it. While a block is
 * evacuated it carries PB_EVACUATING and claims refuse it.
 */
#include "internal.h"

enum { DEFRAG_IDLE, DEFRAG_PENDING, DEFRAG_RUNNING };

/* RFC 15's thresholds, in pageblocks. */
#define DEFRAG_START_FREE_PB		1	/* nr_free <= 1 */
#define DEFRAG_START_FREE_PAGES_PB	2	/* nr_free_pages < 2 pageblocks */
#define DEFRAG_STOP_FREE_PB		2	/* nr_free >= 2 */
#define DEFRAG_STOP_FREE_PAGES_PB	3	/* nr_free_pages >= 3 pageblocks */

static void defrag_work_fn(struct ga_work *work);

void spb_background_init(struct ga_zone *z)
{
	struct spb_background *bg = &z->spb_bg;

	*bg = (struct spb_background){ 0 };
	ga_work_init(&bg->defrag_work, defrag_work_fn);
	spb_evacuate_init(z);
}

void spb_background_stop(struct ga_zone *z)
{
	WRITE_ONCE(z->spb_bg.stopping, 1);
}

void spb_defrag_tick(struct ga_zone *z)
{
	__atomic_fetch_add(&z->spb_bg.now_s, 1, __ATOMIC_RELAXED);
}

static unsigned long zone_now_s(const struct ga_zone *z)
{
	return __atomic_load_n(&z->spb_bg.now_s, __ATOMIC_RELAXED);
}

static bool defrag_enabled(const struct ga_zone *z)
{
	return z->policy.spb_defrag && z->executor && z->policy.spb_free_lists &&
	       !READ_ONCE(z->spb_bg.stopping);
}

/* spb_needs_defrag() without the cooldown. */
static bool spb_short_of_room(const struct ga_zone *z, const struct ga_spb *s)
{
	return s->nr_free_pb <= DEFRAG_START_FREE_PB ||
	       s->nr_free_pages < DEFRAG_START_FREE_PAGES_PB * z->pageblock_nr_pages;
}

static bool spb_defrag_done(const struct ga_zone *z, const struct ga_spb *s)
{
	return s->nr_free_pb >= DEFRAG_STOP_FREE_PB ||
	       s->nr_free_pages >= DEFRAG_STOP_FREE_PAGES_PB * z->pageblock_nr_pages;
}

/*
 * No run after a run without progress for the cooldown, and at most one
 * run per SPB per second in any case: two tainted SPBs short of room can
 * otherwise evacuate into each other, each run moving pages (progress)
 * and its frees re-queueing the other, forever (fuzz_api found it).
 */
static bool spb_in_cooldown(const struct ga_zone *z, const struct ga_spb *s)
{
	uint32_t stamp = READ_ONCE(s->defrag_noop_stamp);
	unsigned long now = zone_now_s(z) + 1;

	if (READ_ONCE(s->defrag_run_stamp) == (uint32_t)now)
		return true;
	return stamp && now < (unsigned long)stamp +
			      z->policy.spb_defrag_noop_cooldown;
}

/* spb_maybe_start_defrag(): queue the worker for s if it needs one. */
static void spb_maybe_start_defrag(struct ga_zone *z, struct ga_spb *s)
{
	uint8_t idle = DEFRAG_IDLE;

	if (s->category != SPB_TAINTED || !s->nr_used_pb[GA_MT_MOVABLE] ||
	    !spb_short_of_room(z, s))
		return;
	if (__atomic_load_n(&s->defrag_state, __ATOMIC_RELAXED) != DEFRAG_IDLE)
		return;
	if (spb_in_cooldown(z, s)) {
		zone_stat_add_locked(z, GA_STAT_SPB_DEFRAG_COOLDOWN, 1);
		return;
	}
	if (!__atomic_compare_exchange_n(&s->defrag_state, &idle, DEFRAG_PENDING,
					 false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	zone_stat_add_locked(z, GA_STAT_SPB_DEFRAG_QUEUED, 1);
	ga_work_queue(z->executor, &z->spb_bg.defrag_work);
	ga_set_bit(ZONE_EXECUTOR_KICK, &z->flags);
}

void spb_defrag_check(struct ga_zone *z, struct ga_spb *s)
{
	if (defrag_enabled(z))
		spb_maybe_start_defrag(z, s);
}

void spb_defrag_after_alloc(struct ga_zone *z, long pfn, int mt)
{
	struct ga_spb *s;

	if (pfn < 0 || mt == GA_MT_MOVABLE || !defrag_enabled(z))
		return;
	s = pfn_to_spb(z, (ga_pfn_t)pfn);
	if (s->category == SPB_TAINTED &&
	    s->nr_free_pages < (uint32_t)s->reserve * z->pageblock_nr_pages)
		spb_maybe_start_defrag(z, s);
}

void spb_defrag_kick_tainted(struct ga_zone *z)
{
	unsigned long i;

	if (!defrag_enabled(z))
		return;
	for_each_spb_of_category(z, SPB_TAINTED, i)
		spb_maybe_start_defrag(z, &z->spbs[i]);
}

/* ------------------------------------------------------------------------ */
/* The worker.                                                               */

/* Evacuating this block would leave it wholly free. zone->lock held. */
static bool block_movable_only(const struct ga_zone *z,
			       const struct ga_pageblock *pb)
{
	return pb->mt < GA_MT_PCPTYPES && !pb->nr_reserved &&
	       !pb_test_flag(pb, PB_ISOLATE | PB_EVACUATING) &&
	       !pb->used[GA_MT_UNMOVABLE] && !pb->used[GA_MT_RECLAIMABLE] &&
	       pb->used[GA_MT_MOVABLE] &&
	       pb->used[GA_MT_MOVABLE] + pb->nr_free == z->pageblock_nr_pages;
}

/*
 * The next movable-only pageblock of s in (movable pages, pfn) order after
 * *key, so each block is tried once per run and the cheapest first.
 * Returns its pfn and advances *key, or -1. zone->lock held.
 */
static long next_movable_block(struct ga_zone *z, const struct ga_spb *s,
			       uint64_t *key)
{
	uint64_t best = UINT64_MAX;
	long best_pfn = -1;

	for (ga_pfn_t b = s->start_pfn; b < s->end_pfn; b += z->pageblock_nr_pages) {
		const struct ga_pageblock *pb = pfn_to_block(z, b);
		uint64_t k;

		if (!block_movable_only(z, pb))
			continue;
		k = ((uint64_t)pb->used[GA_MT_MOVABLE] << 40) | (b - s->start_pfn);
		if (k > *key && k < best) {
			best = k;
			best_pfn = (long)b;
		}
	}
	if (best_pfn >= 0)
		*key = best;
	return best_pfn;
}

/* Defragment one SPB; returns the pages moved out of it. */
static unsigned long spb_defrag_one(struct ga_zone *z, struct ga_spb *s)
{
	unsigned long moved = 0;
	uint64_t key = 0;

	zone_stat_add(z, GA_STAT_SPB_DEFRAG_RUN, 1);
	for (;;) {
		struct evacuate_result res;
		struct ga_pageblock *pb;
		bool freed;
		long block = -1;

		ga_lock(&z->lock);
		if (s->category == SPB_TAINTED && !spb_defrag_done(z, s))
			block = next_movable_block(z, s, &key);
		if (block >= 0)
			pb_set_flag(pfn_to_block(z, (ga_pfn_t)block), PB_EVACUATING);
		ga_unlock(&z->lock);
		if (block < 0 || READ_ONCE(z->spb_bg.stopping))
			break;
		if (evacuate_block_pinned(z, (ga_pfn_t)block)) {
			/* It cannot end free: leave it, try the next one. */
			pb_clear_flag(pfn_to_block(z, (ga_pfn_t)block), PB_EVACUATING);
			zone_stat_add(z, GA_STAT_SPB_DEFRAG_PINNED, 1);
			continue;
		}

		evacuate_block(z, (ga_pfn_t)block, s->start_pfn, s->end_pfn, true, &res);
		pb = pfn_to_block(z, (ga_pfn_t)block);
		ga_lock(&z->lock);
		pb_clear_flag(pb, PB_EVACUATING);
		freed = pb->nr_free == z->pageblock_nr_pages;
		ga_unlock(&z->lock);

		moved += res.migrated + res.dropped;
		zone_stat_add(z, GA_STAT_SPB_DEFRAG_BLOCKS, 1);
		if (freed)
			zone_stat_add(z, GA_STAT_SPB_DEFRAG_FREED, 1);
		if (res.nomem)
			break;		/* nowhere to put movable data */
	}
	zone_stat_add(z, GA_STAT_SPB_DEFRAG_PAGES, moved);
	return moved;
}

static void defrag_work_fn(struct ga_work *work)
{
	struct ga_zone *z = ga_container_of(work, struct ga_zone,
					    spb_bg.defrag_work);

	for (unsigned long i = 0; i < READ_ONCE(z->nr_spbs); i++) {
		struct ga_spb *s = &z->spbs[i];
		uint8_t pending = DEFRAG_PENDING;

		if (!__atomic_compare_exchange_n(&s->defrag_state, &pending,
						 DEFRAG_RUNNING, false,
						 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			continue;
		WRITE_ONCE(s->defrag_run_stamp, (uint32_t)zone_now_s(z) + 1);
		if (!READ_ONCE(z->spb_bg.stopping) && !spb_defrag_one(z, s)) {
			WRITE_ONCE(s->defrag_noop_stamp, (uint32_t)zone_now_s(z) + 1);
			zone_stat_add(z, GA_STAT_SPB_DEFRAG_NOOP, 1);
		}
		__atomic_store_n(&s->defrag_state, DEFRAG_IDLE, __ATOMIC_RELEASE);
	}
}
