/* SPDX-License-Identifier: MIT */
/*
 * access-check - who may pick a target of /proc/idle_pages, and who pays
 * for an open file. The rule: IDLE_PAGE_SET_PID is allowed if the file's
 * opener had CAP_SYS_ADMIN or CAP_SYS_PTRACE in the initial user
 * namespace, or the target is the caller's own process; anyone else gets
 * EACCES (or EPERM) and reads return no data. Each check runs in a
 * child of its own, unprivileged (uid/gid 65534) where it says so:
 *
 *   userns-proc  a tmpfs over /proc in a user namespace holds a fake
 *                1/pagemap: SET_PID(1), L1's init, must be refused;
 *   pidns-proc   /proc is the procfs of a new pid namespace, whose pid 1
 *                is the caller's own child: SET_PID(1) (still L1's init
 *                in the caller's pid namespace) must be refused;
 *   memcg        20000 files held open cost the opener's memory cgroup,
 *                not the host: memory not charged to it below 4 KiB per
 *                file (the old module took ~400 KiB per open, uncharged);
 *   setuid-race  SET_PID racing the exec of a setuid-root binary never
 *                reports that image's pages.
 *
 * usage: access-check --cgroup DIR --setuid-target PATH [CHECK...]
 *   DIR: an empty cgroup v2 directory with the memory controller;
 *   PATH: a setuid-root copy of setuid-target on a suid-capable mount.
 *   Runs the CHECKs named (all by default) as root in the lab, with the
 *   module loaded. Prints PASS:/FAIL: lines and figures.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "idle_pages.h"
#include "ip_decode.h"
#include "verdict.h"

#define NOBODY		65534

#define MEMCG_FILES	20000
#define MEMCG_BATCH	500
/* Uncharged memory allowed per open file, and the noise of a small total. */
#define MEMCG_MAX_PER_FILE	4096ll
#define MEMCG_SLACK		(16ll << 20)

/* The setuid helper's region: an address no other image here maps. */
#define RACE_ADDR	0x3a5e00000000ull
#define RACE_PAGES	32
#define RACE_TRIES	2000
#define RACE_SECS	40

static const char *cgroup_dir;
static const char *setuid_path;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_file(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes one formatted string to @path in one write; -1 with errno. */
static int write_file(const char *path, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int fd, len, err;
	ssize_t n;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* no O_TRUNC: procfs and cgroupfs files refuse truncation */
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
	if (fd < 0)
		return -1;
	n = write(fd, buf, len);
	err = errno;
	close(fd);
	errno = err;
	return n == len ? 0 : -1;
}

/* A number from a file whose first field is one (memory.current). */
static long long read_number(const char *path)
{
	FILE *f = fopen(path, "re");
	long long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* MemTotal - MemFree from /proc/meminfo, in bytes; -1 if unreadable. */
static long long mem_used(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	long long total = -1, free_kib = -1, v;
	char key[64];

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld kB", key, &v) == 2) {
		if (!strcmp(key, "MemTotal:"))
			total = v;
		else if (!strcmp(key, "MemFree:"))
			free_kib = v;
	}
	fclose(f);
	return total < 0 || free_kib < 0 ? -1 : (total - free_kib) * 1024;
}

/*
 * An ordinary user: no supplementary groups, uid/gid 65534, dumpable
 * (changing uids clears that, which would hide even our own /proc/PID).
 */
static bool drop_privileges(const char *what)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY) || prctl(PR_SET_DUMPABLE, 1)) {
		verdict(false, "%s: drop to uid %d: %s", what, NOBODY,
			strerror(errno));
		return false;
	}
	return true;
}

