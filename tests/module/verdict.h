/* SPDX-License-Identifier: MIT */
/*
 * verdict.h - the check lines of the lab's module test programs: each
 * verdict() prints "PASS: ..." or "FAIL: ..." (what the lab runner
 * counts) and counts the failures for the exit status.
 */
#ifndef MODULE_TEST_VERDICT_H
#define MODULE_TEST_VERDICT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int failures;

static void verdict(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void verdict(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		failures++;
}

#endif
