/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Small fixtures shared by the superpageblock and evacuation tests
 * (test_spb, test_rfc, test_evacuate, test_spb_defrag): a zone counter, a
 * preset with only the mechanism under test acting, an SPB's state.
 * Header-only, so a test includes what it uses and nothing else links it.
 */
#ifndef GA_TEST_ZONE_FIXTURE_H
#define GA_TEST_ZONE_FIXTURE_H

#include "gigalloc.h"

/* One counter of ga_zone_stats. */
static inline uint64_t stat_of(struct ga_zone *z, enum ga_stat_item item)
{
	struct ga_stats s;

	ga_zone_stats(z, &s);
	return s.v[item];
}

/*
 * A preset with the noise off: no pcp lists, no watermark boost, no
 * highatomic reserve, a low min_free_kbytes so a test can fill the zone.
 */
static inline struct ga_policy quiet_policy(const char *preset)
{
	struct ga_policy p;

	ga_policy_preset(&p, preset);
	p.pcp = false;
	p.min_free_kbytes = 64;
	p.watermark_boost_factor = 0;
	p.highatomic = false;
	return p;
}

static inline struct ga_spb_info spb_info(struct ga_zone *z, unsigned long spb)
{
	struct ga_spb_info info;

	ga_spb_query(z, spb, &info);
	return info;
}

/* The SPB's category (GA_SPB_EMPTY, _CLEAN, _TAINTED, ...). */
static inline int spb_category(struct ga_zone *z, unsigned long spb)
{
	return spb_info(z, spb).category;
}

#endif
