/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Background superpageblock work: the per-SPB defragmentation worker (RFC
 * 15 with the v1 43/45 triggers, spb_defrag.c) and targeted evacuation for
 * non-movable requests, synchronous or deferred (RFC 23 and 25,
 * spb_evacuate.c). Both run through the zone's executor and share
 * evacuate_block() with the seed's pageblock evacuation (evacuate.c).
 *
 * Included by internal.h so the zone can embed the state; needs only the
 * executor's work item.
 */
#ifndef GA_SPB_DEFRAG_H
#define GA_SPB_DEFRAG_H

#include <stdbool.h>

#include "executor.h"
#include "gigalloc.h"

struct ga_zone;
struct ga_spb;

/* Per-zone state of both mechanisms. */
struct spb_background {
	/* One work item serves every SPB marked pending (spb->defrag_state). */
	struct ga_work defrag_work;
	unsigned long now_s;		/* seconds seen through ga_vmstat_tick */
	int stopping;			/* zone teardown: start nothing more */
	/* Deferred spb_evacuate_for_order (RFC 25): single-flight, throttled. */
	struct ga_work evac_work;
	int evac_busy;			/* queued or running */
	unsigned int evac_order;	/* the request that queued it */
	int evac_mt;
	unsigned long evac_next_s;	/* throttle: not before this second */
};

/* What evacuate_block() did (evacuate.c). */
struct evacuate_result {
	unsigned long migrated, dropped, failed;
	bool stopped;			/* a batch failed before the block's end */
	bool nomem;			/* no migration target */
};

/*
 * evacuate_pageblock(): move the movable pages of one pageblock to targets
 * outside [keep_lo, keep_hi), stopping after a failed batch; with
 * clean_first the targets come from the free lists of clean SPBs, then of
 * other tainted SPBs, while they have some. No lock held.
 */
void evacuate_block(struct ga_zone *z, ga_pfn_t block, ga_pfn_t keep_lo,
		    ga_pfn_t keep_hi, bool clean_first, struct evacuate_result *res);

/* Long-term pinned pages in the block (racy read, no lock). */
unsigned long evacuate_block_pinned(struct ga_zone *z, ga_pfn_t block);

/* spb_defrag.c (all hooks with zone->lock held unless noted). */
void spb_background_init(struct ga_zone *z);
void spb_background_stop(struct ga_zone *z);	/* no lock */
void spb_defrag_tick(struct ga_zone *z);	/* no lock, once a second */
/* sb_update_list()'s trigger: a tainted SPB ran short of free pageblocks. */
void spb_defrag_check(struct ga_zone *z, struct ga_spb *s);
/* v1 43 trigger 1: a non-movable allocation at pfn succeeded in a tainted SPB. */
void spb_defrag_after_alloc(struct ga_zone *z, long pfn, int mt);
/* v1 43 trigger 2: a clean SPB is about to be tainted: kick every tainted one. */
void spb_defrag_kick_tainted(struct ga_zone *z);

/* spb_evacuate.c */
void spb_evacuate_init(struct ga_zone *z);
/*
 * RFC 23: before a non-movable request drops ALLOC_NOFRAGMENT, evacuate
 * movable pages so a tainted SPB can serve it. Sleeps (migrates): only for
 * callers that may direct-reclaim. No lock held. True if it freed room.
 */
bool spb_evacuate_for_order(struct ga_zone *z, unsigned int order, int mt,
			    unsigned int gfp);
/*
 * RFC 17's non-movable half: the same evacuation from direct compaction,
 * before compaction runs (spb_compact_evacuate). Same rules and result.
 */
bool spb_evacuate_for_compaction(struct ga_zone *z, unsigned int order, int mt,
				 unsigned int gfp);
/* RFC 25: an atomic request is about to taint: queue the evacuation. */
void spb_evacuate_queue_deferred(struct ga_zone *z, unsigned int order, int mt,
				 unsigned int alloc_flags);

#endif /* GA_SPB_DEFRAG_H */
