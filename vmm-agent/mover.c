/* SPDX-License-Identifier: MIT */
/*
 * mover.c - batches of move_pages(2), per-page results, pacing to the
 * rate limit, and placement queries (see mover.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <numa.h>
#include <numaif.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mover.h"
#include "nodeset.h"
#include "units.h"

#define STATUS_UNSET	INT_MIN	/* the kernel did not get to this page */
/* pagemap entries read at a time when locating: 64 blocks, 256 KiB */
#define LOCATE_CHUNK_PAGES	(64 * PAGES_PER_2M)

static const char *const fail_names[FAIL_NR] = {
	[FAIL_BUSY] = "busy",
	[FAIL_NODE_FULL] = "node_full",
	[FAIL_NOT_PRESENT] = "not_present",
	[FAIL_SHARED] = "shared",
	[FAIL_FAULT] = "fault",
	[FAIL_FORBIDDEN] = "forbidden",
	[FAIL_OTHER] = "other",
};

const char *move_fail_name(enum move_fail f)
{
	return f < FAIL_NR ? fail_names[f] : "?";
}

static long numa_move(void *ctx, int pid, unsigned long count, void **pages,
		      const int *nodes, int *status, int flags)
{
	(void)ctx;
	return numa_move_pages(pid, count, pages, nodes, status, flags);
}

static uint64_t mono_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_for(void *ctx, uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull),
			       (long)(ns % 1000000000ull) };

	(void)ctx;
	nanosleep(&ts, NULL);	/* a signal cuts it short: fine */
}

/* /proc/PID/pagemap and /proc/kpageflags bits (Documentation/admin-guide/mm) */
#define PM_PRESENT	(1ull << 63)
#define PM_PFN_MASK	((1ull << 55) - 1)
#define KPF_HEAD	(1ull << 15)	/* KPF_COMPOUND_HEAD */
#define KPF_THP		(1ull << 22)

/* Opens what is not tried yet; each stays -2 if it cannot be read. */
static void open_page_info(struct mover *m)
{
	char path[256];

	if (m->pagemap_fd == -1) {
		snprintf(path, sizeof(path), "%s/%d/pagemap", m->proc_root,
			 (int)m->pid);
		m->pagemap_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (m->pagemap_fd < 0) {
			log_warn("cannot read %s: %s; host huge pages are not recognized (moving one 4 KiB page of one moves all 2 MiB), and pages are located by move_pages queries",
				 path, strerror(errno));
			m->pagemap_fd = -2;
		}
	}
	if (m->kpageflags_fd == -1) {
		snprintf(path, sizeof(path), "%s/kpageflags", m->proc_root);
		m->kpageflags_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (m->kpageflags_fd < 0) {
			log_warn("cannot read %s: %s; host huge pages are not recognized, and moving one 4 KiB page of one moves all 2 MiB",
				 path, strerror(errno));
			m->kpageflags_fd = -2;
		}
	}
}

/*
 * A THP's head page at the block's start: an anonymous THP is mapped at
 * a 2 MiB-aligned address, so it is exactly the block.
 */
static int host_huge(void *ctx, struct mover *m, uint64_t hva)
{
	uint64_t pm, flags, pfn;

	(void)ctx;
	open_page_info(m);
	if (m->pagemap_fd < 0 || m->kpageflags_fd < 0)
		return -1;
	if (pread(m->pagemap_fd, &pm, sizeof(pm),
		  (off_t)(hva / PAGE_SIZE_4K * sizeof(pm))) != sizeof(pm))
		return -1;
	if (!(pm & PM_PRESENT))
		return 0;
	pfn = pm & PM_PFN_MASK;
	if (!pfn)
		return -1;	/* PFNs hidden: no CAP_SYS_ADMIN */
	if (pfn % PAGES_PER_2M)
		return 0;
	if (pread(m->kpageflags_fd, &flags, sizeof(flags),
		  (off_t)(pfn * sizeof(flags))) != sizeof(flags))
		return -1;
	return (flags & KPF_HEAD) && (flags & KPF_THP);
}

static long read_pagemap(void *ctx, struct mover *m, uint64_t hva, size_t n,
			 uint64_t *out)
{
	ssize_t got;

	(void)ctx;
	open_page_info(m);
	if (m->pagemap_fd < 0)
		return -1;
	got = pread(m->pagemap_fd, out, n * sizeof(*out),
		    (off_t)(hva / PAGE_SIZE_4K * sizeof(*out)));
	return got < 0 ? -1 : got / (ssize_t)sizeof(*out);
}

