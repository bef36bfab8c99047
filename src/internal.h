/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Internal data structures of libgigalloc. Not installed.
 *
 * Memory budget (ARCHITECTURE.md): 12 bytes per page, 16 bytes per
 * pageblock. Pages are addressed by their index in the zone (pfn -
 * start_pfn) stored as uint32_t, so a zone holds at most 2^32 - 1 pages
 * (16 TiB of 4 KiB pages).
 */
#ifndef GA_INTERNAL_H
#define GA_INTERNAL_H

#include <stdint.h>

#include "compaction.h"
#include "gigalloc.h"
#include "platform.h"
#include "spb_defrag.h"

#define GA_NIL UINT32_MAX		/* end of a page list */
#define PAGE_ALLOC_COSTLY_ORDER 3
#define GA_NR_LOWORDER_PCP_LISTS (GA_MT_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))
#define GA_NR_PCP_LISTS (GA_NR_LOWORDER_PCP_LISTS + 2)	/* + THP lists */
#define GA_NR_ORDERS_MAX (GA_MAX_ORDER_LIMIT + 1)

/* ------------------------------------------------------------------------ */
/* struct ga_page: 12 bytes.                                                 */

/*
 * flags layout:
 *   bits 0-2   state (enum ga_page_state)
 *   bits 3-7   order (heads)
 *   bits 8-9   migratetype of the allocation (ALLOC heads)
 *   bits 10-17 long-term pin count (ALLOC heads)
 *   bit  18    isolated for migration (ALLOC heads)
 *   bit  19    freed while isolated: the free completes at putback
 *   bit  20    first pageblock of a contiguous allocation (CONTIG heads)
 *   bit  21    PagePCPBuddy: a pcp head of an owned pageblock (pcp_buddy.c)
 * Only block heads carry a state; every other page is GA_PAGE_TAIL. Merging
 * clears the absorbed buddy's head, splitting sets the new heads, so no
 * operation ever touches more than O(max_order) page structs.
 */
#define PF_STATE_MASK	0x7u
#define PF_ORDER_SHIFT	3
#define PF_ORDER_MASK	(0x1fu << PF_ORDER_SHIFT)
#define PF_MT_SHIFT	8
#define PF_MT_MASK	(0x3u << PF_MT_SHIFT)
#define PF_PIN_SHIFT	10
#define PF_PIN_MASK	(0xffu << PF_PIN_SHIFT)
#define PF_PIN_MAX	0xffu
#define PF_ISOLATED	(1u << 18)
/*
 * ga_free claimed the allocation (one CAS, free.c begin_free): with
 * PF_ISOLATED the free waits for the mover's putback; without, the free is
 * in progress and movers must not isolate the page.
 */
#define PF_FREE_PENDING	(1u << 19)
#define PF_CONTIG_FIRST	(1u << 20)	/* CONTIG head: first block of its range */
#define PF_PCPBUDDY	(1u << 21)	/* PCP head on its owner's buddy lists (RFC 02) */

struct ga_page {
	uint32_t flags;
	union {
		struct {
			uint32_t next, prev;	/* BUDDY, PCP: list links */
		} lru;
		struct {
			uint32_t lo, hi;	/* ALLOC: owner token */
		} owner;
	};
};

static inline unsigned int page_state(const struct ga_page *p)
{
	return READ_ONCE(p->flags) & PF_STATE_MASK;
}

static inline unsigned int page_order(const struct ga_page *p)
{
	return (READ_ONCE(p->flags) & PF_ORDER_MASK) >> PF_ORDER_SHIFT;
}

static inline unsigned int page_alloc_mt(const struct ga_page *p)
{
	return (READ_ONCE(p->flags) & PF_MT_MASK) >> PF_MT_SHIFT;
}

static inline unsigned int page_pins(const struct ga_page *p)
{
	return (READ_ONCE(p->flags) & PF_PIN_MASK) >> PF_PIN_SHIFT;
}

static inline void set_page_head(struct ga_page *p, unsigned int state,
				 unsigned int order, unsigned int mt)
{
	WRITE_ONCE(p->flags, state | (order << PF_ORDER_SHIFT) |
				     (mt << PF_MT_SHIFT));
}

static inline void clear_page_head(struct ga_page *p)
{
	WRITE_ONCE(p->flags, (uint32_t)GA_PAGE_TAIL);
}

/* Owners are read by queries and migration while the owner may write. */
static inline void set_page_owner(struct ga_page *p, uint64_t owner)
{
	WRITE_ONCE(p->owner.lo, (uint32_t)owner);
	WRITE_ONCE(p->owner.hi, (uint32_t)(owner >> 32));
}

static inline uint64_t get_page_owner(const struct ga_page *p)
{
	return ((uint64_t)READ_ONCE(p->owner.hi) << 32) | READ_ONCE(p->owner.lo);
}

/*
 * Make a head an allocation (or a held one) after its owner token was
 * written: a release store, paired with the acquire of isolate_page's
 * compare-and-swap, so whoever isolates it reads the token, not the list
 * links that shared its words while it was free.
 */
static inline void publish_page_flags(struct ga_page *p, uint32_t flags)
{
	__atomic_store_n(&p->flags, flags, __ATOMIC_RELEASE);
}

/* A doubly linked list of pages through page->lru, by page index. */
struct ga_list {
	uint32_t first, last;
};

static inline void ga_list_init(struct ga_list *l)
{
	l->first = l->last = GA_NIL;
}

static inline bool ga_list_empty(const struct ga_list *l)
{
	return l->first == GA_NIL;
}

/*
 * Links share storage with the owner token, which queries and migration
 * read without locks, so link stores are WRITE_ONCE: free on x86, and the
 * racy reader sees either value, never a torn one.
 */
static inline void ga_list_add_head(struct ga_page *pages, struct ga_list *l,
				    uint32_t idx)
{
	WRITE_ONCE(pages[idx].lru.prev, GA_NIL);
	WRITE_ONCE(pages[idx].lru.next, l->first);
	if (l->first != GA_NIL)
		WRITE_ONCE(pages[l->first].lru.prev, idx);
	else
		l->last = idx;
	l->first = idx;
}

