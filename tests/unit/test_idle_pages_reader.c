/* SPDX-License-Identifier: MIT */
/*
 * test_idle_pages_reader.c - the reader against a simulated module:
 * scan results, bits cleared per round, the self-contained raw stream,
 * open flags, and the clear errors it must give.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "idle_pages_fake_kernel.h"
#include "ip_reader.h"

#define BASE_A	0x7f0000000000ull
#define BASE_B	0x7f4000000000ull	/* 256 GiB further up */

struct tally {
	uint64_t accessed, idle, hole;
	uint64_t first_accessed;	/* lowest accessed HVA */
	uint8_t raw[1 << 16];
	size_t raw_len;
};

static int tally_cb(void *arg, const struct ip_range *r)
{
	struct tally *t = arg;

	switch (ip_type_state(r->type)) {
	case IP_ST_ACCESSED:
		if (!t->accessed || r->hva < t->first_accessed)
			t->first_accessed = r->hva;
		t->accessed += r->npages;
		break;
	case IP_ST_IDLE:
		t->idle += r->npages;
		break;
	default:
		t->hole += r->npages;
	}
	return 0;
}

static int raw_cb(void *arg, const uint8_t *buf, size_t len)
{
	struct tally *t = arg;

	if (t->raw_len + len > sizeof(t->raw))
		return 1;
	memcpy(t->raw + t->raw_len, buf, len);
	t->raw_len += len;
	return 0;
}

/* A VM-like target: 1024 4K pages at A, 8 2M pages at B. */
static void setup(struct fake_kernel *k)
{
	fake_kernel_init(k);
	fake_add_region(k, BASE_A, 1024, 12);
	fake_add_region(k, BASE_B, 8, 21);
	fake_touch(k, 0, 10, 20);
	fake_touch(k, 1, 2, 3);
}

static int scan_all(struct ip_reader *r, struct tally *t, unsigned int mode)
{
	struct ip_hva_range all = { 0, IP_HVA_END_ALL };
	struct ip_scan_cbs cbs = { tally_cb, raw_cb, t };

	memset(t, 0, sizeof(*t));
	return ip_reader_round(r, 1234, mode, &all, 1, &cbs);
}

static void test_whole_space_round(void)
{
	struct fake_kernel k;
	struct ip_reader r;
	struct tally *t = calloc(1, sizeof(*t));

	setup(&k);
	ip_reader_init(&r, &k.ops);
	CHECK_EQ_U64(scan_all(&r, t, 0), 0);
	CHECK_EQ_U64(t->accessed, 20 + 3 * 512);
	CHECK_EQ_U64(t->idle, 1004 + 5 * 512);
	CHECK_EQ_U64(t->first_accessed, BASE_A + 10 * IP_PAGE_SIZE);
	CHECK(r.have_info);
	CHECK(ip_info_is_vm(&r.info));
	CHECK_EQ_U64(k.opens, 1);
	CHECK_EQ_U64(k.closes, 1);
	CHECK(r.fd < 0);

	/* the next round sees the bits cleared */
	CHECK_EQ_U64(scan_all(&r, t, 0), 0);
	CHECK_EQ_U64(t->accessed, 0);
	CHECK_EQ_U64(t->idle, 1024 + 8 * 512);
	CHECK(strcmp(r.err, "") == 0);
	ip_reader_fini(&r);
	fake_kernel_fini(&k);
	free(t);
}

/* What the raw callback got decodes alone to what the range callback got. */
static void test_raw_stream_self_contained(void)
{
	struct fake_kernel k;
	struct ip_reader r;
	struct tally *t = calloc(1, sizeof(*t)), *again = calloc(1, sizeof(*t));
	struct ip_hva_range ranges[] = {
		{ BASE_A, BASE_A + 1050 * IP_PAGE_SIZE },
		{ BASE_B + (2ull << 20), BASE_B + (8ull << 21) },
	};
	struct ip_scan_cbs cbs = { tally_cb, raw_cb, t };
	struct ip_decoder d;

	setup(&k);
	/* 16 more pages after a 10-page hole, written as hole records */
	fake_add_region(&k, BASE_A + 1034 * IP_PAGE_SIZE, 16, 12);
	k.holes_as_records = true;
	ip_reader_init(&r, &k.ops);
	r.bufsize = IDLE_PAGES_MIN_READ;	/* many small reads */
	CHECK_EQ_U64(ip_reader_round(&r, 99, 0, ranges, 2, &cbs), 0);
	CHECK(k.reads > 1024 / (IDLE_PAGES_MIN_READ * 8));
	CHECK_EQ_U64(t->accessed, 20 + 3 * 512);
	/* region B scanned from its second unit only */
	CHECK_EQ_U64(t->idle, 1004 + 16 + 4 * 512);

	ip_decoder_init(&d, IP_HVA_UNKNOWN, 0);
	CHECK_EQ_U64(ip_decode(&d, t->raw, t->raw_len, tally_cb, again), 0);
	CHECK_EQ_U64(ip_decode_finish(&d, tally_cb, again), 0);
	CHECK_EQ_U64(again->accessed, t->accessed);
	CHECK_EQ_U64(again->idle, t->idle);
	CHECK_EQ_U64(again->hole, t->hole);
	CHECK_EQ_U64(again->first_accessed, t->first_accessed);
	ip_reader_fini(&r);
	fake_kernel_fini(&k);
	free(t);
	free(again);
}

