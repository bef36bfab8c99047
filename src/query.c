// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Queries of single pages and pageblocks, for embedders, the simulator and
 * tests. They read page state without the zone lock (like the kernel's
 * kpageflags): exact when the zone is quiescent, a snapshot otherwise.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* The head of the block covering pfn, searching aligned candidates. */
static ga_pfn_t find_head(struct ga_zone *z, ga_pfn_t pfn)
{
	for (unsigned int o = 1; o <= z->max_order; o++) {
		ga_pfn_t head = pfn & ~((1ul << o) - 1);
		const struct ga_page *p;

		if (!zone_spans_pfn(z, head))
			break;
		p = pfn_to_page(z, head);
		if (page_state(p) != GA_PAGE_TAIL && page_order(p) >= o)
			return head;
	}
	return pfn;
}

int ga_page_query(struct ga_zone *z, ga_pfn_t pfn, struct ga_page_info *info)
{
	const struct ga_page *p;
	ga_pfn_t head;

	if (!zone_spans_pfn(z, pfn))
		return -ERANGE;
	memset(info, 0, sizeof(*info));
	head = pfn;
	if (page_state(pfn_to_page(z, pfn)) == GA_PAGE_TAIL)
		head = find_head(z, pfn);
	p = pfn_to_page(z, head);
	info->head_pfn = head;
	info->state = (enum ga_page_state)page_state(p);
	info->order = page_order(p);
	info->migratetype = -1;
	if (info->state == GA_PAGE_ALLOC) {
		info->migratetype = (int)page_alloc_mt(p);
		info->owner = get_page_owner(p);
	}
	return 0;
}

int ga_pageblock_query(struct ga_zone *z, ga_pfn_t pfn,
		       struct ga_pageblock_info *info)
{
	ga_pfn_t start, end, p;

	if (!zone_spans_pfn(z, pfn))
		return -ERANGE;
	memset(info, 0, sizeof(*info));
	start = pageblock_start_pfn(z, pfn);
	end = start + z->pageblock_nr_pages;
	info->start_pfn = start;
	info->migratetype = READ_ONCE(pfn_to_block(z, start)->mt);
	info->isolated = pageblock_isolated(z, start);

	p = start;
	if (page_state(pfn_to_page(z, p)) == GA_PAGE_TAIL)
		p = find_head(z, p);
	while (p < end) {
		const struct ga_page *pg = pfn_to_page(z, p);
		unsigned int state = page_state(pg);
		unsigned long nr = 1ul << page_order(pg);
		ga_pfn_t lo = ga_max(p, start), hi = ga_min(p + nr, end);

		if (state == GA_PAGE_TAIL || state == GA_PAGE_RESERVED) {
			info->nr_reserved += state == GA_PAGE_RESERVED;
			p++;
			continue;
		}
		if (state == GA_PAGE_BUDDY)
			info->nr_free += (unsigned int)(hi - lo);
		else if (state == GA_PAGE_PCP)
			info->nr_pcp += (unsigned int)(hi - lo);
		else if (state == GA_PAGE_ALLOC)
			info->nr_alloc[page_alloc_mt(pg)] += (unsigned int)(hi - lo);
		p += nr;
	}
	return 0;
}
