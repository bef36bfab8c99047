// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Regression tests for the defects of issue 16, found by fuzzing the
 * public API and by directed probes: each is the reproducer rebuilt as a
 * few calls on a small zone, with the invariant checker after every step.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static struct ga_zone *make_zone(const struct ga_zone_config *cfg)
{
	struct ga_zone *z = NULL;
	int err = ga_zone_create(&z, cfg);

	if (err)
		diag("ga_zone_create: %d", err);
	return err ? NULL : z;
}

/* Contig on a zone whose pageblock order is 2+ below the max order. */
static void test_contig_small_pageblock(void)
{
	struct ga_policy p = test_policy(false);
	struct ga_zone_config cfg;
	struct ga_zone *z;

	for (unsigned int max = 6; max <= 8; max++) {
		ga_zone_config_default(&cfg, 0, 1024, 1);
		cfg.pageblock_order = 4;
		cfg.max_page_order = max;
		cfg.spb_order = 10;
		cfg.policy = &p;
		z = make_zone(&cfg);
		ok(z, "zone with pageblock order 4, max order %u", max);
		if (!z)
			continue;
		is_long(ga_alloc_contig_range(z, 0, 16, 32, 7, NULL), 0,
			"contig range of one pageblock inside a larger free block");
		zone_ok(z, "checker after the contig allocation (max order %u)", max);
		is_long(ga_alloc_contig_range(z, 0, 96, 128, 8, NULL), 0,
			"contig range of two pageblocks");
		zone_ok(z, "checker after the second contig allocation");
		is_long(ga_free_contig_range(z, 0, 16, 32), 0, "free the first range");
		is_long(ga_free_contig_range(z, 0, 96, 128), 0, "free the second range");
		zone_ok(z, "checker after freeing both");
		struct ga_zone_info info;
		ga_zone_info(z, &info);
		is_long(info.nr_free[max], 1024 >> max, "every page merged back to max order");
		ga_zone_destroy(z);
	}
}

/*
 * mobility_grouping off: a contiguous range freed next to a free
 * pageblock of another label must not merge onto the wrong list.
 */
static void test_nogroup_contig_merge(bool cma)
{
	struct ga_policy p = test_policy(false);
	struct ga_pfn_range cma_range = { 2560, 3072 };
	struct ga_zone_config cfg;
	struct ga_zone *z;
	ga_pfn_t a, b, c;

	p.mobility_grouping = false;
	ga_zone_config_default(&cfg, 0, cma ? 3072 : 2560, 1);
	cfg.policy = &p;
	if (cma) {
		cfg.cma = &cma_range;
		cfg.nr_cma = 1;
	}
	z = make_zone(&cfg);
	if (!ok(z, "grouping-off zone%s", cma ? " with CMA" : ""))
		return;
	zone_ok(z, "fresh grouping-off zone");
	is_long(ga_alloc_contig_range(z, 0, 1024, 1536, 1, NULL), 0, "contig [1024, 1536)");
	zone_ok(z, "after the contig allocation");
	is_long(ga_alloc(z, 0, 10, GA_GFP_KERNEL, 2, &a), 0, "order-10 unmovable");
	is_long(ga_alloc(z, 0, 9, GA_GFP_KERNEL, 3, &b), 0, "order-9 unmovable");
	/* claims the free pageblock next to the contig range */
	is_long(ga_alloc(z, 0, 0, GA_GFP_KERNEL, 4, &c), 0, "order-0 unmovable");
	zone_ok(z, "after the allocations");
	is_long(ga_free(z, 0, c, 0), 0, "free the page");
	zone_ok(z, "after freeing it");
	is_long(ga_free_contig_range(z, 0, 1024, 1536), 0, "free the contig range");
	zone_ok(z, "after freeing the range next to it");
	ga_free(z, 0, a, 10);
	ga_free(z, 0, b, 9);
	zone_ok(z, "after freeing everything");
	ga_zone_destroy(z);
}

