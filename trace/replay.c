// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The replay loop. Kernel traces are not closed worlds: pages allocated
 * before tracing began, bulk allocations, compaction targets and split
 * huge pages are freed without a traced allocation, and a kernel page may
 * be freed piecewise. Every such case has a rule and a counter here, so the
 * report says how much of the trace was replayed exactly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "groundtruth.h"
#include "pfnmap.h"
#include "replay.h"
#include "trace_events.h"

#define PAGE_SHIFT_4K	12
#define PRELOAD_OWNER	(1ull << 62)	/* owner tokens of preloaded pages */
#define GIB_OWNER	(1ull << 61)	/* ... of the final test's 1 GiB pages */
#define PROBE_OWNER	(1ull << 60)	/* ... of the hugetlb probe's pages */
/* alloc_buddy_hugetlb_folio: htlb_alloc_mask (movable for 2 MB on x86-64)
 * | __GFP_COMP | __GFP_NOWARN | __GFP_RETRY_MAYFAIL: compacts, reclaims,
 * retries, may fail. */
#define HUGETLB_GFP	(GA_GFP_HIGHUSER_MOVABLE | GA_GFP_COMP | GA_GFP_NOWARN | \
			 GA_GFP_RETRY_MAYFAIL)
#define NS_PER_S	1000000000ull
#define MAX_TICKS_PER_GAP 16		/* vmstat ticks run for one time gap */

struct replay {
	const struct trace *t;
	const struct replay_config *cfg;
	struct replay_result *res;
	struct replay_stats *st;
	/* A node of the traced machine's zones, or one zone alone (node
	 * NULL). zone is the node's largest zone (or the only one): the one
	 * whose indices the census reports. */
	struct ga_node *node;
	struct sim_zones zs;
	struct ga_zone *zone;
	struct ga_executor *ex;
	struct pfnmap map;
	unsigned int max_order;		/* the zone's */
	unsigned int pageblock_order, spb_order;
	unsigned int max_traced_order;	/* highest order the trace allocates */
	uint64_t next_tick_ns;
	uint64_t now_ns;		/* the trace's clock, for --trace-events */
	struct sim_trace_events events;
	struct sim_counters k0;		/* after the preload */
	struct ga_stats s0;
	struct ga_stats zs0[GA_NR_ZONE_TYPES];	/* ... per zone */
	struct ga_node_stats ns0;
	/* Allocations the trace frees without allocating, found by the first
	 * pass: inserted before event inf[i].at. */
	struct infer_alloc *inf;
	size_t nr_inf, inf_i;
	/* Snapshot allocations the trace allocates before freeing: they were
	 * free at trace start (on a pcp list, where kpageflags shows no flag). */
	uint8_t *start_free;
};

struct infer_alloc {
	size_t at;		/* before this event (0: at the start) */
	uint64_t kpfn;
	unsigned int order;
};

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static int fail(struct replay *r, int err, const char *what)
{
	struct sim_result *res = &r->res->sim;

	if (!res->err) {
		res->err = err;
		/* A long reason is cut short; the start says what failed. */
		if (snprintf(res->errmsg, sizeof(res->errmsg), "%s: %s", res->policy,
			     what) >= (int)sizeof(res->errmsg))
			res->errmsg[sizeof(res->errmsg) - 2] = '~';
	}
	return err;
}

uint64_t replay_default_pages(const struct trace *t)
{
	uint64_t pb = 1u << 9;

	return (t->st.max_pfn + 1 + pb - 1) / pb * pb;
}

/* ------------------------------------------------------------------------ */
/* The model: a node (pfns routed to their zone) or one zone.                */

static struct ga_zone *zone_at(struct replay *r, ga_pfn_t pfn)
{
	return r->node ? ga_node_zone_of(r->node, pfn) : r->zone;
}

static int model_alloc(struct replay *r, unsigned int cpu, unsigned int order,
		       unsigned int gfp, uint64_t owner, ga_pfn_t *pfn)
{
	if (r->node)
		return ga_node_alloc(r->node, cpu, order, gfp, owner, pfn, NULL);
	return ga_alloc(r->zone, cpu, order, gfp, owner, pfn);
}

static int model_free(struct replay *r, unsigned int cpu, ga_pfn_t pfn,
		      unsigned int order)
{
	struct ga_zone *z = zone_at(r, pfn);

	return z ? ga_free(z, cpu, pfn, order) : -ERANGE;
}

static int model_alloc_at(struct replay *r, unsigned int cpu, ga_pfn_t pfn,
			  unsigned int order, unsigned int gfp, uint64_t owner)
{
	struct ga_zone *z = zone_at(r, pfn);

	return z ? ga_alloc_at(z, cpu, pfn, order, gfp, owner) : -ERANGE;
}

static int model_set_mt(struct replay *r, ga_pfn_t pfn, int mt)
{
	struct ga_zone *z = zone_at(r, pfn);

	return z ? ga_pageblock_set_migratetype(z, pfn, mt) : -ERANGE;
}

/*
 * The model's choice for a request. In a node, the first zone of the
 * request's zonelist that has a block for it (ga_alloc_peek asks no
 * watermark, so neither does the walk here).
 */
static int model_peek(struct replay *r, unsigned int cpu, unsigned int order,
		      unsigned int gfp, struct ga_alloc_choice *c)
{
	int highest = ga_gfp_zone(gfp), err = -ENOMEM;

	if (!r->node)
		return ga_alloc_peek(r->zone, cpu, order, gfp, c);
	if (highest < 0)
		return highest;
	for (int t = highest; t >= 0 && err == -ENOMEM; t--)
		if (ga_node_zone(r->node, t))
			err = ga_alloc_peek(ga_node_zone(r->node, t), cpu, order, gfp, c);
	return err;
}

/* ------------------------------------------------------------------------ */
/* Migration callback: the library moved a simulated allocation.             */

