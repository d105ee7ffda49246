/* SPDX-License-Identifier: MIT */
/*
 * walk_cost.h - the module's side of a scan, per page, on this machine:
 * the walker core (kvm-module/core) natively in user space, as in
 * benchmark 1, on synthetic NPT tables of a guest with the pattern's
 * accessed bits set, in the module's chunks and with its encoder. Not
 * included (as in benchmark 1): mmu_lock, copy_to_user, and the kernel's
 * hook per accessed page.
 *
 * It also checks that the fake module's stream of that guest is the
 * walker's, byte for byte.
 */
#ifndef AGENT_SCALE_WALK_COST_H
#define AGENT_SCALE_WALK_COST_H

#include <stddef.h>
#include <stdint.h>

#include "pattern.h"

struct walk_cost {
	uint64_t guest_bytes;		/* of the synthetic tables */
	uint64_t table_bytes;
	double ns_per_page[2];		/* a quiet scan, a warm scan: best */
	uint64_t stream_bytes[2];	/* of a whole scan */
	uint64_t accessed[2];		/* pages found accessed */
	unsigned int flags;		/* PTW_* scan flags */
	int reps;
};

/*
 * Scans with flags (PTW_SKIM, PTW_HUGE_ONLY: the mode the agent scans
 * the pattern in, once it knows the target). 0, or -1 with err (a
 * stream that differs is an error).
 */
int walk_cost_measure(const struct pattern *p, uint64_t guest_bytes,
		      uint64_t hva_base, unsigned int flags, int reps,
		      struct walk_cost *out, char *err, size_t errlen);

/* Keeps in best the lower time of each scan (first: w is the first). */
void walk_cost_keep_best(struct walk_cost *best, const struct walk_cost *w,
			 bool first);

#endif /* AGENT_SCALE_WALK_COST_H */
