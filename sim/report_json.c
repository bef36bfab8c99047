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

#include "report.h"

struct json {
	FILE *f;
	int depth;
	bool first;		/* no comma before the next member */
};

static void indent(struct json *j)
{
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

static void str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Start a member ("key": ...) or an array element (key NULL). */
static void member(struct json *j, const char *key)
{
	if (!j->first)
		fputc(',', j->f);
	j->first = false;
	indent(j);
	if (key) {
		str(j->f, key);
		fputs(": ", j->f);
	}
}

static void open_(struct json *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->f);
	j->depth++;
	j->first = true;
}

static void close_(struct json *j, char c)
{
	j->depth--;
	if (!j->first)
		indent(j);
	fputc(c, j->f);
	j->first = false;
}

static void u64(struct json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

static void i64(struct json *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRId64, v);
}

static void dbl(struct json *j, const char *key, double v)
{
	member(j, key);
	fprintf(j->f, "%.6g", v);
}

static void s(struct json *j, const char *key, const char *v)
{
	member(j, key);
	str(j->f, v);
}

static void null(struct json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

/* ------------------------------------------------------------------------ */

static void inputs(struct json *j, const struct sim_report *r)
{
	open_(j, "inputs", '{');
	u64(j, "mem_bytes", r->mem_bytes);
	u64(j, "cpus", r->cpus);
	s(j, "profile", r->profile->name);
	if (r->duration)
		dbl(j, "duration_seconds", r->duration);
	else
		null(j, "duration_seconds");
	if (r->turnovers)
		dbl(j, "duration_turnovers", r->turnovers);
	else
		null(j, "duration_turnovers");
	u64(j, "seed", r->seed);
	open_(j, "sets", '[');
	for (unsigned int i = 0; i < r->nr_sets; i++)
		s(j, NULL, r->sets[i]);
	close_(j, ']');
	close_(j, '}');
}

static void indices(struct json *j, const char *key, const struct sim_census *c,
		    const int *v)
{
	char k[16];

	open_(j, key, '{');
	for (int i = 0; i < SIM_NR_IDX_ORDERS; i++) {
		snprintf(k, sizeof(k), "%u", c->idx_order[i]);
		dbl(j, k, v[i] / 1000.0);
	}
	close_(j, '}');
}

static void census(struct json *j, const struct sim_census *c)
{
	u64(j, "tainted_spbs", c->tainted);
	u64(j, "ideal_tainted_spbs", c->ideal);
	if (c->ideal)
		dbl(j, "tainted_ratio", sim_tainted_ratio(c));
	else
		null(j, "tainted_ratio");
	u64(j, "clean_spbs", c->clean);
	u64(j, "clean_pinned_spbs", c->clean_pinned);
	u64(j, "empty_spbs", c->empty);
	u64(j, "total_spbs", c->regions);
	u64(j, "gib_pages_now", c->obtainable_now);
	u64(j, "gib_pages_after_migration", c->obtainable_after);
	u64(j, "gib_pages_after_reclaim", c->obtainable_reclaim);
	u64(j, "nonmovable_pages", c->nonmovable);
	u64(j, "mixed_pageblocks", c->mixed_pageblocks);
	u64(j, "pageblocks_with_unmovable", c->unmovable_pageblocks);
	u64(j, "free_pageblocks", c->free_pageblocks);
	open_(j, "pageblocks", '{');
	for (int mt = 0; mt < GA_MT_TYPES; mt++)
		u64(j, ga_migratetype_name(mt), c->blocks_mt[mt]);
	close_(j, '}');
	open_(j, "pages", '{');
	u64(j, "unmovable", c->unmovable);
	u64(j, "reclaimable", c->reclaimable);
	u64(j, "movable", c->movable);
	u64(j, "pinned", c->pinned);
	u64(j, "free", c->free);
	u64(j, "pcp", c->pcp);
	u64(j, "highatomic_reserved", c->highatomic_reserved);
	close_(j, '}');
	indices(j, "unusable_index", c, c->unusable);
	indices(j, "fragmentation_index", c, c->fragindex);
}

static void gib_test(struct json *j, const char *key, const struct sim_gib_test *t)
{
	open_(j, key, '{');
	dbl(j, "at_seconds", t->at);
	u64(j, "obtained", t->obtained);
	u64(j, "pages_migrated", t->pages_migrated);
	u64(j, "pages_dropped", t->pages_dropped);
	if (t->obtained)
		dbl(j, "pages_migrated_per_gib", (double)t->pages_migrated / (double)t->obtained);
	else
		null(j, "pages_migrated_per_gib");
	s(j, "first_failure", ga_block_reason_name(t->fail_reason));
	i64(j, "first_failure_errno", t->fail_err);
	open_(j, "regions_blocked_by", '{');
	for (int i = 0; i < GA_NR_BLOCK_REASONS; i++)
		if (t->blockers[i])
			u64(j, ga_block_reason_name(i), t->blockers[i]);
	close_(j, '}');
	u64(j, "regions_obtained_alone", t->probe_obtained);
	dbl(j, "wall_seconds", t->wall_s);
	close_(j, '}');
}

static void counters(struct json *j, const struct sim_result *res)
{
	const struct sim_counters *k = &res->counters;

	u64(j, "fallbacks", k->fallbacks);
	u64(j, "fallbacks_fragmenting", k->fallbacks_fragmenting);
	u64(j, "claims", k->claims);
	u64(j, "steals", k->steals);
	u64(j, "claim_whole", k->claim_whole);
	u64(j, "claim_partial", k->claim_partial);
	u64(j, "claim_refused", k->claim_refused);
	u64(j, "pages_reclaimed", res->wstats.reclaimed_pages);
	u64(j, "run_pages_migrated", res->wstats.migrated_pages);
	u64(j, "run_pages_dropped", res->wstats.dropped_pages);
	u64(j, "pages_migrated", sim_pages_migrated(res));
}

static void consumers(struct json *j, const struct sim_report *r,
		      const struct sim_result *res)
{
	open_(j, "consumers", '[');
	for (unsigned int i = 0; i < res->nr_consumers; i++) {
		const struct sim_consumer_stats *c = &res->cstats[i];

		open_(j, NULL, '{');
		s(j, "name", r->profile->consumers[i].name);
		u64(j, "resident_pages", res->resident[i]);
		u64(j, "allocs", c->allocs);
		u64(j, "alloc_pages", c->alloc_pages);
		u64(j, "frees", c->frees);
		u64(j, "alloc_failures", c->fails);
		u64(j, "thp_tries", c->thp_tries);
		u64(j, "thp_ok", c->thp_ok);
		u64(j, "evicted_pages", c->evicted_pages);
		u64(j, "dropped_pages", c->dropped_pages);
		u64(j, "migrated_pages", c->migrated_pages);
		u64(j, "pins", c->pins);
		close_(j, '}');
	}
	close_(j, ']');
}

static void series(struct json *j, const struct sim_result *res)
{
	open_(j, "series", '[');
	for (size_t i = 0; i < res->nr_samples; i++) {
		const struct sim_sample *x = &res->samples[i];

		open_(j, NULL, '{');
		dbl(j, "t", x->t);
		dbl(j, "turnovers", x->turnovers);
		u64(j, "tainted", x->c.tainted);
		u64(j, "ideal", x->c.ideal);
		u64(j, "clean", x->c.clean);
		u64(j, "empty", x->c.empty);
		u64(j, "after_migration", x->c.obtainable_after);
		u64(j, "after_reclaim", x->c.obtainable_reclaim);
		u64(j, "mixed_pageblocks", x->c.mixed_pageblocks);
		u64(j, "fallbacks", x->k.fallbacks);
		u64(j, "free_pages", x->c.free);
		close_(j, '}');
	}
	close_(j, ']');
}

static void policy(struct json *j, const struct sim_report *r,
		   const struct sim_result *res)
{
	const struct sim_gib_test *t = sim_final_test(res);

	open_(j, NULL, '{');
	s(j, "name", res->policy);
	if (res->err)
		s(j, "error", res->errmsg);
	u64(j, "callback_anomalies", res->wstats.anomalies);
	census(j, &res->final);
	u64(j, "gib_pages_obtained", t ? t->obtained : 0);
	counters(j, res);
	if (res->spb.steered) {
		u64(j, "spb_visits_median", res->spb.visits_median);
		u64(j, "spb_visits_p99", res->spb.visits_p99);
	} else {	/* the policy does not steer by SPB */
		null(j, "spb_visits_median");
		null(j, "spb_visits_p99");
	}
	dbl(j, "simulated_seconds", res->sim_seconds);
	dbl(j, "turnovers", res->turnovers);
	u64(j, "sim_events", res->events);
	dbl(j, "events_per_sec", res->events_per_sec);
	u64(j, "peak_rss_bytes", res->peak_rss_bytes);
	dbl(j, "wall_seconds", res->wall_s);
	u64(j, "managed_pages", res->managed_pages);
	u64(j, "wmark_min", res->wmark_min);
	u64(j, "wmark_low", res->wmark_low);
	u64(j, "wmark_high", res->wmark_high);
	if (t)
		gib_test(j, "gib_test", t);
	open_(j, "gib_tests_during_run", '[');
	for (size_t i = 0; i + (t ? 1 : 0) < res->nr_tests; i++)
		gib_test(j, NULL, &res->tests[i]);
	close_(j, ']');
	consumers(j, r, res);
	open_(j, "vmstat", '{');	/* every library counter, by its name */
	for (int i = 0; i < GA_NR_STATS; i++)
		u64(j, ga_stat_name((enum ga_stat_item)i), res->stats.v[i]);
	close_(j, '}');
	series(j, res);
	close_(j, '}');
}

void sim_report_json(FILE *f, const struct sim_report *r)
{
	struct json j = { .f = f, .first = true };

	fputc('{', f);
	j.depth = 1;
	u64(&j, "gigalloc_sim_format", 1);
	inputs(&j, r);
	s(&j, "profile_description", r->profile->description);
	open_(&j, "policies", '[');
	for (size_t i = 0; i < r->nr; i++)
		policy(&j, r, &r->res[i]);
	close_(&j, ']');
	j.depth = 0;
	fputs("\n}\n", f);
}
