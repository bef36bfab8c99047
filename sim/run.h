/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * One simulation run: one policy, one zone, one workload, from the first
 * tick to the 1 GiB test at the end. Runs share nothing, so several may
 * go on different threads and each stays a pure function of its config.
 */
#ifndef GA_SIM_RUN_H
#define GA_SIM_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gigalloc.h"
#include "metrics.h"
#include "profile.h"
#include "workload.h"

#define SIM_POLICY_NAME_LEN 32
#define SIM_MAX_TIME_S	(24.0 * 3600)	/* cap for turnover-only runs */

/*
 * The machine's physical layout: flat is one zone of --mem from pfn 0;
 * server is a node as an x86-64 server has it: DMA below 16 MiB (pfn 0
 * and the 640 KiB-1 MiB legacy area absent), DMA32 up to 4 GiB with RAM
 * only below 3 GiB (the PCI hole above), Normal from 4 GiB holding the
 * rest of --mem.
 */
enum sim_layout { SIM_LAYOUT_FLAT, SIM_LAYOUT_SERVER, SIM_NR_LAYOUTS };
const char *sim_layout_name(int layout);
/* The layout's number, or -EINVAL. */
int sim_layout_parse(const char *name);

struct sim_config {
	uint64_t mem_bytes;
	int layout;			/* enum sim_layout */
	unsigned int cpus;
	const struct sim_profile *profile;
	double duration;		/* simulated seconds; 0 = no limit */
	double turnovers;		/* memory turnovers; 0 = no limit */
	uint64_t seed;
	char policy_name[SIM_POLICY_NAME_LEN];
	struct ga_policy policy;
	double gib_test_every;		/* seconds; 0 = only at the end */
	bool no_gib_test;		/* skip the final 1 GiB test */
	bool maps;			/* capture memory maps for --report */
	unsigned int samples;		/* time-series points wanted (~) */
	uint32_t *progress;		/* permille done, stored atomically; may be NULL */
	struct sim_phase *phase;	/* what the run is doing now; may be NULL */
	char trace_events[512];		/* RFC 40 event file; "" = none */
};

/*
 * A run's phase, for the progress bar: stored with relaxed atomics field by
 * field (a reader may see a count from just before a phase change; that
 * only shows in one frame of the bar).
 */
enum sim_phase_id {
	SIM_PHASE_SETUP,		/* zone and workload being built */
	SIM_PHASE_WORKLOAD,		/* the workload runs; progress is permille */
	SIM_PHASE_GIB_TAKE,		/* final 1 GiB test: done = pages taken */
	SIM_PHASE_GIB_PROBE,		/* then each region alone: done of total */
	SIM_PHASE_DONE,
};

struct sim_phase {
	uint32_t id;			/* enum sim_phase_id */
	uint32_t done, total;
};

void sim_phase_set(struct sim_phase *p, enum sim_phase_id id, uint32_t done,
		   uint32_t total);

/* One 1 GiB test: allocate 1 GiB ranges until the allocator fails. */
struct sim_gib_test {
	double at;			/* simulated seconds */
	unsigned long obtained;
	uint64_t pages_migrated, pages_dropped;
	int fail_err;			/* errno of the failing call (negative) */
	int fail_reason;		/* enum ga_block_reason of that failure */
	int fail_mt;			/* migratetype of the blocker, -1 none */
	/* Afterwards each region not obtained is tried alone, to tell why. */
	unsigned long blockers[GA_NR_BLOCK_REASONS];
	unsigned long probe_obtained;	/* regions a lone try did obtain */
	double wall_s;
	double cpu_s;			/* CPU time of the run's thread (sim) */
};

struct sim_sample {
	double t, turnovers;
	struct sim_census c;
	struct sim_counters k;
	uint64_t reclaimed, migrated, dropped;
	uint64_t resident[SIM_MAX_CONSUMERS];
	/* /proc/buddyinfo: free blocks per order 0..max_order. */
	unsigned int max_order;
	unsigned long nr_free[GA_MAX_ORDER_LIMIT + 1];
};