static inline void ga_list_add_tail(struct ga_page *pages, struct ga_list *l,
				    uint32_t idx)
{
	WRITE_ONCE(pages[idx].lru.next, GA_NIL);
	WRITE_ONCE(pages[idx].lru.prev, l->last);
	if (l->last != GA_NIL)
		WRITE_ONCE(pages[l->last].lru.next, idx);
	else
		l->first = idx;
	l->last = idx;
}

static inline void ga_list_del(struct ga_page *pages, struct ga_list *l,
			       uint32_t idx)
{
	uint32_t next = pages[idx].lru.next, prev = pages[idx].lru.prev;

	if (prev != GA_NIL)
		WRITE_ONCE(pages[prev].lru.next, next);
	else
		l->first = next;
	if (next != GA_NIL)
		WRITE_ONCE(pages[next].lru.prev, prev);
	else
		l->last = prev;
}

/* ------------------------------------------------------------------------ */
/* struct ga_pageblock: 16 bytes (RFC patch 01's struct pageblock_data).     */

#define PB_ISOLATE	(1u << 0)	/* standalone isolation bit (v6.16 layout) */
#define PB_COMPACT_SKIP	(1u << 1)	/* compaction skip hint */
#define PB_EVACUATING	(1u << 2)	/* queued for or under evacuation */

/* Pageblock flags change under zone->lock but compaction sets skip hints
 * without it, so every update is an atomic read-modify-write. */
#define pb_set_flag(pb, f)	__atomic_fetch_or(&(pb)->flags, (uint8_t)(f), __ATOMIC_RELAXED)
#define pb_clear_flag(pb, f)	__atomic_fetch_and(&(pb)->flags, (uint8_t)~(f), __ATOMIC_RELAXED)
#define pb_test_flag(pb, f)	(__atomic_load_n(&(pb)->flags, __ATOMIC_RELAXED) & (f))

struct ga_pageblock {
	uint8_t mt;		/* migratetype label */
	uint8_t flags;		/* PB_* */
	uint16_t nr_free;	/* pages of this block in free buddies */
	uint16_t nr_reserved;	/* hole pages */
	uint16_t cpu;		/* owning CPU + 1; 0 = unowned (RFC 02/21) */
	/*
	 * Actual contents (RFC 07), independent of the label: pages of this
	 * block that are allocated or cached on pcp lists, by the mobility
	 * they are charged to. A count rather than the RFC's has-bit, so the
	 * "last page of a type left" transition is exact.
	 */
	uint16_t used[GA_MT_PCPTYPES];
	/*
	 * Pages of this block in allocations under a long-term pin. Pins are
	 * taken without a lock, so it changes atomically, on a head's first
	 * pin, its last unpin and the free of a pinned allocation.
	 */
	uint16_t nr_pinned;
};

/* ------------------------------------------------------------------------ */
/* Free areas.                                                               */

struct ga_free_area {
	struct ga_list list[GA_MT_TYPES];
	unsigned long nr[GA_MT_TYPES];	/* blocks on each list */
	unsigned long nr_free;		/* blocks of this order, all types */
};

/* ------------------------------------------------------------------------ */
/* Per-CPU pages (struct per_cpu_pages).                                     */

/* struct pcpb_link's frag_top values (pcp_buddy.c). */
#define PCPB_TOP_UNKNOWN	0
#define PCPB_TOP_NONE		1
#define PCPB_TOP(order)		((uint8_t)((order) + 2))
#define PCPB_NR_TOPS		(GA_NR_ORDERS_MAX + 2)

#define PCPF_PREV_FREE_HIGH_ORDER 0x1u

/*
 * Interleaved on purpose: the alloc side bumps entries 0 and 2, the free
 * side 1 and 3. Adjacent pairs get merged by the vectorizer into one
 * 16-byte load/store, which then cannot be store-forwarded from the other
 * side's 8-byte stores: a stall that cost a quarter of a pcp free.
 */
enum ga_pcp_stat {
	PCP_STAT_ALLOC,		/* allocations served */
	PCP_STAT_FREE,
	PCP_STAT_PGALLOC,	/* pages allocated through the pcp */
	PCP_STAT_PGFREE,
	PCP_NR_STATS
};

struct ga_pcp {
	ga_lock_t lock;
	int count;		/* pages on all lists */
	int high, high_min, high_max;
	int batch;
	int free_count;
	unsigned int alloc_factor;
	unsigned int free_factor;	/* pcp_batch_fixed (v6.1) */
	unsigned int flags;
	struct ga_list lists[GA_NR_PCP_LISTS];
	uint64_t stat[PCP_NR_STATS];
	/*
	 * pcp_buddy (RFC 02/03, pcp_buddy.c). Pages of pageblocks this CPU
	 * owns, by charge and order (PagePCPBuddy; they merge at drain);
	 * buddy_count of count is theirs. owned_first[mt] heads the owned
	 * blocks labelled mt with fragments in the zone's buddy, newest first,
	 * under zone->lock (owned_seq numbers them). remote is a lock-free
	 * list of pages other CPUs freed into owned blocks.
	 */
	struct ga_list buddy[GA_MT_PCPTYPES][GA_NR_ORDERS_MAX];
	/*
	 * buddy_old[c][o]: the first entry of buddy[c][o] that was on the
	 * list when the last merge pass ended (GA_NIL: none left). Entries
	 * link at the head, so the ones linked since form the prefix before
	 * it; the pass left no mergeable pair, so any new pair has a member
	 * in that prefix and the next pass walks only the prefix.
	 */
	uint32_t buddy_old[GA_MT_PCPTYPES][GA_NR_ORDERS_MAX];
	int buddy_count;
	uint32_t owned_first[GA_MT_TYPES];
	uint32_t owned_seq;
	/* Blocks on owned_first[mt] by their frag_top (struct pcpb_link). */
	uint32_t owned_tops[GA_MT_TYPES][PCPB_NR_TOPS];
	uint32_t remote ga_cacheline_aligned;
} ga_cacheline_aligned;

