/* SPDX-License-Identifier: MIT */
/*
 * test_idle_pages_report.c - record -> report round trip: a simulated
 * module serves a workload with a known working set over real, resident
 * memory of this process; `record` writes it to a file; `report` must
 * give exactly the histogram, working set sizes and per-node totals the
 * workload implies. Also per-node data from a recording, and its absence.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "commands.h"
#include "harness.h"
#include "idle_pages_fake_kernel.h"
#include "idle_pages_synth.h"
#include "report.h"

#define ROUNDS		6
#define A_PAGES		256	/* 4 KiB region */
#define B_UNITS		16	/* 2 MiB region */
#define HOT		32	/* A[0, 32): every round */
#define EVEN		32	/* A[32, 64): even rounds */
#define MOVING		8	/* A[64 + 8k, +8): round k only */
#define B_ROUND		5	/* B unit 0 is touched in this round only */
#define UNIT_PAGES	512

static void workload(struct fake_kernel *k, int round, void *arg)
{
	(void)arg;
	fake_touch(k, 0, 0, HOT);
	if (round % 2 == 0)
		fake_touch(k, 0, HOT, EVEN);
	fake_touch(k, 0, HOT + EVEN + (uint64_t)round * MOVING, MOVING);
	if (round == B_ROUND)
		fake_touch(k, 1, 0, 1);
}

/* Pages accessed in round r by the workload. */
static uint64_t accessed_in(int r)
{
	return HOT + (r % 2 == 0 ? EVEN : 0) + MOVING +
	       (r == B_ROUND ? UNIT_PAGES : 0);
}

static char *tmp_path(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "/tmp/test_idle_pages_%d_%s",
		 (int)getpid(), name);
	return path;
}

