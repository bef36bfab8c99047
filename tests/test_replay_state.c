// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The replay's starting state and its untraced allocations: the "before"
 * kpageflags of a real Debian 6.1 guest (tests/data/capture-6.1-dirs) read
 * into allocations at their own pfns and pageblock labels matching the
 * snapshot's pagetypeinfo, rebuilt in a zone with ga_alloc_at under the
 * invariant checker; and, on traces built event by event, the first pass
 * that finds frees of pages the trace never allocated and inserts them
 * where their pfn was last known free.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ftrace.h"
#include "groundtruth.h"
#include "harness.h"
#include "replay.h"
#include "startstate.h"
#include "trace.h"
#include "trace_fixture.h"

static void load_before(struct ground_truth *gt)
{
	char before[512], err[256];

	snprintf(before, sizeof(before), "%s/capture-6.1-dirs/before", data_dir());
	if (gt_load_dirs(gt, NULL, before, NULL, err, sizeof(err))) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
}

/* What start_state_load reads from a real snapshot, and that it adds up. */
static void test_load(void)
{
	static struct ground_truth gt;
	struct start_state ss;
	char dir[512], err[256] = "";
	uint64_t sum = 0, misaligned = 0, bad_order = 0, unordered = 0;
	int rc;

	load_before(&gt);
	snprintf(dir, sizeof(dir), "%s/capture-6.1-dirs/before", data_dir());
	rc = start_state_load(&ss, dir, 524288, &gt.before, err, sizeof(err));
	is_long(rc, 0, "the before snapshot loads");
	if (rc) {
		diag("%s", err);
		return;
	}
	/* kpageflags stops at the guest's max_pfn, below the zone end. */
	is_long((long)ss.end_pfn, 524241, "read every pfn the kernel exported");
	is_long((long)(ss.pages_used + ss.pages_free + ss.pages_hole), (long)ss.end_pfn,
		"each pfn is in use, free or not memory");
	for (size_t i = 0; i < ss.nr; i++) {
		const struct start_unit *u = &ss.unit[i];

		sum += 1ull << u->order;
		misaligned += (u->pfn & ((1ull << u->order) - 1)) != 0;
		bad_order += u->order > 10;
		unordered += i && u->pfn <= ss.unit[i - 1].pfn;
	}
	is_long((long)sum, (long)ss.pages_used, "the allocations cover the pages in use");
	is_long((long)misaligned, 0, "every allocation is naturally aligned");
	is_long((long)bad_order, 0, "no allocation above MAX_PAGE_ORDER");
	is_long((long)unordered, 0, "allocations in pfn order, disjoint");
	ok(ss.compound_units > 0, "compound pages become one allocation each (%llu)",
	   (unsigned long long)ss.compound_units);
	ok(ss.pages_by_class[SC_MOVABLE] > 0 && ss.pages_by_class[SC_SLAB] > 0 &&
	   ss.pages_by_class[SC_UNFLAGGED] > 0, "movable, slab and unflagged pages seen");
	/* buddyinfo was read a moment before kpageflags: close, not equal. */
	ok(ss.pages_free <= gt.before.buddy_free_pages * 102 / 100 &&
	   ss.pages_free >= gt.before.buddy_free_pages * 98 / 100,
	   "free pages %llu within 2 %% of buddyinfo's %llu",
	   (unsigned long long)ss.pages_free, (unsigned long long)gt.before.buddy_free_pages);
	is_long((long)ss.labelled[GA_MT_UNMOVABLE],
		(long)(gt.before.blocks[GA_MT_UNMOVABLE] + gt.before.blocks[GA_MT_HIGHATOMIC]),
		"as many Unmovable labels as pagetypeinfo counts");
	is_long((long)ss.labelled[GA_MT_RECLAIMABLE], (long)gt.before.blocks[GA_MT_RECLAIMABLE],
		"as many Reclaimable labels");
	is_long((long)ss.label[0], GA_MT_UNMOVABLE, "DMA's one Unmovable block is its first");
	/* DMA32's free lists: one order-9 buddy on Unmovable, one on
	 * Reclaimable, 428 order-10 on Movable (pagetypeinfo before). */
	is_long((long)gt.before.block_zone[1].free_single[GA_MT_UNMOVABLE], 1,
		"one wholly free Unmovable block in DMA32");
	is_long((long)gt.before.block_zone[1].free_single[GA_MT_RECLAIMABLE], 1,
		"one wholly free Reclaimable block");
	is_long((long)gt.before.block_zone[1].free_pairs[GA_MT_MOVABLE], 428,
		"428 free pairs of Movable blocks");
	is_long((long)ss.labelled_free[GA_MT_RECLAIMABLE], 1,
		"a wholly free block is labelled Reclaimable for it");
	is_long((long)ss.labelled_free[GA_MT_UNMOVABLE], 1,
		"... and one Unmovable");
	/* The other labelled blocks hold pages: pagetypeinfo counts no more
	 * free buddies of pageblock order or more on those lists. */
	is_long((long)ss.labelled_empty[GA_MT_UNMOVABLE], (long)ss.labelled_free[GA_MT_UNMOVABLE],
		"no other Unmovable-labelled block is wholly free");
	is_long((long)ss.labelled_empty[GA_MT_RECLAIMABLE],
		(long)ss.labelled_free[GA_MT_RECLAIMABLE], "nor Reclaimable-labelled");
	start_state_free(&ss);

	rc = start_state_load(&ss, "/nonexistent-dir", 524288, &gt.before, err, sizeof(err));
	is_long(rc, -ENOENT, "no kpageflags: -ENOENT (the caller packs)");
}

