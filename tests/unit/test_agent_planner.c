/* SPDX-License-Identifier: MIT */
/*
 * test_agent_planner.c - the interval plan of vmm-agent: DRAM never over
 * the limit at any point of the interleaved sequence, the budget (rate
 * limit) honoured, no cold page promoted, hysteresis, coldest-first
 * demotion, huge units.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "test_agent_rand.h"
#include "planner.h"
#include "units.h"

#define BASE	0x7f0000000000ull

static struct policy pol;
static struct hot_rules rules;
static struct hotness h;

static void setup(uint64_t pages)
{
	struct ip_hva_range rg = { BASE, BASE + pages * PAGE_SIZE_4K };

	policy_defaults(&pol);
	hot_rules_init(&rules, &pol);
	CHECK(hotness_init(&h, &rg, 1) == 0);
	h.scans = 8;
}

static void set_page(uint64_t idx, uint8_t hist, enum tier t)
{
	h.hist[idx] = hist;
	hotness_set_tier(&h, idx, t);
}

static struct plan_params params(uint64_t limit, uint64_t budget)
{
	struct plan_params pp = { &rules, limit, budget, false, false };

	return pp;
}

/*
 * Replay the plan on a copy of the tiers: DRAM stays within
 * max(limit, start) after every move and within the limit after every
 * promotion; no unit moves twice; the moves fit the budget; promoted
 * units are hot and outside DRAM; demoted units are in DRAM or, cold, on
 * another node. Returns false on the first violation.
 */
static bool replay_ok(const struct plan *p, const struct plan_params *pp)
{
	uint64_t dram = p->dram_pages, moved = 0;
	uint64_t cap = dram > pp->limit_pages ? dram : pp->limit_pages;
	uint8_t *seen = calloc(h.npages, 1);
	bool ok = true;

	for (size_t i = 0; i < p->nr_ops && ok; i++) {
		const struct move_op *op = &p->ops[i];
		enum tier t = hotness_tier(&h, op->idx);
		uint8_t b = h.hist[op->idx];

		ok = !seen[op->idx];
		seen[op->idx] = 1;
		moved += op->npages;
		if (op->dir == MOVE_PROMOTE) {
			ok = ok && hist_is_hot(&rules, b) && t != TIER_DRAM;
			dram += op->npages;
			ok = ok && dram <= pp->limit_pages;
		} else {
			ok = ok && (t == TIER_DRAM ||
				    (t == TIER_OTHER &&
				     hist_is_cold(&rules, b, h.scans)));
			if (t == TIER_DRAM)
				dram -= op->npages;
		}
		ok = ok && dram <= cap;
	}
	ok = ok && moved <= pp->budget_pages;
	ok = ok && dram == p->dram_pages_after;
	free(seen);
	return ok;
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	return xorshift64(&rnd_state);
}

static void test_random_plans_keep_limit_and_budget(void)
{
	const uint64_t pages = 8192;

	for (int round = 0; round < 300; round++) {
		struct plan_params pp;
		struct plan p;

		setup(pages);
		for (uint64_t i = 0; i < pages; i++)
			set_page(i, (uint8_t)(rnd() & rnd()),
				 (enum tier)(rnd() % TIER_NR));
		/* some huge units too */
		for (uint64_t b = 0; b < pages; b += 512) {
			if (rnd() % 3)
				continue;
			h.huge[b / 512 / 64] |= 1ull << (b / 512 % 64);
			set_page(b, (uint8_t)rnd(), (enum tier)(rnd() % TIER_NR));
		}
		pp = params(rnd() % pages, rnd() % (pages / 2));
		pp.skip_huge = round & 1;
		CHECK(plan_make(&h, &pp, &p) == 0);
		if (!replay_ok(&p, &pp)) {
			fprintf(stderr, "round %d: limit %llu budget %llu\n",
				round, (unsigned long long)pp.limit_pages,
				(unsigned long long)pp.budget_pages);
			CHECK(0);
			round = 1000;
		}
		plan_free(&p);
		hotness_fini(&h);
	}
}

static void test_cold_and_once_touched_pages_never_promoted(void)
{
	struct plan_params pp;
	struct plan p;

	setup(1000);
	for (uint64_t i = 0; i < 1000; i++)
		set_page(i, i < 100 ? 0xc0 : 0x80, TIER_PMEM);
	pp = params(1000, 100000);	/* all the room in the world */
	CHECK(plan_make(&h, &pp, &p) == 0);
	CHECK_EQ_U64(p.promote_pages, 100);
	CHECK_EQ_U64(p.hot_pages, 100);
	for (size_t i = 0; i < p.nr_ops; i++)
		CHECK(p.ops[i].idx < 100);
	CHECK_EQ_U64(p.hot_left_out, 0);
	plan_free(&p);
	hotness_fini(&h);
}

