// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Contiguous allocation (mm/page_alloc.c alloc_contig_range and
 * alloc_contig_pages, mm/page_isolation.c): isolate the pageblocks of a
 * range so nothing new is allocated there, drain the pcp lists, drop or
 * migrate every allocation out, check that the whole range is free, and
 * take it. On failure the isolation is undone and the first blocking page
 * is reported, because "why can't I get a 1 GB page" is what operators ask.
 *
 * Deliberate difference: the kernel's has_unmovable_pages() fails the
 * isolation on any slab page, reclaimable or not. Here reclaimable
 * allocations are offered to ops->drop (a shrinker freeing the object) and
 * only block the range if the owner refuses.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"

static const char *const block_reason_names[GA_NR_BLOCK_REASONS] = {
	[GA_BLOCK_NONE] = "none",
	[GA_BLOCK_UNMOVABLE] = "unmovable",
	[GA_BLOCK_RECLAIMABLE] = "reclaimable",
	[GA_BLOCK_PINNED] = "pinned",
	[GA_BLOCK_RESERVED] = "reserved",
	[GA_BLOCK_ISOLATED] = "isolated",
	[GA_BLOCK_MIGRATE_FAILED] = "migrate-failed",
	[GA_BLOCK_NOMEM] = "nomem",
	[GA_BLOCK_OUTSIDE] = "outside-zone",
};

const char *ga_block_reason_name(int reason)
{
	if (reason < 0 || reason >= GA_NR_BLOCK_REASONS)
		return "?";
	return block_reason_names[reason];
}

/* ------------------------------------------------------------------------ */
/* Isolation (start_isolate_page_range / undo_isolate_page_range).           */

/* has_unmovable_pages for one pageblock: the first page isolation refuses. */
static bool block_has_unmovable(struct ga_zone *z, ga_pfn_t block,
				struct blocker *b)
{
	struct ga_pageblock *pb = pfn_to_block(z, block);
	ga_pfn_t pfn = block, end = block + z->pageblock_nr_pages;

	if (pb_test_flag(pb, PB_ISOLATE) || pb->mt == GA_MT_CMA) {
		*b = (struct blocker){ pb_test_flag(pb, PB_ISOLATE) ? GA_BLOCK_ISOLATED :
						GA_BLOCK_RESERVED, block, -1, 0 };
		return true;
	}
	while (pfn < end) {
		const struct ga_page *p = pfn_to_page(z, pfn);
		unsigned int state = page_state(p);

		if (state == GA_PAGE_RESERVED || state == GA_PAGE_CONTIG ||
		    (state == GA_PAGE_ALLOC && page_alloc_mt(p) == GA_MT_UNMOVABLE)) {
			*b = (struct blocker){
				state == GA_PAGE_RESERVED ? GA_BLOCK_RESERVED :
				state == GA_PAGE_CONTIG ? GA_BLOCK_ISOLATED :
							  GA_BLOCK_UNMOVABLE,
				pfn, state == GA_PAGE_ALLOC ? (int)page_alloc_mt(p) : -1,
				state == GA_PAGE_RESERVED ? 0 : get_page_owner(p) };
			return true;
		}
		pfn += state == GA_PAGE_TAIL ? 1 : 1ul << page_order(p);
	}
	return false;
}

/* The free buddy covering pfn, if pfn lies inside one of order > pageblock. */
static long enclosing_large_buddy(struct ga_zone *z, ga_pfn_t pfn)
{
	for (unsigned int o = z->pageblock_order + 1; o <= z->max_order; o++) {
		ga_pfn_t head = pfn & ~((1ul << o) - 1);
		const struct ga_page *p;

		if (!zone_spans_pfn(z, head))
			break;
		p = pfn_to_page(z, head);
		if (page_state(p) == GA_PAGE_BUDDY && page_order(p) >= o)
			return (long)head;
	}
	return -1;
}

/* Split a free buddy larger than a pageblock into pageblock pieces, so each
 * block of a range can be isolated, or given back, on its own. The pieces
 * stay on the buddy's list (its blocks all carry that type). */
static void split_free_to_pageblocks(struct ga_zone *z, ga_pfn_t head)
{
	unsigned int order = page_order(pfn_to_page(z, head));
	int mt = get_pfnblock_migratetype(z, head);
	ga_pfn_t end = head + (1ul << order);

	del_from_free_list(z, head, order, mt);
	for (ga_pfn_t p = head; p < end; p += z->pageblock_nr_pages)
		add_to_free_list(z, p, z->pageblock_order, mt, true);
}

