// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The report's pictures stand alone (issue 15, items 9 and 10): each has a
 * title, says what was run, has a legend and axis labels with units, and
 * no label is clipped or drawn over another. Checked on the text boxes the
 * canvas records and on the pixels of the PNG read back with libpng: the
 * legend's swatches, both of two identical lines, the band of the seeds,
 * every buddy order. Then a real --seeds run writes every picture.
 */
#include <dirent.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "harness.h"
#include "options.h"
#include "profile.h"
#include "report_png.h"

#define NS 40	/* samples per synthetic run */

/* ------------------------------------------------------------------------ */
/* Synthetic results: a map of `rows` regions, a time series, buddyinfo.    */

static void fill_map(uint8_t *m, unsigned int w, unsigned int rows, bool after)
{
	for (unsigned int y = 0; y < rows; y++) {
		uint8_t k = y % 4 == 0 ? SIM_PB_UNMOVABLE : y % 4 == 1 ? SIM_PB_PINNED :
			    SIM_PB_MOVABLE;

		if (after && y % 4 == 2)
			k = SIM_PB_CONTIG;
		if (y % 4 == 3)
			k = SIM_PB_RECLAIMABLE | SIM_PB_SPARSE;
		memset(m + (size_t)y * w, k == SIM_PB_CONTIG ? k : SIM_PB_MOVABLE, w);
		m[(size_t)y * w + y % w] = k;
	}
	if (rows > 1)
		memset(m + (size_t)(rows - 1) * w, SIM_PB_FREE, w);
}

static void fake_run(struct sim_result *res, const char *policy, unsigned int rows,
		     double shift)
{
	memset(res, 0, sizeof(*res));
	snprintf(res->policy, sizeof(res->policy), "%s", policy);
	res->map_w = 512;
	res->map_h = rows;
	res->map_end = malloc((size_t)rows * 512);
	res->map_gib = malloc((size_t)rows * 512);
	fill_map(res->map_end, 512, rows, false);
	fill_map(res->map_gib, 512, rows, true);
	res->samples = calloc(NS, sizeof(*res->samples));
	res->nr_samples = NS;
	for (size_t i = 0; i < NS; i++) {
		struct sim_sample *s = &res->samples[i];

		s->t = (double)i * 5;
		s->c.tainted = (unsigned long)(i / 8 + shift);
		s->c.ideal = 2;
		s->c.obtainable_now = rows - s->c.tainted;
		s->c.obtainable_reclaim = rows - 2;
		s->k.fallbacks = i * 100;
		s->c.mixed_pageblocks = i;
		s->max_order = 10;
		for (unsigned int o = 0; o <= 10; o++)
			s->nr_free[o] = (i + 1) * (11 - o) + (unsigned long)shift;
	}
	res->final = res->samples[NS - 1].c;
	res->final.regions = rows;
}

struct fake {
	struct sim_profile *prof;
	struct sim_result res[4];
	uint64_t seeds[2];
	struct sim_report r;
};

/* Two policies; with seeds, two runs each, the second seed higher. */
static void fake_report(struct fake *f, unsigned int rows, bool identical, bool seeds)
{
	char msg[256];

	memset(f, 0, sizeof(*f));
	f->prof = malloc(sizeof(*f->prof));
	sim_profile_load(f->prof, "mixed", msg, sizeof(msg));
	f->seeds[0] = 1;
	f->seeds[1] = 2;
	fake_run(&f->res[0], "vanilla", rows, 0);
	if (seeds) {
		fake_run(&f->res[1], "vanilla", rows, 2);
		fake_run(&f->res[2], "spb", rows, identical ? 0 : 1);
		fake_run(&f->res[3], "spb", rows, identical ? 2 : 3);
	} else {
		fake_run(&f->res[1], "spb", rows, identical ? 0 : 1);
	}
	f->r = (struct sim_report){
		.profile = f->prof, .mem_bytes = (uint64_t)rows << 30, .cpus = 8,
		.duration = 200, .seed = 1, .res = f->res, .nr = seeds ? 4 : 2,
		.nr_seeds = seeds ? 2 : 0, .seeds = f->seeds,
	};
}

