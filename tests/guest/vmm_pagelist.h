/* SPDX-License-Identifier: MIT */
/*
 * vmm_pagelist.h - tg-launch: a set of guest page numbers (GPA >> 12) and
 * its text form for reports: sorted, merged ranges "256-279,4096,4100-4103".
 */
#ifndef TG_VMM_PAGELIST_H
#define TG_VMM_PAGELIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct tg_pagelist {
	uint64_t *v;
	size_t n;
	size_t cap;
};

/* Adds pages [first, end); -1 if out of memory. */
int tg_pagelist_add(struct tg_pagelist *pl, uint64_t first, uint64_t end);

/* Adds every page of another list. */
int tg_pagelist_merge(struct tg_pagelist *pl, const struct tg_pagelist *other);

/* Sorts and drops duplicates. */
void tg_pagelist_finish(struct tg_pagelist *pl);

/* Is page in a finished list? */
int tg_pagelist_has(const struct tg_pagelist *pl, uint64_t page);

/* Adds the pages of a that are not in the finished list b; -1 if out of
 * memory. */
int tg_pagelist_add_missing(struct tg_pagelist *pl,
			    const struct tg_pagelist *a,
			    const struct tg_pagelist *b);

/* Writes the ranges of a finished list ("" when empty). */
void tg_pagelist_print(FILE *f, const struct tg_pagelist *pl);

void tg_pagelist_free(struct tg_pagelist *pl);

#endif /* TG_VMM_PAGELIST_H */
