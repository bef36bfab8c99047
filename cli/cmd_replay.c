// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * gigalloc replay TRACE: replay a kernel page allocator trace under each
 * policy and compare the vanilla replay with what the kernel reported.
 * Thin: parse the options, load, run, print (trace/ does the work).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "gigalloc.h"
#include "groundtruth.h"
#include "layout.h"
#include "options.h"
#include "replay.h"
#include "replay_report.h"
#include "trace.h"
#include "tsource.h"

#define EXIT_USAGE	2
#define MAX_POLICIES	16
#define MAX_SETS	64

struct replay_opts {
	const char *trace;
	const char *policies[MAX_POLICIES];
	unsigned int nr_policies;
	const char *sets[MAX_SETS];
	unsigned int nr_sets;
	uint64_t mem_bytes;		/* 0 = from the capture or the trace */
	unsigned int cpus;		/* 0 = from the capture or the trace */
	bool json, lenient, no_preload, no_gib_test, no_layout;
	const char *gt_dir;		/* NULL = the trace's directory */
	char policy_buf[256];
	char trace_buf[4096];
};

static void replay_usage(FILE *f)
{
	fputs("usage: gigalloc replay TRACE [options]\n"
	      "\n"
	      "Replay a kernel page allocator trace (ftrace text of the kmem\n"
	      "mm_page_* events, plain, gzip or zstd; or a directory written by\n"
	      "scripts/capture-trace) under each policy, and compare the vanilla\n"
	      "replay with what the kernel reported when the capture has snapshots.\n"
	      "\n"
	      "  --policy a,b       policies to run (default: vanilla,rfc,spb)\n"
	      "  --set name=value   change a policy parameter (repeatable)\n"
	      "  --mem SIZE         zone size (default: the guest's managed memory,\n"
	      "                     else the trace's highest pfn)\n"
	      "  --cpus N           CPUs (default: the capture's, else the trace's)\n"
	      "  --json             one JSON object, like gigalloc sim --json\n"
	      "  --lenient          skip malformed lines (counted) instead of failing\n"
	      "  --no-preload       start from an empty zone, not the pages in use\n"
	      "                     when tracing began\n"
	      "  --no-gib-test      skip the final 1 GiB allocation test\n"
	      "  --no-layout        do not shape the zone like the traced machine\n"
	      "                     (its RAM holes and PG_reserved pages, from the\n"
	      "                     capture's proc/kpageflags.gz)\n"
	      "  --ground-truth DIR where the capture's snapshots are\n"
	      "                     (default: the trace's directory)\n", f);
}

static int usage_err(const char *fmt, const char *arg)
{
	fprintf(stderr, "gigalloc replay: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'gigalloc replay --help'.\n");
	return EXIT_USAGE;
}

