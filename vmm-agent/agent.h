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

/* One scan round of ranges of pid, fed to hotness_feed(h, ...). */
typedef int (*agent_scan_fn)(void *ctx, pid_t pid,
			     const struct ip_hva_range *ranges, size_t n,
			     struct hotness *h, char *err, size_t errlen);

/* ctx: a struct ip_reader (lib/ip_reader.h). */
int agent_scan_idle_pages(void *ctx, pid_t pid,
			  const struct ip_hva_range *ranges, size_t n,
			  struct hotness *h, char *err, size_t errlen);

/* Placement queries per interval after the first, full one. */
#define AGENT_LOCATE_MIN_PAGES	(1ull << 16)
#define AGENT_LOCATE_SHARE	16	/* 1/16 of the guest an interval */

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
	volatile int *stop;
	bool attached;
	pid_t pid;
	uint64_t limit_pages;
	uint64_t locate_cursor;
	uint64_t *node_pages;		/* NODESET_MAX, the sweep under way */
	bool said_kernel_tiering;
	struct agent_status st;		/* what status/prom show */
};

void agent_init(struct agent *a, const struct policy *p,
		const struct mover_ops *mops, agent_scan_fn scan,
		void *scan_ctx);
void agent_fini(struct agent *a);

/*
 * Start tiering pid's guest RAM (ranges) of guest_bytes: check the limit
 * against the guest and the nodes against the process's cpuset, locate
 * every page. 0, or -1 with err.
 */
int agent_attach(struct agent *a, pid_t pid, const struct ip_hva_range *r,
		 size_t n, uint64_t guest_bytes, char *err, size_t errlen);
void agent_detach(struct agent *a);

/* One interval. 0; -1 with st.last_error when the scan failed or the
 * process is gone (then the agent is detached). */
int agent_interval(struct agent *a);

/*
 * Replace the policy (SIGHUP). A policy the guest cannot take (limit
 * above its size) is refused, the old one stays. 0, or -1 with err.
 */
int agent_set_policy(struct agent *a, const struct policy *p, char *err,
		     size_t errlen);

#endif /* VMM_AGENT_H */
