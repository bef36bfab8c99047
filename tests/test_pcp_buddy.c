// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Per-CPU pageblocks (RFC 02, 03, 21), each outcome against the same
 * scenario with the switch off: whole-block claims, frees routed to the
 * owner, fewer zone->lock acquisitions for the jemalloc-purger pattern,
 * drains that merge whole pageblocks back, recovery of owned fragments,
 * adoption of partial blocks in tainted SPBs, and threads that allocate
 * on one CPU and free on another (run under ThreadSanitizer).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "harness.h"
#include "internal.h"

#define NR_PAGES (1ul << 18)	/* 1 GiB */

static uint64_t stat_of(struct ga_zone *z, enum ga_stat_item item)
{
	struct ga_stats s;

	ga_zone_stats(z, &s);
	return s.v[item];
}

static unsigned long free_pages(struct ga_zone *z)
{
	struct ga_zone_info info;

	ga_zone_info(z, &info);
	return info.free_pages;
}

static struct ga_policy buddy_policy(bool on)
{
	struct ga_policy p = test_policy(true);

	p.pcp_buddy = on;
	return p;
}

static unsigned int owner_of(struct ga_zone *z, ga_pfn_t pfn)
{
	return pfn_to_block(z, pfn)->cpu;
}

static ga_pfn_t alloc_on(struct ga_zone *z, unsigned int cpu, unsigned int order,
			 unsigned int gfp)
{
	ga_pfn_t pfn = 0;
	int err = ga_alloc(z, cpu, order, gfp, 0, &pfn);

	if (err)
		printf("Bail out! ga_alloc order %u on cpu %u: %d\n", order, cpu, err);
	if (err)
		exit(1);
	return pfn;
}

/* A refill takes one whole pageblock, owned and split on the pcp. */
static void test_claim(void)
{
	struct ga_policy p = buddy_policy(true);
	struct ga_zone *z = test_zone(NR_PAGES, 2, &p);
	ga_pfn_t pfn = alloc_on(z, 0, 0, GA_GFP_KERNEL), next;

	is_long(stat_of(z, GA_STAT_PCPB_CLAIM), 1, "the first refill claims a whole pageblock");
	is_long(owner_of(z, pfn), 1, "its block is owned by cpu 0 (cpu + 1)");
	is_long(z->pcp[0].count, 511, "the other 511 pages stay on cpu 0's pcp");
	is_long(z->pcp[0].buddy_count, 511, "... as PagePCPBuddy chunks");
	is_long(free_pages(z), NR_PAGES - 512, "and are not free pages");
	next = alloc_on(z, 0, 0, GA_GFP_KERNEL);
	ok(next / 512 == pfn / 512, "the next allocation is split from the same block");
	is_long(stat_of(z, GA_STAT_PCP_REFILL), 1, "without another refill");
	zone_ok(z, "checker with an owned block");
	ga_free(z, 0, pfn, 0);
	ga_free(z, 0, next, 0);
	ga_drain_all_pcp(z);
	is_long(free_pages(z), NR_PAGES, "a drain gives everything back");
	is_long(owner_of(z, pfn), 0, "and the block is no longer owned");
	zone_ok(z, "checker after the drain");
	ga_zone_destroy(z);
}

/*
 * A page allocated on cpu 0 and freed on cpu 1 goes back to cpu 0, whose
 * next allocation reuses it; without pcp_buddy it stays on cpu 1.
 */
static long remote_scenario(bool on)
{
	struct ga_policy p = buddy_policy(on);
	struct ga_zone *z = test_zone(NR_PAGES, 2, &p);
	ga_pfn_t a = alloc_on(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE), b;
	long reused;

	ga_free(z, 1, a, 0);
	if (on) {
		is_long(stat_of(z, GA_STAT_PCPB_REMOTE_FREE), 1, "the free went to the owner's list");
		is_long(z->pcp[0].remote, pfn_to_idx(z, a), "cpu 0's remote list holds it");
		is_long(z->pcp[1].count, 0, "cpu 1's pcp stays empty");
		is_long(ga_free(z, 1, a, 0), -EALREADY, "a page on a remote list cannot be freed again");
		zone_ok(z, "checker with a page on a remote list");
	}
	b = alloc_on(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE);
	reused = b == a;
	ga_free(z, 0, b, 0);
	ga_drain_all_pcp(z);
	if (free_pages(z) != NR_PAGES)
		reused = -1;
	zone_ok(z, "checker after the remote-free scenario (%s)", on ? "on" : "off");
	ga_zone_destroy(z);
	return reused;
}

/*
 * The jemalloc purger: one CPU allocates, another frees. Vanilla refills
 * cpu 0 and spills cpu 1 under zone->lock every batch; with owned blocks
 * the frees return to cpu 0 without it.
 */
