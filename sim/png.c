// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Raster drawing for the report. Coordinates are clipped at every pixel
 * write, so callers may draw partly outside the canvas. The chart picks
 * "nice" tick steps (1, 2, 5 x 10^k) so axes read like a person drew them.
 */
#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"

#define GLYPH_W 5
#define GLYPH_H 7

/* ASCII 32..126, seven rows of five bits (bit 4 is the leftmost column). */
static const uint8_t font5x7[95][GLYPH_H] = {
	{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },	/* ' ' */
	{ 0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04 },	/* '!' */
	{ 0x0a, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00 },	/* '"' */
	{ 0x0a, 0x0a, 0x1f, 0x0a, 0x1f, 0x0a, 0x0a },	/* '#' */
	{ 0x04, 0x0f, 0x14, 0x0e, 0x05, 0x1e, 0x04 },	/* '$' */
	{ 0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03 },	/* '%' */
	{ 0x0c, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0d },	/* '&' */
	{ 0x0c, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00 },	/* "'" */
	{ 0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02 },	/* '(' */
	{ 0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08 },	/* ')' */
	{ 0x00, 0x04, 0x15, 0x0e, 0x15, 0x04, 0x00 },	/* '*' */
	{ 0x00, 0x04, 0x04, 0x1f, 0x04, 0x04, 0x00 },	/* '+' */
	{ 0x00, 0x00, 0x00, 0x00, 0x0c, 0x04, 0x08 },	/* ',' */
	{ 0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00 },	/* '-' */
	{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c },	/* '.' */
	{ 0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00 },	/* '/' */
	{ 0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e },	/* '0' */
	{ 0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e },	/* '1' */
	{ 0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f },	/* '2' */
	{ 0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e },	/* '3' */
	{ 0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02 },	/* '4' */
	{ 0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e },	/* '5' */
	{ 0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e },	/* '6' */
	{ 0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 },	/* '7' */
	{ 0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e },	/* '8' */
	{ 0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c },	/* '9' */
	{ 0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00 },	/* ':' */
	{ 0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x04, 0x08 },	/* ';' */
	{ 0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02 },	/* '<' */
	{ 0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x00 },	/* '=' */
	{ 0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08 },	/* '>' */
	{ 0x0e, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04 },	/* '?' */
	{ 0x0e, 0x11, 0x17, 0x15, 0x17, 0x10, 0x0e },	/* '@' */
	{ 0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 },	/* 'A' */
	{ 0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e },	/* 'B' */
	{ 0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e },	/* 'C' */
	{ 0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c },	/* 'D' */
	{ 0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f },	/* 'E' */
	{ 0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10 },	/* 'F' */
	{ 0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f },	/* 'G' */
	{ 0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 },	/* 'H' */
	{ 0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e },	/* 'I' */
	{ 0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c },	/* 'J' */
	{ 0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11 },	/* 'K' */
	{ 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f },	/* 'L' */
	{ 0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11 },	/* 'M' */
	{ 0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11 },	/* 'N' */
	{ 0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e },	/* 'O' */
	{ 0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10 },	/* 'P' */
	{ 0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d },	/* 'Q' */
	{ 0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11 },	/* 'R' */
	{ 0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e },	/* 'S' */
	{ 0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04 },	/* 'T' */
	{ 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e },	/* 'U' */
	{ 0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04 },	/* 'V' */
	{ 0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a },	/* 'W' */
	{ 0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11 },	/* 'X' */
	{ 0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04 },	/* 'Y' */
	{ 0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f },	/* 'Z' */
	{ 0x0e, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0e },	/* '[' */
	{ 0x00, 0x10, 0x08, 0x04, 0x02, 0x01, 0x00 },	/* '\\' */
	{ 0x0e, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0e },	/* ']' */
	{ 0x04, 0x0a, 0x11, 0x00, 0x00, 0x00, 0x00 },	/* '^' */
	{ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f },	/* '_' */
	{ 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00 },	/* '`' */
	{ 0x00, 0x00, 0x0e, 0x01, 0x0f, 0x11, 0x0f },	/* 'a' */
	{ 0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1e },	/* 'b' */
	{ 0x00, 0x00, 0x0e, 0x10, 0x10, 0x11, 0x0e },	/* 'c' */
	{ 0x01, 0x01, 0x0d, 0x13, 0x11, 0x11, 0x0f },	/* 'd' */
	{ 0x00, 0x00, 0x0e, 0x11, 0x1f, 0x10, 0x0e },	/* 'e' */
	{ 0x06, 0x09, 0x08, 0x1c, 0x08, 0x08, 0x08 },	/* 'f' */
	{ 0x00, 0x0f, 0x11, 0x11, 0x0f, 0x01, 0x0e },	/* 'g' */
	{ 0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11 },	/* 'h' */
	{ 0x04, 0x00, 0x0c, 0x04, 0x04, 0x04, 0x0e },	/* 'i' */
	{ 0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0c },	/* 'j' */
	{ 0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12 },	/* 'k' */
	{ 0x0c, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e },	/* 'l' */
	{ 0x00, 0x00, 0x1a, 0x15, 0x15, 0x11, 0x11 },	/* 'm' */
	{ 0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11 },	/* 'n' */
	{ 0x00, 0x00, 0x0e, 0x11, 0x11, 0x11, 0x0e },	/* 'o' */
	{ 0x00, 0x00, 0x1e, 0x11, 0x1e, 0x10, 0x10 },	/* 'p' */
	{ 0x00, 0x00, 0x0d, 0x13, 0x0f, 0x01, 0x01 },	/* 'q' */
	{ 0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10 },	/* 'r' */
	{ 0x00, 0x00, 0x0e, 0x10, 0x0e, 0x01, 0x1e },	/* 's' */
	{ 0x08, 0x08, 0x1c, 0x08, 0x08, 0x09, 0x06 },	/* 't' */
	{ 0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0d },	/* 'u' */
	{ 0x00, 0x00, 0x11, 0x11, 0x11, 0x0a, 0x04 },	/* 'v' */
	{ 0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0a },	/* 'w' */
	{ 0x00, 0x00, 0x11, 0x0a, 0x04, 0x0a, 0x11 },	/* 'x' */
	{ 0x00, 0x00, 0x11, 0x11, 0x0f, 0x01, 0x0e },	/* 'y' */
	{ 0x00, 0x00, 0x1f, 0x02, 0x04, 0x08, 0x1f },	/* 'z' */
	{ 0x02, 0x04, 0x04, 0x08, 0x04, 0x04, 0x02 },	/* '{' */
	{ 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04 },	/* '|' */
	{ 0x08, 0x04, 0x04, 0x02, 0x04, 0x04, 0x08 },	/* '}' */
	{ 0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00 },	/* '~' */

};

