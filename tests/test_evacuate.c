// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Asynchronous evacuation of claimed pageblocks (RFC patch 06): a claim
 * queues exactly one item, the worker empties the block of movable pages,
 * pool exhaustion drops and counts, a block back to MOVABLE is skipped,
 * pinned pages stay and are reported, claims refuse a block under
 * evacuation, the manual executor is deterministic and the threaded one
 * runs under TSan while other threads allocate and free.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "embedder.h"
#include "harness.h"
#include "internal.h"
#include "mt_embedder.h"
#include "zone_fixture.h"

#define NR_PAGES 16384ul
#define BLOCK_B (5 * 512ul)

static struct ga_policy evac_policy(unsigned int pool)
{
	struct ga_policy p = test_policy(false);

	p.evacuate = true;
	p.evacuate_pool = pool;
	p.min_free_kbytes = 4;
	p.watermark_boost_factor = 0;
	return p;
}

/* Free the embedder's objects whose pages lie in [start, start + n). */
static void free_owned_range(struct embedder *e, ga_pfn_t start, unsigned long n,
			     unsigned long stride)
{
	for (unsigned long i = 0; i < e->nr; i++) {
		ga_pfn_t pfn = e->obj[i].pfn;

		if (e->obj[i].live && pfn >= start && pfn < start + n &&
		    (pfn - start) % stride == 0)
			emb_free(e, i);
	}
}

/*
 * A zone full of dirty movable pages owned by the embedder; block B has 300
 * free pages (enough for an unmovable claim) and blocks 8 and 9 have 128
 * scattered free order-0 pages each, room for the evacuated pages.
 */
static struct ga_zone *claim_setup(struct embedder *e, struct ga_policy *p,
				   struct ga_executor *ex)
{
	struct ga_zone *z = emb_zone(e, NR_PAGES, 1, p, ex);

	while (emb_alloc(e, 0, GA_GFP_HIGHUSER_MOVABLE, true) >= 0)
		;
	free_owned_range(e, BLOCK_B, 300, 1);
	free_owned_range(e, 8 * 512, 512, 4);
	free_owned_range(e, 9 * 512, 512, 4);
	return z;
}

static long claim_block_b(struct embedder *e)
{
	long u = emb_alloc(e, 0, GA_GFP_KERNEL, true);

	if (u < 0 || e->obj[u].pfn < BLOCK_B || e->obj[u].pfn >= BLOCK_B + 512)
		return -1;
	return u;
}

static void test_claim_queues_and_evacuates(void)
{
	struct ga_policy p = evac_policy(64);
	struct ga_executor *ex;
	struct ga_pageblock_info bi;
	struct embedder e;
	struct ga_zone *z;

	ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 0);
	z = claim_setup(&e, &p, ex);
	ok(claim_block_b(&e) >= 0, "an unmovable request claims the half-free block");
	ga_pageblock_query(z, BLOCK_B, &bi);
	is_long(bi.migratetype, GA_MT_UNMOVABLE, "the block is Unmovable now");
	is_long(bi.nr_alloc[GA_MT_MOVABLE], 212, "with 212 movable pages still in it");
	ok(bi.evacuating, "and marked for evacuation");
	is_long(stat_of(z, GA_STAT_EVAC_QUEUED), 1, "the claim queued exactly one item");
	is_long(ga_executor_pending(ex), 1, "one item is pending");
	zone_ok(z, "checker with an evacuation pending");

	is_long(ga_executor_run_pending(ex), 1, "the worker runs it");
	ga_pageblock_query(z, BLOCK_B, &bi);
	is_long(bi.nr_alloc[GA_MT_MOVABLE], 0, "the block holds no movable page now");
	is_long(bi.nr_alloc[GA_MT_UNMOVABLE], 1, "only its unmovable allocation");
	ok(!bi.evacuating, "and is no longer marked");
	is_long(stat_of(z, GA_STAT_EVAC_PAGES_MIGRATED), 212, "212 pages migrated");
	is_long(stat_of(z, GA_STAT_EVAC_BLOCKS_CLEAN), 1, "one block ended clean");
	is_long(emb_conservation_errors(&e), 0, "every owner still holds exactly its pages");
	zone_ok(z, "checker after evacuation");
	emb_destroy(&e);
	ga_executor_destroy(ex);
}

