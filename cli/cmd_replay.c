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

#include "args.h"
#include "commands.h"
#include "gigalloc.h"
#include "groundtruth.h"
#include "layout.h"
#include "options.h"
#include "replay.h"
#include "replay_report.h"
#include "startstate.h"
#include "trace.h"
#include "tracedat.h"
#include "tsource.h"

#define EXIT_USAGE	2
#define MAX_POLICIES	16
#define MAX_SETS	64
#define REPLAY_PB_BYTES	(2ull << 20)
#define REPLAY_MIN_MEM	REPLAY_PB_BYTES
#define REPLAY_MAX_MEM	(16ull << 40)

struct replay_opts {
	const char *trace;
	const char *policies[MAX_POLICIES];
	unsigned int nr_policies;
	const char *sets[MAX_SETS];
	unsigned int nr_sets;
	uint64_t mem_bytes;		/* 0 = from the capture or the trace */
	unsigned int cpus;		/* 0 = from the capture or the trace */
	bool json, lenient, no_preload, no_gib_test, no_layout, shadow;
	bool pack_preload, no_infer, one_zone;
	unsigned int probe_1g, probe_2m;
	bool probe_1g_auto, probe_2m_auto;	/* N from hugepages.txt */
	const char *gt_dir;		/* NULL = the trace's directory */
	const char *before_dir, *after_dir;	/* /proc-named snapshots */
	const char *dmesg;		/* e820 map when there is no iomem */
	const char *until_marker;
	const char *trace_events;	/* --trace-events FILE */
	char policy_buf[256];
	char trace_buf[4096];
	char found_trace[4096];
	char found_before[4200], found_after[4200];
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
	      "  --pack-preload     pack the pages in use before tracing into the\n"
	      "                     lowest pfns, by mobility, even when the before\n"
	      "                     snapshot's kpageflags says where they were\n"
	      "  --no-infer         do not infer allocations the trace frees without\n"
	      "                     having allocated them (they are then ignored)\n"
	      "  --no-gib-test      skip the final 1 GiB allocation test\n"
	      "  --shadow           decision-level fidelity: place every traced\n"
	      "                     allocation at the kernel's pfn, after asking\n"
	      "                     each policy where it would have put it; report\n"
	      "                     how often they agree (pageblock, 1 GiB region,\n"
	      "                     free list, fallback) by order and migratetype\n"
	      "  --probe-1g N       at the end (or the marker) try N 1 GiB hugetlb\n"
	      "                     pages, then\n"
	      "  --probe-2m N       N 2 MiB ones (hugetlb gfp: compaction, retries),\n"
	      "                     each until the first failure, and compare with\n"
	      "                     the capture's hugepages.txt; N 'auto': as many\n"
	      "                     as the traced kernel was asked there\n"
	      "  --probe            --probe-1g auto --probe-2m auto\n"
	      "  --trace-events F   write the RFC 40 SPB events as ftrace text\n"
	      "                     (F.<policy> for each of several policies)\n"
	      "  --no-layout        do not shape the zone like the traced machine\n"
	      "                     (its RAM holes and PG_reserved pages, from the\n"
	      "                     capture's proc/kpageflags.gz)\n"
	      "  --one-zone         one zone for the whole machine instead of a node\n"
	      "                     of its zones (DMA, DMA32, Normal, Movable from\n"
	      "                     zoneinfo, with their watermarks, lowmem_reserve\n"
	      "                     and zonelist fallback: the default with a layout)\n"
	      "  --ground-truth DIR where the capture's snapshots are\n"
	      "                     (default: the trace's directory)\n"
	      "  --before DIR       the /proc snapshot taken before the trace: files\n"
	      "                     named buddyinfo, pagetypeinfo, zoneinfo, vmstat,\n"
	      "                     meminfo, kpageflags[.gz], optionally iomem\n"
	      "  --after DIR        the same, taken after the trace\n"
	      "  --dmesg FILE       a dmesg with the BIOS-e820 map, for RAM ranges\n"
	      "                     when the snapshot has no iomem\n"
	      "  --until-marker TEXT  stop at the first trace_marker line\n"
	      "                     (tracing_mark_write) whose message starts with TEXT\n"
	      "  -h, --help         this help\n"
	      "\n"
	      "TRACE is ftrace text (trace, trace_pipe), `trace-cmd report` output,\n"
	      "`perf script` output of the kmem: events, or trace-cmd's trace.dat;\n"
	      "each plain, .gz or .zst. A path that does not exist, an empty trace\n"
	      "or one without page events is an error (exit 2).\n"
	      "\n"
	      "SIZE: a number of bytes with an optional K, M, G or T suffix, a\n"
	      "multiple of 2M. A trace named like an option goes after '--'.\n"
	      "\n" ARGS_EXIT_HELP, f);
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

