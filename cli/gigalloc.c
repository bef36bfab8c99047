// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * gigalloc: the command-line front end. It parses arguments, calls the
 * library and prints; the allocator's behaviour lives in src/, never here.
 *
 *   gigalloc demo    fill a zone to ~90 % and churn it (the default job)
 *   gigalloc policy  print a preset's parameter table
 *
 * Exit codes: 0 success, 1 runtime failure (allocation error, broken
 * invariant), 2 usage error.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "gigalloc.h"
#include "options.h"

#define EXIT_USAGE 2

static const char *prog = "gigalloc";

/* ------------------------------------------------------------------------ */
/* Messages.                                                                 */

static void usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* A usage error: say what was wrong and where the help is, exit 2. */
static void usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s%s%s: ", prog, cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s%s%s --help'.\n", prog, cmd ? " " : "",
		cmd ? cmd : "");
	exit(EXIT_USAGE);
}

static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void fatal(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ------------------------------------------------------------------------ */
/* Argument parsing helpers.                                                 */

/* Options are long only: "--name value" or "--name=value". */
struct cli_opt {
	const char *name;
	bool has_arg;
};

struct cli_args {
	const char *cmd;
	int argc, i;
	char **argv;
	const char *value;	/* the current option's argument */
};

/*
 * The next option's index in opts, or -1 at the end of argv. Anything
 * else (a stray word, an unknown option, a missing value) is a usage error.
 */
static int next_opt(struct cli_args *a, const struct cli_opt *opts, size_t nr)
{
	const char *arg, *eq;
	size_t len;

	if (a->i >= a->argc)
		return -1;
	arg = a->argv[a->i++];
	if (strncmp(arg, "--", 2) || !arg[2])
		usage_error(a->cmd, "unexpected argument '%s'", arg);
	eq = strchr(arg, '=');
	len = eq ? (size_t)(eq - arg) : strlen(arg);
	for (size_t k = 0; k < nr; k++) {
		if (strlen(opts[k].name) != len || strncmp(opts[k].name, arg, len))
			continue;
		if (!opts[k].has_arg) {
			if (eq)
				usage_error(a->cmd, "option '%.*s' takes no value",
					    (int)len, arg);
			return (int)k;
		}
		if (eq) {
			a->value = eq + 1;
		} else {
			if (a->i >= a->argc)
				usage_error(a->cmd, "option '%s' needs a value", arg);
			a->value = a->argv[a->i++];
		}
		return (int)k;
	}
	usage_error(a->cmd, "unknown option '%.*s'", (int)len, arg);
}

static const char *errno_name(int err)
{
	switch (err) {
	case -ENOENT:	return "-ENOENT";
	case -EINVAL:	return "-EINVAL";
	case -ERANGE:	return "-ERANGE";
	default:	return "error";
	}
}

static const struct ga_param_info *find_param(const char *name, size_t len)
{
	size_t nr;
	const struct ga_param_info *p = ga_policy_params(&nr);

	for (size_t i = 0; i < nr; i++)
		if (strlen(p[i].name) == len && !strncmp(p[i].name, name, len))
			return &p[i];
	return NULL;
}

/* Apply one --set; errors name the parameter and why it was refused. */
static void apply_set(const char *cmd, struct ga_policy *policy,
		      const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	const struct ga_param_info *pi;
	int len, err;

	if (!eq || eq == assignment)
		usage_error(cmd, "--set '%s': expected name=value", assignment);
	len = (int)(eq - assignment);
	err = ga_policy_set_assignment(policy, assignment);
	if (!err)
		return;
	pi = find_param(assignment, (size_t)len);
	if (err == -ENOENT || !pi)
		usage_error(cmd, "--set %.*s: unknown parameter (%s); "
			    "'%s policy' lists them", len, assignment,
			    errno_name(err), prog);
	if (err == -ERANGE && pi->type == GA_PARAM_UINT)
		usage_error(cmd, "--set %.*s: value '%s' out of range %u..%u (%s)",
			    len, assignment, eq + 1, pi->min, pi->max,
			    errno_name(err));
	usage_error(cmd, "--set %.*s: bad value '%s', expected %s (%s)", len,
		    assignment, eq + 1,
		    pi->type == GA_PARAM_BOOL ? "on/off" : "an unsigned number",
		    errno_name(err));
}

static void load_preset(const char *cmd, struct ga_policy *policy,
			const char *name)
{
	const char *const *names;

	if (!ga_policy_preset(policy, name))
		return;
	fprintf(stderr, "%s %s: unknown policy '%s'; presets:", prog, cmd, name);
	for (names = ga_policy_preset_names(); *names; names++)
		fprintf(stderr, " %s", *names);
	fprintf(stderr, "\nTry '%s %s --help'.\n", prog, cmd);
	exit(EXIT_USAGE);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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
			fatal("out of memory for the allocation table");
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
		fatal("reclaim callback: ga_free failed: %s", strerror(-d->error));
	if (err == -ENOMEM) {
		if (thp)
			d->nr_thp_fail++;
		else
			d->nr_enomem++;
		return;
	}
	if (err)
		fatal("ga_alloc(order %u, gfp %#x): %s", order, g, strerror(-err));
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
		fatal("ga_free: %s", strerror(-err));
}

static void progress(double t0, unsigned long done, unsigned long total)
{
	static int last = -1;
	int pct = (int)(done * 100 / total);

	if (pct == last || now_s() - t0 < 1.0)
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
	double t0 = now_s();

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
					fatal("teardown: ga_free failed");
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
"  --mem SIZE         zone size, suffix K/M/G/T, multiple of 2M (default 1G)\n"
"  --cpus N           CPUs (per-CPU lists) the work is spread over (default 4)\n"
"  --ops N            churn operations (default 2000000)\n"
"  --seed S           random seed (default 1)\n"
"  --threads N        threads churning the zone at once, each on its own\n"
"                     CPUs (default 1; the run is then not deterministic)\n"
"  --checks N         stop all threads N times during the churn and run\n"
"                     the invariant checker (default 4)\n"
"  --policy NAME      policy preset (default vanilla)\n"
"  --set name=value   change one policy parameter after --policy is\n"
"                     loaded; repeatable ('%s policy' lists them)\n",
		prog, prog);
}

