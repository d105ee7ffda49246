/* SPDX-License-Identifier: MIT */
/*
 * test_idle_pages_heatmap.c - heatmap of a synthetic recording whose hot
 * band moves in three phases over two address ranges 512 GiB apart. The
 * PNG is decoded back (libpng) and the bright cells must sit where the
 * hot band was in each phase, in order; the gap between the ranges must
 * be compressed to a marker; the PNG's notes must describe that layout.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "heatmap.h"
#include "heatmap_png.h"
#include "idle_pages_synth.h"

#define SEG_PAGES	1024
#define BASE_A		0x7f0000000000ull
#define BASE_B		(BASE_A + (512ull << 30))
#define PHASES		3
#define PHASE_ROUNDS	10
#define ROUNDS		(PHASES * PHASE_ROUNDS)
#define BAND		100
#define PLOT_W		404	/* 200 px per range plus the gap marker */
#define PLOT_H		(ROUNDS * 2)

/* Where the hot band is in each phase: range (0 = A, 1 = B), first page. */
static const struct { int seg; int first; } band[PHASES] = {
	{ 0, 100 }, { 0, 600 }, { 1, 300 },
};

static void make_recording(const char *path)
{
	struct rec_round rounds[ROUNDS] = { 0 };
	uint8_t acc[2][SEG_PAGES];

	for (int r = 0; r < ROUNDS; r++) {
		int ph = r / PHASE_ROUNDS;

		memset(acc, 0, sizeof(acc));
		memset(&acc[band[ph].seg][band[ph].first], 1, BAND);
		synth_append(&rounds[r], BASE_A, acc[0], SEG_PAGES);
		synth_append(&rounds[r], BASE_B, acc[1], SEG_PAGES);
	}
	CHECK_EQ_U64(synth_write(path, "phases", rounds, ROUNDS), 0);
	for (int r = 0; r < ROUNDS; r++)
		free(rounds[r].scan);
}

