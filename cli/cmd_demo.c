// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * gigalloc demo: fill a zone to ~90 % and churn it with random frees and
 * allocations from one or more threads, then print the kernel-format
 * reports and check the invariants. It plays the kernel's users: the
 * library's behaviour lives in src/, never here.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "gigalloc.h"
#include "options.h"

#define DEMO_PB_BYTES	(2ull << 20)
#define DEMO_MIN_MEM	DEMO_PB_BYTES
#define DEMO_MAX_MEM	(16ull << 40)

static const char *const prog = CLI_PROG;

/* ------------------------------------------------------------------------ */
/* demo: the allocation-tracking table.                                      */

/*
 * The demo plays the kernel's users: it owns every allocation it made, by
 * mobility class, so that churn can free a random one and the reclaim
 * callback can "evict" reclaimable and movable ones (page cache, slab,
 * anonymous memory) while unmovable allocations stay put.
 */
enum { CL_MOVABLE, CL_RECLAIMABLE, CL_UNMOVABLE, NR_CLASSES };

static const char *const class_name[NR_CLASSES] = {
	"movable", "reclaimable", "unmovable",
};

struct demo_alloc {
	ga_pfn_t pfn;
	unsigned int order;
};

struct pool {
	struct demo_alloc *a;
	size_t nr, cap;
};

struct demo {
	struct ga_zone *zone;
	struct pool pools[NR_CLASSES];
	uint64_t rng;
	uint64_t next_owner;
	unsigned long used;		/* pages we hold */
	unsigned long fill;		/* pages held when the fill stopped */
	unsigned long band_low;		/* churn allocates below this */
	unsigned long managed;
	unsigned long nr_ops;		/* churn operations of this thread */
	unsigned int cpus;
	unsigned int cpu_first, cpu_step;	/* this thread's CPUs */
	struct demo_sync *sync;		/* shared by the threads, or NULL */
	int error;			/* first failure inside the callback */
	/* What the demo saw, for the summary. */
	unsigned long nr_alloc, nr_free, nr_enomem, nr_thp, nr_thp_fail;
	unsigned long reclaim_calls, reclaim_pages;
};

/*
 * With --threads, each thread plays its own share of the users with its own
 * table and CPUs; they meet at barriers so the invariant checker runs on a
 * quiescent zone (between library calls nothing is half done).
 */
struct demo_sync {
	pthread_barrier_t barrier;
	unsigned int checks;		/* quiescent checks during the churn */
	unsigned int checks_done;
	int failed;
};

/* The thread's own table, for the reclaim callback (it frees our pages). */
static __thread struct demo *demo_self;

/* xorshift64: deterministic for a given --seed. */
static uint64_t rnd(struct demo *d)
{
	uint64_t x = d->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	d->rng = x;
	return x;
}

/* splitmix64 spreads any seed, 0 included, to a non-zero xorshift state. */
static uint64_t seed_state(uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return z ? z : 0x9e3779b97f4a7c15ull;
}

static void pool_push(struct pool *p, ga_pfn_t pfn, unsigned int order)
{
	if (p->nr == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1024;
		struct demo_alloc *a = realloc(p->a, cap * sizeof(*a));

		if (!a)
			cli_fatal("out of memory for the allocation table");
		p->a = a;
		p->cap = cap;
	}
	p->a[p->nr++] = (struct demo_alloc){ .pfn = pfn, .order = order };
}

/* Free entry i of a pool (swap-remove). */
static int pool_free(struct demo *d, struct pool *p, size_t i, unsigned int cpu)
{
	struct demo_alloc a = p->a[i];
	int err = ga_free(d->zone, cpu, a.pfn, a.order);

	if (err)
		return err;
	p->a[i] = p->a[--p->nr];
	d->used -= 1ul << a.order;
	d->nr_free++;
	return 0;
}

/*
 * ops->reclaim: free random reclaimable and movable allocations until the
 * request is met. Runs inside ga_alloc, which is fine: the table is only
 * ever changed between library calls.
 */
