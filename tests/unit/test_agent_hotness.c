/* SPDX-License-Identifier: MIT */
/*
 * test_agent_hotness.c - the per-page history of vmm-agent: the hot and
 * cold rules, ranking, the histogram threshold against the DRAM limit,
 * 2 MiB units (mapped so in the scan, or backed so on the host), and
 * feeding from a real idle_pages record stream.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "test_agent_rand.h"
#include "hotness.h"
#include "units.h"

#define MB	(1ull << 20)

static struct policy default_policy(void)
{
	struct policy p;

	policy_defaults(&p);	/* hot 2 of 4, cold 4, gap 1 */
	return p;
}

static void feed(struct hotness *h, uint64_t hva, uint64_t npages,
		 unsigned int type)
{
	struct ip_range r = {
		.hva = hva, .npages = npages, .type = (uint8_t)type,
		.page_shift = (uint8_t)ip_type_page_shift(type),
	};

	hotness_feed(h, &r);
}

static void test_rules_two_of_recent_scans(void)
{
	struct policy p = default_policy();
	struct hot_rules r;

	hot_rules_init(&r, &p);
	CHECK_EQ_U64(r.window_mask, 0xf0);
	CHECK(!hist_is_hot(&r, 0x80));		/* once: not hot */
	CHECK(hist_is_hot(&r, 0xc0));		/* last two scans */
	CHECK(hist_is_hot(&r, 0x90));		/* scans 1 and 4 ago */
	CHECK(!hist_is_hot(&r, 0x88));		/* scan 5 ago is outside */
	CHECK(!hist_is_hot(&r, 0x0f));
	/* cold: idle in the last 4 scans, and only once 4 scans were seen */
	CHECK(hist_is_cold(&r, 0x0f, 4));
	CHECK(!hist_is_cold(&r, 0x0f, 3));
	CHECK(!hist_is_cold(&r, 0x10, 10));
	CHECK(hist_is_cold(&r, 0x00, 10));
	/* never both hot and cold */
	for (unsigned int b = 0; b < 256; b++)
		CHECK(!(hist_is_hot(&r, (uint8_t)b) &&
			hist_is_cold(&r, (uint8_t)b, 100)));
}

static void test_rank_orders_by_window_then_history_then_recency(void)
{
	struct policy p = default_policy();
	struct hot_rules r;

	hot_rules_init(&r, &p);
	CHECK(r.rank[0xff] == 255);
	CHECK(r.rank[0x00] == 0);
	CHECK(r.rank[0xf0] > r.rank[0xe0]);	/* 4 > 3 in the window */
	CHECK(r.rank[0xc0] < r.rank[0xe0]);
	CHECK(r.rank[0xcf] > r.rank[0xc0]);	/* same window, longer use */
	CHECK(r.rank[0xc0] > r.rank[0x30]);	/* same counts, more recent */
	CHECK(r.rank[0x80] > r.rank[0x0f]);	/* window first */
	for (unsigned int i = 0; i < 256; i++)
		CHECK_EQ_U64(r.rank[r.byte_of_rank[i]], i);
}

static void test_feed_accessed_idle_and_holes(void)
{
	struct ip_hva_range rg = { 0x40000000, 0x40000000 + 16 * 4096 };
	struct hotness h;

	CHECK(hotness_init(&h, &rg, 1) == 0);
	CHECK_EQ_U64(h.guest_pages, 16);
	for (int scan = 0; scan < 2; scan++) {
		hotness_begin_scan(&h);
		feed(&h, rg.start, 4, PTE_ACCESSED);
		feed(&h, rg.start + 4 * 4096, 4, PTE_DIRTY);
		feed(&h, rg.start + 8 * 4096, 6, PTE_IDLE);
		feed(&h, rg.start + 14 * 4096, 2, PTE_HOLE);
		hotness_end_scan(&h);
	}
	CHECK_EQ_U64(h.scans, 2);
	CHECK_EQ_U64(h.scan_pages, 14);
	CHECK_EQ_U64(h.scan_accessed, 8);
	CHECK_EQ_U64(h.hist[hotness_index(&h, rg.start)], 0xc0);
	CHECK_EQ_U64(h.hist[hotness_index(&h, rg.start + 7 * 4096)], 0xc0);
	CHECK_EQ_U64(h.hist[hotness_index(&h, rg.start + 8 * 4096)], 0x00);
	/* a hole forgets where the page was */
	hotness_set_tier(&h, hotness_index(&h, rg.start + 15 * 4096),
			 TIER_DRAM);
	hotness_begin_scan(&h);
	feed(&h, rg.start, 14, PTE_IDLE);
	feed(&h, rg.start + 14 * 4096, 2, PTE_HOLE);
	hotness_end_scan(&h);
	CHECK(hotness_tier(&h, hotness_index(&h, rg.start + 15 * 4096)) ==
	      TIER_NONE);
	CHECK_EQ_U64(h.hist[hotness_index(&h, rg.start)], 0x60);
	/* a round that fails before reaching a page leaves it as it was */
	hotness_begin_scan(&h);
	feed(&h, rg.start, 1, PTE_IDLE);
	CHECK_EQ_U64(h.hist[hotness_index(&h, rg.start)], 0x30);
	CHECK_EQ_U64(h.hist[hotness_index(&h, rg.start + 4096)], 0x60);
	hotness_fini(&h);
}

