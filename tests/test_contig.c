// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Contiguous allocation with a fake embedder that owns every page: 1 GiB
 * ranges obtained by dropping clean pages and by migrating dirty ones,
 * failures with the blocking page reported (unmovable, pinned, refused),
 * isolation undone on failure, deferred frees, and conservation of every
 * owner's pages throughout.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "embedder.h"
#include "harness.h"
#include "migrate.h"

#define GIB_ORDER 18
#define GIB (1ul << GIB_ORDER)

static struct ga_policy contig_policy(void)
{
	struct ga_policy p;

	ga_policy_preset(&p, "vanilla");
	p.min_free_kbytes = 1024;
	return p;
}

/* Fill with movable blocks of orders 0..3 until n pages are allocated. */
static void fill_movable(struct embedder *e, unsigned long n, bool dirty)
{
	unsigned long long seed = 5;

	while (e->live_pages < n) {
		unsigned int order = test_rand(&seed) % 4;

		if (emb_alloc(e, order, GA_GFP_HIGHUSER_MOVABLE, dirty) < 0)
			break;
	}
}

static uint64_t stat_of(struct ga_zone *z, enum ga_stat_item item)
{
	struct ga_stats s;

	ga_zone_stats(z, &s);
	return s.v[item];
}

/* A zone full of clean page cache gives all its 1 GiB pages by dropping. */
static void test_full_zone_drops(void)
{
	struct ga_policy p = contig_policy();
	struct embedder e;
	struct ga_zone *z = emb_zone(&e, 4 * GIB, 2, &p, NULL);
	struct ga_contig_report r;
	ga_pfn_t pfn[4];
	int got = 0;

	fill_movable(&e, 4 * GIB, false);
	ok(emb_live_pages(&e) > 4 * GIB - 4096, "filled 4 GiB with movable pages (%lu)",
	   emb_live_pages(&e));
	for (int i = 0; i < 4; i++)
		got += ga_alloc_contig_pages(z, 0, GIB_ORDER, 1000 + i, &pfn[i], &r) == 0;
	is_long(got, 4, "four 1 GiB contiguous allocations succeed");
	is_long(emb_live_pages(&e), 0, "every clean page was dropped to make room");
	is_long(emb_conservation_errors(&e), 0, "owners conserved");
	ok(stat_of(z, GA_STAT_PGDROP) > 4 * GIB - 4096, "pages dropped counted");
	zone_ok(z, "checker with the whole zone held by contiguous ranges");
	for (int i = 0; i < 4; i++)
		is_long(ga_free_contig_range(z, 0, pfn[i], pfn[i] + GIB), 0,
			"free 1 GiB range %d", i);
	ga_drain_all_pcp(z);
	struct ga_zone_info info;
	ga_zone_info(z, &info);
	is_long(info.nr_free[10], 4 * GIB / 1024, "all memory free and merged again");
	zone_ok(z, "checker after freeing the ranges");
	emb_destroy(&e);
}

/* Dirty pages cannot be dropped: 1.5 GiB live in 4 GiB, two 1 GiB ranges
 * by migration (a third would need every last free page). */
static void test_migrate_out(void)
{
	struct ga_policy p = contig_policy();
	struct embedder e;
	struct ga_zone *z = emb_zone(&e, 4 * GIB, 2, &p, NULL);
	struct ga_contig_report r;
	ga_pfn_t a, b;
	unsigned long live;

	fill_movable(&e, 3 * GIB / 2, true);
	live = emb_live_pages(&e);
	is_long(ga_alloc_contig_pages(z, 0, GIB_ORDER, 1, &a, &r), 0, "first 1 GiB");
	ok(r.pages_migrated > 0 && r.pages_dropped == 0,
	   "obtained by migrating %lu pages (dirty: none dropped)", r.pages_migrated);
	is_long(ga_alloc_contig_pages(z, 0, GIB_ORDER, 2, &b, &r), 0, "second 1 GiB");
	is_long(emb_live_pages(&e), live, "nothing was lost: every object still lives");
	is_long(emb_conservation_errors(&e), 0, "every owner holds exactly its pages");
	for (unsigned long i = 0; i < e.nr; i++) {
		ga_pfn_t q = e.obj[i].pfn;

		if ((q >= a && q < a + GIB) || (q >= b && q < b + GIB)) {
			ok(0, "object %lu still inside an allocated range", i);
			break;
		}
	}
	ok(stat_of(z, GA_STAT_CONTIG_PAGES_MOVED) == stat_of(z, GA_STAT_PGMIGRATE_SUCCESS),
	   "pages moved for the ranges = pages migrated (%llu)",
	   (unsigned long long)stat_of(z, GA_STAT_CONTIG_PAGES_MOVED));
	zone_ok(z, "checker after migrating 2 GiB out of the way");
	emb_destroy(&e);
}

