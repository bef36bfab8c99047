// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Superpageblocks: content tracking and categories, the index, and each
 * steering mechanism with a constructed scenario whose outcome is asserted
 * against what vanilla does in the same state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "embedder.h"
#include "harness.h"
#include "internal.h"
#include "zone_fixture.h"

#define GIB (1ul << 18)

/* Contents, not labels, taint: one unmovable page taints, freeing it cleans. */
static void test_content_tracking(void)
{
	struct ga_policy p = quiet_policy("vanilla");
	struct ga_zone *z = test_zone(2 * GIB, 1, &p);
	struct ga_spb_info info;
	struct ga_spb_summary sum;
	ga_pfn_t u, m;

	is_long(ga_zone_nr_spbs(z), 2, "a 2 GiB zone has two superpageblocks");
	is_long(spb_category(z, 0), GA_SPB_EMPTY, "a fresh SPB is empty");
	ga_alloc(z, 0, 0, GA_GFP_KERNEL, 1, &u);
	ga_spb_query(z, u / GIB, &info);
	is_long(info.category, GA_SPB_TAINTED, "one unmovable page taints its SPB");
	is_long(info.nr_unmovable_pageblocks, 1, "one pageblock holds unmovable pages");
	ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 2, &m);
	ga_free(z, 0, u, 0);
	ga_spb_query(z, u / GIB, &info);
	is_long(info.nr_unmovable_pageblocks, 0, "the last unmovable page leaving clears it");
	ok(info.category != GA_SPB_TAINTED, "the SPB is no longer tainted (%s), although "
	   "its pageblock stays labelled Unmovable", ga_spb_category_name(info.category));
	ga_spb_summary(z, &sum);
	is_long(sum.total, 2, "summary counts both SPBs");
	is_long(sum.tainted, 0, "none tainted");
	zone_ok(z, "checker recounts contents and SPB counters");
	ga_zone_destroy(z);
}

/*
 * PASS_2: an unmovable request that needs a new pageblock takes a free one
 * in the tainted SPB, not the one in the clean SPB freed last.
 */
static ga_pfn_t pass2_scenario(const char *preset)
{
	struct ga_policy p = quiet_policy(preset);
	struct embedder e;
	struct ga_zone *z = emb_zone(&e, 2 * GIB, 1, &p, NULL);
	ga_pfn_t b0 = 0, b1 = 0, got = 0;
	long o;

	while (emb_alloc(&e, 9, GA_GFP_HIGHUSER_MOVABLE, true) >= 0)
		;
	/* Taint SPB 0: free one pageblock there, let an unmovable page claim it. */
	for (unsigned long i = 0; i < e.nr; i++)
		if (e.obj[i].live && e.obj[i].pfn < GIB) {
			emb_free(&e, i);
			break;
		}
	o = emb_alloc(&e, 0, GA_GFP_KERNEL, true);
	ok(o >= 0 && e.obj[o].pfn < GIB, "%s: the first unmovable page lands in SPB 0", preset);
	/* One free pageblock in each SPB, the clean one freed last. */
	for (unsigned long i = 0; i < e.nr && (!b0 || !b1); i++) {
		if (!e.obj[i].live || e.obj[i].order != 9)
			continue;
		if (!b0 && e.obj[i].pfn < GIB)
			b0 = e.obj[i].pfn, emb_free(&e, i);
		else if (!b1 && e.obj[i].pfn >= GIB)
			b1 = e.obj[i].pfn, emb_free(&e, i);
	}
	o = emb_alloc(&e, 9, GA_GFP_KERNEL, true);
	if (o >= 0)
		got = e.obj[o].pfn;
	zone_ok(z, "%s: checker after the claim", preset);
	emb_destroy(&e);
	return got >= GIB ? 1 : 0;
}

static void test_pass2_prefers_tainted(void)
{
	is_long(pass2_scenario("spb"), 0,
		"spb: the unmovable claim takes the free pageblock in the tainted SPB");
	is_long(pass2_scenario("vanilla"), 1,
		"vanilla: it takes the list head, the block just freed in the clean SPB");
}

