/* SPDX-License-Identifier: MIT */
/*
 * fake_numa.c - move_pages(2) and friends for the agent's mover, on a
 * placement bitmap (see fake_numa.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "fake_numa.h"
#include "stage.h"

#define PAGE	4096ull

static bool in_dram(const struct fake_numa *f, uint64_t i)
{
	return f->dram[i / 64] & (1ull << (i % 64));
}

static void set_node(struct fake_numa *f, uint64_t i, int node)
{
	if (node == FAKE_DRAM_NODE)
		f->dram[i / 64] |= 1ull << (i % 64);
	else
		f->dram[i / 64] &= ~(1ull << (i % 64));
}

static long fn_move_pages(void *ctx, int pid, unsigned long count,
			  void **pages, const int *nodes, int *status,
			  int flags)
{
	struct fake_numa *f = ctx;

	(void)pid;
	(void)flags;
	if (!nodes)
		stage_locate_call();
	stage_fake_begin();
	for (unsigned long k = 0; k < count; k++) {
		uint64_t i = ((uint64_t)(uintptr_t)pages[k] - f->base) / PAGE;

		if (i >= f->pages) {
			status[k] = -EFAULT;
			continue;
		}
		if (nodes) {
			/* as the kernel: any page of a huge page moves it all */
			uint64_t lo = f->pat->host_huge ? i & ~511ull : i;
			uint64_t hi = f->pat->host_huge ? lo + 512 : i + 1;

			for (uint64_t j = lo; j < hi; j++)
				set_node(f, j, nodes[k]);
			f->n.moved_pages += hi - lo;
		}
		status[k] = in_dram(f, i) ? FAKE_DRAM_NODE : FAKE_PMEM_NODE;
	}
	if (nodes) {
		f->n.move_calls++;
		f->n.move_addrs += count;
	} else {
		f->n.query_calls++;
		f->n.query_addrs += count;
	}
	stage_fake_end();
	return 0;
}

/* The mover reads its clock first thing in mover_execute(): the move begins. */
static uint64_t fn_now(void *ctx)
{
	struct fake_numa *f = ctx;

	stage_enter(ST_MOVE);
	return f->clock_ns;
}

static void fn_sleep(void *ctx, uint64_t ns)
{
	struct fake_numa *f = ctx;

	f->clock_ns += ns;
}

/* Cheap enough to leave in the stage's time; its real cost is added. */
static int fn_host_huge(void *ctx, struct mover *m, uint64_t hva)
{
	struct fake_numa *f = ctx;

	(void)m;
	(void)hva;
	stage_locate_call();
	f->n.host_huge_calls++;
	return f->pat->host_huge;
}

static long fn_pagemap(void *ctx, struct mover *m, uint64_t hva, size_t n,
		       uint64_t *out)
{
	struct fake_numa *f = ctx;
	uint64_t first = (hva - f->base) / PAGE;

	(void)m;
	stage_locate_call();
	stage_fake_begin();
	for (size_t k = 0; k < n; k++) {
		uint64_t i = first + k;
		uint64_t node = i < f->pages && !in_dram(f, i);

		out[k] = i >= f->pages ? 0 : 1ull << 63 |
			 ((node + 1) * FAKE_BLOCK_PAGES +
			  (f->pat->host_huge ? i : i ^ 1));
	}
	f->n.pagemap_reads++;
	f->n.pagemap_entries += n;
	stage_fake_end();
	return (long)n;
}

int fake_numa_sysfs(const char *root)
{
	static const char *const dirs[] = {
		"devices", "devices/system", "devices/system/memory",
		"devices/system/node", "devices/system/node/node0",
		"devices/system/node/node0/memory1",
		"devices/system/node/node1",
		"devices/system/node/node1/memory2",
	};
	char path[1024];
	FILE *fp;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		if (mkdir(path, 0755) && errno != EEXIST)
			return -1;
	}
	snprintf(path, sizeof(path), "%s/devices/system/memory/block_size_bytes",
		 root);
	fp = fopen(path, "w");
	if (!fp)
		return -1;
	fprintf(fp, "%llx\n", (unsigned long long)(FAKE_BLOCK_PAGES * PAGE));
	return fclose(fp) ? -1 : 0;
}

int fake_numa_init(struct fake_numa *f, const struct pattern *p,
		   uint64_t base, uint64_t pages)
{
	void *bits;

	memset(f, 0, sizeof(*f));
	f->pat = p;
	f->base = base;
	f->pages = pages;
	f->dram_bytes = (pages + 63) / 64 * sizeof(uint64_t);
	bits = mmap(NULL, f->dram_bytes, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (bits == MAP_FAILED)
		return -1;
	f->dram = bits;
	f->ops = (struct mover_ops){
		fn_move_pages, fn_now, fn_sleep, f, fn_host_huge, fn_pagemap,
	};
	return 0;
}

void fake_numa_fini(struct fake_numa *f)
{
	if (f->dram)
		munmap(f->dram, f->dram_bytes);
	f->dram = NULL;
}

void fake_numa_place(struct fake_numa *f, bool converged)
{
	uint64_t period_words = PAT_PERIOD_PAGES / 64;

	memset(f->dram, 0, f->dram_bytes);
	if (!converged)
		return;
	/* one period's bits, then copies of it: every GiB is alike */
	for (uint64_t i = 0; i < PAT_PERIOD_PAGES && i < f->pages; i++)
		if (pattern_class(f->pat, i) == CLS_HOT)
			set_node(f, i, FAKE_DRAM_NODE);
	for (uint64_t w = period_words; w < f->dram_bytes / 8; w += period_words) {
		uint64_t n = f->dram_bytes / 8 - w;

		memcpy(f->dram + w, f->dram,
		       (n < period_words ? n : period_words) * sizeof(uint64_t));
	}
}

uint64_t fake_numa_dram_pages(const struct fake_numa *f)
{
	uint64_t n = 0;

	for (size_t w = 0; w < f->dram_bytes / 8; w++)
		n += (uint64_t)__builtin_popcountll(f->dram[w]);
	return n;
}
