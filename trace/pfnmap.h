/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The replay's map from a kernel allocation (its first pfn in the trace)
 * to the simulated allocation that stands for it. Open addressing with
 * linear probing and backward-shift deletion: no tombstones, so a long
 * replay with millions of insert/delete pairs never slows down.
 */
#ifndef GA_TRACE_PFNMAP_H
#define GA_TRACE_PFNMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gigalloc.h"

#define PFNMAP_NO_SIM	((ga_pfn_t)-1)	/* the simulation could not allocate it */

struct pfnmap_entry {
	uint64_t kpfn;		/* kernel pfn; the key */
	ga_pfn_t spfn;		/* simulated pfn, or PFNMAP_NO_SIM */
	uint32_t freed;		/* pages of it freed piecewise so far */
	uint8_t order;
	uint8_t origin;		/* enum pfnmap_origin */
	bool used;
};

/* Where the replay's allocation came from. */
enum pfnmap_origin {
	PFNMAP_TRACED,		/* a traced mm_page_alloc */
	PFNMAP_START,		/* in use in the "before" snapshot */
	PFNMAP_INFERRED,	/* freed in the trace, allocated without an event */
};

struct pfnmap {
	struct pfnmap_entry *slot;
	size_t mask;		/* capacity - 1 (a power of two) */
	size_t nr;
};

int pfnmap_init(struct pfnmap *m, size_t expect);
void pfnmap_destroy(struct pfnmap *m);
/* The entry for kpfn, or NULL. Valid until the next insert or delete. */
struct pfnmap_entry *pfnmap_find(const struct pfnmap *m, uint64_t kpfn);
/* Insert a new key (must be absent). -ENOMEM. */
int pfnmap_insert(struct pfnmap *m, const struct pfnmap_entry *e);
/* Delete the entry e points to. */
void pfnmap_delete(struct pfnmap *m, struct pfnmap_entry *e);

#endif /* GA_TRACE_PFNMAP_H */
