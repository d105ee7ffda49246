/* SPDX-License-Identifier: MIT */
/*
 * policy.c - strict parsing and validation of a domain's JSON policy.
 *
 * The keys are described by tables (key_spec); one generic walker checks
 * types, ranges and unknown keys, then cross-key rules run on the keys
 * that parsed. Errors name the file, the key (dotted path) and the fault.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "policy.h"
#include "units.h"

#define POLICY_MAX_FILE	(1u << 20)

enum key_kind {
	K_NODES,	/* array of node numbers, or "0-1,3" */
	K_LIMIT,	/* bytes (integer), "4GiB" or "25%" */
	K_SECONDS,	/* number of seconds, stored in ms */
	K_UINT,		/* integer in [min, max] */
	K_ENUM,		/* one of choices[], stored as its index */
	K_OBJECT,	/* nested keys in sub[] */
};

struct key_spec {
	const char *name;
	enum key_kind kind;
	size_t off;		/* the field in struct policy */
	size_t count_off;	/* K_NODES: the node count field */
	double min, max;	/* K_UINT, K_SECONDS (in seconds) */
	const char *const *choices;
	const struct key_spec *sub;
	bool required;
};

static const char *const huge_choices[] = { "move", "skip", NULL };
static const char *const mode_choices[] = { "enforce", "dry-run", NULL };

#define FIELD(f)	offsetof(struct policy, f)

static const struct key_spec hot_keys[] = {
	{ "min_accessed_scans", K_UINT, FIELD(hot_min_scans), 0, 1,
	  POLICY_HISTORY_SCANS, NULL, NULL, false },
	{ "window_scans", K_UINT, FIELD(hot_window_scans), 0, 1,
	  POLICY_HISTORY_SCANS, NULL, NULL, false },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, false },
};

static const struct key_spec cold_keys[] = {
	{ "idle_scans", K_UINT, FIELD(cold_idle_scans), 0, 1,
	  POLICY_HISTORY_SCANS, NULL, NULL, false },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, false },
};

static const struct key_spec migration_keys[] = {
	{ "rate_limit_mb_s", K_UINT, FIELD(rate_limit_mb_s), 0, 1, 1 << 20,
	  NULL, NULL, false },
	{ "batch_pages", K_UINT, FIELD(batch_pages), 0, 1,
	  POLICY_MAX_BATCH_PAGES, NULL,
	  NULL, false },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, false },
};

static const struct key_spec top_keys[] = {
	{ "dram_nodes", K_NODES, FIELD(dram_nodes), FIELD(nr_dram_nodes), 0,
	  0, NULL, NULL, true },
	{ "pmem_nodes", K_NODES, FIELD(pmem_nodes), FIELD(nr_pmem_nodes), 0,
	  0, NULL, NULL, true },
	{ "dram_limit", K_LIMIT, 0, 0, 0, 0, NULL, NULL, true },
	{ "scan_interval", K_SECONDS, FIELD(scan_interval_ms), 0, 0.1, 3600,
	  NULL, NULL, false },
	{ "hot", K_OBJECT, 0, 0, 0, 0, NULL, hot_keys, false },
	{ "cold", K_OBJECT, 0, 0, 0, 0, NULL, cold_keys, false },
	{ "hysteresis_scans", K_UINT, FIELD(hysteresis_scans), 0, 0,
	  POLICY_HISTORY_SCANS, NULL, NULL, false },
	{ "migration", K_OBJECT, 0, 0, 0, 0, NULL, migration_keys, false },
	{ "huge_pages", K_ENUM, FIELD(huge_pages), 0, 0, 0, huge_choices,
	  NULL, false },
	{ "mode", K_ENUM, FIELD(mode), 0, 0, 0, mode_choices, NULL, false },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, false },
};

