/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * read_floor.h - the floor the benchmarks compare a scan with: one
 * sequential pass reading @n 64-bit words (plain loads, which the compiler
 * may vectorise), as the cheapest way to look at every page-table byte.
 */
#ifndef BENCH_READ_FLOOR_H
#define BENCH_READ_FLOOR_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t read_floor(const uint64_t *p, size_t n)
{
	uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
	size_t i;

	for (i = 0; i + 4 <= n; i += 4) {
		a0 |= p[i];
		a1 |= p[i + 1];
		a2 |= p[i + 2];
		a3 |= p[i + 3];
	}
	return a0 | a1 | a2 | a3;
}

#endif /* BENCH_READ_FLOOR_H */
