/* SPDX-License-Identifier: MIT */
/*
 * test_agent_policy.c - the vmm-agent policy parser: defaults, every
 * class of bad policy with its specific error naming file and key, the
 * guest-size check and the example policy shipped in vmm-agent/examples.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "policy.h"

/* Fake host: nodes 0 and 1 online with memory, 2 CPU-only, rest offline. */
static enum node_state fake_node_state(void *ctx, int node)
{
	(void)ctx;
	if (node == 0 || node == 1)
		return NODE_ONLINE;
	if (node == 2)
		return NODE_NO_MEMORY;
	return NODE_OFFLINE;
}

static const struct policy_env host = { fake_node_state, NULL, 0, NULL };

static const char *const base_keys =
	"\"dram_nodes\": [0], \"pmem_nodes\": [1], \"dram_limit\": \"50%\"";

static struct policy_errors errs;
static struct policy pol;

static int parse(const char *text)
{
	memset(&errs, 0, sizeof(errs));
	return policy_parse("/etc/vmm-agent/vm1.json", text, &host, &pol,
			    &errs);
}

/* Parse base keys plus extra ("" for none). */
static int parse_with(const char *extra)
{
	char text[2048];

	snprintf(text, sizeof(text), "{ %s%s%s }", base_keys,
		 *extra ? ", " : "", extra);
	return parse(text);
}

static bool has_error(const char *needle)
{
	for (unsigned int i = 0; i < errs.n; i++)
		if (strstr(errs.msg[i], needle))
			return true;
	return false;
}

/* Exactly one error, and it contains every needle. */
static bool one_error(const char *a, const char *b)
{
	if (errs.n != 1) {
		policy_errors_print(&errs, stderr);
		return false;
	}
	return strstr(errs.msg[0], a) && (!b || strstr(errs.msg[0], b));
}

static void test_minimal_policy_gets_documented_defaults(void)
{
	CHECK(parse_with("") == 0);
	CHECK_EQ_U64(errs.n, 0);
	CHECK_EQ_U64(pol.nr_dram_nodes, 1);
	CHECK_EQ_U64(pol.dram_nodes[0], 0);
	CHECK_EQ_U64(pol.nr_pmem_nodes, 1);
	CHECK_EQ_U64(pol.pmem_nodes[0], 1);
	CHECK(pol.limit_kind == POLICY_LIMIT_PERCENT);
	CHECK(pol.limit_percent == 50.0);
	CHECK_EQ_U64(pol.scan_interval_ms, 5000);
	CHECK_EQ_U64(pol.hot_min_scans, 2);
	CHECK_EQ_U64(pol.hot_window_scans, 4);
	CHECK_EQ_U64(pol.cold_idle_scans, 4);
	CHECK_EQ_U64(pol.hysteresis_scans, 1);
	CHECK_EQ_U64(pol.rate_limit_mb_s, 256);
	CHECK_EQ_U64(pol.batch_pages, 1024);
	CHECK(pol.huge_pages == POLICY_HUGE_MOVE);
	CHECK(pol.mode == POLICY_ENFORCE);
}

static void test_every_key_is_read(void)
{
	CHECK(parse("{\"dram_nodes\": \"0\", \"pmem_nodes\": \"1\","
		    " \"dram_limit\": \"2GiB\", \"scan_interval\": 0.5,"
		    " \"hot\": {\"min_accessed_scans\": 3, \"window_scans\": 6},"
		    " \"cold\": {\"idle_scans\": 5}, \"hysteresis_scans\": 2,"
		    " \"migration\": {\"rate_limit_mb_s\": 64, \"batch_pages\": 512},"
		    " \"huge_pages\": \"skip\", \"mode\": \"dry-run\"}") == 0);
	policy_errors_print(&errs, stderr);
	CHECK(pol.limit_kind == POLICY_LIMIT_BYTES);
	CHECK_EQ_U64(pol.limit_bytes, 2ull << 30);
	CHECK_EQ_U64(pol.scan_interval_ms, 500);
	CHECK_EQ_U64(pol.hot_min_scans, 3);
	CHECK_EQ_U64(pol.hot_window_scans, 6);
	CHECK_EQ_U64(pol.cold_idle_scans, 5);
	CHECK_EQ_U64(pol.hysteresis_scans, 2);
	CHECK_EQ_U64(pol.rate_limit_mb_s, 64);
	CHECK_EQ_U64(pol.batch_pages, 512);
	CHECK(pol.huge_pages == POLICY_HUGE_SKIP);
	CHECK(pol.mode == POLICY_DRY_RUN);
}

