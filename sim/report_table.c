// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The side-by-side table: one column per policy, one row per metric, the
 * ideal bound printed next to the tainted count with their ratio. Rows are
 * data (a label and a formatter), so the HTML report prints the same rows.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "report.h"
#include "seeds.h"
#include "provenance.h"

double sim_tainted_ratio(const struct sim_census *c)
{
	return c->ideal ? (double)c->tainted / (double)c->ideal : 0;
}

const struct sim_gib_test *sim_final_test(const struct sim_result *res)
{
	return res->has_final_test ? &res->tests[res->nr_tests - 1] : NULL;
}

double sim_gib_migrated_per_page(const struct sim_result *res)
{
	const struct sim_gib_test *t = sim_final_test(res);

	if (!t || !t->obtained)
		return -1;
	return (double)t->pages_migrated / (double)t->obtained;
}

uint64_t sim_pages_migrated(const struct sim_result *res)
{
	const struct sim_gib_test *t = sim_final_test(res);

	return res->wstats.migrated_pages + (t ? t->pages_migrated : 0);
}

/* ------------------------------------------------------------------------ */
/* Formatters.                                                               */

#define U(x) ((unsigned long long)(x))

static void f_regions(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%lu", s->final.regions);
}

static void f_tainted(const struct sim_result *s, char *b, size_t n)
{
	const struct sim_census *c = &s->final;

	if (c->ideal)
		snprintf(b, n, "%lu (%lu, %.1fx)", c->tainted, c->ideal,
			 sim_tainted_ratio(c));
	else
		snprintf(b, n, "%lu (0, -)", c->tainted);
}

static void f_clean(const struct sim_result *s, char *b, size_t n)
{
	if (s->final.clean_pinned)
		snprintf(b, n, "%lu (%lu pinned)", s->final.clean, s->final.clean_pinned);
	else
		snprintf(b, n, "%lu", s->final.clean);
}

static void f_now(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%lu", s->final.obtainable_now);
}

static void f_empty(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%lu", s->final.empty);
}

static void f_after(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%lu", s->final.obtainable_after);
}

static void f_reclaim(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%lu", s->final.obtainable_reclaim);
}

static void f_obtained(const struct sim_result *s, char *b, size_t n)
{
	const struct sim_gib_test *t = sim_final_test(s);

	if (t)
		snprintf(b, n, "%lu", t->obtained);
	else
		snprintf(b, n, "-");
}

static void f_per_gib(const struct sim_result *s, char *b, size_t n)
{
	double v = sim_gib_migrated_per_page(s);

	if (v < 0)
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%.0f", v);
}

static void f_first_fail(const struct sim_result *s, char *b, size_t n)
{
	const struct sim_gib_test *t = sim_final_test(s);

	if (t)
		snprintf(b, n, "%s", ga_block_reason_name(t->fail_reason));
	else
		snprintf(b, n, "-");
}

static void f_blockers(const struct sim_result *s, char *b, size_t n)
{
	const struct sim_gib_test *t = sim_final_test(s);
	unsigned long other = 0;

	if (!t) {
		snprintf(b, n, "-");
		return;
	}
	for (int i = 0; i < GA_NR_BLOCK_REASONS; i++)
		if (i != GA_BLOCK_UNMOVABLE && i != GA_BLOCK_RECLAIMABLE &&
		    i != GA_BLOCK_PINNED)
			other += t->blockers[i];
	snprintf(b, n, "%lu/%lu/%lu/%lu", t->blockers[GA_BLOCK_UNMOVABLE],
		 t->blockers[GA_BLOCK_RECLAIMABLE], t->blockers[GA_BLOCK_PINNED], other);
}

static void f_blocks(const struct sim_result *s, char *b, size_t n)
{
	const unsigned long *m = s->final.blocks_mt;

	snprintf(b, n, "%lu/%lu/%lu/%lu", m[GA_MT_UNMOVABLE], m[GA_MT_MOVABLE],
		 m[GA_MT_RECLAIMABLE], m[GA_MT_HIGHATOMIC]);
}

static void f_mixed(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%lu", s->final.mixed_pageblocks);
}

static void f_unmov_pb(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%lu", s->final.unmovable_pageblocks);
}

static void f_fallbacks(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%llu", U(s->counters.fallbacks));
}

static void f_fallback_kinds(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%llu/%llu/%llu", U(s->counters.fallbacks_fragmenting),
		 U(s->counters.claims), U(s->counters.steals));
}

static void f_reclaimed(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%llu", U(s->wstats.reclaimed_pages));
}

