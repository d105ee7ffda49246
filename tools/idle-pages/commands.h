/* SPDX-License-Identifier: MIT */
/*
 * commands.h - the subcommands of idle-pages, one file each.
 */
#ifndef COMMANDS_H
#define COMMANDS_H

#include "scan_set.h"

int cmd_dump(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_heatmap(int argc, char **argv);
int cmd_decode(int argc, char **argv);

/* record's work, callable without a command line (tests). */
int record_to_file(const struct live_plan *p, const char *path, char *err,
		   size_t errlen);

#endif /* COMMANDS_H */