static int split_policies(struct replay_opts *o, const char *list)
{
	char *save = NULL, *tok;

	snprintf(o->policy_buf, sizeof(o->policy_buf), "%s", list);
	for (tok = strtok_r(o->policy_buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		struct ga_policy p;

		if (ga_policy_preset(&p, tok))
			return usage_err("unknown policy '%s'", tok);
		if (o->nr_policies == MAX_POLICIES)
			return usage_err("too many policies in '%s'", list);
		o->policies[o->nr_policies++] = tok;
	}
	return o->nr_policies ? 0 : usage_err("empty --policy '%s'", list);
}

/* "--name value" or "--name=value"; *val NULL for a missing value. */
static bool opt(const char *arg, const char *name, int *i, int argc,
		char **argv, const char **val)
{
	size_t n = strlen(name);

	if (strncmp(arg, name, n))
		return false;
	if (arg[n] == '=') {
		*val = arg + n + 1;
		return true;
	}
	if (arg[n])
		return false;
	*val = *i + 1 < argc ? argv[++*i] : NULL;
	return true;
}

static int parse_value_opt(struct replay_opts *o, const char *name, const char *v)
{
	if (!v)
		return usage_err("option '%s' needs a value", name);
	if (!strcmp(name, "--policy"))
		return split_policies(o, v);
	if (!strcmp(name, "--set")) {
		struct ga_policy p;
		int err;

		if (o->nr_sets == MAX_SETS)
			return usage_err("too many --set (%s)", v);
		ga_policy_preset(&p, "vanilla");	/* check it before loading */
		err = ga_policy_set_assignment(&p, v);
		if (err)
			return usage_err(err == -ENOENT ? "unknown parameter in --set '%s'" :
					 err == -ERANGE ? "value out of range in --set '%s'" :
					 "bad --set '%s'", v);
		o->sets[o->nr_sets++] = v;
		return 0;
	}
	if (!strcmp(name, "--mem"))
		return sim_parse_size(v, &o->mem_bytes) || !o->mem_bytes ?
		       usage_err("bad --mem '%s'", v) : 0;
	if (!strcmp(name, "--cpus")) {
		uint64_t c;

		if (sim_parse_uint_range(v, 1, GA_MAX_CPUS, &c))
			return usage_err("bad --cpus '%s'", v);
		o->cpus = (unsigned int)c;
		return 0;
	}
	o->gt_dir = v;
	return 0;
}

static int parse_args(struct replay_opts *o, int argc, char **argv)
{
	static const char *const with_value[] = {
		"--policy", "--set", "--mem", "--cpus", "--ground-truth",
	};

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;
		bool matched = false;
		int rc;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			replay_usage(stdout);
			exit(0);
		}
		for (size_t k = 0; k < sizeof(with_value) / sizeof(with_value[0]); k++) {
			if (!opt(a, with_value[k], &i, argc, argv, &v))
				continue;
			matched = true;
			rc = parse_value_opt(o, with_value[k], v);
			if (rc)
				return rc;
			break;
		}
		if (matched)
			continue;
		if (!strcmp(a, "--json"))
			o->json = true;
		else if (!strcmp(a, "--lenient"))
			o->lenient = true;
		else if (!strcmp(a, "--no-preload"))
			o->no_preload = true;
		else if (!strcmp(a, "--no-gib-test"))
			o->no_gib_test = true;
		else if (!strcmp(a, "--no-layout"))
			o->no_layout = true;
		else if (a[0] == '-' && a[1])
			return usage_err("unknown option '%s'", a);
		else if (o->trace)
			return usage_err("more than one trace ('%s')", a);
		else
			o->trace = a;
	}
	return o->trace ? 0 : usage_err("%s", "which trace? (gigalloc replay TRACE)");
}

/* A capture directory stands for its trace file. */
static void resolve_trace(struct replay_opts *o)
{
	static const char *const names[] = { "trace.gz", "trace.zst", "trace" };
	struct stat st;

	if (stat(o->trace, &st) || !S_ISDIR(st.st_mode)) {
		if (!o->gt_dir) {	/* the trace's own directory */
			const char *slash = strrchr(o->trace, '/');

			snprintf(o->trace_buf, sizeof(o->trace_buf), "%.*s",
				 slash ? (int)(slash - o->trace) : 1,
				 slash ? o->trace : ".");
			o->gt_dir = o->trace_buf[0] ? o->trace_buf : "/";
		}
		return;
	}
	if (!o->gt_dir)
		o->gt_dir = o->trace;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", o->trace, names[i]);
		if (!stat(path, &st)) {
			static char found[4096];

			snprintf(found, sizeof(found), "%s", path);
			o->trace = found;
			return;
		}
	}
}

/*
 * Geometry: --mem, else the traced machine's own layout (its pfn span with
 * RAM holes and reserved pages), else its managed pages, else the trace's
 * highest pfn.
 */
static int geometry(const struct replay_opts *o, const struct trace *t,
		    const struct ground_truth *gt, struct layout *lay,
		    struct replay_report *rep)
{
	uint64_t pb = 512, managed = gt->present ? gt_managed_pages(&gt->before) : 0;
	char dir[4200], err[512] = "";
	int rc = -ENOENT;

