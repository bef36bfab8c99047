// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Executors: the MANUAL executor runs queued work in queue order, exactly
 * reproducibly; the THREADS executor loses neither work nor wakeups while
 * producers race workers, and flushes and stops cleanly. Run under
 * ThreadSanitizer in CI. A watchdog turns a hang into a failure.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "executor.h"
#include "harness.h"

#define LOG_MAX 4096

/* ------------------------------------------------------------------------ */
/*
 * Watchdog: abort if the main thread makes no progress for 10-20 s while
 * the process keeps running (a livelock burns CPU time), or for 2 minutes
 * whatever the CPU time (a deadlock burns none). A machine too busy to
 * run the test (a niced `make check` beside long simulations) is neither.
 */

#define WATCHDOG_SECONDS 10
#define WATCHDOG_CPU_SECONDS 1.0	/* CPU time in a window that is no starvation */
#define WATCHDOG_WINDOWS 12		/* windows without progress, whatever the CPU */

struct watchdog {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;		/* under lock */
	unsigned long progress;	/* atomic */
	pthread_t thread;
};

static void deadline_in(struct timespec *ts, long seconds)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += seconds;
}

static double process_cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *watchdog_fn(void *arg)
{
	struct watchdog *wd = arg;
	unsigned long last = (unsigned long)-1, now;
	double cpu_last = process_cpu_seconds(), cpu_now;
	int idle_windows = 0;
	struct timespec ts;

	pthread_mutex_lock(&wd->lock);
	while (!wd->stop) {
		deadline_in(&ts, WATCHDOG_SECONDS);
		if (pthread_cond_timedwait(&wd->cond, &wd->lock, &ts) != ETIMEDOUT)
			continue;
		now = __atomic_load_n(&wd->progress, __ATOMIC_RELAXED);
		cpu_now = process_cpu_seconds();
		idle_windows = now == last ? idle_windows + 1 : 0;
		if (idle_windows && (cpu_now - cpu_last >= WATCHDOG_CPU_SECONDS ||
				     idle_windows >= WATCHDOG_WINDOWS)) {
			printf("Bail out! executor: no progress for %d s, %.1f s of CPU time (hang)\n",
			       idle_windows * WATCHDOG_SECONDS, cpu_now - cpu_last);
			fflush(stdout);
			abort();
		}
		last = now;
		cpu_last = cpu_now;
	}
	pthread_mutex_unlock(&wd->lock);
	return NULL;
}

static void watchdog_start(struct watchdog *wd)
{
	pthread_mutex_init(&wd->lock, NULL);
	pthread_cond_init(&wd->cond, NULL);
	wd->stop = 0;
	wd->progress = 0;
	pthread_create(&wd->thread, NULL, watchdog_fn, wd);
}

static void watchdog_pet(struct watchdog *wd)
{
	__atomic_fetch_add(&wd->progress, 1, __ATOMIC_RELAXED);
}

static void watchdog_stop(struct watchdog *wd)
{
	pthread_mutex_lock(&wd->lock);
	wd->stop = 1;
	pthread_cond_signal(&wd->cond);
	pthread_mutex_unlock(&wd->lock);
	pthread_join(wd->thread, NULL);
	pthread_cond_destroy(&wd->cond);
	pthread_mutex_destroy(&wd->lock);
}

/* ------------------------------------------------------------------------ */
/* MANUAL: order, single flight, requeueing, determinism.                    */

struct order_log {
	int ids[LOG_MAX];
	int n;
};

struct item {
	struct ga_work work;
	int id;
	int runs;
	int requeues;			/* self-requeues left */
	struct ga_executor *ex;
	struct order_log *log;
	struct item *children[2];	/* queued when this item runs */
};

static void item_fn(struct ga_work *work)
{
	struct item *it = ga_container_of(work, struct item, work);

	it->runs++;
	if (it->log && it->log->n < LOG_MAX)
		it->log->ids[it->log->n++] = it->id;
	if (it->requeues > 0) {
		it->requeues--;
		ga_work_queue(it->ex, &it->work);
	}
	/* Only on the first run, so cycles of children terminate. */
	for (int i = 0; i < 2 && it->runs == 1; i++)
		if (it->children[i])
			ga_work_queue(it->ex, &it->children[i]->work);
}

