/* SPDX-License-Identifier: MIT */
/*
 * ip_decode.c - streaming decoder of the idle_pages record stream.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ip_decode.h"

static const char *const type_names[IDLE_PAGE_TYPE_NUM] = {
	[PTE_ACCESSED] = "PTE_ACCESSED",
	[PMD_ACCESSED] = "PMD_ACCESSED",
	[PUD_PRESENT] = "PUD_PRESENT",
	[PTE_DIRTY] = "PTE_DIRTY",
	[PMD_DIRTY] = "PMD_DIRTY",
	[PTE_IDLE] = "PTE_IDLE",
	[PMD_IDLE] = "PMD_IDLE",
	[PMD_IDLE_PTES] = "PMD_IDLE_PTES",
	[PTE_HOLE] = "PTE_HOLE",
	[PMD_HOLE] = "PMD_HOLE",
	[PIP_CMD] = "PIP_CMD",
	[PUD_ACCESSED] = "PUD_ACCESSED",
	[PUD_IDLE] = "PUD_IDLE",
};

const char *ip_type_name(unsigned int type)
{
	return type < IDLE_PAGE_TYPE_NUM ? type_names[type] : "UNKNOWN";
}

unsigned int ip_type_page_shift(unsigned int type)
{
	switch (type) {
	case PTE_ACCESSED: case PTE_DIRTY: case PTE_IDLE: case PTE_HOLE:
		return 12;
	case PMD_ACCESSED: case PMD_DIRTY: case PMD_IDLE:
	case PMD_IDLE_PTES: case PMD_HOLE:
		return 21;
	case PUD_PRESENT: case PUD_ACCESSED: case PUD_IDLE:
		return 30;
	default:
		return 0;
	}
}

enum ip_state ip_type_state(unsigned int type)
{
	switch (type) {
	case PTE_ACCESSED: case PMD_ACCESSED: case PTE_DIRTY:
	case PMD_DIRTY: case PUD_ACCESSED:
		return IP_ST_ACCESSED;
	case PTE_IDLE: case PMD_IDLE: case PMD_IDLE_PTES: case PUD_IDLE:
		return IP_ST_IDLE;
	case PUD_PRESENT:
		return IP_ST_PRESENT;
	default:
		return IP_ST_HOLE;
	}
}

bool ip_type_dirty(unsigned int type)
{
	return type == PTE_DIRTY || type == PMD_DIRTY;
}

const char *ip_state_name(enum ip_state s)
{
	static const char *const names[] = {
		[IP_ST_HOLE] = "hole", [IP_ST_IDLE] = "idle",
		[IP_ST_ACCESSED] = "accessed", [IP_ST_PRESENT] = "present",
	};
	return names[s];
}

void ip_encode_set_hva(uint8_t *out, uint64_t hva)
{
	out[0] = PIP_SET_HVA_BYTE;
	for (int i = 0; i < 8; i++)
		out[1 + i] = (uint8_t)(hva >> (56 - 8 * i));
}

void ip_decoder_init(struct ip_decoder *d, uint64_t start_hva,
		     unsigned int flags)
{
	memset(d, 0, sizeof(*d));
	d->limit = IP_USER_END_LA57;
	d->flags = flags;
	d->hva_known = start_hva != IP_HVA_UNKNOWN;
	d->hva = d->hva_known ? start_hva : 0;
}

__attribute__((format(printf, 4, 5)))
static enum ip_dec_status fail(struct ip_decoder *d, enum ip_dec_status st,
			       uint64_t offset, const char *fmt, ...)
{
	va_list ap;
	int n;

	d->status = st;
	d->err_offset = offset;
	n = snprintf(d->msg, sizeof(d->msg), "byte %llu: ",
		     (unsigned long long)offset);
	va_start(ap, fmt);
	vsnprintf(d->msg + n, sizeof(d->msg) - n, fmt, ap);
	va_end(ap);
	return st;
}

static enum ip_dec_status flush(struct ip_decoder *d, ip_range_cb cb,
				void *arg)
{
	if (!d->has_pending)
		return IP_DEC_OK;
	d->has_pending = false;
	if (cb && cb(arg, &d->pending))
		return fail(d, IP_DEC_STOPPED, d->offset,
			    "stopped by the consumer");
	return IP_DEC_OK;
}

/* Hand one run to the consumer, merging it with the pending one. */
static enum ip_dec_status emit(struct ip_decoder *d, const struct ip_range *r,
			       ip_range_cb cb, void *arg)
{
	struct ip_range *p = &d->pending;
	enum ip_dec_status st;

	if (d->has_pending && !(d->flags & IP_DEC_PER_RECORD) &&
	    p->type == r->type && p->hva + p->npages * IP_PAGE_SIZE == r->hva) {
		p->npages += r->npages;
		return IP_DEC_OK;
	}
	st = flush(d, cb, arg);
	if (st)
		return st;
	*p = *r;
	d->has_pending = true;
	if (d->flags & IP_DEC_PER_RECORD)
		return flush(d, cb, arg);
	return IP_DEC_OK;
}