/* One unmovable allocation per GiB: no window works; the blocker is named. */
static void test_unmovable_blocks(void)
{
	struct ga_policy p = contig_policy();
	struct embedder e;
	struct ga_zone *z = emb_zone(&e, 4 * GIB, 2, &p, NULL);
	struct ga_zone_info before, after;
	struct ga_contig_report r;
	ga_pfn_t pins[4], pfn;

	/* Fill with max-order movable blocks; then, per GiB, free one and let
	 * an unmovable max-order allocation claim it (the freed block heads
	 * the list; an order-0 one would reuse the first claimed block). */
	while (emb_alloc(&e, 10, GA_GFP_HIGHUSER_MOVABLE, true) >= 0)
		;
	for (int i = 0; i < 4; i++) {
		pins[i] = 0;
		for (unsigned long o = 0; o < e.nr; o++) {
			long u;

			if (!e.obj[o].live || e.obj[o].pfn / GIB != (ga_pfn_t)i)
				continue;
			emb_free(&e, o);
			u = emb_alloc(&e, 10, GA_GFP_KERNEL, true);
			if (u >= 0)
				pins[i] = e.obj[u].pfn;
			break;
		}
		ok(pins[i] / GIB == (ga_pfn_t)i, "unmovable block %d landed in GiB %d", i, i);
	}
	ga_drain_all_pcp(z);
	ga_zone_info(z, &before);
	is_long(ga_alloc_contig_pages(z, 0, GIB_ORDER, 9, &pfn, &r), -EBUSY,
		"no 1 GiB range can be had");
	is_long(r.reason, GA_BLOCK_UNMOVABLE, "the reason is an unmovable page (%s)",
		ga_block_reason_name(r.reason));
	is_long(r.pfn, pins[3], "and the report names the blocking pfn of the last window");
	is_long(r.migratetype, GA_MT_UNMOVABLE, "with its migratetype");
	ga_zone_info(z, &after);
	is_long(after.free_pages, before.free_pages, "isolation was undone: free pages as before");
	is_long(stat_of(z, GA_STAT_CONTIG_FAIL_UNMOVABLE), 4, "four failures counted");
	is_long(emb_conservation_errors(&e), 0, "owners conserved");
	zone_ok(z, "checker after failed attempts");
	emb_destroy(&e);
}

