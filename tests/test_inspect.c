// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * gigalloc inspect: the page classifier's precedence rules; the classifier
 * on real kpageflags excerpts recorded by scripts/record-kpageflags against
 * the counts of its independent Perl implementation; the whole census on
 * the /proc files recorded inside the capture VM (tests/data/capture-6.1/proc):
 * the per-GiB table adds up to the zones' spans and present pages and its
 * free pages equal buddyinfo; and the same on this machine's live /proc
 * when it is readable (root), skipped otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "harness.h"
#include "inspect.h"
#include "layout.h"
#include "kpf.h"

static const char *data_dir(void)
{
	const char *d = getenv("GA_TEST_DATA");

	return d ? d : "tests/data";
}

static void test_precedence(void)
{
	is_long(kpf_classify(KPF(KPF_BUDDY) | KPF(KPF_UPTODATE), KC_NR), KC_FREE,
		"a free page reported to the host (PG_reported = uptodate) is free");
	is_long(kpf_classify(KPF(KPF_SLAB) | KPF(KPF_MMAP), KC_NR), KC_SLAB,
		"a mapped slab page is slab");
	is_long(kpf_classify(KPF(KPF_LRU) | KPF(KPF_UNEVICTABLE) | KPF(KPF_MLOCKED), KC_NR),
		KC_UNEVICTABLE, "an mlocked LRU page is unevictable");
	is_long(kpf_classify(KPF(KPF_LRU) | KPF(KPF_ANON) | KPF(KPF_THP), KC_NR), KC_THP,
		"an anonymous THP page is THP");
	is_long(kpf_classify(KPF(KPF_LRU) | KPF(KPF_ANON), KC_NR), KC_ANON, "LRU anon");
	is_long(kpf_classify(KPF(KPF_LRU) | KPF(KPF_UPTODATE), KC_NR), KC_FILE, "LRU file");
	is_long(kpf_classify(KPF(KPF_HUGE) | KPF(KPF_COMPOUND_TAIL), KC_NR), KC_HUGETLB,
		"hugetlb tail");
	is_long(kpf_classify(KPF(KPF_NOPAGE), KC_NR), KC_HOLE, "no struct page: hole");
	is_long(kpf_classify(KPF(KPF_RESERVED), KC_NR), KC_RESERVED, "reserved");
	is_long(kpf_classify(KPF(KPF_COMPOUND_TAIL), KC_ANON), KC_ANON,
		"a bare tail takes its head's class (pre-6.x kernels)");
	is_long(kpf_classify(0, KC_ANON), KC_UNFLAGGED,
		"a page with no flag and no tail bit stays unflagged");
	is_long(kpf_group_of(KC_SLAB), KG_UNMOVABLE, "slab is unmovable");
	is_long(kpf_group_of(KC_HUGETLB), KG_MOVABLE, "hugetlb is movable");
}

/* ------------------------------------------------------------------------ */

static int expect_value(const char *path, const char *key, long long *v)
{
	FILE *f = fopen(path, "r");
	char line[256], k[64];
	long long x;
	int found = -ENOENT;

	if (!f)
		return -errno;
	*v = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", k, &x) == 2 && !strcmp(k, key)) {
			*v = x;
			found = 0;
		}
	fclose(f);
	return found;
}

static void test_excerpt(const char *name)
{
	char path[512], epath[512];
	uint64_t pages[KC_NR] = { 0 }, buddy = 0;
	enum kpf_class head = KC_NR;
	long long n, want;
	uint64_t *flags;
	size_t got;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.kpageflags", data_dir(), name);
	snprintf(epath, sizeof(epath), "%s/%s.expect", data_dir(), name);
	f = fopen(path, "rb");
	if (!ok(f && !expect_value(epath, "pages", &n), "%s recorded", name)) {
		if (f)
			fclose(f);
		return;
	}
	flags = malloc((size_t)n * sizeof(*flags));
	got = fread(flags, sizeof(*flags), (size_t)n, f);
	fclose(f);
	is_long(got, n, "%s: %lld entries", name, n);
	inspect_count(flags, got, &head, pages);
	for (int c = 0; c < KC_NR; c++) {
		expect_value(epath, kpf_class_name[c], &want);
		is_long(pages[c], want, "%s: %s pages as the Perl classifier says", name,
			kpf_class_name[c]);
	}
	for (size_t i = 0; i < got; i++)
		buddy += !!(flags[i] & KPF(KPF_BUDDY));
	is_long(pages[KC_FREE], buddy, "%s: free = pages with KPF_BUDDY", name);
	free(flags);
}

