/* SPDX-License-Identifier: MIT */
/*
 * stage.c - an interval's time by stage (see stage.h). One thread:
 * the agent's pipeline runs on the driver's thread.
 */
#include "clock.h"
#include "stage.h"

static struct {
	bool active;
	enum stage cur;
	uint64_t mark[ST_NR + 1];	/* time at each stage's start */
	uint64_t fake[ST_NR];
	uint64_t fake_start, fake_total;
	unsigned int order_errors;
} sc;

void stage_begin(void)
{
	sc.active = true;
	sc.cur = ST_SCAN;
	for (int s = 0; s < ST_NR; s++)
		sc.fake[s] = 0;
	sc.mark[ST_SCAN] = run_ns();
}

void stage_enter(enum stage s)
{
	uint64_t now;

	if (!sc.active || s <= sc.cur)
		return;
	now = run_ns();
	/* a stage skipped (no allocation, no move) lasted nothing */
	while (sc.cur < s)
		sc.mark[++sc.cur] = now;
}

void stage_end(struct stage_times *out)
{
	uint64_t now = run_ns();

	while (sc.cur < ST_NR - 1)
		sc.mark[++sc.cur] = now;
	sc.mark[ST_NR] = now;
	sc.active = false;
	for (int s = 0; s < ST_NR; s++) {
		uint64_t all = sc.mark[s + 1] - sc.mark[s];

		out->fake[s] = sc.fake[s];
		out->cpu[s] = all > sc.fake[s] ? all - sc.fake[s] : 0;
	}
}

bool stage_active(void)
{
	return sc.active;
}

enum stage stage_current(void)
{
	return sc.cur;
}

void stage_fake_begin(void)
{
	sc.fake_start = run_ns();
}

void stage_fake_end(void)
{
	uint64_t d = run_ns() - sc.fake_start;

	sc.fake_total += d;
	if (sc.active)
		sc.fake[sc.cur] += d;
}

uint64_t stage_fake_total(void)
{
	return sc.fake_total;
}

void stage_locate_call(void)
{
	if (sc.active && sc.cur != ST_LOCATE)
		sc.order_errors++;
}

unsigned int stage_order_errors(void)
{
	return sc.order_errors;
}
