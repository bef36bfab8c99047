// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The invariant checker: recount the zone from its pages and compare with
 * every counter the allocator keeps. Tests call it after each batch of
 * operations; embedders may call it at any time (it takes every lock, so it
 * sees a quiescent state). One exception: with pcp_buddy, a free into a
 * block another CPU owns takes no lock (RFC 03), so the check is exact only
 * while no such free is running.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct recount {
	unsigned long free_mt[GA_NR_ORDERS_MAX][GA_MT_TYPES];
	unsigned long free_pages;	/* NR_FREE_PAGES: excludes ISOLATE */
	unsigned long free_cma, free_highatomic;
	unsigned long free_all, pcp, alloc, reserved;
	unsigned long remote;		/* ... of pcp: on remote-free lists */
	unsigned long free_heads;	/* free blocks below pageblock order */
	unsigned long blocks_mt[GA_MT_TYPES];
	uint8_t *seen;			/* one bit per page: a list holds this head */
	struct spb_recount *blocks;	/* per pageblock: contents, contig */
};

struct checker {
	struct ga_zone *z;
	struct recount rc;
	char *errbuf;
	size_t errlen;
};

static int fail(struct checker *c, const char *fmt, ...)
{
	va_list ap;

	if (c->errbuf && c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->errbuf, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -EUCLEAN;
}

static bool test_and_set_seen(struct checker *c, uint32_t idx)
{
	uint8_t bit = (uint8_t)(1u << (idx & 7));
	bool was = c->rc.seen[idx >> 3] & bit;

	c->rc.seen[idx >> 3] |= bit;
	return was;
}

static bool is_seen(const struct checker *c, uint32_t idx)
{
	return c->rc.seen[idx >> 3] & (1u << (idx & 7));
}

/* Walk one list: links consistent, no cycle, each entry marked once. */
static int walk_list(struct checker *c, const struct ga_list *l,
		     unsigned long *count, const char *what,
		     int (*visit)(struct checker *, uint32_t, void *), void *arg)
{
	struct ga_zone *z = c->z;
	uint32_t idx = l->first, prev = GA_NIL;
	unsigned long n = 0;
	int err;

	for (; idx != GA_NIL; prev = idx, idx = z->pages[idx].lru.next) {
		if (idx >= z->nr_pages || ++n > z->nr_pages)
			return fail(c, "%s: bad link %u", what, idx);
		if (z->pages[idx].lru.prev != prev)
			return fail(c, "%s: pfn %#llx prev link broken", what,
				    (unsigned long long)idx_to_pfn(z, idx));
		if (test_and_set_seen(c, idx))
			return fail(c, "%s: pfn %#llx is on two lists", what,
				    (unsigned long long)idx_to_pfn(z, idx));
		err = visit(c, idx, arg);
		if (err)
			return err;
	}
	if (l->last != prev)
		return fail(c, "%s: tail pointer wrong", what);
	*count = n;
	return 0;
}

struct free_list_id {
	unsigned int order;
	int mt;
	const struct ga_spb *spb;	/* per-SPB lists: entries stay inside */
};

/* A free list entry: a buddy head of the list's order whose blocks carry
 * the list's type. */
static int visit_free(struct checker *c, uint32_t idx, void *arg)
{
	const struct free_list_id *id = arg;
	struct ga_zone *z = c->z;
	ga_pfn_t pfn = idx_to_pfn(z, idx);
	const struct ga_page *p = &z->pages[idx];
	unsigned long nr = 1ul << id->order;

	if (page_state(p) != GA_PAGE_BUDDY || page_order(p) != id->order)
		return fail(c, "pfn %#llx on free list order %u is not a buddy of that order",
			    (unsigned long long)pfn, id->order);
	if (pfn & (nr - 1) || pfn + nr > z->end_pfn)
		return fail(c, "free block %#llx order %u misaligned or past the zone",
			    (unsigned long long)pfn, id->order);
	if (id->spb && (pfn < id->spb->start_pfn || pfn + nr > id->spb->end_pfn))
		return fail(c, "free block %#llx on the lists of another SPB",
			    (unsigned long long)pfn);
	for (ga_pfn_t b = pfn; b < pfn + nr; b += z->pageblock_nr_pages) {
		if (get_pfnblock_migratetype(z, b) != id->mt)
			return fail(c, "free block %#llx on %s list but its pageblock is %s",
				    (unsigned long long)pfn, ga_migratetype_name(id->mt),
				    ga_migratetype_name(get_pfnblock_migratetype(z, b)));
		if (id->order < z->pageblock_order)
			break;
	}
	c->rc.free_mt[id->order][id->mt]++;
	return 0;
}

static const struct ga_list *list_of(const struct ga_zone *z,
				     const struct ga_spb *spb, unsigned int o, int mt)
{
	return spb ? &spb->area->list[o][mt] : &z->free_area[o].list[mt];
}

/* Walk one set of lists (the zone's, or one SPB's) adding to the counts. */
static int walk_free_lists(struct checker *c, const struct ga_spb *spb,
			   unsigned long count[][GA_MT_TYPES])
{
	struct ga_zone *z = c->z;

	for (unsigned int o = 0; o <= z->max_order; o++) {
		for (int mt = 0; mt < GA_MT_TYPES; mt++) {
			struct free_list_id id = { o, mt, spb };
			unsigned long n;
			int err = walk_list(c, list_of(z, spb, o, mt), &n,
					    "free list", visit_free, &id);

			if (err)
				return err;
			if (spb && n != spb->area->nr[o][mt])
				return fail(c, "SPB %#llx nr[%u][%s] = %u, recount %lu",
					    (unsigned long long)spb->start_pfn, o,
					    ga_migratetype_name(mt),
					    spb->area->nr[o][mt], n);
			if (spb && mt < GA_MT_PCPTYPES &&
			    !(spb->nonempty_lists & (1ull << SPB_LIST_BIT(o, mt))) != !n)
				return fail(c, "SPB %#llx nonempty_lists bit of [%u][%s] "
					    "is %d, the list holds %lu",
					    (unsigned long long)spb->start_pfn, o,
					    ga_migratetype_name(mt), !n, n);
			count[o][mt] += n;
		}
	}
	return 0;
}

static int check_free_lists(struct checker *c)
{
	struct ga_zone *z = c->z;
	unsigned long count[GA_NR_ORDERS_MAX][GA_MT_TYPES] = { { 0 } };
	int err = 0;

	if (z->policy.spb_free_lists) {
		for (unsigned long i = 0; i < z->nr_spbs && !err; i++)
			err = walk_free_lists(c, &z->spbs[i], count);
	} else {
		err = walk_free_lists(c, NULL, count);
	}
	if (err)
		return err;
	for (unsigned int o = 0; o < GA_NR_ORDERS_MAX; o++) {
		const struct ga_free_area *area = &z->free_area[o];
		unsigned long total = 0;

		for (int mt = 0; mt < GA_MT_TYPES; mt++) {
			if (count[o][mt] != area->nr[mt])
				return fail(c, "free_area[%u].nr[%s] = %lu, recount %lu",
					    o, ga_migratetype_name(mt), area->nr[mt],
					    count[o][mt]);
			total += count[o][mt];
		}
		if (total != area->nr_free)
			return fail(c, "free_area[%u].nr_free = %lu, recount %lu", o,
				    area->nr_free, total);
		if (o > z->max_order && total)
			return fail(c, "free blocks above max order %u", z->max_order);
	}
	return 0;
}

static int visit_pcp(struct checker *c, uint32_t idx, void *arg)
{
	unsigned int order = *(unsigned int *)arg;
	const struct ga_page *p = &c->z->pages[idx];

	if (page_state(p) != GA_PAGE_PCP || page_order(p) != order)
		return fail(c, "pfn %#llx on a pcp list of order %u has state %u order %u",
			    (unsigned long long)idx_to_pfn(c->z, idx), order,
			    page_state(p), page_order(p));
	if (READ_ONCE(p->flags) & PF_PCPBUDDY)
		return fail(c, "pfn %#llx on a plain pcp list is PagePCPBuddy",
			    (unsigned long long)idx_to_pfn(c->z, idx));
	return 0;
}

/* Per-CPU pageblocks: which list an owned page sits on. */
struct pcpb_list_id {
	unsigned int cpu, order, charge;
	uint32_t old_first;	/* the pcp's buddy_old for this list */
	bool in_old;		/* the walk has reached it */
};

/*
 * The part of the list the last merge pass left (from buddy_old on) holds
 * no mergeable pair: merge_pass does not walk it. The walk goes head to
 * tail, so an old entry whose pair is not yet seen has it further on, old
 * too; a pair seen before is new, or was an old entry that failed here.
 */
static int check_old_pair(struct checker *c, const struct pcpb_list_id *id,
			  uint32_t idx)
{
	struct ga_zone *z = c->z;
	uint32_t bidx;

	if (id->order >= z->pageblock_order)
		return 0;
	bidx = pcp_buddy_mate(z, idx, id->order, id->charge);
	if (bidx == GA_NIL || is_seen(c, bidx))
		return 0;
	return fail(c, "cpu %u buddy list %u/%s: pfns %#llx and %#llx left unmerged by the last merge pass",
		    id->cpu, id->order, ga_migratetype_name((int)id->charge),
		    (unsigned long long)idx_to_pfn(z, idx),
		    (unsigned long long)idx_to_pfn(z, bidx));
}

static int visit_pcp_buddy(struct checker *c, uint32_t idx, void *arg)
{
	struct pcpb_list_id *id = arg;
	struct ga_zone *z = c->z;
	const struct ga_page *p = &z->pages[idx];
	ga_pfn_t pfn = idx_to_pfn(z, idx);

	if (page_state(p) != GA_PAGE_PCP || page_order(p) != id->order ||
	    page_alloc_mt(p) != id->charge || !(READ_ONCE(p->flags) & PF_PCPBUDDY))
		return fail(c, "pfn %#llx on cpu %u's buddy list %u/%s is not a PCPBuddy head of it",
			    (unsigned long long)pfn, id->cpu, id->order,
			    ga_migratetype_name((int)id->charge));
	if (pfn_to_block(z, pfn)->cpu != id->cpu + 1)
		return fail(c, "PCPBuddy pfn %#llx on cpu %u's lists, block owned by %d",
			    (unsigned long long)pfn, id->cpu,
			    (int)pfn_to_block(z, pfn)->cpu - 1);
	if (idx == id->old_first)
		id->in_old = true;
	return id->in_old ? check_old_pair(c, id, idx) : 0;
}

/* The remote list: singly linked, each a pcp head of a block cpu owns. */
static int check_remote_list(struct checker *c, unsigned int cpu)
{
	struct ga_zone *z = c->z;
	uint32_t idx = __atomic_load_n(&z->pcp[cpu].remote, __ATOMIC_ACQUIRE);
	unsigned long n = 0;

	for (; idx != GA_NIL; idx = READ_ONCE(z->pages[idx].lru.next)) {
		const struct ga_page *p;

		if (idx >= z->nr_pages || ++n > z->nr_pages)
			return fail(c, "cpu %u remote list: bad link %u", cpu, idx);
		p = &z->pages[idx];
		if (test_and_set_seen(c, idx))
			return fail(c, "remote list: pfn %#llx is on two lists",
				    (unsigned long long)idx_to_pfn(z, idx));
		if (page_state(p) != GA_PAGE_PCP || (READ_ONCE(p->flags) & PF_PCPBUDDY))
			return fail(c, "pfn %#llx on cpu %u's remote list has state %u",
				    (unsigned long long)idx_to_pfn(z, idx), cpu,
				    page_state(p));
		/*
		 * A reabsorb (RFC 21) may end the ownership while a free that
		 * read it is under way; the owner caches such a page as an
		 * ordinary one when it absorbs the list.
		 */
		if (pfn_to_block(z, idx_to_pfn(z, idx))->cpu != cpu + 1 &&
		    !z->policy.pcp_buddy_reabsorb)
			return fail(c, "pfn %#llx freed to cpu %u, which does not own its block",
				    (unsigned long long)idx_to_pfn(z, idx), cpu);
		c->rc.remote += 1ul << page_order(p);
	}
	return 0;
}

/*
 * owned_blocks: each entry listed once, owned by the list's CPU, on the
 * list of its label, newest first.
 */
static int check_owned_list(struct checker *c, unsigned int cpu,
			    unsigned long *listed)
{
	struct ga_zone *z = c->z;
	unsigned long n = 0;

	for (int mt = 0; mt < GA_MT_TYPES; mt++) {
		uint32_t b = z->pcp[cpu].owned_first[mt], prev = GA_NIL;
		uint32_t tops[PCPB_NR_TOPS] = { 0 };

		for (; b != GA_NIL; prev = b, b = z->owned_links[b].next) {
			const struct pcpb_link *l = &z->owned_links[b];

			if (b >= z->nr_pageblocks || ++n > z->nr_pageblocks)
				return fail(c, "cpu %u owned_blocks: bad link %u", cpu, b);
			if (!l->listed || l->prev != prev || l->list_mt != mt ||
			    l->frag_top >= PCPB_NR_TOPS)
				return fail(c, "cpu %u owned_blocks: block %u badly linked",
					    cpu, b);
			tops[l->frag_top]++;
			if (z->blocks[b].cpu != cpu + 1)
				return fail(c, "block %u on cpu %u's owned_blocks, owner %d",
					    b, cpu, (int)z->blocks[b].cpu - 1);
			if (z->blocks[b].mt != mt)
				return fail(c, "block %u labelled %s on cpu %u's %s owned_blocks",
					    b, ga_migratetype_name(z->blocks[b].mt), cpu,
					    ga_migratetype_name(mt));
			if (prev != GA_NIL &&
			    (int32_t)(z->owned_links[prev].seq - l->seq) <= 0)
				return fail(c, "cpu %u owned_blocks: block %u out of order",
					    cpu, b);
		}
		for (int t = 0; t < PCPB_NR_TOPS; t++)
			if (tops[t] != z->pcp[cpu].owned_tops[mt][t])
				return fail(c, "cpu %u owned_tops[%d][%d] = %u, recount %u",
					    cpu, mt, t, z->pcp[cpu].owned_tops[mt][t],
					    tops[t]);
	}
	*listed += n;
	return 0;
}

static int check_pcp_buddy(struct checker *c, unsigned int cpu,
			   unsigned long *pages)
{
	struct ga_zone *z = c->z;
	struct ga_pcp *pcp = &z->pcp[cpu];
	unsigned long owned = 0;

	for (unsigned int mt = 0; mt < GA_MT_PCPTYPES; mt++) {
		for (unsigned int o = 0; o < GA_NR_ORDERS_MAX; o++) {
			struct pcpb_list_id id = { cpu, o, mt, pcp->buddy_old[mt][o], false };
			unsigned long n;
			int err = walk_list(c, &pcp->buddy[mt][o], &n,
					    "pcp buddy list", visit_pcp_buddy, &id);

			if (err)
				return err;
			if (id.old_first != GA_NIL && !id.in_old)
				return fail(c, "cpu %u buddy_old[%u][%u] = %u is not on the list",
					    cpu, mt, o, id.old_first);
			if (n && (!z->policy.pcp_buddy || o > z->pageblock_order))
				return fail(c, "cpu %u has PCPBuddy pages of order %u",
					    cpu, o);
			owned += n << o;
		}
	}
	if (owned != (unsigned long)pcp->buddy_count)
		return fail(c, "cpu %u buddy_count = %d, recount %lu", cpu,
			    pcp->buddy_count, owned);
	*pages += owned;
	if (!z->owned_links) {
		for (int mt = 0; mt < GA_MT_TYPES; mt++)
			if (pcp->owned_first[mt] != GA_NIL)
				return fail(c, "cpu %u owns blocks with pcp_buddy off", cpu);
		if (__atomic_load_n(&pcp->remote, __ATOMIC_ACQUIRE) != GA_NIL)
			return fail(c, "cpu %u owns blocks with pcp_buddy off", cpu);
		return 0;
	}
	return check_remote_list(c, cpu);
}

static int check_pcp_lists(struct checker *c)
{
	struct ga_zone *z = c->z;
	unsigned long listed = 0;

	for (unsigned int cpu = 0; cpu < z->nr_cpus; cpu++) {
		struct ga_pcp *pcp = &z->pcp[cpu];
		unsigned long pages = 0;
		int err;

		for (unsigned int i = 0; i < GA_NR_PCP_LISTS; i++) {
			unsigned int order = pindex_to_order(z, i);
			unsigned long n;

			err = walk_list(c, &pcp->lists[i], &n, "pcp list",
					visit_pcp, &order);
			if (err)
				return err;
			pages += n << order;
		}
		err = check_pcp_buddy(c, cpu, &pages);
		if (!err && z->owned_links)
			err = check_owned_list(c, cpu, &listed);
		if (err)
			return err;
		if (pages != (unsigned long)pcp->count)
			return fail(c, "cpu %u pcp->count = %d, recount %lu", cpu,
				    pcp->count, pages);
	}
	if (z->owned_links) {
		unsigned long marked = 0;

		for (unsigned long b = 0; b < z->nr_pageblocks; b++)
			marked += z->owned_links[b].listed;
		if (marked != listed)
			return fail(c, "%lu blocks marked listed, %lu on owned_blocks lists",
				    marked, listed);
	}
	return 0;
}

/* Would __free_one_page have merged this free block with its buddy? */
static bool mergeable_pair(struct ga_zone *z, ga_pfn_t pfn, unsigned int order)
{
	ga_pfn_t buddy = pfn ^ (1ul << order);
	const struct ga_page *bp;
	int mt, bmt;

	if (order >= z->max_order || !zone_spans_pfn(z, buddy))
		return false;
	bp = pfn_to_page(z, buddy);
	if (page_state(bp) != GA_PAGE_BUDDY || page_order(bp) != order)
		return false;
	if (order < z->pageblock_order)
		return true;
	mt = get_pfnblock_migratetype(z, pfn);
	bmt = get_pfnblock_migratetype(z, buddy);
	/* Isolation splits large free blocks per pageblock; undo re-merges. */
	if (mt == GA_MT_ISOLATE && bmt == GA_MT_ISOLATE)
		return false;
	return mt == bmt || (migratetype_is_mergeable(mt) &&
			     migratetype_is_mergeable(bmt));
}

static void count_free_block(struct checker *c, ga_pfn_t pfn, unsigned long nr)
{
	int mt = get_pfnblock_migratetype(c->z, pfn);

	c->rc.free_all += nr;
	if (mt == GA_MT_ISOLATE)
		return;
	c->rc.free_pages += nr;
	if (mt == GA_MT_CMA)
		c->rc.free_cma += nr;
	else if (mt == GA_MT_HIGHATOMIC)
		c->rc.free_highatomic += nr;
}

/* Allocated and pcp pages are charged to their pageblocks' contents. */
static void count_content(struct checker *c, ga_pfn_t pfn, unsigned long nr,
			  int mt)
{
	struct ga_zone *z = c->z;
	unsigned long per_block = ga_min(nr, (unsigned long)z->pageblock_nr_pages);

	for (ga_pfn_t b = pfn; b < pfn + nr; b += z->pageblock_nr_pages)
		c->rc.blocks[(b - z->start_pfn) >> z->pageblock_order].used[mt] +=
			per_block;
}

/* Pages of a pinned allocation count in each pageblock it covers. */
static void count_pinned(struct checker *c, ga_pfn_t pfn, unsigned long nr)
{
	struct ga_zone *z = c->z;
	unsigned long per_block = ga_min(nr, (unsigned long)z->pageblock_nr_pages);

	for (ga_pfn_t b = pfn; b < pfn + nr; b += z->pageblock_nr_pages)
		c->rc.blocks[(b - z->start_pfn) >> z->pageblock_order].pinned +=
			per_block;
}

/* One head: its tails are unmarked, free/pcp heads are on a list. */
static int check_head(struct checker *c, ga_pfn_t pfn, const struct ga_page *p,
		      unsigned long *block_free)
{
	struct ga_zone *z = c->z;
	unsigned int state = page_state(p), order = page_order(p);
	unsigned long nr = 1ul << order;

	if (pfn & (nr - 1) || pfn + nr > z->end_pfn || order > z->max_order)
		return fail(c, "block %#llx order %u misaligned or too big",
			    (unsigned long long)pfn, order);
	for (ga_pfn_t t = pfn + 1; t < pfn + nr; t++)
		if (page_state(pfn_to_page(z, t)) != GA_PAGE_TAIL)
			return fail(c, "pfn %#llx inside block %#llx order %u is not a tail",
				    (unsigned long long)t, (unsigned long long)pfn, order);
	if (state == GA_PAGE_ALLOC) {
		if (page_alloc_mt(p) >= GA_MT_PCPTYPES)
			return fail(c, "allocation %#llx has migratetype %u",
				    (unsigned long long)pfn, page_alloc_mt(p));
		c->rc.alloc += nr;
		count_content(c, pfn, nr, (int)page_alloc_mt(p));
		if (page_pins(p))
			count_pinned(c, pfn, nr);
		return 0;
	}
	if (state == GA_PAGE_CONTIG) {
		if (order != z->pageblock_order || (pfn & (nr - 1)))
			return fail(c, "contig head %#llx has order %u",
				    (unsigned long long)pfn, order);
		c->rc.alloc += nr;
		c->rc.blocks[(pfn - z->start_pfn) >> z->pageblock_order].contig = 1;
		return 0;
	}
	if (!is_seen(c, pfn_to_idx(z, pfn)))
		return fail(c, "%s block %#llx order %u is on no list",
			    state == GA_PAGE_BUDDY ? "free" : "pcp",
			    (unsigned long long)pfn, order);
	if (state == GA_PAGE_PCP) {
		c->rc.pcp += nr;
		count_content(c, pfn, nr, (int)page_alloc_mt(p));
		return 0;
	}
	if (mergeable_pair(z, pfn, order))
		return fail(c, "free buddies %#llx and %#llx order %u left unmerged",
			    (unsigned long long)pfn,
			    (unsigned long long)(pfn ^ (1ul << order)), order);
	count_free_block(c, pfn, nr);
	if (z->free_heads && order < z->pageblock_order) {
		uint32_t idx = pfn_to_idx(z, pfn);

		if (!(z->free_heads[idx / 64] >> (idx % 64) & 1))
			return fail(c, "free block %#llx order %u has no free_heads bit",
				    (unsigned long long)pfn, order);
		c->rc.free_heads++;
	}
	for (ga_pfn_t b = pfn; b < pfn + nr; b += z->pageblock_nr_pages)
		block_free[(b - z->start_pfn) >> z->pageblock_order] +=
			ga_min(nr, (unsigned long)z->pageblock_nr_pages);
	return 0;
}

static int walk_pages(struct checker *c, unsigned long *block_free)
{
	struct ga_zone *z = c->z;
	ga_pfn_t pfn = z->start_pfn;

	while (pfn < z->end_pfn) {
		const struct ga_page *p = pfn_to_page(z, pfn);
		int err;

		switch (page_state(p)) {
		case GA_PAGE_RESERVED:
			c->rc.reserved++;
			pfn++;
			continue;
		case GA_PAGE_TAIL:
			return fail(c, "pfn %#llx is a tail of no block",
				    (unsigned long long)pfn);
		case GA_PAGE_BUDDY:
		case GA_PAGE_PCP:
		case GA_PAGE_ALLOC:
		case GA_PAGE_CONTIG:
			err = check_head(c, pfn, p, block_free);
			if (err)
				return err;
			pfn += 1ul << page_order(p);
			continue;
		default:
			return fail(c, "pfn %#llx has unknown state %u",
				    (unsigned long long)pfn, page_state(p));
		}
	}
	return 0;
}

static int check_pageblocks(struct checker *c, const unsigned long *block_free)
{
	struct ga_zone *z = c->z;
	unsigned long reserved = 0;

	for (unsigned long i = 0; i < z->nr_pageblocks; i++) {
		const struct ga_pageblock *pb = &z->blocks[i];

		if (pb->mt >= GA_MT_ISOLATE)
			return fail(c, "pageblock %lu has label %u", i, pb->mt);
		c->rc.blocks_mt[pb->mt]++;
		if (pb->nr_free != block_free[i])
			return fail(c, "pageblock %lu nr_free = %u, recount %lu", i,
				    pb->nr_free, block_free[i]);
		if (pb->cpu && (!z->policy.pcp_buddy || pb->cpu > z->nr_cpus))
			return fail(c, "pageblock %lu owned by cpu %d", i, (int)pb->cpu - 1);
		/* Ownership ends when the buddy has the whole block back. */
		if (pb->cpu && pb->nr_free + pb->nr_reserved == z->pageblock_nr_pages)
			return fail(c, "pageblock %lu wholly free but owned by cpu %d", i,
				    (int)pb->cpu - 1);
		reserved += pb->nr_reserved;
	}
	for (int mt = 0; mt < GA_MT_TYPES; mt++)
		if (c->rc.blocks_mt[mt] != z->blocks_mt[mt])
			return fail(c, "blocks of type %s: counter %lu, recount %lu",
				    ga_migratetype_name(mt), z->blocks_mt[mt],
				    c->rc.blocks_mt[mt]);
	if (reserved != c->rc.reserved)
		return fail(c, "pageblock reserved pages %lu, recount %lu", reserved,
			    c->rc.reserved);
	return 0;
}

static int check_counters(struct checker *c)
{
	struct ga_zone *z = c->z;
	const struct recount *rc = &c->rc;

	if (rc->free_pages != z->nr_free_pages)
		return fail(c, "NR_FREE_PAGES %lu, recount %lu", z->nr_free_pages,
			    rc->free_pages);
	if (rc->free_cma != z->nr_free_cma)
		return fail(c, "NR_FREE_CMA_PAGES %lu, recount %lu", z->nr_free_cma,
			    rc->free_cma);
	if (rc->free_highatomic != z->nr_free_highatomic)
		return fail(c, "nr_free_highatomic %lu, recount %lu",
			    z->nr_free_highatomic, rc->free_highatomic);
	if (z->nr_reserved_highatomic !=
	    z->blocks_mt[GA_MT_HIGHATOMIC] * z->pageblock_nr_pages)
		return fail(c, "nr_reserved_highatomic %lu but %lu HighAtomic blocks",
			    z->nr_reserved_highatomic, z->blocks_mt[GA_MT_HIGHATOMIC]);
	/* Conservation: every page is free, cached (pcp lists, owned pcp
	 * buddy lists, remote-free lists), allocated, or a hole. */
	if (rc->alloc + rc->free_all + rc->pcp + rc->reserved != z->nr_pages)
		return fail(c, "alloc %lu + free %lu + pcp %lu (remote %lu) + reserved %lu != spanned %lu",
			    rc->alloc, rc->free_all, rc->pcp, rc->remote, rc->reserved,
			    z->nr_pages);
	if (z->nr_pages - rc->reserved != z->managed_pages)
		return fail(c, "managed %lu but %lu reserved of %lu", z->managed_pages,
			    rc->reserved, z->nr_pages);
	return 0;
}

/*
 * Memory above the span (ga_zone_resize) is offline: every page reserved,
 * every pageblock wholly reserved, free of flags and unowned, and no page
 * of it on a list (the list walks reject links past nr_pages).
 */
static int check_offline(struct checker *c)
{
	struct ga_zone *z = c->z;

	if (z->end_pfn > z->max_end_pfn || z->nr_pages != z->end_pfn - z->start_pfn ||
	    z->nr_pageblocks != z->nr_pages >> z->pageblock_order ||
	    z->nr_spbs != spb_count(z->start_pfn, z->end_pfn, z->spb_order))
		return fail(c, "span [%#llx, %#llx) of %lu pages, %lu pageblocks, %lu SPBs is inconsistent",
			    (unsigned long long)z->start_pfn, (unsigned long long)z->end_pfn,
			    z->nr_pages, z->nr_pageblocks, z->nr_spbs);
	for (ga_pfn_t pfn = z->end_pfn; pfn < z->max_end_pfn; pfn++)
		if (page_state(pfn_to_page(z, pfn)) != GA_PAGE_RESERVED)
			return fail(c, "offline pfn %#llx is in state %u",
				    (unsigned long long)pfn, page_state(pfn_to_page(z, pfn)));
	for (ga_pfn_t b = z->end_pfn; b < z->max_end_pfn; b += z->pageblock_nr_pages) {
		const struct ga_pageblock *pb = pfn_to_block(z, b);

		/* PB_EVACUATING may stay until a queued evacuation runs. */
		if (pb->nr_reserved != z->pageblock_nr_pages || pb->nr_free ||
		    (pb->flags & (PB_ISOLATE | PB_COMPACT_SKIP)) || pb->cpu ||
		    pb->nr_pinned || pb->used[0] || pb->used[1] || pb->used[2])
			return fail(c, "offline pageblock at %#llx is not wholly reserved",
				    (unsigned long long)b);
	}
	return 0;
}

/*
 * pcp_buddy's cached largest fragment per pageblock, where known, against
 * the fragments (the free_heads bits, checked to be exactly those first).
 */
static int check_frag_tops(struct checker *c)
{
	struct ga_zone *z = c->z;

	for (uint32_t b = 0; b < z->nr_pageblocks; b++) {
		uint8_t cached = z->owned_links[b].frag_top, top = PCPB_TOP_NONE;
		uint32_t first = b << z->pageblock_order;

		if (cached == PCPB_TOP_UNKNOWN)
			continue;
		for (uint32_t i = first; i < first + z->pageblock_nr_pages; i++)
			if (z->free_heads[i / 64] >> (i % 64) & 1)
				top = (uint8_t)ga_max(top, PCPB_TOP(page_order(&z->pages[i])));
		if (cached != top)
			return fail(c, "pageblock %u: cached largest fragment %d, has %d",
				    b, (int)cached - PCPB_TOP(0), (int)top - PCPB_TOP(0));
	}
	return 0;
}

/* pcp_buddy's free_heads: a bit on each free block below pageblock order. */
static int check_free_heads(struct checker *c)
{
	struct ga_zone *z = c->z;
	unsigned long n = 0;

	if (!z->free_heads)
		return 0;
	for (unsigned long w = 0; w < (z->nr_pages + 63) / 64; w++)
		n += (unsigned long)__builtin_popcountll(z->free_heads[w]);
	if (n != c->rc.free_heads)
		return fail(c, "%lu free_heads bits set, %lu free blocks below pageblock order",
			    n, c->rc.free_heads);
	return check_frag_tops(c);
}

static int run_checks(struct checker *c)
{
	unsigned long *block_free;
	int err;

	c->rc.seen = calloc((c->z->nr_pages + 7) / 8, 1);
	c->rc.blocks = calloc(c->z->nr_pageblocks, sizeof(*c->rc.blocks));
	block_free = calloc(c->z->nr_pageblocks, sizeof(*block_free));
	if (!c->rc.seen || !block_free || !c->rc.blocks) {
		free(c->rc.seen);
		free(c->rc.blocks);
		free(block_free);
		fail(c, "out of memory for the checker");
		return -ENOMEM;
	}
	err = check_offline(c);
	if (!err)
		err = check_free_lists(c);
	if (!err)
		err = check_pcp_lists(c);
	if (!err)
		err = walk_pages(c, block_free);
	if (!err)
		err = check_free_heads(c);
	if (!err)
		err = check_pageblocks(c, block_free);
	if (!err)
		err = check_counters(c);
	if (!err) {
		for (unsigned long i = 0; i < c->z->nr_pageblocks; i++)
			c->rc.blocks[i].free = (uint32_t)block_free[i];
		err = spb_check(c->z, c->rc.blocks, c->rc.free_all, c->errbuf,
				c->errlen);
	}
	free(c->rc.seen);
	free(c->rc.blocks);
	free(block_free);
	return err;
}

int ga_zone_check(struct ga_zone *z, char *errbuf, size_t errlen)
{
	struct checker c = { .z = z, .errbuf = errbuf, .errlen = errlen };
	int err;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	/* Lock order: pcp locks, then zone->lock (as free_pcppages_bulk). */
	for (unsigned int cpu = 0; cpu < z->nr_cpus; cpu++)
		ga_lock(&z->pcp[cpu].lock);
	ga_lock(&z->lock);
	err = run_checks(&c);
	ga_unlock(&z->lock);
	for (unsigned int cpu = z->nr_cpus; cpu-- > 0;)
		ga_unlock(&z->pcp[cpu].lock);
	return err;
}
