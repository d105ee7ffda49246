/* SPDX-License-Identifier: MIT */
/*
 * test_agent_mover.c - the vmm-agent mover against a fake move_pages(2)
 * that plays the kernel: each per-page and whole-call result handled as
 * specified, DRAM kept within the limit when demotions fail, pacing to
 * the rate limit, dry-run, the cpuset check, and a real numa_move_pages
 * on this process.
 */
#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "log.h"
#include "mover.h"
#include "units.h"

#define BASE	0x7f0000000000ull
#define NPAGES	4096

/* The fake kernel: where each page is, and what to answer. */
struct fake {
	int node_of[NPAGES];
	int page_error[NPAGES];	/* -errno for this page, once */
	int free_pages[4];	/* per node; -ENOMEM when 0 */
	int call_errno;		/* whole-call failure, once */
	int allowed_mask;	/* cpuset.mems: -EACCES outside */
	bool move_all_eperm;	/* MPOL_MF_MOVE_ALL without CAP_SYS_NICE */
	long leave_unmigrated;	/* positive return, statuses unset */
	unsigned int calls, max_batch;
	int last_flags;
	uint64_t now, slept;
};

static struct fake fk;

static long fake_move(void *ctx, int pid, unsigned long count, void **pages,
		      const int *nodes, int *status, int flags)
{
	(void)ctx;
	(void)pid;
	fk.calls++;
	fk.last_flags = flags;
	if (count > fk.max_batch)
		fk.max_batch = (unsigned int)count;
	fk.now += 1000;		/* every call costs 1 us */
	if ((flags & MPOL_MF_MOVE_ALL) && fk.move_all_eperm) {
		errno = EPERM;
		return -1;
	}
	if (fk.call_errno) {
		errno = fk.call_errno;
		fk.call_errno = 0;
		return -1;
	}
	if (fk.leave_unmigrated) {
		long n = fk.leave_unmigrated;

		fk.leave_unmigrated = 0;
		return n;	/* statuses untouched */
	}
	for (unsigned long i = 0; i < count; i++) {
		uint64_t idx = ((uint64_t)(uintptr_t)pages[i] - BASE) / 4096;

		if (!nodes) {
			status[i] = fk.node_of[idx];
			continue;
		}
		if (!(fk.allowed_mask & (1 << nodes[i]))) {
			errno = EACCES;
			return -1;
		}
		if (fk.page_error[idx]) {
			status[i] = fk.page_error[idx];
			fk.page_error[idx] = 0;
			continue;
		}
		if (fk.node_of[idx] != nodes[i]) {
			if (!fk.free_pages[nodes[i]]) {
				status[i] = -ENOMEM;
				continue;
			}
			fk.free_pages[nodes[i]]--;
			fk.node_of[idx] = nodes[i];
		}
		status[i] = nodes[i];
	}
	return 0;
}

static uint64_t fake_now(void *ctx)
{
	(void)ctx;
	return fk.now;
}

static void fake_sleep(void *ctx, uint64_t ns)
{
	(void)ctx;
	fk.now += ns;
	fk.slept += ns;
}

/* no pagemap: pages are located by move_pages queries */
static const struct mover_ops fake_ops = { fake_move, fake_now, fake_sleep,
					   NULL, NULL, NULL };

static struct policy pol;
static struct hotness h;
static struct mover m;

/* Nodes 0 (DRAM) and 1 (PMEM), every page on node 1 (PMEM). */
static void setup(void)
{
	struct ip_hva_range rg = { BASE, BASE + NPAGES * 4096ull };

	memset(&fk, 0, sizeof(fk));
	for (int i = 0; i < NPAGES; i++)
		fk.node_of[i] = 1;
	fk.free_pages[0] = fk.free_pages[1] = fk.free_pages[2] = NPAGES;
	fk.allowed_mask = 0x7;
	policy_defaults(&pol);
	pol.dram_nodes[0] = 0;
	pol.nr_dram_nodes = 1;
	pol.pmem_nodes[0] = 1;
	pol.nr_pmem_nodes = 1;
	pol.batch_pages = 64;
	pol.rate_limit_mb_s = 1 << 20;	/* no pacing unless a test asks */
	CHECK(hotness_init(&h, &rg, 1) == 0);
	CHECK(mover_init(&m, &fake_ops, &pol, 1234) == 0);
	m.numa_balancing = 0;
	CHECK(mover_locate(&m, &h, 0, NPAGES, NULL) == 0);
}

static void teardown(void)
{
	mover_fini(&m);
	hotness_fini(&h);
}