int sim_canvas_init(struct sim_canvas *c, unsigned int w, unsigned int h,
		    uint32_t bg)
{
	memset(c, 0, sizeof(*c));
	c->w = w;
	c->h = h;
	c->px = malloc((size_t)w * h * 3);
	if (!c->px)
		return -ENOMEM;
	sim_canvas_rect(c, 0, 0, (int)w, (int)h, bg);
	return 0;
}

void sim_canvas_free(struct sim_canvas *c)
{
	free(c->px);
	free(c->text);
	c->px = NULL;
	c->text = NULL;
	c->nr_text = c->cap_text = 0;
}

/* Remember where a label went; a full log only loses the record. */
static void log_text(struct sim_canvas *c, int x, int y, int w, int h,
		     const char *s)
{
	struct sim_text_box *b;

	if (c->nr_text == c->cap_text) {
		size_t cap = c->cap_text ? 2 * c->cap_text : 64;

		b = realloc(c->text, cap * sizeof(*b));
		if (!b)
			return;
		c->text = b;
		c->cap_text = cap;
	}
	b = &c->text[c->nr_text++];
	*b = (struct sim_text_box){ x, y, w, h, "" };
	snprintf(b->s, sizeof(b->s), "%s", s);
}

static inline void plot(struct sim_canvas *c, int x, int y, uint32_t rgb)
{
	uint8_t *p;

	if (x < 0 || y < 0 || (unsigned int)x >= c->w || (unsigned int)y >= c->h)
		return;
	p = c->px + ((size_t)y * c->w + (size_t)x) * 3;
	p[0] = (uint8_t)(rgb >> 16);
	p[1] = (uint8_t)(rgb >> 8);
	p[2] = (uint8_t)rgb;
}

void sim_canvas_rect(struct sim_canvas *c, int x, int y, int w, int h,
		     uint32_t rgb)
{
	for (int j = y; j < y + h; j++)
		for (int i = x; i < x + w; i++)
			plot(c, i, j, rgb);
}

