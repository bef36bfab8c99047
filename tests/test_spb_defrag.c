// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Background SPB defragmentation (RFC 15, v1 43), targeted evacuation
 * (RFC 23, both phases) and its deferred form for atomic requests (RFC
 * 25), each with a constructed scenario run with the switch on and off and
 * the outcome asserted: where the next non-movable pageblock lands, and so
 * whether a second SPB gets tainted. Both executors; a threaded run of the
 * worker under ThreadSanitizer while other threads allocate and free.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "embedder.h"
#include "harness.h"
#include "internal.h"
#include "mt_embedder.h"
#include "zone_fixture.h"

#define GIB (1ul << 18)
#define PB 512ul
#define BLOCK_X (10 * PB)		/* SPB 0: tainted by an unmovable page */
#define BLOCK_Y (20 * PB)		/* SPB 0: three quarters free */
#define BLOCK_Z (30 * PB)		/* SPB 0: three quarters free */
#define HOLES_1 (GIB + 100 * PB)	/* SPB 1: scattered free pages */
#define FREE_1 (GIB + 200 * PB)		/* SPB 1: a wholly free pageblock */

/* spb with only the mechanism under test acting. */
static struct ga_policy base_policy(void)
{
	struct ga_policy p = quiet_policy("spb");

	p.thp_min_free = false;
	p.compaction = false;
	p.evacuate = false;
	p.spb_defrag = false;
	p.spb_evacuate_order = false;
	p.spb_compact_evacuate = false;
	p.spb_evacuate_deferred = false;
	return p;
}

/* Free the live objects in [start, start + n) whose offset % stride is in keep-out. */
static void free_range(struct embedder *e, ga_pfn_t start, unsigned long n,
		       unsigned long stride, bool keep_first)
{
	for (unsigned long i = 0; i < e->nr; i++) {
		ga_pfn_t pfn = e->obj[i].pfn;

		if (!e->obj[i].live || pfn < start || pfn >= start + n)
			continue;
		if (keep_first == !((pfn - start) % stride))
			continue;
		emb_free(e, i);
	}
}

/*
 * Two SPBs full of dirty movable pages. SPB 0 is tainted by one unmovable
 * page in block X (it had the only free pageblock) and, with `roomy`,
 * blocks Y and Z are three quarters free. SPB 1 stays clean, with 768
 * scattered free pages and one wholly free pageblock; a third SPB, if
 * any, has 512 scattered free pages.
 */
static struct ga_zone *setup3(struct embedder *e, const struct ga_policy *p,
			      struct ga_executor *ex, bool roomy, unsigned long gibs)
{
	struct ga_zone *z = emb_zone(e, gibs * GIB, 1, p, ex);
	long u;

	while (emb_alloc(e, 0, GA_GFP_HIGHUSER_MOVABLE, true) >= 0)
		;
	free_range(e, BLOCK_X, PB, 1, false);
	u = emb_alloc(e, 0, GA_GFP_KERNEL, true);
	ok(u >= 0 && e->obj[u].pfn >= BLOCK_X && e->obj[u].pfn < BLOCK_X + PB,
	   "setup: the first unmovable page takes block X");
	if (roomy) {
		free_range(e, BLOCK_Y, PB, 4, true);
		free_range(e, BLOCK_Z, PB, 4, true);
	}
	free_range(e, HOLES_1, 3 * PB, 2, true);
	free_range(e, FREE_1, PB, 1, false);
	if (gibs > 2)
		free_range(e, 2 * GIB + 100 * PB, 2 * PB, 2, true);
	is_long(spb_info(z, 0).category, GA_SPB_TAINTED, "setup: SPB 0 is tainted");
	is_long(spb_info(z, 1).category, GA_SPB_CLEAN, "setup: SPB 1 is clean");
	zone_ok(z, "setup: checker");
	return z;
}

static struct ga_zone *setup(struct embedder *e, const struct ga_policy *p,
			     struct ga_executor *ex, bool roomy)
{
	return setup3(e, p, ex, roomy, 2);
}

/* Where an unmovable pageblock-order request lands: 0, 1, or -1 (failed). */
static int unmovable_block_spb(struct embedder *e)
{
	long u = emb_alloc(e, 9, GA_GFP_KERNEL, true);

	return u < 0 ? -1 : (int)(e->obj[u].pfn / GIB);
}

/* ------------------------------------------------------------------------ */
/* RFC 15: the background worker.                                            */

