// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Superpageblock steering: which 1 GiB region serves an allocation (RFC
 * patches 11, 12, 13, 19, 20, 23, 24, 27; the digest's synthesized
 * cascade). Runs at the top of __rmqueue under zone->lock when per-SPB
 * free lists are on. Each pass asks the SPB index for one candidate and
 * allocates inside it, so an allocation visits one SPB per pass that has a
 * candidate — the RFC walked fullness lists (median ~50 SPBs, ~5 with its
 * hint cache).
 *
 * Unmovable and reclaimable requests, in order:
 *   1. a tainted SPB with a free block of the type          (PASS_1)
 *   2. a wholly free pageblock in a tainted SPB, claimed    (PASS_2)
 *   3. a movable block with free room in a tainted SPB:
 *      relabelled and queued for evacuation, no threshold   (PASS_2B, 06)
 *   4. a block borrowed from a movable list of a tainted
 *      SPB, not relabelled                                  (PASS_2D)
 *   -- under ALLOC_NOFRAGMENT stop here: reclaim first      (RFC 20) --
 *   5. an empty SPB: a free block of the type, else a wholly
 *      free pageblock claimed                               (PASS_3, 20)
 *   6. the same in the fullest clean SPB                    (last resort)
 *   With spb_taint_roomiest, 6 takes the emptiest clean SPB instead, a
 *   wholly free pageblock before a fragment of the type.
 * Movable requests:
 *   0. with spb_fill_holes, for a request below pageblock order, the
 *      smallest free movable block in a clean or a tainted SPB (clean
 *      first at equal order)
 *   1. the fullest clean SPB with a free movable block      (RFC 12)
 *   2. a wholly free pageblock of another label in a clean SPB
 *   3. an empty SPB                                         (RFC 20)
 *   4. a tainted SPB holding more than its reserve of free
 *      pageblocks                                           (PASS_4, 23)
 *   Without spb_tainted_last, 4 comes before 3.
 * When no pass serves, plain __rmqueue runs over all lists.
 *
 * spb_fill_holes and spb_taint_roomiest are gigalloc's, not the RFC's;
 * spb_tainted_last is the series' order (RFC 20). docs/SPB.md has the
 * measurements behind them. In short: free pages stranded in tainted SPBs
 * count towards the watermarks, so if movable requests skip them kswapd
 * stops while clean SPBs have no free pageblock left and THP faults fail
 * (the RFC saw 87,000 free pages in one tainted SPB, v1 31); movable
 * memory in a tainted SPB's free pageblocks, and a new tainted SPB that is
 * already full of movable pages, both push the next non-movable growth
 * into yet another SPB.
 *
 * Between UNMOVABLE and RECLAIMABLE nothing is relabelled unless wholly
 * free and nothing is borrowed (RFC 24): neither can be evacuated.
 */
#include "internal.h"

#define PCP_MTS ((1u << GA_MT_UNMOVABLE) | (1u << GA_MT_MOVABLE) | \
		 (1u << GA_MT_RECLAIMABLE))

/*
 * Where a pass looks for its SPB. With spb_fullness_walk, the RFC's search:
 * walk the fullness lists, fullest first, so fullness decides and every
 * entry looked at costs a visit. Without, gigalloc's index: the smallest
 * fitting order first, fullness only among SPBs that have that order,
 * costing the bitmap words scanned plus one visit for the SPB returned.
 */
static long find_below(struct ga_zone *z, struct spb_search *w, unsigned int cat,
		       const uint64_t *mask, unsigned int order, unsigned int below,
		       unsigned int mts, bool emptiest_first)
{
	long i;

	if (z->policy.spb_fullness_walk)
		return spb_walk(z, cat, mask == z->spb_idx.roomy, order, below, mts,
				emptiest_first, w);
	i = spb_find_below(z, cat, mask, order, below, mts, emptiest_first, w);
	if (i >= 0)
		w->visits++;
	return i;
}

static long find(struct ga_zone *z, struct spb_search *w, unsigned int cat,
		 const uint64_t *mask, unsigned int order, unsigned int mts,
		 bool emptiest_first)
{
	return find_below(z, w, cat, mask, order, z->max_order + 1, mts,
			  emptiest_first);
}

