// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Superpageblock metadata and its index (RFC patches 07, 08, 10, 14, 22).
 *
 * The zone is cut into 2^spb_order regions (1 GiB on x86-64), clipped at
 * the zone's edges. Each keeps exact counters: wholly free pageblocks,
 * pageblocks holding unmovable / reclaimable / movable pages (by actual
 * contents, not labels), HighAtomic pageblocks, free pages. From them
 * follow its category (empty, clean, tainted, or held by a contiguous
 * allocation) and a fullness bucket, and from those its bits in the index
 * bitmaps. Counters change under zone->lock, through the hooks below,
 * called by the buddy code on every transition; the index is touched only
 * when a category, bucket or list emptiness actually changes.
 *
 * Content tracking runs for every policy (it only counts); per-SPB free
 * lists and steering are switched by policy.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "internal.h"

/* ------------------------------------------------------------------------ */
/* Layout.                                                                   */

unsigned long spb_count(ga_pfn_t start, ga_pfn_t end, unsigned int spb_order)
{
	ga_pfn_t size = 1ul << spb_order, base = start & ~(size - 1);

	return (unsigned long)((end - base + size - 1) / size);
}

static unsigned long index_words(unsigned long nr_spbs)
{
	return (nr_spbs + 63) / 64;
}

/* Bytes for the SPB array, the index bitmaps and (optionally) the lists. */
size_t spb_metadata_size(unsigned long nr_spbs, bool lists)
{
	size_t bitmaps = NR_SPB_CATEGORIES + 2 + SPB_NR_BUCKETS +
			 GA_NR_ORDERS_MAX * GA_MT_PCPTYPES;

	return nr_spbs * sizeof(struct ga_spb) +
	       bitmaps * index_words(nr_spbs) * sizeof(uint64_t) +
	       (lists ? nr_spbs * sizeof(struct spb_free_area) : 0);
}

static void index_init(struct ga_zone *z, uint64_t *words)
{
	struct spb_index *ix = &z->spb_idx;

	ix->nr_words = index_words(z->max_spbs);	/* offline SPBs: no bit */
	for (int c = 0; c < NR_SPB_CATEGORIES; c++, words += ix->nr_words)
		ix->category[c] = words;
	ix->roomy = words;
	words += ix->nr_words;
	ix->all = words;
	words += ix->nr_words;
	for (int b = 0; b < SPB_NR_BUCKETS; b++, words += ix->nr_words)
		ix->bucket[b] = words;
	for (int o = 0; o < GA_NR_ORDERS_MAX; o++)
		for (int mt = 0; mt < GA_MT_PCPTYPES; mt++, words += ix->nr_words)
			ix->nonempty[o][mt] = words;
}

static bool test_bit64(const uint64_t *map, unsigned long i)
{
	return map[i / 64] >> (i % 64) & 1;
}

static void set_bit64(uint64_t *map, unsigned long i)
{
	map[i / 64] |= 1ull << (i % 64);
}

static void clear_bit64(uint64_t *map, unsigned long i)
{
	map[i / 64] &= ~(1ull << (i % 64));
}

/* The fullness lists (RFC 10): doubly linked through SPB indices. */
static void spb_list_del(struct ga_zone *z, uint32_t i)
{
	struct spb_index *ix = &z->spb_idx;
	struct ga_spb *s = &z->spbs[i];

	if (s->list_prev == GA_NIL)
		ix->head[s->category][s->bucket] = s->list_next;
	else
		z->spbs[s->list_prev].list_next = s->list_next;
	if (s->list_next == GA_NIL)
		ix->tail[s->category][s->bucket] = s->list_prev;
	else
		z->spbs[s->list_next].list_prev = s->list_prev;
}

/* Add at the tail of the list s->category/s->bucket name. */
static void spb_list_add_tail(struct ga_zone *z, uint32_t i)
{
	struct spb_index *ix = &z->spb_idx;
	struct ga_spb *s = &z->spbs[i];
	uint32_t *tail = &ix->tail[s->category][s->bucket];

	s->list_next = GA_NIL;
	s->list_prev = *tail;
	if (*tail == GA_NIL)
		ix->head[s->category][s->bucket] = i;
	else
		z->spbs[*tail].list_next = i;
	*tail = i;
}


/*
 * The free-page range that keeps the current bucket, so the hot path (every
 * buddy list change) compares instead of dividing.
 */
static void spb_set_bucket_range(struct ga_spb *s, unsigned int bucket)
{
	uint64_t usable = s->nr_usable_pages;

	s->bucket_lo = (uint32_t)((bucket * usable + SPB_NR_BUCKETS - 1) / SPB_NR_BUCKETS);
	s->bucket_hi = bucket == SPB_NR_BUCKETS - 1 || !usable ? UINT32_MAX :
		(uint32_t)(((bucket + 1) * usable + SPB_NR_BUCKETS - 1) / SPB_NR_BUCKETS);
}

/*
 * Called before the boot-time free of all pages: every SPB starts with no
 * free page and no content, which files it as clean; the frees that follow
 * move it to empty through the ordinary hooks.
 */
/*
 * One SPB's record from the pages it spans now, filed as clean with no free
 * page; its free lists (if any) are already initialised.
 */
