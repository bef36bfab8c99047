// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The ftrace text parser: every kmem event it reads, field by field, on
 * lines recorded from a Debian 6.1 guest (tests/data/trace-6.1-excerpt.txt
 * and the lines quoted below); the 6.1 quirks; the line prefix variants
 * (comm with spaces and brackets, tgid column, no irq-info column); every
 * way a line can be malformed; and the loader on plain, gzip and zstd input
 * with line numbers, --lenient counting and truncated files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "ftrace.h"
#include "harness.h"
#include "trace.h"
#include "trace_fixture.h"
#include "tsource.h"

/* Lines quoted verbatim from the 6.1 capture (scripts/capture-trace). */
static const char L_ALLOC[] =
	"       stress-ng-111     [001] d..3.     6.470445: mm_page_alloc: "
	"page=00000000cf8de57d pfn=0xc800 order=0 migratetype=0 "
	"gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_ZERO";
static const char L_THP[] =
	"    stress-ng-vm-122     [000] .....     6.543100: mm_page_alloc: "
	"page=000000006f772d26 pfn=0x36e00 order=9 migratetype=1 "
	"gfp_flags=GFP_TRANSHUGE_LIGHT|__GFP_NORETRY|__GFP_THISNODE";
static const char L_EXTFRAG[] =
	"    stress-ng-vm-122     [000] d..3.     6.543134: mm_page_alloc_extfrag: "
	"page=000000006f772d26 pfn=0xd400 alloc_order=9 fallback_order=10 "
	"pageblock_order=9 alloc_migratetype=0 fallback_migratetype=1 "
	"fragmenting=0 change_ownership=1";
static const char L_FREE[] =
	"     kworker/0:0-7       [000] .....     6.164671: mm_page_free: "
	"page=000000001f2bcd2e pfn=0xc32a order=0";
static const char L_COMPACTION[] =
	"      kcompactd0-33      [000] .....     6.464635: mm_compaction_kcompactd_sleep: nid=0";

static void test_alloc_line(void)
{
	struct ft_event ev;
	const char *why;

	is_long(parse(L_ALLOC, &ev, &why), FT_LINE_EVENT, "mm_page_alloc parses");
	is_long(ev.kind, FT_ALLOC, "... as an allocation");
	is_long(ev.cpu, 1, "... cpu from [001]");
	is_long(ev.ts_ns, 6470445000ull, "... timestamp 6.470445 s in ns");
	is_long(ev.pfn, 0xc800, "... pfn");
	is_long(ev.order, 0, "... order");
	is_long(ev.mt, 0, "... migratetype");
	is_long(ev.arg, GA_GFP_RECLAIM, "GFP_KERNEL_ACCOUNT|__GFP_ZERO -> reclaim bits only");
	is_long(ev.flags, 0, "... no quirk flags");
	is_long(parse(L_THP, &ev, &why), FT_LINE_EVENT, "THP allocation parses");
	is_long(ev.order, 9, "... order 9");
	is_long(ev.arg, GA_GFP_TRANSHUGE_LIGHT | GA_GFP_NORETRY,
		"GFP_TRANSHUGE_LIGHT|__GFP_NORETRY|__GFP_THISNODE mapped");
	is_long(ga_gfp_migratetype(ev.arg), GA_MT_MOVABLE, "... and movable");
}

