// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Compaction with a fake embedder that owns every movable page and checks
 * every migration callback against its table: a fragmented zone compacted
 * whole, direct compaction making a THP allocation succeed (A/B against
 * compaction off), deferral growing and resetting, skip hints set and
 * cleared, kcompactd's proactive and woken runs on the manual executor
 * (twice, for determinism), and kcompactd on worker threads while two
 * threads allocate and free (run under ThreadSanitizer too).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "embedder.h"
#include "harness.h"
#include "internal.h"

#define ZONE_PAGES	(1ul << 16)	/* 256 MiB, 128 pageblocks */
#define PB_PAGES	512ul
#define THP_ORDER	9

static struct ga_policy compact_policy(bool compaction)
{
	struct ga_policy p;

	ga_policy_preset(&p, "vanilla");
	p.min_free_kbytes = 1024;
	p.compaction = compaction;
	return p;
}

static uint64_t stat_of(struct ga_zone *z, enum ga_stat_item item)
{
	struct ga_stats s;

	ga_zone_stats(z, &s);
	return s.v[item];
}

/* Fill with dirty movable order-0 pages until an allocation fails. */
static void fill_order0(struct embedder *e)
{
	while (emb_alloc(e, 0, GA_GFP_HIGHUSER_MOVABLE, true) >= 0)
		;
}

/*
 * Free every other page: the free memory is all order-0 buddies. The free
 * scanner finds them because the fill leaves at most one free block at the
 * zone top: after a few fruitless blocks its stride grows past 1 and, from
 * an even pfn, it would see only the allocated half (as the kernel would).
 */
static void fragment_alternate(struct embedder *e)
{
	fill_order0(e);
	for (unsigned long i = 0; i < e->nr; i++)
		if (e->obj[i].live && (e->obj[i].pfn & 1))
			emb_free(e, i);
	ga_drain_all_pcp(e->zone);
}

/* Free each page with probability 1/2 (a seeded pattern). */
static void fragment_random(struct embedder *e, unsigned long long seed)
{
	fill_order0(e);
	for (unsigned long i = 0; i < e->nr; i++)
		if (e->obj[i].live && (test_rand(&seed) & 1))
			emb_free(e, i);
	ga_drain_all_pcp(e->zone);
}

/* Free pages in order-9 units: blocks of 512 plus two per order-10 block. */
static unsigned long thp_blocks(struct ga_zone *z)
{
	struct ga_zone_info info;

	ga_zone_info(z, &info);
	return info.nr_free[9] + 2 * info.nr_free[10];
}

static unsigned long free_pages(struct ga_zone *z)
{
	struct ga_zone_info info;

	ga_zone_info(z, &info);
	return info.free_pages;
}

static unsigned long skip_bits(struct ga_zone *z)
{
	unsigned long n = 0;

	for (unsigned long i = 0; i < z->nr_pageblocks; i++)
		n += pb_test_flag(&z->blocks[i], PB_COMPACT_SKIP) != 0;
	return n;
}

/* ------------------------------------------------------------------------ */

/*
 * compact_memory on a zone where every other page is free: the migrate
 * scanner empties the lower half, the free scanner fills the upper half,
 * so nearly all free memory ends in order-9/10 blocks.
 */
