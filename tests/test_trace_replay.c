// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Faithful replay: small traces built event by event prove each rule of
 * the kernel-pfn -> simulated-pfn map (plain pairs, frees of pages
 * allocated before tracing, batched repeats, failed attempts, split pages,
 * frees spanning several allocations, a pfn reused while we still hold
 * it, frees of allocations the simulation could not make); then the
 * shipped capture is replayed under every preset with the invariant
 * checker on, and its ground truth and JSON report are checked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "ftrace.h"
#include "groundtruth.h"
#include "harness.h"
#include "layout.h"
#include "replay.h"
#include "replay_report.h"
#include "trace.h"
#include "trace_fixture.h"

static void tb_event(struct tb *b, enum ft_kind kind, uint64_t pfn,
		     unsigned int order, int mt)
{
	static const unsigned int gfp[] = {
		GA_GFP_KERNEL, GA_GFP_HIGHUSER_MOVABLE, GA_GFP_KERNEL_RECLAIMABLE,
	};
	struct ft_event ev = { .kind = (uint8_t)kind, .pfn = pfn,
			       .order = (uint8_t)order, .mt = (int8_t)mt };

	if (kind == FT_ALLOC || kind == FT_ALLOC_FAILED)
		ev.arg = (uint16_t)gfp[mt];
	tb_emit(b, &ev);
}

static void alloc(struct tb *b, uint64_t pfn, unsigned int order, int mt)
{
	tb_event(b, FT_ALLOC, pfn, order, mt);
}

static void release(struct tb *b, uint64_t pfn, unsigned int order)
{
	tb_event(b, FT_FREE, pfn, order, -1);
}

/* Replay the built trace under vanilla on a zone of pages. */
static int replay_built(struct tb *b, uint64_t pages, struct replay_result *res)
{
	struct replay_config cfg = { .zone_pages = pages, .nr_cpus = 2,
				     .no_gib_test = true, .check = true };

	return replay_built_trace(b, &cfg, res);
}

static void test_pairs_and_untracked(void)
{
	static struct replay_result res;
	struct tb b;

	tb_open(&b);
	alloc(&b, 0x1000, 0, 1);
	alloc(&b, 0x2000, 2, 0);
	release(&b, 0x1000, 0);
	release(&b, 0x5000, 1);			/* allocated before tracing */
	tb_event(&b, FT_FREE_BATCHED, 0x1000, 0, -1);	/* repeats the free */
	tb_event(&b, FT_ALLOC_FAILED, 0, 9, 1);	/* page=NULL: an attempt */
	release(&b, 0x2000, 2);
	is_long(replay_built(&b, 16384, &res), 0, "pairs replay cleanly");
	is_long(res.rp.allocs, 2, "two allocations (the failed attempt is not one)");
	is_long(res.rp.frees, 2, "two frees (the batched event is not a second free)");
	is_long(res.rp.free_untracked, 1, "the free of an untraced page is counted");
	is_long(res.rp.free_untracked_pages, 2, "... with its pages");
	is_long(res.rp.live_at_end, 0, "nothing is left in the map");
	is_long(res.sim.counters.pgalloc, 5, "the library allocated 1 + 4 pages");
}

static void test_split_and_span(void)
{
	static struct replay_result res;
	struct tb b;

	tb_open(&b);
	alloc(&b, 0x100, 2, 1);			/* split_page(): freed page by page */
	for (uint64_t p = 0x100; p < 0x104; p++)
		release(&b, p, 0);
	alloc(&b, 0x200, 0, 0);
	alloc(&b, 0x201, 0, 0);
	release(&b, 0x200, 1);			/* one free covering both */
	alloc(&b, 0x300, 1, 1);
	release(&b, 0x301, 0);			/* tail freed first ... */
	alloc(&b, 0x301, 0, 1);			/* ... and reused by the kernel */
	release(&b, 0x300, 0);			/* the head: the order-1 block is done */
	release(&b, 0x301, 0);			/* the reuse is freed on its own */
	is_long(replay_built(&b, 16384, &res), 0, "split and spanning frees replay");
	is_long(res.rp.free_partial, 6, "four + two page-by-page frees are partial");
	is_long(res.rp.free_spanning, 1, "one free spanned two allocations");
	is_long(res.rp.frees, 5, "five simulated blocks freed");
	is_long(res.rp.live_at_end, 0, "nothing left");
}

