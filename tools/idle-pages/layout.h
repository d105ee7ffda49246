/* SPDX-License-Identifier: MIT */
/*
 * layout.h - the compressed address axis of an analysis: the HVA ranges
 * any round found mapped, merged into segments when the gap between
 * them is small, each segment given a base in one dense page index.
 * Big gaps (a VM's RAM split far apart in HVA) take no space.
 */
#ifndef LAYOUT_H
#define LAYOUT_H

#include <stdint.h>

#include "scan_set.h"

/* Gaps up to this are kept inside a segment (shown as unmapped). */
#define LAYOUT_DEFAULT_MERGE_GAP	(64ull << 20)

struct segment {
	uint64_t start, end;	/* HVA, page aligned, half-open */
	uint64_t base;		/* dense index of the first page */
};

struct layout {
	struct segment *segs;
	size_t nsegs;
	uint64_t npages;	/* dense index space */
};

int layout_build(struct layout *l, const struct scan_set *s,
		 uint64_t merge_gap, char *err, size_t errlen);
void layout_free(struct layout *l);

/* fn(arg, dense index, pages) for the parts of [hva, +npages) in segments. */
typedef void (*span_fn)(void *arg, uint64_t idx, uint64_t npages);
void layout_for_span(const struct layout *l, uint64_t hva, uint64_t npages,
		     span_fn fn, void *arg);

/* HVA of dense index idx. */
uint64_t layout_hva(const struct layout *l, uint64_t idx);

#endif /* LAYOUT_H */
