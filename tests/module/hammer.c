/* SPDX-License-Identifier: MIT */
/*
 * hammer - a randomised test of /proc/idle_pages from outside: for a
 * bounded time, worker processes (some root, some uid 65534) each open the
 * file with random mode flags and throw every call at it with random
 * arguments (SET_PID of VMs, ordinary, exiting, dead and bogus pids;
 * lseek/pread to random positions; reads of random counts into good and
 * bad buffers; GET_INFO, SET_FORMAT and unknown ioctls), while the parent
 * keeps starting and killing test guests and short-lived processes
 * (hammer_churn.c). Every result is classified: data, or an error the
 * interface documents (include/idle_pages.md). A read of more bytes than
 * asked, a record stream that does not start with SET_HVA or decode, pages
 * reported outside the read's window (position + count * 8 pages) or past
 * the new position, an undocumented errno, or data for an unprivileged
 * caller about another user's process is a FAIL, printed with the call,
 * its arguments and the file's recent history. Ends with counts per call
 * and outcome and the PASS:/FAIL: lines the lab counts. Run as root with
 * the module loaded.
 *
 * usage: hammer [--seconds N] [--workers N] [--unprivileged N] [--seed S]
 *               [--launcher TG-LAUNCH --guest GUEST.ELF] [--vms N]
 *               [--procs N] [--log-dir DIR] [--no-twins]
 * Each worker has a twin thread that calls pread, GET_INFO and SET_FORMAT
 * on the worker's open files at the same time and now and then maps and
 * unmaps memory of its own (--no-twins: none).
 * The seed is printed; the same seed replays each worker's choices (the
 * targets' pids and timing differ from run to run).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hammer.h"
#include "idle_pages.h"
#include "ip_decode.h"

#define PAGE		4096ul
#define BIG_BUF		(4ul << 20)	/* the largest read count */
#define SLOTS		3		/* files a worker keeps open at once */
#define HIST		12		/* calls remembered per file */
#define MAX_PRINTED	25		/* FAIL lines a worker prints */
#define MAX_PRINTED_KIND 4		/* of them, of one kind */
#define MAX_MAPS	64
#define HANG_MS		30000		/* a call this long counts as hung */

/* Is SET_PID's target permitted to an unprivileged worker? */
enum tclass { TC_NONE, TC_PERMITTED, TC_FOREIGN, TC_UNCERTAIN };

struct range { uint64_t start, end; };

/*
 * One open file of a worker and what the worker knows about it. The
 * worker's twin thread calls pread, GET_INFO and SET_FORMAT on the same
 * files at the same time, through a view of its own (real points to the
 * worker's slot): the atomics are what it reads of the worker's.
 */
struct fslot {
	int fd;
	int flags;
	struct fslot *real;	/* the twin's view: the worker's slot */
	_Atomic bool ever_target;	/* a SET_PID succeeded on this file */
	_Atomic bool in_flight;		/* a SET_PID is running */
	_Atomic int tclass;	/* enum tclass of the last SET_PID that worked */
	_Atomic pid_t target;	/* and its pid */
	enum hm_target tkind;
	uint64_t pos;
	bool pos_known;
	struct range maps[MAX_MAPS];
	unsigned int nmaps;
	char hist[HIST][200];
	unsigned int nhist;
};

static struct hm_shared *sh;
/* per thread: a worker and its twin count and draw apart */
static _Thread_local struct hm_stats *st;
static _Thread_local int wid;
static _Thread_local uint64_t rng;
static bool unpriv;
static uid_t my_uid;
static uint64_t seed0, deadline;
/* open and close (worker) against calls (twin); maps updates */
static pthread_rwlock_t slot_lock[SLOTS];
static long pid_max = 4194304;
static uint64_t user_end = 1ull << 47;	/* 1 << 56 with 5-level paging */
static struct fslot slots[SLOTS];
static _Thread_local uint8_t *big, *none_page, *ro_page;	/* buffers */
static pid_t procfs_pids[1024];
static unsigned int nprocfs;

uint64_t hm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t below(uint64_t n)
{
	return hm_below(&rng, n);
}

static const char *errname(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

/* The errors the interface documents; anything else is a FAIL. */
static bool documented(int e)
{
	switch (e) {
	case ESRCH: case EACCES: case EPERM: case EINVAL: case EFAULT:
	case ENOTTY: case EOPNOTSUPP: case EINTR: case ENOMEM: case EIO:
		return true;
	}
	return false;
}

/* One line written at once, so the workers' lines don't interleave. */
__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	char line[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	if (write(1, line, n) < 0)
		_exit(2);
}

/* Starts a history entry for the call about to be made on @s. */
__attribute__((format(printf, 2, 3)))
static void hist(struct fslot *s, const char *fmt, ...)
{
	char *h = s->hist[s->nhist++ % HIST];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h, sizeof(s->hist[0]), fmt, ap);
	va_end(ap);
	memcpy(sh->last_call[wid], h, sizeof(sh->last_call[0]));
	sh->last_call[wid][sizeof(sh->last_call[0]) - 1] = 0;
	atomic_store(&sh->heartbeat[wid], hm_now_ms());
}

/* Completes the entry with the call's result. */
static void hist_result(struct fslot *s, long ret, int err)
{
	char *h = s->hist[(s->nhist - 1) % HIST];
	size_t len = strlen(h);

	if (ret < 0)
		snprintf(h + len, sizeof(s->hist[0]) - len, " = -1 %s",
			 errname(err));
	else
		snprintf(h + len, sizeof(s->hist[0]) - len, " = %ld", ret);
}

/* Counts a call's outcome; an undocumented errno is a FAIL by itself. */
static void tally(enum hm_call c, long ret, int err)
{
	unsigned int o = ret < 0 ? HO_ERRNO(err) : ret > 0 && (c == HC_READ ||
			c == HC_PREAD) ? HO_DATA : ret == 0 && (c == HC_READ ||
			c == HC_PREAD) ? HO_EOF : HO_OK;

	st->calls[c][o]++;
}

__attribute__((format(printf, 3, 4)))
static void fail(struct fslot *s, enum hm_fail kind, const char *fmt, ...)
{
	char msg[8192], what[600];
	va_list ap;
	int n;

	/* a few of each kind, so one noisy kind does not hide the others */
	if (++st->fails[kind] > MAX_PRINTED_KIND ||
	    st->fails_printed >= MAX_PRINTED)
		return;
	st->fails_printed++;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	n = snprintf(msg, sizeof(msg),
		     "FAIL: worker %d%s (uid %d, seed %llu): %s\n", wid % HM_TWIN,
		     wid >= HM_TWIN ? "'s twin" : "", my_uid,
		     (unsigned long long)seed0, what);
	if (s) {
		unsigned int first = s->nhist > HIST ? s->nhist - HIST : 0;

		n += snprintf(msg + n, sizeof(msg) - n,
			      "    fd %d (open flags 0x%x), last calls, oldest first:\n",
			      s->fd, s->flags);
		for (unsigned int i = first; i < s->nhist && n < (int)sizeof(msg); i++)
			n += snprintf(msg + n, sizeof(msg) - n, "      %s\n",
				      s->hist[i % HIST]);
	}
	say("%s", msg);
}

