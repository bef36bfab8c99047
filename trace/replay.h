/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Faithful replay of a kernel trace under one policy: the request stream
 * (order, gfp/migratetype, CPU, timing) goes to ga_alloc/ga_free, the
 * library chooses the pfns, and a map from kernel pfn to simulated pfn lets
 * each traced free find its allocation. The outcome is a struct sim_result,
 * so the simulator's report rows print it exactly as they print a run.
 */
#ifndef GA_TRACE_REPLAY_H
#define GA_TRACE_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "gigalloc.h"
#include "run.h"
#include "startstate.h"
#include "shadow.h"
#include "trace.h"

/* Largest zone a replay sizes from its input (1 TiB of 4 KiB pages, 3 GiB
 * of metadata); --mem sets any size. */
#define REPLAY_MAX_DERIVED_PAGES (1ull << 28)

/* One zone of the traced machine (its zoneinfo), for a node replay. */
struct replay_zone {
	int type;			/* enum ga_zone_type */
	uint64_t start_pfn, end_pfn;	/* pageblock-aligned */
	unsigned long wmark[3];		/* min, low, high; 0 = computed */
	bool have_protection;		/* lowmem_reserve below given */
	unsigned long protection[GA_NR_ZONE_TYPES];
};

struct replay_config {
	char policy_name[SIM_POLICY_NAME_LEN];
	/* The traced machine's zones (replay_zones_from): a node of them.
	 * 0 = one zone [0, zone_pages), the model before zones existed. */
	size_t nr_zones;
	struct replay_zone zones[GA_NR_ZONE_TYPES];
	struct ga_policy policy;
	uint64_t zone_pages;		/* pageblock-aligned */
	const struct ga_pfn_range *holes;	/* never allocatable (layout.h) */
	size_t nr_holes;
	/* Pageblocks the kernel has no memmap for (layout.h): not counted
	 * in the pageblock census, as pagetypeinfo does not count them. */
	const uint64_t *nomap_blocks;
	size_t nr_nomap_blocks;
	unsigned int nr_cpus;		/* trace CPUs are taken modulo this */
	/* Pages in use when tracing began, by gfp mobility: allocated as
	 * order-0 pages before the first event, never freed. */
	uint64_t preload[GA_MT_PCPTYPES];
	/* The kernel's own state at trace start (NULL: pack the preload
	 * above instead): its pages at their pfns, its pageblock labels. */
	const struct start_state *start;
	/* Frees of pages the trace never allocated: allocate each where its
	 * pfn was last known free (a first pass finds them). */
	bool infer_untraced;
	bool no_gib_test;
	bool check;			/* run ga_zone_check at the end (tests) */
	/* --shadow: place each allocation at the kernel's pfn, after asking
	 * the model where it would have put it (shadow.h). */
	bool shadow;
	/* --probe-1g/--probe-2m: hugetlb allocations tried at the end, 1 GiB
	 * first (as the capture script does), each until the first failure. */
	unsigned int probe_1g, probe_2m;
	char trace_events[512];		/* RFC 40 event file; "" = none */
};