/* Room first: the emptiest SPB with a free block of at least order. */
static long find_emptiest(struct ga_zone *z, struct spb_search *w,
			  unsigned int cat, unsigned int order, unsigned int mts)
{
	long i;

	if (z->policy.spb_fullness_walk)
		return spb_walk(z, cat, false, order, z->max_order + 1, mts, true, w);
	i = spb_find_emptiest(z, cat, order, mts, w);
	if (i >= 0)
		w->visits++;
	return i;
}

/*
 * PASS_1 with RFC 31's hint: the SPB that last served (order, mt) from
 * category cat is probed first; a stale hint costs one visit and the walk
 * runs. The hint is refreshed by the caller on success (spb_hint_served).
 * Only with the walk: the index needs no hint.
 */
static long find_preferred(struct ga_zone *z, struct spb_search *w,
			   unsigned int cat, unsigned int order, int mt)
{
	uint32_t h = z->spb_idx.hint[order][mt];

	if (z->policy.spb_hint_cache && z->policy.spb_fullness_walk && h != GA_NIL) {
		const struct ga_spb *s = &z->spbs[h];

		w->visits++;
		if (s->category == cat &&
		    spb_has_free(z, s, order, z->max_order + 1, 1u << mt)) {
			zone_stat_add_locked(z, GA_STAT_SPB_HINT_HIT, 1);
			return (long)h;
		}
		zone_stat_add_locked(z, GA_STAT_SPB_HINT_MISS, 1);
	}
	return find(z, w, cat, z->spb_idx.all, order, 1u << mt, false);
}

static void hint_served(struct ga_zone *z, unsigned int order, int mt, long i)
{
	if (z->policy.spb_hint_cache && !zone_peeking(z))
		z->spb_idx.hint[order][mt] = (uint32_t)i;
}

/* __rmqueue_smallest inside one SPB. */
static long smallest_in_spb(struct ga_zone *z, struct ga_spb *s,
			    unsigned int order, int mt)
{
	for (unsigned int o = order; o <= z->max_order; o++) {
		uint32_t idx = spb_area_first(s, o, mt);

		if (idx == GA_NIL)
			continue;
		page_del_and_expand(z, idx_to_pfn(z, idx), order, o, mt);
		return (long)idx_to_pfn(z, idx);
	}
	return -1;
}

/* Free blocks on one list looked at before a claim gives up. */
#define CLAIM_SCAN_LIMIT 8

/* Any pageblock of the free block at idx is under evacuation. */
static bool free_block_evacuating(struct ga_zone *z, uint32_t idx, unsigned int o)
{
	ga_pfn_t pfn = idx_to_pfn(z, idx), end = pfn + (1ul << o);

	for (ga_pfn_t b = pfn; b < end; b += z->pageblock_nr_pages)
		if (pb_test_flag(pfn_to_block(z, b), PB_EVACUATING))
			return true;
	return false;
}

/*
 * The first free block on the SPB's (o, fb) list that a claim may take:
 * taking back a block under evacuation would undo the work (RFC 06), so
 * such blocks are passed over and counted.
 */
static uint32_t first_claimable(struct ga_zone *z, struct ga_spb *s,
				unsigned int o, int fb)
{
	uint32_t idx = spb_area_first(s, o, fb);

	for (unsigned int n = 0; idx != GA_NIL && free_block_evacuating(z, idx, o);
	     n++) {
		zone_stat_add_locked(z, GA_STAT_EVAC_CLAIM_REFUSED, 1);
		if (n + 1 == CLAIM_SCAN_LIMIT)
			return GA_NIL;
		idx = z->pages[idx].lru.next;
	}
	return idx;
}

/*
 * claim_whole_block inside one SPB: the smallest free block of at least a
 * pageblock, of a label in mts, becomes mt's (one already mt's is simply
 * taken). Relabelling a wholly free block mixes nothing, whatever the two
 * types. A block under evacuation is never relabelled.
 */
