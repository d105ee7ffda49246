/* SPDX-License-Identifier: MIT */
/*
 * clock.h - the clock of every figure: CLOCK_MONOTONIC, read around work
 * of the one thread that runs the agent's pipeline, which never sleeps
 * there (the fakes don't), so what it measures is that thread's CPU time
 * plus whatever preempted it; the best of several tries leaves little
 * of the latter. Not the thread's CPU clock: on this VM it was seen to
 * count a sixth of the time of the same work now and then (10 against
 * 64 ns a page of move_pages, the monotonic clock steady), and the best
 * of several tries would pick exactly those; it also costs 1.4 us a
 * reading here, against 26 ns. It is read once an interval, for
 * comparison.
 */
#ifndef AGENT_SCALE_CLOCK_H
#define AGENT_SCALE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_read(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t run_ns(void)
{
	return clock_read(CLOCK_MONOTONIC);
}

static inline uint64_t thread_cpu_ns(void)
{
	return clock_read(CLOCK_THREAD_CPUTIME_ID);
}

#endif /* AGENT_SCALE_CLOCK_H */
