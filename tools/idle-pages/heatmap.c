/* SPDX-License-Identifier: MIT */
/*
 * heatmap.c - render scan rounds as an address x time heatmap.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "font5x7.h"
#include "heatmap.h"
#include "layout.h"

#define MARGIN_L	64
#define MARGIN_R	84
#define MARGIN_T	28
#define MARGIN_B	52
#define DEFAULT_W	800
#define COLOUR_BG	0xffffffu
#define COLOUR_INK	0x000000u

/* Pixel columns of one segment. */
struct seg_cols {
	int x0, px;		/* first column (plot-relative), width */
	uint64_t pages;
};

struct grid {
	const struct layout *l;
	struct seg_cols *sc;
	int cols;		/* plot width, gap markers included */
	double *acc, *pres;	/* [nrounds][cols] */
	size_t round;
	bool accessed;		/* the state of the range being added */
};

uint32_t heatmap_colour(double v)
{
	/* an inferno-like ramp: luminance grows with v */
	static const uint8_t stops[][3] = {
		{ 0, 0, 0 }, { 80, 18, 123 }, { 190, 55, 82 },
		{ 250, 140, 10 }, { 252, 255, 164 },
	};
	const int n = sizeof(stops) / sizeof(stops[0]) - 1;
	double pos;
	int i;
	uint32_t rgb = 0;

	if (!(v > 0))
		v = 0;
	if (v > 1)
		v = 1;
	pos = v * n;
	i = (int)pos;
	if (i >= n)
		i = n - 1;
	for (int ch = 0; ch < 3; ch++) {
		double a = stops[i][ch], b = stops[i + 1][ch];

		rgb = rgb << 8 | (uint32_t)lround(a + (b - a) * (pos - i));
	}
	return rgb;
}

/* Splits the plot width among the segments, in proportion to size. */
static int assign_columns(const struct layout *l, int width,
			  struct seg_cols *sc, char *err, size_t errlen)
{
	int gaps = HEATMAP_GAP_PX * (int)(l->nsegs - 1);
	int data = width - gaps, used = 0, x = 0;
	size_t biggest = 0;

	if (data < (int)l->nsegs) {
		snprintf(err, errlen, "%zu separate address ranges do not fit in %d pixels: raise --width or --merge-gap",
			 l->nsegs, width);
		return -1;
	}
	for (size_t i = 0; i < l->nsegs; i++) {
		sc[i].pages = (l->segs[i].end - l->segs[i].start) / IP_PAGE_SIZE;
		sc[i].px = (int)((double)sc[i].pages * data / l->npages);
		if (sc[i].px < 1)
			sc[i].px = 1;
		used += sc[i].px;
		if (sc[i].pages > sc[biggest].pages)
			biggest = i;
	}
	sc[biggest].px += data - used;	/* rounding leftovers */
	if (sc[biggest].px < 1) {
		snprintf(err, errlen, "too many small address ranges for %d pixels: raise --width or --merge-gap",
			 width);
		return -1;
	}
	for (size_t i = 0; i < l->nsegs; i++) {
		sc[i].x0 = x;
		x += sc[i].px + HEATMAP_GAP_PX;
	}
	return 0;
}

/* First page (segment-relative) shown by column k of a segment. */
static uint64_t col_first(const struct seg_cols *s, int k)
{
	return (uint64_t)((unsigned __int128)s->pages * k / s->px);
}

static uint64_t col_end(const struct seg_cols *s, int k)
{
	uint64_t a = col_first(s, k), b = col_first(s, k + 1);

	return b > a ? b : a + 1;
}

static void add_span(void *arg, uint64_t idx, uint64_t n)
{
	struct grid *g = arg;
	const struct layout *l = g->l;
	size_t lo = 0, hi = l->nsegs;
	const struct seg_cols *s;
	uint64_t off, end;
	int k;

	while (hi - lo > 1) {	/* the segment holding idx */
		size_t mid = (lo + hi) / 2;

		if (l->segs[mid].base <= idx)
			lo = mid;
		else
			hi = mid;
	}
	s = &g->sc[lo];
	off = idx - l->segs[lo].base;
	end = off + n;
	k = (int)((unsigned __int128)off * s->px / s->pages);
	for (; k < s->px && col_first(s, k) < end; k++) {
		uint64_t a = col_first(s, k), b = col_end(s, k);
		double w;

		if (a < off)
			a = off;
		if (b > end)
			b = end;
		if (b <= a)
			continue;
		w = (double)(b - a);
		g->pres[g->round * g->cols + s->x0 + k] += w;
		if (g->accessed)
			g->acc[g->round * g->cols + s->x0 + k] += w;
	}
}

static int add_range(void *arg, const struct ip_range *r)
{
	struct grid *g = arg;
	enum ip_state st = ip_type_state(r->type);

	if (st == IP_ST_HOLE)
		return 0;
	g->accessed = st == IP_ST_ACCESSED;
	layout_for_span(g->l, r->hva, r->npages, add_span, g);
	return 0;
}