	snprintf(dir, sizeof(dir), "%s/proc", o->gt_dir);
	if (!o->mem_bytes && !o->no_layout)
		rc = layout_load(lay, dir, 9, err, sizeof(err));
	if (rc && rc != -ENOENT) {
		fprintf(stderr, "gigalloc replay: %s\n", err);
		return 1;
	}
	rep->layout = !rc;
	if (o->mem_bytes)
		rep->zone_pages = (o->mem_bytes >> 12) / pb * pb;
	else if (rep->layout)
		rep->zone_pages = lay->end_pfn;
	else if (managed)
		rep->zone_pages = managed / pb * pb;
	else
		rep->zone_pages = replay_default_pages(t);
	rep->hole_pages = rep->layout ? lay->hole_pages : 0;
	rep->reserved_pages = rep->layout ? lay->reserved_pages : 0;
	rep->nr_cpus = o->cpus ? o->cpus : gt->cpus ? gt->cpus : t->st.max_cpu + 1;
	memset(rep->preload, 0, sizeof(rep->preload));
	if (!o->no_preload && gt->present && gt->before.have_zoneinfo &&
	    gt->before.have_vmstat)
		gt_used_by_mobility(&gt->before, rep->preload);
	return 0;
}

static int make_config(const struct replay_opts *o, const char *name,
		       const struct replay_report *rep, const struct layout *lay,
		       struct replay_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->policy_name, sizeof(cfg->policy_name), "%s", name);
	if (ga_policy_preset(&cfg->policy, name))
		return usage_err("unknown policy '%s'", name);
	for (unsigned int i = 0; i < o->nr_sets; i++) {
		int err = ga_policy_set_assignment(&cfg->policy, o->sets[i]);

		if (err)
			return usage_err(err == -ENOENT ? "unknown parameter in --set '%s'" :
					 err == -ERANGE ? "value out of range in --set '%s'" :
					 "bad --set '%s'", o->sets[i]);
	}
	cfg->zone_pages = rep->zone_pages;
	if (rep->layout) {
		cfg->holes = lay->holes;
		cfg->nr_holes = lay->nr_holes;
	}
	cfg->nr_cpus = rep->nr_cpus;
	memcpy(cfg->preload, rep->preload, sizeof(cfg->preload));
	cfg->no_gib_test = o->no_gib_test;
	return 0;
}

static void default_policies(struct replay_opts *o)
{
	for (const char *const *n = ga_policy_compare_names(); *n && o->nr_policies < MAX_POLICIES; n++)
		o->policies[o->nr_policies++] = *n;
}

static int run_all(const struct replay_opts *o, const struct trace *t,
		   const struct layout *lay, struct replay_report *rep)
{
	struct replay_result *res = calloc(o->nr_policies, sizeof(*res));
	int rc = 0;

	if (!res) {
		fprintf(stderr, "gigalloc replay: out of memory\n");
		return 1;
	}
	for (unsigned int i = 0; i < o->nr_policies && !rc; i++) {
		struct replay_config cfg;

		rc = make_config(o, o->policies[i], rep, lay, &cfg);
		if (rc)
			break;
		if (replay_run(t, &cfg, &res[i])) {
			fprintf(stderr, "gigalloc replay: %s\n", res[i].sim.errmsg);
			rc = 1;
		}
	}
	if (!rc) {
		rep->res = res;
		rep->nr = o->nr_policies;
		if (o->json)
			replay_report_json(stdout, rep);
		else
			replay_report_text(stdout, rep);
	}
	free(res);
	return rc;
}

int cmd_replay(int argc, char **argv)
{
	struct replay_opts o = { 0 };
	struct replay_report rep = { 0 };
	struct layout lay = { 0 };
	struct ground_truth gt;
	struct trace t;
	char err[512] = "";
	int rc = parse_args(&o, argc, argv);

	if (rc)
		return rc;
	resolve_trace(&o);
	if (gt_load(&gt, o.gt_dir, err, sizeof(err))) {
		fprintf(stderr, "gigalloc replay: %s\n", err);
		return 1;
	}
	if (trace_load(&t, o.trace, o.lenient, err, sizeof(err))) {
		fprintf(stderr, "gigalloc replay: %s: %s%s\n", o.trace, err,
			!o.lenient && !strncmp(err, "line ", 5) ?
			" (--lenient skips malformed lines)" : "");
		trace_free(&t);
		return 1;
	}
	if (!o.nr_policies)
		default_policies(&o);
	rep.trace_path = o.trace;
	rep.t = &t;
	rep.gt = &gt;
	rep.sets = o.sets;
	rep.nr_sets = o.nr_sets;
	rc = geometry(&o, &t, &gt, &lay, &rep);
	if (!rc)
		rc = run_all(&o, &t, &lay, &rep);
	layout_free(&lay);
	trace_free(&t);
	return rc;
}
