// SPDX-License-Identifier: GPL-2.0
/*
 * scan_task.c - the native backend: walks an ordinary process's own x86
 * page tables over the parts of [pos, ...) that its VMAs cover.
 *
 * Locking: mm->mmap_lock (read), held for one bounded chunk at a time,
 * and RCU (read) around the walk. On 6.1 page-table pages below a VMA
 * are freed only with the lock held for write (munmap detaches VMAs
 * before it downgrades, khugepaged collapses and retracts tables under
 * the write lock); since 6.5 PTE tables may also be freed under the read
 * lock, but only after an RCU grace period. So walking only ranges that
 * a VMA covers, found under our read lock, inside an RCU read section,
 * never meets a freed table. Hugetlb VMAs are skipped (see
 * ip_vma_scannable()).
 * Entries change under us (faults, zaps, THP splits under the PMD lock):
 * the core reads each once and clears an accessed bit only by cmpxchg, as
 * ptep_test_and_clear_young does atomically. No TLB flush: as x86's own
 * ptep_clear_flush_young argues, a stale TLB entry only delays the next
 * accessed bit, it never loses data.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <asm/pgtable.h>
#include "idle_pages_internal.h"

/*
 * VMAs whose pages are not ordinary memory are skipped like holes, and
 * so are hugetlb VMAs: their shared PMD tables can be unshared and freed
 * under the hugetlb VMA lock alone (huge_pmd_unshare()), which a module
 * can't take, so the mmap lock does not keep them.
 */
static bool ip_vma_scannable(struct vm_area_struct *vma)
{
	return !(vma->vm_flags & (VM_PFNMAP | VM_IO | VM_MIXEDMAP |
				  VM_HUGETLB));
}

int ip_task_scan(struct ip_file *f, struct ip_sink *s, u64 *pos)
{
	struct mm_struct *mm = f->mm;
	struct ptw_tree tree = {
		.backend = PTW_NATIVE,
		.levels = pgtable_l5_enabled() ? 5 : 4,
	};
	struct ptw_stats st = {}, chunk;
	u64 addr = *pos;
	int ret = 0;

	if (!mmget_not_zero(mm))
		return -ESRCH;
	tree.root_pa = __pa(mm->pgd);
	while (addr < s->window_end) {
		struct vm_area_struct *vma;
		u64 start, end, n, reached, t0, hold;
		s64 reserved;

		/* Before the mmap lock: see ip_sink_reserve(). */
		reserved = ip_sink_reserve(s, addr);
		if (reserved <= 0) {
			ret = reserved;
			break;
		}
		if (mmap_read_lock_killable(mm)) {
			ret = -EINTR;
			break;
		}
		vma = find_vma(mm, addr);
		while (vma && !ip_vma_scannable(vma))
			vma = find_vma(mm, vma->vm_end);
		if (!vma || vma->vm_start >= s->window_end) {
			/* Nothing to scan up to the window's end: skip. */
			addr = vma ? vma->vm_start : TASK_SIZE_MAX;
			mmap_read_unlock(mm);
			break;
		}
		/* A jump within the window is a SET_HVA in the stream. */
		start = max_t(u64, addr, vma->vm_start);
		/* No more than reserved: the window from @start is shorter. */
		n = ip_sink_chunk_pages(s, start, reserved);
		end = ip_chunk_end(start, n, vma->vm_end);
		f->bufs.out.nr = 0;
		/*
		 * Since 6.5 PTE tables can be freed under the mmap read lock
		 * (pte_free_defer(), and since 6.14 empty ones on
		 * MADV_DONTNEED), through RCU: inside an RCU read section a
		 * table the walk reached stays valid memory, as for the
		 * kernel's own lockless walkers. Each entry is read once and
		 * changed only by cmpxchg, so a table being replaced is
		 * harmless.
		 */
		rcu_read_lock();
		t0 = ktime_get_ns();
		reached = ptw_walk(&tree, start, end, f->scan_flags,
				   &f->bufs.out, &chunk, f);
		hold = ktime_get_ns() - t0;
		rcu_read_unlock();
		mmap_read_unlock(mm);

		ip_stats_add(&st, &chunk);
		f->info.max_lock_hold_ns = max(f->info.max_lock_hold_ns, hold);
		ret = ip_sink_emit(s, &f->bufs.out, 0);
		if (ret)
			break;
		addr = reached;
		cond_resched();
	}
	mmput(mm);
	ip_info_add(&f->info, &st);
	*pos = addr;
	return ret;
}
