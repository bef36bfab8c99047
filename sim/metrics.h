/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Fragmentation metrics of a zone, read through the public API only:
 * the 1 GiB region (superpageblock) census, the ideal bound, the estimate
 * of 1 GiB pages obtainable, pageblock counts, the kernel's indices and
 * the library's counters. Definitions are in docs/SIMULATOR.md.
 */
#ifndef GA_SIM_METRICS_H
#define GA_SIM_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "gigalloc.h"
#include "profile.h"

#define SIM_NR_IDX_ORDERS 3	/* pageblock_order, max_page_order, spb_order */

struct sim_census {
	/* Regions of 2^spb_order pages; tainted + clean + empty = regions. */
	unsigned long regions, tainted, clean, empty;
	unsigned long clean_pinned;	/* clean regions holding pinned pages */
	/* Pages by what holds them. */
	uint64_t unmovable, reclaimable, movable, pinned, contig;
	uint64_t free, pcp, reserved;
	uint64_t highatomic_reserved;	/* pages in HighAtomic pageblocks */
	uint64_t nonmovable;		/* unmovable + reclaimable + highatomic */
	unsigned long region_pages;	/* pages per region (2^spb_order) */
	unsigned long ideal;		/* ceil(nonmovable / region_pages) */
	/* 1 GiB pages: empty whole regions now (not a partial tail region,
	 * not one with holes); and with clean regions emptied by
	 * migration into free memory, or also dropping their droppable pages
	 * and counting other regions' LRU pages as space (reclaim). */
	unsigned long obtainable_now, obtainable_after, obtainable_reclaim;
	/* Pageblocks. */
	unsigned long pageblocks, mixed_pageblocks, unmovable_pageblocks;
	unsigned long free_pageblocks;
	unsigned long blocks_mt[GA_MT_TYPES];
	/* Indices ×1000 at orders idx_order[] (9, 10, 18 by default). */
	unsigned int idx_order[SIM_NR_IDX_ORDERS];
	int unusable[SIM_NR_IDX_ORDERS];
	int fragindex[SIM_NR_IDX_ORDERS];
};

/* Counters of the library that the reports show (from ga_zone_stats). */
struct sim_counters {
	uint64_t fallbacks, fallbacks_fragmenting, claims, claim_whole,
		 claim_partial, claim_refused, steals;
	uint64_t kswapd_reclaimed, direct_reclaimed, alloc_fail;
	uint64_t highatomic_reserve, boosts;
	uint64_t pgalloc, pgfree;
};

/* ceil(nonmovable / region_pages): the fewest regions that could hold it. */
unsigned long sim_ideal_tainted(uint64_t nonmovable, unsigned long region_pages);

/*
 * Greedy estimate of regions that could be emptied by migration: take
 * candidate regions in order of pages to move (ascending), while the
 * pages moved so far fit in the free pages left outside the taken ones
 * (total_free - reserve, each taken region's own free pages removed).
 * cost[i] pages must move out of candidate i, which holds free_in[i] free
 * pages. Returns how many were taken.
 */
unsigned long sim_greedy_obtainable(const uint64_t *cost, const uint64_t *free_in,
				    size_t n, uint64_t total_free,
				    uint64_t reserve);

/* Take the census (obtainable_reclaim then equals obtainable_after). -ENOMEM. */
int sim_census_take(struct ga_zone *zone, struct sim_census *c);
/*
 * The same with what the workload knows, indexed by pfn >> spb_order:
 * lru[i], the pages reclaim could free in region i (its LRU pages), the
 * room for migration; drop[i], the pages its owners would drop rather
 * than have migrated (whether on the LRU or not), the pages the 1 GiB
 * test need not move. Either may be NULL: none.
 */
int sim_census_take_lru(struct ga_zone *zone, struct sim_census *c,
			const uint32_t *lru, const uint32_t *drop);

void sim_counters_read(struct ga_zone *zone, struct sim_counters *k);

/*
 * Sum the census c of another zone of a node into sum: every count adds,
 * ideal is recomputed; the indices (per zone in the kernel) stay those of
 * whichever zone has more pageblocks.
 */
void sim_census_add(struct sim_census *sum, const struct sim_census *c);
void sim_counters_add(struct sim_counters *sum, const struct sim_counters *k);

/* The zones of a node read as one (a zone alone: nr 1, main = it). */
struct sim_zones {
	struct ga_zone *z[GA_NR_ZONE_TYPES];
	size_t nr;
	struct ga_zone *main;		/* the largest: its indices are reported */
};
/* The zones of node, ascending; main the one with most managed pages. */
void sim_zones_of_node(struct sim_zones *zs, struct ga_node *node);
void sim_zones_of_zone(struct sim_zones *zs, struct ga_zone *zone);
/* Census, counters and library statistics summed over the zones
 * (sim_census_add's rule for the indices). -ENOMEM. */
int sim_census_take_zones(const struct sim_zones *zs, struct sim_census *c,
			  const uint32_t *lru, const uint32_t *drop);
void sim_counters_read_zones(const struct sim_zones *zs, struct sim_counters *k);
void sim_stats_read_zones(const struct sim_zones *zs, struct ga_stats *s);

/* What the memory map shows per pageblock. */
enum sim_pb_kind {
	SIM_PB_FREE,
	SIM_PB_MOVABLE,
	SIM_PB_PINNED,		/* movable, with long-term pinned pages */
	SIM_PB_RECLAIMABLE,
	SIM_PB_UNMOVABLE,
	SIM_PB_MIXED,		/* pages of more than one mobility */
	SIM_PB_CONTIG,		/* held by a contiguous (1 GiB) allocation */
	SIM_PB_HOLE,
	SIM_PB_NR_KINDS
};
#define SIM_PB_SPARSE 0x80	/* flag: less than half the block in use */

extern const char *const sim_pb_kind_name[SIM_PB_NR_KINDS];

/* Classify one pageblock census. */
uint8_t sim_pb_classify(const struct ga_region_info *pb, unsigned long pb_pages);

/*
 * Memory map: one byte per pageblock, *width pageblocks per 1 GiB region
 * (one row each), *height rows. malloc'd; NULL on -ENOMEM.
 */
uint8_t *sim_map_capture(struct ga_zone *zone, unsigned int *width,
			 unsigned int *height);

#endif /* GA_SIM_METRICS_H */
