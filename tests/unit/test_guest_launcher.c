// SPDX-License-Identifier: MIT
/* Tests of tg-launch's parts that need no /dev/kvm: ELF loading, port
 * emulation, boot info, page lists, dirty bitmaps and the step report. */
#include <elf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"
#include "config.h"
#include "tg_abi.h"
#include "vmm_boot.h"
#include "vmm_dirty.h"
#include "vmm_elf.h"
#include "vmm_pagelist.h"
#include "vmm_pio.h"
#include "vmm_report.h"

#define MEM_SIZE (4u << 20)

static uint8_t *mem;
static char err[256];

/* A minimal Multiboot ELF: one PT_LOAD at 1 MiB with 16 file bytes (the
 * Multiboot header + a marker) and 8 KiB of bss. */
struct mini_elf {
	Elf32_Ehdr eh;
	Elf32_Phdr ph;
	uint32_t mb[3];
	uint32_t marker;
};

static void make_elf(struct mini_elf *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS32;
	e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh.e_ident[EI_VERSION] = EV_CURRENT;
	e->eh.e_type = ET_EXEC;
	e->eh.e_machine = EM_386;
	e->eh.e_version = EV_CURRENT;
	e->eh.e_entry = 0x100000;
	e->eh.e_phoff = sizeof(Elf32_Ehdr);
	e->eh.e_ehsize = sizeof(Elf32_Ehdr);
	e->eh.e_phentsize = sizeof(Elf32_Phdr);
	e->eh.e_phnum = 1;
	e->ph.p_type = PT_LOAD;
	e->ph.p_offset = offsetof(struct mini_elf, mb);
	e->ph.p_paddr = e->ph.p_vaddr = 0x100000;
	e->ph.p_filesz = 16;
	e->ph.p_memsz = 16 + 8192;
	e->mb[0] = TG_MB_HEADER_MAGIC;
	e->mb[1] = 3;
	e->mb[2] = -(TG_MB_HEADER_MAGIC + 3);
	e->marker = 0xfeedface;
}

static int load(const struct mini_elf *e, struct tg_elf_image *img)
{
	return tg_elf_load((const uint8_t *)e, sizeof(*e), mem, MEM_SIZE, img,
			   err, sizeof(err));
}

static void test_elf_good(void)
{
	struct tg_elf_image img;
	struct mini_elf e;
	uint32_t marker;

	make_elf(&e);
	memset(mem + 0x100000, 0xaa, 3 * 4096);	/* bss must be zeroed */
	CHECK_EQ_U64(load(&e, &img), 0);
	CHECK_EQ_U64(img.entry, 0x100000);
	CHECK_EQ_U64(img.nsegs, 1);
	CHECK_EQ_U64(img.seg_first[0], 0x100000);
	CHECK_EQ_U64(img.seg_end[0], 0x103000);	/* 16 + 8192 bytes: 3 pages */
	memcpy(&marker, mem + 0x10000c, 4);
	CHECK_EQ_U64(marker, 0xfeedface);
	CHECK_EQ_U64(mem[0x100010], 0);
	CHECK_EQ_U64(mem[0x100000 + 16 + 8191], 0);
	CHECK_EQ_U64(img.has_stack, 0);		/* no symbol table */
}

static void expect_bad(struct mini_elf *e, const char *needle)
{
	struct tg_elf_image img;

	CHECK(load(e, &img) == -1 && strstr(err, needle));
	if (!strstr(err, needle))
		fprintf(stderr, "  got error: %s (wanted %s)\n", err, needle);
}

