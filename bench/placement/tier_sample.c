/* SPDX-License-Identifier: MIT */
/*
 * tier-sample - samples, every interval, on which NUMA node each page of a
 * running test guest sits, and measures placement against the guest's known
 * pattern (pattern=phases: uniform over a hot window that moves each phase).
 *
 * The node of a page comes from /proc/PID/pagemap (its PFN) and the memory
 * blocks of each node in sysfs. Unlike a move_pages(2) query, this reads
 * page tables only: it sees pages that NUMA balancing has just made
 * PROT_NONE, and it disturbs neither tiering system. The guest's current
 * phase comes from its serial log ("TG phase P", or "phase=P" in a stats
 * line), polled every 50 ms, so a phase's start is known to that precision.
 *
 * It starts with a baseline sample (every page's node before anything
 * moves), prints "# baseline: phase P" and measures from the start of the
 * next phase, P + 1, for --phases whole phases: the caller switches its
 * tiering system on when it sees that phase begin, so every migration is
 * counted and every time runs from the phase's start.
 *
 * The same method serves every tiering system under test, so the figures
 * compare: a page counts as migrated once per sample at which its node
 * differs from the one last seen (a round trip within one interval is not
 * seen), and ping-pong is a page migrated more than twice.
 *
 * usage: tier-sample [options] PID GUEST_MIB SERIAL_LOG
 * prints a line per sample, and the summary as JSON to --json FILE.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guest_ram.h"

#define PAGE		((uint64_t)4096)
#define PM_PRESENT	(1ull << 63)
#define PM_PFN_MASK	((1ull << 55) - 1)
#define MAX_PHASES	64
#define POLL_NS		50000000ll	/* serial log polling: 50 ms */
#define UNKNOWN		(-1)

struct phase_rec {
	int phase;
	double start, end;	/* seconds since the first sample */
	double t99;		/* seconds from start to 99% of H in DRAM, <0 never */
	double share_time;	/* hot-window DRAM share integrated over time */
	double last_t;		/* time of the phase's last sample (or start) */
	unsigned int samples;
	/* Pages of the phase's window in DRAM when it began, and the most
	 * seen in it: what the tiering brought in is their difference. */
	uint64_t hot_at_start, hot_max;
};

struct opts {
	pid_t pid;
	uint64_t guest_mib;
	const char *serial, *json;
	uint64_t base;			/* GPA of the working area */
	uint32_t hot, cold;		/* pages */
	double interval, max_secs;
	int phases;			/* whole phases to measure */
	int dram_node;
};

