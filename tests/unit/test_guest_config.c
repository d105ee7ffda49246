// SPDX-License-Identifier: MIT
/* Tests of the test guest's command-line parser and touch set. */
#include <string.h>
#include "harness.h"
#include "config.h"
#include "tg_abi.h"
#include "touch_set.h"

static struct tg_config cfg;
static char err[160];

static int parse(const char *s)
{
	return tg_config_parse(&cfg, s, err, sizeof(err));
}

/* The parse fails and the message names the problem. */
static int fails_with(const char *s, const char *needle)
{
	return parse(s) == -1 && strstr(err, needle) != NULL;
}

static void test_defaults(void)
{
	CHECK_EQ_U64(parse(""), 0);
	CHECK_EQ_U64(cfg.base, TG_DEFAULT_BASE);
	CHECK_EQ_U64(cfg.hot, 1024);
	CHECK_EQ_U64(cfg.cold, 3072);
	CHECK(cfg.pattern == TG_PATTERN_UNIFORM);
	CHECK_EQ_U64(cfg.passes, 10);
	CHECK_EQ_U64(cfg.write_pct, 30);
	CHECK_EQ_U64(tg_config_area_pages(&cfg), 4096);
}

static void test_sizes_and_numbers(void)
{
	CHECK_EQ_U64(parse("hot=4M cold=0x10 base=0x2000000 seed=0xffffffff"), 0);
	CHECK_EQ_U64(cfg.hot, 1024);
	CHECK_EQ_U64(cfg.cold, 16);
	CHECK_EQ_U64(cfg.base, 0x2000000);
	CHECK_EQ_U64(cfg.seed, 0xffffffffu);
	CHECK_EQ_U64(parse("hot=8K base=32M"), 0);
	CHECK_EQ_U64(cfg.hot, 2);
	CHECK_EQ_U64(cfg.base, 32u << 20);
	CHECK(fails_with("hot=6K", "multiple of 4K"));
	CHECK(fails_with("hot=12x", "pages, or a size"));
	CHECK(fails_with("base=16", "16M"));
	CHECK(fails_with("base=1M", "below 2M"));
	CHECK(fails_with("base=4G", "not below 4G"));
	CHECK(fails_with("write=101", "range 0..100"));
	CHECK(fails_with("passes=-1", "not a number"));
	CHECK(fails_with("passes=99999999999999999999", "not a number"));
	CHECK(fails_with("hot=0", "at least 1 page"));
	CHECK(fails_with("hot=2G cold=4K", "more than"));
	CHECK(fails_with("base=0xfff00000 hot=512", "above 4G"));
}

static void test_words(void)
{
	CHECK_EQ_U64(parse("/boot/guest.elf hot=8"), 0);	/* kernel path */
	CHECK_EQ_U64(cfg.hot, 8);
	CHECK_EQ_U64(parse("  guest.elf\thot=9  "), 0);
	CHECK_EQ_U64(cfg.hot, 9);
	CHECK(fails_with("hot", "expected key=value"));
	CHECK(fails_with("hot=1 guest.elf", "expected key=value"));
	CHECK(fails_with("foo=1", "unknown key 'foo'"));
	CHECK(fails_with("hot=1 hot=2", "given twice"));
	CHECK(fails_with("hot=", "empty"));
	CHECK(fails_with("pattern=random", "uniform, zipf"));
}

static void test_pattern_keys(void)
{
	CHECK(fails_with("pattern=touch", "needs touch="));
	CHECK(fails_with("pattern=touch touch=1 hot=4", "hot= does not apply"));
	CHECK(fails_with("touch=1", "only to pattern=touch"));
	CHECK(fails_with("phases=3", "only to pattern=phases"));
	CHECK(fails_with("pattern=phases hot=8 cold=4", "cold >= hot"));
	CHECK(fails_with("pattern=touch stride=4", "go together"));
	CHECK(fails_with("pattern=phases hot=1 cold=1 passes=3",
			 "passes= does not apply"));
	CHECK_EQ_U64(parse("pattern=phases hot=8 cold=8 phases=0 phase_secs=2"), 0);
	CHECK_EQ_U64(cfg.phases, 0);
	CHECK_EQ_U64(cfg.phase_secs, 2);
}

static void test_touch_ranges(void)
{
	CHECK_EQ_U64(parse("pattern=touch touch=0-15,100,0x200-0x203"), 0);
	CHECK_EQ_U64(cfg.nranges, 3);
	CHECK_EQ_U64(cfg.ranges[2].first, 0x200);
	CHECK_EQ_U64(cfg.ranges[2].last, 0x203);
	CHECK_EQ_U64(cfg.passes, 2);	/* touch's own default */
	CHECK_EQ_U64(tg_config_area_pages(&cfg), 0x204);
	CHECK(fails_with("pattern=touch touch=5-3", "ends before"));
	CHECK(fails_with("pattern=touch touch=0-9,9", "overlap"));
	CHECK(fails_with("pattern=touch touch=1,,2", "page ranges"));
	CHECK(fails_with("pattern=touch touch=1-", "page ranges"));
	CHECK_EQ_U64(parse("pattern=touch stride=512 count=4"), 0);
	CHECK_EQ_U64(tg_config_area_pages(&cfg), 3 * 512 + 1);
	CHECK(fails_with("pattern=touch stride=524288 count=2", "beyond"));
}

