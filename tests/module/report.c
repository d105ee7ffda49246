/* SPDX-License-Identifier: MIT */
/* report.c - parser of the tg-launch step report; see report.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

bool pageset_any(const struct pageset *s, uint64_t first, uint64_t end)
{
	for (unsigned int i = 0; i < s->nr; i++)
		if (s->r[i].first < end && s->r[i].end > first)
			return true;
	return false;
}

uint64_t pageset_count_in(const struct pageset *s, uint64_t first,
			  uint64_t end)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < s->nr; i++) {
		uint64_t a = s->r[i].first > first ? s->r[i].first : first;
		uint64_t b = s->r[i].end < end ? s->r[i].end : end;

		if (a < b)
			n += b - a;
	}
	return n;
}

bool pageset_has(const struct pageset *s, uint64_t pg)
{
	unsigned int lo = 0, hi = s->nr;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (pg < s->r[mid].first)
			hi = mid;
		else if (pg >= s->r[mid].end)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

uint64_t pageset_count(const struct pageset *s)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < s->nr; i++)
		n += s->r[i].end - s->r[i].first;
	return n;
}

/* "a-b,c,..." (inclusive ranges, as tg-launch writes them, sorted). */
static int parse_pageset(struct pageset *s, const char *val)
{
	const char *p = val;

	s->nr = 0;
	free(s->r);
	s->r = NULL;
	while (*p && *p != '\n') {
		char *end;
		uint64_t a = strtoull(p, &end, 0), b = a;

		if (end == p)
			return -1;
		if (*end == '-') {
			p = end + 1;
			b = strtoull(p, &end, 0);
			if (end == p || b < a)
				return -1;
		}
		if (s->nr && a < s->r[s->nr - 1].end)
			return -1;	/* not sorted: the search would lie */
		void *n = realloc(s->r, (s->nr + 1) * sizeof(*s->r));

		if (!n)
			return -1;
		s->r = n;
		s->r[s->nr].first = a;
		s->r[s->nr].end = b + 1;
		s->nr++;
		p = end;
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -1;
	}
	return 0;
}

int tg_report_load(struct tg_report *rep, const char *path)
{
	char line[1 << 16];
	FILE *f = fopen(path, "r");
	int have = 0;

	memset(rep, 0, sizeof(*rep));
	if (!f) {
		fprintf(stderr, "report %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');
		struct pageset *set = NULL;

		if (!eq)
			continue;
		*eq++ = 0;
		if (!strcmp(line, "pid")) {
			rep->pid = atoi(eq);
			have |= 1;
		} else if (!strcmp(line, "hva_base")) {
			rep->hva_base = strtoull(eq, NULL, 0);
			have |= 2;
		} else if (!strcmp(line, "mem_size")) {
			rep->mem_size = strtoull(eq, NULL, 0);
			have |= 4;
		} else if (!strcmp(line, "backing")) {
			rep->backing_4k = !strcmp(eq, "4k\n");
		} else if (!strcmp(line, "workload_pages")) {
			set = &rep->workload;
		} else if (!strcmp(line, "touched_pages")) {
			set = &rep->touched;
			have |= 8;
		} else if (!strcmp(line, "written_pages")) {
			set = &rep->written;
		} else if (!strcmp(line, "accounted_pages")) {
			set = &rep->accounted;
		} else if (!strcmp(line, "untouched_pages")) {
			set = &rep->untouched;
		}
		if (set && parse_pageset(set, eq)) {
			fprintf(stderr, "report %s: bad page list for %s\n",
				path, line);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	if (have != 15) {
		fprintf(stderr, "report %s: needs pid, hva_base, mem_size and "
			"touched_pages\n", path);
		return -1;
	}
	return 0;
}
