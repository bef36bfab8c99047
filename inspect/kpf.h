/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * /proc/kpageflags: the bits (include/uapi/linux/kernel-page-flags.h and
 * include/linux/kernel-page-flags.h) and the classification of one page
 * frame into what matters for 1 GiB pages: free, movable, pinned in place,
 * unmovable, or not memory at all.
 *
 * What the kernel shows and what it does not (fs/proc/page.c,
 * stable_page_flags, v6.12):
 *  - every page of a free buddy block has KPF_BUDDY (the head by PageBuddy,
 *    the rest through is_free_buddy_page); pages on per-CPU lists have no
 *    flag at all and cannot be told from kernel allocations;
 *  - slab pages have KPF_SLAB, but not whether the cache is reclaimable
 *    (__GFP_RECLAIMABLE is not a page flag): reclaimable slab is unmovable
 *    here;
 *  - /proc/kpagecount is the mapcount, not the reference count, so a
 *    long-term pin (GUP FOLL_LONGTERM) is invisible; mlocked and
 *    unevictable pages are what can be seen;
 *  - since v6.x tail pages carry their folio's flags; before, only the head
 *    had LRU, so a tail takes its head's class when it shows nothing.
 */
#ifndef GA_INSPECT_KPF_H
#define GA_INSPECT_KPF_H

#include <stdbool.h>
#include <stdint.h>

#define KPF_LOCKED		0
#define KPF_REFERENCED		2
#define KPF_UPTODATE		3
#define KPF_DIRTY		4
#define KPF_LRU			5
#define KPF_ACTIVE		6
#define KPF_SLAB		7
#define KPF_WRITEBACK		8
#define KPF_RECLAIM		9
#define KPF_BUDDY		10
#define KPF_MMAP		11
#define KPF_ANON		12
#define KPF_SWAPCACHE		13
#define KPF_SWAPBACKED		14
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_HUGE		17
#define KPF_UNEVICTABLE		18
#define KPF_HWPOISON		19
#define KPF_NOPAGE		20
#define KPF_KSM			21
#define KPF_THP			22
#define KPF_OFFLINE		23
#define KPF_ZERO_PAGE		24
#define KPF_IDLE		25
#define KPF_PGTABLE		26
#define KPF_RESERVED		32
#define KPF_MLOCKED		33

#define KPF(bit)	(1ull << (bit))

/* What a page frame is, for 1 GiB purposes. Order matters: see kpf_group. */
enum kpf_class {
	KC_HOLE,		/* no memory here (outside RAM, KPF_NOPAGE) */
	KC_FREE,		/* in a free buddy block */
	KC_ANON,		/* LRU anonymous (incl. swap cache) */
	KC_FILE,		/* LRU page cache */
	KC_THP,			/* part of a transparent huge page */
	KC_HUGETLB,		/* hugetlb pool page (free or in use) */
	KC_UNEVICTABLE,		/* unevictable or mlocked LRU page */
	KC_SLAB,		/* slab (reclaimable or not: not visible) */
	KC_PGTABLE,		/* page table */
	KC_RESERVED,		/* PG_reserved: kernel image, memmap, firmware */
	KC_OFFLINE,		/* PageOffline: ballooned or hot-unplugged */
	KC_ZERO,		/* the shared zero page */
	KC_HWPOISON,		/* poisoned */
	KC_UNFLAGGED,		/* no flag: vmalloc, stacks, pcp lists, driver pages */
	KC_UNMANAGED,		/* not given to the page allocator (never from flags:
				 * inspect decides it per region, see census.c) */
	KC_NR
};

/* The columns of the per-GiB table. */
enum kpf_group {
	KG_HOLE,
	KG_FREE,
	KG_MOVABLE,		/* anon, file, THP, hugetlb: migration can move them */
	KG_UNEVICTABLE,		/* movable by compaction unless compact_unevictable_allowed=0 */
	KG_UNMOVABLE,		/* slab, page tables, reserved, unflagged, ... */
	KG_UNMANAGED,		/* present memory the allocator does not manage */
	KG_NR
};

extern const char *const kpf_class_name[KC_NR];
extern const char *const kpf_group_name[KG_NR];

enum kpf_group kpf_group_of(enum kpf_class c);

/*
 * Classify one pfn from its flags. head_class is the class of the last
 * compound head seen (KC_NR if none): a tail page with nothing of its own
 * to say inherits it.
 */
enum kpf_class kpf_classify(uint64_t flags, enum kpf_class head_class);

#endif /* GA_INSPECT_KPF_H */
