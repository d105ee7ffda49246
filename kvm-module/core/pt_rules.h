/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What an entry means in each backend (present, leaf,
 * accessed, dirty) and how its accessed state is cleared, as KVM 6.1 and
 * the x86 mm define it. Every function takes the backend as a constant so
 * that, inlined into a walker specialised per backend, the switch folds
 * away and no per-entry branch or call on the backend remains.
 */
#ifndef PT_RULES_H
#define PT_RULES_H

#include "pt_walk.h"

#define PTW_ENTRIES		512
#define PTW_LEVEL_SHIFT(l)	(12 + 9 * ((l) - 1))

/* x86 paging bits (arch/x86/include/asm/pgtable_types.h), used by NPT too */
#define PTW_X86_P		(1ULL << 0)	/* _PAGE_PRESENT */
#define PTW_X86_A_BIT		5		/* _PAGE_BIT_ACCESSED */
#define PTW_X86_D_BIT		6		/* _PAGE_BIT_DIRTY */
#define PTW_PS			(1ULL << 7)	/* _PAGE_PSE, EPT bit 7 too */
#define PTW_X86_PROTNONE	(1ULL << 8)	/* _PAGE_PROTNONE = _PAGE_GLOBAL */

/* KVM's SPTE bits (arch/x86/kvm/mmu/spte.h) */
#define PTW_SPTE_MMU_PRESENT	(1ULL << 11)	/* SPTE_MMU_PRESENT_MASK */
#define PTW_SPTE_AD_MASK	(3ULL << 52)	/* SPTE_TDP_AD_MASK */
#define PTW_SPTE_AD_DISABLED	(1ULL << 52)	/* SPTE_TDP_AD_DISABLED_MASK */

/* EPT bits (arch/x86/include/asm/vmx.h, spte.h) */
#define PTW_EPT_R		(1ULL << 0)	/* VMX_EPT_READABLE_MASK */
#define PTW_EPT_W		(1ULL << 1)	/* VMX_EPT_WRITABLE_MASK */
#define PTW_EPT_X		(1ULL << 2)	/* VMX_EPT_EXECUTABLE_MASK */
#define PTW_EPT_RWX		(PTW_EPT_R | PTW_EPT_W | PTW_EPT_X)
#define PTW_EPT_A_BIT		8		/* VMX_EPT_ACCESS_BIT */
#define PTW_EPT_D_BIT		9		/* VMX_EPT_DIRTY_BIT */
#define PTW_EPT_SAVED_BITS	(PTW_EPT_R | PTW_EPT_X)
#define PTW_EPT_SAVED_SHIFT	54	/* SHADOW_ACC_TRACK_SAVED_BITS_SHIFT */

static __always_inline u64 ptw_bit(int nr)
{
	return 1ULL << nr;
}

/*
 * spte_ad_enabled() in spte.h: A/D tracking is per SPTE, and only the
 * value "disabled" (1) in bits 52-53 means no A/D bits; "write-protect
 * only" (2) still has them. Non-leaf SPTEs carry the same marking
 * (make_nonleaf_spte() in spte.c).
 */
static __always_inline bool ptw_ept_ad_disabled(u64 e)
{
	return (e & PTW_SPTE_AD_MASK) == PTW_SPTE_AD_DISABLED;
}

/*
 * Present, i.e. maps something the walk must look at:
 * - NPT/EPT: is_shadow_present_pte() in spte.h tests bit 11 only, on 6.1
 *   to 7.x. A frozen SPTE (REMOVED_SPTE 0x5a0 up to 6.10, FROZEN_SPTE
 *   0x1a0 with SHADOW_NONPRESENT_VALUE's bit 63 later) has bit 11 clear, so
 *   it is not present and is never modified; so are MMIO SPTEs and 7.x's
 *   non-present bit-63 SPTEs. An access-tracked EPT SPTE
 *   (RWX clear) keeps bit 11: present to KVM, idle.
 * - NATIVE: pte_present() in arch/x86/include/asm/pgtable.h is
 *   _PAGE_PRESENT | _PAGE_PROTNONE. A PROT_NONE or NUMA-hinting PTE has
 *   bit 0 clear and bit 8 set: it is still mapped (its page is resident
 *   and its A bit survived pte_modify(), which keeps _PAGE_ACCESSED), so
 *   it is walked like any present PTE; swap and migration entries have
 *   bit 8 clear (SWP_OFFSET_FIRST_BIT is _PAGE_BIT_PROTNONE + 1 in
 *   pgtable_64.h) and are holes. pmd_present() also accepts _PAGE_PSE
 *   alone (a THP being split); pud_present() and the upper levels only
 *   _PAGE_PRESENT.
 */
