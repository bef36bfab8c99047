// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Statistics and reports: counter names and sums, ga_zone_info, the
 * buddyinfo/pagetypeinfo/vmstat/extfrag texts, and the fragmentation
 * indices, each against a free-list state built by hand.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define N_64M	16384ul		/* 64 MiB of 4 KiB pages */
#define N_2G	524288ul	/* 2 GiB: two 1 GiB (order-18) regions */

/* Run one of the printers into a malloc'd string. */
static char *capture(void (*print)(struct ga_zone *, FILE *), struct ga_zone *z)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		printf("Bail out! open_memstream failed\n");
		exit(1);
	}
	print(z, f);
	fclose(f);
	return buf;
}

/* A policy whose min watermark is 0 pages (1 KiB >> 2), so the zone fills. */
static struct ga_policy fill_policy(void)
{
	struct ga_policy p = test_policy(false);

	p.min_free_kbytes = 1;
	return p;
}

/* Allocate every page as movable order 0; returns how many succeeded. */
static unsigned long fill_order0(struct ga_zone *z, ga_pfn_t *pfns,
				 unsigned long max)
{
	unsigned long n = 0;

	if (!pfns) {
		printf("Bail out! out of memory\n");
		exit(1);
	}

	while (n < max && ga_alloc(z, 0, 0, GA_GFP_MOVABLE, n, &pfns[n]) == 0)
		n++;
	return n;
}

/* Parse a buddyinfo line back into nr[]; returns the number of orders read. */
static int parse_buddyinfo(const char *text, unsigned long *nr, int max)
{
	const char *prefix = "Node 0, zone   Normal ";
	char *end;
	int n = 0;

	if (strncmp(text, prefix, strlen(prefix)))
		return -1;
	text += strlen(prefix);
	while (n < max) {
		unsigned long v = strtoul(text, &end, 10);

		if (end == text)
			break;
		nr[n++] = v;
		text = end;
	}
	return *text == ' ' || *text == '\n' ? n : -1;
}

/*
 * The six per-type numbers on the "Node 0, zone   Normal" line under the
 * header that starts with title. Returns 0, or -1 if not found.
 */
static int parse_type_counts(const char *text, const char *title,
			     unsigned long *count)
{
	const char *prefix = "Node 0, zone   Normal ";
	const char *p = strstr(text, title);
	char *end;

	if (!p || !(p = strchr(p, '\n')))
		return -1;
	p++;
	if (strncmp(p, prefix, strlen(prefix)))
		return -1;
	p += strlen(prefix);
	for (int mt = 0; mt < GA_MT_TYPES; mt++) {
		count[mt] = strtoul(p, &end, 10);
		if (end == p)
			return -1;
		p = end;
	}
	return 0;
}

/* line (ending in a newline) is a whole line of text. */
static bool line_present(const char *text, const char *line)
{
	for (const char *p = text; (p = strstr(p, line)); p++)
		if (p == text || p[-1] == '\n')
			return true;
	return false;
}

/* ------------------------------------------------------------------------ */

static void test_names(void)
{
	static const char *const mt_names[GA_MT_TYPES] = {
		"Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate",
	};
	bool all_set = true, all_snake = true, distinct = true;

	for (int mt = 0; mt < GA_MT_TYPES; mt++)
		ok(!strcmp(ga_migratetype_name(mt), mt_names[mt]),
		   "migratetype %d is named %s", mt, mt_names[mt]);
	ok(!strcmp(ga_migratetype_name(-1), "?") &&
	   !strcmp(ga_migratetype_name(GA_MT_TYPES), "?"),
	   "out-of-range migratetypes are named ?");

	for (int i = 0; i < GA_NR_STATS; i++) {
		const char *name = ga_stat_name(i);

		if (!name || !*name || !strcmp(name, "?")) {
			all_set = false;
			continue;
		}
		for (const char *c = name; *c; c++)
			if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) &&
			    *c != '_')
				all_snake = false;
		for (int j = 0; j < i; j++)
			if (ga_stat_name(j) && !strcmp(ga_stat_name(j), name))
				distinct = false;
	}
	ok(all_set, "every stat item has a name");
	ok(all_snake, "stat names are lower_snake_case");
	ok(distinct, "stat names are distinct");
	ok(!strcmp(ga_stat_name(GA_STAT_PGALLOC), "pgalloc"), "GA_STAT_PGALLOC is pgalloc");
	ok(!strcmp(ga_stat_name(GA_STAT_FALLBACK_CHANGE_OWNERSHIP),
		   "fallback_change_ownership"),
	   "GA_STAT_FALLBACK_CHANGE_OWNERSHIP is fallback_change_ownership");
	ok(!strcmp(ga_stat_name(GA_STAT_BAD_ARG), "bad_arg"), "last item is bad_arg");
	ok(!strcmp(ga_stat_name(GA_NR_STATS), "?"), "GA_NR_STATS itself is ?");
}

