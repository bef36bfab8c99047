// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * ga_alloc_at: allocate this exact block. The kernel's nearest relative is
 * take_page_off_buddy() (mm/page_alloc.c): find the free buddy that holds
 * the target, take it off its list and split it down, giving back every
 * half that does not hold the target (break_down_buddy_pages). The
 * replayer uses it to rebuild a traced machine's state: the pages in use
 * at the start of the trace at their real pfns, and in --shadow mode each
 * traced allocation where the kernel put it.
 *
 * The block is taken whatever the watermarks (the state being rebuilt
 * existed), and the pageblock labels are left alone: the halves given back
 * go to the list of the buddy's own type, as expand() does.
 */
#include <errno.h>

#include "internal.h"

/* The free buddy of order >= order holding [pfn, pfn + 2^order), or -1. */
static long enclosing_buddy(struct ga_zone *z, ga_pfn_t pfn, unsigned int order)
{
	for (unsigned int o = order; o <= z->max_order; o++) {
		ga_pfn_t head = pfn & ~(((ga_pfn_t)1 << o) - 1);
		const struct ga_page *p;

		if (!zone_spans_pfn(z, head))
			break;
		p = pfn_to_page(z, head);
		if (page_state(p) == GA_PAGE_BUDDY && page_order(p) == o)
			return (long)head;
	}
	return -1;
}

/* break_down_buddy_pages: keep the half holding pfn, give the other back. */
static void take_from_buddy(struct ga_zone *z, ga_pfn_t head, ga_pfn_t pfn,
			    unsigned int order)
{
	unsigned int high = page_order(pfn_to_page(z, head));
	int mt = get_pfnblock_migratetype(z, head);

	del_from_free_list(z, head, high, mt);
	while (high > order) {
		ga_pfn_t half = (ga_pfn_t)1 << --high;

		if (pfn >= head + half) {
			add_to_free_list(z, head, high, mt, false);
			head += half;
		} else {
			add_to_free_list(z, head + half, high, mt, false);
		}
	}
}

static int check_args(struct ga_zone *z, unsigned int cpu, ga_pfn_t pfn,
		      unsigned int order, unsigned int gfp)
{
	if (cpu >= z->nr_cpus || ga_gfp_migratetype(gfp) < 0 ||
	    (gfp & ~GA_GFP_VALID_MASK) || (pfn & (((ga_pfn_t)1 << (order & 31)) - 1)))
		return -EINVAL;
	if (order > z->max_order)
		return -E2BIG;
	if (!zone_spans_pfn(z, pfn) || !zone_spans_pfn(z, pfn + ((ga_pfn_t)1 << order) - 1))
		return -ERANGE;
	return 0;
}

/* Is some page of the range a hole (the block can never be free)? */
static bool range_has_hole(struct ga_zone *z, ga_pfn_t pfn, unsigned int order)
{
	for (ga_pfn_t b = pageblock_start_pfn(z, pfn); b < pfn + ((ga_pfn_t)1 << order);
	     b += z->pageblock_nr_pages)
		if (READ_ONCE(pfn_to_block(z, b)->nr_reserved)) {
			for (ga_pfn_t p = pfn; p < pfn + ((ga_pfn_t)1 << order); p++)
				if (page_state(pfn_to_page(z, p)) == GA_PAGE_RESERVED)
					return true;
			return false;
		}
	return false;
}

static int try_take(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
		    int content_mt, uint64_t owner)
{
	long head;

	zone_lock(z);
	head = enclosing_buddy(z, pfn, order);
	if (head < 0 || get_pfnblock_migratetype(z, (ga_pfn_t)head) == GA_MT_ISOLATE) {
		zone_unlock(z);
		return -EBUSY;
	}
	take_from_buddy(z, (ga_pfn_t)head, pfn, order);
	account_buddy_alloc(z, pfn, order, content_mt);
	zone_unlock(z);
	prep_new_page(z, pfn, order, content_mt, owner, 0);
	return 0;
}

int ga_alloc_at(struct ga_zone *z, unsigned int cpu, ga_pfn_t pfn, unsigned int order,
		unsigned int gfp, uint64_t owner)
{
	int mt, err = check_args(z, cpu, pfn, order, gfp);

	if (err) {
		zone_stat_add(z, GA_STAT_BAD_ARG, 1);
		return err;
	}
	if (range_has_hole(z, pfn, order))
		return -EPERM;
	mt = ga_gfp_migratetype(gfp);
	if (!z->policy.mobility_grouping)
		mt = GA_MT_UNMOVABLE;
	err = try_take(z, pfn, order, mt, owner);
	if (err != -EBUSY)
		return err;
	/* Cached on a pcp list: taken from it, as that CPU's allocation would
	 * be, so the other cached pages stay where a replay expects them. */
	if (z->policy.pcp && pcp_take_page(z, pfn, order, mt)) {
		prep_new_page(z, pfn, order, mt, owner, 0);
		return 0;
	}
	/* Part of a larger cached block, or an owned one: drain and retry. */
	ga_drain_all_pcp(z);
	return try_take(z, pfn, order, mt, owner);
}

/*
 * Relabel one pageblock (set_pageblock_migratetype with its free pages
 * moved, __move_freepages_block). A free buddy larger than the block is
 * relabelled whole: the kernel keeps every block of a free buddy one type
 * (__free_one_page relabels the buddy it merges with).
 */
int ga_pageblock_set_migratetype(struct ga_zone *z, ga_pfn_t pfn, int mt)
{
	ga_pfn_t block;
	long big;
	int old;

	if (!zone_spans_pfn(z, pfn))
		return -ERANGE;
	if (mt < 0 || mt >= GA_MT_PCPTYPES)
		return -EINVAL;
	block = pageblock_start_pfn(z, pfn);
	zone_lock(z);
	old = get_pfnblock_migratetype(z, block);
	if (old == GA_MT_ISOLATE || !migratetype_is_mergeable(old)) {
		zone_unlock(z);
		return -EBUSY;
	}
	big = enclosing_buddy(z, block, z->pageblock_order + 1);
	if (old == mt) {
		/* nothing to do */
	} else if (big < 0) {
		move_freepages_block(z, block, old, mt);
	} else {
		unsigned int order = page_order(pfn_to_page(z, (ga_pfn_t)big));
		int bmt = get_pfnblock_migratetype(z, (ga_pfn_t)big);

		/* The whole free buddy takes the type, as __free_one_page
		 * makes a merged buddy's blocks match. */
		del_from_free_list(z, (ga_pfn_t)big, order, bmt);
		change_pageblock_range(z, (ga_pfn_t)big, order, mt);
		add_to_free_list(z, (ga_pfn_t)big, order, mt, false);
	}
	zone_unlock(z);
	return 0;
}