static unsigned long demo_reclaim(void *ctx, struct ga_zone *zone,
				  const struct ga_reclaim_request *req)
{
	struct demo *d = demo_self ? demo_self : ctx;
	struct pool *mov = &d->pools[CL_MOVABLE];
	struct pool *rec = &d->pools[CL_RECLAIMABLE];
	unsigned long freed = 0;

	(void)zone;
	d->reclaim_calls++;
	while (freed < req->nr_to_reclaim && mov->nr + rec->nr && !d->error) {
		size_t r = (size_t)(rnd(d) % (mov->nr + rec->nr));
		struct pool *p = r < mov->nr ? mov : rec;
		size_t i = r < mov->nr ? r : r - mov->nr;
		unsigned int order = p->a[i].order;
		int err = pool_free(d, p, i, req->cpu);

		if (err) {
			d->error = err;
			break;
		}
		freed += 1ul << order;
	}
	d->reclaim_pages += freed;
	return freed;
}

/* ------------------------------------------------------------------------ */
/* demo: the workload.                                                       */

#define DEMO_FILL_PCT		90
#define DEMO_BAND_PCT		2	/* churn stays in [fill - 2 %, fill] */
#define DEMO_OPS_PER_TICK	100000	/* one vmstat "second" of churn */

/* One of this thread's CPUs: cpu_first, cpu_first + cpu_step, ... */
static unsigned int demo_cpu(const struct demo *d, uint64_t r)
{
	unsigned int n = (d->cpus - d->cpu_first + d->cpu_step - 1) / d->cpu_step;

	return d->cpu_first + (unsigned int)(r % n) * d->cpu_step;
}

/*
 * One allocation of the demo's mix: 60 % movable, 25 % reclaimable, 15 %
 * unmovable; orders 0..3 (60/20/12/8 %) and, one in 2048, a movable order-9
 * THP (about a tenth of the memory). THPs use the light gfp: they may fail,
 * as they do in the kernel, without reclaim.
 */
static void demo_alloc_one(struct demo *d)
{
	static const unsigned int gfp[NR_CLASSES] = {
		GA_GFP_HIGHUSER_MOVABLE, GA_GFP_KERNEL_RECLAIMABLE, GA_GFP_KERNEL,
	};
	/* One draw, four independent 16-bit fields. */
	uint64_t r = rnd(d);
	unsigned int o = (unsigned int)(r & 0xffff) % 100, order, g;
	unsigned int c = (unsigned int)((r >> 16) & 0xffff) % 100;
	bool thp = ((r >> 32) & 2047) == 0;
	unsigned int cpu = demo_cpu(d, r >> 48);
	int cl = c < 60 ? CL_MOVABLE : c < 85 ? CL_RECLAIMABLE : CL_UNMOVABLE;
	ga_pfn_t pfn;
	int err;

	order = o < 60 ? 0 : o < 80 ? 1 : o < 92 ? 2 : 3;
	g = gfp[cl];
	if (thp) {
		cl = CL_MOVABLE;
		order = 9;
		g = GA_GFP_TRANSHUGE_LIGHT;
		d->nr_thp++;
	}
	err = ga_alloc(d->zone, cpu, order, g, d->next_owner++, &pfn);
	if (d->error)
		cli_fatal("reclaim callback: ga_free failed: %s", strerror(-d->error));
	if (err == -ENOMEM) {
		if (thp)
			d->nr_thp_fail++;
		else
			d->nr_enomem++;
		return;
	}
	if (err)
		cli_fatal("ga_alloc(order %u, gfp %#x): %s", order, g, strerror(-err));
	pool_push(&d->pools[cl], pfn, order);
	d->used += 1ul << order;
	d->nr_alloc++;
}

/* Free one allocation chosen uniformly among all that are live. */
static void demo_free_one(struct demo *d)
{
	size_t total = 0, r;
	int cl, err;

	for (cl = 0; cl < NR_CLASSES; cl++)
		total += d->pools[cl].nr;
	if (!total)
		return;
	r = (size_t)(rnd(d) % total);
	for (cl = 0; r >= d->pools[cl].nr; cl++)
		r -= d->pools[cl].nr;
	err = pool_free(d, &d->pools[cl], r, demo_cpu(d, rnd(d)));
	if (err)
		cli_fatal("ga_free: %s", strerror(-err));
}

