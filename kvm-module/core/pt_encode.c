// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Turns walk runs into the idle_pages record stream of
 * include/idle_pages.md. See pt_walk.h.
 *
 * A run is cut at the boundaries of its mapping size: whole 2 MiB units
 * of a 2 MiB run become PMD records, whole GiB units of a 1 GiB run PUD
 * records, and the parts of a huge run that the range only partly covers
 * become records of the next smaller size with the same state (a part of
 * a GiB: PMD records for its whole 2 MiB units, PTE records for the
 * rest). Holes use PMD_HOLE for whole aligned 2 MiB units, PTE_HOLE
 * elsewhere. Records of one type that follow one another are packed 15
 * pages to a byte; the last record stays pending, not yet in the buffer,
 * so that the next run, possibly of a later call, can extend it.
 */
#include "pt_walk.h"
#include "pt_rules.h"

#define PTW_SIZE(level)	(1ULL << PTW_LEVEL_SHIFT(level))

/* Record types of each state, per mapping size. */
static const u8 ptw_pte_type[] = {
	[PTW_HOLE] = PTE_HOLE, [PTW_IDLE] = PTE_IDLE,
	[PTW_IDLE_PTES] = PTE_IDLE, [PTW_ACCESSED] = PTE_ACCESSED,
	[PTW_DIRTY_ST] = PTE_DIRTY,
};

static const u8 ptw_pmd_type[] = {
	[PTW_HOLE] = PMD_HOLE, [PTW_IDLE] = PMD_IDLE,
	[PTW_IDLE_PTES] = PMD_IDLE_PTES, [PTW_ACCESSED] = PMD_ACCESSED,
	[PTW_DIRTY_ST] = PMD_DIRTY,
};

/* With buf NULL (a dry run) bytes are only counted. */
static void ptw_enc_put(struct ptw_enc *e, u8 byte)
{
	if (e->buf)
		e->buf[e->len] = byte;
	e->len++;
}

/*
 * @count units of record @type: the pending record is extended first,
 * then full records go out at once and the last one stays pending.
 */
static void ptw_enc_records(struct ptw_enc *e, u8 type, u64 count)
{
	unsigned int nr = PIP_NR(e->pending);
	u64 full;

	if (e->pending && PIP_TYPE(e->pending) == type && nr < PIP_MAX_NR) {
		full = count < PIP_MAX_NR - nr ? count : PIP_MAX_NR - nr;
		e->pending += full;
		count -= full;
	}
	if (!count)
		return;
	if (e->pending)
		ptw_enc_put(e, e->pending);
	full = (count - 1) / PIP_MAX_NR;
	if (e->buf)
		memset(e->buf + e->len, PIP_COMPOSE(type, PIP_MAX_NR), full);
	e->len += full;
	e->pending = PIP_COMPOSE(type, count - full * PIP_MAX_NR);
}

static void ptw_enc_set_hva(struct ptw_enc *e, u64 hva)
{
	int shift;

	if (e->pending)
		ptw_enc_put(e, e->pending);
	e->pending = 0;
	ptw_enc_put(e, PIP_SET_HVA_BYTE);
	for (shift = 56; shift >= 0; shift -= 8)
		ptw_enc_put(e, (u8)(hva >> shift));
	e->started = true;
}

static u64 ptw_align_up(u64 x, u64 size)
{
	return (x + size - 1) & ~(size - 1);
}

/*
 * [hva, end) in @state, mapped by pages of @level: whole units of that
 * size in the middle, the partly covered ends one size smaller. Units are
 * aligned in the walked address space (GPA for a VM: where the leaves
 * are), which is HVA minus @off; the HVA itself need not be aligned.
 */
