// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_walker.c - the walker core (kvm-module/core) on synthetic NPT, EPT
 * and native page tables: exact record streams for small hand-made
 * cases, and for larger random layouts a comparison, page by page,
 * between a reference decoder's reading of the stream and the layout.
 */
#include "harness.h"
#include "synth_pt.h"
#include "pt_roots.h"

#include <stdlib.h>
#include <string.h>

#define KB		1024ULL
#define MB		(1024 * KB)
#define GB		(1024 * MB)
#define PAGE		(4 * KB)
#define HPA_BASE	0x100000000ULL	/* host frames of the mappings */
#define HVA_OFF		0x7f0000000000ULL	/* hva = gpa + HVA_OFF */
#define MAX_RUNS	4096

/* ---- the environment hooks: a log of calls ---- */

struct hook_ev {
	u64 pfn;
	int level;
};

struct hook_log {
	struct hook_ev *acc, *dirty;
	size_t nacc, ndirty, cap_acc, cap_dirty;
};

static void log_add(struct hook_ev **v, size_t *n, size_t *cap, u64 pfn,
		    int level)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*v = realloc(*v, *cap * sizeof(**v));
		if (!*v)
			abort();
	}
	(*v)[*n].pfn = pfn;
	(*v)[(*n)++].level = level;
}

void ptw_env_accessed(void *ctx, u64 pfn, int level)
{
	struct hook_log *l = ctx;

	log_add(&l->acc, &l->nacc, &l->cap_acc, pfn, level);
}

/*
 * A race to inject: ptw_env_dirty() runs between the walker's read of an
 * A/D-disabled SPTE and its cmpxchg, so it can change the entry the way
 * another CPU would (a zap, a fault).
 */
static struct {
	u64 *entry;
	u64 xor, set;		/* applied to *entry ... */
	int times;		/* ... this many more times */
} race;

void ptw_env_dirty(void *ctx, u64 pfn, int level)
{
	struct hook_log *l = ctx;

	log_add(&l->dirty, &l->ndirty, &l->cap_dirty, pfn, level);
	if (race.entry && race.times > 0) {
		race.times--;
		*race.entry = race.set ? race.set : *race.entry ^ race.xor;
	}
}

static void log_clear(struct hook_log *l)
{
	l->nacc = l->ndirty = 0;
}

static void log_free(struct hook_log *l)
{
	free(l->acc);
	free(l->dirty);
	memset(l, 0, sizeof(*l));
}

static int ev_cmp(const void *x, const void *y)
{
	const struct hook_ev *a = x, *b = y;

	if (a->pfn != b->pfn)
		return a->pfn < b->pfn ? -1 : 1;
	return a->level - b->level;
}

/* Sorts the log, so that lookups in long logs are quick. */
static bool log_has(struct hook_ev *v, size_t n, u64 pfn, int level)
{
	struct hook_ev key = { .pfn = pfn, .level = level };

	qsort(v, n, sizeof(*v), ev_cmp);
	return bsearch(&key, v, n, sizeof(*v), ev_cmp);
}

/* ---- helpers ---- */

static struct ptw_run run_buf[MAX_RUNS], tmp_buf[2 * MAX_RUNS];
static struct hook_log hooks;

/* One walk of [start, end) into run_buf, which must suffice. */
static struct ptw_runs walk(struct synth_pt *pt, u64 start, u64 end,
			    unsigned int flags, struct ptw_stats *st)
{
	struct ptw_runs out = { .run = run_buf, .max = MAX_RUNS };
	u64 stop = ptw_walk(&pt->tree, start, end, flags, &out, st, &hooks);

	/* The walk rounds its range out to pages. */
	CHECK_EQ_U64(stop, (end + PAGE - 1) & ~(PAGE - 1));
	return out;
}

/* Encode @runs as one read would; returns the stream length. */
static size_t encode(const struct ptw_runs *runs, u64 hva_off,
		     unsigned int flags, u8 *buf, size_t cap)
{
	struct ptw_enc e;

	ptw_enc_init(&e, buf, cap, runs->nr ? runs->run[0].start + hva_off : 0,
		     flags);
	CHECK_EQ_U64(ptw_enc_runs(&e, runs, hva_off), 0);
	return ptw_enc_finish(&e);
}

static void dump(const char *what, const u8 *b, size_t n)
{
	size_t i;

	fprintf(stderr, "  %s:", what);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %02x", b[i]);
	fprintf(stderr, "\n");
}

static void check_bytes(const u8 *got, size_t n, const u8 *want, size_t wn)
{
	CHECK_EQ_U64(n, wn);
	if (n != wn || memcmp(got, want, n)) {
		CHECK(!"record stream differs");
		dump("got ", got, n);
		dump("want", want, wn);
	}
}

/* Walk and encode [start, end) and compare with the expected bytes. */
static void expect_scan(struct synth_pt *pt, u64 start, u64 end,
			unsigned int flags, u64 hva_off, const u8 *want,
			size_t wn)
{
	u8 got[4096];
	struct ptw_runs r = walk(pt, start, end, flags, NULL);

	check_bytes(got, encode(&r, hva_off, flags, got, sizeof(got)), want,
		    wn);
}

#define EXPECT_SCAN(pt, start, end, flags, hva_off, ...) do {		\
	static const u8 want_[] = { __VA_ARGS__ };			\
	expect_scan(pt, start, end, flags, hva_off, want_, sizeof(want_)); \
} while (0)

static void check_run(const struct ptw_run *r, u64 start, u64 npages,
		      u8 state, u8 level)
{
	CHECK_EQ_U64(r->start, start);
	CHECK_EQ_U64(r->npages, npages);
	CHECK_EQ_U64(r->state, state);
	CHECK_EQ_U64(r->level, level);
}

/* Append @count copies of @byte: for long runs of full records. */
static size_t rep(u8 *p, u8 byte, int count)
{
	memset(p, byte, count);
	return count;
}

static size_t set_hva(u8 *p, u64 hva)
{
	int i;

	p[0] = 0xa0;
	for (i = 0; i < 8; i++)
		p[1 + i] = hva >> (56 - 8 * i);
	return 9;
}

static struct synth_arena arena;

static void new_pt(struct synth_pt *pt, enum ptw_backend be, int levels,
		   bool ad_disabled)
{
	synth_arena_free(&arena);
	log_clear(&hooks);
	if (synth_arena_init(&arena, 64 * MB) ||
	    synth_pt_init(pt, &arena, be, levels, ad_disabled)) {
		fprintf(stderr, "cannot set up a synthetic tree\n");
		exit(2);
	}
}

static u64 leaf_val(struct synth_pt *pt, u64 addr)
{
	int level;
	u64 *p = synth_find_leaf(pt, addr, &level);

	return p ? *p : 0;
}

/* ---- small cases, expected bytes written out ---- */

/* 16 pages at 2 MiB: 0-3 accessed, 4-5 accessed and dirty, 6-15 idle. */
static void map_16_pages(struct synth_pt *pt)
{
	CHECK_EQ_U64(synth_map(pt, 2 * MB, 4 * PAGE, PTW_4K, HPA_BASE,
			       SYNTH_A | SYNTH_W), 0);
	CHECK_EQ_U64(synth_map(pt, 2 * MB + 4 * PAGE, 2 * PAGE, PTW_4K,
			       HPA_BASE + 4 * PAGE,
			       SYNTH_A | SYNTH_D | SYNTH_W), 0);
	CHECK_EQ_U64(synth_map(pt, 2 * MB + 6 * PAGE, 10 * PAGE, PTW_4K,
			       HPA_BASE + 6 * PAGE, SYNTH_W), 0);
}

