/* SPDX-License-Identifier: MIT */
/*
 * patterns.h - which page the next access goes to, for the uniform, zipf,
 * seq and phases patterns. The hot set is a window [first, first+n) of
 * the working area; everything else is cold. Freestanding.
 */
#ifndef TG_PATTERNS_H
#define TG_PATTERNS_H

#include <stdint.h>
#include "config.h"
#include "tg_hash.h"

struct tg_picker {
	enum tg_pattern pattern;
	uint32_t first;		/* hot window, page indices */
	uint32_t n;
	uint32_t seq_next;	/* seq: next offset in the window */
	uint32_t octaves;	/* zipf: bit length of n */
	uint32_t scatter;	/* zipf: multiplier that spreads ranks */
	struct tg_rng rng;
};

/* The hot window of phase p (1-based): windows of `hot` pages side by side,
 * phase p uses window (p-1) mod (area / hot). Pages left over are cold. */
void tg_phase_window(const struct tg_config *cfg, uint32_t phase,
		     uint32_t *first, uint32_t *n);

void tg_picker_init(struct tg_picker *pk, enum tg_pattern pattern,
		    uint32_t first, uint32_t n, uint32_t seed);

/* Page index of the next access (within the window). */
uint32_t tg_picker_next(struct tg_picker *pk);

/* Zipf rank (1..n) -> offset in the window: a bijection that scatters the
 * hottest ranks over the window instead of packing them at its start. */
uint32_t tg_zipf_offset(const struct tg_picker *pk, uint32_t rank);

#endif /* TG_PATTERNS_H */
