/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A small JSON reader for the tools that read gigalloc's own outputs back
 * (gigalloc compare): the whole text into a tree of values. Numbers are
 * doubles (every figure gigalloc writes fits one exactly up to 2^53).
 */
#ifndef GA_SIM_JSONREAD_H
#define GA_SIM_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>

enum jv_type { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

struct jv {
	enum jv_type type;
	bool b;
	double num;
	char *str;		/* JV_STR, NUL-terminated */
	size_t n;		/* JV_ARR, JV_OBJ: items */
	struct jv *items;
	char **keys;		/* JV_OBJ: keys[i] names items[i] */
};

/* Parse text into *v. 0, or -EINVAL with "line N: what" in err. */
int jv_parse(const char *text, struct jv *v, char *err, size_t errlen);
void jv_free(struct jv *v);
/* Member `key` of an object, or NULL. */
const struct jv *jv_get(const struct jv *obj, const char *key);

#endif /* GA_SIM_JSONREAD_H */