static int defrag_scenario(bool on, enum ga_executor_kind kind, unsigned long *moved)
{
	struct ga_policy p = base_policy();
	struct ga_executor *ex;
	struct embedder e;
	struct ga_zone *z;
	const char *name = kind == GA_EXECUTOR_MANUAL ? "manual" : "threads";
	int where;

	ga_executor_create(&ex, kind, kind == GA_EXECUTOR_MANUAL ? 0 : 1);
	z = setup(&e, &p, ex, true);
	/*
	 * Switched on only now, so the worker starts from this state with
	 * either executor; the trigger is sb_update_list()'s, fired without
	 * the (single-threaded) embedder, which the worker calls back.
	 */
	z->policy.spb_defrag = on;
	ga_lock(&z->lock);
	spb_defrag_check(z, &z->spbs[0]);
	ga_unlock(&z->lock);
	ga_executor_kick(ex);
	ga_executor_run_pending(ex);
	/* The embedder is single-threaded: no more worker runs beside it. */
	z->policy.spb_defrag = false;
	*moved = stat_of(z, GA_STAT_SPB_DEFRAG_PAGES);
	if (on) {
		ok(stat_of(z, GA_STAT_SPB_DEFRAG_RUN) >= 1, "%s: the worker ran on SPB 0", name);
		is_long(stat_of(z, GA_STAT_SPB_DEFRAG_FREED), 2,
			"%s: it freed two pageblocks (Y and Z), then stopped", name);
		is_long(*moved, 256, "%s: moving their 256 movable pages", name);
		is_long(spb_info(z, 0).nr_free_pageblocks, 2,
			"%s: SPB 0 holds two free pageblocks", name);
	} else {
		is_long(spb_info(z, 0).nr_free_pageblocks, 0,
			"off: SPB 0 has no free pageblock");
	}
	is_long(emb_conservation_errors(&e), 0, "%s: every owner holds its pages", name);
	zone_ok(z, "%s: checker after the worker", name);
	where = unmovable_block_spb(&e);
	is_long(spb_info(z, 1).category, on ? GA_SPB_CLEAN : GA_SPB_TAINTED,
		"%s, worker %s: SPB 1 %s", name, on ? "on" : "off",
		on ? "stays clean" : "gets tainted");
	zone_ok(z, "%s: checker after the unmovable pageblock", name);
	emb_destroy(&e);
	ga_executor_destroy(ex);
	return where;
}

static void test_defrag_worker(void)
{
	unsigned long moved;

	is_long(defrag_scenario(true, GA_EXECUTOR_MANUAL, &moved), 0,
		"worker on (manual): the unmovable pageblock lands in tainted SPB 0");
	is_long(defrag_scenario(false, GA_EXECUTOR_MANUAL, &moved), 1,
		"worker off: it taints clean SPB 1");
	is_long(moved, 0, "worker off: nothing moved");
	is_long(defrag_scenario(true, GA_EXECUTOR_THREADS, &moved), 0,
		"worker on (threads): the same outcome");
}

/* A run that moves nothing stamps the SPB; triggers wait out the cooldown. */
static void test_defrag_cooldown(void)
{
	struct ga_policy p = base_policy();
	struct ga_executor *ex;
	struct embedder e;
	struct ga_zone *z;
	uint64_t queued;
	int pinned = 0;

	p.spb_defrag = true;
	ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 0);
	z = setup(&e, &p, ex, true);
	/* A pinned page at the start of every movable block of SPB 0. */
	for (unsigned long i = 0; i < e.nr; i++)
		if (e.obj[i].live && e.obj[i].pfn < GIB && !(e.obj[i].pfn % PB) &&
		    e.obj[i].mt == GA_MT_MOVABLE)
			pinned += !ga_pin(z, e.obj[i].pfn);
	is_long(pinned, GIB / PB - 1, "a pinned page in every movable block of SPB 0");
	ga_executor_run_pending(ex);
	is_long(stat_of(z, GA_STAT_SPB_DEFRAG_PINNED), GIB / PB - 1,
		"the worker passes over every pinned block");
	is_long(stat_of(z, GA_STAT_SPB_DEFRAG_PAGES), 0, "and moves nothing");
	is_long(stat_of(z, GA_STAT_SPB_DEFRAG_NOOP), 1, "the no-op run stamps the SPB");
	queued = stat_of(z, GA_STAT_SPB_DEFRAG_QUEUED);
	ok(emb_alloc(&e, 0, GA_GFP_KERNEL, true) >= 0, "an unmovable page in SPB 0");
	is_long(stat_of(z, GA_STAT_SPB_DEFRAG_QUEUED), queued,
		"within the cooldown the trigger queues nothing");
	ok(stat_of(z, GA_STAT_SPB_DEFRAG_COOLDOWN) >= 1, "and is counted as cooled down");
	for (unsigned int s = 0; s < p.spb_defrag_noop_cooldown - 1; s++)
		ga_vmstat_tick(z);
	emb_alloc(&e, 0, GA_GFP_KERNEL, true);
	is_long(stat_of(z, GA_STAT_SPB_DEFRAG_QUEUED), queued, "still nothing after 4 s");
	ga_vmstat_tick(z);
	emb_alloc(&e, 0, GA_GFP_KERNEL, true);
	is_long(stat_of(z, GA_STAT_SPB_DEFRAG_QUEUED), queued + 1,
		"after 5 s of zone time the SPB is queued again");
	ga_executor_run_pending(ex);
	zone_ok(z, "checker after the cooldown");
	emb_destroy(&e);
	ga_executor_destroy(ex);
}

