// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The buddy core: free lists per order and migratetype, split (expand) and
 * merge (__free_one_page), with the upstream rules of mm/page_alloc.c
 * (v6.12.117). Every function here runs under zone->lock.
 *
 * Freelist hygiene (v6.10): a free block always sits on the list of its
 * pageblock's current type; relabelling a block moves its free pages.
 */
#include "internal.h"

/*
 * Per-pageblock free page counts; a max-order block may span several. The
 * superpageblock counters follow every change (wholly free pageblocks,
 * free pages, fullness). Blocks below pageblock order, nearly every call,
 * take the straight path.
 */
static void block_free_add_large(struct ga_zone *z, ga_pfn_t pfn,
				 unsigned int order, long sign)
{
	unsigned long nr = 1ul << order;

	for (ga_pfn_t b = pfn; b < pfn + nr; b += z->pageblock_nr_pages) {
		struct ga_pageblock *pb = pfn_to_block(z, b);
		unsigned int old = pb->nr_free;

		pb->nr_free = (uint16_t)(old + sign * (long)z->pageblock_nr_pages);
		spb_block_free_changed(z, b, old, pb->nr_free);
		if (sign > 0)
			pcp_buddy_block_freed(z, pb);
	}
}

/* pcp_buddy's free_heads bit of a free block below pageblock order. */
static inline void free_head_mark(struct ga_zone *z, ga_pfn_t pfn, bool set)
{
	uint32_t idx = pfn_to_idx(z, pfn);
	uint64_t *w = &z->free_heads[idx / 64], bit = 1ull << (idx % 64);

	*w = set ? *w | bit : *w & ~bit;
}

static inline void block_free_add(struct ga_zone *z, ga_pfn_t pfn,
				  unsigned int order, long sign)
{
	struct ga_pageblock *pb;
	unsigned int old;

	if (ga_unlikely(order >= z->pageblock_order)) {
		block_free_add_large(z, pfn, order, sign);
		return;
	}
	pb = pfn_to_block(z, pfn);
	old = pb->nr_free;
	pb->nr_free = (uint16_t)(old + (sign > 0 ? 1u << order : -(1u << order)));
	if (z->free_heads)
		free_head_mark(z, pfn, sign > 0);
	spb_block_free_changed(z, pfn, old, pb->nr_free);
	if (sign > 0)
		pcp_buddy_block_freed(z, pb);
}

/* NR_FREE_PAGES and friends (account_freepages). */
void account_freepages(struct ga_zone *z, long nr_pages, int mt)
{
	if (mt == GA_MT_ISOLATE)
		return;
	WRITE_ONCE(z->nr_free_pages, z->nr_free_pages + nr_pages);
	if (mt == GA_MT_CMA)
		WRITE_ONCE(z->nr_free_cma, z->nr_free_cma + nr_pages);
	else if (mt == GA_MT_HIGHATOMIC)
		WRITE_ONCE(z->nr_free_highatomic, z->nr_free_highatomic + nr_pages);
}

/*
 * The list a free block of this order and type lives on: the zone's, or
 * with policy.spb_free_lists its superpageblock's (RFC 14). Zone counts
 * stay zone-wide either way, for watermarks and /proc output.
 */
static struct ga_list *free_list(struct ga_zone *z, ga_pfn_t pfn,
				 unsigned int order, int mt)
{
	if (z->policy.spb_free_lists)
		return &pfn_to_spb(z, pfn)->area->list[order][mt];
	return &z->free_area[order].list[mt];
}

static void free_count_add(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
			   int mt, int delta)
{
	struct ga_free_area *area = &z->free_area[order];

	WRITE_ONCE(area->nr[mt], area->nr[mt] + (unsigned long)(long)delta);
	if (z->policy.spb_free_lists) {
		struct ga_spb *s = pfn_to_spb(z, pfn);
		uint32_t old = s->area->nr[order][mt];

		s->area->nr[order][mt] = old + (uint32_t)delta;
		if (!old != !s->area->nr[order][mt])
			spb_list_changed(z, s, order, mt, !old);
	}
}

/* __add_to_free_list: link, count, mark the head; no NR_FREE accounting. */
static void __add_to_free_list(struct ga_zone *z, ga_pfn_t pfn,
			       unsigned int order, int mt, bool tail)
{
	struct ga_list *list = free_list(z, pfn, order, mt);
	uint32_t idx = pfn_to_idx(z, pfn);

	GA_BUG_ON(get_pfnblock_migratetype(z, pfn) != mt);
	set_page_head(&z->pages[idx], GA_PAGE_BUDDY, order, 0);
	if (tail)
		ga_list_add_tail(z->pages, list, idx);
	else
		ga_list_add_head(z->pages, list, idx);
	free_count_add(z, pfn, order, mt, 1);
	WRITE_ONCE(z->free_area[order].nr_free, z->free_area[order].nr_free + 1);
	block_free_add(z, pfn, order, 1);
}

