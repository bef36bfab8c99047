// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * A node of zones: gfp_zone, the zonelist walk per gfp, lowmem_reserve
 * (computed as the kernel does, and the refusals it causes, A/B), the
 * ALLOC_NOFRAGMENT spill to DMA32 before a fragmenting fallback in Normal
 * (A/B), node-wide watermarks, the node's kswapd (A/B), superpageblocks
 * clipped at zone edges, the error paths, and two threads allocating from
 * one node.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define DMA_END		4096ul		/* 16 MiB */
#define DMA32_END	327680ul	/* 1.25 GiB: crosses the 1 GiB boundary */
#define NORMAL_END	589824ul	/* 2.25 GiB */

static void node_ok(struct ga_node *n, const char *what)
{
	char err[512] = "";

	ok(!ga_node_check(n, err, sizeof(err)), "node check after %s%s%s", what,
	   err[0] ? ": " : "", err);
}

/* DMA, DMA32 and Normal as on a 2.25 GiB x86-64 machine, plus Movable if asked. */
static struct ga_node *make_node_wmark(const struct ga_policy *p, bool movable,
				       unsigned int nr_cpus, unsigned long flat)
{
	struct ga_node_config cfg;
	struct ga_node *n = NULL;
	char err[256] = "";
	int rc;

	ga_node_config_default(&cfg, nr_cpus);
	ga_node_config_zone(&cfg, GA_ZONE_DMA, 0, DMA_END);
	ga_node_config_zone(&cfg, GA_ZONE_DMA32, DMA_END, DMA32_END);
	ga_node_config_zone(&cfg, GA_ZONE_NORMAL, DMA32_END, NORMAL_END);
	if (movable)
		ga_node_config_zone(&cfg, GA_ZONE_MOVABLE, NORMAL_END, NORMAL_END + 65536);
	for (int t = 0; flat && t < GA_NR_ZONE_TYPES; t++)
		for (int i = 0; i < 3; i++)
			cfg.wmark[t][i] = flat;
	cfg.policy = p;
	rc = ga_node_create(&n, &cfg, err, sizeof(err));
	if (rc)
		diag("ga_node_create: %d %s", rc, err);
	return n;
}

static struct ga_node *make_node(const struct ga_policy *p, bool movable,
				 unsigned int nr_cpus)
{
	return make_node_wmark(p, movable, nr_cpus, 0);
}

static void test_gfp_zone(void)
{
	is_long(ga_gfp_zone(GA_GFP_KERNEL), GA_ZONE_NORMAL, "GFP_KERNEL: Normal");
	is_long(ga_gfp_zone(GA_GFP_KERNEL | GA_GFP_MOVABLE), GA_ZONE_NORMAL,
		"__GFP_MOVABLE alone: Normal");
	is_long(ga_gfp_zone(GA_GFP_HIGHUSER), GA_ZONE_NORMAL, "GFP_HIGHUSER: Normal");
	is_long(ga_gfp_zone(GA_GFP_HIGHUSER_MOVABLE), GA_ZONE_MOVABLE,
		"GFP_HIGHUSER_MOVABLE: Movable");
	is_long(ga_gfp_zone(GA_GFP_TRANSHUGE), GA_ZONE_MOVABLE, "GFP_TRANSHUGE: Movable");
	is_long(ga_gfp_zone(GA_GFP_KERNEL | GA_GFP_DMA32), GA_ZONE_DMA32, "GFP_DMA32");
	is_long(ga_gfp_zone(GA_GFP_DMA32 | GA_GFP_MOVABLE), GA_ZONE_DMA32,
		"DMA32 | MOVABLE: DMA32");
	is_long(ga_gfp_zone(GA_GFP_KERNEL | GA_GFP_DMA), GA_ZONE_DMA, "GFP_DMA");
	is_long(ga_gfp_zone(GA_GFP_DMA | GA_GFP_DMA32), -EINVAL, "DMA | DMA32 is bad");
	is_long(ga_gfp_zone(GA_GFP_DMA | GA_GFP_HIGHMEM), -EINVAL, "DMA | HIGHMEM is bad");
	ok(!strcmp(ga_zone_type_name(GA_ZONE_DMA32), "DMA32") &&
	   !strcmp(ga_zone_type_name(GA_ZONE_NORMAL), "Normal"), "zone names as zoneinfo");
}