static void item_init(struct item *it, int id, struct ga_executor *ex,
		      struct order_log *log)
{
	memset(it, 0, sizeof(*it));
	ga_work_init(&it->work, item_fn);
	it->id = id;
	it->ex = ex;
	it->log = log;
}

static struct ga_executor *manual(void)
{
	struct ga_executor *ex = NULL;

	if (ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 0))
		abort();
	return ex;
}

static void test_manual_order(void)
{
	struct ga_executor *ex = manual();
	static struct item items[100];
	struct order_log log = { .n = 0 };
	bool all_queued = true, in_order = true;

	for (int i = 0; i < 100; i++) {
		item_init(&items[i], i, ex, &log);
		all_queued &= ga_work_queue(ex, &items[i].work);
	}
	ok(all_queued, "manual: 100 distinct items queue");
	is_long(ga_executor_pending(ex), 100, "manual: pending() counts them");
	is_long(ga_executor_run_pending(ex), 100, "manual: run_pending() runs 100");
	for (int i = 0; i < 100; i++)
		in_order &= log.n == 100 && log.ids[i] == i;
	ok(in_order, "manual: they ran in queue order");
	is_long(ga_executor_pending(ex), 0, "manual: nothing pending afterwards");
	is_long(ga_executor_run_pending(ex), 0, "manual: a second run finds nothing");
	ga_executor_destroy(ex);
}

static void test_manual_single_flight(void)
{
	struct ga_executor *ex = manual();
	struct item it;

	item_init(&it, 0, ex, NULL);
	ok(ga_work_queue(ex, &it.work), "manual: first queue succeeds");
	ok(!ga_work_queue(ex, &it.work), "manual: queueing a queued item fails");
	ok(!ga_work_queue_kick(ex, &it.work), "manual: so does queue_kick");
	is_long(ga_executor_pending(ex), 1, "manual: one pending");
	ga_executor_kick(ex);
	is_long(it.runs, 0, "manual: kick runs nothing");
	is_long(ga_executor_run_pending(ex), 1, "manual: run_pending runs one");
	is_long(it.runs, 1, "manual: the item ran once");
	ok(ga_work_queue(ex, &it.work), "manual: it can be queued after running");
	is_long(ga_executor_run_pending(ex), 1, "manual: and runs again");
	ga_executor_destroy(ex);
}

static void test_manual_requeue(void)
{
	struct ga_executor *ex = manual();
	struct item it;

	item_init(&it, 0, ex, NULL);
	it.requeues = 7;
	ga_work_queue(ex, &it.work);
	is_long(ga_executor_run_pending(ex), 8,
		"manual: an item requeueing itself 7 times runs 8 times");
	is_long(it.runs, 8, "manual: its own count agrees");
	is_long(ga_executor_pending(ex), 0, "manual: nothing left pending");
	ga_executor_destroy(ex);
}

/* A queues B and C; D was queued after A. Batches run FIFO, so the work
 * queued while a batch runs comes after the rest of that batch. */
static void test_manual_children(void)
{
	struct ga_executor *ex = manual();
	struct order_log log = { .n = 0 };
	struct item it[4];
	static const int want[] = { 0, 3, 1, 2 };
	bool same = true;

	for (int i = 0; i < 4; i++)
		item_init(&it[i], i, ex, &log);
	it[0].children[0] = &it[1];
	it[0].children[1] = &it[2];
	ga_work_queue(ex, &it[0].work);
	ga_work_queue(ex, &it[3].work);
	is_long(ga_executor_run_pending(ex), 4,
		"manual: items queued by items run in the same run_pending");
	for (int i = 0; i < 4; i++)
		same &= log.n == 4 && log.ids[i] == want[i];
	ok(same, "manual: order is A D B C (batch by batch)");
	ga_executor_destroy(ex);
}

#define SCRIPT_ITEMS 200

/* A pseudo-random forest of items, some requeueing themselves, some
 * queueing children that may already be queued. */
