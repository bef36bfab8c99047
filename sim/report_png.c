// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The report's pictures. A memory map is one pixel column pair per 2 MiB
 * pageblock and one row per 1 GiB region, so scattered unmovable memory
 * shows as a rash across every row while a good policy shows a few dark
 * rows and many clean ones; a strip on its right names what keeps each
 * region from being a 1 GiB page. The charts are the time series of the
 * run, one line per policy (the mean, with the spread of the seeds as a
 * band), and the buddy allocator's free memory by order (buddyinfo).
 * Each picture carries its title, what was run, a legend and axis labels.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_png.h"

#define INK		SIM_RGB(40, 40, 40)
#define SUBTLE		SIM_RGB(90, 90, 90)
#define PAD		8
#define MAP_XSCALE	2
#define MAP_MAX_H	640
#define MAP_ROW_MAX	(SIM_GLYPH_H + 5)	/* a labelled row and its gap */
#define STRIP		6
#define MIN_W		560
#define CHART_W		760
#define CHART_H		320

static const uint32_t kind_rgb[SIM_PB_NR_KINDS] = {
	[SIM_PB_FREE] = SIM_RGB(250, 250, 250),
	[SIM_PB_MOVABLE] = SIM_RGB(46, 160, 67),
	[SIM_PB_PINNED] = SIM_RGB(137, 87, 229),
	[SIM_PB_RECLAIMABLE] = SIM_RGB(240, 170, 30),
	[SIM_PB_UNMOVABLE] = SIM_RGB(210, 40, 40),
	[SIM_PB_MIXED] = SIM_RGB(120, 20, 20),
	[SIM_PB_CONTIG] = SIM_RGB(40, 110, 220),
	[SIM_PB_HOLE] = SIM_RGB(0, 0, 0),
};

/* Policy line colours, in order. */
static const uint32_t policy_rgb[] = {
	SIM_RGB(210, 40, 40), SIM_RGB(40, 110, 220), SIM_RGB(46, 160, 67),
	SIM_RGB(137, 87, 229), SIM_RGB(240, 140, 30), SIM_RGB(20, 150, 160),
	SIM_RGB(120, 120, 120), SIM_RGB(190, 60, 160),
};
#define NR_POLICY_RGB (sizeof(policy_rgb) / sizeof(policy_rgb[0]))

uint32_t sim_pb_kind_rgb(enum sim_pb_kind k)
{
	return kind_rgb[k % SIM_PB_NR_KINDS];
}

uint32_t sim_policy_rgb(size_t p)
{
	return policy_rgb[p % NR_POLICY_RGB];
}

size_t sim_report_policies(const struct sim_report *r)
{
	return r->nr_seeds > 1 ? r->nr / r->nr_seeds : r->nr;
}

const struct sim_result *sim_report_run(const struct sim_report *r, size_t p,
					size_t s)
{
	return &r->res[p * (r->nr_seeds > 1 ? r->nr_seeds : 1) + s];
}

static size_t seeds_of(const struct sim_report *r)
{
	return r->nr_seeds > 1 ? r->nr_seeds : 1;
}

/* ------------------------------------------------------------------------ */
/* Memory maps.                                                              */

/* A sparsely used block is drawn half way to white. */
static uint32_t pb_rgb(uint8_t v)
{
	uint32_t rgb = kind_rgb[(v & ~SIM_PB_SPARSE) % SIM_PB_NR_KINDS];

	return v & SIM_PB_SPARSE ? sim_rgb_pale(rgb, 0.5) : rgb;
}

/* The left strip: what the census calls the region. */
#define MARK_TAINTED	kind_rgb[SIM_PB_UNMOVABLE]
#define MARK_CLEAN	kind_rgb[SIM_PB_MOVABLE]
#define MARK_EMPTY	SIM_RGB(200, 200, 200)