static __always_inline bool ptw_present(const enum ptw_backend be, u64 e,
					int level)
{
	switch (be) {
	case PTW_NPT:
	case PTW_EPT:
		return e & PTW_SPTE_MMU_PRESENT;
	case PTW_NATIVE:
		if (level == 1)
			return e & (PTW_X86_P | PTW_X86_PROTNONE);
		if (level == 2)
			return e & (PTW_X86_P | PTW_X86_PROTNONE | PTW_PS);
		return e & PTW_X86_P;
	}
	return false;
}

/*
 * is_last_spte() in spte.h: level 1, or the page-size bit at 2 MiB and
 * 1 GiB. Same bit 7 in EPT and x86 paging (pmd_large(), pud_large()).
 */
static __always_inline bool ptw_is_leaf(u64 e, int level)
{
	return level == 1 || (level <= 3 && (e & PTW_PS));
}

/*
 * Accessed: is_accessed_spte() in spte.h. With A/D bits that is the A bit
 * (x86 bit 5 for NPT and native, bit 8 for EPT); an A/D-disabled EPT SPTE
 * counts as accessed unless it is access-tracked (is_access_track_spte():
 * the bits of shadow_acc_track_mask = VMX_EPT_RWX_MASK all clear).
 */
static __always_inline bool ptw_accessed(const enum ptw_backend be, u64 e)
{
	if (be != PTW_EPT)
		return e & ptw_bit(PTW_X86_A_BIT);
	if (ptw_ept_ad_disabled(e))
		return e & PTW_EPT_RWX;
	return e & ptw_bit(PTW_EPT_A_BIT);
}

/*
 * Dirty: is_dirty_spte() in spte.h. Without A/D bits KVM treats a
 * writable SPTE (PT_WRITABLE_MASK, bit 1) as possibly dirty.
 */
static __always_inline bool ptw_dirty(const enum ptw_backend be, u64 e)
{
	if (be != PTW_EPT)
		return e & ptw_bit(PTW_X86_D_BIT);
	if (ptw_ept_ad_disabled(e))
		return e & PTW_EPT_W;
	return e & ptw_bit(PTW_EPT_D_BIT);
}

/*
 * Whole-table tests on the OR and the AND of a run of leaf entries, for
 * the fast path over idle or empty PTE tables. ptw_present() tests a
 * mask, so it holds for the AND only if it holds for every entry, and
 * fails for the OR only if it fails for every entry.
 */
static __always_inline bool ptw_all_present(const enum ptw_backend be,
					    u64 and)
{
	return ptw_present(be, and, 1);
}

static __always_inline bool ptw_none_present(const enum ptw_backend be,
					     u64 or)
{
	return !ptw_present(be, or, 1);
}

/*
 * Given that all entries are present: are all idle? For EPT either none
 * is A/D-disabled (bit 52 clear everywhere) and none has A, or all are
 * A/D-disabled (bits 52-53 = 01 everywhere) and access-tracked (no RWX
 * bit anywhere); a mixture takes the per-entry path.
 */
static __always_inline bool ptw_all_idle(const enum ptw_backend be, u64 or,
					 u64 and)
{
	if (be != PTW_EPT)
		return !(or & ptw_bit(PTW_X86_A_BIT));
	if (!(or & (PTW_SPTE_AD_DISABLED | ptw_bit(PTW_EPT_A_BIT))))
		return true;
	return (and & PTW_SPTE_AD_DISABLED) &&
	       !(or & (PTW_SPTE_AD_MASK & ~PTW_SPTE_AD_DISABLED)) &&
	       !(or & PTW_EPT_RWX);
}

/* The bit the CPU sets in an entry it walks through (x86 5, EPT 8). */
static __always_inline int ptw_a_bit(const enum ptw_backend be)
{
	return be == PTW_EPT ? PTW_EPT_A_BIT : PTW_X86_A_BIT;
}

/*
 * Does a non-leaf entry have an accessed bit? An A/D-disabled EPT SPTE
 * does not (make_nonleaf_spte() in spte.c sets SPTE_TDP_AD_DISABLED_MASK
 * instead of shadow_accessed_mask), so its state must come from the
 * leaves below.
 */
static __always_inline bool ptw_nonleaf_has_a(const enum ptw_backend be,
					      u64 e)
{
	return be != PTW_EPT || !ptw_ept_ad_disabled(e);
}

/* Physical address of the table a non-leaf entry points to. */
static __always_inline u64 ptw_table_pa(u64 e)
{
	return e & PTW_PA_MASK;
}

/*
 * First frame of the page a leaf maps. The bits below the leaf size are
 * cleared: bit 12 of an x86 huge entry is PAT (pmd_pfn_mask()). A native
 * entry with bit 0 clear (PROT_NONE, or a splitting THP) stores its frame
 * inverted against L1TF: pte_pfn() undoes protnone_mask() of
 * arch/x86/include/asm/pgtable-invert.h, and so do we.
 */