/* A pageblock's link on its owner's owned_blocks list (pcp_buddy.c). */
struct pcpb_link {
	uint32_t next, prev;
	uint32_t seq;		/* owner's owned_seq when it was listed */
	bool listed;
	/*
	 * The largest free fragment of the block (free blocks below pageblock
	 * order, the free_heads bits), cached for phase 0's look ahead:
	 * PCPB_TOP_UNKNOWN, PCPB_TOP_NONE, or PCPB_TOP(order). Kept where the
	 * free_heads bits change: a larger fragment raises it, the last
	 * fragment gone makes it NONE, removing one of the top order makes it
	 * unknown until the next look recounts it. Zeroed memory is unknown.
	 */
	uint8_t frag_top;
	uint8_t list_mt;	/* the owned_blocks list it is on, while listed */
};

/* ------------------------------------------------------------------------ */
/* Allocation flags (mm/internal.h ALLOC_*).                                 */

#define ALLOC_WMARK_MIN		0
#define ALLOC_WMARK_LOW		1
#define ALLOC_WMARK_HIGH	2
#define ALLOC_NO_WATERMARKS	0x04
#define ALLOC_WMARK_MASK	(ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM		0x08
#define ALLOC_NON_BLOCK		0x10
#define ALLOC_MIN_RESERVE	0x20
#define ALLOC_CMA		0x80
#define ALLOC_NOFRAGMENT	0x100
#define ALLOC_HIGHATOMIC	0x200
#define ALLOC_TRYLOCK		0x400	/* ga_alloc_nolock: never spin on zone->lock */
#define ALLOC_KSWAPD		0x800
#define ALLOC_HIGHORDER_OPTIONAL 0x1000	/* RFC 26: refuse rather than taint */
#define ALLOC_RESERVES (ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM)

enum { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

/* zone->flags bits */
enum {
	ZONE_BOOSTED_WATERMARK,
	ZONE_RECLAIM_ACTIVE,
	ZONE_BELOW_HIGH,
	ZONE_EXECUTOR_KICK,	/* work was queued under a lock: kick on exit */
};

/* __rmqueue's mode cache (v6.15 "speed up fallbacks in rmqueue_bulk"). */
enum rmqueue_mode {
	RMQUEUE_NORMAL,
	RMQUEUE_CMA,
	RMQUEUE_CLAIM,
	RMQUEUE_STEAL,
};

/* What an allocation asks for, passed down the allocation path. */
struct alloc_context {
	unsigned int order;
	unsigned int gfp;
	int migratetype;	/* free lists to use (UNMOVABLE if grouping is off) */
	int content_mt;		/* what the pages will hold: the gfp mobility */
	unsigned int cpu;
	unsigned int spb_flags;	/* ALLOC_HIGHORDER_OPTIONAL, every attempt */
	bool wake_kswapd_boost;	/* rmqueue saw ZONE_BOOSTED_WATERMARK */
	/* In a node: this zone's lowmem_reserve[highest_zoneidx], added to
	 * every watermark the request is checked against (0 alone). */
	unsigned long lowmem_reserve;
	bool reserve_refused;	/* a check failed only for lowmem_reserve */
	/* The request's highest zone type (gfp_zone): which zones of the
	 * node its kswapd wake balances. The zone's own type alone. */
	int highest_zoneidx;
};

/* ------------------------------------------------------------------------ */
/* Superpageblocks (spb.c): one record per 2^spb_order region.               */

enum spb_category {
	SPB_EMPTY,		/* every page free */
	SPB_CLEAN,		/* free and movable pages only */
	SPB_TAINTED,		/* holds unmovable/reclaimable pages or HighAtomic blocks */
	SPB_CONTIG,		/* wholly held by a contiguous allocation: no steering */
	NR_SPB_CATEGORIES
};

#define SPB_NR_BUCKETS 8	/* fullness buckets by free pages; 0 = fullest */
#define SPB_COST_BUCKETS 1024	/* histogram of search cost per allocation */

/* Per-SPB buddy lists (RFC 14); counts per order and type. */
struct spb_free_area {
	struct ga_list list[GA_NR_ORDERS_MAX][GA_MT_TYPES];
	uint32_t nr[GA_NR_ORDERS_MAX][GA_MT_TYPES];
};

struct ga_spb {
	ga_pfn_t start_pfn, end_pfn;	/* clipped to the zone */
	uint32_t nr_free_pages;		/* in free buddies */
	uint32_t nr_usable_pages;	/* span minus holes */
	/* Pageblock counts are 32-bit: spb_order - pageblock_order may be
	 * up to 30 - 4 = 26 (2^16 pageblocks would wrap a 16-bit count). */
	uint32_t nr_pageblocks;		/* zone-clipped total */
	uint32_t nr_reserved_pb;	/* pageblocks with hole pages */
	uint32_t nr_free_pb;		/* wholly free pageblocks */
	uint32_t nr_used_pb[GA_MT_PCPTYPES];	/* pageblocks holding each type */
	uint32_t nr_highatomic_pb;
	uint32_t nr_contig_pb;		/* pageblocks held by contig allocations */
	uint8_t category, bucket;	/* where the index files it now */
	uint32_t bucket_lo, bucket_hi;	/* free pages that keep this bucket */
	uint32_t reserve;		/* spb_tainted_reserve(), fixed at init */
	uint32_t list_prev, list_next;	/* fullness list (RFC 10), GA_NIL ends */
	uint8_t defrag_state;		/* spb_defrag.c: idle / pending / running */
	uint32_t defrag_noop_stamp;	/* second + 1 of a run without progress */
	uint32_t defrag_run_stamp;	/* second + 1 of the last run */
	struct spb_free_area *area;	/* NULL unless policy.spb_free_lists */
	/* Bit SPB_LIST_BIT(order, mt) set while area->nr[order][mt] is not
	 * zero, for the pcp types: spb_has_free in one AND. */
	uint64_t nonempty_lists;
};

#define SPB_LIST_BIT(order, mt) ((unsigned int)(order) * GA_MT_PCPTYPES + (unsigned int)(mt))
_Static_assert(GA_NR_ORDERS_MAX * GA_MT_PCPTYPES <= 64,
	       "every (order, pcp type) list has a bit in ga_spb.nonempty_lists");

/*
 * The SPB index (better than the RFC's fullness lists): one bitmap per
 * category, per fullness bucket and per (order, type) "has a free block on
 * that list", so "the fullest clean SPB with a free order-k movable block"
 * is a few word ANDs and a find-first. Updated only on transitions.
 */
struct spb_index {
	unsigned long nr_words;
	uint64_t *category[NR_SPB_CATEGORIES];
	uint64_t *roomy;	/* more wholly free pageblocks than the reserve */
	uint64_t *all;		/* every SPB: the "no extra mask" mask */
	uint64_t *bucket[SPB_NR_BUCKETS];
	uint64_t *nonempty[GA_NR_ORDERS_MAX][GA_MT_PCPTYPES];
	/*
	 * The RFC's own structure, kept alongside for spb_fullness_walk: one
	 * list per (category, fullness bucket), an SPB re-filed at the tail
	 * when either changes (sb_update_list), and the PASS_1 hint per
	 * (order, type) (RFC 31, zone layer).
	 */
	uint32_t head[NR_SPB_CATEGORIES][SPB_NR_BUCKETS];
	uint32_t tail[NR_SPB_CATEGORIES][SPB_NR_BUCKETS];
	uint32_t hint[GA_NR_ORDERS_MAX][GA_MT_PCPTYPES];
};

/*
 * The work one steered allocation did to find its SPBs: SPBs examined
 * (fullness-list entries walked, hint probes included, or candidates the
 * index returned) and index words scanned.
 */
struct spb_search {
	unsigned int visits, words;
	int outcome;		/* the GA_STAT_SPB_* of the pass that served, or -1 */
};

/* Histograms of that work, per allocation (zone->lock held). */
struct spb_search_stats {
	uint64_t visits[SPB_COST_BUCKETS];
	uint64_t words[SPB_COST_BUCKETS];
	unsigned int visits_max, words_max;
};

/* ------------------------------------------------------------------------ */
/* Evacuation pool (evacuate.c): items live in the zone's metadata.          */

struct evacuate_item;

struct ga_evacuate_state {
	struct evacuate_item *items;
	struct evacuate_item *free;	/* free items, under zone->lock */
	unsigned int nr_items;
};

/* ------------------------------------------------------------------------ */
/* Slab-shrink pressure (spb_shrink.c, RFC 28).                              */

struct spb_shrink_state {
	struct ga_work work;		/* single-flight: one queued at a time */
	unsigned long want;		/* atomic: pages asked since the last run */
};

/* ------------------------------------------------------------------------ */
/* The zone.                                                                 */

struct ga_zone {
	/*
	 * Geometry, constant after init except the span, which
	 * ga_zone_resize (hotplug.c) moves under zone->lock: end_pfn,
	 * nr_pages, nr_pageblocks, managed_pages and nr_spbs. Lock-free
	 * readers READ_ONCE them; every array is laid out for max_end_pfn,
	 * so a stale bound still indexes valid metadata (offline pages are
	 * GA_PAGE_RESERVED, as holes are).
	 */
	ga_pfn_t start_pfn, end_pfn;
	ga_pfn_t max_end_pfn;		/* the array's span: end_pfn <= it */
	unsigned long nr_pages;		/* spanned */
	unsigned long managed_pages;	/* spanned - holes */
	unsigned long nr_pageblocks;
	unsigned int page_shift;
	unsigned int pageblock_order;
	unsigned int pageblock_nr_pages;
	unsigned int max_order;
	unsigned int spb_order;
	unsigned int nr_cpus;
	struct ga_policy policy;
	struct ga_ops ops;
	void *ops_ctx;
	struct ga_executor *executor;	/* background work; may be NULL */
	void *owned_mem;		/* freed by ga_zone_destroy if non-NULL */
	size_t owned_size;

