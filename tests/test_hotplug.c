// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Memory hotplug (ga_zone_resize, RFC 09): constructed hot-add and
 * hot-remove with asserted outcomes on vanilla and spb (the span, the SPB
 * array and index, managed pages and watermarks follow; offlining migrates
 * movable pages out, or refuses with the blocking page named, as
 * offline_pages does; the error paths), then the stress engine on every
 * preset with workers resizing the zone while the others allocate, free,
 * pin, compact and take contiguous ranges (run under ThreadSanitizer).
 */
#include <errno.h>
#include <stdlib.h>

#include "embedder.h"
#include "harness.h"
#include "stress.h"

#define SPB_ORDER 12
#define SPB_PAGES (1ul << SPB_ORDER)
#define START_SPBS 4
#define MAX_SPBS 8

/* An object placed at an exact pfn, tracked by the embedder. */
static long place(struct embedder *e, ga_pfn_t pfn, unsigned int order,
		  unsigned int gfp)
{
	struct fake_obj *o;
	int err;

	if (e->nr == e->cap) {
		e->cap *= 2;
		e->obj = realloc(e->obj, e->cap * sizeof(*e->obj));
	}
	o = &e->obj[e->nr];
	*o = (struct fake_obj){ .pfn = pfn, .order = (uint8_t)order,
				.mt = (uint8_t)ga_gfp_migratetype(gfp) };
	err = ga_alloc_at(e->zone, 0, pfn, order, gfp, e->nr);
	if (err)
		return err;
	o->live = true;
	e->live_pages += 1ul << order;
	return (long)e->nr++;
}

static struct ga_zone *hotplug_zone(struct embedder *e, struct ga_policy *p,
				    const char *preset, ga_pfn_t max_end)
{
	struct ga_zone_config cfg;

	ga_policy_preset(p, preset);
	ga_zone_config_default(&cfg, 0, START_SPBS * SPB_PAGES, 2);
	cfg.spb_order = SPB_ORDER;
	cfg.max_end_pfn = max_end;
	cfg.policy = p;
	return emb_zone_config(e, &cfg);
}

static void test_config(void)
{
	struct ga_zone_config cfg;

	ga_zone_config_default(&cfg, 0, START_SPBS * SPB_PAGES, 2);
	cfg.spb_order = SPB_ORDER;
	cfg.max_end_pfn = SPB_PAGES;
	is_long(ga_zone_config_check(&cfg, NULL, 0), -EINVAL, "max_end_pfn below end_pfn");
	cfg.end_pfn = 3 * SPB_PAGES + 512;
	cfg.max_end_pfn = MAX_SPBS * SPB_PAGES;
	is_long(ga_zone_config_check(&cfg, NULL, 0), -EINVAL,
		"a zone that may grow must end on an SPB boundary");
	cfg.end_pfn = START_SPBS * SPB_PAGES;
	cfg.max_end_pfn = MAX_SPBS * SPB_PAGES + 100;
	is_long(ga_zone_config_check(&cfg, NULL, 0), -EINVAL, "max_end_pfn not pageblock-aligned");
	cfg.max_end_pfn = MAX_SPBS * SPB_PAGES + 3 * 512;
	is_long(ga_zone_config_check(&cfg, NULL, 0), 0, "a partial last SPB at the maximum is fine");
	ok(ga_zone_metadata_size(&cfg) > MAX_SPBS * SPB_PAGES * 12ul,
	   "metadata is laid out for the largest span");
}

static void test_errors(struct ga_zone *z, const char *preset)
{
	struct ga_contig_report rep;
	struct ga_zone_info zi;

	is_long(ga_zone_resize(z, 2, MAX_SPBS * SPB_PAGES, NULL), -EINVAL, "%s: bad cpu", preset);
	is_long(ga_zone_resize(z, 0, (MAX_SPBS + 1) * SPB_PAGES, &rep), -ERANGE,
		"%s: beyond max_end_pfn: -ERANGE", preset);
	is_long(rep.reason, GA_BLOCK_OUTSIDE, "%s: ... reported outside-zone", preset);
	is_long(ga_zone_resize(z, 0, 5 * SPB_PAGES + 512, NULL), -EINVAL,
		"%s: not an SPB boundary: -EINVAL", preset);
	is_long(ga_zone_resize(z, 0, 0, NULL), -EINVAL, "%s: empty zone: -EINVAL", preset);
	is_long(ga_zone_resize(z, 0, START_SPBS * SPB_PAGES, &rep), 0, "%s: same end: 0", preset);
	ga_zone_info(z, &zi);
	is_long(zi.end_pfn, START_SPBS * SPB_PAGES, "%s: span unchanged", preset);
	is_long(zi.max_end_pfn, MAX_SPBS * SPB_PAGES, "%s: zone info has the limit", preset);
}

