// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Per-pageblock data: the migratetype label and the isolation bit
 * (include/linux/pageblock-flags.h, v6.16 layout where isolation is a
 * standalone bit and the label survives it).
 *
 * Labels change only under zone->lock; the free path reads them without
 * the lock, as the kernel's get_pfnblock_migratetype() does.
 */
#include "internal.h"

bool pageblock_isolated(struct ga_zone *z, ga_pfn_t pfn)
{
	return pb_test_flag(pfn_to_block(z, pfn), PB_ISOLATE);
}

/*
 * Relabel one pageblock. Without mobility grouping every PCP type is stored
 * as UNMOVABLE (set_pageblock_migratetype with page_group_by_mobility_disabled).
 */
void set_pageblock_migratetype(struct ga_zone *z, ga_pfn_t pfn, int mt)
{
	struct ga_pageblock *pb = pfn_to_block(z, pfn);

	GA_BUG_ON(mt == GA_MT_ISOLATE || mt < 0 || mt >= GA_MT_TYPES);
	mt = pageblock_label(z, mt);
	if (pb->mt == mt)
		return;
	z->blocks_mt[pb->mt]--;
	z->blocks_mt[mt]++;
	spb_label_changed(z, pfn, pb->mt, mt);
	if (ga_unlikely(pb->cpu))
		pcp_buddy_relabel(z, pb, pb->mt, mt);
	WRITE_ONCE(pb->mt, (uint8_t)mt);
}

/* Relabel every pageblock covered by a 2^order block (order >= pageblock). */
void change_pageblock_range(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
			    int mt)
{
	unsigned long nr = 1ul << (order - z->pageblock_order);

	GA_BUG_ON(order < z->pageblock_order);
	for (; nr; nr--, pfn += z->pageblock_nr_pages)
		set_pageblock_migratetype(z, pfn, mt);
}
