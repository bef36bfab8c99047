// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The census: walk each zone's span one 1 GiB region at a time, read the
 * region's kpageflags (and kpagecount), classify every pfn, punch the
 * holes /proc/iomem shows, and decide what the region could become.
 * One region's flags are in memory at a time (2 MiB), whatever the size of
 * the machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "inspect.h"
#include "metrics.h"

const char *const insp_state_name[RS_NR] = {
	[RS_FREE] = "free",
	[RS_CLEAN] = "clean",
	[RS_TAINTED] = "tainted",
	[RS_UNMANAGED] = "unmanaged",
	[RS_NOMEM] = "no-memory",
};

struct scan {
	struct inspect *in;
	int flags_fd, count_fd;
	struct ga_pfn_range *ram;
	size_t nr_ram;
	uint64_t *flags, *counts;
	uint8_t *cls;
	FILE *save;
	char *err;
	size_t errlen;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

uint64_t insp_group_pages(const uint64_t pages[KC_NR], enum kpf_group g)
{
	uint64_t n = 0;

	for (int c = 0; c < KC_NR; c++)
		if (kpf_group_of((enum kpf_class)c) == g)
			n += pages[c];
	return n;
}

void inspect_count(const uint64_t *flags, size_t n, enum kpf_class *head,
		   uint64_t pages[KC_NR])
{
	for (size_t i = 0; i < n; i++) {
		enum kpf_class c = kpf_classify(flags[i], *head);

		if (flags[i] & KPF(KPF_COMPOUND_HEAD))
			*head = c;
		pages[c]++;
	}
}

/* ------------------------------------------------------------------------ */
/* Inputs.                                                                   */

static FILE *open_in(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fopen(path, "r");
}

static int parse_file(const char *dir, const char *name,
		      int (*p)(FILE *, struct gt_snapshot *),
		      struct gt_snapshot *s, bool required, char *err, size_t errlen)
{
	FILE *f = open_in(dir, name);
	int rc;

