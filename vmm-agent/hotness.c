/* SPDX-License-Identifier: MIT */
/*
 * hotness.c - per-page access history and placement of guest RAM, fed by
 * the decoded idle_pages stream (see hotness.h).
 */
#include <stdlib.h>
#include <string.h>

#include "hotness.h"
#include "units.h"

static uint8_t top_bits(unsigned int n)
{
	return (uint8_t)((0xffu << (8 - n)) & 0xffu);
}

static unsigned int rank_key(const struct hot_rules *r, unsigned int h)
{
	return ((unsigned int)__builtin_popcount(h & r->window_mask) << 16) |
	       ((unsigned int)__builtin_popcount(h) << 8) | h;
}

void hot_rules_init(struct hot_rules *r, const struct policy *p)
{
	unsigned int order[256];

	memset(r, 0, sizeof(*r));
	r->window_mask = top_bits(p->hot_window_scans);
	r->min_hot = p->hot_min_scans;
	r->cold_mask = top_bits(p->cold_idle_scans);
	r->cold_scans = p->cold_idle_scans;
	r->gap = p->hysteresis_scans;
	for (unsigned int i = 0; i < 256; i++) {
		order[i] = i;
		r->hits[i] = (uint8_t)__builtin_popcount(i & r->window_mask);
	}
	/* 256 values: an insertion sort by key is plenty */
	for (unsigned int i = 1; i < 256; i++) {
		unsigned int v = order[i], j = i;

		while (j > 0 && rank_key(r, order[j - 1]) > rank_key(r, v)) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = v;
	}
	for (unsigned int i = 0; i < 256; i++) {
		r->rank[order[i]] = (uint8_t)i;
		r->byte_of_rank[i] = (uint8_t)order[i];
	}
}

unsigned int hot_threshold_rank(const struct hot_rules *r,
				const uint64_t hot_hist[256],
				uint64_t limit_pages)
{
	uint64_t sum = 0;

	for (int rank = 255; rank >= 0; rank--) {
		uint8_t b = r->byte_of_rank[rank];

		if (!hist_is_hot(r, b))
			continue;
		sum += hot_hist[b];
		if (sum > limit_pages)
			return (unsigned int)rank;
	}
	return 0;
}

static uint64_t range_base(const struct ip_hva_range *r)
{
	return r->start & ~(HUGE_SIZE_2M - 1);
}

int hotness_init(struct hotness *h, const struct ip_hva_range *ranges,
		 size_t n)
{
	uint64_t next = 0;

	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < n; i++) {
		if ((ranges[i].start | ranges[i].end) & (PAGE_SIZE_4K - 1) ||
		    ranges[i].end <= ranges[i].start ||
		    (i && ranges[i].start < ranges[i - 1].end))
			return -1;
	}
	h->ranges = malloc(n * sizeof(*h->ranges));
	h->first_page = malloc(n * sizeof(*h->first_page));
	if (n && (!h->ranges || !h->first_page))
		goto fail;
	memcpy(h->ranges, ranges, n * sizeof(*ranges));
	h->nr_ranges = n;
	for (size_t i = 0; i < n; i++) {
		uint64_t span = ranges[i].end - range_base(&ranges[i]);

		h->first_page[i] = next;
		/* whole blocks, so that the next range starts block aligned */
		next += (span + HUGE_SIZE_2M - 1) / HUGE_SIZE_2M * PAGES_PER_2M;
		h->guest_pages += (ranges[i].end - ranges[i].start) /
				  PAGE_SIZE_4K;
	}
	h->npages = next;
	h->hist = calloc(next ? next : 1, 1);
	h->tier = calloc(next / 4 + 1, 1);
	h->huge = calloc(next / PAGES_PER_2M / 64 + 1, sizeof(uint64_t));
	h->host_huge = calloc(next / PAGES_PER_2M / 64 + 1, sizeof(uint64_t));
	h->fed = calloc(next / PAGES_PER_2M / 64 + 1, sizeof(uint64_t));
	if (!h->hist || !h->tier || !h->huge || !h->host_huge || !h->fed)
		goto fail;
	return 0;
fail:
	hotness_fini(h);
	return -1;
}

void hotness_fini(struct hotness *h)
{
	free(h->ranges);
	free(h->first_page);
	free(h->hist);
	free(h->tier);
	free(h->huge);
	free(h->host_huge);
	free(h->fed);
	memset(h, 0, sizeof(*h));
}

