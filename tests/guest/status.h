/* SPDX-License-Identifier: MIT */
/*
 * status.h - the guest's counters and what it tells the host: integrity
 * errors, stats lines, verify passes and the final "TG done" + exit port.
 */
#ifndef TG_STATUS_H
#define TG_STATUS_H

#include <stdint.h>
#include "config.h"
#include "integrity.h"

struct tg_status {
	uint64_t reads;
	uint64_t writes;
	uint64_t passes;
	uint32_t errors;	/* bad pages found, each fault counted once */
	uint32_t first_bad;	/* GPA of the first bad word */
	uint32_t lines;		/* "TG bad" lines printed (capped) */
};

extern struct tg_status tg_st;

/* Counts an access error and prints its first few as "TG bad ...". */
void tg_note_bad(const struct tg_bad *bad);

/* Checks every page the guest owns; prints "TG verify ok|FAIL ...". */
void tg_verify_owned(struct tg_area *area, const struct tg_config *cfg);

/* "TG stats t=.. [phase=..] pass=.. reads=.. writes=.. errors=.." */
void tg_print_stats(uint32_t t, uint32_t phase);

/* Prints "TG done ..." three times, writes the exit port, halts. */
void tg_done(void) __attribute__((noreturn));

/* Writes v to the exit port and halts for good. */
void tg_exit(uint32_t v) __attribute__((noreturn));

#endif /* TG_STATUS_H */
