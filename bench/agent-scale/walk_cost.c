/* SPDX-License-Identifier: MIT */
/*
 * walk_cost.c - the walker core's time per page on the pattern's
 * tables, and the fake stream checked against it (see walk_cost.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_module.h"
#include "clock.h"
#include "synth_pt.h"
#include "walk_cost.h"

#define TABLE		4096ull
#define HPA_BASE	0x100000000ull
#define GIB		(1ull << 30)

/* The hooks the walker core calls; a real kernel marks the page accessed. */
void ptw_env_accessed(void *ctx, u64 pfn, int level)
{
	(void)ctx;
	(void)pfn;
	(void)level;
}

void ptw_env_dirty(void *ctx, u64 pfn, int level)
{
	(void)ctx;
	(void)pfn;
	(void)level;
}

struct walk_env {
	const struct pattern *p;
	struct synth_arena arena;
	struct synth_pt pt;
	uint64_t guest, base;
	struct ptw_runs runs;
	u8 *chunk_buf;
	unsigned int flags;		/* PTW_* of the scans */
};

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

static int build(struct walk_env *w)
{
	uint64_t tables = 1 + div_up(w->guest, 512 * GIB) +
			  div_up(w->guest, GIB);

	if (w->p->level == PTW_4K)
		tables += div_up(w->guest, 2ull << 20);
	if (synth_arena_init(&w->arena, (tables + 1) * TABLE) ||
	    synth_pt_init(&w->pt, &w->arena, PTW_NPT, 4, false) ||
	    synth_map(&w->pt, 0, w->guest, w->p->level, HPA_BASE,
		      SYNTH_A | SYNTH_D | SYNTH_W))
		return -1;
	return 0;
}

/* What the guest touched before a scan: A bits down to each leaf. */
static void touch(struct walk_env *w, bool warm)
{
	const struct pat_runs *r = &w->p->runs[warm];

	for (uint64_t base = 0; base < w->guest / 4096;
	     base += PAT_PERIOD_PAGES)
		for (size_t i = 0; i < r->n; i++)
			if (r->accessed[i])
				synth_touch(&w->pt, (base + r->start[i]) * 4096,
					    (uint64_t)(r->start[i + 1] -
						       r->start[i]) * 4096,
					    false);
}

/*
 * A whole scan in the module's chunks: from the walker, or (gen) from
 * the pattern as the fake module makes it. keep: all bytes stay in buf
 * (for the comparison); otherwise each chunk's are dropped, as the
 * module copies them out. Returns the stream's bytes, or 0 on failure.
 */
static uint64_t scan(struct walk_env *w, bool gen, bool warm, u8 *buf,
		     size_t cap, bool keep, uint64_t *accessed)
{
	struct ptw_enc enc;
	uint64_t addr = 0, bytes = 0;

	*accessed = 0;
	ptw_enc_init(&enc, buf, cap, w->base, w->flags);
	while (addr < w->guest) {
		uint64_t end = addr + FAKE_CHUNK_PAGES * 4096ull;
		struct ptw_stats st;

		if (end > w->guest)
			end = w->guest;
		w->runs.nr = 0;
		if (gen) {
			if (pattern_runs(w->p, warm, addr / 4096,
					 (end - addr) / 4096, w->flags,
					 &w->runs))
				return 0;
		} else {
			memset(&st, 0, sizeof(st));
			end = ptw_walk(&w->pt.tree, addr, end, w->flags,
				       &w->runs,
				       &st, NULL);
			if (end == addr)
				return 0;
			*accessed += st.pages_accessed;
		}
		if (ptw_enc_runs(&enc, &w->runs, w->base))
			return 0;
		if (!keep) {
			bytes += enc.len;
			enc.len = 0;
		}
		addr = end;
	}
	return bytes + ptw_enc_finish(&enc);
}

int walk_cost_measure(const struct pattern *p, uint64_t guest_bytes,
		      uint64_t hva_base, unsigned int flags, int reps,
		      struct walk_cost *out, char *err, size_t errlen)
{
	struct walk_env w = { .p = p, .guest = guest_bytes, .base = hva_base };
	size_t cap = guest_bytes / 4096 + 64;
	u8 *want = malloc(cap), *got = malloc(cap);
	struct ptw_run *run_mem = calloc(FAKE_CHUNK_PAGES + 1,
					 sizeof(*run_mem));
	uint64_t acc;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	out->guest_bytes = guest_bytes;
	out->reps = reps;
	w.runs = (struct ptw_runs){ run_mem, 0, FAKE_CHUNK_PAGES + 1 };
	w.chunk_buf = malloc(FAKE_CHUNK_PAGES + PIP_SET_HVA_LEN + 1);
	if (!want || !got || !run_mem || !w.chunk_buf || build(&w)) {
		snprintf(err, errlen, "out of memory for %llu GiB of tables",
			 (unsigned long long)(guest_bytes / GIB));
		goto out;
	}
	out->table_bytes = w.arena.used - TABLE;
	/* the tables are built accessed: a first, normal scan clears them */
	scan(&w, false, false, w.chunk_buf, FAKE_CHUNK_PAGES +
	     PIP_SET_HVA_LEN + 1, false, &acc);
	w.flags = out->flags = flags;
	for (int warm = 0; warm < 2; warm++) {
		uint64_t n_want, n_got, best = UINT64_MAX;
		uint64_t expect = 0;

		for (size_t i = 0; i < p->runs[warm].n; i++)
			if (p->runs[warm].accessed[i])
				expect += p->runs[warm].start[i + 1] -
					  p->runs[warm].start[i];
		expect *= guest_bytes / 4096 / PAT_PERIOD_PAGES;
		touch(&w, warm);
		n_want = scan(&w, false, warm, want, cap, true, &acc);
		n_got = scan(&w, true, warm, got, cap, true, &acc);
		if (!n_want || n_want != n_got || memcmp(want, got, n_want)) {
			snprintf(err, errlen, "%s: the fake module's stream (%llu bytes) is not the walker's (%llu bytes) for a %s scan",
				 pattern_name(p->kind),
				 (unsigned long long)n_got,
				 (unsigned long long)n_want,
				 warm ? "warm" : "quiet");
			goto out;
		}
		out->stream_bytes[warm] = n_want;
		for (int r = 0; r < reps; r++) {
			uint64_t t0, t;

			touch(&w, warm);
			t0 = run_ns();
			scan(&w, false, warm, w.chunk_buf, FAKE_CHUNK_PAGES +
			     PIP_SET_HVA_LEN + 1, false, &acc);
			t = run_ns() - t0;
			if (acc != expect) {
				snprintf(err, errlen, "%s: the walker found %llu pages accessed, want %llu",
					 pattern_name(p->kind),
					 (unsigned long long)acc,
					 (unsigned long long)expect);
				goto out;
			}
			if (t < best)
				best = t;
		}
		out->accessed[warm] = expect;
		out->ns_per_page[warm] = (double)best / (guest_bytes / 4096);
	}
	ret = 0;
out:
	if (w.arena.base)
		synth_arena_free(&w.arena);
	free(want);
	free(got);
	free(run_mem);
	free(w.chunk_buf);
	return ret;
}

void walk_cost_keep_best(struct walk_cost *best, const struct walk_cost *w,
			 bool first)
{
	if (first) {
		*best = *w;
		return;
	}
	best->reps += w->reps;
	for (int i = 0; i < 2; i++)
		if (w->ns_per_page[i] < best->ns_per_page[i])
			best->ns_per_page[i] = w->ns_per_page[i];
}
