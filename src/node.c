// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * A node of zones (struct pglist_data): DMA, DMA32, Normal and Movable as
 * present, each a full ga_zone. What the node adds is what the kernel does
 * across zones (mm/page_alloc.c):
 *
 *   gfp_zone                      the highest zone a request may use
 *   build_zonelists               that zone, then every lower one present
 *   setup_per_zone_lowmem_reserve what a lower zone keeps from requests
 *                                 that could have used a higher one
 *   __setup_per_zone_wmarks       one min_free_kbytes for the node, shared
 *                                 out by managed pages
 *   alloc_flags_nofragment        ALLOC_NOFRAGMENT when the preferred
 *                                 zone is Normal: spill to DMA32 rather
 *                                 than fragment Normal
 *   get_page_from_freelist        the walk, then once more without
 *                                 NOFRAGMENT if every zone failed
 *
 *   wake_all_kswapds              the slow path wakes the node's kswapd
 *                                 before its first walk at the min mark
 *   balance_pgdat, pgdat_balanced kswapd is the node's: it reclaims until
 *                                 any zone up to the wakers' highest
 *                                 meets its high mark with that
 *                                 lowmem_reserve, and drops their boosts
 *
 * The rest of the slow path is the zone's own (rmqueue.c), run zone by
 * zone down the zonelist after that walk: direct reclaim and compaction
 * work on one zone at a time where the kernel's walk the zonelist
 * (docs/VANILLA.md).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct ga_node {
	struct ga_zone *zone[GA_NR_ZONE_TYPES];	/* NULL: absent */
	int kswapd_active;			/* one kswapd per node */
	unsigned int nr_cpus;
	struct ga_policy policy;
	bool reserve_given;
	/* Counters, bumped atomically (two threads may allocate at once). */
	struct ga_node_stats st;
};

static const char *const zone_names[GA_NR_ZONE_TYPES] = {
	"DMA", "DMA32", "Normal", "Movable",
};

const char *ga_zone_type_name(int type)
{
	return type >= 0 && type < GA_NR_ZONE_TYPES ? zone_names[type] : "?";
}

/*
 * GFP_ZONE_TABLE on x86-64: ZONE_HIGHMEM is ZONE_NORMAL, and __GFP_MOVABLE
 * reaches ZONE_MOVABLE only together with __GFP_HIGHMEM (GFP_HIGHUSER_MOVABLE).
 */
int ga_gfp_zone(unsigned int gfp)
{
	unsigned int zbits = gfp & (GA_GFP_DMA | GA_GFP_DMA32 | GA_GFP_HIGHMEM);

	switch (zbits) {
	case 0:
		return GA_ZONE_NORMAL;
	case GA_GFP_DMA:
		return GA_ZONE_DMA;
	case GA_GFP_DMA32:
		return GA_ZONE_DMA32;
	case GA_GFP_HIGHMEM:
		return (gfp & GA_GFP_MOVABLE) ? GA_ZONE_MOVABLE : GA_ZONE_NORMAL;
	default:
		return -EINVAL;		/* GFP_ZONE_BAD */
	}
}

static void stat_inc(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------------ */
/* Setup.                                                                    */

void ga_node_config_default(struct ga_node_config *cfg, unsigned int nr_cpus)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nr_cpus = nr_cpus;
}

int ga_node_config_zone(struct ga_node_config *cfg, int type, ga_pfn_t start_pfn,
			ga_pfn_t end_pfn)
{
	if (!cfg || type < 0 || type >= GA_NR_ZONE_TYPES || end_pfn <= start_pfn)
		return -EINVAL;
	ga_zone_config_default(&cfg->zone[type], start_pfn, end_pfn, cfg->nr_cpus);
	return 0;
}

static int node_error(char *errbuf, size_t errlen, int err, const char *fmt, ...)
{
	va_list ap;

	if (errbuf && errlen) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return err;
}

static bool zone_present(const struct ga_node_config *cfg, int t)
{
	return cfg->zone[t].end_pfn != 0;
}

