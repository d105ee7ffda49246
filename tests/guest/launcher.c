// SPDX-License-Identifier: MIT
/*
 * launcher.c - tg-launch: runs the test guest (a Multiboot v1 ELF) in a
 * one-vCPU KVM VM with one memslot at GPA 0, passes its COM1 lines to
 * stdout, and on each step-done port write reports the step's pages and
 * stops itself (SIGSTOP) so a test can scan the VM while it is still.
 * Optionally it checks KVM's dirty log against each step's writes
 * (--dirty-log) and adds and deletes a second memslot while the guest
 * runs (--slot-churn).
 *
 * Exit status: the guest's exit value (0 ok, 1 integrity errors, 2 bad
 * config, 3 CPU fault), or 10 setup failed, 11 the VM failed, 12 timeout,
 * 13 the dirty log lacked pages a step wrote.
 */
#include "config.h"
#include "launch_options.h"
#include "tg_abi.h"
#include "vmm_boot.h"
#include "vmm_dirty.h"
#include "vmm_elf.h"
#include "vmm_mem.h"
#include "vmm_pio.h"
#include "vmm_report.h"
#include "vmm_slot_churn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KVM_TSS_GPA	0xfffbd000u	/* as QEMU; above --mem (at most 3G) */

struct vm {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	struct tg_guest_mem mem;
	struct tg_elf_image img;
	struct tg_config cfg;
	int cfg_ok;
	struct tg_pio pio;
	struct tg_slot_churn churn;	/* --slot-churn */
	unsigned dirty_steps;		/* --dirty-log: steps checked */
	unsigned dirty_bad_steps;	/* ... that wrote pages not logged */
};

/* --dirty-log: a step's dirty log, and the pages it wrote that the log
 * lacks. */
struct step_dirty {
	struct tg_pagelist log, missing;
};

static volatile sig_atomic_t got_verify, got_quit, got_alarm;
static struct kvm_run *volatile signal_run;

static uint8_t *read_file(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die(LAUNCH_EXIT_SETUP, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		die(LAUNCH_EXIT_SETUP, "%s is not a regular file", path);
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf)
		die(LAUNCH_EXIT_SETUP, "out of memory reading %s", path);
	*len = 0;
	while (*len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + *len, (size_t)st.st_size - *len);

		if (n <= 0)
			die(LAUNCH_EXIT_SETUP, "cannot read %s: %s", path,
			    n ? strerror(errno) : "short file");
		*len += (size_t)n;
	}
	close(fd);
	return buf;
}

/* The working area must fit in RAM; a cmdline the parser rejects is left
 * to the guest, which reports it on its serial line. */
static void check_config(struct vm *v, const struct launch_options *o)
{
	char err[160];
	uint64_t end;

	v->cfg_ok = !tg_config_parse(&v->cfg, o->cmdline, err, sizeof(err));
	if (!v->cfg_ok)
		return;
	if (o->dirty_log && v->cfg.pattern != TG_PATTERN_TOUCH)
		die(LAUNCH_EXIT_SETUP,
		    "--dirty-log checks the writes of touch steps: it needs pattern=touch");
	end = v->cfg.base +
	      ((uint64_t)tg_config_area_pages(&v->cfg) << TG_PAGE_SHIFT);
	if (end > o->mem_size)
		die(LAUNCH_EXIT_SETUP,
		    "memory too small: the working area ends at 0x%llx, --mem is 0x%llx (%llu MiB); raise --mem",
		    (unsigned long long)end, (unsigned long long)o->mem_size,
		    (unsigned long long)(o->mem_size >> 20));
}

static int open_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		die(LAUNCH_EXIT_SETUP, "/dev/kvm does not exist: KVM is not available here (load kvm-intel/kvm-amd, or enable nested virtualization)");
	if (fd < 0)
		die(LAUNCH_EXIT_SETUP, "cannot open /dev/kvm: %s", strerror(errno));
	if (ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		die(LAUNCH_EXIT_SETUP, "unexpected KVM API version");
	return fd;
}