static void spb_setup_one(struct ga_zone *z, unsigned long i)
{
	struct ga_spb *s = &z->spbs[i];
	ga_pfn_t size = 1ul << z->spb_order, start = z->spb_base + i * size;

	s->start_pfn = ga_max(start, z->start_pfn);
	s->end_pfn = ga_min(start + size, z->end_pfn);
	s->nr_pageblocks = (uint32_t)((s->end_pfn - s->start_pfn) >>
				      z->pageblock_order);
	s->nr_usable_pages = (uint32_t)(s->end_pfn - s->start_pfn);
	s->nr_reserved_pb = 0;
	for (ga_pfn_t b = s->start_pfn; b < s->end_pfn;
	     b += z->pageblock_nr_pages) {
		unsigned int holes = pfn_to_block(z, b)->nr_reserved;

		s->nr_reserved_pb += holes > 0;
		s->nr_usable_pages -= holes;
	}
	s->category = SPB_CLEAN;
	s->bucket = 0;
	spb_set_bucket_range(s, 0);
	s->reserve = (uint32_t)spb_tainted_reserve(z, s);
	set_bit64(z->spb_idx.all, i);
	set_bit64(z->spb_idx.category[SPB_CLEAN], i);
	set_bit64(z->spb_idx.bucket[0], i);
	spb_list_add_tail(z, (uint32_t)i);
}

void spb_init(struct ga_zone *z, void *mem)
{
	char *p = mem;
	ga_pfn_t size = 1ul << z->spb_order;

	z->nr_spbs = spb_count(z->start_pfn, z->end_pfn, z->spb_order);
	z->max_spbs = spb_count(z->start_pfn, z->max_end_pfn, z->spb_order);
	z->spb_base = z->start_pfn & ~(size - 1);
	z->spbs = (struct ga_spb *)p;
	p += z->max_spbs * sizeof(struct ga_spb);
	index_init(z, (uint64_t *)p);
	for (int c = 0; c < NR_SPB_CATEGORIES; c++)
		for (int b = 0; b < SPB_NR_BUCKETS; b++)
			z->spb_idx.head[c][b] = z->spb_idx.tail[c][b] = GA_NIL;
	for (int o = 0; o < GA_NR_ORDERS_MAX; o++)
		for (int mt = 0; mt < GA_MT_PCPTYPES; mt++)
			z->spb_idx.hint[o][mt] = GA_NIL;
	p += (NR_SPB_CATEGORIES + 2 + SPB_NR_BUCKETS +
	      GA_NR_ORDERS_MAX * GA_MT_PCPTYPES) * index_words(z->max_spbs) *
	     sizeof(uint64_t);

	/* Records of offline SPBs exist (zeroed, lists empty), unindexed. */
	for (unsigned long i = 0; i < z->max_spbs; i++) {
		struct ga_spb *s = &z->spbs[i];

		if (z->policy.spb_free_lists) {
			s->area = (struct spb_free_area *)p;
			p += sizeof(struct spb_free_area);
			for (int o = 0; o < GA_NR_ORDERS_MAX; o++)
				for (int mt = 0; mt < GA_MT_TYPES; mt++)
					ga_list_init(&s->area->list[o][mt]);
		}
		if (i < z->nr_spbs)
			spb_setup_one(z, i);
	}
}

/*
 * Hot-add (RFC 09's resize_zone_superpageblocks, without the copy: the
 * record was laid out at init). The zone's span already covers the SPB and
 * its pageblocks are counted; its pages are freed after this, which files
 * it as empty through the ordinary hooks. The defrag worker's stamps and
 * state survive an offline/online cycle: a run may still hold the record.
 */
void spb_online(struct ga_zone *z, unsigned long i)
{
	struct ga_spb *s = &z->spbs[i];

	GA_BUG_ON(i >= z->max_spbs || test_bit64(z->spb_idx.all, i));
	s->nr_free_pages = 0;
	s->nr_free_pb = 0;
	memset(s->nr_used_pb, 0, sizeof(s->nr_used_pb));
	s->nr_highatomic_pb = 0;
	s->nr_contig_pb = 0;
	spb_setup_one(z, i);
}

/*
 * Hot-remove: the SPB's pages are already off every free list and hold
 * nothing; take it out of every bitmap and fullness list, and forget the
 * PASS_1 hints (RFC 31 invalidates them on resize).
 */
void spb_offline(struct ga_zone *z, unsigned long i)
{
	struct ga_spb *s = &z->spbs[i];
	struct spb_index *ix = &z->spb_idx;

	GA_BUG_ON(s->nr_free_pages || s->nr_contig_pb || s->nr_highatomic_pb ||
		  s->nr_used_pb[GA_MT_UNMOVABLE] || s->nr_used_pb[GA_MT_RECLAIMABLE] ||
		  s->nr_used_pb[GA_MT_MOVABLE]);
	spb_list_del(z, (uint32_t)i);
	clear_bit64(ix->all, i);
	clear_bit64(ix->roomy, i);
	clear_bit64(ix->category[s->category], i);
	clear_bit64(ix->bucket[s->bucket], i);
	for (int o = 0; o < GA_NR_ORDERS_MAX; o++)
		for (int mt = 0; mt < GA_MT_PCPTYPES; mt++) {
			GA_BUG_ON(test_bit64(ix->nonempty[o][mt], i));
			if (ix->hint[o][mt] == i)
				ix->hint[o][mt] = GA_NIL;
		}
}

/* ------------------------------------------------------------------------ */
/* Category, bucket and the index.                                           */

