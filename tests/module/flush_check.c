/* SPDX-License-Identifier: MIT */
/*
 * flush-check - the module's one TLB flush per scan round. A round ends
 * at close, at a read that starts below where the previous read ended (a
 * seek back), or at SET_PID; each round that cleared an accessed bit (a
 * leaf's, or in huge-only mode only a 2 MiB entry's) must end with
 * exactly one flush: not none, or the next round may miss accesses
 * behind stale TLB entries, and not one per read.
 *
 * Counted twice: by the module, GET_INFO's tlb_flushes (rounds that
 * ended with a flush), and by KVM, the VM's debugfs statistic tlb_flush
 * (TLB flushes its vCPUs served). The guest is stopped during the
 * rounds, so its vCPU serves the pending KVM_REQ_TLB_FLUSH when it
 * next enters the guest: its tlb_flush rises once the guest goes on to
 * its next step, and not at a step with no round before it. (The
 * module's request is not kvm_flush_remote_tlbs, which 7.x closes to
 * other modules: KVM's remote_tlb_flush_requests does not count it.)
 *
 * usage: flush-check [--mode huge|normal] [--count BYTES]
 *                    [--end close|set-pid] REPORT
 * REPORT is tg-launch's, pattern=touch with the same set at every step,
 * the guest stopped at a step; it needs 3 steps (--end close) or 4.
 * --end set-pid: one open file, SET_PID once; round 1 reads the whole
 * guest memory in reads of COUNT bytes; the guest goes on to its next
 * step; round 2 seeks back to the start of guest memory and reads it
 * again, then SET_PID again ends it. --end close: round 1 is ended by
 * close; round 2, on a new file, comes after the two steps below. Then
 * the guest goes on a step (its vCPU serves the flush) and another (no
 * flush). Each round must report the step's pages accessed. COUNT
 * (default 1024) should exceed about 530: the module walks at most one
 * page per byte of room left in the read, so smaller reads cut 2 MiB
 * units and report them as 4 KiB records. Prints "PASS: ..." /
 * "FAIL: ..." lines and exits non-zero if one failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "ip_decode.h"
#include "report.h"
#include "verdict.h"

#define PAGES_PER_2M 512u

static char stat_dir[256];

/* TLB flushes the VM's vCPUs served (debugfs, summed over vCPUs). */
static uint64_t served(void)
{
	char path[320];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tlb_flush", stat_dir);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%llu", &v) != 1) {
		fprintf(stderr, "flush-check: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	fclose(f);
	return v;
}

/* Rounds of this open file that ended with a flush, as the module says. */
static uint64_t flushes(int fd)
{
	struct idle_pages_info info = { .size = sizeof(info) };

	if (ioctl(fd, IDLE_PAGE_GET_INFO, &info)) {
		fprintf(stderr, "flush-check: GET_INFO: %s\n", strerror(errno));
		exit(2);
	}
	return info.tlb_flushes;
}

/* The VM's debugfs directory, /sys/kernel/debug/kvm/PID-FD. */
static int find_stat_dir(pid_t pid)
{
	char pat[64];
	glob_t g;

	snprintf(pat, sizeof(pat), "/sys/kernel/debug/kvm/%d-*", (int)pid);
	if (glob(pat, 0, NULL, &g) || g.gl_pathc != 1) {
		fprintf(stderr, "flush-check: want one KVM debugfs directory "
			"%s (is debugfs mounted?)\n", pat);
		return -1;
	}
	snprintf(stat_dir, sizeof(stat_dir), "%s", g.gl_pathv[0]);
	globfree(&g);
	return 0;
}

/* The step= line of tg-launch's report, or -1. */
static long report_step(const char *path)
{
	char line[256];
	long step = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "step=", 5))
			step = strtol(line + 5, NULL, 10);
	fclose(f);
	return step;
}

static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');	/* the comm may hold spaces */
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Continues the guest and waits until it stopped after its next step. */
static int next_step(pid_t pid, const char *report, long step)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };

	if (kill(pid, SIGCONT))
		return -1;
	for (int i = 0; i < 1200; i++) {
		nanosleep(&tick, NULL);
		if (report_step(report) > step && proc_state(pid) == 'T')
			return 0;
	}
	return -1;
}

/* The guest goes on to its next step: that step, or -1 after a FAIL. */
static long go_on(pid_t pid, const char *report, long step)
{
	if (next_step(pid, report, step)) {
		verdict(false, "guest %d stopped after its next step", (int)pid);
		return -1;
	}
	return report_step(report);
}

