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
#include <linux/module.h>
#include <linux/smp.h>
#include <uapi/linux/magic.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/rcupdate.h>
#include <asm/processor.h>
#include "idle_pages_internal.h"

/*
 * A VM's file. Where KVM exports file_is_kvm() to every module (6.1 to
 * 6.x), that says it. 7.x exports it to kvm-amd and kvm-intel only (Kbuild
 * tells from Module.symvers), so there the file is recognised by what every
 * module may look at: KVM makes it with anon_inode_getfile("kvm-vm",
 * &kvm_vm_fops, kvm, ...), and kvm_init() sets kvm_vm_fops.owner to the
 * vendor module that called it (since 6.3; 6.1 left it NULL). An
 * anonymous inode named "kvm-vm" whose operations kvm_amd or kvm_intel
 * own can only come from those modules' code, and its private_data is
 * then the struct kvm.
 */
static bool ip_file_is_vm(struct file *file)
{
#ifdef IP_HAVE_FILE_IS_KVM
	return file_is_kvm(file);
#else
	struct module *owner = file->f_op ? file->f_op->owner : NULL;

	if (!owner || file_inode(file)->i_sb->s_magic != ANON_INODE_FS_MAGIC)
		return false;
	if (strcmp(file->f_path.dentry->d_name.name, "kvm-vm"))
		return false;
	return !strcmp(module_name(owner), "kvm_amd") ||
	       !strcmp(module_name(owner), "kvm_intel");
#endif
}

static int ip_match_kvm(const void *p, struct file *file, unsigned int fd)
{
	struct kvm **kvm = (struct kvm **)p;

	if (!ip_file_is_vm(file))
		return 0;
	/* The open VM file holds a reference, so ours can't race teardown. */
	*kvm = file->private_data;
	kvm_get_kvm(*kvm);
	return 1;
}

static enum ptw_backend ip_vm_backend(void)
{
	/* kvm_amd runs only on AMD and Hygon CPUs, kvm_intel on the rest. */
	if (boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	    boot_cpu_data.x86_vendor == X86_VENDOR_HYGON)
		return PTW_NPT;
	return PTW_EPT;
}

/*
 * If @task owns a VM (the first open "kvm-vm" file in its file table),
 * makes it the file's target and returns 0; 1 if it owns none (an
 * ordinary process); an error if the VM can't be walked.
 */
int ip_vm_attach(struct ip_file *f, struct task_struct *task)
{
	struct kvm *kvm = NULL;

	task_lock(task);
	if (task->files)
		iterate_fd(task->files, 0, ip_match_kvm, &kvm);
	task_unlock(task);
	if (!kvm)
		return 1;
	/*
	 * Only the TDP MMU's roots map guest-physical addresses with the
	 * rules the core knows. KVM initialises kvm->arch.tdp_mmu_roots
	 * (kvm_mmu_init_tdp_mmu) only for a VM that uses it; under the legacy
	 * shadow MMU (kvm.tdp_mmu=N) the list stays as zeroed memory. This
	 * holds on 6.1 to 7.x; 6.1's kvm->arch.tdp_mmu_enabled is gone in 6.3.
	 */
	if (!READ_ONCE(kvm->arch.tdp_mmu_roots.next)) {
		pr_warn_ratelimited("VM of pid %d: KVM runs the legacy shadow MMU (kvm.tdp_mmu=N), which this module cannot walk; refused\n",
				    task_pid_nr(task));
		kvm_put_kvm(kvm);
		return -EOPNOTSUPP;
	}
	f->kvm = kvm;
	f->info.backend = ip_vm_backend() == PTW_NPT ?
		IDLE_PAGES_BACKEND_NPT : IDLE_PAGES_BACKEND_EPT;
	return 0;
}

static void ip_ack_kick(void *unused)
{
}

/*
 * The flush that ends a round, so the next round sees fresh bits: what
 * kvm_flush_remote_tlbs() does on a host without Hyper-V's flush
 * hypercall, made of the parts kvm_host.h gives every module, because 7.x
 * exports that function (and kvm_make_all_cpus_request, kvm_vcpu_kick) to
 * kvm-amd and kvm-intel only. Every vCPU gets KVM_REQ_TLB_FLUSH, which
 * it serves before it enters the guest again; as for any request with
 * KVM_REQUEST_WAIT, a vCPU that is in guest mode or reading SPTEs
 * locklessly is sent an IPI and waited for. The request's bit is set
 * (with its barrier) before the vCPU's mode is read, pairing with the
 * barrier after vcpu_enter_guest() sets IN_GUEST_MODE.
 */
void ip_vm_flush_tlbs(struct ip_file *f)
{
	struct kvm_vcpu *vcpu;
	cpumask_var_t cpus;
	unsigned long i;
	bool all;
	int me;

	/* Without memory for the mask, kick every other CPU: the same wait. */
	all = !zalloc_cpumask_var(&cpus, GFP_KERNEL);
	me = get_cpu();
	kvm_for_each_vcpu(i, vcpu, f->kvm) {
		int cpu;

		kvm_make_request(KVM_REQ_TLB_FLUSH, vcpu);
		if (kvm_vcpu_exiting_guest_mode(vcpu) == OUTSIDE_GUEST_MODE)
			continue;
		cpu = READ_ONCE(vcpu->cpu);
		if (!all && cpu != -1 && cpu != me)
			__cpumask_set_cpu(cpu, cpus);
	}
	smp_call_function_many(all ? cpu_online_mask : cpus, ip_ack_kick,
			       NULL, true);
	put_cpu();
	if (!all)
		free_cpumask_var(cpus);
}

void ip_vm_release(struct ip_file *f)
{
	kvm_put_kvm(f->kvm);
}