static void progress(double t0, unsigned long done, unsigned long total)
{
	static int last = -1;
	int pct = (int)(done * 100 / total);

	if (pct == last || cli_now() - t0 < 1.0)
		return;
	last = pct;
	fprintf(stderr, "\rchurn: %3d%%", pct);
}

/*
 * Allocate up to DEMO_FILL_PCT of the zone. In a small zone the watermarks
 * and pcp lists can take more than the rest, so reclaim frees as fast as
 * we allocate: stop once a zone's worth of allocations brings no new peak.
 */
static void demo_fill(struct demo *d)
{
	unsigned long target = d->managed / 100 * DEMO_FILL_PCT;
	unsigned long peak = 0, stalled = 0;

	while (d->used < target && stalled < d->managed) {
		demo_alloc_one(d);
		if (d->used > peak) {
			peak = d->used;
			stalled = 0;
		} else {
			stalled++;
		}
	}
	d->fill = d->used;
}

/* All threads stop; the first checks the zone; all go on. */
static void demo_checkpoint(struct demo *d)
{
	struct demo_sync *sy = d->sync;
	char err[256];

	pthread_barrier_wait(&sy->barrier);
	if (d->cpu_first == 0) {
		if (ga_zone_check(d->zone, err, sizeof(err))) {
			fprintf(stderr, "invariants: FAILED during the churn: %s\n", err);
			sy->failed = 1;
		}
		sy->checks_done++;
	}
	pthread_barrier_wait(&sy->barrier);
}

static bool at_checkpoint(const struct demo *d, unsigned long i,
			  unsigned long ops)
{
	unsigned int n = d->sync ? d->sync->checks : 0;

	return n && ops >= n && i % (ops / n) == ops / n - 1;
}

static void demo_churn(struct demo *d, unsigned long ops)
{
	unsigned long high = d->fill;
	unsigned long band = d->managed / 100 * DEMO_BAND_PCT;
	unsigned long low = high > band ? high - band : 0;
	bool tty = isatty(2) && d->cpu_first == 0;
	double t0 = cli_now();

	d->band_low = low;

	for (unsigned long i = 0; i < ops; i++) {
		if (at_checkpoint(d, i, ops))
			demo_checkpoint(d);
		/* Free above the band, allocate below it, coin flip inside. */
		if (d->used >= high)
			demo_free_one(d);
		else if (d->used < low || (rnd(d) & 1))
			demo_alloc_one(d);
		else
			demo_free_one(d);
		if (i % DEMO_OPS_PER_TICK == DEMO_OPS_PER_TICK - 1 &&
		    d->cpu_first == 0)
			ga_vmstat_tick(d->zone);
		if (tty && !(i & 0xffff))
			progress(t0, i, ops);
	}
	if (tty)
		fprintf(stderr, "\r            \r");
}

/* ------------------------------------------------------------------------ */
/* demo: the report.                                                         */

static double pct(const struct demo *d, unsigned long pages)
{
	return 100.0 * (double)pages / (double)d->managed;
}

static void print_counters(struct ga_zone *z, const struct demo *d)
{
	static const enum ga_stat_item items[] = {
		GA_STAT_PGALLOC, GA_STAT_PGFREE, GA_STAT_ALLOC_FAIL,
		GA_STAT_ALLOC_SLOWPATH, GA_STAT_FALLBACK,
		GA_STAT_FALLBACK_FRAGMENTING, GA_STAT_FALLBACK_CHANGE_OWNERSHIP,
		GA_STAT_CLAIM_WHOLE, GA_STAT_CLAIM_PARTIAL, GA_STAT_CLAIM_REFUSED,
		GA_STAT_STEAL, GA_STAT_BOOST, GA_STAT_KSWAPD_WAKE,
		GA_STAT_KSWAPD_RECLAIMED, GA_STAT_DIRECT_RECLAIM,
		GA_STAT_DIRECT_RECLAIMED, GA_STAT_DRAIN_ALL, GA_STAT_PCP_REFILL,
		GA_STAT_PCP_REFILL_PAGES, GA_STAT_PCP_DRAIN_PAGES,
		GA_STAT_COMPACT_STALL, GA_STAT_SPB_RELAX_NOFRAGMENT,
		GA_STAT_SPB_TAINTED,
	};
	struct ga_stats st;

	ga_zone_stats(z, &st);
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
		printf("%-28s %" PRIu64 "\n", ga_stat_name(items[i]),
		       st.v[items[i]]);
	printf("demo: %lu allocations, %lu frees, %lu order-0..3 failures, "
	       "%lu of %lu THP allocations failed\n",
	       d->nr_alloc, d->nr_free, d->nr_enomem, d->nr_thp_fail, d->nr_thp);
	printf("demo: filled to %.1f%% of the zone, churned between %.1f%% "
	       "and %.1f%%\n", pct(d, d->fill), pct(d, d->band_low),
	       pct(d, d->fill));
	printf("demo: reclaim callback called %lu times, freed %lu pages\n",
	       d->reclaim_calls, d->reclaim_pages);
	printf("demo: holding %lu of %lu pages (", d->used, d->managed);
	for (int cl = 0; cl < NR_CLASSES; cl++)
		printf("%s%zu %s", cl ? ", " : "", d->pools[cl].nr, class_name[cl]);
	printf(" allocations)\n");
}

