// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * gigalloc sweep: a grid of `gigalloc sim` runs for an existing engine to
 * execute, not a scheduler of its own. --plan prints one self-contained
 * shell command per run (profile x size x policy x seed x every --set
 * value), each writing its JSON into the results directory; GNU parallel
 * runs them locally or over ssh, and a Slurm array job runs one by index
 * with --index N. `gigalloc compare DIR` then aggregates the directory.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "options.h"

#define SW_MAX_VALUES	64	/* per axis */
#define SW_MAX_SETS	16	/* --set axes */
#define SW_MAX_EXTRA	32	/* sim options after -- */
#define SW_MAX_SEEDS	10000

struct axis {
	const char *v[SW_MAX_VALUES];
	unsigned int n;
};

struct sweep {
	struct axis profile, mem, policy;
	uint64_t seeds[SW_MAX_SEEDS];	/* --seeds, in sim's grammar */
	unsigned int nr_seeds;
	struct axis set[SW_MAX_SETS];	/* values "name=value" */
	unsigned int nr_set;
	const char *duration, *out;
	const char *extra[SW_MAX_EXTRA];
	unsigned int nr_extra;
	bool plan, count;
	long index;			/* -1: none */
	char bin[PATH_MAX];
	char buf[8192];			/* storage for split lists */
	size_t used;
};

static void sweep_usage(FILE *f)
{
	fputs("usage: gigalloc sweep --plan | --count | --index N [grid] [-- sim options]\n"
	      "\n"
	      "A grid of gigalloc sim runs, one policy and one seed per run, for GNU\n"
	      "parallel or a Slurm array job to execute. Each run writes its JSON to\n"
	      "OUT/<profile>-<mem>-<policy>[-<set>...]-s<seed>.json; 'gigalloc compare\n"
	      "OUT' aggregates them (runs differing only in the seed form one column).\n"
	      "\n"
	      "  --plan             print one self-contained shell command per run\n"
	      "  --count            print the number of runs (for --array=0-(N-1))\n"
	      "  --index N          run the N-th run of the plan (0-based) here\n"
	      "\n"
	      "grid (each a comma-separated list):\n"
	      "  --profile A,B      workloads (default mixed)\n"
	      "  --mem S1,S2        memory sizes (default 64G)\n"
	      "  --policy A,B       policies (default: every preset)\n"
	      "  --seeds LIST       seeds: 1-10, 1,4,9 or both, as sim --seeds (default 1)\n"
	      "  --set name=v1,v2   one axis per --set (repeatable)\n"
	      "  --duration D       passed to every run\n"
	      "  --out DIR          results directory (default results)\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "Options after '--' are passed to every gigalloc sim run.\n"
	      "  gigalloc sweep --plan --policy vanilla,spb --seeds 1-10 | parallel\n"
	      "  gigalloc sweep --plan ... | parallel --sshloginfile hosts\n"
	      "  srun: gigalloc sweep --index $SLURM_ARRAY_TASK_ID ...\n"
	      "\n" ARGS_EXIT_HELP, f);
}

/* Split "a,b,c" into the axis (strings kept in s->buf). */
static void split(struct sweep *s, struct axis *ax, const char *opt, const char *list)
{
	size_t len = strlen(list) + 1;
	char *copy = s->buf + s->used, *save = NULL;

	if (s->used + len > sizeof(s->buf))
		cli_usage_error("sweep", "%s: the lists are too long", opt);
	memcpy(copy, list, len);
	s->used += len;
	ax->n = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (ax->n == SW_MAX_VALUES)
			cli_usage_error("sweep", "%s: more than %d values", opt, SW_MAX_VALUES);
		ax->v[ax->n++] = t;
	}
	if (!ax->n)
		cli_usage_error("sweep", "%s: empty list", opt);
}

/* --set name=v1,v2: the axis holds "name=v1", "name=v2". */
static void set_axis(struct sweep *s, const char *a)
{
	const char *eq = strchr(a, '=');
	struct axis vals = { 0 }, *ax;
	char name[128];

	if (!eq || eq == a || (size_t)(eq - a) >= sizeof(name))
		cli_usage_error("sweep", "--set '%s': expected name=value[,value...]", a);
	if (s->nr_set == SW_MAX_SETS)
		cli_usage_error("sweep", "more than %d --set", SW_MAX_SETS);
	snprintf(name, sizeof(name), "%.*s", (int)(eq - a), a);
	split(s, &vals, "--set", eq + 1);
	ax = &s->set[s->nr_set++];
	for (unsigned int i = 0; i < vals.n; i++) {
		size_t len = strlen(name) + strlen(vals.v[i]) + 2;
		char *p = s->buf + s->used;

		if (s->used + len > sizeof(s->buf))
			cli_usage_error("sweep", "--set: the lists are too long");
		snprintf(p, len, "%s=%s", name, vals.v[i]);
		s->used += len;
		ax->v[ax->n++] = p;
	}
}