static int node_config_check(const struct ga_node_config *cfg, char *errbuf,
			     size_t errlen)
{
	ga_pfn_t prev_end = 0;
	int nr = 0;

	for (int t = 0; t < GA_NR_ZONE_TYPES; t++) {
		if (!zone_present(cfg, t))
			continue;
		if (nr && cfg->zone[t].start_pfn < prev_end)
			return node_error(errbuf, errlen, -EINVAL,
				"zone %s starts at %#llx, below the end %#llx of the zone before",
				zone_names[t], (unsigned long long)cfg->zone[t].start_pfn,
				(unsigned long long)prev_end);
		prev_end = cfg->zone[t].max_end_pfn > cfg->zone[t].end_pfn ?
			   cfg->zone[t].max_end_pfn : cfg->zone[t].end_pfn;
		nr++;
	}
	if (!nr)
		return node_error(errbuf, errlen, -EINVAL, "a node without a zone");
	if (!cfg->nr_cpus || cfg->nr_cpus > GA_MAX_CPUS)
		return node_error(errbuf, errlen, -EINVAL, "nr_cpus %u outside 1..%u",
				  cfg->nr_cpus, GA_MAX_CPUS);
	return 0;
}

static unsigned int reserve_ratio(const struct ga_policy *p, int t)
{
	switch (t) {
	case GA_ZONE_DMA:
		return p->lowmem_reserve_ratio_dma;
	case GA_ZONE_DMA32:
		return p->lowmem_reserve_ratio_dma32;
	case GA_ZONE_NORMAL:
		return p->lowmem_reserve_ratio_normal;
	default:
		return 0;	/* the highest zone keeps nothing back */
	}
}

static unsigned long zone_managed(const struct ga_node *n, int t)
{
	return n->zone[t] ? READ_ONCE(n->zone[t]->managed_pages) : 0;
}

/*
 * setup_per_zone_lowmem_reserve (v6.1, and v6.12 after the revert of the
 * "empty zone" change): zone i keeps, from requests whose highest zone is
 * j > i, the managed pages of zones i+1..j over its ratio; nothing if its
 * ratio is 0 or it has no pages.
 */
static void compute_lowmem_reserve(const struct ga_node *n, int i,
				   unsigned long out[GA_NR_ZONE_TYPES])
{
	unsigned int ratio = reserve_ratio(&n->policy, i);
	bool clear = !ratio || !zone_managed(n, i);
	unsigned long managed = 0;

	memset(out, 0, sizeof(unsigned long) * GA_NR_ZONE_TYPES);
	for (int j = i + 1; j < GA_NR_ZONE_TYPES; j++) {
		managed += zone_managed(n, j);
		out[j] = clear ? 0 : managed / ratio;
	}
}

/* One min_free_kbytes for the node's lowmem, shared out by managed pages. */
static void node_watermarks(struct ga_node *n, const struct ga_node_config *cfg)
{
	unsigned long lowmem = 0, mfk;
	unsigned int nr_low = 0;
	struct ga_zone *any = NULL;

	for (int t = 0; t < GA_NR_ZONE_TYPES; t++) {
		if (!n->zone[t])
			continue;
		any = n->zone[t];
		if (t != GA_ZONE_MOVABLE) {
			lowmem += zone_managed(n, t);
			nr_low++;
		}
	}
	mfk = min_free_kbytes_for(&n->policy, lowmem ? lowmem : 1, nr_low ? nr_low : 1,
				  any->page_shift, any->pageblock_nr_pages);
	for (int t = 0; t < GA_NR_ZONE_TYPES; t++) {
		struct ga_zone *z = n->zone[t];
		const unsigned long *w = cfg->wmark[t];

		if (!z)
			continue;
		zone_lock(z);
		z->node_min_free_kbytes = mfk;
		z->node_lowmem_pages = lowmem;
		z->wmark_given = w[0] || w[1] || w[2];
		for (int i = 0; i < NR_WMARK; i++)
			z->wmark_given_pages[i] = w[i];
		setup_zone_watermarks(z);
		zone_unlock(z);
		pcp_update_sizes(z);
	}
}