/* What one round saw, per 4 KiB page of guest memory. */
struct round {
	const struct tg_report *rep;
	uint8_t *accessed;	/* 0, or the page shift of the record */
};

static int on_range(void *arg, const struct ip_range *r)
{
	struct round *rd = arg;
	uint64_t base = rd->rep->hva_base, top = base + rd->rep->mem_size;

	if (ip_type_state(r->type) != IP_ST_ACCESSED)
		return 0;
	for (uint64_t i = 0; i < r->npages; i++) {
		uint64_t hva = r->hva + i * 4096;

		if (hva >= base && hva < top)
			rd->accessed[(hva - base) / 4096] = r->page_shift;
	}
	return 0;
}

/*
 * One round: lseek to guest memory, read it all. @after_first is
 * sampled right after the first read (which ends the previous round).
 * Returns the number of reads, or -1 after a FAIL line.
 */
static int scan_round(int fd, struct round *rd, size_t count,
		      uint64_t *after_first)
{
	uint64_t pos = rd->rep->hva_base, end = pos + rd->rep->mem_size;
	uint8_t *buf = malloc(count);
	int reads = 0;

	memset(rd->accessed, 0, rd->rep->mem_size / 4096);
	if (!buf || lseek(fd, (off_t)pos, SEEK_SET) < 0) {
		verdict(false, "lseek to %#" PRIx64 ": %s", pos, strerror(errno));
		return -1;
	}
	while (pos < end) {
		struct ip_decoder d;
		ssize_t n = read(fd, buf, count);

		if (n <= 0) {
			verdict(false, "read at %#" PRIx64 ": %s", pos,
				n ? strerror(errno) : "end of file");
			return -1;
		}
		if (!reads++)
			*after_first = flushes(fd);
		ip_decoder_init(&d, pos, 0);
		if (ip_decode(&d, buf, (size_t)n, on_range, rd) ||
		    ip_decode_finish(&d, on_range, rd)) {
			verdict(false, "records read at %#" PRIx64 ": %s", pos,
				d.msg);
			return -1;
		}
		off_t next = lseek(fd, 0, SEEK_CUR);

		if (next < 0 || (uint64_t)next <= pos) {
			verdict(false, "read at %#" PRIx64 " made no progress",
				pos);
			return -1;
		}
		pos = (uint64_t)next;
	}
	free(buf);
	return reads;
}

/* The runs of pages under accessed records, for a failed round. */
static void print_accessed(const struct round *rd)
{
	uint64_t npages = rd->rep->mem_size / 4096, shown = 0;

	printf("accessed (GPA pages, page shift):");
	for (uint64_t pg = 0; pg < npages && shown < 16; pg++) {
		uint64_t last = pg;

		if (!rd->accessed[pg])
			continue;
		while (last + 1 < npages &&
		       rd->accessed[last + 1] == rd->accessed[pg])
			last++;
		printf(" %#" PRIx64 "-%#" PRIx64 "/%u", pg, last,
		       rd->accessed[pg]);
		shown++;
		pg = last;
	}
	printf("\n");
}

/* Touched pages not reported accessed; accessed units not touched. */
static void judge_round(const struct round *rd, int nr, long step)
{
	const struct tg_report *rep = rd->rep;
	uint64_t npages = rep->mem_size / 4096, missed = 0, extra = 0, acc = 0;

	for (uint64_t pg = 0; pg < npages; pg++) {
		bool t = pageset_has(&rep->touched, pg);

		acc += rd->accessed[pg] != 0;
		if (t && !rd->accessed[pg])
			missed++;
		if (!rd->accessed[pg] || t)
			continue;
		/* A 2 MiB record is right if any page of its unit was touched. */
		if (rd->accessed[pg] == 21) {
			uint64_t first = pg & ~(uint64_t)(PAGES_PER_2M - 1);

			if (pageset_any(&rep->touched, first,
					first + PAGES_PER_2M))
				continue;
		}
		extra++;
	}
	if (missed || extra || !acc)
		print_accessed(rd);
	verdict(missed == 0 && extra == 0 && acc > 0, "round %d (step %ld): "
		"the step's %" PRIu64 " pages reported accessed (%" PRIu64
		" pages under accessed records; %" PRIu64 " touched pages "
		"missed, %" PRIu64 " untouched pages reported)", nr, step,
		pageset_count(&rep->touched), acc, missed, extra);
}

