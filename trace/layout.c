// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Holes of the traced machine, streamed from its kpageflags in pfn order:
 * one pass, one buffer, consecutive hole pfns merged into ranges.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "groundtruth.h"
#include "layout.h"

#define KPF_NOPAGE_BIT		20
#define KPF_RESERVED_BIT	32
#define CHUNK			65536	/* pfns read at a time */

struct builder {
	struct layout *l;
	size_t cap, nomap_cap;
	uint64_t pb;			/* pageblock pages */
	const struct ga_pfn_range *ram;
	size_t nr_ram, ram_i;
};

static int add_hole(struct builder *b, uint64_t pfn)
{
	struct layout *l = b->l;

	l->hole_pages++;
	if (l->nr_holes && l->holes[l->nr_holes - 1].end == pfn) {
		l->holes[l->nr_holes - 1].end = pfn + 1;
		return 0;
	}
	if (l->nr_holes == b->cap) {
		struct ga_pfn_range *n;

		b->cap = b->cap ? b->cap * 2 : 64;
		n = realloc(l->holes, b->cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->holes = n;
	}
	l->holes[l->nr_holes++] = (struct ga_pfn_range){ pfn, pfn + 1 };
	return 0;
}

/* pfns come in ascending order, and so do the RAM ranges. */
static bool in_ram(struct builder *b, uint64_t pfn)
{
	while (b->ram_i < b->nr_ram && b->ram[b->ram_i].end <= pfn)
		b->ram_i++;
	return b->ram_i < b->nr_ram && b->ram[b->ram_i].start <= pfn;
}

static int add_nomap_block(struct builder *b, uint64_t pfn)
{
	struct layout *l = b->l;

	if (l->nr_nomap_blocks == b->nomap_cap) {
		uint64_t *n;

		b->nomap_cap = b->nomap_cap ? b->nomap_cap * 2 : 64;
		n = realloc(l->nomap_blocks, b->nomap_cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->nomap_blocks = n;
	}
	l->nomap_blocks[l->nr_nomap_blocks++] = pfn;
	return 0;
}

static int take(struct builder *b, uint64_t pfn, uint64_t flags)
{
	if (pfn % b->pb == 0 && (flags >> KPF_NOPAGE_BIT & 1)) {
		int rc = add_nomap_block(b, pfn);

		if (rc)
			return rc;
	}
	if (!in_ram(b, pfn) || (flags >> KPF_NOPAGE_BIT & 1))
		return add_hole(b, pfn);
	if (flags >> KPF_RESERVED_BIT & 1) {
		b->l->reserved_pages++;
		return add_hole(b, pfn);
	}
	return 0;
}

gzFile layout_open_kpageflags(const char *dir)
{
	char path[4096];
	gzFile g;

	snprintf(path, sizeof(path), "%s/kpageflags.gz", dir);
	g = gzopen(path, "rb");
	if (g)
		return g;
	snprintf(path, sizeof(path), "%s/kpageflags", dir);	/* gzopen reads plain too */
	return gzopen(path, "rb");
}

/*
 * Feed kpageflags to fn(ctx, pfn, flags) from pfn 0 until end, a chunk at
 * a time; *read is how far the file went (it may stop before end, at the
 * kernel's max_pfn). Stops at fn()'s first non-zero return.
 */
int layout_read_kpageflags(gzFile g, uint64_t end,
			   int (*fn)(void *ctx, uint64_t pfn, uint64_t flags),
			   void *ctx, uint64_t *read)
{
	uint64_t *buf = malloc(CHUNK * sizeof(*buf));
	uint64_t pfn = 0;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	while (pfn < end && !rc) {
		int n = gzread(g, buf, CHUNK * sizeof(*buf));

		if (n <= 0 || n % 8)
			break;
		for (int i = 0; i < n / 8 && pfn < end && !rc; i++, pfn++)
			rc = fn(ctx, pfn, buf[i]);
	}
	free(buf);
	*read = pfn;
	return rc;
}

static int take_layout(void *ctx, uint64_t pfn, uint64_t flags)
{
	return take(ctx, pfn, flags);
}

static int stream(struct builder *b, gzFile g, uint64_t end, char *err, size_t errlen)
{
	uint64_t pfn;
	int rc = layout_read_kpageflags(g, end, take_layout, b, &pfn);

	if (!rc && pfn < end) {
		snprintf(err, errlen, "kpageflags ends at pfn %llu, before the "
			 "zones' end %llu", (unsigned long long)pfn,
			 (unsigned long long)end);
		rc = -EIO;
	}
	return rc;
}

static int zones_end(const char *dir, uint64_t *end)
{
	struct gt_snapshot *s = calloc(1, sizeof(*s));
	char path[4096];
	FILE *f;
	int rc;

	if (!s)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/zoneinfo", dir);
	f = fopen(path, "r");
	rc = f ? gt_parse_zoneinfo(f, s) : -ENOENT;
	if (f)
		fclose(f);
	*end = 0;
	for (size_t i = 0; !rc && i < s->nr_zones; i++)
		if (s->zone[i].spanned && s->zone[i].start_pfn + s->zone[i].spanned > *end)
			*end = s->zone[i].start_pfn + s->zone[i].spanned;
	free(s);
	return rc;
}

static int read_ram(const char *dir, const char *dmesg, struct builder *b)
{
	struct ga_pfn_range *r = NULL;
	char path[4096];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/iomem", dir);
	f = fopen(path, "r");
	if (!f && dmesg) {
		f = fopen(dmesg, "r");
		if (!f)
			return -ENOENT;
		rc = gt_parse_e820(f, 12, &r, &b->nr_ram);
		fclose(f);
		b->ram = r;
		b->l->ram_from_e820 = true;
		return rc ? rc : b->nr_ram ? 0 : -EINVAL;
	}
	if (!f)
		return -ENOENT;
	rc = gt_parse_iomem(f, 12, &r, &b->nr_ram);
	fclose(f);
	b->ram = r;
	return rc ? rc : b->nr_ram ? 0 : -EINVAL;
}

int layout_load(struct layout *l, const char *dir, unsigned int pageblock_order,
		char *err, size_t errlen)
{
	return layout_load_dmesg(l, dir, NULL, pageblock_order, err, errlen);
}

int layout_load_dmesg(struct layout *l, const char *dir, const char *dmesg,
		      unsigned int pageblock_order, char *err, size_t errlen)
{
	uint64_t end, pb = 1ull << pageblock_order;
	struct builder b = { .l = l, .pb = pb };
	gzFile g;
	int rc;

	memset(l, 0, sizeof(*l));
	rc = zones_end(dir, &end);
	if (!rc)
		rc = read_ram(dir, dmesg, &b);
	g = rc ? NULL : layout_open_kpageflags(dir);
	if (rc || !g) {
		free((void *)b.ram);
		if (rc == -EINVAL)
			snprintf(err, errlen, "%s%s has no System RAM (not read as root?)",
				 l->ram_from_e820 ? dmesg : dir, l->ram_from_e820 ? "" : "/iomem");
		return rc == -EINVAL || rc == -ENOMEM ? rc : -ENOENT;
	}
	l->end_pfn = (end + pb - 1) / pb * pb;
	rc = stream(&b, g, end, err, errlen);
	for (uint64_t p = end; !rc && p < l->end_pfn; p++)	/* round up: not memory */
		rc = add_hole(&b, p);
	gzclose(g);
	free((void *)b.ram);
	if (rc)
		layout_free(l);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return rc;
}

void layout_free(struct layout *l)
{
	free(l->holes);
	l->holes = NULL;
	l->nr_holes = 0;
	free(l->nomap_blocks);
	l->nomap_blocks = NULL;
	l->nr_nomap_blocks = 0;
}