/* RFC 12: movable allocations fill the fullest clean SPB. */
static long movable_scenario(const char *preset)
{
	struct ga_policy p = quiet_policy(preset);
	struct embedder e;
	struct ga_zone *z = emb_zone(&e, 3 * GIB, 1, &p, NULL);
	unsigned long freed[3] = { 0 };
	/* Free all of SPB 0, half of SPB 1, 90 % of SPB 2. */
	const unsigned long want[3] = { 256, 128, 230 };
	long o;

	while (emb_alloc(&e, 10, GA_GFP_HIGHUSER_MOVABLE, true) >= 0)
		;
	for (unsigned long i = e.nr; i-- > 0;) {
		unsigned long s = e.obj[i].pfn / GIB;

		if (e.obj[i].live && freed[s] < want[s] && !emb_free(&e, i))
			freed[s]++;
	}
	o = emb_alloc(&e, 0, GA_GFP_HIGHUSER_MOVABLE, true);
	zone_ok(z, "%s: checker", preset);
	o = o < 0 ? -1 : (long)(e.obj[o].pfn / GIB);
	emb_destroy(&e);
	return o;
}

static void test_movable_fullest_clean(void)
{
	is_long(movable_scenario("spb"), 1,
		"spb: a movable page goes to the fullest clean SPB (half full)");
	ok(movable_scenario("vanilla") != 1,
	   "vanilla: it goes wherever the list head is");
}

/* RFC 23: movable steering leaves a tainted SPB's reserve alone. */
static void test_tainted_reserve(void)
{
	struct ga_policy p = quiet_policy("spb");
	struct embedder e;
	struct ga_zone *z;
	struct ga_spb_info info;
	unsigned int reserve;
	long o;

	/* spb_tainted_last: an empty SPB before a tainted one's free blocks. */
	z = emb_zone(&e, 2 * GIB, 1, &p, NULL);
	o = emb_alloc(&e, 0, GA_GFP_KERNEL, true);
	ok(o >= 0 && e.obj[o].pfn < GIB, "tainted last: taint SPB 0");
	o = emb_alloc(&e, 9, GA_GFP_HIGHUSER_MOVABLE, true);
	ok(o >= 0 && e.obj[o].pfn >= GIB,
	   "tainted last: a movable block goes to the empty SPB, not the tainted one");
	ga_spb_query(z, 0, &info);
	is_long(info.nr_free_pageblocks, 511, "tainted last: SPB 0 keeps all its room");
	zone_ok(z, "tainted last: checker");
	emb_destroy(&e);

	/* Without it, PASS_4 fills a tainted SPB down to its reserve first. */
	p.spb_tainted_last = false;
	z = emb_zone(&e, 2 * GIB, 1, &p, NULL);
	/* Taint SPB 0 and fill it up to exactly its reserve of free blocks. */
	o = emb_alloc(&e, 0, GA_GFP_KERNEL, true);
	ok(o >= 0 && e.obj[o].pfn < GIB, "taint SPB 0");
	reserve = ga_max(p.spb_reserve_min, 512 * p.spb_reserve_pct / 100);
	for (;;) {
		ga_spb_query(z, 0, &info);
		if (info.nr_free_pageblocks <= reserve)
			break;
		o = emb_alloc(&e, 9, GA_GFP_HIGHUSER_MOVABLE, true);
		if (o < 0 || e.obj[o].pfn >= GIB)
			break;
	}
	ga_spb_query(z, 0, &info);
	is_long(info.nr_free_pageblocks, reserve,
		"movable filled the tainted SPB down to its reserve (%u)", reserve);
	o = emb_alloc(&e, 9, GA_GFP_HIGHUSER_MOVABLE, true);
	ok(o >= 0 && e.obj[o].pfn >= GIB, "then goes to the empty SPB, not into the reserve");
	ga_spb_query(z, 0, &info);
	is_long(info.nr_free_pageblocks, reserve, "the reserve stays free");
	o = emb_alloc(&e, 9, GA_GFP_KERNEL, true);
	ok(o >= 0 && e.obj[o].pfn < GIB, "an unmovable block finds room in the reserve");
	zone_ok(z, "checker");
	emb_destroy(&e);
}