/* A pinned page is found during migration; unpinned, the range works. */
static void test_pinned_and_refused(void)
{
	struct ga_policy p = contig_policy();
	struct embedder e;
	struct ga_zone *z = emb_zone(&e, GIB, 1, &p, NULL);
	struct ga_contig_report r;
	long victim;

	fill_movable(&e, GIB / 4, true);
	victim = (long)(e.nr / 2);
	is_long(ga_pin(z, e.obj[victim].pfn), 0, "pin one page");
	is_long(ga_alloc_contig_range(z, 0, 0, GIB / 2, 7, &r), -EBUSY,
		"a range holding a pinned page fails");
	is_long(r.reason, GA_BLOCK_PINNED, "because it is pinned");
	is_long(r.pfn, e.obj[victim].pfn, "at the pinned page");
	is_long(emb_conservation_errors(&e), 0, "owners conserved after the failure");
	zone_ok(z, "checker after a pinned failure");
	is_long(ga_unpin(z, e.obj[victim].pfn), 0, "unpin");
	is_long(ga_unpin(z, e.obj[victim].pfn), -EINVAL, "a second unpin is refused");

	e.obj[victim].busy = true;
	is_long(ga_alloc_contig_range(z, 0, 0, GIB / 2, 7, &r), -EBUSY,
		"an owner that refuses to move blocks the range");
	is_long(r.reason, GA_BLOCK_MIGRATE_FAILED, "reason: migrate failed");
	is_long(r.owner, (uint64_t)victim, "with the refusing owner named");
	e.obj[victim].busy = false;
	is_long(ga_alloc_contig_range(z, 0, 0, GIB / 2, 7, &r), 0,
		"with the page movable again, the range is obtained");
	is_long(emb_conservation_errors(&e), 0, "owners conserved");
	zone_ok(z, "checker after success");
	is_long(ga_free(z, 0, 0, 0), -ENOENT, "ga_free of a contiguous range is refused");
	is_long(ga_free_contig_range(z, 0, 0, GIB / 2), 0, "free it");
	is_long(ga_free_contig_range(z, 0, 0, GIB / 2), -ENOENT, "twice is refused");
	is_long(ga_alloc_contig_range(z, 0, 100, GIB / 2, 7, &r), -EINVAL, "misaligned: -EINVAL");
	is_long(ga_alloc_contig_range(z, 0, 0, 2 * GIB, 7, &r), -ERANGE, "outside: -ERANGE");
	zone_ok(z, "checker at the end");
	emb_destroy(&e);
}

/*
 * ga_alloc_contig_pages tries window after window; what a window that then
 * fails moved out stays moved, so the report must count it. Two 16 MiB
 * windows and 8 MiB of room above them: both windows half full of movable
 * pages, a third of them clean (dropped, not migrated), and the last
 * object of window 0, and if both_fail of window 1, refusing to move. The
 * report's totals must be what the owners' callbacks saw, window 0's moves
 * included.
 */
#define WIN_ORDER 12
#define WIN (1ul << WIN_ORDER)

