/* SPDX-License-Identifier: MIT */
/*
 * agent-scale - benchmark 5: the agent's own pipeline (agent_attach, then
 * agent_interval: the idle_pages reader and decoder, hotness, locate,
 * planner, mover), linked from the objects vmm-agent is built from, on
 * synthetic guests of 1 GiB to 1 TiB (pattern.h), natively.
 *
 * The kernel below it is faked: /proc/idle_pages serves the bytes the
 * module would send (fake_module.h), move_pages(2) and the host's huge
 * pages answer from a bitmap (fake_numa.h). The fakes' time is taken off
 * the agent's, and the real calls' cost, measured on this machine
 * (walk_cost.h, syscost.h), is added back as a projection per interval.
 * Every time is clock.h's: the pipeline's thread never sleeps here.
 *
 * Cases per size and pattern, each a try from attach on:
 *   converged   the hot set in DRAM, the rest on PMEM from the start;
 *               after 8 scans (a full history), the mean of a round of 4
 *               intervals (every fourth scan finds the warm set accessed
 *               too);
 *   all-pmem    everything on PMEM at attach; the first interval that
 *               promotes (the second, once the first sweep of where
 *               pages sit is whole: 1 to 4 intervals, agent.h).
 * Each case also times agent_attach() and the interval right after it,
 * to show that attaching a large guest blocks nothing.
 * Each case is tried 3 times, in 3 passes over all of them, so that its
 * tries are minutes apart (this machine is shared), each try in a
 * process of its own, and the try that took least time counts.
 * DRAM limit 25%, policy defaults otherwise (5 s interval, hot = 2 of 4
 * scans, cold = 4 idle scans, 256 MiB/s: 1.25 GiB moved an interval).
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <pthread.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "agent.h"
#include "bench_env.h"
#include "clock.h"
#include "fake_module.h"
#include "fake_numa.h"
#include "heap_count.h"
#include "pattern.h"
#include "read_floor.h"
#include "stage.h"
#include "syscost.h"
#include "walk_cost.h"

#define GIB		(1ull << 30)
#define TIB		(1ull << 40)
#define BASE		0x7f0000000000ull	/* guest RAM's HVA, 1 GiB aligned */
#define LIMIT_PCT	25
#define INTERVAL_S	5.0		/* the policy's default scan_interval */
#define WARMUP_SCANS	8		/* a full history byte */
#define MAX_SIZES	16
#define MAX_REPS	9
#define FLOOR_BUF	(256u << 10)	/* the reader's buffer */

struct opts {
	uint64_t sizes[MAX_SIZES];
	int nsizes;
	bool kind_on[PAT_NR];
	int reps;
	uint64_t walk_bytes;
	const char *json;
};

/* What one interval, or the mean interval of a round, did and cost. */
struct iv {
	double cpu[ST_NR], fake[ST_NR];	/* s, by clock.h */
	double wall[ST_NR];		/* s, the agent's own counters */
	double thread_cpu;		/* s, the thread's CPU clock */
	double faults;			/* minor page faults */
	double warm;			/* share of warm scans */
	double pages_scanned, promoted, demoted;	/* the agent's counters */
	/* the calls the fakes answered */
	double opens, ioctls, lseeks, reads, bytes;
	double query_calls, query_addrs, move_calls, move_addrs, moved_pages;
	double host_huge_calls, pagemap_reads, pagemap_entries;
};

#define IV_FIELDS	(sizeof(struct iv) / sizeof(double))

static void iv_add(struct iv *sum, const struct iv *x, double w)
{
	double *d = (double *)sum;
	const double *v = (const double *)x;

	for (size_t i = 0; i < IV_FIELDS; i++)
		d[i] += w * v[i];
}

static double iv_agent_s(const struct iv *x)
{
	return x->cpu[ST_SCAN] + x->cpu[ST_LOCATE] + x->cpu[ST_PLAN] +
	       x->cpu[ST_MOVE];
}

/* The real calls' cost of an interval, s. */
struct projection {
	double walk, locate, page_info, move, other, total;
};

struct case_result {
	enum pat_kind kind;
	uint64_t guest;
	bool converged;
	struct iv best;
	double agent_s;			/* sum of best.cpu */
	double totals[MAX_REPS];	/* each try's agent s */
	int nreps;
	struct projection proj;
	double floor_s;
	/* attach, and the interval right after it */
	double attach_s;
	struct fake_numa_counts attach_fn;
	struct projection attach_proj;
	struct iv first;
	struct projection first_proj;
	unsigned int promoting_interval;	/* all-pmem: which one */
	/* heap, bytes above the driver's own */
	int64_t heap_attach_peak, heap_peak, heap_retained, mallinfo_in_use;
	uint64_t dram_pages;		/* in DRAM at the end */
	bool settled;			/* converged: nothing moved */
	double load, wall;		/* highest 1-min load at a try; s taken */
};

struct env {
	const struct pattern *pat;
	uint64_t guest, pages;
	struct fake_module fm;
	struct fake_numa fn;
	struct ip_reader reader;
	struct policy pol;
	struct agent a;
};

