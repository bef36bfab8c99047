// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The series as posted (the `rfc` preset): its fullness-list search and
 * hint cache, against gigalloc's bitmap index, each with a constructed
 * state whose outcome and search cost are asserted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "internal.h"
#include "zone_fixture.h"

#define GIB (1ul << 18)

static struct ga_zone *zone_spb_order(unsigned long nr_pages, unsigned int spb_order,
				      const struct ga_policy *p)
{
	struct ga_zone_config cfg;
	struct ga_zone *z;

	ga_zone_config_default(&cfg, 0, nr_pages, 1);
	cfg.spb_order = spb_order;
	cfg.policy = p;
	if (ga_zone_create(&z, &cfg))
		abort();
	return z;
}

/* Every page allocated as an order-0 movable page; pfns[pfn] = 1 if held. */
static uint8_t *fill_order0(struct ga_zone *z, unsigned long nr_pages)
{
	uint8_t *held = calloc(nr_pages, 1);
	ga_pfn_t pfn;

	while (!ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE | GA_GFP_HIGH, 1, &pfn))
		held[pfn] = 1;
	return held;
}

static void free_page(struct ga_zone *z, uint8_t *held, ga_pfn_t pfn)
{
	if (held[pfn] && !ga_free(z, 0, pfn, 0))
		held[pfn] = 0;
}

/*
 * RFC 12 takes the fullest clean SPB; gigalloc's index takes the smallest
 * fitting block first. SPB 0 is 90 % full with its free space in order-3
 * blocks; SPB 1 is half full and has one order-0 hole. An order-0 movable
 * page goes to SPB 0 under the walk, to SPB 1's hole under the index.
 */
static long fullest_scenario(bool walk)
{
	struct ga_policy p = quiet_policy("rfc");
	unsigned long n = 2 * GIB;
	struct ga_zone *z;
	uint8_t *held;
	ga_pfn_t pfn;
	long spb;

	p.spb_fullness_walk = walk;
	p.spb_hint_cache = false;
	z = zone_spb_order(n, 18, &p);
	held = fill_order0(z, n);
	for (ga_pfn_t q = 0; q < GIB; q++)
		if (q % 80 < 8)
			free_page(z, held, q);
	for (ga_pfn_t q = GIB; q < 2 * GIB; q++)
		if (q % 16 < 8)
			free_page(z, held, q);
	free_page(z, held, GIB + 16 * 100 + 8);	/* the order-0 hole */
	spb = ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 2, &pfn) ? -1 :
	      (long)(pfn / GIB);
	zone_ok(z, "walk %d: checker (fullness lists included)", walk);
	free(held);
	ga_zone_destroy(z);
	return spb;
}

static void test_fullest_first(void)
{
	is_long(fullest_scenario(true), 0,
		"fullness walk: the movable page goes to the fullest clean SPB");
	is_long(fullest_scenario(false), 1,
		"bitmap index: it goes to the other SPB's order-0 hole (best fit)");
}

/*
 * A walk that must be long: 128 SPBs of 16 MiB, all full but for one
 * order-0 hole each (the fullest bucket), and SPB 127 with a quarter free
 * in order-3 blocks. An order-3 movable request walks every SPB of the
 * fullest bucket before it reaches SPB 127; the index finds it at once;
 * with the hint cache the next request probes SPB 127 first.
 */
static void long_walk_scenario(bool walk, bool hint, struct ga_spb_summary *first,
			       struct ga_spb_summary *second, uint64_t *hits)
{
	struct ga_policy p = quiet_policy("rfc");
	const unsigned int spb_order = 12;
	const unsigned long per = 1ul << spb_order, nr = 128, n = nr * per;
	struct ga_zone *z;
	uint8_t *held;
	ga_pfn_t pfn, last = (nr - 1) * per;
	int err;

	p.spb_fullness_walk = walk;
	p.spb_hint_cache = hint;
	z = zone_spb_order(n, spb_order, &p);
	held = fill_order0(z, n);
	for (unsigned long s = 0; s + 1 < nr; s++)
		free_page(z, held, s * per + 100);
	for (ga_pfn_t q = last; q < last + per / 2; q++)
		if (q % 16 < 8)
			free_page(z, held, q);
	/* What the fill and the frees cost is not what is measured: reset. */
	memset(&z->spb_search, 0, sizeof(z->spb_search));
	err = ga_alloc(z, 0, 3, GA_GFP_HIGHUSER_MOVABLE, 2, &pfn);
	ok(!err && pfn >= last, "walk %d hint %d: the order-3 page is in the last SPB",
	   walk, hint);
	ga_spb_summary(z, first);
	*hits = stat_of(z, GA_STAT_SPB_HINT_HIT);
	err = ga_alloc(z, 0, 3, GA_GFP_HIGHUSER_MOVABLE, 3, &pfn);
	ok(!err && pfn >= last, "walk %d hint %d: so is the next one", walk, hint);
	ga_spb_summary(z, second);
	*hits = stat_of(z, GA_STAT_SPB_HINT_HIT) - *hits;
	zone_ok(z, "walk %d hint %d: checker", walk, hint);
	free(held);
	ga_zone_destroy(z);
}

