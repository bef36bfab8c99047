// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The vanilla-6.1 preset's switches, each with a constructed A/B scenario
 * whose outcome differs between the v6.1 and the v6.12/6.15 logic:
 * fallback_largest (v6.1 __rmqueue_fallback takes its page from the
 * largest fallback buddy even when the claim is refused; v6.15 tries the
 * smaller candidates, then steals the smallest), rmqueue_bulk_restart (no
 * fallback mode cache across one pcp refill), pcp_high_fixed (no v6.7
 * auto-tuning of pcp->high) and pcp_batch_fixed (6.1's refills of batch
 * and free_factor spills, before v6.7's alloc_factor and free_count).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Allocate every page still free (ga_alloc_at ignores the watermarks). */
static void fill_rest(struct ga_zone *z, unsigned long nr_pages, unsigned int gfp)
{
	ga_drain_all_pcp(z);
	for (ga_pfn_t pfn = 0; pfn < nr_pages; pfn++)
		ga_alloc_at(z, 0, pfn, 0, gfp, 0);
}

/* The A/B scenarios' start: a zone of nr_pages under p with NOFRAGMENT
 * off and tiny watermarks, every page allocated with gfp. */
static struct ga_zone *full_zone(struct ga_policy *p, unsigned long nr_pages,
				 unsigned int gfp)
{
	struct ga_zone *z;
	ga_pfn_t pfn;

	p->nofragment = false;
	p->min_free_kbytes = 4;
	z = test_zone(nr_pages, 1, p);
	while (!ga_alloc(z, 0, 0, gfp, 0, &pfn))
		;
	fill_rest(z, nr_pages, gfp);
	return z;
}

/* Free the order-0 pages start, start + step, ... below end. */
static void free_pages(struct ga_zone *z, ga_pfn_t start, ga_pfn_t end, ga_pfn_t step)
{
	for (ga_pfn_t pfn = start; pfn < end; pfn += step)
		ga_free(z, 0, pfn, 0);
}

static uint64_t stat_of(struct ga_zone *z, enum ga_stat_item item)
{
	struct ga_stats s;

	ga_zone_stats(z, &s);
	return s.v[item];
}

/* Every page movable and in use, then an order-5 and an order-2 free buddy
 * in two movable blocks that are otherwise full. */
static struct ga_zone *two_holes(bool largest)
{
	struct ga_policy p = test_policy(false);
	struct ga_zone *z;

	p.fallback_largest = largest;
	z = full_zone(&p, 4096, GA_GFP_HIGHUSER_MOVABLE);
	free_pages(z, 1024, 1024 + 32, 1);
	free_pages(z, 2560, 2560 + 4, 1);
	return z;
}

static void test_fallback_largest(void)
{
	for (int largest = 0; largest < 2; largest++) {
		struct ga_zone *z = two_holes(largest);
		uint64_t refused0 = stat_of(z, GA_STAT_CLAIM_REFUSED);
		ga_pfn_t pfn = 0;

		is_long(ga_alloc(z, 0, 0, GA_GFP_KERNEL, 1, &pfn), 0,
			"%s: the unmovable page is allocated", largest ? "6.1" : "6.12");
		if (largest) {
			ok(pfn >= 1024 && pfn < 1056,
			   "6.1: taken from the largest fallback buddy (pfn %llu)",
			   (unsigned long long)pfn);
			is_long((long)(stat_of(z, GA_STAT_CLAIM_REFUSED) - refused0), 1,
				"6.1: one candidate, one refused claim");
		} else {
			ok(pfn >= 2560 && pfn < 2564,
			   "6.12: stolen from the smallest fallback buddy (pfn %llu)",
			   (unsigned long long)pfn);
			is_long((long)(stat_of(z, GA_STAT_CLAIM_REFUSED) - refused0), 2,
				"6.12: both candidates refused before the steal");
		}
		is_long((long)stat_of(z, GA_STAT_STEAL), 1, "a steal, not a claim");
		zone_ok(z, "checker after the fallback");
		ga_zone_destroy(z);
	}
}

/* A movable request that may not claim a small buddy looks for the
 * smallest one in v6.1 as in v6.15. */
static void test_fallback_largest_movable(void)
{
	struct ga_policy p = test_policy(false);
	struct ga_zone *z;
	ga_pfn_t pfn;

	p.fallback_largest = true;
	z = full_zone(&p, 4096, GA_GFP_KERNEL);
	free_pages(z, 1024, 1024 + 8, 1);	/* order 3: not claimable */
	free_pages(z, 2560, 2560 + 2, 1);	/* order 1 */
	is_long(ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 1, &pfn), 0,
		"6.1: a movable page from unmovable blocks");
	ok(pfn >= 2560 && pfn < 2562, "6.1 find_smallest: the order-1 buddy (pfn %llu)",
	   (unsigned long long)pfn);
	zone_ok(z, "checker after find_smallest");
	ga_zone_destroy(z);
}

