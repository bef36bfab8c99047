// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * --json: one object with the run's inputs and a "policies" array. The
 * names listed in docs/SIMULATOR.md are stable (scripts read them); new
 * keys may be added, none renamed. Only the timing keys (events_per_sec,
 * peak_rss_bytes, *_seconds) differ between two runs of the same inputs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "provenance.h"
#include "report.h"

static void inputs(struct jw *j, const struct sim_report *r)
{
	jw_obj(j, "inputs");
	jw_u64(j, "mem_bytes", r->mem_bytes);
	jw_str(j, "layout", sim_layout_name(r->layout));
	jw_u64(j, "cpus", r->cpus);
	jw_str(j, "profile", r->profile->name);
	if (r->duration)
		jw_dbl(j, "duration_seconds", r->duration);
	else
		jw_null(j, "duration_seconds");
	if (r->turnovers)
		jw_dbl(j, "duration_turnovers", r->turnovers);
	else
		jw_null(j, "duration_turnovers");
	jw_u64(j, "seed", r->seed);
	jw_arr(j, "sets");
	for (unsigned int i = 0; i < r->nr_sets; i++)
		jw_str(j, NULL, r->sets[i]);
	jw_close_arr(j);
	jw_close_obj(j);
}

static void indices(struct jw *j, const char *key, const struct sim_census *c,
		    const int *v)
{
	char k[16];

	jw_obj(j, key);
	for (int i = 0; i < SIM_NR_IDX_ORDERS; i++) {
		snprintf(k, sizeof(k), "%u", c->idx_order[i]);
		jw_dbl(j, k, v[i] / 1000.0);
	}
	jw_close_obj(j);
}

static void census(struct jw *j, const struct sim_census *c)
{
	jw_u64(j, "tainted_spbs", c->tainted);
	jw_u64(j, "ideal_tainted_spbs", c->ideal);
	if (c->ideal)
		jw_dbl(j, "tainted_ratio", sim_tainted_ratio(c));
	else
		jw_null(j, "tainted_ratio");
	jw_u64(j, "clean_spbs", c->clean);
	jw_u64(j, "clean_pinned_spbs", c->clean_pinned);
	jw_u64(j, "empty_spbs", c->empty);
	jw_u64(j, "total_spbs", c->regions);
	jw_u64(j, "gib_pages_now", c->obtainable_now);
	jw_u64(j, "gib_pages_after_migration", c->obtainable_after);
	jw_u64(j, "gib_pages_after_reclaim", c->obtainable_reclaim);
	jw_u64(j, "nonmovable_pages", c->nonmovable);
	jw_u64(j, "mixed_pageblocks", c->mixed_pageblocks);
	jw_u64(j, "pageblocks_with_unmovable", c->unmovable_pageblocks);
	jw_u64(j, "free_pageblocks", c->free_pageblocks);
	jw_obj(j, "pageblocks");
	for (int mt = 0; mt < GA_MT_TYPES; mt++)
		jw_u64(j, ga_migratetype_name(mt), c->blocks_mt[mt]);
	jw_close_obj(j);
	jw_u64_obj(j, "pages", (const struct jw_u64_kv[]){
		{ "unmovable", c->unmovable },
		{ "reclaimable", c->reclaimable },
		{ "movable", c->movable },
		{ "pinned", c->pinned },
		{ "free", c->free },
		{ "pcp", c->pcp },
		{ "highatomic_reserved", c->highatomic_reserved },
		{ NULL, 0 } });
	indices(j, "unusable_index", c, c->unusable);
	indices(j, "fragmentation_index", c, c->fragindex);
}

static void gib_test(struct jw *j, const char *key, const struct sim_gib_test *t)
{
	jw_obj(j, key);
	jw_dbl(j, "at_seconds", t->at);
	jw_u64(j, "obtained", t->obtained);
	jw_u64(j, "pages_migrated", t->pages_migrated);
	jw_u64(j, "pages_dropped", t->pages_dropped);
	if (t->obtained)
		jw_dbl(j, "pages_migrated_per_gib", (double)t->pages_migrated / (double)t->obtained);
	else
		jw_null(j, "pages_migrated_per_gib");
	jw_str(j, "first_failure", ga_block_reason_name(t->fail_reason));
	jw_i64(j, "first_failure_errno", t->fail_err);
	jw_obj(j, "regions_blocked_by");
	for (int i = 0; i < GA_NR_BLOCK_REASONS; i++)
		if (t->blockers[i])
			jw_u64(j, ga_block_reason_name(i), t->blockers[i]);
	jw_close_obj(j);
	jw_u64(j, "regions_obtained_alone", t->probe_obtained);
	jw_dbl(j, "wall_seconds", t->wall_s);
	jw_dbl(j, "cpu_seconds", t->cpu_s);
	jw_close_obj(j);
}

