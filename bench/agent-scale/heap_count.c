/* SPDX-License-Identifier: MIT */
/*
 * heap_count.c - the malloc family, counted (see heap_count.h). Each
 * function forwards to glibc's own (__libc_*), which glibc exports for
 * exactly this, so the allocator is unchanged.
 */
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "heap_count.h"

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void *__libc_memalign(size_t align, size_t n);
void __libc_free(void *p);

void (*heap_alloc_hook)(void);
static int64_t live, peak;

int64_t heap_live(void)
{
	return live;
}

int64_t heap_peak(void)
{
	return peak;
}

void heap_peak_reset(void)
{
	peak = live;
}

static void *counted(void *p)
{
	if (p) {
		live += (int64_t)malloc_usable_size(p);
		if (live > peak)
			peak = live;
	}
	if (heap_alloc_hook)
		heap_alloc_hook();
	return p;
}

void *malloc(size_t n)
{
	return counted(__libc_malloc(n));
}

void *calloc(size_t n, size_t size)
{
	return counted(__libc_calloc(n, size));
}

void *realloc(void *old, size_t n)
{
	int64_t before = old ? (int64_t)malloc_usable_size(old) : 0;
	void *p = __libc_realloc(old, n);

	/* failed: old stays; realloc(old, 0) frees it and returns NULL */
	if (p || !n)
		live -= before;
	return counted(p);
}

void *reallocarray(void *old, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(old, n * size);
}

void free(void *p)
{
	if (p)
		live -= (int64_t)malloc_usable_size(p);
	__libc_free(p);
}

void *memalign(size_t align, size_t n)
{
	return counted(__libc_memalign(align, n));
}

void *aligned_alloc(size_t align, size_t n)
{
	return counted(__libc_memalign(align, n));
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	p = counted(__libc_memalign(align, n));
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *valloc(size_t n)
{
	return counted(__libc_memalign(4096, n));
}

void *pvalloc(size_t n)
{
	return counted(__libc_memalign(4096, (n + 4095) & ~(size_t)4095));
}