/* mobility_grouping off: a long-term pin's target allocation. */
static int mig_ok(void *ctx, struct ga_zone *z, uint64_t owner, ga_pfn_t o,
		  ga_pfn_t n, unsigned int order)
{
	(void)ctx; (void)z; (void)owner; (void)o; (void)n; (void)order;
	return 0;
}

static void test_nogroup_pin_target(void)
{
	static const struct ga_ops ops = { .migrate = mig_ok };
	struct ga_policy p;
	struct ga_zone_config cfg;
	struct ga_zone *z;
	ga_pfn_t u, m, x, f, pinned;

	ga_policy_preset(&p, "spb");
	p.min_free_kbytes = 16;
	p.watermark_scale_factor = 1;
	p.pcp = false;
	p.mobility_grouping = false;
	ga_zone_config_default(&cfg, 0, 8192, 1);
	cfg.spb_order = 11;
	cfg.policy = &p;
	cfg.ops = &ops;
	z = make_zone(&cfg);
	if (!ok(z, "grouping-off spb zone"))
		return;
	is_long(ga_alloc(z, 0, 0, GA_GFP_KERNEL, 1, &u), 0, "an unmovable page taints an SPB");
	is_long(ga_alloc(z, 0, 9, GA_GFP_KERNEL, 2, &x), 0, "an unmovable pageblock in it");
	for (int o = 8; o >= 0; o--)
		ga_alloc(z, 0, (unsigned int)o, GA_GFP_KERNEL, 10 + (unsigned int)o, &f);
	/* the rest of the tainted SPB is held */
	is_long(ga_alloc_contig_range(z, 0, 1024, 2048, 3, NULL), 0, "contig [1024, 2048)");
	is_long(ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 4, &m), 0, "a movable page");
	ok(m >= 2048, "in another SPB (%#llx)", (unsigned long long)m);
	is_long(ga_free(z, 0, x, 9), 0, "a whole free pageblock in the tainted SPB");
	zone_ok(z, "after the allocations");
	int err = ga_pin_longterm(z, 0, m, &pinned);
	ok(err == 0, "long-term pin (%d)", err);
	ok(pinned < 2048, "moved into the tainted SPB (%#llx)", (unsigned long long)pinned);
	zone_ok(z, "after the pin's target allocation");
	ga_zone_destroy(z);
}

/* A superpageblock wholly in a hole (a PCI hole). */
static void test_spb_in_hole(void)
{
	struct ga_pfn_range hole = { 2048, 4096 };
	struct ga_zone_config cfg;
	struct ga_zone *z;
	struct ga_spb_info si;

	ga_zone_config_default(&cfg, 0, 8192, 1);
	cfg.spb_order = 11;
	cfg.holes = &hole;
	cfg.nr_holes = 1;
	z = make_zone(&cfg);
	if (!ok(z, "zone with an SPB-sized hole"))
		return;
	zone_ok(z, "fresh zone with an SPB wholly in a hole");
	is_long(ga_spb_query(z, 1, &si), 0, "query the hole's SPB");
	ok(si.category != GA_SPB_EMPTY, "an SPB without a usable page is not empty (%s)",
	   ga_spb_category_name(si.category));
	ga_pfn_t pfn;
	for (int i = 0; i < 64; i++)
		ga_alloc(z, 0, 3, GA_GFP_KERNEL, (uint64_t)i, &pfn);
	zone_ok(z, "after allocations around it");
	ga_zone_destroy(z);
}