static int replay_migrate(void *ctx, struct ga_zone *zone, uint64_t owner,
			  ga_pfn_t old_pfn, ga_pfn_t new_pfn, unsigned int order)
{
	struct replay *r = ctx;
	struct pfnmap_entry *e;

	(void)zone;
	r->st->migrate_calls++;
	if (owner & (PRELOAD_OWNER | PROBE_OWNER)) {	/* nothing refers to these by pfn */
		r->st->migrated_pages += 1ull << order;
		return 0;
	}
	e = pfnmap_find(&r->map, owner);
	if (!e || e->spfn != old_pfn || e->order != order)
		return -EBUSY;	/* cannot happen single-threaded; refuse safely */
	e->spfn = new_pfn;
	r->st->migrated_pages += 1ull << order;
	return 0;
}

static const struct ga_ops replay_ops = {
	.migrate = replay_migrate,
};

/* ------------------------------------------------------------------------ */
/* Frees.                                                                    */

static void sim_free(struct replay *r, struct pfnmap_entry *e)
{
	if (e->spfn != PFNMAP_NO_SIM) {
		if (model_free(r, 0, e->spfn, e->order))
			fail(r, -EUCLEAN, "ga_free of a replayed allocation failed");
		r->st->frees++;
		r->st->free_pages += 1ull << e->order;
		if (e->origin == PFNMAP_START) {
			r->st->free_start++;
			r->st->free_start_pages += 1ull << e->order;
		} else if (e->origin == PFNMAP_INFERRED) {
			r->st->free_inferred++;
			r->st->free_inferred_pages += 1ull << e->order;
		}
	} else {
		r->st->free_of_failed++;
	}
	pfnmap_delete(&r->map, e);
}

/*
 * The allocation holding kpfn: the entry keyed by kpfn itself, or by the
 * 2^n-aligned pfn below it for a larger n (kernel allocations are
 * naturally aligned, so only those heads can cover it).
 */
static struct pfnmap_entry *map_covering(const struct pfnmap *m, uint64_t kpfn,
					 unsigned int order, unsigned int max_order)
{
	struct pfnmap_entry *e = pfnmap_find(m, kpfn);

	if (e)
		return e;
	for (unsigned int n = order + 1; n <= max_order; n++) {
		e = pfnmap_find(m, kpfn & ~((1ull << n) - 1));
		if (e && e->order == n)
			return e;
	}
	return NULL;
}

static struct pfnmap_entry *covering(struct replay *r, uint64_t kpfn,
				     unsigned int order)
{
	return map_covering(&r->map, kpfn, order, r->max_traced_order);
}

/*
 * A free larger than the allocation at its pfn: release all inside it.
 * Walks the span or the map, whichever is smaller, so a bogus order
 * (order=31 is 2^31 pfns) costs no more than the live allocations.
 */
static void free_span(struct replay *r, uint64_t kpfn, unsigned int order)
{
	uint64_t span = 1ull << order, end = kpfn + span;

	r->st->free_spanning++;
	if (span <= r->map.mask + 1) {
		for (uint64_t p = kpfn; p < end; p++) {
			struct pfnmap_entry *e = pfnmap_find(&r->map, p);

			if (e && p + (1ull << e->order) <= end)
				sim_free(r, e);
		}
		return;
	}
	/* Deleting shifts entries back, so re-examine a slot after a hit. */
	for (size_t i = 0; i <= r->map.mask;) {
		struct pfnmap_entry *e = &r->map.slot[i];

		if (e->used && e->kpfn >= kpfn && e->kpfn < end &&
		    e->kpfn + (1ull << e->order) <= end) {
			sim_free(r, e);
			continue;
		}
		i++;
	}
}

static void replay_free(struct replay *r, const struct ft_event *ev)
{
	struct pfnmap_entry *e = covering(r, ev->pfn, ev->order);

	if (!e) {
		r->st->free_untracked++;
		r->st->free_untracked_pages += 1ull << ev->order;
		return;
	}
	if (e->kpfn == ev->pfn && e->order == ev->order && !e->freed) {
		sim_free(r, e);
		return;
	}
	if (e->kpfn == ev->pfn && e->order < ev->order) {
		free_span(r, ev->pfn, ev->order);
		return;
	}
	/* Part of a larger allocation (split_page, a split THP, the tail
	 * frees of __free_pages): the library cannot split an allocation,
	 * so the whole block is freed once all its pages are. */
	r->st->free_partial++;
	e->freed += 1u << ev->order;
	if (e->freed >= 1u << e->order)
		sim_free(r, e);
}

/* ------------------------------------------------------------------------ */
/* Allocations.                                                              */

/* The kernel allocated a pfn we still hold: its free was not traced
 * (lost events), or it is the head of a split allocation. */
static void drop_stale(struct replay *r, struct pfnmap_entry *e)
{
	if (e->freed)
		r->st->split_released++;
	else
		r->st->alloc_live_pfn++;
	sim_free(r, e);
}

/*
 * The kernel claimed the block it fell back into (change_ownership): label
 * its pageblocks as the kernel did, the whole fallback block when it was a
 * pageblock or more, else the one pageblock holding it.
 */
static void follow_claim(struct replay *r, const struct ft_event *ev,
			 const struct ft_fallback *w)
{
	unsigned int o = w->order > r->pageblock_order ? w->order : r->pageblock_order;
	uint64_t start = w->pfn & ~((1ull << o) - 1), pb = 1ull << r->pageblock_order;

	if (ev->mt < 0 || ev->mt >= GA_MT_PCPTYPES || o > r->max_order)
		return;
	for (uint64_t b = start; b < start + (1ull << o); b += pb)
		if (!model_set_mt(r, b, ev->mt))
			r->res->shadow.relabelled++;
}

/*
 * --shadow: ask the model where it would put this allocation, then put it
 * where the kernel did (after relabelling what the kernel claimed), so
 * that the next question is asked of the kernel's state. A pfn the model
 * holds (its state had already diverged) is allocated normally.
 */
