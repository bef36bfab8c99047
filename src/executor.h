/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Work items and the executor that runs them (internal side of the public
 * ga_executor API). This is the model of the kernel's workqueue + irq_work
 * pair: queueing is lock-free and never sleeps or allocates, so it may be
 * done under zone->lock or a pcp lock; waking worker threads takes a mutex,
 * so it is a separate step (ga_executor_kick) done once the locks are
 * dropped, as the kernel defers wakeups under zone->lock to irq_work.
 *
 * A work item is embedded in the structure it works on and found again
 * with ga_container_of() in its function.
 */
#ifndef GA_EXECUTOR_H
#define GA_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "gigalloc.h"

#define GA_EXECUTOR_MAX_THREADS 64

#ifndef ga_container_of
#define ga_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

enum {
	GA_WORK_IDLE,		/* may be queued */
	GA_WORK_QUEUED,		/* on a pending list, not started */
};

struct ga_work {
	void (*fn)(struct ga_work *work);  /* runs with no library lock held */
	struct ga_work *next;              /* pending-list link, owned by the executor */
	int state;                         /* atomic: idle / queued; managed by the executor */
};

void ga_work_init(struct ga_work *work, void (*fn)(struct ga_work *));

/*
 * Queue work unless it is already queued (single-flight, like queue_work's
 * pending bit: it may be queued again once it has started running).
 * Lock-free, never allocates, safe under any spinlock: it does NOT wake
 * threads. Returns true if queued.
 *
 * Ordering: stores made before a call are seen by a run of the item that
 * starts after it, whether this call queued the item or found it queued.
 */
bool ga_work_queue(struct ga_executor *ex, struct ga_work *work);

/*
 * Wake worker threads if work is pending (the irq_work step): call with no
 * library lock held. No-op for MANUAL.
 */
void ga_executor_kick(struct ga_executor *ex);

/* Convenience: queue then kick; only where no lock is held. */
bool ga_work_queue_kick(struct ga_executor *ex, struct ga_work *work);

#endif /* GA_EXECUTOR_H */
