// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The free entry point: validate, then free_unref_page (pcp) or
 * __free_pages_ok (buddy). Validation never modifies state, so a bad free
 * is reported and counted and the allocator stays consistent.
 */
#include <errno.h>

#include "internal.h"

/* free_one_page: straight to the buddy lists, per pageblock. */
void free_one_page(struct ga_zone *z, ga_pfn_t pfn, unsigned int order)
{
	int charged = (int)page_alloc_mt(pfn_to_page(z, pfn));

	zone_lock(z);
	charge_block(z, pfn, order, charged, -1);
	split_large_buddy(z, pfn, order, false);
	zone_stat_add_locked(z, GA_STAT_FREE_CALLS, 1);
	zone_stat_add_locked(z, GA_STAT_PGFREE, 1ul << order);
	zone_unlock(z);
}

/* A tail page: is its enclosing block free (double free) or allocated? */
static int classify_tail(struct ga_zone *z, ga_pfn_t pfn)
{
	for (unsigned int o = 1; o <= z->max_order; o++) {
		ga_pfn_t head = pfn & ~((1ul << o) - 1);
		const struct ga_page *p;
		unsigned int state;

		if (!zone_spans_pfn(z, head))
			break;
		p = pfn_to_page(z, head);
		state = page_state(p);
		if (state == GA_PAGE_TAIL || page_order(p) < o)
			continue;
		if (state == GA_PAGE_BUDDY || state == GA_PAGE_PCP)
			return -EALREADY;
		return -ENOENT;
	}
	return -ENOENT;
}

static int check_free(struct ga_zone *z, unsigned int cpu, ga_pfn_t pfn,
		      unsigned int order)
{
	const struct ga_page *p;
	int err;

	if (cpu >= z->nr_cpus) {
		zone_stat_add(z, GA_STAT_BAD_ARG, 1);
		return -EINVAL;
	}
	if (!zone_spans_pfn(z, pfn)) {
		zone_stat_add(z, GA_STAT_BAD_FREE_RANGE, 1);
		return -ERANGE;
	}
	if (order > z->max_order) {
		zone_stat_add(z, GA_STAT_BAD_FREE_ORDER, 1);
		return -E2BIG;
	}
	p = pfn_to_page(z, pfn);
	switch (page_state(p)) {
	case GA_PAGE_ALLOC:
		if (READ_ONCE(p->flags) & PF_FREE_PENDING) {
			zone_stat_add(z, GA_STAT_BAD_FREE_DOUBLE, 1);
			return -EALREADY;
		}
		if (page_order(p) == order)
			return 0;
		zone_stat_add(z, GA_STAT_BAD_FREE_WRONG_ORDER, 1);
		return -EBADSLT;
	case GA_PAGE_BUDDY:
	case GA_PAGE_PCP:
		zone_stat_add(z, GA_STAT_BAD_FREE_DOUBLE, 1);
		return -EALREADY;
	case GA_PAGE_RESERVED:
		zone_stat_add(z, GA_STAT_BAD_FREE_HOLE, 1);
		return -EPERM;
	case GA_PAGE_CONTIG:	/* freed with ga_free_contig_range */
		zone_stat_add(z, GA_STAT_BAD_FREE_NOT_HEAD, 1);
		return -ENOENT;
	default:
		err = classify_tail(z, pfn);
		zone_stat_add(z, err == -EALREADY ? GA_STAT_BAD_FREE_DOUBLE :
						    GA_STAT_BAD_FREE_NOT_HEAD, 1);
		return err;
	}
}

/*
 * Take the allocation away from lockless movers with one compare-and-swap
 * (the kernel's final put_page against isolation's get_page_unless_zero):
 * PF_FREE_PENDING either defers the free to the mover that isolated the
 * page, or marks it as being freed so isolate_page() refuses it. Testing
 * PF_ISOLATED and freeing in two steps let a mover isolate the page in
 * between and then move or free a page already back on a free list.
 * Returns the flags it replaced, or -EALREADY if a concurrent free won.
 */
static int64_t begin_free(struct ga_zone *z, struct ga_page *p)
{
	uint32_t old = READ_ONCE(p->flags);

	do {
		if ((old & PF_STATE_MASK) != GA_PAGE_ALLOC || (old & PF_FREE_PENDING)) {
			zone_stat_add(z, GA_STAT_BAD_FREE_DOUBLE, 1);
			return -EALREADY;
		}
	} while (!__atomic_compare_exchange_n(&p->flags, &old, old | PF_FREE_PENDING,
					      false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return old;
}

int ga_free(struct ga_zone *z, unsigned int cpu, ga_pfn_t pfn,
	    unsigned int order)
{
	int err = check_free(z, cpu, pfn, order);
	int64_t flags;

	if (err)
		return err;
	flags = begin_free(z, pfn_to_page(z, pfn));
	if (flags < 0)
		return (int)flags;
	/* Freeing a pinned allocation drops its pins with it (pins are frozen now). */
	if (ga_unlikely(flags & PF_PIN_MASK))
		pageblock_pinned_add(z, pfn, order, -1);
	/* Migration holds the page: it completes this free at putback. */
	if (ga_unlikely(flags & PF_ISOLATED)) {
		zone_stat_add(z, GA_STAT_FREE_DEFERRED, 1);
		return 0;
	}
	free_claimed_page(z, cpu, pfn, order);
	return 0;
}

/* free_unref_page or free_one_page, for an allocation begin_free claimed. */
void free_claimed_page(struct ga_zone *z, unsigned int cpu, ga_pfn_t pfn,
		       unsigned int order)
{
	if (z->policy.pcp && pcp_allowed_order(z, order) &&
	    free_to_pcp(z, pfn, order, cpu))
		return;
	free_one_page(z, pfn, order);
}

int ga_prefetch(const struct ga_zone *z, ga_pfn_t pfn)
{
	if (!zone_spans_pfn(z, pfn))
		return -ERANGE;
	/* Both are written by the free that follows. */
	__builtin_prefetch(&z->pages[pfn - z->start_pfn], 1);
	__builtin_prefetch(&z->blocks[(pfn - z->start_pfn) >> z->pageblock_order], 1);
	return 0;
}