static void test_pool_exhaustion(void)
{
	struct ga_policy p = evac_policy(1);
	struct ga_executor *ex;
	struct embedder e;
	struct ga_zone *z;

	ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 0);
	z = claim_setup(&e, &p, ex);
	free_owned_range(&e, 12 * 512, 300, 1);		/* a second claimable block */
	ok(emb_alloc(&e, 0, GA_GFP_KERNEL, true) >= 0 &&
	   stat_of(z, GA_STAT_CLAIM_PARTIAL) == 1, "first claim");
	/* Use up the claimed block's free pages so a request claims again. */
	while (stat_of(z, GA_STAT_CLAIM_PARTIAL) < 2 &&
	       emb_alloc(&e, 0, GA_GFP_KERNEL, true) >= 0)
		;
	is_long(stat_of(z, GA_STAT_CLAIM_PARTIAL), 2, "a second block was claimed");
	is_long(stat_of(z, GA_STAT_EVAC_QUEUED), 1, "only one item could be queued");
	is_long(stat_of(z, GA_STAT_EVAC_DROPPED), 1, "the other claim was dropped and counted");
	is_long(ga_executor_run_pending(ex), 1, "one evacuation runs");
	is_long(emb_conservation_errors(&e), 0, "owners conserved");
	zone_ok(z, "checker after pool exhaustion");
	emb_destroy(&e);
	ga_executor_destroy(ex);
}

static void test_skip_if_movable_again(void)
{
	struct ga_policy p = evac_policy(64);
	struct ga_executor *ex;
	struct embedder e;
	struct ga_zone *z;

	ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 0);
	z = claim_setup(&e, &p, ex);
	ok(claim_block_b(&e) >= 0, "claim");
	ga_lock(&z->lock);
	move_freepages_block(z, BLOCK_B, GA_MT_UNMOVABLE, GA_MT_MOVABLE);
	ga_unlock(&z->lock);
	ga_executor_run_pending(ex);
	is_long(stat_of(z, GA_STAT_EVAC_SKIPPED), 1,
		"a block relabelled MOVABLE before the worker ran is skipped");
	is_long(stat_of(z, GA_STAT_EVAC_RUN), 0, "and not walked");
	is_long(stat_of(z, GA_STAT_PGMIGRATE_SUCCESS), 0, "nothing migrated");
	zone_ok(z, "checker after a skip");
	emb_destroy(&e);
	ga_executor_destroy(ex);
}

static void test_pinned_stay(void)
{
	struct ga_policy p = evac_policy(64);
	struct ga_executor *ex;
	struct ga_pageblock_info bi;
	struct embedder e;
	struct ga_zone *z;
	int pinned = 0;

	ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 0);
	z = claim_setup(&e, &p, ex);
	for (unsigned long i = 0; i < e.nr && pinned < 5; i++)
		if (e.obj[i].live && e.obj[i].pfn >= BLOCK_B + 400 &&
		    e.obj[i].pfn < BLOCK_B + 512)
			pinned += ga_pin(z, e.obj[i].pfn) == 0;
	is_long(pinned, 5, "pin 5 movable pages of the block");
	ok(claim_block_b(&e) >= 0, "claim");
	ga_executor_run_pending(ex);
	ga_pageblock_query(z, BLOCK_B, &bi);
	is_long(bi.nr_alloc[GA_MT_MOVABLE], 5, "the 5 pinned pages stay");
	is_long(stat_of(z, GA_STAT_EVAC_PAGES_PINNED), 5, "and are reported as pinned");
	is_long(stat_of(z, GA_STAT_EVAC_PAGES_MIGRATED), 207, "the other 207 moved");
	is_long(stat_of(z, GA_STAT_EVAC_BLOCKS_DIRTY), 1, "the block ended with movable pages");
	is_long(emb_conservation_errors(&e), 0, "owners conserved");
	zone_ok(z, "checker");
	emb_destroy(&e);
	ga_executor_destroy(ex);
}

