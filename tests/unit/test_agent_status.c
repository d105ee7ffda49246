/* SPDX-License-Identifier: MIT */
/*
 * test_agent_status.c - the operators' view of vmm-agent: the status file
 * round trip (written atomically, read back equal), the text form, every
 * domain's status at once, and the Prometheus exposition checked line by
 * line against the format.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "counters.h"
#include "harness.h"
#include "prom.h"
#include "status_list.h"

static void sample_status(struct agent_status *st)
{
	memset(st, 0, sizeof(*st));
	snprintf(st->domain, sizeof(st->domain), "web\"1\\x");
	snprintf(st->uuid, sizeof(st->uuid), "6695eb01-f6a4-8304-79aa-97f2502e193f");
	st->pid = 4242;
	snprintf(st->state, sizeof(st->state), "running");
	snprintf(st->mode, sizeof(st->mode), "enforce");
	snprintf(st->policy, sizeof(st->policy), "/etc/vmm-agent/web1.json");
	st->started = 1700000000;
	st->updated = 1700000100;
	st->numa_balancing = 2;
	snprintf(st->aging_peers, sizeof(st->aging_peers),
		 "DAMON_STAT (damon_stat.enabled=Y)");
	st->tier_bytes[TIER_DRAM] = 1ull << 30;
	st->tier_bytes[TIER_PMEM] = 3ull << 30;
	st->tier_bytes[TIER_NONE] = 12345 * 4096ull;
	st->failed_pages[FAIL_BUSY] = 7;
	st->failed_pages[FAIL_NOT_PRESENT] = 11;
	st->nodes[0] = (struct node_bytes){ 0, 1ull << 30 };
	st->nodes[1] = (struct node_bytes){ 3, 3ull << 30 };
	st->nr_nodes = 2;
	snprintf(st->last_error, sizeof(st->last_error), "node 1 is full");
	st->c.scans = 99;
	st->c.pages_scanned = 99ull * 1048576;
	st->c.promoted_pages = 1234;
	st->c.demoted_pages = 5678;
	st->c.scan_ns = 1500000000ull;
	st->c.last_scan_ns = 2000000;
	st->c.hot_pages = 4000;
	st->c.guest_bytes = 4ull << 30;
	st->c.dram_limit_bytes = 1ull << 30;
	st->c.kernel_tiering = 1;
	st->c.hot_threshold_hits = 3;
	st->c.paused = 0;
	st->c.reconnects = (1ull << 63) + 5;	/* beyond int64 */
}

static bool status_equal(const struct agent_status *a,
			 const struct agent_status *b)
{
	return !strcmp(a->domain, b->domain) && !strcmp(a->uuid, b->uuid) &&
	       a->pid == b->pid && !strcmp(a->state, b->state) &&
	       !strcmp(a->mode, b->mode) && !strcmp(a->policy, b->policy) &&
	       a->started == b->started && a->updated == b->updated &&
	       a->numa_balancing == b->numa_balancing &&
	       !strcmp(a->aging_peers, b->aging_peers) &&
	       !memcmp(a->tier_bytes, b->tier_bytes, sizeof(a->tier_bytes)) &&
	       !memcmp(a->failed_pages, b->failed_pages,
		       sizeof(a->failed_pages)) &&
	       a->nr_nodes == b->nr_nodes &&
	       !memcmp(a->nodes, b->nodes, a->nr_nodes * sizeof(a->nodes[0])) &&
	       !strcmp(a->last_error, b->last_error) &&
	       !memcmp(&a->c, &b->c, sizeof(a->c));
}

static unsigned int files_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") &&
					     strcmp(e->d_name, ".."));
	if (d)
		closedir(d);
	return n;
}

static void test_status_file_round_trip(void)
{
	char dir[] = "/tmp/test_agent_status_XXXXXX", err[256], path[512];
	struct agent_status st, back;

	sample_status(&st);
	snprintf(st.domain, sizeof(st.domain), "web1");
	CHECK(mkdtemp(dir) != NULL);
	CHECK(status_write(dir, &st) == 0);
	st.c.scans++;
	CHECK(status_write(dir, &st) == 0);	/* replaces it */
	CHECK_EQ_U64(files_in(dir), 1);		/* no temporary left */
	CHECK(status_read(dir, "web1", &back, err, sizeof(err)) == 0);
	CHECK(status_equal(&st, &back));
	CHECK_EQ_U64(back.c.scans, 100);
	CHECK_EQ_U64(back.c.reconnects, (1ull << 63) + 5);

	CHECK(status_read(dir, "nosuch", &back, err, sizeof(err)) == -1);
	CHECK(strstr(err, "nosuch.json: No such file or directory (is vmm-agent@nosuch running?)") != NULL);
	CHECK(status_read(dir, "../etc/passwd", &back, err, sizeof(err)) == -1);
	CHECK(strstr(err, "is not a domain name") != NULL);
	snprintf(st.domain, sizeof(st.domain), "a/b");
	CHECK(status_write(dir, &st) == -1);

	snprintf(path, sizeof(path), "%s/web1.json", dir);
	unlink(path);
	rmdir(dir);
}