static long claim_free_in_spb(struct ga_zone *z, struct ga_spb *s,
			      unsigned int order, int mt, unsigned int mts)
{
	for (unsigned int o = ga_max(z->pageblock_order, order); o <= z->max_order;
	     o++) {
		for (int fb = 0; fb < GA_MT_PCPTYPES; fb++) {
			uint32_t idx = fb == mt ? spb_area_first(s, o, fb) :
						  first_claimable(z, s, o, fb);
			long pfn;

			if (!(mts & (1u << fb)) || idx == GA_NIL)
				continue;
			if (fb == mt) {		/* already mt's: nothing to claim */
				page_del_and_expand(z, idx_to_pfn(z, idx), order, o, mt);
				return (long)idx_to_pfn(z, idx);
			}
			pfn = claim_whole_block(z, idx_to_pfn(z, idx), o, order, mt, fb);
			count_extfrag(z, (ga_pfn_t)pfn, order, o, mt, fb);
			return pfn;
		}
	}
	return -1;
}

/*
 * PASS_2B: the largest free chunk on a movable list of a tainted SPB (the
 * block with the most room, approximately); relabel its block for mt and
 * queue the evacuation of the movable pages left in it. The half-block
 * rule is skipped: the SPB is tainted already, and evacuation empties it.
 */
static long claim_movable_in_spb(struct ga_zone *z, struct ga_spb *s,
				 unsigned int order, int mt)
{
	for (int o = (int)z->pageblock_order - 1; o >= (int)order; o--) {
		uint32_t idx = spb_area_first(s, (unsigned int)o, GA_MT_MOVABLE);
		ga_pfn_t block;

		if (idx == GA_NIL)
			continue;
		block = pageblock_start_pfn(z, idx_to_pfn(z, idx));
		if (pb_test_flag(pfn_to_block(z, block), PB_EVACUATING)) {
			zone_stat_add_locked(z, GA_STAT_EVAC_CLAIM_REFUSED, 1);
			continue;
		}
		if (zone_peeking(z)) {
			count_extfrag(z, block, order, (unsigned int)o, mt, GA_MT_MOVABLE);
			return peek_take(z, idx_to_pfn(z, idx), (unsigned int)o,
					 GA_MT_MOVABLE, true);
		}
		move_freepages_block(z, block, GA_MT_MOVABLE, mt);
		zone_stat_add_locked(z, GA_STAT_CLAIM_PARTIAL, 1);
		queue_pageblock_evacuate(z, block);
		count_extfrag(z, block, order, (unsigned int)o, mt, GA_MT_MOVABLE);
		return smallest_in_spb(z, s, order, mt);
	}
	return -1;
}

/*
 * PASS_2C/2D: borrow the smallest fitting block of at least min_order from
 * the `from` list, without relabelling: freed, it returns to that list.
 * Not from a block under evacuation.
 */
static long borrow_in_spb(struct ga_zone *z, struct ga_spb *s, unsigned int order,
			  unsigned int min_order, int mt, int from)
{
	for (unsigned int o = min_order; o <= z->max_order; o++) {
		uint32_t idx = first_claimable(z, s, o, from);

		if (idx == GA_NIL)
			continue;
		page_del_and_expand(z, idx_to_pfn(z, idx), order, o, from);
		count_extfrag(z, idx_to_pfn(z, idx), order, o, mt, from);
		return (long)idx_to_pfn(z, idx);
	}
	return -1;
}

/* Run one pass: find its SPB, allocate there, count it. */
#define TRY_PASS(expr_find, expr_alloc, item)				\
	do {								\
		long __i = (expr_find);					\
		if (__i >= 0) {						\
			struct ga_spb *s = &z->spbs[__i];		\
			long __pfn = (expr_alloc);			\
			if (__pfn >= 0) {				\
				zone_stat_add_locked(z, item, 1);	\
				w->outcome = item;			\
				return __pfn;				\
			}						\
		}							\
	} while (0)

/* PASS_1: the preferred category, hint first; the hint follows success. */
static long pass_1(struct ga_zone *z, struct spb_search *w, unsigned int cat,
		   unsigned int order, int mt)
{
	long i = find_preferred(z, w, cat, order, mt), pfn;

	if (i < 0)
		return -1;
	pfn = smallest_in_spb(z, &z->spbs[i], order, mt);
	if (pfn >= 0)
		hint_served(z, order, mt, i);
	return pfn;
}

