// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The series as posted (the `rfc` preset): its fullness-list search and
 * hint cache, against gigalloc's bitmap index, each with a constructed
 * state whose outcome and search cost are asserted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "internal.h"

#define GIB (1ul << 18)

static uint64_t stat_of(struct ga_zone *z, enum ga_stat_item item)
{
	struct ga_stats s;

	ga_zone_stats(z, &s);
	return s.v[item];
}

static struct ga_policy policy(const char *preset)
{
	struct ga_policy p;

	ga_policy_preset(&p, preset);
	p.pcp = false;
	p.min_free_kbytes = 64;
	p.watermark_boost_factor = 0;
	p.highatomic = false;
	return p;
}

static struct ga_zone *zone_spb_order(unsigned long nr_pages, unsigned int spb_order,
				      const struct ga_policy *p)
{
	struct ga_zone_config cfg;
	struct ga_zone *z;

	ga_zone_config_default(&cfg, 0, nr_pages, 1);
	cfg.spb_order = spb_order;
	cfg.policy = p;
	if (ga_zone_create(&z, &cfg))
		abort();
	return z;
}

/* Every page allocated as an order-0 movable page; pfns[pfn] = 1 if held. */
static uint8_t *fill_order0(struct ga_zone *z, unsigned long nr_pages)
{
	uint8_t *held = calloc(nr_pages, 1);
	ga_pfn_t pfn;

	while (!ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE | GA_GFP_HIGH, 1, &pfn))
		held[pfn] = 1;
	return held;
}

static void free_page(struct ga_zone *z, uint8_t *held, ga_pfn_t pfn)
{
	if (held[pfn] && !ga_free(z, 0, pfn, 0))
		held[pfn] = 0;
}

/*
 * RFC 12 takes the fullest clean SPB; gigalloc's index takes the smallest
 * fitting block first. SPB 0 is 90 % full with its free space in order-3
 * blocks; SPB 1 is half full and has one order-0 hole. An order-0 movable
 * page goes to SPB 0 under the walk, to SPB 1's hole under the index.
 */
static long fullest_scenario(bool walk)
{
	struct ga_policy p = policy("rfc");
	unsigned long n = 2 * GIB;
	struct ga_zone *z;
	uint8_t *held;
	ga_pfn_t pfn;
	long spb;

	p.spb_fullness_walk = walk;
	p.spb_hint_cache = false;
	z = zone_spb_order(n, 18, &p);
	held = fill_order0(z, n);
	for (ga_pfn_t q = 0; q < GIB; q++)
		if (q % 80 < 8)
			free_page(z, held, q);
	for (ga_pfn_t q = GIB; q < 2 * GIB; q++)
		if (q % 16 < 8)
			free_page(z, held, q);
	free_page(z, held, GIB + 16 * 100 + 8);	/* the order-0 hole */
	spb = ga_alloc(z, 0, 0, GA_GFP_HIGHUSER_MOVABLE, 2, &pfn) ? -1 :
	      (long)(pfn / GIB);
	zone_ok(z, "walk %d: checker (fullness lists included)", walk);
	free(held);
	ga_zone_destroy(z);
	return spb;
}

static void test_fullest_first(void)
{
	is_long(fullest_scenario(true), 0,
		"fullness walk: the movable page goes to the fullest clean SPB");
	is_long(fullest_scenario(false), 1,
		"bitmap index: it goes to the other SPB's order-0 hole (best fit)");
}

/*
 * A walk that must be long: 128 SPBs of 16 MiB, all full but for one
 * order-0 hole each (the fullest bucket), and SPB 127 with a quarter free
 * in order-3 blocks. An order-3 movable request walks every SPB of the
 * fullest bucket before it reaches SPB 127; the index finds it at once;
 * with the hint cache the next request probes SPB 127 first.
 */
static void long_walk_scenario(bool walk, bool hint, struct ga_spb_summary *first,
			       struct ga_spb_summary *second, uint64_t *hits)
{
	struct ga_policy p = policy("rfc");
	const unsigned int spb_order = 12;
	const unsigned long per = 1ul << spb_order, nr = 128, n = nr * per;
	struct ga_zone *z;
	uint8_t *held;
	ga_pfn_t pfn, last = (nr - 1) * per;
	int err;