#define SIM_SPB_COST_BUCKETS 1024

struct sim_result {
	char policy[SIM_POLICY_NAME_LEN];
	int err;			/* 0, or why the run could not finish */
	char errmsg[512];
	char anomaly[256];		/* first library callback anomaly */
	/* Geometry (summed over the zones of a layout's node). */
	unsigned long managed_pages, wmark_min, wmark_low, wmark_high;
	unsigned int nr_cpus;
	unsigned int nr_zones;		/* 1, or the node's */
	struct ga_node_stats node;	/* a node's zonelist walk (--layout) */
	/* The end of the run, before the final 1 GiB test. */
	struct sim_census final;
	struct sim_counters counters;
	struct ga_stats stats;		/* every library counter */
	struct ga_spb_summary spb;	/* steered allocations, SPBs visited */
	/* Search cost per steered allocation: [0] SPBs examined, [1] index
	 * words scanned (ga_spb_search_histogram; the last bucket is "more"). */
	uint64_t spb_cost_hist[2][SIM_SPB_COST_BUCKETS];
	struct sim_workload_stats wstats;
	unsigned int nr_consumers;
	struct sim_consumer_stats cstats[SIM_MAX_CONSUMERS];
	uint64_t resident[SIM_MAX_CONSUMERS];
	double sim_seconds, turnovers;
	bool capped;			/* stopped at SIM_MAX_TIME_S */
	/* Time series and 1 GiB tests (the last one is the final test). */
	struct sim_sample *samples;
	size_t nr_samples;
	struct sim_gib_test *tests;
	size_t nr_tests;
	bool has_final_test;
	/* Memory maps (cfg.maps): end of run, and after the final test. */
	uint8_t *map_end, *map_gib;
	unsigned int map_w, map_h;
	/* Cost of the simulation (the only non-deterministic figures). */
	uint64_t events;
	double loop_s, wall_s, events_per_sec;
	double cpu_s;			/* CPU time of the run's thread */
	uint64_t peak_rss_bytes;
};

/*
 * Over the zones of a node (sim_zones, metrics.h): the superpageblock
 * summary (counts summed, search costs of main) with the histograms
 * summed; and the 1 GiB test zone by zone, a 1 GiB page never spanning
 * two, its figures summed (the failure is main's, else the last one's).
 * keep false gives each zone's pages back before the next zone.
 */
struct sim_zones;
void sim_spb_read_zones(const struct sim_zones *zs, struct ga_spb_summary *sum,
			uint64_t hist[2][SIM_SPB_COST_BUCKETS]);
int sim_gib_take_zones(const struct sim_zones *zs, uint64_t owner, struct sim_gib_test *t,
		       struct sim_phase *phase, bool keep);

/* Zone size in pages for mem_bytes (4 KiB pages, pageblock-aligned). */
uint64_t sim_mem_pages(uint64_t mem_bytes);

/*
 * Run cfg into res (zeroed first). Returns 0, or a negative errno with
 * res->errmsg saying what failed; res is then partially filled.
 */
int sim_run(const struct sim_config *cfg, struct sim_result *res);

/*
 * Fill *t with a 1 GiB test of zone: 1 GiB pages are taken, owned by
 * owner | index, and stay allocated; *got receives their start pfns
 * (t->obtained of them; free() it). -ENOMEM, or -EUCLEAN if the
 * allocator hands out more 1 GiB ranges than the zone has regions.
 */
int sim_gib_take(struct ga_zone *zone, uint64_t owner, struct sim_gib_test *t,
		 ga_pfn_t **got);
/* The same, reporting its steps in *phase (may be NULL). */
int sim_gib_take_phase(struct ga_zone *zone, uint64_t owner, struct sim_gib_test *t,
		       ga_pfn_t **got, struct sim_phase *phase);

void sim_result_free(struct sim_result *res);
void sim_result_add_zone(struct sim_result *res, const struct ga_zone_info *zi);

#endif /* GA_SIM_RUN_H */
