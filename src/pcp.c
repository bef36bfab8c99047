// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Per-CPU page lists (struct per_cpu_pages, mm/page_alloc.c v6.12):
 * 14 lists — 3 types x orders 0..3, plus two THP (pageblock-order) lists,
 * one shared by unmovable+reclaimable and one for movable. Refills take
 * `batch`-sized bulks under one zone->lock hold; frees go to the list head
 * and spill the oldest (tail) pages back when count reaches `high`.
 * `high` adapts between high_min and high_max (v6.7+ auto-tuning).
 *
 * Pages on pcp lists are not buddies: they neither merge nor count as free.
 */
#include <errno.h>

#include "internal.h"
#include "compaction.h"

unsigned int pindex_to_order(const struct ga_zone *z, unsigned int pindex)
{
	if (pindex >= GA_NR_LOWORDER_PCP_LISTS)
		return z->pageblock_order;
	return pindex / GA_MT_PCPTYPES;
}

/* ------------------------------------------------------------------------ */
/* Sizing (zone_batchsize, zone_highsize).                                   */

static int zone_batchsize(const struct ga_zone *z)
{
	unsigned long batch = ga_min(z->managed_pages >> 10,
				     (1ul << 20) >> z->page_shift);

	batch /= 4;
	if (batch < 1)
		batch = 1;
	batch += batch / 2;
	/* rounddown_pow_of_two(batch) - 1 */
	return (int)((1ul << (63 - __builtin_clzl(batch))) - 1);
}

static int zone_highsize(const struct ga_zone *z, int batch,
			 unsigned int high_fraction)
{
	unsigned long total = high_fraction ? READ_ONCE(z->managed_pages) / high_fraction :
					      READ_ONCE(z->watermark[WMARK_LOW]);
	long high = (long)(total / z->nr_cpus);

	return (int)ga_max(high, (long)batch << 2);
}

/* zone_set_pageset_high_and_batch: tiny zones still get a batch of 1. */
static void pcp_sizes(const struct ga_zone *z, int *batch, int *high_min,
		      int *high_max)
{
	*batch = ga_max(1, zone_batchsize(z));
	*high_min = zone_highsize(z, *batch, z->policy.pcp_high_fraction);
	*high_max = z->policy.pcp_high_fraction || z->policy.pcp_high_fixed ?
		    *high_min : zone_highsize(z, *batch, 8);
}

/*
 * zone_pcp_update after memory on- or offlining: new sizes under each
 * pcp's lock (its users read them there); high comes back into range at
 * the next refill, or here if it is above the new maximum.
 */
void pcp_update_sizes(struct ga_zone *z)
{
	int batch, high_min, high_max;

	pcp_sizes(z, &batch, &high_min, &high_max);
	for (unsigned int cpu = 0; cpu < z->nr_cpus; cpu++) {
		struct ga_pcp *pcp = &z->pcp[cpu];

		ga_lock(&pcp->lock);
		pcp->batch = batch;
		pcp->high_min = high_min;
		pcp->high_max = high_max;
		pcp->high = ga_clamp(pcp->high, high_min, high_max);
		ga_unlock(&pcp->lock);
	}
}

void pcp_setup(struct ga_zone *z)
{
	int batch, high_min, high_max;

	pcp_sizes(z, &batch, &high_min, &high_max);
	for (unsigned int cpu = 0; cpu < z->nr_cpus; cpu++) {
		struct ga_pcp *pcp = &z->pcp[cpu];

		ga_lock_init(&pcp->lock);
		pcp->batch = batch;
		pcp->high_min = high_min;
		pcp->high_max = high_max;
		pcp->high = high_min;
		for (unsigned int i = 0; i < GA_NR_PCP_LISTS; i++)
			ga_list_init(&pcp->lists[i]);
		for (int mt = 0; mt < GA_MT_PCPTYPES; mt++)
			for (unsigned int o = 0; o < GA_NR_ORDERS_MAX; o++) {
				ga_list_init(&pcp->buddy[mt][o]);
				pcp->buddy_old[mt][o] = GA_NIL;
			}
		for (int mt = 0; mt < GA_MT_TYPES; mt++)
			pcp->owned_first[mt] = GA_NIL;
		pcp->remote = GA_NIL;
	}
}