/* A fresh 64 MiB zone: sixteen order-10 blocks and nothing else. */
static void test_fresh_zone(void)
{
	struct ga_policy p = test_policy(false);
	struct ga_zone *z = test_zone(N_64M, 1, &p);
	struct ga_zone_info info;
	char want[256], *text;
	int len;

	zone_ok(z, "fresh 64 MiB zone is consistent");
	len = snprintf(want, sizeof(want), "Node 0, zone   Normal ");
	for (int o = 0; o < 10; o++)
		len += snprintf(want + len, sizeof(want) - len, "     0 ");
	snprintf(want + len, sizeof(want) - len, "    16 \n");
	text = capture(ga_print_buddyinfo, z);
	ok(!strcmp(text, want), "buddyinfo of a fresh zone is exactly the kernel line");
	if (strcmp(text, want))
		diag("got '%s' want '%s'", text, want);
	free(text);

	ga_zone_info(z, &info);
	is_long(info.free_pages, N_64M, "fresh zone: free_pages is 16384");
	is_long(info.start_pfn, 0, "start_pfn");
	is_long(info.end_pfn, N_64M, "end_pfn");
	is_long(info.present_pages, N_64M, "present_pages");
	is_long(info.managed_pages, N_64M, "managed_pages");
	is_long(info.reserved_pages, 0, "reserved_pages");
	is_long(info.nr_pageblocks, 32, "32 pageblocks");
	ok(info.page_shift == 12 && info.pageblock_order == 9 &&
	   info.max_page_order == 10 && info.spb_order == 18 && info.nr_cpus == 1,
	   "geometry is the x86-64 default");
	is_long(info.nr_free[10], 16, "nr_free[10] is 16");
	is_long(info.nr_free_mt[10][GA_MT_MOVABLE], 16, "all on the movable list");
	is_long(info.blocks_mt[GA_MT_MOVABLE], 32, "every block labelled movable");
	is_long(info.pcp_pages, 0, "no pcp pages");
	ok(info.wmark_min <= info.wmark_low && info.wmark_low <= info.wmark_high &&
	   info.wmark_high > 0, "watermarks are ordered");
	is_long(info.min_free_kbytes, 16, "min_free_kbytes from the policy");
	ok(info.nr_free[11] == 0 && info.nr_free[GA_MAX_ORDER_LIMIT] == 0,
	   "orders above max_order stay 0");

	is_long(ga_unusable_index(z, 10), 0, "fresh: unusable index at order 10 is 0");
	is_long(ga_fragmentation_index(z, 10), -1000,
		"fresh: an order-10 request would succeed (-1000)");
	is_long(ga_unusable_index(z, 11), 0,
		"fresh: the zone is 8 wholly free aligned order-11 regions: 0");
	is_long(ga_unusable_index(z, 18), 1000,
		"fresh: no 1 GiB region fits in 64 MiB: 1000");
	is_long(ga_fragmentation_index(z, 18),
		1000 - (long)((1000 + N_64M * 1000 / (1ul << 18)) / 16),
		"fresh: order 18 fails for lack of memory: 1000 - (1000 + 62) / 16");
	ga_zone_destroy(z);
}

/*
 * Two allocations from a fresh zone with pcp off: the order-0 one splits an
 * order-10 block, leaving one free block at each order 0..9; the order-3
 * one then takes the order-3 block.
 */