static uint32_t region_marker(const uint8_t *row, unsigned int w)
{
	bool empty = true, tainted = false;

	for (unsigned int i = 0; i < w; i++) {
		unsigned int k = row[i] & ~SIM_PB_SPARSE;

		empty &= k == SIM_PB_FREE;
		tainted |= k == SIM_PB_UNMOVABLE || k == SIM_PB_RECLAIMABLE ||
			   k == SIM_PB_MIXED;
	}
	return tainted ? MARK_TAINTED : empty ? MARK_EMPTY : MARK_CLEAN;
}

/* Most blocking first; a region is what the first kind it holds says. */
static const enum sim_pb_kind blocker_order[] = {
	SIM_PB_UNMOVABLE, SIM_PB_MIXED, SIM_PB_RECLAIMABLE, SIM_PB_HOLE,
	SIM_PB_PINNED, SIM_PB_MOVABLE, SIM_PB_CONTIG, SIM_PB_FREE,
};
#define NR_BLOCKERS (sizeof(blocker_order) / sizeof(blocker_order[0]))

enum sim_pb_kind sim_region_blocker(const uint8_t *row, unsigned int w)
{
	bool seen[SIM_PB_NR_KINDS] = { false };

	for (unsigned int i = 0; i < w; i++)
		seen[(row[i] & ~SIM_PB_SPARSE) % SIM_PB_NR_KINDS] = true;
	for (size_t k = 0; k < NR_BLOCKERS; k++)
		if (seen[blocker_order[k]])
			return blocker_order[k];
	return SIM_PB_FREE;
}

static const char *blocker_text(enum sim_pb_kind k)
{
	switch (k) {
	case SIM_PB_CONTIG:
		return "none, is a 1 GiB page";
	case SIM_PB_FREE:
		return "none, all free";
	case SIM_PB_MOVABLE:
		return "movable (to migrate)";
	default:
		return sim_pb_kind_name[k];
	}
}

struct map_legend {
	struct sim_legend_item kinds[SIM_PB_NR_KINDS + 1];
	struct sim_legend_item marks[4];
	struct sim_legend_item block[NR_BLOCKERS + 1];
	size_t nr_kinds, nr_block;
	char block_text[NR_BLOCKERS][48];
};

static void map_legend(struct map_legend *l, const uint8_t *map, unsigned int w,
		       unsigned int h)
{
	unsigned long count[SIM_PB_NR_KINDS] = { 0 };

	l->nr_kinds = 0;
	for (int k = 0; k < SIM_PB_NR_KINDS; k++)
		l->kinds[l->nr_kinds++] = (struct sim_legend_item){
			SIM_SWATCH_BOX, kind_rgb[k], false, -1, sim_pb_kind_name[k] };
	l->kinds[l->nr_kinds++] = (struct sim_legend_item){
		SIM_SWATCH_BOX, sim_rgb_pale(kind_rgb[SIM_PB_MOVABLE], 0.5), false, -1,
		"paler: under half used" };
	l->marks[0] = (struct sim_legend_item){ SIM_SWATCH_NONE, 0, false, -1,
						"left strip:" };
	l->marks[1] = (struct sim_legend_item){ SIM_SWATCH_BOX, MARK_TAINTED, false, -1,
						"tainted region" };
	l->marks[2] = (struct sim_legend_item){ SIM_SWATCH_BOX, MARK_CLEAN, false, -1,
						"clean" };
	l->marks[3] = (struct sim_legend_item){ SIM_SWATCH_BOX, MARK_EMPTY, false, -1,
						"empty" };
	for (unsigned int y = 0; y < h; y++)
		count[sim_region_blocker(map + (size_t)y * w, w)]++;
	l->block[0] = (struct sim_legend_item){ SIM_SWATCH_NONE, 0, false, -1,
		"right strip, what keeps the region from being a 1 GiB page:" };
	l->nr_block = 1;
	for (size_t k = 0; k < NR_BLOCKERS; k++) {
		enum sim_pb_kind b = blocker_order[k];

		if (!count[b])
			continue;
		snprintf(l->block_text[k], sizeof(l->block_text[k]), "%s %lu",
			 blocker_text(b), count[b]);
		l->block[l->nr_block++] = (struct sim_legend_item){
			SIM_SWATCH_BOX, kind_rgb[b], false, -1, l->block_text[k] };
	}
}

