// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Slab-shrink pressure (RFC 28): a constructed A/B scenario whose outcome
 * (which superpageblocks get tainted) is asserted with the switch on and
 * off, on the deterministic executor; and a threaded run where the
 * shrinker frees pages on a worker thread while other threads allocate
 * and free (run under ThreadSanitizer).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define GIB (1ul << 18)
#define ORDER 3

/* A slab cache: objects of 2^ORDER pages, oldest first; busy ones stay. */
struct slab {
	pthread_mutex_t lock;
	struct ga_zone *zone;
	ga_pfn_t *pfn;
	unsigned char *state;	/* 0 free, 1 idle (shrinkable), 2 busy */
	unsigned long nr, cap, oldest;	/* oldest: where the LRU scan starts */
	unsigned long shrink_calls, shrunk_pages, asked;
	bool rescan;		/* slots fill out of order: scan from 0 each time */
};

enum { OBJ_FREE, OBJ_IDLE, OBJ_BUSY };

static void slab_init(struct slab *s, unsigned long cap)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->cap = cap;
	s->pfn = calloc(cap, sizeof(*s->pfn));
	s->state = calloc(cap, 1);
	if (!s->pfn || !s->state)
		abort();
}

static void slab_fini(struct slab *s)
{
	free(s->pfn);
	free(s->state);
	pthread_mutex_destroy(&s->lock);
}

/* The shrinker: idle objects go, oldest first, until enough is freed. */
static unsigned long slab_shrink(void *ctx, struct ga_zone *zone,
				 const struct ga_shrink_request *req)
{
	struct slab *s = ctx;
	unsigned long got = 0;

	pthread_mutex_lock(&s->lock);
	s->shrink_calls++;
	s->asked += req->nr_to_free;
	if (s->rescan)
		s->oldest = 0;
	for (; s->oldest < s->nr && got < req->nr_to_free; s->oldest++) {
		unsigned long i = s->oldest;

		if (s->state[i] != OBJ_IDLE)
			continue;
		if (ga_free(zone, req->cpu, s->pfn[i], ORDER) == 0) {
			s->state[i] = OBJ_FREE;
			got += 1ul << ORDER;
		}
	}
	s->shrunk_pages += got;
	pthread_mutex_unlock(&s->lock);
	return got;
}

static const struct ga_ops slab_ops = { .shrink = slab_shrink };

static struct ga_policy shrink_policy(bool on)
{
	struct ga_policy p;

	ga_policy_preset(&p, "spb");
	p.pcp = false;
	p.min_free_kbytes = 64;
	p.watermark_boost_factor = 0;
	p.highatomic = false;
	p.spb_shrink = on;
	return p;
}

static struct ga_zone *shrink_zone(struct slab *s, const struct ga_policy *p,
				   unsigned long nr_pages, unsigned int cpus,
				   struct ga_executor *ex)
{
	struct ga_zone_config cfg;
	struct ga_zone *z;

	ga_zone_config_default(&cfg, 0, nr_pages, cpus);
	cfg.policy = p;
	cfg.ops = &slab_ops;
	cfg.ops_ctx = s;
	cfg.executor = ex;
	if (ga_zone_create(&z, &cfg))
		abort();
	s->zone = z;
	return z;
}

static int category(struct ga_zone *z, unsigned long spb)
{
	struct ga_spb_info info;

	ga_spb_query(z, spb, &info);
	return info.category;
}

static uint64_t stat_of(struct ga_zone *z, enum ga_stat_item item)
{
	struct ga_stats st;

	ga_zone_stats(z, &st);
	return st.v[item];
}

/*
 * A reclaimable cache, half of it in use, grows to 1.25 GiB in a 2 GiB
 * zone; the background work runs every 16 allocations (as the simulator
 * runs it every tick). No reclaim callback: only the shrinker can free.
 * Returns how many SPBs ended tainted.
 */