static void test_known_state(void)
{
	static const unsigned long want[11] = { 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 15 };
	struct ga_policy p = test_policy(false);
	struct ga_zone *z = test_zone(N_64M, 1, &p);
	unsigned long parsed[11];
	struct ga_zone_info info;
	struct ga_page_info pi;
	ga_pfn_t a, b;
	unsigned long free_pages = N_64M - 1 - 8;
	bool same = true;
	char *text;

	ok(ga_alloc(z, 0, 0, GA_GFP_MOVABLE, 1, &a) == 0, "order-0 allocation");
	ok(ga_alloc(z, 0, 3, GA_GFP_MOVABLE, 2, &b) == 0, "order-3 allocation");
	ok(ga_page_query(z, a, &pi) == 0 && pi.state == GA_PAGE_ALLOC &&
	   pi.order == 0 && pi.head_pfn == a, "order-0 page is allocated");
	ok(ga_page_query(z, b, &pi) == 0 && pi.state == GA_PAGE_ALLOC &&
	   pi.order == 3 && pi.head_pfn == b, "order-3 block is allocated");
	ok((a ^ b) < 1024, "both came from the same order-10 block");
	zone_ok(z, "two allocations");

	ga_zone_info(z, &info);
	text = capture(ga_print_buddyinfo, z);
	is_long(parse_buddyinfo(text, parsed, 11), 11, "buddyinfo parses back to 11 orders");
	for (int o = 0; o <= 10; o++)
		if (parsed[o] != info.nr_free[o] || parsed[o] != want[o] ||
		    info.nr_free_mt[o][GA_MT_MOVABLE] != want[o])
			same = false;
	ok(same, "buddyinfo text, ga_zone_info and the hand count agree");
	free(text);
	is_long(info.free_pages, free_pages, "free_pages is 16384 - 1 - 8");

	/* Below order 10: everything but the 15 order-10 blocks. */
	is_long(ga_unusable_index(z, 10), (free_pages - 15 * 1024) * 1000 / free_pages,
		"unusable index at order 10 = 1015 pages of 16375");
	/* Below order 4: 1 + 2 + 4 pages; 7000 / 16375 truncates to 0. */
	is_long(ga_unusable_index(z, 4), 0, "unusable index at order 4 truncates to 0");
	is_long(ga_fragmentation_index(z, 3), -1000,
		"order 3 still succeeds from larger blocks (-1000)");
	is_long(ga_unusable_index(z, 0), 0, "unusable index at order 0 is 0");
	ga_zone_destroy(z);
}

/* The expected "%2d.%03d" / "%d.%03d" line, as the kernel prints it. */
static void index_line(char *buf, size_t size, const char *fmt, const int *v,
		       int from, int to)
{
	size_t len = (size_t)snprintf(buf, size, "Node 0, zone   Normal ");

	for (int o = from; o <= to; o++)
		len += (size_t)snprintf(buf + len, size - len, fmt, v[o] / 1000,
					v[o] % 1000);
}

/*
 * Every page allocated as order 0, then every odd page freed: half the
 * zone is free and none of it is in a block bigger than one page.
 */