static const struct syscost *g_sc;
static double g_floor_ns_per_byte;
static char g_root[] = "/tmp/agent-scale-XXXXXX";	/* /proc: empty */
static char g_sys[] = "/tmp/agent-scale-sys-XXXXXX";	/* the frames' nodes */
static bool plan_marked;

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_dirs(void)
{
	rmdir(g_root);
	if (g_sys[strlen(g_sys) - 1] != 'X')
		nftw(g_sys, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void __attribute__((format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "agent-scale: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	remove_dirs();	/* whichever of parent and child is first */
	exit(1);
}

static double wall_s(void)
{
	return run_ns() / 1e9;
}

/* The plan begins with plan_make()'s first allocation (stage.h). */
static void on_alloc(void)
{
	if (stage_active() && stage_current() == ST_LOCATE) {
		stage_enter(ST_PLAN);
		plan_marked = true;
	}
}

/* The agent's own scan source; its return ends the scan stage. */
static int timed_scan(void *ctx, pid_t pid, struct agent_scan *s,
		      const struct ip_hva_range *r, size_t n, struct hotness *h,
		      char *err, size_t errlen)
{
	int rc = agent_scan_idle_pages(ctx, pid, s, r, n, h, err, errlen);

	stage_enter(ST_LOCATE);
	return rc;
}

static void env_init(struct env *e, const struct pattern *p, uint64_t guest,
		     bool converged)
{
	memset(e, 0, sizeof(*e));
	e->pat = p;
	e->guest = guest;
	e->pages = guest / 4096;
	if (fake_module_init(&e->fm, p, BASE, e->pages) ||
	    fake_numa_init(&e->fn, p, BASE, e->pages))
		die("out of memory for the fakes of %llu GiB",
		    (unsigned long long)(guest / GIB));
	fake_numa_place(&e->fn, converged);
	ip_reader_init(&e->reader, &e->fm.ops);
	policy_defaults(&e->pol);
	e->pol.dram_nodes[0] = FAKE_DRAM_NODE;
	e->pol.nr_dram_nodes = 1;
	e->pol.pmem_nodes[0] = FAKE_PMEM_NODE;
	e->pol.nr_pmem_nodes = 1;
	e->pol.limit_percent = LIMIT_PCT;
	agent_init(&e->a, &e->pol, &e->fn.ops, timed_scan, &e->reader);
	snprintf(e->a.st.domain, sizeof(e->a.st.domain), "agent-scale");
	/* empty: no cpuset, no numa_balancing, no DAMON to report */
	e->a.proc_root = g_root;
	e->a.sys_root = g_sys;
}

static void env_fini(struct env *e)
{
	agent_fini(&e->a);
	ip_reader_fini(&e->reader);
	fake_module_fini(&e->fm);
	fake_numa_fini(&e->fn);
}

static void attach(struct env *e, struct case_result *cr)
{
	struct ip_hva_range rg = { BASE, BASE + e->guest };
	uint64_t fake0 = stage_fake_total(), t0 = run_ns();
	char err[1024];

	if (agent_attach(&e->a, getpid(), &rg, 1, e->guest, err, sizeof(err)))
		die("agent_attach: %s", err);
	cr->attach_s = (run_ns() - t0 - (stage_fake_total() - fake0)) / 1e9;
	cr->attach_fn = e->fn.n;	/* a fresh fake: all of it is attach's */
}

#define DELTA(a, b, field)	((double)((a).field - (b).field))

/* One agent_interval(), measured. */
static void interval(struct env *e, struct iv *out)
{
	struct fake_module_counts fm0 = e->fm.n;
	struct fake_numa_counts fn0 = e->fn.n;
	struct agent_counters c0 = e->a.st.c;
	const struct agent_counters *c = &e->a.st.c;
	struct stage_times t;
	uint64_t scan = e->fm.scan + 1;
	unsigned int errs = stage_order_errors();
	uint64_t tc = thread_cpu_ns();
	struct rusage ru0, ru;

	getrusage(RUSAGE_THREAD, &ru0);
	plan_marked = false;
	stage_begin();
	if (agent_interval(&e->a))
		die("agent_interval: %s", e->a.st.last_error);
	stage_end(&t);
	tc = thread_cpu_ns() - tc;
	getrusage(RUSAGE_THREAD, &ru);
	if (!plan_marked || stage_order_errors() != errs)
		die("the stage borders are not where stage.h says: did the agent's locate or plan change?");
	memset(out, 0, sizeof(*out));
	out->thread_cpu = tc / 1e9;
	out->faults = (double)(ru.ru_minflt - ru0.ru_minflt);
	for (int s = 0; s < ST_NR; s++) {
		out->cpu[s] = t.cpu[s] / 1e9;
		out->fake[s] = t.fake[s] / 1e9;
	}
	out->wall[ST_SCAN] = DELTA(*c, c0, scan_ns) / 1e9;
	out->wall[ST_LOCATE] = DELTA(*c, c0, locate_ns) / 1e9;
	out->wall[ST_PLAN] = DELTA(*c, c0, plan_ns) / 1e9;
	out->wall[ST_MOVE] = DELTA(*c, c0, move_ns) / 1e9;
	out->warm = pattern_warm_scan(scan);
	out->pages_scanned = DELTA(*c, c0, pages_scanned);
	out->promoted = DELTA(*c, c0, promoted_pages);
	out->demoted = DELTA(*c, c0, demoted_pages);
	out->opens = DELTA(e->fm.n, fm0, opens);
	out->ioctls = DELTA(e->fm.n, fm0, ioctls);
	out->lseeks = DELTA(e->fm.n, fm0, lseeks);
	out->reads = DELTA(e->fm.n, fm0, reads);
	out->bytes = DELTA(e->fm.n, fm0, bytes);
	out->query_calls = DELTA(e->fn.n, fn0, query_calls);
	out->query_addrs = DELTA(e->fn.n, fn0, query_addrs);
	out->move_calls = DELTA(e->fn.n, fn0, move_calls);
	out->move_addrs = DELTA(e->fn.n, fn0, move_addrs);
	out->moved_pages = DELTA(e->fn.n, fn0, moved_pages);
	out->host_huge_calls = DELTA(e->fn.n, fn0, host_huge_calls);
	out->pagemap_reads = DELTA(e->fn.n, fn0, pagemap_reads);
	out->pagemap_entries = DELTA(e->fn.n, fn0, pagemap_entries);
}

/* In use by malloc by its own count (mallinfo2), for the cross-check. */
static int64_t mallinfo_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (int64_t)(mi.uordblks + mi.hblkhd);
}

/* The real calls behind what an interval (or the attach) asked the fakes. */
static void project(const struct pattern *p, const struct walk_cost *wc,
		    const struct iv *x, double pages_walked,
		    struct projection *pr)
{
	const struct syscost *sc = g_sc;
	bool huge = p->host_huge;

	pr->walk = pages_walked * ((1 - x->warm) * wc->ns_per_page[0] +
				   x->warm * wc->ns_per_page[1]) / 1e9;
	pr->locate = (x->query_addrs * (huge ? sc->mp_query_thp_ns :
					sc->mp_query_ns) +
		      x->pagemap_entries * (huge ? sc->pagemap_bulk_thp_ns :
					    sc->pagemap_bulk_ns)) / 1e9;
	/* a 4 KiB page's PFN is not 2 MiB aligned: no kpageflags read */
	pr->page_info = x->host_huge_calls *
			(huge ? sc->pagemap_thp_ns + sc->kpageflags_ns :
			 sc->pagemap_ns) / 1e9;
	pr->move = x->move_addrs * (huge ? sc->mp_move_thp_ns :
				    sc->mp_move_ns) / 1e9;
	pr->other = (x->opens * sc->open_close_ns +
		     (x->ioctls + x->lseeks + x->reads) * sc->syscall_ns) / 1e9;
	pr->total = pr->walk + pr->locate + pr->page_info + pr->move +
		     pr->other;
}

static void finish_case(struct case_result *cr, const struct pattern *p,
			const struct walk_cost *wc)
{
	struct iv at = { 0 };

	cr->agent_s = iv_agent_s(&cr->best);
	project(p, wc, &cr->best, (double)(cr->guest / 4096), &cr->proj);
	at.query_calls = (double)cr->attach_fn.query_calls;
	at.query_addrs = (double)cr->attach_fn.query_addrs;
	at.host_huge_calls = (double)cr->attach_fn.host_huge_calls;
	at.pagemap_entries = (double)cr->attach_fn.pagemap_entries;
	project(p, wc, &at, 0, &cr->attach_proj);
	project(p, wc, &cr->first, (double)(cr->guest / 4096),
		&cr->first_proj);
	cr->floor_s = cr->best.bytes * g_floor_ns_per_byte / 1e9;
}

static void try_start(struct case_result *cr, const struct pattern *p,
		      uint64_t guest, bool converged)
{
	memset(cr, 0, sizeof(*cr));
	cr->kind = p->kind;
	cr->guest = guest;
	cr->converged = converged;
	cr->settled = true;
	cr->load = bench_loadavg();
	cr->wall = wall_s();
}

static void try_end(struct case_result *cr, struct env *e, const struct iv *x,
		    int64_t base, int64_t mi0)
{
	cr->best = *x;
	cr->totals[cr->nreps++] = iv_agent_s(x);
	cr->heap_peak = heap_peak() - base;
	cr->heap_retained = heap_live() - base;
	cr->mallinfo_in_use = mallinfo_in_use() - mi0;
	cr->dram_pages = fake_numa_dram_pages(&e->fn);
	env_fini(e);
	cr->wall = wall_s() - cr->wall;
}

/*
 * Converged: attach, a full history, then a round of 4 intervals (every
 * fourth scan is a warm one).
 */
static void try_converged(const struct pattern *p, uint64_t guest,
			  struct case_result *cr)
{
	struct iv round = { 0 }, x;
	int64_t base, mi0;
	struct env e;

	try_start(cr, p, guest, true);
	env_init(&e, p, guest, true);
	base = heap_live();
	mi0 = mallinfo_in_use();
	heap_peak_reset();
	attach(&e, cr);
	cr->heap_attach_peak = heap_peak() - base;
	heap_peak_reset();
	interval(&e, &cr->first);
	for (int i = 1; i < WARMUP_SCANS; i++)
		interval(&e, &x);
	for (int i = 0; i < PAT_WARM_EVERY; i++) {
		interval(&e, &x);
		iv_add(&round, &x, 1.0 / PAT_WARM_EVERY);
	}
	cr->settled = !round.moved_pages;
	try_end(cr, &e, &round, base, mi0);
}

/* All on PMEM: attach, a first scan, the first promoting interval. */
static void try_all_pmem(const struct pattern *p, uint64_t guest,
			 struct case_result *cr)
{
	int64_t base, mi0;
	struct env e;
	struct iv x;

	try_start(cr, p, guest, false);
	env_init(&e, p, guest, false);
	base = heap_live();
	mi0 = mallinfo_in_use();
	heap_peak_reset();
	attach(&e, cr);
	cr->heap_attach_peak = heap_peak() - base;
	interval(&e, &cr->first);	/* one scan: nothing is hot yet */
	for (cr->promoting_interval = 2;; cr->promoting_interval++) {
		heap_peak_reset();
		interval(&e, &x);
		if (x.promoted)
			break;
		if (cr->promoting_interval > AGENT_SWEEP_FAST + 1)
			die("%s %llu GiB all on PMEM: interval %u promoted nothing",
			    pattern_name(p->kind),
			    (unsigned long long)(guest / GIB),
			    cr->promoting_interval);
	}
	try_end(cr, &e, &x, base, mi0);
}

/* A signal handler's flag, set from another thread after delay_ns. */
struct stopper {
	volatile int *flag;
	uint64_t delay_ns, set_at;
};

static void *stopper_run(void *arg)
{
	struct stopper *s = arg;
	struct timespec ts = { (time_t)(s->delay_ns / 1000000000ull),
			       (long)(s->delay_ns % 1000000000ull) };

	nanosleep(&ts, NULL);
	s->set_at = run_ns();
	*s->flag = 1;
	return NULL;
}

#define SIGNAL_TRIES	12

/*
 * How soon agent_interval() returns once the flag vmm-agent's SIGTERM
 * and SIGHUP handler sets (main.c) is set, at points spread over
 * intervals of a converged guest: the worst, s. attach_s: attach's time.
 */
static double signal_latency(const struct pattern *p, uint64_t guest,
			     double *attach_s, double *interval_s)
{
	volatile int flag = 0;
	double worst = 0, whole;
	struct case_result cr;
	uint64_t t0;
	struct env e;

	env_init(&e, p, guest, true);
	e.a.stop = &flag;
	try_start(&cr, p, guest, true);
	attach(&e, &cr);
	*attach_s = cr.attach_s;
	for (int i = 0; i < WARMUP_SCANS; i++)
		if (agent_interval(&e.a))
			die("agent_interval: %s", e.a.st.last_error);
	t0 = run_ns();
	if (agent_interval(&e.a))
		die("agent_interval: %s", e.a.st.last_error);
	whole = (run_ns() - t0) / 1e9;
	*interval_s = whole;
	for (int i = 0; i < SIGNAL_TRIES; i++) {
		struct stopper st = { &flag, (uint64_t)(whole * 1e9) * i /
					     SIGNAL_TRIES, 0 };
		pthread_t th;
		uint64_t back;

		flag = 0;
		if (pthread_create(&th, NULL, stopper_run, &st))
			die("pthread_create failed");
		agent_interval(&e.a);
		back = run_ns();
		pthread_join(th, NULL);
		if (st.set_at && back > st.set_at &&
		    (back - st.set_at) / 1e9 > worst)
			worst = (back - st.set_at) / 1e9;
	}
	env_fini(&e);
	return worst;
}

/* Adds a try to the case: the one that took least time counts. */
static void merge_try(struct case_result *cr, const struct case_result *t)
{
	if (!cr->nreps) {
		*cr = *t;
		return;
	}
	cr->totals[cr->nreps++] = t->totals[0];
	cr->wall += t->wall;
	cr->settled = cr->settled && t->settled;
	if (t->load > cr->load)
		cr->load = t->load;
	if (t->heap_attach_peak > cr->heap_attach_peak)
		cr->heap_attach_peak = t->heap_attach_peak;
	if (t->heap_peak > cr->heap_peak)
		cr->heap_peak = t->heap_peak;
	if (t->attach_s < cr->attach_s) {
		cr->attach_s = t->attach_s;
		cr->attach_fn = t->attach_fn;
	}
	if (iv_agent_s(&t->first) < iv_agent_s(&cr->first))
		cr->first = t->first;
	if (iv_agent_s(&t->best) >= iv_agent_s(&cr->best))
		return;
	cr->best = t->best;
	cr->heap_retained = t->heap_retained;
	cr->mallinfo_in_use = t->mallinfo_in_use;
	cr->dram_pages = t->dram_pages;
}

/*
 * One try, in a child process of its own, as every agent is a process
 * of its own: its allocator starts afresh each time (an agent's first
 * big plan pays page faults for its lists, later ones reuse its heap).
 * The figures come back through a pipe.
 */
static void run_try(const struct pattern *p, uint64_t guest, bool converged,
		    struct case_result *cr)
{
	struct case_result t;
	int fds[2], status;
	ssize_t n = 0;
	pid_t pid;

	fflush(stdout);
	if (pipe(fds))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		close(fds[0]);
		if (converged)
			try_converged(p, guest, &t);
		else
			try_all_pmem(p, guest, &t);
		_exit(write(fds[1], &t, sizeof(t)) == sizeof(t) ? 0 : 1);
	}
	close(fds[1]);
	/* a pipe delivers what fits its buffer in one read: loop anyway */
	for (ssize_t r = 1; n < (ssize_t)sizeof(t) && r > 0; n += r)
		r = read(fds[0], (char *)&t + n, sizeof(t) - (size_t)n);
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || n != (ssize_t)sizeof(t))
		die("a try of %s %llu GiB %s failed", pattern_name(p->kind),
		    (unsigned long long)(guest / GIB),
		    converged ? "converged" : "all-pmem");
	merge_try(cr, &t);
}