/* What the replay did with the trace's events. */
struct replay_stats {
	uint64_t allocs, alloc_pages;	/* replayed successfully */
	uint64_t alloc_fail;		/* -ENOMEM in the simulation */
	uint64_t alloc_too_big;		/* order above the zone's max order */
	uint64_t alloc_bad;		/* refused for another reason */
	uint64_t alloc_live_pfn;	/* kernel reused a pfn we still held */
	uint64_t frees, free_pages;	/* that freed a simulated allocation */
	uint64_t free_partial;		/* freed part of an allocation (split pages) */
	uint64_t split_released;	/* split allocations released early */
	uint64_t free_untracked, free_untracked_pages;	/* allocated before tracing */
	uint64_t free_of_failed;	/* frees of allocations the simulation lacked */
	uint64_t free_spanning;		/* one free covering several allocations */
	uint64_t preload_pages, preload_fail;
	/* The starting state: allocations placed at their own pfn, those
	 * that could not be (a hole of the zone, outside it), labels set. */
	uint64_t start_units, start_pages, start_fail, start_fail_pages;
	uint64_t start_labels, start_label_fail;
	uint64_t start_pcp, start_pcp_pages;	/* left free: traced allocations */
	/* Untraced frees by class: of a page in use in the snapshot; of an
	 * allocation inferred by the first pass (placed at its own pfn, or
	 * elsewhere because the model holds that pfn, or not at all);
	 * the rest (free_untracked above) found no allocation. */
	uint64_t free_start, free_start_pages;
	uint64_t inferred, inferred_pages;		/* allocations inserted */
	uint64_t inferred_at_start;			/* ... before the first event */
	uint64_t inferred_at_pfn, inferred_elsewhere, inferred_fail;
	uint64_t free_inferred, free_inferred_pages;
	uint64_t migrate_calls, migrated_pages;	/* by the library, during the replay */
	uint64_t thp_tries, thp_ok;	/* order-9 movable allocations */
	uint64_t vmstat_ticks;
	uint64_t live_at_end;		/* map entries left */
};

/* The hugetlb probe at the end of the trace. */
struct replay_probe {
	unsigned int gib_asked, gib_got;	/* alloc_contig_pages, 1 GiB */
	unsigned int hp2m_asked, hp2m_got;	/* order-9 hugetlb gfp */
	uint64_t pages_migrated;	/* moved by its compaction and contig runs */
};

/* One zone at the end of a node replay. */
struct replay_zone_result {
	int type;
	uint64_t start_pfn, end_pfn;
	unsigned long managed, wmark_min, wmark_low, wmark_high;
	unsigned long lowmem_reserve[GA_NR_ZONE_TYPES];
	unsigned long free_pages;		/* buddy */
	unsigned long pcp_pages;
	unsigned long free_order[GA_MAX_ORDER_LIMIT + 1];
	unsigned long blocks_mt[GA_MT_TYPES];
	uint64_t fallbacks, fallbacks_fragmenting;	/* during the trace */
};

/* Not to be copied or moved: sim.tests points at gib. */
struct replay_result {
	struct sim_result sim;		/* census, counters, 1 GiB test, timing */
	struct sim_gib_test gib;	/* sim.tests points here */
	struct sim_census start;	/* after the preload, before the first event */
	struct ga_stats stats;		/* the library's counters at the end */
	unsigned long free_order[GA_MAX_ORDER_LIMIT + 1];	/* buddyinfo at the end */
	struct replay_stats rp;
	struct shadow_stats shadow;	/* --shadow */
	struct replay_probe probe;	/* --probe-1g, --probe-2m */
	/* A node replay: each zone, and the zonelist walk's counters. */
	size_t nr_zones;
	struct replay_zone_result zone[GA_NR_ZONE_TYPES];
	struct ga_node_stats node;
};

/*
 * The zones of a zoneinfo snapshot as a node: type by name, span rounded
 * out to pageblocks (clipped so no two overlap), watermarks and, when
 * every zone has them, the protection lines. Zones without present pages
 * are left out. Returns how many zones (0: none usable), or -EINVAL with
 * err set for a zone name the model does not know or a span above limit.
 */
struct gt_snapshot;
int replay_zones_from(const struct gt_snapshot *s, uint64_t limit,
		      struct replay_zone *zones, char *err, size_t errlen);

/*
 * Replay t under cfg. Returns 0 or a negative errno with
 * res->sim.errmsg saying what failed.
 */
int replay_run(const struct trace *t, const struct replay_config *cfg,
	       struct replay_result *res);

/* The zone size a trace needs when nothing else says: its highest pfn,
 * rounded up to a pageblock. */
uint64_t replay_default_pages(const struct trace *t);

#endif /* GA_TRACE_REPLAY_H */