/* The seeds in sim --seeds's grammar: 1-10, 1,4,9 or both. */
static void seeds(struct sweep *s, const char *v)
{
	int rc = sim_parse_seeds(v, s->seeds, SW_MAX_SEEDS);

	if (rc == -ERANGE)
		cli_usage_error("sweep", "--seeds '%s': a range backwards or more than %d "
				"seeds", v, SW_MAX_SEEDS);
	if (rc == -EEXIST)
		cli_usage_error("sweep", "--seeds '%s': a seed given twice", v);
	if (rc < 0)
		cli_usage_error("sweep", "--seeds '%s': want seeds and ranges separated by "
				"commas (e.g. 1-10, or 1,4,9)", v);
	s->nr_seeds = (unsigned int)rc;
}

enum { S_PLAN, S_COUNT, S_INDEX, S_PROFILE, S_MEM, S_POLICY, S_SEEDS, S_SET,
       S_DURATION, S_OUT, S_HELP };

static void parse(struct sweep *s, int argc, char **argv)
{
	static const struct args_opt opts[] = {
		[S_PLAN] = { "--plan", 0, false }, [S_COUNT] = { "--count", 0, false },
		[S_INDEX] = { "--index", 0, true }, [S_PROFILE] = { "--profile", 0, true },
		[S_MEM] = { "--mem", 0, true }, [S_POLICY] = { "--policy", 0, true },
		[S_SEEDS] = { "--seeds", 0, true }, [S_SET] = { "--set", 0, true },
		[S_DURATION] = { "--duration", 0, true }, [S_OUT] = { "--out", 0, true },
		[S_HELP] = { "--help", 'h', false },
	};
	struct args a;
	uint64_t x;
	int k;

	args_init(&a, argc, argv);
	while ((k = cli_next_opt_operands(&a, "sweep", opts, sizeof(opts) / sizeof(opts[0])))
	       != ARGS_END) {
		switch (k) {
		case ARGS_OPERAND:	/* after --: options for every sim run */
			if (s->nr_extra == SW_MAX_EXTRA)
				cli_usage_error("sweep", "more than %d sim options", SW_MAX_EXTRA);
			s->extra[s->nr_extra++] = a.value;
			break;
		case S_PLAN:	s->plan = true; break;
		case S_COUNT:	s->count = true; break;
		case S_INDEX:
			if (sim_parse_uint_range(a.value, 0, LONG_MAX, &x))
				cli_usage_error("sweep", "--index '%s': want a run number", a.value);
			s->index = (long)x;
			break;
		case S_PROFILE:	split(s, &s->profile, "--profile", a.value); break;
		case S_MEM:	split(s, &s->mem, "--mem", a.value); break;
		case S_POLICY:	split(s, &s->policy, "--policy", a.value); break;
		case S_SEEDS:	seeds(s, a.value); break;
		case S_SET:	set_axis(s, a.value); break;
		case S_DURATION: s->duration = a.value; break;
		case S_OUT:	s->out = a.value; break;
		}
	}
	if (s->plan + s->count + (s->index >= 0) != 1)
		cli_usage_error("sweep", "say what to do: one of --plan, --count, --index N");
}

static unsigned long nr_runs(const struct sweep *s)
{
	unsigned long n = s->profile.n * s->mem.n * s->policy.n *
			  (unsigned long)s->nr_seeds;

	for (unsigned int i = 0; i < s->nr_set; i++)
		n *= s->set[i].n;
	return n;
}

/* Run i's coordinates: seeds vary fastest, so one config's seeds sit together. */
struct run {
	const char *profile, *mem, *policy, *set[SW_MAX_SETS];
	uint64_t seed;
};

static void run_of(const struct sweep *s, unsigned long i, struct run *r)
{
	unsigned long nseeds = s->nr_seeds;

	r->seed = s->seeds[i % nseeds];
	i /= nseeds;
	for (unsigned int k = s->nr_set; k-- > 0; ) {
		r->set[k] = s->set[k].v[i % s->set[k].n];
		i /= s->set[k].n;
	}
	r->policy = s->policy.v[i % s->policy.n];
	i /= s->policy.n;
	r->mem = s->mem.v[i % s->mem.n];
	i /= s->mem.n;
	r->profile = s->profile.v[i % s->profile.n];
}

/* A file name from the run: safe characters only. */
static void run_name(const struct sweep *s, const struct run *r, char *b, size_t n)
{
	size_t k = (size_t)snprintf(b, n, "%s-%s-%s", r->profile, r->mem, r->policy);

	for (unsigned int i = 0; i < s->nr_set && k < n; i++)
		k += (size_t)snprintf(b + k, n - k, "-%s", r->set[i]);
	if (k < n)
		snprintf(b + k, n - k, "-s%06llu", (unsigned long long)r->seed);
	for (char *c = b; *c; c++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=",
			    *c))
			*c = '_';
	for (char *c = b; *c; c++)
		if (*c == '=')
			*c = '_';
}