static unsigned long managed(struct ga_node *n, int t)
{
	struct ga_zone_info info;

	ga_zone_info(ga_node_zone(n, t), &info);
	return info.managed_pages;
}

/* setup_per_zone_lowmem_reserve and __setup_per_zone_wmarks, recomputed. */
static void test_reserve_and_watermarks(void)
{
	struct ga_policy p;
	struct ga_node *n;
	struct ga_zone_info dma, dma32, normal, mov;
	unsigned long m32, mn, mm, lowmem, min_pages;

	ga_policy_preset(&p, "vanilla");
	n = make_node(&p, true, 2);
	ok(n != NULL, "node with four zones");
	if (!n)
		return;
	ga_zone_info(ga_node_zone(n, GA_ZONE_DMA), &dma);
	ga_zone_info(ga_node_zone(n, GA_ZONE_DMA32), &dma32);
	ga_zone_info(ga_node_zone(n, GA_ZONE_NORMAL), &normal);
	ga_zone_info(ga_node_zone(n, GA_ZONE_MOVABLE), &mov);
	m32 = managed(n, GA_ZONE_DMA32);
	mn = managed(n, GA_ZONE_NORMAL);
	mm = managed(n, GA_ZONE_MOVABLE);
	is_long(dma.zone_type, GA_ZONE_DMA, "DMA zone knows its type");
	is_long(dma.lowmem_reserve[GA_ZONE_DMA], 0, "DMA keeps nothing from DMA requests");
	is_long(dma.lowmem_reserve[GA_ZONE_DMA32], m32 / 256, "DMA reserve for DMA32 = DMA32/256");
	is_long(dma.lowmem_reserve[GA_ZONE_NORMAL], (m32 + mn) / 256,
		"DMA reserve for Normal = (DMA32 + Normal)/256");
	is_long(dma.lowmem_reserve[GA_ZONE_MOVABLE], (m32 + mn + mm) / 256,
		"DMA reserve for Movable is cumulative");
	is_long(dma32.lowmem_reserve[GA_ZONE_NORMAL], mn / 256, "DMA32 reserve for Normal");
	is_long(normal.lowmem_reserve[GA_ZONE_MOVABLE], mm / 32, "Normal reserve for Movable = /32");
	is_long(mov.lowmem_reserve[GA_ZONE_MOVABLE], 0, "Movable keeps nothing");

	/* One min_free_kbytes for the node, shared by managed pages. */
	lowmem = dma.managed_pages + m32 + mn;
	min_pages = normal.min_free_kbytes / 4;
	ok(dma.min_free_kbytes == normal.min_free_kbytes &&
	   dma32.min_free_kbytes == normal.min_free_kbytes, "one min_free_kbytes for the node");
	is_long(normal.wmark_min, (long long)(min_pages * mn / lowmem),
		"Normal min = node min x Normal/lowmem");
	is_long(dma32.wmark_min, (long long)(min_pages * m32 / lowmem), "DMA32 min, its share");
	is_long(mov.wmark_min, mm / 1024 < 32 ? 32 : mm / 1024 > 128 ? 128 : (long long)(mm / 1024),
		"Movable min = managed/1024 clamped to 32..128");
	ok(normal.wmark_low > normal.wmark_min && normal.wmark_high > normal.wmark_low,
	   "low and high above min");
	node_ok(n, "setup");
	ga_node_destroy(n);
}