enum replay_opt {
	R_POLICY, R_SET, R_MEM, R_CPUS, R_GROUND_TRUTH, R_JSON, R_LENIENT,
	R_NO_PRELOAD, R_NO_GIB_TEST, R_NO_LAYOUT, R_BEFORE, R_AFTER, R_DMESG,
	R_UNTIL_MARKER, R_HELP, R_TRACE_EVENTS, R_PACK_PRELOAD, R_NO_INFER,
	R_SHADOW, R_PROBE_1G, R_PROBE_2M, R_PROBE, R_ONE_ZONE,
};

static const struct args_opt replay_opts_table[] = {
	[R_POLICY] = { "--policy", 0, true },
	[R_SET] = { "--set", 0, true },
	[R_MEM] = { "--mem", 0, true },
	[R_CPUS] = { "--cpus", 0, true },
	[R_GROUND_TRUTH] = { "--ground-truth", 0, true },
	[R_JSON] = { "--json", 0, false },
	[R_LENIENT] = { "--lenient", 0, false },
	[R_NO_PRELOAD] = { "--no-preload", 0, false },
	[R_NO_GIB_TEST] = { "--no-gib-test", 0, false },
	[R_NO_LAYOUT] = { "--no-layout", 0, false },
	[R_BEFORE] = { "--before", 0, true },
	[R_AFTER] = { "--after", 0, true },
	[R_DMESG] = { "--dmesg", 0, true },
	[R_UNTIL_MARKER] = { "--until-marker", 0, true },
	[R_HELP] = { "--help", 'h', false },
	[R_TRACE_EVENTS] = { "--trace-events", 0, true },
	[R_PACK_PRELOAD] = { "--pack-preload", 0, false },
	[R_NO_INFER] = { "--no-infer", 0, false },
	[R_SHADOW] = { "--shadow", 0, false },
	[R_PROBE_1G] = { "--probe-1g", 0, true },
	[R_PROBE_2M] = { "--probe-2m", 0, true },
	[R_PROBE] = { "--probe", 0, false },
	[R_ONE_ZONE] = { "--one-zone", 0, false },
};

/*
 * A probe's page count: 1 .. 2^20 (4 PiB of 1 GiB pages; 2 TiB of 2 MiB),
 * or "auto": what the traced kernel was asked (hugepages.txt), resolved
 * once the capture is loaded.
 */
#define PROBE_MAX	(1u << 20)

static int parse_probe(const char *opt, const char *v, unsigned int *n, bool *is_auto)
{
	uint64_t x;

	if (!strcmp(v, "auto")) {
		*is_auto = true;
		*n = 0;
		return 0;
	}
	if (sim_parse_uint_range(v, 1, PROBE_MAX, &x)) {
		fprintf(stderr, "gigalloc replay: bad %s '%s' (1 to 1048576, or auto)\n"
			"Try 'gigalloc replay --help'.\n", opt, v);
		return EXIT_USAGE;
	}
	*is_auto = false;
	*n = (unsigned int)x;
	return 0;
}