/* Bresenham; width grows the pen downwards and to the right; dashes of 6. */
void sim_canvas_line(struct sim_canvas *c, int x0, int y0, int x1, int y1,
		     uint32_t rgb, int width, bool dashed)
{
	int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
	int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
	int e = dx + dy, step = 0;

	for (;;) {
		int e2 = 2 * e;

		if (!dashed || (step / 6) % 2 == 0)
			sim_canvas_rect(c, x0, y0, width, width, rgb);
		step++;
		if (x0 == x1 && y0 == y1)
			break;
		if (e2 >= dy) {
			e += dy;
			x0 += sx;
		}
		if (e2 <= dx) {
			e += dx;
			y0 += sy;
		}
	}
}

int sim_text_width(const char *s, int scale)
{
	return (int)strlen(s) * (GLYPH_W + 1) * scale;
}

static const uint8_t *glyph(char ch)
{
	unsigned char u = (unsigned char)ch;

	return font5x7[(u < 32 || u > 126 ? '?' : u) - 32];
}

int sim_canvas_text(struct sim_canvas *c, int x, int y, const char *s,
		    uint32_t rgb, int scale)
{
	int x0 = x;

	if (*s)
		log_text(c, x, y, sim_text_width(s, scale) - scale, GLYPH_H * scale, s);
	for (; *s; s++, x += (GLYPH_W + 1) * scale) {
		const uint8_t *g = glyph(*s);

		for (int row = 0; row < GLYPH_H; row++)
			for (int col = 0; col < GLYPH_W; col++)
				if (g[row] & (0x10 >> col))
					sim_canvas_rect(c, x + col * scale, y + row * scale,
							scale, scale, rgb);
	}
	return x - x0;
}

/* The glyph turned a quarter anticlockwise: its rows become columns. */
void sim_canvas_text_up(struct sim_canvas *c, int x, int y, const char *s,
			uint32_t rgb, int scale)
{
	int len = sim_text_width(s, scale) - scale;

	if (*s)
		log_text(c, x, y - len + 1, GLYPH_H * scale, len, s);
	for (; *s; s++, y -= (GLYPH_W + 1) * scale) {
		const uint8_t *g = glyph(*s);

		for (int row = 0; row < GLYPH_H; row++)
			for (int col = 0; col < GLYPH_W; col++)
				if (g[row] & (0x10 >> col))
					sim_canvas_rect(c, x + row * scale,
							y - (col + 1) * scale + 1,
							scale, scale, rgb);
	}
}

void sim_canvas_marker(struct sim_canvas *c, int x, int y, unsigned int shape,
		       uint32_t rgb)
{
	switch (shape % 5) {
	case 0:
		sim_canvas_rect(c, x - 3, y - 3, 7, 7, rgb);
		break;
	case 1:
		for (int d = -4; d <= 4; d++) {
			int half = 4 - abs(d);

			sim_canvas_rect(c, x - half, y + d, 2 * half + 1, 1, rgb);
		}
		break;
	case 2:
		for (int d = 0; d < 7; d++)
			sim_canvas_rect(c, x - d / 2, y - 3 + d, d / 2 * 2 + 1, 1, rgb);
		break;
	case 3:
		sim_canvas_line(c, x - 3, y - 3, x + 3, y + 3, rgb, 2, false);
		sim_canvas_line(c, x - 3, y + 3, x + 3, y - 3, rgb, 2, false);
		break;
	default:
		for (int dy = -3; dy <= 3; dy++)
			for (int dx = -3; dx <= 3; dx++)
				if (dx * dx + dy * dy <= 10 && dx * dx + dy * dy >= 4)
					sim_canvas_rect(c, x + dx, y + dy, 1, 1, rgb);
		break;
	}
}

uint32_t sim_rgb_pale(uint32_t rgb, double frac)
{
	unsigned int r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;

	return SIM_RGB(r + (unsigned int)((255 - r) * frac),
		       g + (unsigned int)((255 - g) * frac),
		       b + (unsigned int)((255 - b) * frac));
}

