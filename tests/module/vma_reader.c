/* SPDX-License-Identifier: MIT */
/*
 * vma-reader - reads a target through /proc/idle_pages the way tools
 * written for the original interface do, and checks what it found
 * against what the target touched (tg-launch --report or touch-proc).
 *
 * On one open file, for each VMA of /proc/PID/maps in address order: lseek
 * to its start, read COUNT bytes at a time until the position passes the
 * VMA's end, and keep only the records inside that VMA. A read scans at
 * most COUNT * 8 pages from the position, so a read at a VMA below the
 * target's memory must not scan (and clear) any of it unless its window
 * reaches that far; if it did, the pages that VMA's reader dropped are
 * lost to the reader of the target's VMA. Recall and precision of the
 * accessed pages in the target's memory must both be at least --min.
 *
 * usage: vma-reader [--count BYTES] [--min FRACTION] REPORT
 * Prints "PASS: ..." / "FAIL: ..." lines; exits non-zero if one failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ip_decode.h"
#include "maps.h"
#include "report.h"
#include "verdict.h"

struct walk {
	const struct tg_report *rep;
	uint64_t keep_start, keep_end;	/* the VMA being read */
	uint8_t *accessed;		/* per page of the target's memory */
	uint64_t dropped;		/* accessed target pages outside it */
};

static int on_range(void *arg, const struct ip_range *r)
{
	struct walk *w = arg;
	uint64_t base = w->rep->hva_base, end = base + w->rep->mem_size;

	if (ip_type_state(r->type) != IP_ST_ACCESSED)
		return 0;
	for (uint64_t i = 0; i < r->npages; i++) {
		uint64_t hva = r->hva + i * 4096;

		if (hva < base || hva >= end)
			continue;
		/* What a VMA-at-a-time tool does with records past the VMA. */
		if (hva < w->keep_start || hva >= w->keep_end) {
			w->dropped++;
			continue;
		}
		w->accessed[(hva - base) / 4096] = 1;
	}
	return 0;
}

/* Reads one VMA; 0, or -1 after a FAIL line. */
static int read_vma(int fd, const struct vma *v, uint8_t *buf, size_t count,
		    struct walk *w, unsigned int *reads)
{
	uint64_t pos = v->start;

	w->keep_start = v->start;
	w->keep_end = v->end;
	if (lseek(fd, (off_t)pos, SEEK_SET) < 0) {
		verdict(false, "lseek to %#" PRIx64 ": %s", pos, strerror(errno));
		return -1;
	}
	while (pos < v->end) {
		struct ip_decoder d;
		ssize_t n = read(fd, buf, count);
		off_t next;

		if (n < 0) {
			verdict(false, "read at %#" PRIx64 ": %s", pos,
				strerror(errno));
			return -1;
		}
		if (n == 0)
			break;		/* end of user space */
		(*reads)++;
		ip_decoder_init(&d, pos, 0);
		if (ip_decode(&d, buf, (size_t)n, on_range, w) ||
		    ip_decode_finish(&d, on_range, w)) {
			verdict(false, "records read at %#" PRIx64 ": %s", pos,
				d.msg);
			return -1;
		}
		next = lseek(fd, 0, SEEK_CUR);
		if (next < 0 || (uint64_t)next <= pos) {
			verdict(false, "read at %#" PRIx64 " left the position "
				"at %#llx", pos, (unsigned long long)next);
			return -1;
		}
		pos = (uint64_t)next;
	}
	return 0;
}

/* The first up to 8 pages (GPA page numbers) where @want differs. */
static void list_pages(const struct walk *w, int want_touched, char *out,
		       size_t len)
{
	uint64_t npages = w->rep->mem_size / 4096, shown = 0;
	size_t used = 0;

	out[0] = 0;
	for (uint64_t pg = 0; pg < npages && shown < 8 && used < len; pg++) {
		int t = pageset_has(&w->rep->touched, pg);

		if (t == want_touched && t != w->accessed[pg]) {
			used += snprintf(out + used, len - used, " %#" PRIx64, pg);
			shown++;
		}
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: vma-reader [--count BYTES] [--min FRACTION] "
		"REPORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "min", required_argument, NULL, 'm' },
		{ 0 }
	};
	size_t count = 4096, nvma;
	double min = 0.99;
	struct tg_report rep;
	struct walk w = { .rep = &rep };
	unsigned int reads = 0;
	uint64_t npages, touched = 0, found = 0, reported = 0;
	char missed[160], extra[160];
	struct vma *vmas;
	uint8_t *buf;
	int opt, fd;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': count = strtoul(optarg, NULL, 0); break;
		case 'm': min = strtod(optarg, NULL); break;
		default: usage();
		}
	}
	if (optind + 1 != argc || count < IDLE_PAGES_MIN_READ)
		usage();
	if (tg_report_load(&rep, argv[optind]))
		return 2;
	npages = rep.mem_size / 4096;
	w.accessed = calloc(npages, 1);
	buf = malloc(count);
	vmas = maps_load(rep.pid, &nvma);
	if (!w.accessed || !buf || !vmas)
		return 2;

	/* One file for the whole walk, as such tools keep it. */
	fd = open(IDLE_PAGES_PATH, O_RDONLY);
	if (fd < 0 || ioctl(fd, IDLE_PAGE_SET_PID, (unsigned long)rep.pid)) {
		verdict(false, "open and SET_PID %d: %s", rep.pid,
			strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < nvma; i++) {
		const struct vma *v = &vmas[i];

		/* [vsyscall] lies above user space: not a file position. */
		if (v->start >= IP_USER_END_4LEVEL)
			continue;
		/* A window from below that reaches the target is not a bug. */
		if (v->end <= rep.hva_base &&
		    v->start + WINDOW_BYTES(count) > rep.hva_base)
			printf("note: the window of a read at %#" PRIx64 " %s "
			       "reaches the target's memory at %#" PRIx64 "\n",
			       v->start, v->name, rep.hva_base);
		if (read_vma(fd, v, buf, count, &w, &reads))
			return 1;
	}
	close(fd);

	for (uint64_t pg = 0; pg < npages; pg++) {
		int t = pageset_has(&rep.touched, pg);

		touched += t;
		reported += w.accessed[pg];
		found += t && w.accessed[pg];
	}
	double recall = touched ? (double)found / touched : 0;
	double precision = reported ? (double)found / reported : 0;

	printf("vma-reader: pid %d, %zu VMAs, %u reads of %zu bytes; target "
	       "memory %#" PRIx64 "+%#" PRIx64 ": %" PRIu64 " pages reported "
	       "accessed, %" PRIu64 " touched, %" PRIu64 " both; %" PRIu64
	       " accessed target pages dropped as outside the VMA read\n",
	       rep.pid, nvma, reads, count, rep.hva_base, rep.mem_size,
	       reported, touched, found, w.dropped);
	list_pages(&w, 1, missed, sizeof(missed));
	list_pages(&w, 0, extra, sizeof(extra));
	verdict(recall >= min, "VMA by VMA, recall %.3f (%" PRIu64 " of %"
		PRIu64 " touched pages reported accessed)%s%s", recall, found,
		touched, *missed ? "; first missed:" : "", missed);
	verdict(precision >= min, "VMA by VMA, precision %.3f (%" PRIu64
		" of %" PRIu64 " pages reported accessed were touched)%s%s",
		precision, found, reported, *extra ? "; first extra:" : "",
		extra);
	return failures ? 1 : 0;
}
