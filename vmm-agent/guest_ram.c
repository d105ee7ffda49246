/* SPDX-License-Identifier: MIT */
/*
 * guest_ram.c - guest RAM ranges of a QEMU process from /proc/<pid>/maps
 * (the approach is described in guest_ram.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "guest_ram.h"
#include "units.h"

#define MAX_CANDIDATES	4096

struct mapping {
	uint64_t start, end;
	bool shared;
	char name[160];
};

static int by_size_desc(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;
	uint64_t sx = x->end - x->start, sy = y->end - y->start;

	if (sx != sy)
		return sx > sy ? -1 : 1;
	return x->start < y->start ? -1 : 1;
}

static int by_start(const void *a, const void *b)
{
	const struct ip_hva_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Could this mapping hold a RAM block? */
static bool is_candidate(const char *perms, const char *name)
{
	if (perms[0] != 'r' || perms[1] != 'w')
		return false;
	if (!name[0])
		return true;			/* anonymous */
	if (name[0] == '[')
		return false;			/* [heap], [stack], ... */
	if (!strncmp(name, "/memfd:", 7))
		return true;
	return perms[3] == 's';			/* shared file, hugetlbfs */
}

/* Parse one maps line; false if it is not a candidate. */
static bool parse_line(const char *line, struct mapping *m)
{
	char perms[8] = "";
	int name_at = 0;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %*s %*s %*s %n",
		   &m->start, &m->end, perms, &name_at) < 3 ||
	    m->end <= m->start)
		return false;
	snprintf(m->name, sizeof(m->name), "%s", name_at ? line + name_at : "");
	m->name[strcspn(m->name, "\n")] = '\0';
	m->shared = perms[3] == 's' || !strncmp(m->name, "/memfd:", 7);
	return is_candidate(perms, m->name);
}

static int read_candidates(FILE *maps, struct mapping **out, size_t *n)
{
	struct mapping *v = calloc(MAX_CANDIDATES, sizeof(*v)), m;
	char line[512];

	if (!v)
		return -1;
	*n = 0;
	while (fgets(line, sizeof(line), maps)) {
		if (!parse_line(line, &m))
			continue;
		/* the rest of a mapping the kernel split in two VMAs */
		if (*n && v[*n - 1].end == m.start &&
		    v[*n - 1].shared == m.shared &&
		    !strcmp(v[*n - 1].name, m.name)) {
			v[*n - 1].end = m.end;
			continue;
		}
		if (*n < MAX_CANDIDATES)
			v[(*n)++] = m;
	}
	*out = v;
	return 0;
}

static void describe_largest(const struct mapping *v, size_t n, char *buf,
			     size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && i < 4 && used < len; i++) {
		char sz[32];

		used += snprintf(buf + used, len - used, "%s%s at 0x%" PRIx64 " (%s)",
				 i ? ", " : "",
				 format_bytes(v[i].end - v[i].start, sz, sizeof(sz)),
				 v[i].start, v[i].name[0] ? v[i].name : "anonymous");
	}
}

int guest_ram_find(FILE *maps, uint64_t guest_bytes, struct guest_ram *out,
		   char *err, size_t errlen)
{
	struct mapping *v;
	uint64_t sum = 0;
	size_t n, taken = 0, used = 0;
	char gs[32];

	memset(out, 0, sizeof(*out));
	if (read_candidates(maps, &v, &n)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	qsort(v, n, sizeof(*v), by_size_desc);
	out->ranges = calloc(n ? n : 1, sizeof(*out->ranges));
	if (!out->ranges) {
		free(v);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n && sum < guest_bytes; i++) {
		uint64_t size = v[i].end - v[i].start;

		if (sum + size > guest_bytes)
			continue;
		sum += size;
		out->ranges[out->n++] = (struct ip_hva_range){ v[i].start,
							       v[i].end };
		out->shared |= v[i].shared;
		if (used < sizeof(out->desc))
			used += snprintf(out->desc + used,
					 sizeof(out->desc) - used,
					 "%s%s at 0x%" PRIx64 " (%s%s)",
					 taken++ ? ", " : "",
					 format_bytes(size, gs, sizeof(gs)),
					 v[i].start,
					 v[i].name[0] ? v[i].name : "anonymous",
					 v[i].shared ? ", shared" : "");
	}
	if (sum != guest_bytes) {
		char largest[400];

		describe_largest(v, n, largest, sizeof(largest));
		snprintf(err, errlen, "no writable anonymous or shared mappings add up to the guest's memory of %s; the largest are: %s",
			 format_bytes(guest_bytes, gs, sizeof(gs)),
			 n ? largest : "none");
		free(v);
		guest_ram_free(out);
		return -1;
	}
	free(v);
	qsort(out->ranges, out->n, sizeof(*out->ranges), by_start);
	return 0;
}

int guest_ram_find_pid(pid_t pid, uint64_t guest_bytes, struct guest_ram *out,
		       char *err, size_t errlen)
{
	char path[64];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	ret = guest_ram_find(f, guest_bytes, out, err, errlen);
	fclose(f);
	return ret;
}

void guest_ram_free(struct guest_ram *g)
{
	free(g->ranges);
	g->ranges = NULL;
	g->n = 0;
}
