/* SPDX-License-Identifier: MIT */
/*
 * hammer_churn.c - the targets of hammer's workers come and go: test
 * guests under tg-launch (a couple at a time, SIGKILLed after a few
 * seconds) and short-lived ordinary processes (root's, uid 65534's with
 * and without dumpable, a large one killed mid-life, ones that exit at
 * once). Each is announced in the shared live[] table while it runs,
 * stays there as HL_EXITING while it dies and as a zombie for a moment
 * (reaped only after a pause, so workers can aim at it), then its pid
 * goes to dead[]. Runs in hammer's parent, ticked every few ms.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hammer.h"

enum slot_state { SL_EMPTY, SL_RUNNING, SL_ZOMBIE };

struct slot {
	enum slot_state state;
	enum hm_live_kind kind;
	pid_t pid;
	bool killed;
	uint64_t kill_at, reap_at, next_start;
};

static struct hm_shared *sh;
static struct hm_churn_opts opts;
static uint64_t rng;
static struct slot slots[HM_LIVE];
static unsigned int nslots;

static bool is_vm_slot(unsigned int i)
{
	return i < opts.vms;
}

/* Does @pid hold an open KVM VM file, i.e. did tg-launch get that far? */
static bool has_vm_fd(pid_t pid)
{
	char dir[64], path[400], link[64];
	struct dirent *e;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = 0;
			found = !strcmp(link, "anon_inode:kvm-vm");
		}
	}
	closedir(d);
	return found;
}

static void start_vm(struct slot *s, unsigned int i)
{
	static const char *const mems[] = { "32M", "48M", "64M" };
	static const char *const backings[] = { "4k", "thp", "memfd" };
	char hot[32], cold[32], seed[32], log[300];
	const char *mem = mems[hm_below(&rng, 3)];
	const char *backing = backings[hm_below(&rng, 3)];
	pid_t pid;

	snprintf(hot, sizeof(hot), "hot=%u", 64 + (unsigned)hm_below(&rng, 960));
	snprintf(cold, sizeof(cold), "cold=%u", 64 + (unsigned)hm_below(&rng, 960));
	snprintf(seed, sizeof(seed), "seed=%u", (unsigned)hm_rand(&rng));
	if (opts.log_dir)
		snprintf(log, sizeof(log), "%s/vm%u.log", opts.log_dir, i);
	else
		snprintf(log, sizeof(log), "/dev/null");
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(opts.launcher, "tg-launch", "--mem", mem, "--backing",
		      backing, "--no-stop", "--timeout", "60", opts.guest,
		      "pattern=uniform", hot, cold, "passes=0", "write=30",
		      seed, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return;
	s->pid = pid;
	s->kind = HL_VM;
	s->state = SL_RUNNING;
	s->killed = false;
	s->kill_at = hm_now_ms() + 1000 + hm_below(&rng, 11000);
	sh->churn.vms_started++;
	atomic_store(&sh->live[i], hm_live_pack(HL_VM, pid));
}

/* An ordinary process: maps @mib MiB, writes it, touches it until @ms. */
static _Noreturn void proc_body(enum hm_live_kind kind, unsigned int mib,
				uint64_t ms, uint64_t seed)
{
	size_t len = (size_t)mib << 20;
	uint64_t end = hm_now_ms() + ms;
	volatile char *p;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (kind == HL_USER || kind == HL_NODUMP) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(3);
		/* a uid change made it non-dumpable; a user's process is not */
		if (kind == HL_USER && prctl(PR_SET_DUMPABLE, 1))
			_exit(4);
		/* the uid change cleared it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	}
	if (!ms)
		_exit(0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(5);
	if (seed & 1)
		madvise((void *)p, len, MADV_HUGEPAGE);
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 1;
	while (hm_now_ms() < end) {
		p[hm_below(&seed, len / 4096) * 4096]++;
		usleep(1000);
	}
	_exit(0);
}

static void start_proc(struct slot *s, unsigned int i)
{
	static const enum hm_live_kind kinds[] = {
		HL_ROOT, HL_ROOT, HL_USER, HL_USER, HL_NODUMP, HL_BIG,
	};
	enum hm_live_kind kind = kinds[hm_below(&rng, 6)];
	unsigned int mib = 1 + (unsigned)hm_below(&rng, 8);
	uint64_t ms = 10 + hm_below(&rng, 3000), seed = hm_rand(&rng);
	pid_t pid;

	if (kind == HL_BIG) {
		mib = 48;
		ms = 20000;	/* the parent kills it first */
	} else if (hm_below(&rng, 8) == 0) {
		ms = 0;		/* exits at once */
	}
	pid = fork();
	if (pid == 0)
		proc_body(kind, mib, ms, seed);
	if (pid < 0)
		return;
	s->pid = pid;
	s->kind = kind;
	s->state = SL_RUNNING;
	s->killed = false;
	s->kill_at = kind == HL_BIG ? hm_now_ms() + 200 + hm_below(&rng, 3000) : 0;
	sh->churn.procs_started[kind]++;
	atomic_store(&sh->live[i], hm_live_pack(kind, pid));
}