/*
 * Fill the node with order-10 allocations of one gfp and record which
 * zone served each: the walk starts at the highest zone the gfp allows
 * and only ever moves down. The min, low and high marks are one (else the
 * slow path's walk at the min mark goes back up to zones the fast path's
 * low mark had passed over, as in the kernel).
 */
static void walk_for(unsigned int gfp, int first, int last, const char *what)
{
	struct ga_policy p;
	struct ga_node *n;
	struct ga_node_stats st;
	int prev = GA_NR_ZONE_TYPES, seen_first = -1, seen_last = -1;
	bool down = true, above = false;
	unsigned long nr = 0;
	ga_pfn_t pfn;
	int zt;

	ga_policy_preset(&p, "vanilla");
	p.compaction = false;
	n = make_node_wmark(&p, true, 1, 64);
	if (!n)
		return;
	while (!ga_node_alloc(n, 0, 10, gfp, nr, &pfn, &zt)) {
		struct ga_zone *z = ga_node_zone_of(n, pfn);

		if (seen_first < 0)
			seen_first = zt;
		seen_last = zt;
		down &= zt <= prev;
		above |= zt > first;
		prev = zt;
		if (z != ga_node_zone(n, zt))
			down = false;
		nr++;
	}
	is_long(seen_first, first, "%s: first served by %s", what, ga_zone_type_name(first));
	is_long(seen_last, last, "%s: last served by %s", what, ga_zone_type_name(last));
	ok(down && !above, "%s: the walk only moves down from the highest allowed zone", what);
	ga_node_stats(n, &st);
	ok(st.spill > 0 || first == last, "%s: spills counted (%llu)", what,
	   (unsigned long long)st.spill);
	node_ok(n, what);
	ga_node_destroy(n);
}

static void test_zonelist_walk(void)
{
	walk_for(GA_GFP_HIGHUSER_MOVABLE, GA_ZONE_MOVABLE, GA_ZONE_DMA, "GFP_HIGHUSER_MOVABLE");
	walk_for(GA_GFP_KERNEL, GA_ZONE_NORMAL, GA_ZONE_DMA, "GFP_KERNEL");
	walk_for(GA_GFP_KERNEL | GA_GFP_DMA32, GA_ZONE_DMA32, GA_ZONE_DMA, "GFP_DMA32");
	walk_for(GA_GFP_KERNEL | GA_GFP_DMA, GA_ZONE_DMA, GA_ZONE_DMA, "GFP_DMA");
}

/* Exhaust the node with GFP_KERNEL; what DMA has left, and a GFP_DMA try. */
static void exhaust(unsigned int ratio, unsigned long *dma_free, unsigned long *reserve,
		    uint64_t *refused, int *dma_rc)
{
	struct ga_policy p;
	struct ga_node *n;
	struct ga_node_stats st;
	struct ga_zone_info info;
	ga_pfn_t pfn;

	ga_policy_preset(&p, "vanilla");
	p.compaction = false;
	p.pcp = false;
	p.lowmem_reserve_ratio_dma = ratio;
	n = make_node(&p, false, 1);
	if (!n)
		return;
	for (unsigned int order = 10;; ) {
		if (!ga_node_alloc(n, 0, order, GA_GFP_KERNEL, 1, &pfn, NULL))
			continue;
		if (!order)
			break;
		order--;
	}
	ga_zone_info(ga_node_zone(n, GA_ZONE_DMA), &info);
	*dma_free = info.free_pages;
	*reserve = info.lowmem_reserve[GA_ZONE_NORMAL];
	ga_node_stats(n, &st);
	*refused = st.reserve_refused[GA_ZONE_DMA];
	*dma_rc = ga_node_alloc(n, 0, 0, GA_GFP_KERNEL | GA_GFP_DMA, 2, &pfn, NULL);
	node_ok(n, "exhausting the node");
	ga_node_destroy(n);
}

