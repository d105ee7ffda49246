/* SPDX-License-Identifier: MIT */
/*
 * abi-errors - every bad use of /proc/idle_pages gets its specific error
 * (include/idle_pages.md), and the file keeps working afterwards.
 * Run as root in the lab with the module loaded. Prints PASS:/FAIL:.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idle_pages.h"
#include "verdict.h"

/* A call's outcome as "ok" or the errno name, for messages. */
static const char *outcome(long ret)
{
	return ret >= 0 ? "success" : strerror(errno);
}

static int open_target(pid_t pid)
{
	int fd = open(IDLE_PAGES_PATH, O_RDONLY);

	if (fd < 0) {
		verdict(false, "open %s: %s", IDLE_PAGES_PATH, strerror(errno));
		exit(1);
	}
	if (pid && ioctl(fd, IDLE_PAGE_SET_PID, (unsigned long)pid)) {
		verdict(false, "SET_PID %d: %s", pid, strerror(errno));
		exit(1);
	}
	return fd;
}

#define EXPECT_ERR(call, err, what) do {				\
	long r_ = (call);						\
	verdict(r_ == -1 && errno == (err), "%s: want %s, got %s",	\
		what, strerror(err), outcome(r_));			\
} while (0)

/* An unprivileged caller: its own process yes, root's processes no. */
static void check_unprivileged(void)
{
	pid_t child = fork();
	int status;

	if (child == 0) {
		uint8_t buf[64];
		int fd;

		/*
		 * Changing uids makes a process non-dumpable, which hides
		 * even its own /proc/PID/pagemap; a user's ordinary process
		 * is dumpable.
		 */
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534) ||
		    prctl(PR_SET_DUMPABLE, 1))
			_exit(3);
		fd = open(IDLE_PAGES_PATH, O_RDONLY);
		if (fd < 0)
			_exit(4);
		if (ioctl(fd, IDLE_PAGE_SET_PID, (unsigned long)1) != -1 ||
		    (errno != EACCES && errno != EPERM))
			_exit(5);
		if (read(fd, buf, sizeof(buf)) != -1)
			_exit(6);	/* no target, no data */
		if (ioctl(fd, IDLE_PAGE_SET_PID, (unsigned long)getpid()))
			_exit(7);
		if (lseek(fd, (off_t)(uintptr_t)buf & ~4095l, SEEK_SET) < 0 ||
		    read(fd, buf, sizeof(buf)) <= 0)
			_exit(8);
		_exit(0);
	}
	waitpid(child, &status, 0);
	verdict(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"unprivileged caller: EACCES for pid 1, scans itself "
		"(child status %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* A target that exits after SET_PID: the read says ESRCH, no data. */
static void check_exited_target(void)
{
	uint8_t buf[64];
	pid_t child = fork();
	int fd;

	if (child == 0) {
		pause();
		_exit(0);
	}
	fd = open_target(child);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	EXPECT_ERR(read(fd, buf, sizeof(buf)), ESRCH,
		   "read after the target exited");
	close(fd);
}

/*
 * Pages of [base, base + npages) reported accessed by one read of
 * @count bytes at @base into @buf, or -1 if the read failed.
 */
static long accessed_in(int fd, uintptr_t base, unsigned long npages,
			uint8_t *buf, size_t count)
{
	uint64_t hva = 0;
	long n, acc = 0;

	lseek(fd, (off_t)base, SEEK_SET);
	n = read(fd, buf, count);
	if (n < 0)
		return -1;
	for (long i = 0; i < n; i++) {
		unsigned int type = PIP_TYPE(buf[i]), nr = PIP_NR(buf[i]);

		if (buf[i] == PIP_SET_HVA_BYTE && i + PIP_SET_HVA_LEN <= n) {
			hva = 0;
			for (int k = 1; k < PIP_SET_HVA_LEN; k++)
				hva = hva << 8 | buf[i + k];
			i += PIP_SET_HVA_LEN - 1;
			continue;
		}
		for (unsigned int k = 0; k < nr; k++, hva += 4096)
			if ((type == PTE_ACCESSED || type == PTE_DIRTY) &&
			    hva >= base && hva < base + npages * 4096)
				acc++;
		if (type != PTE_ACCESSED && type != PTE_DIRTY &&
		    type != PTE_IDLE && type != PTE_HOLE)
			hva += (uint64_t)nr * 4096 * 511;	/* 2 MiB units */
	}
	return acc;
}

/*
 * Drops this process's translations of [p, p + len): the next access of
 * each page walks the page table and sets its accessed bit. The module
 * clears a process's accessed bits without a TLB flush (as the kernel's
 * own aging: a stale entry only delays the next bit), and a CPU that
 * hits its TLB sets none. QEMU's TLB in the lab keeps far more entries
 * than a real CPU's: 40 runs in a row, without this, lost the touched
 * pages (0 of 4096) in 14 on 6.1, 10 on 6.12 and 13 on 7.3.4.
 */
static void drop_tlb(void *p, size_t len)
{
	mprotect(p, len, PROT_READ);
	mprotect(p, len, PROT_READ | PROT_WRITE);
}

/*
 * A read into a buffer that is only partly writable fails with EFAULT
 * before it clears anything: the accessed pages it would have reported
 * are still there for the next read. Every other page is accessed, so
 * the records take a byte a page, more than the writable part holds.
 */
static void check_bad_buffer(void)
{
	const unsigned long npages = 8192;
	size_t len = npages * 4096;
	uint8_t *mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *buf = mmap(NULL, 2 * 4096 + npages, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *good = malloc(2 * npages);
	int fd = open_target(getpid());
	long before, after, r;

	if (mem == MAP_FAILED || buf == MAP_FAILED || !good) {
		verdict(false, "bad buffer: setup failed");
		exit(1);
	}
	madvise(mem, len, MADV_NOHUGEPAGE);
	memset(mem, 1, len);
	/* Every page's accessed bit set by a page walk of its own. */
	drop_tlb(mem, len);
	for (unsigned long i = 0; i < npages; i++)
		(void)((volatile uint8_t *)mem)[i * 4096];
	/* First read ages every page; then every other page is touched. */
	before = accessed_in(fd, (uintptr_t)mem, npages, good, 2 * npages);
	drop_tlb(mem, len);
	for (unsigned long i = 0; i < npages; i += 2)
		mem[i * 4096] = 2;
	/* 4 KiB writable, then a page that is not. */
	mprotect(buf + 4096, 4096, PROT_NONE);
	lseek(fd, (off_t)(uintptr_t)mem, SEEK_SET);
	r = read(fd, buf, 2 * 4096);
	after = accessed_in(fd, (uintptr_t)mem, npages, good, 2 * npages);
	verdict(before == (long)npages,
		"bad buffer: the first read saw every page accessed (%ld)",
		before);
	verdict(after == (long)npages / 2,
		"a read into a half-writable buffer (returned %ld, %s) loses no "
		"accessed page: the next read reports %ld of the %lu touched",
		r, r < 0 ? strerror(errno) : "no error", after, npages / 2);
	close(fd);
	munmap(mem, len);
	munmap(buf, 2 * 4096 + npages);
	free(good);
}

int main(void)
{
	struct idle_pages_info info = { .size = 4 };
	uint8_t buf[4096];
	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t hva = (uintptr_t)page;
	int fd;

	memset(page, 1, 4096);
	fd = open_target(0);
	EXPECT_ERR(ioctl(fd, IDLE_PAGE_SET_PID, (unsigned long)0x3ffffff0),
		   ESRCH, "SET_PID of a pid that does not exist");
	EXPECT_ERR(read(fd, buf, sizeof(buf)), ESRCH,
		   "read before any SET_PID");
	EXPECT_ERR(ioctl(fd, IDLE_PAGE_SET_PID,
			 1ul << 32 | (unsigned long)getpid()), ESRCH,
		   "SET_PID of a value wider than a pid (its low bits a pid)");
	EXPECT_ERR(ioctl(fd, _IO(0x1, 0x7f), 0), ENOTTY, "unknown ioctl");
	EXPECT_ERR(ioctl(fd, IDLE_PAGE_SET_FORMAT, 7ul), EINVAL,
		   "SET_FORMAT with an unknown format");
	EXPECT_ERR(ioctl(fd, IDLE_PAGE_GET_INFO, &info), EINVAL,
		   "GET_INFO with a struct too small to hold its version");
	close(fd);

	fd = open_target(getpid());
	{
		/* version 1's struct, before tlb_flushes: its own number */
		struct info_v1 {
			uint32_t size, version, w[8];
			int32_t pid;
			uint32_t reserved;
			uint64_t q[3];
		} old = { .size = sizeof(old) };
		_Static_assert(sizeof(old) == 72, "version 1's struct");
		int r = ioctl(fd, _IOWR(0x1, 0x2, struct info_v1), &old);

		verdict(r == 0 && old.version == IDLE_PAGES_INFO_VERSION &&
			old.pid == getpid() && old.size == sizeof(info),
			"GET_INFO from a caller built with the shorter version 1 "
			"struct (%zu bytes): %s, version %u, pid %d, size %u",
			sizeof(old), r ? strerror(errno) : "ok", old.version,
			old.pid, old.size);
	}
	lseek(fd, (off_t)hva + 123, SEEK_SET);
	EXPECT_ERR(read(fd, buf, sizeof(buf)), EINVAL,
		   "read at an unaligned position");
	lseek(fd, (off_t)hva, SEEK_SET);
	EXPECT_ERR(read(fd, buf, IDLE_PAGES_MIN_READ - 1), EINVAL,
		   "read of fewer than 19 bytes");
	lseek(fd, (off_t)1 << 56, SEEK_SET);
	{
		long r = read(fd, buf, sizeof(buf));

		verdict(r == 0, "read past the end of user space returns 0 "
			"(got %ld)", r);
	}
	lseek(fd, (off_t)hva, SEEK_SET);
	{
		long r = read(fd, buf, IDLE_PAGES_MIN_READ);
		off_t pos = lseek(fd, 0, SEEK_CUR);

		verdict(r > PIP_SET_HVA_LEN && buf[0] == PIP_SET_HVA_BYTE &&
			pos > (off_t)hva,
			"the file still works after the errors (read %ld, "
			"position advanced by %lld)", r,
			(long long)(pos - (off_t)hva));
	}
	close(fd);

	check_unprivileged();
	check_exited_target();
	check_bad_buffer();
	return failures ? 1 : 0;
}
