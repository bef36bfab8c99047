/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * What the kernel itself reported around a capture (scripts/capture-trace
 * writes these files next to trace.gz): /proc/pagetypeinfo, buddyinfo,
 * zoneinfo and vmstat before and after the workload, the guest's metadata
 * and the runtime hugetlb result. The readers also serve `gigalloc
 * inspect`, which reads the same files on a live machine.
 */
#ifndef GA_TRACE_GROUNDTRUTH_H
#define GA_TRACE_GROUNDTRUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gigalloc.h"

#define GT_MAX_VMSTAT	256
#define GT_MAX_ZONES	64

struct gt_vmstat {
	size_t nr;
	struct { char name[48]; uint64_t value; } item[GT_MAX_VMSTAT];
};

struct gt_zone {
	char name[16];
	int node;
	uint64_t start_pfn, spanned, present, managed, free;
	uint64_t wmark_min, wmark_low, wmark_high;	/* "min", "low", "high" */
	uint64_t pcp_count;		/* sum of the per-CPU "count:" lines */
	/* "protection: (0, 1920, ...)": lowmem_reserve by highest zone. */
	unsigned int nr_protection;
	uint64_t protection[8];
};

struct gt_snapshot {
	bool have_pagetypeinfo, have_buddyinfo, have_zoneinfo, have_vmstat;
	unsigned int pageblock_order;
	unsigned long blocks[GA_MT_TYPES];	/* summed over zones */
	unsigned long blocks_total;
	/* The same per zone, in pagetypeinfo's order. */
	size_t nr_block_zones;
	struct {
		char name[16];
		unsigned long blocks[GA_MT_TYPES];
		/* Wholly free pageblocks on each type's free lists: free
		 * buddies of pageblock_order (one block each), and of larger
		 * orders counted in pairs of blocks. */
		unsigned long free_single[GA_MT_TYPES], free_pairs[GA_MT_TYPES];
		/* Free blocks per order, summed over the types. */
		unsigned long free[GA_MAX_ORDER_LIMIT + 1];
	} block_zone[GT_MAX_ZONES];
	uint64_t buddy_free_pages;		/* buddyinfo, summed */
	unsigned long buddy_free[GA_MAX_ORDER_LIMIT + 1];	/* blocks per order, summed */
	size_t nr_zones;			/* zoneinfo zones with present pages */
	struct gt_zone zone[GT_MAX_ZONES];
	struct gt_vmstat vm;
};

struct gt_hugepages {
	bool have;
	unsigned long gib_requested, gib_got;	/* last try */
	unsigned long gib_first_got;		/* first try */
	unsigned long hp2m_requested, hp2m_got, hp2m_first_got;
};

struct ground_truth {
	bool present;			/* a capture directory was found */
	struct gt_snapshot before, after;
	char kernel[64];
	unsigned int cpus;
	uint64_t memtotal_kb;
	double duration_s;
	char workload[256];
	uint64_t ftrace_dropped, ftrace_overrun;	/* per_cpu stats, summed */
	struct gt_hugepages hp;
};

/*
 * Read the capture directory dir. Missing files leave their have_* false;
 * a file that exists but does not parse is an error (-EINVAL, in err).
 */
int gt_load(struct ground_truth *gt, const char *dir, char *err, size_t errlen);

/*
 * The same from snapshot directories holding files named as in /proc
 * (buddyinfo, pagetypeinfo, zoneinfo, vmstat; either may be NULL), with
 * meta.txt, hugepages.txt and ftrace-stats.txt from meta_dir (may be NULL).
 */
int gt_load_dirs(struct ground_truth *gt, const char *meta_dir, const char *before,
		 const char *after, char *err, size_t errlen);

/* Parsers of one /proc file each (also used by inspect on live files). */
int gt_parse_pagetypeinfo(FILE *f, struct gt_snapshot *s);
int gt_parse_buddyinfo(FILE *f, struct gt_snapshot *s);
int gt_parse_zoneinfo(FILE *f, struct gt_snapshot *s);
int gt_parse_vmstat(FILE *f, struct gt_vmstat *v);

/* "System RAM" ranges of /proc/iomem as pfn ranges [start, end), sorted
 * ascending. Zeros (what non-root sees) are skipped, and so are ranges
 * that are inverted or hold no whole page. malloc'd into *ranges; 0 or
 * -ENOMEM. */
int gt_parse_iomem(FILE *f, unsigned int page_shift, struct ga_pfn_range **ranges,
		   size_t *nr);

/* The "usable" ranges of the BIOS-e820 map in a dmesg, as gt_parse_iomem. */
int gt_parse_e820(FILE *f, unsigned int page_shift, struct ga_pfn_range **ranges,
		  size_t *nr);

/* A vmstat value; 0 and *found false if absent. */
uint64_t gt_vmstat_get(const struct gt_vmstat *v, const char *name, bool *found);
/* Sum of managed pages and of free pages over the zones. */
uint64_t gt_managed_pages(const struct gt_snapshot *s);
uint64_t gt_free_pages(const struct gt_snapshot *s);

/*
 * Pages in use when the "before" snapshot was taken, by gfp mobility:
 * LRU pages movable, reclaimable slab reclaimable, the rest unmovable.
 */
void gt_used_by_mobility(const struct gt_snapshot *s, uint64_t used[GA_MT_PCPTYPES]);

#endif /* GA_TRACE_GROUNDTRUTH_H */
