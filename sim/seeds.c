// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Figures over seeds. The interval is the mean's 95 % confidence interval
 * under Student's t with n - 1 degrees of freedom. Two policies whose
 * intervals overlap are reported as not separated: a conservative test
 * (overlapping intervals can still hide a significant difference), but one
 * a reader can check from the printed numbers alone.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "provenance.h"
#include "seeds.h"

/* ------------------------------------------------------------------------ */
/* The figures.                                                              */

static double g_tainted(const struct sim_result *r) { return (double)r->final.tainted; }
static double g_ideal(const struct sim_result *r) { return (double)r->final.ideal; }
static double g_ratio(const struct sim_result *r)
{
	return r->final.ideal ? sim_tainted_ratio(&r->final) : NAN;
}
static double g_clean(const struct sim_result *r) { return (double)r->final.clean; }
static double g_now(const struct sim_result *r) { return (double)r->final.obtainable_now; }
static double g_after(const struct sim_result *r) { return (double)r->final.obtainable_after; }
static double g_reclaim(const struct sim_result *r) { return (double)r->final.obtainable_reclaim; }
static double g_obtained(const struct sim_result *r)
{
	const struct sim_gib_test *t = sim_final_test(r);

	return t ? (double)t->obtained : NAN;
}
static double g_per_gib(const struct sim_result *r)
{
	double v = sim_gib_migrated_per_page(r);

	return v < 0 ? NAN : v;
}
static double g_mixed(const struct sim_result *r) { return (double)r->final.mixed_pageblocks; }
static double g_unmov_pb(const struct sim_result *r) { return (double)r->final.unmovable_pageblocks; }
static double g_fallbacks(const struct sim_result *r) { return (double)r->counters.fallbacks; }
static double g_fragmenting(const struct sim_result *r) { return (double)r->counters.fallbacks_fragmenting; }
static double g_claims(const struct sim_result *r) { return (double)r->counters.claims; }
static double g_steals(const struct sim_result *r) { return (double)r->counters.steals; }
static double g_reclaimed(const struct sim_result *r) { return (double)r->wstats.reclaimed_pages; }
static double g_migrated(const struct sim_result *r) { return (double)sim_pages_migrated(r); }
static double g_fails(const struct sim_result *r)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < r->nr_consumers; i++)
		n += r->cstats[i].fails;
	return (double)n;
}
static double g_thp(const struct sim_result *r)
{
	uint64_t tries = 0, ok = 0;

	for (unsigned int i = 0; i < r->nr_consumers; i++) {
		tries += r->cstats[i].thp_tries;
		ok += r->cstats[i].thp_ok;
	}
	return tries ? (double)ok / (double)tries : NAN;
}
static double g_events(const struct sim_result *r) { return (double)r->events; }
static double g_rate(const struct sim_result *r) { return r->events_per_sec; }

const struct sim_figure sim_figures[] = {
	{ "tainted_spbs", "tainted SPBs", g_tainted, false },
	{ "ideal_tainted_spbs", "  ideal", g_ideal, false },
	{ "tainted_ratio", "  tainted/ideal", g_ratio, false },
	{ "clean_spbs", "clean SPBs", g_clean, false },
	{ "gib_pages_now", "1 GiB pages now", g_now, false },
	{ "gib_pages_after_migration", "  after migration", g_after, false },
	{ "gib_pages_after_reclaim", "  after migration and reclaim", g_reclaim, false },
	{ "gib_pages_obtained", "obtained by the 1 GiB test", g_obtained, false },
	{ "pages_migrated_per_gib", "  pages migrated per 1 GiB", g_per_gib, false },
	{ "mixed_pageblocks", "mixed pageblocks", g_mixed, false },
	{ "pageblocks_with_unmovable", "pageblocks with unmovable", g_unmov_pb, false },
	{ "fallbacks", "fallbacks", g_fallbacks, false },
	{ "fallbacks_fragmenting", "  fragmenting", g_fragmenting, false },
	{ "claims", "  claimed", g_claims, false },
	{ "steals", "  stolen", g_steals, false },
	{ "pages_reclaimed", "pages reclaimed", g_reclaimed, false },
	{ "pages_migrated", "pages migrated", g_migrated, false },
	{ "alloc_failures", "alloc failures", g_fails, false },
	{ "thp_success", "THP success (share of faults)", g_thp, false },
	{ "sim_events", "sim events", g_events, false },
	{ "events_per_sec", "events/s", g_rate, true },
	{ NULL, NULL, NULL, false },
};

/* ------------------------------------------------------------------------ */
/* Statistics.                                                               */

double sim_t95(size_t df)
{
	static const double t[] = {
		0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262,
		2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101,
		2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052,
		2.048, 2.045, 2.042,
	};
	const double z = 1.959964;

	if (!df)
		return NAN;
	if (df < sizeof(t) / sizeof(t[0]))
		return t[df];
	/* Cornish-Fisher: within 0.001 of the table from df 30 on. */
	return z + (z * z * z + z) / (4.0 * (double)df);
}

