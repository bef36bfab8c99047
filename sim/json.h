/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A minimal streaming JSON writer shared by the sim, replay and
 * inspect reports: pretty-printed, keys in the order written, doubles
 * that are not finite written as null (JSON has no NaN).
 */
#ifndef GA_SIM_JSON_H
#define GA_SIM_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct jw {
	FILE *f;
	int depth;
	bool first;
};

void jw_begin(struct jw *j, FILE *f);	/* opens the top-level object */
void jw_end(struct jw *j);		/* closes it and ends the line */
/* key NULL inside arrays. */
void jw_obj(struct jw *j, const char *key);
void jw_arr(struct jw *j, const char *key);
void jw_close_obj(struct jw *j);
void jw_close_arr(struct jw *j);
void jw_u64(struct jw *j, const char *key, uint64_t v);
void jw_i64(struct jw *j, const char *key, int64_t v);
void jw_dbl(struct jw *j, const char *key, double v);
void jw_str(struct jw *j, const char *key, const char *v);
void jw_bool(struct jw *j, const char *key, bool v);
void jw_null(struct jw *j, const char *key);

/* A run of unsigned members from a table whose last entry has key NULL
 * (written as consecutive jw_u64 calls would write them); jw_u64_obj
 * wraps the run in an object named key. */
struct jw_u64_kv {
	const char *key;
	uint64_t v;
};
void jw_u64s(struct jw *j, const struct jw_u64_kv *kv);
void jw_u64_obj(struct jw *j, const char *key, const struct jw_u64_kv *kv);

#endif /* GA_SIM_JSON_H */
