/* SPDX-License-Identifier: MIT */
/*
 * fake_module.c - the synthetic /proc/idle_pages (see fake_module.h).
 * The read follows kvm-module/idle_pages_main.c (ip_read, ip_sink_*) and
 * scan_vm.c's chunking; its time is the fake's, not the agent's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fake_module.h"
#include "stage.h"

#define FAKE_FD		42
#define USER_END	(1ull << 47)	/* TASK_SIZE_MAX, 4-level paging */
#define PAGE		4096ull
#define PMD_SIZE	(2ull << 20)
#define CHUNK_BYTES(pages)	((pages) + PIP_SET_HVA_LEN + 1)

static int fm_open(void *ctx, const char *path, int flags)
{
	struct fake_module *m = ctx;

	(void)path;
	m->flags = flags & IDLE_PAGES_SKIM_FLAG ? PTW_SKIM : 0;
	m->n.opens++;
	m->scan++;
	m->pos = 0;
	return FAKE_FD;
}

static int fm_ioctl(void *ctx, int fd, unsigned long req, unsigned long arg)
{
	struct fake_module *m = ctx;
	struct idle_pages_info *info;

	(void)fd;
	m->n.ioctls++;
	switch (req) {
	case IDLE_PAGE_SET_PID:
	case IDLE_PAGE_SET_FORMAT:
		return 0;
	case IDLE_PAGE_GET_INFO:
		info = (struct idle_pages_info *)arg;
		memset(info, 0, sizeof(*info));
		info->size = sizeof(*info);
		info->version = IDLE_PAGES_INFO_VERSION;
		info->backend = IDLE_PAGES_BACKEND_NPT;
		info->nr_roots = 1;
		info->nr_memslots = 1;
		info->root_levels = 4;
		/* huge-only: the stream of 2 MiB mappings is the same */
		info->flags_honoured = IDLE_PAGES_HONOURS_SKIM |
			(m->pat->level == PTW_2M ?
			 IDLE_PAGES_HONOURS_HUGE_ONLY : 0);
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

static off_t fm_lseek(void *ctx, int fd, off_t off, int whence)
{
	struct fake_module *m = ctx;

	(void)fd;
	m->n.lseeks++;
	if (whence == SEEK_SET)
		m->pos = (uint64_t)off;
	else if (whence == SEEK_CUR)
		m->pos += (uint64_t)off;
	else {
		errno = EINVAL;
		return -1;
	}
	return (off_t)m->pos;
}

struct sink {
	u8 *ubuf;
	size_t count, copied;
	struct ptw_enc enc;
};

/* ip_sink_room() */
static size_t room(const struct sink *s)
{
	return s->count - s->copied - s->enc.len - 1;
}

/* ip_chunk_end(): a 2 MiB boundary where possible */
static uint64_t chunk_end(uint64_t start, uint64_t pages, uint64_t limit)
{
	uint64_t end = start + pages * PAGE, aligned = end & ~(PMD_SIZE - 1);

	if (end >= limit)
		return limit;
	return aligned > start ? aligned : end;
}

/* Walks [*pos, limit) chunk by chunk while the buffer has room. */
static int scan_slot(struct fake_module *m, struct sink *s, uint64_t *pos,
		     uint64_t window_end, uint64_t limit)
{
	bool warm = pattern_warm_scan(m->scan);

	while (*pos < limit) {
		uint64_t n = FAKE_CHUNK_PAGES, end;
		size_t r = room(s);

		if ((window_end - *pos) / PAGE < n)
			n = (window_end - *pos) / PAGE;
		if (r <= PIP_SET_HVA_LEN)
			break;
		if (r - PIP_SET_HVA_LEN < n)
			n = r - PIP_SET_HVA_LEN;
		end = chunk_end(*pos, n, limit);
		m->runs.nr = 0;
		if (pattern_runs(m->pat, warm, (*pos - m->base) / PAGE,
				 (end - *pos) / PAGE, m->flags, &m->runs) ||
		    ptw_enc_runs(&s->enc, &m->runs, m->base))
			return -1;
		memcpy(s->ubuf + s->copied, s->enc.buf, s->enc.len);
		s->copied += s->enc.len;
		s->enc.len = 0;
		*pos = end;
	}
	return 0;
}

static ssize_t fm_read(void *ctx, int fd, void *buf, size_t count)
{
	struct fake_module *m = ctx;
	uint64_t pos = m->pos, guest_end = m->base + m->pages * PAGE;
	uint64_t window_end, limit;
	struct sink s = { .ubuf = buf, .count = count };
	ssize_t ret = -1;
	size_t len;

	(void)fd;
	if (count < IDLE_PAGES_MIN_READ || (pos & (PAGE - 1))) {
		errno = EINVAL;
		return -1;
	}
	if (pos >= USER_END)
		return 0;
	stage_fake_begin();
	m->n.reads++;
	if (count > (1u << 30))
		s.count = count = 1u << 30;
	window_end = pos + (uint64_t)count * IDLE_PAGES_PAGES_PER_BYTE * PAGE;
	if (window_end > USER_END)
		window_end = USER_END;
	limit = window_end < guest_end ? window_end : guest_end;
	ptw_enc_init(&s.enc, m->kbuf, CHUNK_BYTES(FAKE_CHUNK_PAGES), pos,
		     m->flags);
	/* nothing is mapped below the slot */
	if (pos < m->base)
		pos = m->base;
	if (pos < limit && scan_slot(m, &s, &pos, window_end, limit)) {
		errno = EIO;
		goto out;
	}
	/* nothing mapped past the slot in the window: on to the end */
	if (pos >= guest_end && window_end > guest_end)
		pos = USER_END;
	/* ip_sink_finish() */
	if (pos != s.enc.next_hva || !s.enc.started) {
		if (room(&s) >= PIP_SET_HVA_LEN)
			ptw_enc_seek(&s.enc, pos);
		else
			pos = s.enc.next_hva;
	}
	len = ptw_enc_finish(&s.enc);
	memcpy(s.ubuf + s.copied, s.enc.buf, len);
	s.copied += len;
	m->pos = pos;
	m->n.bytes += s.copied;
	ret = (ssize_t)s.copied;
out:
	stage_fake_end();
	return ret;
}

static int fm_close(void *ctx, int fd)
{
	struct fake_module *m = ctx;

	(void)fd;
	m->n.closes++;
	return 0;
}

int fake_module_init(struct fake_module *m, const struct pattern *p,
		     uint64_t base, uint64_t pages)
{
	memset(m, 0, sizeof(*m));
	m->pat = p;
	m->base = base;
	m->pages = pages;
	m->run_mem = malloc((FAKE_CHUNK_PAGES + 1) * sizeof(*m->run_mem));
	m->kbuf = malloc(CHUNK_BYTES(FAKE_CHUNK_PAGES));
	if (!m->run_mem || !m->kbuf) {
		fake_module_fini(m);
		return -1;
	}
	m->runs = (struct ptw_runs){ m->run_mem, 0, FAKE_CHUNK_PAGES + 1 };
	m->ops = (struct ip_sys_ops){
		fm_open, fm_ioctl, fm_lseek, fm_read, fm_close, m,
	};
	return 0;
}

void fake_module_fini(struct fake_module *m)
{
	free(m->run_mem);
	free(m->kbuf);
	m->run_mem = NULL;
	m->kbuf = NULL;
}
