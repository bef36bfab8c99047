// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The page classifier. The tests are ordered from the most specific flag
 * to the least: a free buddy page may still carry PG_reported (the
 * uptodate bit), a slab page may be mapped, an LRU page may be
 * unevictable; the first match decides.
 */
#include "kpf.h"

const char *const kpf_class_name[KC_NR] = {
	[KC_HOLE] = "hole",
	[KC_FREE] = "free",
	[KC_ANON] = "anon",
	[KC_FILE] = "file",
	[KC_THP] = "thp",
	[KC_HUGETLB] = "hugetlb",
	[KC_UNEVICTABLE] = "unevictable",
	[KC_SLAB] = "slab",
	[KC_PGTABLE] = "pgtable",
	[KC_RESERVED] = "reserved",
	[KC_OFFLINE] = "offline",
	[KC_ZERO] = "zero_page",
	[KC_HWPOISON] = "hwpoison",
	[KC_UNFLAGGED] = "unflagged",
	[KC_UNMANAGED] = "unmanaged",
};

const char *const kpf_group_name[KG_NR] = {
	[KG_HOLE] = "hole",
	[KG_FREE] = "free",
	[KG_MOVABLE] = "movable",
	[KG_UNEVICTABLE] = "unevictable",
	[KG_UNMOVABLE] = "unmovable",
	[KG_UNMANAGED] = "unmanaged",
};

enum kpf_group kpf_group_of(enum kpf_class c)
{
	switch (c) {
	case KC_HOLE:
		return KG_HOLE;
	case KC_FREE:
		return KG_FREE;
	case KC_ANON:
	case KC_FILE:
	case KC_THP:
	case KC_HUGETLB:
		return KG_MOVABLE;
	case KC_UNEVICTABLE:
		return KG_UNEVICTABLE;
	case KC_UNMANAGED:
		return KG_UNMANAGED;
	default:
		return KG_UNMOVABLE;
	}
}

static enum kpf_class classify_owner(uint64_t f)
{
	if (f & KPF(KPF_SLAB))
		return KC_SLAB;
	if (f & KPF(KPF_PGTABLE))
		return KC_PGTABLE;
	if (f & KPF(KPF_ZERO_PAGE))
		return KC_ZERO;
	if (f & KPF(KPF_RESERVED))
		return KC_RESERVED;
	if (f & KPF(KPF_OFFLINE))
		return KC_OFFLINE;
	if (f & (KPF(KPF_UNEVICTABLE) | KPF(KPF_MLOCKED)))
		return KC_UNEVICTABLE;
	if (f & KPF(KPF_THP))
		return KC_THP;
	if (f & (KPF(KPF_ANON) | KPF(KPF_SWAPCACHE) | KPF(KPF_KSM)))
		return KC_ANON;
	if (f & KPF(KPF_LRU))
		return KC_FILE;
	return KC_UNFLAGGED;
}

enum kpf_class kpf_classify(uint64_t f, enum kpf_class head_class)
{
	enum kpf_class c;

	if (f & KPF(KPF_NOPAGE))
		return KC_HOLE;
	if (f & KPF(KPF_HWPOISON))
		return KC_HWPOISON;
	if (f & KPF(KPF_BUDDY))
		return KC_FREE;
	if (f & KPF(KPF_HUGE))
		return KC_HUGETLB;
	c = classify_owner(f);
	/* Pre-6.x kernels flag only the head of a folio (LRU, anon). */
	if (c == KC_UNFLAGGED && (f & KPF(KPF_COMPOUND_TAIL)) && head_class < KC_NR)
		return head_class;
	return c;
}