static const char *size_error(int err)
{
	return err == -ERANGE ? "too large" :
	       "expected a number with an optional K, M, G or T suffix";
}

enum { OPT_MEM, OPT_CPUS, OPT_OPS, OPT_SEED, OPT_POLICY, OPT_SET, OPT_THREADS,
       OPT_CHECKS, OPT_HELP };

static void parse_demo_args(struct demo_args *da, int argc, char **argv)
{
	/* In the order of the OPT_ values. */
	static const struct cli_opt opts[] = {
		{ "--mem", true }, { "--cpus", true }, { "--ops", true },
		{ "--seed", true }, { "--policy", true }, { "--set", true },
		{ "--threads", true }, { "--checks", true }, { "--help", false },
	};
	struct cli_args a = { .cmd = "demo", .argc = argc, .argv = argv, .i = 0 };
	int k, err;

	*da = (struct demo_args){ .mem = 1ull << 30, .cpus = 4, .ops = 2000000,
				  .seed = 1, .policy = "vanilla", .threads = 1,
				  .checks = 4 };
	da->sets = calloc((size_t)argc + 1, sizeof(*da->sets));
	if (!da->sets)
		fatal("out of memory");
	while ((k = next_opt(&a, opts, sizeof(opts) / sizeof(opts[0]))) >= 0) {
		switch (k) {
		case OPT_MEM:
			err = sim_parse_size(a.value, &da->mem);
			if (err)
				usage_error(a.cmd, "--mem '%s': %s", a.value,
					    size_error(err));
			break;
		case OPT_CPUS:
			if (sim_parse_uint_range(a.value, 1, GA_MAX_CPUS, &da->cpus))
				usage_error(a.cmd, "--cpus '%s': expected 1..%u",
					    a.value, GA_MAX_CPUS);
			break;
		case OPT_OPS:
			if (sim_parse_uint_range(a.value, 0, ULONG_MAX, &da->ops))
				usage_error(a.cmd, "--ops '%s': expected a "
					    "non-negative integer", a.value);
			break;
		case OPT_SEED:
			if (sim_parse_uint_range(a.value, 0, UINT64_MAX, &da->seed))
				usage_error(a.cmd, "--seed '%s': expected an "
					    "unsigned 64-bit integer", a.value);
			break;
		case OPT_POLICY:
			da->policy = a.value;
			break;
		case OPT_THREADS:
			if (sim_parse_uint_range(a.value, 1, 64, &da->threads))
				usage_error(a.cmd, "--threads '%s': expected 1..64",
					    a.value);
			break;
		case OPT_CHECKS:
			if (sim_parse_uint_range(a.value, 0, 1000, &da->checks))
				usage_error(a.cmd, "--checks '%s': expected 0..1000",
					    a.value);
			break;
		case OPT_SET:
			da->sets[da->nr_sets++] = a.value;
			break;
		case OPT_HELP:
			demo_usage(stdout);
			exit(0);
		}
	}
}

/* The zone geometry the library wants: whole 2 MiB pageblocks, not 0. */
static uint64_t demo_pages(uint64_t mem)
{
	const uint64_t pb = 2ull << 20;

	if (!mem)
		usage_error("demo", "--mem must not be 0");
	if (mem % pb)
		usage_error("demo", "--mem %" PRIu64 " bytes is not a multiple "
			    "of 2M (one pageblock)", mem);
	return mem >> 12;
}

static struct ga_zone *demo_zone(struct demo *d, const struct demo_args *da,
				 const struct ga_policy *policy,
				 struct ga_ops *ops)
{
	struct ga_zone_config cfg;
	struct ga_zone *z;
	char err[256];
	int ret;

