// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Per-CPU pageblocks (policy.pcp_buddy): RFC 02 "per-CPU pageblock buddy
 * allocator" and 03 "split-path PCP free", with 21's adoption of partial
 * pageblocks (policy.pcp_buddy_adopt). Written from the series' text; no
 * kernel code is copied.
 *
 * A CPU takes whole pageblocks under zone->lock and splits them under its
 * own pcp->lock only. The block records its owner (ga_pageblock.cpu, CPU +
 * 1, 0 = unowned) and every free of one of its pages goes back to the
 * owner, whichever CPU frees it:
 *   - the owner itself: pcp->lock with a trylock, onto the buddy lists;
 *   - any other CPU (or the owner while its lock is busy): a lock-free
 *     push onto the owner's remote list, which the owner absorbs when it
 *     allocates, spills and drains.
 * Pages of owned blocks on the owner's lists are PagePCPBuddy: a drain
 * first merges them bottom-up under pcp->lock, so the zone gets back
 * chunks as large as they have become, whole pageblocks included. A block
 * whose pages are all back in the zone's buddy stops being owned (the
 * buddy.c hook); one left with fragments there goes on the owner's
 * owned_blocks list, where the next refill of its type recovers them.
 *
 * The refill (rmqueue_bulk), one zone->lock hold:
 *   phase 0  recover the fragments of owned blocks of the type, in
 *            owned_blocks order, until the refill has enough;
 *   phase 1  take whole free pageblocks (SPB steering picks which);
 *   RFC 21   for unmovable/reclaimable, adopt a partially free block of a
 *            tainted SPB: take its largest free fragment of the type and
 *            own the block, phase 0 collecting the rest later;
 *   phase 2  sub-pageblock chunks of the type, no stealing, split on the
 *            pcp after the zone lock is dropped (not owned, no merging);
 *   phase 3  the classic __rmqueue with its fallbacks.
 *
 * Locking: owned_blocks and ownership changes under zone->lock; the buddy
 * lists under pcp->lock; the remote list is a Treiber stack that is only
 * pushed and taken whole, so it has no ABA problem. Ownership changes only
 * while no page of the block is allocated or on any pcp (claim: wholly
 * free; release: wholly free again) or, for adoption, from unowned to
 * owned, so a racing free sees either no owner (and frees locally, as
 * vanilla does) or the current one.
 */
#include <string.h>

#include "internal.h"

#define PCPB_MAX_CHUNKS	16	/* phase 2 chunks split per refill */
#define PCPB_ADOPT_WALK	32	/* free-list entries RFC 21 looks at per SPB */

/* ------------------------------------------------------------------------ */
/* Set-up and the owned_blocks list (zone->lock).                            */

size_t pcp_buddy_metadata_size(unsigned long nr_pageblocks, bool on)
{
	return on ? nr_pageblocks * sizeof(struct pcpb_link) : 0;
}

size_t pcp_buddy_heads_size(unsigned long nr_pages, bool on)
{
	return on ? (nr_pages + 63) / 64 * sizeof(uint64_t) : 0;
}

/* heads is zeroed, and sized for the largest span; nothing is free yet. */
void pcp_buddy_init(struct ga_zone *z, void *links, void *heads)
{
	z->owned_links = links;
	z->free_heads = heads;
	if (!links)
		return;
	for (unsigned long b = 0; b < READ_ONCE(z->nr_pageblocks); b++)
		z->owned_links[b] = (struct pcpb_link){ GA_NIL, GA_NIL, 0, false,
							PCPB_TOP_NONE, 0 };
}

/*
 * owned_blocks, one list per pageblock label. RFC 02 keeps one list and
 * phase 0 steps over the blocks of other types; Rik asked for a split per
 * migratetype, Johannes deferred it for its memory (16 B per CPU, zone and
 * list head). It is split here, a deviation made for the simulator's cost:
 * each list holds its blocks in the order the one list would (newest
 * first, by owned_seq), and a relabel moves a listed block to its place in
 * its new label's list, so phase 0 recovers the same blocks in the same
 * order, only without stepping over the others.
 */
static void owned_link(struct ga_zone *z, struct ga_pcp *pcp, uint32_t b, int mt)
{
	struct pcpb_link *l = &z->owned_links[b];
	uint32_t prev = GA_NIL, next = pcp->owned_first[mt];

	/* A new entry goes to the head; a relabelled one finds its place. */
	while (next != GA_NIL && (int32_t)(z->owned_links[next].seq - l->seq) > 0) {
		prev = next;
		next = z->owned_links[next].next;
	}
	l->prev = prev;
	l->next = next;
	if (prev != GA_NIL)
		z->owned_links[prev].next = b;
	else
		pcp->owned_first[mt] = b;
	if (next != GA_NIL)
		z->owned_links[next].prev = b;
	l->list_mt = (uint8_t)mt;
	pcp->owned_tops[mt][l->frag_top]++;
}

static void owned_unlink(struct ga_zone *z, struct ga_pcp *pcp, uint32_t b, int mt)
{
	struct pcpb_link *l = &z->owned_links[b];

	if (l->prev != GA_NIL)
		z->owned_links[l->prev].next = l->next;
	else
		pcp->owned_first[mt] = l->next;
	if (l->next != GA_NIL)
		z->owned_links[l->next].prev = l->prev;
	pcp->owned_tops[mt][l->frag_top]--;
}

static void owned_add(struct ga_zone *z, struct ga_pcp *pcp, uint32_t b)
{
	struct pcpb_link *l = &z->owned_links[b];

	if (l->listed)
		return;
	l->listed = true;
	l->seq = ++pcp->owned_seq;
	owned_link(z, pcp, b, z->blocks[b].mt);
}

static void owned_del(struct ga_zone *z, struct ga_pcp *pcp, uint32_t b)
{
	struct pcpb_link *l = &z->owned_links[b];

	if (!l->listed)
		return;
	owned_unlink(z, pcp, b, z->blocks[b].mt);
	l->listed = false;
}

/* set_pageblock_migratetype of an owned block, before the label changes. */
void pcp_buddy_relabel(struct ga_zone *z, struct ga_pageblock *pb, int old_mt,
		       int new_mt)
{
	uint32_t b = (uint32_t)(pb - z->blocks);
	struct ga_pcp *pcp = &z->pcp[pb->cpu - 1];

	if (!z->owned_links || !z->owned_links[b].listed)
		return;
	owned_unlink(z, pcp, b, old_mt);
	owned_link(z, pcp, b, new_mt);
}

static uint32_t block_index(const struct ga_zone *z, ga_pfn_t pfn)
{
	return (uint32_t)((pfn - z->start_pfn) >> z->pageblock_order);
}

static ga_pfn_t block_start(const struct ga_zone *z, ga_pfn_t pfn)
{
	return z->start_pfn + ((ga_pfn_t)block_index(z, pfn) << z->pageblock_order);
}

static void block_own(struct ga_zone *z, ga_pfn_t pfn, unsigned int cpu)
{
	WRITE_ONCE(pfn_to_block(z, pfn)->cpu, (uint16_t)(cpu + 1));
}

