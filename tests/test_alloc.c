// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Allocation and free basics, bad input, running out of memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static uint64_t stat_of(struct ga_zone *z, enum ga_stat_item item)
{
	struct ga_stats s;

	ga_zone_stats(z, &s);
	return s.v[item];
}

static void test_each_order(bool pcp)
{
	struct ga_policy p = test_policy(pcp);
	struct ga_zone *z = test_zone(16384, 2, &p);
	ga_pfn_t pfns[11];

	for (unsigned int o = 0; o <= 10; o++) {
		struct ga_page_info pi;
		int rc = ga_alloc(z, o % 2, o, GA_GFP_KERNEL | GA_GFP_MOVABLE,
				  0xabc0 + o, &pfns[o]);

		if (!ok(rc == 0, "pcp=%d: order %u allocates", pcp, o))
			continue;
		ok(pfns[o] % (1ul << o) == 0, "order %u block is naturally aligned", o);
		ok(ga_page_query(z, pfns[o], &pi) == 0 && pi.state == GA_PAGE_ALLOC &&
		   pi.order == o && pi.owner == 0xabc0 + o &&
		   pi.migratetype == GA_MT_MOVABLE,
		   "order %u head records state, order, owner and mobility", o);
		if (o) {
			ga_page_query(z, pfns[o] + (1ul << o) - 1, &pi);
			ok(pi.head_pfn == pfns[o] && pi.state == GA_PAGE_ALLOC,
			   "last page of order %u block resolves to its head", o);
		}
	}
	zone_ok(z, "pcp=%d: checker after one allocation of each order", pcp);
	for (unsigned int o = 0; o <= 10; o++)
		is_long(ga_free(z, (o + 1) % 2, pfns[o], o), 0, "order %u frees", o);
	ga_drain_all_pcp(z);
	zone_ok(z, "pcp=%d: checker after freeing and draining", pcp);
	struct ga_zone_info info;
	ga_zone_info(z, &info);
	is_long(info.free_pages, 16384, "pcp=%d: everything is free again", pcp);
	is_long(info.nr_free[10], 16, "pcp=%d: and merged back to 16 max-order blocks", pcp);
	ga_zone_destroy(z);
}

static void test_bad_input(bool pcp)
{
	struct ga_policy p = test_policy(pcp);
	struct ga_zone *z = test_zone(16384, 1, &p);
	ga_pfn_t a, b;

	ga_alloc(z, 0, 2, GA_GFP_KERNEL, 1, &a);
	ga_alloc(z, 0, 0, GA_GFP_KERNEL, 2, &b);
	is_long(ga_alloc(z, 0, 0, GA_GFP_MOVABLE | GA_GFP_RECLAIMABLE, 0, &b),
		-EINVAL, "alloc: movable+reclaimable gfp is -EINVAL");
	is_long(ga_alloc(z, 1, 0, GA_GFP_KERNEL, 0, &b), -EINVAL,
		"alloc: cpu out of range is -EINVAL");
	is_long(ga_alloc(z, 0, 11, GA_GFP_KERNEL, 0, &b), -E2BIG,
		"alloc: order > max_page_order is -E2BIG");
	is_long(ga_free(z, 0, 16384, 0), -ERANGE, "free: pfn past the zone is -ERANGE");
	is_long(ga_free(z, 0, a, 11), -E2BIG, "free: order 11 is -E2BIG");
	is_long(ga_free(z, 1, a, 2), -EINVAL, "free: cpu out of range is -EINVAL");
	is_long(ga_free(z, 0, a, 1), -EBADSLT, "free: wrong order is -EBADSLT");
	is_long(ga_free(z, 0, a + 1, 0), -ENOENT,
		"free: a page inside an allocation is -ENOENT");
	is_long(ga_free(z, 0, 8192, 0), -EALREADY,
		"free: a page inside a free block is -EALREADY");
	is_long(ga_free(z, 0, b, 0), 0, "free: a good free succeeds");
	is_long(ga_free(z, 0, b, 0), -EALREADY, "free: the same page again is -EALREADY");
	zone_ok(z, "pcp=%d: checker after every kind of bad input", pcp);
	is_long(stat_of(z, GA_STAT_BAD_FREE_RANGE), 1, "bad range counted");
	is_long(stat_of(z, GA_STAT_BAD_FREE_ORDER), 1, "bad order counted");
	is_long(stat_of(z, GA_STAT_BAD_FREE_WRONG_ORDER), 1, "wrong order counted");
	is_long(stat_of(z, GA_STAT_BAD_FREE_NOT_HEAD), 1, "not-a-head counted");
	is_long(stat_of(z, GA_STAT_BAD_FREE_DOUBLE), 2, "double frees counted");
	is_long(stat_of(z, GA_STAT_BAD_ARG), 4, "bad alloc/free arguments counted");
	is_long(ga_free(z, 0, a, 2), 0, "the order-2 block still frees");
	ga_drain_all_pcp(z);
	zone_ok(z, "pcp=%d: checker after the last free", pcp);
	ga_zone_destroy(z);
}

