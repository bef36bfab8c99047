// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Queries of single pages and pageblocks, for embedders, the simulator and
 * tests. They read page state without the zone lock (like the kernel's
 * kpageflags): exact when the zone is quiescent, a snapshot otherwise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * The head of the block covering pfn, searching the aligned candidates from
 * small to large; pfn itself if it is a head or no head covers it.
 */
ga_pfn_t block_head(struct ga_zone *z, ga_pfn_t pfn)
{
	if (page_state(pfn_to_page(z, pfn)) != GA_PAGE_TAIL)
		return pfn;
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

	if (!info)
		return -EINVAL;
	if (!zone_spans_pfn(z, pfn))
		return -ERANGE;
	memset(info, 0, sizeof(*info));
	head = pfn;
	if (page_state(pfn_to_page(z, pfn)) == GA_PAGE_TAIL)
		head = block_head(z, pfn);
	p = pfn_to_page(z, head);
	info->head_pfn = head;
	info->state = (enum ga_page_state)page_state(p);
	info->order = page_order(p);
	info->migratetype = -1;
	if (info->state == GA_PAGE_ALLOC) {
		info->migratetype = (int)page_alloc_mt(p);
		info->pins = page_pins(p);
		info->isolated = READ_ONCE(p->flags) & PF_ISOLATED;
	}
	if (info->state == GA_PAGE_ALLOC || info->state == GA_PAGE_CONTIG)
		info->owner = get_page_owner(p);
	return 0;
}

/* What one pageblock holds, by scanning its block heads. */
struct block_census {
	unsigned long free, pcp, reserved, contig, pinned;
	unsigned long alloc[GA_MT_PCPTYPES];
};

static void block_census(struct ga_zone *z, ga_pfn_t start,
			 struct block_census *c)
{
	ga_pfn_t end = start + z->pageblock_nr_pages, p = start;

	memset(c, 0, sizeof(*c));
	if (page_state(pfn_to_page(z, p)) == GA_PAGE_TAIL)
		p = block_head(z, p);
	while (p < end) {
		const struct ga_page *pg = pfn_to_page(z, p);
		unsigned int state = page_state(pg);
		unsigned long nr = 1ul << page_order(pg);
		unsigned long in = ga_min(p + nr, end) - ga_max(p, start);

		switch (state) {
		case GA_PAGE_TAIL:
		case GA_PAGE_RESERVED:
			c->reserved += state == GA_PAGE_RESERVED;
			p++;
			continue;
		case GA_PAGE_BUDDY:
			c->free += in;
			break;
		case GA_PAGE_PCP:
			c->pcp += in;
			break;
		case GA_PAGE_CONTIG:
			c->contig += in;
			break;
		case GA_PAGE_ALLOC:
			c->alloc[page_alloc_mt(pg)] += in;
			if (page_pins(pg))
				c->pinned += in;
			break;
		}
		p += nr;
	}
}

int ga_pageblock_query(struct ga_zone *z, ga_pfn_t pfn,
		       struct ga_pageblock_info *info)
{
	struct block_census c;
	ga_pfn_t start;

