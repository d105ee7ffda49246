/* SPDX-License-Identifier: MIT */
/*
 * hotness.h - what the agent knows about each page of guest RAM.
 *
 * History: one byte per 4 KiB page, a shift register of the accessed bit
 * of the last 8 scans (bit 7 = the latest scan), shifted when the page is
 * reported in a scan. Why a shift register and
 * not a saturating counter: the rules the policy states ("accessed in at
 * least K of the last W scans", "idle for the last M scans") are exact
 * bit tests on it, a scan costs one shift and one OR per page, and the
 * byte as a whole still orders pages by frequency then recency (see
 * rank below). A counter would blur "hot long ago" with "hot now".
 *
 * Placement: 2 bits per page (DRAM, PMEM, another node, not known),
 * learned from the mover's sweeps (mover_locate) and its own results.
 *
 * Huge pages: 1 bit per 2 MiB block says the block is one unit: mapped
 * by one 2 MiB page in the scan (THP or hugetlbfs), or backed by one
 * 2 MiB page on the host (a second bit, learned when pages are located),
 * since move_pages then moves all 512 pages whichever one it is given.
 * A unit's history lives in the byte of its first page, its placement in
 * all 512 entries, and the mover moves it with one address. A host huge
 * page that the scan still sees as 4 KiB pages (nested page tables map
 * it so until they are rebuilt) is accessed in a scan when any of its
 * pages is. 1 GiB pages are not tracked.
 *
 * Memory: 1 + 1/4 + 3/32768 bytes per 4 KiB page of guest RAM.
 */
#ifndef VMM_HOTNESS_H
#define VMM_HOTNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip_decode.h"
#include "ip_reader.h"
#include "policy.h"

enum tier {
	TIER_NONE = 0,		/* not present, or placement not known yet */
	TIER_DRAM = 1,
	TIER_PMEM = 2,
	TIER_OTHER = 3,		/* a node in neither tier of the policy */
	TIER_NR
};

#define HIST_LATEST	0x80u	/* the latest scan's bit */

/* The hot and cold rules of a policy, as bit masks on the history byte. */
struct hot_rules {
	uint8_t window_mask;	/* the last window_scans bits */
	unsigned int min_hot;	/* hot: popcount(h & window_mask) >= min_hot */
	uint8_t cold_mask;	/* cold: (h & cold_mask) == 0 ... */
	unsigned int cold_scans;	/* ... once this many scans were seen */
	unsigned int gap;	/* hysteresis, in accessed scans of the window */
	/*
	 * Rank of each byte value, 0 (coldest) to 255 (hottest): ordered by
	 * accesses in the window, then in the whole history, then recency.
	 */
	uint8_t rank[256];
	uint8_t byte_of_rank[256];
	uint8_t hits[256];	/* popcount(h & window_mask), precomputed */
};

void hot_rules_init(struct hot_rules *r, const struct policy *p);

static inline unsigned int hist_window_hits(const struct hot_rules *r,
					    uint8_t h)
{
	return r->hits[h];
}

static inline bool hist_is_hot(const struct hot_rules *r, uint8_t h)
{
	return hist_window_hits(r, h) >= r->min_hot;
}

/* scans: scans seen since attach; too few and nothing is cold yet. */
static inline bool hist_is_cold(const struct hot_rules *r, uint8_t h,
				uint64_t scans)
{
	return scans >= r->cold_scans && !(h & r->cold_mask);
}

/*
 * The lowest rank that may be promoted so that the hot pages kept in DRAM
 * fit limit_pages, from a histogram of hot pages by history byte (pages,
 * all tiers). Ranks above the result fit entirely; the result's own rank
 * is the one that fits partly. 0 when every hot page fits.
 */
unsigned int hot_threshold_rank(const struct hot_rules *r,
				const uint64_t hot_hist[256],
				uint64_t limit_pages);