static void test_other_events(void)
{
	struct ft_event ev;
	const char *why;

	is_long(parse(L_EXTFRAG, &ev, &why), FT_LINE_EVENT, "extfrag parses");
	is_long(ev.kind, FT_EXTFRAG, "... kind");
	is_long(ev.order, 9, "... alloc_order");
	is_long(FT_EXTFRAG_FALLBACK_ORDER(ev.arg), 10, "... fallback_order");
	is_long(FT_EXTFRAG_FALLBACK_MT(ev.arg), 1, "... fallback_migratetype");
	is_long(FT_EXTFRAG_PAGEBLOCK_ORDER(ev.arg), 9, "... pageblock_order");
	ok(ev.flags & FT_F_CHANGE_OWNERSHIP, "... change_ownership=1");
	ok(!(ev.flags & FT_F_FRAGMENTING), "... fragmenting=0");
	is_long(parse(L_FREE, &ev, &why), FT_LINE_EVENT, "free from a kworker/0:0 comm");
	is_long(ev.kind, FT_FREE, "... kind");
	is_long(ev.pfn, 0xc32a, "... pfn");
	is_long(parse("  stress-ng-vm-122 [000] ..... 6.5: mm_page_free_batched: "
		      "page=000000001f2bcd2e pfn=0xc32a order=0", &ev, &why),
		FT_LINE_EVENT, "free_batched parses");
	is_long(ev.kind, FT_FREE_BATCHED, "... kind");
	is_long(parse("  <idle>-0 [001] d.s3. 7.0: mm_page_pcpu_drain: "
		      "page=000000001f2bcd2e pfn=0x1234 order=3 migratetype=2", &ev, &why),
		FT_LINE_EVENT, "pcpu_drain parses");
	is_long(ev.order * 100 + ev.mt, 302, "... order and migratetype");
	is_long(parse("  a-1 [001] d..2. 7.0: mm_page_alloc_zone_locked: "
		      "page=000000001f2bcd2e pfn=0x1234 order=0 migratetype=1 percpu_refill=1",
		      &ev, &why), FT_LINE_EVENT, "zone_locked parses");
	ok(ev.flags & FT_F_PERCPU_REFILL, "... percpu_refill");
	is_long(parse(L_COMPACTION, &ev, &why), FT_LINE_OTHER, "compaction event: other");
	is_long(parse("# tracer: nop", &ev, &why), FT_LINE_COMMENT, "header comment");
	is_long(parse(" => __alloc_pages+0x1c6/0x2f0", &ev, &why), FT_LINE_OTHER,
		"options/stacktrace line: other");
	is_long(parse("   ", &ev, &why), FT_LINE_BLANK, "blank line");
}

/* The Linux 6.1 quirks listed in issue 6. */
static void test_quirks(void)
{
	struct ft_event ev;
	const char *why;
	uint64_t lost = 0;
	static const char lost_line[] = "CPU:1 [LOST 1234 EVENTS]";

	is_long(parse("  khugepaged-40 [000] ..... 9.1: mm_page_alloc: "
		      "page=0000000000000000 pfn=0x0 order=9 migratetype=1 "
		      "gfp_flags=GFP_TRANSHUGE|__GFP_THISNODE", &ev, &why),
		FT_LINE_EVENT, "NULL page alloc parses");
	is_long(ev.kind, FT_ALLOC_FAILED, "... as a failed attempt, not an allocation");
	is_long(parse("  a-1 [000] ..... 9.1: mm_page_alloc: page=0000000000000000 "
		      "pfn=0x10 order=0 migratetype=1 gfp_flags=GFP_KERNEL", &ev, &why),
		FT_LINE_BAD, "NULL page with a nonzero pfn is malformed");
	is_long(parse("  a-1 [000] ..... 9.1: mm_page_alloc: page=ffffea0000320000 "
		      "pfn=0xc800 order=0 migratetype=2 gfp_flags=", &ev, &why),
		FT_LINE_EVENT, "empty gfp_flags (no pointer hashing) parses");
	ok(ev.flags & FT_F_GFP_EMPTY, "... flagged");
	is_long(ev.arg, GA_GFP_KERNEL_RECLAIMABLE, "... gfp rebuilt from migratetype 2");
	is_long(parse("  a-1 [000] ..... 9.1: mm_page_alloc: page=ffffea0000320000 "
		      "pfn=0xc800 order=0 migratetype=0 gfp_flags=none", &ev, &why),
		FT_LINE_EVENT, "gfp_flags=none parses");
	is_long(ev.arg, 0, "... as no flags");
	/* Recorded on 6.1.192 booted with no_hash_pointers: raw pointers, and
	 * gfp_flags still printed (the empty-gfp quirk did not reproduce). */
	is_long(parse("            init-1       [001] .....     4.072932: mm_page_alloc: "
		      "page=fff9adf9c0069900 pfn=0x1a64 order=1 migratetype=0 "
		      "gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_ZERO", &ev, &why),
		FT_LINE_EVENT, "raw (unhashed) page pointer parses");
	is_long(ev.kind * 1000 + ev.order, FT_ALLOC * 1000 + 1, "... as an order-1 allocation");
	is_long(ft_parse_line(lost_line, strlen(lost_line), &ev, &lost, &why),
		FT_LINE_LOST, "LOST marker recognised");
	is_long(lost, 1234, "... with its count");
}

