/* SPDX-License-Identifier: MIT */
/*
 * test_agent_host_policy.c - the host's DRAM policy (host.json): the
 * example, defaults, the share of listed and unlisted domains, the
 * budget, and every class of bad host policy with its error naming the
 * file and key, all of a file's errors at once.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "host_policy.h"

#define GIB	(1ull << 30)

/*
 * Fake host: nodes 0 (32 GiB) and 1 (64 GiB) with memory, 2 with memory
 * of a size not known, the rest off.
 */
static enum node_state fake_node_state(void *ctx, int node)
{
	(void)ctx;
	return node >= 0 && node <= 2 ? NODE_ONLINE : NODE_OFFLINE;
}

static uint64_t fake_node_bytes(void *ctx, int node)
{
	(void)ctx;
	return node == 0 ? 32 * GIB : node == 1 ? 64 * GIB : 0;
}

static const struct policy_env host = { fake_node_state, NULL, 0,
					fake_node_bytes };
static struct policy_errors errs;
static struct host_policy hp;

static int parse(const char *text)
{
	memset(&errs, 0, sizeof(errs));
	host_policy_free(&hp);
	return host_policy_parse("/etc/vmm-agent/host.json", text, &host, &hp,
				 &errs);
}

static bool has_error(const char *a, const char *b)
{
	for (unsigned int i = 0; i < errs.n; i++)
		if (strstr(errs.msg[i], a) && strstr(errs.msg[i], b) &&
		    strstr(errs.msg[i], "/etc/vmm-agent/host.json: key '"))
			return true;
	return false;
}

static void test_example_and_shares(void)
{
	struct policy_errors e = { 0 };
	const struct host_share *s;

	CHECK(host_policy_load(EXAMPLE_HOST_POLICY, &host, &hp, &e) == 0);
	policy_errors_print(&e, stderr);
	CHECK_EQ_U64(hp.nr_dram_nodes, 1);
	CHECK_EQ_U64(hp.dram_bytes, 32 * GIB);
	CHECK_EQ_U64(hp.reserved, GIB);
	CHECK_EQ_U64(host_policy_budget(&hp), 31 * GIB);
	CHECK_EQ_U64(hp.nr_domains, 2);
	s = host_policy_share(&hp, "web1");
	CHECK_EQ_U64(s->guarantee, 2 * GIB);
	CHECK_EQ_U64(s->cap, 8 * GIB);
	CHECK_EQ_U64(s->weight, 3);
	s = host_policy_share(&hp, "batch");	/* cap only: the rest default */
	CHECK_EQ_U64(s->guarantee, 0);
	CHECK_EQ_U64(s->cap, GIB);
	CHECK_EQ_U64(s->weight, 1);
	s = host_policy_share(&hp, "not-listed");
	CHECK(s == &hp.defaults);
	CHECK_EQ_U64(s->cap, HOST_NO_CAP);
	/* the smallest host policy */
	CHECK(parse("{ \"dram_nodes\": \"0-1\", \"reserved\": 0 }") == 0);
	CHECK_EQ_U64(host_policy_budget(&hp), 96 * GIB);
	CHECK_EQ_U64(hp.nr_domains, 0);
	CHECK_EQ_U64(hp.defaults.weight, 1);
	/* a node of unknown size: the DRAM is not known, nothing checked */
	CHECK(parse("{ \"dram_nodes\": [0, 2], \"reserved\": \"1TiB\" }") == 0);
	CHECK_EQ_U64(hp.dram_bytes, 0);
	CHECK_EQ_U64(host_policy_budget(&hp), 0);
}

static void test_host_policy_is_told_apart(void)
{
	CHECK(host_policy_text("{ \"dram_nodes\": [0], \"reserved\": \"1G\" }"));
	CHECK(!host_policy_text("{ \"dram_nodes\": [0], \"pmem_nodes\": [1], \"dram_limit\": \"25%\" }"));
	CHECK(!host_policy_text("not json"));
	CHECK(!host_policy_text("[ \"reserved\" ]"));
}

/* Every fault of a file is reported, each naming its key. */
static void test_bad_host_policies(void)
{
	CHECK(parse("{ \"dram_nodes\": [0, 7], \"bogus\": 1, "
		    "\"default\": { \"weight\": 1001, \"cap\": \"lots\" }, "
		    "\"domains\": { \"a\": { \"guarantee\": \"9GiB\", \"cap\": \"1GiB\" }, "
		    "\"b\": 5, \"c\": { \"cap\": 100 }, \"d\": { \"shares\": 2 } } }") == -1);
	CHECK(has_error("dram_nodes", "node 7 is not online"));
	CHECK(has_error("'reserved'", "is required"));
	CHECK(has_error("'bogus'", "unknown key"));
	CHECK(has_error("'default.weight'", "1001 is out of range (1 to 1000)"));
	CHECK(has_error("'default.cap'", "\"lots\" is not a size"));
	CHECK(has_error("'domains.a'", "the guarantee (9 GiB) is more than the cap (1 GiB)"));
	CHECK(has_error("'domains.b'", "expected an object"));
	CHECK(has_error("'domains.c.cap'", "100 bytes is less than 4096"));
	CHECK(has_error("'domains.d.shares'", "unknown key (known keys here: guarantee, cap, weight)"));
	CHECK_EQ_U64(errs.n, 9);
	CHECK_EQ_U64(hp.nr_domains, 0);		/* nothing half-applied */

	/* against the DRAM of the nodes */
	CHECK(parse("{ \"dram_nodes\": [0], \"reserved\": \"32GiB\" }") == -1);
	CHECK(has_error("'reserved'", "32 GiB is not less than the DRAM of node 0 (32 GiB)"));
	CHECK(parse("{ \"dram_nodes\": [0, 1], \"reserved\": \"16GiB\", \"domains\": { "
		    "\"a\": { \"guarantee\": \"50GiB\" }, \"b\": { \"guarantee\": \"40GiB\" } } }") == -1);
	CHECK(has_error("'domains'", "the guarantees add up to 90 GiB, more than the budget of 80 GiB"));
	CHECK_EQ_U64(errs.n, 1);
	CHECK(parse("{ \"dram_nodes\": [0], \"reserved\": -1 }") == -1);
	CHECK(has_error("'reserved'", "-1 is not a size"));
	CHECK(parse("{ \"dram_nodes\": [0], \"reserved\": 0, \"domains\": [] }") == -1);
	CHECK(has_error("'domains'", "expected an object of domain names"));
	CHECK(parse("{ \"dram_nodes\": [0], \"reserved\": 0 } x") == -1);
	CHECK_EQ_U64(errs.n, 1);
}

int main(void)
{
	RUN_TEST(test_example_and_shares);
	RUN_TEST(test_host_policy_is_told_apart);
	RUN_TEST(test_bad_host_policies);
	host_policy_free(&hp);
	return TEST_SUMMARY();
}