/* An errno from a call: a FAIL unless the interface documents it. */
static void check_errno(struct fslot *s, const char *call, int err)
{
	if (!documented(err))
		fail(s, HF_UNDOCUMENTED, "%s: undocumented errno %d %s (%s)",
		     call, err, errname(err), strerror(err));
}

/* ---- targets ---- */

static void refresh_procfs(void)
{
	struct dirent *e;
	DIR *d = opendir("/proc");

	nprocfs = 0;
	if (!d)
		return;
	while ((e = readdir(d)) && nprocfs < 1024) {
		long pid = strtol(e->d_name, NULL, 10);

		if (pid > 0)
			procfs_pids[nprocfs++] = (pid_t)pid;
	}
	closedir(d);
}

/* A live target of the churn's @kind, or 0 if none runs now. */
static pid_t pick_live(enum hm_live_kind kind)
{
	unsigned int start = (unsigned int)below(HM_LIVE);

	for (unsigned int i = 0; i < HM_LIVE; i++) {
		uint64_t v = atomic_load(&sh->live[(start + i) % HM_LIVE]);

		if (v && (enum hm_live_kind)(v >> 32) == kind)
			return (pid_t)(uint32_t)v;
	}
	return 0;
}

struct target {
	unsigned long arg;	/* what SET_PID is given */
	pid_t pid;		/* what it means as a pid_t */
	enum hm_target kind;
};

static struct target bogus_target(void)
{
	unsigned long arg;

	switch (below(10)) {
	case 0: arg = 0; break;
	case 1: arg = ULONG_MAX; break;				/* -1 */
	case 2: arg = (unsigned long)-(long)(1 + below(100000)); break;
	case 3: arg = (unsigned int)INT_MIN; break;
	case 4: arg = (unsigned long)pid_max + 1 + below(1000); break;
	case 5: arg = 0x3ffffff0ul + below(16); break;
	case 6: arg = INT_MAX; break;
	/* 64-bit values whose low half is a real pid */
	case 7: arg = 1ul << 32 | (unsigned int)getpid(); break;
	case 8: arg = 1ul << 32 | 1; break;
	default: arg = hm_rand(&rng); break;
	}
	return (struct target){ arg, (pid_t)(uint32_t)arg, HT_BOGUS };
}

static struct target pick_target(void)
{
	static const struct { enum hm_live_kind live; enum hm_target t; } kinds[] = {
		{ HL_VM, HT_VM }, { HL_ROOT, HT_ROOT }, { HL_USER, HT_USER },
		{ HL_NODUMP, HT_NODUMP }, { HL_BIG, HT_BIG },
		{ HL_EXITING, HT_EXITING },
	};
	uint64_t r = below(100);
	pid_t pid = 0;
	enum hm_target t = HT_SELF;

	if (r < 25) {
		pid = pick_live(HL_VM);
		t = HT_VM;
	} else if (r < 45) {
		unsigned int k = 1 + (unsigned int)below(5);

		pid = pick_live(kinds[k].live);
		t = kinds[k].t;
	} else if (r < 52) {
		pid = atomic_load(&sh->dead[below(HM_DEAD)]);
		t = HT_DEAD;
	} else if (r < 57) {
		pid = atomic_load(&sh->worker_pid[below(HM_MAX_WORKERS)]);
		t = HT_SIBLING;
	} else if (r < 61) {
		pid = 1;
		t = HT_PID1;
	} else if (r < 63) {
		pid = atomic_load(&sh->parent_pid);
		t = HT_PARENT;
	} else if (r < 70) {
		if (!nprocfs)
			refresh_procfs();
		if (nprocfs) {
			pid = procfs_pids[below(nprocfs)];
			t = HT_PROCFS;
		}
	} else if (r < 80) {
		return bogus_target();
	}
	if (!pid) {
		pid = getpid();
		t = HT_SELF;
	}
	return (struct target){ (unsigned long)pid, pid, t };
}

/* Who owns @pid (procfs shows a non-dumpable process as root's) and when
 * it started: the same before and after a call means the same process. */
struct pstat { bool ok; uid_t uid; unsigned long long start; };

static struct pstat sample(pid_t pid)
{
	struct pstat p = { 0 };
	char path[64], buf[1024], *s;
	struct stat sb;
	ssize_t n;
	int fd;

	if (pid <= 0)
		return p;
	snprintf(path, sizeof(path), "/proc/%d", pid);
	if (stat(path, &sb))
		return p;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return p;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return p;
	buf[n] = 0;
	s = strrchr(buf, ')');
	if (!s)
		return p;
	/* starttime is field 22; field 3 (state) follows ") " */
	for (int field = 2; field < 22 && s; field++)
		s = strchr(s + 1, ' ');
	if (!s)
		return p;
	p.start = strtoull(s + 1, NULL, 10);
	p.uid = sb.st_uid;
	p.ok = true;
	return p;
}

static enum tclass classify(struct pstat a, struct pstat b)
{
	if (!a.ok || !b.ok || a.start != b.start || a.uid != b.uid)
		return TC_UNCERTAIN;
	return a.uid == my_uid ? TC_PERMITTED : TC_FOREIGN;
}

/* The target's mappings, for positions inside them. */
static void read_maps(struct fslot *s)
{
	struct range maps[MAX_MAPS];
	unsigned int n = 0;
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", s->target);
	f = fopen(path, "r");
	while (f && n < MAX_MAPS && fgets(line, sizeof(line), f)) {
		unsigned long long a, b;

		if (sscanf(line, "%llx-%llx", &a, &b) == 2 && b > a)
			maps[n++] = (struct range){ a, b };
	}
	if (f)
		fclose(f);
	/* the twin copies them under the read lock */
	pthread_rwlock_wrlock(&slot_lock[s - slots]);
	memcpy(s->maps, maps, n * sizeof(maps[0]));
	s->nmaps = n;
	pthread_rwlock_unlock(&slot_lock[s - slots]);
}

static const char *tname(enum hm_target t)
{
	static const char *const n[HT_NR] = {
		"self", "pid1", "vm", "root-proc", "user-proc", "nodump-proc",
		"big-proc", "exiting", "dead", "sibling", "parent", "procfs",
		"bogus",
	};
	return n[t];
}

/* ---- calls ---- */

