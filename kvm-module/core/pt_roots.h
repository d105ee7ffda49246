/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * pt_roots.h - every page-table root of a VM over one address range:
 * each root walked with its own number of levels, the results merged
 * page by page (the strongest state wins, see ptw_runs_merge()).
 *
 * A VM's vCPUs can have roots of different levels: 4- or 5-level EPT
 * follows each vCPU's guest MAXPHYADDR (kvm_mmu_get_tdp_level() in
 * arch/x86/kvm/mmu/mmu.c). A root walked with the wrong level reads
 * guest data as page tables, so a root is only ever walked with the
 * level it was added with, and a root seen with two levels is refused.
 */
#ifndef PT_ROOTS_H
#define PT_ROOTS_H

#include "pt_walk.h"

/* Roots per VM we follow: every vCPU's current and cached ones. */
#define PTW_MAX_ROOTS	64

struct ptw_root {
	u64 pa;			/* physical address of the top table */
	int levels;		/* 4 or 5 */
};

struct ptw_roots {
	struct ptw_root root[PTW_MAX_ROOTS];
	unsigned int nr;
};

/*
 * Adds a root; one added again with the same level is kept once.
 * Returns 0, -EINVAL if @levels is neither 4 nor 5 or the root is
 * already there with another level (a root's level is part of its KVM
 * role, so the caller misread one of them), -ENOSPC if the set is full.
 */
int ptw_roots_add(struct ptw_roots *rs, u64 pa, int levels);

/* Run lists of one multi-root walk; each holds as many runs as pages. */
struct ptw_roots_bufs {
	struct ptw_runs out;	/* the merged result */
	struct ptw_runs one;	/* one root's runs */
	struct ptw_runs tmp;	/* merge scratch: room for out + one */
};

/*
 * Walk [start, end) of every root of @rs (ptw_walk() for each, then a
 * merge into @b->out) with @flags. The statistics count the pages of
 * the first root (every root maps the same range) and the accessed
 * pages and cleared bits of all. Returns the address reached: @end, or
 * less if a run list filled up (later roots are walked only as far as
 * the first got). An empty set yields one hole over the range. A root
 * the core cannot walk stops the walk where it is: a return of @start
 * for a non-empty range means no progress, an error for the caller.
 */
u64 ptw_walk_roots(const struct ptw_roots *rs, enum ptw_backend be,
		   u64 start, u64 end, unsigned int flags,
		   struct ptw_roots_bufs *b, struct ptw_stats *st,
		   void *env_ctx);

#endif /* PT_ROOTS_H */
