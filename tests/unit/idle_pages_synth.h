/* SPDX-License-Identifier: MIT */
/*
 * idle_pages_synth.h - builds synthetic scan rounds and recordings for
 * the tool's tests: record streams from per-page accessed flags.
 */
#ifndef IDLE_PAGES_SYNTH_H
#define IDLE_PAGES_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "recording.h"

/*
 * Appends to r->scan a SET_HVA to base and 4 KiB records for npages
 * pages, accessed where accessed[i] is non-zero.
 */
void synth_append(struct rec_round *r, uint64_t base,
		  const uint8_t *accessed, uint64_t npages);

/* Writes a recording of n rounds (1 s apart) to path; 0 or -1. */
int synth_write(const char *path, const char *target,
		const struct rec_round *rounds, size_t n);

#endif /* IDLE_PAGES_SYNTH_H */