static void test_phases(void)
{
	char path[128], png[128], err[256] = "";
	struct heatmap_opts o = { PLOT_W, PLOT_H, 64ull << 20 };
	struct heatmap_geom g;
	struct scan_set s;
	struct canvas c;
	struct hm_png im = { 0 };
	const int seg_px = (PLOT_W - HEATMAP_GAP_PX) / 2;

	snprintf(path, sizeof(path), "/tmp/test_heatmap_%d.ipr", (int)getpid());
	snprintf(png, sizeof(png), "/tmp/test_heatmap_%d.png", (int)getpid());
	make_recording(path);
	CHECK_EQ_U64(scan_set_load(path, &s, err, sizeof(err)), 0);
	CHECK_EQ_U64(heatmap_render(&s, &o, &c, &g, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "  %s\n", err);
	CHECK_EQ_U64(canvas_write_png(&c, png, err, sizeof(err)), 0);
	canvas_free(&c);
	scan_set_free(&s);
	CHECK_EQ_U64(hm_png_read(png, &im, err, sizeof(err)), 0);
	if (!im.px) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	CHECK_EQ_U64(g.nsegs, 2);
	CHECK(im.w > g.x0 + g.w && im.h > g.y0 + g.h);

	/* the notes: plot area, both ranges with their columns, rounds */
	CHECK(im.x0 == g.x0 && im.y0 == g.y0 && im.pw == g.w && im.ph == g.h);
	CHECK_EQ_U64(im.nrounds, ROUNDS);
	CHECK_EQ_U64(im.nsegs, 2);
	if (im.nsegs == 2) {
		CHECK_EQ_U64(im.segs[0].start, BASE_A);
		CHECK_EQ_U64(im.segs[0].end, BASE_A + SEG_PAGES * 4096);
		CHECK(im.segs[0].x == 0 && im.segs[0].px == seg_px);
		CHECK_EQ_U64(im.segs[1].start, BASE_B);
		CHECK_EQ_U64(im.segs[1].end, BASE_B + SEG_PAGES * 4096);
		CHECK(im.segs[1].x == seg_px + HEATMAP_GAP_PX &&
		      im.segs[1].px == seg_px);
	}
	CHECK_EQ_U64(hm_column(&im, BASE_A - 4096), (uint64_t)-1);
	CHECK_EQ_U64(hm_row_of_round(&im, ROUNDS - 1), PLOT_H - 2);

	/* the 512 GiB gap is a marker of HEATMAP_GAP_PX columns */
	for (int x = 0; x < HEATMAP_GAP_PX; x++)
		CHECK_EQ_U64(hm_plot_pixel(&im, seg_px + x, 5),
			     HEATMAP_COLOUR_GAP);
	CHECK(hm_plot_pixel(&im, seg_px - 1, 5) != HEATMAP_COLOUR_GAP);

	for (int ph = 0; ph < PHASES; ph++) {
		/* expected columns of the band, from the layout by hand */
		int x_lo = band[ph].seg * (seg_px + HEATMAP_GAP_PX) +
			   band[ph].first * seg_px / SEG_PAGES;
		int x_hi = band[ph].seg * (seg_px + HEATMAP_GAP_PX) +
			   (band[ph].first + BAND) * seg_px / SEG_PAGES;
		int y_mid = (ph * PHASE_ROUNDS + PHASE_ROUNDS / 2) * PLOT_H / ROUNDS;
		int first = -1, last = -1, n = 0;
		uint64_t base = band[ph].seg ? BASE_B : BASE_A;

		/* the notes map the band's first page to its column */
		CHECK_EQ_U64(hm_column(&im, base + band[ph].first * 4096ull),
			     x_lo);

		/* the bright columns of the phase's middle row */
		for (int x = 0; x < g.w; x++)
			if (hm_bright(hm_plot_pixel(&im, x, y_mid))) {
				if (first < 0)
					first = x;
				last = x;
				n++;
			}
		CHECK(first >= x_lo - 1 && first <= x_lo + 1);
		CHECK(last >= x_hi - 2 && last <= x_hi);
		CHECK_EQ_U64(n, last - first + 1);	/* one band */

		/* the band's centre column is bright exactly in this phase */
		for (int y = 0; y < g.h; y++) {
			int in_phase = y * ROUNDS / PLOT_H / PHASE_ROUNDS == ph;
			int lit = hm_bright(hm_plot_pixel(&im, (x_lo + x_hi) / 2,
							  y));

			if (lit != in_phase) {
				fprintf(stderr, "  phase %d row %d lit %d\n",
					ph, y, lit);
				CHECK(lit == in_phase);
				break;
			}
		}
	}
	/* labels: ink in the margins left of and below the plot */
	{
		int ink = 0;

		for (int y = g.y0 + g.h + 2; y < im.h; y++)
			for (int x = 0; x < im.w; x++)
				ink += hm_pixel(&im, x, y) == 0;
		CHECK(ink > 100);
	}
	hm_png_free(&im);
	unlink(path);
	unlink(png);
}

/* With a small merge gap allowed, too many ranges for the width fail cleanly. */
static void test_too_narrow(void)
{
	char path[128], err[256] = "";
	struct heatmap_opts o = { 16, 16, 0 };
	struct heatmap_geom g;
	struct scan_set s;
	struct canvas c;
	struct rec_round r = { 0 };
	uint8_t acc[1] = { 1 };

	snprintf(path, sizeof(path), "/tmp/test_heatmap_n_%d.ipr", (int)getpid());
	for (int i = 0; i < 8; i++)
		synth_append(&r, BASE_A + (uint64_t)i * (1ull << 30), acc, 1);
	CHECK_EQ_U64(synth_write(path, "narrow", &r, 1), 0);
	CHECK_EQ_U64(scan_set_load(path, &s, err, sizeof(err)), 0);
	CHECK(heatmap_render(&s, &o, &c, &g, err, sizeof(err)) < 0);
	CHECK(strstr(err, "do not fit") != NULL);
	scan_set_free(&s);
	free(r.scan);
	unlink(path);
}

int main(void)
{
	RUN_TEST(test_phases);
	RUN_TEST(test_too_narrow);
	return TEST_SUMMARY();
}
