/* SPDX-License-Identifier: MIT */
/*
 * test_agent_dram_share.c - sharing a host's DRAM budget among domains
 * (vmm-agent/dram_share.c): worked examples, then the rule's properties
 * on random hosts.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "dram_share.h"
#include "harness.h"
#include "test_agent_rand.h"

#define BIG	(1ull << 40)	/* a demand or cap that never binds */
#define NONE	UINT64_MAX

static uint64_t t[8];

static void share(uint64_t budget, const struct share_req *r, size_t n)
{
	dram_share(budget, r, n, t);
}

/* Three domains wanting more than there is: shares by weight. */
static void test_weights_share_the_budget(void)
{
	const struct share_req r[] = {
		{ 0, NONE, BIG, 1 }, { 0, NONE, BIG, 2 }, { 0, NONE, BIG, 3 },
	};

	share(600, r, 3);
	CHECK_EQ_U64(t[0], 100);
	CHECK_EQ_U64(t[1], 200);
	CHECK_EQ_U64(t[2], 300);
	share(601, r, 3);	/* the odd page goes to one of them */
	CHECK_EQ_U64(t[0] + t[1] + t[2], 601);
	CHECK(t[0] - 100 <= 1 && t[1] - 200 <= 1 && t[2] - 300 <= 1);
}

/* Never above the demand or the cap; what one cannot use goes to others. */
static void test_demand_and_cap_bound_a_share(void)
{
	const struct share_req r[] = {
		{ 0, NONE, 50, 3 }, { 0, 120, BIG, 1 }, { 0, NONE, BIG, 1 },
	};

	share(1000, r, 3);
	CHECK_EQ_U64(t[0], 50);
	CHECK_EQ_U64(t[1], 120);
	CHECK_EQ_U64(t[2], 830);
	/* everyone satisfied: the rest of the budget stays unused */
	const struct share_req small[] = {
		{ 0, NONE, 10, 1 }, { 0, NONE, 20, 1 },
	};
	share(1000, small, 2);
	CHECK_EQ_U64(t[0], 10);
	CHECK_EQ_U64(t[1], 20);
}

/* A guarantee first, then the weighted share of what is left. */
static void test_guarantee_then_share(void)
{
	struct share_req r[] = {
		{ 300, NONE, BIG, 1 }, { 0, NONE, BIG, 1 },
	};

	share(500, r, 2);
	CHECK_EQ_U64(t[0], 400);
	CHECK_EQ_U64(t[1], 100);
	/* an unused guarantee is lent to the other domain */
	r[0].demand = 10;
	share(500, r, 2);
	CHECK_EQ_U64(t[0], 10);
	CHECK_EQ_U64(t[1], 490);
	/* a domain that comes back gets its guarantee again */
	r[0].demand = BIG;
	r[1].guarantee = 100;
	share(500, r, 2);
	CHECK_EQ_U64(t[0], 350);
	CHECK_EQ_U64(t[1], 150);
}

/* Guarantees above the budget (it shrank): scaled, never above it. */
static void test_floors_above_the_budget_are_scaled(void)
{
	const struct share_req r[] = {
		{ 300, NONE, BIG, 1 }, { 100, NONE, BIG, 5 },
		{ 200, NONE, 50, 1 },
	};

	share(200, r, 3);	/* floors 300, 100, 50: 450 */
	CHECK_EQ_U64(t[0] + t[1] + t[2], 200);
	CHECK_EQ_U64(t[0], 134);	/* 133.3, plus a rounding page */
	CHECK_EQ_U64(t[1], 44);
	CHECK_EQ_U64(t[2], 22);
	share(0, r, 3);
	CHECK_EQ_U64(t[0] + t[1] + t[2], 0);
}

static uint64_t ceil_of(const struct share_req *r)
{
	return r->cap < r->demand ? r->cap : r->demand;
}

static uint64_t floor_of(const struct share_req *r)
{
	uint64_t c = ceil_of(r);

	return r->guarantee < c ? r->guarantee : c;
}

/*
 * On random hosts: within the budget and every ceiling; floors kept when
 * they fit; no page left unused while a domain wants more; and among the
 * domains that want more, extras in proportion to weight (a page of
 * rounding apart), none of them behind a domain that is satisfied.
 */
static void test_properties_on_random_hosts(void)
{
	uint64_t seed = 0x5eed1234abcdull;
	unsigned int bad = 0;

	for (int iter = 0; iter < 20000; iter++) {
		struct share_req r[8];
		size_t n = 1 + xorshift64(&seed) % 8;
		uint64_t scale = 1ull << (xorshift64(&seed) % 36);
		uint64_t budget = xorshift64(&seed) % (4 * scale + 1);
		uint64_t sum = 0, floors = 0;
		bool ok = true;

		for (size_t i = 0; i < n; i++) {
			uint64_t cap = xorshift64(&seed) % 4 ?
				       NONE : xorshift64(&seed) % (scale + 1);

			r[i] = (struct share_req){
				xorshift64(&seed) % 2 ?
				0 : xorshift64(&seed) % (scale / 2 + 1),
				cap, xorshift64(&seed) % (scale + 1),
				1 + (unsigned int)(xorshift64(&seed) % 10),
			};
			floors += floor_of(&r[i]);
		}
		share(budget, r, n);
		for (size_t i = 0; i < n; i++) {
			sum += t[i];
			ok = ok && t[i] <= ceil_of(&r[i]);
			if (floors <= budget)
				ok = ok && t[i] >= floor_of(&r[i]);
		}
		ok = ok && sum <= budget;
		for (size_t i = 0; i < n && floors <= budget; i++) {
			double ei = (double)(t[i] - floor_of(&r[i])) /
				    r[i].weight;

			if (t[i] == ceil_of(&r[i]))
				continue;
			ok = ok && sum == budget;	/* work conserving */
			for (size_t j = 0; j < n; j++) {
				double ej = (double)(t[j] - floor_of(&r[j])) /
					    r[j].weight;

				/* j got more per weight than i, beyond a
				 * rounding page: only if i could not */
				if (ej > ei + 1.0 + 1e-9)
					ok = false;
			}
		}
		if (!ok && bad++ < 3) {
			fprintf(stderr, "iteration %d: budget %llu, %zu domains:\n",
				iter, (unsigned long long)budget, n);
			for (size_t i = 0; i < n; i++)
				fprintf(stderr, "  g %llu cap %llu demand %llu w %u -> %llu\n",
					(unsigned long long)r[i].guarantee,
					(unsigned long long)r[i].cap,
					(unsigned long long)r[i].demand,
					r[i].weight, (unsigned long long)t[i]);
		}
	}
	CHECK_EQ_U64(bad, 0);
}

int main(void)
{
	RUN_TEST(test_weights_share_the_budget);
	RUN_TEST(test_demand_and_cap_bound_a_share);
	RUN_TEST(test_guarantee_then_share);
	RUN_TEST(test_floors_above_the_budget_are_scaled);
	RUN_TEST(test_properties_on_random_hosts);
	return TEST_SUMMARY();
}