static void section(const char *title)
{
	printf("\n== %s ==\n", title);
}

/* Check the invariants with the working set live, then free it all. */
static void demo_check(struct demo *t, unsigned int n)
{
	struct ga_zone *z = t[0].zone;
	struct ga_zone_info info;
	char err[256];

	if (ga_zone_check(z, err, sizeof(err))) {
		printf("invariants: FAILED: %s\n", err);
		exit(1);
	}
	for (unsigned int i = 0; i < n; i++) {
		struct demo *d = &t[i];

		for (int cl = 0; cl < NR_CLASSES; cl++)
			while (d->pools[cl].nr)
				if (pool_free(d, &d->pools[cl], d->pools[cl].nr - 1, 0))
					cli_fatal("teardown: ga_free failed");
	}
	ga_drain_all_pcp(z);
	ga_zone_info(z, &info);
	if (info.free_pages != info.managed_pages) {
		printf("invariants: FAILED: %lu of %lu pages free after freeing "
		       "everything\n", info.free_pages, info.managed_pages);
		exit(1);
	}
	printf("invariants: ok\n");
}

/* ------------------------------------------------------------------------ */
/* demo: arguments.                                                          */

struct demo_args {
	uint64_t mem;
	uint64_t cpus, ops, seed, threads, checks;
	const char *policy;
	const char **sets;
	size_t nr_sets;
};

static void demo_usage(FILE *f)
{
	fprintf(f,
"usage: %s demo [--mem SIZE] [--cpus N] [--ops N] [--seed S] [--threads N]\n"
"                     [--checks N] [--policy NAME] [--set name=value ...]\n"
"\n"
"Fill a zone to ~90%% with movable, reclaimable and unmovable allocations\n"
"of orders 0-3 and some order-9 THPs, then churn it with random frees and\n"
"allocations. A reclaim callback evicts movable and reclaimable\n"
"allocations when the allocator asks. Prints the policy, buddyinfo,\n"
"pagetypeinfo, counters and fragmentation indices, then checks invariants.\n"
"\n"
"  --mem SIZE         zone size, 2M..16T, a multiple of 2M (default 1G)\n"
"  --cpus N           CPUs (per-CPU lists) the work is spread over (default 4)\n"
"  --ops N            churn operations (default 2000000)\n"
"  --seed S           random seed (default 1)\n"
"  --threads N        threads churning the zone at once, each on its own\n"
"                     CPUs (default 1; the run is then not deterministic)\n"
"  --checks N         stop all threads N times during the churn and run\n"
"                     the invariant checker (default 4)\n"
"  --policy NAME      policy preset (default vanilla)\n"
"  --set name=value   change one policy parameter after --policy is\n"
"                     loaded; repeatable ('%s policy' lists them)\n"
"  -h, --help         this help\n"
"\n"
"SIZE: a number of bytes with an optional K, M, G or T suffix (2G, 512M),\n"
"a multiple of 2M (one pageblock), as in every subcommand.\n"
ARGS_EXIT_HELP, prog, prog);
}

enum { OPT_MEM, OPT_CPUS, OPT_OPS, OPT_SEED, OPT_POLICY, OPT_SET, OPT_THREADS,
       OPT_CHECKS, OPT_HELP };

