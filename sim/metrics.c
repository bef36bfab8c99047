// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Metrics from the public query API. One census walks every region once
 * with ga_region_query (which scans block heads, so it costs about one
 * pass over the memory map): cheap enough to sample a run a hundred times.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

unsigned long sim_ideal_tainted(uint64_t nonmovable, unsigned long region_pages)
{
	return (unsigned long)((nonmovable + region_pages - 1) / region_pages);
}

struct cand {
	uint64_t cost, free_in;
	size_t idx;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->cost != y->cost)
		return x->cost < y->cost ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;	/* stable: deterministic */
}

unsigned long sim_greedy_obtainable(const uint64_t *cost, const uint64_t *free_in,
				    size_t n, uint64_t total_free,
				    uint64_t reserve)
{
	struct cand *c;
	uint64_t avail, moved = 0;
	unsigned long taken = 0;

	if (!n || total_free <= reserve)
		return 0;
	c = malloc(n * sizeof(*c));
	if (!c)
		return 0;
	for (size_t i = 0; i < n; i++)
		c[i] = (struct cand){ cost[i], free_in[i], i };
	qsort(c, n, sizeof(*c), cand_cmp);
	avail = total_free - reserve;
	for (size_t i = 0; i < n; i++) {
		/* Taking region i removes its own free pages from the targets. */
		uint64_t after = avail > c[i].free_in ? avail - c[i].free_in : 0;

		if (moved + c[i].cost > after)
			break;
		moved += c[i].cost;
		avail = after;
		taken++;
	}
	free(c);
	return taken;
}

/* ------------------------------------------------------------------------ */

struct census_acc {
	uint64_t *cost, *free_in;	/* candidates: into free memory */
	uint64_t *rcost, *rfree_in;	/* candidates: with reclaim */
	size_t nr_cand;
	uint64_t free_nonempty;		/* free pages outside empty regions */
	uint64_t lru_nonempty;		/* LRU pages there */
};

static void add_region(struct sim_census *c, struct census_acc *acc,
		       const struct ga_region_info *r, unsigned long pb_pages,
		       uint64_t lru, uint64_t drop)
{
	/* Only a whole region without holes can become a 1 GiB page: not the
	 * zone's partial tail, not one with reserved pages. */
	bool whole = r->end_pfn - r->start_pfn == c->region_pages && !r->nr_reserved;
	uint64_t held;

	c->unmovable += r->nr_unmovable;
	c->reclaimable += r->nr_reclaimable;
	c->movable += r->nr_movable;
	c->pinned += r->nr_pinned;
	c->contig += r->nr_contig;
	c->free += r->nr_free;
	c->pcp += r->nr_pcp;
	c->reserved += r->nr_reserved;
	c->highatomic_reserved += r->nr_highatomic_blocks * pb_pages;
	c->pageblocks += r->nr_pageblocks;
	c->mixed_pageblocks += r->nr_mixed_pageblocks;
	c->unmovable_pageblocks += r->nr_unmovable_pageblocks;
	c->free_pageblocks += r->nr_free_pageblocks;
	if (r->empty) {
		c->empty++;
		if (whole)
			c->obtainable_now++;
		else
			acc->free_nonempty += r->nr_free;	/* room, never a page */
		return;
	}
	acc->free_nonempty += r->nr_free;
	acc->lru_nonempty += lru;
	if (r->tainted) {
		c->tainted++;
		return;
	}
	c->clean++;
	if (r->nr_pinned)
		c->clean_pinned++;
	/* Pinned pages, holes and contiguous allocations do not move. */
	if (!whole || r->nr_pinned || r->nr_contig)
		return;
	held = r->nr_movable + r->nr_pcp;
	acc->cost[acc->nr_cand] = held;
	acc->free_in[acc->nr_cand] = r->nr_free;
	/*
	 * With reclaim. Room: the free and the LRU pages of every non-empty
	 * region (reclaim evicts LRU pages only, wherever they are). Cost:
	 * what the 1 GiB test must migrate. It offers every page to its
	 * owner's drop first, so the pages drop would accept need no room,
	 * on the LRU or not (short-lived clean page cache is on the timing
	 * wheel, not on the LRU).
	 *
	 * Taking the region takes out of the room exactly what it put in,
	 * its free and LRU pages (rfree_in): they are freed inside the region
	 * being emptied, not room for what moves out of it. So no page counts
	 * twice: a droppable LRU page is taken out of the room and is not in
	 * the cost; a droppable page off the LRU was never room and only
	 * lowers the cost; a dirty LRU page (drop refuses it) is taken out of
	 * the room and stays in the cost, since it must move. The droppable
	 * pages of regions not taken are no room: reclaim, which makes room
	 * there, evicts LRU pages only. (The 1 GiB test also drops pages in
	 * the windows it tries and fails; that room is not counted.)
	 */
	acc->rcost[acc->nr_cand] = held > drop ? held - drop : 0;
	acc->rfree_in[acc->nr_cand] = r->nr_free + lru;
	acc->nr_cand++;
}

