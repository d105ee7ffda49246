/* SPDX-License-Identifier: MIT */
/*
 * agent.h - one domain's tiering, an interval at a time: scan the guest
 * RAM (idle_pages), age the histories, locate a slice of the pages, plan,
 * move, count. Knows nothing of libvirt: main.c attaches it to a QEMU
 * pid and its guest RAM ranges, and detaches it when the domain stops.
 *
 * The scan source is a function, so that tests (and other sources) can
 * feed synthetic scan results; agent_scan_idle_pages is the real one.
 */
#ifndef VMM_AGENT_H
#define VMM_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "counters.h"
#include "hotness.h"
#include "ip_reader.h"
#include "mover.h"
#include "policy.h"

/*
 * A scan round: the mode asked for (IP_MODE_*), and what the module said
 * of the target (GET_INFO; all zero if it said nothing).
 */
struct agent_scan {
	unsigned int mode;
	struct idle_pages_info info;
};

/* One scan round of ranges of pid, fed to hotness_feed(h, ...). */
typedef int (*agent_scan_fn)(void *ctx, pid_t pid, struct agent_scan *s,
			     const struct ip_hva_range *ranges, size_t n,
			     struct hotness *h, char *err, size_t errlen);

/* ctx: a struct ip_reader (lib/ip_reader.h). */
int agent_scan_idle_pages(void *ctx, pid_t pid, struct agent_scan *s,
			  const struct ip_hva_range *ranges, size_t n,
			  struct hotness *h, char *err, size_t errlen);

/*
 * The scan mode of the next round: skim (an idle 2 MiB of 4 KiB pages is
 * one record, its PTEs not read) once the module has said the target is
 * a VM and honours skim; huge-only (one record per 2 MiB whatever maps
 * it) once a whole sweep found every 2 MiB block of guest RAM backed by
 * a host huge page, which moves as one anyway. Not skim for a process:
 * the kernel's multi-gen LRU clears the accessed bits of its PMDs that
 * point to page tables, which skim reads as "nothing below accessed".
 */
unsigned int agent_scan_mode(const struct idle_pages_info *last,
			     bool all_host_huge);

/*
 * Where pages sit (mover_locate): nothing at attach, which must not block
 * for the seconds a 1 TiB guest takes; then, after each interval's scan,
 * a slice of a sweep over the guest: 1/AGENT_SWEEP_FAST of it until the
 * first sweep is whole, and again whenever pages turn up on another tier
 * than the agent left them (the kernel's NUMA balancing or demotion,
 * migratepages), 1/AGENT_SWEEP_SLOW otherwise, never under
 * AGENT_SWEEP_MIN_PAGES; and AGENT_SAMPLE_BLOCKS 2 MiB blocks picked at
 * random, to notice such moves early. Nothing is promoted before the
 * first sweep is whole: until then DRAM use is not known.
 */
#define AGENT_SWEEP_FAST	4
#define AGENT_SWEEP_SLOW	256
#define AGENT_SWEEP_MIN_PAGES	(1ull << 18)	/* 1 GiB */
#define AGENT_SAMPLE_BLOCKS	32

struct agent {
	struct policy pol;
	struct hot_rules rules;
	struct hotness hot;
	struct mover mover;
	const struct mover_ops *mops;
	agent_scan_fn scan;
	void *scan_ctx;
	const char *proc_root;		/* NULL: /proc */
	const char *sys_root;		/* NULL: /sys */
	volatile int *stop;		/* set by a signal: the interval ends */
	bool attached;
	pid_t pid;
	uint64_t limit_pages;
	uint64_t sweep_cursor;		/* the sweep's next page index */
	bool placement_known;		/* a whole sweep is done */
	bool sweep_fast;		/* pages moved behind our back */
	uint64_t sample_seed;
	uint64_t *node_pages;		/* NODESET_MAX, the sweep under way */
	struct agent_scan scan_last;	/* the last round's mode and info */
	bool all_host_huge;		/* the last whole sweep found so */
	bool said_kernel_tiering;
	struct agent_status st;		/* what status/prom show */
};

void agent_init(struct agent *a, const struct policy *p,
		const struct mover_ops *mops, agent_scan_fn scan,
		void *scan_ctx);
void agent_fini(struct agent *a);

/*
 * Start tiering pid's guest RAM (ranges) of guest_bytes: check the limit
 * against the guest and the nodes against the process's cpuset. Pages
 * are located by the intervals (above). 0, or -1 with err.
 */
int agent_attach(struct agent *a, pid_t pid, const struct ip_hva_range *r,
		 size_t n, uint64_t guest_bytes, char *err, size_t errlen);
void agent_detach(struct agent *a);

/* One interval. 0; -1 with st.last_error when the scan failed or the
 * process is gone (then the agent is detached). Once *stop is set, it
 * ends at the next range of the scan, chunk of a sweep or batch of moves,
 * and returns 0. */
int agent_interval(struct agent *a);

/*
 * Replace the policy (SIGHUP). A policy the guest cannot take (limit
 * above its size) is refused, the old one stays. 0, or -1 with err.
 */
int agent_set_policy(struct agent *a, const struct policy *p, char *err,
		     size_t errlen);

#endif /* VMM_AGENT_H */
