/* SPDX-License-Identifier: MIT */
/*
 * ip_reader.c - one scan round over /proc/idle_pages.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ip_reader.h"

/* Large reads: a VM's whole address space is read from 0 in one pass. */
#define IP_READ_BUF	(256u << 10)

static int sys_open(void *ctx, const char *path, int flags)
{
	(void)ctx;
	return open(path, flags);
}

static int sys_ioctl(void *ctx, int fd, unsigned long req, unsigned long arg)
{
	(void)ctx;
	return ioctl(fd, req, arg);
}

static off_t sys_lseek(void *ctx, int fd, off_t off, int whence)
{
	(void)ctx;
	return lseek(fd, off, whence);
}

static ssize_t sys_read(void *ctx, int fd, void *buf, size_t count)
{
	(void)ctx;
	return read(fd, buf, count);
}

static int sys_close(void *ctx, int fd)
{
	(void)ctx;
	return close(fd);
}

static const struct ip_sys_ops real_sys = {
	sys_open, sys_ioctl, sys_lseek, sys_read, sys_close, NULL,
};

__attribute__((format(printf, 2, 3)))
static int fail(struct ip_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* The message for errors that mean "not allowed to look at this pid". */
static int fail_access(struct ip_reader *r, const char *what, int err)
{
	if (err == EPERM || err == EACCES)
		return fail(r, "%s: %s: reading idle pages of pid %d needs CAP_SYS_ADMIN or CAP_SYS_PTRACE (root), unless it is your own process",
			    what, strerror(err), (int)r->pid);
	if (err == ESRCH)
		return fail(r, "%s: no such process: pid %d", what,
			    (int)r->pid);
	if (err == EOPNOTSUPP)
		return fail(r, "%s: %s: pid %d is a VM on KVM's legacy shadow MMU (kvm.tdp_mmu=N), which the module cannot scan",
			    what, strerror(err), (int)r->pid);
	return fail(r, "%s: %s", what, strerror(err));
}

void ip_reader_init(struct ip_reader *r, const struct ip_sys_ops *sys)
{
	memset(r, 0, sizeof(*r));
	r->sys = sys ? sys : &real_sys;
	r->path = IDLE_PAGES_PATH;
	r->fd = -1;
	r->bufsize = IP_READ_BUF;
}

void ip_reader_fini(struct ip_reader *r)
{
	ip_reader_close(r);
	free(r->buf);
	r->buf = NULL;
}

static int open_flags(unsigned int mode)
{
	int flags = O_RDONLY | O_CLOEXEC;

	if (mode & IP_MODE_HUGE_ONLY)
		flags |= IDLE_PAGES_HUGE_ONLY_FLAG;
	if (mode & IP_MODE_SKIM)
		flags |= IDLE_PAGES_SKIM_FLAG;
	if (mode & IP_MODE_DIRTY)
		flags |= IDLE_PAGES_DIRTY_FLAG;
	return flags;
}

int ip_reader_open(struct ip_reader *r, pid_t pid, unsigned int mode)
{
	const struct ip_sys_ops *s = r->sys;
	int fd;

	ip_reader_close(r);
	r->pid = pid;
	r->mode = mode;
	r->have_info = false;
	memset(&r->info, 0, sizeof(r->info));
	if (pid <= 0)
		return fail(r, "invalid pid %d", (int)pid);
	if (!r->buf) {
		r->buf = malloc(r->bufsize);
		if (!r->buf)
			return fail(r, "out of memory for a %zu-byte read buffer",
				    r->bufsize);
	}
	fd = s->open(s->ctx, r->path, open_flags(mode));
	if (fd < 0) {
		int err = errno;

		if (err == ENOENT)
			return fail(r, "%s does not exist: the idle_pages kernel module is not loaded",
				    r->path);
		if (err == EPERM || err == EACCES)
			return fail(r, "cannot open %s: %s: you need CAP_SYS_ADMIN or CAP_SYS_PTRACE (root)",
				    r->path, strerror(err));
		return fail(r, "cannot open %s: %s", r->path, strerror(err));
	}
	r->fd = fd;
	if (s->ioctl(s->ctx, fd, IDLE_PAGE_SET_PID, (unsigned long)pid) < 0) {
		fail_access(r, "IDLE_PAGE_SET_PID", errno);
		goto err;
	}
	if ((mode & IP_MODE_EXT) &&
	    s->ioctl(s->ctx, fd, IDLE_PAGE_SET_FORMAT,
		     IDLE_PAGES_FORMAT_EXT) < 0) {
		fail(r, "the module does not offer the extended format (IDLE_PAGE_SET_FORMAT: %s)",
		     strerror(errno));
		goto err;
	}
	r->info.size = sizeof(r->info);
	if (s->ioctl(s->ctx, fd, IDLE_PAGE_GET_INFO,
		     (unsigned long)&r->info) == 0) {
		r->have_info = true;
	} else if (errno != ENOTTY && errno != EINVAL) {
		fail_access(r, "IDLE_PAGE_GET_INFO", errno);
		goto err;
	} else {
		/* an original-interface module: no info, not an error */
		memset(&r->info, 0, sizeof(r->info));
	}
	return 0;
err:
	ip_reader_close(r);
	return -1;
}

void ip_reader_close(struct ip_reader *r)
{
	if (r->fd >= 0)
		r->sys->close(r->sys->ctx, r->fd);
	r->fd = -1;
}

struct scan_state {
	struct ip_reader *r;
	const struct ip_scan_cbs *cbs;
	struct ip_decoder dec;
};

/* Feeds bytes to the raw consumer and the decoder. */
static int feed(struct scan_state *st, const uint8_t *buf, size_t len)
{
	const struct ip_scan_cbs *cbs = st->cbs;

	if (cbs->raw && cbs->raw(cbs->arg, buf, len))
		return fail(st->r, "scan stopped by the raw consumer");
	if (ip_decode(&st->dec, buf, len, cbs->range, cbs->arg)) {
		if (st->dec.status == IP_DEC_STOPPED)
			return fail(st->r, "scan stopped by the consumer");
		return fail(st->r, "bad record stream from %s: %s",
			    st->r->path, st->dec.msg);
	}
	return 0;
}

/* Makes the stream say where a read starts, unless it already does. */
static int sync_position(struct scan_state *st, uint64_t pos)
{
	uint8_t cmd[PIP_SET_HVA_LEN];

	if (st->dec.cmd_len || (st->dec.hva_known && st->dec.hva == pos))
		return 0;
	ip_encode_set_hva(cmd, pos);
	return feed(st, cmd, sizeof(cmd));
}

/* Bytes to ask for so a read covers about the rest of [pos, end). */
static size_t read_count(const struct ip_reader *r, uint64_t pos,
			 uint64_t end)
{
	uint64_t pages = (end - pos + IP_PAGE_SIZE - 1) / IP_PAGE_SIZE;
	uint64_t want = (pages + IDLE_PAGES_PAGES_PER_BYTE - 1) /
			IDLE_PAGES_PAGES_PER_BYTE;

	if (want > r->bufsize)
		want = r->bufsize;
	if (want < IDLE_PAGES_MIN_READ)
		want = IDLE_PAGES_MIN_READ;
	return (size_t)want;
}

/* Reads [pos, end); *pos ends where the module left the file position. */
static int scan_one(struct scan_state *st, uint64_t *pos, uint64_t end,
		    bool *eof)
{
	struct ip_reader *r = st->r;
	const struct ip_sys_ops *s = r->sys;

	if (s->lseek(s->ctx, r->fd, (off_t)*pos, SEEK_SET) < 0)
		return fail(r, "lseek to 0x%llx: %s",
			    (unsigned long long)*pos, strerror(errno));
	while (*pos < end && *pos < st->dec.limit) {
		ssize_t n;
		off_t next;

		n = s->read(s->ctx, r->fd, r->buf, read_count(r, *pos, end));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ESRCH)
				return fail(r, "pid %d exited during the scan",
					    (int)r->pid);
			return fail_access(r, "read", errno);
		}
		if (n == 0) {	/* end of user space */
			*eof = true;
			return 0;
		}
		r->reads++;
		r->bytes += (uint64_t)n;
		if (sync_position(st, *pos) || feed(st, r->buf, (size_t)n))
			return -1;
		next = s->lseek(s->ctx, r->fd, 0, SEEK_CUR);
		if (next < 0)
			return fail(r, "lseek: %s", strerror(errno));
		if ((uint64_t)next <= *pos)
			return fail(r, "the module did not advance the file position past 0x%llx",
				    (unsigned long long)*pos);
		*pos = (uint64_t)next;
	}
	return 0;
}