static int open_file(const char *what)
{
	int fd = open(IDLE_PAGES_PATH, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		verdict(false, "%s: open %s: %s", what, IDLE_PAGES_PATH,
			strerror(errno));
	return fd;
}

/*
 * unshare(CLONE_NEWUSER | @flags), as root of the new user namespace
 * mapped to our own uid and gid, with / private so that our mounts stay
 * in our mount namespace. Any failure is a FAIL, never a skip: the
 * check would prove nothing.
 */
static bool enter_userns(int flags, const char *flag_names,
			 const char *what)
{
	char map[32];

	if (unshare(CLONE_NEWUSER | flags)) {
		verdict(false, "%s: unshare(CLONE_NEWUSER|%s) as uid %d: %s "
			"(unprivileged user namespaces off?)", what,
			flag_names, NOBODY, strerror(errno));
		return false;
	}
	snprintf(map, sizeof(map), "0 %d 1", NOBODY);
	if (write_file("/proc/self/setgroups", "deny") ||
	    write_file("/proc/self/uid_map", "%s", map) ||
	    write_file("/proc/self/gid_map", "%s", map)) {
		verdict(false, "%s: map root of the new user namespace to "
			"uid %d: %s", what, NOBODY, strerror(errno));
		return false;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		verdict(false, "%s: make / private in the new mount "
			"namespace: %s", what, strerror(errno));
		return false;
	}
	return true;
}

/* SET_PID(@pid) must be refused, and a read then returns no data. */
static void expect_refused(int fd, pid_t pid, const char *what)
{
	uint8_t buf[4096];
	char got[64];
	long r = ioctl(fd, IDLE_PAGE_SET_PID, (unsigned long)pid);
	int err = errno;

	verdict(r == -1 && (err == EACCES || err == EPERM),
		"%s: SET_PID(%d) refused with EACCES/EPERM (got %s)", what,
		pid, r == -1 ? strerror(err) : "success");
	lseek(fd, 0, SEEK_SET);
	r = read(fd, buf, sizeof(buf));
	if (r < 0)
		snprintf(got, sizeof(got), "%s", strerror(errno));
	else
		snprintf(got, sizeof(got), "%ld bytes", r);
	verdict(r <= 0, "%s: a read then returns no data (got %s)", what,
		got);
}

/* 1. A fake /proc/1/pagemap on a tmpfs over /proc, in a user namespace. */
static void check_userns_proc(void)
{
	const char *what = "userns-proc";
	int fd, pm;

	if (!drop_privileges(what))
		return;
	/* opened before, as the file is gone once /proc is covered */
	fd = open_file(what);
	if (fd < 0 || !enter_userns(CLONE_NEWNS, "CLONE_NEWNS", what))
		return;
	if (mount("tmpfs", "/proc", "tmpfs", 0, "mode=755")) {
		verdict(false, "%s: mount a tmpfs over /proc: %s", what,
			strerror(errno));
		return;
	}
	if (mkdir("/proc/1", 0755) ||
	    write_file("/proc/1/pagemap", "not a pagemap")) {
		verdict(false, "%s: create /proc/1/pagemap on the tmpfs: %s",
			what, strerror(errno));
		return;
	}
	/* The trap is set: path lookups of /proc/1/pagemap now find ours. */
	pm = open("/proc/1/pagemap", O_RDONLY);
	verdict(pm >= 0, "%s: /proc/1/pagemap in the caller's mount "
		"namespace is its own tmpfs file (%s)", what,
		pm >= 0 ? "opens" : strerror(errno));
	expect_refused(fd, 1, what);
}

/* 2. /proc of a new pid namespace, where pid 1 is our own child. */
static void check_pidns_proc(void)
{
	const char *what = "pidns-proc";
	int ready[2], done[2], fd, pm, err = 0;
	pid_t init;
	char c;

	if (!drop_privileges(what))
		return;
	fd = open_file(what);
	if (fd < 0 || !enter_userns(CLONE_NEWNS | CLONE_NEWPID,
				    "CLONE_NEWNS|CLONE_NEWPID", what))
		return;
	if (pipe(ready) || pipe(done)) {
		verdict(false, "%s: pipe: %s", what, strerror(errno));
		return;
	}
	/* Our pid namespace stays the old one; only this child's is new. */
	init = fork();
	if (init == 0) {
		close(ready[0]);
		close(done[1]);
		if (getpid() != 1)
			err = -1;
		else if (mount("proc", "/proc", "proc",
			       MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
			err = errno;
		if (write(ready[1], &err, sizeof(err)) != sizeof(err))
			_exit(1);
		/* until the caller closes its end */
		while (read(done[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(done[0]);
	if (init < 0 || read(ready[0], &err, sizeof(err)) != sizeof(err) ||
	    err) {
		verdict(false, "%s: mount the new pid namespace's proc on "
			"/proc: %s", what, init < 0 ? strerror(errno) :
			err > 0 ? strerror(err) :
			"its first child is not pid 1 there");
		goto out;
	}
	pm = open("/proc/1/pagemap", O_RDONLY);
	verdict(pm >= 0, "%s: /proc/1/pagemap in the caller's mount "
		"namespace is its child's (pid %d outside), which it may read "
		"(%s)", what, init, pm >= 0 ? "opens" : strerror(errno));
	expect_refused(fd, 1, what);
out:
	close(done[1]);
	if (init > 0)
		waitpid(init, NULL, 0);
}

/* 3. Files held open are charged to the opener's memory cgroup. */
static void check_memcg(void)
{
	const char *what = "memcg";
	struct rlimit rl = { MEMCG_FILES + 64, MEMCG_FILES + 64 };
	long long used0, cur0, used = 0, charged = 0, uncharged = 0;
	char path[PATH_MAX], cur_path[PATH_MAX];
	int *fds = calloc(MEMCG_FILES, sizeof(*fds));
	int n = 0;
	bool over = false;

	if (!cgroup_dir) {
		verdict(false, "%s: no --cgroup given", what);
		return;
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup_dir);
	snprintf(cur_path, sizeof(cur_path), "%s/memory.current",
		 cgroup_dir);
	if (!fds || write_file(path, "%d", (int)getpid()) ||
	    setrlimit(RLIMIT_NOFILE, &rl)) {
		verdict(false, "%s: join %s with %d files allowed: %s", what,
			cgroup_dir, MEMCG_FILES + 64, strerror(errno));
		return;
	}
	if (!drop_privileges(what))
		return;
	used0 = mem_used();
	cur0 = read_number(cur_path);
	if (used0 < 0 || cur0 < 0) {
		verdict(false, "%s: read /proc/meminfo and %s: %s", what,
			cur_path, strerror(errno));
		return;
	}
	while (n < MEMCG_FILES && !over) {
		for (int i = 0; i < MEMCG_BATCH && n < MEMCG_FILES; i++) {
			fds[n] = open(IDLE_PAGES_PATH, O_RDONLY);
			if (fds[n] < 0) {
				verdict(false, "%s: open number %d: %s", what,
					n + 1, strerror(errno));
				return;
			}
			n++;
		}
		used = mem_used() - used0;
		charged = read_number(cur_path) - cur0;
		uncharged = used - charged;
		/* totals, so the noise of a small sum can't decide alone */
		over = uncharged > n * MEMCG_MAX_PER_FILE + MEMCG_SLACK;
		if (over || n % 5000 == 0 || n == MEMCG_BATCH)
			printf("%s: %d files open: used +%lld KiB, cgroup "
			       "+%lld KiB, not charged %lld KiB (%.1f KiB "
			       "per file)\n", what, n, used >> 10,
			       charged >> 10, uncharged >> 10,
			       uncharged / 1024.0 / n);
	}
	verdict(!over && n == MEMCG_FILES &&
		uncharged < n * MEMCG_MAX_PER_FILE,
		"%s: %d of %d files open by uid %d, memory not charged to its "
		"cgroup %.1f KiB per file (limit %.0f; charged %.1f KiB per "
		"file)%s", what, n, MEMCG_FILES, NOBODY,
		uncharged / 1024.0 / n, MEMCG_MAX_PER_FILE / 1024.0,
		charged / 1024.0 / n, over ? ": stopped early" : "");
}

/* 4. Present pages of the helper's region in one read at RACE_ADDR. */
struct region_count {
	uint64_t lo, hi, present;
};

static int count_present(void *arg, const struct ip_range *r)
{
	struct region_count *c = arg;
	uint64_t lo = r->hva, hi = r->hva + r->npages * IP_PAGE_SIZE;

	if (ip_type_state(r->type) == IP_ST_HOLE)
		return 0;
	lo = lo > c->lo ? lo : c->lo;
	hi = hi < c->hi ? hi : c->hi;
	if (lo < hi)
		c->present += (hi - lo) / IP_PAGE_SIZE;
	return 0;
}

/* The region's present pages as read through @fd; -1 with errno. */
static long region_present(int fd)
{
	struct region_count c = {
		RACE_ADDR, RACE_ADDR + RACE_PAGES * IP_PAGE_SIZE, 0
	};
	struct ip_decoder d;
	uint8_t buf[256];
	ssize_t n;

	if (lseek(fd, (off_t)RACE_ADDR, SEEK_SET) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		return -1;
	ip_decoder_init(&d, RACE_ADDR, 0);
	if (ip_decode(&d, buf, n, count_present, &c) ||
	    ip_decode_finish(&d, count_present, &c)) {
		fprintf(stderr, "setuid-race: bad stream: %s\n", d.msg);
		errno = EBADMSG;
		return -1;
	}
	return c.present;
}

/*
 * Forks a child that writes a byte to *@exec_rd's pipe just before it
 * execs the setuid helper; the helper writes its euid to *@ready_rd's
 * pipe once its region is mapped and written.
 */
static pid_t spawn_helper(int *exec_rd, int *ready_rd)
{
	int ex[2], ready[2];
	pid_t pid;

	if (pipe2(ex, O_CLOEXEC) || pipe2(ready, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		char addr[32], pages[16], rfd[16];

		fcntl(ready[1], F_SETFD, 0);	/* the helper keeps it */
		snprintf(addr, sizeof(addr), "%llx", RACE_ADDR);
		snprintf(pages, sizeof(pages), "%d", RACE_PAGES);
		snprintf(rfd, sizeof(rfd), "%d", ready[1]);
		if (write(ex[1], "x", 1) != 1)
			_exit(126);
		execl(setuid_path, "setuid-target", addr, pages, rfd,
		      (char *)NULL);
		_exit(127);
	}
	close(ex[1]);
	close(ready[1]);
	*exec_rd = ex[0];
	*ready_rd = ready[0];
	return pid;
}

/* Waits up to @ms for the helper's euid; false if it never came. */
static bool helper_ready(int fd, int ms, unsigned int *euid)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 &&
		read(fd, euid, sizeof(*euid)) == sizeof(*euid);
}

static void reap(pid_t pid, int exec_rd, int ready_rd)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(exec_rd);
	close(ready_rd);
}

/* Root sees the helper's region: the reader and the address are right. */
static bool race_control(const char *what)
{
	int ex, rd, fd;
	unsigned int euid;
	long n = -1;
	pid_t pid = spawn_helper(&ex, &rd);

	if (pid < 0 || !helper_ready(rd, 10000, &euid)) {
		verdict(false, "%s: run %s: it never said ready", what,
			setuid_path);
		if (pid > 0)
			reap(pid, ex, rd);
		return false;
	}
	fd = open_file(what);
	if (fd >= 0 && !ioctl(fd, IDLE_PAGE_SET_PID, (unsigned long)pid))
		n = region_present(fd);
	verdict(n == RACE_PAGES, "%s: control: root's SET_PID on the "
		"helper reads its %d pages at %#llx (got %ld: %s)", what,
		RACE_PAGES, RACE_ADDR, n, n < 0 ? strerror(errno) : "pages");
	if (fd >= 0)
		close(fd);
	reap(pid, ex, rd);
	return n == RACE_PAGES;
}

/* How long the helper takes from our exec byte to ready, max of 5 runs. */
static long exec_time_us(const char *what)
{
	long max_us = 0;

	for (int i = 0; i < 5; i++) {
		int ex, rd;
		unsigned int euid = ~0u;
		char c;
		double t0;
		pid_t pid = spawn_helper(&ex, &rd);

		if (pid < 0 || read(ex, &c, 1) != 1) {
			verdict(false, "%s: fork the helper: %s", what,
				strerror(errno));
			return -1;
		}
		t0 = now_s();
		if (!helper_ready(rd, 10000, &euid) || euid != 0) {
			verdict(false, "%s: the helper did not run as root "
				"from uid %d (euid %d): not setuid-root, or a "
				"nosuid mount?", what, NOBODY, (int)euid);
			reap(pid, ex, rd);
			return -1;
		}
		t0 = (now_s() - t0) * 1e6;
		if (t0 > max_us)
			max_us = t0;
		reap(pid, ex, rd);
	}
	return max_us;
}

static void spin_us(long us)
{
	double end = now_s() + us / 1e6;

	while (now_s() < end)
		;
}

/* 4. SET_PID racing a setuid exec never reads the setuid image. */
static void check_setuid_race(void)
{
	const char *what = "setuid-race";
	int tries, accepted = 0, refused = 0, leaks = 0, esrch = 0;
	int other_read = 0, other_set = 0, not_ready = 0;
	long exec_us, max_delay;
	double start;

	if (!setuid_path) {
		verdict(false, "%s: no --setuid-target given", what);
		return;
	}
	if (!race_control(what) || !drop_privileges(what))
		return;
	exec_us = exec_time_us(what);
	if (exec_us < 0)
		return;
	/* from just before execve to a bit past the helper's ready */
	max_delay = exec_us + exec_us / 4;
	start = now_s();
	for (tries = 0; tries < RACE_TRIES && now_s() - start < RACE_SECS;
	     tries++) {
		/* golden-ratio steps cover the range evenly at any count */
		double frac = tries * 0.6180339887;
		long delay = (frac - (long)frac) * max_delay;
		int fd = open_file(what), ex, rd;
		unsigned int euid;
		pid_t pid;
		char c;
		long n;

		if (fd < 0)
			return;
		pid = spawn_helper(&ex, &rd);
		if (pid < 0 || read(ex, &c, 1) != 1) {
			verdict(false, "%s: fork the helper: %s", what,
				strerror(errno));
			return;
		}
		spin_us(delay);
		if (ioctl(fd, IDLE_PAGE_SET_PID, (unsigned long)pid)) {
			if (errno == EACCES || errno == EPERM)
				refused++;
			else if (other_set++ == 0)
				printf("%s: try %d: SET_PID: %s\n", what,
				       tries, strerror(errno));
			reap(pid, ex, rd);
			close(fd);
			continue;
		}
		accepted++;
		/* Read once the image is complete: a leak then shows. */
		if (!helper_ready(rd, 10000, &euid))
			not_ready++;
		n = region_present(fd);
		if (n > 0) {
			if (leaks++ == 0)
				printf("%s: try %d, SET_PID %ld us after the "
				       "exec began: read %ld present pages of "
				       "the setuid image at %#llx\n", what,
				       tries, delay, n, RACE_ADDR);
		} else if (n < 0 && errno == ESRCH)
			esrch++;	/* the target's old image is gone */
		else if (n <= 0)
			other_read++;
		reap(pid, ex, rd);
		close(fd);
	}
	printf("%s: %d tries in %.1f s, SET_PID 0-%ld us after the helper's "
	       "fork began its exec (exec to ready up to %ld us): accepted "
	       "%d (then %d reads of the setuid image, %d ESRCH, %d other, "
	       "%d helpers never ready), refused %d, other errors %d\n",
	       what, tries, now_s() - start, max_delay, exec_us, accepted,
	       leaks, esrch, other_read, not_ready, refused, other_set);
	verdict(leaks == 0, "%s: SET_PID racing a setuid-root exec never "
		"read the setuid image (%d leaks in %d tries)", what, leaks,
		tries);
}

static const struct {
	const char *name;
	void (*run)(void);
	unsigned int timeout_s;
} checks[] = {
	{ "userns-proc", check_userns_proc, 60 },
	{ "pidns-proc", check_pidns_proc, 60 },
	{ "memcg", check_memcg, 150 },
	{ "setuid-race", check_setuid_race, RACE_SECS + 60 },
};
#define NR_CHECKS (sizeof(checks) / sizeof(checks[0]))

/* Each check in a child of its own: they drop privileges and unshare. */
static void run_check(unsigned int i)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		alarm(checks[i].timeout_s);
		checks[i].run();
		exit(failures > 255 ? 255 : failures);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		verdict(false, "%s: fork: %s", checks[i].name, strerror(errno));
		return;
	}
	if (WIFEXITED(status))
		failures += WEXITSTATUS(status);
	else
		verdict(false, "%s: its process died of signal %d (%s)",
			checks[i].name, WTERMSIG(status),
			WTERMSIG(status) == SIGALRM ? "timed out" : "crashed");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "setuid-target", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	bool want[NR_CHECKS] = { false }, any = false;
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'c')
			cgroup_dir = optarg;
		else if (opt == 's')
			setuid_path = optarg;
		else
			goto usage;
	}
	for (int a = optind; a < argc; a++) {
		unsigned int i;

		for (i = 0; i < NR_CHECKS; i++)
			if (!strcmp(argv[a], checks[i].name))
				break;
		if (i == NR_CHECKS)
			goto usage;
		want[i] = any = true;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "access-check: run as root\n");
		return 2;
	}
	for (unsigned int i = 0; i < NR_CHECKS; i++)
		if (want[i] || !any)
			run_check(i);
	return failures ? 1 : 0;
usage:
	fprintf(stderr, "usage: access-check --cgroup DIR --setuid-target "
		"PATH [userns-proc|pidns-proc|memcg|setuid-race...]\n");
	return 2;
}