/* One pcp refill of unmovable pages that all have to be stolen. */
static uint64_t refill_refusals(bool restart)
{
	struct ga_policy p = test_policy(true);
	struct ga_zone *z;
	uint64_t before, after;
	ga_pfn_t pfn;

	p.rmqueue_bulk_restart = restart;
	z = full_zone(&p, 65536, GA_GFP_HIGHUSER_MOVABLE);
	/* order-0 holes, a quarter of two blocks: too few to claim them */
	free_pages(z, 8192, 8192 + 1024, 4);
	ga_drain_all_pcp(z);
	before = stat_of(z, GA_STAT_CLAIM_REFUSED);
	if (ga_alloc(z, 0, 0, GA_GFP_KERNEL, 1, &pfn))
		ok(0, "the unmovable allocation failed");
	after = stat_of(z, GA_STAT_CLAIM_REFUSED);
	zone_ok(z, "checker after the refill (restart %d)", restart);
	ga_zone_destroy(z);
	return after - before;
}

static void test_rmqueue_bulk_restart(void)
{
	uint64_t cached = refill_refusals(false), restart = refill_refusals(true);

	is_long((long)cached, 1, "6.12: one refused claim, then the refill keeps stealing");
	ok(restart > cached, "6.1: every page of the refill tries to claim again (%llu)",
	   (unsigned long long)restart);
}

/* Frees of many order-0 pages on one CPU: how many stay on its pcp list. */
static void pcp_after_frees(bool fixed, unsigned long *pcp, int *high_min, int *high_max)
{
	struct ga_policy p = test_policy(true);
	struct ga_zone_info zi;
	struct ga_zone *z;
	enum { N = 4096 };
	static ga_pfn_t pfn[N];

	p.pcp_high_fixed = fixed;
	z = test_zone(65536, 1, &p);
	for (int i = 0; i < N; i++)
		if (ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 0, &pfn[i]))
			ok(0, "allocation %d failed", i);
	for (int i = 0; i < N; i++)
		ga_free(z, 0, pfn[i], 0);
	ga_zone_info(z, &zi);
	*pcp = zi.pcp_pages;
	*high_min = zi.pcp_high_min;
	*high_max = zi.pcp_high_max;
	zone_ok(z, "checker after the frees (fixed %d)", fixed);
	ga_zone_destroy(z);
}

static void test_pcp_high_fixed(void)
{
	unsigned long pcp_auto, pcp_fixed;
	int min_auto, max_auto, min_fixed, max_fixed;

	pcp_after_frees(false, &pcp_auto, &min_auto, &max_auto);
	pcp_after_frees(true, &pcp_fixed, &min_fixed, &max_fixed);
	ok(max_auto > min_auto, "6.12: high may grow from %d to %d", min_auto, max_auto);
	is_long(max_fixed, min_fixed, "6.1: high_max = high_min");
	is_long(min_fixed, min_auto, "... at the same low-watermark size");
	ok(pcp_fixed <= (unsigned long)min_fixed,
	   "6.1: the list stays at or below high (%lu <= %d)", pcp_fixed, min_fixed);
	ok(pcp_auto > (unsigned long)min_auto,
	   "6.12: auto-tuning let the list grow past high_min (%lu > %d)", pcp_auto, min_auto);
}