static volatile uint64_t sink;

/* ns per byte of one sequential read of the reader's buffer: the floor. */
static double measure_floor(void)
{
	static uint64_t buf[FLOOR_BUF / 8];
	uint64_t best = UINT64_MAX;

	for (size_t i = 0; i < FLOOR_BUF / 8; i++)
		buf[i] = i * 0x9e3779b97f4a7c15ull;
	for (int r = 0; r < 200; r++) {
		uint64_t t0 = run_ns(), t;

		for (int k = 0; k < 16; k++)
			sink = read_floor(buf, FLOOR_BUF / 8);
		t = run_ns() - t0;
		if (t < best)
			best = t;
	}
	return (double)best / (16.0 * FLOOR_BUF);
}

/* ---- output ---- */

static const char *const stage_names[ST_NR] = {
	"scan", "locate", "plan", "move",
};

static double per_page(const struct case_result *cr, double s)
{
	return s * 1e9 / (double)(cr->guest / 4096);
}

static int64_t case_heap_peak(const struct case_result *cr)
{
	return cr->heap_peak > cr->heap_attach_peak ? cr->heap_peak :
	       cr->heap_attach_peak;
}

static void print_case(const struct case_result *cr)
{
	const struct iv *b = &cr->best;

	printf("%5llu GiB %-12s %-9s agent %8.2f ms (scan %.2f, locate %.2f, plan %.2f, move %.2f), %.2f ns/page; "
	       "+ kernel %.2f ms (walk %.2f, move_pages %.2f, pagemap %.2f); "
	       "%.1f%% of a core at 5 s; heap %.2f B/page; floor x%.0f; attach %.3f s + %.3f s, the interval after it %.2f s + %.2f s\n",
	       (unsigned long long)(cr->guest / GIB), pattern_name(cr->kind),
	       cr->converged ? "converged" : "all-pmem", cr->agent_s * 1e3,
	       b->cpu[ST_SCAN] * 1e3, b->cpu[ST_LOCATE] * 1e3,
	       b->cpu[ST_PLAN] * 1e3, b->cpu[ST_MOVE] * 1e3,
	       per_page(cr, cr->agent_s), cr->proj.total * 1e3,
	       cr->proj.walk * 1e3, (cr->proj.locate + cr->proj.move) * 1e3,
	       cr->proj.page_info * 1e3,
	       100 * (cr->agent_s + cr->proj.total) / INTERVAL_S,
	       (double)case_heap_peak(cr) / (double)(cr->guest / 4096),
	       cr->floor_s ? cr->agent_s / cr->floor_s : 0, cr->attach_s,
	       cr->attach_proj.total, iv_agent_s(&cr->first),
	       cr->first_proj.total);
	fflush(stdout);
}

