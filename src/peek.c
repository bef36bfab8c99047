// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * ga_alloc_peek: the allocation path's decision without its effects. The
 * decision is made by the code that allocates (rmqueue_locked, with the
 * superpageblock passes, claim and steal), run under zone->lock with
 * zone->peek set: the leaves that would take a block (page_del_and_expand,
 * claim_whole_block, the partial claims) record it in *zone->peek and
 * return, and counters, tracepoints, hints and workers are left alone. So
 * the answer cannot drift from what ga_alloc does, and a replay can ask the
 * model "where would you have put it?" at every traced allocation while
 * the state keeps following the traced kernel (trace/shadow.c).
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* One __rmqueue under zone->lock, recording instead of taking. */
static long peek_rmqueue(struct ga_zone *z, unsigned int order, int mt,
			 unsigned int alloc_flags, struct ga_alloc_choice *c)
{
	enum rmqueue_mode mode = RMQUEUE_NORMAL;
	long pfn;

	memset(c, 0, sizeof(*c));
	zone_lock(z);
	z->peek = c;
	pfn = rmqueue_locked(z, order, mt, alloc_flags, &mode);
	z->peek = NULL;
	zone_unlock(z);
	return pfn;
}

/*
 * One pass of get_page_from_freelist: rmqueue_pcplist with per-CPU
 * pageblocks (its refill decides without taking), then __rmqueue. A pcp
 * refill that would take nothing leaves the buddy as it was, so the
 * buddy's answer is the same as without it.
 */
static long peek_pass(struct ga_zone *z, unsigned int cpu, unsigned int order,
		      int mt, unsigned int alloc_flags, struct pcp_alloc_state *st,
		      struct ga_alloc_choice *c)
{
	if (z->policy.pcp && z->policy.pcp_buddy && pcp_allowed_order(z, order)) {
		long pfn = pcp_buddy_peek_pass(z, cpu, order, mt, alloc_flags, st, c);

		if (pfn >= 0)
			return pfn;
	}
	return peek_rmqueue(z, order, mt, alloc_flags, c);
}

int ga_alloc_peek(struct ga_zone *z, unsigned int cpu, unsigned int order,
		  unsigned int gfp, struct ga_alloc_choice *c)
{
	unsigned int alloc_flags = ALLOC_WMARK_LOW;
	int mt = ga_gfp_migratetype(gfp);
	struct pcp_alloc_state st;
	long pfn;

	if (cpu >= z->nr_cpus || mt < 0 || (gfp & ~GA_GFP_VALID_MASK) || !c)
		return -EINVAL;
	if (order > z->max_order)
		return -E2BIG;
	if (!z->policy.mobility_grouping)
		mt = GA_MT_UNMOVABLE;
	if (mt == GA_MT_MOVABLE)
		alloc_flags |= ALLOC_CMA;
	if (gfp & GA_GFP_KSWAPD_RECLAIM)
		alloc_flags |= ALLOC_KSWAPD;

	pcp_alloc_state_read(z, cpu, &st);
	/* rmqueue_pcplist: the list head, if the list has one. */
	if (z->policy.pcp && !z->policy.pcp_buddy && pcp_allowed_order(z, order)) {
		pfn = pcp_peek(z, cpu, order, mt);
		if (pfn >= 0) {
			memset(c, 0, sizeof(*c));
			c->pfn = (ga_pfn_t)pfn;
			c->from_order = order;
			c->list_mt = mt;
			c->pcp = true;
			return 0;
		}
	}
	/* get_page_from_freelist: NOFRAGMENT first, as the fast path does. */
	if (z->policy.nofragment) {
		pfn = peek_pass(z, cpu, order, mt, alloc_flags | ALLOC_NOFRAGMENT, &st, c);
		if (pfn >= 0)
			return 0;
	}
	pfn = peek_pass(z, cpu, order, mt, alloc_flags, &st, c);
	return pfn >= 0 ? 0 : -ENOMEM;
}