static void test_lowmem_reserve_refusals(void)
{
	unsigned long free_a, res_a, free_b, res_b;
	uint64_t ref_a, ref_b;
	int rc_a, rc_b;

	exhaust(256, &free_a, &res_a, &ref_a, &rc_a);
	exhaust(0, &free_b, &res_b, &ref_b, &rc_b);
	ok(res_a > 0, "A: DMA keeps %lu pages from Normal requests", res_a);
	ok(free_a > res_a, "A: GFP_KERNEL left DMA %lu free pages, above its reserve", free_a);
	ok(ref_a > 0, "A: DMA refused %llu walks for its reserve", (unsigned long long)ref_a);
	is_long(rc_a, 0, "A: a GFP_DMA request still gets DMA memory");
	is_long(res_b, 0, "B: ratio 0, no reserve");
	ok(free_b < res_a, "B: without it GFP_KERNEL took DMA down to %lu pages (< %lu)",
	   free_b, res_a);
	is_long((long long)ref_b, 0, "B: no refusal counted");
}

/*
 * Normal holds only order-0 free movable pages, DMA32 whole free
 * pageblocks. A: an unmovable request prefers Normal, walks with
 * NOFRAGMENT, and takes a whole block from DMA32. B: without NOFRAGMENT
 * it fragments Normal.
 */
static void spill_case(bool nofragment, int *served, uint64_t *nofrag_spill,
		       uint64_t *fragmenting)
{
	struct ga_policy p;
	struct ga_node_config cfg;
	struct ga_node *n = NULL;
	struct ga_node_stats st;
	struct ga_stats zs;
	struct ga_zone *normal;
	ga_pfn_t pfn, *held;
	unsigned long nr_normal = 8 * 512, got = 0;

	ga_policy_preset(&p, "vanilla");
	p.pcp = false;
	p.compaction = false;
	p.nofragment = nofragment;
	ga_node_config_default(&cfg, 1);
	ga_node_config_zone(&cfg, GA_ZONE_DMA32, 0, 16 * 512);
	ga_node_config_zone(&cfg, GA_ZONE_NORMAL, 16 * 512, 16 * 512 + nr_normal);
	for (int t = GA_ZONE_DMA32; t <= GA_ZONE_NORMAL; t++) {
		cfg.wmark[t][0] = 8;
		cfg.wmark[t][1] = 10;
		cfg.wmark[t][2] = 12;
	}
	cfg.policy = &p;
	if (ga_node_create(&n, &cfg, NULL, 0))
		return;
	normal = ga_node_zone(n, GA_ZONE_NORMAL);
	held = calloc(nr_normal, sizeof(*held));
	while (got < nr_normal && !ga_alloc(normal, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 1, &held[got]))
		got++;
	/* Every fourth page back: order-0 holes in every movable block. */
	for (unsigned long i = 0; i < got; i += 4)
		ga_free(normal, 0, held[i], 0);
	node_ok(n, "fragmenting Normal");
	*served = -1;
	if (ga_node_alloc(n, 0, 0, GA_GFP_KERNEL, 2, &pfn, served))
		*served = -2;
	ga_node_stats(n, &st);
	ga_zone_stats(normal, &zs);
	*nofrag_spill = st.nofrag_spill;
	*fragmenting = zs.v[GA_STAT_FALLBACK_FRAGMENTING];
	node_ok(n, "the spill case");
	free(held);
	ga_node_destroy(n);
}

static void test_nofragment_spill(void)
{
	int served_a, served_b;
	uint64_t spill_a, spill_b, frag_a, frag_b;

	spill_case(true, &served_a, &spill_a, &frag_a);
	spill_case(false, &served_b, &spill_b, &frag_b);
	is_long(served_a, GA_ZONE_DMA32, "A: NOFRAGMENT spills the unmovable page to DMA32");
	is_long((long long)spill_a, 1, "A: counted as a NOFRAGMENT spill");
	is_long((long long)frag_a, 0, "A: Normal not fragmented");
	is_long(served_b, GA_ZONE_NORMAL, "B: without NOFRAGMENT Normal serves it");
	ok(frag_b >= 1, "B: ... by a fragmenting fallback (%llu)", (unsigned long long)frag_b);
	is_long((long long)spill_b, 0, "B: no spill");
}

