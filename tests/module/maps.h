/* SPDX-License-Identifier: MIT */
/*
 * maps.h - a process's VMAs as /proc/PID/maps lists them, for the tests
 * that read /proc/idle_pages VMA by VMA, as tools written for the
 * original interface do.
 */
#ifndef MODULE_TEST_MAPS_H
#define MODULE_TEST_MAPS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "idle_pages.h"

struct vma {
	uint64_t start, end;
	char name[64];		/* path or [heap] etc.; "" if anonymous */
};

/* The VMAs of @pid in address order; NULL after printing why not. */
struct vma *maps_load(pid_t pid, size_t *nr);

/* The read window of @count bytes: count * 8 pages. */
#define WINDOW_BYTES(count) ((uint64_t)(count) * IDLE_PAGES_PAGES_PER_BYTE * 4096)

#endif