static void test_long_walk(void)
{
	struct ga_spb_summary a, b;
	uint64_t hits;

	long_walk_scenario(true, false, &a, &b, &hits);
	ok(a.visits.max >= 128, "walk, no hint: %u SPBs examined (>= 128)", a.visits.max);
	is_long(a.words.max, 0, "walk: no index words scanned");
	ok(b.visits.median >= 128, "walk, no hint: the second walks as far (median %u)",
	   b.visits.median);
	is_long(b.visits.ge100, 2, "both allocations examined 100 SPBs or more");

	long_walk_scenario(true, true, &a, &b, &hits);
	ok(a.visits.max >= 128, "walk + hint: the first request still walks (%u)",
	   a.visits.max);
	is_long(hits, 1, "walk + hint: the second request hits the hint");
	is_long(b.visits.ge100, 1, "walk + hint: only the first examined >= 100");
	is_long(b.visits.median, 1, "walk + hint: median of the two is the hint's 1 visit");

	long_walk_scenario(false, false, &a, &b, &hits);
	is_long(a.visits.max, 1, "index: one SPB examined");
	ok(a.words.max >= 1 && a.words.max <= 64,
	   "index: %u words scanned (128 SPBs = 2 words per bitmap)", a.words.max);
}

/* The rfc preset is the series: its search, none of gigalloc's switches. */
static void test_rfc_preset(void)
{
	struct ga_policy r, s, v;

	ga_policy_preset(&r, "rfc");
	ga_policy_preset(&s, "spb");
	ga_policy_preset(&v, "vanilla");
	ok(r.spb_fullness_walk && r.spb_hint_cache, "rfc walks lists with the hint cache");
	ok(!s.spb_fullness_walk, "spb keeps the bitmap index");
	ok(!v.spb_fullness_walk && !v.spb_hint_cache, "vanilla has neither");
	ok(!r.spb_fill_holes && !r.spb_taint_roomiest &&
	   !r.spb_pin_migrate && !r.spb_relax_placement,
	   "rfc has none of gigalloc's own steering switches");
	ok(r.spb_tainted_last, "rfc: movable takes empty SPBs before tainted ones (20)");
	ok(r.pcp_buddy && r.pcp_buddy_adopt && r.pcp_buddy_reabsorb && !s.pcp_buddy &&
	   !s.pcp_buddy_reabsorb && !v.pcp_buddy_reabsorb,
	   "rfc has the per-CPU pageblocks (02, 03, 21); spb and vanilla do not");
	ok(r.spb_free_lists && r.spb_steer_movable && r.spb_steer_nonmovable &&
	   r.spb_no_mixing && r.evacuate && r.spb_contig,
	   "rfc has the series' mechanisms");
	is_long(strcmp(ga_policy_compare_names()[1], "rfc"), 0,
		"rfc is compared between vanilla and spb");
}


/* ------------------------------------------------------------------------ */
/* The refusals: RFC 18, 19, 26, 27 (2C), 35, 36.                            */

static unsigned long count_reclaim(void *ctx, struct ga_zone *zone,
				   const struct ga_reclaim_request *req)
{
	(void)zone;
	if (req->kind == GA_RECLAIM_DIRECT)
		(*(unsigned long *)ctx)++;
	return 0;	/* nothing to evict: only count the calls */
}

struct rig {
	struct ga_zone *z;
	unsigned long calls;
	struct ga_ops ops;
};

/*
 * The audit's probe state: SPB 0 tainted and full of unmovable memory
 * (with, optionally, one movable pageblock in use and a HighAtomic block
 * with free pages), SPB 1 empty. Direct reclaim frees nothing; its calls
 * are counted.
 */
static void probe_rig(struct rig *r, struct ga_policy *p, bool movable, bool ha)
{
	struct ga_zone_config cfg;
	ga_pfn_t pfn;

	r->ops = (struct ga_ops){ .reclaim = count_reclaim };
	r->calls = 0;
	p->highatomic = ha;
	/* The rig's movable block goes into SPB 0, not the empty SPB 1. */
	p->spb_tainted_last = false;
	ga_zone_config_default(&cfg, 0, 2 * GIB, 1);
	cfg.policy = p;
	cfg.ops = &r->ops;
	cfg.ops_ctx = &r->calls;
	if (ga_zone_create(&r->z, &cfg))
		abort();
	/* A high-order atomic taints SPB 0 and reserves a HighAtomic block. */
	if (ha && ga_alloc(r->z, 0, 2, GA_GFP_ATOMIC, 1, &pfn))
		abort();
	/* An unmovable page taints SPB 0 first: empty SPBs go in order. */
	if (movable && (ga_alloc(r->z, 0, 0, GA_GFP_KERNEL, 1, &pfn) ||
			ga_alloc(r->z, 0, 9, GA_GFP_HIGHUSER_MOVABLE, 1, &pfn)))
		abort();
	/* Whole pageblocks, refused (26) rather than spilling into SPB 1... */
	while (!ga_alloc(r->z, 0, 9, GA_GFP_KERNEL | GA_GFP_NORETRY, 1, &pfn) &&
	       pfn < GIB)
		;
	if (pfn >= GIB)
		ga_free(r->z, 0, pfn, 9);
	/* ... then the fragments; the one that lands in SPB 1 goes back. */
	while (!ga_alloc(r->z, 0, 0, GA_GFP_KERNEL | GA_GFP_NORETRY, 1, &pfn) &&
	       pfn < GIB)
		;
	if (pfn >= GIB)
		ga_free(r->z, 0, pfn, 0);
	r->calls = 0;
}