static void uint_opt(const char *name, const char *v, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	if (sim_parse_uint_range(v, min, max, out))
		cli_usage_error("demo", "%s '%s': want a number in %llu..%llu", name, v,
				(unsigned long long)min, (unsigned long long)max);
}

static void parse_demo_args(struct demo_args *da, int argc, char **argv)
{
	/* In the order of the OPT_ values. */
	static const struct args_opt opts[] = {
		{ "--mem", 0, true }, { "--cpus", 0, true }, { "--ops", 0, true },
		{ "--seed", 0, true }, { "--policy", 0, true }, { "--set", 0, true },
		{ "--threads", 0, true }, { "--checks", 0, true },
		{ "--help", 'h', false },
	};
	char err[256];
	struct args a;
	int k;

	*da = (struct demo_args){ .mem = 1ull << 30, .cpus = 4, .ops = 2000000,
				  .seed = 1, .policy = "vanilla", .threads = 1,
				  .checks = 4 };
	da->sets = calloc((size_t)argc + 1, sizeof(*da->sets));
	if (!da->sets)
		cli_fatal("out of memory");
	args_init(&a, argc, argv);
	while ((k = cli_next_opt(&a, "demo", opts, sizeof(opts) / sizeof(opts[0]))) >= 0) {
		switch (k) {
		case OPT_MEM:
			if (args_parse_mem("--mem", a.value, DEMO_MIN_MEM, DEMO_MAX_MEM,
					   DEMO_PB_BYTES, &da->mem, err, sizeof(err)))
				cli_usage_error("demo", "%s", err);
			break;
		case OPT_CPUS:
			uint_opt("--cpus", a.value, 1, GA_MAX_CPUS, &da->cpus);
			break;
		case OPT_OPS:
			uint_opt("--ops", a.value, 0, ULONG_MAX, &da->ops);
			break;
		case OPT_SEED:
			uint_opt("--seed", a.value, 0, UINT64_MAX, &da->seed);
			break;
		case OPT_POLICY:
			da->policy = a.value;
			break;
		case OPT_THREADS:
			uint_opt("--threads", a.value, 1, 64, &da->threads);
			break;
		case OPT_CHECKS:
			uint_opt("--checks", a.value, 0, 1000, &da->checks);
			break;
		case OPT_SET:
			da->sets[da->nr_sets++] = a.value;
			break;
		case OPT_HELP:
			exit(cli_help(demo_usage));
		}
	}
}

static struct ga_zone *demo_zone(struct demo *d, const struct demo_args *da,
				 const struct ga_policy *policy,
				 struct ga_ops *ops)
{
	struct ga_zone_config cfg;
	struct ga_zone *z;
	char err[256];
	int ret;

	ga_zone_config_default(&cfg, 0, da->mem >> 12, (unsigned int)da->cpus);
	cfg.policy = policy;
	cfg.ops = ops;
	cfg.ops_ctx = d;
	if (ga_zone_config_check(&cfg, err, sizeof(err)))
		cli_usage_error("demo", "--mem/--cpus: %s", err);
	ret = ga_zone_create(&z, &cfg);
	if (ret)
		cli_fatal("cannot create a zone of %" PRIu64 " bytes: %s", da->mem,
		      strerror(-ret));
	return z;
}

/* One thread's share: fill, then churn, meeting the others at checks. */
static void *demo_thread(void *arg)
{
	struct demo *d = arg;

	demo_self = d;
	demo_fill(d);
	pthread_barrier_wait(&d->sync->barrier);
	demo_churn(d, d->nr_ops);
	return NULL;
}

/* The threads' tables, summed for the report. */
static void demo_sum(struct demo *sum, const struct demo *t, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		sum->used += t[i].used;
		sum->fill += t[i].fill;
		sum->band_low += t[i].band_low;
		sum->nr_alloc += t[i].nr_alloc;
		sum->nr_free += t[i].nr_free;
		sum->nr_enomem += t[i].nr_enomem;
		sum->nr_thp += t[i].nr_thp;
		sum->nr_thp_fail += t[i].nr_thp_fail;
		sum->reclaim_calls += t[i].reclaim_calls;
		sum->reclaim_pages += t[i].reclaim_pages;
		for (int cl = 0; cl < NR_CLASSES; cl++)
			sum->pools[cl].nr += t[i].pools[cl].nr;
	}
}

