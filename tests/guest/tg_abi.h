/* SPDX-License-Identifier: MIT */
/*
 * tg_abi.h - what the test guest and its hosts (tg-launch, QEMU) agree on:
 * I/O ports, exit values and the guest's memory layout. Shared by the
 * freestanding guest and the hosted launcher, so plain C only.
 */
#ifndef TG_ABI_H
#define TG_ABI_H

#define TG_PAGE_SIZE		4096u
#define TG_PAGE_SHIFT		12

/* Ports the guest uses. */
#define TG_PORT_COM1		0x3f8	/* 16550 UART, 8 ports */
#define TG_PORT_RTC_INDEX	0x70
#define TG_PORT_RTC_DATA	0x71
#define TG_PORT_STEP		0x501	/* outl: number of the step just done */
#define TG_PORT_EXIT		0xf4	/* outb: exit value (isa-debug-exit) */

/* Exit values written to TG_PORT_EXIT; tg-launch exits with the same. */
#define TG_EXIT_OK		0	/* clean run, no integrity errors */
#define TG_EXIT_INTEGRITY	1	/* integrity errors were found */
#define TG_EXIT_CONFIG		2	/* bad command line or too little RAM */
#define TG_EXIT_FAULT		3	/* CPU exception in the guest */

/*
 * Layout: the guest image (code, data, bss, stack, generation table) is
 * linked at 1 MiB and must end below TG_MIN_BASE; the working area starts
 * at base= (MiB aligned, at least TG_MIN_BASE).
 */
#define TG_IMAGE_BASE		0x100000u
#define TG_MIN_BASE		0x200000u
#define TG_DEFAULT_BASE		0x1000000u

/*
 * Per-page generation table inside the image: TG_GEN_TABLE_BYTES bytes,
 * 8, 4, 2 or 1 bits per page depending on the working area's size.
 */
#define TG_GEN_TABLE_BYTES	65536u
#define TG_MAX_AREA_PAGES	(TG_GEN_TABLE_BYTES * 8u)

/* Multiboot v1. */
#define TG_MB_HEADER_MAGIC	0x1BADB002u
#define TG_MB_BOOT_MAGIC	0x2BADB002u
#define TG_MB_INFO_MEMORY	0x001u	/* mem_lower/mem_upper valid */
#define TG_MB_INFO_CMDLINE	0x004u	/* cmdline valid */

/* The part of the multiboot info structure the guest reads. */
struct tg_mb_info {
	unsigned int flags;
	unsigned int mem_lower;	/* KiB below 1 MiB */
	unsigned int mem_upper;	/* KiB from 1 MiB up to the first hole */
	unsigned int boot_device;
	unsigned int cmdline;	/* GPA of a NUL-terminated string */
};

#endif /* TG_ABI_H */
