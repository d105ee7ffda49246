/* SPDX-License-Identifier: MIT */
/*
 * log.h - leveled log lines on stderr. Under systemd (JOURNAL_STREAM is
 * set) each line starts with the sd-daemon "<N>" priority prefix, so the
 * journal keeps the level; otherwise lines carry a time and a level name.
 */
#ifndef VMM_LOG_H
#define VMM_LOG_H

#include <stdbool.h>
#include <stdio.h>

/* syslog priorities */
enum vlog_level {
	VLOG_ERR = 3,
	VLOG_WARNING = 4,
	VLOG_NOTICE = 5,
	VLOG_INFO = 6,
	VLOG_DEBUG = 7,
};

/* max_level: lines above it are dropped. out: NULL for stderr. */
void vlog_init(enum vlog_level max_level, FILE *out);
void vlog_set_journal(bool journal);
enum vlog_level vlog_max_level(void);

__attribute__((format(printf, 2, 3)))
void vlog(enum vlog_level level, const char *fmt, ...);

#define log_err(...)	vlog(VLOG_ERR, __VA_ARGS__)
#define log_warn(...)	vlog(VLOG_WARNING, __VA_ARGS__)
#define log_notice(...)	vlog(VLOG_NOTICE, __VA_ARGS__)
#define log_info(...)	vlog(VLOG_INFO, __VA_ARGS__)
#define log_debug(...)	vlog(VLOG_DEBUG, __VA_ARGS__)

#endif /* VMM_LOG_H */