static int shadow_alloc(struct replay *r, const struct ft_event *ev, uint8_t fb,
			const struct ft_fallback *w, unsigned int cpu, ga_pfn_t *spfn)
{
	struct shadow_stats *s = &r->res->shadow;
	struct ga_alloc_choice c;
	int pe = model_peek(r, cpu, ev->order, ev->arg, &c), err;

	shadow_count(s, ev, fb, pe, &c, r->pageblock_order, r->spb_order);
	if (w && (fb & FT_FB_CLAIM))
		follow_claim(r, ev, w);
	err = model_alloc_at(r, cpu, ev->pfn, ev->order, ev->arg, ev->pfn);
	if (err) {
		s->not_placed++;
		return model_alloc(r, cpu, ev->order, ev->arg, ev->pfn, spfn);
	}
	s->placed++;
	*spfn = ev->pfn;
	return 0;
}

static void replay_alloc(struct replay *r, const struct ft_event *ev, uint8_t fb,
			 const struct ft_fallback *w)
{
	struct pfnmap_entry ne = { .kpfn = ev->pfn, .order = ev->order };
	struct pfnmap_entry *old = pfnmap_find(&r->map, ev->pfn);
	unsigned int cpu = ev->cpu % r->cfg->nr_cpus;
	int err;

	if (old)
		drop_stale(r, old);
	if (ev->order > r->max_order) {
		r->st->alloc_too_big++;
		err = -E2BIG;
	} else if (r->cfg->shadow) {
		err = shadow_alloc(r, ev, fb, w, cpu, &ne.spfn);
	} else {
		err = model_alloc(r, cpu, ev->order, ev->arg, ev->pfn, &ne.spfn);
	}
	if (err) {
		ne.spfn = PFNMAP_NO_SIM;
		if (err == -ENOMEM)
			r->st->alloc_fail++;
		else if (err != -E2BIG)
			r->st->alloc_bad++;
	} else {
		r->st->allocs++;
		r->st->alloc_pages += 1ull << ev->order;
	}
	if (ev->order == 9 && (ev->arg & GA_GFP_MOVABLE)) {	/* THP-sized */
		r->st->thp_tries++;
		r->st->thp_ok += !err;
	}
	if (pfnmap_insert(&r->map, &ne))
		fail(r, -ENOMEM, "out of memory for the pfn map");
}

/* ------------------------------------------------------------------------ */
/* Untraced allocations: a first pass over the trace on the kernel's pfns.    */

/* The kernel's live allocations in the first pass: what a free removes. */
static void kernel_free(struct pfnmap *m, struct pfnmap_entry *e, uint64_t kpfn,
			unsigned int order)
{
	uint64_t end = kpfn + (1ull << order);

	if (e->kpfn == kpfn && e->order >= order && !e->freed && e->order == order) {
		pfnmap_delete(m, e);
		return;
	}
	if (e->kpfn == kpfn && e->order < order) {	/* one free, several allocations */
		if ((1ull << order) <= m->mask + 1) {
			for (uint64_t p = kpfn; p < end; p++) {
				struct pfnmap_entry *x = pfnmap_find(m, p);

				if (x && p + (1ull << x->order) <= end)
					pfnmap_delete(m, x);
			}
			return;
		}
		for (size_t i = 0; i <= m->mask;) {
			struct pfnmap_entry *x = &m->slot[i];

			if (x->used && x->kpfn >= kpfn && x->kpfn < end &&
			    x->kpfn + (1ull << x->order) <= end) {
				pfnmap_delete(m, x);
				continue;
			}
			i++;
		}
		return;
	}
	e->freed += 1u << order;			/* piecewise */
	if (e->freed >= 1u << e->order)
		pfnmap_delete(m, e);
}

static int add_inferred(struct replay *r, size_t *cap, size_t at, uint64_t kpfn,
			unsigned int order)
{
	if (r->nr_inf == *cap) {
		size_t n = *cap ? *cap * 2 : 1024;
		struct infer_alloc *p = realloc(r->inf, n * sizeof(*p));

		if (!p)
			return -ENOMEM;
		r->inf = p;
		*cap = n;
	}
	r->inf[r->nr_inf++] = (struct infer_alloc){ at, kpfn, order };
	return 0;
}

static int infer_cmp(const void *a, const void *b)
{
	const struct infer_alloc *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->kpfn < y->kpfn ? -1 : x->kpfn > y->kpfn;
}

/* The event after the last traced free touching [kpfn, kpfn + 2^order):
 * where that pfn was last known free. 0 = before the first event. */
static size_t last_free(const uint32_t *last, uint64_t nlast, uint64_t kpfn,
			unsigned int order)
{
	uint32_t at = 0;

	for (uint64_t p = kpfn; p < kpfn + (1ull << order) && p < nlast; p++)
		if (last[p] > at)
			at = last[p];
	return at;
}

/*
 * Play the trace on the kernel's own pfns, starting from the snapshot's
 * allocations: a free that no live allocation covers was allocated without
 * an event (alloc_pages_bulk, a compaction or migration target) after the
 * last traced free of its pfns. Those become r->inf, sorted by position.
 */
/*
 * The first pass met an allocation at pfn: what the map holds there goes.
 * Snapshot allocations under it that were never freed were free at trace
 * start (on a pcp list, where kpageflags shows no flag), each of them: an
 * order-1 pcp block is two flagless order-0 pages in the snapshot.
 */
static void start_free_under(struct replay *r, struct pfnmap *m, uint64_t pfn,
			     unsigned int order)
{
	for (uint64_t p = pfn; p < pfn + (1ull << order); p++) {
		struct pfnmap_entry *e = pfnmap_find(m, p);

		if (!e || (p != pfn && e->origin != PFNMAP_START))
			continue;
		if (e->origin == PFNMAP_START && !e->freed)
			r->start_free[e->spfn] = 1;
		pfnmap_delete(m, e);
	}
}

