/* SPDX-License-Identifier: MIT */
/*
 * agent.c - an interval of tiering for one attached QEMU process (see
 * agent.h): scan -> hotness -> locate slice -> plan -> move -> placement
 * from the moves' results -> counters.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "ip_aging.h"
#include "log.h"
#include "planner.h"
#include "units.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int agent_scan_idle_pages(void *ctx, pid_t pid, struct agent_scan *s,
			  const struct ip_hva_range *ranges, size_t n,
			  struct hotness *h, char *err, size_t errlen)
{
	struct ip_reader *r = ctx;
	struct ip_scan_cbs cbs = { .range = hotness_feed, .arg = h };
	int rc = ip_reader_round(r, pid, s->mode, ranges, n, &cbs);

	memset(&s->info, 0, sizeof(s->info));
	if (r->have_info)
		s->info = r->info;
	if (rc) {
		snprintf(err, errlen, "%s", r->err);
		return -1;
	}
	return 0;
}

static const char *scan_mode_name(unsigned int mode)
{
	if (mode & IP_MODE_HUGE_ONLY)
		return "huge-only";
	return mode & IP_MODE_SKIM ? "skim" : "normal";
}

unsigned int agent_scan_mode(const struct idle_pages_info *last,
			     bool all_host_huge)
{
	if (!ip_info_is_vm(last))
		return 0;
	if (all_host_huge && (last->flags_honoured &
			      IDLE_PAGES_HONOURS_HUGE_ONLY))
		return IP_MODE_HUGE_ONLY;
	return last->flags_honoured & IDLE_PAGES_HONOURS_SKIM ?
	       IP_MODE_SKIM : 0;
}

void agent_init(struct agent *a, const struct policy *p,
		const struct mover_ops *mops, agent_scan_fn scan,
		void *scan_ctx)
{
	memset(a, 0, sizeof(*a));
	a->pol = *p;
	hot_rules_init(&a->rules, p);
	a->mops = mops;
	a->scan = scan;
	a->scan_ctx = scan_ctx;
	a->st.numa_balancing = -1;
	snprintf(a->st.mode, sizeof(a->st.mode), "%s",
		 policy_mode_name(p->mode));
	snprintf(a->st.state, sizeof(a->st.state), "starting");
}

void agent_fini(struct agent *a)
{
	agent_detach(a);
}

static void set_error(struct agent *a, const char *msg)
{
	snprintf(a->st.last_error, sizeof(a->st.last_error), "%s", msg);
}

/* A placement sweep is complete: publish bytes per node, start over. */
static void publish_nodes(struct agent *a)
{
	a->st.nr_nodes = 0;
	for (int node = 0; node < NODESET_MAX; node++) {
		if (a->node_pages[node] && a->st.nr_nodes < STATUS_MAX_NODES)
			a->st.nodes[a->st.nr_nodes++] = (struct node_bytes){
				node, a->node_pages[node] * PAGE_SIZE_4K };
		a->node_pages[node] = 0;
	}
}