struct probe {
	int err;
	unsigned long calls;
	int spb;		/* where it landed, -1 if it failed */
	int spb1;		/* SPB 1's category afterwards */
};

static struct probe probe(struct ga_policy p, bool movable, bool ha,
			  unsigned int gfp, unsigned int order)
{
	struct rig r;
	struct probe res;
	ga_pfn_t pfn = 0;

	probe_rig(&r, &p, movable, ha);
	ok(spb_category(r.z, 0) == GA_SPB_TAINTED && spb_category(r.z, 1) == GA_SPB_EMPTY,
	   "probe rig: SPB 0 tainted and full, SPB 1 empty");
	res.err = ga_alloc(r.z, 0, order, gfp, 2, &pfn);
	res.calls = r.calls;
	res.spb = res.err ? -1 : (int)(pfn / GIB);
	res.spb1 = spb_category(r.z, 1);
	zone_ok(r.z, "probe gfp %#x order %u: checker", gfp, order);
	ga_zone_destroy(r.z);
	return res;
}

/* GFP_KERNEL order 0: reclaim until it gives up, then taint (RFC 20). */
static void test_probe_kernel(void)
{
	struct probe r = probe(quiet_policy("rfc"), false, false, GA_GFP_KERNEL, 0);

	is_long(r.err, 0, "GFP_KERNEL o0: served");
	is_long(r.spb, 1, "GFP_KERNEL o0: by tainting the empty SPB (nothing else can)");
	ok(r.calls > 1, "GFP_KERNEL o0: only after %lu reclaim calls (RFC 20)", r.calls);
}

/* KERNEL|NORETRY order 3: optional (26), refused after its one reclaim. */
static void test_probe_noretry(void)
{
	struct ga_policy p = quiet_policy("rfc");
	struct probe r = probe(p, false, false, GA_GFP_KERNEL | GA_GFP_NORETRY, 3);

	is_long(r.err, -ENOMEM, "KERNEL|NORETRY o3: refused (RFC 26)");
	is_long(r.spb1, GA_SPB_EMPTY, "KERNEL|NORETRY o3: SPB 1 stays empty");
	is_long(r.calls, 1, "KERNEL|NORETRY o3: after its one reclaim call");
	p.spb_refuse_optional = false;
	r = probe(p, false, false, GA_GFP_KERNEL | GA_GFP_NORETRY, 3);
	is_long(r.spb, 1, "without 26: it taints SPB 1");
	is_long(r.calls, 1, "without 26: after the same one reclaim call");
}

/* GFP_ATOMIC order 0: the HighAtomic reserve before a clean SPB (18). */
static void test_probe_atomic(void)
{
	struct ga_policy p = quiet_policy("rfc");
	struct probe r = probe(p, false, true, GA_GFP_ATOMIC, 0);

	is_long(r.spb, 0, "GFP_ATOMIC o0: served from SPB 0's HighAtomic block (RFC 18)");
	is_long(r.spb1, GA_SPB_EMPTY, "GFP_ATOMIC o0: SPB 1 stays empty");
	is_long(r.calls, 0, "GFP_ATOMIC o0: no reclaim call (it cannot)");
	p.spb_atomic_protect = false;
	r = probe(p, false, true, GA_GFP_ATOMIC, 0);
	is_long(r.spb, 1, "without 18: NOFRAGMENT is gone in the slow path: SPB 1 tainted");
	p.spb_atomic_protect = true;
	r = probe(p, false, false, GA_GFP_ATOMIC, 0);
	is_long(r.spb, 1, "no reserve, nothing in the tainted pool: an atomic o0 "
		"must still be served, and taints");
	is_long(r.calls, 0, "... with no reclaim call");
}

/* NOWAIT|NOWARN order 3: refused (26); without 26, by 35 if lower can serve. */
static void test_probe_nowait(void)
{
	struct ga_policy p = quiet_policy("rfc");
	struct probe r = probe(p, true, false, GA_GFP_NOWAIT | GA_GFP_NOWARN, 3);

	is_long(r.err, -ENOMEM, "NOWAIT|NOWARN o3: refused");
	is_long(r.spb1, GA_SPB_EMPTY, "NOWAIT|NOWARN o3: SPB 1 stays empty");
	is_long(r.calls, 0, "NOWAIT|NOWARN o3: no reclaim call");
	p.spb_refuse_optional = false;
	r = probe(p, true, false, GA_GFP_NOWAIT | GA_GFP_NOWARN, 3);
	is_long(r.err, -ENOMEM, "without 26: refused by 35 (SPB 0 holds movable pages)");
	r = probe(p, false, false, GA_GFP_NOWAIT | GA_GFP_NOWARN, 3);
	is_long(r.spb, 1, "without 26, no movable page in SPB 0: 35 lets it taint");
	p.spb_refuse_lower_order = false;
	r = probe(p, true, false, GA_GFP_NOWAIT | GA_GFP_NOWARN, 3);
	is_long(r.spb, 1, "without 26 and 35: it taints SPB 1 at once");
	is_long(r.calls, 0, "... with no reclaim call");
}

