/* SPDX-License-Identifier: MIT */
/*
 * test_idle_pages_aging.c - ip_aging_peers() against sysfs trees built in
 * a temporary directory: DAMON_STAT on and off, sysfs kdamonds on and
 * off, a kernel without DAMON, a small buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "ip_aging.h"

static char root[64];

/* Writes @text to @rel under root, making its directories. */
static void put(const char *rel, const char *text)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	CHECK(system(cmd) == 0);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void fresh_root(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s", root, root);
	CHECK(system(cmd) == 0);
}

static void test_no_damon(void)
{
	char what[256] = "stale";

	fresh_root();
	CHECK_EQ_U64(ip_aging_peers(root, what, sizeof(what)), 0);
	CHECK(!strcmp(what, ""));
}

static void test_damon_stat(void)
{
	char what[256];

	fresh_root();
	put("module/damon_stat/parameters/enabled", "N\n");
	CHECK_EQ_U64(ip_aging_peers(root, what, sizeof(what)), 0);
	CHECK(!strcmp(what, ""));
	put("module/damon_stat/parameters/enabled", "Y\n");
	CHECK_EQ_U64(ip_aging_peers(root, what, sizeof(what)), 1);
	CHECK(!strcmp(what, "DAMON_STAT (damon_stat.enabled=Y)"));
}

static void test_sysfs_kdamonds(void)
{
	char what[256];

	fresh_root();
	put("kernel/mm/damon/admin/kdamonds/nr_kdamonds", "3\n");
	put("kernel/mm/damon/admin/kdamonds/0/state", "off\n");
	put("kernel/mm/damon/admin/kdamonds/1/state", "on\n");
	put("kernel/mm/damon/admin/kdamonds/2/state", "on\n");
	CHECK_EQ_U64(ip_aging_peers(root, what, sizeof(what)), 2);
	CHECK(strstr(what, "kdamond 1 (DAMON sysfs)") != NULL);
	CHECK(strstr(what, "kdamond 2 (DAMON sysfs)") != NULL);
	CHECK(strstr(what, "kdamond 0") == NULL);
	put("module/damon_stat/parameters/enabled", "Y\n");
	CHECK_EQ_U64(ip_aging_peers(root, what, sizeof(what)), 3);
	CHECK(!strncmp(what, "DAMON_STAT (damon_stat.enabled=Y), kdamond ",
		       43));
}

/* A short buffer holds a cut, terminated list, and the count is whole. */
static void test_short_buffer(void)
{
	char what[12];

	fresh_root();
	put("module/damon_stat/parameters/enabled", "Y\n");
	put("kernel/mm/damon/admin/kdamonds/0/state", "on\n");
	CHECK_EQ_U64(ip_aging_peers(root, what, sizeof(what)), 2);
	CHECK_EQ_U64(strlen(what), sizeof(what) - 1);
}

int main(void)
{
	char cmd[256];
	int rc;

	snprintf(root, sizeof(root), "/tmp/test-aging-%d", (int)getpid());
	RUN_TEST(test_no_damon);
	RUN_TEST(test_damon_stat);
	RUN_TEST(test_sysfs_kdamonds);
	RUN_TEST(test_short_buffer);
	rc = TEST_SUMMARY();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd))
		rc = 1;
	return rc;
}
