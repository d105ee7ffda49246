// SPDX-License-Identifier: MIT
/* integrity.c - page contents and their checks. Freestanding. */
#include "integrity.h"
#include "tg_abi.h"
#include "tg_hash.h"

#define GOLDEN 0x9e3779b9u

/* Body words form an arithmetic sequence from a hash of (gpa, gen): cheap
 * to write and check, and a word moved, zeroed or from another page or
 * generation does not match. */
uint32_t tg_page_word(uint32_t gpa, uint32_t gen, uint32_t i)
{
	return tg_mix32(gpa ^ (gen * GOLDEN)) + i * GOLDEN;
}

static uint32_t header_check(uint32_t gpa, uint32_t gen)
{
	return ~(TG_PAGE_MAGIC ^ gpa ^ gen);
}

int tg_area_init(struct tg_area *a, uint32_t *mem, uint32_t base,
		 uint32_t npages, uint8_t *gen_table, uint32_t table_bytes)
{
	uint32_t bits = 8;

	while (bits && (uint64_t)npages * bits > (uint64_t)table_bytes * 8)
		bits >>= 1;
	if (!bits)
		return -1;
	/* Only the bytes in use: cheap for small areas on slow (emulated) CPUs. */
	for (uint32_t i = 0; i < (npages * bits + 7) / 8; i++)
		gen_table[i] = 0;
	a->mem = mem;
	a->base = base;
	a->npages = npages;
	a->gen_table = gen_table;
	a->gen_bits = bits;
	return 0;
}

static uint32_t gen_mask(const struct tg_area *a)
{
	return (1u << a->gen_bits) - 1;
}

static uint32_t table_get(const struct tg_area *a, uint32_t idx)
{
	uint32_t bit = idx * a->gen_bits;

	return (a->gen_table[bit >> 3] >> (bit & 7)) & gen_mask(a);
}

static void table_set(struct tg_area *a, uint32_t idx, uint32_t gen)
{
	uint32_t bit = idx * a->gen_bits;
	uint8_t *b = &a->gen_table[bit >> 3];
	uint32_t m = gen_mask(a) << (bit & 7);

	*b = (uint8_t)((*b & ~m) | ((gen << (bit & 7)) & m));
}

static volatile uint32_t *page_ptr(const struct tg_area *a, uint32_t idx)
{
	return (volatile uint32_t *)(a->mem + idx * TG_PAGE_WORDS);
}

static uint32_t page_gpa(const struct tg_area *a, uint32_t idx)
{
	return a->base + (idx << TG_PAGE_SHIFT);
}

void tg_page_write(struct tg_area *a, uint32_t idx, uint32_t gen)
{
	volatile uint32_t *p = page_ptr(a, idx);
	uint32_t gpa = page_gpa(a, idx);
	uint32_t v = tg_page_word(gpa, gen, TG_HEADER_WORDS);

	for (uint32_t i = TG_HEADER_WORDS; i < TG_PAGE_WORDS; i++, v += GOLDEN)
		p[i] = v;
	p[0] = TG_PAGE_MAGIC;
	p[1] = gpa;
	p[2] = gen;
	p[3] = header_check(gpa, gen);
	table_set(a, idx, gen);
}

static int mismatch(uint32_t gpa, uint32_t expected, uint32_t got,
		    struct tg_bad *bad)
{
	bad->gpa = gpa;
	bad->expected = expected;
	bad->got = got;
	return 1;
}

/* The generation to rebuild a broken page with: the table's low bits. */
static int repair(struct tg_area *a, uint32_t idx)
{
	tg_page_write(a, idx, table_get(a, idx));
	return 1;
}

/* Checks the header against gpa and the table; *gen gets its generation. */
static int check_header(struct tg_area *a, uint32_t idx, uint32_t *gen,
			struct tg_bad *bad)
{
	volatile uint32_t *p = page_ptr(a, idx);
	uint32_t gpa = page_gpa(a, idx);
	uint32_t w0 = p[0], w1 = p[1], w2 = p[2], w3 = p[3];

	if (w0 != TG_PAGE_MAGIC)
		return mismatch(gpa, TG_PAGE_MAGIC, w0, bad);
	if (w1 != gpa)
		return mismatch(gpa + 4, gpa, w1, bad);
	if (w3 != header_check(gpa, w2))
		return mismatch(gpa + 12, header_check(gpa, w2), w3, bad);
	if ((w2 & gen_mask(a)) != table_get(a, idx))	/* stale page */
		return mismatch(gpa + 8, table_get(a, idx), w2 & gen_mask(a),
				bad);
	*gen = w2;
	return 0;
}

static int check_word(struct tg_area *a, uint32_t idx, uint32_t gen,
		      uint32_t i, struct tg_bad *bad)
{
	uint32_t gpa = page_gpa(a, idx);
	uint32_t want = tg_page_word(gpa, gen, i);
	uint32_t got = page_ptr(a, idx)[i];

	if (got != want)
		return mismatch(gpa + i * 4, want, got, bad);
	return 0;
}

int tg_page_read(struct tg_area *a, uint32_t idx, uint32_t word,
		 struct tg_bad *bad)
{
	uint32_t gen;
	uint32_t i = TG_HEADER_WORDS +
		     word % (TG_PAGE_WORDS - TG_HEADER_WORDS);

	if (check_header(a, idx, &gen, bad) || check_word(a, idx, gen, i, bad))
		return repair(a, idx);
	return 0;
}

int tg_page_bump(struct tg_area *a, uint32_t idx, struct tg_bad *bad)
{
	uint32_t gen;

	if (check_header(a, idx, &gen, bad))
		return repair(a, idx);
	tg_page_write(a, idx, gen + 1);
	return 0;
}

int tg_page_verify(struct tg_area *a, uint32_t idx, struct tg_bad *bad)
{
	volatile uint32_t *p = page_ptr(a, idx);
	uint32_t gen, want;

	if (check_header(a, idx, &gen, bad))
		return repair(a, idx);
	want = tg_page_word(page_gpa(a, idx), gen, TG_HEADER_WORDS);
	for (uint32_t i = TG_HEADER_WORDS; i < TG_PAGE_WORDS; i++, want += GOLDEN)
		if (p[i] != want) {
			mismatch(page_gpa(a, idx) + i * 4, want, p[i], bad);
			return repair(a, idx);
		}
	return 0;
}