static void do_open(struct fslot *s)
{
	static const int mode[] = { O_NONBLOCK, O_NOFOLLOW, O_NOATIME };
	int flags = O_RDONLY, fd, err;

	for (unsigned int i = 0; i < 3; i++)
		if (below(3) == 0)
			flags |= mode[i];
	if (below(2))
		flags |= O_CLOEXEC;
	pthread_rwlock_wrlock(&slot_lock[s - slots]);
	*s = (struct fslot){ .fd = -1, .flags = flags };
	hist(s, "open(%s, 0x%x%s%s%s)", IDLE_PAGES_PATH, flags,
	     flags & O_NONBLOCK ? " NONBLOCK" : "",
	     flags & O_NOFOLLOW ? " NOFOLLOW" : "",
	     flags & O_NOATIME ? " NOATIME" : "");
	fd = open(IDLE_PAGES_PATH, flags);
	err = errno;
	s->fd = fd;
	pthread_rwlock_unlock(&slot_lock[s - slots]);
	hist_result(s, fd, err);
	tally(HC_OPEN, fd, err);
	if (fd >= 0)
		return;
	check_errno(s, "open", err);
	/* O_NOATIME needs the file's owner (root); nothing else may fail */
	if (err != ENOMEM && err != EINTR &&
	    !(unpriv && err == EPERM && (flags & O_NOATIME)))
		fail(s, HF_OPEN, "open(0x%x) refused: %s", flags, errname(err));
}

static void do_close(struct fslot *s)
{
	int ret, err, fd;

	hist(s, "close(%d)", s->fd);
	/* not while the twin uses it: its number could be reused */
	pthread_rwlock_wrlock(&slot_lock[s - slots]);
	ret = close(s->fd);
	err = errno;
	fd = s->fd;
	s->fd = -1;
	pthread_rwlock_unlock(&slot_lock[s - slots]);
	hist_result(s, ret, err);
	tally(HC_CLOSE, ret, err);
	if (ret)
		fail(s, HF_CLOSE, "close(%d): %s", fd, errname(err));
}

static void do_set_pid(struct fslot *s)
{
	struct target t = pick_target();
	struct pstat before = { 0 }, after = { 0 };
	int ret, err;

	if (unpriv)
		before = sample(t.pid);
	hist(s, "ioctl(%d, SET_PID, %#lx = pid %d [%s])", s->fd, t.arg, t.pid,
	     tname(t.kind));
	atomic_store(&s->in_flight, true);
	ret = ioctl(s->fd, IDLE_PAGE_SET_PID, t.arg);
	err = errno;
	if (unpriv)
		after = sample(t.pid);
	if (!ret) {
		s->target = t.pid;
		s->tkind = t.kind;
		s->tclass = unpriv ? classify(before, after) : TC_PERMITTED;
		s->ever_target = true;
	}
	atomic_store(&s->in_flight, false);
	hist_result(s, ret, err);
	tally(HC_SET_PID, ret, err);
	if (ret < 0) {
		check_errno(s, "SET_PID", err);
		if (err == EACCES || err == EPERM) {
			st->set_pid_refused[t.kind]++;
			if (!unpriv)
				fail(s, HF_ROOT_REFUSED, "SET_PID %d [%s]: root refused with %s",
				     t.pid, tname(t.kind), errname(err));
		} else {
			st->set_pid_other[t.kind]++;
		}
		/* the previous target may stay set: keep what we knew */
		return;
	}
	st->set_pid_ok[t.kind]++;
	if (t.pid <= 0 || t.pid > pid_max)
		fail(s, HF_BOGUS_PID, "SET_PID %#lx (pid %d) accepted, no such pid can exist",
		     t.arg, t.pid);
	else if (t.arg > UINT32_MAX && st->truncated_pid_ok++ < 1)
		say("hammer: INFO worker %d: SET_PID %#lx accepted as pid %d "
		    "(the upper 32 bits ignored)\n", wid, t.arg, t.pid);
	if (s->tclass == TC_FOREIGN) {
		st->foreign_accepted++;
		fail(s, HF_FOREIGN_PID,
		     "unprivileged SET_PID of pid %d [%s], owned by uid %d, accepted",
		     t.pid, tname(t.kind), before.uid);
	}
	if (s->tclass != TC_FOREIGN)
		read_maps(s);
	else
		s->nmaps = 0;
}

/* A position: in the target's mappings, 0, random, near or past the end
 * of user space, or negative. */
static int64_t pick_pos(struct fslot *s)
{
	uint64_t r = below(100);

	if (r < 45 && s->nmaps) {
		struct range *m = &s->maps[below(s->nmaps)];
		uint64_t pos = m->start + below((m->end - m->start) / PAGE) * PAGE;

		return (int64_t)(below(7) ? pos : pos + 1 + below(PAGE - 1));
	}
	if (r < 55)
		return 0;
	if (r < 65)
		return (int64_t)(below(user_end / PAGE) * PAGE);
	if (r < 85) {
		static const uint64_t far[] = {
			(1ull << 47) - PAGE, 1ull << 47, (1ull << 56) - PAGE,
			1ull << 56, 1ull << 62, INT64_MAX,
		};
		return (int64_t)far[below(6)];
	}
	return -(int64_t)(1 + below(1ull << 40));
}

static void do_lseek(struct fslot *s)
{
	static const char *const wn[] = { "SET", "CUR", "END" };
	int64_t off;
	int whence = SEEK_SET, err;
	off_t ret;
	uint64_t r = below(100);

	if (r < 75) {
		off = pick_pos(s);
	} else if (r < 88) {
		whence = SEEK_CUR;
		off = (int64_t)(below(64) * PAGE + (below(8) ? 0 : below(PAGE)));
		if (below(2))
			off = -off;
	} else if (r < 95) {
		static const int64_t ends[] = { 0, -(int64_t)PAGE, 4096,
						 -(1ll << 46), INT64_MIN };
		whence = SEEK_END;
		off = ends[below(5)];
	} else {
		static const int bad[] = { 5, 77, -1 };
		whence = bad[below(3)];
		off = (int64_t)hm_rand(&rng);
	}
	hist(s, "lseek(%d, %#llx, %s)", s->fd, (unsigned long long)off,
	     whence >= 0 && whence <= 2 ? wn[whence] : "bad whence");
	ret = lseek(s->fd, off, whence);
	err = errno;
	hist_result(s, ret, err);
	tally(HC_LSEEK, ret, err);
	if (ret < 0) {
		check_errno(s, "lseek", err);
		return;
	}
	if ((whence == SEEK_SET && ret != off) ||
	    (whence == SEEK_CUR && s->pos_known &&
	     (uint64_t)ret != s->pos + (uint64_t)off))
		fail(s, HF_LSEEK, "lseek(%#llx, %s) from %#llx set the position to %#llx",
		     (unsigned long long)off, wn[whence],
		     (unsigned long long)s->pos, (unsigned long long)ret);
	if (whence > 2)
		fail(s, HF_LSEEK, "lseek with whence %d succeeded", whence);
	s->pos = (uint64_t)ret;
	s->pos_known = true;
}

