// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * walker-bench - benchmark 1: the walker core (kvm-module/core), built
 * natively in user space, on synthetic AMD NPT and Intel EPT tables
 * (tests/unit/synth_pt.c) of guests from 4 GiB to 1 TiB.
 *
 * A scan is what the module does for one full read of a VM: the range is
 * walked in chunks of the module's default chunk_pages (one chunk per
 * mmu_lock hold), and each chunk's runs are encoded into records. Not
 * included: the locks, copy_to_user, and the kernel's per-accessed-page
 * hook (kvm_set_pfn_accessed); here the hook only counts.
 *
 * Cases per vendor and size: every page 4 KiB-mapped, or 2 MiB-mapped,
 * with every accessed bit clear ("idle") or set ("accessed"); and the
 * sparse case: 4 KiB-mapped with 1% of the 2 MiB regions touched (every
 * 100th), all 512 pages of each ("sparse-1%") or only its first page
 * ("sp-1%x1pg"), scanned normally and in skim mode. Accessed bits are
 * set again (untimed) before each timed scan, since a scan clears them;
 * each scan is checked to have found exactly the pages set accessed.
 *
 * The floor is one sequential pass reading every byte of the same tree's
 * tables (plain loads, which the compiler may vectorise). The CAS column
 * is a sequential pass doing what a dense accessed scan cannot avoid: a
 * read and a locked cmpxchg clearing the accessed bit of every entry.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "bench_env.h"
#include "read_floor.h"
#include "synth_pt.h"

#define KIB		1024ULL
#define MIB		(1024 * KIB)
#define GIB		(1024 * MIB)
#define TIB		(1024 * GIB)
#define TABLE		4096ULL
#define HPA_BASE	0x100000000ULL	/* host frames of the mappings */
#define HVA_OFF		0x7f0000000000ULL	/* hva = gpa + HVA_OFF */
#define DEFAULT_CHUNK	4096	/* the module's chunk_pages default */
#define SPARSE_EVERY	100	/* 1% of the 2 MiB regions */
#define MAX_SIZES	16

/* Targets of the benchmark issue. */
#define TARGET_FLOOR_RATIO	2.0	/* dense 4 KiB scan vs the floor */
#define TARGET_S_PER_TIB	0.5	/* CPU per TiB, 4 KiB-mapped */
#define TARGET_SKIM_GAIN	10.0	/* sparse: normal / skim */

static u64 hook_accessed;

void ptw_env_accessed(void *ctx, u64 pfn, int level)
{
	(void)ctx;
	(void)pfn;
	(void)level;
	hook_accessed++;
}

void ptw_env_dirty(void *ctx, u64 pfn, int level)
{
	(void)ctx;
	(void)pfn;
	(void)level;
}

struct opts {
	u64 sizes[MAX_SIZES];
	int nsizes;
	bool npt, ept;
	unsigned int chunk;	/* pages per ptw_walk call */
	double min_time;	/* seconds of timed work per figure */
	int min_reps;
	const char *json;
};

/* One synthetic tree: @guest bytes from GPA 0, all leaves of @level. */
struct bench_tree {
	struct synth_arena arena;
	struct synth_pt pt;
	enum ptw_backend be;
	u64 guest;
	int level;
	u64 leaf_a, nonleaf_a;	/* the accessed bit of each kind of entry */
};