struct map_geom {
	int rowh, gap, step;		/* row height, gap, rows per label */
	int label_x, mark_x, x0, strip_x;
	int top, map_h, box_h;		/* rows; rows or the y label if taller */
	int width, height, legend_y;
};

#define MAP_YLABEL "region (GiB offset)"

static void map_geom(struct map_geom *g, const struct map_legend *l,
		     unsigned int w, unsigned int h)
{
	char last[16];
	int lw, legend_w;

	/* Up to 12 pixels a row: enough for a label on every row of a small
	 * machine's map (53 regions or fewer), every other one up to 64. */
	g->rowh = h ? MAP_MAX_H / (int)h : 1;
	g->rowh = g->rowh < 2 ? 2 : g->rowh > MAP_ROW_MAX ? MAP_ROW_MAX : g->rowh;
	g->gap = g->rowh > 3;
	for (g->step = 1; g->step * g->rowh < SIM_GLYPH_H + 4; g->step *= 2)
		;
	snprintf(last, sizeof(last), "%u", h ? h - 1 : 0);
	lw = sim_text_width(last, 1);
	g->label_x = PAD + SIM_GLYPH_H + 6 + lw;	/* right edge of labels */
	g->mark_x = g->label_x + 4;
	g->x0 = g->mark_x + STRIP + 4;
	g->strip_x = g->x0 + (int)w * MAP_XSCALE + 4;
	g->width = g->strip_x + STRIP + PAD;
	g->width = g->width < MIN_W ? MIN_W : g->width;
	/* Title, two lines under it, then the rows, with room above the first
	 * row for its label, which is centred on the row. */
	g->top = PAD + 2 * SIM_GLYPH_H + 6 + 2 * (SIM_GLYPH_H + 5) + 6;
	g->map_h = (int)h * g->rowh;
	g->box_h = g->map_h;
	if (g->box_h < sim_text_width(MAP_YLABEL, 1))
		g->box_h = sim_text_width(MAP_YLABEL, 1);
	g->legend_y = g->top + g->box_h + 32;
	legend_w = g->width - 2 * PAD;
	g->height = g->legend_y +
		    sim_legend_flow(NULL, PAD, 0, legend_w, l->kinds, l->nr_kinds, false) +
		    sim_legend_flow(NULL, PAD, 0, legend_w, l->marks, 4, false) +
		    sim_legend_flow(NULL, PAD, 0, legend_w, l->block, l->nr_block, false) +
		    PAD;
}

static void map_rows(struct sim_canvas *c, const struct map_geom *g,
		     const uint8_t *map, unsigned int w, unsigned int h)
{
	char label[16];

	for (unsigned int y = 0; y < h; y++) {
		const uint8_t *row = map + (size_t)y * w;
		int py = g->top + (int)y * g->rowh, rh = g->rowh - g->gap;

		sim_canvas_rect(c, g->mark_x, py, STRIP, rh, region_marker(row, w));
		for (unsigned int x = 0; x < w; x++)
			sim_canvas_rect(c, g->x0 + (int)x * MAP_XSCALE, py, MAP_XSCALE, rh,
					pb_rgb(row[x]));
		sim_canvas_rect(c, g->strip_x, py, STRIP, rh,
				kind_rgb[sim_region_blocker(row, w)]);
		if (y % (unsigned int)g->step)
			continue;
		snprintf(label, sizeof(label), "%u", y);
		sim_canvas_text(c, g->label_x - sim_text_width(label, 1),
				py + g->rowh / 2 - SIM_GLYPH_H / 2, label, SUBTLE, 1);
	}
	sim_canvas_text_up(c, PAD, g->top + (g->box_h + sim_text_width(MAP_YLABEL, 1)) / 2,
			   MAP_YLABEL, INK, 1);
}

