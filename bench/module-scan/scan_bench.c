/* SPDX-License-Identifier: MIT */
/*
 * scan-bench - benchmark 2's measuring program, run inside the lab's L1
 * (bench/module-scan/module-scan.sh):
 *
 *   scan-bench scan PID MODE ROUNDS WAIT_S LABEL [pause]
 *       ROUNDS full scans of the VM owned by PID through /proc/idle_pages
 *       (open, SET_PID, read from HVA 0 to the end, close), WAIT_S
 *       seconds apart; MODE normal, skim or huge. Per round: wall and CPU
 *       time (this thread, kernel time included: the scan runs in read),
 *       pages scanned and accessed, page sizes seen, and the module's
 *       longest mmu_lock hold (struct idle_pages_info). With "pause" the
 *       VM's process is stopped (SIGSTOP) for each scan and continued
 *       after it: on the lab's 2 host cores a running guest vCPU would
 *       take host time from the scan that a real host's spare core gives.
 *   scan-bench floor BYTES ROUNDS LABEL
 *       the floor: a sequential read of BYTES bytes (the page-table bytes
 *       a scan reads) from an already faulted-in buffer, ROUNDS times.
 *
 * Each command prints one JSON object (one line) to stdout and a line per
 * round to stderr.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "idle_pages.h"
#include "read_floor.h"

#define READ_BYTES	(4u << 20)	/* per read(2): 32 Mi pages of budget */
#define MAX_ROUNDS	100

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct round {
	double wall, cpu, close_wall;
	struct idle_pages_info info;
	unsigned long long bytes;
};

static int mode_flags(const char *mode)
{
	if (!strcmp(mode, "normal"))
		return 0;
	if (!strcmp(mode, "skim"))
		return IDLE_PAGES_SKIM_FLAG;
	if (!strcmp(mode, "huge"))
		return IDLE_PAGES_HUGE_ONLY_FLAG;
	return -1;
}

/* One scan round; 0, or -1 with the reason printed. */
static int scan_round(pid_t pid, int flags, char *buf, struct round *r)
{
	double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
	int fd = open(IDLE_PAGES_PATH, O_RDONLY | flags);
	ssize_t n;

	memset(r, 0, sizeof(*r));
	if (fd < 0) {
		fprintf(stderr, "scan-bench: open %s: %s\n", IDLE_PAGES_PATH,
			strerror(errno));
		return -1;
	}
	if (ioctl(fd, IDLE_PAGE_SET_PID, (unsigned long)pid)) {
		fprintf(stderr, "scan-bench: IDLE_PAGE_SET_PID %d: %s\n", pid,
			strerror(errno));
		close(fd);
		return -1;
	}
	while ((n = read(fd, buf, READ_BYTES)) > 0)
		r->bytes += n;
	if (n < 0) {
		fprintf(stderr, "scan-bench: read: %s\n", strerror(errno));
		close(fd);
		return -1;
	}
	r->wall = now(CLOCK_MONOTONIC) - w0;
	r->cpu = now(CLOCK_THREAD_CPUTIME_ID) - c0;
	r->info.size = sizeof(r->info);
	if (ioctl(fd, IDLE_PAGE_GET_INFO, &r->info)) {
		fprintf(stderr, "scan-bench: IDLE_PAGE_GET_INFO: %s\n",
			strerror(errno));
		close(fd);
		return -1;
	}
	w0 = now(CLOCK_MONOTONIC);
	close(fd);	/* the round's TLB flush */
	r->close_wall = now(CLOCK_MONOTONIC) - w0;
	return 0;
}

/* Waits until @pid is stopped (state T in /proc/PID/stat). */
static int wait_stopped(pid_t pid)
{
	char path[64], buf[256], *p;
	struct timespec ts = { 0, 1000000 };

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (int i = 0; i < 10000; i++) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

		if (f)
			fclose(f);
		buf[n] = '\0';
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'T')
			return 0;
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "scan-bench: process %d did not stop within 10 s\n", pid);
	return -1;
}