static json_object *jd(double v)
{
	return json_object_new_double(v);
}

static json_object *stages_json(const double *v)
{
	json_object *o = json_object_new_object();
	double sum = 0;

	for (int s = 0; s < ST_NR; s++) {
		json_object_object_add(o, stage_names[s], jd(v[s]));
		sum += v[s];
	}
	json_object_object_add(o, "total", jd(sum));
	return o;
}

static json_object *projection_json(const struct projection *p)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "idle_pages_walk", jd(p->walk));
	json_object_object_add(o, "move_pages_locate", jd(p->locate));
	json_object_object_add(o, "pagemap_kpageflags", jd(p->page_info));
	json_object_object_add(o, "move_pages_move", jd(p->move));
	json_object_object_add(o, "other_idle_pages_calls", jd(p->other));
	json_object_object_add(o, "total", jd(p->total));
	return o;
}

static json_object *case_json(const struct case_result *cr)
{
	const struct iv *b = &cr->best;
	json_object *o = json_object_new_object(), *calls, *heap, *at, *rounds;
	double pages = (double)(cr->guest / 4096);
	double total = cr->agent_s + cr->proj.total;

	json_object_object_add(o, "pattern", json_object_new_string(pattern_name(cr->kind)));
	json_object_object_add(o, "placement", json_object_new_string(cr->converged ? "converged" : "all-pmem"));
	json_object_object_add(o, "guest_bytes", json_object_new_int64((int64_t)cr->guest));
	json_object_object_add(o, "guest_pages", json_object_new_int64((int64_t)pages));
	json_object_object_add(o, "agent_cpu_s", stages_json(b->cpu));
	json_object_object_add(o, "agent_wall_s_own_counters", stages_json(b->wall));
	json_object_object_add(o, "fakes_cpu_s", stages_json(b->fake));
	json_object_object_add(o, "thread_cpu_clock_s_with_fakes", jd(b->thread_cpu));
	rounds = json_object_new_array();
	for (int r = 0; r < cr->nreps; r++)
		json_object_array_add(rounds, jd(cr->totals[r]));
	json_object_object_add(o, "agent_cpu_s_each_try", rounds);
	json_object_object_add(o, "kernel_projection_s", projection_json(&cr->proj));
	json_object_object_add(o, "total_cpu_s", jd(total));
	json_object_object_add(o, "total_cpu_s_without_walk", jd(total - cr->proj.walk));
	json_object_object_add(o, "agent_ns_per_page", jd(per_page(cr, cr->agent_s)));
	json_object_object_add(o, "total_ns_per_page", jd(per_page(cr, total)));
	json_object_object_add(o, "total_s_per_tib", jd(total * TIB / cr->guest));
	json_object_object_add(o, "total_s_per_tib_without_walk",
			       jd((total - cr->proj.walk) * TIB / cr->guest));
	json_object_object_add(o, "agent_s_per_tib", jd(cr->agent_s * TIB / cr->guest));
	json_object_object_add(o, "core_share_at_5s", jd(total / INTERVAL_S));
	json_object_object_add(o, "agent_core_share_at_5s", jd(cr->agent_s / INTERVAL_S));
	json_object_object_add(o, "floor_s", jd(cr->floor_s));
	json_object_object_add(o, "ratio_to_floor", jd(cr->floor_s ? cr->agent_s / cr->floor_s : 0));
	json_object_object_add(o, "scan_ratio_to_floor",
			       jd(cr->floor_s ? b->cpu[ST_SCAN] / cr->floor_s : 0));
	calls = json_object_new_object();
	json_object_object_add(calls, "warm_share", jd(b->warm));
	json_object_object_add(calls, "minor_page_faults", jd(b->faults));
	json_object_object_add(calls, "pages_scanned", jd(b->pages_scanned));
	json_object_object_add(calls, "stream_bytes", jd(b->bytes));
	json_object_object_add(calls, "idle_pages_opens", jd(b->opens));
	json_object_object_add(calls, "idle_pages_ioctls", jd(b->ioctls));
	json_object_object_add(calls, "idle_pages_lseeks", jd(b->lseeks));
	json_object_object_add(calls, "idle_pages_reads", jd(b->reads));
	json_object_object_add(calls, "locate_calls", jd(b->query_calls));
	json_object_object_add(calls, "locate_addresses", jd(b->query_addrs));
	json_object_object_add(calls, "host_huge_queries", jd(b->host_huge_calls));
	json_object_object_add(calls, "pagemap_reads", jd(b->pagemap_reads));
	json_object_object_add(calls, "pagemap_entries", jd(b->pagemap_entries));
	json_object_object_add(calls, "move_calls", jd(b->move_calls));
	json_object_object_add(calls, "move_addresses", jd(b->move_addrs));
	json_object_object_add(calls, "moved_pages", jd(b->moved_pages));
	json_object_object_add(calls, "promoted_pages", jd(b->promoted));
	json_object_object_add(calls, "demoted_pages", jd(b->demoted));
	json_object_object_add(o, "per_interval", calls);
	heap = json_object_new_object();
	json_object_object_add(heap, "attach_peak_bytes", json_object_new_int64(cr->heap_attach_peak));
	json_object_object_add(heap, "interval_peak_bytes", json_object_new_int64(cr->heap_peak));
	json_object_object_add(heap, "retained_bytes", json_object_new_int64(cr->heap_retained));
	json_object_object_add(heap, "mallinfo2_in_use_bytes", json_object_new_int64(cr->mallinfo_in_use));
	json_object_object_add(heap, "peak_bytes_per_page",
			       jd((double)case_heap_peak(cr) / pages));
	json_object_object_add(heap, "retained_bytes_per_page", jd((double)cr->heap_retained / pages));
	json_object_object_add(o, "heap", heap);
	at = json_object_new_object();
	json_object_object_add(at, "agent_cpu_s", jd(cr->attach_s));
	json_object_object_add(at, "locate_calls", json_object_new_int64((int64_t)cr->attach_fn.query_calls));
	json_object_object_add(at, "locate_addresses", json_object_new_int64((int64_t)cr->attach_fn.query_addrs));
	json_object_object_add(at, "host_huge_queries", json_object_new_int64((int64_t)cr->attach_fn.host_huge_calls));
	json_object_object_add(at, "kernel_projection_s", projection_json(&cr->attach_proj));
	json_object_object_add(at, "total_cpu_s", jd(cr->attach_s + cr->attach_proj.total));
	json_object_object_add(at, "pagemap_entries", json_object_new_int64((int64_t)cr->attach_fn.pagemap_entries));
	json_object_object_add(o, "attach", at);
	at = json_object_new_object();
	json_object_object_add(at, "agent_cpu_s", jd(iv_agent_s(&cr->first)));
	json_object_object_add(at, "agent_cpu_s_by_stage", stages_json(cr->first.cpu));
	json_object_object_add(at, "kernel_projection_s", projection_json(&cr->first_proj));
	json_object_object_add(at, "total_cpu_s", jd(iv_agent_s(&cr->first) + cr->first_proj.total));
	json_object_object_add(at, "pagemap_entries", jd(cr->first.pagemap_entries));
	json_object_object_add(o, "first_interval", at);
	if (!cr->converged)
		json_object_object_add(o, "promoting_interval",
				       json_object_new_int64(cr->promoting_interval));
	json_object_object_add(o, "dram_pages_at_end", json_object_new_int64((int64_t)cr->dram_pages));
	json_object_object_add(o, "settled", json_object_new_boolean(cr->settled));
	json_object_object_add(o, "loadavg_1min_highest", jd(cr->load));
	json_object_object_add(o, "wall_s", jd(cr->wall));
	return o;
}

