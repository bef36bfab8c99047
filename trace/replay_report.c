// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Replay reports. Every figure printed is computed in replay.c, trace.c,
 * groundtruth.c or the simulator's metrics; this file only lays them out.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "provenance.h"
#include "replay_report.h"
#include "report.h"

#define U(x) ((unsigned long long)(x))

const struct replay_result *replay_vanilla(const struct replay_report *r)
{
	for (size_t i = 0; i < r->nr; i++)	/* vanilla, vanilla-6.1, ... */
		if (!strncmp(r->res[i].sim.policy, "vanilla", 7) &&
		    (!r->res[i].sim.policy[7] || r->res[i].sim.policy[7] == '-'))
			return &r->res[i];
	return NULL;
}

double replay_gt_diff_percent(const struct gt_row *row)
{
	if (row->kernel == 0)
		return row->replay == 0 ? 0 : NAN;
	return 100.0 * (row->replay - row->kernel) / fabs(row->kernel);
}

static double delta(const struct gt_vmstat *a, const struct gt_vmstat *b,
		    const char *const *names)
{
	double d = 0;

	for (; *names; names++)
		d += (double)gt_vmstat_get(b, *names, NULL) -
		     (double)gt_vmstat_get(a, *names, NULL);
	return d;
}

static size_t block_rows(const struct ground_truth *gt,
			 const struct replay_result *res, struct gt_row *rows)
{
	static const char *const end_label[] = {
		"Unmovable pageblocks at end", "Movable pageblocks at end",
		"Reclaimable pageblocks at end", "HighAtomic pageblocks at end",
	};
	static const char *const chg_label[] = {
		"Unmovable pageblocks, change", "Movable pageblocks, change",
		"Reclaimable pageblocks, change",
	};
	const struct sim_census *end = &res->sim.final, *start = &res->start;
	size_t n = 0;

	if (!gt->after.have_pagetypeinfo)
		return 0;
	rows[n++] = (struct gt_row){ "pageblocks in the zone(s)",
		(double)gt->after.blocks_total, (double)end->pageblocks,
		"pagetypeinfo, all zones" };
	for (int mt = 0; mt < 4; mt++)
		rows[n++] = (struct gt_row){ end_label[mt], (double)gt->after.blocks[mt],
			(double)end->blocks_mt[mt], "pagetypeinfo after" };
	if (!gt->before.have_pagetypeinfo)
		return n;
	for (int mt = 0; mt < 3; mt++)
		rows[n++] = (struct gt_row){ chg_label[mt],
			(double)gt->after.blocks[mt] - (double)gt->before.blocks[mt],
			(double)end->blocks_mt[mt] - (double)start->blocks_mt[mt],
			"pagetypeinfo after - before" };
	return n;
}

static uint64_t pcp_pages(const struct gt_snapshot *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->nr_zones; i++)
		n += s->zone[i].pcp_count;
	return n;
}

size_t replay_gt_rows(const struct replay_report *r,
		      const struct replay_result *res, struct gt_row *rows)
{
	static const char *const pgalloc[] = {
		"pgalloc_dma", "pgalloc_dma32", "pgalloc_normal", "pgalloc_movable", NULL,
	};
	static const char *const pgfree[] = { "pgfree", NULL };
	const struct ground_truth *gt = r->gt;
	const struct trace_stats *ts = &r->t->st;
	const struct sim_counters *k = &res->sim.counters;
	size_t n;

	if (!gt || !gt->present)
		return 0;
	n = block_rows(gt, res, rows);
	rows[n++] = (struct gt_row){ "fallbacks", (double)ts->events[FT_EXTFRAG],
		(double)k->fallbacks, "mm_page_alloc_extfrag events" };
	rows[n++] = (struct gt_row){ "fallbacks that claimed the block",
		(double)ts->extfrag_change_ownership, (double)k->claims,
		"extfrag change_ownership=1" };
	rows[n++] = (struct gt_row){ "fragmenting fallbacks",
		(double)ts->extfrag_fragmenting, (double)k->fallbacks_fragmenting,
		"extfrag fragmenting=1" };
	if (gt->before.have_vmstat && gt->after.have_vmstat) {
		rows[n++] = (struct gt_row){ "pages allocated",
			delta(&gt->before.vm, &gt->after.vm, pgalloc),
			(double)res->rp.alloc_pages, "vmstat pgalloc_* delta" };
		rows[n++] = (struct gt_row){ "pages freed",
			delta(&gt->before.vm, &gt->after.vm, pgfree),
			(double)res->rp.free_pages, "vmstat pgfree delta" };
	}
	if (gt->after.have_buddyinfo)
		rows[n++] = (struct gt_row){ "free pages at end (buddy)",
			(double)gt->after.buddy_free_pages, (double)res->sim.final.free,
			"buddyinfo after" };
	if (gt->after.have_buddyinfo && gt->after.have_zoneinfo)
		rows[n++] = (struct gt_row){ "free pages at end (buddy + pcp)",
			(double)(gt->after.buddy_free_pages + pcp_pages(&gt->after)),
			(double)(res->sim.final.free + res->sim.final.pcp),
			"buddyinfo + zoneinfo pcp counts" };
	if (gt->after.have_buddyinfo) {
		const unsigned long *kf = gt->after.buddy_free;
		const unsigned long *sf = res->free_order;

		rows[n++] = (struct gt_row){ "free order-9 blocks at end",
			(double)kf[9], (double)sf[9], "buddyinfo after" };
		rows[n++] = (struct gt_row){ "free order-10 blocks at end",
			(double)kf[10], (double)sf[10], "buddyinfo after" };
		rows[n++] = (struct gt_row){ "free 2 MB capacity (o9 + 2 x o10)",
			(double)(kf[9] + 2 * kf[10]), (double)(sf[9] + 2 * sf[10]),
			"buddyinfo after" };
	}
	return n;
}

