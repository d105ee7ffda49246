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

/*
 * The PNG's text notes (tEXt), so that programs can map pixels back:
 * PLOT "x0 y0 w h", the plot area in pixels;
 * SEGMENTS one line "0xSTART 0xEND X PX" per address segment: HVAs
 *   [START, END) drawn in plot columns [X, X + PX); column X + k shows
 *   the segment's pages [P * k / PX, P * (k + 1) / PX) (integer division,
 *   P = its pages), at least one page each;
 * ROUNDS "N": plot row y shows rounds [N * y / h, N * (y + 1) / h)
 *   (at least one), the first round at the top.
 */
#define HEATMAP_NOTE_PLOT	"idle-pages plot"
#define HEATMAP_NOTE_SEGMENTS	"idle-pages segments"
#define HEATMAP_NOTE_ROUNDS	"idle-pages rounds"
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