/* The buddy.c hook: the block is wholly free in the zone again. */
void pcp_buddy_release(struct ga_zone *z, struct ga_pageblock *pb)
{
	unsigned int owner = pb->cpu - 1u;

	if (z->owned_links)
		owned_del(z, &z->pcp[owner], (uint32_t)(pb - z->blocks));
	WRITE_ONCE(pb->cpu, 0);
	zone_stat_add_locked(z, GA_STAT_PCPB_RELEASE, 1);
}

/* ------------------------------------------------------------------------ */
/* The owner's buddy lists (pcp->lock).                                      */

/*
 * Link a head of an owned block; pcp->count is the caller's. State, order,
 * charge and PagePCPBuddy go in with one store: lockless movers read the
 * word without pcp->lock (isolate_page), so it is never read-modify-written
 * here, and a PCP state is never isolatable whatever else the word holds.
 */
static void buddy_link(struct ga_zone *z, struct ga_pcp *pcp, uint32_t idx,
		       unsigned int order, unsigned int charge)
{
	WRITE_ONCE(z->pages[idx].flags, GA_PAGE_PCP | (order << PF_ORDER_SHIFT) |
					(charge << PF_MT_SHIFT) | PF_PCPBUDDY);
	ga_list_add_head(z->pages, &pcp->buddy[charge][order], idx);
	pcp->buddy_count += 1 << order;
}

static void buddy_unlink(struct ga_zone *z, struct ga_pcp *pcp, uint32_t idx)
{
	const struct ga_page *p = &z->pages[idx];
	unsigned int order = page_order(p);
	unsigned int charge = page_alloc_mt(p);

	/* The old part of the list starts after it now (merge_pass). */
	if (pcp->buddy_old[charge][order] == idx)
		pcp->buddy_old[charge][order] = p->lru.next;
	ga_list_del(z->pages, &pcp->buddy[charge][order], idx);
	pcp->buddy_count -= 1 << order;
}

/* A freed page joins its owner's buddy lists, keeping its charge. */
void pcp_buddy_enqueue(struct ga_zone *z, struct ga_pcp *pcp, uint32_t idx,
		       unsigned int order)
{
	buddy_link(z, pcp, idx, order, page_alloc_mt(&z->pages[idx]));
}

/*
 * Pages on the remote list, not yet in pcp->count. Caller holds pcp->lock,
 * so the owner cannot take the list meanwhile; pushes only add in front of
 * the head read here.
 */
unsigned long pcp_buddy_remote_pages(const struct ga_zone *z, struct ga_pcp *pcp)
{
	unsigned long nr = 0;

	for (uint32_t idx = __atomic_load_n(&pcp->remote, __ATOMIC_ACQUIRE);
	     idx != GA_NIL; idx = READ_ONCE(z->pages[idx].lru.next))
		nr += 1ul << page_order(&z->pages[idx]);
	return nr;
}

static unsigned int pcp_cpu(const struct ga_zone *z, const struct ga_pcp *pcp)
{
	return (unsigned int)(pcp - z->pcp);
}

/* A page of a block this CPU does not own, on its plain list (pcp->lock). */
static void plain_enqueue(struct ga_zone *z, struct ga_pcp *pcp, uint32_t idx,
			  unsigned int order)
{
	int mt = get_pfnblock_migratetype(z, idx_to_pfn(z, idx));
	struct ga_page *p = &z->pages[idx];

	set_page_head(p, GA_PAGE_PCP, order, page_alloc_mt(p));
	ga_list_add_head(z->pages, &pcp->lists[order_to_pindex(mt < GA_MT_PCPTYPES ?
							       mt : GA_MT_MOVABLE,
							       order)], idx);
}

/* absorb_remote_frees: take the remote list whole onto the buddy lists. */
void pcp_buddy_absorb(struct ga_zone *z, struct ga_pcp *pcp)
{
	uint32_t idx;

	if (__atomic_load_n(&pcp->remote, __ATOMIC_RELAXED) == GA_NIL)
		return;
	idx = __atomic_exchange_n(&pcp->remote, GA_NIL, __ATOMIC_ACQUIRE);
	while (idx != GA_NIL) {
		uint32_t next = READ_ONCE(z->pages[idx].lru.next);
		unsigned int order = page_order(&z->pages[idx]);

		/*
		 * RFC 21's reabsorb may have ended this CPU's ownership after
		 * the freer read it (pcp_buddy_reabsorb): the page is then an
		 * ordinary cached page here.
		 */
		if (ga_unlikely(READ_ONCE(pfn_to_block(z, idx_to_pfn(z, idx))->cpu) !=
				pcp_cpu(z, pcp) + 1))
			plain_enqueue(z, pcp, idx, order);
		else
			pcp_buddy_enqueue(z, pcp, idx, order);
		pcp->count += 1 << order;
		pcp->stat[PCP_STAT_FREE]++;
		pcp->stat[PCP_STAT_PGFREE] += 1ul << order;
		idx = next;
	}
}

/*
 * pcp_rmqueue_smallest: the smallest owned chunk of the type that fits,
 * split on the pcp; the upper halves stay on the buddy lists. Returns the
 * head, off every list, still counted in pcp->count, or GA_NIL.
 */
/*
 * Take an owned chunk off its list and split it down to order; the upper
 * halves stay on the buddy lists. The head is left off every list.
 */
static void buddy_serve(struct ga_zone *z, struct ga_pcp *pcp, uint32_t idx,
			unsigned int order, int mt)
{
	unsigned int o = page_order(&z->pages[idx]);

	buddy_unlink(z, pcp, idx);
	while (o > order) {
		o--;
		buddy_link(z, pcp, idx + (1u << o), o, (unsigned int)mt);
	}
	set_page_head(&z->pages[idx], GA_PAGE_PCP, order, (unsigned int)mt);
}

uint32_t pcp_buddy_take(struct ga_zone *z, struct ga_pcp *pcp,
			unsigned int order, int mt)
{
	pcp_buddy_absorb(z, pcp);
	if (!pcp->buddy_count)
		return GA_NIL;
	for (unsigned int o = order; o <= z->pageblock_order; o++) {
		uint32_t idx = pcp->buddy[mt][o].first;

		if (idx == GA_NIL)
			continue;
		buddy_serve(z, pcp, idx, order, mt);
		return idx;
	}
	return GA_NIL;
}

/*
 * What pcp_buddy_take would return, without absorbing: the remote list is
 * absorbed head first, each page to the head of its list, so a list's head
 * after absorbing is the last page of its order and charge on the remote
 * list. Caller holds pcp->lock. GA_NIL if take finds nothing.
 */
static uint32_t take_peek(const struct ga_zone *z, struct ga_pcp *pcp,
			  unsigned int order, int mt)
{
	uint32_t last[GA_NR_ORDERS_MAX];

	for (unsigned int o = 0; o < GA_NR_ORDERS_MAX; o++)
		last[o] = GA_NIL;
	for (uint32_t idx = __atomic_load_n(&pcp->remote, __ATOMIC_ACQUIRE);
	     idx != GA_NIL; idx = READ_ONCE(z->pages[idx].lru.next))
		if (page_alloc_mt(&z->pages[idx]) == (unsigned int)mt)
			last[page_order(&z->pages[idx])] = idx;
	for (unsigned int o = order; o <= z->pageblock_order; o++) {
		uint32_t idx = last[o] != GA_NIL ? last[o] : pcp->buddy[mt][o].first;

		if (idx != GA_NIL)
			return idx;
	}
	return GA_NIL;
}