static void test_limit_forms(void)
{
	CHECK(parse("{\"dram_nodes\": [0], \"pmem_nodes\": [1], \"dram_limit\": 1073741824}") == 0);
	CHECK(pol.limit_kind == POLICY_LIMIT_BYTES);
	CHECK_EQ_U64(pol.limit_bytes, 1ull << 30);
	CHECK(parse("{\"dram_nodes\": [0], \"pmem_nodes\": [1], \"dram_limit\": \"12.5%\"}") == 0);
	CHECK(pol.limit_percent == 12.5);
	CHECK(parse("{\"dram_nodes\": [0], \"pmem_nodes\": [1], \"dram_limit\": \"0%\"}") == -1);
	CHECK(one_error("key 'dram_limit'", "out of range"));
	CHECK(parse("{\"dram_nodes\": [0], \"pmem_nodes\": [1], \"dram_limit\": \"101%\"}") == -1);
	CHECK(one_error("key 'dram_limit'", "101% is out of range"));
	CHECK(parse("{\"dram_nodes\": [0], \"pmem_nodes\": [1], \"dram_limit\": \"lots\"}") == -1);
	CHECK(one_error("key 'dram_limit'", "\"lots\" is not a size or a share"));
	CHECK(parse("{\"dram_nodes\": [0], \"pmem_nodes\": [1], \"dram_limit\": 100}") == -1);
	CHECK(one_error("key 'dram_limit'", "less than one page"));
	CHECK(parse("{\"dram_nodes\": [0], \"pmem_nodes\": [1], \"dram_limit\": [1]}") == -1);
	CHECK(one_error("key 'dram_limit'", "got an array"));
}

static void test_unknown_key_names_file_and_key(void)
{
	CHECK(parse_with("\"scan_intervall\": 5") == -1);
	CHECK(one_error("/etc/vmm-agent/vm1.json: key 'scan_intervall': unknown key",
			"scan_interval"));
	CHECK(parse_with("\"hot\": {\"window\": 4}") == -1);
	CHECK(one_error("key 'hot.window': unknown key",
			"min_accessed_scans, window_scans"));
}

static void test_wrong_types(void)
{
	CHECK(parse_with("\"scan_interval\": \"5s\"") == -1);
	CHECK(one_error("key 'scan_interval': expected a number of seconds, got a string", NULL));
	CHECK(parse_with("\"hot\": {\"window_scans\": 4.5}") == -1);
	CHECK(one_error("key 'hot.window_scans': expected an integer, got a number with a fraction", NULL));
	CHECK(parse_with("\"mode\": true") == -1);
	CHECK(one_error("key 'mode': expected a string, got true/false", NULL));
	CHECK(parse_with("\"migration\": 5") == -1);
	CHECK(one_error("key 'migration': expected an object, got an integer", NULL));
	CHECK(parse("{\"dram_nodes\": [\"0\"], \"pmem_nodes\": [1], \"dram_limit\": \"5%\"}") == -1);
	CHECK(one_error("key 'dram_nodes': element 0: expected a node number, got a string", NULL));
}

static void test_out_of_range(void)
{
	CHECK(parse_with("\"hot\": {\"window_scans\": 9}") == -1);
	CHECK(one_error("key 'hot.window_scans': 9 is out of range (1 to 8)", NULL));
	CHECK(parse_with("\"scan_interval\": 0.01") == -1);
	CHECK(one_error("key 'scan_interval': 0.01 is out of range (0.1 to 3600 seconds)", NULL));
	CHECK(parse_with("\"migration\": {\"batch_pages\": 0}") == -1);
	CHECK(one_error("key 'migration.batch_pages': 0 is out of range", NULL));
	CHECK(parse_with("\"migration\": {\"rate_limit_mb_s\": -5}") == -1);
	CHECK(one_error("key 'migration.rate_limit_mb_s': -5 is out of range", NULL));
	CHECK(parse_with("\"huge_pages\": \"split\"") == -1);
	CHECK(one_error("key 'huge_pages': \"split\" is not one of \"move\", \"skip\"", NULL));
}