static struct move_op one_page_op(uint64_t idx, enum move_dir dir,
				  uint8_t hist)
{
	return (struct move_op){ .idx = idx, .npages = 1, .dir = (uint8_t)dir,
				 .hist = hist };
}

/* A plan by hand: n units from first, all one way. */
static struct plan plan_of(uint64_t first, unsigned int n, enum move_dir dir,
			   uint64_t dram_before)
{
	struct plan p;

	memset(&p, 0, sizeof(p));
	p.ops = calloc(n + 1, sizeof(*p.ops));
	for (unsigned int i = 0; i < n; i++)
		p.ops[p.nr_ops++] = one_page_op(first + i, dir, 0xf0);
	p.dram_pages = dram_before;
	return p;
}

/* As an interval does: address the plan, move, record where units went. */
static int execute(struct plan *p, uint64_t limit_pages)
{
	int rc;

	plan_address(p, &h);
	rc = mover_execute(&m, p, limit_pages);
	plan_record_moves(p, &h);
	return rc;
}

static uint64_t count_tier(enum tier t)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < NPAGES; i++)
		n += hotness_tier(&h, i) == t;
	return n;
}

static void test_locate_learns_placement(void)
{
	static uint64_t node_pages[NODESET_MAX];

	setup();
	CHECK_EQ_U64(count_tier(TIER_PMEM), NPAGES);
	fk.node_of[5] = 0;
	fk.node_of[6] = 2;
	fk.node_of[7] = -ENOENT;
	memset(node_pages, 0, sizeof(node_pages));
	CHECK(mover_locate(&m, &h, 0, 10, node_pages) == 0);
	CHECK_EQ_U64(node_pages[0], 1);
	CHECK_EQ_U64(node_pages[1], 7);
	CHECK_EQ_U64(node_pages[2], 1);
	CHECK(hotness_tier(&h, 5) == TIER_DRAM);
	CHECK(hotness_tier(&h, 6) == TIER_OTHER);
	CHECK(hotness_tier(&h, 7) == TIER_NONE);
	CHECK(hotness_tier(&h, 10) == TIER_PMEM);
	CHECK(fk.last_flags == MPOL_MF_MOVE_ALL);
	teardown();
}

/*
 * The mover answers in the plan (each op's now) and leaves the hotness
 * alone: the placement changes only when the moves are recorded.
 */
static void test_moves_answer_in_the_plan(void)
{
	struct plan p;

	setup();
	p = plan_of(10, 4, MOVE_PROMOTE, 0);
	fk.page_error[11] = -EBUSY;
	fk.page_error[12] = -ENOENT;
	plan_address(&p, &h);
	CHECK_EQ_U64(p.ops[0].hva, BASE + 10 * 4096ull);
	CHECK(mover_execute(&m, &p, 1000) == 0);
	CHECK_EQ_U64(count_tier(TIER_PMEM), NPAGES);	/* untouched */
	CHECK_EQ_U64(p.ops[0].from, TIER_PMEM);
	CHECK_EQ_U64(p.ops[0].now, TIER_DRAM);
	CHECK_EQ_U64(p.ops[1].now, TIER_PMEM);		/* busy: stays */
	CHECK_EQ_U64(p.ops[2].now, TIER_NONE);		/* gone */
	CHECK_EQ_U64(p.ops[3].now, TIER_DRAM);
	plan_record_moves(&p, &h);
	CHECK(hotness_tier(&h, 10) == TIER_DRAM);
	CHECK(hotness_tier(&h, 11) == TIER_PMEM);
	CHECK(hotness_tier(&h, 12) == TIER_NONE);
	CHECK(hotness_tier(&h, 13) == TIER_DRAM);
	CHECK_EQ_U64(count_tier(TIER_DRAM), 2);
	free(p.ops);
	teardown();
}

static void test_promotions_in_batches(void)
{
	struct plan p;

	setup();
	p = plan_of(100, 200, MOVE_PROMOTE, 0);
	fk.calls = 0;
	fk.max_batch = 0;	/* forget the locate call */
	CHECK(execute(&p, 1000) == 0);
	CHECK_EQ_U64(m.stats.promoted, 200);
	CHECK_EQ_U64(fk.calls, 4);		/* 64 + 64 + 64 + 8 */
	CHECK_EQ_U64(fk.max_batch, 64);
	CHECK_EQ_U64(count_tier(TIER_DRAM), 200);
	CHECK(fk.node_of[100] == 0 && fk.node_of[299] == 0);
	free(p.ops);
	teardown();
}