static void test_4k_backends(void)
{
	static const enum ptw_backend bes[] = { PTW_NPT, PTW_EPT,
						PTW_NATIVE };
	struct synth_pt pt;
	unsigned int b, i;

	for (b = 0; b < 3; b++) {
		u64 end = 2 * MB + 20 * PAGE;
		struct ptw_stats st;

		new_pt(&pt, bes[b], 4, false);
		map_16_pages(&pt);
		walk(&pt, 2 * MB, end, 0, &st);
		CHECK_EQ_U64(st.pages_scanned, 16);
		CHECK_EQ_U64(st.pages_accessed, 6);
		CHECK_EQ_U64(st.page_sizes_seen, IDLE_PAGES_SEEN_4K);
		/* The hook saw exactly the six accessed pages. */
		CHECK_EQ_U64(hooks.nacc, 6);
		for (i = 0; i < 6; i++)
			CHECK(log_has(hooks.acc, hooks.nacc,
				      (HPA_BASE >> 12) + i, PTW_4K));
		CHECK_EQ_U64(hooks.ndirty, 0);
		/* Dirty bits are still there; A bits are gone. */
		for (i = 0; i < 16; i++) {
			u64 e = leaf_val(&pt, 2 * MB + i * PAGE);
			u64 a = bes[b] == PTW_EPT ? 1ULL << 8 : 1ULL << 5;
			u64 d = bes[b] == PTW_EPT ? 1ULL << 9 : 1ULL << 6;

			CHECK(!(e & a));
			CHECK(!!(e & d) == (i == 4 || i == 5));
		}
		/* Nothing touched since: all idle. Dirty mode on. */
		EXPECT_SCAN(&pt, 2 * MB, end, PTW_DIRTY, HVA_OFF,
			    0xa0, 0, 0, 0x7f, 0, 0, 0x20, 0, 0,
			    0x5f, 0x51, 0x84);
		synth_touch(&pt, 2 * MB, 4 * PAGE, false);
		synth_touch(&pt, 2 * MB + 4 * PAGE, 2 * PAGE, true);
		/* Dirty mode off: accessed+dirty is just accessed. */
		EXPECT_SCAN(&pt, 2 * MB, end, 0, HVA_OFF,
			    0xa0, 0, 0, 0x7f, 0, 0, 0x20, 0, 0,
			    0x06, 0x5a, 0x84);
		synth_touch(&pt, 2 * MB, 4 * PAGE, false);
		synth_touch(&pt, 2 * MB + 4 * PAGE, 2 * PAGE, true);
		EXPECT_SCAN(&pt, 2 * MB, end, PTW_DIRTY, HVA_OFF,
			    0xa0, 0, 0, 0x7f, 0, 0, 0x20, 0, 0,
			    0x04, 0x32, 0x5a, 0x84);
	}
}

/* A 1 GiB leaf, then a 2 MiB leaf accessed and dirty and an idle one. */
static void test_huge_leaves(void)
{
	struct synth_pt pt;
	struct ptw_stats st;
	u64 end = 2 * GB + 4 * MB;

	new_pt(&pt, PTW_EPT, 4, false);
	CHECK_EQ_U64(synth_map(&pt, GB, GB, PTW_1G, 4 * GB, SYNTH_A), 0);
	CHECK_EQ_U64(synth_map(&pt, 2 * GB, 2 * MB, PTW_2M, 8 * GB,
			       SYNTH_A | SYNTH_D | SYNTH_W), 0);
	CHECK_EQ_U64(synth_map(&pt, 2 * GB + 2 * MB, 2 * MB, PTW_2M,
			       8 * GB + 2 * MB, 0), 0);
	/* Extended format with dirty bits. */
	walk(&pt, GB, end, PTW_DIRTY | PTW_EXT, &st);
	CHECK_EQ_U64(st.pages_scanned, 262144 + 1024);
	CHECK_EQ_U64(st.pages_accessed, 262144 + 512);
	CHECK_EQ_U64(st.page_sizes_seen,
		     IDLE_PAGES_SEEN_2M | IDLE_PAGES_SEEN_1G);
	CHECK_EQ_U64(hooks.nacc, 2);
	CHECK(log_has(hooks.acc, hooks.nacc, 4 * GB >> 12, PTW_1G));
	CHECK(log_has(hooks.acc, hooks.nacc, 8 * GB >> 12, PTW_2M));
	CHECK(leaf_val(&pt, 2 * GB) & (1ULL << 9));	/* D kept */
	EXPECT_SCAN(&pt, GB, end, PTW_EXT, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0x40, 0, 0, 0, 0xc1, 0x62);
	/* Compatible format: PUD_PRESENT whatever the A bit. */
	EXPECT_SCAN(&pt, GB, end, 0, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0x40, 0, 0, 0, 0x21, 0x62);
	synth_touch(&pt, GB, PAGE, false);
	synth_touch(&pt, 2 * GB, PAGE, true);
	EXPECT_SCAN(&pt, GB, end, 0, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0x40, 0, 0, 0, 0x21, 0x11, 0x61);
	synth_touch(&pt, GB, PAGE, false);
	synth_touch(&pt, 2 * GB, PAGE, true);
	EXPECT_SCAN(&pt, GB, end, PTW_EXT | PTW_DIRTY, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0x40, 0, 0, 0, 0xb1, 0x41, 0x61);
}

/* A range starting or ending inside a huge leaf. */
static void test_unaligned_range(void)
{
	struct synth_pt pt;
	u8 want[64];
	size_t n;

	new_pt(&pt, PTW_NPT, 4, false);
	CHECK_EQ_U64(synth_map(&pt, 2 * MB, 2 * MB, PTW_2M, HPA_BASE,
			       SYNTH_A), 0);
	/* First half: accessed, in 4 KiB records; A kept for the rest. */
	n = set_hva(want, HVA_OFF + 2 * MB);
	n += rep(want + n, 0x0f, 17);
	want[n++] = 0x01;
	expect_scan(&pt, 2 * MB, 3 * MB, 0, HVA_OFF, want, n);
	CHECK_EQ_U64(hooks.nacc, 0);
	CHECK(leaf_val(&pt, 2 * MB) & (1ULL << 5));
	/* Second half plus 1 MiB of hole: the leaf's end is in range. */
	n = set_hva(want, HVA_OFF + 3 * MB);
	n += rep(want + n, 0x0f, 17);
	want[n++] = 0x01;
	n += rep(want + n, 0x8f, 17);
	want[n++] = 0x81;
	expect_scan(&pt, 3 * MB, 5 * MB, 0, HVA_OFF, want, n);
	CHECK_EQ_U64(hooks.nacc, 1);
	CHECK(!(leaf_val(&pt, 2 * MB) & (1ULL << 5)));
	/* Whole again: one idle 2 MiB, then 2 MiB of hole in one record. */
	EXPECT_SCAN(&pt, 2 * MB, 6 * MB, 0, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0, 0x20, 0, 0, 0x61, 0x91);
	/* A range that does not start on a page is rounded out. */
	EXPECT_SCAN(&pt, 4 * MB + 1, 4 * MB + PAGE - 1, 0, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0, 0x40, 0, 0, 0x81);
}

/* 5 levels reach above 2^48; 4 levels end there (holes beyond). */
static void test_levels(void)
{
	struct synth_pt pt;
	u64 top4 = 1ULL << 48;

	new_pt(&pt, PTW_NATIVE, 5, false);
	CHECK_EQ_U64(synth_map(&pt, top4, 3 * PAGE, PTW_4K, HPA_BASE,
			       SYNTH_A), 0);
	CHECK_EQ_U64(synth_map(&pt, top4 + 3 * PAGE, 5 * PAGE, PTW_4K,
			       HPA_BASE, 0), 0);
	EXPECT_SCAN(&pt, top4, top4 + 8 * PAGE, 0, 0,
		    0xa0, 0, 1, 0, 0, 0, 0, 0, 0, 0x03, 0x55);
	CHECK_EQ_U64(hooks.nacc, 3);

	new_pt(&pt, PTW_NATIVE, 4, false);
	CHECK_EQ_U64(synth_map(&pt, top4 + PAGE, PAGE, PTW_4K, 0, 0),
		     -EINVAL);
	CHECK_EQ_U64(synth_map(&pt, top4 - 2 * PAGE, 2 * PAGE, PTW_4K,
			       HPA_BASE, 0), 0);
	EXPECT_SCAN(&pt, top4 - 2 * PAGE, top4 + 2 * PAGE, 0, 0,
		    0xa0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xe0, 0,
		    0x52, 0x82);

	/* Neither 4 nor 5 levels: nothing is walked. */
	{
		struct ptw_tree bad = pt.tree;
		struct ptw_runs out = { .run = run_buf, .max = MAX_RUNS };

		bad.levels = 3;
		CHECK_EQ_U64(ptw_walk(&bad, 0, 2 * MB, 0, &out, NULL, &hooks),
			     0);
		CHECK_EQ_U64(out.nr, 0);
	}
}

