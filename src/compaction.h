/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Memory compaction (mm/compaction.c, v6.12): the per-zone state, the
 * priorities and results the allocation path sees, and the entry points of
 * direct compaction, kcompactd and kswapd's hooks.
 *
 * This header only needs the public types and the executor's work item, so
 * internal.h can include it to embed struct ga_compact_state in the zone.
 */
#ifndef GA_COMPACTION_H
#define GA_COMPACTION_H

#include <stdbool.h>

#include "executor.h"
#include "gigalloc.h"

struct alloc_context;

/* enum compact_priority: lower is more thorough. */
enum compact_priority {
	COMPACT_PRIO_SYNC_FULL,		/* whole zone, no skip hints, any target block */
	COMPACT_PRIO_SYNC_LIGHT,	/* MIGRATE_SYNC_LIGHT, respects skip hints */
	COMPACT_PRIO_ASYNC,		/* MIGRATE_ASYNC, same-type sources only */
};
#define MIN_COMPACT_PRIORITY		COMPACT_PRIO_SYNC_FULL
#define MIN_COMPACT_COSTLY_PRIORITY	COMPACT_PRIO_SYNC_LIGHT
#define DEF_COMPACT_PRIORITY		COMPACT_PRIO_SYNC_LIGHT
#define INIT_COMPACT_PRIORITY		COMPACT_PRIO_ASYNC

/* enum compact_result, in the kernel's order (callers compare them). */
enum compact_result {
	COMPACT_NOT_SUITABLE_ZONE,
	COMPACT_SKIPPED,		/* not enough free memory: reclaim first */
	COMPACT_DEFERRED,		/* recent failures at this order */
	COMPACT_NO_SUITABLE_PAGE,
	COMPACT_CONTINUE,
	COMPACT_COMPLETE,		/* scanners met after a whole-zone scan */
	COMPACT_PARTIAL_SKIPPED,	/* scanners met, part of the zone skipped */
	COMPACT_CONTENDED,		/* out of targets, or stopping */
	COMPACT_SUCCESS,		/* a suitable page is free */
};

#define MAX_COMPACT_RETRIES 16

/*
 * struct zone's compact_* fields and the node's kcompactd, for one zone.
 * Like the kernel, compaction reads and writes the cached positions and the
 * deferral counters without a lock (READ_ONCE/WRITE_ONCE): concurrent
 * compactors may lose an update, which only costs a rescan or a retry.
 */
struct ga_compact_state {
	ga_pfn_t cached_migrate_pfn[2];	/* restart points: [0] async, [1] sync */
	ga_pfn_t cached_free_pfn;
	ga_pfn_t init_migrate_pfn;	/* at or below it a run covers the whole zone */
	ga_pfn_t init_free_pfn;
	unsigned int considered;	/* compact_considered */
	unsigned int defer_shift;	/* compact_defer_shift, <= 6 */
	int order_failed;		/* compact_order_failed */
	int blockskip_flush;		/* a direct compaction's scanners met */
	/* kcompactd, run by the zone's executor. */
	struct ga_work work;
	int max_order;			/* kcompactd_max_order: pending wake */
	int proactive_pending;		/* the timer found the score too high */
	int stopping;			/* zone teardown: do nothing more */
	unsigned long now_ms;		/* time seen through the vmstat tick */
	unsigned long next_proactive_ms;	/* next proactive check */
};

/* Zone setup and teardown (zone.c). */
void compaction_init(struct ga_zone *z);
void compaction_stop(struct ga_zone *z);

/* Compaction is configured and something can move (an ops->migrate). */
bool compaction_allowed(struct ga_zone *z);

/*
 * try_to_compact_pages for the allocation described by ac, at a priority.
 * Counts deferrals; the caller counts the stall and its outcome.
 */
enum compact_result try_to_compact_pages(struct ga_zone *z,
					 const struct alloc_context *ac,
					 unsigned int alloc_flags,
					 enum compact_priority prio);
/* The allocation succeeded after compaction at this order. */
void compaction_alloc_succeeded(struct ga_zone *z, unsigned int order);
/* compaction_zonelist_suitable: would reclaim let compaction run? */
bool compaction_suitable_after_reclaim(struct ga_zone *z, unsigned int order);

/* kswapd's hooks (reclaim.c), called with no lock held. */
void wakeup_kcompactd(struct ga_zone *z, int order);
void reset_isolation_suitable(struct ga_zone *z);

/*
 * kcompactd's 500 ms timer, driven by the once-a-second vmstat tick: check
 * the fragmentation score and queue proactive compaction when it is above
 * the high mark. Called with no lock held.
 */
void kcompactd_tick(struct ga_zone *z);

/* fragmentation_score_node(): the proactive compaction score, 0..100. */
unsigned int compaction_score(struct ga_zone *z);
/* fragmentation_score_wmark(): the proactive low (80) or high (90) mark. */
unsigned int compaction_score_wmark(const struct ga_zone *z, bool low);

#endif /* GA_COMPACTION_H */
