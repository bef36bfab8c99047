// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * SPB-aware compaction (RFC 16, 38, 39): each switch with a constructed
 * zone of eight small superpageblocks, compacted once with the switch on
 * and once off, and the outcome asserted: which SPB the moved pages land
 * in (16: the fullest clean SPB, not the one the pfn walk meets first;
 * 39: never a tainted SPB at its reserve) and how much the migrate
 * scanner walks (38: nothing of a tainted SPB without movable pages).
 * Manual compaction runs on the caller's thread, so no executor is
 * involved; test_compaction runs the switches under kcompactd on a worker
 * thread (and under ThreadSanitizer).
 */
#include <stdlib.h>

#include "embedder.h"
#include "harness.h"
#include "internal.h"

#define SPB_ORDER	13		/* 16 pageblocks of 512 pages */
#define SPB_PAGES	(1ul << SPB_ORDER)
#define NR_SPBS		8ul
#define ZONE_PAGES	(NR_SPBS * SPB_PAGES)
#define PB		512ul
#define THP_ORDER	9

static uint64_t stat_of(struct ga_zone *z, enum ga_stat_item item)
{
	struct ga_stats s;

	ga_zone_stats(z, &s);
	return s.v[item];
}

static struct ga_spb_info spb_info(struct ga_zone *z, unsigned long i)
{
	struct ga_spb_info info;

	ga_spb_query(z, i, &info);
	return info;
}

/* spb with only compaction acting, its three switches off. */
static struct ga_policy base_policy(void)
{
	struct ga_policy p;

	ga_policy_preset(&p, "spb");
	p.pcp = false;
	p.min_free_kbytes = 64;
	p.thp_min_free = false;
	p.watermark_boost_factor = 0;
	p.highatomic = false;
	p.evacuate = false;
	p.spb_defrag = false;
	p.spb_evacuate_order = false;
	p.spb_evacuate_deferred = false;
	p.spb_shrink = false;
	p.spb_compact_targets = false;
	p.spb_compact_skip_tainted = false;
	p.spb_compact_reserve = false;
	return p;
}

/*
 * Free the live objects in [start, start + n) whose pfn % stride is not
 * stride - 1. Every 32nd pfn from a block start is freed, so the pfn
 * walk's sampling (its stride grows to 32 after fruitless blocks, as the
 * kernel's does) sees the holes.
 */
static void free_holes(struct embedder *e, ga_pfn_t start, unsigned long n,
		       unsigned long stride)
{
	for (unsigned long i = 0; i < e->nr; i++) {
		ga_pfn_t pfn = e->obj[i].pfn;

		if (e->obj[i].live && pfn >= start && pfn < start + n &&
		    pfn % stride != stride - 1)
			emb_free(e, i);
	}
}

static void fill_movable(struct embedder *e)
{
	while (emb_alloc(e, 0, GA_GFP_HIGHUSER_MOVABLE, true) >= 0)
		;
}

/* What one compaction did, and the free pages per SPB after it. */
struct outcome {
	long moved;
	uint64_t migrate_scanned, free_scanned, list_targets, skipped, reserve_skips;
	unsigned long spb_free[NR_SPBS];
	unsigned long spb_free_before[NR_SPBS];
	int category[NR_SPBS];
	unsigned long conservation;
};

static void snapshot_free(struct ga_zone *z, unsigned long *free)
{
	for (unsigned long i = 0; i < NR_SPBS; i++)
		free[i] = spb_info(z, i).nr_free_pages;
}

/* ga_compact_zone at pageblock order: stops once a free pageblock exists. */
static void compact_thp(struct embedder *e, struct outcome *o)
{
	struct ga_zone *z = e->zone;

	snapshot_free(z, o->spb_free_before);
	o->moved = ga_compact_zone(z, 0, THP_ORDER, true);
	o->migrate_scanned = stat_of(z, GA_STAT_COMPACT_MIGRATE_SCANNED);
	o->free_scanned = stat_of(z, GA_STAT_COMPACT_FREE_SCANNED);
	o->list_targets = stat_of(z, GA_STAT_SPB_COMPACT_LIST_TARGETS);
	o->skipped = stat_of(z, GA_STAT_SPB_COMPACT_SKIP_SPB);
	o->reserve_skips = stat_of(z, GA_STAT_SPB_COMPACT_RESERVE_SKIP);
	snapshot_free(z, o->spb_free);
	for (unsigned long i = 0; i < NR_SPBS; i++)
		o->category[i] = spb_info(z, i).category;
	o->conservation = emb_conservation_errors(e);
	zone_ok(z, "checker after compaction");
}

