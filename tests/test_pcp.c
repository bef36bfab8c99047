// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Per-CPU lists: refill in batches, free to the list, spill at high,
 * drains, decay, pcp pages being neither free nor allocated, and the
 * smaller lists while kswapd reclaims. */
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
#include "internal.h"

static uint64_t stat_of(struct ga_zone *z, enum ga_stat_item item)
{
	struct ga_stats s;

	ga_zone_stats(z, &s);
	return s.v[item];
}

static struct ga_zone_info info_of(struct ga_zone *z)
{
	struct ga_zone_info info;

	ga_zone_info(z, &info);
	return info;
}

static void test_refill_and_free(void)
{
	struct ga_policy p = test_policy(true);
	struct ga_zone *z = test_zone(1ul << 18, 2, &p);	/* 1 GiB */
	struct ga_zone_info info = info_of(z);
	struct ga_page_info pi;
	ga_pfn_t pfn, first;
	unsigned long refilled;

	is_long(info.pcp_batch, 63, "batch 63 for a 1 GiB zone");
	ga_alloc(z, 0, 0, GA_GFP_KERNEL, 0, &first);
	refilled = stat_of(z, GA_STAT_PCP_REFILL_PAGES);
	is_long(stat_of(z, GA_STAT_PCP_REFILL), 1, "the first allocation refilled the pcp");
	ok(refilled >= 63, "with at least one batch (%lu pages)", refilled);
	info = info_of(z);
	is_long(info.pcp_pages, refilled - 1, "the rest stays on the pcp list");
	is_long(info.free_pages, (1ul << 18) - refilled, "pcp pages are not free pages");

	ga_alloc(z, 0, 0, GA_GFP_KERNEL, 0, &pfn);
	is_long(stat_of(z, GA_STAT_PCP_REFILL), 1, "the next one comes from the list");
	is_long(pfn, first + 1, "in physical order (refill appends split pages in order)");

	ga_free(z, 0, pfn, 0);
	info = info_of(z);
	is_long(info.pcp_pages, refilled - 1, "a free goes to the pcp list");
	ga_page_query(z, pfn, &pi);
	is_long(pi.state, GA_PAGE_PCP, "the freed page is a pcp page");
	is_long(ga_free(z, 0, pfn, 0), -EALREADY, "freeing a pcp page again is a double free");
	ga_alloc(z, 0, 0, GA_GFP_KERNEL, 0, &pfn);
	ga_page_query(z, pfn, &pi);
	is_long(pi.state, GA_PAGE_ALLOC, "the list head (last freed) is reused first");

	ga_alloc(z, 1, 0, GA_GFP_KERNEL, 0, &pfn);
	is_long(stat_of(z, GA_STAT_PCP_REFILL), 2, "another CPU has its own lists");
	ga_alloc(z, 0, 0, GA_GFP_KERNEL_RECLAIMABLE, 0, &pfn);
	is_long(stat_of(z, GA_STAT_PCP_REFILL), 3, "and each migratetype its own list");
	ga_alloc(z, 0, 9, GA_GFP_TRANSHUGE, 0, &pfn);
	is_long(stat_of(z, GA_STAT_PCP_ALLOC), 6, "order 9 (THP) is served by a pcp list");
	ga_alloc(z, 0, 5, GA_GFP_KERNEL, 0, &pfn);
	is_long(stat_of(z, GA_STAT_PCP_ALLOC), 6, "order 5 is not");

	zone_ok(z, "checker with pages on pcp lists");
	is_long(ga_drain_pcp(z, 0), 0, "drain cpu 0");
	is_long(ga_drain_pcp(z, 2), -EINVAL, "draining a cpu out of range is -EINVAL");
	ga_drain_all_pcp(z);
	is_long(info_of(z).pcp_pages, 0, "drains empty every list");
	zone_ok(z, "checker after draining");
	ga_zone_destroy(z);
}