static double purger_locks(bool on, unsigned long *ops_out)
{
	struct ga_policy p = buddy_policy(on);
	struct ga_zone *z = test_zone(NR_PAGES, 2, &p);
	ga_pfn_t pfn[64];
	uint64_t before;
	unsigned long ops = 0;

	for (int i = 0; i < 64; i++)	/* warm both pcps */
		pfn[i] = alloc_on(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE);
	for (int i = 0; i < 64; i++)
		ga_free(z, 1, pfn[i], 0);
	before = stat_of(z, GA_STAT_ZONE_LOCK);
	for (int round = 0; round < 2000; round++) {
		for (int i = 0; i < 64; i++)
			pfn[i] = alloc_on(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE);
		for (int i = 0; i < 64; i++)
			ga_free(z, 1, pfn[i], 0);
		ops += 128;
	}
	*ops_out = ops;
	before = stat_of(z, GA_STAT_ZONE_LOCK) - before;
	zone_ok(z, "checker after the purger pattern (%s)", on ? "on" : "off");
	ga_drain_all_pcp(z);
	is_long(free_pages(z), NR_PAGES, "every page comes back (%s)", on ? "on" : "off");
	zone_ok(z, "checker after draining (%s)", on ? "on" : "off");
	ga_zone_destroy(z);
	return (double)before * 1000.0 / (double)ops;
}

static void test_purger_locks(void)
{
	unsigned long ops;
	double off = purger_locks(false, &ops), on = purger_locks(true, &ops);

	diag("zone->lock per 1000 ops, alloc on cpu 0 / free on cpu 1: %.2f off, %.2f on",
	     off, on);
	ok(off > 0.1, "vanilla refills and spills under zone->lock (%.2f per 1000 ops)", off);
	ok(on * 10.0 < off, "owner-routed frees take it less than a tenth as often (%.2f)", on);
}

/*
 * All 512 pages of a block freed by another CPU: draining only the owner
 * merges them bottom-up (511 merges) and the zone gets the whole block.
 */
static void test_drain_merges(void)
{
	for (int on = 0; on <= 1; on++) {
		struct ga_policy p = buddy_policy(on);
		struct ga_zone *z = test_zone(NR_PAGES, 2, &p);
		ga_pfn_t *pfn = calloc(512, sizeof(*pfn));
		uint64_t free_blocks;
		struct ga_zone_info info;

		for (int i = 0; i < 512; i++)
			pfn[i] = alloc_on(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE);
		for (int i = 0; i < 512; i++)
			ga_free(z, 1, pfn[i], 0);
		ga_drain_pcp(z, 0);
		ga_zone_info(z, &info);
		free_blocks = info.nr_free[9] * 1 + info.nr_free[10] * 2;
		if (on) {
			is_long(stat_of(z, GA_STAT_PCPB_MERGE), 511,
				"on: the drain merged 512 pages into one pageblock");
			is_long(stat_of(z, GA_STAT_PCPB_RELEASE), 1, "on: the block's ownership ended");
			is_long(info.free_pages, NR_PAGES, "on: every page is free after draining cpu 0");
			is_long(free_blocks, NR_PAGES / 512, "on: every pageblock is whole again");
		} else {
			ok(info.free_pages < NR_PAGES,
			   "off: draining cpu 0 leaves the pages on cpu 1 (%lu free)",
			   info.free_pages);
			ok(free_blocks < NR_PAGES / 512,
			   "off: so their blocks are not whole (%llu of %lu)",
			   (unsigned long long)free_blocks, NR_PAGES / 512);
		}
		zone_ok(z, "checker after the owner's drain (%s)", on ? "on" : "off");
		free(pfn);
		ga_zone_destroy(z);
	}
}

/* A merge pass on cpu 0 that spills nothing (free_pcppages_bulk, count 0). */
static void merge_only(struct ga_zone *z)
{
	ga_lock(&z->pcp[0].lock);
	free_pcppages_bulk(z, 0, &z->pcp[0], 0);
	ga_unlock(&z->pcp[0].lock);
}

static bool checker_fails(struct ga_zone *z)
{
	char err[256];

	return ga_zone_check(z, err, sizeof(err)) != 0;
}

/*
 * The merge pass walks only the entries linked since the last pass
 * (buddy_old). The even pages of a block freed and passed over (no
 * pairs) are old; freeing pages 1 and 3 makes pairs of a new and an old
 * entry each, which the next pass must still merge, and the two order-1
 * results merge again (3 merges). The checker finds a pair hidden behind
 * a buddy_old moved past a new entry, and a buddy_old off its list.
 */