/* The guest's serial log, read as it grows. */
struct serial {
	int fd;
	char buf[8192];
	size_t len;
	int phase;			/* latest phase seen, 0 none */
	bool have_stats;
	uint64_t first_t, first_acc;	/* first stats line seen after start */
	uint64_t last_t, last_acc, errors;
	bool started;			/* past the lines that predate sampling */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "tier-sample: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

/* Value of "key=" in line (a serial line may have lost characters). */
static bool field(const char *line, const char *key, uint64_t *v)
{
	const char *p = strstr(line, key);
	char *end;

	if (!p)
		return false;
	p += strlen(key);
	if (*p < '0' || *p > '9')
		return false;
	*v = strtoull(p, &end, 10);
	return true;
}

static void serial_line(struct serial *s, const char *line)
{
	uint64_t v, t, r, w, e;

	if (!strncmp(line, "TG phase ", 9) && line[9] >= '0' && line[9] <= '9')
		s->phase = atoi(line + 9);
	if (strncmp(line, "TG stats ", 9))
		return;
	if (field(line, "phase=", &v))
		s->phase = (int)v;
	if (!field(line, " t=", &t) || !field(line, "reads=", &r) ||
	    !field(line, "writes=", &w) || !field(line, "errors=", &e))
		return;
	if (e > s->errors)
		s->errors = e;
	if (!s->started)
		return;
	if (!s->have_stats) {
		s->first_t = t;
		s->first_acc = r + w;
		s->have_stats = true;
	}
	s->last_t = t;
	s->last_acc = r + w;
}

/* Reads what was appended since the last call. */
static void serial_poll(struct serial *s)
{
	for (;;) {
		ssize_t n = read(s->fd, s->buf + s->len, sizeof(s->buf) - 1 - s->len);
		char *p, *nl;

		if (n <= 0)
			return;
		s->len += n;
		s->buf[s->len] = 0;
		p = s->buf;
		while ((nl = memchr(p, '\n', s->len - (p - s->buf)))) {
			*nl = 0;
			if (nl > p && nl[-1] == '\r')
				nl[-1] = 0;
			serial_line(s, p);
			p = nl + 1;
		}
		s->len -= p - s->buf;
		memmove(s->buf, p, s->len);
		if (s->len == sizeof(s->buf) - 1)
			s->len = 0;	/* a line longer than the buffer: garbage */
	}
}

/* Memory block index -> node, from /sys/devices/system/node/nodeN/memoryM. */
struct node_map {
	int16_t *node;
	size_t nblocks;
	uint64_t block_pages;
};

static void node_map_load(struct node_map *m)
{
	FILE *f = fopen("/sys/devices/system/memory/block_size_bytes", "r");
	unsigned long long bs;
	DIR *nodes;
	struct dirent *nd;

	if (!f || fscanf(f, "%llx", &bs) != 1)
		die("cannot read %s", "/sys/devices/system/memory/block_size_bytes");
	fclose(f);
	m->block_pages = bs / PAGE;
	m->nblocks = 0;
	m->node = NULL;
	nodes = opendir("/sys/devices/system/node");
	if (!nodes)
		die("cannot open %s", "/sys/devices/system/node");
	while ((nd = readdir(nodes))) {
		char path[300];
		struct dirent *md;
		DIR *d;
		int node;

		if (sscanf(nd->d_name, "node%d", &node) != 1)
			continue;
		snprintf(path, sizeof(path), "/sys/devices/system/node/%s", nd->d_name);
		d = opendir(path);
		if (!d)
			continue;
		while ((md = readdir(d))) {
			unsigned long blk;

			if (sscanf(md->d_name, "memory%lu", &blk) != 1)
				continue;
			if (blk >= m->nblocks) {
				size_t n = blk + 1;

				m->node = realloc(m->node, n * sizeof(*m->node));
				if (!m->node)
					die("%s", "out of memory");
				for (size_t i = m->nblocks; i < n; i++)
					m->node[i] = UNKNOWN;
				m->nblocks = n;
			}
			m->node[blk] = (int16_t)node;
		}
		closedir(d);
	}
	closedir(nodes);
	if (!m->nblocks)
		die("%s", "no memory blocks under /sys/devices/system/node");
}

static int pfn_node(const struct node_map *m, uint64_t pfn)
{
	uint64_t blk = pfn / m->block_pages;

	return blk < m->nblocks ? m->node[blk] : UNKNOWN;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: tier-sample [--base GPA] --hot PAGES --cold PAGES\n"
		"         [--interval SECS] [--max-secs SECS] [--phases N]\n"
		"         [--dram-node N] [--json FILE] PID GUEST_MIB SERIAL_LOG\n");
	exit(2);
}

static double num_arg(const char *name, const char *s, double lo, double hi)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "tier-sample: --%s: '%s' is not a number from %g to %g\n",
			name, s, lo, hi);
		exit(2);
	}
	return v;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "base", required_argument, NULL, 'b' },
		{ "hot", required_argument, NULL, 'H' },
		{ "cold", required_argument, NULL, 'C' },
		{ "interval", required_argument, NULL, 'i' },
		{ "max-secs", required_argument, NULL, 'm' },
		{ "phases", required_argument, NULL, 'p' },
		{ "dram-node", required_argument, NULL, 'd' },
		{ "json", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	*o = (struct opts){ .base = 16 << 20, .interval = 0.5, .max_secs = 600,
			    .phases = 1 };
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'b': o->base = (uint64_t)num_arg("base", optarg, 0, 1ull << 40); break;
		case 'H': o->hot = (uint32_t)num_arg("hot", optarg, 1, 1 << 24); break;
		case 'C': o->cold = (uint32_t)num_arg("cold", optarg, 0, 1 << 24); break;
		case 'i': o->interval = num_arg("interval", optarg, 0.05, 60); break;
		case 'm': o->max_secs = num_arg("max-secs", optarg, 1, 86400); break;
		case 'p': o->phases = (int)num_arg("phases", optarg, 1, MAX_PHASES); break;
		case 'd': o->dram_node = (int)num_arg("dram-node", optarg, 0, 1023); break;
		case 'j': o->json = optarg; break;
		default: usage();
		}
	}
	if (argc - optind != 3 || !o->hot)
		usage();
	o->pid = (pid_t)num_arg("PID", argv[optind], 1, INT_MAX);
	o->guest_mib = (uint64_t)num_arg("GUEST_MIB", argv[optind + 1], 1, 1 << 22);
	o->serial = argv[optind + 2];
	if (o->cold < o->hot)
		die("%s", "the phases pattern needs cold >= hot");
	if (o->base % PAGE)
		die("%s", "--base must be page aligned");
}