static void test_elf_bad(void)
{
	struct tg_elf_image img;
	struct mini_elf e;

	CHECK(tg_elf_load((const uint8_t *)"", 0, mem, MEM_SIZE, &img, err,
			  sizeof(err)) == -1 && strstr(err, "not an ELF"));
	make_elf(&e); e.eh.e_ident[EI_CLASS] = ELFCLASS64;
	expect_bad(&e, "32-bit");
	make_elf(&e); e.eh.e_type = ET_DYN;
	expect_bad(&e, "not an executable");
	make_elf(&e); e.mb[2]++;
	expect_bad(&e, "no Multiboot");
	make_elf(&e); e.ph.p_paddr = 0x8000;
	expect_bad(&e, "outside guest RAM");
	make_elf(&e); e.ph.p_memsz = MEM_SIZE;
	expect_bad(&e, "outside guest RAM");
	make_elf(&e); e.ph.p_offset = 0x10000;
	expect_bad(&e, "bad file size");
	make_elf(&e); e.ph.p_filesz = e.ph.p_memsz + 1;
	expect_bad(&e, "bad file size");
	make_elf(&e); e.eh.e_phnum = 50;
	expect_bad(&e, "program header");
	make_elf(&e); e.eh.e_entry = 0x200000;
	expect_bad(&e, "entry point");
	make_elf(&e); e.ph.p_type = PT_NOTE;
	expect_bad(&e, "no loadable");
}

static enum tg_pio_event io(struct tg_pio *p, uint16_t port, int out,
			    uint32_t v, unsigned size, uint32_t *got)
{
	uint8_t data[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			    (uint8_t)(v >> 24) };
	enum tg_pio_event ev = tg_pio_access(p, port, out, data, size, got);

	if (!out)
		*got = data[0];
	return ev;
}

static void test_pio_uart(void)
{
	struct tg_pio p;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	uint32_t v = 0;

	tg_pio_init(&p, f);
	io(&p, 0x3fb, 1, 0x80, 1, &v);		/* divisor latch: no output */
	io(&p, 0x3f8, 1, 0x01, 1, &v);
	io(&p, 0x3fb, 1, 0x03, 1, &v);
	io(&p, 0x3f8, 1, 'h', 1, &v);
	io(&p, 0x3f8, 1, 'i', 1, &v);
	io(&p, 0x3f8, 1, '\n', 1, &v);
	fclose(f);
	CHECK(text && !strcmp(text, "hi\n"));
	free(text);
	io(&p, 0x3fd, 0, 0, 1, &v);
	CHECK_EQ_U64(v & 0x21, 0x20);		/* room to send, nothing in */
	CHECK_EQ_U64(tg_pio_push_input(&p, 'v'), 0);
	io(&p, 0x3fd, 0, 0, 1, &v);
	CHECK_EQ_U64(v & 0x01, 0x01);
	io(&p, 0x3f8, 0, 0, 1, &v);
	CHECK_EQ_U64(v, 'v');
	io(&p, 0x3fd, 0, 0, 1, &v);
	CHECK_EQ_U64(v & 0x01, 0);
	for (int i = 0; i < TG_PIO_RX_SIZE; i++)
		CHECK_EQ_U64(tg_pio_push_input(&p, 'x'), 0);
	CHECK_EQ_U64(tg_pio_push_input(&p, 'x'), (uint64_t)-1);
}

