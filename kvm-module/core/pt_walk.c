// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Walks one page-table tree over an address range, clearing
 * the accessed state it finds and describing the range as runs; merges
 * the runs of several roots. See pt_walk.h.
 *
 * The walker is specialised per backend: the table walk is an inline
 * function taking the backend as a constant, instantiated three times,
 * so the entry rules of pt_rules.h compile to plain bit tests. A PTE
 * table is first summarised (OR and AND of its entries); an all-idle or
 * all-empty table becomes one run without looking at entries one by one.
 * Otherwise blocks of 8 entries are summarised the same way, and only
 * the blocks with accessed entries are taken entry by entry.
 *
 * Each decision about an entry uses a single read of it; entries are
 * only changed with atomic operations that re-check the value read.
 */
#include "pt_walk.h"
#include "pt_rules.h"

#define PTW_PMD_SIZE	(1ULL << PTW_LEVEL_SHIFT(2))

struct ptw_ctx {
	unsigned int flags;
	struct ptw_runs *out;
	struct ptw_stats *st;
	void *env;
	u64 stop;		/* where the walk stopped, out being full */
};

/*
 * Append a run, or extend the last one. Returns false (and records the
 * stop address) if that needs a new slot and @out is full: the caller
 * then stops before touching anything at or past @addr.
 */
static __always_inline bool ptw_emit(struct ptw_ctx *c, u64 addr, u64 npages,
				     u8 state, u8 level)
{
	struct ptw_runs *o = c->out;
	struct ptw_run *r;

	if (o->nr) {
		r = &o->run[o->nr - 1];
		if (r->state == state && r->level == level &&
		    r->start + (r->npages << 12) == addr) {
			r->npages += npages;
			return true;
		}
	}
	if (o->nr == o->max) {
		c->stop = addr;
		return false;
	}
	r = &o->run[o->nr++];
	r->start = addr;
	r->npages = npages;
	r->state = state;
	r->level = level;
	return true;
}

/* Statistics follow the runs reported: present and accessed 4 KiB units. */
static __always_inline void ptw_count(struct ptw_ctx *c, u64 npages, u8 state,
				      u32 seen)
{
	if (state == PTW_HOLE)
		return;
	c->st->pages_scanned += npages;
	if (state >= PTW_ACCESSED)
		c->st->pages_accessed += npages;
	c->st->page_sizes_seen |= seen;
}

/*
 * The enum ptw_state of a leaf entry (PTW_HOLE if not present), computed
 * without branches. DIRTY only if @dirty_flag (PTW_DIRTY was asked for).
 */
static __always_inline unsigned int ptw_leaf_key(const enum ptw_backend be,
						 u64 e, int level,
						 unsigned int dirty_flag)
{
	unsigned int pres = ptw_present(be, e, level);
	unsigned int acc = ptw_accessed(be, e);
	unsigned int dirty = ptw_dirty(be, e) & dirty_flag;
	unsigned int key = PTW_IDLE + acc * (PTW_ACCESSED - PTW_IDLE) +
			   (acc & dirty) * (PTW_DIRTY_ST - PTW_ACCESSED);

	return key & -pres;
}

/*
 * One pass over @n entries: PTW_IDLE if all are present and idle,
 * PTW_HOLE if none is present, else PTW_ACCESSED ("look closer").
 * Two accumulators each so the loads don't wait on one another.
 */
static __always_inline u8 ptw_pte_summary(const enum ptw_backend be,
					  u64 *pte, unsigned int n)
{
	u64 or0 = 0, or1 = 0, and0 = ~0ULL, and1 = ~0ULL;
	unsigned int i;

	for (i = 0; i + 1 < n; i += 2) {
		u64 a = ptw_read(&pte[i]), b = ptw_read(&pte[i + 1]);

		or0 |= a;
		and0 &= a;
		or1 |= b;
		and1 &= b;
	}
	if (i < n) {
		u64 a = ptw_read(&pte[i]);

		or0 |= a;
		and0 &= a;
	}
	or0 |= or1;
	and0 &= and1;
	if (ptw_none_present(be, or0))
		return PTW_HOLE;
	if (ptw_all_present(be, and0) && ptw_all_idle(be, or0, and0))
		return PTW_IDLE;
	return PTW_ACCESSED;
}

#define PTW_BLOCK	8

