// SPDX-License-Identifier: MIT
/* touch_set.c - enumeration of the pattern=touch page set. Freestanding. */
#include "touch_set.h"
#include "tg_hash.h"

void tg_touch_begin(struct tg_touch_iter *it)
{
	it->range = 0;
	it->next = 0;
	it->second = 0;
}

void tg_touch_begin_step(const struct tg_config *cfg, uint32_t step,
			 struct tg_touch_iter *it)
{
	tg_touch_begin(it);
	it->second = step >= 2 && cfg->has_touch2;
}

/* The next page of ranges[0..n) (disjoint, inclusive); 0 at the end. */
static int next_in_ranges(const struct tg_range *ranges, uint32_t n,
			  struct tg_touch_iter *it, uint32_t *page)
{
	while (it->range < n) {
		const struct tg_range *r = &ranges[it->range];

		if (it->next < r->first)
			it->next = r->first;
		if (it->next <= r->last) {
			*page = it->next++;
			return 1;
		}
		it->range++;
		it->next = 0;
	}
	return 0;
}

static int in_ranges(const struct tg_config *cfg, uint32_t page)
{
	for (uint32_t r = 0; r < cfg->nranges; r++)
		if (page >= cfg->ranges[r].first && page <= cfg->ranges[r].last)
			return 1;
	return 0;
}

int tg_touch_next(const struct tg_config *cfg, struct tg_touch_iter *it,
		  uint32_t *page)
{
	if (it->second)
		return next_in_ranges(cfg->ranges2, cfg->nranges2, it, page);
	if (next_in_ranges(cfg->ranges, cfg->nranges, it, page))
		return 1;
	/* Stride points: it->next counts them. */
	while (it->next < cfg->count) {
		uint32_t p = cfg->stride * it->next++;

		if (!in_ranges(cfg, p)) {
			*page = p;
			return 1;
		}
	}
	return 0;
}

int tg_touch_is_write(const struct tg_config *cfg, uint32_t step,
		      uint32_t page)
{
	if (step <= 1)
		return 1;
	return tg_mix32(cfg->seed ^ tg_mix32(step ^ tg_mix32(page))) % 100 <
	       cfg->write_pct;
}
