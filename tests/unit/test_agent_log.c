/* SPDX-License-Identifier: MIT */
/*
 * test_agent_log.c - vmm-agent's log lines: levels filtered, the journal's
 * "<N>" priority prefix under systemd, a level name otherwise.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "log.h"

static char *capture(bool journal, enum vlog_level max)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	vlog_init(max, out);
	vlog_set_journal(journal);
	log_err("disk %s", "full");
	log_warn("two tiering systems");
	log_debug("interval %d", 7);
	fclose(out);
	return text;
}

static void test_journal_prefixes(void)
{
	char *t = capture(true, VLOG_DEBUG);

	CHECK(!strcmp(t, "<3>disk full\n<4>two tiering systems\n<7>interval 7\n"));
	free(t);
}

static void test_plain_lines_and_filtering(void)
{
	char *t = capture(false, VLOG_WARNING);

	CHECK(strstr(t, " error: disk full\n") != NULL);
	CHECK(strstr(t, " warning: two tiering systems\n") != NULL);
	CHECK(strstr(t, "interval") == NULL);	/* debug is filtered */
	CHECK(t[4] == '-' && t[10] == ' ');	/* starts with a date */
	free(t);
}

int main(void)
{
	RUN_TEST(test_journal_prefixes);
	RUN_TEST(test_plain_lines_and_filtering);
	return TEST_SUMMARY();
}