/* MEMALLOC and NOFAIL requests are never optional (26). */
static void test_never_optional(void)
{
	struct probe r = probe(quiet_policy("rfc"), false, false,
			       GA_GFP_ATOMIC | GA_GFP_MEMALLOC, 3);

	is_long(r.spb, 1, "ATOMIC|MEMALLOC o3: not optional, served by tainting");
	r = probe(quiet_policy("rfc"), false, false, GA_GFP_NOWAIT | GA_GFP_NOFAIL, 3);
	is_long(r.spb, 1, "NOWAIT|NOFAIL o3: not optional, served by tainting");
}

/* RFC 36: the nolock entry point never taints and never waits. */
static void test_nolock(void)
{
	struct ga_policy p = quiet_policy("rfc");
	struct rig r;
	ga_pfn_t pfn;

	probe_rig(&r, &p, false, false);
	is_long(ga_alloc_nolock(r.z, 0, 0, GA_GFP_KERNEL, 2, &pfn), -ENOMEM,
		"nolock unmovable o0: fails rather than taint (RFC 36)");
	is_long(spb_category(r.z, 1), GA_SPB_EMPTY, "nolock: SPB 1 stays empty");
	is_long(r.calls, 0, "nolock: no reclaim call");
	is_long(ga_alloc_nolock(r.z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 3, &pfn), 0,
		"nolock movable o0: served");
	ok(pfn >= GIB, "nolock movable: from the empty SPB (movable taints nothing)");
	ga_lock(&r.z->lock);
	is_long(ga_alloc_nolock(r.z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 4, &pfn), -EBUSY,
		"nolock: zone->lock held: -EBUSY at once");
	ga_unlock(&r.z->lock);
	is_long(stat_of(r.z, GA_STAT_NOLOCK_BUSY), 1, "nolock: the busy lock is counted");
	zone_ok(r.z, "nolock: checker");
	ga_zone_destroy(r.z);

	p = quiet_policy("rfc");
	p.spb_nolock_nofragment = false;
	probe_rig(&r, &p, false, false);
	is_long(ga_alloc_nolock(r.z, 0, 0, GA_GFP_KERNEL, 2, &pfn), 0,
		"without 36: nolock unmovable o0 served");
	is_long(spb_category(r.z, 1), GA_SPB_TAINTED, "without 36: by tainting SPB 1");
	zone_ok(r.z, "nolock without 36: checker");
	ga_zone_destroy(r.z);
}

/*
 * A tainted SPB 0 (of nr SPBs of 16 MiB) with no free pageblock and no
 * free unmovable page; its free room is movable fragments (frags) or,
 * without them, reclaimable ones (recl). Where does an unmovable page go?
 */
static int fragments_scenario(struct ga_policy p, unsigned long nr, bool frags,
			      bool recl, unsigned long *mixed)
{
	const unsigned int spb_order = 12;
	const unsigned long per = 1ul << spb_order;
	struct ga_region_info info;
	struct ga_zone *z;
	ga_pfn_t pfn;
	int spb;

	p.spb_reserve_min = 0;
	p.spb_reserve_pct = 0;
	p.spb_tainted_last = false;	/* movable fills SPB 0 before empty SPBs */
	z = zone_spb_order(nr * per, spb_order, &p);
	if (ga_alloc(z, 0, 0, GA_GFP_KERNEL, 1, &pfn) || pfn >= per)
		abort();
	if (recl && (ga_alloc(z, 0, 0, GA_GFP_KERNEL_RECLAIMABLE, 1, &pfn) || pfn >= per))
		abort();
	while (spb_has_free(z, &z->spbs[0], 0, z->max_order + 1, 1u << GA_MT_UNMOVABLE))
		if (ga_alloc(z, 0, 0, GA_GFP_KERNEL, 1, &pfn))
			abort();
	/* Movable memory takes SPB 0's free pageblocks (no reserve here). */
	while (!ga_alloc(z, 0, frags ? 0 : 9, GA_GFP_HIGHUSER_MOVABLE, 1, &pfn) &&
	       pfn < per)
		;
	ga_free(z, 0, pfn, frags ? 0 : 9);
	ok(spb_category(z, 0) == GA_SPB_TAINTED && z->spbs[0].nr_free_pb == 0,
	   "%lu SPBs: SPB 0 tainted, no free pageblock", nr);
	if (ga_alloc(z, 0, 0, GA_GFP_KERNEL, 2, &pfn))
		spb = -1;
	else
		spb = (int)(pfn / per);
	ga_region_query(z, 0, 0, &info);
	*mixed = info.nr_mixed_pageblocks;
	zone_ok(z, "%lu SPBs: checker", nr);
	ga_zone_destroy(z);
	return spb;
}

/* RFC 19: sub-pageblock movable fragments only on zones of more than 8 SPBs. */
static void test_aggressive_threshold(void)
{
	unsigned long mixed;

	is_long(fragments_scenario(quiet_policy("rfc"), 9, true, false, &mixed), 0,
		"9 SPBs: the unmovable page takes a movable fragment in SPB 0 (RFC 19)");
	ok(fragments_scenario(quiet_policy("rfc"), 8, true, false, &mixed) > 0,
	   "8 SPBs: the pageblock floor stays; it taints another SPB");
	{
		struct ga_policy p = quiet_policy("rfc");

		p.spb_aggressive_min_spbs = 0;
		is_long(fragments_scenario(p, 8, true, false, &mixed), 0,
			"8 SPBs, threshold 0: aggressive anyway");
	}
}