/* __del_page_from_free_list: unlink and count; the head mark stays. */
static void __del_from_free_list(struct ga_zone *z, ga_pfn_t pfn,
				 unsigned int order, int mt)
{
	GA_BUG_ON(page_state(pfn_to_page(z, pfn)) != GA_PAGE_BUDDY);
	GA_BUG_ON(page_order(pfn_to_page(z, pfn)) != order);
	ga_list_del(z->pages, free_list(z, pfn, order, mt), pfn_to_idx(z, pfn));
	free_count_add(z, pfn, order, mt, -1);
	WRITE_ONCE(z->free_area[order].nr_free, z->free_area[order].nr_free - 1);
	block_free_add(z, pfn, order, -1);
}

void add_to_free_list(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
		      int mt, bool tail)
{
	__add_to_free_list(z, pfn, order, mt, tail);
	account_freepages(z, 1l << order, mt);
}

void del_from_free_list(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
			int mt)
{
	__del_from_free_list(z, pfn, order, mt);
	clear_page_head(pfn_to_page(z, pfn));
	account_freepages(z, -(1l << order), mt);
}

/* Move a free block to another type's list, at the tail (move_to_free_list). */
void move_to_free_list(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
		       int old_mt, int new_mt)
{
	uint32_t idx = pfn_to_idx(z, pfn);

	ga_list_del(z->pages, free_list(z, pfn, order, old_mt), idx);
	ga_list_add_tail(z->pages, free_list(z, pfn, order, new_mt), idx);
	free_count_add(z, pfn, order, old_mt, -1);
	free_count_add(z, pfn, order, new_mt, 1);
	account_freepages(z, -(1l << order), old_mt);
	account_freepages(z, 1l << order, new_mt);
}

bool free_area_empty(const struct ga_free_area *area, int mt)
{
	return !area->nr[mt];
}

/*
 * Head of the zone's (order, mt) list. With per-SPB lists, the head of the
 * first SPB's non-empty list: plain __rmqueue still works on them, as the
 * last resort behind the SPB passes.
 */
uint32_t free_area_first(const struct ga_zone *z, unsigned int order, int mt)
{
	long i;

	if (!z->policy.spb_free_lists)
		return z->free_area[order].list[mt].first;
	i = spb_first_nonempty(z, order, mt);
	return i < 0 ? GA_NIL : z->spbs[i].area->list[order][mt].first;
}

/* Head of one SPB's (order, mt) list (per-SPB lists only). */
uint32_t spb_area_first(const struct ga_spb *s, unsigned int order, int mt)
{
	return s->area->list[order][mt].first;
}

/*
 * Split a 2^high free block down to 2^low: the lowest piece is the caller's,
 * the upper halves go to the heads of mt's lists (expand). Returns the
 * number of pages put back on free lists.
 */
unsigned long expand(struct ga_zone *z, ga_pfn_t pfn, unsigned int low,
		     unsigned int high, int mt)
{
	unsigned long size = 1ul << high, nr_added = 0;

	while (high > low) {
		high--;
		size >>= 1;
		__add_to_free_list(z, pfn + size, high, mt, false);
		nr_added += size;
	}
	return nr_added;
}

void page_del_and_expand(struct ga_zone *z, ga_pfn_t pfn, unsigned int low,
			 unsigned int high, int mt)
{
	long nr_pages = 1l << high;

	if (zone_peeking(z)) {
		peek_take(z, pfn, high, mt, false);
		return;
	}
	__del_from_free_list(z, pfn, high, mt);
	clear_page_head(pfn_to_page(z, pfn));
	nr_pages -= (long)expand(z, pfn, low, high, mt);
	account_freepages(z, -nr_pages, mt);
}

/*
 * __rmqueue_smallest: first fit from the head of mt's lists, smallest order
 * first. Returns the pfn, or -1.
 */
long rmqueue_smallest(struct ga_zone *z, unsigned int order, int mt)
{
	for (unsigned int o = order; o <= z->max_order; o++) {
		uint32_t idx = free_area_first(z, o, mt);

		if (idx == GA_NIL)
			continue;
		page_del_and_expand(z, idx_to_pfn(z, idx), order, o, mt);
		return (long)idx_to_pfn(z, idx);
	}
	return -1;
}

/* find_buddy_page_pfn + page_is_buddy: a free block of exactly this order. */
static bool pfn_is_free_buddy(struct ga_zone *z, ga_pfn_t pfn, unsigned int order)
{
	const struct ga_page *p;

	if (!zone_spans_pfn(z, pfn))
		return false;
	p = pfn_to_page(z, pfn);
	return page_state(p) == GA_PAGE_BUDDY && page_order(p) == order;
}

/*
 * buddy_merge_likely: if the next-order buddy is free, this block will
 * probably merge soon, so put it at the tail where it is allocated last.
 */
static bool buddy_merge_likely(struct ga_zone *z, ga_pfn_t pfn,
			       ga_pfn_t buddy_pfn, unsigned int order)
{
	ga_pfn_t higher;

	if (order + 1 >= z->max_order)
		return false;
	higher = buddy_pfn & pfn;
	return pfn_is_free_buddy(z, higher ^ (1ul << (order + 1)), order + 1);
}

