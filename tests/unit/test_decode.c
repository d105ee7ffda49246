/* SPDX-License-Identifier: MIT */
/*
 * test_decode.c - the idle_pages stream decoder on hand-made streams:
 * well-formed ones (merging, both hole forms, chunk splits) and every
 * malformed case with the exact byte offset it must report.
 */
#include <string.h>

#include "harness.h"
#include "ip_decode.h"

#define MAXR 64

struct collect {
	struct ip_range r[MAXR];
	int n;
	int stop_after;		/* stop once this many arrived, 0 = never */
};

static int collect_cb(void *arg, const struct ip_range *r)
{
	struct collect *c = arg;

	if (c->n < MAXR)
		c->r[c->n] = *r;
	c->n++;
	return c->stop_after && c->n >= c->stop_after;
}

/* Appends SET_HVA(hva) to buf at *len. */
static void put_set_hva(uint8_t *buf, size_t *len, uint64_t hva)
{
	ip_encode_set_hva(buf + *len, hva);
	*len += PIP_SET_HVA_LEN;
}

static enum ip_dec_status decode_all(const uint8_t *buf, size_t len,
				     uint64_t start, unsigned int flags,
				     struct collect *c, struct ip_decoder *d)
{
	enum ip_dec_status st;

	ip_decoder_init(d, start, flags);
	st = ip_decode(d, buf, len, collect_cb, c);
	if (st)
		return st;
	return ip_decode_finish(d, collect_cb, c);
}

static void check_range(const struct ip_range *r, uint64_t hva,
			uint64_t npages, unsigned int type, unsigned int shift)
{
	CHECK_EQ_U64(r->hva, hva);
	CHECK_EQ_U64(r->npages, npages);
	CHECK_EQ_U64(r->type, type);
	CHECK_EQ_U64(r->page_shift, shift);
}

static void test_basic_records(void)
{
	uint8_t buf[64];
	size_t len = 0;
	struct collect c = { 0 };
	struct ip_decoder d;

	put_set_hva(buf, &len, 0x7f0000000000ull);
	buf[len++] = PIP_COMPOSE(PTE_ACCESSED, 3);
	buf[len++] = PIP_COMPOSE(PTE_IDLE, 2);
	buf[len++] = PIP_COMPOSE(PTE_DIRTY, 1);
	buf[len++] = PIP_COMPOSE(PMD_ACCESSED, 1);	/* hva not 2M-aligned */
	buf[len++] = PIP_COMPOSE(PUD_PRESENT, 2);
	CHECK_EQ_U64(decode_all(buf, len, IP_HVA_UNKNOWN, 0, &c, &d), IP_DEC_OK);
	CHECK_EQ_U64(c.n, 5);
	check_range(&c.r[0], 0x7f0000000000ull, 3, PTE_ACCESSED, 12);
	check_range(&c.r[1], 0x7f0000003000ull, 2, PTE_IDLE, 12);
	check_range(&c.r[2], 0x7f0000005000ull, 1, PTE_DIRTY, 12);
	check_range(&c.r[3], 0x7f0000006000ull, 512, PMD_ACCESSED, 21);
	check_range(&c.r[4], 0x7f0000206000ull, 2 << 18, PUD_PRESENT, 30);
	CHECK_EQ_U64(c.r[1].offset, 10);
	CHECK_EQ_U64(d.hva, 0x7f0000206000ull + (2ull << 30));
	CHECK_EQ_U64(d.offset, len);
}

/* Consecutive records of one type form one range; other types break it. */
static void test_merging(void)
{
	uint8_t buf[] = {
		PIP_COMPOSE(PMD_IDLE, 15), PIP_COMPOSE(PMD_IDLE, 5),
		PIP_COMPOSE(PTE_ACCESSED, 1), PIP_COMPOSE(PMD_IDLE, 1),
	};
	struct collect c = { 0 };
	struct ip_decoder d;

	CHECK_EQ_U64(decode_all(buf, sizeof(buf), 0x40000000, 0, &c, &d),
		     IP_DEC_OK);
	CHECK_EQ_U64(c.n, 3);
	check_range(&c.r[0], 0x40000000, 20 * 512, PMD_IDLE, 21);
	CHECK_EQ_U64(c.r[0].offset, 0);
	check_range(&c.r[1], 0x40000000 + 20 * (2ull << 20), 1, PTE_ACCESSED, 12);
	CHECK_EQ_U64(c.r[2].offset, 3);

	/* per-record mode does not merge */
	memset(&c, 0, sizeof(c));
	CHECK_EQ_U64(decode_all(buf, sizeof(buf), 0x40000000,
				IP_DEC_PER_RECORD, &c, &d), IP_DEC_OK);
	CHECK_EQ_U64(c.n, 4);
	check_range(&c.r[1], 0x40000000 + 15 * (2ull << 20), 5 * 512,
		    PMD_IDLE, 21);
}