/* A zone at the very top of the pfn space. */
static void test_top_of_pfn_space(void)
{
	struct ga_zone_config cfg;
	struct ga_zone *z;

	ga_zone_config_default(&cfg, ~0ull - (1ull << 20) + 1, ~0ull - 511, 1);
	ok(ga_zone_config_check(&cfg, NULL, 0) == -EINVAL,
	   "a zone whose pfns have no 64-bit physical address is refused");
	is_long(ga_zone_create(&z, &cfg), -EINVAL, "and not created");
	/* The highest addressable zone works. */
	ga_zone_config_default(&cfg, (1ull << 52) - (1ull << 12), 1ull << 52, 1);
	cfg.spb_order = 12;
	z = make_zone(&cfg);
	if (!ok(z, "zone ending at pfn 2^52 (the top of 64-bit addresses)"))
		return;
	zone_ok(z, "fresh top zone");
	ga_pfn_t pfn;
	is_long(ga_alloc(z, 0, 10, GA_GFP_KERNEL, 1, &pfn), 0, "max-order alloc at the top");
	is_long(ga_free(z, 0, pfn, 10), 0, "and free");
	zone_ok(z, "after alloc and free at the top");
	ga_zone_destroy(z);
}

/* spb_order - pageblock_order >= 16: 65536 pageblocks per SPB. */
static void test_spb_wide_counters(void)
{
	struct ga_zone_config cfg;
	struct ga_zone *z;
	struct ga_spb_info si;

	ga_zone_config_default(&cfg, 0, 1ul << 20, 1);
	cfg.pageblock_order = 4;
	cfg.spb_order = 20;
	z = make_zone(&cfg);
	if (!ok(z, "zone with 2^16 pageblocks per SPB"))
		return;
	zone_ok(z, "fresh zone with 2^16 pageblocks in its SPB");
	is_long(ga_spb_query(z, 0, &si), 0, "query it");
	is_long(si.nr_pageblocks, 1l << 16, "pageblock count not truncated");
	is_long(si.nr_free_pageblocks, 1l << 16, "free pageblock count not truncated");
	ga_zone_destroy(z);
}

/* ga_free_contig_range on a sub-range of a contiguous allocation. */
static void test_free_contig_subrange(void)
{
	struct ga_zone *z = test_zone(4096, 1, NULL);

	is_long(ga_alloc_contig_range(z, 0, 0, 2048, 1, NULL), 0, "contig [0, 2048)");
	is_long(ga_alloc_contig_range(z, 0, 2048, 3072, 2, NULL), 0, "contig [2048, 3072)");
	is_long(ga_free_contig_range(z, 0, 512, 1024), -ENOENT, "middle sub-range refused");
	is_long(ga_free_contig_range(z, 0, 0, 512), -ENOENT, "head sub-range refused");
	is_long(ga_free_contig_range(z, 0, 1536, 2048), -ENOENT, "tail sub-range refused");
	is_long(ga_free_contig_range(z, 0, 1024, 2560), -ENOENT, "range across two refused");
	is_long(ga_free_contig_range(z, 0, 0, 3072), -ENOENT, "two ranges at once refused");
	zone_ok(z, "after the refused frees");
	is_long(ga_free_contig_range(z, 0, 0, 2048), 0, "the whole first range");
	is_long(ga_free_contig_range(z, 0, 2048, 3072), 0, "the whole second range");
	is_long(ga_free_contig_range(z, 0, 2048, 3072), -ENOENT, "twice: refused");
	zone_ok(z, "after the frees");
	ga_zone_destroy(z);
}