static void test_open_flags(void)
{
	struct fake_kernel k;
	struct ip_reader r;
	struct tally *t = calloc(1, sizeof(*t));
	int want = IDLE_PAGES_HUGE_ONLY_FLAG | IDLE_PAGES_SKIM_FLAG |
		   IDLE_PAGES_DIRTY_FLAG;

	setup(&k);
	ip_reader_init(&r, &k.ops);
	CHECK_EQ_U64(scan_all(&r, t, IP_MODE_HUGE_ONLY | IP_MODE_SKIM |
			      IP_MODE_DIRTY | IP_MODE_EXT), 0);
	CHECK_EQ_U64(k.open_flags & want, want);
	CHECK_EQ_U64(scan_all(&r, t, IP_MODE_DIRTY), 0);
	CHECK_EQ_U64(k.open_flags & want, IDLE_PAGES_DIRTY_FLAG);
	ip_reader_fini(&r);
	fake_kernel_fini(&k);
	free(t);
}

/* Runs one round that must fail, and checks the message names the cause. */
static void expect_fail(struct fake_kernel *k, const char *needle)
{
	struct ip_reader r;
	struct tally *t = calloc(1, sizeof(*t));

	ip_reader_init(&r, &k->ops);
	CHECK(scan_all(&r, t, 0) < 0);
	if (!strstr(r.err, needle)) {
		fprintf(stderr, "  error '%s' lacks '%s'\n", r.err, needle);
		CHECK(strstr(r.err, needle));
	}
	CHECK(r.fd < 0);
	ip_reader_fini(&r);
	free(t);
}

static void test_clear_errors(void)
{
	struct fake_kernel k;

	setup(&k);
	k.open_errno = ENOENT;
	expect_fail(&k, "module is not loaded");
	k.open_errno = EACCES;
	expect_fail(&k, "you need CAP_SYS_ADMIN or CAP_SYS_PTRACE");
	k.open_errno = 0;
	k.setpid_errno = EPERM;
	expect_fail(&k, "needs CAP_SYS_ADMIN or CAP_SYS_PTRACE (root), unless it is your own process");
	k.setpid_errno = ESRCH;
	expect_fail(&k, "no such process: pid 1234");
	k.setpid_errno = EOPNOTSUPP;
	expect_fail(&k, "pid 1234 is a VM on KVM's legacy shadow MMU (kvm.tdp_mmu=N)");
	CHECK_EQ_U64(k.closes, 3);	/* the fd of a failed SET_PID is closed */
	k.setpid_errno = 0;
	k.stuck = true;
	expect_fail(&k, "did not advance");
	k.stuck = false;
	k.garbage = 0xa7;
	/* after the SET_HVA the reader puts first: byte 9 */
	expect_fail(&k, "byte 9: unknown command 7");
	fake_kernel_fini(&k);
}

/* A module without GET_INFO (the original) still scans. */
static void test_no_info(void)
{
	struct fake_kernel k;
	struct ip_reader r;
	struct tally *t = calloc(1, sizeof(*t));

	setup(&k);
	k.no_info = true;
	ip_reader_init(&r, &k.ops);
	CHECK_EQ_U64(scan_all(&r, t, 0), 0);
	CHECK(!r.have_info);
	CHECK_EQ_U64(t->accessed, 20 + 3 * 512);
	ip_reader_fini(&r);
	fake_kernel_fini(&k);
	free(t);
}

int main(void)
{
	RUN_TEST(test_whole_space_round);
	RUN_TEST(test_raw_stream_self_contained);
	RUN_TEST(test_open_flags);
	RUN_TEST(test_clear_errors);
	RUN_TEST(test_no_info);
	return TEST_SUMMARY();
}
