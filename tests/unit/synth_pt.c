// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * synth_pt.c - synthetic page tables for the walker's tests and
 * benchmarks; see synth_pt.h. Entry formats follow
 * arch/x86/include/asm/pgtable_types.h (native, and NPT, which uses the
 * x86 format) and KVM's make_spte()/make_nonleaf_spte() in
 * arch/x86/kvm/mmu/spte.c (bit 11 MMU-present, EPT A/D or access
 * tracking).
 */
#include "synth_pt.h"

#include <string.h>
#include <sys/mman.h>

u8 *ptw_user_arena;

#define TABLE_BYTES	4096
#define LEVEL_SHIFT(l)	(12 + 9 * ((l) - 1))
#define ADDR_BITS	0x000ffffffffff000ULL

/* x86 paging */
#define X86_P		(1ULL << 0)
#define X86_RW		(1ULL << 1)
#define X86_US		(1ULL << 2)
#define X86_A		(1ULL << 5)
#define X86_D		(1ULL << 6)
#define X86_PS		(1ULL << 7)
#define X86_PROTNONE	(1ULL << 8)
/* KVM */
#define SPTE_PRESENT	(1ULL << 11)
#define NPT_HOST_WR	(1ULL << 9)
#define NPT_MMU_WR	(1ULL << 10)
/* EPT */
#define EPT_R		(1ULL << 0)
#define EPT_W		(1ULL << 1)
#define EPT_X		(1ULL << 2)
#define EPT_WB		(6ULL << 3)
#define EPT_A		(1ULL << 8)
#define EPT_D		(1ULL << 9)
#define EPT_AD_OFF	(1ULL << 52)

int synth_arena_init(struct synth_arena *a, size_t bytes)
{
	void *p;

	bytes = (bytes + TABLE_BYTES - 1) & ~(size_t)(TABLE_BYTES - 1);
	if (bytes < 2 * TABLE_BYTES || bytes > ADDR_BITS)
		return -EINVAL;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	a->base = p;
	a->size = bytes;
	/* Physical address 0 is never a table: a zero entry stays a hole. */
	a->used = TABLE_BYTES;
	ptw_user_arena = a->base;
	return 0;
}

void synth_arena_free(struct synth_arena *a)
{
	if (a->base)
		munmap(a->base, a->size);
	if (ptw_user_arena == a->base)
		ptw_user_arena = NULL;
	a->base = NULL;
}

/* A zeroed table; its physical address, or 0 if the arena is full. */
static u64 alloc_table(struct synth_arena *a)
{
	u64 pa = a->used;

	if (a->used + TABLE_BYTES > a->size)
		return 0;
	a->used += TABLE_BYTES;
	return pa;
}

static u64 *table_at(const struct synth_pt *pt, u64 pa)
{
	return (u64 *)(pt->arena->base + pa);
}

int synth_pt_init(struct synth_pt *pt, struct synth_arena *a,
		  enum ptw_backend backend, int levels, bool ad_disabled)
{
	if ((levels != 4 && levels != 5) ||
	    (ad_disabled && backend != PTW_EPT))
		return -EINVAL;
	pt->arena = a;
	pt->tree.backend = backend;
	pt->tree.levels = levels;
	pt->tree.ad_disabled = ad_disabled;
	pt->tree.root_pa = alloc_table(a);
	return pt->tree.root_pa ? 0 : -ENOMEM;
}

/* make_nonleaf_spte() in spte.c; _PAGE_TABLE for native. */
static u64 nonleaf(const struct synth_pt *pt, u64 table_pa)
{
	switch (pt->tree.backend) {
	case PTW_NPT:
		return table_pa | SPTE_PRESENT | X86_P | X86_RW | X86_US |
		       X86_A;
	case PTW_EPT:
		return table_pa | SPTE_PRESENT | EPT_R | EPT_W | EPT_X |
		       (pt->tree.ad_disabled ? EPT_AD_OFF : EPT_A);
	case PTW_NATIVE:
		break;
	}
	return table_pa | X86_P | X86_RW | X86_US | X86_A | X86_D;
}

static u64 ept_leaf(const struct synth_pt *pt, u64 e, unsigned int attrs)
{
	e |= SPTE_PRESENT | EPT_R | EPT_X | EPT_WB;
	if (attrs & SYNTH_W)
		e |= EPT_W | SYNTH_EPT_HOST_WRITABLE | SYNTH_EPT_MMU_WRITABLE;
	if (!pt->tree.ad_disabled) {
		if (attrs & SYNTH_A)
			e |= EPT_A;
		if (attrs & SYNTH_D)
			e |= EPT_D;
		return e;
	}
	e |= EPT_AD_OFF;
	if (!(attrs & SYNTH_A)) {
		/* mark_spte_for_access_track(): save R and X, clear RWX. */
		e |= (e & (EPT_R | EPT_X)) << 54;
		e &= ~(EPT_R | EPT_W | EPT_X);
	}
	return e;
}

u64 synth_leaf(const struct synth_pt *pt, u64 pa, int level,
	       unsigned int attrs)
{
	u64 frame_bits = ADDR_BITS & ~((1ULL << LEVEL_SHIFT(level)) - 1);
	u64 e = pa & frame_bits;

	if (level > 1)
		e |= X86_PS;	/* EPT's page-size bit is bit 7 as well */
	if (pt->tree.backend == PTW_EPT)
		return ept_leaf(pt, e, attrs);
	e |= X86_P | X86_US;
	if (pt->tree.backend == PTW_NPT)
		e |= SPTE_PRESENT;
	if (attrs & SYNTH_W)
		e |= X86_RW;
	if ((attrs & SYNTH_W) && pt->tree.backend == PTW_NPT)
		e |= NPT_HOST_WR | NPT_MMU_WR;
	if (attrs & SYNTH_A)
		e |= X86_A;
	if (attrs & SYNTH_D)
		e |= X86_D;
	if ((attrs & SYNTH_PROTNONE) && pt->tree.backend == PTW_NATIVE) {
		/* pte_modify() to PAGE_NONE, frame inverted against L1TF */
		e = (e & ~X86_P) | X86_PROTNONE;
		e ^= frame_bits;
	}
	return e;
}

