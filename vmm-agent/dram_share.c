/* SPDX-License-Identifier: MIT */
/*
 * dram_share.c - weighted max-min sharing of a DRAM budget (see
 * dram_share.h).
 */
#include "dram_share.h"

static uint64_t min3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a < b ? a : b;

	return m < c ? m : c;
}

static uint64_t ceiling(const struct share_req *r)
{
	return r->cap < r->demand ? r->cap : r->demand;
}

/* Floors that do not fit: each scaled by budget / sum, in domain order. */
static void scale_floors(uint64_t budget, uint64_t sum,
			 const struct share_req *r, size_t n,
			 uint64_t *target)
{
	uint64_t given = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t f = min3(r[i].guarantee, r[i].cap, r[i].demand);

		target[i] = (uint64_t)((unsigned __int128)f * budget / sum);
		given += target[i];
	}
	/* rounding down left fewer pages than domains */
	for (size_t i = 0; i < n && given < budget; i++) {
		if (target[i] < min3(r[i].guarantee, r[i].cap, r[i].demand)) {
			target[i]++;
			given++;
		}
	}
}

/* Pages the extra level gives domain i: weight x level, up to its room. */
static uint64_t extra_at(const struct share_req *r, uint64_t room,
			 double level)
{
	double want = (double)r->weight * level;

	return want >= (double)room ? room : (uint64_t)want;
}

/* All domains' extras at a level (exact: integers below 2^53). */
static double extras_at(const struct share_req *r, size_t n,
			const uint64_t *floor, double level)
{
	double total = 0;

	for (size_t i = 0; i < n; i++)
		if (r[i].weight)
			total += (double)extra_at(&r[i],
						  ceiling(&r[i]) - floor[i],
						  level);
	return total;
}

void dram_share(uint64_t budget, const struct share_req *r, size_t n,
		uint64_t *target)
{
	uint64_t sum = 0, left, given = 0;
	double lo = 0.0, hi = 0.0;

	for (size_t i = 0; i < n; i++) {
		target[i] = min3(r[i].guarantee, r[i].cap, r[i].demand);
		sum += target[i];
	}
	if (sum > budget) {
		scale_floors(budget, sum, r, n, target);
		return;
	}
	left = budget - sum;
	/* the level at which every domain reaches its ceiling */
	for (size_t i = 0; i < n; i++) {
		double l = (double)(ceiling(&r[i]) - target[i]) /
			   (double)(r[i].weight ? r[i].weight : 1);

		if (l > hi)
			hi = l;
	}
	/* the highest level whose extras fit what is left (bisection, to
	 * the precision of a double); all of them if they fit */
	if (extras_at(r, n, target, hi) <= (double)left)
		lo = hi;
	for (int it = 0; it < 200 && lo < hi; it++) {
		double mid = (lo + hi) / 2;

		if (mid <= lo || mid >= hi)
			break;
		if (extras_at(r, n, target, mid) <= (double)left)
			lo = mid;
		else
			hi = mid;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t e = r[i].weight ?
			     extra_at(&r[i], ceiling(&r[i]) - target[i], lo) :
			     0;

		target[i] += e;
		given += e;
	}
	/*
	 * What rounding left, about a page per domain: an even part of it
	 * to each domain that wants more, in domain order (a few passes
	 * even if the bisection were far off).
	 */
	while (given < left) {
		uint64_t before = given, wanting = 0, each;

		for (size_t i = 0; i < n; i++)
			wanting += r[i].weight && target[i] < ceiling(&r[i]);
		if (!wanting)
			break;		/* every domain at its ceiling */
		each = (left - given) / wanting ? (left - given) / wanting : 1;
		for (size_t i = 0; i < n && given < left; i++) {
			uint64_t room = ceiling(&r[i]) - target[i];
			uint64_t e = room < each ? room : each;

			if (!r[i].weight)
				continue;
			if (e > left - given)
				e = left - given;
			target[i] += e;
			given += e;
		}
		if (given == before)
			break;
	}
}