/* ------------------------------------------------------------------------ */
/* Text.                                                                     */

static void text_header(FILE *f, const struct replay_report *r)
{
	const struct trace_stats *s = &r->t->st;
	const struct ground_truth *gt = r->gt;

	fprintf(f, "gigalloc replay: %s (%s, %llu lines)\n", r->trace_path,
		r->t->format, U(s->lines));
	if (gt && gt->present && gt->kernel[0])
		fprintf(f, "  captured on Linux %s, %u CPUs, %llu MiB, workload: %s\n",
			gt->kernel, gt->cpus, U(gt->memtotal_kb >> 10), gt->workload);
	fprintf(f, "  events: %llu allocations (%llu pages), %llu failed attempts, "
		"%llu frees (%llu pages), %llu batched repeats (%llu unmatched),\n"
		"          %llu fallbacks, %llu pcp drains, %llu other, "
		"%llu lost, %llu malformed lines skipped\n",
		U(s->events[FT_ALLOC]), U(s->alloc_pages), U(s->events[FT_ALLOC_FAILED]),
		U(s->events[FT_FREE]), U(s->free_pages), U(s->events[FT_FREE_BATCHED]),
		U(s->batched_unmatched), U(s->events[FT_EXTFRAG]),
		U(s->events[FT_PCPU_DRAIN]), U(s->other_events), U(s->lost_events),
		U(s->malformed));
	if (s->malformed)
		fprintf(f, "  first malformed line: %llu (%s): %s\n",
			U(s->first_bad_line), s->first_bad_why, s->first_bad_text);
	if (s->gfp_empty)
		fprintf(f, "  %llu allocations printed empty gfp_flags: gfp taken "
			"from their migratetype\n", U(s->gfp_empty));
	if (r->layout)
		fprintf(f, "  zone: the traced machine's pfns 0-%#llx, %llu pages never "
			"allocatable (%llu outside RAM, %llu PG_reserved)\n",
			U(r->zone_pages), U(r->hole_pages), U(r->hole_pages - r->reserved_pages),
			U(r->reserved_pages));
	fprintf(f, "  zone: %llu pages (%.2f GiB), %u CPUs; pages in use before "
		"tracing, preloaded U/M/R: %llu/%llu/%llu\n\n",
		U(r->zone_pages), (double)r->zone_pages / 262144.0, r->nr_cpus,
		U(r->preload[GA_MT_UNMOVABLE]), U(r->preload[GA_MT_MOVABLE]),
		U(r->preload[GA_MT_RECLAIMABLE]));
}

typedef void (*rp_cell)(const struct replay_result *res, char *b, size_t n);

static void c_allocs(const struct replay_result *x, char *b, size_t n)
{
	snprintf(b, n, "%llu", U(x->rp.allocs));
}

static void c_fail(const struct replay_result *x, char *b, size_t n)
{
	snprintf(b, n, "%llu/%llu", U(x->rp.alloc_fail), U(x->rp.alloc_too_big + x->rp.alloc_bad));
}

static void c_frees(const struct replay_result *x, char *b, size_t n)
{
	snprintf(b, n, "%llu", U(x->rp.frees));
}

static void c_partial(const struct replay_result *x, char *b, size_t n)
{
	snprintf(b, n, "%llu/%llu", U(x->rp.free_partial), U(x->rp.split_released));
}