static enum spb_category spb_category_of(const struct ga_spb *s)
{
	if (s->nr_contig_pb && s->nr_contig_pb == s->nr_pageblocks)
		return SPB_CONTIG;
	if (s->nr_used_pb[GA_MT_UNMOVABLE] || s->nr_used_pb[GA_MT_RECLAIMABLE] ||
	    s->nr_highatomic_pb)
		return SPB_TAINTED;
	/* An SPB wholly in a hole has no page to give: not empty. */
	if (s->nr_usable_pages && s->nr_free_pages == s->nr_usable_pages)
		return SPB_EMPTY;
	return SPB_CLEAN;
}

/* 0 = fullest (fewest free pages) .. SPB_NR_BUCKETS-1 = emptiest. */
static unsigned int spb_bucket_of(const struct ga_spb *s)
{
	if (!s->nr_usable_pages)
		return 0;
	return (unsigned int)ga_min((unsigned long)s->nr_free_pages * SPB_NR_BUCKETS /
				    s->nr_usable_pages, (unsigned long)SPB_NR_BUCKETS - 1);
}

/* Re-file an SPB whose counters changed; cheap when nothing moved. */
static void spb_update(struct ga_zone *z, struct ga_spb *s)
{
	unsigned long i = (unsigned long)(s - z->spbs);
	unsigned int cat = spb_category_of(s), bucket = s->bucket;
	bool refile;

	if (s->nr_free_pages < s->bucket_lo || s->nr_free_pages >= s->bucket_hi) {
		bucket = spb_bucket_of(s);
		spb_set_bucket_range(s, bucket);
	}

	refile = cat != s->category || bucket != s->bucket;
	if (refile)
		spb_list_del(z, (uint32_t)i);
	if (cat != s->category) {
		if (s->category == SPB_CLEAN || s->category == SPB_EMPTY)
			if (cat == SPB_TAINTED)
				zone_stat_add_locked(z, GA_STAT_SPB_TAINTED, 1);
		clear_bit64(z->spb_idx.category[s->category], i);
		set_bit64(z->spb_idx.category[cat], i);
		s->category = (uint8_t)cat;
	}
	if (bucket != s->bucket) {
		clear_bit64(z->spb_idx.bucket[s->bucket], i);
		set_bit64(z->spb_idx.bucket[bucket], i);
		s->bucket = (uint8_t)bucket;
	}
	if (refile)
		spb_list_add_tail(z, (uint32_t)i);
	if (s->nr_free_pb > s->reserve)
		set_bit64(z->spb_idx.roomy, i);
	else
		clear_bit64(z->spb_idx.roomy, i);
	if (cat == SPB_TAINTED)
		spb_defrag_check(z, s);		/* RFC 15's sb_update_list() trigger */
}

/* ------------------------------------------------------------------------ */
/* Hooks from the buddy code (zone->lock held).                              */

/*
 * The slow half of spb_block_free_changed(), called only when it saw a
 * pageblock become, or stop being, wholly free, or the SPB leave its
 * fullness bucket or its wholly free state; s->nr_free_pages is already
 * the new count. Count the pageblock and re-file the SPB.
 */
void spb_block_free_refile(struct ga_zone *z, struct ga_spb *s,
			   unsigned int old, unsigned int new)
{
	unsigned int full = z->pageblock_nr_pages;

	GA_BUG_ON(old == new);
	if (new == full)
		s->nr_free_pb++;
	else if (old == full)
		s->nr_free_pb--;
	spb_update(z, s);
}

static void charge_one_block(struct ga_zone *z, ga_pfn_t b, int mt, int delta)
{
	struct ga_pageblock *pb = pfn_to_block(z, b);
	unsigned int old = pb->used[mt];
	unsigned int new = (unsigned int)((int)old + delta);

	GA_BUG_ON(delta < 0 && old < (unsigned int)-delta);
	pb->used[mt] = (uint16_t)new;
	if (ga_unlikely(!old != !new)) {
		struct ga_spb *s = pfn_to_spb(z, b);

		s->nr_used_pb[mt] = (uint32_t)(s->nr_used_pb[mt] + (new ? 1 : -1));
		spb_update(z, s);
		zone_stat_add_locked(z, new ? GA_STAT_SPB_PB_FIRST_SET :
				     GA_STAT_SPB_PB_LAST_CLEAR, 1);
		if (ga_unlikely(z->trace_fn)) {
			struct ga_trace_event ev = {
				.type = GA_TRACE_SPB_PB_TAINT, .migratetype = mt,
				.what = new ? "first_set" : "last_clear", .pfn = b,
				.spb = (long)(s - z->spbs), .set = !!new,
			};

			z->trace_fn(z->trace_ctx, &ev);
		}
	}
}

/*
 * Charge (sign +1) or uncharge (-1) a block of 2^order pages at pfn to
 * type mt: it leaves the buddy for a pcp list or an allocation, or comes
 * back. The first page of a type in a pageblock, and the last one leaving,
 * are the transitions the SPB counters follow (RFC 40's first-set and
 * last-clear).
 */
void charge_block(struct ga_zone *z, ga_pfn_t pfn, unsigned int order, int mt,
		  int sign)
{
	unsigned long nr = 1ul << order;

	GA_BUG_ON(mt < 0 || mt >= GA_MT_PCPTYPES);
	if (ga_likely(order < z->pageblock_order)) {
		charge_one_block(z, pfn, mt, sign * (int)nr);
		return;
	}
	for (ga_pfn_t b = pfn; b < pfn + nr; b += z->pageblock_nr_pages)
		charge_one_block(z, b, mt, sign * (int)z->pageblock_nr_pages);
}