static void fake_free(struct fake *f)
{
	for (size_t i = 0; i < f->r.nr; i++) {
		free(f->res[i].map_end);
		free(f->res[i].map_gib);
		free(f->res[i].samples);
	}
	free(f->prof);
}

/* ------------------------------------------------------------------------ */
/* What a picture must hold.                                                 */

static const struct sim_text_box *find_text(const struct sim_canvas *c, const char *s)
{
	for (size_t i = 0; i < c->nr_text; i++)
		if (strstr(c->text[i].s, s))
			return &c->text[i];
	return NULL;
}

static bool overlap(const struct sim_text_box *a, const struct sim_text_box *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w &&
	       a->y < b->y + b->h && b->y < a->y + a->h;
}

static const struct sim_text_box *find_exact(const struct sim_canvas *c, const char *s)
{
	for (size_t i = 0; i < c->nr_text; i++)
		if (!strcmp(c->text[i].s, s))
			return &c->text[i];
	return NULL;
}

/* Title first and large, every label inside, none over another. */
static void check_layout(const struct sim_canvas *c, const char *what)
{
	size_t outside = 0, overlaps = 0, upright = 0;

	ok(c->nr_text > 0 && c->text[0].h == 2 * SIM_GLYPH_H && c->text[0].y >= 0,
	   "%s: a title first, at twice the size (%s)", what,
	   c->nr_text ? c->text[0].s : "none");
	for (size_t i = 0; i < c->nr_text; i++) {
		const struct sim_text_box *b = &c->text[i];

		if (b->x < 0 || b->y < 0 || b->x + b->w > (int)c->w ||
		    b->y + b->h > (int)c->h) {
			outside++;
			diag("%s: '%s' at %d,%d %dx%d leaves the %ux%u picture", what, b->s,
			     b->x, b->y, b->w, b->h, c->w, c->h);
		}
		upright += b->h > b->w && b->h > 2 * SIM_GLYPH_H;
		for (size_t j = i + 1; j < c->nr_text; j++)
			if (overlap(b, &c->text[j])) {
				overlaps++;
				diag("%s: '%s' overlaps '%s'", what, b->s, c->text[j].s);
			}
	}
	is_long((long)outside, 0, "%s: every one of %zu labels inside the picture", what,
		c->nr_text);
	is_long((long)overlaps, 0, "%s: no label drawn over another", what);
	ok(upright == 1, "%s: one upright label, the y axis's", what);
}

static void must_say(const struct sim_canvas *c, const char *what,
		     const char *const *words)
{
	for (; *words; words++)
		ok(find_text(c, *words) != NULL, "%s says '%s'", what, *words);
}

