// SPDX-License-Identifier: MIT
/* workload.c - the timed access loop. */
#include "workload.h"
#include "patterns.h"
#include "print.h"
#include "rtc.h"
#include "serial.h"
#include "status.h"
#include "tg_abi.h"

/* Clock checks cost several port exits; aim for about 16 per second. */
#define CHECKS_PER_SEC	16
#define MIN_CHECK_EVERY	16	/* emulated CPUs manage only hundreds a second */
#define MAX_CHECK_EVERY	(1u << 22)

enum stop { GO, END_PHASE, END_RUN };

struct run {
	struct tg_area *area;
	const struct tg_config *cfg;
	struct tg_picker pk;
	struct tg_rng rng;		/* read or write, which word */
	uint32_t phase;			/* 0 unless pattern=phases */
	uint32_t phase_end;		/* elapsed second that ends it */
	uint32_t next_report;
	uint32_t check_every;
	uint32_t since_check;
	uint32_t tick_t;		/* second of the last rate sample */
	uint64_t tick_accesses;
	enum stop stop;
};

static void adapt_rate(struct run *r, uint32_t t)
{
	uint64_t total = tg_st.reads + tg_st.writes;
	uint32_t per_sec, every;

	if (t == r->tick_t)
		return;
	/* Below 2^32 accesses per sample: 32-bit division suffices. */
	per_sec = (uint32_t)(total - r->tick_accesses) / (t - r->tick_t);
	every = per_sec / CHECKS_PER_SEC;
	if (every < MIN_CHECK_EVERY)
		every = MIN_CHECK_EVERY;
	if (every > MAX_CHECK_EVERY)
		every = MAX_CHECK_EVERY;
	r->check_every = every;
	r->tick_t = t;
	r->tick_accesses = total;
}

static void set_stop(struct run *r, enum stop s)
{
	if (s > r->stop)
		r->stop = s;
}

static void poll(struct run *r)
{
	const struct tg_config *cfg = r->cfg;
	uint32_t t = clock_elapsed();
	int c;

	r->since_check = 0;
	adapt_rate(r, t);
	if (cfg->report_secs && t >= r->next_report) {
		tg_print_stats(t, r->phase);
		r->next_report = t + cfg->report_secs;
	}
	while ((c = serial_getc()) >= 0) {
		if (c == 'v')
			tg_verify_owned(r->area, cfg);
		else if (c == 's')
			tg_print_stats(t, r->phase);
		else if (c == 'q')
			set_stop(r, END_RUN);
	}
	if (cfg->secs && t >= cfg->secs)
		set_stop(r, END_RUN);
	if (r->phase && t >= r->phase_end)
		set_stop(r, END_PHASE);
}

static void access_one(struct run *r)
{
	uint32_t idx = tg_picker_next(&r->pk);
	struct tg_bad bad;

	if (tg_rng_below(&r->rng, 100) < r->cfg->write_pct) {
		if (tg_page_bump(r->area, idx, &bad))
			tg_note_bad(&bad);
		tg_st.writes++;
	} else {
		if (tg_page_read(r->area, idx, tg_rng_next(&r->rng), &bad))
			tg_note_bad(&bad);
		tg_st.reads++;
	}
	if (++r->since_check >= r->check_every)
		poll(r);
}

/* One pass: as many accesses as the hot window has pages. */
static void run_pass(struct run *r)
{
	uint32_t k;

	for (k = 0; k < r->pk.n && r->stop == GO; k++)
		access_one(r);
	if (k == r->pk.n)
		tg_st.passes++;
}

static void print_phase(uint32_t phase, uint32_t first_gpa, uint32_t n)
{
	tg_puts("TG phase ");
	tg_putu(phase);
	tg_puts(" hot_gpa=");
	tg_putx(first_gpa);
	tg_puts("-");
	tg_putx(first_gpa + (n << TG_PAGE_SHIFT) - 1);
	tg_nl();
}

static void run_phases(struct run *r)
{
	const struct tg_config *cfg = r->cfg;

	for (r->phase = 1; !cfg->phases || r->phase <= cfg->phases;
	     r->phase++) {
		uint32_t first, n;

		if (r->phase > 1)
			tg_verify_owned(r->area, cfg);
		tg_phase_window(cfg, r->phase, &first, &n);
		print_phase(r->phase, cfg->base + (first << TG_PAGE_SHIFT), n);
		tg_picker_init(&r->pk, cfg->pattern, first, n,
			       cfg->seed + r->phase);
		r->phase_end = clock_elapsed() + cfg->phase_secs;
		r->stop = GO;
		while (r->stop == GO)
			run_pass(r);
		if (r->stop == END_RUN)
			break;
	}
	if (r->phase > cfg->phases && cfg->phases)
		r->phase = cfg->phases;
}

uint32_t tg_run_workload(struct tg_area *area, const struct tg_config *cfg)
{
	struct run r = {
		.area = area,
		.cfg = cfg,
		.next_report = cfg->report_secs,
		.check_every = MIN_CHECK_EVERY,
	};

	for (uint32_t idx = 0; idx < area->npages; idx++)
		tg_page_write(area, idx, 1);
	tg_puts("TG init pages=");
	tg_putu(area->npages);
	tg_nl();
	tg_rng_seed(&r.rng, cfg->seed ^ 0x5bd1e995u);
	clock_start(1);
	if (cfg->pattern == TG_PATTERN_PHASES) {
		run_phases(&r);
		return r.phase;
	}
	tg_picker_init(&r.pk, cfg->pattern, 0, cfg->hot, cfg->seed);
	while (r.stop == GO && (!cfg->passes || tg_st.passes < cfg->passes))
		run_pass(&r);
	return 0;
}
