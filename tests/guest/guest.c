// SPDX-License-Identifier: MIT
/*
 * guest.c - the test guest's main: read the Multiboot info, parse the
 * command line, check it fits in RAM, run the configured pattern, verify
 * everything, report "TG done" and leave through the exit port.
 */
#include <stdint.h>
#include "config.h"
#include "integrity.h"
#include "print.h"
#include "rtc.h"
#include "serial.h"
#include "status.h"
#include "tg_abi.h"
#include "touch_steps.h"
#include "traps.h"
#include "workload.h"

#define CMDLINE_MAX 4096

extern char __image_start[], __image_end[];

static char cmdline[CMDLINE_MAX];
static char errmsg[160];
static uint8_t gen_table[TG_GEN_TABLE_BYTES];
static struct tg_config cfg;
static struct tg_area area;
static struct tg_self_pages self;

void tg_main(uint32_t magic, const struct tg_mb_info *mbi);

static void __attribute__((noreturn)) config_fail(const char *why)
{
	for (int i = 0; i < 3; i++) {
		tg_puts("TG config error: ");
		tg_puts(why);
		tg_nl();
	}
	tg_exit(TG_EXIT_CONFIG);
}

static uint32_t page_down(uint32_t a)
{
	return a & ~(TG_PAGE_SIZE - 1);
}

static void add_self(uint32_t first, uint32_t end)
{
	first = page_down(first);
	end = page_down(end + TG_PAGE_SIZE - 1);
	for (uint32_t r = 0; r < self.n; r++)
		if (first >= self.first[r] && end <= self.end[r])
			return;
	self.first[self.n] = first;
	self.end[self.n] = end;
	self.n++;
}

/* Copies the command line into the image, so the boot info is not needed
 * after this, and notes the boot-info pages as the guest's own. */
static void take_cmdline(const struct tg_mb_info *mbi)
{
	const char *src;
	uint32_t n = 0;

	add_self((uint32_t)__image_start, (uint32_t)__image_end);
	add_self((uint32_t)mbi, (uint32_t)mbi + sizeof(*mbi));
	if (!(mbi->flags & TG_MB_INFO_CMDLINE))
		return;
	src = (const char *)mbi->cmdline;
	while (src[n]) {
		if (n == CMDLINE_MAX - 1)
			config_fail("command line longer than 4095 bytes");
		cmdline[n] = src[n];
		n++;
	}
	cmdline[n] = '\0';
	add_self(mbi->cmdline, mbi->cmdline + n + 1);
}

static void check_ram(const struct tg_mb_info *mbi)
{
	uint64_t ram_end, area_end;

	if (!(mbi->flags & TG_MB_INFO_MEMORY))
		return;
	ram_end = 0x100000ull + ((uint64_t)mbi->mem_upper << 10);
	area_end = cfg.base +
		   ((uint64_t)tg_config_area_pages(&cfg) << TG_PAGE_SHIFT);
	if (area_end > ram_end) {
		for (int i = 0; i < 3; i++) {
			tg_puts("TG config error: working area ends at ");
			tg_putx((uint32_t)(area_end - 1));
			tg_puts(" beyond RAM end ");
			tg_putx((uint32_t)(ram_end - 1));
			tg_nl();
		}
		tg_exit(TG_EXIT_CONFIG);
	}
}

static void print_start(void)
{
	tg_puts("TG start pattern=");
	tg_puts(tg_pattern_name(cfg.pattern));
	tg_puts(" base=");
	tg_putx(cfg.base);
	if (cfg.pattern == TG_PATTERN_TOUCH) {
		tg_puts(" area_pages=");
		tg_putu(area.npages);
	} else {
		tg_puts(" hot=");
		tg_putu(cfg.hot);
		tg_puts(" cold=");
		tg_putu(cfg.cold);
	}
	tg_nl();
	tg_puts("TG conf write=");
	tg_putu(cfg.write_pct);
	tg_puts(" seed=");
	tg_putu(cfg.seed);
	if (cfg.pattern == TG_PATTERN_PHASES) {
		tg_puts(" phases=");
		tg_putu(cfg.phases);
		tg_puts(" phase_secs=");
		tg_putu(cfg.phase_secs);
	} else {
		tg_puts(" passes=");
		tg_putu(cfg.passes);
	}
	tg_puts(" secs=");
	tg_putu(cfg.secs);
	tg_puts(" gen_bits=");
	tg_putu(area.gen_bits);
	tg_nl();
	tg_puts("TG image=");
	tg_putx((uint32_t)__image_start);
	tg_puts("-");
	tg_putx((uint32_t)__image_end - 1);
	tg_nl();
}

void tg_main(uint32_t magic, const struct tg_mb_info *mbi)
{
	uint32_t phase = 0;

	serial_init();
	tg_nl();	/* start clean after any firmware output */
	traps_init();
	if (magic != TG_MB_BOOT_MAGIC)
		config_fail("not started by a Multiboot loader");
	take_cmdline(mbi);
	if (tg_config_parse(&cfg, cmdline, errmsg, sizeof(errmsg)))
		config_fail(errmsg);
	check_ram(mbi);
	/* The parser bounds the area by TG_MAX_AREA_PAGES: this cannot fail. */
	tg_area_init(&area, (uint32_t *)cfg.base, cfg.base,
		     tg_config_area_pages(&cfg), gen_table, sizeof(gen_table));
	print_start();
	if (cfg.pattern == TG_PATTERN_TOUCH)
		tg_run_touch(&area, &cfg, &self);
	else
		phase = tg_run_workload(&area, &cfg);
	tg_verify_owned(&area, &cfg);
	tg_print_stats(clock_elapsed(), phase);
	tg_done();
}