const struct mover_ops mover_numa_ops = {
	numa_move, mono_ns, sleep_for, NULL, host_huge, read_pagemap,
};

enum tier mover_node_tier(const struct policy *p, int node)
{
	if (policy_is_dram(p, node))
		return TIER_DRAM;
	if (policy_is_pmem(p, node))
		return TIER_PMEM;
	return TIER_OTHER;
}

int mover_read_numa_balancing(const char *proc_root)
{
	char path[256];
	FILE *f;
	int v = -1;

	snprintf(path, sizeof(path), "%s/sys/kernel/numa_balancing",
		 proc_root ? proc_root : "/proc");
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

int mover_init(struct mover *m, const struct mover_ops *ops,
	       const struct policy *policy, pid_t pid)
{
	memset(m, 0, sizeof(*m));
	m->ops = ops;
	m->policy = policy;
	m->pid = pid;
	m->flags = MPOL_MF_MOVE_ALL;
	m->domain = "DOMAIN";
	m->proc_root = "/proc";
	m->pagemap_fd = m->kpageflags_fd = -1;
	m->numa_balancing = mover_read_numa_balancing(NULL);
	/* room for the largest batch a reloaded policy may ask for */
	m->cap = POLICY_MAX_BATCH_PAGES;
	m->addrs = calloc(m->cap, sizeof(*m->addrs));
	m->nodes = calloc(m->cap, sizeof(*m->nodes));
	m->status = calloc(m->cap, sizeof(*m->status));
	m->unit = calloc(m->cap, sizeof(*m->unit));
	m->pm = calloc(LOCATE_CHUNK_PAGES, sizeof(*m->pm));
	if (!m->addrs || !m->nodes || !m->status || !m->unit || !m->pm) {
		mover_fini(m);
		return -1;
	}
	return 0;
}

void mover_fini(struct mover *m)
{
	free(m->addrs);
	free(m->nodes);
	free(m->status);
	free(m->unit);
	free(m->pm);
	frame_nodes_fini(&m->frames);
	if (m->pagemap_fd >= 0)
		close(m->pagemap_fd);
	if (m->kpageflags_fd >= 0)
		close(m->kpageflags_fd);
	m->pagemap_fd = m->kpageflags_fd = -1;
	m->addrs = NULL;
	m->nodes = m->status = NULL;
	m->unit = NULL;
	m->pm = NULL;
}

void mover_new_interval(struct mover *m)
{
	memset(m->node_full, 0, sizeof(m->node_full));
}

/* Slots: the DRAM nodes, then the PMEM nodes. */
static int slot_node(const struct policy *p, int slot)
{
	return slot < (int)p->nr_dram_nodes ? p->dram_nodes[slot] :
	       p->pmem_nodes[slot - (int)p->nr_dram_nodes];
}

/* The node to move to in direction dir: its slot, or -1 if none is usable. */
static int target_slot(const struct mover *m, enum move_dir dir)
{
	const struct policy *p = m->policy;
	int first = dir == MOVE_PROMOTE ? 0 : (int)p->nr_dram_nodes;
	int n = dir == MOVE_PROMOTE ? (int)p->nr_dram_nodes :
		(int)p->nr_pmem_nodes;

	for (int s = first; s < first + n; s++)
		if (!m->node_full[s] && !m->node_forbidden[s])
			return s;
	return -1;
}

static int read_mems_allowed(const struct mover *m, struct nodeset *set)
{
	char path[256], line[4096], err[128];
	int ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d/status", m->proc_root,
		 (int)m->pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Mems_allowed_list:", 18)) {
			ret = nodeset_parse(set, line + 18 +
					    strspn(line + 18, " \t"), err,
					    sizeof(err));
			break;
		}
	}
	fclose(f);
	return ret;
}

