/* SPDX-License-Identifier: MIT */
/*
 * fuzz_decode.c - libFuzzer target for the idle_pages stream decoder.
 * The first input byte picks a chunk size and the address limit; the rest
 * is the stream. Checks, besides memory safety under ASan: every range
 * is non-empty, within the limit, of its type's page size, in stream
 * order; an error's offset lies inside the stream; and decoding in
 * chunks gives exactly what decoding in one piece gives.
 */
#include <stdlib.h>
#include <string.h>

#include "ip_decode.h"

#define MAX_KEEP 4096

struct run {
	struct ip_range r[MAX_KEEP];
	size_t n;
	uint64_t limit, len;
	uint64_t last_offset;
};

static int check_cb(void *arg, const struct ip_range *r)
{
	struct run *run = arg;

	if (r->offset >= run->len || r->offset < run->last_offset)
		abort();
	run->last_offset = r->offset;
	if (r->type != PIP_CMD) {
		if (!r->npages || r->hva > run->limit ||
		    r->npages > (run->limit - r->hva) / IP_PAGE_SIZE)
			abort();
		if (r->type != PTE_HOLE &&
		    r->page_shift != ip_type_page_shift(r->type))
			abort();
		if (r->hva & (IP_PAGE_SIZE - 1))
			abort();
	}
	if (run->n < MAX_KEEP)
		run->r[run->n] = *r;
	run->n++;
	return 0;
}

static enum ip_dec_status decode(const uint8_t *buf, size_t len,
				 size_t chunk, uint64_t limit,
				 unsigned int flags, struct run *run,
				 struct ip_decoder *d)
{
	enum ip_dec_status st = IP_DEC_OK;

	memset(run, 0, sizeof(*run));
	run->limit = limit;
	run->len = len;
	ip_decoder_init(d, IP_HVA_UNKNOWN, flags);
	d->limit = limit;
	for (size_t off = 0; off < len && !st; off += chunk)
		st = ip_decode(d, buf + off, len - off < chunk ? len - off : chunk,
			       check_cb, run);
	if (!st)
		st = ip_decode_finish(d, check_cb, run);
	if (st && d->err_offset >= len)
		abort();
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run whole, chunked;
	struct ip_decoder dw, dc;
	static const uint64_t limits[] = {
		IP_USER_END_LA57, IP_USER_END_4LEVEL, UINT64_MAX, 1ull << 32,
	};
	enum ip_dec_status sw, sc;
	uint64_t limit;
	unsigned int flags;
	size_t chunk;

	if (size < 1)
		return 0;
	chunk = (data[0] & 15) + 1;
	limit = limits[(data[0] >> 4) & 3];
	flags = data[0] & 0x40 ? IP_DEC_PER_RECORD : 0;
	data++;
	size--;
	sw = decode(data, size, size ? size : 1, limit, flags, &whole, &dw);
	sc = decode(data, size, chunk, limit, flags, &chunked, &dc);
	if (sw != sc || whole.n != chunked.n ||
	    (sw && dw.err_offset != dc.err_offset))
		abort();
	for (size_t i = 0; i < whole.n && i < MAX_KEEP; i++) {
		const struct ip_range *a = &whole.r[i], *b = &chunked.r[i];

		/* field by field: the struct has padding */
		if (a->hva != b->hva || a->npages != b->npages ||
		    a->offset != b->offset || a->type != b->type ||
		    a->page_shift != b->page_shift)
			abort();
	}
	return 0;
}
