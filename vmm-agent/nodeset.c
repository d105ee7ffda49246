/* SPDX-License-Identifier: MIT */
/*
 * nodeset.c - NUMA node sets and their "0-3,5" list syntax.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodeset.h"

void nodeset_clear(struct nodeset *s)
{
	memset(s, 0, sizeof(*s));
}

void nodeset_add(struct nodeset *s, int node)
{
	if (node >= 0 && node < NODESET_MAX)
		s->bits[node / 64] |= 1ull << (node % 64);
}

bool nodeset_has(const struct nodeset *s, int node)
{
	if (node < 0 || node >= NODESET_MAX)
		return false;
	return s->bits[node / 64] & (1ull << (node % 64));
}

unsigned int nodeset_count(const struct nodeset *s)
{
	unsigned int n = 0;

	for (size_t i = 0; i < NODESET_MAX / 64; i++)
		n += __builtin_popcountll(s->bits[i]);
	return n;
}

static int parse_node(const char **p, int *node, char *err, size_t errlen)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)**p)) {
		snprintf(err, errlen, "expected a node number at \"%s\"", *p);
		return -1;
	}
	errno = 0;
	v = strtol(*p, &end, 10);
	if (errno || v >= NODESET_MAX) {
		snprintf(err, errlen, "node %.*s is beyond the largest node number %d",
			 (int)(end - *p), *p, NODESET_MAX - 1);
		return -1;
	}
	*node = (int)v;
	*p = end;
	return 0;
}

int nodeset_parse(struct nodeset *s, const char *text, char *err,
		  size_t errlen)
{
	const char *p = text;

	nodeset_clear(s);
	while (*p && *p != '\n') {
		int lo, hi;

		if (parse_node(&p, &lo, err, errlen))
			return -1;
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_node(&p, &hi, err, errlen))
				return -1;
			if (hi < lo) {
				snprintf(err, errlen, "range %d-%d runs backwards",
					 lo, hi);
				return -1;
			}
		}
		for (int n = lo; n <= hi; n++)
			nodeset_add(s, n);
		if (*p == ',') {
			p++;
			if (!*p || *p == '\n') {
				snprintf(err, errlen, "list ends with a comma");
				return -1;
			}
		} else if (*p && *p != '\n') {
			snprintf(err, errlen, "unexpected \"%c\" in node list", *p);
			return -1;
		}
	}
	return 0;
}

char *nodeset_format(const struct nodeset *s, char *buf, size_t len)
{
	size_t used = 0;
	int n = 0;

	buf[0] = '\0';
	while (n < NODESET_MAX) {
		int lo;

		if (!nodeset_has(s, n)) {
			n++;
			continue;
		}
		lo = n;
		while (n + 1 < NODESET_MAX && nodeset_has(s, n + 1))
			n++;
		if (used < len)
			used += snprintf(buf + used, len - used,
					 lo == n ? "%s%d" : "%s%d-%d",
					 used ? "," : "", lo, n);
		n++;
	}
	return buf;
}

int nodeset_read_file(struct nodeset *s, const char *path)
{
	char line[4096], err[128];
	FILE *f = fopen(path, "r");
	int ret = -1;

	nodeset_clear(s);
	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f))
		ret = nodeset_parse(s, line, err, sizeof(err));
	else
		ret = 0;	/* an empty file is the empty set */
	fclose(f);
	return ret;
}