/* RFC 24: UNMOVABLE -> RECLAIMABLE relabel of a half-used block is refused. */
static long nomix_scenario(bool no_mixing, int *label)
{
	struct ga_policy p = quiet_policy("vanilla");
	struct ga_zone *z;
	const ga_pfn_t b = 5 * 512;
	ga_pfn_t pfn;
	long got;

	p.spb_no_mixing = no_mixing;
	p.min_free_kbytes = 4;
	z = test_zone(16384, 1, &p);
	while (ga_alloc(z, 0, 0, GA_GFP_KERNEL, 0, &pfn) == 0)
		;
	for (ga_pfn_t q = b; q < b + 300; q++)
		ga_free(z, 0, q, 0);
	ga_lock(&z->lock);
	got = rmqueue_claim(z, 0, GA_MT_RECLAIMABLE, 0);
	ga_unlock(&z->lock);
	*label = READ_ONCE(pfn_to_block(z, b)->mt);
	if (got >= 0) {
		ga_lock(&z->lock);
		free_one_page_locked(z, (ga_pfn_t)got, 0,
				     get_pfnblock_migratetype(z, (ga_pfn_t)got), false);
		ga_unlock(&z->lock);
	}
	zone_ok(z, "no_mixing=%d: checker", no_mixing);
	if (no_mixing)
		ok(stat_of(z, GA_STAT_SPB_NOMIX_REFUSED) >= 1,
		   "the refusals are counted (one per candidate order: %llu)",
		   (unsigned long long)stat_of(z, GA_STAT_SPB_NOMIX_REFUSED));
	ga_zone_destroy(z);
	return got;
}

static void test_no_mixing(void)
{
	int label;

	is_long(nomix_scenario(true, &label), -1,
		"no_mixing: a reclaimable claim of a half-used Unmovable block is refused");
	is_long(label, GA_MT_UNMOVABLE, "the block keeps its label");
	ok(nomix_scenario(false, &label) >= 0 && label == GA_MT_RECLAIMABLE,
	   "without it (vanilla) 300 free pages >= 256 relabel the block Reclaimable");
}

/* RFC 17: a 1 GiB request takes an empty SPB, migrating nothing. */
static void test_contig_prefers_empty(const char *preset, bool expect_empty)
{
	struct ga_policy p = quiet_policy(preset);
	struct embedder e;
	struct ga_zone *z = emb_zone(&e, 4 * GIB, 1, &p, NULL);
	struct ga_contig_report r;
	ga_pfn_t pfn;
	unsigned long moved;

	/* Some movable pages in SPBs 0, 1 and 3; SPB 2 stays empty. */
	while (e.live_pages < 3 * GIB - 8192 &&
	       emb_alloc(&e, 10, GA_GFP_HIGHUSER_MOVABLE, true) >= 0)
		;
	for (unsigned long i = 0; i < e.nr; i++)
		if (e.obj[i].live && (e.obj[i].pfn / GIB == 2 || i % 2))
			emb_free(&e, i);
	is_long(spb_category(z, 2), GA_SPB_EMPTY, "%s: SPB 2 is empty", preset);
	is_long(ga_alloc_contig_pages(z, 0, 18, 77, &pfn, &r), 0, "%s: a 1 GiB page", preset);
	moved = r.pages_migrated + r.pages_dropped;
	if (expect_empty) {
		is_long(pfn, 2 * GIB, "%s: it is the empty SPB", preset);
		is_long(moved, 0, "%s: nothing had to move", preset);
		is_long(spb_category(z, 2), GA_SPB_CONTIG, "%s: the SPB is marked contig", preset);
	} else {
		is_long(pfn, 0, "%s: address order takes SPB 0", preset);
		ok(moved > 0, "%s: and migrates %lu pages for it", preset, moved);
	}
	is_long(emb_conservation_errors(&e), 0, "%s: owners conserved", preset);
	zone_ok(z, "%s: checker", preset);
	emb_destroy(&e);
}