/*
 * Cut one pageblock out of the free buddy above it: halve the buddy down
 * to pageblock order, each time giving back the half that does not hold
 * the block as one free block, so the rest stays merged as far as it can.
 */
static void split_free_around_block(struct ga_zone *z, ga_pfn_t head,
				    ga_pfn_t block)
{
	unsigned int order = page_order(pfn_to_page(z, head));
	int mt = get_pfnblock_migratetype(z, head);

	del_from_free_list(z, head, order, mt);
	while (order > z->pageblock_order) {
		ga_pfn_t half = 1ul << --order;

		if (block >= head + half) {
			add_to_free_list(z, head, order, mt, true);
			head += half;
		} else {
			add_to_free_list(z, head + half, order, mt, true);
		}
	}
	add_to_free_list(z, head, order, mt, true);
}

/* Mark one pageblock isolated and move its free pages to the ISOLATE lists. */
static void isolate_block(struct ga_zone *z, ga_pfn_t block)
{
	struct ga_pageblock *pb = pfn_to_block(z, block);
	ga_pfn_t pfn, end = block + z->pageblock_nr_pages;
	long big = enclosing_large_buddy(z, block);
	int label = pb->mt;

	if (big >= 0)
		split_free_around_block(z, (ga_pfn_t)big, block);
	for (pfn = block; pfn < end;) {
		const struct ga_page *p = pfn_to_page(z, pfn);
		unsigned int state = page_state(p);

		if (state == GA_PAGE_BUDDY)
			move_to_free_list(z, pfn, page_order(p), label, GA_MT_ISOLATE);
		pfn += state == GA_PAGE_TAIL || state == GA_PAGE_RESERVED ?
			       1 : 1ul << page_order(p);
	}
	pb_set_flag(pb, PB_ISOLATE);
}

int isolate_range(struct ga_zone *z, ga_pfn_t start, ga_pfn_t end,
			 struct blocker *b)
{
	ga_pfn_t block;

	zone_lock(z);
	for (block = start; block < end; block += z->pageblock_nr_pages) {
		if (block_has_unmovable(z, block, b)) {
			zone_unlock(z);
			return -EBUSY;
		}
	}
	for (block = start; block < end; block += z->pageblock_nr_pages)
		isolate_block(z, block);
	zone_unlock(z);
	return 0;
}

/* Un-isolate: free pages back to their label's lists, then re-free the
 * large ones so pairs split across the isolation boundary merge again. */
void undo_isolate_range(struct ga_zone *z, ga_pfn_t start, ga_pfn_t end)
{
	ga_pfn_t pfn;

	zone_lock(z);
	for (ga_pfn_t block = start; block < end; block += z->pageblock_nr_pages) {
		struct ga_pageblock *pb = pfn_to_block(z, block);
		long big = enclosing_large_buddy(z, block);

		/*
		 * Pages freed into isolated blocks merge on the ISOLATE list
		 * across block boundaries, whatever the blocks' labels. Split
		 * such a buddy while all its blocks are still isolated, so
		 * each piece goes back to its own block's list (the kernel's
		 * split_large_buddy on unisolation).
		 */
		if (big >= 0)
			split_free_to_pageblocks(z, (ga_pfn_t)big);
		pb_clear_flag(pb, PB_ISOLATE);
		for (pfn = block; pfn < block + z->pageblock_nr_pages;) {
			const struct ga_page *p = pfn_to_page(z, pfn);
			unsigned int state = page_state(p);

			if (state == GA_PAGE_BUDDY)
				move_to_free_list(z, pfn, page_order(p), GA_MT_ISOLATE,
						  pb->mt);
			pfn += state == GA_PAGE_TAIL || state == GA_PAGE_RESERVED ?
				       1 : 1ul << page_order(p);
		}
	}
	for (pfn = start; pfn < end; pfn += z->pageblock_nr_pages) {
		const struct ga_page *p = pfn_to_page(z, pfn);
		unsigned int order = page_order(p);
		int mt;

		if (page_state(p) != GA_PAGE_BUDDY || order < z->pageblock_order)
			continue;
		mt = get_pfnblock_migratetype(z, pfn);
		del_from_free_list(z, pfn, order, mt);
		free_one_page_locked(z, pfn, order, mt, true);
	}
	zone_unlock(z);
}

