/* SPDX-License-Identifier: MIT */
/*
 * policy.c - strict parsing and validation of a domain's JSON policy.
 *
 * The keys are described by tables (key_spec, policy_json.h) that the
 * generic walker checks; then cross-key rules run on the keys that
 * parsed.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "policy_json.h"
#include "units.h"

static const char *const huge_choices[] = { "move", "skip", NULL };
static const char *const mode_choices[] = { "enforce", "dry-run", NULL };

#define FIELD(f)	offsetof(struct policy, f)

/* dram_limit: bytes, "4GiB" or "25%" of the guest */
static void parse_limit(struct pjson *c, const char *key, json_object *v);

static const struct key_spec hot_keys[] = {
	{ "min_accessed_scans", K_UINT, FIELD(hot_min_scans), 0, 1,
	  POLICY_HISTORY_SCANS, NULL, NULL, false, NULL },
	{ "window_scans", K_UINT, FIELD(hot_window_scans), 0, 1,
	  POLICY_HISTORY_SCANS, NULL, NULL, false, NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, false, NULL },
};

static const struct key_spec cold_keys[] = {
	{ "idle_scans", K_UINT, FIELD(cold_idle_scans), 0, 1,
	  POLICY_HISTORY_SCANS, NULL, NULL, false, NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, false, NULL },
};

static const struct key_spec migration_keys[] = {
	{ "rate_limit_mb_s", K_UINT, FIELD(rate_limit_mb_s), 0, 1, 1 << 20,
	  NULL, NULL, false, NULL },
	{ "batch_pages", K_UINT, FIELD(batch_pages), 0, 1,
	  POLICY_MAX_BATCH_PAGES, NULL, NULL, false, NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, false, NULL },
};

static const struct key_spec top_keys[] = {
	{ "dram_nodes", K_NODES, FIELD(dram_nodes), FIELD(nr_dram_nodes), 0,
	  0, NULL, NULL, true, NULL },
	{ "pmem_nodes", K_NODES, FIELD(pmem_nodes), FIELD(nr_pmem_nodes), 0,
	  0, NULL, NULL, true, NULL },
	{ "dram_limit", K_CUSTOM, 0, 0, 0, 0, NULL, NULL, true, parse_limit },
	{ "scan_interval", K_SECONDS, FIELD(scan_interval_ms), 0, 0.1, 3600,
	  NULL, NULL, false, NULL },
	{ "hot", K_OBJECT, 0, 0, 0, 0, NULL, hot_keys, false, NULL },
	{ "cold", K_OBJECT, 0, 0, 0, 0, NULL, cold_keys, false, NULL },
	{ "hysteresis_scans", K_UINT, FIELD(hysteresis_scans), 0, 0,
	  POLICY_HISTORY_SCANS, NULL, NULL, false, NULL },
	{ "migration", K_OBJECT, 0, 0, 0, 0, NULL, migration_keys, false, NULL },
	{ "huge_pages", K_ENUM, FIELD(huge_pages), 0, 0, 0, huge_choices,
	  NULL, false, NULL },
	{ "mode", K_ENUM, FIELD(mode), 0, 0, 0, mode_choices, NULL, false, NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, false, NULL },
};

void policy_defaults(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	p->limit_kind = POLICY_LIMIT_PERCENT;
	p->limit_percent = 100.0;
	p->scan_interval_ms = 5000;
	p->hot_min_scans = 2;
	p->hot_window_scans = 4;
	p->cold_idle_scans = 4;
	p->hysteresis_scans = 1;
	p->rate_limit_mb_s = 256;
	p->batch_pages = 1024;
	p->huge_pages = POLICY_HUGE_MOVE;
	p->mode = POLICY_ENFORCE;
}

static void parse_limit(struct pjson *c, const char *key, json_object *v)
{
	struct policy *p = c->base;
	const char *s;
	size_t len;

	if (json_object_is_type(v, json_type_int)) {
		int64_t b = json_object_get_int64(v);

		if (b < (int64_t)PAGE_SIZE_4K) {
			pjson_key_error(c, key, "%lld bytes is less than one page (4096 bytes)",
					(long long)b);
			return;
		}
		p->limit_kind = POLICY_LIMIT_BYTES;
		p->limit_bytes = (uint64_t)b;
		return;
	}
	if (!json_object_is_type(v, json_type_string)) {
		pjson_key_error(c, key, "expected bytes (an integer) or a string such as \"25%%\" or \"4GiB\", got %s",
				pjson_type_words(v));
		return;
	}
	s = json_object_get_string(v);
	len = strlen(s);
	if (len > 1 && s[len - 1] == '%') {
		char *end;
		double pct = strtod(s, &end);

		if (end != s + len - 1 || !isfinite(pct)) {
			pjson_key_error(c, key, "\"%s\" is not a share: write e.g. \"25%%\"",
					s);
			return;
		}
		if (pct <= 0.0 || pct > 100.0) {
			pjson_key_error(c, key, "%s is out of range (more than 0%% up to 100%%)",
					s);
			return;
		}
		p->limit_kind = POLICY_LIMIT_PERCENT;
		p->limit_percent = pct;
		return;
	}
	if (parse_size(s, &p->limit_bytes)) {
		pjson_key_error(c, key, "\"%s\" is not a size or a share: write e.g. \"4GiB\" or \"25%%\"",
				s);
		return;
	}
	if (p->limit_bytes < PAGE_SIZE_4K) {
		pjson_key_error(c, key, "\"%s\" is less than one page (4096 bytes)", s);
		return;
	}
	p->limit_kind = POLICY_LIMIT_BYTES;
}