static void test_compact_zone_raises_high_orders(void)
{
	struct ga_policy p = compact_policy(true);
	struct embedder e;
	struct ga_zone *z = emb_zone(&e, ZONE_PAGES, 2, &p, NULL);
	struct ga_zone_info info;
	unsigned long live, nfree, before, after, bound;
	int moved;

	fragment_alternate(&e);
	live = emb_live_pages(&e);
	nfree = free_pages(z);
	before = thp_blocks(z);
	is_long(before, 0, "fragmented: no free order-9 or order-10 block (%lu pages free)",
		nfree);
	is_long(ga_unusable_index(z, THP_ORDER), 1000, "unusable index at order 9 is 1.000");
	zone_ok(z, "checker on the fragmented zone");

	moved = ga_compact_zone(z, 0, -1, true);
	ok(moved > 0, "ga_compact_zone moved %d pages", moved);
	after = thp_blocks(z);
	/* At most one free block per 512 free pages; the block where the
	 * scanners met and the target still held when they met may stay
	 * partly used, so allow two. */
	bound = nfree / PB_PAGES - 2;
	ok(after >= bound && after <= nfree / PB_PAGES,
	   "free order-9 blocks: 0 -> %lu (bound %lu..%lu)", after, bound,
	   nfree / PB_PAGES);
	ga_zone_info(z, &info);
	ok(info.nr_free[10] >= bound / 2 - 1,
	   "free order-10 blocks: 0 -> %lu (>= %lu)", info.nr_free[10], bound / 2 - 1);
	is_long(free_pages(z), nfree, "free pages unchanged: every target was used or given back");
	/* Moving half the used pages out of the lower half is the minimum. */
	ok((unsigned long)moved >= bound * PB_PAGES / 2 && (unsigned long)moved <= live,
	   "pages moved %d: at least %lu, at most the %lu live", moved,
	   bound * PB_PAGES / 2, live);
	is_long(stat_of(z, GA_STAT_COMPACT_MIGRATED), moved, "compact_migrated counts them");
	ok(stat_of(z, GA_STAT_COMPACT_FREE_SCANNED) > 0 &&
	   stat_of(z, GA_STAT_COMPACT_MIGRATE_SCANNED) > 0 &&
	   stat_of(z, GA_STAT_COMPACT_ISOLATED) >= 2ul * (unsigned long)moved,
	   "scanned and isolated counted (sources and targets)");
	ok(ga_unusable_index(z, THP_ORDER) < 50, "unusable index at order 9 now %d/1000",
	   ga_unusable_index(z, THP_ORDER));
	is_long(emb_live_pages(&e), live, "no object lost");
	is_long(emb_conservation_errors(&e), 0, "every owner holds exactly its pages");
	ok(e.migrate_calls >= (unsigned long)moved, "every move went through the owner");
	zone_ok(z, "checker after compaction");

	is_long(ga_compact_zone(z, 0, 0, true), -EINVAL, "order 0 is refused");
	is_long(ga_compact_zone(z, 2, -1, true), -EINVAL, "a bad cpu is refused");
	is_long(ga_compact_zone(z, 0, THP_ORDER, false), 0,
		"order 9 when one is free already: nothing to move");
	emb_destroy(&e);
}

/* Without ops->migrate, or with compaction off, nothing runs. */
static void test_compaction_unavailable(void)
{
	struct ga_policy off = compact_policy(false), on = compact_policy(true);
	struct ga_zone *z = test_zone(1ul << 12, 1, &on);
	struct embedder e;

	is_long(ga_compact_zone(z, 0, -1, true), -EOPNOTSUPP,
		"no migrate callback: -EOPNOTSUPP");
	ga_zone_destroy(z);
	emb_zone(&e, 1ul << 12, 1, &off, NULL);
	is_long(ga_compact_zone(e.zone, 0, -1, true), -EOPNOTSUPP,
		"compaction off in the policy: -EOPNOTSUPP");
	emb_destroy(&e);
}

/* ------------------------------------------------------------------------ */

struct thp_result {
	int err;
	ga_pfn_t pfn;
	uint64_t stall, success, migrated;
	unsigned long conservation;
};

static struct thp_result thp_on_fragmented(bool compaction)
{
	struct ga_policy p = compact_policy(compaction);
	struct embedder e;
	struct ga_zone *z = emb_zone(&e, ZONE_PAGES, 2, &p, NULL);
	struct thp_result r = { 0 };
	long thp;

	fragment_alternate(&e);
	thp = emb_alloc(&e, THP_ORDER, GA_GFP_TRANSHUGE, false);
	r.err = thp < 0 ? (int)thp : 0;
	r.pfn = thp < 0 ? 0 : e.obj[thp].pfn;
	r.stall = stat_of(z, GA_STAT_COMPACT_STALL);
	r.success = stat_of(z, GA_STAT_COMPACT_SUCCESS);
	r.migrated = stat_of(z, GA_STAT_COMPACT_MIGRATED);
	r.conservation = emb_conservation_errors(&e);
	zone_ok(z, "checker after the THP attempt (compaction %s)",
		compaction ? "on" : "off");
	emb_destroy(&e);
	return r;
}