static int parse_value_opt(struct replay_opts *o, enum replay_opt id, const char *v)
{
	char err[256];

	switch (id) {
	case R_POLICY:
		return split_policies(o, v);
	case R_SET: {
		struct ga_policy p;
		int rc;

		if (o->nr_sets == MAX_SETS)
			return usage_err("too many --set (%s)", v);
		ga_policy_preset(&p, "vanilla");	/* check it before loading */
		rc = sim_policy_set(&p, v, err, sizeof(err));
		if (rc)
			return usage_err("%s", err);
		o->sets[o->nr_sets++] = v;
		return 0;
	}
	case R_MEM:
		if (args_parse_mem("--mem", v, REPLAY_MIN_MEM, REPLAY_MAX_MEM,
				   REPLAY_PB_BYTES, &o->mem_bytes, err, sizeof(err)))
			return usage_err("%s", err);
		return 0;
	case R_CPUS: {
		uint64_t c;

		if (sim_parse_uint_range(v, 1, GA_MAX_CPUS, &c))
			return usage_err("bad --cpus '%s'", v);
		o->cpus = (unsigned int)c;
		return 0;
	}
	case R_GROUND_TRUTH:
		o->gt_dir = v;
		return 0;
	case R_BEFORE:		o->before_dir = v; return 0;
	case R_AFTER:		o->after_dir = v; return 0;
	case R_DMESG:		o->dmesg = v; return 0;
	case R_UNTIL_MARKER:	o->until_marker = v; return 0;
	case R_JSON:		o->json = true; return 0;
	case R_LENIENT:		o->lenient = true; return 0;
	case R_NO_PRELOAD:	o->no_preload = true; return 0;
	case R_NO_GIB_TEST:	o->no_gib_test = true; return 0;
	case R_NO_LAYOUT:	o->no_layout = true; return 0;
	case R_TRACE_EVENTS:	o->trace_events = v; return 0;
	case R_PACK_PRELOAD:	o->pack_preload = true; return 0;
	case R_NO_INFER:	o->no_infer = true; return 0;
	case R_SHADOW:		o->shadow = true; return 0;
	case R_PROBE_1G:
		return parse_probe("--probe-1g", v, &o->probe_1g, &o->probe_1g_auto);
	case R_PROBE_2M:
		return parse_probe("--probe-2m", v, &o->probe_2m, &o->probe_2m_auto);
	case R_PROBE:
		o->probe_1g_auto = o->probe_2m_auto = true;
		o->probe_1g = o->probe_2m = 0;
		return 0;
	case R_ONE_ZONE:	o->one_zone = true; return 0;
	case R_HELP:		return 0;	/* handled before parsing */
	}
	return usage_err("internal: option %s", "?");
}

static int parse_args(struct replay_opts *o, int argc, char **argv)
{
	char err[256];
	struct args a;
	int k, rc;

	args_init(&a, argc, argv);
	while ((k = args_next(&a, replay_opts_table, sizeof(replay_opts_table) /
			      sizeof(replay_opts_table[0]), err, sizeof(err))) != ARGS_END) {
		if (k == ARGS_ERROR)
			return usage_err("%s", err);
		if (k == ARGS_OPERAND) {
			if (o->trace)
				return usage_err("more than one trace ('%s')", a.value);
			o->trace = a.value;
			continue;
		}
		rc = parse_value_opt(o, (enum replay_opt)k, a.value);
		if (rc)
			return rc;
	}
	return o->trace ? 0 : usage_err("%s", "which trace? (gigalloc replay TRACE)");
}

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

static bool exists(const char *p)
{
	struct stat st;

	return !stat(p, &st);
}

/* Paths given explicitly must exist: never a silent default. */
static int check_paths(const struct replay_opts *o)
{
	char msg[512];

	if (strcmp(o->trace, "-") && !exists(o->trace))
		return usage_err("%s: no such file or directory", o->trace);
	if (o->before_dir && !is_dir(o->before_dir))
		return usage_err("--before %s: not a directory", o->before_dir);
	if (o->after_dir && !is_dir(o->after_dir))
		return usage_err("--after %s: not a directory", o->after_dir);
	if (o->gt_dir && !is_dir(o->gt_dir))
		return usage_err("--ground-truth %s: not a directory", o->gt_dir);
	if (o->dmesg && !exists(o->dmesg))
		return usage_err("--dmesg %s: no such file or directory", o->dmesg);
	/* An output: checked before the trace is read, a runtime failure. */
	if (o->trace_events && args_check_output("--trace-events", o->trace_events,
						 msg, sizeof(msg))) {
		fprintf(stderr, "gigalloc replay: %s\n", msg);
		return ARGS_EXIT_FAIL;
	}
	return 0;
}

/* A capture directory's before/ and after/, unless given. */
static void find_snapshot_dirs(struct replay_opts *o, const char *dir)
{
	snprintf(o->found_before, sizeof(o->found_before), "%s/before", dir);
	snprintf(o->found_after, sizeof(o->found_after), "%s/after", dir);
	if (!o->before_dir && is_dir(o->found_before))
		o->before_dir = o->found_before;
	if (!o->after_dir && is_dir(o->found_after))
		o->after_dir = o->found_after;
}