static void c_untracked(const struct replay_result *x, char *b, size_t n)
{
	snprintf(b, n, "%llu (%llu pages)", U(x->rp.free_untracked),
		 U(x->rp.free_untracked_pages));
}

static void c_start(const struct replay_result *x, char *b, size_t n)
{
	snprintf(b, n, "%llu/%llu", U(x->rp.free_start), U(x->rp.free_start_pages));
}

static void c_start_pcp(const struct replay_result *x, char *b, size_t n)
{
	snprintf(b, n, "%llu/%llu", U(x->rp.start_pcp_pages), U(x->rp.start_fail_pages));
}

static void c_inferred(const struct replay_result *x, char *b, size_t n)
{
	snprintf(b, n, "%llu/%llu/%llu", U(x->rp.inferred_at_pfn),
		 U(x->rp.inferred_elsewhere), U(x->rp.inferred_fail));
}

static void c_free_inferred(const struct replay_result *x, char *b, size_t n)
{
	snprintf(b, n, "%llu/%llu", U(x->rp.free_inferred), U(x->rp.free_inferred_pages));
}

static void c_failed_free(const struct replay_result *x, char *b, size_t n)
{
	snprintf(b, n, "%llu", U(x->rp.free_of_failed));
}

static void c_reuse(const struct replay_result *x, char *b, size_t n)
{
	snprintf(b, n, "%llu/%llu", U(x->rp.alloc_live_pfn), U(x->rp.free_spanning));
}

static void c_migr(const struct replay_result *x, char *b, size_t n)
{
	snprintf(b, n, "%llu", U(x->rp.migrated_pages));
}

static void c_live(const struct replay_result *x, char *b, size_t n)
{
	snprintf(b, n, "%llu", U(x->rp.live_at_end));
}

static const struct { const char *label; rp_cell fmt; } rp_rows[] = {
	{ "allocations replayed", c_allocs },
	{ "failed: no memory/other", c_fail },
	{ "frees replayed", c_frees },
	{ "partial frees/split released", c_partial },
	{ "snapshot pages free (pcp)/unplaced", c_start_pcp },
	{ "frees of snapshot pages/pages", c_start },
	{ "untraced allocs: at pfn/elsewhere/no", c_inferred },
	{ "frees of inferred allocs/pages", c_free_inferred },
	{ "frees of untraced pages", c_untracked },
	{ "frees of failed allocations", c_failed_free },
	{ "pfn reused while live/span frees", c_reuse },
	{ "pages migrated by the library", c_migr },
	{ "traced allocations live at end", c_live },
};

#define CELL 64
#define MAX_COLS 16

/* Label column, then one column per policy, widths from the contents. */
static void table(FILE *f, const struct replay_report *r)
{
	size_t nr = r->nr < MAX_COLS ? r->nr : MAX_COLS;
	int lw = 34, w[MAX_COLS];
	char cell[CELL];

	for (size_t c = 0; c < nr; c++) {
		w[c] = (int)strlen(r->res[c].sim.policy);
		for (const struct sim_table_row *row = sim_table_rows; row->label; row++) {
			row->fmt(&r->res[c].sim, cell, sizeof(cell));
			w[c] = (int)strlen(cell) > w[c] ? (int)strlen(cell) : w[c];
		}
	}
	fprintf(f, "%-*s", lw, "");
	for (size_t c = 0; c < nr; c++)
		fprintf(f, "  %*s", w[c], r->res[c].sim.policy);
	fputc('\n', f);
	for (const struct sim_table_row *row = sim_table_rows; row->label; row++) {
		fprintf(f, "%*s%-*s", 2 * row->indent, "", lw - 2 * row->indent, row->label);
		for (size_t c = 0; c < nr; c++) {
			row->fmt(&r->res[c].sim, cell, sizeof(cell));
			fprintf(f, "  %*s", w[c], cell);
		}
		fputc('\n', f);
	}
	fprintf(f, "replay\n");
	for (size_t i = 0; i < sizeof(rp_rows) / sizeof(rp_rows[0]); i++) {
		fprintf(f, "  %-*s", lw - 2, rp_rows[i].label);
		for (size_t c = 0; c < nr; c++) {
			rp_rows[i].fmt(&r->res[c], cell, sizeof(cell));
			fprintf(f, "  %*s", w[c], cell);
		}
		fputc('\n', f);
	}
}

