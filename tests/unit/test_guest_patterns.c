// SPDX-License-Identifier: MIT
/* Tests of the test guest's access pattern generators. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "config.h"
#include "patterns.h"

static void test_phase_windows(void)
{
	struct tg_config cfg;
	char err[128];
	uint32_t first, n;

	/* 4 hot of 14 pages: 3 windows side by side, 2 pages always cold. */
	CHECK_EQ_U64(tg_config_parse(&cfg, "pattern=phases hot=4 cold=10",
				     err, sizeof(err)), 0);
	tg_phase_window(&cfg, 1, &first, &n);
	CHECK_EQ_U64(first, 0);
	CHECK_EQ_U64(n, 4);
	tg_phase_window(&cfg, 2, &first, &n);
	CHECK_EQ_U64(first, 4);
	tg_phase_window(&cfg, 3, &first, &n);
	CHECK_EQ_U64(first, 8);
	tg_phase_window(&cfg, 4, &first, &n);
	CHECK_EQ_U64(first, 0);
}

static void test_uniform(void)
{
	struct tg_picker pk;
	uint32_t hits[16] = { 0 };
	int in_window = 1, even = 1;

	tg_picker_init(&pk, TG_PATTERN_UNIFORM, 100, 16, 7);
	for (int i = 0; i < 16000; i++) {
		uint32_t p = tg_picker_next(&pk);

		if (p < 100 || p >= 116)
			in_window = 0;
		else
			hits[p - 100]++;
	}
	for (int i = 0; i < 16; i++)
		if (hits[i] < 700 || hits[i] > 1300)	/* expect 1000 each */
			even = 0;
	CHECK(in_window);
	CHECK(even);
}

static void test_seq(void)
{
	struct tg_picker pk;

	tg_picker_init(&pk, TG_PATTERN_SEQ, 10, 3, 1);
	CHECK_EQ_U64(tg_picker_next(&pk), 10);
	CHECK_EQ_U64(tg_picker_next(&pk), 11);
	CHECK_EQ_U64(tg_picker_next(&pk), 12);
	CHECK_EQ_U64(tg_picker_next(&pk), 10);
}

/* rank -> offset must be a permutation, also when n is a multiple of the
 * first scatter prime. */
static void check_permutation(uint32_t n)
{
	struct tg_picker pk;
	uint8_t *seen = calloc(n, 1);
	int ok = 1;

	tg_picker_init(&pk, TG_PATTERN_ZIPF, 0, n, 1);
	for (uint32_t r = 1; r <= n; r++) {
		uint32_t off = tg_zipf_offset(&pk, r);

		if (off >= n || seen[off]++)
			ok = 0;
	}
	CHECK(ok);
	free(seen);
}

static void test_zipf_scatter(void)
{
	check_permutation(1);
	check_permutation(1000);
	check_permutation(7919 * 3);
	check_permutation(524288);
}

static void test_zipf_skew(void)
{
	enum { N = 1024, SAMPLES = 200000 };
	static uint32_t hits[N];
	struct tg_picker pk;
	uint32_t top_rank, top10 = 0;
	int in_window = 1;

	memset(hits, 0, sizeof(hits));
	tg_picker_init(&pk, TG_PATTERN_ZIPF, 0, N, 3);
	for (int i = 0; i < SAMPLES; i++) {
		uint32_t p = tg_picker_next(&pk);

		if (p >= N)
			in_window = 0;
		else
			hits[p]++;
	}
	CHECK(in_window);
	/* Rank 1 gets one octave of ten: about 20000. */
	top_rank = hits[tg_zipf_offset(&pk, 1)];
	CHECK(top_rank > 18000 && top_rank < 22000);
	/* Zipf s=1 over 1024: the top 10% of ranks take about 70%. */
	for (uint32_t r = 1; r <= N / 10; r++)
		top10 += hits[tg_zipf_offset(&pk, r)];
	CHECK(top10 > SAMPLES * 6 / 10 && top10 < SAMPLES * 8 / 10);
}

int main(void)
{
	RUN_TEST(test_phase_windows);
	RUN_TEST(test_uniform);
	RUN_TEST(test_seq);
	RUN_TEST(test_zipf_scatter);
	RUN_TEST(test_zipf_skew);
	return TEST_SUMMARY();
}