static void test_report_sums_windows(bool both_fail)
{
	const char *what = both_fail ? "both fail" : "second works";
	struct ga_policy p = contig_policy();
	struct embedder e;
	struct ga_zone *z = emb_zone(&e, 2 * WIN + WIN / 2, 1, &p, NULL);
	unsigned long long seed = 11;
	unsigned long mig0, drop0, in0 = 0, moved0 = 0;
	uint64_t stat_mig0, stat_drop0;
	long last[2] = { -1, -1 };
	struct ga_contig_report r;
	ga_pfn_t pfn = 0, *was;
	int err;

	for (;;) {
		unsigned int order = test_rand(&seed) % 4;

		if (emb_alloc(&e, order, GA_GFP_HIGHUSER_MOVABLE, e.nr % 3 != 0) < 0)
			break;
	}
	for (unsigned long i = 0; i < e.nr; i++) {
		if (!e.obj[i].live)
			continue;
		if (e.obj[i].pfn >= 2 * WIN || i % 2) {
			emb_free(&e, i);
			continue;
		}
		if (last[e.obj[i].pfn / WIN] < 0 ||
		    e.obj[i].pfn > e.obj[last[e.obj[i].pfn / WIN]].pfn)
			last[e.obj[i].pfn / WIN] = (long)i;
	}
	ok(last[0] >= 0 && last[1] >= 0, "%s: both windows hold movable pages", what);
	if (last[0] < 0 || last[1] < 0) {
		emb_destroy(&e);
		return;
	}
	/* Refusing to move: dirty, or it would be dropped instead. */
	e.obj[last[0]].busy = e.obj[last[0]].dirty = true;
	if (both_fail)
		e.obj[last[1]].busy = e.obj[last[1]].dirty = true;
	was = calloc(e.nr, sizeof(*was));
	for (unsigned long i = 0; i < e.nr; i++) {
		was[i] = e.obj[i].live ? e.obj[i].pfn : 2 * WIN;
		in0 += (long)i != last[0] && was[i] < WIN;
	}
	zone_ok(z, "%s: checker before", what);

	mig0 = e.migrated_pages;
	drop0 = e.dropped_pages;
	stat_mig0 = stat_of(z, GA_STAT_PGMIGRATE_SUCCESS);
	stat_drop0 = stat_of(z, GA_STAT_PGDROP);
	err = ga_alloc_contig_pages(z, 0, WIN_ORDER, 5, &pfn, &r);
	for (unsigned long i = 0; i < e.nr; i++)
		moved0 += (long)i != last[0] && was[i] < WIN &&
			  (!e.obj[i].live || e.obj[i].pfn != was[i]);
	is_long(e.obj[last[0]].pfn, was[last[0]], "%s: window 0's last object stayed", what);
	free(was);
	if (both_fail) {
		is_long(err, -EBUSY, "%s: no window can be had", what);
		is_long(r.reason, GA_BLOCK_MIGRATE_FAILED, "%s: reason: migrate failed", what);
		is_long(r.owner, (uint64_t)last[1], "%s: named: window 1's refusing owner", what);
		is_long(r.pfn, e.obj[last[1]].pfn, "%s: at its pfn", what);
	} else {
		is_long(err, 0, "%s: a window is obtained", what);
		is_long(pfn, WIN, "%s: the second one", what);
		is_long(r.reason, GA_BLOCK_NONE, "%s: success reports no blocker", what);
		is_long(r.migratetype, -1, "%s: and no migratetype", what);
	}
	ok(e.migrated_pages > mig0 && e.dropped_pages > drop0,
	   "%s: pages were migrated and dropped (%lu, %lu)", what,
	   e.migrated_pages - mig0, e.dropped_pages - drop0);
	ok(in0 > 0 && moved0 == in0, "%s: window 0 failed on its last object after "
	   "its %lu others moved out (%lu)", what, in0, moved0);
	is_long(r.pages_migrated, e.migrated_pages - mig0,
		"%s: pages_migrated counts every window tried", what);
	is_long(r.pages_dropped, e.dropped_pages - drop0,
		"%s: pages_dropped counts every window tried", what);
	is_long(stat_of(z, GA_STAT_PGMIGRATE_SUCCESS) - stat_mig0, r.pages_migrated,
		"%s: as the library's own migration counter says", what);
	is_long(stat_of(z, GA_STAT_PGDROP) - stat_drop0, r.pages_dropped,
		"%s: and its drop counter", what);
	is_long(emb_conservation_errors(&e), 0, "%s: owners conserved", what);
	zone_ok(z, "%s: checker after", what);
	if (!err)
		is_long(ga_free_contig_range(z, 0, pfn, pfn + WIN), 0, "%s: free it", what);
	emb_destroy(&e);
}