/* ------------------------------------------------------------------------ */
/* Allocation side.                                                          */

/*
 * nr_pcp_alloc: how many to refill. Order-0 refills double (alloc_factor)
 * while allocations run without frees in between, up to
 * batch << pcp_batch_scale_max; high grows with them unless the zone is
 * below its high watermark. On a copy of the pcp's high and alloc_factor,
 * which the caller stores (ga_alloc_peek does not).
 */
static int nr_pcp_alloc_state(const struct ga_pcp *pcp, const struct ga_zone *z,
			      unsigned int order, struct pcp_alloc_state *st)
{
	int base_batch = pcp->batch, batch, high;

	/* v6.1: pcp->batch, scaled down by order; no alloc_factor. */
	if (z->policy.pcp_batch_fixed)
		return base_batch > 1 ? ga_max(base_batch >> order, 2) : base_batch;
	high = st->high = ga_clamp(st->high, pcp->high_min, pcp->high_max);
	if (high < base_batch)
		return 1;
	batch = order ? base_batch : base_batch << st->alloc_factor;
	if (pcp->high_min != pcp->high_max &&
	    !ga_test_bit(ZONE_BELOW_HIGH, &z->flags))
		high = st->high = ga_min(high + batch, pcp->high_max);
	if (!order) {
		int max_nr_alloc = ga_max(high - pcp->count - base_batch, base_batch);

		if (batch <= max_nr_alloc &&
		    st->alloc_factor < z->policy.pcp_batch_scale_max)
			st->alloc_factor++;
		batch = ga_min(batch, max_nr_alloc);
	}
	if (batch > 1)
		batch = ga_max(batch >> order, 2);
	return batch;
}

static int nr_pcp_alloc(struct ga_pcp *pcp, struct ga_zone *z,
			unsigned int order)
{
	struct pcp_alloc_state st = { pcp->high, pcp->alloc_factor };
	int batch = nr_pcp_alloc_state(pcp, z, order, &st);

	pcp->high = st.high;
	pcp->alloc_factor = st.alloc_factor;
	return batch;
}

/* rmqueue_bulk: up to count blocks under one zone->lock hold, list tail. */
static int rmqueue_bulk(struct ga_zone *z, unsigned int order, int count,
			struct ga_list *list, int mt, unsigned int alloc_flags)
{
	enum rmqueue_mode mode = RMQUEUE_NORMAL;
	int i;

	zone_lock(z);
	for (i = 0; i < count; i++) {
		long pfn = rmqueue_locked(z, order, mt, alloc_flags, &mode);
		uint32_t idx;

		if (pfn < 0)
			break;
		idx = pfn_to_idx(z, (ga_pfn_t)pfn);
		/* A pcp page is charged to its list's type until it leaves. */
		set_page_head(&z->pages[idx], GA_PAGE_PCP, order, (unsigned int)mt);
		charge_block(z, (ga_pfn_t)pfn, order, mt, 1);
		ga_list_add_tail(z->pages, list, idx);
	}
	zone_stat_add_locked(z, GA_STAT_PCP_REFILL, 1);
	zone_stat_add_locked(z, GA_STAT_PCP_REFILL_PAGES, (uint64_t)i << order);
	zone_unlock(z);
	return i;
}

/* rmqueue_pcplist: -1 if the pcp lock is busy or no page could be had. */
/*
 * A pcp page was charged to the type it was cached under; an allocation of
 * another mobility from the same list (the shared THP list, or a page freed
 * back into a block of another type) moves the charge, under zone->lock.
 */
static void recharge(struct ga_zone *z, uint32_t idx, unsigned int order,
		     int content_mt)
{
	int charged = (int)page_alloc_mt(&z->pages[idx]);

	if (ga_likely(charged == content_mt))
		return;
	zone_lock(z);
	charge_block(z, idx_to_pfn(z, idx), order, charged, -1);
	charge_block(z, idx_to_pfn(z, idx), order, content_mt, 1);
	zone_unlock(z);
}

