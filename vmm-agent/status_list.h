/* SPDX-License-Identifier: MIT */
/*
 * status_list.h - the host's view: every domain's status file in the
 * status directory (one per running agent), as a table with host totals
 * or as JSON. What `vmm-agent status` prints without a domain.
 */
#ifndef VMM_STATUS_LIST_H
#define VMM_STATUS_LIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "counters.h"

struct status_list {
	struct agent_status *st;	/* sorted by domain */
	size_t n;
	char skipped[8][320];		/* files that did not read, why */
	unsigned int nr_skipped;
};

/*
 * Read every DOMAIN.json of dir (temporaries, other files and
 * directories left out). 0, or -1 with err when dir cannot be read. A
 * file that does not parse is named in l->skipped, the rest still read.
 */
int status_list_read(const char *dir, struct status_list *l, char *err,
		     size_t errlen);
void status_list_free(struct status_list *l);

/* A line a domain, then the host's totals. now: unix time. */
void status_list_print(const struct status_list *l, int64_t now, FILE *out);

/* {"domains": [status, ...], "totals": {...}}; free() it. NULL: no memory. */
char *status_list_to_json(const struct status_list *l);

#endif /* VMM_STATUS_LIST_H */
