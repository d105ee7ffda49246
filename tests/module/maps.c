/* SPDX-License-Identifier: MIT */
/* maps.c - parser of /proc/PID/maps; see maps.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"

struct vma *maps_load(pid_t pid, size_t *nr)
{
	char path[64], line[4096];
	struct vma *v = NULL;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		uint64_t start, end;
		int off = 0;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %*s %*s %*s %n",
			   &start, &end, &off) < 2 || end <= start)
			continue;
		void *nv = realloc(v, (n + 1) * sizeof(*v));

		if (!nv) {
			free(v);
			fclose(f);
			return NULL;
		}
		v = nv;
		v[n].start = start;
		v[n].end = end;
		v[n].name[0] = 0;
		if (off) {
			line[strcspn(line, "\n")] = 0;
			snprintf(v[n].name, sizeof(v[n].name), "%s", line + off);
		}
		n++;
	}
	fclose(f);
	if (!n) {
		fprintf(stderr, "%s: no VMAs\n", path);
		free(v);
		return NULL;
	}
	*nr = n;
	return v;
}