static void test_direct_compaction_thp(void)
{
	struct thp_result off = thp_on_fragmented(false);
	struct thp_result on = thp_on_fragmented(true);

	is_long(off.err, -ENOMEM, "compaction off: the THP allocation fails");
	is_long(off.stall, 0, "and no compaction ran");
	is_long(on.err, 0, "compaction on: the THP allocation succeeds at pfn %#llx",
		(unsigned long long)on.pfn);
	is_long(on.stall, 1, "after one direct compaction stall (async was enough)");
	is_long(on.success, 1, "counted as compact_success");
	/* Emptying one block of 256 used pages moves at least 256; async
	 * direct compaction stops at the first free block, so only a few. */
	ok(on.migrated >= PB_PAGES / 2 && on.migrated <= 4 * PB_PAGES,
	   "it moved %llu pages: one block's worth, not the zone",
	   (unsigned long long)on.migrated);
	is_long(on.conservation, 0, "owners conserved through direct compaction");
}

/* ------------------------------------------------------------------------ */

/* Pin the first live page of every pageblock: no block can be emptied. */
static unsigned long pin_one_per_block(struct embedder *e, long *pinned)
{
	unsigned long n = 0;

	for (unsigned long b = 0; b < e->zone->nr_pageblocks; b++)
		pinned[b] = -1;
	for (unsigned long i = 0; i < e->nr; i++) {
		unsigned long b = e->obj[i].pfn / PB_PAGES;

		if (!e->obj[i].live || pinned[b] >= 0)
			continue;
		if (!ga_pin(e->zone, e->obj[i].pfn)) {
			pinned[b] = (long)i;
			n++;
		}
	}
	return n;
}

static int try_thp(struct embedder *e)
{
	long o = emb_alloc(e, THP_ORDER, GA_GFP_TRANSHUGE, false);

	return o < 0 ? (int)o : 0;
}

/*
 * Failures defer compaction (shift up to 6), deferred attempts are
 * skipped without scanning, and a success resets the deferral.
 */
static void test_deferral(void)
{
	struct ga_policy p = compact_policy(true);
	struct embedder e;
	struct ga_zone *z = emb_zone(&e, ZONE_PAGES, 2, &p, NULL);
	struct ga_compact_state *c = &z->compact;
	long *pinned = calloc(z->nr_pageblocks, sizeof(*pinned));
	unsigned int max_shift = 0, attempts;
	bool monotonic = true;
	uint64_t scanned, deferred;
	int err = 0;

	fragment_alternate(&e);
	is_long(pin_one_per_block(&e, pinned), z->nr_pageblocks,
		"one page pinned in each of the %lu pageblocks", z->nr_pageblocks);
	is_long(try_thp(&e), -ENOMEM, "a THP cannot be had: every block holds a pin");
	is_long(c->defer_shift, 1, "the failed sync compaction deferred: shift 1");
	is_long(c->order_failed, 0, "compact_order_failed = min(0, 9)");
	ok(stat_of(z, GA_STAT_COMPACT_FAIL) >= 1, "compact_fail counted");
	zone_ok(z, "checker after a failed compaction");

	for (attempts = 1; attempts < 100 && c->defer_shift < 6; attempts++) {
		err |= try_thp(&e) != -ENOMEM;
		monotonic &= c->defer_shift >= max_shift;
		max_shift = c->defer_shift;
	}
	is_long(err, 0, "every attempt failed while the pins held");
	ok(monotonic, "the shift never shrank while compaction kept failing");
	is_long(max_shift, 6, "the shift grew to COMPACT_MAX_DEFER_SHIFT after %u attempts",
		attempts);
	ok(stat_of(z, GA_STAT_COMPACT_DEFERRED) > 0, "deferred attempts counted (%llu)",
	   (unsigned long long)stat_of(z, GA_STAT_COMPACT_DEFERRED));
	is_long(emb_conservation_errors(&e), 0, "owners conserved through the failures");

	/* Unpinned, the pages could move, but the deferral still holds. */
	for (unsigned long b = 0; b < z->nr_pageblocks; b++)
		if (pinned[b] >= 0)
			ga_unpin(z, e.obj[pinned[b]].pfn);
	scanned = stat_of(z, GA_STAT_COMPACT_MIGRATE_SCANNED);
	deferred = stat_of(z, GA_STAT_COMPACT_DEFERRED);
	is_long(try_thp(&e), -ENOMEM, "right after unpinning, the attempt is deferred");
	is_long(stat_of(z, GA_STAT_COMPACT_MIGRATE_SCANNED), scanned,
		"a deferred attempt scans nothing");
	is_long(stat_of(z, GA_STAT_COMPACT_DEFERRED), deferred + 2,
		"both its async and sync-light compactions were deferred");
	for (attempts = 1; attempts < 64 && (err = try_thp(&e)); attempts++)
		;
	is_long(err, 0, "a THP is obtained once 2^6 attempts were considered (%u more)",
		attempts);
	ok(attempts >= 16, "not before the deferral ran out");
	is_long(c->defer_shift, 0, "success reset the shift");
	is_long(c->considered, 0, "and the considered count");
	is_long(c->order_failed, THP_ORDER + 1, "compact_order_failed = order + 1");
	is_long(emb_conservation_errors(&e), 0, "owners conserved");
	zone_ok(z, "checker after deferral and success");
	free(pinned);
	emb_destroy(&e);
}