int sim_canvas_write_png(const struct sim_canvas *c, const char *path)
{
	FILE *f = fopen(path, "wb");
	png_structp png;
	png_infop info;
	int err = -EIO;

	if (!f)
		return -errno;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png ? png_create_info_struct(png) : NULL;
	if (!png || !info)
		goto out;
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_init_io(png, f);
	png_set_IHDR(png, info, c->w, c->h, 8, PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (unsigned int y = 0; y < c->h; y++)
		png_write_row(png, c->px + (size_t)y * c->w * 3);
	png_write_end(png, NULL);
	err = 0;
out:
	png_destroy_write_struct(&png, &info);
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* ------------------------------------------------------------------------ */
/* Legends.                                                                  */

#define INK	SIM_RGB(40, 40, 40)
#define GRID	SIM_RGB(225, 225, 225)
#define SWATCH_W 16
#define LEGEND_ROW 12

static int legend_item_width(const struct sim_legend_item *it)
{
	return (it->kind == SIM_SWATCH_NONE ? 0 : SWATCH_W + 4) +
	       sim_text_width(it->text, 1);
}

static void legend_item_draw(struct sim_canvas *c, int x, int y,
			     const struct sim_legend_item *it)
{
	if (it->kind == SIM_SWATCH_BOX) {
		sim_canvas_rect(c, x, y - 1, SWATCH_W, 9, SIM_RGB(150, 150, 150));
		sim_canvas_rect(c, x + 1, y, SWATCH_W - 2, 7, it->rgb);
	} else if (it->kind == SIM_SWATCH_LINE) {
		sim_canvas_line(c, x, y + 3, x + SWATCH_W, y + 3, it->rgb, 2, it->dashed);
		if (it->marker >= 0)
			sim_canvas_marker(c, x + SWATCH_W / 2, y + 3,
					  (unsigned int)it->marker, it->rgb);
	}
	if (it->kind != SIM_SWATCH_NONE)
		x += SWATCH_W + 4;
	sim_canvas_text(c, x, y, it->text, INK, 1);
}

int sim_legend_flow(struct sim_canvas *c, int x, int y, int width,
		    const struct sim_legend_item *it, size_t nr, bool draw)
{
	int cx = x, rows = nr ? 1 : 0;

	for (size_t i = 0; i < nr; i++) {
		int w = legend_item_width(&it[i]);

		if (cx > x && cx + w > x + width) {
			cx = x;
			rows++;
		}
		if (draw)
			legend_item_draw(c, cx, y + (rows - 1) * LEGEND_ROW, &it[i]);
		cx += w + 14;
	}
	return rows * LEGEND_ROW;
}

/* ------------------------------------------------------------------------ */
/* Charts.                                                                   */

#define PAD	8	/* empty border of every picture */
#define MR	16	/* right margin of the plot */

/* A tick step of 1, 2 or 5 x 10^k giving about `want` intervals. */
static double nice_step(double span, int want)
{
	double raw = span / want, mag = pow(10, floor(log10(raw)));
	double r = raw / mag;

	return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
}

static void fmt_tick(char *b, size_t n, double v, double step)
{
	if (step >= 1 || v == 0)
		snprintf(b, n, "%.0f", v);
	else if (step >= 0.1)
		snprintf(b, n, "%.1f", v);
	else
		snprintf(b, n, "%.2f", v);
	if (fabs(v) >= 1e6 && step >= 1)
		snprintf(b, n, "%.1fM", v / 1e6);
	else if (fabs(v) >= 1e4 && step >= 1)
		snprintf(b, n, "%.0fk", v / 1e3);
}

struct axes {
	bool log;		/* y0, y1, ys are decades */
	double x0, x1, y0, y1;	/* data range */
	double xs, ys;		/* tick steps */
	int px0, px1, py0, py1;	/* pixel box: left, right, bottom, top */
};

static int map_x(const struct axes *a, double x)
{
	return a->px0 + (int)lround((x - a->x0) / (a->x1 - a->x0) * (a->px1 - a->px0));
}

static int map_y(const struct axes *a, double y)
{
	if (a->log)
		y = log10(y < 1 ? 1 : y);
	return a->py0 - (int)lround((y - a->y0) / (a->y1 - a->y0) * (a->py0 - a->py1));
}

static double vmax(double m, const double *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

/* The data range, rounded out to whole ticks. */
static void data_range(struct axes *a, const struct sim_chart_series *s, size_t nr)
{
	a->x0 = a->y0 = 0;
	a->x1 = a->y1 = 1;
	for (size_t k = 0; k < nr; k++) {
		a->x1 = vmax(a->x1, s[k].x, s[k].n);
		a->y1 = vmax(a->y1, s[k].y, s[k].n);
		a->y1 = vmax(a->y1, s[k].hi, s[k].n);
	}
	a->xs = nice_step(a->x1 - a->x0, 6);
	a->x1 = ceil(a->x1 / a->xs) * a->xs;
	if (a->log) {
		a->y1 = ceil(log10(a->y1 * 1.08));
		a->y1 = a->y1 < 1 ? 1 : a->y1;
		a->ys = 1;
		return;
	}
	a->y1 *= 1.08;	/* headroom so the top line is not on the frame */
	a->ys = nice_step(a->y1 - a->y0, 5);
	a->y1 = ceil(a->y1 / a->ys) * a->ys;
}

/* A y tick's label: on a log axis, v is the decade. */
static void fmt_ytick(char *b, size_t n, const struct axes *a, double v)
{
	if (a->log)
		fmt_tick(b, n, pow(10, v), 1);
	else
		fmt_tick(b, n, v, a->ys);
}

/* Pixel row of tick v (a decade on a log axis). */
static int tick_y(const struct axes *a, double v)
{
	return a->log ? map_y(a, pow(10, v)) : map_y(a, v);
}

static int widest_ytick(const struct axes *a)
{
	char b[32];
	int w = 0;

	for (double v = 0; v <= a->y1 + a->ys / 2; v += a->ys) {
		fmt_ytick(b, sizeof(b), a, v);
		w = sim_text_width(b, 1) > w ? sim_text_width(b, 1) : w;
	}
	return w;
}

static void draw_axes(struct sim_canvas *c, const struct axes *a,
		      const char *xlabel, const char *ylabel)
{
	char b[32];

	for (double v = 0; v <= a->y1 + a->ys / 2; v += a->ys) {
		int y = tick_y(a, v);

		sim_canvas_line(c, a->px0, y, a->px1, y, GRID, 1, false);
		fmt_ytick(b, sizeof(b), a, v);
		sim_canvas_text(c, a->px0 - 6 - sim_text_width(b, 1), y - 3, b, INK, 1);
	}
	for (double v = 0; v <= a->x1 + a->xs / 2; v += a->xs) {
		int x = map_x(a, v);

		sim_canvas_line(c, x, a->py0, x, a->py0 + 4, INK, 1, false);
		fmt_tick(b, sizeof(b), v, a->xs);
		sim_canvas_text(c, x - sim_text_width(b, 1) / 2, a->py0 + 8, b, INK, 1);
	}
	sim_canvas_line(c, a->px0, a->py0, a->px1, a->py0, INK, 1, false);
	sim_canvas_line(c, a->px0, a->py0, a->px0, a->py1, INK, 1, false);
	sim_canvas_text(c, (a->px0 + a->px1 - sim_text_width(xlabel, 1)) / 2,
			a->py0 + 22, xlabel, INK, 1);
	sim_canvas_text_up(c, PAD, (a->py0 + a->py1 + sim_text_width(ylabel, 1)) / 2,
			   ylabel, INK, 1);
}

static size_t chart_legend(const struct sim_chart_opts *o,
			   const struct sim_chart_series *s, size_t nr,
			   struct sim_legend_item *it)
{
	size_t n = 0;

	for (size_t k = 0; k < nr; k++) {
		if (!s[k].name[0])
			continue;	/* a companion series: see dashed_note */
		it[n++] = (struct sim_legend_item){
			s[k].y ? SIM_SWATCH_LINE : SIM_SWATCH_BOX,
			s[k].y ? s[k].rgb : s[k].band_rgb, s[k].dashed,
			s[k].y ? (int)s[k].marker : -1, s[k].name };
	}
	if (o->dashed_note)
		it[n++] = (struct sim_legend_item){ SIM_SWATCH_LINE, INK, true, -1,
						     o->dashed_note };
	if (o->band_note)
		it[n++] = (struct sim_legend_item){ SIM_SWATCH_BOX, SIM_RGB(215, 215, 215),
						     false, -1, o->band_note };
	return n;
}

static bool background(const struct sim_canvas *c, int x, int y)
{
	const uint8_t *p;
	uint32_t rgb;

	if (x < 0 || y < 0 || (unsigned int)x >= c->w || (unsigned int)y >= c->h)
		return false;
	p = c->px + ((size_t)y * c->w + (size_t)x) * 3;
	rgb = SIM_RGB(p[0], p[1], p[2]);
	return rgb == SIM_RGB(255, 255, 255) || rgb == GRID;
}

/*
 * Fill between lo and hi, column by column, interpolating between points.
 * Where an earlier band lies, band k of nr takes every nr-th diagonal
 * stripe, so overlapping bands all show.
 */
static void draw_band(struct sim_canvas *c, const struct axes *a,
		      const struct sim_chart_series *s, size_t k, size_t nr)
{
	for (size_t i = 1; i < s->n; i++) {
		int x0 = map_x(a, s->x[i - 1]), x1 = map_x(a, s->x[i]);

		for (int px = x0; px <= x1; px++) {
			double t = x1 > x0 ? (double)(px - x0) / (x1 - x0) : 0;
			int ylo = map_y(a, s->lo[i - 1] + t * (s->lo[i] - s->lo[i - 1]));
			int yhi = map_y(a, s->hi[i - 1] + t * (s->hi[i] - s->hi[i - 1]));

			for (int y = yhi; y <= ylo; y++)
				if (background(c, px, y) ||
				    (size_t)((px + y) / 4) % nr == k)
					sim_canvas_rect(c, px, y, 1, 1, s->band_rgb);
		}
	}
}

/* Eight markers per line, staggered by series so coinciding lines show. */
static void draw_markers(struct sim_canvas *c, const struct axes *a,
			 const struct sim_chart_series *s, size_t k, size_t nr)
{
	if (s->n < 2)
		return;
	for (int m = 0; m < 8; m++) {
		double f = (m + 0.5 + (double)k / (double)nr) / 8.5;
		size_t i = (size_t)lround(f * (double)(s->n - 1));

		sim_canvas_marker(c, map_x(a, s->x[i]), map_y(a, s->y[i]), s->marker,
				  s->rgb);
	}
}

void sim_chart(struct sim_canvas *c, const struct sim_chart_opts *o,
	       const struct sim_chart_series *s, size_t nr)
{
	struct sim_legend_item *it = calloc(nr + 2, sizeof(*it));
	size_t nit = it ? chart_legend(o, s, nr, it) : 0, nb = 0;
	int y = PAD;
	struct axes a;

	sim_canvas_text(c, PAD, y, o->title, INK, 2);
	y += 2 * SIM_GLYPH_H + 6;
	if (o->subtitle) {
		sim_canvas_text(c, PAD, y, o->subtitle, SIM_RGB(90, 90, 90), 1);
		y += SIM_GLYPH_H + 6;
	}
	y += sim_legend_flow(c, PAD, y, (int)c->w - 2 * PAD, it, nit, true) + 6;
	free(it);
	a.log = o->log_y;
	data_range(&a, s, nr);
	a.px0 = PAD + SIM_GLYPH_H + 8 + widest_ytick(&a) + 6;
	a.px1 = (int)c->w - MR;
	a.py0 = (int)c->h - PAD - 30;
	a.py1 = y + 4;
	draw_axes(c, &a, o->xlabel, o->ylabel);
	for (size_t k = 0; k < nr; k++)
		nb += s[k].lo && s[k].hi;
	for (size_t k = 0, kb = 0; k < nr; k++)
		if (s[k].lo && s[k].hi)
			draw_band(c, &a, &s[k], kb++, nb);
	/* Earlier series are drawn wider, so where policies coincide every
	 * colour still shows as a band around the next. */
	for (size_t k = 0; k < nr; k++) {
		int pen = 2 + 2 * (int)(nr - 1 - k) / (nr > 3 ? 2 : 1);

		if (!s[k].y)
			continue;
		pen = pen > 6 ? 6 : pen;
		for (size_t i = 1; i < s[k].n; i++)
			sim_canvas_line(c, map_x(&a, s[k].x[i - 1]) - pen / 2,
					map_y(&a, s[k].y[i - 1]) - pen / 2,
					map_x(&a, s[k].x[i]) - pen / 2,
					map_y(&a, s[k].y[i]) - pen / 2,
					s[k].rgb, pen, s[k].dashed);
	}
	for (size_t k = 0; k < nr; k++)
		if (s[k].y && s[k].name[0])
			draw_markers(c, &a, &s[k], k, nr);
}