/* A/D-disabled EPT: accessed = not access-tracked; aging = tracking. */
static void test_ept_ad_disabled(void)
{
	struct synth_pt pt;
	u64 e0, e1, e2;

	new_pt(&pt, PTW_EPT, 4, true);
	/* p0 accessed read-only, p1 accessed writable, p2/p3 tracked */
	CHECK_EQ_U64(synth_map(&pt, 0, PAGE, PTW_4K, HPA_BASE, SYNTH_A), 0);
	CHECK_EQ_U64(synth_map(&pt, PAGE, PAGE, PTW_4K, HPA_BASE + PAGE,
			       SYNTH_A | SYNTH_W), 0);
	CHECK_EQ_U64(synth_map(&pt, 2 * PAGE, PAGE, PTW_4K,
			       HPA_BASE + 2 * PAGE, SYNTH_W), 0);
	CHECK_EQ_U64(synth_map(&pt, 3 * PAGE, PAGE, PTW_4K,
			       HPA_BASE + 3 * PAGE, 0), 0);
	e1 = leaf_val(&pt, PAGE);
	e2 = leaf_val(&pt, 2 * PAGE);
	/* Writable = possibly dirty. */
	EXPECT_SCAN(&pt, 0, 4 * PAGE, PTW_DIRTY, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x31, 0x52);
	CHECK_EQ_U64(hooks.nacc, 2);
	CHECK(log_has(hooks.acc, hooks.nacc, HPA_BASE >> 12, PTW_4K));
	CHECK(log_has(hooks.acc, hooks.nacc, (HPA_BASE >> 12) + 1, PTW_4K));
	/* p1 loses W, so its page was reported dirty first. */
	CHECK_EQ_U64(hooks.ndirty, 1);
	CHECK(log_has(hooks.dirty, hooks.ndirty, (HPA_BASE >> 12) + 1,
		      PTW_4K));
	/* Tracked now: RWX clear, R and X saved, KVM's bits untouched. */
	e0 = leaf_val(&pt, 0);
	CHECK_EQ_U64(e0 & 7, 0);
	CHECK(e0 & SYNTH_EPT_SAVED_R);
	CHECK(e0 & SYNTH_EPT_SAVED_X);
	CHECK_EQ_U64(leaf_val(&pt, PAGE),
		     (e1 & ~7ULL) | SYNTH_EPT_SAVED_R | SYNTH_EPT_SAVED_X);
	CHECK(leaf_val(&pt, PAGE) & SYNTH_EPT_MMU_WRITABLE);
	CHECK_EQ_U64(leaf_val(&pt, 2 * PAGE), e2);
	/* Nothing touched: all idle, nothing changes. */
	log_clear(&hooks);
	EXPECT_SCAN(&pt, 0, 4 * PAGE, PTW_DIRTY, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0, 0, 0, 0, 0x54);
	CHECK_EQ_U64(hooks.nacc + hooks.ndirty, 0);
	/* KVM restores on the next faults: a read, then a write. */
	synth_touch(&pt, 0, PAGE, false);
	synth_touch(&pt, PAGE, PAGE, true);
	CHECK_EQ_U64(leaf_val(&pt, PAGE), e1);
	EXPECT_SCAN(&pt, 0, 4 * PAGE, PTW_DIRTY, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x31, 0x52);
	/* A read after the aging leaves W clear: accessed, not dirty. */
	synth_touch(&pt, PAGE, PAGE, false);
	EXPECT_SCAN(&pt, 0, 4 * PAGE, PTW_DIRTY, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0, 0, 0, 0, 0x51, 0x01, 0x52);
}

/* The cmpxchg that ages an SPTE loses races safely. */
static void test_clear_races(void)
{
	u64 sw_bit = 1ULL << 59;	/* ignored by EPT */
	struct synth_pt pt;
	u64 *p, e;

	new_pt(&pt, PTW_EPT, 4, true);
	CHECK_EQ_U64(synth_map(&pt, 0, PAGE, PTW_4K, HPA_BASE,
			       SYNTH_A | SYNTH_W), 0);
	p = synth_entry(&pt, 0, PTW_4K);
	e = *p;

	/* Zapped (frozen) meanwhile: left alone, no accessed hook. */
	race.entry = p;
	race.set = SYNTH_REMOVED_SPTE;
	race.times = 1;
	EXPECT_SCAN(&pt, 0, PAGE, 0, 0,
		    0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01);
	CHECK_EQ_U64(*p, SYNTH_REMOVED_SPTE);
	CHECK_EQ_U64(hooks.nacc, 0);

	/* Changed once: the retry ages the new value. */
	*p = e;
	log_clear(&hooks);
	race.set = 0;
	race.xor = sw_bit;
	race.times = 1;
	EXPECT_SCAN(&pt, 0, PAGE, 0, 0,
		    0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01);
	CHECK_EQ_U64(*p, ((e | sw_bit) & ~7ULL) | SYNTH_EPT_SAVED_R |
		     SYNTH_EPT_SAVED_X);
	CHECK_EQ_U64(hooks.nacc, 1);
	CHECK_EQ_U64(hooks.ndirty, 2);

	/* Changed every time: after one retry it stays accessed. */
	*p = e;
	log_clear(&hooks);
	race.times = 2;
	EXPECT_SCAN(&pt, 0, PAGE, 0, 0,
		    0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01);
	CHECK_EQ_U64(*p, e);
	CHECK_EQ_U64(hooks.nacc, 0);
	race.entry = NULL;
}

/* PROT_NONE native PTEs are mapped; swap entries are holes. */
static void test_native_protnone(void)
{
	struct synth_pt pt;
	u64 *p3, e1;

	new_pt(&pt, PTW_NATIVE, 4, false);
	CHECK_EQ_U64(synth_map(&pt, 0, PAGE, PTW_4K, HPA_BASE, SYNTH_A), 0);
	CHECK_EQ_U64(synth_map(&pt, PAGE, PAGE, PTW_4K, HPA_BASE + PAGE,
			       SYNTH_A | SYNTH_PROTNONE), 0);
	CHECK_EQ_U64(synth_map(&pt, 2 * PAGE, 2 * PAGE, PTW_4K,
			       HPA_BASE + 2 * PAGE, SYNTH_PROTNONE), 0);
	/* A swap entry: type in bits 59-63, inverted offset from bit 9. */
	p3 = synth_entry(&pt, 3 * PAGE, PTW_4K);
	*p3 = (3ULL << 59) | (~(0x1234ULL << 14) & ((1ULL << 59) - 1)
			      & ~0x1ffULL);
	e1 = leaf_val(&pt, PAGE);
	EXPECT_SCAN(&pt, 0, 4 * PAGE, 0, 0,
		    0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x51, 0x81);
	/* The frame of the PROT_NONE entry is un-inverted for the hook. */
	CHECK_EQ_U64(hooks.nacc, 2);
	CHECK(log_has(hooks.acc, hooks.nacc, (HPA_BASE >> 12) + 1, PTW_4K));
	CHECK_EQ_U64(leaf_val(&pt, PAGE), e1 & ~(1ULL << 5));
}

/* A frozen SPTE (REMOVED_SPTE) is not present and never modified. */
static void test_frozen_spte(void)
{
	struct synth_pt pt;
	u64 *p2;

	new_pt(&pt, PTW_NPT, 4, false);
	CHECK_EQ_U64(synth_map(&pt, 0, 4 * PAGE, PTW_4K, HPA_BASE, 0), 0);
	synth_touch(&pt, PAGE, PAGE, false);
	p2 = synth_entry(&pt, 2 * PAGE, PTW_4K);
	*p2 = SYNTH_REMOVED_SPTE;
	EXPECT_SCAN(&pt, 0, 4 * PAGE, 0, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0, 0, 0, 0,
		    0x51, 0x01, 0x81, 0x51);
	CHECK_EQ_U64(*p2, SYNTH_REMOVED_SPTE);
	/* Idle entries around a frozen one, which stays a hole. */
	synth_touch(&pt, PAGE, PAGE, false);
	*synth_entry(&pt, PAGE, PTW_4K) &= ~(1ULL << 5);
	EXPECT_SCAN(&pt, 0, 4 * PAGE, 0, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0, 0, 0, 0, 0x52, 0x81, 0x51);
}

