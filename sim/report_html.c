// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * --report DIR: index.html (no scripts, no external resources) next to
 * PNG files: a memory map per policy, before and after the 1 GiB test, and
 * time-series charts comparing the policies. The maps are the point: one
 * pixel per pageblock, one row per 1 GiB region, so scattered unmovable
 * memory shows as a rash across every row while a good policy shows a few
 * dark rows and many clean ones.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "canvas.h"
#include "provenance.h"
#include "report.h"

#define MAP_LEFT	56	/* region labels and the taint marker */
#define MAP_XSCALE	2
#define MAP_MAX_H	640
#define CHART_W		760
#define CHART_H		300

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

/* A sparsely used block is drawn half way to white. */
static uint32_t pb_rgb(uint8_t v)
{
	uint32_t rgb = kind_rgb[(v & ~SIM_PB_SPARSE) % SIM_PB_NR_KINDS];

	if (!(v & SIM_PB_SPARSE))
		return rgb;
	return SIM_RGB((((rgb >> 16) & 255) + 255) / 2, (((rgb >> 8) & 255) + 255) / 2,
		       ((rgb & 255) + 255) / 2);
}

static void safe_name(char *out, size_t n, const char *in)
{
	size_t k = 0;

	for (; *in && k + 1 < n; in++)
		out[k++] = ((*in >= 'a' && *in <= 'z') || (*in >= '0' && *in <= '9') ||
			    *in == '-' || *in == '_') ? *in : '_';
	out[k] = 0;
}

/* ------------------------------------------------------------------------ */
/* Memory maps.                                                              */

/* A row's marker: what the census calls the region. */
static uint32_t region_marker(const uint8_t *row, unsigned int w)
{
	bool empty = true, tainted = false;

	for (unsigned int i = 0; i < w; i++) {
		unsigned int k = row[i] & ~SIM_PB_SPARSE;

		empty &= k == SIM_PB_FREE;
		tainted |= k == SIM_PB_UNMOVABLE || k == SIM_PB_RECLAIMABLE ||
			   k == SIM_PB_MIXED;
	}
	return tainted ? kind_rgb[SIM_PB_UNMOVABLE] :
	       empty ? SIM_RGB(200, 200, 200) : kind_rgb[SIM_PB_MOVABLE];
}

static int write_map(const char *path, const uint8_t *map, unsigned int w,
		     unsigned int h)
{
	struct sim_canvas c;
	int rowh = h ? (int)(MAP_MAX_H / h) : 1, err;
	char label[16];

	rowh = rowh < 2 ? 2 : rowh > 10 ? 10 : rowh;
	err = sim_canvas_init(&c, MAP_LEFT + w * MAP_XSCALE + 4,
			      h * (unsigned int)rowh + 4, SIM_RGB(255, 255, 255));
	if (err)
		return err;
	for (unsigned int y = 0; y < h; y++) {
		const uint8_t *row = map + (size_t)y * w;
		int py = 2 + (int)y * rowh;

		sim_canvas_rect(&c, MAP_LEFT - 10, py, 6, rowh - (rowh > 3), region_marker(row, w));
		for (unsigned int x = 0; x < w; x++)
			sim_canvas_rect(&c, MAP_LEFT + (int)x * MAP_XSCALE, py, MAP_XSCALE,
					rowh - (rowh > 3), pb_rgb(row[x]));
		/* Label every few rows with the region's GiB offset. */
		if (rowh >= 8 ? y % 4 == 0 : y % (unsigned int)(32 / rowh + 1) == 0) {
			snprintf(label, sizeof(label), "%u", y);
			sim_canvas_text(&c, MAP_LEFT - 14 - sim_text_width(label, 1), py,
					label, SIM_RGB(90, 90, 90), 1);
		}
	}
	err = sim_canvas_write_png(&c, path);
	sim_canvas_free(&c);
	return err;
}

/* ------------------------------------------------------------------------ */
/* Charts.                                                                   */

enum chart_kind { CH_TAINTED, CH_GIB, CH_FALLBACKS, CH_MIXED, NR_CHARTS };