/* The sim arguments of one run. */
static int run_argv(const struct sweep *s, const struct run *r, char **av, char *seed,
		    size_t seedlen)
{
	int n = 0;

	snprintf(seed, seedlen, "%llu", (unsigned long long)r->seed);
	av[n++] = (char *)"--profile";
	av[n++] = (char *)r->profile;
	av[n++] = (char *)"--mem";
	av[n++] = (char *)r->mem;
	av[n++] = (char *)"--policy";
	av[n++] = (char *)r->policy;
	av[n++] = (char *)"--seed";
	av[n++] = seed;
	for (unsigned int i = 0; i < s->nr_set; i++) {
		av[n++] = (char *)"--set";
		av[n++] = (char *)r->set[i];
	}
	if (s->duration) {
		av[n++] = (char *)"--duration";
		av[n++] = (char *)s->duration;
	}
	for (unsigned int i = 0; i < s->nr_extra; i++)
		av[n++] = (char *)s->extra[i];
	av[n++] = (char *)"--json";
	av[n++] = (char *)"--no-progress";
	av[n] = NULL;
	return n;
}

static void put_quoted(const char *w)
{
	if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789-_./=,:+@%") == strlen(w)) {
		fputs(w, stdout);
		return;
	}
	putchar('\'');
	for (; *w; w++)
		if (*w == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*w);
	putchar('\'');
}

#define SW_MAX_ARGV (16 + 2 * SW_MAX_SETS + SW_MAX_EXTRA)

/* Every run's options must parse as sim's: a bad grid fails now, not in
 * the middle of a cluster job. */
static void check_runs(const struct sweep *s)
{
	unsigned long n = nr_runs(s);

	for (unsigned long i = 0; i < n; i++) {
		char *av[SW_MAX_ARGV], seed[32], err[1024];
		struct sim_opts o;
		struct run r;
		int ac;

		run_of(s, i, &r);
		ac = run_argv(s, &r, av, seed, sizeof(seed));
		sim_opts_default(&o);
		if (sim_opts_parse(&o, ac, av, err, sizeof(err)))
			cli_usage_error("sweep", "run %lu: %s", i, err);
	}
}

static void print_plan(const struct sweep *s)
{
	unsigned long n = nr_runs(s);

	for (unsigned long i = 0; i < n; i++) {
		char *av[SW_MAX_ARGV], seed[32], name[512], path[PATH_MAX + 520];
		struct run r;
		int ac;

		run_of(s, i, &r);
		run_name(s, &r, name, sizeof(name));
		ac = run_argv(s, &r, av, seed, sizeof(seed));
		snprintf(path, sizeof(path), "%s/%s.json", s->out, name);
		fputs("mkdir -p ", stdout);
		put_quoted(s->out);
		fputs(" && ", stdout);
		put_quoted(s->bin);
		fputs(" sim", stdout);
		for (int k = 0; k < ac; k++) {
			putchar(' ');
			put_quoted(av[k]);
		}
		fputs(" > ", stdout);
		put_quoted(path);
		putchar('\n');
	}
}

/* --index N: run it here, stdout into its file. */
static int run_index(const struct sweep *s)
{
	char *av[SW_MAX_ARGV], seed[32], name[512], path[PATH_MAX + 520];
	unsigned long n = nr_runs(s);
	struct run r;
	int ac;

	if ((unsigned long)s->index >= n)
		cli_usage_error("sweep", "--index %ld: the plan has runs 0..%lu", s->index, n - 1);
	run_of(s, (unsigned long)s->index, &r);
	run_name(s, &r, name, sizeof(name));
	ac = run_argv(s, &r, av, seed, sizeof(seed));
	if (mkdir(s->out, 0777) && errno != EEXIST)
		cli_fatal("sweep: cannot create %s: %s", s->out, strerror(errno));
	snprintf(path, sizeof(path), "%s/%s.json", s->out, name);
	fprintf(stderr, "gigalloc sweep: run %ld of %lu -> %s\n", s->index, n, path);
	if (!freopen(path, "w", stdout))
		cli_fatal("sweep: cannot write %s: %s", path, strerror(errno));
	return cmd_sim(ac, av);
}

int cmd_sweep(int argc, char **argv)
{
	static char mixed[] = "mixed", mem[] = "64G", out[] = "results";
	struct sweep *s;
	ssize_t len;
	int rc = 0;

	if (args_want_help(argc, argv))
		return cli_help(sweep_usage);
	s = calloc(1, sizeof(*s));
	if (!s)
		cli_fatal("out of memory");
	s->index = -1;
	s->seeds[0] = 1;
	s->nr_seeds = 1;
	s->out = out;
	parse(s, argc, argv);
	if (!s->profile.n)
		s->profile = (struct axis){ .v = { mixed }, .n = 1 };
	if (!s->mem.n)
		s->mem = (struct axis){ .v = { mem }, .n = 1 };
	if (!s->policy.n)
		for (const char *const *p = ga_policy_preset_names(); *p; p++)
			s->policy.v[s->policy.n++] = *p;
	len = readlink("/proc/self/exe", s->bin, sizeof(s->bin) - 1);
	if (len <= 0)
		snprintf(s->bin, sizeof(s->bin), "gigalloc");
	check_runs(s);
	if (s->count)
		printf("%lu\n", nr_runs(s));
	else if (s->plan)
		print_plan(s);
	else
		rc = run_index(s);
	free(s);
	return rc;
}
