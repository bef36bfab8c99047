// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The 1 GiB test `sim` and `replay` both report: take 1 GiB pages with
 * ga_alloc_contig_pages() until the allocator refuses, then try each
 * region not obtained alone with ga_alloc_contig_range() and count why
 * it fails. Only the public API is used, as an embedder would.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static bool obtained(const ga_pfn_t *got, unsigned long nr, ga_pfn_t pfn)
{
	for (unsigned long k = 0; k < nr; k++)
		if (got[k] == pfn)
			return true;
	return false;
}

void sim_phase_set(struct sim_phase *p, enum sim_phase_id id, uint32_t done,
		   uint32_t total)
{
	if (!p)
		return;
	__atomic_store_n(&p->done, done, __ATOMIC_RELAXED);
	__atomic_store_n(&p->total, total, __ATOMIC_RELAXED);
	__atomic_store_n(&p->id, (uint32_t)id, __ATOMIC_RELAXED);
}

static void probe_blockers(struct ga_zone *zone, uint64_t owner,
			   struct sim_gib_test *t, const ga_pfn_t *got,
			   unsigned long region_pages, struct sim_phase *phase)
{
	unsigned long n = ga_zone_nr_regions(zone, 0);

	for (unsigned long i = 0; i < n; i++) {
		struct ga_contig_report rep = { 0 };
		struct ga_region_info ri;

		sim_phase_set(phase, SIM_PHASE_GIB_PROBE, (uint32_t)i, (uint32_t)n);
		if (ga_region_query(zone, i, 0, &ri) ||
		    ri.end_pfn - ri.start_pfn < region_pages ||
		    obtained(got, t->obtained, ri.start_pfn))
			continue;
		if (!ga_alloc_contig_range(zone, 0, ri.start_pfn, ri.end_pfn,
					   owner | (1ull << 40) | i, &rep)) {
			t->probe_obtained++;
			ga_free_contig_range(zone, 0, ri.start_pfn, ri.end_pfn);
		} else if (rep.reason >= 0 && rep.reason < GA_NR_BLOCK_REASONS) {
			t->blockers[rep.reason]++;
		}
	}
}

int sim_gib_take(struct ga_zone *zone, uint64_t owner, struct sim_gib_test *t,
		 ga_pfn_t **gotp)
{
	return sim_gib_take_phase(zone, owner, t, gotp, NULL);
}

int sim_gib_take_phase(struct ga_zone *zone, uint64_t owner, struct sim_gib_test *t,
		       ga_pfn_t **gotp, struct sim_phase *phase)
{
	unsigned long n = ga_zone_nr_regions(zone, 0);
	ga_pfn_t *got = calloc(n ? n : 1, sizeof(*got));
	struct ga_zone_info zi;

	*gotp = NULL;
	if (!got)
		return -ENOMEM;
	ga_zone_info(zone, &zi);
	t->fail_mt = -1;
	for (;;) {
		struct ga_contig_report rep = { 0 };
		ga_pfn_t pfn;
		int err;

		sim_phase_set(phase, SIM_PHASE_GIB_TAKE, (uint32_t)t->obtained, (uint32_t)n);
		err = ga_alloc_contig_pages(zone, 0, zi.spb_order,
						owner | t->obtained, &pfn, &rep);

		t->pages_migrated += rep.pages_migrated;
		t->pages_dropped += rep.pages_dropped;
		if (err) {
			t->fail_err = err;
			t->fail_reason = rep.reason;
			t->fail_mt = rep.migratetype;
			break;
		}
		if (t->obtained == n) {	/* more 1 GiB pages than regions */
			free(got);
			return -EUCLEAN;
		}
		got[t->obtained++] = pfn;
	}
	probe_blockers(zone, owner, t, got, 1ul << zi.spb_order, phase);
	*gotp = got;
	return 0;
}

void sim_spb_read_zones(const struct sim_zones *zs, struct ga_spb_summary *sum,
			uint64_t hist[2][SIM_SPB_COST_BUCKETS])
{
	ga_spb_summary(zs->main, sum);
	ga_spb_search_histogram(zs->main, false, hist[0], SIM_SPB_COST_BUCKETS);
	ga_spb_search_histogram(zs->main, true, hist[1], SIM_SPB_COST_BUCKETS);
	for (size_t i = 0; i < zs->nr; i++) {
		struct ga_spb_summary one;
		uint64_t h[SIM_SPB_COST_BUCKETS];

		if (zs->z[i] == zs->main)
			continue;
		ga_spb_summary(zs->z[i], &one);
		sum->total += one.total;
		sum->empty += one.empty;
		sum->clean += one.clean;
		sum->tainted += one.tainted;
		sum->contig += one.contig;
		sum->steered += one.steered;
		for (int w = 0; w < 2; w++) {
			long n = ga_spb_search_histogram(zs->z[i], w, h, SIM_SPB_COST_BUCKETS);

			for (long k = 0; k < n && k < SIM_SPB_COST_BUCKETS; k++)
				hist[w][k] += h[k];
		}
	}
}

int sim_gib_take_zones(const struct sim_zones *zs, uint64_t owner, struct sim_gib_test *t,
		       struct sim_phase *phase, bool keep)
{
	t->fail_mt = -1;
	for (size_t i = 0; i < zs->nr; i++) {
		struct sim_gib_test one = { 0 };
		struct ga_zone_info zi;
		ga_pfn_t *got;
		int err = sim_gib_take_phase(zs->z[i], owner | (uint64_t)i << 40, &one, &got,
					     phase);

		if (err)
			return err;
		ga_zone_info(zs->z[i], &zi);
		if (!keep)
			for (unsigned long k = 0; k < one.obtained; k++)
				ga_free_contig_range(zs->z[i], 0, got[k],
						     got[k] + (1ul << zi.spb_order));
		free(got);
		t->obtained += one.obtained;
		t->pages_migrated += one.pages_migrated;
		t->pages_dropped += one.pages_dropped;
		if (zs->z[i] == zs->main || !t->fail_err) {
			t->fail_err = one.fail_err;
			t->fail_reason = one.fail_reason;
			t->fail_mt = one.fail_mt;
		}
		for (int b = 0; b < GA_NR_BLOCK_REASONS; b++)
			t->blockers[b] += one.blockers[b];
		t->probe_obtained += one.probe_obtained;
	}
	return 0;
}
