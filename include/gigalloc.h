/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * gigalloc — a physical page-frame allocator modelled on the Linux buddy
 * allocator, with the superpageblock (1 GiB) anti-fragmentation design on top.
 *
 * This header is the whole public API. Conventions:
 *  - Every function that can fail returns 0 (or a non-negative value) on
 *    success and a negative errno value on failure. No function prints
 *    unless it is given a FILE *.
 *  - There is no global state: everything hangs off a struct ga_zone.
 *  - Kernel vocabulary is used for kernel concepts: a pfn is a page frame
 *    number, an order is log2 of a block's size in pages, a pageblock is the
 *    2^pageblock_order unit that carries a migratetype, a pcp is a per-CPU
 *    page list.
 *  - Pointers: a result pointer (ga_alloc's pfn, ga_zone_create's zonep,
 *    a query's info struct) or an input the call cannot do without that is
 *    NULL makes an int-returning call return -EINVAL without doing
 *    anything. The zone argument, and the struct pointers of the void
 *    functions (ga_zone_info, ga_zone_stats, ga_spb_summary), must not be
 *    NULL: a precondition, checked by GA_BUG_ON in GA_DEBUG builds.
 *  - Thread safety: all ga_alloc/ga_free/ga_drain* calls may run concurrently
 *    from any number of threads. Each call names the CPU whose per-CPU lists
 *    it uses; two threads may name the same CPU (they then contend on that
 *    CPU's pcp lock, like preemption on one CPU in the kernel).
 */
#ifndef GIGALLOC_H
#define GIGALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t ga_pfn_t;

/* ------------------------------------------------------------------------ */
/* Version. The shared library's soname follows the major number.           */

#define GA_VERSION_MAJOR	0
#define GA_VERSION_MINOR	1
#define GA_VERSION_PATCH	0
#define GA_VERSION_STRING	"0.1.0"

/* The library's version ("0.1.0"), which may be newer than the header's
 * GA_VERSION_STRING when a program runs against a later shared library. */
const char *ga_version(void);

struct ga_zone;

/* ------------------------------------------------------------------------ */
/* Migratetypes (include/linux/mmzone.h, x86-64 config with CMA+ISOLATION). */

enum ga_migratetype {
	GA_MT_UNMOVABLE = 0,
	GA_MT_MOVABLE = 1,
	GA_MT_RECLAIMABLE = 2,
	GA_MT_HIGHATOMIC = 3,
	GA_MT_CMA = 4,
	GA_MT_ISOLATE = 5,	/* free-list index only; isolation is a pageblock bit */
	GA_MT_TYPES = 6,
};
#define GA_MT_PCPTYPES 3	/* types kept on pcp lists and in the fallback table */

/* Name as /proc/pagetypeinfo prints it ("Unmovable", "Movable", ...). */
const char *ga_migratetype_name(int mt);

/* ------------------------------------------------------------------------ */
/* Allocation flags, modelled on gfp_t (include/linux/gfp_types.h).          */

#define GA_GFP_MOVABLE		(1u << 0)  /* __GFP_MOVABLE: page can be migrated */
#define GA_GFP_RECLAIMABLE	(1u << 1)  /* __GFP_RECLAIMABLE: freed by shrinkers */
#define GA_GFP_HIGH		(1u << 2)  /* __GFP_HIGH: may use part of the min reserve */
#define GA_GFP_DIRECT_RECLAIM	(1u << 3)  /* may call ops->reclaim synchronously */
#define GA_GFP_KSWAPD_RECLAIM	(1u << 4)  /* may wake background reclaim */
#define GA_GFP_NOWARN		(1u << 5)
#define GA_GFP_NORETRY		(1u << 6)
#define GA_GFP_RETRY_MAYFAIL	(1u << 7)
#define GA_GFP_NOMEMALLOC	(1u << 8)
#define GA_GFP_COMP		(1u << 9)  /* compound page (informational) */
#define GA_GFP_NOFAIL		(1u << 10) /* the caller cannot handle failure */
#define GA_GFP_MEMALLOC		(1u << 11) /* may use every reserve (reclaim itself) */
/* Zone modifiers (gfp_zone): only a node of zones (ga_node_alloc) reads
 * them; a single ga_zone serves every request from itself. */
#define GA_GFP_DMA		(1u << 12) /* __GFP_DMA: ZONE_DMA only */
#define GA_GFP_DMA32		(1u << 13) /* __GFP_DMA32: DMA32 and below */
#define GA_GFP_HIGHMEM		(1u << 14) /* __GFP_HIGHMEM: with MOVABLE, ZONE_MOVABLE */
#define GA_GFP_VALID_MASK	((1u << 15) - 1)

#define GA_GFP_RECLAIM		(GA_GFP_DIRECT_RECLAIM | GA_GFP_KSWAPD_RECLAIM)
#define GA_GFP_KERNEL		GA_GFP_RECLAIM
#define GA_GFP_ATOMIC		(GA_GFP_HIGH | GA_GFP_KSWAPD_RECLAIM)
#define GA_GFP_NOWAIT		(GA_GFP_KSWAPD_RECLAIM | GA_GFP_NOWARN)
#define GA_GFP_KERNEL_RECLAIMABLE (GA_GFP_KERNEL | GA_GFP_RECLAIMABLE)
#define GA_GFP_HIGHUSER		(GA_GFP_KERNEL | GA_GFP_HIGHMEM)
#define GA_GFP_HIGHUSER_MOVABLE	(GA_GFP_HIGHUSER | GA_GFP_MOVABLE)
/* THP fault without madvise (defrag=madvise default): no reclaim at all. */
#define GA_GFP_TRANSHUGE_LIGHT	(GA_GFP_MOVABLE | GA_GFP_HIGHMEM | GA_GFP_COMP | \
				 GA_GFP_NOMEMALLOC | GA_GFP_NOWARN)
#define GA_GFP_TRANSHUGE	(GA_GFP_TRANSHUGE_LIGHT | GA_GFP_DIRECT_RECLAIM)

/* gfp_migratetype(): MOVABLE, RECLAIMABLE or UNMOVABLE; -EINVAL if both set. */
int ga_gfp_migratetype(unsigned int gfp);

/* Zone types of a node, lowest first (enum zone_type, x86-64). */
enum ga_zone_type {
	GA_ZONE_DMA = 0,	/* below 16 MiB */
	GA_ZONE_DMA32 = 1,	/* below 4 GiB */
	GA_ZONE_NORMAL = 2,
	GA_ZONE_MOVABLE = 3,	/* movablecore=/kernelcore=: movable pages only */
	GA_NR_ZONE_TYPES = 4,
};
/* Name as /proc/zoneinfo prints it ("DMA", "DMA32", "Normal", "Movable"). */
const char *ga_zone_type_name(int type);
/*
 * gfp_zone(): the highest zone type a request may use (GFP_ZONE_TABLE):
 * DMA for GA_GFP_DMA, DMA32 for GA_GFP_DMA32, MOVABLE for HIGHMEM and
 * MOVABLE together, NORMAL otherwise. -EINVAL for the combinations the
 * kernel calls GFP_ZONE_BAD (two zone modifiers at once).
 */
int ga_gfp_zone(unsigned int gfp);

/* ------------------------------------------------------------------------ */
/* Policy: every mechanism and constant, by name.                           */

struct ga_policy {
	/* Fallback and anti-fragmentation (mm/page_alloc.c). */
	bool mobility_grouping;		/* !page_group_by_mobility_disabled */
	bool nofragment;		/* ALLOC_NOFRAGMENT on the fast path */
	unsigned int watermark_boost_factor;	/* 1/10000 of high wmark; 0 = off */
	unsigned int watermark_scale_factor;	/* 1/10000 of managed pages */
	unsigned int min_free_kbytes;	/* 0 = computed like the kernel */
	bool thp_min_free;		/* khugepaged's min_free_kbytes raise */
	unsigned int thp_nr_zones;	/* zones khugepaged counts (DMA+DMA32+Normal = 3) */
	/* sysctl lowmem_reserve_ratio of a node's lower zones; 0 = no reserve. */
	unsigned int lowmem_reserve_ratio_dma;		/* 256 */
	unsigned int lowmem_reserve_ratio_dma32;	/* 256 */
	unsigned int lowmem_reserve_ratio_normal;	/* 32 */
	bool kswapd_node;		/* in a node, kswapd balances the node */
	bool highatomic;		/* MIGRATE_HIGHATOMIC reserve */
	/* Older kernels' decisions (the vanilla-6.1 preset; off = v6.12/6.15). */
	bool fallback_largest;		/* pre-6.15 __rmqueue_fallback: largest buddy */
	bool rmqueue_bulk_restart;	/* pre-6.15 rmqueue_bulk: no fallback mode cache */
	bool pcp_high_fixed;		/* pre-6.7: pcp high fixed, no auto-tuning */
	bool pcp_batch_fixed;		/* pre-6.7: refills of batch, spills of
					 * batch << free_factor */
	/* Per-CPU lists. */
	bool pcp;			/* pcp lists on; off = every call to buddy */
	unsigned int pcp_batch_scale_max;	/* CONFIG_PCP_BATCH_SCALE_MAX */
	unsigned int pcp_high_fraction;	/* percpu_pagelist_high_fraction, 0 = auto */
	bool pcp_buddy;			/* per-CPU pageblocks, owner-routed frees (RFC 02/03) */
	bool pcp_buddy_adopt;		/* ... adopt partial blocks of tainted SPBs (21) */
	bool pcp_buddy_reabsorb;	/* ... take other CPUs' PCPBuddy entries back (21) */
	/* Reclaim. */
	unsigned int reclaim_retries;	/* MAX_RECLAIM_RETRIES */
	unsigned int reclaim_batch;	/* SWAP_CLUSTER_MAX: direct reclaim target */
	/* Async evacuation of claimed movable pageblocks (RFC patch 06). */
	bool evacuate;
	unsigned int evacuate_pool;	/* pre-allocated work items (64) */
	unsigned int evacuate_batch;	/* pages isolated per batch (32) */
	bool evacuate_sync;		/* retry busy pages (default: async) */
	/* SPB defragmentation and targeted evacuation (RFC 15, 23, 25). */
	bool spb_defrag;		/* per-SPB background defrag worker (15) */
	unsigned int spb_defrag_noop_cooldown;	/* s before retrying a no-op SPB (5) */
	bool spb_evacuate_order;	/* spb_evacuate_for_order before tainting (23) */
	bool spb_evacuate_deferred;	/* ... queued when an atomic request taints (25) */
	/* Compaction (mm/compaction.c). */
	bool compaction;		/* CONFIG_COMPACTION: direct compaction */
	unsigned int extfrag_threshold;	/* vm.extfrag_threshold (500) */
	unsigned int compaction_proactiveness;	/* vm.compaction_proactiveness (20) */
	bool kcompactd;			/* kcompactd on the zone's executor */
	/* Superpageblocks (RFC "mm: reliable 1GB page allocation"). */
	bool spb_free_lists;		/* per-SPB buddy lists (RFC 14) */
	bool spb_steer_nonmovable;	/* unmovable/reclaimable into tainted SPBs (11, 20) */
	bool spb_steer_movable;		/* movable into the fullest clean SPB (12) */
	bool spb_fill_holes;		/* ... but fill tainted SPBs' holes before
					 * splitting a free pageblock */
	bool spb_tainted_last;		/* ... and tainted SPBs' free pageblocks
					 * only after empty SPBs */
	bool spb_movable_reserve_gate;	/* movable requests no further than the
					 * SPB passes: no tainted SPB at or
					 * below its reserve (RFC 11/20) */
	bool spb_taint_roomiest;	/* a new tainted SPB: empty, else emptiest */
	bool spb_no_mixing;		/* no UNMOVABLE/RECLAIMABLE mixing (24) */
	unsigned int spb_reserve_min;	/* tainted-SPB reserve: free pageblocks */
	unsigned int spb_reserve_pct;	/* ... at least this % of the SPB (23) */
	bool spb_contig;		/* 1 GiB requests take empty SPBs first (17) */
	bool spb_contig_movable;	/* THP: evacuate a clean window before compaction (17) */
	bool spb_pin_migrate;		/* long-term pins move into tainted SPBs first */
	bool spb_relax_placement;	/* above the high mark, taint instead of reclaim */
	bool spb_fullness_walk;		/* find SPBs by walking fullness lists (10, 12) */
	bool spb_hint_cache;		/* PASS_1 tries the last SPB that served (31) */
	/* The series' refusals: who may not taint a clean SPB. */
	bool spb_atomic_protect;	/* atomics keep NOFRAGMENT in the slow path (18) */
	unsigned int spb_aggressive_min_spbs;	/* sub-pageblock fragments in tainted
					 * SPBs only above this many SPBs (19); 0 = always */
	bool spb_refuse_optional;	/* optional high-order requests fail, not taint (26) */
	bool spb_refuse_lower_order;	/* best-effort high order fails if lower can serve (35) */
	bool spb_nolock_nofragment;	/* ga_alloc_nolock keeps NOFRAGMENT (36) */
	bool spb_pass_2c;		/* UNMOVABLE <-> RECLAIMABLE borrow in tainted SPBs (27) */
	/* Slab-shrink pressure from SPB placement (RFC 28). */
	bool spb_shrink;		/* ask ops->shrink when tainted SPBs run low */
	unsigned int spb_shrink_batch;	/* most pages asked of one shrink call */
	bool spb_compact_targets;	/* compaction targets from SPB lists, fullest clean first (16) */
	bool spb_compact_skip_tainted;	/* migrate scanner skips tainted SPBs without movable (38) */
	bool spb_compact_reserve;	/* no targets from tainted SPBs at their reserve (39) */
	bool spb_compact_evacuate;	/* non-movable high order: evacuate before compaction (17) */
};

/* Parameter description for tables and --set. */
enum ga_param_type { GA_PARAM_BOOL, GA_PARAM_UINT };

struct ga_param_info {
	const char *name;		/* e.g. "watermark_boost_factor" */
	enum ga_param_type type;
	size_t offset;			/* into struct ga_policy */
	unsigned int min, max;		/* valid range (UINT) */
	const char *source;		/* kernel symbol or RFC patch it models */
	const char *help;
};

/* All parameters; *nr receives the count. */
const struct ga_param_info *ga_policy_params(size_t *nr);

/* Fill *p with a named preset ("vanilla"). -ENOENT if unknown. */
int ga_policy_preset(struct ga_policy *p, const char *name);
/* Names of the presets, NULL-terminated. */
const char *const *ga_policy_preset_names(void);
/* The presets compared by default ("vanilla", "rfc", "spb"), NULL-terminated. */
const char *const *ga_policy_compare_names(void);
/* Set one parameter from text ("on"/"off"/"1"/"0"/number).
 * -ENOENT unknown name, -EINVAL bad value (or a NULL pointer), -ERANGE
 * out of the parameter's [min, max]. */
int ga_policy_set(struct ga_policy *p, const char *name, const char *value);
/* Parse "name=value". Same errors as ga_policy_set. */
int ga_policy_set_assignment(struct ga_policy *p, const char *assignment);
/* Print "name value  # help" lines. */
void ga_policy_print(FILE *f, const struct ga_policy *p);
/*
 * Every numeric parameter inside its documented [min, max] (the table of
 * ga_policy_params). Returns 0, or -EINVAL with the first offender in
 * errbuf (may be NULL). ga_zone_config_check applies it to cfg->policy.
 */
int ga_policy_check(const struct ga_policy *p, char *errbuf, size_t errlen);

/* ------------------------------------------------------------------------ */
/* Embedder callbacks.                                                       */

enum ga_reclaim_kind {
	GA_RECLAIM_KSWAPD,	/* background: bring free pages up to the high mark */
	GA_RECLAIM_BOOST,	/* kswapd for a watermark boost: no writeback/swap */
	GA_RECLAIM_DIRECT,	/* an allocation is stalled: reclaim a batch now */
};

struct ga_reclaim_request {
	enum ga_reclaim_kind kind;
	unsigned long nr_to_reclaim;	/* pages wanted */
	unsigned int order;		/* order of the allocation that asked */
	unsigned int cpu;		/* CPU to use for the ga_free calls */
	unsigned int gfp;		/* gfp of the allocation that asked */
};

/*
 * A shrinker request (RFC 28's queue_spb_slab_shrink): a non-movable
 * allocation landed in a tainted superpageblock that is short of free
 * pages, or is about to taint a clean one. Free reclaimable objects, the
 * way the dentry and inode shrinkers do, so the next non-movable
 * allocations find room in the tainted SPBs they already use.
 */
struct ga_shrink_request {
	unsigned long nr_to_free;	/* pages wanted */
	unsigned int cpu;		/* CPU to use for the ga_free calls */
};

/*
 * Callbacks about pages the owner has freed meanwhile. ops->migrate and
 * ops->drop name an allocation the library isolated earlier, and run with
 * no library lock held; the library looks for a deferred free just before
 * each call (src/migrate.c: migrate_one, again after taking the migration
 * target, since that may have entered reclaim), but with several threads
 * the owner's ga_free of the same pages can still land between that look
 * and the call. So either callback may be asked about pages the owner no
 * longer holds; `owner` may even name an owner that has since allocated
 * other pages. Check that the owner holds exactly (pfn, order), under the
 * owner's own lock, and if not answer -ENOENT from migrate (the library
 * frees the target and completes the deferred free) or any nonzero value
 * from drop (-EBUSY or -ENOENT: counted as a refused drop, after which the
 * library completes the deferred free). Never answer 0 for such a page: a
 * migrate that returns 0 hands the target to an owner that will never
 * free it. With one thread (all ga_free calls on the thread that runs the
 * movers, reclaim included) this cannot happen.
 */
struct ga_ops {
	/*
	 * Free memory by calling ga_free() on pages the embedder owns (evict
	 * page cache, shrink slab, swap). Returns the number of pages freed.
	 * Called with no library lock held; must not call ga_alloc on the same
	 * zone. May be NULL: then allocations fail once free memory is gone.
	 */
	unsigned long (*reclaim)(void *ctx, struct ga_zone *zone,
				 const struct ga_reclaim_request *req);
	/*
	 * Move the movable allocation `owner` from old_pfn to new_pfn (both
	 * 2^order pages): copy the contents and update every reference.
	 * Return 0 when done (the library then frees old_pfn and new_pfn
	 * becomes the owner's allocation), -EBUSY if it cannot move now
	 * (in use, pinned by something the library does not know), -EAGAIN
	 * to be retried later, or -ENOENT if the owner no longer holds
	 * old_pfn (it is being freed concurrently; the library then completes
	 * that free). Called with no library lock held. NULL: nothing moves.
	 * The embedder serializes this with its own ga_free of the same pages
	 * (as the kernel's page lock does): a ga_free that arrives while the
	 * page is isolated is deferred until migration lets go of it.
	 */
	int (*migrate)(void *ctx, struct ga_zone *zone, uint64_t owner,
		       ga_pfn_t old_pfn, ga_pfn_t new_pfn, unsigned int order);
	/*
	 * Drop a clean allocation instead of moving it: clean page cache for
	 * movable pages, a shrinkable slab object for reclaimable ones. Return
	 * 0 if dropped (the library frees the pages) or nonzero if it must
	 * stay: -EBUSY (dirty, in use), or -ENOENT if the owner no longer holds
	 * pfn (freed concurrently; see above). Same locking rules as migrate.
	 * NULL: nothing drops.
	 */
	int (*drop)(void *ctx, struct ga_zone *zone, uint64_t owner,
		    ga_pfn_t pfn, unsigned int order);
	/*
	 * Free reclaimable (slab) memory by calling ga_free(): a shrinker.
	 * Returns the pages freed. Called from a background work item on the
	 * zone's executor (never from inside ga_alloc), one call at a time
	 * per zone, with no library lock held; it must not call ga_alloc on
	 * the same zone. May be NULL: then policy.spb_shrink does nothing.
	 */
	unsigned long (*shrink)(void *ctx, struct ga_zone *zone,
				const struct ga_shrink_request *req);
};

/* ------------------------------------------------------------------------ */
/* Zone setup.                                                               */

struct ga_pfn_range {
	ga_pfn_t start, end;	/* [start, end) */
};

struct ga_zone_config {
	ga_pfn_t start_pfn;	/* aligned to 2^pageblock_order */
	ga_pfn_t end_pfn;	/* exclusive, aligned to 2^pageblock_order */
	const struct ga_pfn_range *holes;	/* never-allocatable ranges */
	size_t nr_holes;
	const struct ga_pfn_range *cma;	/* pageblock-aligned MIGRATE_CMA ranges */
	size_t nr_cma;
	unsigned int page_shift;	/* 12 (4 KiB) */
	unsigned int pageblock_order;	/* 9 */
	unsigned int max_page_order;	/* 10 (MAX_PAGE_ORDER) */
	unsigned int spb_order;		/* 18 (1 GiB superpageblock) */
	unsigned int nr_cpus;
	const struct ga_policy *policy;	/* NULL = "vanilla" */
	const struct ga_ops *ops;	/* may be NULL */
	void *ops_ctx;
	/* Runs background work (kcompactd, evacuation); NULL = none, and
	 * the mechanisms that need one stay idle. Not owned by the zone. */
	struct ga_executor *executor;
	/*
	 * Memory hotplug (ga_zone_resize): the largest end the zone may grow
	 * to; 0 = end_pfn (no growth). Metadata is laid out for this span
	 * up front, so the page and superpageblock arrays never move under
	 * a lock-free reader. Above end_pfn, end_pfn must lie on a
	 * superpageblock boundary (a multiple of 2^spb_order pages).
	 */
	ga_pfn_t max_end_pfn;
};

#define GA_MAX_ORDER_LIMIT 20	/* largest max_page_order accepted */
#define GA_MAX_CPUS 1024

/* Fill *cfg with the x86-64 defaults for a zone of [start_pfn, end_pfn). */
void ga_zone_config_default(struct ga_zone_config *cfg, ga_pfn_t start_pfn,
			    ga_pfn_t end_pfn, unsigned int nr_cpus);

/*
 * Check a configuration. Returns 0, or -EINVAL with a reason in errbuf
 * (misaligned range, empty zone, order limits, zero CPUs, holes outside
 * the zone, a pfn whose physical address does not fit in 64 bits, a
 * policy parameter outside its range (ga_policy_check), ...). errbuf may
 * be NULL.
 */
int ga_zone_config_check(const struct ga_zone_config *cfg, char *errbuf,
			 size_t errlen);

/* Bytes of metadata ga_zone_init() needs for cfg; 0 if cfg is invalid. */
size_t ga_zone_metadata_size(const struct ga_zone_config *cfg);

/*
 * Build a zone inside caller-provided memory of at least
 * ga_zone_metadata_size(cfg) bytes, aligned to 64 bytes. All non-hole pages
 * start free, every pageblock MOVABLE (or CMA). -EINVAL bad config,
 * -ENOSPC buffer too small.
 */
int ga_zone_init(struct ga_zone **zonep, const struct ga_zone_config *cfg,
		 void *mem, size_t size);
/* Same, with the metadata allocated by the library. -ENOMEM. */
int ga_zone_create(struct ga_zone **zonep, const struct ga_zone_config *cfg);
/* Tear down. Runs (MANUAL) or waits for (THREADS) the executor's pending
 * work first, since queued items point into the zone. Frees the metadata
 * only if ga_zone_create allocated it. */
void ga_zone_destroy(struct ga_zone *zone);

/* ------------------------------------------------------------------------ */
/* Allocation and free.                                                      */

/*
 * Allocate 2^order pages. The first pfn is stored in *pfn. owner is an
 * opaque token kept with the allocation (reported back by queries and, in
 * later APIs, to migration callbacks).
 *
 * Errors: -EINVAL cpu out of range or bad gfp (both MOVABLE and
 * RECLAIMABLE); -E2BIG order > max_page_order; -ENOMEM no memory after
 * reclaim (the kernel's page allocation failure).
 */
int ga_alloc(struct ga_zone *zone, unsigned int cpu, unsigned int order,
	     unsigned int gfp, uint64_t owner, ga_pfn_t *pfn);

/*
 * alloc_pages_nolock(): for callers that may not sleep or spin (BPF, any
 * context). Never waits for a lock (trylock only, and no pcp list), never
 * reclaims, compacts or wakes anyone, uses no reserve; with
 * spb_nolock_nofragment (RFC 36) it also never taints a clean
 * superpageblock. Returns 0, -EBUSY if a lock was held (counted in
 * GA_STAT_NOLOCK_BUSY: try later), -ENOMEM, or ga_alloc's -EINVAL/-E2BIG.
 */
int ga_alloc_nolock(struct ga_zone *zone, unsigned int cpu, unsigned int order,
		    unsigned int gfp, uint64_t owner, ga_pfn_t *pfn);

/*
 * Allocate exactly the block [pfn, pfn + 2^order), as take_page_off_buddy()
 * does: the free buddy holding it is split, every other half given back.
 * No watermark applies (an embedder rebuilds a state that existed, e.g. a
 * traced machine's pages in use) and no pageblock is relabelled. Free it
 * with ga_free like any allocation. A block cached whole on a pcp list is
 * taken off that list; if a page of it is cached otherwise, the pcp lists
 * are drained first.
 *
 * Errors: -EINVAL cpu, gfp, or pfn not aligned to 2^order; -E2BIG order >
 * max_page_order; -ERANGE outside the zone; -EPERM a hole in the block;
 * -EBUSY some page of it is allocated or its pageblock is isolated.
 */
int ga_alloc_at(struct ga_zone *zone, unsigned int cpu, ga_pfn_t pfn,
		unsigned int order, unsigned int gfp, uint64_t owner);

/*
 * What ga_alloc would take for this request now, without taking it: the
 * decision rmqueue makes (the CPU's pcp list head; else __rmqueue with the
 * policy's superpageblock steering, claim and steal, whose first block is
 * also what a pcp refill hands out first). Nothing changes and nothing is
 * counted but the zone->lock acquisition (GA_STAT_ZONE_LOCK). Watermarks, reclaim and compaction are not asked: the answer is
 * for a request the fast path serves, tried with ALLOC_NOFRAGMENT when the
 * policy sets it, then without. The replayer's --shadow mode asks it before
 * placing each traced allocation where the kernel put it (ga_alloc_at).
 * Owned pcp blocks (pcp_buddy) are not looked at: the buddy lists answer.
 *
 * Returns 0, -ENOMEM if no free block would serve, or ga_alloc's
 * -EINVAL/-E2BIG.
 */
struct ga_alloc_choice {
	ga_pfn_t pfn;			/* first pfn of the block it would return */
	unsigned int from_order;	/* order of the free block split for it */
	int list_mt;			/* migratetype of the list it comes from */
	bool pcp;			/* the head of the CPU's pcp list */
	bool fallback;			/* another type's list: mm_page_alloc_extfrag */
	bool fragmenting;		/* ... from a block below pageblock_order */
	bool claim;			/* ... relabelling the pageblock */
};
int ga_alloc_peek(struct ga_zone *zone, unsigned int cpu, unsigned int order,
		  unsigned int gfp, struct ga_alloc_choice *choice);

/*
 * Label the pageblock holding pfn with mt (UNMOVABLE, MOVABLE or
 * RECLAIMABLE), moving its free pages to mt's lists: rebuilding a traced
 * machine's labels. A free buddy larger than a pageblock that holds it is
 * relabelled whole (the kernel keeps a free buddy's blocks one type). -ERANGE outside the zone, -EINVAL another type,
 * -EBUSY an isolated, CMA or highatomic block.
 */
int ga_pageblock_set_migratetype(struct ga_zone *zone, ga_pfn_t pfn, int mt);

/*
 * Free an allocation made by ga_alloc. Misuse is detected, counted
 * (GA_STAT_BAD_FREE_*), and never changes allocator state:
 *   -ERANGE   pfn outside the zone
 *   -E2BIG    order > max_page_order
 *   -EINVAL   cpu out of range
 *   -EPERM    pfn is in a hole (never allocatable)
 *   -EALREADY pfn is already free (in a free buddy block or on a pcp list)
 *   -ENOENT   pfn is not the first page of an allocation (inside one)
 *   -EBADSLT  pfn is an allocation, but of another order
 */
int ga_free(struct ga_zone *zone, unsigned int cpu, ga_pfn_t pfn,
	    unsigned int order);

/*
 * A hint that pfn will soon be freed, allocated-over or queried: start
 * loading its page metadata (and its pageblock's) into the cache, without
 * waiting and without changing any state, so that a later ga_free(pfn)
 * does not stall on a cache miss. An embedder that knows which pages it
 * frees next (a timing wheel, an LRU) calls it a few frees ahead.
 * Returns 0, or -ERANGE (nothing done) for a pfn outside the zone. No lock
 * is taken; any thread may call it at any time.
 */
int ga_prefetch(const struct ga_zone *zone, ga_pfn_t pfn);

/* drain_pages_zone(): return one CPU's pcp pages to the buddy lists. */
int ga_drain_pcp(struct ga_zone *zone, unsigned int cpu);
/* drain_all_pages(zone). */
void ga_drain_all_pcp(struct ga_zone *zone);
/*
 * The vmstat worker's once-a-second duty (decay_pcp_high): shrink each
 * pcp's high limit by 1/8 and free the excess. The embedder (or simulator)
 * calls this once per second of its time.
 */
void ga_vmstat_tick(struct ga_zone *zone);

/* ------------------------------------------------------------------------ */
/* Queries.                                                                  */

enum ga_page_state {
	GA_PAGE_TAIL = 0,	/* inside a block whose head is elsewhere */
	GA_PAGE_BUDDY,		/* head of a free buddy block */
	GA_PAGE_PCP,		/* head of a block on a pcp list */
	GA_PAGE_ALLOC,		/* head of an allocation */
	GA_PAGE_RESERVED,	/* hole */
	GA_PAGE_CONTIG,		/* first page of a pageblock held by a
				 * contiguous allocation (order = pageblock) */
};

struct ga_page_info {
	enum ga_page_state state;
	unsigned int order;	/* for heads */
	int migratetype;	/* ALLOC: gfp migratetype of the allocation */
	uint64_t owner;		/* ALLOC, CONTIG */
	ga_pfn_t head_pfn;	/* first pfn of the block holding this pfn */
	unsigned int pins;	/* ALLOC: long-term pin count */
	bool isolated;		/* ALLOC: isolated for migration right now */
};

/* Describe the block holding pfn. -ERANGE outside the zone. */
int ga_page_query(struct ga_zone *zone, ga_pfn_t pfn,
		  struct ga_page_info *info);

struct ga_pageblock_info {
	ga_pfn_t start_pfn;
	int migratetype;	/* the label (get_pageblock_migratetype) */
	bool isolated;
	bool evacuating;	/* queued for or under evacuation */
	unsigned int nr_free;	/* pages in free buddy blocks */
	unsigned int nr_pcp;	/* pages on pcp lists */
	unsigned int nr_alloc[GA_MT_PCPTYPES];	/* allocated pages per gfp mobility */
	unsigned int nr_reserved;
};

/* Census of the pageblock holding pfn (scans it). -ERANGE. */
int ga_pageblock_query(struct ga_zone *zone, ga_pfn_t pfn,
		       struct ga_pageblock_info *info);

struct ga_zone_info {
	ga_pfn_t start_pfn, end_pfn;
	ga_pfn_t max_end_pfn;		/* ga_zone_resize's limit */
	unsigned long present_pages, managed_pages, reserved_pages;
	unsigned long nr_pageblocks;
	unsigned int page_shift, pageblock_order, max_page_order, spb_order;
	unsigned int nr_cpus;
	unsigned long free_pages;	/* NR_FREE_PAGES (buddy, excl. isolated) */
	unsigned long free_highatomic, free_cma;
	unsigned long pcp_pages;	/* pages held on all pcp lists */
	unsigned long min_free_kbytes;
	unsigned long wmark_min, wmark_low, wmark_high;	/* unboosted */
	unsigned long watermark_boost;
	unsigned long nr_reserved_highatomic;
	unsigned long nr_free[GA_MAX_ORDER_LIMIT + 1];	/* buddyinfo */
	unsigned long nr_free_mt[GA_MAX_ORDER_LIMIT + 1][GA_MT_TYPES];
	unsigned long blocks_mt[GA_MT_TYPES];	/* pageblocks per label */
	int pcp_batch, pcp_high_min, pcp_high_max;
	/* In a node: its enum ga_zone_type and lowmem_reserve (zoneinfo's
	 * "protection:"), indexed by the request's highest zone type. A
	 * zone made by ga_zone_create: -1 and zeros. */
	int zone_type;
	unsigned long lowmem_reserve[GA_NR_ZONE_TYPES];
};

void ga_zone_info(struct ga_zone *zone, struct ga_zone_info *info);

/*
 * Memory hot-add and hot-remove at superpageblock granularity
 * (online_pages / offline_pages with the RFC's resize of the SPB array,
 * patch 09): move the zone's end to new_end_pfn, a superpageblock
 * boundary above start_pfn, or max_end_pfn itself.
 *
 * Growing onlines the new superpageblocks: their pages are freed to the
 * buddy (list tails, as onlining does), the SPB records, index and free
 * lists take them in, managed pages, watermarks and pcp batch/high follow.
 * Shrinking offlines [new_end_pfn, end_pfn): its pageblocks are isolated
 * (refused at once for an unmovable page, a CMA or already isolated
 * block), the pcp lists drained, every allocation migrated out through
 * ops->migrate (clean page cache and reclaimable ones may be dropped
 * through ops->drop, as for contiguous allocation), and only if the whole
 * range is then free is it taken out of the zone; otherwise the isolation
 * is undone and nothing changes. Hole ranges of the configuration inside
 * an offlined range are forgotten: memory added again is all present.
 *
 * cpu is the CPU the caller runs on (for the migration targets). Returns
 * 0; -EINVAL (cpu out of range, new_end_pfn not a superpageblock boundary
 * above start_pfn nor max_end_pfn); -ERANGE (beyond max_end_pfn); -EBUSY
 * (another resize is running, or a page could not be moved: report names
 * it, as offline_pages names the page that blocked it); -ENOMEM (no
 * migration target). report (may be NULL) says which page blocked and
 * how many pages were moved or dropped (also on success).
 */
struct ga_contig_report;
int ga_zone_resize(struct ga_zone *zone, unsigned int cpu, ga_pfn_t new_end_pfn,
		   struct ga_contig_report *report);
const struct ga_policy *ga_zone_policy(const struct ga_zone *zone);

/* ------------------------------------------------------------------------ */
/* Statistics (like /proc/vmstat plus the extfrag tracepoint).               */

enum ga_stat_item {
	GA_STAT_PGALLOC,		/* pages allocated */
	GA_STAT_PGFREE,			/* pages freed */
	GA_STAT_ALLOC_CALLS,
	GA_STAT_FREE_CALLS,
	GA_STAT_ALLOC_FAIL,		/* -ENOMEM returns */
	GA_STAT_ALLOC_SLOWPATH,
	GA_STAT_ALLOC_NOFRAG_RETRY,	/* fast path retried without NOFRAGMENT */
	GA_STAT_PCP_ALLOC,		/* allocations served by a pcp list */
	GA_STAT_PCP_FREE,		/* frees put on a pcp list */
	GA_STAT_PCP_REFILL,		/* rmqueue_bulk calls */
	GA_STAT_PCP_REFILL_PAGES,
	GA_STAT_PCP_DRAIN_PAGES,	/* pages returned by free_pcppages_bulk */
	GA_STAT_PCP_TRYLOCK_FAIL,
	GA_STAT_ZONE_LOCK,		/* zone->lock acquisitions */
	GA_STAT_PCPB_CLAIM,		/* whole pageblocks a pcp took (RFC 02 phase 1) */
	GA_STAT_PCPB_RECOVER,		/* owned blocks whose fragments came back (phase 0) */
	GA_STAT_PCPB_RECOVER_PAGES,
	GA_STAT_PCPB_ADOPT,		/* partial blocks of tainted SPBs adopted (RFC 21) */
	GA_STAT_PCPB_CHUNK,		/* sub-pageblock chunks split on the pcp (phase 2) */
	GA_STAT_PCPB_CHUNK_PAGES,
	GA_STAT_PCPB_RMQUEUE_PAGES,	/* pages from classic __rmqueue (phase 3) */
	GA_STAT_PCPB_REMOTE_FREE,	/* frees sent to the owner's lock-free list (RFC 03) */
	GA_STAT_PCPB_LOCAL_DEFER,	/* ... by the owner itself: its pcp lock was busy */
	GA_STAT_PCPB_MERGE,		/* buddy merges on a pcp at drain */
	GA_STAT_PCPB_RELEASE,		/* owned blocks wholly free again: ownership ends */
	GA_STAT_PCPB_REABSORB,		/* other CPUs' PCPBuddy entries merged back (RFC 21) */
	GA_STAT_PCPB_DISOWN,		/* ... blocks whose owner then held nothing: unowned */
	GA_STAT_PCPB_FOLLOW,		/* adoption walks that took another CPU's block */
	GA_STAT_FALLBACK,		/* mm_page_alloc_extfrag events */
	GA_STAT_FALLBACK_FRAGMENTING,	/* ... with fallback_order < pageblock_order */
	GA_STAT_FALLBACK_CHANGE_OWNERSHIP, /* ... that claimed the block */
	GA_STAT_CLAIM_WHOLE,		/* claims of whole free blocks (order >= pb) */
	GA_STAT_CLAIM_PARTIAL,		/* sub-block claims that met the threshold */
	GA_STAT_CLAIM_REFUSED,		/* sub-block claims below the threshold */
	GA_STAT_STEAL,			/* __rmqueue_steal successes */
	GA_STAT_CMA_ALLOC,
	GA_STAT_BOOST,			/* boost_watermark raised the boost */
	GA_STAT_HIGHATOMIC_RESERVE,	/* pageblocks reserved */
	GA_STAT_HIGHATOMIC_UNRESERVE,	/* unreserve calls that converted a block */
	GA_STAT_HIGHATOMIC_ALLOC,	/* allocations served from HIGHATOMIC lists */
	GA_STAT_KSWAPD_WAKE,
	GA_STAT_KSWAPD_RECLAIMED,
	GA_STAT_DIRECT_RECLAIM,
	GA_STAT_DIRECT_RECLAIMED,
	GA_STAT_DRAIN_ALL,
	GA_STAT_BAD_FREE_RANGE,
	GA_STAT_BAD_FREE_ORDER,
	GA_STAT_BAD_FREE_HOLE,
	GA_STAT_BAD_FREE_DOUBLE,
	GA_STAT_BAD_FREE_NOT_HEAD,
	GA_STAT_BAD_FREE_WRONG_ORDER,
	GA_STAT_BAD_ARG,		/* bad cpu/gfp/order on alloc */
	/* Migration (mm/migrate.c, compaction's isolation). */
	GA_STAT_PGISOLATED,		/* pages isolated for migration */
	GA_STAT_PGMIGRATE_SUCCESS,	/* pages moved through ops->migrate */
	GA_STAT_PGMIGRATE_FAIL_BUSY,	/* ... refused with -EBUSY */
	GA_STAT_PGMIGRATE_FAIL_AGAIN,	/* ... still -EAGAIN after the retries */
	GA_STAT_PGMIGRATE_FAIL_PINNED,	/* ... pinned after isolation */
	GA_STAT_PGMIGRATE_FAIL_NOMEM,	/* ... no target page */
	GA_STAT_PGMIGRATE_FREED,	/* ... freed by its owner meanwhile */
	GA_STAT_PGDROP,			/* pages dropped through ops->drop */
	GA_STAT_PGDROP_REFUSED,
	GA_STAT_FREE_DEFERRED,		/* ga_free of an isolated page */
	/* Contiguous allocation (alloc_contig_range). */
	GA_STAT_CONTIG_ATTEMPT,
	GA_STAT_CONTIG_SUCCESS,
	GA_STAT_CONTIG_FAIL_UNMOVABLE,
	GA_STAT_CONTIG_FAIL_RECLAIMABLE,
	GA_STAT_CONTIG_FAIL_PINNED,
	GA_STAT_CONTIG_FAIL_BUSY,	/* isolated elsewhere, reserved, refused */
	GA_STAT_CONTIG_FAIL_NOMEM,
	GA_STAT_CONTIG_PAGES_MOVED,	/* migrated + dropped for successes */
	GA_STAT_CONTIG_PAGES_OBTAINED,
	/* Evacuation of claimed pageblocks (RFC patch 06). */
	GA_STAT_EVAC_QUEUED,		/* claims that queued an evacuation */
	GA_STAT_EVAC_DROPPED,		/* ... dropped: the item pool was empty */
	GA_STAT_EVAC_SKIPPED,		/* blocks back to MOVABLE before the run */
	GA_STAT_EVAC_RUN,		/* blocks walked */
	GA_STAT_EVAC_PAGES_MIGRATED,
	GA_STAT_EVAC_PAGES_DROPPED,	/* clean pages dropped instead */
	GA_STAT_EVAC_PAGES_FAILED,	/* isolated but refused/busy/no target */
	GA_STAT_EVAC_PAGES_PINNED,	/* movable pages left because pinned */
	GA_STAT_EVAC_BLOCKS_CLEAN,	/* ended with no movable page */
	GA_STAT_EVAC_BLOCKS_DIRTY,	/* ended with movable pages left */
	GA_STAT_EVAC_CLAIM_REFUSED,	/* claims refused: block under evacuation */
	GA_STAT_EVAC_LATENCY_NS,	/* sum of queue-to-start times */
	GA_STAT_EVAC_STOPPED,		/* block walks stopped at a failed batch */
	/* Background SPB defragmentation (RFC 15, v1 43). */
	GA_STAT_SPB_DEFRAG_QUEUED,	/* SPBs queued for the worker */
	GA_STAT_SPB_DEFRAG_COOLDOWN,	/* triggers ignored: no-op cooldown */
	GA_STAT_SPB_DEFRAG_RUN,		/* SPB runs of the worker */
	GA_STAT_SPB_DEFRAG_NOOP,	/* ... that moved nothing (stamped) */
	GA_STAT_SPB_DEFRAG_PINNED,	/* movable blocks passed over: a pinned page */
	GA_STAT_SPB_DEFRAG_BLOCKS,	/* pageblocks it evacuated */
	GA_STAT_SPB_DEFRAG_FREED,	/* ... that ended wholly free */
	GA_STAT_SPB_DEFRAG_PAGES,	/* pages it migrated or dropped */
	/* Targeted evacuation for non-movable requests (RFC 23, 25). */
	GA_STAT_SPB_EVAC_P1_ATTEMPT,	/* phase 1: blocks of the type emptied of movable */
	GA_STAT_SPB_EVAC_P1_SUCCESS,	/* ... after which a free block of the order exists */
	GA_STAT_SPB_EVAC_P2_ATTEMPT,	/* phase 2: movable blocks of tainted SPBs emptied */
	GA_STAT_SPB_EVAC_P2_SUCCESS,	/* ... that ended wholly free */
	GA_STAT_SPB_EVAC_PAGES,		/* pages migrated or dropped by both phases */
	GA_STAT_SPB_EVAC_SERVED,	/* requests served after it, NOFRAGMENT kept */
	GA_STAT_SPB_EVAC_DEFERRED,	/* deferred runs queued by atomic taints (25) */
	GA_STAT_SPB_EVAC_THROTTLED,	/* ... not queued: busy, throttled, nothing to move */
	GA_STAT_SPB_EVAC_DEFERRED_RUN,	/* deferred runs done */
	/* Superpageblocks. */
	GA_STAT_SPB_TAINTED,		/* clean/empty SPBs that became tainted */
	GA_STAT_SPB_PASS_TAINTED,	/* non-movable served in a tainted SPB */
	GA_STAT_SPB_CLAIM_FREE_TAINTED,	/* ... by claiming a free pageblock there */
	GA_STAT_SPB_CLAIM_MOVABLE_TAINTED, /* ... by relabelling a movable block */
	GA_STAT_SPB_BORROW_TAINTED,	/* ... by borrowing from a movable list */
	GA_STAT_SPB_TAINT_CLEAN,	/* non-movable had to use a clean SPB */
	GA_STAT_SPB_TAINT_EMPTY,	/* ... an empty SPB */
	GA_STAT_SPB_MOVABLE_CLEAN,	/* movable served in a clean SPB */
	GA_STAT_SPB_MOVABLE_TAINTED,	/* ... in a tainted SPB above its reserve */
	GA_STAT_SPB_MOVABLE_HOLE,	/* ... in a hole of a tainted SPB's movable block */
	GA_STAT_SPB_MOVABLE_EMPTY,	/* ... in an empty SPB */
	GA_STAT_SPB_FALLTHROUGH,	/* no SPB pass served: plain __rmqueue */
	GA_STAT_SPB_MOVABLE_GATED,	/* ... a movable request that did not (reserve gate) */
	GA_STAT_SPB_NOMIX_REFUSED,	/* unmovable/reclaimable relabels refused */
	GA_STAT_SPB_RELAX_NOFRAGMENT,	/* reclaim failed: may taint a clean SPB */
	GA_STAT_SPB_EVACUATE_TRY,	/* movable >= pageblock: clean window tried (17) */
	GA_STAT_SPB_EVACUATE_SUCCESS,	/* ... and emptied */
	GA_STAT_SPB_EVACUATE_PAGES,	/* pages moved or dropped doing so */
	GA_STAT_SPB_SHRINK_WANTED,	/* shrink triggers (RFC 28), queued or merged */
	GA_STAT_SPB_SHRINK_CALLS,	/* ops->shrink calls made */
	GA_STAT_SPB_SHRINK_PAGES,	/* ... pages they freed */
	GA_STAT_PIN_MIGRATE,		/* long-term pins moved into a tainted SPB */
	GA_STAT_PIN_IN_PLACE,		/* ... pinned in a clean SPB: no room, or busy */
	GA_STAT_SPB_HINT_HIT,		/* PASS_1 served by its hint SPB (RFC 31) */
	GA_STAT_SPB_HINT_MISS,		/* ... hint stale: the lists were walked */
	GA_STAT_SPB_REFUSE_OPTIONAL,	/* optional high order refused at PASS_3 (26) */
	GA_STAT_SPB_REFUSE_LOWER_ORDER,	/* best effort refused: lower orders can serve (35) */
	GA_STAT_SPB_BORROW_CROSS,	/* non-movable borrowed from the other type (27 2C) */
	GA_STAT_NOLOCK_BUSY,		/* ga_alloc_nolock found a lock held */
	GA_STAT_SPB_WALK_FAIL,		/* a steered search found no SPB (walk outcome) */
	GA_STAT_SPB_ATOMIC_NO_NOFRAG,	/* an atomic lost NOFRAGMENT in the slow path (18 off) */
	GA_STAT_SPB_PB_FIRST_SET,	/* a pageblock's first page of a type (has-bit set) */
	GA_STAT_SPB_PB_LAST_CLEAR,	/* ... its last page of a type left (has-bit clear) */
	/* Compaction (mm/compaction.c; vmstat compact_*). */
	GA_STAT_COMPACT_STALL,		/* direct compaction runs (not skipped) */
	GA_STAT_COMPACT_SUCCESS,	/* ... after which the allocation succeeded */
	GA_STAT_COMPACT_FAIL,		/* ... after which it still failed */
	GA_STAT_COMPACT_DEFERRED,	/* runs skipped by deferral */
	GA_STAT_COMPACT_MIGRATE_SCANNED,	/* pages walked by the migrate scanner */
	GA_STAT_COMPACT_FREE_SCANNED,	/* pages walked by the free scanner */
	GA_STAT_COMPACT_ISOLATED,	/* pages isolated: sources and free targets */
	GA_STAT_COMPACT_MIGRATED,	/* pages moved by compaction */
	GA_STAT_COMPACT_DAEMON_WAKE,	/* kcompactd woken for an order */
	GA_STAT_COMPACT_PROACTIVE,	/* proactive compaction runs */
	/* SPB-aware compaction (RFC 16, 38, 39) and 17's non-movable half. */
	GA_STAT_SPB_COMPACT_LIST_SCANNED,	/* SPB free-list entries the free scanner looked at (16) */
	GA_STAT_SPB_COMPACT_LIST_TARGETS,	/* ... pages it took from them as targets */
	GA_STAT_SPB_COMPACT_SKIP_SPB,	/* tainted SPBs without movable pages skipped (38) */
	GA_STAT_SPB_COMPACT_RESERVE_SKIP,	/* target blocks refused: SPB at its reserve (39) */
	GA_STAT_SPB_COMPACT_EVAC,	/* non-movable high order: evacuations before compaction (17) */
	GA_STAT_SPB_COMPACT_EVAC_SERVED,	/* ... after which the request was served */
	GA_NR_STATS
};

struct ga_stats {
	uint64_t v[GA_NR_STATS];
	/* fallback[alloc_mt][fallback_mt]: mm_page_alloc_extfrag pairs */
	uint64_t fallback[GA_MT_PCPTYPES][GA_MT_TYPES];
};

const char *ga_stat_name(enum ga_stat_item item);
/* Sum of all counters (zone and per-CPU). */
void ga_zone_stats(struct ga_zone *zone, struct ga_stats *stats);

/* ------------------------------------------------------------------------ */
/* Pins, contiguous allocation and 1 GiB regions.                            */

/*
 * Long-term pin of an allocation (GUP FOLL_LONGTERM, RDMA): a pinned
 * allocation is never migrated or dropped. Pins nest (up to 255).
 * -ERANGE, -ENOENT (pfn is not the head of an allocation), -EOVERFLOW,
 * -EINVAL (unpin of an unpinned allocation), -EAGAIN (a compaction or
 * other mover has it isolated right now: it may be about to move, so ask
 * again once the owner's migrate callback has run or the mover let go).
 */
int ga_pin(struct ga_zone *zone, ga_pfn_t pfn);
int ga_unpin(struct ga_zone *zone, ga_pfn_t pfn);
/*
 * ga_pin, but first, with the spb_pin_migrate policy, move a movable
 * allocation that sits in a clean or empty superpageblock into a tainted
 * one (through ops->migrate, on cpu's behalf), so the pin does not cost a
 * 1 GiB region: the superpageblock analogue of FOLL_LONGTERM refusing
 * ZONE_MOVABLE and CMA. If no tainted SPB has room, or the owner refuses
 * the move, the allocation is pinned where it is. *pinned is where the
 * allocation is pinned (the owner also heard of a move by ops->migrate).
 * Unpin with ga_unpin(*pinned). The owner must not free the allocation
 * while this runs, and ops->migrate may be called for it from this thread
 * (a lock the callback takes must not be held here, or be recursive).
 * Errors as ga_pin (-EAGAIN if another mover has it isolated), plus
 * -EINVAL (cpu out of range).
 */
int ga_pin_longterm(struct ga_zone *zone, unsigned int cpu, ga_pfn_t pfn,
		    ga_pfn_t *pinned);

/* Why a contiguous range could not be had: the first blocker found. */
enum ga_block_reason {
	GA_BLOCK_NONE = 0,
	GA_BLOCK_UNMOVABLE,	/* an unmovable allocation */
	GA_BLOCK_RECLAIMABLE,	/* a reclaimable allocation that would not drop */
	GA_BLOCK_PINNED,	/* a long-term pinned allocation */
	GA_BLOCK_RESERVED,	/* a hole */
	GA_BLOCK_ISOLATED,	/* already isolated by someone else */
	GA_BLOCK_MIGRATE_FAILED,	/* the owner refused to move it */
	GA_BLOCK_NOMEM,		/* no free memory to migrate into */
	GA_BLOCK_OUTSIDE,	/* the range is not inside the zone */
	GA_NR_BLOCK_REASONS
};
const char *ga_block_reason_name(int reason);

struct ga_contig_report {
	int reason;		/* enum ga_block_reason */
	ga_pfn_t pfn;		/* first blocking pfn */
	int migratetype;	/* of the blocking allocation, -1 if none */
	uint64_t owner;		/* of the blocking allocation */
	unsigned long pages_migrated;	/* moved out of the range */
	unsigned long pages_dropped;	/* dropped instead of moved */
};

/*
 * alloc_contig_range: isolate the pageblocks of [start, end), drop or
 * migrate everything movable out, and allocate the range as one block held
 * by owner. start and end must be pageblock-aligned. Returns 0, -EINVAL
 * (misaligned), -ERANGE (outside the zone), -EBUSY (an unmovable, pinned,
 * reserved or isolated page, or a page whose owner refused to move) or
 * -ENOMEM (no target pages); report (may be NULL) says which page blocked
 * and how many pages moved. On failure the isolation is undone.
 */
int ga_alloc_contig_range(struct ga_zone *zone, unsigned int cpu,
			  ga_pfn_t start, ga_pfn_t end, uint64_t owner,
			  struct ga_contig_report *report);
/*
 * Find 2^order contiguous pages aligned to 2^order (order from the
 * pageblock order up to spb_order: the 1 GiB hugetlb path) by trying
 * aligned windows with ga_alloc_contig_range() in address order, as
 * alloc_contig_pages does (with policy.spb_contig, a spb_order request
 * tries empty superpageblocks first, then clean, then tainted ones).
 * Returns 0 with *pfn set; -EINVAL (order or cpu out of range) or -ENOMEM
 * (no memory for the list of windows) with report untouched; else the
 * last window's error, or -EBUSY if no window could be tried. In report
 * (may be NULL), reason, pfn, migratetype and owner are the last window's
 * (GA_BLOCK_NONE, 0, -1, 0 on success; if no window could be tried,
 * GA_BLOCK_OUTSIDE for a zone smaller than one, else GA_BLOCK_RESERVED),
 * while pages_migrated and pages_dropped are summed over every window
 * tried: what a window moved out stays moved even if the window failed.
 */
int ga_alloc_contig_pages(struct ga_zone *zone, unsigned int cpu,
			  unsigned int order, uint64_t owner, ga_pfn_t *pfn,
			  struct ga_contig_report *report);
/* Free a range obtained with ga_alloc_contig_*: exactly [start, end) of
 * one contiguous allocation. -ENOENT if it is not one (a part of one, or
 * parts of two), -EINVAL misaligned or cpu out of range, -ERANGE. */
int ga_free_contig_range(struct ga_zone *zone, unsigned int cpu, ga_pfn_t start,
			 ga_pfn_t end);

/* One line per 1 GiB region: its contents and what keeps it from being a
 * 1 GiB page (holes, unmovable, pinned, reclaimable) or what it would cost. */
void ga_print_regions(struct ga_zone *zone, FILE *f);

/* Census of one aligned region (a 1 GiB superpageblock by default). */
struct ga_region_info {
	ga_pfn_t start_pfn, end_pfn;	/* clipped to the zone */
	unsigned long nr_free;		/* pages in free buddy blocks */
	unsigned long nr_pcp;		/* pages on pcp lists */
	unsigned long nr_movable, nr_reclaimable, nr_unmovable;	/* allocated */
	unsigned long nr_pinned;	/* allocated pages under a long-term pin */
	unsigned long nr_contig;	/* pages held by contiguous allocations */
	unsigned long nr_reserved;	/* holes */
	unsigned long nr_highatomic_blocks;	/* pageblocks labelled HighAtomic */
	unsigned long nr_pageblocks;
	unsigned long nr_free_pageblocks;	/* wholly free pageblocks */
	unsigned long nr_mixed_pageblocks;	/* holding pages of >1 mobility */
	unsigned long nr_unmovable_pageblocks;	/* holding any unmovable page */
	bool tainted;	/* holds unmovable/reclaimable pages or HighAtomic blocks */
	bool empty;	/* every page free (pcp pages count as free) */
};

/* Number of 2^order-aligned regions overlapping the zone. */
unsigned long ga_zone_nr_regions(struct ga_zone *zone, unsigned int order);
/* Census of region idx (0-based from the first region overlapping the
 * zone) at order (0 = spb_order). -ERANGE, -EINVAL. Scans the region. */
int ga_region_query(struct ga_zone *zone, unsigned long idx,
		    unsigned int order, struct ga_region_info *info);
/*
 * Census of every region at order (0 = spb_order) into info[0..nr), from
 * the per-pageblock counters the allocator keeps (free, content by
 * mobility, pinned, holes) and one walk of the pcp lists: O(pageblocks +
 * pcp pages) instead of O(pages). Equal to ga_region_query of each region
 * while the zone is quiescent. Takes each CPU's pcp lock in turn, so not
 * from inside a callback. Returns how many regions it filled (at most
 * nr), or -EINVAL, -ENOMEM.
 */
long ga_zone_regions_query(struct ga_zone *zone, unsigned int order,
			   struct ga_region_info *info, unsigned long nr);

/* ------------------------------------------------------------------------ */
/* Compaction.                                                               */

/*
 * Compact the zone now, in the caller's thread, moving movable allocations
 * towards the zone end through ops->migrate so that free memory merges at
 * the start. cpu names the pcp lists drained on the way.
 *
 * order -1 is writing 1 to /proc/sys/vm/compact_memory: the whole zone,
 * ignoring skip hints, until the two scanners meet. order 1..max_order
 * compacts the whole zone, ignoring skip hints and deferral, until a free
 * page of that order exists (0 pages moved if one already does). sync
 * selects MIGRATE_SYNC (busy pages are retried) over MIGRATE_ASYNC.
 *
 * Returns the number of pages migrated, or -EINVAL (cpu out of range,
 * order 0, below -1 or above max_page_order), -EOPNOTSUPP (compaction is
 * off in the policy, or the zone has no ops->migrate so nothing can move),
 * -EAGAIN (order > 0 and too little free memory to compact for it:
 * compaction_suitable says reclaim first).
 */
int ga_compact_zone(struct ga_zone *zone, unsigned int cpu, int order,
		    bool sync);

/* ------------------------------------------------------------------------ */
/* Superpageblocks: exact per-1 GiB counters, kept on every transition.      */

enum ga_spb_category {
	GA_SPB_EMPTY,		/* every page free: a 1 GiB page now */
	GA_SPB_CLEAN,		/* free and movable pages only */
	GA_SPB_TAINTED,		/* unmovable/reclaimable pages or HighAtomic blocks */
	GA_SPB_CONTIG,		/* held by a contiguous allocation */
};
const char *ga_spb_category_name(int category);

struct ga_spb_info {
	ga_pfn_t start_pfn, end_pfn;	/* clipped to the zone */
	int category;			/* enum ga_spb_category */
	unsigned int nr_pageblocks, nr_free_pageblocks, nr_reserved_pageblocks;
	/* pageblocks holding pages of each mobility (by contents, not label) */
	unsigned int nr_unmovable_pageblocks, nr_movable_pageblocks;
	unsigned int nr_reclaimable_pageblocks;
	unsigned int nr_highatomic_pageblocks, nr_contig_pageblocks;
	unsigned long nr_free_pages;
};

unsigned long ga_zone_nr_spbs(const struct ga_zone *zone);
/* O(1): from the counters, under the zone lock. -ERANGE. */
int ga_spb_query(struct ga_zone *zone, unsigned long idx,
		 struct ga_spb_info *info);

/* Distribution of one search-cost measure over steered allocations. */
struct ga_spb_cost {
	unsigned int median, p99, max;
	uint64_t ge100;			/* allocations with a cost of 100 or more */
};

struct ga_spb_summary {
	unsigned long total, empty, clean, tainted, contig;
	/*
	 * The search work per steered allocation (needs per-SPB lists):
	 * visits = SPBs examined (fullness-list entries walked and hint
	 * probes with spb_fullness_walk, candidates returned by the index
	 * without); words = index bitmap words scanned (0 for the walk).
	 */
	uint64_t steered;		/* allocations that went through steering */
	unsigned int visits_median, visits_p99;	/* = visits.median, .p99 */
	struct ga_spb_cost visits, words;
};
void ga_spb_summary(struct ga_zone *zone, struct ga_spb_summary *sum);
/*
 * Copy the per-allocation histogram of SPBs examined (words false) or
 * index words scanned (true): hist[v] allocations cost v, the last bucket
 * counts everything larger. Copies min(nr, buckets) entries and returns
 * the number of buckets kept, or -EINVAL.
 */
int ga_spb_search_histogram(struct ga_zone *zone, bool words, uint64_t *hist,
			    size_t nr);

/* ------------------------------------------------------------------------ */
/* Tracepoints (RFC 40): an optional per-zone event callback.               */

enum ga_trace_type {
	GA_TRACE_SPB_ALLOC_WALK,	/* spb_alloc_walk: a steered search ended */
	GA_TRACE_SPB_FALL_THROUGH,	/* spb_alloc_fall_through: no SPB pass served */
	GA_TRACE_SPB_PB_TAINT,		/* spb_pb_taint: a pageblock's has-bit changed */
	GA_TRACE_SPB_CLAIM_REFUSED,	/* spb_claim_block_refused, with reason */
	GA_TRACE_SPB_EVACUATE_DONE,	/* spb_evacuate_for_order_done: a block's
					 * evacuation ended */
	GA_TRACE_SPB_ATOMIC_RELAX,	/* spb_alloc_atomic_relax: a relax or refusal step */
	GA_NR_TRACE_TYPES
};

struct ga_trace_event {
	int type;			/* enum ga_trace_type */
	unsigned int order;
	int migratetype;		/* of the request, or the has-bit's type */
	const char *what;		/* walk outcome, refusal reason or relax step */
	unsigned int visited;		/* SPBs examined by the walk */
	long spb;			/* SPB index, -1 if none */
	ga_pfn_t pfn;			/* pageblock (or page) concerned */
	int set;			/* PB_TAINT: 1 first set, 0 last clear */
	unsigned long moved;		/* EVACUATE_DONE: pages migrated or dropped */
};

/* Event sink: called synchronously, possibly under zone->lock: it must
 * not call back into the library. */
typedef void (*ga_trace_fn)(void *ctx, const struct ga_trace_event *ev);
/* Name as ftrace prints it ("spb_alloc_walk", ...). */
const char *ga_trace_name(int type);
/* Install (fn non-NULL) or remove the zone's event sink. Off by default;
 * with none installed each hook is one predictable branch. Set it while
 * no other thread uses the zone. */
void ga_zone_set_trace(struct ga_zone *zone, ga_trace_fn fn, void *ctx);

/* ------------------------------------------------------------------------ */
/* Executors: where asynchronous work runs.                                  */

/*
 * kcompactd, pageblock evacuation and superpageblock defragmentation are
 * work items the library queues. An executor runs them, either on worker
 * threads (for embedders) or manually: ga_executor_run_pending() runs what
 * is queued, in queue order, in the caller's thread, so a simulation is
 * reproducible bit for bit. Queueing never allocates and is safe under any
 * library lock; worker threads are only woken outside locks.
 */
struct ga_executor;

enum ga_executor_kind {
	GA_EXECUTOR_MANUAL,	/* deterministic: work runs in run_pending */
	GA_EXECUTOR_THREADS,	/* nr_threads worker threads */
};

/* -EINVAL bad kind or nr_threads (THREADS needs 1..64), -ENOMEM, or the
 * pthread error as a negative errno. */
int ga_executor_create(struct ga_executor **exp, enum ga_executor_kind kind,
		       unsigned int nr_threads);
/* Stop and free. Worker threads finish the item they run; queued items
 * that never started are not run. */
void ga_executor_destroy(struct ga_executor *ex);
/*
 * MANUAL: run queued items, and items they queue, until none is left;
 * returns how many ran. THREADS: wait until the queue is empty and every
 * worker is idle (a flush); returns 0.
 */
unsigned long ga_executor_run_pending(struct ga_executor *ex);
/* Items queued and not yet started. */
unsigned long ga_executor_pending(struct ga_executor *ex);
enum ga_executor_kind ga_executor_kind(const struct ga_executor *ex);

/* ------------------------------------------------------------------------ */
/* Reports in the kernel's text formats.                                     */

/* /proc/buddyinfo line for this zone ("Node 0, zone   Normal ..."). */
void ga_print_buddyinfo(struct ga_zone *zone, FILE *f);
/* /proc/pagetypeinfo: free counts per type and order, blocks per type,
 * and (we know them exactly) mixed blocks per type. */
void ga_print_pagetypeinfo(struct ga_zone *zone, FILE *f);
/* /proc/vmstat-style "name value" lines of ga_stats. */
void ga_print_vmstat(struct ga_zone *zone, FILE *f);
/* debugfs extfrag/unusable_index and extfrag_index, orders 0..max_order
 * and, extended, up to spb_order. */
void ga_print_extfrag(struct ga_zone *zone, FILE *f);

/*
 * Fragmentation indices for an order, kernel formulas scaled by 1000
 * (mm/vmstat.c). order may exceed max_page_order (up to spb_order): no
 * buddy is that large, so there a "suitable block" is a 2^order-aligned
 * region whose pages are all free. The fragmentation index can be negative
 * (-1000 means "would succeed"; a single small free block gives values in
 * (-1000, 0)), so a bad order (> spb_order) returns GA_INDEX_INVALID.
 */
#define GA_INDEX_INVALID (-2147483647 - 1)
int ga_unusable_index(struct ga_zone *zone, unsigned int order);
int ga_fragmentation_index(struct ga_zone *zone, unsigned int order);

/* ------------------------------------------------------------------------ */
/* A node of zones: DMA, DMA32, Normal, Movable as present.                 */

/*
 * A node holds one ga_zone per present zone type, each with its own
 * lock, free lists, pcp lists, watermarks and superpageblocks (clipped at
 * the zone's edges), as a pglist_data holds its struct zones. ga_node_alloc
 * walks the zonelist as get_page_from_freelist does: from the highest zone
 * the gfp allows (ga_gfp_zone) down to DMA, each zone's watermark raised
 * by its lowmem_reserve for that highest zone; a request whose preferred
 * zone is Normal first walks with ALLOC_NOFRAGMENT (so it spills to DMA32
 * before it fragments Normal), then again without. The zones stay usable
 * through the ga_zone API (queries, reports, ga_zone_check); a page is
 * freed with ga_node_free or with ga_free on the zone that holds it.
 */
struct ga_node;

struct ga_node_config {
	/*
	 * One configuration per zone type; a zone whose end_pfn is 0 is
	 * absent. Present zones must not overlap and must ascend with their
	 * type. Each zone's policy, ops, ops_ctx, executor and nr_cpus are
	 * replaced by the node's below.
	 */
	struct ga_zone_config zone[GA_NR_ZONE_TYPES];
	/*
	 * Watermarks in pages (min, low, high), e.g. a traced machine's
	 * zoneinfo; all zero = computed as the kernel does for the node
	 * (min_free_kbytes from the node's lowmem, shared by managed pages;
	 * a Movable zone gets managed/1024 clamped to 32..128).
	 */
	unsigned long wmark[GA_NR_ZONE_TYPES][3];
	/*
	 * lowmem_reserve given (zoneinfo's "protection:" lines, which the
	 * kernel computed at boot from the managed pages it had then);
	 * false = setup_per_zone_lowmem_reserve from the policy's ratios.
	 */
	bool lowmem_reserve_given;
	unsigned long lowmem_reserve[GA_NR_ZONE_TYPES][GA_NR_ZONE_TYPES];
	unsigned int nr_cpus;
	const struct ga_policy *policy;	/* NULL = "vanilla" */
	const struct ga_ops *ops;
	void *ops_ctx;
	struct ga_executor *executor;
};

/* Zero *cfg and set nr_cpus; then add zones with ga_node_config_zone. */
void ga_node_config_default(struct ga_node_config *cfg, unsigned int nr_cpus);
/* Make zone type present as [start_pfn, end_pfn) with the x86-64
 * defaults (ga_zone_config_default). -EINVAL bad type or empty range. */
int ga_node_config_zone(struct ga_node_config *cfg, int type, ga_pfn_t start_pfn,
			ga_pfn_t end_pfn);
/*
 * Build the node: every present zone with ga_zone_create, then the
 * watermarks and lowmem_reserve of the node. -EINVAL (no zone, zones that
 * overlap or descend, a zone's ga_zone_config_check; errbuf says which),
 * -ENOMEM. errbuf may be NULL.
 */
int ga_node_create(struct ga_node **nodep, const struct ga_node_config *cfg,
		   char *errbuf, size_t errlen);
void ga_node_destroy(struct ga_node *node);

/* The zone of that type, NULL if absent; the zone holding pfn, or NULL. */
struct ga_zone *ga_node_zone(struct ga_node *node, int type);
struct ga_zone *ga_node_zone_of(struct ga_node *node, ga_pfn_t pfn);

/*
 * __alloc_pages over the node's zonelist. Errors as ga_alloc, plus
 * -EINVAL for a gfp with two zone modifiers. *zone_type (may be NULL)
 * receives the type of the zone that served.
 */
int ga_node_alloc(struct ga_node *node, unsigned int cpu, unsigned int order,
		  unsigned int gfp, uint64_t owner, ga_pfn_t *pfn, int *zone_type);
/* ga_free / ga_alloc_at on the zone holding pfn; -ERANGE if none does. */
int ga_node_free(struct ga_node *node, unsigned int cpu, ga_pfn_t pfn,
		 unsigned int order);
int ga_node_alloc_at(struct ga_node *node, unsigned int cpu, ga_pfn_t pfn,
		     unsigned int order, unsigned int gfp, uint64_t owner);
/* ga_drain_all_pcp / ga_vmstat_tick on every zone. */
void ga_node_drain_all_pcp(struct ga_node *node);
void ga_node_vmstat_tick(struct ga_node *node);

/* What the zonelist walk did (node-level counters). */
struct ga_node_stats {
	uint64_t alloc_calls;			/* ga_node_alloc calls with valid args */
	uint64_t alloc_fail;			/* ... that returned -ENOMEM */
	uint64_t served[GA_NR_ZONE_TYPES];	/* allocations each zone served */
	uint64_t spill;				/* served below the preferred zone */
	uint64_t nofrag_spill;			/* ... on the ALLOC_NOFRAGMENT walk */
	uint64_t nofrag_retry;			/* walks retried without NOFRAGMENT */
	uint64_t reserve_refused[GA_NR_ZONE_TYPES];	/* zone skipped only for
						 * its lowmem_reserve */
	uint64_t slowpath;			/* allocations that left the fast path */
};
void ga_node_stats(struct ga_node *node, struct ga_node_stats *st);

/*
 * ga_zone_check on every zone, then the node: zones ascending and
 * disjoint, each zone's lowmem_reserve as configured or computed, and
 * the counters consistent (served + failed = calls). 0 or -EUCLEAN.
 */
int ga_node_check(struct ga_node *node, char *errbuf, size_t errlen);

/* ------------------------------------------------------------------------ */
/* Invariant checker.                                                        */

/*
 * Recount everything from scratch and compare: every free page is in exactly
 * one free list at its order and its block's migratetype; no mergeable free
 * buddy pair is left unmerged; per-order/per-type/per-block counters equal
 * recounts; pageblock label counts; allocated + free + pcp + reserved =
 * spanned. Takes all locks. Returns 0 or -EUCLEAN with the first problem in
 * errbuf (may be NULL).
 */
int ga_zone_check(struct ga_zone *zone, char *errbuf, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* GIGALLOC_H */