/* The error for a node the process's cpuset does not allow. */
static void forbidden_message(struct mover *m, int node)
{
	const struct policy *p = m->policy;
	char allowed_s[256] = "unknown", want_s[256];
	struct nodeset allowed, want;

	nodeset_clear(&want);
	if (!read_mems_allowed(m, &allowed)) {
		nodeset_format(&allowed, allowed_s, sizeof(allowed_s));
		want = allowed;
	}
	for (unsigned int i = 0; i < p->nr_dram_nodes; i++)
		nodeset_add(&want, p->dram_nodes[i]);
	for (unsigned int i = 0; i < p->nr_pmem_nodes; i++)
		nodeset_add(&want, p->pmem_nodes[i]);
	nodeset_format(&want, want_s, sizeof(want_s));
	snprintf(m->error, sizeof(m->error),
		 "node %d (in '%s' of the policy) is not allowed for the QEMU process of domain '%s' (pid %d): its cpuset allows memory only on nodes %s. libvirt sets that from the domain's <numatune>: change it to <numatune><memory mode='strict' nodeset='%s'/></numatune> (virsh numatune %s --nodeset %s --live --config), or remove the <numatune> element (and placement='auto' from <vcpu>)",
		 node, policy_is_dram(p, node) ? "dram_nodes" : "pmem_nodes",
		 m->domain, (int)m->pid, allowed_s, want_s, m->domain, want_s);
}

int mover_check_allowed(struct mover *m)
{
	const struct policy *p = m->policy;
	struct nodeset allowed;

	if (read_mems_allowed(m, &allowed))
		return 0;	/* no cpuset information: the moves will tell */
	for (int s = 0; s < (int)(p->nr_dram_nodes + p->nr_pmem_nodes); s++) {
		if (!nodeset_has(&allowed, slot_node(p, s))) {
			forbidden_message(m, slot_node(p, s));
			return -1;
		}
	}
	return 0;
}

static void fail_pages(struct mover *m, enum move_fail why, uint64_t pages)
{
	m->stats.failed[why] += pages;
}

/* A unit's placement as a move left it; dram tracks DRAM pages. */
static void retier(struct mover *m, struct move_op *op, enum tier now,
		   uint64_t *dram)
{
	enum tier before = (enum tier)op->from;

	op->now = (uint8_t)now;
	if (before == now)
		return;
	m->stats.tier_delta[before] -= op->npages;
	m->stats.tier_delta[now] += op->npages;
	if (before == TIER_DRAM)
		*dram -= op->npages;
	else if (now == TIER_DRAM)
		*dram += op->npages;
}

/* One page's status after a move to slot s. */
static void page_result(struct mover *m, struct move_op *op, int s,
			int status, uint64_t *dram)
{
	int node = slot_node(m->policy, s);

	if (status >= 0) {
		retier(m, op, mover_node_tier(m->policy, status), dram);
		if (status != node)
			fail_pages(m, FAIL_OTHER, op->npages);
		else if (op->dir == MOVE_PROMOTE)
			m->stats.promoted += op->npages;
		else
			m->stats.demoted += op->npages;
		return;
	}
	switch (-status) {
	case EBUSY:
	case EAGAIN:
		fail_pages(m, FAIL_BUSY, op->npages);
		break;
	case ENOMEM:
		m->node_full[s] = true;
		fail_pages(m, FAIL_NODE_FULL, op->npages);
		break;
	case ENOENT:
		retier(m, op, TIER_NONE, dram);
		if (m->numa_balancing > 0)
			m->numa_balancing_seen = true;
		fail_pages(m, FAIL_NOT_PRESENT, op->npages);
		break;
	case EACCES:
		fail_pages(m, FAIL_SHARED, op->npages);
		break;
	case EFAULT:
		fail_pages(m, FAIL_FAULT, op->npages);
		break;
	default:
		fail_pages(m, FAIL_OTHER, op->npages);
		break;
	}
}

/* A whole-call error: which reason the pages it left untouched get. */
static enum move_fail call_error(struct mover *m, int err, int s)
{
	int node = slot_node(m->policy, s);

	switch (err) {
	case ENOMEM:
		m->node_full[s] = true;
		return FAIL_NODE_FULL;
	case EACCES:
		m->node_forbidden[s] = true;
		forbidden_message(m, node);
		log_err("%s", m->error);
		return FAIL_FORBIDDEN;
	case ENODEV:
		m->node_forbidden[s] = true;
		snprintf(m->error, sizeof(m->error),
			 "node %d of the policy has no memory now (offline?): it is not used until the policy is reloaded",
			 node);
		log_err("%s", m->error);
		return FAIL_FORBIDDEN;
	case ESRCH:
		m->gone = true;
		return FAIL_OTHER;
	case EPERM:
		snprintf(m->error, sizeof(m->error),
			 "not permitted to move the pages of pid %d: the agent must run as root (CAP_SYS_NICE and ptrace access to QEMU)",
			 (int)m->pid);
		log_err("%s", m->error);
		return FAIL_OTHER;
	default:
		log_warn("move_pages of pid %d: %s", (int)m->pid,
			 strerror(err));
		return FAIL_OTHER;
	}
}

