/* SPDX-License-Identifier: MIT */
/*
 * heap_count.h - counts the process's heap: this program's malloc family
 * wraps glibc's (ELF interposition) and adds up malloc_usable_size() of
 * what is live, with the peak since the last reset, so that a transient
 * peak inside the agent's planner is seen too. Single-threaded use.
 */
#ifndef AGENT_SCALE_HEAP_COUNT_H
#define AGENT_SCALE_HEAP_COUNT_H

#include <stdint.h>

int64_t heap_live(void);	/* bytes */
int64_t heap_peak(void);	/* bytes, since heap_peak_reset() */
void heap_peak_reset(void);

/* Called at every allocation, if set. */
extern void (*heap_alloc_hook)(void);

#endif /* AGENT_SCALE_HEAP_COUNT_H */
