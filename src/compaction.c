// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Memory compaction (mm/compaction.c, v6.12), modelled on one zone.
 *
 * A migrate scanner walks up from the zone start (or its cached restart
 * point) one pageblock at a time and isolates movable allocations with the
 * shared isolate_migratepages(); a free scanner walks down from the zone end
 * and isolates free buddies as migration targets. Pages move through
 * migrate_pages_batch() with this file's compaction_alloc/compaction_free
 * as the target functions, so movable data is packed towards the zone end
 * and the free memory left behind merges into large buddies. A run ends
 * when the scanners meet, or at a pageblock boundary of the migrate scanner
 * once a free page of the wanted order exists.
 *
 * Around that core: pageblock skip hints and cached restart points,
 * compaction_suitable (order-0 watermark + gap, fragmentation index gate),
 * deferral after failures, direct compaction for the allocation slow path
 * (try_to_compact_pages), and kcompactd, which runs on the zone's executor
 * when kswapd wakes it or when the proactive fragmentation score is too
 * high.
 *
 * Not modelled (docs/VANILLA.md): capture of the freed page by the direct
 * compactor, the fast free-list searches (fast_find_migrateblock,
 * fast_isolate_freepages), too_many_isolated throttling, lock contention
 * aborts, and skipping movable allocations of at least the target order
 * below pageblock order (the shared isolation primitive has no order filter).
 */
#include <errno.h>
#include <string.h>

#include "compaction.h"
#include "migrate.h"

#define COMPACT_MAX_DEFER_SHIFT		6
#define HPAGE_FRAG_CHECK_INTERVAL_MSEC	500
#define VMSTAT_TICK_MSEC		1000	/* ga_vmstat_tick's period */
/* __reset_isolation_pfn samples a block every 2^PAGE_ALLOC_COSTLY_ORDER pages. */
#define RESET_SAMPLE_STRIDE		(1u << PAGE_ALLOC_COSTLY_ORDER)
/* Owner token of a free page compaction holds as a migration target. */
#define COMPACT_TARGET_OWNER		UINT64_MAX
/* Held targets per order; the free scanner stops when a list is full. */
#define NR_HELD_MAX			(2 * COMPACT_CLUSTER_MAX)

/* The migration mode of a run; SYNC_LIGHT and SYNC both retry busy pages. */
enum compact_mode {
	COMPACT_MODE_ASYNC,
	COMPACT_MODE_SYNC_LIGHT,
	COMPACT_MODE_SYNC,
};

/* isolate_migrate_t */
enum isolate_result {
	ISOLATE_NONE,
	ISOLATE_SUCCESS,
};

/* A stack-like list of held target pages of one order (cc->freepages[o]). */
struct held_list {
	ga_pfn_t pfn[NR_HELD_MAX];
	unsigned int nr;
};

struct compact_control {
	struct ga_zone *zone;
	unsigned int cpu;		/* whose pcp is drained between chunks */
	int order;			/* -1: the whole zone (compact_memory) */
	int migratetype;		/* of the request, for finish and sources */
	enum compact_mode mode;
	unsigned int alloc_flags;
	bool direct_compaction;		/* a stalled allocation compacts */
	bool kcompactd;			/* run by kcompactd: stops at teardown */
	bool proactive;			/* until the score is below the low mark */
	bool whole_zone;
	bool ignore_skip_hint;
	bool ignore_block_suitable;	/* any block may give free targets */
	bool finish_pageblock;		/* rescanning a block: mark it skipped */
	ga_pfn_t migrate_pfn, free_pfn;	/* the scanners */
	unsigned long nr_freepages;	/* pages held as targets */
	unsigned long nr_migratepages;	/* isolated pages still to move */
	unsigned long migrate_scanned, free_scanned, isolated;
	unsigned long list_scanned, list_targets;	/* RFC 16 */
	unsigned long spb_skipped, reserve_skipped;	/* RFC 38, 39 */
	struct held_list freepages[GA_NR_ORDERS_MAX];
	struct migrate_control mc;
	struct migrate_batch batch;
};

/* ------------------------------------------------------------------------ */
/* Geometry.                                                                 */

static ga_pfn_t pageblock_end_pfn(const struct ga_zone *z, ga_pfn_t pfn)
{
	return pageblock_start_pfn(z, pfn) + z->pageblock_nr_pages;
}

static bool pageblock_aligned(const struct ga_zone *z, ga_pfn_t pfn)
{
	return !(pfn & (z->pageblock_nr_pages - 1));
}

/* block_end_pfn(pfn, order): the end of the 2^order block holding pfn. */
static ga_pfn_t order_block_end(ga_pfn_t pfn, int order)
{
	return (pfn | ((1ul << order) - 1)) + 1;
}

/*
 * pageblock_skip_persistent: a block inside an allocation of at least
 * pageblock order (a THP, a contiguous range) has nothing to compact and
 * no free page until that allocation goes.
 */
static bool pageblock_skip_persistent(struct ga_zone *z, ga_pfn_t block)
{
	const struct ga_page *p = pfn_to_page(z, block_head(z, block));
	unsigned int state = page_state(p);

	return (state == GA_PAGE_ALLOC || state == GA_PAGE_CONTIG) &&
	       page_order(p) >= z->pageblock_order;
}

/* ------------------------------------------------------------------------ */
/* Deferral (defer_compaction, compaction_deferred, compaction_defer_reset). */

static void defer_compaction(struct ga_zone *z, int order)
{
	struct ga_compact_state *c = &z->compact;

	WRITE_ONCE(c->considered, 0);
	WRITE_ONCE(c->defer_shift, ga_min(READ_ONCE(c->defer_shift) + 1,
					  (unsigned int)COMPACT_MAX_DEFER_SHIFT));
	if (order < READ_ONCE(c->order_failed))
		WRITE_ONCE(c->order_failed, order);
}

/* Skip this attempt? Up to 2^defer_shift attempts after failures are. */
static bool compaction_deferred(struct ga_zone *z, int order)
{
	struct ga_compact_state *c = &z->compact;
	unsigned int limit = 1u << READ_ONCE(c->defer_shift);
	unsigned int considered;

	if (order < READ_ONCE(c->order_failed))
		return false;
	considered = READ_ONCE(c->considered) + 1;
	if (considered >= limit) {
		WRITE_ONCE(c->considered, limit);
		return false;
	}
	WRITE_ONCE(c->considered, considered);
	zone_stat_add(z, GA_STAT_COMPACT_DEFERRED, 1);
	return true;
}

/* A page of this order is (expected to be) available: stop deferring. */
static void compaction_defer_reset(struct ga_zone *z, int order,
				   bool alloc_success)
{
	struct ga_compact_state *c = &z->compact;

	if (alloc_success) {
		WRITE_ONCE(c->considered, 0);
		WRITE_ONCE(c->defer_shift, 0);
	}
	if (order >= READ_ONCE(c->order_failed))
		WRITE_ONCE(c->order_failed, order + 1);
}

/* Maximal deferral ran out: the next run starts with fresh skip hints. */
static bool compaction_restarting(struct ga_zone *z, int order)
{
	struct ga_compact_state *c = &z->compact;

	if (order < READ_ONCE(c->order_failed))
		return false;
	return READ_ONCE(c->defer_shift) == COMPACT_MAX_DEFER_SHIFT &&
	       READ_ONCE(c->considered) >= 1u << COMPACT_MAX_DEFER_SHIFT;
}