long rmqueue_pcplist(struct ga_zone *z, unsigned int order, int mt,
		     int content_mt, unsigned int alloc_flags, unsigned int cpu)
{
	struct ga_pcp *pcp = &z->pcp[cpu];
	struct ga_list *list;
	uint32_t idx;

	if (!ga_trylock(&pcp->lock)) {
		zone_stat_add(z, GA_STAT_PCP_TRYLOCK_FAIL, 1);
		return -1;
	}
	pcp->free_count >>= 1;
	pcp->free_factor >>= 1;
	list = &pcp->lists[order_to_pindex(mt, order)];
	if (z->policy.pcp_buddy) {
		/* Owned blocks first (pcp_rmqueue_smallest), refilled in phases. */
		idx = pcp_buddy_take(z, pcp, order, mt);
		if (idx != GA_NIL)
			goto got;
		if (ga_list_empty(list)) {
			pcp->count += pcp_buddy_refill(z, pcp, cpu, order, mt,
						       alloc_flags,
						       nr_pcp_alloc(pcp, z, order),
						       list, &idx);
			if (idx != GA_NIL)
				goto got;
		}
	} else if (ga_list_empty(list)) {
		int batch = nr_pcp_alloc(pcp, z, order);

		pcp->count += rmqueue_bulk(z, order, batch, list, mt,
					   alloc_flags) << order;
	}
	if (ga_list_empty(list)) {
		ga_unlock(&pcp->lock);
		return -1;
	}
	idx = list->first;
	ga_list_del(z->pages, list, idx);
got:
	recharge(z, idx, order, content_mt);
	pcp->count -= 1 << order;
	pcp->stat[PCP_STAT_ALLOC]++;
	pcp->stat[PCP_STAT_PGALLOC] += 1ul << order;
	ga_unlock(&pcp->lock);
	return (long)idx_to_pfn(z, idx);
}

/*
 * ga_alloc_peek's starting point for nr_pcp_alloc: the CPU's high and
 * alloc_factor, read under its pcp lock (the owner updates them there).
 */
void pcp_alloc_state_read(struct ga_zone *z, unsigned int cpu,
			  struct pcp_alloc_state *st)
{
	struct ga_pcp *pcp = &z->pcp[cpu];

	ga_lock(&pcp->lock);
	st->high = pcp->high;
	st->alloc_factor = pcp->alloc_factor;
	ga_unlock(&pcp->lock);
}

/* ga_alloc_peek: the pfn rmqueue_pcplist would hand out now, or -1. */
long pcp_peek(struct ga_zone *z, unsigned int cpu, unsigned int order, int mt)
{
	struct ga_pcp *pcp = &z->pcp[cpu];
	long pfn = -1;

	ga_lock(&pcp->lock);
	if (!ga_list_empty(&pcp->lists[order_to_pindex(mt, order)]))
		pfn = (long)idx_to_pfn(z, pcp->lists[order_to_pindex(mt, order)].first);
	ga_unlock(&pcp->lock);
	return pfn;
}

/*
 * ga_alloc_peek with per-CPU pageblocks: rmqueue_pcplist's answer for one
 * pass of get_page_from_freelist, or -1. st carries high and alloc_factor
 * from pass to pass as the allocation's nr_pcp_alloc calls would leave
 * them; the pcp itself is not changed.
 */
long pcp_buddy_peek_pass(struct ga_zone *z, unsigned int cpu, unsigned int order,
			 int mt, unsigned int alloc_flags,
			 struct pcp_alloc_state *st, struct ga_alloc_choice *c)
{
	struct ga_pcp *pcp = &z->pcp[cpu];
	const struct ga_list *list = &pcp->lists[order_to_pindex(mt, order)];
	long pfn;

	ga_lock(&pcp->lock);
	pfn = pcp_buddy_peek_cached(z, pcp, order, mt, list, c);
	if (pfn < 0)
		pfn = pcp_buddy_peek_refill(z, pcp, cpu, order, mt, alloc_flags,
					    nr_pcp_alloc_state(pcp, z, order, st), c);
	ga_unlock(&pcp->lock);
	return pfn;
}

/*
 * ga_alloc_at of a block cached on a pcp list: take it off whichever
 * CPU's plain list holds it, as an allocation served by that list would,
 * and charge it to content_mt. Each CPU's list is searched under its own
 * lock. false if no plain list holds it (an owned pcp_buddy block, or it
 * left the list meanwhile).
 */
