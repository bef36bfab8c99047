/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The traced machine's physical layout, for a replay zone shaped like it:
 * from a capture's proc/ directory (zoneinfo, iomem and kpageflags.gz,
 * written by scripts/capture-trace), the pfn span of its zones and the
 * ranges the page allocator never hands out — pfns outside "System RAM"
 * and pages with PG_reserved (kernel image, memmap, swiotlb, firmware).
 * Reserved memory is placed at boot and stays, so the snapshot taken after
 * the workload gives where it was during the whole trace.
 */
#ifndef GA_TRACE_LAYOUT_H
#define GA_TRACE_LAYOUT_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "gigalloc.h"

struct layout {
	uint64_t end_pfn;		/* zone [0, end_pfn), pageblock-aligned */
	struct ga_pfn_range *holes;	/* sorted, disjoint */
	size_t nr_holes;
	uint64_t hole_pages;		/* of which ... */
	uint64_t reserved_pages;	/* ... PG_reserved inside RAM */
	bool ram_from_e820;		/* RAM from a dmesg's e820 map, not iomem */
	/* Pageblocks without a memmap (their first pfn is KPF_NOPAGE: a
	 * memory section with no RAM, e.g. the PCI hole below 4 GiB): the
	 * kernel's pagetypeinfo does not count them (pfn_to_online_page). */
	uint64_t *nomap_blocks;		/* first pfns, ascending */
	size_t nr_nomap_blocks;
};

/*
 * Read dir/zoneinfo, dir/iomem and dir/kpageflags.gz (or kpageflags).
 * Returns 0, -ENOENT when dir has no such files (no layout: not an
 * error for the caller), -EINVAL/-EIO with err set, -ENOMEM.
 */
int layout_load(struct layout *l, const char *dir, unsigned int pageblock_order,
		char *err, size_t errlen);
/* The same, with RAM from the BIOS-e820 lines of dmesg when dir has no
 * iomem (dmesg may be NULL). */
int layout_load_dmesg(struct layout *l, const char *dir, const char *dmesg,
		      unsigned int pageblock_order, char *err, size_t errlen);
void layout_free(struct layout *l);

/* dir/kpageflags.gz, else the plain dir/kpageflags (gzread reads both);
 * NULL if neither opens. Also the start-state reader's source. */
gzFile layout_open_kpageflags(const char *dir);
int layout_read_kpageflags(gzFile g, uint64_t end,
			   int (*fn)(void *ctx, uint64_t pfn, uint64_t flags),
			   void *ctx, uint64_t *read);

#endif /* GA_TRACE_LAYOUT_H */