/* ------------------------------------------------------------------------ */
/* Migration out of the range and the final check.                           */

static int migrate_range_out(struct ga_zone *z, unsigned int cpu, ga_pfn_t start,
			     ga_pfn_t end, struct migrate_control *mc)
{
	struct migrate_batch batch;
	ga_pfn_t pfn = start;

	batch.nr = 0;	/* an empty range isolates nothing */
	migrate_control_init(mc, z, cpu, MIGRATE_SYNC);
	mc->drop_clean = true;
	mc->isolate_reclaimable = true;
	while (pfn < end) {
		isolate_migratepages(mc, &pfn, end, &batch);
		if (mc->blocker.reason)	/* pinned, reserved: cannot succeed */
			break;
		if (migrate_pages_batch(mc, &batch))
			break;
	}
	/*
	 * Pages isolated before a blocker still go through migration, as
	 * the kernel migrates its isolated list before the range check
	 * fails: they are moved (or dropped), not put back.
	 */
	if (batch.nr)
		migrate_pages_batch(mc, &batch);
	if (!mc->blocker.reason)
		return 0;
	return mc->blocker.reason == GA_BLOCK_NOMEM ? -ENOMEM : -EBUSY;
}

/* test_pages_isolated: the whole range is free on ISOLATE lists. */
static bool range_is_free(struct ga_zone *z, ga_pfn_t start, ga_pfn_t end,
			  struct blocker *b)
{
	ga_pfn_t pfn = start;
	bool ok = true;

	zone_lock(z);
	while (pfn < end) {
		const struct ga_page *p = pfn_to_page(z, pfn);

		if (page_state(p) != GA_PAGE_BUDDY ||
		    get_pfnblock_migratetype(z, pfn) != GA_MT_ISOLATE) {
			*b = (struct blocker){ GA_BLOCK_MIGRATE_FAILED, pfn, -1, 0 };
			if (page_state(p) == GA_PAGE_ALLOC) {
				b->mt = (int)page_alloc_mt(p);
				b->owner = get_page_owner(p);
			}
			ok = false;
			break;
		}
		pfn += 1ul << page_order(p);
	}
	zone_unlock(z);
	return ok;
}

/*
 * Empty an isolated range: pcp pages back to the buddy lists, every page
 * migrated or dropped, then the check that all of it is free. The range
 * stays isolated either way; mc->blocker says why it failed.
 */
int empty_isolated_range(struct ga_zone *z, unsigned int cpu,
				ga_pfn_t start, ga_pfn_t end,
				struct migrate_control *mc)
{
	int err;

	ga_drain_all_pcp(z);
	err = migrate_range_out(z, cpu, start, end, mc);
	if (!err && !range_is_free(z, start, end, &mc->blocker))
		err = -EBUSY;
	return err;
}

/*
 * A free block on the ISOLATE list that runs past boundary (a pageblock
 * edge): cut it there, both sides staying free and isolated.
 */
static void split_isolated_at(struct ga_zone *z, ga_pfn_t head,
			      unsigned int order, ga_pfn_t boundary)
{
	del_from_free_list(z, head, order, GA_MT_ISOLATE);
	for (;;) {
		ga_pfn_t half = head + (1ul << --order);

		if (boundary == half) {
			add_to_free_list(z, head, order, GA_MT_ISOLATE, true);
			add_to_free_list(z, half, order, GA_MT_ISOLATE, true);
			return;
		}
		if (boundary > half) {
			add_to_free_list(z, head, order, GA_MT_ISOLATE, true);
			head = half;
		} else {
			add_to_free_list(z, half, order, GA_MT_ISOLATE, true);
		}
	}
}

/*
 * Take the isolated free range: one CONTIG head per pageblock. Free pages
 * merge across isolated blocks whatever range isolated them, so the last
 * free block may run into a neighbouring range another caller isolated:
 * cut it at the end first, or its pageblocks would lose their heads.
 */