static unsigned long run_script(unsigned long long seed, struct order_log *log)
{
	struct ga_executor *ex = manual();
	static struct item it[SCRIPT_ITEMS];
	unsigned long nr = 0;

	log->n = 0;
	for (int i = 0; i < SCRIPT_ITEMS; i++) {
		item_init(&it[i], i, ex, log);
		it[i].requeues = (int)(test_rand(&seed) % 3);
		for (int c = 0; c < 2; c++)
			if (test_rand(&seed) % 2)
				it[i].children[c] = &it[test_rand(&seed) % SCRIPT_ITEMS];
	}
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < SCRIPT_ITEMS / 4; i++)
			ga_work_queue(ex, &it[test_rand(&seed) % SCRIPT_ITEMS].work);
		nr += ga_executor_run_pending(ex);
	}
	ga_executor_destroy(ex);
	return nr;
}

static void test_manual_determinism(void)
{
	static struct order_log a, b;
	unsigned long na, nb;

	na = run_script(42, &a);
	nb = run_script(42, &b);
	ok(na > SCRIPT_ITEMS / 2, "manual: the script ran %lu items", na);
	is_long(na, nb, "manual: two runs of a script run as many items");
	ok(a.n == b.n && !memcmp(a.ids, b.ids, sizeof(a.ids[0]) * (size_t)a.n),
	   "manual: and in the identical order (%d logged)", a.n);
}

#undef SCRIPT_ITEMS

/* ------------------------------------------------------------------------ */
/* THREADS.                                                                  */

struct counted {
	struct ga_work work;
	unsigned long *counter;		/* atomic */
};

static void counted_fn(struct ga_work *work)
{
	struct counted *c = ga_container_of(work, struct counted, work);

	__atomic_fetch_add(c->counter, 1, __ATOMIC_RELAXED);
}

static void counted_init(struct counted *c, unsigned long *counter)
{
	ga_work_init(&c->work, counted_fn);
	c->counter = counter;
}

static struct ga_executor *threads(unsigned int nr)
{
	struct ga_executor *ex = NULL;

	if (ga_executor_create(&ex, GA_EXECUTOR_THREADS, nr))
		abort();
	return ex;
}

#define NR_PRODUCERS 4
#define NR_QUEUES 50000
#define POOL 64

struct producer {
	struct ga_executor *ex;
	struct counted *items;		/* NR_QUEUES own items, or a shared POOL */
	bool shared;
	unsigned long long seed;
	unsigned long queued;		/* successful ga_work_queue() calls */
	pthread_t thread;
};

/* Like library code: queue under "a lock" and kick only now and then. */
static void *producer_fn(void *arg)
{
	struct producer *p = arg;
	struct counted *c;

	for (unsigned long i = 0; i < NR_QUEUES; i++) {
		c = &p->items[p->shared ? test_rand(&p->seed) % POOL : i];
		p->queued += ga_work_queue(p->ex, &c->work);
		if (i % 16 == 15) {
			ga_executor_kick(p->ex);
			/* Let workers in on few CPUs, so items get requeued
			 * while they run. */
			sched_yield();
		}
	}
	return NULL;
}

/*
 * Four producers race the workers. With distinct items every queue
 * succeeds; with a shared pool most find the item queued (single flight)
 * and the rest requeue items that are running.
 */
static void test_threads_stress(unsigned int nr_threads, bool shared,
				struct watchdog *wd)
{
	const char *what = shared ? "shared pool" : "distinct items";
	struct ga_executor *ex = threads(nr_threads);
	size_t nr_items = shared ? POOL : (size_t)NR_PRODUCERS * NR_QUEUES;
	struct counted *items = calloc(nr_items, sizeof(*items));
	struct producer prod[NR_PRODUCERS];
	unsigned long counter = 0, queued = 0;