void compaction_alloc_succeeded(struct ga_zone *z, unsigned int order)
{
	WRITE_ONCE(z->compact.blockskip_flush, 0);
	compaction_defer_reset(z, (int)order, true);
}

/* ------------------------------------------------------------------------ */
/* Skip hints and cached scanner positions.                                  */

static bool isolation_suitable(const struct compact_control *cc, ga_pfn_t block)
{
	return cc->ignore_skip_hint ||
	       !pb_test_flag(pfn_to_block(cc->zone, block), PB_COMPACT_SKIP);
}

static void set_pageblock_skip(struct ga_zone *z, ga_pfn_t pfn)
{
	pb_set_flag(pfn_to_block(z, pfn), PB_COMPACT_SKIP);
}

static void reset_cached_positions(struct ga_zone *z)
{
	struct ga_compact_state *c = &z->compact;

	WRITE_ONCE(c->cached_migrate_pfn[0], z->start_pfn);
	WRITE_ONCE(c->cached_migrate_pfn[1], z->start_pfn);
	WRITE_ONCE(c->cached_free_pfn, pageblock_start_pfn(z, READ_ONCE(z->end_pfn) - 1));
}

/*
 * update_cached_migrate: where the next run of this mode restarts. As in
 * the kernel, pageblock_end_pfn of an aligned pfn is the end of the block
 * after it.
 */
static void update_cached_migrate(struct compact_control *cc, ga_pfn_t pfn)
{
	struct ga_compact_state *c = &cc->zone->compact;

	pfn = pageblock_end_pfn(cc->zone, pfn);
	if (pfn > READ_ONCE(c->cached_migrate_pfn[0]))
		WRITE_ONCE(c->cached_migrate_pfn[0], pfn);
	if (cc->mode != COMPACT_MODE_ASYNC &&
	    pfn > READ_ONCE(c->cached_migrate_pfn[1]))
		WRITE_ONCE(c->cached_migrate_pfn[1], pfn);
}

/* update_pageblock_skip: a free scan completed the block below free_pfn. */
static void update_pageblock_skip(struct compact_control *cc, ga_pfn_t block,
				  ga_pfn_t free_pfn)
{
	struct ga_compact_state *c = &cc->zone->compact;

	set_pageblock_skip(cc->zone, block);
	if (free_pfn < READ_ONCE(c->cached_free_pfn))
		WRITE_ONCE(c->cached_free_pfn, free_pfn);
}

/*
 * __reset_isolation_pfn: clear a block's hint if a sample (one page in 8)
 * finds a movable allocation (a source) or a free buddy (a target).
 */
static bool reset_isolation_pfn(struct ga_zone *z, ga_pfn_t block,
				bool check_source, bool check_target)
{
	struct ga_pageblock *pb = pfn_to_block(z, block);

	if (pageblock_skip_persistent(z, block))
		return false;
	if (check_source && check_target && !pb_test_flag(pb, PB_COMPACT_SKIP))
		return true;
	/* A free scanner restart point must be a MOVABLE block. */
	if (!check_source && check_target && READ_ONCE(pb->mt) != GA_MT_MOVABLE)
		return false;
	for (ga_pfn_t pfn = block; pfn < block + z->pageblock_nr_pages;
	     pfn += RESET_SAMPLE_STRIDE) {
		const struct ga_page *p = pfn_to_page(z, pfn);
		unsigned int state = page_state(p);

		if ((check_source && state == GA_PAGE_ALLOC &&
		     page_alloc_mt(p) == GA_MT_MOVABLE) ||
		    (check_target && state == GA_PAGE_BUDDY)) {
			pb_clear_flag(pb, PB_COMPACT_SKIP);
			return true;
		}
	}
	return false;
}

/*
 * __reset_isolation_suitable: after a direct compaction's scanners met,
 * walk inwards from both ends clearing hints, and restart the scanners at
 * the outermost blocks worth scanning.
 */
static void __reset_isolation_suitable(struct ga_zone *z)
{
	struct ga_compact_state *c = &z->compact;
	long lo = 0, hi = (long)READ_ONCE(z->nr_pageblocks) - 1;
	ga_pfn_t reset_migrate = READ_ONCE(z->end_pfn) - 1, reset_free = z->start_pfn;
	bool source_set = false, free_set = false;

	if (!__atomic_exchange_n(&c->blockskip_flush, 0, __ATOMIC_RELAXED))
		return;
	for (; lo <= hi; lo++, hi--) {
		ga_pfn_t mpfn = z->start_pfn + ((ga_pfn_t)lo << z->pageblock_order);
		ga_pfn_t fpfn = z->start_pfn + ((ga_pfn_t)hi << z->pageblock_order);

		if (reset_isolation_pfn(z, mpfn, true, source_set) &&
		    mpfn < reset_migrate) {
			source_set = true;
			reset_migrate = mpfn;
			WRITE_ONCE(c->init_migrate_pfn, mpfn);
			WRITE_ONCE(c->cached_migrate_pfn[0], mpfn);
			WRITE_ONCE(c->cached_migrate_pfn[1], mpfn);
		}
		if (reset_isolation_pfn(z, fpfn, free_set, true) &&
		    fpfn > reset_free) {
			free_set = true;
			reset_free = fpfn;
			WRITE_ONCE(c->init_free_pfn, fpfn);
			WRITE_ONCE(c->cached_free_pfn, fpfn);
		}
	}
	/* Leave no distance between the scanners if nothing was worth it. */
	if (reset_migrate >= reset_free) {
		ga_pfn_t mid = z->start_pfn + ((ga_pfn_t)lo << z->pageblock_order);

		WRITE_ONCE(c->cached_migrate_pfn[0], mid);
		WRITE_ONCE(c->cached_migrate_pfn[1], mid);
		WRITE_ONCE(c->cached_free_pfn, mid);
	}
}

void reset_isolation_suitable(struct ga_zone *z)
{
	__reset_isolation_suitable(z);
}

/* ------------------------------------------------------------------------ */
/* Held migration targets (cc->freepages).                                   */

/*
 * A free page compaction holds is an isolated MOVABLE allocation owned by
 * compaction: the invariant checker counts it as allocated, and no other
 * scanner can isolate it. One store, so lockless readers never see it
 * half-made.
 */
static void hold_page(struct ga_zone *z, ga_pfn_t pfn, unsigned int order)
{
	struct ga_page *p = pfn_to_page(z, pfn);

	set_page_owner(p, COMPACT_TARGET_OWNER);
	publish_page_flags(p, GA_PAGE_ALLOC | (order << PF_ORDER_SHIFT) |
			      ((uint32_t)GA_MT_MOVABLE << PF_MT_SHIFT) | PF_ISOLATED);
}

static bool held_full(const struct compact_control *cc, unsigned int order)
{
	return cc->freepages[order].nr == NR_HELD_MAX;
}

static void held_add_tail(struct held_list *l, ga_pfn_t pfn)
{
	l->pfn[l->nr++] = pfn;
}

static void held_add_head(struct held_list *l, ga_pfn_t pfn)
{
	memmove(&l->pfn[1], &l->pfn[0], l->nr * sizeof(l->pfn[0]));
	l->pfn[0] = pfn;
	l->nr++;
}