/* Sums the non-hole and hole pages of a collection. */
static void totals(const struct collect *c, uint64_t *present, uint64_t *hole)
{
	*present = *hole = 0;
	for (int i = 0; i < c->n && i < MAXR; i++) {
		if (c->r[i].type == PIP_CMD)
			continue;
		if (ip_type_state(c->r[i].type) == IP_ST_HOLE)
			*hole += c->r[i].npages;
		else
			*present += c->r[i].npages;
	}
}

/* A hole written as records and as a SET_HVA jump decodes the same. */
static void test_hole_forms(void)
{
	const uint64_t base = 0x7f0000000000ull;
	uint8_t a[64], b[64];
	size_t la = 0, lb = 0;
	struct collect ca = { 0 }, cb = { 0 };
	struct ip_decoder d;
	uint64_t pa, ha, pb, hb;

	/* 2 accessed, hole of 1 PMD + 3 PTEs, 4 idle */
	put_set_hva(a, &la, base);
	a[la++] = PIP_COMPOSE(PTE_ACCESSED, 2);
	a[la++] = PIP_COMPOSE(PTE_HOLE, 3);
	a[la++] = PIP_COMPOSE(PMD_HOLE, 1);
	a[la++] = PIP_COMPOSE(PTE_IDLE, 4);

	put_set_hva(b, &lb, base);
	b[lb++] = PIP_COMPOSE(PTE_ACCESSED, 2);
	put_set_hva(b, &lb, base + 0x2000 + 0x3000 + 0x200000);
	b[lb++] = PIP_COMPOSE(PTE_IDLE, 4);

	CHECK_EQ_U64(decode_all(a, la, IP_HVA_UNKNOWN, 0, &ca, &d), IP_DEC_OK);
	CHECK_EQ_U64(decode_all(b, lb, IP_HVA_UNKNOWN, 0, &cb, &d), IP_DEC_OK);
	totals(&ca, &pa, &ha);
	totals(&cb, &pb, &hb);
	CHECK_EQ_U64(pa, 6);
	CHECK_EQ_U64(pb, 6);
	CHECK_EQ_U64(ha, 3 + 512);
	CHECK_EQ_U64(hb, 3 + 512);
	/* the idle run sits at the same address both ways */
	CHECK_EQ_U64(ca.r[ca.n - 1].hva, cb.r[cb.n - 1].hva);
	check_range(&cb.r[1], base + 0x2000, 515, PTE_HOLE, 12);
	CHECK_EQ_U64(cb.r[1].offset, 10);

	/* a backward SET_HVA moves the position and makes no hole */
	memset(&cb, 0, sizeof(cb));
	lb = 0;
	put_set_hva(b, &lb, base + 0x10000);
	b[lb++] = PIP_COMPOSE(PTE_IDLE, 1);
	put_set_hva(b, &lb, base);
	b[lb++] = PIP_COMPOSE(PTE_ACCESSED, 1);
	CHECK_EQ_U64(decode_all(b, lb, IP_HVA_UNKNOWN, 0, &cb, &d), IP_DEC_OK);
	CHECK_EQ_U64(cb.n, 2);
	check_range(&cb.r[1], base, 1, PTE_ACCESSED, 12);
}