/*
 * Like the patch, the walk stops after a batch that left a page unmoved
 * (migrate_pages() failing): the rest of the block is not tried.
 */
static void test_stop_after_failed_batch(void)
{
	struct ga_policy p = evac_policy(64);
	struct ga_executor *ex;
	struct ga_pageblock_info bi;
	struct embedder e;
	struct ga_zone *z;
	int busy = 0;

	ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 0);
	z = claim_setup(&e, &p, ex);
	for (unsigned long i = 0; i < e.nr; i++)
		if (e.obj[i].live && e.obj[i].pfn == BLOCK_B + 300)
			e.obj[i].busy = true, busy++;
	is_long(busy, 1, "the first movable page of the block refuses to move");
	ok(claim_block_b(&e) >= 0, "claim");
	ga_executor_run_pending(ex);
	ga_pageblock_query(z, BLOCK_B, &bi);
	is_long(stat_of(z, GA_STAT_EVAC_STOPPED), 1, "the walk stopped at the failed batch");
	is_long(stat_of(z, GA_STAT_EVAC_PAGES_MIGRATED), 31,
		"only the other 31 pages of that batch moved");
	is_long(bi.nr_alloc[GA_MT_MOVABLE], 181, "the 180 pages after it were not tried");
	is_long(emb_conservation_errors(&e), 0, "owners conserved");
	zone_ok(z, "checker after a stopped walk");
	emb_destroy(&e);
	ga_executor_destroy(ex);
}

/* While queued, the block cannot be claimed back by a movable request. */
static void test_claim_refused_while_evacuating(void)
{
	struct ga_policy p = evac_policy(64);
	struct ga_executor *ex;
	struct ga_pageblock_info bi;
	struct embedder e;
	struct ga_zone *z;

	ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 0);
	z = claim_setup(&e, &p, ex);
	ok(claim_block_b(&e) >= 0, "claim");
	/* Use every free movable page, so movable requests must fall back. */
	while (1) {
		long o = emb_alloc(&e, 0, GA_GFP_HIGHUSER_MOVABLE, true);

		if (o < 0 || (e.obj[o].pfn >= BLOCK_B && e.obj[o].pfn < BLOCK_B + 512))
			break;
	}
	ga_pageblock_query(z, BLOCK_B, &bi);
	ok(stat_of(z, GA_STAT_EVAC_CLAIM_REFUSED) >= 1,
	   "a movable fallback into the block was refused (%llu)",
	   (unsigned long long)stat_of(z, GA_STAT_EVAC_CLAIM_REFUSED));
	is_long(bi.migratetype, GA_MT_UNMOVABLE, "the block kept its new label");
	ga_executor_run_pending(ex);
	is_long(emb_conservation_errors(&e), 0, "owners conserved");
	zone_ok(z, "checker");
	emb_destroy(&e);
	ga_executor_destroy(ex);
}