struct pctx {
	const char *file;
	const struct policy_env *env;
	struct policy *p;
	struct policy_errors *errs;
	/* keys that failed, so cross-key rules do not pile onto them */
	char failed[POLICY_MAX_ERRORS * 2][64];
	unsigned int nr_failed;
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

__attribute__((format(printf, 2, 3)))
static void add_error(struct policy_errors *errs, const char *fmt, ...)
{
	va_list ap;

	if (errs->n >= POLICY_MAX_ERRORS) {
		errs->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(errs->msg[errs->n++], POLICY_ERROR_LEN, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4)))
static void key_error(struct pctx *c, const char *key, const char *fmt, ...)
{
	char what[POLICY_ERROR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	add_error(c->errs, "%s: key '%s': %s", c->file, key, what);
	if (c->nr_failed < sizeof(c->failed) / sizeof(c->failed[0]))
		snprintf(c->failed[c->nr_failed++], sizeof(c->failed[0]), "%s",
			 key);
}

static bool key_failed(const struct pctx *c, const char *key)
{
	for (unsigned int i = 0; i < c->nr_failed; i++)
		if (!strcmp(c->failed[i], key))
			return true;
	return false;
}

static const char *type_words(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "true/false";
	case json_type_double: return "a number with a fraction";
	case json_type_int: return "an integer";
	case json_type_string: return "a string";
	case json_type_array: return "an array";
	case json_type_object: return "an object";
	}
	return "something else";
}

static void *field(struct pctx *c, size_t off)
{
	return (char *)c->p + off;
}

static void online_list(const struct policy_env *env, char *buf, size_t len)
{
	struct nodeset online;

	nodeset_clear(&online);
	for (int n = 0; n < NODESET_MAX; n++)
		if (env->node_state(env->ctx, n) != NODE_OFFLINE)
			nodeset_add(&online, n);
	nodeset_format(&online, buf, len);
}

/* Check one node of a tier list against the host; false if unusable. */
static bool check_node(struct pctx *c, const char *key, int node)
{
	char list[256];

	if (!c->env || !c->env->node_state)
		return true;
	switch (c->env->node_state(c->env->ctx, node)) {
	case NODE_ONLINE:
		return true;
	case NODE_NO_MEMORY:
		key_error(c, key, "node %d is online but has no memory, so no page can be moved to it",
			  node);
		return false;
	case NODE_OFFLINE:
		break;
	}
	online_list(c->env, list, sizeof(list));
	key_error(c, key, "node %d is not online (online nodes: %s)", node,
		  list[0] ? list : "none");
	return false;
}

static void parse_nodes(struct pctx *c, const struct key_spec *k,
			const char *key, json_object *v)
{
	int *nodes = field(c, k->off);
	unsigned int *count = field(c, k->count_off);
	struct nodeset set;
	bool ok = true;

	nodeset_clear(&set);
	*count = 0;
	if (json_object_is_type(v, json_type_string)) {
		char why[128];

		if (nodeset_parse(&set, json_object_get_string(v), why,
				  sizeof(why))) {
			key_error(c, key, "\"%s\" is not a node list: %s",
				  json_object_get_string(v), why);
			return;
		}
	} else if (json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v);

		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(v, i);
			int64_t node;

			if (!json_object_is_type(e, json_type_int)) {
				key_error(c, key, "element %zu: expected a node number, got %s",
					  i, type_words(e));
				return;
			}
			node = json_object_get_int64(e);
			if (node < 0 || node >= NODESET_MAX) {
				key_error(c, key, "element %zu: node %lld is out of range (0 to %d)",
					  i, (long long)node, NODESET_MAX - 1);
				return;
			}
			if (nodeset_has(&set, (int)node)) {
				key_error(c, key, "node %lld is listed twice",
					  (long long)node);
				return;
			}
			nodeset_add(&set, (int)node);
		}
	} else {
		key_error(c, key, "expected an array of node numbers or a string such as \"1-2\", got %s",
			  type_words(v));
		return;
	}
	if (nodeset_count(&set) == 0) {
		key_error(c, key, "must name at least one node");
		return;
	}
	if (nodeset_count(&set) > POLICY_MAX_TIER_NODES) {
		key_error(c, key, "%u nodes; a tier has at most %d",
			  nodeset_count(&set), POLICY_MAX_TIER_NODES);
		return;
	}
	for (int n = 0; n < NODESET_MAX; n++) {
		if (!nodeset_has(&set, n))
			continue;
		ok = check_node(c, key, n) && ok;
		nodes[(*count)++] = n;
	}
	if (!ok)
		*count = 0;
}

static void parse_limit(struct pctx *c, const char *key, json_object *v)
{
	const char *s;
	size_t len;

	if (json_object_is_type(v, json_type_int)) {
		int64_t b = json_object_get_int64(v);

		if (b < (int64_t)PAGE_SIZE_4K) {
			key_error(c, key, "%lld bytes is less than one page (4096 bytes)",
				  (long long)b);
			return;
		}
		c->p->limit_kind = POLICY_LIMIT_BYTES;
		c->p->limit_bytes = (uint64_t)b;
		return;
	}
	if (!json_object_is_type(v, json_type_string)) {
		key_error(c, key, "expected bytes (an integer) or a string such as \"25%%\" or \"4GiB\", got %s",
			  type_words(v));
		return;
	}
	s = json_object_get_string(v);
	len = strlen(s);
	if (len > 1 && s[len - 1] == '%') {
		char *end;
		double pct = strtod(s, &end);

		if (end != s + len - 1 || !isfinite(pct)) {
			key_error(c, key, "\"%s\" is not a share: write e.g. \"25%%\"",
				  s);
			return;
		}
		if (pct <= 0.0 || pct > 100.0) {
			key_error(c, key, "%s is out of range (more than 0%% up to 100%%)",
				  s);
			return;
		}
		c->p->limit_kind = POLICY_LIMIT_PERCENT;
		c->p->limit_percent = pct;
		return;
	}
	if (parse_size(s, &c->p->limit_bytes)) {
		key_error(c, key, "\"%s\" is not a size or a share: write e.g. \"4GiB\" or \"25%%\"",
			  s);
		return;
	}
	if (c->p->limit_bytes < PAGE_SIZE_4K) {
		key_error(c, key, "\"%s\" is less than one page (4096 bytes)", s);
		return;
	}
	c->p->limit_kind = POLICY_LIMIT_BYTES;
}