/* Page state kept across samples. */
struct pages {
	uint64_t n;
	int8_t *node;		/* last node seen, UNKNOWN before */
	uint8_t *moves;		/* node changes seen, saturating */
	uint64_t *pm;		/* one pagemap read */
};

struct sample {
	uint64_t hot_dram, area_dram, dram, present;
};

static void sample_pages(int pm_fd, const struct guest_ram *ram,
			 const struct node_map *map, struct pages *pg,
			 uint64_t *moves_total)
{
	uint64_t idx = 0;

	for (size_t r = 0; r < ram->n; r++) {
		uint64_t n = (ram->ranges[r].end - ram->ranges[r].start) / PAGE;
		off_t off = (off_t)(ram->ranges[r].start / PAGE * 8);
		size_t want = n * 8, got = 0;

		while (got < want) {
			ssize_t k = pread(pm_fd, (char *)pg->pm + got, want - got,
					  off + got);
			if (k <= 0)
				die("reading pagemap: %s", k ? strerror(errno) : "short read");
			got += k;
		}
		for (uint64_t i = 0; i < n; i++, idx++) {
			uint64_t e = pg->pm[i];
			int node;

			if (!(e & PM_PRESENT))
				continue;	/* keep the last node seen */
			node = pfn_node(map, e & PM_PFN_MASK);
			if (node == UNKNOWN)
				continue;
			if (pg->node[idx] != UNKNOWN && pg->node[idx] != node) {
				(*moves_total)++;
				if (pg->moves[idx] < UINT8_MAX)
					pg->moves[idx]++;
			}
			pg->node[idx] = (int8_t)node;
		}
	}
}

static void count(const struct pages *pg, const struct opts *o, int phase,
		  struct sample *s)
{
	uint64_t area0 = o->base / PAGE, area_n = (uint64_t)o->hot + o->cold;
	uint32_t windows = (o->hot + o->cold) / o->hot;
	uint64_t hot0 = area0 + (uint64_t)((phase - 1) % windows) * o->hot;

	*s = (struct sample){ 0 };
	for (uint64_t i = 0; i < pg->n; i++) {
		bool dram = pg->node[i] == o->dram_node;

		s->present += pg->node[i] != UNKNOWN;
		s->dram += dram;
		if (i >= area0 && i < area0 + area_n)
			s->area_dram += dram;
		if (phase > 0 && i >= hot0 && i < hot0 + o->hot)
			s->hot_dram += dram;
	}
}