/* Evacuation integrates: PASS_2B relabels a movable block and queues it. */
static void test_pass2b_evacuates(void)
{
	struct ga_policy p = quiet_policy("spb");
	struct ga_executor *ex;
	struct embedder e;
	struct ga_zone *z;
	struct ga_pageblock_info bi;
	long u;

	ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 0);
	z = emb_zone(&e, GIB, 1, &p, ex);
	while (emb_alloc(&e, 0, GA_GFP_HIGHUSER_MOVABLE, true) >= 0)
		;
	/* A reclaimable page taints the SPB: no free pageblock is left, so it
	 * goes through PASS_2B into a movable block with room. */
	for (unsigned long i = 0; i < e.nr && i < 64; i++)
		emb_free(&e, i);
	u = emb_alloc(&e, 0, GA_GFP_KERNEL_RECLAIMABLE, true);
	ok(u >= 0, "a reclaimable page is allocated");
	ok(stat_of(z, GA_STAT_SPB_CLAIM_MOVABLE_TAINTED) + stat_of(z, GA_STAT_SPB_TAINT_EMPTY) +
	   stat_of(z, GA_STAT_SPB_TAINT_CLEAN) + stat_of(z, GA_STAT_SPB_FALLTHROUGH) >= 1,
	   "through a steering pass or the fallthrough");
	u = emb_alloc(&e, 0, GA_GFP_KERNEL, true);
	ga_pageblock_query(z, e.obj[u].pfn, &bi);
	ok(stat_of(z, GA_STAT_SPB_CLAIM_MOVABLE_TAINTED) >= 1,
	   "an unmovable page in the tainted SPB relabels a movable block (PASS_2B: %llu)",
	   (unsigned long long)stat_of(z, GA_STAT_SPB_CLAIM_MOVABLE_TAINTED));
	ok(stat_of(z, GA_STAT_EVAC_QUEUED) >= 1, "and queues its evacuation");
	ga_executor_run_pending(ex);
	ok(stat_of(z, GA_STAT_EVAC_PAGES_MIGRATED) > 0, "whose movable pages are moved out");
	is_long(emb_conservation_errors(&e), 0, "owners conserved");
	zone_ok(z, "checker");
	emb_destroy(&e);
	ga_executor_destroy(ex);
}

static void test_visits(void)
{
	struct ga_policy p = quiet_policy("spb");
	struct ga_zone *z = test_zone(4 * GIB, 1, &p);
	struct ga_spb_summary sum;
	ga_pfn_t *pfns = calloc(100000, sizeof(*pfns));
	unsigned long long seed = 11;

	for (int i = 0; i < 100000; i++) {
		unsigned int gfp = test_rand(&seed) % 4 ? GA_GFP_HIGHUSER_MOVABLE :
							  GA_GFP_KERNEL;

		if (ga_alloc(z, 0, 0, gfp, 0, &pfns[i]))
			pfns[i] = ~0ull;
	}
	ga_spb_summary(z, &sum);
	ok(sum.steered >= 100000, "every allocation was steered (%llu)",
	   (unsigned long long)sum.steered);
	is_long(sum.visits_median, 1, "median SPBs visited per allocation: 1");
	ok(sum.visits_p99 <= 2, "p99: %u", sum.visits_p99);
	is_long(sum.tainted, 1, "25%% unmovable pages fit in one tainted SPB");
	zone_ok(z, "checker");
	free(pfns);
	ga_zone_destroy(z);
}

/*
 * RFC 17's second hook: memory is 2/3 free but no pageblock is, so a THP
 * that may reclaim cannot come from the free lists. With
 * spb_contig_movable it empties one window of the clean SPB by migration
 * before compaction runs; without it, compaction does the work. A
 * TRANSHUGE_LIGHT fault never reaches either.
 */
static void thp_scenario(bool hook, unsigned int gfp, uint64_t *tries,
			 uint64_t *stalls, bool *got)
{
	struct ga_policy p = quiet_policy("spb");
	struct embedder e;
	struct ga_zone *z;
	struct ga_pageblock_info bi;
	uint64_t moved;
	long thp;

	p.spb_contig_movable = hook;
	p.kcompactd = false;
	z = emb_zone(&e, GIB, 1, &p, NULL);
	while (emb_alloc(&e, 0, GA_GFP_HIGHUSER_MOVABLE, false) >= 0)
		;
	for (unsigned long i = 0; i < e.nr; i++)
		if (e.obj[i].live && e.obj[i].pfn % 3)
			emb_free(&e, i);
	zone_ok(z, "%s: checker after fragmenting", hook ? "hook" : "no hook");
	thp = emb_alloc(&e, 9, gfp, false);
	*got = thp >= 0;
	*tries = stat_of(z, GA_STAT_SPB_EVACUATE_TRY);
	*stalls = stat_of(z, GA_STAT_COMPACT_STALL);
	if (hook && *got && *tries) {
		is_long(stat_of(z, GA_STAT_SPB_EVACUATE_SUCCESS), 1, "the window was emptied");
		moved = stat_of(z, GA_STAT_SPB_EVACUATE_PAGES);
		ok(moved > 0 && moved <= 171, "by moving its movable pages (%llu)",
		   (unsigned long long)moved);
		ga_pageblock_query(z, e.obj[thp].pfn, &bi);
		is_long(bi.nr_free, 0, "the THP fills its pageblock");
	}
	is_long(emb_conservation_errors(&e), 0, "owners conserved");
	zone_ok(z, "checker after the THP");
	emb_destroy(&e);
}