static const char *const chart_file[NR_CHARTS] = {
	"chart_tainted.png", "chart_gib.png", "chart_fallbacks.png", "chart_mixed.png",
};
static const char *const chart_title[NR_CHARTS] = {
	"Tainted 1 GiB regions (dashed: ideal)",
	"1 GiB pages free (dashed: migration+reclaim)",
	"Fallbacks (cumulative)",
	"Mixed pageblocks",
};

static double pick(const struct sim_sample *x, enum chart_kind k, bool second)
{
	switch (k) {
	case CH_TAINTED:
		return (double)(second ? x->c.ideal : x->c.tainted);
	case CH_GIB:
		return (double)(second ? x->c.obtainable_reclaim : x->c.obtainable_now);
	case CH_FALLBACKS:
		return (double)x->k.fallbacks;
	default:
		return (double)x->c.mixed_pageblocks;
	}
}

static int write_chart(const char *path, const struct sim_report *r,
		       enum chart_kind k)
{
	struct sim_chart_series s[2 * SIM_MAX_POLICIES_IN_TABLE];
	double *buf;
	size_t nr = 0, total = 0, off = 0;
	bool two = k == CH_TAINTED || k == CH_GIB;
	struct sim_canvas c;
	int err;

	for (size_t p = 0; p < r->nr; p++)
		total += r->res[p].nr_samples;
	buf = malloc((total ? total : 1) * 3 * sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	for (size_t p = 0; p < r->nr && p < SIM_MAX_POLICIES_IN_TABLE; p++) {
		const struct sim_result *res = &r->res[p];
		double *x = buf + off, *y = x + res->nr_samples, *y2 = y + res->nr_samples;

		off += 3 * res->nr_samples;
		for (size_t i = 0; i < res->nr_samples; i++) {
			x[i] = res->samples[i].t;
			y[i] = pick(&res->samples[i], k, false);
			y2[i] = pick(&res->samples[i], k, true);
		}
		s[nr++] = (struct sim_chart_series){ res->policy, x, y, res->nr_samples,
						     policy_rgb[p % NR_POLICY_RGB], false };
		if (two)
			s[nr++] = (struct sim_chart_series){ "", x, y2, res->nr_samples,
							     policy_rgb[p % NR_POLICY_RGB], true };
	}
	err = sim_canvas_init(&c, CHART_W, CHART_H, SIM_RGB(255, 255, 255));
	if (!err) {
		sim_chart(&c, chart_title[k], "simulated seconds", s, nr);
		err = sim_canvas_write_png(&c, path);
		sim_canvas_free(&c);
	}
	free(buf);
	return err;
}

/* ------------------------------------------------------------------------ */
/* The page.                                                                 */

static void html_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}

