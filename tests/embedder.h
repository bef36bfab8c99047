/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A fake embedder that owns allocations like a kernel owns folios: a table
 * owner -> (pfn, order, mobility), migrate/drop callbacks that verify on
 * every call that the page they are told about is the one the owner holds,
 * and a conservation check that every live owner still holds exactly its
 * pages.
 */
#ifndef GA_TEST_EMBEDDER_H
#define GA_TEST_EMBEDDER_H

#include <stdbool.h>

#include "gigalloc.h"

struct fake_obj {
	ga_pfn_t pfn;
	uint8_t order;
	uint8_t mt;
	bool live;
	bool dirty;		/* drop refuses */
	bool busy;		/* migrate refuses with -EBUSY */
};

struct embedder {
	struct ga_zone *zone;
	struct fake_obj *obj;
	unsigned long nr, cap;
	unsigned long migrate_calls, drop_calls, errors;
	unsigned long migrated_pages, dropped_pages;	/* moves the owners accepted */
	unsigned long live_pages;	/* kept incrementally */
};

/* Create a zone of nr_pages with the embedder's callbacks. */
struct ga_zone *emb_zone(struct embedder *e, unsigned long nr_pages,
			 unsigned int nr_cpus, const struct ga_policy *policy,
			 struct ga_executor *ex);
/* ... with superpageblocks of 2^spb_order pages (0: the default). */
struct ga_zone *emb_zone_spb(struct embedder *e, unsigned long nr_pages,
			     unsigned int nr_cpus, unsigned int spb_order,
			     const struct ga_policy *policy, struct ga_executor *ex);
/* Same from a full configuration (its ops and ops_ctx are replaced). */
struct ga_zone *emb_zone_config(struct embedder *e, struct ga_zone_config *cfg);
void emb_destroy(struct embedder *e);
/* Allocate an object; returns its owner index or -errno. */
long emb_alloc(struct embedder *e, unsigned int order, unsigned int gfp,
	       bool dirty);
int emb_free(struct embedder *e, unsigned long owner);
/* Every live object's head page says ALLOC, this owner, this order and
 * mobility; returns the number of mismatches (0 = conserved). */
unsigned long emb_conservation_errors(struct embedder *e);
/* Pages held by live objects, recounted from the table. */
unsigned long emb_live_pages(const struct embedder *e);

#endif
