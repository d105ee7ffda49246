/* SPDX-License-Identifier: MIT */
/*
 * report.h - reads the key=value report that tg-launch (and touch-proc)
 * write at each step: where the target's memory is, and exactly which
 * of its pages the step touched and wrote.
 */
#ifndef MODULE_TEST_REPORT_H
#define MODULE_TEST_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* A set of page numbers, as sorted half-open ranges. */
struct pageset {
	struct { uint64_t first, end; } *r;
	unsigned int nr;
};

bool pageset_has(const struct pageset *s, uint64_t pg);
/* Does the set hold any page of [first, end)? */
bool pageset_any(const struct pageset *s, uint64_t first, uint64_t end);
uint64_t pageset_count(const struct pageset *s);
/* How many pages of [first, end) the set holds (its ranges are disjoint). */
uint64_t pageset_count_in(const struct pageset *s, uint64_t first,
			  uint64_t end);

struct tg_report {
	pid_t pid;
	uint64_t hva_base, mem_size;
	bool backing_4k;		/* every page 4 KiB-mapped (backing=4k) */
	struct pageset workload;	/* workload pages the step touched */
	struct pageset touched;		/* those plus the accounted ones */
	struct pageset written;		/* pages the step wrote */
	struct pageset accounted;	/* code, stack, boot info */
	struct pageset untouched;	/* mapped earlier, not touched now */
};

/* 0, or -1 after printing what is wrong with the file. */
int tg_report_load(struct tg_report *rep, const char *path);

#endif
