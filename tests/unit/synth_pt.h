/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * synth_pt.h - builds synthetic NPT, EPT and native x86 page tables in a
 * memory arena, in the formats KVM 6.1 and the x86 mm write them, for the
 * walker's tests and benchmarks. A table's "physical address" is its
 * offset in the arena (ptw_user_arena, which synth_arena_init() sets).
 *
 * The entry formats are written out here from the architecture and KVM
 * sources, independently of the walker's pt_rules.h, so that a test
 * compares the walker against a second reading of the same rules.
 */
#ifndef SYNTH_PT_H
#define SYNTH_PT_H

#include "pt_walk.h"

struct synth_arena {
	u8 *base;
	size_t size;		/* bytes reserved */
	size_t used;		/* bytes handed out as tables */
};

/* Reserves @bytes (lazily backed) and makes it the walker's arena. */
int synth_arena_init(struct synth_arena *a, size_t bytes);
void synth_arena_free(struct synth_arena *a);

/* One tree in an arena; several trees may share one arena. */
struct synth_pt {
	struct synth_arena *arena;
	struct ptw_tree tree;
};

int synth_pt_init(struct synth_pt *pt, struct synth_arena *a,
		  enum ptw_backend backend, int levels, bool ad_disabled);

/*
 * Leaf attributes. SYNTH_A: accessed (A/D-disabled EPT: not
 * access-tracked). SYNTH_D: dirty bit (ignored by A/D-disabled EPT, where
 * "dirty" is W). SYNTH_W: writable (W plus KVM's host/MMU-writable
 * bits; an access-tracked EPT SPTE keeps only the MMU-writable bit).
 * SYNTH_PROTNONE: native PROT_NONE/NUMA-hinting entry (bit 0 clear,
 * bit 8 set, frame inverted).
 */
#define SYNTH_A		(1u << 0)
#define SYNTH_D		(1u << 1)
#define SYNTH_W		(1u << 2)
#define SYNTH_PROTNONE	(1u << 3)

/* KVM's bits in an EPT SPTE, for tests that inspect entries. */
#define SYNTH_EPT_HOST_WRITABLE	(1ULL << 57)
#define SYNTH_EPT_MMU_WRITABLE	(1ULL << 58)
#define SYNTH_EPT_SAVED_R	(1ULL << 54)
#define SYNTH_EPT_SAVED_X	(1ULL << 56)
#define SYNTH_REMOVED_SPTE	0x5a0ULL

/* The entry value of a leaf of @level mapping frame address @pa. */
u64 synth_leaf(const struct synth_pt *pt, u64 pa, int level,
	       unsigned int attrs);

/*
 * Map [addr, addr + len) with leaves of @level (enum ptw_level), the
 * first mapping @pa, the next pa + size, and so on; missing tables are
 * created with their A bit set, as KVM and the kernel create them.
 * Returns 0, -EINVAL (unaligned, bad level), -EEXIST (a leaf or table of
 * another size is in the way), -ENOMEM (arena full).
 */
int synth_map(struct synth_pt *pt, u64 addr, u64 len, int level, u64 pa,
	      unsigned int attrs);

/* The entry at @level on the path to @addr, or NULL if not there. */
u64 *synth_entry(struct synth_pt *pt, u64 addr, int level);

/* The leaf mapping @addr (its level in *@level), or NULL. */
u64 *synth_find_leaf(struct synth_pt *pt, u64 addr, int *level);

/* Set or clear the A bit of the non-leaf entry at @level above @addr. */
int synth_set_nonleaf_a(struct synth_pt *pt, u64 addr, int level, bool on);

/*
 * What the CPU (and for access-tracked EPT, KVM's fast page fault) does
 * when the guest touches [addr, addr + len): A bits on the way down, A on
 * the leaf and D if @write. Holes are skipped.
 */
void synth_touch(struct synth_pt *pt, u64 addr, u64 len, bool write);

#endif /* SYNTH_PT_H */