static ga_pfn_t held_take_first(struct held_list *l)
{
	ga_pfn_t pfn = l->pfn[0];

	l->nr--;
	memmove(&l->pfn[0], &l->pfn[1], l->nr * sizeof(l->pfn[0]));
	return pfn;
}

/* release_free_list: give the unused targets back. Returns the highest pfn. */
static ga_pfn_t release_free_list(struct compact_control *cc)
{
	struct ga_zone *z = cc->zone;
	ga_pfn_t high = 0;

	zone_lock(z);
	for (unsigned int o = 0; o <= z->max_order; o++) {
		struct held_list *l = &cc->freepages[o];

		for (unsigned int i = 0; i < l->nr; i++) {
			charge_block(z, l->pfn[i], o, GA_MT_MOVABLE, -1);
			split_large_buddy(z, l->pfn[i], o, false);
			high = ga_max(high, l->pfn[i]);
		}
		l->nr = 0;
	}
	zone_unlock(z);
	cc->nr_freepages = 0;
	return high;
}

/* ------------------------------------------------------------------------ */
/* The free scanner (isolate_freepages).                                     */

/* __isolate_free_page's watermark: as if the page were being allocated. */
static bool free_page_watermark_ok(struct ga_zone *z, unsigned int order)
{
	return zone_watermark_ok(z, 0, READ_ONCE(z->watermark[WMARK_MIN]) + (1ul << order),
				 ALLOC_CMA, (long)READ_ONCE(z->nr_free_pages));
}

/*
 * __isolate_free_page: a target of at least half a pageblock relabels its
 * (mergeable) blocks MOVABLE, since movable data is about to fill them.
 */
static void claim_target_blocks(struct ga_zone *z, ga_pfn_t pfn,
				unsigned int order)
{
	ga_pfn_t end = pfn + (1ul << order) - 1;

	for (ga_pfn_t b = pageblock_start_pfn(z, pfn); b < end;
	     b += z->pageblock_nr_pages) {
		int mt = READ_ONCE(pfn_to_block(z, b)->mt);

		if (migratetype_is_mergeable(mt) && mt != GA_MT_MOVABLE)
			move_freepages_block(z, b, mt, GA_MT_MOVABLE);
	}
}

/*
 * Take the free buddy at pfn as a target. Returns its size, 0 when the
 * scanner must stop (watermark, or no room to hold it), or -1 when pfn is
 * no longer a free buddy we may take. zone->lock held.
 */
static long __isolate_free_page(struct compact_control *cc, ga_pfn_t pfn)
{
	struct ga_zone *z = cc->zone;
	struct ga_page *p = pfn_to_page(z, pfn);
	unsigned int order;
	int mt;

	if (page_state(p) != GA_PAGE_BUDDY)
		return -1;
	order = page_order(p);
	mt = get_pfnblock_migratetype(z, pfn);
	if (mt == GA_MT_ISOLATE)
		return -1;
	if (held_full(cc, order) || !free_page_watermark_ok(z, order))
		return 0;
	del_from_free_list(z, pfn, order, mt);
	/* Held targets count as allocated movable pages in the SPB counters. */
	charge_block(z, pfn, order, GA_MT_MOVABLE, 1);
	hold_page(z, pfn, order);
	if (order >= z->pageblock_order - 1)
		claim_target_blocks(z, pfn, order);
	held_add_tail(&cc->freepages[order], pfn);
	return 1l << order;
}

static long isolate_free_page(struct compact_control *cc, ga_pfn_t pfn)
{
	long ret;

	zone_lock(cc->zone);
	ret = __isolate_free_page(cc, pfn);
	zone_unlock(cc->zone);
	return ret;
}

/*
 * isolate_freepages_block: take free buddies from [*start, end), every
 * stride pages, until enough are held for the isolated sources.
 */
static unsigned long isolate_freepages_block(struct compact_control *cc,
					     ga_pfn_t *start, ga_pfn_t end,
					     unsigned int stride)
{
	struct ga_zone *z = cc->zone;
	unsigned long nr_scanned = 0, total = 0;
	ga_pfn_t pfn;

	for (pfn = *start; pfn < end; pfn += stride) {
		const struct ga_page *p = pfn_to_page(z, pfn);
		unsigned int state = page_state(p);
		unsigned long size = 1ul << page_order(p);
		long isolated;

		nr_scanned++;
		if (state != GA_PAGE_BUDDY) {
			/* Skip an allocation at once, like a compound page. */
			if ((state == GA_PAGE_ALLOC || state == GA_PAGE_PCP) &&
			    size > 1 && pfn + size <= end) {
				pfn += size - 1;
				nr_scanned += size - 1;
			}
			continue;
		}
		isolated = isolate_free_page(cc, pfn);
		if (isolated < 0)
			continue;
		if (!isolated)
			break;
		nr_scanned += (unsigned long)isolated - 1;
		total += (unsigned long)isolated;
		cc->nr_freepages += (unsigned long)isolated;
		if (cc->nr_migratepages <= cc->nr_freepages) {
			pfn += (unsigned long)isolated;
			break;
		}
		pfn += (unsigned long)isolated - 1;
	}
	*start = ga_min(pfn, end);
	cc->free_scanned += nr_scanned;
	cc->isolated += total;
	return total;
}

/*
 * RFC 39: a tainted SPB holding no more wholly free pageblocks than its
 * reserve keeps its free pages for non-movable claims, as movable
 * steering does (PASS_4). zone->lock held.
 */
static bool spb_at_reserve(const struct ga_zone *z, const struct ga_spb *s)
{
	return z->policy.spb_compact_reserve && s->category == SPB_TAINTED &&
	       s->nr_free_pb <= s->reserve;
}

static bool target_spb_reserved(struct compact_control *cc, ga_pfn_t block,
				bool locked)
{
	struct ga_zone *z = cc->zone;
	bool reserved;

	if (!z->policy.spb_compact_reserve)
		return false;
	if (!locked)
		zone_lock(z);
	reserved = spb_at_reserve(z, pfn_to_spb(z, block));
	if (!locked)
		zone_unlock(z);
	cc->reserve_skipped += reserved;
	return reserved;
}

/* The order below which free pages are targets (suitable_migration_target). */
static unsigned int target_order_limit(const struct compact_control *cc)
{
	return cc->order > 0 ? (unsigned int)cc->order : cc->zone->pageblock_order;
}

/*
 * suitable_migration_target: may this block give free targets? locked:
 * the caller holds zone->lock.
 */
static bool __suitable_migration_target(struct compact_control *cc,
					ga_pfn_t block, bool locked)
{
	struct ga_zone *z = cc->zone;
	const struct ga_page *p = pfn_to_page(z, block);
	int mt = get_pfnblock_migratetype(z, block);

	/* A free page this large is what compaction is trying to make. */
	if (page_state(p) == GA_PAGE_BUDDY && page_order(p) >= target_order_limit(cc))
		return false;
	/* Never from a range alloc_contig_range has isolated. */
	if (mt == GA_MT_ISOLATE)
		return false;
	if (target_spb_reserved(cc, block, locked))
		return false;
	if (cc->ignore_block_suitable)
		return true;
	return mt == GA_MT_MOVABLE || mt == GA_MT_CMA;
}

static bool suitable_migration_target(struct compact_control *cc,
				      ga_pfn_t block)
{
	return __suitable_migration_target(cc, block, false);
}

/* ------------------------------------------------------------------------ */
/* RFC 16: targets from the per-SPB free lists.                              */

