/* SPDX-License-Identifier: MIT */
/*
 * counters.c - the status file of a domain: JSON out and back in, text
 * for people, atomic writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "counters.h"
#include "units.h"

#define F(name, ns, total, help) \
	{ #name, offsetof(struct agent_counters, name), ns, total, help }

const struct counter_field counter_fields[] = {
	F(scans, false, true, "Scan rounds over the guest's memory."),
	F(pages_scanned, false, true, "Present guest pages scanned (4 KiB units)."),
	F(pages_accessed, false, true, "Guest pages found accessed (4 KiB units)."),
	F(promoted_pages, false, true, "Pages moved to DRAM (4 KiB units)."),
	F(demoted_pages, false, true, "Pages moved to PMEM (4 KiB units)."),
	F(would_promote_pages, false, true, "Pages dry-run mode would have moved to DRAM."),
	F(would_demote_pages, false, true, "Pages dry-run mode would have moved to PMEM."),
	F(skipped_limit_pages, false, true, "Promotions dropped because an earlier demotion failed to make room."),
	F(moved_elsewhere_pages, false, true, "Pages found on another tier than the agent last saw them: moved by the kernel or another tool."),
	F(scan_ns, true, true, "Time spent scanning."),
	F(locate_ns, true, true, "Time spent learning which node pages sit on (pagemap reads, or move_pages queries)."),
	F(plan_ns, true, true, "Time spent choosing what to move."),
	F(move_ns, true, true, "Time spent in move_pages."),
	F(reconnects, false, true, "Reconnections to libvirt."),
	F(attaches, false, true, "Attachments to a running QEMU process of the domain."),
	F(last_scan_ns, true, false, "Duration of the last scan."),
	F(last_move_ns, true, false, "Time in move_pages in the last interval."),
	F(hot_pages, false, false, "Pages passing the hot rule at the last scan."),
	F(cold_pages, false, false, "Pages passing the cold rule at the last scan."),
	F(hot_threshold_hits, false, false, "Accessed scans (of the hot window) a page needs to be kept in DRAM."),
	F(guest_bytes, false, false, "Guest RAM."),
	F(dram_limit_bytes, false, false, "The domain's DRAM limit."),
	F(paused, false, false, "1 while tiering is paused (domain paused, migrating, stopped, or libvirt unreachable)."),
	F(kernel_tiering, false, false, "1 if the kernel's NUMA balancing also moves this domain's pages."),
	{ NULL, 0, false, false, NULL },
};

static const char *const tier_names[TIER_NR] = {
	[TIER_NONE] = "unknown", [TIER_DRAM] = "dram",
	[TIER_PMEM] = "pmem", [TIER_OTHER] = "other",
};

static const enum tier tier_order[] = { TIER_DRAM, TIER_PMEM, TIER_OTHER,
					TIER_NONE };

const char *tier_name(enum tier t)
{
	return t < TIER_NR ? tier_names[t] : "?";
}

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void add_u64(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

char *status_to_json(const struct agent_status *st)
{
	json_object *root = json_object_new_object();
	json_object *c = json_object_new_object();
	json_object *tiers = json_object_new_object();
	json_object *failed = json_object_new_object();
	json_object *nodes = json_object_new_object();
	char *text = NULL;

	if (!root || !c || !tiers || !failed || !nodes)
		goto out;
	add_str(root, "domain", st->domain);
	add_str(root, "uuid", st->uuid);
	json_object_object_add(root, "pid", json_object_new_int(st->pid));
	add_str(root, "state", st->state);
	add_str(root, "mode", st->mode);
	add_str(root, "scan_mode", st->scan_mode);
	add_str(root, "policy", st->policy);
	json_object_object_add(root, "started",
			       json_object_new_int64(st->started));
	json_object_object_add(root, "updated",
			       json_object_new_int64(st->updated));
	json_object_object_add(root, "numa_balancing",
			       json_object_new_int(st->numa_balancing));
	add_str(root, "aging_peers", st->aging_peers);
	add_str(root, "last_error", st->last_error);
	for (int t = 0; t < TIER_NR; t++)
		add_u64(tiers, tier_names[t], st->tier_bytes[t]);
	for (int f = 0; f < FAIL_NR; f++)
		add_u64(failed, move_fail_name(f), st->failed_pages[f]);
	for (unsigned int i = 0; i < st->nr_nodes; i++) {
		char k[16];

		snprintf(k, sizeof(k), "%d", st->nodes[i].node);
		add_u64(nodes, k, st->nodes[i].bytes);
	}
	for (const struct counter_field *f = counter_fields; f->name; f++)
		add_u64(c, f->name, counter_value(&st->c, f));
	json_object_object_add(root, "tier_bytes", tiers);
	json_object_object_add(root, "node_bytes", nodes);
	json_object_object_add(root, "failed_pages", failed);
	json_object_object_add(root, "counters", c);
	tiers = nodes = failed = c = NULL;
	text = strdup(json_object_to_json_string_ext(root,
						     JSON_C_TO_STRING_PRETTY));
out:
	json_object_put(tiers);
	json_object_put(nodes);
	json_object_put(failed);
	json_object_put(c);
	json_object_put(root);
	return text;
}

static void get_str(json_object *o, const char *k, char *buf, size_t len)
{
	json_object *v;

	if (json_object_object_get_ex(o, k, &v))
		snprintf(buf, len, "%s", json_object_get_string(v));
}

static uint64_t get_u64(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ?
	       json_object_get_uint64(v) : 0;
}

static int64_t get_i64(json_object *o, const char *k, int64_t dflt)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ?
	       json_object_get_int64(v) : dflt;
}

static json_object *get_obj(json_object *o, const char *k)
{
	json_object *v;

	if (json_object_object_get_ex(o, k, &v) &&
	    json_object_is_type(v, json_type_object))
		return v;
	return NULL;
}

int status_from_json(const char *text, struct agent_status *st, char *err,
		     size_t errlen)
{
	json_object *root = json_tokener_parse(text), *o;

	memset(st, 0, sizeof(*st));
	if (!root || !json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "not a status file (JSON object)");
		json_object_put(root);
		return -1;
	}
	get_str(root, "domain", st->domain, sizeof(st->domain));
	get_str(root, "uuid", st->uuid, sizeof(st->uuid));
	st->pid = (int)get_i64(root, "pid", 0);
	get_str(root, "state", st->state, sizeof(st->state));
	get_str(root, "mode", st->mode, sizeof(st->mode));
	get_str(root, "scan_mode", st->scan_mode, sizeof(st->scan_mode));
	get_str(root, "policy", st->policy, sizeof(st->policy));
	st->started = get_i64(root, "started", 0);
	st->updated = get_i64(root, "updated", 0);
	st->numa_balancing = (int)get_i64(root, "numa_balancing", -1);
	get_str(root, "aging_peers", st->aging_peers, sizeof(st->aging_peers));
	get_str(root, "last_error", st->last_error, sizeof(st->last_error));
	o = get_obj(root, "tier_bytes");
	for (int t = 0; o && t < TIER_NR; t++)
		st->tier_bytes[t] = get_u64(o, tier_names[t]);
	o = get_obj(root, "failed_pages");
	for (int f = 0; o && f < FAIL_NR; f++)
		st->failed_pages[f] = get_u64(o, move_fail_name(f));
	o = get_obj(root, "node_bytes");
	if (o) {
		json_object_object_foreach(o, k, v) {
			if (st->nr_nodes == STATUS_MAX_NODES)
				break;
			st->nodes[st->nr_nodes].node = atoi(k);
			st->nodes[st->nr_nodes++].bytes =
				json_object_get_uint64(v);
		}
	}
	o = get_obj(root, "counters");
	for (const struct counter_field *f = counter_fields; o && f->name; f++)
		*(uint64_t *)((char *)&st->c + f->off) = get_u64(o, f->name);
	json_object_put(root);
	if (!st->domain[0]) {
		snprintf(err, errlen, "status file names no domain");
		return -1;
	}
	return 0;
}

static void print_counter(const struct counter_field *f, uint64_t v,
			  FILE *out)
{
	char name[64];

	if (f->ns) {
		/* "scan_ns" reads as "scan_seconds" */
		snprintf(name, sizeof(name), "%.*s_seconds",
			 (int)strlen(f->name) - 3, f->name);
		fprintf(out, "  %-22s %.3f\n", name, (double)v / 1e9);
	} else
		fprintf(out, "  %-22s %llu\n", f->name, (unsigned long long)v);
}

