/* SPDX-License-Identifier: MIT */
/*
 * prom.c - Prometheus text exposition (format 0.0.4) of a status.
 *
 * Names: vmm_agent_<field>, nanosecond fields as _seconds, counters with
 * the _total suffix; every sample carries domain="<name>".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"

/* A label value: backslash, double quote and newline escaped. */
static void put_label(FILE *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(out, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
}

static void family(FILE *out, const char *name, const char *type,
		   const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{domain="...",extra} (the caller ends the line with the value) */
static void sample(FILE *out, const char *name, const char *domain,
		   const char *key, const char *val)
{
	fprintf(out, "%s{domain=\"", name);
	put_label(out, domain);
	if (key) {
		fprintf(out, "\",%s=\"", key);
		put_label(out, val);
	}
	fputs("\"} ", out);
}

static void metric_name(const struct counter_field *f, char *buf, size_t len)
{
	size_t stem = strlen(f->name) - (f->ns ? 3 : 0);	/* drop "_ns" */

	snprintf(buf, len, "vmm_agent_%.*s%s%s", (int)stem, f->name,
		 f->ns ? "_seconds" : "", f->total ? "_total" : "");
}

int prom_format(const struct agent_status *st, FILE *out)
{
	char name[96], k[16];

	family(out, "vmm_agent_info", "gauge",
	       "The agent of a domain: its state and mode as labels.");
	fprintf(out, "vmm_agent_info{domain=\"");
	put_label(out, st->domain);
	fprintf(out, "\",uuid=\"");
	put_label(out, st->uuid);
	fprintf(out, "\",state=\"");
	put_label(out, st->state);
	fprintf(out, "\",mode=\"");
	put_label(out, st->mode);
	fprintf(out, "\",scan_mode=\"");
	put_label(out, st->scan_mode);
	fprintf(out, "\"} 1\n");
	for (const struct counter_field *f = counter_fields; f->name; f++) {
		uint64_t v = counter_value(&st->c, f);

		metric_name(f, name, sizeof(name));
		family(out, name, f->total ? "counter" : "gauge", f->help);
		sample(out, name, st->domain, NULL, NULL);
		if (f->ns)
			fprintf(out, "%.9f\n", (double)v / 1e9);
		else
			fprintf(out, "%llu\n", (unsigned long long)v);
	}
	family(out, "vmm_agent_tier_bytes", "gauge",
	       "Guest RAM by tier (unknown: not present or not located yet).");
	for (int t = 0; t < TIER_NR; t++) {
		sample(out, "vmm_agent_tier_bytes", st->domain, "tier",
		       tier_name(t));
		fprintf(out, "%llu\n", (unsigned long long)st->tier_bytes[t]);
	}
	family(out, "vmm_agent_node_bytes", "gauge",
	       "Guest RAM by NUMA node, as of the last placement sweep.");
	for (unsigned int i = 0; i < st->nr_nodes; i++) {
		snprintf(k, sizeof(k), "%d", st->nodes[i].node);
		sample(out, "vmm_agent_node_bytes", st->domain, "node", k);
		fprintf(out, "%llu\n", (unsigned long long)st->nodes[i].bytes);
	}
	family(out, "vmm_agent_failed_pages_total", "counter",
	       "Pages move_pages did not move, by reason.");
	for (int f = 0; f < FAIL_NR; f++) {
		sample(out, "vmm_agent_failed_pages_total", st->domain,
		       "reason", move_fail_name(f));
		fprintf(out, "%llu\n", (unsigned long long)st->failed_pages[f]);
	}
	family(out, "vmm_agent_last_update_timestamp_seconds", "gauge",
	       "When the agent last wrote its status (unix time).");
	sample(out, "vmm_agent_last_update_timestamp_seconds", st->domain,
	       NULL, NULL);
	fprintf(out, "%lld\n", (long long)st->updated);
	return ferror(out) ? -1 : 0;
}

int prom_write(const char *dir, const struct agent_status *st)
{
	char name[300], *text = NULL;
	size_t len = 0;
	FILE *mem;
	int ret;

	if (!status_name_ok(st->domain)) {
		errno = EINVAL;
		return -1;
	}
	mem = open_memstream(&text, &len);
	if (!mem)
		return -1;
	ret = prom_format(st, mem);
	if (fclose(mem) || ret) {
		free(text);
		errno = EIO;
		return -1;
	}
	snprintf(name, sizeof(name), "vmm-agent-%s.prom", st->domain);
	ret = write_file_atomic(dir, name, text);
	free(text);
	return ret;
}