/* Feeding the stream one byte at a time gives the same ranges. */
static void test_split_chunks(void)
{
	uint8_t buf[64];
	size_t len = 0;
	struct collect whole = { 0 }, bytes = { 0 };
	struct ip_decoder d;

	put_set_hva(buf, &len, 0x1000);
	buf[len++] = PIP_COMPOSE(PTE_ACCESSED, 15);
	put_set_hva(buf, &len, 0x200000);
	buf[len++] = PIP_COMPOSE(PMD_DIRTY, 2);
	buf[len++] = PIP_COMPOSE(PMD_DIRTY, 2);
	CHECK_EQ_U64(decode_all(buf, len, IP_HVA_UNKNOWN, 0, &whole, &d),
		     IP_DEC_OK);

	ip_decoder_init(&d, IP_HVA_UNKNOWN, 0);
	for (size_t i = 0; i < len; i++)
		CHECK_EQ_U64(ip_decode(&d, buf + i, 1, collect_cb, &bytes),
			     IP_DEC_OK);
	CHECK_EQ_U64(ip_decode_finish(&d, collect_cb, &bytes), IP_DEC_OK);
	CHECK_EQ_U64(whole.n, 3);
	CHECK_EQ_U64(bytes.n, whole.n);
	for (int i = 0; i < whole.n && i < bytes.n; i++) {
		CHECK_EQ_U64(bytes.r[i].hva, whole.r[i].hva);
		CHECK_EQ_U64(bytes.r[i].npages, whole.r[i].npages);
		CHECK_EQ_U64(bytes.r[i].type, whole.r[i].type);
		CHECK_EQ_U64(bytes.r[i].offset, whole.r[i].offset);
	}
	check_range(&whole.r[2], 0x200000, 4 * 512, PMD_DIRTY, 21);
}

/* Decodes buf and checks the error status and offset. */
static void expect_error(const uint8_t *buf, size_t len, uint64_t start,
			 uint64_t limit, enum ip_dec_status want,
			 uint64_t want_offset)
{
	struct collect c = { 0 };
	struct ip_decoder d;
	enum ip_dec_status st;

	ip_decoder_init(&d, start, 0);
	if (limit)
		d.limit = limit;
	st = ip_decode(&d, buf, len, collect_cb, &c);
	if (!st)
		st = ip_decode_finish(&d, collect_cb, &c);
	CHECK_EQ_U64(st, want);
	CHECK_EQ_U64(d.err_offset, want_offset);
	CHECK(strstr(d.msg, "byte ") == d.msg);
	/* the error is sticky */
	CHECK_EQ_U64(ip_decode(&d, buf, len, collect_cb, &c), want);
}

static void test_truncated_set_hva(void)
{
	uint8_t buf[32];
	size_t len = 0;

	buf[len++] = PIP_COMPOSE(PTE_IDLE, 1);
	put_set_hva(buf, &len, 0x5000);
	/* cut the second command after 4 of its 9 bytes: offset 10 */
	put_set_hva(buf, &len, 0x9000);
	expect_error(buf, len - 5, 0x1000, 0, IP_DEC_TRUNCATED, 10);
	/* a lone command byte at the end */
	expect_error(buf, 11, 0x1000, 0, IP_DEC_TRUNCATED, 10);
}

static void test_run_past_end(void)
{
	uint8_t buf[32];
	size_t len = 0;

	/* 64-bit wrap: the last page plus one more */
	put_set_hva(buf, &len, 0xfffffffffffff000ull);
	buf[len++] = PIP_COMPOSE(PTE_IDLE, 1);	/* would end at 2^64 */
	expect_error(buf, len, IP_HVA_UNKNOWN, UINT64_MAX, IP_DEC_OVERFLOW, 9);

	/* user space (5-level end, the default limit) */
	len = 0;
	put_set_hva(buf, &len, IP_USER_END_LA57 - 0x400000);
	buf[len++] = PIP_COMPOSE(PMD_IDLE, 2);	/* ends exactly at the end */
	buf[len++] = PIP_COMPOSE(PTE_HOLE, 1);	/* one page past it */
	expect_error(buf, len, IP_HVA_UNKNOWN, 0, IP_DEC_OVERFLOW, 10);

	/* 4-level limit: a 1 GiB page straddling 2^47 */
	len = 0;
	buf[len++] = PIP_COMPOSE(PTE_IDLE, 1);
	buf[len++] = PIP_COMPOSE(PUD_PRESENT, 1);
	expect_error(buf, len, IP_USER_END_4LEVEL - 0x40000000,
		     IP_USER_END_4LEVEL, IP_DEC_OVERFLOW, 1);

	/* SET_HVA beyond the limit, at offset 1 */
	len = 0;
	buf[len++] = PIP_COMPOSE(PTE_IDLE, 1);
	put_set_hva(buf, &len, IP_USER_END_4LEVEL + 0x1000);
	expect_error(buf, len, 0, IP_USER_END_4LEVEL, IP_DEC_OVERFLOW, 1);
}

