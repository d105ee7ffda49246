// SPDX-License-Identifier: MIT
/* vmm_report.c - the step report file. */
#include "vmm_report.h"
#include "tg_abi.h"
#include "touch_set.h"
#include "vmm_pagelist.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum {
	WORKLOAD, WRITTEN, IMAGE, STACK, BOOT, ACCOUNTED, TOUCHED, CONFIGURED,
	UNTOUCHED, NLISTS
};

static const char *const list_keys[NLISTS] = {
	"workload_pages", "written_pages", "image_pages", "stack_pages",
	"boot_info_pages", "accounted_pages", "touched_pages",
	"configured_pages", "untouched_pages",
};

struct lists {
	struct tg_pagelist l[NLISTS];
};

static int add_page(struct tg_pagelist *pl, uint64_t page)
{
	return tg_pagelist_add(pl, page, page + 1);
}

static int add_gpa_range(struct tg_pagelist *pl, uint64_t first, uint64_t end)
{
	return tg_pagelist_add(pl, first >> TG_PAGE_SHIFT,
			       (end + TG_PAGE_SIZE - 1) >> TG_PAGE_SHIFT);
}

/* The touch-set pages (GPA page numbers) a step touches, or writes. */
static int add_step_pages(const struct tg_config *cfg, uint32_t step,
			  int only_written, struct tg_pagelist *pl)
{
	uint64_t base = cfg->base >> TG_PAGE_SHIFT;
	struct tg_touch_iter it;
	uint32_t idx;
	int bad = 0;

	tg_touch_begin_step(cfg, step, &it);
	while (tg_touch_next(cfg, &it, &idx))
		if (!only_written || tg_touch_is_write(cfg, step, idx))
			bad |= add_page(pl, base + idx);
	return bad ? -1 : 0;
}

int tg_report_step_written(const struct tg_config *cfg, uint32_t step,
			   struct tg_pagelist *pl)
{
	if (cfg->pattern != TG_PATTERN_TOUCH || !step)
		return 0;
	return add_step_pages(cfg, step, 1, pl);
}

static int build(const struct tg_report *r, struct lists *ls)
{
	const struct tg_config *cfg = r->cfg;
	const struct tg_elf_image *img = r->img;
	struct tg_pagelist *l = ls->l;
	uint64_t base = cfg->base >> TG_PAGE_SHIFT;
	int bad = 0;

	if (cfg->pattern == TG_PATTERN_TOUCH) {
		bad |= add_step_pages(cfg, 0, 0, &l[CONFIGURED]);
		bad |= add_step_pages(cfg, r->step, 0, &l[WORKLOAD]);
		bad |= tg_report_step_written(cfg, r->step, &l[WRITTEN]);
	} else {
		bad |= tg_pagelist_add(&l[CONFIGURED], base,
				       base + tg_config_area_pages(cfg));
		bad |= tg_pagelist_merge(&l[WORKLOAD], &l[CONFIGURED]);
	}
	for (uint32_t s = 0; s < img->nsegs; s++)
		bad |= add_gpa_range(&l[IMAGE], img->seg_first[s], img->seg_end[s]);
	if (img->has_stack)
		bad |= add_gpa_range(&l[STACK], img->stack_lo, img->stack_hi);
	bad |= add_gpa_range(&l[BOOT], r->boot_info_gpa, r->boot_info_gpa + 1);
	bad |= tg_pagelist_merge(&l[ACCOUNTED], &l[IMAGE]);
	bad |= tg_pagelist_merge(&l[ACCOUNTED], &l[BOOT]);
	if (r->step) {	/* step 0: the VM has not run yet */
		bad |= tg_pagelist_merge(&l[TOUCHED], &l[ACCOUNTED]);
		bad |= tg_pagelist_merge(&l[TOUCHED], &l[WORKLOAD]);
	}
	for (int i = 0; i < NLISTS; i++)
		tg_pagelist_finish(&l[i]);
	/* Mapped by step 1, left alone by this one (touch2=). */
	if (r->step)
		bad |= tg_pagelist_add_missing(&l[UNTOUCHED], &l[CONFIGURED],
					       &l[WORKLOAD]);
	tg_pagelist_finish(&l[UNTOUCHED]);
	return bad ? -1 : 0;
}

static void list_line(FILE *f, const char *key, const struct tg_pagelist *pl)
{
	fprintf(f, "%s=", key);
	tg_pagelist_print(f, pl);
	fputc('\n', f);
}

static void write_lists(FILE *f, const struct lists *ls)
{
	for (int i = 0; i < NLISTS; i++) {
		list_line(f, list_keys[i], &ls->l[i]);
		if (i == WORKLOAD)
			fprintf(f, "workload_count=%zu\n", ls->l[i].n);
		if (i == TOUCHED)
			fprintf(f, "touched_count=%zu\n", ls->l[i].n);
	}
}

static void free_lists(struct lists *ls)
{
	for (int i = 0; i < NLISTS; i++)
		tg_pagelist_free(&ls->l[i]);
}

int tg_report_write(const char *path, const struct tg_report *r,
		    char *err, size_t errlen)
{
	struct lists l = { 0 };
	char tmp[4096];
	FILE *f;
	int bad;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(err, errlen, "report path too long");
		return -1;
	}
	if (build(r, &l)) {
		free_lists(&l);
		snprintf(err, errlen, "out of memory building the report");
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f) {
		free_lists(&l);
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		return -1;
	}
	fprintf(f, "pid=%ld\n", r->pid);
	fprintf(f, "hva_base=0x%llx\n", (unsigned long long)r->hva_base);
	fprintf(f, "mem_size=%llu\n", (unsigned long long)r->mem_size);
	fprintf(f, "backing=%s\n", r->backing);
	fprintf(f, "page_size=%u\n", TG_PAGE_SIZE);
	fprintf(f, "step=%u\n", r->step);
	fprintf(f, "base_gpa=0x%x\n", r->cfg->base);
	write_lists(f, &l);
	if (r->resident) {
		list_line(f, "resident_pages", r->resident);
		fprintf(f, "resident_count=%zu\n", r->resident->n);
	}
	if (r->dirty_log) {
		list_line(f, "dirty_log_pages", r->dirty_log);
		list_line(f, "dirty_log_missing", r->dirty_missing);
	}
	if (r->slot_churn)
		fprintf(f, "slot_changes=%lu\n", r->slot_changes);
	free_lists(&l);
	bad = ferror(f);
	if (fclose(f) || bad || rename(tmp, path)) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
