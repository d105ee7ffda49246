/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idle_pages_internal.h - state shared by the file interface and the two
 * scan backends (a VM's nested page tables, a process's own tables).
 */
#ifndef IDLE_PAGES_INTERNAL_H
#define IDLE_PAGES_INTERNAL_H

#include <linux/mutex.h>
#include <linux/types.h>
#include "core/pt_walk.h"
#include "core/pt_roots.h"

struct kvm;
struct mm_struct;

/*
 * Pages walked under one mmu_lock/mmap_lock hold, at most: the module
 * parameter chunk_pages, within these bounds, taken at open. A run covers
 * at least a page, so a chunk's runs (even merged over several roots)
 * never outnumber its pages: run buffers of that size never fill up.
 */
#define IP_CHUNK_PAGES_MIN	512
#define IP_CHUNK_PAGES_MAX	65536
/* Record bytes one chunk may produce: a byte a page, a SET_HVA, a flush. */
#define IP_CHUNK_BYTES(pages)	((pages) + PIP_SET_HVA_LEN + 1)

/*
 * One open /proc/idle_pages file: scan rounds of one target. A round
 * ends when a read finds nothing mapped past its position (the end of
 * the target's memory), when a read starts below where the last one
 * ended (the reader went back for the next round), at SET_PID or at
 * close; a round that cleared any accessed bit ends with one TLB flush.
 */
struct ip_file {
	struct mutex lock;	/* serialises ioctl and read on this file */
	unsigned int chunk_pages;	/* pages per lock hold */
	unsigned int scan_flags;	/* PTW_* from open flags and format */
	u32 format;		/* IDLE_PAGES_FORMAT_* */
	pid_t pid;
	struct kvm *kvm;	/* VM mode: a reference (kvm_get_kvm) */
	struct mm_struct *mm;	/* native mode: a reference (mmgrab) */
	bool cleared;		/* this round cleared accessed bits */
	u64 round_pos;		/* where the last read of the round ended */
	struct idle_pages_info info;
	/*
	 * Scratch for one chunk, allocated at the first SET_PID that passes
	 * the access check and charged to the caller's memory cgroup: the
	 * runs of each root and their merge, and the chunk's records.
	 */
	struct ptw_roots_bufs bufs;
	u8 *kbuf;		/* a chunk's records, for copy_to_user */
};

/*
 * The sink a backend's scan feeds: encodes and copies to user space. A
 * read scans only its window, [position, window_end): count * 8 pages.
 */
struct ip_sink {
	struct ip_file *f;
	struct ptw_enc enc;
	char __user *ubuf;
	size_t count;		/* bytes the caller asked for */
	size_t copied;		/* bytes copied to ubuf so far */
	u64 window_end;		/* HVA: nothing at or past it is scanned */
};

/* Record bytes the sink can still take (keeping the pending record). */
static inline size_t ip_sink_room(const struct ip_sink *s)
{
	return s->count - s->copied - s->enc.len - 1;
}

/*
 * Pages the next chunk at @hva may walk, at most @limit: bounded by the
 * window, chunk_pages, and the room for its records (in the worst case a
 * byte a page, plus a SET_HVA). 0: the read is full.
 */
static inline u64 ip_sink_chunk_pages(const struct ip_sink *s, u64 hva,
				      u64 limit)
{
	size_t room = ip_sink_room(s);
	u64 n = min_t(u64, s->f->chunk_pages,
		      (s->window_end - hva) >> PAGE_SHIFT);

	if (room <= PIP_SET_HVA_LEN)
		return 0;
	n = min_t(u64, n, room - PIP_SET_HVA_LEN);
	return min(n, limit);
}

/*
 * End of a chunk that starts at @start and may run @pages pages, but not
 * past @limit: where possible a 2 MiB boundary, so that a 2 MiB leaf is
 * walked and reported whole (a leaf split between chunks is reported in
 * 4 KiB records).
 */
static inline u64 ip_chunk_end(u64 start, u64 pages, u64 limit)
{
	u64 end = start + (pages << PAGE_SHIFT);
	u64 aligned = end & PMD_MASK;

	if (end >= limit)
		return limit;
	return aligned > start ? aligned : end;
}

s64 ip_sink_reserve(struct ip_sink *s, u64 hva);
/* One chunk's statistics added to those of the read. */
static inline void ip_stats_add(struct ptw_stats *read,
				const struct ptw_stats *chunk)
{
	read->pages_scanned += chunk->pages_scanned;
	read->pages_accessed += chunk->pages_accessed;
	read->page_sizes_seen |= chunk->page_sizes_seen;
}

/* A read's statistics into the file's: totals, and this read's sizes. */
static inline void ip_info_add(struct idle_pages_info *info,
			       const struct ptw_stats *read)
{
	info->pages_scanned += read->pages_scanned;
	info->pages_accessed += read->pages_accessed;
	info->page_sizes_seen = read->page_sizes_seen;
}

int ip_sink_emit(struct ip_sink *s, const struct ptw_runs *runs,
		 u64 hva_minus_addr);

/*
 * The backends: scan the window from *@pos, and leave *@pos where the
 * scan got: the window's end or earlier (the read is full), or, when
 * nothing is mapped from there to the window's end, the next mapped
 * address past it (TASK_SIZE_MAX if none), which the read reports with
 * a SET_HVA. An error after records were emitted still leaves *@pos
 * right behind them.
 */

/* VM backend (scan_vm.c) */
int ip_vm_attach(struct ip_file *f, struct task_struct *task);
int ip_vm_scan(struct ip_file *f, struct ip_sink *s, u64 *pos);
void ip_vm_flush_tlbs(struct ip_file *f);
void ip_vm_release(struct ip_file *f);

/* Native backend (scan_task.c) */
int ip_task_scan(struct ip_file *f, struct ip_sink *s, u64 *pos);

#endif /* IDLE_PAGES_INTERNAL_H */
