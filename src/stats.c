// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Statistics and the kernel's text reports: /proc/buddyinfo,
 * /proc/pagetypeinfo (with page_owner's mixed-block section), /proc/vmstat
 * style counters, and debugfs extfrag/{unusable_index,extfrag_index}
 * (mm/vmstat.c, mm/page_owner.c, v6.12).
 *
 * Every report snapshots what it needs under the locks first and prints
 * afterwards: stdio may block, and a spinlock must not be held across it.
 * Lock order is pcp->lock before zone->lock, so the two are never nested
 * here; each is taken on its own.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "internal.h"

/* One zone, reported like node 0's Normal zone. */
#define REPORT_NODE	0
#define REPORT_ZONE	"Normal"

/* pagetypeinfo_showfree_print stops walking a free list at this length. */
#define FREECOUNT_CAP	100000ul

/* ga_zone_config_check's upper bound for spb_order. */
#define SPB_ORDER_LIMIT	30

/* ------------------------------------------------------------------------ */
/* Names.                                                                    */

/* migratetype_names[] (mm/page_alloc.c), CMA and ISOLATION configured. */
static const char *const migratetype_names[GA_MT_TYPES] = {
	[GA_MT_UNMOVABLE]	= "Unmovable",
	[GA_MT_MOVABLE]		= "Movable",
	[GA_MT_RECLAIMABLE]	= "Reclaimable",
	[GA_MT_HIGHATOMIC]	= "HighAtomic",
	[GA_MT_CMA]		= "CMA",
	[GA_MT_ISOLATE]		= "Isolate",
};

/* The same, as they appear inside vmstat counter names. */
static const char *const migratetype_keys[GA_MT_TYPES] = {
	[GA_MT_UNMOVABLE]	= "unmovable",
	[GA_MT_MOVABLE]		= "movable",
	[GA_MT_RECLAIMABLE]	= "reclaimable",
	[GA_MT_HIGHATOMIC]	= "highatomic",
	[GA_MT_CMA]		= "cma",
	[GA_MT_ISOLATE]		= "isolate",
};

/* Out-of-range values get "?" rather than NULL, so "%s" stays safe. */
const char *ga_migratetype_name(int mt)
{
	if (mt < 0 || mt >= GA_MT_TYPES)
		return "?";
	return migratetype_names[mt];
}

/*
 * The counter names, listed once. The list both fills the table with
 * designated initializers and counts its own entries: with the count equal
 * to GA_NR_STATS, an index that is too large failing to compile, and a
 * repeated index rejected by -Woverride-init (part of -Wextra), every
 * entry of the table is known to be set.
 */
#define STAT_NAMES(X)							\
	X(PGALLOC, "pgalloc")						\
	X(PGFREE, "pgfree")						\
	X(ALLOC_CALLS, "alloc_calls")					\
	X(FREE_CALLS, "free_calls")					\
	X(ALLOC_FAIL, "alloc_fail")					\
	X(ALLOC_SLOWPATH, "alloc_slowpath")				\
	X(ALLOC_NOFRAG_RETRY, "alloc_nofrag_retry")			\
	X(PCP_ALLOC, "pcp_alloc")					\
	X(PCP_FREE, "pcp_free")						\
	X(PCP_REFILL, "pcp_refill")					\
	X(PCP_REFILL_PAGES, "pcp_refill_pages")				\
	X(PCP_DRAIN_PAGES, "pcp_drain_pages")				\
	X(PCP_TRYLOCK_FAIL, "pcp_trylock_fail")				\
	X(ZONE_LOCK, "zone_lock")					\
	X(PCPB_CLAIM, "pcpb_claim")					\
	X(PCPB_RECOVER, "pcpb_recover")					\
	X(PCPB_RECOVER_PAGES, "pcpb_recover_pages")			\
	X(PCPB_ADOPT, "pcpb_adopt")					\
	X(PCPB_CHUNK, "pcpb_chunk")					\
	X(PCPB_CHUNK_PAGES, "pcpb_chunk_pages")				\
	X(PCPB_RMQUEUE_PAGES, "pcpb_rmqueue_pages")			\
	X(PCPB_REMOTE_FREE, "pcpb_remote_free")				\
	X(PCPB_LOCAL_DEFER, "pcpb_local_defer")				\
	X(PCPB_MERGE, "pcpb_merge")					\
	X(PCPB_RELEASE, "pcpb_release")					\
	X(PCPB_REABSORB, "pcpb_reabsorb")				\
	X(PCPB_DISOWN, "pcpb_disown")					\
	X(PCPB_FOLLOW, "pcpb_follow")					\
	X(FALLBACK, "fallback")						\
	X(FALLBACK_FRAGMENTING, "fallback_fragmenting")			\
	X(FALLBACK_CHANGE_OWNERSHIP, "fallback_change_ownership")	\
	X(CLAIM_WHOLE, "claim_whole")					\
	X(CLAIM_PARTIAL, "claim_partial")				\
	X(CLAIM_REFUSED, "claim_refused")				\
	X(STEAL, "steal")						\
	X(CMA_ALLOC, "cma_alloc")					\
	X(BOOST, "boost")						\
	X(HIGHATOMIC_RESERVE, "highatomic_reserve")			\
	X(HIGHATOMIC_UNRESERVE, "highatomic_unreserve")			\
	X(HIGHATOMIC_ALLOC, "highatomic_alloc")				\
	X(KSWAPD_WAKE, "kswapd_wake")					\
	X(KSWAPD_RECLAIMED, "kswapd_reclaimed")				\
	X(DIRECT_RECLAIM, "direct_reclaim")				\
	X(DIRECT_RECLAIMED, "direct_reclaimed")				\
	X(DRAIN_ALL, "drain_all")					\
	X(BAD_FREE_RANGE, "bad_free_range")				\
	X(BAD_FREE_ORDER, "bad_free_order")				\
	X(BAD_FREE_HOLE, "bad_free_hole")				\
	X(BAD_FREE_DOUBLE, "bad_free_double")				\
	X(BAD_FREE_NOT_HEAD, "bad_free_not_head")			\
	X(BAD_FREE_WRONG_ORDER, "bad_free_wrong_order")			\
	X(BAD_ARG, "bad_arg")						\
	X(PGISOLATED, "pgisolated")					\
	X(PGMIGRATE_SUCCESS, "pgmigrate_success")			\
	X(PGMIGRATE_FAIL_BUSY, "pgmigrate_fail_busy")			\
	X(PGMIGRATE_FAIL_AGAIN, "pgmigrate_fail_again")			\
	X(PGMIGRATE_FAIL_PINNED, "pgmigrate_fail_pinned")		\
	X(PGMIGRATE_FAIL_NOMEM, "pgmigrate_fail_nomem")			\
	X(PGMIGRATE_FREED, "pgmigrate_freed")				\
	X(PGDROP, "pgdrop")						\
	X(PGDROP_REFUSED, "pgdrop_refused")				\
	X(FREE_DEFERRED, "free_deferred")				\
	X(CONTIG_ATTEMPT, "contig_attempt")				\
	X(CONTIG_SUCCESS, "contig_success")				\
	X(CONTIG_FAIL_UNMOVABLE, "contig_fail_unmovable")		\
	X(CONTIG_FAIL_RECLAIMABLE, "contig_fail_reclaimable")		\
	X(CONTIG_FAIL_PINNED, "contig_fail_pinned")			\
	X(CONTIG_FAIL_BUSY, "contig_fail_busy")				\
	X(CONTIG_FAIL_NOMEM, "contig_fail_nomem")			\
	X(CONTIG_PAGES_MOVED, "contig_pages_moved")			\
	X(CONTIG_PAGES_OBTAINED, "contig_pages_obtained")		\
	X(EVAC_QUEUED, "evac_queued")					\
	X(EVAC_DROPPED, "evac_dropped")					\
	X(EVAC_SKIPPED, "evac_skipped")					\
	X(EVAC_RUN, "evac_run")						\
	X(EVAC_PAGES_MIGRATED, "evac_pages_migrated")			\
	X(EVAC_PAGES_DROPPED, "evac_pages_dropped")			\
	X(EVAC_PAGES_FAILED, "evac_pages_failed")			\
	X(EVAC_PAGES_PINNED, "evac_pages_pinned")			\
	X(EVAC_BLOCKS_CLEAN, "evac_blocks_clean")			\
	X(EVAC_BLOCKS_DIRTY, "evac_blocks_dirty")			\
	X(EVAC_CLAIM_REFUSED, "evac_claim_refused")			\
	X(EVAC_LATENCY_NS, "evac_latency_ns")				\
	X(EVAC_STOPPED, "evac_stopped")					\
	X(SPB_DEFRAG_QUEUED, "spb_defrag_queued")			\
	X(SPB_DEFRAG_COOLDOWN, "spb_defrag_cooldown")			\
	X(SPB_DEFRAG_RUN, "spb_defrag_run")				\
	X(SPB_DEFRAG_NOOP, "spb_defrag_noop")				\
	X(SPB_DEFRAG_PINNED, "spb_defrag_pinned")			\
	X(SPB_DEFRAG_BLOCKS, "spb_defrag_blocks")			\
	X(SPB_DEFRAG_FREED, "spb_defrag_freed")				\
	X(SPB_DEFRAG_PAGES, "spb_defrag_pages")				\
	X(SPB_EVAC_P1_ATTEMPT, "spb_evac_phase1_attempts")		\
	X(SPB_EVAC_P1_SUCCESS, "spb_evac_phase1_successes")		\
	X(SPB_EVAC_P2_ATTEMPT, "spb_evac_phase2_attempts")		\
	X(SPB_EVAC_P2_SUCCESS, "spb_evac_phase2_successes")		\
	X(SPB_EVAC_PAGES, "spb_evac_pages")				\
	X(SPB_EVAC_SERVED, "spb_evac_served")				\
	X(SPB_EVAC_DEFERRED, "spb_evac_deferred")			\
	X(SPB_EVAC_THROTTLED, "spb_evac_throttled")			\
	X(SPB_EVAC_DEFERRED_RUN, "spb_evac_deferred_run")		\
	X(COMPACT_STALL, "compact_stall")				\
	X(COMPACT_SUCCESS, "compact_success")				\
	X(COMPACT_FAIL, "compact_fail")					\
	X(COMPACT_DEFERRED, "compact_deferred")				\
	X(COMPACT_MIGRATE_SCANNED, "compact_migrate_scanned")		\
	X(COMPACT_FREE_SCANNED, "compact_free_scanned")			\
	X(COMPACT_ISOLATED, "compact_isolated")				\
	X(COMPACT_MIGRATED, "compact_migrated")				\
	X(COMPACT_DAEMON_WAKE, "compact_daemon_wake")			\
	X(COMPACT_PROACTIVE, "compact_proactive")			\
	X(SPB_COMPACT_LIST_SCANNED, "spb_compact_list_scanned")	\
	X(SPB_COMPACT_LIST_TARGETS, "spb_compact_list_targets")	\
	X(SPB_COMPACT_SKIP_SPB, "spb_compact_skip_spb")			\
	X(SPB_COMPACT_RESERVE_SKIP, "spb_compact_reserve_skip")		\
	X(SPB_COMPACT_EVAC, "spb_compact_evac")				\
	X(SPB_COMPACT_EVAC_SERVED, "spb_compact_evac_served")		\
	X(SPB_TAINTED, "spb_tainted")					\
	X(SPB_PASS_TAINTED, "spb_pass_tainted")				\
	X(SPB_CLAIM_FREE_TAINTED, "spb_claim_free_tainted")		\
	X(SPB_CLAIM_MOVABLE_TAINTED, "spb_claim_movable_tainted")	\
	X(SPB_BORROW_TAINTED, "spb_borrow_tainted")			\
	X(SPB_TAINT_CLEAN, "spb_taint_clean")				\
	X(SPB_TAINT_EMPTY, "spb_taint_empty")				\
	X(SPB_MOVABLE_CLEAN, "spb_movable_clean")			\
	X(SPB_MOVABLE_TAINTED, "spb_movable_tainted")			\
	X(SPB_MOVABLE_HOLE, "spb_movable_hole")				\
	X(SPB_MOVABLE_EMPTY, "spb_movable_empty")			\
	X(SPB_FALLTHROUGH, "spb_fallthrough")				\
	X(SPB_MOVABLE_GATED, "spb_movable_gated")			\
	X(SPB_NOMIX_REFUSED, "spb_nomix_refused")			\
	X(SPB_RELAX_NOFRAGMENT, "spb_relax_nofragment")			\
	X(SPB_EVACUATE_TRY, "spb_evacuate_try")				\
	X(SPB_EVACUATE_SUCCESS, "spb_evacuate_success")			\
	X(SPB_EVACUATE_PAGES, "spb_evacuate_pages")			\
	X(SPB_SHRINK_WANTED, "spb_shrink_wanted")			\
	X(SPB_SHRINK_CALLS, "spb_shrink_calls")				\
	X(SPB_SHRINK_PAGES, "spb_shrink_pages")				\
	X(PIN_MIGRATE, "pin_migrate")					\
	X(PIN_IN_PLACE, "pin_in_place")					\
	X(SPB_HINT_HIT, "spb_hint_hit")					\
	X(SPB_HINT_MISS, "spb_hint_miss")					\
	X(SPB_REFUSE_OPTIONAL, "spb_refuse_optional")			\
	X(SPB_REFUSE_LOWER_ORDER, "spb_refuse_lower_order")		\
	X(SPB_BORROW_CROSS, "spb_borrow_cross")				\
	X(NOLOCK_BUSY, "nolock_busy")					\
	X(SPB_WALK_FAIL, "spb_walk_fail")				\
	X(SPB_ATOMIC_NO_NOFRAG, "spb_atomic_no_nofrag")			\
	X(SPB_PB_FIRST_SET, "spb_pb_first_set")				\
	X(SPB_PB_LAST_CLEAR, "spb_pb_last_clear")

#define STAT_NAME_ENTRY(item, name)	[GA_STAT_##item] = name,
#define STAT_NAME_COUNT(item, name)	+ 1

static const char *const stat_names[GA_NR_STATS] = {
	STAT_NAMES(STAT_NAME_ENTRY)
};

_Static_assert(0 STAT_NAMES(STAT_NAME_COUNT) == GA_NR_STATS,
	       "STAT_NAMES must name every enum ga_stat_item exactly once");

const char *ga_stat_name(enum ga_stat_item item)
{
	if ((unsigned int)item >= GA_NR_STATS)
		return "?";
	return stat_names[item];
}

/* ------------------------------------------------------------------------ */
/* Counters.                                                                 */

/* Operations served by a pcp list are counted there, not in zone->stat. */
static void pcp_stats_add(struct ga_pcp *pcp, struct ga_stats *s)
{
	ga_lock(&pcp->lock);
	s->v[GA_STAT_ALLOC_CALLS] += pcp->stat[PCP_STAT_ALLOC];
	s->v[GA_STAT_PCP_ALLOC] += pcp->stat[PCP_STAT_ALLOC];
	s->v[GA_STAT_PGALLOC] += pcp->stat[PCP_STAT_PGALLOC];
	s->v[GA_STAT_FREE_CALLS] += pcp->stat[PCP_STAT_FREE];
	s->v[GA_STAT_PCP_FREE] += pcp->stat[PCP_STAT_FREE];
	s->v[GA_STAT_PGFREE] += pcp->stat[PCP_STAT_PGFREE];
	ga_unlock(&pcp->lock);
}

void ga_zone_stats(struct ga_zone *z, struct ga_stats *s)
{
	GA_BUG_ON(!z || !s);
	/*
	 * The lock orders this read after every locked update; READ_ONCE
	 * covers the items bumped atomically without it.
	 */
	ga_lock(&z->lock);
	for (int i = 0; i < GA_NR_STATS; i++)
		s->v[i] = READ_ONCE(z->stat[i]);
	memcpy(s->fallback, z->fallback, sizeof(s->fallback));
	ga_unlock(&z->lock);

	for (unsigned int cpu = 0; cpu < z->nr_cpus; cpu++)
		pcp_stats_add(&z->pcp[cpu], s);
}

void ga_print_vmstat(struct ga_zone *z, FILE *f)
{
	struct ga_stats s;

	ga_zone_stats(z, &s);
	for (int i = 0; i < GA_NR_STATS; i++)
		fprintf(f, "%s %" PRIu64 "\n", ga_stat_name(i), s.v[i]);
	for (int a = 0; a < GA_MT_PCPTYPES; a++)
		for (int fb = 0; fb < GA_MT_TYPES; fb++)
			if (s.fallback[a][fb])
				fprintf(f, "fallback_%s_from_%s %" PRIu64 "\n",
					migratetype_keys[a], migratetype_keys[fb],
					s.fallback[a][fb]);
}

/* ------------------------------------------------------------------------ */
/* Zone information.                                                         */

/* Fields fixed at ga_zone_init. Holes are present but never managed. */
static void zone_info_geometry(const struct ga_zone *z,
			       struct ga_zone_info *info)
{
	info->start_pfn = z->start_pfn;
	info->end_pfn = READ_ONCE(z->end_pfn);
	info->max_end_pfn = z->max_end_pfn;
	info->present_pages = READ_ONCE(z->nr_pages);
	info->managed_pages = READ_ONCE(z->managed_pages);
	info->reserved_pages = READ_ONCE(z->nr_pages) - READ_ONCE(z->managed_pages);
	info->nr_pageblocks = READ_ONCE(z->nr_pageblocks);
	info->page_shift = z->page_shift;
	info->pageblock_order = z->pageblock_order;
	info->max_page_order = z->max_order;
	info->spb_order = z->spb_order;
	info->nr_cpus = z->nr_cpus;
	info->min_free_kbytes = READ_ONCE(z->min_free_kbytes);
	info->wmark_min = READ_ONCE(z->watermark[WMARK_MIN]);
	info->wmark_low = READ_ONCE(z->watermark[WMARK_LOW]);
	info->wmark_high = READ_ONCE(z->watermark[WMARK_HIGH]);
	info->zone_type = z->zone_type;
	for (int i = 0; i < GA_NR_ZONE_TYPES; i++)
		info->lowmem_reserve[i] = z->lowmem_reserve[i];
}

static void zone_info_pcp(struct ga_zone *z, struct ga_zone_info *info)
{
	for (unsigned int cpu = 0; cpu < z->nr_cpus; cpu++) {
		struct ga_pcp *pcp = &z->pcp[cpu];

		ga_lock(&pcp->lock);
		info->pcp_pages += (unsigned long)pcp->count +
				   pcp_buddy_remote_pages(z, pcp);
		if (cpu == 0) {
			info->pcp_batch = pcp->batch;
			info->pcp_high_min = pcp->high_min;
			info->pcp_high_max = pcp->high_max;
		}
		ga_unlock(&pcp->lock);
	}
}

/* Everything zone->lock guards, read in one hold so it is consistent. */
static void zone_info_locked(struct ga_zone *z, struct ga_zone_info *info)
{
	ga_lock(&z->lock);
	info->free_pages = READ_ONCE(z->nr_free_pages);
	info->free_highatomic = READ_ONCE(z->nr_free_highatomic);
	info->free_cma = READ_ONCE(z->nr_free_cma);
	info->watermark_boost = READ_ONCE(z->watermark_boost);
	info->nr_reserved_highatomic = READ_ONCE(z->nr_reserved_highatomic);
	for (unsigned int o = 0; o <= z->max_order; o++) {
		const struct ga_free_area *area = &z->free_area[o];

		info->nr_free[o] = READ_ONCE(area->nr_free);
		for (int mt = 0; mt < GA_MT_TYPES; mt++)
			info->nr_free_mt[o][mt] = READ_ONCE(area->nr[mt]);
	}
	for (int mt = 0; mt < GA_MT_TYPES; mt++)
		info->blocks_mt[mt] = z->blocks_mt[mt];
	ga_unlock(&z->lock);
}

void ga_zone_info(struct ga_zone *z, struct ga_zone_info *info)
{
	GA_BUG_ON(!z || !info);
	memset(info, 0, sizeof(*info));
	zone_info_geometry(z, info);
	zone_info_pcp(z, info);
	zone_info_locked(z, info);
}

/* ------------------------------------------------------------------------ */
/* /proc/buddyinfo.                                                          */

static void snapshot_nr_free(struct ga_zone *z, unsigned long *nr_free)
{
	ga_lock(&z->lock);
	for (unsigned int o = 0; o <= z->max_order; o++)
		nr_free[o] = READ_ONCE(z->free_area[o].nr_free);
	ga_unlock(&z->lock);
}

void ga_print_buddyinfo(struct ga_zone *z, FILE *f)
{
	unsigned long nr_free[GA_NR_ORDERS_MAX];

	snapshot_nr_free(z, nr_free);
	fprintf(f, "Node %d, zone %8s ", REPORT_NODE, REPORT_ZONE);
	for (unsigned int o = 0; o <= z->max_order; o++)
		fprintf(f, "%6lu ", nr_free[o]);
	fputc('\n', f);
}

/* ------------------------------------------------------------------------ */
/* /proc/pagetypeinfo.                                                       */

struct pagetype_snapshot {
	unsigned long freecount[GA_MT_TYPES][GA_NR_ORDERS_MAX];
	unsigned long blocks[GA_MT_TYPES];
	unsigned long mixed[GA_MT_TYPES];
};

/* get_pageblock_migratetype as of v6.16: isolation hides the label. */
static int block_label(const struct ga_zone *z, unsigned long i)
{
	if (z->blocks[i].flags & PB_ISOLATE)
		return GA_MT_ISOLATE;
	return z->blocks[i].mt;
}

/*
 * Step through the heads covering [*pfn, end), the walk of a pageblock:
 * returns the next head's page and moves *pfn past its block, or NULL at
 * the end. Tails and holes advance one page. Start *pfn at
 * block_head() of the block start so a pageblock inside a larger
 * block sees that block's head. Caller holds zone->lock, which keeps the
 * heads in place; only ALLOC <-> PCP changes under it, at the same order.
 */
static const struct ga_page *next_head(struct ga_zone *z, ga_pfn_t *pfn,
				       ga_pfn_t end)
{
	while (*pfn < end) {
		const struct ga_page *p = pfn_to_page(z, *pfn);
		unsigned int state = page_state(p);

		if (state == GA_PAGE_TAIL || state == GA_PAGE_RESERVED) {
			(*pfn)++;
			continue;
		}
		*pfn += 1ul << page_order(p);
		return p;
	}
	return NULL;
}

/*
 * pagetypeinfo_showmixedcount_print: a pageblock is mixed if an allocated
 * page in it was allocated as another migratetype than the block's label.
 * As in the kernel, gfp migratetypes are only the three PCP types, so any
 * allocation in a HighAtomic, CMA or isolated block makes it mixed.
 */
static bool block_is_mixed(struct ga_zone *z, unsigned long i, int label)
{
	ga_pfn_t start = z->start_pfn + ((ga_pfn_t)i << z->pageblock_order);
	ga_pfn_t pfn = start, end = start + z->pageblock_nr_pages;
	const struct ga_page *p;

	if (page_state(pfn_to_page(z, start)) == GA_PAGE_TAIL)
		pfn = block_head(z, start);
	while ((p = next_head(z, &pfn, end)))
		if (page_state(p) == GA_PAGE_ALLOC &&
		    (int)page_alloc_mt(p) != label)
			return true;
	return false;
}

/*
 * The kernel walks each free list and stops at FREECOUNT_CAP; counting
 * the list to the cap gives the same number as the per-type counter.
 */
static void snapshot_free_counts(struct ga_zone *z, struct pagetype_snapshot *s)
{
	ga_lock(&z->lock);
	for (int mt = 0; mt < GA_MT_TYPES; mt++)
		for (unsigned int o = 0; o <= z->max_order; o++)
			s->freecount[mt][o] = READ_ONCE(z->free_area[o].nr[mt]);
	ga_unlock(&z->lock);
}

static void snapshot_block_counts(struct ga_zone *z, struct pagetype_snapshot *s)
{
	ga_lock(&z->lock);
	for (unsigned long i = 0; i < z->nr_pageblocks; i++)
		s->blocks[block_label(z, i)]++;
	ga_unlock(&z->lock);
}

/* One pageblock per lock hold: the scan reads every page of the zone. */
static void snapshot_mixed_counts(struct ga_zone *z, struct pagetype_snapshot *s)
{
	for (unsigned long i = 0; i < READ_ONCE(z->nr_pageblocks); i++) {
		int label;

		ga_lock(&z->lock);
		label = block_label(z, i);
		if (block_is_mixed(z, i, label))
			s->mixed[label == GA_MT_CMA ? GA_MT_MOVABLE : label]++;
		ga_unlock(&z->lock);
	}
}

static void print_type_header(FILE *f, const char *title)
{
	fprintf(f, "\n%-23s", title);
	for (int mt = 0; mt < GA_MT_TYPES; mt++)
		fprintf(f, "%12s ", migratetype_names[mt]);
	fputc('\n', f);
}

static void print_type_counts(FILE *f, const unsigned long *count)
{
	fprintf(f, "Node %d, zone %8s ", REPORT_NODE, REPORT_ZONE);
	for (int mt = 0; mt < GA_MT_TYPES; mt++)
		fprintf(f, "%12lu ", count[mt]);
	fputc('\n', f);
}

static void print_free_counts(struct ga_zone *z, FILE *f,
			      const struct pagetype_snapshot *s)
{
	fprintf(f, "%-43s ", "Free pages count per migrate type at order");
	for (unsigned int o = 0; o <= z->max_order; o++)
		fprintf(f, "%6u ", o);
	fputc('\n', f);

	for (int mt = 0; mt < GA_MT_TYPES; mt++) {
		fprintf(f, "Node %4d, zone %8s, type %12s ", REPORT_NODE,
			REPORT_ZONE, migratetype_names[mt]);
		for (unsigned int o = 0; o <= z->max_order; o++) {
			unsigned long n = s->freecount[mt][o];
			bool overflow = n >= FREECOUNT_CAP;

			fprintf(f, "%s%6lu ", overflow ? ">" : "",
				overflow ? FREECOUNT_CAP : n);
		}
		fputc('\n', f);
	}
}

void ga_print_pagetypeinfo(struct ga_zone *z, FILE *f)
{
	struct pagetype_snapshot s;

	memset(&s, 0, sizeof(s));
	snapshot_free_counts(z, &s);
	snapshot_block_counts(z, &s);
	snapshot_mixed_counts(z, &s);

	fprintf(f, "Page block order: %u\n", z->pageblock_order);
	fprintf(f, "Pages per block:  %lu\n", (unsigned long)z->pageblock_nr_pages);
	fputc('\n', f);
	print_free_counts(z, f, &s);
	print_type_header(f, "Number of blocks type ");
	print_type_counts(f, s.blocks);
	print_type_header(f, "Number of mixed blocks ");
	print_type_counts(f, s.mixed);
}

/* ------------------------------------------------------------------------ */
/* Fragmentation indices.                                                    */

/* struct contig_page_info (mm/vmstat.c). */
struct contig_page_info {
	uint64_t free_pages;
	uint64_t free_blocks_total;
	uint64_t free_blocks_suitable;
};

/* Free-list state for every order up to some hi order, read in one hold. */
struct frag_snapshot {
	unsigned long nr_free[GA_NR_ORDERS_MAX];
	/* orders above max_order: 2^order-aligned regions wholly free */
	unsigned long free_regions[SPB_ORDER_LIMIT + 1];
};

/* Aligned 2^order regions inside the run of free pageblocks [start, end). */
static void count_run_regions(const struct ga_zone *z, ga_pfn_t start,
			      ga_pfn_t end, unsigned int hi,
			      unsigned long *free_regions)
{
	for (unsigned int o = z->max_order + 1; o <= hi; o++) {
		ga_pfn_t size = (ga_pfn_t)1 << o;
		ga_pfn_t first = (start + size - 1) & ~(size - 1);
		ga_pfn_t last = end & ~(size - 1);

		if (last > first)
			free_regions[o] += (unsigned long)((last - first) >> o);
	}
}

/*
 * No buddy is larger than max_order, so above it a suitable block is a
 * 2^order-aligned region of the zone whose pages are all in free buddies,
 * i.e. made of pageblocks that are wholly free. Find the maximal runs of
 * such pageblocks in one pass and count the aligned regions each holds,
 * for all orders at once. Caller holds zone->lock.
 */
static void count_free_regions(struct ga_zone *z, unsigned int hi,
			       unsigned long *free_regions)
{
	ga_pfn_t run_start = 0;
	bool in_run = false;

	for (unsigned long i = 0; i <= z->nr_pageblocks; i++) {
		ga_pfn_t pfn = z->start_pfn + ((ga_pfn_t)i << z->pageblock_order);
		bool free = i < z->nr_pageblocks &&
			    z->blocks[i].nr_free == z->pageblock_nr_pages;

		if (free && !in_run) {
			run_start = pfn;
			in_run = true;
		} else if (!free && in_run) {
			count_run_regions(z, run_start, pfn, hi, free_regions);
			in_run = false;
		}
	}
}

static void frag_snapshot(struct ga_zone *z, unsigned int hi,
			  struct frag_snapshot *snap)
{
	memset(snap, 0, sizeof(*snap));
	ga_lock(&z->lock);
	for (unsigned int o = 0; o <= z->max_order; o++)
		snap->nr_free[o] = READ_ONCE(z->free_area[o].nr_free);
	if (hi > z->max_order)
		count_free_regions(z, hi, snap->free_regions);
	ga_unlock(&z->lock);
}

/* fill_contig_page_info, extended above max_order. */
static void fill_contig_page_info(const struct ga_zone *z,
				  const struct frag_snapshot *snap,
				  unsigned int order,
				  struct contig_page_info *info)
{
	memset(info, 0, sizeof(*info));
	for (unsigned int o = 0; o <= z->max_order; o++) {
		uint64_t blocks = snap->nr_free[o];

		info->free_blocks_total += blocks;
		info->free_pages += blocks << o;
		if (o >= order)
			info->free_blocks_suitable += blocks << (o - order);
	}
	if (order > z->max_order)
		info->free_blocks_suitable = snap->free_regions[order];
}

/* unusable_free_index: share of free memory in blocks below the order. */
static int unusable_free_index(unsigned int order,
			       const struct contig_page_info *info)
{
	if (!info->free_pages)
		return 1000;
	return (int)((info->free_pages -
		      (info->free_blocks_suitable << order)) * 1000 /
		     info->free_pages);
}

/*
 * __fragmentation_index: meaningful only when the request would fail;
 * towards 0 it would fail for lack of memory, towards 1000 because the
 * free memory is fragmented.
 */
static int fragmentation_index(unsigned int order,
			       const struct contig_page_info *info)
{
	uint64_t requested = (uint64_t)1 << order;

	if (!info->free_blocks_total)
		return 0;
	if (info->free_blocks_suitable)
		return -1000;
	return 1000 - (int)((1000 + info->free_pages * 1000 / requested) /
			    info->free_blocks_total);
}

static int zone_contig_page_info(struct ga_zone *z, unsigned int order,
				 struct contig_page_info *info)
{
	struct frag_snapshot snap;

	if (order > z->spb_order)
		return -EINVAL;
	frag_snapshot(z, order, &snap);
	fill_contig_page_info(z, &snap, order, info);
	return 0;
}

/*
 * extfrag_for_order: percent of free memory in blocks below the order, the
 * proactive compaction score. Unlike the unusable index, no free memory
 * scores 0 (nothing to compact).
 */
unsigned int extfrag_for_order(struct ga_zone *z, unsigned int order)
{
	struct contig_page_info info;

	if (zone_contig_page_info(z, order, &info) || !info.free_pages)
		return 0;
	return (unsigned int)((info.free_pages -
			       (info.free_blocks_suitable << order)) * 100 /
			      info.free_pages);
}

int ga_unusable_index(struct ga_zone *z, unsigned int order)
{
	struct contig_page_info info;
	int err = zone_contig_page_info(z, order, &info);

	return err ? GA_INDEX_INVALID : unusable_free_index(order, &info);
}

int ga_fragmentation_index(struct ga_zone *z, unsigned int order)
{
	struct contig_page_info info;
	int err = zone_contig_page_info(z, order, &info);

	return err ? GA_INDEX_INVALID : fragmentation_index(order, &info);
}

/* Both debugfs files from one snapshot, plus the orders beyond max_order. */
void ga_print_extfrag(struct ga_zone *z, FILE *f)
{
	int unusable[SPB_ORDER_LIMIT + 1], frag[GA_NR_ORDERS_MAX];
	struct contig_page_info info;
	struct frag_snapshot snap;
	unsigned int o;

	frag_snapshot(z, z->spb_order, &snap);
	for (o = 0; o <= z->spb_order; o++) {
		fill_contig_page_info(z, &snap, o, &info);
		unusable[o] = unusable_free_index(o, &info);
		if (o <= z->max_order)
			frag[o] = fragmentation_index(o, &info);
	}

	fprintf(f, "unusable_index:\nNode %d, zone %8s ", REPORT_NODE,
		REPORT_ZONE);
	for (o = 0; o <= z->max_order; o++)
		fprintf(f, "%d.%03d ", unusable[o] / 1000, unusable[o] % 1000);
	fprintf(f, "\nextfrag_index:\nNode %d, zone %8s ", REPORT_NODE,
		REPORT_ZONE);
	for (o = 0; o <= z->max_order; o++)
		fprintf(f, "%2d.%03d ", frag[o] / 1000, frag[o] % 1000);
	fputc('\n', f);

	if (z->spb_order <= z->max_order)
		return;
	fprintf(f, "extended (orders %u..%u): ", z->max_order + 1, z->spb_order);
	for (o = z->max_order + 1; o <= z->spb_order; o++)
		fprintf(f, "%d.%03d ", unusable[o] / 1000, unusable[o] % 1000);
	fputc('\n', f);
}