static enum ip_dec_status set_hva(struct ip_decoder *d, ip_range_cb cb,
				  void *arg)
{
	uint64_t hva = 0;
	enum ip_dec_status st;

	for (int i = 1; i < PIP_SET_HVA_LEN; i++)
		hva = hva << 8 | d->cmd[i];
	if (hva & (IP_PAGE_SIZE - 1))
		return fail(d, IP_DEC_UNALIGNED, d->cmd_offset,
			    "SET_HVA to 0x%llx, not 4 KiB aligned",
			    (unsigned long long)hva);
	if (hva > d->limit)
		return fail(d, IP_DEC_OVERFLOW, d->cmd_offset,
			    "SET_HVA to 0x%llx, past the end of the address space (0x%llx)",
			    (unsigned long long)hva,
			    (unsigned long long)d->limit);
	if (d->flags & IP_DEC_PER_RECORD) {
		struct ip_range cmd = {
			.hva = hva, .offset = d->cmd_offset, .type = PIP_CMD,
		};
		st = emit(d, &cmd, cb, arg);
		if (st)
			return st;
	}
	if (d->hva_known && hva > d->hva) {
		/* a jump over unmapped space: the same as hole records */
		struct ip_range hole = {
			.hva = d->hva, .npages = (hva - d->hva) / IP_PAGE_SIZE,
			.offset = d->cmd_offset, .type = PTE_HOLE,
			.page_shift = 12,
		};
		st = emit(d, &hole, cb, arg);
		if (st)
			return st;
	}
	d->hva = hva;
	d->hva_known = true;
	return IP_DEC_OK;
}

static enum ip_dec_status record(struct ip_decoder *d, uint8_t rec,
				 ip_range_cb cb, void *arg)
{
	unsigned int type = PIP_TYPE(rec), nr = PIP_NR(rec);
	unsigned int shift = ip_type_page_shift(type);
	uint64_t size;
	struct ip_range r;

	if (!shift)
		return fail(d, IP_DEC_BAD_TYPE, d->offset,
			    "unknown record type %u (byte 0x%02x)", type, rec);
	if (!nr)
		return fail(d, IP_DEC_ZERO_NR, d->offset,
			    "%s record with nr=0 (byte 0x%02x)",
			    ip_type_name(type), rec);
	if (!d->hva_known)
		return fail(d, IP_DEC_NO_HVA, d->offset,
			    "%s record before any SET_HVA, address unknown",
			    ip_type_name(type));
	size = (uint64_t)nr << shift;
	if (d->hva > d->limit || size > d->limit - d->hva)
		return fail(d, IP_DEC_OVERFLOW, d->offset,
			    "%s x%u at 0x%llx runs past the end of the address space (0x%llx)",
			    ip_type_name(type), nr,
			    (unsigned long long)d->hva,
			    (unsigned long long)d->limit);
	r = (struct ip_range){
		.hva = d->hva, .npages = size / IP_PAGE_SIZE,
		.offset = d->offset, .type = (uint8_t)type,
		.page_shift = (uint8_t)shift,
	};
	d->hva += size;
	return emit(d, &r, cb, arg);
}

enum ip_dec_status ip_decode(struct ip_decoder *d, const uint8_t *buf,
			     size_t len, ip_range_cb cb, void *arg)
{
	enum ip_dec_status st;

	for (size_t i = 0; i < len && !d->status; i++) {
		uint8_t b = buf[i];

		if (d->cmd_len) {
			/* inside a SET_HVA: collect its address bytes */
			d->cmd[d->cmd_len++] = b;
			d->offset++;
			if (d->cmd_len == PIP_SET_HVA_LEN) {
				d->cmd_len = 0;
				st = set_hva(d, cb, arg);
				if (st)
					return st;
			}
			continue;
		}
		if (PIP_TYPE(b) == PIP_CMD) {
			if (PIP_NR(b) != PIP_CMD_SET_HVA)
				return fail(d, IP_DEC_BAD_CMD, d->offset,
					    "unknown command %u (byte 0x%02x)",
					    PIP_NR(b), b);
			d->cmd[0] = b;
			d->cmd_len = 1;
			d->cmd_offset = d->offset++;
			continue;
		}
		st = record(d, b, cb, arg);
		if (st)
			return st;
		d->offset++;
	}
	return d->status;
}

enum ip_dec_status ip_decode_finish(struct ip_decoder *d, ip_range_cb cb,
				    void *arg)
{
	if (d->status)
		return d->status;
	if (d->cmd_len)
		return fail(d, IP_DEC_TRUNCATED, d->cmd_offset,
			    "truncated SET_HVA command (%u of %d bytes)",
			    d->cmd_len, PIP_SET_HVA_LEN);
	return flush(d, cb, arg);
}