static void test_grow(struct embedder *e, const char *preset)
{
	struct ga_zone *z = e->zone;
	struct ga_zone_info before, after;
	struct ga_spb_info si;

	ga_zone_info(z, &before);
	is_long(place(e, 5 * SPB_PAGES, 0, GA_GFP_HIGHUSER_MOVABLE), -ERANGE,
		"%s: offline memory cannot be allocated", preset);
	is_long(ga_zone_resize(z, 0, 6 * SPB_PAGES, NULL), 0, "%s: grow 4 -> 6 SPBs", preset);
	ga_zone_info(z, &after);
	is_long(after.end_pfn, 6 * SPB_PAGES, "%s: end follows", preset);
	is_long(after.managed_pages, before.managed_pages + 2 * SPB_PAGES,
		"%s: managed pages follow", preset);
	is_long(after.nr_pageblocks, 6 * SPB_PAGES / 512, "%s: pageblocks follow", preset);
	is_long(after.free_pages, before.free_pages + 2 * SPB_PAGES,
		"%s: the new memory is free", preset);
	ok(after.wmark_min > before.wmark_min && after.wmark_high > before.wmark_high,
	   "%s: watermarks follow (min %lu -> %lu)", preset, before.wmark_min, after.wmark_min);
	is_long(ga_zone_nr_spbs(z), 6, "%s: SPB array follows", preset);
	is_long(ga_spb_query(z, 5, &si), 0, "%s: SPB 5 exists", preset);
	is_long(si.category, 0, "%s: ... and is empty", preset);
	is_long(si.nr_free_pages, SPB_PAGES, "%s: ... with every page free", preset);
	is_long(ga_spb_query(z, 6, &si), -ERANGE, "%s: SPB 6 does not", preset);
	ok(place(e, 5 * SPB_PAGES, 0, GA_GFP_HIGHUSER_MOVABLE) >= 0,
	   "%s: the added memory can be allocated", preset);
	zone_ok(z, "%s: after growing", preset);
}

static void test_shrink_migrates(struct embedder *e, const char *preset)
{
	struct ga_zone *z = e->zone;
	struct ga_contig_report rep;
	unsigned long placed = 0, before = e->migrated_pages + e->dropped_pages;
	bool below = true;

	/* SPB 5 already holds one page; add more of other orders. */
	for (unsigned int i = 1; i < 8; i++) {
		long o = place(e, 5 * SPB_PAGES + i * 512, i % 4, GA_GFP_HIGHUSER_MOVABLE);

		ok(o >= 0, "%s: movable order %u in SPB 5", preset, i % 4);
		placed += 1ul << (i % 4);
	}
	placed += 1;
	is_long(ga_zone_resize(z, 0, 5 * SPB_PAGES, &rep), 0,
		"%s: offline SPB 5 holding %lu movable pages", preset, placed);
	is_long(rep.reason, GA_BLOCK_NONE, "%s: ... no blocker", preset);
	is_long(rep.pages_migrated + rep.pages_dropped, placed, "%s: ... every page moved", preset);
	is_long(e->migrated_pages + e->dropped_pages - before, placed,
		"%s: ... and the owners heard of each", preset);
	for (unsigned long i = 0; i < e->nr; i++)
		if (e->obj[i].live && e->obj[i].pfn >= 5 * SPB_PAGES)
			below = false;
	ok(below, "%s: every object now lies below the new end", preset);
	is_long(emb_conservation_errors(e), 0, "%s: owners hold their pages", preset);
	is_long(ga_zone_nr_spbs(z), 5, "%s: 5 SPBs", preset);
	is_long(ga_alloc_at(z, 0, 5 * SPB_PAGES, 0, GA_GFP_KERNEL, 99), -ERANGE,
		"%s: offlined memory is outside the zone", preset);
	zone_ok(z, "%s: after offlining", preset);
}