/* ------------------------------------------------------------------------ */
/* RFC 23: targeted evacuation before NOFRAGMENT is dropped.                 */

static int phase2_scenario(bool on)
{
	struct ga_policy p = base_policy();
	struct embedder e;
	struct ga_zone *z;
	int where;

	p.spb_evacuate_order = on;
	z = setup(&e, &p, NULL, true);
	where = unmovable_block_spb(&e);
	if (on) {
		is_long(stat_of(z, GA_STAT_SPB_EVAC_P1_ATTEMPT), 0,
			"phase 2: no phase 1 at pageblock order");
		is_long(stat_of(z, GA_STAT_SPB_EVAC_P2_ATTEMPT), 1, "phase 2: one block tried");
		is_long(stat_of(z, GA_STAT_SPB_EVAC_P2_SUCCESS), 1, "phase 2: and freed");
		is_long(stat_of(z, GA_STAT_SPB_EVAC_PAGES), 128,
			"phase 2: its 128 movable pages moved");
		is_long(stat_of(z, GA_STAT_SPB_EVAC_SERVED), 1,
			"phase 2: the request was served with NOFRAGMENT kept");
	}
	is_long(spb_info(z, 1).category, on ? GA_SPB_CLEAN : GA_SPB_TAINTED,
		"phase 2 %s: SPB 1 %s", on ? "on" : "off", on ? "stays clean" : "is tainted");
	is_long(emb_conservation_errors(&e), 0, "phase 2: owners conserved");
	zone_ok(z, "phase 2: checker");
	emb_destroy(&e);
	return where;
}

/*
 * Phase 1: X is filled with unmovable pages, then an unmovable page
 * relabels Y (PASS_2B, the seed's evacuation off): Y is Unmovable, holds
 * 128 movable pages and only order-0/1 free chunks. An order-2 unmovable
 * request finds no room in SPB 0 until Y's movable pages move out.
 */
static int phase1_scenario(bool on)
{
	struct ga_policy p = base_policy();
	struct ga_pageblock_info bi;
	struct embedder e;
	struct ga_zone *z;
	long u;
	int where;

	p.spb_evacuate_order = on;
	z = setup(&e, &p, NULL, true);
	for (int i = 0; i < 511; i++)
		emb_alloc(&e, 0, GA_GFP_KERNEL, true);
	u = emb_alloc(&e, 0, GA_GFP_KERNEL, true);
	ga_pageblock_query(z, u >= 0 ? e.obj[u].pfn : 0, &bi);
	ok(u >= 0 && bi.migratetype == GA_MT_UNMOVABLE && e.obj[u].pfn / GIB == 0 &&
	   bi.nr_alloc[GA_MT_MOVABLE] == 128,
	   "phase 1: a movable block of SPB 0 relabelled, 128 movable pages in it");
	u = emb_alloc(&e, 2, GA_GFP_KERNEL, true);
	where = u < 0 ? -1 : (int)(e.obj[u].pfn / GIB);
	if (on) {
		is_long(stat_of(z, GA_STAT_SPB_EVAC_P1_ATTEMPT), 1, "phase 1: one block tried");
		is_long(stat_of(z, GA_STAT_SPB_EVAC_P1_SUCCESS), 1,
			"phase 1: an order-2 block coalesced in it");
		is_long(stat_of(z, GA_STAT_SPB_EVAC_P2_ATTEMPT), 0, "phase 1: no phase 2");
		is_long(stat_of(z, GA_STAT_SPB_EVAC_SERVED), 1, "phase 1: request served");
	}
	is_long(spb_info(z, 1).category, on ? GA_SPB_CLEAN : GA_SPB_TAINTED,
		"phase 1 %s: SPB 1 %s", on ? "on" : "off", on ? "stays clean" : "is tainted");
	is_long(emb_conservation_errors(&e), 0, "phase 1: owners conserved");
	zone_ok(z, "phase 1: checker");
	emb_destroy(&e);
	return where;
}

