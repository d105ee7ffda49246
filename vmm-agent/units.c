/* SPDX-License-Identifier: MIT */
/*
 * units.c - byte sizes in and out.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "units.h"

int parse_size(const char *text, uint64_t *bytes)
{
	static const char suffixes[] = "KMGTPE";
	unsigned long long v;
	const char *s;
	char *end;
	unsigned int shift = 0;

	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		const char *p = strchr(suffixes, toupper((unsigned char)*end));

		if (!p || !*p)
			return -1;
		shift = 10 * (unsigned int)(p - suffixes + 1);
		end++;
		s = end;
		if (strcasecmp(s, "") && strcasecmp(s, "B") &&
		    strcasecmp(s, "iB"))
			return -1;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*bytes = (uint64_t)v << shift;
	return 0;
}

char *format_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const names[] = { "B", "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	unsigned int u = 0;
	double v = (double)bytes;

	while (u + 1 < sizeof(names) / sizeof(names[0]) && v >= 1024.0) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else if (bytes % (1ull << (10 * u)) == 0)
		snprintf(buf, len, "%llu %s",
			 (unsigned long long)(bytes >> (10 * u)), names[u]);
	else
		snprintf(buf, len, "%.1f %s", v, names[u]);
	return buf;
}
