/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The workload: consumers of memory driven by a profile, in simulated time.
 *
 * Time advances in ticks of 1 ms. Each tick frees the allocations whose
 * lifetime ended (a two-level timing wheel), runs the profile's one-off
 * actions, lets every consumer allocate towards its target share of memory
 * (capped by its fill rate), and runs the library's queued background work.
 * Memory is kept full by consumers that want more than fits (page cache):
 * the library then calls our reclaim callback, which evicts the oldest
 * evictable allocations, like kswapd walking the LRU and the shrinkers.
 *
 * Every allocation is one 12-byte record; the record's index is the owner
 * token the library hands back to the migrate and drop callbacks.
 */
#ifndef GA_SIM_WORKLOAD_H
#define GA_SIM_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gigalloc.h"
#include "profile.h"
#include "rng.h"

#define SIM_TICKS_PER_SEC	1000
#define SIM_TICK_INF		UINT64_MAX

/* One allocation. On its consumer's LRU, lru_pos holds its position in
 * the LRU ring, mod 2^32 (lru_live in workload.c); on the free list below
 * free_stack, the next free record. */
struct sim_rec {
	uint32_t pfn;		/* first page, absolute pfn */
	uint32_t lru_pos;	/* its LRU ring position, mod 2^32 */
	uint32_t meta;		/* REC_* below */
};

#define REC_ORDER_MASK		0xfu
#define REC_CONS_SHIFT		4
#define REC_CONS_MASK		(0xfu << REC_CONS_SHIFT)
#define REC_LIVE		(1u << 8)
#define REC_BUSY		(1u << 9)	/* in use: refuses eviction and drop */
#define REC_PINNED		(1u << 10)	/* holds a ga_pin */
#define REC_LRU			(1u << 11)	/* on its consumer's LRU */
#define REC_WHEEL		(1u << 12)	/* in a wheel slot (dead if !LIVE) */
#define REC_DIRTY		(1u << 13)	/* refuses drop; rotates on the LRU */
#define REC_EXP_SHIFT		16		/* expiry low bits (coarse wheel) */

/* A wheel slot: a stack of record indices kept in 64-byte chunks (a next
 * link and SIM_CHUNK_RECS indices), `n` of them in the head chunk. */
#define SIM_CHUNK_WORDS		16
#define SIM_CHUNK_RECS		(SIM_CHUNK_WORDS - 1)
struct sim_slot {
	uint32_t chunk, n;
};

/* Free records kept in free_stack before the oldest half spills. */
#define SIM_FREE_STACK		(1u << 16)

#define SIM_PEND_INSERTS	16
struct sim_pending {
	struct sim_slot *slot;
	uint32_t rec;
};

struct sim_consumer_stats {
	uint64_t allocs, alloc_pages;	/* successful allocations */
	uint64_t frees;			/* by lifetime or action */
	uint64_t fails;			/* ga_alloc errors */
	uint64_t thp_tries, thp_ok;
	uint64_t evicted_pages;		/* by our reclaim callback */
	uint64_t rotated_pages;		/* ... passed over as busy */
	uint64_t dropped_pages;		/* by the library's drop callback */
	uint64_t migrated_pages;	/* by the library's migrate callback */
	uint64_t pins;
};

struct sim_consumer {
	const struct sim_consumer_spec *spec;
	unsigned int gfp;
	uint32_t order_thr[SIM_MAX_ORDER + 1];	/* cumulative, of 2^32 */
	double thp_prob;		/* per allocation */
	uint64_t start_tick, stop_tick;	/* stop 0: never */
	double budget;			/* pages the fill rate still allows */
	double per_tick;		/* fill, pages per tick (0: no cap) */
	uint64_t resident;		/* pages held */
	uint64_t lru_pages;		/* of which on the LRU */
	uint32_t *lru;			/* LRU ring of record indices */
	uint32_t lru_mask;		/* ring size - 1 */
	uint64_t lru_head, lru_tail;	/* absolute positions */
	struct sim_consumer_stats st;
};

struct sim_workload_stats {
	uint64_t events;		/* ga_alloc + ga_free calls */
	uint64_t alloc_pages, free_pages;	/* cumulative traffic */
	uint64_t reclaim_calls, reclaimed_pages;
	uint64_t shrink_calls, shrunk_pages;	/* ops->shrink (RFC 28) */
	uint64_t migrate_calls, migrated_pages;
	uint64_t drop_calls, dropped_pages, drop_refused;
	uint64_t errors;		/* library calls that should not fail */
	uint64_t anomalies;		/* callbacks naming what we do not own */
	uint64_t max_records;		/* high-water mark of live records */
};