static void test_full_dram_swaps_only_past_the_gap(void)
{
	struct plan_params pp;
	struct plan p;

	/* DRAM (limit 50) full of pages hit in 2 of 4 scans */
	setup(100);
	for (uint64_t i = 0; i < 50; i++)
		set_page(i, 0xa0, TIER_DRAM);
	for (uint64_t i = 50; i < 100; i++)
		set_page(i, 0xc0, TIER_PMEM);	/* also 2 of 4: no swap */
	pp = params(50, 1000);
	CHECK(plan_make(&h, &pp, &p) == 0);
	CHECK_EQ_U64(p.nr_ops, 0);
	CHECK_EQ_U64(p.hot_left_out, 50);
	plan_free(&p);

	/* 3 of 4 beats 2 of 4 by the gap of 1: ten swaps */
	for (uint64_t i = 50; i < 60; i++)
		set_page(i, 0xe0, TIER_PMEM);
	CHECK(plan_make(&h, &pp, &p) == 0);
	CHECK_EQ_U64(p.promote_pages, 10);
	CHECK_EQ_U64(p.demote_pages, 10);
	CHECK(replay_ok(&p, &pp));
	/* demote first, then promote, one for one */
	CHECK(p.ops[0].dir == MOVE_DEMOTE);
	CHECK(p.ops[1].dir == MOVE_PROMOTE);
	CHECK(p.ops[1].idx >= 50 && p.ops[1].idx < 60);
	plan_free(&p);

	/* with a gap of 2, 3 of 4 does not displace 2 of 4 */
	pol.hysteresis_scans = 2;
	hot_rules_init(&rules, &pol);
	CHECK(plan_make(&h, &pp, &p) == 0);
	CHECK_EQ_U64(p.nr_ops, 0);
	plan_free(&p);
	hotness_fini(&h);
}

static void test_room_is_made_from_cold_pages_first(void)
{
	struct plan_params pp;
	struct plan p;

	setup(100);
	for (uint64_t i = 0; i < 10; i++)
		set_page(i, 0x0f, TIER_DRAM);	/* cold: idle 4 scans */
	for (uint64_t i = 10; i < 20; i++)
		set_page(i, 0x40, TIER_DRAM);	/* warm, not cold */
	for (uint64_t i = 20; i < 25; i++)
		set_page(i, 0xf0, TIER_PMEM);
	pp = params(20, 1000);
	CHECK(plan_make(&h, &pp, &p) == 0);
	CHECK(replay_ok(&p, &pp));
	CHECK_EQ_U64(p.promote_pages, 5);
	/* all 10 cold pages leave; no warm page does */
	CHECK_EQ_U64(p.demote_pages, 10);
	for (size_t i = 0; i < p.nr_ops; i++)
		if (p.ops[i].dir == MOVE_DEMOTE)
			CHECK(p.ops[i].idx < 10);
	CHECK_EQ_U64(p.dram_pages_after, 15);
	plan_free(&p);
	hotness_fini(&h);
}

static void test_over_limit_demotes_coldest_first(void)
{
	struct plan_params pp;
	struct plan p;

	setup(100);
	for (uint64_t i = 0; i < 100; i++)	/* hotter with i */
		set_page(i, i < 50 ? 0x20 : i < 80 ? 0x60 : 0xf0, TIER_DRAM);
	pp = params(30, 1000);
	CHECK(plan_make(&h, &pp, &p) == 0);
	CHECK(replay_ok(&p, &pp));
	CHECK_EQ_U64(p.demote_pages, 70);
	CHECK_EQ_U64(p.promote_pages, 0);
	for (size_t i = 0; i < p.nr_ops; i++)
		CHECK(p.ops[i].idx < 80);
	CHECK_EQ_U64(p.dram_pages_after, 30);
	plan_free(&p);

	/* budget of 20: the 20 coldest go first, DRAM still over */
	pp = params(30, 20);
	CHECK(plan_make(&h, &pp, &p) == 0);
	CHECK(replay_ok(&p, &pp));
	CHECK_EQ_U64(p.demote_pages, 20);
	for (size_t i = 0; i < p.nr_ops; i++)
		CHECK(hotness_tier(&h, p.ops[i].idx) == TIER_DRAM &&
		      h.hist[p.ops[i].idx] == 0x20);
	plan_free(&p);
	hotness_fini(&h);
}