/* "+512M", "+1G": a size in the largest unit that divides it. */
static void size_label(char *buf, size_t len, const char *prefix,
		       uint64_t bytes)
{
	static const char units[] = "KMGTP";
	int u = 0;

	bytes >>= 10;
	while (u < 4 && bytes >= 1024 && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	snprintf(buf, len, "%s%" PRIu64 "%c", prefix, bytes, units[u]);
}

/* Tick every power-of-two size that gives about 100 pixels per tick. */
static uint64_t tick_step(const struct layout *l, int data_px)
{
	double per_px = (double)l->npages * IP_PAGE_SIZE / data_px;
	uint64_t step = IP_PAGE_SIZE;

	while ((double)step < per_px * 100 && step < (1ull << 62))
		step <<= 1;
	return step;
}

static void draw_x_axis(struct canvas *c, const struct heatmap_geom *g,
			const struct layout *l, const struct seg_cols *sc)
{
	int y = g->y0 + g->h + 3, addr_end = -1000, tick_end = -1000;
	int data = g->w - HEATMAP_GAP_PX * (int)(l->nsegs - 1);
	uint64_t step = tick_step(l, data);
	char buf[40];

	for (size_t i = 0; i < l->nsegs; i++) {
		int x = g->x0 + sc[i].x0;
		uint64_t bytes = l->segs[i].end - l->segs[i].start;

		canvas_fill(c, x, y - 3, 1, 6, COLOUR_INK);
		snprintf(buf, sizeof(buf), "0x%" PRIx64, l->segs[i].start);
		if (x > addr_end + 8)
			addr_end = x + canvas_text(c, x, y + 14, buf, COLOUR_INK);
		for (uint64_t off = step; off < bytes; off += step) {
			int tx = x + (int)((unsigned __int128)(off / IP_PAGE_SIZE) *
					   sc[i].px / sc[i].pages);
			int tw;

			size_label(buf, sizeof(buf), "+", off);
			tw = canvas_text_width(buf);
			canvas_fill(c, tx, y - 3, 1, 4, COLOUR_INK);
			if (tx - tw / 2 > tick_end + 6 &&
			    tx + tw / 2 < g->x0 + sc[i].x0 + sc[i].px) {
				canvas_text(c, tx - tw / 2, y + 4, buf, COLOUR_INK);
				tick_end = tx + tw / 2;
			}
		}
	}
	canvas_text(c, g->x0, y + 26,
		    "address: start of each mapped range (hex), +offset; blue bars: gaps left out",
		    COLOUR_INK);
}

static void draw_y_axis(struct canvas *c, const struct heatmap_geom *g,
			const struct scan_set *s)
{
	double total = scan_set_time(s, s->nrounds - 1);
	int last_y = -1000;
	char buf[32];

	canvas_text(c, 4, g->y0 - 10, "time (s)", COLOUR_INK);
	for (int y = 0; y < g->h; y++) {
		size_t r = (size_t)y * s->nrounds / g->h;

		if (y - last_y < 40 && y != g->h - 1)
			continue;
		if (y == g->h - 1 && y - last_y < 12)
			continue;
		if (y && r == (size_t)(y - 1) * s->nrounds / g->h)
			continue;	/* label where a round starts */
		snprintf(buf, sizeof(buf), total < 10 ? "%.2f" : "%.0f",
			 scan_set_time(s, r));
		canvas_fill(c, g->x0 - 4, g->y0 + y, 4, 1, COLOUR_INK);
		canvas_text(c, g->x0 - 6 - canvas_text_width(buf),
			    g->y0 + y - FONT_H / 2, buf, COLOUR_INK);
		last_y = y;
	}
}

static void draw_legend(struct canvas *c, const struct heatmap_geom *g)
{
	int x = g->x0 + g->w + 14;

	canvas_text(c, x, g->y0 - 10, "accessed", COLOUR_INK);
	for (int y = 0; y < g->h; y++)
		canvas_fill(c, x, g->y0 + y, 12, 1,
			    heatmap_colour(1.0 - (double)y / (g->h - 1 ? g->h - 1 : 1)));
	canvas_text(c, x + 16, g->y0, "100%", COLOUR_INK);
	canvas_text(c, x + 16, g->y0 + g->h - FONT_H, "0%", COLOUR_INK);
	canvas_fill(c, x, g->y0 + g->h + 8, 12, 8, HEATMAP_COLOUR_ABSENT);
	canvas_text(c, x + 16, g->y0 + g->h + 9, "unmapped", COLOUR_INK);
}

static void draw_title(struct canvas *c, const struct scan_set *s)
{
	char buf[300];

	snprintf(buf, sizeof(buf), "idle-pages heatmap: %s, %zu rounds, interval %.3f s",
		 s->hdr.target, s->nrounds, s->hdr.interval_ms / 1000.0);
	if (canvas_text_width(buf) > c->w - 8)
		buf[(c->w - 8) / FONT_ADVANCE] = '\0';
	canvas_text(c, 4, 6, buf, COLOUR_INK);
}

/* Colours the plot: row y shows the rounds that fall on it. */
static void paint_cells(struct canvas *c, const struct heatmap_geom *g,
			const struct grid *gr, size_t nrounds)
{
	for (int y = 0; y < g->h; y++) {
		size_t r0 = (size_t)y * nrounds / g->h;
		size_t r1 = (size_t)(y + 1) * nrounds / g->h;

		if (r1 <= r0)
			r1 = r0 + 1;
		for (int x = 0; x < gr->cols; x++) {
			double a = 0, p = 0;

			for (size_t r = r0; r < r1; r++) {
				a += gr->acc[r * gr->cols + x];
				p += gr->pres[r * gr->cols + x];
			}
			canvas_set(c, g->x0 + x, g->y0 + y,
				   p > 0 ? heatmap_colour(a / p) :
				   HEATMAP_COLOUR_ABSENT);
		}
	}
	for (size_t i = 0; i + 1 < g->nsegs; i++)
		canvas_fill(c, g->x0 + gr->sc[i].x0 + gr->sc[i].px, g->y0,
			    HEATMAP_GAP_PX, g->h, HEATMAP_COLOUR_GAP);
}

/*
 * Text notes that let a program map pixels back to addresses and rounds
 * (see heatmap.h); they describe exactly what paint_cells() drew.
 */
static int add_notes(struct canvas *c, const struct heatmap_geom *g,
		     const struct layout *l, const struct seg_cols *sc,
		     size_t nrounds)
{
	char head[64], *segs = malloc(l->nsegs * 64 + 1);
	size_t len = 0;
	int ret;

	if (!segs)
		return -1;
	segs[0] = '\0';
	for (size_t i = 0; i < l->nsegs; i++)
		len += (size_t)snprintf(segs + len, 64, "0x%" PRIx64 " 0x%" PRIx64 " %d %d\n",
					l->segs[i].start, l->segs[i].end,
					sc[i].x0, sc[i].px);
	snprintf(head, sizeof(head), "%d %d %d %d", g->x0, g->y0, g->w, g->h);
	ret = canvas_note(c, HEATMAP_NOTE_PLOT, head) ||
	      canvas_note(c, HEATMAP_NOTE_SEGMENTS, segs);
	snprintf(head, sizeof(head), "%zu", nrounds);
	ret = ret || canvas_note(c, HEATMAP_NOTE_ROUNDS, head);
	free(segs);
	return ret ? -1 : 0;
}

int heatmap_render(const struct scan_set *s, const struct heatmap_opts *o,
		   struct canvas *c, struct heatmap_geom *g, char *err,
		   size_t errlen)
{
	struct layout l;
	struct grid gr = { .l = &l };
	int ret = -1;

	memset(c, 0, sizeof(*c));
	if (layout_build(&l, s, o->merge_gap, err, errlen))
		return -1;
	g->x0 = MARGIN_L;
	g->y0 = MARGIN_T;
	g->w = o->width > 0 ? o->width : DEFAULT_W;
	g->h = o->height > 0 ? o->height : (int)s->nrounds * 6;
	if (!o->height && g->h < 120)
		g->h = 120;
	if (!o->height && g->h > 600)
		g->h = 600;
	g->nsegs = l.nsegs;
	gr.cols = g->w;
	gr.sc = calloc(l.nsegs, sizeof(*gr.sc));
	gr.acc = calloc(s->nrounds * (size_t)g->w, sizeof(double));
	gr.pres = calloc(s->nrounds * (size_t)g->w, sizeof(double));
	if (!gr.sc || !gr.acc || !gr.pres) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (assign_columns(&l, g->w, gr.sc, err, errlen))
		goto out;
	for (gr.round = 0; gr.round < s->nrounds; gr.round++)
		if (round_for_each_range(&s->rounds[gr.round], add_range, &gr,
					 err, errlen))
			goto out;
	if (canvas_init(c, MARGIN_L + g->w + MARGIN_R,
			MARGIN_T + g->h + MARGIN_B, COLOUR_BG)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	draw_title(c, s);
	paint_cells(c, g, &gr, s->nrounds);
	draw_x_axis(c, g, &l, gr.sc);
	draw_y_axis(c, g, s);
	draw_legend(c, g);
	if (add_notes(c, g, &l, gr.sc, s->nrounds)) {
		snprintf(err, errlen, "out of memory");
		canvas_free(c);
		goto out;
	}
	ret = 0;
out:
	free(gr.sc);
	free(gr.acc);
	free(gr.pres);
	layout_free(&l);
	return ret;
}
