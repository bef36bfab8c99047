// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Instructions per order-0 pcp alloc+free pair through the installed
 * library, for docs/PERFORMANCE.md: run under
 * valgrind --tool=callgrind --toggle-collect=loop.
 *   gcc -O2 -Iinclude bench/pair_instr.c build/release/dist/libgigalloc.a -pthread
 */
#include <stdio.h>
#include <gigalloc.h>

__attribute__((noinline)) static void loop(struct ga_zone *z, unsigned long n)
{
	ga_pfn_t pfn;

	for (unsigned long i = 0; i < n; i++) {
		if (ga_alloc(z, 0, 0, GA_GFP_KERNEL, 1, &pfn))
			return;
		ga_free(z, 0, pfn, 0);
	}
}

int main(void)
{
	struct ga_zone_config cfg;
	struct ga_zone *z;

	ga_zone_config_default(&cfg, 0, 1ul << 18, 4);
	if (ga_zone_create(&z, &cfg))
		return 1;
	loop(z, 1000);
	loop(z, 1000000);
	ga_zone_destroy(z);
	return 0;
}