/* The run being built in the closer look at a PTE table. */
struct ptw_cur {
	unsigned int key;	/* its state; ~0 before the first */
	u64 more;		/* pages not yet added to it */
};

static __always_inline void ptw_cur_close(struct ptw_ctx *c,
					  struct ptw_cur *r)
{
	if (r->key == ~0U)
		return;
	c->out->run[c->out->nr - 1].npages += r->more;
	ptw_count(c, r->more, r->key, IDLE_PAGES_SEEN_4K);
}

/*
 * @n entries in state @key at @addr: they extend the current run, or it
 * ends and a new one takes its slot (false if there is none).
 */
static __always_inline bool ptw_cur_add(struct ptw_ctx *c, struct ptw_cur *r,
					u64 addr, unsigned int n,
					unsigned int key)
{
	if (key == r->key) {
		r->more += n;
		return true;
	}
	ptw_cur_close(c, r);
	r->key = key;
	r->more = 0;
	if (!ptw_emit(c, addr, n, key, PTW_4K))
		return false;
	ptw_count(c, n, key, IDLE_PAGES_SEEN_4K);
	return true;
}

/*
 * A PTE table that needs a closer look, PTW_BLOCK entries at a time: a
 * block that the summary finds all idle (or all empty) extends the runs
 * as a whole, as most blocks of a table with a few accessed pages do;
 * the others are looked at entry by entry. Each decision about an entry
 * is made from a single read of it, and a run has its slot before any
 * of its entries is touched.
 */
static __always_inline bool ptw_ptes_mixed(struct ptw_ctx *c,
					   const enum ptw_backend be, u64 *pt,
					   u64 addr, u64 end)
{
	unsigned int i = (addr >> 12) & (PTW_ENTRIES - 1);
	unsigned int last = i + ((end - addr) >> 12), stop, key;
	unsigned int dirty_flag = !!(c->flags & PTW_DIRTY);
	struct ptw_cur r = { .key = ~0U };

	while (i < last) {
		stop = (i | (PTW_BLOCK - 1)) + 1;
		if (stop > last)
			stop = last;
		key = PTW_ACCESSED;
		if (stop - i == PTW_BLOCK)
			key = ptw_pte_summary(be, pt + i, PTW_BLOCK);
		if (key != PTW_ACCESSED) {
			if (!ptw_cur_add(c, &r, addr, PTW_BLOCK, key))
				return false;
			i = stop;
			addr += (u64)PTW_BLOCK << 12;
			continue;
		}
		for (; i < stop; i++, addr += 1ULL << 12) {
			u64 e = ptw_read(&pt[i]);

			key = ptw_leaf_key(be, e, 1, dirty_flag);
			if (!ptw_cur_add(c, &r, addr, 1, key))
				return false;
			if (key >= PTW_ACCESSED)
				c->st->bits_cleared +=
					ptw_clear_leaf(be, &pt[i], e, 1, c->env);
		}
	}
	ptw_cur_close(c, &r);
	return true;
}

/*
 * [addr, end) inside the PTE table @pt: one run if the summary says all
 * idle or all empty, else the closer look.
 */
static __always_inline bool ptw_walk_ptes(struct ptw_ctx *c,
					  const enum ptw_backend be, u64 *pt,
					  u64 addr, u64 end)
{
	unsigned int first = (addr >> 12) & (PTW_ENTRIES - 1);
	unsigned int n = (end - addr) >> 12;
	u8 s = ptw_pte_summary(be, pt + first, n);

	if (s == PTW_ACCESSED)
		return ptw_ptes_mixed(c, be, pt, addr, end);
	if (!ptw_emit(c, addr, n, s, PTW_4K))
		return false;
	ptw_count(c, n, s, IDLE_PAGES_SEEN_4K);
	return true;
}

/*
 * Huge-only mode over a PMD whose entry has no A bit (A/D-disabled EPT):
 * the 2 MiB is accessed if any PTE is, and those PTEs are aged so the
 * next round starts afresh. A free slot is required up front because the
 * state is only known after the PTEs have been changed.
 */