/* Replay the real excerpt from the rebuilt state, checker on. */
static void test_replay_from_state(void)
{
	static struct ground_truth gt;
	static struct replay_result res, packed;
	struct replay_config cfg = { .zone_pages = 524288, .nr_cpus = 2,
				     .no_gib_test = true, .check = true,
				     .infer_untraced = true };
	struct start_state ss;
	char dir[512], path[512], err[256] = "";
	struct trace t;
	uint64_t placed;

	load_before(&gt);
	snprintf(dir, sizeof(dir), "%s/capture-6.1-dirs/before", data_dir());
	snprintf(path, sizeof(path), "%s/capture-6.1-dirs/trace-head.txt", data_dir());
	if (start_state_load(&ss, dir, 524288, &gt.before, err, sizeof(err)) ||
	    trace_load(&t, path, false, err, sizeof(err))) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
	snprintf(cfg.policy_name, sizeof(cfg.policy_name), "vanilla");
	ga_policy_preset(&cfg.policy, "vanilla");
	cfg.start = &ss;
	is_long(replay_run(&t, &cfg, &res), 0, "replay from the snapshot's state");
	placed = res.rp.start_pages + res.rp.start_pcp_pages + res.rp.start_fail_pages;
	is_long((long)placed, (long)ss.pages_used, "every page in use is accounted for");
	is_long((long)res.rp.start_fail, 0, "each placed at its own pfn (no holes hit)");
	ok(res.rp.start_pcp > 0, "pages the trace allocates first were free (pcp): %llu",
	   (unsigned long long)res.rp.start_pcp);
	is_long((long)res.start.blocks_mt[GA_MT_UNMOVABLE],
		(long)ss.labelled[GA_MT_UNMOVABLE], "the start has the snapshot's Unmovable blocks");
	is_long((long)res.start.blocks_mt[GA_MT_RECLAIMABLE],
		(long)ss.labelled[GA_MT_RECLAIMABLE], "... and its Reclaimable blocks");
	is_long((long)res.rp.free_untracked, 0, "no free is left without an allocation");
	ok(res.rp.free_start > 0, "frees of snapshot pages found them (%llu)",
	   (unsigned long long)res.rp.free_start);

	cfg.start = NULL;		/* packing: the old way */
	cfg.infer_untraced = false;
	cfg.preload[GA_MT_UNMOVABLE] = ss.pages_by_class[SC_UNFLAGGED];
	is_long(replay_run(&t, &cfg, &packed), 0, "the packed replay runs");
	ok(packed.start.blocks_mt[GA_MT_UNMOVABLE] < res.start.blocks_mt[GA_MT_UNMOVABLE],
	   "packing fills fewer Unmovable blocks (%lu) than the kernel had (%lu)",
	   packed.start.blocks_mt[GA_MT_UNMOVABLE], res.start.blocks_mt[GA_MT_UNMOVABLE]);
	trace_free(&t);
	start_state_free(&ss);
}

/* ------------------------------------------------------------------------ */
/* Untraced allocations, on traces built event by event.                     */

static void ev(struct tb *b, enum ft_kind kind, uint64_t pfn, unsigned int order)
{
	struct ft_event e = { .kind = (uint8_t)kind, .pfn = pfn, .order = (uint8_t)order,
			      .mt = kind == FT_ALLOC ? 1 : -1 };

	if (kind == FT_ALLOC)
		e.arg = GA_GFP_HIGHUSER_MOVABLE;
	tb_emit(b, &e);
}

static int run_built_mode(struct tb *b, bool infer, const struct start_state *ss,
			  struct replay_result *res, bool shadow)
{
	struct replay_config cfg = { .zone_pages = 16384, .nr_cpus = 2,
				     .no_gib_test = true, .check = true,
				     .infer_untraced = infer, .start = ss, .shadow = shadow };

