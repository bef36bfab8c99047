// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include "workload.h"

#include <errno.h>
#include <stdlib.h>

#include "harness.h"

__thread struct workload *wl_current;

void wl_init(struct workload *w, struct ga_zone *zone, unsigned int cpu,
	     unsigned long long seed, unsigned long nr_slots, uint8_t *shadow,
	     ga_pfn_t shadow_base)
{
	*w = (struct workload){ .zone = zone, .cpu = cpu, .seed = seed | 1,
				.nr_slots = nr_slots, .shadow = shadow,
				.shadow_base = shadow_base };
	w->slots = calloc(nr_slots, sizeof(*w->slots));
	w->evictable = calloc(nr_slots, sizeof(*w->evictable));
}

void wl_destroy(struct workload *w)
{
	free(w->slots);
	free(w->evictable);
}

/* Mark or clear the pages of an allocation; a clash is an allocator bug. */
static void shadow_set(struct workload *w, ga_pfn_t pfn, unsigned int order,
		       uint8_t val)
{
	for (unsigned long i = 0; i < (1ul << order); i++) {
		uint8_t old = __atomic_exchange_n(&w->shadow[pfn - w->shadow_base + i],
						  val, __ATOMIC_RELAXED);
		if (old == val)
			w->errors++;
	}
}

static unsigned int pick_order(unsigned long r)
{
	unsigned int p = r % 100;

	if (p < 60)
		return 0;
	if (p < 70)
		return 1;
	if (p < 80)
		return 2;
	if (p < 88)
		return 3;
	if (p < 95)
		return 4 + (unsigned int)((r >> 8) % 5);
	if (p < 99)
		return 9;
	return 10;
}

static unsigned int pick_gfp(unsigned long r, unsigned int order, uint8_t *mt)
{
	unsigned int p = (r >> 16) % 100;

	if (p < 60) {
		*mt = GA_MT_MOVABLE;
		return order == 9 && p < 30 ? GA_GFP_TRANSHUGE_LIGHT :
					      GA_GFP_HIGHUSER_MOVABLE;
	}
	if (p < 80) {
		*mt = GA_MT_RECLAIMABLE;
		return GA_GFP_KERNEL_RECLAIMABLE;
	}
	*mt = GA_MT_UNMOVABLE;
	return p < 95 ? GA_GFP_KERNEL : GA_GFP_ATOMIC;
}

static void wl_free_slot(struct workload *w, struct wl_alloc *a)
{
	int rc;

	shadow_set(w, a->pfn, a->order, 0);
	rc = ga_free(w->zone, w->cpu, a->pfn, a->order);
	if (rc)
		w->errors++;
	a->live = false;
	w->nr_live--;
	if (a->mt != GA_MT_UNMOVABLE) {
		w->evictable[a->live_pos] = w->evictable[--w->nr_evictable];
		w->slots[w->evictable[a->live_pos]].live_pos = a->live_pos;
	}
	w->frees++;
}

static void wl_alloc_slot(struct workload *w, struct wl_alloc *a,
			  unsigned long r)
{
	unsigned int order = pick_order(r);
	unsigned int gfp = pick_gfp(r, order, &a->mt);
	int rc;

	wl_current = w;
	rc = ga_alloc(w->zone, w->cpu, order, gfp, (uint64_t)(a - w->slots), &a->pfn);
	if (rc == -ENOMEM) {
		w->enomem++;
		return;
	}
	if (rc) {
		w->errors++;
		return;
	}
	a->order = (uint8_t)order;
	a->live = true;
	w->nr_live++;
	if (a->mt != GA_MT_UNMOVABLE) {
		a->live_pos = (uint32_t)w->nr_evictable;
		w->evictable[w->nr_evictable++] = (uint32_t)(a - w->slots);
	}
	w->allocs++;
	shadow_set(w, a->pfn, order, 1);
}

void wl_step(struct workload *w)
{
	unsigned long r = test_rand(&w->seed);
	struct wl_alloc *a = &w->slots[(r >> 32) % w->nr_slots];

	if (!a->live) {
		wl_alloc_slot(w, a, r);
		return;
	}
	if (w->inject_bad_frees && r % 101 == 0) {
		/* A bad free right after a good one must be refused. */
		ga_pfn_t pfn = a->pfn;
		unsigned int order = a->order;

		wl_free_slot(w, a);
		if (ga_free(w->zone, w->cpu, pfn, order) != -EALREADY)
			w->errors++;
		w->bad_frees++;
		return;
	}
	wl_free_slot(w, a);
}

void wl_free_all(struct workload *w)
{
	for (unsigned long i = 0; i < w->nr_slots; i++)
		if (w->slots[i].live)
			wl_free_slot(w, &w->slots[i]);
}

/* Evict reclaimable and movable allocations of the calling thread. */
unsigned long wl_reclaim(void *ctx, struct ga_zone *zone,
			 const struct ga_reclaim_request *req)
{
	struct workload *w = wl_current;
	unsigned long freed = 0;

	(void)ctx;
	if (!w || w->zone != zone)
		return 0;
	while (freed < req->nr_to_reclaim && w->nr_evictable) {
		struct wl_alloc *a = &w->slots[w->evictable[test_rand(&w->seed) %
							    w->nr_evictable]];

		freed += 1ul << a->order;
		wl_free_slot(w, a);
	}
	w->reclaimed += freed;
	return freed;
}