/*
 * Roots are shared by the vCPUs of one role, so a VM has a few; past
 * PTW_MAX_ROOTS distinct ones the rest are not followed.
 */
static int ip_add_root(struct ptw_roots *r, hpa_t hpa, int level)
{
	int err = ptw_roots_add(r, hpa, level);

	return err == -ENOSPC ? 0 : err;
}

/*
 * Every distinct root the vCPUs use or keep cached, each with its own
 * level: a vCPU's root_role.level is fixed once it has run (its CPUID,
 * and so its MAXPHYADDR, can't change after KVM_RUN), and its cached
 * roots were made for the same role. Called under mmu_lock (read) and
 * RCU: the roots can't be freed until we leave. -EINVAL if one root is
 * claimed with two levels.
 */
static int ip_collect_roots(struct kvm *kvm, struct ptw_roots *r,
			    int *levels, bool *ad_disabled)
{
	struct kvm_vcpu *vcpu;
	unsigned long i;
	int j, err = 0;

	r->nr = 0;
	*levels = 0;
	*ad_disabled = false;
	kvm_for_each_vcpu(i, vcpu, kvm) {
		struct kvm_mmu *mmu = &vcpu->arch.root_mmu;
		int level = mmu->root_role.level;
		hpa_t hpa = READ_ONCE(mmu->root.hpa);

		if (VALID_PAGE(hpa)) {
			*levels = max(*levels, level);
			*ad_disabled = mmu->root_role.ad_disabled;
			err = err ?: ip_add_root(r, hpa, level);
		}
		for (j = 0; j < KVM_MMU_NUM_PREV_ROOTS; j++) {
			hpa = READ_ONCE(mmu->prev_roots[j].hpa);
			if (VALID_PAGE(hpa))
				err = err ?: ip_add_root(r, hpa, level);
		}
	}
	return err;
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

/*
 * Walks [gpa, gpa_end) of every root under the locks, merging the roots'
 * runs into f->bufs.out. Returns the GPA reached, or an error: a root
 * claimed with two levels, or a walk that made no progress (a root the
 * core can't walk), which would otherwise loop.
 */
static s64 ip_walk_chunk(struct ip_file *f, u64 gpa, u64 gpa_end,
			 struct ptw_stats *st, u64 *hold_ns)
{
	struct ptw_roots roots;
	struct ptw_stats chunk;
	u64 reached, t0;
	int levels, err;
	bool ad_off;

	read_lock(&f->kvm->mmu_lock);
	rcu_read_lock();
	t0 = ktime_get_ns();
	err = ip_collect_roots(f->kvm, &roots, &levels, &ad_off);
	if (!err)
		reached = ptw_walk_roots(&roots, ip_vm_backend(), gpa, gpa_end,
					 f->scan_flags, &f->bufs, &chunk, f);
	*hold_ns = ktime_get_ns() - t0;
	rcu_read_unlock();
	read_unlock(&f->kvm->mmu_lock);

	if (err) {
		pr_warn_ratelimited("VM of pid %d: a root has two levels; not scanned\n",
				    f->pid);
		return err;
	}
	if (reached <= gpa) {
		pr_warn_ratelimited("VM of pid %d: a root of %d levels can't be walked\n",
				    f->pid, levels);
		return -EIO;
	}
	f->info.nr_roots = roots.nr;
	if (levels)
		f->info.root_levels = levels;
	f->info.ad_disabled = ad_off;
	if (chunk.bits_cleared)
		f->cleared = true;
	ip_stats_add(st, &chunk);
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
	while (hva < s->window_end) {
		u64 slot_hva, slot_end, gpa, gpa_end, n, hva_minus_gpa;
		s64 reserved, reached;

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		/* Before any lock: see ip_sink_reserve(). */
		reserved = ip_sink_reserve(s, hva);
		if (reserved <= 0) {
			ret = reserved;
			break;
		}
		idx = srcu_read_lock(&kvm->srcu);
		slots = kvm_memslots(kvm);
		f->info.nr_memslots = 0;
		kvm_for_each_memslot(slot, bkt, slots)
			f->info.nr_memslots++;
		slot = ip_next_slot(slots, hva);
		if (!slot || slot->userspace_addr >= s->window_end) {
			/* Nothing mapped up to the window's end: skip. */
			hva = slot ? slot->userspace_addr : TASK_SIZE_MAX;
			srcu_read_unlock(&kvm->srcu, idx);
			break;
		}
		slot_hva = slot->userspace_addr;
		slot_end = slot_hva + (slot->npages << PAGE_SHIFT);
		/* A jump within the window is a SET_HVA in the stream. */
		hva = max(hva, slot_hva);
		/* No more than reserved: the window from @hva is shorter. */
		n = ip_sink_chunk_pages(s, hva, min_t(u64, reserved,
				(slot_end - hva) >> PAGE_SHIFT));
		hva_minus_gpa = slot_hva - ((u64)slot->base_gfn << PAGE_SHIFT);
		gpa = hva - hva_minus_gpa;
		gpa_end = ip_chunk_end(gpa, n, slot_end - hva_minus_gpa);
		reached = ip_walk_chunk(f, gpa, gpa_end, &st, &hold);
		srcu_read_unlock(&kvm->srcu, idx);
		if (reached < 0) {
			ret = reached;
			break;
		}

		f->info.max_lock_hold_ns = max(f->info.max_lock_hold_ns, hold);
		ret = ip_sink_emit(s, &f->bufs.out, hva_minus_gpa);
		if (ret)
			break;
		hva += reached - gpa;
		cond_resched();
	}
	mmput(kvm->mm);
	ip_info_add(&f->info, &st);
	*pos = hva;
	return ret;
}
