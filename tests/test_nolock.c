// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * ga_alloc_nolock (RFC 36) racing ordinary allocations, frees and pcp
 * drains on other threads, under the rfc preset (run under TSan in CI).
 * The nolock thread must never wait: it gets a page, -ENOMEM, or -EBUSY
 * when a lock is held. Afterwards every page is back and the checker
 * passes.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "harness.h"

#define NR_PAGES (1ul << 16)	/* 256 MiB */
#define NR_OPS 40000
#define NR_HELD 256

struct nolock_thread {
	struct ga_zone *z;
	unsigned int cpu;
	bool nolock;
	unsigned long served, busy, nomem, bad;
	ga_pfn_t held[NR_HELD];
	unsigned int order[NR_HELD];
};

static void *worker(void *arg)
{
	struct nolock_thread *t = arg;
	unsigned long long seed = 7 + t->cpu;
	unsigned int nr = 0;

	for (unsigned long i = 0; i < NR_OPS; i++) {
		unsigned int order = (unsigned int)(test_rand(&seed) % 4);
		unsigned int gfp = test_rand(&seed) % 3 ? GA_GFP_HIGHUSER_MOVABLE :
							  GA_GFP_KERNEL;
		ga_pfn_t pfn;
		int err;

		if (nr == NR_HELD || (nr && test_rand(&seed) % 2)) {
			unsigned int k = (unsigned int)(test_rand(&seed) % nr);

			if (ga_free(t->z, t->cpu, t->held[k], t->order[k]))
				t->bad++;
			t->held[k] = t->held[--nr];
			t->order[k] = t->order[nr];
			continue;
		}
		err = t->nolock ? ga_alloc_nolock(t->z, t->cpu, order, gfp, 1, &pfn) :
				  ga_alloc(t->z, t->cpu, order, gfp, 1, &pfn);
		if (!err) {
			t->held[nr] = pfn;
			t->order[nr++] = order;
			t->served++;
		} else if (err == -EBUSY) {
			t->busy++;
			sched_yield();	/* the holder may be preempted: let it run */
		} else if (err == -ENOMEM) {
			t->nomem++;
		} else {
			t->bad++;
		}
	}
	while (nr--)
		if (ga_free(t->z, t->cpu, t->held[nr], t->order[nr]))
			t->bad++;
	return NULL;
}

int main(void)
{
	struct ga_policy p;
	struct ga_zone_config cfg;
	struct ga_zone_info info;
	struct nolock_thread t[3] = {
		{ .cpu = 0, .nolock = true },
		{ .cpu = 1, .nolock = false },
		{ .cpu = 1, .nolock = true },
	};
	pthread_t th[3];
	struct ga_zone *z;

	ga_policy_preset(&p, "rfc");
	ga_zone_config_default(&cfg, 0, NR_PAGES, 2);
	cfg.spb_order = 14;	/* 4 SPBs of 64 MiB */
	cfg.policy = &p;
	if (ga_zone_create(&z, &cfg))
		abort();
	for (int i = 0; i < 3; i++) {
		t[i].z = z;
		pthread_create(&th[i], NULL, worker, &t[i]);
	}
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 3; i++) {
		is_long(t[i].bad, 0, "thread %d (%s): every call answered as documented",
			i, t[i].nolock ? "nolock" : "ga_alloc");
		ok(t[i].served > 0, "thread %d: %lu allocations served (%lu busy, "
		   "%lu nomem)", i, t[i].served, t[i].busy, t[i].nomem);
	}
	ga_drain_all_pcp(z);
	ga_zone_info(z, &info);
	is_long(info.free_pages, info.managed_pages, "every page came back");
	zone_ok(z, "checker after the race");
	ga_zone_destroy(z);
	return done_testing();
}
