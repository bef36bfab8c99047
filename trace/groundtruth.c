// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Readers of the kernel's /proc text formats (mm/vmstat.c) as a capture
 * saved them. Each reader accepts what the kernels we model print (v6.1
 * has no CMA column without CONFIG_CMA; names, not positions, identify
 * columns) and rejects lines it does not understand.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groundtruth.h"

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int mt_by_name(const char *name)
{
	for (int mt = 0; mt < GA_MT_TYPES; mt++)
		if (!strcmp(ga_migratetype_name(mt), name))
			return mt;
	return -1;
}

/* "Node 0, zone   Normal" then the rest; *rest after the zone name. */
static bool zone_line_node(char *line, int *node, char *name, size_t len,
			   char **rest)
{
	char zname[32];
	int n = 0;

	if (sscanf(line, "Node %d, zone %31s%n", node, zname, &n) != 2)
		return false;
	zname[strcspn(zname, ",")] = '\0';
	snprintf(name, len, "%s", zname);
	*rest = line + n;
	if (**rest == ',')
		(*rest)++;
	return true;
}

static bool zone_line(char *line, char *name, size_t len, char **rest)
{
	int node;

	return zone_line_node(line, &node, name, len, rest);
}

/* ------------------------------------------------------------------------ */
/* /proc/pagetypeinfo: "Page block order" and "Number of blocks type".       */

static int blocks_header(char *line, int cols[GA_MT_TYPES + 2], int *ncols)
{
	char *tok, *save = NULL;

	*ncols = 0;
	for (tok = strtok_r(line + strlen("Number of blocks type"), " \t\n", &save);
	     tok; tok = strtok_r(NULL, " \t\n", &save)) {
		int mt = mt_by_name(tok);

		if (mt < 0 || *ncols >= GA_MT_TYPES)
			return -EINVAL;
		cols[(*ncols)++] = mt;
	}
	return *ncols ? 0 : -EINVAL;
}

/* The per-zone entry named zname, added if new; NULL when full. */
static size_t block_zone(struct gt_snapshot *s, const char *zname)
{
	for (size_t z = 0; z < s->nr_block_zones; z++)
		if (!strncmp(s->block_zone[z].name, zname, sizeof(s->block_zone[z].name) - 1))
			return z;
	if (s->nr_block_zones == GT_MAX_ZONES)
		return GT_MAX_ZONES;
	snprintf(s->block_zone[s->nr_block_zones].name,
		 sizeof(s->block_zone[0].name), "%.15s", zname);
	return s->nr_block_zones++;
}

/* "Node 0, zone DMA32, type Unmovable  1 0 5 ...": the free counts per
 * order; what lies at orders >= pageblock_order is wholly free blocks. */
static int free_row(char *line, struct gt_snapshot *s)
{
	char zname[32], tname[32], *rest, *end;
	size_t z;
	int mt, n = 0;

	if (!zone_line(line, zname, sizeof(zname), &rest))
		return -EINVAL;
	if (sscanf(rest, " type %31s%n", tname, &n) != 1)
		return -EINVAL;
	mt = mt_by_name(tname);
	rest += n;
	z = block_zone(s, zname);
	for (unsigned int order = 0; *trim(rest); order++) {
		unsigned long v = strtoul(rest, &end, 10);

		if (end == rest || order > GA_MAX_ORDER_LIMIT)
			return -EINVAL;
		if (z < GT_MAX_ZONES)
			s->block_zone[z].free[order] += v;
		if (mt >= 0 && z < GT_MAX_ZONES && s->pageblock_order &&
		    order == s->pageblock_order)
			s->block_zone[z].free_single[mt] += v;
		else if (mt >= 0 && z < GT_MAX_ZONES && s->pageblock_order &&
			 order > s->pageblock_order)
			s->block_zone[z].free_pairs[mt] += v << (order - s->pageblock_order - 1);
		rest = end;
	}
	return 0;
}

