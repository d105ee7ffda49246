/* SPDX-License-Identifier: MIT */
/*
 * fake_numa.h - the kernel below the agent's mover (struct mover_ops):
 * move_pages(2) queries and moves against one bit per guest page (DRAM
 * node 0 or PMEM node 1), whether a 2 MiB block is a host huge page (the
 * pattern says), and a clock that only the mover's pacing advances, so
 * nothing sleeps. Calls are counted; move_pages measures its own time
 * (stage.h), since the real call's cost replaces it.
 */
#ifndef AGENT_SCALE_FAKE_NUMA_H
#define AGENT_SCALE_FAKE_NUMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mover.h"
#include "pattern.h"

#define FAKE_DRAM_NODE	0
#define FAKE_PMEM_NODE	1
/*
 * Frames: one memory block of FAKE_BLOCK_PAGES a node (fake_numa_sysfs
 * writes the tree), node 0's the first from FAKE_BLOCK_PAGES on. A page's
 * frame is its index in its node's block, swapped with its neighbour's
 * unless the host backs it by a huge page (512 in a row then).
 */
#define FAKE_BLOCK_PAGES	(1ull << 34)	/* 64 TiB */

struct fake_numa_counts {
	uint64_t query_calls, query_addrs;	/* move_pages, no nodes */
	uint64_t move_calls, move_addrs, moved_pages;
	uint64_t host_huge_calls;
	uint64_t pagemap_reads, pagemap_entries;
};

struct fake_numa {
	const struct pattern *pat;
	uint64_t base, pages;
	uint64_t *dram;		/* 1 bit a page, mmap()ed: not the agent's heap */
	size_t dram_bytes;
	uint64_t clock_ns;
	struct fake_numa_counts n;
	struct mover_ops ops;
};

int fake_numa_init(struct fake_numa *f, const struct pattern *p,
		   uint64_t base, uint64_t pages);
void fake_numa_fini(struct fake_numa *f);

/* converged: the hot units in DRAM, the rest on PMEM; else all on PMEM. */
void fake_numa_place(struct fake_numa *f, bool converged);
uint64_t fake_numa_dram_pages(const struct fake_numa *f);

/* Writes sysfs's memory blocks of the two nodes under root. 0 or -1. */
int fake_numa_sysfs(const char *root);

#endif /* AGENT_SCALE_FAKE_NUMA_H */