/* A pageblock's label changed: HighAtomic blocks taint their SPB. */
void spb_label_changed(struct ga_zone *z, ga_pfn_t block, int old, int new)
{
	struct ga_spb *s = pfn_to_spb(z, block);

	if ((old == GA_MT_HIGHATOMIC) == (new == GA_MT_HIGHATOMIC))
		return;
	s->nr_highatomic_pb = (uint32_t)(s->nr_highatomic_pb +
					 (new == GA_MT_HIGHATOMIC ? 1 : -1));
	spb_update(z, s);
}

/* A pageblock became (sign +1) or stopped being (-1) part of a contig range. */
void spb_contig_changed(struct ga_zone *z, ga_pfn_t block, int sign)
{
	struct ga_spb *s = pfn_to_spb(z, block);

	s->nr_contig_pb = (uint32_t)(s->nr_contig_pb + sign);
	spb_update(z, s);
}

/* A per-SPB list went from empty to non-empty or back. */
void spb_list_changed(struct ga_zone *z, struct ga_spb *s, unsigned int order,
		      int mt, bool nonempty)
{
	unsigned long i = (unsigned long)(s - z->spbs);

	if (mt >= GA_MT_PCPTYPES)
		return;
	if (nonempty) {
		set_bit64(z->spb_idx.nonempty[order][mt], i);
		s->nonempty_lists |= 1ull << SPB_LIST_BIT(order, mt);
	} else {
		clear_bit64(z->spb_idx.nonempty[order][mt], i);
		s->nonempty_lists &= ~(1ull << SPB_LIST_BIT(order, mt));
	}
}

/* ------------------------------------------------------------------------ */
/* Queries of the index.                                                     */

/*
 * Best fit first, then fullness: the smallest order o >= order at which
 * some SPB of category cat (and in mask) has a free block on one of the
 * lists in mts (a bit mask); among those SPBs the fullest bucket first (or
 * the emptiest), lowest index within a bucket. Taking the smallest fitting
 * block zone-wide, as __rmqueue_smallest does, keeps whole pageblocks
 * whole; fullness only breaks the tie. A few word operations per (order,
 * bucket). Orders from `below` up are not considered. -1 if none.
 */
/* Word w of "has a free block of an order in [lo, hi] on a list in mts". */
static uint64_t spb_free_word(const struct spb_index *ix, unsigned long w,
			      unsigned int lo, unsigned int hi, unsigned int mts)
{
	uint64_t free = 0;

	for (unsigned int o = lo; o <= hi; o++)
		for (int mt = 0; mt < GA_MT_PCPTYPES; mt++)
			if (mts & (1u << mt))
				free |= ix->nonempty[o][mt][w];
	return free;
}

/* Words of the index one search keeps on its stack (1 TiB of SPBs). */
#define SPB_FIND_WORDS 16

/* Word w of "SPB of category cat, in mask, with a free block of order o on
 * a list in mts". */
static uint64_t spb_cand_word(const struct spb_index *ix, unsigned int cat,
			      const uint64_t *mask, unsigned long w,
			      unsigned int o, unsigned int mts)
{
	uint64_t bits = ix->category[cat][w] & mask[w];

	return bits ? bits & spb_free_word(ix, w, o, o, mts) : 0;
}

/*
 * The candidates of order o, word by word (the first SPB_FIND_WORDS kept
 * in cand), or false if there is none. The zone-wide counts answer first:
 * an SPB's list holds a block only if the zone's count is not zero.
 */
static bool spb_order_cands(const struct ga_zone *z, unsigned int cat,
			    const uint64_t *mask, unsigned int o,
			    unsigned int mts, uint64_t *cand)
{
	const struct spb_index *ix = &z->spb_idx;
	unsigned int live = 0;
	uint64_t any = 0;

	for (int mt = 0; mt < GA_MT_PCPTYPES; mt++)
		if ((mts & (1u << mt)) && READ_ONCE(z->free_area[o].nr[mt]))
			live |= 1u << mt;
	if (!live)
		return false;
	for (unsigned long w = 0; w < ix->nr_words; w++) {
		uint64_t bits = spb_cand_word(ix, cat, mask, w, o, live);

		if (w < SPB_FIND_WORDS)
			cand[w] = bits;
		any |= bits;
	}
	return any;
}

#ifdef GA_DEBUG
/* The plain bucket loop the search below must agree with (debug builds). */
static long spb_find_below_slow(const struct ga_zone *z, unsigned int cat,
				const uint64_t *mask, unsigned int order,
				unsigned int below, unsigned int mts,
				bool emptiest_first, unsigned int *words)
{
	const struct spb_index *ix = &z->spb_idx;

	for (unsigned int o = order; o < below && o <= z->max_order; o++)
		for (unsigned int k = 0; k < SPB_NR_BUCKETS; k++) {
			unsigned int b = emptiest_first ? SPB_NR_BUCKETS - 1 - k : k;

			for (unsigned long w = 0; w < ix->nr_words; w++) {
				uint64_t bits = ix->bucket[b][w] &
					spb_cand_word(ix, cat, mask, w, o, mts);

				++*words;
				if (bits)
					return (long)(w * 64 +
						(unsigned long)__builtin_ctzll(bits));
			}
		}
	return -1;
}
#endif

