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

/* One open /proc/idle_pages file: one scan round of one target. */
struct ip_file {
	struct mutex lock;	/* serialises ioctl and read on this file */
	unsigned int chunk_pages;	/* pages per lock hold */
	unsigned int scan_flags;	/* PTW_* from open flags and format */
	u32 format;		/* IDLE_PAGES_FORMAT_* */
	pid_t pid;
	struct kvm *kvm;	/* VM mode: a reference (kvm_get_kvm) */
	struct mm_struct *mm;	/* native mode: a reference (mmgrab) */
	bool cleared;		/* accessed bits cleared: flush at close */
	struct idle_pages_info info;
	/* Scratch for one chunk: runs of each root and their merge. */
	struct ptw_runs runs, root_runs, tmp_runs;
	u8 *kbuf;		/* a chunk's records, for copy_to_user */
};

/* The sink a backend's scan feeds: encodes and copies to user space. */
struct ip_sink {
	struct ip_file *f;
	struct ptw_enc enc;
	char __user *ubuf;
	size_t count;		/* bytes the caller asked for */
	size_t copied;		/* bytes copied to ubuf so far */
	u64 pages_left;		/* scan budget: count * 8 pages */
};

/* Record bytes the sink can still take (keeping the pending record). */
static inline size_t ip_sink_room(const struct ip_sink *s)
{
	return s->count - s->copied - s->enc.len - 1;
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

int ip_sink_emit(struct ip_sink *s, const struct ptw_runs *runs,
		 u64 hva_minus_addr);

/* VM backend (scan_vm.c) */
struct kvm *ip_vm_find(struct task_struct *task);
int ip_vm_scan(struct ip_file *f, struct ip_sink *s, u64 *pos);
void ip_vm_release(struct ip_file *f);

/* Native backend (scan_task.c) */
int ip_task_scan(struct ip_file *f, struct ip_sink *s, u64 *pos);
void ip_task_page_accessed(u64 pfn);

#endif /* IDLE_PAGES_INTERNAL_H */