static void test_reuse_and_failures(void)
{
	static struct replay_result res;
	struct tb b;

	tb_open(&b);
	alloc(&b, 0x10, 0, 0);
	alloc(&b, 0x10, 0, 0);			/* its free was lost */
	release(&b, 0x10, 0);
	/* 16 MiB zone: 64 order-9 blocks cannot all fit next to the reserve. */
	for (uint64_t i = 0; i < 64; i++)
		alloc(&b, 0x100000 + (i << 9), 9, 1);
	for (uint64_t i = 0; i < 64; i++)
		release(&b, 0x100000 + (i << 9), 9);
	is_long(replay_built(&b, 4096, &res), 0, "reuse and failures replay");
	is_long(res.rp.alloc_live_pfn, 1, "a pfn reused while live is counted");
	ok(res.rp.alloc_fail > 0, "some order-9 allocations failed (%llu)",
	   (unsigned long long)res.rp.alloc_fail);
	is_long(res.rp.free_of_failed, res.rp.alloc_fail,
		"... and their frees are recognised as such");
	is_long(res.rp.live_at_end, 0, "nothing left");
}

/* ------------------------------------------------------------------------ */
/* The shipped capture.                                                      */

static const char *capture_dir(void)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/capture-6.1", data_dir());
	return path;
}

static void check_json(const struct replay_report *rep)
{
	static const char *const keys[] = {
		"\"policies\"", "\"name\"", "\"tainted_spbs\"", "\"ideal_tainted_spbs\"",
		"\"clean_spbs\"", "\"empty_spbs\"", "\"total_spbs\"",
		"\"gib_pages_obtained\"", "\"pages_migrated\"", "\"mixed_pageblocks\"",
		"\"pageblocks_with_unmovable\"", "\"fallbacks\"",
		"\"spb_visits_median\": null", "\"spb_visits_p99\": null",
		"\"sim_events\"", "\"events_per_sec\"", "\"peak_rss_bytes\"",
		"\"ground_truth\": {", "\"diff_percent\"",
	};
	char *buf = NULL;
	size_t len = 0, missing = 0;
	FILE *f = open_memstream(&buf, &len);
	long depth = 0;

	replay_report_json(f, rep);
	fclose(f);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strstr(buf, keys[i])) {
			diag("missing %s", keys[i]);
			missing++;
		}
	is_long(missing, 0, "JSON has the keys of gigalloc sim --json and ground_truth");
	for (size_t i = 0; i < len; i++)
		depth += buf[i] == '{' || buf[i] == '[' ? 1 :
			 buf[i] == '}' || buf[i] == ']' ? -1 : 0;
	is_long(depth, 0, "... with balanced brackets");
	ok(!strstr(buf, ": nan") && !strstr(buf, ": -nan") && !strstr(buf, ": inf") &&
	   !strstr(buf, ": -inf"), "... and no NaN or infinity");
	free(buf);
}

static void check_ground_truth(const struct replay_report *rep,
			       const struct ground_truth *gt)
{
	struct gt_row rows[GT_MAX_ROWS];
	const struct replay_result *v = replay_vanilla(rep);
	size_t n = v ? replay_gt_rows(rep, v, rows) : 0;
	bool fallbacks = false;

	ok(gt->present && gt->before.have_vmstat && gt->after.have_pagetypeinfo,
	   "capture snapshots read");
	is_long(gt->after.blocks_total, 1536, "kernel pageblocks: 8 DMA + 1528 DMA32");
	ok(gt->hp.have, "hugetlb result read");
	is_long(gt->hp.gib_requested, 2, "... 1 GiB pages asked for");
	ok(n >= 10, "ground-truth rows computed (%zu)", n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rows[i].metric, "fallbacks")) {
			fallbacks = true;
			is_long((long)rows[i].kernel, rep->t->st.events[FT_EXTFRAG],
				"kernel fallbacks = the trace's extfrag events");
		}
	ok(fallbacks, "fallbacks compared");
}