static void ground_truth_text(FILE *f, const struct replay_report *r)
{
	const struct replay_result *v = replay_vanilla(r);
	const struct ground_truth *gt = r->gt;
	struct gt_row rows[GT_MAX_ROWS];
	size_t n;

	if (!gt || !gt->present) {
		fprintf(f, "\nground truth: none (no capture snapshots next to the trace)\n");
		return;
	}
	if (!v) {
		fprintf(f, "\nground truth: needs the vanilla policy\n");
		return;
	}
	n = replay_gt_rows(r, v, rows);
	fprintf(f, "\nground truth: vanilla replay vs the kernel that was traced\n");
	fprintf(f, "  %-34s %12s %12s %9s  %s\n", "", "kernel", "replay", "diff", "kernel source");
	for (size_t i = 0; i < n; i++) {
		double d = replay_gt_diff_percent(&rows[i]);
		char ds[16];

		if (isnan(d))
			snprintf(ds, sizeof(ds), "-");
		else
			snprintf(ds, sizeof(ds), "%+.0f%%", d);
		fprintf(f, "  %-34s %12.0f %12.0f %9s  %s\n", rows[i].metric,
			rows[i].kernel, rows[i].replay, ds, rows[i].note);
	}
	if (gt->hp.have)
		fprintf(f, "  kernel's runtime hugetlb after the workload: 1 GiB %lu of %lu "
			"(first try %lu), 2 MiB %lu of %lu (first try %lu)\n",
			gt->hp.gib_got, gt->hp.gib_requested, gt->hp.gib_first_got,
			gt->hp.hp2m_got, gt->hp.hp2m_requested, gt->hp.hp2m_first_got);
	if (gt->ftrace_dropped || gt->ftrace_overrun || r->t->st.lost_events)
		fprintf(f, "  WARNING: the ring buffer lost events (dropped %llu, "
			"overrun %llu, lost markers %llu)\n", U(gt->ftrace_dropped),
			U(gt->ftrace_overrun), U(r->t->st.lost_events));
}

/* ------------------------------------------------------------------------ */
/* --shadow and the hugetlb probe.                                           */

/* "pb/region/list/fallback" agreement in percent, or "-" if none asked. */
static void agreement(const struct shadow_tally *t, char *b, size_t n)
{
	if (!t->asked) {
		snprintf(b, n, "-");
		return;
	}
	snprintf(b, n, "%.0f/%.0f/%.0f/%.0f", shadow_pct(t->same_pageblock, t->asked),
		 shadow_pct(t->same_region, t->asked), shadow_pct(t->same_list, t->asked),
		 shadow_pct(t->same_fallback, t->asked));
}

static void shadow_text(FILE *f, const struct replay_report *r)
{
	char cell[CELL];

	if (!r->shadow)
		return;
	fprintf(f, "\nshadow: each allocation placed at the kernel's pfn after asking the "
		"policy where it would go\n");
	for (size_t c = 0; c < r->nr; c++) {
		const struct shadow_stats *s = &r->res[c].shadow;
		const struct shadow_tally *a = &s->all;

		fprintf(f, "  %s: %llu allocations, %llu placed at the kernel's pfn (%llu not, "
			"%llu pageblocks relabelled as the kernel claimed them); the policy "
			"had a block for %.1f%%\n", r->res[c].sim.policy, U(a->asked),
			U(s->placed), U(s->not_placed), U(s->relabelled),
			shadow_pct(a->answered, a->asked));
		fprintf(f, "    same pageblock %.1f%%, same 1 GiB region %.1f%%, same free list "
			"%.1f%%, fallback or not %.2f%% (kernel %llu fallbacks, policy %llu, "
			"both %llu)\n", shadow_pct(a->same_pageblock, a->asked),
			shadow_pct(a->same_region, a->asked), shadow_pct(a->same_list, a->asked),
			shadow_pct(a->same_fallback, a->asked), U(a->kernel_fallback),
			U(a->model_fallback), U(a->both_fallback));
	}
	fprintf(f, "  by order and migratetype: same pageblock/region/list/fallback, %%\n");
	fprintf(f, "    %-5s %-12s %10s", "order", "migratetype", "allocs");
	for (size_t c = 0; c < r->nr; c++)
		fprintf(f, "  %15s", r->res[c].sim.policy);
	fputc('\n', f);
	for (unsigned int o = 0; o < SHADOW_ORDERS; o++)
		for (int mt = 0; mt < GA_MT_PCPTYPES; mt++) {
			uint64_t n = r->nr ? r->res[0].shadow.by[o][mt].asked : 0;
			char os[8];

			if (!n)
				continue;
			snprintf(os, sizeof(os), o + 1 < SHADOW_ORDERS ? "%u" : ">%u",
				 o + 1 < SHADOW_ORDERS ? o : o - 1);
			fprintf(f, "    %-5s %-12s %10llu", os, ga_migratetype_name(mt), U(n));
			for (size_t c = 0; c < r->nr; c++) {
				agreement(&r->res[c].shadow.by[o][mt], cell, sizeof(cell));
				fprintf(f, "  %15s", cell);
			}
			fputc('\n', f);
		}
}