/* A capture directory stands for its trace file. */
static int resolve_trace(struct replay_opts *o)
{
	static const char *const names[] = {
		"trace.gz", "trace.zst", "trace", "trace.dat", "trace.dat.gz",
		"trace.dat.zst", "perf-script.txt.gz", "perf-script.txt",
	};

	if (!is_dir(o->trace)) {
		if (!o->gt_dir) {	/* the trace's own directory */
			const char *slash = strrchr(o->trace, '/');

			snprintf(o->trace_buf, sizeof(o->trace_buf), "%.*s",
				 slash ? (int)(slash - o->trace) : 1,
				 slash ? o->trace : ".");
			o->gt_dir = o->trace_buf[0] ? o->trace_buf : "/";
		}
		return 0;
	}
	if (!o->gt_dir)
		o->gt_dir = o->trace;
	find_snapshot_dirs(o, o->trace);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", o->trace, names[i]);
		if (exists(path)) {
			snprintf(o->found_trace, sizeof(o->found_trace), "%s", path);
			o->trace = o->found_trace;
			return 0;
		}
	}
	return usage_err("%s: a directory without a trace (trace.gz, trace.zst, trace, "
			 "trace.dat[.gz|.zst])", o->trace);
}

/* Which snapshot files a directory holds, for the "found" lines. */
static void list_snapshot(FILE *f, const char *what, const char *dir)
{
	static const char *const names[] = {
		"buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat", "meminfo",
		"kpageflags", "iomem",
	};
	char path[4400], gz[4410];

	for (int pass = 0; pass < 2; pass++) {
		fprintf(f, pass ? "; missing:" : "gigalloc replay: %s %s:", what, dir);
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			bool have;

			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			snprintf(gz, sizeof(gz), "%s.gz", path);
			have = exists(path) || exists(gz);
			if (have == !pass)
				fprintf(f, " %s%s", names[i], exists(gz) && !exists(path) ? ".gz" : "");
		}
	}
	fputc('\n', f);
}

/*
 * The traced machine's zones from its before zoneinfo, when the zone is
 * shaped like the machine (a layout) and --one-zone is not given. Said
 * either way.
 */
static void zones_of(const struct replay_opts *o, const struct ground_truth *gt,
		     struct replay_report *rep)
{
	char err[300] = "";
	int n;

