// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Walks every root of a VM over one range, each with its own level, and
 * merges what they say. See pt_roots.h.
 */
#include "pt_roots.h"

int ptw_roots_add(struct ptw_roots *rs, u64 pa, int levels)
{
	unsigned int i;

	if (levels != 4 && levels != 5)
		return -EINVAL;
	for (i = 0; i < rs->nr; i++)
		if (rs->root[i].pa == pa)
			return rs->root[i].levels == levels ? 0 : -EINVAL;
	if (rs->nr == PTW_MAX_ROOTS)
		return -ENOSPC;
	rs->root[rs->nr].pa = pa;
	rs->root[rs->nr].levels = levels;
	rs->nr++;
	return 0;
}

u64 ptw_walk_roots(const struct ptw_roots *rs, enum ptw_backend be,
		   u64 start, u64 end, unsigned int flags,
		   struct ptw_roots_bufs *b, struct ptw_stats *st,
		   void *env_ctx)
{
	struct ptw_tree tree = { .backend = be };
	struct ptw_stats one;
	u64 reached = end;
	unsigned int i;

	memset(st, 0, sizeof(*st));
	b->out.nr = 0;
	if (!rs->nr) {
		/* No vCPU has a root yet: nothing is mapped. */
		if (start < end && b->out.max) {
			b->out.run[0] = (struct ptw_run){ .start = start,
				.npages = (end - start) >> 12,
				.state = PTW_HOLE, .level = PTW_4K };
			b->out.nr = 1;
		}
		return end;
	}
	for (i = 0; i < rs->nr && reached > start; i++) {
		struct ptw_runs *out = i ? &b->one : &b->out;

		tree.root_pa = rs->root[i].pa;
		tree.levels = rs->root[i].levels;
		out->nr = 0;
		reached = ptw_walk(&tree, start, reached, flags, out, &one,
				   env_ctx);
		if (i)
			ptw_runs_merge(&b->out, &b->one, &b->tmp);
		else
			st->pages_scanned = one.pages_scanned;
		st->pages_accessed += one.pages_accessed;
		st->bits_cleared += one.bits_cleared;
		st->page_sizes_seen |= one.page_sizes_seen;
	}
	return reached;
}