void status_print_text(const struct agent_status *st, int64_t now, FILE *out)
{
	char b[32], l[32];

	fprintf(out, "domain %s (%s), QEMU pid %d: %s, mode %s, scans %s\n",
		st->domain, st->uuid[0] ? st->uuid : "uuid unknown", st->pid,
		st->state, st->mode, st->scan_mode[0] ? st->scan_mode : "none yet");
	fprintf(out, "policy %s; status updated %lld s ago\n", st->policy,
		(long long)(now - st->updated));
	fprintf(out, "guest memory %s, DRAM limit %s\n",
		format_bytes(st->c.guest_bytes, b, sizeof(b)),
		format_bytes(st->c.dram_limit_bytes, l, sizeof(l)));
	fprintf(out, "placement:");
	for (size_t i = 0; i < sizeof(tier_order) / sizeof(tier_order[0]); i++)
		fprintf(out, " %s %s", tier_names[tier_order[i]],
			format_bytes(st->tier_bytes[tier_order[i]], b,
				     sizeof(b)));
	fprintf(out, "\nnodes:");
	for (unsigned int i = 0; i < st->nr_nodes; i++)
		fprintf(out, " %d: %s", st->nodes[i].node,
			format_bytes(st->nodes[i].bytes, b, sizeof(b)));
	fprintf(out, "%s\ncounters:\n", st->nr_nodes ? "" : " not known yet");
	for (const struct counter_field *f = counter_fields; f->name; f++)
		print_counter(f, counter_value(&st->c, f), out);
	fprintf(out, "failed moves (pages):");
	for (int f = 0; f < FAIL_NR; f++)
		fprintf(out, " %s %llu", move_fail_name(f),
			(unsigned long long)st->failed_pages[f]);
	fprintf(out, "\n");
	if (st->c.kernel_tiering)
		fprintf(out, "warning: the kernel's NUMA balancing is on (kernel.numa_balancing=%d): two tiering systems are moving this domain's pages\n",
			st->numa_balancing);
	if (st->aging_peers[0])
		fprintf(out, "warning: also clearing accessed bits: %s\n",
			st->aging_peers);
	if (st->last_error[0])
		fprintf(out, "last error: %s\n", st->last_error);
}