/* move_pages once, retried without MPOL_MF_MOVE_ALL if not permitted. */
static long call_move(struct mover *m, unsigned int n, const int *nodes,
		      int *err)
{
	long rc;

	for (;;) {
		for (unsigned int k = 0; k < n; k++)
			m->status[k] = STATUS_UNSET;
		m->stats.calls++;
		errno = 0;
		rc = m->ops->move_pages(m->ops->ctx, (int)m->pid, n, m->addrs,
					nodes, m->status, m->flags);
		*err = rc < 0 ? errno : 0;
		if (rc < 0 && *err == EPERM && (m->flags & MPOL_MF_MOVE_ALL)) {
			log_warn("MPOL_MF_MOVE_ALL not permitted (CAP_SYS_NICE is missing): moving with MPOL_MF_MOVE, so guest pages that another process also maps (shared memfd/hugetlbfs memory of vhost-user backends) will not move");
			m->flags = MPOL_MF_MOVE;
			continue;
		}
		return rc;
	}
}

static void pace(struct mover *m, uint64_t start, uint64_t bytes_done)
{
	double rate = (double)m->policy->rate_limit_mb_s * (1 << 20);
	uint64_t due = (uint64_t)((double)bytes_done / rate * 1e9);
	uint64_t elapsed = m->ops->now_ns(m->ops->ctx) - start;

	if (due > elapsed) {
		m->ops->sleep_ns(m->ops->ctx, due - elapsed);
		m->stats.paced_ns += due - elapsed;
	}
}

static void run_batch(struct mover *m, struct plan *p, unsigned int n,
		      int s, uint64_t *dram)
{
	uint64_t t0 = m->ops->now_ns(m->ops->ctx);
	enum move_fail why = FAIL_BUSY;
	int err;
	long rc = call_move(m, n, m->nodes, &err);

	m->stats.move_ns += m->ops->now_ns(m->ops->ctx) - t0;
	if (rc < 0)
		why = call_error(m, err, s);
	/* rc > 0: pages the kernel gave up on (busy), statuses not written */
	for (unsigned int k = 0; k < n; k++) {
		struct move_op *op = &p->ops[m->unit[k]];

		if (m->status[k] == STATUS_UNSET)
			fail_pages(m, why, op->npages);
		else
			page_result(m, op, s, m->status[k], dram);
	}
}

int mover_execute(struct mover *m, struct plan *p, uint64_t limit_pages)
{
	bool dry = m->policy->mode == POLICY_DRY_RUN;
	uint64_t dram = p->dram_pages, start, bytes_done = 0;
	size_t i = 0;
	bool warned[2] = { false, false };

	start = m->ops->now_ns(m->ops->ctx);
	while (i < p->nr_ops && !m->gone && !(m->stop && *m->stop)) {
		enum move_dir dir = p->ops[i].dir;
		int s = target_slot(m, dir);
		uint64_t pages = 0, promo = 0, from_dram = 0;
		unsigned int n = 0;

		for (; i < p->nr_ops && p->ops[i].dir == dir && n < m->cap &&
		       (n == 0 || pages + p->ops[i].npages <=
				  m->policy->batch_pages); i++) {
			const struct move_op *op = &p->ops[i];

			if (s < 0)
				continue;
			/* an earlier demotion failed: no room for this one */
			if (dir == MOVE_PROMOTE &&
			    dram + promo + op->npages > limit_pages) {
				m->stats.skipped_limit += op->npages;
				continue;
			}
			if (dir == MOVE_PROMOTE)
				promo += op->npages;
			else if (op->from == TIER_DRAM)
				from_dram += op->npages;
			m->addrs[n] = (void *)(uintptr_t)op->hva;
			m->nodes[n] = slot_node(m->policy, s);
			m->unit[n] = i;
			pages += op->npages;
			n++;
		}
		if (s < 0 && !warned[dir]) {
			warned[dir] = true;
			log_warn("%s stop for this interval: every %s node is full or not allowed",
				 dir == MOVE_PROMOTE ? "promotions" : "demotions",
				 dir == MOVE_PROMOTE ? "DRAM" : "PMEM");
		}
		if (!n)
			continue;
		if (dry) {
			if (dir == MOVE_PROMOTE)
				m->stats.would_promote += pages;
			else
				m->stats.would_demote += pages;
			dram = dram + promo - from_dram;
			continue;
		}
		pace(m, start, bytes_done);
		run_batch(m, p, n, s, &dram);
		bytes_done += pages * PAGE_SIZE_4K;
	}
	return m->gone ? -1 : 0;
}

