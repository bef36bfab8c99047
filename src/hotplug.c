// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Memory hotplug at superpageblock granularity: ga_zone_resize() moves the
 * zone's end the way hot-add and hot-remove change a zone's span
 * (mm/memory_hotplug.c online_pages / offline_pages), and the
 * superpageblock array, index, free lists and counters follow (RFC patch
 * 09, resize_zone_superpageblocks).
 *
 * Where the RFC reallocates the SPB array on hot-add (kvmalloc, copy, fix
 * up the list heads), gigalloc lays every array out for the largest span
 * (ga_zone_config.max_end_pfn) at init: lock-free readers (page queries,
 * the compaction and evacuation scanners, the pcp free path's range check)
 * index the page, pageblock and SPB arrays without zone->lock, and without
 * RCU there is no safe moment to free an old array. Memory above the span
 * is offline: reserved pages in wholly reserved pageblocks, SPB records
 * outside the index, so a reader holding a stale bound finds holes. The
 * cost is the metadata of the largest span (12 bytes per page).
 *
 * Growing onlines whole SPBs: pageblocks labelled MOVABLE, records filed,
 * span published, pages freed to the list tails (generic_online_page).
 * Shrinking offlines whole SPBs: isolate (has_unmovable_pages refuses at
 * once), drain, migrate or drop everything out (do_migrate_range), check
 * (test_pages_isolated), retried a few times while pages are only busy,
 * then take the free pages off the lists (__offline_isolated_pages) and
 * shrink the span. Both recompute managed pages, watermarks
 * (setup_per_zone_wmarks) and pcp sizes (zone_pcp_update).
 */
#include <errno.h>

#include "migrate.h"

/* offline_pages retries until a signal; here a few passes, while the
 * pages that stay are only busy (isolated elsewhere, refused with -EBUSY). */
#define OFFLINE_PASSES 5

static bool spb_boundary(const struct ga_zone *z, ga_pfn_t pfn)
{
	return !(pfn & (((ga_pfn_t)1 << z->spb_order) - 1));
}

/* mem_hotplug_lock, as a try-lock: one resize at a time. */
static bool resize_begin(struct ga_zone *z)
{
	int idle = 0;

	return __atomic_compare_exchange_n(&z->resizing, &idle, 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static void resize_end(struct ga_zone *z)
{
	__atomic_store_n(&z->resizing, 0, __ATOMIC_RELEASE);
}

/*
 * Publish a new span (zone->lock held). The end goes last, with release
 * order: a reader that sees it sees the metadata written before it.
 */
static void set_span(struct ga_zone *z, ga_pfn_t end, unsigned long managed)
{
	WRITE_ONCE(z->nr_pages, end - z->start_pfn);
	WRITE_ONCE(z->nr_pageblocks, (end - z->start_pfn) >> z->pageblock_order);
	WRITE_ONCE(z->nr_spbs, spb_count(z->start_pfn, end, z->spb_order));
	WRITE_ONCE(z->managed_pages, managed);
	__atomic_store_n(&z->end_pfn, end, __ATOMIC_RELEASE);
	setup_zone_watermarks(z);
}

/* ------------------------------------------------------------------------ */
/* Hot-add.                                                                  */

static void zone_grow(struct ga_zone *z, ga_pfn_t new_end)
{
	ga_pfn_t old_end = z->end_pfn, b;
	int mt = pageblock_label(z, GA_MT_MOVABLE);
	unsigned long first;

	zone_lock(z);
	/* memmap_init_range(MEMINIT_HOTPLUG): MOVABLE blocks, no holes. */
	for (b = old_end; b < new_end; b += z->pageblock_nr_pages) {
		struct ga_pageblock *pb = pfn_to_block(z, b);

		pb->nr_reserved = 0;
		WRITE_ONCE(pb->mt, (uint8_t)mt);
		z->blocks_mt[mt]++;
		if (z->owned_links)
			z->owned_links[pb - z->blocks].frag_top = PCPB_TOP_UNKNOWN;
	}
	for (ga_pfn_t pfn = old_end; pfn < new_end; pfn++)
		clear_page_head(pfn_to_page(z, pfn));
	first = z->nr_spbs;
	set_span(z, new_end, z->managed_pages + (new_end - old_end));
	for (unsigned long i = first; i < z->nr_spbs; i++)
		spb_online(z, i);
	/* online_pages: every page to the buddy, at the list tails. */
	for (b = old_end; b < new_end; b += z->pageblock_nr_pages)
		split_large_buddy(z, b, z->pageblock_order, true);
	zone_unlock(z);
	pcp_update_sizes(z);
}

/* ------------------------------------------------------------------------ */
/* Hot-remove.                                                               */

/* The isolated range is still wholly free (zone->lock held). */
static bool isolated_range_free(struct ga_zone *z, ga_pfn_t start, ga_pfn_t end)
{
	for (ga_pfn_t pfn = start; pfn < end;) {
		const struct ga_page *p = pfn_to_page(z, pfn);

		if (page_state(p) != GA_PAGE_BUDDY ||
		    get_pfnblock_migratetype(z, pfn) != GA_MT_ISOLATE)
			return false;
		pfn += 1ul << page_order(p);
	}
	return true;
}

/*
 * __offline_isolated_pages and the span shrink, in one zone->lock hold.
 * False if the range stopped being free since it was checked.
 */
static bool offline_isolated_range(struct ga_zone *z, ga_pfn_t start, ga_pfn_t end)
{
	int movable = pageblock_label(z, GA_MT_MOVABLE);
	unsigned long holes = 0, first;
	ga_pfn_t pfn, b;

	zone_lock(z);
	if (!isolated_range_free(z, start, end)) {
		zone_unlock(z);
		return false;
	}
	for (pfn = start; pfn < end;) {
		unsigned int order = page_order(pfn_to_page(z, pfn));

		del_from_free_list(z, pfn, order, GA_MT_ISOLATE);
		pfn += 1ul << order;
	}
	for (b = start; b < end; b += z->pageblock_nr_pages) {
		struct ga_pageblock *pb = pfn_to_block(z, b);

		if (pb->mt == GA_MT_HIGHATOMIC)
			z->nr_reserved_highatomic -= z->pageblock_nr_pages;
		set_pageblock_migratetype(z, b, GA_MT_MOVABLE);
		z->blocks_mt[movable]--;
		holes += pb->nr_reserved;
		pb->nr_reserved = (uint16_t)z->pageblock_nr_pages;
		pb_clear_flag(pb, PB_ISOLATE | PB_COMPACT_SKIP);
	}
	for (pfn = start; pfn < end; pfn++)
		set_page_head(pfn_to_page(z, pfn), GA_PAGE_RESERVED, 0, 0);
	first = spb_count(z->start_pfn, start, z->spb_order);
	for (unsigned long i = first; i < z->nr_spbs; i++)
		spb_offline(z, i);
	set_span(z, start, z->managed_pages - ((end - start) - holes));
	zone_unlock(z);
	pcp_update_sizes(z);
	return true;
}

/* Only a busy page is worth another pass; pins, unmovable pages, a dirty
 * owner refusing the drop or no target memory will not change by retrying. */
static bool offline_may_retry(const struct migrate_control *mc, int err)
{
	return err == -EBUSY && mc->blocker.reason == GA_BLOCK_MIGRATE_FAILED;
}

static int zone_shrink(struct ga_zone *z, unsigned int cpu, ga_pfn_t new_end,
		       struct ga_contig_report *report)
{
	ga_pfn_t end = z->end_pfn;
	unsigned long migrated = 0, dropped = 0;
	struct migrate_control mc;
	struct blocker b = { 0 };
	int err, pass;

	err = isolate_range(z, new_end, end, &b);
	if (err) {
		fill_report(report, &b, NULL);
		return err;
	}
	for (pass = 0; pass < OFFLINE_PASSES; pass++) {
		err = empty_isolated_range(z, cpu, new_end, end, &mc);
		migrated += mc.nr_migrated;
		dropped += mc.nr_dropped;
		if (!err && offline_isolated_range(z, new_end, end))
			break;
		if (!err) {	/* a page came back meanwhile: rescan */
			err = -EBUSY;
			mc.blocker = (struct blocker){ GA_BLOCK_MIGRATE_FAILED,
						       new_end, -1, 0 };
		} else if (!offline_may_retry(&mc, err)) {
			break;
		}
	}
	if (err)
		undo_isolate_range(z, new_end, end);
	else
		mc.blocker = (struct blocker){ GA_BLOCK_NONE, 0, -1, 0 };
	fill_report(report, &mc.blocker, &mc);
	if (report) {
		report->pages_migrated = migrated;
		report->pages_dropped = dropped;
	}
	return err;
}

/* ------------------------------------------------------------------------ */
/* Entry point.                                                              */

int ga_zone_resize(struct ga_zone *z, unsigned int cpu, ga_pfn_t new_end_pfn,
		   struct ga_contig_report *report)
{
	struct blocker b = { GA_BLOCK_OUTSIDE, new_end_pfn, -1, 0 };
	int err = 0;

	if (!z || cpu >= z->nr_cpus)
		return -EINVAL;
	if (new_end_pfn > z->max_end_pfn) {
		fill_report(report, &b, NULL);
		return -ERANGE;
	}
	if (new_end_pfn <= z->start_pfn ||
	    (new_end_pfn != z->max_end_pfn && !spb_boundary(z, new_end_pfn))) {
		fill_report(report, &b, NULL);
		return -EINVAL;
	}
	if (!resize_begin(z)) {
		b = (struct blocker){ GA_BLOCK_ISOLATED, new_end_pfn, -1, 0 };
		fill_report(report, &b, NULL);
		return -EBUSY;
	}
	b = (struct blocker){ GA_BLOCK_NONE, 0, -1, 0 };
	fill_report(report, &b, NULL);
	if (new_end_pfn > z->end_pfn)
		zone_grow(z, new_end_pfn);
	else if (new_end_pfn < z->end_pfn)
		err = zone_shrink(z, cpu, new_end_pfn, report);
	resize_end(z);
	return err;
}