static int blocks_row(char *line, struct gt_snapshot *s, const int *cols, int ncols)
{
	char zname[32], *rest, *end;
	unsigned long *zb = NULL;
	size_t z;

	if (!zone_line(line, zname, sizeof(zname), &rest))
		return -EINVAL;
	z = block_zone(s, zname);
	if (z < GT_MAX_ZONES)
		zb = s->block_zone[z].blocks;
	for (int c = 0; c < ncols; c++) {
		unsigned long v = strtoul(rest, &end, 10);

		if (end == rest)
			return -EINVAL;
		if (zb)
			zb[cols[c]] += v;
		s->blocks[cols[c]] += v;
		s->blocks_total += v;
		rest = end;
	}
	return *trim(rest) ? -EINVAL : 0;
}

int gt_parse_pagetypeinfo(FILE *f, struct gt_snapshot *s)
{
	int cols[GA_MT_TYPES + 2], ncols = 0;
	bool in_blocks = false, seen = false;
	char line[1024];

	memset(s->blocks, 0, sizeof(s->blocks));
	memset(s->block_zone, 0, sizeof(s->block_zone));
	s->nr_block_zones = 0;
	s->blocks_total = 0;
	while (fgets(line, sizeof(line), f)) {
		char *t = trim(line);

		if (sscanf(t, "Page block order: %u", &s->pageblock_order) == 1)
			continue;
		if (!strncmp(t, "Number of blocks type", 21)) {
			if (blocks_header(t, cols, &ncols))
				return -EINVAL;
			in_blocks = seen = true;
			continue;
		}
		if (!in_blocks) {
			if (!strncmp(t, "Node", 4) && strstr(t, ", type") && free_row(t, s))
				return -EINVAL;
			continue;
		}
		if (!*t || strncmp(t, "Node", 4)) {
			in_blocks = false;	/* the mixed-blocks section may follow */
			continue;
		}
		if (blocks_row(t, s, cols, ncols))
			return -EINVAL;
	}
	s->have_pagetypeinfo = seen;
	return seen ? 0 : -EINVAL;
}

/* ------------------------------------------------------------------------ */
/* /proc/buddyinfo                                                           */

int gt_parse_buddyinfo(FILE *f, struct gt_snapshot *s)
{
	char line[1024], zname[32], *rest, *end;
	bool seen = false;

	s->buddy_free_pages = 0;
	memset(s->buddy_free, 0, sizeof(s->buddy_free));
	while (fgets(line, sizeof(line), f)) {
		if (!*trim(line))
			continue;
		if (!zone_line(trim(line), zname, sizeof(zname), &rest))
			return -EINVAL;
		for (unsigned int order = 0; *trim(rest); order++) {
			unsigned long v = strtoul(rest, &end, 10);

			if (end == rest || order > GA_MAX_ORDER_LIMIT)
				return -EINVAL;
			s->buddy_free_pages += (uint64_t)v << order;
			s->buddy_free[order] += v;
			rest = end;
		}
		seen = true;
	}
	s->have_buddyinfo = seen;
	return seen ? 0 : -EINVAL;
}

/* ------------------------------------------------------------------------ */
/* /proc/zoneinfo                                                            */

/* "protection: (0, 1920, 1920, 1920, 1920)" */
static void zone_protection(struct gt_zone *z, const char *t)
{
	const char *p = strchr(t, '(');
	char *end;

	z->nr_protection = 0;
	while (p && *p && *p != ')' && z->nr_protection < 8) {
		unsigned long long v = strtoull(p + 1, &end, 10);

		if (end == p + 1)
			break;
		z->protection[z->nr_protection++] = v;
		p = end;
	}
}