static void demo_run_threads(struct demo *t, unsigned int n,
			     struct demo_sync *sync)
{
	pthread_t *th = calloc(n, sizeof(*th));

	if (!th || pthread_barrier_init(&sync->barrier, NULL, n))
		cli_fatal("cannot set up %u threads", n);
	for (unsigned int i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, demo_thread, &t[i]))
			cli_fatal("pthread_create failed");
	for (unsigned int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&sync->barrier);
	free(th);
}

static void demo_report(const struct demo *sum, const struct demo_sync *sync,
			const struct demo_args *da, double t0, double t1)
{
	struct ga_zone *z = sum->zone;

	section("policy");
	ga_policy_print(stdout, ga_zone_policy(z));
	section("buddyinfo");
	ga_print_buddyinfo(z, stdout);
	section("pagetypeinfo");
	ga_print_pagetypeinfo(z, stdout);
	section("counters");
	print_counters(z, sum);
	section("extfrag");
	ga_print_extfrag(z, stdout);
	section("result");
	printf("elapsed: %.2f s for the fill and %" PRIu64 " churn operations "
	       "(%.0f ops/s, fill included)\n", t1 - t0, da->ops,
	       t1 > t0 ? (double)da->ops / (t1 - t0) : 0.0);
	printf("invariants during the churn: %u checks, %s\n", sync->checks_done,
	       sync->failed ? "FAILED" : "ok");
}

int cmd_demo(int argc, char **argv)
{
	struct ga_ops ops = { .reclaim = demo_reclaim };
	struct demo_sync sync = { 0 };
	struct demo sum = { 0 }, *t;
	struct demo_args da;
	struct ga_policy policy;
	struct ga_zone_info info;
	unsigned int n;
	double t0, t1;

	if (args_want_help(argc, argv))
		return cli_help(demo_usage);
	parse_demo_args(&da, argc, argv);
	cli_load_preset("demo", &policy, da.policy);
	for (size_t i = 0; i < da.nr_sets; i++)
		cli_apply_set("demo", &policy, da.sets[i]);
	n = (unsigned int)da.threads;
	if (da.cpus < n)
		cli_usage_error("demo", "--threads %u needs at least as many --cpus", n);
	sync.checks = (unsigned int)da.checks;

	sum.zone = demo_zone(&sum, &da, &policy, &ops);
	ga_zone_info(sum.zone, &info);
	sum.managed = info.managed_pages;
	t = calloc(n, sizeof(*t));
	if (!t)
		cli_fatal("out of memory");
	for (unsigned int i = 0; i < n; i++) {
		t[i] = (struct demo){ .zone = sum.zone, .managed = sum.managed / n,
				      .rng = seed_state(da.seed + i),
				      .cpus = (unsigned int)da.cpus, .cpu_first = i,
				      .cpu_step = n, .sync = &sync,
				      .nr_ops = da.ops / n };
	}
	printf("gigalloc demo: %" PRIu64 " MiB (%lu pages), %u cpus, %u thread%s, %"
	       PRIu64 " ops, seed %" PRIu64 ", policy %s", da.mem >> 20, sum.managed,
	       (unsigned int)da.cpus, n, n > 1 ? "s" : "", da.ops, da.seed, da.policy);
	for (size_t i = 0; i < da.nr_sets; i++)
		printf(" --set %s", da.sets[i]);
	printf("\n");

	t0 = cli_now();
	demo_run_threads(t, n, &sync);
	t1 = cli_now();
	for (unsigned int i = 0; i < n; i++)
		if (t[i].error)
			cli_fatal("reclaim callback: ga_free failed: %s",
			      strerror(-t[i].error));

	demo_sum(&sum, t, n);
	demo_report(&sum, &sync, &da, t0, t1);
	demo_check(t, n);
	if (sync.failed)
		return 1;

	ga_zone_destroy(sum.zone);
	for (unsigned int i = 0; i < n; i++)
		for (int cl = 0; cl < NR_CLASSES; cl++)
			free(t[i].pools[cl].a);
	free(t);
	free(da.sets);
	return 0;
}