int write_file_atomic(const char *dir, const char *name, const char *text)
{
	char tmp[1024], path[1024];
	size_t len = strlen(text), done = 0;
	int fd, saved;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		done += (size_t)n;
	}
	/* readable by the status command and the node exporter */
	if (fchmod(fd, 0644) || fsync(fd))
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path)) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

bool status_name_ok(const char *domain)
{
	return domain[0] && !strchr(domain, '/') && strcmp(domain, ".") &&
	       strcmp(domain, "..");
}

int status_write(const char *dir, const struct agent_status *st)
{
	char name[300], *text;
	int ret;

	if (!status_name_ok(st->domain)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(name, sizeof(name), "%s.json", st->domain);
	text = status_to_json(st);
	if (!text) {
		errno = ENOMEM;
		return -1;
	}
	ret = write_file_atomic(dir, name, text);
	free(text);
	return ret;
}

int status_read(const char *dir, const char *domain, struct agent_status *st,
		char *err, size_t errlen)
{
	char path[512], *text;
	long len;
	FILE *f;
	int ret;

	if (!status_name_ok(domain)) {
		snprintf(err, errlen, "'%s' is not a domain name", domain);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s.json", dir, domain);
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s (is vmm-agent@%s running?)", path,
			 strerror(errno), domain);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = len >= 0 ? calloc(1, (size_t)len + 1) : NULL;
	if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) {
		snprintf(err, errlen, "%s: cannot read", path);
		free(text);
		fclose(f);
		return -1;
	}
	fclose(f);
	ret = status_from_json(text, st, err, errlen);
	free(text);
	return ret;
}
