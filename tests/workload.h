/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A randomized allocation workload shared by the randomized and threaded
 * tests: a table of live allocations, a shadow map that catches any page
 * handed out twice, and a reclaim callback that evicts reclaimable and
 * movable allocations like kswapd evicting page cache and shrinking slab.
 */
#ifndef GA_TEST_WORKLOAD_H
#define GA_TEST_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "gigalloc.h"

struct wl_alloc {
	ga_pfn_t pfn;
	uint32_t live_pos;	/* index in workload.evictable while live */
	uint8_t order;
	uint8_t mt;
	bool live;
};

struct workload {
	struct ga_zone *zone;
	unsigned int cpu;
	unsigned long long seed;
	struct wl_alloc *slots;
	unsigned long nr_slots;
	unsigned long nr_live;
	unsigned long nr_evictable;
	uint32_t *evictable;		/* live movable/reclaimable slots, for reclaim */
	uint8_t *shadow;		/* shared by all workloads of a zone */
	ga_pfn_t shadow_base;
	/* Double-free right after a free. Single-threaded only: with other
	 * threads the page may already be someone else's allocation. */
	bool inject_bad_frees;
	unsigned long errors;		/* shadow or return-code mismatches */
	unsigned long allocs, frees, enomem, reclaimed, bad_frees;
};

void wl_init(struct workload *w, struct ga_zone *zone, unsigned int cpu,
	     unsigned long long seed, unsigned long nr_slots, uint8_t *shadow,
	     ga_pfn_t shadow_base);
void wl_destroy(struct workload *w);
/* One random operation: allocate into a free slot or free a live one. */
void wl_step(struct workload *w);
/* Free everything still live. */
void wl_free_all(struct workload *w);
/* ops->reclaim for a zone whose reclaim target is wl_current (per thread). */
unsigned long wl_reclaim(void *ctx, struct ga_zone *zone,
			 const struct ga_reclaim_request *req);
extern __thread struct workload *wl_current;

#endif