static void test_touch_iteration(void)
{
	static const uint32_t want[] = { 5, 6, 7, 2, 0, 3, 9 };
	struct tg_touch_iter it;
	uint32_t page, n = 0;

	/* Stride point 6 is inside 5-7, so it comes once. */
	CHECK_EQ_U64(parse("pattern=touch touch=5-7,2 stride=3 count=4"), 0);
	tg_touch_begin(&it);
	while (tg_touch_next(&cfg, &it, &page)) {
		if (n < 7)
			CHECK_EQ_U64(page, want[n]);
		n++;
	}
	CHECK_EQ_U64(n, 7);
}

static void test_touch_writes(void)
{
	uint32_t writes = 0;

	CHECK_EQ_U64(parse("pattern=touch touch=0-999 write=0"), 0);
	for (uint32_t p = 0; p < 1000; p++) {
		CHECK(tg_touch_is_write(&cfg, 1, p));	/* step 1 fills pages */
		CHECK(!tg_touch_is_write(&cfg, 2, p));
	}
	CHECK_EQ_U64(parse("pattern=touch touch=0-999 write=100"), 0);
	for (uint32_t p = 0; p < 1000; p++)
		CHECK(tg_touch_is_write(&cfg, 7, p));
	CHECK_EQ_U64(parse("pattern=touch touch=0-999 write=50"), 0);
	for (uint32_t p = 0; p < 1000; p++)
		writes += (uint32_t)tg_touch_is_write(&cfg, 3, p);
	CHECK(writes > 400 && writes < 600);
}

static void test_touch2_parse(void)
{
	CHECK_EQ_U64(parse("pattern=touch touch=0-15,100 touch2=2-3,100"), 0);
	CHECK_EQ_U64(cfg.has_touch2, 1);
	CHECK_EQ_U64(cfg.nranges2, 2);
	CHECK_EQ_U64(cfg.ranges2[1].first, 100);
	CHECK_EQ_U64(tg_config_area_pages(&cfg), 101);	/* from touch= */
	CHECK_EQ_U64(parse("pattern=touch touch=0-3 touch2=none"), 0);
	CHECK_EQ_U64(cfg.has_touch2, 1);
	CHECK_EQ_U64(cfg.nranges2, 0);
	CHECK_EQ_U64(parse("pattern=touch touch=0-3"), 0);
	CHECK_EQ_U64(cfg.has_touch2, 0);
	/* Stride points count as the set; ranges may join them up. */
	CHECK_EQ_U64(parse("pattern=touch touch=1-3 stride=4 count=3 touch2=0-4,8"), 0);
	CHECK_EQ_U64(parse("pattern=touch stride=1 count=500000 touch2=0-499999"), 0);
	CHECK(fails_with("pattern=touch touch=0-15 touch2=10-16",
			 "page 16 is not in touch="));
	CHECK(fails_with("pattern=touch touch=0-3 stride=4 count=3 touch2=4-5",
			 "page 5 is not"));
	CHECK(fails_with("pattern=touch stride=4 count=3 touch2=12", "page 12 is not"));
	CHECK(fails_with("pattern=touch touch=0-9 touch2=1-5,4", "overlap"));
	CHECK(fails_with("pattern=touch touch=0-9 touch2=", "empty"));
	CHECK(fails_with("pattern=touch touch=0-9 touch2=x", "page ranges"));
	CHECK(fails_with("touch2=1", "only to pattern=touch"));
	CHECK(fails_with("pattern=touch touch=0-3 touch2=1 touch2=2", "given twice"));
}

/* The pages of step's iteration, as a bit mask of pages 0..31. */
static uint32_t step_mask(uint32_t step)
{
	struct tg_touch_iter it;
	uint32_t page, mask = 0;

	tg_touch_begin_step(&cfg, step, &it);
	while (tg_touch_next(&cfg, &it, &page)) {
		CHECK(page < 32 && !(mask & (1u << page)));	/* each once */
		mask |= 1u << (page & 31);
	}
	return mask;
}

static void test_touch2_steps(void)
{
	struct tg_touch_iter it;
	uint32_t page, n = 0;

	CHECK_EQ_U64(parse("pattern=touch touch=0-7 stride=10 count=3 touch2=2-3,20"), 0);
	CHECK_EQ_U64(step_mask(0), 0x1000ff | (1u << 10));	/* the set */
	CHECK_EQ_U64(step_mask(1), 0x1000ff | (1u << 10));
	CHECK_EQ_U64(step_mask(2), (1u << 2) | (1u << 3) | (1u << 20));
	CHECK_EQ_U64(step_mask(9), (1u << 2) | (1u << 3) | (1u << 20));
	tg_touch_begin(&it);	/* verify passes: still the whole set */
	while (tg_touch_next(&cfg, &it, &page))
		n++;
	CHECK_EQ_U64(n, 10);
	CHECK_EQ_U64(parse("pattern=touch touch=0-7 touch2=none"), 0);
	CHECK_EQ_U64(step_mask(1), 0xff);
	CHECK_EQ_U64(step_mask(2), 0);
	CHECK_EQ_U64(parse("pattern=touch touch=0-7"), 0);	/* no touch2= */
	CHECK_EQ_U64(step_mask(2), 0xff);
}

int main(void)
{
	RUN_TEST(test_defaults);
	RUN_TEST(test_sizes_and_numbers);
	RUN_TEST(test_words);
	RUN_TEST(test_pattern_keys);
	RUN_TEST(test_touch_ranges);
	RUN_TEST(test_touch_iteration);
	RUN_TEST(test_touch_writes);
	RUN_TEST(test_touch2_parse);
	RUN_TEST(test_touch2_steps);
	return TEST_SUMMARY();
}