/* Skim: an idle non-leaf PMD is reported as such, not descended. */
static void test_skim(void)
{
	struct synth_pt pt;
	u8 want[64];
	size_t n;

	new_pt(&pt, PTW_NPT, 4, false);
	/* PMD 0: A clear, yet a PTE below has A (a stale bit). */
	CHECK_EQ_U64(synth_map(&pt, 0, 16 * PAGE, PTW_4K, HPA_BASE, 0), 0);
	synth_touch(&pt, 0, PAGE, false);
	CHECK_EQ_U64(synth_set_nonleaf_a(&pt, 0, PTW_2M, false), 0);
	/* PMD 1: A set, page 0 accessed. */
	CHECK_EQ_U64(synth_map(&pt, 2 * MB, 16 * PAGE, PTW_4K,
			       HPA_BASE + 2 * MB, 0), 0);
	synth_touch(&pt, 2 * MB, PAGE, false);

	n = set_hva(want, HVA_OFF);
	want[n++] = 0x71;
	want[n++] = 0x01;
	want[n++] = 0x5f;
	n += rep(want + n, 0x8f, 33);
	want[n++] = 0x81;
	expect_scan(&pt, 0, 4 * MB, PTW_SKIM, HVA_OFF, want, n);
	/* Below the idle PMD nothing was touched. */
	CHECK(leaf_val(&pt, 0) & (1ULL << 5));
	CHECK_EQ_U64(hooks.nacc, 1);
	/* The walked PMD's A bit was cleared with its PTEs'. */
	CHECK(!(*synth_entry(&pt, 2 * MB, PTW_2M) & (1ULL << 5)));
	CHECK(!(leaf_val(&pt, 2 * MB) & (1ULL << 5)));
	/* Both idle now: one record for 4 MiB. */
	EXPECT_SCAN(&pt, 0, 4 * MB, PTW_SKIM, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0, 0, 0, 0, 0x72);
	/* A normal scan still finds the stale A bit below PMD 0. */
	n = set_hva(want, HVA_OFF);
	want[n++] = 0x01;
	want[n++] = 0x5f;
	n += rep(want + n, 0x8f, 33);
	want[n++] = 0x81;
	expect_scan(&pt, 0, 2 * MB, 0, HVA_OFF, want, n);

	/* A/D-disabled EPT non-leaf entries have no A bit: descend. */
	new_pt(&pt, PTW_EPT, 4, true);
	CHECK_EQ_U64(synth_map(&pt, 0, 4 * PAGE, PTW_4K, HPA_BASE, 0), 0);
	synth_touch(&pt, PAGE, PAGE, false);
	EXPECT_SCAN(&pt, 0, 4 * PAGE, PTW_SKIM, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0, 0, 0, 0, 0x51, 0x01, 0x52);
}

/* Huge-only: a PTE table is one 2 MiB record, from its PMD's A bit. */
static void test_huge_only(void)
{
	struct synth_pt pt;

	new_pt(&pt, PTW_NATIVE, 4, false);
	CHECK_EQ_U64(synth_map(&pt, 0, 8 * PAGE, PTW_4K, HPA_BASE, SYNTH_A),
		     0);
	CHECK_EQ_U64(synth_map(&pt, 2 * MB, 2 * MB, PTW_2M, HPA_BASE + 2 * MB,
			       SYNTH_A | SYNTH_D), 0);
	EXPECT_SCAN(&pt, 0, 4 * MB, PTW_HUGE_ONLY | PTW_DIRTY, 0,
		    0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x41);
	/* PTEs untouched (no hook for them); the PMD's A cleared. */
	CHECK(leaf_val(&pt, 0) & (1ULL << 5));
	CHECK(!(*synth_entry(&pt, 0, PTW_2M) & (1ULL << 5)));
	CHECK_EQ_U64(hooks.nacc, 1);
	CHECK(log_has(hooks.acc, hooks.nacc, (HPA_BASE + 2 * MB) >> 12,
		      PTW_2M));
	EXPECT_SCAN(&pt, 0, 4 * MB, PTW_HUGE_ONLY, 0,
		    0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0x62);

	/* A/D-disabled EPT: decided from the PTEs, which are aged. */
	new_pt(&pt, PTW_EPT, 4, true);
	CHECK_EQ_U64(synth_map(&pt, 0, 8 * PAGE, PTW_4K, HPA_BASE, 0), 0);
	CHECK_EQ_U64(synth_map(&pt, 2 * MB, 8 * PAGE, PTW_4K, HPA_BASE, 0),
		     0);
	synth_touch(&pt, 3 * PAGE, PAGE, false);
	EXPECT_SCAN(&pt, 0, 4 * MB, PTW_HUGE_ONLY, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0, 0, 0, 0, 0x11, 0x61);
	CHECK_EQ_U64(hooks.nacc, 1);
	CHECK_EQ_U64(leaf_val(&pt, 3 * PAGE) & 7, 0);
	EXPECT_SCAN(&pt, 0, 4 * MB, PTW_HUGE_ONLY, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0, 0, 0, 0, 0x62);
	/* Its PTEs are changed before the state is known: a full list
	 * stops the walk before them, even if the run would have merged.
	 */
	synth_touch(&pt, 2 * MB, PAGE, false);
	{
		struct ptw_run one;
		struct ptw_runs out = { .run = &one, .max = 1 };

		CHECK_EQ_U64(ptw_walk(&pt.tree, 0, 4 * MB, PTW_HUGE_ONLY, &out,
				      NULL, &hooks), 2 * MB);
		check_run(&one, 0, 512, PTW_IDLE, PTW_2M);
		CHECK(leaf_val(&pt, 2 * MB) & 7);
	}
}

/* Two roots of one VM, merged page by page. */
static void test_merge_roots(void)
{
	struct synth_pt a, b;
	struct ptw_run ra[MAX_RUNS];
	struct ptw_runs out_a = { .run = ra, .max = MAX_RUNS };
	struct ptw_runs out_b, tmp = { .run = tmp_buf, .max = 2 * MAX_RUNS };
	u64 end = 16 * PAGE;

	new_pt(&a, PTW_NPT, 4, false);
	CHECK_EQ_U64(synth_pt_init(&b, &arena, PTW_NPT, 4, false), 0);
	/* root a: pages 0-7 idle, 2-3 accessed; 8-15 unmapped */
	CHECK_EQ_U64(synth_map(&a, 0, 8 * PAGE, PTW_4K, HPA_BASE, 0), 0);
	synth_touch(&a, 2 * PAGE, 2 * PAGE, false);
	/* root b: pages 4-11 idle, 5 dirty, 9 accessed; 0-3 unmapped */
	CHECK_EQ_U64(synth_map(&b, 4 * PAGE, 8 * PAGE, PTW_4K,
			       HPA_BASE + 4 * PAGE, SYNTH_W), 0);
	synth_touch(&b, 5 * PAGE, PAGE, true);
	synth_touch(&b, 9 * PAGE, PAGE, false);

	CHECK_EQ_U64(ptw_walk(&a.tree, 0, end, PTW_DIRTY, &out_a, NULL,
			      &hooks), end);
	out_b = walk(&b, 0, end, PTW_DIRTY, NULL);
	ptw_runs_merge(&out_a, &out_b, &tmp);
	CHECK_EQ_U64(out_a.nr, 8);
	if (out_a.nr == 8) {
		check_run(&out_a.run[0], 0, 2, PTW_IDLE, PTW_4K);
		check_run(&out_a.run[1], 2 * PAGE, 2, PTW_ACCESSED, PTW_4K);
		check_run(&out_a.run[2], 4 * PAGE, 1, PTW_IDLE, PTW_4K);
		check_run(&out_a.run[3], 5 * PAGE, 1, PTW_DIRTY_ST, PTW_4K);
		check_run(&out_a.run[4], 6 * PAGE, 3, PTW_IDLE, PTW_4K);
		check_run(&out_a.run[5], 9 * PAGE, 1, PTW_ACCESSED, PTW_4K);
		check_run(&out_a.run[6], 10 * PAGE, 2, PTW_IDLE, PTW_4K);
		check_run(&out_a.run[7], 12 * PAGE, 4, PTW_HOLE, PTW_4K);
	}
	/* The arrays were exchanged: @tmp got @a's, empty. */
	CHECK(out_a.run == tmp_buf);
	CHECK(tmp.run == ra && tmp.nr == 0);

	/* Equal states: the larger mapping wins. */
	new_pt(&a, PTW_NPT, 4, false);
	CHECK_EQ_U64(synth_pt_init(&b, &arena, PTW_NPT, 4, false), 0);
	CHECK_EQ_U64(synth_map(&a, 0, 2 * MB, PTW_2M, HPA_BASE, 0), 0);
	CHECK_EQ_U64(synth_map(&b, 0, 16 * PAGE, PTW_4K, HPA_BASE, 0), 0);
	synth_touch(&b, 3 * PAGE, PAGE, false);
	out_a = (struct ptw_runs){ .run = ra, .max = MAX_RUNS };
	tmp = (struct ptw_runs){ .run = tmp_buf, .max = 2 * MAX_RUNS };
	ptw_walk(&a.tree, 0, 2 * MB, 0, &out_a, NULL, &hooks);
	out_b = walk(&b, 0, 2 * MB, 0, NULL);
	ptw_runs_merge(&out_a, &out_b, &tmp);
	CHECK_EQ_U64(out_a.nr, 3);
	if (out_a.nr == 3) {
		check_run(&out_a.run[0], 0, 3, PTW_IDLE, PTW_2M);
		check_run(&out_a.run[1], 3 * PAGE, 1, PTW_ACCESSED, PTW_4K);
		check_run(&out_a.run[2], 4 * PAGE, 508, PTW_IDLE, PTW_2M);
	}
	/* The same the other way round: the 4 KiB root first. */
	synth_touch(&b, 3 * PAGE, PAGE, false);
	out_b = walk(&b, 0, 2 * MB, 0, NULL);
	memcpy(ra, out_b.run, out_b.nr * sizeof(*ra));
	out_b = (struct ptw_runs){ .run = ra, .nr = out_b.nr,
				   .max = MAX_RUNS };
	out_a = walk(&a, 0, 2 * MB, 0, NULL);
	tmp = (struct ptw_runs){ .run = tmp_buf, .max = 2 * MAX_RUNS };
	ptw_runs_merge(&out_b, &out_a, &tmp);
	out_a = out_b;
	CHECK_EQ_U64(out_a.nr, 3);
	if (out_a.nr == 3) {
		check_run(&out_a.run[0], 0, 3, PTW_IDLE, PTW_2M);
		check_run(&out_a.run[1], 3 * PAGE, 1, PTW_ACCESSED, PTW_4K);
		check_run(&out_a.run[2], 4 * PAGE, 508, PTW_IDLE, PTW_2M);
	}
	/* Lists with a gap between them stay apart. */
	{
		struct ptw_run x = { 0, 4, PTW_IDLE, PTW_4K };
		struct ptw_run y = { 8 * PAGE, 4, PTW_IDLE, PTW_4K };
		struct ptw_run res[2];
		struct ptw_runs lx = { .run = &x, .nr = 1, .max = 1 };
		struct ptw_runs ly = { .run = &y, .nr = 1, .max = 1 };
		struct ptw_runs lt = { .run = res, .max = 2 };

		ptw_runs_merge(&lx, &ly, &lt);
		CHECK_EQ_U64(lx.nr, 2);
		check_run(&lx.run[0], 0, 4, PTW_IDLE, PTW_4K);
		check_run(&lx.run[1], 8 * PAGE, 4, PTW_IDLE, PTW_4K);
	}
	/* The partly covered 2 MiB pieces are written as 4 KiB records. */
	{
		u8 want[64], got[64];
		size_t n = set_hva(want, HVA_OFF);

		want[n++] = 0x53;
		want[n++] = 0x01;
		n += rep(want + n, 0x5f, 33);
		want[n++] = 0x5d;
		check_bytes(got, encode(&out_a, HVA_OFF, 0, got, sizeof(got)),
			    want, n);
	}
}