int agent_attach(struct agent *a, pid_t pid, const struct ip_hva_range *r,
		 size_t n, uint64_t guest_bytes, char *err, size_t errlen)
{
	struct policy_errors errs = { 0 };

	agent_detach(a);
	if (policy_limit_pages(a->st.policy, &a->pol, guest_bytes,
			       &a->limit_pages, &errs)) {
		snprintf(err, errlen, "%s", errs.msg[0]);
		return -1;
	}
	if (hotness_init(&a->hot, r, n)) {
		snprintf(err, errlen, "cannot track %zu guest RAM ranges: out of memory or unaligned",
			 n);
		return -1;
	}
	a->node_pages = calloc(NODESET_MAX, sizeof(*a->node_pages));
	if (!a->node_pages ||
	    mover_init(&a->mover, a->mops, &a->pol, pid)) {
		snprintf(err, errlen, "out of memory");
		hotness_fini(&a->hot);
		free(a->node_pages);
		a->node_pages = NULL;
		return -1;
	}
	a->attached = true;
	a->pid = pid;
	a->hot.stop = a->stop;
	a->mover.domain = a->st.domain;
	a->mover.stop = a->stop;
	if (a->proc_root)
		a->mover.proc_root = a->proc_root;
	a->mover.numa_balancing = mover_read_numa_balancing(a->proc_root);
	if (mover_check_allowed(&a->mover)) {
		snprintf(err, errlen, "%s", a->mover.error);
		agent_detach(a);
		return -1;
	}
	if (a->sys_root)
		a->mover.sys_root = a->sys_root;
	mover_load_frames(&a->mover);
	a->sweep_cursor = 0;
	a->placement_known = false;
	a->sweep_fast = false;
	memset(&a->scan_last, 0, sizeof(a->scan_last));
	a->all_host_huge = false;
	a->sample_seed = (uint64_t)pid * 0x9e3779b97f4a7c15ull + 1;
	a->said_kernel_tiering = false;
	a->st.pid = (int)pid;
	a->st.c.guest_bytes = guest_bytes;
	a->st.c.dram_limit_bytes = a->limit_pages * PAGE_SIZE_4K;
	a->st.c.attaches++;
	a->st.numa_balancing = a->mover.numa_balancing;
	a->st.c.kernel_tiering = a->mover.numa_balancing > 0;
	if (a->mover.numa_balancing > 0)
		log_warn("the kernel's NUMA balancing is on (kernel.numa_balancing=%d%s): two tiering systems are running on domain %s's memory; it may move pages behind the agent's back, and move_pages then reports -ENOENT for pages it has just unmapped. Set kernel.numa_balancing=0 to leave placement to vmm-agent",
			 a->mover.numa_balancing,
			 a->mover.numa_balancing & 2 ? ", memory tiering" : "",
			 a->st.domain);
	if (ip_aging_peers(a->sys_root, a->st.aging_peers,
			   sizeof(a->st.aging_peers)))
		log_warn("%s clear%s the accessed bits that domain %s's scans read: pages the guest touches between two scans may read idle and be demoted. Turn %s off (damon_stat.enabled=N; \"off\" to a kdamond's state) for exact placement",
			 a->st.aging_peers,
			 strchr(a->st.aging_peers, ',') ? "" : "s",
			 a->st.domain,
			 strchr(a->st.aging_peers, ',') ? "them" : "it");
	return 0;
}

void agent_detach(struct agent *a)
{
	if (a->attached) {
		mover_fini(&a->mover);
		hotness_fini(&a->hot);
	}
	free(a->node_pages);
	a->node_pages = NULL;
	a->attached = false;
}

/* xorshift64: the sample's blocks */
static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * This interval's share of placement (agent.h): the sample, then the
 * sweep's slice. The kernel and others move pages too (NUMA balancing,
 * demotion by reclaim, migratepages).
 */
static void locate_step(struct agent *a)
{
	struct mover *m = &a->mover;
	uint64_t blocks = a->hot.npages / PAGES_PER_2M, n;
	bool fast;

	m->stats.moved_elsewhere = 0;
	for (unsigned int i = 0; a->placement_known && blocks &&
	     i < AGENT_SAMPLE_BLOCKS; i++)
		mover_locate(m, &a->hot,
			     next_random(&a->sample_seed) % blocks *
			     PAGES_PER_2M, PAGES_PER_2M, NULL);
	if (m->stats.moved_elsewhere)
		a->sweep_fast = true;
	fast = !a->placement_known || a->sweep_fast;
	n = a->hot.npages / (fast ? AGENT_SWEEP_FAST : AGENT_SWEEP_SLOW);
	if (n < AGENT_SWEEP_MIN_PAGES)
		n = AGENT_SWEEP_MIN_PAGES;
	mover_locate(m, &a->hot, a->sweep_cursor, n, a->node_pages);
	a->sweep_cursor += n;
	if (a->sweep_cursor < a->hot.npages || (a->stop && *a->stop))
		return;
	a->sweep_cursor = 0;
	a->placement_known = true;
	a->sweep_fast = false;
	publish_nodes(a);
}