static json_object *syscost_json(const struct syscost *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "numa_nodes", json_object_new_int(c->numa_nodes));
	json_object_object_add(o, "move_pages_query_ns_per_page", jd(c->mp_query_ns));
	json_object_object_add(o, "move_pages_query_one_page_call_ns", jd(c->mp_call_ns));
	json_object_object_add(o, "move_pages_move_one_page_call_ns", jd(c->mp_move_call_ns));
	json_object_object_add(o, "move_pages_same_node_ns_per_page", jd(c->mp_move_ns));
	json_object_object_add(o, "move_pages_query_ns_per_thp", jd(c->mp_query_thp_ns));
	json_object_object_add(o, "move_pages_same_node_ns_per_thp", jd(c->mp_move_thp_ns));
	json_object_object_add(o, "pagemap_bulk_ns_per_page", jd(c->pagemap_bulk_ns));
	json_object_object_add(o, "pagemap_bulk_ns_per_thp_page", jd(c->pagemap_bulk_thp_ns));
	json_object_object_add(o, "pagemap_read_ns", jd(c->pagemap_ns));
	json_object_object_add(o, "pagemap_read_thp_ns", jd(c->pagemap_thp_ns));
	json_object_object_add(o, "kpageflags_read_ns", jd(c->kpageflags_ns));
	json_object_object_add(o, "syscall_ns", jd(c->syscall_ns));
	json_object_object_add(o, "open_close_ns", jd(c->open_close_ns));
	json_object_object_add(o, "page_fault_ns", jd(c->fault_ns));
	json_object_object_add(o, "thp_buffer_was_thp", json_object_new_boolean(c->thp));
	return o;
}