	for (size_t i = 0; i < nr_items; i++)
		counted_init(&items[i], &counter);
	for (int t = 0; t < NR_PRODUCERS; t++) {
		prod[t] = (struct producer){
			.ex = ex, .shared = shared, .seed = 7 + t,
			.items = shared ? items : items + (size_t)t * NR_QUEUES,
		};
		pthread_create(&prod[t].thread, NULL, producer_fn, &prod[t]);
	}
	for (int t = 0; t < NR_PRODUCERS; t++) {
		pthread_join(prod[t].thread, NULL);
		queued += prod[t].queued;
	}
	watchdog_pet(wd);
	is_long(ga_executor_run_pending(ex), 0, "threads=%u, %s: flush returns 0",
		nr_threads, what);
	watchdog_pet(wd);
	is_long(__atomic_load_n(&counter, __ATOMIC_RELAXED), queued,
		"threads=%u, %s: every successful queue ran once (%lu of %d calls)",
		nr_threads, what, queued, NR_PRODUCERS * NR_QUEUES);
	if (!shared)
		is_long(queued, NR_PRODUCERS * NR_QUEUES,
			"threads=%u, %s: every queue succeeded", nr_threads, what);
	is_long(ga_executor_pending(ex), 0, "threads=%u, %s: nothing pending",
		nr_threads, what);
	ga_executor_destroy(ex);
	free(items);
}

/* The flush kicks by itself, so this checks flush; the round trip below
 * checks that the kick alone wakes a worker. */
static void test_threads_flush_rounds(unsigned int nr_threads,
				     struct watchdog *wd)
{
	struct ga_executor *ex = threads(nr_threads);
	unsigned long counter = 0;
	struct counted c;
	bool all = true;

	counted_init(&c, &counter);
	for (int round = 0; round < 1000; round++) {
		all &= ga_work_queue(ex, &c.work);
		ga_executor_kick(ex);
		ga_executor_run_pending(ex);
		all &= __atomic_load_n(&counter, __ATOMIC_RELAXED) ==
		       (unsigned long)round + 1;
		watchdog_pet(wd);
	}
	ok(all, "threads=%u: 1000 rounds of queue, kick, flush", nr_threads);
	ga_executor_destroy(ex);
}

/* An item that reports its runs through a condition variable. */
struct signalled {
	struct ga_work work;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned long runs;		/* under lock */
};

static void signalled_fn(struct ga_work *work)
{
	struct signalled *s = ga_container_of(work, struct signalled, work);

	pthread_mutex_lock(&s->lock);
	s->runs++;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* Wait up to 10 s for the item to have run `want` times. */
static bool signalled_wait(struct signalled *s, unsigned long want)
{
	struct timespec ts;
	bool ran;
	int err = 0;

	deadline_in(&ts, WATCHDOG_SECONDS);
	pthread_mutex_lock(&s->lock);
	while (s->runs < want && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&s->cond, &s->lock, &ts);
	ran = s->runs >= want;
	pthread_mutex_unlock(&s->lock);
	return ran;
}

static void test_threads_kick_rounds(unsigned int nr_threads,
				    struct watchdog *wd)
{
	struct ga_executor *ex = threads(nr_threads);
	struct signalled s = { .runs = 0 };
	int round;

	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	ga_work_init(&s.work, signalled_fn);
	for (round = 0; round < 1000; round++) {
		ga_work_queue_kick(ex, &s.work);
		if (!signalled_wait(&s, (unsigned long)round + 1))
			break;
		watchdog_pet(wd);
	}
	is_long(round, 1000,
		"threads=%u: 1000 rounds of queue+kick, each woke a worker",
		nr_threads);
	ga_executor_destroy(ex);
	pthread_cond_destroy(&s.cond);
	pthread_mutex_destroy(&s.lock);
}

struct self_requeue {
	struct ga_work work;
	struct ga_executor *ex;
	unsigned long runs;	/* atomic: a run may overlap the next */
};

static void self_requeue_fn(struct ga_work *work)
{
	struct self_requeue *s = ga_container_of(work, struct self_requeue, work);

	if (__atomic_add_fetch(&s->runs, 1, __ATOMIC_RELAXED) < 100)
		ga_work_queue_kick(s->ex, &s->work);
}

static void test_threads_requeue(unsigned int nr_threads)
{
	struct self_requeue s = { .ex = threads(nr_threads), .runs = 0 };

	ga_work_init(&s.work, self_requeue_fn);
	ga_work_queue_kick(s.ex, &s.work);
	ga_executor_run_pending(s.ex);
	is_long(__atomic_load_n(&s.runs, __ATOMIC_RELAXED), 100,
		"threads=%u: flush waits for work queued by running work",
		nr_threads);
	ga_executor_destroy(s.ex);
}

#define NR_DESTROY 2000

/* Spin until *counter is non-zero, for at most 10 s. */
static bool wait_nonzero(unsigned long *counter)
{
	time_t end = time(NULL) + WATCHDOG_SECONDS;

	while (!__atomic_load_n(counter, __ATOMIC_RELAXED) && time(NULL) < end)
		sched_yield();
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/* Counts, then dawdles so that destroy catches its worker mid-batch. */
static void sleepy_fn(struct ga_work *work)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 50 * 1000 * 1000 };

	counted_fn(work);
	nanosleep(&ts, NULL);
}

