/* SPDX-License-Identifier: MIT */
/*
 * test_agent_rand.h - a tiny seeded xorshift64 generator for the agent's
 * randomized tests: the same seed gives the same cases on every run.
 */
#ifndef TEST_AGENT_RAND_H
#define TEST_AGENT_RAND_H

#include <stdint.h>

static inline uint64_t xorshift64(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

#endif /* TEST_AGENT_RAND_H */
