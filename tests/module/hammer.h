/* SPDX-License-Identifier: MIT */
/*
 * hammer.h - what the processes of hammer (the randomised test of
 * /proc/idle_pages) share through one MAP_SHARED mapping: the targets the
 * churn keeps starting and killing, each worker's heartbeat and last
 * call, and the counters the parent sums up at the end.
 */
#ifndef MODULE_TEST_HAMMER_H
#define MODULE_TEST_HAMMER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define HM_MAX_WORKERS	8
#define HM_TWIN		HM_MAX_WORKERS	/* worker w's twin thread: w + HM_TWIN */
#define HM_THREADS	(2 * HM_MAX_WORKERS)
#define HM_LIVE		32	/* live targets the churn announces */
#define HM_DEAD		64	/* pids of targets that exited, newest last */

/* What a live target is; announced as kind << 32 | pid in live[]. */
enum hm_live_kind {
	HL_NONE,
	HL_VM,		/* tg-launch: a KVM VM's process */
	HL_ROOT,	/* ordinary root process touching memory */
	HL_USER,	/* uid 65534, dumpable */
	HL_NODUMP,	/* uid 65534, not dumpable: others may not read it */
	HL_BIG,		/* root, large address space, killed mid-life */
	HL_EXITING,	/* killed or exited, not reaped yet */
};

/* What a worker picked as SET_PID's target; counted per kind. */
enum hm_target {
	HT_SELF, HT_PID1, HT_VM, HT_ROOT, HT_USER, HT_NODUMP, HT_BIG,
	HT_EXITING, HT_DEAD, HT_SIBLING, HT_PARENT, HT_PROCFS, HT_BOGUS,
	HT_NR
};

/* Calls, counted per outcome. */
enum hm_call {
	HC_OPEN, HC_CLOSE, HC_SET_PID, HC_LSEEK, HC_TELL, HC_READ, HC_PREAD,
	HC_GET_INFO, HC_SET_FORMAT, HC_BAD_IOCTL, HC_NR
};

/* Outcomes: success, data (a read > 0), end of file (a read of 0), errno. */
#define HO_OK		0
#define HO_DATA		1
#define HO_EOF		2
#define HO_ERRNO(e)	(3 + ((e) < 140 ? (e) : 139))
#define HO_NR		143

/* Failed checks, by kind. */
enum hm_fail {
	HF_UNDOCUMENTED,	/* an errno the interface does not document */
	HF_OVERREAD,		/* more bytes than asked, or written past count */
	HF_DECODE,		/* the record stream does not decode */
	HF_POSITION,		/* records outside [position, new position] */
	HF_WINDOW,		/* pages reported outside the read's window */
	HF_FOREIGN_PID,		/* unprivileged SET_PID of another's accepted */
	HF_UNPRIV_DATA,		/* unprivileged data for someone else's process */
	HF_NO_TARGET_DATA,	/* data with no target ever set */
	HF_BAD_READ_DATA,	/* data where the ABI says none (count, pos) */
	HF_BAD_BUFFER,		/* success into memory that can't be written */
	HF_ROOT_REFUSED,	/* CAP_SYS_ADMIN refused SET_PID */
	HF_BOGUS_PID,		/* SET_PID accepted a pid that can't exist */
	HF_FORMAT,		/* SET_FORMAT accepted an unknown format */
	HF_IOCTL,		/* an unknown ioctl not answered ENOTTY */
	HF_LSEEK,		/* lseek did not set the position asked */
	HF_INFO,		/* GET_INFO wrote past the caller's size */
	HF_OPEN,		/* open refused where it must work */
	HF_CLOSE,		/* close failed */
	HF_NR
};

struct hm_stats {
	uint64_t calls[HC_NR][HO_NR];
	uint64_t fails[HF_NR];
	uint64_t set_pid_ok[HT_NR];
	uint64_t set_pid_refused[HT_NR];	/* EACCES / EPERM */
	uint64_t set_pid_other[HT_NR];		/* ESRCH and the rest */
	uint64_t read_data[HT_NR];		/* reads with data, by target */
	uint64_t data_bytes;
	uint64_t pages_decoded;
	uint64_t foreign_accepted;	/* unprivileged SET_PID of another's */
	uint64_t unpriv_own_data;	/* unprivileged data, own process */
	uint64_t unpriv_same_user_data;	/* of another process of its user */
	uint64_t unpriv_uncertain_data;	/* target changed while checked */
	uint64_t truncated_pid_ok;	/* SET_PID of a 64-bit value accepted */
	uint64_t fails_printed;
};

struct hm_churn_stats {
	uint64_t vms_started, vms_with_vm_fd, vms_exited_early;
	uint64_t procs_started[HL_EXITING];
	uint64_t zombies_targetable;	/* reaped only after a pause */
};

struct hm_shared {
	_Atomic uint64_t live[HM_LIVE];
	_Atomic int dead[HM_DEAD];
	_Atomic unsigned int dead_next;
	_Atomic int worker_pid[HM_MAX_WORKERS];
	_Atomic int parent_pid;
	_Atomic uint64_t heartbeat[HM_THREADS];
	char last_call[HM_THREADS][200];	/* racy: diagnostics only */
	struct hm_stats stats[HM_THREADS];
	struct hm_churn_stats churn;
};

static inline uint64_t hm_live_pack(enum hm_live_kind kind, pid_t pid)
{
	return (uint64_t)kind << 32 | (uint32_t)pid;
}

/* splitmix64: the PRNG; a seed replays a worker's sequence of choices. */
static inline uint64_t hm_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static inline uint64_t hm_below(uint64_t *state, uint64_t n)
{
	return hm_rand(state) % n;
}

/* Monotonic milliseconds. */
uint64_t hm_now_ms(void);

/* hammer_churn.c: starts and kills the targets while the workers run. */
struct hm_churn_opts {
	const char *launcher;	/* tg-launch, or NULL: no VMs */
	const char *guest;	/* guest.elf */
	const char *log_dir;	/* tg-launch output, or NULL */
	unsigned int vms;	/* VMs alive at a time */
	unsigned int procs;	/* ordinary processes alive at a time */
};
void hm_churn_init(struct hm_shared *sh, const struct hm_churn_opts *o,
		   uint64_t seed);
void hm_churn_tick(void);
void hm_churn_stop(void);

#endif