static int find_untraced(struct replay *r)
{
	const struct trace *t = r->t;
	const struct start_state *ss = r->cfg->start;
	/* pfns past the zone cannot be placed at their own pfn anyway: their
	 * frees count as never freed before (a corrupt pfn costs nothing). */
	uint64_t nlast = t->st.max_pfn < r->cfg->zone_pages ? t->st.max_pfn + 1 :
			 r->cfg->zone_pages;
	uint32_t *last = calloc(nlast, sizeof(*last));
	struct pfnmap m;
	size_t cap = 0;
	int err = last ? pfnmap_init(&m, 1u << 16) : -ENOMEM;

	if (err) {
		free(last);
		return fail(r, -ENOMEM, "out of memory for the first pass");
	}
	for (size_t i = 0; ss && i < ss->nr && !err; i++)
		err = pfnmap_insert(&m, &(struct pfnmap_entry){
			.kpfn = ss->unit[i].pfn, .spfn = i, .order = ss->unit[i].order,
			.origin = PFNMAP_START });
	if (!err && ss && !(r->start_free = calloc(ss->nr ? ss->nr : 1, 1)))
		err = -ENOMEM;
	for (size_t i = 0; i < t->nr && !err && i < UINT32_MAX; i++) {
		const struct ft_event *ev = &t->ev[i];
		struct pfnmap_entry *e = map_covering(&m, ev->pfn, ev->order,
						      r->max_traced_order);

		if (ev->kind == FT_ALLOC) {
			start_free_under(r, &m, ev->pfn, ev->order);
			err = pfnmap_insert(&m, &(struct pfnmap_entry){
				.kpfn = ev->pfn, .order = ev->order });
			continue;
		}
		if (e) {
			kernel_free(&m, e, ev->pfn, ev->order);
		} else {
			size_t at = last_free(last, nlast, ev->pfn, ev->order);

			/* Without a snapshot, a page never freed before was
			 * in use before tracing: the preload stands for it. */
			if (at || ss)
				err = add_inferred(r, &cap, at, ev->pfn, ev->order);
		}
		for (uint64_t p = ev->pfn; p < ev->pfn + (1ull << ev->order) && p < nlast; p++)
			last[p] = (uint32_t)(i + 1);
	}
	pfnmap_destroy(&m);
	free(last);
	if (err)
		return fail(r, -ENOMEM, "out of memory for the first pass");
	if (r->nr_inf)		/* qsort(NULL, 0, ...) is undefined */
		qsort(r->inf, r->nr_inf, sizeof(*r->inf), infer_cmp);
	return 0;
}

static unsigned int gfp_of_block(struct replay *r, ga_pfn_t pfn)
{
	struct ga_pageblock_info bi;
	struct ga_zone *z = zone_at(r, pfn);

	if (!z || ga_pageblock_query(z, pfn, &bi))
		return GA_GFP_HIGHUSER_MOVABLE;
	switch (bi.migratetype) {
	case GA_MT_UNMOVABLE:
		return GA_GFP_KERNEL;
	case GA_MT_RECLAIMABLE:
		return GA_GFP_KERNEL_RECLAIMABLE;
	default:
		return GA_GFP_HIGHUSER_MOVABLE;
	}
}

/*
 * Insert the inferred allocations due before event i: at the kernel's pfn
 * when the model has it free, else wherever the model puts that request
 * (its state has diverged from the kernel's there).
 */
static void insert_inferred(struct replay *r, size_t i, unsigned int cpu)
{
	for (; r->inf_i < r->nr_inf && r->inf[r->inf_i].at <= i; r->inf_i++) {
		const struct infer_alloc *a = &r->inf[r->inf_i];
		struct pfnmap_entry ne = { .kpfn = a->kpfn, .order = (uint8_t)a->order,
					   .origin = PFNMAP_INFERRED };
		unsigned int gfp = gfp_of_block(r, a->kpfn);

		if (pfnmap_find(&r->map, a->kpfn) || a->order > r->max_order) {
			r->st->inferred_fail++;
			continue;
		}
		if (!model_alloc_at(r, cpu, a->kpfn, a->order, gfp, a->kpfn)) {
			ne.spfn = a->kpfn;
			r->st->inferred_at_pfn++;
		} else if (!model_alloc(r, cpu, a->order, gfp, a->kpfn, &ne.spfn)) {
			r->st->inferred_elsewhere++;
		} else {
			r->st->inferred_fail++;
			continue;
		}
		r->st->inferred++;
		r->st->inferred_pages += 1ull << a->order;
		r->st->inferred_at_start += !a->at;
		if (pfnmap_insert(&r->map, &ne))
			fail(r, -ENOMEM, "out of memory for the pfn map");
	}
}

/* The vmstat worker's once-a-second pcp decay, on the trace's clock. */
static void advance_time(struct replay *r, uint64_t ts)
{
	unsigned int n = 0;

	r->now_ns = ts;
	if (!r->next_tick_ns) {
		r->next_tick_ns = ts + NS_PER_S;
		return;
	}
	while (ts >= r->next_tick_ns) {
		if (n++ < MAX_TICKS_PER_GAP) {
			for (size_t z = 0; z < r->zs.nr; z++)
				ga_vmstat_tick(r->zs.z[z]);
			r->st->vmstat_ticks++;
		}
		r->next_tick_ns += NS_PER_S;
	}
}

static int drive(struct replay *r)
{
	const struct trace *t = r->t;
	size_t next_fall = 0;

	for (size_t i = 0; i < t->nr && !r->res->sim.err; i++) {
		const struct ft_event *ev = &t->ev[i];
		const struct ft_fallback *w = NULL;

		/* The fallbacks are in event order: follow them with a cursor. */
		if (next_fall < t->nr_fall && t->fall[next_fall].ev == i)
			w = &t->fall[next_fall++];
		advance_time(r, ev->ts_ns);
		insert_inferred(r, i, ev->cpu % r->cfg->nr_cpus);
		if (ev->kind == FT_ALLOC)
			replay_alloc(r, ev, t->fb ? t->fb[i] : 0, w);
		else
			replay_free(r, ev);
		/* In lockstep the kernel's own migrations are in the trace. */
		if (!r->cfg->shadow && ga_executor_pending(r->ex))
			ga_executor_run_pending(r->ex);
	}
	return r->res->sim.err;
}