static void test_thp_evacuates_before_compaction(void)
{
	uint64_t tries, stalls;
	bool got;

	thp_scenario(true, GA_GFP_TRANSHUGE, &tries, &stalls, &got);
	ok(got, "hook: the THP is allocated");
	is_long(tries, 1, "hook: one clean-SPB window tried");
	is_long(stalls, 0, "hook: compaction never ran");
	thp_scenario(false, GA_GFP_TRANSHUGE, &tries, &stalls, &got);
	ok(got, "no hook: compaction allocates the THP");
	is_long(tries, 0, "no hook: no window tried");
	ok(stalls >= 1, "no hook: direct compaction ran (%llu)", (unsigned long long)stalls);
	thp_scenario(true, GA_GFP_TRANSHUGE_LIGHT, &tries, &stalls, &got);
	ok(!got, "light: a fault that may not reclaim falls back to small pages");
	is_long(tries + stalls, 0, "light: neither the hook nor compaction ran");
}

/* Fill the zone with movable blocks of `order` and then order-0 pages. */
static void fill_movable(struct embedder *e, unsigned int order)
{
	while (emb_alloc(e, order, GA_GFP_HIGHUSER_MOVABLE, true) >= 0)
		;
	while (emb_alloc(e, 0, GA_GFP_HIGHUSER_MOVABLE, true) >= 0)
		;
}

/* Free the first n live objects of `order` in SPB spb. */
static unsigned long free_in_spb(struct embedder *e, unsigned long spb,
				 unsigned int order, unsigned long n)
{
	unsigned long done = 0;

	for (unsigned long i = 0; i < e->nr && done < n; i++)
		if (e->obj[i].live && e->obj[i].order == order &&
		    e->obj[i].pfn / GIB == spb && !emb_free(e, i))
			done++;
	return done;
}

/*
 * Free up to n order-8 objects in SPB spb that start a pageblock, so each
 * leaves a half-block hole (whole = false: only if the other half stays
 * allocated), or a whole free pageblock (whole = true: both halves).
 */
static unsigned long free_halves(struct embedder *e, unsigned long spb,
				 unsigned long n, bool whole)
{
	unsigned long done = 0;

	for (unsigned long i = 0; i + 1 < e->nr && done < n; i++) {
		struct fake_obj *a = &e->obj[i], *b = &e->obj[i + 1];

		if (!a->live || !b->live || a->order != 8 || b->order != 8 ||
		    a->pfn / GIB != spb || a->pfn % 512 || b->pfn != a->pfn + 256)
			continue;
		emb_free(e, i);
		if (whole)
			emb_free(e, i + 1);
		done++;
	}
	return done;
}

/*
 * spb_fill_holes: SPB 0 is tainted and has two half-pageblock holes in
 * movable blocks, SPB 1 is clean, full but for one free pageblock. Small
 * movable requests fill the holes and leave that pageblock whole for a
 * THP; the RFC's steering looks only at clean SPBs and splits it. Whatever
 * the watermarks left free (at most a few hundred pages) is used first
 * either way, so 512 pages are asked for.
 */
static bool fill_holes_scenario(bool fill, unsigned long *in_tainted)
{
	struct ga_policy p = quiet_policy("spb");
	struct embedder e;
	struct ga_zone *z;
	struct ga_spb_info info;
	bool whole;

	p.spb_fill_holes = fill;
	p.watermark_scale_factor = 1;
	z = emb_zone(&e, 2 * GIB, 1, &p, NULL);
	fill_movable(&e, 8);
	is_long(free_halves(&e, 0, 1, true), 1, "holes %d: free a block in SPB 0", fill);
	ok(emb_alloc(&e, 0, GA_GFP_KERNEL, true) >= 0, "holes %d: an unmovable page", fill);
	is_long(spb_category(z, 0), GA_SPB_TAINTED, "holes %d: SPB 0 is tainted", fill);
	is_long(free_halves(&e, 0, 2, false), 2, "holes %d: two holes in SPB 0", fill);
	is_long(free_halves(&e, 1, 1, true), 1, "holes %d: free a block in SPB 1", fill);
	ga_spb_query(z, 1, &info);
	is_long(info.nr_free_pageblocks, 1, "holes %d: SPB 1 has one free pageblock", fill);
	*in_tainted = 0;
	for (int k = 0; k < 512; k++) {
		long o = emb_alloc(&e, 0, GA_GFP_HIGHUSER_MOVABLE, true);

		if (o >= 0 && e.obj[o].pfn < GIB)
			(*in_tainted)++;
	}
	ga_spb_query(z, 1, &info);
	whole = info.nr_free_pageblocks == 1;
	zone_ok(z, "holes %d: checker", fill);
	emb_destroy(&e);
	return whole;
}

