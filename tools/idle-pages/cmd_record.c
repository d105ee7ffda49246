/* SPDX-License-Identifier: MIT */
/*
 * cmd_record.c - `idle-pages record`: N scan rounds into a recording.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

static int write_round(void *arg, const struct rec_header *h,
		       const struct rec_round *r, int index)
{
	FILE *f = arg;

	if (!index && rec_write_header(f, h))
		return -1;
	return rec_write_round(f, r);
}

int record_to_file(const struct live_plan *p, const char *path, char *err,
		   size_t errlen)
{
	FILE *f = fopen(path, "wb");
	int ret;

	if (!f) {
		snprintf(err, errlen, "cannot create %s: %s", path,
			 strerror(errno));
		return -1;
	}
	ret = live_scan(p, write_round, f, err, errlen);
	if (fclose(f) && !ret) {
		snprintf(err, errlen, "writing %s: %s", path, strerror(errno));
		ret = -1;
	}
	return ret;
}

static void on_signal(int sig)
{
	(void)sig;
	live_stop_requested = 1;
}

int cmd_record(int argc, char **argv)
{
	struct cli_args a;
	struct live_plan p;
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512];
	int ret = cli_parse(argc, argv, "record",
			    CLI_LIVE | CLI_ROUNDS | CLI_OUTPUT, &a);

	if (ret)
		return ret > 0 ? 0 : 2;
	if (!a.target || !a.output) {
		fprintf(stderr, "idle-pages record: give a TARGET and -o FILE\n");
		return 2;
	}
	if (cli_live_plan(&a, &p))
		return 1;
	/* Ctrl-C ends the recording after the round in progress */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (record_to_file(&p, a.output, err, sizeof(err))) {
		fprintf(stderr, "idle-pages: %s\n", err);
		return 1;
	}
	return 0;
}
