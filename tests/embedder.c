// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include "embedder.h"

#include <errno.h>
#include <stdlib.h>

static struct fake_obj *lookup(struct embedder *e, uint64_t owner, ga_pfn_t pfn,
			       unsigned int order)
{
	struct fake_obj *o;

	if (owner >= e->nr) {
		e->errors++;
		return NULL;
	}
	o = &e->obj[owner];
	if (!o->live)
		return NULL;
	if (o->pfn != pfn || o->order != order) {
		e->errors++;
		return NULL;
	}
	return o;
}

static int emb_migrate(void *ctx, struct ga_zone *z, uint64_t owner,
		       ga_pfn_t old_pfn, ga_pfn_t new_pfn, unsigned int order)
{
	struct embedder *e = ctx;
	struct fake_obj *o = lookup(e, owner, old_pfn, order);
	struct ga_page_info pi;

	e->migrate_calls++;
	if (!o)
		return -ENOENT;
	if (o->busy)
		return -EBUSY;
	/* The target must be a fresh block of the same order. */
	if (ga_page_query(z, new_pfn, &pi) || pi.head_pfn != new_pfn ||
	    pi.order != order) {
		e->errors++;
		return -EBUSY;
	}
	o->pfn = new_pfn;
	e->migrated_pages += 1ul << order;
	return 0;
}

static int emb_drop(void *ctx, struct ga_zone *z, uint64_t owner, ga_pfn_t pfn,
		    unsigned int order)
{
	struct embedder *e = ctx;
	struct fake_obj *o = lookup(e, owner, pfn, order);

	(void)z;
	e->drop_calls++;
	if (!o || o->dirty)
		return -EBUSY;
	o->live = false;
	e->live_pages -= 1ul << o->order;
	e->dropped_pages += 1ul << o->order;
	return 0;
}

static const struct ga_ops emb_ops = {
	.migrate = emb_migrate,
	.drop = emb_drop,
};

struct ga_zone *emb_zone_config(struct embedder *e, struct ga_zone_config *cfg)
{
	*e = (struct embedder){ .cap = 1024 };
	e->obj = calloc(e->cap, sizeof(*e->obj));
	cfg->ops = &emb_ops;
	cfg->ops_ctx = e;
	if (ga_zone_create(&e->zone, cfg))
		abort();
	return e->zone;
}

struct ga_zone *emb_zone(struct embedder *e, unsigned long nr_pages,
			 unsigned int nr_cpus, const struct ga_policy *policy,
			 struct ga_executor *ex)
{
	return emb_zone_spb(e, nr_pages, nr_cpus, 0, policy, ex);
}

struct ga_zone *emb_zone_spb(struct embedder *e, unsigned long nr_pages,
			     unsigned int nr_cpus, unsigned int spb_order,
			     const struct ga_policy *policy, struct ga_executor *ex)
{
	struct ga_zone_config cfg;

	*e = (struct embedder){ .cap = 1024 };
	e->obj = calloc(e->cap, sizeof(*e->obj));
	ga_zone_config_default(&cfg, 0, nr_pages, nr_cpus);
	if (spb_order)
		cfg.spb_order = spb_order;
	cfg.policy = policy;
	cfg.ops = &emb_ops;
	cfg.ops_ctx = e;
	cfg.executor = ex;
	if (ga_zone_create(&e->zone, &cfg))
		abort();
	return e->zone;
}

void emb_destroy(struct embedder *e)
{
	ga_zone_destroy(e->zone);
	free(e->obj);
}

long emb_alloc(struct embedder *e, unsigned int order, unsigned int gfp,
	       bool dirty)
{
	struct fake_obj *o;
	int err;

	if (e->nr == e->cap) {
		e->cap *= 2;
		e->obj = realloc(e->obj, e->cap * sizeof(*e->obj));
	}
	o = &e->obj[e->nr];
	*o = (struct fake_obj){ .order = (uint8_t)order, .dirty = dirty,
				.mt = (uint8_t)ga_gfp_migratetype(gfp) };
	err = ga_alloc(e->zone, 0, order, gfp, e->nr, &o->pfn);
	if (err)
		return err;
	o->live = true;
	e->live_pages += 1ul << order;
	return (long)e->nr++;
}

int emb_free(struct embedder *e, unsigned long owner)
{
	struct fake_obj *o = &e->obj[owner];
	int err;

	if (!o->live)
		return -ENOENT;
	err = ga_free(e->zone, 0, o->pfn, o->order);
	if (!err) {
		o->live = false;
		e->live_pages -= 1ul << o->order;
	}
	return err;
}

unsigned long emb_conservation_errors(struct embedder *e)
{
	unsigned long bad = e->errors;

	for (unsigned long i = 0; i < e->nr; i++) {
		const struct fake_obj *o = &e->obj[i];
		struct ga_page_info pi;

		if (!o->live)
			continue;
		if (ga_page_query(e->zone, o->pfn, &pi) || pi.head_pfn != o->pfn ||
		    pi.state != GA_PAGE_ALLOC || pi.owner != i ||
		    pi.order != o->order || pi.migratetype != o->mt)
			bad++;
	}
	return bad;
}

unsigned long emb_live_pages(const struct embedder *e)
{
	unsigned long n = 0;

	for (unsigned long i = 0; i < e->nr; i++)
		if (e->obj[i].live)
			n += 1ul << e->obj[i].order;
	return n;
}
