// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Isolation, dropping, migration and putback (see migrate.h).
 *
 * Movable allocations are migrated through ops->migrate, after an optional
 * ops->drop for clean page cache (reclaim_clean_pages_from_list).
 * Reclaimable allocations (slab) are never migrated: they can only be
 * dropped, as a shrinker frees objects. Unmovable and pinned allocations
 * are never touched. Callbacks run with no library lock held.
 */
#include <errno.h>
#include <string.h>

#include "migrate.h"

void migrate_control_init(struct migrate_control *mc, struct ga_zone *z,
			  unsigned int cpu, enum migrate_mode mode)
{
	memset(mc, 0, sizeof(*mc));
	mc->zone = z;
	mc->cpu = cpu;
	mc->mode = mode;
	mc->get_target = migrate_target_alloc;
	mc->put_target = migrate_target_free;
	mc->blocker.mt = -1;
}

static void set_blocker(struct migrate_control *mc, int reason, ga_pfn_t pfn,
			const struct ga_page *p)
{
	if (mc->blocker.reason)
		return;
	mc->blocker.reason = reason;
	mc->blocker.pfn = pfn;
	mc->blocker.mt = -1;
	if (p && page_state(p) == GA_PAGE_ALLOC) {
		mc->blocker.mt = (int)page_alloc_mt(p);
		mc->blocker.owner = get_page_owner(p);
	}
}

/* ------------------------------------------------------------------------ */
/* Isolation.                                                                */

/* Why an allocation cannot be isolated, or GA_BLOCK_NONE. */
static int isolate_refusal(const struct migrate_control *mc, uint32_t flags)
{
	unsigned int mt = (flags & PF_MT_MASK) >> PF_MT_SHIFT;

	if (mt == GA_MT_UNMOVABLE)
		return GA_BLOCK_UNMOVABLE;
	if (mt == GA_MT_RECLAIMABLE && !mc->isolate_reclaimable)
		return GA_BLOCK_RECLAIMABLE;
	if (flags & PF_PIN_MASK)
		return GA_BLOCK_PINNED;
	if (flags & PF_ISOLATED)
		return GA_BLOCK_ISOLATED;
	return GA_BLOCK_NONE;
}

/* Set PF_ISOLATED on an ALLOC head, unless it changed under us. */
static int isolate_page(struct migrate_control *mc, ga_pfn_t pfn,
			struct ga_page *p, struct migrate_batch *b)
{
	uint32_t old = READ_ONCE(p->flags);
	struct isolated_page *ip;
	int why;

	do {
		/* Freed meanwhile, or being freed (begin_free in free.c). */
		if ((old & PF_STATE_MASK) != GA_PAGE_ALLOC || (old & PF_FREE_PENDING))
			return GA_BLOCK_NONE;
		why = isolate_refusal(mc, old);
		if (why)
			return why;
	} while (!__atomic_compare_exchange_n(&p->flags, &old, old | PF_ISOLATED,
					      false, __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));

	ip = &b->page[b->nr++];
	ip->pfn = pfn;
	ip->order = (uint8_t)((old & PF_ORDER_MASK) >> PF_ORDER_SHIFT);
	ip->mt = (uint8_t)((old & PF_MT_MASK) >> PF_MT_SHIFT);
	ip->owner = get_page_owner(p);
	b->nr_pages += 1ul << ip->order;
	mc->nr_isolated += 1ul << ip->order;
	zone_stat_add(mc->zone, GA_STAT_PGISOLATED, 1ul << ip->order);
	return GA_BLOCK_NONE;
}

unsigned int isolate_migratepages(struct migrate_control *mc, ga_pfn_t *pfnp,
				  ga_pfn_t end, struct migrate_batch *b)
{
	struct ga_zone *z = mc->zone;
	unsigned int limit = mc->max_batch && mc->max_batch < COMPACT_CLUSTER_MAX ?
			     mc->max_batch : COMPACT_CLUSTER_MAX;
	ga_pfn_t pfn = *pfnp;

	b->nr = 0;
	b->nr_pages = 0;
	while (pfn < end && b->nr < limit) {
		struct ga_page *p = pfn_to_page(z, pfn);
		unsigned int state = page_state(p);
		int why;

		switch (state) {
		case GA_PAGE_TAIL:
			pfn++;
			continue;
		case GA_PAGE_RESERVED:
			set_blocker(mc, GA_BLOCK_RESERVED, pfn, NULL);
			pfn++;
			continue;
		case GA_PAGE_CONTIG:
			set_blocker(mc, GA_BLOCK_ISOLATED, pfn, NULL);
			break;
		case GA_PAGE_ALLOC:
			why = isolate_page(mc, pfn, p, b);
			if (why)
				set_blocker(mc, why, pfn, p);
			break;
		default:	/* free or on a pcp list */
			break;
		}
		pfn += 1ul << page_order(p);
	}
	*pfnp = pfn;
	return b->nr;
}

