/* SPDX-License-Identifier: MIT */
/*
 * syscost.c - the real cost of the agent's kernel calls (see syscost.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <numa.h>
#include <numaif.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clock.h"
#include "syscost.h"

#define PAGE		4096ul
#define HUGE		(2ul << 20)
#define LOCATE_BATCH	65536ul		/* the agent's locate batch */
#define MOVE_BATCH	1024ul		/* its default move batch, pages */
#define THP_BYTES	(256ul << 20)
#define PAGEMAP_CHUNK	(64ul * 512)	/* the agent's locate chunk */
#define ROUNDS		15

#define PM_PRESENT	(1ull << 63)
#define PM_PFN_MASK	((1ull << 55) - 1)

struct buf {
	char *mem;
	size_t bytes;
	void **addrs;
	int *nodes, *status;
	size_t n;		/* addresses */
};

static int buf_init(struct buf *b, size_t bytes, size_t stride, bool thp)
{
	memset(b, 0, sizeof(*b));
	/* 2 MiB aligned, so that a THP can back each block */
	b->mem = mmap(NULL, bytes + HUGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->mem == MAP_FAILED) {
		b->mem = NULL;
		return -1;
	}
	b->bytes = bytes + HUGE;
	madvise(b->mem, b->bytes, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	b->n = bytes / stride;
	b->addrs = calloc(b->n, sizeof(*b->addrs));
	b->nodes = calloc(b->n, sizeof(*b->nodes));
	b->status = calloc(b->n, sizeof(*b->status));
	if (!b->addrs || !b->nodes || !b->status)
		return -1;
	for (size_t i = 0; i < b->n; i++) {
		char *base = (char *)(((uintptr_t)b->mem + HUGE - 1) &
				      ~(uintptr_t)(HUGE - 1));

		b->addrs[i] = base + i * stride;
	}
	for (size_t off = 0; off < b->bytes; off += PAGE)
		b->mem[off] = 1;	/* present, on this node */
	return 0;
}

static void buf_fini(struct buf *b)
{
	if (b->mem)
		munmap(b->mem, b->bytes);
	free(b->addrs);
	free(b->nodes);
	free(b->status);
}

/*
 * Best ns, of ROUNDS, of move_pages over the first n addresses in
 * calls of at most batch: as queries, or to the node each page is on.
 */
static double time_move_pages(struct buf *b, size_t n, size_t batch,
			      bool query, char *err, size_t errlen)
{
	uint64_t best = UINT64_MAX;

	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = run_ns(), t;

		for (size_t i = 0; i < n; i += batch) {
			size_t k = n - i < batch ? n - i : batch;
			long rc = move_pages(0, k, b->addrs + i,
					     query ? NULL : b->nodes + i,
					     b->status + i, MPOL_MF_MOVE_ALL);

			if (rc < 0 || b->status[i] < 0) {
				snprintf(err, errlen, "move_pages of %zu pages: %s (status %d)",
					 k, strerror(rc < 0 ? errno :
						     -b->status[i]),
					 b->status[i]);
				return -1;
			}
		}
		t = run_ns() - t0;
		if (t < best)
			best = t;
	}
	return (double)best;
}

/* Best ns per pread of 8 bytes at each offs[i] of fd. */
static double time_preads(int fd, const uint64_t *offs, size_t n)
{
	uint64_t best = UINT64_MAX, v;

	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = run_ns(), t;

		for (size_t i = 0; i < n; i++)
			if (pread(fd, &v, sizeof(v), (off_t)offs[i]) != sizeof(v))
				return -1;
		t = run_ns() - t0;
		if (t < best)
			best = t;
	}
	return (double)best / (double)n;
}

