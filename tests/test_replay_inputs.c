// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The replay's standard inputs, on excerpts recorded from a Debian 6.1
 * guest by scripts/capture-trace --formats: `trace-cmd report` text,
 * `perf script` text, trace-cmd's binary trace.dat (through libtracecmd;
 * skipped, visibly, in a build without it), trace_marker lines and
 * --until-marker; and every error path of `gigalloc replay`'s inputs
 * (exit 2 with a message, never a silent default).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "ftrace.h"
#include "harness.h"
#include "trace.h"
#include "trace_fixture.h"
#include "tracedat.h"

/* Verbatim from `trace-cmd report` and `perf script` of the same guest. */
static const char TC_ALLOC[] =
	"       trace-cmd-418   [001]    51.914213: mm_page_alloc:        "
	"page=0xffffffffa6e954b4 pfn=0x7fd84 order=2 migratetype=0 "
	"gfp_flags=GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_ZERO";
static const char TC_OTHER[] =
	"      kcompactd0-33    [001]    52.417185: mm_compaction_kcompactd_sleep: nid=0";
static const char PERF_ALLOC[] =
	"       perf-exec   392 [001]    54.416201:                            "
	"kmem:mm_page_alloc: page=0xe368 pfn=0xe368 order=1 migratetype=0 "
	"gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_ZERO";
static const char PERF_OTHER[] =
	"      kcompactd0    33 [001]    54.489766:      "
	"compaction:mm_compaction_kcompactd_sleep: nid=0";
static const char FT_MARK[] =
	"            init-1       [000] .....    24.156715: tracing_mark_write: "
	"gigalloc: workload end";

static void test_lines(void)
{
	struct ft_event ev;
	const char *why, *msg;
	size_t n;

	is_long(parse(TC_ALLOC, &ev, &why), FT_LINE_EVENT, "trace-cmd report line parses");
	ok(ev.kind == FT_ALLOC && ev.pfn == 0x7fd84 && ev.order == 2 && ev.mt == 0 &&
	   ev.cpu == 1 && ev.ts_ns == 51914213000ull && (ev.arg & GA_GFP_NORETRY) &&
	   (ev.arg & GA_GFP_COMP), "its fields");
	is_long(parse(TC_OTHER, &ev, &why), FT_LINE_OTHER, "trace-cmd: another event");
	is_long(parse(PERF_ALLOC, &ev, &why), FT_LINE_EVENT, "perf script line parses");
	ok(ev.kind == FT_ALLOC && ev.pfn == 0xe368 && ev.order == 1 && ev.mt == 0 &&
	   ev.cpu == 1 && ev.ts_ns == 54416201000ull, "its fields");
	is_long(parse(PERF_OTHER, &ev, &why), FT_LINE_OTHER, "perf: another event");
	is_long(parse("       perf-exec   392 [001]    54.416201:  kmem:x:mm_page_alloc: "
		      "page=0xe368 pfn=0xe368 order=1 migratetype=0 gfp_flags=GFP_KERNEL",
		      &ev, &why), FT_LINE_BAD, "two system prefixes: malformed");
	is_long(parse("       perf-exec   [001]    54.416201: kmem:mm_page_alloc: "
		      "page=0xe368 pfn=0xe368 order=1 migratetype=0 gfp_flags=GFP_KERNEL",
		      &ev, &why), FT_LINE_BAD, "no pid: malformed");
	is_long(parse("  perf-exec 3 [001] 1.0: kmem:mm_page_alloc: page=(nil) pfn=0x0 "
		      "order=1 migratetype=0 gfp_flags=GFP_KERNEL", &ev, &why),
		FT_LINE_EVENT, "libtraceevent's (nil) page");
	is_long(ev.kind, FT_ALLOC_FAILED, "is a failed attempt");
	ok(ft_parse_marker(FT_MARK, strlen(FT_MARK), &msg, &n) && n == 22 &&
	   !memcmp(msg, "gigalloc: workload end", n), "ftrace marker message");
	ok(!ft_parse_marker(TC_ALLOC, strlen(TC_ALLOC), &msg, &n), "an event is no marker");
	{
		static const char tc_print[] = "        bash-395   [000]    60.000001: print:   "
			"tracing_mark_write: gigalloc: probe";

		ok(ft_parse_marker(tc_print, strlen(tc_print), &msg, &n) && n == 15 &&
		   !memcmp(msg, "gigalloc: probe", n), "trace-cmd's print event marker");
	}
}

