/* SPDX-License-Identifier: MIT */
/*
 * ip_reader.h - reads /proc/idle_pages: open with the scan-mode flags,
 * pick the target (IDLE_PAGE_SET_PID), optionally ask for the extended
 * format, fetch the info struct, and scan a list of HVA ranges, handing
 * the decoded ranges (and, if wanted, the raw bytes) to callbacks.
 *
 * One scan round is open, scan, close (the module flushes the TLB once
 * per round); ip_reader_round() does exactly that.
 *
 *	struct ip_reader r;
 *	struct ip_hva_range all = { 0, IP_HVA_END_ALL };
 *	struct ip_scan_cbs cbs = { .range = my_cb, .arg = me };
 *	ip_reader_init(&r, NULL);
 *	if (ip_reader_round(&r, pid, IP_MODE_DIRTY, &all, 1, &cbs))
 *		fprintf(stderr, "%s\n", r.err);
 *	ip_reader_fini(&r);
 */
#ifndef IP_READER_H
#define IP_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "idle_pages.h"
#include "ip_decode.h"

/* Scan modes (mapped to the open(2) flags of the ABI) */
#define IP_MODE_HUGE_ONLY	(1u << 0)	/* O_NONBLOCK */
#define IP_MODE_SKIM		(1u << 1)	/* O_NOFOLLOW */
#define IP_MODE_DIRTY		(1u << 2)	/* O_NOATIME */
#define IP_MODE_EXT		(1u << 3)	/* IDLE_PAGE_SET_FORMAT ext */

/* Half-open HVA range; end IP_HVA_END_ALL reads until the module says EOF. */
struct ip_hva_range {
	uint64_t start, end;
};
#define IP_HVA_END_ALL	UINT64_MAX

/*
 * The system calls the reader makes, replaceable so that tests can run
 * the reader against a simulated module. Each returns -1 and sets errno
 * on failure, like the real calls.
 */
struct ip_sys_ops {
	int (*open)(void *ctx, const char *path, int flags);
	int (*ioctl)(void *ctx, int fd, unsigned long req, unsigned long arg);
	off_t (*lseek)(void *ctx, int fd, off_t off, int whence);
	ssize_t (*read)(void *ctx, int fd, void *buf, size_t count);
	int (*close)(void *ctx, int fd);
	void *ctx;
};

/*
 * Callbacks of a scan; either may be NULL. raw() receives the bytes as
 * read, plus a SET_HVA before each read whose start the stream would not
 * otherwise tell, so that the concatenation decodes on its own (from
 * IP_HVA_UNKNOWN) to exactly the ranges range() saw.
 */
struct ip_scan_cbs {
	ip_range_cb range;
	int (*raw)(void *arg, const uint8_t *buf, size_t len);
	void *arg;
};

struct ip_reader {
	const struct ip_sys_ops *sys;
	const char *path;		/* IDLE_PAGES_PATH */
	int fd;				/* -1 when closed */
	pid_t pid;
	unsigned int mode;
	struct idle_pages_info info;	/* from the last open */
	bool have_info;			/* the module answered GET_INFO */
	size_t bufsize;
	uint8_t *buf;
	uint64_t reads, bytes;		/* counters over the reader's life */
	char err[320];
};

/* sys: NULL for the real system calls. */
void ip_reader_init(struct ip_reader *r, const struct ip_sys_ops *sys);
void ip_reader_fini(struct ip_reader *r);

/* Open, SET_PID, SET_FORMAT (if IP_MODE_EXT), GET_INFO. 0 or -1 + r->err. */
int ip_reader_open(struct ip_reader *r, pid_t pid, unsigned int mode);

/*
 * Scan ranges (sorted by start) once: lseek to each, read until the
 * position reaches its end. Overlaps with what was already scanned this
 * round are skipped. 0, or -1 with r->err.
 */
int ip_reader_scan(struct ip_reader *r, const struct ip_hva_range *ranges,
		   size_t n, const struct ip_scan_cbs *cbs);

void ip_reader_close(struct ip_reader *r);

/* One round: open, scan, close. */
int ip_reader_round(struct ip_reader *r, pid_t pid, unsigned int mode,
		    const struct ip_hva_range *ranges, size_t n,
		    const struct ip_scan_cbs *cbs);

/* True if the info says the target is a VM (walks nested page tables). */
bool ip_info_is_vm(const struct idle_pages_info *info);
const char *ip_backend_name(uint32_t backend);

#endif /* IP_READER_H */
