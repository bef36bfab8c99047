// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * --shadow's comparison of one decision (replay.c drives the lockstep).
 * The kernel's free list is the one its extfrag event names, else the
 * allocation's own migratetype; the model's is the list ga_alloc_peek
 * found the block on. A model with no block to offer (it would have gone
 * to reclaim or compaction) disagrees on every count but the fallback one.
 */
#include <math.h>

#include "shadow.h"
#include "trace.h"

static int kernel_mt(const struct ft_event *ev)
{
	if (ev->mt >= 0 && ev->mt < GA_MT_PCPTYPES)
		return ev->mt;
	return ga_gfp_migratetype(ev->arg) < 0 ? GA_MT_UNMOVABLE :
						  ga_gfp_migratetype(ev->arg);
}

static void add(struct shadow_tally *t, const struct ft_event *ev, uint8_t fb,
		int peek_err, const struct ga_alloc_choice *c,
		unsigned int pb_order, unsigned int region_order)
{
	bool kfb = fb & FT_FB_FELL_BACK, mfb = !peek_err && c->fallback;
	int klist = kfb ? (int)FT_FB_MT(fb) : kernel_mt(ev);

	t->asked++;
	t->kernel_fallback += kfb;
	t->model_fallback += mfb;
	t->both_fallback += kfb && mfb;
	t->same_fallback += kfb == mfb;
	if (peek_err)
		return;
	t->answered++;
	t->same_pageblock += c->pfn >> pb_order == ev->pfn >> pb_order;
	t->same_region += c->pfn >> region_order == ev->pfn >> region_order;
	t->same_list += c->list_mt == klist;
}

void shadow_count(struct shadow_stats *s, const struct ft_event *ev, uint8_t fb,
		  int peek_err, const struct ga_alloc_choice *c,
		  unsigned int pb_order, unsigned int region_order)
{
	unsigned int o = ev->order < SHADOW_ORDERS ? ev->order : SHADOW_ORDERS - 1;

	add(&s->all, ev, fb, peek_err, c, pb_order, region_order);
	add(&s->by[o][kernel_mt(ev)], ev, fb, peek_err, c, pb_order, region_order);
}

double shadow_pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : NAN;
}