static void take_range(struct ga_zone *z, ga_pfn_t start, ga_pfn_t end,
		       uint64_t owner)
{
	ga_pfn_t pfn;

	zone_lock(z);
	for (pfn = start; pfn < end;) {
		unsigned int order = page_order(pfn_to_page(z, pfn));

		if (pfn + (1ul << order) > end) {
			split_isolated_at(z, pfn, order, end);
			continue;
		}
		del_from_free_list(z, pfn, order, GA_MT_ISOLATE);
		pfn += 1ul << order;
	}
	for (pfn = start; pfn < end; pfn += z->pageblock_nr_pages) {
		struct ga_pageblock *pb = pfn_to_block(z, pfn);
		struct ga_page *p = pfn_to_page(z, pfn);

		set_page_owner(p, owner);
		set_page_head(p, GA_PAGE_CONTIG, z->pageblock_order, 0);
		if (pfn == start)
			WRITE_ONCE(p->flags, READ_ONCE(p->flags) | PF_CONTIG_FIRST);
		pb_clear_flag(pb, PB_ISOLATE);
		spb_contig_changed(z, pfn, 1);
	}
	zone_unlock(z);
}

/* ------------------------------------------------------------------------ */
/* Entry points.                                                             */

void fill_report(struct ga_contig_report *r, const struct blocker *b,
			const struct migrate_control *mc)
{
	if (!r)
		return;
	memset(r, 0, sizeof(*r));
	r->reason = b->reason;
	r->pfn = b->pfn;
	r->migratetype = b->mt;
	r->owner = b->owner;
	if (mc) {
		r->pages_migrated = mc->nr_migrated;
		r->pages_dropped = mc->nr_dropped;
	}
}

static void count_contig_failure(struct ga_zone *z, int reason)
{
	enum ga_stat_item item = GA_STAT_CONTIG_FAIL_BUSY;

	if (reason == GA_BLOCK_UNMOVABLE)
		item = GA_STAT_CONTIG_FAIL_UNMOVABLE;
	else if (reason == GA_BLOCK_RECLAIMABLE)
		item = GA_STAT_CONTIG_FAIL_RECLAIMABLE;
	else if (reason == GA_BLOCK_PINNED)
		item = GA_STAT_CONTIG_FAIL_PINNED;
	else if (reason == GA_BLOCK_NOMEM)
		item = GA_STAT_CONTIG_FAIL_NOMEM;
	zone_stat_add(z, item, 1);
}

static int check_range(struct ga_zone *z, ga_pfn_t start, ga_pfn_t end,
		       struct ga_contig_report *report)
{
	struct blocker b = { GA_BLOCK_OUTSIDE, start, -1, 0 };

	if ((start | end) & (z->pageblock_nr_pages - 1) || start >= end) {
		fill_report(report, &b, NULL);
		return -EINVAL;
	}
	if (start < z->start_pfn || end > READ_ONCE(z->end_pfn)) {
		fill_report(report, &b, NULL);
		return -ERANGE;
	}
	return 0;
}

int ga_alloc_contig_range(struct ga_zone *z, unsigned int cpu, ga_pfn_t start,
			  ga_pfn_t end, uint64_t owner,
			  struct ga_contig_report *report)
{
	struct migrate_control mc;
	struct blocker b = { 0 };
	int err;

	if (cpu >= z->nr_cpus)
		return -EINVAL;
	err = check_range(z, start, end, report);
	if (err)
		return err;
	zone_stat_add(z, GA_STAT_CONTIG_ATTEMPT, 1);
	err = isolate_range(z, start, end, &b);
	if (err) {
		fill_report(report, &b, NULL);
		count_contig_failure(z, b.reason);
		return err;
	}
	err = empty_isolated_range(z, cpu, start, end, &mc);
	if (err) {
		undo_isolate_range(z, start, end);
		fill_report(report, &mc.blocker, &mc);
		count_contig_failure(z, mc.blocker.reason);
		return err;
	}
	take_range(z, start, end, owner);
	fill_report(report, &mc.blocker, &mc);
	zone_stat_add(z, GA_STAT_CONTIG_SUCCESS, 1);
	zone_stat_add(z, GA_STAT_CONTIG_PAGES_MOVED, mc.nr_migrated + mc.nr_dropped);
	zone_stat_add(z, GA_STAT_CONTIG_PAGES_OBTAINED, end - start);
	return 0;
}

/*
 * RFC 17's hook in direct compaction: a movable request of pageblock order
 * or more first empties the cheapest window of a clean SPB (see
 * spb_contig_window()) by migration, then un-isolates it, so its pages
 * merge on the movable free list where the caller's retry finds them.
 * Capture is not modelled, as for compaction. Returns 0 if the window was
 * emptied, -EBUSY if there was none or it could not be.
 */