static void test_busy_pages_retried_next_interval(void)
{
	struct plan p;

	setup();
	fk.page_error[10] = -EBUSY;
	fk.page_error[11] = -EAGAIN;
	p = plan_of(10, 4, MOVE_PROMOTE, 0);
	CHECK(execute(&p, 100) == 0);
	CHECK_EQ_U64(m.stats.failed[FAIL_BUSY], 2);
	CHECK_EQ_U64(m.stats.promoted, 2);
	CHECK(hotness_tier(&h, 10) == TIER_PMEM);
	/* the next interval's plan names them again: now they move */
	mover_new_interval(&m);
	free(p.ops);
	p = plan_of(10, 2, MOVE_PROMOTE, 2);
	CHECK(execute(&p, 100) == 0);
	CHECK_EQ_U64(m.stats.promoted, 4);
	CHECK(hotness_tier(&h, 10) == TIER_DRAM);
	free(p.ops);

	/* a positive return: the kernel left pages unmigrated, unreported */
	fk.leave_unmigrated = 3;
	p = plan_of(20, 3, MOVE_PROMOTE, 4);
	CHECK(execute(&p, 100) == 0);
	CHECK_EQ_U64(m.stats.failed[FAIL_BUSY], 5);
	CHECK(hotness_tier(&h, 20) == TIER_PMEM);
	free(p.ops);
	teardown();
}

static void test_full_node_stops_that_direction(void)
{
	struct plan p;

	setup();
	fk.free_pages[0] = 70;
	p = plan_of(0, 200, MOVE_PROMOTE, 0);
	CHECK(execute(&p, 1000) == 0);
	CHECK_EQ_U64(m.stats.promoted, 70);
	/* the batch that hit the wall reports 58 full; no batch after it */
	CHECK_EQ_U64(m.stats.failed[FAIL_NODE_FULL], 58);
	CHECK_EQ_U64(fk.calls, 1 + 2);		/* locate + two batches */
	free(p.ops);

	/* demotions still run */
	p = plan_of(0, 10, MOVE_DEMOTE, 70);
	CHECK(execute(&p, 1000) == 0);
	CHECK_EQ_U64(m.stats.demoted, 10);
	free(p.ops);

	/* a whole-call ENOMEM: the next DRAM node of the tier takes over */
	pol.dram_nodes[1] = 2;
	pol.nr_dram_nodes = 2;
	mover_new_interval(&m);
	fk.call_errno = ENOMEM;
	p = plan_of(300, 100, MOVE_PROMOTE, 60);
	CHECK(execute(&p, 1000) == 0);
	CHECK_EQ_U64(m.stats.failed[FAIL_NODE_FULL], 58 + 64);
	CHECK(fk.node_of[399] == 2);
	CHECK(hotness_tier(&h, 399) == TIER_DRAM);
	free(p.ops);
	teardown();
}

static void test_not_present_and_kernel_tiering(void)
{
	struct plan p;

	setup();
	fk.page_error[3] = -ENOENT;
	p = plan_of(0, 5, MOVE_PROMOTE, 0);
	CHECK(execute(&p, 100) == 0);
	CHECK_EQ_U64(m.stats.failed[FAIL_NOT_PRESENT], 1);
	CHECK(hotness_tier(&h, 3) == TIER_NONE);
	CHECK(!m.numa_balancing_seen);	/* numa_balancing is 0 */
	free(p.ops);

	m.numa_balancing = 2;
	fk.page_error[8] = -ENOENT;
	p = plan_of(6, 3, MOVE_PROMOTE, 4);
	CHECK(execute(&p, 100) == 0);
	CHECK(m.numa_balancing_seen);
	free(p.ops);
	teardown();
}

static void test_shared_and_fault_pages(void)
{
	struct plan p;

	setup();
	fk.page_error[1] = -EACCES;
	fk.page_error[2] = -EFAULT;
	fk.page_error[3] = -EINVAL;
	p = plan_of(0, 4, MOVE_PROMOTE, 0);
	CHECK(execute(&p, 100) == 0);
	CHECK_EQ_U64(m.stats.failed[FAIL_SHARED], 1);
	CHECK_EQ_U64(m.stats.failed[FAIL_FAULT], 1);
	CHECK_EQ_U64(m.stats.failed[FAIL_OTHER], 1);
	CHECK_EQ_U64(m.stats.promoted, 1);
	free(p.ops);
	teardown();
}