/*
 * Skip hints: a failed direct compaction marks blocks it found nothing
 * in and flags the zone; kswapd's reset clears them; contiguous
 * allocation never sets them.
 */
static void test_skip_hints(void)
{
	struct ga_policy p = compact_policy(true);
	struct embedder e;
	struct ga_zone *z = emb_zone(&e, ZONE_PAGES, 2, &p, NULL);
	long *pinned = calloc(z->nr_pageblocks, sizeof(*pinned));
	struct ga_contig_report r;
	unsigned long set, cleared;

	fragment_alternate(&e);
	is_long(skip_bits(z), 0, "no skip hint on a fresh zone");
	pin_one_per_block(&e, pinned);
	try_thp(&e);
	try_thp(&e);
	set = skip_bits(z);
	ok(set > 0, "failed compactions marked %lu blocks skipped", set);
	is_long(z->compact.blockskip_flush, 1, "a direct compaction's scanners met: flush flagged");

	reset_isolation_suitable(z);
	cleared = set - skip_bits(z);
	ok(cleared > 0 && skip_bits(z) < set, "kswapd's reset cleared %lu hints", cleared);
	is_long(z->compact.blockskip_flush, 0, "and the flag");
	set = skip_bits(z);
	reset_isolation_suitable(z);
	is_long(skip_bits(z), set, "without the flag a reset does nothing");

	for (unsigned long b = 0; b < z->nr_pageblocks; b++)
		if (pinned[b] >= 0)
			ga_unpin(z, e.obj[pinned[b]].pfn);
	is_long(ga_alloc_contig_range(z, 0, 0, PB_PAGES, 77, &r), 0,
		"alloc_contig_range takes the first block");
	is_long(skip_bits(z), set, "and sets no skip hint");
	ga_free_contig_range(z, 0, 0, PB_PAGES);
	is_long(emb_conservation_errors(&e), 0, "owners conserved");
	zone_ok(z, "checker after the skip-hint checks");
	free(pinned);
	emb_destroy(&e);
}

/* ------------------------------------------------------------------------ */

/*
 * The vmstat tick stands for kcompactd's 500 ms timer. pcp.c's
 * ga_vmstat_tick does not call kcompactd_tick yet (that file is not this
 * change's), so a simulated second is both calls.
 */
static void vmstat_second(struct ga_zone *z)
{
	ga_vmstat_tick(z);
	kcompactd_tick(z);
}

struct kcompactd_result {
	unsigned int score_before, score_after;
	unsigned long pending_after_tick, ran, pending_after_run;
	unsigned long thp_before, thp_after;
	uint64_t migrated, proactive, fingerprint;
	unsigned long conservation;
};