/* RFC 27 PASS_2C: borrowing across UNMOVABLE/RECLAIMABLE mixes a block. */
static void test_pass_2c(void)
{
	struct ga_policy p = quiet_policy("rfc");
	unsigned long mixed_on, mixed_off;

	is_long(fragments_scenario(p, 9, false, true, &mixed_on), 0,
		"2C on: the unmovable page borrows from SPB 0's reclaimable list");
	p.spb_pass_2c = false;
	ok(fragments_scenario(p, 9, false, true, &mixed_off) > 0,
	   "2C off: it taints another SPB instead");
	is_long(mixed_on, mixed_off + 1,
		"2C on: one more mixed pageblock in SPB 0 (%lu vs %lu): what RFC 24 forbids",
		mixed_on, mixed_off);
}

/* RFC 40: the event stream, and a counter for every event. */
struct trace_log {
	unsigned long n[GA_NR_TRACE_TYPES];
	unsigned long walk_visited_max, first_set, refuse_optional, drop_nofrag;
	unsigned long walk_fail, taint;
};

static void trace_log(void *ctx, const struct ga_trace_event *ev)
{
	struct trace_log *l = ctx;

	l->n[ev->type]++;
	if (ev->type == GA_TRACE_SPB_ALLOC_WALK) {
		if (ev->visited > l->walk_visited_max)
			l->walk_visited_max = ev->visited;
		l->walk_fail += !strcmp(ev->what, "fail");
	}
	if (ev->type == GA_TRACE_SPB_PB_TAINT && ev->set)
		l->first_set++;
	if (ev->type == GA_TRACE_SPB_ATOMIC_RELAX) {
		l->refuse_optional += !strcmp(ev->what, "refuse_optional");
		l->drop_nofrag += !strcmp(ev->what, "drop_nofragment");
	}
	if (ev->type == GA_TRACE_SPB_FALL_THROUGH)
		l->taint += !strcmp(ev->what, "taint");
}

static void test_trace_events(void)
{
	struct ga_policy p = quiet_policy("rfc");
	struct trace_log l;
	struct ga_stats before, after;
	struct rig r;
	ga_pfn_t pfn;

	memset(&l, 0, sizeof(l));
	probe_rig(&r, &p, false, false);
	ga_zone_stats(r.z, &before);
	ga_zone_set_trace(r.z, trace_log, &l);
	ok(ga_alloc(r.z, 0, 3, GA_GFP_KERNEL | GA_GFP_NORETRY, 2, &pfn) == -ENOMEM,
	   "trace: the NORETRY o3 probe is refused");
	ok(!ga_alloc(r.z, 0, 0, GA_GFP_KERNEL, 3, &pfn) && pfn >= GIB,
	   "trace: the GFP_KERNEL o0 probe taints SPB 1");
	ga_zone_stats(r.z, &after);
	ga_zone_set_trace(r.z, NULL, NULL);
	{
		unsigned long walks = l.n[GA_TRACE_SPB_ALLOC_WALK];

		ok(!ga_alloc(r.z, 0, 0, GA_GFP_KERNEL, 4, &pfn) &&
		   l.n[GA_TRACE_SPB_ALLOC_WALK] == walks,
		   "trace: off again, nothing more recorded");
	}
#define D(item) (after.v[item] - before.v[item])
	ok(l.n[GA_TRACE_SPB_ALLOC_WALK] > 2, "trace: %lu walk events",
	   l.n[GA_TRACE_SPB_ALLOC_WALK]);
	is_long(l.walk_fail, D(GA_STAT_SPB_WALK_FAIL) - 0,
		"trace: walk 'fail' events = spb_walk_fail counter (%lu)", l.walk_fail);
	is_long(l.refuse_optional, 1, "trace: one refuse_optional relax step");
	is_long(D(GA_STAT_SPB_REFUSE_OPTIONAL), 1, "... and its counter");
	is_long(l.drop_nofrag, 2, "trace: two drop_nofragment relax steps (both reached "
		"RFC 20's last resort; the optional one was then refused)");
	is_long(l.taint, 1, "trace: one fall-through to taint");
	ok(l.first_set >= 1, "trace: the tainted SPB 1 pageblock's first unmovable page");
	is_long(l.first_set, D(GA_STAT_SPB_PB_FIRST_SET) - 0,
		"trace: first-set events = spb_pb_first_set (the traced part)");
	ok(l.walk_visited_max >= 1, "trace: walks report SPBs visited (max %lu)",
	   l.walk_visited_max);
#undef D
	zone_ok(r.z, "trace: checker");
	ga_zone_destroy(r.z);
}

/* RFC 05: no watermark boost in the series' presets. */
static void test_no_boost(void)
{
	struct ga_policy r, s, v;

	ga_policy_preset(&r, "rfc");
	ga_policy_preset(&s, "spb");
	ga_policy_preset(&v, "vanilla");
	ok(!r.watermark_boost_factor && !s.watermark_boost_factor,
	   "rfc and spb: watermark_boost_factor 0 (RFC 05)");
	is_long(v.watermark_boost_factor, 15000, "vanilla keeps the kernel's 15000");
}

