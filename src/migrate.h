/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Isolation and migration primitives shared by everything that moves
 * pages: compaction, alloc_contig_range, pageblock evacuation and SPB
 * defragmentation (mm/compaction.c isolate_migratepages_range, mm/migrate.c
 * migrate_pages, mm/vmscan.c reclaim_clean_pages_from_list).
 *
 * A page is isolated by setting PF_ISOLATED on its ALLOC head with a
 * compare-and-swap; from then until putback or a completed move, the
 * library owns the decision. Every isolated page ends moved, dropped or put
 * back: nothing is lost.
 */
#ifndef GA_MIGRATE_H
#define GA_MIGRATE_H

#include "internal.h"

#define COMPACT_CLUSTER_MAX 32
#define NR_MIGRATE_RETRY_SYNC 10	/* NR_MAX_MIGRATE_PAGES_RETRY */
#define NR_MIGRATE_RETRY_ASYNC 3

enum migrate_mode {
	MIGRATE_ASYNC,		/* skip busy pages */
	MIGRATE_SYNC,		/* retry -EAGAIN */
};

struct isolated_page {
	ga_pfn_t pfn;
	uint64_t owner;
	uint8_t order;
	uint8_t mt;
};

struct migrate_batch {
	struct isolated_page page[COMPACT_CLUSTER_MAX];
	unsigned int nr;
	unsigned long nr_pages;
};

/* The first page that could not be isolated or moved, and why. */
struct blocker {
	int reason;		/* enum ga_block_reason */
	ga_pfn_t pfn;
	int mt;
	uint64_t owner;
};

struct migrate_control;
/* Provide a free 2^order block to migrate into; -1 if none. The block is
 * returned as an ALLOC head of that order held by the migration; the owner
 * token is written into it before ops->migrate is called. */
typedef long (*migrate_target_fn)(struct migrate_control *mc, unsigned int order);
/* Give back a target that was not used. */
typedef void (*migrate_release_fn)(struct migrate_control *mc, ga_pfn_t pfn,
				   unsigned int order);

struct migrate_control {
	struct ga_zone *zone;
	unsigned int cpu;
	enum migrate_mode mode;
	bool drop_clean;		/* try ops->drop on movable pages first */
	bool isolate_reclaimable;	/* reclaimable pages are dropped */
	unsigned int max_batch;		/* pages per isolation batch; 0 = 32 */
	migrate_target_fn get_target;
	migrate_release_fn put_target;
	void *private;			/* for the target functions */
	bool pin_target;		/* long-term pin each target it moved to */
	/* Results. */
	unsigned long nr_isolated, nr_migrated, nr_dropped, nr_failed;
	bool nomem;
	ga_pfn_t moved_to;		/* the last target moved to */
	bool moved_pinned;		/* ... and pinned (pin_target) */
	struct blocker blocker;		/* first failure */
};

void migrate_control_init(struct migrate_control *mc, struct ga_zone *z,
			  unsigned int cpu, enum migrate_mode mode);

/*
 * Isolate up to COMPACT_CLUSTER_MAX allocations from [*pfn, end) into b,
 * advancing *pfn past what was scanned. Unmovable, pinned and (unless
 * isolate_reclaimable) reclaimable allocations are skipped and the first
 * one recorded in mc->blocker. Returns the number isolated.
 */
unsigned int isolate_migratepages(struct migrate_control *mc, ga_pfn_t *pfn,
				  ga_pfn_t end, struct migrate_batch *b);
/* Drop or migrate every page of b; put back the failures. Returns the
 * number of pages (not blocks) left unmoved. b is empty afterwards. */
unsigned long migrate_pages_batch(struct migrate_control *mc,
				  struct migrate_batch *b);
/* Target function using the normal allocator (alloc_migration_target). */
long migrate_target_alloc(struct migrate_control *mc, unsigned int order);
void migrate_target_free(struct migrate_control *mc, ga_pfn_t pfn,
			 unsigned int order);

/*
 * contig.c, shared with memory offlining (hotplug.c): isolate the
 * pageblocks of [start, end) or name the page that forbids it; undo that;
 * drain, migrate or drop everything out of the isolated range and check
 * that all of it is free (mc->blocker names the failure; the range stays
 * isolated either way); fill a report from a blocker.
 */
int isolate_range(struct ga_zone *z, ga_pfn_t start, ga_pfn_t end,
		  struct blocker *b);
void undo_isolate_range(struct ga_zone *z, ga_pfn_t start, ga_pfn_t end);
int empty_isolated_range(struct ga_zone *z, unsigned int cpu, ga_pfn_t start,
			 ga_pfn_t end, struct migrate_control *mc);
void fill_report(struct ga_contig_report *r, const struct blocker *b,
		 const struct migrate_control *mc);

#endif /* GA_MIGRATE_H */
