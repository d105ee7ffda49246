// SPDX-License-Identifier: GPL-2.0
/*
 * scan_vm.c - the VM backend: walks every distinct root of a KVM VM's
 * two-dimensional page tables (AMD NPT, Intel EPT) over the guest-physical
 * range behind each memslot, in host-virtual (HVA) order.
 *
 * Locking, outermost first, each held only for one bounded chunk:
 *  - kvm->srcu (read): keeps the memslots array stable while we use it.
 *    A memslot change during a scan waits for us (synchronize_srcu) only
 *    as long as one chunk; the next chunk sees the new memslots.
 *  - kvm->mmu_lock (read): excludes the writers that free shadow pages and
 *    vCPU roots under the write lock (kvm_mmu_free_roots, kvm_mmu_load).
 *  - RCU (read): the TDP MMU frees page-table pages and roots through
 *    call_rcu (tdp_mmu_free_sp_rcu_callback), also under the read lock;
 *    entries read in the RCU section stay valid memory. This is the TDP
 *    MMU's own rule for walking under the read lock (tdp_mmu.c).
 * Entries are read once (READ_ONCE) and changed only by cmpxchg of one
 * bit (the accessed bit) in the core, as the TDP MMU's atomic paths do,
 * so faults and zaps running under the read lock meanwhile stay correct.
 * Dirty bits are never cleared: dirty logging keeps working.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm_host.h>
#include <linux/fdtable.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/rcupdate.h>
#include <asm/processor.h>
#include "idle_pages_internal.h"

/* Roots per VM we follow: every vCPU's current and cached ones, deduped. */
#define IP_MAX_ROOTS	64

struct ip_vm_roots {
	u64 pa[IP_MAX_ROOTS];
	unsigned int nr;
};

static int ip_match_kvm(const void *p, struct file *file, unsigned int fd)
{
	struct kvm **kvm = (struct kvm **)p;

	if (!file_is_kvm(file))
		return 0;
	/* The open VM file holds a reference, so ours can't race teardown. */
	*kvm = file->private_data;
	kvm_get_kvm(*kvm);
	return 1;
}

/*
 * The VM a process owns: the first open "kvm-vm" file in its file table,
 * with a reference taken; NULL if it has none (then it is an ordinary
 * process), or an error if the VM can't be walked.
 */
struct kvm *ip_vm_find(struct task_struct *task)
{
	struct kvm *kvm = NULL;

	task_lock(task);
	if (task->files)
		iterate_fd(task->files, 0, ip_match_kvm, &kvm);
	task_unlock(task);
	if (!kvm)
		return NULL;
	/*
	 * Only the TDP MMU's roots map guest-physical addresses with the
	 * rules the core knows; the legacy shadow MMU is not supported.
	 */
	if (!kvm->arch.tdp_mmu_enabled) {
		kvm_put_kvm(kvm);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return kvm;
}

void ip_vm_release(struct ip_file *f)
{
	/* One TLB flush a round, so the next round sees fresh bits. */
	if (f->cleared)
		kvm_flush_remote_tlbs(f->kvm);
	f->cleared = false;
	kvm_put_kvm(f->kvm);
}

static enum ptw_backend ip_vm_backend(void)
{
	/* kvm_amd runs only on AMD and Hygon CPUs, kvm_intel on the rest. */
	if (boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	    boot_cpu_data.x86_vendor == X86_VENDOR_HYGON)
		return PTW_NPT;
	return PTW_EPT;
}

static void ip_add_root(struct ip_vm_roots *r, hpa_t hpa)
{
	unsigned int i;

	if (!VALID_PAGE(hpa) || r->nr == IP_MAX_ROOTS)
		return;
	for (i = 0; i < r->nr; i++)
		if (r->pa[i] == hpa)
			return;
	r->pa[r->nr++] = hpa;
}

/*
 * Every distinct root the vCPUs use or keep cached. Called under
 * mmu_lock (read) and RCU: the roots can't be freed until we leave.
 */
static void ip_collect_roots(struct kvm *kvm, struct ip_vm_roots *r,
			     int *levels, bool *ad_disabled)
{
	struct kvm_vcpu *vcpu;
	unsigned long i;
	int j;

	r->nr = 0;
	*levels = 4;
	*ad_disabled = false;
	kvm_for_each_vcpu(i, vcpu, kvm) {
		struct kvm_mmu *mmu = &vcpu->arch.root_mmu;
		hpa_t hpa = READ_ONCE(mmu->root.hpa);

		if (VALID_PAGE(hpa)) {
			*levels = mmu->root_role.level;
			*ad_disabled = mmu->root_role.ad_disabled;
		}
		ip_add_root(r, hpa);
		for (j = 0; j < KVM_MMU_NUM_PREV_ROOTS; j++)
			ip_add_root(r, READ_ONCE(mmu->prev_roots[j].hpa));
	}
}

/* The memslot with the lowest HVA range ending above @hva, if any. */
static struct kvm_memory_slot *ip_next_slot(struct kvm_memslots *slots,
					    u64 hva)
{
	struct kvm_memory_slot *slot, *best = NULL;
	int bkt;

	kvm_for_each_memslot(slot, bkt, slots) {
		u64 end = slot->userspace_addr + (slot->npages << PAGE_SHIFT);

		if (end <= hva)
			continue;
		if (!best || slot->userspace_addr < best->userspace_addr)
			best = slot;
	}
	return best;
}

static u64 ip_chunk_pages(struct ip_sink *s, u64 slot_pages_left)
{
	u64 n = min_t(u64, s->f->chunk_pages, s->pages_left);
	size_t room = ip_sink_room(s);

	n = min(n, slot_pages_left);
	/* Worst case a record byte a page, plus a SET_HVA. */
	if (room <= PIP_SET_HVA_LEN)
		return 0;
	return min_t(u64, n, room - PIP_SET_HVA_LEN);
}

/*
 * Walks [gpa, gpa_end) of every root under the locks, merging the roots'
 * runs into f->runs. Returns the GPA reached (less than gpa_end only if a
 * run buffer filled up).
 */
static u64 ip_walk_chunk(struct ip_file *f, u64 gpa, u64 gpa_end,
			 struct ptw_stats *st, u64 *hold_ns)
{
	struct ip_vm_roots roots;
	struct ptw_tree tree = { .backend = ip_vm_backend() };
	struct ptw_stats root_st;
	u64 reached = gpa_end, t0;
	unsigned int i;
	int levels;
	bool ad_off;