void sim_stat_of(const double *v, size_t n, struct sim_stat *s)
{
	double sum = 0, ss = 0;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		if (isnan(v[i]))
			continue;
		sum += v[i];
		s->n++;
	}
	if (!s->n) {
		s->mean = s->sd = s->lo = s->hi = NAN;
		return;
	}
	s->mean = sum / (double)s->n;
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			ss += (v[i] - s->mean) * (v[i] - s->mean);
	if (s->n < 2) {
		s->sd = s->lo = s->hi = NAN;
		return;
	}
	s->sd = sqrt(ss / (double)(s->n - 1));
	s->lo = s->mean - sim_t95(s->n - 1) * s->sd / sqrt((double)s->n);
	s->hi = s->mean + sim_t95(s->n - 1) * s->sd / sqrt((double)s->n);
}

bool sim_stat_overlap(const struct sim_stat *a, const struct sim_stat *b)
{
	if (isnan(a->mean) || isnan(b->mean))
		return false;
	/* With one run, or none that varies, the interval is the mean. */
	double alo = isnan(a->lo) ? a->mean : a->lo, ahi = isnan(a->hi) ? a->mean : a->hi;
	double blo = isnan(b->lo) ? b->mean : b->lo, bhi = isnan(b->hi) ? b->mean : b->hi;

	return alo <= bhi && blo <= ahi;
}

/* Figure f of policy p over every seed. */
static void figure_stat(const struct sim_seed_report *r, size_t p,
			const struct sim_figure *f, struct sim_stat *s)
{
	double v[r->nr_seeds];

	for (size_t i = 0; i < r->nr_seeds; i++)
		v[i] = f->get(&r->base.res[p * r->nr_seeds + i]);
	sim_stat_of(v, r->nr_seeds, s);
}

static const char *pname(const struct sim_seed_report *r, size_t p)
{
	return r->base.res[p * r->nr_seeds].policy;
}

/* "1-10" when consecutive, else "1,3,7". */
void sim_seeds_text(const uint64_t *seeds, size_t nr, char *b, size_t n)
{
	bool run = true;
	size_t len = 0;

	for (size_t i = 1; i < nr; i++)
		run &= seeds[i] == seeds[i - 1] + 1;
	if (run && nr > 2) {
		snprintf(b, n, "%llu-%llu", (unsigned long long)seeds[0],
			 (unsigned long long)seeds[nr - 1]);
		return;
	}
	b[0] = 0;
	for (size_t i = 0; i < nr && len < n; i++)
		len += (size_t)snprintf(b + len, n - len, "%s%llu", i ? "," : "",
					(unsigned long long)seeds[i]);
}

/* ------------------------------------------------------------------------ */
/* Table.                                                                    */

static void cell(const struct sim_stat *s, bool alone, char *b, size_t n)
{
	const char *mark = alone ? "" : " ~";

	if (isnan(s->mean))
		snprintf(b, n, "-");
	else if (isnan(s->sd))
		snprintf(b, n, "%.4g%s", s->mean, mark);
	else
		snprintf(b, n, "%.4g ± %.2g sd %.2g%s", s->mean, (s->hi - s->lo) / 2, s->sd,
			 mark);
}

/* Is policy p's interval for f separated from every other policy's? */
static bool separated(const struct sim_seed_report *r, size_t p,
		      const struct sim_figure *f)
{
	struct sim_stat a, b;

	figure_stat(r, p, f, &a);
	for (size_t q = 0; q < r->nr_policies; q++) {
		if (q == p)
			continue;
		figure_stat(r, q, f, &b);
		if (sim_stat_overlap(&a, &b))
			return false;
	}
	return true;
}