static __always_inline bool ptw_pmd_from_ptes(struct ptw_ctx *c,
					      const enum ptw_backend be,
					      u64 *pt, u64 addr, u64 end)
{
	unsigned int first = (addr >> 12) & (PTW_ENTRIES - 1);
	unsigned int n = (end - addr) >> 12, i;
	u8 s = PTW_HOLE;

	if (c->out->nr == c->out->max) {
		c->stop = addr;
		return false;
	}
	for (i = first; i < first + n; i++) {
		u64 e = ptw_read(&pt[i]);
		u8 es = ptw_leaf_key(be, e, 1, !!(c->flags & PTW_DIRTY));

		if (es > s)
			s = es;
		if (es >= PTW_ACCESSED)
			c->st->bits_cleared +=
				ptw_clear_leaf(be, &pt[i], e, 1, c->env);
	}
	ptw_emit(c, addr, n, s, s == PTW_HOLE ? PTW_4K : PTW_2M);
	ptw_count(c, n, s, IDLE_PAGES_SEEN_4K);
	return true;
}

/*
 * Skim: may [addr, end) under a non-leaf PMD be reported as one
 * PMD_IDLE_PTES without a closer look? With a non-leaf A bit, when it is
 * clear (no walk went through it since it was cleared). A/D-disabled EPT
 * has no such bit (make_nonleaf_spte()), so there the whole 2 MiB must be
 * in range and its 512 PTEs all present and idle: one pass of the
 * summary, which the walk would make anyway, and the record readers of
 * skim mode expect for an idle 2 MiB.
 */
static __always_inline bool ptw_skim_idle(const enum ptw_backend be, u64 *pt,
					  u64 e, bool has_a, u64 addr,
					  u64 end, u64 span)
{
	if (has_a)
		return !(e & ptw_bit(ptw_a_bit(be)));
	return addr == span && end == span + PTW_PMD_SIZE &&
	       ptw_pte_summary(be, pt, PTW_ENTRIES) == PTW_IDLE;
}

/*
 * [addr, end) under the non-leaf PMD entry *@p (read as @e) whose 2 MiB
 * span starts at @span.
 *
 * Its A bit is the CPU's record of walks through it since it was last
 * cleared. Normal mode clears it before reading the PTEs (an access
 * during the scan sets it again), but only when the range covers the
 * whole 2 MiB: otherwise PTEs outside the range, not aged now, could be
 * skipped by a later skim. If the walk then stops inside the table, the
 * A bit is put back for the same reason.
 */
static __always_inline bool ptw_walk_pmd_table(struct ptw_ctx *c,
					       const enum ptw_backend be,
					       u64 *p, u64 e, u64 addr,
					       u64 end, u64 span)
{
	u64 a = ptw_bit(ptw_a_bit(be));
	u64 n = (end - addr) >> 12;
	u64 *pt = ptw_table(ptw_table_pa(e));
	bool has_a = ptw_nonleaf_has_a(be, e);
	bool cleared = false;
	u8 s;

	if (c->flags & PTW_HUGE_ONLY) {
		if (!has_a)
			return ptw_pmd_from_ptes(c, be, pt, addr, end);
		s = (e & a) ? PTW_ACCESSED : PTW_IDLE;
		if (!ptw_emit(c, addr, n, s, PTW_2M))
			return false;
		ptw_count(c, n, s, IDLE_PAGES_SEEN_4K);
		/* One A bit for the 2 MiB, cleared once the range ends it. */
		if ((e & a) && end == span + PTW_PMD_SIZE)
			c->st->bits_cleared += ptw_clear_nonleaf_a(be, p, e);
		return true;
	}
	if ((c->flags & PTW_SKIM) && ptw_skim_idle(be, pt, e, has_a, addr,
						   end, span)) {
		if (!ptw_emit(c, addr, n, PTW_IDLE_PTES, PTW_2M))
			return false;
		ptw_count(c, n, PTW_IDLE_PTES, IDLE_PAGES_SEEN_4K);
		return true;
	}
	if (has_a && (e & a) && addr == span && end == span + PTW_PMD_SIZE)
		cleared = ptw_clear_nonleaf_a(be, p, e);
	c->st->bits_cleared += cleared;
	if (ptw_walk_ptes(c, be, pt, addr, end))
		return true;
	if (cleared)
		ptw_restore_nonleaf_a(be, p, e);
	return false;
}

/*
 * A 2 MiB or 1 GiB leaf, [addr, end) of it in range. Its one A bit is
 * cleared only when the range reaches the leaf's end (@leaf_end), so a
 * leaf split over several reads is reported accessed in each part and
 * aged by the last one.
 */