static void test_merge_incremental(void)
{
	struct ga_policy p = buddy_policy(true);
	struct ga_zone *z = test_zone(NR_PAGES, 2, &p);
	ga_pfn_t *pfn = calloc(512, sizeof(*pfn));
	const int mt = GA_MT_MOVABLE;
	struct ga_pcp *pcp = &z->pcp[0];
	ga_pfn_t base;
	uint32_t saved;
	int same = 0;

	for (int i = 0; i < 512; i++)
		pfn[i] = alloc_on(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE);
	base = pfn[0] & ~511ul;
	for (int i = 0; i < 512; i++)
		same += pfn[i] / 512 == base / 512;
	is_long(same, 512, "512 pages from the one claimed block");
	is_long(pcp->buddy_count, 0, "the block is all allocated");
	for (ga_pfn_t q = base; q < base + 512; q += 2)
		ga_free(z, 0, q, 0);
	merge_only(z);
	is_long(stat_of(z, GA_STAT_PCPB_MERGE), 0, "256 even pages: no pair to merge");
	is_long(pcp->buddy_old[mt][0], pcp->buddy[mt][0].first,
		"the pass leaves every entry old");
	zone_ok(z, "checker after a pass with nothing to merge");

	ga_free(z, 0, base + 1, 0);
	ga_free(z, 0, base + 3, 0);
	is_long(pcp->buddy_old[mt][0], pfn_to_idx(z, base + 510),
		"two new entries in front of the old ones");
	zone_ok(z, "checker with new entries pairing old ones");
	merge_only(z);
	is_long(stat_of(z, GA_STAT_PCPB_MERGE), 3,
		"the pass merged 1 with 0, 3 with 2, then the two order-1 chunks");
	is_long(pcp->buddy[mt][2].first, pfn_to_idx(z, base), "into one order-2 chunk at the block's start");
	is_long(pcp->buddy_count, 256 + 2, "no page lost on the way");
	zone_ok(z, "checker after the incremental pass");

	ga_free(z, 0, base + 5, 0);
	saved = pcp->buddy_old[mt][0];
	pcp->buddy_old[mt][0] = pcp->buddy[mt][0].first;
	ok(checker_fails(z), "checker: a pair (4, 5) behind buddy_old fails");
	pcp->buddy_old[mt][0] = pfn_to_idx(z, base + 1);
	ok(checker_fails(z), "checker: a buddy_old that is not on its list fails");
	pcp->buddy_old[mt][0] = saved;
	zone_ok(z, "checker with buddy_old restored");
	merge_only(z);
	is_long(stat_of(z, GA_STAT_PCPB_MERGE), 4, "the next pass merges 5 with 4");
	zone_ok(z, "checker after it");

	for (int i = 0; i < 512; i++)
		if ((pfn[i] - base) % 2 && pfn[i] - base != 1 && pfn[i] - base != 3 &&
		    pfn[i] - base != 5)
			ga_free(z, 0, pfn[i], 0);
	ga_drain_all_pcp(z);
	is_long(free_pages(z), NR_PAGES, "a drain merges the block whole again");
	zone_ok(z, "checker after the final drain");
	free(pfn);
	ga_zone_destroy(z);
}

/*
 * Phase 0: a drain leaves the fragments of a block that still has pages
 * in use in the buddy; the owner's next refill pulls them back instead of
 * claiming another block.
 */
static void test_recover(void)
{
	struct ga_policy p = buddy_policy(true);
	struct ga_zone *z = test_zone(NR_PAGES, 2, &p);
	ga_pfn_t pfn[128], again;

	for (int i = 0; i < 128; i++)
		pfn[i] = alloc_on(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE);
	ga_drain_pcp(z, 0);
	is_long(z->owned_links[pfn[0] / 512].listed, 1,
		"the drained block is on cpu 0's owned_blocks");
	is_long(owner_of(z, pfn[0]), 1, "and still owned: 128 of its pages are in use");
	zone_ok(z, "checker with owned fragments in the buddy");
	again = alloc_on(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE);
	is_long(stat_of(z, GA_STAT_PCPB_RECOVER), 1, "the refill recovered the block");
	is_long(stat_of(z, GA_STAT_PCPB_RECOVER_PAGES), 384, "all 384 free pages of it");
	is_long(stat_of(z, GA_STAT_PCPB_CLAIM), 1, "and claimed no other block");
	ok(again / 512 == pfn[0] / 512, "the new page is from the same block");
	ga_free(z, 0, again, 0);
	for (int i = 0; i < 128; i++)
		ga_free(z, 0, pfn[i], 0);
	ga_drain_all_pcp(z);
	is_long(free_pages(z), NR_PAGES, "all free again");
	zone_ok(z, "checker after recovery");
	ga_zone_destroy(z);
}

/*
 * Phase 0 is first fit in owned_blocks order (RFC 02's table): block X,
 * first on the list, gives back a 256-page fragment, enough for the
 * refill, so Y, second, keeps its single free page although it would fit
 * the allocation more tightly. A listed block whose free pages were all
 * taken by someone else leaves the list at the next walk, with nothing to
 * recover, and the refill claims a new block.
 */