/*
 * The series' fallback search skips tainted SPBs at or below their reserve
 * for movable requests. Two SPBs of 8 pageblocks: SPB 0 tainted by one
 * unmovable page, everything else movable; then 64 order-0 pages of SPB 0
 * are freed (no wholly free pageblock: at or below a reserve of 2), SPB 1
 * stays full (built with the gate off: the fill itself must pass it). A movable page: with the gate no pass serves it and there is
 * nothing to reclaim, so -ENOMEM; without, the zone-wide __rmqueue takes
 * one of SPB 0's free pages. Returns the SPB served, or -1.
 */
static int reserve_gate_scenario(bool gate, uint64_t *gated)
{
	struct ga_policy p = quiet_policy("rfc");
	const unsigned int spb_order = 12;
	const unsigned long per = 1ul << spb_order;
	struct ga_stats st;
	struct ga_zone *z;
	uint8_t *held;
	ga_pfn_t pfn;
	int spb, freed = 0;

	p.spb_reserve_min = 2;
	p.spb_reserve_pct = 0;
	p.spb_movable_reserve_gate = false;	/* the fill takes SPB 0's reserve */
	z = zone_spb_order(2 * per, spb_order, &p);
	if (ga_alloc(z, 0, 0, GA_GFP_KERNEL, 1, &pfn) || pfn >= per)
		abort();
	held = fill_order0(z, 2 * per);
	for (ga_pfn_t q = 3; q < per && freed < 64; q += 61)
		if (held[q]) {
			free_page(z, held, q);
			freed++;
		}
	ok(spb_category(z, 0) == GA_SPB_TAINTED && z->spbs[0].nr_free_pb == 0 &&
	   z->spbs[1].nr_free_pages == 0,
	   "gate %s: SPB 0 tainted with %d free pages and no free pageblock, SPB 1 full",
	   gate ? "on" : "off", freed);
	z->policy.spb_movable_reserve_gate = gate;
	if (ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 2, &pfn)) {
		spb = -1;
	} else {
		spb = (int)(pfn / per);
		held[pfn] = 1;
	}
	ga_zone_stats(z, &st);
	*gated = st.v[GA_STAT_SPB_MOVABLE_GATED];
	zone_ok(z, "gate %s: checker", gate ? "on" : "off");
	free(held);
	ga_zone_destroy(z);
	return spb;
}

static void test_reserve_gate(void)
{
	struct ga_policy r, s;
	uint64_t gated;

	is_long(reserve_gate_scenario(true, &gated), -1,
		"gate on: the movable page is not taken below SPB 0's reserve");
	ok(gated > 0, "gate on: counted (%llu gated fall-throughs)",
	   (unsigned long long)gated);
	is_long(reserve_gate_scenario(false, &gated), 0,
		"gate off: the zone-wide __rmqueue serves it from SPB 0");
	is_long((long)gated, 0, "gate off: nothing gated");
	ga_policy_preset(&r, "rfc");
	ga_policy_preset(&s, "spb");
	ok(r.spb_movable_reserve_gate && !s.spb_movable_reserve_gate,
	   "the gate is on in rfc (the series), off in spb");
}

/* ------------------------------------------------------------------------ */
/* The slow path's storm under NOFRAGMENT (RFC 20 with the kernel's retries). */

#define STORM_CACHE 320		/* movable "page cache" pages, 10 reclaim batches */

struct storm {
	ga_pfn_t cache[STORM_CACHE];
	unsigned long nr_cache, next;
	unsigned long direct_calls;
};

/* Direct reclaim evicts up to nr_to_reclaim cached pages; kswapd nothing. */
static unsigned long storm_reclaim(void *ctx, struct ga_zone *zone,
				   const struct ga_reclaim_request *req)
{
	struct storm *s = ctx;
	unsigned long got = 0;

	if (req->kind != GA_RECLAIM_DIRECT)
		return 0;
	s->direct_calls++;
	while (got < req->nr_to_reclaim && s->next < s->nr_cache) {
		if (ga_free(zone, req->cpu, s->cache[s->next++], 0))
			abort();
		got++;
	}
	return got;
}

/* Compaction may run (it needs a migrate callback); nothing ever moves. */
static int storm_migrate(void *ctx, struct ga_zone *zone, uint64_t owner,
			 ga_pfn_t old_pfn, ga_pfn_t new_pfn, unsigned int order)
{
	(void)ctx; (void)zone; (void)owner; (void)old_pfn; (void)new_pfn; (void)order;
	return -EBUSY;
}

struct storm_result {
	int err;		/* of the order-3 request */
	int fb_err;		/* of the order-0 fallback (0 if none ran) */
	int spb1;		/* SPB 1's category afterwards */
	unsigned long reclaim_calls, fb_reclaim_calls, evicted;
	struct ga_stats st;	/* after the order-3 request */
};

/*
 * SPB 0 tainted and full of unmovable memory, SPB 1 holding only
 * STORM_CACHE movable pages that direct reclaim evicts 32 at a time
 * (clean SPB, almost all free). A reclaimable slab page of order 3 cannot
 * be placed without tainting SPB 1. gfp: the request's mask; fallback:
 * on failure, the order-0 GFP_KERNEL_RECLAIMABLE retry SLUB makes.
 */
