/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * idle_pages.h - the interface of /proc/idle_pages, shared by the kernel
 * module and every reader. The contract (access rule, read window,
 * records, rounds, errors) is idle_pages.md beside this file; this
 * header is the single source of truth for its constants.
 *
 * Builds in the kernel (linux/types.h) and in user space (C11).
 */
#ifndef IDLE_PAGES_H
#define IDLE_PAGES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/ioctl.h>
#else
#include <stdint.h>
#include <sys/types.h>
#include <sys/ioctl.h>
#include <fcntl.h>
#endif

#define IDLE_PAGES_PATH "/proc/idle_pages"

/* Record byte: type in the high nibble, count (1..15) in the low one. */
enum idle_page_type {
	PTE_ACCESSED	= 0,	/* 4 KiB, accessed since the last scan */
	PMD_ACCESSED	= 1,	/* 2 MiB, accessed */
	PUD_PRESENT	= 2,	/* 1 GiB, present (compatible format) */
	PTE_DIRTY	= 3,	/* 4 KiB, accessed and dirty */
	PMD_DIRTY	= 4,	/* 2 MiB, accessed and dirty */
	PTE_IDLE	= 5,	/* 4 KiB, present, not accessed */
	PMD_IDLE	= 6,	/* 2 MiB, not accessed */
	PMD_IDLE_PTES	= 7,	/* 2 MiB of 4 KiB pages, all idle (skim) */
	PTE_HOLE	= 8,	/* 4 KiB, not mapped */
	PMD_HOLE	= 9,	/* 2 MiB, not mapped */
	PIP_CMD		= 10,	/* command, see PIP_CMD_* */
	PUD_ACCESSED	= 11,	/* 1 GiB, accessed (extended format) */
	PUD_IDLE	= 12,	/* 1 GiB, not accessed (extended format) */
	IDLE_PAGE_TYPE_NUM
};

#define PIP_TYPE(rec)		((unsigned int)(rec) >> 4)
#define PIP_NR(rec)		((unsigned int)(rec) & 0xf)
#define PIP_COMPOSE(type, nr)	((uint8_t)(((type) << 4) | (nr)))
#define PIP_MAX_NR		15

/* Commands (type PIP_CMD); the low nibble says which. */
#define PIP_CMD_SET_HVA		0	/* then 8 bytes of HVA, big endian */
#define PIP_SET_HVA_BYTE	PIP_COMPOSE(PIP_CMD, PIP_CMD_SET_HVA)
#define PIP_SET_HVA_LEN		9

/* Smallest read(2) count: room for two SET_HVA commands and one record. */
#define IDLE_PAGES_MIN_READ	19
/* A read of count bytes scans at most count * 8 pages. */
#define IDLE_PAGES_PAGES_PER_BYTE 8

/* Scan modes ride on open(2) flags, as in the original interface. */
#define IDLE_PAGES_HUGE_ONLY_FLAG	O_NONBLOCK	/* 2 MiB granularity */
#define IDLE_PAGES_SKIM_FLAG		O_NOFOLLOW	/* idle PMD ends descent */
#define IDLE_PAGES_DIRTY_FLAG		O_NOATIME	/* report dirty bits */

/* ioctl numbers: the original SET_PID, and our additions. */
#define IDLE_PAGE_SET_PID	_IOW(0x1, 0x1, pid_t)	/* pid by value */
#define IDLE_PAGE_GET_INFO	_IOWR(0x1, 0x2, struct idle_pages_info)
#define IDLE_PAGE_SET_FORMAT	_IOW(0x1, 0x3, uint32_t) /* by value */

/* IDLE_PAGE_SET_FORMAT values */
#define IDLE_PAGES_FORMAT_COMPAT	0	/* 1 GiB leaves as PUD_PRESENT */
#define IDLE_PAGES_FORMAT_EXT		1	/* PUD_ACCESSED / PUD_IDLE */

#define IDLE_PAGES_INFO_VERSION	1

enum idle_pages_backend {
	IDLE_PAGES_BACKEND_NONE		= 0,	/* no target set yet */
	IDLE_PAGES_BACKEND_EPT		= 1,	/* Intel EPT */
	IDLE_PAGES_BACKEND_NPT		= 2,	/* AMD NPT */
	IDLE_PAGES_BACKEND_NATIVE	= 3,	/* process page tables */
};

/* page_sizes_seen bits */
#define IDLE_PAGES_SEEN_4K	(1u << 0)
#define IDLE_PAGES_SEEN_2M	(1u << 1)
#define IDLE_PAGES_SEEN_1G	(1u << 2)

/* flags_honoured bits */
#define IDLE_PAGES_HONOURS_HUGE_ONLY	(1u << 0)
#define IDLE_PAGES_HONOURS_SKIM		(1u << 1)
#define IDLE_PAGES_HONOURS_DIRTY	(1u << 2)
#define IDLE_PAGES_HONOURS_EXT_FORMAT	(1u << 3)

/*
 * IDLE_PAGE_GET_INFO: the caller sets size to sizeof(its struct); the
 * module fills at most that much and sets version and size to its own.
 */
struct idle_pages_info {
	uint32_t size;
	uint32_t version;
	uint32_t backend;		/* enum idle_pages_backend */
	uint32_t format;		/* IDLE_PAGES_FORMAT_* in use */
	uint32_t nr_roots;		/* distinct page-table roots walked */
	uint32_t nr_memslots;		/* VM memslots (0 in native mode) */
	uint32_t root_levels;		/* 4 or 5 */
	uint32_t page_sizes_seen;	/* IDLE_PAGES_SEEN_*, last round */
	uint32_t flags_honoured;	/* IDLE_PAGES_HONOURS_* */
	uint32_t ad_disabled;		/* EPT without A/D bits */
	int32_t  pid;			/* target, 0 if none */
	uint32_t reserved;
	uint64_t pages_scanned;		/* this open file, all rounds */
	uint64_t pages_accessed;
	uint64_t max_lock_hold_ns;	/* longest mmu_lock/mmap_lock hold */
	uint64_t tlb_flushes;		/* rounds ended with a VM TLB flush */
};

#endif /* IDLE_PAGES_H */