static void test_unknown_type_and_cmd(void)
{
	uint8_t types[] = { PIP_COMPOSE(PTE_IDLE, 2), PIP_COMPOSE(PTE_IDLE, 1),
			    0xd3 };
	uint8_t cmds[] = { PIP_COMPOSE(PTE_IDLE, 2), 0xa1, 0, 0, 0 };
	uint8_t hi[] = { 0xf1 };

	expect_error(types, sizeof(types), 0x1000, 0, IP_DEC_BAD_TYPE, 2);
	expect_error(hi, sizeof(hi), 0x1000, 0, IP_DEC_BAD_TYPE, 0);
	expect_error(cmds, sizeof(cmds), 0x1000, 0, IP_DEC_BAD_CMD, 1);
}

static void test_zero_nr(void)
{
	uint8_t buf[32];
	size_t len = 0;

	put_set_hva(buf, &len, 0x1000);
	buf[len++] = PIP_COMPOSE(PTE_ACCESSED, 1);
	buf[len++] = PIP_COMPOSE(PMD_HOLE, 0);
	expect_error(buf, len, IP_HVA_UNKNOWN, 0, IP_DEC_ZERO_NR, 10);
	buf[0] = PIP_COMPOSE(PTE_ACCESSED, 0);
	expect_error(buf, 1, 0x1000, 0, IP_DEC_ZERO_NR, 0);
}

static void test_unaligned_and_unknown_start(void)
{
	uint8_t buf[32];
	size_t len = 0;

	buf[len++] = PIP_COMPOSE(PTE_IDLE, 1);
	put_set_hva(buf, &len, 0x7f0000000800ull);
	expect_error(buf, len, 0x1000, 0, IP_DEC_UNALIGNED, 1);
	/* no start address and no SET_HVA first */
	expect_error(buf, 1, IP_HVA_UNKNOWN, 0, IP_DEC_NO_HVA, 0);
}

/* Per-record mode reports SET_HVA itself; the consumer can stop early. */
static void test_per_record_and_stop(void)
{
	uint8_t buf[32];
	size_t len = 0;
	struct collect c = { 0 };
	struct ip_decoder d;

	put_set_hva(buf, &len, 0x3000);
	buf[len++] = PIP_COMPOSE(PTE_IDLE, 1);
	put_set_hva(buf, &len, 0x8000);
	buf[len++] = PIP_COMPOSE(PTE_IDLE, 1);
	CHECK_EQ_U64(decode_all(buf, len, IP_HVA_UNKNOWN, IP_DEC_PER_RECORD,
				&c, &d), IP_DEC_OK);
	CHECK_EQ_U64(c.n, 5);	/* cmd, idle, cmd, hole, idle */
	CHECK_EQ_U64(c.r[0].type, PIP_CMD);
	CHECK_EQ_U64(c.r[0].hva, 0x3000);
	CHECK_EQ_U64(c.r[2].type, PIP_CMD);
	CHECK_EQ_U64(c.r[2].offset, 10);
	check_range(&c.r[3], 0x4000, 4, PTE_HOLE, 12);

	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	CHECK_EQ_U64(decode_all(buf, len, IP_HVA_UNKNOWN, IP_DEC_PER_RECORD,
				&c, &d), IP_DEC_STOPPED);
	CHECK_EQ_U64(c.n, 2);
}

int main(void)
{
	RUN_TEST(test_basic_records);
	RUN_TEST(test_merging);
	RUN_TEST(test_hole_forms);
	RUN_TEST(test_split_chunks);
	RUN_TEST(test_truncated_set_hva);
	RUN_TEST(test_run_past_end);
	RUN_TEST(test_unknown_type_and_cmd);
	RUN_TEST(test_zero_nr);
	RUN_TEST(test_unaligned_and_unknown_start);
	RUN_TEST(test_per_record_and_stop);
	return TEST_SUMMARY();
}
