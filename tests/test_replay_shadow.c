// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * --shadow and the hugetlb probe. A trace the model itself wrote (a zone
 * driven by ga_alloc, its choices printed as mm_page_alloc lines) is
 * replayed in lockstep: every allocation lands on its pfn and every
 * decision agrees, under vanilla, rfc and spb; the real 6.1 excerpt's
 * extfrag events are attached to the allocation that followed them on
 * their CPU; the shipped capture replays in shadow mode with the
 * invariant checker on and consistent tallies; the probe takes what a
 * fresh zone has and gives it back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ftrace.h"
#include "harness.h"
#include "replay.h"
#include "trace.h"

#define PAGES	(32ul << 9)	/* 64 MiB */
#define NCPUS	2
#define STEPS	4000
#define MAXLIVE	2048

static const char *data_dir(void)
{
	const char *d = getenv("GA_TEST_DATA");

	return d ? d : "tests/data";
}

static void line(FILE *f, enum ft_kind kind, uint64_t ts, unsigned int cpu,
		 uint64_t pfn, unsigned int order, int mt, unsigned int gfp)
{
	struct ft_event ev = { .kind = (uint8_t)kind, .pfn = pfn, .ts_ns = ts,
			       .cpu = (uint16_t)cpu, .order = (uint8_t)order,
			       .mt = (int8_t)mt, .arg = (uint16_t)gfp };
	char buf[512];

	ft_format_event(&ev, buf, sizeof(buf));
	fprintf(f, "%s\n", buf);
}

static void extfrag(FILE *f, uint64_t ts, unsigned int cpu,
		    const struct ga_alloc_choice *c, unsigned int order, int mt)
{
	struct ft_event ev = { .kind = FT_EXTFRAG, .pfn = c->pfn, .ts_ns = ts,
			       .cpu = (uint16_t)cpu, .order = (uint8_t)order,
			       .mt = (int8_t)mt,
			       .arg = FT_EXTFRAG_ARG(c->from_order, (unsigned int)c->list_mt, 9),
			       .flags = (uint8_t)((c->fragmenting ? FT_F_FRAGMENTING : 0) |
						  (c->claim ? FT_F_CHANGE_OWNERSHIP : 0)) };
	char buf[512];

	ft_format_event(&ev, buf, sizeof(buf));
	fprintf(f, "%s\n", buf);
}

/*
 * The model as the traced kernel: a zone under policy p, driven by random
 * allocations and frees, its own choices written as a trace.
 */
static char *model_trace(const struct ga_policy *p, size_t *len)
{
	static const unsigned int gfps[] = {
		GA_GFP_KERNEL, GA_GFP_HIGHUSER_MOVABLE, GA_GFP_KERNEL_RECLAIMABLE,
		GA_GFP_HIGHUSER_MOVABLE,
	};
	static const unsigned int orders[] = { 0, 0, 0, 0, 1, 2, 3, 9 };
	struct { ga_pfn_t pfn; unsigned int order, cpu; } live[MAXLIVE];
	struct ga_zone *z = test_zone(PAGES, NCPUS, p);
	unsigned int seed = 6, nlive = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	for (uint64_t step = 1; step <= STEPS; step++) {
		unsigned int r = (unsigned int)rand_r(&seed), cpu = r % NCPUS;
		unsigned int order = orders[(r >> 2) % 8], gfp = gfps[(r >> 5) % 4];
		struct ga_alloc_choice c;
		struct ga_zone_info zi;
		ga_pfn_t pfn;

		ga_zone_info(z, &zi);
		if (nlive && ((r >> 9) % 100 < 45 || zi.free_pages < PAGES / 2 ||
			      nlive == MAXLIVE)) {
			unsigned int i = (r >> 12) % nlive;

			ga_free(z, cpu, live[i].pfn, live[i].order);
			line(f, FT_FREE, step * 1000, cpu, live[i].pfn, live[i].order, -1, 0);
			live[i] = live[--nlive];
			continue;
		}
		/* The kernel traces its fallbacks: so does the model (its peek
		 * is ga_alloc's decision, test_peek). */
		if (!ga_alloc_peek(z, cpu, order, gfp, &c) && c.fallback)
			extfrag(f, step * 1000, cpu, &c, order, ga_gfp_migratetype(gfp));
		if (ga_alloc(z, cpu, order, gfp, step, &pfn))
			continue;
		line(f, FT_ALLOC, step * 1000, cpu, pfn, order, ga_gfp_migratetype(gfp), gfp);
		live[nlive].pfn = pfn;
		live[nlive].order = order;
		live[nlive++].cpu = cpu;
	}
	ga_zone_destroy(z);
	fclose(f);
	return buf;
}