static void test_nodes_checked_against_host(void)
{
	CHECK(parse("{\"dram_nodes\": [0], \"pmem_nodes\": [3], \"dram_limit\": \"5%\"}") == -1);
	CHECK(one_error("key 'pmem_nodes': node 3 is not online (online nodes: 0-2)", NULL));
	CHECK(parse("{\"dram_nodes\": [0], \"pmem_nodes\": [2], \"dram_limit\": \"5%\"}") == -1);
	CHECK(one_error("key 'pmem_nodes': node 2 is online but has no memory", NULL));
	CHECK(parse("{\"dram_nodes\": [0, 1], \"pmem_nodes\": [1], \"dram_limit\": \"5%\"}") == -1);
	CHECK(one_error("key 'pmem_nodes': node 1 is also in 'dram_nodes'", NULL));
	CHECK(parse("{\"dram_nodes\": [0, 0], \"pmem_nodes\": [1], \"dram_limit\": \"5%\"}") == -1);
	CHECK(one_error("key 'dram_nodes': node 0 is listed twice", NULL));
	CHECK(parse("{\"dram_nodes\": [], \"pmem_nodes\": [1], \"dram_limit\": \"5%\"}") == -1);
	CHECK(one_error("key 'dram_nodes': must name at least one node", NULL));
	CHECK(parse("{\"dram_nodes\": \"0-\", \"pmem_nodes\": [1], \"dram_limit\": \"5%\"}") == -1);
	CHECK(one_error("key 'dram_nodes': \"0-\" is not a node list", NULL));
}

static void test_required_keys(void)
{
	CHECK(parse("{\"dram_nodes\": [0]}") == -1);
	CHECK_EQ_U64(errs.n, 2);
	CHECK(has_error("key 'pmem_nodes': is required"));
	CHECK(has_error("key 'dram_limit': is required"));
}

static void test_cross_key_rules(void)
{
	CHECK(parse_with("\"hot\": {\"min_accessed_scans\": 5, \"window_scans\": 4}") == -1);
	CHECK(one_error("key 'hot.min_accessed_scans': 5 is more than hot.window_scans (4)", NULL));
	/* 2 of 8 is still hot after 6 idle scans: cold must wait for 7 */
	CHECK(parse_with("\"hot\": {\"window_scans\": 8}, \"cold\": {\"idle_scans\": 6}") == -1);
	CHECK(one_error("key 'cold.idle_scans': 6 would call a page cold", "use at least 7"));
	CHECK(parse_with("\"hot\": {\"window_scans\": 8}, \"cold\": {\"idle_scans\": 7}") == 0);
	CHECK(parse_with("\"hysteresis_scans\": 5") == -1);
	CHECK(one_error("key 'hysteresis_scans': 5 is more than hot.window_scans (4)", NULL));
}

static void test_all_errors_reported_at_once(void)
{
	CHECK(parse_with("\"mode\": \"on\", \"bogus\": 1, \"scan_interval\": -1") == -1);
	CHECK_EQ_U64(errs.n, 3);
	CHECK(has_error("key 'mode'"));
	CHECK(has_error("key 'bogus'"));
	CHECK(has_error("key 'scan_interval'"));
}

static void test_json_syntax_errors_give_position(void)
{
	const char *trailing = "{\"dram_nodes\": [0], \"pmem_nodes\": [1], \"dram_limit\": \"5%\"} {}";
	char want[64];

	CHECK(parse("{\n  \"dram_nodes\": [0],\n  \"pmem_nodes\": [1] oops\n}") == -1);
	CHECK(one_error("/etc/vmm-agent/vm1.json: line 3, column", "JSON syntax error"));
	CHECK(parse("{\"dram_nodes\": [0]") == -1);
	CHECK(one_error("the file ends inside the JSON text", NULL));
	CHECK(parse("[1, 2]") == -1);
	CHECK(one_error("the policy must be a JSON object", "an array"));
	CHECK(parse(trailing) == -1);
	snprintf(want, sizeof(want), "line 1, column %d: JSON syntax error",
		 (int)(strrchr(trailing, '{') - trailing) + 1);
	CHECK(one_error(want, NULL));
}