/* The file position, asked of the file (not random: a check's input). */
static bool tell(struct fslot *s, uint64_t *pos)
{
	off_t ret = lseek(s->fd, 0, SEEK_CUR);
	int err = errno;

	tally(HC_TELL, ret, err);
	if (ret < 0) {
		check_errno(s, "lseek(0, SEEK_CUR)", err);
		return false;
	}
	*pos = (uint64_t)ret;
	s->pos = *pos;
	s->pos_known = true;
	return true;
}

/* What a stream covers: all of it, and its mapped (not hole) part. */
struct span { uint64_t lo, hi, mlo, mhi, pages; };

static int span_cb(void *arg, const struct ip_range *r)
{
	struct span *sp = arg;
	uint64_t end = r->hva + r->npages * IP_PAGE_SIZE;

	if (r->hva < sp->lo)
		sp->lo = r->hva;
	if (end > sp->hi)
		sp->hi = end;
	if (ip_type_state(r->type) == IP_ST_HOLE)
		return 0;
	if (r->hva < sp->mlo)
		sp->mlo = r->hva;
	if (end > sp->mhi)
		sp->mhi = end;
	sp->pages += r->npages;
	return 0;
}

/* The bytes of a read that returned data: they must decode. */
static bool decode(struct fslot *s, const char *call, const uint8_t *buf,
		   size_t len, uint64_t pos, struct span *sp)
{
	struct ip_decoder d;
	char hex[3 * 24 + 1] = "";

	*sp = (struct span){ UINT64_MAX, 0, UINT64_MAX, 0, 0 };
	if (buf[0] != PIP_SET_HVA_BYTE) {
		fail(s, HF_DECODE, "%s of %zu bytes from %#llx does not start with "
		     "SET_HVA (0x%02x)", call, len, (unsigned long long)pos, buf[0]);
		return false;
	}
	ip_decoder_init(&d, pos, 0);
	if (!ip_decode(&d, buf, len, span_cb, sp) &&
	    !ip_decode_finish(&d, span_cb, sp)) {
		st->pages_decoded += sp->pages;
		return true;
	}
	for (size_t i = d.err_offset > 8 ? d.err_offset - 8 : 0, n = 0;
	     i < len && n < 24; i++, n++)
		snprintf(hex + 3 * n, 4, "%02x ", buf[i]);
	fail(s, HF_DECODE, "%s of %zu bytes from %#llx does not decode: %s "
	     "(bytes from offset %llu: %s)", call, len,
	     (unsigned long long)pos, d.msg,
	     (unsigned long long)(d.err_offset > 8 ? d.err_offset - 8 : 0), hex);
	return false;
}

/* A read's buffer: good, or NULL, unmapped, read-only, kernel, or good
 * for only its first @valid bytes. */
struct rbuf { uint8_t *p; size_t valid; const char *kind; };

static struct rbuf pick_buf(size_t count)
{
	uint64_t r = below(100);
	size_t k;

	if (r < 72) {
		size_t room = BIG_BUF + PAGE - count;

		return (struct rbuf){ big + (below(4) ? below(room / PAGE + 1) * PAGE
					     : below(room + 1)), count, "good" };
	}
	if (r < 76)
		return (struct rbuf){ NULL, 0, "NULL" };
	if (r < 82)
		return (struct rbuf){ none_page, 0, "PROT_NONE" };
	if (r < 86)
		return (struct rbuf){ ro_page, 0, "read-only" };
	if (r < 89)
		return (struct rbuf){ (uint8_t *)0xffff888000000000ul, 0, "kernel" };
	/* half valid: the buffer runs into the PROT_NONE page */
	k = count > 1 ? 1 + below(count - 1) : 0;
	if (k > BIG_BUF)
		k = BIG_BUF;
	return (struct rbuf){ none_page - k, k, "half-valid" };
}

static size_t pick_count(void)
{
	uint64_t r = below(100);

	if (r < 5)
		return 0;
	if (r < 14)
		return 1 + below(IDLE_PAGES_MIN_READ - 1);
	if (r < 24)
		return IDLE_PAGES_MIN_READ;
	if (r < 44)
		return IDLE_PAGES_MIN_READ + 1 + below(512);
	if (r < 60)
		return PAGE;
	if (r < 85)
		return PAGE + 1 + below(65536);
	return 65536 + below(BIG_BUF - 65536 + 1);
}

static void do_read(struct fslot *s, bool positioned)
{
	size_t count = pick_count();
	struct rbuf b = pick_buf(count);
	uint64_t pos = 0, newpos = 0;
	bool have_pos;
	uint8_t *canary = NULL;
	const char *call = positioned ? "pread" : "read";
	struct fslot *r = s->real ? s->real : s;
	int tclass;
	pid_t target;
	bool flight;
	struct span sp;
	ssize_t ret;
	int err;

	if (positioned) {
		int64_t p = pick_pos(s);

		have_pos = p >= 0;
		pos = (uint64_t)p;
	} else {
		have_pos = tell(s, &pos);
	}
	/* bytes right after the count must stay as they are */
	if (b.p && !strcmp(b.kind, "good") && b.p + count + 16 <= big + BIG_BUF + PAGE) {
		canary = b.p + count;
		memset(canary, 0x5a, 16);
	}
	hist(s, "%s(%d, %s %p, %zu%s%llx) [target %d %s]", call, s->fd, b.kind,
	     (void *)b.p, count, positioned ? ", " : ") at ",
	     (unsigned long long)pos, s->target, tname(s->tkind));
	if (positioned)
		ret = pread(s->fd, b.p, count, (off_t)pos);
	else
		ret = read(s->fd, b.p, count);
	err = errno;
	hist_result(s, ret, err);
	tally(positioned ? HC_PREAD : HC_READ, ret, err);
	/* a read moves the position, even one that returns 0 (to the end) */
	if (!positioned)
		s->pos_known = false;
	if (ret < 0) {
		check_errno(s, call, err);
		return;
	}
	if ((size_t)ret > count)
		fail(s, HF_OVERREAD, "%s of %zu bytes returned %zd", call, count, ret);
	if (canary)
		for (int i = 0; i < 16; i++)
			if (canary[i] != 0x5a) {
				fail(s, HF_OVERREAD, "%s of %zu bytes (returned %zd) wrote byte %zu",
				     call, count, ret, count + i);
				break;
			}
	if (ret == 0)
		return;
	st->data_bytes += (uint64_t)ret;
	st->read_data[s->tkind]++;
	/*
	 * Whose data: the worker's slot as it is now (the twin's view may be
	 * older). in_flight first: a SET_PID that ends sets the rest before
	 * it clears in_flight.
	 */
	flight = atomic_load(&r->in_flight);
	tclass = atomic_load(&r->tclass);
	target = atomic_load(&r->target);
	if (!flight && !atomic_load(&r->ever_target))
		fail(s, HF_NO_TARGET_DATA, "%s returned %zd bytes with no target ever set",
		     call, ret);
	if (unpriv && tclass == TC_FOREIGN)
		fail(s, HF_UNPRIV_DATA, "unprivileged %s got %zd bytes of pid %d, "
		     "another user's process", call, ret, target);
	else if (unpriv && (flight || tclass != TC_PERMITTED))
		st->unpriv_uncertain_data++;
	else if (unpriv && target == getpid())
		st->unpriv_own_data++;
	else if (unpriv)
		st->unpriv_same_user_data++;
	if (count < IDLE_PAGES_MIN_READ)
		fail(s, HF_BAD_READ_DATA, "%s of %zu bytes (< 19) returned %zd", call,
		     count, ret);
	if (have_pos && (pos & (PAGE - 1)))
		fail(s, HF_BAD_READ_DATA, "%s at unaligned %#llx returned %zd", call,
		     (unsigned long long)pos, ret);
	if (have_pos && pos >= user_end - PAGE)
		fail(s, HF_BAD_READ_DATA, "%s at %#llx, past user space, returned %zd",
		     call, (unsigned long long)pos, ret);
	if ((size_t)ret > b.valid) {
		fail(s, HF_BAD_BUFFER, "%s into a %s buffer (%zu bytes writable) returned %zd",
		     call, b.kind, b.valid, ret);
		return;
	}
	if (!have_pos || (pos & (PAGE - 1)))
		return;
	if (!decode(s, call, b.p, (size_t)ret, pos, &sp))
		return;
	/* the window: nothing reported outside [pos, pos + count * 8 pages) */
	if (sp.mhi && (sp.mlo < pos ||
		       sp.mhi > pos + count * IDLE_PAGES_PAGES_PER_BYTE * PAGE))
		fail(s, HF_WINDOW, "%s of %zu bytes from %#llx reports pages %#llx-%#llx, "
		     "outside its window (ends %#llx)", call, count,
		     (unsigned long long)pos, (unsigned long long)sp.mlo,
		     (unsigned long long)sp.mhi,
		     (unsigned long long)(pos + count * IDLE_PAGES_PAGES_PER_BYTE * PAGE));
	if (positioned)
		return;
	/* records describe [pos, new position): the file moved past them */
	if (tell(s, &newpos) && (sp.lo < pos || sp.hi > newpos))
		fail(s, HF_POSITION, "read from %#llx to new position %#llx: records "
		     "cover %#llx-%#llx", (unsigned long long)pos,
		     (unsigned long long)newpos, (unsigned long long)sp.lo,
		     (unsigned long long)sp.hi);
}

