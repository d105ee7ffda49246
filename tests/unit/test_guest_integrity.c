// SPDX-License-Identifier: MIT
/* Tests of the test guest's page contents and checks, on host memory. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "integrity.h"
#include "tg_abi.h"

#define NPAGES 8
#define BASE 0x1000000u

static uint32_t *mem;
static uint8_t table[TG_GEN_TABLE_BYTES];
static struct tg_area area;

static void setup(void)
{
	free(mem);
	mem = calloc(NPAGES, TG_PAGE_SIZE);
	CHECK(mem != NULL);
	CHECK_EQ_U64(tg_area_init(&area, mem, BASE, NPAGES, table, sizeof(table)), 0);
	for (uint32_t i = 0; i < NPAGES; i++)
		tg_page_write(&area, i, 1);
}

static uint32_t *word(uint32_t page, uint32_t i)
{
	return mem + page * TG_PAGE_WORDS + i;
}

static void test_gen_bits(void)
{
	struct tg_area a;
	static uint32_t one_page[TG_PAGE_WORDS];

	CHECK_EQ_U64(tg_area_init(&a, one_page, BASE, 65536, table, sizeof(table)), 0);
	CHECK_EQ_U64(a.gen_bits, 8);
	CHECK_EQ_U64(tg_area_init(&a, one_page, BASE, 65537, table, sizeof(table)), 0);
	CHECK_EQ_U64(a.gen_bits, 4);
	CHECK_EQ_U64(tg_area_init(&a, one_page, BASE, TG_MAX_AREA_PAGES, table,
				  sizeof(table)), 0);
	CHECK_EQ_U64(a.gen_bits, 1);
	CHECK_EQ_U64(tg_area_init(&a, one_page, BASE, TG_MAX_AREA_PAGES + 1,
				  table, sizeof(table)), (uint64_t)-1);
}

static void test_layout(void)
{
	struct tg_bad bad;

	setup();
	CHECK_EQ_U64(*word(2, 0), TG_PAGE_MAGIC);
	CHECK_EQ_U64(*word(2, 1), BASE + 2 * TG_PAGE_SIZE);
	CHECK_EQ_U64(*word(2, 2), 1);
	CHECK_EQ_U64(*word(2, 100), tg_page_word(BASE + 2 * TG_PAGE_SIZE, 1, 100));
	/* Same offset, other page or generation: other contents. */
	CHECK(*word(2, 100) != *word(3, 100));
	CHECK(tg_page_word(BASE, 1, 100) != tg_page_word(BASE, 2, 100));
	for (uint32_t i = 0; i < NPAGES; i++)
		CHECK_EQ_U64(tg_page_verify(&area, i, &bad), 0);
}

static void test_bump(void)
{
	struct tg_bad bad;

	setup();
	CHECK_EQ_U64(tg_page_bump(&area, 4, &bad), 0);
	CHECK_EQ_U64(*word(4, 2), 2);
	CHECK_EQ_U64(tg_page_verify(&area, 4, &bad), 0);
	CHECK_EQ_U64(tg_page_read(&area, 4, 12345, &bad), 0);
}

static void test_corrupt_body(void)
{
	struct tg_bad bad;
	uint32_t good;

	setup();
	good = *word(5, 700);
	*word(5, 700) ^= 0x10;
	CHECK_EQ_U64(tg_page_verify(&area, 5, &bad), 1);
	CHECK_EQ_U64(bad.gpa, BASE + 5 * TG_PAGE_SIZE + 700 * 4);
	CHECK_EQ_U64(bad.expected, good);
	CHECK_EQ_U64(bad.got, good ^ 0x10);
	/* Repaired: the same fault is not counted twice. */
	CHECK_EQ_U64(tg_page_verify(&area, 5, &bad), 0);
	/* A read of that very word sees it; of another word does not. */
	*word(5, 700) ^= 0x10;
	CHECK_EQ_U64(tg_page_read(&area, 5, 100, &bad), 0);
	CHECK_EQ_U64(tg_page_read(&area, 5, 700 - TG_HEADER_WORDS, &bad), 1);
	CHECK_EQ_U64(bad.gpa, BASE + 5 * TG_PAGE_SIZE + 700 * 4);
}

static void test_misplaced_page(void)
{
	struct tg_bad bad;

	setup();
	memcpy(word(1, 0), word(6, 0), TG_PAGE_SIZE);	/* page 6's data at 1 */
	CHECK_EQ_U64(tg_page_bump(&area, 1, &bad), 1);
	CHECK_EQ_U64(bad.gpa, BASE + TG_PAGE_SIZE + 4);
	CHECK_EQ_U64(bad.expected, BASE + TG_PAGE_SIZE);
	CHECK_EQ_U64(bad.got, BASE + 6 * TG_PAGE_SIZE);
	memset(word(2, 0), 0, TG_PAGE_SIZE);		/* zeroed page */
	CHECK_EQ_U64(tg_page_read(&area, 2, 0, &bad), 1);
	CHECK_EQ_U64(bad.expected, TG_PAGE_MAGIC);
	CHECK_EQ_U64(bad.got, 0);
}

/* A page that reverts to an older, self-consistent version: a lost write. */
static void check_stale(uint32_t npages)
{
	static uint32_t old[TG_PAGE_WORDS];
	struct tg_bad bad;
	uint32_t *big = calloc(2, TG_PAGE_SIZE);

	/* Only pages 0-1 are touched, but the table is sized for npages. */
	CHECK_EQ_U64(tg_area_init(&area, big, BASE, npages, table, sizeof(table)), 0);
	tg_page_write(&area, 1, 1);
	memcpy(old, big + TG_PAGE_WORDS, TG_PAGE_SIZE);
	CHECK_EQ_U64(tg_page_bump(&area, 1, &bad), 0);
	memcpy(big + TG_PAGE_WORDS, old, TG_PAGE_SIZE);
	CHECK_EQ_U64(tg_page_verify(&area, 1, &bad), 1);
	CHECK_EQ_U64(bad.gpa, BASE + TG_PAGE_SIZE + 8);
	free(big);
}

static void test_stale_page(void)
{
	check_stale(NPAGES);			/* 8-bit generations */
	check_stale(TG_MAX_AREA_PAGES);		/* 1-bit generations */
}

int main(void)
{
	RUN_TEST(test_gen_bits);
	RUN_TEST(test_layout);
	RUN_TEST(test_bump);
	RUN_TEST(test_corrupt_body);
	RUN_TEST(test_misplaced_page);
	RUN_TEST(test_stale_page);
	free(mem);
	return TEST_SUMMARY();
}