static void test_recover_first_fit(void)
{
	struct ga_policy p = buddy_policy(true);
	struct ga_zone *z = test_zone(NR_PAGES, 2, &p);
	ga_pfn_t *pfn = calloc(1024, sizeof(*pfn)), x, y, got;
	uint64_t claims;
	int same = 0;

	for (int i = 0; i < 1024; i++)
		pfn[i] = alloc_on(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE);
	x = pfn[0] & ~511ul;
	y = pfn[512] & ~511ul;
	for (int i = 0; i < 1024; i++)
		same += (pfn[i] & ~511ul) == (i < 512 ? x : y);
	is_long(same, 1024, "cpu 0 used up two whole blocks, X then Y");
	/* Y's one page goes back first, then half of X: X heads the list. */
	for (int i = 512; i < 1024; i++)
		if (pfn[i] == y + 5)
			ga_free(z, 0, pfn[i], 0);
	ga_drain_pcp(z, 0);
	for (int i = 0; i < 512; i++)
		if (pfn[i] >= x + 256)
			ga_free(z, 0, pfn[i], 0);
	ga_drain_pcp(z, 0);
	is_long(z->pcp[0].owned_first[GA_MT_MOVABLE], x / 512, "X heads cpu 0's movable owned_blocks");
	is_long(z->owned_links[x / 512].next, y / 512, "Y follows it");
	zone_ok(z, "checker with two owned blocks listed");
	/* One list per label, in the one list's order: a relabel moves Y. */
	zone_lock(z);
	set_pageblock_migratetype(z, y, GA_MT_UNMOVABLE);
	is_long(z->pcp[0].owned_first[GA_MT_UNMOVABLE], y / 512,
		"relabelled unmovable, Y moves to the unmovable list");
	is_long(z->owned_links[x / 512].next, GA_NIL, "X is alone on the movable one");
	set_pageblock_migratetype(z, x, GA_MT_UNMOVABLE);
	is_long(z->pcp[0].owned_first[GA_MT_UNMOVABLE], x / 512,
		"X, the newer, heads the unmovable list when it follows");
	is_long(z->owned_links[x / 512].next, y / 512, "Y still follows it");
	set_pageblock_migratetype(z, y, GA_MT_MOVABLE);
	set_pageblock_migratetype(z, x, GA_MT_MOVABLE);
	zone_unlock(z);
	is_long(z->pcp[0].owned_first[GA_MT_UNMOVABLE], GA_NIL, "relabelled back");
	is_long(z->pcp[0].owned_first[GA_MT_MOVABLE], x / 512, "X heads the movable list");
	is_long(z->owned_links[x / 512].next, y / 512, "and Y follows it again");
	zone_ok(z, "checker after the relabels");

	got = alloc_on(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE);
	ok(got >= x + 256 && got < x + 512, "the page comes from X's fragment, not Y's page");
	is_long(stat_of(z, GA_STAT_PCPB_RECOVER), 1, "phase 0 took one block");
	is_long(stat_of(z, GA_STAT_PCPB_RECOVER_PAGES), 256, "X's 256 free pages");
	is_long(z->owned_links[y / 512].listed, 1, "Y stays listed");
	is_long(z->blocks[y / 512].nr_free, 1, "with its free page in the buddy");
	zone_ok(z, "checker after the first-fit refill");

	/* Someone else takes Y's page from the buddy; X is used up again. */
	is_long(ga_alloc_at(z, 1, y + 5, 0, GA_GFP_HIGHUSER_MOVABLE, 0), 0,
		"another allocation takes Y's free page");
	same = got >= x + 256;
	for (int i = 0; i < 255; i++)
		same += alloc_on(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE) >= x + 256;
	is_long(same, 256, "cpu 0 uses up X's recovered half");
	claims = stat_of(z, GA_STAT_PCPB_CLAIM);
	got = alloc_on(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE);
	is_long(z->owned_links[y / 512].listed, 0, "the next refill drops Y from the list");
	is_long(owner_of(z, y), 1, "Y stays owned: all its pages are in use");
	is_long(stat_of(z, GA_STAT_PCPB_RECOVER_PAGES), 256, "nothing more was recovered");
	is_long(stat_of(z, GA_STAT_PCPB_CLAIM), claims + 1, "a new block was claimed");
	ok((got & ~511ul) != x && (got & ~511ul) != y, "and serves the page");
	zone_ok(z, "checker after Y left the list");

	ga_free(z, 0, got, 0);
	for (ga_pfn_t i = 0; i < 512; i++) {
		ga_free(z, 0, x + i, 0);
		ga_free(z, 1, y + i, 0);
	}
	ga_drain_all_pcp(z);
	is_long(free_pages(z), NR_PAGES, "all free again");
	zone_ok(z, "checker at the end of the first-fit test");
	free(pfn);
	ga_zone_destroy(z);
}

/*
 * RFC 21. Eight 4-pageblock SPBs; one is tainted by an order-4 unmovable
 * page in block B, and its three other blocks go to unmovable THPs, so
 * no tainted SPB has a wholly free pageblock. An unmovable refill on cpu 1
 * adopts B (its order-8 fragment); without adoption, phase 2 splits a
 * fragment of B without owning it. Either way no clean SPB is tainted.
 */
/*
 * The zone of the adoption tests: 8 SPBs of 4 pageblocks under `spb` with
 * per-CPU pageblocks and adoption, watermarks low enough that a refill
 * never waits for reclaim.
 */
static struct ga_zone *adopt_zone(struct ga_policy *p, bool adopt, bool reabsorb)
{
	struct ga_zone_config cfg;
	struct ga_zone *z;

