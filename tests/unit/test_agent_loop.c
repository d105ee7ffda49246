/* SPDX-License-Identifier: MIT */
/*
 * test_agent_loop.c - vmm-agent's intervals end to end on a simulated
 * guest: a synthetic scan source (which pages the "guest" touched) and a
 * fake move_pages (where each page is). Checks the placement goals: the
 * hot set in DRAM within two intervals, no cold or rarely touched page
 * promoted whatever the headroom, DRAM within the limit after every
 * interval, dry-run moving nothing, policy reload, scan failures.
 */
#include <errno.h>
#include <numaif.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "harness.h"
#include "idle_pages_fake_kernel.h"
#include "log.h"
#include "units.h"

#define BASE	0x7f4000000000ull
#define NPAGES	8192			/* a 32 MiB guest */

struct sim {
	int node_of[NPAGES];		/* where the fake kernel keeps it */
	bool touched[NPAGES];		/* accessed since the last scan */
	bool fail_scan;
	int free_dram;
	bool thp[NPAGES / 512];		/* one host huge page: moves whole */
	bool know_thp;			/* the agent may ask (host_huge) */
	bool hide_frames;		/* pagemap without PFNs (not root) */
	uint64_t queries;		/* move_pages calls without nodes */
	unsigned int frame_blocks_off;	/* frames in blocks sysfs lacks */
	uint64_t pagemap_reads;
};

static struct sim sim;

static int sim_scan(void *ctx, pid_t pid, struct agent_scan *s,
		    const struct ip_hva_range *r, size_t n, struct hotness *h,
		    char *err, size_t errlen)
{
	(void)ctx;
	(void)pid;
	memset(&s->info, 0, sizeof(s->info));	/* a module that says nothing */
	if (sim.fail_scan) {
		snprintf(err, errlen, "open /proc/idle_pages: No such file or directory");
		return -1;
	}
	CHECK_EQ_U64(n, 1);
	CHECK_EQ_U64(r[0].start, BASE);
	for (uint64_t i = 0; i < NPAGES; i++) {
		struct ip_range rec = {
			.hva = BASE + i * 4096, .npages = 1,
			.type = sim.touched[i] ? PTE_ACCESSED : PTE_IDLE,
			.page_shift = 12,
		};

		hotness_feed(h, &rec);
		sim.touched[i] = false;		/* the scan clears the bits */
	}
	return 0;
}

static long sim_move(void *ctx, int pid, unsigned long count, void **pages,
		     const int *nodes, int *status, int flags)
{
	(void)ctx;
	(void)pid;
	(void)flags;
	sim.queries += !nodes;
	for (unsigned long i = 0; i < count; i++) {
		uint64_t idx = ((uint64_t)(uintptr_t)pages[i] - BASE) / 4096;

		if (idx >= NPAGES) {
			status[i] = -EFAULT;
			continue;
		}
		if (nodes && nodes[i] != sim.node_of[idx]) {
			/* as the kernel: any page of a THP moves all of it */
			uint64_t lo = sim.thp[idx / 512] ? idx & ~511ull : idx;
			uint64_t hi = sim.thp[idx / 512] ? lo + 512 : idx + 1;

			if (nodes[i] == 0 && sim.free_dram < (int)(hi - lo)) {
				status[i] = -ENOMEM;
				continue;
			}
			for (uint64_t j = lo; j < hi; j++) {
				sim.free_dram += nodes[i] == 0 ? -1 : 1;
				sim.node_of[j] = nodes[i];
			}
		}
		status[i] = sim.node_of[idx];
	}
	return 0;
}