static void test_evacuate_for_order(void)
{
	is_long(phase2_scenario(true), 0, "phase 2 on: the pageblock comes from SPB 0");
	is_long(phase2_scenario(false), 1, "phase 2 off: from SPB 1");
	is_long(phase1_scenario(true), 0, "phase 1 on: the order-2 block comes from SPB 0");
	is_long(phase1_scenario(false), 1, "phase 1 off: from SPB 1");
}

/* ------------------------------------------------------------------------ */
/* RFC 17, non-movable half: the evacuation from direct compaction.          */

struct compact_evac_result {
	int where;
	uint64_t evac, served, p1, stall;
	int spb1;
};

/*
 * Phase 1's scenario with 23's hook off: the order-2 unmovable request
 * reaches direct compaction, where 17 evacuates block Y before compacting.
 */
static struct compact_evac_result compact_evac_scenario(bool on, bool compaction)
{
	struct ga_policy p = base_policy();
	struct compact_evac_result r;
	struct embedder e;
	struct ga_zone *z;
	long u;

	p.spb_compact_evacuate = on;
	p.compaction = compaction;
	z = setup(&e, &p, NULL, true);
	for (int i = 0; i < 512; i++)
		emb_alloc(&e, 0, GA_GFP_KERNEL, true);
	u = emb_alloc(&e, 2, GA_GFP_KERNEL, true);
	r.where = u < 0 ? -1 : (int)(e.obj[u].pfn / GIB);
	r.evac = stat_of(z, GA_STAT_SPB_COMPACT_EVAC);
	r.served = stat_of(z, GA_STAT_SPB_COMPACT_EVAC_SERVED);
	r.p1 = stat_of(z, GA_STAT_SPB_EVAC_P1_SUCCESS);
	r.stall = stat_of(z, GA_STAT_COMPACT_STALL);
	r.spb1 = spb_info(z, 1).category;
	is_long(emb_conservation_errors(&e), 0, "17 %s: owners conserved", on ? "on" : "off");
	zone_ok(z, "17: checker");
	emb_destroy(&e);
	return r;
}

static void test_compact_evacuate(void)
{
	struct compact_evac_result on = compact_evac_scenario(true, false);
	struct compact_evac_result off = compact_evac_scenario(false, false);
	struct compact_evac_result onc = compact_evac_scenario(true, true);
	struct compact_evac_result offc = compact_evac_scenario(false, true);

	is_long(on.where, 0, "17 on: the order-2 block comes from SPB 0");
	is_long(on.evac, 1, "17 on: one evacuation, from direct compaction");
	is_long(on.p1, 1, "17 on: phase 1 coalesced an order-2 block");
	is_long(on.served, 1, "17 on: the request was served after it, NOFRAGMENT kept");
	is_long(on.spb1, GA_SPB_CLEAN, "17 on: SPB 1 stays clean");
	is_long(off.where, 1, "17 off (23 off, no compaction): from SPB 1");
	is_long(off.spb1, GA_SPB_TAINTED, "17 off: SPB 1 is tainted");
	is_long(off.evac, 0, "17 off: no evacuation");
	is_long(onc.where, 0, "17 on, compaction on: from SPB 0");
	is_long(onc.served, 1, "17 on, compaction on: served by the evacuation");
	is_long(onc.stall, 0, "17 on, compaction on: before any compaction ran");
	ok(offc.stall > 0, "17 off, compaction on: %llu compaction runs",
	   (unsigned long long)offc.stall);
	is_long(offc.where, 1, "17 off, compaction on: they fail, the block comes from SPB 1");
	is_long(offc.spb1, GA_SPB_TAINTED, "17 off, compaction on: SPB 1 is tainted");
}

/* ------------------------------------------------------------------------ */
/* RFC 25: an atomic request taints, and queues the evacuation.              */