/* FNV-1a over every owner's pfn and the buddyinfo. */
static uint64_t fingerprint(struct embedder *e)
{
	struct ga_zone_info info;
	uint64_t h = 1469598103934665603ull;

	for (unsigned long i = 0; i < e->nr; i++)
		h = (h ^ (e->obj[i].live ? e->obj[i].pfn : ~0ull)) * 1099511628211ull;
	ga_zone_info(e->zone, &info);
	for (unsigned int o = 0; o <= info.max_page_order; o++)
		h = (h ^ info.nr_free[o]) * 1099511628211ull;
	return h;
}

static struct kcompactd_result kcompactd_proactive_run(unsigned long long seed)
{
	struct ga_policy p = compact_policy(true);
	struct kcompactd_result r = { 0 };
	struct ga_executor *ex;
	struct embedder e;
	struct ga_zone *z;

	ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 0);
	z = emb_zone(&e, ZONE_PAGES, 2, &p, ex);
	fragment_random(&e, seed);
	r.score_before = compaction_score(z);
	r.thp_before = thp_blocks(z);
	vmstat_second(z);
	r.pending_after_tick = ga_executor_pending(ex);
	r.ran = ga_executor_run_pending(ex);
	r.score_after = compaction_score(z);
	r.thp_after = thp_blocks(z);
	vmstat_second(z);
	r.pending_after_run = ga_executor_pending(ex);
	r.migrated = stat_of(z, GA_STAT_COMPACT_MIGRATED);
	r.proactive = stat_of(z, GA_STAT_COMPACT_PROACTIVE);
	r.conservation = emb_conservation_errors(&e);
	r.fingerprint = fingerprint(&e);
	zone_ok(z, "checker after proactive compaction (seed %llu)", seed);
	emb_destroy(&e);
	ga_executor_destroy(ex);
	return r;
}

static void test_kcompactd_proactive(void)
{
	struct kcompactd_result a = kcompactd_proactive_run(42);
	struct kcompactd_result b = kcompactd_proactive_run(42);
	struct kcompactd_result c = kcompactd_proactive_run(43);

	ok(a.score_before > 90, "fragmented zone scores %u, above the high mark 90",
	   a.score_before);
	is_long(a.pending_after_tick, 1, "the vmstat tick queued kcompactd");
	is_long(a.ran, 1, "run_pending ran it");
	is_long(a.proactive, 1, "one proactive compaction");
	ok(a.score_after <= 80, "the score dropped to %u, at or below the low mark 80",
	   a.score_after);
	ok(a.thp_after > a.thp_before, "free order-9 blocks %lu -> %lu", a.thp_before,
	   a.thp_after);
	ok(a.migrated > 0, "%llu pages migrated", (unsigned long long)a.migrated);
	is_long(a.pending_after_run, 0, "below the high mark the next tick queues nothing");
	is_long(a.conservation, 0, "owners conserved");
	ok(a.fingerprint == b.fingerprint && a.migrated == b.migrated &&
	   a.score_after == b.score_after,
	   "same seed, same result: every pfn and the buddyinfo match (%#llx)",
	   (unsigned long long)a.fingerprint);
	ok(c.fingerprint != a.fingerprint, "another seed gives another layout");
}

/* kswapd's wake at pageblock order: kcompactd compacts until a free
 * order-9 page exists, then stops. */
static void test_kcompactd_wake(void)
{
	struct ga_policy p = compact_policy(true);
	struct ga_executor *ex;
	struct embedder e;
	struct ga_zone *z;

	ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 0);
	z = emb_zone(&e, ZONE_PAGES, 2, &p, ex);
	fragment_alternate(&e);
	wakeup_kcompactd(z, 0);
	is_long(ga_executor_pending(ex), 0, "an order-0 wake is ignored");
	wakeup_kcompactd(z, THP_ORDER);
	is_long(ga_executor_pending(ex), 1, "a pageblock-order wake queues kcompactd");
	is_long(ga_executor_run_pending(ex), 1, "it runs");
	is_long(stat_of(z, GA_STAT_COMPACT_DAEMON_WAKE), 1, "compact_daemon_wake counted");
	ok(thp_blocks(z) >= 1 && thp_blocks(z) <= 4,
	   "it stopped soon after freeing a pageblock (%lu free)", thp_blocks(z));
	is_long(z->compact.defer_shift, 0, "success: no deferral");
	wakeup_kcompactd(z, THP_ORDER);
	is_long(ga_executor_pending(ex), 0,
		"with an order-9 page free, a new wake is not needed");
	is_long(emb_conservation_errors(&e), 0, "owners conserved");
	zone_ok(z, "checker after a woken kcompactd run");
	emb_destroy(&e);
	ga_executor_destroy(ex);
}