static uint64_t fake_now;
static uint64_t sim_now(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static void sim_sleep(void *ctx, uint64_t ns)
{
	(void)ctx;
	fake_now += ns;
}

static int sim_host_huge(void *ctx, struct mover *m, uint64_t hva)
{
	(void)ctx;
	(void)m;
	return sim.know_thp ? sim.thp[(hva - BASE) / 4096 / 512] : -1;
}

/*
 * Frames as the fake sysfs (make_frames) has them: node 0's block from
 * PFN 32768, node 1's from 65536; a page's frame is its index there,
 * swapped with its neighbour's unless in a THP (512 in a row).
 */
#define FRAME_BLOCK_PAGES	32768
static uint64_t sim_frame(uint64_t idx)
{
	return (uint64_t)(sim.node_of[idx] + 1 + sim.frame_blocks_off) *
	       FRAME_BLOCK_PAGES + (sim.thp[idx / 512] ? idx : idx ^ 1);
}

static long sim_pagemap(void *ctx, struct mover *m, uint64_t hva, size_t n,
			uint64_t *out)
{
	(void)ctx;
	(void)m;
	sim.pagemap_reads++;
	for (size_t k = 0; k < n; k++) {
		uint64_t idx = (hva - BASE) / 4096 + k;

		out[k] = idx < NPAGES ? 1ull << 63 | sim_frame(idx) : 0;
		if (idx < NPAGES && sim.hide_frames)
			out[k] = 1ull << 63;
	}
	return (long)n;
}

static const struct mover_ops sim_ops = { sim_move, sim_now, sim_sleep, NULL,
					  sim_host_huge, sim_pagemap };

static struct agent a;
static struct policy pol;
static char proc_root[] = "/tmp/test_agent_loop_XXXXXX";
static char sys_root[] = "/tmp/test_agent_sys_XXXXXX";

static uint64_t dram_pages(void)
{
	uint64_t n = 0;

	for (int i = 0; i < NPAGES; i++)
		n += sim.node_of[i] == 0;
	return n;
}

/* The simulated guest: every page on PMEM (node 1), DRAM empty. */
static void sim_reset(void)
{
	memset(&sim, 0, sizeof(sim));
	for (int i = 0; i < NPAGES; i++)
		sim.node_of[i] = 1;
	sim.free_dram = NPAGES;
}

/* A guest of NPAGES all on PMEM, a policy with DRAM node 0, PMEM node 1. */
static void start(unsigned int limit_pct, enum policy_mode mode)
{
	struct ip_hva_range rg = { BASE, BASE + NPAGES * 4096ull };
	char err[1024];

	sim_reset();
	policy_defaults(&pol);
	pol.dram_nodes[0] = 0;
	pol.nr_dram_nodes = 1;
	pol.pmem_nodes[0] = 1;
	pol.nr_pmem_nodes = 1;
	pol.limit_percent = limit_pct;
	pol.mode = mode;
	agent_init(&a, &pol, &sim_ops, sim_scan, NULL);
	snprintf(a.st.domain, sizeof(a.st.domain), "sim");
	a.proc_root = proc_root;
	a.sys_root = sys_root;
	CHECK(agent_attach(&a, getpid(), &rg, 1, NPAGES * 4096ull, err,
			   sizeof(err)) == 0);
	CHECK_EQ_U64(a.st.tier_bytes[TIER_PMEM], 0);	/* no interval yet */
	CHECK_EQ_U64(a.st.nr_nodes, 0);		/* nothing located yet */
}

/* The guest touches [lo, hi) every interval, and page `rare` once. */
static void touch(int lo, int hi)
{
	for (int i = lo; i < hi; i++)
		sim.touched[i] = true;
}

static bool hot_set_in_dram(int lo, int hi)
{
	for (int i = lo; i < hi; i++)
		if (sim.node_of[i] != 0)
			return false;
	return true;
}

static void test_hot_set_promoted_within_two_intervals(void)
{
	start(25, POLICY_ENFORCE);
	touch(0, 800);
	CHECK(agent_interval(&a) == 0);
	CHECK_EQ_U64(dram_pages(), 0);		/* seen once: not yet hot */
	touch(0, 800);
	CHECK(agent_interval(&a) == 0);
	CHECK(hot_set_in_dram(0, 800));
	CHECK_EQ_U64(dram_pages(), 800);
	CHECK_EQ_U64(a.st.c.promoted_pages, 800);
	CHECK_EQ_U64(a.st.c.hot_pages, 800);
	CHECK_EQ_U64(a.st.c.scans, 2);
	CHECK_EQ_U64(a.st.c.pages_accessed, 1600);
	CHECK_EQ_U64(a.st.tier_bytes[TIER_DRAM], 800 * 4096);
	CHECK_EQ_U64(a.st.tier_bytes[TIER_PMEM], (NPAGES - 800) * 4096ull);
	agent_fini(&a);
}

static void test_rare_pages_never_promoted_with_ample_headroom(void)
{
	start(100, POLICY_ENFORCE);
	for (int interval = 0; interval < 40; interval++) {
		touch(0, 100);
		/* cold pages: each touched once every 20 intervals */
		for (int i = 100 + interval % 20; i < NPAGES; i += 20)
			sim.touched[i] = true;
		CHECK(agent_interval(&a) == 0);
	}
	CHECK(hot_set_in_dram(0, 100));
	CHECK_EQ_U64(dram_pages(), 100);
	CHECK_EQ_U64(a.st.c.promoted_pages, 100);
	agent_fini(&a);
}

static void test_dram_limit_holds_as_the_hot_set_moves(void)
{
	uint64_t limit = NPAGES / 10;		/* 819 pages */
	uint64_t worst = 0;

	start(10, POLICY_ENFORCE);
	for (int phase = 0; phase < 4; phase++) {
		int lo = phase * 1500, hi = lo + 700;

		for (int interval = 0; interval < 6; interval++) {
			touch(lo, hi);
			CHECK(agent_interval(&a) == 0);
			if (dram_pages() > worst)
				worst = dram_pages();
			/*
			 * Into free DRAM a set is hot after two scans; over
			 * the last set, which the 2-of-4 rule still calls hot,
			 * only when it is hotter by the gap: one scan later.
			 */
			if (interval == (phase ? 2 : 1))
				CHECK(hot_set_in_dram(lo, hi));
		}
	}
	CHECK(worst <= limit);
	CHECK(a.st.c.demoted_pages >= 3 * 700);
	agent_fini(&a);
}

/*
 * Seen in the lab: the guest's own pages (7 hot, the other 505 never
 * touched) in a block the host backs by one THP, which the nested page
 * tables map as 4 KiB pages. Moving a hot page moved the whole THP to
 * DRAM, the 505 were then demoted as cold, which took the hot ones
 * along: a move of 512 pages every interval, for ever. As one unit the
 * block goes to DRAM once and stays.
 */
static void test_host_huge_page_is_one_unit(void)
{
	uint64_t moved;

	start(25, POLICY_ENFORCE);
	sim.thp[0] = sim.know_thp = true;
	for (int interval = 0; interval < 8; interval++) {
		touch(0, 7);
		touch(1000, 1800);
		CHECK(agent_interval(&a) == 0);
	}
	CHECK(hot_set_in_dram(0, 512));
	CHECK(hot_set_in_dram(1000, 1800));
	CHECK(dram_pages() <= NPAGES / 4);
	moved = a.st.c.promoted_pages + a.st.c.demoted_pages;
	CHECK_EQ_U64(moved, 512 + 800);
	for (int interval = 0; interval < 8; interval++) {
		touch(0, 7);
		touch(1000, 1800);
		CHECK(agent_interval(&a) == 0);
	}
	CHECK_EQ_U64(a.st.c.promoted_pages + a.st.c.demoted_pages, moved);
	/* split by the host: 4 KiB units again, each as hot as the block was */
	sim.thp[0] = false;
	touch(0, 7);
	CHECK(agent_interval(&a) == 0);
	CHECK(!hotness_block_huge(&a.hot, 0));
	agent_fini(&a);
}

static void test_dry_run_reports_but_moves_nothing(void)
{
	start(25, POLICY_DRY_RUN);
	for (int interval = 0; interval < 3; interval++) {
		touch(0, 300);
		CHECK(agent_interval(&a) == 0);
	}
	CHECK_EQ_U64(dram_pages(), 0);
	CHECK_EQ_U64(a.st.c.promoted_pages, 0);
	/* the plan is made each interval from where pages really are */
	CHECK_EQ_U64(a.st.c.would_promote_pages, 2 * 300);
	agent_fini(&a);
}

static void test_failed_scan_changes_nothing(void)
{
	start(25, POLICY_ENFORCE);
	touch(0, 50);
	CHECK(agent_interval(&a) == 0);
	sim.fail_scan = true;
	CHECK(agent_interval(&a) == -1);
	CHECK(strstr(a.st.last_error, "/proc/idle_pages") != NULL);
	CHECK(a.attached);
	CHECK_EQ_U64(a.st.c.scans, 1);
	CHECK_EQ_U64(a.hot.hist[0], 0x80);	/* not aged by the failure */
	sim.fail_scan = false;
	touch(0, 50);
	CHECK(agent_interval(&a) == 0);
	CHECK(hot_set_in_dram(0, 50));
	agent_fini(&a);
}

static void test_reload_refuses_a_limit_above_the_guest(void)
{
	struct policy np;
	char err[512];

	start(25, POLICY_ENFORCE);
	np = pol;
	np.limit_kind = POLICY_LIMIT_BYTES;
	np.limit_bytes = 64ull << 20;		/* guest has 32 MiB */
	CHECK(agent_set_policy(&a, &np, err, sizeof(err)) == -1);
	CHECK(strstr(err, "key 'dram_limit': 64 MiB is more than the guest's memory (32 MiB)") != NULL);
	CHECK_EQ_U64(a.limit_pages, NPAGES / 4);	/* the old one stays */
	np.limit_bytes = 4ull << 20;
	np.mode = POLICY_DRY_RUN;
	CHECK(agent_set_policy(&a, &np, err, sizeof(err)) == 0);
	CHECK_EQ_U64(a.limit_pages, 1024);
	CHECK(!strcmp(a.st.mode, "dry-run"));
	agent_fini(&a);
}

/*
 * A reload that gives the tiers other nodes: where pages sit is learned
 * anew, and no page counts as moved by someone else.
 */
static void test_reload_with_other_nodes_relearns_placement(void)
{
	struct policy np;
	char err[512];
	uint64_t moved;

	start(25, POLICY_ENFORCE);
	CHECK(agent_interval(&a) == 0);
	CHECK_EQ_U64(a.st.tier_bytes[TIER_PMEM], NPAGES * 4096ull);
	np = pol;
	np.dram_nodes[0] = 1;
	np.pmem_nodes[0] = 0;
	CHECK(agent_set_policy(&a, &np, err, sizeof(err)) == 0);
	CHECK(agent_interval(&a) == 0);
	CHECK_EQ_U64(a.st.c.moved_elsewhere_pages, 0);
	CHECK_EQ_U64(a.st.tier_bytes[TIER_DRAM] + a.st.tier_bytes[TIER_PMEM],
		     NPAGES * 4096ull);
	CHECK_EQ_U64(a.st.tier_bytes[TIER_NONE], 0);
	agent_fini(&a);

	/*
	 * The hot set in DRAM, then DRAM and PMEM swap nodes: the interval
	 * whose sweep learns that promotes it to the new DRAM node at once.
	 */
	start(25, POLICY_ENFORCE);
	for (int i = 0; i < 2; i++) {
		touch(0, 800);
		CHECK(agent_interval(&a) == 0);
	}
	CHECK(hot_set_in_dram(0, 800));
	CHECK(agent_set_policy(&a, &np, err, sizeof(err)) == 0);
	touch(0, 800);
	CHECK(agent_interval(&a) == 0);
	moved = 0;
	for (int i = 0; i < 800; i++)
		moved += sim.node_of[i] == 1;
	CHECK_EQ_U64(moved, 800);
	agent_fini(&a);
}

/*
 * DAMON_STAT clears the accessed bits the scans read: the status names it
 * (and the log warns) while it is on, not once it is off.
 */
static void test_damon_stat_is_reported(void)
{
	static const char *const dirs[] = { "module", "module/damon_stat",
		"module/damon_stat/parameters" };
	char path[256];
	FILE *f;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", sys_root, dirs[i]);
		mkdir(path, 0755);
	}
	snprintf(path, sizeof(path),
		 "%s/module/damon_stat/parameters/enabled", sys_root);
	for (int on = 1; on >= 0; on--) {
		f = fopen(path, "w");
		fputs(on ? "Y\n" : "N\n", f);
		fclose(f);
		start(25, POLICY_ENFORCE);
		CHECK(!strcmp(a.st.aging_peers,
			      on ? "DAMON_STAT (damon_stat.enabled=Y)" : ""));
		agent_fini(&a);
	}
	unlink(path);
	for (size_t i = sizeof(dirs) / sizeof(dirs[0]); i-- > 0;) {
		snprintf(path, sizeof(path), "%s/%s", sys_root, dirs[i]);
		rmdir(path);
	}
}

