// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Zone setup and teardown: geometry checks, metadata layout in caller
 * memory, the boot-time free of every usable page (memblock_free_pages ->
 * __free_pages_core), and watermarks (setup_per_zone_wmarks).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "internal.h"

void ga_zone_config_default(struct ga_zone_config *cfg, ga_pfn_t start_pfn,
			    ga_pfn_t end_pfn, unsigned int nr_cpus)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->start_pfn = start_pfn;
	cfg->end_pfn = end_pfn;
	cfg->page_shift = 12;
	cfg->pageblock_order = 9;
	cfg->max_page_order = 10;
	cfg->spb_order = 18;
	cfg->nr_cpus = nr_cpus;
}

static int config_error(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errbuf && errlen) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int check_ranges(const struct ga_zone_config *cfg,
			const struct ga_pfn_range *r, size_t nr, const char *what,
			bool block_aligned, char *errbuf, size_t errlen)
{
	ga_pfn_t mask = (1ul << cfg->pageblock_order) - 1;

	if (nr && !r)
		return config_error(errbuf, errlen, "%zu %s ranges but no array",
				    nr, what);
	for (size_t i = 0; i < nr; i++) {
		if (r[i].start >= r[i].end || r[i].start < cfg->start_pfn ||
		    r[i].end > cfg->end_pfn)
			return config_error(errbuf, errlen,
				"%s range %zu [%#llx, %#llx) is empty or outside the zone",
				what, i, (unsigned long long)r[i].start,
				(unsigned long long)r[i].end);
		if (block_aligned && ((r[i].start & mask) || (r[i].end & mask)))
			return config_error(errbuf, errlen,
				"%s range %zu is not pageblock-aligned", what, i);
	}
	return 0;
}

/* The end the zone may grow to (ga_zone_resize); end_pfn if none given. */
static ga_pfn_t config_max_end(const struct ga_zone_config *cfg)
{
	return cfg->max_end_pfn ? cfg->max_end_pfn : cfg->end_pfn;
}

int ga_zone_config_check(const struct ga_zone_config *cfg, char *errbuf,
			 size_t errlen)
{
	ga_pfn_t mask, max_end;
	int err;

	if (!cfg)
		return config_error(errbuf, errlen, "no configuration");
	if (cfg->page_shift < 12 || cfg->page_shift > 16)
		return config_error(errbuf, errlen,
				    "page_shift %u outside 12..16", cfg->page_shift);
	if (cfg->max_page_order > GA_MAX_ORDER_LIMIT)
		return config_error(errbuf, errlen, "max_page_order %u > %u",
				    cfg->max_page_order, GA_MAX_ORDER_LIMIT);
	if (cfg->pageblock_order <= PAGE_ALLOC_COSTLY_ORDER ||
	    cfg->pageblock_order > 15 ||
	    cfg->pageblock_order > cfg->max_page_order)
		return config_error(errbuf, errlen,
			"pageblock_order %u must be in %u..min(15, max_page_order %u)",
			cfg->pageblock_order, PAGE_ALLOC_COSTLY_ORDER + 1,
			cfg->max_page_order);
	if (cfg->spb_order < cfg->max_page_order || cfg->spb_order > 30)
		return config_error(errbuf, errlen,
				    "spb_order %u must be in max_page_order..30",
				    cfg->spb_order);
	if (cfg->nr_cpus == 0 || cfg->nr_cpus > GA_MAX_CPUS)
		return config_error(errbuf, errlen, "nr_cpus %u outside 1..%u",
				    cfg->nr_cpus, GA_MAX_CPUS);
	mask = (1ul << cfg->pageblock_order) - 1;
	if ((cfg->start_pfn & mask) || (cfg->end_pfn & mask))
		return config_error(errbuf, errlen,
			"zone [%#llx, %#llx) is not aligned to pageblocks of %lu pages",
			(unsigned long long)cfg->start_pfn,
			(unsigned long long)cfg->end_pfn, (unsigned long)mask + 1);
	if (cfg->end_pfn <= cfg->start_pfn)
		return config_error(errbuf, errlen, "zone is empty");
	max_end = config_max_end(cfg);
	if (max_end < cfg->end_pfn || (max_end & mask))
		return config_error(errbuf, errlen,
			"max_end_pfn %#llx is below end_pfn or not pageblock-aligned",
			(unsigned long long)max_end);
	if (max_end > cfg->end_pfn &&
	    (cfg->end_pfn & (((ga_pfn_t)1 << cfg->spb_order) - 1)))
		return config_error(errbuf, errlen,
			"a zone that may grow must end on a superpageblock boundary");
	/* Also keeps every pfn + 2^order (order <= spb_order + 1) from wrapping. */
	if (max_end > (ga_pfn_t)1 << (64 - cfg->page_shift))
		return config_error(errbuf, errlen,
			"zone end %#llx: pfns above 2^%u have no 64-bit address",
			(unsigned long long)max_end, 64 - cfg->page_shift);
	if (max_end - cfg->start_pfn >= GA_NIL)
		return config_error(errbuf, errlen,
				    "zone spans %llu pages, more than %u",
				    (unsigned long long)(max_end - cfg->start_pfn),
				    GA_NIL - 1);
	err = check_ranges(cfg, cfg->holes, cfg->nr_holes, "hole", false,
			   errbuf, errlen);
	if (!err)
		err = check_ranges(cfg, cfg->cma, cfg->nr_cma, "cma", true,
				   errbuf, errlen);
	if (!err && cfg->policy)
		err = ga_policy_check(cfg->policy, errbuf, errlen);
	return err;
}