static struct storm_result storm(unsigned int gfp, bool fallback)
{
	static const struct ga_ops ops = { .reclaim = storm_reclaim,
					   .migrate = storm_migrate };
	struct ga_policy p = quiet_policy("rfc");
	struct storm_result res = { 0 };
	struct ga_stats before;
	struct ga_zone_config cfg;
	struct storm *s = calloc(1, sizeof(*s));
	struct ga_zone *z;
	ga_pfn_t pfn;

	p.spb_tainted_last = false;
	ga_zone_config_default(&cfg, 0, 2 * GIB, 1);
	cfg.policy = &p;
	cfg.ops = &ops;
	cfg.ops_ctx = s;
	if (!s || ga_zone_create(&z, &cfg))
		abort();
	while (!ga_alloc(z, 0, 9, GA_GFP_KERNEL | GA_GFP_NORETRY, 1, &pfn) && pfn < GIB)
		;
	if (pfn >= GIB)
		ga_free(z, 0, pfn, 9);
	while (!ga_alloc(z, 0, 0, GA_GFP_KERNEL | GA_GFP_NORETRY, 1, &pfn) && pfn < GIB)
		;
	if (pfn >= GIB)
		ga_free(z, 0, pfn, 0);
	while (s->nr_cache < STORM_CACHE &&
	       !ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 2, &pfn) && pfn >= GIB)
		s->cache[s->nr_cache++] = pfn;
	ok(s->nr_cache == STORM_CACHE && spb_category(z, 0) == GA_SPB_TAINTED &&
	   spb_category(z, 1) == GA_SPB_CLEAN,
	   "storm rig: SPB 0 tainted and full, SPB 1 clean with %lu cached pages",
	   s->nr_cache);
	zone_ok(z, "storm rig: checker");
	ga_zone_stats(z, &before);
	s->direct_calls = 0;
	res.err = ga_alloc(z, 0, 3, gfp, 3, &pfn);
	res.reclaim_calls = s->direct_calls;
	ga_zone_stats(z, &res.st);
	for (unsigned int i = 0; i < GA_NR_STATS; i++)
		res.st.v[i] -= before.v[i];
	if (res.err && fallback) {
		res.fb_err = ga_alloc(z, 0, 0, GA_GFP_KERNEL_RECLAIMABLE, 3, &pfn);
		res.fb_reclaim_calls = s->direct_calls - res.reclaim_calls;
	}
	res.evicted = s->next;
	res.spb1 = spb_category(z, 1);
	zone_ok(z, "storm gfp %#x: checker", gfp);
	ga_zone_destroy(z);
	free(s);
	return res;
}

/*
 * What the rfc simulations show as a storm of compaction stalls and
 * direct reclaims, built: the kernel's slow path with RFC 20's NOFRAGMENT.
 *  - compaction_suit_allocation_order finds SPB 1's free order-3 blocks
 *    with the zone watermark check, so each direct compaction returns
 *    COMPACT_SUCCESS without scanning, counts a stall, and the allocation
 *    (NOFRAGMENT: tainted SPBs only) still fails: compact_fail, never
 *    deferred;
 *  - should_reclaim_retry restarts its count on every reclaim that made
 *    progress, so the request keeps reclaiming until the cache is gone and
 *    17 rounds without progress have passed; only then (RFC 20: "after
 *    reclaim and compaction have both been tried and failed") does it drop
 *    NOFRAGMENT and taint SPB 1.
 * SLUB's shape for a high-order slab (NOWARN|NORETRY|NOMEMALLOC, no reclaim
 * bits) is refused instead (RFC 26) without a stall or a reclaim call; its
 * order-0 retry, which cannot compact, then reclaims the same way.
 */
static void test_slowpath_storm(void)
{
	const unsigned long batches = STORM_CACHE / 32, rounds = batches + 17;
	const unsigned int slub = ((GA_GFP_KERNEL_RECLAIMABLE | GA_GFP_NOWARN |
				    GA_GFP_NORETRY | GA_GFP_NOMEMALLOC) &
				   ~(unsigned int)GA_GFP_RECLAIM);
	struct storm_result r = storm(GA_GFP_KERNEL_RECLAIMABLE, false);

	is_long(r.err, 0, "KERNEL_RECLAIMABLE o3: served");
	is_long(r.spb1, GA_SPB_TAINTED, "... by tainting SPB 1, the last resort");
	is_long(r.reclaim_calls, rounds,
		"... after %lu direct reclaims: %lu that evicted, 17 that could not",
		rounds, batches);
	is_long(r.evicted, STORM_CACHE, "... which evicted the whole cache first");
	is_long(r.st.v[GA_STAT_COMPACT_STALL], rounds + 1,
		"compaction stalls: one before reclaim, one per round");
	is_long(r.st.v[GA_STAT_COMPACT_FAIL], rounds + 1, "... every one failed");
	is_long(r.st.v[GA_STAT_COMPACT_SUCCESS], 0, "... none succeeded");
	is_long(r.st.v[GA_STAT_COMPACT_DEFERRED], 0,
		"... none deferred (COMPACT_SUCCESS keeps the order out of deferral)");
	is_long(r.st.v[GA_STAT_COMPACT_MIGRATE_SCANNED] +
		r.st.v[GA_STAT_COMPACT_FREE_SCANNED], 0,
		"... and none scanned a page (the watermark check ends them)");
	is_long(r.st.v[GA_STAT_SPB_RELAX_NOFRAGMENT], 1, "NOFRAGMENT dropped once, at the end");

	r = storm(slub, true);
	is_long(r.err, -ENOMEM, "SLUB's order-3 try: refused (RFC 26)");
	is_long(r.reclaim_calls, 0, "... without a reclaim call");
	is_long(r.st.v[GA_STAT_COMPACT_STALL], 0, "... or a compaction stall");
	ok(r.st.v[GA_STAT_SPB_REFUSE_OPTIONAL] > 0, "... counted as an optional refusal");
	is_long(r.fb_err, 0, "its order-0 retry: served");
	is_long(r.fb_reclaim_calls, rounds, "... after the same %lu direct reclaims", rounds);
	is_long(r.spb1, GA_SPB_TAINTED, "... by tainting SPB 1");
}