/*
 * Orders without a candidate are skipped, found so by one pass over the
 * words (or none, by the zone's counts) instead of one pass per bucket;
 * the order that has one is searched bucket by bucket as before. The
 * answer and the counted cost are the bucket loop's: an order without a
 * candidate costs every word of every bucket, and the search stops at the
 * same (bucket, word).
 */
long spb_find_below(const struct ga_zone *z, unsigned int cat,
		    const uint64_t *mask, unsigned int order, unsigned int below,
		    unsigned int mts, bool emptiest_first, struct spb_search *cost)
{
	const struct spb_index *ix = &z->spb_idx;
	uint64_t cand[SPB_FIND_WORDS];
	unsigned int words = 0;
	long found = -1;

	for (unsigned int o = order; o < below && o <= z->max_order; o++) {
		if (!spb_order_cands(z, cat, mask, o, mts, cand)) {
			words += SPB_NR_BUCKETS * (unsigned int)ix->nr_words;
			continue;
		}
		for (unsigned int k = 0; k < SPB_NR_BUCKETS; k++) {
			unsigned int b = emptiest_first ? SPB_NR_BUCKETS - 1 - k : k;

			for (unsigned long w = 0; w < ix->nr_words; w++) {
				uint64_t bits = ix->bucket[b][w];

				words++;
				if (bits)
					bits &= w < SPB_FIND_WORDS ? cand[w] :
						spb_cand_word(ix, cat, mask, w, o, mts);
				if (bits) {
					found = (long)(w * 64 +
						(unsigned long)__builtin_ctzll(bits));
					goto out;
				}
			}
		}
		GA_BUG_ON(1);	/* every SPB is in one bucket */
	}
out:
#ifdef GA_DEBUG
	{
		unsigned int slow_words = 0;

		GA_BUG_ON(spb_find_below_slow(z, cat, mask, order, below, mts,
					      emptiest_first, &slow_words) != found);
		GA_BUG_ON(slow_words != words);
	}
#endif
	if (cost)
		cost->words += words;
	return found;
}

long spb_find(const struct ga_zone *z, unsigned int cat, const uint64_t *mask,
	      unsigned int order, unsigned int mts, bool emptiest_first,
	      struct spb_search *cost)
{
	return spb_find_below(z, cat, mask, order, z->max_order + 1, mts,
			      emptiest_first, cost);
}

/*
 * Fullness first: the emptiest SPB of category cat with a free block of at
 * least `order` on one of the lists in mts, whatever that block's order.
 * For choosing where room is, not for fitting a block. -1 if none.
 */
long spb_find_emptiest(const struct ga_zone *z, unsigned int cat,
		       unsigned int order, unsigned int mts, struct spb_search *cost)
{
	const struct spb_index *ix = &z->spb_idx;
	unsigned int words = 0;
	long found = -1;

	for (unsigned int k = SPB_NR_BUCKETS; k-- > 0 && found < 0;) {
		for (unsigned long w = 0; w < ix->nr_words; w++) {
			uint64_t bits = ix->category[cat][w] & ix->bucket[k][w];

			words++;
			if (bits)
				bits &= spb_free_word(ix, w, order, z->max_order, mts);
			if (bits) {
				found = (long)(w * 64 + (unsigned long)__builtin_ctzll(bits));
				break;
			}
		}
	}
	if (cost)
		cost->words += words;
	return found;
}

/* The nonempty_lists bits of the lists of orders [order, below) in mts. */
static uint64_t spb_lists_wanted(const struct ga_zone *z, unsigned int order,
				 unsigned int below, unsigned int mts)
{
	uint64_t per_order = mts & ((1u << GA_MT_PCPTYPES) - 1), want = 0;

	for (unsigned int o = order; o < below && o <= z->max_order; o++)
		want |= per_order << SPB_LIST_BIT(o, 0);
	return want;
}

/* The SPB has a free block of an order in [order, below) on a list in mts. */
bool spb_has_free(const struct ga_zone *z, const struct ga_spb *s,
		  unsigned int order, unsigned int below, unsigned int mts)
{
	return s->nonempty_lists & spb_lists_wanted(z, order, below, mts);
}

/*
 * The RFC's search (10, 12): walk the fullness lists of category cat from
 * the fullest bucket to the emptiest (or back), each list head to tail,
 * and take the first SPB with a free block of an order in [order, below)
 * on a list in mts (and, with roomy_only, more free pageblocks than its
 * reserve: PASS_4). Fullness decides, not the block's order. Every entry
 * looked at counts as one visit. -1 if none.
 */
long spb_walk(const struct ga_zone *z, unsigned int cat, bool roomy_only,
	      unsigned int order, unsigned int below, unsigned int mts,
	      bool emptiest_first, struct spb_search *cost)
{
	const struct spb_index *ix = &z->spb_idx;
	uint64_t want = spb_lists_wanted(z, order, below, mts);
	unsigned int visits = 0;
	long found = -1;

	for (unsigned int k = 0; k < SPB_NR_BUCKETS && found < 0; k++) {
		unsigned int b = emptiest_first ? SPB_NR_BUCKETS - 1 - k : k;

		for (uint32_t i = ix->head[cat][b]; i != GA_NIL;
		     i = z->spbs[i].list_next) {
			const struct ga_spb *s = &z->spbs[i];

			visits++;
			if (roomy_only && s->nr_free_pb <= s->reserve)
				continue;
			if (s->nonempty_lists & want) {
				found = (long)i;
				break;
			}
		}
	}
	if (cost)
		cost->visits += visits;
	return found;
}