/* A full run list stops the walk before anything past it is touched. */
static void test_early_stop(void)
{
	struct synth_pt pt;
	struct ptw_run small[5];
	struct ptw_runs out = { .run = small, .max = 5 };
	u64 stop, i;

	new_pt(&pt, PTW_NPT, 4, false);
	CHECK_EQ_U64(synth_map(&pt, 0, 2 * MB, PTW_4K, HPA_BASE, 0), 0);
	for (i = 0; i < 32; i += 2)
		synth_touch(&pt, i * PAGE, PAGE, false);
	stop = ptw_walk(&pt.tree, 0, 2 * MB, 0, &out, NULL, &hooks);
	/* 5 runs: pages 0..4 alternate; page 5 needs a sixth. */
	CHECK_EQ_U64(stop, 5 * PAGE);
	CHECK_EQ_U64(out.nr, 5);
	CHECK_EQ_U64(hooks.nacc, 3);
	for (i = 0; i < 32; i += 2)
		CHECK(!!(leaf_val(&pt, i * PAGE) & (1ULL << 5)) == (i >= 6));
	/* The PMD's A bit, cleared before the descent, is back. */
	CHECK(*synth_entry(&pt, 0, PTW_2M) & (1ULL << 5));
	/* Continue to the end: every page reported once, all aged. */
	while (stop < 2 * MB) {
		u64 next;

		out.nr = 0;
		next = ptw_walk(&pt.tree, stop, 2 * MB, 0, &out, NULL,
				&hooks);
		CHECK(next > stop);
		if (next <= stop)
			break;
		CHECK_EQ_U64(out.run[0].start, stop);
		stop = next;
	}
	CHECK_EQ_U64(hooks.nacc, 16);
	for (i = 0; i < 32; i++)
		CHECK(!(leaf_val(&pt, i * PAGE) & (1ULL << 5)));

	/* A huge leaf that does not fit is not aged. */
	new_pt(&pt, PTW_NPT, 4, false);
	CHECK_EQ_U64(synth_map(&pt, 2 * MB, 2 * MB, PTW_2M, HPA_BASE,
			       SYNTH_A), 0);
	out.max = 1;
	out.nr = 0;
	CHECK_EQ_U64(ptw_walk(&pt.tree, 0, 4 * MB, 0, &out, NULL, &hooks),
		     2 * MB);
	check_run(&out.run[0], 0, 512, PTW_HOLE, PTW_4K);
	CHECK(leaf_val(&pt, 2 * MB) & (1ULL << 5));
	CHECK_EQ_U64(hooks.nacc, 0);
}

/* The encoder writes all of a batch or nothing, never past cap. */
static void test_enc_nospace(void)
{
	struct synth_pt pt;
	struct ptw_runs r;
	struct ptw_enc e;
	u8 buf[32];
	struct ptw_run bad = { .start = 0, .npages = 1, .state = 9,
			       .level = PTW_4K };
	struct ptw_runs bad_runs = { .run = &bad, .nr = 1, .max = 1 };

	new_pt(&pt, PTW_NPT, 4, false);
	map_16_pages(&pt);
	r = walk(&pt, 2 * MB, 2 * MB + 20 * PAGE, 0, NULL);
	/* 9 + 3 bytes needed (the pending record counts). */
	memset(buf, 0xee, sizeof(buf));
	ptw_enc_init(&e, buf, 11, HVA_OFF + 2 * MB, 0);
	CHECK_EQ_U64(ptw_enc_runs(&e, &r, HVA_OFF), -ENOSPC);
	CHECK_EQ_U64(e.len, 0);
	CHECK_EQ_U64(ptw_enc_finish(&e), 0);
	CHECK_EQ_U64(buf[0], 0xee);
	ptw_enc_init(&e, buf, 12, HVA_OFF + 2 * MB, 0);
	CHECK_EQ_U64(ptw_enc_runs(&e, &r, HVA_OFF), 0);
	CHECK_EQ_U64(ptw_enc_finish(&e), 12);
	CHECK_EQ_U64(buf[11], 0x84);
	CHECK_EQ_U64(buf[12], 0xee);
	/* A second batch that does not fit leaves the first intact. */
	ptw_enc_init(&e, buf, 14, HVA_OFF + 2 * MB, 0);
	CHECK_EQ_U64(ptw_enc_runs(&e, &r, HVA_OFF), 0);
	CHECK_EQ_U64(ptw_enc_runs(&e, &r, HVA_OFF + 64 * MB), -ENOSPC);
	CHECK_EQ_U64(ptw_enc_finish(&e), 12);
	/* A malformed run is refused. */
	ptw_enc_init(&e, buf, sizeof(buf), 0, 0);
	CHECK_EQ_U64(ptw_enc_runs(&e, &bad_runs, 0), -EINVAL);
}

/* Memslots: a jump in HVA is a SET_HVA; a contiguous one extends. */
static void test_memslot_jumps(void)
{
	struct synth_pt pt;
	struct ptw_runs r1, r2;
	struct ptw_run keep[4];
	struct ptw_enc e;
	u8 buf[64];
	static const u8 want_jump[] = {
		0xa0, 0, 0, 0x7f, 0, 0, 0, 0, 0, 0x54,
		0xa0, 0, 0, 0x7f, 0x10, 0, 0, 0, 0, 0x54 };
	static const u8 want_cont[] = {
		0xa0, 0, 0, 0x7f, 0, 0, 0, 0, 0, 0x58 };

	new_pt(&pt, PTW_EPT, 4, false);
	CHECK_EQ_U64(synth_map(&pt, 0, 8 * PAGE, PTW_4K, HPA_BASE, 0), 0);
	r1 = walk(&pt, 0, 4 * PAGE, 0, NULL);
	memcpy(keep, r1.run, r1.nr * sizeof(*keep));
	r1.run = keep;
	r2 = walk(&pt, 4 * PAGE, 8 * PAGE, 0, NULL);

	/* slot 2 at HVA 0x7f1000000000 */
	ptw_enc_init(&e, buf, sizeof(buf), HVA_OFF, 0);
	CHECK_EQ_U64(ptw_enc_runs(&e, &r1, HVA_OFF), 0);
	CHECK_EQ_U64(ptw_enc_runs(&e, &r2,
				  0x7f1000000000ULL - 4 * PAGE), 0);
	check_bytes(buf, ptw_enc_finish(&e), want_jump, sizeof(want_jump));

	/* slot 2 right after slot 1 in HVA: one record for both */
	ptw_enc_init(&e, buf, sizeof(buf), HVA_OFF, 0);
	CHECK_EQ_U64(ptw_enc_runs(&e, &r1, HVA_OFF), 0);
	CHECK_EQ_U64(ptw_enc_runs(&e, &r2, HVA_OFF), 0);
	check_bytes(buf, ptw_enc_finish(&e), want_cont, sizeof(want_cont));
}

