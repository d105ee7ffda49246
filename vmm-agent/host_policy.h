/* SPDX-License-Identifier: MIT */
/*
 * host_policy.h - the host's DRAM policy, /etc/vmm-agent/host.json
 * (issue 16's host mode): which nodes are the DRAM budget, what the
 * host keeps for itself, and for each domain a guaranteed minimum, a
 * cap and a weight (dram_share.h says how they combine). Read as
 * strictly as a domain's policy (policy_json.h):
 *
 *	{
 *	  "dram_nodes": [0],
 *	  "reserved": "8GiB",
 *	  "default": { "weight": 1 },
 *	  "domains": {
 *	    "web1": { "guarantee": "16GiB", "cap": "64GiB", "weight": 3 },
 *	    "batch": { "weight": 1, "cap": "8GiB" }
 *	  }
 *	}
 *
 * "reserved" is what marks a host policy (a domain's has none).
 */
#ifndef VMM_HOST_POLICY_H
#define VMM_HOST_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define HOST_POLICY_PATH	POLICY_DIR "/host.json"
#define HOST_MAX_WEIGHT		1000
#define HOST_NO_CAP		UINT64_MAX

struct host_share {
	uint64_t guarantee;	/* bytes, default 0 */
	uint64_t cap;		/* bytes, default HOST_NO_CAP */
	unsigned int weight;	/* 1 to HOST_MAX_WEIGHT, default 1 */
};

struct host_domain {
	char name[256];
	struct host_share share;
};

struct host_policy {
	int dram_nodes[POLICY_MAX_TIER_NODES];
	unsigned int nr_dram_nodes;
	uint64_t reserved;		/* bytes the host keeps */
	uint64_t dram_bytes;		/* of dram_nodes, 0 if not known */
	struct host_share defaults;	/* of domains not listed */
	struct host_domain *domains;
	size_t nr_domains;
};

/*
 * Parse and validate text (name: the file named in errors). With env's
 * node_bytes, the nodes' DRAM is checked against "reserved" and the sum
 * of the guarantees. 0, or -1 with every problem in errs.
 */
int host_policy_parse(const char *name, const char *text,
		      const struct policy_env *env, struct host_policy *out,
		      struct policy_errors *errs);
int host_policy_load(const char *path, const struct policy_env *env,
		     struct host_policy *out, struct policy_errors *errs);
void host_policy_free(struct host_policy *h);

/* Is text a host policy (a JSON object with "reserved")? */
bool host_policy_text(const char *text);

/* The share of a domain: its own entry, or the default. */
const struct host_share *host_policy_share(const struct host_policy *h,
					   const char *domain);

/* The DRAM to share among domains: the nodes' DRAM less what is kept. */
uint64_t host_policy_budget(const struct host_policy *h);

#endif /* VMM_HOST_POLICY_H */