/*
 * SPB 0 is full (X of unmovable pages, the rest movable), so an atomic
 * unmovable page must taint SPB 1. The deferred evacuation then empties
 * the cheapest movable block of the tainted pool, one of SPB 1's
 * half-free blocks, into clean SPB 2: the next request finds a free
 * pageblock in a tainted SPB.
 */
static void deferred_scenario(bool on)
{
	struct ga_policy p = base_policy();
	struct ga_executor *ex;
	struct embedder e;
	struct ga_zone *z;
	long u;

	p.spb_evacuate_deferred = on;
	ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 0);
	z = setup3(&e, &p, ex, false, 3);
	for (int i = 0; i < 511; i++)
		emb_alloc(&e, 0, GA_GFP_KERNEL, true);
	u = emb_alloc(&e, 0, GA_GFP_ATOMIC, true);
	ok(u >= 0 && e.obj[u].pfn / GIB == 1, "deferred %s: the atomic page taints SPB 1",
	   on ? "on" : "off");
	is_long(stat_of(z, GA_STAT_SPB_EVAC_DEFERRED), on, "deferred %s: %s queued",
		on ? "on" : "off", on ? "one evacuation" : "nothing");
	if (on) {
		ga_lock(&z->lock);
		spb_evacuate_queue_deferred(z, 0, GA_MT_UNMOVABLE, ALLOC_NON_BLOCK);
		ga_unlock(&z->lock);
		is_long(stat_of(z, GA_STAT_SPB_EVAC_DEFERRED), 1,
			"deferred: a second taint while one is queued queues nothing");
		is_long(stat_of(z, GA_STAT_SPB_EVAC_THROTTLED), 1, "deferred: and is counted");
	}
	is_long(spb_info(z, 1).nr_free_pageblocks, 0, "deferred %s: SPB 1 has no free "
		"pageblock before the run", on ? "on" : "off");
	ga_executor_run_pending(ex);
	is_long(stat_of(z, GA_STAT_SPB_EVAC_DEFERRED_RUN), on, "deferred %s: runs %d",
		on ? "on" : "off", on);
	is_long(stat_of(z, GA_STAT_SPB_EVAC_P2_SUCCESS), on,
		"deferred %s: phase 2 freed %d pageblock(s)", on ? "on" : "off", on);
	is_long(spb_info(z, 1).nr_free_pageblocks, on,
		"deferred %s: tainted SPB 1 has %d free pageblock(s) for the next request",
		on ? "on" : "off", on);
	is_long(spb_info(z, 2).category, GA_SPB_CLEAN, "deferred: SPB 2 stays clean");
	if (on) {
		ga_lock(&z->lock);
		spb_evacuate_queue_deferred(z, 0, GA_MT_UNMOVABLE, ALLOC_NON_BLOCK);
		ga_unlock(&z->lock);
		is_long(stat_of(z, GA_STAT_SPB_EVAC_DEFERRED), 1,
			"deferred: within the same second the throttle holds");
		ga_vmstat_tick(z);
		ga_lock(&z->lock);
		spb_evacuate_queue_deferred(z, 0, GA_MT_UNMOVABLE, ALLOC_NON_BLOCK);
		ga_unlock(&z->lock);
		is_long(stat_of(z, GA_STAT_SPB_EVAC_DEFERRED), 2,
			"deferred: a second later it may run again");
		ga_executor_run_pending(ex);
	}
	is_long(emb_conservation_errors(&e), 0, "deferred: owners conserved");
	zone_ok(z, "deferred: checker");
	emb_destroy(&e);
	ga_executor_destroy(ex);
}

static void test_deferred(void)
{
	deferred_scenario(true);
	deferred_scenario(false);
}

/* ------------------------------------------------------------------------ */
/* Claims refuse a free pageblock under evacuation (docs/EVACUATION.md).     */

static void test_claim_refuses_evacuating(void)
{
	struct ga_policy p = base_policy();
	struct embedder e;
	struct ga_zone *z;
	long u;

	for (int flag = 1; flag >= 0; flag--) {
		z = setup(&e, &p, NULL, false);
		free_range(&e, BLOCK_Y, PB, 1, false);
		if (flag)
			pb_set_flag(pfn_to_block(z, BLOCK_Y), PB_EVACUATING);
		u = emb_alloc(&e, 9, GA_GFP_KERNEL, true);
		if (flag) {
			ok(u >= 0 && e.obj[u].pfn != BLOCK_Y,
			   "a free pageblock under evacuation is not claimed");
			ok(stat_of(z, GA_STAT_EVAC_CLAIM_REFUSED) >= 1, "and the refusal counted");
			pb_clear_flag(pfn_to_block(z, BLOCK_Y), PB_EVACUATING);
		} else {
			ok(u >= 0 && e.obj[u].pfn == BLOCK_Y,
			   "without the flag the same claim takes it");
		}
		zone_ok(z, "claim refusal: checker");
		emb_destroy(&e);
	}
}

