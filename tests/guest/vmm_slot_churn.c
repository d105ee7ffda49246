// SPDX-License-Identifier: MIT
/* vmm_slot_churn.c - memslot add/delete thread for tg-launch --slot-churn. */
#include "vmm_slot_churn.h"
#include "launch_options.h"

#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

static void add_ms(struct timespec *t, unsigned ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static void *churn(void *arg)
{
	struct tg_slot_churn *c = arg;
	struct kvm_userspace_memory_region slot = {
		.slot = TG_CHURN_SLOT, .guest_phys_addr = TG_CHURN_GPA,
		.userspace_addr = (uintptr_t)c->mem,
	};
	struct timespec next;
	int present = 0;

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		add_ms(&next, c->period_ms);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
		/* memory_size 0 deletes the slot. */
		slot.memory_size = present ? 0 : TG_CHURN_SIZE;
		if (ioctl(c->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
			die(LAUNCH_EXIT_VM, "slot churn: %s memslot %u at GPA 0x%x: %s",
			    present ? "deleting" : "adding", TG_CHURN_SLOT,
			    TG_CHURN_GPA, strerror(errno));
		present = !present;
		__atomic_add_fetch(&c->changes, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

int tg_slot_churn_start(struct tg_slot_churn *c, int vm_fd,
			unsigned period_ms, char *err, size_t errlen)
{
	sigset_t all, old;
	int r;

	*c = (struct tg_slot_churn){ .vm_fd = vm_fd, .period_ms = period_ms };
	c->mem = mmap(NULL, TG_CHURN_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->mem == MAP_FAILED) {
		snprintf(err, errlen, "slot churn: mmap: %s", strerror(errno));
		return -1;
	}
	/* Populated, so the slot has host page tables for a scan to walk. */
	memset(c->mem, 0x5a, TG_CHURN_SIZE);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = pthread_create(&c->thread, NULL, churn, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		snprintf(err, errlen, "slot churn: pthread_create: %s", strerror(r));
		return -1;
	}
	return 0;
}

unsigned long tg_slot_churn_changes(const struct tg_slot_churn *c)
{
	return __atomic_load_n(&c->changes, __ATOMIC_RELAXED);
}
