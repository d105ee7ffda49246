/* SPDX-License-Identifier: MIT */
/*
 * frame_nodes.c - the PFN to node table, from sysfs memory blocks (see
 * frame_nodes.h).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame_nodes.h"
#include "units.h"

static int read_block_pages(const char *sys, uint64_t *shift, char *err,
			    size_t errlen)
{
	char path[512];
	uint64_t bytes = 0;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/devices/system/memory/block_size_bytes",
		 sys);
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	ok = fscanf(f, "%" SCNx64, &bytes) == 1;
	fclose(f);
	/* a power of two of whole pages, as the kernel's memory blocks are */
	if (!ok || bytes < PAGE_SIZE_4K || (bytes & (bytes - 1))) {
		snprintf(err, errlen, "%s: not a memory block size", path);
		return -1;
	}
	*shift = (uint64_t)__builtin_ctzll(bytes / PAGE_SIZE_4K);
	return 0;
}

/* Each nodeN/memoryM entry: block M on node N. */
static int scan_node(struct frame_nodes *f, const char *dir, int node)
{
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		unsigned long block;
		char *end;

		if (strncmp(e->d_name, "memory", 6) ||
		    e->d_name[6] < '0' || e->d_name[6] > '9')
			continue;
		block = strtoul(e->d_name + 6, &end, 10);
		if (*end || block >= FRAME_NODES_MAX_BLOCKS)
			continue;
		if (block >= f->nr_blocks) {
			size_t n = block + 1;
			int16_t *t = realloc(f->node, n * sizeof(*t));

			if (!t) {
				closedir(d);
				return -1;
			}
			for (size_t i = f->nr_blocks; i < n; i++)
				t[i] = -1;
			f->node = t;
			f->nr_blocks = n;
		}
		f->node[block] = (int16_t)node;
	}
	closedir(d);
	return 0;
}

int frame_nodes_load(struct frame_nodes *f, const char *sys_root, char *err,
		     size_t errlen)
{
	const char *sys = sys_root ? sys_root : "/sys";
	char path[512];
	struct dirent *e;
	DIR *d;

	memset(f, 0, sizeof(*f));
	if (read_block_pages(sys, &f->block_shift, err, errlen))
		return -1;
	snprintf(path, sizeof(path), "%s/devices/system/node", sys);
	d = opendir(path);
	if (!d) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		char sub[1024], *end;
		long node;

		if (strncmp(e->d_name, "node", 4) || e->d_name[4] < '0' ||
		    e->d_name[4] > '9')
			continue;
		node = strtol(e->d_name + 4, &end, 10);
		if (*end || node > INT16_MAX)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (scan_node(f, sub, (int)node)) {
			snprintf(err, errlen, "%s: %s", sub, strerror(errno));
			closedir(d);
			frame_nodes_fini(f);
			return -1;
		}
	}
	closedir(d);
	if (!f->nr_blocks) {
		snprintf(err, errlen, "%s: no memory block under any node", path);
		return -1;
	}
	return 0;
}

void frame_nodes_fini(struct frame_nodes *f)
{
	free(f->node);
	memset(f, 0, sizeof(*f));
}