static unsigned long grow_scenario(bool on, unsigned long *shrunk,
				   unsigned long *calls, uint64_t *wanted)
{
	struct ga_policy p = shrink_policy(on);
	unsigned long total = (5 * GIB / 4) >> ORDER, tainted = 0;
	struct ga_executor *ex;
	struct ga_zone *z;
	struct slab s;

	slab_init(&s, total);
	if (ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 0))
		abort();
	z = shrink_zone(&s, &p, 2 * GIB, 1, ex);
	for (unsigned long i = 0; i < total; i++) {
		if (ga_alloc(z, 0, ORDER, GA_GFP_KERNEL_RECLAIMABLE, i, &s.pfn[i]))
			break;
		s.state[i] = (i & 1) ? OBJ_BUSY : OBJ_IDLE;
		s.nr = i + 1;
		if (i % 16 == 15)
			ga_executor_run_pending(ex);
		if (i % 8192 == 0)
			zone_ok(z, "shrink %d: checker after %lu objects", on, i);
	}
	ga_executor_run_pending(ex);
	is_long(s.nr, total, "shrink %d: every allocation succeeded", on);
	for (unsigned long i = 0; i < ga_zone_nr_spbs(z); i++)
		tainted += category(z, i) == GA_SPB_TAINTED;
	*shrunk = s.shrunk_pages;
	*calls = s.shrink_calls;
	*wanted = stat_of(z, GA_STAT_SPB_SHRINK_WANTED);
	is_long(stat_of(z, GA_STAT_SPB_SHRINK_CALLS), s.shrink_calls,
		"shrink %d: the library counts the calls the shrinker saw", on);
	is_long(stat_of(z, GA_STAT_SPB_SHRINK_PAGES), s.shrunk_pages,
		"shrink %d: ... and the pages it freed", on);
	ok(s.asked <= s.shrink_calls * p.spb_shrink_batch,
	   "shrink %d: no call asked for more than spb_shrink_batch", on);
	zone_ok(z, "shrink %d: checker at the end", on);
	ga_zone_destroy(z);
	ga_executor_destroy(ex);
	slab_fini(&s);
	return tainted;
}

static void test_shrink_keeps_one_spb(void)
{
	unsigned long shrunk, calls;
	uint64_t wanted;

	is_long(grow_scenario(true, &shrunk, &calls, &wanted), 1,
		"shrink on: the cache stays in the one SPB it tainted");
	ok(calls > 0 && shrunk >= GIB / 4,
	   "shrink on: the shrinker freed the growth (%lu pages in %lu calls)",
	   shrunk, calls);
	ok(wanted >= calls, "shrink on: triggers (%llu) merge into calls",
	   (unsigned long long)wanted);
	is_long(grow_scenario(false, &shrunk, &calls, &wanted), 2,
		"shrink off: the growth taints the second SPB");
	is_long(calls, 0, "shrink off: the shrinker is never called");
	is_long(wanted, 0, "shrink off: nothing is triggered");
}

/*
 * The trigger's two halves, one allocation each: tainting an empty SPB
 * asks for its whole high-water mark (capped by the batch); a tainted SPB
 * with room above the mark asks for nothing.
 */
static void test_shrink_triggers(void)
{
	struct ga_policy p = shrink_policy(true);
	struct ga_executor *ex;
	struct ga_zone *z;
	struct slab s;
	ga_pfn_t pfn;

	slab_init(&s, 4);
	p.spb_shrink_batch = 100;
	if (ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 0))
		abort();
	z = shrink_zone(&s, &p, 2 * GIB, 1, ex);
	ga_alloc(z, 0, 0, GA_GFP_KERNEL_RECLAIMABLE, 0, &pfn);
	is_long(ga_executor_pending(ex), 1, "taint time: one shrink is queued");
	is_long(stat_of(z, GA_STAT_SPB_SHRINK_WANTED), 1, "taint time: one trigger");
	ga_executor_run_pending(ex);
	is_long(s.shrink_calls, 1, "taint time: the shrinker ran once");
	is_long(s.asked, 100, "taint time: asked for the batch (mark > batch)");
	ga_alloc(z, 0, 0, GA_GFP_KERNEL_RECLAIMABLE, 1, &pfn);
	is_long(ga_executor_pending(ex), 0,
		"a tainted SPB far above its mark queues nothing");
	is_long(stat_of(z, GA_STAT_SPB_SHRINK_WANTED), 1, "... and counts no trigger");
	ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 2, &pfn);
	is_long(ga_executor_pending(ex), 0, "movable allocations never trigger");
	zone_ok(z, "triggers: checker");
	ga_zone_destroy(z);
	ga_executor_destroy(ex);
	slab_fini(&s);
}

