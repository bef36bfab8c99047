/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Several seeds per policy (--seeds): each figure's mean, standard
 * deviation and 95 % confidence interval over the seeds, and which
 * policies' intervals overlap, i.e. which differences the runs do not
 * separate.
 */
#ifndef GA_SIM_SEEDS_H
#define GA_SIM_SEEDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"

/* One figure of a run, as a number; NAN when the run has none. */
struct sim_figure {
	const char *key;	/* JSON and CSV name (the single-run JSON key) */
	const char *label;	/* table label */
	double (*get)(const struct sim_result *res);
	bool timing;		/* depends on the machine, not only the inputs */
};
extern const struct sim_figure sim_figures[];	/* NULL-key terminated */

struct sim_stat {
	size_t n;		/* runs with a value */
	double mean, sd;	/* sample standard deviation (n - 1) */
	double lo, hi;		/* 95 % interval of the mean (Student's t) */
};

/* Two-sided 95 % quantile of Student's t with df degrees of freedom. */
double sim_t95(size_t df);
/* Statistics of v[0..n), skipping NANs. */
void sim_stat_of(const double *v, size_t n, struct sim_stat *s);
/* Do the intervals of a and b overlap (the difference not separated)? */
bool sim_stat_overlap(const struct sim_stat *a, const struct sim_stat *b);

/*
 * Results of nr_policies × nr_seeds runs, policy-major:
 * res[p * nr_seeds + s] is policy p under seeds[s].
 */
struct sim_seed_report {
	struct sim_report base;		/* base.res and base.nr cover every run */
	size_t nr_policies, nr_seeds;
	const uint64_t *seeds;
};

/* "1-10" when consecutive, else "1,3,7". */
void sim_seeds_text(const uint64_t *seeds, size_t nr, char *b, size_t n);

void sim_seeds_table(FILE *f, const struct sim_seed_report *r);
void sim_seeds_json(FILE *f, const struct sim_seed_report *r);
void sim_seeds_csv(FILE *f, const struct sim_seed_report *r);

#endif /* GA_SIM_SEEDS_H */