	ga_policy_preset(p, "spb");
	p->min_free_kbytes = 16;
	p->watermark_scale_factor = 1;
	p->pcp_buddy = true;
	p->pcp_buddy_adopt = adopt;
	p->pcp_buddy_reabsorb = reabsorb;
	ga_zone_config_default(&cfg, 0, 8 * 2048, 2);
	cfg.spb_order = 11;
	cfg.policy = p;
	if (ga_zone_create(&z, &cfg)) {
		printf("Bail out! ga_zone_create\n");
		exit(1);
	}
	return z;
}

static void adopt_scenario(bool adopt)
{
	struct ga_policy p;
	struct ga_zone *z = adopt_zone(&p, adopt, false);
	ga_pfn_t small, thp[3], page, next;
	unsigned int b;
	uint64_t tainted;

	small = alloc_on(z, 0, 4, GA_GFP_KERNEL);
	b = (unsigned int)(small / 512);
	for (int i = 0; i < 3; i++)
		thp[i] = alloc_on(z, 0, 9, GA_GFP_KERNEL);
	for (int i = 0; i < 3; i++)
		ok(thp[i] / 2048 == small / 2048, "unmovable THP %d fills the tainted SPB", i);
	tainted = stat_of(z, GA_STAT_SPB_TAINTED);
	is_long(owner_of(z, small), 0, "block B is unowned (order 4 bypasses the pcp)");
	zone_ok(z, "checker before the refill (adopt %s)", adopt ? "on" : "off");

	page = alloc_on(z, 1, 0, GA_GFP_KERNEL);
	is_long(page / 512, b, "the unmovable page comes from B (adopt %s)",
		adopt ? "on" : "off");
	is_long(stat_of(z, GA_STAT_SPB_TAINTED), tainted, "no other SPB was tainted");
	if (adopt) {
		is_long(stat_of(z, GA_STAT_PCPB_ADOPT), 1, "on: B was adopted");
		is_long(owner_of(z, small), 2, "on: B is owned by cpu 1");
		is_long(z->owned_links[b].listed, 1, "on: and listed for phase 0");
		/* The rest of B comes back with the next refill. */
		ga_drain_pcp(z, 1);
		next = alloc_on(z, 1, 0, GA_GFP_KERNEL);
		is_long(next / 512, b, "on: the next refill stays in B");
		is_long(stat_of(z, GA_STAT_PCPB_RECOVER), 1, "on: by recovering its fragments");
		ga_free(z, 0, next, 0);
		is_long(stat_of(z, GA_STAT_PCPB_REMOTE_FREE), 1,
			"on: a free of B's page on cpu 0 goes to cpu 1");
	} else {
		is_long(stat_of(z, GA_STAT_PCPB_ADOPT), 0, "off: nothing adopted");
		is_long(owner_of(z, small), 0, "off: B stays unowned");
		ok(stat_of(z, GA_STAT_PCPB_CHUNK) >= 1, "off: phase 2 split a chunk of it");
	}
	zone_ok(z, "checker after the refill (adopt %s)", adopt ? "on" : "off");
	ga_free(z, 1, page, 0);
	ga_free(z, 0, small, 4);
	for (int i = 0; i < 3; i++)
		ga_free(z, 0, thp[i], 9);
	ga_drain_all_pcp(z);
	is_long(free_pages(z), 8 * 2048, "all free again (adopt %s)", adopt ? "on" : "off");
	zone_ok(z, "checker at the end (adopt %s)", adopt ? "on" : "off");
	ga_zone_destroy(z);
}

/*
 * RFC 21's ownership rule (pcp_buddy_reabsorb): the set-up of
 * adopt_scenario, block B with an order-4 unmovable page at its start, its
 * SPB tainted and full. Returns the zone with B's other fragments
 * allocated whole except the order-4 buddy of that page, at B + 16.
 */
static struct ga_zone *rfc21_zone(bool reabsorb, ga_pfn_t *block)
{
	static const unsigned int order[4] = { 5, 6, 7, 8 };
	struct ga_policy p;
	struct ga_zone *z;
	ga_pfn_t small;

	z = adopt_zone(&p, true, reabsorb);
	small = alloc_on(z, 0, 4, GA_GFP_KERNEL);
	for (int i = 0; i < 3; i++)
		alloc_on(z, 0, 9, GA_GFP_KERNEL);
	ok(small % 512 == 0, "the order-4 page starts block B");
	for (int i = 0; i < 4; i++)
		if (ga_alloc_at(z, 0, small + (1ul << order[i]), order[i], GA_GFP_KERNEL, 0))
			ok(0, "ga_alloc_at B + %lu", 1ul << order[i]);
	*block = small;
	return z;
}

static void rfc21_cleanup(struct ga_zone *z, const char *what)
{
	ga_pfn_t pfn = z->start_pfn;

	ga_drain_all_pcp(z);
	/* Free whatever is still allocated, head by head. */
	while (pfn < z->end_pfn) {
		const struct ga_page *p = pfn_to_page(z, pfn);
		unsigned int order = page_order(p);

		if (page_state(p) == GA_PAGE_ALLOC && ga_free(z, 0, pfn, order))
			ok(0, "%s: free %#llx", what, (unsigned long long)pfn);
		pfn += page_state(p) == GA_PAGE_RESERVED ? 1 : 1ul << order;
	}
	ga_drain_all_pcp(z);
	is_long(free_pages(z), 8 * 2048, "%s: all free again", what);
	zone_ok(z, "%s: checker at the end", what);
	ga_zone_destroy(z);
}