/*
 * The same capture on a node of its zones (zoneinfo before): DMA and
 * DMA32 with their watermarks and protection, every allocation through
 * the zonelist walk, ga_node_check at the end and after the 1 GiB test.
 */
static void test_capture_node(const struct trace *t, const struct ground_truth *gt,
			      const struct layout *lay, const struct replay_report *rep)
{
	static const char *const policies[] = { "vanilla", "spb" };
	static struct replay_result res;
	struct replay_zone zones[GA_NR_ZONE_TYPES];
	char err[300] = "";
	int n = replay_zones_from(&gt->before, lay->end_pfn, zones, err, sizeof(err));

	is_long(n, 2, "zoneinfo gives a node of two zones%s%s", err[0] ? ": " : "", err);
	if (n != 2)
		return;
	ok(zones[0].type == GA_ZONE_DMA && zones[0].start_pfn == 0 && zones[0].end_pfn == 4096,
	   "DMA: pfn 1 (start_pfn) rounded down to its pageblock, up to 16 MiB");
	ok(zones[1].type == GA_ZONE_DMA32 && zones[1].start_pfn == 4096 &&
	   zones[1].end_pfn == lay->end_pfn, "DMA32 from 16 MiB to the end of the layout");
	ok(zones[0].have_protection && zones[0].protection[GA_ZONE_NORMAL] == 2934 &&
	   zones[1].have_protection && zones[1].protection[GA_ZONE_NORMAL] == 0,
	   "protection lines read: DMA keeps 2934 pages from Normal requests");
	for (size_t p = 0; p < sizeof(policies) / sizeof(policies[0]); p++) {
		struct replay_config cfg = { .zone_pages = rep->zone_pages, .holes = lay->holes,
					     .nr_holes = lay->nr_holes, .nr_cpus = rep->nr_cpus,
					     .check = true, .nr_zones = 2 };
		uint64_t served;
		unsigned long blocks = 0;

		memcpy(cfg.zones, zones, sizeof(zones));
		snprintf(cfg.policy_name, sizeof(cfg.policy_name), "%s", policies[p]);
		ga_policy_preset(&cfg.policy, policies[p]);
		memcpy(cfg.preload, rep->preload, sizeof(cfg.preload));
		is_long(replay_run(t, &cfg, &res), 0, "%s: node replay, ga_node_check before "
			"and after the 1 GiB test%s%s", policies[p], res.sim.err ? ": " : "",
			res.sim.errmsg);
		is_long(res.rp.allocs + res.rp.alloc_fail + res.rp.alloc_too_big +
			res.rp.alloc_bad, t->st.events[FT_ALLOC],
			"%s: every traced allocation accounted for", policies[p]);
		is_long((long)res.nr_zones, 2, "%s: two zones reported", policies[p]);
		served = res.node.served[GA_ZONE_DMA] + res.node.served[GA_ZONE_DMA32];
		ok(served + res.node.alloc_fail == res.node.alloc_calls &&
		   served >= res.rp.allocs && !res.node.served[GA_ZONE_NORMAL],
		   "%s: the walk served %llu (DMA %llu), none from an absent zone",
		   policies[p], (unsigned long long)served,
		   (unsigned long long)res.node.served[GA_ZONE_DMA]);
		for (size_t z = 0; z < res.nr_zones; z++)
			for (int mt = 0; mt < GA_MT_TYPES; mt++)
				blocks += res.zone[z].blocks_mt[mt];
		ok(blocks == res.sim.final.pageblocks && blocks == gt->after.blocks_total,
		   "%s: the zones' pageblocks add up to the kernel's %lu", policies[p],
		   gt->after.blocks_total);
		ok(res.zone[0].lowmem_reserve[GA_ZONE_NORMAL] == 2934 &&
		   res.zone[0].wmark_min == zones[0].wmark[0],
		   "%s: DMA runs with the zoneinfo reserve and watermarks", policies[p]);
	}
}

