// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * ga_alloc_peek: on zones driven into mixed, fragmented states under the
 * vanilla, rfc and spb presets, with the plain pcp lists, with per-CPU
 * pageblocks (pcp_buddy: owned chunks, remote frees, the phased refill)
 * and without pcp, every answer is the block the next
 * ga_alloc of the same request takes, the peek itself changes nothing (no
 * counter but the zone->lock count, no free page, no pcp page), its fallback and claim flags match
 * the counters the allocation then bumps, and bad requests are refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gigalloc.h"
#include "harness.h"

#define NPAGES	(64ul << 9)	/* 64 pageblocks: 128 MiB */
#define NCPUS	2
#define STEPS	6000
#define MAXLIVE	4096

struct live {
	ga_pfn_t pfn;
	unsigned int order;
};

static const unsigned int gfps[] = {
	GA_GFP_KERNEL, GA_GFP_HIGHUSER_MOVABLE, GA_GFP_KERNEL_RECLAIMABLE,
	GA_GFP_HIGHUSER_MOVABLE, GA_GFP_HIGHUSER_MOVABLE,
};

static unsigned int pick_order(unsigned int r)
{
	static const unsigned int orders[] = { 0, 0, 0, 0, 0, 1, 2, 3, 4, 9 };

	return orders[r % (sizeof(orders) / sizeof(orders[0]))];
}

/* Equal but for zone->lock acquisitions: the peek takes the lock too. */
static bool same_stats(const struct ga_stats *a, const struct ga_stats *b)
{
	struct ga_stats x = *a, y = *b;

	x.v[GA_STAT_ZONE_LOCK] = y.v[GA_STAT_ZONE_LOCK] = 0;
	return !memcmp(&x, &y, sizeof(x));
}

/*
 * Drive the zone with random allocations and frees; before each
 * allocation, peek and compare. pcp off: the fallback flags can be
 * checked against the counters (a pcp refill takes many blocks).
 */
/*
 * full: a zone of 8 superpageblocks kept nearly full (frees only below an
 * eighth free), so refills run out of whole pageblocks and per-CPU
 * pageblocks go through adoption, chunks and __rmqueue too.
 */