static void counters(struct jw *j, const struct sim_result *res)
{
	const struct sim_counters *k = &res->counters;

	jw_u64(j, "fallbacks", k->fallbacks);
	jw_u64(j, "fallbacks_fragmenting", k->fallbacks_fragmenting);
	jw_u64(j, "claims", k->claims);
	jw_u64(j, "steals", k->steals);
	jw_u64(j, "claim_whole", k->claim_whole);
	jw_u64(j, "claim_partial", k->claim_partial);
	jw_u64(j, "claim_refused", k->claim_refused);
	jw_u64(j, "pages_reclaimed", res->wstats.reclaimed_pages);
	jw_u64(j, "run_pages_migrated", res->wstats.migrated_pages);
	jw_u64(j, "run_pages_dropped", res->wstats.dropped_pages);
	jw_u64(j, "pages_migrated", sim_pages_migrated(res));
	jw_u64(j, "shrink_calls", res->wstats.shrink_calls);
	jw_u64(j, "pages_shrunk", res->wstats.shrunk_pages);
}

static void consumers(struct jw *j, const struct sim_result *res,
		      const char *const *names)
{
	jw_arr(j, "consumers");
	for (unsigned int i = 0; i < res->nr_consumers; i++) {
		const struct sim_consumer_stats *c = &res->cstats[i];

		jw_obj(j, NULL);
		jw_str(j, "name", names[i]);
		jw_u64(j, "resident_pages", res->resident[i]);
		jw_u64(j, "allocs", c->allocs);
		jw_u64(j, "alloc_pages", c->alloc_pages);
		jw_u64(j, "frees", c->frees);
		jw_u64(j, "alloc_failures", c->fails);
		jw_u64(j, "thp_tries", c->thp_tries);
		jw_u64(j, "thp_ok", c->thp_ok);
		jw_u64(j, "evicted_pages", c->evicted_pages);
		jw_u64(j, "rotated_pages", c->rotated_pages);
		jw_u64(j, "dropped_pages", c->dropped_pages);
		jw_u64(j, "migrated_pages", c->migrated_pages);
		jw_u64(j, "pins", c->pins);
		jw_close_obj(j);
	}
	jw_close_arr(j);
}

static void series(struct jw *j, const struct sim_result *res)
{
	jw_arr(j, "series");
	for (size_t i = 0; i < res->nr_samples; i++) {
		const struct sim_sample *x = &res->samples[i];

		jw_obj(j, NULL);
		jw_dbl(j, "t", x->t);
		jw_dbl(j, "turnovers", x->turnovers);
		jw_u64(j, "tainted", x->c.tainted);
		jw_u64(j, "ideal", x->c.ideal);
		jw_u64(j, "clean", x->c.clean);
		jw_u64(j, "empty", x->c.empty);
		jw_u64(j, "after_migration", x->c.obtainable_after);
		jw_u64(j, "after_reclaim", x->c.obtainable_reclaim);
		jw_u64(j, "mixed_pageblocks", x->c.mixed_pageblocks);
		jw_u64(j, "fallbacks", x->k.fallbacks);
		jw_u64(j, "free_pages", x->c.free);
		jw_close_obj(j);
	}
	jw_close_arr(j);
}

static void cost(struct jw *j, const char *key, const struct ga_spb_cost *c,
		 const uint64_t *hist)
{
	jw_obj(j, key);
	jw_u64(j, "median", c->median);
	jw_u64(j, "p99", c->p99);
	jw_u64(j, "max", c->max);
	jw_u64(j, "ge100", c->ge100);
	/* Sparse histogram: [cost, allocations] for every cost seen. */
	jw_arr(j, "histogram");
	for (unsigned int v = 0; v < SIM_SPB_COST_BUCKETS; v++) {
		if (!hist[v])
			continue;
		jw_obj(j, NULL);
		jw_u64(j, "cost", v);
		jw_u64(j, "allocations", hist[v]);
		jw_close_obj(j);
	}
	jw_close_arr(j);
	jw_close_obj(j);
}

