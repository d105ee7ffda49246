/* SPDX-License-Identifier: MIT */
/*
 * layout.c - segments of the compressed address axis.
 */
#include <stdlib.h>
#include <string.h>

#include "layout.h"

struct collect {
	struct segment *v;
	size_t n, cap;
	bool oom;
};

static int collect_mapped(void *arg, const struct ip_range *r)
{
	struct collect *c = arg;

	if (ip_type_state(r->type) == IP_ST_HOLE)
		return 0;
	/* the decoder merges runs per type; merge across types here */
	if (c->n && c->v[c->n - 1].end == r->hva) {
		c->v[c->n - 1].end += r->npages * IP_PAGE_SIZE;
		return 0;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 256;
		void *p = realloc(c->v, cap * sizeof(*c->v));

		if (!p) {
			c->oom = true;
			return 1;
		}
		c->v = p;
		c->cap = cap;
	}
	c->v[c->n++] = (struct segment){ r->hva, r->hva + r->npages * IP_PAGE_SIZE, 0 };
	return 0;
}

static int cmp_seg(const void *a, const void *b)
{
	const struct segment *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int layout_build(struct layout *l, const struct scan_set *s,
		 uint64_t merge_gap, char *err, size_t errlen)
{
	struct collect c = { 0 };
	size_t out = 0;

	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < s->nrounds; i++) {
		char why[200];

		if (round_for_each_range(&s->rounds[i], collect_mapped, &c,
					 why, sizeof(why))) {
			snprintf(err, errlen, "round %zu: %s", i,
				 c.oom ? "out of memory" : why);
			free(c.v);
			return -1;
		}
	}
	if (!c.n) {
		snprintf(err, errlen, "no round found any mapped page");
		free(c.v);
		return -1;
	}
	qsort(c.v, c.n, sizeof(*c.v), cmp_seg);
	for (size_t i = 0; i < c.n; i++) {
		struct segment *last = out ? &c.v[out - 1] : NULL;

		if (last && c.v[i].start <= last->end + merge_gap) {
			if (c.v[i].end > last->end)
				last->end = c.v[i].end;
			continue;
		}
		c.v[out++] = c.v[i];
	}
	for (size_t i = 0; i < out; i++) {
		c.v[i].base = l->npages;
		l->npages += (c.v[i].end - c.v[i].start) / IP_PAGE_SIZE;
	}
	l->segs = c.v;
	l->nsegs = out;
	return 0;
}

void layout_free(struct layout *l)
{
	free(l->segs);
	memset(l, 0, sizeof(*l));
}

/* First segment whose end is above hva. */
static size_t first_seg_after(const struct layout *l, uint64_t hva)
{
	size_t lo = 0, hi = l->nsegs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (l->segs[mid].end <= hva)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void layout_for_span(const struct layout *l, uint64_t hva, uint64_t npages,
		     span_fn fn, void *arg)
{
	uint64_t end = hva + npages * IP_PAGE_SIZE;

	for (size_t i = first_seg_after(l, hva);
	     i < l->nsegs && l->segs[i].start < end; i++) {
		const struct segment *s = &l->segs[i];
		uint64_t a = hva > s->start ? hva : s->start;
		uint64_t b = end < s->end ? end : s->end;

		fn(arg, s->base + (a - s->start) / IP_PAGE_SIZE,
		   (b - a) / IP_PAGE_SIZE);
	}
}

uint64_t layout_hva(const struct layout *l, uint64_t idx)
{
	size_t lo = 0, hi = l->nsegs;

	/* last segment whose base is <= idx */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (l->segs[mid].base <= idx)
			lo = mid;
		else
			hi = mid;
	}
	return l->segs[lo].start + (idx - l->segs[lo].base) * IP_PAGE_SIZE;
}