static void agree(const char *preset, bool pcp, bool pcp_buddy, bool full)
{
	struct ga_policy p;
	struct ga_zone *z;
	struct live *live = calloc(MAXLIVE, sizeof(*live));
	unsigned long nlive = 0, same = 0, asked = 0, fb_ok = 0, fb_seen = 0;
	unsigned long unchanged = 0, claim_ok = 0, enomem_ok = 0, nomem = 0, served = 0;
	unsigned long refills = 0;
	unsigned int seed = 14;

	char name[64];

	ga_policy_preset(&p, preset);
	p.pcp = pcp;
	p.pcp_buddy = pcp_buddy;
	p.pcp_buddy_adopt = pcp_buddy;
	struct ga_zone_config zc;

	snprintf(name, sizeof(name), "%s%s%s", preset,
		 !pcp ? " (no pcp)" : pcp_buddy ? " (pcp_buddy)" : " (pcp_buddy off)",
		 full ? ", full" : "");
	preset = name;
	ga_zone_config_default(&zc, 0, NPAGES, NCPUS);
	zc.policy = &p;
	if (full)
		zc.spb_order = zc.pageblock_order + 3;
	if (ga_zone_create(&z, &zc)) {
		printf("Bail out! ga_zone_create\n");
		exit(1);
	}
	for (int step = 0; step < STEPS; step++) {
		unsigned int r = (unsigned int)rand_r(&seed);
		unsigned int cpu = r % NCPUS, order = pick_order(r >> 3);
		unsigned int gfp = gfps[(r >> 8) % (sizeof(gfps) / sizeof(gfps[0]))];
		struct ga_zone_info zi0, zi1;
		struct ga_stats s0, s1, s2;
		struct ga_alloc_choice c;
		ga_pfn_t pfn;
		int pe, ae;

		/* Free a random live block (about as often as we allocate, and
		 * always once the zone is half full). */
		ga_zone_info(z, &zi0);
		if (nlive && ((r >> 12) % 100 < (full ? 30u : 45u) ||
			      zi0.free_pages < NPAGES / (full ? 8 : 2))) {
			unsigned long i = (r >> 4) % nlive;

			if (ga_free(z, cpu, live[i].pfn, live[i].order))
				ok(0, "ga_free of a live block");
			live[i] = live[--nlive];
			continue;
		}
		if (nlive == MAXLIVE)
			continue;
		ga_zone_stats(z, &s0);
		pe = ga_alloc_peek(z, cpu, order, gfp, &c);
		ga_zone_stats(z, &s1);
		ga_zone_info(z, &zi1);
		unchanged += same_stats(&s0, &s1) && zi0.free_pages == zi1.free_pages &&
			     zi0.pcp_pages == zi1.pcp_pages;
		ae = ga_alloc(z, cpu, order, gfp, (uint64_t)step, &pfn);
		ga_zone_stats(z, &s2);
		refills += s2.v[GA_STAT_PCP_REFILL] > s1.v[GA_STAT_PCP_REFILL];
		asked++;
		if (pe) {
			nomem++;
			enomem_ok += pe == -ENOMEM && ae == -ENOMEM;
			continue;
		}
		if (ae)
			continue;
		served++;
		same += pfn == c.pfn;
		live[nlive].pfn = pfn;
		live[nlive++].order = order;
		if (!pcp) {
			bool fell = s2.v[GA_STAT_FALLBACK] > s1.v[GA_STAT_FALLBACK];
			bool claimed = s2.v[GA_STAT_CLAIM_WHOLE] + s2.v[GA_STAT_CLAIM_PARTIAL] >
				       s1.v[GA_STAT_CLAIM_WHOLE] + s1.v[GA_STAT_CLAIM_PARTIAL];

			fb_ok += fell == c.fallback;
			fb_seen += fell;
			claim_ok += claimed == c.claim;
		}
	}
	is_long((long)unchanged, (long)asked, "%s: no peek changed a counter or a page "
		"(%lu asked)", preset, asked);
	is_long((long)same, (long)served, "%s: ga_alloc took the block peeked every "
		"time (%lu, %lu after a pcp refill)", preset, served, refills);
	if (pcp)
		ok(refills > 50, "%s: the run refilled the pcp %lu times", preset, refills);
	is_long((long)enomem_ok, (long)nomem, "%s: a peek's -ENOMEM is ga_alloc's", preset);
	if (!pcp) {
		is_long((long)fb_ok, (long)served, "%s: fallback flag = "
			"the counter, every time (%lu fallbacks)", preset, fb_seen);
		ok(fb_seen > 0, "%s: the run had fallbacks to compare", preset);
		is_long((long)claim_ok, (long)served, "%s: claim flag = "
			"the counters", preset);
	}
	if (pcp_buddy) {
		struct ga_stats st;

		ga_zone_stats(z, &st);
		diag("%s: claims %llu, recovers %llu, adoptions %llu, chunks %llu, "
		     "rmqueue pages %llu, remote frees %llu", preset,
		     (unsigned long long)st.v[GA_STAT_PCPB_CLAIM],
		     (unsigned long long)st.v[GA_STAT_PCPB_RECOVER],
		     (unsigned long long)st.v[GA_STAT_PCPB_ADOPT],
		     (unsigned long long)st.v[GA_STAT_PCPB_CHUNK],
		     (unsigned long long)st.v[GA_STAT_PCPB_RMQUEUE_PAGES],
		     (unsigned long long)st.v[GA_STAT_PCPB_REMOTE_FREE]);
	}
	zone_ok(z, "%s: invariants after the run", preset);
	ga_zone_destroy(z);
	free(live);
}

static void refusals(void)
{
	struct ga_policy p;
	struct ga_zone *z;
	struct ga_alloc_choice c;

	ga_policy_preset(&p, "vanilla");
	z = test_zone(NPAGES, NCPUS, &p);
	is_long(ga_alloc_peek(z, NCPUS, 0, GA_GFP_KERNEL, &c), -EINVAL, "bad cpu: -EINVAL");
	is_long(ga_alloc_peek(z, 0, 0, GA_GFP_MOVABLE | GA_GFP_RECLAIMABLE, &c), -EINVAL,
		"bad gfp: -EINVAL");
	is_long(ga_alloc_peek(z, 0, 0, GA_GFP_KERNEL, NULL), -EINVAL, "no result: -EINVAL");
	is_long(ga_alloc_peek(z, 0, 30, GA_GFP_KERNEL, &c), -E2BIG, "order 30: -E2BIG");
	ga_drain_all_pcp(z);
	is_long(ga_alloc_peek(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, &c), 0, "a fresh zone: 0");
	ok(!c.pcp && !c.fallback && c.list_mt == GA_MT_MOVABLE,
	   "from the buddy's movable list, no fallback");
	is_long(ga_alloc_peek(z, 0, 0, GA_GFP_KERNEL, &c), 0, "unmovable on a movable zone");
	ok(c.fallback && c.claim && c.list_mt == GA_MT_MOVABLE && !c.fragmenting,
	   "a fallback claiming a whole movable block (%d %d %d %d)", c.fallback, c.claim,
	   c.list_mt, c.fragmenting);
	zone_ok(z, "invariants");
	ga_zone_destroy(z);
}

int main(void)
{
	refusals();
	static const char *const presets[] = { "vanilla", "rfc", "spb" };

	for (unsigned int i = 0; i < 3; i++) {
		agree(presets[i], true, false, false);
		agree(presets[i], true, true, false);
		agree(presets[i], true, true, true);
		agree(presets[i], false, false, false);
	}
	return done_testing();
}