/* ------------------------------------------------------------------------ */
/* The census over a whole recorded /proc.                                   */

/* Unpack dir/name.gz to tmpdir/name. */
static int gunzip_to(const char *dir, const char *name, const char *tmpdir)
{
	char in[512], out[512], buf[65536];
	gzFile g;
	FILE *o;
	int n;

	snprintf(in, sizeof(in), "%s/%s.gz", dir, name);
	snprintf(out, sizeof(out), "%s/%s", tmpdir, name);
	g = gzopen(in, "rb");
	if (!g)
		return -ENOENT;
	o = fopen(out, "wb");
	if (!o) {
		gzclose(g);
		return -EIO;
	}
	while ((n = gzread(g, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, o);
	gzclose(g);
	return fclose(o) || n < 0 ? -EIO : 0;
}

static int copy_to(const char *dir, const char *name, const char *tmpdir)
{
	char in[512], out[512], buf[65536];
	FILE *i, *o;
	size_t n;
	int rc = 0;

	snprintf(in, sizeof(in), "%s/%s", dir, name);
	snprintf(out, sizeof(out), "%s/%s", tmpdir, name);
	i = fopen(in, "rb");
	o = i ? fopen(out, "wb") : NULL;
	if (!i || !o)
		rc = -ENOENT;
	while (!rc && (n = fread(buf, 1, sizeof(buf), i)) > 0)
		if (fwrite(buf, 1, n, o) != n)
			rc = -EIO;
	if (i)
		fclose(i);
	if (o && fclose(o))
		rc = -EIO;
	return rc;
}

/* Remove the unpacked files and the directory. */
static void remove_tmp(const char *tmpdir)
{
	static const char *const files[] = {
		"zoneinfo", "buddyinfo", "pagetypeinfo", "iomem", "kpageflags",
		"kpagecount", "snapshot.txt",
	};
	char path[600];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	if (rmdir(tmpdir))
		diag("could not remove %s", tmpdir);
}

/* Sums that must hold for any census: the table adds up to the zones. */
static void check_adds_up(const struct inspect *in, const char *what)
{
	uint64_t span = 0, present = 0, table = 0, table_present = 0;
	uint64_t free_pages = 0, zone_present = 0;

	for (size_t i = 0; i < in->nr_zones; i++) {
		span += in->zone[i].z.spanned;
		zone_present += in->zone[i].z.present;
		free_pages += in->zone[i].pages[KC_FREE];
	}
	for (size_t i = 0; i < in->nr_reg; i++) {
		const struct insp_region *r = &in->reg[i];

		for (int c = 0; c < KC_NR; c++)
			table += r->pages[c];
		table_present += r->end_pfn - r->start_pfn - r->pages[KC_HOLE];
		present += r->end_pfn - r->start_pfn;
	}
	is_long(table, span, "%s: the per-GiB table covers every pfn of every zone", what);
	is_long(present, span, "%s: regions tile the zone spans", what);
	if (in->have_iomem)
		is_long(table_present, zone_present,
			"%s: its non-hole pages are the zones' present pages", what);
	diag("%s: %llu pages free in kpageflags, buddyinfo %llu before, %llu after",
	     what, (unsigned long long)free_pages, (unsigned long long)in->buddy_before,
	     (unsigned long long)in->buddy_after);
	(void)free_pages;
}

/* The replay's layout reader and the census see the same reserved pages. */
static void check_layout(const struct inspect *in, const char *dir)
{
	uint64_t reserved = 0, holes = 0, zero = 0;
	struct layout lay;
	char err[256] = "";

	for (size_t i = 0; i < in->nr_zones; i++) {
		reserved += in->zone[i].pages[KC_RESERVED];
		holes += in->zone[i].pages[KC_HOLE];
		zero += in->zone[i].pages[KC_ZERO];
	}
	if (!is_long(layout_load(&lay, dir, 9, err, sizeof(err)), 0, "layout loads (%s)", err))
		return;
	/* The shared zero page is PG_reserved too: the census calls it zero_page. */
	ok(lay.reserved_pages >= reserved && lay.reserved_pages <= reserved + zero,
	   "layout's PG_reserved pages (%llu) = the census's reserved (%llu) and "
	   "reserved zero page", (unsigned long long)lay.reserved_pages,
	   (unsigned long long)reserved);
	/* The layout adds pfn 0 (below the DMA zone) and the round-up to a pageblock. */
	ok(lay.hole_pages - reserved >= holes, "layout holes (%llu) include the census's (%llu)",
	   (unsigned long long)(lay.hole_pages - reserved), (unsigned long long)holes);
	layout_free(&lay);
}

/* The snapshot's runs rebuild the census: same pages per class, in order. */
static void check_snapshot(const struct inspect *in, const char *path)
{
	uint64_t pages[KC_NR] = { 0 }, want[KC_NR] = { 0 }, next = 0;
	unsigned long long first, count;
	char line[256], name[32];
	bool ordered = true, header;
	FILE *f = fopen(path, "r");

	if (!ok(f != NULL, "snapshot written"))
		return;
	header = fgets(line, sizeof(line), f) && !strcmp(line, "gigalloc-snapshot 1\n");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "run %llu %llu %31s", &first, &count, name) != 3)
			continue;
		if (next && first != next && first < next)
			ordered = false;
		next = first + count;
		for (int c = 0; c < KC_NR; c++)
			if (!strcmp(name, kpf_class_name[c]))
				pages[c] += count;
	}
	fclose(f);
	for (size_t i = 0; i < in->nr_zones; i++)
		for (int c = 0; c < KC_NR; c++)
			want[c] += in->zone[i].pages[c];
	ok(header, "snapshot header");
	ok(ordered, "runs in pfn order");
	ok(!memcmp(pages, want, sizeof(pages)), "runs add up to the census, class by class");
}

