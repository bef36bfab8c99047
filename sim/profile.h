/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Workload profiles: the text format users write, parsed into data.
 *
 * A profile names consumers of memory (anonymous memory, page cache, slab,
 * ...) and, for each, its allocation flags, order mix, target share of
 * memory, allocation rate, lifetime distribution and how reclaim treats
 * it; plus one-off actions at given times. Sizes and rates are shares of
 * the zone's managed memory, so one profile fits any --mem. The format is
 * documented in docs/SIMULATOR.md; errors name file:line and what is wrong.
 */
#ifndef GA_SIM_PROFILE_H
#define GA_SIM_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_MAX_CONSUMERS	15	/* consumer index fits 4 record bits */
#define SIM_MAX_ORDER		10	/* orders a consumer may ask for */
#define SIM_MAX_LIFE_PARTS	4
#define SIM_MAX_ACTIONS		16
#define SIM_NAME_LEN		32
#define SIM_DESC_LEN		256
#define SIM_THP_ORDER		9

enum sim_life_kind {
	SIM_LIFE_INF,		/* until reclaimed or the run ends */
	SIM_LIFE_FIXED,		/* exactly a */
	SIM_LIFE_EXP,		/* exponential, mean a */
	SIM_LIFE_UNIFORM,	/* uniform in [a, b] */
};

struct sim_life_part {
	enum sim_life_kind kind;
	double weight;		/* share of allocations, the parts sum to 1 */
	double a, b;		/* seconds */
};

struct sim_lifetime {
	unsigned int nr;
	struct sim_life_part part[SIM_MAX_LIFE_PARTS];
};

struct sim_consumer_spec {
	char name[SIM_NAME_LEN];
	unsigned int gfp;		/* GA_GFP_* */
	double order_weight[SIM_MAX_ORDER + 1];	/* by allocation count */
	double thp;			/* share of pages tried as order-9 THP */
	double size_start, size_end;	/* target share of memory, ramped */
	double fill;			/* max share of memory per second; 0 = no cap */
	struct sim_lifetime life;
	double pin;			/* share of allocations long-term pinned */
	struct sim_lifetime pin_life;	/* lifetime of pinned allocations */
	bool evictable;			/* reclaim may evict, compaction may drop */
	double busy;			/* share in use: never evicted or dropped */
	double dirty;			/* share dirty: not dropped; rotates on the
					 * LRU while it stays dirty */
	double start, stop;		/* active window, seconds; stop 0 = end */
	unsigned int line;		/* where it was declared */
};

enum sim_action_kind {
	SIM_ACT_FREE_PATTERN,	/* free all but `keep` of every `of` pages */
	SIM_ACT_FREE_SHARE,	/* free a random share of a consumer */
};

struct sim_action {
	enum sim_action_kind kind;
	double at;			/* seconds */
	unsigned int consumer;		/* index into consumers[] */
	unsigned int keep, of;		/* FREE_PATTERN */
	double share;			/* FREE_SHARE */
	unsigned int line;
};

struct sim_profile {
	char name[SIM_NAME_LEN];
	char description[SIM_DESC_LEN];
	double duration;		/* default run length, seconds (0 = none) */
	double turnovers;		/* default run length in turnovers (0 = none) */
	unsigned int nr_consumers;
	struct sim_consumer_spec consumers[SIM_MAX_CONSUMERS];
	unsigned int nr_actions;
	struct sim_action actions[SIM_MAX_ACTIONS];
};

/* A profile compiled into the binary; profiles/<name>.profile is the same text. */
struct sim_builtin_profile {
	const char *name;
	const char *text;
};

/* NULL-terminated (name == NULL) list of the built-in profiles. */
extern const struct sim_builtin_profile sim_builtin_profiles[];

/*
 * Parse profile text. `file` names it in errors, which read
 * "file:line: what is wrong". Returns 0, or -EINVAL with the message in err.
 */
int sim_profile_parse(struct sim_profile *p, const char *text,
		      const char *file, char *err, size_t errlen);

/*
 * Load a profile by built-in name or from a file path (anything with a '/'
 * or a ".profile" suffix, or a name that is not built in but exists as a
 * file). -ENOENT with a message listing the built-ins, -EINVAL parse error,
 * -EIO unreadable file.
 */
int sim_profile_load(struct sim_profile *p, const char *name_or_file,
		     char *err, size_t errlen);

/* Built-in text by name, or NULL. */
const char *sim_profile_builtin_text(const char *name);

/* Read a whole file into a NUL-terminated malloc'd buffer; NULL on error. */
char *sim_read_file(const char *path, size_t *len);

/*
 * Parse a duration: "600s", "10m", "1h", "250ms", "3x" (memory turnovers)
 * or a comma-separated pair ("600s,3x": stop at whichever comes first).
 * Either output may be 0 (= not given). -EINVAL on bad text.
 */
int sim_parse_duration(const char *s, double *seconds, double *turnovers);
/* Longest time a profile or option may give (~31.7 years): the workload
 * model turns times into 1 ms ticks held in 64 bits. */
#define SIM_MAX_PARSED_TIME_S 1e9
/* "600s", "1.5s", "10m", "250ms", "2h": one time value in seconds, at
 * most SIM_MAX_PARSED_TIME_S (-ERANGE above it). */
int sim_parse_time(const char *s, double *seconds);
/* "35%", "0.35": a share in [0, 1]; -ERANGE above 1. */
int sim_parse_share(const char *s, double *share);

/* Name of a gfp value in profile syntax ("movable", "kernel|high", ...). */
int sim_parse_gfp(const char *s, unsigned int *gfp);

#endif /* GA_SIM_PROFILE_H */