int spb_evacuate_window(struct ga_zone *z, unsigned int cpu, unsigned int order)
{
	struct migrate_control mc;
	struct blocker b = { 0 };
	ga_pfn_t start, end;
	long w;
	int err;

	zone_lock(z);
	w = spb_contig_window(z, order);
	zone_unlock(z);
	if (w < 0)
		return -EBUSY;
	start = (ga_pfn_t)w;
	end = start + (1ul << order);
	zone_stat_add(z, GA_STAT_SPB_EVACUATE_TRY, 1);
	err = isolate_range(z, start, end, &b);	/* rechecks under the lock */
	if (err)
		return err;
	err = empty_isolated_range(z, cpu, start, end, &mc);
	undo_isolate_range(z, start, end);
	zone_stat_add(z, GA_STAT_SPB_EVACUATE_PAGES, mc.nr_migrated + mc.nr_dropped);
	if (!err)
		zone_stat_add(z, GA_STAT_SPB_EVACUATE_SUCCESS, 1);
	return err;
}

/* pfn_range_valid_contig: cheap pre-check before isolating a window. */
static bool window_may_work(struct ga_zone *z, ga_pfn_t start, ga_pfn_t end)
{
	for (ga_pfn_t b = start; b < end; b += z->pageblock_nr_pages) {
		const struct ga_pageblock *pb = pfn_to_block(z, b);

		if (pb->nr_reserved || (READ_ONCE(pb->flags) & PB_ISOLATE) ||
		    page_state(pfn_to_page(z, b)) == GA_PAGE_CONTIG)
			return false;
	}
	return true;
}

/*
 * RFC 17: with SPB metadata a 1 GiB request need not scan memory in
 * address order. Try the wholly free SPBs first (no migration at all),
 * then the clean ones with the most free pages (the fewest to move), and
 * the tainted ones last (they fail at isolation unless only droppable
 * reclaimable pages taint them). Returns the number of windows written.
 */
static unsigned long spb_contig_order(struct ga_zone *z, ga_pfn_t *win)
{
	static const int rank[] = { [SPB_EMPTY] = 0, [SPB_CLEAN] = 1,
				    [SPB_TAINTED] = 2, [SPB_CONTIG] = 3 };
	unsigned long n = 0;

	zone_lock(z);
	for (int r = 0; r < 3; r++) {
		unsigned long first = n;

		for (unsigned long i = 0; i < READ_ONCE(z->nr_spbs); i++) {
			const struct ga_spb *s = &z->spbs[i];

			if (rank[s->category] == r &&
			    s->end_pfn - s->start_pfn == 1ul << z->spb_order)
				win[n++] = s->start_pfn;
		}
		/* Within a rank, most free pages first (insertion sort: few SPBs). */
		for (unsigned long a = first + 1; a < n; a++) {
			ga_pfn_t w = win[a];
			unsigned long b = a;

			while (b > first && pfn_to_spb(z, win[b - 1])->nr_free_pages <
					    pfn_to_spb(z, w)->nr_free_pages) {
				win[b] = win[b - 1];
				b--;
			}
			win[b] = w;
		}
	}
	zone_unlock(z);
	return n;
}

/* alloc_contig_pages: aligned windows in address order. */
static unsigned long address_order(struct ga_zone *z, unsigned int order,
				   ga_pfn_t *win)
{
	ga_pfn_t size = 1ul << order, w;
	unsigned long n = 0;

	for (w = (z->start_pfn + size - 1) & ~(size - 1); w + size <= READ_ONCE(z->end_pfn);
	     w += size)
		win[n++] = w;
	return n;
}

