/* SPDX-License-Identifier: MIT */
/*
 * cli.c - shared option parsing, target resolution and usage text.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ip_aging.h"
#include "ip_libvirt.h"
#include "layout.h"

struct cmd_help {
	const char *name, *args, *what, *example;
};

static const struct cmd_help helps[] = {
	{ "dump", "TARGET [-j] [MODE]",
	  "scan TARGET once and print its ranges: start-end, state, page size",
	  "idle-pages dump --dirty 4321 | head" },
	{ "record", "TARGET -o FILE [-n N] [-t SEC] [MODE] [--no-numa]",
	  "scan N rounds and store the raw scans in FILE",
	  "idle-pages record -o vm1.ipr -n 60 -t 1 vm1" },
	{ "report", "(TARGET [-n N] [-t SEC] | -i FILE) [-w ROUNDS]... [--hot K] [-j]",
	  "access-frequency histogram, working set sizes, hot/cold per NUMA node",
	  "idle-pages report -i vm1.ipr -w 1 -w 10 --hot 30" },
	{ "heatmap", "(TARGET [-n N] [-t SEC] | -i FILE) -o FILE.png [--width W] [--height H]",
	  "address x time picture of the access frequency",
	  "idle-pages heatmap -i vm1.ipr -o vm1.png" },
	{ "decode", "FILE [--start HVA]",
	  "print the records of a raw stream (or of each round of a recording)",
	  "idle-pages decode --start 0x7f0000000000 scan.bin" },
};

static const char options_help[] =
	"TARGET: a pid, or a libvirt domain name or UUID (-c URI, default " IP_LIBVIRT_DEFAULT_URI ")\n"
	"MODE: --huge-only (2 MiB granularity), --skim (idle 2 MiB ranges unsplit),\n"
	"      --dirty (report dirty bits), --ext (1 GiB pages as accessed/idle)\n"
	"  -n, --rounds N      scan rounds (record: 10, report/heatmap live: 10)\n"
	"  -t, --interval SEC  time between round starts (default 1)\n"
	"  -i, --input FILE    analyse a recording instead of a live target\n"
	"  -o, --output FILE   where record and heatmap write\n"
	"  -j, --json          JSON output (dump, report)\n"
	"  -w, --window N      working-set window in rounds (repeatable; default 1 and all)\n"
	"      --hot K         hot = accessed in at least K rounds (default: half)\n"
	"      --merge-gap SZ  keep gaps up to SZ (e.g. 64M) inside one address range\n"
	"      --no-numa       do not ask move_pages(2) for the node of each page\n"
	"      --width W, --height H  heatmap plot size in pixels\n"
	"      --start HVA     decode: the address a raw stream starts at\n"
	"  -q, --quiet         no progress messages\n";

void cli_usage(FILE *f, const char *name)
{
	fprintf(f, "usage: idle-pages COMMAND [OPTIONS]\n");
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++) {
		if (name && strcmp(name, helps[i].name))
			continue;
		fprintf(f, "\n  idle-pages %s %s\n      %s\n      example: %s\n",
			helps[i].name, helps[i].args, helps[i].what,
			helps[i].example);
	}
	fprintf(f, "\n%s\nSee idle-pages(1).\n", options_help);
}

enum {
	OPT_HUGE = 256, OPT_SKIM, OPT_DIRTY, OPT_EXT, OPT_NO_NUMA, OPT_HOT,
	OPT_WIDTH, OPT_HEIGHT, OPT_MERGE_GAP, OPT_START,
};

static const struct option long_opts[] = {
	{ "connect", required_argument, NULL, 'c' },
	{ "rounds", required_argument, NULL, 'n' },
	{ "interval", required_argument, NULL, 't' },
	{ "input", required_argument, NULL, 'i' },
	{ "output", required_argument, NULL, 'o' },
	{ "json", no_argument, NULL, 'j' },
	{ "window", required_argument, NULL, 'w' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "huge-only", no_argument, NULL, OPT_HUGE },
	{ "skim", no_argument, NULL, OPT_SKIM },
	{ "dirty", no_argument, NULL, OPT_DIRTY },
	{ "ext", no_argument, NULL, OPT_EXT },
	{ "no-numa", no_argument, NULL, OPT_NO_NUMA },
	{ "hot", required_argument, NULL, OPT_HOT },
	{ "width", required_argument, NULL, OPT_WIDTH },
	{ "height", required_argument, NULL, OPT_HEIGHT },
	{ "merge-gap", required_argument, NULL, OPT_MERGE_GAP },
	{ "start", required_argument, NULL, OPT_START },
	{ NULL, 0, NULL, 0 },
};

/* The group an option belongs to; 0 = always allowed. */
static unsigned int opt_group(int opt)
{
	switch (opt) {
	case 'c': case OPT_HUGE: case OPT_SKIM: case OPT_DIRTY: case OPT_EXT:
		return CLI_LIVE;
	case 'n': case 't': case OPT_NO_NUMA:
		return CLI_ROUNDS;
	case 'i': return CLI_INPUT;
	case 'o': return CLI_OUTPUT;
	case 'j': return CLI_JSON;
	case 'w': case OPT_HOT: return CLI_REPORT;
	case OPT_WIDTH: case OPT_HEIGHT: return CLI_PICTURE;
	case OPT_MERGE_GAP: return CLI_LAYOUT;
	case OPT_START: return CLI_DECODE;
	default: return 0;
	}
}

static const char *opt_name(int opt)
{
	for (const struct option *o = long_opts; o->name; o++)
		if (o->val == opt)
			return o->name;
	return "?";
}

