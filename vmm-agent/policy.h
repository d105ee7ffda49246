/* SPDX-License-Identifier: MIT */
/*
 * policy.h - a domain's tiering policy: one JSON file per domain
 * (/etc/vmm-agent/<domain>.json), read with json-c and validated strictly
 * before anything moves. Keys, defaults and ranges are in README.md.
 *
 * Every problem is reported as "FILE: key 'KEY': what is wrong"; all of a
 * file's problems are collected, not only the first.
 */
#ifndef VMM_POLICY_H
#define VMM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nodeset.h"

#define POLICY_DIR		"/etc/vmm-agent"
#define POLICY_MAX_TIER_NODES	16
#define POLICY_MAX_ERRORS	16
#define POLICY_ERROR_LEN	320
/* The history is one byte per page: rules can look back at most 8 scans. */
#define POLICY_HISTORY_SCANS	8
#define POLICY_MAX_BATCH_PAGES	(1u << 16)

enum policy_mode { POLICY_ENFORCE, POLICY_DRY_RUN };
enum policy_huge { POLICY_HUGE_MOVE, POLICY_HUGE_SKIP };
enum policy_limit_kind { POLICY_LIMIT_BYTES, POLICY_LIMIT_PERCENT };

struct policy {
	int dram_nodes[POLICY_MAX_TIER_NODES];
	unsigned int nr_dram_nodes;
	int pmem_nodes[POLICY_MAX_TIER_NODES];
	unsigned int nr_pmem_nodes;
	enum policy_limit_kind limit_kind;
	uint64_t limit_bytes;		/* POLICY_LIMIT_BYTES */
	double limit_percent;		/* POLICY_LIMIT_PERCENT, (0, 100] */
	unsigned int scan_interval_ms;
	unsigned int hot_min_scans;	/* hot: accessed in >= this many ... */
	unsigned int hot_window_scans;	/* ... of the last this many scans */
	unsigned int cold_idle_scans;	/* cold: idle for this many scans */
	unsigned int hysteresis_scans;	/* displacement gap, see hotness.h */
	unsigned int rate_limit_mb_s;	/* MiB per second */
	unsigned int batch_pages;	/* addresses per move_pages call */
	enum policy_huge huge_pages;
	enum policy_mode mode;
};

struct policy_errors {
	unsigned int n;
	unsigned int dropped;		/* beyond POLICY_MAX_ERRORS */
	char msg[POLICY_MAX_ERRORS][POLICY_ERROR_LEN];
};

enum node_state { NODE_OFFLINE, NODE_NO_MEMORY, NODE_ONLINE };

/* What validation checks against: the host's nodes and the guest's size. */
struct policy_env {
	enum node_state (*node_state)(void *ctx, int node);
	void *ctx;
	uint64_t guest_bytes;	/* 0: unknown, the size checks are skipped */
	/* a node's memory in bytes, 0 if unknown; NULL: not checked */
	uint64_t (*node_bytes)(void *ctx, int node);
};

/* The env of this host: nodes from sysfs (ctx: sysfs node dir or NULL). */
enum node_state policy_sysfs_node_state(void *ctx, int node);
uint64_t policy_sysfs_node_bytes(void *ctx, int node);
#define POLICY_SYSFS_NODE_DIR	"/sys/devices/system/node"

void policy_defaults(struct policy *p);

/* Parse and validate text; name is the file named in the errors. 0 or -1. */
int policy_parse(const char *name, const char *text,
		 const struct policy_env *env, struct policy *out,
		 struct policy_errors *errs);

/* Read path and policy_parse it. 0 or -1. */
int policy_load(const char *path, const struct policy_env *env,
		struct policy *out, struct policy_errors *errs);

/*
 * The DRAM limit in 4 KiB pages for a guest of guest_bytes; fails (with
 * an error naming name and 'dram_limit') if the limit exceeds the guest.
 */
int policy_limit_pages(const char *name, const struct policy *p,
		       uint64_t guest_bytes, uint64_t *pages,
		       struct policy_errors *errs);

/* Is node in the DRAM (resp. PMEM) tier? */
bool policy_is_dram(const struct policy *p, int node);
bool policy_is_pmem(const struct policy *p, int node);

/* Print the errors, one a line. */
void policy_errors_print(const struct policy_errors *errs, FILE *out);

/* Default policy path of a domain into buf. */
void policy_default_path(const char *domain, char *buf, size_t len);

const char *policy_mode_name(enum policy_mode m);

#endif /* VMM_POLICY_H */