	rep->nr_zones = 0;
	if (o->one_zone || !rep->layout || !gt->present || !gt->before.have_zoneinfo) {
		if (!o->one_zone && rep->layout)
			fprintf(stderr, "gigalloc replay: no before zoneinfo: one zone "
				"for the whole machine\n");
		return;
	}
	n = replay_zones_from(&gt->before, rep->zone_pages, rep->zones, err, sizeof(err));
	if (n <= 0) {
		fprintf(stderr, "gigalloc replay: warning: %s; one zone for the whole "
			"machine\n", n ? err : "zoneinfo has no zone with pages");
		return;
	}
	rep->nr_zones = (size_t)n;
	for (int i = 0; i < n; i++) {
		const struct replay_zone *z = &rep->zones[i];

		fprintf(stderr, "gigalloc replay: zone %-7s pfns %#llx-%#llx, watermarks "
			"min/low/high %lu/%lu/%lu, protection (lowmem_reserve) ",
			ga_zone_type_name(z->type), (unsigned long long)z->start_pfn,
			(unsigned long long)z->end_pfn, z->wmark[0], z->wmark[1], z->wmark[2]);
		if (z->have_protection)
			fprintf(stderr, "(%lu, %lu, %lu, %lu) from zoneinfo\n", z->protection[0],
				z->protection[1], z->protection[2], z->protection[3]);
		else
			fprintf(stderr, "computed (zoneinfo has none)\n");
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

	/* The layout: after/ (reserved memory stays where boot put it), else
	 * before/, else the capture's proc/. */
	if (o->after_dir)
		snprintf(dir, sizeof(dir), "%s", o->after_dir);
	else if (o->before_dir)
		snprintf(dir, sizeof(dir), "%s", o->before_dir);
	else
		snprintf(dir, sizeof(dir), "%s/proc", o->gt_dir);
	if (!o->mem_bytes && !o->no_layout)
		rc = layout_load_dmesg(lay, dir, o->dmesg, 9, err, sizeof(err));
	if (rc && rc != -ENOENT) {
		fprintf(stderr, "gigalloc replay: %s\n", err);
		return 1;
	}
	rep->layout = !rc;
	if (rep->layout)
		fprintf(stderr, "gigalloc replay: layout from %s (zoneinfo, %s, kpageflags): "
			"%llu pfns, %llu holes of which %llu PG_reserved\n", dir,
			lay->ram_from_e820 ? "e820 of the dmesg" : "iomem",
			(unsigned long long)lay->end_pfn, (unsigned long long)lay->hole_pages,
			(unsigned long long)lay->reserved_pages);
	else if (!o->mem_bytes && !o->no_layout)
		fprintf(stderr, "gigalloc replay: no layout (%s lacks zoneinfo, iomem or "
			"kpageflags): the zone is sized from the managed pages\n", dir);
	if (o->mem_bytes)
		rep->zone_pages = (o->mem_bytes >> 12) / pb * pb;
	else if (rep->layout)
		rep->zone_pages = lay->end_pfn;
	else if (managed)
		rep->zone_pages = managed / pb * pb;
	else
		rep->zone_pages = replay_default_pages(t);
	/*
	 * A derived size comes from numbers in the input (a pfn, a span):
	 * one corrupt pfn must not make a zone of terabytes of metadata.
	 */
	if (!o->mem_bytes && rep->zone_pages > REPLAY_MAX_DERIVED_PAGES) {
		fprintf(stderr, "gigalloc replay: the %s implies a zone of %llu pages "
			"(%llu GiB), above the %llu GiB limit for a size read from "
			"the input (a corrupt pfn?); give --mem to replay it anyway\n",
			rep->layout ? "machine layout" : managed ? "managed page count" :
			"trace's highest pfn",
			(unsigned long long)rep->zone_pages,
			(unsigned long long)(rep->zone_pages >> 18),
			(unsigned long long)(REPLAY_MAX_DERIVED_PAGES >> 18));
		return 1;
	}
	zones_of(o, gt, rep);
	rep->hole_pages = rep->layout ? lay->hole_pages : 0;
	rep->reserved_pages = rep->layout ? lay->reserved_pages : 0;
	rep->nr_cpus = o->cpus ? o->cpus : gt->cpus ? gt->cpus : t->st.max_cpu + 1;
	memset(rep->preload, 0, sizeof(rep->preload));
	if (!o->no_preload && gt->present && gt->before.have_zoneinfo &&
	    gt->before.have_vmstat)
		gt_used_by_mobility(&gt->before, rep->preload);
	return 0;
}

/*
 * The kernel's own starting state from the before snapshot's kpageflags;
 * without it (or with --pack-preload) the pages in use are packed, which
 * is said. 0 (ss->nr may be 0: none), or 1 on a hard error.
 */
static int load_start(const struct replay_opts *o, const struct ground_truth *gt,
		      const struct replay_report *rep, struct start_state *ss)
{
	char err[512] = "";
	int rc;

	memset(ss, 0, sizeof(*ss));
	if (o->no_preload || o->pack_preload || !o->before_dir) {
		if (!o->no_preload && !o->pack_preload)
			fprintf(stderr, "gigalloc replay: warning: no --before snapshot: "
				"the pages in use before tracing are %s\n",
				gt->present ? "packed into the lowest pfns" : "unknown");
		return 0;
	}
	rc = start_state_load(ss, o->before_dir, rep->zone_pages, &gt->before, err,
			      sizeof(err));
	if (rc == -ENOENT) {
		fprintf(stderr, "gigalloc replay: warning: %s has no kpageflags: the pages "
			"in use before tracing are packed into the lowest pfns, not "
			"where the kernel had them\n", o->before_dir);
		return 0;
	}
	if (rc) {
		fprintf(stderr, "gigalloc replay: %s\n", err);
		return 1;
	}
	fprintf(stderr, "gigalloc replay: starting state from %s/kpageflags: %llu pages "
		"in use in %zu allocations (%llu compound), movable/slab/page tables/"
		"unflagged/other %llu/%llu/%llu/%llu/%llu, %llu free; pageblocks "
		"labelled U/R %lu/%lu of pagetypeinfo's %lu/%lu (HighAtomic as U; "
		"%lu/%lu of them wholly free, from its free lists)\n",
		o->before_dir, (unsigned long long)ss->pages_used, ss->nr,
		(unsigned long long)ss->compound_units,
		(unsigned long long)ss->pages_by_class[SC_MOVABLE],
		(unsigned long long)ss->pages_by_class[SC_SLAB],
		(unsigned long long)ss->pages_by_class[SC_PGTABLE],
		(unsigned long long)ss->pages_by_class[SC_UNFLAGGED],
		(unsigned long long)ss->pages_by_class[SC_OTHER],
		(unsigned long long)ss->pages_free,
		ss->labelled[GA_MT_UNMOVABLE], ss->labelled[GA_MT_RECLAIMABLE],
		ss->wanted[GA_MT_UNMOVABLE] + ss->wanted[GA_MT_HIGHATOMIC],
		ss->wanted[GA_MT_RECLAIMABLE], ss->labelled_free[GA_MT_UNMOVABLE],
		ss->labelled_free[GA_MT_RECLAIMABLE]);
	return 0;
}

/*
 * What the traced kernel's zoneinfo fixes: the watermarks (the model's one
 * zone gets the sum of the zones' min, so its low and high come out as the
 * sums too), and ALLOC_NOFRAGMENT, which alloc_flags_nofragment() sets only
 * when the preferred zone is Normal: a guest without a Normal zone (< 4 GiB
 * on x86-64) never uses it. --set overrides both.
 */
static void zoneinfo_policy(const struct ground_truth *gt, struct ga_policy *p,
			    bool say, bool node)
{
	const struct gt_snapshot *s = &gt->before;
	uint64_t min = 0, low = 0, high = 0;
	bool normal = false;

	if (!gt->present || !s->have_zoneinfo)
		return;
	if (node) {
		/* Each zone has its own watermarks; the node sets NOFRAGMENT
		 * per request, from its preferred zone. */
		if (say)
			fprintf(stderr, "gigalloc replay: a node of %s zones: each with its "
				"zoneinfo watermarks; ALLOC_NOFRAGMENT for requests whose "
				"preferred zone is Normal\n", "the traced machine's");
		return;
	}
	for (size_t i = 0; i < s->nr_zones; i++) {
		if (!s->zone[i].managed)
			continue;
		min += s->zone[i].wmark_min;
		low += s->zone[i].wmark_low;
		high += s->zone[i].wmark_high;
		normal |= !strcmp(s->zone[i].name, "Normal");
	}
	if (!min)
		return;
	p->min_free_kbytes = (unsigned int)(min << 2);
	p->nofragment = normal;
	if (say)
		fprintf(stderr, "gigalloc replay: from the before zoneinfo: watermarks "
			"min/low/high %llu/%llu/%llu pages summed over the zones "
			"(min_free_kbytes=%u); ALLOC_NOFRAGMENT %s\n",
			(unsigned long long)min, (unsigned long long)low,
			(unsigned long long)high, p->min_free_kbytes,
			normal ? "on (a Normal zone exists)" :
			"off (no Normal zone: no request prefers Normal)");
}

/*
 * The preset whose decisions are the traced kernel's: vanilla-6.1 for
 * releases before 6.12 (the fallback before the v6.15 claim/steal split,
 * rmqueue_bulk without the mode cache, pcp high before the v6.7 tuning),
 * vanilla (6.12.117) from 6.12 on. NULL when the release is unknown.
 */
static const char *version_preset(const char *release)
{
	unsigned int major, minor;

	if (!release || sscanf(release, "%u.%u", &major, &minor) != 2)
		return NULL;
	if (major < 6 || (major == 6 && minor < 12))
		return "vanilla-6.1";
	return "vanilla-6.12";
}

static int make_config(const struct replay_opts *o, const char *name,
		       const struct replay_report *rep, const struct layout *lay,
		       const struct start_state *ss, struct replay_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->policy_name, sizeof(cfg->policy_name), "%s", name);
	if (ga_policy_preset(&cfg->policy, name))
		return usage_err("unknown policy '%s'", name);
	if (!strcmp(name, "vanilla")) {
		const char *v = version_preset(rep->gt && rep->gt->present ?
					       rep->gt->kernel : NULL);

		if (v)
			ga_policy_preset(&cfg->policy, v);
		fprintf(stderr, "gigalloc replay: vanilla runs as the %s preset (%s%s)\n",
			v ? v : "vanilla-6.12", v ? "the capture's kernel is " :
			"the capture records no kernel release",
			v ? rep->gt->kernel : "");
	}
	zoneinfo_policy(rep->gt, &cfg->policy, name == o->policies[0], rep->nr_zones > 0);
	for (unsigned int i = 0; i < o->nr_sets; i++) {
		char err[256];

		if (sim_policy_set(&cfg->policy, o->sets[i], err, sizeof(err)))
			return usage_err("%s", err);
	}
	cfg->zone_pages = rep->zone_pages;
	cfg->nr_zones = rep->nr_zones;
	memcpy(cfg->zones, rep->zones, sizeof(cfg->zones));
	if (rep->layout) {
		cfg->holes = lay->holes;
		cfg->nr_holes = lay->nr_holes;
		cfg->nomap_blocks = lay->nomap_blocks;
		cfg->nr_nomap_blocks = lay->nr_nomap_blocks;
	}
	cfg->nr_cpus = rep->nr_cpus;
	memcpy(cfg->preload, rep->preload, sizeof(cfg->preload));
	cfg->start = ss->nr ? ss : NULL;
	cfg->infer_untraced = !o->no_infer;
	cfg->no_gib_test = o->no_gib_test;
	cfg->shadow = o->shadow;
	cfg->probe_1g = o->probe_1g;
	cfg->probe_2m = o->probe_2m;
	if (o->trace_events && o->nr_policies == 1)
		snprintf(cfg->trace_events, sizeof(cfg->trace_events), "%s",
			 o->trace_events);
	else if (o->trace_events)
		snprintf(cfg->trace_events, sizeof(cfg->trace_events), "%s.%s",
			 o->trace_events, cfg->policy_name);
	return 0;
}