/* Metadata layout: zone, pcp array, pageblocks, pages; 64-byte aligned. */
#define ALIGN64(x) (((x) + 63) & ~(size_t)63)

struct layout {
	size_t pcp, evac, spb, blocks, owned, heads, pages, total;
	unsigned int nr_evac;
};

static struct ga_policy config_policy(const struct ga_zone_config *cfg)
{
	struct ga_policy p;

	if (cfg->policy)
		return *cfg->policy;
	ga_policy_preset(&p, "vanilla");
	return p;
}

static struct layout zone_layout(const struct ga_zone_config *cfg)
{
	/* Laid out for the largest span: hotplug never moves an array. */
	size_t nr_pages = config_max_end(cfg) - cfg->start_pfn;
	size_t nr_blocks = nr_pages >> cfg->pageblock_order;
	struct layout l;

	struct ga_policy p = config_policy(cfg);
	unsigned long nr_spbs = spb_count(cfg->start_pfn, config_max_end(cfg),
					  cfg->spb_order);

	l.nr_evac = p.evacuate_pool;
	l.pcp = ALIGN64(sizeof(struct ga_zone));
	l.evac = l.pcp + ALIGN64(sizeof(struct ga_pcp) * cfg->nr_cpus);
	l.spb = l.evac + ALIGN64(evacuate_pool_size(l.nr_evac));
	l.blocks = l.spb + ALIGN64(spb_metadata_size(nr_spbs, p.spb_free_lists));
	l.owned = l.blocks + ALIGN64(sizeof(struct ga_pageblock) * nr_blocks);
	l.heads = l.owned + ALIGN64(pcp_buddy_metadata_size(nr_blocks, p.pcp_buddy));
	l.pages = l.heads + ALIGN64(pcp_buddy_heads_size(nr_pages, p.pcp_buddy));
	l.total = l.pages + ALIGN64(sizeof(struct ga_page) * nr_pages);
	return l;
}

size_t ga_zone_metadata_size(const struct ga_zone_config *cfg)
{
	if (ga_zone_config_check(cfg, NULL, 0))
		return 0;
	return zone_layout(cfg).total;
}

static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0, bit = 1ul << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/*
 * calculate_min_free_kbytes + khugepaged's set_recommended_min_free_kbytes
 * for lowmem_pages of lowmem in nr_zones zones (those up to Normal).
 */
unsigned long min_free_kbytes_for(const struct ga_policy *p, unsigned long lowmem_pages,
				  unsigned int nr_zones, unsigned int page_shift,
				  unsigned int pageblock_nr_pages)
{
	unsigned long kb_per_page = 1ul << (page_shift - 10);
	unsigned long mfk, rec;

	if (p->min_free_kbytes)
		return p->min_free_kbytes;
	mfk = ga_clamp(int_sqrt(lowmem_pages * kb_per_page * 16), 128ul, 262144ul);
	if (p->thp_min_free) {
		rec = (unsigned long)pageblock_nr_pages * nr_zones *
		      (2 + GA_MT_PCPTYPES * GA_MT_PCPTYPES);
		rec = ga_min(rec, lowmem_pages / 20) * kb_per_page;
		mfk = ga_max(mfk, rec);
	}
	return mfk;
}

/*
 * __setup_per_zone_wmarks. A zone alone stands for all of lowmem and gets
 * the whole min; a zone of a node gets its share by managed pages (a
 * Movable zone a small fixed min instead), or the watermarks it was given.
 * Also after a resize, under zone->lock: the fast path reads them without.
 */
