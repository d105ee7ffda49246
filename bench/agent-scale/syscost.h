/* SPDX-License-Identifier: MIT */
/*
 * syscost.h - what the kernel calls the agent makes really cost on this
 * machine, on a real buffer of this process: move_pages(2) as a query
 * (no nodes: where is each page), move_pages to the node a page is
 * already on (this machine has one NUMA node, so no page is copied: it
 * measures the call up to the migration, not the migration), reads of
 * /proc/PID/pagemap and /proc/kpageflags, and a cheap system call. Each
 * is the best time (clock.h) of several rounds, for 4 KiB pages and for
 * transparent huge pages (if the kernel gives the buffer some).
 */
#ifndef AGENT_SCALE_SYSCOST_H
#define AGENT_SCALE_SYSCOST_H

#include <stdbool.h>
#include <stddef.h>

struct syscost {
	int numa_nodes;			/* numa_max_node() + 1 */
	/*
	 * move_pages, per address, in calls of the agent's shapes (the
	 * call's own cost shared out): 65536 addresses a query (128 for
	 * huge pages, what the buffer holds), 1024 pages a move (2 huge
	 * pages).
	 */
	double mp_query_ns;		/* 4 KiB page, no nodes */
	double mp_move_ns;		/* 4 KiB page, to its own node */
	double mp_query_thp_ns;		/* THP */
	double mp_move_thp_ns;
	double mp_call_ns;		/* a query of one page, whole call */
	double mp_move_call_ns;		/* a move of one page, whole call */
	/* pagemap read in the agent's chunks (32768 entries), per entry */
	double pagemap_bulk_ns;		/* 4 KiB pages */
	double pagemap_bulk_thp_ns;	/* the 4 KiB pages of THPs */
	double pagemap_ns;		/* one 8-byte pread, 4 KiB page */
	double pagemap_thp_ns;		/* ... of a THP */
	double kpageflags_ns;		/* one 8-byte pread */
	double syscall_ns;		/* lseek(SEEK_CUR) */
	double open_close_ns;		/* open and close of a /proc file */
	double fault_ns;		/* first touch of an anonymous page */
	bool thp;			/* the THP figures are of real THPs */
	unsigned long thp_pages;	/* THPs found in that buffer */
};

/* 0, or -1 with err. */
int syscost_measure(struct syscost *c, char *err, size_t errlen);

/* Keeps in best the lower of each figure (first: c is the first). */
void syscost_keep_best(struct syscost *best, const struct syscost *c,
		       bool first);

#endif /* AGENT_SCALE_SYSCOST_H */