/*
 * PASS_3 as the series orders it (RFC 20: "whole pageblock from empty
 * SPBs", then "fallback to non-preferred SPBs"): an empty SPB first, then
 * the fullest clean SPB, the first one the clean lists' walk meets.
 */
static long taint_fullest(struct ga_zone *z, unsigned int order, int mt,
			  struct spb_search *w)
{
	const uint64_t *all = z->spb_idx.all;
	unsigned int pb = ga_max(z->pageblock_order, order);

	TRY_PASS(find(z, w, SPB_EMPTY, all, order, 1u << mt, false),
		 smallest_in_spb(z, s, order, mt), GA_STAT_SPB_TAINT_EMPTY);
	TRY_PASS(find(z, w, SPB_EMPTY, all, pb, PCP_MTS & ~(1u << mt), false),
		 claim_free_in_spb(z, s, order, mt, PCP_MTS), GA_STAT_SPB_TAINT_EMPTY);
	TRY_PASS(find(z, w, SPB_CLEAN, all, order, 1u << mt, false),
		 smallest_in_spb(z, s, order, mt), GA_STAT_SPB_TAINT_CLEAN);
	TRY_PASS(find(z, w, SPB_CLEAN, all, pb, PCP_MTS & ~(1u << mt), false),
		 claim_free_in_spb(z, s, order, mt, PCP_MTS), GA_STAT_SPB_TAINT_CLEAN);
	return -1;
}

/*
 * spb_taint_roomiest: the SPB about to be tainted is where the next
 * non-movable growth will go, so give it the most room: an empty SPB,
 * else the emptiest clean one. The fullest clean SPB is the worst choice:
 * it is full of movable pages that now sit in a tainted SPB, it has no
 * room left, and the next claim taints yet another one. Either choice
 * costs one SPB that could have been a 1 GiB page.
 */
static long taint_roomiest(struct ga_zone *z, unsigned int order, int mt,
			   struct spb_search *w)
{
	const uint64_t *all = z->spb_idx.all;
	unsigned int pb = ga_max(z->pageblock_order, order);

	TRY_PASS(find(z, w, SPB_EMPTY, all, pb, PCP_MTS, false),
		 claim_free_in_spb(z, s, order, mt, PCP_MTS), GA_STAT_SPB_TAINT_EMPTY);
	TRY_PASS(find_emptiest(z, w, SPB_CLEAN, pb, PCP_MTS),
		 claim_free_in_spb(z, s, order, mt, PCP_MTS), GA_STAT_SPB_TAINT_CLEAN);
	/* No wholly free pageblock anywhere: a fragment of the type. */
	TRY_PASS(find(z, w, SPB_CLEAN, all, order, 1u << mt, true),
		 smallest_in_spb(z, s, order, mt), GA_STAT_SPB_TAINT_CLEAN);
	return -1;
}

/*
 * RFC 19: on zones with more than spb_aggressive_min_spbs SPBs, tainted
 * SPBs are written off, and non-movable requests take sub-pageblock
 * movable fragments there (PASS_2B, PASS_2D at any order); on smaller
 * zones each SPB is a large share of memory and NOFRAGMENT's pageblock
 * floor stays.
 */
static bool spb_any_tainted(const struct ga_zone *z)
{
	for (unsigned long w = 0; w < z->spb_idx.nr_words; w++)
		if (z->spb_idx.category[SPB_TAINTED][w])
			return true;
	return false;
}

static bool spb_aggressive(const struct ga_zone *z)
{
	return READ_ONCE(z->nr_spbs) > z->policy.spb_aggressive_min_spbs;
}