/*
 * A memslot whose HVA is not 2 MiB aligned: its 2 MiB leaves, aligned in
 * GPA, are still PMD records (at unaligned HVAs), not 512 PTE records.
 */
static void test_unaligned_hva(void)
{
	struct ptw_run run[2] = {
		{ .start = 0, .npages = 512, .state = PTW_ACCESSED,
		  .level = PTW_2M },
		{ .start = 2 * MB, .npages = 512, .state = PTW_IDLE,
		  .level = PTW_2M },
	};
	struct ptw_runs r = { .run = run, .nr = 2, .max = 2 };
	struct ptw_enc e;
	u8 buf[32];
	static const u8 want[] = {
		0xa0, 0, 0, 0x7f, 0, 0, 0, 0x10, 0, 0x11, 0x61 };

	ptw_enc_init(&e, buf, sizeof(buf), HVA_OFF + 0x1000, 0);
	CHECK_EQ_U64(ptw_enc_runs(&e, &r, HVA_OFF + 0x1000), 0);
	check_bytes(buf, ptw_enc_finish(&e), want, sizeof(want));
}

/* ---- random layouts against a reference decoder ---- */

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(u64 n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % n;
}

/* The truth about one leaf, kept alongside the tables. */
struct leaf {
	u64 addr, pa;
	int level;
	bool acc, dirty, writable;
};

struct layout {
	struct synth_pt pt;
	u64 base, end;		/* the range walked */
	struct leaf *leaves;
	size_t nleaves;
	int *leaf_of;		/* per page of [base, end): leaf or -1 */
};

#define NCHUNKS	64

static void add_leaf(struct layout *L, u64 addr, int level, unsigned int at)
{
	struct leaf *f = &L->leaves[L->nleaves];
	u64 size = 1ULL << (12 + 9 * (level - 1)), i;

	f->addr = addr;
	f->pa = HPA_BASE + (addr - L->base);
	f->level = level;
	f->writable = at & SYNTH_W;
	f->acc = at & SYNTH_A;
	/* What the walker reads as dirty: D, or W without A/D bits. */
	f->dirty = L->pt.tree.ad_disabled ? f->acc && f->writable
					  : (at & SYNTH_D);
	CHECK_EQ_U64(synth_map(&L->pt, addr, size, level, f->pa, at), 0);
	for (i = 0; i < size / PAGE; i++)
		L->leaf_of[(addr - L->base) / PAGE + i] = L->nleaves;
	L->nleaves++;
}

static unsigned int rnd_attrs(bool native)
{
	unsigned int at = 0;

	if (rnd(2))
		at |= SYNTH_A;
	if (rnd(3) == 0)
		at |= SYNTH_D | SYNTH_W;
	else if (rnd(2))
		at |= SYNTH_W;
	if (native && rnd(8) == 0)
		at |= SYNTH_PROTNONE;
	return at;
}

/*
 * [base, base + 1 GiB): one 1 GiB leaf. Then NCHUNKS 2 MiB chunks, each
 * unmapped, a 2 MiB leaf, a PTE table of random entries, an all-idle
 * table, or an empty table. Then 8 MiB unmapped.
 */
static void build_layout(struct layout *L, enum ptw_backend be, int levels,
			 bool ad_disabled, u64 base)
{
	u64 npages, c, i;
	bool native = be == PTW_NATIVE;

	new_pt(&L->pt, be, levels, ad_disabled);
	L->base = base;
	L->end = base + GB + NCHUNKS * 2 * MB + 8 * MB;
	npages = (L->end - base) / PAGE;
	L->leaves = calloc(1 + NCHUNKS * 512, sizeof(*L->leaves));
	L->leaf_of = malloc(npages * sizeof(*L->leaf_of));
	if (!L->leaves || !L->leaf_of)
		abort();
	L->nleaves = 0;
	for (i = 0; i < npages; i++)
		L->leaf_of[i] = -1;
	add_leaf(L, base, PTW_1G, rnd_attrs(false));
	for (c = 0; c < NCHUNKS; c++) {
		u64 a = base + GB + c * 2 * MB;

		switch (rnd(5)) {
		case 0:
			break;
		case 1:
			add_leaf(L, a, PTW_2M, rnd_attrs(native));
			break;
		case 2:
			for (i = 0; i < 512; i++)
				if (rnd(4))
					add_leaf(L, a + i * PAGE, PTW_4K,
						 rnd_attrs(native));
			break;
		case 3:
			for (i = 0; i < 512; i++)
				add_leaf(L, a + i * PAGE, PTW_4K,
					 rnd_attrs(native) & ~SYNTH_A);
			break;
		case 4:
			CHECK_EQ_U64(synth_map(&L->pt, a, PAGE, PTW_4K, 0, 0),
				     0);
			*synth_entry(&L->pt, a, PTW_4K) = 0;
			break;
		}
	}
}

static void free_layout(struct layout *L)
{
	free(L->leaves);
	free(L->leaf_of);
}

/* Pages per record unit of each type. */
static u64 unit_pages(unsigned int type)
{
	switch (type) {
	case PMD_ACCESSED: case PMD_DIRTY: case PMD_IDLE:
	case PMD_IDLE_PTES: case PMD_HOLE:
		return 512;
	case PUD_PRESENT: case PUD_ACCESSED: case PUD_IDLE:
		return 512 * 512;
	}
	return 1;
}

/*
 * The reference decoder: one record type per page of [base, base +
 * npages * 4 KiB) in @types (0xff = not reported). False if the stream is
 * malformed, reports a page twice, or reports outside the range.
 */
static bool ref_decode(const u8 *buf, size_t len, u64 base, u64 npages,
		       u8 *types)
{
	u64 hva = 0, k;
	bool have_hva = false;
	size_t i = 0;

	memset(types, 0xff, npages);
	while (i < len) {
		unsigned int type = buf[i] >> 4, nr = buf[i] & 15;

		i++;
		if (type == PIP_CMD) {
			if (nr != PIP_CMD_SET_HVA || i + 8 > len)
				return false;
			for (hva = 0, k = 0; k < 8; k++)
				hva = hva << 8 | buf[i++];
			have_hva = true;
			continue;
		}
		if (!have_hva || !nr || type >= IDLE_PAGE_TYPE_NUM)
			return false;
		for (k = 0; k < nr * unit_pages(type); k++, hva += PAGE) {
			u64 page = (hva - base) / PAGE;

			if (hva < base || page >= npages || types[page] != 0xff)
				return false;
			types[page] = type;
		}
	}
	return true;
}

/* The record type the layout says page @pg must get. */
static unsigned int expect_type(const struct layout *L, u64 pg,
				unsigned int flags)
{
	static const u8 by_size[3][3] = {	/* idle, accessed, dirty */
		{ PTE_IDLE, PTE_ACCESSED, PTE_DIRTY },
		{ PMD_IDLE, PMD_ACCESSED, PMD_DIRTY },
		{ PUD_IDLE, PUD_ACCESSED, PUD_ACCESSED },
	};
	const struct leaf *f;
	u64 addr = L->base + pg * PAGE, unit;
	int st, size;

	if (L->leaf_of[pg] < 0)
		return PTE_HOLE;
	f = &L->leaves[L->leaf_of[pg]];
	st = !f->acc ? 0 : (flags & PTW_DIRTY) && f->dirty ? 2 : 1;
	/* The largest unit that is whole in the leaf and in the range. */
	for (size = f->level; size > 1; size--) {
		unit = 1ULL << (12 + 9 * (size - 1));
		if ((addr & ~(unit - 1)) >= L->base &&
		    (addr & ~(unit - 1)) + unit <= L->end)
			break;
	}
	if (size == 3 && !(flags & PTW_EXT))
		return PUD_PRESENT;
	return by_size[size - 1][st];
}

/*
 * Scan the layout in chunks of at most @max_runs runs (so the walk stops
 * early again and again), one encoder for the whole stream, then check
 * every page against the layout and every hook call against its leaves.
 */
