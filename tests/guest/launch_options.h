/* SPDX-License-Identifier: MIT */
/* launch_options.h - tg-launch's command line, and how it fails. */
#ifndef TG_LAUNCH_OPTIONS_H
#define TG_LAUNCH_OPTIONS_H

#include <stdint.h>
#include "vmm_mem.h"

/* Exit statuses of tg-launch's own (the guest's are 0-3, see tg_abi.h). */
#define LAUNCH_EXIT_SETUP	10	/* bad options, no /dev/kvm, bad ELF, ... */
#define LAUNCH_EXIT_VM		11	/* the VM failed: triple fault, bad exit */
#define LAUNCH_EXIT_TIMEOUT	12
#define LAUNCH_EXIT_DIRTY_LOG	13	/* --dirty-log missed written pages */

struct launch_options {
	uint64_t mem_size;
	enum tg_backing backing;
	const char *report;
	long stop_at_step;	/* -1: every step (with --report) */
	int no_stop;
	unsigned timeout;
	int dirty_log;		/* log and check the guest RAM slot's writes */
	unsigned slot_churn_ms;	/* add/delete a second memslot; 0 = off */
	const char *elf;
	char *cmdline;
};

/* Parses argv (exits on bad options); cmdline = the words after the ELF. */
void launch_parse_options(int argc, char **argv, struct launch_options *o);

/* Prints "tg-launch: ..." to stderr and exits with status. */
void die(int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

#endif /* TG_LAUNCH_OPTIONS_H */