static void test_pio_rtc_and_events(void)
{
	struct tg_pio p;
	uint32_t v = 0, sec, min, hour, sod;
	time_t now;
	struct tm tm;

	tg_pio_init(&p, stdout);
	io(&p, 0x70, 1, 0x8b, 1, &v);		/* NMI bit is not the index */
	io(&p, 0x71, 0, 0, 1, &v);
	CHECK_EQ_U64(v, 0x06);			/* binary, 24 h */
	io(&p, 0x70, 1, 0x04, 1, &hour);
	io(&p, 0x71, 0, 0, 1, &hour);
	io(&p, 0x70, 1, 0x02, 1, &min);
	io(&p, 0x71, 0, 0, 1, &min);
	io(&p, 0x70, 1, 0x00, 1, &sec);
	io(&p, 0x71, 0, 0, 1, &sec);
	now = time(NULL);
	gmtime_r(&now, &tm);
	sod = (uint32_t)(tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
	CHECK(hour < 24 && min < 60 && sec < 60);
	/* Within 2 s of the host clock (a midnight in between is ignored). */
	CHECK(sod - (hour * 3600 + min * 60 + sec) <= 2);
	CHECK(io(&p, 0x501, 1, 0x12345, 4, &v) == TG_PIO_STEP);
	CHECK_EQ_U64(v, 0x12345);
	CHECK(io(&p, 0xf4, 1, 3, 1, &v) == TG_PIO_EXIT);
	CHECK_EQ_U64(v, 3);
	CHECK(io(&p, 0x80, 0, 0, 1, &v) == TG_PIO_NONE);
	CHECK_EQ_U64(v, 0xff);
	CHECK_EQ_U64(p.unknown_accesses, 1);
}

static void test_boot_info(void)
{
	struct tg_mb_info mbi;
	char long_line[TG_PAGE_SIZE];

	CHECK_EQ_U64(tg_boot_write_info(mem, MEM_SIZE, "hot=4 x=y", err,
					sizeof(err)), 0);
	memcpy(&mbi, mem + TG_BOOT_INFO_GPA, sizeof(mbi));
	CHECK_EQ_U64(mbi.flags, TG_MB_INFO_MEMORY | TG_MB_INFO_CMDLINE);
	CHECK_EQ_U64(mbi.mem_upper, (MEM_SIZE - 0x100000) / 1024);
	CHECK_EQ_U64(mbi.cmdline / TG_PAGE_SIZE, TG_BOOT_INFO_GPA / TG_PAGE_SIZE);
	CHECK(!strcmp((char *)mem + mbi.cmdline, "hot=4 x=y"));
	memset(long_line, 'a', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	CHECK(tg_boot_write_info(mem, MEM_SIZE, long_line, err, sizeof(err)) == -1 &&
	      strstr(err, "longer than"));
}

static char *pagelist_text(const struct tg_pagelist *pl)
{
	static char buf[256];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	tg_pagelist_print(f, pl);
	fclose(f);
	return buf;
}

static void test_pagelist(void)
{
	struct tg_pagelist pl = { 0 };

	CHECK(!strcmp(pagelist_text(&pl), ""));
	tg_pagelist_add(&pl, 7, 9);
	tg_pagelist_add(&pl, 1, 4);
	tg_pagelist_add(&pl, 5, 6);
	tg_pagelist_add(&pl, 2, 3);	/* duplicate */
	tg_pagelist_finish(&pl);
	CHECK_EQ_U64(pl.n, 6);
	CHECK(!strcmp(pagelist_text(&pl), "1-3,5,7-8"));
	tg_pagelist_free(&pl);
}

static void test_pagelist_missing(void)
{
	struct tg_pagelist a = { 0 }, b = { 0 }, out = { 0 };

	tg_pagelist_add(&a, 10, 20);
	tg_pagelist_add(&b, 12, 15);
	tg_pagelist_add(&b, 19, 30);
	tg_pagelist_finish(&a);
	tg_pagelist_finish(&b);
	CHECK(tg_pagelist_has(&b, 12) && tg_pagelist_has(&b, 14) &&
	      tg_pagelist_has(&b, 29));
	CHECK(!tg_pagelist_has(&b, 11) && !tg_pagelist_has(&b, 15) &&
	      !tg_pagelist_has(&b, 30));
	CHECK_EQ_U64(tg_pagelist_add_missing(&out, &a, &b), 0);
	tg_pagelist_finish(&out);
	CHECK(!strcmp(pagelist_text(&out), "10-11,15-18"));
	tg_pagelist_free(&out);
	CHECK_EQ_U64(tg_pagelist_add_missing(&out, &b, &b), 0);	/* none */
	CHECK_EQ_U64(out.n, 0);
	tg_pagelist_free(&a);
	tg_pagelist_free(&b);
}

static void test_dirty_bitmap(void)
{
	uint64_t bm[3] = { 1ull | 1ull << 63, 0, 0x7ull | 1ull << 10 };
	struct tg_pagelist pl = { 0 };

	/* 131 pages: bit 10 of the last word is past the slot's end. */
	CHECK_EQ_U64(tg_dirty_bitmap_pages(bm, 131, 1000, &pl), 0);
	tg_pagelist_finish(&pl);
	CHECK(!strcmp(pagelist_text(&pl), "1000,1063,1128-1130"));
	tg_pagelist_free(&pl);
	CHECK_EQ_U64(tg_dirty_bitmap_pages(bm, 139, 0, &pl), 0);
	tg_pagelist_finish(&pl);
	CHECK(!strcmp(pagelist_text(&pl), "0,63,128-130,138"));
	tg_pagelist_free(&pl);
}

/* Value of "key=" in a report file, or "" (static buffer). */
static const char *report_value(const char *path, const char *key)
{
	static char line[1024];
	size_t klen = strlen(key);
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == '=') {
			fclose(f);
			line[strcspn(line, "\n")] = '\0';
			return line + klen + 1;
		}
	}
	if (f)
		fclose(f);
	return "";
}

