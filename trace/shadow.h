/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * --shadow: decision-level fidelity. Each traced allocation is placed
 * where the kernel put it (ga_alloc_at), so the model's state follows the
 * kernel's and no divergence compounds; just before, the model is asked
 * where it would have put it (ga_alloc_peek). The tallies say how often
 * the two agree: the same pageblock, the same 1 GiB region, the same free
 * list (migratetype), and fallback or not (the kernel's
 * mm_page_alloc_extfrag), overall and per order and migratetype.
 */
#ifndef GA_TRACE_SHADOW_H
#define GA_TRACE_SHADOW_H

#include <stdint.h>

#include "ftrace.h"
#include "gigalloc.h"

#define SHADOW_ORDERS	11	/* orders 0..9; [10] counts every order above */

struct shadow_tally {
	uint64_t asked;			/* allocations compared */
	uint64_t answered;		/* the model had a block to offer */
	uint64_t same_pageblock, same_region, same_list, same_fallback;
	uint64_t kernel_fallback, model_fallback, both_fallback;
};

struct shadow_stats {
	struct shadow_tally all;
	struct shadow_tally by[SHADOW_ORDERS][GA_MT_PCPTYPES];
	uint64_t placed;		/* at the kernel's pfn */
	uint64_t not_placed;		/* the model held that pfn: ga_alloc instead */
	uint64_t relabelled;		/* pageblocks the kernel claimed, relabelled */
};

/*
 * Count one allocation: ev (the kernel's, with fb its FT_FB_* extfrag
 * byte) against the model's answer c (peek_err its ga_alloc_peek result).
 */
void shadow_count(struct shadow_stats *s, const struct ft_event *ev, uint8_t fb,
		  int peek_err, const struct ga_alloc_choice *c,
		  unsigned int pageblock_order, unsigned int region_order);

/* part / whole in percent; NaN when whole is 0. */
double shadow_pct(uint64_t part, uint64_t whole);

#endif /* GA_TRACE_SHADOW_H */