	ga_zone_config_default(&cfg, 0, demo_pages(da->mem), (unsigned int)da->cpus);
	cfg.policy = policy;
	cfg.ops = ops;
	cfg.ops_ctx = d;
	if (ga_zone_config_check(&cfg, err, sizeof(err)))
		usage_error("demo", "--mem/--cpus: %s", err);
	ret = ga_zone_create(&z, &cfg);
	if (ret)
		fatal("cannot create a zone of %" PRIu64 " bytes: %s", da->mem,
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
		fatal("cannot set up %u threads", n);
	for (unsigned int i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, demo_thread, &t[i]))
			fatal("pthread_create failed");
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

static int cmd_demo(int argc, char **argv)
{
	struct ga_ops ops = { .reclaim = demo_reclaim };
	struct demo_sync sync = { 0 };
	struct demo sum = { 0 }, *t;
	struct demo_args da;
	struct ga_policy policy;
	struct ga_zone_info info;
	unsigned int n;
	double t0, t1;

	parse_demo_args(&da, argc, argv);
	load_preset("demo", &policy, da.policy);
	for (size_t i = 0; i < da.nr_sets; i++)
		apply_set("demo", &policy, da.sets[i]);
	n = (unsigned int)da.threads;
	if (da.cpus < n)
		usage_error("demo", "--threads %u needs at least as many --cpus", n);
	sync.checks = (unsigned int)da.checks;

	sum.zone = demo_zone(&sum, &da, &policy, &ops);
	ga_zone_info(sum.zone, &info);
	sum.managed = info.managed_pages;
	t = calloc(n, sizeof(*t));
	if (!t)
		fatal("out of memory");
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

	t0 = now_s();
	demo_run_threads(t, n, &sync);
	t1 = now_s();
	for (unsigned int i = 0; i < n; i++)
		if (t[i].error)
			fatal("reclaim callback: ga_free failed: %s",
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

/* ------------------------------------------------------------------------ */
/* policy                                                                    */

static void policy_usage(FILE *f)
{
	fprintf(f,
"usage: %s policy [--policy NAME]\n"
"\n"
"Print every parameter of a policy preset (default vanilla): its value,\n"
"valid range, the kernel symbol it models, and what it does. Any of them\n"
"can be changed with '%s demo --set name=value'.\n", prog, prog);
}

static void print_param(const struct ga_param_info *pi,
			const struct ga_policy *p)
{
	const char *field = (const char *)p + pi->offset;
	char value[16], range[32];

	if (pi->type == GA_PARAM_BOOL) {
		snprintf(value, sizeof(value), "%s",
			 *(const bool *)field ? "on" : "off");
		snprintf(range, sizeof(range), "on/off");
	} else {
		snprintf(value, sizeof(value), "%u", *(const unsigned int *)field);
		snprintf(range, sizeof(range), "%u..%u", pi->min, pi->max);
	}
	printf("%-24s %-8s %-14s %s\n%-24s %s\n", pi->name, value, range,
	       pi->source, "", pi->help);
}

static int cmd_policy(int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "--policy", true }, { "--help", false },
	};
	struct cli_args a = { .cmd = "policy", .argc = argc, .argv = argv };
	const char *name = "vanilla";
	const struct ga_param_info *params;
	struct ga_policy policy;
	size_t nr;
	int k;

	while ((k = next_opt(&a, opts, 2)) >= 0) {
		if (k == 1) {
			policy_usage(stdout);
			return 0;
		}
		name = a.value;
	}
	load_preset("policy", &policy, name);
	params = ga_policy_params(&nr);
	printf("policy %s\n\n%-24s %-8s %-14s %s\n", name, "parameter", "value",
	       "range", "source");
	for (size_t i = 0; i < nr; i++)
		print_param(&params[i], &policy);
	return 0;
}

/* ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
"usage: %s <command> [options]\n"
"\n"
"A user-space model of the Linux buddy page allocator.\n"
"\n"
"commands:\n"
"  sim      simulate a workload under each policy and compare them (the\n"
"           main job: 1 GiB regions tainted vs ideal, 1 GiB pages obtained)\n"
"  replay   replay a kernel page allocator trace under each policy and\n"
"           compare the vanilla replay with the kernel's own figures\n"
"  inspect  this machine's 1 GiB regions from /proc/kpageflags (root)\n"
"  demo     fill a zone and churn it, then report fragmentation\n"
"  policy   print a policy preset's parameters\n"
"  help     show this help\n"
"\n"
"'%s <command> --help' describes a command's options.\n", prog, prog);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "sim"))
		return cmd_sim(argc - 2, argv + 2);
	if (!strcmp(cmd, "replay"))
		return cmd_replay(argc - 2, argv + 2);
	if (!strcmp(cmd, "inspect"))
		return cmd_inspect(argc - 2, argv + 2);
	if (!strcmp(cmd, "demo"))
		return cmd_demo(argc - 2, argv + 2);
	if (!strcmp(cmd, "policy"))
		return cmd_policy(argc - 2, argv + 2);
	if (cmd[0] == '-')
		usage_error(NULL, "unknown option '%s'", cmd);
	usage_error(NULL, "unknown command '%s'", cmd);
}
