// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Reclaim hooks: the library never invents frees; it asks the embedder
 * through ops->reclaim, the analogue of kswapd (balance_pgdat) and direct
 * reclaim (try_to_free_pages), and the embedder calls ga_free.
 *
 * kswapd runs synchronously in the context that woke it, after the waking
 * allocation is complete and with no lock held; one instance at a time per
 * zone (one kswapd per node). Like balance_pgdat, a run always ends by
 * dropping the boost it saw, whether or not anything was reclaimed.
 */
#include "internal.h"

unsigned long kswapd_call_reclaim(struct ga_zone *z, enum ga_reclaim_kind kind,
				  unsigned long nr, const struct alloc_context *ac)
{
	struct ga_reclaim_request req = {
		.kind = kind,
		.nr_to_reclaim = nr,
		.order = ac->order,
		.cpu = ac->cpu,
		.gfp = ac->gfp,
	};

	return z->ops.reclaim(z->ops_ctx, z, &req);
}

/*
 * kcompactd wakes around a kswapd run. A balanced, unboosted zone does not
 * wake kswapd at all; wakeup_kswapd then wakes kcompactd if the requester
 * cannot compact directly. After a run, balance_pgdat wakes it at
 * pageblock order if a boost was reclaimed (to turn the reclaimed pages
 * into free blocks), and kswapd_try_to_sleep, once the zone is balanced,
 * clears the skip hints a failed direct compaction flagged and wakes it
 * for the order kswapd was woken for.
 */
void kswapd_wake_kcompactd(struct ga_zone *z, const struct alloc_context *ac,
			   unsigned int order, bool ran, bool boosted)
{
	if (!ran) {
		if (!(ac->gfp & GA_GFP_DIRECT_RECLAIM))
			wakeup_kcompactd(z, (int)order);
		return;
	}
	if (boosted)
		wakeup_kcompactd(z, (int)z->pageblock_order);
	if (!zone_watermark_ok(z, order, zone_watermark_mark(z, WMARK_HIGH), 0,
			       (long)READ_ONCE(z->nr_free_pages)))
		return;
	reset_isolation_suitable(z);
	wakeup_kcompactd(z, (int)order);
}

/*
 * wakeup_kswapd + balance_pgdat, reduced to their effect on one zone:
 * reclaim until free pages reach the (boosted) high watermark; a boost on a
 * zone that is otherwise balanced is reclaimed as "boosted reclaim" (no
 * writeback, no swap). Afterwards the boost that was seen is dropped.
 * A zone of a node wakes the node's kswapd instead (node.c): a boost wake
 * for the zone's own index, as rmqueue does, else for the request's
 * highest zone, as wake_all_kswapds does.
 */
void wakeup_kswapd(struct ga_zone *z, const struct alloc_context *ac, bool boost)
{
	unsigned long boost_seen, free, high, nr = 0, got;
	enum ga_reclaim_kind kind = GA_RECLAIM_KSWAPD;
	int idle = 0;
	bool balanced;

	if (z->node && z->policy.kswapd_node) {
		node_wakeup_kswapd(z->node, ac, boost ? 0 : ac->order,
				   boost ? z->zone_type : ac->highest_zoneidx);
		return;
	}
	if (!__atomic_compare_exchange_n(&z->kswapd_active, &idle, 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;

	boost_seen = READ_ONCE(z->watermark_boost);
	free = READ_ONCE(z->nr_free_pages);
	high = READ_ONCE(z->watermark[WMARK_HIGH]) + boost_seen;
	balanced = zone_watermark_ok(z, boost ? 0 : ac->order, high, 0, (long)free);

	if (!balanced)
		nr = free < high ? high - free : 2ul << ac->order; /* compact_gap */
	else if (boost_seen)
		nr = boost_seen, kind = GA_RECLAIM_BOOST;

	if (nr && z->ops.reclaim) {
		zone_stat_add(z, GA_STAT_KSWAPD_WAKE, 1);
		ga_set_bit(ZONE_RECLAIM_ACTIVE, &z->flags);
		got = kswapd_call_reclaim(z, kind, nr, ac);
		ga_clear_bit(ZONE_RECLAIM_ACTIVE, &z->flags);
		zone_stat_add(z, GA_STAT_KSWAPD_RECLAIMED, got);
	} else if (!balanced && !z->ops.reclaim) {
		/*
		 * No reclaim callback: the embedder reclaims by itself (a
		 * replay: the traced kernel's kswapd, whose frees are the
		 * trace's). kswapd then runs until the zone is balanced, and
		 * balance_pgdat keeps ZONE_RECLAIM_ACTIVE set all that time;
		 * pcp_reclaim_active() clears it once the high mark is met.
		 */
		ga_set_bit(ZONE_RECLAIM_ACTIVE, &z->flags);
	}

	if (boost_seen) {
		zone_lock(z);
		WRITE_ONCE(z->watermark_boost,
			   z->watermark_boost - ga_min(z->watermark_boost, boost_seen));
		zone_unlock(z);
	}
	__atomic_store_n(&z->kswapd_active, 0, __ATOMIC_RELEASE);
	kswapd_wake_kcompactd(z, ac, boost ? 0 : ac->order, nr != 0, boost_seen);
}

/* try_to_free_pages: one batch (SWAP_CLUSTER_MAX, or the request's size). */
unsigned long direct_reclaim(struct ga_zone *z, const struct alloc_context *ac)
{
	unsigned long got;

	if (!z->ops.reclaim)
		return 0;
	zone_stat_add(z, GA_STAT_DIRECT_RECLAIM, 1);
	got = kswapd_call_reclaim(z, GA_RECLAIM_DIRECT,
			   ga_max((unsigned long)z->policy.reclaim_batch,
				  1ul << ac->order), ac);
	zone_stat_add(z, GA_STAT_DIRECT_RECLAIMED, got);
	return got;
}