/* Free-list entries looked at per call, like fast_isolate_freepages' limit. */
#define SPB_LIST_SCAN_MAX	512u

/*
 * Where an SPB comes in the free scanner's order, as for a movable
 * request (RFC 12): clean SPBs first, then tainted ones and empty ones
 * (empty before tainted with spb_tainted_last), each fullest first; the
 * index breaks ties so every SPB has its own key. UINT64_MAX: not a
 * source of targets (nothing free, contiguous, or a tainted SPB at its
 * reserve). zone->lock held.
 */
static uint64_t spb_target_key(struct compact_control *cc, unsigned long i)
{
	struct ga_zone *z = cc->zone;
	const struct ga_spb *s = &z->spbs[i];
	uint64_t rank;

	if (!s->nr_free_pages)
		return UINT64_MAX;
	switch (s->category) {
	case SPB_CLEAN:
		rank = 0;
		break;
	case SPB_EMPTY:
		rank = z->policy.spb_tainted_last ? 1 : 2;
		break;
	case SPB_TAINTED:
		if (spb_at_reserve(z, s)) {
			cc->reserve_skipped++;
			return UINT64_MAX;
		}
		rank = z->policy.spb_tainted_last ? 2 : 1;
		break;
	default:
		return UINT64_MAX;
	}
	return rank << 60 | (uint64_t)s->nr_free_pages << 24 | i;
}

/* The next SPB overlapping [lo, hi) after *key in the free scanner's order. */
static long next_target_spb(struct compact_control *cc, ga_pfn_t lo, ga_pfn_t hi,
			    uint64_t *key)
{
	struct ga_zone *z = cc->zone;
	unsigned long first = pfn_to_spb(z, lo) - z->spbs;
	unsigned long last = pfn_to_spb(z, hi - 1) - z->spbs;
	uint64_t best_key = UINT64_MAX;
	long best = -1;

	for (unsigned long i = first; i <= last; i++) {
		uint64_t k = spb_target_key(cc, i);

		if (k != UINT64_MAX && (*key == UINT64_MAX || k > *key) &&
		    k < best_key) {
			best_key = k;
			best = (long)i;
		}
	}
	*key = best_key;
	return best;
}

/*
 * Take targets from one SPB's movable (and CMA) lists, largest order below
 * the target limit first, inside [lo, hi). Returns false when the scan
 * must stop. zone->lock held.
 */
static bool isolate_spb_lists(struct compact_control *cc, struct ga_spb *s,
			      ga_pfn_t lo, ga_pfn_t hi, unsigned int *budget)
{
	static const int mts[] = { GA_MT_MOVABLE, GA_MT_CMA };
	struct ga_zone *z = cc->zone;

	for (unsigned int o = target_order_limit(cc); o-- > 0;) {
		for (unsigned int t = 0; t < 2; t++) {
			uint32_t idx = s->area->list[o][mts[t]].first;

			while (idx != GA_NIL) {
				ga_pfn_t pfn = idx_to_pfn(z, idx);
				long got;

				if (!*budget)
					return false;
				(*budget)--;
				cc->list_scanned++;
				idx = z->pages[idx].lru.next;
				if (pfn < lo || pfn >= hi ||
				    !__suitable_migration_target(cc, pageblock_start_pfn(z, pfn),
								 true))
					continue;
				got = __isolate_free_page(cc, pfn);
				if (!got)
					break;	/* this order is held in full */
				if (got < 0)
					continue;
				cc->list_targets += (unsigned long)got;
				cc->nr_freepages += (unsigned long)got;
				cc->isolated += (unsigned long)got;
				if (cc->nr_freepages >= cc->nr_migratepages)
					return false;
			}
			if (!free_page_watermark_ok(z, 0))
				return false;
		}
	}
	return true;
}

/*
 * The free scanner with per-SPB free lists (RFC 16): the lists, not a pfn
 * walk, give the targets, and the SPB they come from is chosen the way a
 * movable allocation's is, so compaction packs movable memory into the
 * fullest clean SPBs and leaves empty ones whole. As fast_isolate_freepages
 * does, only the upper half of the range between the scanners is searched,
 * so a page only ever moves up. The free scanner's position stays where
 * the pfn walk left it: lowering it to the lowest target taken (as the
 * kernel's fast search does) cut the range the lists could serve after
 * every call and left most of an SPB's free pages out of reach (measured
 * on frag: 3,000 list entries looked at per target taken instead of 1.7).
 * The price is that a page moved into a block above the migrate scanner
 * may be moved again, further up, when that scanner gets there.
 * The pfn walk still runs when the lists gave too little.
 */
static void isolate_freepages_spb(struct compact_control *cc)
{
	struct ga_zone *z = cc->zone;
	ga_pfn_t low = pageblock_end_pfn(z, cc->migrate_pfn);
	ga_pfn_t high = ga_min(pageblock_end_pfn(z, cc->free_pfn), READ_ONCE(z->end_pfn));
	ga_pfn_t lo;
	unsigned int budget = SPB_LIST_SCAN_MAX;
	uint64_t key = UINT64_MAX;
	unsigned long scanned = cc->list_scanned;
	long i;

	if (high <= low)
		return;
	lo = ga_max(low, pageblock_start_pfn(z, cc->migrate_pfn + (high - cc->migrate_pfn) / 2));
	zone_lock(z);
	while ((i = next_target_spb(cc, lo, high, &key)) >= 0)
		if (!isolate_spb_lists(cc, &z->spbs[i], lo, high, &budget))
			break;
	zone_unlock(z);
	cc->free_scanned += cc->list_scanned - scanned;
}

/*
 * isolate_freepages: walk down from cc->free_pfn, staying above the
 * migrate scanner's block; async runs sample every 32nd page until a block
 * yields something.
 */
static void isolate_freepages(struct compact_control *cc)
{
	struct ga_zone *z = cc->zone;
	ga_pfn_t isolate_start, block, block_end, low;
	unsigned int stride = cc->mode == COMPACT_MODE_ASYNC ? COMPACT_CLUSTER_MAX : 1;

	if (z->policy.spb_compact_targets && z->policy.spb_free_lists) {
		isolate_freepages_spb(cc);
		if (cc->nr_freepages >= cc->nr_migratepages)
			return;
	}
	isolate_start = cc->free_pfn;
	block = pageblock_start_pfn(z, isolate_start);
	block_end = ga_min(block + z->pageblock_nr_pages, READ_ONCE(z->end_pfn));
	low = pageblock_end_pfn(z, cc->migrate_pfn);
	for (; block >= low; block_end = block, block -= z->pageblock_nr_pages,
	     isolate_start = block) {
		unsigned long nr;

		if (!suitable_migration_target(cc, block) ||
		    !isolation_suitable(cc, block))
			continue;
		nr = isolate_freepages_block(cc, &isolate_start, block_end, stride);
		if (isolate_start == block_end)
			update_pageblock_skip(cc, block, block - z->pageblock_nr_pages);
		if (cc->nr_freepages >= cc->nr_migratepages) {
			/* Restart below this block if it was used up. */
			if (isolate_start >= block_end)
				isolate_start = block - z->pageblock_nr_pages;
			break;
		}
		if (isolate_start < block_end)
			break;	/* isolation failed early: do not go on */
		stride = nr ? 1 : ga_min(COMPACT_CLUSTER_MAX, stride << 1);
	}
	cc->free_pfn = isolate_start;
}