static void probe_text(FILE *f, const struct replay_report *r)
{
	const struct ground_truth *gt = r->gt;

	if (!r->probe)
		return;
	fprintf(f, "\nhugetlb probe at the end of the trace (1 GiB first, each until the "
		"first failure)\n");
	for (size_t c = 0; c < r->nr; c++) {
		const struct replay_probe *p = &r->res[c].probe;

		fprintf(f, "  %-10s 1 GiB %u of %u, 2 MiB %u of %u (%llu pages migrated)\n",
			r->res[c].sim.policy, p->gib_got, p->gib_asked, p->hp2m_got,
			p->hp2m_asked, U(p->pages_migrated));
	}
	if (gt && gt->present && gt->hp.have)
		fprintf(f, "  %-10s 1 GiB %lu of %lu, 2 MiB %lu of %lu (first tries; "
			"hugepages.txt)\n", "kernel", gt->hp.gib_first_got,
			gt->hp.gib_requested, gt->hp.hp2m_first_got, gt->hp.hp2m_requested);
	else
		fprintf(f, "  kernel: no hugepages.txt in the capture to compare with\n");
}

/* The kernel's pagetypeinfo entry for zone type t, or NULL. */
static const struct gt_block_zone_ref {
	const unsigned long *blocks, *free;
} *kernel_zone(const struct gt_snapshot *s, int t, struct gt_block_zone_ref *ref)
{
	if (!s->have_pagetypeinfo)
		return NULL;
	for (size_t z = 0; z < s->nr_block_zones; z++)
		if (!strcmp(s->block_zone[z].name, ga_zone_type_name(t))) {
			ref->blocks = s->block_zone[z].blocks;
			ref->free = s->block_zone[z].free;
			return ref;
		}
	return NULL;
}

static unsigned long cap_2m(const unsigned long *free)
{
	return free[9] + 2 * free[10];
}

/*
 * Per zone: what each policy's node did (served, spilled, refused for the
 * reserve) and, for vanilla, the zone's end state next to the kernel's
 * (pagetypeinfo after: free blocks per order >= 9, pageblocks per type).
 */
static void zones_text(FILE *f, const struct replay_report *r)
{
	const struct replay_result *v = replay_vanilla(r);
	const struct ground_truth *gt = r->gt;

	if (!r->nr_zones || !r->nr)
		return;
	fprintf(f, "\nzones (a node: zonelist walk from the gfp's highest zone, "
		"lowmem_reserve, NOFRAGMENT spill)\n");
	for (size_t c = 0; c < r->nr; c++) {
		const struct ga_node_stats *n = &r->res[c].node;

		fprintf(f, "  %-10s served", r->res[c].sim.policy);
		for (size_t z = 0; z < r->res[c].nr_zones; z++) {
			int t = r->res[c].zone[z].type;

			fprintf(f, " %s %llu", ga_zone_type_name(t), U(n->served[t]));
		}
		fprintf(f, "; below the preferred zone %llu (NOFRAGMENT %llu), "
			"refused for lowmem_reserve", U(n->spill), U(n->nofrag_spill));
		for (size_t z = 0; z < r->res[c].nr_zones; z++) {
			int t = r->res[c].zone[z].type;

			fprintf(f, " %s %llu", ga_zone_type_name(t), U(n->reserve_refused[t]));
		}
		fputc('\n', f);
	}
	if (!v)
		return;
	fprintf(f, "  %-7s %-17s %8s %-19s %-23s %-23s %-19s %s\n", "zone", "pfns",
		"managed", "wmark min/low/high", "free o9/o10 kern/repl",
		"2 MB cap kern/repl", "blocks U/M/R kern", "blocks U/M/R replay");
	for (size_t z = 0; z < v->nr_zones; z++) {
		const struct replay_zone_result *zr = &v->zone[z];
		struct gt_block_zone_ref ref;
		const struct gt_block_zone_ref *k = gt && gt->present ?
			kernel_zone(&gt->after, zr->type, &ref) : NULL;
		char pfns[40], wm[40], fo[40], cap[40], kb[40], rb[40];

		snprintf(pfns, sizeof(pfns), "%#llx-%#llx", U(zr->start_pfn), U(zr->end_pfn));
		snprintf(wm, sizeof(wm), "%lu/%lu/%lu", zr->wmark_min, zr->wmark_low,
			 zr->wmark_high);
		if (k) {
			snprintf(fo, sizeof(fo), "%lu/%lu  %lu/%lu", k->free[9], k->free[10],
				 zr->free_order[9], zr->free_order[10]);
			snprintf(cap, sizeof(cap), "%lu  %lu", cap_2m(k->free),
				 cap_2m(zr->free_order));
			snprintf(kb, sizeof(kb), "%lu/%lu/%lu", k->blocks[0], k->blocks[1],
				 k->blocks[2]);
		} else {
			snprintf(fo, sizeof(fo), "-  %lu/%lu", zr->free_order[9],
				 zr->free_order[10]);
			snprintf(cap, sizeof(cap), "-  %lu", cap_2m(zr->free_order));
			snprintf(kb, sizeof(kb), "-");
		}
		snprintf(rb, sizeof(rb), "%lu/%lu/%lu", zr->blocks_mt[0], zr->blocks_mt[1],
			 zr->blocks_mt[2]);
		fprintf(f, "  %-7s %-17s %8lu %-19s %-23s %-23s %-19s %s\n",
			ga_zone_type_name(zr->type), pfns, zr->managed, wm, fo, cap, kb, rb);
	}
}

