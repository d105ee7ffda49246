/* SPDX-License-Identifier: MIT */
/*
 * units.h - byte sizes as people write them ("4GiB", "512M") and as the
 * agent prints them.
 */
#ifndef VMM_UNITS_H
#define VMM_UNITS_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT_4K	12
#define PAGE_SIZE_4K	(1ull << PAGE_SHIFT_4K)
#define HUGE_SHIFT_2M	21
#define HUGE_SIZE_2M	(1ull << HUGE_SHIFT_2M)
#define PAGES_PER_2M	(HUGE_SIZE_2M / PAGE_SIZE_4K)

/*
 * "4096", "4K", "4KiB", "512M", "2G", "1T" (binary multiples; an
 * optional "B" or "iB"). Returns 0, or -1 when text is not a size or
 * overflows 64 bits.
 */
int parse_size(const char *text, uint64_t *bytes);

/* "16 GiB", "1.5 MiB", "4096 B": the largest unit that keeps >= 1. */
char *format_bytes(uint64_t bytes, char *buf, size_t len);

#endif /* VMM_UNITS_H */
