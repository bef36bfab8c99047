// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Zone geometry, configuration errors, metadata size, watermarks, holes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static int check_cfg(const struct ga_zone_config *cfg, const char *what)
{
	char err[256] = "";
	int rc = ga_zone_config_check(cfg, err, sizeof(err));

	ok(rc == -EINVAL && err[0], "rejects %s: %s", what, err);
	return rc;
}

static void test_bad_configs(void)
{
	struct ga_zone_config cfg;
	struct ga_pfn_range hole = { 0, 4096 };
	struct ga_zone *z;

	ga_zone_config_default(&cfg, 100, 16384, 1);
	check_cfg(&cfg, "misaligned start");
	ga_zone_config_default(&cfg, 0, 16000, 1);
	check_cfg(&cfg, "misaligned end");
	ga_zone_config_default(&cfg, 4096, 4096, 1);
	check_cfg(&cfg, "empty zone");
	ga_zone_config_default(&cfg, 0, 16384, 0);
	check_cfg(&cfg, "zero CPUs");
	ga_zone_config_default(&cfg, 0, 16384, GA_MAX_CPUS + 1);
	check_cfg(&cfg, "too many CPUs");
	ga_zone_config_default(&cfg, 0, 16384, 1);
	cfg.pageblock_order = 11;
	check_cfg(&cfg, "pageblock_order > max_page_order");
	ga_zone_config_default(&cfg, 0, 16384, 1);
	cfg.max_page_order = GA_MAX_ORDER_LIMIT + 1;
	check_cfg(&cfg, "max_page_order above the limit");
	ga_zone_config_default(&cfg, 0, 16384, 1);
	cfg.spb_order = 9;
	check_cfg(&cfg, "spb_order below max_page_order");
	ga_zone_config_default(&cfg, 0, 16384, 1);
	cfg.page_shift = 11;
	check_cfg(&cfg, "page_shift 11");
	ga_zone_config_default(&cfg, 0, 16384, 1);
	hole = (struct ga_pfn_range){ 16000, 20000 };
	cfg.holes = &hole;
	cfg.nr_holes = 1;
	check_cfg(&cfg, "hole outside the zone");
	ga_zone_config_default(&cfg, 0, 16384, 1);
	hole = (struct ga_pfn_range){ 100, 700 };
	cfg.cma = &hole;
	cfg.nr_cma = 1;
	check_cfg(&cfg, "misaligned CMA range");
	ga_zone_config_default(&cfg, 0, 16384, 1);
	hole = (struct ga_pfn_range){ 0, 16384 };
	cfg.holes = &hole;
	cfg.nr_holes = 1;
	is_long(ga_zone_create(&z, &cfg), -EINVAL, "a zone that is all hole is refused");
	ga_zone_config_default(&cfg, 0, 16384, 1);
	is_long(ga_zone_metadata_size(NULL), 0, "no size for no config");
}

static void test_metadata_size(void)
{
	struct ga_zone_config cfg;
	size_t size;
	void *small;
	struct ga_zone *z;

	/* 256 GiB: 64 Mi pages. Computed, not allocated. */
	ga_zone_config_default(&cfg, 0, 64ul << 20, 2);
	size = ga_zone_metadata_size(&cfg);
	diag("256 GiB zone metadata: %zu bytes, %.2f bytes/page", size,
	     (double)size / (double)(64ul << 20));
	ok(size <= (64ul << 20) * 13, "256 GiB zone metadata <= 13 bytes/page");
	ok(size <= 1ul << 30, "256 GiB zone metadata fits in 1 GiB");
	ga_zone_config_default(&cfg, 0, 256ul << 20, 2);
	ok(ga_zone_metadata_size(&cfg) > 0, "1 TiB zone is a valid configuration");

	ga_zone_config_default(&cfg, 0, 16384, 1);
	size = ga_zone_metadata_size(&cfg);
	small = aligned_alloc(64, 4096);
	is_long(ga_zone_init(&z, &cfg, small, 4096), -ENOSPC,
		"init refuses a buffer that is too small (%zu needed)", size);
	free(small);
}