static void zone_field(struct gt_zone *z, const char *t)
{
	unsigned long long v;

	if (!strncmp(t, "protection:", 11))
		zone_protection(z, t);
	else if (sscanf(t, "pages free %llu", &v) == 1)
		z->free = v;
	else if (sscanf(t, "spanned %llu", &v) == 1)
		z->spanned = v;
	else if (sscanf(t, "present %llu", &v) == 1)
		z->present = v;
	else if (sscanf(t, "managed %llu", &v) == 1)
		z->managed = v;
	else if (sscanf(t, "min %llu", &v) == 1)
		z->wmark_min = v;
	else if (sscanf(t, "low %llu", &v) == 1)
		z->wmark_low = v;
	else if (sscanf(t, "high %llu", &v) == 1)
		z->wmark_high = v;
	else if (sscanf(t, "start_pfn: %llu", &v) == 1)
		z->start_pfn = v;
	else if (sscanf(t, "count: %llu", &v) == 1)
		z->pcp_count += v;
}

int gt_parse_zoneinfo(FILE *f, struct gt_snapshot *s)
{
	struct gt_zone *z = NULL;
	char line[1024], zname[16], *rest;
	int node;

	s->nr_zones = 0;
	while (fgets(line, sizeof(line), f)) {
		char *t = trim(line);

		if (zone_line_node(t, &node, zname, sizeof(zname), &rest)) {
			if (s->nr_zones == GT_MAX_ZONES)
				return -E2BIG;
			z = &s->zone[s->nr_zones++];
			memset(z, 0, sizeof(*z));
			z->node = node;
			snprintf(z->name, sizeof(z->name), "%s", zname);
			continue;
		}
		if (z)
			zone_field(z, t);
	}
	s->have_zoneinfo = s->nr_zones > 0;
	return s->have_zoneinfo ? 0 : -EINVAL;
}

/* ------------------------------------------------------------------------ */
/* /proc/vmstat                                                              */

int gt_parse_vmstat(FILE *f, struct gt_vmstat *v)
{
	char line[256], name[48];
	unsigned long long x;

	v->nr = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!*trim(line))
			continue;
		if (sscanf(line, "%47s %llu", name, &x) != 2)
			return -EINVAL;
		if (v->nr == GT_MAX_VMSTAT)
			return -E2BIG;
		memcpy(v->item[v->nr].name, name, sizeof(name));
		v->item[v->nr++].value = x;
	}
	return v->nr ? 0 : -EINVAL;
}

static int range_cmp(const void *a, const void *b)
{
	const struct ga_pfn_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int gt_parse_iomem(FILE *f, unsigned int page_shift, struct ga_pfn_range **ranges,
		   size_t *nr)
{
	struct ga_pfn_range *r = NULL;
	size_t cap = 0, n = 0;
	char line[256];

	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		char name[64];

		if (line[0] == ' ' ||
		    sscanf(line, "%llx-%llx : %63[^\n]", &a, &b, name) != 3 ||
		    strcmp(name, "System RAM") || (!a && !b))
			continue;
		if (n == cap) {
			struct ga_pfn_range *g;

			cap = cap ? cap * 2 : 16;
			g = realloc(r, cap * sizeof(*g));
			if (!g) {
				free(r);
				return -ENOMEM;
			}
			r = g;
		}
		r[n++] = (struct ga_pfn_range){ (a + (1ull << page_shift) - 1) >> page_shift,
						(b + 1) >> page_shift };
		/* Inverted, wrapping or holding no whole page: no RAM to use. */
		if (b < a || b == ~0ull || r[n - 1].start >= r[n - 1].end)
			n--;
	}
	/* Ascending whatever the file says, as the callers walk them. */
	if (n > 1)
		qsort(r, n, sizeof(*r), range_cmp);
	*ranges = r;
	*nr = n;
	return 0;
}

