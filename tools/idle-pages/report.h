/* SPDX-License-Identifier: MIT */
/*
 * report.h - what `idle-pages report` computes from a set of rounds:
 * the access-frequency histogram (pages accessed in k of N rounds), the
 * working set size over windows of consecutive rounds, and hot / warm /
 * cold totals, overall and per NUMA node. All sizes are in 4 KiB pages.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "scan_set.h"

#define REPORT_MAX_WINDOWS	8
#define REPORT_MAX_NODES	1024
/* node ids in the per-node totals besides real nodes */
#define REPORT_NODE_NOT_RESIDENT	(-1)	/* move_pages said no page */
#define REPORT_NODE_NO_INFO		(-2)	/* never in a node run */

struct report_opts {
	int hot_min;		/* hot = accessed in >= this many rounds; 0: half */
	int windows[REPORT_MAX_WINDOWS];	/* in rounds; none: 1 and N */
	int nwindows;
	uint64_t merge_gap;	/* see layout.h */
};

/* Distinct pages accessed within w consecutive rounds, over all windows. */
struct wss_stat {
	int window;
	int nwin;		/* how many full windows there were */
	uint64_t min, max, last;
	double mean;
};

struct node_total {
	int node;
	uint64_t hot, warm, cold;
};

struct report {
	int nrounds;
	double seconds;		/* first to last round start */
	uint64_t *hist;		/* [nrounds + 1]: pages accessed in k rounds */
	uint64_t mapped;	/* pages ever seen mapped with known access */
	uint64_t unknown;	/* seen only as PUD_PRESENT: access unknown */
	int hot_min;
	uint64_t hot, warm, cold;
	struct wss_stat wss[REPORT_MAX_WINDOWS];
	int nwss;
	int node_rounds;	/* rounds that carried node info */
	struct node_total *nodes;	/* sorted by node id */
	int nnodes;
};

int report_compute(const struct scan_set *s, const struct report_opts *o,
		   struct report *rep, char *err, size_t errlen);
void report_free(struct report *rep);

void report_print_text(FILE *f, const struct scan_set *s,
		       const struct report *rep);
int report_print_json(FILE *f, const struct scan_set *s,
		      const struct report *rep);

#endif /* REPORT_H */
