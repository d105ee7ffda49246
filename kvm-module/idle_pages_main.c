// SPDX-License-Identifier: GPL-2.0
/*
 * idle_pages_main.c - /proc/idle_pages: the file interface of
 * include/idle_pages.md. One open file scans one target in rounds:
 * open, IDLE_PAGE_SET_PID, lseek/read the HVA ranges, (seek back for
 * the next round), close.
 *
 * Locking: ip_file.lock (a mutex) serialises the ioctls and reads of one
 * open file; it is taken before, never under, the backends' locks
 * (kvm->srcu, kvm->mmu_lock, mm->mmap_lock, RCU). Different open files
 * share nothing, so concurrent readers of one VM only meet in KVM's own
 * locks, which the backends take for bounded chunks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/pagemap.h>
#include <linux/swap.h>
#include <linux/memremap.h>
#include <linux/kvm_host.h>
#include "idle_pages_internal.h"

static struct proc_dir_entry *ip_proc;

static unsigned int chunk_pages = 4096;
module_param(chunk_pages, uint, 0644);
MODULE_PARM_DESC(chunk_pages,
		 "Pages walked per hold of mmu_lock or mmap_lock (512-65536, default 4096): bounds how long a scan stalls vCPU faults");

static unsigned int ip_flags_from_open(unsigned int f_flags)
{
	unsigned int flags = 0;

	if (f_flags & IDLE_PAGES_HUGE_ONLY_FLAG)
		flags |= PTW_HUGE_ONLY;
	if (f_flags & IDLE_PAGES_SKIM_FLAG)
		flags |= PTW_SKIM;
	if (f_flags & IDLE_PAGES_DIRTY_FLAG)
		flags |= PTW_DIRTY;
	return flags;
}

static void ip_free_bufs(struct ip_file *f)
{
	kvfree(f->bufs.out.run);
	kvfree(f->bufs.one.run);
	kvfree(f->bufs.tmp.run);
	kvfree(f->kbuf);
}

static int ip_alloc_runs(struct ptw_runs *r, unsigned int max)
{
	r->run = kvmalloc_array(max, sizeof(*r->run), GFP_KERNEL_ACCOUNT);
	r->nr = 0;
	r->max = max;
	return r->run ? 0 : -ENOMEM;
}

/*
 * The scratch of a chunk, once the caller may scan something: charged
 * to its memory cgroup, so many open files cost their opener, not the
 * host.
 */
