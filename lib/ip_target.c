/* SPDX-License-Identifier: MIT */
/*
 * ip_target.c - pid targets, VM detection and /proc/<pid>/maps ranges.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ip_target.h"

static bool parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > INT32_MAX)
		return false;
	*pid = (pid_t)v;
	return true;
}

bool ip_pid_owns_kvm_vm(pid_t pid)
{
	char dir[64], link[320], target[64];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		found = strcmp(target, "anon_inode:kvm-vm") == 0;
	}
	closedir(d);
	return found;
}

static void read_comm(pid_t pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	comm[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(comm, (int)len, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

int ip_target_resolve(const char *spec, const char *uri,
		      ip_domain_lookup_fn lookup, struct ip_target *t,
		      char *err, size_t errlen)
{
	char path[64], comm[32];
	struct stat sb;

	memset(t, 0, sizeof(*t));
	if (!spec || !*spec) {
		snprintf(err, errlen, "no target given: a pid or a libvirt domain name/UUID");
		return -1;
	}
	if (!parse_pid(spec, &t->pid)) {
		if (!lookup) {
			snprintf(err, errlen, "'%s' is not a pid, and this program was built without libvirt to look up domains",
				 spec);
			return -1;
		}
		if (lookup(uri, spec, t, err, errlen))
			return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d", (int)t->pid);
	if (stat(path, &sb)) {
		snprintf(err, errlen, "no such process: pid %d (%s missing)",
			 (int)t->pid, path);
		return -1;
	}
	t->is_vm = ip_pid_owns_kvm_vm(t->pid);
	if (!t->desc[0]) {
		read_comm(t->pid, comm, sizeof(comm));
		snprintf(t->desc, sizeof(t->desc), "pid %d (%s)", (int)t->pid,
			 comm[0] ? comm : "?");
	}
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct ip_hva_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sorts and merges overlapping or touching ranges in place. */
static size_t merge_ranges(struct ip_hva_range *r, size_t n)
{
	size_t out = 0;

	qsort(r, n, sizeof(*r), cmp_range);
	for (size_t i = 0; i < n; i++) {
		if (out && r[i].start <= r[out - 1].end) {
			if (r[i].end > r[out - 1].end)
				r[out - 1].end = r[i].end;
			continue;
		}
		r[out++] = r[i];
	}
	return out;
}

int ip_parse_maps(FILE *f, struct ip_hva_range **out, size_t *n)
{
	struct ip_hva_range *r = NULL;
	size_t cap = 0, cnt = 0;
	char line[4096];

	while (fgets(line, sizeof(line), f)) {
		uint64_t start, end;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64, &start, &end) != 2 ||
		    start >= end || end > IP_USER_END_LA57)
			continue;
		if (cnt == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			void *p = realloc(r, ncap * sizeof(*r));

			if (!p) {
				free(r);
				return -1;
			}
			r = p;
			cap = ncap;
		}
		r[cnt].start = start & ~(IP_PAGE_SIZE - 1);
		r[cnt].end = end;
		cnt++;
		/* a line longer than the buffer: skip its rest */
		while (!strchr(line, '\n') && fgets(line, sizeof(line), f))
			;
	}
	*n = cnt ? merge_ranges(r, cnt) : 0;
	*out = r;
	return 0;
}

int ip_target_ranges(const struct ip_target *t, struct ip_hva_range **out,
		     size_t *n, char *err, size_t errlen)
{
	char path[64];
	FILE *f;
	int ret;

	if (t->is_vm) {
		*out = malloc(sizeof(**out));
		if (!*out)
			goto oom;
		(*out)[0] = (struct ip_hva_range){ 0, IP_HVA_END_ALL };
		*n = 1;
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)t->pid);
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 strerror(errno));
		return -1;
	}
	ret = ip_parse_maps(f, out, n);
	fclose(f);
	if (ret)
		goto oom;
	if (!*n) {
		snprintf(err, errlen, "%s lists no mappings", path);
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}