/* ------------------------------------------------------------------------ */
/* Setup, preload and the end of the run.                                    */

static void zone_geometry(struct replay *r)
{
	struct ga_zone_info zi;

	ga_zone_info(r->zone, &zi);
	r->max_order = zi.max_page_order;
	r->pageblock_order = zi.pageblock_order;
	r->spb_order = zi.spb_order;
}

/* The holes of cfg inside [start, end), clipped: malloc'd, NULL if none. */
static struct ga_pfn_range *zone_holes(const struct replay_config *cfg, uint64_t start,
				       uint64_t end, size_t *nr)
{
	struct ga_pfn_range *h = NULL;

	*nr = 0;
	for (size_t i = 0; i < cfg->nr_holes; i++) {
		uint64_t a = cfg->holes[i].start, b = cfg->holes[i].end;

		if (b <= start || a >= end)
			continue;
		if (!h && !(h = calloc(cfg->nr_holes, sizeof(*h))))
			return NULL;
		h[(*nr)++] = (struct ga_pfn_range){ a < start ? start : a, b > end ? end : b };
	}
	return h;
}

/* A node of the traced machine's zones; zone = the largest. */
static int make_node(struct replay *r)
{
	const struct replay_config *cfg = r->cfg;
	struct ga_pfn_range *holes[GA_NR_ZONE_TYPES] = { 0 };
	struct ga_node_config nc;
	char why[300] = "", msg[360];
	int err = 0;

	ga_node_config_default(&nc, cfg->nr_cpus);
	nc.lowmem_reserve_given = true;
	for (size_t i = 0; i < cfg->nr_zones && !err; i++) {
		const struct replay_zone *z = &cfg->zones[i];
		size_t nr = 0;

		err = ga_node_config_zone(&nc, z->type, z->start_pfn, z->end_pfn);
		holes[z->type] = zone_holes(cfg, z->start_pfn, z->end_pfn, &nr);
		if (!err && nr && !holes[z->type])
			err = -ENOMEM;
		nc.zone[z->type].holes = holes[z->type];
		nc.zone[z->type].nr_holes = nr;
		memcpy(nc.wmark[z->type], z->wmark, sizeof(z->wmark));
		if (z->have_protection)
			memcpy(nc.lowmem_reserve[z->type], z->protection,
			       sizeof(z->protection));
		else
			nc.lowmem_reserve_given = false;
	}
	nc.policy = &cfg->policy;
	nc.ops = &replay_ops;
	nc.ops_ctx = r;
	nc.executor = r->ex;
	if (!err)
		err = ga_node_create(&r->node, &nc, why, sizeof(why));
	for (int t = 0; t < GA_NR_ZONE_TYPES; t++)
		free(holes[t]);
	if (err) {
		snprintf(msg, sizeof(msg), "bad node of zones: %s", why[0] ? why : "out of memory");
		return fail(r, err, msg);
	}
	sim_zones_of_node(&r->zs, r->node);
	r->zone = r->zs.main;
	zone_geometry(r);
	return 0;
}

static int make_zone(struct replay *r)
{
	const struct replay_config *cfg = r->cfg;
	struct ga_zone_config zc;
	char why[200] = "", msg[260];
	int err;

	err = ga_executor_create(&r->ex, GA_EXECUTOR_MANUAL, 0);
	if (err)
		return fail(r, err, "cannot create the executor");
	if (cfg->nr_zones)
		return make_node(r);
	ga_zone_config_default(&zc, 0, cfg->zone_pages, cfg->nr_cpus);
	zc.holes = cfg->holes;
	zc.nr_holes = cfg->nr_holes;
	zc.policy = &cfg->policy;
	zc.ops = &replay_ops;
	zc.ops_ctx = r;
	zc.executor = r->ex;
	if (ga_zone_config_check(&zc, why, sizeof(why))) {
		snprintf(msg, sizeof(msg), "bad zone: %s", why);
		return fail(r, -EINVAL, msg);
	}
	err = ga_zone_create(&r->zone, &zc);
	if (err)
		return fail(r, err, "cannot create the zone (out of memory?)");
	sim_zones_of_zone(&r->zs, r->zone);
	zone_geometry(r);
	return 0;
}

/*
 * Take the pageblocks without a memmap out of a count by label (of zone z,
 * or of every zone when z is NULL): they are holes, never allocated, and
 * the kernel's pagetypeinfo skips them. Returns how many were taken out.
 */
static unsigned long uncount_nomap(struct replay *r, const struct ga_zone *z,
				   unsigned long *blocks_mt)
{
	unsigned long n = 0;

	for (size_t i = 0; i < r->cfg->nr_nomap_blocks; i++) {
		ga_pfn_t pfn = r->cfg->nomap_blocks[i];
		struct ga_zone *at = zone_at(r, pfn);
		struct ga_pageblock_info bi;

		if (!at || (z && at != z) || ga_pageblock_query(at, pfn, &bi) ||
		    bi.migratetype < 0 || bi.migratetype >= GA_MT_TYPES ||
		    !blocks_mt[bi.migratetype])
			continue;
		blocks_mt[bi.migratetype]--;
		n++;
	}
	return n;
}

static int place_start(struct replay *r);

/* Without the kernel's state: the pages in use, by mobility, packed
 * where the allocator puts them. */
static void pack_preload(struct replay *r)
{
	static const unsigned int gfp[GA_MT_PCPTYPES] = {
		GA_GFP_KERNEL, GA_GFP_HIGHUSER_MOVABLE, GA_GFP_KERNEL_RECLAIMABLE,
	};
	uint64_t n = 0;

	for (int mt = 0; mt < GA_MT_PCPTYPES; mt++) {
		for (uint64_t i = 0; i < r->cfg->preload[mt]; i++, n++) {
			ga_pfn_t pfn;

			if (model_alloc(r, (unsigned int)(n % r->cfg->nr_cpus), 0,
					gfp[mt], PRELOAD_OWNER | n, &pfn)) {
				r->st->preload_fail++;
				continue;
			}
			r->st->preload_pages++;
		}
	}
}