/* One timed figure: the best of its repetitions. */
struct timing {
	double cpu, wall;	/* seconds */
	int reps;
};

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void __attribute__((format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "walker-bench: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* ---- building and preparing trees ---- */

static u64 div_up(u64 a, u64 b)
{
	return (a + b - 1) / b;
}

/* Tables of a 4-level tree mapping @guest bytes with @level leaves. */
static u64 tables_needed(u64 guest, int level)
{
	u64 n = 1 + div_up(guest, 512 * GIB) + div_up(guest, GIB);

	if (level == PTW_4K)
		n += div_up(guest, 2 * MIB);
	return n;
}

static void tree_build(struct bench_tree *t, enum ptw_backend be, u64 guest,
		       int level)
{
	u64 *p, v;
	int err;

	memset(t, 0, sizeof(*t));
	t->be = be;
	t->guest = guest;
	t->level = level;
	err = synth_arena_init(&t->arena, (tables_needed(guest, level) + 1) *
				TABLE);
	if (!err)
		err = synth_pt_init(&t->pt, &t->arena, be, 4, false);
	if (!err)
		err = synth_map(&t->pt, 0, guest, level, HPA_BASE,
				SYNTH_A | SYNTH_D | SYNTH_W);
	if (err)
		die("building the tables: error %d", err);
	/* The accessed bits, as synth_pt writes them for this backend. */
	t->leaf_a = synth_leaf(&t->pt, HPA_BASE, level, SYNTH_A | SYNTH_W) ^
		    synth_leaf(&t->pt, HPA_BASE, level, SYNTH_W);
	p = synth_entry(&t->pt, 0, level + 1);
	v = *p;
	synth_set_nonleaf_a(&t->pt, 0, level + 1, false);
	t->nonleaf_a = v ^ *p;
	*p = v;
	if (!t->leaf_a || !t->nonleaf_a)
		die("synth_pt wrote no accessed bit");
}

static void tree_free(struct bench_tree *t)
{
	synth_arena_free(&t->arena);
}

/* Table bytes of the tree: what the floor reads. */
static u64 tree_bytes(const struct bench_tree *t)
{
	return t->arena.used - TABLE;	/* pa 0 is never a table */
}

/* Sets (or clears) the accessed bit of every entry, leaves and tables. */
static void set_a_table(const struct bench_tree *t, u64 pa, int level,
			bool on)
{
	u64 *e = ptw_table(pa);
	u64 bit = level == t->level ? t->leaf_a : t->nonleaf_a;
	int i;

	for (i = 0; i < 512; i++) {
		if (!e[i])
			continue;
		e[i] = on ? e[i] | bit : e[i] & ~bit;
		if (level > t->level)
			set_a_table(t, e[i] & PTW_PA_MASK, level - 1, on);
	}
}

static void set_all_a(const struct bench_tree *t, bool on)
{
	set_a_table(t, t->pt.tree.root_pa, t->pt.tree.levels, on);
}

/*
 * The sparse case: every SPARSE_EVERY-th 2 MiB region touched, @pages of
 * its pages (from its start); returns the pages touched.
 */
static u64 touch_sparse(struct bench_tree *t, unsigned int pages)
{
	u64 r, n = 0;

	set_all_a(t, false);
	for (r = 0; r < t->guest / (2 * MIB); r += SPARSE_EVERY, n++)
		synth_touch(&t->pt, r * 2 * MIB, pages * 4 * KIB, false);
	return n * pages;
}

/* ---- the measured operations ---- */

struct scan_result {
	u64 pages_scanned, pages_accessed, stream_bytes;
};

/* One full scan as the module does it: chunked walks, each encoded. */
static void scan(const struct bench_tree *t, unsigned int flags,
		 unsigned int chunk, struct ptw_runs *runs, u8 *buf,
		 struct scan_result *res)
{
	struct ptw_enc enc;
	struct ptw_stats st;
	u64 addr = 0;

	memset(res, 0, sizeof(*res));
	ptw_enc_init(&enc, buf, chunk + PIP_SET_HVA_LEN + 1, HVA_OFF, flags);
	while (addr < t->guest) {
		u64 end = addr + (u64)chunk * 4096;

		if (end > t->guest)
			end = t->guest;
		runs->nr = 0;
		end = ptw_walk(&t->pt.tree, addr, end, flags, runs, &st, NULL);
		if (end == addr || ptw_enc_runs(&enc, runs, HVA_OFF))
			die("scan stopped at 0x%llx", (unsigned long long)addr);
		res->pages_scanned += st.pages_scanned;
		res->pages_accessed += st.pages_accessed;
		res->stream_bytes += enc.len;
		enc.len = 0;	/* the module copies each chunk out here */
		addr = end;
	}
	res->stream_bytes += ptw_enc_finish(&enc);
}

/* Read every entry and clear its accessed bit with a locked cmpxchg. */
static void cas_pass(u64 *p, size_t n, u64 bit)
{
	size_t i;

	for (i = 0; i < n; i++) {
		u64 e = __atomic_load_n(&p[i], __ATOMIC_RELAXED);

		if (e & bit)
			__atomic_compare_exchange_n(&p[i], &e, e & ~bit, false,
						    __ATOMIC_SEQ_CST,
						    __ATOMIC_SEQ_CST);
	}
}

/* ---- timing ---- */

enum prep { PREP_NONE, PREP_IDLE, PREP_ACCESSED, PREP_SPARSE, PREP_SPARSE_1 };

struct job {
	struct bench_tree *t;
	enum prep prep;
	enum { OP_SCAN, OP_FLOOR, OP_CAS } op;
	unsigned int flags, chunk;
	struct ptw_runs *runs;
	u8 *buf;
	struct scan_result res;
	u64 expect_accessed;	/* pages a scan must find accessed */
};

static volatile u64 sink;

static void prepare(struct job *j)
{
	switch (j->prep) {
	case PREP_NONE:
		break;
	case PREP_IDLE:
		set_all_a(j->t, false);
		j->expect_accessed = 0;
		break;
	case PREP_ACCESSED:
		set_all_a(j->t, true);
		j->expect_accessed = j->t->guest / 4096;
		break;
	case PREP_SPARSE:
		j->expect_accessed = touch_sparse(j->t, 512);
		break;
	case PREP_SPARSE_1:
		j->expect_accessed = touch_sparse(j->t, 1);
		break;
	}
}

static void run_op(struct job *j)
{
	u64 *tables = (u64 *)(j->t->arena.base + TABLE);
	size_t n = tree_bytes(j->t) / 8;

	switch (j->op) {
	case OP_SCAN:
		scan(j->t, j->flags, j->chunk, j->runs, j->buf, &j->res);
		break;
	case OP_FLOOR:
		sink = read_floor(tables, n);
		break;
	case OP_CAS:
		cas_pass(tables, n, j->t->leaf_a);
		break;
	}
}

/* A scan must have seen what was prepared, or the figure is void. */
static void check_scan(const struct job *j)
{
	if (j->op != OP_SCAN)
		return;
	if (j->res.pages_scanned != j->t->guest / 4096)
		die("scan check: scanned %llu pages, want %llu",
		    (unsigned long long)j->res.pages_scanned,
		    (unsigned long long)(j->t->guest / 4096));
	if (j->res.pages_accessed != j->expect_accessed)
		die("scan check: found %llu pages accessed, want %llu",
		    (unsigned long long)j->res.pages_accessed,
		    (unsigned long long)j->expect_accessed);
}

/* Best CPU time over repetitions: at least min_reps, and min_time. */
static struct timing measure(struct job *j, const struct opts *o)
{
	struct timing best = { 1e30, 1e30, 0 };
	double spent = 0;

	while (best.reps < o->min_reps || spent < o->min_time) {
		double c0, w0, c, w;

		prepare(j);
		w0 = now(CLOCK_MONOTONIC);
		c0 = now(CLOCK_THREAD_CPUTIME_ID);
		run_op(j);
		c = now(CLOCK_THREAD_CPUTIME_ID) - c0;
		w = now(CLOCK_MONOTONIC) - w0;
		check_scan(j);
		if (c < best.cpu)
			best.cpu = c;
		if (w < best.wall)
			best.wall = w;
		best.reps++;
		spent += w;
		/* Very long scans: two repetitions are enough. */
		if (best.reps >= 2 && w > 2.0)
			break;
	}
	return best;
}

/* ---- reporting ---- */

static const char *be_name(enum ptw_backend be)
{
	return be == PTW_NPT ? "npt" : "ept";
}

static void size_name(char *buf, size_t len, u64 bytes)
{
	if (bytes >= TIB && !(bytes % TIB))
		snprintf(buf, len, "%lluT", (unsigned long long)(bytes / TIB));
	else
		snprintf(buf, len, "%lluG", (unsigned long long)(bytes / GIB));
}

struct row {
	enum ptw_backend be;
	u64 guest;
	const char *mapping, *state;
	bool skim;
	u64 leaves, table_bytes, stream_bytes;
	struct timing scan, floor, cas;
};

static json_object *timing_json(const struct timing *t)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "cpu_s", json_object_new_double(t->cpu));
	json_object_object_add(o, "wall_s", json_object_new_double(t->wall));
	json_object_object_add(o, "reps", json_object_new_int(t->reps));
	return o;
}

