// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The pages in use when tracing began, streamed from the "before"
 * kpageflags in pfn order, and the pageblock labels placed to match the
 * snapshot's per-zone counts. See startstate.h for what is inferred.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "layout.h"
#include "startstate.h"

#define KPF_LRU_BIT		5
#define KPF_SLAB_BIT		7
#define KPF_BUDDY_BIT		10
#define KPF_MMAP_BIT		11
#define KPF_ANON_BIT		12
#define KPF_SWAPCACHE_BIT	13
#define KPF_SWAPBACKED_BIT	14
#define KPF_HEAD_BIT		15
#define KPF_TAIL_BIT		16
#define KPF_HUGE_BIT		17
#define KPF_UNEVICTABLE_BIT	18
#define KPF_HWPOISON_BIT	19
#define KPF_NOPAGE_BIT		20
#define KPF_KSM_BIT		21
#define KPF_THP_BIT		22
#define KPF_OFFLINE_BIT		23
#define KPF_PGTABLE_BIT		26
#define KPF_RESERVED_BIT	32
#define BIT(b)			(1ull << (b))

#define MOVABLE_FLAGS	(BIT(KPF_LRU_BIT) | BIT(KPF_MMAP_BIT) | BIT(KPF_ANON_BIT) | \
			 BIT(KPF_SWAPCACHE_BIT) | BIT(KPF_SWAPBACKED_BIT) | \
			 BIT(KPF_HUGE_BIT) | BIT(KPF_UNEVICTABLE_BIT) | \
			 BIT(KPF_KSM_BIT) | BIT(KPF_THP_BIT))
#define HOLE_FLAGS	(BIT(KPF_NOPAGE_BIT) | BIT(KPF_RESERVED_BIT) | \
			 BIT(KPF_OFFLINE_BIT) | BIT(KPF_HWPOISON_BIT))
#define UNIT_MAX_ORDER	10	/* MAX_PAGE_ORDER: a larger compound is cut */

/* Per-block content while streaming. */
struct block_count {
	uint32_t movable, slab, nonmov;	/* nonmov: unmovable other than slab */
	uint32_t free;
};

struct reader {
	struct start_state *s;
	struct block_count *bc;
	/* The compound allocation being collected. */
	uint64_t head_pfn, head_len;
	enum start_class head_cls;
};

static enum start_class classify(uint64_t f)
{
	if (f & BIT(KPF_SLAB_BIT))
		return SC_SLAB;
	if (f & MOVABLE_FLAGS)
		return SC_MOVABLE;
	if (f & BIT(KPF_PGTABLE_BIT))
		return SC_PGTABLE;
	return f ? SC_OTHER : SC_UNFLAGGED;
}

static int add_unit(struct reader *r, uint64_t pfn, unsigned int order,
		    enum start_class cls)
{
	struct start_state *s = r->s;
	uint64_t pages = 1ull << order;
	struct block_count *b;

