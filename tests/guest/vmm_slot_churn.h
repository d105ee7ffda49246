/* SPDX-License-Identifier: MIT */
/*
 * vmm_slot_churn.h - tg-launch --slot-churn: a thread that adds a second
 * memslot and deletes it again, one change per period, while the vCPU
 * runs, so memslot changes race with whatever scans the VM.
 */
#ifndef TG_VMM_SLOT_CHURN_H
#define TG_VMM_SLOT_CHURN_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define TG_CHURN_SLOT	1
#define TG_CHURN_GPA	0xc0000000u	/* 3 GiB: above --mem, below 4G */
#define TG_CHURN_SIZE	(2u << 20)

struct tg_slot_churn {
	int vm_fd;
	unsigned period_ms;
	void *mem;			/* the slot's own anonymous memory */
	pthread_t thread;
	unsigned long changes;		/* atomic: slot adds + deletes */
};

/* Maps and fills the slot's memory and starts the thread (which blocks
 * every signal, so they reach the vCPU thread). 0, or -1 with err. An
 * ioctl failure in the thread ends tg-launch with LAUNCH_EXIT_VM. */
int tg_slot_churn_start(struct tg_slot_churn *c, int vm_fd,
			unsigned period_ms, char *err, size_t errlen);

/* Memslot changes made so far. */
unsigned long tg_slot_churn_changes(const struct tg_slot_churn *c);

#endif /* TG_VMM_SLOT_CHURN_H */