static void test_fresh_zone(void)
{
	struct ga_zone_info info;
	struct ga_policy p = test_policy(false);
	struct ga_zone *z = test_zone(16384, 1, &p);

	ga_zone_info(z, &info);
	is_long(info.managed_pages, 16384, "64 MiB zone manages every page");
	is_long(info.free_pages, 16384, "all pages start free");
	is_long(info.nr_free[10], 16, "16 max-order blocks");
	is_long(info.blocks_mt[GA_MT_MOVABLE], 32, "all 32 pageblocks start Movable");
	is_long(info.nr_free_mt[10][GA_MT_MOVABLE], 16, "on the Movable lists");
	zone_ok(z, "fresh zone passes the checker");
	ga_zone_destroy(z);
}

/* Kernel watermarks for a 4 GiB zone with THP's min_free_kbytes raise. */
static void test_watermarks(void)
{
	struct ga_zone_config cfg;
	struct ga_zone_info info;
	struct ga_zone *z;

	ga_zone_config_default(&cfg, 1ul << 20, 2ul << 20, 4);
	if (ga_zone_create(&z, &cfg))
		return (void)ok(0, "create 4 GiB zone at pfn 1M");
	ga_zone_info(z, &info);
	/* sqrt(4 GiB in KiB * 16) = 8192 KiB < THP's 11 * 512 * 3 pages. */
	is_long(info.min_free_kbytes, 11 * 512 * 3 * 4, "min_free_kbytes raised by THP");
	is_long(info.wmark_min, 16896, "min watermark");
	is_long(info.wmark_low, 16896 + 4224, "low = min + max(min/4, 0.1%%)");
	is_long(info.wmark_high, 16896 + 2 * 4224, "high = low + the same gap");
	is_long(info.pcp_batch, 63, "pcp batch is 63 for zones >= 1 GiB");
	is_long(info.pcp_high_min, (16896 + 4224) / 4, "pcp high_min = low / cpus");
	is_long(info.pcp_high_max, (1 << 20) / 8 / 4, "pcp high_max = managed / 8 / cpus");
	zone_ok(z, "zone at a non-zero start pfn passes the checker");
	ga_zone_destroy(z);

	ga_zone_config_default(&cfg, 0, 16384, 1);
	struct ga_policy p;
	ga_policy_preset(&p, "vanilla");
	p.thp_min_free = false;
	cfg.policy = &p;
	ga_zone_create(&z, &cfg);
	ga_zone_info(z, &info);
	is_long(info.min_free_kbytes, 1024, "64 MiB without THP: sqrt(65536 * 16) KiB");
	ga_zone_destroy(z);
}

static void test_holes(void)
{
	struct ga_pfn_range holes[] = { { 100, 300 }, { 8192, 8704 }, { 250, 310 } };
	struct ga_zone_config cfg;
	struct ga_zone_info info;
	struct ga_page_info pi;
	struct ga_policy p = test_policy(false);
	struct ga_zone *z;
	ga_pfn_t pfn;
	unsigned long n = 0;

	ga_zone_config_default(&cfg, 0, 16384, 1);
	cfg.holes = holes;
	cfg.nr_holes = 3;
	cfg.policy = &p;
	if (ga_zone_create(&z, &cfg))
		return (void)ok(0, "create zone with holes");
	ga_zone_info(z, &info);
	is_long(info.managed_pages, 16384 - 210 - 512, "overlapping holes counted once");
	is_long(info.free_pages, info.managed_pages, "every non-hole page is free");
	ok(ga_page_query(z, 200, &pi) == 0 && pi.state == GA_PAGE_RESERVED,
	   "a hole page reads as reserved");
	is_long(ga_free(z, 0, 200, 0), -EPERM, "freeing a hole page is -EPERM");
	zone_ok(z, "zone with holes passes the checker");

	while (ga_alloc(z, 0, 0, GA_GFP_KERNEL, 0, &pfn) == 0) {
		if ((pfn >= 100 && pfn < 310) || (pfn >= 8192 && pfn < 8704))
			break;
		n++;
	}
	ok(pfn < 100 || (pfn >= 310 && pfn < 8192) || pfn >= 8704,
	   "no hole page was ever allocated");
	ok(n > info.managed_pages - 64, "filled the zone around the holes (%lu pages)", n);
	zone_ok(z, "full zone with holes passes the checker");
	ga_zone_destroy(z);
}

int main(void)
{
	test_bad_configs();
	test_metadata_size();
	test_fresh_zone();
	test_watermarks();
	test_holes();
	return done_testing();
}