static int cmp_pfn(const void *a, const void *b)
{
	ga_pfn_t x = *(const ga_pfn_t *)a, y = *(const ga_pfn_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Pages freed into isolated blocks merge on the ISOLATE list across block
 * boundaries whatever the blocks' labels: here a HighAtomic block and the
 * movable block next to it become one free order-10 buddy while a range
 * is emptied. The range then fails (two owners refuse to move), and the
 * undo must give each block its free pages back on its own label's list.
 */
static void test_undo_splits_merged_buddy(void)
{
	struct ga_policy p = contig_policy();
	struct embedder e;
	struct ga_zone *z = emb_zone(&e, 1ul << 16, 1, &p, NULL);
	struct ga_contig_report r;
	ga_pfn_t pfn[4];
	long o[4];

	for (int i = 0; i < 4; i++) {
		o[i] = emb_alloc(&e, 9, GA_GFP_HIGHUSER_MOVABLE, true);
		pfn[i] = e.obj[o[i]].pfn;
	}
	qsort(pfn, 4, sizeof(pfn[0]), cmp_pfn);
	ok(pfn[0] % 2048 == 0 && pfn[3] == pfn[0] + 1536,
	   "four blocks in one aligned 8 MiB run (%#llx)", (unsigned long long)pfn[0]);
	for (int i = 0; i < 4; i++) {	/* the upper two refuse to move */
		if (e.obj[o[i]].pfn >= pfn[2])
			e.obj[o[i]].busy = true;
	}
	reserve_highatomic_pageblock(z, pfn[0], 9);
	is_long(ga_zone_policy(z)->highatomic ? 1 : 0, 1, "highatomic reserve on");
	zone_ok(z, "checker with a HighAtomic block");
	is_long(ga_alloc_contig_range(z, 0, pfn[0], pfn[0] + 2048, 7, &r), -EBUSY,
		"the range fails on the refusing owners");
	is_long(r.reason, GA_BLOCK_MIGRATE_FAILED, "reason: migrate failed");
	zone_ok(z, "checker after the undo: each block's free pages on its list");
	is_long(emb_conservation_errors(&e), 0, "owners conserved");
	emb_destroy(&e);
}

/* Reclaimable allocations are dropped (shrinker) or block the range. */
static void test_reclaimable(void)
{
	struct ga_policy p = contig_policy();
	struct embedder e;
	struct ga_zone *z = emb_zone(&e, GIB, 1, &p, NULL);
	struct ga_contig_report r;
	long slab;

	slab = emb_alloc(&e, 0, GA_GFP_KERNEL_RECLAIMABLE, true);
	is_long(ga_alloc_contig_range(z, 0, 0, GIB, 3, &r), -EBUSY,
		"a reclaimable object that will not drop blocks the range");
	is_long(r.reason, GA_BLOCK_RECLAIMABLE, "reason: reclaimable");
	e.obj[slab].dirty = false;
	is_long(ga_alloc_contig_range(z, 0, 0, GIB, 3, &r), 0,
		"once it can be dropped, the range is obtained");
	is_long(r.pages_dropped, 1, "by dropping it");
	ok(!e.obj[slab].live, "the owner was told to drop it");
	zone_ok(z, "checker");
	emb_destroy(&e);
}

/* One movable page in a small zone, isolated by a migration (white-box). */
struct one_isolated {
	struct ga_policy p;
	struct embedder e;
	struct ga_zone *z;
	struct migrate_control mc;
	struct migrate_batch b;
	long o;
	ga_pfn_t pfn;
};

static void isolate_one(struct one_isolated *t, bool dirty, enum migrate_mode mode,
			bool drop_clean, const char *what)
{
	ga_pfn_t scan;

	t->p = contig_policy();
	t->z = emb_zone(&t->e, 1ul << 14, 1, &t->p, NULL);
	t->o = emb_alloc(&t->e, 0, GA_GFP_HIGHUSER_MOVABLE, dirty);
	t->pfn = scan = t->e.obj[t->o].pfn;
	migrate_control_init(&t->mc, t->z, 0, mode);
	t->mc.drop_clean = drop_clean;
	is_long(isolate_migratepages(&t->mc, &scan, t->pfn + 1, &t->b), 1,
		"%s: isolate the page", what);
}

/* ga_free of an isolated page is deferred to putback. */
static void test_deferred_free(void)
{
	struct one_isolated t;
	struct ga_page_info pi;

	isolate_one(&t, true, MIGRATE_SYNC, false, "deferred");
	ga_page_query(t.z, t.pfn, &pi);
	ok(pi.isolated, "it reads as isolated");
	is_long(emb_free(&t.e, (unsigned long)t.o), 0, "the owner frees it meanwhile");
	is_long(ga_free(t.z, 0, t.pfn, 0), -EALREADY, "a second free is a double free");
	ga_page_query(t.z, t.pfn, &pi);
	is_long(pi.state, GA_PAGE_ALLOC, "the free is deferred while isolated");
	is_long(migrate_pages_batch(&t.mc, &t.b), 0, "migration completes the free");
	ga_page_query(t.z, t.pfn, &pi);
	ok(pi.state != GA_PAGE_ALLOC, "the page is free now");
	is_long(stat_of(t.z, GA_STAT_FREE_DEFERRED), 1, "deferred free counted");
	is_long(stat_of(t.z, GA_STAT_PGMIGRATE_FREED), 1, "and its completion");
	ga_drain_all_pcp(t.z);
	zone_ok(t.z, "checker after a deferred free");
	emb_destroy(&t.e);
}

/*
 * The same with a clean page, which migration would first try to drop:
 * once its owner freed it, the owner must not be asked about it again.
 */
static void test_deferred_free_clean(void)
{
	struct one_isolated t;
	struct ga_page_info pi;

	isolate_one(&t, false, MIGRATE_ASYNC, true, "clean");
	is_long(emb_free(&t.e, (unsigned long)t.o), 0, "clean: the owner frees it meanwhile");
	is_long(migrate_pages_batch(&t.mc, &t.b), 0, "clean: the batch completes the free");
	is_long(t.e.drop_calls + t.e.migrate_calls, 0,
		"clean: no callback names the freed page");
	ga_page_query(t.z, t.pfn, &pi);
	ok(pi.state != GA_PAGE_ALLOC, "clean: the page is free now");
	is_long(stat_of(t.z, GA_STAT_PGDROP), 0, "clean: not counted as dropped");
	ga_drain_all_pcp(t.z);
	zone_ok(t.z, "clean: checker after a deferred free");
	emb_destroy(&t.e);
}

/*
 * A page a mover has isolated cannot be pinned: the mover checked for pins
 * before calling ops->migrate and would move it under the pin. Once the
 * move is done (or the page put back), pinning works again.
 */
static void test_no_pin_while_isolated(void)
{
	struct one_isolated t;
	ga_pfn_t moved, scan;

	isolate_one(&t, true, MIGRATE_SYNC, false, "pin/isolate");
	is_long(ga_pin(t.z, t.pfn), -EAGAIN, "pin/isolate: a pin is refused while isolated");
	is_long(migrate_pages_batch(&t.mc, &t.b), 0, "pin/isolate: the page moves");
	moved = t.e.obj[t.o].pfn;
	ok(moved != t.pfn, "pin/isolate: the owner was told where");
	is_long(ga_pin(t.z, moved), 0, "pin/isolate: pinning the new page works");
	scan = moved;
	is_long(isolate_migratepages(&t.mc, &scan, scan + 1, &t.b), 0,
		"pin/isolate: and a pinned page is not isolated");
	is_long(ga_unpin(t.z, moved), 0, "pin/isolate: unpin");
	is_long(emb_conservation_errors(&t.e), 0, "pin/isolate: owners conserved");
	zone_ok(t.z, "pin/isolate: checker");
	emb_destroy(&t.e);
}

static void test_region_report(void)
{
	struct ga_policy p = contig_policy();
	struct embedder e;
	struct ga_zone *z = emb_zone(&e, 2 * GIB, 1, &p, NULL);
	struct ga_region_info r0, r1;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	long u;

	do {
		u = emb_alloc(&e, 0, GA_GFP_KERNEL, true);
	} while (u >= 0 && e.obj[u].pfn < GIB);
	ga_drain_all_pcp(z);
	ga_region_query(z, 0, 0, &r0);
	ga_region_query(z, 1, 0, &r1);
	ok(r0.tainted && r0.nr_unmovable > 0, "region 0 is tainted by unmovable pages");
	ok(r1.tainted && r1.nr_unmovable == 1, "region 1 holds exactly one unmovable page");
	ga_print_regions(z, f);
	fclose(f);
	ok(strstr(buf, "blocked: unmovable") != NULL, "the region report names the blocker");
	free(buf);
	emb_destroy(&e);
}

int main(void)
{
	test_full_zone_drops();
	test_migrate_out();
	test_unmovable_blocks();
	test_pinned_and_refused();
	test_reclaimable();
	test_report_sums_windows(false);
	test_report_sums_windows(true);
	test_deferred_free();
	test_deferred_free_clean();
	test_no_pin_while_isolated();
	test_undo_splits_merged_buddy();
	test_region_report();
	return done_testing();
}
