/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A small RGB canvas for the HTML report: rectangles, lines, a 5x7 bitmap
 * font, line charts with axes, and a PNG writer on libpng. Enough to draw
 * memory maps and time series without any plotting dependency.
 */
#ifndef GA_SIM_CANVAS_H
#define GA_SIM_CANVAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_canvas {
	unsigned int w, h;
	uint8_t *px;		/* w * h * 3 bytes, row-major RGB */
};

#define SIM_RGB(r, g, b) (((uint32_t)(r) << 16) | ((uint32_t)(g) << 8) | (uint32_t)(b))

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
int sim_text_width(const char *s, int scale);
/* Write c as an 8-bit RGB PNG. -errno. */
int sim_canvas_write_png(const struct sim_canvas *c, const char *path);

struct sim_chart_series {
	const char *name;
	const double *x, *y;
	size_t n;
	uint32_t rgb;
	bool dashed;
};

/* A line chart filling the canvas: title, axes with ticks, legend. */
void sim_chart(struct sim_canvas *c, const char *title, const char *xlabel,
	       const struct sim_chart_series *s, size_t nr);

#endif /* GA_SIM_CANVAS_H */