/*
 * The first SPB of category cat at index i or above, by the category
 * bitmap, or nr_spbs if none: a loop over the SPBs of one category in
 * index order without reading the others (zone->lock).
 */
unsigned long spb_next_of_category(const struct ga_zone *z, unsigned int cat,
				   unsigned long i)
{
	const uint64_t *map = z->spb_idx.category[cat];
	unsigned long nr = READ_ONCE(z->nr_spbs);

	for (unsigned long w = i / 64; i < nr && w < z->spb_idx.nr_words; w++) {
		uint64_t bits = map[w];

		if (w == i / 64)
			bits &= ~0ull << (i % 64);
		if (bits)
			return ga_min(nr, w * 64 + (unsigned long)__builtin_ctzll(bits));
	}
	return nr;
}

/* First SPB with a non-empty (order, mt) list, for zone-wide list heads. */
long spb_first_nonempty(const struct ga_zone *z, unsigned int order, int mt)
{
	if (mt < GA_MT_PCPTYPES) {
		for (unsigned long w = 0; w < z->spb_idx.nr_words; w++) {
			uint64_t bits = z->spb_idx.nonempty[order][mt][w];

			if (bits)
				return (long)(w * 64 + (unsigned long)__builtin_ctzll(bits));
		}
		return -1;
	}
	for (unsigned long i = 0; i < z->nr_spbs; i++)
		if (z->spbs[i].area->nr[order][mt])
			return (long)i;
	return -1;
}

/* Free pageblocks movable steering leaves in a tainted SPB (RFC 23). */
unsigned int spb_tainted_reserve(const struct ga_zone *z, const struct ga_spb *s)
{
	return ga_max(z->policy.spb_reserve_min,
		      (unsigned int)s->nr_pageblocks * z->policy.spb_reserve_pct / 100);
}

void spb_count_search(struct ga_zone *z, const struct spb_search *cost)
{
	struct spb_search_stats *st = &z->spb_search;

	st->visits[ga_min(cost->visits, SPB_COST_BUCKETS - 1u)]++;
	st->words[ga_min(cost->words, SPB_COST_BUCKETS - 1u)]++;
	st->visits_max = ga_max(st->visits_max, cost->visits);
	st->words_max = ga_max(st->words_max, cost->words);
}

/* ------------------------------------------------------------------------ */
/* Invariants (RFC 22 and digest §5.1), called by ga_zone_check.             */

static int spb_fail(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errbuf && errlen) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return -EUCLEAN;
}

/* Pageblock contents equal the recount from page heads. */
static int check_block_contents(struct ga_zone *z, const struct spb_recount *rb,
				char *errbuf, size_t errlen)
{
	for (unsigned long i = 0; i < z->nr_pageblocks; i++) {
		if (z->blocks[i].nr_pinned != rb[i].pinned)
			return spb_fail(errbuf, errlen,
				"pageblock %lu holds %u pinned pages, recount %u",
				i, z->blocks[i].nr_pinned, rb[i].pinned);
		for (int mt = 0; mt < GA_MT_PCPTYPES; mt++)
			if (z->blocks[i].used[mt] != rb[i].used[mt])
				return spb_fail(errbuf, errlen,
					"pageblock %lu holds %u %s pages, recount %u", i,
					z->blocks[i].used[mt], ga_migratetype_name(mt),
					rb[i].used[mt]);
	}
	return 0;
}

/* One SPB's counters against the recount of its pageblocks. */
static int check_spb_counters(struct ga_zone *z, const struct ga_spb *s,
			      const struct spb_recount *rb, char *errbuf,
			      size_t errlen)
{
	unsigned long first = (s->start_pfn - z->start_pfn) >> z->pageblock_order;
	unsigned long free = 0, free_pb = 0, ha = 0, contig = 0;
	unsigned long used_pb[GA_MT_PCPTYPES] = { 0 };

	for (unsigned long i = first; i < first + s->nr_pageblocks; i++) {
		free += rb[i].free;
		free_pb += rb[i].free == z->pageblock_nr_pages;
		ha += z->blocks[i].mt == GA_MT_HIGHATOMIC;
		contig += rb[i].contig;
		for (int mt = 0; mt < GA_MT_PCPTYPES; mt++)
			used_pb[mt] += rb[i].used[mt] > 0;
	}
	if (free != s->nr_free_pages || free_pb != s->nr_free_pb || ha !=
	    s->nr_highatomic_pb || contig != s->nr_contig_pb)
		return spb_fail(errbuf, errlen,
			"SPB %#llx: free %u/%lu, free pageblocks %u/%lu, highatomic "
			"%u/%lu, contig %u/%lu (counter/recount)",
			(unsigned long long)s->start_pfn, s->nr_free_pages, free,
			s->nr_free_pb, free_pb, s->nr_highatomic_pb, ha,
			s->nr_contig_pb, contig);
	for (int mt = 0; mt < GA_MT_PCPTYPES; mt++)
		if (used_pb[mt] != s->nr_used_pb[mt] || used_pb[mt] > s->nr_pageblocks)
			return spb_fail(errbuf, errlen,
				"SPB %#llx: %u pageblocks hold %s pages, recount %lu",
				(unsigned long long)s->start_pfn, s->nr_used_pb[mt],
				ga_migratetype_name(mt), used_pb[mt]);
	return 0;
}