/*
 * The merge (__free_one_page) meets another CPU's PCPBuddy entries. Page
 * B + 16 is freed on cpu 1 while B is unowned, so it waits on cpu 1's
 * plain list; cpu 0 then adopts B with an order-3 refill (B + 24 whole)
 * and recovers B + 17, 18, 20 as PCPBuddy. When cpu 1 drains B + 16, with
 * the switch on its merge takes those three entries off cpu 0's lists and
 * B becomes an order-3 free block; cpu 0 then holds nothing of B and stops
 * owning it. Off: B + 16 stays a lone free page and cpu 0 keeps its 7.
 */
static void reabsorb_scenario(bool on)
{
	const char *sw = on ? "on" : "off";
	ga_pfn_t b, big;
	struct ga_zone *z = rfc21_zone(on, &b);
	int held;
	uint64_t tainted = stat_of(z, GA_STAT_SPB_TAINTED);

	if (ga_alloc_at(z, 1, b + 16, 0, GA_GFP_KERNEL, 0) || ga_free(z, 1, b + 16, 0))
		ok(0, "B + 16 through cpu 1's pcp");
	is_long(owner_of(z, b), 0, "%s: B is unowned when cpu 1 caches B + 16", sw);
	big = alloc_on(z, 0, 3, GA_GFP_KERNEL);
	is_long(big, b + 24, "%s: cpu 0's order-3 refill adopts B and takes B + 24", sw);
	is_long(owner_of(z, b), 1, "%s: B is owned by cpu 0", sw);
	ok(page_state(pfn_to_page(z, b + 17)) == GA_PAGE_PCP &&
	   page_state(pfn_to_page(z, b + 18)) == GA_PAGE_PCP &&
	   page_state(pfn_to_page(z, b + 20)) == GA_PAGE_PCP,
	   "%s: B + 17, 18, 20 are PCPBuddy on cpu 0 (phase 0)", sw);
	held = z->pcp[0].buddy_count;
	zone_ok(z, "%s: checker before cpu 1's drain", sw);

	ga_drain_pcp(z, 1);
	if (on) {
		is_long(stat_of(z, GA_STAT_PCPB_REABSORB), 3, "on: three entries merged back");
		is_long(page_state(pfn_to_page(z, b + 16)), GA_PAGE_BUDDY, "on: B + 16 ...");
		is_long(page_order(pfn_to_page(z, b + 16)), 3, "on: ... is an order-3 free block");
		is_long(z->pcp[0].buddy_count, held - 7, "on: cpu 0 gave up its 7 pages");
		is_long(stat_of(z, GA_STAT_PCPB_DISOWN), 1, "on: and B with them");
		is_long(owner_of(z, b), 0, "on: B is unowned");
	} else {
		is_long(stat_of(z, GA_STAT_PCPB_REABSORB), 0, "off: nothing merged back");
		is_long(page_order(pfn_to_page(z, b + 16)), 0, "off: B + 16 stays alone");
		is_long(z->pcp[0].buddy_count, held, "off: cpu 0 keeps its pages");
		is_long(owner_of(z, b), 1, "off: and B");
	}
	is_long(stat_of(z, GA_STAT_SPB_TAINTED), tainted, "%s: no other SPB was tainted", sw);
	zone_ok(z, "%s: checker after cpu 1's drain", sw);
	/* B + 24 was allocated while cpu 0 owned B; it is freed after. */
	if (ga_free(z, 1, big, 3))
		ok(0, "free B + 24");
	zone_ok(z, "%s: checker after freeing B + 24 on cpu 1", sw);
	rfc21_cleanup(z, on ? "reabsorb on" : "reabsorb off");
}

/*
 * The adoption walk meets a block another CPU owns. cpu 0 adopts B (B + 16
 * order 4: B + 16 taken at order 3, B + 24 left on its pcp), then B + 32
 * (order 5) is freed into the zone. cpu 1's unmovable refill finds no
 * whole free pageblock and walks the tainted SPB: on, it follows B (cpu 0's
 * B + 24 goes back, B becomes cpu 1's, as the series does); off, it skips B
 * and phase 2 splits B + 32 on cpu 1 without owning it. ga_alloc_peek
 * predicts both.
 */
