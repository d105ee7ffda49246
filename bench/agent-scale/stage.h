/* SPDX-License-Identifier: MIT */
/*
 * stage.h - the time of one agent_interval() by stage, without a
 * hook in the agent: the stages are told apart by what the agent calls
 * at their borders.
 *
 *   scan    from the call of agent_interval() to the return of its scan
 *           function (the driver's wrapper of agent_scan_idle_pages)
 *   locate  to the first heap allocation after it, plan_make()'s
 *           first (locate allocates nothing)
 *   plan    to the mover's first clock reading (mover_execute()'s first
 *           statement)
 *   move    to the return of agent_interval()
 *
 * A placement query after the plan began would mean the borders moved:
 * it is counted (stage_order_errors) and the driver refuses the figures.
 * Times are clock.h's; the faked kernel calls measure their own
 * (stage_fake_begin/end), which is taken off the stage they ran in, and
 * the measured cost of the real calls is added instead.
 */
#ifndef AGENT_SCALE_STAGE_H
#define AGENT_SCALE_STAGE_H

#include <stdbool.h>
#include <stdint.h>

enum stage { ST_SCAN, ST_LOCATE, ST_PLAN, ST_MOVE, ST_NR };

struct stage_times {
	uint64_t cpu[ST_NR];	/* ns, the faked calls' time taken off */
	uint64_t fake[ST_NR];	/* ns in the faked calls */
};

void stage_begin(void);		/* agent_interval() is called next */
void stage_enter(enum stage s);	/* s begins now; only ever forwards */
void stage_end(struct stage_times *out);	/* agent_interval() returned */
bool stage_active(void);
enum stage stage_current(void);

/* Around each faked kernel call. */
void stage_fake_begin(void);
void stage_fake_end(void);
uint64_t stage_fake_total(void);	/* ns, in intervals or not */

/* A locate call while not locating: the stage borders are not where
 * stage.h says. */
void stage_locate_call(void);
unsigned int stage_order_errors(void);

#endif /* AGENT_SCALE_STAGE_H */
