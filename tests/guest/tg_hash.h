/* SPDX-License-Identifier: MIT */
/*
 * tg_hash.h - the cheap 32-bit mixing and random numbers that the guest's
 * page contents, access patterns and touch-step decisions are built on;
 * shared with tg-launch so both sides agree on them. 32-bit only (the
 * guest has no 64-bit division).
 */
#ifndef TG_HASH_H
#define TG_HASH_H

#include <stdint.h>

/* murmur3's finalizer: every input bit affects every output bit. */
static inline uint32_t tg_mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

struct tg_rng {
	uint32_t s;
};

static inline void tg_rng_seed(struct tg_rng *r, uint32_t seed)
{
	r->s = tg_mix32(seed ^ 0x9e3779b9u);
	if (!r->s)
		r->s = 0x2545f491u;	/* xorshift must not start at 0 */
}

/* xorshift32 */
static inline uint32_t tg_rng_next(struct tg_rng *r)
{
	uint32_t x = r->s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	r->s = x;
	return x;
}

/* Uniform in [0, n) for n >= 1, by a 32x32->64 multiply (no division). */
static inline uint32_t tg_rng_below(struct tg_rng *r, uint32_t n)
{
	return (uint32_t)(((uint64_t)tg_rng_next(r) * n) >> 32);
}

#endif /* TG_HASH_H */