static void test_fill_holes(void)
{
	unsigned long in_tainted;

	ok(fill_holes_scenario(true, &in_tainted),
	   "fill holes: the clean SPB's free pageblock stays whole");
	ok(in_tainted >= 256, "fill holes: the tainted SPB's holes served %lu pages",
	   in_tainted);
	ok(!fill_holes_scenario(false, &in_tainted),
	   "RFC steering: the clean SPB's free pageblock is split");
	is_long(in_tainted, 0, "RFC steering: no page from the tainted SPB's holes");
}

/*
 * Which SPB a non-movable request taints when no tainted SPB has room:
 * SPB 0 is clean with 4 free pageblocks, SPB 1 clean with 200, SPB 2
 * empty (or, second case, clean with 300). Both take the empty SPB first
 * (RFC 20's pass order); with none, the RFC takes the fullest clean SPB,
 * spb_taint_roomiest the emptiest.
 */
static long taint_scenario(bool roomiest, bool with_empty)
{
	struct ga_policy p = quiet_policy("spb");
	struct embedder e;
	struct ga_zone *z;
	long o, got = -1;

	p.spb_taint_roomiest = roomiest;
	z = emb_zone(&e, 3 * GIB, 1, &p, NULL);
	fill_movable(&e, 9);
	free_in_spb(&e, 0, 9, 4);
	free_in_spb(&e, 1, 9, 200);
	free_in_spb(&e, 2, 9, with_empty ? 512 : 300);
	if (with_empty)
		free_in_spb(&e, 2, 0, 1ul << 18);
	is_long(spb_category(z, 2), with_empty ? GA_SPB_EMPTY : GA_SPB_CLEAN,
		"taint %d/%d: SPB 2 set up", roomiest, with_empty);
	o = emb_alloc(&e, 0, GA_GFP_KERNEL, true);
	if (o >= 0)
		got = (long)(e.obj[o].pfn / GIB);
	is_long(spb_category(z, (unsigned long)got), GA_SPB_TAINTED,
		"taint %d/%d: the SPB it landed in is tainted", roomiest, with_empty);
	zone_ok(z, "taint %d/%d: checker", roomiest, with_empty);
	emb_destroy(&e);
	return got;
}

static void test_taint_roomiest(void)
{
	is_long(taint_scenario(true, true), 2, "roomiest: the empty SPB is tainted");
	is_long(taint_scenario(true, false), 2, "roomiest: else the emptiest clean SPB");
	is_long(taint_scenario(false, true), 2, "RFC: the empty SPB is tainted first (20)");
	is_long(taint_scenario(false, false), 0, "RFC: else the fullest clean SPB");
}

/* A live, unpinned object whose pfn lies in SPB spb (-1 if none). */
static long obj_in_spb(const struct embedder *e, unsigned long spb)
{
	for (unsigned long i = 0; i < e->nr; i++)
		if (e->obj[i].live && e->obj[i].pfn / GIB == spb &&
		    !page_pins(pfn_to_page(e->zone, e->obj[i].pfn)))
			return (long)i;
	return -1;
}

static bool is_pinned(struct ga_zone *z, ga_pfn_t pfn)
{
	return page_pins(pfn_to_page(z, pfn)) > 0;
}

/*
 * Long-term pins: SPB 0 is clean and full of movable order-10 blocks, SPB 1
 * is tainted by one unmovable page and has one free order-10 block. With
 * spb_pin_migrate the first pin of an SPB 0 block moves it into SPB 1; the
 * second finds no room left there and pins in place, as does a block whose
 * owner refuses to move it and one that is in the tainted SPB already.
 */