/*
 * Allocation runs grow pcp->high towards high_max (auto-tuning), so frees
 * spill only past it; ticks then decay high back to high_min.
 */
static void test_spill_and_decay(void)
{
	struct ga_policy p = test_policy(true);
	struct ga_zone *z = test_zone(1ul << 18, 1, &p);
	unsigned long n = 40000, max_pcp = 0;
	ga_pfn_t *pfns = calloc(n, sizeof(*pfns));
	struct ga_zone_info info;

	for (unsigned long i = 0; i < n; i++)
		ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 0, &pfns[i]);
	info = info_of(z);
	ok(info.pcp_pages <= (unsigned long)info.pcp_high_max,
	   "refills never hold more than high_max (%lu <= %d)", info.pcp_pages,
	   info.pcp_high_max);
	for (unsigned long i = 0; i < n; i++) {
		ga_free(z, 0, pfns[i], 0);
		if (info_of(z).pcp_pages > max_pcp)
			max_pcp = info_of(z).pcp_pages;
	}
	info = info_of(z);
	ok(max_pcp <= (unsigned long)info.pcp_high_max,
	   "frees spill before high_max (peak %lu <= %d)", max_pcp, info.pcp_high_max);
	ok(stat_of(z, GA_STAT_PCP_DRAIN_PAGES) > 0, "spills returned pages to the buddy");
	zone_ok(z, "checker after 40000 frees");
	for (int t = 0; t < 60; t++)
		ga_vmstat_tick(z);
	info = info_of(z);
	ok(info.pcp_pages <= (unsigned long)info.pcp_high_min,
	   "a minute of vmstat ticks decays the pcp to high_min (%lu <= %d)",
	   info.pcp_pages, info.pcp_high_min);
	zone_ok(z, "checker after decay");
	free(pfns);
	ga_zone_destroy(z);
}

/* A page cached on a pcp list whose block changes type meanwhile goes back
 * to the block's current type when drained (free_pcppages_bulk re-reads it). */
static void test_drain_rereads_type(void)
{
	struct ga_policy p = test_policy(true);
	struct ga_zone *z = test_zone(1ul << 16, 1, &p);
	struct ga_zone_info after;
	ga_pfn_t pfn, block;

	ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 0, &pfn);
	ga_free(z, 0, pfn, 0);		/* cached on the Movable list */
	ga_drain_pcp(z, 0);
	ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 0, &pfn);
	ga_free(z, 0, pfn, 0);
	block = pfn & ~511ul;
	ga_lock(&z->lock);
	move_freepages_block(z, block, GA_MT_MOVABLE, GA_MT_RECLAIMABLE);
	ga_unlock(&z->lock);
	ga_drain_all_pcp(z);
	ga_zone_info(z, &after);
	is_long(after.nr_free_mt[10][GA_MT_RECLAIMABLE], 1,
		"the drained pages merged into a max-order block on the Reclaimable list");
	is_long(after.blocks_mt[GA_MT_RECLAIMABLE], 2,
		"the merge relabelled the Movable buddy block too");
	is_long(after.pcp_pages, 0, "nothing left on pcp lists");
	zone_ok(z, "checker: every free page on its block's type list");
	ga_zone_destroy(z);
}

/*
 * Without a reclaim callback, kswapd reclaims outside the library (in a
 * replay, the traced kernel's kswapd, whose frees are the trace's): the
 * zone is under reclaim (ZONE_RECLAIM_ACTIVE) from the wake below the low
 * mark until it meets its high mark again, and meanwhile a pcp list keeps
 * at most 4 * batch pages (nr_pcp_high). A node's slow path wakes kswapd
 * before its first try at the min mark, as wake_all_kswapds does.
 */
static int pa_alloc(struct ga_node *n, struct ga_zone *z, ga_pfn_t *pfn)
{
	return n ? ga_node_alloc(n, 0, 0, GA_GFP_KERNEL, 0, pfn, NULL) :
		   ga_alloc(z, 0, 0, GA_GFP_KERNEL, 0, pfn);
}

