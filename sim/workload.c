// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The workload engine: records, the timing wheel, consumers and the
 * callbacks the library calls (reclaim, migrate, drop).
 *
 * Expiry uses two wheels of stacks of record indices: a fine wheel of 2^16
 * one-tick slots (65 s) and a coarse wheel of 2^12 slots of 2^16 ticks
 * (74 h). A record due beyond the fine wheel waits in the coarse one with
 * the low 16 bits of its expiry in its meta word, and moves to its fine
 * slot when the fine wheel wraps into its span. A slot's stack is kept in
 * 64-byte chunks of indices (not threaded through the records), so the
 * records of a slot that comes due are known before any is touched: they,
 * and the library's page metadata of the pages they free, are prefetched
 * several records ahead and their cache misses overlap. A record freed
 * early (dropped, freed by an action) stays in its slot marked dead and is
 * reclaimed when the slot comes due. No heap, no per-event allocation.
 *
 * Evictable records that live until reclaimed sit on their consumer's LRU,
 * a ring of record indices (oldest first) in which a record that leaves
 * early leaves a tombstone, so any record can leave it in O(1) and reclaim
 * can prefetch its next victims.
 *
 * The record table is one MAP_NORESERVE mapping sized for the worst case
 * (one record per page); freed records are reused LIFO, so only as many
 * pages are touched as records were ever live at once.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "workload.h"

#define FINE_BITS	16
#define FINE_SLOTS	(1u << FINE_BITS)
#define FINE_MASK	(FINE_SLOTS - 1)
#define COARSE_BITS	12
#define COARSE_SLOTS	(1u << COARSE_BITS)
#define WHEEL_SPAN	((uint64_t)1 << (FINE_BITS + COARSE_BITS))

/* Record 0 is "none"; the indices after it were the sentinels of linked
 * LRU lists once, and stay unused so owner tokens do not change. */
#define NO_REC		0u
#define LRU_BASE	1u
#define FIRST_REC	(LRU_BASE + SIM_MAX_CONSUMERS)

static inline unsigned int rec_order(const struct sim_rec *r)
{
	return r->meta & REC_ORDER_MASK;
}

static inline unsigned int rec_cons(const struct sim_rec *r)
{
	return (r->meta & REC_CONS_MASK) >> REC_CONS_SHIFT;
}

/*
 * Would sim_drop accept record r? Clean page cache and idle slab: a live
 * record of an evictable consumer that is neither busy, dirty nor pinned,
 * wherever it is kept (LRU, timing wheel, nowhere). sim_drop and the
 * per-region count of droppable pages both ask this, so they agree.
 */
static inline bool rec_droppable(const struct sim_workload *w,
				 const struct sim_rec *r)
{
	return (r->meta & REC_LIVE) && w->cons[rec_cons(r)].spec->evictable &&
	       !(r->meta & (REC_BUSY | REC_DIRTY | REC_PINNED));
}

/*
 * region_drop[] holds, per region, the pages of the records for which
 * rec_droppable() is true. Every change of a live record's pfn or of the
 * flags the predicate reads goes through these, with the record's state
 * before the change for drop_sub() and after it for drop_add().
 */
static inline void drop_add(struct sim_workload *w, const struct sim_rec *r)
{
	if (rec_droppable(w, r))
		w->region_drop[r->pfn >> w->region_shift] += 1u << rec_order(r);
}

static inline void drop_sub(struct sim_workload *w, const struct sim_rec *r)
{
	if (rec_droppable(w, r))
		w->region_drop[r->pfn >> w->region_shift] -= 1u << rec_order(r);
}

/* Set and clear flags of live record r, keeping region_drop exact. */
static inline void rec_flags(struct sim_workload *w, struct sim_rec *r,
			     uint32_t set, uint32_t clear)
{
	drop_sub(w, r);
	r->meta = (r->meta & ~clear) | set;
	drop_add(w, r);
}

/* ------------------------------------------------------------------------ */
/* LRU rings.                                                                */

/*
 * A consumer's LRU is a ring of record indices, oldest first. A record on
 * it keeps its position in the ring, mod 2^32, in lru_pos; a record that
 * leaves early (dropped, freed by an action) just loses REC_LRU, and the
 * ring entry left behind is skipped as a tombstone: an entry is live iff
 * its record is on this consumer's LRU at that very position. The low 32
 * bits tell positions apart: the ring holds fewer than 2^32 entries, so
 * two of its positions never agree in them. The order is the one a
 * linked list would have, but reclaim knows the next victims without
 * chasing links, and loads them ahead.
 */
static inline bool lru_live(const struct sim_workload *w, unsigned int ci,
			    uint32_t i, uint64_t pos)
{
	const struct sim_rec *r = &w->rec[i];

	return (r->meta & REC_LRU) && rec_cons(r) == ci &&
	       r->lru_pos == (uint32_t)pos;
}

static int lru_grow(struct sim_consumer *c)
{
	uint32_t cap = c->lru ? (c->lru_mask + 1) * 2 : 1024;
	uint32_t *ring = malloc((size_t)cap * sizeof(*ring));

	if (!ring || !cap)
		return -ENOMEM;
	for (uint64_t pos = c->lru_head; pos != c->lru_tail; pos++)
		ring[pos & (cap - 1)] = c->lru[pos & c->lru_mask];
	free(c->lru);
	c->lru = ring;
	c->lru_mask = cap - 1;
	return 0;
}