static void ptw_enc_span(struct ptw_enc *e, u64 hva, u64 end, u64 off,
			 u8 state, int level)
{
	u64 size = PTW_SIZE(level), lo, hi;
	u8 type;

	if (level == PTW_4K) {
		ptw_enc_records(e, ptw_pte_type[state], (end - hva) >> 12);
		return;
	}
	lo = ptw_align_up(hva - off, size) + off;
	hi = ((end - off) & ~(size - 1)) + off;
	if (lo >= hi) {
		ptw_enc_span(e, hva, end, off, state, level - 1);
		return;
	}
	if (level == PTW_2M)
		type = ptw_pmd_type[state];
	else if (!(e->flags & PTW_EXT))
		type = PUD_PRESENT;
	else
		type = state >= PTW_ACCESSED ? PUD_ACCESSED : PUD_IDLE;
	ptw_enc_span(e, hva, lo, off, state, level - 1);
	ptw_enc_records(e, type, (hi - lo) >> PTW_LEVEL_SHIFT(level));
	ptw_enc_span(e, hi, end, off, state, level - 1);
}

static bool ptw_run_valid(const struct ptw_run *r)
{
	if (r->start & 0xfff || r->state > PTW_DIRTY_ST)
		return false;
	if (r->level < PTW_4K || r->level > PTW_1G)
		return false;
	/* A 1 GiB skim state or hole does not exist. */
	return r->level != PTW_1G ||
	       (r->state != PTW_HOLE && r->state != PTW_IDLE_PTES);
}

/*
 * An upper bound of the bytes @runs take: per run a SET_HVA and at most
 * five pieces (a GiB cut at both ends), each a record more than its
 * units / 15, plus the pending record. -EINVAL for a malformed run.
 */
static int ptw_enc_bound(const struct ptw_runs *runs, u64 *bound)
{
	unsigned int i;

	*bound = 1;
	for (i = 0; i < runs->nr; i++) {
		if (!ptw_run_valid(&runs->run[i]))
			return -EINVAL;
		*bound += PIP_SET_HVA_LEN + 5 +
			  runs->run[i].npages / PIP_MAX_NR;
	}
	return 0;
}

static void ptw_enc_all(struct ptw_enc *e, const struct ptw_runs *runs,
			u64 hva_minus_addr)
{
	unsigned int i;

	for (i = 0; i < runs->nr; i++) {
		const struct ptw_run *r = &runs->run[i];
		u64 hva = r->start + hva_minus_addr;
		int level = r->level;

		if (!r->npages)
			continue;
		if (!e->started || hva != e->next_hva)
			ptw_enc_set_hva(e, hva);
		/* Holes are cut like 2 MiB runs: PMD_HOLE where aligned. */
		if (r->state == PTW_HOLE)
			level = PTW_2M;
		ptw_enc_span(e, hva, hva + (r->npages << 12), hva_minus_addr,
			     r->state, level);
		e->next_hva = hva + (r->npages << 12);
	}
}

void ptw_enc_init(struct ptw_enc *e, u8 *buf, size_t cap, u64 start_hva,
		  unsigned int flags)
{
	e->buf = buf;
	e->len = 0;
	e->cap = cap;
	e->next_hva = start_hva;
	e->started = false;
	e->flags = flags;
	e->pending = 0;
}

/*
 * All or nothing: unless a cheap upper bound fits, a dry run on a copy
 * measures the bytes, pending record included, and nothing is written
 * unless they all fit. The stream starts with a SET_HVA of the first
 * run's HVA.
 */
int ptw_enc_runs(struct ptw_enc *e, const struct ptw_runs *runs,
		 u64 hva_minus_addr)
{
	struct ptw_enc dry;
	u64 bound;
	int err;

	err = ptw_enc_bound(runs, &bound);
	if (err)
		return err;
	if (bound > e->cap - e->len) {
		dry = *e;
		dry.buf = NULL;
		ptw_enc_all(&dry, runs, hva_minus_addr);
		if (dry.len + (dry.pending ? 1 : 0) > e->cap)
			return -ENOSPC;
	}
	ptw_enc_all(e, runs, hva_minus_addr);
	return 0;
}

void ptw_enc_seek(struct ptw_enc *e, u64 hva)
{
	ptw_enc_set_hva(e, hva);
	e->next_hva = hva;
}

size_t ptw_enc_finish(struct ptw_enc *e)
{
	if (e->pending && e->len < e->cap)
		ptw_enc_put(e, e->pending);
	e->pending = 0;
	return e->len;
}