/* Best ns per entry of pagemap reads over the whole buffer, in chunks. */
static double time_pagemap_bulk(const struct buf *b)
{
	uint64_t best = UINT64_MAX, first = (uintptr_t)b->addrs[0] / PAGE;
	size_t pages = (b->bytes - HUGE) / PAGE;
	uint64_t *e = malloc(PAGEMAP_CHUNK * sizeof(*e));
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	for (int r = 0; e && pm >= 0 && r < ROUNDS; r++) {
		uint64_t t0 = run_ns(), t;

		for (size_t i = 0; i < pages; i += PAGEMAP_CHUNK) {
			size_t k = pages - i < PAGEMAP_CHUNK ? pages - i :
				   PAGEMAP_CHUNK;

			if (pread(pm, e, k * 8, (off_t)((first + i) * 8)) !=
			    (ssize_t)(k * 8))
				best = 0;
		}
		t = run_ns() - t0;
		if (t < best)
			best = t;
	}
	if (pm >= 0)
		close(pm);
	free(e);
	return e && pm >= 0 && best ? (double)best / (double)pages : -1;
}

/* pagemap (and kpageflags) reads, one per 2 MiB block, as the agent does. */
static int time_page_info(struct buf *b, double *pagemap,
			  double *kpf, unsigned long *thps)
{
	size_t n = b->n;
	uint64_t *offs = calloc(n, sizeof(*offs));
	uint64_t *pfns = calloc(n, sizeof(*pfns));
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int kf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	int ret = -1;

	if (!offs || !pfns || pm < 0 || kf < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		uint64_t e;

		offs[i] = (uintptr_t)b->addrs[i] / PAGE * 8;
		if (pread(pm, &e, 8, (off_t)offs[i]) != 8 || !(e & PM_PRESENT) ||
		    !(e & PM_PFN_MASK))
			goto out;	/* PFNs hidden: not root */
		pfns[i] = (e & PM_PFN_MASK) * 8;
	}
	*pagemap = time_preads(pm, offs, n);
	if (kpf)
		*kpf = time_preads(kf, pfns, n);
	if (thps) {
		*thps = 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t f;

			/* KPF_THP (22) on the block's head */
			if (pread(kf, &f, 8, (off_t)pfns[i]) == 8 &&
			    (f & (1ull << 22)) && (pfns[i] / 8) % 512 == 0)
				(*thps)++;
		}
	}
	ret = *pagemap < 0 || (kpf && *kpf < 0) ? -1 : 0;
out:
	if (pm >= 0)
		close(pm);
	if (kf >= 0)
		close(kf);
	free(offs);
	free(pfns);
	return ret;
}

/* A first touch of fresh anonymous memory: a page fault and its zeroing. */
static double time_faults(void)
{
	uint64_t best = UINT64_MAX;
	size_t bytes = 64ul << 20;

	for (int r = 0; r < 3; r++) {
		char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint64_t t0, t;

		if (p == MAP_FAILED)
			return -1;
		madvise(p, bytes, MADV_NOHUGEPAGE);
		t0 = run_ns();
		for (size_t off = 0; off < bytes; off += PAGE)
			p[off] = 1;
		t = run_ns() - t0;
		munmap(p, bytes);
		if (t < best)
			best = t;
	}
	return (double)best / (double)(bytes / PAGE);
}

static int time_small_calls(struct syscost *c)
{
	uint64_t best = UINT64_MAX, best_oc = UINT64_MAX;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = run_ns(), t;

		for (int i = 0; i < 1000; i++)
			lseek(fd, 0, SEEK_CUR);
		t = run_ns() - t0;
		if (t < best)
			best = t;
		t0 = run_ns();
		for (int i = 0; i < 100; i++)
			close(open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC));
		t = run_ns() - t0;
		if (t < best_oc)
			best_oc = t;
	}
	close(fd);
	c->syscall_ns = (double)best / 1000;
	c->open_close_ns = (double)best_oc / 100;
	return 0;
}

