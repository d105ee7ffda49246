/* SPDX-License-Identifier: MIT */
/*
 * integrity.h - known contents for every page the guest owns, so lost,
 * stale, torn or misplaced pages are caught.
 *
 * Page layout (32-bit words): [0] TG_PAGE_MAGIC, [1] the page's GPA,
 * [2] its generation, [3] ~(magic ^ gpa ^ gen); words 4..1023 are
 * tg_page_word(gpa, gen, i). A write access bumps the generation and
 * rewrites the page. The generation's low bits are also kept in a table
 * outside the working area (in the guest image), so a page that silently
 * reverts to an older but self-consistent version is caught too.
 */
#ifndef TG_INTEGRITY_H
#define TG_INTEGRITY_H

#include <stdint.h>

#define TG_PAGE_MAGIC	0x54475047u	/* "GPGT" in memory, 'TGPG' as a word */
#define TG_PAGE_WORDS	1024u
#define TG_HEADER_WORDS	4u

/* The first wrong word found, as GPA, expected and found values. */
struct tg_bad {
	uint32_t gpa;
	uint32_t expected;
	uint32_t got;
};

struct tg_area {
	uint32_t *mem;		/* where page 0 is mapped (== base in the guest) */
	uint32_t base;		/* its GPA */
	uint32_t npages;
	uint8_t *gen_table;
	uint32_t gen_bits;	/* 8, 4, 2 or 1 */
};

uint32_t tg_page_word(uint32_t gpa, uint32_t gen, uint32_t i);

/*
 * Sets up an area of npages over a gen table of table_bytes (the part in
 * use is zeroed); picks the widest generation field that fits. -1 if
 * npages is too many.
 */
int tg_area_init(struct tg_area *a, uint32_t *mem, uint32_t base,
		 uint32_t npages, uint8_t *gen_table, uint32_t table_bytes);

/* Writes page idx with generation gen and records gen in the table. */
void tg_page_write(struct tg_area *a, uint32_t idx, uint32_t gen);

/* Read access: header and body word `word` (taken modulo the body). */
int tg_page_read(struct tg_area *a, uint32_t idx, uint32_t word,
		 struct tg_bad *bad);

/* Write access: checks the header, then rewrites with the next generation. */
int tg_page_bump(struct tg_area *a, uint32_t idx, struct tg_bad *bad);

/* Full check of every word of page idx. */
int tg_page_verify(struct tg_area *a, uint32_t idx, struct tg_bad *bad);

/*
 * Each check returns 0 when the page is right; else 1 with the first wrong
 * word in *bad, after rewriting the page with its recorded generation, so
 * one fault is counted once.
 */

#endif /* TG_INTEGRITY_H */