static void test_shrink_refused(struct embedder *e, const char *preset)
{
	struct ga_zone *z = e->zone;
	struct ga_contig_report rep;
	struct ga_zone_info before, after;
	ga_pfn_t upfn = 4 * SPB_PAGES + 3 * 512 + 17;
	long mov = place(e, 4 * SPB_PAGES + 512, 2, GA_GFP_HIGHUSER_MOVABLE);
	long unmov = place(e, upfn, 0, GA_GFP_KERNEL);
	unsigned long calls;

	ok(mov >= 0 && unmov >= 0, "%s: movable and unmovable pages in SPB 4", preset);
	ga_zone_info(z, &before);
	is_long(ga_zone_resize(z, 0, 4 * SPB_PAGES, &rep), -EBUSY,
		"%s: offline refused: an unmovable page", preset);
	is_long(rep.reason, GA_BLOCK_UNMOVABLE, "%s: ... blocker unmovable", preset);
	is_long(rep.pfn, upfn, "%s: ... at the page's pfn", preset);
	is_long(rep.owner, unmov, "%s: ... naming its owner", preset);
	is_long(rep.pages_migrated, 0, "%s: ... refused before moving anything", preset);
	is_long(e->obj[mov].pfn, 4 * SPB_PAGES + 512, "%s: the movable page stayed", preset);
	ga_zone_info(z, &after);
	is_long(after.end_pfn, before.end_pfn, "%s: span unchanged", preset);
	is_long(after.free_pages, before.free_pages, "%s: isolation undone", preset);
	zone_ok(z, "%s: after a refused offline", preset);

	is_long(emb_free(e, (unsigned long)unmov), 0, "%s: free the unmovable page", preset);
	is_long(ga_pin(z, e->obj[mov].pfn), 0, "%s: pin the movable one", preset);
	is_long(ga_zone_resize(z, 0, 4 * SPB_PAGES, &rep), -EBUSY,
		"%s: offline refused: a pinned page", preset);
	is_long(rep.reason, GA_BLOCK_PINNED, "%s: ... blocker pinned", preset);
	is_long(rep.owner, mov, "%s: ... naming its owner", preset);
	zone_ok(z, "%s: after a pinned refusal", preset);
	is_long(ga_unpin(z, e->obj[mov].pfn), 0, "%s: unpin", preset);

	e->obj[mov].busy = true;	/* and dirty: drop refuses too */
	e->obj[mov].dirty = true;
	calls = e->migrate_calls;
	is_long(ga_zone_resize(z, 0, 4 * SPB_PAGES, &rep), -EBUSY,
		"%s: offline refused: the owner keeps refusing to move", preset);
	is_long(rep.reason, GA_BLOCK_MIGRATE_FAILED, "%s: ... blocker migrate-failed", preset);
	ok(e->migrate_calls - calls >= 5, "%s: ... after retrying (%lu migrate calls)", preset,
	   e->migrate_calls - calls);
	zone_ok(z, "%s: after a busy refusal", preset);
	e->obj[mov].busy = false;
	is_long(ga_zone_resize(z, 0, 4 * SPB_PAGES, &rep), 0, "%s: now SPB 4 goes", preset);
	ok(e->obj[mov].pfn < 4 * SPB_PAGES, "%s: ... its page moved below", preset);
	is_long(emb_conservation_errors(e), 0, "%s: owners hold their pages", preset);
	zone_ok(z, "%s: back at 4 SPBs", preset);
}