/* The host's view: every DOMAIN.json of the directory, nothing else. */
static void test_status_of_every_domain(void)
{
	char dir[] = "/tmp/test_agent_status_XXXXXX", err[256], path[600];
	struct agent_status st;
	struct status_list l;
	json_object *root, *tot, *v;
	char *text, *out;
	size_t len;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	sample_status(&st);
	snprintf(st.domain, sizeof(st.domain), "web2");
	CHECK(status_write(dir, &st) == 0);
	snprintf(st.domain, sizeof(st.domain), "web1");
	st.tier_bytes[TIER_DRAM] = 1ull << 30;
	CHECK(status_write(dir, &st) == 0);
	snprintf(path, sizeof(path), "%s/bad.json", dir);	/* not a status */
	f = fopen(path, "w");
	fputs("{ \"domain\": ", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/.web3.json.Ab12Cd", dir); /* temporary */
	f = fopen(path, "w");
	fclose(f);
	snprintf(path, sizeof(path), "%s/sub.json", dir);	/* a directory */
	CHECK(mkdir(path, 0755) == 0);

	CHECK(status_list_read(dir, &l, err, sizeof(err)) == 0);
	CHECK_EQ_U64(l.n, 2);
	CHECK(l.n == 2 && !strcmp(l.st[0].domain, "web1") &&
	      !strcmp(l.st[1].domain, "web2"));
	CHECK_EQ_U64(l.nr_skipped, 1);
	CHECK(l.nr_skipped == 1 && strstr(l.skipped[0], "bad.json") != NULL);

	f = open_memstream(&out, &len);
	status_list_print(&l, st.updated + 7, f);
	fclose(f);
	CHECK(strstr(out, "DOMAIN") == out);
	CHECK(strstr(out, "\nweb1 ") != NULL);
	CHECK(strstr(out, "1 GiB") != NULL);
	CHECK(strstr(out, " 7s\n") != NULL);
	CHECK(strstr(out, "host: 2 domains") != NULL);
	CHECK(strstr(out, "not read: ") != NULL);
	free(out);

	text = status_list_to_json(&l);
	root = text ? json_tokener_parse(text) : NULL;
	CHECK(root != NULL);
	CHECK(json_object_object_get_ex(root, "domains", &v) &&
	      json_object_array_length(v) == 2);
	CHECK(json_object_object_get_ex(root, "totals", &tot));
	CHECK(json_object_object_get_ex(tot, "dram_bytes", &v) &&
	      json_object_get_uint64(v) ==
	      (1ull << 30) + l.st[1].tier_bytes[TIER_DRAM]);
	json_object_put(root);
	free(text);
	status_list_free(&l);

	CHECK(status_list_read("/nonexistent-dir", &l, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/nonexistent-dir: No such file or directory") != NULL);
	rmdir(path);
	snprintf(path, sizeof(path), "rm -f %s/* %s/.web3*; rmdir %s", dir,
		 dir, dir);
	CHECK(system(path) == 0);
}

static void test_status_text(void)
{
	struct agent_status st;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	sample_status(&st);
	status_print_text(&st, st.updated + 3, out);
	fclose(out);
	CHECK(strstr(text, "QEMU pid 4242: running, mode enforce") != NULL);
	CHECK(strstr(text, "updated 3 s ago") != NULL);
	CHECK(strstr(text, "guest memory 4 GiB, DRAM limit 1 GiB") != NULL);
	CHECK(strstr(text, "placement: dram 1 GiB pmem 3 GiB other 0 B unknown 48.2 MiB") != NULL);
	CHECK(strstr(text, "nodes: 0: 1 GiB 3: 3 GiB") != NULL);
	CHECK(strstr(text, "  scans                  99\n") != NULL);
	CHECK(strstr(text, "  scan_seconds           1.500\n") != NULL);
	CHECK(strstr(text, "busy 7") != NULL);
	CHECK(strstr(text, "two tiering systems") != NULL);
	CHECK(strstr(text, "last error: node 1 is full") != NULL);
	free(text);
}

static bool valid_metric_name(const char *s, size_t n)
{
	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return true;
}

/*
 * Check the exposition: every sample's family was announced by HELP and
 * TYPE just before; names are valid; counters end in _total; every sample
 * has the (escaped) domain label and a number. Returns the sample count.
 */
static unsigned int check_exposition(char *text, const char *domain_label)
{
	char family[128] = "", type[16] = "";
	unsigned int samples = 0;

	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char name[128];
		size_t n;

		if (!strncmp(line, "# HELP ", 7)) {
			n = strcspn(line + 7, " ");
			CHECK(valid_metric_name(line + 7, n));
			CHECK(strncmp(line + 7, family, n) || family[n]);
			snprintf(family, sizeof(family), "%.*s", (int)n, line + 7);
			CHECK(strlen(line + 7 + n) > 1);	/* a help text */
			type[0] = '\0';
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			n = strlen(family);
			CHECK(!strncmp(line + 7, family, n) && line[7 + n] == ' ');
			snprintf(type, sizeof(type), "%s", line + 8 + n);
			CHECK(!strcmp(type, "counter") || !strcmp(type, "gauge"));
			continue;
		}
		n = strcspn(line, "{ ");
		snprintf(name, sizeof(name), "%.*s", (int)n, line);
		CHECK(!strcmp(name, family));
		CHECK(type[0] != '\0');
		if (!strcmp(type, "counter"))
			CHECK(n > 6 && !strcmp(name + n - 6, "_total"));
		CHECK(strstr(line, domain_label) == line + n + 1);
		{
			char *val = strrchr(line, ' ') + 1, *end;

			strtod(val, &end);
			CHECK(end != val && *end == '\0');
		}
		samples++;
	}
	return samples;
}

static void test_prometheus_exposition(void)
{
	struct agent_status st;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	unsigned int fields = 0;

	sample_status(&st);
	CHECK(prom_format(&st, out) == 0);
	fclose(out);
	CHECK(strstr(text, "vmm_agent_scans_total{domain=\"web\\\"1\\\\x\"} 99\n") != NULL);
	CHECK(strstr(text, "vmm_agent_scan_seconds_total{domain=\"web\\\"1\\\\x\"} 1.500000000\n") != NULL);
	CHECK(strstr(text, "vmm_agent_last_scan_seconds{domain=\"web\\\"1\\\\x\"} 0.002000000\n") != NULL);
	CHECK(strstr(text, "# TYPE vmm_agent_hot_pages gauge\n") != NULL);
	CHECK(strstr(text, "vmm_agent_tier_bytes{domain=\"web\\\"1\\\\x\",tier=\"dram\"} 1073741824\n") != NULL);
	CHECK(strstr(text, "vmm_agent_node_bytes{domain=\"web\\\"1\\\\x\",node=\"3\"} 3221225472\n") != NULL);
	CHECK(strstr(text, "vmm_agent_failed_pages_total{domain=\"web\\\"1\\\\x\",reason=\"not_present\"} 11\n") != NULL);
	CHECK(strstr(text, "vmm_agent_kernel_tiering{domain=\"web\\\"1\\\\x\"} 1\n") != NULL);
	for (const struct counter_field *f = counter_fields; f->name; f++)
		fields++;
	/* info + fields + 4 tiers + 2 nodes + 7 reasons + timestamp */
	CHECK_EQ_U64(check_exposition(text, "domain=\"web\\\"1\\\\x\""),
		     1 + fields + TIER_NR + 2 + FAIL_NR + 1);
	free(text);
}

static void test_prom_file_written_atomically(void)
{
	char dir[] = "/tmp/test_agent_prom_XXXXXX", path[512];
	struct agent_status st;
	FILE *f;
	char line[256];
	bool found = false;

	sample_status(&st);
	snprintf(st.domain, sizeof(st.domain), "db2");
	CHECK(mkdtemp(dir) != NULL);
	CHECK(prom_write(dir, &st) == 0);
	CHECK_EQ_U64(files_in(dir), 1);
	snprintf(path, sizeof(path), "%s/vmm-agent-db2.prom", dir);
	f = fopen(path, "r");
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f))
		found |= !strcmp(line, "vmm_agent_promoted_pages_total{domain=\"db2\"} 1234\n");
	if (f)
		fclose(f);
	CHECK(found);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	RUN_TEST(test_status_file_round_trip);
	RUN_TEST(test_status_text);
	RUN_TEST(test_status_of_every_domain);
	RUN_TEST(test_prometheus_exposition);
	RUN_TEST(test_prom_file_written_atomically);
	return TEST_SUMMARY();
}