static void sleep_until(double t)
{
	double d = t - now_s();
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

static void json_num(FILE *f, const char *key, double v, bool last)
{
	if (v < 0)
		fprintf(f, "  \"%s\": null%s\n", key, last ? "" : ",");
	else
		fprintf(f, "  \"%s\": %.6g%s\n", key, v, last ? "" : ",");
}

/* The first few runs of pages migrated more than twice, by GPA: which
 * memory ping-pongs (page i of the guest is GPA i * 4096 of its first RAM
 * block). */
static void write_pingpong_ranges(FILE *f, const struct pages *pg)
{
	unsigned int shown = 0;

	fprintf(f, "  \"pingpong_ranges\": [");
	for (uint64_t i = 0; i < pg->n && shown < 8; ) {
		uint64_t j = i;
		unsigned int most = 0;

		if (pg->moves[i] <= 2) {
			i++;
			continue;
		}
		for (; j < pg->n && pg->moves[j] > 2; j++)
			if (pg->moves[j] > most)
				most = pg->moves[j];
		fprintf(f, "%s\n    { \"gpa\": \"0x%" PRIx64 "-0x%" PRIx64
			"\", \"pages\": %" PRIu64 ", \"most_migrations\": %u }",
			shown ? "," : "", i * PAGE, j * PAGE - 1, j - i, most);
		shown++;
		i = j;
	}
	fprintf(f, "%s]\n", shown ? "\n  " : "");
}

static void write_json(const struct opts *o, const struct phase_rec *ph, int nph,
		       const struct pages *pg, uint64_t moves_total,
		       const struct sample *last, uint64_t dram_max,
		       unsigned int nsamples, double secs, const struct serial *s)
{
	FILE *f = fopen(o->json, "w");
	uint64_t moved_pages = 0, pingpong = 0, pingpong_moves = 0, max_moves = 0;
	uint64_t brought = 0;
	double share = 0, share_secs = 0;

	if (!f)
		die("cannot write %s", o->json);
	for (uint64_t i = 0; i < pg->n; i++) {
		moved_pages += pg->moves[i] > 0;
		if (pg->moves[i] > 2) {
			pingpong++;
			pingpong_moves += pg->moves[i];
		}
		if (pg->moves[i] > max_moves)
			max_moves = pg->moves[i];
	}
	for (int p = 0; p < nph; p++) {
		share += ph[p].share_time;
		share_secs += ph[p].last_t - ph[p].start;
		if (ph[p].hot_max > ph[p].hot_at_start)
			brought += ph[p].hot_max - ph[p].hot_at_start;
	}
	fprintf(f, "{\n  \"interval_s\": %g,\n  \"hot_pages\": %u,\n  \"cold_pages\": %u,\n",
		o->interval, o->hot, o->cold);
	fprintf(f, "  \"phases\": [\n");
	for (int p = 0; p < nph; p++) {
		fprintf(f, "    { \"phase\": %d, \"start_s\": %.2f, \"end_s\": %.2f, ",
			ph[p].phase, ph[p].start, ph[p].end);
		if (ph[p].t99 < 0)
			fprintf(f, "\"t99_s\": null, ");
		else
			fprintf(f, "\"t99_s\": %.2f, ", ph[p].t99);
		fprintf(f, "\"dram_share\": %.4f, \"samples\": %u, ",
			ph[p].last_t > ph[p].start ?
			ph[p].share_time / (ph[p].last_t - ph[p].start) : 0,
			ph[p].samples);
		fprintf(f, "\"hot_in_dram_at_start\": %" PRIu64
			", \"hot_in_dram_max\": %" PRIu64 " }%s\n",
			ph[p].hot_at_start, ph[p].hot_max, p + 1 < nph ? "," : "");
	}
	fprintf(f, "  ],\n");
	json_num(f, "samples", nsamples, false);
	json_num(f, "secs", secs, false);
	json_num(f, "dram_share", share_secs > 0 ? share / share_secs : 0, false);
	json_num(f, "page_migrations", (double)moves_total, false);
	json_num(f, "pages_migrated", (double)moved_pages, false);
	json_num(f, "hot_pages_brought_to_dram", (double)brought, false);
	json_num(f, "pages_pingpong", (double)pingpong, false);
	json_num(f, "page_migrations_of_pingpong_pages", (double)pingpong_moves, false);
	json_num(f, "max_migrations_of_a_page", (double)max_moves, false);
	json_num(f, "dram_pages_end", (double)last->dram, false);
	json_num(f, "dram_pages_max", (double)dram_max, false);
	json_num(f, "cold_area_dram_pages_end",
		 (double)(last->area_dram - last->hot_dram), false);
	if (s->have_stats && s->last_t > s->first_t) {
		json_num(f, "guest_secs", (double)(s->last_t - s->first_t), false);
		json_num(f, "guest_accesses_per_s", (double)(s->last_acc - s->first_acc) /
			 (double)(s->last_t - s->first_t), false);
	} else {
		json_num(f, "guest_secs", -1, false);
		json_num(f, "guest_accesses_per_s", -1, false);
	}
	json_num(f, "guest_errors", (double)s->errors, false);
	write_pingpong_ranges(f, pg);
	fprintf(f, "}\n");
	if (fclose(f))
		die("cannot write %s", o->json);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct guest_ram ram;
	struct node_map map;
	struct serial s = { 0 };
	struct pages pg = { 0 };
	struct phase_rec ph[MAX_PHASES];
	struct sample cur = { 0 };
	uint64_t moves_total = 0, dram_max = 0, max_range = 0;
	unsigned int nsamples = 0;
	int nph = 0, pm_fd, base_phase;
	char err[512], path[64];
	double t0, next, t = 0;

	parse_opts(argc, argv, &o);
	if (guest_ram_find_pid(o.pid, o.guest_mib << 20, &ram, err, sizeof(err)))
		die("%s", err);
	if (o.base + ((uint64_t)o.hot + o.cold) * PAGE >
	    ram.ranges[0].end - ram.ranges[0].start)
		die("%s", "the working area does not fit the first RAM block");
	node_map_load(&map);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)o.pid);
	pm_fd = open(path, O_RDONLY);
	if (pm_fd < 0)
		die("cannot open pagemap: %s", strerror(errno));
	s.fd = open(o.serial, O_RDONLY);
	if (s.fd < 0)
		die("cannot open the serial log %s", o.serial);
	for (size_t r = 0; r < ram.n; r++) {
		uint64_t n = (ram.ranges[r].end - ram.ranges[r].start) / PAGE;

		pg.n += n;
		if (n > max_range)
			max_range = n;
	}
	pg.node = malloc(pg.n);
	pg.moves = calloc(pg.n, 1);
	pg.pm = malloc(max_range * 8);
	if (!pg.node || !pg.moves || !pg.pm)
		die("%s", "out of memory");
	memset(pg.node, UNKNOWN, pg.n);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	/* The baseline: the phase running now, every page's node. */
	serial_poll(&s);
	if (!s.phase)
		die("%s", "no 'TG phase' line in the serial log: is the guest running pattern=phases?");
	sample_pages(pm_fd, &ram, &map, &pg, &moves_total);
	printf("# baseline: phase %d\n", s.phase);
	fflush(stdout);

	/* Wait for the next phase: t = 0 is the moment it is seen. */
	base_phase = s.phase;
	while (!stop_requested && s.phase == base_phase) {
		sleep_until(now_s() + POLL_NS / 1e9);
		serial_poll(&s);
	}
	t0 = now_s();
	s.started = true;
	moves_total = 0;
	memset(pg.moves, 0, pg.n);
	count(&pg, &o, s.phase, &cur);
	ph[0] = (struct phase_rec){ .phase = s.phase, .t99 = -1,
				    .hot_at_start = cur.hot_dram };
	nph = 1;
	next = t0;
	printf("# t phase hot_in_dram(of %u) area_in_dram dram_pages migrations\n", o.hot);
	while (!stop_requested) {
		/* Poll the log until the next sample; a phase starts when seen. */
		while (now_s() < next && !stop_requested) {
			serial_poll(&s);
			if (s.phase != ph[nph - 1].phase) {
				double ts = now_s() - t0;

				ph[nph - 1].end = ts;
				if (nph == o.phases || nph == MAX_PHASES)
					goto done;
				/* At its start, as the last sample left it. */
				count(&pg, &o, s.phase, &cur);
				ph[nph++] = (struct phase_rec){ .phase = s.phase,
					.start = ts, .last_t = ts, .t99 = -1,
					.hot_at_start = cur.hot_dram };
			}
			sleep_until(next < now_s() + POLL_NS / 1e9 ? next :
				    now_s() + POLL_NS / 1e9);
		}
		if (stop_requested)
			break;
		t = now_s() - t0;
		sample_pages(pm_fd, &ram, &map, &pg, &moves_total);
		count(&pg, &o, ph[nph - 1].phase, &cur);
		nsamples++;
		if (cur.dram > dram_max)
			dram_max = cur.dram;
		/* Each sample stands for the time since the one before it. */
		ph[nph - 1].share_time += (double)cur.hot_dram / o.hot *
			(t - ph[nph - 1].last_t);
		ph[nph - 1].last_t = t;
		ph[nph - 1].samples++;
		if (cur.hot_dram > ph[nph - 1].hot_max)
			ph[nph - 1].hot_max = cur.hot_dram;
		if (ph[nph - 1].t99 < 0 && cur.hot_dram * 100 >= (uint64_t)o.hot * 99)
			ph[nph - 1].t99 = t - ph[nph - 1].start;
		printf("%.2f %d %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
		       t, ph[nph - 1].phase, cur.hot_dram, cur.area_dram, cur.dram,
		       moves_total);
		fflush(stdout);
		if (t >= o.max_secs)
			break;
		/* A late sample (a busy machine) skips the slots it missed. */
		do
			next += o.interval;
		while (next < now_s());
	}
	ph[nph - 1].end = now_s() - t0;
done:
	serial_poll(&s);
	if (o.json)
		write_json(&o, ph, nph, &pg, moves_total, &cur, dram_max,
			   nsamples, now_s() - t0, &s);
	guest_ram_free(&ram);
	free(pg.node);
	free(pg.moves);
	free(pg.pm);
	free(map.node);
	return 0;
}