/* "[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007ffd0fff] usable" */
int gt_parse_e820(FILE *f, unsigned int page_shift, struct ga_pfn_range **ranges,
		  size_t *nr)
{
	struct ga_pfn_range *r = NULL;
	size_t cap = 0, n = 0;
	char line[512];

	while (fgets(line, sizeof(line), f)) {
		const char *k = strstr(line, "BIOS-e820: [mem ");
		unsigned long long a, b;
		char kind[32];

		if (!k || sscanf(k + 16, "%llx-%llx] %31s", &a, &b, kind) != 3 ||
		    strcmp(kind, "usable") || b < a)
			continue;
		if (n == cap) {
			struct ga_pfn_range *g;

			cap = cap ? cap * 2 : 16;
			g = realloc(r, cap * sizeof(*g));
			if (!g) {
				free(r);
				return -ENOMEM;
			}
			r = g;
		}
		r[n++] = (struct ga_pfn_range){ (a + (1ull << page_shift) - 1) >> page_shift,
						(b + 1) >> page_shift };
	}
	*ranges = r;
	*nr = n;
	return 0;
}

uint64_t gt_vmstat_get(const struct gt_vmstat *v, const char *name, bool *found)
{
	for (size_t i = 0; i < v->nr; i++)
		if (!strcmp(v->item[i].name, name)) {
			if (found)
				*found = true;
			return v->item[i].value;
		}
	if (found)
		*found = false;
	return 0;
}

uint64_t gt_managed_pages(const struct gt_snapshot *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->nr_zones; i++)
		n += s->zone[i].managed;
	return n;
}

uint64_t gt_free_pages(const struct gt_snapshot *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->nr_zones; i++)
		n += s->zone[i].free;
	return n;
}

void gt_used_by_mobility(const struct gt_snapshot *s, uint64_t used[GA_MT_PCPTYPES])
{
	static const char *const lru[] = {
		"nr_inactive_anon", "nr_active_anon", "nr_inactive_file",
		"nr_active_file", "nr_unevictable",
	};
	uint64_t managed = gt_managed_pages(s), freep = gt_free_pages(s);
	uint64_t total = managed > freep ? managed - freep : 0, mov = 0, rec;

	for (size_t i = 0; i < sizeof(lru) / sizeof(lru[0]); i++)
		mov += gt_vmstat_get(&s->vm, lru[i], NULL);
	rec = gt_vmstat_get(&s->vm, "nr_slab_reclaimable", NULL);
	if (mov > total)
		mov = total;
	if (rec > total - mov)
		rec = total - mov;
	used[GA_MT_MOVABLE] = mov;
	used[GA_MT_RECLAIMABLE] = rec;
	used[GA_MT_UNMOVABLE] = total - mov - rec;
}

/* ------------------------------------------------------------------------ */
/* The capture directory.                                                    */

typedef int (*gt_parser)(FILE *f, struct gt_snapshot *s);

static int vmstat_parser(FILE *f, struct gt_snapshot *s)
{
	int err = gt_parse_vmstat(f, &s->vm);

	s->have_vmstat = !err;
	return err;
}

/* Parse dir/name if it exists: 0 (also when absent) or -EINVAL. */
static int load_one(const char *dir, const char *name, gt_parser p,
		    struct gt_snapshot *s, char *err, size_t errlen)
{
	char path[4096];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	rc = p(f, s);
	fclose(f);
	if (rc)
		snprintf(err, errlen, "%s: not in the kernel's format", path);
	return rc ? -EINVAL : 0;
}

static void load_meta(struct ground_truth *gt, const char *dir)
{
	char path[4096], line[512];
	unsigned long long v;
	FILE *f;

	snprintf(path, sizeof(path), "%s/meta.txt", dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *t = trim(line);

		if (!strncmp(t, "kernel ", 7))
			snprintf(gt->kernel, sizeof(gt->kernel), "%s", t + 7);
		else if (!strncmp(t, "workload ", 9))
			snprintf(gt->workload, sizeof(gt->workload), "%s", t + 9);
		else if (sscanf(t, "cpus %llu", &v) == 1)
			gt->cpus = (unsigned int)v;
		else if (sscanf(t, "memtotal_kb %llu", &v) == 1)
			gt->memtotal_kb = v;
		else if (sscanf(t, "duration_s %llu", &v) == 1)
			gt->duration_s = (double)v;
	}
	fclose(f);
}

