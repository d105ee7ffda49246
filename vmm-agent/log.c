/* SPDX-License-Identifier: MIT */
/*
 * log.c - leveled log lines (see log.h).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"

static enum vlog_level max_level = VLOG_INFO;
static FILE *log_out;
static bool journal;

void vlog_init(enum vlog_level level, FILE *out)
{
	max_level = level;
	log_out = out;
	/* systemd sets JOURNAL_STREAM when stderr goes to the journal */
	journal = getenv("JOURNAL_STREAM") != NULL;
}

void vlog_set_journal(bool on)
{
	journal = on;
}

enum vlog_level vlog_max_level(void)
{
	return max_level;
}

static const char *level_name(enum vlog_level level)
{
	switch (level) {
	case VLOG_ERR: return "error";
	case VLOG_WARNING: return "warning";
	case VLOG_NOTICE: return "notice";
	case VLOG_INFO: return "info";
	default: return "debug";
	}
}

void vlog(enum vlog_level level, const char *fmt, ...)
{
	FILE *out = log_out ? log_out : stderr;
	va_list ap;

	if (level > max_level)
		return;
	/* one line at a time: the libvirt event thread logs too */
	flockfile(out);
	if (journal) {
		fprintf(out, "<%d>", (int)level);
	} else {
		struct timespec ts;
		struct tm tm;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(out, "%s.%03ld %s: ", when, ts.tv_nsec / 1000000,
			level_name(level));
	}
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	fflush(out);
	funlockfile(out);
}
