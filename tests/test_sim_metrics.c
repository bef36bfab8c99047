// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The simulator's metric definitions against cases computed by hand:
 * the 1 GiB region census and the ideal bound on a constructed 2 GiB zone,
 * the greedy "obtainable after migration" estimate and its variant with
 * reclaim and drop, the indices, the pageblock classification of the
 * memory map, and the census totals against an independent per-pageblock
 * count.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "metrics.h"

#define N_2G	524288ul	/* two 1 GiB regions of 262144 pages */
#define REGION	262144ul

static void test_ideal_formula(void)
{
	is_long(sim_ideal_tainted(0, REGION), 0, "no non-movable pages: ideal 0");
	is_long(sim_ideal_tainted(1, REGION), 1, "one page: ideal 1");
	is_long(sim_ideal_tainted(REGION, REGION), 1, "exactly one region: ideal 1");
	is_long(sim_ideal_tainted(REGION + 1, REGION), 2, "one page more: ideal 2");
	is_long(sim_ideal_tainted(10 * REGION - 5, REGION), 10, "rounds up");
}

static void test_greedy(void)
{
	const uint64_t cost[] = { 100, 50, 300 }, free_in[] = { 10, 20, 30 };

	/* Sorted by cost: 50, 100, 300; space left after each: 880, 870, 840. */
	is_long(sim_greedy_obtainable(cost, free_in, 3, 1000, 100), 3,
		"all three fit: 450 pages moved into 840 left");
	/* 400 free: after 50 (380 left) and 100 (370) the 300 needs 450 > 340. */
	is_long(sim_greedy_obtainable(cost, free_in, 3, 400, 0), 2,
		"the third does not fit: 450 > 340");
	is_long(sim_greedy_obtainable(cost, free_in, 3, 100, 100), 0,
		"nothing above the reserve: none");
	is_long(sim_greedy_obtainable(cost, free_in, 0, 1000, 0), 0, "no candidates");
}

static struct ga_zone *zone_2g(void)
{
	static struct ga_policy p;

	p = test_policy(false);	/* no pcp: every page is where the buddy put it */
	p.highatomic = false;
	return test_zone(N_2G, 1, &p);
}

/*
 * One unmovable page in a 2 GiB zone: one tainted region, one empty, ideal
 * 1; the indices follow from the buddy state: a split order-10 block
 * leaves one free block of each order 0..9 next to 511 order-10 blocks.
 */
static void test_one_unmovable_page(void)
{
	struct ga_zone *z = zone_2g();
	struct sim_census c;
	ga_pfn_t pfn;

	is_long(ga_alloc(z, 0, 0, GA_GFP_KERNEL, 1, &pfn), 0, "one unmovable page");
	is_long(sim_census_take(z, &c), 0, "census");
	is_long(c.regions, 2, "2 regions");
	is_long(c.tainted, 1, "1 tainted");
	is_long(c.empty, 1, "1 empty");
	is_long(c.clean, 0, "0 clean (the other one is empty)");
	is_long(c.nonmovable, 1, "1 non-movable page");
	is_long(c.ideal, 1, "ideal 1");
	is_long(c.obtainable_now, 1, "one 1 GiB page now");
	is_long(c.obtainable_after, 1, "and no more after migration");
	is_long(c.unmovable_pageblocks, 1, "one pageblock holds an unmovable page");
	is_long(c.mixed_pageblocks, 0, "none is mixed");
	is_long(c.free_pageblocks, 1023, "1023 pageblocks wholly free");
	is_long(c.free, N_2G - 1, "all other pages free");
	/* U(j) = (free - suitable(j) * 2^j) * 1000 / free, integer division. */
	is_long(c.idx_order[0], 9, "first index order 9");
	is_long(c.unusable[0], 511 * 1000 / (N_2G - 1), "U(9): 511 free pages below order 9");
	is_long(c.unusable[1], 1023 * 1000 / (N_2G - 1), "U(10): 1023 below order 10");
	is_long(c.unusable[2], (N_2G - 1 - REGION) * 1000 / (N_2G - 1),
		"U(18): only one wholly free region");
	is_long(c.fragindex[2], -1000, "F(18) = -1000: a 1 GiB block exists");

	/* A movable page: wherever it lands, the census follows by hand. */
	is_long(ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 2, &pfn), 0, "one movable page");
	sim_census_take(z, &c);
	if (pfn / REGION != 0) {
		ok(c.tainted == 1 && c.clean == 1 && c.empty == 0,
		   "movable page in the empty region: it is clean now");
		is_long(c.obtainable_now, 0, "no empty region");
		is_long(c.obtainable_after, 1, "moving 1 page frees the clean region");
	} else {
		ok(c.tainted == 1 && c.clean == 0 && c.empty == 1,
		   "movable page next to the unmovable one: the other stays empty");
		is_long(c.obtainable_after, 1, "still one");
	}
	is_long(c.ideal, 1, "the movable page does not change the ideal");

	is_long(ga_alloc(z, 0, 0, GA_GFP_KERNEL_RECLAIMABLE, 3, &pfn), 0,
		"one reclaimable page");
	sim_census_take(z, &c);
	is_long(c.nonmovable, 2, "unmovable + reclaimable = 2 non-movable pages");
	is_long(c.ideal, 1, "still fits one region: ideal 1");
	ok(c.tainted + c.clean + c.empty == c.regions, "tainted + clean + empty = regions");
	zone_ok(z, "zone intact");
	ga_zone_destroy(z);
}