void setup_zone_watermarks(struct ga_zone *z)
{
	unsigned long min, gap, share;

	if (z->wmark_given) {
		WRITE_ONCE(z->min_free_kbytes, z->node_min_free_kbytes);
		for (int i = 0; i < NR_WMARK; i++)
			WRITE_ONCE(z->watermark[i], z->wmark_given_pages[i]);
		WRITE_ONCE(z->watermark_boost, 0ul);
		WRITE_ONCE(z->max_highatomic, highatomic_max(z));
		return;
	}
	if (z->node_min_free_kbytes)
		WRITE_ONCE(z->min_free_kbytes, z->node_min_free_kbytes);
	else
		WRITE_ONCE(z->min_free_kbytes,
			   min_free_kbytes_for(&z->policy, z->managed_pages,
					       z->policy.thp_nr_zones, z->page_shift,
					       z->pageblock_nr_pages));
	min = z->min_free_kbytes >> (z->page_shift - 10);
	share = min;
	if (z->zone_type == GA_ZONE_MOVABLE)
		share = ga_clamp(z->managed_pages / 1024, 32ul, 128ul);
	else if (z->node_lowmem_pages)
		share = (unsigned long)((unsigned __int128)min * z->managed_pages /
					z->node_lowmem_pages);
	gap = ga_max(share >> 2, z->managed_pages *
				 z->policy.watermark_scale_factor / 10000);
	WRITE_ONCE(z->watermark[WMARK_MIN], share);
	WRITE_ONCE(z->watermark[WMARK_LOW], share + gap);
	WRITE_ONCE(z->watermark[WMARK_HIGH], share + 2 * gap);
	WRITE_ONCE(z->watermark_boost, 0ul);
	WRITE_ONCE(z->max_highatomic, highatomic_max(z));
}

/* Mark hole pages reserved; returns how many. */
static unsigned long reserve_holes(struct ga_zone *z,
				   const struct ga_zone_config *cfg)
{
	unsigned long nr = 0;

	for (size_t i = 0; i < cfg->nr_holes; i++) {
		for (ga_pfn_t pfn = cfg->holes[i].start; pfn < cfg->holes[i].end; pfn++) {
			struct ga_page *p = pfn_to_page(z, pfn);

			if (page_state(p) == GA_PAGE_RESERVED)
				continue;	/* overlapping holes */
			set_page_head(p, GA_PAGE_RESERVED, 0, 0);
			pfn_to_block(z, pfn)->nr_reserved++;
			nr++;
		}
	}
	return nr;
}

/*
 * Memory the zone may grow into is offline: reserved pages in pageblocks
 * wholly of holes, outside the span every walk and counter covers, labelled
 * MOVABLE as memmap_init_range() labels hot-added memory.
 */
static void reserve_offline(struct ga_zone *z)
{
	int mt = pageblock_label(z, GA_MT_MOVABLE);

	for (ga_pfn_t pfn = z->end_pfn; pfn < z->max_end_pfn; pfn++)
		set_page_head(pfn_to_page(z, pfn), GA_PAGE_RESERVED, 0, 0);
	for (ga_pfn_t b = z->end_pfn; b < z->max_end_pfn; b += z->pageblock_nr_pages) {
		pfn_to_block(z, b)->nr_reserved = (uint16_t)z->pageblock_nr_pages;
		pfn_to_block(z, b)->mt = (uint8_t)mt;
	}
}

/* Every pageblock MOVABLE (memmap_init), which without mobility grouping
 * is stored as UNMOVABLE; then the CMA ranges. */
static void label_pageblocks(struct ga_zone *z, const struct ga_zone_config *cfg)
{
	int mt = pageblock_label(z, GA_MT_MOVABLE);

	for (unsigned long i = 0; i < z->nr_pageblocks; i++)
		z->blocks[i].mt = (uint8_t)mt;
	z->blocks_mt[mt] = z->nr_pageblocks;
	for (size_t i = 0; i < cfg->nr_cma; i++)
		for (ga_pfn_t pfn = cfg->cma[i].start; pfn < cfg->cma[i].end;
		     pfn += z->pageblock_nr_pages)
			set_pageblock_migratetype(z, pfn, GA_MT_CMA);
}

/*
 * Free every usable page in the largest aligned chunks that avoid holes,
 * to the list tails (FPI_TO_TAIL), as memory onlining does.
 */
