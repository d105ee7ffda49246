// SPDX-License-Identifier: MIT
/* vmm_pagelist.c - page-number sets for tg-launch's reports. */
#include "vmm_pagelist.h"

#include <stdlib.h>

int tg_pagelist_add(struct tg_pagelist *pl, uint64_t first, uint64_t end)
{
	for (uint64_t p = first; p < end; p++) {
		if (pl->n == pl->cap) {
			size_t cap = pl->cap ? pl->cap * 2 : 256;
			uint64_t *v = realloc(pl->v, cap * sizeof(*v));

			if (!v)
				return -1;
			pl->v = v;
			pl->cap = cap;
		}
		pl->v[pl->n++] = p;
	}
	return 0;
}

int tg_pagelist_merge(struct tg_pagelist *pl, const struct tg_pagelist *other)
{
	for (size_t i = 0; i < other->n; i++)
		if (tg_pagelist_add(pl, other->v[i], other->v[i] + 1))
			return -1;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void tg_pagelist_finish(struct tg_pagelist *pl)
{
	size_t out = 0;

	if (!pl->n)
		return;
	qsort(pl->v, pl->n, sizeof(*pl->v), cmp_u64);
	for (size_t i = 1; i < pl->n; i++)
		if (pl->v[i] != pl->v[out])
			pl->v[++out] = pl->v[i];
	pl->n = out + 1;
}

int tg_pagelist_has(const struct tg_pagelist *pl, uint64_t page)
{
	size_t lo = 0, hi = pl->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pl->v[mid] == page)
			return 1;
		if (pl->v[mid] < page)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int tg_pagelist_add_missing(struct tg_pagelist *pl,
			    const struct tg_pagelist *a,
			    const struct tg_pagelist *b)
{
	for (size_t i = 0; i < a->n; i++)
		if (!tg_pagelist_has(b, a->v[i]) &&
		    tg_pagelist_add(pl, a->v[i], a->v[i] + 1))
			return -1;
	return 0;
}

void tg_pagelist_print(FILE *f, const struct tg_pagelist *pl)
{
	size_t i = 0;

	while (i < pl->n) {
		size_t j = i;

		while (j + 1 < pl->n && pl->v[j + 1] == pl->v[j] + 1)
			j++;
		fprintf(f, "%s%llu", i ? "," : "", (unsigned long long)pl->v[i]);
		if (j > i)
			fprintf(f, "-%llu", (unsigned long long)pl->v[j]);
		i = j + 1;
	}
}

void tg_pagelist_free(struct tg_pagelist *pl)
{
	free(pl->v);
	*pl = (struct tg_pagelist){ 0 };
}