int ga_node_create(struct ga_node **nodep, const struct ga_node_config *cfg,
		   char *errbuf, size_t errlen)
{
	struct ga_node *n;
	int err;

	if (!nodep || !cfg)
		return node_error(errbuf, errlen, -EINVAL, "no node or configuration");
	err = node_config_check(cfg, errbuf, errlen);
	if (err)
		return err;
	n = calloc(1, sizeof(*n));
	if (!n)
		return node_error(errbuf, errlen, -ENOMEM, "out of memory");
	n->nr_cpus = cfg->nr_cpus;
	if (cfg->policy)
		n->policy = *cfg->policy;
	else
		ga_policy_preset(&n->policy, "vanilla");
	for (int t = 0; t < GA_NR_ZONE_TYPES && !err; t++) {
		struct ga_zone_config zc;
		char why[200] = "";

		if (!zone_present(cfg, t))
			continue;
		zc = cfg->zone[t];
		zc.policy = &n->policy;
		zc.ops = cfg->ops;
		zc.ops_ctx = cfg->ops_ctx;
		zc.executor = cfg->executor;
		zc.nr_cpus = cfg->nr_cpus;
		err = ga_zone_config_check(&zc, why, sizeof(why));
		if (!err)
			err = ga_zone_create(&n->zone[t], &zc);
		if (err)
			node_error(errbuf, errlen, err, "zone %s: %s", zone_names[t],
				   why[0] ? why : "cannot be created");
		else
			n->zone[t]->zone_type = t, n->zone[t]->node = n;
	}
	if (err) {
		ga_node_destroy(n);
		return err;
	}
	n->reserve_given = cfg->lowmem_reserve_given;
	for (int t = 0; t < GA_NR_ZONE_TYPES; t++) {
		if (!n->zone[t])
			continue;
		if (cfg->lowmem_reserve_given)
			memcpy(n->zone[t]->lowmem_reserve, cfg->lowmem_reserve[t],
			       sizeof(n->zone[t]->lowmem_reserve));
		else
			compute_lowmem_reserve(n, t, n->zone[t]->lowmem_reserve);
	}
	node_watermarks(n, cfg);
	*nodep = n;
	return 0;
}

void ga_node_destroy(struct ga_node *n)
{
	if (!n)
		return;
	for (int t = GA_NR_ZONE_TYPES; t-- > 0;)
		ga_zone_destroy(n->zone[t]);
	free(n);
}

struct ga_zone *ga_node_zone(struct ga_node *n, int type)
{
	return type >= 0 && type < GA_NR_ZONE_TYPES ? n->zone[type] : NULL;
}