static __always_inline u64 ptw_leaf_pfn(const enum ptw_backend be, u64 e,
					int level)
{
	u64 align = ~((1ULL << PTW_LEVEL_SHIFT(level)) - 1);

	if (be == PTW_NATIVE && !(e & PTW_X86_P))
		e = ~e;
	return (e & PTW_PA_MASK & align) >> 12;
}

/*
 * mark_spte_for_access_track() in spte.c for an A/D-disabled SPTE that is
 * not access-tracked yet: save R and X in bits 54 and 56 and clear all of
 * RWX. W is not saved: KVM restores it only on a write fault, from the
 * MMU-writable bit (fast_page_fault() in mmu.c). Keeping W alone would be
 * an EPT misconfiguration (write-only), so it cannot be kept.
 */
static __always_inline u64 ptw_ept_mark_access_track(u64 e)
{
	e |= (e & PTW_EPT_SAVED_BITS) << PTW_EPT_SAVED_SHIFT;
	return e & ~PTW_EPT_RWX;
}

/*
 * Clear the accessed state of a present leaf that was read as @e with its
 * accessed state set; never touches a dirty bit. Calls
 * ptw_env_accessed() when this call did clear it, with the frame of the
 * value it changed, and then returns true.
 *
 * Always a cmpxchg from the value read, as tdp_mmu_set_spte_atomic() in
 * tdp_mmu.c does under the read side of mmu_lock: it can never modify a
 * SPTE that another thread has frozen (REMOVED_SPTE, FROZEN_SPTE) or replaced, and
 * for native tables (walked without the PTE lock) the frame passed to the
 * hook is that of the entry actually aged, not of a replaced one. If it
 * loses a race (the CPU setting D, a fault, a zap) the new value is
 * re-checked and the clear retried once; after that the entry is left
 * accessed, which only makes it look hot once more. A zapped SPTE needs
 * nothing: handle_changed_spte_acc_track() in tdp_mmu.c already passed
 * its accessed state to the page.
 *
 * With A/D bits the new value has the A bit clear (x86 5, EPT 8), as
 * ptep_test_and_clear_young() or age_gfn_range() in tdp_mmu.c. For
 * A/D-disabled EPT it is mark_spte_for_access_track(), and a writable
 * SPTE is first reported to ptw_env_dirty() because it loses its W bit,
 * as age_gfn_range() calls kvm_set_pfn_dirty().
 */
static __always_inline bool ptw_clear_leaf(const enum ptw_backend be,
					   u64 *p, u64 e, int level,
					   void *env)
{
	int try;

	for (try = 0; try < 2; try++) {
		u64 new;

		if (!ptw_present(be, e, level) || !ptw_is_leaf(e, level) ||
		    !ptw_accessed(be, e))
			return false;
		if (be == PTW_EPT && ptw_ept_ad_disabled(e)) {
			if (e & PTW_EPT_W)
				ptw_env_dirty(env, ptw_leaf_pfn(be, e, level),
					      level);
			new = ptw_ept_mark_access_track(e);
		} else {
			new = e & ~ptw_bit(ptw_a_bit(be));
		}
		if (ptw_cmpxchg(p, &e, new)) {
			ptw_env_accessed(env, ptw_leaf_pfn(be, e, level),
					 level);
			return true;
		}
	}
	return false;
}

/*
 * Clear the A bit of a non-leaf entry read as @e (A set). KVM does not
 * use non-leaf A bits (see kvm_tdp_mmu_write_spte() in tdp_iter.h); we use
 * that of the PMD to skip idle PTE tables in skim mode. NPT/EPT use a
 * cmpxchg so a frozen SPTE is never changed; native uses test_and_clear,
 * as pmdp_test_and_clear_young(). Returns true if this call cleared it.
 */
static __always_inline bool ptw_clear_nonleaf_a(const enum ptw_backend be,
						u64 *p, u64 e)
{
	int a = ptw_a_bit(be);

	if (be == PTW_NATIVE)
		return ptw_test_and_clear_bit(a, p);
	return ptw_cmpxchg(p, &e, e & ~ptw_bit(a));
}

/*
 * Undo ptw_clear_nonleaf_a() when the walk stops inside the table below:
 * the entries not yet scanned may be accessed, and a clear A bit would let
 * a later skim skip them. Only if the entry still points to the same
 * table; setting A is what the CPU itself does on any walk through it.
 */
static __always_inline void ptw_restore_nonleaf_a(const enum ptw_backend be,
						  u64 *p, u64 was)
{
	u64 a = ptw_bit(ptw_a_bit(be));
	u64 cur = ptw_read(p);

	if (ptw_present(be, cur, 2) && !ptw_is_leaf(cur, 2) &&
	    ptw_table_pa(cur) == ptw_table_pa(was) && !(cur & a))
		ptw_cmpxchg(p, &cur, cur | a);
}

#endif /* PT_RULES_H */
