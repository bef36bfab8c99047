// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Policy as data: every mechanism and constant of struct ga_policy, with
 * its default, range, the kernel symbol it models and a line of help, in
 * one table that the CLI prints and --set writes through.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define PB(field, src, help) \
	{ #field, GA_PARAM_BOOL, offsetof(struct ga_policy, field), 0, 1, src, help }
#define PU(field, lo, hi, src, help) \
	{ #field, GA_PARAM_UINT, offsetof(struct ga_policy, field), lo, hi, src, help }

static const struct ga_param_info params[] = {
	PB(mobility_grouping, "page_group_by_mobility_disabled (inverted)",
	   "group pages by mobility into pageblocks of one migratetype"),
	PB(nofragment, "ALLOC_NOFRAGMENT, alloc_flags_nofragment()",
	   "fast path first refuses fallbacks smaller than a pageblock"),
	PU(watermark_boost_factor, 0, 30000, "vm.watermark_boost_factor",
	   "boost after a fragmenting fallback, 1/10000 of the high mark (0 = off)"),
	PU(watermark_scale_factor, 1, 3000, "vm.watermark_scale_factor",
	   "gap between min/low/high watermarks, 1/10000 of managed pages"),
	PU(min_free_kbytes, 0, 1u << 30, "vm.min_free_kbytes",
	   "min watermark in KiB; 0 = computed as the kernel does"),
	PB(thp_min_free, "set_recommended_min_free_kbytes() (khugepaged)",
	   "raise min_free_kbytes to 11 pageblocks per zone, as THP does"),
	PU(thp_nr_zones, 1, 8, "set_recommended_min_free_kbytes() nr_zones",
	   "zones khugepaged counts (x86-64 DMA+DMA32+Normal = 3)"),
	PU(lowmem_reserve_ratio_dma, 0, 1u << 20, "vm.lowmem_reserve_ratio[DMA]",
	   "in a node, DMA keeps 1/ratio of the higher zones' pages from their requests (0 = none)"),
	PU(lowmem_reserve_ratio_dma32, 0, 1u << 20, "vm.lowmem_reserve_ratio[DMA32]",
	   "in a node, DMA32 keeps 1/ratio of the higher zones' pages from their requests (0 = none)"),
	PU(lowmem_reserve_ratio_normal, 0, 1u << 20, "vm.lowmem_reserve_ratio[Normal]",
	   "in a node, Normal keeps 1/ratio of Movable's pages from its requests (0 = none)"),
	PB(kswapd_node, "wake_all_kswapds(), balance_pgdat(), pgdat_balanced()",
	   "in a node, one kswapd, woken as the slow path starts, reclaims until any zone up to the request's is balanced (off: each zone's own)"),
	PB(highatomic, "reserve_highatomic_pageblock()",
	   "reserve pageblocks for high-order atomic allocations (<= 1%)"),
	PB(fallback_largest, "v6.1 __rmqueue_fallback(), steal_suitable_fallback()",
	   "fallback takes the largest buddy; a refused claim still takes a page from it"),
	PB(rmqueue_bulk_restart, "v6.1 rmqueue_bulk() (no enum rmqueue_mode)",
	   "every page of a pcp refill searches from the preferred lists again"),
	PB(pcp_high_fixed, "v6.1 zone_highsize(), before the v6.7 auto-tuning",
	   "pcp high fixed at low watermark / cpus: no growth, no decay"),
	PB(pcp_batch_fixed, "v6.1 rmqueue_pcplist(), nr_pcp_free() free_factor, before v6.7",
	   "refills take batch pages; spills double per spill up to high - batch"),
	PB(pcp, "struct per_cpu_pages",
	   "per-CPU page lists for orders 0-3 and pageblock order"),
	PU(pcp_batch_scale_max, 0, 6, "CONFIG_PCP_BATCH_SCALE_MAX",
	   "pcp refill/free batches grow up to batch << this"),
	PU(pcp_high_fraction, 0, 1u << 20, "vm.percpu_pagelist_high_fraction",
	   "pcp high = managed / fraction / cpus; 0 = auto-tuned"),
	PB(pcp_buddy, "RFC 02/03 per-CPU pageblock buddy, split-path pcp free",
	   "pcps own whole pageblocks; frees go back to the owner; drains merge"),
	PB(pcp_buddy_adopt, "RFC 21 adopt partial pageblocks from tainted SPBs",
	   "non-movable pcp refills take over partly free blocks of tainted SPBs"),
	PB(pcp_buddy_reabsorb, "RFC 21 __free_one_page reabsorbs other CPUs' PCPBuddy entries",
	   "merges and the adoption walk take another CPU's pcp entries of a block back"),
	PU(reclaim_retries, 0, 1000, "MAX_RECLAIM_RETRIES",
	   "slow-path reclaim rounds without progress before failing"),
	PU(reclaim_batch, 1, 1u << 20, "SWAP_CLUSTER_MAX",
	   "pages asked of one direct reclaim call"),
	PB(evacuate, "RFC 06 queue_pageblock_evacuate()",
	   "migrate movable pages out of a block claimed for unmovable/reclaimable"),
	PU(evacuate_pool, 1, 4096, "RFC 06 NR_EVACUATE_ITEMS",
	   "pre-allocated evacuation work items; claims beyond them are dropped"),
	PU(evacuate_batch, 1, 32, "COMPACT_CLUSTER_MAX",
	   "pages isolated per evacuation batch"),
	PB(evacuate_sync, "RFC 06 cc.mode = MIGRATE_ASYNC (inverted)",
	   "evacuate with synchronous migration (retry busy pages)"),
	PB(spb_defrag, "RFC 15 spb_maybe_start_defrag(), v1 43 triggers",
	   "background worker evacuates movable blocks of tainted SPBs short of free blocks"),
	PU(spb_defrag_noop_cooldown, 0, 3600, "RFC v1 43 SPB_DEFRAG_NOOP_COOLDOWN",
	   "seconds before an SPB whose defrag moved nothing is tried again"),
	PB(spb_evacuate_order, "RFC 23 spb_evacuate_for_order()",
	   "non-movable: evacuate in tainted SPBs before dropping NOFRAGMENT"),
	PB(spb_evacuate_deferred, "RFC 25 queue_spb_evacuate()",
	   "atomic request tainting an SPB queues spb_evacuate_for_order"),
	PB(compaction, "CONFIG_COMPACTION, try_to_compact_pages()",
	   "direct compaction in the allocation slow path (and compact_memory)"),
	PU(extfrag_threshold, 0, 1000, "vm.extfrag_threshold",
	   "costly orders compact only if the fragmentation index exceeds this"),
	PU(compaction_proactiveness, 0, 100, "vm.compaction_proactiveness",
	   "proactive compaction above score 100-x+10 down to 100-x (0 = off)"),
	PB(kcompactd, "kcompactd(), wakeup_kcompactd()",
	   "background compaction on the zone's executor (none: off)"),
	PB(spb_free_lists, "RFC 14 per-superpageblock free lists",
	   "each 1 GiB superpageblock owns its buddy lists (needed by steering)"),
	PB(spb_steer_nonmovable, "RFC 11/20 __rmqueue_smallest PASS_1..3",
	   "unmovable/reclaimable go to tainted SPBs first, then an empty SPB, a clean one last"),
	PB(spb_steer_movable, "RFC 12 sb_preferred_for_movable()",
	   "movable allocations fill the fullest clean SPB; empty SPBs after tainted (before, with spb_tainted_last)"),
	PB(spb_fill_holes, "gigalloc; stranded free pages: RFC v1 31",
	   "movable below pageblock order takes the smallest hole, tainted SPBs' too"),
	PB(spb_tainted_last, "RFC 20 pass order: empty SPBs, then non-preferred",
	   "movable takes a tainted SPB's free pageblocks only after empty SPBs"),
	PB(spb_movable_reserve_gate, "RFC 11/20 __rmqueue_sb_find_fallback reserve skip",
	   "movable requests the SPB passes cannot serve fail to reclaim, no zone-wide fallback"),
	PB(spb_taint_roomiest, "gigalloc; RFC PASS_3 takes the fullest clean SPB",
	   "when no empty SPB is left to taint: the emptiest clean one, not the fullest"),
	PB(spb_no_mixing, "RFC 24 noncompatible_cross_type()",
	   "relabel between unmovable and reclaimable only for a wholly free block"),
	PU(spb_reserve_min, 0, 512, "RFC 23 SPB_TAINTED_RESERVE_MIN",
	   "free pageblocks movable steering leaves in a tainted SPB (at least)"),
	PU(spb_reserve_pct, 0, 100, "RFC 23 spb_tainted_reserve()",
	   "... or this percentage of its pageblocks, whichever is larger"),
	PB(spb_contig, "RFC 17 sb_try_alloc_contig()",
	   "1 GiB contiguous requests take a wholly free SPB, else the emptiest clean one"),
	PB(spb_contig_movable, "RFC 17 sb_try_alloc_contig() in direct compaction",
	   "movable requests >= pageblock order empty the cheapest clean-SPB window first"),
	PB(spb_pin_migrate, "gigalloc; cf. check_and_migrate_movable_folios()",
	   "ga_pin_longterm moves an allocation out of a clean SPB before pinning it"),
	PB(spb_relax_placement, "gigalloc; relaxes RFC 20 (off in every preset)",
	   "non-movable taints an SPB instead of reclaiming while above the high mark"),
	PB(spb_fullness_walk, "RFC 10/12 spb_lists[], sb_preferred_for_movable()",
	   "find SPBs by walking fullness lists, fullest first (off: bitmap index, best fit)"),
	PB(spb_hint_cache, "RFC 31 zone->sb_hint[order][mt]",
	   "PASS_1 probes the SPB that last served the (order, type) first (with the walk)"),
	PB(spb_atomic_protect, "RFC 18",
	   "atomic requests keep NOFRAGMENT in the slow path: tainted pool and highatomic first"),
	PU(spb_aggressive_min_spbs, 0, 1u << 20, "RFC 19 SPB_AGGRESSIVE_THRESHOLD",
	   "non-movable takes sub-pageblock movable fragments of tainted SPBs only on zones with more SPBs (0 = always)"),
	PB(spb_refuse_optional, "RFC 26 ALLOC_HIGHORDER_OPTIONAL",
	   "high order with NORETRY (not RETRY_MAYFAIL) or atomic shape fails instead of tainting"),
	PB(spb_refuse_lower_order, "RFC 35 SPB_ATOMIC_RELAX_NOWARN_LOWER_ORDER",
	   "best-effort high order (NOWARN, no reclaim) fails if a tainted SPB could serve a lower order"),
	PB(spb_nolock_nofragment, "RFC 36 alloc_frozen_pages_nolock_noprof()",
	   "ga_alloc_nolock never taints a clean SPB"),
	PB(spb_pass_2c, "RFC 27 PASS_2C",
	   "non-movable borrows from the other non-movable type's lists in tainted SPBs"),
	PB(spb_shrink, "RFC 28 queue_spb_slab_shrink(), spb_below_shrink_high_water()",
	   "non-movable success in a tainted SPB below reserve x pageblock, or a taint: shrink slab"),
	PU(spb_shrink_batch, 1, 1u << 20, "gigalloc; RFC 28's request size is not known",
	   "most pages one background shrink call asks for"),
	PB(spb_compact_targets, "RFC 16 compaction walks per-SPB free lists",
	   "compaction's free scanner takes targets from SPB lists in movable steering's SPB order (fullest clean first)"),
	PB(spb_compact_skip_tainted, "RFC 38 isolate_migratepages_block() SPB bail-out",
	   "compaction's migrate scanner skips a whole tainted SPB holding no movable page"),
	PB(spb_compact_reserve, "RFC 39 compaction respects spb_tainted_reserve()",
	   "compaction takes no target from a tainted SPB at or below its reserve"),
	PB(spb_compact_evacuate, "RFC 17 __alloc_pages_direct_compact(), non-movable half",
	   "non-movable high order evacuates movable pages of tainted SPBs before compacting"),
};

#define NR_PARAMS (sizeof(params) / sizeof(params[0]))

const struct ga_param_info *ga_policy_params(size_t *nr)
{
	*nr = NR_PARAMS;
	return params;
}

static const char *const preset_names[] = { "vanilla", "evacuate", "rfc", "spb",
					     "vanilla-6.1", NULL };
static const char *const compare_names[] = { "vanilla", "rfc", "spb", NULL };

const char *const *ga_policy_preset_names(void)
{
	return preset_names;
}

const char *const *ga_policy_compare_names(void)
{
	return compare_names;
}

/* Linux 6.12 (with the 6.15 claim/steal split), x86-64 defaults. */
static void preset_vanilla(struct ga_policy *p)
{
	*p = (struct ga_policy){
		.mobility_grouping = true,
		.nofragment = true,
		.watermark_boost_factor = 15000,
		.watermark_scale_factor = 10,
		.min_free_kbytes = 0,
		.thp_min_free = true,
		.thp_nr_zones = 3,
		.lowmem_reserve_ratio_dma = 256,
		.lowmem_reserve_ratio_dma32 = 256,
		.lowmem_reserve_ratio_normal = 32,
		.kswapd_node = true,
		.highatomic = true,
		.pcp = true,
		.pcp_batch_scale_max = 5,
		.pcp_high_fraction = 0,
		.reclaim_retries = 16,
		.reclaim_batch = 32,
		.evacuate = false,
		.evacuate_pool = 64,
		.evacuate_batch = 32,
		.evacuate_sync = false,
		.spb_defrag = false,
		.spb_defrag_noop_cooldown = 5,
		.spb_evacuate_order = false,
		.spb_evacuate_deferred = false,
		.compaction = true,
		.extfrag_threshold = 500,
		.compaction_proactiveness = 20,
		.kcompactd = true,
		.spb_free_lists = false,
		.spb_steer_nonmovable = false,
		.spb_steer_movable = false,
		.spb_no_mixing = false,
		.spb_reserve_min = 4,
		.spb_reserve_pct = 3,
		.spb_contig = false,
		.spb_shrink = false,
		.spb_shrink_batch = 512,
	};
}

/*
 * Linux 6.1: the fallback before the v6.15 claim/steal split (the largest
 * fallback buddy; a refused claim still takes its page from that buddy),
 * rmqueue_bulk without the mode cache, pcp high and batches before the v6.7
 * auto-tuning.
 * docs/VANILLA.md lists what else differs and is not modelled.
 */
static void preset_vanilla_61(struct ga_policy *p)
{
	preset_vanilla(p);
	p->fallback_largest = true;
	p->rmqueue_bulk_restart = true;
	p->pcp_high_fixed = true;
	p->pcp_batch_fixed = true;
}

/* Vanilla plus the seed patch: async evacuation of claimed blocks. */
static void preset_evacuate(struct ga_policy *p)
{
	preset_vanilla(p);
	p->evacuate = true;
}

/* RFC 05, 18, 26, 35, 36: on in both presets that carry the series. */
static void preset_series_refusals(struct ga_policy *p)
{
	p->watermark_boost_factor = 0;		/* 05 */
	p->spb_atomic_protect = true;
	p->spb_refuse_optional = true;
	p->spb_refuse_lower_order = true;
	p->spb_nolock_nofragment = true;
}

/* RFC 16, 38, 39: SPB-aware compaction; 17: its non-movable hook. */
static void preset_series_compaction(struct ga_policy *p)
{
	p->spb_compact_targets = true;
	p->spb_compact_skip_tainted = true;
	p->spb_compact_reserve = true;
	p->spb_compact_evacuate = true;
}

/*
 * The series' final state as posted (spb-series.md section 3.x), pass by
 * pass, with its own search: fullness lists walked fullest first with the
 * PASS_1 hint cache, so movable requests take the fullest clean SPB that
 * fits (12); in RFC 20's pass order, a tainting claim takes an empty SPB,
 * then the fullest clean one (PASS_3), and movable requests take empty
 * SPBs before falling back into tainted SPBs above their reserve (PASS_4).
 * None of gigalloc's own switches.
 */
static void preset_rfc(struct ga_policy *p)
{
	preset_evacuate(p);
	p->spb_free_lists = true;
	p->spb_steer_nonmovable = true;
	p->spb_steer_movable = true;
	p->spb_no_mixing = true;
	p->spb_contig = true;
	p->spb_contig_movable = true;
	p->spb_fullness_walk = true;
	p->spb_hint_cache = true;
	p->spb_tainted_last = true;	/* 20: empty SPBs before tainted ones */
	p->spb_movable_reserve_gate = true;
	/*
	 * 02, 03, 21 are part of the series, so they are on here, although
	 * they cost THP success and mix more pageblocks (docs/RESULTS.md).
	 */
	p->pcp_buddy = true;
	p->pcp_buddy_adopt = true;
	p->pcp_buddy_reabsorb = true;
	preset_series_refusals(p);
	p->spb_aggressive_min_spbs = 8;
	p->spb_pass_2c = true;
	p->spb_defrag = true;
	p->spb_evacuate_order = true;
	p->spb_evacuate_deferred = true;
	p->spb_shrink = true;
	preset_series_compaction(p);
}

/*
 * The project's superpageblock design: the series' mechanisms with the
 * bitmap index instead of the lists, plus gigalloc's measured changes
 * (docs/SPB.md).
 */
static void preset_spb(struct ga_policy *p)
{
	preset_evacuate(p);
	p->spb_free_lists = true;
	p->spb_steer_nonmovable = true;
	p->spb_steer_movable = true;
	p->spb_fill_holes = true;
	p->spb_tainted_last = true;
	p->spb_taint_roomiest = true;
	p->spb_no_mixing = true;
	p->spb_contig = true;
	p->spb_contig_movable = true;
	p->spb_pin_migrate = true;
	p->spb_defrag = true;
	p->spb_evacuate_order = true;
	p->spb_evacuate_deferred = true;
	preset_series_refusals(p);
	p->spb_shrink = true;
	preset_series_compaction(p);
	/*
	 * pcp_buddy and pcp_buddy_adopt (RFC 02, 03, 21) stay off: on the
	 * default simulation they cut THP success from 99 % to 33 % (docs/SPB.md,
	 * "Per-CPU pageblocks").
	 */
}

int ga_policy_preset(struct ga_policy *p, const char *name)
{
	if (!p || !name)
		return -EINVAL;
	if (!strcmp(name, "vanilla") || !strcmp(name, "vanilla-6.12")) {
		preset_vanilla(p);
		return 0;
	}
	if (!strcmp(name, "vanilla-6.1")) {
		preset_vanilla_61(p);
		return 0;
	}
	if (!strcmp(name, "evacuate")) {
		preset_evacuate(p);
		return 0;
	}
	if (!strcmp(name, "rfc")) {
		preset_rfc(p);
		return 0;
	}
	if (!strcmp(name, "spb")) {
		preset_spb(p);
		return 0;
	}
	return -ENOENT;
}

static const struct ga_param_info *find_param(const char *name, size_t len)
{
	for (size_t i = 0; i < NR_PARAMS; i++)
		if (strlen(params[i].name) == len &&
		    !strncmp(params[i].name, name, len))
			return &params[i];
	return NULL;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "on", "true", "yes" };
	static const char *const no[] = { "0", "off", "false", "no" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int set_param(struct ga_policy *p, const struct ga_param_info *pi,
		     const char *value)
{
	char *end;
	unsigned long v;
	bool b;

	if (pi->type == GA_PARAM_BOOL) {
		if (parse_bool(value, &b))
			return -EINVAL;
		*(bool *)((char *)p + pi->offset) = b;
		return 0;
	}
	if (!*value || *value == '-')
		return -EINVAL;
	errno = 0;
	v = strtoul(value, &end, 0);
	if (*end || errno)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	if (v < pi->min || v > pi->max)
		return -ERANGE;
	*(unsigned int *)((char *)p + pi->offset) = (unsigned int)v;
	return 0;
}

int ga_policy_set(struct ga_policy *p, const char *name, const char *value)
{
	const struct ga_param_info *pi;

	if (!p || !name || !value)
		return -EINVAL;
	pi = find_param(name, strlen(name));

	if (!pi)
		return -ENOENT;
	return set_param(p, pi, value);
}

int ga_policy_set_assignment(struct ga_policy *p, const char *assignment)
{
	const char *eq = assignment ? strchr(assignment, '=') : NULL;
	const struct ga_param_info *pi;

	if (!p || !eq)
		return -EINVAL;
	pi = find_param(assignment, (size_t)(eq - assignment));
	if (!pi)
		return -ENOENT;
	return set_param(p, pi, eq + 1);
}

int ga_policy_check(const struct ga_policy *p, char *errbuf, size_t errlen)
{
	if (!p)
		return -EINVAL;
	for (size_t i = 0; i < NR_PARAMS; i++) {
		const struct ga_param_info *pi = &params[i];
		unsigned int v;

		if (pi->type != GA_PARAM_UINT)
			continue;
		memcpy(&v, (const char *)p + pi->offset, sizeof(v));
		if (v >= pi->min && v <= pi->max)
			continue;
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "%s %u outside %u..%u", pi->name,
				 v, pi->min, pi->max);
		return -EINVAL;
	}
	return 0;
}

void ga_policy_print(FILE *f, const struct ga_policy *p)
{
	for (size_t i = 0; i < NR_PARAMS; i++) {
		const struct ga_param_info *pi = &params[i];
		const char *field = (const char *)p + pi->offset;

		if (pi->type == GA_PARAM_BOOL)
			fprintf(f, "%-24s %-8s # %s [%s]\n", pi->name,
				*(const bool *)field ? "on" : "off", pi->help,
				pi->source);
		else
			fprintf(f, "%-24s %-8u # %s [%s]\n", pi->name,
				*(const unsigned int *)field, pi->help, pi->source);
	}
}