static void create_vm(struct vm *v, const struct launch_options *o)
{
	struct kvm_userspace_memory_region slot;
	char err[256];
	size_t len;
	uint8_t *file;
	int size;

	v->kvm = open_kvm();
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	if (v->vm < 0)
		die(LAUNCH_EXIT_SETUP, "KVM_CREATE_VM: %s", strerror(errno));
	if (tg_mem_alloc(&v->mem, o->mem_size, o->backing, err, sizeof(err)))
		die(LAUNCH_EXIT_SETUP, "guest memory: %s", err);
	file = read_file(o->elf, &len);
	if (tg_elf_load(file, len, v->mem.hva, v->mem.size, &v->img, err,
			sizeof(err)))
		die(LAUNCH_EXIT_SETUP, "%s: %s", o->elf, err);
	free(file);
	if (tg_boot_write_info(v->mem.hva, v->mem.size, o->cmdline, err,
			       sizeof(err)))
		die(LAUNCH_EXIT_SETUP, "%s", err);
	slot = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = v->mem.size,
		.userspace_addr = (uintptr_t)v->mem.hva,
		.flags = o->dirty_log ? KVM_MEM_LOG_DIRTY_PAGES : 0,
	};
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		die(LAUNCH_EXIT_SETUP, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	/* Intel needs it for real mode only; set it so no KVM complains. */
	if (ioctl(v->vm, KVM_SET_TSS_ADDR, KVM_TSS_GPA) < 0)
		die(LAUNCH_EXIT_SETUP, "KVM_SET_TSS_ADDR: %s", strerror(errno));
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		die(LAUNCH_EXIT_SETUP, "KVM_CREATE_VCPU: %s", strerror(errno));
	size = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		die(LAUNCH_EXIT_SETUP, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
	v->run_size = (size_t)size;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (v->run == MAP_FAILED)
		die(LAUNCH_EXIT_SETUP, "mmap(kvm_run): %s", strerror(errno));
	if (tg_boot_setup_vcpu(v->vcpu, v->img.entry, err, sizeof(err)))
		die(LAUNCH_EXIT_SETUP, "%s", err);
}

/* Signals only set flags and kick the vCPU out of KVM_RUN. */
static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_verify = 1;
	else if (sig == SIGUSR2)
		got_quit = 1;
	else
		got_alarm = 1;
	if (signal_run)
		signal_run->immediate_exit = 1;
}

static void install_signals(struct vm *v, unsigned timeout)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);	/* no SA_RESTART: KVM_RUN returns EINTR */
	signal_run = v->run;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	if (timeout)
		alarm(timeout);
}

/*
 * Fetches (and so resets) the guest RAM slot's dirty log: the pages the
 * guest wrote since the last step, its own pages included. Every page
 * the step wrote must be there; a page missing is reported on stderr and
 * makes tg-launch exit 13 at the end.
 */
static void check_dirty_log(struct vm *v, uint32_t step, struct step_dirty *d)
{
	struct tg_pagelist written = { 0 };
	char err[256];

	if (tg_dirty_log_fetch(v->vm, 0, 0, v->mem.size >> TG_PAGE_SHIFT,
			       &d->log, err, sizeof(err)))
		die(LAUNCH_EXIT_VM, "%s", err);
	tg_pagelist_finish(&d->log);
	if (v->cfg_ok && tg_report_step_written(&v->cfg, step, &written))
		die(LAUNCH_EXIT_VM, "out of memory listing written pages");
	tg_pagelist_finish(&written);
	if (tg_pagelist_add_missing(&d->missing, &written, &d->log))
		die(LAUNCH_EXIT_VM, "out of memory listing missing pages");
	tg_pagelist_finish(&d->missing);
	tg_pagelist_free(&written);
	if (step)
		v->dirty_steps++;
	if (!d->missing.n)
		return;
	v->dirty_bad_steps++;
	fflush(stdout);
	fprintf(stderr, "tg-launch: dirty log: step %u wrote %zu page(s) that KVM's dirty log lacks: ",
		step, d->missing.n);
	tg_pagelist_print(stderr, &d->missing);
	fputc('\n', stderr);
}

/* The report of a step (0: before the VM first runs). */
static void write_report(struct vm *v, const struct launch_options *o,
			 uint32_t step, const struct step_dirty *d)
{
	struct tg_pagelist resident = { 0 };
	struct tg_report r = {
		.pid = (long)getpid(),
		.hva_base = (uintptr_t)v->mem.hva,
		.mem_size = v->mem.size,
		.backing = tg_backing_name(v->mem.backing),
		.step = step,
		.cfg = &v->cfg,
		.img = &v->img,
		.boot_info_gpa = TG_BOOT_INFO_GPA,
		.resident = &resident,
		.dirty_log = d ? &d->log : NULL,
		.dirty_missing = d ? &d->missing : NULL,
		.slot_churn = o->slot_churn_ms != 0,
		.slot_changes = tg_slot_churn_changes(&v->churn),
	};
	char err[256];

	if (!v->cfg_ok) {
		if (!step)
			return;	/* the guest will report its bad command line */
		die(LAUNCH_EXIT_VM, "guest signalled step %u, but its command line does not parse here",
		    step);
	}
	if (tg_mem_resident(&v->mem, &resident))
		die(LAUNCH_EXIT_VM, "mincore on guest memory: %s", strerror(errno));
	tg_pagelist_finish(&resident);
	if (tg_report_write(o->report, &r, err, sizeof(err)))
		die(LAUNCH_EXIT_VM, "report: %s", err);
	tg_pagelist_free(&resident);
}

/* What happens at a step-done port write (and at step 0, before the VM
 * runs): the dirty-log check and the report, before any SIGSTOP. */
static void report_step(struct vm *v, const struct launch_options *o,
			uint32_t step)
{
	struct step_dirty d = { 0 };

	if (o->dirty_log)
		check_dirty_log(v, step, &d);
	if (o->report)
		write_report(v, o, step, o->dirty_log ? &d : NULL);
	tg_pagelist_free(&d.log);
	tg_pagelist_free(&d.missing);
}