static void test_nomap_block(const struct trace *t, const struct ground_truth *gt,
			     const struct replay_report *rep);

static void test_capture(void)
{
	const char *const *names = ga_policy_preset_names();
	static struct replay_result res[8];
	struct replay_report rep = { 0 };
	struct ground_truth gt;
	char path[600], err[512];
	struct layout lay;
	struct trace t;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/trace.gz", capture_dir());
	if (trace_load(&t, path, false, err, sizeof(err))) {
		ok(0, "shipped capture loads: %s", err);
		return;
	}
	ok(t.nr > 300000, "shipped capture: %zu allocation and free events", t.nr);
	is_long(t.st.malformed + t.st.lost_events, 0, "... none malformed or lost");
	is_long(t.st.batched_unmatched, 0, "... every batched free repeats a free");
	is_long(gt_load(&gt, capture_dir(), err, sizeof(err)), 0, "snapshots load");
	rep.t = &t;
	rep.gt = &gt;
	rep.trace_path = path;
	rep.nr_cpus = gt.cpus;
	snprintf(path, sizeof(path), "%s/proc", capture_dir());
	is_long(layout_load(&lay, path, 9, err, sizeof(err)), 0,
		"the guest's layout loads from its kpageflags (%s)", err);
	is_long(lay.end_pfn, 786432, "... 3 GiB of pfns");
	ok(lay.reserved_pages > 20000 && lay.hole_pages > lay.reserved_pages,
	   "... %llu PG_reserved pages among %llu never allocatable",
	   (unsigned long long)lay.reserved_pages, (unsigned long long)lay.hole_pages);
	rep.layout = true;
	rep.zone_pages = lay.end_pfn;
	rep.hole_pages = lay.hole_pages;
	rep.reserved_pages = lay.reserved_pages;
	snprintf(path, sizeof(path), "%s/trace.gz", capture_dir());
	gt_used_by_mobility(&gt.before, rep.preload);
	for (; names[n] && n < 8; n++) {
		struct replay_config cfg = { .zone_pages = rep.zone_pages,
					     .holes = lay.holes, .nr_holes = lay.nr_holes,
					     .nr_cpus = rep.nr_cpus, .check = true };

		snprintf(cfg.policy_name, sizeof(cfg.policy_name), "%s", names[n]);
		ga_policy_preset(&cfg.policy, names[n]);
		memcpy(cfg.preload, rep.preload, sizeof(cfg.preload));
		is_long(replay_run(&t, &cfg, &res[n]), 0, "%s: replay with invariants "
			"checked before and after the 1 GiB test%s%s", names[n],
			res[n].sim.err ? ": " : "", res[n].sim.errmsg);
		is_long(res[n].rp.allocs + res[n].rp.alloc_fail + res[n].rp.alloc_too_big +
			res[n].rp.alloc_bad, t.st.events[FT_ALLOC],
			"%s: every traced allocation accounted for", names[n]);
	}
	rep.res = res;
	rep.nr = n;
	is_long(res[0].sim.final.pageblocks, gt.after.blocks_total,
		"the replay zone has the kernel's pageblocks (DMA + DMA32)");
	ok(res[0].sim.has_final_test, "the 1 GiB test ran");
	is_long(res[0].gib.obtained, gt.hp.gib_got,
		"vanilla gets as many 1 GiB pages as the kernel did (%lu)", gt.hp.gib_got);
	is_long(res[0].gib.fail_reason, GA_BLOCK_RESERVED,
		"... stopped by reserved memory, as inspect shows in the guest");
	check_ground_truth(&rep, &gt);
	check_json(&rep);
	test_capture_node(&t, &gt, &lay, &rep);
	test_nomap_block(&t, &gt, &rep);
	layout_free(&lay);
	trace_free(&t);
}

/*
 * A pageblock with no memmap (KPF_NOPAGE at its first pfn, as in the PCI
 * hole of a guest above 3 GiB) is a hole the layout lists, and the replay's
 * census does not count it, as pagetypeinfo does not: the shipped guest's
 * kpageflags with one pageblock marked so.
 */
