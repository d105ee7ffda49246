/* SPDX-License-Identifier: MIT */
/*
 * setuid-target - the setuid-root image of access-check's exec race: a
 * distinctive mapping at a fixed address that no other image has, so
 * any present page reported there came from this image.
 *
 * usage: setuid-target ADDR PAGES READY-FD
 *   Maps PAGES 4 KiB pages at ADDR (hex), writes every one, then writes
 *   its effective uid (an unsigned int) to READY-FD and waits for a
 *   signal. Built static: it runs from a tmpfs copy with no loader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long addr, pages;
	unsigned int euid = geteuid();
	void *p;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: setuid-target ADDR PAGES READY-FD\n");
		return 2;
	}
	addr = strtoul(argv[1], NULL, 16);
	pages = strtoul(argv[2], NULL, 0);
	fd = atoi(argv[3]);
	p = mmap((void *)addr, pages * 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (void *)addr) {
		perror("setuid-target: mmap at the fixed address");
		return 1;
	}
	memset(p, 0x5e, pages * 4096);
	if (write(fd, &euid, sizeof(euid)) != sizeof(euid))
		return 1;
	for (;;)
		pause();
}