/* ------------------------------------------------------------------------ */
/* Threads: the worker and deferred evacuation while two threads allocate.   */

/* Fill with movable pages, free runs, allocate unmovable and atomic ones. */
static void *mt_worker(void *arg)
{
	struct mt_thread *t = arg;
	unsigned long n = t->m->nr_per_thread;

	for (unsigned long round = 0; round < 30; round++) {
		unsigned long run = t->base + (round * 613) % (n - 900);

		for (unsigned long s = t->base; s < t->base + n; s++)
			if (!t->m->obj[s].live)
				mt_alloc(t, s, GA_GFP_HIGHUSER_MOVABLE);
		for (unsigned long s = run; s < run + 900; s++)
			mt_free(t, s);
		for (unsigned long s = run; s < run + 60; s++)
			mt_alloc(t, s, s & 1 ? GA_GFP_KERNEL : GA_GFP_ATOMIC);
		ga_vmstat_tick(t->z);
	}
	__atomic_fetch_add(&t->m->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_threads(void)
{
	struct mt_embedder m;
	struct ga_policy p;
	struct mt_thread t[2];
	pthread_t th[2];
	struct ga_zone_config cfg;
	struct ga_executor *ex;
	struct ga_zone *z;

	ga_policy_preset(&p, "spb");
	p.min_free_kbytes = 16;
	p.thp_min_free = false;
	ga_zone_config_default(&cfg, 0, 16384, 2);
	cfg.spb_order = 12;		/* 8 pageblocks per SPB: 4 SPBs */
	cfg.policy = &p;
	z = mt_zone(&m, &cfg, 2, 8000, 2);
	ex = m.ex;
	mt_start(&m, t, th, mt_worker);
	/* The before-taint trigger, from a third thread, while they run. */
	while (__atomic_load_n(&m.done, __ATOMIC_ACQUIRE) < 2) {
		ga_lock(&z->lock);
		spb_defrag_kick_tainted(z);
		ga_unlock(&z->lock);
		ga_executor_kick(ex);
		usleep(500);
	}
	mt_join(&m, th);
	ga_executor_run_pending(ex);
	/* Draining frees pages, which may queue the worker again: flush after. */
	ga_drain_all_pcp(z);
	ga_executor_run_pending(ex);
	zone_ok(z, "threads: checker after concurrent defragmentation");
	diag("threads: queued %llu cooldown %llu noop %llu pinned %llu deferred %llu p2 %llu",
	     (unsigned long long)stat_of(z, GA_STAT_SPB_DEFRAG_QUEUED),
	     (unsigned long long)stat_of(z, GA_STAT_SPB_DEFRAG_COOLDOWN),
	     (unsigned long long)stat_of(z, GA_STAT_SPB_DEFRAG_NOOP),
	     (unsigned long long)stat_of(z, GA_STAT_SPB_DEFRAG_PINNED),
	     (unsigned long long)stat_of(z, GA_STAT_SPB_EVAC_DEFERRED),
	     (unsigned long long)stat_of(z, GA_STAT_SPB_EVAC_P2_ATTEMPT));
	is_long(m.errors, 0, "threads: every migration found its page where the owner had it");
	is_long(m.bad_owner, 0, "threads: every migrate call named an owner that allocated");
	ok(stat_of(z, GA_STAT_SPB_DEFRAG_RUN) > 0,
	   "threads: the worker ran (%llu SPB runs, %llu pages moved)",
	   (unsigned long long)stat_of(z, GA_STAT_SPB_DEFRAG_RUN),
	   (unsigned long long)stat_of(z, GA_STAT_SPB_DEFRAG_PAGES));
	is_long(mt_owner_errors(&m), 0, "threads: every owner still holds its page");
	mt_destroy(&m);
}

int main(void)
{
	test_defrag_worker();
	test_defrag_cooldown();
	test_evacuate_for_order();
	test_compact_evacuate();
	test_deferred();
	test_claim_refuses_evacuating();
	test_threads();
	return done_testing();
}
