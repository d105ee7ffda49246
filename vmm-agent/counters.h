/* SPDX-License-Identifier: MIT */
/*
 * counters.h - what the agent tells operators: counters and gauges of one
 * domain, kept in a status file written atomically every interval
 * (/run/vmm-agent/<domain>.json) that `vmm-agent status` reads back and
 * prints as text or JSON.
 */
#ifndef VMM_COUNTERS_H
#define VMM_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hotness.h"
#include "mover.h"

#define STATUS_DIR	"/run/vmm-agent"
#define STATUS_MAX_NODES	64

/* Plain numbers; the table in counters.c names each one once. */
struct agent_counters {
	/* totals since the agent started */
	uint64_t scans, pages_scanned, pages_accessed;
	uint64_t promoted_pages, demoted_pages;
	uint64_t would_promote_pages, would_demote_pages;
	uint64_t skipped_limit_pages;
	uint64_t moved_elsewhere_pages;
	uint64_t scan_ns, locate_ns, plan_ns, move_ns;
	uint64_t reconnects, attaches;
	/* the last interval */
	uint64_t last_scan_ns, last_move_ns;
	uint64_t hot_pages, cold_pages, hot_threshold_hits;
	uint64_t guest_bytes, dram_limit_bytes;
	uint64_t paused;	/* 1 while tiering is paused */
	uint64_t kernel_tiering;	/* 1: kernel NUMA balancing is on too */
};

struct node_bytes {
	int node;
	uint64_t bytes;
};

struct agent_status {
	char domain[256];
	char uuid[40];
	int pid;
	char state[24];		/* running, paused, migrating, stopped, ... */
	char mode[16];		/* enforce, dry-run */
	char scan_mode[16];	/* the last scan's: normal, skim, huge-only */
	char policy[512];
	int64_t started, updated;	/* unix time */
	int numa_balancing;	/* kernel.numa_balancing, -1 unknown */
	char aging_peers[256];	/* others clearing accessed bits (ip_aging.h) */
	uint64_t tier_bytes[TIER_NR];
	uint64_t failed_pages[FAIL_NR];
	struct node_bytes nodes[STATUS_MAX_NODES];
	unsigned int nr_nodes;
	char last_error[1024];
	struct agent_counters c;
};

const char *tier_name(enum tier t);	/* "unknown", "dram", "pmem", "other" */

/* A numeric field of struct agent_counters, for every output format. */
struct counter_field {
	const char *name;	/* JSON key and metric name stem */
	size_t off;
	bool ns;		/* nanoseconds: seconds in text and Prometheus */
	bool total;		/* a counter (else a gauge) */
	const char *help;
};

extern const struct counter_field counter_fields[];
static inline uint64_t counter_value(const struct agent_counters *c,
				     const struct counter_field *f)
{
	return *(const uint64_t *)((const char *)c + f->off);
}

/* JSON text of st (caller frees), or NULL. */
char *status_to_json(const struct agent_status *st);
/* Parse JSON text into st. 0, or -1 with a reason in err. */
int status_from_json(const char *text, struct agent_status *st, char *err,
		     size_t errlen);

/* Human-readable form. now: unix time for "updated N s ago". */
void status_print_text(const struct agent_status *st, int64_t now, FILE *out);

/*
 * Write text to dir/name atomically (a temporary file in dir, fsync,
 * rename), so readers never see half a file. 0, or -1 with errno.
 */
int write_file_atomic(const char *dir, const char *name, const char *text);

/* <dir>/<domain>.json. 0, or -1 with errno. */
int status_write(const char *dir, const struct agent_status *st);
int status_read(const char *dir, const char *domain, struct agent_status *st,
		char *err, size_t errlen);

/* A domain name usable as a file name (no '/', not "." or ".."). */
bool status_name_ok(const char *domain);

#endif /* VMM_COUNTERS_H */