/*
 * __free_one_page: merge with free buddies up to max order. Below
 * pageblock_order buddies share the block, so types cannot differ. At or
 * above it, blocks of different types merge only if both types are
 * mergeable (UNMOVABLE, MOVABLE, RECLAIMABLE), and the buddy's blocks are
 * relabelled to the freed page's type.
 */
void free_one_page_locked(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
			  int mt, bool to_tail)
{
	ga_pfn_t buddy_pfn = 0;

	GA_BUG_ON(pfn & ((1ul << order) - 1));
	GA_BUG_ON(order > z->pageblock_order && order > z->max_order);
	clear_page_head(pfn_to_page(z, pfn));
	account_freepages(z, 1l << order, mt);

	while (order < z->max_order) {
		int buddy_mt = mt;

		buddy_pfn = pfn ^ (1ul << order);
		if (!pfn_is_free_buddy(z, buddy_pfn, order)) {
			/* RFC 21: another CPU's PCPBuddy entry merges back. */
			if (!z->policy.pcp_buddy_reabsorb ||
			    !pcp_buddy_reabsorb(z, buddy_pfn, order, mt))
				break;
			pfn &= buddy_pfn;
			order++;
			continue;
		}
		if (order >= z->pageblock_order) {
			buddy_mt = get_pfnblock_migratetype(z, buddy_pfn);
			if (mt != buddy_mt && (!migratetype_is_mergeable(mt) ||
					       !migratetype_is_mergeable(buddy_mt)))
				break;
		}
		__del_from_free_list(z, buddy_pfn, order, buddy_mt);
		clear_page_head(pfn_to_page(z, buddy_pfn));
		if (buddy_mt != mt)
			change_pageblock_range(z, buddy_pfn, order, mt);
		pfn &= buddy_pfn;
		order++;
	}

	if (!to_tail)
		to_tail = buddy_merge_likely(z, pfn, buddy_pfn, order);
	__add_to_free_list(z, pfn, order, mt, to_tail);
}

/*
 * Free a block that may span several pageblocks one pageblock at a time,
 * each with its own block's type (split_large_buddy).
 */
void split_large_buddy(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
		       bool to_tail)
{
	ga_pfn_t end = pfn + (1ul << order);

	if (order > z->pageblock_order)
		order = z->pageblock_order;
	clear_page_head(pfn_to_page(z, pfn));
	for (; pfn < end; pfn += 1ul << order)
		free_one_page_locked(z, pfn, order,
				     get_pfnblock_migratetype(z, pfn), to_tail);
}

/*
 * __move_freepages_block: move every free block of a pageblock from old_mt
 * to new_mt's lists and relabel the pageblock. Returns pages moved.
 */
unsigned long move_freepages_block(struct ga_zone *z, ga_pfn_t start_pfn,
				   int old_mt, int new_mt)
{
	ga_pfn_t pfn, end = start_pfn + z->pageblock_nr_pages;
	unsigned long moved = 0;

	new_mt = pageblock_label(z, new_mt);
	GA_BUG_ON(start_pfn & (z->pageblock_nr_pages - 1));
	for (pfn = start_pfn; pfn < end;) {
		const struct ga_page *p = pfn_to_page(z, pfn);
		unsigned int state = page_state(p);

		if (state == GA_PAGE_TAIL || state == GA_PAGE_RESERVED) {
			pfn++;
			continue;
		}
		if (state == GA_PAGE_BUDDY) {
			move_to_free_list(z, pfn, page_order(p), old_mt, new_mt);
			moved += 1ul << page_order(p);
		}
		pfn += 1ul << page_order(p);
	}
	set_pageblock_migratetype(z, start_pfn, new_mt);
	return moved;
}

/*
 * prep_move_freepages_block's census: pages in free buddies, and in-use
 * pages that are movable (the kernel's PageLRU || __PageMovable). Pages on
 * pcp lists count as neither.
 */
void pageblock_scan(struct ga_zone *z, ga_pfn_t start_pfn,
		    unsigned long *nr_free, unsigned long *nr_movable)
{
	ga_pfn_t pfn, end = start_pfn + z->pageblock_nr_pages;

	*nr_free = 0;
	*nr_movable = 0;
	for (pfn = start_pfn; pfn < end;) {
		const struct ga_page *p = pfn_to_page(z, pfn);
		unsigned int state = page_state(p);
		unsigned long nr;

		if (state == GA_PAGE_TAIL || state == GA_PAGE_RESERVED) {
			pfn++;
			continue;
		}
		nr = 1ul << page_order(p);
		if (state == GA_PAGE_BUDDY)
			*nr_free += nr;
		else if (state == GA_PAGE_ALLOC && page_alloc_mt(p) == GA_MT_MOVABLE)
			*nr_movable += nr;
		pfn += nr;
	}
}