/* A preferred DMA32 zone (no Normal) gets no NOFRAGMENT: it fragments. */
static void test_nofragment_only_normal(void)
{
	struct ga_policy p;
	struct ga_node_config cfg;
	struct ga_node *n = NULL;
	struct ga_node_stats st;

	ga_policy_preset(&p, "vanilla");
	ga_node_config_default(&cfg, 1);
	ga_node_config_zone(&cfg, GA_ZONE_DMA, 0, DMA_END);
	ga_node_config_zone(&cfg, GA_ZONE_DMA32, DMA_END, 65536);
	cfg.policy = &p;
	if (ga_node_create(&n, &cfg, NULL, 0))
		return;
	for (int i = 0; i < 2000; i++) {
		ga_pfn_t pfn;

		ga_node_alloc(n, 0, 0, i & 1 ? GA_GFP_KERNEL : GA_GFP_HIGHUSER_MOVABLE,
			      (uint64_t)i, &pfn, NULL);
	}
	ga_node_stats(n, &st);
	is_long((long long)st.nofrag_retry, 0,
		"DMA32-preferred requests never walk with NOFRAGMENT");
	is_long((long long)st.served[GA_ZONE_DMA32], 2000, "all served by DMA32");
	node_ok(n, "a 2 GiB-style node");
	ga_node_destroy(n);
}

static void spb_span(struct ga_node *n, int t, unsigned long idx, ga_pfn_t start,
		     ga_pfn_t end)
{
	struct ga_spb_info info;

	if (ga_spb_query(ga_node_zone(n, t), idx, &info)) {
		ok(0, "%s SPB %lu exists", ga_zone_type_name(t), idx);
		return;
	}
	ok(info.start_pfn == start && info.end_pfn == end &&
	   info.nr_pageblocks == (end - start) / 512,
	   "%s SPB %lu clipped to [%#llx, %#llx): %u pageblocks", ga_zone_type_name(t), idx,
	   (unsigned long long)info.start_pfn, (unsigned long long)info.end_pfn,
	   info.nr_pageblocks);
}

/*
 * The node's kswapd. An embedder whose LRU is the node's: every page it
 * holds, oldest first, whatever the zone; reclaim frees from the head.
 */
struct lru_node {
	struct ga_node *n;
	ga_pfn_t pfn[48 * 512];
	unsigned long head, tail;
	bool armed;
	unsigned long calls, freed;
	enum ga_reclaim_kind kind;
};

static unsigned long lru_reclaim(void *ctx, struct ga_zone *zone,
				 const struct ga_reclaim_request *req)
{
	struct lru_node *l = ctx;
	unsigned long got = 0;

	(void)zone;
	if (!l->armed)
		return 0;
	l->calls++;
	l->kind = req->kind;
	while (got < req->nr_to_reclaim && l->head < l->tail)
		if (!ga_node_free(l->n, req->cpu, l->pfn[l->head++], 0))
			got++;
	l->freed += got;
	return got;
}

/* Take movable pages from zone t, never waking kswapd, until `left` are free. */
static void fill_to(struct lru_node *l, int t, unsigned long left)
{
	struct ga_zone *z = ga_node_zone(l->n, t);
	struct ga_zone_info info;

	ga_zone_info(z, &info);
	for (unsigned long i = info.free_pages; i > left; i--)
		if (!ga_alloc(z, 0, 0, GA_GFP_MOVABLE | GA_GFP_HIGHMEM, 1,
			      &l->pfn[l->tail]))
			l->tail++;
}

static unsigned long zone_free(struct ga_node *n, int t)
{
	struct ga_zone_info info;

	ga_zone_info(ga_node_zone(n, t), &info);
	return info.free_pages;
}

