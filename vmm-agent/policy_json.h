/* SPDX-License-Identifier: MIT */
/*
 * policy_json.h - strict reading of the agent's JSON policy files (a
 * domain's, policy.h; the host's, host_policy.h), with json-c.
 *
 * A file's keys are described by a table (key_spec) of where each goes
 * in the struct being filled; one walker checks types, ranges and
 * unknown keys. Every problem is reported as "FILE: key 'KEY': what is
 * wrong", all of a file's problems, not only the first.
 */
#ifndef VMM_POLICY_JSON_H
#define VMM_POLICY_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "policy.h"

enum key_kind {
	K_NODES,	/* array of node numbers, or "0-1,3" */
	K_SIZE,		/* bytes: an integer or "4GiB", into a uint64_t */
	K_SECONDS,	/* number of seconds, stored in ms */
	K_UINT,		/* integer in [min, max] */
	K_ENUM,		/* one of choices[], stored as its index */
	K_OBJECT,	/* nested keys in sub[] */
	K_CUSTOM,	/* custom() reads it */
};

struct pjson;

struct key_spec {
	const char *name;
	enum key_kind kind;
	size_t off;		/* the field in the struct being filled */
	size_t count_off;	/* K_NODES: the node count field */
	double min, max;	/* K_UINT, K_SECONDS (seconds); K_SIZE: min */
	const char *const *choices;
	const struct key_spec *sub;
	bool required;
	void (*custom)(struct pjson *c, const char *key, json_object *v);
};

/* One file being read. */
struct pjson {
	const char *file;		/* named in the errors */
	const struct policy_env *env;	/* nodes are checked against it */
	void *base;			/* the struct the keys fill */
	json_object *root;		/* the file's JSON object */
	struct policy_errors *errs;
	/* keys that failed, so rules between keys do not pile onto them */
	char failed[POLICY_MAX_ERRORS * 2][64];
	unsigned int nr_failed;
};

__attribute__((format(printf, 2, 3)))
void pjson_error(struct policy_errors *errs, const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void pjson_key_error(struct pjson *c, const char *key, const char *fmt,
		     ...);
bool pjson_key_failed(const struct pjson *c, const char *key);
const char *pjson_type_words(json_object *v);	/* "an integer", ... */

/* The keys of obj against the table (prefix: the dotted path to obj). */
void pjson_parse_object(struct pjson *c, const struct key_spec *keys,
			const char *prefix, json_object *obj);

/* A JSON object from text, strictly; NULL with the error in errs. */
json_object *pjson_parse_text(const char *name, const char *text,
			      struct policy_errors *errs);

/*
 * Start reading a file's text into base: its JSON object parsed (c->root),
 * to walk with pjson_parse_object. NULL with the error in errs.
 */
struct pjson *pjson_open(const char *name, const char *text,
			 const struct policy_env *env, void *base,
			 struct policy_errors *errs);
void pjson_close(struct pjson *c);

/* A policy file's text (at most 1 MiB, no NUL); free() it. NULL + errs. */
char *pjson_read_file(const char *path, struct policy_errors *errs);

#endif /* VMM_POLICY_JSON_H */