static void count_interval(struct agent *a, const struct plan *p,
			   uint64_t scan_ns, uint64_t locate_ns,
			   uint64_t plan_ns, uint64_t move_ns)
{
	struct agent_counters *c = &a->st.c;
	const struct mover_stats *m = &a->mover.stats;

	c->scans++;
	c->pages_scanned += a->hot.scan_pages;
	c->pages_accessed += a->hot.scan_accessed;
	c->scan_ns += scan_ns;
	c->last_scan_ns = scan_ns;
	c->locate_ns += locate_ns;
	c->plan_ns += plan_ns;
	c->last_move_ns = move_ns;
	c->move_ns += move_ns;
	c->hot_pages = p->hot_pages;
	c->cold_pages = p->cold_pages;
	c->hot_threshold_hits = p->threshold_hits;
	/* mover totals are per attachment; counters are since start */
	c->promoted_pages += m->promoted;
	c->demoted_pages += m->demoted;
	c->would_promote_pages += m->would_promote;
	c->would_demote_pages += m->would_demote;
	c->skipped_limit_pages += m->skipped_limit;
	c->moved_elsewhere_pages += m->moved_elsewhere;
	for (int f = 0; f < FAIL_NR; f++)
		a->st.failed_pages[f] += m->failed[f];
	/* placement after this interval's moves */
	for (int t = 0; t < TIER_NR; t++)
		a->st.tier_bytes[t] = (uint64_t)((int64_t)p->tier_pages[t] +
						 m->tier_delta[t]) *
				      PAGE_SIZE_4K;
	memset(&a->mover.stats, 0, sizeof(a->mover.stats));
}

int agent_interval(struct agent *a)
{
	struct plan_params pp = {
		&a->rules, a->limit_pages,
		plan_budget_pages(a->pol.rate_limit_mb_s,
				  a->pol.scan_interval_ms),
		a->pol.huge_pages == POLICY_HUGE_SKIP,
		false,		/* no_promote: set once this interval located */
	};
	struct agent_scan scan = { 0 };
	uint64_t t0, t1, tl, t2, t3;
	char err[512];
	struct plan p;
	int rc;

	if (!a->attached)
		return 0;
	t0 = now_ns();
	scan.mode = agent_scan_mode(&a->scan_last.info, a->all_host_huge);
	a->hot.scan_huge_only = scan.mode & IP_MODE_HUGE_ONLY;
	hotness_begin_scan(&a->hot);
	rc = a->scan(a->scan_ctx, a->pid, &scan, a->hot.ranges,
		     a->hot.nr_ranges, &a->hot, err, sizeof(err));
	a->scan_last = scan;
	t1 = now_ns();
	if (rc && a->stop && *a->stop)
		return 0;	/* a signal ended the interval early */
	if (rc) {
		set_error(a, err);
		if (kill(a->pid, 0) && errno == ESRCH)
			agent_detach(a);
		return -1;
	}
	hotness_end_scan(&a->hot);
	snprintf(a->st.scan_mode, sizeof(a->st.scan_mode), "%s",
		 scan_mode_name(scan.mode));
	locate_step(a);
	if (a->stop && *a->stop)
		return 0;	/* as above */
	a->all_host_huge = a->placement_known &&
			   hotness_all_host_huge(&a->hot);
	tl = now_ns();
	pp.no_promote = !a->placement_known;
	if (plan_make(&a->hot, &pp, &p)) {
		set_error(a, "out of memory while planning");
		return -1;
	}
	t2 = now_ns();
	mover_new_interval(&a->mover);
	rc = mover_execute(&a->mover, &p, a->limit_pages);
	plan_record_moves(&p, &a->hot);
	t3 = now_ns();
	if (a->mover.error[0])
		set_error(a, a->mover.error);
	if (a->mover.numa_balancing_seen && !a->said_kernel_tiering) {
		a->said_kernel_tiering = true;
		log_warn("move_pages found pages just unmapped by the kernel's NUMA balancing (-ENOENT): two tiering systems are moving domain %s's pages",
			 a->st.domain);
	}
	log_debug("interval: %llu hot, %llu cold, DRAM %llu/%llu pages, promote %llu, demote %llu: moved +%llu -%llu, busy %llu; scan %llu ms, locate %llu ms, plan %llu ms, move %llu ms",
		  (unsigned long long)p.hot_pages,
		  (unsigned long long)p.cold_pages,
		  (unsigned long long)p.dram_pages,
		  (unsigned long long)a->limit_pages,
		  (unsigned long long)p.promote_pages,
		  (unsigned long long)p.demote_pages,
		  (unsigned long long)a->mover.stats.promoted,
		  (unsigned long long)a->mover.stats.demoted,
		  (unsigned long long)a->mover.stats.failed[FAIL_BUSY],
		  (unsigned long long)((t1 - t0) / 1000000),
		  (unsigned long long)((tl - t1) / 1000000),
		  (unsigned long long)((t2 - tl) / 1000000),
		  (unsigned long long)((t3 - t2) / 1000000));
	count_interval(a, &p, t1 - t0, tl - t1, t2 - tl, t3 - t2);
	plan_free(&p);
	if (rc) {
		set_error(a, "the QEMU process is gone");
		agent_detach(a);
		return -1;
	}
	return 0;
}

