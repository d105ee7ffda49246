/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The walker core's environment in user space, where the
 * "physical" address of a table is its offset in an arena that the test
 * or benchmark allocates and publishes in ptw_user_arena.
 * Included through pt_env.h only.
 */
#ifndef PT_ENV_USER_H
#define PT_ENV_USER_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/cdefs.h>	/* __always_inline */

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;


/* Base of the arena holding the synthetic tables; pa 0 is its start. */
extern u8 *ptw_user_arena;

static __always_inline u64 *ptw_table(u64 pa)
{
	return (u64 *)(ptw_user_arena + pa);
}

static __always_inline u64 ptw_read(u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static __always_inline bool ptw_test_and_clear_bit(int nr, u64 *p)
{
	u64 bit = 1ULL << nr;

	return __atomic_fetch_and(p, ~bit, __ATOMIC_SEQ_CST) & bit;
}

static __always_inline bool ptw_cmpxchg(u64 *p, u64 *old, u64 new)
{
	return __atomic_compare_exchange_n(p, old, new, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

#define PTW_PA_MASK	0x000ffffffffff000ULL

#endif /* PT_ENV_USER_H */
