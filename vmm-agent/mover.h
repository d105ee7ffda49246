/* SPDX-License-Identifier: MIT */
/*
 * mover.h - carries out a plan with move_pages(2) (numa_move_pages from
 * libnuma) in batches, and learns where pages are (move_pages with no
 * target nodes).
 *
 * Where pages sit is read from /proc/PID/pagemap (each page's frame) and
 * the node of each frame (frame_nodes.h): about 4x cheaper than a
 * move_pages query, and 2 MiB runs of contiguous frames show host huge
 * pages without a /proc/kpageflags read each. Without the frames (the
 * agent not root, sysfs unreadable) it asks move_pages.
 *
 * Per-page results, as the kernel gives them:
 *   node >= 0          moved (or already there)
 *   -EBUSY, -EAGAIN    busy (isolated, under migration, pinned): left
 *                      alone, the next interval tries again
 *   -ENOMEM            target node full: this direction stops for the
 *                      interval (the next node of the tier is tried
 *                      first) and it is reported
 *   -ENOENT            not present, or just marked PROT_NONE by the
 *                      kernel's NUMA balancing: if numa_balancing is on,
 *                      two tiering systems are running and this says so
 *   -EACCES            mapped by more than one process without
 *                      MPOL_MF_MOVE_ALL
 *   -EFAULT            the zero page, or not in a movable mapping
 * and for a whole call:
 *   -EACCES            the target node is outside the QEMU process's
 *                      cpuset (libvirt <numatune>): a clear error naming
 *                      the setting, the node is not used again
 *   -ENOMEM            node full (as above); a positive return counts
 *                      pages left unmigrated (treated as busy)
 *   -EPERM             MPOL_MF_MOVE_ALL needs CAP_SYS_NICE: fall back to
 *                      MPOL_MF_MOVE, shared pages then fail with -EACCES
 *   -ESRCH             the process is gone
 *
 * Flags: guest RAM backed by memfd, a shared file (share=on, vhost-user)
 * or hugetlbfs is shared memory; a page mapped by a second process (a
 * vhost-user backend, virtiofsd) moves only with MPOL_MF_MOVE_ALL, which
 * the mover uses by default (the agent runs as root).
 */
#ifndef VMM_MOVER_H
#define VMM_MOVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "frame_nodes.h"
#include "hotness.h"
#include "planner.h"
#include "policy.h"

enum move_fail {
	FAIL_BUSY,
	FAIL_NODE_FULL,
	FAIL_NOT_PRESENT,
	FAIL_SHARED,
	FAIL_FAULT,
	FAIL_FORBIDDEN,
	FAIL_OTHER,
	FAIL_NR
};

const char *move_fail_name(enum move_fail f);	/* "busy", "node_full"... */

struct mover;

/* numa_move_pages(3): 0, pages not moved (> 0), or -1 with errno. */
struct mover_ops {
	long (*move_pages)(void *ctx, int pid, unsigned long count,
			   void **pages, const int *nodes, int *status,
			   int flags);
	uint64_t (*now_ns)(void *ctx);		/* monotonic clock */
	void (*sleep_ns)(void *ctx, uint64_t ns);
	void *ctx;
	/*
	 * Is the 2 MiB block at hva one huge page (THP) of the host? 1, 0,
	 * or -1 if it cannot tell. NULL: never asked. The real one reads
	 * /proc/PID/pagemap and /proc/kpageflags.
	 */
	int (*host_huge)(void *ctx, struct mover *m, uint64_t hva);
	/*
	 * Read n entries of /proc/PID/pagemap from hva's on into out: the
	 * number read, or -1. NULL: placement comes from move_pages queries.
	 */
	long (*pagemap)(void *ctx, struct mover *m, uint64_t hva, size_t n,
			uint64_t *out);
};

extern const struct mover_ops mover_numa_ops;

struct mover_stats {
	uint64_t promoted, demoted;		/* pages */
	uint64_t would_promote, would_demote;	/* dry-run */
	uint64_t failed[FAIL_NR];		/* pages */
	uint64_t calls, move_ns, paced_ns;
	uint64_t located;			/* pages located */
	uint64_t moved_elsewhere;	/* ... found off the tier last seen */
	uint64_t skipped_limit;	/* promotions dropped: DRAM would overflow */
	int64_t tier_delta[TIER_NR];	/* pages that changed tier by moves */
};

struct mover {
	const struct mover_ops *ops;
	const struct policy *policy;
	pid_t pid;
	int flags;			/* MPOL_MF_MOVE_ALL or MPOL_MF_MOVE */
	const char *domain;		/* for messages */
	const char *proc_root;		/* "/proc"; tests point it elsewhere */
	const char *sys_root;		/* NULL: "/sys" */
	volatile int *stop;		/* set by a signal: end between batches */
	bool node_full[POLICY_MAX_TIER_NODES * 2];	/* this interval */
	bool node_forbidden[POLICY_MAX_TIER_NODES * 2];
	bool gone;			/* ESRCH: the process has exited */
	bool numa_balancing_seen;	/* -ENOENT while numa_balancing on */
	int numa_balancing;		/* kernel.numa_balancing, -1 unknown */
	char error[1024];		/* the last configuration error */
	struct mover_stats stats;	/* since start */
	int pagemap_fd, kpageflags_fd;	/* -1 not open yet, -2 unusable */
	/* locating by frames: 0 not tried yet, 1 in use, -1 unusable */
	int by_frames;
	bool frames_reloaded;		/* for a frame in no known block */
	struct frame_nodes frames;
	uint64_t *pm;			/* pagemap entries of a chunk */
	/* batch buffers */
	unsigned int cap;
	void **addrs;
	int *nodes, *status;
	uint64_t *unit;
};

int mover_init(struct mover *m, const struct mover_ops *ops,
	       const struct policy *policy, pid_t pid);
void mover_fini(struct mover *m);

/* kernel.numa_balancing (0 off, 1 NUMA, 2 tiering, 3 both), -1 unknown */
int mover_read_numa_balancing(const char *proc_root);

/*
 * Check the policy's nodes against the process's Mems_allowed_list
 * (cpuset.mems, which libvirt sets from <numatune>). 0, or -1 with the
 * error (naming the libvirt setting) in m->error.
 */
int mover_check_allowed(struct mover *m);

/*
 * Carry out a plan in batches of policy->batch_pages, paced to the rate
 * limit. DRAM is kept within limit_pages from the real results: a
 * promotion is dropped when an earlier demotion failed to make its room.
 * dry_run: nothing moves; counts what would.
 * Sets each op's now from the kernel's answer; the hotness is not
 * touched (plan_record_moves). 0, or -1 when the process is gone.
 */
int mover_execute(struct mover *m, struct plan *p, uint64_t limit_pages);

/*
 * Where are pages [first, first + count) of h? Updates the placement and,
 * if node_pages (NODESET_MAX entries) is given, adds the pages found on
 * each node; learns which blocks the host backs by huge pages (they move
 * as one); counts in stats.moved_elsewhere the pages found on another
 * tier than last known. 0, or -1 when the process is gone.
 */
int mover_locate(struct mover *m, struct hotness *h, uint64_t first,
		 uint64_t count, uint64_t *node_pages);

/*
 * Load the table of which node each page frame is on (sysfs, under
 * sys_root): at attach (else at the first locate), and once more when a
 * frame turns up in no known block.
 */
void mover_load_frames(struct mover *m);

/* Start of an interval: full nodes may have room again. */
void mover_new_interval(struct mover *m);

/* The tier of a node under the policy. */
enum tier mover_node_tier(const struct policy *p, int node);

#endif /* VMM_MOVER_H */