static void pin_scenario(const char *preset)
{
	bool spb = !strcmp(preset, "spb");
	struct ga_policy p = quiet_policy(preset);
	struct embedder e;
	struct ga_zone *z = emb_zone(&e, 2 * GIB, 1, &p, NULL);
	unsigned long freed = 0, calls;
	ga_pfn_t pinned, was;
	long a, b, c;

	while (emb_alloc(&e, 10, GA_GFP_HIGHUSER_MOVABLE, true) >= 0)
		;
	for (unsigned long i = 0; i < e.nr && freed < 1; i++)
		if (e.obj[i].pfn / GIB == 1 && !emb_free(&e, i))
			freed++;
	ok(emb_alloc(&e, 0, GA_GFP_KERNEL, true) >= 0, "%s: an unmovable page", preset);
	is_long(spb_category(z, 1), GA_SPB_TAINTED, "%s: it taints SPB 1", preset);
	is_long(spb_category(z, 0), GA_SPB_CLEAN, "%s: SPB 0 is clean", preset);
	zone_ok(z, "%s: checker before pinning", preset);

	a = obj_in_spb(&e, 0);
	was = e.obj[a].pfn;
	calls = e.migrate_calls;
	is_long(ga_pin_longterm(z, 0, was, &pinned), 0, "%s: pin a clean-SPB block", preset);
	is_long((long)(pinned / GIB), spb ? 1 : 0,
		spb ? "spb: it was moved into the tainted SPB first"
		    : "vanilla: it is pinned where it is");
	is_long((long)e.obj[a].pfn, (long)pinned, "%s: the owner was told where", preset);
	is_long((long)(e.migrate_calls - calls), spb ? 1 : 0, "%s: migrate calls", preset);
	ok(is_pinned(z, pinned), "%s: the block is pinned", preset);
	is_long((long)stat_of(z, GA_STAT_PIN_MIGRATE), spb ? 1 : 0,
		"%s: pin_migrate counted", preset);
	is_long(spb_category(z, 0), GA_SPB_CLEAN, "%s: SPB 0 still clean", preset);
	zone_ok(z, "%s: checker after the first pin", preset);

	b = obj_in_spb(&e, 0);
	was = e.obj[b].pfn;
	is_long(ga_pin_longterm(z, 0, was, &pinned), 0, "%s: pin a second block", preset);
	is_long((long)pinned, (long)was, "%s: no room left: pinned in place", preset);
	is_long((long)stat_of(z, GA_STAT_PIN_IN_PLACE), spb ? 1 : 0,
		"%s: pin_in_place counted", preset);
	is_long(ga_unpin(z, pinned), 0, "%s: unpin it", preset);
	ok(!is_pinned(z, pinned), "%s: unpinned", preset);

	/* Make room again; an owner that refuses keeps its block in place. */
	is_long(emb_free(&e, (unsigned long)obj_in_spb(&e, 1)), 0, "%s: free room", preset);
	c = obj_in_spb(&e, 0);
	e.obj[c].busy = true;
	was = e.obj[c].pfn;
	is_long(ga_pin_longterm(z, 0, was, &pinned), 0, "%s: pin a busy block", preset);
	is_long((long)pinned, (long)was, "%s: refused move: pinned in place", preset);
	e.obj[c].busy = false;
	ga_unpin(z, pinned);

	c = obj_in_spb(&e, 1);
	calls = e.migrate_calls;
	was = e.obj[c].pfn;
	is_long(ga_pin_longterm(z, 0, was, &pinned), 0, "%s: pin in the tainted SPB", preset);
	is_long((long)pinned, (long)was, "%s: already harmless: not moved", preset);
	is_long((long)(e.migrate_calls - calls), 0, "%s: no migrate call", preset);

	is_long(ga_pin_longterm(z, 1, was, &pinned), -EINVAL, "%s: bad cpu", preset);
	is_long(ga_pin_longterm(z, 0, 2 * GIB, &pinned), -ERANGE, "%s: outside", preset);
	is_long(ga_pin_longterm(z, 0, was + 1, &pinned), -ENOENT, "%s: not a head", preset);
	is_long(emb_conservation_errors(&e), 0, "%s: owners conserved", preset);
	zone_ok(z, "%s: checker at the end", preset);
	emb_destroy(&e);
}

static void test_pin_longterm(void)
{
	pin_scenario("spb");
	pin_scenario("vanilla");
}

/*
 * With only movable steering on, nothing steers non-movable requests, so
 * they must not keep ALLOC_NOFRAGMENT through reclaim (RFC 20 is for
 * steered requests): an unmovable page in an empty zone comes from the
 * fast path, not after a trip through the slow path.
 */
