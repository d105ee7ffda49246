// SPDX-License-Identifier: MIT
/* touch_steps.c - the steps of pattern=touch. */
#include "touch_steps.h"
#include "io.h"
#include "print.h"
#include "rtc.h"
#include "status.h"
#include "tg_abi.h"
#include "touch_set.h"

/*
 * Reads one byte of every page the guest owns for itself, so that "pages
 * touched in a step" is exactly the set plus these, whatever code and data
 * the step happened to use.
 */
static void self_touch(const struct tg_self_pages *self)
{
	for (uint32_t r = 0; r < self->n; r++)
		for (uint32_t a = self->first[r]; a < self->end[r];
		     a += TG_PAGE_SIZE)
			(void)*(volatile uint8_t *)a;
}

static void end_step(uint32_t step, uint32_t pages, uint32_t writes,
		     const struct tg_self_pages *self)
{
	tg_st.passes++;
	tg_puts("TG step ");
	tg_putu(step);
	tg_puts(" pages=");
	tg_putu(pages);
	tg_puts(" writes=");
	tg_putu(writes);
	tg_nl();
	self_touch(self);
	outl(TG_PORT_STEP, step);
}

void tg_run_touch(struct tg_area *area, const struct tg_config *cfg,
		  const struct tg_self_pages *self)
{
	struct tg_touch_iter it;
	struct tg_bad bad;
	uint32_t idx, pages = 0;

	clock_start(0);
	tg_touch_begin_step(cfg, 1, &it);
	while (tg_touch_next(cfg, &it, &idx)) {
		tg_page_write(area, idx, 1);
		pages++;
	}
	tg_st.writes += pages;
	end_step(1, pages, pages, self);

	for (uint32_t step = 2; !cfg->passes || step <= cfg->passes; step++) {
		uint32_t writes = 0;

		pages = 0;
		tg_touch_begin_step(cfg, step, &it);
		while (tg_touch_next(cfg, &it, &idx)) {
			if (tg_touch_is_write(cfg, step, idx)) {
				if (tg_page_bump(area, idx, &bad))
					tg_note_bad(&bad);
				writes++;
			} else {
				if (tg_page_verify(area, idx, &bad))
					tg_note_bad(&bad);
			}
			pages++;
		}
		tg_st.writes += writes;
		tg_st.reads += pages - writes;
		end_step(step, pages, writes, self);
		if (cfg->secs && clock_elapsed() >= cfg->secs)
			break;
	}
}