/* The SPB is in exactly the index bits its state implies. */
static int check_spb_index(struct ga_zone *z, unsigned long i, char *errbuf,
			   size_t errlen)
{
	const struct ga_spb *s = &z->spbs[i];
	unsigned int cat = spb_category_of(s), bucket = spb_bucket_of(s);

	if (cat != s->category || bucket != s->bucket)
		return spb_fail(errbuf, errlen, "SPB %lu filed as %u/%u, is %u/%u",
				i, s->category, s->bucket, cat, bucket);
	for (unsigned int c = 0; c < NR_SPB_CATEGORIES; c++)
		if (test_bit64(z->spb_idx.category[c], i) != (c == cat))
			return spb_fail(errbuf, errlen, "SPB %lu category bit %u wrong",
					i, c);
	for (unsigned int b = 0; b < SPB_NR_BUCKETS; b++)
		if (test_bit64(z->spb_idx.bucket[b], i) != (b == bucket))
			return spb_fail(errbuf, errlen, "SPB %lu bucket bit %u wrong",
					i, b);
	if (test_bit64(z->spb_idx.roomy, i) != (s->nr_free_pb > s->reserve))
		return spb_fail(errbuf, errlen, "SPB %lu reserve bit wrong", i);
	if (!s->area)
		return 0;
	for (unsigned int o = 0; o < GA_NR_ORDERS_MAX; o++)
		for (int mt = 0; mt < GA_MT_PCPTYPES; mt++)
			if (test_bit64(z->spb_idx.nonempty[o][mt], i) !=
			    (s->area->nr[o][mt] > 0))
				return spb_fail(errbuf, errlen,
					"SPB %lu non-empty bit [%u][%s] wrong", i, o,
					ga_migratetype_name(mt));
	return 0;
}

/* Every SPB is on exactly the fullness list of its category and bucket. */
static int check_spb_lists(struct ga_zone *z, char *errbuf, size_t errlen)
{
	const struct spb_index *ix = &z->spb_idx;
	unsigned long seen = 0;

	for (unsigned int c = 0; c < NR_SPB_CATEGORIES; c++) {
		for (unsigned int b = 0; b < SPB_NR_BUCKETS; b++) {
			uint32_t prev = GA_NIL;

			for (uint32_t i = ix->head[c][b]; i != GA_NIL;
			     i = z->spbs[i].list_next) {
				const struct ga_spb *s = &z->spbs[i];

				if (i >= z->nr_spbs || ++seen > z->nr_spbs)
					return spb_fail(errbuf, errlen,
						"fullness list %u/%u is corrupt", c, b);
				if (s->category != c || s->bucket != b || s->list_prev != prev)
					return spb_fail(errbuf, errlen,
						"SPB %u on fullness list %u/%u, filed %u/%u",
						i, c, b, s->category, s->bucket);
				prev = i;
			}
			if (ix->tail[c][b] != prev)
				return spb_fail(errbuf, errlen,
					"fullness list %u/%u: tail %u, last %u", c, b,
					ix->tail[c][b], prev);
		}
	}
	if (seen != z->nr_spbs)
		return spb_fail(errbuf, errlen, "%lu of %lu SPBs on fullness lists",
				seen, z->nr_spbs);
	return 0;
}

int spb_check(struct ga_zone *z, const struct spb_recount *rb,
	      unsigned long free_all, char *errbuf, size_t errlen)
{
	unsigned long sum_free = 0;
	int err = check_block_contents(z, rb, errbuf, errlen);

	for (unsigned long i = 0; i < z->nr_spbs && !err; i++) {
		const struct ga_spb *s = &z->spbs[i];

		err = check_spb_counters(z, s, rb, errbuf, errlen);
		if (!err)
			err = check_spb_index(z, i, errbuf, errlen);
		/* A clean SPB holds no unmovable or reclaimable page. */
		if (!err && (s->category == SPB_CLEAN || s->category == SPB_EMPTY) &&
		    (s->nr_used_pb[GA_MT_UNMOVABLE] || s->nr_used_pb[GA_MT_RECLAIMABLE]))
			err = spb_fail(errbuf, errlen, "clean SPB %lu holds non-movable pages", i);
		sum_free += s->nr_free_pages;
	}
	/* Offline SPBs (ga_zone_resize): in no bitmap the searches read. */
	for (unsigned long i = z->nr_spbs; i < z->max_spbs && !err; i++) {
		bool any = test_bit64(z->spb_idx.all, i) ||
			   test_bit64(z->spb_idx.roomy, i);

		for (unsigned int c = 0; c < NR_SPB_CATEGORIES; c++)
			any |= test_bit64(z->spb_idx.category[c], i);
		for (unsigned int o = 0; o < GA_NR_ORDERS_MAX; o++)
			for (int mt = 0; mt < GA_MT_PCPTYPES; mt++)
				any |= test_bit64(z->spb_idx.nonempty[o][mt], i);
		if (any)
			err = spb_fail(errbuf, errlen, "offline SPB %lu is in the index", i);
	}
	if (!err && sum_free != free_all)
		err = spb_fail(errbuf, errlen, "SPB free pages sum to %lu, zone has %lu",
			       sum_free, free_all);
	if (!err)
		err = check_spb_lists(z, errbuf, errlen);
	return err;
}

/* ------------------------------------------------------------------------ */
/* Public queries.                                                           */