static int lru_add_tail(struct sim_workload *w, struct sim_consumer *c,
			uint32_t i)
{
	uint64_t pos = c->lru_tail;

	if ((!c->lru || pos - c->lru_head > c->lru_mask) && lru_grow(c))
		return -ENOMEM;
	c->lru[pos & c->lru_mask] = i;
	c->lru_tail = pos + 1;
	w->rec[i].lru_pos = (uint32_t)pos;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Records.                                                                  */

/*
 * Free records form a stack (reused LIFO, so the table stays compact). Its
 * top is kept in an array rather than threaded through the records: the
 * record the allocation after next will take is known, and loads ahead of
 * it. The array is bounded: when it fills (the 1 GiB test dropping page
 * cache, a bulk free), its older half moves onto a list threaded through
 * those free records' lru_pos, and comes back when the array runs empty,
 * in the same order. Which record each allocation takes is what one
 * unbounded stack would give; only the memory beside the records is
 * bounded (free_cap entries instead of one per record ever freed at once).
 */
#define REC_PREFETCH	4

/* The array is full: move its older half below it, onto the list. */
__attribute__((noinline, cold)) static void free_spill(struct sim_workload *w)
{
	uint32_t half = w->free_cap / 2;

	for (uint32_t k = 0; k < half; k++) {
		uint32_t i = w->free_stack[k];

		w->rec[i].lru_pos = w->free_spill;
		w->free_spill = i;
	}
	memmove(w->free_stack, w->free_stack + half,
		(w->free_top - half) * sizeof(*w->free_stack));
	w->free_top -= half;
	w->nr_spilled += half;
}

/* The array is empty: take back up to half of it from the list's top. */
__attribute__((noinline, cold)) static void free_unspill(struct sim_workload *w)
{
	uint32_t n = w->nr_spilled < w->free_cap / 2 ? w->nr_spilled : w->free_cap / 2;

	for (uint32_t k = n; k--; ) {
		uint32_t i = w->free_spill;

		w->free_spill = w->rec[i].lru_pos;
		w->free_stack[k] = i;
	}
	w->free_top = n;
	w->nr_spilled -= n;
}

static uint32_t rec_get(struct sim_workload *w)
{
	uint32_t i;

	if (__builtin_expect(!w->free_top && w->nr_spilled, 0))
		free_unspill(w);
	if (w->free_top) {
		i = w->free_stack[--w->free_top];
		if (w->free_top >= REC_PREFETCH)
			__builtin_prefetch(&w->rec[w->free_stack[w->free_top - REC_PREFETCH]], 1);
	} else {
		if (w->rec_used == w->rec_cap)
			return NO_REC;
		i = w->rec_used++;
	}
	if (++w->nr_live > w->st.max_records)
		w->st.max_records = w->nr_live;
	return i;
}

static inline void rec_put(struct sim_workload *w, uint32_t i)
{
	w->rec[i].meta = 0;
	if (__builtin_expect(w->free_top == w->free_cap, 0))
		free_spill(w);
	w->free_stack[w->free_top++] = i;
	w->nr_live--;
}

struct sim_rec *sim_workload_rec(struct sim_workload *w, uint64_t owner)
{
	if (owner < FIRST_REC || owner >= w->rec_used)
		return NULL;
	if (!(w->rec[owner].meta & REC_LIVE))
		return NULL;
	return &w->rec[owner];
}

static void set_error(struct sim_workload *w, const char *what, int err)
{
	w->st.errors++;
	if (!w->err[0])
		snprintf(w->err, sizeof(w->err), "%s failed: %s", what,
			 strerror(-err));
}

/* A callback named an owner we do not know: say exactly what it named. */
static void bad_owner(struct sim_workload *w, const char *cb, uint64_t owner,
		      ga_pfn_t pfn, unsigned int order)
{
	const struct sim_rec *r = owner < w->rec_used ? &w->rec[owner] : NULL;

	/* Refusing (-EBUSY) keeps both sides consistent, so the run goes on;
	 * the count and the first case are reported as a library anomaly. */
	w->st.anomalies++;
	if (w->anomaly[0])
		return;
	if (r)
		snprintf(w->anomaly, sizeof(w->anomaly), "%s callback for owner %llu pfn %llu "
			 "order %u, but that record holds pfn %u order %u (%s)", cb,
			 (unsigned long long)owner, (unsigned long long)pfn, order,
			 r->pfn, rec_order(r), r->meta & REC_LIVE ? "live" : "free");
	else
		snprintf(w->anomaly, sizeof(w->anomaly), "%s callback for unknown owner %llu "
			 "(pfn %llu order %u)", cb, (unsigned long long)owner,
			 (unsigned long long)pfn, order);
}

/* ------------------------------------------------------------------------ */
/* Timing wheel.                                                             */

#define CHUNK_NONE	0u

static inline uint32_t *chunk_at(struct sim_workload *w, uint32_t c)
{
	return &w->chunk[(size_t)c * SIM_CHUNK_WORDS];
}

/* Chunks are reused LIFO, so the one taken is likely still cached. */
static uint32_t chunk_get(struct sim_workload *w)
{
	uint32_t c = w->chunk_free;

	if (c != CHUNK_NONE) {
		w->chunk_free = chunk_at(w, c)[0];
		return c;
	}
	/* Cannot run out: the pool holds a chunk per slot plus every record. */
	return w->chunk_used++;
}

static inline void chunk_put(struct sim_workload *w, uint32_t c)
{
	chunk_at(w, c)[0] = w->chunk_free;
	w->chunk_free = c;
}

static inline void slot_push(struct sim_workload *w, struct sim_slot *s,
			     uint32_t i)
{
	if (s->chunk == CHUNK_NONE || s->n == SIM_CHUNK_RECS) {
		uint32_t c = chunk_get(w);

		chunk_at(w, c)[0] = s->chunk;
		s->chunk = c;
		s->n = 0;
	}
	chunk_at(w, s->chunk)[1 + s->n++] = i;
}

/*
 * Empty slot s into w->due, last pushed first (a stack, the order the
 * records were always expired in), and return how many there are.
 */
static uint32_t slot_take(struct sim_workload *w, struct sim_slot *s)
{
	uint32_t c = s->chunk, n = s->n, k = 0;

	s->chunk = CHUNK_NONE;
	s->n = 0;
	while (c != CHUNK_NONE) {
		uint32_t *ch = chunk_at(w, c), next = ch[0];

		if (next != CHUNK_NONE)
			__builtin_prefetch(chunk_at(w, next));
		while (n)
			w->due[k++] = ch[n--];
		chunk_put(w, c);
		c = next;
		n = SIM_CHUNK_RECS;
	}
	return k;
}

/* How far ahead of the record being freed its successors are prefetched:
 * records at twice the distance, their pages at the distance. */
#define PREFETCH_AHEAD	8

/* The zone holding pfn: the zone itself, or a node's (NULL if none). */
static inline struct ga_zone *zone_at(struct sim_workload *w, ga_pfn_t pfn)
{
	return w->node ? ga_node_zone_of(w->node, pfn) : w->zone;
}

static inline void prefetch_page_of(struct sim_workload *w, uint32_t i)
{
	const struct sim_rec *r = &w->rec[i];
	struct ga_zone *z;

	if ((r->meta & REC_LIVE) && (z = zone_at(w, r->pfn)))
		ga_prefetch(z, r->pfn);
}


/* Before freeing w->due[0..n): start the pipeline's first loads together. */
static void prefetch_due_start(struct sim_workload *w, uint32_t n)
{
	for (uint32_t k = 0; k < n && k < 2 * PREFETCH_AHEAD; k++)
		__builtin_prefetch(&w->rec[w->due[k]], 1);
	for (uint32_t k = 0; k < n && k < PREFETCH_AHEAD; k++)
		prefetch_page_of(w, w->due[k]);
}

/* While freeing w->due[k]: keep the pipeline full. */
static inline void prefetch_due(struct sim_workload *w, uint32_t k, uint32_t n)
{
	if (k + 2 * PREFETCH_AHEAD < n)
		__builtin_prefetch(&w->rec[w->due[k + 2 * PREFETCH_AHEAD]], 1);
	if (k + PREFETCH_AHEAD < n)
		prefetch_page_of(w, w->due[k + PREFETCH_AHEAD]);
}

/*
 * Pushes into a slot are queued for SIM_PEND_INSERTS insertions: the slot
 * (a random one of 2^16) is prefetched when the record is queued, the
 * place in its chunk halfway, and the push lands on cached lines. Queued
 * pushes happen in order and all before the tick ends, so every slot holds
 * exactly what it would have held; only the wheel's own reads (cascade,
 * expiry, at the next tick) look at slots.
 */
static void wheel_push_oldest(struct sim_workload *w)
{
	const struct sim_pending *p = &w->pend[w->pend_head];

	slot_push(w, p->slot, p->rec);
	w->pend_head = (w->pend_head + 1) & (SIM_PEND_INSERTS - 1);
	w->pend_n--;
}

static void wheel_flush(struct sim_workload *w)
{
	while (w->pend_n)
		wheel_push_oldest(w);
}

static void wheel_queue(struct sim_workload *w, struct sim_slot *s, uint32_t i)
{
	struct sim_pending *p;

	__builtin_prefetch(s, 1);
	if (w->pend_n == SIM_PEND_INSERTS)
		wheel_push_oldest(w);
	p = &w->pend[(w->pend_head + w->pend_n++) & (SIM_PEND_INSERTS - 1)];
	p->slot = s;
	p->rec = i;
	if (w->pend_n > SIM_PEND_INSERTS / 2) {
		const struct sim_slot *h = w->pend[(w->pend_head + w->pend_n - 1 -
						    SIM_PEND_INSERTS / 2) &
						   (SIM_PEND_INSERTS - 1)].slot;

		if (h->chunk != CHUNK_NONE && h->n < SIM_CHUNK_RECS)
			__builtin_prefetch(&chunk_at(w, h->chunk)[1 + h->n], 1);
	}
}

static void wheel_insert(struct sim_workload *w, uint32_t i, uint64_t expiry)
{
	uint64_t delta = expiry - w->now;

	w->rec[i].meta |= REC_WHEEL;
	if (delta < FINE_SLOTS) {
		wheel_queue(w, &w->fine[expiry & FINE_MASK], i);
		return;
	}
	w->rec[i].meta |= (uint32_t)(expiry & FINE_MASK) << REC_EXP_SHIFT;
	wheel_queue(w, &w->coarse[(expiry >> FINE_BITS) & (COARSE_SLOTS - 1)], i);
}

/* The fine wheel wrapped: move the coarse slot now due into it. */
static void wheel_cascade(struct sim_workload *w)
{
	uint32_t n = slot_take(w, &w->coarse[(w->now >> FINE_BITS) & (COARSE_SLOTS - 1)]);

	for (uint32_t k = 0; k < n && k < 2 * PREFETCH_AHEAD; k++)
		__builtin_prefetch(&w->rec[w->due[k]], 1);
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = w->due[k];
		struct sim_rec *r = &w->rec[i];
		uint32_t slot = r->meta >> REC_EXP_SHIFT;

		if (k + 2 * PREFETCH_AHEAD < n)
			__builtin_prefetch(&w->rec[w->due[k + 2 * PREFETCH_AHEAD]], 1);
		r->meta &= (1u << REC_EXP_SHIFT) - 1;
		if (r->meta & REC_LIVE) {
			slot_push(w, &w->fine[slot], i);
		} else {
			w->nr_dead--;
			rec_put(w, i);	/* freed early: its slot is done */
		}
	}
}

