// SPDX-License-Identifier: MIT
/* vmm_boot.c - Multiboot v1 entry state for tg-launch. */
#include "vmm_boot.h"
#include "tg_abi.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

int tg_boot_write_info(uint8_t *mem, uint64_t mem_size, const char *cmdline,
		       char *err, size_t errlen)
{
	struct tg_mb_info mbi = { 0 };
	size_t n = strlen(cmdline);
	uint64_t upper_kib;

	if (n + 1 > TG_PAGE_SIZE - TG_BOOT_CMDLINE_OFF) {
		snprintf(err, errlen, "guest command line longer than %u bytes",
			 TG_PAGE_SIZE - TG_BOOT_CMDLINE_OFF - 1);
		return -1;
	}
	if (mem_size < TG_IMAGE_BASE) {
		snprintf(err, errlen, "guest memory below 1M");
		return -1;
	}
	upper_kib = (mem_size - 0x100000) >> 10;
	mbi.flags = TG_MB_INFO_MEMORY | TG_MB_INFO_CMDLINE;
	mbi.mem_lower = 640;
	mbi.mem_upper = upper_kib > 0xffffffffu ? 0xffffffffu : (uint32_t)upper_kib;
	mbi.cmdline = TG_BOOT_INFO_GPA + TG_BOOT_CMDLINE_OFF;
	memset(mem + TG_BOOT_INFO_GPA, 0, TG_PAGE_SIZE);
	memcpy(mem + TG_BOOT_INFO_GPA, &mbi, sizeof(mbi));
	memcpy(mem + mbi.cmdline, cmdline, n + 1);
	return 0;
}

static void flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
}

int tg_boot_setup_vcpu(int vcpu_fd, uint32_t entry, char *err, size_t errlen)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0) {
		snprintf(err, errlen, "KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	flat_segment(&sregs.cs, 0x08, 0xb);	/* code: execute/read, accessed */
	flat_segment(&sregs.ds, 0x10, 0x3);	/* data: read/write, accessed */
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.cr0 = 0x11;			/* PE | ET; paging off */
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0) {
		snprintf(err, errlen, "KVM_SET_SREGS: %s", strerror(errno));
		return -1;
	}
	regs.rflags = 0x2;			/* IF = 0 */
	regs.rip = entry;
	regs.rax = TG_MB_BOOT_MAGIC;
	regs.rbx = TG_BOOT_INFO_GPA;
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0) {
		snprintf(err, errlen, "KVM_SET_REGS: %s", strerror(errno));
		return -1;
	}
	return 0;
}
