/* SPDX-License-Identifier: MIT */
/*
 * canvas.h - an RGB raster with rectangles and 5x7 text, saved as PNG
 * (libpng) with optional text notes (tEXt chunks) that describe it to
 * programs. Colours are 0xRRGGBB.
 */
#ifndef CANVAS_H
#define CANVAS_H

#include <stddef.h>
#include <stdint.h>

#define CANVAS_MAX_NOTES	8

struct canvas {
	int w, h;
	uint8_t *px;	/* w * h * 3 bytes, row-major */
	char *note_key[CANVAS_MAX_NOTES], *note_text[CANVAS_MAX_NOTES];
	int nnotes;
};

int canvas_init(struct canvas *c, int w, int h, uint32_t bg);
void canvas_free(struct canvas *c);
void canvas_fill(struct canvas *c, int x, int y, int w, int h, uint32_t rgb);
void canvas_set(struct canvas *c, int x, int y, uint32_t rgb);
/* Draws s with its top-left corner at (x, y); returns its width. */
int canvas_text(struct canvas *c, int x, int y, const char *s, uint32_t rgb);
int canvas_text_width(const char *s);
/*
 * Adds a tEXt note (key: 1-79 Latin-1 characters) written with the PNG;
 * the canvas owns a copy. -1 if out of room or memory.
 */
int canvas_note(struct canvas *c, const char *key, const char *text);
int canvas_write_png(const struct canvas *c, const char *path, char *err,
		     size_t errlen);

#endif /* CANVAS_H */