static double per_leaf_ns(const struct row *r, const struct timing *t)
{
	return t->cpu * 1e9 / (double)r->leaves;
}

static double s_per_tib(const struct row *r, const struct timing *t)
{
	return t->cpu * (double)TIB / (double)r->guest;
}

static void print_header(void)
{
	printf("%-4s %5s %-4s %-9s %-4s %11s %9s %9s %9s %7s %9s %9s\n",
	       "vend", "guest", "map", "A bits", "skim", "leaves", "scan ms",
	       "ns/leaf", "s/TiB", "floor", "floor ns", "CAS ns");
}

static void print_row(const struct row *r)
{
	char sz[16];

	size_name(sz, sizeof(sz), r->guest);
	printf("%-4s %5s %-4s %-9s %-4s %11llu %9.2f %9.3f %9.3f %6.2fx %9.3f %9.3f\n",
	       be_name(r->be), sz, r->mapping, r->state, r->skim ? "yes" : "no",
	       (unsigned long long)r->leaves, r->scan.cpu * 1e3,
	       per_leaf_ns(r, &r->scan), s_per_tib(r, &r->scan),
	       r->scan.cpu / r->floor.cpu, per_leaf_ns(r, &r->floor),
	       per_leaf_ns(r, &r->cas));
	fflush(stdout);
}

