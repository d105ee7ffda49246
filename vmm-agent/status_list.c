/* SPDX-License-Identifier: MIT */
/*
 * status_list.c - every domain's status in a directory (see
 * status_list.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "status_list.h"
#include "units.h"

struct totals {
	uint64_t guest, limit, dram, pmem, other, hot;
};

static int by_domain(const void *a, const void *b)
{
	return strcmp(((const struct agent_status *)a)->domain,
		      ((const struct agent_status *)b)->domain);
}

/* "web1.json" -> "web1"; false for anything else. */
static bool status_file(const char *dir, const char *name, char *domain,
			size_t len)
{
	size_t n = strlen(name);
	char path[1024];
	struct stat s;

	if (n <= 5 || strcmp(name + n - 5, ".json") || n - 5 >= len)
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &s) || !S_ISREG(s.st_mode))
		return false;
	memcpy(domain, name, n - 5);
	domain[n - 5] = '\0';
	return status_name_ok(domain);
}

int status_list_read(const char *dir, struct status_list *l, char *err,
		     size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;

	memset(l, 0, sizeof(*l));
	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		char domain[256], why[256];

		if (!status_file(dir, e->d_name, domain, sizeof(domain)))
			continue;
		if (l->n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			struct agent_status *p = realloc(l->st,
							 ncap * sizeof(*p));

			if (!p) {
				snprintf(err, errlen, "out of memory");
				closedir(d);
				status_list_free(l);
				return -1;
			}
			l->st = p;
			cap = ncap;
		}
		if (status_read(dir, domain, &l->st[l->n], why, sizeof(why))) {
			if (l->nr_skipped < sizeof(l->skipped) /
					    sizeof(l->skipped[0]))
				snprintf(l->skipped[l->nr_skipped++],
					 sizeof(l->skipped[0]), "%s/%s: %s",
					 dir, e->d_name, why);
			continue;
		}
		l->n++;
	}
	closedir(d);
	if (l->n)
		qsort(l->st, l->n, sizeof(*l->st), by_domain);
	return 0;
}

void status_list_free(struct status_list *l)
{
	free(l->st);
	l->st = NULL;
	l->n = 0;
}

static void add_up(const struct status_list *l, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < l->n; i++) {
		const struct agent_status *s = &l->st[i];

		t->guest += s->c.guest_bytes;
		t->limit += s->c.dram_limit_bytes;
		t->dram += s->tier_bytes[TIER_DRAM];
		t->pmem += s->tier_bytes[TIER_PMEM];
		t->other += s->tier_bytes[TIER_OTHER];
		t->hot += s->c.hot_pages * PAGE_SIZE_4K;
	}
}

#define SZ(v, buf)	format_bytes((v), (buf), sizeof(buf))

void status_list_print(const struct status_list *l, int64_t now, FILE *out)
{
	char g[32], m[32], d[32], p[32], h[32];
	struct totals t;

	fprintf(out, "%-20s %-12s %-8s %-9s %10s %10s %10s %10s %10s %8s\n",
		"DOMAIN", "STATE", "MODE", "SCANS", "GUEST", "LIMIT", "DRAM",
		"PMEM", "HOT", "UPDATED");
	for (size_t i = 0; i < l->n; i++) {
		const struct agent_status *s = &l->st[i];
		char ago[24];

		snprintf(ago, sizeof(ago), "%llds",
			 (long long)(now - s->updated));
		fprintf(out, "%-20s %-12s %-8s %-9s %10s %10s %10s %10s %10s %8s\n",
			s->domain, s->state, s->mode,
			s->scan_mode[0] ? s->scan_mode : "-",
			SZ(s->c.guest_bytes, g), SZ(s->c.dram_limit_bytes, m),
			SZ(s->tier_bytes[TIER_DRAM], d),
			SZ(s->tier_bytes[TIER_PMEM], p),
			SZ(s->c.hot_pages * PAGE_SIZE_4K, h), ago);
	}
	add_up(l, &t);
	fprintf(out, "host: %zu domain%s, guest memory %s, DRAM limits %s, in DRAM %s, in PMEM %s, hot %s\n",
		l->n, l->n == 1 ? "" : "s", SZ(t.guest, g), SZ(t.limit, m),
		SZ(t.dram, d), SZ(t.pmem, p), SZ(t.hot, h));
	for (unsigned int i = 0; i < l->nr_skipped; i++)
		fprintf(out, "not read: %s\n", l->skipped[i]);
}

char *status_list_to_json(const struct status_list *l)
{
	json_object *root = json_object_new_object();
	json_object *doms = json_object_new_array();
	json_object *tot = json_object_new_object();
	char *text = NULL;
	struct totals t;

	if (!root || !doms || !tot)
		goto out;
	for (size_t i = 0; i < l->n; i++) {
		char *one = status_to_json(&l->st[i]);
		json_object *o = one ? json_tokener_parse(one) : NULL;

		free(one);
		if (!o)
			goto out;
		json_object_array_add(doms, o);
	}
	add_up(l, &t);
	json_object_object_add(tot, "domains", json_object_new_int64((int64_t)l->n));
	json_object_object_add(tot, "guest_bytes", json_object_new_uint64(t.guest));
	json_object_object_add(tot, "dram_limit_bytes", json_object_new_uint64(t.limit));
	json_object_object_add(tot, "dram_bytes", json_object_new_uint64(t.dram));
	json_object_object_add(tot, "pmem_bytes", json_object_new_uint64(t.pmem));
	json_object_object_add(tot, "other_bytes", json_object_new_uint64(t.other));
	json_object_object_add(tot, "hot_bytes", json_object_new_uint64(t.hot));
	json_object_object_add(root, "domains", doms);
	json_object_object_add(root, "totals", tot);
	doms = tot = NULL;
	text = strdup(json_object_to_json_string_ext(root,
						     JSON_C_TO_STRING_PRETTY));
out:
	json_object_put(doms);
	json_object_put(tot);
	json_object_put(root);
	return text;
}
