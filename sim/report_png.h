/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The report's pictures, drawn on a canvas so that tests can look at what
 * a PNG will hold: every picture carries its own title, what was run, a
 * legend and axis labels with units, so it reads without the HTML page.
 */
#ifndef GA_SIM_REPORT_PNG_H
#define GA_SIM_REPORT_PNG_H

#include <stddef.h>
#include <stdint.h>

#include "canvas.h"
#include "metrics.h"
#include "report.h"

/*
 * What keeps a 1 GiB region (one map row of w pageblocks) from being a
 * 1 GiB page: the first kind present in the order unmovable, mixed,
 * reclaimable, hole, pinned, movable; SIM_PB_CONTIG when it is one,
 * SIM_PB_FREE when it is wholly free.
 */
enum sim_pb_kind sim_region_blocker(const uint8_t *row, unsigned int w);

/* The colour of a pageblock kind on the maps, and of policy p's lines. */
uint32_t sim_pb_kind_rgb(enum sim_pb_kind k);
uint32_t sim_policy_rgb(size_t p);

/* Draw one memory map (initialises c). after_test: the map after the
 * final 1 GiB test. -ENOMEM. */
int sim_map_draw(struct sim_canvas *c, const struct sim_report *r, size_t run,
		 bool after_test);

enum sim_chart_kind {
	SIM_CH_TAINTED, SIM_CH_GIB, SIM_CH_FALLBACKS, SIM_CH_MIXED, SIM_NR_CHARTS
};
extern const char *const sim_chart_file[SIM_NR_CHARTS];
extern const char *const sim_chart_title[SIM_NR_CHARTS];

/* A time-series chart of every policy (with several seeds: the mean, and
 * the band from the lowest to the highest seed). -ENOMEM. */
int sim_chart_draw(struct sim_canvas *c, const struct sim_report *r,
		   enum sim_chart_kind k);

/* Free memory by buddy order over time for policy p (mean over seeds),
 * stacked. -ENOMEM. */
int sim_buddyinfo_draw(struct sim_canvas *c, const struct sim_report *r, size_t p);

/* Policies in r (r->nr / seeds), and run s of policy p. */
size_t sim_report_policies(const struct sim_report *r);
const struct sim_result *sim_report_run(const struct sim_report *r, size_t p,
					size_t s);

#endif /* GA_SIM_REPORT_PNG_H */
