// SPDX-License-Identifier: MIT
/*
 * patterns.c - access pattern generators. Freestanding, 32-bit arithmetic
 * only.
 *
 * Zipf without floating point: pick an octave j uniformly among the bit
 * lengths of n, then a rank uniformly in [2^j, 2^(j+1)), redrawing ranks
 * above n. Rank k then has a probability within a factor 2 of
 * 1/(k * log2 n): the shape of Zipf with s = 1.
 */
#include "patterns.h"

void tg_phase_window(const struct tg_config *cfg, uint32_t phase,
		     uint32_t *first, uint32_t *n)
{
	uint32_t windows = (cfg->hot + cfg->cold) / cfg->hot;

	*first = ((phase - 1) % windows) * cfg->hot;
	*n = cfg->hot;
}

/* Scatter multipliers: primes above any window size would overflow 32 bits
 * in rank * mult, so use primes below 2^13 (ranks stay below 2^19) and take
 * one that does not divide n, which makes rank -> rank * mult mod n a
 * bijection. */
static uint32_t pick_scatter(uint32_t n)
{
	static const uint32_t primes[] = { 7919, 7907, 7901 };

	for (uint32_t i = 0; i < 3; i++)
		if (n % primes[i])
			return primes[i];
	return 1;	/* n is a multiple of all three: no scatter */
}

void tg_picker_init(struct tg_picker *pk, enum tg_pattern pattern,
		    uint32_t first, uint32_t n, uint32_t seed)
{
	pk->pattern = pattern;
	pk->first = first;
	pk->n = n;
	pk->seq_next = 0;
	pk->octaves = 0;
	while (pk->octaves < 32 && (n >> pk->octaves))
		pk->octaves++;
	pk->scatter = pick_scatter(n);
	tg_rng_seed(&pk->rng, seed);
}

uint32_t tg_zipf_offset(const struct tg_picker *pk, uint32_t rank)
{
	return ((rank - 1) * pk->scatter) % pk->n;
}

static uint32_t zipf_rank(struct tg_picker *pk)
{
	for (;;) {
		uint32_t j = tg_rng_below(&pk->rng, pk->octaves);
		uint32_t rank = (1u << j) + tg_rng_below(&pk->rng, 1u << j);

		/* The top octave reaches past n: redraw, so each of its ranks
		 * keeps the same weight as if the octave were full. */
		if (rank <= pk->n)
			return rank;
	}
}

uint32_t tg_picker_next(struct tg_picker *pk)
{
	uint32_t off;

	switch (pk->pattern) {
	case TG_PATTERN_ZIPF:
		off = tg_zipf_offset(pk, zipf_rank(pk));
		break;
	case TG_PATTERN_SEQ:
		off = pk->seq_next++;
		if (pk->seq_next == pk->n)
			pk->seq_next = 0;
		break;
	default:
		off = tg_rng_below(&pk->rng, pk->n);
		break;
	}
	return pk->first + off;
}