static void test_kernel_tiering_is_reported(void)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/sys", proc_root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/kernel", proc_root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/kernel/numa_balancing", proc_root);
	f = fopen(path, "w");
	fputs("2\n", f);
	fclose(f);
	start(25, POLICY_ENFORCE);
	CHECK_EQ_U64(a.st.c.kernel_tiering, 1);
	CHECK_EQ_U64(a.st.numa_balancing, 2);
	agent_fini(&a);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sys/kernel", proc_root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sys", proc_root);
	rmdir(path);
}

/*
 * The agent on the real scan source, lib/ip_reader over a simulated
 * /proc/idle_pages (r), attached to the simulated guest; stop: the
 * signal flag, or NULL.
 */
static void attach_with_reader(struct ip_reader *r, unsigned int limit_pct,
			       volatile int *stop)
{
	struct ip_hva_range rg = { BASE, BASE + NPAGES * 4096ull };
	char err[1024];

	policy_defaults(&pol);
	pol.nr_dram_nodes = pol.nr_pmem_nodes = 1;
	pol.pmem_nodes[0] = 1;
	if (limit_pct)
		pol.limit_percent = limit_pct;
	agent_init(&a, &pol, &sim_ops, agent_scan_idle_pages, r);
	a.proc_root = proc_root;
	a.sys_root = sys_root;
	a.stop = stop;
	CHECK(agent_attach(&a, getpid(), &rg, 1, NPAGES * 4096ull, err,
			   sizeof(err)) == 0);
}