static long spb_nonmovable(struct ga_zone *z, unsigned int order, int mt,
			   unsigned int alloc_flags, struct spb_search *w)
{
	const uint64_t *all = z->spb_idx.all;
	unsigned int pb = ga_max(z->pageblock_order, order);	/* whole blocks */
	bool aggressive = spb_aggressive(z);
	unsigned int floor = aggressive ? order : pb;
	int other = mt == GA_MT_UNMOVABLE ? GA_MT_RECLAIMABLE : GA_MT_UNMOVABLE;
	long pfn;

	pfn = pass_1(z, w, SPB_TAINTED, order, mt);
	if (pfn >= 0) {
		zone_stat_add_locked(z, GA_STAT_SPB_PASS_TAINTED, 1);
		w->outcome = GA_STAT_SPB_PASS_TAINTED;
		return pfn;
	}
	TRY_PASS(find(z, w, SPB_TAINTED, all, pb, PCP_MTS & ~(1u << mt), false),
		 claim_free_in_spb(z, s, order, mt, PCP_MTS),
		 GA_STAT_SPB_CLAIM_FREE_TAINTED);
	if (aggressive && order < z->pageblock_order)
		TRY_PASS(find(z, w, SPB_TAINTED, all, order, 1u << GA_MT_MOVABLE, false),
			 claim_movable_in_spb(z, s, order, mt),
			 GA_STAT_SPB_CLAIM_MOVABLE_TAINTED);
	/* PASS_2C (27): mixes UNMOVABLE and RECLAIMABLE on purpose (cf. 24). */
	if (z->policy.spb_pass_2c && mt < GA_MT_PCPTYPES && mt != GA_MT_MOVABLE)
		TRY_PASS(find(z, w, SPB_TAINTED, all, order, 1u << other, false),
			 borrow_in_spb(z, s, order, order, mt, other),
			 GA_STAT_SPB_BORROW_CROSS);
	TRY_PASS(find(z, w, SPB_TAINTED, all, floor, 1u << GA_MT_MOVABLE, false),
		 borrow_in_spb(z, s, order, floor, mt, GA_MT_MOVABLE),
		 GA_STAT_SPB_BORROW_TAINTED);
	if (alloc_flags & ALLOC_NOFRAGMENT)
		return -1;
	/* Tainting is near: make room for the next one (v1 43, 25). */
	if (!zone_peeking(z)) {
		spb_defrag_kick_tainted(z);
		spb_evacuate_queue_deferred(z, order, mt, alloc_flags);
	}
	/*
	 * RFC 26: a caller with a cheap fallback takes it instead, when the
	 * tainted pool is merely depleted. With no tainted SPB at all there
	 * is nothing to wait for: the first one has to be made.
	 */
	if ((alloc_flags & ALLOC_HIGHORDER_OPTIONAL) && spb_any_tainted(z))
		return SPB_REFUSED;
	/* Tainting is unavoidable now. */
	trace_event_locked(z, GA_TRACE_SPB_FALL_THROUGH, order, mt, "taint", -1, 0);
	if (z->policy.spb_taint_roomiest)
		return taint_roomiest(z, order, mt, w);
	return taint_fullest(z, order, mt, w);
}

/*
 * RFC 35's test before a best-effort request may taint: could a tainted
 * SPB serve a lower order? It could if it holds movable pages (reclaim or
 * migration frees room there) or already has a free block of the type
 * below the requested order. Caller holds zone->lock.
 */
bool spb_lower_order_servable(struct ga_zone *z, unsigned int order, int mt)
{
	for (unsigned long i = 0; i < READ_ONCE(z->nr_spbs); i++) {
		const struct ga_spb *s = &z->spbs[i];

		if (s->category != SPB_TAINTED)
			continue;
		if (s->nr_used_pb[GA_MT_MOVABLE])
			return true;
		if (s->area && spb_has_free(z, s, 0, order, 1u << mt))
			return true;
	}
	return false;
}

/* PASS_4: a tainted SPB holding more free pageblocks than its reserve. */
static long movable_in_roomy(struct ga_zone *z, unsigned int order,
			     struct spb_search *w)
{
	int mt = GA_MT_MOVABLE;

	TRY_PASS(find(z, w, SPB_TAINTED, z->spb_idx.roomy, order, 1u << mt, false),
		 smallest_in_spb(z, s, order, mt), GA_STAT_SPB_MOVABLE_TAINTED);
	return -1;
}