static __always_inline bool ptw_huge_leaf(struct ptw_ctx *c,
					  const enum ptw_backend be, u64 *p,
					  u64 e, int level, u64 addr, u64 end,
					  u64 leaf_end)
{
	u64 n = (end - addr) >> 12;
	u8 s = ptw_leaf_key(be, e, level, !!(c->flags & PTW_DIRTY));

	if (!ptw_emit(c, addr, n, s, level))
		return false;
	ptw_count(c, n, s, level == PTW_2M ? IDLE_PAGES_SEEN_2M
					   : IDLE_PAGES_SEEN_1G);
	if (s >= PTW_ACCESSED && end == leaf_end)
		c->st->bits_cleared += ptw_clear_leaf(be, p, e, level, c->env);
	return true;
}

static bool ptw_walk_npt(struct ptw_ctx *c, u64 pa, int level, u64 addr,
			 u64 end);
static bool ptw_walk_ept(struct ptw_ctx *c, u64 pa, int level, u64 addr,
			 u64 end);
static bool ptw_walk_native(struct ptw_ctx *c, u64 pa, int level, u64 addr,
			    u64 end);

/* Recursion goes through the per-backend instances. */
static __always_inline bool ptw_descend(struct ptw_ctx *c,
					const enum ptw_backend be, u64 pa,
					int level, u64 addr, u64 end)
{
	switch (be) {
	case PTW_NPT:
		return ptw_walk_npt(c, pa, level, addr, end);
	case PTW_EPT:
		return ptw_walk_ept(c, pa, level, addr, end);
	case PTW_NATIVE:
		return ptw_walk_native(c, pa, level, addr, end);
	}
	return true;
}

/* [addr, end) inside the table at @pa of @level (2 and up). */
static __always_inline bool ptw_walk_table(struct ptw_ctx *c,
					   const enum ptw_backend be, u64 pa,
					   int level, u64 addr, u64 end)
{
	u64 *table = ptw_table(pa);
	int shift = PTW_LEVEL_SHIFT(level);
	u64 size = 1ULL << shift;
	unsigned int i = (addr >> shift) & (PTW_ENTRIES - 1);

	for (; addr < end; i++) {
		u64 span = addr & ~(size - 1);
		u64 next = span + size < end ? span + size : end;
		u64 e = ptw_read(&table[i]);
		bool ok;

		if (!ptw_present(be, e, level))
			ok = ptw_emit(c, addr, (next - addr) >> 12, PTW_HOLE,
				      PTW_4K);
		else if (ptw_is_leaf(e, level))
			ok = ptw_huge_leaf(c, be, &table[i], e, level, addr,
					   next, span + size);
		else if (level == 2)
			ok = ptw_walk_pmd_table(c, be, &table[i], e, addr,
						next, span);
		else
			ok = ptw_descend(c, be, ptw_table_pa(e), level - 1,
					 addr, next);
		if (!ok)
			return false;
		addr = next;
	}
	return true;
}

static bool ptw_walk_npt(struct ptw_ctx *c, u64 pa, int level, u64 addr,
			 u64 end)
{
	return ptw_walk_table(c, PTW_NPT, pa, level, addr, end);
}

static bool ptw_walk_ept(struct ptw_ctx *c, u64 pa, int level, u64 addr,
			 u64 end)
{
	return ptw_walk_table(c, PTW_EPT, pa, level, addr, end);
}

static bool ptw_walk_native(struct ptw_ctx *c, u64 pa, int level, u64 addr,
			    u64 end)
{
	return ptw_walk_table(c, PTW_NATIVE, pa, level, addr, end);
}

/*
 * @start is rounded down and @end up to 4 KiB. Addresses past what the
 * tree can map (2^48 or 2^57) are holes. The statistics are those of this
 * call. Per SPTE A/D marking decides how an EPT entry is read (as KVM's
 * spte_ad_enabled() does), so tree->ad_disabled is informational here.
 * A tree with other than 4 or 5 levels, or an unknown backend, is not
 * walked: the return value is @start.
 */