static int cmd_scan(pid_t pid, const char *mode, int rounds, double wait,
		    const char *label, bool pause)
{
	struct round r[MAX_ROUNDS];
	int flags = mode_flags(mode);
	char *buf = malloc(READ_BYTES);

	if (flags < 0) {
		fprintf(stderr, "scan-bench: mode must be normal, skim or huge, not '%s'\n",
			mode);
		return 2;
	}
	if (!buf)
		return 1;
	for (int i = 0; i < rounds; i++) {
		struct timespec ts = { (time_t)wait,
				       (long)((wait - (time_t)wait) * 1e9) };

		int err;

		if (i)
			nanosleep(&ts, NULL);
		if (pause && (kill(pid, SIGSTOP) || wait_stopped(pid)))
			return 1;
		err = scan_round(pid, flags, buf, &r[i]);
		if (pause)
			kill(pid, SIGCONT);
		if (err)
			return 1;
		fprintf(stderr, "scan-bench: %s round %d: %.4f s wall, %.4f s CPU, %llu pages scanned, %llu accessed, longest lock hold %.1f us, close %.4f s\n",
			label, i, r[i].wall, r[i].cpu,
			(unsigned long long)r[i].info.pages_scanned,
			(unsigned long long)r[i].info.pages_accessed,
			r[i].info.max_lock_hold_ns / 1e3, r[i].close_wall);
	}
	printf("{\"kind\": \"scan\", \"label\": \"%s\", \"mode\": \"%s\", \"wait_s\": %.3f, \"guest_paused\": %s, \"rounds\": [",
	       label, mode, wait, pause ? "true" : "false");
	for (int i = 0; i < rounds; i++)
		printf("%s{\"wall_s\": %.6f, \"cpu_s\": %.6f, \"close_s\": %.6f, \"stream_bytes\": %llu, \"pages_scanned\": %llu, \"pages_accessed\": %llu, \"page_sizes_seen\": %u, \"max_lock_hold_ns\": %llu, \"nr_roots\": %u, \"nr_memslots\": %u, \"backend\": %u}",
		       i ? ", " : "", r[i].wall, r[i].cpu, r[i].close_wall,
		       r[i].bytes,
		       (unsigned long long)r[i].info.pages_scanned,
		       (unsigned long long)r[i].info.pages_accessed,
		       r[i].info.page_sizes_seen,
		       (unsigned long long)r[i].info.max_lock_hold_ns,
		       r[i].info.nr_roots, r[i].info.nr_memslots,
		       r[i].info.backend);
	printf("]}\n");
	free(buf);
	return 0;
}

/* Keeps the floor's reads from being optimised away. */
static volatile uint64_t sink;

static int cmd_floor(unsigned long long bytes, int rounds, const char *label)
{
	uint64_t *buf = malloc(bytes);
	double wall[MAX_ROUNDS], cpu[MAX_ROUNDS];

	if (!buf) {
		fprintf(stderr, "scan-bench: cannot allocate %llu bytes\n",
			bytes);
		return 1;
	}
	/* Faulted in and not all zero, as page tables are. */
	for (size_t i = 0; i < bytes / 8; i++)
		buf[i] = i * 0x1000 + 0x867;
	for (int i = 0; i < rounds; i++) {
		double w0 = now(CLOCK_MONOTONIC);
		double c0 = now(CLOCK_THREAD_CPUTIME_ID);

		sink = read_floor(buf, bytes / 8);
		cpu[i] = now(CLOCK_THREAD_CPUTIME_ID) - c0;
		wall[i] = now(CLOCK_MONOTONIC) - w0;
		fprintf(stderr, "scan-bench: %s round %d: %llu bytes read in %.4f s wall, %.4f s CPU\n",
			label, i, bytes, wall[i], cpu[i]);
	}
	printf("{\"kind\": \"floor\", \"label\": \"%s\", \"bytes\": %llu, \"rounds\": [",
	       label, bytes);
	for (int i = 0; i < rounds; i++)
		printf("%s{\"wall_s\": %.6f, \"cpu_s\": %.6f}", i ? ", " : "",
		       wall[i], cpu[i]);
	printf("]}\n");
	free(buf);
	return 0;
}

static int parse_rounds(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 1 || v > MAX_ROUNDS) {
		fprintf(stderr, "scan-bench: ROUNDS must be 1..%d, not '%s'\n",
			MAX_ROUNDS, s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	int rounds;

	if ((argc == 7 || argc == 8) && !strcmp(argv[1], "scan")) {
		char *end;
		long pid = strtol(argv[2], &end, 10);
		double wait = strtod(argv[5], NULL);

		if (end == argv[2] || *end || pid <= 0) {
			fprintf(stderr, "scan-bench: PID must be a process id, not '%s'\n",
				argv[2]);
			return 2;
		}
		if (parse_rounds(argv[4], &rounds))
			return 2;
		if (!(wait >= 0 && wait <= 600)) {
			fprintf(stderr, "scan-bench: WAIT_S must be 0..600, not '%s'\n",
				argv[5]);
			return 2;
		}
		if (argc == 8 && strcmp(argv[7], "pause")) {
			fprintf(stderr, "scan-bench: the last argument may only be 'pause', not '%s'\n",
				argv[7]);
			return 2;
		}
		return cmd_scan((pid_t)pid, argv[3], rounds, wait, argv[6],
				argc == 8);
	}
	if (argc == 5 && !strcmp(argv[1], "floor")) {
		char *end;
		unsigned long long bytes = strtoull(argv[2], &end, 0);

		if (end == argv[2] || *end || bytes < 4096 || bytes > (1ull << 34)) {
			fprintf(stderr, "scan-bench: BYTES must be 4096..16G, not '%s'\n",
				argv[2]);
			return 2;
		}
		if (parse_rounds(argv[3], &rounds))
			return 2;
		return cmd_floor(bytes, rounds, argv[4]);
	}
	fprintf(stderr, "usage: scan-bench scan PID normal|skim|huge ROUNDS WAIT_S LABEL [pause]\n"
			"       scan-bench floor BYTES ROUNDS LABEL\n");
	return 2;
}