/* Every sample line of the textfile format: name{labels} value. */
static void check_prometheus(const struct inspect *in)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0, bad = 0, samples = 0;
	FILE *f = open_memstream(&buf, &len);

	inspect_print_prometheus(f, in);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128];
		double v;

		if (line[0] == '#')
			continue;
		samples++;
		if (sscanf(line, "%127[a-z_]{%*[^}]} %lf", name, &v) != 2 &&
		    sscanf(line, "%127[a-z_] %lf", name, &v) != 2)
			bad++;
	}
	ok(samples > in->nr_reg * KG_NR && !bad, "prometheus: %zu samples, %zu malformed",
	   samples, bad);
	free(buf);
}

/*
 * A kpageflags copy whose size is not a multiple of 8 (cut mid-entry):
 * a clear error, not a loop re-reading the partial entry forever.
 */
static void test_truncated_kpageflags(const char *tmp)
{
	struct insp_opts o = { .proc = tmp, .sys_vm = "/nonexistent" };
	static struct inspect in;
	char path[600], err[512] = "";
	struct stat st;

	snprintf(path, sizeof(path), "%s/kpageflags", tmp);
	if (!ok(!stat(path, &st) && !truncate(path, st.st_size - 3),
		"kpageflags cut 3 bytes short"))
		return;
	alarm(60);	/* the old reader looped forever here */
	is_long(inspect_run(&in, &o, err, sizeof(err)), -EILSEQ,
		"a truncated kpageflags is refused");
	alarm(0);
	ok(strstr(err, "multiple of 8"), "saying why: %s", err);
	inspect_free(&in);
}