static void test_records_outside_guest_ram_are_ignored(void)
{
	struct ip_hva_range rg[2] = {
		{ 0x10000000, 0x10000000 + 4 * 4096 },
		{ 0x20003000, 0x20003000 + 4 * 4096 },	/* not 2 MiB aligned */
	};
	struct hotness h;
	uint64_t i0, i1;

	CHECK(hotness_init(&h, rg, 2) == 0);
	CHECK_EQ_U64(h.guest_pages, 8);
	CHECK_EQ_U64(h.first_page[1] % 512, 0);
	hotness_begin_scan(&h);
	/* one run from below the first range to beyond the second */
	feed(&h, 0x0fff0000, (0x20100000 - 0x0fff0000) / 4096, PTE_ACCESSED);
	hotness_end_scan(&h);
	CHECK_EQ_U64(h.scan_accessed, 8);
	i0 = hotness_index(&h, 0x10000000);
	i1 = hotness_index(&h, 0x20003000);
	CHECK_EQ_U64(h.hist[i0], 0x80);
	CHECK_EQ_U64(h.hist[i1], 0x80);
	CHECK_EQ_U64(i1 - h.first_page[1], 3);	/* padding before it */
	CHECK_EQ_U64(hotness_hva(&h, i1 + 2), 0x20005000);
	CHECK_EQ_U64(hotness_hva(&h, i0 + 3), 0x10003000);
	CHECK(hotness_index(&h, 0x10004000) == UINT64_MAX);
	CHECK(hotness_index(&h, 0x20002000) == UINT64_MAX);
	/* padding is never fed */
	CHECK_EQ_U64(h.hist[h.first_page[1]], 0);
	hotness_fini(&h);
}

static void test_huge_blocks_are_units(void)
{
	struct ip_hva_range rg = { 0x40000000, 0x40000000 + 4 * HUGE_SIZE_2M };
	uint64_t b1 = rg.start + HUGE_SIZE_2M;
	struct hotness h;
	uint64_t head;

	CHECK(hotness_init(&h, &rg, 1) == 0);
	head = hotness_index(&h, b1);
	for (int scan = 0; scan < 2; scan++) {
		hotness_begin_scan(&h);
		feed(&h, rg.start, 512, PTE_IDLE);
		feed(&h, b1, 512, PMD_ACCESSED);
		feed(&h, b1 + HUGE_SIZE_2M, 1024, PMD_IDLE);
		hotness_end_scan(&h);
	}
	CHECK_EQ_U64(hotness_unit_pages(&h, head), 512);
	CHECK_EQ_U64(hotness_unit_pages(&h, head + 1), 1);
	CHECK_EQ_U64(hotness_unit_pages(&h, 0), 1);
	CHECK_EQ_U64(h.hist[head], 0xc0);
	CHECK_EQ_U64(h.hist[head + 7], 0);
	hotness_set_tier(&h, head, TIER_PMEM);
	CHECK(hotness_tier(&h, head + 511) == TIER_PMEM);
	CHECK(hotness_tier(&h, head + 512) == TIER_NONE);

	/* split by the host: every page inherits the block's history */
	hotness_begin_scan(&h);
	feed(&h, b1, 1, PTE_ACCESSED);
	feed(&h, b1 + 4096, 511, PTE_IDLE);
	hotness_end_scan(&h);
	CHECK_EQ_U64(hotness_unit_pages(&h, head), 1);
	CHECK_EQ_U64(h.hist[head], 0xe0);
	CHECK_EQ_U64(h.hist[head + 300], 0x60);
	CHECK(hotness_tier(&h, head + 300) == TIER_PMEM);

	/* collapsed again: the unit is as hot as its hottest page */
	hotness_begin_scan(&h);
	feed(&h, b1, 512, PMD_IDLE);
	hotness_end_scan(&h);
	CHECK_EQ_U64(hotness_unit_pages(&h, head), 512);
	CHECK_EQ_U64(h.hist[head], 0x70);
	CHECK_EQ_U64(h.hist[head + 300], 0);
	CHECK(hotness_tier(&h, head) == TIER_NONE);

	/* skim: 2 MiB of idle 4 KiB pages is not a huge page */
	hotness_begin_scan(&h);
	feed(&h, b1, 512, PMD_IDLE_PTES);
	hotness_end_scan(&h);
	CHECK_EQ_U64(hotness_unit_pages(&h, head), 1);
	CHECK_EQ_U64(h.hist[head + 100], 0x38);

	/* 1 GiB records are counted, not tracked */
	hotness_begin_scan(&h);
	feed(&h, 0x40000000, 262144, PUD_PRESENT);
	hotness_end_scan(&h);
	CHECK_EQ_U64(h.scan_gigantic, 262144);
	CHECK_EQ_U64(h.scan_pages, 0);
	hotness_fini(&h);
}