/*
 * Page indexes: each range gets the indexes from first_page[i] on, where
 * first_page[i] (a multiple of 512) stands for the HVA of the range's
 * start rounded down to 2 MiB, so that 2 MiB blocks of HVA are blocks
 * of 512 indexes. The few indexes before an unaligned start are padding:
 * never fed, never present.
 */
struct hotness {
	struct ip_hva_range *ranges;	/* sorted, disjoint, page aligned */
	uint64_t *first_page;
	size_t nr_ranges;
	uint64_t npages;		/* indexes, padding included */
	uint64_t guest_pages;		/* pages in the ranges */
	uint8_t *hist;			/* npages bytes */
	uint8_t *tier;			/* 2 bits a page */
	uint64_t *huge;			/* 1 bit a 2 MiB block: a unit */
	uint64_t *host_huge;		/* ... backed by a host huge page */
	uint64_t *fed;			/* ... aged in the scan under way */
	uint64_t scans;			/* completed scans */
	size_t cursor;			/* range of the last lookup */
	/* the scan in progress */
	uint64_t scan_pages, scan_accessed, scan_gigantic;
	volatile int *stop;		/* set (a signal): the scan ends */
	/*
	 * The scan is huge-only: a 2 MiB record may stand for 512 4 KiB
	 * mappings, so it makes no block a unit (each page gets its bit).
	 */
	bool scan_huge_only;
};

/* ranges: the guest RAM (HVA); they must be page aligned. 0 or -1. */
int hotness_init(struct hotness *h, const struct ip_hva_range *ranges,
		 size_t n);
void hotness_fini(struct hotness *h);

/*
 * A scan: begin, feed every decoded range, end. hotness_feed asks the
 * decoder to stop once *stop is set: the pages not reported yet keep
 * their history.
 */
void hotness_begin_scan(struct hotness *h);
int hotness_feed(void *hotness, const struct ip_range *r);	/* ip_range_cb */
void hotness_end_scan(struct hotness *h);

/* Page index of hva, or UINT64_MAX if hva is not guest RAM. */
uint64_t hotness_index(struct hotness *h, uint64_t hva);
uint64_t hotness_hva(const struct hotness *h, uint64_t idx);
/* The end of the indexes from idx on whose HVAs follow each other. */
uint64_t hotness_run_end(const struct hotness *h, uint64_t idx);

static inline enum tier hotness_tier(const struct hotness *h, uint64_t idx)
{
	return (enum tier)((h->tier[idx >> 2] >> ((idx & 3) * 2)) & 3);
}

/* Set the placement of the unit starting at idx (all 512 if huge). */
void hotness_set_tier(struct hotness *h, uint64_t idx, enum tier t);
/* Every page's placement not known (TIER_NONE). */
void hotness_forget_tiers(struct hotness *h);

static inline bool hotness_block_huge(const struct hotness *h, uint64_t idx)
{
	uint64_t b = idx / 512;

	return h->huge[b / 64] & (1ull << (b % 64));
}

static inline bool hotness_block_host_huge(const struct hotness *h,
					   uint64_t idx)
{
	uint64_t b = idx / 512;

	return h->host_huge[b / 64] & (1ull << (b % 64));
}

/* Is every whole 2 MiB block of the ranges backed by a host huge page
 * (and there is one)? */
bool hotness_all_host_huge(const struct hotness *h);

/* Are all 512 indexes of the block at head guest RAM (no padding)? */
bool hotness_block_whole(struct hotness *h, uint64_t head);

/*
 * The host backs the block at head (block aligned) by one huge page, or
 * no longer does: the block becomes one unit, as hot as its hottest
 * page, or its pages are units again, each with the block's history.
 */
void hotness_set_host_huge(struct hotness *h, uint64_t head, bool on);

/* Pages in the unit at idx: 512 for a huge block's first page, else 1. */
static inline unsigned int hotness_unit_pages(const struct hotness *h,
					      uint64_t idx)
{
	return (idx % 512 == 0 && hotness_block_huge(h, idx)) ? 512 : 1;
}

#endif /* VMM_HOTNESS_H */