static void test_ideal_constructed(void)
{
	struct ga_zone *z = zone_2g();
	struct sim_census c;
	ga_pfn_t pfn;
	unsigned long n = 0;

	/* 300 unmovable order-10 blocks: 307200 pages, more than one region. */
	for (int i = 0; i < 300; i++)
		n += !ga_alloc(z, 0, 10, GA_GFP_KERNEL, 10 + (uint64_t)i, &pfn);
	is_long(n, 300, "300 unmovable order-10 allocations");
	sim_census_take(z, &c);
	is_long(c.nonmovable, 300 * 1024, "307200 non-movable pages");
	is_long(c.ideal, 2, "ideal = ceil(307200 / 262144) = 2");
	is_long(c.tainted, 2, "and both regions are tainted");
	is_long(c.obtainable_now + c.obtainable_after, 0, "no 1 GiB page at all");
	ga_zone_destroy(z);
}

/*
 * The estimate with reclaim, on two clean regions shaped with order-10
 * movable blocks: region 0 holds 200 blocks (204800 pages, 57344 free),
 * region 1 160 blocks (163840 pages, 98304 free). The workload's counts
 * are given by hand: LRU pages {20480, 40960}, and droppable pages, on
 * the LRU or not. Room is free + LRU - min watermark (4 pages):
 * 57344 + 98304 + 20480 + 40960 - 4 = 217084. Taking a region removes its
 * free and LRU pages from the room; its cost is movable - droppable.
 */
static void test_reclaim_estimate(void)
{
	static const unsigned int want_free[2] = { 56, 96 };	/* blocks */
	struct ga_zone *z = zone_2g();
	const uint32_t lru[2] = { 20480, 40960 };
	uint32_t drop[2];
	unsigned int nfree[2] = { 0, 0 };
	bool held[N_2G >> 10] = { false };
	struct ga_zone_info zi;
	struct sim_census c;
	ga_pfn_t pfn;

	for (uint64_t owner = 1; !ga_alloc(z, 0, 10, GA_GFP_HIGHUSER_MOVABLE, owner, &pfn);
	     owner++)
		held[pfn >> 10] = true;
	for (unsigned long b = 0; b < N_2G >> 10; b++)
		nfree[b / 256] += !held[b];
	for (unsigned long b = 0; b < N_2G >> 10; b++) {
		if (held[b] && nfree[b / 256] < want_free[b / 256]) {
			ga_free(z, 0, b << 10, 10);
			nfree[b / 256]++;
		}
	}
	ga_zone_info(z, &zi);
	is_long(zi.wmark_min, 4, "min watermark 4 pages");
	is_long(sim_census_take(z, &c), 0, "census of the shaped zone");
	ok(nfree[0] == 56 && nfree[1] == 96 && c.clean == 2 && c.tainted == 0,
	   "two clean regions with 56 and 96 free blocks");
	is_long(c.movable, 360 * 1024, "360 movable blocks");
	is_long(c.obtainable_after, 0, "into free memory: 163840 pages do not fit in "
		"155644 - 98304");
	is_long(c.obtainable_reclaim, 0, "no workload counts: the same as into free memory");

	/* Only the LRU pages droppable: region 1 (cheaper) must move 163840 -
	 * 40960 = 122880 pages into 217084 - (98304 + 40960) = 77820. */
	drop[0] = lru[0];
	drop[1] = lru[1];
	is_long(sim_census_take_lru(z, &c, lru, drop), 0, "census, LRU droppable");
	is_long(c.obtainable_reclaim, 0, "122880 pages to move do not fit in 77820");

	/* 61440 more droppable pages in region 1 that are not on the LRU
	 * (short-lived clean page cache): it moves 163840 - 102400 = 61440
	 * pages into the same 77820, which it fits. Region 0 would then move
	 * 204800 - 20480 = 184320 pages into what is left, 77820 - 61440 -
	 * (57344 + 20480) < 0. */
	drop[1] = lru[1] + 61440;
	is_long(sim_census_take_lru(z, &c, lru, drop), 0, "census, droppable off the LRU");
	is_long(c.obtainable_reclaim, 1, "droppable pages off the LRU lower the cost: "
		"61440 pages to move fit in 77820");
	is_long(c.obtainable_after, 0, "migration into free memory alone still gets none");

	/* Region 0 wholly droppable: it costs nothing and goes first, taking
	 * its 57344 free and 20480 LRU pages out of the room: 217084 - 77824 =
	 * 139260. Its droppable pages off the LRU were never room, so region
	 * 1 now has 139260 - (98304 + 40960) = -4 < 61440 and stays. */
	drop[0] = 204800;
	is_long(sim_census_take_lru(z, &c, lru, drop), 0, "census, region 0 droppable");
	is_long(c.obtainable_reclaim, 1, "dropped pages are not room for the other region");
	zone_ok(z, "zone intact");
	ga_zone_destroy(z);
}