	if (s->nr == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		struct start_unit *n = realloc(s->unit, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->unit = n;
		s->cap = cap;
	}
	s->unit[s->nr++] = (struct start_unit){ pfn, (uint8_t)order, (uint8_t)cls };
	s->pages_used += pages;
	s->pages_by_class[cls] += pages;
	/* A unit never crosses a pageblock unless it is larger than one. */
	for (uint64_t p = pfn; p < pfn + pages; p += 1ull << s->pageblock_order) {
		uint64_t n = pages < (1ull << s->pageblock_order) ? pages :
			     1ull << s->pageblock_order;

		b = &r->bc[p >> s->pageblock_order];
		if (cls == SC_MOVABLE)
			b->movable += (uint32_t)n;
		else if (cls == SC_SLAB)
			b->slab += (uint32_t)n;
		else
			b->nonmov += (uint32_t)n;
	}
	return 0;
}

/* [pfn, pfn + len) as naturally aligned pieces of at most UNIT_MAX_ORDER. */
static int add_range(struct reader *r, uint64_t pfn, uint64_t len, enum start_class cls)
{
	if (len > 1 && !(len & (len - 1)) && !(pfn & (len - 1)) &&
	    len <= (1ull << UNIT_MAX_ORDER)) {
		r->s->compound_units++;
		r->s->compound_pages += len;
	}
	while (len) {
		unsigned int order = 0;

		while (order < UNIT_MAX_ORDER && !(pfn & ((2ull << order) - 1)) &&
		       (2ull << order) <= len)
			order++;
		if (add_unit(r, pfn, order, cls))
			return -ENOMEM;
		pfn += 1ull << order;
		len -= 1ull << order;
	}
	return 0;
}

static int flush_head(struct reader *r)
{
	int rc = 0;

	if (r->head_len)
		rc = add_range(r, r->head_pfn, r->head_len, r->head_cls);
	r->head_len = 0;
	return rc;
}

static int take(struct reader *r, uint64_t pfn, uint64_t f)
{
	struct start_state *s = r->s;

	if ((f & BIT(KPF_TAIL_BIT)) && !(f & BIT(KPF_HEAD_BIT)) && r->head_len &&
	    r->head_pfn + r->head_len == pfn) {
		r->head_len++;
		return 0;
	}
	if (flush_head(r))
		return -ENOMEM;
	if (f & HOLE_FLAGS) {
		s->pages_hole++;
		return 0;
	}
	if (f & BIT(KPF_BUDDY_BIT)) {
		s->pages_free++;
		r->bc[pfn >> s->pageblock_order].free++;
		return 0;
	}
	if (f & BIT(KPF_HEAD_BIT)) {
		r->head_pfn = pfn;
		r->head_len = 1;
		r->head_cls = classify(f);
		return 0;
	}
	return add_unit(r, pfn, 0, classify(f));
}

static int take_start(void *ctx, uint64_t pfn, uint64_t flags)
{
	return take(ctx, pfn, flags);
}

/* kpageflags may end before end_pfn (it stops at max_pfn): the rest is
 * not memory. */
static int stream(struct reader *r, gzFile g, uint64_t end)
{
	uint64_t pfn;
	int rc = layout_read_kpageflags(g, end, take_start, r, &pfn);

	if (!rc)
		rc = flush_head(r);
	r->s->end_pfn = pfn;
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Labels.                                                                   */

struct rank {
	int64_t key1, key2;
	uint64_t block;
};

static int rank_cmp(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;

	if (x->key1 != y->key1)
		return x->key1 > y->key1 ? -1 : 1;
	if (x->key2 != y->key2)
		return x->key2 > y->key2 ? -1 : 1;
	return x->block < y->block ? -1 : x->block > y->block;
}

static size_t zone_counts(const struct gt_snapshot *b, const char *name)
{
	for (size_t i = 0; i < b->nr_block_zones; i++)
		if (!strcmp(b->block_zone[i].name, name))
			return i;
	return GT_MAX_ZONES;
}

static bool wholly_free(const struct start_state *s, const struct block_count *bc,
			uint64_t b)
{
	return b < s->nr_blocks && bc[b].free == 1u << s->pageblock_order &&
	       s->label[b] == GA_MT_MOVABLE;
}

/*
 * The snapshot's free lists say how many wholly free blocks each type
 * holds (a free buddy of pageblock order is one, a larger one a pair);
 * which ones is in no snapshot: the lowest free pairs (an aligned pair of
 * free blocks) and lowest free single blocks (whose buddy block is not
 * free) in the zone get the label. Returns how many blocks were labelled.
 */
static unsigned long pick_free(struct start_state *s, const struct block_count *bc,
			       uint64_t first, uint64_t last, unsigned long pairs,
			       unsigned long singles, unsigned long cap, int mt)
{
	unsigned long n = 0;

	for (uint64_t b = first & ~1ull; b + 1 <= last && pairs && n + 2 <= cap; b += 2) {
		if (b < first || !wholly_free(s, bc, b) || !wholly_free(s, bc, b + 1))
			continue;
		s->label[b] = s->label[b + 1] = (uint8_t)mt;
		n += 2;
		pairs--;
	}
	for (uint64_t b = first; b <= last && singles && n < cap; b++) {
		if (!wholly_free(s, bc, b) || wholly_free(s, bc, b ^ 1))
			continue;
		s->label[b] = (uint8_t)mt;
		n++;
		singles--;
	}
	s->labelled[mt] += n;
	s->labelled_free[mt] += n;
	return n;
}

/* Pick `want` of the blocks still Movable with the highest keys. */
static void pick(struct start_state *s, struct rank *rk, size_t n, unsigned long want,
		 int mt)
{
	qsort(rk, n, sizeof(*rk), rank_cmp);
	for (size_t i = 0; i < n && want; i++) {
		if (s->label[rk[i].block] != GA_MT_MOVABLE)
			continue;
		s->label[rk[i].block] = (uint8_t)mt;
		s->labelled[mt]++;
		want--;
	}
}

static int label_zone(struct start_state *s, const struct block_count *bc,
		      const struct gt_zone *z, const struct gt_snapshot *before, size_t zi)
{
	const unsigned long *want = before->block_zone[zi].blocks;
	const unsigned long *pairs = before->block_zone[zi].free_pairs;
	const unsigned long *singles = before->block_zone[zi].free_single;
	unsigned int pbo = s->pageblock_order;
	uint64_t first = z->start_pfn >> pbo;
	uint64_t last = (z->start_pfn + z->spanned - 1) >> pbo;
	unsigned long want_u = want[GA_MT_UNMOVABLE] + want[GA_MT_HIGHATOMIC];
	unsigned long want_r = want[GA_MT_RECLAIMABLE];
	struct rank *rk;
	size_t n = 0;

	if (last >= s->nr_blocks)
		last = s->nr_blocks - 1;
	if (first > last)
		return 0;
	want_r -= pick_free(s, bc, first, last, pairs[GA_MT_RECLAIMABLE],
			    singles[GA_MT_RECLAIMABLE], want_r, GA_MT_RECLAIMABLE);
	want_u -= pick_free(s, bc, first, last,
			    pairs[GA_MT_UNMOVABLE] + pairs[GA_MT_HIGHATOMIC],
			    singles[GA_MT_UNMOVABLE] + singles[GA_MT_HIGHATOMIC], want_u,
			    GA_MT_UNMOVABLE);
	rk = malloc((last - first + 1) * sizeof(*rk));
	if (!rk)
		return -ENOMEM;
	for (uint64_t b = first; b <= last; b++)
		rk[n++] = (struct rank){ (int64_t)bc[b].slab - bc[b].nonmov,
					 -(int64_t)bc[b].movable, b };
	pick(s, rk, n, want_r, GA_MT_RECLAIMABLE);
	for (size_t i = 0; i < n; i++) {
		uint64_t b = rk[i].block;

		/*
		 * Ties (most often blocks with no unmovable page left: the
		 * kernel claimed them and their unmovable pages were freed
		 * since) go to the fullest block. The free lists above placed
		 * every wholly free block the snapshot gives the type, so
		 * another wholly free one would contradict them.
		 */
		rk[i].key1 = (int64_t)bc[b].slab + bc[b].nonmov;
		rk[i].key2 = -(int64_t)bc[b].free;
	}
	pick(s, rk, n, want_u, GA_MT_UNMOVABLE);
	free(rk);
	return 0;
}

static int label_blocks(struct start_state *s, const struct block_count *bc,
			const struct gt_snapshot *before, char *err, size_t errlen)
{
	memset(s->label, GA_MT_MOVABLE, s->nr_blocks);
	for (size_t i = 0; i < before->nr_zones; i++) {
		const struct gt_zone *z = &before->zone[i];
		size_t zi;
		int rc;

		if (!z->spanned)
			continue;
		zi = zone_counts(before, z->name);
		if (zi == GT_MAX_ZONES) {
			snprintf(err, errlen, "pagetypeinfo has no zone %s", z->name);
			return -EINVAL;
		}
		for (int mt = 0; mt < GA_MT_TYPES; mt++)
			s->wanted[mt] += before->block_zone[zi].blocks[mt];
		rc = label_zone(s, bc, z, before, zi);
		if (rc)
			return rc;
	}
	for (uint64_t b = 0; b < s->nr_blocks; b++)
		if (bc[b].free == 1u << s->pageblock_order)
			s->labelled_empty[s->label[b]]++;
	return 0;
}

int start_state_load(struct start_state *s, const char *dir, uint64_t end_pfn,
		     const struct gt_snapshot *before, char *err, size_t errlen)
{
	struct reader r = { .s = s };
	gzFile g;
	int rc;

	memset(s, 0, sizeof(*s));
	g = layout_open_kpageflags(dir);
	if (!g)
		return -ENOENT;
	if (!before->have_zoneinfo || !before->have_pagetypeinfo || !before->nr_zones) {
		gzclose(g);
		snprintf(err, errlen, "%s has kpageflags but no zoneinfo or pagetypeinfo "
			 "to label its pageblocks with", dir);
		return -EINVAL;
	}
	s->pageblock_order = before->pageblock_order ? before->pageblock_order : 9;
	s->nr_blocks = (end_pfn + (1ull << s->pageblock_order) - 1) >> s->pageblock_order;
	s->label = malloc(s->nr_blocks ? s->nr_blocks : 1);
	r.bc = calloc(s->nr_blocks ? s->nr_blocks : 1, sizeof(*r.bc));
	rc = s->label && r.bc ? stream(&r, g, end_pfn) : -ENOMEM;
	gzclose(g);
	if (!rc)
		rc = label_blocks(s, r.bc, before, err, errlen);
	free(r.bc);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory for the starting state");
	if (rc)
		start_state_free(s);
	return rc;
}

void start_state_free(struct start_state *s)
{
	free(s->unit);
	free(s->label);
	memset(s, 0, sizeof(*s));
}

unsigned int start_unit_gfp(const struct start_state *s, const struct start_unit *u)
{
	uint64_t b = u->pfn >> s->pageblock_order;

	switch (u->cls) {
	case SC_MOVABLE:
		return GA_GFP_HIGHUSER_MOVABLE;
	case SC_SLAB:
		return b < s->nr_blocks && s->label[b] == GA_MT_RECLAIMABLE ?
		       GA_GFP_KERNEL_RECLAIMABLE : GA_GFP_KERNEL;
	default:
		return GA_GFP_KERNEL;
	}
}
