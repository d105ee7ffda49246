/* SPDX-License-Identifier: MIT */
/*
 * vmm_report.h - tg-launch's step report: key=value lines telling a test
 * where guest RAM is in the launcher and exactly which guest pages the
 * step touched (the workload set plus the pages the guest uses for itself),
 * all as GPA page numbers (GPA >> 12). Step 0 is the report written before
 * the VM first runs: nothing touched or written yet. See README.md.
 */
#ifndef TG_VMM_REPORT_H
#define TG_VMM_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "vmm_elf.h"
#include "vmm_pagelist.h"

struct tg_report {
	long pid;
	uintptr_t hva_base;
	uint64_t mem_size;
	const char *backing;
	uint32_t step;
	const struct tg_config *cfg;	/* parsed guest command line */
	const struct tg_elf_image *img;
	uint32_t boot_info_gpa;
	const struct tg_pagelist *resident;	/* finished list, or NULL */
	/* --dirty-log: the pages KVM logged since the last report, and the
	 * pages the step wrote that are not among them; or NULL. */
	const struct tg_pagelist *dirty_log;
	const struct tg_pagelist *dirty_missing;
	int slot_churn;			/* --slot-churn: report slot_changes */
	unsigned long slot_changes;
};

/* Adds the workload pages (GPA page numbers) that step wrote: none at
 * step 0, or for patterns other than touch (they have no steps). */
int tg_report_step_written(const struct tg_config *cfg, uint32_t step,
			   struct tg_pagelist *pl);

/* Writes path atomically (temporary file + rename). */
int tg_report_write(const char *path, const struct tg_report *r,
		    char *err, size_t errlen);

#endif /* TG_VMM_REPORT_H */