static void test_every_other_page(void)
{
	struct ga_policy p = fill_policy();
	struct ga_zone *z = test_zone(N_64M, 1, &p);
	ga_pfn_t *pfns = calloc(N_64M, sizeof(*pfns));
	unsigned long half = N_64M / 2, n, freed = 0;
	int unusable[19], frag[11];
	char want[512], *text;
	struct ga_zone_info info;
	bool pages_ok = true;

	n = fill_order0(z, pfns, N_64M);
	is_long(n, N_64M, "every page of the zone can be allocated as order 0");
	ga_zone_info(z, &info);
	is_long(info.free_pages, 0, "nothing is free");
	is_long(ga_unusable_index(z, 0), 1000, "no free memory: unusable index 1000");
	is_long(ga_fragmentation_index(z, 0), 0, "no free blocks: fragmentation index 0");
	zone_ok(z, "zone full of order-0 pages");

	for (unsigned long i = 0; i < n; i++) {
		if (!(pfns[i] & 1))
			continue;
		if (ga_free(z, 0, pfns[i], 0))
			pages_ok = false;
		freed++;
	}
	is_long(freed, half, "freed the 8192 odd pages");
	ok(pages_ok, "every free succeeded");
	for (ga_pfn_t pfn = 0; pfn < 8; pfn++) {
		struct ga_page_info pi;

		ga_page_query(z, pfn, &pi);
		if (pi.state != (pfn & 1 ? GA_PAGE_BUDDY : GA_PAGE_ALLOC) || pi.order)
			pages_ok = false;
	}
	ok(pages_ok, "pfns 0..7 alternate allocated / free order-0 buddy");
	zone_ok(z, "every other page free");

	ga_zone_info(z, &info);
	is_long(info.free_pages, half, "free_pages is N/2");
	is_long(info.nr_free[0], half, "all of it at order 0");
	is_long(info.nr_free[1] + info.nr_free[10], 0, "nothing at higher orders");

	is_long(ga_unusable_index(z, 0), 0, "order 0: nothing unusable");
	is_long(ga_unusable_index(z, 1), 1000, "order 1: everything unusable");
	is_long(ga_fragmentation_index(z, 0), -1000, "order 0 would succeed: -1000");
	is_long(ga_fragmentation_index(z, 1),
		1000 - (long)((1000 + half * 1000 / 2) / half),
		"order 1: 1000 - (1000 + (N/2)*1000/2) / (N/2) = 500");
	is_long(ga_fragmentation_index(z, 10),
		1000 - (long)((1000 + half * 1000 / 1024) / half),
		"order 10: 1000 - (1000 + (N/2)*1000/1024) / (N/2)");
	is_long(ga_unusable_index(z, 18), 1000, "order 18 (extended): 1000");
	is_long(ga_unusable_index(z, 19), GA_INDEX_INVALID,
		"order 19 > spb_order: GA_INDEX_INVALID");
	is_long(ga_fragmentation_index(z, 19), GA_INDEX_INVALID,
		"fragmentation index for order 19: GA_INDEX_INVALID");

	/* The debugfs texts, values computed with the kernel's integer steps. */
	for (int o = 0; o <= 18; o++)
		unusable[o] = o ? 1000 : 0;
	for (int o = 0; o <= 10; o++)
		frag[o] = o ? 1000 - (int)((1000 + half * 1000 / (1ul << o)) / half) :
			      -1000;
	text = capture(ga_print_extfrag, z);
	index_line(want, sizeof(want), "%d.%03d ", unusable, 0, 10);
	ok(strstr(text, want) && !strncmp(text, "unusable_index:\n", 16),
	   "unusable_index line: 0.000 then 1.000 for orders 1..10");
	index_line(want, sizeof(want), "%2d.%03d ", frag, 0, 10);
	ok(strstr(text, "\nextfrag_index:\n") && strstr(text, want),
	   "extfrag_index line: -1.000 then the hand-computed values");
	ok(strstr(text, "-1.000  0.500  0.750  0.875 ") != NULL,
	   "extfrag_index starts -1.000  0.500  0.750  0.875");
	ok(strstr(text, "\nextended (orders 11..18): 1.000 1.000 1.000 1.000 "
			"1.000 1.000 1.000 1.000 \n") != NULL,
	   "extended line covers orders 11..18");
	free(text);
	free(pfns);
	ga_zone_destroy(z);
}