/* Where a new record goes: wheel, LRU, or nowhere (lives to the end). */
static void place_record(struct sim_workload *w, struct sim_consumer *c,
			 uint32_t i, uint64_t life)
{
	struct sim_rec *r = &w->rec[i];

	if (life < WHEEL_SPAN - FINE_SLOTS) {
		wheel_insert(w, i, w->now + (life ? life : 1));
		return;
	}
	/* Busy and pinned pages are in use: reclaim could not free them. */
	if (c->spec->evictable && !(r->meta & (REC_BUSY | REC_PINNED))) {
		if (lru_add_tail(w, c, i)) {
			set_error(w, "LRU ring", -ENOMEM);
			return;
		}
		r->meta |= REC_LRU;
		c->lru_pages += 1ul << rec_order(r);
		w->region_lru[r->pfn >> w->region_shift] += 1u << rec_order(r);
	}
}

/* ------------------------------------------------------------------------ */
/* Allocation and free.                                                      */

static uint64_t sample_life(struct sim_workload *w, const struct sim_lifetime *l)
{
	const struct sim_life_part *p = &l->part[0];
	double u, s;

	if (l->nr > 1) {
		u = sim_rand_unit(&w->rng);
		for (unsigned int k = 0; k < l->nr; k++) {
			p = &l->part[k];
			if (u <= p->weight)
				break;
			u -= p->weight;
		}
	}
	switch (p->kind) {
	case SIM_LIFE_FIXED:
		s = p->a;
		break;
	case SIM_LIFE_EXP:
		s = -p->a * log(sim_rand_unit(&w->rng));
		break;
	case SIM_LIFE_UNIFORM:
		s = p->a + (p->b - p->a) * (sim_rand_unit(&w->rng) - 0x1p-53);
		break;
	default:
		return SIM_TICK_INF;
	}
	s = s * SIM_TICKS_PER_SEC + 0.5;
	return s >= (double)(WHEEL_SPAN) ? SIM_TICK_INF : (uint64_t)s;
}