/* A block the host backs by a THP, which the scan sees as 4 KiB pages. */
static void test_host_huge_block_seen_as_small_pages(void)
{
	struct ip_hva_range rg = { 0x40000000, 0x40000000 + 2 * HUGE_SIZE_2M };
	struct hotness h;

	CHECK(hotness_init(&h, &rg, 1) == 0);
	hotness_begin_scan(&h);
	feed(&h, rg.start, 3, PTE_ACCESSED);
	feed(&h, rg.start + 3 * 4096, 509, PTE_IDLE);
	hotness_end_scan(&h);
	hotness_set_tier(&h, 5, TIER_DRAM);
	hotness_set_host_huge(&h, 0, true);
	CHECK_EQ_U64(hotness_unit_pages(&h, 0), 512);
	CHECK_EQ_U64(h.hist[0], 0x80);		/* as its hottest page */
	CHECK(hotness_tier(&h, 0) == TIER_NONE);	/* learned again */
	hotness_set_tier(&h, 0, TIER_DRAM);
	/* one accessed page, anywhere, makes the scan's bit; aged once */
	hotness_begin_scan(&h);
	feed(&h, rg.start, 300, PTE_HOLE);
	feed(&h, rg.start + 300 * 4096, 1, PTE_ACCESSED);
	feed(&h, rg.start + 301 * 4096, 211, PTE_IDLE);
	hotness_end_scan(&h);
	CHECK_EQ_U64(hotness_unit_pages(&h, 0), 512);
	CHECK_EQ_U64(h.hist[0], 0xc0);
	CHECK(hotness_tier(&h, 511) == TIER_DRAM);	/* holes: still there */
	hotness_begin_scan(&h);
	feed(&h, rg.start, 512, PTE_IDLE);
	hotness_end_scan(&h);
	CHECK_EQ_U64(h.hist[0], 0x60);
	/* split on the host: 4 KiB units with the block's history */
	hotness_set_host_huge(&h, 0, false);
	CHECK_EQ_U64(hotness_unit_pages(&h, 0), 1);
	CHECK_EQ_U64(h.hist[400], 0x60);
	CHECK(hotness_block_whole(&h, 512));
	hotness_fini(&h);
}

/*
 * Huge-only scans: a 2 MiB record of a block the host backs by 4 KiB
 * pages gives each page its bit and makes no unit; a host huge block
 * ages as one. Every whole block host huge is what picks the mode.
 */
static void test_huge_only_scan_makes_no_unit(void)
{
	/* two whole blocks and a partial third */
	struct ip_hva_range rg = { 0x40000000,
				   0x40000000 + 2 * HUGE_SIZE_2M + 4096 };
	struct hotness h;

	CHECK(hotness_init(&h, &rg, 1) == 0);
	CHECK(!hotness_all_host_huge(&h));
	hotness_set_host_huge(&h, 0, true);
	CHECK(!hotness_all_host_huge(&h));
	hotness_set_host_huge(&h, 512, true);
	CHECK(hotness_all_host_huge(&h));	/* the partial one aside */
	hotness_set_host_huge(&h, 512, false);
	h.scan_huge_only = true;
	hotness_begin_scan(&h);
	feed(&h, rg.start, 2 * 512, PMD_ACCESSED);
	feed(&h, rg.start + 2 * HUGE_SIZE_2M, 1, PTE_IDLE);
	hotness_end_scan(&h);
	CHECK_EQ_U64(hotness_unit_pages(&h, 0), 512);
	CHECK_EQ_U64(h.hist[0], 0x80);
	CHECK_EQ_U64(hotness_unit_pages(&h, 512), 1);	/* not collapsed */
	CHECK_EQ_U64(h.hist[512], 0x80);
	CHECK_EQ_U64(h.hist[1023], 0x80);
	CHECK_EQ_U64(h.hist[1024], 0);
	/* a normal scan: the same record is a 2 MiB mapping, a unit */
	h.scan_huge_only = false;
	hotness_begin_scan(&h);
	feed(&h, rg.start + HUGE_SIZE_2M, 512, PMD_IDLE);
	hotness_end_scan(&h);
	CHECK_EQ_U64(hotness_unit_pages(&h, 512), 512);
	hotness_fini(&h);
}