/* Orders above max_order on a 2 GiB zone: whole free 1 GiB regions. */
static void test_extended_orders(void)
{
	struct ga_policy p = test_policy(false);
	struct ga_zone *z = test_zone(N_2G, 1, &p);
	unsigned long free_pages = N_2G - 1;
	struct ga_page_info pi;
	char *text;
	ga_pfn_t a;

	is_long(ga_unusable_index(z, 18), 0, "fresh 2 GiB: two free 1 GiB regions, index 0");
	is_long(ga_fragmentation_index(z, 18), -1000,
		"fresh 2 GiB: a 1 GiB region is available (-1000)");
	is_long(ga_unusable_index(z, 11), 0, "fresh 2 GiB: order 11 index 0");

	ok(ga_alloc(z, 0, 0, GA_GFP_MOVABLE, 7, &a) == 0, "one order-0 allocation");
	ok(ga_page_query(z, a, &pi) == 0 && pi.state == GA_PAGE_ALLOC,
	   "the page is allocated");
	zone_ok(z, "2 GiB zone with one page allocated");

	/* One region of each order now holds the page; the rest are whole. */
	is_long(ga_unusable_index(z, 18), (free_pages - 262144) * 1000 / free_pages,
		"order 18: one region left, (524287 - 262144) * 1000 / 524287 = 499");
	is_long(ga_unusable_index(z, 18), 499, "which truncates to 499, not 500");
	is_long(ga_fragmentation_index(z, 18), -1000, "order 18 still succeeds");
	is_long(ga_unusable_index(z, 11),
		(free_pages - 255 * 2048) * 1000 / free_pages,
		"order 11: 255 of 256 regions whole");
	is_long(ga_unusable_index(z, 10),
		(free_pages - 511 * 1024) * 1000 / free_pages,
		"order 10: 511 free buddies of order 10");

	text = capture(ga_print_extfrag, z);
	ok(strstr(text, "0.499 \n") != NULL, "extended line ends with order 18 at 0.499");
	free(text);

	is_long(ga_free(z, 0, a, 0), 0, "free the page");
	is_long(ga_unusable_index(z, 18), 0, "both 1 GiB regions whole again");
	zone_ok(z, "2 GiB zone after the free");
	ga_zone_destroy(z);
}

static void test_block_counts(void)
{
	struct ga_policy p = test_policy(false);
	struct ga_zone *z = test_zone(N_64M, 1, &p);
	unsigned long count[GA_MT_TYPES], want_mixed[GA_MT_TYPES] = { 0 };
	struct ga_pageblock_info bi;
	struct ga_zone_info info;
	char want[256], *text;
	ga_pfn_t a;

	text = capture(ga_print_pagetypeinfo, z);
	snprintf(want, sizeof(want), "Page block order: 9\nPages per block:  512\n\n"
		 "Free pages count per migrate type at order       0      1"
		 "      2      3      4      5      6      7      8      9"
		 "     10 \n");
	ok(!strncmp(text, want, strlen(want)), "pagetypeinfo header lines");
	snprintf(want, sizeof(want), "Node    0, zone   Normal, type      Movable "
		 "     0      0      0      0      0      0      0      0      0"
		 "      0     16 \n");
	ok(line_present(text, want), "Movable free line: 16 order-10 blocks");
	ok(line_present(text, "Node    0, zone   Normal, type   HighAtomic "
			"     0      0      0      0      0      0      0      0"
			"      0      0      0 \n"), "HighAtomic free line is empty");
	ok(line_present(text, "Number of blocks type     Unmovable      Movable"
			"  Reclaimable   HighAtomic          CMA      Isolate \n"),
	   "block count header");
	ok(parse_type_counts(text, "Number of blocks type ", count) == 0 &&
	   count[GA_MT_MOVABLE] == 32 && count[GA_MT_UNMOVABLE] == 0,
	   "fresh: all 32 blocks are Movable");
	ok(parse_type_counts(text, "Number of mixed blocks ", count) == 0 &&
	   !memcmp(count, want_mixed, sizeof(count)), "fresh: no mixed blocks");
	free(text);

	/*
	 * The first unmovable allocation claims a whole free order-10 buddy
	 * (claim looks at the largest orders first), and claiming a buddy
	 * larger than a pageblock relabels every pageblock it covers:
	 * two, not one.
	 */
	ok(ga_alloc(z, 0, 0, 0, 1, &a) == 0, "unmovable order-0 allocation");
	ok(ga_pageblock_query(z, a, &bi) == 0 &&
	   bi.migratetype == GA_MT_UNMOVABLE && bi.nr_alloc[GA_MT_UNMOVABLE] == 1,
	   "the page's pageblock is Unmovable");
	ok(ga_pageblock_query(z, a ^ 512, &bi) == 0 &&
	   bi.migratetype == GA_MT_UNMOVABLE && bi.nr_free == 512,
	   "the other half of its order-10 buddy is Unmovable too, and free");
	zone_ok(z, "after the claiming allocation");
	text = capture(ga_print_pagetypeinfo, z);
	ga_zone_info(z, &info);
	ok(parse_type_counts(text, "Number of blocks type ", count) == 0,
	   "block counts parse");
	is_long(count[GA_MT_UNMOVABLE], 2, "Unmovable blocks: 2 (one order-10 buddy)");
	is_long(count[GA_MT_MOVABLE], 30, "Movable blocks: 30");
	ok(count[GA_MT_UNMOVABLE] == info.blocks_mt[GA_MT_UNMOVABLE] &&
	   count[GA_MT_MOVABLE] == info.blocks_mt[GA_MT_MOVABLE],
	   "text agrees with ga_zone_info.blocks_mt");
	ok(parse_type_counts(text, "Number of mixed blocks ", count) == 0 &&
	   !memcmp(count, want_mixed, sizeof(count)),
	   "an unmovable page in an Unmovable block is not mixed");
	free(text);
	ga_zone_destroy(z);

	/* One pageblock, no bigger buddy: the claim relabels exactly one. */
	z = test_zone(512, 1, &p);
	ok(ga_alloc(z, 0, 0, 0, 1, &a) == 0, "512-page zone: unmovable allocation");
	text = capture(ga_print_pagetypeinfo, z);
	ok(parse_type_counts(text, "Number of blocks type ", count) == 0 &&
	   count[GA_MT_UNMOVABLE] == 1 && count[GA_MT_MOVABLE] == 0,
	   "512-page zone: Unmovable becomes 1");
	free(text);
	zone_ok(z, "512-page zone");
	ga_zone_destroy(z);
}