static u8 *scan_decode(struct layout *L, unsigned int flags, int max_runs)
{
	u64 npages = (L->end - L->base) / PAGE, pos = L->base;
	size_t cap = 1 << 20;
	u8 *buf = malloc(cap), *types = malloc(npages);
	struct ptw_runs out = { .run = run_buf, .max = max_runs };
	struct ptw_enc e;
	u64 off = L->pt.tree.backend == PTW_NATIVE ? 0 : HVA_OFF;

	if (!buf || !types)
		abort();
	log_clear(&hooks);
	ptw_enc_init(&e, buf, cap, L->base + off, flags);
	while (pos < L->end) {
		u64 next;

		out.nr = 0;
		next = ptw_walk(&L->pt.tree, pos, L->end, flags, &out, NULL,
				&hooks);
		CHECK(next > pos);
		if (next <= pos)
			break;
		CHECK_EQ_U64(ptw_enc_runs(&e, &out, off), 0);
		pos = next;
	}
	CHECK(ref_decode(buf, ptw_enc_finish(&e), L->base + off, npages,
			 types));
	free(buf);
	return types;
}

static void scan_layout(struct layout *L, unsigned int flags, int max_runs)
{
	u64 npages = (L->end - L->base) / PAGE, pg;
	u8 *types = scan_decode(L, flags, max_runs);
	size_t i, nacc = 0, ndirty = 0;
	int bad = 0;

	for (pg = 0; pg < npages && bad < 5; pg++) {
		unsigned int want = expect_type(L, pg, flags);

		/* A hole is a hole, whichever record says it. */
		if (want == PTE_HOLE && types[pg] == PMD_HOLE)
			want = PMD_HOLE;
		if (types[pg] != want) {
			fprintf(stderr, "  page %#llx: type %u, want %u\n",
				(unsigned long long)pg, types[pg], want);
			CHECK(types[pg] == want);
			bad++;
		}
	}
	/* PMD_HOLE only for a whole aligned 2 MiB of holes. */
	for (pg = 0; pg < npages; pg++) {
		u64 first = pg - ((L->base / PAGE + pg) & 511), k;
		bool whole = first + 512 <= npages;

		if (types[pg] != PMD_HOLE)
			continue;
		for (k = first; whole && k < first + 512; k++)
			whole = L->leaf_of[k] < 0;
		CHECK(whole);
		if (!whole)
			break;
	}
	/* One hook call per accessed leaf, with its frame and size; a
	 * dirty one for each that loses its W bit (A/D-disabled EPT).
	 */
	qsort(hooks.acc, hooks.nacc, sizeof(*hooks.acc), ev_cmp);
	for (i = 0; i < L->nleaves; i++) {
		struct leaf *f = &L->leaves[i];
		struct hook_ev key = { .pfn = f->pa >> 12, .level = f->level };

		if (!f->acc)
			continue;
		nacc++;
		ndirty += L->pt.tree.ad_disabled && f->dirty;
		if (!bsearch(&key, hooks.acc, hooks.nacc, sizeof(key),
			     ev_cmp)) {
			CHECK(!"accessed leaf without a hook call");
			break;
		}
	}
	CHECK_EQ_U64(hooks.nacc, nacc);
	CHECK_EQ_U64(hooks.ndirty, ndirty);
	free(types);
}

/* After a scan, everything is idle; A/D-disabled EPT dropped W. */
static void layout_scanned(struct layout *L)
{
	size_t i;

	for (i = 0; i < L->nleaves; i++) {
		if (L->pt.tree.ad_disabled && L->leaves[i].acc)
			L->leaves[i].dirty = false;
		L->leaves[i].acc = false;
	}
}

/* The guest touches random leaves (PROT_NONE ones fault: unchanged). */
static void layout_touch(struct layout *L)
{
	size_t i;

	for (i = 0; i < L->nleaves; i++) {
		struct leaf *f = &L->leaves[i];
		bool write = rnd(2);
		int level;
		u64 *p;

		if (rnd(3))
			continue;
		p = synth_find_leaf(&L->pt, f->addr, &level);
		if (L->pt.tree.backend == PTW_NATIVE && !(*p & 1))
			continue;
		synth_touch(&L->pt, f->addr, PAGE, write);
		f->acc = true;
		if (write && (!L->pt.tree.ad_disabled || f->writable))
			f->dirty = true;
	}
}

/* Dirty bits as built must be in the tables after every scan. */
static void check_dirty_kept(struct layout *L)
{
	u64 d = L->pt.tree.backend == PTW_EPT ? 1ULL << 9 : 1ULL << 6;
	size_t i;

	if (L->pt.tree.ad_disabled)
		return;
	for (i = 0; i < L->nleaves; i++) {
		int level;
		u64 *p = synth_find_leaf(&L->pt, L->leaves[i].addr, &level);

		if (L->leaves[i].dirty && !(*p & d)) {
			CHECK(!"a dirty bit was cleared");
			return;
		}
	}
}

static void random_round(enum ptw_backend be, int levels, bool ad_disabled,
			 u64 base, unsigned int flags)
{
	struct layout L;

	build_layout(&L, be, levels, ad_disabled, base);
	scan_layout(&L, flags, 1 + rnd(12));
	check_dirty_kept(&L);
	layout_scanned(&L);
	scan_layout(&L, flags, MAX_RUNS);
	layout_touch(&L);
	scan_layout(&L, flags, 1 + rnd(12));
	check_dirty_kept(&L);
	free_layout(&L);
}

static void test_random_layouts(void)
{
	static const unsigned int flag_sets[] = {
		0, PTW_DIRTY, PTW_EXT, PTW_DIRTY | PTW_EXT };
	unsigned int f;

	for (f = 0; f < 4; f++) {
		unsigned int fl = flag_sets[f];

		random_round(PTW_NPT, 4, false, GB, fl);
		random_round(PTW_EPT, 4, false, 4 * GB, fl);
		random_round(PTW_EPT, 4, true, 4 * GB, fl);
		random_round(PTW_NATIVE, 4, false, 0x7f0000000000ULL, fl);
		random_round(PTW_NPT, 5, false, 1ULL << 50, fl);
		random_round(PTW_EPT, 5, true, 3ULL << 52, fl);
		random_round(PTW_NATIVE, 5, false, 1ULL << 55, fl);
	}
}

/* Is this record type one of "accessed" (with PTW_EXT, no PTW_DIRTY)? */
static bool type_accessed(unsigned int type)
{
	return type == PTE_ACCESSED || type == PMD_ACCESSED ||
	       type == PUD_ACCESSED;
}

/* Skim never hides an access: every accessed page is seen. */
static void test_random_skim(void)
{
	unsigned int flags = PTW_SKIM | PTW_EXT;
	int round;

	for (round = 0; round < 4; round++) {
		struct layout L;
		u64 pg;
		u8 *types;

		build_layout(&L, round & 1 ? PTW_EPT : PTW_NATIVE, 4, false,
			     2 * GB);
		scan_layout(&L, 0, 1 + rnd(12));
		layout_scanned(&L);
		layout_touch(&L);
		types = scan_decode(&L, flags, 1 + rnd(12));
		for (pg = 0; pg < (L.end - L.base) / PAGE; pg++) {
			int li = L.leaf_of[pg];
			bool acc = li >= 0 && L.leaves[li].acc;

			if (acc != type_accessed(types[pg])) {
				fprintf(stderr, "  page %#llx: type %u\n",
					(unsigned long long)pg, types[pg]);
				CHECK(!"skim misreports a page");
				break;
			}
		}
		free(types);
		free_layout(&L);
	}
}

/*
 * Roots of different levels in one VM (4- and 5-level EPT, per vCPU
 * MAXPHYADDR): each is walked with its own level. Walked with the other
 * root's level, the 4-level root's leaf frame, guest memory, would be
 * read as a page table and a guest word that looks like an accessed
 * SPTE would lose its bit 8.
 */
