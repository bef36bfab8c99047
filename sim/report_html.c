// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * --report DIR: index.html, one self-contained file (no scripts, the
 * images embedded), and beside it the PNG files it shows, each readable on
 * its own (report_png.c draws them): a memory map per policy before and
 * after the 1 GiB test, time-series charts comparing the policies (over
 * several seeds: mean and spread) and each policy's buddyinfo over time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "provenance.h"
#include "report.h"
#include "report_png.h"
#include "seeds.h"

static void safe_name(char *out, size_t n, const char *in)
{
	size_t k = 0;

	for (; *in && k + 1 < n; in++)
		out[k++] = ((*in >= 'a' && *in <= 'z') || (*in >= '0' && *in <= '9') ||
			    *in == '-' || *in == '_') ? *in : '_';
	out[k] = 0;
}

static int write_canvas(struct sim_canvas *c, int drawn, const char *path)
{
	int err = drawn;

	if (!err)
		err = sim_canvas_write_png(c, path);
	if (!drawn)
		sim_canvas_free(c);
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

/* Several seeds: the text table of means and intervals, as it is printed. */
static void html_seeds_table(FILE *f, const struct sim_report *r)
{
	const struct sim_seed_report sr = {
		.base = *r, .nr_policies = sim_report_policies(r),
		.nr_seeds = r->nr_seeds, .seeds = r->seeds,
	};
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		return;
	sim_seeds_table(m, &sr);
	if (!fclose(m)) {
		fputs("<pre>", f);
		html_escape(f, text);
		fputs("</pre>\n", f);
	}
	free(text);
}

static void html_table(FILE *f, const struct sim_report *r)
{
	char cell[64];

	if (r->nr_seeds > 1) {
		html_seeds_table(f, r);
		return;
	}

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

static void map_file(char *file, size_t n, const char *policy, bool after_test)
{
	char name[40];

	safe_name(name, sizeof(name), policy);
	snprintf(file, n, "map_%s_%s.png", name, after_test ? "gib" : "end");
}

static void buddyinfo_file(char *file, size_t n, const char *policy)
{
	char name[40];

	safe_name(name, sizeof(name), policy);
	snprintf(file, n, "buddyinfo_%s.png", name);
}

static void html_maps(FILE *f, const char *dir, const struct sim_report *r)
{
	char file[80];

	fputs("<h2>Memory maps</h2>\n<p>One pixel per 2 MiB pageblock, one row per "
	      "1 GiB region (row number = GiB offset); for each policy, at the end of "
	      "the run, then after the 1 GiB test with the 1 GiB pages it obtained "
	      "in blue. The strip right of each map names what keeps the region "
	      "from being a 1 GiB page.", f);
	if (r->nr_seeds > 1)
		fprintf(f, " The maps are of the first seed, %llu.",
			(unsigned long long)r->seeds[0]);
	fputs("</p>\n", f);
	for (size_t p = 0; p < sim_report_policies(r); p++) {
		const struct sim_result *res = sim_report_run(r, p, 0);

		fputs("<div class=\"maps\">", f);
		if (res->map_end) {
			map_file(file, sizeof(file), res->policy, false);
			html_img(f, dir, file, "map at the end");
		}
		if (res->map_gib) {
			map_file(file, sizeof(file), res->policy, true);
			html_img(f, dir, file, "map after the 1 GiB test");
		}
		fputs("</div>\n", f);
	}
}

static void html_buddyinfo(FILE *f, const char *dir, const struct sim_report *r)
{
	char file[80];

	fputs("<h2>Free memory by buddy order</h2>\n<p>/proc/buddyinfo at each "
	      "sample: the free blocks of each order, one line per order, on a log "
	      "scale.</p>\n"
	      "<div class=\"charts\">", f);
	for (size_t p = 0; p < sim_report_policies(r); p++) {
		buddyinfo_file(file, sizeof(file), sim_report_run(r, p, 0)->policy);
		html_img(f, dir, file, "free memory by buddy order");
	}
	fputs("</div>\n", f);
}

static const char css[] =
	"body{font:14px/1.4 sans-serif;margin:24px;color:#222;max-width:1700px}"
	"table{border-collapse:collapse;margin:12px 0}"
	"td,th{padding:2px 10px;border-bottom:1px solid #eee;text-align:right}"
	"td.l0,td.l1{text-align:left}td.l1{padding-left:26px;color:#555}"
	"th{border-bottom:2px solid #999}"
	".maps img{margin:0 16px 12px 0;border:1px solid #ddd;vertical-align:top}"
	".charts img{margin:0 12px 12px 0;border:1px solid #ddd}"
	"pre{font-size:13px}";

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
	for (int k = 0; k < SIM_NR_CHARTS; k++)
		html_img(f, dir, sim_chart_file[k], sim_chart_title[k]);
	fputs("</div>\n", f);
	html_maps(f, dir, r);
	html_buddyinfo(f, dir, r);
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

/* Every PNG of the report; err names the one that could not be written. */
static int write_pngs(const char *dir, const struct sim_report *r, char *err,
		      size_t errlen)
{
	char file[80], path[4096];
	struct sim_canvas c;
	int rc = 0;

	for (int k = 0; k < SIM_NR_CHARTS && !rc; k++)
		if (!(rc = path_join(path, sizeof(path), dir, sim_chart_file[k])))
			rc = write_canvas(&c, sim_chart_draw(&c, r, (enum sim_chart_kind)k),
					  path);
	for (size_t p = 0; p < sim_report_policies(r) && !rc; p++) {
		const struct sim_result *res = sim_report_run(r, p, 0);

		for (int after = 0; after < 2 && !rc; after++) {
			if (!(after ? res->map_gib : res->map_end))
				continue;
			map_file(file, sizeof(file), res->policy, after);
			if (!(rc = path_join(path, sizeof(path), dir, file)))
				rc = write_canvas(&c, sim_map_draw(&c, r, (size_t)(res - r->res),
								   after), path);
		}
		buddyinfo_file(file, sizeof(file), res->policy);
		if (!rc && !(rc = path_join(path, sizeof(path), dir, file)))
			rc = write_canvas(&c, sim_buddyinfo_draw(&c, r, p), path);
	}
	if (rc)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
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
	rc = write_pngs(dir, r, err, errlen);
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