int ip_reader_scan(struct ip_reader *r, const struct ip_hva_range *ranges,
		   size_t n, const struct ip_scan_cbs *cbs)
{
	struct scan_state st = { .r = r, .cbs = cbs };
	uint64_t done = 0;	/* everything below was scanned this round */
	bool eof = false;

	if (r->fd < 0)
		return fail(r, "scan without an open %s", r->path);
	ip_decoder_init(&st.dec, IP_HVA_UNKNOWN, 0);
	for (size_t i = 0; i < n && !eof; i++) {
		uint64_t pos = ranges[i].start > done ? ranges[i].start : done;

		if (pos & (IP_PAGE_SIZE - 1))
			return fail(r, "range start 0x%llx is not page aligned",
				    (unsigned long long)pos);
		if (pos >= ranges[i].end)
			continue;
		if (scan_one(&st, &pos, ranges[i].end, &eof))
			return -1;
		done = pos;
	}
	if (ip_decode_finish(&st.dec, cbs->range, cbs->arg))
		return fail(r, "bad record stream from %s: %s", r->path,
			    st.dec.msg);
	return 0;
}

int ip_reader_round(struct ip_reader *r, pid_t pid, unsigned int mode,
		    const struct ip_hva_range *ranges, size_t n,
		    const struct ip_scan_cbs *cbs)
{
	int ret;

	if (ip_reader_open(r, pid, mode))
		return -1;
	ret = ip_reader_scan(r, ranges, n, cbs);
	ip_reader_close(r);
	return ret;
}

bool ip_info_is_vm(const struct idle_pages_info *info)
{
	return info->backend == IDLE_PAGES_BACKEND_EPT ||
	       info->backend == IDLE_PAGES_BACKEND_NPT;
}

const char *ip_backend_name(uint32_t backend)
{
	switch (backend) {
	case IDLE_PAGES_BACKEND_NONE: return "none";
	case IDLE_PAGES_BACKEND_EPT: return "ept";
	case IDLE_PAGES_BACKEND_NPT: return "npt";
	case IDLE_PAGES_BACKEND_NATIVE: return "native";
	default: return "unknown";
	}
}