static int parse_int(const char *s, const char *what, int min, int max,
		     int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "idle-pages: %s must be a number in %d..%d, not '%s'\n",
			what, min, max, s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* "64M", "1G", "4096", "0x1000": a byte count. */
static int parse_size(const char *s, const char *what, uint64_t *out)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		goto bad;
	switch (*end) {
	case 'K': case 'k': v <<= 10; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'G': case 'g': v <<= 30; end++; break;
	case 'T': case 't': v <<= 40; end++; break;
	}
	if (*end)
		goto bad;
	*out = v;
	return 0;
bad:
	fprintf(stderr, "idle-pages: %s must be a size like 4096, 0x1000, 64M or 1G, not '%s'\n",
		what, s);
	return -1;
}

static int parse_opt(int opt, const char *arg, struct cli_args *a)
{
	char *end;

	switch (opt) {
	case 'c': a->uri = arg; return 0;
	case 'i': a->input = arg; return 0;
	case 'o': a->output = arg; return 0;
	case 'j': a->json = true; return 0;
	case 'q': a->quiet = true; return 0;
	case OPT_HUGE: a->mode |= IP_MODE_HUGE_ONLY; return 0;
	case OPT_SKIM: a->mode |= IP_MODE_SKIM; return 0;
	case OPT_DIRTY: a->mode |= IP_MODE_DIRTY; return 0;
	case OPT_EXT: a->mode |= IP_MODE_EXT; return 0;
	case OPT_NO_NUMA: a->no_numa = true; return 0;
	case 'n': return parse_int(arg, "--rounds", 1, UINT16_MAX, &a->rounds);
	case 'w':
		if (a->report.nwindows == REPORT_MAX_WINDOWS) {
			fprintf(stderr, "idle-pages: at most %d windows\n",
				REPORT_MAX_WINDOWS);
			return -1;
		}
		return parse_int(arg, "--window", 1, UINT16_MAX,
				 &a->report.windows[a->report.nwindows++]);
	case OPT_HOT: return parse_int(arg, "--hot", 1, UINT16_MAX, &a->report.hot_min);
	case OPT_WIDTH: return parse_int(arg, "--width", 16, 20000, &a->width);
	case OPT_HEIGHT: return parse_int(arg, "--height", 16, 20000, &a->height);
	case OPT_MERGE_GAP: return parse_size(arg, "--merge-gap", &a->merge_gap);
	case OPT_START: return parse_size(arg, "--start", &a->start);
	case 't':
		errno = 0;
		a->interval_s = strtod(arg, &end);
		if (errno || end == arg || *end || !(a->interval_s >= 0) ||
		    a->interval_s > 86400) {
			fprintf(stderr, "idle-pages: --interval must be seconds in 0..86400, not '%s'\n",
				arg);
			return -1;
		}
		return 0;
	}
	return -1;
}

int cli_parse(int argc, char **argv, const char *name, unsigned int groups,
	      struct cli_args *a)
{
	int opt;

	memset(a, 0, sizeof(*a));
	a->rounds = 10;
	a->interval_s = 1;
	a->merge_gap = LAYOUT_DEFAULT_MERGE_GAP;
	a->start = IP_HVA_UNKNOWN;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:n:t:i:o:jw:qh", long_opts,
				  NULL)) != -1) {
		unsigned int g;

		if (opt == 'h') {
			cli_usage(stdout, name);
			return 1;
		}
		if (opt == '?')
			goto usage;
		g = opt_group(opt);
		if (g && !(groups & g)) {
			fprintf(stderr, "idle-pages %s: option --%s does not apply here\n",
				name, opt_name(opt));
			goto usage;
		}
		if (parse_opt(opt, optarg, a))
			return -1;
	}
	a->report.merge_gap = a->merge_gap;
	if (optind < argc)
		a->target = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "idle-pages %s: unexpected argument '%s'\n",
			name, argv[optind]);
		goto usage;
	}
	if (a->target && !(groups & (CLI_LIVE | CLI_DECODE))) {
		fprintf(stderr, "idle-pages %s: takes no target\n", name);
		goto usage;
	}
	if (a->target && a->input) {
		fprintf(stderr, "idle-pages %s: give a TARGET or --input, not both\n",
			name);
		goto usage;
	}
	return 0;
usage:
	fprintf(stderr, "Try 'idle-pages %s --help'.\n", name);
	return -1;
}

int cli_live_plan(const struct cli_args *a, struct live_plan *p)
{
	char err[400], peers[256];

	memset(p, 0, sizeof(*p));
	if (ip_target_resolve(a->target, a->uri, ip_libvirt_lookup,
			      &p->target, err, sizeof(err))) {
		fprintf(stderr, "idle-pages: %s\n", err);
		return -1;
	}
	/* not a progress message: shown with --quiet too */
	if (ip_aging_peers(NULL, peers, sizeof(peers)))
		fprintf(stderr, "idle-pages: warning: %s also clear%s accessed bits: pages touched between two scans may read idle\n",
			peers, strchr(peers, ',') ? "" : "s");
	p->mode = a->mode;
	p->rounds = a->rounds;
	p->interval_s = a->interval_s;
	p->numa = !a->no_numa;
	p->quiet = a->quiet;
	return 0;
}

int cli_scan_set(const struct cli_args *a, struct scan_set *s)
{
	struct live_plan p;
	char err[512];

	if (a->input) {
		if (scan_set_load(a->input, s, err, sizeof(err)))
			goto fail;
		return 0;
	}
	if (!a->target) {
		fprintf(stderr, "idle-pages: give a TARGET (pid or domain) or --input FILE\n");
		return -1;
	}
	if (cli_live_plan(a, &p))
		return -1;
	if (scan_set_live(&p, s, err, sizeof(err)))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "idle-pages: %s\n", err);
	return -1;
}
