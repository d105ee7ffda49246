/* SPDX-License-Identifier: MIT */
/*
 * dram_share.h - how a host's DRAM budget is shared among its tiered
 * domains (issue 16's host mode): each domain's DRAM target for the next
 * interval, from its guarantee, cap, weight and demand (its hot set).
 *
 * The rule, in pages:
 * 1. Each domain first gets its floor: min(guarantee, cap, demand). A
 *    guarantee a domain does not use (demand below it) is lent to the
 *    others for this interval; it comes back as soon as the demand does.
 * 2. What is left of the budget is shared by weight (weighted max-min
 *    fairness, "water filling"): every domain below its ceiling,
 *    min(cap, demand), gets weight x L more pages, for the one level L
 *    at which the budget is used up or every domain is at its ceiling.
 *    Rounding leaves at most a page per domain, given out in domain
 *    order.
 * 3. If the floors alone exceed the budget (guarantees that a host
 *    policy should not have allowed, or a budget that shrank), each
 *    domain gets its floor scaled by budget / sum of floors.
 * The targets never add up to more than the budget, and no target is
 * above its domain's ceiling.
 */
#ifndef VMM_DRAM_SHARE_H
#define VMM_DRAM_SHARE_H

#include <stddef.h>
#include <stdint.h>

struct share_req {
	uint64_t guarantee;	/* pages */
	uint64_t cap;		/* pages; UINT64_MAX: none */
	uint64_t demand;	/* pages: the domain's hot set */
	unsigned int weight;	/* >= 1 */
};

/* target[i] for each of the n domains of r, in pages. */
void dram_share(uint64_t budget, const struct share_req *r, size_t n,
		uint64_t *target);

#endif /* VMM_DRAM_SHARE_H */
