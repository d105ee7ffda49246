/* SPDX-License-Identifier: MIT */
/*
 * nodeset.h - sets of NUMA nodes and the list syntax the kernel and
 * numactl use for them ("0-3,5"): sysfs node lists, Mems_allowed_list,
 * and node lists written as strings in a policy.
 */
#ifndef VMM_NODESET_H
#define VMM_NODESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NODESET_MAX	1024	/* the kernel's MAX_NUMNODES upper bound */

struct nodeset {
	uint64_t bits[NODESET_MAX / 64];
};

void nodeset_clear(struct nodeset *s);
void nodeset_add(struct nodeset *s, int node);
bool nodeset_has(const struct nodeset *s, int node);
unsigned int nodeset_count(const struct nodeset *s);

/*
 * Parse "0-3,5" (trailing newline allowed; "" is the empty set).
 * Returns 0, or -1 with a reason in err.
 */
int nodeset_parse(struct nodeset *s, const char *text, char *err,
		  size_t errlen);

/* Format as "0-3,5" into buf; returns buf. */
char *nodeset_format(const struct nodeset *s, char *buf, size_t len);

/* Read a node list file (sysfs, or one line of /proc/PID/status). */
int nodeset_read_file(struct nodeset *s, const char *path);

#endif /* VMM_NODESET_H */