/* ------------------------------------------------------------------------ */
/* The free side (RFC 03).                                                   */

/* llist_add: NMI-safe in the kernel, lock-free here. */
static void remote_push(struct ga_zone *z, struct ga_pcp *pcp, uint32_t idx,
			unsigned int order)
{
	struct ga_page *p = &z->pages[idx];
	uint32_t head = __atomic_load_n(&pcp->remote, __ATOMIC_RELAXED);

	/* A cached page keeps its charge; the owner links it later. */
	set_page_head(p, GA_PAGE_PCP, order, page_alloc_mt(p));
	do {
		WRITE_ONCE(p->lru.next, head);
	} while (!__atomic_compare_exchange_n(&pcp->remote, &head, idx, true,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

/*
 * A free into a block owned by owner, from cpu: the owner's own frees take
 * its lock with a trylock; everything else, the lock-free list. Never the
 * zone lock, so this cannot fail.
 */
bool pcp_buddy_free(struct ga_zone *z, ga_pfn_t pfn, unsigned int order,
		    unsigned int cpu, unsigned int owner)
{
	struct ga_pcp *pcp = &z->pcp[owner];

	if (owner == cpu && ga_trylock(&pcp->lock)) {
		int mt = get_pfnblock_migratetype(z, pfn);
		/* A reabsorb (RFC 21) may have ended the ownership meanwhile. */
		bool owned = READ_ONCE(pfn_to_block(z, pfn)->cpu) == owner + 1;

		free_unref_page_commit(z, pcp, pfn, mt < GA_MT_PCPTYPES ? mt :
				       GA_MT_MOVABLE, order, owned);
		ga_unlock(&pcp->lock);
		return true;
	}
	remote_push(z, pcp, pfn_to_idx(z, pfn), order);
	zone_stat_add(z, owner == cpu ? GA_STAT_PCPB_LOCAL_DEFER :
					GA_STAT_PCPB_REMOTE_FREE, 1);
	return true;
}

/* ------------------------------------------------------------------------ */
/*
 * RFC 21's reabsorb (policy.pcp_buddy_reabsorb): another CPU's PCPBuddy
 * entries go back to the zone's buddy, under zone->lock, where a merge or
 * an adoption walk meets them. The series does it in __free_one_page in
 * the same zone->lock hold; here the owner's pcp->lock guards its lists
 * and counters, so it is taken with a trylock (never a wait: the caller
 * already holds zone->lock, and a CPU holds its pcp->lock before the
 * zone's). When the trylock fails (the owner is busy, or it is the caller
 * itself) nothing is reabsorbed, as without the switch. The owner's
 * pcp->count drops with each entry, under its lock, so it stays right.
 *
 * Ending an ownership while pages of the block are still allocated is new
 * here (a release waits for a wholly free block): a free that read the old
 * owner still reaches it, and the owner then caches the page as an
 * ordinary one (pcp_buddy_free and pcp_buddy_absorb check again under
 * pcp->lock), so no PCPBuddy page ever sits on a CPU that does not own its
 * block.
 */

/*
 * Take owned entry idx off its owner's lists, uncharge it and clear its
 * head (the caller frees or merges it). Both locks held. Returns its order.
 */
static unsigned int take_entry(struct ga_zone *z, struct ga_pcp *pcp, uint32_t idx)
{
	unsigned int order = page_order(&z->pages[idx]);

	buddy_unlink(z, pcp, idx);
	pcp->count -= 1 << order;
	charge_block(z, idx_to_pfn(z, idx), order, (int)page_alloc_mt(&z->pages[idx]), -1);
	clear_page_head(&z->pages[idx]);
	zone_stat_add_locked(z, GA_STAT_PCPB_REABSORB, 1);
	return order;
}

static bool is_pcpbuddy_head(const struct ga_page *p)
{
	uint32_t f = READ_ONCE(p->flags);

	return (f & PF_STATE_MASK) == GA_PAGE_PCP && (f & PF_PCPBUDDY);
}

/* Does the block still have PCPBuddy entries (its owner's lock held)? */
static bool block_has_entries(const struct ga_zone *z, ga_pfn_t block)
{
	uint32_t first = pfn_to_idx(z, block);

	for (uint32_t i = first; i < first + z->pageblock_nr_pages; i++)
		if (is_pcpbuddy_head(&z->pages[i]))
			return true;
	return false;
}

/* The owner holds nothing of the block on its lists: nobody owns it now. */
static void disown(struct ga_zone *z, struct ga_pageblock *pb)
{
	unsigned int owner = pb->cpu - 1u;

	owned_del(z, &z->pcp[owner], (uint32_t)(pb - z->blocks));
	WRITE_ONCE(pb->cpu, 0);
}

/*
 * The __free_one_page hook: the merge at (pfn, order) stopped because its
 * buddy is not in the zone's buddy. If the buddy is another CPU's
 * PCPBuddy entry of that order, take it off that CPU's lists, account it
 * as free and return true: the caller merges it. Below pageblock order
 * only (the entry shares the block of the page being freed).
 */
bool pcp_buddy_reabsorb(struct ga_zone *z, ga_pfn_t pfn, unsigned int order, int mt)
{
	struct ga_pageblock *pb;
	struct ga_pcp *pcp;
	unsigned int owner;
	uint32_t idx;

	if (order >= z->pageblock_order || !zone_spans_pfn(z, pfn))
		return false;
	idx = pfn_to_idx(z, pfn);
	if (!is_pcpbuddy_head(&z->pages[idx]) || page_order(&z->pages[idx]) != order)
		return false;
	pb = pfn_to_block(z, pfn);
	owner = READ_ONCE(pb->cpu);
	if (!owner)
		return false;
	pcp = &z->pcp[owner - 1];
	if (!ga_trylock(&pcp->lock))
		return false;
	/* Under the owner's lock the entry cannot change any more. */
	if (!is_pcpbuddy_head(&z->pages[idx]) || page_order(&z->pages[idx]) != order ||
	    pb->cpu != owner) {
		ga_unlock(&pcp->lock);
		return false;
	}
	take_entry(z, pcp, idx);
	account_freepages(z, 1l << order, mt);
	if (!block_has_entries(z, block_start(z, pfn))) {
		disown(z, pb);
		zone_stat_add_locked(z, GA_STAT_PCPB_DISOWN, 1);
	}
	ga_unlock(&pcp->lock);
	return true;
}

/*
 * The adoption walk follows a block another CPU owns (its lock held): all
 * of that CPU's entries of the block go back to the zone's buddy, merging
 * with the block's free fragments, and the block is nobody's.
 */
static void follow_block(struct ga_zone *z, ga_pfn_t block)
{
	struct ga_pageblock *pb = pfn_to_block(z, block);
	struct ga_pcp *pcp = &z->pcp[pb->cpu - 1];
	uint32_t first = pfn_to_idx(z, block);
	int mt = pb->mt;

	for (uint32_t i = first; i < first + z->pageblock_nr_pages; i++) {
		if (!is_pcpbuddy_head(&z->pages[i]))
			continue;
		free_one_page_locked(z, idx_to_pfn(z, i), take_entry(z, pcp, i), mt, false);
	}
	disown(z, pb);
	zone_stat_add_locked(z, GA_STAT_PCPB_FOLLOW, 1);
}

/*
 * Is every page of the aligned range free, in the zone's buddy or as a
 * PCPBuddy entry? Free heads are aligned and do not overlap, so stepping
 * from head to head covers it.
 */
static bool range_free(struct ga_zone *z, ga_pfn_t pfn, unsigned int order)
{
	ga_pfn_t end = pfn + (1ul << order);

	while (pfn < end) {
		const struct ga_page *p = pfn_to_page(z, pfn);

		if (page_state(p) != GA_PAGE_BUDDY && !is_pcpbuddy_head(p))
			return false;
		pfn += 1ul << page_order(p);
	}
	return true;
}

/*
 * The free block holding pfn (order o) once another CPU's entries of its
 * block are merged in (follow_block): grow while the buddy range is wholly
 * free. Returns its order (pageblock order: the whole block is free) and
 * its head in *head.
 */
static unsigned int merged_order(struct ga_zone *z, ga_pfn_t pfn,
				 unsigned int o, ga_pfn_t *head)
{
	while (o < z->pageblock_order && range_free(z, pfn ^ (1ul << o), o)) {
		pfn &= ~(1ul << o);
		o++;
	}
	*head = pfn;
	return o;
}

/* ------------------------------------------------------------------------ */
/* Refill (zone->lock held below, except where said).                        */

struct refill {
	struct ga_zone *z;
	struct ga_pcp *pcp;
	unsigned int cpu, order;
	int mt;
	unsigned long want;	/* pages wanted, in pieces of >= order */
	unsigned long fit;	/* ... found so far */
	unsigned long pages;	/* pages put on the pcp in all */
	enum rmqueue_mode mode;	/* __rmqueue's, for phase 3 */
	struct ga_alloc_choice *peek;	/* refill_first: decide only */
};

/* A free block of the zone's buddy becomes an owned pcp chunk. */
static void own_free_block(struct refill *r, ga_pfn_t pfn, unsigned int order,
			   int list_mt)
{
	struct ga_zone *z = r->z;

	del_from_free_list(z, pfn, order, list_mt);
	charge_block(z, pfn, order, r->mt, 1);
	buddy_link(z, r->pcp, pfn_to_idx(z, pfn), order, (unsigned int)r->mt);
	r->pages += 1ul << order;
	if (order >= r->order)
		r->fit += 1ul << order;
}

/*
 * Phase 0 walks owned_blocks in list order and takes every block of the
 * type it passes: the block's free fragments come back as PCPBuddy and the
 * block leaves the list, until the refill has enough (first fit in list
 * order, as the series does). pb->nr_free counts the block's pages in the
 * zone's buddy, so a block with none leaves the list without a look at its
 * pages, and a block's walk ends at its last free fragment.
 */
static bool owned_candidate(const struct refill *r, uint32_t b)
{
	const struct ga_pageblock *pb = &r->z->blocks[b];

	return pb->mt == r->mt && !pb_test_flag(pb, PB_ISOLATE);
}

/*
 * Call fn for each free fragment of block b, in pfn order (recover_block's
 * order), from the free_heads bits: fn may take the fragment. Returns the
 * pages in fragments of the refill's order or larger.
 */
static unsigned long for_each_fragment(struct refill *r, uint32_t b,
				       void (*fn)(struct refill *, ga_pfn_t,
						  unsigned int, void *),
				       void *arg)
{
	struct ga_zone *z = r->z;
	uint32_t first = b << z->pageblock_order;
	uint32_t end = first + z->pageblock_nr_pages;
	unsigned long fit = 0;

	for (uint32_t w = first / 64; w * 64 < end; w++) {
		uint64_t bits = z->free_heads[w];

		/* Pageblocks below 64 pages share a word. */
		if (first > w * 64)
			bits &= ~0ull << (first - w * 64);
		if (end < w * 64 + 64)
			bits &= (1ull << (end - w * 64)) - 1;
		while (bits) {
			uint32_t idx = w * 64 + (uint32_t)__builtin_ctzll(bits);
			unsigned int order = page_order(&z->pages[idx]);

			bits &= bits - 1;
			if (order >= r->order)
				fit += 1ul << order;
			fn(r, idx_to_pfn(z, idx), order, arg);
		}
	}
	return fit;
}

static void recover_one(struct refill *r, ga_pfn_t pfn, unsigned int order,
			void *arg)
{
	(void)arg;
	own_free_block(r, pfn, order, r->mt);
}

/* Pull one owned block's free fragments back and take it off the list. */
static void recover_block(struct refill *r, uint32_t b)
{
	struct ga_zone *z = r->z;
	unsigned long before = r->pages;

	if (z->blocks[b].nr_free)
		for_each_fragment(r, b, recover_one, NULL);
	owned_del(z, r->pcp, b);
	zone_stat_add_locked(z, GA_STAT_PCPB_RECOVER, 1);
	zone_stat_add_locked(z, GA_STAT_PCPB_RECOVER_PAGES, r->pages - before);
}

static void recover_owned(struct refill *r)
{
	struct ga_zone *z = r->z;
	uint32_t b = r->pcp->owned_first[r->mt];

	/* Fragments cannot serve a pageblock-order refill: leave them. */
	if (r->order >= z->pageblock_order)
		return;
	while (b != GA_NIL && r->fit < r->want) {
		uint32_t next = z->owned_links[b].next;

		if (owned_candidate(r, b))
			recover_block(r, b);
		b = next;
	}
}

/* What phase 0 would serve: pcp_buddy_take's choice after it. */
struct owned_best {
	unsigned int order;	/* smallest fitting order recovered */
	ga_pfn_t pfn;		/* its last fragment: the head of its list */
};

static void best_one(struct refill *r, ga_pfn_t pfn, unsigned int order,
		     void *arg)
{
	struct owned_best *best = arg;

	if (order >= r->order && order <= best->order) {
		best->order = order;
		best->pfn = pfn;
	}
}

/* The largest fragment's order so far (an int, -1: none yet). */
static void top_one(struct refill *r, ga_pfn_t pfn, unsigned int order,
		    void *arg)
{
	int *top = arg;

	(void)r;
	(void)pfn;
	if ((int)order > *top)
		*top = (int)order;
}

/* After phase 0: the owned fragment pcp_buddy_take would serve, or -1. */
static long owned_served(const struct refill *r, unsigned int *order)
{
	const struct ga_zone *z = r->z;

	for (unsigned int o = r->order; o < z->pageblock_order; o++) {
		uint32_t idx = r->pcp->buddy[r->mt][o].first;

		if (idx != GA_NIL) {
			*order = o;
			return (long)idx_to_pfn(z, idx);
		}
	}
	return -1;
}

/*
 * The order of block b's largest free fragment, or -1 if it has none:
 * from the cached frag_top, recounted from the free_heads bits when a
 * removal left it unknown.
 */
static int frag_top(struct refill *r, uint32_t b)
{
	struct ga_zone *z = r->z;
	struct pcpb_link *l = &z->owned_links[b];

	if (l->frag_top == PCPB_TOP_UNKNOWN) {
		int top = -1;

		for_each_fragment(r, b, top_one, &top);
		pcp_buddy_set_top(z, &z->blocks[b],
				  top < 0 ? PCPB_TOP_NONE : PCPB_TOP(top));
	}
	return (int)l->frag_top - PCPB_TOP(0);
}

/*
 * Could the walk below find anything, by the owned_tops counts: a block
 * that may have no free pages left (which the walk would drop) or one
 * whose largest fragment fits, known or not yet recounted.
 */
static bool owned_may_fit(const struct refill *r)
{
	const uint32_t *tops = r->pcp->owned_tops[r->mt];

	if (tops[PCPB_TOP_UNKNOWN] || tops[PCPB_TOP_NONE])
		return true;
	for (unsigned int o = r->order; o < r->z->pageblock_order; o++)
		if (tops[PCPB_TOP(o)])
			return true;
	return false;
}

/*
 * Phase 0 as the refill's first step. If it would recover a fragment the
 * allocation fits in, it runs whole (unless only peeking) and the
 * allocation takes what pcp_buddy_take then finds: the smallest fitting
 * order, the last such fragment recovered. Otherwise nothing is taken yet.
 * The look ahead walks what recover_owned would take, in its order: an
 * order-0 refill fits in any free page, so it needs only the blocks'
 * nr_free; a larger order needs one block whose largest fragment fits
 * (frag_top), since recover_owned then stops where this walk would have;
 * a peek looks at the fragments. A block with no free pages leaves the
 * list here already (unless only peeking): it gives nothing whether phase
 * 0 runs or not, and phase 0 drops every such block it passes. The
 * owned_tops counts tell first whether the walk can find anything at all
 * (debug builds walk anyway and check that it did not). Returns the
 * fragment's pfn or -1.
 */
static long owned_pick(struct refill *r, unsigned int *order)
{
	struct ga_zone *z = r->z;
	struct owned_best best = { GA_NR_ORDERS_MAX, 0 };
	bool counted = !r->order && !r->peek;
	unsigned long fit = 0, dropped = 0;
	bool may_fit;
	long pfn;

	if (r->order >= z->pageblock_order)
		return -1;
	may_fit = owned_may_fit(r);
	if (!may_fit && !GA_DEBUG_CHECKS)
		return -1;
	for (uint32_t b = r->pcp->owned_first[r->mt], next; b != GA_NIL && fit < r->want;
	     b = next) {
		next = z->owned_links[b].next;
		if (!owned_candidate(r, b))
			continue;
		if (!z->blocks[b].nr_free) {
			if (!r->peek)
				recover_block(r, b);
			dropped++;
			continue;
		}
		if (counted) {
			fit += z->blocks[b].nr_free;
		} else if (r->peek || GA_DEBUG_CHECKS) {
			unsigned long f = for_each_fragment(r, b, best_one, &best);

			GA_BUG_ON(!f != (frag_top(r, b) < (int)r->order));
			fit += f;
		} else if (frag_top(r, b) >= (int)r->order) {
			fit = 1;	/* recover_owned takes it from here */
			break;
		}
	}
	GA_BUG_ON(!may_fit && (fit || dropped));
	if (!fit)
		return -1;
	if (r->peek) {
		*order = best.order;
		return (long)best.pfn;
	}
	recover_owned(r);
	pfn = owned_served(r, order);
	GA_BUG_ON(pfn < 0 || (!counted && (pfn != (long)best.pfn || *order != best.order)));
	return pfn;
}

/*
 * Phase 1: a whole free pageblock, where SPB steering would put it; else
 * the type's own, else one of a fallback type, claimed whole (which never
 * mixes types, so NOFRAGMENT allows it).
 */
static long claim_pick(struct refill *r, unsigned int alloc_flags)
{
	struct ga_zone *z = r->z;
	unsigned int pb = z->pageblock_order;
	long pfn;

	/* Under NOFRAGMENT: a clean SPB is tainted by phase 3, not here. */
	if (spb_steering(z))
		return spb_rmqueue(z, pb, r->mt, alloc_flags | ALLOC_NOFRAGMENT);
	pfn = rmqueue_smallest(z, pb, r->mt);
	if (pfn < 0)
		pfn = rmqueue_claim(z, pb, r->mt, alloc_flags);
	return pfn;
}

/* Returns the pfn of the block claimed, or -1. */
static long claim_block(struct refill *r, unsigned int alloc_flags)
{
	struct ga_zone *z = r->z;
	unsigned int pb = z->pageblock_order;
	long pfn = claim_pick(r, alloc_flags);

	if (pfn < 0)
		return -1;
	GA_BUG_ON(pfn_to_block(z, (ga_pfn_t)pfn)->cpu);
	block_own(z, (ga_pfn_t)pfn, r->cpu);
	charge_block(z, (ga_pfn_t)pfn, pb, r->mt, 1);
	buddy_link(z, r->pcp, pfn_to_idx(z, (ga_pfn_t)pfn), pb, (unsigned int)r->mt);
	r->pages += 1ul << pb;
	r->fit += 1ul << pb;
	zone_stat_add_locked(z, GA_STAT_PCPB_CLAIM, 1);
	return pfn;
}

/*
 * A block another CPU owns, met by the adoption walk at (pfn, o). Without
 * pcp_buddy_reabsorb the walk skips it. With it the walk follows it (RFC
 * 21): if the owner's lock can be had, the fragment is taken as it will be
 * once the owner's entries of the block have merged back (*head, *order);
 * a block that would then be wholly free is left to phase 1 instead.
 * Returns true with the owner's lock held, unless only peeking.
 */
static bool follow_pick(const struct refill *r, ga_pfn_t pfn, unsigned int o,
			unsigned int owner, ga_pfn_t *head, unsigned int *order)
{
	struct ga_zone *z = r->z;
	struct ga_pcp *pcp = &z->pcp[owner - 1];

	if (!z->policy.pcp_buddy_reabsorb || !ga_trylock(&pcp->lock))
		return false;
	*order = merged_order(z, pfn, o, head);
	if (*order >= z->pageblock_order || r->peek) {
		ga_unlock(&pcp->lock);
		return *order < z->pageblock_order;
	}
	return true;
}

/*
 * RFC 21: the largest fragment of the type in a block that is unowned, or
 * this CPU's, or (followed) another CPU's; -1 if none. *followed: the
 * block is another CPU's, whose lock is held (unless only peeking).
 */
static long adopt_pick(const struct refill *r, const struct ga_spb *s,
		       unsigned int *order, bool *followed)
{
	struct ga_zone *z = r->z;

	*followed = false;
	for (int o = (int)z->pageblock_order - 1; o >= (int)r->order; o--) {
		uint32_t idx = spb_area_first(s, (unsigned int)o, r->mt);

		for (int n = 0; idx != GA_NIL && n < PCPB_ADOPT_WALK; n++) {
			ga_pfn_t pfn = idx_to_pfn(z, idx), head;
			const struct ga_pageblock *pb = pfn_to_block(z, pfn);
			unsigned int owner = READ_ONCE(pb->cpu);

			if (pb_test_flag(pb, PB_EVACUATING)) {
				idx = z->pages[idx].lru.next;
				continue;
			}
			if (owner && owner != r->cpu + 1) {
				if (follow_pick(r, pfn, (unsigned int)o, owner, &head, order)) {
					*followed = true;
					return (long)head;
				}
				idx = z->pages[idx].lru.next;
				continue;
			}
			*order = (unsigned int)o;
			return (long)pfn;
		}
	}
	return -1;
}

static long adopt_in_spb(struct refill *r, struct ga_spb *s)
{
	struct ga_zone *z = r->z;
	unsigned int o;
	bool followed;
	long pfn = adopt_pick(r, s, &o, &followed);

	if (pfn < 0)
		return -1;
	if (followed) {
		ga_pfn_t block = block_start(z, (ga_pfn_t)pfn);
		struct ga_pcp *owner = &z->pcp[pfn_to_block(z, block)->cpu - 1];

		follow_block(z, block);
		ga_unlock(&owner->lock);
		GA_BUG_ON(page_state(pfn_to_page(z, (ga_pfn_t)pfn)) != GA_PAGE_BUDDY ||
			  page_order(pfn_to_page(z, (ga_pfn_t)pfn)) != o);
	}
	block_own(z, (ga_pfn_t)pfn, r->cpu);
	own_free_block(r, (ga_pfn_t)pfn, o, r->mt);
	/* Phase 0 collects the rest of the block later. */
	owned_add(z, r->pcp, block_index(z, (ga_pfn_t)pfn));
	zone_stat_add_locked(z, GA_STAT_PCPB_ADOPT, 1);
	return pfn;
}

static bool adopt_allowed(const struct refill *r)
{
	return r->mt != GA_MT_MOVABLE && r->z->policy.pcp_buddy_adopt &&
	       r->z->policy.spb_free_lists;
}

static void adopt_partial(struct refill *r)
{
	struct ga_zone *z = r->z;
	unsigned long i;

	for_each_spb_of_category(z, SPB_TAINTED, i) {
		if (r->fit >= r->want)
			break;
		adopt_in_spb(r, &z->spbs[i]);
	}
}

/*
 * Phase 2's choice: of the type's own chunks below a pageblock, the largest
 * no larger than what is still wanted, else the smallest larger one.
 * Returns the head's index, or GA_NIL.
 */
static uint32_t chunk_pick(const struct refill *r, unsigned int *order)
{
	const struct ga_zone *z = r->z;
	int below = (int)z->pageblock_order - 1;
	int top = ga_min(below, 63 - __builtin_clzl(r->want - r->fit));
	uint32_t idx;

	for (int o = top; o >= (int)r->order; o--)
		if ((idx = free_area_first(z, (unsigned int)o, r->mt)) != GA_NIL) {
			*order = (unsigned int)o;
			return idx;
		}
	for (int o = top + 1; o <= below; o++)
		if ((idx = free_area_first(z, (unsigned int)o, r->mt)) != GA_NIL) {
			*order = (unsigned int)o;
			return idx;
		}
	return GA_NIL;
}

/* Take one free chunk of the type off the zone's lists, whole. */
static bool grab_chunk(struct refill *r, ga_pfn_t *chunk)
{
	struct ga_zone *z = r->z;
	unsigned int o;
	uint32_t idx = chunk_pick(r, &o);
	ga_pfn_t pfn;

	if (idx == GA_NIL)
		return false;
	pfn = idx_to_pfn(z, idx);
	del_from_free_list(z, pfn, o, r->mt);
	charge_block(z, pfn, o, r->mt, 1);
	/* One pcp block until it is split. */
	set_page_head(&z->pages[idx], GA_PAGE_PCP, o, (unsigned int)r->mt);
	*chunk = pfn;
	r->fit += 1ul << o;
	r->pages += 1ul << o;
	zone_stat_add_locked(z, GA_STAT_PCPB_CHUNK, 1);
	zone_stat_add_locked(z, GA_STAT_PCPB_CHUNK_PAGES, 1ul << o);
	return true;
}

/*
 * Phase 2: chunks below a pageblock from the type's own lists (no
 * stealing), chunk_pick's choice each time. Returns how many chunks[]
 * holds now; they are split after the zone lock is dropped.
 */
static unsigned int grab_chunks(struct refill *r, ga_pfn_t *chunks,
				unsigned int nr)
{
	while (r->fit < r->want && nr < PCPB_MAX_CHUNKS && grab_chunk(r, &chunks[nr]))
		nr++;
	return nr;
}

/* One block of __rmqueue for the pcp, off every list, or GA_NIL. */
static uint32_t classic_one(struct refill *r, unsigned int alloc_flags)
{
	struct ga_zone *z = r->z;
	long pfn = rmqueue_locked(z, r->order, r->mt, alloc_flags, &r->mode);
	uint32_t idx;

	if (pfn < 0)
		return GA_NIL;
	idx = pfn_to_idx(z, (ga_pfn_t)pfn);
	set_page_head(&z->pages[idx], GA_PAGE_PCP, r->order, (unsigned int)r->mt);
	charge_block(z, (ga_pfn_t)pfn, r->order, r->mt, 1);
	r->fit += 1ul << r->order;
	r->pages += 1ul << r->order;
	zone_stat_add_locked(z, GA_STAT_PCPB_RMQUEUE_PAGES, 1ul << r->order);
	return idx;
}

/* Phase 3: rmqueue_bulk's loop, for what is still missing. */
static void classic_rmqueue(struct refill *r, unsigned int alloc_flags,
			    struct ga_list *list)
{
	uint32_t idx;

	while (r->fit < r->want && (idx = classic_one(r, alloc_flags)) != GA_NIL)
		ga_list_add_tail(r->z->pages, list, idx);
}

/*
 * Split a phase 2 chunk into pieces of the requested order (pcp->lock);
 * the first piece is kept off the list if the allocation takes it.
 */
static void split_chunk(struct refill *r, ga_pfn_t pfn, struct ga_list *list,
			bool served)
{
	struct ga_zone *z = r->z;
	uint32_t idx = pfn_to_idx(z, pfn);
	uint32_t nr = 1u << page_order(&z->pages[idx]);

	for (uint32_t i = 0; i < nr; i += 1u << r->order) {
		set_page_head(&z->pages[idx + i], GA_PAGE_PCP, r->order,
			      (unsigned int)r->mt);
		if (!served || i)
			ga_list_add_tail(z->pages, list, idx + i);
	}
}

/* Where the refill found the block the allocation takes. */
enum refill_src {
	SRC_NONE,
	SRC_OWNED,	/* phase 0: an owned block's fragment */
	SRC_CLAIM,	/* phase 1: a whole pageblock, now owned */
	SRC_ADOPT,	/* RFC 21: a fragment of an adopted block */
	SRC_CHUNK,	/* phase 2: a chunk, split on the plain list */
	SRC_RMQUEUE,	/* phase 3: __rmqueue */
};

/*
 * The refill's first step, which finds the block the allocation takes: the
 * first phase that has one serves it, before anything else is taken, so
 * the decision is made on the state the caller sees and ga_alloc_peek can
 * make it too (r->peek set: nothing is taken, the choice is recorded).
 * Phase 0, if it recovers a fragment that fits, runs whole first and the
 * allocation takes what pcp_buddy_take would then find.
 * Returns the head's index (taken: on the pcp, charged, counted in fit;
 * an owned chunk still on its buddy list, a phase 2 chunk in *chunk), or
 * GA_NIL. zone->lock held.
 */
static uint32_t refill_first(struct refill *r, unsigned int alloc_flags,
			     enum refill_src *src, ga_pfn_t *chunk)
{
	struct ga_zone *z = r->z;
	struct ga_alloc_choice *c = r->peek;
	unsigned int o = r->order;
	unsigned long i;
	uint32_t idx;
	long pfn;

	*src = SRC_OWNED;
	pfn = owned_pick(r, &o);
	if (pfn >= 0)
		goto found;
	*src = SRC_CLAIM;
	o = z->pageblock_order;
	if (c) {
		z->peek = c;
		pfn = claim_pick(r, alloc_flags);
		z->peek = NULL;
	} else {
		pfn = claim_block(r, alloc_flags);
	}
	if (pfn >= 0)
		goto found;
	*src = SRC_ADOPT;
	for_each_spb_of_category(z, SPB_TAINTED, i) {
		struct ga_spb *s = &z->spbs[i];
		bool followed;

		if (!adopt_allowed(r))
			break;
		pfn = c ? adopt_pick(r, s, &o, &followed) : adopt_in_spb(r, s);
		if (pfn >= 0) {
			if (!c)
				o = page_order(pfn_to_page(z, (ga_pfn_t)pfn));
			goto found;
		}
	}
	*src = SRC_CHUNK;
	if (r->order < z->pageblock_order) {
		if (c) {
			idx = chunk_pick(r, &o);
			pfn = idx == GA_NIL ? -1 : (long)idx_to_pfn(z, idx);
		} else {
			pfn = grab_chunk(r, chunk) ? (long)*chunk : -1;
			o = pfn >= 0 ? page_order(pfn_to_page(z, (ga_pfn_t)pfn)) : 0;
		}
		if (pfn >= 0)
			goto found;
	}
	*src = SRC_RMQUEUE;
	o = r->order;
	if (c) {
		z->peek = c;
		pfn = rmqueue_locked(z, r->order, r->mt, alloc_flags, &r->mode);
		z->peek = NULL;
	} else {
		idx = classic_one(r, alloc_flags);
		pfn = idx == GA_NIL ? -1 : (long)idx_to_pfn(z, idx);
	}
	if (pfn >= 0)
		goto found;
	*src = SRC_NONE;
	return GA_NIL;
found:
	if (c) {
		c->pfn = (ga_pfn_t)pfn;
		if (*src != SRC_CLAIM && *src != SRC_RMQUEUE) {
			c->from_order = o;
			c->list_mt = r->mt;
		}
		c->pcp = true;
	}
	return pfn_to_idx(z, (ga_pfn_t)pfn);
}

/*
 * rmqueue_bulk with per-CPU pageblocks: count blocks of order wanted. The
 * block the allocation takes is found first (refill_first) and returned in
 * *served, off every list, split to order, still in pcp->count; then the
 * four phases fill the rest:
 *   0  recover owned fragments, 1  claim whole pageblocks, (21) adopt,
 *   2  sub-pageblock chunks, 3  __rmqueue.
 * A refill that finds nothing to serve takes nothing. Returns the pages put
 * on the pcp (buddy lists, list and *served). Caller holds pcp->lock.
 */
int pcp_buddy_refill(struct ga_zone *z, struct ga_pcp *pcp, unsigned int cpu,
		     unsigned int order, int mt, unsigned int alloc_flags,
		     int count, struct ga_list *list, uint32_t *served)
{
	struct refill r = { .z = z, .pcp = pcp, .cpu = cpu, .order = order,
			    .mt = mt, .want = (unsigned long)count << order,
			    .mode = RMQUEUE_NORMAL };
	ga_pfn_t chunks[PCPB_MAX_CHUNKS];
	unsigned int nr_chunks = 0;
	enum refill_src src;
	uint32_t idx;

	zone_lock(z);
	idx = refill_first(&r, alloc_flags, &src, &chunks[0]);
	if (idx == GA_NIL) {
		zone_unlock(z);
		*served = GA_NIL;
		return 0;
	}
	/* Phase 0's pick is what pcp_buddy_take finds after it. */
	GA_BUG_ON(src == SRC_OWNED &&
		  idx != pcp->buddy[mt][page_order(&z->pages[idx])].first);
	if (src == SRC_OWNED || src == SRC_CLAIM || src == SRC_ADOPT)
		buddy_serve(z, pcp, idx, order, mt);
	if (src == SRC_CHUNK)
		nr_chunks = 1;
	recover_owned(&r);
	while (r.fit < r.want && claim_block(&r, alloc_flags) >= 0)
		;
	if (r.fit < r.want && adopt_allowed(&r))
		adopt_partial(&r);
	if (order < z->pageblock_order)
		nr_chunks = grab_chunks(&r, chunks, nr_chunks);
	classic_rmqueue(&r, alloc_flags, list);
	zone_stat_add_locked(z, GA_STAT_PCP_REFILL, 1);
	zone_stat_add_locked(z, GA_STAT_PCP_REFILL_PAGES, r.pages);
	zone_unlock(z);

	/* Split outside the zone lock. */
	for (unsigned int i = 0; i < nr_chunks; i++)
		split_chunk(&r, chunks[i], list, src == SRC_CHUNK && i == 0);
	*served = idx;
	return (int)r.pages;
}

/*
 * ga_alloc_peek's pcp step with per-CPU pageblocks, without a refill: what
 * pcp_buddy_take, then the plain list, would hand out, or -1. The remote
 * list is read, not absorbed. Caller holds pcp->lock.
 */
long pcp_buddy_peek_cached(struct ga_zone *z, struct ga_pcp *pcp,
			   unsigned int order, int mt, const struct ga_list *list,
			   struct ga_alloc_choice *c)
{
	uint32_t idx = take_peek(z, pcp, order, mt);

	memset(c, 0, sizeof(*c));
	c->list_mt = mt;
	c->from_order = order;
	c->pcp = true;
	if (idx != GA_NIL)
		c->from_order = page_order(&z->pages[idx]);
	else if (!ga_list_empty(list))
		idx = list->first;
	else
		return -1;
	c->pfn = idx_to_pfn(z, idx);
	return (long)c->pfn;
}

/*
 * ... and the refill's decision (refill_first) for count blocks: the block
 * pcp_buddy_refill would serve, or -1 (it would take nothing and the
 * allocation fall through to the buddy). Caller holds pcp->lock.
 */
long pcp_buddy_peek_refill(struct ga_zone *z, struct ga_pcp *pcp,
			   unsigned int cpu, unsigned int order, int mt,
			   unsigned int alloc_flags, int count,
			   struct ga_alloc_choice *c)
{
	struct refill r = { .z = z, .pcp = pcp, .cpu = cpu, .order = order,
			    .mt = mt, .want = (unsigned long)count << order,
			    .mode = RMQUEUE_NORMAL, .peek = c };
	enum refill_src src;
	ga_pfn_t chunk;
	uint32_t idx;

	memset(c, 0, sizeof(*c));
	zone_lock(z);
	idx = refill_first(&r, alloc_flags, &src, &chunk);
	zone_unlock(z);
	return idx == GA_NIL ? -1 : (long)idx_to_pfn(z, idx);
}

/* ------------------------------------------------------------------------ */
/* Drain (free_pcppages_bulk with per-CPU pageblocks).                       */

/*
 * The buddy this list head of (order, charge) would merge with: a PCPBuddy
 * head of the same order and charge, so on the same pcp, since buddies
 * below a pageblock share its owner. GA_NIL if there is none.
 */
uint32_t pcp_buddy_mate(const struct ga_zone *z, uint32_t idx,
			unsigned int order, unsigned int charge)
{
	ga_pfn_t bpfn = idx_to_pfn(z, idx) ^ (1ul << order);
	const struct ga_page *b;
	uint32_t bidx, f;

	if (!zone_spans_pfn(z, bpfn))
		return GA_NIL;
	bidx = pfn_to_idx(z, bpfn);
	b = &z->pages[bidx];
	f = READ_ONCE(b->flags);
	return (f & PF_PCPBUDDY) && page_state(b) == GA_PAGE_PCP &&
	       page_order(b) == order && page_alloc_mt(b) == charge ? bidx : GA_NIL;
}

/* Debug builds: the first entry with a mergeable pair on any list, or GA_NIL. */
static uint32_t pcp_buddy_find_pair(const struct ga_zone *z, const struct ga_pcp *pcp)
{
	for (unsigned int o = 0; o < z->pageblock_order; o++)
		for (unsigned int c = 0; c < GA_MT_PCPTYPES; c++)
			for (uint32_t idx = pcp->buddy[c][o].first; idx != GA_NIL;
			     idx = z->pages[idx].lru.next)
				if (pcp_buddy_mate(z, idx, o, c) != GA_NIL)
					return idx;
	return GA_NIL;
}

/*
 * The bottom-up merge pass under pcp->lock: every pair of buddies on the
 * owner's lists becomes one chunk of the next order, up to a pageblock.
 *
 * Each list is walked from its head only up to buddy_old, the first entry
 * the previous pass left there: the previous pass left no pair, and an
 * entry it left changes order or charge only by leaving the list, so
 * every pair has a member linked since, in the prefix, which the walk
 * meets before the other member. The merges, their order and the lists
 * they leave are those of a walk of the whole list, in time proportional
 * to the entries linked since the last pass (a CPU holding a million
 * pages would otherwise walk them on every drain).
 */
static unsigned long merge_pass(struct ga_zone *z, struct ga_pcp *pcp)
{
	unsigned long merges = 0;

	for (unsigned int o = 0; o < z->pageblock_order; o++) {
		for (unsigned int c = 0; c < GA_MT_PCPTYPES; c++) {
			uint32_t idx = pcp->buddy[c][o].first;

			while (idx != pcp->buddy_old[c][o]) {
				uint32_t next = z->pages[idx].lru.next;
				uint32_t bidx = pcp_buddy_mate(z, idx, o, c);
				uint32_t head;

				if (bidx == GA_NIL) {
					idx = next;
					continue;
				}
				if (bidx == next)
					next = z->pages[next].lru.next;
				buddy_unlink(z, pcp, idx);
				buddy_unlink(z, pcp, bidx);
				head = idx < bidx ? idx : bidx;
				clear_page_head(&z->pages[idx ^ bidx ^ head]);
				buddy_link(z, pcp, head, o + 1, c);
				merges++;
				idx = next;
			}
		}
	}
	for (unsigned int c = 0; c < GA_MT_PCPTYPES; c++)
		for (unsigned int o = 0; o < z->pageblock_order; o++)
			pcp->buddy_old[c][o] = pcp->buddy[c][o].first;
	if (GA_DEBUG_CHECKS) {
		uint32_t unmerged = pcp_buddy_find_pair(z, pcp);

		GA_BUG_ON(unmerged != GA_NIL);
	}
	return merges;
}

/* Hand one owned chunk back to the zone (zone->lock held). */
static void spill_chunk(struct ga_zone *z, struct ga_pcp *pcp, uint32_t idx)
{
	ga_pfn_t pfn = idx_to_pfn(z, idx);
	unsigned int order = page_order(&z->pages[idx]);
	struct ga_pageblock *pb = pfn_to_block(z, pfn);
	unsigned int owner = pb->cpu;

	buddy_unlink(z, pcp, idx);
	pcp->count -= 1 << order;
	charge_block(z, pfn, order, (int)page_alloc_mt(&z->pages[idx]), -1);
	free_one_page_locked(z, pfn, order, get_pfnblock_migratetype(z, pfn), false);
	/* Fragments stay in the buddy: the owner recovers them (phase 0). */
	if (pb->cpu == owner && owner)
		owned_add(z, pcp, block_index(z, pfn));
}

/* Largest chunks first, each no larger than what is left to spill. */
static unsigned long spill_buddy(struct ga_zone *z, struct ga_pcp *pcp,
				 long count)
{
	unsigned long drained = 0;

	for (int o = (int)z->pageblock_order; o >= 0 && count > 0; o--) {
		for (unsigned int c = 0; c < GA_MT_PCPTYPES && count > 0; c++) {
			struct ga_list *list = &pcp->buddy[c][o];

			while (!ga_list_empty(list) && (1l << o) <= count) {
				spill_chunk(z, pcp, list->last);
				count -= 1l << o;
				drained += 1ul << o;
			}
		}
	}
	/* Nothing small enough: one more chunk, the smallest, so drains end. */
	for (unsigned int o = 0; o <= z->pageblock_order && count > 0; o++) {
		for (unsigned int c = 0; c < GA_MT_PCPTYPES && count > 0; c++) {
			struct ga_list *list = &pcp->buddy[c][o];

			if (!ga_list_empty(list)) {
				spill_chunk(z, pcp, list->last);
				count -= 1l << o;
				drained += 1ul << o;
			}
		}
	}
	return drained;
}

/*
 * Return count pages: the remote frees are absorbed and the owned pages
 * merged first, without the zone lock; then the plain lists are spilled
 * (their pages are nobody's to merge), then owned chunks, largest first.
 * Caller holds pcp->lock.
 */
void pcp_buddy_free_bulk(struct ga_zone *z, int count, struct ga_pcp *pcp,
			 int pindex)
{
	unsigned long merges, drained = 0;
	int plain;

	pcp_buddy_absorb(z, pcp);
	merges = merge_pass(z, pcp);
	if (merges)
		zone_stat_add(z, GA_STAT_PCPB_MERGE, merges);
	count = ga_min(pcp->count, count);
	if (count <= 0)
		return;
	plain = pcp->count - pcp->buddy_count;
	zone_lock(z);
	if (plain > 0)
		drained = spill_pcp_lists(z, ga_min(count, plain), pcp, pindex);
	if ((long)count > (long)drained)
		drained += spill_buddy(z, pcp, (long)count - (long)drained);
	zone_stat_add_locked(z, GA_STAT_PCP_DRAIN_PAGES, drained);
	zone_unlock(z);
}