/* Rules between keys, checked only where the keys themselves parsed. */
static void check_cross(struct pjson *c)
{
	struct policy *p = c->base;

	for (unsigned int i = 0; i < p->nr_pmem_nodes; i++)
		if (policy_is_dram(p, p->pmem_nodes[i]))
			pjson_key_error(c, "pmem_nodes", "node %d is also in 'dram_nodes'; a node belongs to one tier",
					p->pmem_nodes[i]);
	if (!pjson_key_failed(c, "hot.min_accessed_scans") &&
	    !pjson_key_failed(c, "hot.window_scans") &&
	    p->hot_min_scans > p->hot_window_scans)
		pjson_key_error(c, "hot.min_accessed_scans", "%u is more than hot.window_scans (%u)",
				p->hot_min_scans, p->hot_window_scans);
	/*
	 * A cold page must not still pass the hot rule, or it would be
	 * demoted and promoted again: idle_scans >= window - min + 1.
	 */
	if (!pjson_key_failed(c, "cold.idle_scans") &&
	    !pjson_key_failed(c, "hot.min_accessed_scans") &&
	    !pjson_key_failed(c, "hot.window_scans") &&
	    p->hot_min_scans <= p->hot_window_scans &&
	    p->cold_idle_scans < p->hot_window_scans - p->hot_min_scans + 1)
		pjson_key_error(c, "cold.idle_scans", "%u would call a page cold while the hot rule (%u of %u scans) still calls it hot; use at least %u",
				p->cold_idle_scans, p->hot_min_scans,
				p->hot_window_scans,
				p->hot_window_scans - p->hot_min_scans + 1);
	if (!pjson_key_failed(c, "hysteresis_scans") &&
	    !pjson_key_failed(c, "hot.window_scans") &&
	    p->hysteresis_scans > p->hot_window_scans)
		pjson_key_error(c, "hysteresis_scans", "%u is more than hot.window_scans (%u): no page could ever displace another",
				p->hysteresis_scans, p->hot_window_scans);
}

int policy_parse(const char *name, const char *text,
		 const struct policy_env *env, struct policy *out,
		 struct policy_errors *errs)
{
	struct pjson *c;
	struct policy p;
	uint64_t pages;
	unsigned int before = errs->n + errs->dropped;
	bool limit_ok;

	policy_defaults(&p);
	c = pjson_open(name, text, env, &p, errs);
	if (!c)
		return -1;
	pjson_parse_object(c, top_keys, "", c->root);
	check_cross(c);
	/* the limit against the guest too, whatever else is wrong */
	limit_ok = !pjson_key_failed(c, "dram_limit");
	pjson_close(c);
	if (limit_ok && env && env->guest_bytes)
		policy_limit_pages(name, &p, env->guest_bytes, &pages, errs);
	if (errs->n + errs->dropped != before)
		return -1;
	*out = p;
	return 0;
}

int policy_load(const char *path, const struct policy_env *env,
		struct policy *out, struct policy_errors *errs)
{
	char *text = pjson_read_file(path, errs);
	int ret;

	if (!text)
		return -1;
	ret = policy_parse(path, text, env, out, errs);
	free(text);
	return ret;
}

int policy_limit_pages(const char *name, const struct policy *p,
		       uint64_t guest_bytes, uint64_t *pages,
		       struct policy_errors *errs)
{
	uint64_t bytes;

	if (p->limit_kind == POLICY_LIMIT_PERCENT) {
		bytes = (uint64_t)((double)guest_bytes * p->limit_percent / 100.0);
	} else {
		bytes = p->limit_bytes;
		if (bytes > guest_bytes) {
			char lim[32], guest[32];

			pjson_error(errs, "%s: key 'dram_limit': %s is more than the guest's memory (%s)",
				    name, format_bytes(bytes, lim, sizeof(lim)),
				    format_bytes(guest_bytes, guest,
				    sizeof(guest)));
			return -1;
		}
	}
	*pages = bytes / PAGE_SIZE_4K;
	return 0;
}

static bool in_list(const int *nodes, unsigned int n, int node)
{
	for (unsigned int i = 0; i < n; i++)
		if (nodes[i] == node)
			return true;
	return false;
}

bool policy_is_dram(const struct policy *p, int node)
{
	return in_list(p->dram_nodes, p->nr_dram_nodes, node);
}

bool policy_is_pmem(const struct policy *p, int node)
{
	return in_list(p->pmem_nodes, p->nr_pmem_nodes, node);
}

enum node_state policy_sysfs_node_state(void *ctx, int node)
{
	const char *dir = ctx ? ctx : POLICY_SYSFS_NODE_DIR;
	struct nodeset set;
	char path[512];

	snprintf(path, sizeof(path), "%s/online", dir);
	if (nodeset_read_file(&set, path) || !nodeset_has(&set, node))
		return NODE_OFFLINE;
	snprintf(path, sizeof(path), "%s/has_memory", dir);
	if (nodeset_read_file(&set, path) || !nodeset_has(&set, node))
		return NODE_NO_MEMORY;
	return NODE_ONLINE;
}

uint64_t policy_sysfs_node_bytes(void *ctx, int node)
{
	const char *dir = ctx ? ctx : POLICY_SYSFS_NODE_DIR;
	unsigned long long kb = 0;
	char path[512], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/node%d/meminfo", dir, node);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Node %*d MemTotal: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

void policy_errors_print(const struct policy_errors *errs, FILE *out)
{
	for (unsigned int i = 0; i < errs->n; i++)
		fprintf(out, "%s\n", errs->msg[i]);
	if (errs->dropped)
		fprintf(out, "(%u more errors not shown)\n", errs->dropped);
}

void policy_default_path(const char *domain, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s.json", POLICY_DIR, domain);
}

const char *policy_mode_name(enum policy_mode m)
{
	return mode_choices[m];
}
