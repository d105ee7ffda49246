/* SPDX-License-Identifier: MIT */
/*
 * heatmap.h - the access heatmap: x = address over the mapped ranges only
 * (big gaps left out and marked), y = time (first round at the top),
 * colour = access frequency: the share of a cell's mapped pages found
 * accessed in the cell's rounds. Dark grey cells had nothing mapped.
 */
#ifndef HEATMAP_H
#define HEATMAP_H

#include <stdint.h>

#include "canvas.h"
#include "scan_set.h"

#define HEATMAP_GAP_PX		4		/* width of a gap marker */
#define HEATMAP_COLOUR_ABSENT	0x404040u
#define HEATMAP_COLOUR_GAP	0x2060a0u

struct heatmap_opts {
	int width, height;	/* plot area in pixels; 0: defaults */
	uint64_t merge_gap;	/* see layout.h */
};

/* Where the plot landed on the canvas. */
struct heatmap_geom {
	int x0, y0, w, h;	/* plot area */
	size_t nsegs;
};

int heatmap_render(const struct scan_set *s, const struct heatmap_opts *o,
		   struct canvas *c, struct heatmap_geom *g, char *err,
		   size_t errlen);

/* The colour of access frequency v in [0, 1] (black to pale yellow). */
uint32_t heatmap_colour(double v);

#endif /* HEATMAP_H */
