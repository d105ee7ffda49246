/* SPDX-License-Identifier: MIT */
/*
 * heatmap_png.h - reads an `idle-pages heatmap` PNG back (libpng): its
 * pixels and the text notes that say where the plot is and which
 * addresses and rounds its columns and rows show (heatmap.h). Shared by
 * the heatmap's unit test and the lab's check of a real heatmap
 * (heatmap_check.c); header-only, link -lpng, include paths of the tool
 * (tools/idle-pages, lib, include).
 */
#ifndef HEATMAP_PNG_H
#define HEATMAP_PNG_H

#include <inttypes.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heatmap.h"	/* the notes' names */

struct hm_seg {
	uint64_t start, end;	/* HVAs [start, end) */
	int x, px;		/* plot columns [x, x + px) */
};

struct hm_png {
	int w, h;
	uint8_t *px;		/* RGB, row-major */
	int x0, y0, pw, ph;	/* the plot area */
	size_t nrounds;
	struct hm_seg *segs;
	size_t nsegs;
};

static inline void hm_png_free(struct hm_png *im)
{
	free(im->px);
	free(im->segs);
	memset(im, 0, sizeof(*im));
}

static inline int hm_parse_notes(struct hm_png *im, png_textp text, int n,
				 char *err, size_t errlen)
{
	const char *plot = NULL, *segs = NULL, *rounds = NULL;

	for (int i = 0; i < n; i++) {
		if (!strcmp(text[i].key, HEATMAP_NOTE_PLOT))
			plot = text[i].text;
		else if (!strcmp(text[i].key, HEATMAP_NOTE_SEGMENTS))
			segs = text[i].text;
		else if (!strcmp(text[i].key, HEATMAP_NOTE_ROUNDS))
			rounds = text[i].text;
	}
	if (!plot || !segs || !rounds) {
		snprintf(err, errlen, "no idle-pages notes in the PNG (not an idle-pages heatmap?)");
		return -1;
	}
	if (sscanf(plot, "%d %d %d %d", &im->x0, &im->y0, &im->pw,
		   &im->ph) != 4 || sscanf(rounds, "%zu", &im->nrounds) != 1) {
		snprintf(err, errlen, "malformed plot or rounds note");
		return -1;
	}
	for (const char *p = segs; *p; p = strchr(p, '\n') + 1) {
		struct hm_seg s;
		void *grown;

		if (sscanf(p, "%" SCNx64 " %" SCNx64 " %d %d", &s.start, &s.end,
			   &s.x, &s.px) != 4 || !strchr(p, '\n')) {
			snprintf(err, errlen, "malformed segment note line '%.40s'", p);
			return -1;
		}
		grown = realloc(im->segs, (im->nsegs + 1) * sizeof(s));
		if (!grown) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		im->segs = grown;
		im->segs[im->nsegs++] = s;
	}
	return 0;
}

/* Reads @path as 8-bit RGB with its notes. 0, or -1 with a reason. */
static inline int hm_png_read(const char *path, struct hm_png *im, char *err,
			      size_t errlen)
{
	png_structp png;
	png_infop info = NULL;
	png_bytep *volatile rows = NULL;	/* set after setjmp */
	png_textp text;
	FILE *f = fopen(path, "rb");
	int n = 0, ret = -1;

	memset(im, 0, sizeof(*im));
	if (!f) {
		snprintf(err, errlen, "cannot open %s", path);
		return -1;
	}
	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (png)
		info = png_create_info_struct(png);
	if (!png || !info || setjmp(png_jmpbuf(png))) {
		snprintf(err, errlen, "libpng cannot read %s", path);
		goto out;
	}
	png_init_io(png, f);
	png_read_info(png, info);
	png_set_expand(png);
	png_set_strip_16(png);
	png_set_strip_alpha(png);
	png_set_gray_to_rgb(png);
	png_read_update_info(png, info);
	im->w = (int)png_get_image_width(png, info);
	im->h = (int)png_get_image_height(png, info);
	im->px = malloc((size_t)im->w * im->h * 3);
	rows = malloc(im->h * sizeof(*rows));
	if (!im->px || !rows) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (int y = 0; y < im->h; y++)
		rows[y] = im->px + (size_t)y * im->w * 3;
	png_read_image(png, rows);
	png_read_end(png, info);
	png_get_text(png, info, &text, &n);
	ret = hm_parse_notes(im, text, n, err, errlen);
out:
	png_destroy_read_struct(&png, &info, NULL);
	free(rows);
	fclose(f);
	if (ret)
		hm_png_free(im);
	return ret;
}

/* The colour of pixel (x, y) of the image, as 0xRRGGBB. */
static inline uint32_t hm_pixel(const struct hm_png *im, int x, int y)
{
	const uint8_t *p = im->px + ((size_t)y * im->w + x) * 3;

	return (uint32_t)p[0] << 16 | p[1] << 8 | p[2];
}

/* The same for pixel (x, y) of the plot area. */
static inline uint32_t hm_plot_pixel(const struct hm_png *im, int x, int y)
{
	return hm_pixel(im, im->x0 + x, im->y0 + y);
}

/* Bright: the top of the colour ramp, far above any idle or grey cell. */
static inline int hm_bright(uint32_t rgb)
{
	return ((rgb >> 16) & 255) + ((rgb >> 8) & 255) + (rgb & 255) > 600;
}

/* The plot column that shows @hva, or -1 if no segment holds it. */
static inline int hm_column(const struct hm_png *im, uint64_t hva)
{
	for (size_t i = 0; i < im->nsegs; i++) {
		const struct hm_seg *s = &im->segs[i];
		uint64_t pages = (s->end - s->start) / 4096, off;
		int k;

		if (hva < s->start || hva >= s->end)
			continue;
		off = (hva - s->start) / 4096;
		/* the last column whose first page is at or before off */
		k = (int)(off * s->px / pages);
		while (k + 1 < s->px && pages * (k + 1) / s->px <= off)
			k++;
		while (k > 0 && pages * k / s->px > off)
			k--;
		return s->x + k;
	}
	return -1;
}

/* The first plot row that shows round @r (needs ph >= nrounds). */
static inline int hm_row_of_round(const struct hm_png *im, size_t r)
{
	return (int)((r * im->ph + im->nrounds - 1) / im->nrounds);
}

#endif /* HEATMAP_PNG_H */
