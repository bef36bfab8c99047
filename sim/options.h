/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * `gigalloc sim` options: parsed and validated here, in the library, so the
 * tests can check every error message without running a process.
 */
#ifndef GA_SIM_OPTIONS_H
#define GA_SIM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gigalloc.h"

#define SIM_EXIT_OK	0
#define SIM_EXIT_FAIL	1	/* a run failed */
#define SIM_EXIT_USAGE	2	/* bad flags or bad input */

#define SIM_MAX_POLICIES 16
#define SIM_MAX_SETS	64
#define SIM_MAX_SEEDS	100

struct sim_opts {
	uint64_t mem_bytes;		/* --mem, default 64G */
	int layout;			/* --layout, default flat (enum sim_layout) */
	unsigned int cpus;		/* --cpus, default 8 */
	const char *profile;		/* --profile, default "mixed" */
	double duration, turnovers;	/* --duration; both 0 = the profile's */
	uint64_t seed;			/* --seed, default 1 */
	bool seed_set;			/* --seed given */
	unsigned int nr_seeds;		/* --seeds; 0 = just --seed */
	uint64_t seeds[SIM_MAX_SEEDS];
	unsigned int nr_policies;	/* --policy; 0 = vanilla, rfc, spb */
	const char *policies[SIM_MAX_POLICIES];
	unsigned int nr_sets;		/* --set, in order */
	const char *sets[SIM_MAX_SETS];
	bool json;			/* --json */
	const char *report_dir;		/* --report */
	const char *csv_file;		/* --csv ("-" = stdout) */
	const char *trace_events;	/* --trace-events FILE (RFC 40 events) */
	bool progress;			/* --progress: even if stderr is no tty */
	bool no_progress;		/* --no-progress */
	double gib_test_every;		/* --gib-test-every, seconds */
	unsigned int samples;		/* --samples, time-series points */
	unsigned int jobs;		/* --jobs; 0 = auto */
	bool list_profiles;		/* --list-profiles */
	const char *show_profile;	/* --show-profile NAME */
	bool help;			/* --help */
	char policy_buf[256];		/* storage for split --policy names */
};

/* Defaults, as `gigalloc sim` with no arguments uses them. */
void sim_opts_default(struct sim_opts *o);

/*
 * Parse argv[0..argc) (options only, no program or command name). Returns
 * 0, or SIM_EXIT_USAGE with a one-line message in err. Strings in *o point
 * into argv.
 */
int sim_opts_parse(struct sim_opts *o, int argc, char **argv, char *err,
		   size_t errlen);

/*
 * Fill *p with preset `name` and apply every --set of o. SIM_EXIT_USAGE
 * with a message naming the parameter and why (-ENOENT unknown, -EINVAL bad
 * value, -ERANGE out of range) in err.
 */
int sim_opts_policy(const struct sim_opts *o, const char *name,
		    struct ga_policy *p, char *err, size_t errlen);

/* Leading decimal digits of s into *v, *end after them; at least one digit.
 * -EINVAL without a digit, -ERANGE past 64 bits. */
int sim_parse_u64(const char *s, uint64_t *v, const char **end);
/* All of s a decimal integer in [min, max]: -EINVAL if not a number,
 * -ERANGE out of range. */
int sim_parse_uint_range(const char *s, uint64_t min, uint64_t max,
			 uint64_t *out);

/*
 * --seeds: "1-10", "3,5,8" or both ("1-3,7"), distinct, in the order
 * given, at most max. Returns how many, or -EINVAL (syntax), -ERANGE (a
 * range backwards or more than max), -EEXIST (a seed twice).
 */
int sim_parse_seeds(const char *s, uint64_t *seeds, unsigned int max);

/*
 * Apply one --set NAME=VALUE to p; on failure, err says which parameter
 * and why (unknown, out of its range, not a value of its type), the same
 * words in every subcommand. -ENOENT, -ERANGE or -EINVAL.
 */
int sim_policy_set(struct ga_policy *p, const char *assignment, char *err,
		   size_t errlen);

/* "64 GiB", "512 MiB": a size for people. */
void sim_format_size(uint64_t bytes, char *buf, size_t len);

#endif /* GA_SIM_OPTIONS_H */
