/* SPDX-License-Identifier: MIT */
/*
 * cmd_heatmap.c - `idle-pages heatmap`: the address x time PNG.
 */
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "heatmap.h"

int cmd_heatmap(int argc, char **argv)
{
	struct cli_args a;
	struct scan_set s;
	struct heatmap_opts o;
	struct heatmap_geom g;
	struct canvas c;
	char err[512];
	int ret = cli_parse(argc, argv, "heatmap",
			    CLI_LIVE | CLI_ROUNDS | CLI_INPUT | CLI_OUTPUT |
			    CLI_PICTURE | CLI_LAYOUT, &a);

	if (ret)
		return ret > 0 ? 0 : 2;
	if (!a.output) {
		fprintf(stderr, "idle-pages heatmap: give -o FILE.png\n");
		return 2;
	}
	if (cli_scan_set(&a, &s))
		return 1;
	o = (struct heatmap_opts){ a.width, a.height, a.merge_gap };
	ret = heatmap_render(&s, &o, &c, &g, err, sizeof(err)) ||
	      canvas_write_png(&c, a.output, err, sizeof(err));
	if (ret)
		fprintf(stderr, "idle-pages: %s\n", err);
	else if (!a.quiet)
		fprintf(stderr, "%s: %dx%d, %zu rounds, %zu address ranges\n",
			a.output, c.w, c.h, s.nrounds, g.nsegs);
	canvas_free(&c);
	scan_set_free(&s);
	return ret ? 1 : 0;
}