static void default_policies(struct replay_opts *o)
{
	for (const char *const *n = ga_policy_compare_names(); *n && o->nr_policies < MAX_POLICIES; n++)
		o->policies[o->nr_policies++] = *n;
}

static int run_all(const struct replay_opts *o, const struct trace *t,
		   const struct layout *lay, const struct start_state *ss,
		   struct replay_report *rep)
{
	struct replay_result *res = calloc(o->nr_policies, sizeof(*res));
	int rc = 0;

	if (!res) {
		fprintf(stderr, "gigalloc replay: out of memory\n");
		return 1;
	}
	for (unsigned int i = 0; i < o->nr_policies && !rc; i++) {
		struct replay_config cfg;

		rc = make_config(o, o->policies[i], rep, lay, ss, &cfg);
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

/* What the trace held; an empty one, or one without page events, is refused. */
static int check_trace(const struct replay_opts *o, const struct trace *t)
{
	const struct trace_stats *st = &t->st;
	uint64_t page_ev = st->events[FT_ALLOC] + st->events[FT_FREE] +
			   st->events[FT_ALLOC_FAILED];

	fprintf(stderr, "gigalloc replay: trace %s (%s, %s): %llu lines, %llu mm_page_alloc, "
		"%llu mm_page_free, %llu extfrag, %llu markers\n", o->trace,
		t->style ? t->style : "empty", t->format ? t->format : "?",
		(unsigned long long)st->lines, (unsigned long long)st->events[FT_ALLOC],
		(unsigned long long)st->events[FT_FREE],
		(unsigned long long)st->events[FT_EXTFRAG], (unsigned long long)st->markers);
	if (!st->lines)
		return usage_err("%s: empty trace", o->trace);
	if (o->until_marker && !st->stopped_at_marker)
		return usage_err("no trace_marker line starting with '%s' in the trace",
				 o->until_marker);
	if (o->until_marker)
		fprintf(stderr, "gigalloc replay: stopped at the marker '%s' (line %llu)\n",
			o->until_marker, (unsigned long long)st->marker_line);
	if (!page_ev)
		return usage_err("%s: no page allocator events (kmem:mm_page_alloc, "
				 "kmem:mm_page_free) in the trace", o->trace);
	return 0;
}

/*
 * "auto" probe counts: as many pages as the traced kernel was asked for
 * (hugepages.txt's "requested"). Without that file it is an error, never
 * a silent default; a size the kernel was not asked for (its line says
 * "unsupported") is not probed.
 */
static int resolve_probe_auto(struct replay_opts *o, const struct ground_truth *gt)
{
	if (!o->probe_1g_auto && !o->probe_2m_auto)
		return 0;
	if (!gt->hp.have)
		return usage_err("--probe auto: no hugepages.txt in %s to take the "
				 "kernel's requests from", o->gt_dir ? o->gt_dir : ".");
	if (o->probe_1g_auto)
		o->probe_1g = (unsigned int)(gt->hp.gib_requested < PROBE_MAX ?
					     gt->hp.gib_requested : PROBE_MAX);
	if (o->probe_2m_auto)
		o->probe_2m = (unsigned int)(gt->hp.hp2m_requested < PROBE_MAX ?
					     gt->hp.hp2m_requested : PROBE_MAX);
	fprintf(stderr, "gigalloc replay: probe sizes from hugepages.txt (the kernel's "
		"requests): 1 GiB %u, 2 MiB %u\n", o->probe_1g, o->probe_2m);
	return 0;
}

static int load_ground_truth(const struct replay_opts *o, struct ground_truth *gt)
{
	char err[512] = "";
	int rc;

	if (o->before_dir || o->after_dir) {
		if (o->before_dir)
			list_snapshot(stderr, "before", o->before_dir);
		if (o->after_dir)
			list_snapshot(stderr, "after", o->after_dir);
		rc = gt_load_dirs(gt, o->gt_dir, o->before_dir, o->after_dir, err, sizeof(err));
	} else {
		rc = gt_load(gt, o->gt_dir, err, sizeof(err));
		fprintf(stderr, "gigalloc replay: ground truth %s: %s\n", o->gt_dir,
			gt->present ? "snapshots found (NAME.before/NAME.after)" :
			"none (no --before/--after, no capture snapshots)");
	}
	if (rc)
		fprintf(stderr, "gigalloc replay: %s\n", err);
	return rc ? 1 : 0;
}

int cmd_replay(int argc, char **argv)
{
	struct replay_opts o = { 0 };
	struct replay_report rep = { 0 };
	struct layout lay = { 0 };
	struct start_state ss = { 0 };
	struct ground_truth gt;
	struct trace_opts to = { 0 };
	struct trace t;
	char err[512] = "";
	int rc;

	if (args_want_help(argc, argv)) {
		replay_usage(stdout);
		return ARGS_EXIT_OK;
	}
	rc = parse_args(&o, argc, argv);
	if (!rc)
		rc = check_paths(&o);
	if (!rc)
		rc = resolve_trace(&o);
	if (!rc)
		rc = load_ground_truth(&o, &gt);
	if (!rc)
		rc = resolve_probe_auto(&o, &gt);
	if (rc)
		return rc;
	to.lenient = o.lenient;
	to.until_marker = o.until_marker;
	rc = trace_load_opts(&t, o.trace, &to, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "gigalloc replay: %s: %s%s\n", o.trace, err,
			!o.lenient && !strncmp(err, "line ", 5) ?
			" (--lenient skips malformed lines)" : "");
		trace_free(&t);
		return rc == -ENOENT || rc == -ENOTSUP ? EXIT_USAGE : 1;
	}
	rc = check_trace(&o, &t);
	if (rc) {
		trace_free(&t);
		return rc;
	}
	if (!o.nr_policies)
		default_policies(&o);
	rep.trace_path = o.trace;
	rep.t = &t;
	rep.gt = &gt;
	rep.sets = o.sets;
	rep.nr_sets = o.nr_sets;
	rep.shadow = o.shadow;
	rep.probe = o.probe_1g || o.probe_2m;
	rc = geometry(&o, &t, &gt, &lay, &rep);
	if (!rc)
		rc = load_start(&o, &gt, &rep, &ss);
	if (!rc && ss.nr)	/* placed, not packed */
		memset(rep.preload, 0, sizeof(rep.preload));
	if (!rc)
		rc = run_all(&o, &t, &lay, &ss, &rep);
	start_state_free(&ss);
	layout_free(&lay);
	trace_free(&t);
	return rc;
}