struct sim_workload {
	struct ga_zone *zone;		/* the zone, or a node's largest */
	struct ga_node *node;		/* a node of zones (--layout); NULL: zone alone */
	const struct sim_profile *prof;
	struct sim_rng rng;
	unsigned int nr_cpus;
	unsigned long managed;		/* pages */
	uint64_t now;			/* ticks */
	uint64_t end_tick;		/* for size ramps */
	struct sim_slot *fine, *coarse;	/* wheel slots */
	uint32_t *chunk;		/* mmap'd pool of slot chunks */
	size_t chunk_bytes;
	uint32_t chunk_cap, chunk_used, chunk_free;
	uint32_t *due;			/* mmap'd: the slot being expired */
	size_t due_bytes;
	/* Per 1 GiB region (index pfn >> region_shift): LRU pages, what
	 * reclaim could free there; and pages of every live record that
	 * sim_drop would accept (on the LRU or not), what the 1 GiB test
	 * can drop there instead of migrating. */
	uint32_t *region_lru;
	uint32_t *region_drop;
	unsigned int region_shift;		/* spb_order */
	unsigned long nr_regions;
	struct sim_rec *rec;		/* mmap'd, touched as used */
	size_t rec_bytes;
	/*
	 * Free records, LIFO: the top free_top in free_stack (free_cap
	 * entries), the rest below them a list threaded through the free
	 * records' lru_pos, free_spill its top (NO_REC: empty), nr_spilled
	 * long. Only free_cap entries are ever kept apart from the records
	 * (SIM_FREE_STACK; a test may lower it before the first tick).
	 */
	uint32_t *free_stack;
	uint32_t free_cap, free_spill, nr_spilled;
	uint32_t rec_cap, rec_used, free_top;
	uint32_t nr_live;		/* records not free: live, and dead */
	uint32_t nr_dead;		/* freed early, still in a wheel slot */
	struct sim_pending pend[SIM_PEND_INSERTS];	/* queued slot pushes */
	unsigned int pend_head, pend_n;
	unsigned int next_action;
	struct sim_consumer cons[SIM_MAX_CONSUMERS];
	struct sim_workload_stats st;
	char err[256];			/* first error */
	char anomaly[256];		/* first anomaly */
};

/*
 * Set up for prof on zone (which must have been created with
 * sim_workload_ops() and this workload as ops_ctx). end_tick is the run's
 * planned length, for size ramps. -ENOMEM.
 */
int sim_workload_init(struct sim_workload *w, struct ga_zone *zone,
		      const struct sim_profile *prof, uint64_t seed,
		      uint64_t end_tick);
/*
 * The same on a node of zones (each created with sim_workload_ops() and
 * this workload): allocations walk its zonelist, frees and pins go to the
 * zone holding the pfn. zone is the node's largest zone.
 */
int sim_workload_init_node(struct sim_workload *w, struct ga_node *node,
			   struct ga_zone *zone, const struct sim_profile *prof,
			   uint64_t seed, uint64_t end_tick);
void sim_workload_destroy(struct sim_workload *w);

/* The callbacks the zone must be created with. */
const struct ga_ops *sim_workload_ops(void);

/* Advance one tick: expiries, actions, allocations. */
void sim_workload_tick(struct sim_workload *w);

/* Memory turned over so far: pages allocated / managed pages. */
double sim_workload_turnovers(const struct sim_workload *w);

/* Free every live allocation (end of run, before destroying the zone). */
void sim_workload_free_all(struct sim_workload *w);

/* Record of owner token `owner`, or NULL if it is not a live record. */
struct sim_rec *sim_workload_rec(struct sim_workload *w, uint64_t owner);

/*
 * Recount region_lru and region_drop from the records and compare them with
 * the maintained arrays. Returns how many regions disagree (0: consistent),
 * describing the first in why. -ENOMEM. For tests and debug builds: it
 * walks every record.
 */
long sim_workload_check_regions(const struct sim_workload *w, char *why,
				size_t len);

#endif /* GA_SIM_WORKLOAD_H */
