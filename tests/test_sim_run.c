// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Simulation runs: determinism (same inputs, same results, whatever the
 * number of threads), the workload's records always agreeing with the
 * library (through reclaim, migration and drop), the timing wheel, the
 * frag profile's free pattern, pins, and the 1 GiB test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "harness.h"
#include "metrics.h"
#include "options.h"
#include "profile.h"
#include "report.h"
#include "run.h"
#include "seeds.h"
#include "workload.h"

/* ------------------------------------------------------------------------ */
/* Determinism, end to end through the JSON output.                          */

/* Run `gigalloc sim` args; JSON output without its timing lines. */
static char *sim_json(const char *args, int *rc)
{
	char *argv[32], buf[512], *out = NULL, *err = NULL, *save = NULL;
	size_t outlen = 0, errlen = 0;
	struct sim_opts o;
	FILE *fo = open_memstream(&out, &outlen), *fe = open_memstream(&err, &errlen);
	int argc = 0;
	char msg[512];

	snprintf(buf, sizeof(buf), "%s --json --no-progress", args);
	for (char *t = strtok_r(buf, " ", &save); t && argc < 31; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	sim_opts_default(&o);
	*rc = sim_opts_parse(&o, argc, argv, msg, sizeof(msg));
	if (!*rc)
		*rc = sim_main(&o, fo, fe);
	fclose(fo);
	fclose(fe);
	if (err[0])
		diag("stderr: %s", err);
	free(err);
	/* Drop the lines that carry wall-clock figures. */
	for (char *line = out, *next; line && *line; line = next) {
		size_t len;

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		len = (size_t)(next - line);
		if (memmem(line, len, "\"events_per_sec\"", 16) ||
		    memmem(line, len, "\"peak_rss_bytes\"", 16) ||
		    memmem(line, len, "\"wall_seconds\"", 14) ||
		    memmem(line, len, "\"cpu_seconds\"", 13)) {
			memmove(line, next, strlen(next) + 1);
			next = line;
		}
	}
	return out;
}

static void test_determinism(void)
{
	const char *base = "--mem 1G --duration 30s --seed 7 --samples 10";
	char args[256];
	int rc1, rc2, rc3, rc4, rc5;
	char *a, *b, *c, *d, *e;

	a = sim_json(base, &rc1);
	b = sim_json(base, &rc2);
	snprintf(args, sizeof(args), "%s --jobs 1", base);
	c = sim_json(args, &rc3);
	d = sim_json("--mem 1G --duration 30s --seed 8 --samples 10", &rc4);
	snprintf(args, sizeof(args), "%s --jobs 3", base);
	e = sim_json(args, &rc5);
	ok(!rc1 && !rc2 && !rc3 && !rc4 && !rc5, "five runs succeed");
	ok(a && strstr(a, "\"policies\"") && strstr(a, "\"tainted_spbs\""),
	   "the output is the JSON comparison");
	ok(a && b && !strcmp(a, b), "same inputs and seed: identical results");
	ok(a && c && !strcmp(a, c), "one thread or two: identical results");
	ok(c && e && !strcmp(c, e), "one thread or three (more than the CPUs): identical results");
	ok(a && d && strcmp(a, d), "another seed: other results");
	for (const char *const *p = ga_policy_compare_names(); *p; p++) {
		char name[64];

		snprintf(name, sizeof(name), "\"name\": \"%s\"", *p);
		ok(a && strstr(a, name), "policy %s was run by default", *p);
	}
	ok(a && !strstr(a, "\"name\": \"evacuate\""), "evacuate is not in the default set");
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
}

/* ------------------------------------------------------------------------ */
/* Several seeds.                                                            */

/* Run `gigalloc sim` args; stdout without the lines of wall-clock figures. */
static char *sim_text(const char *args, int *rc);

/* runs with --seeds 3-4 on `jobs` threads: the table, then the CSV. */
static char *seeds_text(const char *runs, int jobs, int *rc)
{
	char args[512], *table, *csv, *both;
	int rc2 = 0;

	snprintf(args, sizeof(args), "%s --seeds 3-4 --jobs %d", runs, jobs);
	table = sim_text(args, rc);
	snprintf(args, sizeof(args), "%s --seeds 3-4 --jobs %d --csv -", runs, jobs);
	csv = sim_text(args, &rc2);
	*rc = *rc ? *rc : rc2;
	both = table && csv ? malloc(strlen(table) + strlen(csv) + 1) : NULL;
	if (both)
		strcat(strcpy(both, table), csv);
	free(table);
	free(csv);
	return both;
}

static char *sim_text(const char *args, int *rc)
{
	char *argv[32], buf[512], *out = NULL, *err = NULL, *save = NULL;
	size_t outlen = 0, errlen = 0;
	struct sim_opts o;
	FILE *fo = open_memstream(&out, &outlen), *fe = open_memstream(&err, &errlen);
	int argc = 0;
	char msg[512];

	snprintf(buf, sizeof(buf), "%s --no-progress", args);
	for (char *t = strtok_r(buf, " ", &save); t && argc < 31; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	sim_opts_default(&o);
	*rc = sim_opts_parse(&o, argc, argv, msg, sizeof(msg));
	if (!*rc)
		*rc = sim_main(&o, fo, fe);
	fclose(fo);
	fclose(fe);
	free(err);
	for (char *line = out, *next; line && *line; line = next) {
		size_t len;

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		len = (size_t)(next - line);
		if (memmem(line, len, "events_per_sec", 14) ||
		    memmem(line, len, "events/s", 8) || memmem(line, len, "wall", 4)) {
			memmove(line, next, strlen(next) + 1);
			next = line;
		}
	}
	return out;
}

/* The number after the first `key` in s, or -1. */
static double number_after(const char *s, const char *key)
{
	const char *p = s ? strstr(s, key) : NULL;

	return p ? strtod(p + strlen(key), NULL) : -1;
}

static void test_seeds(void)
{
	static const char runs[] = "--mem 1G --duration 20s --samples 4 --policy vanilla,spb";
	uint64_t seeds[SIM_MAX_SEEDS];
	struct sim_stat st;
	const double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	char args[256];
	int rc[5];
	char *one, *two, *s3, *s4;
	double f3, f4;

	is_long(sim_parse_seeds("1-10", seeds, SIM_MAX_SEEDS), 10, "--seeds 1-10: ten seeds");
	ok(sim_parse_seeds("1-3,7", seeds, SIM_MAX_SEEDS) == 4 && seeds[2] == 3 &&
	   seeds[3] == 7, "--seeds 1-3,7: 1 2 3 7");
	is_long(sim_parse_seeds("3-1", seeds, SIM_MAX_SEEDS), -ERANGE, "a backwards range");
	is_long(sim_parse_seeds("1-200", seeds, SIM_MAX_SEEDS), -ERANGE, "too many seeds");
	is_long(sim_parse_seeds("1,2,1", seeds, SIM_MAX_SEEDS), -EEXIST, "a seed twice");
	is_long(sim_parse_seeds("1,,2", seeds, SIM_MAX_SEEDS), -EINVAL, "a bad list");

	/* Mean 5, sd sqrt(32/7), half-interval t(7) = 2.365 times sd / sqrt(8). */
	sim_stat_of(v, 8, &st);
	ok(st.n == 8 && st.mean == 5 && st.sd > 2.1380 && st.sd < 2.1381 &&
	   st.hi - st.mean > 1.7875 && st.hi - st.mean < 1.7880 &&
	   st.mean - st.lo > 1.7875 && st.mean - st.lo < 1.7880,
	   "mean 5, sd 2.138, 95 %% interval 5 +- 1.788 (got %g %g %g..%g)",
	   st.mean, st.sd, st.lo, st.hi);
	ok(sim_t95(1) == 12.706 && sim_t95(30) == 2.042 && sim_t95(1000) > 1.960 &&
	   sim_t95(1000) < 1.963, "Student's t quantiles");

	/* "--csv -" has stdout to itself: the table and the CSV, one after the other. */
	one = seeds_text(runs, 1, &rc[0]);
	two = seeds_text(runs, 2, &rc[1]);
	snprintf(args, sizeof(args), "%s --seed 3", runs);
	s3 = sim_json(args, &rc[2]);
	snprintf(args, sizeof(args), "%s --seed 4", runs);
	s4 = sim_json(args, &rc[3]);
	ok(!rc[0] && !rc[1] && !rc[2] && !rc[3], "the seed runs succeed");
	ok(one && two && !strcmp(one, two), "two seeds on one thread or two: identical");
	ok(one && strstr(one, "seeds 3,4 (2 runs per policy)") &&
	   strstr(one, "Not separated by the 95 % intervals:") &&
	   strstr(one, "policy,figure,n,mean,sd,ci95_low,ci95_high,separated"),
	   "the table, the not-separated list and the CSV summary are printed");
	/* The first "fallbacks" of a single run's JSON is vanilla's. */
	f3 = number_after(s3, "\"fallbacks\": ");
	f4 = number_after(s4, "\"fallbacks\": ");
	ok(f3 > 0 && f4 > 0 && number_after(one, "vanilla,fallbacks,2,") == (f3 + f4) / 2,
	   "vanilla's mean fallbacks over seeds 3 and 4 is that of the single runs "
	   "(%g, %g)", f3, f4);
	ok(one && strstr(one, "vanilla,ideal_tainted_spbs,2,1,0,1,1,no\n") &&
	   strstr(one, "spb,ideal_tainted_spbs,2,1,0,1,1,no\n") &&
	   strstr(one, "  ideal_tainted_spbs           vanilla ~ spb\n"),
	   "equal figures are marked as not separated");
	ok(one && strstr(one, "mean ± half the 95 % interval, sd = standard deviation") &&
	   strstr(one, "\nfallbacks ") && strstr(strstr(one, "\nfallbacks "), " sd "),
	   "the table gives each figure's mean, 95 %% interval and standard deviation");
	free(one);
	free(two);
	free(s3);
	free(s4);
}

/* ------------------------------------------------------------------------ */
/* The workload against the library, tick by tick.                           */

struct rig {
	struct ga_zone *zone;
	struct ga_executor *ex;
	struct sim_workload w;
	struct sim_profile prof;
	struct ga_policy policy;
};

static int rig_init(struct rig *r, const char *policy, const char *profile_text,
		    unsigned long pages, uint64_t seed)
{
	struct ga_zone_config zc;
	char err[512] = "";
	int rc;

	memset(r, 0, sizeof(*r));
	rc = sim_profile_parse(&r->prof, profile_text, "rig", err, sizeof(err));
	if (rc) {
		diag("%s", err);
		return rc;
	}
	ga_policy_preset(&r->policy, policy);
	ga_executor_create(&r->ex, GA_EXECUTOR_MANUAL, 0);
	ga_zone_config_default(&zc, 0, pages, 4);
	zc.policy = &r->policy;
	zc.ops = sim_workload_ops();
	zc.ops_ctx = &r->w;
	zc.executor = r->ex;
	rc = ga_zone_create(&r->zone, &zc);
	return rc ? rc : sim_workload_init(&r->w, r->zone, &r->prof, seed, 60000);
}

static void rig_ticks(struct rig *r, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		sim_workload_tick(&r->w);
		ga_executor_run_pending(r->ex);
	}
}

static void rig_destroy(struct rig *r)
{
	sim_workload_destroy(&r->w);
	ga_zone_destroy(r->zone);
	ga_executor_destroy(r->ex);
}

/* Every live record is exactly the allocation the library holds for it. */
static unsigned long records_disagree(struct rig *r, uint64_t *resident)
{
	unsigned long bad = 0;

	*resident = 0;
	for (uint32_t i = 0; i < r->w.rec_used; i++) {
		const struct sim_rec *rec = &r->w.rec[i];
		struct ga_page_info pi;

		if (!(rec->meta & REC_LIVE))
			continue;
		*resident += 1ul << (rec->meta & REC_ORDER_MASK);
		if (ga_page_query(r->zone, rec->pfn, &pi) || pi.state != GA_PAGE_ALLOC ||
		    pi.head_pfn != rec->pfn || pi.owner != i ||
		    pi.order != (rec->meta & REC_ORDER_MASK) ||
		    !!pi.pins != !!(rec->meta & REC_PINNED))
			bad++;
	}
	return bad;
}

/* The per-region LRU and droppable counts agree with a recount. */
static void regions_ok(struct rig *r, const char *what)
{
	char why[256] = "";

	is_long(sim_workload_check_regions(&r->w, why, sizeof(why)), 0,
		"%s: per-region LRU and droppable pages match a recount %s", what, why);
}

static uint64_t sum_regions(const struct rig *r, const uint32_t *a)
{
	uint64_t sum = 0;

	for (unsigned long i = 0; i < r->w.nr_regions; i++)
		sum += a[i];
	return sum;
}

static void test_records_agree(void)
{
	const char *text = sim_profile_builtin_text("mixed");

	for (const char *const *p = ga_policy_compare_names(); *p; p++) {
		struct rig r;
		struct sim_census c;
		uint64_t resident, sum = 0;

		if (rig_init(&r, *p, text, 1ul << 18, 3)) {
			ok(0, "%s: rig", *p);
			continue;
		}
		rig_ticks(&r, 70000);
		is_long(records_disagree(&r, &resident), 0,
			"%s: every record matches the library after 70 s", *p);
		for (unsigned int i = 0; i < r.prof.nr_consumers; i++)
			sum += r.w.cons[i].resident;
		is_long(sum, resident, "%s: consumers' resident pages add up", *p);
		sim_census_take(r.zone, &c);
		is_long(c.movable + c.unmovable + c.reclaimable, resident,
			"%s: the library holds exactly the workload's pages", *p);
		ok(r.w.st.reclaimed_pages > 0, "%s: memory was kept full by reclaim "
		   "(%llu pages reclaimed)", *p, (unsigned long long)r.w.st.reclaimed_pages);
		is_long(r.w.st.errors, 0, "%s: no library call failed", *p);
		zone_ok(r.zone, "%s: zone intact", *p);
		regions_ok(&r, *p);
		sim_workload_free_all(&r.w);
		ok(!sum_regions(&r, r.w.region_lru) && !sum_regions(&r, r.w.region_drop),
		   "%s: no LRU or droppable page left once all is freed", *p);
		rig_destroy(&r);
	}
}

/*
 * Droppable pages are counted wherever their record is kept: clean page
 * cache that lives until reclaimed (on the LRU) and short-lived clean page
 * cache (on the timing wheel). What the counts say a region holds is what
 * the contiguous allocator then drops there, to the page.
 */
static void test_droppable(void)
{
	/* 60 % of 2 GiB: both regions hold pages, and either one's pages
	 * that must move fit in the other's free memory. */
	const char *text = "name d\nconsumer wheel\n\tgfp movable\n\tsize 25%\n"
			   "\tevict yes\n\tdirty 25%\n\tlifetime exp 5s\nend\n"
			   "consumer lru\n\tgfp movable\n\tsize 25%\n\tevict yes\n"
			   "\tdirty 25%\nend\n"
			   "consumer anon\n\tgfp movable\n\tsize 10%\n\tlifetime exp 3s\nend\n";

	for (const char *const *p = ga_policy_compare_names(); *p; p++) {
		uint64_t drop, lru, resident;
		struct rig r;

		if (rig_init(&r, *p, text, 1ul << 19, 2)) {
			ok(0, "%s: rig", *p);
			continue;
		}
		rig_ticks(&r, 10000);
		drop = sum_regions(&r, r.w.region_drop);
		lru = sum_regions(&r, r.w.region_lru);
		is_long(r.w.cons[0].lru_pages, 0, "%s: the short-lived cache is not on the LRU", *p);
		ok(drop > lru && lru > 0, "%s: %llu droppable pages, more than the %llu on "
		   "the LRU", *p, (unsigned long long)drop, (unsigned long long)lru);
		regions_ok(&r, *p);
		for (unsigned long k = 0; k < 2; k++) {
			struct ga_contig_report rep = { 0 };
			uint64_t want = r.w.region_drop[k];
			ga_pfn_t start = k << 18;

			ok(want > 0, "%s: region %lu holds droppable pages", *p, k);
			is_long(ga_alloc_contig_range(r.zone, 0, start, start + (1ul << 18),
						      1ull << 48, &rep), 0,
				"%s: region %lu emptied (%s)", *p, k,
				ga_block_reason_name(rep.reason));
			is_long(rep.pages_dropped, want, "%s: region %lu: the %llu pages "
				"counted droppable are the pages dropped", *p, k,
				(unsigned long long)want);
			ok(!r.w.region_drop[k] && !r.w.region_lru[k],
			   "%s: region %lu: nothing droppable or on the LRU is left there", *p, k);
			regions_ok(&r, *p);
			is_long(records_disagree(&r, &resident), 0,
				"%s: records match the library", *p);
			ga_free_contig_range(r.zone, 0, start, start + (1ul << 18));
		}
		zone_ok(r.zone, "%s: zone intact", *p);
		rig_destroy(&r);
	}
}

/*
 * A pinned record is never droppable: here the only droppable pages are
 * those of the unpinned cache. Pins come and go (2 s), and under spb they
 * are first migrated out of clean regions, while being counted.
 */
static void test_droppable_pins(void)
{
	const char *text = "name p\nconsumer k\n\tgfp unmovable\n\tsize 2%\nend\n"
			   "consumer pinned\n\tgfp movable\n\tsize 10%\n\tevict yes\n"
			   "\tpin 100% exp 2s\nend\n"
			   "consumer clean\n\tgfp movable\n\tsize 10%\n\tevict yes\n"
			   "\tlifetime exp 2s\nend\n";

	for (const char *const *p = ga_policy_compare_names(); *p; p++) {
		struct rig r;

		if (rig_init(&r, *p, text, 1ul << 19, 4)) {
			ok(0, "%s: rig", *p);
			continue;
		}
		rig_ticks(&r, 10000);
		ok(r.w.cons[1].st.pins > 0 && r.w.cons[1].st.frees > 0,
		   "%s: %llu pins taken, %llu released", *p,
		   (unsigned long long)r.w.cons[1].st.pins,
		   (unsigned long long)r.w.cons[1].st.frees);
		is_long(sum_regions(&r, r.w.region_drop), r.w.cons[2].resident,
			"%s: droppable pages are the unpinned cache's", *p);
		if (!strcmp(*p, "spb"))
			ok(r.w.cons[1].st.migrated_pages > 0, "spb: pins were migrated "
			   "(%llu pages)", (unsigned long long)r.w.cons[1].st.migrated_pages);
		regions_ok(&r, *p);
		rig_destroy(&r);
	}
}

/* Lifetimes beyond the fine wheel (65 s) go through the coarse wheel. */
static void test_wheel(void)
{
	const char *text = "name w\nconsumer c\n\tgfp movable\n\tsize 10%\n"
			   "\tlifetime fixed 70s\nend\n";
	struct rig r;
	uint64_t first;

	if (rig_init(&r, "vanilla", text, 1ul << 16, 1)) {
		ok(0, "rig");
		return;
	}
	rig_ticks(&r, 1);
	first = r.w.cons[0].st.allocs;
	ok(first > 0, "the consumer filled its share in the first tick");
	rig_ticks(&r, 70000 - 1);
	is_long(r.w.cons[0].st.frees, 0, "nothing freed before 70 s");
	rig_ticks(&r, 1);
	is_long(r.w.cons[0].st.frees, first, "everything freed at exactly 70 s");
	rig_destroy(&r);
}

static void test_free_pattern_and_pins(void)
{
	const char *text = "name f\nconsumer filler\n\tgfp movable\n\tsize 90%\n\tstop 1s\nend\n"
			   "consumer p\n\tgfp movable\n\tsize 1%\n\tpin 100% inf\nend\n"
			   "at 1s free-pattern filler keep 1/4\n";
	struct rig r;
	unsigned long kept = 0, wrong = 0, pinned = 0;
	uint64_t resident;

	if (rig_init(&r, "vanilla", text, 1ul << 16, 1)) {
		ok(0, "rig");
		return;
	}
	rig_ticks(&r, 1000);
	for (uint32_t i = 0; i < r.w.rec_used; i++) {
		const struct sim_rec *rec = &r.w.rec[i];

		if (!(rec->meta & REC_LIVE))
			continue;
		if (((rec->meta & REC_CONS_MASK) >> REC_CONS_SHIFT) == 0) {
			kept++;
			wrong += rec->pfn % 4 != 0;
		} else {
			pinned += !!(rec->meta & REC_PINNED);
		}
	}
	ok(kept > 0, "the filler kept %lu pages", kept);
	is_long(wrong, 0, "only pages with pfn %% 4 == 0 are left");
	ok(pinned > 0 && pinned == r.w.cons[1].st.allocs, "every 'p' allocation is pinned");
	is_long(records_disagree(&r, &resident), 0, "and the library agrees, pins included");
	rig_destroy(&r);
}

/* Records freed early that still sit in a wheel slot, and the live ones. */
static void count_dead(const struct rig *r, uint32_t *dead, uint32_t *live)
{
	*dead = *live = 0;
	for (uint32_t i = 0; i < r->w.rec_used; i++) {
		uint32_t m = r->w.rec[i].meta;

		*dead += (m & REC_WHEEL) && !(m & REC_LIVE);
		*live += !!(m & REC_LIVE);
	}
}

/*
 * A record freed before its lifetime ends keeps its index, dead in its
 * wheel slot, until the slot comes due: at most one lifetime. A bulk free
 * of 3/4 of a consumer with 10 s lifetimes leaves that many dead records;
 * 10 s later every one of them is free again and the refill reuses them,
 * so a second bulk free does not grow the table further.
 */
static void test_dead_records_bounded(void)
{
	const char *text = "name d\nconsumer c\n\tgfp movable\n\tsize 60%\n"
			   "\tlifetime fixed 10s\nend\n"
			   "at 2s free-pattern c keep 1/4\nat 14s free-pattern c keep 1/4\n";
	uint32_t dead, live, used_first;
	struct rig r;

	if (rig_init(&r, "vanilla", text, 1ul << 16, 1)) {
		ok(0, "rig");
		return;
	}
	rig_ticks(&r, 2000);
	count_dead(&r, &dead, &live);
	ok(dead > 10000, "the bulk free left %u records dead in their slots", dead);
	is_long(r.w.nr_dead, dead, "nr_dead counts them");
	is_long(r.w.nr_live, live + dead, "nr_live counts live and dead");
	rig_ticks(&r, 10001);
	count_dead(&r, &dead, &live);
	is_long(dead, 0, "one lifetime later none is dead any more");
	is_long(r.w.nr_dead, 0, "and nr_dead says so");
	used_first = r.w.rec_used;
	rig_ticks(&r, 2000);
	count_dead(&r, &dead, &live);
	ok(dead > 10000 && r.w.nr_dead == dead, "the second bulk free: %u dead, counted", dead);
	rig_ticks(&r, 10001);
	is_long(r.w.nr_dead, 0, "again reclaimed within a lifetime");
	ok(r.w.rec_used <= used_first + used_first / 20,
	   "the table did not grow with the second bulk free (%u, then %u records)",
	   used_first, r.w.rec_used);
	is_long(r.w.st.errors, 0, "no library call failed");
	zone_ok(r.zone, "zone intact");
	rig_destroy(&r);
}

/*
 * The free-record stack keeps at most free_cap entries apart from the
 * records; beyond that the older half goes onto a list threaded through
 * the free records. A bulk free (3/4 of memory at once) and the refill
 * after it, run with a 16-entry array and with the default one, must hand
 * out the same record to every allocation: the same table, index by
 * index, and the library agreeing with both.
 */
static void test_free_stack_bounded(void)
{
	const char *text = "name s\nconsumer filler\n\tgfp movable\n\tsize 80%\n\tstop 1s\nend\n"
			   "consumer refill\n\tgfp movable\n\torders 0:3 1:1\n\tsize 50%\n"
			   "\tfill 20%/s\n\tstart 1s\n\tlifetime exp 2s\nend\n"
			   "at 1s free-pattern filler keep 1/4\n";
	struct rig big, small;
	uint32_t most_free = 0, most_top = 0, differ = 0;
	uint64_t resident;

	if (rig_init(&big, "vanilla", text, 1ul << 16, 5) ||
	    rig_init(&small, "vanilla", text, 1ul << 16, 5)) {
		ok(0, "rig");
		return;
	}
	is_long(big.w.free_cap, SIM_FREE_STACK, "the default array holds %u free records",
		SIM_FREE_STACK);
	small.w.free_cap = 16;
	for (unsigned long t = 0; t < 6000; t++) {
		rig_ticks(&big, 1);
		rig_ticks(&small, 1);
		if (small.w.free_top + small.w.nr_spilled > most_free)
			most_free = small.w.free_top + small.w.nr_spilled;
		if (small.w.free_top > most_top)
			most_top = small.w.free_top;
	}
	ok(most_free > 1000, "the bulk free left %u records free at once", most_free);
	ok(most_top <= 16, "the 16-entry array never held more (%u)", most_top);
	is_long(big.w.free_top + big.w.nr_spilled, small.w.free_top + small.w.nr_spilled,
		"both runs have as many free records");
	ok(small.w.st.alloc_pages > big.w.st.alloc_pages / 2 && big.w.st.alloc_pages > 0,
	   "the refill allocated after the bulk free (%llu pages)",
	   (unsigned long long)small.w.st.alloc_pages);
	is_long(big.w.rec_used, small.w.rec_used, "the same records were ever used");
	for (uint32_t i = 0; i < big.w.rec_used && i < small.w.rec_used; i++)
		differ += big.w.rec[i].pfn != small.w.rec[i].pfn ||
			  big.w.rec[i].meta != small.w.rec[i].meta;
	is_long(differ, 0, "every record holds the same allocation in both runs");
	is_long(records_disagree(&small, &resident), 0, "and the library agrees");
	is_long(small.w.st.errors + big.w.st.errors, 0, "no library call failed");
	zone_ok(small.zone, "small array: zone intact");
	rig_destroy(&big);
	rig_destroy(&small);
}

/* ------------------------------------------------------------------------ */
/* A whole run, and the 1 GiB test.                                          */

static void test_gib_test(void)
{
	const char *text = "name g\nduration 10s\nconsumer anon\n\tgfp movable\n"
			   "\tsize 30%\n\tfill 10%/s\n\tlifetime exp 5s\nend\n";
	struct sim_profile prof;
	struct sim_config cfg = { 0 };
	struct sim_result res;
	const struct sim_gib_test *t;
	char err[512];

	sim_profile_parse(&prof, text, "g", err, sizeof(err));
	cfg.mem_bytes = 2ull << 30;
	cfg.cpus = 2;
	cfg.profile = &prof;
	cfg.duration = 10;
	cfg.seed = 1;
	cfg.maps = true;
	snprintf(cfg.policy_name, sizeof(cfg.policy_name), "vanilla");
	ga_policy_preset(&cfg.policy, "vanilla");
	is_long(sim_run(&cfg, &res), 0, "a 2 GiB run of movable memory only %s", res.errmsg);
	t = sim_final_test(&res);
	ok(t != NULL, "the final 1 GiB test ran");
	is_long(res.final.tainted, 0, "only movable memory: nothing tainted");
	is_long(res.final.ideal, 0, "and the ideal is 0");
	ok(t && t->obtained >= 1, "at least one 1 GiB page obtained (%lu)",
	   t ? t->obtained : 0);
	ok(t && t->fail_err < 0, "the test ran until the allocator failed (%s)",
	   t ? ga_block_reason_name(t->fail_reason) : "-");
	ok(t && t->obtained * (1ul << 18) <= 2 * (1ul << 18), "never more than the zone");
	ok(res.map_end && res.map_gib && res.map_w == 512 && res.map_h == 2,
	   "both memory maps captured");
	if (res.map_gib && t) {
		unsigned long contig = 0;

		for (unsigned int i = 0; i < res.map_w * res.map_h; i++)
			contig += res.map_gib[i] == SIM_PB_CONTIG;
		is_long(contig, t->obtained * 512, "the map shows each 1 GiB page");
	}
	ok(res.nr_samples >= 10, "a time series was sampled (%zu points)", res.nr_samples);
	ok(res.samples[res.nr_samples - 1].t == 10, "the last sample is at the end");
	sim_result_free(&res);
}

/*
 * The 1 GiB test's take loop (sim_gib_take) sums the report of each
 * ga_alloc_contig_pages call. A call tries window after window, and a
 * window that fails has still moved what it moved, so every page the
 * workload's callbacks saw migrated or dropped during the loop must be in
 * the reports, but for those moved by what allocating migration targets
 * set off, which the library counts apart: direct compaction, and under
 * spb the hook that empties a window for a THP-sized target. (The probe
 * sim_gib_take runs afterwards moves pages of its own: not done here.)
 * 4 GiB of mixed for 60 s: under spb the last call moves pages in windows
 * that then fail, which the reports used to leave out.
 */
static void test_gib_report_counts_moves(void)
{
	const char *text = sim_profile_builtin_text("mixed");

	for (const char *const *p = ga_policy_compare_names(); *p; p++) {
		uint64_t mig0, drop0, seen, reported = 0, nested;
		unsigned long obtained = 0, n;
		struct ga_stats s0, s1;
		struct ga_zone_info zi;
		struct rig r;
		int err;

		if (rig_init(&r, *p, text, 1ul << 20, 1)) {
			ok(0, "%s: rig", *p);
			continue;
		}
		rig_ticks(&r, 60000);
		ga_zone_info(r.zone, &zi);
		n = ga_zone_nr_regions(r.zone, 0);
		mig0 = r.w.st.migrated_pages;
		drop0 = r.w.st.dropped_pages;
		ga_zone_stats(r.zone, &s0);
		do {
			struct ga_contig_report rep = { 0 };
			ga_pfn_t pfn;

			err = ga_alloc_contig_pages(r.zone, 0, zi.spb_order,
						    (1ull << 48) | obtained, &pfn, &rep);
			reported += rep.pages_migrated + rep.pages_dropped;
			obtained += !err;
		} while (!err && obtained <= n);
		ga_zone_stats(r.zone, &s1);
		seen = r.w.st.migrated_pages - mig0 + r.w.st.dropped_pages - drop0;
		nested = s1.v[GA_STAT_COMPACT_MIGRATED] - s0.v[GA_STAT_COMPACT_MIGRATED] +
			 s1.v[GA_STAT_SPB_EVACUATE_PAGES] - s0.v[GA_STAT_SPB_EVACUATE_PAGES];
		ok(err && obtained > 0 && obtained <= n,
		   "%s: %lu 1 GiB pages, then the allocator refused (%s)", *p, obtained,
		   strerror(-err));
		is_long(seen, reported + nested, "%s: the callbacks saw %llu pages move: "
			"%llu reported, %llu by compaction and the spb hook", *p,
			(unsigned long long)seen, (unsigned long long)reported,
			(unsigned long long)nested);
		zone_ok(r.zone, "%s: zone intact", *p);
		rig_destroy(&r);
	}
}

/* Every built-in profile runs on every policy without a library error. */
static void test_profiles_run(void)
{
	for (const struct sim_builtin_profile *b = sim_builtin_profiles; b->name; b++) {
		struct sim_profile prof;
		struct sim_config cfg = { 0 };
		struct sim_result res;
		char err[512];

		sim_profile_parse(&prof, b->text, b->name, err, sizeof(err));
		cfg.mem_bytes = 512ull << 20;
		cfg.cpus = 2;
		cfg.profile = &prof;
		cfg.duration = 4;
		cfg.seed = 5;
		for (const char *const *p = ga_policy_compare_names(); *p; p++) {
			snprintf(cfg.policy_name, sizeof(cfg.policy_name), "%s", *p);
			ga_policy_preset(&cfg.policy, *p);
			is_long(sim_run(&cfg, &res), 0, "profile %s, policy %s: runs %s",
				b->name, *p, res.errmsg);
			sim_result_free(&res);
		}
	}
}

/* Live records with every bit of flag set (flag 0: every live record). */
static unsigned long count_flag(const struct rig *r, uint32_t flag)
{
	unsigned long n = 0;

	for (uint32_t i = 0; i < r->w.rec_used; i++)
		n += (r->w.rec[i].meta & (REC_LIVE | flag)) == (REC_LIVE | flag);
	return n;
}

static double flag_share(struct rig *r, uint32_t flag, unsigned long *evicted,
			 unsigned long *rotated)
{
	unsigned long live = count_flag(r, 0);

	*evicted = r->w.cons[0].st.evicted_pages;
	*rotated = r->w.cons[0].st.rotated_pages;
	return live ? (double)count_flag(r, flag) / (double)live : 0;
}

/* A vanilla 256 MiB rig running one profile text for ticks ticks. */
static bool rotation_rig(struct rig *r, const char *text, unsigned long ticks,
			 const char *what)
{
	if (rig_init(r, "vanilla", text, 1ul << 16, 1)) {
		ok(0, "%s rig", what);
		return false;
	}
	rig_ticks(r, ticks);
	return true;
}

/*
 * Dirty records are dirty again with the dirty share each time reclaim
 * reaches them, and rotate; so the dirty share of an LRU stays near the
 * profile's instead of growing towards 100 % over the turnovers, and a
 * consumer that is always dirty is never evicted but does not stall
 * reclaim. Busy records (in use) never reach the LRU: their share grows.
 */
static void test_busy_rotation(void)
{
	static const char *const text[] = {
		"name b\nconsumer cache\n\tgfp movable\n\tsize 100%\n"
		"\tfill 20%/s\n\tevict yes\n\tdirty 50%\nend\n",
		"name b\nconsumer cache\n\tgfp movable\n\tsize 100%\n"
		"\tfill 20%/s\n\tevict yes\n\tdirty 100%\nend\n",
		"name b\nconsumer cache\n\tgfp movable\n\tsize 100%\n"
		"\tfill 20%/s\n\tevict yes\n\tbusy 50%\nend\n",
		"name b\nconsumer cache\n\tgfp movable\n\tsize 100%\n"
		"\tfill 20%/s\n\tevict yes\n\tpin 10% inf\nend\n",
	};
	unsigned long evicted, rotated;
	struct rig r;
	double share;

	if (!rotation_rig(&r, text[0], 30000, "busy"))	/* ~6 turnovers */
		return;
	regions_ok(&r, "dirty 50%");
	share = flag_share(&r, REC_DIRTY, &evicted, &rotated);
	ok(evicted > 0 && rotated > 0, "dirty 50%%: %lu pages evicted, %lu rotated",
	   evicted, rotated);
	ok(share > 0.3 && share < 0.75, "dirty 50%%: the dirty share stays near it (%.2f)",
	   share);
	zone_ok(r.zone, "dirty 50%%: zone intact");
	rig_destroy(&r);

	if (!rotation_rig(&r, text[1], 10000, "busy"))
		return;
	flag_share(&r, REC_DIRTY, &evicted, &rotated);
	is_long(evicted, 0, "dirty 100%%: nothing is evicted");
	ok(rotated > 0, "dirty 100%%: reclaim looked and rotated (%lu pages)", rotated);
	ok(r.w.cons[0].st.fails > 0, "dirty 100%%: allocations fail when memory is full");
	zone_ok(r.zone, "dirty 100%%: zone intact");
	rig_destroy(&r);

	if (!rotation_rig(&r, text[2], 30000, "busy"))
		return;
	regions_ok(&r, "busy 50%");
	share = flag_share(&r, REC_BUSY, &evicted, &rotated);
	ok(evicted > 0, "busy 50%%: the idle ones are evicted (%lu pages)", evicted);
	is_long(rotated, 0, "busy 50%%: busy ones are never on the LRU");
	ok(share > 0.9, "busy 50%%: busy records accumulate (%.2f of all)", share);
	zone_ok(r.zone, "busy 50%%: zone intact");
	rig_destroy(&r);

	/* A pinned page of an evictable consumer stays until its pin ends. */
	if (!rotation_rig(&r, text[3], 30000, "pin"))
		return;
	regions_ok(&r, "pin 10% inf");
	flag_share(&r, REC_PINNED, &evicted, &rotated);
	ok(evicted > 0, "pin 10%%: the unpinned ones are evicted (%lu pages)", evicted);
	ok(r.w.cons[0].st.pins > 0, "pin 10%%: pins were taken (%lu)",
	   (unsigned long)r.w.cons[0].st.pins);
	is_long((long)count_flag(&r, REC_PINNED), (long)r.w.cons[0].st.pins,
		"pin 10%%: every pinned record is still live (none reclaimed)");
	zone_ok(r.zone, "pin 10%%: zone intact");
	rig_destroy(&r);
}

/*
 * The progress bar's phases: a run ends DONE; the final 1 GiB test reports
 * pages taken, then probes every region (done of total), so a long test
 * shows what it is doing instead of sitting at 99 %.
 */
static void test_phases(void)
{
	struct ga_policy p = test_policy(false);
	struct sim_phase ph = { 0 };
	struct sim_gib_test t = { 0 };
	struct ga_zone *z;
	ga_pfn_t *got = NULL, pfn;

	p.highatomic = false;
	z = test_zone(3 * 262144ul, 1, &p);
	ga_alloc(z, 0, 0, GA_GFP_KERNEL, 1, &pfn);
	is_long(sim_gib_take_phase(z, 1ull << 50, &t, &got, &ph), 0, "a 1 GiB test");
	is_long(t.obtained, 2, "two of three regions taken");
	ok(ph.id == SIM_PHASE_GIB_PROBE && ph.total == 3 && ph.done == 2,
	   "it ended probing region %u of %u", ph.done + 1, ph.total);
	for (unsigned long k = 0; k < t.obtained; k++)
		ga_free_contig_range(z, 0, got[k], got[k] + 262144);
	free(got);
	zone_ok(z, "zone intact");
	ga_zone_destroy(z);
}

/* A vanilla --layout server run of `gib` GiB, seed 1. */
static void server_config(struct sim_config *cfg, const struct sim_profile *prof,
			  unsigned long long gib, unsigned int cpus, double duration)
{
	cfg->mem_bytes = gib << 30;
	cfg->layout = SIM_LAYOUT_SERVER;
	cfg->cpus = cpus;
	cfg->profile = prof;
	cfg->duration = duration;
	cfg->seed = 1;
	snprintf(cfg->policy_name, sizeof(cfg->policy_name), "vanilla");
	ga_policy_preset(&cfg->policy, "vanilla");
}

/*
 * --layout server: a node of DMA, DMA32 (RAM to 3 GiB, the PCI hole to
 * 4 GiB) and Normal; a DMA32-only consumer and anonymous memory that
 * prefers Normal. The run ends with ga_node_check (sim_run fails if an
 * invariant is broken), and the zonelist walk served every zone it may.
 */
static void test_server_layout(void)
{
	const char *text = "name s\nduration 5s\nconsumer anon\n\tgfp movable\n"
			   "\tsize 60%\n\tfill 20%/s\n\tlifetime exp 3s\nend\n"
			   "consumer dev\n\tgfp kernel|dma32\n\tsize 2%\n\tfill 1%/s\n"
			   "\tlifetime exp 2s\nend\n";
	struct sim_profile prof;
	struct sim_config cfg = { 0 };
	struct sim_result res;
	char err[512];
	int rc;

	is_long(sim_profile_parse(&prof, text, "s", err, sizeof(err)), 0,
		"a profile with a kernel|dma32 consumer %s", err);
	server_config(&cfg, &prof, 6, 2, 5);
	is_long(sim_run(&cfg, &res), 0, "6 GiB server layout runs, node checked at the end %s",
		res.errmsg);
	is_long(res.nr_zones, 3, "DMA, DMA32, Normal");
	is_long((long long)res.managed_pages, 1572864 - 98,
		"6 GiB of RAM less pfn 0 and 640K-1M: the PCI hole is outside the RAM");
	is_long((long long)res.final.pageblocks, 8 + 2040 + 1536,
		"pageblocks: DMA 8, DMA32 to 4 GiB 2040, Normal (3 GiB above 4 GiB) 1536");
	ok(res.node.served[GA_ZONE_NORMAL] > 0 && res.node.served[GA_ZONE_DMA32] > 0 &&
	   !res.node.served[GA_ZONE_MOVABLE],
	   "Normal and DMA32 served (%llu, %llu), no Movable zone",
	   (unsigned long long)res.node.served[GA_ZONE_NORMAL],
	   (unsigned long long)res.node.served[GA_ZONE_DMA32]);
	ok(res.has_final_test, "the 1 GiB test ran zone by zone");
	sim_result_free(&res);
	free(sim_json("--mem 1G --layout bogus --duration 1s", &rc));
	is_long(rc, SIM_EXIT_USAGE, "--layout bogus is refused");
}

/*
 * The server layout under the mixed profile's pressure, with the node's
 * kswapd (A) and with each zone's own, woken only by its own slow path
 * (B, the model before policy kswapd_node). B lets Normal sit between its
 * min and low marks: nearly every request takes the slow path, whose
 * atomic high-order requests turn Unmovable blocks into HighAtomic ones,
 * and unmovable requests then steal single pages. A keeps the node
 * balanced as the kernel's kswapd does.
 */
static void server_kswapd_run(bool node_kswapd, struct sim_result *res)
{
	static struct sim_profile prof;
	struct sim_config cfg = { 0 };
	char err[512];

	sim_profile_parse(&prof, sim_profile_builtin_text("mixed"), "mixed", err, sizeof(err));
	server_config(&cfg, &prof, 8, 8, 100);
	cfg.policy.kswapd_node = node_kswapd;
	is_long(sim_run(&cfg, res), 0, "8 GiB server layout, kswapd_node=%d %s",
		node_kswapd, res->errmsg);
}

static void test_server_layout_kswapd(void)
{
	struct sim_result a, b;

	server_kswapd_run(true, &a);
	server_kswapd_run(false, &b);
	diag("steals A %llu B %llu; slow paths A %llu B %llu",
	     (unsigned long long)a.stats.v[GA_STAT_STEAL],
	     (unsigned long long)b.stats.v[GA_STAT_STEAL],
	     (unsigned long long)a.node.slowpath, (unsigned long long)b.node.slowpath);
	ok(a.wstats.reclaimed_pages > 0 && b.wstats.reclaimed_pages > 0,
	   "memory was kept full by reclaim in both runs");
	ok(a.node.slowpath < b.node.slowpath,
	   "A: fewer requests left the fast path (%llu < %llu)",
	   (unsigned long long)a.node.slowpath, (unsigned long long)b.node.slowpath);
	ok(a.stats.v[GA_STAT_STEAL] * 10 < b.stats.v[GA_STAT_STEAL],
	   "A: a tenth of B's single-page steals or fewer (%llu, %llu)",
	   (unsigned long long)a.stats.v[GA_STAT_STEAL],
	   (unsigned long long)b.stats.v[GA_STAT_STEAL]);
	sim_result_free(&a);
	sim_result_free(&b);
}

int main(void)
{
	test_phases();
	test_server_layout();
	test_server_layout_kswapd();
	test_determinism();
	test_seeds();
	test_records_agree();
	test_droppable();
	test_droppable_pins();
	test_gib_report_counts_moves();
	test_wheel();
	test_free_pattern_and_pins();
	test_free_stack_bounded();
	test_dead_records_bounded();
	test_gib_test();
	test_busy_rotation();
	test_profiles_run();
	return done_testing();
}