static void test_rate_limit_takes_hottest_first(void)
{
	struct plan_params pp;
	struct plan p;

	setup(1000);
	for (uint64_t i = 0; i < 1000; i++)
		set_page(i, i % 2 ? 0xf0 : 0xc0, TIER_PMEM);
	pp = params(1000, 300);
	CHECK(plan_make(&h, &pp, &p) == 0);
	CHECK(replay_ok(&p, &pp));
	CHECK_EQ_U64(p.promote_pages, 300);
	for (size_t i = 0; i < p.nr_ops; i++)
		CHECK(p.ops[i].idx % 2 == 1);
	plan_free(&p);
	CHECK_EQ_U64(plan_budget_pages(256, 5000), 256 * 256 * 5);
	CHECK_EQ_U64(plan_budget_pages(1 << 20, 3600000), PLAN_MAX_PAGES);
	hotness_fini(&h);
}

static void test_cold_dram_demoted_only_after_enough_scans(void)
{
	struct plan_params pp;
	struct plan p;

	setup(64);
	for (uint64_t i = 0; i < 64; i++)
		set_page(i, 0, i < 32 ? TIER_DRAM : TIER_OTHER);
	pp = params(64, 1000);
	h.scans = 3;		/* fewer than cold.idle_scans */
	CHECK(plan_make(&h, &pp, &p) == 0);
	CHECK_EQ_U64(p.nr_ops, 0);
	CHECK_EQ_U64(p.cold_pages, 0);
	plan_free(&p);
	h.scans = 4;
	CHECK(plan_make(&h, &pp, &p) == 0);
	CHECK_EQ_U64(p.cold_pages, 64);
	CHECK_EQ_U64(p.demote_pages, 64);	/* 32 from DRAM, 32 from other */
	CHECK_EQ_U64(p.dram_pages_after, 0);
	plan_free(&p);
	hotness_fini(&h);
}

static void test_huge_units_move_whole_or_not_at_all(void)
{
	struct plan_params pp;
	struct plan p;

	setup(2048);
	h.huge[0] |= 1ull << 1;		/* block 1: pages 512..1023 */
	set_page(512, 0xf0, TIER_PMEM);
	for (uint64_t i = 0; i < 4; i++)
		set_page(i, 0xf0, TIER_PMEM);
	pp = params(1024, 10000);
	CHECK(plan_make(&h, &pp, &p) == 0);
	CHECK(replay_ok(&p, &pp));
	CHECK_EQ_U64(p.promote_pages, 516);
	CHECK_EQ_U64(p.tier_pages[TIER_PMEM], 516);
	plan_free(&p);
	pp.skip_huge = true;
	CHECK(plan_make(&h, &pp, &p) == 0);
	CHECK_EQ_U64(p.promote_pages, 4);
	for (size_t i = 0; i < p.nr_ops; i++)
		CHECK_EQ_U64(p.ops[i].npages, 1);
	plan_free(&p);
	/* a budget below 512 pages cannot carry the unit */
	pp = params(1024, 100);
	CHECK(plan_make(&h, &pp, &p) == 0);
	CHECK_EQ_U64(p.promote_pages, 4);
	plan_free(&p);
	hotness_fini(&h);
}

static void test_threshold_reported_in_window_hits(void)
{
	struct plan_params pp;
	struct plan p;

	setup(100);
	for (uint64_t i = 0; i < 100; i++)
		set_page(i, i < 20 ? 0xf0 : i < 60 ? 0xe0 : 0xc0, TIER_PMEM);
	pp = params(50, 1000);	/* 20 of 4 hits fit, 3 hits fit partly */
	CHECK(plan_make(&h, &pp, &p) == 0);
	CHECK_EQ_U64(p.threshold_hits, 3);
	CHECK_EQ_U64(p.promote_pages, 50);
	for (size_t i = 0; i < p.nr_ops; i++)
		CHECK(p.ops[i].idx < 60);
	plan_free(&p);
	pp = params(100, 1000);	/* all hot pages fit */
	CHECK(plan_make(&h, &pp, &p) == 0);
	CHECK_EQ_U64(p.threshold_hits, 2);
	plan_free(&p);
	hotness_fini(&h);
}

int main(void)
{
	RUN_TEST(test_random_plans_keep_limit_and_budget);
	RUN_TEST(test_cold_and_once_touched_pages_never_promoted);
	RUN_TEST(test_full_dram_swaps_only_past_the_gap);
	RUN_TEST(test_room_is_made_from_cold_pages_first);
	RUN_TEST(test_over_limit_demotes_coldest_first);
	RUN_TEST(test_rate_limit_takes_hottest_first);
	RUN_TEST(test_cold_dram_demoted_only_after_enough_scans);
	RUN_TEST(test_huge_units_move_whole_or_not_at_all);
	RUN_TEST(test_threshold_reported_in_window_hits);
	return TEST_SUMMARY();
}