/*
 * A movable block with one unmovable page stolen into it: the zone is full
 * of movable order-0 pages except 100 freed in one block, fewer than the
 * 256 a claim needs, so the unmovable request steals a page instead.
 */
static void test_mixed_block(void)
{
	struct ga_policy p = fill_policy();
	struct ga_zone *z = test_zone(N_64M, 1, &p);
	ga_pfn_t *pfns = calloc(N_64M, sizeof(*pfns));
	const ga_pfn_t start = 5 * 512;
	unsigned long count[GA_MT_TYPES];
	struct ga_pageblock_info bi;
	struct ga_page_info pi;
	struct ga_stats s;
	bool freed = true;
	char *text;
	ga_pfn_t u;

	is_long(fill_order0(z, pfns, N_64M), N_64M, "zone filled with movable pages");
	for (ga_pfn_t pfn = start; pfn < start + 200; pfn += 2)
		if (ga_page_query(z, pfn, &pi) || pi.state != GA_PAGE_ALLOC ||
		    pi.head_pfn != pfn || ga_free(z, 0, pfn, 0))
			freed = false;
	ok(freed, "freed 100 separate pages of pageblock 5");
	ok(ga_pageblock_query(z, start, &bi) == 0 && bi.nr_free == 100 &&
	   bi.nr_alloc[GA_MT_MOVABLE] == 412, "block 5: 100 free, 412 movable");
	zone_ok(z, "full zone with a partly free block");

	ok(ga_alloc(z, 0, 0, 0, 99, &u) == 0, "unmovable order-0 allocation");
	ok(ga_page_query(z, u, &pi) == 0 && pi.state == GA_PAGE_ALLOC &&
	   pi.migratetype == GA_MT_UNMOVABLE, "it is allocated unmovable");
	ok(u >= start && u < start + 200 && !((u - start) & 1),
	   "it is one of the freed pages of block 5");
	ok(ga_pageblock_query(z, start, &bi) == 0 &&
	   bi.migratetype == GA_MT_MOVABLE && bi.nr_alloc[GA_MT_UNMOVABLE] == 1 &&
	   bi.nr_free == 99, "block 5 stays Movable: the page was stolen, not claimed");
	ga_zone_stats(z, &s);
	is_long(s.v[GA_STAT_STEAL], 1, "one steal");
	is_long(s.v[GA_STAT_CLAIM_REFUSED], 1, "one refused claim (100 < 256)");
	is_long(s.v[GA_STAT_FALLBACK], 1, "one extfrag event");
	is_long(s.fallback[GA_MT_UNMOVABLE][GA_MT_MOVABLE], 1,
		"fallback pair unmovable <- movable");
	zone_ok(z, "after the steal");

	text = capture(ga_print_pagetypeinfo, z);
	ok(parse_type_counts(text, "Number of mixed blocks ", count) == 0,
	   "mixed counts parse");
	is_long(count[GA_MT_MOVABLE], 1, "exactly one mixed Movable block");
	is_long(count[GA_MT_UNMOVABLE] + count[GA_MT_RECLAIMABLE] +
		count[GA_MT_HIGHATOMIC] + count[GA_MT_CMA] + count[GA_MT_ISOLATE], 0,
		"no other mixed blocks");
	ok(parse_type_counts(text, "Number of blocks type ", count) == 0 &&
	   count[GA_MT_MOVABLE] == 32, "all 32 blocks still labelled Movable");
	ok(line_present(text, "Node    0, zone   Normal, type      Movable "
			"    99      0      0      0      0      0      0      0"
			"      0      0      0 \n"), "99 free order-0 movable pages");
	free(text);

	text = capture(ga_print_vmstat, z);
	ok(line_present(text, "fallback_unmovable_from_movable 1\n"),
	   "vmstat shows the fallback pair");
	ok(line_present(text, "steal 1\n"), "vmstat shows the steal");
	free(text);
	free(pfns);
	ga_zone_destroy(z);
}