static void test_prefix_variants(void)
{
	struct ft_event ev;
	const char *why;

	is_long(parse(" Web Content-4242  [003] d..1. 100.000001: mm_page_free: "
		      "page=000000001f2bcd2e pfn=0x1 order=2", &ev, &why),
		FT_LINE_EVENT, "comm with a space");
	is_long(ev.cpu, 3, "... cpu");
	is_long(parse(" a [7] b-4242  [002] d..1. 1.5: mm_page_free: "
		      "page=000000001f2bcd2e pfn=0x1 order=2", &ev, &why),
		FT_LINE_EVENT, "comm with a bracketed number in it");
	is_long(ev.cpu, 2, "... the real cpu field wins");
	is_long(parse("  <...>-99    (     99) [000] d..1. 2.25: mm_page_free: "
		      "page=000000001f2bcd2e pfn=0x1 order=2", &ev, &why),
		FT_LINE_EVENT, "record-tgid column");
	is_long(ev.ts_ns, 2250000000ull, "... timestamp");
	is_long(parse("  bash-1 [000] 3.000000001: mm_page_free: "
		      "page=000000001f2bcd2e pfn=0x1 order=0", &ev, &why),
		FT_LINE_EVENT, "no irq-info column, ns timestamp");
	is_long(ev.ts_ns, 3000000001ull, "... 9 fraction digits");
	is_long(parse("  bash-1 [000] .... 5: mm_page_free: page=(____ptrval____) "
		      "pfn=1234 order=0", &ev, &why),
		FT_LINE_EVENT, "counter clock, ptrval placeholder, decimal pfn (4.x)");
	is_long(ev.pfn, 1234, "... decimal pfn");
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"garbage",
		"  a-1 [000] ..... 9.1: mm_page_free: page=0000000000001234 pfn=0x1",
		"  a-1 [000] ..... 9.1: mm_page_free: page=0000000000001234 pfn=0x1 order=32",
		"  a-1 [000] ..... 9.1: mm_page_free: page=0000000000001234 pfn=0x1 order=-1",
		"  a-1 [000] ..... 9.1: mm_page_free: page=0000000000001234 pfn=0x1 order=0 x=1",
		"  a-1 [000] ..... 9.1: mm_page_free: page=0000000000000000 pfn=0x1 order=0",
		"  a-1 [000] ..... 9.1: mm_page_free: page=0000000000001234 pfn=0x order=0",
		"  a-1 [000] ..... 9.1: mm_page_free: page=0000000000001234 pfn=0x11111111111111111 order=0",
		"  a-1 [000] ..... 9.1: mm_page_free_batched: page=0000000000001234 pfn=0x1 order=1",
		"  a-1 [000] ..... 9.1: mm_page_alloc: page=0000000000001234 pfn=0x1 order=0 "
		"migratetype=1 gfp_flags=GFP_BOGUS",
		"  a-1 [000] ..... 9.1: mm_page_alloc: page=0000000000001234 pfn=0x1 order=0 "
		"migratetype=1 gfp_flags=GFP_KERNEL||__GFP_COMP",
		"  a-1 [000] ..... 9.1: mm_page_alloc: page=0000000000001234 pfn=0x1 order=0 "
		"migratetype=0 gfp_flags=__GFP_MOVABLE|__GFP_RECLAIMABLE",
		"  a-1 [000] ..... 9.1: mm_page_alloc: page=0000000000001234 pfn=0x1 order=0 "
		"migratetype=16 gfp_flags=GFP_KERNEL",
		"  a-1 [000] ..... 9.1: mm_page_alloc_extfrag: page=0000000000001234 pfn=0x1 "
		"alloc_order=0 fallback_order=3 pageblock_order=9 alloc_migratetype=0 "
		"fallback_migratetype=1 fragmenting=0 change_ownership=0",
		"  a-1 [000] ..... 9.1 mm_page_free: page=0000000000001234 pfn=0x1 order=0",
		"  a-1 [99999] ..... 9.1: mm_page_free: page=0000000000001234 pfn=0x1 order=0",
		"  a-1 [000] ..... 9.1234567890: mm_page_free: page=0000000000001234 pfn=0x1 order=0",
		"  a [000] ..... 9.1: mm_page_free: page=0000000000001234 pfn=0x1 order=0",
	};
	struct ft_event ev;
	const char *why;
	static const char nul_line[] = "  a-1 [000] ..... 9.1: mm_page_free: page=0000000000001234 "
				       "pfn=0x1\0 order=0";
	uint64_t lost;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		is_long(parse(bad[i], &ev, &why), FT_LINE_BAD, "malformed line %zu rejected", i);
		ok(why && *why, "... with a reason (%s)", why ? why : "none");
	}
	is_long(ft_parse_line(nul_line, sizeof(nul_line) - 1, &ev, &lost, &why),
		FT_LINE_BAD, "NUL byte inside a line rejected");
}