void replay_report_text(FILE *f, const struct replay_report *r)
{
	text_header(f, r);
	table(f, r);
	ground_truth_text(f, r);
	zones_text(f, r);
	shadow_text(f, r);
	probe_text(f, r);
	fputc('\n', f);
	provenance_lines(f, "");
}

/* ------------------------------------------------------------------------ */
/* JSON: the `gigalloc sim --json` policy keys, plus replay and ground truth. */

static void j_trace(struct jw *j, const struct replay_report *r)
{
	const struct trace_stats *s = &r->t->st;

	jw_obj(j, "trace");
	jw_str(j, "path", r->trace_path);
	jw_str(j, "format", r->t->format);
	jw_u64(j, "lines", s->lines);
	jw_obj(j, "events");
	for (int k = 0; k < FT_NR_KINDS; k++)
		jw_u64(j, ft_kind_name[k], s->events[k]);
	jw_close_obj(j);
	jw_u64(j, "alloc_pages", s->alloc_pages);
	jw_u64(j, "free_pages", s->free_pages);
	jw_u64(j, "batched_unmatched", s->batched_unmatched);
	jw_u64(j, "other_events", s->other_events);
	jw_u64(j, "lost_events", s->lost_events);
	jw_u64(j, "malformed_lines", s->malformed);
	jw_u64(j, "gfp_empty", s->gfp_empty);
	jw_u64(j, "gfp_zone_restricted", s->gfp_zone);
	jw_u64(j, "gfp_migratetype_mismatch", s->gfp_mt_mismatch);
	jw_dbl(j, "seconds", (double)(s->ts_last - s->ts_first) / 1e9);
	jw_close_obj(j);
}

static void j_replay(struct jw *j, const struct replay_stats *s)
{
	jw_u64_obj(j, "replay", (const struct jw_u64_kv[]){
		{ "allocs", s->allocs },
		{ "alloc_pages", s->alloc_pages },
		{ "alloc_failed_nomem", s->alloc_fail },
		{ "alloc_order_too_big", s->alloc_too_big },
		{ "alloc_refused", s->alloc_bad },
		{ "alloc_of_live_pfn", s->alloc_live_pfn },
		{ "frees", s->frees },
		{ "free_pages", s->free_pages },
		{ "partial_frees", s->free_partial },
		{ "split_released", s->split_released },
		{ "untracked_frees", s->free_untracked },
		{ "untracked_free_pages", s->free_untracked_pages },
		{ "frees_of_failed_allocs", s->free_of_failed },
		{ "spanning_frees", s->free_spanning },
		{ "preload_pages", s->preload_pages },
		{ "preload_failed", s->preload_fail },
		{ "start_units", s->start_units },
		{ "start_pages", s->start_pages },
		{ "start_failed_pages", s->start_fail_pages },
		{ "start_free_pcp_pages", s->start_pcp_pages },
		{ "start_labels", s->start_labels },
		{ "start_label_failed", s->start_label_fail },
		{ "frees_of_start_pages", s->free_start_pages },
		{ "inferred_allocs", s->inferred },
		{ "inferred_pages", s->inferred_pages },
		{ "inferred_at_start", s->inferred_at_start },
		{ "inferred_at_pfn", s->inferred_at_pfn },
		{ "inferred_elsewhere", s->inferred_elsewhere },
		{ "inferred_failed", s->inferred_fail },
		{ "frees_of_inferred_pages", s->free_inferred_pages },
		{ "thp_tries", s->thp_tries },
		{ "thp_ok", s->thp_ok },
		{ "migrated_pages", s->migrated_pages },
		{ "vmstat_ticks", s->vmstat_ticks },
		{ "live_at_end", s->live_at_end },
		{ NULL, 0 } });
}

