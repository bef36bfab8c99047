// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Every locked path at once, meant for ThreadSanitizer (TSAN_TESTS): three
 * CPUs allocate, free, pin and long-term pin (SPB steering, pin
 * migration), take contiguous ranges and compact, while two executor
 * threads run evacuation and kcompactd, on each preset; the checker and
 * page conservation at every checkpoint and at the end (tests/stress.h).
 * Then spb and rfc with per-CPU pageblocks and frees from other CPUs.
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "stress.h"

static const char *const pcp_buddy_on[] = {
	"pcp_buddy=on", "pcp_buddy_adopt=on", "pcp_buddy_reabsorb=on", NULL,
};

/* One stress run and its assertions; name says what was run. */
static void run(const char *name, const struct stress_config *cfg)
{
	uint64_t ops = cfg->ops;
	struct stress_result r;
	int rc = stress_run(cfg, &r);

	stress_ok(name, "3 CPUs + 2 workers", rc, &r);
	ok(r.allocs > ops / 4 && r.frees > ops / 8, "%s: %llu allocs, %llu frees",
	   name, (unsigned long long)r.allocs, (unsigned long long)r.frees);
	ok(r.pins > 0 && r.contig_ok > 0, "%s: %llu pins (%llu long-term), %llu contig",
	   name, (unsigned long long)r.pins, (unsigned long long)r.longterm_pins,
	   (unsigned long long)r.contig_ok);
	diag("%s: migrated %llu, dropped %llu, reclaimed %llu, compactions %llu",
	     name, (unsigned long long)r.migrations, (unsigned long long)r.drops,
	     (unsigned long long)r.reclaimed, (unsigned long long)r.compactions);
}

int main(void)
{
	const char *const *presets = ga_policy_preset_names();
	const char *env = getenv("GA_STRESS_OPS");
	uint64_t ops = env ? strtoull(env, NULL, 0) : 60000;
	/* GA_STRESS_PCP_BUDDY_ONLY=1: the per-CPU pageblock runs alone
	 * (scripts/tsan-loop on the race they once had). */
	bool only = getenv("GA_STRESS_PCP_BUDDY_ONLY") != NULL;
	char name[64];

	for (unsigned int i = 0; presets[i] && !only; i++) {
		struct stress_config cfg = {
			.preset = presets[i], .nr_pages = 1ul << 15, .threads = 3,
			.exec_threads = 2, .ops = ops, .check_every = ops / 4,
			.seed = 1 + i, .contig = true, .compact = true,
		};

		run(presets[i], &cfg);
	}
	/*
	 * Per-CPU pageblocks with frees from CPUs that did not allocate (the
	 * jemalloc-purger pattern RFC 03 was written for): remote frees onto
	 * owners' lock-free lists, drains merging owned pages, while
	 * compaction, evacuation and contiguous ranges isolate pages without
	 * a lock. Once on spb (the bitmap index) and once on rfc.
	 */
	for (unsigned int i = 0; i < 2; i++) {
		const char *preset = i ? "rfc" : "spb";
		struct stress_config cfg = {
			.preset = preset, .nr_pages = 1ul << 15, .threads = 3,
			.exec_threads = 2, .ops = ops, .check_every = ops / 4,
			.seed = 101 + i, .contig = true, .compact = true,
			.cross_cpu = true, .set = pcp_buddy_on,
		};

		snprintf(name, sizeof(name), "%s + pcp_buddy, cross-CPU frees", preset);
		run(name, &cfg);
	}
	return done_testing();
}