/* ------------------------------------------------------------------------ */
/* The loader.                                                               */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void test_excerpt(void)
{
	char path[512], err[256];
	struct trace t;
	size_t len;
	char *text;
	int rc;

	snprintf(path, sizeof(path), "%s/trace-6.1-excerpt.txt", data_dir());
	text = slurp(path, &len);
	ok(text != NULL, "recorded excerpt %s readable", path);
	if (!text)
		return;
	rc = trace_load_mem(&t, text, len, false, err, sizeof(err));
	is_long(rc, 0, "excerpt loads strictly (%s)", err);
	ok(t.st.have_header, "trace header parsed");
	is_long(t.st.malformed, 0, "no malformed line");
	ok(t.st.events[FT_ALLOC] > 100 && t.st.events[FT_FREE] > 10,
	   "allocations (%llu) and frees (%llu) read",
	   (unsigned long long)t.st.events[FT_ALLOC], (unsigned long long)t.st.events[FT_FREE]);
	ok(t.st.events[FT_EXTFRAG] > 0, "extfrag events read");
	is_long(t.st.pageblock_order, 9, "pageblock order from extfrag");
	is_long(t.nr, t.st.events[FT_ALLOC] + t.st.events[FT_FREE],
		"kept events are the allocations and frees");
	is_long(t.st.batched_unmatched, 0, "every batched free repeats a free");
	trace_free(&t);
	free(text);
}

static void test_strict_and_lenient(void)
{
	static const char text[] =
		"# tracer: nop\n"
		"  a-1 [000] ..... 1.0: mm_page_alloc: page=0000000000001234 pfn=0x200 "
		"order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE\n"
		"  a-1 [000] ..... 1.1: mm_page_free: page=0000000000001234 pfn=0x2\n"
		"\n"
		"  a-1 [000] ..... 1.2: mm_page_free: page=0000000000001234 pfn=0x200 order=0\n"
		"CPU:0 [LOST 7 EVENTS]\n"
		"  a-1 [000] ..... 1.3: mm_page_free: page=0000000000001234 pfn=0x200 order=0";
	char err[256] = "";
	struct trace t;

	is_long(trace_load_mem(&t, text, sizeof(text) - 1, false, err, sizeof(err)),
		-EINVAL, "strict load stops at a malformed line");
	ok(!strncmp(err, "line 3: ", 8), "... naming line 3 (%s)", err);
	trace_free(&t);
	is_long(trace_load_mem(&t, text, sizeof(text) - 1, true, err, sizeof(err)), 0,
		"lenient load goes on");
	is_long(t.st.malformed, 1, "... counting one malformed line");
	is_long(t.st.first_bad_line, 3, "... remembering where");
	is_long(t.st.lost_events, 7, "... and the lost events");
	is_long(t.nr, 3, "... keeping the good events, the last one without a newline");
	trace_free(&t);
}