/* Does the host back the block at head by one huge page (now)? */
static void learn_host_page(struct mover *m, struct hotness *h,
			    uint64_t head)
{
	int huge;

	if (!m->ops->host_huge || !hotness_block_whole(h, head))
		return;
	huge = m->ops->host_huge(m->ops->ctx, m, hotness_hva(h, head));
	if (huge >= 0)
		hotness_set_host_huge(h, head, huge);
}

/* A unit's placement as the kernel reports it; pages it was not seen. */
static void place_unit(struct mover *m, struct hotness *h, uint64_t idx,
		       int node, uint64_t *node_pages)
{
	unsigned int pages = hotness_unit_pages(h, idx);
	enum tier before = hotness_tier(h, idx);
	enum tier now = node >= 0 ? mover_node_tier(m->policy, node) :
			TIER_NONE;

	if (before != now) {
		hotness_set_tier(h, idx, now);
		if (before != TIER_NONE)
			m->stats.moved_elsewhere += pages;
	}
	if (node_pages && node >= 0 && node < NODESET_MAX)
		node_pages[node] += pages;
	m->stats.located += pages;
}

/* Locating by move_pages queries, m->cap units a call. */
static int locate_by_query(struct mover *m, struct hotness *h, uint64_t idx,
			   uint64_t end, uint64_t *node_pages)
{
	while (idx < end && !m->gone && !(m->stop && *m->stop)) {
		unsigned int n = 0;
		int err;
		long rc;

		for (; idx < end && n < m->cap;
		     idx += hotness_unit_pages(h, idx)) {
			if (idx % PAGES_PER_2M == 0)
				learn_host_page(m, h, idx);
			m->addrs[n] = (void *)(uintptr_t)hotness_hva(h, idx);
			m->unit[n++] = idx;
		}
		rc = call_move(m, n, NULL, &err);
		if (rc < 0) {
			if (err == ESRCH)
				m->gone = true;
			else
				log_warn("locating pages of pid %d: %s",
					 (int)m->pid, strerror(err));
			break;
		}
		for (unsigned int k = 0; k < n; k++)
			place_unit(m, h, m->unit[k], m->status[k], node_pages);
	}
	return m->gone ? -1 : 0;
}

/* The frame of a pagemap entry, 0 if not present (or PFNs hidden). */
static uint64_t entry_pfn(uint64_t e)
{
	return e & PM_PRESENT ? e & PM_PFN_MASK : 0;
}

/*
 * A whole block's entries: a host huge page is 512 frames in a row from
 * a 2 MiB-aligned one. Anything else is not; a run that looks like one
 * is asked once (kpageflags), and believed while it stays a run.
 */
static void learn_host_page_pm(struct mover *m, struct hotness *h,
			       uint64_t head, const uint64_t *e)
{
	uint64_t pfn = entry_pfn(e[0]);
	bool run = pfn && pfn % PAGES_PER_2M == 0;

	for (unsigned int k = 1; run && k < PAGES_PER_2M; k++)
		run = entry_pfn(e[k]) == pfn + k;
	if (!run)
		hotness_set_host_huge(h, head, false);
	else if (!hotness_block_host_huge(h, head))
		learn_host_page(m, h, head);
}

/* The node of a pagemap entry's frame, -1 if not present. */
static int entry_node(const struct mover *m, uint64_t e)
{
	return e & PM_PRESENT ? frame_node(&m->frames, e & PM_PFN_MASK) : -1;
}

void mover_load_frames(struct mover *m)
{
	char err[600];

	frame_nodes_fini(&m->frames);
	m->by_frames = 1;
	if (!m->ops->pagemap) {
		m->by_frames = -1;
	} else if (frame_nodes_load(&m->frames, m->sys_root, err,
				    sizeof(err))) {
		log_warn("cannot tell the node of a page frame (%s): pages are located by move_pages queries, about 4x the cost",
			 err);
		m->by_frames = -1;
	}
}