static void push_dead(pid_t pid)
{
	unsigned int n = atomic_fetch_add(&sh->dead_next, 1);

	atomic_store(&sh->dead[n % HM_DEAD], pid);
}

static void tick_slot(struct slot *s, unsigned int i, uint64_t now)
{
	siginfo_t si;

	switch (s->state) {
	case SL_EMPTY:
		if (now < s->next_start)
			break;
		if (is_vm_slot(i))
			start_vm(s, i);
		else
			start_proc(s, i);
		break;
	case SL_RUNNING:
		memset(&si, 0, sizeof(si));
		/* exited? keep it a zombie for a moment (WNOWAIT) */
		if (!waitid(P_PID, s->pid, &si, WEXITED | WNOHANG | WNOWAIT) &&
		    si.si_pid == s->pid) {
			if (s->kind == HL_VM && !s->killed)
				sh->churn.vms_exited_early++;
			s->state = SL_ZOMBIE;
			s->reap_at = now + hm_below(&rng, 600);
			sh->churn.zombies_targetable++;
			atomic_store(&sh->live[i], hm_live_pack(HL_EXITING, s->pid));
			break;
		}
		if (s->kill_at && now >= s->kill_at && !s->killed) {
			if (s->kind == HL_VM && has_vm_fd(s->pid))
				sh->churn.vms_with_vm_fd++;
			kill(s->pid, SIGKILL);
			s->killed = true;
			atomic_store(&sh->live[i], hm_live_pack(HL_EXITING, s->pid));
		}
		break;
	case SL_ZOMBIE:
		if (now < s->reap_at)
			break;
		waitpid(s->pid, NULL, 0);
		atomic_store(&sh->live[i], 0);
		push_dead(s->pid);
		s->state = SL_EMPTY;
		s->next_start = now + hm_below(&rng, is_vm_slot(i) ? 500 : 400);
		break;
	}
}

void hm_churn_init(struct hm_shared *shared, const struct hm_churn_opts *o,
		   uint64_t seed)
{
	sh = shared;
	opts = *o;
	if (!opts.launcher || !opts.guest)
		opts.vms = 0;
	rng = seed;
	nslots = opts.vms + opts.procs;
	if (nslots > HM_LIVE)
		nslots = HM_LIVE;
	for (unsigned int i = 0; i < nslots; i++)
		slots[i].next_start = hm_now_ms() + hm_below(&rng, 300);
}

void hm_churn_tick(void)
{
	uint64_t now = hm_now_ms();

	for (unsigned int i = 0; i < nslots; i++)
		tick_slot(&slots[i], i, now);
}

/* Kills every target still alive and reaps them all. */
void hm_churn_stop(void)
{
	for (unsigned int i = 0; i < nslots; i++) {
		struct slot *s = &slots[i];

		if (s->state == SL_EMPTY)
			continue;
		kill(s->pid, SIGKILL);
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
		atomic_store(&sh->live[i], 0);
		push_dead(s->pid);
		s->state = SL_EMPTY;
	}
}