static void test_recorded_proc(void)
{
	static const char *const text[] = { "zoneinfo", "buddyinfo", "pagetypeinfo", "iomem" };
	char dir[512], tmp[] = "/tmp/ga-proc-XXXXXX", err[512] = "", snap[600];
	struct insp_opts o = { .proc = tmp, .sys_vm = "/nonexistent", .save = snap };
	static struct inspect in;
	uint64_t free_pages = 0;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/capture-6.1/proc", data_dir());
	if (!mkdtemp(tmp)) {
		ok(0, "temporary directory");
		return;
	}
	snprintf(snap, sizeof(snap), "%s/snapshot.txt", tmp);
	for (size_t i = 0; i < 4 && !rc; i++)
		rc = copy_to(dir, text[i], tmp);
	if (!rc)
		rc = gunzip_to(dir, "kpageflags", tmp);
	if (!rc)
		rc = gunzip_to(dir, "kpagecount", tmp);
	if (ok(!rc, "recorded 6.1 guest /proc unpacked")) {
		is_long(inspect_run(&in, &o, err, sizeof(err)), 0, "census of the guest (%s)", err);
		check_adds_up(&in, "6.1 guest");
		for (size_t i = 0; i < in.nr_zones; i++)
			free_pages += in.zone[i].pages[KC_FREE];
		/* dd's own buffer and process are allocated between the two reads. */
		ok(free_pages <= in.buddy_before && free_pages + 1024 >= in.buddy_before,
		   "free pages %llu = buddyinfo read just before (%llu) less dd's own pages",
		   (unsigned long long)free_pages, (unsigned long long)in.buddy_before);
		check_layout(&in, tmp);
		check_snapshot(&in, snap);
		check_prometheus(&in);
		ok(in.nr_reg >= 3 && in.gib_after >= in.gib_now,
		   "%zu regions, %llu 1 GiB pages now, %llu after migration", in.nr_reg,
		   (unsigned long long)in.gib_now, (unsigned long long)in.gib_after);
		inspect_free(&in);
		test_truncated_kpageflags(tmp);
	}
	remove_tmp(tmp);
}

/*
 * One census of the live machine; true when its free pages lie within the
 * buddyinfo totals read just before and after the scan, plus rounding.
 */
static bool live_census_agrees(struct inspect *in, bool first)
{
	struct insp_opts o = { .proc = "/proc" };
	uint64_t free_pages = 0, lo, hi, slack;
	char err[512] = "";
	bool agree;

	if (inspect_run(in, &o, err, sizeof(err))) {
		ok(0, "census of this machine (%s)", err);
		return true;	/* reported; a retry would not help */
	}
	if (first)
		check_adds_up(in, "live");
	for (size_t i = 0; i < in->nr_zones; i++)
		free_pages += in->zone[i].pages[KC_FREE];
	lo = in->buddy_before < in->buddy_after ? in->buddy_before : in->buddy_after;
	hi = in->buddy_before ^ in->buddy_after ^ lo;
	slack = lo / 200 + 1024;	/* 0.5 % and 4 MiB of churn during the scan */
	agree = free_pages + slack >= lo && free_pages <= hi + slack;
	diag("live census: free pages %llu, /proc/buddyinfo %llu..%llu, slack %llu",
	     (unsigned long long)free_pages, (unsigned long long)lo,
	     (unsigned long long)hi, (unsigned long long)slack);
	inspect_free(in);
	return agree;
}

/*
 * Within rounding: the scan takes a while and the machine keeps running.
 * Free memory can swing and come back during one scan on a busy machine
 * (parallel compiles), which before/after totals cannot see; a census
 * that disagrees is repeated, and three in a row disagreeing fail.
 */
static void test_live(void)
{
	static struct inspect in;
	int fd = open("/proc/kpageflags", O_RDONLY), tries = 0;
	bool agree = false;

	if (fd < 0) {
		ok(1, "# skip /proc/kpageflags is not readable here (needs root on Linux)");
		return;
	}
	close(fd);
	while (!agree && tries < 3)
		agree = live_census_agrees(&in, tries++ == 0);
	ok(agree, "live free pages match /proc/buddyinfo within slack (%d census%s)",
	   tries, tries > 1 ? "es" : "");
}