bool pcp_take_page(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
		   int content_mt)
{
	uint32_t want = pfn_to_idx(z, pfn);

	for (unsigned int cpu = 0; cpu < z->nr_cpus; cpu++) {
		struct ga_pcp *pcp = &z->pcp[cpu];
		const struct ga_page *p = &z->pages[want];
		struct ga_list *list;

		ga_lock(&pcp->lock);
		if (page_state(p) != GA_PAGE_PCP || page_order(p) != order) {
			ga_unlock(&pcp->lock);
			continue;
		}
		list = &pcp->lists[order_to_pindex((int)page_alloc_mt(p), order)];
		for (uint32_t idx = list->first; idx != GA_NIL;
		     idx = z->pages[idx].lru.next) {
			if (idx != want)
				continue;
			ga_list_del(z->pages, list, idx);
			pcp->count -= 1 << order;
			pcp->stat[PCP_STAT_ALLOC]++;
			pcp->stat[PCP_STAT_PGALLOC] += 1ul << order;
			recharge(z, idx, order, content_mt);
			ga_unlock(&pcp->lock);
			return true;
		}
		ga_unlock(&pcp->lock);
	}
	return false;
}

/* ------------------------------------------------------------------------ */
/* Free side.                                                                */

/*
 * spill_pcp_lists: return count pages of the plain lists, round-robin
 * starting with pindex, oldest (tail) first. The block type is re-read per
 * page, so a page whose block changed type while cached lands correctly.
 * Caller holds pcp->lock and zone->lock, and the lists hold count pages.
 */
unsigned long spill_pcp_lists(struct ga_zone *z, int count, struct ga_pcp *pcp,
			      int pindex)
{
	unsigned long drained = 0;

	pindex--;
	while (count > 0) {
		struct ga_list *list;
		unsigned int order;

		do {
			if (++pindex > GA_NR_PCP_LISTS - 1)
				pindex = 0;
			list = &pcp->lists[pindex];
		} while (ga_list_empty(list));

		order = pindex_to_order(z, (unsigned int)pindex);
		do {
			uint32_t idx = list->last;
			ga_pfn_t pfn = idx_to_pfn(z, idx);

			ga_list_del(z->pages, list, idx);
			count -= 1 << order;
			pcp->count -= 1 << order;
			drained += 1ul << order;
			charge_block(z, pfn, order, (int)page_alloc_mt(&z->pages[idx]), -1);
			free_one_page_locked(z, pfn, order,
					     get_pfnblock_migratetype(z, pfn), false);
		} while (count > 0 && !ga_list_empty(list));
	}
	return drained;
}

/* free_pcppages_bulk: return count pages. Caller holds pcp->lock. */
void free_pcppages_bulk(struct ga_zone *z, int count, struct ga_pcp *pcp,
			int pindex)
{
	unsigned long drained;

	if (z->policy.pcp_buddy) {
		pcp_buddy_free_bulk(z, count, pcp, pindex);
		return;
	}
	count = ga_min(pcp->count, count);
	zone_lock(z);
	drained = spill_pcp_lists(z, count, pcp, pindex);
	zone_stat_add_locked(z, GA_STAT_PCP_DRAIN_PAGES, drained);
	zone_unlock(z);
}

/* nr_pcp_free: how many to spill; grows with consecutive frees. */
static int nr_pcp_free(const struct ga_pcp *pcp, const struct ga_zone *z,
		       int batch, int high, bool free_high)
{
	if (free_high)
		return ga_min(pcp->count,
			      batch << z->policy.pcp_batch_scale_max);
	if (high < batch)
		return 1;
	return ga_clamp(pcp->free_count, batch, high - batch);
}

/*
 * v6.1 nr_pcp_free: batch << free_factor, the factor doubling with each
 * spill while that stays below high - batch (halved by each allocation);
 * free_high spills the whole list.
 */
static int nr_pcp_free_v61(struct ga_pcp *pcp, int batch, int high, bool free_high)
{
	int max_nr_free = high - batch;

	if (free_high)
		return pcp->count;
	if (high < batch)
		return 1;
	batch <<= pcp->free_factor;
	if (batch < max_nr_free)
		pcp->free_factor++;
	return ga_clamp(batch, pcp->batch, max_nr_free);
}

/*
 * nr_pcp_high: the spill threshold. Shrinks while the zone is under
 * reclaim or below its high watermark, grows when frees would spill a
 * list that allocations keep refilling.
 */