static json_object *row_json(const struct row *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "execution", json_object_new_string("native"));
	json_object_object_add(o, "vendor", json_object_new_string(be_name(r->be)));
	json_object_object_add(o, "guest_bytes", json_object_new_int64((int64_t)r->guest));
	json_object_object_add(o, "mapping", json_object_new_string(r->mapping));
	json_object_object_add(o, "accessed", json_object_new_string(r->state));
	json_object_object_add(o, "skim", json_object_new_boolean(r->skim));
	json_object_object_add(o, "leaf_entries", json_object_new_int64((int64_t)r->leaves));
	json_object_object_add(o, "table_bytes", json_object_new_int64((int64_t)r->table_bytes));
	json_object_object_add(o, "stream_bytes", json_object_new_int64((int64_t)r->stream_bytes));
	json_object_object_add(o, "scan", timing_json(&r->scan));
	json_object_object_add(o, "floor_read", timing_json(&r->floor));
	json_object_object_add(o, "cas_pass", timing_json(&r->cas));
	json_object_object_add(o, "ns_per_leaf", json_object_new_double(per_leaf_ns(r, &r->scan)));
	json_object_object_add(o, "cpu_s_per_tib", json_object_new_double(s_per_tib(r, &r->scan)));
	json_object_object_add(o, "floor_ns_per_leaf", json_object_new_double(per_leaf_ns(r, &r->floor)));
	json_object_object_add(o, "ratio_to_floor", json_object_new_double(r->scan.cpu / r->floor.cpu));
	json_object_object_add(o, "cas_ns_per_leaf", json_object_new_double(per_leaf_ns(r, &r->cas)));
	return o;
}

/* ---- the cases ---- */

struct results {
	struct row *rows;
	size_t n, cap;
};

static void add_row(struct results *res, const struct row *r)
{
	if (res->n == res->cap) {
		res->cap = res->cap ? 2 * res->cap : 64;
		res->rows = realloc(res->rows, res->cap * sizeof(*res->rows));
		if (!res->rows)
			die("out of memory");
	}
	res->rows[res->n++] = *r;
	print_row(r);
}