static void take_indices(struct ga_zone *zone, const struct ga_zone_info *zi,
			 struct sim_census *c)
{
	c->idx_order[0] = zi->pageblock_order;
	c->idx_order[1] = zi->max_page_order;
	c->idx_order[2] = zi->spb_order;
	for (int i = 0; i < SIM_NR_IDX_ORDERS; i++) {
		c->unusable[i] = ga_unusable_index(zone, c->idx_order[i]);
		c->fragindex[i] = ga_fragmentation_index(zone, c->idx_order[i]);
	}
}

static void acc_free(struct census_acc *acc)
{
	free(acc->cost);
	free(acc->free_in);
	free(acc->rcost);
	free(acc->rfree_in);
}

static int acc_alloc(struct census_acc *acc, unsigned long n)
{
	memset(acc, 0, sizeof(*acc));
	acc->cost = malloc(n * sizeof(uint64_t));
	acc->free_in = malloc(n * sizeof(uint64_t));
	acc->rcost = malloc(n * sizeof(uint64_t));
	acc->rfree_in = malloc(n * sizeof(uint64_t));
	if (acc->cost && acc->free_in && acc->rcost && acc->rfree_in)
		return 0;
	acc_free(acc);
	return -ENOMEM;
}

/*
 * Every region of 2^order pages from the library's counters: O(pageblocks)
 * per census. Debug builds check each region against the page walk of
 * ga_region_query, which the census is defined by; the run is quiescent
 * here, so they must agree. NULL on -ENOMEM (or a mismatch in debug).
 */
static struct ga_region_info *query_regions(struct ga_zone *zone,
					    unsigned int order, unsigned long n)
{
	struct ga_region_info *regs = calloc(n ? n : 1, sizeof(*regs));

	if (!regs || ga_zone_regions_query(zone, order, regs, n) != (long)n) {
		free(regs);
		return NULL;
	}
#ifdef GA_DEBUG
	for (unsigned long i = 0; i < n; i++) {
		struct ga_region_info w;

		if (ga_region_query(zone, i, order, &w) ||
		    memcmp(&w, &regs[i], sizeof(w))) {
			free(regs);
			return NULL;
		}
	}
#endif
	return regs;
}

int sim_census_take(struct ga_zone *zone, struct sim_census *c)
{
	return sim_census_take_lru(zone, c, NULL, NULL);
}

int sim_census_take_lru(struct ga_zone *zone, struct sim_census *c,
			const uint32_t *lru, const uint32_t *drop)
{
	struct census_acc acc;
	struct ga_zone_info zi;
	struct ga_region_info *regs;
	unsigned long n = ga_zone_nr_regions(zone, 0);
	unsigned long pb_pages;

	memset(c, 0, sizeof(*c));
	ga_zone_info(zone, &zi);
	pb_pages = 1ul << zi.pageblock_order;
	if (acc_alloc(&acc, n ? n : 1))
		return -ENOMEM;
	c->regions = n;
	c->region_pages = 1ul << zi.spb_order;
	regs = query_regions(zone, 0, n);
	if (!regs) {
		acc_free(&acc);
		return -ENOMEM;
	}
	for (unsigned long i = 0; i < n; i++) {
		/* Regions are numbered from the first spb-aligned one. */
		unsigned long k = (unsigned long)(zi.start_pfn >> zi.spb_order) + i;
		uint64_t l = lru ? lru[k] : 0, d = drop ? drop[k] : 0;

		add_region(c, &acc, &regs[i], pb_pages, l, d);
	}
	free(regs);
	c->nonmovable = c->unmovable + c->reclaimable + c->highatomic_reserved;
	c->ideal = sim_ideal_tainted(c->nonmovable, c->region_pages);
	/* Migration targets must leave the min watermark alone, as the
	 * kernel's migration target allocations do. */
	c->obtainable_after = c->obtainable_now +
		sim_greedy_obtainable(acc.cost, acc.free_in, acc.nr_cand,
				      acc.free_nonempty, zi.wmark_min);
	c->obtainable_reclaim = c->obtainable_now +
		sim_greedy_obtainable(acc.rcost, acc.rfree_in, acc.nr_cand,
				      acc.free_nonempty + acc.lru_nonempty,
				      zi.wmark_min);
	memcpy(c->blocks_mt, zi.blocks_mt, sizeof(c->blocks_mt));
	take_indices(zone, &zi, c);
	acc_free(&acc);
	return 0;
}

