/* SPDX-License-Identifier: MIT */
/*
 * config.h - the test guest's command line: key=value words, parsed the
 * same way by the guest and by tg-launch (which needs the working set to
 * size memory and to write its step reports). Freestanding C.
 */
#ifndef TG_CONFIG_H
#define TG_CONFIG_H

#include <stdint.h>

enum tg_pattern {
	TG_PATTERN_UNIFORM,	/* uniform random over the hot pages */
	TG_PATTERN_ZIPF,	/* skewed (about Zipf s=1) over the hot pages */
	TG_PATTERN_SEQ,		/* sequential sweeps over the hot pages */
	TG_PATTERN_PHASES,	/* uniform over a hot window that moves */
	TG_PATTERN_TOUCH,	/* an explicit page set, one step per pass */
};

#define TG_MAX_RANGES 32

/* Inclusive range of page indices, relative to base. */
struct tg_range {
	uint32_t first;
	uint32_t last;
};

struct tg_config {
	uint32_t base;		/* GPA of the working area, MiB aligned */
	uint32_t hot;		/* pages */
	uint32_t cold;		/* pages */
	enum tg_pattern pattern;
	uint32_t phases;	/* 0 = forever */
	uint32_t phase_secs;
	uint32_t write_pct;	/* 0..100 */
	uint32_t seed;
	uint32_t passes;	/* 0 = forever */
	uint32_t secs;		/* overall time limit, 0 = none */
	uint32_t report_secs;	/* 0 = stats only at the end */
	uint32_t nranges;	/* touch= */
	struct tg_range ranges[TG_MAX_RANGES];
	uint32_t has_touch2;	/* touch2= given: steps >= 2 touch only it */
	uint32_t nranges2;	/* touch2= ranges, 0 for touch2=none */
	struct tg_range ranges2[TG_MAX_RANGES];
	uint32_t stride;	/* stride= count=: pages 0, K, 2K, ... */
	uint32_t count;
};

/*
 * Parses cmdline into cfg (defaults first). A leading word with '/' or '.'
 * and no '=' (the kernel path that GRUB and QEMU put first) is skipped.
 * Returns 0, or -1 with a one-line reason in err (always NUL-terminated).
 */
int tg_config_parse(struct tg_config *cfg, const char *cmdline,
		    char *err, uint32_t errlen);

/* Pages from base that the guest owns (its working area). */
uint32_t tg_config_area_pages(const struct tg_config *cfg);

const char *tg_pattern_name(enum tg_pattern p);

#endif /* TG_CONFIG_H */
