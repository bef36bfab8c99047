/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Writers of a finished comparison: the side-by-side table, JSON, the CSV
 * time series and the HTML report with its PNG maps and charts. They only
 * read results; everything they print is computed in run.c and metrics.c.
 */
#ifndef GA_SIM_REPORT_H
#define GA_SIM_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "profile.h"
#include "run.h"

/* What was run and what came out, for every writer. */
struct sim_report {
	const struct sim_profile *profile;
	uint64_t mem_bytes;
	int layout;			/* enum sim_layout */
	unsigned int cpus;
	double duration, turnovers;	/* limits used; 0 = none */
	uint64_t seed;
	const char *const *sets;	/* --set assignments */
	unsigned int nr_sets;
	const struct sim_result *res;	/* one per policy, in order */
	size_t nr;
	/* Several seeds (nr_seeds > 1): res holds nr / nr_seeds policies,
	 * policy-major: res[p * nr_seeds + s] ran under seeds[s]. */
	size_t nr_seeds;
	const uint64_t *seeds;
	double wall_s;			/* all runs, for the table's footer */
	unsigned int jobs;
};

void sim_report_table(FILE *f, const struct sim_report *r);
void sim_report_json(FILE *f, const struct sim_report *r);
void sim_report_csv(FILE *f, const struct sim_report *r);
/* One policy's keys into an open JSON object (the "policies" items of
 * sim --json and replay --json); consumer_names[i] names res->cstats[i]. */
struct jw;
void sim_json_policy_keys(struct jw *j, const struct sim_result *res,
			  const char *const *consumer_names);
/* Write dir/index.html and the PNGs it shows (dir is created). -errno. */
/*
 * Make the report directory DIR and its missing parents, and check that it
 * can be written, before any run: -errno with a message naming the path.
 */
int sim_report_dir_prepare(const char *dir, char *err, size_t errlen);

int sim_report_html(const char *dir, const struct sim_report *r, char *err,
		    size_t errlen);

/* A row of the table: label and a formatter of one policy's cell. */
struct sim_table_row {
	const char *label;
	void (*fmt)(const struct sim_result *res, char *buf, size_t len);
	int indent;		/* a detail of the row above */
};
#define SIM_MAX_TABLE_COLS SIM_MAX_POLICIES_IN_TABLE
#define SIM_MAX_POLICIES_IN_TABLE 16
extern const struct sim_table_row sim_table_rows[];	/* NULL-terminated */

/* "profile mixed, 64 GiB, 8 CPUs, 300 s, seed 1" (or "seeds 1-5") */
void sim_report_header(const struct sim_report *r, char *buf, size_t len);

/* Shared helpers. */
/* Pages migrated per 1 GiB page obtained by the final test; <0 if none. */
double sim_gib_migrated_per_page(const struct sim_result *res);
/* tainted / ideal, or 0 when the ideal is 0. */
double sim_tainted_ratio(const struct sim_census *c);
/* The final 1 GiB test, or NULL. */
const struct sim_gib_test *sim_final_test(const struct sim_result *res);
/* Total pages moved by migration: during the run and by the final test. */
uint64_t sim_pages_migrated(const struct sim_result *res);

#endif /* GA_SIM_REPORT_H */
