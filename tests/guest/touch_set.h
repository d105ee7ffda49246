/* SPDX-License-Identifier: MIT */
/*
 * touch_set.h - the page set of pattern=touch (touch= ranges, then the
 * stride= count= points not already in a range; each page once), the
 * subset later steps touch (touch2=) and which of its pages a step writes. Shared by the guest, which touches them, and
 * tg-launch, which reports them.
 */
#ifndef TG_TOUCH_SET_H
#define TG_TOUCH_SET_H

#include <stdint.h>
#include "config.h"

struct tg_touch_iter {
	uint32_t range;		/* index into cfg->ranges, then nranges */
	uint32_t next;		/* next page of that range, or stride point */
	uint32_t second;	/* walking touch2= (cfg->ranges2) instead */
};

/* The whole set: what step 1 touches (and maps) and verify passes check. */
void tg_touch_begin(struct tg_touch_iter *it);

/* The pages step touches: the whole set for steps 0 and 1, touch2= for
 * later steps when it is given (a subset of the set, maybe empty). */
void tg_touch_begin_step(const struct tg_config *cfg, uint32_t step,
			 struct tg_touch_iter *it);

/* Stores the next page index (relative to base); 0 at the end, else 1. */
int tg_touch_next(const struct tg_config *cfg, struct tg_touch_iter *it,
		  uint32_t *page);

/* Step 1 writes every page (it sets their contents); later steps write a
 * page when a hash of (seed, step, page) falls under write=. */
int tg_touch_is_write(const struct tg_config *cfg, uint32_t step,
		      uint32_t page);

#endif /* TG_TOUCH_SET_H */