static void run_tree(enum ptw_backend be, u64 guest, int level,
		     const struct opts *o, struct results *res)
{
	static const struct {
		int level;
		const char *state;
		enum prep prep;
		unsigned int flags;
	} cases[] = {
		{ PTW_4K, "idle", PREP_IDLE, 0 },
		{ PTW_4K, "accessed", PREP_ACCESSED, 0 },
		{ PTW_4K, "sparse-1%", PREP_SPARSE, 0 },
		{ PTW_4K, "sparse-1%", PREP_SPARSE, PTW_SKIM },
		{ PTW_4K, "sp-1%x1pg", PREP_SPARSE_1, 0 },
		{ PTW_4K, "sp-1%x1pg", PREP_SPARSE_1, PTW_SKIM },
		{ PTW_2M, "idle", PREP_IDLE, 0 },
		{ PTW_2M, "accessed", PREP_ACCESSED, 0 },
	};
	struct bench_tree t;
	struct ptw_run *run_mem = calloc(o->chunk, sizeof(*run_mem));
	u8 *buf = malloc(o->chunk + PIP_SET_HVA_LEN + 1);
	struct ptw_runs runs = { .run = run_mem, .max = o->chunk };
	struct job floor = { .t = &t, .op = OP_FLOOR };
	struct job cas = { .t = &t, .op = OP_CAS, .prep = PREP_ACCESSED };
	struct timing tf, tc;
	double t0 = now(CLOCK_MONOTONIC);
	size_t i;

	if (!run_mem || !buf)
		die("out of memory");
	tree_build(&t, be, guest, level);
	fprintf(stderr, "walker-bench: %s %llu GiB %s: %llu MiB of tables built in %.1f s\n",
		be_name(be), (unsigned long long)(guest / GIB),
		level == PTW_4K ? "4k" : "2m",
		(unsigned long long)(tree_bytes(&t) / MIB),
		now(CLOCK_MONOTONIC) - t0);
	tf = measure(&floor, o);
	tc = measure(&cas, o);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct job j = {
			.t = &t, .op = OP_SCAN, .prep = cases[i].prep,
			.flags = cases[i].flags, .chunk = o->chunk,
			.runs = &runs, .buf = buf,
		};
		struct row r = {
			.be = be, .guest = guest,
			.mapping = level == PTW_4K ? "4k" : "2m",
			.state = cases[i].state,
			.skim = cases[i].flags & PTW_SKIM,
			.leaves = guest / (level == PTW_4K ? 4 * KIB : 2 * MIB),
			.table_bytes = tree_bytes(&t),
			.floor = tf, .cas = tc,
		};

		if (cases[i].level != level)
			continue;
		r.scan = measure(&j, o);
		r.stream_bytes = j.res.stream_bytes;
		add_row(res, &r);
	}
	tree_free(&t);
	free(run_mem);
	free(buf);
}

/* ---- targets ---- */

static const struct row *find(const struct results *res,
			      enum ptw_backend be, u64 guest,
			      const char *mapping, const char *state,
			      bool skim)
{
	for (size_t i = 0; i < res->n; i++) {
		const struct row *r = &res->rows[i];

		if (r->be == be && r->guest == guest &&
		    !strcmp(r->mapping, mapping) && !strcmp(r->state, state) &&
		    r->skim == skim)
			return r;
	}
	return NULL;
}

static void target(json_object *arr, const char *name, const char *what,
		   double measured, double limit, bool below, const char *note)
{
	json_object *o = json_object_new_object();
	bool met = below ? measured <= limit : measured >= limit;

	printf("  %-52s %9.3f (target %s %.2f): %s", name, measured,
	       below ? "<=" : ">=", limit, met ? "met" : "MISSED");
	if (!met)
		printf(", by %.1fx", below ? measured / limit : limit / measured);
	printf("\n");
	if (!met && note)
		printf("      %s\n", note);
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "what", json_object_new_string(what));
	json_object_object_add(o, "measured", json_object_new_double(measured));
	json_object_object_add(o, below ? "at_most" : "at_least",
			       json_object_new_double(limit));
	json_object_object_add(o, "met", json_object_new_boolean(met));
	if (!met && note)
		json_object_object_add(o, "what_holds_it_back",
				       json_object_new_string(note));
	json_object_array_add(arr, o);
}

