/* SPDX-License-Identifier: MIT */
/*
 * abi-errors - every bad use of /proc/idle_pages gets its specific error
 * (shared/idle-pages-abi.md), and the file keeps working afterwards.
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
	EXPECT_ERR(ioctl(fd, _IO(0x1, 0x7f), 0), ENOTTY, "unknown ioctl");
	EXPECT_ERR(ioctl(fd, IDLE_PAGE_SET_FORMAT, 7ul), EINVAL,
		   "SET_FORMAT with an unknown format");
	EXPECT_ERR(ioctl(fd, IDLE_PAGE_GET_INFO, &info), EINVAL,
		   "GET_INFO with a struct too small to hold its version");
	close(fd);

	fd = open_target(getpid());
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
	return failures ? 1 : 0;
}