static void test_not_root_message(void)
{
	struct insp_opts o = { .proc = "/nonexistent-proc" };
	static struct inspect in;
	char err[512] = "";

	is_long(inspect_run(&in, &o, err, sizeof(err)), -ENOENT,
		"no kpageflags: -ENOENT");
	ok(strstr(err, "does not exist") != NULL, "... with a clear message (%s)", err);
	inspect_free(&in);
}

/*
 * "1 GiB pages now" counts only whole regions that can be 1 GiB pages: on a
 * constructed /proc of one 2.5 GiB zone whose every page is free, region 0
 * counts; region 1 holds one PG_reserved page and does not; region 2 is the
 * zone's partial tail (512 MiB) and does not, though wholly free.
 */
static void test_whole_regions_only(void)
{
	const uint64_t rp = 1ull << 18, pages = 2 * rp + rp / 2;
	char tmp[] = "/tmp/ga-proc-whole-XXXXXX", path[600], err[512] = "";
	struct insp_opts o = { .proc = tmp, .sys_vm = "/nonexistent" };
	static struct inspect in;
	uint64_t *flags;
	FILE *f;
	int rc = 0;

	if (!ok(mkdtemp(tmp) != NULL, "temporary /proc"))
		return;
	snprintf(path, sizeof(path), "%s/zoneinfo", tmp);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "Node 0, zone   Normal\n  pages free     %llu\n"
			"        min      1024\n        low      1280\n        high     1536\n"
			"        spanned  %llu\n        present  %llu\n        managed  %llu\n"
			"  start_pfn:           0\n", (unsigned long long)pages - 1,
			(unsigned long long)pages, (unsigned long long)pages,
			(unsigned long long)pages);
		rc |= fclose(f);
	}
	snprintf(path, sizeof(path), "%s/buddyinfo", tmp);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "Node 0, zone   Normal      1      1      1      1      1      1"
			"      1      1      1      1   %llu\n",
			(unsigned long long)(pages / 1024 - 1));
		rc |= fclose(f);
	}
	flags = malloc(pages * sizeof(*flags));
	snprintf(path, sizeof(path), "%s/kpageflags", tmp);
	f = flags ? fopen(path, "wb") : NULL;
	if (f) {
		for (uint64_t i = 0; i < pages; i++)
			flags[i] = KPF(KPF_BUDDY);
		flags[rp + 4096] = KPF(KPF_RESERVED);
		rc |= fwrite(flags, sizeof(*flags), pages, f) != pages;
		rc |= fclose(f);
	}
	free(flags);
	if (ok(!rc && f, "a 2.5 GiB zone, all free but one reserved page in region 1")) {
		is_long(inspect_run(&in, &o, err, sizeof(err)), 0, "census (%s)", err);
		is_long((long)in.nr_reg, 3, "three regions, the last partial");
		if (in.nr_reg == 3)
			ok(in.reg[0].complete && in.reg[0].state == RS_FREE &&
			   in.reg[1].state == RS_TAINTED && !in.reg[2].complete &&
			   in.reg[2].state == RS_FREE,
			   "region 0 whole and free, 1 tainted by its reserved page, 2 a free tail");
		is_long((long)in.gib_now, 1, "1 GiB pages now: region 0 only");
		ok(in.gib_after >= in.gib_now && in.gib_after <= 1,
		   "after migration: no more (%llu)", (unsigned long long)in.gib_after);
		inspect_free(&in);
	}
	remove_tmp(tmp);
}

int main(void)
{
	test_precedence();
	test_excerpt("kpageflags-host-6.18-gib4");
	test_excerpt("kpageflags-host-6.18-gib5");
	test_recorded_proc();
	test_whole_regions_only();
	test_live();
	test_not_root_message();
	return done_testing();
}
