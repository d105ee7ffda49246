/* SPDX-License-Identifier: MIT */
/*
 * vmm_elf.h - tg-launch: load a 32-bit Multiboot v1 ELF into guest RAM by
 * its program headers (physical addresses), and find its stack symbols.
 */
#ifndef TG_VMM_ELF_H
#define TG_VMM_ELF_H

#include <stddef.h>
#include <stdint.h>

#define TG_ELF_MAX_SEGS 8

struct tg_elf_image {
	uint32_t entry;
	uint32_t nsegs;		/* PT_LOAD segments, as page-rounded GPAs */
	uint32_t seg_first[TG_ELF_MAX_SEGS];
	uint32_t seg_end[TG_ELF_MAX_SEGS];
	int has_stack;		/* tg_stack_bottom/tg_stack_top found */
	uint32_t stack_lo;
	uint32_t stack_hi;
};

/*
 * Checks file (len bytes) and copies its segments into mem (guest
 * physical 0, mem_size bytes). Segments must lie in [1 MiB, mem_size).
 * Returns 0, or -1 with a reason in err.
 */
int tg_elf_load(const uint8_t *file, size_t len, uint8_t *mem,
		uint64_t mem_size, struct tg_elf_image *img,
		char *err, size_t errlen);

#endif /* TG_VMM_ELF_H */