	if (!info)
		return -EINVAL;
	if (!zone_spans_pfn(z, pfn))
		return -ERANGE;
	memset(info, 0, sizeof(*info));
	start = pageblock_start_pfn(z, pfn);
	info->start_pfn = start;
	info->migratetype = READ_ONCE(pfn_to_block(z, start)->mt);
	info->isolated = pageblock_isolated(z, start);
	info->evacuating = pb_test_flag(pfn_to_block(z, start), PB_EVACUATING);
	block_census(z, start, &c);
	info->nr_free = (unsigned int)c.free;
	info->nr_pcp = (unsigned int)c.pcp;
	info->nr_reserved = (unsigned int)c.reserved;
	for (int mt = 0; mt < GA_MT_PCPTYPES; mt++)
		info->nr_alloc[mt] = (unsigned int)c.alloc[mt];
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Regions (superpageblocks).                                                */

unsigned long ga_zone_nr_regions(struct ga_zone *z, unsigned int order)
{
	ga_pfn_t size, base;

	if (!order)
		order = z->spb_order;
	if (order < z->pageblock_order || order > 30)
		return 0;
	size = 1ul << order;
	base = z->start_pfn & ~(size - 1);
	return (unsigned long)((READ_ONCE(z->end_pfn) - base + size - 1) / size);
}

static void region_add_block(struct ga_region_info *info,
			     const struct block_census *c, int label,
			     unsigned long pb_pages)
{
	unsigned int kinds = !!c->alloc[GA_MT_UNMOVABLE] +
			     !!c->alloc[GA_MT_MOVABLE] +
			     !!c->alloc[GA_MT_RECLAIMABLE];

	info->nr_free += c->free;
	info->nr_pcp += c->pcp;
	info->nr_reserved += c->reserved;
	info->nr_contig += c->contig;
	info->nr_pinned += c->pinned;
	info->nr_unmovable += c->alloc[GA_MT_UNMOVABLE];
	info->nr_movable += c->alloc[GA_MT_MOVABLE];
	info->nr_reclaimable += c->alloc[GA_MT_RECLAIMABLE];
	info->nr_pageblocks++;
	info->nr_free_pageblocks += c->free == pb_pages;
	info->nr_mixed_pageblocks += kinds > 1;
	info->nr_unmovable_pageblocks += c->alloc[GA_MT_UNMOVABLE] > 0;
	info->nr_highatomic_blocks += label == GA_MT_HIGHATOMIC;
}

int ga_region_query(struct ga_zone *z, unsigned long idx, unsigned int order,
		    struct ga_region_info *info)
{
	ga_pfn_t size, start, end;

	if (!info)
		return -EINVAL;
	if (!order)
		order = z->spb_order;
	if (order < z->pageblock_order || order > 30)
		return -EINVAL;
	if (idx >= ga_zone_nr_regions(z, order))
		return -ERANGE;
	size = 1ul << order;
	start = (z->start_pfn & ~(size - 1)) + idx * size;
	end = ga_min(start + size, READ_ONCE(z->end_pfn));
	start = ga_max(start, z->start_pfn);