	struct ga_page *pages;
	struct ga_pageblock *blocks;
	struct ga_pcp *pcp;
	struct ga_evacuate_state evac;
	struct pcpb_link *owned_links;	/* per pageblock; NULL unless pcp_buddy */
	/*
	 * pcp_buddy: one bit per page, set on the head of each free block
	 * below pageblock order, so phase 0 finds an owned block's fragments
	 * without reading its pages. NULL unless pcp_buddy.
	 */
	uint64_t *free_heads;
	struct spb_shrink_state shrink;
	struct ga_spb *spbs;
	unsigned long nr_spbs;		/* online; records exist for max_spbs */
	unsigned long max_spbs;
	int resizing;			/* ga_zone_resize: one at a time */
	ga_pfn_t spb_base;		/* aligned down to 2^spb_order */
	struct spb_index spb_idx;
	struct ga_compact_state compact;
	struct spb_background spb_bg;	/* spb_defrag.c, spb_evacuate.c */

	/*
	 * In a node (node.c): the zone's type, its lowmem_reserve by the
	 * request's highest zone type, and the node-wide inputs of its
	 * watermarks (or watermarks given outright). Set before the node
	 * is used, constant after.
	 */
	int zone_type;			/* enum ga_zone_type; -1 standalone */
	struct ga_node *node;		/* its node (kswapd is the node's); NULL */
	unsigned long lowmem_reserve[GA_NR_ZONE_TYPES];
	unsigned long node_min_free_kbytes;	/* 0: standalone */
	unsigned long node_lowmem_pages;	/* managed, non-Movable zones */
	bool wmark_given;
	unsigned long wmark_given_pages[NR_WMARK];

	/* Watermarks and sizing, set at init (setup_per_zone_wmarks). */
	unsigned long min_free_kbytes;
	unsigned long watermark[NR_WMARK];
	unsigned long max_highatomic;	/* 0 = no reserve in this zone */

	/* Written under lock, read racily (READ_ONCE). */
	unsigned long flags;
	unsigned long watermark_boost;
	unsigned long nr_free_pages;	/* NR_FREE_PAGES */
	unsigned long nr_free_cma;	/* NR_FREE_CMA_PAGES */
	unsigned long nr_free_highatomic;
	unsigned long nr_reserved_highatomic;
	int kswapd_active;		/* one "kswapd" at a time */

