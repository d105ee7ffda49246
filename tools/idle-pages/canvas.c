/* SPDX-License-Identifier: MIT */
/*
 * canvas.c - raster drawing and PNG output.
 */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "font5x7.h"

int canvas_init(struct canvas *c, int w, int h, uint32_t bg)
{
	memset(c, 0, sizeof(*c));
	c->w = w;
	c->h = h;
	c->px = malloc((size_t)w * h * 3);
	if (!c->px)
		return -1;
	canvas_fill(c, 0, 0, w, h, bg);
	return 0;
}

void canvas_free(struct canvas *c)
{
	free(c->px);
	c->px = NULL;
	for (int i = 0; i < c->nnotes; i++) {
		free(c->note_key[i]);
		free(c->note_text[i]);
	}
	c->nnotes = 0;
}

int canvas_note(struct canvas *c, const char *key, const char *text)
{
	size_t klen = strlen(key);

	if (c->nnotes == CANVAS_MAX_NOTES || !klen || klen > 79)
		return -1;
	c->note_key[c->nnotes] = strdup(key);
	c->note_text[c->nnotes] = strdup(text);
	if (!c->note_key[c->nnotes] || !c->note_text[c->nnotes]) {
		free(c->note_key[c->nnotes]);
		free(c->note_text[c->nnotes]);
		return -1;
	}
	c->nnotes++;
	return 0;
}

void canvas_set(struct canvas *c, int x, int y, uint32_t rgb)
{
	uint8_t *p;

	if (x < 0 || y < 0 || x >= c->w || y >= c->h)
		return;
	p = c->px + ((size_t)y * c->w + x) * 3;
	p[0] = (uint8_t)(rgb >> 16);
	p[1] = (uint8_t)(rgb >> 8);
	p[2] = (uint8_t)rgb;
}

void canvas_fill(struct canvas *c, int x, int y, int w, int h, uint32_t rgb)
{
	for (int j = y; j < y + h; j++)
		for (int i = x; i < x + w; i++)
			canvas_set(c, i, j, rgb);
}

int canvas_text_width(const char *s)
{
	int n = (int)strlen(s);

	return n ? n * FONT_ADVANCE - 1 : 0;
}

int canvas_text(struct canvas *c, int x, int y, const char *s, uint32_t rgb)
{
	for (int k = 0; s[k]; k++) {
		const uint8_t *g = font5x7_glyph(s[k]);

		for (int row = 0; row < FONT_H; row++)
			for (int col = 0; col < FONT_W; col++)
				if (g[row] & (0x10 >> col))
					canvas_set(c, x + k * FONT_ADVANCE + col,
						   y + row, rgb);
	}
	return canvas_text_width(s);
}

int canvas_write_png(const struct canvas *c, const char *path, char *err,
		     size_t errlen)
{
	png_structp png = NULL;
	png_infop info = NULL;
	FILE *f = fopen(path, "wb");

	if (!f) {
		snprintf(err, errlen, "cannot create %s: %s", path,
			 strerror(errno));
		return -1;
	}
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (png)
		info = png_create_info_struct(png);
	if (!png || !info || setjmp(png_jmpbuf(png))) {
		snprintf(err, errlen, "libpng failed writing %s", path);
		png_destroy_write_struct(&png, &info);
		fclose(f);
		return -1;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)c->w, (png_uint_32)c->h, 8,
		     PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (c->nnotes) {
		png_text text[CANVAS_MAX_NOTES];

		memset(text, 0, sizeof(text));
		for (int i = 0; i < c->nnotes; i++) {
			text[i].compression = PNG_TEXT_COMPRESSION_NONE;
			text[i].key = c->note_key[i];
			text[i].text = c->note_text[i];
			text[i].text_length = strlen(c->note_text[i]);
		}
		png_set_text(png, info, text, c->nnotes);
	}
	png_write_info(png, info);
	for (int y = 0; y < c->h; y++)
		png_write_row(png, c->px + (size_t)y * c->w * 3);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	if (fclose(f)) {
		snprintf(err, errlen, "writing %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