/* The three targets, at the largest size measured. */
static json_object *targets(const struct results *res, const struct opts *o)
{
	json_object *arr = json_object_new_array();
	u64 guest = 0;
	char name[96], sz[16], note[400];

	for (int i = 0; i < o->nsizes; i++)
		if (o->sizes[i] > guest)
			guest = o->sizes[i];
	size_name(sz, sizeof(sz), guest);
	printf("\ntargets (at %s):\n", sz);
	for (int b = 0; b < 2; b++) {
		enum ptw_backend be = b ? PTW_EPT : PTW_NPT;
		const char *st[] = { "idle", "accessed" };
		const struct row *r, *skim;
		const struct row *acc = find(res, be, guest, "4k", "accessed",
					     false);

		if ((be == PTW_NPT && !o->npt) || (be == PTW_EPT && !o->ept))
			continue;
		for (int s = 0; s < 2; s++) {
			const char *why = NULL;

			r = find(res, be, guest, "4k", st[s], false);
			if (!r)
				continue;
			if (s) {
				double cas = per_leaf_ns(r, &r->cas);

				snprintf(note, sizeof(note),
					 "every leaf is accessed, so each needs a locked cmpxchg (as KVM's own aging): a bare pass of read + lock cmpxchg over the same entries costs %.2f ns per entry, %.0f%% of the scan's %.2f ns; the rest is the walker's per-entry work (state, run, hook call), which the locked instruction, a full barrier on x86, keeps from overlapping with it",
					 cas, 100 * cas / per_leaf_ns(r, &r->scan),
					 per_leaf_ns(r, &r->scan));
				why = note;
			}
			snprintf(name, sizeof(name), "%s %s 4k all %s: scan / floor",
				 be_name(be), sz, st[s]);
			target(arr, name, "ratio of the dense 4 KiB scan's CPU time to a sequential read of the same table bytes",
			       r->scan.cpu / r->floor.cpu, TARGET_FLOOR_RATIO,
			       true, why);
			snprintf(name, sizeof(name), "%s %s 4k all %s: CPU s per TiB",
				 be_name(be), sz, st[s]);
			target(arr, name, "CPU seconds per TiB of 4 KiB-mapped guest memory",
			       s_per_tib(r, &r->scan), TARGET_S_PER_TIB, true,
			       why);
		}
		for (int s = 0; s < 2; s++) {
			const char *sp = s ? "sp-1%x1pg" : "sparse-1%";

			r = find(res, be, guest, "4k", sp, false);
			skim = find(res, be, guest, "4k", sp, true);
			if (!r || !skim)
				continue;
			snprintf(name, sizeof(name), "%s %s %s: normal / skim",
				 be_name(be), sz, sp);
			/* skim still clears the touched regions' pages */
			note[0] = '\0';
			if (acc) {
				u64 pages = div_up(r->leaves / 512, SPARSE_EVERY) *
					    (s ? 1 : 512);
				double ns = per_leaf_ns(acc, &acc->scan);

				snprintf(note, sizeof(note),
					 "skim reads only the touched regions' PTE tables, but clears every accessed page there: %llu pages at the dense accessed scan's %.2f ns each make %.3f ms of its %.3f ms",
					 (unsigned long long)pages, ns,
					 pages * ns / 1e6, skim->scan.cpu * 1e3);
			}
			target(arr, name, s ? "sparse case, one page of each touched 2 MiB region accessed: CPU time of a normal (dense) scan over that of a skim scan"
					    : "sparse case, all 512 pages of each touched 2 MiB region accessed: CPU time of a normal (dense) scan over that of a skim scan",
			       r->scan.cpu / skim->scan.cpu, TARGET_SKIM_GAIN,
			       false, note[0] ? note : NULL);
		}
	}
	return arr;
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: walker-bench [--sizes LIST] [--vendors npt,ept] [--chunk PAGES]\n"
		"                    [--min-time SEC] [--json FILE]\n"
		"  --sizes     guest sizes, e.g. 4G,16G,1T (default 4G,16G,64G,256G,1T)\n"
		"  --vendors   npt, ept or both (default both)\n"
		"  --chunk     pages per walk call, as the module's chunk_pages (default %d)\n"
		"  --min-time  seconds of timed work per figure (default 0.3)\n"
		"  --json      write the results there\n", DEFAULT_CHUNK);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "sizes", required_argument, NULL, 's' },
		{ "vendors", required_argument, NULL, 'v' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "min-time", required_argument, NULL, 't' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const u64 def[] = { 4 * GIB, 16 * GIB, 64 * GIB, 256 * GIB, TIB };
	int c;

	*o = (struct opts){ .npt = true, .ept = true, .chunk = DEFAULT_CHUNK,
			    .min_time = 0.3, .min_reps = 3 };
	memcpy(o->sizes, def, sizeof(def));
	o->nsizes = sizeof(def) / sizeof(def[0]);
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		char *list, *tok, *save = NULL;

		switch (c) {
		case 's':
			o->nsizes = 0;
			list = strdup(optarg);
			for (tok = strtok_r(list, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (o->nsizes == MAX_SIZES ||
				    bench_parse_size(tok, &o->sizes[o->nsizes], 64 * TIB)) {
					fprintf(stderr, "walker-bench: bad size '%s': give whole GiB or TiB like 4G or 1T (at most %d sizes, up to 64T)\n",
						tok, MAX_SIZES);
					return -1;
				}
				o->nsizes++;
			}
			free(list);
			break;
		case 'v':
			o->npt = strstr(optarg, "npt") != NULL;
			o->ept = strstr(optarg, "ept") != NULL;
			if (!o->npt && !o->ept) {
				fprintf(stderr, "walker-bench: --vendors takes npt, ept or npt,ept, not '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'c':
			o->chunk = (unsigned int)strtoul(optarg, NULL, 10);
			if (o->chunk < 512 || o->chunk > 65536 || o->chunk % 512) {
				fprintf(stderr, "walker-bench: --chunk must be a multiple of 512 in 512..65536 (the module's bounds), not '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 't':
			o->min_time = strtod(optarg, NULL);
			if (!(o->min_time >= 0 && o->min_time <= 60)) {
				fprintf(stderr, "walker-bench: --min-time must be 0..60 seconds, not '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "walker-bench: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct results res = { 0 };
	json_object *root, *rows, *tg;

	if (parse_args(argc, argv, &o))
		return 2;
	printf("walker core (kvm-module/core), native user space, one thread; best CPU time of repeated scans\n");
	printf("scan = chunked walk (%u pages per call) + record encoding; floor = sequential read of the same table bytes;\n",
	       o.chunk);
	printf("CAS = read + locked cmpxchg of every entry; ns per leaf entry (4 KiB or 2 MiB); s/TiB = CPU s per TiB of guest\n\n");
	print_header();
	for (int i = 0; i < o.nsizes; i++) {
		if (o.npt) {
			run_tree(PTW_NPT, o.sizes[i], PTW_4K, &o, &res);
			run_tree(PTW_NPT, o.sizes[i], PTW_2M, &o, &res);
		}
		if (o.ept) {
			run_tree(PTW_EPT, o.sizes[i], PTW_4K, &o, &res);
			run_tree(PTW_EPT, o.sizes[i], PTW_2M, &o, &res);
		}
	}
	tg = targets(&res, &o);
	if (!o.json) {
		json_object_put(tg);
		free(res.rows);
		return 0;
	}
	root = json_object_new_object();
	rows = json_object_new_array();
	for (size_t i = 0; i < res.n; i++)
		json_object_array_add(rows, row_json(&res.rows[i]));
	json_object_object_add(root, "benchmark", json_object_new_string("walker"));
	json_object_object_add(root, "description", json_object_new_string(
		"Benchmark 1: the walker core (kvm-module/core) natively in user space on synthetic AMD NPT and Intel EPT tables. "
		"scan: the module's chunked walk plus record encoding, best CPU time of repeated scans, accessed bits set again before each; "
		"floor_read: one sequential read of the same tree's table bytes; cas_pass: a read and a locked cmpxchg of every entry. "
		"Not included: mmu_lock, copy_to_user and the kernel's per-accessed-page hook."));
	json_object_object_add(root, "execution", json_object_new_string("native: every figure here ran natively on the host CPU, none under TCG"));
	json_object_object_add(root, "machine", bench_machine_json());
	json_object_object_add(root, "chunk_pages", json_object_new_int((int)o.chunk));
	json_object_object_add(root, "sparse_regions_touched_every", json_object_new_int(SPARSE_EVERY));
	json_object_object_add(root, "results", rows);
	json_object_object_add(root, "targets", tg);
	if (json_object_to_file_ext(o.json, root, JSON_C_TO_STRING_PRETTY)) {
		fprintf(stderr, "walker-bench: cannot write %s: %s\n", o.json,
			json_util_get_last_err());
		return 1;
	}
	json_object_put(root);
	free(res.rows);
	return 0;
}