static void html_table(FILE *f, const struct sim_report *r)
{
	char cell[64];

	fputs("<table><tr><th></th>", f);
	for (size_t p = 0; p < r->nr; p++) {
		fputs("<th>", f);
		html_escape(f, r->res[p].policy);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (const struct sim_table_row *row = sim_table_rows; row->label; row++) {
		fprintf(f, "<tr><td class=\"l%d\">", row->indent);
		html_escape(f, row->label);
		fputs("</td>", f);
		for (size_t p = 0; p < r->nr; p++) {
			row->fmt(&r->res[p], cell, sizeof(cell));
			fputs("<td>", f);
			html_escape(f, cell);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void html_legend(FILE *f)
{
	fputs("<p class=\"legend\">", f);
	for (int k = 0; k < SIM_PB_NR_KINDS; k++) {
		if (k == SIM_PB_HOLE)
			continue;
		fprintf(f, "<span><i style=\"background:#%06x\"></i>%s</span> ",
			kind_rgb[k], sim_pb_kind_name[k]);
	}
	fputs("<span>paler: less than half used</span> <span>left marker: "
	      "<b style=\"color:#d22828\">tainted</b> / "
	      "<b style=\"color:#2ea043\">clean</b> / empty region</span></p>\n", f);
}

/* A whole binary file, or NULL. */
static unsigned char *read_bin(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *d = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET) &&
	    (d = malloc((size_t)n)) && fread(d, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(d);
		d = NULL;
	}
	fclose(f);
	return d;
}

/*
 * An image embedded as a data: URI, so index.html is one self-contained
 * file (the PNGs stay beside it too); the file name is kept as the title.
 */
static void html_img(FILE *f, const char *dir, const char *file, const char *alt)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char path[4096];
	size_t len = 0;
	unsigned char *d;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	d = read_bin(path, &len);
	if (!d) {
		fprintf(f, "<img src=\"%s\" alt=\"%s\">", file, alt);
		return;
	}
	fputs("<img src=\"data:image/png;base64,", f);
	for (size_t i = 0; i < len; i += 3) {
		unsigned int v = (unsigned int)d[i] << 16 |
				 (i + 1 < len ? (unsigned int)d[i + 1] << 8 : 0) |
				 (i + 2 < len ? d[i + 2] : 0);

		fputc(b64[v >> 18 & 63], f);
		fputc(b64[v >> 12 & 63], f);
		fputc(i + 1 < len ? b64[v >> 6 & 63] : '=', f);
		fputc(i + 2 < len ? b64[v & 63] : '=', f);
	}
	fprintf(f, "\" alt=\"%s\" title=\"%s\">", alt, file);
	free(d);
}

static void html_maps(FILE *f, const char *dir, const struct sim_report *r)
{
	char file[80];
	char name[40];

	fputs("<h2>Memory maps</h2>\n<p>One pixel per 2 MiB pageblock, one row per "
	      "1 GiB region (row number = GiB offset). Left: at the end of the run; "
	      "right: after the 1 GiB test, with the 1 GiB pages it obtained in "
	      "blue.</p>\n", f);
	html_legend(f);
	for (size_t p = 0; p < r->nr; p++) {
		const struct sim_result *res = &r->res[p];

		safe_name(name, sizeof(name), res->policy);
		fputs("<h3>", f);
		html_escape(f, res->policy);
		fprintf(f, ": %lu tainted of %lu (ideal %lu), %lu clean, %lu empty",
			res->final.tainted, res->final.regions, res->final.ideal,
			res->final.clean, res->final.empty);
		if (sim_final_test(res))
			fprintf(f, "; the 1 GiB test obtained %lu", sim_final_test(res)->obtained);
		fputs("</h3>\n<div class=\"maps\">", f);
		if (res->map_end) {
			snprintf(file, sizeof(file), "map_%s_end.png", name);
			html_img(f, dir, file, "map at the end");
		}
		if (res->map_gib) {
			snprintf(file, sizeof(file), "map_%s_gib.png", name);
			html_img(f, dir, file, "map after the 1 GiB test");
		}
		fputs("</div>\n", f);
	}
}

static const char css[] =
	"body{font:14px/1.4 sans-serif;margin:24px;color:#222;max-width:1700px}"
	"table{border-collapse:collapse;margin:12px 0}"
	"td,th{padding:2px 10px;border-bottom:1px solid #eee;text-align:right}"
	"td.l0,td.l1{text-align:left}td.l1{padding-left:26px;color:#555}"
	"th{border-bottom:2px solid #999}"
	".maps img{margin:0 16px 12px 0;border:1px solid #ddd;vertical-align:top}"
	".charts img{margin:0 12px 12px 0;border:1px solid #ddd}"
	".legend span{margin-right:14px;white-space:nowrap}"
	".legend i{display:inline-block;width:12px;height:12px;margin-right:4px;"
	"border:1px solid #999;vertical-align:-2px}";

static void html_page(FILE *f, const char *dir, const struct sim_report *r)
{
	char head[256], foot[256];

	sim_report_header(r, head, sizeof(head));
	fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		"<title>gigalloc sim: %s</title>\n<style>%s</style></head><body>\n",
		r->profile->name, css);
	fputs("<h1>gigalloc sim</h1>\n<p>", f);
	html_escape(f, head);
	fputs("<br>", f);
	html_escape(f, r->profile->description);
	fputs("</p>\n", f);
	html_table(f, r);
	fputs("<p>tainted: a 1 GiB region holding any unmovable, reclaimable or "
	      "HighAtomic page; ideal = ceil(non-movable pages / pages per GiB); "
	      "the 1 GiB test allocates 1 GiB ranges with the workload resident "
	      "until the contiguous allocator fails.</p>\n", f);
	fputs("<h2>Over time</h2>\n<div class=\"charts\">", f);
	for (int k = 0; k < NR_CHARTS; k++)
		html_img(f, dir, chart_file[k], chart_title[k]);
	fputs("</div>\n", f);
	html_maps(f, dir, r);
	provenance_summary(foot, sizeof(foot));
	fputs("<footer><p>", f);
	html_escape(f, foot);
	fputs("<br>", f);
	html_escape(f, provenance_get()->command);
	fputs("</p></footer>\n</body></html>\n", f);
}

/* ------------------------------------------------------------------------ */

static int path_join(char *out, size_t n, const char *dir, const char *file)
{
	int k = snprintf(out, n, "%s/%s", dir, file);

	return k < 0 || (size_t)k >= n ? -ENAMETOOLONG : 0;
}

static int write_maps(const char *dir, const struct sim_report *r, char *err,
		      size_t errlen)
{
	char name[40], file[80], path[4096];
	int rc = 0;

	for (size_t p = 0; p < r->nr && !rc; p++) {
		const struct sim_result *res = &r->res[p];

		safe_name(name, sizeof(name), res->policy);
		for (int which = 0; which < 2 && !rc; which++) {
			const uint8_t *map = which ? res->map_gib : res->map_end;

			if (!map)
				continue;
			snprintf(file, sizeof(file), "map_%s_%s.png", name, which ? "gib" : "end");
			rc = path_join(path, sizeof(path), dir, file);
			if (!rc)
				rc = write_map(path, map, res->map_w, res->map_h);
			if (rc)
				snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
		}
	}
	return rc;
}

int sim_report_dir_prepare(const char *dir, char *err, size_t errlen)
{
	char path[4096];
	struct stat st;
	int k = snprintf(path, sizeof(path), "%s", dir);

	if (k < 0 || (size_t)k >= sizeof(path)) {
		snprintf(err, errlen, "--report '%s': path too long", dir);
		return -ENAMETOOLONG;
	}
	/* mkdir -p: each prefix in turn; existing ones are fine. */
	for (char *p = path + 1; ; p++) {
		char c = *p;

		if (c && c != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0777) && errno != EEXIST) {
			int e = errno;

			snprintf(err, errlen, "--report: cannot create %s: %s", path,
				 strerror(e));
			return -e;
		}
		*p = c;
		if (!c)
			break;
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--report: %s is not a directory", dir);
		return -ENOTDIR;
	}
	if (access(dir, W_OK | X_OK)) {
		int e = errno;

		snprintf(err, errlen, "--report: cannot write in %s: %s", dir, strerror(e));
		return -e;
	}
	return 0;
}

int sim_report_html(const char *dir, const struct sim_report *r, char *err,
		    size_t errlen)
{
	char path[4096];
	FILE *f;
	int rc;

	rc = sim_report_dir_prepare(dir, err, errlen);
	if (rc)
		return rc;
	for (int k = 0; k < NR_CHARTS; k++) {
		rc = path_join(path, sizeof(path), dir, chart_file[k]);
		if (!rc)
			rc = write_chart(path, r, (enum chart_kind)k);
		if (rc) {
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
			return rc;
		}
	}
	rc = write_maps(dir, r, err, errlen);
	if (rc)
		return rc;
	if ((rc = path_join(path, sizeof(path), dir, "index.html")) ||
	    !(f = fopen(path, "w"))) {
		rc = rc ? rc : -errno;
		snprintf(err, errlen, "cannot write %s/index.html: %s", dir, strerror(-rc));
		return rc;
	}
	html_page(f, dir, r);
	if (fclose(f)) {
		rc = -errno;
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return rc;
	}
	return 0;
}