/* Write c, read it back with libpng: the same RGB pixels. */
static uint8_t *roundtrip(const struct sim_canvas *c, const char *what)
{
	char path[] = "/tmp/gigalloc_png_XXXXXX";
	int fd = mkstemp(path);
	png_image img;
	uint8_t *px = NULL;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (fd >= 0 && !sim_canvas_write_png(c, path) &&
	    png_image_begin_read_from_file(&img, path)) {
		img.format = PNG_FORMAT_RGB;
		px = malloc(PNG_IMAGE_SIZE(img));
		if (px && !png_image_finish_read(&img, NULL, px, 0, NULL)) {
			free(px);
			px = NULL;
		}
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	ok(px && img.width == c->w && img.height == c->h &&
	   !memcmp(px, c->px, (size_t)c->w * c->h * 3),
	   "%s: the PNG decodes to the %ux%u picture drawn", what, c->w, c->h);
	return px;
}

static uint32_t pixel(const uint8_t *px, unsigned int w, int x, int y)
{
	const uint8_t *p = px + ((size_t)y * w + (size_t)x) * 3;

	return SIM_RGB(p[0], p[1], p[2]);
}

static size_t count_rgb(const uint8_t *px, unsigned int w, unsigned int h, uint32_t rgb)
{
	size_t n = 0;

	for (unsigned int y = 0; y < h; y++)
		for (unsigned int x = 0; x < w; x++)
			n += pixel(px, w, (int)x, (int)y) == rgb;
	return n;
}

/* The swatch left of legend text `label` shows rgb. */
static void swatch_is(const uint8_t *px, const struct sim_canvas *c, const char *label,
		      uint32_t rgb, const char *what)
{
	const struct sim_text_box *b = find_exact(c, label);

	ok(b && b->x >= 12 && pixel(px, c->w, b->x - 12, b->y + 3) == rgb,
	   "%s: the legend's '%s' has its colour %06x", what, label, rgb);
}

/* ------------------------------------------------------------------------ */

static void test_blocker(void)
{
	uint8_t row[8];

	memset(row, SIM_PB_MOVABLE, 8);
	is_long(sim_region_blocker(row, 8), SIM_PB_MOVABLE, "all movable: movable blocks");
	row[3] = SIM_PB_PINNED | SIM_PB_SPARSE;
	is_long(sim_region_blocker(row, 8), SIM_PB_PINNED, "a pinned block beats movable");
	row[5] = SIM_PB_HOLE;
	is_long(sim_region_blocker(row, 8), SIM_PB_HOLE, "a hole beats pinned");
	row[6] = SIM_PB_RECLAIMABLE;
	is_long(sim_region_blocker(row, 8), SIM_PB_RECLAIMABLE, "reclaimable beats a hole");
	row[1] = SIM_PB_UNMOVABLE | SIM_PB_SPARSE;
	is_long(sim_region_blocker(row, 8), SIM_PB_UNMOVABLE, "unmovable beats everything");
	memset(row, SIM_PB_CONTIG, 8);
	is_long(sim_region_blocker(row, 8), SIM_PB_CONTIG, "a 1 GiB page: nothing blocks");
	memset(row, SIM_PB_FREE, 8);
	is_long(sim_region_blocker(row, 8), SIM_PB_FREE, "all free: nothing blocks");
}

static void test_maps(void)
{
	static const char *const words[] = {
		"vanilla: memory after the 1 GiB test", "profile mixed", "tainted (ideal",
		"region (GiB offset)", "offset in the region (MiB)", "2 MiB pageblock",
		"left strip", "right strip, what keeps the region", "unmovable 64",
		"pinned 64", "reclaimable 63", "none, is a 1 GiB page 64", "none, all free 1",
		"hole", NULL,
	};
	static const unsigned int sizes[] = { 256, 64, 16, 2, 1 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct sim_canvas c;
		struct fake f;
		char what[64];
		uint8_t *px;

		fake_report(&f, sizes[i], false, false);
		snprintf(what, sizeof(what), "%u GiB map", sizes[i]);
		if (!ok(!sim_map_draw(&c, &f.r, 0, true), "%s drawn", what)) {
			fake_free(&f);
			continue;
		}
		check_layout(&c, what);
		if (sizes[i] == 256) {
			must_say(&c, what, words);
			/* The last row label: the bug was 255's label below the picture. */
			ok(find_text(&c, "248") != NULL, "%s: rows labelled to the last", what);
		}
		if (sizes[i] > 1 && sizes[i] <= 16) {
			char last[16];

			/* A small machine's map: a label on every row, the last too. */
			snprintf(last, sizeof(last), "%u", sizes[i] - 1);
			ok(find_exact(&c, "1") && find_exact(&c, last),
			   "%s: every row labelled, 1 and %s included", what, last);
		}
		px = roundtrip(&c, what);
		for (int k = 0; px && k < SIM_PB_NR_KINDS; k++)
			swatch_is(px, &c, sim_pb_kind_name[k], sim_pb_kind_rgb(k), what);
		free(px);
		sim_canvas_free(&c);
		fake_free(&f);
	}
}

static void test_charts(void)
{
	static const char *const words[] = {
		"Tainted 1 GiB regions", "simulated time (s)", "1 GiB regions", "vanilla",
		"spb", "dashed: ideal", NULL,
	};

	for (int seeds = 0; seeds < 2; seeds++)
		for (int k = 0; k < SIM_NR_CHARTS; k++) {
			struct sim_canvas c;
			struct fake f;
			char what[96];
			uint8_t *px;

			/* The same numbers under both policies: both still show. */
			fake_report(&f, 64, true, seeds);
			snprintf(what, sizeof(what), "%s%s", sim_chart_file[k],
				 seeds ? " over 2 seeds" : "");
			if (!ok(!sim_chart_draw(&c, &f.r, (enum sim_chart_kind)k), "%s drawn",
				what)) {
				fake_free(&f);
				continue;
			}
			check_layout(&c, what);
			if (k == SIM_CH_TAINTED)
				must_say(&c, what, words);
			px = roundtrip(&c, what);
			if (px) {
				size_t a = count_rgb(px, c.w, c.h, sim_policy_rgb(0));
				size_t b = count_rgb(px, c.w, c.h, sim_policy_rgb(1));

				ok(a > 400 && b > 400, "%s: identical lines both show "
				   "(%zu and %zu pixels)", what, a, b);
			}
			if (px && seeds && k <= SIM_CH_GIB) {
				ok(find_text(&c, "band: lowest to highest of 2 seeds") &&
				   find_text(&c, "seeds 1,2"), "%s: says what the band is", what);
				ok(count_rgb(px, c.w, c.h, sim_rgb_pale(sim_policy_rgb(0), 0.75)) > 300,
				   "%s: the spread of the seeds is drawn as a band", what);
			}
			free(px);
			sim_canvas_free(&c);
			fake_free(&f);
		}
}

static void test_buddyinfo(void)
{
	static const char *const words[] = {
		"spb: free blocks per buddy order", "/proc/buddyinfo", "free blocks (log scale)",
		"simulated time (s)", "order 0 (4 KiB)", "order 9 (2 MiB)", "order 10 (4 MiB)",
		NULL,
	};
	struct sim_canvas c;
	struct fake f;
	uint8_t *px;

	fake_report(&f, 64, false, true);
	if (!ok(!sim_buddyinfo_draw(&c, &f.r, 1), "buddyinfo drawn")) {
		fake_free(&f);
		return;
	}
	check_layout(&c, "buddyinfo");
	must_say(&c, "buddyinfo", words);
	px = roundtrip(&c, "buddyinfo");
	for (unsigned int o = 0; px && o <= 10; o++) {
		char label[32];
		const struct sim_text_box *b;
		uint32_t rgb;

		snprintf(label, sizeof(label), "order %u (", o);
		b = find_text(&c, label);
		rgb = b ? pixel(px, c.w, b->x - 12, b->y + 3) : 0;
		ok(b && count_rgb(px, c.w, c.h, rgb) > 300,
		   "buddyinfo: order %u's line is drawn in its legend colour", o);
	}
	free(px);
	sim_canvas_free(&c);
	fake_free(&f);
}

/* A real run with two seeds writes every picture, and each decodes. */
static void test_real_report(void)
{
	char dir[] = "/tmp/gigalloc_png_report_XXXXXX", buf[512], msg[256] = "", *argv[32];
	struct sim_opts o;
	FILE *null = fopen("/dev/null", "w");
	size_t pngs = 0, good = 0, argc = 0;
	struct dirent *e;
	DIR *d;

	if (!ok(mkdtemp(dir) != NULL, "a report directory"))
		return;
	snprintf(buf, sizeof(buf), "sim --mem 512M --duration 5s --seeds 1-2 --policy "
		 "vanilla,spb --no-progress --report %s", dir);
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	sim_opts_default(&o);
	is_long(sim_opts_parse(&o, (int)argc - 1, argv + 1, msg, sizeof(msg)), 0,
		"--report with --seeds is accepted %s", msg);
	is_long(sim_main(&o, null, null), 0, "the two-seed run with --report");
	fclose(null);
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		char path[600];
		png_image img;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (strstr(e->d_name, ".png")) {
			pngs++;
			memset(&img, 0, sizeof(img));
			img.version = PNG_IMAGE_VERSION;
			if (png_image_begin_read_from_file(&img, path) && img.width >= 560 &&
			    img.height >= 100)
				good++;
			png_image_free(&img);
		}
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	/* 4 charts; per policy two maps and a buddyinfo chart. */
	is_long((long)pngs, 4 + 2 * 3, "every picture written");
	is_long((long)good, (long)pngs, "each one decodes");
}

int main(void)
{
	test_blocker();
	test_maps();
	test_charts();
	test_buddyinfo();
	test_real_report();
	return done_testing();
}