/* "1048576kB try 2 requested 2 got 0" */
static void load_hugepages(struct ground_truth *gt, const char *dir)
{
	char path[4096], line[256];
	unsigned long kb, req, got;
	unsigned int try;
	FILE *f;

	snprintf(path, sizeof(path), "%s/hugepages.txt", dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lukB try %u requested %lu got %lu", &kb, &try,
			   &req, &got) != 4)
			continue;
		gt->hp.have = true;
		if (kb == 1048576) {
			gt->hp.gib_requested = req;
			gt->hp.gib_got = got;
			if (try == 1)
				gt->hp.gib_first_got = got;
		} else if (kb == 2048) {
			gt->hp.hp2m_requested = req;
			gt->hp.hp2m_got = got;
			if (try == 1)
				gt->hp.hp2m_first_got = got;
		}
	}
	fclose(f);
}

static void load_ftrace_stats(struct ground_truth *gt, const char *dir)
{
	char path[4096], line[256];
	unsigned long long v;
	FILE *f;

	snprintf(path, sizeof(path), "%s/ftrace-stats.txt", dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "dropped events: %llu", &v) == 1)
			gt->ftrace_dropped += v;
		else if (sscanf(line, "overrun: %llu", &v) == 1)
			gt->ftrace_overrun += v;
	}
	fclose(f);
}

/* One snapshot directory with the /proc names. */
static int load_snapshot_dir(struct gt_snapshot *s, const char *dir, char *err, size_t errlen)
{
	static const struct { const char *name; gt_parser p; } files[] = {
		{ "pagetypeinfo", gt_parse_pagetypeinfo },
		{ "buddyinfo", gt_parse_buddyinfo },
		{ "zoneinfo", gt_parse_zoneinfo },
		{ "vmstat", vmstat_parser },
	};
	int rc = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && !rc; i++)
		rc = load_one(dir, files[i].name, files[i].p, s, err, errlen);
	return rc;
}

int gt_load_dirs(struct ground_truth *gt, const char *meta_dir, const char *before,
		 const char *after, char *err, size_t errlen)
{
	int rc = 0;

	memset(gt, 0, sizeof(*gt));
	if (before)
		rc = load_snapshot_dir(&gt->before, before, err, errlen);
	if (!rc && after)
		rc = load_snapshot_dir(&gt->after, after, err, errlen);
	if (rc)
		return rc;
	if (meta_dir) {
		load_meta(gt, meta_dir);
		load_hugepages(gt, meta_dir);
		load_ftrace_stats(gt, meta_dir);
	}
	gt->present = gt->before.have_zoneinfo || gt->after.have_pagetypeinfo;
	return 0;
}

int gt_load(struct ground_truth *gt, const char *dir, char *err, size_t errlen)
{
	static const struct { const char *base; gt_parser p; } files[] = {
		{ "pagetypeinfo", gt_parse_pagetypeinfo },
		{ "buddyinfo", gt_parse_buddyinfo },
		{ "zoneinfo", gt_parse_zoneinfo },
		{ "vmstat", vmstat_parser },
	};
	char name[64];
	int rc = 0;

	memset(gt, 0, sizeof(*gt));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && !rc; i++) {
		snprintf(name, sizeof(name), "%s.before", files[i].base);
		rc = load_one(dir, name, files[i].p, &gt->before, err, errlen);
		snprintf(name, sizeof(name), "%s.after", files[i].base);
		if (!rc)
			rc = load_one(dir, name, files[i].p, &gt->after, err, errlen);
	}
	if (rc)
		return rc;
	load_meta(gt, dir);
	load_hugepages(gt, dir);
	load_ftrace_stats(gt, dir);
	gt->present = gt->before.have_zoneinfo || gt->after.have_pagetypeinfo;
	return 0;
}
