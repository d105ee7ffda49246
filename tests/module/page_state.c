/* SPDX-License-Identifier: MIT */
/*
 * page-state - where host reclaim stands with a test guest's pages: how
 * many it swapped out (/proc/PID/pagemap bit 62) and how many are on an
 * active LRU list (/proc/kpageflags bit 6, for the frame pagemap names),
 * out of the pages the last step touched (the hot set) and of those
 * mapped earlier and not touched since (cold). For the lab's reclaim
 * test: a scan must not make hot guest memory look cold to reclaim.
 *
 * usage: page-state REPORT
 *        page-state --deactivate REPORT
 * Prints "hot S/N cold S/N hot-active A/N" (swapped/total, active/total).
 * --deactivate instead puts all of guest memory on the inactive list,
 * unreferenced, its host PTEs old (process_madvise(MADV_COLD)), so that a
 * test starts from a known LRU state. Run as root (frame numbers and
 * kpageflags need CAP_SYS_ADMIN, process_madvise CAP_SYS_NICE).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "report.h"

#define PM_PRESENT	(1ULL << 63)
#define PM_SWAPPED	(1ULL << 62)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define KPF_ACTIVE	(1ULL << 6)

struct count {
	uint64_t swapped, active, total;
};

static int count_set(int pm, int kpf, const struct tg_report *rep,
		     const struct pageset *set, struct count *c)
{
	for (unsigned int i = 0; i < set->nr; i++) {
		for (uint64_t pg = set->r[i].first; pg < set->r[i].end; pg++) {
			uint64_t e, flags, vpn = rep->hva_base / 4096 + pg;

			if (pread(pm, &e, sizeof(e), (off_t)(vpn * 8)) !=
			    (ssize_t)sizeof(e))
				return -1;
			c->swapped += !!(e & PM_SWAPPED);
			c->total++;
			if (!(e & PM_PRESENT))
				continue;
			if (pread(kpf, &flags, sizeof(flags),
				  (off_t)((e & PM_PFN_MASK) * 8)) !=
			    (ssize_t)sizeof(flags))
				return -1;
			c->active += !!(flags & KPF_ACTIVE);
		}
	}
	return 0;
}

/* MADV_COLD over the whole of guest memory, from outside the process. */
static int deactivate(const struct tg_report *rep)
{
	struct iovec iov = { (void *)(uintptr_t)rep->hva_base, rep->mem_size };
	int pidfd = (int)syscall(SYS_pidfd_open, rep->pid, 0);
	long n;

	if (pidfd < 0)
		return -1;
	n = syscall(SYS_process_madvise, pidfd, &iov, 1, MADV_COLD, 0);
	close(pidfd);
	return n == (long)rep->mem_size ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct tg_report rep;
	struct count hot = { 0 }, cold = { 0 };
	char path[64];
	int pm, kpf;

	if (argc == 3 && !strcmp(argv[1], "--deactivate")) {
		if (tg_report_load(&rep, argv[2]))
			return 2;
		if (deactivate(&rep)) {
			fprintf(stderr, "page-state: MADV_COLD of pid %d: %s\n",
				(int)rep.pid, strerror(errno));
			return 1;
		}
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: page-state [--deactivate] REPORT\n");
		return 2;
	}
	if (tg_report_load(&rep, argv[1]))
		return 2;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)rep.pid);
	pm = open(path, O_RDONLY);
	kpf = open("/proc/kpageflags", O_RDONLY);
	if (pm < 0 || kpf < 0 || count_set(pm, kpf, &rep, &rep.workload, &hot) ||
	    count_set(pm, kpf, &rep, &rep.untouched, &cold)) {
		fprintf(stderr, "page-state: %s or /proc/kpageflags: %s\n",
			path, strerror(errno));
		return 1;
	}
	printf("hot %" PRIu64 "/%" PRIu64 " cold %" PRIu64 "/%" PRIu64
	       " hot-active %" PRIu64 "/%" PRIu64 "\n", hot.swapped,
	       hot.total, cold.swapped, cold.total, hot.active, hot.total);
	close(pm);
	close(kpf);
	return 0;
}