static json_object *walk_json(const struct walk_cost *w, enum pat_kind k,
			      const struct pattern *p)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "pattern", json_object_new_string(pattern_name(k)));
	json_object_object_add(o, "unit_pages", json_object_new_int((int)p->unit_pages));
	json_object_object_add(o, "hot_units_per_gib", json_object_new_int64((int64_t)p->hot_units));
	json_object_object_add(o, "warm_units_per_gib", json_object_new_int64((int64_t)p->warm_units));
	json_object_object_add(o, "tree_guest_bytes", json_object_new_int64((int64_t)w->guest_bytes));
	json_object_object_add(o, "tree_table_bytes", json_object_new_int64((int64_t)w->table_bytes));
	json_object_object_add(o, "scan_mode", json_object_new_string(
		w->flags & PTW_SKIM ? "skim" :
		w->flags & PTW_HUGE_ONLY ? "huge-only" : "normal"));
	json_object_object_add(o, "walk_ns_per_page_quiet_scan", jd(w->ns_per_page[0]));
	json_object_object_add(o, "walk_ns_per_page_warm_scan", jd(w->ns_per_page[1]));
	json_object_object_add(o, "stream_bytes_per_gib_quiet_scan",
			       jd((double)w->stream_bytes[0] * GIB / w->guest_bytes));
	json_object_object_add(o, "stream_bytes_per_gib_warm_scan",
			       jd((double)w->stream_bytes[1] * GIB / w->guest_bytes));
	json_object_object_add(o, "fake_stream_equals_walker", json_object_new_boolean(true));
	return o;
}