static unsigned int pick_order(struct sim_workload *w, const struct sim_consumer *c)
{
	uint32_t u = (uint32_t)(sim_rand(&w->rng) >> 32);
	unsigned int o = 0;

	while (o < SIM_MAX_ORDER && u >= c->order_thr[o])
		o++;
	return o;
}

static inline unsigned int pick_cpu(struct sim_workload *w)
{
	return w->nr_cpus > 1 ? sim_rand_below(&w->rng, w->nr_cpus) : 0;
}

/* Long-term pin a fresh allocation; its lifetime is the pin's. */
static uint64_t maybe_pin(struct sim_workload *w, struct sim_consumer *c,
			  uint32_t i, uint64_t life)
{
	ga_pfn_t pinned;
	int err;

	if (c->spec->pin <= 0 || !sim_rand_chance(&w->rng, c->spec->pin))
		return life;
	/* GUP FOLL_LONGTERM; a move reaches the record through sim_migrate. */
	err = ga_pin_longterm(zone_at(w, w->rec[i].pfn), 0, w->rec[i].pfn, &pinned);
	if (!err && pinned != w->rec[i].pfn)
		err = -EFAULT;	/* the library moved it without telling us */
	if (err) {
		set_error(w, "ga_pin_longterm", err);
		return life;
	}
	rec_flags(w, &w->rec[i], REC_PINNED, 0);
	c->st.pins++;
	return sample_life(w, &c->spec->pin_life);
}

static int wl_alloc(struct sim_workload *w, unsigned int order, unsigned int gfp,
		    uint64_t owner, ga_pfn_t *pfn)
{
	if (w->node)
		return ga_node_alloc(w->node, pick_cpu(w), order, gfp, owner, pfn, NULL);
	return ga_alloc(w->zone, pick_cpu(w), order, gfp, owner, pfn);
}

/* One allocation for consumer ci. Returns pages obtained, 0 on failure. */
static unsigned long alloc_one(struct sim_workload *w, unsigned int ci)
{
	struct sim_consumer *c = &w->cons[ci];
	unsigned int order, gfp = c->gfp;
	bool thp = c->thp_prob > 0 && sim_rand_chance(&w->rng, c->thp_prob);
	uint32_t i = rec_get(w);
	ga_pfn_t pfn;
	uint64_t life;
	int err;

	if (i == NO_REC) {	/* live and early-freed records fill the table */
		set_error(w, "record table", -ENOSPC);
		return 0;
	}
	order = thp ? SIM_THP_ORDER : pick_order(w, c);
	if (thp)
		gfp = GA_GFP_TRANSHUGE_LIGHT;
	w->st.events++;
	err = wl_alloc(w, order, gfp, i, &pfn);
	c->st.thp_tries += thp;
	if (err && thp) {	/* the fault falls back to a small page */
		order = pick_order(w, c);
		gfp = c->gfp;
		w->st.events++;
		err = wl_alloc(w, order, gfp, i, &pfn);
		thp = false;
	}
	if (err) {
		rec_put(w, i);
		c->st.fails++;
		if (err != -ENOMEM)
			set_error(w, "ga_alloc", err);
		return 0;
	}
	c->st.thp_ok += thp;
	w->rec[i].pfn = (uint32_t)pfn;
	w->rec[i].meta = order | (ci << REC_CONS_SHIFT) | REC_LIVE;
	if (c->spec->busy > 0 && sim_rand_chance(&w->rng, c->spec->busy))
		w->rec[i].meta |= REC_BUSY;
	else if (c->spec->dirty > 0 && sim_rand_chance(&w->rng, c->spec->dirty))
		w->rec[i].meta |= REC_DIRTY;
	/* Counted from now on: a pin may migrate the record (sim_migrate)
	 * before it is placed, and a pin makes it undroppable. */
	drop_add(w, &w->rec[i]);
	life = maybe_pin(w, c, i, sample_life(w, &c->spec->life));
	place_record(w, c, i, life);
	c->resident += 1ul << order;
	c->st.allocs++;
	c->st.alloc_pages += 1ul << order;
	w->st.alloc_pages += 1ul << order;
	return 1ul << order;
}