struct kswapd_case {
	unsigned long calls, freed;
	enum ga_reclaim_kind kind;
	unsigned long dma32_free, normal_free;
	unsigned long dma32_balanced;	/* DMA32's high + lowmem_reserve[Movable] */
	int served;
};

/*
 * DMA32 (16 blocks, min/low/high 64/96/128) and Normal (32 blocks,
 * 128/192/256). Normal is filled to 160 free pages, between its min and
 * low marks; DMA32 to 150, below low + its lowmem_reserve (64). A movable
 * request then fails the fast path everywhere; the slow path's min walk
 * could serve it from Normal. dma32_oldest: DMA32's pages head the LRU.
 */
static void kswapd_case(bool node_kswapd, bool dma32_oldest, struct kswapd_case *out)
{
	static struct lru_node l;
	struct ga_node_config cfg;
	struct ga_zone_info info;
	struct ga_policy p;
	ga_pfn_t pfn;

	memset(&l, 0, sizeof(l));
	memset(out, 0, sizeof(*out));
	out->served = -1;
	ga_policy_preset(&p, "vanilla");
	p.pcp = false;
	p.compaction = false;
	p.kswapd_node = node_kswapd;
	ga_node_config_default(&cfg, 1);
	ga_node_config_zone(&cfg, GA_ZONE_DMA32, 0, 16 * 512);
	ga_node_config_zone(&cfg, GA_ZONE_NORMAL, 16 * 512, 48 * 512);
	for (int i = 0; i < 3; i++) {
		cfg.wmark[GA_ZONE_DMA32][i] = 64 + 32 * (unsigned long)i;
		cfg.wmark[GA_ZONE_NORMAL][i] = 128 + 64 * (unsigned long)i;
	}
	cfg.policy = &p;
	cfg.ops = &(const struct ga_ops){ .reclaim = lru_reclaim };
	cfg.ops_ctx = &l;
	if (ga_node_create(&l.n, &cfg, NULL, 0))
		return;
	fill_to(&l, dma32_oldest ? GA_ZONE_DMA32 : GA_ZONE_NORMAL, dma32_oldest ? 150 : 160);
	fill_to(&l, dma32_oldest ? GA_ZONE_NORMAL : GA_ZONE_DMA32, dma32_oldest ? 160 : 150);
	node_ok(l.n, "filling the node");
	l.armed = true;
	if (ga_node_alloc(l.n, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 2, &pfn, &out->served))
		out->served = -2;
	out->calls = l.calls;
	out->freed = l.freed;
	out->kind = l.kind;
	out->dma32_free = zone_free(l.n, GA_ZONE_DMA32);
	out->normal_free = zone_free(l.n, GA_ZONE_NORMAL);
	ga_zone_info(ga_node_zone(l.n, GA_ZONE_DMA32), &info);
	out->dma32_balanced = info.wmark_high + info.lowmem_reserve[GA_ZONE_MOVABLE];
	node_ok(l.n, "the kswapd case");
	ga_node_destroy(l.n);
}