static void free_usable_pages(struct ga_zone *z)
{
	ga_pfn_t pfn = z->start_pfn;

	zone_lock(z);
	while (pfn < z->end_pfn) {
		unsigned int order = 0;

		if (page_state(pfn_to_page(z, pfn)) == GA_PAGE_RESERVED) {
			pfn++;
			continue;
		}
		while (order < z->max_order && !(pfn & ((2ul << order) - 1)) &&
		       pfn + (2ul << order) <= z->end_pfn) {
			ga_pfn_t p, end = pfn + (2ul << order);
			bool clean = true;

			for (p = pfn + (1ul << order); p < end; p++)
				if (page_state(pfn_to_page(z, p)) == GA_PAGE_RESERVED) {
					clean = false;
					break;
				}
			if (!clean)
				break;
			order++;
		}
		split_large_buddy(z, pfn, order, true);
		pfn += 1ul << order;
	}
	zone_unlock(z);
}

int ga_zone_init(struct ga_zone **zonep, const struct ga_zone_config *cfg,
		 void *mem, size_t size)
{
	struct ga_zone *z = mem;
	struct layout l;
	char *base = mem;
	int err = ga_zone_config_check(cfg, NULL, 0);

	if (err)
		return err;
	if (!zonep)
		return -EINVAL;
	l = zone_layout(cfg);
	if (!mem || size < l.total || ((uintptr_t)mem & 63))
		return -ENOSPC;

	memset(mem, 0, l.total);
	z->start_pfn = cfg->start_pfn;
	z->end_pfn = cfg->end_pfn;
	z->max_end_pfn = config_max_end(cfg);
	z->nr_pages = cfg->end_pfn - cfg->start_pfn;
	z->page_shift = cfg->page_shift;
	z->pageblock_order = cfg->pageblock_order;
	z->pageblock_nr_pages = 1u << cfg->pageblock_order;
	z->nr_pageblocks = z->nr_pages >> cfg->pageblock_order;
	z->max_order = cfg->max_page_order;
	z->spb_order = cfg->spb_order;
	z->nr_cpus = cfg->nr_cpus;
	z->zone_type = -1;
	if (cfg->policy)
		z->policy = *cfg->policy;
	else
		ga_policy_preset(&z->policy, "vanilla");
	if (cfg->ops)
		z->ops = *cfg->ops;
	z->ops_ctx = cfg->ops_ctx;
	z->executor = cfg->executor;
	z->pcp = (struct ga_pcp *)(base + l.pcp);
	z->blocks = (struct ga_pageblock *)(base + l.blocks);
	z->pages = (struct ga_page *)(base + l.pages);
	ga_lock_init(&z->lock);

	for (unsigned int o = 0; o < GA_NR_ORDERS_MAX; o++)
		for (int mt = 0; mt < GA_MT_TYPES; mt++)
			ga_list_init(&z->free_area[o].list[mt]);

	z->managed_pages = z->nr_pages - reserve_holes(z, cfg);
	reserve_offline(z);
	spb_init(z, base + l.spb);
	if (!z->managed_pages)
		return -EINVAL;
	label_pageblocks(z, cfg);
	setup_zone_watermarks(z);
	pcp_setup(z);
	pcp_buddy_init(z, z->policy.pcp_buddy ? base + l.owned : NULL,
		       z->policy.pcp_buddy ? base + l.heads : NULL);
	evacuate_init(z, base + l.evac, l.nr_evac);
	compaction_init(z);
	spb_background_init(z);
	spb_shrink_init(z);
	free_usable_pages(z);
	*zonep = z;
	return 0;
}

int ga_zone_create(struct ga_zone **zonep, const struct ga_zone_config *cfg)
{
	size_t size = ga_zone_metadata_size(cfg);
	void *mem;
	int err;

	if (!size || !zonep)
		return -EINVAL;
	mem = ga_meta_alloc(size);
	if (!mem)
		return -ENOMEM;
	err = ga_zone_init(zonep, cfg, mem, size);
	if (err) {
		ga_meta_free(mem, size);
		return err;
	}
	(*zonep)->owned_mem = mem;
	(*zonep)->owned_size = size;
	return 0;
}

void ga_zone_destroy(struct ga_zone *z)
{
	if (!z)
		return;
	/* Queued work points into this zone: let it finish first. */
	compaction_stop(z);
	spb_background_stop(z);
	if (z->executor)
		ga_executor_run_pending(z->executor);
	for (unsigned int cpu = 0; cpu < z->nr_cpus; cpu++)
		ga_lock_destroy(&z->pcp[cpu].lock);
	ga_lock_destroy(&z->lock);
	ga_meta_free(z->owned_mem, z->owned_size);
}

const struct ga_policy *ga_zone_policy(const struct ga_zone *z)
{
	return &z->policy;
}