/* Census totals against a per-pageblock count through ga_pageblock_query. */
static void test_totals_against_pageblocks(void)
{
	static const unsigned int gfp[] = {
		GA_GFP_KERNEL, GA_GFP_HIGHUSER_MOVABLE, GA_GFP_KERNEL_RECLAIMABLE,
	};
	struct ga_policy p = test_policy(true);
	struct ga_zone *z = test_zone(N_2G, 2, &p);
	unsigned long long seed = 42;
	unsigned long mixed = 0, unmov = 0, freepb = 0, pages[3] = { 0 };
	struct sim_census c;
	ga_pfn_t pfn;

	for (int i = 0; i < 20000; i++) {
		unsigned long long r = test_rand(&seed);

		ga_alloc(z, (unsigned int)(r & 1), (unsigned int)(r >> 8) % 4,
			 gfp[(r >> 16) % 3], (uint64_t)i + 1, &pfn);
	}
	for (ga_pfn_t b = 0; b < N_2G; b += 512) {
		struct ga_pageblock_info pb;
		unsigned int kinds = 0;

		ga_pageblock_query(z, b, &pb);
		for (int mt = 0; mt < GA_MT_PCPTYPES; mt++) {
			kinds += pb.nr_alloc[mt] > 0;
			pages[mt] += pb.nr_alloc[mt];
		}
		mixed += kinds > 1;
		unmov += pb.nr_alloc[GA_MT_UNMOVABLE] > 0;
		freepb += pb.nr_free == 512;
	}
	sim_census_take(z, &c);
	is_long(c.mixed_pageblocks, mixed, "mixed pageblocks: %lu", mixed);
	is_long(c.unmovable_pageblocks, unmov, "pageblocks with unmovable pages: %lu", unmov);
	is_long(c.free_pageblocks, freepb, "wholly free pageblocks: %lu", freepb);
	is_long(c.unmovable, pages[GA_MT_UNMOVABLE], "unmovable pages");
	is_long(c.movable, pages[GA_MT_MOVABLE], "movable pages");
	is_long(c.reclaimable, pages[GA_MT_RECLAIMABLE], "reclaimable pages");
	is_long(c.ideal, sim_ideal_tainted(c.nonmovable, REGION), "ideal from the total");
	ga_zone_destroy(z);
}

static struct ga_region_info pb_of(unsigned long mov, unsigned long rec,
				   unsigned long unm, unsigned long pinned)
{
	struct ga_region_info r = { 0 };

	r.nr_movable = mov;
	r.nr_reclaimable = rec;
	r.nr_unmovable = unm;
	r.nr_pinned = pinned;
	r.nr_free = 512 - mov - rec - unm;
	return r;
}

