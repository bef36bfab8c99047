// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Executors: where kcompactd, pageblock evacuation and superpageblock
 * defragmentation run.
 *
 * The pending list is a lock-free LIFO (the kernel's llist): producers push
 * with a compare-and-swap, consumers take the whole list with one exchange
 * and reverse it, so a batch runs in queue order. Taking everything at once
 * is what makes the stack ABA-free: nobody ever pops a single node while
 * others push.
 *
 * MANUAL runs batches in ga_executor_run_pending() until the list stays
 * empty, in the caller's thread, so a simulation replays exactly.
 *
 * THREADS workers sleep on a condition variable. Queueing cannot take the
 * mutex (it runs under spinlocks), so waking is a separate kick. A worker
 * decides to sleep under the mutex after seeing the list empty, and kicks
 * bump a generation counter under the same mutex, so a push followed by a
 * kick can never fall between a worker's check and its wait.
 *
 * This file is the platform side of the executor: it uses pthreads directly.
 */
#include <errno.h>
#include <string.h>

#include "executor.h"
#include "platform.h"

struct ga_executor {
	/* Producer side: touched by every ga_work_queue(). */
	struct ga_work *head ga_cacheline_aligned;
	unsigned long nr_pending;	/* atomic: queued, not started */

	/* Consumer side. */
	pthread_mutex_t lock ga_cacheline_aligned;
	pthread_cond_t work_cond;	/* workers wait here for a kick */
	pthread_cond_t idle_cond;	/* flushers wait here for quiescence */
	unsigned long kicks;		/* generation, under lock */
	unsigned int nr_running;	/* workers holding a batch, under lock */
	int stop;			/* atomic: read between items */

	enum ga_executor_kind kind;
	unsigned int nr_threads;
	pthread_t threads[GA_EXECUTOR_MAX_THREADS];
};

/* ------------------------------------------------------------------------ */
/* Work items and the pending list.                                          */

void ga_work_init(struct ga_work *work, void (*fn)(struct ga_work *))
{
	work->fn = fn;
	work->next = NULL;
	__atomic_store_n(&work->state, GA_WORK_IDLE, __ATOMIC_RELAXED);
}

static void push(struct ga_executor *ex, struct ga_work *work)
{
	struct ga_work *head = __atomic_load_n(&ex->head, __ATOMIC_RELAXED);

	/* Release: whoever takes the list sees work->next and the queuer's
	 * earlier stores. */
	do {
		work->next = head;
	} while (!__atomic_compare_exchange_n(&ex->head, &head, work, true,
					      __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
}

bool ga_work_queue(struct ga_executor *ex, struct ga_work *work)
{
	/*
	 * An exchange, not a compare-and-swap: even when the item is already
	 * queued this is a release write, so the run that starts later (its
	 * acquiring exchange back to idle) sees what the caller stored before
	 * queueing. That is queue_work()'s guarantee via test_and_set_bit.
	 */
	if (__atomic_exchange_n(&work->state, GA_WORK_QUEUED,
				__ATOMIC_ACQ_REL) == GA_WORK_QUEUED)
		return false;
	/* Count before the push, so a consumer's decrement cannot come first
	 * and make ga_executor_pending() wrap. */
	__atomic_fetch_add(&ex->nr_pending, 1, __ATOMIC_RELAXED);
	push(ex, work);
	return true;
}

static bool list_empty(struct ga_executor *ex)
{
	return !__atomic_load_n(&ex->head, __ATOMIC_RELAXED);
}

/* Take every pending item, oldest first. */
static struct ga_work *take_all(struct ga_executor *ex)
{
	struct ga_work *work = __atomic_exchange_n(&ex->head, NULL,
						   __ATOMIC_ACQUIRE);
	struct ga_work *fifo = NULL, *next;

	for (; work; work = next) {
		next = work->next;
		work->next = fifo;
		fifo = work;
	}
	return fifo;
}

static void start_work(struct ga_executor *ex, struct ga_work *work)
{
	__atomic_fetch_sub(&ex->nr_pending, 1, __ATOMIC_RELAXED);
	/* Idle before fn runs, so fn (or anyone) may queue it again; the
	 * caller has already read work->next, which a requeue overwrites. */
	__atomic_exchange_n(&work->state, GA_WORK_IDLE, __ATOMIC_ACQ_REL);
}

/* Forget items that will never run, leaving them idle so they can be
 * queued on another executor. */
static void drop_list(struct ga_executor *ex, struct ga_work *work)
{
	struct ga_work *next;

	for (; work; work = next) {
		next = work->next;
		start_work(ex, work);
	}
}

static bool stopping(struct ga_executor *ex)
{
	return __atomic_load_n(&ex->stop, __ATOMIC_RELAXED);
}

/* Run a batch in order; stops early (dropping the rest) on destroy. */
static unsigned long run_list(struct ga_executor *ex, struct ga_work *work)
{
	unsigned long nr = 0;
	struct ga_work *next;

	for (; work; work = next) {
		if (stopping(ex)) {
			drop_list(ex, work);
			break;
		}
		next = work->next;
		start_work(ex, work);
		work->fn(work);
		nr++;
	}
	return nr;
}

/* ------------------------------------------------------------------------ */
/* Worker threads.                                                           */

/* Wake one worker: a batch is taken whole, so more would find nothing. */
static void kick_locked(struct ga_executor *ex)
{
	ex->kicks++;
	pthread_cond_signal(&ex->work_cond);
}

/* Called with the lock held, right after finding the list empty. */
static void worker_sleep(struct ga_executor *ex)
{
	unsigned long gen = ex->kicks;

	while (!stopping(ex) && ex->kicks == gen)
		pthread_cond_wait(&ex->work_cond, &ex->lock);
}

/* Called with the lock held; drops it while the batch runs. */
static void worker_run(struct ga_executor *ex, struct ga_work *batch)
{
	ex->nr_running++;
	pthread_mutex_unlock(&ex->lock);
	run_list(ex, batch);
	pthread_mutex_lock(&ex->lock);
	/* Items may have been queued meanwhile: then we are not idle, and
	 * the caller's loop takes them. */
	if (!--ex->nr_running && list_empty(ex))
		pthread_cond_broadcast(&ex->idle_cond);
}

static void *worker(void *arg)
{
	struct ga_executor *ex = arg;
	struct ga_work *batch;

	pthread_mutex_lock(&ex->lock);
	while (!stopping(ex)) {
		/* Taken under the lock, together with nr_running++, so a
		 * flusher never sees the list empty and nobody running while
		 * a batch is in flight. */
		batch = take_all(ex);
		if (batch)
			worker_run(ex, batch);
		else
			worker_sleep(ex);
	}
	pthread_mutex_unlock(&ex->lock);
	return NULL;
}

void ga_executor_kick(struct ga_executor *ex)
{
	if (ex->kind != GA_EXECUTOR_THREADS || list_empty(ex))
		return;
	pthread_mutex_lock(&ex->lock);
	kick_locked(ex);
	pthread_mutex_unlock(&ex->lock);
}

bool ga_work_queue_kick(struct ga_executor *ex, struct ga_work *work)
{
	bool queued = ga_work_queue(ex, work);

	ga_executor_kick(ex);
	return queued;
}

/* THREADS ga_executor_run_pending(): wait for quiescence. */
static void flush(struct ga_executor *ex)
{
	pthread_mutex_lock(&ex->lock);
	while (!list_empty(ex) || ex->nr_running) {
		/* Items may be queued without a kick (under a spinlock whose
		 * owner kicks later); do not wait on that. */
		if (!list_empty(ex))
			kick_locked(ex);
		pthread_cond_wait(&ex->idle_cond, &ex->lock);
	}
	pthread_mutex_unlock(&ex->lock);
}

/* Stop and join the first nr workers. */
static void stop_workers(struct ga_executor *ex, unsigned int nr)
{
	pthread_mutex_lock(&ex->lock);
	__atomic_store_n(&ex->stop, 1, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&ex->work_cond);
	pthread_mutex_unlock(&ex->lock);
	for (unsigned int i = 0; i < nr; i++)
		pthread_join(ex->threads[i], NULL);
}

static int start_workers(struct ga_executor *ex)
{
	for (unsigned int i = 0; i < ex->nr_threads; i++) {
		int err = pthread_create(&ex->threads[i], NULL, worker, ex);

		if (err) {
			stop_workers(ex, i);
			return -err;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Public API.                                                               */

static int init_sync(struct ga_executor *ex)
{
	int err = pthread_mutex_init(&ex->lock, NULL);

	if (err)
		return -err;
	err = pthread_cond_init(&ex->work_cond, NULL);
	if (err)
		goto out_lock;
	err = pthread_cond_init(&ex->idle_cond, NULL);
	if (err)
		goto out_work;
	return 0;
out_work:
	pthread_cond_destroy(&ex->work_cond);
out_lock:
	pthread_mutex_destroy(&ex->lock);
	return -err;
}

static void destroy_sync(struct ga_executor *ex)
{
	pthread_cond_destroy(&ex->idle_cond);
	pthread_cond_destroy(&ex->work_cond);
	pthread_mutex_destroy(&ex->lock);
}

int ga_executor_create(struct ga_executor **exp, enum ga_executor_kind kind,
		       unsigned int nr_threads)
{
	struct ga_executor *ex;
	int err;

	if (!exp || (kind != GA_EXECUTOR_MANUAL && kind != GA_EXECUTOR_THREADS))
		return -EINVAL;
	if (kind == GA_EXECUTOR_THREADS &&
	    (!nr_threads || nr_threads > GA_EXECUTOR_MAX_THREADS))
		return -EINVAL;
	/* Aligned: head and lock sit on their own cache lines. */
	ex = aligned_alloc(GA_CACHELINE, sizeof(*ex));
	if (!ex)
		return -ENOMEM;
	memset(ex, 0, sizeof(*ex));
	ex->kind = kind;
	ex->nr_threads = kind == GA_EXECUTOR_THREADS ? nr_threads : 0;
	err = init_sync(ex);
	if (!err) {
		err = start_workers(ex);
		if (err)
			destroy_sync(ex);
	}
	if (err) {
		free(ex);
		return err;
	}
	*exp = ex;
	return 0;
}

void ga_executor_destroy(struct ga_executor *ex)
{
	if (!ex)
		return;
	stop_workers(ex, ex->nr_threads);
	drop_list(ex, take_all(ex));
	destroy_sync(ex);
	free(ex);
}

unsigned long ga_executor_run_pending(struct ga_executor *ex)
{
	struct ga_work *batch;
	unsigned long nr = 0;

	if (ex->kind == GA_EXECUTOR_THREADS) {
		flush(ex);
		return 0;
	}
	/* Items queued by running items form the next batch. */
	while ((batch = take_all(ex)))
		nr += run_list(ex, batch);
	return nr;
}

unsigned long ga_executor_pending(struct ga_executor *ex)
{
	return __atomic_load_n(&ex->nr_pending, __ATOMIC_RELAXED);
}

enum ga_executor_kind ga_executor_kind(const struct ga_executor *ex)
{
	return ex->kind;
}
