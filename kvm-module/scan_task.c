// SPDX-License-Identifier: GPL-2.0
/*
 * scan_task.c - the native backend: walks an ordinary process's own x86
 * page tables over the parts of [pos, ...) that its VMAs cover.
 *
 * Locking: mm->mmap_lock (read), held for one bounded chunk at a time.
 * Page-table pages below a VMA are freed only with the lock held for
 * write (munmap detaches VMAs before it downgrades, khugepaged collapses
 * and retracts tables under the write lock), so walking only ranges that
 * a VMA covers, found under our read lock, never meets a freed table.
 * Entries change under us (faults, zaps, THP splits under the PMD lock):
 * the core reads each once and clears an accessed bit only by cmpxchg, as
 * ptep_test_and_clear_young does atomically. No TLB flush: as x86's own
 * ptep_clear_flush_young argues, a stale TLB entry only delays the next
 * accessed bit, it never loses data.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/sched/mm.h>
#include <asm/pgtable.h>
#include "idle_pages_internal.h"

/* Keep a page found accessed referenced for the host's reclaim. */
void ip_task_page_accessed(u64 pfn)
{
	struct page *page;

	if (!pfn_valid(pfn))
		return;
	page = pfn_to_page(pfn);
	/* It may be unmapped and freed meanwhile: only touch it if alive. */
	if (!get_page_unless_zero(page))
		return;
	mark_page_accessed(page);
	put_page(page);
}

/* VMAs whose pages are not ordinary memory are skipped like holes. */
static bool ip_vma_scannable(struct vm_area_struct *vma)
{
	return !(vma->vm_flags & (VM_PFNMAP | VM_IO | VM_MIXEDMAP));
}

int ip_task_scan(struct ip_file *f, struct ip_sink *s, u64 *pos)
{
	struct mm_struct *mm = f->mm;
	struct ptw_tree tree = {
		.backend = PTW_NATIVE,
		.levels = pgtable_l5_enabled() ? 5 : 4,
	};
	struct ptw_stats st = {};
	u64 addr = *pos;
	int ret = 0;

	if (!mmget_not_zero(mm))
		return -ESRCH;
	tree.root_pa = __pa(mm->pgd);
	while (s->pages_left) {
		struct vm_area_struct *vma;
		u64 start, end, n, reached, t0, hold;
		size_t room = ip_sink_room(s);

		if (room <= PIP_SET_HVA_LEN)
			break;
		if (mmap_read_lock_killable(mm)) {
			ret = -EINTR;
			break;
		}
		vma = find_vma(mm, addr);
		while (vma && !ip_vma_scannable(vma))
			vma = find_vma(mm, vma->vm_end);
		if (!vma) {
			mmap_read_unlock(mm);
			addr = TASK_SIZE_MAX;
			break;
		}
		start = max_t(u64, addr, vma->vm_start);
		n = min_t(u64, f->chunk_pages, s->pages_left);
		n = min_t(u64, n, room - PIP_SET_HVA_LEN);
		end = ip_chunk_end(start, n, vma->vm_end);
		f->runs.nr = 0;
		t0 = ktime_get_ns();
		reached = ptw_walk(&tree, start, end, f->scan_flags, &f->runs,
				   &st, f);
		hold = ktime_get_ns() - t0;
		mmap_read_unlock(mm);

		f->info.max_lock_hold_ns = max(f->info.max_lock_hold_ns, hold);
		ret = ip_sink_emit(s, &f->runs, 0);
		if (ret)
			break;
		s->pages_left -= (reached - start) >> PAGE_SHIFT;
		addr = reached;
		cond_resched();
	}
	mmput(mm);
	f->info.pages_scanned += st.pages_scanned;
	f->info.pages_accessed += st.pages_accessed;
	f->info.page_sizes_seen = st.page_sizes_seen;
	*pos = addr;
	return ret;
}