	return replay_built_trace(b, &cfg, res);
}

static int run_built(struct tb *b, bool infer, const struct start_state *ss,
		     struct replay_result *res)
{
	return run_built_mode(b, infer, ss, res, false);
}

static void build_bulk(struct tb *b)
{
	tb_open(b);
	ev(b, FT_ALLOC, 0x2000, 0);
	ev(b, FT_FREE, 0x2000, 0);
	ev(b, FT_ALLOC, 0x2100, 2);	/* something in between */
	/* 0x2000 is taken again without an event (alloc_pages_bulk) ... */
	ev(b, FT_FREE, 0x2000, 0);	/* ... and freed */
	ev(b, FT_FREE, 0x3000, 1);	/* never seen: in use before tracing */
	ev(b, FT_FREE, 0x2100, 2);
}

static void test_infer(void)
{
	static struct replay_result res;
	struct start_state ss = { 0 };
	struct start_unit unit = { .pfn = 0x3000, .order = 1, .cls = SC_UNFLAGGED };
	uint8_t label[32];
	struct tb b;

	build_bulk(&b);
	is_long(run_built(&b, false, NULL, &res), 0, "without inference");
	is_long((long)res.rp.free_untracked, 2, "both untraced frees are unmatched");

	build_bulk(&b);
	is_long(run_built(&b, true, NULL, &res), 0, "with inference, no snapshot");
	is_long((long)res.rp.inferred, 1, "the re-used pfn gets an inferred allocation");
	is_long((long)res.rp.inferred_at_pfn, 1, "... at its own pfn, free in the model");
	is_long((long)res.rp.inferred_at_start, 0, "... after its last traced free");
	is_long((long)res.rp.free_inferred, 1, "its free finds it");
	is_long((long)res.rp.free_untracked, 1,
		"a page never seen is the preload's (no snapshot): unmatched");
	is_long((long)res.rp.live_at_end, 0, "nothing left in the map");

	/* A snapshot that holds 0x3000 (order 1): its free is a snapshot free. */
	memset(label, GA_MT_MOVABLE, sizeof(label));
	ss.unit = &unit;
	ss.nr = 1;
	ss.label = label;
	ss.nr_blocks = sizeof(label);
	ss.pageblock_order = 9;
	ss.pages_used = 2;
	build_bulk(&b);
	is_long(run_built(&b, true, &ss, &res), 0, "with a snapshot");
	is_long((long)res.rp.start_units, 1, "the snapshot's page is placed");
	is_long((long)res.rp.free_start, 1, "its free is matched to it");
	is_long((long)res.rp.inferred, 1, "the bulk page is still inferred");
	is_long((long)res.rp.free_untracked, 0, "no free is unmatched");

	/* A corrupt pfn far past the zone costs no memory in the first pass. */
	tb_open(&b);
	ev(&b, FT_ALLOC, 0x2000, 0);
	ev(&b, FT_FREE, 0x2000, 0);
	ev(&b, FT_FREE, 1ull << 44, 0);
	ev(&b, FT_FREE, 1ull << 44, 0);
	is_long(run_built(&b, true, NULL, &res), 0, "a free at pfn 2^44 replays");
	is_long((long)res.rp.free_untracked, 2, "... unmatched, not inferred");

	/* A snapshot page the trace allocates before freeing was free (pcp). */
	tb_open(&b);
	ev(&b, FT_ALLOC, 0x3000, 1);
	ev(&b, FT_FREE, 0x3000, 1);
	is_long(run_built(&b, true, &ss, &res), 0, "a pcp page of the snapshot");
	is_long((long)res.rp.start_pcp, 1, "it is left free at the start");
	is_long((long)res.rp.alloc_live_pfn, 0, "so the traced allocation finds it free");

	/* An order-1 pcp block is two flagless order-0 pages in kpageflags:
	 * an order-1 allocation of it frees both at the start, so shadow
	 * places it at the kernel's pfn. */
	struct start_unit pair[2] = {
		{ .pfn = 0x3000, .order = 0, .cls = SC_UNFLAGGED },
		{ .pfn = 0x3001, .order = 0, .cls = SC_UNFLAGGED },
	};
	ss.unit = pair;
	ss.nr = 2;
	for (int shadow = 0; shadow < 2; shadow++) {
		tb_open(&b);
		ev(&b, FT_ALLOC, 0x3000, 1);
		ev(&b, FT_FREE, 0x3000, 1);
		is_long(run_built_mode(&b, true, &ss, &res, shadow), 0,
			"an order-1 pcp block of the snapshot%s", shadow ? " (shadow)" : "");
		is_long((long)res.rp.start_pcp, 2, "both its pages are left free at the start");
		is_long((long)res.rp.start_units, 0, "none is placed as in use");
		if (shadow)
			is_long((long)res.shadow.placed, 1, "shadow places it at the kernel's pfn");
	}
}

