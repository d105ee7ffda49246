// SPDX-License-Identifier: MIT
/* status.c - counters, report lines and the way out. */
#include "status.h"
#include "io.h"
#include "print.h"
#include "tg_abi.h"
#include "touch_set.h"

#define MAX_BAD_LINES 5

struct tg_status tg_st;

static void record(const struct tg_bad *bad)
{
	if (!tg_st.errors++)
		tg_st.first_bad = bad->gpa;
}

static void print_bad(const char *what, const struct tg_bad *bad)
{
	tg_puts(what);
	tg_puts(" gpa=");
	tg_putx(bad->gpa);
	tg_puts(" expected=");
	tg_putx(bad->expected);
	tg_puts(" got=");
	tg_putx(bad->got);
}

void tg_note_bad(const struct tg_bad *bad)
{
	record(bad);
	if (tg_st.lines < MAX_BAD_LINES) {
		tg_st.lines++;
		print_bad("TG bad", bad);
		tg_nl();
	}
}

void tg_verify_owned(struct tg_area *area, const struct tg_config *cfg)
{
	struct tg_bad bad, first = { 0, 0, 0 };
	uint32_t pages = 0, nbad = 0, idx;

	if (cfg->pattern == TG_PATTERN_TOUCH) {
		struct tg_touch_iter it;

		tg_touch_begin(&it);
		while (tg_touch_next(cfg, &it, &idx)) {
			pages++;
			if (tg_page_verify(area, idx, &bad) && !nbad++)
				first = bad;
		}
	} else {
		for (idx = 0; idx < area->npages; idx++) {
			pages++;
			if (tg_page_verify(area, idx, &bad) && !nbad++)
				first = bad;
		}
	}
	if (!nbad) {
		tg_puts("TG verify ok pages=");
		tg_putu(pages);
		tg_nl();
		return;
	}
	if (!tg_st.errors)
		tg_st.first_bad = first.gpa;
	tg_st.errors += nbad;
	print_bad("TG verify FAIL", &first);
	tg_puts(" bad=");
	tg_putu(nbad);
	tg_puts(" pages=");
	tg_putu(pages);
	tg_nl();
}

void tg_print_stats(uint32_t t, uint32_t phase)
{
	tg_puts("TG stats t=");
	tg_putu(t);
	if (phase) {
		tg_puts(" phase=");
		tg_putu(phase);
	}
	tg_puts(" pass=");
	tg_putu(tg_st.passes);
	tg_puts(" reads=");
	tg_putu(tg_st.reads);
	tg_puts(" writes=");
	tg_putu(tg_st.writes);
	tg_puts(" errors=");
	tg_putu(tg_st.errors);
	tg_nl();
}

void tg_done(void)
{
	/* Repeated: a serial console under TCG may drop characters. */
	for (int i = 0; i < 3; i++) {
		tg_puts("TG done errors=");
		tg_putu(tg_st.errors);
		if (tg_st.errors) {
			tg_puts(" first_bad=");
			tg_putx(tg_st.first_bad);
		}
		tg_nl();
	}
	tg_exit(tg_st.errors ? TG_EXIT_INTEGRITY : TG_EXIT_OK);
}

void tg_exit(uint32_t v)
{
	outb(TG_PORT_EXIT, (uint8_t)v);
	for (;;)
		__asm__ volatile("cli; hlt");
}
