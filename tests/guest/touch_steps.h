/* SPDX-License-Identifier: MIT */
/*
 * touch_steps.h - precise mode (pattern=touch): each step touches exactly
 * the configured page set plus the guest's own pages, then writes the step
 * number to TG_PORT_STEP, so a host can compare a page-table scan with
 * that set.
 */
#ifndef TG_TOUCH_STEPS_H
#define TG_TOUCH_STEPS_H

#include <stdint.h>
#include "config.h"
#include "integrity.h"

#define TG_MAX_SELF_RANGES 3

/* The guest's own pages, [first, end) GPAs, page aligned. */
struct tg_self_pages {
	uint32_t n;
	uint32_t first[TG_MAX_SELF_RANGES];
	uint32_t end[TG_MAX_SELF_RANGES];
};

/* Step 1 writes every page of the set; steps 2..passes (0 = forever) read
 * or write each page of theirs (the set, or touch2=) once, as
 * tg_touch_is_write() says. */
void tg_run_touch(struct tg_area *area, const struct tg_config *cfg,
		  const struct tg_self_pages *self);

#endif /* TG_TOUCH_STEPS_H */