/*
 * ZONE_RECLAIM_ACTIVE: set while kswapd reclaims. With a reclaim callback
 * that is the callback's duration (wakeup_kswapd); without one kswapd
 * runs outside the library until the zone is balanced at its high mark
 * (balance_pgdat's clear_reclaim_active), checked here.
 */
static bool pcp_reclaim_active(struct ga_zone *z)
{
	if (!ga_test_bit(ZONE_RECLAIM_ACTIVE, &z->flags))
		return false;
	if (z->ops.reclaim ||
	    !zone_watermark_ok(z, 0, zone_watermark_mark(z, WMARK_HIGH), 0,
			       (long)READ_ONCE(z->nr_free_pages)))
		return true;
	ga_clear_bit(ZONE_RECLAIM_ACTIVE, &z->flags);
	return false;
}

static int nr_pcp_high(struct ga_pcp *pcp, struct ga_zone *z, int batch,
		       bool free_high)
{
	int high_min = pcp->high_min, high_max = pcp->high_max, high;

	high = pcp->high = ga_clamp(pcp->high, high_min, high_max);
	if (!high)
		return 0;
	if (free_high) {
		pcp->high = ga_max(high - (batch << z->policy.pcp_batch_scale_max),
				   high_min);
		return 0;
	}
	if (pcp_reclaim_active(z)) {
		int free_count = ga_max(pcp->free_count, batch);

		pcp->high = ga_max(high - free_count, high_min);
		return ga_min(batch << 2, pcp->high);
	}
	if (high_min == high_max)
		return high;
	if (ga_test_bit(ZONE_BELOW_HIGH, &z->flags)) {
		int free_count = ga_max(pcp->free_count, batch);

		pcp->high = ga_max(high - free_count, high_min);
		high = ga_max(pcp->count, high_min);
	} else if (pcp->count >= high) {
		int need_high = pcp->free_count + batch;

		if (pcp->high < need_high)
			pcp->high = ga_clamp(need_high, high_min, high_max);
	}
	return high;
}

/*
 * free_unref_page_commit. Caller holds pcp->lock. An owned page (pcp_buddy)
 * goes on the owner's buddy lists instead of the plain ones.
 */
void free_unref_page_commit(struct ga_zone *z, struct ga_pcp *pcp,
			    ga_pfn_t pfn, int mt, unsigned int order, bool owned)
{
	unsigned int pindex = order_to_pindex(mt, order);
	uint32_t idx = pfn_to_idx(z, pfn);
	int batch = pcp->batch, high;
	bool free_high = false;

	pcp->alloc_factor >>= 1;
	/* The page keeps its charge (its allocation's mobility) while cached. */
	if (owned) {
		pcp_buddy_enqueue(z, pcp, idx, order);
	} else {
		set_page_head(&z->pages[idx], GA_PAGE_PCP, order,
			      page_alloc_mt(&z->pages[idx]));
		ga_list_add_head(z->pages, &pcp->lists[pindex], idx);
	}
	pcp->count += 1 << order;
	pcp->stat[PCP_STAT_FREE]++;
	pcp->stat[PCP_STAT_PGFREE] += 1ul << order;

	if (z->policy.pcp_batch_fixed) {
		/* v6.1: orders 1..3 freed while frees outrun allocations
		 * (free_factor) spill the whole list. */
		free_high = pcp->free_factor && order &&
			    order <= PAGE_ALLOC_COSTLY_ORDER;
		high = free_high ? 0 : nr_pcp_high(pcp, z, batch, false);
		if (pcp->count >= high)
			free_pcppages_bulk(z, nr_pcp_free_v61(pcp, batch, high, free_high),
					   pcp, (int)pindex);
		return;
	}
	/* Repeated frees of orders 1..3 are spilled eagerly (free_high). */
	if (order && order <= PAGE_ALLOC_COSTLY_ORDER) {
		free_high = pcp->free_count >= batch &&
			    (pcp->flags & PCPF_PREV_FREE_HIGH_ORDER);
		pcp->flags |= PCPF_PREV_FREE_HIGH_ORDER;
	} else {
		pcp->flags &= ~PCPF_PREV_FREE_HIGH_ORDER;
	}
	if (pcp->free_count < (batch << z->policy.pcp_batch_scale_max))
		pcp->free_count += 1 << order;
	high = nr_pcp_high(pcp, z, batch, free_high);
	if (pcp->count >= high) {
		free_pcppages_bulk(z, nr_pcp_free(pcp, z, batch, high, free_high),
				   pcp, (int)pindex);
		if (ga_test_bit(ZONE_BELOW_HIGH, &z->flags) &&
		    zone_watermark_ok(z, 0, zone_watermark_mark(z, WMARK_HIGH), 0,
				      (long)READ_ONCE(z->nr_free_pages)))
			ga_clear_bit(ZONE_BELOW_HIGH, &z->flags);
	}
}

