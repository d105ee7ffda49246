/* SPDX-License-Identifier: MIT */
/*
 * tg-placement - on which NUMA node each page of given guest-physical
 * ranges of a running VM sits, from move_pages(2) in query mode. The
 * guest RAM of the QEMU process is found as the agent finds it
 * (vmm-agent/guest_ram.c); GPA 0 is the start of its first block.
 *
 * usage: tg-placement PID GUEST_MIB NAME=GPA:PAGES...
 * prints one line per range: "NAME pages=N node0=N node1=N other=N"
 */
#include <errno.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_ram.h"

#define BATCH 1024

int main(int argc, char **argv)
{
	struct guest_ram ram;
	char err[512];
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr, "usage: tg-placement PID GUEST_MIB NAME=GPA:PAGES...\n");
		return 2;
	}
	pid = atoi(argv[1]);
	if (guest_ram_find_pid(pid, strtoull(argv[2], NULL, 0) << 20, &ram,
			       err, sizeof(err))) {
		fprintf(stderr, "tg-placement: %s\n", err);
		return 1;
	}
	for (int a = 3; a < argc; a++) {
		char name[64];
		unsigned long long gpa, pages, counts[3] = { 0 };
		void *addr[BATCH];
		int status[BATCH];

		if (sscanf(argv[a], "%63[^=]=%lli:%lli", name, &gpa, &pages) != 3) {
			fprintf(stderr, "tg-placement: bad range '%s'\n", argv[a]);
			return 2;
		}
		for (unsigned long long done = 0; done < pages; ) {
			unsigned long n = pages - done < BATCH ? pages - done : BATCH;

			for (unsigned long i = 0; i < n; i++)
				addr[i] = (void *)(uintptr_t)(ram.ranges[0].start +
					gpa + (done + i) * 4096);
			if (move_pages(pid, n, addr, NULL, status, 0)) {
				fprintf(stderr, "tg-placement: move_pages: %s\n",
					strerror(errno));
				return 1;
			}
			for (unsigned long i = 0; i < n; i++)
				counts[status[i] == 0 ? 0 : status[i] == 1 ? 1 : 2]++;
			done += n;
		}
		printf("%s pages=%llu node0=%llu node1=%llu other=%llu\n",
		       name, pages, counts[0], counts[1], counts[2]);
	}
	guest_ram_free(&ram);
	return 0;
}
