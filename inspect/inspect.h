/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * gigalloc inspect: a census of a live machine's physical memory per 1 GiB
 * region of each zone, from /proc/kpageflags (root only), with the zone
 * spans of /proc/zoneinfo, the RAM ranges of /proc/iomem and the free
 * totals of /proc/buddyinfo to check against.
 */
#ifndef GA_INSPECT_INSPECT_H
#define GA_INSPECT_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "groundtruth.h"
#include "kpf.h"

enum insp_state {
	RS_FREE,		/* every page free: a 1 GiB page now */
	RS_CLEAN,		/* free and movable pages only */
	RS_TAINTED,		/* holds unmovable pages */
	RS_UNMANAGED,		/* no page flagged, and the zone has that much
				 * unmanaged memory (deferred struct page init) */
	RS_NOMEM,		/* no RAM in this part of the zone's span */
	RS_NR
};

extern const char *const insp_state_name[RS_NR];

struct insp_region {
	size_t zone;			/* index into inspect.zone */
	uint64_t index;			/* physical GiB number: pfn >> region order */
	uint64_t start_pfn, end_pfn;	/* clipped to the zone */
	bool complete;			/* whole region, no hole: could be a 1 GiB page */
	enum insp_state state;
	uint64_t pages[KC_NR];
	uint64_t mapped;		/* pages with kpagecount > 0 */
};

struct insp_zone {
	struct gt_zone z;		/* from zoneinfo */
	uint64_t pages[KC_NR];
	uint64_t gib_now, gib_after;
	size_t first_region, nr_regions;
};

struct inspect {
	unsigned int page_shift, region_order;
	struct gt_snapshot snap;	/* zoneinfo, buddyinfo, pagetypeinfo */
	size_t nr_zones;		/* zones with present pages */
	struct insp_zone zone[GT_MAX_ZONES];
	struct insp_region *reg;
	size_t nr_reg;
	bool have_iomem, have_kpagecount, have_pagetypeinfo;
	bool unevictable_movable;	/* vm.compact_unevictable_allowed */
	uint64_t buddy_before, buddy_after;	/* buddyinfo free pages around the scan */
	uint64_t gib_now, gib_after;
	double scan_s;
};

struct insp_opts {
	const char *proc;	/* "/proc", or a directory with the same files */
	const char *sys_vm;	/* "/proc/sys/vm" by default (under proc) */
	const char *save;	/* --save FILE, or NULL */
};

/*
 * Take the census. -EACCES/-EPERM with a message saying root is needed,
 * -ENOENT on a system without /proc/kpageflags (non-Linux), -EINVAL for
 * files not in the kernel's format, -EILSEQ for a kpageflags whose size
 * is not a multiple of 8, -ENOMEM. On failure nothing is left to free.
 */
int inspect_run(struct inspect *in, const struct insp_opts *o, char *err,
		size_t errlen);
void inspect_free(struct inspect *in);

/*
 * The classifier over a run of pfns (recorded excerpts use it directly):
 * count classes of flags[0..n) into pages[] (tails inherit their head's
 * class through *head, which starts at KC_NR).
 */
void inspect_count(const uint64_t *flags, size_t n, enum kpf_class *head,
		   uint64_t pages[KC_NR]);

/* Sum of a region's pages in a group. */
uint64_t insp_group_pages(const uint64_t pages[KC_NR], enum kpf_group g);

void inspect_print_text(FILE *f, const struct inspect *in);
void inspect_print_json(FILE *f, const struct inspect *in);
void inspect_print_prometheus(FILE *f, const struct inspect *in);


#endif /* GA_INSPECT_INSPECT_H */