u64 ptw_walk(const struct ptw_tree *tree, u64 start, u64 end,
	     unsigned int flags, struct ptw_runs *out, struct ptw_stats *st,
	     void *env_ctx)
{
	struct ptw_stats unused;
	struct ptw_ctx c = {
		.flags = flags, .out = out, .st = st ? st : &unused,
		.env = env_ctx,
	};
	u64 top, walk_end;
	bool ok;

	c.st->pages_scanned = 0;
	c.st->pages_accessed = 0;
	c.st->bits_cleared = 0;
	c.st->page_sizes_seen = 0;
	start &= ~0xfffULL;
	end = (end + 0xfff) & ~0xfffULL;
	if ((tree->levels != 4 && tree->levels != 5) || start >= end)
		return start;
	top = 1ULL << PTW_LEVEL_SHIFT(tree->levels + 1);
	walk_end = end < top ? end : top;
	ok = true;
	if (start < walk_end) {
		switch (tree->backend) {
		case PTW_NPT:
			ok = ptw_walk_npt(&c, tree->root_pa, tree->levels,
					  start, walk_end);
			break;
		case PTW_EPT:
			ok = ptw_walk_ept(&c, tree->root_pa, tree->levels,
					  start, walk_end);
			break;
		case PTW_NATIVE:
			ok = ptw_walk_native(&c, tree->root_pa, tree->levels,
					     start, walk_end);
			break;
		default:
			return start;
		}
	}
	if (ok && walk_end < end) {
		u64 from = start > walk_end ? start : walk_end;

		ok = ptw_emit(&c, from, (end - from) >> 12, PTW_HOLE, PTW_4K);
	}
	return ok ? end : c.stop;
}

/* Higher state wins; for equal states the larger mapping. */
static const struct ptw_run *ptw_stronger(const struct ptw_run *x,
					  const struct ptw_run *y)
{
	if (!x)
		return y;
	if (!y)
		return x;
	if (x->state != y->state)
		return x->state > y->state ? x : y;
	return x->level >= y->level ? x : y;
}

static u64 ptw_run_end(const struct ptw_run *r)
{
	return r->start + (r->npages << 12);
}

/*
 * Sweep both lists in address order, cutting at every run boundary; each
 * piece takes the stronger of the runs covering it. Lists covering the
 * same contiguous range give at most a->nr + b->nr - 1 pieces, fewer
 * after merging equal neighbours; @tmp is never written past its max.
 * On return @a and @tmp have exchanged their arrays (and max): @a holds
 * the result, @tmp an empty array.
 */
void ptw_runs_merge(struct ptw_runs *a, const struct ptw_runs *b,
		    struct ptw_runs *tmp)
{
	struct ptw_ctx c = { .out = tmp };
	unsigned int i = 0, j = 0;
	struct ptw_run *swap_run;
	unsigned int swap_max;
	u64 pos = 0;

	tmp->nr = 0;
	while (i < a->nr || j < b->nr) {
		const struct ptw_run *ra = i < a->nr ? &a->run[i] : NULL;
		const struct ptw_run *rb = j < b->nr ? &b->run[j] : NULL;
		const struct ptw_run *win;
		u64 lo, cut;

		/* The lowest address not yet merged. */
		lo = ra ? ra->start : rb->start;
		if (rb && rb->start < lo)
			lo = rb->start;
		if (pos < lo)
			pos = lo;
		if (ra && ra->start > pos)
			ra = NULL;
		if (rb && rb->start > pos)
			rb = NULL;
		/* This piece ends at the first boundary after pos. */
		cut = ~0ULL;
		if (ra)
			cut = ptw_run_end(ra);
		else if (i < a->nr)
			cut = a->run[i].start;
		if (rb && ptw_run_end(rb) < cut)
			cut = ptw_run_end(rb);
		else if (!rb && j < b->nr && b->run[j].start < cut)
			cut = b->run[j].start;
		win = ptw_stronger(ra, rb);
		if (cut > pos &&
		    !ptw_emit(&c, pos, (cut - pos) >> 12, win->state,
			      win->level))
			break;
		pos = cut;
		while (i < a->nr && ptw_run_end(&a->run[i]) <= pos)
			i++;
		while (j < b->nr && ptw_run_end(&b->run[j]) <= pos)
			j++;
	}
	swap_run = a->run;
	swap_max = a->max;
	a->run = tmp->run;
	a->max = tmp->max;
	a->nr = tmp->nr;
	tmp->run = swap_run;
	tmp->max = swap_max;
	tmp->nr = 0;
}