static int preload(struct replay *r)
{
	if (r->cfg->start) {
		int err = place_start(r);

		if (err)
			return err;
	} else {
		pack_preload(r);
	}
	insert_inferred(r, 0, 0);
	ga_executor_run_pending(r->ex);
	sim_counters_read_zones(&r->zs, &r->k0);
	sim_stats_read_zones(&r->zs, &r->s0);
	for (size_t z = 0; z < r->zs.nr; z++)
		ga_zone_stats(r->zs.z[z], &r->zs0[z]);
	if (r->node)
		ga_node_stats(r->node, &r->ns0);
	return 0;
}

/*
 * The kernel's own state: each page in use in the snapshot allocated at its
 * pfn, keyed by that pfn so its traced free finds it, then the labels.
 */
static int place_start(struct replay *r)
{
	const struct start_state *ss = r->cfg->start;

	for (size_t i = 0; i < ss->nr; i++) {
		const struct start_unit *u = &ss->unit[i];
		struct pfnmap_entry ne = { .kpfn = u->pfn, .spfn = u->pfn,
					   .order = u->order, .origin = PFNMAP_START };

		if (r->start_free && r->start_free[i]) {
			r->st->start_pcp++;
			r->st->start_pcp_pages += 1ull << u->order;
			continue;
		}
		if (model_alloc_at(r, (unsigned int)(i % r->cfg->nr_cpus), u->pfn,
				   u->order, start_unit_gfp(ss, u), u->pfn)) {
			r->st->start_fail++;
			r->st->start_fail_pages += 1ull << u->order;
			continue;
		}
		r->st->start_units++;
		r->st->start_pages += 1ull << u->order;
		if (pfnmap_insert(&r->map, &ne))
			return fail(r, -ENOMEM, "out of memory for the pfn map");
	}
	for (uint64_t b = 0; b < ss->nr_blocks; b++) {
		ga_pfn_t pfn = b << ss->pageblock_order;

		if (ss->label[b] == GA_MT_MOVABLE || pfn >= r->cfg->zone_pages ||
		    !zone_at(r, pfn))
			continue;
		if (model_set_mt(r, pfn, ss->label[b]))
			r->st->start_label_fail++;
		else
			r->st->start_labels++;
	}
	return 0;
}

/*
 * The hugetlb probe, as nr_hugepages is written: 1 GiB pages first
 * (alloc_contig_pages), then 2 MB ones (the buddy with the hugetlb gfp),
 * each stopping at the first failure, the 1 GiB pages held meanwhile.
 * Everything is given back afterwards, so the 1 GiB test that follows
 * starts from the trace's end state less what the probe migrated.
 */
static int probe(struct replay *r)
{
	struct replay_probe *p = &r->res->probe;
	unsigned int n = r->cfg->probe_1g + r->cfg->probe_2m;
	ga_pfn_t *got = calloc(n ? n : 1, sizeof(*got));
	unsigned int nr = 0;
	int err = 0;

	if (!got)
		return fail(r, -ENOMEM, "out of memory for the hugetlb probe");
	p->gib_asked = r->cfg->probe_1g;
	p->hp2m_asked = r->cfg->probe_2m;
	/* 1 GiB pages: GFP_HIGHUSER's zonelist, Normal down (never Movable). */
	for (size_t z = r->zs.nr; z-- > 0 && p->gib_got < p->gib_asked;) {
		struct ga_zone_info zi;

		ga_zone_info(r->zs.z[z], &zi);
		if (zi.zone_type == GA_ZONE_MOVABLE)
			continue;
		for (; p->gib_got < p->gib_asked; p->gib_got++, nr++)
			if (ga_alloc_contig_pages(r->zs.z[z], 0, r->spb_order,
						  PROBE_OWNER | nr, &got[nr], NULL))
				break;
	}
	for (; p->hp2m_got < p->hp2m_asked; p->hp2m_got++, nr++)
		if (model_alloc(r, 0, r->pageblock_order, HUGETLB_GFP, PROBE_OWNER | nr,
				&got[nr]))
			break;
	ga_executor_run_pending(r->ex);
	for (unsigned int i = 0; i < nr && !err; i++)
		err = i < p->gib_got ?
		      ga_free_contig_range(zone_at(r, got[i]), 0, got[i],
					   got[i] + (1ull << r->spb_order)) :
		      model_free(r, 0, got[i], r->pageblock_order);
	free(got);
	return err ? fail(r, -EUCLEAN, "freeing the hugetlb probe's pages failed") : 0;
}

/* The sim's final test: take 1 GiB pages until the allocator says no. */
static int gib_test(struct replay *r)
{
	struct sim_gib_test *g = &r->res->gib;
	double t0 = now_s();
	int err = sim_gib_take_zones(&r->zs, GIB_OWNER, g, NULL, true);

	if (err)
		return fail(r, err, err == -ENOMEM ?
			    "out of memory for the 1 GiB test" :
			    "more 1 GiB ranges than the zone has regions");
	g->at = r->res->sim.sim_seconds;
	g->wall_s = now_s() - t0;
	r->res->sim.tests = g;
	r->res->sim.nr_tests = 1;
	r->res->sim.has_final_test = true;
	return 0;
}

static uint64_t peak_rss(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (uint64_t)ru.ru_maxrss * 1024;	/* Linux reports KiB */
}

/* The sim's per-consumer row shows failures and THP success: one
 * "consumer", the trace itself. */