void sim_counters_read(struct ga_zone *zone, struct sim_counters *k)
{
	struct ga_stats s;

	ga_zone_stats(zone, &s);
	memset(k, 0, sizeof(*k));
	k->fallbacks = s.v[GA_STAT_FALLBACK];
	k->fallbacks_fragmenting = s.v[GA_STAT_FALLBACK_FRAGMENTING];
	k->claims = s.v[GA_STAT_FALLBACK_CHANGE_OWNERSHIP];
	k->claim_whole = s.v[GA_STAT_CLAIM_WHOLE];
	k->claim_partial = s.v[GA_STAT_CLAIM_PARTIAL];
	k->claim_refused = s.v[GA_STAT_CLAIM_REFUSED];
	k->steals = s.v[GA_STAT_STEAL];
	k->kswapd_reclaimed = s.v[GA_STAT_KSWAPD_RECLAIMED];
	k->direct_reclaimed = s.v[GA_STAT_DIRECT_RECLAIMED];
	k->alloc_fail = s.v[GA_STAT_ALLOC_FAIL];
	k->highatomic_reserve = s.v[GA_STAT_HIGHATOMIC_RESERVE];
	k->boosts = s.v[GA_STAT_BOOST];
	k->pgalloc = s.v[GA_STAT_PGALLOC];
	k->pgfree = s.v[GA_STAT_PGFREE];
}

/* ------------------------------------------------------------------------ */
/* Memory map.                                                               */

const char *const sim_pb_kind_name[SIM_PB_NR_KINDS] = {
	[SIM_PB_FREE] = "free",
	[SIM_PB_MOVABLE] = "movable",
	[SIM_PB_PINNED] = "pinned",
	[SIM_PB_RECLAIMABLE] = "reclaimable",
	[SIM_PB_UNMOVABLE] = "unmovable",
	[SIM_PB_MIXED] = "mixed",
	[SIM_PB_CONTIG] = "1 GiB page",
	[SIM_PB_HOLE] = "hole",
};

uint8_t sim_pb_classify(const struct ga_region_info *pb, unsigned long pb_pages)
{
	unsigned long used = pb->nr_movable + pb->nr_reclaimable + pb->nr_unmovable;
	unsigned int kinds = !!pb->nr_movable + !!pb->nr_reclaimable +
			     !!pb->nr_unmovable;
	uint8_t k;

	if (pb->nr_reserved == pb_pages)
		return SIM_PB_HOLE;
	if (pb->nr_contig)
		return SIM_PB_CONTIG;
	if (!used)
		return SIM_PB_FREE;
	if (kinds > 1)
		k = SIM_PB_MIXED;
	else if (pb->nr_unmovable)
		k = SIM_PB_UNMOVABLE;
	else if (pb->nr_reclaimable)
		k = SIM_PB_RECLAIMABLE;
	else if (pb->nr_pinned)
		k = SIM_PB_PINNED;
	else
		k = SIM_PB_MOVABLE;
	return used * 2 < pb_pages ? k | SIM_PB_SPARSE : k;
}

uint8_t *sim_map_capture(struct ga_zone *zone, unsigned int *width,
			 unsigned int *height)
{
	struct ga_zone_info zi;
	unsigned long nr_pb, per_row, rows, first;
	struct ga_region_info *pbs;
	uint8_t *map;

	ga_zone_info(zone, &zi);
	nr_pb = ga_zone_nr_regions(zone, zi.pageblock_order);
	per_row = 1ul << (zi.spb_order - zi.pageblock_order);
	rows = ga_zone_nr_regions(zone, 0);
	map = malloc(rows * per_row);
	if (!map)
		return NULL;
	memset(map, SIM_PB_HOLE, rows * per_row);
	/* The first pageblock's column inside its region. */
	first = (unsigned long)((zi.start_pfn >> zi.pageblock_order) & (per_row - 1));
	pbs = query_regions(zone, zi.pageblock_order, nr_pb);
	if (!pbs) {
		free(map);
		return NULL;
	}
	for (unsigned long i = 0; i < nr_pb && first + i < rows * per_row; i++)
		map[first + i] = sim_pb_classify(&pbs[i], 1ul << zi.pageblock_order);
	free(pbs);
	*width = (unsigned int)per_row;
	*height = (unsigned int)rows;
	return map;
}