static long spb_movable(struct ga_zone *z, unsigned int order, struct spb_search *w)
{
	const uint64_t *all = z->spb_idx.all;
	unsigned int pb = ga_max(z->pageblock_order, order);	/* whole blocks */
	unsigned int other = PCP_MTS & ~(1u << GA_MT_MOVABLE);
	int mt = GA_MT_MOVABLE;
	long pfn;

	if (z->policy.spb_fill_holes) {
		/* Smallest first, a clean SPB's before a tainted one's. */
		for (unsigned int o = order; o < z->pageblock_order; o++) {
			TRY_PASS(find_below(z, w, SPB_CLEAN, all, o, o + 1, 1u << mt, false),
				 smallest_in_spb(z, s, order, mt), GA_STAT_SPB_MOVABLE_CLEAN);
			TRY_PASS(find_below(z, w, SPB_TAINTED, all, o, o + 1, 1u << mt, false),
				 smallest_in_spb(z, s, order, mt), GA_STAT_SPB_MOVABLE_HOLE);
		}
	}
	pfn = pass_1(z, w, SPB_CLEAN, order, mt);
	if (pfn >= 0) {
		zone_stat_add_locked(z, GA_STAT_SPB_MOVABLE_CLEAN, 1);
		w->outcome = GA_STAT_SPB_MOVABLE_CLEAN;
		return pfn;
	}
	TRY_PASS(find(z, w, SPB_CLEAN, all, pb, other, false),
		 claim_free_in_spb(z, s, order, mt, other), GA_STAT_SPB_MOVABLE_CLEAN);
	if (!z->policy.spb_tainted_last && (pfn = movable_in_roomy(z, order, w)) >= 0)
		return pfn;
	TRY_PASS(find(z, w, SPB_EMPTY, all, order, 1u << mt, false),
		 smallest_in_spb(z, s, order, mt), GA_STAT_SPB_MOVABLE_EMPTY);
	TRY_PASS(find(z, w, SPB_EMPTY, all, pb, other, false),
		 claim_free_in_spb(z, s, order, mt, other), GA_STAT_SPB_MOVABLE_EMPTY);
	if (z->policy.spb_tainted_last)
		return movable_in_roomy(z, order, w);
	return -1;
}

/*
 * A movable block for a long-term pin, inside a tainted SPB: a free
 * movable block (smallest first, fullest SPB first), else a wholly free
 * pageblock of another label, relabelled. The tainted reserve does not
 * apply: a pinned page blocks a region like an unmovable one, and tainted
 * SPBs are where those belong. -1 if no tainted SPB has room.
 */
long spb_alloc_tainted_locked(struct ga_zone *z, unsigned int order)
{
	const uint64_t *all = z->spb_idx.all;
	unsigned int pb = ga_max(z->pageblock_order, order);
	int mt = pageblock_label(z, GA_MT_MOVABLE);	/* grouping off: UNMOVABLE */
	long i;

	i = spb_find(z, SPB_TAINTED, all, order, 1u << mt, false, NULL);
	if (i >= 0)
		return smallest_in_spb(z, &z->spbs[i], order, mt);
	i = spb_find(z, SPB_TAINTED, all, pb, PCP_MTS & ~(1u << mt), false, NULL);
	if (i >= 0)
		return claim_free_in_spb(z, &z->spbs[i], order, mt, PCP_MTS);
	return -1;
}

/*
 * Steer one allocation. Returns a pfn, or -1 when no pass served (the
 * caller then falls back to plain __rmqueue unless NOFRAGMENT forbids
 * tainting a clean SPB).
 */