static void follow_scenario(bool on)
{
	const char *sw = on ? "on" : "off";
	struct ga_alloc_choice c;
	ga_pfn_t b, first, page;
	struct ga_zone *z = rfc21_zone(on, &b);
	uint64_t tainted = stat_of(z, GA_STAT_SPB_TAINTED);
	int held;

	first = alloc_on(z, 0, 3, GA_GFP_KERNEL);
	is_long(first, b + 16, "%s: cpu 0 adopts B at B + 16", sw);
	is_long(owner_of(z, b), 1, "%s: B is cpu 0's", sw);
	held = z->pcp[0].buddy_count;
	if (ga_free(z, 0, b + 32, 5))
		ok(0, "free B + 32");
	is_long(page_order(pfn_to_page(z, b + 32)), 5, "%s: B + 32 is free in the zone", sw);
	zone_ok(z, "%s: checker before cpu 1's refill", sw);

	is_long(ga_alloc_peek(z, 1, 0, GA_GFP_KERNEL, &c), 0, "%s: peek", sw);
	page = alloc_on(z, 1, 0, GA_GFP_KERNEL);
	is_long(page, c.pfn, "%s: the peek saw it", sw);
	is_long(page / 512, b / 512, "%s: cpu 1's page comes from B", sw);
	is_long(stat_of(z, GA_STAT_SPB_TAINTED), tainted, "%s: no other SPB was tainted", sw);
	if (on) {
		is_long(stat_of(z, GA_STAT_PCPB_FOLLOW), 1, "on: the walk followed B");
		is_long(owner_of(z, b), 2, "on: B is cpu 1's now");
		is_long(z->pcp[0].buddy_count, held - 8, "on: cpu 0's B + 24 went back");
		is_long(stat_of(z, GA_STAT_PCPB_ADOPT), 2, "on: two adoptions");
	} else {
		is_long(stat_of(z, GA_STAT_PCPB_FOLLOW), 0, "off: no walk followed B");
		is_long(owner_of(z, b), 1, "off: B stays cpu 0's");
		is_long(z->pcp[0].buddy_count, held, "off: cpu 0 keeps B + 24");
		ok(stat_of(z, GA_STAT_PCPB_CHUNK) >= 1, "off: phase 2 split B + 32");
	}
	zone_ok(z, "%s: checker after cpu 1's refill", sw);
	/* cpu 0's page of B, freed on cpu 0: its block may be cpu 1's now. */
	if (ga_free(z, 0, first, 3) || ga_free(z, 1, page, 0))
		ok(0, "free the two pages");
	zone_ok(z, "%s: checker after the frees", sw);
	rfc21_cleanup(z, on ? "follow on" : "follow off");
}

/* ------------------------------------------------------------------------ */
/* Threads: allocators hand their pages to a purger on another CPU.          */

#define RING 1024
#define NR_PAIRS 2
#define PER_THREAD 100000

struct ring {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	ga_pfn_t pfn[RING];
	uint8_t order[RING];
	unsigned int head, tail;
	bool done;
};

struct pair {
	struct ga_zone *z;
	struct ring ring;
	unsigned int alloc_cpu, free_cpu;
	unsigned long allocated, failed, free_errors;
	unsigned long long seed;
};