struct ga_zone *ga_node_zone_of(struct ga_node *n, ga_pfn_t pfn)
{
	for (int t = 0; t < GA_NR_ZONE_TYPES; t++) {
		struct ga_zone *z = n->zone[t];

		if (z && pfn >= z->start_pfn && pfn < READ_ONCE(z->end_pfn))
			return z;
	}
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* kswapd: one per node (mm/vmscan.c).                                       */

/* The zones a wake for requests up to `highest` balances: 0..highest. */
static bool kswapd_eligible(const struct ga_node *n, int t, int highest)
{
	return t <= highest && n->zone[t] && zone_managed(n, t);
}

/*
 * pgdat_balanced: the node is balanced for `order` and `highest` when any
 * eligible zone, lowest first, meets its (boosted) high mark with its
 * lowmem_reserve[highest], highatomic and CMA free pages not counted. A
 * node with no eligible zone needs no balancing.
 */
static bool node_balanced(struct ga_node *n, unsigned int order, int highest)
{
	bool any = false;

	for (int t = 0; t < GA_NR_ZONE_TYPES; t++) {
		struct ga_zone *z = n->zone[t];

		if (!kswapd_eligible(n, t, highest))
			continue;
		any = true;
		if (zone_watermark_ok_reserve(z, order, zone_watermark_mark(z, WMARK_HIGH),
					      z->lowmem_reserve[highest], 0,
					      (long)READ_ONCE(z->nr_free_pages)))
			return true;
	}
	return !any;
}

/*
 * One kswapd round's target: the pages the eligible zones lack to their
 * own (boosted) high marks, usable free pages counted as the watermark
 * check counts them. For one zone this is the flat model's high - free;
 * the kernel asks each round for the sum of the high marks instead
 * (kswapd_shrink_node), which reclaims more per wake (docs/VANILLA.md).
 */
static unsigned long node_kswapd_target(struct ga_node *n, int highest)
{
	unsigned long nr = 0;

	for (int t = 0; t < GA_NR_ZONE_TYPES; t++) {
		struct ga_zone *z = n->zone[t];
		long usable, mark;

		if (!kswapd_eligible(n, t, highest))
			continue;
		mark = (long)zone_watermark_mark(z, WMARK_HIGH);
		usable = (long)READ_ONCE(z->nr_free_pages) -
			 (long)READ_ONCE(z->nr_free_highatomic) -
			 (long)READ_ONCE(z->nr_free_cma);
		if (usable <= mark)	/* the check wants free > mark */
			nr += (unsigned long)(mark + 1 - usable);
	}
	return nr;
}

static void node_reclaim_active(struct ga_node *n, int highest, bool on)
{
	for (int t = 0; t <= highest; t++) {
		if (!n->zone[t])
			continue;
		if (on)
			ga_set_bit(ZONE_RECLAIM_ACTIVE, &n->zone[t]->flags);
		else
			ga_clear_bit(ZONE_RECLAIM_ACTIVE, &n->zone[t]->flags);
		/* compaction defers to a running kswapd (kswapd_is_running) */
		__atomic_store_n(&n->zone[t]->kswapd_active, on, __ATOMIC_RELAXED);
	}
}

#define KSWAPD_ROUNDS	12	/* DEF_PRIORITY down to 1 */

/*
 * wakeup_kswapd + balance_pgdat for the node, run synchronously like the
 * zone's (reclaim.c): not woken if the node is balanced and no eligible
 * zone is boosted; a boost alone is reclaimed as boosted reclaim; else
 * rounds of reclaim until the node is balanced, a round frees nothing, or
 * the priorities run out. Reclaim goes to the embedder's ops->reclaim
 * through the highest eligible zone (the node's LRU is the embedder's).
 * Afterwards the boosts seen are dropped and kcompactd is woken for each
 * eligible zone as the zone's kswapd would.
 */
void node_wakeup_kswapd(struct ga_node *n, const struct alloc_context *ac,
			unsigned int order, int highest)
{
	unsigned long boost_seen[GA_NR_ZONE_TYPES] = { 0 }, nr_boost = 0, got, nr;
	struct ga_zone *top = NULL;
	bool balanced, ran;
	int idle = 0;

	if (highest < 0 || highest >= GA_NR_ZONE_TYPES)
		return;
	for (int t = 0; t <= highest; t++)
		if (kswapd_eligible(n, t, highest)) {
			top = n->zone[t];
			boost_seen[t] = READ_ONCE(top->watermark_boost);
			nr_boost += boost_seen[t];
		}
	if (!top || !__atomic_compare_exchange_n(&n->kswapd_active, &idle, 1, false,
						  __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;

	balanced = node_balanced(n, order, highest);
	ran = !balanced || nr_boost;
	/* Without a reclaim callback kswapd finds nothing, but still ends. */
	if (ran && top->ops.reclaim) {
		zone_stat_add(top, GA_STAT_KSWAPD_WAKE, 1);
		node_reclaim_active(n, highest, true);
		if (balanced) {
			got = kswapd_call_reclaim(top, GA_RECLAIM_BOOST, nr_boost, ac);
			zone_stat_add(top, GA_STAT_KSWAPD_RECLAIMED, got);
		}
		for (int round = 0; !balanced && round < KSWAPD_ROUNDS; round++) {
			nr = node_kswapd_target(n, highest);
			if (!nr)	/* enough free pages, no block: compact_gap */
				nr = 2ul << order;
			got = kswapd_call_reclaim(top, GA_RECLAIM_KSWAPD, nr, ac);
			zone_stat_add(top, GA_STAT_KSWAPD_RECLAIMED, got);
			if (!got)
				break;
			/* Enough for compaction: balance for order 0 from now on. */
			if (order && got >= 2ul << order)
				order = 0;
			balanced = node_balanced(n, order, highest);
		}
		node_reclaim_active(n, highest, false);
	} else if (!balanced && !top->ops.reclaim) {
		/*
		 * No reclaim callback: the embedder reclaims by itself (a
		 * replay: the traced kernel's kswapd, whose frees are the
		 * trace's), so kswapd runs until the node is balanced and the
		 * eligible zones stay under reclaim meanwhile; each zone's
		 * pcp_reclaim_active() ends it once that zone meets its high
		 * mark.
		 */
		for (int t = 0; t <= highest; t++)
			if (kswapd_eligible(n, t, highest))
				ga_set_bit(ZONE_RECLAIM_ACTIVE, &n->zone[t]->flags);
	}

	for (int t = 0; t <= highest; t++) {
		struct ga_zone *z = n->zone[t];

		if (!boost_seen[t])
			continue;
		zone_lock(z);
		WRITE_ONCE(z->watermark_boost,
			   z->watermark_boost - ga_min(z->watermark_boost, boost_seen[t]));
		zone_unlock(z);
	}
	__atomic_store_n(&n->kswapd_active, 0, __ATOMIC_RELEASE);
	for (int t = 0; t <= highest; t++)
		if (kswapd_eligible(n, t, highest))
			kswapd_wake_kcompactd(n->zone[t], ac, order, ran, boost_seen[t]);
}

/* ------------------------------------------------------------------------ */
/* The zonelist walk.                                                        */

/* The zonelist: present zones from highest down to DMA. Returns the count. */
static int zonelist(const struct ga_node *n, int highest, struct ga_zone **zl)
{
	int nr = 0;

	for (int t = highest; t >= 0; t--)
		if (n->zone[t])
			zl[nr++] = n->zone[t];
	return nr;
}

/* alloc_flags_nofragment (UMA): NOFRAGMENT when the preferred zone is Normal. */
static bool node_nofragment(const struct ga_zone *preferred)
{
	return preferred->policy.nofragment &&
	       (preferred->zone_type == GA_ZONE_NORMAL || spb_keeps_nofragment(preferred));
}

struct node_request {
	struct ga_node *n;
	struct ga_zone *zl[GA_NR_ZONE_TYPES];
	int nr;
	int highest;
	unsigned int cpu, order, gfp;
	int mt;
	struct alloc_context ac;	/* of the zone that served */
};

static void request_ac(struct node_request *r, struct ga_zone *z)
{
	alloc_context_init(z, &r->ac, r->cpu, r->order, r->gfp, r->mt);
	r->ac.lowmem_reserve = z->lowmem_reserve[r->highest];
	r->ac.highest_zoneidx = r->highest;
}

/*
 * get_page_from_freelist over the zonelist: every zone at alloc_flags,
 * then, if NOFRAGMENT was set and every zone failed, once more without.
 * Returns the pfn with *served set, or -1.
 */
static long node_freelist(struct node_request *r, unsigned int alloc_flags, int *served)
{
	struct ga_node *n = r->n;

	for (;;) {
		bool nofrag = alloc_flags & ALLOC_NOFRAGMENT;

		for (int i = 0; i < r->nr; i++) {
			struct ga_zone *z = r->zl[i];
			long pfn;

			request_ac(r, z);
			pfn = zone_try_alloc(z, &r->ac, alloc_flags | r->ac.spb_flags);
			if (r->ac.reserve_refused)
				stat_inc(&n->st.reserve_refused[z->zone_type]);
			if (pfn >= 0) {
				*served = i;
				if (i && nofrag)
					stat_inc(&n->st.nofrag_spill);
				return pfn;
			}
		}
		request_ac(r, r->zl[0]);
		if (!nofrag || !nofragment_may_drop(r->zl[0], &r->ac))
			return -1;
		alloc_flags &= ~(unsigned int)ALLOC_NOFRAGMENT;
		stat_inc(&n->st.nofrag_retry);
		zone_stat_add(r->zl[0], GA_STAT_ALLOC_NOFRAG_RETRY, 1);
	}
}

/*
 * The slow path: wake the node's kswapd (wake_all_kswapds), one walk at
 * the slow path's watermark, then each zone's own slow path down the
 * zonelist, with its lowmem_reserve.
 */
static long node_slowpath(struct node_request *r, int *served)
{
	long pfn;

	stat_inc(&r->n->st.slowpath);
	request_ac(r, r->zl[0]);
	if ((r->gfp & GA_GFP_KSWAPD_RECLAIM) && r->n->policy.kswapd_node)
		node_wakeup_kswapd(r->n, &r->ac, r->order, r->highest);
	pfn = node_freelist(r, alloc_slow_flags(r->zl[0], &r->ac), served);
	if (pfn >= 0)
		return pfn;
	for (int i = 0; i < r->nr; i++) {
		request_ac(r, r->zl[i]);
		pfn = zone_alloc_slow(r->zl[i], &r->ac);
		if (pfn >= 0) {
			*served = i;
			return pfn;
		}
	}
	return -1;
}

int ga_node_alloc(struct ga_node *n, unsigned int cpu, unsigned int order,
		  unsigned int gfp, uint64_t owner, ga_pfn_t *pfn_out, int *zone_type)
{
	struct node_request r = { .n = n, .cpu = cpu, .order = order, .gfp = gfp };
	int served = -1, err;
	long pfn;

	r.highest = ga_gfp_zone(gfp);
	if (r.highest < 0)
		return -EINVAL;
	r.nr = zonelist(n, r.highest, r.zl);
	if (!r.nr) {
		/* A DMA request on a node without ZONE_DMA, say. */
		if (cpu >= n->nr_cpus || !pfn_out || ga_gfp_migratetype(gfp) < 0)
			return -EINVAL;
		stat_inc(&n->st.alloc_calls);
		stat_inc(&n->st.alloc_fail);
		return -ENOMEM;
	}
	r.mt = alloc_check_args(r.zl[0], cpu, order, gfp, pfn_out);
	if (r.mt < 0)
		return r.mt;
	stat_inc(&n->st.alloc_calls);
	request_ac(&r, r.zl[0]);
	pfn = node_freelist(&r, alloc_fast_flags(r.zl[0], gfp, node_nofragment(r.zl[0])),
			    &served);
	if (pfn < 0)
		pfn = node_slowpath(&r, &served);
	if (pfn < 0) {
		stat_inc(&n->st.alloc_fail);
		/* The preferred zone counts the failure, as ga_alloc would. */
		return alloc_finish(r.zl[0], &r.ac, -1, owner, 0, pfn_out);
	}
	err = alloc_finish(r.zl[served], &r.ac, pfn, owner, 0, pfn_out);
	stat_inc(&n->st.served[r.zl[served]->zone_type]);
	if (served)
		stat_inc(&n->st.spill);
	if (zone_type)
		*zone_type = r.zl[served]->zone_type;
	return err;
}

int ga_node_free(struct ga_node *n, unsigned int cpu, ga_pfn_t pfn, unsigned int order)
{
	struct ga_zone *z = ga_node_zone_of(n, pfn);

	return z ? ga_free(z, cpu, pfn, order) : -ERANGE;
}

int ga_node_alloc_at(struct ga_node *n, unsigned int cpu, ga_pfn_t pfn,
		     unsigned int order, unsigned int gfp, uint64_t owner)
{
	struct ga_zone *z = ga_node_zone_of(n, pfn);

	return z ? ga_alloc_at(z, cpu, pfn, order, gfp, owner) : -ERANGE;
}

void ga_node_drain_all_pcp(struct ga_node *n)
{
	for (int t = 0; t < GA_NR_ZONE_TYPES; t++)
		if (n->zone[t])
			ga_drain_all_pcp(n->zone[t]);
}

void ga_node_vmstat_tick(struct ga_node *n)
{
	for (int t = 0; t < GA_NR_ZONE_TYPES; t++)
		if (n->zone[t])
			ga_vmstat_tick(n->zone[t]);
}

void ga_node_stats(struct ga_node *n, struct ga_node_stats *st)
{
	const uint64_t *src = (const uint64_t *)&n->st;
	uint64_t *dst = (uint64_t *)st;

	for (size_t i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------------ */
/* Invariants.                                                               */

static int check_node_shape(struct ga_node *n, char *errbuf, size_t errlen)
{
	ga_pfn_t prev_end = 0;
	bool first = true;

	for (int t = 0; t < GA_NR_ZONE_TYPES; t++) {
		struct ga_zone *z = n->zone[t];
		unsigned long want[GA_NR_ZONE_TYPES];

		if (!z)
			continue;
		if (z->zone_type != t)
			return node_error(errbuf, errlen, -EUCLEAN,
					  "zone %s records type %d", zone_names[t], z->zone_type);
		if (!first && z->start_pfn < prev_end)
			return node_error(errbuf, errlen, -EUCLEAN,
					  "zone %s overlaps the zone below it", zone_names[t]);
		prev_end = z->max_end_pfn;
		first = false;
		if (n->reserve_given)
			continue;
		compute_lowmem_reserve(n, t, want);
		for (int j = 0; j < GA_NR_ZONE_TYPES; j++)
			if (z->lowmem_reserve[j] != want[j])
				return node_error(errbuf, errlen, -EUCLEAN,
					"zone %s lowmem_reserve[%s] %lu, recomputed %lu",
					zone_names[t], zone_names[j], z->lowmem_reserve[j],
					want[j]);
		if (z->lowmem_reserve[t])
			return node_error(errbuf, errlen, -EUCLEAN,
					  "zone %s keeps a reserve from its own requests",
					  zone_names[t]);
	}
	return 0;
}

static int check_node_counters(struct ga_node *n, char *errbuf, size_t errlen)
{
	struct ga_node_stats st;
	uint64_t served = 0;

	ga_node_stats(n, &st);
	for (int t = 0; t < GA_NR_ZONE_TYPES; t++) {
		if (!n->zone[t] && (st.served[t] || st.reserve_refused[t]))
			return node_error(errbuf, errlen, -EUCLEAN,
					  "absent zone %s served or refused", zone_names[t]);
		served += st.served[t];
	}
	if (served + st.alloc_fail != st.alloc_calls)
		return node_error(errbuf, errlen, -EUCLEAN,
			"%llu served + %llu failed != %llu allocation calls",
			(unsigned long long)served, (unsigned long long)st.alloc_fail,
			(unsigned long long)st.alloc_calls);
	if (st.spill > served || st.nofrag_spill > st.spill)
		return node_error(errbuf, errlen, -EUCLEAN,
			"spills %llu (NOFRAGMENT %llu) above %llu served",
			(unsigned long long)st.spill, (unsigned long long)st.nofrag_spill,
			(unsigned long long)served);
	return 0;
}

int ga_node_check(struct ga_node *n, char *errbuf, size_t errlen)
{
	char why[400];
	int err;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	for (int t = 0; t < GA_NR_ZONE_TYPES; t++) {
		if (!n->zone[t])
			continue;
		err = ga_zone_check(n->zone[t], why, sizeof(why));
		if (err)
			return node_error(errbuf, errlen, err, "zone %s: %s",
					  zone_names[t], why);
	}
	err = check_node_shape(n, errbuf, errlen);
	if (!err)
		err = check_node_counters(n, errbuf, errlen);
	return err;
}