static void fill_consumer(struct replay *r)
{
	struct sim_consumer_stats *c = &r->res->sim.cstats[0];

	r->res->sim.nr_consumers = 1;
	c->allocs = r->st->allocs;
	c->alloc_pages = r->st->alloc_pages;
	c->frees = r->st->frees;
	c->fails = r->st->alloc_fail + r->st->alloc_too_big + r->st->alloc_bad;
	c->migrated_pages = r->st->migrated_pages;
	c->thp_tries = r->st->thp_tries;
	c->thp_ok = r->st->thp_ok;
}

static int check(struct replay *r)
{
	char why[512];

	if (!r->cfg->check)
		return 0;
	if (r->node ? !ga_node_check(r->node, why, sizeof(why)) :
	    !ga_zone_check(r->zone, why, sizeof(why)))
		return 0;
	return fail(r, -EUCLEAN, why);
}

/*
 * Counters count the trace only: the preload's own fallbacks (claiming
 * blocks for the pages in use before tracing) are not the trace's.
 */
static void counters_since_start(struct replay *r)
{
	struct sim_counters *k = &r->res->sim.counters;
	const struct sim_counters *k0 = &r->k0;
	struct ga_stats *s = &r->res->stats;

	sim_counters_read_zones(&r->zs, k);
	k->fallbacks -= k0->fallbacks;
	k->fallbacks_fragmenting -= k0->fallbacks_fragmenting;
	k->claims -= k0->claims;
	k->claim_whole -= k0->claim_whole;
	k->claim_partial -= k0->claim_partial;
	k->claim_refused -= k0->claim_refused;
	k->steals -= k0->steals;
	k->kswapd_reclaimed -= k0->kswapd_reclaimed;
	k->direct_reclaimed -= k0->direct_reclaimed;
	k->alloc_fail -= k0->alloc_fail;
	k->highatomic_reserve -= k0->highatomic_reserve;
	k->boosts -= k0->boosts;
	k->pgalloc -= k0->pgalloc;
	k->pgfree -= k0->pgfree;
	sim_stats_read_zones(&r->zs, s);
	for (int i = 0; i < GA_NR_STATS; i++)
		s->v[i] -= r->s0.v[i];
	for (int a = 0; a < GA_MT_PCPTYPES; a++)
		for (int b = 0; b < GA_MT_TYPES; b++)
			s->fallback[a][b] -= r->s0.fallback[a][b];
	r->res->sim.stats = *s;		/* the sim's "vmstat" keys */
	sim_spb_read_zones(&r->zs, &r->res->sim.spb, r->res->sim.spb_cost_hist);
}

/*
 * Each zone at the end (a node replay), with its fallbacks during the
 * trace, and the node's totals in the sim's keys: managed pages and
 * watermarks summed, free blocks per order summed.
 */
static void zone_results(struct replay *r)
{
	struct sim_result *res = &r->res->sim;

	memset(r->res->free_order, 0, sizeof(r->res->free_order));
	res->managed_pages = res->wmark_min = res->wmark_low = res->wmark_high = 0;
	for (size_t z = 0; z < r->zs.nr; z++) {
		struct replay_zone_result *zr = &r->res->zone[z];
		struct ga_zone_info zi;
		struct ga_stats s;

		ga_zone_info(r->zs.z[z], &zi);
		ga_zone_stats(r->zs.z[z], &s);
		sim_result_add_zone(res, &zi);
		for (unsigned int o = 0; o <= GA_MAX_ORDER_LIMIT; o++)
			r->res->free_order[o] += zi.nr_free[o];
		if (!r->node)
			continue;
		zr->type = zi.zone_type;
		zr->start_pfn = zi.start_pfn;
		zr->end_pfn = zi.end_pfn;
		zr->managed = zi.managed_pages;
		zr->wmark_min = zi.wmark_min;
		zr->wmark_low = zi.wmark_low;
		zr->wmark_high = zi.wmark_high;
		memcpy(zr->lowmem_reserve, zi.lowmem_reserve, sizeof(zr->lowmem_reserve));
		zr->free_pages = zi.free_pages;
		zr->pcp_pages = zi.pcp_pages;
		memcpy(zr->free_order, zi.nr_free, sizeof(zr->free_order));
		memcpy(zr->blocks_mt, zi.blocks_mt, sizeof(zr->blocks_mt));
		uncount_nomap(r, r->zs.z[z], zr->blocks_mt);
		zr->fallbacks = s.v[GA_STAT_FALLBACK] - r->zs0[z].v[GA_STAT_FALLBACK];
		zr->fallbacks_fragmenting = s.v[GA_STAT_FALLBACK_FRAGMENTING] -
					    r->zs0[z].v[GA_STAT_FALLBACK_FRAGMENTING];
	}
	if (r->node) {
		r->res->nr_zones = r->zs.nr;
		ga_node_stats(r->node, &r->res->node);
		for (int t = 0; t < GA_NR_ZONE_TYPES; t++)
			r->res->node.served[t] -= r->ns0.served[t];
		r->res->node.alloc_calls -= r->ns0.alloc_calls;
		r->res->node.alloc_fail -= r->ns0.alloc_fail;
		r->res->node.spill -= r->ns0.spill;
		r->res->node.nofrag_spill -= r->ns0.nofrag_spill;
		r->res->node.nofrag_retry -= r->ns0.nofrag_retry;
		r->res->node.slowpath -= r->ns0.slowpath;
		for (int t = 0; t < GA_NR_ZONE_TYPES; t++)
			r->res->node.reserve_refused[t] -= r->ns0.reserve_refused[t];
	}
}