static uint64_t rnd_state = 88172645463325252ull;

static uint64_t rnd(void)
{
	return xorshift64(&rnd_state);
}

/* The pages above the threshold fit; adding its own rank would not. */
static void test_threshold_fits_limit_on_synthetic_histories(void)
{
	struct policy p = default_policy();
	struct hot_rules r;
	static uint8_t pages[100000];

	hot_rules_init(&r, &p);
	for (int round = 0; round < 200; round++) {
		uint64_t hist[256] = { 0 }, limit = rnd() % 60000;
		uint64_t above = 0, at_or_above = 0, hot = 0;
		unsigned int t;

		for (size_t i = 0; i < sizeof(pages); i++) {
			/* skewed: a few hot pages, many cold */
			pages[i] = (uint8_t)(rnd() & rnd() & (round & 1 ? 0xff : rnd()));
			if (hist_is_hot(&r, pages[i])) {
				hist[pages[i]]++;
				hot++;
			}
		}
		t = hot_threshold_rank(&r, hist, limit);
		for (size_t i = 0; i < sizeof(pages); i++) {
			if (!hist_is_hot(&r, pages[i]))
				continue;
			if (r.rank[pages[i]] > t)
				above++;
			if (r.rank[pages[i]] >= t)
				at_or_above++;
		}
		if (hot <= limit) {
			CHECK_EQ_U64(t, 0);
		} else {
			CHECK(above <= limit);
			CHECK(at_or_above > limit);
		}
	}
}

static void test_feed_from_record_stream(void)
{
	struct ip_hva_range rg = { 0x7f0000000000, 0x7f0000000000 + 8 * MB };
	uint8_t stream[32];
	struct ip_decoder d;
	struct hotness h;
	size_t n = 0;

	CHECK(hotness_init(&h, &rg, 1) == 0);
	ip_encode_set_hva(stream, rg.start);
	n = PIP_SET_HVA_LEN;
	stream[n++] = PIP_COMPOSE(PTE_ACCESSED, 3);
	stream[n++] = PIP_COMPOSE(PTE_IDLE, 15);
	stream[n++] = PIP_COMPOSE(PTE_HOLE, 14);
	ip_encode_set_hva(stream + n, rg.start + 4 * MB);
	n += PIP_SET_HVA_LEN;
	stream[n++] = PIP_COMPOSE(PMD_ACCESSED, 1);
	hotness_begin_scan(&h);
	ip_decoder_init(&d, IP_HVA_UNKNOWN, 0);
	CHECK(ip_decode(&d, stream, n, hotness_feed, &h) == IP_DEC_OK);
	CHECK(ip_decode_finish(&d, hotness_feed, &h) == IP_DEC_OK);
	hotness_end_scan(&h);
	CHECK_EQ_U64(h.scan_accessed, 3 + 512);
	CHECK_EQ_U64(h.scan_pages, 18 + 512);
	CHECK_EQ_U64(h.hist[hotness_index(&h, rg.start + 2 * 4096)], 0x80);
	CHECK_EQ_U64(h.hist[hotness_index(&h, rg.start + 3 * 4096)], 0);
	CHECK_EQ_U64(hotness_unit_pages(&h, hotness_index(&h, rg.start + 4 * MB)), 512);
	CHECK_EQ_U64(h.hist[hotness_index(&h, rg.start + 4 * MB)], 0x80);
	hotness_fini(&h);
}

static void test_bad_ranges_rejected(void)
{
	struct ip_hva_range unaligned = { 0x1000, 0x1800 };
	struct ip_hva_range overlap[2] = { { 0x1000, 0x5000 }, { 0x4000, 0x9000 } };
	struct hotness h;

	CHECK(hotness_init(&h, &unaligned, 1) == -1);
	CHECK(hotness_init(&h, overlap, 2) == -1);
}

int main(void)
{
	RUN_TEST(test_rules_two_of_recent_scans);
	RUN_TEST(test_rank_orders_by_window_then_history_then_recency);
	RUN_TEST(test_feed_accessed_idle_and_holes);
	RUN_TEST(test_records_outside_guest_ram_are_ignored);
	RUN_TEST(test_huge_blocks_are_units);
	RUN_TEST(test_host_huge_block_seen_as_small_pages);
	RUN_TEST(test_huge_only_scan_makes_no_unit);
	RUN_TEST(test_threshold_fits_limit_on_synthetic_histories);
	RUN_TEST(test_feed_from_record_stream);
	RUN_TEST(test_bad_ranges_rejected);
	return TEST_SUMMARY();
}