/* NULL result pointers: -EINVAL, never a crash. */
static void test_null_results(void)
{
	struct ga_zone_config cfg;
	struct ga_zone *z = test_zone(2048, 1, NULL);
	struct ga_policy p;

	ga_zone_config_default(&cfg, 0, 2048, 1);
	is_long(ga_zone_create(NULL, &cfg), -EINVAL, "ga_zone_create(NULL)");
	is_long(ga_zone_create(&z, NULL), -EINVAL, "ga_zone_create(cfg NULL)");
	is_long(ga_alloc(z, 0, 0, GA_GFP_KERNEL, 1, NULL), -EINVAL, "ga_alloc(pfn NULL)");
	is_long(ga_alloc_contig_pages(z, 0, 9, 1, NULL, NULL), -EINVAL,
		"ga_alloc_contig_pages(pfn NULL)");
	is_long(ga_page_query(z, 0, NULL), -EINVAL, "ga_page_query(NULL)");
	is_long(ga_pageblock_query(z, 0, NULL), -EINVAL, "ga_pageblock_query(NULL)");
	is_long(ga_region_query(z, 0, 0, NULL), -EINVAL, "ga_region_query(NULL)");
	is_long(ga_spb_query(z, 0, NULL), -EINVAL, "ga_spb_query(NULL)");
	is_long(ga_policy_set(NULL, "pcp", "on"), -EINVAL, "ga_policy_set(NULL)");
	is_long(ga_policy_set(&p, NULL, "on"), -EINVAL, "ga_policy_set(name NULL)");
	is_long(ga_policy_set(&p, "pcp", NULL), -EINVAL, "ga_policy_set(value NULL)");
	is_long(ga_policy_set_assignment(NULL, "pcp=on"), -EINVAL,
		"ga_policy_set_assignment(NULL)");
	is_long(ga_policy_set_assignment(&p, NULL), -EINVAL,
		"ga_policy_set_assignment(text NULL)");
	is_long(ga_policy_preset(NULL, "vanilla"), -EINVAL, "ga_policy_preset(NULL)");
	is_long(ga_policy_preset(&p, NULL), -EINVAL, "ga_policy_preset(name NULL)");
	zone_ok(z, "zone untouched");
	ga_zone_destroy(z);
}

/* Policy values outside their documented range are refused at creation. */
static void test_policy_range_at_create(void)
{
	struct ga_zone_config cfg;
	struct ga_policy p;
	struct ga_zone *z;
	char err[256] = "";

	ga_policy_preset(&p, "vanilla");
	p.pcp_batch_scale_max = 40;
	ga_zone_config_default(&cfg, 0, 2048, 1);
	cfg.policy = &p;
	is_long(ga_zone_config_check(&cfg, err, sizeof(err)), -EINVAL,
		"pcp_batch_scale_max=40 refused by the config check");
	ok(strstr(err, "pcp_batch_scale_max"), "the reason names it (%s)", err);
	is_long(ga_zone_create(&z, &cfg), -EINVAL, "and by ga_zone_create");
	ga_policy_preset(&p, "vanilla");
	p.watermark_scale_factor = 4000000000u;
	is_long(ga_zone_create(&z, &cfg), -EINVAL, "watermark_scale_factor=4e9 refused");
	is_long(ga_policy_set(&p, "watermark_scale_factor", "4000000000"), -ERANGE,
		"and by ga_policy_set");
}

/*
 * Every parameter of the table, at its minimum - 1 and maximum + 1, is
 * refused by --set (ga_policy_set) and at zone creation; at its minimum
 * and maximum it is accepted by both. Walks the table, so a parameter
 * added later is covered without touching this test.
 */
