// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Micro-benchmarks of the allocation and free paths on a 4 GiB zone, and
 * of moving pages: compaction's migration rate and the cost of a 1 GiB
 * contiguous allocation from a half-full zone.
 *
 * Every result is printed twice: a line for people, and a machine line
 * "bench: <name> <value> <unit>" that scripts grep for. Timings are the
 * best of several runs, because on a shared machine the minimum is the
 * figure least disturbed by other load. One "pair" is one ga_alloc plus
 * the matching ga_free; rates are million pairs (or ops) per second.
 *
 * The allocation benchmarks run once per policy (vanilla, rfc, spb: the
 * reviewer's "what about the overhead?" of searching per-SPB lists) and
 * end in a side-by-side table with the ratios to vanilla; machine lines
 * of rfc and spb carry the policy as a suffix ("order0_pcp_pair@spb").
 * Moving pages (compaction, 1 GiB contig) runs under vanilla only.
 *
 * Usage: bench [--quick]   (--quick: 10x fewer iterations, a CI smoke run)
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gigalloc.h"

#define BENCH_PAGES	(1ul << 20)	/* 4 GiB of 4 KiB pages */
#define BENCH_CPUS	4
#define BENCH_RUNS	5		/* report the best of this many */
#define BENCH_SEED	0x9e3779b97f4a7c15ull
#define MAX_ZONES	16
#define BATCH		64

static unsigned long scale = 1;		/* 10 with --quick */
static struct ga_zone *zones[MAX_ZONES];
static const char *zone_names[MAX_ZONES];
static unsigned int nr_zones;

/* The policies the allocation benchmarks compare, and the one running. */
static const char *const bench_policies[] = { "vanilla", "rfc", "spb" };
#define NR_POLICIES (sizeof(bench_policies) / sizeof(bench_policies[0]))
static unsigned int cur_policy;

/* Results by benchmark name, one column per policy, for the summary. */
#define MAX_RESULTS 32
static struct {
	char name[48];
	const char *unit;
	double v[NR_POLICIES];
	bool have[NR_POLICIES];
} results[MAX_RESULTS];
static unsigned int nr_results;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die("clock_gettime: %s", strerror(errno));
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* xorshift64: fixed seed, so every run allocates the same sequence. */
static inline uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static unsigned long iters(unsigned long full)
{
	return full / scale;
}

/* ------------------------------------------------------------------------ */
/* Zones and checked alloc/free.                                             */

static struct ga_zone *make_zone(const char *name, bool pcp)
{
	struct ga_zone_config cfg;
	struct ga_policy policy;
	struct ga_zone *z;
	char err[256];
	int ret;

	if (nr_zones == MAX_ZONES)
		die("too many zones");
	ret = ga_policy_preset(&policy, bench_policies[cur_policy]);
	if (ret)
		die("ga_policy_preset(%s): %d", bench_policies[cur_policy], ret);
	policy.pcp = pcp;
	ga_zone_config_default(&cfg, 0, BENCH_PAGES, BENCH_CPUS);
	cfg.policy = &policy;
	if (ga_zone_config_check(&cfg, err, sizeof(err)))
		die("zone config: %s", err);
	ret = ga_zone_create(&z, &cfg);
	if (ret)
		die("ga_zone_create(%s): %s", name, strerror(-ret));
	zone_names[nr_zones] = name;
	zones[nr_zones++] = z;
	return z;
}

static inline ga_pfn_t xalloc(struct ga_zone *z, unsigned int cpu,
			      unsigned int order, unsigned int gfp)
{
	ga_pfn_t pfn;
	int ret = ga_alloc(z, cpu, order, gfp, 0, &pfn);

	if (ret)
		die("ga_alloc(cpu %u, order %u, gfp %#x): %s", cpu, order, gfp,
		    strerror(-ret));
	return pfn;
}

static inline void xfree(struct ga_zone *z, unsigned int cpu, ga_pfn_t pfn,
			 unsigned int order)
{
	int ret = ga_free(z, cpu, pfn, order);

	if (ret)
		die("ga_free(cpu %u, pfn %#llx, order %u): %s", cpu,
		    (unsigned long long)pfn, order, strerror(-ret));
}

/* Everything the benchmark allocated must be back once pcps are drained. */
static void check_all_free(struct ga_zone *z, const char *name)
{
	struct ga_zone_info info;

	ga_drain_all_pcp(z);
	ga_zone_info(z, &info);
	if (info.free_pages != info.managed_pages)
		die("%s: %lu of %lu pages free after freeing everything",
		    name, info.free_pages, info.managed_pages);
}

/* ------------------------------------------------------------------------ */
/* Reporting.                                                                */

static void record(const char *name, double value, const char *unit)
{
	unsigned int i;

	for (i = 0; i < nr_results; i++)
		if (!strcmp(results[i].name, name))
			break;
	if (i == nr_results) {
		if (nr_results == MAX_RESULTS)
			return;
		snprintf(results[nr_results].name, sizeof(results[0].name), "%s", name);
		results[nr_results++].unit = unit;
	}
	results[i].v[cur_policy] = value;
	results[i].have[cur_policy] = true;
}

static void report(const char *name, const char *what, double value,
		   const char *unit)
{
	const char *pol = bench_policies[cur_policy];

	printf("%-22s %-52s %10.2f %s\n", name, what, value, unit);
	if (cur_policy)
		printf("bench: %s@%s %.2f %s\n", name, pol, value, unit);
	else
		printf("bench: %s %.2f %s\n", name, value, unit);
	fflush(stdout);
	record(name, value, unit);
}

/* The allocation benchmarks side by side, with the ratio to vanilla. */
static void print_summary(void)
{
	printf("\n%-22s", "policy");
	for (unsigned int p = 0; p < NR_POLICIES; p++)
		printf(" %11s", bench_policies[p]);
	for (unsigned int p = 1; p < NR_POLICIES; p++)
		printf("  %s/vanilla", bench_policies[p]);
	printf("\n");
	for (unsigned int i = 0; i < nr_results; i++) {
		if (!results[i].have[1])
			continue;	/* vanilla-only benchmarks */
		printf("%-22s", results[i].name);
		for (unsigned int p = 0; p < NR_POLICIES; p++)
			printf(" %8.2f %-6s", results[i].v[p], results[i].unit);
		for (unsigned int p = 1; p < NR_POLICIES; p++)
			printf("  %11.3f", results[i].v[0] > 0 ?
			       results[i].v[p] / results[i].v[0] : 0.0);
		printf("\n");
	}
}

/*
 * A human-only note on how often the timed runs left the pcp fast path:
 * a pcp benchmark that never refills or spills measures the lists alone.
 */
static void pcp_note(struct ga_zone *z, const struct ga_stats *before,
		     unsigned long pairs)
{
	struct ga_stats after;
	uint64_t refills, drained;

	ga_zone_stats(z, &after);
	refills = after.v[GA_STAT_PCP_REFILL] - before->v[GA_STAT_PCP_REFILL];
	drained = after.v[GA_STAT_PCP_DRAIN_PAGES] -
		  before->v[GA_STAT_PCP_DRAIN_PAGES];
	printf("%-22s   pcp refills %.3f, pages spilled %.3f per 1000 pairs\n",
	       "", refills * 1000.0 / (double)pairs,
	       drained * 1000.0 / (double)pairs);
}

/* Best (lowest) of BENCH_RUNS calls of fn, in ns per unit of work. */
static double best_of(uint64_t (*fn)(void *), void *arg, unsigned long units)
{
	double best = 0;

	for (int i = 0; i < BENCH_RUNS; i++) {
		double ns = (double)fn(arg) / (double)units;

		if (!i || ns < best)
			best = ns;
	}
	return best;
}

/* ------------------------------------------------------------------------ */
/* Single-thread pair loops.                                                 */

struct pair_args {
	struct ga_zone *z;
	unsigned int cpu;
	unsigned long n;
};

#define GFP_BENCH (GA_GFP_KERNEL | GA_GFP_MOVABLE)

static uint64_t run_order0_pairs(void *arg)
{
	struct pair_args *a = arg;
	uint64_t t0 = now_ns();

	for (unsigned long i = 0; i < a->n; i++)
		xfree(a->z, a->cpu, xalloc(a->z, a->cpu, 0, GFP_BENCH), 0);
	return now_ns() - t0;
}

static void bench_order0(const char *name, bool pcp)
{
	struct pair_args a = { .z = make_zone(name, pcp), .n = iters(5000000) };
	struct pair_args warm = a;
	struct ga_stats before;
	double ns;

	warm.n = a.n / 10;
	run_order0_pairs(&warm);
	ga_zone_stats(a.z, &before);
	ns = best_of(run_order0_pairs, &a, a.n);
	report(name, pcp ? "order-0 alloc+free pair, pcp on" :
			   "order-0 alloc+free pair, pcp off", ns, "ns");
	if (pcp) {
		char rate_name[64];

		snprintf(rate_name, sizeof(rate_name), "%s_rate", name);
		report(rate_name, "  same, as a rate (million pairs/s)",
		       1000.0 / ns, "Mops/s");
		pcp_note(a.z, &before, a.n * BENCH_RUNS);
	}
	check_all_free(a.z, name);
}

/* 64 allocations, then 64 frees: pcp refills from and spills to the buddy. */
static uint64_t run_batch64(void *arg)
{
	struct pair_args *a = arg;
	ga_pfn_t pfns[BATCH];
	uint64_t t0 = now_ns();

	for (unsigned long r = 0; r < a->n / BATCH; r++) {
		for (int i = 0; i < BATCH; i++)
			pfns[i] = xalloc(a->z, a->cpu, 0, GFP_BENCH);
		for (int i = 0; i < BATCH; i++)
			xfree(a->z, a->cpu, pfns[i], 0);
	}
	return now_ns() - t0;
}

static void bench_batch64(void)
{
	const char *name = "order0_pcp_batch64";
	struct pair_args a = { .z = make_zone(name, true), .n = iters(5000000) };
	struct pair_args warm = a;
	struct ga_stats before;
	double ns;

	a.n -= a.n % BATCH;
	warm.n = a.n / 10;
	run_batch64(&warm);
	ga_zone_stats(a.z, &before);
	ns = best_of(run_batch64, &a, a.n);
	report(name, "order-0, 64 allocs then 64 frees, ns per pair", ns, "ns");
	pcp_note(a.z, &before, a.n * BENCH_RUNS);
	check_all_free(a.z, name);
}

/* Orders 0..10: pcp orders hit the lists, the rest split and merge. */
static uint64_t run_random_order(void *arg)
{
	struct pair_args *a = arg;
	uint64_t seed = BENCH_SEED;
	uint64_t t0 = now_ns();

	for (unsigned long i = 0; i < a->n; i++) {
		unsigned int order = (unsigned int)(rnd(&seed) % 11);

		xfree(a->z, a->cpu, xalloc(a->z, a->cpu, order, GFP_BENCH),
		      order);
	}
	return now_ns() - t0;
}

static void bench_random_order(void)
{
	const char *name = "random_order_pair";
	struct pair_args a = { .z = make_zone(name, true), .n = iters(5000000) };
	struct pair_args warm = a;
	double ns;

	warm.n = a.n / 10;
	run_random_order(&warm);
	ns = best_of(run_random_order, &a, a.n);
	report(name, "random order 0..10 alloc+free pair, pcp on", ns, "ns");
	check_all_free(a.z, name);
}

/* ------------------------------------------------------------------------ */
/* Churn: a half-full zone of mixed orders and mobilities.                   */

struct live {
	ga_pfn_t pfn;
	unsigned int order;
};

struct churn {
	struct ga_zone *z;
	struct live *live;
	size_t nr_live;
	unsigned long pages;	/* currently allocated */
	unsigned long n;	/* replacements per run */
	uint64_t seed;
};

static const unsigned int churn_gfp[3] = {
	GA_GFP_KERNEL | GA_GFP_MOVABLE,
	GA_GFP_KERNEL,				/* unmovable */
	GA_GFP_KERNEL | GA_GFP_RECLAIMABLE,
};

static void churn_alloc(struct churn *c, struct live *slot)
{
	uint64_t r = rnd(&c->seed);

	slot->order = (unsigned int)(r & 3);
	slot->pfn = xalloc(c->z, 0, slot->order, churn_gfp[(r >> 2) % 3]);
	c->pages += 1ul << slot->order;
}

static uint64_t run_churn(void *arg)
{
	struct churn *c = arg;
	uint64_t t0 = now_ns();

	for (unsigned long i = 0; i < c->n; i++) {
		struct live *slot = &c->live[rnd(&c->seed) % c->nr_live];

		xfree(c->z, 0, slot->pfn, slot->order);
		c->pages -= 1ul << slot->order;
		churn_alloc(c, slot);
	}
	return now_ns() - t0;
}

static void bench_churn(void)
{
	const char *name = "churn_mixed";
	struct churn c = { .z = make_zone(name, true), .seed = BENCH_SEED };
	/* Orders 0..3 average 3.75 pages; size the table with some slack. */
	size_t cap = BENCH_PAGES / 2 / 3 + 1024;
	char err[256];
	double ns;
	int ret;

	c.live = calloc(cap, sizeof(*c.live));
	if (!c.live)
		die("out of memory for the churn table");
	while (c.pages < BENCH_PAGES / 2) {
		if (c.nr_live == cap)
			die("churn table overflow");
		churn_alloc(&c, &c.live[c.nr_live++]);
	}
	c.n = iters(500000);
	run_churn(&c);		/* warm-up, and mixes the block types */
	c.n = iters(2000000);
	ns = best_of(run_churn, &c, c.n);
	report(name, "50% full, orders 0..3, mixed types: ns per replace", ns,
	       "ns");

	/* Check the zone while it holds a fragmented working set. */
	ret = ga_zone_check(c.z, err, sizeof(err));
	if (ret)
		die("%s: ga_zone_check with %zu allocations live: %s", name,
		    c.nr_live, err);
	for (size_t i = 0; i < c.nr_live; i++)
		xfree(c.z, 0, c.live[i].pfn, c.live[i].order);
	free(c.live);
	check_all_free(c.z, name);
}

/* ------------------------------------------------------------------------ */
/* Threads: each on its own CPU index, so only the zone lock is shared.      */

struct thread_args {
	struct ga_zone *z;
	pthread_barrier_t *barrier;
	unsigned int cpu;
	unsigned long n;
	uint64_t start, end;
};

static void *thread_pairs(void *arg)
{
	struct thread_args *t = arg;
	struct pair_args a = { .z = t->z, .cpu = t->cpu, .n = t->n / 10 };

	run_order0_pairs(&a);	/* warm this CPU's pcp */
	a.n = t->n;
	pthread_barrier_wait(t->barrier);
	t->start = now_ns();
	run_order0_pairs(&a);
	t->end = now_ns();
	return NULL;
}

/* One run: returns wall ns; *per_thread_ns gets the mean ns per pair. */
static uint64_t run_threads(struct ga_zone *z, unsigned int nr, unsigned long n,
			    double *per_thread_ns)
{
	struct thread_args t[BENCH_CPUS];
	pthread_t tid[BENCH_CPUS];
	pthread_barrier_t barrier;
	uint64_t first = UINT64_MAX, last = 0;
	double sum = 0;
	int ret;

	ret = pthread_barrier_init(&barrier, NULL, nr);
	if (ret)
		die("pthread_barrier_init: %s", strerror(ret));
	for (unsigned int i = 0; i < nr; i++) {
		t[i] = (struct thread_args){ .z = z, .barrier = &barrier,
					     .cpu = i, .n = n };
		ret = pthread_create(&tid[i], NULL, thread_pairs, &t[i]);
		if (ret)
			die("pthread_create: %s", strerror(ret));
	}
	for (unsigned int i = 0; i < nr; i++) {
		ret = pthread_join(tid[i], NULL);
		if (ret)
			die("pthread_join: %s", strerror(ret));
		first = t[i].start < first ? t[i].start : first;
		last = t[i].end > last ? t[i].end : last;
		sum += (double)(t[i].end - t[i].start) / (double)n;
	}
	pthread_barrier_destroy(&barrier);
	*per_thread_ns = sum / nr;
	return last - first;
}

static void bench_threads(const char *name, unsigned int nr)
{
	struct ga_zone *z = make_zone(name, true);
	unsigned long n = iters(2000000);
	double best_rate = 0, best_ns = 0;
	char rate_name[48], what[64];

	for (int i = 0; i < BENCH_RUNS; i++) {
		double per_thread;
		uint64_t wall = run_threads(z, nr, n, &per_thread);
		double rate = (double)n * nr / (double)wall * 1000.0;

		if (rate > best_rate) {
			best_rate = rate;
			best_ns = per_thread;
		}
	}
	snprintf(what, sizeof(what), "%u threads, order-0 pairs: ns per pair per thread",
		 nr);
	report(name, what, best_ns, "ns");
	snprintf(rate_name, sizeof(rate_name), "%s_rate", name);
	report(rate_name, "  aggregate, million pairs/s", best_rate, "Mops/s");
	check_all_free(z, name);
}

/* ------------------------------------------------------------------------ */
/* Per-CPU pageblocks (RFC 02/03): the jemalloc-purger pattern, with and     */
/* without pcp_buddy. Each thread allocates BATCH pages on its CPU and frees */
/* them on the next CPU, so every free crosses CPUs.                         */

static struct ga_zone *make_buddy_zone(const char *name, bool on)
{
	struct ga_zone_config cfg;
	struct ga_policy policy;
	struct ga_zone *z;
	int ret;

	if (nr_zones == MAX_ZONES)
		die("too many zones");
	ga_policy_preset(&policy, "vanilla");
	policy.pcp_buddy = on;
	ga_zone_config_default(&cfg, 0, BENCH_PAGES, BENCH_CPUS);
	cfg.policy = &policy;
	ret = ga_zone_create(&z, &cfg);
	if (ret)
		die("ga_zone_create(%s): %s", name, strerror(-ret));
	zone_names[nr_zones] = name;
	zones[nr_zones++] = z;
	return z;
}

struct purger_args {
	struct ga_zone *z;
	pthread_barrier_t *barrier;
	unsigned int cpu, free_cpu;
	unsigned long rounds;
	uint64_t start, end;
};

static void purger_rounds(struct purger_args *a, unsigned long rounds)
{
	ga_pfn_t pfn[BATCH];

	for (unsigned long r = 0; r < rounds; r++) {
		for (int i = 0; i < BATCH; i++)
			pfn[i] = xalloc(a->z, a->cpu, 0, GFP_BENCH);
		for (int i = 0; i < BATCH; i++)
			xfree(a->z, a->free_cpu, pfn[i], 0);
	}
}

static void *purger_thread(void *arg)
{
	struct purger_args *a = arg;

	purger_rounds(a, a->rounds / 10 + 1);	/* warm both pcps */
	pthread_barrier_wait(a->barrier);
	a->start = now_ns();
	purger_rounds(a, a->rounds);
	a->end = now_ns();
	return NULL;
}

/* One run of nr threads; returns the wall time of the timed part. */
static uint64_t run_purgers(struct ga_zone *z, unsigned int nr,
			    unsigned long rounds, uint64_t *locks,
			    uint64_t *moved)
{
	struct purger_args a[BENCH_CPUS];
	pthread_t tid[BENCH_CPUS];
	pthread_barrier_t barrier;
	struct ga_stats before, after;
	uint64_t first = UINT64_MAX, last = 0;
	int ret;

	pthread_barrier_init(&barrier, NULL, nr);
	ga_zone_stats(z, &before);
	for (unsigned int i = 0; i < nr; i++) {
		a[i] = (struct purger_args){ .z = z, .barrier = &barrier, .cpu = i,
					     .free_cpu = (i + 1) % (nr > 1 ? nr : 2),
					     .rounds = rounds };
		ret = pthread_create(&tid[i], NULL, purger_thread, &a[i]);
		if (ret)
			die("pthread_create: %s", strerror(ret));
	}
	for (unsigned int i = 0; i < nr; i++) {
		pthread_join(tid[i], NULL);
		first = a[i].start < first ? a[i].start : first;
		last = a[i].end > last ? a[i].end : last;
	}
	pthread_barrier_destroy(&barrier);
	ga_zone_stats(z, &after);
	/* Warm-up rounds included: the counters cannot tell them apart. */
	*locks = after.v[GA_STAT_ZONE_LOCK] - before.v[GA_STAT_ZONE_LOCK];
	*moved = after.v[GA_STAT_PCP_REFILL_PAGES] - before.v[GA_STAT_PCP_REFILL_PAGES] +
		 after.v[GA_STAT_PCP_DRAIN_PAGES] - before.v[GA_STAT_PCP_DRAIN_PAGES];
	return last - first;
}

static void bench_purger(unsigned int nr, bool on)
{
	char name[40], what[80];
	struct ga_zone *z;
	unsigned long rounds = iters(2000000) / BATCH / nr;
	double best_rate = 0, locks_k = 0, moved_k = 0;

	static const char *const zone_name[2][3] = {
		{ "purger1_vanilla", "purger2_vanilla", "purger4_vanilla" },
		{ "purger1_buddy", "purger2_buddy", "purger4_buddy" },
	};

	snprintf(name, sizeof(name), "purger%u_%s", nr, on ? "buddy" : "vanilla");
	z = make_buddy_zone(zone_name[on][nr == 1 ? 0 : nr == 2 ? 1 : 2], on);
	for (int i = 0; i < BENCH_RUNS; i++) {
		uint64_t locks, moved;
		unsigned long ops = (rounds + rounds / 10 + 1) * nr * BATCH * 2;
		uint64_t wall = run_purgers(z, nr, rounds, &locks, &moved);
		double rate = (double)rounds * nr * BATCH / (double)wall * 1000.0;

		if (rate > best_rate)
			best_rate = rate;
		/* The counts do not depend on timing much; keep the last. */
		locks_k = (double)locks * 1000.0 / (double)ops;
		moved_k = (double)moved * 1000.0 / (double)ops;
	}
	snprintf(what, sizeof(what), "%u thread%s alloc here, free on next cpu: Mpairs/s",
		 nr, nr > 1 ? "s" : "");
	report(name, what, best_rate, "Mops/s");
	snprintf(name, sizeof(name), "purger%u_%s_locks", nr, on ? "buddy" : "vanilla");
	report(name, "  zone->lock acquisitions per 1000 ops", locks_k, "locks");
	snprintf(name, sizeof(name), "purger%u_%s_moved", nr, on ? "buddy" : "vanilla");
	report(name, "  pages through pcp refills+spills per 1000 ops", moved_k, "pages");
	check_all_free(z, name);
}

/* ------------------------------------------------------------------------ */
/* Moving pages: compaction, and a 1 GiB page from a half-full zone.         */

struct owner_obj {
	ga_pfn_t pfn;
	uint8_t order;
	bool live;
};

/* An embedder owning every movable page: migrate updates its table. */
struct owners {
	struct ga_zone *z;
	struct owner_obj *obj;
	size_t nr, cap;
};

static int owners_migrate(void *ctx, struct ga_zone *z, uint64_t owner,
			  ga_pfn_t old_pfn, ga_pfn_t new_pfn, unsigned int order)
{
	struct owners *o = ctx;
	struct owner_obj *ob;

	(void)z;
	if (owner >= o->nr)
		return -ENOENT;
	ob = &o->obj[owner];
	if (!ob->live || ob->pfn != old_pfn || ob->order != order)
		return -ENOENT;
	ob->pfn = new_pfn;
	return 0;
}

/* Dirty page cache: it cannot be dropped, only moved. */
static int owners_drop(void *ctx, struct ga_zone *z, uint64_t owner,
		       ga_pfn_t pfn, unsigned int order)
{
	(void)ctx, (void)z, (void)owner, (void)pfn, (void)order;
	return -EBUSY;
}

static const struct ga_ops owner_ops = {
	.migrate = owners_migrate,
	.drop = owners_drop,
};

static void owners_create(struct owners *o, const char *name)
{
	struct ga_zone_config cfg;
	struct ga_policy policy;
	int ret;

	ga_policy_preset(&policy, "vanilla");
	ga_zone_config_default(&cfg, 0, BENCH_PAGES, BENCH_CPUS);
	cfg.policy = &policy;
	cfg.ops = &owner_ops;
	cfg.ops_ctx = o;
	o->nr = 0;
	o->cap = BENCH_PAGES;
	o->obj = calloc(o->cap, sizeof(*o->obj));
	if (!o->obj)
		die("%s: out of memory for the owner table", name);
	ret = ga_zone_create(&o->z, &cfg);
	if (ret)
		die("ga_zone_create(%s): %s", name, strerror(-ret));
}

static bool owners_alloc(struct owners *o, unsigned int order)
{
	ga_pfn_t pfn;

	if (o->nr == o->cap || ga_alloc(o->z, 0, order, GA_GFP_HIGHUSER_MOVABLE,
					o->nr, &pfn))
		return false;
	o->obj[o->nr++] = (struct owner_obj){ .pfn = pfn, .order = (uint8_t)order,
					      .live = true };
	return true;
}

static void owners_free(struct owners *o, size_t i)
{
	xfree(o->z, 0, o->obj[i].pfn, o->obj[i].order);
	o->obj[i].live = false;
}

/* Every owner still holds its pages where its table says; invariants hold. */
static void owners_verify(struct owners *o, const char *name)
{
	char err[256];

	for (size_t i = 0; i < o->nr; i++) {
		struct ga_page_info pi;

		if (!o->obj[i].live)
			continue;
		if (ga_page_query(o->z, o->obj[i].pfn, &pi) ||
		    pi.state != GA_PAGE_ALLOC || pi.head_pfn != o->obj[i].pfn ||
		    pi.owner != i || pi.order != o->obj[i].order)
			die("%s: owner %zu lost its page at %#llx", name, i,
			    (unsigned long long)o->obj[i].pfn);
	}
	if (ga_zone_check(o->z, err, sizeof(err)))
		die("%s: invariants: %s", name, err);
}

static void owners_destroy(struct owners *o)
{
	ga_zone_destroy(o->z);
	free(o->obj);
}

static void xfree_contig(struct ga_zone *z, ga_pfn_t pfn)
{
	int ret = ga_free_contig_range(z, 0, pfn, pfn + (1ul << 18));

	if (ret)
		die("ga_free_contig_range(%#llx): %s", (unsigned long long)pfn,
		    strerror(-ret));
}

static unsigned long free_thp_blocks(struct ga_zone *z)
{
	struct ga_zone_info info;

	ga_zone_info(z, &info);
	return info.nr_free[9] + 2 * info.nr_free[10];
}

/*
 * compact_memory on a zone full of order-0 pages, half of them freed at
 * random. (A strictly alternating pattern would defeat the free scanner:
 * after fruitless blocks it samples every 32nd pfn, as the kernel does.)
 */
static void bench_compaction(void)
{
	const char *name = "compact_migrate_rate";
	int runs = scale > 1 ? 1 : 3;
	double best_rate = 0, best_ns = 0;
	unsigned long blocks = 0;
	int moved = 0;

	for (int run = 0; run < runs; run++) {
		uint64_t seed = BENCH_SEED, t0, dt;
		struct owners o;

		owners_create(&o, name);
		while (owners_alloc(&o, 0))
			;
		for (size_t i = 0; i < o.nr; i++)
			if (rnd(&seed) & 1)
				owners_free(&o, i);
		ga_drain_all_pcp(o.z);
		t0 = now_ns();
		moved = ga_compact_zone(o.z, 0, -1, true);
		dt = now_ns() - t0;
		if (moved <= 0)
			die("%s: ga_compact_zone moved nothing (%d)", name, moved);
		blocks = free_thp_blocks(o.z);
		owners_verify(&o, name);
		owners_destroy(&o);
		if ((double)moved / (double)dt * 1e3 > best_rate) {
			best_rate = (double)moved / (double)dt * 1e3;
			best_ns = (double)dt / moved;
		}
	}
	report(name, "compact_memory, half the pages free: M pages moved/s",
	       best_rate, "Mpages/s");
	report("compact_ns_per_page", "  same, ns per page moved", best_ns, "ns");
	printf("%-22s   %d pages moved, free order-9 blocks 0 -> %lu\n", "",
	       moved, blocks);
}

/*
 * The 1 GiB hugetlb path on a zone 50 % full of dirty movable pages of
 * orders 0..3 spread over all of it: the first window must be emptied.
 */
static void bench_contig_1g(void)
{
	const char *name = "contig_1g_time";
	int runs = scale > 1 ? 1 : 3;
	struct ga_contig_report r = { 0 };
	double best_ms = 0;

	for (int run = 0; run < runs; run++) {
		uint64_t seed = BENCH_SEED, t0, dt;
		struct owners o;
		ga_pfn_t pfn;
		int ret;

		owners_create(&o, name);
		while (owners_alloc(&o, (unsigned int)(rnd(&seed) & 3)))
			;
		for (size_t i = 0; i < o.nr; i++)
			if (rnd(&seed) & 1)
				owners_free(&o, i);
		ga_drain_all_pcp(o.z);
		t0 = now_ns();
		ret = ga_alloc_contig_pages(o.z, 0, 18, UINT64_MAX, &pfn, &r);
		dt = now_ns() - t0;
		if (ret)
			die("%s: no 1 GiB page: %s, %s at pfn %#llx", name,
			    strerror(-ret), ga_block_reason_name(r.reason),
			    (unsigned long long)r.pfn);
		owners_verify(&o, name);
		xfree_contig(o.z, pfn);
		owners_destroy(&o);
		if (!run || dt / 1e6 < best_ms)
			best_ms = (double)dt / 1e6;
	}
	report(name, "1 GiB page from a 50%-full 4 GiB zone: ms", best_ms, "ms");
	report("contig_1g_pages_moved", "  pages moved out of the window",
	       (double)(r.pages_migrated + r.pages_dropped), "pages");
}

/* ------------------------------------------------------------------------ */

static void check_zones(void)
{
	char err[256];

	for (unsigned int i = 0; i < nr_zones; i++) {
		int ret = ga_zone_check(zones[i], err, sizeof(err));

		if (ret) {
			printf("bench: invariants FAILED (%s: %s)\n",
			       zone_names[i], err);
			exit(1);
		}
	}
	printf("bench: invariants ok\n");
}

/* Check and free every zone made so far (4 GiB of metadata each). */
static void destroy_zones(void)
{
	check_zones();
	for (unsigned int i = 0; i < nr_zones; i++)
		ga_zone_destroy(zones[i]);
	nr_zones = 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench [--quick]\n"
		   "  --quick  10x fewer iterations (CI smoke run)\n");
}

