/* SPDX-License-Identifier: MIT */
/*
 * prom.h - the Prometheus text exposition of a domain's status, written
 * atomically as <dir>/vmm-agent-<domain>.prom for the node exporter's
 * textfile collector (--collector.textfile.directory).
 */
#ifndef VMM_PROM_H
#define VMM_PROM_H

#include <stdio.h>

#include "counters.h"

#define PROM_DIR	"/var/lib/prometheus/node-exporter"

/* Write the exposition to out. 0, or -1 on a write error. */
int prom_format(const struct agent_status *st, FILE *out);

/* <dir>/vmm-agent-<domain>.prom. 0, or -1 with errno. */
int prom_write(const char *dir, const struct agent_status *st);

#endif /* VMM_PROM_H */
