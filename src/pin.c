// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Long-term pins (GUP FOLL_LONGTERM).
 *
 * A pinned allocation can be neither migrated nor dropped, so wherever it
 * sits it keeps its 1 GiB region from ever becoming a 1 GiB page. The
 * kernel already refuses long-term pins in ZONE_MOVABLE and CMA: GUP
 * migrates such a page elsewhere first (check_and_migrate_movable_folios).
 * ga_pin_longterm is the superpageblock analogue: with spb_pin_migrate, an
 * allocation in a clean or empty SPB is first migrated into a tainted one,
 * which can never be a 1 GiB page anyway, and pinned there. Without a
 * target there, it is pinned in place, as the kernel would for ZONE_NORMAL.
 */
#include <errno.h>

#include "migrate.h"

/*
 * Add delta pins. A new pin is refused (-EAGAIN) while a mover has the
 * page isolated, unless the caller is that mover (own_target): the mover
 * checked for pins before calling ops->migrate and would move a page
 * pinned behind its back, as the kernel's migration refuses a folio whose
 * refcount a GUP pin raised (folio_ref_freeze). Isolation refuses pinned
 * pages, so with both sides checking the same flags word one of the two
 * always loses.
 */
int page_pin_update(struct ga_zone *z, ga_pfn_t pfn, int delta, bool own_target)
{
	struct ga_page *p;
	uint32_t old, new;
	unsigned int pins;

	if (!zone_spans_pfn(z, pfn))
		return -ERANGE;
	p = pfn_to_page(z, pfn);
	old = READ_ONCE(p->flags);
	do {
		pins = (old & PF_PIN_MASK) >> PF_PIN_SHIFT;
		/* A free deferred by an isolation is a free already. */
		if ((old & PF_STATE_MASK) != GA_PAGE_ALLOC || (old & PF_FREE_PENDING))
			return -ENOENT;
		if (delta > 0 && pins == PF_PIN_MAX)
			return -EOVERFLOW;
		if (delta > 0 && (old & PF_ISOLATED) && !own_target)
			return -EAGAIN;
		if (delta < 0 && !pins)
			return -EINVAL;
		new = (old & ~PF_PIN_MASK) |
		      ((uint32_t)(pins + delta) << PF_PIN_SHIFT);
	} while (!__atomic_compare_exchange_n(&p->flags, &old, new, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	/* The allocation became pinned, or stopped being: count its pages. */
	if (!pins != !(pins + delta))
		pageblock_pinned_add(z, pfn, page_order(p), pins ? -1 : 1);
	return 0;
}

void pageblock_pinned_add(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
			  int sign)
{
	unsigned long nr = 1ul << order;
	unsigned long per_block = ga_min(nr, (unsigned long)z->pageblock_nr_pages);
	uint16_t delta = (uint16_t)(sign * (int)per_block);

	for (ga_pfn_t b = pfn; b < pfn + nr; b += z->pageblock_nr_pages)
		__atomic_fetch_add(&pfn_to_block(z, b)->nr_pinned, delta,
				   __ATOMIC_RELAXED);
}

int ga_pin(struct ga_zone *z, ga_pfn_t pfn)
{
	return page_pin_update(z, pfn, 1, false);
}

int ga_unpin(struct ga_zone *z, ga_pfn_t pfn)
{
	return page_pin_update(z, pfn, -1, false);
}

/*
 * A target inside a tainted SPB: the one migration target function that
 * chooses its place instead of asking the allocator. The old copy is freed
 * right after, so free memory does not change and no watermark applies
 * beyond the min mark (the move must not eat the last reserves).
 */
static long pin_target_alloc(struct migrate_control *mc, unsigned int order)
{
	struct ga_zone *z = mc->zone;
	long pfn = -1;

	zone_lock(z);
	if (READ_ONCE(z->nr_free_pages) > zone_watermark_mark(z, WMARK_MIN) + (1ul << order))
		pfn = spb_alloc_tainted_locked(z, order);
	if (pfn >= 0)
		account_buddy_alloc(z, (ga_pfn_t)pfn, order, GA_MT_MOVABLE);
	zone_unlock(z);
	if (pfn < 0)
		return -1;
	/* Held by the migration, isolated (see migrate_target_alloc). */
	prep_new_page(z, (ga_pfn_t)pfn, order, GA_MT_MOVABLE, 0, PF_ISOLATED);
	return pfn;
}

/* Does pinning the allocation at pfn in place cost a 1 GiB region? */
static bool pin_would_block_region(struct ga_zone *z, ga_pfn_t pfn)
{
	const struct ga_page *p = pfn_to_page(z, pfn);
	unsigned int category;

	if (!z->policy.spb_pin_migrate || !z->policy.spb_free_lists)
		return false;
	if (page_alloc_mt(p) != GA_MT_MOVABLE || page_pins(p))
		return false;	/* unmovable anyway, or pinned already */
	category = READ_ONCE(pfn_to_spb(z, pfn)->category);
	return category == SPB_CLEAN || category == SPB_EMPTY;
}

/* Move the allocation at pfn into a tainted SPB and pin it there. */
static int pin_migrate(struct ga_zone *z, unsigned int cpu, ga_pfn_t pfn,
		       ga_pfn_t *pinned)
{
	struct migrate_control mc;
	struct migrate_batch b;
	ga_pfn_t scan = pfn;

	migrate_control_init(&mc, z, cpu, MIGRATE_SYNC);
	mc.get_target = pin_target_alloc;
	mc.pin_target = true;
	if (!isolate_migratepages(&mc, &scan, pfn + 1, &b))
		return -EAGAIN;	/* a mover has it isolated: pin in place */
	migrate_pages_batch(&mc, &b);
	if (!mc.nr_migrated)
		return mc.blocker.reason == GA_BLOCK_NONE ? -ENOENT : -EAGAIN;
	zone_stat_add(z, GA_STAT_PIN_MIGRATE, 1);
	*pinned = mc.moved_to;
	return mc.moved_pinned ? 0 : -ENOENT;
}

int ga_pin_longterm(struct ga_zone *z, unsigned int cpu, ga_pfn_t pfn,
		    ga_pfn_t *pinned)
{
	int err;

	if (cpu >= z->nr_cpus || !pinned) {
		zone_stat_add(z, GA_STAT_BAD_ARG, 1);
		return -EINVAL;
	}
	if (!zone_spans_pfn(z, pfn))
		return -ERANGE;
	if (page_state(pfn_to_page(z, pfn)) != GA_PAGE_ALLOC)
		return -ENOENT;
	if (pin_would_block_region(z, pfn)) {
		err = pin_migrate(z, cpu, pfn, pinned);
		if (err != -EAGAIN)
			return err;
		zone_stat_add(z, GA_STAT_PIN_IN_PLACE, 1);
	}
	*pinned = pfn;
	return page_pin_update(z, pfn, 1, false);
}