/* ------------------------------------------------------------------------ */
/* kcompactd on a worker thread while two threads allocate and free.         */

#define MT_PAGES	(1ul << 14)	/* 64 MiB */
#define MT_WORKERS	2
#define MT_BASE		MT_WORKERS	/* table of the fragmenting base pages */
#define MT_SLOTS	2048		/* per worker */
#define MT_OPS		30000

struct mt_obj {
	ga_pfn_t pfn;
	bool live;
	bool pinned;		/* by the owner, with ga_pin */
};

/* One owner table per thread, locked like the pages' owners would be. */
struct mt_table {
	pthread_mutex_t lock;
	struct mt_obj *obj;
	unsigned int nr;
	unsigned long errors;
};

struct mt_ctx {
	struct ga_zone *zone;
	struct mt_table table[MT_WORKERS + 1];
	int done;		/* the main thread stops the workers */
	bool pin_mode;		/* workers also pin and unpin their pages */
	unsigned long pins, pins_refused;	/* under the tables' locks */
};

struct mt_thread {
	struct mt_ctx *ctx;
	unsigned int id;
	unsigned long ops;
};

static uint64_t mt_owner(unsigned int t, unsigned int slot)
{
	return ((uint64_t)t << 32) | slot;
}

static int mt_migrate(void *ctx, struct ga_zone *z, uint64_t owner,
		      ga_pfn_t old_pfn, ga_pfn_t new_pfn, unsigned int order)
{
	struct mt_ctx *c = ctx;
	struct mt_table *t = &c->table[owner >> 32];
	struct mt_obj *o = &t->obj[(uint32_t)owner];
	int ret = 0;

	(void)z;
	pthread_mutex_lock(&t->lock);
	if (order || (o->live && o->pinned)) {
		t->errors++;	/* a pinned page must never be moved */
		ret = -EBUSY;
	} else if (!o->live || o->pfn != old_pfn) {
		ret = -ENOENT;	/* freed meanwhile: the library completes it */
	} else {
		o->pfn = new_pfn;
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

static const struct ga_ops mt_ops = { .migrate = mt_migrate };

/* Allocate or free one slot. Holding the owner's lock across ga_alloc and
 * ga_free is the page lock: a migration of that owner waits until the
 * table is right. Order-0 allocations never call back into the owner. */
static void mt_toggle(struct mt_ctx *c, unsigned int t, unsigned int slot,
		      unsigned int cpu)
{
	struct mt_table *tab = &c->table[t];
	struct mt_obj *o = &tab->obj[slot];

	pthread_mutex_lock(&tab->lock);
	if (o->live) {
		if (o->pinned && ga_unpin(c->zone, o->pfn))
			tab->errors++;
		o->pinned = false;
		if (ga_free(c->zone, cpu, o->pfn, 0))
			tab->errors++;
		o->live = false;
	} else if (!ga_alloc(c->zone, cpu, 0, GA_GFP_HIGHUSER_MOVABLE,
			     mt_owner(t, slot), &o->pfn)) {
		o->live = true;
	}
	pthread_mutex_unlock(&tab->lock);
}

/*
 * Pin or unpin one live slot, under the owner's lock like GUP under the
 * page lock. A page a mover has isolated cannot be pinned (-EAGAIN): the
 * mover may be waiting on this very lock to tell the owner it moved.
 */
static void mt_pin_toggle(struct mt_ctx *c, unsigned int t, unsigned int slot)
{
	struct mt_table *tab = &c->table[t];
	struct mt_obj *o = &tab->obj[slot];
	int err;

	pthread_mutex_lock(&tab->lock);
	if (o->live && o->pinned) {
		if (ga_unpin(c->zone, o->pfn))
			tab->errors++;
		o->pinned = false;
	} else if (o->live) {
		err = ga_pin(c->zone, o->pfn);
		if (!err) {
			o->pinned = true;
			__atomic_fetch_add(&c->pins, 1, __ATOMIC_RELAXED);
		} else if (err == -EAGAIN) {
			__atomic_fetch_add(&c->pins_refused, 1, __ATOMIC_RELAXED);
		} else {
			tab->errors++;
		}
	}
	pthread_mutex_unlock(&tab->lock);
}

/* Toggle random slots until the main thread is done, at least MT_OPS. */
static void *mt_worker(void *arg)
{
	struct mt_thread *th = arg;
	unsigned long long seed = 1000 + th->id;

	while (th->ops < MT_OPS || !__atomic_load_n(&th->ctx->done, __ATOMIC_ACQUIRE)) {
		unsigned int slot = (unsigned int)(test_rand(&seed) % MT_SLOTS);

		unsigned int r = th->ctx->pin_mode ? (unsigned int)(test_rand(&seed) % 8) : 7;

		/* The base pages are what kcompactd moves: pin those too. */
		if (r < 2)
			mt_pin_toggle(th->ctx, MT_BASE,
				      (unsigned int)(test_rand(&seed) % MT_PAGES));
		else if (r < 3)
			mt_pin_toggle(th->ctx, th->id, slot);
		else
			mt_toggle(th->ctx, th->id, slot, th->id);
		th->ops++;
	}
	return NULL;
}

static unsigned long mt_conservation_errors(struct mt_ctx *c)
{
	unsigned long bad = 0;

	for (unsigned int t = 0; t <= MT_BASE; t++) {
		bad += c->table[t].errors;
		for (unsigned int s = 0; s < c->table[t].nr; s++) {
			const struct mt_obj *o = &c->table[t].obj[s];
			struct ga_page_info pi;

			if (!o->live)
				continue;
			if (ga_page_query(c->zone, o->pfn, &pi) || pi.head_pfn != o->pfn ||
			    pi.state != GA_PAGE_ALLOC || pi.owner != mt_owner(t, s) ||
			    !!pi.pins != o->pinned)
				bad++;
		}
	}
	return bad;
}

/* Base pages in every other pfn of the zone: the score starts near 100. */
static void mt_fragment(struct mt_ctx *c)
{
	struct mt_table *base = &c->table[MT_BASE];

	for (unsigned int s = 0; s < base->nr; s++)
		mt_toggle(c, MT_BASE, s, 0);
	for (unsigned int s = 0; s < base->nr; s++)
		if (base->obj[s].live && (base->obj[s].pfn & 1))
			mt_toggle(c, MT_BASE, s, 0);
	ga_drain_all_pcp(c->zone);
}

static struct mt_ctx *mt_setup(struct ga_executor *ex, const struct ga_policy *p)
{
	struct mt_ctx *c = calloc(1, sizeof(*c));
	struct ga_zone_config cfg;

	ga_zone_config_default(&cfg, 0, MT_PAGES, MT_WORKERS);
	cfg.spb_order = 12;	/* four superpageblocks for the SPB policy */
	cfg.policy = p;
	cfg.ops = &mt_ops;
	cfg.ops_ctx = c;
	cfg.executor = ex;
	ga_zone_create(&c->zone, &cfg);
	for (unsigned int t = 0; t <= MT_BASE; t++) {
		pthread_mutex_init(&c->table[t].lock, NULL);
		c->table[t].nr = t == MT_BASE ? MT_PAGES : MT_SLOTS;
		c->table[t].obj = calloc(c->table[t].nr, sizeof(struct mt_obj));
	}
	return c;
}

static void mt_teardown(struct mt_ctx *c)
{
	ga_zone_destroy(c->zone);
	for (unsigned int t = 0; t <= MT_BASE; t++) {
		pthread_mutex_destroy(&c->table[t].lock);
		free(c->table[t].obj);
	}
	free(c);
}

/*
 * The main thread plays the clock (vmstat seconds) and kswapd
 * (pageblock-order wakes); kcompactd compacts on a worker thread while two
 * threads allocate and free around the fragmented base.
 */
static void test_kcompactd_threads(bool pin_mode, bool spb)
{
	struct ga_policy p = compact_policy(true);
	struct mt_thread th[MT_WORKERS];
	pthread_t tid[MT_WORKERS];
	struct ga_executor *ex;
	unsigned int ticks = 0;
	struct mt_ctx *c;

	if (spb) {
		/* RFC 16, 38, 39: targets from the SPB lists, checks under the lock. */
		ga_policy_preset(&p, "spb");
		p.min_free_kbytes = 1024;
		ok(p.spb_compact_targets && p.spb_compact_skip_tainted &&
		   p.spb_compact_reserve, "spb preset: SPB-aware compaction on");
	}
	ga_executor_create(&ex, GA_EXECUTOR_THREADS, 1);
	c = mt_setup(ex, &p);
	c->pin_mode = pin_mode;
	mt_fragment(c);
	ok(compaction_score(c->zone) > 90, "fragmented base: score %u",
	   compaction_score(c->zone));
	for (unsigned int t = 0; t < MT_WORKERS; t++) {
		th[t] = (struct mt_thread){ .ctx = c, .id = t };
		pthread_create(&tid[t], NULL, mt_worker, &th[t]);
	}
	/* The first second finds the score high: wait for that run (the
	 * workers go on), so a wake cannot satisfy it first. */
	vmstat_second(c->zone);
	ga_executor_run_pending(ex);
	do {
		vmstat_second(c->zone);
		wakeup_kcompactd(c->zone, THP_ORDER);
		nanosleep(&(struct timespec){ .tv_nsec = 200000 }, NULL);
	} while (++ticks < 5 || ga_executor_pending(ex));
	ga_executor_run_pending(ex);
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	for (unsigned int t = 0; t < MT_WORKERS; t++)
		pthread_join(tid[t], NULL);
	ok(th[0].ops >= MT_OPS && th[1].ops >= MT_OPS,
	   "the workers toggled pages throughout (%lu and %lu operations)",
	   th[0].ops, th[1].ops);

	ok(stat_of(c->zone, GA_STAT_COMPACT_PROACTIVE) > 0,
	   "kcompactd ran on the worker thread (%llu proactive runs, %llu woken) in %u s",
	   (unsigned long long)stat_of(c->zone, GA_STAT_COMPACT_PROACTIVE),
	   (unsigned long long)stat_of(c->zone, GA_STAT_COMPACT_DAEMON_WAKE), ticks);
	ok(stat_of(c->zone, GA_STAT_COMPACT_MIGRATED) > 0,
	   "and moved %llu pages beside the workers",
	   (unsigned long long)stat_of(c->zone, GA_STAT_COMPACT_MIGRATED));
	if (spb)
		ok(stat_of(c->zone, GA_STAT_SPB_COMPACT_LIST_TARGETS) > 0,
		   "%llu target pages came from the SPB free lists",
		   (unsigned long long)stat_of(c->zone, GA_STAT_SPB_COMPACT_LIST_TARGETS));
	is_long(mt_conservation_errors(c), 0,
		"every live page is where its owner thinks, with its owner%s",
		pin_mode ? ", pinned iff the owner pinned it, never moved while pinned" : "");
	if (pin_mode)
		ok(c->pins > 0, "the workers pinned %lu times (%lu refused: page isolated)",
		   c->pins, c->pins_refused);
	ga_drain_all_pcp(c->zone);
	zone_ok(c->zone, "checker after concurrent compaction");
	mt_teardown(c);
	ga_executor_destroy(ex);
}

int main(void)
{
	test_compact_zone_raises_high_orders();
	test_compaction_unavailable();
	test_direct_compaction_thp();
	test_deferral();
	test_skip_hints();
	test_kcompactd_proactive();
	test_kcompactd_wake();
	test_kcompactd_threads(false, false);
	test_kcompactd_threads(true, false);
	test_kcompactd_threads(false, true);
	return done_testing();
}