static void usage(void)
{
	fprintf(stderr, "usage: flush-check [--mode huge|normal] "
		"[--count BYTES] [--end close|set-pid] REPORT\n");
	exit(2);
}

/* open, SET_PID; -1 after a FAIL line */
static int open_target(const char *mode, pid_t pid)
{
	int fd = open(IDLE_PAGES_PATH,
		      O_RDONLY | (strcmp(mode, "huge") ? 0 : O_NONBLOCK));

	if (fd < 0 || ioctl(fd, IDLE_PAGE_SET_PID, (unsigned long)pid)) {
		verdict(false, "open and SET_PID %d: %s", (int)pid,
			strerror(errno));
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "count", required_argument, NULL, 'c' },
		{ "end", required_argument, NULL, 'e' },
		{ 0 }
	};
	const char *mode = "huge", *end = "close", *path;
	size_t count = 1024;
	struct tg_report rep;
	struct round rd = { .rep = &rep };
	uint64_t r1_first, r1_end, r2_first, r2_end, at_set_pid, s0, s1, s2;
	int opt, fd, reads1, reads2;
	bool by_close;
	long step;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'm': mode = optarg; break;
		case 'c': count = strtoul(optarg, NULL, 0); break;
		case 'e': end = optarg; break;
		default: usage();
		}
	}
	if (optind + 1 != argc || count < IDLE_PAGES_MIN_READ ||
	    (strcmp(mode, "huge") && strcmp(mode, "normal")) ||
	    (strcmp(end, "close") && strcmp(end, "set-pid")))
		usage();
	by_close = !strcmp(end, "close");
	path = argv[optind];
	if (tg_report_load(&rep, path) || find_stat_dir(rep.pid))
		return 2;
	step = report_step(path);
	rd.accessed = malloc(rep.mem_size / 4096);
	if (!rd.accessed)
		return 2;

	fd = open_target(mode, rep.pid);
	if (fd < 0)
		return 1;
	reads1 = scan_round(fd, &rd, count, &r1_first);
	if (reads1 < 0)
		return 1;
	r1_end = flushes(fd);
	judge_round(&rd, 1, step);
	verdict(r1_first == 0 && r1_end == 0, "round 1's %d reads flushed "
		"nothing before the round ended: %" PRIu64, reads1, r1_end);
	if (by_close) {
		close(fd);
	} else {
		/* The next step touches the same set again. */
		step = go_on(rep.pid, path, step);
		if (step < 0)
			return 1;
		reads2 = scan_round(fd, &rd, count, &r2_first);
		if (reads2 < 0)
			return 1;
		r2_end = flushes(fd);
		judge_round(&rd, 2, step);
		verdict(r2_first == 1 && r2_end == 1, "round 1, ended by "
			"round 2's first read (the seek back), with exactly one "
			"TLB flush: %" PRIu64 ", none in round 2's other %d "
			"reads: %" PRIu64, r2_first, reads2 - 1,
			r2_end - r2_first);
		if (ioctl(fd, IDLE_PAGE_SET_PID, (unsigned long)rep.pid))
			verdict(false, "SET_PID again: %s", strerror(errno));
		at_set_pid = flushes(fd);
		verdict(at_set_pid - r2_end == 1, "round 2, ended by SET_PID, "
			"with exactly one TLB flush: %" PRIu64,
			at_set_pid - r2_end);
		close(fd);
	}

	/* The vCPU serves the pending flush when the guest goes on. */
	s0 = served();
	step = go_on(rep.pid, path, step);
	if (step < 0)
		return 1;
	s1 = served();
	verdict(s1 > s0, "the guest's vCPU served the flush when it went on "
		"to step %ld: tlb_flush rose by %" PRIu64, step, s1 - s0);
	step = go_on(rep.pid, path, step);
	if (step < 0)
		return 1;
	s2 = served();
	verdict(s2 == s1, "a step with no round before it served no flush "
		"(step %ld): tlb_flush rose by %" PRIu64, step, s2 - s1);
	if (by_close) {
		/* the close-ended round's flush: fresh bits for this one */
		fd = open_target(mode, rep.pid);
		if (fd < 0)
			return 1;
		if (scan_round(fd, &rd, count, &r2_first) < 0)
			return 1;
		judge_round(&rd, 2, step);
		close(fd);
	}
	printf("flush-check: %s mode, reads of %zu bytes, round ended by %s; "
	       "vCPU flushes served %" PRIu64 " then %" PRIu64 "\n", mode,
	       count, end, s1 - s0, s2 - s1);
	return failures ? 1 : 0;
}
