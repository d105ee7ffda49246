/* SPDX-License-Identifier: MIT */
/*
 * main.c - idle-pages: look at the idle/accessed pages of a VM or a
 * process through /proc/idle_pages. Dispatches to the subcommands.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "dump", cmd_dump },
	{ "record", cmd_record },
	{ "report", cmd_report },
	{ "heatmap", cmd_heatmap },
	{ "decode", cmd_decode },
};

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		cli_usage(argc < 2 ? stderr : stdout, NULL);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "idle-pages: unknown command '%s'; try 'idle-pages --help'\n",
		argv[1]);
	return 2;
}
