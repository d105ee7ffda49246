/* SPDX-License-Identifier: MIT */
/*
 * ip_decode.h - streaming decoder of the /proc/idle_pages record stream
 * (see include/idle_pages.md). It trusts nothing: every malformed
 * input ends decoding with an error code, a message and the byte offset
 * of the offending byte in the stream.
 *
 * Usage:
 *	struct ip_decoder d;
 *	ip_decoder_init(&d, start_hva, 0);
 *	for each chunk: if (ip_decode(&d, buf, len, cb, arg)) report d.msg;
 *	if (ip_decode_finish(&d, cb, arg)) report d.msg;
 *
 * Chunks may split a SET_HVA command anywhere; a stream that ends inside
 * one is reported by ip_decode_finish. Holes reach the callback in one
 * form whichever way the stream wrote them: hole records (PTE_HOLE /
 * PMD_HOLE) or a forward SET_HVA jump (reported as PTE_HOLE).
 */
#ifndef IP_DECODE_H
#define IP_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idle_pages.h"

#define IP_PAGE_SIZE	4096ull
/* End of x86-64 user space with 5-level paging; 4-level ends at 2^47. */
#define IP_USER_END_LA57	(1ull << 56)
#define IP_USER_END_4LEVEL	(1ull << 47)

/* A run of consecutive pages of one record type. */
struct ip_range {
	uint64_t hva;		/* start, as written by the stream */
	uint64_t npages;	/* length in 4 KiB units */
	uint64_t offset;	/* stream offset of the first record */
	uint8_t type;		/* enum idle_page_type; PIP_CMD see below */
	uint8_t page_shift;	/* mapping size: 12, 21 or 30 */
};

/* Return non-zero to stop decoding; ip_decode then returns IP_DEC_STOPPED. */
typedef int (*ip_range_cb)(void *arg, const struct ip_range *r);

enum ip_dec_status {
	IP_DEC_OK = 0,
	IP_DEC_TRUNCATED,	/* stream ends inside a SET_HVA command */
	IP_DEC_OVERFLOW,	/* run or SET_HVA past the address-space limit */
	IP_DEC_UNALIGNED,	/* SET_HVA to an address not 4 KiB aligned */
	IP_DEC_BAD_TYPE,	/* unknown record type */
	IP_DEC_BAD_CMD,		/* unknown command */
	IP_DEC_ZERO_NR,		/* record with nr = 0 */
	IP_DEC_NO_HVA,		/* record before any address is known */
	IP_DEC_STOPPED,		/* the callback asked to stop */
};

/*
 * Decoder flags. IP_DEC_PER_RECORD: one callback per record instead of
 * merged runs, and each SET_HVA is reported too, as type PIP_CMD with
 * hva = its address and npages = 0 (before the hole it may make).
 * Meant for debugging output.
 */
#define IP_DEC_PER_RECORD	(1u << 0)

struct ip_decoder {
	uint64_t hva;		/* next address */
	uint64_t limit;		/* end of the address space (exclusive) */
	uint64_t offset;	/* bytes consumed so far */
	bool hva_known;
	unsigned int flags;
	/* a SET_HVA split across chunks */
	uint8_t cmd[PIP_SET_HVA_LEN];
	unsigned int cmd_len;
	uint64_t cmd_offset;
	/* the run being merged, flushed when the next one does not extend it */
	struct ip_range pending;
	bool has_pending;
	/* first error; once set, further calls return it */
	enum ip_dec_status status;
	uint64_t err_offset;
	char msg[160];
};

/*
 * start_hva: the file position the stream was read from, or
 * IP_HVA_UNKNOWN when the stream must begin with a SET_HVA.
 * The limit defaults to IP_USER_END_LA57; set d->limit after init to
 * change it (UINT64_MAX checks only for 64-bit wrap-around).
 */
#define IP_HVA_UNKNOWN	UINT64_MAX
void ip_decoder_init(struct ip_decoder *d, uint64_t start_hva,
		     unsigned int flags);

/* Feed one chunk; returns IP_DEC_OK or the (sticky) error. */
enum ip_dec_status ip_decode(struct ip_decoder *d, const uint8_t *buf,
			     size_t len, ip_range_cb cb, void *arg);

/* End of stream: flush the merged run, fail on a half-read command. */
enum ip_dec_status ip_decode_finish(struct ip_decoder *d, ip_range_cb cb,
				    void *arg);

/* Record-type helpers */
const char *ip_type_name(unsigned int type);	/* "PTE_ACCESSED", ... */
unsigned int ip_type_page_shift(unsigned int type);	/* 0 if unknown */

enum ip_state { IP_ST_HOLE, IP_ST_IDLE, IP_ST_ACCESSED, IP_ST_PRESENT };
/*
 * What a type says about its pages: HOLE, IDLE, ACCESSED (accessed or
 * dirty), or PRESENT (PUD_PRESENT: mapped, access unknown).
 */
enum ip_state ip_type_state(unsigned int type);
bool ip_type_dirty(unsigned int type);
const char *ip_state_name(enum ip_state s);

/* Encode SET_HVA into out[PIP_SET_HVA_LEN]. */
void ip_encode_set_hva(uint8_t *out, uint64_t hva);

#endif /* IP_DECODE_H */