/* The search work per steered allocation (RFC 31's yardstick). */
static void spb_search(struct jw *j, const struct sim_result *res)
{
	jw_obj(j, "spb_search");
	jw_u64(j, "allocations", res->spb.steered);
	cost(j, "spbs_examined", &res->spb.visits, res->spb_cost_hist[0]);
	cost(j, "index_words", &res->spb.words, res->spb_cost_hist[1]);
	jw_u64(j, "hint_hit", res->stats.v[GA_STAT_SPB_HINT_HIT]);
	jw_u64(j, "hint_miss", res->stats.v[GA_STAT_SPB_HINT_MISS]);
	jw_close_obj(j);
}

/*
 * The keys of one policy's object. gigalloc replay --json writes its
 * policies with this too, so a script reads a run and a replay alike.
 */
void sim_json_policy_keys(struct jw *j, const struct sim_result *res,
			  const char *const *consumer_names)
{
	const struct sim_gib_test *t = sim_final_test(res);

	jw_str(j, "name", res->policy);
	if (res->err)
		jw_str(j, "error", res->errmsg);
	jw_u64(j, "callback_anomalies", res->wstats.anomalies);
	census(j, &res->final);
	jw_u64(j, "gib_pages_obtained", t ? t->obtained : 0);
	counters(j, res);
	if (res->spb.steered) {
		jw_u64(j, "spb_visits_median", res->spb.visits_median);
		jw_u64(j, "spb_visits_p99", res->spb.visits_p99);
		spb_search(j, res);
	} else {	/* the policy does not steer by SPB */
		jw_null(j, "spb_visits_median");
		jw_null(j, "spb_visits_p99");
		jw_null(j, "spb_search");
	}
	jw_dbl(j, "simulated_seconds", res->sim_seconds);
	jw_dbl(j, "turnovers", res->turnovers);
	jw_u64(j, "sim_events", res->events);
	jw_dbl(j, "events_per_sec", res->events_per_sec);
	jw_u64(j, "peak_rss_bytes", res->peak_rss_bytes);
	jw_dbl(j, "wall_seconds", res->wall_s);
	jw_dbl(j, "cpu_seconds", res->cpu_s);
	jw_u64(j, "managed_pages", res->managed_pages);
	jw_u64(j, "wmark_min", res->wmark_min);
	jw_u64(j, "wmark_low", res->wmark_low);
	jw_u64(j, "wmark_high", res->wmark_high);
	if (t)
		gib_test(j, "gib_test", t);
	else
		jw_null(j, "gib_test");
	jw_arr(j, "gib_tests_during_run");
	for (size_t i = 0; i + (t ? 1 : 0) < res->nr_tests; i++)
		gib_test(j, NULL, &res->tests[i]);
	jw_close_arr(j);
	consumers(j, res, consumer_names);
	jw_obj(j, "vmstat");	/* every library counter, by its name */
	for (int i = 0; i < GA_NR_STATS; i++)
		jw_u64(j, ga_stat_name((enum ga_stat_item)i), res->stats.v[i]);
	jw_close_obj(j);
	series(j, res);
}

static void policy(struct jw *j, const struct sim_report *r,
		   const struct sim_result *res)
{
	const char *names[SIM_MAX_CONSUMERS];

	for (unsigned int i = 0; i < res->nr_consumers && i < SIM_MAX_CONSUMERS; i++)
		names[i] = r->profile->consumers[i].name;
	jw_obj(j, NULL);
	sim_json_policy_keys(j, res, names);
	jw_close_obj(j);
}

void sim_report_json(FILE *f, const struct sim_report *r)
{
	struct jw j;

	jw_begin(&j, f);
	jw_u64(&j, "gigalloc_sim_format", 1);
	provenance_json(&j);
	inputs(&j, r);
	jw_str(&j, "profile_description", r->profile->description);
	jw_arr(&j, "policies");
	for (size_t i = 0; i < r->nr; i++)
		policy(&j, r, &r->res[i]);
	jw_close_arr(&j);
	jw_end(&j);
}