	memset(info, 0, sizeof(*info));
	info->start_pfn = start;
	info->end_pfn = end;
	for (ga_pfn_t b = start; b < end; b += z->pageblock_nr_pages) {
		struct block_census c;

		block_census(z, b, &c);
		region_add_block(info, &c, READ_ONCE(pfn_to_block(z, b)->mt),
				 z->pageblock_nr_pages);
	}
	info->tainted = info->nr_unmovable || info->nr_reclaimable ||
			info->nr_highatomic_blocks;
	info->empty = info->nr_free + info->nr_pcp + info->nr_reserved ==
		      end - start && info->nr_reserved < end - start;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Every region from the pageblock counters.                                 */

/* Pages on pcp lists per pageblock and charged mobility: [block][mt]. */
typedef uint16_t pcp_counts_t[GA_MT_PCPTYPES];

static void pcp_count_head(const struct ga_zone *z, pcp_counts_t *pcp, uint32_t idx)
{
	const struct ga_page *p = &z->pages[idx];

	pcp[(idx_to_pfn(z, idx) - z->start_pfn) >> z->pageblock_order][page_alloc_mt(p)] +=
		(uint16_t)(1u << page_order(p));
}

/*
 * pcp_buddy (RFC 02/03): the owner's PagePCPBuddy lists, each head within
 * one pageblock, and the lock-free list of remote frees, which only the
 * owner takes whole (quiescent here, as everywhere in this census).
 */
static void pcp_buddy_census(const struct ga_zone *z, struct ga_pcp *l,
			     pcp_counts_t *pcp)
{
	for (unsigned int c = 0; c < GA_MT_PCPTYPES; c++)
		for (unsigned int o = 0; o <= z->pageblock_order; o++)
			for (uint32_t idx = l->buddy[c][o].first; idx != GA_NIL;
			     idx = z->pages[idx].lru.next)
				pcp_count_head(z, pcp, idx);
	for (uint32_t idx = __atomic_load_n(&l->remote, __ATOMIC_ACQUIRE);
	     idx != GA_NIL; idx = READ_ONCE(z->pages[idx].lru.next))
		pcp_count_head(z, pcp, idx);
}

static pcp_counts_t *pcp_census(struct ga_zone *z)
{
	/* Sized for the largest span: a hot-add may land while we count. */
	pcp_counts_t *pcp = calloc((z->max_end_pfn - z->start_pfn) >> z->pageblock_order,
				   sizeof(*pcp));

	if (!pcp)
		return NULL;
	for (unsigned int cpu = 0; cpu < z->nr_cpus; cpu++) {
		struct ga_pcp *l = &z->pcp[cpu];

		ga_lock(&l->lock);
		for (unsigned int i = 0; i < GA_NR_PCP_LISTS; i++) {
			unsigned long nr = 1ul << pindex_to_order(z, i);
			unsigned long per_block = ga_min(nr, (unsigned long)z->pageblock_nr_pages);

			for (uint32_t idx = l->lists[i].first; idx != GA_NIL;
			     idx = z->pages[idx].lru.next) {
				ga_pfn_t pfn = idx_to_pfn(z, idx);
				unsigned int mt = page_alloc_mt(&z->pages[idx]);

				for (ga_pfn_t b = pfn; b < pfn + nr; b += z->pageblock_nr_pages)
					pcp[(b - z->start_pfn) >> z->pageblock_order][mt] +=
						(uint16_t)per_block;
			}
		}
		if (z->policy.pcp_buddy)
			pcp_buddy_census(z, l, pcp);
		ga_unlock(&l->lock);
	}
	return pcp;
}

/* What block_census() finds, from the counters of the pageblock at b. */
static void block_census_counted(struct ga_zone *z, ga_pfn_t b,
				 const pcp_counts_t *pcp, struct block_census *c)
{
	unsigned long i = (b - z->start_pfn) >> z->pageblock_order;
	const struct ga_pageblock *pb = &z->blocks[i];

	memset(c, 0, sizeof(*c));
	if (page_state(pfn_to_page(z, b)) == GA_PAGE_CONTIG) {
		c->contig = z->pageblock_nr_pages;
		return;
	}
	c->free = READ_ONCE(pb->nr_free);
	c->reserved = READ_ONCE(pb->nr_reserved);
	c->pinned = READ_ONCE(pb->nr_pinned);
	for (int mt = 0; mt < GA_MT_PCPTYPES; mt++) {
		unsigned long used = READ_ONCE(pb->used[mt]);

		c->pcp += pcp[i][mt];
		c->alloc[mt] = used > pcp[i][mt] ? used - pcp[i][mt] : 0;
	}
}

long ga_zone_regions_query(struct ga_zone *z, unsigned int order,
			   struct ga_region_info *info, unsigned long nr)
{
	unsigned long n;
	pcp_counts_t *pcp;
	ga_pfn_t size, base;

	if (!order)
		order = z->spb_order;
	if (order < z->pageblock_order || order > 30)
		return -EINVAL;
	n = ga_min(nr, ga_zone_nr_regions(z, order));
	pcp = pcp_census(z);
	if (!pcp)
		return -ENOMEM;
	size = 1ul << order;
	base = z->start_pfn & ~(size - 1);
	for (unsigned long idx = 0; idx < n; idx++) {
		struct ga_region_info *r = &info[idx];
		ga_pfn_t start = ga_max(base + idx * size, z->start_pfn);
		ga_pfn_t end = ga_min(base + (idx + 1) * size, READ_ONCE(z->end_pfn));

		memset(r, 0, sizeof(*r));
		r->start_pfn = start;
		r->end_pfn = end;
		for (ga_pfn_t b = start; b < end; b += z->pageblock_nr_pages) {
			struct block_census c;

			block_census_counted(z, b, pcp, &c);
			region_add_block(r, &c, READ_ONCE(pfn_to_block(z, b)->mt),
					 z->pageblock_nr_pages);
		}
		r->tainted = r->nr_unmovable || r->nr_reclaimable ||
			     r->nr_highatomic_blocks;
		r->empty = r->nr_free + r->nr_pcp + r->nr_reserved == end - start &&
			   r->nr_reserved < end - start;
	}
	free(pcp);
	return (long)n;
}