int syscost_measure(struct syscost *c, char *err, size_t errlen)
{
	struct buf b4 = { 0 }, bh = { 0 };
	double t;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	c->numa_nodes = numa_available() < 0 ? 1 : numa_max_node() + 1;
	if (buf_init(&b4, LOCATE_BATCH * PAGE, PAGE, false) ||
	    buf_init(&bh, THP_BYTES, HUGE, true)) {
		snprintf(err, errlen, "out of memory for the syscall buffers");
		goto out;
	}
	/*
	 * Per address, in calls of the agent's shapes, call included: 65536
	 * addresses to locate, 1024 pages (or 2 huge pages) to move.
	 */
	c->mp_call_ns = time_move_pages(&b4, 64, 1, true, err, errlen) / 64;
	t = time_move_pages(&b4, LOCATE_BATCH, LOCATE_BATCH, true, err,
			    errlen);
	if (c->mp_call_ns < 0 || t < 0)
		goto out;
	c->mp_query_ns = t / (double)LOCATE_BATCH;
	for (size_t i = 0; i < b4.n; i++)
		b4.nodes[i] = b4.status[i];
	c->mp_move_call_ns = time_move_pages(&b4, 64, 1, false, err,
					     errlen) / 64;
	t = time_move_pages(&b4, LOCATE_BATCH, MOVE_BATCH, false, err, errlen);
	if (c->mp_move_call_ns < 0 || t < 0)
		goto out;
	c->mp_move_ns = t / (double)LOCATE_BATCH;
	t = time_move_pages(&bh, bh.n, bh.n, true, err, errlen);
	if (t < 0)
		goto out;
	c->mp_query_thp_ns = t / (double)bh.n;
	for (size_t i = 0; i < bh.n; i++)
		bh.nodes[i] = bh.status[i];
	t = time_move_pages(&bh, bh.n, MOVE_BATCH / 512, false, err, errlen);
	if (t < 0)
		goto out;
	c->mp_move_thp_ns = t / (double)bh.n;
	c->pagemap_bulk_ns = time_pagemap_bulk(&b4);
	c->pagemap_bulk_thp_ns = time_pagemap_bulk(&bh);
	if (c->pagemap_bulk_ns < 0 || c->pagemap_bulk_thp_ns < 0) {
		snprintf(err, errlen, "cannot read /proc/self/pagemap");
		goto out;
	}
	/* page information, one read per 2 MiB block of a 4 KiB buffer */
	for (size_t i = 0; i < b4.n / 512; i++)
		b4.addrs[i] = b4.addrs[i * 512];
	b4.n /= 512;
	if (time_page_info(&b4, &c->pagemap_ns, &c->kpageflags_ns,
			   NULL) ||
	    time_page_info(&bh, &c->pagemap_thp_ns, NULL,
			   &c->thp_pages) ||
	    time_small_calls(c)) {
		snprintf(err, errlen, "cannot read /proc/self/pagemap and /proc/kpageflags with PFNs (root is needed)");
		goto out;
	}
	c->thp = c->thp_pages == bh.n;
	c->fault_ns = time_faults();
	ret = 0;
out:
	buf_fini(&b4);
	buf_fini(&bh);
	return ret;
}

#define KEEP_LOWER(f)	do { if (c->f < best->f) best->f = c->f; } while (0)

void syscost_keep_best(struct syscost *best, const struct syscost *c,
		       bool first)
{
	if (first) {
		*best = *c;
		return;
	}
	KEEP_LOWER(mp_query_ns);
	KEEP_LOWER(mp_move_ns);
	KEEP_LOWER(mp_query_thp_ns);
	KEEP_LOWER(mp_move_thp_ns);
	KEEP_LOWER(mp_call_ns);
	KEEP_LOWER(mp_move_call_ns);
	KEEP_LOWER(pagemap_bulk_ns);
	KEEP_LOWER(pagemap_bulk_thp_ns);
	KEEP_LOWER(pagemap_ns);
	KEEP_LOWER(pagemap_thp_ns);
	KEEP_LOWER(kpageflags_ns);
	KEEP_LOWER(syscall_ns);
	KEEP_LOWER(open_close_ns);
	KEEP_LOWER(fault_ns);
	KEEP_LOWER(thp_pages);
	best->thp = best->thp && c->thp;
}