static void on_step(struct vm *v, const struct launch_options *o, uint32_t step)
{
	report_step(v, o, step);
	fflush(stdout);
	if (o->no_stop)
		return;
	if (o->stop_at_step >= 0 ? step == (uint32_t)o->stop_at_step : !!o->report)
		raise(SIGSTOP);
}

/* The guest wrote its exit value: summaries, then exit with it (13 when
 * the dirty log missed written pages, whatever the guest said). */
static void __attribute__((noreturn)) finish(struct vm *v,
					      const struct launch_options *o,
					      int guest_value)
{
	fflush(stdout);
	if (v->pio.unknown_accesses)
		fprintf(stderr, "tg-launch: note: %lu accesses to unemulated ports\n",
			v->pio.unknown_accesses);
	if (o->slot_churn_ms)
		fprintf(stderr, "tg-launch: slot churn: %lu memslot changes (one every %u ms)\n",
			tg_slot_churn_changes(&v->churn), o->slot_churn_ms);
	if (o->dirty_log && v->dirty_bad_steps) {
		fprintf(stderr, "tg-launch: dirty log FAILED: %u of %u steps wrote pages missing from KVM's dirty log (guest exit value %d)\n",
			v->dirty_bad_steps, v->dirty_steps, guest_value);
		exit(LAUNCH_EXIT_DIRTY_LOG);
	}
	if (o->dirty_log)
		fprintf(stderr, "tg-launch: dirty log ok: every page written in %u steps was logged\n",
			v->dirty_steps);
	exit(guest_value);
}

static void handle_io(struct vm *v, const struct launch_options *o)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;

	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
		uint32_t value = 0;

		switch (tg_pio_access(&v->pio, run->io.port,
				      run->io.direction == KVM_EXIT_IO_OUT,
				      data, run->io.size, &value)) {
		case TG_PIO_STEP:
			on_step(v, o, value);
			break;
		case TG_PIO_EXIT:
			finish(v, o, (int)value);
		case TG_PIO_NONE:
			break;
		}
	}
}

static void __attribute__((noreturn)) vm_failed(struct vm *v, const char *what)
{
	struct kvm_regs regs;
	unsigned long long rip = 0;

	if (!ioctl(v->vcpu, KVM_GET_REGS, &regs))
		rip = regs.rip;
	die(LAUNCH_EXIT_VM, "%s (guest EIP 0x%llx)", what, rip);
}

static void __attribute__((noreturn)) run_vm(struct vm *v, const struct launch_options *o)
{
	struct kvm_run *run = v->run;
	char what[160];

	for (;;) {
		if (got_alarm) {
			struct kvm_regs regs = { 0 };

			ioctl(v->vcpu, KVM_GET_REGS, &regs);
			die(LAUNCH_EXIT_TIMEOUT, "timeout after %u s (guest EIP 0x%llx)",
			    o->timeout, (unsigned long long)regs.rip);
		}
		if (got_verify) {
			got_verify = 0;
			tg_pio_push_input(&v->pio, 'v');
		}
		if (got_quit) {
			got_quit = 0;
			tg_pio_push_input(&v->pio, 'q');
		}
		if (ioctl(v->vcpu, KVM_RUN, 0) < 0) {
			run->immediate_exit = 0;
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die(LAUNCH_EXIT_VM, "KVM_RUN: %s", strerror(errno));
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			handle_io(v, o);
			break;
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_HLT:
			vm_failed(v, "guest halted without writing the exit port");
		case KVM_EXIT_SHUTDOWN:
			vm_failed(v, "guest shut down (triple fault)");
		case KVM_EXIT_MMIO:
			snprintf(what, sizeof(what),
				 "guest %s GPA 0x%llx, outside its %llu MiB of RAM",
				 run->mmio.is_write ? "wrote" : "read",
				 (unsigned long long)run->mmio.phys_addr,
				 (unsigned long long)(v->mem.size >> 20));
			vm_failed(v, what);
		case KVM_EXIT_FAIL_ENTRY:
			snprintf(what, sizeof(what), "VM entry failed, reason 0x%llx",
				 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			vm_failed(v, what);
		case KVM_EXIT_INTERNAL_ERROR:
			snprintf(what, sizeof(what), "KVM internal error, suberror %u",
				 run->internal.suberror);
			vm_failed(v, what);
		default:
			snprintf(what, sizeof(what), "unexpected KVM exit reason %u",
				 run->exit_reason);
			vm_failed(v, what);
		}
	}
}

int main(int argc, char **argv)
{
	static struct vm v;
	struct launch_options o;

	launch_parse_options(argc, argv, &o);
	check_config(&v, &o);
	create_vm(&v, &o);
	tg_pio_init(&v.pio, stdout);
	install_signals(&v, o.timeout);
	report_step(&v, &o, 0);
	if (o.slot_churn_ms) {
		char err[256];

		if (tg_slot_churn_start(&v.churn, v.vm, o.slot_churn_ms, err,
					sizeof(err)))
			die(LAUNCH_EXIT_SETUP, "%s", err);
	}
	run_vm(&v, &o);
}