/*
 * A pageblock whose first page is the tail of a larger allocation: an
 * order-10 atomic allocation in the slow path reserves its two pageblocks
 * as HighAtomic, so both hold an unmovable allocation under another label.
 * Needs a zone big enough for a highatomic reserve (1 % >= a pageblock)
 * and free pages between the slow path's and the fast path's watermarks.
 */
static void test_mixed_large_allocation(void)
{
	struct ga_policy p = test_policy(false);
	struct ga_zone *z = test_zone(65536, 1, &p);
	unsigned long count[GA_MT_TYPES];
	struct ga_zone_info info;
	struct ga_page_info pi;
	bool all = true;
	ga_pfn_t a, big;
	char *text;

	for (int i = 0; i < 62; i++)
		if (ga_alloc(z, 0, 10, GA_GFP_MOVABLE, 1, &a))
			all = false;
	for (int i = 0; i < 1019; i++)
		if (ga_alloc(z, 0, 0, GA_GFP_MOVABLE, 2, &a))
			all = false;
	ok(all, "62 movable order-10 and 1019 order-0 allocations");
	ga_zone_info(z, &info);
	is_long(info.free_pages, 1029, "1029 pages free: one order-10 block and 5 pages");
	ok(info.free_pages - 1023 > info.wmark_min / 2 &&
	   info.free_pages - 1023 <= info.wmark_low,
	   "an order-10 request fails the low mark but meets half the min mark");
	zone_ok(z, "before the atomic allocation");

	ok(ga_alloc(z, 0, 10, GA_GFP_ATOMIC, 3, &big) == 0,
	   "atomic order-10 allocation succeeds in the slow path");
	ok(ga_page_query(z, big + 512, &pi) == 0 && pi.head_pfn == big &&
	   pi.state == GA_PAGE_ALLOC && pi.migratetype == GA_MT_UNMOVABLE,
	   "its second pageblock starts with a tail of the unmovable allocation");
	ga_zone_info(z, &info);
	is_long(info.blocks_mt[GA_MT_HIGHATOMIC], 2, "both pageblocks reserved HighAtomic");
	zone_ok(z, "after the atomic allocation");

	text = capture(ga_print_pagetypeinfo, z);
	ok(parse_type_counts(text, "Number of mixed blocks ", count) == 0,
	   "mixed counts parse");
	is_long(count[GA_MT_HIGHATOMIC], 2,
		"both HighAtomic blocks are mixed, the tail-first one included");
	is_long(count[GA_MT_MOVABLE] + count[GA_MT_UNMOVABLE], 0,
		"movable allocations in movable blocks are not mixed, even order 10");
	free(text);
	ga_zone_destroy(z);
}