/* The real scan source: lib/ip_reader over a simulated /proc/idle_pages. */
static void test_real_reader_feeds_the_agent(void)
{
	struct fake_kernel k;
	struct ip_reader r;
	int ri;

	sim_reset();
	fake_kernel_init(&k);
	ri = fake_add_region(&k, BASE, NPAGES, 12);
	fake_add_region(&k, 0x7f8000000000ull, 512, 12);	/* not guest RAM */
	ip_reader_init(&r, &k.ops);
	attach_with_reader(&r, 50, NULL);
	for (int interval = 0; interval < 2; interval++) {
		fake_touch(&k, ri, 100, 200);
		fake_touch(&k, ri, 4000 + interval, 1);	/* once each */
		CHECK(agent_interval(&a) == 0);
	}
	CHECK(hot_set_in_dram(100, 300));
	CHECK_EQ_U64(dram_pages(), 200);
	CHECK_EQ_U64(a.st.c.pages_scanned, 2 * NPAGES);
	CHECK_EQ_U64(a.st.c.pages_accessed, 2 * 201);
	CHECK_EQ_U64(k.opens, 2);		/* one open per round */
	agent_fini(&a);
	ip_reader_fini(&r);
	fake_kernel_fini(&k);
}

/*
 * The scan mode follows what the module says: normal until it has said
 * anything, skim for a VM when it honours skim, huge-only once a whole
 * sweep found every block a host huge page, and back to skim when one
 * is split. A process is never skimmed (MGLRU clears its PMDs' bits).
 */