	f->runs.nr = 0;
	read_lock(&f->kvm->mmu_lock);
	rcu_read_lock();
	t0 = ktime_get_ns();
	ip_collect_roots(f->kvm, &roots, &levels, &ad_off);
	tree.levels = levels;
	tree.ad_disabled = ad_off;
	for (i = 0; i < roots.nr; i++) {
		struct ptw_runs *out = i ? &f->root_runs : &f->runs;

		tree.root_pa = roots.pa[i];
		out->nr = 0;
		memset(&root_st, 0, sizeof(root_st));
		/* Later roots walk only as far as the first one got. */
		reached = ptw_walk(&tree, gpa, reached, f->scan_flags, out,
				   &root_st, f);
		if (i)
			ptw_runs_merge(&f->runs, &f->root_runs, &f->tmp_runs);
		st->pages_accessed += root_st.pages_accessed;
		st->page_sizes_seen |= root_st.page_sizes_seen;
		if (!i)
			st->pages_scanned += root_st.pages_scanned;
	}
	*hold_ns = ktime_get_ns() - t0;
	rcu_read_unlock();
	read_unlock(&f->kvm->mmu_lock);

	f->info.nr_roots = roots.nr;
	f->info.root_levels = levels;
	f->info.ad_disabled = ad_off;
	if (!roots.nr) {
		/* No vCPU has a root yet: nothing is mapped. */
		f->runs.run[0] = (struct ptw_run){ .start = gpa,
			.npages = (gpa_end - gpa) >> PAGE_SHIFT,
			.state = PTW_HOLE, .level = PTW_4K };
		f->runs.nr = 1;
		reached = gpa_end;
	}
	return reached;
}

int ip_vm_scan(struct ip_file *f, struct ip_sink *s, u64 *pos)
{
	struct kvm *kvm = f->kvm;
	struct kvm_memslots *slots;
	struct kvm_memory_slot *slot;
	struct ptw_stats st = {};
	u64 hva = *pos, hold;
	int idx, bkt, ret = 0;

	/* The VM's process has exited: its memory is gone. */
	if (!mmget_not_zero(kvm->mm))
		return -ESRCH;
	f->info.backend = ip_vm_backend() == PTW_NPT ?
		IDLE_PAGES_BACKEND_NPT : IDLE_PAGES_BACKEND_EPT;
	while (s->pages_left) {
		u64 slot_hva, slot_end, gpa, gpa_end, n, reached, hva_minus_gpa;

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		idx = srcu_read_lock(&kvm->srcu);
		slots = kvm_memslots(kvm);
		f->info.nr_memslots = 0;
		kvm_for_each_memslot(slot, bkt, slots)
			f->info.nr_memslots++;
		slot = ip_next_slot(slots, hva);
		if (!slot) {
			srcu_read_unlock(&kvm->srcu, idx);
			hva = TASK_SIZE_MAX;
			break;
		}
		slot_hva = slot->userspace_addr;
		slot_end = slot_hva + (slot->npages << PAGE_SHIFT);
		hva = max(hva, slot_hva);
		n = ip_chunk_pages(s, (slot_end - hva) >> PAGE_SHIFT);
		if (!n) {
			srcu_read_unlock(&kvm->srcu, idx);
			break;
		}
		hva_minus_gpa = slot_hva - ((u64)slot->base_gfn << PAGE_SHIFT);
		gpa = hva - hva_minus_gpa;
		gpa_end = ip_chunk_end(gpa, n, slot_end - hva_minus_gpa);
		reached = ip_walk_chunk(f, gpa, gpa_end, &st, &hold);
		srcu_read_unlock(&kvm->srcu, idx);

		f->info.max_lock_hold_ns = max(f->info.max_lock_hold_ns, hold);
		ret = ip_sink_emit(s, &f->runs, hva_minus_gpa);
		if (ret)
			break;
		s->pages_left -= (reached - gpa) >> PAGE_SHIFT;
		hva += reached - gpa;
		cond_resched();
	}
	mmput(kvm->mm);
	f->info.pages_scanned += st.pages_scanned;
	f->info.pages_accessed += st.pages_accessed;
	f->info.page_sizes_seen = st.page_sizes_seen;
	*pos = hva;
	return ret;
}