/*
 * compaction_alloc: the smallest held page of at least this order, split
 * down as needed; the free scanner runs once if none is held.
 */
static long compaction_alloc(struct migrate_control *mc, unsigned int order)
{
	struct compact_control *cc = mc->private;
	struct ga_zone *z = cc->zone;
	bool scanned = false;
	unsigned int o;
	ga_pfn_t pfn;

	for (;;) {
		for (o = order; o <= z->max_order; o++)
			if (cc->freepages[o].nr)
				break;
		if (o <= z->max_order)
			break;
		if (scanned)
			return -1;
		isolate_freepages(cc);
		scanned = true;
	}
	pfn = held_take_first(&cc->freepages[o]);
	while (o > order) {
		o--;
		hold_page(z, pfn + (1ul << o), o);
		held_add_head(&cc->freepages[o], pfn + (1ul << o));
	}
	hold_page(z, pfn, order);
	cc->nr_freepages -= 1ul << order;
	cc->nr_migratepages -= 1ul << order;
	return (long)pfn;
}

/* compaction_free: a target the move did not use goes back to the list. */
static void compaction_free(struct migrate_control *mc, ga_pfn_t pfn,
			    unsigned int order)
{
	struct compact_control *cc = mc->private;

	hold_page(cc->zone, pfn, order);
	held_add_head(&cc->freepages[order], pfn);
	cc->nr_freepages += 1ul << order;
	cc->nr_migratepages += 1ul << order;
}

/* ------------------------------------------------------------------------ */
/* The migrate scanner (isolate_migratepages).                               */

/*
 * suitable_migration_source: async direct compaction only empties blocks
 * of the request's type, the cheap attempt that may already succeed.
 */
static bool suitable_migration_source(struct compact_control *cc,
				      ga_pfn_t block)
{
	int mt;

	if (pageblock_skip_persistent(cc->zone, block))
		return false;
	if (cc->mode != COMPACT_MODE_ASYNC || !cc->direct_compaction)
		return true;
	mt = get_pfnblock_migratetype(cc->zone, block);
	if (cc->migratetype == GA_MT_MOVABLE)
		return mt == GA_MT_MOVABLE || mt == GA_MT_CMA;
	return mt == cc->migratetype;
}

/*
 * putback_movable_pages. migrate.h exports no putback; migrate_pages_batch
 * puts every page back untouched while mc->nomem is set (its -ENOMEM path).
 */
static void putback_batch(struct compact_control *cc)
{
	if (!cc->batch.nr)
		return;
	cc->mc.nomem = true;
	migrate_pages_batch(&cc->mc, &cc->batch);
	cc->mc.nomem = false;
}

/*
 * skip_on_failure: async direct compaction gives up a cc->order-aligned
 * chunk at the first page it cannot isolate, releasing what it isolated
 * there, because that chunk cannot become a free 2^order page anyway.
 * Isolates chunk by chunk; stops after a chunk that isolated something.
 */
static ga_pfn_t isolate_chunks(struct compact_control *cc, ga_pfn_t pfn,
			       ga_pfn_t end)
{
	while (pfn < end) {
		ga_pfn_t chunk_end = ga_min(order_block_end(pfn, cc->order), end);

		cc->mc.blocker.reason = GA_BLOCK_NONE;
		isolate_migratepages(&cc->mc, &pfn, chunk_end, &cc->batch);
		if (cc->mc.blocker.reason) {
			putback_batch(cc);
			pfn = ga_max(pfn, chunk_end);
			continue;
		}
		if (cc->batch.nr)
			break;
	}
	return pfn;
}

/*
 * isolate_migratepages_block: isolate from [low, end) of one pageblock, up
 * to COMPACT_CLUSTER_MAX. A block scanned to its end without isolating
 * anything (or rescanned) is marked skipped.
 */
static void isolate_migratepages_block(struct compact_control *cc,
				       ga_pfn_t low, ga_pfn_t end)
{
	struct ga_zone *z = cc->zone;
	ga_pfn_t pfn = low;

	cc->migrate_pfn = low;
	if (cc->direct_compaction && cc->mode == COMPACT_MODE_ASYNC)
		pfn = isolate_chunks(cc, pfn, end);
	else
		isolate_migratepages(&cc->mc, &pfn, end, &cc->batch);
	pfn = ga_min(pfn, end);
	if (pfn == end && (!cc->batch.nr || cc->finish_pageblock)) {
		set_pageblock_skip(z, pageblock_start_pfn(z, low));
		update_cached_migrate(cc, pfn);
	}
	cc->migrate_scanned += pfn - low;
	cc->isolated += cc->batch.nr_pages;
	cc->migrate_pfn = pfn;
}

/*
 * isolate_migratepages: from cc->migrate_pfn, find the first suitable
 * block below the free scanner and isolate from it.
 */
/*
 * RFC 38: a tainted SPB without a movable page has nothing to migrate.
 * Returns where its span ends if the block lies in one, else 0.
 */
static ga_pfn_t dead_tainted_spb_end(struct compact_control *cc, ga_pfn_t block)
{
	struct ga_zone *z = cc->zone;
	const struct ga_spb *s;
	ga_pfn_t end = 0;

	if (!z->policy.spb_compact_skip_tainted)
		return 0;
	zone_lock(z);
	s = pfn_to_spb(z, block);
	if (s->category == SPB_TAINTED && !s->nr_used_pb[GA_MT_MOVABLE])
		end = s->end_pfn;
	zone_unlock(z);
	return end;
}

static enum isolate_result isolate_migratepages_cc(struct compact_control *cc)
{
	struct ga_zone *z = cc->zone;
	ga_pfn_t low = cc->migrate_pfn;
	ga_pfn_t block = pageblock_start_pfn(z, low);
	ga_pfn_t block_end = block + z->pageblock_nr_pages;
	ga_pfn_t skip_to;

	for (; block_end <= cc->free_pfn; cc->migrate_pfn = low = block_end,
	     block = block_end, block_end += z->pageblock_nr_pages) {
		/* The whole SPB goes at once, with no per-page work (38). */
		skip_to = dead_tainted_spb_end(cc, block);
		if (skip_to) {
			cc->spb_skipped++;
			block_end = ga_min(skip_to, pageblock_start_pfn(z, cc->free_pfn));
			if (block_end <= block)
				block_end = block + z->pageblock_nr_pages;
			continue;
		}
		/* The hint is checked once per block, at its start. */
		if ((pageblock_aligned(z, low) || low == z->start_pfn) &&
		    !isolation_suitable(cc, block))
			continue;
		if (!suitable_migration_source(cc, block)) {
			update_cached_migrate(cc, block_end);
			continue;
		}
		isolate_migratepages_block(cc, low, block_end);
		break;
	}
	return cc->batch.nr ? ISOLATE_SUCCESS : ISOLATE_NONE;
}

/*
 * migrate_pages with compaction's targets. Returns the pages left unmoved;
 * *nomem says the free scanner found no target.
 */
static unsigned long migrate_isolated(struct compact_control *cc, bool *nomem)
{
	unsigned long unmoved;

	cc->nr_migratepages = cc->batch.nr_pages;
	unmoved = migrate_pages_batch(&cc->mc, &cc->batch);
	cc->nr_migratepages = 0;
	*nomem = cc->mc.nomem;
	cc->mc.nomem = false;
	return unmoved;
}