static void load_file(const char *name, const struct trace_opts *o, struct trace *t,
		      int *rc, char *err, size_t errlen)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", data_dir(), name);
	*rc = trace_load_opts(t, path, o, err, errlen);
}

static void test_text_excerpts(void)
{
	struct trace_opts o = { 0 };
	char err[256] = "";
	struct trace t;
	int rc;

	load_file("tracecmd-report-6.1-excerpt.txt.gz", &o, &t, &rc, err, sizeof(err));
	is_long(rc, 0, "trace-cmd report excerpt loads strictly (%s)", err);
	ok(t.style && !strcmp(t.style, "trace-cmd report") && !strcmp(t.format, "gzip"),
	   "recognised as trace-cmd report, gzip (%s)", t.style ? t.style : "-");
	is_long(t.st.malformed, 0, "no malformed line");
	ok(t.st.tracecmd_header, "its cpus= header");
	ok(t.st.events[FT_ALLOC] > 300 && t.st.events[FT_FREE] > 30,
	   "allocations (%llu) and frees (%llu)", (unsigned long long)t.st.events[FT_ALLOC],
	   (unsigned long long)t.st.events[FT_FREE]);
	is_long(t.st.lines, 1500, "every line read");
	trace_free(&t);

	load_file("perf-script-6.1-excerpt.txt.zst", &o, &t, &rc, err, sizeof(err));
	if (rc == -ENOTSUP) {
		ok(1, "perf excerpt # SKIP built without libzstd");
		return;
	}
	is_long(rc, 0, "perf script excerpt loads strictly (%s)", err);
	ok(t.style && !strcmp(t.style, "perf script"), "recognised as perf script");
	is_long(t.st.malformed, 0, "no malformed line");
	ok(t.st.events[FT_ALLOC] > 300 && t.st.events[FT_FREE] > 100 &&
	   t.st.events[FT_FREE_BATCHED] > 0, "allocations (%llu), frees (%llu), batched",
	   (unsigned long long)t.st.events[FT_ALLOC], (unsigned long long)t.st.events[FT_FREE]);
	trace_free(&t);
}

/* trace.dat and its `trace-cmd report` text give the same events. */
static void test_tracedat(void)
{
	struct trace_opts o = { 0 };
	struct trace bin, txt;
	char err[256] = "";
	bool same = true;
	int rc;

	if (!tracedat_available()) {
		ok(1, "trace.dat # SKIP built without libtracecmd-dev");
		return;
	}
	load_file("trace-6.1.dat.gz", &o, &bin, &rc, err, sizeof(err));
	is_long(rc, 0, "trace.dat (gzip) loads (%s)", err);
	ok(bin.style && !strcmp(bin.style, "trace.dat") && !strcmp(bin.format, "gzip"),
	   "recognised as trace.dat, gzip");
	load_file("trace-6.1.dat.report.gz", &o, &txt, &rc, err, sizeof(err));
	is_long(rc, 0, "its trace-cmd report loads (%s)", err);
	ok(bin.nr == txt.nr && bin.nr > 100, "the same number of events (%zu, %zu)",
	   bin.nr, txt.nr);
	/* report prints microseconds, rounded; trace.dat has nanoseconds. */
	for (size_t i = 0; i < bin.nr && bin.nr == txt.nr; i++) {
		struct ft_event a = bin.ev[i], b = txt.ev[i];
		uint64_t d = a.ts_ns > b.ts_ns ? a.ts_ns - b.ts_ns : b.ts_ns - a.ts_ns;

		a.ts_ns = b.ts_ns;
		if (d > 500 || memcmp(&a, &b, sizeof(a))) {
			same = false;
			diag("event %zu differs", i);
			break;
		}
	}
	ok(bin.nr == txt.nr && same, "the same events, field by field");
	is_long(bin.st.malformed, 0, "no malformed record");
	trace_free(&bin);
	trace_free(&txt);
}