static unsigned long used(const struct outcome *o, unsigned long spb)
{
	return o->spb_free_before[spb] - o->spb_free[spb];
}

/* ------------------------------------------------------------------------ */
/* RFC 16: targets from the fullest clean SPB.                               */

/*
 * Every SPB full of movable pages, then: SPB 0 every other page free (the
 * sources), SPB 4 with holes in half its blocks (the fullest clean SPB
 * with room), SPB 6 three pages of four free (clean, roomier), SPB 7 full.
 * No free block reaches pageblock order, so compaction must empty one.
 */
static struct outcome targets_scenario(bool on)
{
	struct ga_policy p = base_policy();
	struct embedder e;
	struct outcome o;

	p.spb_compact_targets = on;
	emb_zone_spb(&e, ZONE_PAGES, 1, SPB_ORDER, &p, NULL);
	fill_movable(&e);
	free_holes(&e, 0, SPB_PAGES, 2);
	free_holes(&e, 4 * SPB_PAGES, SPB_PAGES / 2, 2);
	free_holes(&e, 6 * SPB_PAGES, SPB_PAGES, 4);
	o = (struct outcome){ 0 };
	compact_thp(&e, &o);
	emb_destroy(&e);
	return o;
}

static void test_targets_fullest_clean(void)
{
	struct outcome off = targets_scenario(false);
	struct outcome on = targets_scenario(true);

	ok(off.moved >= (long)(PB / 2) && on.moved == off.moved,
	   "both empty one block of SPB 0: %ld and %ld pages moved", off.moved, on.moved);
	is_long(off.spb_free_before[4], SPB_PAGES / 4, "SPB 4 has 2048 free pages in holes");
	is_long(off.spb_free_before[6], 3 * SPB_PAGES / 4, "SPB 6 has 6144");
	ok(off.spb_free_before[7] > 0 && off.spb_free_before[7] < 64,
	   "SPB 7 has the %lu pages the fill left free (min watermark)",
	   off.spb_free_before[7]);
	is_long(used(&off, 7) + used(&off, 6), (unsigned long)off.moved,
		"off: the pfn walk from the zone end fills SPB 7, then SPB 6");
	is_long(used(&off, 4), 0, "off: SPB 4 untouched");
	is_long(used(&on, 7), on.spb_free_before[7],
		"on: SPB 7, the fullest clean SPB with room, is filled first");
	is_long(used(&on, 7) + used(&on, 4), (unsigned long)on.moved,
		"on: then SPB 4, the next fullest");
	is_long(used(&on, 6), 0, "on: SPB 6, the roomiest, untouched");
	is_long(on.list_targets, (unsigned long)on.moved, "on: all targets came from the lists");
	is_long(off.list_targets, 0, "off: none did");
	ok(on.free_scanned < off.free_scanned,
	   "on: the free scanner looked at %llu entries, the pfn walk at %llu pages",
	   (unsigned long long)on.free_scanned, (unsigned long long)off.free_scanned);
	is_long(on.conservation + off.conservation, 0, "owners conserved");
}

/* ------------------------------------------------------------------------ */
/* RFC 39: no targets from a tainted SPB at its reserve.                     */

/*
 * As for 16, but SPB 7, at the zone end, is tainted by an unmovable page
 * in its only free pageblock (0 free pageblocks, reserve 4) and has holes
 * in half its movable blocks; SPB 6 has holes too.
 */
static struct outcome reserve_scenario(bool on)
{
	struct ga_policy p = base_policy();
	struct embedder e;
	struct outcome o;
	long u;

