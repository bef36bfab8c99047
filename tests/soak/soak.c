// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * make soak: random operations on every preset (threads, mixed orders and
 * mobilities, pins, long-term pins, contiguous ranges, compaction, the
 * executor's workers), the invariant checker and page conservation every
 * CHECK_EVERY operations (tests/stress.h). Prints the operations run and
 * every break; exits 1 on any.
 *
 *   soak [TOTAL_OPS [THREADS]]     default 10^9 operations over the presets
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../stress.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	uint64_t total = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000000000ull;
	unsigned int threads = argc > 2 ? (unsigned int)atoi(argv[2]) : 4;
	const char *const *presets = ga_policy_preset_names();
	unsigned int nr = 0;
	uint64_t ops = 0, breaks = 0;
	double t0 = now_s();

	while (presets[nr])
		nr++;
	for (unsigned int i = 0; i < nr; i++) {
		struct stress_config cfg = {
			.preset = presets[i], .nr_pages = 1ul << 16, .threads = threads,
			.exec_threads = getenv("SOAK_NO_EXEC") ? 0 : 2, .ops = total / nr,
			.check_every = getenv("SOAK_CHECK") ? strtoull(getenv("SOAK_CHECK"), NULL, 0) :
							      1000000,
			.seed = 16 + i, .contig = !getenv("SOAK_NO_CONTIG"),
			.compact = !getenv("SOAK_NO_COMPACT"),
		};
		struct stress_result r;
		double t1 = now_s();
		int rc = stress_run(&cfg, &r);
		uint64_t b = r.invariant_breaks + r.conservation_breaks + r.anomalies +
			     r.unexpected_errors;

		printf("soak %-9s %llu ops in %.0f s (%.2f M ops/s), %llu checks: "
		       "%llu invariant breaks, %llu conservation breaks, %llu anomalies, "
		       "%llu unexpected errors\n"
		       "          allocs %llu (failed %llu) frees %llu pins %llu (long-term %llu) "
		       "contig %llu compactions %llu migrated %llu dropped %llu reclaimed %llu\n",
		       presets[i], (unsigned long long)r.ops, now_s() - t1,
		       (double)r.ops / (now_s() - t1) / 1e6, (unsigned long long)r.checks,
		       (unsigned long long)r.invariant_breaks,
		       (unsigned long long)r.conservation_breaks,
		       (unsigned long long)r.anomalies, (unsigned long long)r.unexpected_errors,
		       (unsigned long long)r.allocs, (unsigned long long)r.alloc_fail,
		       (unsigned long long)r.frees, (unsigned long long)r.pins,
		       (unsigned long long)r.longterm_pins, (unsigned long long)r.contig_ok,
		       (unsigned long long)r.compactions, (unsigned long long)r.migrations,
		       (unsigned long long)r.drops, (unsigned long long)r.reclaimed);
		if (rc)
			printf("          first problem: %s\n", r.first_problem);
		fflush(stdout);
		ops += r.ops;
		breaks += b;
	}
	printf("soak total: %llu operations in %.0f s, %llu breaks\n",
	       (unsigned long long)ops, now_s() - t0, (unsigned long long)breaks);
	return breaks ? 1 : 0;
}