/* The keys of a `gigalloc sim --json` policy (the trace is its one
 * consumer), then what the replay did with the trace. */
static void j_tally(struct jw *j, const struct shadow_tally *t)
{
	jw_u64s(j, (const struct jw_u64_kv[]){
		{ "allocations", t->asked },
		{ "answered", t->answered },
		{ "same_pageblock", t->same_pageblock },
		{ "same_region", t->same_region },
		{ "same_list", t->same_list },
		{ "same_fallback", t->same_fallback },
		{ "kernel_fallbacks", t->kernel_fallback },
		{ "policy_fallbacks", t->model_fallback },
		{ "both_fallback", t->both_fallback },
		{ NULL, 0 } });
}

static void j_shadow(struct jw *j, const struct shadow_stats *s)
{
	jw_obj(j, "shadow");
	j_tally(j, &s->all);
	jw_u64(j, "placed", s->placed);
	jw_u64(j, "not_placed", s->not_placed);
	jw_u64(j, "pageblocks_relabelled", s->relabelled);
	jw_arr(j, "by_order_migratetype");
	for (unsigned int o = 0; o < SHADOW_ORDERS; o++)
		for (int mt = 0; mt < GA_MT_PCPTYPES; mt++) {
			if (!s->by[o][mt].asked)
				continue;
			jw_obj(j, NULL);
			jw_u64(j, "order", o);	/* SHADOW_ORDERS - 1: that order and above */
			jw_str(j, "migratetype", ga_migratetype_name(mt));
			j_tally(j, &s->by[o][mt]);
			jw_close_obj(j);
		}
	jw_close_arr(j);
	jw_close_obj(j);
}

static void j_probe(struct jw *j, const struct replay_probe *p)
{
	jw_u64_obj(j, "probe", (const struct jw_u64_kv[]){
		{ "gib_requested", p->gib_asked },
		{ "gib_obtained", p->gib_got },
		{ "2mib_requested", p->hp2m_asked },
		{ "2mib_obtained", p->hp2m_got },
		{ "pages_migrated", p->pages_migrated },
		{ NULL, 0 } });
}

static void j_free_order(struct jw *j, const char *key, const unsigned long *free)
{
	jw_arr(j, key);
	for (unsigned int o = 0; o <= 10; o++)
		jw_u64(j, NULL, free[o]);
	jw_close_arr(j);
}

static void j_blocks(struct jw *j, const char *key, const unsigned long *blocks)
{
	jw_obj(j, key);
	for (int mt = 0; mt < 4; mt++)
		jw_u64(j, ga_migratetype_name(mt), blocks[mt]);
	jw_close_obj(j);
}

/* A node replay: each zone at the end and the zonelist walk's counters. */
static void j_zones(struct jw *j, const struct replay_report *r,
		    const struct replay_result *x)
{
	const struct ga_node_stats *n = &x->node;

	if (!x->nr_zones) {
		jw_null(j, "node");
		return;
	}
	jw_obj(j, "node");
	jw_arr(j, "zones");
	for (size_t z = 0; z < x->nr_zones; z++) {
		const struct replay_zone_result *zr = &x->zone[z];
		struct gt_block_zone_ref ref;
		const struct gt_block_zone_ref *k = r->gt && r->gt->present ?
			kernel_zone(&r->gt->after, zr->type, &ref) : NULL;

		jw_obj(j, NULL);
		jw_str(j, "name", ga_zone_type_name(zr->type));
		jw_u64(j, "start_pfn", zr->start_pfn);
		jw_u64(j, "end_pfn", zr->end_pfn);
		jw_u64(j, "managed_pages", zr->managed);
		jw_u64(j, "wmark_min", zr->wmark_min);
		jw_u64(j, "wmark_low", zr->wmark_low);
		jw_u64(j, "wmark_high", zr->wmark_high);
		jw_arr(j, "lowmem_reserve");
		for (int t = 0; t < GA_NR_ZONE_TYPES; t++)
			jw_u64(j, NULL, zr->lowmem_reserve[t]);
		jw_close_arr(j);
		jw_u64(j, "free_pages", zr->free_pages);
		jw_u64(j, "pcp_pages", zr->pcp_pages);
		j_free_order(j, "free_blocks_by_order", zr->free_order);
		j_blocks(j, "pageblocks", zr->blocks_mt);
		jw_u64(j, "fallbacks", zr->fallbacks);
		jw_u64(j, "fallbacks_fragmenting", zr->fallbacks_fragmenting);
		jw_u64(j, "served", n->served[zr->type]);
		jw_u64(j, "reserve_refused", n->reserve_refused[zr->type]);
		if (k) {
			jw_obj(j, "kernel_after");
			j_free_order(j, "free_blocks_by_order", k->free);
			j_blocks(j, "pageblocks", k->blocks);
			jw_close_obj(j);
		}
		jw_close_obj(j);
	}
	jw_close_arr(j);
	jw_obj(j, "zonelist");
	jw_u64(j, "alloc_calls", n->alloc_calls);
	jw_u64(j, "alloc_fail", n->alloc_fail);
	jw_u64(j, "below_preferred", n->spill);
	jw_u64(j, "nofragment_spill", n->nofrag_spill);
	jw_u64(j, "nofragment_retry", n->nofrag_retry);
	jw_u64(j, "slowpath", n->slowpath);
	jw_close_obj(j);
	jw_close_obj(j);
}