	p.spb_compact_reserve = on;
	emb_zone_spb(&e, ZONE_PAGES, 1, SPB_ORDER, &p, NULL);
	fill_movable(&e);
	for (unsigned long i = 0; i < e.nr; i++)
		if (e.obj[i].live && e.obj[i].pfn >= 7 * SPB_PAGES &&
		    e.obj[i].pfn < 7 * SPB_PAGES + PB)
			emb_free(&e, i);
	u = emb_alloc(&e, 0, GA_GFP_KERNEL, true);
	ok(u >= 0 && e.obj[u].pfn / SPB_PAGES == 7, "setup: an unmovable page in SPB 7");
	free_holes(&e, 0, SPB_PAGES, 2);
	free_holes(&e, 6 * SPB_PAGES, SPB_PAGES / 2, 2);
	free_holes(&e, 7 * SPB_PAGES + 8 * PB, 8 * PB, 2);
	is_long(spb_info(e.zone, 7).category, GA_SPB_TAINTED, "setup: SPB 7 is tainted");
	ok(spb_info(e.zone, 7).nr_free_pageblocks <= e.zone->spbs[7].reserve,
	   "setup: with %u free pageblocks, at or below its reserve of %u",
	   spb_info(e.zone, 7).nr_free_pageblocks, e.zone->spbs[7].reserve);
	o = (struct outcome){ 0 };
	compact_thp(&e, &o);
	emb_destroy(&e);
	return o;
}

static void test_reserve(void)
{
	struct outcome off = reserve_scenario(false);
	struct outcome on = reserve_scenario(true);

	ok(off.moved >= (long)(PB / 2) && on.moved == off.moved,
	   "both empty one block of SPB 0: %ld and %ld pages moved", off.moved, on.moved);
	is_long(used(&off, 7), (unsigned long)off.moved,
		"off: the targets are the tainted SPB 7's holes, its reserve");
	is_long(used(&on, 7), 0, "on: SPB 7's free pages are left alone");
	is_long(used(&on, 6), (unsigned long)on.moved, "on: the pages go to SPB 6");
	ok(on.reserve_skips > 0, "on: %llu refusals counted",
	   (unsigned long long)on.reserve_skips);
	is_long(off.reserve_skips, 0, "off: none");
	is_long(on.conservation + off.conservation, 0, "owners conserved");
}

/* ------------------------------------------------------------------------ */
/* RFC 38: the migrate scanner skips a tainted SPB with nothing movable.     */

/*
 * SPB 0 holds only unmovable pages, every other one freed; the movable
 * fill then has every other page of SPB 1 freed (the sources) and of
 * SPB 5 (the targets). The migrate scanner starts at SPB 0.
 */
static struct outcome skip_scenario(bool on)
{
	struct ga_policy p = base_policy();
	struct embedder e;
	struct outcome o;
	unsigned long in0 = 0;

	p.spb_compact_skip_tainted = on;
	emb_zone_spb(&e, ZONE_PAGES, 1, SPB_ORDER, &p, NULL);
	for (unsigned long n = 0; n < SPB_PAGES; n++) {
		long u = emb_alloc(&e, 0, GA_GFP_KERNEL, true);

		in0 += u >= 0 && e.obj[u].pfn < SPB_PAGES;
	}
	is_long(in0, SPB_PAGES, "setup: the unmovable pages fill SPB 0");
	fill_movable(&e);
	free_holes(&e, 0, SPB_PAGES, 2);
	free_holes(&e, SPB_PAGES, SPB_PAGES, 2);
	free_holes(&e, 5 * SPB_PAGES, SPB_PAGES, 2);
	is_long(spb_info(e.zone, 0).category, GA_SPB_TAINTED, "setup: SPB 0 is tainted");
	is_long(spb_info(e.zone, 0).nr_movable_pageblocks, 0, "setup: with no movable page");
	o = (struct outcome){ 0 };
	compact_thp(&e, &o);
	emb_destroy(&e);
	return o;
}

static void test_skip_tainted(void)
{
	struct outcome off = skip_scenario(false);
	struct outcome on = skip_scenario(true);

	ok(off.moved >= (long)(PB / 2) && on.moved == off.moved,
	   "both empty one block of SPB 1: %ld and %ld pages moved", off.moved, on.moved);
	is_long(on.skipped, 1, "on: one SPB skipped whole");
	is_long(off.skipped, 0, "off: none");
	is_long(off.migrate_scanned - on.migrate_scanned, SPB_PAGES,
		"off: the migrate scanner walked SPB 0's %lu pages (%llu in all), on: not "
		"(%llu in all)", SPB_PAGES, (unsigned long long)off.migrate_scanned,
		(unsigned long long)on.migrate_scanned);
	is_long(on.conservation + off.conservation, 0, "owners conserved");
}

int main(void)
{
	test_targets_fullest_clean();
	test_reserve();
	test_skip_tainted();
	return done_testing();
}
