/* SPDX-License-Identifier: MIT */
/*
 * policy_json.c - strict reading of the agent's JSON policies (see
 * policy_json.h): one generic walker checks types, ranges and unknown
 * keys against a key table; errors name the file, the key (dotted path)
 * and the fault.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy_json.h"
#include "units.h"

#define POLICY_MAX_FILE	(1u << 20)

__attribute__((format(printf, 2, 3)))
void pjson_error(struct policy_errors *errs, const char *fmt, ...)
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
void pjson_key_error(struct pjson *c, const char *key, const char *fmt, ...)
		     {
	char what[POLICY_ERROR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	pjson_error(c->errs, "%s: key '%s': %s", c->file, key, what);
	if (c->nr_failed < sizeof(c->failed) / sizeof(c->failed[0]))
		snprintf(c->failed[c->nr_failed++], sizeof(c->failed[0]), "%s",
			 key);
}

bool pjson_key_failed(const struct pjson *c, const char *key)
{
	for (unsigned int i = 0; i < c->nr_failed; i++)
		if (!strcmp(c->failed[i], key))
			return true;
	return false;
}

const char *pjson_type_words(json_object *v)
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

static void *field(struct pjson *c, size_t off)
{
	return (char *)c->base + off;
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
static bool check_node(struct pjson *c, const char *key, int node)
{
	char list[256];

	if (!c->env || !c->env->node_state)
		return true;
	switch (c->env->node_state(c->env->ctx, node)) {
	case NODE_ONLINE:
		return true;
	case NODE_NO_MEMORY:
		pjson_key_error(c, key, "node %d is online but has no memory, so no page can be moved to it",
				node);
		return false;
	case NODE_OFFLINE:
		break;
	}
	online_list(c->env, list, sizeof(list));
	pjson_key_error(c, key, "node %d is not online (online nodes: %s)", node,
			list[0] ? list : "none");
	return false;
}

static void parse_nodes(struct pjson *c, const struct key_spec *k,
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
			pjson_key_error(c, key, "\"%s\" is not a node list: %s",
					json_object_get_string(v), why);
			return;
		}
	} else if (json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v);

		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(v, i);
			int64_t node;

			if (!json_object_is_type(e, json_type_int)) {
				pjson_key_error(c, key, "element %zu: expected a node number, got %s",
						i, pjson_type_words(e));
				return;
			}
			node = json_object_get_int64(e);
			if (node < 0 || node >= NODESET_MAX) {
				pjson_key_error(c, key, "element %zu: node %lld is out of range (0 to %d)",
						i, (long long)node, NODESET_MAX - 1);
				return;
			}
			if (nodeset_has(&set, (int)node)) {
				pjson_key_error(c, key, "node %lld is listed twice",
						(long long)node);
				return;
			}
			nodeset_add(&set, (int)node);
		}
	} else {
		pjson_key_error(c, key, "expected an array of node numbers or a string such as \"1-2\", got %s",
				pjson_type_words(v));
		return;
	}
	if (nodeset_count(&set) == 0) {
		pjson_key_error(c, key, "must name at least one node");
		return;
	}
	if (nodeset_count(&set) > POLICY_MAX_TIER_NODES) {
		pjson_key_error(c, key, "%u nodes; a tier has at most %d",
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

static void parse_size_key(struct pjson *c, const struct key_spec *k,
			   const char *key, json_object *v)
{
	uint64_t b;

	if (json_object_is_type(v, json_type_int)) {
		int64_t x = json_object_get_int64(v);

		if (x < 0) {
			pjson_key_error(c, key, "%lld is not a size", (long long)x);
			return;
		}
		b = (uint64_t)x;
	} else if (json_object_is_type(v, json_type_string)) {
		if (parse_size(json_object_get_string(v), &b)) {
			pjson_key_error(c, key, "\"%s\" is not a size: write e.g. \"4GiB\" or a number of bytes",
					json_object_get_string(v));
			return;
		}
	} else {
		pjson_key_error(c, key, "expected bytes (an integer) or a string such as \"4GiB\", got %s",
				pjson_type_words(v));
		return;
	}
	if ((double)b < k->min) {
		pjson_key_error(c, key, "%llu bytes is less than %.0f",
				(unsigned long long)b, k->min);
		return;
	}
	*(uint64_t *)field(c, k->off) = b;
}

static void parse_uint(struct pjson *c, const struct key_spec *k,
		       const char *key, json_object *v)
{
	int64_t x;

	if (!json_object_is_type(v, json_type_int)) {
		pjson_key_error(c, key, "expected an integer, got %s", pjson_type_words(v));
		return;
	}
	x = json_object_get_int64(v);
	if ((double)x < k->min || (double)x > k->max) {
		pjson_key_error(c, key, "%lld is out of range (%.0f to %.0f)",
				(long long)x, k->min, k->max);
		return;
	}
	*(unsigned int *)field(c, k->off) = (unsigned int)x;
}

static void parse_seconds(struct pjson *c, const struct key_spec *k,
			  const char *key, json_object *v)
{
	double s;

	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double)) {
		pjson_key_error(c, key, "expected a number of seconds, got %s",
				pjson_type_words(v));
		return;
	}
	s = json_object_get_double(v);
	if (!(s >= k->min && s <= k->max)) {
		pjson_key_error(c, key, "%g is out of range (%g to %g seconds)", s,
				k->min, k->max);
		return;
	}
	*(unsigned int *)field(c, k->off) = (unsigned int)lround(s * 1000.0);
}

static void parse_enum(struct pjson *c, const struct key_spec *k,
		       const char *key, json_object *v)
{
	char list[128] = "";
	const char *s;

	if (!json_object_is_type(v, json_type_string)) {
		pjson_key_error(c, key, "expected a string, got %s", pjson_type_words(v));
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
	pjson_key_error(c, key, "\"%s\" is not one of %s", s, list);
}

static void parse_key(struct pjson *c, const struct key_spec *k,
		      const char *key, json_object *v)
{
	switch (k->kind) {
	case K_NODES:
		parse_nodes(c, k, key, v);
		break;
	case K_SIZE:
		parse_size_key(c, k, key, v);
		break;
	case K_CUSTOM:
		k->custom(c, key, v);
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
			pjson_key_error(c, key, "expected an object, got %s",
					pjson_type_words(v));
		else
			pjson_parse_object(c, k->sub, key, v);
		break;
	}
}

void pjson_parse_object(struct pjson *c, const struct key_spec *keys,
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
			pjson_key_error(c, key, "unknown key (known keys here: %s)",
					known);
			continue;
		}
		parse_key(c, k, key, val);
	}
	for (const struct key_spec *k = keys; k->name; k++) {
		if (k->required && !json_object_object_get_ex(obj, k->name, NULL)) {
			snprintf(key, sizeof(key), "%s%s%s", prefix,
				 *prefix ? "." : "", k->name);
			pjson_key_error(c, key, "is required");
		}
	}
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

json_object *pjson_parse_text(const char *name, const char *text,
			      struct policy_errors *errs)
{
	struct json_tokener *tok = json_tokener_new();
	size_t len = strlen(text), end;
	unsigned int line, col;
	enum json_tokener_error jerr;
	json_object *root;

	if (!tok) {
		pjson_error(errs, "%s: out of memory", name);
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
			pjson_error(errs, "%s: line %u, column %u: the file ends inside the JSON text",
				    name, line, col);
		else
			pjson_error(errs, "%s: line %u, column %u: JSON syntax error: %s",
				    name, line, col, json_tokener_error_desc(jerr));
		json_object_put(root);
		return NULL;
	}
	end += strspn(text + end, " \t\r\n");
	if (end < len) {
		line_col(text, end, &line, &col);
		pjson_error(errs, "%s: line %u, column %u: text after the end of the JSON object",
			    name, line, col);
		json_object_put(root);
		return NULL;
	}
	if (!json_object_is_type(root, json_type_object)) {
		pjson_error(errs, "%s: the policy must be a JSON object ({...}), not %s",
			    name, pjson_type_words(root));
		json_object_put(root);
		return NULL;
	}
	return root;
}

struct pjson *pjson_open(const char *name, const char *text,
			 const struct policy_env *env, void *base,
			 struct policy_errors *errs)
{
	json_object *root = pjson_parse_text(name, text, errs);
	struct pjson *c;

	if (!root)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c) {
		json_object_put(root);
		pjson_error(errs, "%s: out of memory", name);
		return NULL;
	}
	c->file = name;
	c->env = env;
	c->base = base;
	c->root = root;
	c->errs = errs;
	return c;
}

void pjson_close(struct pjson *c)
{
	json_object_put(c->root);
	free(c);
}

char *pjson_read_file(const char *path, struct policy_errors *errs)
{
	struct stat st;
	char *text;
	size_t got;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		pjson_error(errs, "%s: cannot read: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		pjson_error(errs, "%s: not a regular file", path);
		fclose(f);
		return NULL;
	}
	if (st.st_size > POLICY_MAX_FILE) {
		pjson_error(errs, "%s: %lld bytes is too large for a policy (at most %u)",
			    path, (long long)st.st_size, POLICY_MAX_FILE);
		fclose(f);
		return NULL;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		fclose(f);
		pjson_error(errs, "%s: out of memory", path);
		return NULL;
	}
	got = fread(text, 1, (size_t)st.st_size, f);
	text[got] = '\0';
	fclose(f);
	if (strlen(text) != got) {
		pjson_error(errs, "%s: contains a NUL byte: not a JSON text", path);
		free(text);
		return NULL;
	}
	return text;
}