static int ip_alloc_bufs(struct ip_file *f)
{
	if (f->kbuf)
		return 0;
	f->kbuf = kvmalloc(IP_CHUNK_BYTES(f->chunk_pages), GFP_KERNEL_ACCOUNT);
	/* Merging two roots' runs needs room for both in tmp. */
	if (!f->kbuf || ip_alloc_runs(&f->bufs.out, f->chunk_pages) ||
	    ip_alloc_runs(&f->bufs.one, f->chunk_pages) ||
	    ip_alloc_runs(&f->bufs.tmp, 2 * f->chunk_pages)) {
		ip_free_bufs(f);
		memset(&f->bufs, 0, sizeof(f->bufs));
		f->kbuf = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int ip_open(struct inode *inode, struct file *file)
{
	struct ip_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	f->scan_flags = ip_flags_from_open(file->f_flags);
	f->info.version = IDLE_PAGES_INFO_VERSION;
	f->info.size = sizeof(f->info);
	f->info.flags_honoured = IDLE_PAGES_HONOURS_HUGE_ONLY |
		IDLE_PAGES_HONOURS_SKIM | IDLE_PAGES_HONOURS_DIRTY |
		IDLE_PAGES_HONOURS_EXT_FORMAT;
	f->chunk_pages = clamp_t(unsigned int, READ_ONCE(chunk_pages),
				 IP_CHUNK_PAGES_MIN, IP_CHUNK_PAGES_MAX);
	file->private_data = f;
	return 0;
}

/* Ends the round: one TLB flush if it cleared accessed bits. */
static void ip_end_round(struct ip_file *f)
{
	if (f->cleared && f->kvm) {
		ip_vm_flush_tlbs(f);
		f->info.tlb_flushes++;
	}
	f->cleared = false;
	f->round_pos = 0;
}

static void ip_drop_target(struct ip_file *f)
{
	ip_end_round(f);
	if (f->kvm)
		ip_vm_release(f);
	if (f->mm)
		mmdrop(f->mm);
	f->kvm = NULL;
	f->mm = NULL;
	f->pid = 0;
	f->info.backend = IDLE_PAGES_BACKEND_NONE;
}

static int ip_release(struct inode *inode, struct file *file)
{
	struct ip_file *f = file->private_data;

	ip_drop_target(f);
	ip_free_bufs(f);
	kfree(f);
	return 0;
}

/*
 * The access rule. /proc/PID/pagemap asks for ptrace read access to the
 * target with the opener's credentials (mm_access() with
 * PTRACE_MODE_READ_FSCREDS), but neither ptrace_may_access() nor
 * mm_access() is exported to modules, and asking procfs by path is
 * fooled by any mount or pid namespace the caller can make. So the rule
 * is stricter and needs no lookup: the file's opener (f_cred, as for
 * pagemap) had CAP_SYS_PTRACE or CAP_SYS_ADMIN in the initial user
 * namespace, or the target is the caller's own process. Neither depends
 * on the target's credentials, so a target that execs a setuid program
 * meanwhile can't turn a refusal into access; and the caller's own
 * process can't exec while the caller is in this ioctl (de_thread()
 * waits for every other thread to exit first).
 */
static bool ip_may_scan(struct file *file, struct task_struct *task)
{
	if (same_thread_group(task, current))
		return true;
	return file_ns_capable(file, &init_user_ns, CAP_SYS_PTRACE) ||
	       file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);
}

/* Picks the target; see ip_may_scan() for who may. */
static int ip_set_pid(struct file *file, struct ip_file *f, pid_t nr)
{
	struct task_struct *task;
	struct pid *pid;
	int ret;

	if (nr <= 0)
		return -ESRCH;
	pid = find_get_pid(nr);
	if (!pid)
		return -ESRCH;
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	if (!task)
		return -ESRCH;
	if (!ip_may_scan(file, task)) {
		ret = -EACCES;
		goto out;
	}
	ret = ip_alloc_bufs(f);
	if (ret)
		goto out;
	ip_drop_target(f);
	ret = ip_vm_attach(f, task);
	if (ret < 0)
		goto out;
	if (ret) {
		ret = 0;
		f->mm = get_task_mm(task);
		if (!f->mm) {
			/* A kernel thread, or a process that is exiting. */
			ret = -ESRCH;
			goto out;
		}
		/*
		 * Keep only the mm_struct, not the address space: a target
		 * that exits frees its memory, and our reads say -ESRCH.
		 */
		mmgrab(f->mm);
		mmput(f->mm);
		f->info.backend = IDLE_PAGES_BACKEND_NATIVE;
		f->info.root_levels = pgtable_l5_enabled() ? 5 : 4;
		f->info.nr_roots = 1;
		f->info.nr_memslots = 0;
		f->info.ad_disabled = 0;
	}
	f->pid = nr;
	f->info.pid = nr;
out:
	put_task_struct(task);
	return ret;
}

static long ip_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ip_file *f = file->private_data;
	struct idle_pages_info info;
	u32 size;
	long ret = 0;

	/*
	 * GET_INFO's number holds the size of the caller's struct, which
	 * grows at its end: a caller built with an older, shorter one gets
	 * its prefix (the size field says how much).
	 */
	if (_IOC_TYPE(cmd) == _IOC_TYPE(IDLE_PAGE_GET_INFO) &&
	    _IOC_NR(cmd) == _IOC_NR(IDLE_PAGE_GET_INFO) &&
	    _IOC_DIR(cmd) == _IOC_DIR(IDLE_PAGE_GET_INFO))
		cmd = IDLE_PAGE_GET_INFO;
	mutex_lock(&f->lock);
	switch (cmd) {
	case IDLE_PAGE_SET_PID:
		/* A value that is no pid_t names no process (not its low bits). */
		if ((long)arg != (pid_t)arg)
			ret = -ESRCH;
		else
			ret = ip_set_pid(file, f, (pid_t)arg);
		break;
	case IDLE_PAGE_SET_FORMAT:
		if (arg != IDLE_PAGES_FORMAT_COMPAT &&
		    arg != IDLE_PAGES_FORMAT_EXT) {
			ret = -EINVAL;
			break;
		}
		f->format = arg;
		f->info.format = arg;
		if (arg == IDLE_PAGES_FORMAT_EXT)
			f->scan_flags |= PTW_EXT;
		else
			f->scan_flags &= ~PTW_EXT;
		break;
	case IDLE_PAGE_GET_INFO:
		if (get_user(size, (u32 __user *)arg)) {
			ret = -EFAULT;
			break;
		}
		/* Shorter structs get a prefix; longer ones ours. */
		if (size < offsetofend(struct idle_pages_info, version)) {
			ret = -EINVAL;
			break;
		}
		info = f->info;
		info.size = sizeof(info);
		if (copy_to_user((void __user *)arg, &info,
				 min_t(u32, size, sizeof(info))))
			ret = -EFAULT;
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&f->lock);
	return ret;
}