	ga_lock_t lock ga_cacheline_aligned;	/* zone->lock */
	struct ga_free_area free_area[GA_NR_ORDERS_MAX];
	unsigned long blocks_mt[GA_MT_TYPES];	/* pageblocks per label */
	/*
	 * Counters. Each item is either only ever bumped under zone->lock
	 * (zone_stat_add_locked) or only ever atomically (zone_stat_add),
	 * never both; pcp-served operations count in pcp->stat instead.
	 */
	uint64_t stat[GA_NR_STATS];
	uint64_t fallback[GA_MT_PCPTYPES][GA_MT_TYPES];
	struct spb_search_stats spb_search;	/* under zone->lock */
	ga_trace_fn trace_fn;		/* RFC 40 events; NULL = off */
	void *trace_ctx;
	/* ga_alloc_peek in progress (set and read under zone->lock): the
	 * allocation path records its decision here instead of acting. */
	struct ga_alloc_choice *peek;
};

/* zone->lock, counted: the contention the per-CPU pageblocks remove. */
static inline void zone_lock(struct ga_zone *z)
{
	ga_lock(&z->lock);
	z->stat[GA_STAT_ZONE_LOCK]++;
}

static inline void zone_unlock(struct ga_zone *z)
{
	ga_unlock(&z->lock);
}

/* ------------------------------------------------------------------------ */
/* Geometry helpers.                                                         */

static inline struct ga_page *pfn_to_page(struct ga_zone *z, ga_pfn_t pfn)
{
	return &z->pages[pfn - z->start_pfn];
}

static inline uint32_t pfn_to_idx(const struct ga_zone *z, ga_pfn_t pfn)
{
	return (uint32_t)(pfn - z->start_pfn);
}

static inline ga_pfn_t idx_to_pfn(const struct ga_zone *z, uint32_t idx)
{
	return z->start_pfn + idx;
}

static inline bool zone_spans_pfn(const struct ga_zone *z, ga_pfn_t pfn)
{
	return pfn >= z->start_pfn && pfn < READ_ONCE(z->end_pfn);
}

static inline struct ga_pageblock *pfn_to_block(struct ga_zone *z, ga_pfn_t pfn)
{
	return &z->blocks[(pfn - z->start_pfn) >> z->pageblock_order];
}

static inline ga_pfn_t pageblock_start_pfn(const struct ga_zone *z, ga_pfn_t pfn)
{
	return pfn & ~((ga_pfn_t)z->pageblock_nr_pages - 1);
}

static inline struct ga_spb *pfn_to_spb(struct ga_zone *z, ga_pfn_t pfn)
{
	return &z->spbs[(pfn - z->spb_base) >> z->spb_order];
}

static inline bool pcp_allowed_order(const struct ga_zone *z, unsigned int order)
{
	return order <= PAGE_ALLOC_COSTLY_ORDER || order == z->pageblock_order;
}

/*
 * The label a pageblock gets when mt is asked for: without mobility
 * grouping every PCP type is stored as UNMOVABLE (the kernel's
 * set_pageblock_migratetype under page_group_by_mobility_disabled), so
 * code that relabels and then files free pages must file them there.
 */
static inline int pageblock_label(const struct ga_zone *z, int mt)
{
	if (!z->policy.mobility_grouping && mt < GA_MT_PCPTYPES)
		return GA_MT_UNMOVABLE;
	return mt;
}

static inline bool migratetype_is_mergeable(int mt)
{
	return mt < GA_MT_PCPTYPES;
}

/* ------------------------------------------------------------------------ */
/* pageblock.c                                                               */

/* The type a free page of this block belongs to: ISOLATE while isolated.
 * Inline: the pcp free path reads it on every free. */
static inline int get_pfnblock_migratetype(struct ga_zone *z, ga_pfn_t pfn)
{
	struct ga_pageblock *pb = pfn_to_block(z, pfn);

	if (pb_test_flag(pb, PB_ISOLATE))
		return GA_MT_ISOLATE;
	return READ_ONCE(pb->mt);
}

void set_pageblock_migratetype(struct ga_zone *z, ga_pfn_t pfn, int mt);
void change_pageblock_range(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
			    int mt);
bool pageblock_isolated(struct ga_zone *z, ga_pfn_t pfn);

/* ------------------------------------------------------------------------ */
/* buddy.c — free lists, split and merge. Caller holds zone->lock.           */

void account_freepages(struct ga_zone *z, long nr_pages, int mt);
void add_to_free_list(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
		      int mt, bool tail);
void del_from_free_list(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
			int mt);
void move_to_free_list(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
		       int old_mt, int new_mt);
bool free_area_empty(const struct ga_free_area *area, int mt);
/* First block on free_area[order].list[mt], or GA_NIL. */
uint32_t free_area_first(const struct ga_zone *z, unsigned int order, int mt);
uint32_t spb_area_first(const struct ga_spb *s, unsigned int order, int mt);
unsigned long expand(struct ga_zone *z, ga_pfn_t pfn, unsigned int low,
		     unsigned int high, int mt);
void page_del_and_expand(struct ga_zone *z, ga_pfn_t pfn, unsigned int low,
			 unsigned int high, int mt);
long rmqueue_smallest(struct ga_zone *z, unsigned int order, int mt);
void free_one_page_locked(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
			  int mt, bool to_tail);
void split_large_buddy(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
		       bool to_tail);
unsigned long move_freepages_block(struct ga_zone *z, ga_pfn_t start_pfn,
				   int old_mt, int new_mt);
void pageblock_scan(struct ga_zone *z, ga_pfn_t start_pfn,
		    unsigned long *nr_free, unsigned long *nr_movable);

/* ------------------------------------------------------------------------ */
/* fallback.c — claim/steal (called from __rmqueue under zone->lock).        */

long rmqueue_claim(struct ga_zone *z, unsigned int order, int start_mt,
		   unsigned int alloc_flags);
long claim_whole_block(struct ga_zone *z, ga_pfn_t pfn, unsigned int current_order,
		       unsigned int order, int start_mt, int block_mt);
long rmqueue_steal(struct ga_zone *z, unsigned int order, int start_mt);
long rmqueue_cma_fallback(struct ga_zone *z, unsigned int order);
bool boost_watermark(struct ga_zone *z);

/* highatomic.c */
unsigned long highatomic_max(const struct ga_zone *z);
void reserve_highatomic_pageblock(struct ga_zone *z, ga_pfn_t pfn,
				  unsigned int order);
bool unreserve_highatomic_pageblock(struct ga_zone *z, int migratetype,
				    bool force);

/* rmqueue.c — the allocation path. */
void account_buddy_alloc(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
			 int content_mt);
void prep_new_page(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
		   int mt, uint64_t owner, uint32_t extra);
/* ga_alloc with extra page flags set by the store that makes it ALLOC. */
int alloc_pages_flags(struct ga_zone *z, unsigned int cpu, unsigned int order,
		      unsigned int gfp, uint64_t owner, ga_pfn_t *pfn_out,
		      uint32_t extra);
long rmqueue_locked(struct ga_zone *z, unsigned int order, int mt,
		    unsigned int alloc_flags, enum rmqueue_mode *mode);
unsigned long zone_watermark_mark(const struct ga_zone *z, int wmark);
bool zone_watermark_ok(struct ga_zone *z, unsigned int order,
		       unsigned long mark, unsigned int alloc_flags,
		       long free_pages);

/* pcp.c (see also below) */
void pcp_setup(struct ga_zone *z);
/* zone_pcp_update: batch and high from managed pages again (no lock held). */
void pcp_update_sizes(struct ga_zone *z);
/* The plain pcp list of a type and order (order_to_pindex). */
static inline unsigned int order_to_pindex(int mt, unsigned int order)
{
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return GA_NR_LOWORDER_PCP_LISTS + (mt == GA_MT_MOVABLE);
	return GA_MT_PCPTYPES * order + (unsigned int)mt;
}

unsigned int pindex_to_order(const struct ga_zone *z, unsigned int pindex);
void pageblock_pinned_add(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
			  int sign);
long pcp_peek(struct ga_zone *z, unsigned int cpu, unsigned int order, int mt);
struct pcp_alloc_state {
	int high;
	unsigned int alloc_factor;
};
void pcp_alloc_state_read(struct ga_zone *z, unsigned int cpu,
			  struct pcp_alloc_state *st);
long pcp_buddy_peek_pass(struct ga_zone *z, unsigned int cpu, unsigned int order,
			 int mt, unsigned int alloc_flags,
			 struct pcp_alloc_state *st, struct ga_alloc_choice *c);
bool pcp_take_page(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
		   int content_mt);
long rmqueue_pcplist(struct ga_zone *z, unsigned int order, int mt,
		     int content_mt, unsigned int alloc_flags, unsigned int cpu);
bool free_to_pcp(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
		 unsigned int cpu);

/* reclaim.c */
void wakeup_kswapd(struct ga_zone *z, const struct alloc_context *ac,
		   bool boost);
unsigned long kswapd_call_reclaim(struct ga_zone *z, enum ga_reclaim_kind kind,
				  unsigned long nr, const struct alloc_context *ac);
void kswapd_wake_kcompactd(struct ga_zone *z, const struct alloc_context *ac,
			   unsigned int order, bool ran, bool boosted);

/* node.c */
void node_wakeup_kswapd(struct ga_node *n, const struct alloc_context *ac,
			unsigned int order, int highest);
unsigned long direct_reclaim(struct ga_zone *z, const struct alloc_context *ac);

/* zone.c */
void setup_zone_watermarks(struct ga_zone *z);
unsigned long min_free_kbytes_for(const struct ga_policy *p, unsigned long lowmem_pages,
				  unsigned int nr_zones, unsigned int page_shift,
				  unsigned int pageblock_nr_pages);

/* rmqueue.c, for the node's zonelist walk (node.c). */
bool zone_watermark_ok_reserve(struct ga_zone *z, unsigned int order,
			       unsigned long mark, unsigned long reserve,
			       unsigned int alloc_flags, long free_pages);
void alloc_context_init(struct ga_zone *z, struct alloc_context *ac,
			unsigned int cpu, unsigned int order, unsigned int gfp,
			int mt);
int alloc_check_args(struct ga_zone *z, unsigned int cpu, unsigned int order,
		     unsigned int gfp, const ga_pfn_t *pfn_out);
unsigned int alloc_fast_flags(const struct ga_zone *z, unsigned int gfp,
			      bool nofragment);
long zone_try_alloc(struct ga_zone *z, struct alloc_context *ac,
		    unsigned int alloc_flags);
bool nofragment_may_drop(const struct ga_zone *z, const struct alloc_context *ac);
unsigned int alloc_slow_flags(const struct ga_zone *z, const struct alloc_context *ac);
long zone_alloc_slow(struct ga_zone *z, struct alloc_context *ac);
int alloc_finish(struct ga_zone *z, struct alloc_context *ac, long pfn,
		 uint64_t owner, uint32_t extra, ga_pfn_t *pfn_out);

/* stats.c */
static inline void zone_stat_add(struct ga_zone *z, enum ga_stat_item item,
				 uint64_t n)
{
	__atomic_fetch_add(&z->stat[item], n, __ATOMIC_RELAXED);
}

/* Caller holds zone->lock: is this a ga_alloc_peek (peek.c)? */
static inline bool zone_peeking(const struct ga_zone *z)
{
	return ga_unlikely(z->peek != NULL);
}

/* A peek's decision: the free block at pfn of from_order on mt's list. */
static inline long peek_take(struct ga_zone *z, ga_pfn_t pfn,
			     unsigned int from_order, int mt, bool claim)
{
	z->peek->pfn = pfn;
	z->peek->from_order = from_order;
	z->peek->list_mt = mt;
	z->peek->claim = claim;
	return (long)pfn;
}

static inline void zone_stat_add_locked(struct ga_zone *z,
					enum ga_stat_item item, uint64_t n)
{
	if (zone_peeking(z))
		return;
	z->stat[item] += n;
}
unsigned int extfrag_for_order(struct ga_zone *z, unsigned int order);
void count_extfrag(struct ga_zone *z, ga_pfn_t pfn, unsigned int alloc_order,
		   unsigned int fallback_order, int alloc_mt, int fallback_mt);

/* pin.c */
int page_pin_update(struct ga_zone *z, ga_pfn_t pfn, int delta, bool own_target);

/* query.c */
ga_pfn_t block_head(struct ga_zone *z, ga_pfn_t pfn);

/* fallback.c */
bool should_try_claim_block(const struct ga_zone *z, unsigned int order,
			    int start_mt);

/* free.c */
void free_one_page(struct ga_zone *z, ga_pfn_t pfn, unsigned int order);
void free_claimed_page(struct ga_zone *z, unsigned int cpu, ga_pfn_t pfn,
		       unsigned int order);

/* migrate.c */

/* spb.c */
unsigned long spb_count(ga_pfn_t start, ga_pfn_t end, unsigned int spb_order);
size_t spb_metadata_size(unsigned long nr_spbs, bool lists);
void spb_init(struct ga_zone *z, void *mem);
/* hotplug (zone->lock held): file SPB i in the index as a new, empty
 * record; take an emptied one out of it. */
void spb_online(struct ga_zone *z, unsigned long i);
void spb_offline(struct ga_zone *z, unsigned long i);
void spb_block_free_refile(struct ga_zone *z, struct ga_spb *s,
			   unsigned int old, unsigned int new);

/*
 * A pageblock's free page count changed from old to new. This runs on every
 * buddy list change, so the common case (the SPB stays in its bucket and no
 * pageblock becomes, or stops being, wholly free) is inline; the rest
 * re-files the SPB in the index.
 */
static inline void spb_block_free_changed(struct ga_zone *z, ga_pfn_t block,
					  unsigned int old, unsigned int new)
{
	struct ga_spb *s = pfn_to_spb(z, block);
	unsigned int full = z->pageblock_nr_pages;
	uint32_t before = s->nr_free_pages, after = before + new - old;

	s->nr_free_pages = after;
	if (ga_unlikely(old == full || new == full || after < s->bucket_lo ||
			after >= s->bucket_hi || before == s->nr_usable_pages ||
			after == s->nr_usable_pages))
		spb_block_free_refile(z, s, old, new);
}
void charge_block(struct ga_zone *z, ga_pfn_t pfn, unsigned int order, int mt,
		  int sign);
void spb_label_changed(struct ga_zone *z, ga_pfn_t block, int old, int new);
void spb_contig_changed(struct ga_zone *z, ga_pfn_t block, int sign);
void spb_list_changed(struct ga_zone *z, struct ga_spb *s, unsigned int order,
		      int mt, bool nonempty);
long spb_find(const struct ga_zone *z, unsigned int cat, const uint64_t *mask,
	      unsigned int order, unsigned int mts, bool emptiest_first,
	      struct spb_search *cost);
long spb_find_emptiest(const struct ga_zone *z, unsigned int cat,
		       unsigned int order, unsigned int mts, struct spb_search *cost);
long spb_find_below(const struct ga_zone *z, unsigned int cat,
		    const uint64_t *mask, unsigned int order, unsigned int below,
		    unsigned int mts, bool emptiest_first, struct spb_search *cost);
long spb_walk(const struct ga_zone *z, unsigned int cat, bool roomy_only,
	      unsigned int order, unsigned int below, unsigned int mts,
	      bool emptiest_first, struct spb_search *cost);
bool spb_has_free(const struct ga_zone *z, const struct ga_spb *s,
		  unsigned int order, unsigned int below, unsigned int mts);
long spb_alloc_tainted_locked(struct ga_zone *z, unsigned int order);
long spb_first_nonempty(const struct ga_zone *z, unsigned int order, int mt);
unsigned long spb_next_of_category(const struct ga_zone *z, unsigned int cat,
				   unsigned long i);
#define for_each_spb_of_category(z, cat, i)				\
	for ((i) = spb_next_of_category(z, cat, 0); (i) < READ_ONCE((z)->nr_spbs); \
	     (i) = spb_next_of_category(z, cat, (i) + 1))
unsigned int spb_tainted_reserve(const struct ga_zone *z, const struct ga_spb *s);
void spb_count_search(struct ga_zone *z, const struct spb_search *cost);

/* What the checker recounted for one pageblock. */
struct spb_recount {
	uint32_t used[GA_MT_PCPTYPES];
	uint32_t free;
	uint32_t pinned;
	uint8_t contig;
};
int spb_check(struct ga_zone *z, const struct spb_recount *blocks,
	      unsigned long free_all, char *errbuf, size_t errlen);

/* RFC 40 tracepoints: one branch when off. */
static inline void trace_event(struct ga_zone *z, int type, unsigned int order,
			       int mt, const char *what, long spb, ga_pfn_t pfn)
{
	if (ga_unlikely(z->trace_fn)) {
		struct ga_trace_event ev = { .type = type, .order = order,
					     .migratetype = mt, .what = what,
					     .spb = spb, .pfn = pfn };

		z->trace_fn(z->trace_ctx, &ev);
	}
}

/* trace_event from the allocation path under zone->lock: what a
 * ga_alloc_peek passes through is not an event. */
static inline void trace_event_locked(struct ga_zone *z, int type,
				      unsigned int order, int mt,
				      const char *what, long spb, ga_pfn_t pfn)
{
	if (!zone_peeking(z))
		trace_event(z, type, order, mt, what, spb, pfn);
}

/* Steering needs the per-SPB lists; then NOFRAGMENT lasts through reclaim. */
static inline bool spb_steering(const struct ga_zone *z)
{
	return z->policy.spb_free_lists &&
	       (z->policy.spb_steer_nonmovable || z->policy.spb_steer_movable);
}

/*
 * RFC 20: non-movable requests keep ALLOC_NOFRAGMENT through reclaim and
 * taint a clean SPB only after it fails. Only when they are steered: with
 * spb_steer_nonmovable off nothing else would ever serve them under
 * NOFRAGMENT, and every one would go through direct reclaim.
 */
static inline bool spb_keeps_nofragment(const struct ga_zone *z)
{
	return z->policy.spb_free_lists && z->policy.spb_steer_nonmovable;
}

/* spb_alloc.c — steering (zone->lock held). */
long spb_rmqueue(struct ga_zone *z, unsigned int order, int mt,
		 unsigned int alloc_flags);
long spb_contig_window(struct ga_zone *z, unsigned int order);
#define SPB_REFUSED (-2)	/* spb_rmqueue: optional request, PASS_3 refused */
#define RMQUEUE_BUSY (-3)	/* ALLOC_TRYLOCK found zone->lock held */
bool spb_lower_order_servable(struct ga_zone *z, unsigned int order, int mt);

/* contig.c: RFC 17 for movable requests of order >= pageblock_order. */
int spb_evacuate_window(struct ga_zone *z, unsigned int cpu, unsigned int order);

/* evacuate.c */
size_t evacuate_pool_size(unsigned int nr_items);
void evacuate_init(struct ga_zone *z, void *items, unsigned int nr_items);
void queue_pageblock_evacuate(struct ga_zone *z, ga_pfn_t block);
/* Wake the executor if work was queued under a lock (end of ga_alloc). */
void zone_kick_executor(struct ga_zone *z);

/* spb_shrink.c */
void spb_shrink_init(struct ga_zone *z);
void spb_shrink_pressure(struct ga_zone *z, ga_pfn_t pfn);

/* pcp.c */
void free_pcppages_bulk(struct ga_zone *z, int count, struct ga_pcp *pcp,
			int pindex);
void free_unref_page_commit(struct ga_zone *z, struct ga_pcp *pcp,
			    ga_pfn_t pfn, int mt, unsigned int order, bool owned);
unsigned long spill_pcp_lists(struct ga_zone *z, int count, struct ga_pcp *pcp,
			      int pindex);

/* pcp_buddy.c — per-CPU pageblocks (RFC 02, 03, 21). */
size_t pcp_buddy_metadata_size(unsigned long nr_pageblocks, bool on);
size_t pcp_buddy_heads_size(unsigned long nr_pages, bool on);
void pcp_buddy_init(struct ga_zone *z, void *links, void *heads);
void pcp_buddy_release(struct ga_zone *z, struct ga_pageblock *pb);
bool pcp_buddy_reabsorb(struct ga_zone *z, ga_pfn_t pfn, unsigned int order, int mt);
void pcp_buddy_relabel(struct ga_zone *z, struct ga_pageblock *pb, int old_mt,
		       int new_mt);
bool pcp_buddy_free(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
		    unsigned int cpu, unsigned int owner);
void pcp_buddy_absorb(struct ga_zone *z, struct ga_pcp *pcp);
unsigned long pcp_buddy_remote_pages(const struct ga_zone *z, struct ga_pcp *pcp);
uint32_t pcp_buddy_take(struct ga_zone *z, struct ga_pcp *pcp,
			unsigned int order, int mt);
int pcp_buddy_refill(struct ga_zone *z, struct ga_pcp *pcp, unsigned int cpu,
		     unsigned int order, int mt, unsigned int alloc_flags,
		     int count, struct ga_list *list, uint32_t *served);
long pcp_buddy_peek_cached(struct ga_zone *z, struct ga_pcp *pcp,
			   unsigned int order, int mt, const struct ga_list *list,
			   struct ga_alloc_choice *c);
long pcp_buddy_peek_refill(struct ga_zone *z, struct ga_pcp *pcp,
			   unsigned int cpu, unsigned int order, int mt,
			   unsigned int alloc_flags, int count,
			   struct ga_alloc_choice *c);
uint32_t pcp_buddy_mate(const struct ga_zone *z, uint32_t idx,
			unsigned int order, unsigned int charge);
void pcp_buddy_free_bulk(struct ga_zone *z, int count, struct ga_pcp *pcp,
			 int pindex);
void pcp_buddy_enqueue(struct ga_zone *z, struct ga_pcp *pcp, uint32_t idx,
		       unsigned int order);

/*
 * A block's frag_top changes: a listed block moves between its owner's
 * owned_tops counts (zone->lock). While listed, the block is owned and
 * its owner does not change.
 */
static inline void pcp_buddy_set_top(struct ga_zone *z,
				     const struct ga_pageblock *pb, uint8_t top)
{
	struct pcpb_link *l = &z->owned_links[pb - z->blocks];

	if (l->listed) {
		uint32_t *tops = z->pcp[pb->cpu - 1].owned_tops[l->list_mt];

		tops[l->frag_top]--;
		tops[top]++;
	}
	l->frag_top = top;
}

/* A fragment of the block came (add) or went (zone->lock, pcp_buddy on). */
static inline void pcp_buddy_frag_changed(struct ga_zone *z,
					  const struct ga_pageblock *pb,
					  unsigned int order, bool add)
{
	uint8_t top = z->owned_links[pb - z->blocks].frag_top;

	if (add) {
		if (top != PCPB_TOP_UNKNOWN && top < PCPB_TOP(order))
			pcp_buddy_set_top(z, pb, PCPB_TOP(order));
	} else if (!pb->nr_free) {
		pcp_buddy_set_top(z, pb, PCPB_TOP_NONE);
	} else if (top == PCPB_TOP(order)) {
		pcp_buddy_set_top(z, pb, PCPB_TOP_UNKNOWN);
	}
}

/*
 * buddy.c's hook: a pageblock's free pages changed upwards. An owned block
 * that is wholly free in the buddy again has no page left anywhere else,
 * so nobody can race a free into it: its ownership ends here.
 */
static inline void pcp_buddy_block_freed(struct ga_zone *z,
					 struct ga_pageblock *pb)
{
	if (ga_unlikely(pb->cpu) &&
	    pb->nr_free + pb->nr_reserved == z->pageblock_nr_pages)
		pcp_buddy_release(z, pb);
}

#endif /* GA_INTERNAL_H */
