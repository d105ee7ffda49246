/* SPDX-License-Identifier: MIT */
/*
 * hugetlb-check - process mode skips hugetlb VMAs: their shared PMD
 * tables are unshared and freed under the hugetlb VMA lock, which the
 * module can't take, so the mmap lock it holds would not keep them. A
 * read over a touched hugetlb mapping must report nothing there (the
 * range comes as unmapped space) and go on past it. Needs huge pages
 * reserved (vm.nr_hugepages). Prints PASS:/FAIL: lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "idle_pages.h"
#include "ip_decode.h"
#include "verdict.h"

#define HUGE_LEN	(4ul << 20)

struct seen {
	uint64_t start, end;	/* the hugetlb mapping */
	uint64_t present;	/* pages of it reported other than holes */
};

static int on_range(void *arg, const struct ip_range *r)
{
	struct seen *s = arg;
	uint64_t lo = r->hva, hi = r->hva + r->npages * IP_PAGE_SIZE;

	if (r->type == PTE_HOLE || r->type == PMD_HOLE || r->type == PIP_CMD)
		return 0;
	if (lo < s->start)
		lo = s->start;
	if (hi > s->end)
		hi = s->end;
	if (lo < hi)
		s->present += (hi - lo) / IP_PAGE_SIZE;
	return 0;
}

int main(void)
{
	uint8_t *huge = mmap(NULL, HUGE_LEN, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	struct seen s;
	struct ip_decoder d;
	uint8_t buf[4096];
	off_t pos;
	ssize_t n;
	int fd;

	if (huge == MAP_FAILED) {
		verdict(false, "a hugetlb mapping: %s (vm.nr_hugepages?)",
			strerror(errno));
		return 1;
	}
	memset(huge, 1, HUGE_LEN);
	s = (struct seen){ (uintptr_t)huge, (uintptr_t)huge + HUGE_LEN, 0 };
	fd = open(IDLE_PAGES_PATH, O_RDONLY);
	if (fd < 0 || ioctl(fd, IDLE_PAGE_SET_PID, (unsigned long)getpid())) {
		verdict(false, "open and SET_PID of itself: %s", strerror(errno));
		return 1;
	}
	lseek(fd, (off_t)s.start, SEEK_SET);
	n = read(fd, buf, sizeof(buf));
	pos = lseek(fd, 0, SEEK_CUR);
	ip_decoder_init(&d, s.start, 0);
	verdict(n > 0 && !ip_decode(&d, buf, (size_t)n, on_range, &s) &&
		!ip_decode_finish(&d, on_range, &s),
		"a read at the hugetlb mapping returns a valid stream "
		"(%zd bytes)", n);
	verdict(s.present == 0,
		"the touched hugetlb mapping is skipped: %llu of its %lu pages "
		"reported present", (unsigned long long)s.present,
		HUGE_LEN / 4096);
	verdict(pos >= (off_t)s.end,
		"the read went on past it (position +%lld KiB)",
		(long long)(pos - (off_t)s.start) / 1024);
	close(fd);
	munmap(huge, HUGE_LEN);
	return failures ? 1 : 0;
}