/* Creates an empty temporary file from a "...XXXXXX" template. */
static void make_temp(char *path)
{
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
}

static void test_report(void)
{
	char path[] = "/tmp/tg-report-test.XXXXXX";
	struct tg_elf_image img = { .nsegs = 1, .seg_first = { 0x100000 },
				    .seg_end = { 0x103000 }, .has_stack = 1,
				    .stack_lo = 0x101800, .stack_hi = 0x102800 };
	struct tg_config cfg;
	struct tg_report r = { .pid = 42, .hva_base = 0x7f0000000000,
			       .mem_size = MEM_SIZE, .backing = "4k", .step = 1,
			       .cfg = &cfg, .img = &img, .boot_info_gpa = 0x8000 };

	make_temp(path);
	CHECK_EQ_U64(tg_config_parse(&cfg, "pattern=touch base=2M touch=0-2,5 write=0",
				     err, sizeof(err)), 0);
	CHECK_EQ_U64(tg_report_write(path, &r, err, sizeof(err)), 0);
	CHECK(!strcmp(report_value(path, "pid"), "42"));
	CHECK(!strcmp(report_value(path, "hva_base"), "0x7f0000000000"));
	CHECK(!strcmp(report_value(path, "step"), "1"));
	CHECK(!strcmp(report_value(path, "workload_pages"), "512-514,517"));
	CHECK(!strcmp(report_value(path, "written_pages"), "512-514,517"));
	CHECK(!strcmp(report_value(path, "stack_pages"), "257-258"));
	CHECK(!strcmp(report_value(path, "accounted_pages"), "8,256-258"));
	CHECK(!strcmp(report_value(path, "touched_pages"), "8,256-258,512-514,517"));
	CHECK(!strcmp(report_value(path, "touched_count"), "8"));
	r.step = 0;	/* before the VM runs: nothing touched */
	CHECK_EQ_U64(tg_report_write(path, &r, err, sizeof(err)), 0);
	CHECK(!strcmp(report_value(path, "touched_pages"), ""));
	CHECK(!strcmp(report_value(path, "written_pages"), ""));
	CHECK(!strcmp(report_value(path, "workload_pages"), "512-514,517"));
	r.step = 2;	/* write=0: step 2 only reads */
	CHECK_EQ_U64(tg_report_write(path, &r, err, sizeof(err)), 0);
	CHECK(!strcmp(report_value(path, "written_pages"), ""));
	CHECK(!strcmp(report_value(path, "resident_pages"), ""));
	CHECK(!strcmp(report_value(path, "untouched_pages"), ""));
	/* Without --dirty-log and --slot-churn their keys are left out. */
	CHECK(!strcmp(report_value(path, "dirty_log_pages"), ""));
	CHECK(!strcmp(report_value(path, "slot_changes"), ""));
	unlink(path);
	CHECK(tg_report_write("/nonexistent/dir/r", &r, err, sizeof(err)) == -1 &&
	      strstr(err, "cannot write"));
}

/* A report of a 2-page image (pages 256-257, boot info page 8) for the
 * guest command line cmdline, written to a fresh temporary file. */
struct report_fixture {
	char path[32];
	struct tg_elf_image img;
	struct tg_config cfg;
	struct tg_report r;
};

static void fixture_init(struct report_fixture *f, const char *cmdline)
{
	memset(f, 0, sizeof(*f));
	strcpy(f->path, "/tmp/tg-report-test.XXXXXX");
	make_temp(f->path);
	f->img = (struct tg_elf_image){ .nsegs = 1, .seg_first = { 0x100000 },
					.seg_end = { 0x102000 } };
	CHECK_EQ_U64(tg_config_parse(&f->cfg, cmdline, err, sizeof(err)), 0);
	f->r = (struct tg_report){ .pid = 42, .mem_size = MEM_SIZE,
				   .backing = "4k", .step = 1, .cfg = &f->cfg,
				   .img = &f->img, .boot_info_gpa = 0x8000 };
}