static void test_classify(void)
{
	struct ga_region_info r = pb_of(0, 0, 0, 0);

	is_long(sim_pb_classify(&r, 512), SIM_PB_FREE, "all free");
	r = pb_of(512, 0, 0, 0);
	is_long(sim_pb_classify(&r, 512), SIM_PB_MOVABLE, "all movable");
	r = pb_of(100, 0, 0, 0);
	is_long(sim_pb_classify(&r, 512), SIM_PB_MOVABLE | SIM_PB_SPARSE,
		"100 movable pages: sparse");
	r = pb_of(300, 0, 0, 1);
	is_long(sim_pb_classify(&r, 512), SIM_PB_PINNED, "movable with a pinned page");
	r = pb_of(0, 300, 0, 0);
	is_long(sim_pb_classify(&r, 512), SIM_PB_RECLAIMABLE, "reclaimable");
	r = pb_of(0, 0, 1, 0);
	is_long(sim_pb_classify(&r, 512), SIM_PB_UNMOVABLE | SIM_PB_SPARSE,
		"one unmovable page");
	r = pb_of(400, 0, 1, 0);
	is_long(sim_pb_classify(&r, 512), SIM_PB_MIXED, "movable + unmovable: mixed");
	r = pb_of(0, 0, 0, 0);
	r.nr_contig = 512;
	r.nr_free = 0;
	is_long(sim_pb_classify(&r, 512), SIM_PB_CONTIG, "held by a 1 GiB page");
	r.nr_contig = 0;
	r.nr_reserved = 512;
	is_long(sim_pb_classify(&r, 512), SIM_PB_HOLE, "a hole");
}

static void test_map(void)
{
	struct ga_zone *z = zone_2g();
	unsigned int w = 0, h = 0, unm = 0, freeb = 0;
	uint8_t *map;
	ga_pfn_t pfn;

	ga_alloc(z, 0, 0, GA_GFP_KERNEL, 1, &pfn);
	map = sim_map_capture(z, &w, &h);
	ok(map && w == 512 && h == 2, "map: 512 pageblocks a row, 2 rows");
	for (unsigned int i = 0; map && i < w * h; i++) {
		unm += map[i] == (SIM_PB_UNMOVABLE | SIM_PB_SPARSE);
		freeb += map[i] == SIM_PB_FREE;
	}
	is_long(unm, 1, "one unmovable pageblock");
	is_long(freeb, 1023, "all others free");
	ok(map && map[pfn >> 9] == (SIM_PB_UNMOVABLE | SIM_PB_SPARSE),
	   "at the page's pageblock");
	free(map);
	ga_zone_destroy(z);
}

/*
 * Only whole regions can be 1 GiB pages: a zone of 1.5 GiB has two
 * regions, both empty, but the partial tail is no 1 GiB page; nor is a
 * whole region with a hole (reserved pages) in it.
 */
static void test_whole_regions_only(void)
{
	static const struct ga_pfn_range hole = { REGION + 4096, REGION + 4608 };
	struct ga_policy p = test_policy(false);
	struct ga_zone_config cfg;
	struct ga_zone *z;
	struct sim_census c;

	p.highatomic = false;
	z = test_zone(REGION + REGION / 2, 1, &p);
	is_long(sim_census_take(z, &c), 0, "census of a 1.5 GiB zone");
	ok(c.regions == 2 && c.empty == 2, "two regions, both empty");
	is_long(c.obtainable_now, 1, "one 1 GiB page now: the tail is partial");
	is_long(c.obtainable_after, 1, "and none more after migration");
	ga_zone_destroy(z);

	ga_zone_config_default(&cfg, 0, N_2G, 1);
	cfg.policy = &p;
	cfg.holes = &hole;
	cfg.nr_holes = 1;
	if (!ok(!ga_zone_create(&z, &cfg), "a 2 GiB zone with a 2 MiB hole"))
		return;
	sim_census_take(z, &c);
	ok(c.reserved == 512 && c.empty == 2, "both regions empty, 512 reserved pages: "
	   "%llu, %lu", (unsigned long long)c.reserved, c.empty);
	is_long(c.obtainable_now, 1, "one 1 GiB page now: not the one with the hole");
	zone_ok(z, "zone intact");
	ga_zone_destroy(z);
}

int main(void)
{
	test_whole_regions_only();
	test_ideal_formula();
	test_greedy();
	test_one_unmovable_page();
	test_ideal_constructed();
	test_reclaim_estimate();
	test_totals_against_pageblocks();
	test_classify();
	test_map();
	return done_testing();
}
