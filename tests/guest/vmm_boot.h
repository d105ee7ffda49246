/* SPDX-License-Identifier: MIT */
/*
 * vmm_boot.h - tg-launch: the machine state a Multiboot v1 loader hands to
 * the kernel: the info structure + command line in one page of guest RAM,
 * and a vCPU in flat 32-bit protected mode, paging off, EAX = boot magic,
 * EBX = the info's GPA, interrupts off.
 */
#ifndef TG_VMM_BOOT_H
#define TG_VMM_BOOT_H

#include <stddef.h>
#include <stdint.h>

/* The page holding the Multiboot info (at its start) and the cmdline. */
#define TG_BOOT_INFO_GPA	0x8000u
#define TG_BOOT_CMDLINE_OFF	0x40u

/* Writes the info page; the cmdline must fit in it. */
int tg_boot_write_info(uint8_t *mem, uint64_t mem_size, const char *cmdline,
		       char *err, size_t errlen);

int tg_boot_setup_vcpu(int vcpu_fd, uint32_t entry, char *err, size_t errlen);

#endif /* TG_VMM_BOOT_H */