static void test_round_trip(void)
{
	const uint64_t total = A_PAGES + B_UNITS * UNIT_PAGES;
	const uint64_t two_m = 2ull << 20;
	struct fake_kernel k;
	struct live_plan p = { 0 };
	struct report_opts o = { .windows = { 1, 2, ROUNDS }, .nwindows = 3,
				 .merge_gap = 64ull << 20 };
	struct scan_set s;
	struct report rep;
	char err[512] = "", *path = tmp_path("rt.ipr");
	size_t len = (A_PAGES * IP_PAGE_SIZE) + (B_UNITS + 1) * two_m;
	uint8_t *mem, *b;

	/* real memory, so move_pages finds every page on a node */
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(mem != MAP_FAILED);
	if (mem == MAP_FAILED)
		return;
	memset(mem, 1, len);
	b = (uint8_t *)(((uintptr_t)mem + A_PAGES * IP_PAGE_SIZE + two_m - 1) &
			~(two_m - 1));

	fake_kernel_init(&k);
	fake_add_region(&k, (uintptr_t)mem, A_PAGES, 12);
	fake_add_region(&k, (uintptr_t)b, B_UNITS, 21);
	k.on_open = workload;
	p.target = (struct ip_target){ .pid = getpid(), .is_vm = true,
				       .desc = "synthetic workload" };
	p.rounds = ROUNDS;
	p.interval_s = 0.01;
	p.numa = true;
	p.sys = &k.ops;
	p.quiet = true;
	CHECK_EQ_U64(record_to_file(&p, path, err, sizeof(err)), 0);
	CHECK_EQ_U64(k.opens, ROUNDS);
	CHECK_EQ_U64(scan_set_load(path, &s, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "  %s\n", err);
	CHECK_EQ_U64(s.nrounds, ROUNDS);
	CHECK(s.hdr.have_info);
	CHECK_EQ_U64(s.hdr.info.backend, IDLE_PAGES_BACKEND_NPT);
	CHECK(strcmp(s.hdr.target, "synthetic workload") == 0);
	CHECK(s.hdr.interval_ms == 10);
	CHECK_EQ_U64(report_compute(&s, &o, &rep, err, sizeof(err)), 0);

	/* histogram: HOT in all rounds, EVEN in half, MOVING + B once */
	CHECK_EQ_U64(rep.mapped, total);
	CHECK_EQ_U64(rep.hist[ROUNDS], HOT);
	CHECK_EQ_U64(rep.hist[(ROUNDS + 1) / 2], EVEN);
	CHECK_EQ_U64(rep.hist[1], ROUNDS * MOVING + UNIT_PAGES);
	CHECK_EQ_U64(rep.hist[0], total - HOT - EVEN - ROUNDS * MOVING -
		     UNIT_PAGES);
	CHECK_EQ_U64(rep.hist[2] + rep.hist[4] + rep.hist[5], 0);

	/* window 1: each round's own set */
	CHECK_EQ_U64(rep.wss[0].window, 1);
	CHECK_EQ_U64(rep.wss[0].nwin, ROUNDS);
	CHECK_EQ_U64(rep.wss[0].min, accessed_in(1));
	CHECK_EQ_U64(rep.wss[0].max, accessed_in(B_ROUND));
	CHECK_EQ_U64(rep.wss[0].last, accessed_in(ROUNDS - 1));
	{
		double sum = 0;

		for (int r = 0; r < ROUNDS; r++)
			sum += (double)accessed_in(r);
		CHECK(rep.wss[0].mean > sum / ROUNDS - 1e-9 &&
		      rep.wss[0].mean < sum / ROUNDS + 1e-9);
	}
	/* window 2: HOT + EVEN + two moving bands (+ B in the last one) */
	CHECK_EQ_U64(rep.wss[1].nwin, ROUNDS - 1);
	CHECK_EQ_U64(rep.wss[1].min, HOT + EVEN + 2 * MOVING);
	CHECK_EQ_U64(rep.wss[1].last, HOT + EVEN + 2 * MOVING + UNIT_PAGES);
	/* all rounds: every page ever accessed */
	CHECK_EQ_U64(rep.wss[2].nwin, 1);
	CHECK_EQ_U64(rep.wss[2].last, HOT + EVEN + ROUNDS * MOVING + UNIT_PAGES);

	/* hot = in >= 3 of 6 rounds */
	CHECK_EQ_U64(rep.hot_min, 3);
	CHECK_EQ_U64(rep.hot, HOT + EVEN);
	CHECK_EQ_U64(rep.warm, ROUNDS * MOVING + UNIT_PAGES);
	CHECK_EQ_U64(rep.cold, rep.hist[0]);

	/* NUMA: every page resident, all on nodes; sums match the totals */
	CHECK_EQ_U64(rep.node_rounds, ROUNDS);
	{
		uint64_t hot = 0, cold = 0;

		for (int i = 0; i < rep.nnodes; i++) {
			CHECK(rep.nodes[i].node >= 0);
			hot += rep.nodes[i].hot;
			cold += rep.nodes[i].cold;
		}
		CHECK_EQ_U64(hot, rep.hot);
		CHECK_EQ_U64(cold, rep.cold);
	}
	report_free(&rep);
	scan_set_free(&s);
	fake_kernel_fini(&k);
	munmap(mem, len);
	unlink(path);
}

/* Node runs recorded in some rounds: the latest per page counts. */
static void test_nodes_from_recording(void)
{
	const uint64_t base = 0x7f0000000000ull, n = 64;
	uint8_t acc[64] = { 0 };
	struct rec_round rounds[2] = { 0 };
	struct rec_node_run runs[2] = {
		{ base, 16, 0 }, { base + 16 * IP_PAGE_SIZE, 48, 1 },
	};
	struct report_opts o = { .merge_gap = 0 };
	struct scan_set s;
	struct report rep;
	char err[256], *path = tmp_path("nodes.ipr");
	FILE *out;
	char text[4096];
	size_t tl;

	memset(acc, 1, 8);		/* pages 0-7 hot in both rounds */
	synth_append(&rounds[0], base, acc, n);
	synth_append(&rounds[1], base, acc, n);
	rounds[1].has_nodes = true;
	rounds[1].nodes = runs;
	rounds[1].nnodes = 2;
	CHECK_EQ_U64(synth_write(path, "nodes", rounds, 2), 0);
	CHECK_EQ_U64(scan_set_load(path, &s, err, sizeof(err)), 0);
	CHECK_EQ_U64(report_compute(&s, &o, &rep, err, sizeof(err)), 0);
	CHECK_EQ_U64(rep.node_rounds, 1);
	CHECK_EQ_U64(rep.nnodes, 2);
	if (rep.nnodes == 2) {
		CHECK_EQ_U64(rep.nodes[0].node, 0);
		CHECK_EQ_U64(rep.nodes[0].hot, 8);
		CHECK_EQ_U64(rep.nodes[0].cold, 8);
		CHECK_EQ_U64(rep.nodes[1].node, 1);
		CHECK_EQ_U64(rep.nodes[1].hot, 0);
		CHECK_EQ_U64(rep.nodes[1].cold, 48);
	}
	report_free(&rep);
	scan_set_free(&s);

	/* the same without node runs: the report says they are absent */
	rounds[1].has_nodes = false;
	CHECK_EQ_U64(synth_write(path, "nodes", rounds, 2), 0);
	CHECK_EQ_U64(scan_set_load(path, &s, err, sizeof(err)), 0);
	CHECK_EQ_U64(report_compute(&s, &o, &rep, err, sizeof(err)), 0);
	CHECK_EQ_U64(rep.node_rounds, 0);
	out = fmemopen(text, sizeof(text), "w");
	report_print_text(out, &s, &rep);
	tl = (size_t)ftell(out);
	fclose(out);
	text[tl < sizeof(text) ? tl : sizeof(text) - 1] = '\0';
	CHECK(strstr(text, "per NUMA node: absent") != NULL);
	report_free(&rep);
	scan_set_free(&s);
	free(rounds[0].scan);
	free(rounds[1].scan);
	unlink(path);
}

/* Bad recordings are refused with a reason, not misread. */
static void test_bad_recordings(void)
{
	const uint64_t base = 0x7f0000000000ull;
	uint8_t acc[4] = { 1, 0, 1, 0 };
	struct rec_round r = { 0 };
	struct scan_set s;
	struct report rep;
	struct report_opts o = { .windows = { 3 }, .nwindows = 1 };
	char err[256] = "", *path = tmp_path("bad.ipr");
	FILE *f;

	synth_append(&r, base, acc, 4);
	CHECK_EQ_U64(synth_write(path, "x", &r, 1), 0);
	/* a window longer than the recording */
	CHECK_EQ_U64(scan_set_load(path, &s, err, sizeof(err)), 0);
	CHECK(report_compute(&s, &o, &rep, err, sizeof(err)) < 0);
	CHECK(strstr(err, "window of 3 rounds") != NULL);
	scan_set_free(&s);
	/* cut the last round short */
	f = fopen(path, "r+b");
	fseek(f, 0, SEEK_END);
	CHECK_EQ_U64(ftruncate(fileno(f), ftell(f) - 2), 0);
	fclose(f);
	CHECK(scan_set_load(path, &s, err, sizeof(err)) < 0);
	CHECK(strstr(err, "cut short") != NULL);
	/* not a recording at all */
	f = fopen(path, "wb");
	fputs("hello", f);
	fclose(f);
	CHECK(scan_set_load(path, &s, err, sizeof(err)) < 0);
	CHECK(strstr(err, "not an idle-pages recording") != NULL);
	free(r.scan);
	unlink(path);
}

int main(void)
{
	RUN_TEST(test_round_trip);
	RUN_TEST(test_nodes_from_recording);
	RUN_TEST(test_bad_recordings);
	return TEST_SUMMARY();
}