static void parse_uint(struct pctx *c, const struct key_spec *k,
		       const char *key, json_object *v)
{
	int64_t x;

	if (!json_object_is_type(v, json_type_int)) {
		key_error(c, key, "expected an integer, got %s", type_words(v));
		return;
	}
	x = json_object_get_int64(v);
	if ((double)x < k->min || (double)x > k->max) {
		key_error(c, key, "%lld is out of range (%.0f to %.0f)",
			  (long long)x, k->min, k->max);
		return;
	}
	*(unsigned int *)field(c, k->off) = (unsigned int)x;
}

static void parse_seconds(struct pctx *c, const struct key_spec *k,
			  const char *key, json_object *v)
{
	double s;

	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double)) {
		key_error(c, key, "expected a number of seconds, got %s",
			  type_words(v));
		return;
	}
	s = json_object_get_double(v);
	if (!(s >= k->min && s <= k->max)) {
		key_error(c, key, "%g is out of range (%g to %g seconds)", s,
			  k->min, k->max);
		return;
	}
	*(unsigned int *)field(c, k->off) = (unsigned int)lround(s * 1000.0);
}

static void parse_enum(struct pctx *c, const struct key_spec *k,
		       const char *key, json_object *v)
{
	char list[128] = "";
	const char *s;

	if (!json_object_is_type(v, json_type_string)) {
		key_error(c, key, "expected a string, got %s", type_words(v));
		return;
	}
	s = json_object_get_string(v);
	for (unsigned int i = 0; k->choices[i]; i++) {
		if (!strcmp(s, k->choices[i])) {
			*(int *)field(c, k->off) = (int)i;
			return;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s\"%s\"", i ? ", " : "", k->choices[i]);
	}
	key_error(c, key, "\"%s\" is not one of %s", s, list);
}

static void parse_object(struct pctx *c, const struct key_spec *keys,
			 const char *prefix, json_object *obj);

static void parse_key(struct pctx *c, const struct key_spec *k,
		      const char *key, json_object *v)
{
	switch (k->kind) {
	case K_NODES:
		parse_nodes(c, k, key, v);
		break;
	case K_LIMIT:
		parse_limit(c, key, v);
		break;
	case K_SECONDS:
		parse_seconds(c, k, key, v);
		break;
	case K_UINT:
		parse_uint(c, k, key, v);
		break;
	case K_ENUM:
		parse_enum(c, k, key, v);
		break;
	case K_OBJECT:
		if (!json_object_is_type(v, json_type_object))
			key_error(c, key, "expected an object, got %s",
				  type_words(v));
		else
			parse_object(c, k->sub, key, v);
		break;
	}
}

static void parse_object(struct pctx *c, const struct key_spec *keys,
			 const char *prefix, json_object *obj)
{
	char key[128];

	json_object_object_foreach(obj, name, val) {
		const struct key_spec *k;

		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "",
			 name);
		for (k = keys; k->name; k++)
			if (!strcmp(k->name, name))
				break;
		if (!k->name) {
			char known[256] = "";

			for (k = keys; k->name; k++)
				snprintf(known + strlen(known),
					 sizeof(known) - strlen(known), "%s%s",
					 k == keys ? "" : ", ", k->name);
			key_error(c, key, "unknown key (known keys here: %s)",
				  known);
			continue;
		}
		parse_key(c, k, key, val);
	}
	for (const struct key_spec *k = keys; k->name; k++) {
		if (k->required && !json_object_object_get_ex(obj, k->name, NULL)) {
			snprintf(key, sizeof(key), "%s%s%s", prefix,
				 *prefix ? "." : "", k->name);
			key_error(c, key, "is required");
		}
	}
}

