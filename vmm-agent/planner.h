/* SPDX-License-Identifier: MIT */
/*
 * planner.h - each interval, which units to promote to DRAM and which to
 * demote to PMEM, as one ordered sequence of moves.
 *
 * Rules, in this order:
 * 1. Over the limit (a VM started all in DRAM, or the limit was lowered):
 *    demote coldest first until DRAM fits.
 * 2. Hot units outside DRAM (the hot rule holds, rank at or above the
 *    histogram threshold) are promoted hottest first. When DRAM is full,
 *    room is made just before each promotion by demoting the coldest DRAM
 *    units: cold ones always, warm ones only if the candidate was
 *    accessed in at least `gap` more scans of the window (hysteresis: two
 *    pages of equal heat never trade places).
 * 3. Cold units still in DRAM are demoted; cold units on a node in
 *    neither tier go to PMEM.
 * Every move counts against the budget (rate limit x interval), so DRAM
 * never exceeds the limit after any prefix of the sequence, and the
 * sequence never moves more than the budget.
 */
#ifndef VMM_PLANNER_H
#define VMM_PLANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotness.h"

/* One interval moves at most this many pages whatever the rate allows. */
#define PLAN_MAX_PAGES	(1ull << 21)	/* 8 GiB */

enum move_dir { MOVE_PROMOTE, MOVE_DEMOTE };

/*
 * A move, and what became of it: the planner fills all but now, which
 * the mover sets (from the kernel's answer) and the agent then writes
 * into the hotness's placement (plan_record_moves).
 */
struct move_op {
	uint64_t idx;		/* first page of the unit */
	uint32_t npages;	/* 1 or 512 */
	uint8_t dir;		/* enum move_dir */
	uint8_t hist;		/* its history when planned */
	uint8_t from;		/* enum tier when planned */
	uint8_t now;		/* enum tier after the move; from if not moved */
	uint64_t hva;		/* the unit's address in the QEMU process */
};

struct plan_params {
	const struct hot_rules *rules;
	uint64_t limit_pages;
	uint64_t budget_pages;	/* rate limit x interval, in pages */
	bool skip_huge;		/* huge_pages: "skip" */
	bool no_promote;	/* DRAM use not known yet: demotions only */
};

struct plan {
	struct move_op *ops;
	size_t nr_ops;
	/* what the interval found */
	uint64_t dram_pages;	/* in DRAM before the plan */
	uint64_t tier_pages[TIER_NR];
	uint64_t hot_pages, cold_pages;	/* cold: present and known */
	unsigned int threshold_rank;
	unsigned int threshold_hits;	/* the threshold in window hits */
	/* what the plan does */
	uint64_t promote_pages, demote_pages;
	uint64_t dram_pages_after;
	uint64_t hot_left_out;		/* hot pages left outside DRAM */
};

/* 0, or -1 when out of memory. The plan owns ops: plan_free it. */
int plan_make(const struct hotness *h, const struct plan_params *pp,
	      struct plan *out);
void plan_free(struct plan *p);

/* Each op's hva and from (and now = from) from h: plan_make's last step. */
void plan_address(struct plan *p, const struct hotness *h);

/* Where the moves left the units (each op's now), into h's placement. */
void plan_record_moves(const struct plan *p, struct hotness *h);

uint64_t plan_budget_pages(unsigned int rate_mb_s, unsigned int interval_ms);

#endif /* VMM_PLANNER_H */
