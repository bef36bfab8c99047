// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Asynchronous evacuation of stolen movable pageblocks — the seed of this
 * project (RFC "mm: reliable 1GB page allocation", patch 06).
 *
 * When try_to_claim_block relabels a MOVABLE pageblock for an unmovable or
 * reclaimable request, the movable pages still in it keep later
 * non-movable allocations from being packed there. So the claim queues the
 * block, and a worker migrates its movable pages elsewhere (dropping clean
 * page cache instead where the owner allows), leaving the block wholly
 * usable by its new type.
 *
 * The claim runs under zone->lock and must not allocate: work items come
 * from a fixed pool in the zone's metadata (policy.evacuate_pool, 64 as in
 * the patch); when it is empty the request is dropped and counted. The
 * item is pushed onto the executor's lock-free list under the lock, and the
 * worker is woken only after the allocation returns (the patch's irq_work
 * step). While queued or running, the block carries PB_EVACUATING and no
 * claim may take it back (that would undo the work in progress).
 */
#include <time.h>

#include "executor.h"
#include "migrate.h"

struct evacuate_item {
	struct ga_work work;
	struct ga_zone *zone;
	ga_pfn_t block;
	uint64_t queued_ns;
	struct evacuate_item *next_free;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

size_t evacuate_pool_size(unsigned int nr_items)
{
	return sizeof(struct evacuate_item) * nr_items;
}

static void evacuate_work_fn(struct ga_work *work);

void evacuate_init(struct ga_zone *z, void *items, unsigned int nr_items)
{
	struct evacuate_item *it = items;

	z->evac.items = it;
	z->evac.nr_items = nr_items;
	z->evac.free = NULL;
	for (unsigned int i = nr_items; i-- > 0;) {
		ga_work_init(&it[i].work, evacuate_work_fn);
		it[i].zone = z;
		it[i].next_free = z->evac.free;
		z->evac.free = &it[i];
	}
}

/* ------------------------------------------------------------------------ */
/* Queueing (zone->lock held, from try_to_claim_block).                      */

void queue_pageblock_evacuate(struct ga_zone *z, ga_pfn_t block)
{
	struct ga_pageblock *pb = pfn_to_block(z, block);
	struct evacuate_item *it;

	if (!z->policy.evacuate || !z->executor || pb_test_flag(pb, PB_EVACUATING))
		return;
	it = z->evac.free;
	if (!it) {
		zone_stat_add_locked(z, GA_STAT_EVAC_DROPPED, 1);
		return;
	}
	z->evac.free = it->next_free;
	it->block = block;
	it->queued_ns = now_ns();
	pb_set_flag(pb, PB_EVACUATING);
	ga_work_queue(z->executor, &it->work);
	ga_set_bit(ZONE_EXECUTOR_KICK, &z->flags);
	zone_stat_add_locked(z, GA_STAT_EVAC_QUEUED, 1);
}

void zone_kick_executor(struct ga_zone *z)
{
	if (ga_test_bit(ZONE_EXECUTOR_KICK, &z->flags) &&
	    ga_test_and_clear_bit(ZONE_EXECUTOR_KICK, &z->flags))
		ga_executor_kick(z->executor);
}

/* ------------------------------------------------------------------------ */
/* The worker.                                                               */

/*
 * Migration targets from the normal allocator, but never inside the range
 * being emptied (the block, or for SPB defragmentation its whole SPB): such
 * a target would put movable data straight back. Those are held aside and
 * freed at the end, where they become free pages of the range.
 */
struct evac_targets {
	ga_pfn_t lo, hi;
	bool clean_first;	/* targets from other SPBs' lists, clean first */
	ga_pfn_t held[COMPACT_CLUSTER_MAX];
	uint8_t held_order[COMPACT_CLUSTER_MAX];
	unsigned int nr_held;
};

/* Take a free movable block of order off SPB i's lists. zone->lock held. */
static long take_from_spb(struct ga_zone *z, long i, unsigned int order)
{
	for (unsigned int o = order; i >= 0 && o <= z->max_order; o++) {
		uint32_t idx = spb_area_first(&z->spbs[i], o, GA_MT_MOVABLE);
		ga_pfn_t pfn;

		if (idx == GA_NIL)
			continue;
		pfn = idx_to_pfn(z, idx);
		page_del_and_expand(z, pfn, order, o, GA_MT_MOVABLE);
		account_buddy_alloc(z, pfn, order, GA_MT_MOVABLE);
		/* Isolated by the same store (see prep_new_page). */
		prep_new_page(z, pfn, order, GA_MT_MOVABLE, 0, PF_ISOLATED);
		return (long)pfn;
	}
	return -1;
}

/*
 * For SPB defragmentation: a free movable block of the fullest clean SPB,
 * else of another tainted SPB than the one being emptied, taken straight
 * off its list the way compaction's free scanner takes targets (no
 * watermark: the move frees as much as it uses). Movable steering would
 * hand out the smallest hole first (spb_fill_holes), which is the page the
 * evacuation just freed in this very SPB. -1 if there is none.
 */
static long spb_outside_target(struct ga_zone *z, unsigned int order,
			       ga_pfn_t keep_lo, ga_pfn_t keep_hi)
{
	const uint64_t *tainted = z->spb_idx.category[SPB_TAINTED];
	long pfn;

	if (!z->policy.spb_free_lists)
		return -1;
	ga_lock(&z->lock);
	pfn = take_from_spb(z, spb_find(z, SPB_CLEAN, z->spb_idx.all, order,
					1u << GA_MT_MOVABLE, false, NULL), order);
	for (unsigned long w = 0; pfn < 0 && w < z->spb_idx.nr_words; w++) {
		for (uint64_t bits = tainted[w]; pfn < 0 && bits; bits &= bits - 1) {
			long i = (long)(w * 64 + (unsigned long)__builtin_ctzll(bits));

			if (z->spbs[i].start_pfn < keep_hi && z->spbs[i].end_pfn > keep_lo)
				continue;
			pfn = take_from_spb(z, i, order);
		}
	}
	ga_unlock(&z->lock);
	return pfn;
}

static long evacuate_get_target(struct migrate_control *mc, unsigned int order)
{
	struct evac_targets *t = mc->private;

	for (;;) {
		long pfn = t->clean_first ?
			   spb_outside_target(mc->zone, order, t->lo, t->hi) : -1;

		if (pfn < 0)
			pfn = migrate_target_alloc(mc, order);

		if (pfn < 0 || (ga_pfn_t)pfn < t->lo || (ga_pfn_t)pfn >= t->hi)
			return pfn;
		if (t->nr_held == COMPACT_CLUSTER_MAX) {
			migrate_target_free(mc, (ga_pfn_t)pfn, order);
			return -1;
		}
		t->held[t->nr_held] = (ga_pfn_t)pfn;
		t->held_order[t->nr_held++] = (uint8_t)order;
	}
}

static void release_held_targets(struct migrate_control *mc,
				 struct evac_targets *t)
{
	for (unsigned int i = 0; i < t->nr_held; i++)
		migrate_target_free(mc, t->held[i], t->held_order[i]);
	t->nr_held = 0;
}

/* Movable and pinned-movable pages still in the block. */
static void count_movable_left(struct ga_zone *z, ga_pfn_t block,
			       unsigned long *movable, unsigned long *pinned)
{
	ga_pfn_t pfn = block, end = block + z->pageblock_nr_pages;

	*movable = *pinned = 0;
	while (pfn < end) {
		const struct ga_page *p = pfn_to_page(z, pfn);
		unsigned int state = page_state(p);

		if (state == GA_PAGE_TAIL || state == GA_PAGE_RESERVED) {
			pfn++;
			continue;
		}
		if (state == GA_PAGE_ALLOC && page_alloc_mt(p) == GA_MT_MOVABLE) {
			*movable += 1ul << page_order(p);
			if (page_pins(p))
				*pinned += 1ul << page_order(p);
		}
		pfn += 1ul << page_order(p);
	}
}

unsigned long evacuate_block_pinned(struct ga_zone *z, ga_pfn_t block)
{
	unsigned long movable, pinned;

	count_movable_left(z, block, &movable, &pinned);
	return pinned;
}

/*
 * evacuate_pageblock() proper: walk the block in batches, isolate, drop
 * clean pages, migrate the rest to targets outside [keep_lo, keep_hi)
 * (with clean_first, free movable blocks of clean SPBs, then of other
 * tainted SPBs, before the allocator).
 * Like the patch, the walk stops at the first batch that leaves a page
 * unmoved (migrate_pages() failing) or finds no target: the rest of the
 * block would most likely fail the same way. No lock held.
 */
void evacuate_block(struct ga_zone *z, ga_pfn_t block, ga_pfn_t keep_lo,
		    ga_pfn_t keep_hi, bool clean_first, struct evacuate_result *res)
{
	struct evac_targets t = { .lo = keep_lo, .hi = keep_hi,
				  .clean_first = clean_first };
	ga_pfn_t pfn = block, end = block + z->pageblock_nr_pages;
	struct migrate_control mc;
	struct migrate_batch batch;

	migrate_control_init(&mc, z, 0, z->policy.evacuate_sync ? MIGRATE_SYNC :
								  MIGRATE_ASYNC);
	mc.drop_clean = true;		/* reclaim_clean_pages_from_list */
	mc.max_batch = z->policy.evacuate_batch;
	mc.get_target = evacuate_get_target;
	mc.private = &t;
	res->stopped = false;
	while (pfn < end) {
		isolate_migratepages(&mc, &pfn, end, &batch);
		if (batch.nr && migrate_pages_batch(&mc, &batch)) {
			res->stopped = pfn < end;
			break;
		}
		if (mc.nomem)
			break;
	}
	release_held_targets(&mc, &t);
	res->migrated = mc.nr_migrated;
	res->dropped = mc.nr_dropped;
	res->failed = mc.nr_failed;
	res->nomem = mc.nomem;
}

/* The seed's worker body: evacuate one claimed block and account for it. */
static void evacuate_pageblock(struct ga_zone *z, ga_pfn_t block)
{
	struct evacuate_result res;
	unsigned long movable, pinned;

	evacuate_block(z, block, block, block + z->pageblock_nr_pages, false, &res);
	count_movable_left(z, block, &movable, &pinned);
	zone_stat_add(z, GA_STAT_EVAC_PAGES_MIGRATED, res.migrated);
	zone_stat_add(z, GA_STAT_EVAC_PAGES_DROPPED, res.dropped);
	zone_stat_add(z, GA_STAT_EVAC_PAGES_FAILED, res.failed);
	zone_stat_add(z, GA_STAT_EVAC_PAGES_PINNED, pinned);
	if (res.stopped)
		zone_stat_add(z, GA_STAT_EVAC_STOPPED, 1);
	zone_stat_add(z, movable ? GA_STAT_EVAC_BLOCKS_DIRTY :
				   GA_STAT_EVAC_BLOCKS_CLEAN, 1);
	if (ga_unlikely(z->trace_fn)) {
		struct ga_trace_event ev = {
			.type = GA_TRACE_SPB_EVACUATE_DONE, .migratetype = -1,
			.what = movable ? "dirty" : "clean", .pfn = block,
			.spb = (long)((block - z->spb_base) >> z->spb_order),
			.moved = res.migrated + res.dropped,
		};

		z->trace_fn(z->trace_ctx, &ev);
	}
}

static void evacuate_work_fn(struct ga_work *work)
{
	struct evacuate_item *it = ga_container_of(work, struct evacuate_item, work);
	struct ga_zone *z = it->zone;
	struct ga_pageblock *pb = pfn_to_block(z, it->block);

	zone_stat_add(z, GA_STAT_EVAC_LATENCY_NS, now_ns() - it->queued_ns);
	/* Worth evacuating only while the block is still non-movable. */
	if (READ_ONCE(pb->mt) == GA_MT_MOVABLE) {
		zone_stat_add(z, GA_STAT_EVAC_SKIPPED, 1);
	} else {
		zone_stat_add(z, GA_STAT_EVAC_RUN, 1);
		evacuate_pageblock(z, it->block);
	}
	zone_lock(z);
	pb_clear_flag(pb, PB_EVACUATING);
	it->next_free = z->evac.free;
	z->evac.free = it;
	zone_unlock(z);
}
