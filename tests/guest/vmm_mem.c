// SPDX-License-Identifier: MIT
/* vmm_mem.c - guest RAM backings for tg-launch. */
#include "vmm_mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_2M (2ull << 20)

static const char *const names[] = { "4k", "thp", "memfd", "hugetlb" };

int tg_backing_parse(const char *s, enum tg_backing *b)
{
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*b = (enum tg_backing)i;
			return 0;
		}
	}
	return -1;
}

const char *tg_backing_name(enum tg_backing b)
{
	return (unsigned)b < sizeof(names) / sizeof(names[0]) ? names[b] : "?";
}

static int fail(char *err, size_t errlen, const char *what, uint64_t size)
{
	snprintf(err, errlen, "%s of %llu MiB failed: %s", what,
		 (unsigned long long)(size >> 20), strerror(errno));
	return -1;
}

static int map_4k(struct tg_guest_mem *m, char *err, size_t errlen)
{
	m->map = mmap(NULL, m->size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->map == MAP_FAILED)
		return fail(err, errlen, "mmap", m->size);
	m->map_len = m->size;
	m->hva = m->map;
	if (madvise(m->hva, m->size, MADV_NOHUGEPAGE))
		return fail(err, errlen, "madvise(MADV_NOHUGEPAGE)", m->size);
	return 0;
}

/* Over-map by 2 MiB and start at the first 2 MiB boundary, so guest 2 MiB
 * frames line up with host huge pages. */
static int map_thp(struct tg_guest_mem *m, char *err, size_t errlen)
{
	uintptr_t start;

	m->map_len = m->size + HUGE_2M;
	m->map = mmap(NULL, m->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->map == MAP_FAILED)
		return fail(err, errlen, "mmap", m->size);
	start = ((uintptr_t)m->map + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1);
	m->hva = (uint8_t *)start;
	if (madvise(m->hva, m->size, MADV_HUGEPAGE))
		return fail(err, errlen, "madvise(MADV_HUGEPAGE)", m->size);
	return 0;
}

static int map_memfd(struct tg_guest_mem *m, char *err, size_t errlen)
{
	m->fd = memfd_create("tg-guest-ram", MFD_CLOEXEC);
	if (m->fd < 0)
		return fail(err, errlen, "memfd_create", m->size);
	if (ftruncate(m->fd, (off_t)m->size))
		return fail(err, errlen, "ftruncate(memfd)", m->size);
	m->map = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      m->fd, 0);
	if (m->map == MAP_FAILED)
		return fail(err, errlen, "mmap(memfd)", m->size);
	m->map_len = m->size;
	m->hva = m->map;
	return 0;
}

static int map_hugetlb(struct tg_guest_mem *m, char *err, size_t errlen)
{
	m->map = mmap(NULL, m->size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (m->map == MAP_FAILED) {
		snprintf(err, errlen,
			 "mmap(MAP_HUGETLB) of %llu MiB failed: %s (reserve pages: echo %llu > /proc/sys/vm/nr_hugepages)",
			 (unsigned long long)(m->size >> 20), strerror(errno),
			 (unsigned long long)(m->size / HUGE_2M));
		return -1;
	}
	m->map_len = m->size;
	m->hva = m->map;
	return 0;
}

int tg_mem_alloc(struct tg_guest_mem *m, uint64_t size, enum tg_backing b,
		 char *err, size_t errlen)
{
	int r;

	*m = (struct tg_guest_mem){ .size = size, .backing = b, .fd = -1,
				    .map = MAP_FAILED };
	if (!size || (size & 0xfff)) {
		snprintf(err, errlen, "memory size %llu is not a multiple of 4K",
			 (unsigned long long)size);
		return -1;
	}
	if ((b == TG_BACKING_THP || b == TG_BACKING_HUGETLB) &&
	    (size & (HUGE_2M - 1))) {
		snprintf(err, errlen, "backing %s needs a memory size that is a multiple of 2M",
			 tg_backing_name(b));
		return -1;
	}
	switch (b) {
	case TG_BACKING_4K:	r = map_4k(m, err, errlen); break;
	case TG_BACKING_THP:	r = map_thp(m, err, errlen); break;
	case TG_BACKING_MEMFD:	r = map_memfd(m, err, errlen); break;
	case TG_BACKING_HUGETLB: r = map_hugetlb(m, err, errlen); break;
	default:
		snprintf(err, errlen, "unknown backing");
		r = -1;
	}
	if (r)
		tg_mem_free(m);
	return r;
}

void tg_mem_free(struct tg_guest_mem *m)
{
	if (m->map != MAP_FAILED && m->map)
		munmap(m->map, m->map_len);
	if (m->fd >= 0)
		close(m->fd);
	m->map = MAP_FAILED;
	m->fd = -1;
}

int tg_mem_resident(const struct tg_guest_mem *m, struct tg_pagelist *pl)
{
	size_t npages = m->size >> 12;
	unsigned char *vec = malloc(npages);
	int r = 0;

	if (!vec)
		return -1;
	if (mincore(m->hva, m->size, vec)) {
		free(vec);
		return -1;
	}
	for (size_t i = 0; i < npages && !r; i++)
		if (vec[i] & 1)
			r = tg_pagelist_add(pl, i, i + 1);
	free(vec);
	return r;
}