/*
 * Forget record i whose pages the library already freed (or is freeing).
 * A record in a wheel slot stays there, dead, until the slot comes due.
 */
static void forget_rec(struct sim_workload *w, uint32_t i)
{
	struct sim_rec *r = &w->rec[i];
	struct sim_consumer *c = &w->cons[rec_cons(r)];
	unsigned long pages = 1ul << rec_order(r);

	c->resident -= pages;
	w->st.free_pages += pages;
	drop_sub(w, r);
	if (r->meta & REC_WHEEL) {
		r->meta &= ~REC_LIVE;
		w->nr_dead++;
		return;
	}
	if (r->meta & REC_LRU) {
		c->lru_pages -= pages;
		w->region_lru[r->pfn >> w->region_shift] -= (uint32_t)pages;
		/* Its ring entry becomes a tombstone (rec_put clears REC_LRU). */
	}
	rec_put(w, i);
}

/* Free record i through the library on cpu. */
static unsigned long free_rec(struct sim_workload *w, uint32_t i,
			      unsigned int cpu)
{
	struct sim_rec *r = &w->rec[i];
	unsigned long pages = 1ul << rec_order(r);
	int err;

	if (r->meta & REC_PINNED) {
		err = ga_unpin(zone_at(w, r->pfn), r->pfn);
		if (err)
			set_error(w, "ga_unpin", err);
	}
	w->st.events++;
	err = w->node ? ga_node_free(w->node, cpu, r->pfn, rec_order(r)) :
			ga_free(w->zone, cpu, r->pfn, rec_order(r));
	if (err)
		set_error(w, "ga_free", err);
	forget_rec(w, i);
	return pages;
}

/* ------------------------------------------------------------------------ */
/* Library callbacks.                                                        */

/*
 * Evict up to `want` pages from consumer ci's LRU, oldest first, looking
 * at no more than 8 * want + 1024 pages, and at each at most once. The records of the next victims, and
 * their pages' metadata, load ahead. A dirty record is dirty again with
 * the consumer's dirty share each time reclaim reaches it and then goes
 * back to the tail, as the kernel rotates pages under writeback and
 * referenced ones; otherwise it is evicted. So the dirty share stays what
 * the profile says instead of growing with every pass. (Busy and pinned
 * records, in use for good, are not on the LRU at all.)
 */
static unsigned long evict_lru(struct sim_workload *w, unsigned int ci,
			       unsigned long want, unsigned int cpu)
{
	struct sim_consumer *c = &w->cons[ci];
	unsigned long got = 0, scanned = 0, pages;
	/* Like one reclaim priority step: a bounded scan, not the whole LRU. */
	unsigned long limit = c->lru_pages < 8 * want + 1024 ? c->lru_pages : 8 * want + 1024;

	while (got < want && scanned < limit && c->lru_head != c->lru_tail) {
		uint64_t pos = c->lru_head++, left = c->lru_tail - pos;
		uint32_t i = c->lru[pos & c->lru_mask];

		if (left > 2 * PREFETCH_AHEAD)
			__builtin_prefetch(&w->rec[c->lru[(pos + 2 * PREFETCH_AHEAD) &
							  c->lru_mask]], 1);
		if (left > PREFETCH_AHEAD)
			prefetch_page_of(w, c->lru[(pos + PREFETCH_AHEAD) & c->lru_mask]);
		if (!lru_live(w, ci, i, pos))
			continue;	/* left the LRU early */
		pages = 1ul << rec_order(&w->rec[i]);
		scanned += pages;
		if (w->rec[i].meta & REC_DIRTY) {
			if (sim_rand_chance(&w->rng, c->spec->dirty)) {
				if (lru_add_tail(w, c, i))
					set_error(w, "LRU ring", -ENOMEM);
				c->st.rotated_pages += pages;
				continue;
			}
			/* Clean now, so droppable until free_rec forgets it. */
			rec_flags(w, &w->rec[i], 0, REC_DIRTY);
		}
		got += free_rec(w, i, cpu);
		c->st.evicted_pages += pages;
	}
	return got;
}

/*
 * Evict about `want` pages from the evictable consumers whose gfp has all
 * of `gfp` (0: every one), from each in proportion to its LRU size,
 * rounding up so a small cache still gives something.
 */
static unsigned long evict_share(struct sim_workload *w, unsigned long want,
				 unsigned int gfp, unsigned int cpu)
{
	uint64_t total = 0;
	unsigned long got = 0;

	for (unsigned int ci = 0; ci < w->prof->nr_consumers; ci++)
		if ((w->cons[ci].gfp & gfp) == gfp)
			total += w->cons[ci].lru_pages;
	for (unsigned int ci = 0; ci < w->prof->nr_consumers && total; ci++) {
		uint64_t lru = w->cons[ci].lru_pages;
		unsigned long share;

		if (!lru || (w->cons[ci].gfp & gfp) != gfp)
			continue;
		share = (unsigned long)((want * lru + total - 1) / total);
		got += evict_lru(w, ci, share, cpu);
	}
	return got;
}