static void self_agreement(const char *preset)
{
	static struct replay_result res;
	struct replay_config cfg = { .zone_pages = PAGES, .nr_cpus = NCPUS,
				     .no_gib_test = true, .check = true, .shadow = true };
	const struct shadow_tally *a = &res.shadow.all;
	char err[256];
	struct trace t;
	size_t len;
	char *text;

	snprintf(cfg.policy_name, sizeof(cfg.policy_name), "%s", preset);
	ga_policy_preset(&cfg.policy, preset);
	/* Exact lockstep needs the same pcp lists on both sides (a refill
	 * caches pages the trace never shows) and no hint of past choices. */
	cfg.policy.pcp = false;
	cfg.policy.spb_hint_cache = false;
	text = model_trace(&cfg.policy, &len);
	if (!ok(!trace_load_mem(&t, text, len, false, err, sizeof(err)),
		"%s: the model's own trace loads", preset))
		diag("%s", err);
	is_long(replay_run(&t, &cfg, &res), 0, "%s: shadow replay with the invariant "
		"checker", preset);
	ok(a->asked > 1000 && a->asked == res.rp.allocs, "%s: every allocation asked (%llu)",
	   preset, (unsigned long long)a->asked);
	is_long((long)res.shadow.placed, (long)a->asked, "%s: each one placed at its pfn",
		preset);
	is_long((long)a->answered, (long)a->asked, "%s: the policy always had an answer",
		preset);
	is_long((long)a->same_pageblock, (long)a->asked,
		"%s: the same pageblock every time", preset);
	is_long((long)a->same_region, (long)a->asked, "%s: the same 1 GiB region", preset);
	ok(a->kernel_fallback > 0, "%s: with fallbacks (%llu)", preset,
	   (unsigned long long)a->kernel_fallback);
	is_long((long)a->same_fallback, (long)a->asked, "%s: fallback or not, always the "
		"same", preset);
	is_long((long)a->same_list, (long)a->asked, "%s: the same free list", preset);
	ok(res.shadow.relabelled > 0, "%s: the claims were followed (%llu pageblocks "
	   "relabelled)", preset, (unsigned long long)res.shadow.relabelled);
	trace_free(&t);
	free(text);
}

/* The 6.1 excerpt: one extfrag on CPU 1, then CPU 1's order-9 allocation. */
static void extfrag_attached(void)
{
	char path[512], err[256];
	struct trace t;
	size_t n = 0, at = 0;

	snprintf(path, sizeof(path), "%s/trace-6.1-excerpt.txt", data_dir());
	is_long(trace_load(&t, path, false, err, sizeof(err)), 0, "excerpt loads");
	for (size_t i = 0; i < t.nr; i++)
		if (t.fb[i]) {
			n++;
			at = i;
		}
	is_long((long)n, 1, "one allocation carries an extfrag (two come after the last "
		"allocation)");
	ok(n == 1 && t.ev[at].kind == FT_ALLOC && t.ev[at].pfn == 0x14600 &&
	   t.ev[at].order == 9 && t.ev[at].cpu == 1, "CPU 1's next allocation, pfn 0x14600");
	ok(n == 1 && (t.fb[at] & FT_FB_FELL_BACK) && FT_FB_MT(t.fb[at]) == GA_MT_MOVABLE &&
	   (t.fb[at] & FT_FB_CLAIM) && !(t.fb[at] & FT_FB_FRAGMENTING),
	   "fallback from the movable list, claiming, not fragmenting");
	trace_free(&t);
}

