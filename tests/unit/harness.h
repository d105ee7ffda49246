/* SPDX-License-Identifier: MIT */
/*
 * harness.h - the tiny test harness of the unit tests: each CHECK is one
 * assertion; each TEST one test that passes when all its checks do. The
 * binary ends with "N passed, N failed" and exits non-zero on a failure.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdio.h>
#include <string.h>

static int th_passed, th_failed, th_cur_failed;
static const char *th_cur;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s: check failed: %s\n",	\
			__FILE__, __LINE__, th_cur, #cond);		\
		th_cur_failed = 1;					\
	}								\
} while (0)

#define CHECK_EQ_U64(a, b) do {						\
	unsigned long long _a = (a), _b = (b);				\
	if (_a != _b) {							\
		fprintf(stderr, "%s:%d: %s: %s == %llu, want %s == %llu\n",\
			__FILE__, __LINE__, th_cur, #a, _a, #b, _b);	\
		th_cur_failed = 1;					\
	}								\
} while (0)

#define CHECK_EQ_STR(a, b) do {						\
	const char *_a = (a), *_b = (b);				\
	if (strcmp(_a, _b)) {						\
		fprintf(stderr, "%s:%d: %s: %s == \"%s\", want \"%s\"\n",\
			__FILE__, __LINE__, th_cur, #a, _a, _b);	\
		th_cur_failed = 1;					\
	}								\
} while (0)

#define RUN_TEST(fn) do {						\
	th_cur = #fn;							\
	th_cur_failed = 0;						\
	fn();								\
	if (th_cur_failed) {						\
		th_failed++;						\
		printf("FAIL %s\n", #fn);				\
	} else {							\
		th_passed++;						\
		printf("PASS %s\n", #fn);				\
	}								\
} while (0)

#define TEST_SUMMARY()							\
	(printf("%d passed, %d failed\n", th_passed, th_failed),	\
	 th_failed ? 1 : 0)

#endif /* HARNESS_H */