static const char *const category_names[NR_SPB_CATEGORIES] = {
	[SPB_EMPTY] = "empty",
	[SPB_CLEAN] = "clean",
	[SPB_TAINTED] = "tainted",
	[SPB_CONTIG] = "contig",
};

const char *ga_spb_category_name(int category)
{
	if (category < 0 || category >= NR_SPB_CATEGORIES)
		return "?";
	return category_names[category];
}

unsigned long ga_zone_nr_spbs(const struct ga_zone *z)
{
	return READ_ONCE(z->nr_spbs);
}

int ga_spb_query(struct ga_zone *z, unsigned long idx, struct ga_spb_info *info)
{
	const struct ga_spb *s;

	if (!info)
		return -EINVAL;
	zone_lock(z);
	if (idx >= z->nr_spbs) {
		zone_unlock(z);
		return -ERANGE;
	}
	s = &z->spbs[idx];
	*info = (struct ga_spb_info){
		.start_pfn = s->start_pfn,
		.end_pfn = s->end_pfn,
		.category = s->category,
		.nr_pageblocks = s->nr_pageblocks,
		.nr_free_pageblocks = s->nr_free_pb,
		.nr_reserved_pageblocks = s->nr_reserved_pb,
		.nr_unmovable_pageblocks = s->nr_used_pb[GA_MT_UNMOVABLE],
		.nr_movable_pageblocks = s->nr_used_pb[GA_MT_MOVABLE],
		.nr_reclaimable_pageblocks = s->nr_used_pb[GA_MT_RECLAIMABLE],
		.nr_highatomic_pageblocks = s->nr_highatomic_pb,
		.nr_contig_pageblocks = s->nr_contig_pb,
		.nr_free_pages = s->nr_free_pages,
	};
	zone_unlock(z);
	return 0;
}

/* The smallest v with at least `want` of `total` samples at or below it. */
static unsigned int histogram_percentile(const uint64_t *hist, uint64_t total,
					 uint64_t want)
{
	uint64_t seen = 0;

	for (unsigned int v = 0; v < SPB_COST_BUCKETS; v++) {
		seen += hist[v];
		if (seen >= want && total)
			return v;
	}
	return SPB_COST_BUCKETS - 1;
}

static void summarize_cost(const uint64_t *hist, unsigned int max,
			   struct ga_spb_cost *c)
{
	uint64_t total = 0;

	for (unsigned int v = 0; v < SPB_COST_BUCKETS; v++)
		total += hist[v];
	c->median = histogram_percentile(hist, total, (total + 1) / 2);
	c->p99 = histogram_percentile(hist, total, (total * 99 + 99) / 100);
	c->max = max;
	c->ge100 = 0;
	for (unsigned int v = 100; v < SPB_COST_BUCKETS; v++)
		c->ge100 += hist[v];
}

void ga_spb_summary(struct ga_zone *z, struct ga_spb_summary *sum)
{
	const struct spb_search_stats *st = &z->spb_search;

	GA_BUG_ON(!z || !sum);
	memset(sum, 0, sizeof(*sum));
	ga_lock(&z->lock);
	for (unsigned long i = 0; i < z->nr_spbs; i++) {
		switch (z->spbs[i].category) {
		case SPB_EMPTY: sum->empty++; break;
		case SPB_CLEAN: sum->clean++; break;
		case SPB_TAINTED: sum->tainted++; break;
		default: sum->contig++; break;
		}
	}
	for (unsigned int v = 0; v < SPB_COST_BUCKETS; v++)
		sum->steered += st->visits[v];
	summarize_cost(st->visits, st->visits_max, &sum->visits);
	summarize_cost(st->words, st->words_max, &sum->words);
	sum->total = z->nr_spbs;
	ga_unlock(&z->lock);
	sum->visits_median = sum->visits.median;
	sum->visits_p99 = sum->visits.p99;
}

int ga_spb_search_histogram(struct ga_zone *z, bool words, uint64_t *hist,
			    size_t nr)
{
	const uint64_t *src = words ? z->spb_search.words : z->spb_search.visits;

	if (!hist || !nr)
		return -EINVAL;
	ga_lock(&z->lock);
	for (size_t v = 0; v < nr; v++)
		hist[v] = v < SPB_COST_BUCKETS ? src[v] : 0;
	ga_unlock(&z->lock);
	return SPB_COST_BUCKETS;
}

/* ------------------------------------------------------------------------ */
/* Tracepoints (RFC 40).                                                     */

static const char *const trace_names[GA_NR_TRACE_TYPES] = {
	[GA_TRACE_SPB_ALLOC_WALK] = "spb_alloc_walk",
	[GA_TRACE_SPB_FALL_THROUGH] = "spb_alloc_fall_through",
	[GA_TRACE_SPB_PB_TAINT] = "spb_pb_taint",
	[GA_TRACE_SPB_CLAIM_REFUSED] = "spb_claim_block_refused",
	[GA_TRACE_SPB_EVACUATE_DONE] = "spb_evacuate_for_order_done",
	[GA_TRACE_SPB_ATOMIC_RELAX] = "spb_alloc_atomic_relax",
};

const char *ga_trace_name(int type)
{
	if (type < 0 || type >= GA_NR_TRACE_TYPES)
		return "?";
	return trace_names[type];
}

void ga_zone_set_trace(struct ga_zone *z, ga_trace_fn fn, void *ctx)
{
	ga_lock(&z->lock);
	z->trace_ctx = ctx;
	z->trace_fn = fn;
	ga_unlock(&z->lock);
}
