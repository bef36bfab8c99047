// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * --csv: the time series, one row per policy and sample, long format (a
 * "policy" column) so spreadsheets and plotting tools can pivot it. The
 * consumer columns are named after the profile's consumers.
 */
#include <inttypes.h>
#include <stdio.h>

#include "provenance.h"
#include "report.h"

static void header(FILE *f, const struct sim_report *r)
{
	const struct sim_census *c = &r->res[0].final;

	provenance_lines(f, "# ");

	fputs("policy,t_seconds,turnovers,tainted_spbs,ideal_tainted_spbs,"
	      "clean_spbs,empty_spbs,gib_pages_after_migration,gib_pages_after_reclaim,"
	      "nonmovable_pages,"
	      "free_pages,pcp_pages,mixed_pageblocks,pageblocks_with_unmovable,"
	      "fallbacks,fallbacks_fragmenting,claims,steals,"
	      "pages_reclaimed,pages_migrated,pages_dropped", f);
	for (int i = 0; i < SIM_NR_IDX_ORDERS; i++)
		fprintf(f, ",unusable_%u", c->idx_order[i]);
	for (int i = 0; i < SIM_NR_IDX_ORDERS; i++)
		fprintf(f, ",fragindex_%u", c->idx_order[i]);
	for (unsigned int i = 0; i < r->profile->nr_consumers; i++)
		fprintf(f, ",resident_%s", r->profile->consumers[i].name);
	fputc('\n', f);
}

static void row(FILE *f, const struct sim_report *r, const char *policy,
		const struct sim_sample *x)
{
	const struct sim_census *c = &x->c;

	fprintf(f, "%s,%.3f,%.4f,%lu,%lu,%lu,%lu,%lu,%lu,%" PRIu64 ",%" PRIu64
		",%" PRIu64 ",%lu,%lu,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
		",%" PRIu64 ",%" PRIu64 ",%" PRIu64,
		policy, x->t, x->turnovers, c->tainted, c->ideal, c->clean, c->empty,
		c->obtainable_after, c->obtainable_reclaim, c->nonmovable, c->free, c->pcp,
		c->mixed_pageblocks, c->unmovable_pageblocks, x->k.fallbacks,
		x->k.fallbacks_fragmenting, x->k.claims, x->k.steals, x->reclaimed,
		x->migrated, x->dropped);
	for (int i = 0; i < SIM_NR_IDX_ORDERS; i++)
		fprintf(f, ",%.3f", c->unusable[i] / 1000.0);
	for (int i = 0; i < SIM_NR_IDX_ORDERS; i++)
		fprintf(f, ",%.3f", c->fragindex[i] / 1000.0);
	for (unsigned int i = 0; i < r->profile->nr_consumers; i++)
		fprintf(f, ",%" PRIu64, x->resident[i]);
	fputc('\n', f);
}

void sim_report_csv(FILE *f, const struct sim_report *r)
{
	if (!r->nr)
		return;
	header(f, r);
	for (size_t p = 0; p < r->nr; p++)
		for (size_t i = 0; i < r->res[p].nr_samples; i++)
			row(f, r, r->res[p].policy, &r->res[p].samples[i]);
}