int ga_alloc_contig_pages(struct ga_zone *z, unsigned int cpu, unsigned int order,
			  uint64_t owner, ga_pfn_t *pfn, struct ga_contig_report *report)
{
	unsigned long migrated = 0, dropped = 0;
	bool by_spb;
	ga_pfn_t *win;
	unsigned long n;
	int err = -EBUSY;
	bool tried = false;

	if (order < z->pageblock_order || order > z->spb_order || cpu >= z->nr_cpus ||
	    !pfn)
		return -EINVAL;
	by_spb = z->policy.spb_contig && order == z->spb_order;
	/*
	 * Sized for the zone's largest extent, not its current one: a
	 * concurrent ga_zone_resize() may grow end_pfn and nr_spbs between
	 * this allocation and the walk that fills the array.
	 */
	win = malloc(sizeof(*win) * (((z->max_end_pfn - z->start_pfn) >> order) + 1 +
				     z->max_spbs));
	if (!win)
		return -ENOMEM;
	n = by_spb ? spb_contig_order(z, win) : address_order(z, order, win);
	for (unsigned long i = 0; i < n; i++) {
		if (!window_may_work(z, win[i], win[i] + (1ul << order)))
			continue;
		tried = true;
		err = ga_alloc_contig_range(z, cpu, win[i], win[i] + (1ul << order),
					    owner, report);
		/*
		 * What a failed window moved stays moved: the report counts
		 * the pages of every window tried, not the last one's.
		 */
		if (report) {
			migrated += report->pages_migrated;
			dropped += report->pages_dropped;
			report->pages_migrated = migrated;
			report->pages_dropped = dropped;
		}
		if (!err) {
			*pfn = win[i];
			free(win);
			return 0;
		}
	}
	free(win);
	if (!tried && report) {
		/* No window to try: too small a zone, or every window has holes
		 * or another contiguous range in it. */
		memset(report, 0, sizeof(*report));
		report->reason = n ? GA_BLOCK_RESERVED : GA_BLOCK_OUTSIDE;
		report->migratetype = -1;
	}
	return err;
}

static bool contig_block(struct ga_zone *z, ga_pfn_t b, bool first)
{
	uint32_t flags = READ_ONCE(pfn_to_page(z, b)->flags);

	return (flags & PF_STATE_MASK) == GA_PAGE_CONTIG &&
	       !!(flags & PF_CONTIG_FIRST) == first;
}

/* [start, end) is exactly one contiguous allocation: its first block is
 * marked first, every other one is not, and the one after starts anew. */
static bool is_contig_range(struct ga_zone *z, ga_pfn_t start, ga_pfn_t end)
{
	if (!contig_block(z, start, true))
		return false;
	for (ga_pfn_t b = start + z->pageblock_nr_pages; b < end;
	     b += z->pageblock_nr_pages)
		if (!contig_block(z, b, false))
			return false;
	return end >= READ_ONCE(z->end_pfn) || !contig_block(z, end, false);
}

int ga_free_contig_range(struct ga_zone *z, unsigned int cpu, ga_pfn_t start,
			 ga_pfn_t end)
{
	int err = check_range(z, start, end, NULL);

	if (cpu >= z->nr_cpus)
		return -EINVAL;
	if (err)
		return err;
	zone_lock(z);
	if (!is_contig_range(z, start, end)) {
		zone_unlock(z);
		return -ENOENT;
	}
	for (ga_pfn_t b = start; b < end; b += z->pageblock_nr_pages) {
		spb_contig_changed(z, b, -1);
		free_one_page_locked(z, b, z->pageblock_order,
				     get_pfnblock_migratetype(z, b), false);
	}
	zone_stat_add_locked(z, GA_STAT_FREE_CALLS, 1);
	zone_stat_add_locked(z, GA_STAT_PGFREE, end - start);
	zone_unlock(z);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Per-region blocker summary.                                               */

void ga_print_regions(struct ga_zone *z, FILE *f)
{
	unsigned long n = ga_zone_nr_regions(z, 0);

	fprintf(f, "%-6s %-12s %9s %9s %9s %9s %9s %9s  %s\n", "region", "start_pfn",
		"free", "movable", "reclaim", "unmov", "pinned", "contig", "verdict");
	for (unsigned long i = 0; i < n; i++) {
		struct ga_region_info r;
		const char *verdict;

		ga_region_query(z, i, 0, &r);
		if (r.nr_contig == r.end_pfn - r.start_pfn)
			verdict = "allocated (contig)";
		else if (r.empty)
			verdict = "free: 1 GiB page now";
		else if (r.nr_reserved)
			verdict = "blocked: holes";
		else if (r.nr_unmovable || r.nr_highatomic_blocks)
			verdict = "blocked: unmovable";
		else if (r.nr_pinned)
			verdict = "blocked: pinned";
		else if (r.nr_reclaimable)
			verdict = "tainted: reclaimable must be dropped";
		else
			verdict = "clean: migrate to obtain";
		fprintf(f, "%-6lu %#-12llx %9lu %9lu %9lu %9lu %9lu %9lu  %s\n", i,
			(unsigned long long)r.start_pfn, r.nr_free + r.nr_pcp,
			r.nr_movable, r.nr_reclaimable, r.nr_unmovable, r.nr_pinned,
			r.nr_contig, verdict);
	}
}
