/* SPDX-License-Identifier: MIT */
/*
 * cli.h - the options the subcommands share, parsed in one place; each
 * subcommand says which it accepts.
 */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"
#include "scan_set.h"

/* Option groups a subcommand accepts */
#define CLI_LIVE	(1u << 0)	/* TARGET, --connect, scan modes */
#define CLI_ROUNDS	(1u << 1)	/* --rounds, --interval, --no-numa */
#define CLI_INPUT	(1u << 2)	/* --input FILE */
#define CLI_OUTPUT	(1u << 3)	/* --output FILE */
#define CLI_JSON	(1u << 4)
#define CLI_REPORT	(1u << 5)	/* --window, --hot */
#define CLI_PICTURE	(1u << 6)	/* --width, --height */
#define CLI_LAYOUT	(1u << 7)	/* --merge-gap */
#define CLI_DECODE	(1u << 8)	/* --start */

struct cli_args {
	const char *target, *uri, *input, *output;
	unsigned int mode;
	int rounds;
	double interval_s;
	bool no_numa, json, quiet;
	struct report_opts report;
	int width, height;
	uint64_t merge_gap;
	uint64_t start;		/* IP_HVA_UNKNOWN if not given */
};

/*
 * Parses argv for subcommand name; on --help prints usage and returns 1,
 * on a bad option prints why and returns -1; else 0.
 */
int cli_parse(int argc, char **argv, const char *name, unsigned int groups,
	      struct cli_args *a);

/* Resolves the target (pid or libvirt domain) into a live plan. */
int cli_live_plan(const struct cli_args *a, struct live_plan *p);

/* The rounds to analyse: --input, or a live scan of the target. */
int cli_scan_set(const struct cli_args *a, struct scan_set *s);

void cli_usage(FILE *f, const char *name);

#endif /* CLI_H */