static void test_regrow(struct embedder *e, const char *preset)
{
	struct ga_zone *z = e->zone;
	struct ga_spb_info si;
	struct ga_zone_info zi;
	bool empty = true;

	is_long(ga_zone_resize(z, 0, MAX_SPBS * SPB_PAGES, NULL), 0, "%s: grow to the maximum",
		preset);
	for (unsigned long i = START_SPBS; i < MAX_SPBS; i++)
		if (ga_spb_query(z, i, &si) || si.category != 0 || si.nr_free_pages != SPB_PAGES)
			empty = false;
	ok(empty, "%s: SPBs 4-7 online and empty, again", preset);
	ga_zone_info(z, &zi);
	is_long(zi.managed_pages, MAX_SPBS * SPB_PAGES, "%s: managed = the whole maximum", preset);
	zone_ok(z, "%s: at the maximum", preset);
	is_long(ga_zone_resize(z, 0, SPB_PAGES, NULL), 0, "%s: shrink to one SPB", preset);
	is_long(ga_zone_nr_spbs(z), 1, "%s: one SPB left", preset);
	zone_ok(z, "%s: at one SPB", preset);
	is_long(ga_zone_resize(z, 0, START_SPBS * SPB_PAGES, NULL), 0, "%s: and back", preset);
	is_long(emb_conservation_errors(e), 0, "%s: owners hold their pages", preset);
	zone_ok(z, "%s: at 4 SPBs", preset);
}

/* A maximum that is not an SPB boundary: the last SPB comes and goes partial. */
static void test_partial(const char *preset)
{
	struct embedder e;
	struct ga_policy p;
	struct ga_spb_info si;
	struct ga_zone *z = hotplug_zone(&e, &p, preset, START_SPBS * SPB_PAGES + 3 * 512);

	is_long(ga_zone_resize(z, 0, START_SPBS * SPB_PAGES + 512, NULL), -EINVAL,
		"%s: a partial SPB short of the maximum: -EINVAL", preset);
	is_long(ga_zone_resize(z, 0, START_SPBS * SPB_PAGES + 3 * 512, NULL), 0,
		"%s: grow to a partial last SPB", preset);
	is_long(ga_spb_query(z, START_SPBS, &si), 0, "%s: it exists", preset);
	is_long(si.nr_pageblocks, 3, "%s: ... clipped to 3 pageblocks", preset);
	zone_ok(z, "%s: with a partial SPB", preset);
	is_long(ga_zone_resize(z, 0, 2 * SPB_PAGES, NULL), 0, "%s: shrink past it", preset);
	zone_ok(z, "%s: two SPBs", preset);
	emb_destroy(&e);
}

static void test_stress(void)
{
	const char *const *presets = ga_policy_preset_names();
	const char *env = getenv("GA_STRESS_OPS");
	uint64_t ops = env ? strtoull(env, NULL, 0) : 20000;

	for (unsigned int i = 0; presets[i]; i++) {
		struct stress_config cfg = {
			.preset = presets[i], .nr_pages = 1ul << 15, .threads = 3,
			.exec_threads = 2, .ops = ops, .check_every = ops / 4,
			.seed = 7 + i, .contig = true, .compact = true, .resize = true,
		};
		struct stress_result r;
		int rc = stress_run(&cfg, &r);

		stress_ok(presets[i], "3 CPUs + 2 workers, resizing", rc, &r);
		/* Offlining needs the top SPBs free of unmovable pages, which
		 * races decide: only the attempts are asserted. */
		ok(r.grows > 0 && r.shrinks + r.shrink_refused > 0,
		   "%s: %llu grows, %llu shrinks, %llu refused",
		   presets[i], (unsigned long long)r.grows, (unsigned long long)r.shrinks,
		   (unsigned long long)r.shrink_refused);
	}
}

int main(void)
{
	static const char *const presets[] = { "vanilla", "spb" };

	test_config();
	for (unsigned int i = 0; i < 2; i++) {
		struct embedder e;
		struct ga_policy p;

		hotplug_zone(&e, &p, presets[i], MAX_SPBS * SPB_PAGES);
		zone_ok(e.zone, "%s: a zone that may grow", presets[i]);
		test_errors(e.zone, presets[i]);
		test_grow(&e, presets[i]);
		test_shrink_migrates(&e, presets[i]);
		test_shrink_refused(&e, presets[i]);
		test_regrow(&e, presets[i]);
		emb_destroy(&e);
		test_partial(presets[i]);
	}
	test_stress();
	return done_testing();
}