long spb_rmqueue(struct ga_zone *z, unsigned int order, int mt,
		 unsigned int alloc_flags)
{
	struct spb_search w = { 0, 0, -1 };
	long pfn = -1;

	if (zone_peeking(z)) {	/* the decision only: no worker, no count */
		if (mt == GA_MT_MOVABLE && z->policy.spb_steer_movable)
			return spb_movable(z, order, &w);
		if (mt != GA_MT_MOVABLE && z->policy.spb_steer_nonmovable)
			return spb_nonmovable(z, order, mt, alloc_flags, &w);
		return -1;
	}
	if (mt == GA_MT_MOVABLE && z->policy.spb_steer_movable)
		pfn = spb_movable(z, order, &w);
	else if (mt != GA_MT_MOVABLE && z->policy.spb_steer_nonmovable) {
		pfn = spb_nonmovable(z, order, mt, alloc_flags, &w);
		spb_defrag_after_alloc(z, pfn, mt);	/* v1 43 */
		if (pfn >= 0)
			spb_shrink_pressure(z, (ga_pfn_t)pfn);	/* RFC 28 */
	}
	spb_count_search(z, &w);
	if (pfn == -1)
		zone_stat_add_locked(z, GA_STAT_SPB_WALK_FAIL, 1);
	if (ga_unlikely(z->trace_fn)) {
		struct ga_trace_event ev = {
			.type = GA_TRACE_SPB_ALLOC_WALK, .order = order,
			.migratetype = mt, .visited = w.visits,
			.what = w.outcome >= 0 ? ga_stat_name((enum ga_stat_item)w.outcome) :
				pfn == SPB_REFUSED ? "refused" : "fail",
			.spb = pfn >= 0 ? (long)((ga_pfn_t)pfn - z->spb_base) >> z->spb_order : -1,
			.pfn = pfn >= 0 ? (ga_pfn_t)pfn : 0,
		};

		z->trace_fn(z->trace_ctx, &ev);
	}
	return pfn;
}

/* ------------------------------------------------------------------------ */
/* RFC 17's hook for movable requests of pageblock order or more.            */

/*
 * Pages in use in the aligned window of nr_blocks pageblocks at start, or
 * -1 if evacuating it could not make it free: every block must be labelled
 * movable, not isolated, without holes, and hold nothing but free and
 * movable pages (no unmovable, reclaimable or contiguous ones). Every block
 * must also have a free page, so no page in the window is of pageblock
 * order: moving one would need a target as large as the request, and its
 * allocation would come back here.
 */
static long window_used(struct ga_zone *z, ga_pfn_t start,
			unsigned long nr_blocks)
{
	long used = 0;

	for (unsigned long i = 0; i < nr_blocks; i++) {
		const struct ga_pageblock *pb =
			pfn_to_block(z, start + i * z->pageblock_nr_pages);

		if (pb->mt != GA_MT_MOVABLE || pb_test_flag(pb, PB_ISOLATE) ||
		    pb->nr_reserved || pb->used[GA_MT_UNMOVABLE] ||
		    pb->used[GA_MT_RECLAIMABLE] || !pb->nr_free ||
		    pb->used[GA_MT_MOVABLE] + pb->nr_free != z->pageblock_nr_pages)
			return -1;
		used += pb->used[GA_MT_MOVABLE];
	}
	return used;
}

/*
 * sb_try_alloc_contig() for a 2^order movable request: the window in a
 * clean SPB that needs the fewest pages moved, ties to the fuller SPB so
 * movable memory stays packed. Tainted SPBs are left alone: their free
 * pageblocks are the reserve non-movable claims need. A window that is
 * already free is not wanted (the free lists would have served it).
 * Returns its first pfn, or -1. Caller holds zone->lock.
 */
long spb_contig_window(struct ga_zone *z, unsigned int order)
{
	unsigned long nr_blocks = 1ul << (order - z->pageblock_order);
	ga_pfn_t size = 1ul << order;
	long best = -1, best_used = 0;
	uint32_t best_free = 0;

	for (unsigned long i = 0; i < READ_ONCE(z->nr_spbs); i++) {
		const struct ga_spb *s = &z->spbs[i];
		ga_pfn_t w = (s->start_pfn + size - 1) & ~(size - 1);

		if (s->category != SPB_CLEAN)
			continue;
		for (; w + size <= s->end_pfn; w += size) {
			long used = window_used(z, w, nr_blocks);

			if (used <= 0)
				continue;
			if (best < 0 || used < best_used ||
			    (used == best_used && s->nr_free_pages < best_free)) {
				best = (long)w;
				best_used = used;
				best_free = s->nr_free_pages;
			}
		}
	}
	return best;
}