/*
 * kswapd and direct reclaim: take from every evictable consumer (as the
 * kernel balances file LRU against slab shrinkers).
 */
static unsigned long sim_reclaim(void *ctx, struct ga_zone *zone,
				 const struct ga_reclaim_request *req)
{
	struct sim_workload *w = ctx;
	unsigned long got;

	(void)zone;
	w->st.reclaim_calls++;
	got = evict_share(w, req->nr_to_reclaim, 0, req->cpu);
	w->st.reclaimed_pages += got;
	return got;
}

/*
 * The slab shrinkers (dentry, inode, extent buffer caches) asked by SPB
 * pressure (RFC 28): idle reclaimable objects go, oldest first, like
 * prune_dcache_sb walking its LRU; busy ones are not on the LRU at all.
 */
static unsigned long sim_shrink(void *ctx, struct ga_zone *zone,
				const struct ga_shrink_request *req)
{
	struct sim_workload *w = ctx;
	unsigned long got;

	(void)zone;
	w->st.shrink_calls++;
	got = evict_share(w, req->nr_to_free, GA_GFP_RECLAIMABLE, req->cpu);
	w->st.shrunk_pages += got;
	return got;
}

/* The owner's record, if it holds exactly [pfn, 2^order) right now. */
static struct sim_rec *owned_rec(struct sim_workload *w, uint64_t owner,
				 ga_pfn_t pfn, unsigned int order)
{
	struct sim_rec *r = sim_workload_rec(w, owner);

	if (!r || r->pfn != pfn || rec_order(r) != order)
		return NULL;
	return r;
}

/* Migration moved the allocation: our only reference is the record. */
static int sim_migrate(void *ctx, struct ga_zone *zone, uint64_t owner,
		       ga_pfn_t old_pfn, ga_pfn_t new_pfn, unsigned int order)
{
	struct sim_workload *w = ctx;
	struct sim_rec *r = owned_rec(w, owner, old_pfn, order);

	(void)zone;
	w->st.migrate_calls++;
	if (!r) {	/* single-threaded: every owner we gave is exact */
		bad_owner(w, "migrate", owner, old_pfn, order);
		return -EBUSY;
	}
	if (r->meta & REC_LRU) {
		w->region_lru[old_pfn >> w->region_shift] -= 1u << order;
		w->region_lru[new_pfn >> w->region_shift] += 1u << order;
	}
	drop_sub(w, r);
	r->pfn = (uint32_t)new_pfn;
	drop_add(w, r);
	w->st.migrated_pages += 1ul << order;
	w->cons[rec_cons(r)].st.migrated_pages += 1ul << order;
	return 0;
}

/* Clean page cache and idle slab drop; busy ones and the rest stay. */
static int sim_drop(void *ctx, struct ga_zone *zone, uint64_t owner,
		    ga_pfn_t pfn, unsigned int order)
{
	struct sim_workload *w = ctx;
	struct sim_rec *r = owned_rec(w, owner, pfn, order);
	struct sim_consumer *c;

	(void)zone;
	w->st.drop_calls++;
	if (!r) {
		bad_owner(w, "drop", owner, pfn, order);
		return -EBUSY;
	}
	if (!rec_droppable(w, r)) {
		w->st.drop_refused++;
		return -EBUSY;
	}
	c = &w->cons[rec_cons(r)];
	c->st.dropped_pages += 1ul << order;
	w->st.dropped_pages += 1ul << order;
	forget_rec(w, (uint32_t)owner);
	return 0;
}

static const struct ga_ops sim_ops = {
	.reclaim = sim_reclaim,
	.migrate = sim_migrate,
	.drop = sim_drop,
	.shrink = sim_shrink,
};

const struct ga_ops *sim_workload_ops(void)
{
	return &sim_ops;
}

/* ------------------------------------------------------------------------ */
/* Consumers.                                                                */

static uint64_t to_ticks(double s)
{
	return (uint64_t)(s * SIM_TICKS_PER_SEC + 0.5);
}

/*
 * The THP share is of pages; per allocation that is the q with
 * 512q / (512q + (1-q)m) = share, m the mean small allocation size.
 */
static double thp_alloc_prob(double share, double mean_pages)
{
	if (share <= 0)
		return 0;
	return share * mean_pages /
	       ((1 << SIM_THP_ORDER) * (1 - share) + share * mean_pages);
}

static void consumer_init(struct sim_workload *w, unsigned int ci)
{
	const struct sim_consumer_spec *s = &w->prof->consumers[ci];
	struct sim_consumer *c = &w->cons[ci];
	double sum = 0, acc = 0, mean = 0;

	memset(c, 0, sizeof(*c));
	c->spec = s;
	c->gfp = s->gfp;
	for (unsigned int o = 0; o <= SIM_MAX_ORDER; o++)
		sum += s->order_weight[o];
	for (unsigned int o = 0; o <= SIM_MAX_ORDER; o++) {
		acc += s->order_weight[o];
		mean += s->order_weight[o] / sum * (double)(1u << o);
		c->order_thr[o] = acc >= sum ? UINT32_MAX :
				  (uint32_t)(acc / sum * 4294967296.0);
	}
	c->thp_prob = thp_alloc_prob(s->thp, mean);
	c->start_tick = to_ticks(s->start);
	c->stop_tick = to_ticks(s->stop);
	c->per_tick = s->fill * (double)w->managed / SIM_TICKS_PER_SEC;
}

