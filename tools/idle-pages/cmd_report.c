/* SPDX-License-Identifier: MIT */
/*
 * cmd_report.c - `idle-pages report`: histogram, working set, hot/cold.
 */
#include <stdio.h>

#include "cli.h"
#include "commands.h"

int cmd_report(int argc, char **argv)
{
	struct cli_args a;
	struct scan_set s;
	struct report rep;
	char err[512];
	int ret = cli_parse(argc, argv, "report",
			    CLI_LIVE | CLI_ROUNDS | CLI_INPUT | CLI_JSON |
			    CLI_REPORT | CLI_LAYOUT, &a);

	if (ret)
		return ret > 0 ? 0 : 2;
	if (cli_scan_set(&a, &s))
		return 1;
	ret = report_compute(&s, &a.report, &rep, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "idle-pages: %s\n", err);
	} else {
		if (a.json)
			report_print_json(stdout, &s, &rep);
		else
			report_print_text(stdout, &s, &rep);
		report_free(&rep);
	}
	scan_set_free(&s);
	return ret ? 1 : 0;
}