static void test_kswapd_node(void)
{
	struct kswapd_case a, b, c;

	/* A: Normal's pages are the oldest, so reclaim refills Normal. */
	kswapd_case(true, false, &a);
	ok(a.calls == 1 && a.kind == GA_RECLAIM_KSWAPD,
	   "A: the slow path woke the node's kswapd before its min walk (%lu calls)", a.calls);
	is_long(a.freed, 256 + 1 - 160, "A: it reclaimed what Normal lacked to its high mark");
	ok(a.normal_free >= 256, "A: Normal above its high mark, less the page served (%lu free)",
	   a.normal_free);
	is_long(a.served, GA_ZONE_NORMAL, "A: Normal served the request");

	/* C: DMA32's pages are the oldest: pgdat_balanced wants any zone. */
	kswapd_case(true, true, &c);
	ok(c.dma32_free > c.dma32_balanced,
	   "C: DMA32 met its high mark + lowmem_reserve (%lu > %lu)", c.dma32_free,
	   c.dma32_balanced);
	ok(c.normal_free < 192,
	   "C: kswapd stopped with Normal still below its low mark (%lu free)", c.normal_free);
	is_long(c.calls, 1, "C: one round of reclaim balanced the node");

	/* B: each zone's kswapd, woken only by a zone's own slow path. */
	kswapd_case(false, false, &b);
	is_long(b.calls, 0, "B: the min walk served it in Normal, no kswapd woken");
	is_long(b.served, GA_ZONE_NORMAL, "B: Normal served the request");
	ok(b.normal_free < 160, "B: Normal left below its low mark (%lu free)", b.normal_free);
}

static void test_spb_clipping(void)
{
	struct ga_policy p;
	struct ga_node *n;
	ga_pfn_t pfn;
	int zt;

	ga_policy_preset(&p, "spb");
	n = make_node(&p, false, 1);
	if (!n)
		return;
	is_long((long)ga_zone_nr_spbs(ga_node_zone(n, GA_ZONE_DMA)), 1, "DMA: one SPB");
	is_long((long)ga_zone_nr_spbs(ga_node_zone(n, GA_ZONE_DMA32)), 2,
		"DMA32 across the 1 GiB line: two SPBs");
	is_long((long)ga_zone_nr_spbs(ga_node_zone(n, GA_ZONE_NORMAL)), 2, "Normal: two SPBs");
	spb_span(n, GA_ZONE_DMA, 0, 0, DMA_END);
	spb_span(n, GA_ZONE_DMA32, 0, DMA_END, 262144);
	spb_span(n, GA_ZONE_DMA32, 1, 262144, DMA32_END);
	spb_span(n, GA_ZONE_NORMAL, 0, DMA32_END, 524288);
	spb_span(n, GA_ZONE_NORMAL, 1, 524288, NORMAL_END);
	/* Steering stays inside the zone: an unmovable page taints a Normal SPB. */
	pfn = 0;
	zt = -1;
	is_long(ga_node_alloc(n, 0, 0, GA_GFP_KERNEL, 1, &pfn, &zt), 0, "spb: unmovable page");
	ok(zt == GA_ZONE_NORMAL && pfn >= DMA32_END, "... served in Normal at %#llx",
	   (unsigned long long)pfn);
	node_ok(n, "spb node");
	ga_node_destroy(n);
}

static void test_errors(void)
{
	struct ga_node_config cfg;
	struct ga_node *n = NULL;
	char err[256] = "";
	ga_pfn_t pfn;

	ga_node_config_default(&cfg, 1);
	is_long(ga_node_create(&n, &cfg, err, sizeof(err)), -EINVAL, "no zone: %s", err);
	ga_node_config_zone(&cfg, GA_ZONE_DMA32, 4096, 65536);
	ga_node_config_zone(&cfg, GA_ZONE_NORMAL, 32768, 131072);
	is_long(ga_node_create(&n, &cfg, err, sizeof(err)), -EINVAL, "overlap: %s", err);
	ga_node_config_zone(&cfg, GA_ZONE_NORMAL, 65536, 131000);
	is_long(ga_node_create(&n, &cfg, err, sizeof(err)), -EINVAL,
		"misaligned zone: %s", err);
	is_long(ga_node_config_zone(&cfg, 7, 0, 512), -EINVAL, "bad zone type");
	ga_node_config_zone(&cfg, GA_ZONE_NORMAL, 65536, 131072);
	if (ga_node_create(&n, &cfg, err, sizeof(err))) {
		ok(0, "DMA32 + Normal node: %s", err);
		return;
	}
	is_long(ga_node_alloc(n, 0, 0, GA_GFP_DMA | GA_GFP_DMA32, 1, &pfn, NULL), -EINVAL,
		"two zone modifiers");
	is_long(ga_node_alloc(n, 0, 0, GA_GFP_KERNEL | GA_GFP_DMA, 1, &pfn, NULL), -ENOMEM,
		"GFP_DMA without a DMA zone");
	is_long(ga_node_alloc(n, 5, 0, GA_GFP_KERNEL, 1, &pfn, NULL), -EINVAL, "bad cpu");
	is_long(ga_node_alloc(n, 0, 11, GA_GFP_KERNEL, 1, &pfn, NULL), -E2BIG, "order 11");
	is_long(ga_node_free(n, 0, 1, 0), -ERANGE, "free below the node");
	is_long(ga_node_free(n, 0, 200000, 0), -ERANGE, "free above the node");
	ok(ga_node_zone(n, GA_ZONE_DMA) == NULL && ga_node_zone(n, 9) == NULL,
	   "absent zone types");
	is_long(ga_node_alloc_at(n, 0, 70000, 0, GA_GFP_KERNEL, 3), 0, "alloc_at in Normal");
	is_long(ga_node_free(n, 0, 70000, 0), 0, "... freed through the node");
	ga_node_drain_all_pcp(n);
	ga_node_vmstat_tick(n);
	node_ok(n, "the error paths");
	ga_node_destroy(n);
}