static bool is_leaf(u64 e, int level)
{
	return level == 1 || (e & X86_PS);
}

/*
 * The slot for @addr at @level, creating tables on the way if @create.
 * NULL if something else is in the way (*err says what).
 */
static u64 *walk_to(struct synth_pt *pt, u64 addr, int level, bool create,
		    int *err)
{
	u64 *table = table_at(pt, pt->tree.root_pa);
	int l;

	*err = -EINVAL;
	if (level < 1 || level > 3 ||
	    addr >> LEVEL_SHIFT(pt->tree.levels + 1))
		return NULL;
	for (l = pt->tree.levels; l > level; l--) {
		u64 *p = &table[(addr >> LEVEL_SHIFT(l)) & 511];

		if (!*p) {
			u64 pa;

			*err = -ENOMEM;
			if (!create || !(pa = alloc_table(pt->arena)))
				return NULL;
			*p = nonleaf(pt, pa);
		} else if (is_leaf(*p, l) || !(*p & (X86_P | SPTE_PRESENT))) {
			*err = -EEXIST;
			return NULL;
		}
		table = table_at(pt, *p & ADDR_BITS);
	}
	return &table[(addr >> LEVEL_SHIFT(level)) & 511];
}

int synth_map(struct synth_pt *pt, u64 addr, u64 len, int level, u64 pa,
	      unsigned int attrs)
{
	u64 size, off;
	int err;

	if (level < 1 || level > 3)
		return -EINVAL;
	size = 1ULL << LEVEL_SHIFT(level);
	if ((addr | len | pa) & (size - 1))
		return -EINVAL;
	for (off = 0; off < len; off += size) {
		u64 *p = walk_to(pt, addr + off, level, true, &err);

		if (!p)
			return err;
		if (level > 1 && *p && !is_leaf(*p, level))
			return -EEXIST;
		*p = synth_leaf(pt, pa + off, level, attrs);
	}
	return 0;
}

u64 *synth_entry(struct synth_pt *pt, u64 addr, int level)
{
	int err;

	return walk_to(pt, addr, level, false, &err);
}

u64 *synth_find_leaf(struct synth_pt *pt, u64 addr, int *level)
{
	u64 *table = table_at(pt, pt->tree.root_pa);
	int l;

	if (addr >> LEVEL_SHIFT(pt->tree.levels + 1))
		return NULL;
	for (l = pt->tree.levels; l >= 1; l--) {
		u64 *p = &table[(addr >> LEVEL_SHIFT(l)) & 511];

		if (!*p)
			return NULL;
		if (l <= 3 && is_leaf(*p, l)) {
			*level = l;
			return p;
		}
		table = table_at(pt, *p & ADDR_BITS);
	}
	return NULL;
}

static u64 nonleaf_a(const struct synth_pt *pt)
{
	if (pt->tree.backend != PTW_EPT)
		return X86_A;
	return pt->tree.ad_disabled ? 0 : EPT_A;
}

int synth_set_nonleaf_a(struct synth_pt *pt, u64 addr, int level, bool on)
{
	u64 *p = synth_entry(pt, addr, level);

	if (!p || !*p || is_leaf(*p, level) || !nonleaf_a(pt))
		return -EINVAL;
	if (on)
		*p |= nonleaf_a(pt);
	else
		*p &= ~nonleaf_a(pt);
	return 0;
}

/* The CPU setting A (and D), or KVM restoring an access-tracked SPTE. */
static void touch_leaf(struct synth_pt *pt, u64 *p, bool write)
{
	u64 e = *p;

	if (pt->tree.backend != PTW_EPT) {
		/* A PROT_NONE entry faults instead: the CPU sets nothing. */
		if (e & X86_P)
			*p = e | X86_A | (write ? X86_D : 0);
		return;
	}
	if (!pt->tree.ad_disabled) {
		*p = e | EPT_A | (write ? EPT_D : 0);
		return;
	}
	/* fast_page_fault() in mmu.c: restore_acc_track_spte(), and W on a
	 * write if the SPTE is MMU-writable.
	 */
	if (!(e & (EPT_R | EPT_W | EPT_X))) {
		e |= (e >> 54) & (EPT_R | EPT_X);
		e &= ~(SYNTH_EPT_SAVED_R | SYNTH_EPT_SAVED_X);
	}
	if (write && (e & SYNTH_EPT_MMU_WRITABLE))
		e |= EPT_W;
	*p = e;
}

void synth_touch(struct synth_pt *pt, u64 addr, u64 len, bool write)
{
	u64 end = addr + len;

	while (addr < end) {
		u64 *table = table_at(pt, pt->tree.root_pa);
		u64 step = 1ULL << 12;
		int l;

		for (l = pt->tree.levels; l >= 1; l--) {
			u64 *p = &table[(addr >> LEVEL_SHIFT(l)) & 511];

			step = 1ULL << LEVEL_SHIFT(l);
			if (!*p)
				break;
			if (l <= 3 && is_leaf(*p, l)) {
				touch_leaf(pt, p, write);
				break;
			}
			*p |= nonleaf_a(pt);
			table = table_at(pt, *p & ADDR_BITS);
		}
		addr = (addr & ~(step - 1)) + step;
	}
}