/* What the command line says it used. */
static void test_cli(void)
{
	char args[1024], err[8192];
	const char *d = data_dir();

	snprintf(args, sizeof(args), "%s/capture-6.1-dirs/trace-head.txt --policy vanilla "
		 "--no-gib-test --before %s/capture-6.1-dirs/before --after "
		 "%s/capture-6.1-dirs/after", d, d, d);
	is_long(replay_cli(args, err, sizeof(err)), 0, "replay from the before snapshot");
	ok(strstr(err, "starting state from") && strstr(err, "pageblocks labelled U/R 122/6"),
	   "says the starting state it rebuilt");
	ok(strstr(err, "zone DMA     pfns 0-0x1000, watermarks min/low/high 87/108/129, "
		  "protection (lowmem_reserve) (0, 1920, 1920, 1920) from zoneinfo") &&
	   strstr(err, "zone DMA32   pfns 0x1000-0x80000, watermarks min/low/high "
		  "11176/13970/16764"),
	   "a node of DMA and DMA32, each with its zoneinfo watermarks and protection");
	ok(strstr(err, "ALLOC_NOFRAGMENT for requests whose preferred zone is Normal") != NULL,
	   "NOFRAGMENT per request, from the preferred zone");
	snprintf(args, sizeof(args), "%s/capture-6.1-dirs/trace-head.txt --policy vanilla "
		 "--no-gib-test --one-zone --before %s/capture-6.1-dirs/before --after "
		 "%s/capture-6.1-dirs/after", d, d, d);
	is_long(replay_cli(args, err, sizeof(err)), 0, "--one-zone");
	ok(strstr(err, "watermarks min/low/high 11263/14078/16893") != NULL,
	   "one zone: watermarks the zones' sums from zoneinfo");
	ok(strstr(err, "ALLOC_NOFRAGMENT off") != NULL,
	   "one zone, no Normal zone: NOFRAGMENT off, as alloc_flags_nofragment()");
	snprintf(args, sizeof(args), "%s/capture-6.1-dirs/trace-head.txt --policy vanilla "
		 "--no-gib-test --pack-preload --before %s/capture-6.1-dirs/before", d, d);
	is_long(replay_cli(args, err, sizeof(err)), 0, "--pack-preload");
	ok(!strstr(err, "starting state from"), "packs instead");
	snprintf(args, sizeof(args), "%s/capture-6.1-dirs/trace-head.txt --policy vanilla "
		 "--no-gib-test --after %s/capture-6.1-dirs/after", d, d);
	is_long(replay_cli(args, err, sizeof(err)), 0, "no --before");
	ok(strstr(err, "warning: no --before snapshot") != NULL, "warns that it packs");
	ok(strstr(err, "vanilla runs as the vanilla-6.12 preset (the capture records no "
		   "kernel release)") != NULL, "no release recorded: the 6.12 decisions");
}

/* The capture's kernel release picks the preset vanilla runs as. */
static void test_version_pick(void)
{
	char dir[] = "/tmp/gigalloc_state_meta_XXXXXX", path[300], args[1024], err[8192];
	const char *d = data_dir();
	FILE *f;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/meta.txt", dir);
	f = fopen(path, "w");
	if (f) {
		fputs("kernel 6.1.0-57-amd64\ncpus 2\n", f);
		fclose(f);
	}
	snprintf(args, sizeof(args), "%s/capture-6.1-dirs/trace-head.txt --policy vanilla "
		 "--no-gib-test --ground-truth %s --before %s/capture-6.1-dirs/before "
		 "--after %s/capture-6.1-dirs/after", d, dir, d, d);
	is_long(replay_cli(args, err, sizeof(err)), 0, "a capture of Linux 6.1");
	ok(strstr(err, "vanilla runs as the vanilla-6.1 preset (the capture's kernel is "
		   "6.1.0-57-amd64)") != NULL, "6.1: vanilla runs as vanilla-6.1");
	f = fopen(path, "w");
	if (f) {
		fputs("kernel 6.12.57+deb13-amd64\ncpus 2\n", f);
		fclose(f);
	}
	is_long(replay_cli(args, err, sizeof(err)), 0, "a capture of Linux 6.12");
	ok(strstr(err, "vanilla runs as the vanilla-6.12 preset") != NULL,
	   "6.12: vanilla runs as vanilla-6.12");
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_cli();
	test_version_pick();
	test_load();
	test_replay_from_state();
	test_infer();
	return done_testing();
}