enum frames_check { FRAMES_OK, FRAMES_HIDDEN, FRAMES_UNKNOWN };

/* Are the frames of n entries read, and each in a known memory block? */
static enum frames_check check_frames(const struct mover *m, uint64_t n)
{
	enum frames_check ret = FRAMES_OK;

	for (uint64_t k = 0; k < n; k++) {
		if (!(m->pm[k] & PM_PRESENT))
			continue;
		/* a page present at frame 0: frames are hidden (not root) */
		if (!entry_pfn(m->pm[k]))
			return FRAMES_HIDDEN;
		if (entry_node(m, m->pm[k]) < 0)
			ret = FRAMES_UNKNOWN;
	}
	return ret;
}

/*
 * Locating by frames, a chunk of blocks of one range (contiguous HVA) a
 * read. A frame in no memory block is memory plugged in since the table
 * was read: it is read again, once; frames still unknown then (device
 * memory mapped into the guest?), or hidden (PFNs need CAP_SYS_ADMIN),
 * and the rest is located by queries. Returns 1 then, and *pidx is where
 * the queries go on from.
 */
static int locate_by_frame(struct mover *m, struct hotness *h, uint64_t *pidx,
			   uint64_t end, uint64_t *node_pages)
{
	uint64_t idx = *pidx;
	enum frames_check fc;

	while (idx < end && !(m->stop && *m->stop)) {
		uint64_t head = idx & ~(PAGES_PER_2M - 1);
		uint64_t stop = hotness_run_end(h, head);
		long got;

		if (stop > end)
			stop = end;
		if (stop > head + LOCATE_CHUNK_PAGES)
			stop = head + LOCATE_CHUNK_PAGES;
		got = m->ops->pagemap(m->ops->ctx, m, hotness_hva(h, head),
				      stop - head, m->pm);
		if (got != (long)(stop - head)) {
			if (kill(m->pid, 0) && errno == ESRCH) {
				m->gone = true;
				break;
			}
			log_warn("cannot read %s/%d/pagemap: %s; pages are located by move_pages queries, about 4x the cost",
				 m->proc_root, (int)m->pid,
				 got < 0 ? strerror(errno) : "short read");
			goto queries;
		}
		fc = check_frames(m, stop - head);
		if (fc == FRAMES_UNKNOWN && !m->frames_reloaded) {
			m->frames_reloaded = true;
			mover_load_frames(m);
			if (m->by_frames == 1)
				continue;
			goto queries;
		}
		if (fc != FRAMES_OK) {
			log_warn(fc == FRAMES_HIDDEN ?
				 "the page frames of pid %d are hidden (the agent is not root?): pages are located by move_pages queries, about 4x the cost" :
				 "page frames of pid %d are in no memory block of any node (device memory?): pages are located by move_pages queries",
				 (int)m->pid);
			goto queries;
		}
		for (uint64_t b = head; b < stop; b += PAGES_PER_2M) {
			const uint64_t *e = m->pm + (b - head);
			uint64_t lo = idx > b ? idx : b;
			uint64_t hi = stop < b + PAGES_PER_2M ? stop :
				      b + PAGES_PER_2M;

			if (lo == b && hi == b + PAGES_PER_2M)
				learn_host_page_pm(m, h, b, e);
			for (uint64_t i = lo; i < hi;
			     i += hotness_unit_pages(h, i))
				place_unit(m, h, i, entry_node(m, e[i - b]),
					   node_pages);
		}
		idx = stop;
	}
	*pidx = idx;
	return 0;
queries:
	m->by_frames = -1;
	*pidx = idx;
	return 1;
}

int mover_locate(struct mover *m, struct hotness *h, uint64_t first,
		 uint64_t count, uint64_t *node_pages)
{
	uint64_t idx = first, end = first + count;

	if (end > h->npages)
		end = h->npages;
	/* start at the head of a huge block, never inside it */
	if (hotness_block_huge(h, idx))
		idx &= ~(PAGES_PER_2M - 1);
	if (m->by_frames == 0)
		mover_load_frames(m);
	if (m->by_frames == 1 &&
	    !locate_by_frame(m, h, &idx, end, node_pages))
		return m->gone ? -1 : 0;
	return locate_by_query(m, h, idx, end, node_pages);
}
