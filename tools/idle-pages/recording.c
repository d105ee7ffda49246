/* SPDX-License-Identifier: MIT */
/*
 * recording.c - write and read idle-pages recordings (little-endian).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "recording.h"

/* Fixed part of the header, before the target description. */
#define HDR_FIXED	44
/* Fixed part of a round, before its stream. */
#define ROUND_FIXED	40
#define NODE_RUN_LEN	24

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int rec_write_header(FILE *f, const struct rec_header *h)
{
	uint8_t fixed[HDR_FIXED];
	uint32_t tlen = (uint32_t)strnlen(h->target, sizeof(h->target));
	uint32_t ilen = h->have_info ? sizeof(h->info) : 0;

	memcpy(fixed, REC_MAGIC, REC_MAGIC_LEN);
	put32(fixed + 8, REC_VERSION);
	put32(fixed + 12, HDR_FIXED + tlen + ilen);
	put32(fixed + 16, h->mode);
	put32(fixed + 20, h->interval_ms);
	put32(fixed + 24, (uint32_t)h->pid);
	put32(fixed + 28, ilen);
	put64(fixed + 32, h->start_ns);
	put32(fixed + 40, tlen);
	if (fwrite(fixed, sizeof(fixed), 1, f) != 1 ||
	    fwrite(h->target, 1, tlen, f) != tlen ||
	    (ilen && fwrite(&h->info, ilen, 1, f) != 1))
		return -1;
	return fflush(f) ? -1 : 0;
}

int rec_write_round(FILE *f, const struct rec_round *r)
{
	uint8_t fixed[ROUND_FIXED], run[NODE_RUN_LEN];

	put32(fixed, REC_ROUND_MAGIC);
	put32(fixed + 4, r->has_nodes ? REC_ROUND_HAS_NODES : 0);
	put64(fixed + 8, r->time_ns);
	put64(fixed + 16, r->duration_ns);
	put64(fixed + 24, r->scan_len);
	put64(fixed + 32, r->has_nodes ? r->nnodes : 0);
	if (fwrite(fixed, sizeof(fixed), 1, f) != 1 ||
	    (r->scan_len && fwrite(r->scan, r->scan_len, 1, f) != 1))
		return -1;
	for (uint64_t i = 0; r->has_nodes && i < r->nnodes; i++) {
		put64(run, r->nodes[i].hva);
		put64(run + 8, r->nodes[i].npages);
		put32(run + 16, (uint32_t)r->nodes[i].node);
		put32(run + 20, 0);
		if (fwrite(run, sizeof(run), 1, f) != 1)
			return -1;
	}
	return fflush(f) ? -1 : 0;
}

int rec_read_header(FILE *f, struct rec_header *h, char *err, size_t errlen)
{
	uint8_t fixed[HDR_FIXED];
	uint32_t hlen, tlen, ilen;

	memset(h, 0, sizeof(*h));
	if (fread(fixed, sizeof(fixed), 1, f) != 1 ||
	    memcmp(fixed, REC_MAGIC, REC_MAGIC_LEN)) {
		snprintf(err, errlen, "not an idle-pages recording (no %s header)",
			 REC_MAGIC);
		return -1;
	}
	h->version = get32(fixed + 8);
	if (h->version != REC_VERSION) {
		snprintf(err, errlen, "recording format version %u; this tool reads version %d",
			 h->version, REC_VERSION);
		return -1;
	}
	hlen = get32(fixed + 12);
	h->mode = get32(fixed + 16);
	h->interval_ms = get32(fixed + 20);
	h->pid = (int32_t)get32(fixed + 24);
	ilen = get32(fixed + 28);
	h->start_ns = get64(fixed + 32);
	tlen = get32(fixed + 40);
	if (tlen >= sizeof(h->target) || ilen > 4096 ||
	    hlen != HDR_FIXED + tlen + ilen) {
		snprintf(err, errlen, "corrupt recording header (lengths %u/%u/%u)",
			 hlen, tlen, ilen);
		return -1;
	}
	if (fread(h->target, 1, tlen, f) != tlen)
		goto short_read;
	h->target[tlen] = '\0';
	if (ilen) {
		uint8_t buf[4096];

		if (fread(buf, ilen, 1, f) != 1)
			goto short_read;
		/* a newer module's larger struct: keep the part we know */
		memcpy(&h->info, buf, ilen < sizeof(h->info) ? ilen : sizeof(h->info));
		h->have_info = true;
	}
	return 0;
short_read:
	snprintf(err, errlen, "recording header cut short");
	return -1;
}

/* Bytes left in f; guards allocations against corrupt lengths. */
static uint64_t bytes_left(FILE *f)
{
	struct stat sb;
	long pos = ftell(f);

	if (pos < 0 || fstat(fileno(f), &sb) || sb.st_size < pos)
		return UINT64_MAX;	/* a pipe: can't tell */
	return (uint64_t)(sb.st_size - pos);
}

int rec_read_round(FILE *f, struct rec_round *r, char *err, size_t errlen)
{
	uint8_t fixed[ROUND_FIXED], run[NODE_RUN_LEN];
	size_t got;
	uint64_t left;

	memset(r, 0, sizeof(*r));
	got = fread(fixed, 1, sizeof(fixed), f);
	if (got == 0 && feof(f))
		return 0;
	if (got != sizeof(fixed) || get32(fixed) != REC_ROUND_MAGIC) {
		snprintf(err, errlen, got != sizeof(fixed) ?
			 "round header cut short (recording interrupted?)" :
			 "corrupt round header (bad magic)");
		return -1;
	}
	r->has_nodes = get32(fixed + 4) & REC_ROUND_HAS_NODES;
	r->time_ns = get64(fixed + 8);
	r->duration_ns = get64(fixed + 16);
	r->scan_len = get64(fixed + 24);
	r->nnodes = get64(fixed + 32);
	left = bytes_left(f);
	if (r->scan_len > left || r->nnodes > (left - r->scan_len) / NODE_RUN_LEN ||
	    (left == UINT64_MAX && (r->scan_len > (1ull << 32) ||
				    r->nnodes > (1ull << 28)))) {
		snprintf(err, errlen, "round cut short (recording interrupted?): it claims %llu stream bytes and %llu node runs, more than the file holds",
			 (unsigned long long)r->scan_len,
			 (unsigned long long)r->nnodes);
		return -1;
	}
	r->scan = malloc(r->scan_len ? r->scan_len : 1);
	r->nodes = calloc(r->nnodes ? r->nnodes : 1, sizeof(*r->nodes));
	if (!r->scan || !r->nodes) {
		rec_round_free(r);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (r->scan_len && fread(r->scan, r->scan_len, 1, f) != 1)
		goto short_read;
	for (uint64_t i = 0; i < r->nnodes; i++) {
		if (fread(run, sizeof(run), 1, f) != 1)
			goto short_read;
		r->nodes[i].hva = get64(run);
		r->nodes[i].npages = get64(run + 8);
		r->nodes[i].node = (int32_t)get32(run + 16);
	}
	return 1;
short_read:
	rec_round_free(r);
	snprintf(err, errlen, "round cut short (recording interrupted?)");
	return -1;
}

void rec_round_free(struct rec_round *r)
{
	free(r->scan);
	free(r->nodes);
	r->scan = NULL;
	r->nodes = NULL;
}