/* Counters: zone and per-CPU sums, and the vmstat text. */
static void test_counters(void)
{
	struct ga_policy p = test_policy(true);
	struct ga_zone *z = test_zone(N_64M, 2, &p);
	ga_pfn_t small[10], mid[3], thp[2];
	unsigned long pages = 10 + 3 * 16 + 2 * 512;
	struct ga_zone_info info;
	struct ga_stats s;
	bool all = true;
	char line[128], *text, *l;
	int lines = 0;

	for (int i = 0; i < 10; i++)
		all &= ga_alloc(z, i % 2, 0, GA_GFP_MOVABLE, 1, &small[i]) == 0;
	for (int i = 0; i < 3; i++)
		all &= ga_alloc(z, 0, 4, GA_GFP_MOVABLE, 2, &mid[i]) == 0;
	for (int i = 0; i < 2; i++)
		all &= ga_alloc(z, 1, 9, GA_GFP_MOVABLE, 3, &thp[i]) == 0;
	ok(all, "10 order-0, 3 order-4 and 2 order-9 allocations");
	ga_zone_stats(z, &s);
	is_long(s.v[GA_STAT_ALLOC_CALLS], 15, "alloc_calls counts pcp and buddy paths");
	is_long(s.v[GA_STAT_PGALLOC], pages, "pgalloc counts pages");
	is_long(s.v[GA_STAT_PCP_ALLOC], 12, "orders 0 and 9 are served by the pcp");

	for (int i = 0; i < 10; i++)
		all &= ga_free(z, i % 2, small[i], 0) == 0;
	for (int i = 0; i < 3; i++)
		all &= ga_free(z, 1, mid[i], 4) == 0;
	for (int i = 0; i < 2; i++)
		all &= ga_free(z, 0, thp[i], 9) == 0;
	ok(all, "everything freed");
	ga_zone_stats(z, &s);
	is_long(s.v[GA_STAT_FREE_CALLS], 15, "free_calls counts pcp and buddy paths");
	is_long(s.v[GA_STAT_PGFREE], pages, "pgfree counts pages");
	is_long(s.v[GA_STAT_PCP_FREE], 12, "orders 0 and 9 are freed to the pcp");
	zone_ok(z, "pcp zone after frees");

	ga_zone_info(z, &info);
	ok(info.pcp_pages > 0, "some pages are cached on pcp lists");
	is_long(info.free_pages + info.pcp_pages, N_64M,
		"free + pcp pages make up the whole zone");
	ok(info.pcp_batch > 0 && info.pcp_high_min > 0 &&
	   info.pcp_high_min <= info.pcp_high_max, "pcp sizing is reported");

	text = capture(ga_print_vmstat, z);
	for (l = text; *l; l = strchr(l, '\n') + 1) {
		if (lines < GA_NR_STATS) {
			snprintf(line, sizeof(line), "%s %llu\n", ga_stat_name(lines),
				 (unsigned long long)s.v[lines]);
			if (strncmp(l, line, strlen(line)))
				all = false;
		}
		lines++;
		if (!strchr(l, '\n'))
			break;
	}
	ok(lines >= GA_NR_STATS, "vmstat prints at least GA_NR_STATS lines (%d)", lines);
	ok(all, "each line is 'name value' in enum order with ga_zone_stats' value");
	ok(!strstr(text, "_from_"), "no fallback pair lines without fallbacks");
	free(text);
	ga_drain_all_pcp(z);
	zone_ok(z, "pcp zone after drain");
	ga_zone_destroy(z);
}

int main(void)
{
	test_names();
	test_fresh_zone();
	test_known_state();
	test_every_other_page();
	test_extended_orders();
	test_block_counts();
	test_mixed_block();
	test_mixed_large_allocation();
	test_counters();
	return done_testing();
}