/*
 * Destroy while a worker runs the first item of its batch: it finishes
 * that item and drops the rest. Nothing crashes or leaks, and the items
 * that never ran are idle again, so they can be queued elsewhere.
 */
static void test_threads_destroy(unsigned int nr_threads)
{
	struct ga_executor *ex = threads(nr_threads), *m;
	static struct counted items[NR_DESTROY];
	unsigned long counter = 0, ran;
	bool requeued = true, started;

	for (int i = 0; i < NR_DESTROY; i++) {
		counted_init(&items[i], &counter);
		if (!i)
			ga_work_init(&items[i].work, sleepy_fn);
		ga_work_queue(ex, &items[i].work);
	}
	ga_executor_kick(ex);
	started = wait_nonzero(&counter);
	ga_executor_destroy(ex);
	ran = __atomic_load_n(&counter, __ATOMIC_RELAXED);
	ok(started && ran <= NR_DESTROY,
	   "threads=%u: destroyed with %d queued, %lu of them ran", nr_threads,
	   NR_DESTROY, ran);
	m = manual();
	for (int i = 0; i < NR_DESTROY; i++)
		requeued &= ga_work_queue(m, &items[i].work);
	ok(requeued, "threads=%u: unstarted items were left idle", nr_threads);
	is_long(ga_executor_run_pending(m), NR_DESTROY,
		"threads=%u: and run on another executor", nr_threads);
	ga_executor_destroy(m);
}

static void test_threads(unsigned int nr_threads, struct watchdog *wd)
{
	test_threads_stress(nr_threads, false, wd);
	test_threads_stress(nr_threads, true, wd);
	test_threads_flush_rounds(nr_threads, wd);
	test_threads_kick_rounds(nr_threads, wd);
	test_threads_requeue(nr_threads);
	test_threads_destroy(nr_threads);
	watchdog_pet(wd);
}

/* ------------------------------------------------------------------------ */
/* Errors.                                                                   */

static void test_errors(void)
{
	struct ga_executor *ex = NULL;

	is_long(ga_executor_create(&ex, (enum ga_executor_kind)7, 1), -EINVAL,
		"bad kind: -EINVAL");
	is_long(ga_executor_create(&ex, GA_EXECUTOR_THREADS, 0), -EINVAL,
		"THREADS with 0 threads: -EINVAL");
	is_long(ga_executor_create(&ex, GA_EXECUTOR_THREADS, 65), -EINVAL,
		"THREADS with 65 threads: -EINVAL");
	ok(!ex, "failed creates leave the pointer alone");
	is_long(ga_executor_create(&ex, GA_EXECUTOR_MANUAL, 1000), 0,
		"MANUAL ignores nr_threads");
	is_long(ga_executor_kind(ex), GA_EXECUTOR_MANUAL, "kind() is MANUAL");
	ga_executor_destroy(ex);
	is_long(ga_executor_create(&ex, GA_EXECUTOR_THREADS, 64), 0,
		"THREADS with 64 threads");
	is_long(ga_executor_kind(ex), GA_EXECUTOR_THREADS, "kind() is THREADS");
	is_long(ga_executor_run_pending(ex), 0, "flushing an idle executor");
	ga_executor_destroy(ex);
	ga_executor_destroy(NULL);
}

int main(void)
{
	struct watchdog wd;

	test_manual_order();
	test_manual_single_flight();
	test_manual_requeue();
	test_manual_children();
	test_manual_determinism();
	watchdog_start(&wd);
	test_threads(2, &wd);
	test_threads(4, &wd);
	watchdog_stop(&wd);
	test_errors();
	return done_testing();
}
