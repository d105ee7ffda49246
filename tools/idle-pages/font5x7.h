/* SPDX-License-Identifier: MIT */
/*
 * font5x7.h - a tiny built-in bitmap font for the heatmap's labels:
 * printable ASCII, 5x7 pixels, a 6-pixel advance.
 */
#ifndef FONT5X7_H
#define FONT5X7_H

#include <stdint.h>

#define FONT_W		5
#define FONT_H		7
#define FONT_ADVANCE	6

/* 7 rows, bit 4 = leftmost column. */
const uint8_t *font5x7_glyph(char c);

#endif /* FONT5X7_H */