/* The same scripted workload twice through MANUAL executors: identical. */
static uint64_t scripted_run(uint64_t *stats_out)
{
	struct ga_policy p = evac_policy(64);
	struct ga_executor *ex;
	struct ga_stats st;
	struct embedder e;
	struct ga_zone *z;
	unsigned long long seed = 99;
	uint64_t hash = 1469598103934665603ull;

	ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 0);
	z = emb_zone(&e, NR_PAGES, 1, &p, ex);
	for (int i = 0; i < 60000; i++) {
		unsigned long r = test_rand(&seed);

		if (e.nr && r % 3 == 0)
			emb_free(&e, (r >> 8) % e.nr);
		else
			emb_alloc(&e, (r >> 20) % 3, r % 5 == 1 ? GA_GFP_KERNEL :
						     GA_GFP_HIGHUSER_MOVABLE, true);
		if (i % 1000 == 999)
			ga_executor_run_pending(ex);
	}
	ga_executor_run_pending(ex);
	for (unsigned long i = 0; i < e.nr; i++)
		hash = (hash ^ (e.obj[i].live ? e.obj[i].pfn : ~0ull)) * 1099511628211ull;
	ga_zone_stats(z, &st);
	stats_out[0] = st.v[GA_STAT_EVAC_QUEUED];
	stats_out[1] = st.v[GA_STAT_EVAC_PAGES_MIGRATED];
	stats_out[2] = emb_conservation_errors(&e);
	emb_destroy(&e);
	ga_executor_destroy(ex);
	return hash;
}

static void test_determinism(void)
{
	uint64_t a[3], b[3];
	uint64_t ha = scripted_run(a), hb = scripted_run(b);

	ok(a[0] > 0 && a[1] > 0, "the scripted run evacuated (%llu queued, %llu pages)",
	   (unsigned long long)a[0], (unsigned long long)a[1]);
	ok(ha == hb && !memcmp(a, b, sizeof(a)),
	   "two runs with the same seed end with identical placements and counts");
	is_long(a[2], 0, "owners conserved");
}

/* ------------------------------------------------------------------------ */
/* Threads: workers evacuate while two threads allocate and free.           */

/*
 * Rounds of: fill with movable pages, free a run of consecutive slots
 * (physically close, so some pageblocks become half free), then ask for
 * unmovable pages, which claim those blocks and queue evacuations.
 */
static void *mt_worker(void *arg)
{
	struct mt_thread *t = arg;
	unsigned long n = t->m->nr_per_thread;

	for (unsigned long round = 0; round < 40; round++) {
		unsigned long run = t->base + (round * 613) % (n - 700);

		for (unsigned long s = t->base; s < t->base + n; s++)
			if (!t->m->obj[s].live && !mt_alloc(t, s, GA_GFP_HIGHUSER_MOVABLE))
				break;
		for (unsigned long s = run; s < run + 700; s++)
			mt_free(t, s);
		for (unsigned long s = run; s < run + 40; s++)
			mt_alloc(t, s, GA_GFP_KERNEL);
	}
	return NULL;
}

static void test_threads(void)
{
	struct ga_policy p = evac_policy(64);
	struct mt_embedder m;
	struct mt_thread t[2];
	pthread_t th[2];
	struct ga_zone_config cfg;
	struct ga_zone *z;

	p.pcp = true;
	ga_zone_config_default(&cfg, 0, NR_PAGES, 2);
	cfg.policy = &p;
	z = mt_zone(&m, &cfg, 2, 8000, 2);
	mt_start(&m, t, th, mt_worker);
	mt_join(&m, th);
	ga_executor_run_pending(m.ex);
	ga_drain_all_pcp(z);
	zone_ok(z, "threads: checker after concurrent evacuation");
	is_long(m.errors, 0, "threads: every migration found its page where the owner had it");
	is_long(m.bad_owner, 0, "threads: every migrate call named an owner that allocated");
	ok(stat_of(z, GA_STAT_EVAC_QUEUED) > 0 && stat_of(z, GA_STAT_EVAC_RUN) > 0,
	   "threads: evacuations were queued (%llu) and run (%llu)",
	   (unsigned long long)stat_of(z, GA_STAT_EVAC_QUEUED),
	   (unsigned long long)stat_of(z, GA_STAT_EVAC_RUN));
	is_long(mt_owner_errors(&m), 0, "threads: every owner still holds its page");
	mt_destroy(&m);
}

int main(void)
{
	test_claim_queues_and_evacuates();
	test_stop_after_failed_batch();
	test_pool_exhaustion();
	test_skip_if_movable_again();
	test_pinned_stay();
	test_claim_refused_while_evacuating();
	test_determinism();
	test_threads();
	return done_testing();
}