/* Rules between keys, checked only where the keys themselves parsed. */
static void check_cross(struct pctx *c)
{
	struct policy *p = c->p;

	for (unsigned int i = 0; i < p->nr_pmem_nodes; i++)
		if (policy_is_dram(p, p->pmem_nodes[i]))
			key_error(c, "pmem_nodes", "node %d is also in 'dram_nodes'; a node belongs to one tier",
				  p->pmem_nodes[i]);
	if (!key_failed(c, "hot.min_accessed_scans") &&
	    !key_failed(c, "hot.window_scans") &&
	    p->hot_min_scans > p->hot_window_scans)
		key_error(c, "hot.min_accessed_scans", "%u is more than hot.window_scans (%u)",
			  p->hot_min_scans, p->hot_window_scans);
	/*
	 * A cold page must not still pass the hot rule, or it would be
	 * demoted and promoted again: idle_scans >= window - min + 1.
	 */
	if (!key_failed(c, "cold.idle_scans") &&
	    !key_failed(c, "hot.min_accessed_scans") &&
	    !key_failed(c, "hot.window_scans") &&
	    p->hot_min_scans <= p->hot_window_scans &&
	    p->cold_idle_scans < p->hot_window_scans - p->hot_min_scans + 1)
		key_error(c, "cold.idle_scans", "%u would call a page cold while the hot rule (%u of %u scans) still calls it hot; use at least %u",
			  p->cold_idle_scans, p->hot_min_scans,
			  p->hot_window_scans,
			  p->hot_window_scans - p->hot_min_scans + 1);
	if (!key_failed(c, "hysteresis_scans") &&
	    !key_failed(c, "hot.window_scans") &&
	    p->hysteresis_scans > p->hot_window_scans)
		key_error(c, "hysteresis_scans", "%u is more than hot.window_scans (%u): no page could ever displace another",
			  p->hysteresis_scans, p->hot_window_scans);
}

static void line_col(const char *text, size_t off, unsigned int *line,
		     unsigned int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static json_object *parse_json(const char *name, const char *text,
			       struct policy_errors *errs)
{
	struct json_tokener *tok = json_tokener_new();
	size_t len = strlen(text), end;
	unsigned int line, col;
	enum json_tokener_error jerr;
	json_object *root;

	if (!tok) {
		add_error(errs, "%s: out of memory", name);
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root || jerr != json_tokener_success) {
		line_col(text, end, &line, &col);
		if (jerr == json_tokener_continue)
			add_error(errs, "%s: line %u, column %u: the file ends inside the JSON text",
				  name, line, col);
		else
			add_error(errs, "%s: line %u, column %u: JSON syntax error: %s",
				  name, line, col, json_tokener_error_desc(jerr));
		json_object_put(root);
		return NULL;
	}
	end += strspn(text + end, " \t\r\n");
	if (end < len) {
		line_col(text, end, &line, &col);
		add_error(errs, "%s: line %u, column %u: text after the end of the JSON object",
			  name, line, col);
		json_object_put(root);
		return NULL;
	}
	if (!json_object_is_type(root, json_type_object)) {
		add_error(errs, "%s: the policy must be a JSON object ({...}), not %s",
			  name, type_words(root));
		json_object_put(root);
		return NULL;
	}
	return root;
}

int policy_parse(const char *name, const char *text,
		 const struct policy_env *env, struct policy *out,
		 struct policy_errors *errs)
{
	struct pctx *c;
	struct policy p;
	json_object *root;
	uint64_t pages;
	unsigned int before = errs->n + errs->dropped;
	bool limit_ok;

	policy_defaults(&p);
	root = parse_json(name, text, errs);
	if (!root)
		return -1;
	c = calloc(1, sizeof(*c));
	if (!c) {
		json_object_put(root);
		add_error(errs, "%s: out of memory", name);
		return -1;
	}
	c->file = name;
	c->env = env;
	c->p = &p;
	c->errs = errs;
	parse_object(c, top_keys, "", root);
	json_object_put(root);
	check_cross(c);
	/* the limit against the guest too, whatever else is wrong */
	limit_ok = !key_failed(c, "dram_limit");
	free(c);
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
	struct stat st;
	char *text;
	size_t got;
	FILE *f;
	int ret;

	f = fopen(path, "r");
	if (!f) {
		add_error(errs, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		add_error(errs, "%s: not a regular file", path);
		fclose(f);
		return -1;
	}
	if (st.st_size > POLICY_MAX_FILE) {
		add_error(errs, "%s: %lld bytes is too large for a policy (at most %u)",
			  path, (long long)st.st_size, POLICY_MAX_FILE);
		fclose(f);
		return -1;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		fclose(f);
		add_error(errs, "%s: out of memory", path);
		return -1;
	}
	got = fread(text, 1, (size_t)st.st_size, f);
	text[got] = '\0';
	fclose(f);
	if (strlen(text) != got) {
		add_error(errs, "%s: contains a NUL byte: not a JSON text", path);
		free(text);
		return -1;
	}
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

			add_error(errs, "%s: key 'dram_limit': %s is more than the guest's memory (%s)",
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
