/* SPDX-License-Identifier: MIT */
/*
 * touch-proc - an ordinary process whose page accesses a test knows
 * exactly, for the module's native (process page table) mode.
 *
 * usage: touch-proc REPORT PAGES TOUCH-LIST
 *   Maps PAGES 4 KiB pages (MADV_NOHUGEPAGE), leaves every 8th page
 *   unmapped (a hole) and writes the rest: step 1. Then touches the pages
 *   of TOUCH-LIST ("a-b,c,..."; even pages read, odd pages written): step
 *   2. After each step it writes REPORT (tg-launch's format) and stops
 *   itself (SIGSTOP) so the test can scan it; `kill -CONT` goes on. It
 *   exits after step 2.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096ul

static volatile uint8_t *mem;
static unsigned long npages;

/* Writes the page list of @set (a byte per page) as "a-b,c". */
static void write_set(FILE *f, const char *key, const uint8_t *set)
{
	const char *sep = "";

	fprintf(f, "%s=", key);
	for (unsigned long i = 0; i < npages; i++) {
		unsigned long j = i;

		if (!set[i])
			continue;
		while (j + 1 < npages && set[j + 1])
			j++;
		if (j > i)
			fprintf(f, "%s%lu-%lu", sep, i, j);
		else
			fprintf(f, "%s%lu", sep, i);
		sep = ",";
		i = j;
	}
	fprintf(f, "\n");
}

static void report(const char *path, int step, const uint8_t *touched,
		   const uint8_t *written)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		perror(tmp);
		exit(1);
	}
	fprintf(f, "pid=%d\nhva_base=%#lx\nmem_size=%lu\nstep=%d\n",
		getpid(), (unsigned long)mem, npages * PAGE, step);
	write_set(f, "workload_pages", touched);
	write_set(f, "touched_pages", touched);
	write_set(f, "written_pages", written);
	fprintf(f, "accounted_pages=\n");
	fclose(f);
	if (rename(tmp, path)) {
		perror(path);
		exit(1);
	}
	raise(SIGSTOP);
}

int main(int argc, char **argv)
{
	uint8_t *touched, *written;
	char *p, *end;

	if (argc != 4) {
		fprintf(stderr, "usage: touch-proc REPORT PAGES TOUCH-LIST\n");
		return 2;
	}
	npages = strtoul(argv[2], &end, 0);
	if (*end || !npages) {
		fprintf(stderr, "touch-proc: bad page count '%s'\n", argv[2]);
		return 2;
	}
	mem = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	madvise((void *)mem, npages * PAGE, MADV_NOHUGEPAGE);
	touched = calloc(npages, 1);
	written = calloc(npages, 1);
	for (unsigned long i = 0; i < npages; i++) {
		if (i % 8 == 7)
			continue;
		mem[i * PAGE] = (uint8_t)i;
		touched[i] = written[i] = 1;
	}
	report(argv[1], 1, touched, written);

	memset(touched, 0, npages);
	memset(written, 0, npages);
	for (p = argv[3]; *p; p = *end ? end + 1 : end) {
		unsigned long a = strtoul(p, &end, 0), b = a;

		if (*end == '-')
			b = strtoul(end + 1, &end, 0);
		if (b >= npages || b < a || (*end && *end != ',')) {
			fprintf(stderr, "touch-proc: bad touch list '%s'\n",
				argv[3]);
			return 2;
		}
		for (unsigned long i = a; i <= b; i++) {
			if (i % 2)
				mem[i * PAGE + 1] = 1;
			else
				(void)mem[i * PAGE + 1];
			touched[i] = 1;
			written[i] = i % 2;
		}
	}
	report(argv[1], 2, touched, written);
	return 0;
}