/* Without a reclaim callback, allocation fails cleanly at the watermark. */
static void test_oom(void)
{
	struct ga_policy p = test_policy(false);
	struct ga_zone *z = test_zone(16384, 1, &p);
	struct ga_zone_info info;
	ga_pfn_t *pfns = calloc(16384, sizeof(*pfns));
	unsigned long n = 0;
	int rc;

	while ((rc = ga_alloc(z, 0, 0, GA_GFP_KERNEL, n, &pfns[n])) == 0)
		n++;
	is_long(rc, -ENOMEM, "allocation fails with -ENOMEM when memory is gone");
	ga_zone_info(z, &info);
	ok(n + info.free_pages + info.pcp_pages == 16384,
	   "allocated %lu + free %lu + pcp %lu = all pages", n, info.free_pages,
	   info.pcp_pages);
	ok(info.free_pages <= info.wmark_min + 1,
	   "only the min reserve is left free (%lu <= %lu + 1)", info.free_pages,
	   info.wmark_min);
	is_long(ga_alloc(z, 0, 0, GA_GFP_ATOMIC, 0, &pfns[n]), 0,
		"GFP_ATOMIC may still dip into the min reserve");
	n++;
	ok(stat_of(z, GA_STAT_ALLOC_FAIL) == 1, "one failure counted");
	zone_ok(z, "checker on a full zone");
	for (unsigned long i = 0; i < n; i++)
		ga_free(z, 0, pfns[i], 0);
	ga_drain_all_pcp(z);
	ga_zone_info(z, &info);
	is_long(info.free_pages, 16384, "all memory comes back");
	zone_ok(z, "checker after freeing everything");
	free(pfns);
	ga_zone_destroy(z);
}

/* The reclaim callback is asked for memory and its frees are used. */
struct reclaimer {
	ga_pfn_t *pfns;
	unsigned long n;
	unsigned long calls[3];
};

static unsigned long reclaim_cb(void *ctx, struct ga_zone *z,
				const struct ga_reclaim_request *req)
{
	struct reclaimer *r = ctx;
	unsigned long freed = 0;

	r->calls[req->kind]++;
	while (freed < req->nr_to_reclaim && r->n) {
		ga_free(z, req->cpu, r->pfns[--r->n], 0);
		freed++;
	}
	return freed;
}

static void test_reclaim_callback(void)
{
	struct reclaimer r = { .pfns = calloc(16384, sizeof(ga_pfn_t)) };
	struct ga_ops ops = { .reclaim = reclaim_cb };
	struct ga_policy p = test_policy(true);
	struct ga_zone_config cfg;
	struct ga_zone_info info;
	struct ga_zone *z;
	ga_pfn_t pfn;
	int fails = 0;

	p.min_free_kbytes = 1024;	/* 256 pages, so kswapd has a gap to fill */
	ga_zone_config_default(&cfg, 0, 16384, 1);
	cfg.policy = &p;
	cfg.ops = &ops;
	cfg.ops_ctx = &r;
	ga_zone_create(&z, &cfg);
	/* Page cache: fills memory, reclaimable on demand. */
	for (int i = 0; i < 40000; i++) {
		if (ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 0, &pfn)) {
			fails++;
			continue;
		}
		r.pfns[r.n++] = pfn;
	}
	is_long(fails, 0, "with reclaim, 40000 allocations in a 16384-page zone all succeed");
	ok(r.calls[GA_RECLAIM_KSWAPD] > 0, "kswapd was asked to reclaim (%lu times)",
	   r.calls[GA_RECLAIM_KSWAPD]);
	ga_zone_info(z, &info);
	ok(info.free_pages + info.pcp_pages >= info.wmark_min,
	   "free memory never sinks below the min watermark");
	zone_ok(z, "checker after reclaim-driven churn");
	free(r.pfns);
	ga_zone_destroy(z);
}