/*
 * Called by the core for each leaf found accessed: the host's reclaim
 * must still see the page as used. Reclaim asks the young bits (the
 * process's PTEs, KVM's SPTEs through the MMU notifier), and we just
 * cleared one; PG_referenced alone does not keep an anonymous page
 * (folio_check_references() in mm/vmscan.c). So the folio is marked
 * accessed twice, which activates it, as two references would: it
 * leaves the inactive list that reclaim takes from. The folio, since a
 * tail page of a large folio has no LRU state of its own.
 */
void ptw_env_accessed(void *ctx, u64 pfn, int level)
{
	struct folio *folio;
	struct page *page;

	if (!pfn_valid(pfn))
		return;
	page = pfn_to_page(pfn);
	if (PageReserved(page) || is_zone_device_page(page))
		return;
	folio = page_folio(page);
	/* It may be unmapped and freed meanwhile: only touch it if alive. */
	if (!folio_try_get(folio))
		return;
	/* ... and still the folio of that page (not split or reused). */
	if (folio == page_folio(page)) {
		folio_mark_accessed(folio);
		if (!folio_test_active(folio))
			folio_mark_accessed(folio);
	}
	folio_put(folio);
}

/*
 * Called by the core before it marks a writable EPT entry (A/D bits off)
 * for access tracking, which drops its W bit. Up to 6.12, KVM's own aging
 * records the page dirty first (age_gfn_range in tdp_mmu.c calls
 * kvm_set_pfn_dirty), so a write is not lost. From 6.13 on KVM marks a
 * page dirty when it maps it writable, its aging no longer does, and
 * kvm_set_pfn_dirty is gone (Kbuild tells which): nothing to do, as for
 * KVM.
 */
void ptw_env_dirty(void *ctx, u64 pfn, int level)
{
#ifdef IP_HAVE_KVM_SET_PFN_DIRTY
	struct ip_file *f = ctx;

	if (f->kvm)
		kvm_set_pfn_dirty(pfn);
#endif
}

/*
 * Before the next chunk at @hva is walked (and its accessed bits
 * cleared), the user buffer its records will go to must be writable:
 * otherwise a bad buffer would lose what the walk found. Returns the
 * pages that chunk may walk (0: the read is full) once their buffer is
 * faulted in, without writing (a concurrent munmap can still make the
 * copy fail), or -EFAULT. Called before the backend takes its locks:
 * faulting takes the caller's mmap lock, which is the target's own when
 * a process scans itself, and a second read hold behind a waiting writer
 * (another thread's mprotect, khugepaged) would deadlock.
 */
s64 ip_sink_reserve(struct ip_sink *s, u64 hva)
{
	u64 pages = ip_sink_chunk_pages(s, hva, U64_MAX);
	size_t need = min_t(u64, IP_CHUNK_BYTES(pages),
			    s->count - s->copied);

	if (pages && fault_in_safe_writeable(s->ubuf + s->copied, need))
		return -EFAULT;
	return pages;
}

/* Encodes one chunk's runs and copies the finished bytes out. */
int ip_sink_emit(struct ip_sink *s, const struct ptw_runs *runs,
		 u64 hva_minus_addr)
{
	int ret;

	ret = ptw_enc_runs(&s->enc, runs, hva_minus_addr);
	if (ret)
		return ret;
	if (copy_to_user(s->ubuf + s->copied, s->enc.buf, s->enc.len))
		return -EFAULT;
	s->copied += s->enc.len;
	s->enc.len = 0;
	return 0;
}