/* ------------------------------------------------------------------------ */
/* Finish conditions.                                                        */

static bool compact_scanners_met(const struct compact_control *cc)
{
	unsigned int shift = cc->zone->pageblock_order;

	return (cc->free_pfn >> shift) <= (cc->migrate_pfn >> shift);
}

static bool kswapd_is_running(struct ga_zone *z)
{
	return __atomic_load_n(&z->kswapd_active, __ATOMIC_RELAXED);
}


/*
 * find_suitable_fallback(only_claimable): every other PCP type is in
 * mt's fallback list, so any non-empty one qualifies if it is claimable.
 */
static bool claimable_fallback_free(const struct ga_zone *z, unsigned int order,
				    int mt)
{
	const struct ga_free_area *area = &z->free_area[order];

	for (int fb = 0; fb < GA_MT_PCPTYPES; fb++)
		if (fb != mt && READ_ONCE(area->nr[fb]))
			return should_try_claim_block(z, order, mt);
	return false;
}

/* Is a page of the wanted order free where the allocation would find it? */
static bool suitable_page_free(const struct compact_control *cc)
{
	const struct ga_zone *z = cc->zone;
	int mt = cc->migratetype;

	for (unsigned int o = (unsigned int)cc->order; o <= z->max_order; o++) {
		const struct ga_free_area *area = &z->free_area[o];

		if (READ_ONCE(area->nr[mt]))
			return true;
		if (mt == GA_MT_MOVABLE && READ_ONCE(area->nr[GA_MT_CMA]))
			return true;
		if (claimable_fallback_free(z, o, mt))
			return true;
	}
	return false;
}

static enum compact_result proactive_finished(struct compact_control *cc)
{
	if (kswapd_is_running(cc->zone))
		return COMPACT_PARTIAL_SKIPPED;
	if (extfrag_for_order(cc->zone, cc->zone->pageblock_order) >
	    compaction_score_wmark(cc->zone, true))
		return COMPACT_CONTINUE;
	return COMPACT_SUCCESS;
}

static enum compact_result __compact_finished(struct compact_control *cc)
{
	struct ga_zone *z = cc->zone;

	if (compact_scanners_met(cc)) {
		reset_cached_positions(z);
		/* kswapd clears the hints when it sleeps; only a stalled
		 * allocation's failure justifies that. */
		if (cc->direct_compaction)
			WRITE_ONCE(z->compact.blockskip_flush, 1);
		return cc->whole_zone ? COMPACT_COMPLETE : COMPACT_PARTIAL_SKIPPED;
	}
	if (cc->kcompactd && READ_ONCE(z->compact.stopping))
		return COMPACT_CONTENDED;
	if (cc->proactive)
		return proactive_finished(cc);
	if (cc->order < 0)
		return COMPACT_CONTINUE;
	/* Finish the block: the fewer mixed blocks, the fewer fallbacks. */
	if (!pageblock_aligned(z, cc->migrate_pfn))
		return COMPACT_CONTINUE;
	return suitable_page_free(cc) ? COMPACT_SUCCESS : COMPACT_NO_SUITABLE_PAGE;
}

static enum compact_result compact_finished(struct compact_control *cc)
{
	enum compact_result ret = __compact_finished(cc);

	return ret == COMPACT_NO_SUITABLE_PAGE ? COMPACT_CONTINUE : ret;
}

/* ------------------------------------------------------------------------ */
/* When compaction may run.                                                  */

bool compaction_allowed(struct ga_zone *z)
{
	return z->policy.compaction && z->ops.migrate;
}

/*
 * __compaction_suitable: enough order-0 pages for targets, above min (low
 * for costly orders) plus compact_gap, 2 << order.
 */
static bool __compaction_suitable(struct ga_zone *z, unsigned int order,
				  unsigned long free_pages)
{
	unsigned long mark = zone_watermark_mark(z, order > PAGE_ALLOC_COSTLY_ORDER ?
						    WMARK_LOW : WMARK_MIN);

	return zone_watermark_ok(z, 0, mark + (2ul << order), ALLOC_CMA,
				 (long)free_pages);
}

/*
 * compaction_suitable: plus, for costly orders, the fragmentation index
 * gate: an index in [0, extfrag_threshold] means the request fails for
 * lack of memory, which reclaim, not compaction, fixes.
 */
static bool compaction_suitable(struct ga_zone *z, unsigned int order)
{
	int fragindex;

	if (!__compaction_suitable(z, order, READ_ONCE(z->nr_free_pages)))
		return false;
	if (order <= PAGE_ALLOC_COSTLY_ORDER)
		return true;
	fragindex = ga_fragmentation_index(z, order);
	return fragindex < 0 || fragindex > (int)z->policy.extfrag_threshold;
}

/* The embedder's LRU is unknown: only free pages count as available. */
bool compaction_suitable_after_reclaim(struct ga_zone *z, unsigned int order)
{
	return __compaction_suitable(z, order, READ_ONCE(z->nr_free_pages));
}

static enum compact_result
compaction_suit_allocation_order(struct ga_zone *z, unsigned int order,
				 unsigned int alloc_flags)
{
	unsigned long mark = zone_watermark_mark(z, (int)(alloc_flags &
							  ALLOC_WMARK_MASK));

	if (zone_watermark_ok(z, order, mark, alloc_flags,
			      (long)READ_ONCE(z->nr_free_pages)))
		return COMPACT_SUCCESS;
	if (!compaction_suitable(z, order))
		return COMPACT_SKIPPED;
	return COMPACT_CONTINUE;
}

/* ------------------------------------------------------------------------ */
/* compact_zone.                                                             */

static void compact_control_init(struct compact_control *cc, struct ga_zone *z,
				 unsigned int cpu, int order, enum compact_mode mode)
{
	memset(cc, 0, offsetof(struct compact_control, freepages));
	for (unsigned int o = 0; o <= z->max_order; o++)
		cc->freepages[o].nr = 0;
	cc->zone = z;
	cc->cpu = cpu;
	cc->order = order;
	cc->mode = mode;
	cc->migratetype = GA_MT_UNMOVABLE;	/* GFP_KERNEL */
	migrate_control_init(&cc->mc, z, cpu, mode == COMPACT_MODE_ASYNC ?
					      MIGRATE_ASYNC : MIGRATE_SYNC);
	cc->mc.get_target = compaction_alloc;
	cc->mc.put_target = compaction_free;
	cc->mc.private = cc;
	cc->batch.nr = 0;
}

/* Where the scanners start: the zone ends, or the cached restart points. */
static void compact_init_scanners(struct compact_control *cc)
{
	struct ga_zone *z = cc->zone;
	struct ga_compact_state *c = &z->compact;
	ga_pfn_t last_block = pageblock_start_pfn(z, READ_ONCE(z->end_pfn) - 1);
	bool sync = cc->mode != COMPACT_MODE_ASYNC;

	if (cc->whole_zone) {
		cc->migrate_pfn = z->start_pfn;
		cc->free_pfn = last_block;
		return;
	}
	cc->migrate_pfn = READ_ONCE(c->cached_migrate_pfn[sync]);
	cc->free_pfn = READ_ONCE(c->cached_free_pfn);
	if (cc->free_pfn < z->start_pfn || cc->free_pfn >= READ_ONCE(z->end_pfn)) {
		cc->free_pfn = last_block;
		WRITE_ONCE(c->cached_free_pfn, last_block);
	}
	if (cc->migrate_pfn < z->start_pfn || cc->migrate_pfn >= READ_ONCE(z->end_pfn)) {
		cc->migrate_pfn = z->start_pfn;
		WRITE_ONCE(c->cached_migrate_pfn[0], z->start_pfn);
		WRITE_ONCE(c->cached_migrate_pfn[1], z->start_pfn);
	}
	if (cc->migrate_pfn <= READ_ONCE(c->init_migrate_pfn))
		cc->whole_zone = true;
}