/*
 * free_unref_page: false if the page must go straight to the buddy lists
 * (isolated block, or pcp lock busy). HIGHATOMIC and CMA pages are cached on
 * the MOVABLE list; their real type is re-read when they are drained.
 */
bool free_to_pcp(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
		 unsigned int cpu)
{
	struct ga_pcp *pcp = &z->pcp[cpu];
	int mt = get_pfnblock_migratetype(z, pfn);

	if (mt >= GA_MT_PCPTYPES) {
		if (mt == GA_MT_ISOLATE)
			return false;
		mt = GA_MT_MOVABLE;
	}
	/* An owned block's page goes back to its owner (RFC 02/03). */
	if (z->policy.pcp_buddy) {
		unsigned int owner = READ_ONCE(pfn_to_block(z, pfn)->cpu);

		if (owner)
			return pcp_buddy_free(z, pfn, order, cpu, owner - 1);
	}
	if (!ga_trylock(&pcp->lock)) {
		zone_stat_add(z, GA_STAT_PCP_TRYLOCK_FAIL, 1);
		return false;
	}
	free_unref_page_commit(z, pcp, pfn, mt, order, false);
	ga_unlock(&pcp->lock);
	return true;
}

/* ------------------------------------------------------------------------ */
/* Drains and decay.                                                         */

/* drain_pages_zone: in chunks, so one drain never holds the lock forever. */
int ga_drain_pcp(struct ga_zone *z, unsigned int cpu)
{
	struct ga_pcp *pcp;
	int count;

	if (cpu >= z->nr_cpus)
		return -EINVAL;
	pcp = &z->pcp[cpu];
	do {
		ga_lock(&pcp->lock);
		if (z->policy.pcp_buddy)
			pcp_buddy_absorb(z, pcp);
		count = pcp->count;
		if (count) {
			int to_drain = ga_min(count, pcp->batch <<
						     z->policy.pcp_batch_scale_max);

			free_pcppages_bulk(z, to_drain, pcp, 0);
			count -= to_drain;
		}
		ga_unlock(&pcp->lock);
	} while (count);
	return 0;
}

void ga_drain_all_pcp(struct ga_zone *z)
{
	zone_stat_add(z, GA_STAT_DRAIN_ALL, 1);
	for (unsigned int cpu = 0; cpu < z->nr_cpus; cpu++)
		ga_drain_pcp(z, cpu);
}

/* decay_pcp_high: high -= high/8 each second, excess freed in batches. */
static void decay_pcp_high(struct ga_zone *z, struct ga_pcp *pcp)
{
	int batch = pcp->batch, to_drain;

	if (pcp->high > pcp->high_min)
		pcp->high = ga_max(ga_max(pcp->count -
					  (batch << z->policy.pcp_batch_scale_max),
					  pcp->high - (pcp->high >> 3)),
				   pcp->high_min);
	for (to_drain = pcp->count - pcp->high; to_drain > 0; to_drain -= batch)
		free_pcppages_bulk(z, ga_min(to_drain, batch), pcp, 0);
}

void ga_vmstat_tick(struct ga_zone *z)
{
	for (unsigned int cpu = 0; cpu < z->nr_cpus; cpu++) {
		struct ga_pcp *pcp = &z->pcp[cpu];

		ga_lock(&pcp->lock);
		if (z->policy.pcp_buddy)
			pcp_buddy_absorb(z, pcp);
		decay_pcp_high(z, pcp);
		ga_unlock(&pcp->lock);
	}
	/* The same second drives proactive compaction's 500 ms check. */
	kcompactd_tick(z);
	spb_defrag_tick(z);
}
