/* SPDX-License-Identifier: MIT */
/*
 * frame_nodes.h - which NUMA node a page frame (PFN) is on, from sysfs:
 * memory is onlined in blocks of block_size_bytes, and each block is
 * linked under its node (/sys/devices/system/node/nodeN/memoryM covers
 * PFNs [M * block, (M + 1) * block)). With /proc/PID/pagemap (PFN of a
 * virtual page) it tells where a page sits without a move_pages query.
 *
 * Memory plugged in later (a PMEM or CXL node onlined at run time) is in
 * no block of the table: frame_node() says -1 and the caller reloads.
 */
#ifndef VMM_FRAME_NODES_H
#define VMM_FRAME_NODES_H

#include <stddef.h>
#include <stdint.h>

/* Blocks beyond this are not tracked (64 TiB of 128 MiB blocks: 1 MiB). */
#define FRAME_NODES_MAX_BLOCKS	(1u << 19)

struct frame_nodes {
	uint64_t block_shift;	/* log2 of a block's pages */
	int16_t *node;		/* per block: its node, or -1 */
	size_t nr_blocks;
};

/* sys_root: "/sys" or NULL; tests point it elsewhere. 0, or -1 with err. */
int frame_nodes_load(struct frame_nodes *f, const char *sys_root, char *err,
		     size_t errlen);
void frame_nodes_fini(struct frame_nodes *f);

static inline int frame_node(const struct frame_nodes *f, uint64_t pfn)
{
	uint64_t b = pfn >> f->block_shift;

	return b < f->nr_blocks ? f->node[b] : -1;
}

#endif /* VMM_FRAME_NODES_H */
