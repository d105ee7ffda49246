/* SPDX-License-Identifier: MIT */
/*
 * idle_pages_fake_kernel.h - a simulated /proc/idle_pages for tests of
 * the reader and the tool: a few mapped regions with per-page accessed
 * bits, served through struct ip_sys_ops with the ABI's semantics
 * (position = HVA, count * 8 pages per read, SET_HVA over gaps, bits
 * cleared when reported).
 */
#ifndef IDLE_PAGES_FAKE_KERNEL_H
#define IDLE_PAGES_FAKE_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "ip_reader.h"

#define FAKE_MAX_REGIONS 8

struct fake_region {
	uint64_t start;		/* aligned to 1 << shift */
	uint64_t nunits;	/* mapping units of 1 << shift bytes */
	unsigned int shift;	/* 12 or 21 */
	uint8_t *accessed;	/* per unit, 0 or 1 */
};

struct fake_kernel {
	struct fake_region regions[FAKE_MAX_REGIONS];
	int nregions;
	uint64_t pos;
	int open_flags;		/* flags of the last open */
	int opens, closes, reads;
	int open_errno;		/* non-zero: open fails so */
	int setpid_errno;	/* non-zero: SET_PID fails so */
	bool no_info;		/* GET_INFO -> ENOTTY (original module) */
	bool holes_as_records;	/* small gaps as PTE_HOLE, not SET_HVA */
	bool stuck;		/* bug: never advance the position */
	uint8_t garbage;	/* non-zero: every read starts with it */
	uint32_t backend;
	uint32_t honours;	/* GET_INFO's flags_honoured (0: none) */
	/* called at each open: the "workload" touching pages per round */
	void (*on_open)(struct fake_kernel *k, int round, void *arg);
	void *arg;
	struct ip_sys_ops ops;
};

void fake_kernel_init(struct fake_kernel *k);
/* Adds a region with all units idle; returns its index. */
int fake_add_region(struct fake_kernel *k, uint64_t start, uint64_t nunits,
		    unsigned int shift);
/* Marks units [first, first + n) of region ri accessed. */
void fake_touch(struct fake_kernel *k, int ri, uint64_t first, uint64_t n);
void fake_kernel_fini(struct fake_kernel *k);

#endif /* IDLE_PAGES_FAKE_KERNEL_H */
