/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Reports of a replay: the simulator's side-by-side table (its rows print
 * our struct sim_result), the replay's own accounting, and the ground-truth
 * comparison of the vanilla policy with what the kernel reported; as text
 * or as one JSON object shaped like `gigalloc sim --json`.
 */
#ifndef GA_TRACE_REPLAY_REPORT_H
#define GA_TRACE_REPLAY_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "groundtruth.h"
#include "replay.h"
#include "trace.h"

struct replay_report {
	const char *trace_path;
	const struct trace *t;
	const struct ground_truth *gt;	/* gt->present false: none */
	uint64_t zone_pages;
	uint64_t hole_pages, reserved_pages;	/* from the capture's layout */
	bool layout;			/* zone shaped like the traced machine */
	size_t nr_zones;		/* a node of these zones; 0 = one zone */
	struct replay_zone zones[GA_NR_ZONE_TYPES];
	unsigned int nr_cpus;
	uint64_t preload[GA_MT_PCPTYPES];
	const char *const *sets;
	unsigned int nr_sets;
	bool shadow;			/* --shadow: decisions compared */
	bool probe;			/* --probe-1g/--probe-2m ran */
	const struct replay_result *res;	/* one per policy */
	size_t nr;
};

/* One ground-truth comparison: the kernel's figure next to ours. */
struct gt_row {
	const char *metric;
	double kernel, replay;
	const char *note;	/* how the kernel figure was obtained */
};

#define GT_MAX_ROWS 20

/* Rows comparing res (the vanilla run) with r->gt. 0 if no ground truth. */
size_t replay_gt_rows(const struct replay_report *r,
		      const struct replay_result *res, struct gt_row *rows);
/* (replay - kernel) / kernel in percent; NaN when kernel is 0. */
double replay_gt_diff_percent(const struct gt_row *row);
/* The result of the vanilla policy, or NULL if it was not run. */
const struct replay_result *replay_vanilla(const struct replay_report *r);

void replay_report_text(FILE *f, const struct replay_report *r);
void replay_report_json(FILE *f, const struct replay_report *r);


#endif /* GA_TRACE_REPLAY_REPORT_H */