void sim_seeds_table(FILE *f, const struct sim_seed_report *r)
{
	char hdr[256], seeds[256], b[64];
	bool any = false;

	sim_report_header(&r->base, hdr, sizeof(hdr));
	sim_seeds_text(r->seeds, r->nr_seeds, seeds, sizeof(seeds));
	fprintf(f, "%s\n", hdr);
	fprintf(f, "seeds %s (%zu runs per policy): mean ± half the 95 %% interval, "
		"sd = standard deviation;\n"
		"~ = the interval overlaps another policy's (difference not separated)\n\n",
		seeds, r->nr_seeds);
	fprintf(f, "%-32s", "");
	for (size_t p = 0; p < r->nr_policies; p++)
		fprintf(f, " %28s", pname(r, p));
	fprintf(f, "\n");
	for (const struct sim_figure *fig = sim_figures; fig->key; fig++) {
		fprintf(f, "%-32s", fig->label);
		for (size_t p = 0; p < r->nr_policies; p++) {
			struct sim_stat s;

			figure_stat(r, p, fig, &s);
			cell(&s, r->nr_policies < 2 || separated(r, p, fig), b, sizeof(b));
			/* "±" is two bytes but one column. */
			fprintf(f, " %*s", strstr(b, "±") ? 29 : 28, b);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\nNot separated by the 95 %% intervals:\n");
	for (const struct sim_figure *fig = sim_figures; fig->key; fig++) {
		for (size_t p = 0; p < r->nr_policies; p++)
			for (size_t q = p + 1; q < r->nr_policies; q++) {
				struct sim_stat a, c;

				figure_stat(r, p, fig, &a);
				figure_stat(r, q, fig, &c);
				if (!sim_stat_overlap(&a, &c))
					continue;
				fprintf(f, "  %-28s %s ~ %s\n", fig->key, pname(r, p),
					pname(r, q));
				any = true;
			}
	}
	if (!any)
		fprintf(f, "  none\n");
	fprintf(f, "\ntotal wall time %.1f s (%u job%s)\n", r->base.wall_s,
		r->base.jobs, r->base.jobs == 1 ? "" : "s");
	provenance_lines(f, "");
}

/* ------------------------------------------------------------------------ */
/* JSON and CSV.                                                             */

void sim_seeds_json(FILE *f, const struct sim_seed_report *r)
{
	const struct sim_report *b = &r->base;
	struct jw j;

	jw_begin(&j, f);
	jw_u64(&j, "gigalloc_sim_format", 1);
	provenance_json(&j);
	jw_obj(&j, "inputs");
	jw_u64(&j, "mem_bytes", b->mem_bytes);
	jw_u64(&j, "cpus", b->cpus);
	jw_str(&j, "profile", b->profile->name);
	if (b->duration)
		jw_dbl(&j, "duration_seconds", b->duration);
	else
		jw_null(&j, "duration_seconds");
	if (b->turnovers)
		jw_dbl(&j, "duration_turnovers", b->turnovers);
	else
		jw_null(&j, "duration_turnovers");
	jw_arr(&j, "seeds");
	for (size_t i = 0; i < r->nr_seeds; i++)
		jw_u64(&j, NULL, r->seeds[i]);
	jw_close_arr(&j);
	jw_arr(&j, "sets");
	for (unsigned int i = 0; i < b->nr_sets; i++)
		jw_str(&j, NULL, b->sets[i]);
	jw_close_arr(&j);
	jw_close_obj(&j);
	jw_str(&j, "profile_description", b->profile->description);
	jw_dbl(&j, "interval_confidence", 0.95);
	jw_arr(&j, "policies");
	for (size_t p = 0; p < r->nr_policies; p++) {
		jw_obj(&j, NULL);
		jw_str(&j, "name", pname(r, p));
		jw_obj(&j, "figures");
		for (const struct sim_figure *fig = sim_figures; fig->key; fig++) {
			struct sim_stat s, o;

			figure_stat(r, p, fig, &s);
			jw_obj(&j, fig->key);
			jw_u64(&j, "n", s.n);
			jw_dbl(&j, "mean", s.mean);
			jw_dbl(&j, "sd", s.sd);
			jw_dbl(&j, "ci95_low", s.lo);
			jw_dbl(&j, "ci95_high", s.hi);
			jw_arr(&j, "values");
			for (size_t i = 0; i < r->nr_seeds; i++)
				jw_dbl(&j, NULL, fig->get(&b->res[p * r->nr_seeds + i]));
			jw_close_arr(&j);
			jw_arr(&j, "not_separated_from");
			for (size_t q = 0; q < r->nr_policies; q++) {
				if (q == p)
					continue;
				figure_stat(r, q, fig, &o);
				if (sim_stat_overlap(&s, &o))
					jw_str(&j, NULL, pname(r, q));
			}
			jw_close_arr(&j);
			jw_close_obj(&j);
		}
		jw_close_obj(&j);
		jw_close_obj(&j);
	}
	jw_close_arr(&j);
	jw_dbl(&j, "wall_seconds", b->wall_s);
	jw_end(&j);
}

static void csv_num(FILE *f, double v)
{
	if (isnan(v))
		fprintf(f, ",");
	else
		fprintf(f, ",%.10g", v);
}

void sim_seeds_csv(FILE *f, const struct sim_seed_report *r)
{
	provenance_lines(f, "# ");
	fprintf(f, "policy,figure,n,mean,sd,ci95_low,ci95_high,separated\n");
	for (size_t p = 0; p < r->nr_policies; p++)
		for (const struct sim_figure *fig = sim_figures; fig->key; fig++) {
			struct sim_stat s;

			figure_stat(r, p, fig, &s);
			fprintf(f, "%s,%s,%zu", pname(r, p), fig->key, s.n);
			csv_num(f, s.mean);
			csv_num(f, s.sd);
			csv_num(f, s.lo);
			csv_num(f, s.hi);
			fprintf(f, ",%s\n", r->nr_policies < 2 || separated(r, p, fig) ?
				"yes" : "no");
		}
}
