/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Picks the environment of the walker core: the kernel module
 * or user space (unit tests and benchmarks on synthetic page tables).
 *
 * Each environment provides:
 *   u8/u16/u32/u64, bool, size_t, -ENOSPC, memset, __always_inline
 *   ptw_table(pa)            pointer to the 512-entry table at @pa
 *   ptw_read(p)              one READ_ONCE of an entry
 *   ptw_test_and_clear_bit() atomic test-and-clear of one entry bit
 *   ptw_cmpxchg(p, old, new) try_cmpxchg64: on failure *old = current
 *   PTW_PA_MASK              address bits of an entry (12..51, no C-bit)
 *
 * and declares the hooks that the environment implements:
 *   ptw_env_accessed()  the walk cleared the accessed state of a leaf
 *                       (the kernel marks the backing page accessed, so
 *                       scanning never makes hot memory look cold to the
 *                       host's reclaim);
 *   ptw_env_dirty()     the walk is about to drop the W bit of a writable
 *                       A/D-disabled EPT leaf (the kernel marks the page
 *                       dirty, as KVM's age_gfn_range() does before
 *                       mark_spte_for_access_track()).
 * @pfn is the first 4 KiB frame of the leaf, @level an enum ptw_level.
 */
#ifndef PT_ENV_H
#define PT_ENV_H

#ifdef __KERNEL__
#include "pt_env_kernel.h"
#else
#include "pt_env_user.h"
#endif

void ptw_env_accessed(void *ctx, u64 pfn, int level);
void ptw_env_dirty(void *ctx, u64 pfn, int level);

#endif /* PT_ENV_H */
