/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A small RGB canvas for the HTML report: rectangles, lines, a 5x7 bitmap
 * font (also upright), legends, line charts with axes, and a PNG writer on
 * libpng. Enough to draw memory maps and time series without any plotting
 * dependency.
 */
#ifndef GA_SIM_CANVAS_H
#define GA_SIM_CANVAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a label was drawn, so tests can check that none is clipped. */
struct sim_text_box {
	int x, y, w, h;
	char s[128];		/* the label, truncated */
};

struct sim_canvas {
	unsigned int w, h;
	uint8_t *px;		/* w * h * 3 bytes, row-major RGB */
	struct sim_text_box *text;	/* every label drawn, in order */
	size_t nr_text, cap_text;
};

#define SIM_RGB(r, g, b) (((uint32_t)(r) << 16) | ((uint32_t)(g) << 8) | (uint32_t)(b))
#define SIM_GLYPH_H 7		/* text height at scale 1 */

/* -ENOMEM. */
int sim_canvas_init(struct sim_canvas *c, unsigned int w, unsigned int h,
		    uint32_t bg);
void sim_canvas_free(struct sim_canvas *c);
void sim_canvas_rect(struct sim_canvas *c, int x, int y, int w, int h,
		     uint32_t rgb);
void sim_canvas_line(struct sim_canvas *c, int x0, int y0, int x1, int y1,
		     uint32_t rgb, int width, bool dashed);
/* Draw text with its top-left corner at (x, y); returns the width drawn. */
int sim_canvas_text(struct sim_canvas *c, int x, int y, const char *s,
		    uint32_t rgb, int scale);
/* Text read bottom to top (a y-axis label), its bottom-left corner at (x, y). */
void sim_canvas_text_up(struct sim_canvas *c, int x, int y, const char *s,
			uint32_t rgb, int scale);
int sim_text_width(const char *s, int scale);
/* A point marker centred on (x, y): shape 0 square, 1 diamond, 2 triangle,
 * 3 cross, 4 circle, then again. */
void sim_canvas_marker(struct sim_canvas *c, int x, int y, unsigned int shape,
		       uint32_t rgb);
/* rgb mixed with white: frac 0 keeps it, 1 gives white. */
uint32_t sim_rgb_pale(uint32_t rgb, double frac);
/* Write c as an 8-bit RGB PNG. -errno. */
int sim_canvas_write_png(const struct sim_canvas *c, const char *path);

/*
 * One series: a line through (x, y) (y NULL: none) with a marker every few
 * points, and a band filled between lo and hi (NULL: none) in band_rgb,
 * drawn under every line.
 */
struct sim_chart_series {
	const char *name;	/* legend text; "" for a companion series */
	const double *x, *y;
	const double *lo, *hi;
	size_t n;
	uint32_t rgb, band_rgb;
	bool dashed;
	unsigned int marker;	/* shape, see sim_canvas_marker */
};

struct sim_chart_opts {
	const char *title;	/* large, at the top */
	const char *subtitle;	/* what was run; may be NULL */
	const char *xlabel, *ylabel;	/* with units */
	const char *dashed_note;	/* legend entry for dashed lines, or NULL */
	const char *band_note;	/* legend entry for pale bands, or NULL */
	bool log_y;		/* decades on the y axis; values under 1 drawn as 1 */
};

/*
 * A line chart filling the canvas: title, subtitle, a legend that wraps
 * under them, axes with ticks and labels. Series drawn earlier get wider
 * pens and markers sit at staggered points, so identical lines stay
 * distinguishable.
 */
void sim_chart(struct sim_canvas *c, const struct sim_chart_opts *o,
	       const struct sim_chart_series *s, size_t nr);

/* A legend entry; see sim_legend_flow. */
enum sim_swatch { SIM_SWATCH_NONE, SIM_SWATCH_BOX, SIM_SWATCH_LINE };
struct sim_legend_item {
	enum sim_swatch kind;
	uint32_t rgb;
	bool dashed;
	int marker;		/* -1: none */
	const char *text;
};

/*
 * Lay out items left to right from (x, y), wrapping before x + width;
 * draw them if draw is set. Returns the height used.
 */
int sim_legend_flow(struct sim_canvas *c, int x, int y, int width,
		    const struct sim_legend_item *it, size_t nr, bool draw);

#endif /* GA_SIM_CANVAS_H */