/* Offsets in the region along the bottom, in MiB (w pageblocks per GiB). */
static void map_xaxis(struct sim_canvas *c, const struct map_geom *g, unsigned int w)
{
	int y = g->top + g->box_h + 2, mw = (int)w * MAP_XSCALE;
	char b[96], pb[16];

	for (int mib = 0; mib <= 1024; mib += 256) {
		int x = g->x0 + mib * mw / 1024;

		snprintf(b, sizeof(b), "%d", mib);
		sim_canvas_line(c, x, y, x, y + 3, INK, 1, false);
		sim_canvas_text(c, x - sim_text_width(b, 1) / 2, y + 6, b, INK, 1);
	}
	if (w && 1024 % w == 0)
		snprintf(pb, sizeof(pb), "%u MiB", 1024 / w);
	else
		snprintf(pb, sizeof(pb), "1/%u GiB", w);
	snprintf(b, sizeof(b), "offset in the region (MiB); a column per %s pageblock", pb);
	sim_canvas_text(c, g->x0 + (mw - sim_text_width(b, 1)) / 2 > PAD ?
			g->x0 + (mw - sim_text_width(b, 1)) / 2 : PAD,
			y + 18, b, INK, 1);
}

int sim_map_draw(struct sim_canvas *c, const struct sim_report *r, size_t run,
		 bool after_test)
{
	const struct sim_result *res = &r->res[run];
	const uint8_t *map = after_test ? res->map_gib : res->map_end;
	unsigned int w = res->map_w, h = res->map_h;
	char title[128], sub[320], sub2[256];
	struct map_legend *l;
	struct map_geom g;
	int y, err;

	if (!map)
		return -ENOENT;
	l = malloc(sizeof(*l));
	if (!l)
		return -ENOMEM;
	map_legend(l, map, w, h);
	map_geom(&g, l, w, h);
	err = sim_canvas_init(c, (unsigned int)g.width, (unsigned int)g.height,
			      SIM_RGB(255, 255, 255));
	if (err) {
		free(l);
		return err;
	}
	snprintf(title, sizeof(title), "%s: memory %s", res->policy,
		 after_test ? "after the 1 GiB test" : "at the end of the run");
	sim_report_header(r, sub, sizeof(sub));
	if (r->nr_seeds > 1)
		snprintf(sub + strlen(sub), sizeof(sub) - strlen(sub), "; this map: seed %llu",
			 (unsigned long long)r->seeds[run % r->nr_seeds]);
	snprintf(sub2, sizeof(sub2), "%lu 1 GiB regions: %lu tainted (ideal %lu), %lu clean, "
		 "%lu empty", res->final.regions, res->final.tainted, res->final.ideal,
		 res->final.clean, res->final.empty);
	if (after_test && sim_final_test(res))
		snprintf(sub2 + strlen(sub2), sizeof(sub2) - strlen(sub2),
			 "; the test got %lu 1 GiB pages", sim_final_test(res)->obtained);
	y = PAD;
	sim_canvas_text(c, PAD, y, title, INK, 2);
	y += 2 * SIM_GLYPH_H + 6;
	sim_canvas_text(c, PAD, y, sub, SUBTLE, 1);
	sim_canvas_text(c, PAD, y + SIM_GLYPH_H + 5, sub2, SUBTLE, 1);
	map_rows(c, &g, map, w, h);
	map_xaxis(c, &g, w);
	y = g.legend_y;
	y += sim_legend_flow(c, PAD, y, g.width - 2 * PAD, l->kinds, l->nr_kinds, true);
	y += sim_legend_flow(c, PAD, y, g.width - 2 * PAD, l->marks, 4, true);
	sim_legend_flow(c, PAD, y, g.width - 2 * PAD, l->block, l->nr_block, true);
	free(l);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Time series.                                                              */

const char *const sim_chart_file[SIM_NR_CHARTS] = {
	"chart_tainted.png", "chart_gib.png", "chart_fallbacks.png", "chart_mixed.png",
};
const char *const sim_chart_title[SIM_NR_CHARTS] = {
	"Tainted 1 GiB regions",
	"1 GiB pages obtainable",
	"Fallbacks to another migratetype (cumulative)",
	"Mixed pageblocks",
};
static const char *const chart_ylabel[SIM_NR_CHARTS] = {
	"1 GiB regions", "1 GiB pages", "fallback events", "pageblocks (2 MiB)",
};
static const char *const chart_dashed[SIM_NR_CHARTS] = {
	"dashed: ideal (fewest regions the non-movable pages fit in)",
	"solid: free now; dashed: after migration and reclaim",
	NULL, NULL,
};

static double pick(const struct sim_sample *x, enum sim_chart_kind k, bool second)
{
	switch (k) {
	case SIM_CH_TAINTED:
		return (double)(second ? x->c.ideal : x->c.tainted);
	case SIM_CH_GIB:
		return (double)(second ? x->c.obtainable_reclaim : x->c.obtainable_now);
	case SIM_CH_FALLBACKS:
		return (double)x->k.fallbacks;
	default:
		return (double)x->c.mixed_pageblocks;
	}
}

/* Samples every seed of policy p has. */
static size_t common_samples(const struct sim_report *r, size_t p)
{
	size_t n = SIZE_MAX;

	for (size_t s = 0; s < seeds_of(r); s++)
		if (sim_report_run(r, p, s)->nr_samples < n)
			n = sim_report_run(r, p, s)->nr_samples;
	return n == SIZE_MAX ? 0 : n;
}

/* Mean, lowest and highest over the seeds of policy p at sample i. */
static void over_seeds(const struct sim_report *r, size_t p, size_t i,
		       enum sim_chart_kind k, bool second, double *mean,
		       double *lo, double *hi)
{
	double sum = 0;

	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t s = 0; s < seeds_of(r); s++) {
		double v = pick(&sim_report_run(r, p, s)->samples[i], k, second);

		sum += v;
		*lo = v < *lo ? v : *lo;
		*hi = v > *hi ? v : *hi;
	}
	*mean = sum / (double)seeds_of(r);
}

