// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Every locked path at once, meant for ThreadSanitizer (TSAN_TESTS): three
 * CPUs allocate, free, pin and long-term pin (SPB steering, pin
 * migration), take contiguous ranges and compact, while two executor
 * threads run evacuation and kcompactd, on each preset; the checker and
 * page conservation at every checkpoint and at the end (tests/stress.h).
 */
#include <stdlib.h>

#include "harness.h"
#include "stress.h"

int main(void)
{
	const char *const *presets = ga_policy_preset_names();
	const char *env = getenv("GA_STRESS_OPS");
	uint64_t ops = env ? strtoull(env, NULL, 0) : 60000;

	for (unsigned int i = 0; presets[i]; i++) {
		struct stress_config cfg = {
			.preset = presets[i], .nr_pages = 1ul << 15, .threads = 3,
			.exec_threads = 2, .ops = ops, .check_every = ops / 4,
			.seed = 1 + i, .contig = true, .compact = true,
		};
		struct stress_result r;
		int rc = stress_run(&cfg, &r);

		stress_ok(presets[i], "3 CPUs + 2 workers", rc, &r);
		ok(r.allocs > ops / 4 && r.frees > ops / 8, "%s: %llu allocs, %llu frees",
		   presets[i], (unsigned long long)r.allocs, (unsigned long long)r.frees);
		ok(r.pins > 0 && r.contig_ok > 0, "%s: %llu pins (%llu long-term), %llu contig",
		   presets[i], (unsigned long long)r.pins, (unsigned long long)r.longterm_pins,
		   (unsigned long long)r.contig_ok);
		diag("%s: migrated %llu, dropped %llu, reclaimed %llu, compactions %llu",
		     presets[i], (unsigned long long)r.migrations, (unsigned long long)r.drops,
		     (unsigned long long)r.reclaimed, (unsigned long long)r.compactions);
	}
	return done_testing();
}