static void do_get_info(struct fslot *s)
{
	static _Thread_local uint8_t area[512];
	const size_t isz = sizeof(struct idle_pages_info);
	uint32_t size;
	uint64_t r = below(100);
	const char *kind = "good";
	void *p = area;
	int ret, err;

	switch (below(8)) {
	case 0: size = (uint32_t)below(8); break;
	case 1: size = 8; break;
	case 2: size = 8 + (uint32_t)below(isz - 8); break;
	case 3: size = UINT32_MAX; break;
	case 4: size = (uint32_t)hm_rand(&rng); break;
	case 5: size = (uint32_t)(isz + 1 + below(400)); break;
	default: size = (uint32_t)isz; break;
	}
	memset(area, 0xa5, sizeof(area));
	memcpy(area, &size, sizeof(size));
	if (r >= 75) {
		static const char *const kinds[] = {
			"NULL", "PROT_NONE", "read-only", "kernel", "half-valid",
		};
		unsigned int k = (unsigned int)below(5);

		kind = kinds[k];
		p = k == 0 ? NULL : k == 1 ? (void *)none_page :
		    k == 2 ? (void *)ro_page :
		    k == 3 ? (void *)0xffff888000000000ul : (void *)(none_page - 8);
		if (k == 4)
			memcpy(none_page - 8, &size, sizeof(size));
	}
	hist(s, "ioctl(%d, GET_INFO, %s %p size %u)", s->fd, kind, p, size);
	ret = ioctl(s->fd, IDLE_PAGE_GET_INFO, p);
	err = errno;
	hist_result(s, ret, err);
	tally(HC_GET_INFO, ret, err);
	if (ret < 0) {
		check_errno(s, "GET_INFO", err);
		return;
	}
	/* the read-only page holds size = sizeof(info): it must fault */
	if (p != area && !(p == none_page - 8 && size == 8))
		fail(s, HF_BAD_BUFFER, "GET_INFO into a %s buffer (size %u) succeeded",
		     kind, size);
	if (size < 8)
		fail(s, HF_INFO, "GET_INFO with size %u (too small for its version) succeeded",
		     size);
	if (p == area && size < sizeof(area))
		for (size_t i = size; i < sizeof(area); i++)
			if (area[i] != 0xa5) {
				fail(s, HF_INFO, "GET_INFO with size %u wrote byte %zu",
				     size, i);
				break;
			}
}

static void do_set_format(struct fslot *s)
{
	static const unsigned long vals[] = {
		IDLE_PAGES_FORMAT_COMPAT, IDLE_PAGES_FORMAT_EXT, 2, 3, 7,
		UINT32_MAX, 1ul << 32, 1ul << 32 | 1, ULONG_MAX,
	};
	unsigned long v = below(3) ? below(2) : below(4) ? vals[below(9)] :
			  (uint32_t)hm_rand(&rng);
	int ret, err;

	hist(s, "ioctl(%d, SET_FORMAT, %#lx)", s->fd, v);
	ret = ioctl(s->fd, IDLE_PAGE_SET_FORMAT, v);
	err = errno;
	hist_result(s, ret, err);
	tally(HC_SET_FORMAT, ret, err);
	if (ret < 0) {
		check_errno(s, "SET_FORMAT", err);
		return;
	}
	/* a value past 32 bits may be taken as its u32 (the ioctl says u32) */
	if (v <= UINT32_MAX && v != IDLE_PAGES_FORMAT_COMPAT &&
	    v != IDLE_PAGES_FORMAT_EXT)
		fail(s, HF_FORMAT, "SET_FORMAT %#lx (unknown format) succeeded", v);
}

/* An ioctl the module does not know: only ENOTTY will do. Types the VFS
 * answers itself (0, 'T', 'X', 'f', 0x94) never reach the module. */
