/* SPDX-License-Identifier: MIT */
/*
 * pattern.h - the synthetic guests of agent-scale: which pages a guest
 * touches between two scans. The layout of one GiB (a period) repeats
 * through the guest, so that a scan of any size is generated on the fly
 * from a few hundred KiB, never from a per-page array.
 *
 * In every period exactly 5% of the units are hot (accessed in every
 * scan) and 10% warm (accessed in every fourth scan), picked at random
 * with a fixed seed; the rest stay idle. A unit is a 4 KiB page
 * (4k-scattered) or a 2 MiB group of 512 pages, mapped by 4 KiB pages
 * (4k-groups) or by one 2 MiB page backed by a host huge page
 * (2m-mapped).
 */
#ifndef AGENT_SCALE_PATTERN_H
#define AGENT_SCALE_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pt_walk.h"

enum pat_kind { PAT_4K_SCATTERED, PAT_4K_GROUPS, PAT_2M_MAPPED, PAT_NR };
enum pat_class { CLS_IDLE, CLS_HOT, CLS_WARM };

#define PAT_PERIOD_PAGES	(1u << 18)	/* 1 GiB */
#define PAT_HOT_PCT		5
#define PAT_WARM_PCT		10
#define PAT_WARM_EVERY		4

/* Runs of one period in one kind of scan: run i is [start[i], start[i + 1]). */
struct pat_runs {
	uint32_t *start;	/* n + 1 entries, the last PAT_PERIOD_PAGES */
	uint8_t *accessed;
	size_t n;
};

struct pattern {
	enum pat_kind kind;
	unsigned int unit_pages;	/* 1 or 512 */
	int level;			/* enum ptw_level of the mappings */
	bool host_huge;			/* the host backs units by huge pages */
	uint8_t *cls;			/* enum pat_class per unit of a period */
	uint64_t hot_units, warm_units;	/* per period */
	struct pat_runs runs[2];	/* [0]: a quiet scan, [1]: a warm one */
};

int pattern_init(struct pattern *p, enum pat_kind kind);
void pattern_fini(struct pattern *p);

const char *pattern_name(enum pat_kind kind);	/* "4k-scattered", ... */
int pattern_kind(const char *name);		/* -1 if unknown */

/* Scans count from 1; every fourth one also finds the warm units accessed. */
static inline bool pattern_warm_scan(uint64_t scan)
{
	return scan % PAT_WARM_EVERY == 0;
}

static inline enum pat_class pattern_class(const struct pattern *p,
					   uint64_t page)
{
	return (enum pat_class)p->cls[page % PAT_PERIOD_PAGES / p->unit_pages];
}

/*
 * Appends to out what the walker reports for guest pages [first, first +
 * n) in a scan (warm: a warm scan) with the scan flags (PTW_SKIM: an
 * idle 2 MiB of 4 KiB pages is one PTW_IDLE_PTES run; the PMD's accessed
 * bit is set by any access below): runs at GPA page * 4 KiB, adjacent
 * runs of equal state merged, as ptw_walk() does. -1 if out is full.
 */
int pattern_runs(const struct pattern *p, bool warm, uint64_t first,
		 uint64_t n, unsigned int flags, struct ptw_runs *out);

#endif /* AGENT_SCALE_PATTERN_H */
