/* SPDX-License-Identifier: MIT */
/* vmm_mem.h - tg-launch: the host memory that backs guest RAM. */
#ifndef TG_VMM_MEM_H
#define TG_VMM_MEM_H

#include <stddef.h>
#include <stdint.h>
#include "vmm_pagelist.h"

enum tg_backing {
	TG_BACKING_4K,		/* anonymous, MADV_NOHUGEPAGE: all 4 KiB */
	TG_BACKING_THP,		/* anonymous, 2 MiB aligned, MADV_HUGEPAGE */
	TG_BACKING_MEMFD,	/* memfd_create + MAP_SHARED */
	TG_BACKING_HUGETLB,	/* MAP_HUGETLB, 2 MiB pages */
};

struct tg_guest_mem {
	uint8_t *hva;		/* guest physical 0 */
	uint64_t size;
	enum tg_backing backing;
	void *map;		/* what to munmap */
	size_t map_len;
	int fd;			/* memfd, else -1 */
};

int tg_backing_parse(const char *s, enum tg_backing *b);
const char *tg_backing_name(enum tg_backing b);

/* Maps size bytes (a multiple of 4 KiB, of 2 MiB for thp/hugetlb). */
int tg_mem_alloc(struct tg_guest_mem *m, uint64_t size, enum tg_backing b,
		 char *err, size_t errlen);
void tg_mem_free(struct tg_guest_mem *m);

/*
 * Adds the guest pages whose host memory is resident (mincore): every page
 * the guest or the loader has touched. Page-exact for 4k and memfd; thp
 * and hugetlb show whole 2 MiB frames.
 */
int tg_mem_resident(const struct tg_guest_mem *m, struct tg_pagelist *pl);

#endif /* TG_VMM_MEM_H */
