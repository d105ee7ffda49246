// SPDX-License-Identifier: MIT
/* launch_options.c - tg-launch's options. */
#include "launch_options.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void die(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("tg-launch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void usage(FILE *f)
{
	fputs("usage: tg-launch [options] guest.elf [cmdline words...]\n"
	      "  --mem SIZE          guest RAM at GPA 0 (default 256M, at most 3G)\n"
	      "  --backing KIND      4k | thp | memfd | hugetlb (default 4k)\n"
	      "  --report FILE       write a report at each step-done port write\n"
	      "  --stop-at-step N    SIGSTOP only at step N (default: every step\n"
	      "                      when --report is given)\n"
	      "  --no-stop           never SIGSTOP\n"
	      "  --timeout SECS      give up after SECS (exit 12)\n"
	      "  --dirty-log         KVM dirty logging on guest RAM; each step's\n"
	      "                      written pages must be in the log (exit 13)\n"
	      "  --slot-churn MS     every MS ms add or delete a second memslot\n"
	      "signals: SIGUSR1 = guest verifies all pages now, SIGUSR2 = guest\n"
	      "finishes (final verify, TG done); kill -CONT resumes after a step\n", f);
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end || v > (~0ull >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static long parse_long(const char *opt, const char *s, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min)
		die(LAUNCH_EXIT_SETUP, "bad value for %s: '%s'", opt, s);
	return v;
}

static char *join_words(char **w, int n)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < n; i++)
		len += strlen(w[i]) + 1;
	s = calloc(1, len);
	if (!s)
		die(LAUNCH_EXIT_SETUP, "out of memory");
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, w[i]);
	}
	return s;
}

void launch_parse_options(int argc, char **argv, struct launch_options *o)
{
	static const struct option longopts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "backing", required_argument, NULL, 'b' },
		{ "report", required_argument, NULL, 'r' },
		{ "stop-at-step", required_argument, NULL, 's' },
		{ "no-stop", no_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "dirty-log", no_argument, NULL, 'd' },
		{ "slot-churn", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct launch_options){ .mem_size = 256ull << 20, .stop_at_step = -1 };
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_size(optarg, &o->mem_size))
				die(LAUNCH_EXIT_SETUP, "bad --mem '%s' (e.g. 256M)", optarg);
			/* Below 3G, clear of KVM's TSS pages at 0xfffbd000. */
			if (o->mem_size > (3ull << 30))
				die(LAUNCH_EXIT_SETUP, "--mem above 3G: the 32-bit guest's RAM ends there");
			if (o->mem_size < (2ull << 20))
				die(LAUNCH_EXIT_SETUP, "--mem below 2M: the guest image needs 1M-2M");
			break;
		case 'b':
			if (tg_backing_parse(optarg, &o->backing))
				die(LAUNCH_EXIT_SETUP, "bad --backing '%s' (4k, thp, memfd or hugetlb)",
				    optarg);
			break;
		case 'r': o->report = optarg; break;
		case 's': o->stop_at_step = parse_long("--stop-at-step", optarg, 1); break;
		case 'n': o->no_stop = 1; break;
		case 't': o->timeout = (unsigned)parse_long("--timeout", optarg, 1); break;
		case 'd': o->dirty_log = 1; break;
		case 'c': {
			long ms = parse_long("--slot-churn", optarg, 1);

			if (ms > 60000)
				die(LAUNCH_EXIT_SETUP, "bad value for --slot-churn: '%s' (1..60000 ms)",
				    optarg);
			o->slot_churn_ms = (unsigned)ms;
			break;
		}
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(LAUNCH_EXIT_SETUP);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		exit(LAUNCH_EXIT_SETUP);
	}
	o->elf = argv[optind];
	o->cmdline = join_words(argv + optind + 1, argc - optind - 1);
}