static void ring_put(struct ring *r, ga_pfn_t pfn, unsigned int order)
{
	pthread_mutex_lock(&r->lock);
	while (r->head - r->tail == RING)
		pthread_cond_wait(&r->cond, &r->lock);
	r->pfn[r->head % RING] = pfn;
	r->order[r->head % RING] = (uint8_t)order;
	r->head++;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

static bool ring_get(struct ring *r, ga_pfn_t *pfn, unsigned int *order)
{
	bool got = false;

	pthread_mutex_lock(&r->lock);
	while (r->head == r->tail && !r->done)
		pthread_cond_wait(&r->cond, &r->lock);
	if (r->head != r->tail) {
		*pfn = r->pfn[r->tail % RING];
		*order = r->order[r->tail % RING];
		r->tail++;
		got = true;
		pthread_cond_broadcast(&r->cond);
	}
	pthread_mutex_unlock(&r->lock);
	return got;
}

static void *allocator(void *arg)
{
	struct pair *pr = arg;
	static const unsigned int gfp[3] = { GA_GFP_HIGHUSER_MOVABLE, GA_GFP_KERNEL,
					     GA_GFP_KERNEL_RECLAIMABLE };

	for (unsigned long i = 0; i < PER_THREAD; i++) {
		unsigned long long r = test_rand(&pr->seed);
		unsigned int order = (r & 7) == 0 ? (unsigned int)(r >> 8) % 4 : 0;
		ga_pfn_t pfn;

		if (ga_alloc(pr->z, pr->alloc_cpu, order, gfp[(r >> 4) % 3], i, &pfn)) {
			pr->failed++;
			continue;
		}
		pr->allocated++;
		ring_put(&pr->ring, pfn, order);
	}
	pthread_mutex_lock(&pr->ring.lock);
	pr->ring.done = true;
	pthread_cond_broadcast(&pr->ring.cond);
	pthread_mutex_unlock(&pr->ring.lock);
	return NULL;
}

static void *purger(void *arg)
{
	struct pair *pr = arg;
	ga_pfn_t pfn;
	unsigned int order;

	while (ring_get(&pr->ring, &pfn, &order))
		if (ga_free(pr->z, pr->free_cpu, pfn, order))
			pr->free_errors++;
	return NULL;
}

static int stop_drainer;

static void *drainer(void *arg)
{
	struct ga_zone *z = arg;
	unsigned long rounds = 0;

	while (!__atomic_load_n(&stop_drainer, __ATOMIC_RELAXED)) {
		ga_drain_pcp(z, (unsigned int)(rounds % 4));
		if (++rounds % 8 == 0)
			ga_vmstat_tick(z);
	}
	return NULL;
}

/*
 * rfc21: the series' preset (RFC 21's adoption and reabsorb on) on a zone
 * of 4-pageblock SPBs, so that refills adopt and follow blocks of tainted
 * SPBs and drains merge other CPUs' entries back while they run.
 */
#define RFC21_PAGES (1ul << 15)

static void test_threads(bool rfc21)
{
	struct ga_policy p = buddy_policy(true);
	struct ga_zone *z;
	struct pair pr[NR_PAIRS];
	pthread_t ta[NR_PAIRS], tf[NR_PAIRS], td;
	unsigned long allocated = 0, errors = 0;
	const char *name = rfc21 ? "rfc + RFC 21" : "pcp_buddy";

	if (rfc21) {
		struct ga_zone_config cfg;

		ga_policy_preset(&p, "rfc");
		ok(p.pcp_buddy && p.pcp_buddy_adopt && p.pcp_buddy_reabsorb,
		   "rfc has per-CPU pageblocks, adoption and reabsorb");
		ga_zone_config_default(&cfg, 0, RFC21_PAGES, 4);
		cfg.spb_order = cfg.pageblock_order + 2;
		cfg.policy = &p;
		if (ga_zone_create(&z, &cfg)) {
			printf("Bail out! ga_zone_create\n");
			exit(1);
		}
	} else {
		z = test_zone(1ul << 16, 4, &p);
	}
	for (int i = 0; i < NR_PAIRS; i++) {
		pr[i] = (struct pair){ .z = z, .alloc_cpu = (unsigned int)i,
				       .free_cpu = (unsigned int)(i + NR_PAIRS),
				       .seed = 0x9e3779b97f4a7c15ull * (unsigned)(i + 1) };
		pthread_mutex_init(&pr[i].ring.lock, NULL);
		pthread_cond_init(&pr[i].ring.cond, NULL);
	}
	__atomic_store_n(&stop_drainer, 0, __ATOMIC_RELAXED);
	pthread_create(&td, NULL, drainer, z);
	for (int i = 0; i < NR_PAIRS; i++) {
		pthread_create(&ta[i], NULL, allocator, &pr[i]);
		pthread_create(&tf[i], NULL, purger, &pr[i]);
	}
	for (int i = 0; i < NR_PAIRS; i++) {
		pthread_join(ta[i], NULL);
		pthread_join(tf[i], NULL);
		allocated += pr[i].allocated;
		errors += pr[i].free_errors + pr[i].failed;
	}
	__atomic_store_n(&stop_drainer, 1, __ATOMIC_RELAXED);
	pthread_join(td, NULL);

	is_long(allocated, NR_PAIRS * PER_THREAD, "%s: every allocation succeeded", name);
	is_long(errors, 0, "%s: and every cross-CPU free was accepted", name);
	ok(stat_of(z, GA_STAT_PCPB_REMOTE_FREE) > 0,
	   "%s: frees reached the owners' remote lists (%llu)", name,
	   (unsigned long long)stat_of(z, GA_STAT_PCPB_REMOTE_FREE));
	if (rfc21)
		ok(stat_of(z, GA_STAT_PCPB_ADOPT) > 0, "%s: refills adopted partial blocks", name);
	if (rfc21)
		diag("%s: adoptions %llu, follows %llu, entries reabsorbed %llu, "
		     "blocks disowned %llu", name,
		     (unsigned long long)stat_of(z, GA_STAT_PCPB_ADOPT),
		     (unsigned long long)stat_of(z, GA_STAT_PCPB_FOLLOW),
		     (unsigned long long)stat_of(z, GA_STAT_PCPB_REABSORB),
		     (unsigned long long)stat_of(z, GA_STAT_PCPB_DISOWN));
	zone_ok(z, "%s: conservation after the threads: free + pcp + remote + allocated",
		name);
	ga_drain_all_pcp(z);
	is_long(free_pages(z), rfc21 ? RFC21_PAGES : 1ul << 16,
		"%s: every page is free after the drains", name);
	for (unsigned int cpu = 0; cpu < 4; cpu++)
		is_long(z->pcp[cpu].count, 0, "%s: cpu %u caches nothing", name, cpu);
	zone_ok(z, "%s: checker after the threads", name);
	for (int i = 0; i < NR_PAIRS; i++) {
		pthread_mutex_destroy(&pr[i].ring.lock);
		pthread_cond_destroy(&pr[i].ring.cond);
	}
	ga_zone_destroy(z);
}

int main(void)
{
	test_claim();
	is_long(remote_scenario(true), 1, "on: the owner's next allocation reuses the page");
	is_long(remote_scenario(false), 0, "off: it stays on the freeing CPU");
	test_purger_locks();
	test_drain_merges();
	test_merge_incremental();
	test_recover();
	test_recover_first_fit();
	adopt_scenario(true);
	adopt_scenario(false);
	reabsorb_scenario(true);
	reabsorb_scenario(false);
	follow_scenario(true);
	follow_scenario(false);
	test_threads(false);
	test_threads(true);
	return done_testing();
}
