/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The traced kernel's own state when tracing began, from the "before"
 * snapshot: which pages were in use (/proc/kpageflags), in allocations of
 * which order (compound heads and tails), of which mobility (inferred from
 * the page flags), and which pageblock carried which migratetype (counts
 * from pagetypeinfo per zone, placed by the blocks' content). The replay
 * rebuilds it with ga_alloc_at and ga_pageblock_set_migratetype instead of
 * packing the pre-trace pages into the lowest pfns.
 *
 * What is read and what is inferred:
 *  - free = KPF_BUDDY (6.1+ flags every page of a free buddy block, not only
 *    its head); pages on per-CPU lists carry no flag and count as in use;
 *  - an allocation = a compound head and the tails after it when they make
 *    a naturally aligned power of two, else single pages;
 *  - movable = LRU, anon, mapped, swap-backed, swap cache, KSM, THP or
 *    hugetlb; slab = KPF_SLAB (its reclaimability is not a page flag: slab
 *    in a block labelled Reclaimable is taken as reclaimable, elsewhere as
 *    unmovable); page tables and pages without any flag (vmalloc, stacks,
 *    ring buffers, driver pages) unmovable;
 *  - labels: pagetypeinfo gives only how many blocks of each type each zone
 *    has, and how many wholly free ones each type's free lists hold (free
 *    buddies of pageblock order or more): that many wholly free blocks get
 *    the label, the lowest in the zone. Then the Reclaimable blocks are the
 *    ones where slab most outnumbers other unmovable pages, then the
 *    Unmovable (with HighAtomic) blocks the ones holding the most
 *    non-movable pages; the rest stay Movable, as memmap init leaves them.
 */
#ifndef GA_TRACE_STARTSTATE_H
#define GA_TRACE_STARTSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "gigalloc.h"
#include "groundtruth.h"

enum start_class {
	SC_MOVABLE,		/* LRU, anon, mapped, THP, hugetlb, KSM */
	SC_SLAB,
	SC_PGTABLE,
	SC_UNFLAGGED,		/* no flag at all */
	SC_OTHER,		/* other flags, none of the above */
	SC_NR
};

struct start_unit {
	uint64_t pfn;
	uint8_t order;
	uint8_t cls;		/* enum start_class */
};

struct start_state {
	struct start_unit *unit;	/* in pfn order */
	size_t nr, cap;
	uint64_t end_pfn;		/* pfns read: [0, end_pfn) */
	uint8_t *label;			/* GA_MT_* per pageblock */
	uint64_t nr_blocks;
	unsigned int pageblock_order;
	/* What was read and inferred, for the report. */
	uint64_t pages_free, pages_hole, pages_used;
	uint64_t pages_by_class[SC_NR];
	uint64_t compound_units, compound_pages;
	unsigned long labelled[GA_MT_TYPES];	/* blocks given each label */
	unsigned long labelled_free[GA_MT_TYPES];	/* ... of them wholly free */
	unsigned long labelled_empty[GA_MT_TYPES];	/* blocks of each label wholly
							 * free when done */
	unsigned long wanted[GA_MT_TYPES];	/* pagetypeinfo's counts */
};

/*
 * Read dir/kpageflags.gz (or kpageflags) up to end_pfn and label the blocks
 * of the zones in before (its zoneinfo spans, pagetypeinfo counts). 0,
 * -ENOENT (no kpageflags: not an error for the caller), -EINVAL with err
 * (before lacks zoneinfo or pagetypeinfo), -ENOMEM.
 */
int start_state_load(struct start_state *s, const char *dir, uint64_t end_pfn,
		     const struct gt_snapshot *before, char *err, size_t errlen);
void start_state_free(struct start_state *s);

/* The gfp a unit is re-allocated with, given its block's label. */
unsigned int start_unit_gfp(const struct start_state *s, const struct start_unit *u);

#endif /* GA_TRACE_STARTSTATE_H */