/*
 * The movable half (what `build` and `mixed` show at 16 GiB): an order-4
 * page-cache folio (GFP_HIGHUSER_MOVABLE) when the only free order-4
 * blocks (half a pageblock) lie in a tainted SPB below its reserve, which
 * the reserve gate keeps from movable requests. Compaction's watermark
 * check sees them: one stall, nothing scanned, the allocation fails; the
 * direct reclaim that follows frees 32 aligned cached pages in the full
 * clean SPB and the retry is served there.
 */
static void test_slowpath_gated_folio(void)
{
	static const struct ga_ops ops = { .reclaim = storm_reclaim,
					   .migrate = storm_migrate };
	struct ga_policy p = quiet_policy("rfc");
	const unsigned int spb_order = 12;
	const unsigned long per = 1ul << spb_order;
	struct storm *s = calloc(1, sizeof(*s));
	struct ga_zone_config cfg;
	struct ga_stats before, st;
	struct ga_zone *z;
	uint8_t *held;
	ga_pfn_t pfn;
	int err;

	p.spb_reserve_min = 2;
	p.spb_reserve_pct = 0;
	p.spb_movable_reserve_gate = false;	/* the fill takes SPB 0's reserve */
	ga_zone_config_default(&cfg, 0, 2 * per, 1);
	cfg.spb_order = spb_order;
	cfg.policy = &p;
	cfg.ops = &ops;
	cfg.ops_ctx = s;
	if (!s || ga_zone_create(&z, &cfg))
		abort();
	if (ga_alloc(z, 0, 0, GA_GFP_KERNEL, 1, &pfn) || pfn >= per)
		abort();
	held = fill_order0(z, 2 * per);
	/* Half a pageblock free in SPB 0 (enough for compaction_suitable's
	 * gap), the cache in SPB 1: 32 aligned pages. */
	for (ga_pfn_t q = 512; q < 512 + 256; q++)
		free_page(z, held, q);
	for (ga_pfn_t q = per + 256; q < per + 256 + 32; q++) {
		if (!held[q])
			abort();
		s->cache[s->nr_cache++] = q;
	}
	z->policy.spb_movable_reserve_gate = true;
	ok(spb_category(z, 0) == GA_SPB_TAINTED && z->spbs[0].nr_free_pb == 0 &&
	   z->spbs[0].nr_free_pages >= 256 && z->spbs[1].nr_free_pages == 0,
	   "gated folio: SPB 0 tainted with %u free pages (order-4 blocks, no free"
	   " pageblock), SPB 1 full", z->spbs[0].nr_free_pages);
	zone_ok(z, "gated folio rig: checker");
	s->direct_calls = 0;
	ga_zone_stats(z, &before);
	err = ga_alloc(z, 0, 4, GA_GFP_HIGHUSER_MOVABLE, 2, &pfn);
	ga_zone_stats(z, &st);
	is_long(err, 0, "GFP_HIGHUSER_MOVABLE o4: served");
	ok(!err && pfn >= per + 256 && pfn < per + 256 + 32,
	   "... from the pages direct reclaim freed in SPB 1");
	is_long(s->direct_calls, 1, "... after one direct reclaim");
	is_long(st.v[GA_STAT_COMPACT_STALL] - before.v[GA_STAT_COMPACT_STALL], 1,
		"... and one compaction stall before it");
	is_long(st.v[GA_STAT_COMPACT_FAIL] - before.v[GA_STAT_COMPACT_FAIL], 1,
		"... which failed");
	is_long(st.v[GA_STAT_COMPACT_MIGRATE_SCANNED] + st.v[GA_STAT_COMPACT_FREE_SCANNED] -
		before.v[GA_STAT_COMPACT_MIGRATE_SCANNED] -
		before.v[GA_STAT_COMPACT_FREE_SCANNED], 0,
		"... without scanning: SPB 0's gated block met the watermark check");
	ok(st.v[GA_STAT_SPB_MOVABLE_GATED] > before.v[GA_STAT_SPB_MOVABLE_GATED],
	   "... the gate refused SPB 0's block");
	zone_ok(z, "gated folio: checker");
	free(held);
	ga_zone_destroy(z);
	free(s);
}

int main(void)
{
	test_rfc_preset();
	test_fullest_first();
	test_long_walk();
	test_probe_kernel();
	test_probe_noretry();
	test_probe_atomic();
	test_probe_nowait();
	test_never_optional();
	test_nolock();
	test_aggressive_threshold();
	test_pass_2c();
	test_no_boost();
	test_reserve_gate();
	test_trace_events();
	test_slowpath_storm();
	test_slowpath_gated_folio();
	return done_testing();
}