static void j_policy(struct jw *j, const struct replay_report *r,
		     const struct replay_result *x)
{
	static const char *const consumer[] = { "trace" };

	jw_obj(j, NULL);
	sim_json_policy_keys(j, &x->sim, consumer);
	j_zones(j, r, x);
	j_replay(j, &x->rp);
	if (r->shadow)
		j_shadow(j, &x->shadow);
	if (r->probe)
		j_probe(j, &x->probe);
	jw_close_obj(j);
}

static void j_ground_truth(struct jw *j, const struct replay_report *r)
{
	const struct replay_result *v = replay_vanilla(r);
	const struct ground_truth *gt = r->gt;
	struct gt_row rows[GT_MAX_ROWS];
	size_t n;

	if (!gt || !gt->present || !v) {
		jw_null(j, "ground_truth");
		return;
	}
	n = replay_gt_rows(r, v, rows);
	jw_obj(j, "ground_truth");
	jw_str(j, "policy", "vanilla");
	jw_str(j, "kernel", gt->kernel);
	jw_arr(j, "rows");
	for (size_t i = 0; i < n; i++) {
		jw_obj(j, NULL);
		jw_str(j, "metric", rows[i].metric);
		jw_dbl(j, "kernel", rows[i].kernel);
		jw_dbl(j, "replay", rows[i].replay);
		jw_dbl(j, "diff_percent", replay_gt_diff_percent(&rows[i]));
		jw_str(j, "kernel_source", rows[i].note);
		jw_close_obj(j);
	}
	jw_close_arr(j);
	jw_obj(j, "hugetlb_after_workload");
	if (gt->hp.have) {
		jw_u64(j, "gib_requested", gt->hp.gib_requested);
		jw_u64(j, "gib_obtained", gt->hp.gib_got);
		jw_u64(j, "gib_obtained_first_try", gt->hp.gib_first_got);
		jw_u64(j, "2mib_requested", gt->hp.hp2m_requested);
		jw_u64(j, "2mib_obtained", gt->hp.hp2m_got);
		jw_u64(j, "2mib_obtained_first_try", gt->hp.hp2m_first_got);
	}
	jw_close_obj(j);
	jw_u64(j, "ftrace_dropped_events", gt->ftrace_dropped);
	jw_u64(j, "ftrace_overrun_events", gt->ftrace_overrun);
	jw_close_obj(j);
}

void replay_report_json(FILE *f, const struct replay_report *r)
{
	struct jw j;

	jw_begin(&j, f);
	jw_u64(&j, "gigalloc_replay_format", 1);
	provenance_json(&j);
	jw_obj(&j, "inputs");
	jw_u64(&j, "mem_bytes", r->zone_pages << 12);
	jw_u64(&j, "zone_pages", r->zone_pages);
	jw_bool(&j, "machine_layout", r->layout);
	jw_u64(&j, "zones", r->nr_zones ? r->nr_zones : 1);
	jw_u64(&j, "hole_pages", r->hole_pages);
	jw_u64(&j, "reserved_pages", r->reserved_pages);
	jw_u64(&j, "cpus", r->nr_cpus);
	jw_obj(&j, "preload_pages");
	for (int mt = 0; mt < GA_MT_PCPTYPES; mt++)
		jw_u64(&j, ga_migratetype_name(mt), r->preload[mt]);
	jw_close_obj(&j);
	jw_arr(&j, "sets");
	for (unsigned int i = 0; i < r->nr_sets; i++)
		jw_str(&j, NULL, r->sets[i]);
	jw_close_arr(&j);
	jw_close_obj(&j);
	j_trace(&j, r);
	jw_arr(&j, "policies");
	for (size_t i = 0; i < r->nr; i++)
		j_policy(&j, r, &r->res[i]);
	jw_close_arr(&j);
	j_ground_truth(&j, r);
	jw_end(&j);
}