int main(int argc, char **argv)
{
	uint64_t t0 = now_ns();

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			scale = 10;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "bench: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	printf("gigalloc bench: %lu MiB zone, %u cpus, best of %d%s\n",
	       BENCH_PAGES >> 8, BENCH_CPUS, BENCH_RUNS,
	       scale > 1 ? " (--quick)" : "");

	for (cur_policy = 0; cur_policy < NR_POLICIES; cur_policy++) {
		printf("\n== policy %s ==\n", bench_policies[cur_policy]);
		bench_order0("order0_pcp_pair", true);
		bench_order0("order0_nopcp_pair", false);
		bench_batch64();
		bench_random_order();
		bench_churn();
		bench_threads("threads2_pair", 2);
		bench_threads("threads4_pair", 4);
		destroy_zones();
	}
	cur_policy = 0;
	printf("\n== per-CPU pageblocks (RFC 02/03), vanilla with pcp_buddy off/on ==\n");
	for (unsigned int nr = 1; nr <= 4; nr *= 2) {
		bench_purger(nr, false);
		bench_purger(nr, true);
	}
	destroy_zones();
	printf("\n== moving pages, policy vanilla ==\n");
	bench_compaction();
	bench_contig_1g();
	destroy_zones();
	print_summary();
	printf("total time %.1f s\n", (double)(now_ns() - t0) / 1e9);
	return 0;
}