static void f_migrated(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%llu/%llu", U(s->wstats.migrated_pages),
		 U(s->wstats.dropped_pages));
}

/* RFC 28: background shrink calls and the pages the shrinkers freed. */
static void f_shrink(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%llu/%llu", U(s->stats.v[GA_STAT_SPB_SHRINK_CALLS]),
		 U(s->stats.v[GA_STAT_SPB_SHRINK_PAGES]));
}

static void f_index(char *b, size_t n, const int *v)
{
	size_t k = 0;

	for (int i = 0; i < SIM_NR_IDX_ORDERS && k < n; i++) {
		int x = v[i];

		k += (size_t)snprintf(b + k, n - k, "%s%s%d.%03d", i ? "/" : "",
				      x < 0 ? "-" : "", (x < 0 ? -x : x) / 1000,
				      (x < 0 ? -x : x) % 1000);
	}
}

static void f_unusable(const struct sim_result *s, char *b, size_t n)
{
	f_index(b, n, s->final.unusable);
}

static void f_fragindex(const struct sim_result *s, char *b, size_t n)
{
	f_index(b, n, s->final.fragindex);
}

static void f_fails(const struct sim_result *s, char *b, size_t n)
{
	uint64_t fails = 0, thp = 0, thp_ok = 0;

	for (unsigned int i = 0; i < s->nr_consumers; i++) {
		fails += s->cstats[i].fails;
		thp += s->cstats[i].thp_tries;
		thp_ok += s->cstats[i].thp_ok;
	}
	if (thp)
		snprintf(b, n, "%llu / %.1f%%", U(fails), 100.0 * (double)thp_ok / (double)thp);
	else
		snprintf(b, n, "%llu / -", U(fails));
}

/* RFC 15 worker's pages, RFC 23/25 phase attempts/successes. */
static void f_spb_background(const struct sim_result *s, char *b, size_t n)
{
	const uint64_t *v = s->stats.v;

	snprintf(b, n, "%llu / %llu/%llu / %llu/%llu", U(v[GA_STAT_SPB_DEFRAG_PAGES]),
		 U(v[GA_STAT_SPB_EVAC_P1_ATTEMPT]), U(v[GA_STAT_SPB_EVAC_P1_SUCCESS]),
		 U(v[GA_STAT_SPB_EVAC_P2_ATTEMPT]), U(v[GA_STAT_SPB_EVAC_P2_SUCCESS]));
}

/* Only policies with per-SPB lists steer; the others show "-". */
static void f_spb_visits(const struct sim_result *s, char *b, size_t n)
{
	if (!s->spb.steered)
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%u / %u / %u", s->spb.visits.median, s->spb.visits.p99,
			 s->spb.visits.max);
}

static void f_spb_ge100(const struct sim_result *s, char *b, size_t n)
{
	if (!s->spb.steered)
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%.2f%%", 100.0 * (double)s->spb.visits.ge100 /
			 (double)s->spb.steered);
}

static void f_spb_words(const struct sim_result *s, char *b, size_t n)
{
	if (!s->spb.steered)
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%u / %u / %u", s->spb.words.median, s->spb.words.p99,
			 s->spb.words.max);
}

static void f_turnovers(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%.0f s / %.2fx%s", s->sim_seconds, s->turnovers,
		 s->capped ? " (cap)" : "");
}

static void f_events(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%.1f M", (double)s->events / 1e6);
}

static void f_rate(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%.1f M/s", s->events_per_sec / 1e6);
}

static void f_rss(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%llu MiB", U(s->peak_rss_bytes >> 20));
}

static void f_wall(const struct sim_result *s, char *b, size_t n)
{
	snprintf(b, n, "%.1f s", s->wall_s);
}