static json_object *machine_json(double load0)
{
	json_object *o = bench_machine_json();

	json_object_object_add(o, "cpus",
			       json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_object_add(o, "loadavg_1min_at_start", jd(load0));
	return o;
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: agent-scale [--sizes LIST] [--patterns LIST] [--reps N]\n"
		"                   [--walk-size SIZE] [--json FILE]\n"
		"  --sizes      guest sizes, whole GiB (default 1G,4G,16G,64G,256G,1T)\n"
		"  --patterns   4k-scattered, 4k-groups, 2m-mapped (default all)\n"
		"  --reps       tries per case, the best counts (default 3)\n"
		"  --walk-size  synthetic tables for the walk's cost (default 16G)\n"
		"  --json       write the results there\n");
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "sizes", required_argument, NULL, 's' },
		{ "patterns", required_argument, NULL, 'p' },
		{ "reps", required_argument, NULL, 'r' },
		{ "walk-size", required_argument, NULL, 'w' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const def_sizes[] = {
		"1G", "4G", "16G", "64G", "256G", "1T",
	};
	char *list, *tok, *save;
	int c;

	memset(o, 0, sizeof(*o));
	o->reps = 3;
	o->walk_bytes = 16 * GIB;
	for (int k = 0; k < PAT_NR; k++)
		o->kind_on[k] = true;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			o->nsizes = 0;
			list = strdup(optarg);
			for (tok = strtok_r(list, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (o->nsizes == MAX_SIZES ||
				    bench_parse_size(tok, &o->sizes[o->nsizes++], 16 * TIB))
					die("bad size '%s' (whole GiB: 4G, 1T)", tok);
			}
			free(list);
			break;
		case 'p':
			memset(o->kind_on, 0, sizeof(o->kind_on));
			list = strdup(optarg);
			for (tok = strtok_r(list, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				int k = pattern_kind(tok);

				if (k < 0)
					die("unknown pattern '%s'", tok);
				o->kind_on[k] = true;
			}
			free(list);
			break;
		case 'r':
			o->reps = atoi(optarg);
			if (o->reps < 1 || o->reps > MAX_REPS)
				die("--reps: 1 to %d", MAX_REPS);
			break;
		case 'w':
			if (bench_parse_size(optarg, &o->walk_bytes, 16 * TIB))
				die("bad --walk-size '%s'", optarg);
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
	if (!o->nsizes)
		for (size_t i = 0; i < sizeof(def_sizes) / sizeof(*def_sizes); i++)
			bench_parse_size(def_sizes[i], &o->sizes[o->nsizes++], 16 * TIB);
}

int main(int argc, char **argv)
{
	static struct pattern pats[PAT_NR];
	static struct walk_cost wcs[PAT_NR];
	static struct case_result res[MAX_SIZES][PAT_NR][2];
	struct syscost sc, one;
	struct opts o;
	json_object *root, *cases, *walks, *setup;
	double t0 = wall_s(), load0 = bench_loadavg();
	double sig_worst = -1, sig_attach = 0, sig_interval = 0;
	char err[512];

	parse_args(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(g_root) || !mkdtemp(g_sys) || fake_numa_sysfs(g_sys))
		die("temporary directories: %s", strerror(errno));
	heap_alloc_hook = on_alloc;
	g_floor_ns_per_byte = measure_floor();
	for (int k = 0; k < PAT_NR; k++)
		if (o.kind_on[k] && pattern_init(&pats[k], k))
			die("out of memory for pattern %s", pattern_name(k));
	/*
	 * The tries of a case minutes apart, as other load comes and goes;
	 * the real calls and the walk measured again each time, the best
	 * kept.
	 */
	for (int r = 0; r < o.reps; r++) {
		printf("agent-scale: try %d of %d, %.0f s, 1-min load %.2f\n",
		       r + 1, o.reps, wall_s() - t0, bench_loadavg());
		if (syscost_measure(&one, err, sizeof(err)))
			die("%s", err);
		syscost_keep_best(&sc, &one, !r);
		for (int k = 0; k < PAT_NR; k++) {
			struct walk_cost w;

			if (!o.kind_on[k])
				continue;
			/* the mode the agent scans it in (agent_scan_mode) */
			if (walk_cost_measure(&pats[k], o.walk_bytes, BASE,
					      pats[k].level == PTW_4K ?
					      PTW_SKIM : PTW_HUGE_ONLY, 5,
					      &w, err, sizeof(err)))
				die("%s", err);
			walk_cost_keep_best(&wcs[k], &w, !r);
		}
		for (int i = 0; i < o.nsizes; i++) {
			for (int k = 0; k < PAT_NR; k++) {
				if (!o.kind_on[k])
					continue;
				run_try(&pats[k], o.sizes[i], true,
					&res[i][k][0]);
				run_try(&pats[k], o.sizes[i], false,
					&res[i][k][1]);
			}
		}
	}
	g_sc = &sc;
	if (o.kind_on[PAT_4K_SCATTERED]) {
		uint64_t big = o.sizes[o.nsizes - 1];

		sig_worst = signal_latency(&pats[PAT_4K_SCATTERED], big,
					   &sig_attach, &sig_interval);
		printf("agent-scale: signals, %llu GiB %s converged: attach %.3f s; an interval %.2f s of wall time; a signal's flag set at %d points through an interval: the interval returned at most %.3f s after it\n",
		       (unsigned long long)(big / GIB),
		       pattern_name(PAT_4K_SCATTERED), sig_attach,
		       sig_interval, SIGNAL_TRIES, sig_worst);
	}
	printf("agent-scale: real calls on this machine, the best of %d tries (%d NUMA node%s): move_pages %.1f ns a page queried, %.1f ns a page to its own node (a call of one page: %.0f / %.0f ns); THP: %.1f / %.1f ns%s; pagemap %.1f ns a page read in chunks (THP %.1f), a read of one page %.0f ns (THP %.0f), kpageflags %.0f ns; a page fault %.0f ns\n",
	       o.reps, sc.numa_nodes, sc.numa_nodes == 1 ? "" : "s",
	       sc.mp_query_ns,
	       sc.mp_move_ns, sc.mp_call_ns, sc.mp_move_call_ns,
	       sc.mp_query_thp_ns,
	       sc.mp_move_thp_ns, sc.thp ? "" : " (no THP given: 4 KiB pages)",
	       sc.pagemap_bulk_ns, sc.pagemap_bulk_thp_ns, sc.pagemap_ns,
	       sc.pagemap_thp_ns, sc.kpageflags_ns, sc.fault_ns);
	for (int k = 0; k < PAT_NR; k++) {
		if (!o.kind_on[k])
			continue;
		printf("agent-scale: %s: the module's walk, the best of %d tries: %.2f ns a page (quiet scan), %.2f (warm scan); stream %.0f / %.0f bytes a GiB, the fake's = the walker's\n",
		       pattern_name(k), o.reps, wcs[k].ns_per_page[0],
		       wcs[k].ns_per_page[1],
		       (double)wcs[k].stream_bytes[0] * GIB / o.walk_bytes,
		       (double)wcs[k].stream_bytes[1] * GIB / o.walk_bytes);
	}
	for (int i = 0; i < o.nsizes; i++)
		for (int k = 0; k < PAT_NR; k++)
			for (int c = 0; c < 2 && o.kind_on[k]; c++)
				finish_case(&res[i][k][c], &pats[k], &wcs[k]);
	printf("agent-scale: per interval, the best of %d tries, %.0f s (1-min load %.2f now)\n",
	       o.reps, wall_s() - t0, bench_loadavg());
	for (int i = 0; i < o.nsizes; i++)
		for (int k = 0; k < PAT_NR; k++)
			for (int c = 0; c < 2 && o.kind_on[k]; c++)
				print_case(&res[i][k][c]);
	printf("agent-scale: %.0f s of wall time\n", wall_s() - t0);
	remove_dirs();
	if (!o.json)
		return 0;
	root = json_object_new_object();
	json_object_object_add(root, "benchmark", json_object_new_string("agent-scale"));
	json_object_object_add(root, "machine", machine_json(load0));
	setup = json_object_new_object();
	json_object_object_add(setup, "dram_limit_percent", json_object_new_int(LIMIT_PCT));
	json_object_object_add(setup, "scan_interval_s", jd(INTERVAL_S));
	json_object_object_add(setup, "hot_percent", json_object_new_int(PAT_HOT_PCT));
	json_object_object_add(setup, "warm_percent", json_object_new_int(PAT_WARM_PCT));
	json_object_object_add(setup, "warm_every_scans", json_object_new_int(PAT_WARM_EVERY));
	json_object_object_add(setup, "warmup_scans", json_object_new_int(WARMUP_SCANS));
	json_object_object_add(setup, "tries", json_object_new_int(o.reps));
	json_object_object_add(setup, "floor_ns_per_byte", jd(g_floor_ns_per_byte));
	json_object_object_add(setup, "wall_s", jd(wall_s() - t0));
	json_object_object_add(root, "setup", setup);
	json_object_object_add(root, "syscalls", syscost_json(&sc));
	if (sig_worst >= 0) {
		json_object *sg = json_object_new_object();

		json_object_object_add(sg, "guest_bytes", json_object_new_int64((int64_t)o.sizes[o.nsizes - 1]));
		json_object_object_add(sg, "attach_s", jd(sig_attach));
		json_object_object_add(sg, "interval_wall_s", jd(sig_interval));
		json_object_object_add(sg, "tries", json_object_new_int(SIGNAL_TRIES));
		json_object_object_add(sg, "worst_return_after_flag_s", jd(sig_worst));
		json_object_object_add(root, "signals", sg);
	}
	walks = json_object_new_array();
	cases = json_object_new_array();
	for (int k = 0; k < PAT_NR; k++)
		if (o.kind_on[k])
			json_object_array_add(walks, walk_json(&wcs[k], k, &pats[k]));
	for (int i = 0; i < o.nsizes; i++)
		for (int k = 0; k < PAT_NR; k++)
			for (int c = 0; c < 2 && o.kind_on[k]; c++)
				json_object_array_add(cases, case_json(&res[i][k][c]));
	json_object_object_add(root, "walk", walks);
	json_object_object_add(root, "cases", cases);
	if (json_object_to_file_ext(o.json, root, JSON_C_TO_STRING_PRETTY))
		die("cannot write %s", o.json);
	json_object_put(root);
	for (int k = 0; k < PAT_NR; k++)
		if (o.kind_on[k])
			pattern_fini(&pats[k]);
	return 0;
}