/*
 * The read's last bytes: the pending record and, if the scan left the
 * position past the records (nothing mapped up to the window's end), a
 * SET_HVA that says where. Returns the final position.
 */
static u64 ip_sink_finish(struct ip_sink *s, u64 pos)
{
	size_t len;

	if (pos != s->enc.next_hva || !s->enc.started) {
		if (ip_sink_room(s) >= PIP_SET_HVA_LEN)
			ptw_enc_seek(&s->enc, pos);
		else
			pos = s->enc.next_hva;
	}
	len = ptw_enc_finish(&s->enc);
	/*
	 * ip_sink_reserve() faulted this in; only a buffer unmapped during
	 * the read fails here, and loses its last record.
	 */
	if (!copy_to_user(s->ubuf + s->copied, s->enc.buf, len))
		s->copied += len;
	return pos;
}

static ssize_t ip_read(struct file *file, char __user *ubuf, size_t count,
		       loff_t *ppos)
{
	struct ip_file *f = file->private_data;
	struct ip_sink s = { .f = f, .ubuf = ubuf };
	u64 pos = *ppos;
	int ret;

	if (count < IDLE_PAGES_MIN_READ)
		return -EINVAL;
	if (pos & ~PAGE_MASK)
		return -EINVAL;
	if (pos >= TASK_SIZE_MAX)
		return 0;
	/* Bounded so that the window can't overflow. */
	count = min_t(size_t, count, SZ_1G);
	s.count = count;
	s.window_end = min_t(u64, TASK_SIZE_MAX,
			     pos + ((u64)count * IDLE_PAGES_PAGES_PER_BYTE <<
				    PAGE_SHIFT));

	mutex_lock(&f->lock);
	if (!f->kvm && !f->mm) {
		mutex_unlock(&f->lock);
		return -ESRCH;	/* no IDLE_PAGE_SET_PID yet */
	}
	/* Back below where the last read ended: a new round. */
	if (pos < f->round_pos)
		ip_end_round(f);
	ptw_enc_init(&s.enc, f->kbuf, IP_CHUNK_BYTES(f->chunk_pages), pos,
		     f->scan_flags);
	if (f->kvm)
		ret = ip_vm_scan(f, &s, &pos);
	else
		ret = ip_task_scan(f, &s, &pos);
	/* What was scanned is delivered, even if the scan then failed. */
	if (!ret || s.copied || s.enc.started)
		pos = ip_sink_finish(&s, pos);
	f->round_pos = max(f->round_pos, pos);
	/* Nothing mapped past here: the round is complete. */
	if (pos >= TASK_SIZE_MAX)
		ip_end_round(f);
	mutex_unlock(&f->lock);
	if (ret && !s.copied)
		return ret;
	*ppos = pos;
	return s.copied;
}

static loff_t ip_llseek(struct file *file, loff_t off, int whence)
{
	/*
	 * Positions are HVAs, checked at read: past the end of user space a
	 * read returns 0 (end of file), as the ABI says.
	 */
	return generic_file_llseek_size(file, off, whence, MAX_LFS_FILESIZE,
					 TASK_SIZE_MAX);
}

static const struct proc_ops ip_proc_ops = {
	.proc_open	= ip_open,
	.proc_release	= ip_release,
	.proc_read	= ip_read,
	.proc_lseek	= ip_llseek,
	.proc_ioctl	= ip_ioctl,
	.proc_compat_ioctl = ip_ioctl,
};

static int __init ip_init(void)
{
	/* World-openable: access is checked per target at SET_PID. */
	ip_proc = proc_create("idle_pages", 0444, NULL, &ip_proc_ops);
	if (!ip_proc)
		return -ENOMEM;
	return 0;
}

static void __exit ip_exit(void)
{
	/* Waits for running calls and releases every open file first. */
	proc_remove(ip_proc);
}

module_init(ip_init);
module_exit(ip_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("idle_pages: accessed bits of KVM's two-dimensional page tables and of process page tables");
MODULE_VERSION("0.1");