static void chart_subtitle(const struct sim_report *r, char *b, size_t n)
{
	sim_report_header(r, b, n);
	if (r->nr_seeds > 1)
		snprintf(b + strlen(b), n - strlen(b), "; lines: mean of %zu seeds",
			 r->nr_seeds);
}

int sim_chart_draw(struct sim_canvas *c, const struct sim_report *r,
		   enum sim_chart_kind k)
{
	size_t np = sim_report_policies(r), nr = 0, total = 0, off = 0;
	struct sim_chart_series s[2 * SIM_MAX_POLICIES_IN_TABLE];
	bool two = chart_dashed[k] != NULL, band = r->nr_seeds > 1;
	char sub[320], band_note[64];
	struct sim_chart_opts o = {
		sim_chart_title[k], sub, "simulated time (s)", chart_ylabel[k],
		chart_dashed[k], NULL, false,
	};
	double *buf;
	int err;

	np = np < SIM_MAX_POLICIES_IN_TABLE ? np : SIM_MAX_POLICIES_IN_TABLE;
	for (size_t p = 0; p < np; p++)
		total += common_samples(r, p);
	buf = malloc((total ? total : 1) * 6 * sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	for (size_t p = 0; p < np; p++) {
		size_t n = common_samples(r, p);
		double *x = buf + off, *y = x + n, *lo = y + n, *hi = lo + n, *y2 = hi + n,
		       *scratch = y2 + n;
		uint32_t rgb = policy_rgb[p % NR_POLICY_RGB];

		off += 6 * n;
		for (size_t i = 0; i < n; i++) {
			x[i] = sim_report_run(r, p, 0)->samples[i].t;
			over_seeds(r, p, i, k, false, &y[i], &lo[i], &hi[i]);
			over_seeds(r, p, i, k, true, &y2[i], &scratch[i], &scratch[i]);
		}
		s[nr++] = (struct sim_chart_series){
			sim_report_run(r, p, 0)->policy, x, y, band ? lo : NULL,
			band ? hi : NULL, n, rgb, sim_rgb_pale(rgb, 0.75), false,
			(unsigned int)p };
		if (two)
			s[nr++] = (struct sim_chart_series){
				"", x, y2, NULL, NULL, n, rgb, rgb, true, (unsigned int)p };
	}
	chart_subtitle(r, sub, sizeof(sub));
	if (band) {
		snprintf(band_note, sizeof(band_note), "band: lowest to highest of %zu seeds",
			 r->nr_seeds);
		o.band_note = band_note;
	}
	err = sim_canvas_init(c, CHART_W, CHART_H, SIM_RGB(255, 255, 255));
	if (!err)
		sim_chart(c, &o, s, nr);
	free(buf);
	return err;
}

/* ------------------------------------------------------------------------ */
/* buddyinfo.                                                                */

/* Small orders warm, large orders cool: hue 0 to 240 degrees. */
static uint32_t order_rgb(unsigned int o, unsigned int max)
{
	double h = 240.0 * o / (max ? max : 1) / 60.0, f = h - floor(h);
	double v = 0.85, p = v * 0.25, q = v * (1 - 0.75 * f), t = v * (1 - 0.75 * (1 - f));
	double rgb[6][3] = { { v, t, p }, { q, v, p }, { p, v, t },
			     { p, q, v }, { t, p, v }, { v, p, q } };
	int i = (int)floor(h) % 6;

	return SIM_RGB((unsigned int)(rgb[i][0] * 255), (unsigned int)(rgb[i][1] * 255),
		       (unsigned int)(rgb[i][2] * 255));
}

static void order_size(unsigned int o, char *b, size_t n)
{
	unsigned long kib = 4ul << o;

	if (kib >= 1024)
		snprintf(b, n, "order %u (%lu MiB)", o, kib / 1024);
	else
		snprintf(b, n, "order %u (%lu KiB)", o, kib);
}

int sim_buddyinfo_draw(struct sim_canvas *c, const struct sim_report *r, size_t p)
{
	const struct sim_result *first = sim_report_run(r, p, 0);
	size_t n = common_samples(r, p);
	unsigned int max = n ? first->samples[0].max_order : 0;
	struct sim_chart_series s[GA_MAX_ORDER_LIMIT + 1];
	char names[GA_MAX_ORDER_LIMIT + 1][48], title[128], sub[320];
	struct sim_chart_opts o = { title, sub, "simulated time (s)",
				    "free blocks (log scale)", NULL, NULL, true };
	double *buf;
	int err;

	buf = malloc((size_t)(max + 2) * (n ? n : 1) * sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	/* x, then for each order the mean count of free blocks. */
	for (size_t i = 0; i < n; i++) {
		buf[i] = first->samples[i].t;
		for (unsigned int k = 0; k <= max; k++) {
			double sum = 0;

			for (size_t sd = 0; sd < seeds_of(r); sd++)
				sum += (double)sim_report_run(r, p, sd)->samples[i].nr_free[k];
			buf[(1 + k) * n + i] = sum / (double)seeds_of(r);
		}
	}
	for (unsigned int k = 0; k <= max; k++) {
		order_size(k, names[k], sizeof(names[k]));
		s[k] = (struct sim_chart_series){
			names[k], buf, buf + (1 + k) * n, NULL, NULL, n,
			order_rgb(k, max), order_rgb(k, max), false, k };
	}
	snprintf(title, sizeof(title), "%s: free blocks per buddy order", first->policy);
	sim_report_header(r, sub, sizeof(sub));
	snprintf(sub + strlen(sub), sizeof(sub) - strlen(sub), "; /proc/buddyinfo%s",
		 r->nr_seeds > 1 ? ", mean over the seeds" : "");
	err = sim_canvas_init(c, CHART_W, CHART_H + 40, SIM_RGB(255, 255, 255));
	if (!err)
		sim_chart(c, &o, s, max + 1);
	free(buf);
	return err;
}