static int write_gzip(const char *path, const char *text, size_t len, int members)
{
	gzFile g = gzopen(path, "wb");

	if (!g)
		return -1;
	if (members == 2) {
		gzwrite(g, text, (unsigned int)(len / 2));
		gzclose(g);
		g = gzopen(path, "ab");	/* a second gzip member appended */
		if (!g)
			return -1;
		text += len / 2;
		len -= len / 2;
	}
	gzwrite(g, text, (unsigned int)len);
	return gzclose(g) == Z_OK ? 0 : -1;
}

static void test_compressed(void)
{
	char path[512], tmp[] = "/tmp/ga-trace-XXXXXX", err[512] = "";
	struct trace plain, gz;
	size_t len;
	char *text;
	int fd = mkstemp(tmp);

	snprintf(path, sizeof(path), "%s/trace-6.1-excerpt.txt", data_dir());
	text = slurp(path, &len);
	if (!text || fd < 0) {
		ok(0, "excerpt and a temporary file");
		free(text);
		return;
	}
	close(fd);
	trace_load_mem(&plain, text, len, false, err, sizeof(err));
	for (int members = 1; members <= 2; members++) {
		ok(!write_gzip(tmp, text, len, members), "gzip with %d member(s) written", members);
		is_long(trace_load(&gz, tmp, false, err, sizeof(err)), 0,
			"gzip (%d member(s)) loads (%s)", members, err);
		ok(!strcmp(gz.format, "gzip"), "... detected as gzip");
		ok(gz.nr == plain.nr && !memcmp(gz.ev, plain.ev, plain.nr * sizeof(*gz.ev)),
		   "... same events as the plain text");
		trace_free(&gz);
	}
	/* Cut the file in half: the decoder must say so, not stop quietly. */
	if (truncate(tmp, 2000) == 0) {
		is_long(trace_load(&gz, tmp, true, err, sizeof(err)), -EIO,
			"truncated gzip is an error even with --lenient");
		ok(strstr(err, "unexpected end") != NULL, "... saying so (%s)", err);
		trace_free(&gz);
	}
	snprintf(path, sizeof(path), "%s/trace-6.1-excerpt.txt.zst", data_dir());
	if (ts_have_zstd()) {
		is_long(trace_load(&gz, path, false, err, sizeof(err)), 0, "zstd loads");
		ok(gz.nr == plain.nr && !memcmp(gz.ev, plain.ev, plain.nr * sizeof(*gz.ev)),
		   "... same events as the plain text");
	} else {
		is_long(trace_load(&gz, path, false, err, sizeof(err)), -ENOTSUP,
			"zstd without libzstd: refused");
		ok(strstr(err, "libzstd") != NULL, "... with a message naming libzstd");
	}
	trace_free(&gz);
	trace_free(&plain);
	unlink(tmp);
	free(text);
}

static void test_long_line(void)
{
	size_t n = TS_MAX_LINE + 100;
	char *text = malloc(n + 200);
	char err[256];
	struct trace t;
	int len;

	memset(text, 'x', n);
	len = snprintf(text + n, 200, "\n  a-1 [000] ..... 1.2: mm_page_free: "
		       "page=0000000000001234 pfn=0x200 order=0\n");
	is_long(trace_load_mem(&t, text, n + (size_t)len, true, err, sizeof(err)), 0,
		"an over-long line is skipped with --lenient");
	is_long(t.st.malformed, 1, "... and counted");
	is_long(t.nr, 1, "... the next line still read");
	trace_free(&t);
	free(text);
}

int main(void)
{
	test_alloc_line();
	test_other_events();
	test_quirks();
	test_prefix_variants();
	test_malformed();
	test_excerpt();
	test_strict_and_lenient();
	test_compressed();
	test_long_line();
	return done_testing();
}