static void scan_modes(uint32_t backend, uint32_t honours, bool thp,
		       const char *const want[5])
{
	struct fake_kernel k;
	struct ip_reader r;

	sim_reset();
	sim.know_thp = true;
	for (int b = 0; b < NPAGES / 512; b++)
		sim.thp[b] = thp;
	fake_kernel_init(&k);
	k.backend = backend;
	k.honours = honours;
	fake_add_region(&k, BASE, NPAGES, 12);
	ip_reader_init(&r, &k.ops);
	attach_with_reader(&r, 0, NULL);
	for (int i = 0; i < 5; i++) {
		const char *flags;

		if (i == 3)
			sim.thp[5] = false;	/* split on the host */
		CHECK(agent_interval(&a) == 0);
		CHECK_EQ_STR(a.st.scan_mode, want[i]);
		flags = k.open_flags & IDLE_PAGES_HUGE_ONLY_FLAG ? "huge-only" :
			k.open_flags & IDLE_PAGES_SKIM_FLAG ? "skim" : "normal";
		CHECK_EQ_STR(flags, want[i]);
	}
	agent_fini(&a);
	ip_reader_fini(&r);
	fake_kernel_fini(&k);
}

static void test_scan_mode_follows_the_target(void)
{
	const uint32_t both = IDLE_PAGES_HONOURS_SKIM |
			      IDLE_PAGES_HONOURS_HUGE_ONLY;

	scan_modes(IDLE_PAGES_BACKEND_NPT, both, false,
		   (const char *const[]){ "normal", "skim", "skim", "skim",
					  "skim" });
	/* the first sweep is whole after the first scan; the split before
	 * the 4th interval is found by its sweep, after its scan */
	scan_modes(IDLE_PAGES_BACKEND_NPT, both, true,
		   (const char *const[]){ "normal", "huge-only", "huge-only",
					  "huge-only", "skim" });
	scan_modes(IDLE_PAGES_BACKEND_NATIVE, both, true,
		   (const char *const[]){ "normal", "normal", "normal",
					  "normal", "normal" });
	scan_modes(IDLE_PAGES_BACKEND_EPT, 0, true,
		   (const char *const[]){ "normal", "normal", "normal",
					  "normal", "normal" });
}