/* Two threads allocate and free through the node (TSan). */
struct worker {
	struct ga_node *n;
	unsigned int cpu;
	int errors;
};

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	ga_pfn_t held[64];
	unsigned long long seed = 7 + w->cpu;
	static const unsigned int gfps[] = {
		GA_GFP_KERNEL, GA_GFP_HIGHUSER_MOVABLE, GA_GFP_KERNEL | GA_GFP_DMA32,
		GA_GFP_KERNEL_RECLAIMABLE,
	};

	for (int round = 0; round < 200; round++) {
		int nr = 0;

		for (int i = 0; i < 64; i++) {
			unsigned int gfp = gfps[test_rand(&seed) % 4];
			unsigned int order = test_rand(&seed) % 4;

			if (!ga_node_alloc(w->n, w->cpu, order, gfp, (uint64_t)i, &held[nr], NULL))
				nr++;
		}
		while (nr-- > 0) {
			struct ga_page_info info;
			struct ga_zone *z = ga_node_zone_of(w->n, held[nr]);

			if (!z || ga_page_query(z, held[nr], &info) ||
			    ga_node_free(w->n, w->cpu, held[nr], info.order))
				w->errors++;
		}
	}
	return NULL;
}

static void test_threads(void)
{
	struct ga_policy p;
	struct ga_node_config cfg;
	struct ga_node *n = NULL;
	struct worker w[2];
	pthread_t th[2];

	ga_policy_preset(&p, "vanilla");
	ga_node_config_default(&cfg, 2);
	ga_node_config_zone(&cfg, GA_ZONE_DMA32, 0, 8192);
	ga_node_config_zone(&cfg, GA_ZONE_NORMAL, 8192, 16384);
	cfg.policy = &p;
	if (ga_node_create(&n, &cfg, NULL, 0)) {
		ok(0, "threaded node");
		return;
	}
	for (unsigned int i = 0; i < 2; i++) {
		w[i] = (struct worker){ .n = n, .cpu = i };
		pthread_create(&th[i], NULL, worker_fn, &w[i]);
	}
	for (unsigned int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	is_long(w[0].errors + w[1].errors, 0, "two threads: every allocation freed");
	node_ok(n, "two threads");
	ga_node_destroy(n);
}

int main(void)
{
	test_gfp_zone();
	test_reserve_and_watermarks();
	test_zonelist_walk();
	test_lowmem_reserve_refusals();
	test_nofragment_spill();
	test_nofragment_only_normal();
	test_kswapd_node();
	test_spb_clipping();
	test_errors();
	test_threads();
	return done_testing();
}