static int pa_free(struct ga_node *n, struct ga_zone *z, ga_pfn_t pfn)
{
	return n ? ga_node_free(n, 0, pfn, 0) : ga_free(z, 0, pfn, 0);
}

static void reclaim_active_case(struct ga_node *n, struct ga_zone *z, const char *what)
{
	struct ga_zone_info info = info_of(z);
	unsigned long cap = 4ul * (unsigned long)info.pcp_batch, nr = 0, i;
	ga_pfn_t *pfns = calloc(info.managed_pages, sizeof(*pfns));

	ok(!ga_test_bit(ZONE_RECLAIM_ACTIVE, &z->flags), "%s: not under reclaim at first", what);
	while (info_of(z).free_pages >= info.wmark_low + 64 &&
	       !pa_alloc(n, z, &pfns[nr]))
		nr++;
	ok(!ga_test_bit(ZONE_RECLAIM_ACTIVE, &z->flags), "%s: still not above the low mark", what);
	for (i = 0; i < 256 && !pa_alloc(n, z, &pfns[nr]); i++)
		nr++;
	info = info_of(z);
	ok(info.free_pages < info.wmark_low && info.free_pages > info.wmark_min,
	   "%s: between the min and low marks (%lu free)", what, info.free_pages);
	ok(ga_test_bit(ZONE_RECLAIM_ACTIVE, &z->flags),
	   "%s: crossing the low mark woke kswapd: under reclaim", what);
	for (i = 0; i < 1000; i++)
		pa_free(n, z, pfns[--nr]);
	ok(info_of(z).pcp_pages <= cap,
	   "%s: under reclaim 1000 frees leave <= 4 * batch on the pcp list (%lu <= %lu)",
	   what, info_of(z).pcp_pages, cap);
	while (nr)
		pa_free(n, z, pfns[--nr]);
	ok(!ga_test_bit(ZONE_RECLAIM_ACTIVE, &z->flags),
	   "%s: balanced at the high mark again: reclaim over", what);
	for (i = 0; i < 1000 && !pa_alloc(n, z, &pfns[nr]); i++)
		nr++;
	while (nr)
		pa_free(n, z, pfns[--nr]);
	ok(info_of(z).pcp_pages > cap, "%s: then 1000 frees keep more (%lu > %lu)", what,
	   info_of(z).pcp_pages, cap);
	zone_ok(z, "checker after the reclaim-active frees");
	free(pfns);
}

static void test_reclaim_active_external(void)
{
	struct ga_policy p;
	struct ga_node_config cfg;
	struct ga_node *n = NULL;
	struct ga_zone *z;

	ga_policy_preset(&p, "vanilla-6.1");
	z = test_zone(1ul << 18, 1, &p);
	reclaim_active_case(NULL, z, "zone");
	ga_zone_destroy(z);

	ga_policy_preset(&p, "vanilla");
	z = test_zone(1ul << 18, 1, &p);
	reclaim_active_case(NULL, z, "zone, vanilla (6.12)");
	ga_zone_destroy(z);

	ga_policy_preset(&p, "vanilla-6.1");
	ga_node_config_default(&cfg, 1);
	ga_node_config_zone(&cfg, GA_ZONE_NORMAL, 1ul << 18, 1ul << 19);
	cfg.policy = &p;
	if (ga_node_create(&n, &cfg, NULL, 0)) {
		ok(0, "ga_node_create");
		return;
	}
	reclaim_active_case(n, ga_node_zone(n, GA_ZONE_NORMAL), "node");
	ga_node_destroy(n);
}

int main(void)
{
	test_refill_and_free();
	test_spill_and_decay();
	test_drain_rereads_type();
	test_reclaim_active_external();
	return done_testing();
}