/* Writes the fixture's report and tells if key has the value want. */
static int report_has(struct report_fixture *f, const char *key,
		      const char *want)
{
	if (tg_report_write(f->path, &f->r, err, sizeof(err)))
		return 0;
	return !strcmp(report_value(f->path, key), want);
}

/* touch2=: step 1 touches (and writes) the whole set, step 2 only the
 * subset; the rest of the set is mapped but untouched. */
static void test_report_touch2(void)
{
	struct report_fixture f;

	fixture_init(&f, "pattern=touch base=2M touch=0-7 touch2=2-3,6 write=100");
	CHECK(report_has(&f, "workload_pages", "512-519"));
	CHECK(report_has(&f, "written_pages", "512-519"));
	CHECK(report_has(&f, "configured_pages", "512-519"));
	CHECK(report_has(&f, "untouched_pages", ""));
	f.r.step = 2;
	CHECK(report_has(&f, "workload_pages", "514-515,518"));
	CHECK(report_has(&f, "workload_count", "3"));
	CHECK(report_has(&f, "written_pages", "514-515,518"));
	CHECK(report_has(&f, "touched_pages", "8,256-257,514-515,518"));
	CHECK(report_has(&f, "configured_pages", "512-519"));
	CHECK(report_has(&f, "untouched_pages", "512-513,516-517,519"));
	unlink(f.path);
	fixture_init(&f, "pattern=touch base=2M touch=0-7 touch2=none");
	f.r.step = 2;
	CHECK(report_has(&f, "workload_pages", ""));
	CHECK(report_has(&f, "written_pages", ""));
	CHECK(report_has(&f, "touched_pages", "8,256-257"));
	CHECK(report_has(&f, "untouched_pages", "512-519"));
	unlink(f.path);
}

/* --dirty-log and --slot-churn add their keys; the written pages the
 * launcher checks the log against are the report's written_pages. */
static void test_report_dirty_and_churn(void)
{
	struct tg_pagelist log = { 0 }, missing = { 0 }, written = { 0 };
	struct report_fixture f;

	fixture_init(&f, "pattern=touch base=2M touch=0-9 write=50");
	f.r.step = 3;
	CHECK_EQ_U64(tg_report_step_written(&f.cfg, 3, &written), 0);
	tg_pagelist_finish(&written);
	CHECK(written.n > 0 && written.n < 10);	/* write=50 of 10 pages */
	/* A log that has all but the first written page, and an image page. */
	tg_pagelist_add(&log, 256, 257);
	for (size_t i = 1; i < written.n; i++)
		tg_pagelist_add(&log, written.v[i], written.v[i] + 1);
	tg_pagelist_finish(&log);
	CHECK_EQ_U64(tg_pagelist_add_missing(&missing, &written, &log), 0);
	tg_pagelist_finish(&missing);
	CHECK(missing.n == 1 && missing.v[0] == written.v[0]);
	f.r.dirty_log = &log;
	f.r.dirty_missing = &missing;
	f.r.slot_churn = 1;
	f.r.slot_changes = 17;
	CHECK(report_has(&f, "written_pages", pagelist_text(&written)));
	CHECK(report_has(&f, "dirty_log_pages", pagelist_text(&log)));
	CHECK(report_has(&f, "dirty_log_missing", pagelist_text(&missing)));
	CHECK(report_has(&f, "slot_changes", "17"));
	tg_pagelist_free(&written);	/* step 0: nothing written */
	CHECK_EQ_U64(tg_report_step_written(&f.cfg, 0, &written), 0);
	CHECK_EQ_U64(written.n, 0);
	tg_pagelist_free(&log);
	tg_pagelist_free(&missing);
	unlink(f.path);
}

int main(void)
{
	mem = calloc(1, MEM_SIZE);
	RUN_TEST(test_elf_good);
	RUN_TEST(test_elf_bad);
	RUN_TEST(test_pio_uart);
	RUN_TEST(test_pio_rtc_and_events);
	RUN_TEST(test_boot_info);
	RUN_TEST(test_pagelist);
	RUN_TEST(test_pagelist_missing);
	RUN_TEST(test_dirty_bitmap);
	RUN_TEST(test_report);
	RUN_TEST(test_report_touch2);
	RUN_TEST(test_report_dirty_and_churn);
	free(mem);
	return TEST_SUMMARY();
}