/* ------------------------------------------------------------------------ */
/* Completion: free, putback.                                                */

/* The allocation left this page (moved or dropped): free the old copy. */
static void release_isolated(struct ga_zone *z, ga_pfn_t pfn, unsigned int order)
{
	free_one_page(z, pfn, order);
}

/*
 * Clear PF_ISOLATED. A ga_free that arrived meanwhile was deferred
 * (PF_FREE_PENDING): complete it now.
 */
static void putback_page(struct ga_zone *z, ga_pfn_t pfn)
{
	struct ga_page *p = pfn_to_page(z, pfn);
	uint32_t old = READ_ONCE(p->flags), new;

	do {
		if ((old & PF_STATE_MASK) != GA_PAGE_ALLOC || !(old & PF_ISOLATED))
			return;
		new = old & ~(PF_ISOLATED | PF_FREE_PENDING);
	} while (!__atomic_compare_exchange_n(&p->flags, &old, new, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	if (old & PF_FREE_PENDING)
		free_one_page(z, pfn, (old & PF_ORDER_MASK) >> PF_ORDER_SHIFT);
}

/* The owner freed it while isolated: finish that free, or put it back. */
static void complete_owner_free(struct ga_zone *z, ga_pfn_t pfn)
{
	zone_stat_add(z, GA_STAT_PGMIGRATE_FREED, 1);
	putback_page(z, pfn);
}

/* ------------------------------------------------------------------------ */
/* Drop and migrate.                                                         */

/* Returns true if the page was dropped. */
static bool try_drop(struct migrate_control *mc, const struct isolated_page *ip)
{
	struct ga_zone *z = mc->zone;

	if (!z->ops.drop)
		return false;
	if (z->ops.drop(z->ops_ctx, z, ip->owner, ip->pfn, ip->order)) {
		zone_stat_add(z, GA_STAT_PGDROP_REFUSED, 1ul << ip->order);
		return false;
	}
	release_isolated(z, ip->pfn, ip->order);
	mc->nr_dropped += 1ul << ip->order;
	zone_stat_add(z, GA_STAT_PGDROP, 1ul << ip->order);
	return true;
}

static bool fail_page(struct migrate_control *mc, const struct isolated_page *ip,
		      int reason, enum ga_stat_item item)
{
	struct ga_zone *z = mc->zone;

	if (!mc->blocker.reason) {
		mc->blocker.reason = reason;
		mc->blocker.pfn = ip->pfn;
		mc->blocker.mt = ip->mt;
		mc->blocker.owner = ip->owner;
	}
	if (item < GA_NR_STATS)
		zone_stat_add(z, item, 1ul << ip->order);
	putback_page(z, ip->pfn);
	mc->nr_failed += 1ul << ip->order;
	return false;
}

/*
 * Make the target the owner's allocation *before* the callback: once the
 * callback returns 0 the owner may free the new page at once, and the free
 * must find it complete (writing it afterwards would resurrect a page the
 * owner already gave back). If the move fails the target is freed anyway.
 */
static void prepare_target(struct ga_zone *z, ga_pfn_t target,
			   const struct isolated_page *ip)
{
	struct ga_page *p = pfn_to_page(z, target);

	set_page_owner(p, ip->owner);
	/* Isolated until the move is decided: no one else may move it. */
	publish_page_flags(p, GA_PAGE_ALLOC | ((uint32_t)ip->order << PF_ORDER_SHIFT) |
			      ((uint32_t)ip->mt << PF_MT_SHIFT) | PF_ISOLATED);
}

/* Move one isolated allocation. Returns true if it left its old place. */
static bool migrate_one(struct migrate_control *mc, const struct isolated_page *ip)
{
	struct ga_zone *z = mc->zone;
	struct ga_page *p = pfn_to_page(z, ip->pfn);
	int retries = mc->mode == MIGRATE_SYNC ? NR_MIGRATE_RETRY_SYNC :
						 NR_MIGRATE_RETRY_ASYNC;
	long target;
	int rc;

	/*
	 * The owner may have freed it since isolation: a reclaim run by an
	 * earlier target allocation of this batch, say. Then it is no longer
	 * the owner's to drop or move: finish the free instead.
	 */
	if (READ_ONCE(p->flags) & PF_FREE_PENDING) {
		complete_owner_free(z, ip->pfn);
		return true;
	}
	if ((ip->mt == GA_MT_RECLAIMABLE || mc->drop_clean) && try_drop(mc, ip))
		return true;
	if (ip->mt != GA_MT_MOVABLE)
		return fail_page(mc, ip, GA_BLOCK_RECLAIMABLE, GA_NR_STATS);
	if (!z->ops.migrate)
		return fail_page(mc, ip, GA_BLOCK_MIGRATE_FAILED,
				 GA_STAT_PGMIGRATE_FAIL_BUSY);
	for (;;) {
		uint32_t flags = READ_ONCE(p->flags);

		if (flags & PF_FREE_PENDING) {
			complete_owner_free(z, ip->pfn);
			return true;
		}
		if (flags & PF_PIN_MASK)
			return fail_page(mc, ip, GA_BLOCK_PINNED,
					 GA_STAT_PGMIGRATE_FAIL_PINNED);
		target = mc->get_target(mc, ip->order);
		if (target < 0) {
			mc->nomem = true;
			return fail_page(mc, ip, GA_BLOCK_NOMEM,
					 GA_STAT_PGMIGRATE_FAIL_NOMEM);
		}
		/*
		 * Taking the target may have entered reclaim, and reclaim may
		 * have freed this very page (deferred while it is isolated):
		 * then it is not the owner's any more, so no callback.
		 */
		if (READ_ONCE(p->flags) & PF_FREE_PENDING) {
			mc->put_target(mc, (ga_pfn_t)target, ip->order);
			complete_owner_free(z, ip->pfn);
			return true;
		}
		prepare_target(z, (ga_pfn_t)target, ip);
		rc = z->ops.migrate(z->ops_ctx, z, ip->owner, ip->pfn,
				    (ga_pfn_t)target, ip->order);
		if (!rc) {
			/*
			 * Pin before letting go: once the target is back, a
			 * mover could take it. Not if the owner freed it
			 * meanwhile.
			 */
			if (mc->pin_target)
				mc->moved_pinned = !page_pin_update(z, (ga_pfn_t)target,
								    1, true);
			/* The owner's now; a free it made meanwhile completes. */
			putback_page(z, (ga_pfn_t)target);
			mc->moved_to = (ga_pfn_t)target;
			release_isolated(z, ip->pfn, ip->order);
			mc->nr_migrated += 1ul << ip->order;
			zone_stat_add(z, GA_STAT_PGMIGRATE_SUCCESS, 1ul << ip->order);
			return true;
		}
		/*
		 * Not moved: the target goes back still isolated, so no mover
		 * can pick it up between a putback and its release.
		 */
		mc->put_target(mc, (ga_pfn_t)target, ip->order);
		if (rc == -ENOENT) {
			complete_owner_free(z, ip->pfn);
			return true;
		}
		if (rc != -EAGAIN)
			return fail_page(mc, ip, GA_BLOCK_MIGRATE_FAILED,
					 GA_STAT_PGMIGRATE_FAIL_BUSY);
		if (--retries <= 0)
			return fail_page(mc, ip, GA_BLOCK_MIGRATE_FAILED,
					 GA_STAT_PGMIGRATE_FAIL_AGAIN);
	}
}

unsigned long migrate_pages_batch(struct migrate_control *mc,
				  struct migrate_batch *b)
{
	unsigned long unmoved = 0;

	for (unsigned int i = 0; i < b->nr; i++) {
		const struct isolated_page *ip = &b->page[i];

		/* Out of targets: the rest go back untouched (-ENOMEM aborts). */
		if (mc->nomem) {
			putback_page(mc->zone, ip->pfn);
			unmoved += 1ul << ip->order;
			continue;
		}
		if (!migrate_one(mc, ip))
			unmoved += 1ul << ip->order;
	}
	b->nr = 0;
	b->nr_pages = 0;
	return unmoved;
}

/* ------------------------------------------------------------------------ */
/* Targets from the normal allocator (alloc_migration_target).               */

/*
 * A target is isolated from the moment it is allocated: the allocation
 * itself may run direct compaction, and a nested mover must not pick up a
 * target (owner 0 so far) that this migration holds.
 */
long migrate_target_alloc(struct migrate_control *mc, unsigned int order)
{
	ga_pfn_t pfn;

	if (alloc_pages_flags(mc->zone, mc->cpu, order, GA_GFP_HIGHUSER_MOVABLE |
			      GA_GFP_RETRY_MAYFAIL | GA_GFP_NOWARN, 0, &pfn,
			      PF_ISOLATED))
		return -1;
	return (long)pfn;
}

void migrate_target_free(struct migrate_control *mc, ga_pfn_t pfn,
			 unsigned int order)
{
	struct ga_page *p = pfn_to_page(mc->zone, pfn);
	uint32_t old = READ_ONCE(p->flags);

	/*
	 * Still isolated, and not the owner's: claim the free without letting
	 * go, so no mover can isolate the target between a putback and the
	 * free. A free the owner made anyway (PF_FREE_PENDING) is this one.
	 */
	while (!__atomic_compare_exchange_n(&p->flags, &old,
					    (old & ~PF_ISOLATED) | PF_FREE_PENDING,
					    false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		;
	GA_BUG_ON((old & PF_STATE_MASK) != GA_PAGE_ALLOC || !(old & PF_ISOLATED));
	free_claimed_page(mc->zone, mc->cpu, pfn, order);
}
