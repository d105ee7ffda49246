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
};

/* Writes path atomically (temporary file + rename). */
int tg_report_write(const char *path, const struct tg_report *r,
		    char *err, size_t errlen);

#endif /* TG_VMM_REPORT_H */
