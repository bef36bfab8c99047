// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The concurrent stress engine (see stress.h).
 *
 * Locking, as an embedder's page lock: each owner has a recursive mutex.
 * A worker holds it across its own ga_alloc (so no callback sees the
 * owner before the allocation is recorded), ga_free, ga_pin and
 * ga_pin_longterm (whose migrate callback runs on the same thread, hence
 * recursive). Callbacks from other threads only trylock, and answer
 * -EAGAIN / -EBUSY / skip when the owner is busy, so no lock order exists
 * between owners and the library's locks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stress.h"

#define OBJ_PER_THREAD 2048
#define CONTIG_PER_THREAD 2
#define CONTIG_OWNER (1ull << 40)
#define RESIZE_SPB_ORDER 13

struct sobj {
	pthread_mutex_t lock;
	ga_pfn_t pfn, last_pfn;	/* last_pfn: where it was when freed */
	uint8_t order, last_order, pins;
	bool live, clean, busy;
};

struct stress;

struct sworker {
	struct stress *s;
	pthread_t thread;
	unsigned int cpu;
	uint64_t rng, ops;
	struct { ga_pfn_t start, end; } contig[CONTIG_PER_THREAD];
	struct stress_result r;	/* per-thread counters, summed at the end */
};

struct stress {
	const struct stress_config *cfg;
	struct ga_zone *z;
	struct ga_executor *ex;
	struct sobj *obj;
	unsigned long nr_obj;
	struct sworker *w;
	pthread_barrier_t barrier;
	uint64_t ops_per_round;		/* per worker between checkpoints */
	uint64_t rounds;
	unsigned int reclaim_cursor;
	unsigned int pageblock_order;
	/* Callback counters, from any thread. */
	uint64_t anomalies, stale, migrations, drops, reclaimed;
	pthread_mutex_t problem_lock;
	char first_problem[512];
	uint64_t invariant_breaks, conservation_breaks, checks;
};

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static void problem(struct stress *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Keep the first problem's description. */
static void problem(struct stress *s, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&s->problem_lock);
	if (!s->first_problem[0]) {
		va_start(ap, fmt);
		vsnprintf(s->first_problem, sizeof(s->first_problem), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&s->problem_lock);
}

static void count(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------------ */
/* Callbacks.                                                                */

/* Lock the owner for a callback; NULL if busy (or not an owner of ours). */
static struct sobj *cb_lock(struct stress *s, uint64_t owner)
{
	struct sobj *o;

	if (owner >= s->nr_obj) {
		count(&s->anomalies);
		problem(s, "callback for owner %llu, never an owner",
			(unsigned long long)owner);
		return NULL;
	}
	o = &s->obj[owner];
	return pthread_mutex_trylock(&o->lock) ? NULL : o;
}

/*
 * The owner no longer holds that page. With threads this is legitimate
 * (ga_ops: the library may ask about a page whose free raced with the
 * callback; the owner answers -ENOENT and the library completes the free),
 * even for a page the owner held a few allocations ago. Counted, not an
 * anomaly: page conservation at the checkpoints tells whether the library
 * then did the right thing.
 */
static int stale(struct stress *s)
{
	count(&s->stale);
	return -ENOENT;
}

static int cb_migrate(void *ctx, struct ga_zone *z, uint64_t owner,
		      ga_pfn_t old_pfn, ga_pfn_t new_pfn, unsigned int order)
{
	struct stress *s = ctx;
	struct sobj *o = cb_lock(s, owner);
	int rc = 0;

	(void)z;
	if (!o)
		return -EAGAIN;
	if (!o->live || o->pfn != old_pfn || o->order != order) {
		rc = stale(s);
	} else if (o->pins) {
		count(&s->anomalies);
		problem(s, "migrate of pinned owner %llu pfn %#llx",
			(unsigned long long)owner, (unsigned long long)old_pfn);
		rc = -EBUSY;
	} else if (o->busy) {
		rc = -EBUSY;
	} else {
		o->pfn = new_pfn;
		count(&s->migrations);
	}
	pthread_mutex_unlock(&o->lock);
	return rc;
}

static int cb_drop(void *ctx, struct ga_zone *z, uint64_t owner, ga_pfn_t pfn,
		   unsigned int order)
{
	struct stress *s = ctx;
	struct sobj *o = cb_lock(s, owner);
	int rc = -EBUSY;

	(void)z;
	if (!o)
		return -EBUSY;
	if (!o->live || o->pfn != pfn || o->order != order) {
		stale(s);	/* drop knows only 0 and -EBUSY */
	} else if (o->pins) {
		count(&s->anomalies);
		problem(s, "drop of pinned owner %llu pfn %#llx",
			(unsigned long long)owner, (unsigned long long)pfn);
	} else if (o->clean && !o->busy) {
		o->live = false;
		o->last_pfn = pfn;
		o->last_order = (uint8_t)order;
		count(&s->drops);
		rc = 0;
	}
	pthread_mutex_unlock(&o->lock);
	return rc;
}

static unsigned long cb_reclaim(void *ctx, struct ga_zone *z,
				const struct ga_reclaim_request *req)
{
	struct stress *s = ctx;
	unsigned long freed = 0;
	unsigned int start = __atomic_fetch_add(&s->reclaim_cursor, 97, __ATOMIC_RELAXED);

	for (unsigned long k = 0; k < 4096 && freed < req->nr_to_reclaim; k++) {
		struct sobj *o = &s->obj[(start + k) % s->nr_obj];

		if (pthread_mutex_trylock(&o->lock))
			continue;
		if (o->live && o->clean && !o->pins) {
			o->live = false;
			o->last_pfn = o->pfn;
			o->last_order = o->order;
			if (ga_free(z, req->cpu, o->pfn, o->order)) {
				count(&s->anomalies);
				problem(s, "reclaim: ga_free of owner's pfn %#llx failed",
					(unsigned long long)o->pfn);
			}
			freed += 1ul << o->order;
		}
		pthread_mutex_unlock(&o->lock);
	}
	__atomic_fetch_add(&s->reclaimed, freed, __ATOMIC_RELAXED);
	return freed;
}

static const struct ga_ops stress_ops = {
	.reclaim = cb_reclaim, .migrate = cb_migrate, .drop = cb_drop,
};

/* ------------------------------------------------------------------------ */
/* Operations.                                                               */

static void unexpected(struct sworker *w, const char *what, int rc)
{
	w->r.unexpected_errors++;
	problem(w->s, "%s returned %d", what, rc);
}

static void do_alloc(struct sworker *w, struct sobj *o, unsigned long owner, uint64_t r)
{
	static const unsigned int gfps[] = {
		GA_GFP_HIGHUSER_MOVABLE, GA_GFP_HIGHUSER_MOVABLE, GA_GFP_HIGHUSER_MOVABLE,
		GA_GFP_KERNEL, GA_GFP_KERNEL_RECLAIMABLE, GA_GFP_ATOMIC,
		GA_GFP_TRANSHUGE_LIGHT, GA_GFP_NOWAIT,
	};
	static const uint8_t orders[] = { 0, 0, 0, 0, 0, 1, 2, 3 };
	unsigned int gfp = gfps[r % 8];
	unsigned int order = (r >> 8) % 64 == 0 ? w->s->pageblock_order : orders[(r >> 3) % 8];
	ga_pfn_t pfn;
	int rc;

	if (gfp == GA_GFP_TRANSHUGE_LIGHT)
		order = w->s->pageblock_order;
	rc = ga_alloc(w->s->z, w->cpu, order, gfp, owner, &pfn);
	if (rc == -ENOMEM) {
		w->r.alloc_fail++;
		return;
	}
	if (rc) {
		unexpected(w, "ga_alloc", rc);
		return;
	}
	o->pfn = pfn;
	o->order = (uint8_t)order;
	o->pins = 0;
	o->clean = (r >> 16) % 4 != 0;
	o->busy = (r >> 20) % 32 == 0;
	o->live = true;
	w->r.allocs++;
}

static void do_free(struct sworker *w, struct sobj *o)
{
	int rc;

	while (o->pins) {
		rc = ga_unpin(w->s->z, o->pfn);
		if (rc) {
			unexpected(w, "ga_unpin", rc);
			return;
		}
		o->pins--;
	}
	o->live = false;
	o->last_pfn = o->pfn;
	o->last_order = o->order;
	rc = ga_free(w->s->z, w->cpu, o->pfn, o->order);
	if (rc)
		unexpected(w, "ga_free", rc);
	w->r.frees++;
}

static void do_pin(struct sworker *w, struct sobj *o, uint64_t r)
{
	ga_pfn_t where;
	int rc;

	if (o->pins && r % 2) {
		rc = ga_unpin(w->s->z, o->pfn);
		if (rc)
			unexpected(w, "ga_unpin", rc);
		else
			o->pins--;
		return;
	}
	if (o->pins >= 4)
		return;
	if (r % 4 == 0) {
		rc = ga_pin_longterm(w->s->z, w->cpu, o->pfn, &where);
		if (rc == 0 && where != o->pfn) {
			count(&w->s->anomalies);
			problem(w->s, "pinned at %#llx, the owner heard of %#llx",
				(unsigned long long)where, (unsigned long long)o->pfn);
		}
		if (rc == 0)
			w->r.longterm_pins++;
	} else {
		rc = ga_pin(w->s->z, o->pfn);
	}
	if (rc == 0) {
		o->pins++;
		w->r.pins++;
	} else if (rc != -EAGAIN) {
		unexpected(w, "ga_pin", rc);
	}
}

static void do_contig(struct sworker *w, uint64_t r)
{
	unsigned int slot = r % CONTIG_PER_THREAD;
	unsigned int order = w->s->pageblock_order + (unsigned int)((r >> 4) % 2);
	ga_pfn_t pfn;
	int rc;

	if (w->contig[slot].end) {
		rc = ga_free_contig_range(w->s->z, w->cpu, w->contig[slot].start,
					  w->contig[slot].end);
		if (rc)
			unexpected(w, "ga_free_contig_range", rc);
		w->contig[slot].end = 0;
		return;
	}
	rc = ga_alloc_contig_pages(w->s->z, w->cpu, order,
				   CONTIG_OWNER + w->cpu * CONTIG_PER_THREAD + slot, &pfn, NULL);
	if (rc == 0) {
		w->contig[slot].start = pfn;
		w->contig[slot].end = pfn + (1ull << order);
		w->r.contig_ok++;
	} else if (rc != -EBUSY && rc != -ENOMEM) {
		unexpected(w, "ga_alloc_contig_pages", rc);
	}
}

/* Move the zone's end to a random superpageblock boundary. */
static void do_resize(struct sworker *w, uint64_t r)
{
	struct ga_zone_info zi;
	struct ga_contig_report rep;
	unsigned long spb = 1ul << RESIZE_SPB_ORDER;
	unsigned long max_spbs = 2 * w->s->cfg->nr_pages / spb;
	ga_pfn_t end = (ga_pfn_t)(max_spbs / 4 + r % (max_spbs - max_spbs / 4 + 1)) * spb;
	int rc;

	ga_zone_info(w->s->z, &zi);
	rc = ga_zone_resize(w->s->z, w->cpu, end, &rep);
	if (rc == 0 && end > zi.end_pfn)
		w->r.grows++;
	else if (rc == 0 && end < zi.end_pfn)
		w->r.shrinks++;
	else if (rc == -EBUSY || rc == -ENOMEM)
		w->r.shrink_refused++;
	else if (rc)
		unexpected(w, "ga_zone_resize", rc);
}

static void one_op(struct sworker *w)
{
	struct stress *s = w->s;
	uint64_t r = rnd(&w->rng);
	unsigned int what = r % 1000;
	unsigned long owner = s->cfg->cross_cpu ?
			      (r >> 10) % s->nr_obj :
			      w->cpu * OBJ_PER_THREAD + (r >> 10) % OBJ_PER_THREAD;
	struct sobj *o = &s->obj[owner];

	if (s->cfg->contig && what < 2) {
		do_contig(w, r >> 12);
		return;
	}
	if (s->cfg->compact && what < 3 && what >= 2) {
		int rc = ga_compact_zone(s->z, w->cpu, (int)(r >> 12) % 3 ? 9 : -1,
					 (r >> 20) % 2);

		if (rc < 0 && rc != -EAGAIN && rc != -EOPNOTSUPP)
			unexpected(w, "ga_compact_zone", rc);
		w->r.compactions++;
		return;
	}
	if (what < 5) {
		ga_drain_pcp(s->z, w->cpu);
		return;
	}
	if (s->cfg->resize && what < 7) {
		do_resize(w, r >> 12);
		return;
	}
	pthread_mutex_lock(&o->lock);
	if (what < 60 && o->live)
		do_pin(w, o, r >> 40);
	else if (o->live)
		do_free(w, o);
	else
		do_alloc(w, o, owner, r >> 24);
	pthread_mutex_unlock(&o->lock);
}

/* ------------------------------------------------------------------------ */
/* Checkpoints.                                                              */

static void checkpoint(struct stress *s)
{
	struct ga_zone_info zi;
	char err[512];
	unsigned long held = 0, bad = 0, allocated;

	if (s->ex)
		ga_executor_run_pending(s->ex);
	s->checks++;
	if (ga_zone_check(s->z, err, sizeof(err))) {
		s->invariant_breaks++;
		problem(s, "checker: %s", err);
	}
	for (unsigned long i = 0; i < s->nr_obj; i++) {
		struct sobj *o = &s->obj[i];
		struct ga_page_info pi;

		if (!o->live)
			continue;
		held += 1ul << o->order;
		if (ga_page_query(s->z, o->pfn, &pi) || pi.state != GA_PAGE_ALLOC ||
		    pi.owner != i || pi.order != o->order || pi.pins != o->pins ||
		    pi.isolated)
			bad++;
	}
	for (unsigned int t = 0; t < s->cfg->threads; t++)
		for (unsigned int c = 0; c < CONTIG_PER_THREAD; c++)
			if (s->w[t].contig[c].end)
				held += s->w[t].contig[c].end - s->w[t].contig[c].start;
	ga_zone_info(s->z, &zi);
	allocated = zi.managed_pages - zi.free_pages - zi.pcp_pages;
	if (bad || allocated != held) {
		s->conservation_breaks++;
		problem(s, "conservation: %lu owners misplaced, zone allocated - owners "
			"held = %ld pages", bad, (long)(allocated - held));
	}
}

static void *worker(void *arg)
{
	struct sworker *w = arg;
	struct stress *s = w->s;

	for (uint64_t round = 0; round < s->rounds; round++) {
		for (uint64_t i = 0; i < s->ops_per_round; i++)
			one_op(w);
		w->r.ops += s->ops_per_round;
		if (pthread_barrier_wait(&s->barrier) == PTHREAD_BARRIER_SERIAL_THREAD)
			checkpoint(s);
		pthread_barrier_wait(&s->barrier);
	}
	return NULL;
}

/* Free everything at the end: the zone must be wholly free again. */
static void teardown(struct stress *s)
{
	struct ga_zone_info zi;

	for (unsigned int t = 0; t < s->cfg->threads; t++) {
		struct sworker *w = &s->w[t];

		for (unsigned long k = 0; k < OBJ_PER_THREAD; k++) {
			struct sobj *o = &s->obj[t * OBJ_PER_THREAD + k];

			if (o->live)
				do_free(w, o);
		}
		for (unsigned int c = 0; c < CONTIG_PER_THREAD; c++)
			if (w->contig[c].end)
				do_contig(w, c);
	}
	if (s->ex)
		ga_executor_run_pending(s->ex);
	ga_drain_all_pcp(s->z);
	ga_zone_info(s->z, &zi);
	if (zi.free_pages != zi.managed_pages) {
		s->conservation_breaks++;
		problem(s, "after freeing everything %llu of %llu pages are free",
			(unsigned long long)zi.free_pages, (unsigned long long)zi.managed_pages);
	}
	checkpoint(s);
}

static int setup(struct stress *s, const struct stress_config *cfg)
{
	struct ga_zone_config zc;
	struct ga_policy p;
	pthread_mutexattr_t ma;
	int err;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	pthread_mutex_init(&s->problem_lock, NULL);
	if (ga_policy_preset(&p, cfg->preset))
		return -ENOENT;
	for (unsigned int i = 0; cfg->set && cfg->set[i]; i++)
		if ((err = ga_policy_set_assignment(&p, cfg->set[i])))
			return err;
	p.min_free_kbytes = 256;
	if (cfg->exec_threads &&
	    (err = ga_executor_create(&s->ex, GA_EXECUTOR_THREADS, cfg->exec_threads)))
		return err;
	ga_zone_config_default(&zc, 0, cfg->nr_pages, cfg->threads);
	zc.spb_order = RESIZE_SPB_ORDER;	/* several superpageblocks in a small zone */
	if (cfg->resize)
		zc.max_end_pfn = 2 * cfg->nr_pages;
	zc.policy = &p;
	zc.ops = &stress_ops;
	zc.ops_ctx = s;
	zc.executor = s->ex;
	err = ga_zone_create(&s->z, &zc);
	if (err)
		return err;
	s->pageblock_order = zc.pageblock_order;
	s->nr_obj = (unsigned long)cfg->threads * OBJ_PER_THREAD;
	s->obj = calloc(s->nr_obj, sizeof(*s->obj));
	s->w = calloc(cfg->threads, sizeof(*s->w));
	if (!s->obj || !s->w)
		return -ENOMEM;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	for (unsigned long i = 0; i < s->nr_obj; i++)
		pthread_mutex_init(&s->obj[i].lock, &ma);
	pthread_mutexattr_destroy(&ma);
	s->ops_per_round = cfg->check_every / cfg->threads;
	if (!s->ops_per_round)
		s->ops_per_round = 1;
	s->rounds = (cfg->ops + s->ops_per_round * cfg->threads - 1) /
		    (s->ops_per_round * cfg->threads);
	pthread_barrier_init(&s->barrier, NULL, cfg->threads);
	for (unsigned int t = 0; t < cfg->threads; t++)
		s->w[t] = (struct sworker){ .s = s, .cpu = t,
					    .rng = cfg->seed * 0x9E3779B97F4A7C15ull + t + 1 };
	return 0;
}

int stress_run(const struct stress_config *cfg, struct stress_result *res)
{
	struct stress s;
	int err = setup(&s, cfg);

	memset(res, 0, sizeof(*res));
	if (err) {
		snprintf(res->first_problem, sizeof(res->first_problem),
			 "setup failed: %d", err);
		res->unexpected_errors = 1;
		return err;
	}
	for (unsigned int t = 0; t < cfg->threads; t++)
		pthread_create(&s.w[t].thread, NULL, worker, &s.w[t]);
	for (unsigned int t = 0; t < cfg->threads; t++)
		pthread_join(s.w[t].thread, NULL);
	teardown(&s);
	for (unsigned int t = 0; t < cfg->threads; t++) {
		const struct stress_result *r = &s.w[t].r;

		res->ops += r->ops;
		res->unexpected_errors += r->unexpected_errors;
		res->allocs += r->allocs;
		res->frees += r->frees;
		res->alloc_fail += r->alloc_fail;
		res->pins += r->pins;
		res->longterm_pins += r->longterm_pins;
		res->contig_ok += r->contig_ok;
		res->compactions += r->compactions;
		res->grows += r->grows;
		res->shrinks += r->shrinks;
		res->shrink_refused += r->shrink_refused;
	}
	res->checks = s.checks;
	res->invariant_breaks = s.invariant_breaks;
	res->conservation_breaks = s.conservation_breaks;
	res->anomalies = s.anomalies;
	res->stale_callbacks = s.stale;
	res->migrations = s.migrations;
	res->drops = s.drops;
	res->reclaimed = s.reclaimed;
	memcpy(res->first_problem, s.first_problem, sizeof(res->first_problem));
	ga_zone_destroy(s.z);
	if (s.ex)
		ga_executor_destroy(s.ex);
	for (unsigned long i = 0; i < s.nr_obj; i++)
		pthread_mutex_destroy(&s.obj[i].lock);
	pthread_barrier_destroy(&s.barrier);
	pthread_mutex_destroy(&s.problem_lock);
	free(s.obj);
	free(s.w);
	return res->invariant_breaks || res->conservation_breaks || res->anomalies ||
	       res->unexpected_errors ? -EUCLEAN : 0;
}
