/* SPDX-License-Identifier: MIT */
/*
 * hold-open - keeps /proc/idle_pages open with a target set across a
 * module unload: opens it, sets PID, reads once, prints "ready", waits
 * for SIGUSR1, then reads again and prints what that read returned.
 * usage: hold-open PID
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "idle_pages.h"

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

int main(int argc, char **argv)
{
	unsigned char buf[4096];
	sigset_t block, old;
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: hold-open PID\n");
		return 2;
	}
	signal(SIGUSR1, on_usr1);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	fd = open(IDLE_PAGES_PATH, O_RDONLY);
	if (fd < 0 || ioctl(fd, IDLE_PAGE_SET_PID, strtoul(argv[1], NULL, 0))) {
		printf("hold-open: setup failed: %s\n", strerror(errno));
		return 1;
	}
	n = read(fd, buf, sizeof(buf));
	printf("first read: %zd\nready\n", n);
	fflush(stdout);
	while (!go)
		sigsuspend(&old);
	n = read(fd, buf, sizeof(buf));
	printf("read after unload: %zd (%s)\n", n,
	       n < 0 ? strerror(errno) : "data");
	printf("close: %d\n", close(fd));
	return 0;
}