static void test_nofragment_needs_steering(void)
{
	struct ga_policy p = quiet_policy("spb");
	struct embedder e;
	struct ga_zone *z;

	p.spb_steer_nonmovable = false;
	z = emb_zone(&e, GIB, 1, &p, NULL);
	ok(emb_alloc(&e, 0, GA_GFP_KERNEL, true) >= 0, "movable-only steering: unmovable page");
	ok(emb_alloc(&e, 3, GA_GFP_KERNEL_RECLAIMABLE, true) >= 0,
	   "movable-only steering: reclaimable block");
	is_long(stat_of(z, GA_STAT_ALLOC_SLOWPATH), 0,
		"movable-only steering: both from the fast path");
	zone_ok(z, "movable-only steering: checker");
	emb_destroy(&e);

	p.spb_steer_nonmovable = true;
	z = emb_zone(&e, GIB, 1, &p, NULL);
	ok(emb_alloc(&e, 0, GA_GFP_KERNEL, true) >= 0, "full steering: unmovable page");
	ok(stat_of(z, GA_STAT_SPB_TAINT_EMPTY) == 1,
	   "full steering: it tainted the empty SPB, after reclaim (RFC 20)");
	zone_ok(z, "full steering: checker");
	emb_destroy(&e);
}

/*
 * spb_relax_placement: SPB 0 is tainted and full, SPB 1 is empty, so free
 * memory is far above the high watermark. A non-movable request that
 * finds no room in SPB 0 lacks placement, not memory: with the switch it
 * taints SPB 1 without entering direct reclaim; without it (RFC 20) it
 * reclaims first (and, when reclaim frees anything, drains every pcp list).
 */
static unsigned long relax_reclaim(void *ctx, struct ga_zone *zone,
				   const struct ga_reclaim_request *req)
{
	(void)zone;
	(void)req;
	(*(unsigned long *)ctx)++;
	return 0;	/* nothing to evict: only count the calls */
}

static void relax_scenario(bool relax, unsigned long *reclaims, int *landed)
{
	static const struct ga_ops ops = { .reclaim = relax_reclaim };
	struct ga_policy p = quiet_policy("spb");
	struct ga_zone_config cfg;
	struct ga_zone *z;
	unsigned long calls = 0;
	ga_pfn_t pfn = 0;
	int err;

	p.spb_relax_placement = relax;
	ga_zone_config_default(&cfg, 0, 2 * GIB, 1);
	cfg.policy = &p;
	cfg.ops = &ops;
	cfg.ops_ctx = &calls;
	if (ga_zone_create(&z, &cfg))
		abort();
	/* Fill SPB 0 with unmovable blocks, then pages; give back the first
	 * allocation that lands in SPB 1. */
	while (!ga_alloc(z, 0, 9, GA_GFP_KERNEL, 1, &pfn) && pfn < GIB)
		;
	if (pfn >= GIB)
		ga_free(z, 0, pfn, 9);
	while (!ga_alloc(z, 0, 0, GA_GFP_KERNEL, 1, &pfn) && pfn < GIB)
		;
	if (pfn >= GIB)
		ga_free(z, 0, pfn, 0);
	ga_drain_all_pcp(z);
	is_long(spb_category(z, 1), GA_SPB_EMPTY, "relax %d: SPB 1 is still empty", relax);
	calls = 0;
	err = ga_alloc(z, 0, 0, GA_GFP_KERNEL, 2, &pfn);
	*reclaims = calls;
	*landed = err ? -1 : (int)(pfn / GIB);
	zone_ok(z, "relax %d: checker", relax);
	ga_zone_destroy(z);
}

static void test_relax_placement(void)
{
	unsigned long reclaims;
	int landed;

	relax_scenario(true, &reclaims, &landed);
	is_long(landed, 1, "relax on: the request taints the empty SPB");
	is_long(reclaims, 0, "relax on: without calling reclaim");
	relax_scenario(false, &reclaims, &landed);
	is_long(landed, 1, "relax off: it ends up there too");
	ok(reclaims > 0, "relax off: but only after reclaim (%lu calls)", reclaims);
}

int main(void)
{
	test_content_tracking();
	test_pass2_prefers_tainted();
	test_movable_fullest_clean();
	test_tainted_reserve();
	test_no_mixing();
	test_contig_prefers_empty("spb", true);
	test_contig_prefers_empty("vanilla", false);
	test_pass2b_evacuates();
	test_thp_evacuates_before_compaction();
	test_visits();
	test_pin_longterm();
	test_fill_holes();
	test_taint_roomiest();
	test_nofragment_needs_steering();
	test_relax_placement();
	return done_testing();
}
