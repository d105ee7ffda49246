/* SPDX-License-Identifier: MIT */
/*
 * host_policy.c - strict parsing and validation of the host's DRAM
 * policy (see host_policy.h).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_policy.h"
#include "nodeset.h"
#include "policy_json.h"
#include "units.h"

#define SHARE(f)	offsetof(struct host_share, f)
#define HOST(f)		offsetof(struct host_policy, f)

/* A domain's share; read with the base swapped to a struct host_share. */
static const struct key_spec share_keys[] = {
	{ "guarantee", K_SIZE, SHARE(guarantee), 0, 0, 0, NULL, NULL, false,
	  NULL },
	{ "cap", K_SIZE, SHARE(cap), 0, PAGE_SIZE_4K, 0, NULL, NULL, false,
	  NULL },
	{ "weight", K_UINT, SHARE(weight), 0, 1, HOST_MAX_WEIGHT, NULL, NULL,
	  false, NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, false, NULL },
};

static void parse_default(struct pjson *c, const char *key, json_object *v);
static void parse_domains(struct pjson *c, const char *key, json_object *v);

static const struct key_spec host_keys[] = {
	{ "dram_nodes", K_NODES, HOST(dram_nodes), HOST(nr_dram_nodes), 0, 0,
	  NULL, NULL, true, NULL },
	{ "reserved", K_SIZE, HOST(reserved), 0, 0, 0, NULL, NULL, true,
	  NULL },
	{ "default", K_CUSTOM, 0, 0, 0, 0, NULL, NULL, false, parse_default },
	{ "domains", K_CUSTOM, 0, 0, 0, 0, NULL, NULL, false, parse_domains },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, false, NULL },
};

static void share_defaults(struct host_share *s)
{
	s->guarantee = 0;
	s->cap = HOST_NO_CAP;
	s->weight = 1;
}

/* The keys of a share object into s. */
static void parse_share(struct pjson *c, const char *key, json_object *v,
			struct host_share *s)
{
	void *base = c->base;

	if (!json_object_is_type(v, json_type_object)) {
		pjson_key_error(c, key, "expected an object with guarantee, cap and weight, got %s",
				pjson_type_words(v));
		return;
	}
	c->base = s;
	pjson_parse_object(c, share_keys, key, v);
	c->base = base;
	if (s->cap != HOST_NO_CAP && s->guarantee > s->cap) {
		char g[32], m[32];

		pjson_key_error(c, key, "the guarantee (%s) is more than the cap (%s)",
				format_bytes(s->guarantee, g, sizeof(g)),
				format_bytes(s->cap, m, sizeof(m)));
	}
}

static void parse_default(struct pjson *c, const char *key, json_object *v)
{
	struct host_policy *h = c->base;

	parse_share(c, key, v, &h->defaults);
}

static void parse_domains(struct pjson *c, const char *key, json_object *v)
{
	struct host_policy *h = c->base;
	char sub[320];
	size_t n;

	if (!json_object_is_type(v, json_type_object)) {
		pjson_key_error(c, key, "expected an object of domain names, got %s",
				pjson_type_words(v));
		return;
	}
	n = (size_t)json_object_object_length(v);
	h->domains = calloc(n ? n : 1, sizeof(*h->domains));
	if (!h->domains) {
		pjson_key_error(c, key, "out of memory");
		return;
	}
	json_object_object_foreach(v, name, val) {
		struct host_domain *d = &h->domains[h->nr_domains];

		snprintf(sub, sizeof(sub), "%s.%s", key, name);
		if (!name[0] || strlen(name) >= sizeof(d->name)) {
			pjson_key_error(c, sub, "a domain name has 1 to %zu characters",
					sizeof(d->name) - 1);
			continue;
		}
		snprintf(d->name, sizeof(d->name), "%s", name);
		share_defaults(&d->share);
		parse_share(c, sub, val, &d->share);
		h->nr_domains++;
	}
}

/* The DRAM against what the policy asks of it, where it is known. */
static void check_budget(struct pjson *c, struct host_policy *h)
{
	char nodes[64], a[32], b[32], r[32], k[32];
	uint64_t sum = 0, dram = 0, budget;
	struct nodeset set;

	if (!c->env || !c->env->node_bytes ||
	    pjson_key_failed(c, "dram_nodes") ||
	    pjson_key_failed(c, "reserved"))
		return;
	nodeset_clear(&set);
	for (unsigned int i = 0; i < h->nr_dram_nodes; i++) {
		uint64_t bytes = c->env->node_bytes(c->env->ctx,
						    h->dram_nodes[i]);

		if (!bytes)
			return;		/* not known: nothing to check */
		dram += bytes;
		nodeset_add(&set, h->dram_nodes[i]);
	}
	h->dram_bytes = dram;
	nodeset_format(&set, nodes, sizeof(nodes));
	if (h->reserved >= h->dram_bytes) {
		pjson_key_error(c, "reserved", "%s is not less than the DRAM of node%s %s (%s): nothing would be left to share",
				format_bytes(h->reserved, a, sizeof(a)),
				h->nr_dram_nodes > 1 ? "s" : "", nodes,
				format_bytes(h->dram_bytes, b, sizeof(b)));
		return;
	}
	budget = h->dram_bytes - h->reserved;
	for (size_t i = 0; i < h->nr_domains; i++)
		sum += h->domains[i].share.guarantee;
	if (sum > budget)
		pjson_key_error(c, "domains", "the guarantees add up to %s, more than the budget of %s (the DRAM of node%s %s, %s, less %s reserved)",
				format_bytes(sum, a, sizeof(a)),
				format_bytes(budget, b, sizeof(b)),
				h->nr_dram_nodes > 1 ? "s" : "", nodes,
				format_bytes(h->dram_bytes, r, sizeof(r)),
				format_bytes(h->reserved, k, sizeof(k)));
}

int host_policy_parse(const char *name, const char *text,
		      const struct policy_env *env, struct host_policy *out,
		      struct policy_errors *errs)
{
	unsigned int before = errs->n + errs->dropped;
	struct host_policy h;
	struct pjson *c;

	memset(&h, 0, sizeof(h));
	share_defaults(&h.defaults);
	c = pjson_open(name, text, env, &h, errs);
	if (!c)
		return -1;
	pjson_parse_object(c, host_keys, "", c->root);
	check_budget(c, &h);
	pjson_close(c);
	if (errs->n + errs->dropped != before) {
		host_policy_free(&h);
		return -1;
	}
	*out = h;
	return 0;
}

int host_policy_load(const char *path, const struct policy_env *env,
		     struct host_policy *out, struct policy_errors *errs)
{
	char *text = pjson_read_file(path, errs);
	int ret;

	if (!text)
		return -1;
	ret = host_policy_parse(path, text, env, out, errs);
	free(text);
	return ret;
}

void host_policy_free(struct host_policy *h)
{
	free(h->domains);
	h->domains = NULL;
	h->nr_domains = 0;
}

bool host_policy_text(const char *text)
{
	json_object *root = json_tokener_parse(text);
	bool yes = root && json_object_is_type(root, json_type_object) &&
		   json_object_object_get_ex(root, "reserved", NULL);

	json_object_put(root);
	return yes;
}

const struct host_share *host_policy_share(const struct host_policy *h,
					   const char *domain)
{
	for (size_t i = 0; i < h->nr_domains; i++)
		if (!strcmp(h->domains[i].name, domain))
			return &h->domains[i].share;
	return &h->defaults;
}

uint64_t host_policy_budget(const struct host_policy *h)
{
	return h->dram_bytes > h->reserved ? h->dram_bytes - h->reserved : 0;
}