static void do_bad_ioctl(struct fslot *s)
{
	unsigned int cmd;
	unsigned long arg;
	int ret, err;

	switch (below(4)) {
	case 0:
		cmd = _IO(0x1, 4 + below(252));
		break;
	case 1:
		cmd = _IOC((unsigned int)below(4), 0x1, 4 + below(252), below(0x4000));
		break;
	case 2: {
		static const unsigned int near[] = {
			_IOR(0x1, 0x1, pid_t), _IOWR(0x1, 0x1, pid_t), _IO(0x1, 0x1),
			_IOW(0x1, 0x1, uint64_t), _IOW(0x1, 0x2, struct idle_pages_info),
			_IOR(0x1, 0x3, uint32_t), _IOW(0x1, 0x3, uint64_t),
			_IO(0x1, 0x0), _IOW(0x2, 0x1, pid_t),
		};
		cmd = near[below(9)];
		break;
	}
	default:
		do {
			cmd = (uint32_t)hm_rand(&rng);
		} while (_IOC_TYPE(cmd) == 0 || _IOC_TYPE(cmd) == 'T' ||
			 _IOC_TYPE(cmd) == 'X' || _IOC_TYPE(cmd) == 'f' ||
			 _IOC_TYPE(cmd) == 0x94 || _IOC_TYPE(cmd) == 0x1);
	}
	switch (below(4)) {
	case 0: arg = 0; break;
	case 1: arg = (unsigned long)big; break;
	case 2: arg = (unsigned long)none_page; break;
	default: arg = hm_rand(&rng); break;
	}
	hist(s, "ioctl(%d, %#x, %#lx)", s->fd, cmd, arg);
	ret = ioctl(s->fd, cmd, arg);
	err = errno;
	hist_result(s, ret, err);
	tally(HC_BAD_IOCTL, ret, err);
	if (ret < 0)
		check_errno(s, "unknown ioctl", err);
	if (ret >= 0 || err != ENOTTY)
		fail(s, HF_IOCTL, "unknown ioctl %#x answered %s, not ENOTTY", cmd,
		     ret >= 0 ? "success" : errname(err));
}

/* ---- workers ---- */

static void worker_setup(void)
{
	size_t len = BIG_BUF + 4 * PAGE;
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t isz = sizeof(struct idle_pages_info);

	if (m == MAP_FAILED) {
		say("FAIL: worker %d: mmap: %s\n", wid, strerror(errno));
		_exit(1);
	}
	/* [big + a page][PROT_NONE][read-only][PROT_NONE] */
	big = m;
	none_page = m + BIG_BUF + PAGE;
	ro_page = none_page + PAGE;
	memset(big, 0, BIG_BUF + PAGE);
	memcpy(ro_page, &isz, sizeof(isz));
	if (mprotect(none_page, PAGE, PROT_NONE) ||
	    mprotect(ro_page, PAGE, PROT_READ) ||
	    mprotect(ro_page + PAGE, PAGE, PROT_NONE)) {
		say("FAIL: worker %d: mprotect: %s\n", wid, strerror(errno));
		_exit(1);
	}
}

static void drop_privileges(void)
{
	/* a uid change makes a process non-dumpable, which hides even its
	 * own /proc/PID/pagemap; a user's ordinary process is dumpable */
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534) || prctl(PR_SET_DUMPABLE, 1)) {
		say("FAIL: worker %d: dropping privileges: %s\n", wid,
		    strerror(errno));
		_exit(1);
	}
}

/*
 * The twin: pread, GET_INFO and SET_FORMAT on the worker's open files
 * while the worker calls SET_PID, read, lseek and the rest on them, so
 * that calls on one file meet in the module. No position checks: its
 * preads don't move the position, and it never calls SET_PID.
 */
static void *twin(void *arg)
{
	struct fslot *tw = calloc(1, sizeof(*tw));

	wid = (int)(intptr_t)arg;
	st = &sh->stats[wid];
	rng = seed0 ^ (0x2545f4914f6cdd1dull * (uint64_t)(wid + 1));
	worker_setup();
	while (tw && hm_now_ms() < deadline) {
		unsigned int i = (unsigned int)below(SLOTS);
		struct fslot *s = &slots[i];
		uint64_t r = below(100);

		pthread_rwlock_rdlock(&slot_lock[i]);
		if (s->fd >= 0) {
			tw->fd = s->fd;
			tw->flags = s->flags;
			tw->real = s;
			tw->target = s->target;
			tw->tkind = s->tkind;
			tw->nmaps = s->nmaps;
			memcpy(tw->maps, s->maps, s->nmaps * sizeof(s->maps[0]));
			if (r < 60)
				do_read(tw, true);
			else if (r < 85)
				do_get_info(tw);
			else
				do_set_format(tw);
		}
		pthread_rwlock_unlock(&slot_lock[i]);
		/*
		 * Change this process's mappings now and then: mmap and munmap
		 * take its mmap lock for write while the worker scans itself.
		 */
		if (r % 10 == 0) {
			void *m = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (m != MAP_FAILED) {
				memset(m, 1, 16 * PAGE);
				munmap(m, 16 * PAGE);
			}
		}
		if (s->fd < 0)
			usleep(1000);
	}
	free(tw);
	atomic_store(&sh->heartbeat[wid], UINT64_MAX);	/* done */
	return NULL;
}

static _Noreturn void worker(int w, bool unprivileged, bool with_twin)
{
	pthread_t tw;
	uint64_t n = 0;

	wid = w;
	unpriv = unprivileged;
	st = &sh->stats[w];
	rng = seed0 ^ (0x5851f42d4c957f2dull * (uint64_t)(w + 1));
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (int i = 0; i < SLOTS; i++)
		pthread_rwlock_init(&slot_lock[i], NULL);
	worker_setup();
	if (unpriv) {
		drop_privileges();
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* the uid change cleared it */
	}
	my_uid = getuid();
	say("hammer: worker %d: pid %d, uid %d%s\n", wid, getpid(), my_uid,
	    with_twin ? ", with a twin thread" : "");
	for (int i = 0; i < SLOTS; i++)
		slots[i].fd = -1;
	if (with_twin && pthread_create(&tw, NULL, twin,
					(void *)(intptr_t)(w + HM_TWIN))) {
		say("FAIL: worker %d: pthread_create failed\n", w);
		_exit(1);
	}
	while (hm_now_ms() < deadline) {
		struct fslot *s = &slots[below(SLOTS)];
		uint64_t r = below(100);

		if (++n % 2000 == 1)
			refresh_procfs();
		if (s->fd < 0) {
			do_open(s);
			/* most rounds name a target first, as readers do */
			if (s->fd >= 0 && below(10) < 7)
				do_set_pid(s);
			continue;
		}
		if (r < 3)
			do_close(s);
		else if (r < 18)
			do_set_pid(s);
		else if (r < 36)
			do_lseek(s);
		else if (r < 68)
			do_read(s, false);
		else if (r < 75)
			do_read(s, true);
		else if (r < 86)
			do_get_info(s);
		else if (r < 93)
			do_set_format(s);
		else
			do_bad_ioctl(s);
	}
	if (with_twin)
		pthread_join(tw, NULL);
	for (int i = 0; i < SLOTS; i++)
		if (slots[i].fd >= 0)
			do_close(&slots[i]);
	atomic_store(&sh->heartbeat[wid], UINT64_MAX);	/* done */
	_exit(0);
}

/* ---- the parent ---- */