	p.spb_fullness_walk = walk;
	p.spb_hint_cache = hint;
	z = zone_spb_order(n, spb_order, &p);
	held = fill_order0(z, n);
	for (unsigned long s = 0; s + 1 < nr; s++)
		free_page(z, held, s * per + 100);
	for (ga_pfn_t q = last; q < last + per / 2; q++)
		if (q % 16 < 8)
			free_page(z, held, q);
	/* What the fill and the frees cost is not what is measured: reset. */
	memset(&z->spb_search, 0, sizeof(z->spb_search));
	err = ga_alloc(z, 0, 3, GA_GFP_HIGHUSER_MOVABLE, 2, &pfn);
	ok(!err && pfn >= last, "walk %d hint %d: the order-3 page is in the last SPB",
	   walk, hint);
	ga_spb_summary(z, first);
	*hits = stat_of(z, GA_STAT_SPB_HINT_HIT);
	err = ga_alloc(z, 0, 3, GA_GFP_HIGHUSER_MOVABLE, 3, &pfn);
	ok(!err && pfn >= last, "walk %d hint %d: so is the next one", walk, hint);
	ga_spb_summary(z, second);
	*hits = stat_of(z, GA_STAT_SPB_HINT_HIT) - *hits;
	zone_ok(z, "walk %d hint %d: checker", walk, hint);
	free(held);
	ga_zone_destroy(z);
}

static void test_long_walk(void)
{
	struct ga_spb_summary a, b;
	uint64_t hits;

	long_walk_scenario(true, false, &a, &b, &hits);
	ok(a.visits.max >= 128, "walk, no hint: %u SPBs examined (>= 128)", a.visits.max);
	is_long(a.words.max, 0, "walk: no index words scanned");
	ok(b.visits.median >= 128, "walk, no hint: the second walks as far (median %u)",
	   b.visits.median);
	is_long(b.visits.ge100, 2, "both allocations examined 100 SPBs or more");

	long_walk_scenario(true, true, &a, &b, &hits);
	ok(a.visits.max >= 128, "walk + hint: the first request still walks (%u)",
	   a.visits.max);
	is_long(hits, 1, "walk + hint: the second request hits the hint");
	is_long(b.visits.ge100, 1, "walk + hint: only the first examined >= 100");
	is_long(b.visits.median, 1, "walk + hint: median of the two is the hint's 1 visit");

	long_walk_scenario(false, false, &a, &b, &hits);
	is_long(a.visits.max, 1, "index: one SPB examined");
	ok(a.words.max >= 1 && a.words.max <= 64,
	   "index: %u words scanned (128 SPBs = 2 words per bitmap)", a.words.max);
}

/* The rfc preset is the series: its search, none of gigalloc's switches. */
static void test_rfc_preset(void)
{
	struct ga_policy r, s, v;

	ga_policy_preset(&r, "rfc");
	ga_policy_preset(&s, "spb");
	ga_policy_preset(&v, "vanilla");
	ok(r.spb_fullness_walk && r.spb_hint_cache, "rfc walks lists with the hint cache");
	ok(!s.spb_fullness_walk, "spb keeps the bitmap index");
	ok(!v.spb_fullness_walk && !v.spb_hint_cache, "vanilla has neither");
	ok(!r.spb_fill_holes && !r.spb_tainted_last && !r.spb_taint_roomiest &&
	   !r.spb_pin_migrate && !r.spb_relax_placement,
	   "rfc has none of gigalloc's own steering switches");
	ok(r.spb_free_lists && r.spb_steer_movable && r.spb_steer_nonmovable &&
	   r.spb_no_mixing && r.evacuate && r.spb_contig,
	   "rfc has the series' mechanisms");
	is_long(strcmp(ga_policy_compare_names()[1], "rfc"), 0,
		"rfc is compared between vanilla and spb");
}

int main(void)
{
	test_rfc_preset();
	test_fullest_first();
	test_long_walk();
	return done_testing();
}