/* The shipped capture in lockstep, and with the hugetlb probe. */
static void capture(void)
{
	static struct replay_result res;
	struct replay_config cfg = { .zone_pages = 786432, .nr_cpus = 2, .no_gib_test = true,
				     .check = true, .shadow = true, .probe_1g = 1,
				     .probe_2m = 64 };
	const struct shadow_tally *a = &res.shadow.all;
	uint64_t sum = 0, kfb = 0;
	char path[512], err[256];
	struct trace t;

	snprintf(path, sizeof(path), "%s/capture-6.1/trace.gz", data_dir());
	is_long(trace_load(&t, path, false, err, sizeof(err)), 0, "capture loads");
	snprintf(cfg.policy_name, sizeof(cfg.policy_name), "vanilla");
	ga_policy_preset(&cfg.policy, "vanilla");
	is_long(replay_run(&t, &cfg, &res), 0, "capture: shadow replay, invariants hold: %s",
		res.sim.errmsg);
	is_long((long)a->asked, (long)(res.rp.allocs + res.rp.alloc_fail + res.rp.alloc_bad),
		"every replayable allocation asked");
	is_long((long)(res.shadow.placed + res.shadow.not_placed), (long)a->asked,
		"placed or not, each counted once");
	ok(res.shadow.placed > a->asked / 2, "most at the kernel's pfn (%llu of %llu)",
	   (unsigned long long)res.shadow.placed, (unsigned long long)a->asked);
	for (unsigned int o = 0; o < SHADOW_ORDERS; o++)
		for (int mt = 0; mt < GA_MT_PCPTYPES; mt++)
			sum += res.shadow.by[o][mt].asked;
	is_long((long)sum, (long)a->asked, "the per order/migratetype tallies add up");
	for (size_t i = 0; i < t.nr; i++)
		kfb += !!t.fb[i];
	is_long((long)a->kernel_fallback, (long)kfb, "kernel fallbacks = allocations after "
		"an extfrag (%llu)", (unsigned long long)kfb);
	ok(a->same_pageblock <= a->same_region && a->same_region <= a->answered &&
	   a->answered <= a->asked, "pageblock <= region <= answered <= asked");
	is_long(res.probe.gib_asked, 1, "probe: one 1 GiB page asked");
	is_long(res.probe.hp2m_asked, 64, "and 64 2 MiB pages");
	ok(res.probe.hp2m_got <= 64 && res.probe.gib_got <= 1, "got %u and %u",
	   res.probe.gib_got, res.probe.hp2m_got);
	trace_free(&t);
}

/* On an empty zone the probe gets everything it asks, then gives it back. */
static void probe_empty(void)
{
	static struct replay_result res;
	struct replay_config cfg = { .zone_pages = 3ul << 18, .nr_cpus = 2,
				     .check = true, .probe_1g = 1, .probe_2m = 100 };
	struct ft_event ev = { .kind = FT_ALLOC, .pfn = 5, .mt = 0, .arg = GA_GFP_KERNEL };
	char err[256], text[1024];
	struct trace t;

	ft_format_event(&ev, text, sizeof(text) - 1);
	strcat(text, "\n");
	is_long(trace_load_mem(&t, text, strlen(text), false, err, sizeof(err)), 0,
		"a one-allocation trace");
	snprintf(cfg.policy_name, sizeof(cfg.policy_name), "spb");
	ga_policy_preset(&cfg.policy, "spb");
	is_long(replay_run(&t, &cfg, &res), 0, "replay with the probe: %s", res.sim.errmsg);
	is_long(res.probe.gib_got, 1, "the 1 GiB page");
	is_long(res.probe.hp2m_got, 100, "all 100 2 MiB pages");
	is_long((long)res.gib.obtained, 2, "given back: the 1 GiB test after it gets the "
		"2 regions the traced page does not hold");
	trace_free(&t);
}

int main(void)
{
	self_agreement("vanilla");
	self_agreement("rfc");
	self_agreement("spb");
	extfrag_attached();
	capture();
	probe_empty();
	return done_testing();
}
