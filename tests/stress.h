/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A concurrent stress engine over the public API, shared by the soak
 * (`make soak`, 10^9 operations) and the ThreadSanitizer test
 * (tests/test_concurrency.c): worker threads allocate and free mixed
 * orders and mobilities, pin and long-term pin (migrating into tainted
 * superpageblocks), take and free contiguous ranges and compact the zone,
 * while the executor's worker threads run evacuation and kcompactd. An
 * owner table with a lock per owner plays the embedder: the migrate,
 * drop and reclaim callbacks update it; one that would move or drop a
 * pinned page is an anomaly, one about a page the owner no longer holds
 * is answered -ENOENT as the API allows under threads. At every checkpoint the workers
 * stop, the invariant checker runs and page conservation is checked (every
 * live owner holds its allocation; pages allocated in the zone = pages the
 * owners hold).
 */
#ifndef GA_TEST_STRESS_H
#define GA_TEST_STRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "gigalloc.h"
#include "harness.h"

struct stress_config {
	const char *preset;		/* policy preset */
	unsigned long nr_pages;		/* zone size (pageblock-aligned) */
	unsigned int threads;		/* worker threads (= CPUs of the zone) */
	unsigned int exec_threads;	/* executor threads; 0 = no executor */
	uint64_t ops;			/* operations in total */
	uint64_t check_every;		/* operations between checkpoints */
	uint64_t seed;
	bool contig;			/* contiguous ranges */
	bool compact;			/* ga_compact_zone from the workers */
	/* ga_zone_resize from the workers: the zone may grow to twice
	 * nr_pages and shrinks to any superpageblock boundary down to a
	 * quarter of that (nr_pages a multiple of 4 superpageblocks). */
	bool resize;
	/* Each worker frees (and pins) objects any worker allocated: the
	 * jemalloc-purger pattern, frees from a CPU that did not allocate. */
	bool cross_cpu;
	/* Policy assignments on top of the preset, NULL-terminated. */
	const char *const *set;
};

struct stress_result {
	uint64_t ops;			/* operations run */
	uint64_t checks;		/* checkpoints */
	uint64_t invariant_breaks;	/* checker failures */
	uint64_t conservation_breaks;	/* owner/zone disagreements */
	uint64_t anomalies;		/* callbacks moving or dropping a pinned page */
	uint64_t stale_callbacks;	/* about a page the owner freed (-ENOENT) */
	uint64_t unexpected_errors;	/* errors the API does not document */
	uint64_t allocs, frees, alloc_fail, pins, longterm_pins, contig_ok;
	uint64_t migrations, drops, reclaimed, compactions;
	uint64_t grows, shrinks, shrink_refused;	/* ga_zone_resize outcomes */
	char first_problem[512];
};

/* Run; 0 if nothing broke, else -EUCLEAN (see res). */
int stress_run(const struct stress_config *cfg, struct stress_result *res);

/* The TAP points every threaded stress test asserts of a run of preset
 * (rc from stress_run; what says how it ran): it finished, the checker
 * held at every checkpoint, pages were conserved, no callback named a
 * page its owner does not hold. */
static inline void stress_ok(const char *preset, const char *what, int rc,
			     const struct stress_result *r)
{
	is_long(rc, 0, "%s: %llu ops on %s: %s", preset, (unsigned long long)r->ops,
		what, rc ? r->first_problem : "no break");
	is_long(r->invariant_breaks, 0, "%s: checker at %llu checkpoints", preset,
		(unsigned long long)r->checks);
	is_long(r->conservation_breaks, 0, "%s: pages conserved", preset);
	is_long(r->anomalies, 0, "%s: no callback about a page not held", preset);
}

#endif
