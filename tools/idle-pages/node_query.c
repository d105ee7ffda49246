/* SPDX-License-Identifier: MIT */
/*
 * node_query.c - page-to-node lookup with move_pages(2) (libnuma).
 */
#include <errno.h>
#include <numaif.h>
#include <stdlib.h>
#include <string.h>

#include "node_query.h"

#define BATCH 4096

struct run_vec {
	struct rec_node_run *v;
	uint64_t n, cap;
};

/* Appends npages at hva on node, extending the last run if it can. */
static int add_run(struct run_vec *rv, uint64_t hva, uint64_t npages,
		   int node)
{
	struct rec_node_run *last = rv->n ? &rv->v[rv->n - 1] : NULL;

	if (last && last->node == node &&
	    last->hva + last->npages * IP_PAGE_SIZE == hva) {
		last->npages += npages;
		return 0;
	}
	if (rv->n == rv->cap) {
		uint64_t cap = rv->cap ? 2 * rv->cap : 256;
		void *p = realloc(rv->v, cap * sizeof(*rv->v));

		if (!p)
			return -1;
		rv->v = p;
		rv->cap = cap;
	}
	rv->v[rv->n++] = (struct rec_node_run){ hva, npages, node };
	return 0;
}

struct batch {
	void *addr[BATCH];
	uint64_t npages[BATCH];
	int status[BATCH];
	unsigned int n;
};

static int flush_batch(pid_t pid, struct batch *b, struct run_vec *rv,
		       char *err, size_t errlen)
{
	if (!b->n)
		return 0;
	if (move_pages(pid, b->n, b->addr, NULL, b->status, 0) < 0) {
		int e = errno;

		snprintf(err, errlen, "move_pages(2) query of pid %d: %s%s",
			 (int)pid, strerror(e),
			 e == EPERM || e == EACCES ?
			 " (needs root, CAP_SYS_NICE or ptrace access)" : "");
		return -1;
	}
	for (unsigned int i = 0; i < b->n; i++)
		if (add_run(rv, (uint64_t)(uintptr_t)b->addr[i], b->npages[i],
			    b->status[i] >= 0 ? b->status[i] : -1)) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	b->n = 0;
	return 0;
}

int node_query_runs(pid_t pid, const struct ip_range *ranges, size_t n,
		    struct rec_node_run **out, uint64_t *nout, char *err,
		    size_t errlen)
{
	struct batch *b = calloc(1, sizeof(*b));
	struct run_vec rv = { 0 };
	int ret = -1;

	if (!b) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ip_range *r = &ranges[i];
		uint64_t unit = 1ull << r->page_shift;
		uint64_t end = r->hva + r->npages * IP_PAGE_SIZE;

		for (uint64_t a = r->hva; a < end; a += unit) {
			uint64_t len = end - a < unit ? end - a : unit;

			b->addr[b->n] = (void *)(uintptr_t)a;
			b->npages[b->n++] = len / IP_PAGE_SIZE;
			if (b->n == BATCH &&
			    flush_batch(pid, b, &rv, err, errlen))
				goto out;
		}
	}
	if (flush_batch(pid, b, &rv, err, errlen))
		goto out;
	*out = rv.v;
	*nout = rv.n;
	rv.v = NULL;
	ret = 0;
out:
	free(rv.v);
	free(b);
	return ret;
}