/* ------------------------------------------------------------------------ */
/* Threads: the shrinker frees on a worker while two threads allocate.      */

#define THR_OBJS 6000

struct thr_arg {
	struct slab *s;
	unsigned int cpu;
	unsigned long base;	/* this thread's slice of the object table */
	int errors;
};

static void *alloc_thread(void *argp)
{
	struct thr_arg *a = argp;
	struct slab *s = a->s;
	unsigned long long rng = 0x9e3779b97f4a7c15ull * (a->cpu + 1);

	for (unsigned long n = 0; n < THR_OBJS; n++) {
		unsigned long i = a->base + n;
		ga_pfn_t pfn;

		if (ga_alloc(s->zone, a->cpu, ORDER, GA_GFP_KERNEL_RECLAIMABLE,
			     i, &pfn))
			continue;	/* no memory left: fine, the shrinker runs */
		pthread_mutex_lock(&s->lock);
		s->pfn[i] = pfn;
		s->state[i] = (test_rand(&rng) & 3) ? OBJ_IDLE : OBJ_BUSY;
		/* Free one busy object now and then, as a cache does. */
		if (n > 64 && s->state[i - 64] == OBJ_BUSY && !(test_rand(&rng) & 7)) {
			if (ga_free(s->zone, a->cpu, s->pfn[i - 64], ORDER))
				a->errors++;
			s->state[i - 64] = OBJ_FREE;
		}
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

/* The shrinker walks a table shared by the threads (its LRU). */
static void test_shrink_threads(void)
{
	struct ga_policy p = shrink_policy(true);
	struct thr_arg args[2];
	pthread_t th[2];
	struct ga_executor *ex;
	struct ga_zone *z;
	struct slab s;
	unsigned long live = 0;
	struct ga_zone_info zi;

	p.pcp = true;
	slab_init(&s, 2 * THR_OBJS);
	s.nr = 2 * THR_OBJS;	/* the shrinker scans the whole table */
	s.rescan = true;
	if (ga_executor_create(&ex, GA_EXECUTOR_THREADS, 2))
		abort();
	/* 64 MiB SPBs of 32 pageblocks, so the threads fill several. */
	{
		struct ga_zone_config cfg;

		ga_zone_config_default(&cfg, 0, 1ul << 16, 2);
		cfg.spb_order = 14;
		cfg.policy = &p;
		cfg.ops = &slab_ops;
		cfg.ops_ctx = &s;
		cfg.executor = ex;
		if (ga_zone_create(&z, &cfg))
			abort();
		s.zone = z;
	}
	for (unsigned int t = 0; t < 2; t++) {
		args[t] = (struct thr_arg){ .s = &s, .cpu = t, .base = t * THR_OBJS };
		pthread_create(&th[t], NULL, alloc_thread, &args[t]);
	}
	for (unsigned int t = 0; t < 2; t++)
		pthread_join(th[t], NULL);
	ga_executor_run_pending(ex);
	is_long(args[0].errors + args[1].errors, 0, "threads: every free succeeded");
	ok(stat_of(z, GA_STAT_SPB_SHRINK_CALLS) > 0,
	   "threads: the shrinker ran on a worker (%llu calls, %llu pages)",
	   (unsigned long long)stat_of(z, GA_STAT_SPB_SHRINK_CALLS),
	   (unsigned long long)stat_of(z, GA_STAT_SPB_SHRINK_PAGES));
	pthread_mutex_lock(&s.lock);
	for (unsigned long i = 0; i < s.nr; i++)
		live += s.state[i] != OBJ_FREE;
	pthread_mutex_unlock(&s.lock);
	ga_drain_all_pcp(z);
	ga_zone_info(z, &zi);
	is_long(zi.managed_pages - zi.free_pages, live << ORDER,
		"threads: allocated pages are exactly the live objects");
	zone_ok(z, "threads: checker");
	ga_zone_destroy(z);
	ga_executor_destroy(ex);
	slab_fini(&s);
}

int main(void)
{
	test_shrink_triggers();
	test_shrink_keeps_one_spb();
	test_shrink_threads();
	return done_testing();
}