/*
 * pcp_batch_fixed (v6.1 rmqueue_pcplist and nr_pcp_free). Order-0
 * allocations without frees: each 6.1 refill takes exactly pcp->batch
 * pages, where v6.7's alloc_factor doubles them. Then frees without
 * allocations: 6.1 doubles each spill (batch << free_factor, up to
 * high - batch), so the list is spilled in a few large bulks and ends
 * shorter than under v6.7's free_count, capped at batch << scale_max.
 * Both runs keep high fixed (pcp_high_fixed), so only the batches differ.
 */
struct pcp_batches {
	unsigned long refills, refill_pages, drained, left;
	int batch, high;
};

static void pcp_batches(bool fixed, struct pcp_batches *b)
{
	struct ga_policy p = test_policy(true);
	struct ga_zone_info zi;
	struct ga_stats st;
	struct ga_zone *z;
	enum { N = 8192 };
	static ga_pfn_t pfn[N];

	p.pcp_high_fixed = true;
	p.pcp_batch_fixed = fixed;
	z = test_zone(65536, 1, &p);
	for (int i = 0; i < N; i++)
		if (ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 0, &pfn[i]))
			ok(0, "allocation %d failed", i);
	ga_zone_stats(z, &st);
	b->refills = st.v[GA_STAT_PCP_REFILL];
	b->refill_pages = st.v[GA_STAT_PCP_REFILL_PAGES];
	for (int i = 0; i < N; i++)
		ga_free(z, 0, pfn[i], 0);
	ga_zone_stats(z, &st);
	ga_zone_info(z, &zi);
	b->drained = st.v[GA_STAT_PCP_DRAIN_PAGES];
	b->left = zi.pcp_pages;
	b->batch = zi.pcp_batch;
	b->high = zi.pcp_high_min;
	zone_ok(z, "checker after the frees (batch fixed %d)", fixed);
	ga_zone_destroy(z);
}

static void test_pcp_batch_fixed(void)
{
	struct pcp_batches v61, v612;

	pcp_batches(true, &v61);
	pcp_batches(false, &v612);
	ok(v61.refills > 0 && v61.refill_pages == v61.refills * (unsigned long)v61.batch,
	   "6.1: every refill takes batch = %d pages (%lu refills, %lu pages)", v61.batch,
	   v61.refills, v61.refill_pages);
	ok(v612.refill_pages > v612.refills * (unsigned long)v612.batch,
	   "6.12: refills grow past batch (%lu pages in %lu refills)", v612.refill_pages,
	   v612.refills);
	ok(v61.refills > 2 * v612.refills, "so 6.1 refills more often (%lu against %lu)",
	   v61.refills, v612.refills);
	ok(v61.left < v612.left && v61.left <= (unsigned long)v61.high,
	   "6.1: doubling spills leave a shorter list after the frees (%lu against %lu, high %d)",
	   v61.left, v612.left, v61.high);
}

static void test_presets(void)
{
	struct ga_policy a, b;

	is_long(ga_policy_preset(&a, "vanilla-6.1"), 0, "vanilla-6.1 is a preset");
	ok(a.fallback_largest && a.rmqueue_bulk_restart && a.pcp_high_fixed &&
	   a.pcp_batch_fixed, "vanilla-6.1 sets the four v6.1 switches");
	ga_policy_preset(&a, "vanilla-6.12");
	ga_policy_preset(&b, "vanilla");
	ok(!memcmp(&a, &b, sizeof(a)), "vanilla-6.12 is vanilla");
	ok(!b.fallback_largest && !b.rmqueue_bulk_restart && !b.pcp_high_fixed &&
	   !b.pcp_batch_fixed, "vanilla has none of them");
	for (const char *const *n = ga_policy_preset_names(); *n; n++) {
		ga_policy_preset(&a, *n);
		if (strcmp(*n, "vanilla-6.1"))
			ok(!a.fallback_largest && !a.rmqueue_bulk_restart &&
			   !a.pcp_high_fixed && !a.pcp_batch_fixed,
			   "%s keeps the v6.12 logic", *n);
	}
}

int main(void)
{
	test_fallback_largest();
	test_fallback_largest_movable();
	test_rmqueue_bulk_restart();
	test_pcp_high_fixed();
	test_pcp_batch_fixed();
	test_presets();
	return done_testing();
}
