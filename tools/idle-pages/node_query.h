/* SPDX-License-Identifier: MIT */
/*
 * node_query.h - which NUMA node holds each page of a target, asked with
 * move_pages(2) in query mode (nodes = NULL), one address per mapping
 * unit (a 2 MiB or 1 GiB page sits on one node).
 */
#ifndef NODE_QUERY_H
#define NODE_QUERY_H

#include <sys/types.h>

#include "ip_decode.h"
#include "recording.h"

/*
 * ranges: the non-hole ranges of a scan. Fills *out (malloc'ed) with
 * runs of consecutive pages on one node (-1: not resident). 0, or -1
 * with err (no permission, process gone, no NUMA support).
 */
int node_query_runs(pid_t pid, const struct ip_range *ranges, size_t n,
		    struct rec_node_run **out, uint64_t *nout, char *err,
		    size_t errlen);

#endif /* NODE_QUERY_H */