static bool same_info(const struct ga_page_info *a, const struct ga_page_info *b)
{
	return a->state == b->state && a->order == b->order &&
	       a->migratetype == b->migratetype && a->owner == b->owner &&
	       a->head_pfn == b->head_pfn && a->pins == b->pins &&
	       a->isolated == b->isolated;
}

/*
 * ga_prefetch is a pure hint: 0 inside the zone, -ERANGE outside, and
 * nothing observable changes, whatever state the page is in; frees with
 * prefetches running ahead of them behave exactly as without.
 */
static void test_prefetch(void)
{
	enum { START = 4096, NR = 8192, N = 64 };
	struct ga_zone_config cfg;
	struct ga_page_info *before = calloc(NR, sizeof(*before));
	struct ga_page_info pi;
	struct ga_stats s0, s1;
	struct ga_zone *z;
	ga_pfn_t pfns[N];
	bool same = true, all_zero = true;

	ga_zone_config_default(&cfg, START, START + NR, 2);
	if (!ok(ga_zone_create(&z, &cfg) == 0, "prefetch: zone at pfn %d", START)) {
		free(before);
		return;
	}
	for (unsigned int k = 0; k < N; k++)
		ga_alloc(z, k % 2, k % 4, GA_GFP_KERNEL | GA_GFP_MOVABLE, k, &pfns[k]);
	for (unsigned int k = 0; k < N; k += 3)	/* some on pcp lists */
		ga_free(z, k % 2, pfns[k], k % 4);
	for (unsigned int k = 0; k < NR; k++)
		ga_page_query(z, START + k, &before[k]);
	ga_zone_stats(z, &s0);
	is_long(ga_prefetch(z, START - 1), -ERANGE, "prefetch: pfn below the zone is -ERANGE");
	is_long(ga_prefetch(z, START + NR), -ERANGE, "prefetch: pfn past the zone is -ERANGE");
	is_long(ga_prefetch(z, (ga_pfn_t)-1), -ERANGE, "prefetch: huge pfn is -ERANGE");
	for (unsigned int k = 0; k < NR; k++)
		all_zero &= ga_prefetch(z, START + k) == 0;
	ok(all_zero, "prefetch: every pfn of the zone (free, pcp, allocated, tail) is 0");
	for (unsigned int k = 0; k < NR; k++) {
		ga_page_query(z, START + k, &pi);
		same &= same_info(&before[k], &pi);
	}
	ok(same, "prefetch: no page changed state, order, owner or type");
	ga_zone_stats(z, &s1);
	ok(memcmp(&s0, &s1, sizeof(s0)) == 0, "prefetch: no counter moved");
	zone_ok(z, "prefetch: checker after prefetching every pfn");
	/* The embedder's pattern: prefetch a few frees ahead of each free. */
	for (unsigned int k = 0; k < N; k++) {
		if (k + 4 < N && (k + 4) % 3)
			ga_prefetch(z, pfns[k + 4]);
		if (k % 3)
			is_long(ga_free(z, k % 2, pfns[k], k % 4), 0,
				"prefetch: free %u behind prefetches succeeds", k);
	}
	ga_drain_all_pcp(z);
	{
		struct ga_zone_info info;

		ga_zone_info(z, &info);
		is_long(info.free_pages, NR, "prefetch: everything is free again");
	}
	zone_ok(z, "prefetch: checker after freeing behind prefetches");
	ga_zone_destroy(z);
	free(before);
}

int main(void)
{
	test_each_order(false);
	test_each_order(true);
	test_bad_input(false);
	test_bad_input(true);
	test_oom();
	test_reclaim_callback();
	test_prefetch();
	return done_testing();
}