const struct sim_table_row sim_table_rows[] = {
	{ "1 GiB regions (SPBs)", f_regions, 0 },
	{ "tainted (ideal, ratio)", f_tainted, 1 },
	{ "clean", f_clean, 1 },
	{ "empty", f_empty, 1 },
	{ "1 GiB pages now (empty, whole)", f_now, 0 },
	{ "after migration to free memory", f_after, 1 },
	{ "after migration and reclaim", f_reclaim, 1 },
	{ "obtained by the 1 GiB test", f_obtained, 1 },
	{ "pages migrated per 1 GiB", f_per_gib, 1 },
	{ "first failure", f_first_fail, 1 },
	{ "blocked: unmov/recl/pinned/other", f_blockers, 1 },
	{ "pageblocks U/M/R/HA", f_blocks, 0 },
	{ "mixed", f_mixed, 1 },
	{ "with unmovable pages", f_unmov_pb, 1 },
	{ "fallbacks", f_fallbacks, 0 },
	{ "fragmenting/claimed/stolen", f_fallback_kinds, 1 },
	{ "pages reclaimed", f_reclaimed, 0 },
	{ "pages migrated/dropped (run)", f_migrated, 0 },
	{ "  defrag pages / evac p1, p2 a/s", f_spb_background, 1 },
	{ "slab shrink calls/pages", f_shrink, 0 },
	{ "unusable index o9/o10/o18", f_unusable, 0 },
	{ "fragmentation index o9/10/18", f_fragindex, 0 },
	{ "alloc failures / THP success", f_fails, 0 },
	{ "SPBs examined med/p99/max", f_spb_visits, 0 },
	{ "examined >= 100 SPBs", f_spb_ge100, 1 },
	{ "index words med/p99/max", f_spb_words, 1 },
	{ "simulated / turnovers", f_turnovers, 0 },
	{ "sim events", f_events, 0 },
	{ "events/s", f_rate, 1 },
	{ "peak RSS", f_rss, 1 },
	{ "wall time", f_wall, 1 },
	{ NULL, NULL, 0 },
};

/* ------------------------------------------------------------------------ */
/* Printing.                                                                 */

#define CELL 64

void sim_report_header(const struct sim_report *r, char *b, size_t n)
{
	char mem[48], dur[64] = "";

	sim_format_size(r->mem_bytes, mem, sizeof(mem));
	if (r->layout != SIM_LAYOUT_FLAT)
		snprintf(mem + strlen(mem), sizeof(mem) - strlen(mem), " (%s layout)",
			 sim_layout_name(r->layout));
	if (r->duration)
		snprintf(dur, sizeof(dur), "%.0f s", r->duration);
	if (r->turnovers)
		snprintf(dur + strlen(dur), sizeof(dur) - strlen(dur), "%s%gx turnovers",
			 r->duration ? " or " : "", r->turnovers);
	if (r->nr_seeds > 1) {
		char seeds[128];

		sim_seeds_text(r->seeds, r->nr_seeds, seeds, sizeof(seeds));
		snprintf(b, n, "profile %s, %s, %u CPUs, %s, seeds %s",
			 r->profile->name, mem, r->cpus, dur, seeds);
		return;
	}
	snprintf(b, n, "profile %s, %s, %u CPUs, %s, seed %" PRIu64,
		 r->profile->name, mem, r->cpus, dur, r->seed);
}

void sim_report_table(FILE *f, const struct sim_report *r)
{
	char cell[CELL], head[256];
	int label_w = 0, col_w[SIM_MAX_TABLE_COLS];
	size_t nr = r->nr < SIM_MAX_TABLE_COLS ? r->nr : SIM_MAX_TABLE_COLS;

	for (const struct sim_table_row *row = sim_table_rows; row->label; row++) {
		int w = (int)strlen(row->label) + 2 * row->indent;

		label_w = w > label_w ? w : label_w;
	}
	for (size_t c = 0; c < nr; c++) {
		col_w[c] = (int)strlen(r->res[c].policy);
		for (const struct sim_table_row *row = sim_table_rows; row->label; row++) {
			row->fmt(&r->res[c], cell, sizeof(cell));
			col_w[c] = (int)strlen(cell) > col_w[c] ? (int)strlen(cell) : col_w[c];
		}
	}
	sim_report_header(r, head, sizeof(head));
	fprintf(f, "gigalloc sim: %s\n\n", head);
	fprintf(f, "%-*s", label_w, "");
	for (size_t c = 0; c < nr; c++)
		fprintf(f, "  %*s", col_w[c], r->res[c].policy);
	fputc('\n', f);
	for (const struct sim_table_row *row = sim_table_rows; row->label; row++) {
		fprintf(f, "%*s%-*s", 2 * row->indent, "", label_w - 2 * row->indent,
			row->label);
		for (size_t c = 0; c < nr; c++) {
			row->fmt(&r->res[c], cell, sizeof(cell));
			fprintf(f, "  %*s", col_w[c], cell);
		}
		fputc('\n', f);
	}
	fprintf(f, "\nideal = ceil(non-movable pages / pages per 1 GiB); "
		"total wall time %.1f s (%u job%s)\n", r->wall_s, r->jobs,
		r->jobs == 1 ? "" : "s");
	provenance_lines(f, "");
}