static void detect_limits(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	void *p;

	if (f) {
		if (fscanf(f, "%ld", &pid_max) != 1)
			pid_max = 4194304;
		fclose(f);
	}
	/* a hint above 2^47 is honoured only with 5-level paging */
	p = mmap((void *)(1ul << 50), PAGE, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != MAP_FAILED) {
		if ((uint64_t)p >= 1ull << 47)
			user_end = 1ull << 56;
		munmap(p, PAGE);
	}
}

/* Every thread's kernel stack: where a hung call waits. */
static void stacks_of(pid_t pid)
{
	char path[300], buf[4096];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		ssize_t n;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", pid, e->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			say("    kernel stack of thread %s:\n%s", e->d_name, buf);
		}
	}
	if (d)
		closedir(d);
}

static void print_counts(struct hm_stats *t)
{
	static const char *const cn[HC_NR] = {
		"open", "close", "SET_PID", "lseek", "lseek-tell", "read",
		"pread", "GET_INFO", "SET_FORMAT", "unknown-ioctl",
	};

	memset(t, 0, sizeof(*t));
	for (unsigned int w = 0; w < HM_THREADS; w++) {
		struct hm_stats *s = &sh->stats[w];
		uint64_t *a = (uint64_t *)t, *b = (uint64_t *)s;

		for (size_t i = 0; i < sizeof(*t) / sizeof(uint64_t); i++)
			a[i] += b[i];
	}
	say("== calls by outcome (all workers)\n");
	for (int c = 0; c < HC_NR; c++) {
		char line[2048];
		int n = snprintf(line, sizeof(line), "count: %-13s", cn[c]);

		for (int o = 0; o < HO_NR; o++) {
			if (!t->calls[c][o])
				continue;
			n += snprintf(line + n, sizeof(line) - n, " %s=%llu",
				      o == HO_OK ? "ok" : o == HO_DATA ? "data" :
				      o == HO_EOF ? "eof" : errname(o - 3),
				      (unsigned long long)t->calls[c][o]);
		}
		say("%s\n", line);
	}
	say("== SET_PID by target kind (ok / refused EACCES-EPERM / other error; reads with data)\n");
	for (int k = 0; k < HT_NR; k++)
		say("target: %-12s ok=%llu refused=%llu other=%llu data-reads=%llu\n",
		    tname(k), (unsigned long long)t->set_pid_ok[k],
		    (unsigned long long)t->set_pid_refused[k],
		    (unsigned long long)t->set_pid_other[k],
		    (unsigned long long)t->read_data[k]);
}

__attribute__((format(printf, 2, 3)))
static bool verdict(bool ok, const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	say("%s: %s\n", ok ? "PASS" : "FAIL", what);
	return ok;
}