void sim_census_add(struct sim_census *sum, const struct sim_census *c)
{
	bool bigger = c->pageblocks > sum->pageblocks;

	if (bigger) {
		memcpy(sum->idx_order, c->idx_order, sizeof(sum->idx_order));
		memcpy(sum->unusable, c->unusable, sizeof(sum->unusable));
		memcpy(sum->fragindex, c->fragindex, sizeof(sum->fragindex));
	}
	sum->regions += c->regions;
	sum->tainted += c->tainted;
	sum->clean += c->clean;
	sum->empty += c->empty;
	sum->clean_pinned += c->clean_pinned;
	sum->unmovable += c->unmovable;
	sum->reclaimable += c->reclaimable;
	sum->movable += c->movable;
	sum->pinned += c->pinned;
	sum->contig += c->contig;
	sum->free += c->free;
	sum->pcp += c->pcp;
	sum->reserved += c->reserved;
	sum->highatomic_reserved += c->highatomic_reserved;
	sum->nonmovable += c->nonmovable;
	if (!sum->region_pages)
		sum->region_pages = c->region_pages;
	sum->ideal = sim_ideal_tainted(sum->nonmovable, sum->region_pages);
	sum->obtainable_now += c->obtainable_now;
	sum->obtainable_after += c->obtainable_after;
	sum->obtainable_reclaim += c->obtainable_reclaim;
	sum->pageblocks += c->pageblocks;
	sum->mixed_pageblocks += c->mixed_pageblocks;
	sum->unmovable_pageblocks += c->unmovable_pageblocks;
	sum->free_pageblocks += c->free_pageblocks;
	for (int mt = 0; mt < GA_MT_TYPES; mt++)
		sum->blocks_mt[mt] += c->blocks_mt[mt];
}

void sim_counters_add(struct sim_counters *sum, const struct sim_counters *k)
{
	sum->fallbacks += k->fallbacks;
	sum->fallbacks_fragmenting += k->fallbacks_fragmenting;
	sum->claims += k->claims;
	sum->claim_whole += k->claim_whole;
	sum->claim_partial += k->claim_partial;
	sum->claim_refused += k->claim_refused;
	sum->steals += k->steals;
	sum->kswapd_reclaimed += k->kswapd_reclaimed;
	sum->direct_reclaimed += k->direct_reclaimed;
	sum->alloc_fail += k->alloc_fail;
	sum->highatomic_reserve += k->highatomic_reserve;
	sum->boosts += k->boosts;
	sum->pgalloc += k->pgalloc;
	sum->pgfree += k->pgfree;
}

void sim_zones_of_zone(struct sim_zones *zs, struct ga_zone *zone)
{
	memset(zs, 0, sizeof(*zs));
	zs->z[0] = zone;
	zs->nr = 1;
	zs->main = zone;
}

void sim_zones_of_node(struct sim_zones *zs, struct ga_node *node)
{
	unsigned long best = 0;

	memset(zs, 0, sizeof(*zs));
	for (int t = 0; t < GA_NR_ZONE_TYPES; t++) {
		struct ga_zone *z = ga_node_zone(node, t);
		struct ga_zone_info zi;

		if (!z)
			continue;
		zs->z[zs->nr++] = z;
		ga_zone_info(z, &zi);
		if (zi.managed_pages > best) {
			best = zi.managed_pages;
			zs->main = z;
		}
	}
}

int sim_census_take_zones(const struct sim_zones *zs, struct sim_census *c,
			  const uint32_t *lru, const uint32_t *drop)
{
	int err = sim_census_take_lru(zs->main, c, lru, drop);

	for (size_t i = 0; i < zs->nr && !err; i++) {
		struct sim_census one;

		if (zs->z[i] == zs->main)
			continue;
		err = sim_census_take_lru(zs->z[i], &one, lru, drop);
		if (!err)
			sim_census_add(c, &one);
	}
	return err;
}

void sim_counters_read_zones(const struct sim_zones *zs, struct sim_counters *k)
{
	memset(k, 0, sizeof(*k));
	for (size_t i = 0; i < zs->nr; i++) {
		struct sim_counters one;

		sim_counters_read(zs->z[i], &one);
		sim_counters_add(k, &one);
	}
}

void sim_stats_read_zones(const struct sim_zones *zs, struct ga_stats *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < zs->nr; i++) {
		struct ga_stats one;

		ga_zone_stats(zs->z[i], &one);
		for (int k = 0; k < GA_NR_STATS; k++)
			s->v[k] += one.v[k];
		for (int a = 0; a < GA_MT_PCPTYPES; a++)
			for (int b = 0; b < GA_MT_TYPES; b++)
				s->fallback[a][b] += one.fallback[a][b];
	}
}
