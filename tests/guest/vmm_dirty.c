// SPDX-License-Identifier: MIT
/* vmm_dirty.c - KVM dirty log fetching for tg-launch --dirty-log. */
#include "vmm_dirty.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

int tg_dirty_bitmap_pages(const uint64_t *bitmap, uint64_t npages,
			  uint64_t first_page, struct tg_pagelist *pl)
{
	for (uint64_t w = 0; w * 64 < npages; w++) {
		uint64_t bits = bitmap[w];

		if (npages - w * 64 < 64)	/* bits past the slot's end */
			bits &= (1ull << (npages - w * 64)) - 1;
		while (bits) {
			uint64_t page = first_page + w * 64 +
					(uint64_t)__builtin_ctzll(bits);

			if (tg_pagelist_add(pl, page, page + 1))
				return -1;
			bits &= bits - 1;
		}
	}
	return 0;
}

int tg_dirty_log_fetch(int vm_fd, uint32_t slot, uint64_t first_page,
		       uint64_t npages, struct tg_pagelist *pl,
		       char *err, size_t errlen)
{
	/* KVM copies out ALIGN(npages, 64) / 8 bytes. */
	uint64_t *bitmap = calloc((npages + 63) / 64, sizeof(uint64_t));
	struct kvm_dirty_log log = { .slot = slot };
	int r;

	if (!bitmap) {
		snprintf(err, errlen, "out of memory for the dirty bitmap");
		return -1;
	}
	log.dirty_bitmap = bitmap;
	if (ioctl(vm_fd, KVM_GET_DIRTY_LOG, &log) < 0) {
		snprintf(err, errlen, "KVM_GET_DIRTY_LOG of slot %u: %s", slot,
			 strerror(errno));
		free(bitmap);
		return -1;
	}
	r = tg_dirty_bitmap_pages(bitmap, npages, first_page, pl);
	if (r)
		snprintf(err, errlen, "out of memory listing dirty pages");
	free(bitmap);
	return r;
}