/* sysfs's memory blocks: one of FRAME_BLOCK_PAGES for each node. */
static const char *const frame_dirs[] = {
	"devices", "devices/system", "devices/system/memory",
	"devices/system/node", "devices/system/node/node0",
	"devices/system/node/node0/memory1", "devices/system/node/node1",
	"devices/system/node/node1/memory2",
};
#define NR_FRAME_DIRS	(sizeof(frame_dirs) / sizeof(frame_dirs[0]))

static void make_frames(bool on)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/devices/system/memory/block_size_bytes",
		 sys_root);
	if (!on) {
		unlink(path);
		for (size_t i = NR_FRAME_DIRS; i-- > 0;) {
			snprintf(path, sizeof(path), "%s/%s", sys_root,
				 frame_dirs[i]);
			rmdir(path);
		}
		return;
	}
	for (size_t i = 0; i < NR_FRAME_DIRS; i++) {
		char dir[512];

		snprintf(dir, sizeof(dir), "%s/%s", sys_root, frame_dirs[i]);
		mkdir(dir, 0755);
	}
	f = fopen(path, "w");
	CHECK(f != NULL);
	fprintf(f, "%llx\n", FRAME_BLOCK_PAGES * 4096ull);
	fclose(f);
}

/* After the first interval every page is located, by frames: a read of
 * the pagemap a 64 blocks, no move_pages query. */
static void test_first_interval_locates_by_frame(void)
{
	start(25, POLICY_ENFORCE);
	CHECK_EQ_U64(sim.pagemap_reads, 0);	/* attach reads nothing */
	CHECK(agent_interval(&a) == 0);
	CHECK_EQ_U64(a.st.nr_nodes, 1);
	CHECK_EQ_U64(a.st.nodes[0].node, 1);
	CHECK_EQ_U64(a.st.nodes[0].bytes, NPAGES * 4096ull);
	CHECK_EQ_U64(sim.queries, 0);
	CHECK_EQ_U64(a.st.c.moved_elsewhere_pages, 0);
	CHECK_EQ_U64(sim.pagemap_reads, 1);	/* NPAGES: one chunk */
	agent_fini(&a);
}

/*
 * Pages the kernel moves behind the agent's back are found, counted,
 * and make the sweep fast; without PFNs the agent asks move_pages.
 */
