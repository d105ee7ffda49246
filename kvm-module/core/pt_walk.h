/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * pt_walk.h - the walker core: reads and clears accessed bits in one
 * page-table tree (EPT, NPT or native x86) over an address range, and
 * encodes what it found as idle_pages records.
 *
 * Plain C that builds in the kernel module and in user space (tests and
 * benchmarks run it on synthetic tables). Environment specifics (how a
 * table's physical address becomes a pointer, atomic bit clearing, the
 * "page found accessed" hook) come from pt_env.h.
 *
 * Locking is the caller's: the core never sleeps and never takes a lock.
 */
#ifndef PT_WALK_H
#define PT_WALK_H

#include "pt_env.h"
#include "../../include/idle_pages.h"

enum ptw_backend {
	PTW_NPT,	/* AMD NPT: x86 bits, A=5 D=6, present = KVM's bit 11 */
	PTW_EPT,	/* Intel EPT: A=8 D=9, or access tracking if A/D off */
	PTW_NATIVE,	/* process page tables: A=5 D=6, present = bit 0 */
};

/* Scan flags, from the open(2) flags of the idle_pages file. */
#define PTW_HUGE_ONLY	(1u << 0)	/* don't descend below a PMD */
#define PTW_SKIM	(1u << 1)	/* idle non-leaf PMD: PMD_IDLE_PTES */
#define PTW_DIRTY	(1u << 2)	/* report PTE_DIRTY / PMD_DIRTY */
#define PTW_EXT		(1u << 3)	/* 1 GiB leaves as PUD_ACCESSED/IDLE */

/* One page-table tree to walk. */
struct ptw_tree {
	enum ptw_backend backend;
	int levels;		/* 4 or 5 */
	u64 root_pa;		/* physical address of the top table */
	bool ad_disabled;	/* EPT only: A/D bits off, use access tracking */
};

/*
 * State of one 4 KiB-granular run, ranked so that merging the results of
 * several roots keeps the strongest: HOLE < IDLE < ACCESSED < DIRTY.
 */
enum ptw_state {
	PTW_HOLE = 0,
	PTW_IDLE = 1,
	PTW_IDLE_PTES = 2,	/* skim: idle PMD whose PTEs were not read */
	PTW_ACCESSED = 3,
	PTW_DIRTY_ST = 4,
};

enum ptw_level { PTW_4K = 1, PTW_2M = 2, PTW_1G = 3 };

/* A run of consecutive addresses with one state and one mapping size. */
struct ptw_run {
	u64 start;		/* address (GPA or VA), 4 KiB aligned */
	u64 npages;		/* in 4 KiB pages */
	u8 state;		/* enum ptw_state */
	u8 level;		/* enum ptw_level; for holes, PTW_4K */
};

struct ptw_runs {
	struct ptw_run *run;
	unsigned int nr, max;
};

/* What the walk saw, summed by the caller into struct idle_pages_info. */
struct ptw_stats {
	u64 pages_scanned;
	u64 pages_accessed;
	u64 bits_cleared;	/* accessed states cleared, any level */
	u32 page_sizes_seen;	/* IDLE_PAGES_SEEN_* */
};

/*
 * Walk [start, end) of @tree, clearing the accessed bit of every entry
 * found accessed (never a dirty bit), and append runs to @out, adjacent
 * runs of equal state and level merged. Returns the address where it
 * stopped: @end, or earlier if @out filled up (nothing past the returned
 * address was touched). Calls ptw_env_accessed() for each leaf found
 * accessed so the host can keep the backing page referenced.
 */
u64 ptw_walk(const struct ptw_tree *tree, u64 start, u64 end,
	     unsigned int flags, struct ptw_runs *out, struct ptw_stats *st,
	     void *env_ctx);

/*
 * Merge @b into @a (both sorted, same range), keeping per address the
 * higher-ranked state; used to combine the results of several roots.
 * @tmp must have room for a->nr + b->nr runs; the result lands in @a:
 * @a and @tmp exchange their arrays (and max), no copy.
 */
void ptw_runs_merge(struct ptw_runs *a, const struct ptw_runs *b,
		    struct ptw_runs *tmp);

/* Turns runs into the record byte stream of include/idle_pages.md. */
struct ptw_enc {
	u8 *buf;
	size_t len, cap;
	u64 next_hva;		/* HVA the stream has reached */
	bool started;		/* a SET_HVA has been written */
	unsigned int flags;	/* PTW_* scan flags */
	u8 pending;		/* record byte being extended, 0 = none */
};

void ptw_enc_init(struct ptw_enc *e, u8 *buf, size_t cap, u64 start_hva,
		  unsigned int flags);
/*
 * Append @runs, whose addresses map to HVA by adding @hva_minus_addr.
 * A jump in HVA is written as SET_HVA (holes between memslots are never
 * spelled out as hole records). All or nothing: returns 0, -ENOSPC
 * (nothing written) if the records don't all fit, -EINVAL for a malformed
 * run. The caller sizes chunks so -ENOSPC never happens: a run takes at
 * most 1 + npages/15 bytes (5 + npages/15 if a huge run is cut by the
 * range or a merge), plus PIP_SET_HVA_LEN for the first run and per jump.
 */
int ptw_enc_runs(struct ptw_enc *e, const struct ptw_runs *runs,
		 u64 hva_minus_addr);
/*
 * Append a SET_HVA to @hva after the pending record: the stream goes on
 * there (a read that skipped unmapped space says where it got). The
 * caller has room for PIP_SET_HVA_LEN + 1 bytes.
 */
void ptw_enc_seek(struct ptw_enc *e, u64 hva);
/* Flush the pending record; returns the number of bytes in buf. */
size_t ptw_enc_finish(struct ptw_enc *e);

#endif /* PT_WALK_H */