/* The next run's free scanner starts no lower than a target given back. */
static void finish_free_scanner(struct compact_control *cc)
{
	struct ga_zone *z = cc->zone;
	ga_pfn_t high;

	if (!cc->nr_freepages) {
		release_free_list(cc);
		return;
	}
	high = pageblock_start_pfn(z, release_free_list(cc));
	if (high > READ_ONCE(z->compact.cached_free_pfn))
		WRITE_ONCE(z->compact.cached_free_pfn, high);
}

static void count_compact_run(struct compact_control *cc)
{
	struct ga_zone *z = cc->zone;

	zone_stat_add(z, GA_STAT_COMPACT_MIGRATE_SCANNED, cc->migrate_scanned);
	zone_stat_add(z, GA_STAT_COMPACT_FREE_SCANNED, cc->free_scanned);
	zone_stat_add(z, GA_STAT_COMPACT_ISOLATED, cc->isolated);
	zone_stat_add(z, GA_STAT_COMPACT_MIGRATED, cc->mc.nr_migrated);
	zone_stat_add(z, GA_STAT_SPB_COMPACT_LIST_SCANNED, cc->list_scanned);
	zone_stat_add(z, GA_STAT_SPB_COMPACT_LIST_TARGETS, cc->list_targets);
	zone_stat_add(z, GA_STAT_SPB_COMPACT_SKIP_SPB, cc->spb_skipped);
	zone_stat_add(z, GA_STAT_SPB_COMPACT_RESERVE_SKIP, cc->reserve_skipped);
}

/*
 * Leaving a cc->order-aligned block that pages were migrated out of: drain
 * the pcp so pages freed there merge and compact_finished can see them.
 */
static void drain_after_block(struct compact_control *cc, bool *migrated,
			      ga_pfn_t last_migrated)
{
	ga_pfn_t block;

	if (cc->order <= 0 || !*migrated)
		return;
	block = cc->migrate_pfn & ~((1ul << cc->order) - 1);
	if (last_migrated < block) {
		ga_drain_pcp(cc->zone, cc->cpu);
		*migrated = false;
	}
}

/*
 * After a failed migration in the middle of a block, async and sync-light
 * runs scan the rest of the block once more and then mark it skipped.
 */
static bool rescan_after_failure(struct compact_control *cc, bool *migrated)
{
	if (pageblock_aligned(cc->zone, cc->migrate_pfn) || cc->ignore_skip_hint ||
	    cc->finish_pageblock || cc->mode == COMPACT_MODE_SYNC)
		return false;
	cc->finish_pageblock = true;
	/* A THP cannot form in a block where a page stayed behind. */
	if (cc->order == (int)cc->zone->pageblock_order)
		*migrated = false;
	return true;
}

static enum compact_result compact_zone(struct compact_control *cc)
{
	struct ga_zone *z = cc->zone;
	struct ga_compact_state *c = &z->compact;
	bool sync = cc->mode != COMPACT_MODE_ASYNC, migrated = false, nomem;
	ga_pfn_t last_migrated = 0;
	enum compact_result ret;
	bool update_cached;

	if (cc->order > 0) {
		ret = compaction_suit_allocation_order(z, (unsigned int)cc->order,
						       cc->alloc_flags);
		if (ret != COMPACT_CONTINUE)
			return ret;
	}
	if (compaction_restarting(z, cc->order))
		__reset_isolation_suitable(z);
	compact_init_scanners(cc);
	/* Keep the async and sync restart points together until a block
	 * with something to isolate is found. */
	update_cached = !sync && READ_ONCE(c->cached_migrate_pfn[0]) ==
				 READ_ONCE(c->cached_migrate_pfn[1]);

	while ((ret = compact_finished(cc)) == COMPACT_CONTINUE) {
		cc->finish_pageblock = migrated &&
			pageblock_start_pfn(z, last_migrated) ==
			pageblock_start_pfn(z, cc->migrate_pfn);
rescan:
		if (isolate_migratepages_cc(cc) == ISOLATE_NONE) {
			if (update_cached)
				WRITE_ONCE(c->cached_migrate_pfn[1],
					   READ_ONCE(c->cached_migrate_pfn[0]));
			drain_after_block(cc, &migrated, last_migrated);
			continue;
		}
		update_cached = false;
		migrated = true;
		last_migrated = ga_max(z->start_pfn,
				       pageblock_start_pfn(z, cc->migrate_pfn - 1));
		if (migrate_isolated(cc, &nomem)) {
			/* Out of targets before the scanners met: give up. */
			if (nomem && !compact_scanners_met(cc)) {
				ret = COMPACT_CONTENDED;
				break;
			}
			if (rescan_after_failure(cc, &migrated))
				goto rescan;
		}
		drain_after_block(cc, &migrated, last_migrated);
	}
	finish_free_scanner(cc);
	count_compact_run(cc);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* Direct compaction (try_to_compact_pages, compact_zone_order).             */

static enum compact_result compact_zone_order(struct ga_zone *z,
					      const struct alloc_context *ac,
					      unsigned int alloc_flags,
					      enum compact_priority prio)
{
	struct compact_control cc;

	compact_control_init(&cc, z, ac->cpu, (int)ac->order,
			     prio == COMPACT_PRIO_ASYNC ? COMPACT_MODE_ASYNC :
							  COMPACT_MODE_SYNC_LIGHT);
	cc.migratetype = ac->migratetype;
	cc.alloc_flags = alloc_flags;
	cc.direct_compaction = true;
	cc.whole_zone = prio == MIN_COMPACT_PRIORITY;
	cc.ignore_skip_hint = prio == MIN_COMPACT_PRIORITY;
	cc.ignore_block_suitable = prio == MIN_COMPACT_PRIORITY;
	return compact_zone(&cc);
}

enum compact_result try_to_compact_pages(struct ga_zone *z,
					 const struct alloc_context *ac,
					 unsigned int alloc_flags,
					 enum compact_priority prio)
{
	int order = (int)ac->order;
	enum compact_result status;