static void test_param_ranges(void)
{
	size_t nr;
	const struct ga_param_info *pi = ga_policy_params(&nr);
	unsigned long bad_set = 0, bad_create = 0, good = 0, walked = 0;

	for (size_t i = 0; i < nr; i++) {
		struct ga_policy p;
		struct ga_zone_config cfg;
		struct ga_zone *z;
		char v[32];
		unsigned int *field;

		if (pi[i].type != GA_PARAM_UINT)
			continue;
		walked++;
		ga_zone_config_default(&cfg, 0, 4096, 1);
		cfg.policy = &p;
		field = (unsigned int *)((char *)&p + pi[i].offset);
		/* below the minimum, above the maximum */
		for (int side = 0; side < 2; side++) {
			unsigned long long val = side ? (unsigned long long)pi[i].max + 1 :
							(unsigned long long)pi[i].min - 1;

			if (!side && pi[i].min == 0)
				continue;	/* no value below 0 to write */
			ga_policy_preset(&p, "vanilla");
			snprintf(v, sizeof(v), "%llu", val);
			if (ga_policy_set(&p, pi[i].name, v) != -ERANGE) {
				bad_set++;
				diag("--set %s=%s accepted", pi[i].name, v);
			}
			if (val > 0xffffffffull)
				continue;
			*field = (unsigned int)val;
			if (ga_zone_config_check(&cfg, NULL, 0) != -EINVAL) {
				bad_create++;
				diag("zone with %s=%llu accepted", pi[i].name, val);
			}
		}
		/* at the limits: accepted */
		for (int side = 0; side < 2; side++) {
			ga_policy_preset(&p, "vanilla");
			snprintf(v, sizeof(v), "%u", side ? pi[i].max : pi[i].min);
			if (ga_policy_set(&p, pi[i].name, v) ||
			    ga_zone_config_check(&cfg, NULL, 0)) {
				diag("%s=%s refused", pi[i].name, v);
				continue;
			}
			/* min_free_kbytes at 1 GiB cannot fit a 16 MiB zone's
			 * watermarks, which is fine: only creation is tested. */
			if (ga_zone_create(&z, &cfg) == 0) {
				good += ga_zone_check(z, NULL, 0) == 0;
				ga_zone_destroy(z);
			} else {
				diag("ga_zone_create with %s=%s failed", pi[i].name, v);
			}
		}
	}
	ok(walked > 10, "walked %lu numeric parameters", walked);
	is_long(bad_set, 0, "--set refuses every out-of-range value");
	is_long(bad_create, 0, "zone creation refuses every out-of-range value");
	is_long(good, 2 * walked, "every parameter at its limits gives a sound zone");
}

/*
 * Library and owner must agree: a page freed by reclaim while migration
 * takes its target (the free is deferred, the page being isolated) must
 * not reach ops->migrate.
 */
#define RIG_N 4096
struct rig {
	struct ga_zone *z;
	ga_pfn_t pfn[RIG_N];
	bool live[RIG_N];
	unsigned long n, anomalies, migrates;
	bool armed;
};

static int rig_migrate(void *ctx, struct ga_zone *z, uint64_t owner,
		       ga_pfn_t old_pfn, ga_pfn_t new_pfn, unsigned int order)
{
	struct rig *r = ctx;

	(void)z; (void)order;
	r->migrates++;
	if (owner >= r->n || !r->live[owner] || r->pfn[owner] != old_pfn) {
		r->anomalies++;
		return -ENOENT;
	}
	r->pfn[owner] = new_pfn;
	return 0;
}

static unsigned long rig_reclaim(void *ctx, struct ga_zone *z,
				 const struct ga_reclaim_request *req)
{
	struct rig *r = ctx;
	unsigned long freed = 0, outside = 0;

	if (!r->armed)
		return 0;
	r->armed = false;
	for (unsigned long i = 0; i < r->n; i++) {
		if (!r->live[i])
			continue;
		/* every page of the range being emptied, and a few others */
		if (r->pfn[i] >= 512 && outside++ >= 64)
			continue;
		if (!ga_free(z, req->cpu, r->pfn[i], 0)) {
			r->live[i] = false;
			freed++;
		}
	}
	return freed;
}