/* Target pages now: the size share, ramped linearly over the active window. */
static uint64_t consumer_target(const struct sim_workload *w,
				const struct sim_consumer *c)
{
	const struct sim_consumer_spec *s = c->spec;
	uint64_t end = c->stop_tick ? c->stop_tick : w->end_tick;
	double share = s->size_start;

	if (s->size_end != s->size_start && end > c->start_tick) {
		double f = (double)(w->now - c->start_tick) /
			   (double)(end - c->start_tick);

		share += (s->size_end - s->size_start) * (f < 1 ? f : 1);
	}
	return (uint64_t)(share * (double)w->managed);
}

static void consumer_tick(struct sim_workload *w, unsigned int ci)
{
	struct sim_consumer *c = &w->cons[ci];
	uint64_t target;

	if (w->now < c->start_tick || (c->stop_tick && w->now >= c->stop_tick))
		return;
	target = consumer_target(w, c);
	if (c->resident >= target) {
		c->budget = 0;	/* a capped consumer does not save up */
		return;
	}
	if (c->per_tick > 0) {
		/* Failed ticks must not bank a burst: cap the savings. */
		c->budget += c->per_tick;
		if (c->budget > c->per_tick * 100 + (1 << SIM_THP_ORDER))
			c->budget = c->per_tick * 100 + (1 << SIM_THP_ORDER);
		if (c->budget <= 0)
			return;
	}
	while (c->resident < target) {
		uint64_t before = c->resident;
		unsigned long got = alloc_one(w, ci);

		if (!got)
			break;	/* out of memory: try again next tick */
		if (c->per_tick > 0) {
			if ((c->budget -= (double)got) <= 0)
				break;
		} else if (c->resident <= before) {
			/*
			 * Uncapped, and memory is full: the reclaim this
			 * allocation entered evicted at least as much of the
			 * consumer's own pages. It cannot grow this tick, and
			 * going on would evict and refill itself until reclaim
			 * happened to fail (minutes for one simulated second).
			 */
			break;
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Actions.                                                                  */

static void run_action(struct sim_workload *w, const struct sim_action *a)
{
	for (uint32_t i = FIRST_REC; i < w->rec_used; i++) {
		struct sim_rec *r = &w->rec[i];
		bool go;

		if (!(r->meta & REC_LIVE) || rec_cons(r) != a->consumer)
			continue;
		if (a->kind == SIM_ACT_FREE_PATTERN)
			go = (r->pfn >> rec_order(r)) % a->of >= a->keep;
		else
			go = sim_rand_chance(&w->rng, a->share);
		if (go) {
			free_rec(w, i, pick_cpu(w));
			w->cons[a->consumer].st.frees++;
		}
	}
}

/* ------------------------------------------------------------------------ */
/* The tick.                                                                 */

/* Free what is due now. The slot is emptied first; records and the
 * library's metadata of their pages load ahead of the frees. */
static void expire(struct sim_workload *w)
{
	uint32_t n = slot_take(w, &w->fine[w->now & FINE_MASK]);

	prefetch_due_start(w, n);
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = w->due[k];
		struct sim_rec *r = &w->rec[i];

		prefetch_due(w, k, n);
		r->meta &= ~REC_WHEEL;
		if (r->meta & REC_LIVE) {
			w->cons[rec_cons(r)].st.frees++;
			free_rec(w, i, pick_cpu(w));
		} else {
			w->nr_dead--;
			rec_put(w, i);
		}
	}
}

void sim_workload_tick(struct sim_workload *w)
{
	unsigned int n = w->prof->nr_consumers;

	w->now++;
	if (!(w->now & FINE_MASK))
		wheel_cascade(w);
	expire(w);
	if (!(w->now % SIM_TICKS_PER_SEC)) {
		if (w->node)
			ga_node_vmstat_tick(w->node);
		else
			ga_vmstat_tick(w->zone);
	}
	while (w->next_action < w->prof->nr_actions &&
	       to_ticks(w->prof->actions[w->next_action].at) <= w->now)
		run_action(w, &w->prof->actions[w->next_action++]);
	/* Rotate who goes first so no consumer always meets memory first. */
	for (unsigned int k = 0; k < n; k++)
		consumer_tick(w, (unsigned int)((w->now + k) % n));
	wheel_flush(w);
}

double sim_workload_turnovers(const struct sim_workload *w)
{
	return (double)w->st.alloc_pages / (double)w->managed;
}

void sim_workload_free_all(struct sim_workload *w)
{
	for (uint32_t i = FIRST_REC; i < w->rec_used; i++)
		if (w->rec[i].meta & REC_LIVE)
			free_rec(w, i, 0);
}

/* ------------------------------------------------------------------------ */
/* Setup.                                                                    */

static int sort_actions_check(const struct sim_profile *p)
{
	for (unsigned int i = 1; i < p->nr_actions; i++)
		if (p->actions[i].at < p->actions[i - 1].at)
			return -EINVAL;
	return 0;
}

/* Touched as used: only what was ever needed at once becomes resident. */
static void *map_noreserve(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	/* Records are touched at random: 2 MiB TLB entries save page walks. */
	madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

int sim_workload_init(struct sim_workload *w, struct ga_zone *zone,
		      const struct sim_profile *prof, uint64_t seed,
		      uint64_t end_tick)
{
	return sim_workload_init_node(w, NULL, zone, prof, seed, end_tick);
}

int sim_workload_init_node(struct sim_workload *w, struct ga_node *node,
			   struct ga_zone *zone, const struct sim_profile *prof,
			   uint64_t seed, uint64_t end_tick)
{
	struct ga_zone_info info;
	uint64_t cap;

	memset(w, 0, sizeof(*w));
	if (sort_actions_check(prof))
		return -EINVAL;
	ga_zone_info(zone, &info);
	w->zone = zone;
	w->node = node;
	w->prof = prof;
	w->nr_cpus = info.nr_cpus;
	w->managed = info.managed_pages;
	/* A node: its pages and its highest pfn, over every zone. */
	for (int t = 0; node && t < GA_NR_ZONE_TYPES; t++) {
		struct ga_zone_info zi;

		if (!ga_node_zone(node, t) || ga_node_zone(node, t) == zone)
			continue;
		ga_zone_info(ga_node_zone(node, t), &zi);
		w->managed += zi.managed_pages;
		if (zi.end_pfn > info.end_pfn)
			info.end_pfn = zi.end_pfn;
	}
	w->end_tick = end_tick;
	sim_rng_seed(&w->rng, seed, 1);
	/*
	 * A live record holds at least one page, but a record freed before
	 * its lifetime ends stays on the timing wheel until its slot comes
	 * round, so live plus early-freed records can exceed the zone's
	 * pages (a consumer freed in bulk and refilled). Reserve room for
	 * four per page: the tables are mapped without reserve, so only the
	 * records used cost memory.
	 */
	cap = (uint64_t)FIRST_REC + 4 * (uint64_t)info.managed_pages;
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	if (info.end_pfn > UINT32_MAX)
		return -E2BIG;
	w->rec_cap = (uint32_t)cap;
	w->fine = calloc(FINE_SLOTS, sizeof(*w->fine));
	w->coarse = calloc(COARSE_SLOTS, sizeof(*w->coarse));
	w->region_shift = info.spb_order;
	w->nr_regions = (unsigned long)((info.end_pfn >> info.spb_order) + 1);
	w->region_lru = calloc(w->nr_regions, sizeof(*w->region_lru));
	w->region_drop = calloc(w->nr_regions, sizeof(*w->region_drop));
	if (!w->fine || !w->coarse || !w->region_lru || !w->region_drop)
		return -ENOMEM;
	/* Every record is in at most one slot; each slot has at most one
	 * chunk that is not full, and chunk 0 means none. */
	w->chunk_cap = (uint32_t)(cap / SIM_CHUNK_RECS + FINE_SLOTS + COARSE_SLOTS + 2);
	w->chunk_used = 1;
	w->chunk_free = CHUNK_NONE;
	w->rec_bytes = cap * sizeof(struct sim_rec);
	w->chunk_bytes = (size_t)w->chunk_cap * SIM_CHUNK_WORDS * sizeof(uint32_t);
	w->due_bytes = cap * sizeof(uint32_t);
	w->rec = map_noreserve(w->rec_bytes);
	w->chunk = map_noreserve(w->chunk_bytes);
	w->due = map_noreserve(w->due_bytes);
	w->free_cap = SIM_FREE_STACK;
	w->free_stack = malloc(w->free_cap * sizeof(*w->free_stack));
	if (!w->rec || !w->chunk || !w->due || !w->free_stack)
		return -ENOMEM;
	w->rec_used = FIRST_REC;
	w->free_top = 0;
	for (unsigned int ci = 0; ci < prof->nr_consumers; ci++)
		consumer_init(w, ci);
	return 0;
}

void sim_workload_destroy(struct sim_workload *w)
{
	for (unsigned int ci = 0; ci < SIM_MAX_CONSUMERS; ci++) {
		free(w->cons[ci].lru);
		w->cons[ci].lru = NULL;
	}
	free(w->fine);
	free(w->coarse);
	free(w->region_lru);
	free(w->region_drop);
	w->fine = w->coarse = NULL;
	w->region_lru = w->region_drop = NULL;
	if (w->rec)
		munmap(w->rec, w->rec_bytes);
	if (w->chunk)
		munmap(w->chunk, w->chunk_bytes);
	if (w->due)
		munmap(w->due, w->due_bytes);
	free(w->free_stack);
	w->rec = NULL;
	w->chunk = w->due = w->free_stack = NULL;
}

/* ------------------------------------------------------------------------ */
/* Consistency.                                                              */

long sim_workload_check_regions(const struct sim_workload *w, char *why,
				size_t len)
{
	uint64_t *lru = calloc(w->nr_regions, sizeof(*lru));
	uint64_t *drop = calloc(w->nr_regions, sizeof(*drop));
	long bad = 0;

	if (!lru || !drop) {
		free(lru);
		free(drop);
		return -ENOMEM;
	}
	for (uint32_t i = FIRST_REC; i < w->rec_used; i++) {
		const struct sim_rec *r = &w->rec[i];
		unsigned long reg = r->pfn >> w->region_shift;

		if (!(r->meta & REC_LIVE))
			continue;
		if (reg >= w->nr_regions) {
			if (!bad++)
				snprintf(why, len, "record %u: pfn %u beyond the last region",
					 i, r->pfn);
			continue;
		}
		if (r->meta & REC_LRU)
			lru[reg] += 1ul << rec_order(r);
		if (rec_droppable(w, r))
			drop[reg] += 1ul << rec_order(r);
	}
	for (unsigned long reg = 0; reg < w->nr_regions; reg++) {
		if (lru[reg] == w->region_lru[reg] && drop[reg] == w->region_drop[reg])
			continue;
		if (!bad++)
			snprintf(why, len, "region %lu: %u LRU pages counted, %llu on the LRU; "
				 "%u droppable pages counted, %llu droppable", reg,
				 w->region_lru[reg], (unsigned long long)lru[reg],
				 w->region_drop[reg], (unsigned long long)drop[reg]);
	}
	free(lru);
	free(drop);
	return bad;
}