static void test_markers(void)
{
	struct trace_opts o = { .until_marker = "gigalloc: workload end" };
	char err[256] = "";
	struct trace t;
	uint64_t all;
	int rc;

	load_file("trace-6.1-markers.txt", &o, &t, &rc, err, sizeof(err));
	is_long(rc, 0, "markers excerpt loads (%s)", err);
	ok(t.st.stopped_at_marker, "stopped at the end marker");
	is_long(t.st.marker_line, 341, "on its line");
	all = t.nr;
	trace_free(&t);
	o.until_marker = "gigalloc: workload start";
	load_file("trace-6.1-markers.txt", &o, &t, &rc, err, sizeof(err));
	ok(!rc && t.st.stopped_at_marker && t.st.marker_line == 13 && t.nr < all,
	   "an earlier marker cuts earlier (line %llu, %zu of %llu events)",
	   (unsigned long long)t.st.marker_line, t.nr, (unsigned long long)all);
	trace_free(&t);
	o.until_marker = "gigalloc: workload";
	load_file("trace-6.1-markers.txt", &o, &t, &rc, err, sizeof(err));
	is_long(t.st.marker_line, 13, "a prefix matches the first marker it starts");
	trace_free(&t);
	o.until_marker = "nothing like this";
	load_file("trace-6.1-markers.txt", &o, &t, &rc, err, sizeof(err));
	ok(!rc && !t.st.stopped_at_marker && t.nr == all && t.st.markers == 2,
	   "no match: the whole trace, both markers counted");
	trace_free(&t);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_errors(void)
{
	char dir[] = "/tmp/gigalloc_replay_in_XXXXXX", args[1024], err[8192], p[600];
	const char *d = data_dir();

	if (!ok(mkdtemp(dir) != NULL, "scratch directory"))
		return;
	is_long(replay_cli("/nonexistent/trace.gz", err, sizeof(err)), 2, "missing trace: exit 2");
	ok(strstr(err, "/nonexistent/trace.gz: no such file") != NULL, "says so");

	snprintf(p, sizeof(p), "%s/empty", dir);
	write_file(p, "");
	snprintf(args, sizeof(args), "%s", p);
	is_long(replay_cli(args, err, sizeof(err)), 2, "empty trace: exit 2");
	ok(strstr(err, "empty trace") != NULL, "says so");

	snprintf(p, sizeof(p), "%s/nopage", dir);
	write_file(p, "# tracer: nop\n"
		   "      kcompactd0-33      [000] .....     6.464635: mm_compaction_kcompactd_sleep: nid=0\n");
	snprintf(args, sizeof(args), "%s", p);
	is_long(replay_cli(args, err, sizeof(err)), 2, "no page events: exit 2");
	ok(strstr(err, "no page allocator events") != NULL, "says so");

	snprintf(args, sizeof(args), "%s", dir);	/* a directory without a trace */
	is_long(replay_cli(args, err, sizeof(err)), 2, "directory without a trace: exit 2");
	ok(strstr(err, "a directory without a trace") != NULL, "says so");

	snprintf(args, sizeof(args), "%s/trace-6.1-markers.txt --before %s/nosuch", d, dir);
	is_long(replay_cli(args, err, sizeof(err)), 2, "missing --before: exit 2");
	ok(strstr(err, "--before") && strstr(err, "not a directory"), "says so");
	snprintf(args, sizeof(args), "%s/trace-6.1-markers.txt --after %s/empty", d, dir);
	is_long(replay_cli(args, err, sizeof(err)), 2, "--after a file: exit 2");
	snprintf(args, sizeof(args), "%s/trace-6.1-markers.txt --dmesg %s/nosuch", d, dir);
	is_long(replay_cli(args, err, sizeof(err)), 2, "missing --dmesg: exit 2");
	snprintf(args, sizeof(args), "%s/trace-6.1-markers.txt --ground-truth %s/nosuch", d, dir);
	is_long(replay_cli(args, err, sizeof(err)), 2, "missing --ground-truth: exit 2");
	snprintf(args, sizeof(args), "%s/trace-6.1-markers.txt --until-marker nomatch", d);
	is_long(replay_cli(args, err, sizeof(err)), 2, "marker not in the trace: exit 2");
	ok(strstr(err, "no trace_marker line starting with 'nomatch'") != NULL, "says so");
	snprintf(args, sizeof(args), "%s/trace-6.1-markers.txt --until-marker gigalloc:", d);
	is_long(replay_cli(args, err, sizeof(err)), 2,
		"cut at the first marker, before any page event: exit 2");
	ok(strstr(err, "no page allocator events") != NULL, "says so");

	snprintf(args, sizeof(args), "%s/tracecmd-report-6.1-excerpt.txt.gz --policy vanilla "
		 "--no-gib-test", d);
	is_long(replay_cli(args, err, sizeof(err)), 0, "a trace-cmd report replays");
	ok(strstr(err, "(trace-cmd report, gzip)") != NULL, "and says what it read");
	ok(strstr(err, "ground truth") && strstr(err, "none"), "and that it had no snapshots");

	snprintf(p, sizeof(p), "%s/empty", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/nopage", dir);
	unlink(p);
	rmdir(dir);
}

/* --before/--after DIR with /proc names, and --dmesg's e820 map. */
static void test_snapshot_dirs(void)
{
	char args[1024], err[8192];
	const char *d = data_dir();

	snprintf(args, sizeof(args), "%s/capture-6.1-dirs/trace-head.txt --policy vanilla "
		 "--no-gib-test --before %s/capture-6.1-dirs/before --after %s/capture-6.1-dirs/after",
		 d, d, d);
	is_long(replay_cli(args, err, sizeof(err)), 0, "--before/--after replay");
	ok(strstr(err, "before ") && strstr(err, "buddyinfo pagetypeinfo zoneinfo vmstat"),
	   "lists what the before directory held");
	ok(strstr(err, "layout from") && strstr(err, "/after") && strstr(err, "iomem"),
	   "layout from the after directory");
	snprintf(args, sizeof(args), "%s/capture-6.1-dirs/trace-head.txt --policy vanilla "
		 "--no-gib-test --after %s/capture-6.1-dirs/after-no-iomem --dmesg "
		 "%s/capture-6.1-dirs/dmesg.txt", d, d, d);
	is_long(replay_cli(args, err, sizeof(err)), 0, "--dmesg for the RAM map");
	ok(strstr(err, "e820 of the dmesg") != NULL, "the layout used the e820 map");
}

/* --probe-1g/--probe-2m auto (and --probe): N from the capture's hugepages.txt. */
static void test_probe_auto(void)
{
	char dir[] = "/tmp/gigalloc_replay_hp_XXXXXX", args[1024], err[8192], p[600];
	const char *d = data_dir();

	if (!ok(mkdtemp(dir) != NULL, "scratch directory"))
		return;
	snprintf(args, sizeof(args), "%s/trace-6.1-markers.txt --policy vanilla --no-gib-test "
		 "--ground-truth %s --probe-2m auto", d, dir);
	is_long(replay_cli(args, err, sizeof(err)), 2, "--probe-2m auto without hugepages.txt: exit 2");
	ok(strstr(err, "no hugepages.txt") != NULL, "says so");
	snprintf(args, sizeof(args), "%s/trace-6.1-markers.txt --probe-2m 0", d);
	is_long(replay_cli(args, err, sizeof(err)), 2, "--probe-2m 0: exit 2");

	snprintf(p, sizeof(p), "%s/hugepages.txt", dir);
	write_file(p, "1048576kB try 1 requested 1 got 0\n"
		   "1048576kB try 2 requested 1 got 0\n"
		   "2048kB try 1 requested 3 got 2\n"
		   "2048kB try 2 requested 3 got 3\n");
	snprintf(args, sizeof(args), "%s/trace-6.1-markers.txt --policy vanilla --no-gib-test "
		 "--ground-truth %s --probe", d, dir);
	is_long(replay_cli(args, err, sizeof(err)), 0, "--probe with hugepages.txt");
	ok(strstr(err, "from hugepages.txt (the kernel's requests): 1 GiB 1, 2 MiB 3") != NULL,
	   "probes what the kernel was asked: %s", err);
	snprintf(args, sizeof(args), "%s/trace-6.1-markers.txt --policy vanilla --no-gib-test "
		 "--ground-truth %s --probe-1g 2 --probe-2m auto", d, dir);
	is_long(replay_cli(args, err, sizeof(err)), 0, "--probe-2m auto next to a given --probe-1g");
	ok(strstr(err, "1 GiB 2, 2 MiB 3") != NULL, "the given count stays");
	unlink(p);
	rmdir(dir);
}

int main(void)
{
	test_lines();
	test_text_excerpts();
	test_tracedat();
	test_markers();
	test_errors();
	test_snapshot_dirs();
	test_probe_auto();
	return done_testing();
}