static void test_roots_levels(void)
{
	struct synth_pt r4, r5, data;
	struct ptw_roots rs = { .nr = 0 };
	struct ptw_run o[MAX_RUNS], one[MAX_RUNS];
	struct ptw_roots_bufs b = {
		.out = { .run = o, .max = MAX_RUNS },
		.one = { .run = one, .max = MAX_RUNS },
		.tmp = { .run = tmp_buf, .max = 2 * MAX_RUNS },
	};
	struct ptw_stats st;
	u64 *guest, word;

	new_pt(&r4, PTW_EPT, 4, false);
	CHECK_EQ_U64(synth_pt_init(&r5, &arena, PTW_EPT, 5, false), 0);
	/* A zeroed page of the arena stands for a guest page. */
	CHECK_EQ_U64(synth_pt_init(&data, &arena, PTW_EPT, 4, false), 0);
	guest = (u64 *)(arena.base + data.tree.root_pa);
	/* present (bit 11), accessed (bit 8), RWX, a frame in the arena */
	word = r5.tree.root_pa | (1ULL << 11) | (1ULL << 8) | 7;
	guest[0] = word;
	/* 4-level root: page 0 is the guest page, accessed. */
	CHECK_EQ_U64(synth_map(&r4, 0, PAGE, PTW_4K, data.tree.root_pa,
			       SYNTH_A), 0);
	/* 5-level root: pages 0-15, idle. */
	CHECK_EQ_U64(synth_map(&r5, 0, 16 * PAGE, PTW_4K, HPA_BASE, 0), 0);
	CHECK_EQ_U64(ptw_roots_add(&rs, r4.tree.root_pa, 4), 0);
	CHECK_EQ_U64(ptw_roots_add(&rs, r5.tree.root_pa, 5), 0);
	CHECK_EQ_U64(ptw_walk_roots(&rs, PTW_EPT, 0, 2 * MB, 0, &b, &st,
				    &hooks), 2 * MB);
	CHECK_EQ_U64(guest[0], word);
	CHECK_EQ_U64(b.out.nr, 3);
	if (b.out.nr == 3) {
		check_run(&b.out.run[0], 0, 1, PTW_ACCESSED, PTW_4K);
		check_run(&b.out.run[1], PAGE, 15, PTW_IDLE, PTW_4K);
		check_run(&b.out.run[2], 16 * PAGE, 496, PTW_HOLE, PTW_4K);
	}
	CHECK_EQ_U64(st.pages_scanned, 1);
	/* Page 0's A bit, and the A bits of both roots' PMDs. */
	CHECK_EQ_U64(st.bits_cleared, 3);
	CHECK_EQ_U64(hooks.nacc, 1);
	CHECK(log_has(hooks.acc, hooks.nacc, data.tree.root_pa >> 12,
		      PTW_4K));
	/* Aged: a second walk finds page 0 idle, the guest word intact. */
	CHECK_EQ_U64(ptw_walk_roots(&rs, PTW_EPT, 0, 2 * MB, 0, &b, &st,
				    &hooks), 2 * MB);
	CHECK_EQ_U64(guest[0], word);
	if (b.out.nr == 2)
		check_run(&b.out.run[0], 0, 16, PTW_IDLE, PTW_4K);
	else
		CHECK_EQ_U64(b.out.nr, 2);
}

/* A root set refuses what it can't walk; a walk of none is a hole. */
static void test_roots_refused(void)
{
	struct ptw_roots rs = { .nr = 0 };
	struct ptw_run o[4], one[4], t[8];
	struct ptw_roots_bufs b = {
		.out = { .run = o, .max = 4 },
		.one = { .run = one, .max = 4 },
		.tmp = { .run = t, .max = 8 },
	};
	struct ptw_stats st;
	unsigned int i;

	CHECK_EQ_U64(ptw_roots_add(&rs, 0x1000, 3), -EINVAL);
	CHECK_EQ_U64(ptw_roots_add(&rs, 0x1000, 6), -EINVAL);
	CHECK_EQ_U64(ptw_roots_add(&rs, 0x1000, 4), 0);
	CHECK_EQ_U64(ptw_roots_add(&rs, 0x1000, 4), 0);
	CHECK_EQ_U64(rs.nr, 1);
	/* The same root with another level: one of them was misread. */
	CHECK_EQ_U64(ptw_roots_add(&rs, 0x1000, 5), -EINVAL);
	for (i = 1; i < PTW_MAX_ROOTS; i++)
		CHECK_EQ_U64(ptw_roots_add(&rs, 0x1000 + i * PAGE, 4), 0);
	CHECK_EQ_U64(ptw_roots_add(&rs, 0x100000, 4), -ENOSPC);

	/* No root yet: one hole over the range. */
	rs.nr = 0;
	CHECK_EQ_U64(ptw_walk_roots(&rs, PTW_NPT, 2 * MB, 4 * MB, 0, &b, &st,
				    &hooks), 4 * MB);
	CHECK_EQ_U64(b.out.nr, 1);
	check_run(&b.out.run[0], 2 * MB, 512, PTW_HOLE, PTW_4K);

	/*
	 * A root of a level the core can't walk (set behind the add's
	 * back): the walk makes no progress, which the caller must see
	 * and refuse rather than try again.
	 */
	rs.root[0] = (struct ptw_root){ .pa = 0x1000, .levels = 3 };
	rs.nr = 1;
	CHECK_EQ_U64(ptw_walk_roots(&rs, PTW_NPT, 2 * MB, 4 * MB, 0, &b, &st,
				    &hooks), 2 * MB);
}

/*
 * Skim on A/D-disabled EPT, whose non-leaf entries have no A bit: a
 * 2 MiB whose 512 PTEs are all present and idle is one PMD_IDLE_PTES,
 * as on every other backend; one accessed PTE, a hole or a range that
 * covers only part of it means a closer look.
 */
static void test_skim_ad_disabled(void)
{
	struct synth_pt pt;
	u8 want[64];
	size_t n;

	new_pt(&pt, PTW_EPT, 4, true);
	CHECK_EQ_U64(synth_map(&pt, 0, 2 * MB, PTW_4K, HPA_BASE, 0), 0);
	CHECK_EQ_U64(synth_map(&pt, 2 * MB, 2 * MB, PTW_4K,
			       HPA_BASE + 2 * MB, 0), 0);
	synth_touch(&pt, 2 * MB + 5 * PAGE, PAGE, false);
	n = set_hva(want, HVA_OFF);
	want[n++] = 0x71;
	want[n++] = 0x55;
	want[n++] = 0x01;
	n += rep(want + n, 0x5f, 33);
	want[n++] = 0x5b;
	expect_scan(&pt, 0, 4 * MB, PTW_SKIM, HVA_OFF, want, n);
	/* Aged now: both 2 MiB are skimmed. */
	EXPECT_SCAN(&pt, 0, 4 * MB, PTW_SKIM, HVA_OFF,
		    0xa0, 0, 0, 0x7f, 0, 0, 0, 0, 0, 0x72);
	/* Part of a 2 MiB: its PTEs, one by one (511 idle). */
	n = set_hva(want, HVA_OFF + PAGE);
	n += rep(want + n, 0x5f, 34);
	want[n++] = 0x51;
	expect_scan(&pt, PAGE, 2 * MB, PTW_SKIM, HVA_OFF, want, n);
}

/* Cleared accessed bits are counted at every level: the TLB flush. */
static void test_bits_cleared(void)
{
	struct synth_pt pt;
	struct ptw_stats st;

	new_pt(&pt, PTW_NPT, 4, false);
	CHECK_EQ_U64(synth_map(&pt, 0, 8 * PAGE, PTW_4K, HPA_BASE, SYNTH_A),
		     0);
	/* Huge-only over 4 KiB pages: only the PMD's A bit is cleared. */
	walk(&pt, 0, 2 * MB, PTW_HUGE_ONLY, &st);
	CHECK_EQ_U64(st.bits_cleared, 1);
	CHECK_EQ_U64(hooks.nacc, 0);
	walk(&pt, 0, 2 * MB, PTW_HUGE_ONLY, &st);
	CHECK_EQ_U64(st.bits_cleared, 0);
	/* A normal walk: the 8 PTEs (the PMD's A is clear already). */
	walk(&pt, 0, 2 * MB, 0, &st);
	CHECK_EQ_U64(st.bits_cleared, 8);
	walk(&pt, 0, 2 * MB, 0, &st);
	CHECK_EQ_U64(st.bits_cleared, 0);
}

int main(void)
{
	RUN_TEST(test_4k_backends);
	RUN_TEST(test_huge_leaves);
	RUN_TEST(test_unaligned_range);
	RUN_TEST(test_levels);
	RUN_TEST(test_ept_ad_disabled);
	RUN_TEST(test_clear_races);
	RUN_TEST(test_native_protnone);
	RUN_TEST(test_frozen_spte);
	RUN_TEST(test_skim);
	RUN_TEST(test_huge_only);
	RUN_TEST(test_merge_roots);
	RUN_TEST(test_early_stop);
	RUN_TEST(test_enc_nospace);
	RUN_TEST(test_memslot_jumps);
	RUN_TEST(test_unaligned_hva);
	RUN_TEST(test_random_layouts);
	RUN_TEST(test_random_skim);
	RUN_TEST(test_roots_levels);
	RUN_TEST(test_roots_refused);
	RUN_TEST(test_skim_ad_disabled);
	RUN_TEST(test_bits_cleared);
	synth_arena_free(&arena);
	log_free(&hooks);
	return TEST_SUMMARY();
}