/* The range holding hva, or the first one after it (nr_ranges if none). */
static size_t find_range(struct hotness *h, uint64_t hva)
{
	size_t lo = 0, hi = h->nr_ranges;

	if (h->cursor < h->nr_ranges && h->ranges[h->cursor].start <= hva &&
	    hva < h->ranges[h->cursor].end)
		return h->cursor;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (h->ranges[mid].end <= hva)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint64_t hotness_index(struct hotness *h, uint64_t hva)
{
	size_t i = find_range(h, hva);

	if (i == h->nr_ranges || hva < h->ranges[i].start)
		return UINT64_MAX;
	h->cursor = i;
	return h->first_page[i] +
	       (hva - range_base(&h->ranges[i])) / PAGE_SIZE_4K;
}

/* The last range whose first index is <= idx. */
static size_t range_of_index(const struct hotness *h, uint64_t idx)
{
	size_t lo = 0, hi = h->nr_ranges;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (h->first_page[mid] <= idx)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

uint64_t hotness_hva(const struct hotness *h, uint64_t idx)
{
	size_t i = range_of_index(h, idx);

	return range_base(&h->ranges[i]) +
	       (idx - h->first_page[i]) * PAGE_SIZE_4K;
}

uint64_t hotness_run_end(const struct hotness *h, uint64_t idx)
{
	size_t i = range_of_index(h, idx);

	return i + 1 < h->nr_ranges ? h->first_page[i + 1] : h->npages;
}

static void set_tier_one(struct hotness *h, uint64_t idx, enum tier t)
{
	unsigned int shift = (idx & 3) * 2;

	h->tier[idx >> 2] = (uint8_t)((h->tier[idx >> 2] & ~(3u << shift)) |
				      ((unsigned int)t << shift));
}

void hotness_set_tier(struct hotness *h, uint64_t idx, enum tier t)
{
	if (hotness_unit_pages(h, idx) == PAGES_PER_2M) {
		/* a block's 512 entries are 128 whole bytes */
		memset(h->tier + idx / 4, (int)t * 0x55, PAGES_PER_2M / 4);
		return;
	}
	set_tier_one(h, idx, t);
}

void hotness_forget_tiers(struct hotness *h)
{
	memset(h->tier, 0, h->npages / 4 + 1);	/* all TIER_NONE */
}

static void set_bit_to(uint64_t *map, uint64_t bit, bool on)
{
	if (on)
		map[bit / 64] |= 1ull << (bit % 64);
	else
		map[bit / 64] &= ~(1ull << (bit % 64));
}

static void set_huge(struct hotness *h, uint64_t block, bool on)
{
	set_bit_to(h->huge, block, on);
}

/* A huge block now mapped by 4 KiB pages: each page inherits its history. */
static void split_block(struct hotness *h, uint64_t head)
{
	memset(h->hist + head + 1, h->hist[head], PAGES_PER_2M - 1);
	set_huge(h, head / PAGES_PER_2M, false);
}

/* 4 KiB pages now mapped by one 2 MiB page: the block is as hot as any. */
static void collapse_block(struct hotness *h, uint64_t head)
{
	uint8_t any = 0;

	for (uint64_t i = 0; i < PAGES_PER_2M; i++)
		any |= h->hist[head + i];
	memset(h->hist + head, 0, PAGES_PER_2M);
	h->hist[head] = any;
	set_huge(h, head / PAGES_PER_2M, true);
	/* one page on one node now; which one is learned again */
	hotness_set_tier(h, head, TIER_NONE);
}

void hotness_begin_scan(struct hotness *h)
{
	h->scan_pages = h->scan_accessed = h->scan_gigantic = 0;
	memset(h->fed, 0, (h->npages / PAGES_PER_2M / 64 + 1) *
	       sizeof(uint64_t));
}

bool hotness_block_whole(struct hotness *h, uint64_t head)
{
	uint64_t hva = hotness_hva(h, head);

	return hotness_index(h, hva) == head &&
	       hotness_index(h, hva + HUGE_SIZE_2M - PAGE_SIZE_4K) ==
	       head + PAGES_PER_2M - 1;
}

void hotness_set_host_huge(struct hotness *h, uint64_t head, bool on)
{
	uint64_t block = head / PAGES_PER_2M;

	if (on == hotness_block_host_huge(h, head))
		return;
	set_bit_to(h->host_huge, block, on);
	if (on && !hotness_block_huge(h, head))
		collapse_block(h, head);
	/* the scan never maps 2 MiB what the host backs by 4 KiB */
	else if (!on && hotness_block_huge(h, head))
		split_block(h, head);
}

bool hotness_all_host_huge(const struct hotness *h)
{
	bool any = false;

	for (size_t i = 0; i < h->nr_ranges; i++) {
		const struct ip_hva_range *r = &h->ranges[i];
		uint64_t lo = (r->start + HUGE_SIZE_2M - 1) & ~(HUGE_SIZE_2M - 1);
		uint64_t hi = r->end & ~(HUGE_SIZE_2M - 1);

		for (uint64_t hva = lo; hva < hi; hva += HUGE_SIZE_2M) {
			uint64_t idx = h->first_page[i] +
				       (hva - range_base(r)) / PAGE_SIZE_4K;

			if (!hotness_block_host_huge(h, idx))
				return false;
			any = true;
		}
	}
	return any;
}

void hotness_end_scan(struct hotness *h)
{
	h->scans++;
}

/*
 * A history ages when its page is reported: one round reports every page
 * of the ranges once (holes included), and a round that fails half way
 * leaves the unreported pages as they were instead of calling them idle.
 */
static void age(struct hotness *h, uint64_t idx, bool accessed)
{
	h->hist[idx] = (uint8_t)((h->hist[idx] >> 1) |
				 (accessed ? HIST_LATEST : 0));
}

/*
 * Pages of a block the host backs by one huge page: the block ages once
 * a scan, and is accessed if any of its pages is.
 */
static void feed_host_huge(struct hotness *h, uint64_t head, enum ip_state st)
{
	uint64_t block = head / PAGES_PER_2M;

	if (!(h->fed[block / 64] & (1ull << (block % 64)))) {
		set_bit_to(h->fed, block, true);
		age(h, head, st == IP_ST_ACCESSED);
	} else if (st == IP_ST_ACCESSED) {
		h->hist[head] |= HIST_LATEST;
	}
}

/*
 * 4 KiB pages [idx, idx + n): a block's flags are read once, not once a
 * page (the scan's hot path).
 */
static void feed_4k(struct hotness *h, uint64_t idx, uint64_t n,
		    enum ip_state st)
{
	uint64_t end = idx + n;

	while (idx < end) {
		uint64_t head = idx & ~(PAGES_PER_2M - 1);
		uint64_t stop = head + PAGES_PER_2M < end ?
				head + PAGES_PER_2M : end;

		if (hotness_block_host_huge(h, head)) {
			feed_host_huge(h, head, st);
			idx = stop;
			continue;
		}
		if (hotness_block_huge(h, head))
			split_block(h, head);
		for (uint64_t i = idx; i < stop; i++)
			age(h, i, st == IP_ST_ACCESSED);
		if (st == IP_ST_HOLE)
			for (uint64_t i = idx; i < stop; i++)
				set_tier_one(h, i, TIER_NONE);
		idx = stop;
	}
}

/* Whole 2 MiB blocks from idx (block aligned) on. */
static void feed_2m(struct hotness *h, uint64_t idx, uint64_t n,
		    enum ip_state st)
{
	for (uint64_t head = idx; head < idx + n; head += PAGES_PER_2M) {
		if (st == IP_ST_HOLE) {
			feed_4k(h, head, PAGES_PER_2M, st);
			continue;
		}
		if (!hotness_block_huge(h, head)) {
			/* huge-only: a 2 MiB record of 4 KiB pages is no unit */
			if (h->scan_huge_only) {
				feed_4k(h, head, PAGES_PER_2M, st);
				continue;
			}
			collapse_block(h, head);
		}
		set_bit_to(h->fed, head / PAGES_PER_2M, true);
		age(h, head, st == IP_ST_ACCESSED);
	}
}

/* Feed [hva, hva + bytes) of range i: the part inside it. */
static void feed_piece(struct hotness *h, size_t i, uint64_t hva,
		       uint64_t end, const struct ip_range *r)
{
	const struct ip_hva_range *rg = &h->ranges[i];
	enum ip_state st = ip_type_state(r->type);
	uint64_t a = hva > rg->start ? hva : rg->start;
	uint64_t b = end < rg->end ? end : rg->end;
	uint64_t idx, n;

	if (a >= b)
		return;
	h->cursor = i;
	idx = hotness_index(h, a);
	n = (b - a) / PAGE_SIZE_4K;
	if (st != IP_ST_HOLE) {
		h->scan_pages += n;
		if (st == IP_ST_ACCESSED)
			h->scan_accessed += n;
	}
	/*
	 * 2 MiB mappings are units only when the whole block is this
	 * range's; PMD_IDLE_PTES is 2 MiB of 4 KiB pages.
	 */
	if (r->page_shift == HUGE_SHIFT_2M && r->type != PMD_IDLE_PTES &&
	    !((a | b) & (HUGE_SIZE_2M - 1)))
		feed_2m(h, idx, n, st);
	else
		feed_4k(h, idx, n, st);
}

int hotness_feed(void *hotness, const struct ip_range *r)
{
	struct hotness *h = hotness;
	uint64_t end = r->hva + r->npages * PAGE_SIZE_4K;

	if (h->stop && *h->stop)
		return 1;
	if (r->type == PIP_CMD)
		return 0;
	if (r->page_shift > HUGE_SHIFT_2M) {
		/* 1 GiB pages: not tracked (never moved), only counted */
		h->scan_gigantic += r->npages;
		return 0;
	}
	for (size_t i = find_range(h, r->hva);
	     i < h->nr_ranges && h->ranges[i].start < end; i++)
		feed_piece(h, i, r->hva, end, r);
	return 0;
}
