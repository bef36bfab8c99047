/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * `gigalloc sim` once the options are parsed: load the profile, run every
 * policy (on up to --jobs threads), show progress, write the outputs.
 */
#ifndef GA_SIM_DRIVER_H
#define GA_SIM_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "options.h"
#include "run.h"

/* Returns SIM_EXIT_OK, SIM_EXIT_FAIL (a run failed) or SIM_EXIT_USAGE. */
int sim_main(const struct sim_opts *o, FILE *out, FILE *err);

/* One run as the progress bar shows it. */
struct sim_progress_run {
	const char *policy;
	uint32_t permille;		/* of the workload */
	struct sim_phase phase;		/* what it does now */
	double in_phase_s;		/* for how long, as far as the bar saw */
};

/*
 * The progress bar's line: the workloads' mean progress, each run's phase
 * (per_run; else the number of runs), the elapsed time and an ETA: while
 * workloads run, theirs by linear extrapolation; in the final 1 GiB test,
 * each run's for probing the remaining regions at its rate so far. Returns
 * the line's length (truncated to len - 1).
 */
int sim_progress_format(char *line, size_t len, const struct sim_progress_run *r,
			size_t nr, bool per_run, double elapsed);

#endif /* GA_SIM_DRIVER_H */