static void test_pages_moved_elsewhere_are_found(void)
{
	start(25, POLICY_ENFORCE);
	CHECK(agent_interval(&a) == 0);
	for (int i = 0; i < NPAGES; i += 2)
		sim.node_of[i] = 0;	/* "NUMA balancing" */
	CHECK(agent_interval(&a) == 0);
	CHECK_EQ_U64(a.st.c.moved_elsewhere_pages, NPAGES / 2);
	CHECK_EQ_U64(a.st.nodes[0].node, 0);
	CHECK_EQ_U64(a.st.nodes[0].bytes, NPAGES / 2 * 4096ull);
	agent_fini(&a);

	start(25, POLICY_ENFORCE);
	sim.hide_frames = true;
	CHECK(agent_interval(&a) == 0);
	CHECK(sim.queries > 0);			/* queries instead */
	CHECK_EQ_U64(a.st.nodes[0].node, 1);
	CHECK_EQ_U64(a.st.nodes[0].bytes, NPAGES * 4096ull);
	agent_fini(&a);
}

/*
 * Frames in no memory block sysfs shows (device memory): the table is
 * read once more, then pages are located by queries, none misplaced.
 */
static void test_frames_in_no_block_fall_back_to_queries(void)
{
	start(25, POLICY_ENFORCE);
	sim.frame_blocks_off = 5;
	CHECK(agent_interval(&a) == 0);
	CHECK_EQ_U64(sim.pagemap_reads, 2);	/* once, once more */
	CHECK(sim.queries > 0);
	CHECK_EQ_U64(a.st.nodes[0].node, 1);
	CHECK_EQ_U64(a.st.nodes[0].bytes, NPAGES * 4096ull);
	CHECK_EQ_U64(a.st.c.moved_elsewhere_pages, 0);
	agent_fini(&a);
}

/*
 * A signal's flag ends the interval at the scan's next range: no error,
 * no scan counted, the pages not yet reported keep their history, and
 * the next interval is whole again.
 */
static void test_signal_ends_the_interval(void)
{
	volatile int stop = 0;
	struct fake_kernel k;
	struct ip_reader r;
	int ri;

	sim_reset();
	fake_kernel_init(&k);
	ri = fake_add_region(&k, BASE, NPAGES, 12);
	ip_reader_init(&r, &k.ops);
	attach_with_reader(&r, 0, &stop);
	fake_touch(&k, ri, 0, NPAGES);
	CHECK(agent_interval(&a) == 0);
	CHECK_EQ_U64(a.hot.hist[NPAGES - 1], HIST_LATEST);
	stop = 1;
	fake_touch(&k, ri, 0, NPAGES);
	CHECK(agent_interval(&a) == 0);
	CHECK_EQ_U64(a.st.c.scans, 1);
	CHECK(a.st.last_error[0] == '\0');
	CHECK_EQ_U64(a.hot.hist[NPAGES - 1], HIST_LATEST);	/* as it was */
	stop = 0;
	CHECK(agent_interval(&a) == 0);
	CHECK_EQ_U64(a.st.c.scans, 2);
	agent_fini(&a);
	ip_reader_fini(&r);
	fake_kernel_fini(&k);
}

int main(void)
{
	vlog_init(VLOG_ERR, NULL);
	CHECK(mkdtemp(proc_root) != NULL);
	CHECK(mkdtemp(sys_root) != NULL);
	make_frames(true);
	RUN_TEST(test_first_interval_locates_by_frame);
	RUN_TEST(test_pages_moved_elsewhere_are_found);
	RUN_TEST(test_frames_in_no_block_fall_back_to_queries);
	RUN_TEST(test_hot_set_promoted_within_two_intervals);
	RUN_TEST(test_rare_pages_never_promoted_with_ample_headroom);
	RUN_TEST(test_dram_limit_holds_as_the_hot_set_moves);
	RUN_TEST(test_host_huge_page_is_one_unit);
	RUN_TEST(test_dry_run_reports_but_moves_nothing);
	RUN_TEST(test_failed_scan_changes_nothing);
	RUN_TEST(test_reload_refuses_a_limit_above_the_guest);
	RUN_TEST(test_reload_with_other_nodes_relearns_placement);
	RUN_TEST(test_kernel_tiering_is_reported);
	RUN_TEST(test_damon_stat_is_reported);
	RUN_TEST(test_real_reader_feeds_the_agent);
	RUN_TEST(test_scan_mode_follows_the_target);
	RUN_TEST(test_signal_ends_the_interval);
	make_frames(false);
	rmdir(proc_root);
	rmdir(sys_root);
	return TEST_SUMMARY();
}
