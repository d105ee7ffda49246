/* SPDX-License-Identifier: MIT */
/*
 * window-read - one read whose window ends below the target's memory
 * (tg-launch --report or touch-proc), to check that a read scans
 * nothing past count * 8 pages from its position: it must report
 * nothing past its window and leave the position no further than the
 * target's start, so every accessed bit there stays set (a full scan
 * afterwards, scan-check, sees them all). In VM mode nothing in the
 * window is guest memory, so the read must also move the position to
 * the next memslot, the target's start, and say so with a SET_HVA as its
 * last record.
 *
 * usage: window-read [--count BYTES] REPORT
 * Reads at the start of the highest VMA whose read window ends at or
 * below the target's memory. Prints "PASS: ..." / "FAIL: ..." lines and
 * exits non-zero if one failed.
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
#include "ip_reader.h"
#include "maps.h"
#include "report.h"
#include "verdict.h"

struct past {
	uint64_t window_end;
	uint64_t pages, first;		/* non-hole pages past the window */
	uint64_t accessed_in_target;	/* of which accessed target pages */
	const struct tg_report *rep;
};

static int on_range(void *arg, const struct ip_range *r)
{
	struct past *p = arg;
	uint64_t end = r->hva + r->npages * 4096;
	uint64_t base = p->rep->hva_base, top = base + p->rep->mem_size;

	/* A hole, or a SET_HVA jump over unmapped space, scans nothing. */
	if (ip_type_state(r->type) == IP_ST_HOLE || end <= p->window_end)
		return 0;
	for (uint64_t hva = r->hva > p->window_end ? r->hva : p->window_end;
	     hva < end; hva += 4096) {
		if (!p->pages++)
			p->first = hva;
		if (ip_type_state(r->type) == IP_ST_ACCESSED &&
		    hva >= base && hva < top)
			p->accessed_in_target++;
	}
	return 0;
}

/* Start of the last record in @buf, which holds @n bytes of records. */
static size_t last_record(const uint8_t *buf, size_t n)
{
	size_t i = 0, last = 0;

	while (i < n) {
		last = i;
		i += buf[i] == PIP_SET_HVA_BYTE ? PIP_SET_HVA_LEN : 1;
	}
	return last;
}

static void usage(void)
{
	fprintf(stderr, "usage: window-read [--count BYTES] REPORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ 0 }
	};
	size_t count = 4096, nvma;
	struct tg_report rep;
	struct past p = { .rep = &rep };
	struct idle_pages_info info = { .size = sizeof(info) };
	const struct vma *below = NULL;
	struct vma *vmas;
	struct ip_decoder d;
	uint64_t pos, next;
	uint8_t *buf;
	ssize_t n;
	int opt, fd;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'c')
			usage();
		count = strtoul(optarg, NULL, 0);
	}
	if (optind + 1 != argc || count < IDLE_PAGES_MIN_READ)
		usage();
	if (tg_report_load(&rep, argv[optind]))
		return 2;
	buf = malloc(count);
	vmas = maps_load(rep.pid, &nvma);
	if (!buf || !vmas)
		return 2;
	for (size_t i = 0; i < nvma; i++)
		if (vmas[i].start + WINDOW_BYTES(count) <= rep.hva_base)
			below = &vmas[i];
	if (!below) {
		verdict(false, "a VMA whose %zu-byte read window ends below "
			"the target's memory at %#" PRIx64, count, rep.hva_base);
		return 1;
	}
	pos = below->start;
	p.window_end = pos + WINDOW_BYTES(count);

	fd = open(IDLE_PAGES_PATH, O_RDONLY);
	if (fd < 0 || ioctl(fd, IDLE_PAGE_SET_PID, (unsigned long)rep.pid) ||
	    lseek(fd, (off_t)pos, SEEK_SET) < 0) {
		verdict(false, "open, SET_PID %d and lseek: %s", rep.pid,
			strerror(errno));
		return 1;
	}
	n = read(fd, buf, count);
	if (n <= 0) {
		verdict(false, "read of %zu bytes at %#" PRIx64 ": %s", count,
			pos, n ? strerror(errno) : "end of file");
		return 1;
	}
	next = (uint64_t)lseek(fd, 0, SEEK_CUR);
	if (ioctl(fd, IDLE_PAGE_GET_INFO, &info))
		info.backend = IDLE_PAGES_BACKEND_NONE;
	close(fd);
	ip_decoder_init(&d, pos, 0);
	if (ip_decode(&d, buf, (size_t)n, on_range, &p) ||
	    ip_decode_finish(&d, on_range, &p)) {
		verdict(false, "records: %s", d.msg);
		return 1;
	}

	printf("window-read: pid %d (%s), one read of %zu bytes at %#" PRIx64
	       " %s, window up to %#" PRIx64 ": %zd bytes of records, position "
	       "now %#" PRIx64 "; target memory at %#" PRIx64 "\n", rep.pid,
	       ip_backend_name(info.backend), count, pos, below->name,
	       p.window_end, n, next, rep.hva_base);
	verdict(p.pages == 0, "a read reports nothing past its window: %"
		PRIu64 " page(s) past it (first %#" PRIx64 "), %" PRIu64
		" of them accessed pages of the target", p.pages, p.first,
		p.accessed_in_target);
	verdict(next <= rep.hva_base, "the position moved no further than "
		"the target's start (%#" PRIx64 " <= %#" PRIx64 ")", next,
		rep.hva_base);
	if (info.backend == IDLE_PAGES_BACKEND_NPT ||
	    info.backend == IDLE_PAGES_BACKEND_EPT) {
		size_t last = last_record(buf, (size_t)n);
		uint64_t to = 0;

		if (buf[last] == PIP_SET_HVA_BYTE && last + PIP_SET_HVA_LEN
		    <= (size_t)n)
			for (int i = 1; i < PIP_SET_HVA_LEN; i++)
				to = to << 8 | buf[last + i];
		/* tg-launch has one memslot: guest memory. */
		verdict(next == rep.hva_base && buf[last] == PIP_SET_HVA_BYTE &&
			to == next, "nothing mapped in the window: the position "
			"moved to the next memslot (%#" PRIx64 ", want %#" PRIx64
			") and the last record says so (%s %#" PRIx64 ")", next,
			rep.hva_base, buf[last] == PIP_SET_HVA_BYTE ? "SET_HVA" :
			ip_type_name(PIP_TYPE(buf[last])), to);
	}
	return failures ? 1 : 0;
}