static int finish(struct replay *r, double loop_s)
{
	struct sim_result *res = &r->res->sim;
	const struct trace *t = r->t;
	int err;

	res->loop_s = loop_s;
	res->events = t->nr;
	res->events_per_sec = loop_s > 0 ? (double)t->nr / loop_s : 0;
	res->sim_seconds = t->nr ? (double)(t->st.ts_last - t->st.ts_first) / 1e9 : 0;
	zone_results(r);
	err = sim_census_take_zones(&r->zs, &res->final, NULL, NULL);
	if (!err)
		res->final.pageblocks -= uncount_nomap(r, NULL, res->final.blocks_mt);
	if (err)
		return fail(r, err, "out of memory for the census");
	counters_since_start(r);
	res->wstats.events = t->nr;
	res->wstats.migrate_calls = r->st->migrate_calls;
	res->wstats.migrated_pages = r->st->migrated_pages;
	r->st->live_at_end = r->map.nr;
	fill_consumer(r);
	err = check(r);
	if (!err && (r->cfg->probe_1g || r->cfg->probe_2m)) {
		uint64_t m0 = r->st->migrated_pages;

		err = probe(r);
		r->res->probe.pages_migrated += r->st->migrated_pages - m0;
		if (!err)
			err = check(r);
	}
	if (err || r->cfg->no_gib_test)
		return err;
	err = gib_test(r);
	if (err)
		return err;
	return check(r);
}

int replay_run(const struct trace *t, const struct replay_config *cfg,
	       struct replay_result *res)
{
	struct replay r = { .t = t, .cfg = cfg, .res = res, .st = &res->rp };
	double t0 = now_s(), cpu0 = clock_s(CLOCK_THREAD_CPUTIME_ID), loop0;
	int err;

	memset(res, 0, sizeof(*res));
	snprintf(res->sim.policy, sizeof(res->sim.policy), "%s", cfg->policy_name);
	for (size_t i = 0; i < t->nr; i++)
		if (t->ev[i].kind == FT_ALLOC && t->ev[i].order > r.max_traced_order)
			r.max_traced_order = t->ev[i].order;
	err = pfnmap_init(&r.map, 1u << 16);
	if (err)
		return fail(&r, err, "out of memory for the pfn map");
	err = make_zone(&r);
	if (!err && cfg->trace_events[0] &&
	    sim_trace_events_open(&r.events, r.zone, cfg->trace_events,
				  cfg->policy_name, &r.now_ns))
		err = fail(&r, -errno, "cannot write the --trace-events file");
	for (size_t z = 0; !err && cfg->trace_events[0] && z < r.zs.nr; z++)
		if (r.zs.z[z] != r.zone)
			sim_trace_events_attach(&r.events, r.zs.z[z]);
	if (!err && cfg->start)
		for (size_t i = 0; i < cfg->start->nr; i++)
			if (cfg->start->unit[i].order > r.max_traced_order)
				r.max_traced_order = cfg->start->unit[i].order;
	if (!err && cfg->infer_untraced)
		err = find_untraced(&r);
	if (!err)
		err = preload(&r);
	if (!err && sim_census_take_zones(&r.zs, &res->start, NULL, NULL))
		err = fail(&r, -ENOMEM, "out of memory for the census");
	if (!err)
		res->start.pageblocks -= uncount_nomap(&r, NULL, res->start.blocks_mt);
	if (!err) {
		loop0 = now_s();
		err = drive(&r);
		if (!err)
			err = finish(&r, now_s() - loop0);
	}
	pfnmap_destroy(&r.map);
	free(r.inf);
	free(r.start_free);
	if (r.node)
		ga_node_destroy(r.node);
	else if (r.zone)
		ga_zone_destroy(r.zone);
	if (sim_trace_events_close(&r.events) && !err)
		err = fail(&r, -EIO, "cannot write the --trace-events file");
	if (r.ex)
		ga_executor_destroy(r.ex);
	res->sim.wall_s = now_s() - t0;
	res->sim.cpu_s = clock_s(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	res->sim.peak_rss_bytes = peak_rss();
	return err;
}

/* ------------------------------------------------------------------------ */
/* The traced machine's zones.                                               */

static int zone_type_by_name(const char *name)
{
	for (int t = 0; t < GA_NR_ZONE_TYPES; t++)
		if (!strcmp(name, ga_zone_type_name(t)))
			return t;
	return -1;
}

int replay_zones_from(const struct gt_snapshot *s, uint64_t limit,
		      struct replay_zone *zones, char *err, size_t errlen)
{
	const uint64_t pb = 1ull << 9;
	uint64_t prev_end = 0;
	int nr = 0;

	for (size_t i = 0; i < s->nr_zones; i++) {
		const struct gt_zone *g = &s->zone[i];
		struct replay_zone *z = &zones[nr];
		int type;

		if (!g->spanned || !g->present || !g->managed)
			continue;
		if (g->node != s->zone[0].node) {
			snprintf(err, errlen, "zoneinfo has several nodes (%d and %d): "
				 "the model has one", s->zone[0].node, g->node);
			return -EOPNOTSUPP;
		}
		type = zone_type_by_name(g->name);
		if (type < 0 || (nr && type <= zones[nr - 1].type)) {
			snprintf(err, errlen, "zoneinfo zone '%s' is not one of DMA, DMA32, "
				 "Normal, Movable in that order", g->name);
			return -EINVAL;
		}
		memset(z, 0, sizeof(*z));
		z->type = type;
		z->start_pfn = g->start_pfn / pb * pb;
		z->end_pfn = (g->start_pfn + g->spanned + pb - 1) / pb * pb;
		if (z->start_pfn < prev_end)
			z->start_pfn = prev_end;
		if (z->end_pfn > limit)
			z->end_pfn = limit;
		if (z->end_pfn <= z->start_pfn) {
			snprintf(err, errlen, "zoneinfo zone %s [%#llx, +%llu) lies outside "
				 "the machine's %llu pfns", g->name,
				 (unsigned long long)g->start_pfn,
				 (unsigned long long)g->spanned, (unsigned long long)limit);
			return -EINVAL;
		}
		prev_end = z->end_pfn;
		z->wmark[0] = g->wmark_min;
		z->wmark[1] = g->wmark_low;
		z->wmark[2] = g->wmark_high;
		z->have_protection = g->nr_protection >= GA_NR_ZONE_TYPES;
		for (int j = 0; z->have_protection && j < GA_NR_ZONE_TYPES; j++)
			z->protection[j] = g->protection[j];
		nr++;
	}
	return nr;
}
