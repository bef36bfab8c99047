// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The MIGRATE_HIGHATOMIC reserve (mm/page_alloc.c,
 * reserve_highatomic_pageblock / unreserve_highatomic_pageblock): after a
 * high-order atomic allocation succeeds, set its pageblock aside so later
 * atomic bursts find high-order pages; give blocks back when an allocation
 * is about to fail. Capped at ~1 % of the zone in whole pageblocks.
 */
#include "internal.h"

/* The cap; 0 when 1 % of the zone is less than a pageblock. */
unsigned long highatomic_max(const struct ga_zone *z)
{
	unsigned long one_percent = READ_ONCE(z->managed_pages) / 100;
	unsigned long pb = z->pageblock_nr_pages;

	if (one_percent < pb)
		return 0;
	return (one_percent + pb - 1) / pb * pb;
}

void reserve_highatomic_pageblock(struct ga_zone *z, ga_pfn_t pfn,
				  unsigned int order)
{
	int mt;

	if (!z->policy.highatomic || !READ_ONCE(z->max_highatomic))
		return;
	if (READ_ONCE(z->nr_reserved_highatomic) >= READ_ONCE(z->max_highatomic))
		return;

	zone_lock(z);
	if (z->nr_reserved_highatomic >= READ_ONCE(z->max_highatomic))
		goto out_unlock;
	mt = get_pfnblock_migratetype(z, pfn);
	if (!migratetype_is_mergeable(mt))
		goto out_unlock;
	if (order < z->pageblock_order) {
		move_freepages_block(z, pageblock_start_pfn(z, pfn), mt,
				     GA_MT_HIGHATOMIC);
		WRITE_ONCE(z->nr_reserved_highatomic,
			   z->nr_reserved_highatomic + z->pageblock_nr_pages);
	} else {
		change_pageblock_range(z, pfn, order, GA_MT_HIGHATOMIC);
		WRITE_ONCE(z->nr_reserved_highatomic,
			   z->nr_reserved_highatomic + (1ul << order));
	}
	zone_stat_add_locked(z, GA_STAT_HIGHATOMIC_RESERVE, 1);
out_unlock:
	zone_unlock(z);
}

/*
 * Convert one reserved block back, to the type of the allocation that is
 * struggling (not through the claim heuristics: the caller needs the pages).
 * Without force, keep the last pageblock of the reserve.
 */
bool unreserve_highatomic_pageblock(struct ga_zone *z, int migratetype,
				    bool force)
{
	bool ret = false;

	if (!force && READ_ONCE(z->nr_reserved_highatomic) <= z->pageblock_nr_pages)
		return false;

	zone_lock(z);
	for (unsigned int order = 0; order <= z->max_order; order++) {
		uint32_t idx = free_area_first(z, order, GA_MT_HIGHATOMIC);
		ga_pfn_t pfn;
		int mt;

		if (idx == GA_NIL)
			continue;
		pfn = idx_to_pfn(z, idx);
		mt = get_pfnblock_migratetype(z, pfn);
		if (mt == GA_MT_HIGHATOMIC) {
			unsigned long size = ga_max((unsigned long)z->pageblock_nr_pages,
						    1ul << order);

			size = ga_min(size, z->nr_reserved_highatomic);
			WRITE_ONCE(z->nr_reserved_highatomic,
				   z->nr_reserved_highatomic - size);
		}
		if (order < z->pageblock_order) {
			move_freepages_block(z, pageblock_start_pfn(z, pfn), mt,
					     migratetype);
		} else {
			/*
			 * The kernel relabels in place and leaves the block
			 * unmerged with a free buddy of now-compatible type;
			 * we re-free it so the pair merges and the checker's
			 * "no mergeable free pair" invariant holds.
			 */
			del_from_free_list(z, pfn, order, mt);
			change_pageblock_range(z, pfn, order, migratetype);
			free_one_page_locked(z, pfn, order, migratetype, true);
		}
		zone_stat_add_locked(z, GA_STAT_HIGHATOMIC_UNRESERVE, 1);
		ret = true;
		break;
	}
	zone_unlock(z);
	return ret;
}