static int summary(unsigned int nunpriv, bool hung)
{
	static struct hm_stats t;
	struct hm_churn_stats *c = &sh->churn;
	uint64_t calls = 0;
	bool ok = !hung;

	print_counts(&t);
	for (int i = 0; i < HC_NR; i++)
		for (int o = 0; o < HO_NR; o++)
			calls += t.calls[i][o];
	say("== churn: %llu VMs started (%llu had their VM file when killed, "
	    "%llu exited on their own); processes started: root %llu, user %llu, "
	    "user non-dumpable %llu, big %llu; %llu zombies left to be aimed at\n",
	    (unsigned long long)c->vms_started,
	    (unsigned long long)c->vms_with_vm_fd,
	    (unsigned long long)c->vms_exited_early,
	    (unsigned long long)c->procs_started[HL_ROOT],
	    (unsigned long long)c->procs_started[HL_USER],
	    (unsigned long long)c->procs_started[HL_NODUMP],
	    (unsigned long long)c->procs_started[HL_BIG],
	    (unsigned long long)c->zombies_targetable);
	say("== %llu reads with data, %llu bytes, %llu mapped pages decoded\n",
	    (unsigned long long)(t.calls[HC_READ][HO_DATA] + t.calls[HC_PREAD][HO_DATA]),
	    (unsigned long long)t.data_bytes, (unsigned long long)t.pages_decoded);

	ok &= verdict(!t.fails[HF_UNDOCUMENTED],
		      "every call answered with data or a documented error "
		      "(%llu calls; undocumented errnos: %llu)",
		      (unsigned long long)calls,
		      (unsigned long long)t.fails[HF_UNDOCUMENTED]);
	ok &= verdict(!t.fails[HF_OVERREAD],
		      "no read returned more bytes than asked or wrote past its count (%llu)",
		      (unsigned long long)t.fails[HF_OVERREAD]);
	ok &= verdict(!t.fails[HF_DECODE],
		      "every record stream began with SET_HVA and decoded (failures: %llu)",
		      (unsigned long long)t.fails[HF_DECODE]);
	ok &= verdict(!t.fails[HF_WINDOW],
		      "no read reported a page outside its window, position + count * 8 pages (%llu did)",
		      (unsigned long long)t.fails[HF_WINDOW]);
	ok &= verdict(!t.fails[HF_POSITION],
		      "records lay between a read's position and the new position (%llu outside)",
		      (unsigned long long)t.fails[HF_POSITION]);
	ok &= verdict(!t.foreign_accepted,
		      "unprivileged SET_PID of another user's process refused "
		      "(accepted: %llu)", (unsigned long long)t.foreign_accepted);
	ok &= verdict(!t.fails[HF_UNPRIV_DATA],
		      "unprivileged workers got no data for another user's process "
		      "(reads with data: %llu; of their own process: %llu, of another "
		      "process of their user: %llu, target changing meanwhile: %llu)",
		      (unsigned long long)t.fails[HF_UNPRIV_DATA],
		      (unsigned long long)t.unpriv_own_data,
		      (unsigned long long)t.unpriv_same_user_data,
		      (unsigned long long)t.unpriv_uncertain_data);
	ok &= verdict(!t.fails[HF_NO_TARGET_DATA] && !t.fails[HF_BAD_READ_DATA],
		      "no data without a target, for a count below 19, from an "
		      "unaligned position or past user space (%llu, %llu)",
		      (unsigned long long)t.fails[HF_NO_TARGET_DATA],
		      (unsigned long long)t.fails[HF_BAD_READ_DATA]);
	ok &= verdict(!t.fails[HF_BAD_BUFFER],
		      "no success into memory that can't be written (%llu)",
		      (unsigned long long)t.fails[HF_BAD_BUFFER]);
	ok &= verdict(!t.fails[HF_ROOT_REFUSED], "root was never refused SET_PID (%llu)",
		      (unsigned long long)t.fails[HF_ROOT_REFUSED]);
	ok &= verdict(!t.fails[HF_BOGUS_PID],
		      "SET_PID never accepted a pid that can't exist (%llu)",
		      (unsigned long long)t.fails[HF_BOGUS_PID]);
	ok &= verdict(!t.fails[HF_FORMAT], "SET_FORMAT refused every unknown format (%llu)",
		      (unsigned long long)t.fails[HF_FORMAT]);
	ok &= verdict(!t.fails[HF_IOCTL], "unknown ioctls answered ENOTTY (%llu not)",
		      (unsigned long long)t.fails[HF_IOCTL]);
	ok &= verdict(!t.fails[HF_LSEEK], "lseek set the positions asked (%llu not)",
		      (unsigned long long)t.fails[HF_LSEEK]);
	ok &= verdict(!t.fails[HF_INFO], "GET_INFO kept to the caller's size (%llu not)",
		      (unsigned long long)t.fails[HF_INFO]);
	ok &= verdict(!t.fails[HF_OPEN] && !t.fails[HF_CLOSE],
		      "open and close worked (%llu, %llu failed)",
		      (unsigned long long)t.fails[HF_OPEN],
		      (unsigned long long)t.fails[HF_CLOSE]);
	/* coverage: the run did what it is for */
	if (c->vms_started)
		ok &= verdict(t.read_data[HT_VM] > 0 && c->vms_with_vm_fd > 0,
			      "running VMs were scanned (%llu reads with data from VM targets)",
			      (unsigned long long)t.read_data[HT_VM]);
	ok &= verdict(t.read_data[HT_ROOT] + t.read_data[HT_BIG] + t.read_data[HT_USER] > 0,
		      "ordinary processes were scanned (%llu reads with data)",
		      (unsigned long long)(t.read_data[HT_ROOT] + t.read_data[HT_BIG] +
					   t.read_data[HT_USER]));
	if (nunpriv)
		ok &= verdict(t.unpriv_own_data > 0,
			      "unprivileged workers scanned their own user's processes (%llu reads with data)",
			      (unsigned long long)t.unpriv_own_data);
	ok &= verdict(!hung, "every worker ran to the end, none hung or crashed");
	return ok ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: hammer [--seconds N] [--workers N] [--unprivileged N] "
		"[--seed S] [--launcher TG-LAUNCH --guest GUEST.ELF] [--vms N] "
		"[--procs N] [--log-dir DIR] [--no-twins]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seconds", 1, NULL, 's' }, { "workers", 1, NULL, 'w' },
		{ "unprivileged", 1, NULL, 'u' }, { "seed", 1, NULL, 'S' },
		{ "launcher", 1, NULL, 'l' }, { "guest", 1, NULL, 'g' },
		{ "vms", 1, NULL, 'v' }, { "procs", 1, NULL, 'p' },
		{ "log-dir", 1, NULL, 'L' }, { "no-twins", 0, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct hm_churn_opts co = { .vms = 2, .procs = 6 };
	unsigned int seconds = 150, nworkers = 4, nunpriv = 2;
	pid_t pids[HM_MAX_WORKERS];
	bool hung = false, twins = true, reported[HM_THREADS] = { false };
	bool late[HM_MAX_WORKERS] = { false };
	unsigned int alive;
	int opt;

	seed0 = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 's': seconds = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'w': nworkers = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'u': nunpriv = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'S': seed0 = strtoull(optarg, NULL, 0); break;
		case 'l': co.launcher = optarg; break;
		case 'g': co.guest = optarg; break;
		case 'v': co.vms = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'p': co.procs = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'L': co.log_dir = optarg; break;
		case 'T': twins = false; break;
		default: usage();
		}
	}
	if (optind != argc || !nworkers || nworkers > HM_MAX_WORKERS ||
	    nunpriv > nworkers)
		usage();
	detect_limits();
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("hammer: mmap");
		return 2;
	}
	atomic_store(&sh->parent_pid, getpid());
	say("hammer: seed %llu (replay: --seed %llu), %u s, %u workers (%u unprivileged, uid 65534), "
	    "%u VMs and %u processes at a time; pid_max %ld, user space ends at %#llx\n",
	    (unsigned long long)seed0, (unsigned long long)seed0, seconds,
	    nworkers, nunpriv, co.launcher ? co.vms : 0, co.procs, pid_max,
	    (unsigned long long)user_end);
	deadline = hm_now_ms() + (uint64_t)seconds * 1000;
	hm_churn_init(sh, &co, seed0 ^ 0xc4ceb9fe1a85ec53ull);
	for (unsigned int w = 0; w < nworkers; w++) {
		/* the last nunpriv workers run as uid 65534 */
		atomic_store(&sh->heartbeat[w], hm_now_ms());
		atomic_store(&sh->heartbeat[w + HM_TWIN],
			     twins ? hm_now_ms() : UINT64_MAX);
		pids[w] = fork();
		if (pids[w] == 0)
			worker((int)w, w >= nworkers - nunpriv, twins);
		if (pids[w] < 0) {
			perror("hammer: fork");
			return 2;
		}
		atomic_store(&sh->worker_pid[w], pids[w]);
	}
	/* churn until the deadline; watch the workers for hangs and deaths */
	for (alive = nworkers; alive;) {
		uint64_t now = hm_now_ms();

		if (now < deadline)
			hm_churn_tick();
		else
			hm_churn_stop();
		alive = 0;
		for (unsigned int w = 0; w < nworkers; w++) {
			int status;
			uint64_t hb;

			if (!pids[w])
				continue;
			if (waitpid(pids[w], &status, WNOHANG) == pids[w]) {
				if (!WIFEXITED(status) || WEXITSTATUS(status)) {
					hung = true;
					say("FAIL: worker %u ended with status %#x; its last call: %s\n",
					    w, status, sh->last_call[w]);
				}
				pids[w] = 0;
				continue;
			}
			alive++;
			for (unsigned int t = w; t < HM_THREADS; t += HM_TWIN) {
				hb = atomic_load(&sh->heartbeat[t]);
				if (hb == UINT64_MAX || now <= hb + HANG_MS || reported[t])
					continue;
				reported[t] = true;
				hung = true;
				say("FAIL: worker %u%s: no progress for %llu s, in: %s\n", w,
				    t == w ? "" : "'s twin",
				    (unsigned long long)(now - hb) / 1000, sh->last_call[t]);
				stacks_of(pids[w]);
				/* the rest of the run goes on without it */
				say("hammer: killing worker %u (SIGKILL)\n", w);
				kill(pids[w], SIGKILL);
			}
			if (now > deadline + 20000 && !late[w]) {
				late[w] = true;
				say("hammer: killing worker %u, still running 20 s after the end\n", w);
				kill(pids[w], SIGKILL);
			}
		}
		/*
		 * A worker that SIGKILL can't end is stuck in the kernel: leave
		 * it, so that the scenario still gets to its other checks.
		 */
		if (alive && now > deadline + 40000) {
			hung = true;
			say("FAIL: %u worker(s) still alive 40 s after the end, SIGKILL did not end them\n",
			    alive);
			for (unsigned int w = 0; w < nworkers; w++)
				if (pids[w])
					stacks_of(pids[w]);
			break;
		}
		usleep(10000);
	}
	hm_churn_stop();
	return summary(nunpriv, hung);
}
