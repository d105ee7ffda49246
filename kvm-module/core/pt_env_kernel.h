/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The walker core's environment inside the kernel
 * module. Included through pt_env.h only.
 */
#ifndef PT_ENV_KERNEL_H
#define PT_ENV_KERNEL_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/bitops.h>
#include <linux/atomic.h>
#include <asm/page.h>

/* Page tables live in the direct map. */
static __always_inline u64 *ptw_table(u64 pa)
{
	return (u64 *)__va(pa);
}

/* Entries change under us (hardware A/D updates, faults, zaps). */
static __always_inline u64 ptw_read(u64 *p)
{
	return READ_ONCE(*p);
}

static __always_inline bool ptw_test_and_clear_bit(int nr, u64 *p)
{
	return test_and_clear_bit(nr, (unsigned long *)p);
}

static __always_inline bool ptw_cmpxchg(u64 *p, u64 *old, u64 new)
{
	return try_cmpxchg64(p, old, new);
}

/*
 * Address bits of an entry: physical_mask has the SME C-bit cleared, as
 * in SPTE_BASE_ADDR_MASK (arch/x86/kvm/mmu/spte.h) and PTE_PFN_MASK.
 */
#define PTW_PA_MASK	((u64)(physical_mask & PAGE_MASK))

#endif /* PT_ENV_KERNEL_H */
