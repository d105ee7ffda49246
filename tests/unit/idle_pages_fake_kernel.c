/* SPDX-License-Identifier: MIT */
/*
 * idle_pages_fake_kernel.c - the simulated /proc/idle_pages of the tests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "idle_pages_fake_kernel.h"

#define FAKE_FD		42
#define FAKE_USER_END	IP_USER_END_4LEVEL
#define FAKE_HOLE_RECORDS_MAX	(8 * PIP_MAX_NR)	/* pages */

static int fk_open(void *ctx, const char *path, int flags)
{
	struct fake_kernel *k = ctx;

	(void)path;
	if (k->open_errno) {
		errno = k->open_errno;
		return -1;
	}
	k->open_flags = flags;
	k->pos = 0;
	if (k->on_open)
		k->on_open(k, k->opens, k->arg);
	k->opens++;
	return FAKE_FD;
}

static int fk_ioctl(void *ctx, int fd, unsigned long req, unsigned long arg)
{
	struct fake_kernel *k = ctx;
	struct idle_pages_info *info;

	if (fd != FAKE_FD) {
		errno = EBADF;
		return -1;
	}
	switch (req) {
	case IDLE_PAGE_SET_PID:
		if (k->setpid_errno) {
			errno = k->setpid_errno;
			return -1;
		}
		return 0;
	case IDLE_PAGE_SET_FORMAT:
		return 0;
	case IDLE_PAGE_GET_INFO:
		if (k->no_info)
			break;
		info = (struct idle_pages_info *)arg;
		memset(info, 0, sizeof(*info));
		info->size = sizeof(*info);
		info->version = IDLE_PAGES_INFO_VERSION;
		info->backend = k->backend;
		info->nr_memslots = (uint32_t)k->nregions;
		info->root_levels = 4;
		info->flags_honoured = k->honours;
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

static off_t fk_lseek(void *ctx, int fd, off_t off, int whence)
{
	struct fake_kernel *k = ctx;

	(void)fd;
	if (whence == SEEK_SET)
		k->pos = (uint64_t)off;
	else if (whence == SEEK_CUR)
		k->pos += (uint64_t)off;
	else {
		errno = EINVAL;
		return -1;
	}
	return (off_t)k->pos;
}

static struct fake_region *region_at_or_after(struct fake_kernel *k,
					      uint64_t pos)
{
	struct fake_region *best = NULL;

	for (int i = 0; i < k->nregions; i++) {
		struct fake_region *r = &k->regions[i];
		uint64_t end = r->start + (r->nunits << r->shift);

		if (end > pos && (!best || r->start < best->start))
			best = r;
	}
	return best;
}

/* Emits the run of same-state units at pos; returns pages covered. */
static uint64_t emit_run(struct fake_region *r, uint64_t *pos, uint8_t *out)
{
	uint64_t u = (*pos - r->start) >> r->shift, n = 0;
	uint8_t acc = r->accessed[u];
	unsigned int type;

	while (n < PIP_MAX_NR && u + n < r->nunits && r->accessed[u + n] == acc)
		r->accessed[u + n++] = 0;	/* test and clear */
	if (r->shift == 12)
		type = acc ? PTE_ACCESSED : PTE_IDLE;
	else
		type = acc ? PMD_ACCESSED : PMD_IDLE;
	*out = PIP_COMPOSE(type, n);
	*pos += n << r->shift;
	return (n << r->shift) / IP_PAGE_SIZE;
}

static ssize_t fk_read(void *ctx, int fd, void *buf, size_t count)
{
	struct fake_kernel *k = ctx;
	uint64_t budget = count * IDLE_PAGES_PAGES_PER_BYTE;
	uint8_t *out = buf;
	size_t len = 0;

	(void)fd;
	if (count < IDLE_PAGES_MIN_READ || (k->pos & (IP_PAGE_SIZE - 1))) {
		errno = EINVAL;
		return -1;
	}
	k->reads++;
	if (k->pos >= FAKE_USER_END)
		return 0;
	if (k->garbage)
		out[len++] = k->garbage;
	while (budget && k->pos < FAKE_USER_END && len + PIP_SET_HVA_LEN <= count) {
		struct fake_region *r = region_at_or_after(k, k->pos);
		uint64_t next = r ? r->start : FAKE_USER_END;

		if (r && k->pos >= r->start) {
			uint64_t pages = emit_run(r, &k->pos, out + len++);

			budget = pages >= budget ? 0 : budget - pages;
		} else if (k->holes_as_records &&
			   next - k->pos <= FAKE_HOLE_RECORDS_MAX * IP_PAGE_SIZE) {
			uint64_t n = (next - k->pos) / IP_PAGE_SIZE;

			if (n > PIP_MAX_NR)
				n = PIP_MAX_NR;
			out[len++] = PIP_COMPOSE(PTE_HOLE, n);
			k->pos += n * IP_PAGE_SIZE;
			budget = n >= budget ? 0 : budget - n;
		} else {
			ip_encode_set_hva(out + len, next);
			len += PIP_SET_HVA_LEN;
			k->pos = next;
		}
	}
	if (k->stuck)
		k->pos = k->pos ? k->pos - IP_PAGE_SIZE : 0;
	return (ssize_t)len;
}

static int fk_close(void *ctx, int fd)
{
	struct fake_kernel *k = ctx;

	(void)fd;
	k->closes++;
	return 0;
}

void fake_kernel_init(struct fake_kernel *k)
{
	memset(k, 0, sizeof(*k));
	k->backend = IDLE_PAGES_BACKEND_NPT;
	k->ops = (struct ip_sys_ops){
		fk_open, fk_ioctl, fk_lseek, fk_read, fk_close, k,
	};
}

int fake_add_region(struct fake_kernel *k, uint64_t start, uint64_t nunits,
		    unsigned int shift)
{
	struct fake_region *r = &k->regions[k->nregions];

	r->start = start;
	r->nunits = nunits;
	r->shift = shift;
	r->accessed = calloc(nunits, 1);
	return k->nregions++;
}

void fake_touch(struct fake_kernel *k, int ri, uint64_t first, uint64_t n)
{
	memset(k->regions[ri].accessed + first, 1, n);
}

void fake_kernel_fini(struct fake_kernel *k)
{
	for (int i = 0; i < k->nregions; i++)
		free(k->regions[i].accessed);
}