static void test_limit_checked_against_guest_size(void)
{
	struct policy_env env = host;
	uint64_t pages = 0;

	env.guest_bytes = 1ull << 30;
	memset(&errs, 0, sizeof(errs));
	CHECK(policy_parse("vm1.json", "{\"dram_nodes\": [0], \"pmem_nodes\": [1], \"dram_limit\": \"2GiB\"}",
			   &env, &pol, &errs) == -1);
	CHECK(one_error("vm1.json: key 'dram_limit': 2 GiB is more than the guest's memory (1 GiB)", NULL));

	/* reported along with the file's other faults, not after them */
	memset(&errs, 0, sizeof(errs));
	CHECK(policy_parse("vm1.json", "{\"dram_nodes\": [0], \"pmem_nodes\": [1], \"dram_limit\": \"2GiB\", \"mode\": \"on\"}",
			   &env, &pol, &errs) == -1);
	CHECK_EQ_U64(errs.n, 2);
	CHECK(has_error("key 'mode'"));
	CHECK(has_error("key 'dram_limit': 2 GiB is more than the guest's memory"));

	memset(&errs, 0, sizeof(errs));
	CHECK(policy_parse("vm1.json", "{\"dram_nodes\": [0], \"pmem_nodes\": [1], \"dram_limit\": \"25%\"}",
			   &env, &pol, &errs) == 0);
	CHECK(policy_limit_pages("vm1.json", &pol, 1ull << 30, &pages, &errs) == 0);
	CHECK_EQ_U64(pages, (1ull << 30) / 4 / 4096);
}

static void test_load_file_and_example(void)
{
	char path[] = "/tmp/test_agent_policy_XXXXXX";
	int fd = mkstemp(path);
	const char *text = "{\"dram_nodes\": [0], \"pmem_nodes\": [1], \"dram_limit\": \"5%\", \"mode\": 3}";

	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	memset(&errs, 0, sizeof(errs));
	CHECK(policy_load(path, &host, &pol, &errs) == -1);
	CHECK(one_error(path, "key 'mode': expected a string"));
	unlink(path);

	memset(&errs, 0, sizeof(errs));
	CHECK(policy_load("/nonexistent/vm.json", &host, &pol, &errs) == -1);
	CHECK(one_error("/nonexistent/vm.json: cannot read: No such file", NULL));

	memset(&errs, 0, sizeof(errs));
	CHECK(policy_load(EXAMPLE_POLICY, &host, &pol, &errs) == 0);
	policy_errors_print(&errs, stderr);
	CHECK(pol.limit_percent == 25.0);
}

static void test_sysfs_node_state(void)
{
	char dir[] = "/tmp/test_agent_nodes_XXXXXX";
	char path[128];
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/online", dir);
	f = fopen(path, "w");
	fputs("0-2,4\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/has_memory", dir);
	f = fopen(path, "w");
	fputs("0-1,4\n", f);
	fclose(f);
	CHECK(policy_sysfs_node_state(dir, 0) == NODE_ONLINE);
	CHECK(policy_sysfs_node_state(dir, 4) == NODE_ONLINE);
	CHECK(policy_sysfs_node_state(dir, 2) == NODE_NO_MEMORY);
	CHECK(policy_sysfs_node_state(dir, 3) == NODE_OFFLINE);
	CHECK(policy_sysfs_node_state(dir, 5) == NODE_OFFLINE);
	unlink(path);
	snprintf(path, sizeof(path), "%s/online", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	RUN_TEST(test_minimal_policy_gets_documented_defaults);
	RUN_TEST(test_every_key_is_read);
	RUN_TEST(test_limit_forms);
	RUN_TEST(test_unknown_key_names_file_and_key);
	RUN_TEST(test_wrong_types);
	RUN_TEST(test_out_of_range);
	RUN_TEST(test_nodes_checked_against_host);
	RUN_TEST(test_required_keys);
	RUN_TEST(test_cross_key_rules);
	RUN_TEST(test_all_errors_reported_at_once);
	RUN_TEST(test_json_syntax_errors_give_position);
	RUN_TEST(test_limit_checked_against_guest_size);
	RUN_TEST(test_load_file_and_example);
	RUN_TEST(test_sysfs_node_state);
	return TEST_SUMMARY();
}