	if (!f) {
		if (!required)
			return 0;
		snprintf(err, errlen, "cannot read %s/%s", dir, name);
		return -ENOENT;
	}
	rc = p(f, s);
	fclose(f);
	if (rc)
		snprintf(err, errlen, "%s/%s: not in the kernel's format", dir, name);
	return rc ? -EINVAL : 0;
}

/* The RAM ranges: pfns of a zone span outside them are holes. */
static int read_iomem(struct scan *sc, const char *dir)
{
	FILE *f = open_in(dir, "iomem");
	int err;

	if (!f)
		return 0;
	err = gt_parse_iomem(f, sc->in->page_shift, &sc->ram, &sc->nr_ram);
	fclose(f);
	sc->in->have_iomem = sc->nr_ram > 0;
	return err;
}

static bool read_bool_file(const char *dir, const char *name, bool dflt)
{
	FILE *f = open_in(dir, name);
	int v;

	if (!f)
		return dflt;
	if (fscanf(f, "%d", &v) != 1)
		v = dflt;
	fclose(f);
	return v != 0;
}

/*
 * pread all of [pfn, pfn + n) as 8-byte entries; past the end reads fill.
 * A file that ends inside an entry (a truncated copy) is -EILSEQ: reads
 * count bytes, so a short read of part of an entry cannot loop forever.
 */
static int read_entries(int fd, uint64_t pfn, size_t n, uint64_t *buf,
			uint64_t fill)
{
	size_t bytes = 0, got;

	if (pfn > (uint64_t)INT64_MAX / 8 - n)
		return -EOVERFLOW;
	while (bytes < n * 8) {
		ssize_t r = pread(fd, (char *)buf + bytes, n * 8 - bytes,
				  (off_t)(pfn * 8 + bytes));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		bytes += (size_t)r;
	}
	if (bytes % 8)
		return -EILSEQ;
	for (got = bytes / 8; got < n; got++)
		buf[got] = fill;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* One region.                                                               */

/* Pfns of [s, e) that no System RAM range covers are holes. */
static void punch_holes(struct scan *sc, uint64_t s, uint64_t e)
{
	uint64_t p = s;

	if (!sc->in->have_iomem)
		return;
	for (size_t i = 0; i < sc->nr_ram && p < e; i++) {
		const struct ga_pfn_range *r = &sc->ram[i];

		if (r->end <= p || r->start >= e)
			continue;
		for (; p < r->start; p++)
			sc->cls[p - s] = KC_HOLE;
		p = r->end > p ? r->end : p;
	}
	for (; p < e; p++)
		sc->cls[p - s] = KC_HOLE;
}

static int scan_flags(struct scan *sc, struct insp_region *r)
{
	size_t n = (size_t)(r->end_pfn - r->start_pfn);
	enum kpf_class head = KC_NR;
	int err = read_entries(sc->flags_fd, r->start_pfn, n, sc->flags,
			       KPF(KPF_NOPAGE));

	if (err == -EILSEQ) {
		snprintf(sc->err, sc->errlen, "reading kpageflags: the file ends inside "
			 "an 8-byte entry (its size is not a multiple of 8: truncated?)");
		return err;
	}
	if (err) {
		snprintf(sc->err, sc->errlen, "reading kpageflags: %s", strerror(-err));
		return err;
	}
	if (sc->count_fd >= 0 &&
	    !read_entries(sc->count_fd, r->start_pfn, n, sc->counts, 0))
		for (size_t i = 0; i < n; i++)
			r->mapped += sc->counts[i] > 0;
	for (size_t i = 0; i < n; i++) {
		enum kpf_class c = kpf_classify(sc->flags[i], head);

		if (sc->flags[i] & KPF(KPF_COMPOUND_HEAD))
			head = c;
		sc->cls[i] = (uint8_t)c;
	}
	punch_holes(sc, r->start_pfn, r->end_pfn);
	for (size_t i = 0; i < n; i++)
		r->pages[sc->cls[i]]++;
	return 0;
}

/*
 * With deferred struct page init (or memory the firmware keeps), present
 * pages the allocator does not manage show no flag at all. A region where
 * no page has any flag, in a zone with that much unmanaged memory left, is
 * counted as unmanaged rather than as unflagged kernel memory.
 */
static void decide_unmanaged(struct insp_region *r, uint64_t *budget)
{
	uint64_t present = r->end_pfn - r->start_pfn - r->pages[KC_HOLE];

	if (!present || r->pages[KC_UNFLAGGED] != present || *budget < present)
		return;
	r->pages[KC_UNMANAGED] = present;
	r->pages[KC_UNFLAGGED] = 0;
	*budget -= present;
	r->state = RS_UNMANAGED;
}

static void decide_state(struct insp_region *r, uint64_t region_pages)
{
	uint64_t present = r->end_pfn - r->start_pfn - r->pages[KC_HOLE];

	r->complete = r->end_pfn - r->start_pfn == region_pages && !r->pages[KC_HOLE];
	if (r->state == RS_UNMANAGED)
		return;
	if (!present)
		r->state = RS_NOMEM;
	else if (r->pages[KC_FREE] == present)
		r->state = RS_FREE;
	else if (insp_group_pages(r->pages, KG_UNMOVABLE))
		r->state = RS_TAINTED;
	else
		r->state = RS_CLEAN;
}

/* Snapshot runs: "run <first pfn> <count> <class>" (docs/INSPECT.md). */
static void save_runs(struct scan *sc, const struct insp_region *r)
{
	size_t n = (size_t)(r->end_pfn - r->start_pfn), i = 0;

	if (!sc->save)
		return;
	while (i < n) {
		size_t j = i + 1;
		unsigned int c = r->state == RS_UNMANAGED && sc->cls[i] == KC_UNFLAGGED ?
				 KC_UNMANAGED : sc->cls[i];

		while (j < n && sc->cls[j] == sc->cls[i])
			j++;
		fprintf(sc->save, "run %llu %zu %s\n",
			(unsigned long long)(r->start_pfn + i), j - i, kpf_class_name[c]);
		i = j;
	}
}

/* ------------------------------------------------------------------------ */
/* Zones.                                                                    */

static int add_region(struct inspect *in, size_t *cap)
{
	struct insp_region *n;

	if (in->nr_reg < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 64;
	n = realloc(in->reg, *cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	in->reg = n;
	return 0;
}

static int scan_zone(struct scan *sc, size_t zi, size_t *cap)
{
	struct inspect *in = sc->in;
	struct insp_zone *z = &in->zone[zi];
	uint64_t rp = 1ull << in->region_order, start = z->z.start_pfn;
	uint64_t end = start + z->z.spanned;
	uint64_t budget = z->z.present > z->z.managed ? z->z.present - z->z.managed : 0;
	int err;

	z->first_region = in->nr_reg;
	for (uint64_t s = start; s < end; s = (s | (rp - 1)) + 1) {
		struct insp_region *r;

		err = add_region(in, cap);
		if (err)
			return err;
		r = &in->reg[in->nr_reg];
		memset(r, 0, sizeof(*r));
		r->zone = zi;
		r->index = s >> in->region_order;
		r->start_pfn = s;
		r->end_pfn = ((s | (rp - 1)) + 1) < end ? (s | (rp - 1)) + 1 : end;
		err = scan_flags(sc, r);
		if (err)
			return err;
		decide_unmanaged(r, &budget);
		decide_state(r, rp);
		save_runs(sc, r);
		for (int c = 0; c < KC_NR; c++)
			z->pages[c] += r->pages[c];
		in->nr_reg++;
	}
	z->nr_regions = in->nr_reg - z->first_region;
	return 0;
}

/* 1 GiB pages now, and after migrating clean regions (sim's estimate). */
static int gib_estimate(struct inspect *in, struct insp_zone *z)
{
	uint64_t *cost = calloc(z->nr_regions + 1, sizeof(*cost));
	uint64_t *free_in = calloc(z->nr_regions + 1, sizeof(*free_in));
	uint64_t free_elsewhere = 0;
	size_t n = 0;

	if (!cost || !free_in) {
		free(cost);
		free(free_in);
		return -ENOMEM;
	}
	for (size_t i = 0; i < z->nr_regions; i++) {
		const struct insp_region *r = &in->reg[z->first_region + i];
		uint64_t move = insp_group_pages(r->pages, KG_MOVABLE) +
				r->pages[KC_UNEVICTABLE];

		if (r->complete && r->state == RS_FREE) {
			z->gib_now++;
			continue;
		}
		free_elsewhere += r->pages[KC_FREE];
		if (!r->complete || r->state != RS_CLEAN ||
		    (r->pages[KC_UNEVICTABLE] && !in->unevictable_movable))
			continue;
		cost[n] = move;
		free_in[n++] = r->pages[KC_FREE];
	}
	z->gib_after = z->gib_now + sim_greedy_obtainable(cost, free_in, n,
							  free_elsewhere, z->z.wmark_min);
	free(cost);
	free(free_in);
	return 0;
}

static void save_header(struct scan *sc)
{
	struct inspect *in = sc->in;

	if (!sc->save)
		return;
	fprintf(sc->save, "gigalloc-snapshot 1\npage_shift %u\nregion_order %u\n",
		in->page_shift, in->region_order);
	if (in->snap.pageblock_order)
		fprintf(sc->save, "pageblock_order %u\n", in->snap.pageblock_order);
	for (int c = 0; c < KC_NR; c++)
		fprintf(sc->save, "class %s %s\n", kpf_class_name[c],
			kpf_group_name[kpf_group_of((enum kpf_class)c)]);
	for (size_t i = 0; i < in->nr_zones; i++) {
		const struct gt_zone *z = &in->zone[i].z;

		fprintf(sc->save, "zone %d %s %llu %llu %llu %llu\n", z->node, z->name,
			(unsigned long long)z->start_pfn,
			(unsigned long long)(z->start_pfn + z->spanned),
			(unsigned long long)z->present, (unsigned long long)z->managed);
	}
}

/* ------------------------------------------------------------------------ */

static int open_sources(struct scan *sc, const struct insp_opts *o)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/kpageflags", o->proc);
	sc->flags_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (sc->flags_fd < 0) {
		int e = errno;

		if (e == EACCES || e == EPERM)
			snprintf(sc->err, sc->errlen, "%s: permission denied: gigalloc "
				 "inspect reads physical page flags and must run as root", path);
		else if (e == ENOENT)
			snprintf(sc->err, sc->errlen, "%s does not exist: gigalloc inspect "
				 "needs Linux with CONFIG_PROC_PAGE_MONITOR", path);
		else
			snprintf(sc->err, sc->errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	snprintf(path, sizeof(path), "%s/kpagecount", o->proc);
	sc->count_fd = open(path, O_RDONLY | O_CLOEXEC);
	sc->in->have_kpagecount = sc->count_fd >= 0;
	return 0;
}

static int read_text_sources(struct scan *sc, const struct insp_opts *o)
{
	struct inspect *in = sc->in;
	struct gt_snapshot *s = &in->snap;
	int err;

	err = parse_file(o->proc, "zoneinfo", gt_parse_zoneinfo, s, true, sc->err, sc->errlen);
	if (!err)
		err = parse_file(o->proc, "buddyinfo", gt_parse_buddyinfo, s, true,
				 sc->err, sc->errlen);
	if (!err)
		err = parse_file(o->proc, "pagetypeinfo", gt_parse_pagetypeinfo, s, false,
				 sc->err, sc->errlen);
	if (err)
		return err;
	in->have_pagetypeinfo = s->have_pagetypeinfo;
	in->buddy_before = s->buddy_free_pages;
	for (size_t i = 0; i < s->nr_zones; i++)
		if (s->zone[i].spanned)
			in->zone[in->nr_zones++].z = s->zone[i];
	in->unevictable_movable = read_bool_file(o->sys_vm ? o->sys_vm : o->proc,
						 o->sys_vm ? "compact_unevictable_allowed" :
						 "sys/vm/compact_unevictable_allowed", true);
	return read_iomem(sc, o->proc);
}

static int scan_all(struct scan *sc)
{
	struct inspect *in = sc->in;
	size_t n = (size_t)1 << in->region_order, cap = 0;
	int err = 0;

	sc->flags = malloc(n * sizeof(*sc->flags));
	sc->counts = malloc(n * sizeof(*sc->counts));
	sc->cls = malloc(n);
	if (!sc->flags || !sc->counts || !sc->cls)
		return -ENOMEM;
	save_header(sc);
	for (size_t i = 0; i < in->nr_zones && !err; i++)
		err = scan_zone(sc, i, &cap);
	for (size_t i = 0; i < in->nr_zones && !err; i++) {
		err = gib_estimate(in, &in->zone[i]);
		in->gib_now += in->zone[i].gib_now;
		in->gib_after += in->zone[i].gib_after;
	}
	return err;
}

/* buddyinfo again after the scan: the free total moved meanwhile. */
static void reread_buddyinfo(struct inspect *in, const char *proc)
{
	struct gt_snapshot s;
	FILE *f = open_in(proc, "buddyinfo");

	in->buddy_after = in->buddy_before;
	if (!f)
		return;
	if (!gt_parse_buddyinfo(f, &s))
		in->buddy_after = s.buddy_free_pages;
	fclose(f);
}

int inspect_run(struct inspect *in, const struct insp_opts *o, char *err,
		size_t errlen)
{
	struct scan sc = { .in = in, .flags_fd = -1, .count_fd = -1, .err = err,
			   .errlen = errlen };
	long ps = sysconf(_SC_PAGESIZE);
	double t0;
	int rc;

	memset(in, 0, sizeof(*in));
	in->page_shift = ps > 0 ? (unsigned int)__builtin_ctzl((unsigned long)ps) : 12;
	in->region_order = 30 - in->page_shift;
	rc = open_sources(&sc, o);
	if (!rc)
		rc = read_text_sources(&sc, o);
	if (!rc && o->save && !(sc.save = fopen(o->save, "w"))) {
		rc = -errno;
		snprintf(err, errlen, "cannot write %s: %s", o->save, strerror(errno));
	}
	t0 = now_s();
	if (!rc)
		rc = scan_all(&sc);
	in->scan_s = now_s() - t0;
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	reread_buddyinfo(in, o->proc);
	if (sc.save && fclose(sc.save) && !rc) {
		rc = -EIO;
		snprintf(err, errlen, "writing %s failed", o->save);
	}
	if (sc.flags_fd >= 0)
		close(sc.flags_fd);
	if (sc.count_fd >= 0)
		close(sc.count_fd);
	free(sc.flags);
	free(sc.counts);
	free(sc.cls);
	free(sc.ram);
	if (rc)		/* nothing to report: the caller frees nothing */
		inspect_free(in);
	return rc;
}

void inspect_free(struct inspect *in)
{
	free(in->reg);
	in->reg = NULL;
	in->nr_reg = 0;
}