static void test_nomap_block(const struct trace *t, const struct ground_truth *gt,
			     const struct replay_report *rep)
{
	char src[600], dst[600], tmp[] = "/tmp/ga-nomap-XXXXXX", err[512] = "";
	static const char *const text[] = { "zoneinfo", "iomem" };
	static struct replay_result res;
	const uint64_t mark = 0x60000;		/* 1.5 GiB: inside DMA32 */
	uint64_t flags, n = 0;
	struct layout lay;
	gzFile in;
	FILE *out;
	int rc = mkdtemp(tmp) ? 0 : -1;

	for (size_t i = 0; i < 2 && !rc; i++) {
		FILE *a, *b;
		int c;

		snprintf(src, sizeof(src), "%s/proc/%s", capture_dir(), text[i]);
		snprintf(dst, sizeof(dst), "%s/%s", tmp, text[i]);
		a = fopen(src, "r");
		b = fopen(dst, "w");
		while (a && b && (c = fgetc(a)) != EOF)
			fputc(c, b);
		rc = a && b ? 0 : -1;
		if (a)
			fclose(a);
		if (b)
			fclose(b);
	}
	snprintf(src, sizeof(src), "%s/proc/kpageflags.gz", capture_dir());
	snprintf(dst, sizeof(dst), "%s/kpageflags", tmp);
	in = rc ? NULL : gzopen(src, "rb");
	out = in ? fopen(dst, "w") : NULL;
	while (in && out && gzread(in, &flags, sizeof(flags)) == (int)sizeof(flags)) {
		if (n >= mark && n < mark + 512)
			flags = 1ull << 20;		/* KPF_NOPAGE */
		fwrite(&flags, sizeof(flags), 1, out);
		n++;
	}
	if (in)
		gzclose(in);
	if (out)
		fclose(out);
	if (!ok(in && out && n > mark + 512, "a copy of the guest's /proc with a block "
		"without memmap"))
		return;
	if (!is_long(layout_load(&lay, tmp, 9, err, sizeof(err)), 0, "it loads (%s)", err))
		return;
	ok(lay.nr_nomap_blocks == 1 && lay.nomap_blocks[0] == mark,
	   "the layout lists that one pageblock as without memmap (%zu)", lay.nr_nomap_blocks);

	struct replay_config cfg = { .zone_pages = rep->zone_pages, .holes = lay.holes,
				     .nr_holes = lay.nr_holes, .nr_cpus = rep->nr_cpus,
				     .nomap_blocks = lay.nomap_blocks,
				     .nr_nomap_blocks = lay.nr_nomap_blocks,
				     .check = true, .no_gib_test = true };

	snprintf(cfg.policy_name, sizeof(cfg.policy_name), "vanilla");
	ga_policy_preset(&cfg.policy, "vanilla");
	memcpy(cfg.preload, rep->preload, sizeof(cfg.preload));
	is_long(replay_run(t, &cfg, &res), 0, "the replay runs on it");
	is_long(res.sim.final.pageblocks, gt->after.blocks_total - 1,
		"its census leaves the block out: %lu of the kernel's %lu",
		res.sim.final.pageblocks, gt->after.blocks_total);
	is_long(res.sim.final.blocks_mt[GA_MT_UNMOVABLE] + res.sim.final.blocks_mt[GA_MT_MOVABLE] +
		res.sim.final.blocks_mt[GA_MT_RECLAIMABLE] + res.sim.final.blocks_mt[GA_MT_HIGHATOMIC],
		res.sim.final.pageblocks, "... and so do its counts by label");
	layout_free(&lay);
	remove(dst);
	snprintf(dst, sizeof(dst), "%s/zoneinfo", tmp);
	remove(dst);
	snprintf(dst, sizeof(dst), "%s/iomem", tmp);
	remove(dst);
	rmdir(tmp);
}

int main(void)
{
	test_pairs_and_untracked();
	test_split_and_span();
	test_reuse_and_failures();
	test_capture();
	return done_testing();
}