static void test_migrate_after_reclaim_free(void)
{
	static const struct ga_ops ops = { .migrate = rig_migrate,
					   .reclaim = rig_reclaim };
	struct ga_policy p = test_policy(false);
	struct ga_zone_config cfg;
	struct rig *r = calloc(1, sizeof(*r));
	struct ga_zone *z;
	unsigned long bad = 0;

	ga_zone_config_default(&cfg, 0, 2048, 1);
	cfg.policy = &p;
	cfg.ops = &ops;
	cfg.ops_ctx = r;
	z = make_zone(&cfg);
	if (!ok(z, "zone with a reclaiming owner"))
		return;
	while (r->n < RIG_N && !ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, r->n,
					 &r->pfn[r->n]))
		r->live[r->n++] = true;
	ok(r->n > 2000, "zone filled with %lu movable pages", r->n);
	r->armed = true;
	int err = ga_alloc_contig_range(z, 0, 0, 512, 1u << 20, NULL);
	ok(err == 0 || err == -ENOMEM, "contig range while reclaim frees its pages (%d)", err);
	ok(!r->armed, "reclaim ran during the migration");
	is_long(r->anomalies, 0, "ops->migrate never called for a page its owner freed");
	zone_ok(z, "checker after the contig attempt");
	for (unsigned long i = 0; i < r->n; i++) {
		struct ga_page_info pi;

		if (r->live[i] && (ga_page_query(z, r->pfn[i], &pi) ||
				   pi.state != GA_PAGE_ALLOC || pi.owner != i))
			bad++;
	}
	is_long(bad, 0, "every live owner still holds its page");
	ga_zone_destroy(z);
	free(r);
}

/*
 * Two contiguous ranges isolated at once by two callers: free pages merge
 * on the ISOLATE lists across their boundary, and the one that takes its
 * range first must not carry the other's pageblock off with it. The
 * second caller runs inside the first's migrate callback, while the
 * first's range holds a wholly free isolated pageblock next to it.
 */
struct nest {
	struct ga_zone *z;
	ga_pfn_t x, y;
	int inner_rc;
	bool nested;
};

/* Every page is clean and dropped: no migration target to get in the way. */
static int nest_drop(void *ctx, struct ga_zone *z, uint64_t owner, ga_pfn_t pfn,
		     unsigned int order)
{
	struct nest *n = ctx;

	(void)order;
	if (owner == 1 && pfn == n->x && !n->nested) {
		n->nested = true;
		n->inner_rc = ga_alloc_contig_range(z, 0, 0, 0x200, 20, NULL);
	}
	return 0;
}

static void test_contig_neighbours_isolated(void)
{
	static const struct ga_ops ops = { .drop = nest_drop };
	struct ga_policy p = test_policy(false);
	struct ga_zone_config cfg;
	struct nest n = { 0 };
	struct ga_zone *z;

	ga_zone_config_default(&cfg, 0, 2048, 1);
	cfg.policy = &p;
	cfg.ops = &ops;
	cfg.ops_ctx = &n;
	z = make_zone(&cfg);
	if (!ok(z, "zone for nested contiguous ranges"))
		return;
	n.z = z;
	n.y = 0x10;
	n.x = 0x410;
	is_long(ga_alloc_at(z, 0, n.y, 0, GA_GFP_HIGHUSER_MOVABLE, 2), 0, "page in block 0");
	is_long(ga_alloc_at(z, 0, n.x, 0, GA_GFP_HIGHUSER_MOVABLE, 1), 0, "page in block 2");
	/* outer: blocks 1 (wholly free) and 2; inner, from the callback: block 0 */
	is_long(ga_alloc_contig_range(z, 0, 0x200, 0x600, 10, NULL), 0,
		"outer range [0x200, 0x600)");
	ok(n.nested, "the inner caller ran while the outer range was isolated");
	is_long(n.inner_rc, 0, "inner range [0, 0x200)");
	zone_ok(z, "checker after both ranges");
	is_long(ga_free_contig_range(z, 0, 0, 0x200), 0, "free the inner range");
	is_long(ga_free_contig_range(z, 0, 0x200, 0x600), 0, "free the outer range");
	zone_ok(z, "checker after freeing them");
	ga_zone_destroy(z);
}

int main(void)
{
	test_contig_neighbours_isolated();
	test_migrate_after_reclaim_free();
	test_contig_small_pageblock();
	test_nogroup_contig_merge(false);
	test_nogroup_contig_merge(true);
	test_nogroup_pin_target();
	test_spb_in_hole();
	test_top_of_pfn_space();
	test_spb_wide_counters();
	test_free_contig_subrange();
	test_null_results();
	test_policy_range_at_create();
	test_param_ranges();
	return done_testing();
}
