/* SPDX-License-Identifier: MIT */
/*
 * pattern.c - the synthetic guests' access patterns (see pattern.h).
 */
#include <stdlib.h>
#include <string.h>

#include "pattern.h"

#define PAT_SEED	0x5eedf00du

static const char *const names[PAT_NR] = {
	[PAT_4K_SCATTERED] = "4k-scattered",
	[PAT_4K_GROUPS] = "4k-groups",
	[PAT_2M_MAPPED] = "2m-mapped",
};

const char *pattern_name(enum pat_kind kind)
{
	return kind < PAT_NR ? names[kind] : "?";
}

int pattern_kind(const char *name)
{
	for (int k = 0; k < PAT_NR; k++)
		if (!strcmp(name, names[k]))
			return k;
	return -1;
}

/* splitmix64: a fixed seed gives every run the same guest */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int build_runs(struct pattern *p, bool warm, struct pat_runs *r)
{
	uint64_t units = PAT_PERIOD_PAGES / p->unit_pages;
	size_t n = 0;

	/* at most one run per unit */
	r->start = malloc((units + 1) * sizeof(*r->start));
	r->accessed = malloc(units);
	if (!r->start || !r->accessed)
		return -1;
	for (uint64_t u = 0; u < units; u++) {
		bool acc = p->cls[u] == CLS_HOT ||
			   (warm && p->cls[u] == CLS_WARM);

		if (n && r->accessed[n - 1] == acc)
			continue;
		r->start[n] = (uint32_t)(u * p->unit_pages);
		r->accessed[n++] = acc;
	}
	r->start[n] = PAT_PERIOD_PAGES;
	r->n = n;
	return 0;
}

int pattern_init(struct pattern *p, enum pat_kind kind)
{
	uint64_t units, seed = PAT_SEED, *order;

	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->unit_pages = kind == PAT_4K_SCATTERED ? 1 : 512;
	p->level = kind == PAT_2M_MAPPED ? PTW_2M : PTW_4K;
	p->host_huge = kind == PAT_2M_MAPPED;
	units = PAT_PERIOD_PAGES / p->unit_pages;
	p->hot_units = (units * PAT_HOT_PCT + 50) / 100;
	p->warm_units = (units * PAT_WARM_PCT + 50) / 100;
	p->cls = calloc(units, 1);
	order = malloc(units * sizeof(*order));
	if (!p->cls || !order)
		goto fail;
	/* a random permutation: its head is hot, the next ones warm */
	for (uint64_t i = 0; i < units; i++)
		order[i] = i;
	for (uint64_t i = units - 1; i > 0; i--) {
		uint64_t j = next_rand(&seed) % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (uint64_t i = 0; i < p->hot_units + p->warm_units; i++)
		p->cls[order[i]] = i < p->hot_units ? CLS_HOT : CLS_WARM;
	free(order);
	order = NULL;
	if (build_runs(p, false, &p->runs[0]) || build_runs(p, true, &p->runs[1]))
		goto fail;
	return 0;
fail:
	free(order);
	pattern_fini(p);
	return -1;
}

void pattern_fini(struct pattern *p)
{
	for (int i = 0; i < 2; i++) {
		free(p->runs[i].start);
		free(p->runs[i].accessed);
	}
	free(p->cls);
	memset(p, 0, sizeof(*p));
}

/* The run of r holding period offset off. */
static size_t run_at(const struct pat_runs *r, uint32_t off)
{
	size_t lo = 0, hi = r->n;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (r->start[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int append(struct ptw_runs *out, uint64_t page, uint64_t n, u8 state,
		  u8 level)
{
	struct ptw_run *last = out->nr ? &out->run[out->nr - 1] : NULL;

	if (last && last->state == state && last->level == level &&
	    last->start + (last->npages << 12) == page << 12) {
		last->npages += n;
		return 0;
	}
	if (out->nr == out->max)
		return -1;
	out->run[out->nr++] = (struct ptw_run){ page << 12, n, state, level };
	return 0;
}

static int runs_as_mapped(const struct pattern *p, bool warm, uint64_t first,
			  uint64_t n, struct ptw_runs *out)
{
	const struct pat_runs *r = &p->runs[warm];
	uint64_t page = first, end = first + n;
	uint32_t off = (uint32_t)(page % PAT_PERIOD_PAGES);
	size_t i = run_at(r, off);

	while (page < end) {
		uint64_t len = r->start[i + 1] - off;

		if (len > end - page)
			len = end - page;
		if (append(out, page, len,
			   r->accessed[i] ? PTW_ACCESSED : PTW_IDLE,
			   (u8)p->level))
			return -1;
		page += len;
		off += (uint32_t)len;
		if (off == PAT_PERIOD_PAGES) {
			off = 0;
			i = 0;
		} else if (off == r->start[i + 1]) {
			i++;
		}
	}
	return 0;
}

/* Is the 2 MiB from period offset off (block aligned) untouched? */
static bool block_idle(const struct pat_runs *r, uint32_t off)
{
	/* start[n] is PAT_PERIOD_PAGES: the loop ends there at the latest */
	for (size_t i = run_at(r, off); r->start[i] < off + 512; i++)
		if (r->accessed[i])
			return false;
	return true;
}

int pattern_runs(const struct pattern *p, bool warm, uint64_t first,
		 uint64_t n, unsigned int flags, struct ptw_runs *out)
{
	uint64_t page = first, end = first + n;

	if (p->level != PTW_4K || !(flags & PTW_SKIM))
		return runs_as_mapped(p, warm, first, n, out);
	while (page < end) {
		uint64_t next = (page | 511) + 1;

		if (next > end)
			next = end;
		/* the PMD's bit covers its whole 2 MiB, asked for or not */
		if (block_idle(&p->runs[warm],
			       (uint32_t)(page % PAT_PERIOD_PAGES & ~511ull))) {
			if (append(out, page, next - page, PTW_IDLE_PTES,
				   PTW_2M))
				return -1;
		} else if (runs_as_mapped(p, warm, page, next - page, out)) {
			return -1;
		}
		page = next;
	}
	return 0;
}