static void test_move_all_falls_back_without_cap_sys_nice(void)
{
	struct plan p;

	setup();
	fk.move_all_eperm = true;
	p = plan_of(0, 4, MOVE_PROMOTE, 0);
	CHECK(execute(&p, 100) == 0);
	CHECK_EQ_U64(m.stats.promoted, 4);
	CHECK(m.flags == MPOL_MF_MOVE);
	CHECK(fk.last_flags == MPOL_MF_MOVE);
	free(p.ops);
	teardown();
}

static void write_status(const char *dir, const char *mems)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/1234", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/1234/status", dir);
	f = fopen(path, "w");
	fprintf(f, "Name:\tqemu-system-x86\nMems_allowed:\t00000001\nMems_allowed_list:\t%s\n",
		mems);
	fclose(f);
}

static void test_cpuset_forbidden_node_names_the_libvirt_setting(void)
{
	char dir[] = "/tmp/test_agent_proc_XXXXXX", path[256];
	struct plan p;

	setup();
	CHECK(mkdtemp(dir) != NULL);
	m.proc_root = dir;
	m.domain = "web1";
	write_status(dir, "0-1");
	CHECK(mover_check_allowed(&m) == 0);
	write_status(dir, "0");
	CHECK(mover_check_allowed(&m) == -1);
	CHECK(strstr(m.error, "node 1 (in 'pmem_nodes' of the policy)") != NULL);
	CHECK(strstr(m.error, "domain 'web1' (pid 1234)") != NULL);
	CHECK(strstr(m.error, "only on nodes 0.") != NULL);
	CHECK(strstr(m.error, "<numatune><memory mode='strict' nodeset='0-1'/></numatune>") != NULL);
	CHECK(strstr(m.error, "virsh numatune web1 --nodeset 0-1 --live --config") != NULL);

	/* at run time: EACCES for the whole call, node 1 not used again */
	m.error[0] = '\0';
	fk.allowed_mask = 0x1;
	for (int i = 0; i < 10; i++)
		fk.node_of[i] = 0;
	CHECK(mover_locate(&m, &h, 0, 10, NULL) == 0);
	p = plan_of(0, 10, MOVE_DEMOTE, 10);
	fk.calls = 0;
	CHECK(execute(&p, 100) == 0);
	CHECK_EQ_U64(m.stats.failed[FAIL_FORBIDDEN], 10);
	CHECK(strstr(m.error, "virsh numatune web1") != NULL);
	CHECK_EQ_U64(fk.calls, 1);
	CHECK(hotness_tier(&h, 0) == TIER_DRAM);
	free(p.ops);
	p = plan_of(0, 10, MOVE_DEMOTE, 10);
	CHECK(execute(&p, 100) == 0);
	CHECK_EQ_U64(fk.calls, 1);	/* not tried again */
	free(p.ops);
	snprintf(path, sizeof(path), "%s/1234/status", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/1234", dir);
	rmdir(path);
	rmdir(dir);
	teardown();
}

static void test_failed_demotion_drops_the_promotion_it_made_room_for(void)
{
	struct plan p;

	setup();
	/* DRAM at its limit of 4: pages 0-3 */
	for (int i = 0; i < 4; i++)
		fk.node_of[i] = 0;
	CHECK(mover_locate(&m, &h, 0, 8, NULL) == 0);
	memset(&p, 0, sizeof(p));
	p.ops = calloc(4, sizeof(*p.ops));
	p.ops[p.nr_ops++] = one_page_op(0, MOVE_DEMOTE, 0);
	p.ops[p.nr_ops++] = one_page_op(5, MOVE_PROMOTE, 0xf0);
	p.ops[p.nr_ops++] = one_page_op(1, MOVE_DEMOTE, 0);
	p.ops[p.nr_ops++] = one_page_op(6, MOVE_PROMOTE, 0xf0);
	p.dram_pages = 4;
	fk.page_error[0] = -EBUSY;	/* the first room never frees */
	CHECK(execute(&p, 4) == 0);
	CHECK_EQ_U64(m.stats.skipped_limit, 1);
	CHECK(hotness_tier(&h, 5) == TIER_PMEM);
	CHECK(hotness_tier(&h, 6) == TIER_DRAM);
	CHECK_EQ_U64(count_tier(TIER_DRAM), 4);
	free(p.ops);
	teardown();
}

static void test_dry_run_moves_nothing(void)
{
	struct plan p;

	setup();
	pol.mode = POLICY_DRY_RUN;
	p = plan_of(0, 100, MOVE_PROMOTE, 0);
	fk.calls = 0;
	CHECK(execute(&p, 1000) == 0);
	CHECK_EQ_U64(fk.calls, 0);
	CHECK_EQ_U64(m.stats.would_promote, 100);
	CHECK_EQ_U64(m.stats.promoted, 0);
	CHECK_EQ_U64(count_tier(TIER_DRAM), 0);
	free(p.ops);
	teardown();
}

static void test_pacing_holds_the_rate(void)
{
	struct plan p;

	setup();
	pol.rate_limit_mb_s = 1;	/* 256 pages a second */
	pol.batch_pages = 256;
	p = plan_of(0, 1024, MOVE_PROMOTE, 0);
	fk.now = 0;
	CHECK(execute(&p, 2048) == 0);
	CHECK_EQ_U64(m.stats.promoted, 1024);
	/* batch k starts at k seconds: the last at 3 s */
	CHECK(fk.slept > 2990000000ull && fk.slept <= 3000000000ull);
	CHECK(fk.now >= 3000000000ull);
	free(p.ops);
	teardown();
}

static void test_process_gone(void)
{
	struct plan p;

	setup();
	fk.call_errno = ESRCH;
	p = plan_of(0, 100, MOVE_PROMOTE, 0);
	CHECK(execute(&p, 1000) == -1);
	CHECK(m.gone);
	free(p.ops);
	teardown();
}

/* The real numa_move_pages on our own pages (pid 0): node 0 exists here. */
static void test_real_numa_move_pages_on_self(void)
{
	size_t len = 16 * 4096;
	uint8_t *buf = aligned_alloc(4096, len);
	struct ip_hva_range rg = { (uint64_t)(uintptr_t)buf,
				   (uint64_t)(uintptr_t)buf + len };
	struct plan p;

	memset(buf, 1, len);
	policy_defaults(&pol);
	pol.dram_nodes[0] = 0;
	pol.nr_dram_nodes = 1;
	pol.pmem_nodes[0] = 1;	/* no such node on a one-node machine */
	pol.nr_pmem_nodes = 1;
	CHECK(hotness_init(&h, &rg, 1) == 0);
	CHECK(mover_init(&m, &mover_numa_ops, &pol, 0) == 0);
	CHECK(mover_locate(&m, &h, 0, h.npages, NULL) == 0);
	CHECK(hotness_tier(&h, hotness_index(&h, rg.start)) == TIER_DRAM);
	CHECK(hotness_tier(&h, hotness_index(&h, rg.end - 4096)) == TIER_DRAM);

	/* to node 0, where they are: "moved" */
	memset(&p, 0, sizeof(p));
	p.ops = calloc(16, sizeof(*p.ops));
	for (int i = 0; i < 16; i++)
		p.ops[p.nr_ops++] = one_page_op(
			hotness_index(&h, rg.start + i * 4096ull),
			MOVE_PROMOTE, 0xf0);
	CHECK(execute(&p, 1000) == 0);
	CHECK_EQ_U64(m.stats.promoted, 16);

	/* to node 1, which has no memory here: ENODEV, node set aside */
	if (numa_max_node() < 1) {
		for (size_t i = 0; i < p.nr_ops; i++)
			p.ops[i].dir = MOVE_DEMOTE;
		CHECK(execute(&p, 1000) == 0);
		CHECK_EQ_U64(m.stats.failed[FAIL_FORBIDDEN], 16);
		CHECK(strstr(m.error, "node 1 of the policy has no memory") != NULL);
	}
	free(p.ops);
	mover_fini(&m);
	hotness_fini(&h);
	free(buf);
}

int main(void)
{
	FILE *quiet = fopen("/dev/null", "w");

	vlog_init(VLOG_ERR, quiet);	/* the expected errors, unprinted */
	RUN_TEST(test_locate_learns_placement);
	RUN_TEST(test_moves_answer_in_the_plan);
	RUN_TEST(test_promotions_in_batches);
	RUN_TEST(test_busy_pages_retried_next_interval);
	RUN_TEST(test_full_node_stops_that_direction);
	RUN_TEST(test_not_present_and_kernel_tiering);
	RUN_TEST(test_shared_and_fault_pages);
	RUN_TEST(test_move_all_falls_back_without_cap_sys_nice);
	RUN_TEST(test_cpuset_forbidden_node_names_the_libvirt_setting);
	RUN_TEST(test_failed_demotion_drops_the_promotion_it_made_room_for);
	RUN_TEST(test_dry_run_moves_nothing);
	RUN_TEST(test_pacing_holds_the_rate);
	RUN_TEST(test_process_gone);
	RUN_TEST(test_real_numa_move_pages_on_self);
	fclose(quiet);
	return TEST_SUMMARY();
}
