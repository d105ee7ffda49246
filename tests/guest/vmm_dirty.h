/* SPDX-License-Identifier: MIT */
/*
 * vmm_dirty.h - tg-launch --dirty-log: KVM's dirty log of the guest RAM
 * memslot (KVM_MEM_LOG_DIRTY_PAGES), fetched as a page list at each step
 * and checked against the pages the step wrote.
 */
#ifndef TG_VMM_DIRTY_H
#define TG_VMM_DIRTY_H

#include <stddef.h>
#include <stdint.h>
#include "vmm_pagelist.h"

/* Adds first_page + i for every set bit i < npages of a KVM dirty bitmap
 * (64-bit words, bit i of word i / 64); -1 if out of memory. */
int tg_dirty_bitmap_pages(const uint64_t *bitmap, uint64_t npages,
			  uint64_t first_page, struct tg_pagelist *pl);

/*
 * KVM_GET_DIRTY_LOG of memslot slot (npages pages from GPA page first_page):
 * adds the pages the guest wrote since the last call, which KVM then
 * forgets (without KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 the call also resets
 * the log). 0, or -1 with the reason in err.
 */
int tg_dirty_log_fetch(int vm_fd, uint32_t slot, uint64_t first_page,
		       uint64_t npages, struct tg_pagelist *pl,
		       char *err, size_t errlen);

#endif /* TG_VMM_DIRTY_H */