	if (!compaction_allowed(z))
		return COMPACT_SKIPPED;
	if (prio > MIN_COMPACT_PRIORITY && compaction_deferred(z, order))
		return COMPACT_DEFERRED;
	status = compact_zone_order(z, ac, alloc_flags, prio);
	if (status == COMPACT_SUCCESS)
		compaction_defer_reset(z, order, false);
	else if (prio != COMPACT_PRIO_ASYNC && (status == COMPACT_COMPLETE ||
						status == COMPACT_PARTIAL_SKIPPED))
		defer_compaction(z, order);
	return ga_max(status, COMPACT_SKIPPED);
}

/* ------------------------------------------------------------------------ */
/* Manual compaction (/proc/sys/vm/compact_memory, per-node compact).        */

int ga_compact_zone(struct ga_zone *z, unsigned int cpu, int order, bool sync)
{
	struct compact_control cc;
	enum compact_result ret;

	if (cpu >= z->nr_cpus || order < -1 || order == 0 ||
	    order > (int)z->max_order)
		return -EINVAL;
	if (!compaction_allowed(z))
		return -EOPNOTSUPP;
	compact_control_init(&cc, z, cpu, order, sync ? COMPACT_MODE_SYNC :
							COMPACT_MODE_ASYNC);
	if (order > 0)
		cc.migratetype = GA_MT_MOVABLE;
	cc.alloc_flags = ALLOC_WMARK_MIN;
	cc.whole_zone = true;
	cc.ignore_skip_hint = true;
	ret = compact_zone(&cc);
	if (ret == COMPACT_SKIPPED)
		return -EAGAIN;
	return (int)ga_min(cc.mc.nr_migrated, (unsigned long)INT32_MAX);
}

/* ------------------------------------------------------------------------ */
/* kcompactd and proactive compaction.                                       */

/* fragmentation_score_wmark: 100 - proactiveness (>= 5), high = low + 10. */
unsigned int compaction_score_wmark(const struct ga_zone *z, bool low)
{
	unsigned int proactiveness = ga_min(z->policy.compaction_proactiveness, 100u);
	unsigned int wmark_low = ga_max(100u - proactiveness, 5u);

	return low ? wmark_low : ga_min(wmark_low + 10, 100u);
}

/*
 * fragmentation_score_node: this zone stands for its node, so its score
 * (extfrag_for_order at pageblock order) is weighted by present / (node
 * present + 1) exactly as the kernel weights a node's only zone.
 */
unsigned int compaction_score(struct ga_zone *z)
{
	uint64_t score = extfrag_for_order(z, z->pageblock_order);
	unsigned long managed = READ_ONCE(z->managed_pages);

	return (unsigned int)(score * managed / (managed + 1));
}

static bool should_proactive_compact_node(struct ga_zone *z)
{
	if (!z->policy.compaction_proactiveness || kswapd_is_running(z))
		return false;
	return compaction_score(z) > compaction_score_wmark(z, false);
}

static bool kcompactd_enabled(struct ga_zone *z)
{
	return z->executor && z->policy.kcompactd && compaction_allowed(z) &&
	       !READ_ONCE(z->compact.stopping);
}

/* Outside locks: queue, then wake a worker thread. */
static void kcompactd_queue(struct ga_zone *z)
{
	ga_work_queue(z->executor, &z->compact.work);
	ga_executor_kick(z->executor);
}

void wakeup_kcompactd(struct ga_zone *z, int order)
{
	struct ga_compact_state *c = &z->compact;
	int old;

	if (order <= 0 || !kcompactd_enabled(z))
		return;
	old = __atomic_load_n(&c->max_order, __ATOMIC_RELAXED);
	while (old < order &&
	       !__atomic_compare_exchange_n(&c->max_order, &old, order, true,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	/* kcompactd_node_suitable: wake only if compaction could run. */
	if (compaction_suit_allocation_order(z, (unsigned int)ga_max(old, order),
					     ALLOC_WMARK_MIN) != COMPACT_CONTINUE)
		return;
	kcompactd_queue(z);
}

/* kcompactd_do_work: compact until a page of the woken order is free. */
static void kcompactd_do_work(struct ga_zone *z, int order)
{
	struct compact_control cc;
	enum compact_result status;

	zone_stat_add(z, GA_STAT_COMPACT_DAEMON_WAKE, 1);
	if (compaction_deferred(z, order) ||
	    compaction_suit_allocation_order(z, (unsigned int)order,
					     ALLOC_WMARK_MIN) != COMPACT_CONTINUE)
		return;
	compact_control_init(&cc, z, 0, order, COMPACT_MODE_SYNC_LIGHT);
	cc.alloc_flags = ALLOC_WMARK_MIN;
	cc.kcompactd = true;
	status = compact_zone(&cc);
	if (status == COMPACT_SUCCESS) {
		compaction_defer_reset(z, order, false);
	} else if (status == COMPACT_PARTIAL_SKIPPED || status == COMPACT_COMPLETE) {
		/* Pages stranded on pcp lists may be all that is missing. */
		ga_drain_all_pcp(z);
		defer_compaction(z, order);
	}
}

/*
 * compact_node(proactive): the whole zone, ignoring hints, until its score
 * is at the low mark; back off for 500 ms << 6 if the score did not drop.
 */
static void kcompactd_proactive(struct ga_zone *z)
{
	struct ga_compact_state *c = &z->compact;
	struct compact_control cc;
	unsigned int prev;

	if (!should_proactive_compact_node(z))
		return;
	prev = compaction_score(z);
	zone_stat_add(z, GA_STAT_COMPACT_PROACTIVE, 1);
	compact_control_init(&cc, z, 0, -1, COMPACT_MODE_SYNC_LIGHT);
	cc.kcompactd = true;
	cc.proactive = true;
	cc.whole_zone = true;
	cc.ignore_skip_hint = true;
	compact_zone(&cc);
	if (compaction_score(z) >= prev)
		WRITE_ONCE(c->next_proactive_ms, READ_ONCE(c->now_ms) +
			   (HPAGE_FRAG_CHECK_INTERVAL_MSEC << COMPACT_MAX_DEFER_SHIFT));
}

/* The kcompactd thread's loop body: a wake first, then the timer's work. */
static void kcompactd_work_fn(struct ga_work *work)
{
	struct ga_zone *z = ga_container_of(work, struct ga_zone, compact.work);
	struct ga_compact_state *c = &z->compact;
	int order;

	if (READ_ONCE(c->stopping))
		return;
	order = __atomic_exchange_n(&c->max_order, 0, __ATOMIC_RELAXED);
	if (order > 0)
		kcompactd_do_work(z, order);
	if (__atomic_exchange_n(&c->proactive_pending, 0, __ATOMIC_RELAXED))
		kcompactd_proactive(z);
}

void kcompactd_tick(struct ga_zone *z)
{
	struct ga_compact_state *c = &z->compact;
	unsigned long now;

	if (!kcompactd_enabled(z) || !z->policy.compaction_proactiveness)
		return;
	now = READ_ONCE(c->now_ms) + VMSTAT_TICK_MSEC;
	WRITE_ONCE(c->now_ms, now);
	if (now < READ_ONCE(c->next_proactive_ms))
		return;
	WRITE_ONCE(c->next_proactive_ms, now + HPAGE_FRAG_CHECK_INTERVAL_MSEC);
	if (!should_proactive_compact_node(z))
		return;
	__atomic_store_n(&c->proactive_pending, 1, __ATOMIC_RELAXED);
	kcompactd_queue(z);
}

/* ------------------------------------------------------------------------ */
/* Setup and teardown.                                                       */

void compaction_init(struct ga_zone *z)
{
	struct ga_compact_state *c = &z->compact;

	memset(c, 0, sizeof(*c));
	reset_cached_positions(z);
	c->init_migrate_pfn = z->start_pfn;
	c->init_free_pfn = c->cached_free_pfn;
	ga_work_init(&c->work, kcompactd_work_fn);
}

/* kcompactd_stop: queued or running work returns without compacting. */
void compaction_stop(struct ga_zone *z)
{
	WRITE_ONCE(z->compact.stopping, 1);
}