static bool same_nodes(const struct policy *x, const struct policy *y)
{
	return x->nr_dram_nodes == y->nr_dram_nodes &&
	       x->nr_pmem_nodes == y->nr_pmem_nodes &&
	       !memcmp(x->dram_nodes, y->dram_nodes,
		       x->nr_dram_nodes * sizeof(x->dram_nodes[0])) &&
	       !memcmp(x->pmem_nodes, y->pmem_nodes,
		       x->nr_pmem_nodes * sizeof(x->pmem_nodes[0]));
}

/*
 * The tiers have other nodes: each page's tier is learned anew, by a
 * sweep from the start, with no promotion until it is whole.
 */
static void forget_placement(struct agent *a)
{
	hotness_forget_tiers(&a->hot);
	memset(a->node_pages, 0, NODESET_MAX * sizeof(*a->node_pages));
	a->sweep_cursor = 0;
	a->placement_known = false;
	a->sweep_fast = false;
	a->all_host_huge = false;
}

int agent_set_policy(struct agent *a, const struct policy *p, char *err,
		     size_t errlen)
{
	struct policy_errors errs = { 0 };
	uint64_t limit = a->limit_pages;

	if (a->attached) {
		const struct policy *old = a->mover.policy;
		int rc;

		if (policy_limit_pages(a->st.policy, p, a->st.c.guest_bytes,
				       &limit, &errs)) {
			snprintf(err, errlen, "%s", errs.msg[0]);
			return -1;
		}
		/* the new nodes against the cpuset, before anything changes */
		a->mover.policy = p;
		rc = mover_check_allowed(&a->mover);
		a->mover.policy = old;
		if (rc) {
			snprintf(err, errlen, "%s", a->mover.error);
			return -1;
		}
		/* nodes may have changed: forget what was refused */
		memset(a->mover.node_forbidden, 0,
		       sizeof(a->mover.node_forbidden));
		a->mover.error[0] = '\0';
		if (!same_nodes(&a->pol, p))
			forget_placement(a);
	}
	a->pol = *p;	/* the mover reads the policy through a->pol */
	hot_rules_init(&a->rules, p);
	a->limit_pages = limit;
	a->st.c.dram_limit_bytes = limit * PAGE_SIZE_4K;
	snprintf(a->st.mode, sizeof(a->st.mode), "%s",
		 policy_mode_name(p->mode));
	return 0;
}
