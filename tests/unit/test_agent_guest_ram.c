/* SPDX-License-Identifier: MIT */
/*
 * test_agent_guest_ram.c - finding a QEMU process's guest RAM in its
 * /proc/<pid>/maps: anonymous, memfd, hugetlbfs and split mappings, other
 * mappings right below a block, and a clear error when nothing adds up
 * to the guest's memory.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest_ram.h"
#include "harness.h"

#define MiB	(1ull << 20)
#define GiB	(1ull << 30)

/* Lines typical of a QEMU process that are never guest RAM. */
static const char qemu_noise[] =
	"55d0c0a00000-55d0c0e00000 r-xp 00000000 fd:01 1234 /usr/bin/qemu-system-x86_64\n"
	"55d0c1200000-55d0c1300000 rw-p 00600000 fd:01 1234 /usr/bin/qemu-system-x86_64\n"
	"55d0c2000000-55d0c6000000 rw-p 00000000 00:00 0 [heap]\n"
	"7f5a00000000-7f5a00800000 rw-p 00000000 00:00 0 \n"
	"7f5a10000000-7f5a11000000 rw-p 00000000 fd:01 99 /usr/lib/x86_64-linux-gnu/libfoo.so\n"
	"7ffd0e000000-7ffd0e021000 rw-p 00000000 00:00 0 [stack]\n";

static int find(const char *maps, uint64_t guest, struct guest_ram *g,
		char *err, size_t errlen)
{
	FILE *f = fmemopen((void *)maps, strlen(maps), "r");
	int ret = guest_ram_find(f, guest, g, err, errlen);

	fclose(f);
	return ret;
}

static void test_anonymous_pc_ram(void)
{
	char maps[4096], err[512];
	struct guest_ram g;

	snprintf(maps, sizeof(maps), "%s"
		 "7f5b3fe00000-7f5b3fe01000 ---p 00000000 00:00 0 \n"
		 "7f5b40000000-7f5b80000000 rw-p 00000000 00:00 0 \n"
		 "7f5b80000000-7f5b80001000 ---p 00000000 00:00 0 \n",
		 qemu_noise);
	CHECK(find(maps, GiB, &g, err, sizeof(err)) == 0);
	CHECK_EQ_U64(g.n, 1);
	CHECK_EQ_U64(g.ranges[0].start, 0x7f5b40000000);
	CHECK_EQ_U64(g.ranges[0].end, 0x7f5b80000000);
	CHECK(!g.shared);
	CHECK(strstr(g.desc, "1 GiB at 0x7f5b40000000 (anonymous)") != NULL);
	guest_ram_free(&g);
}

static void test_memfd_numa_cells(void)
{
	char maps[4096], err[512];
	struct guest_ram g;

	snprintf(maps, sizeof(maps), "%s"
		 "7f6000000000-7f6020000000 rw-s 00000000 00:01 77 /memfd:ram-node1 (deleted)\n"
		 "7f5000000000-7f5020000000 rw-s 00000000 00:01 76 /memfd:ram-node0 (deleted)\n",
		 qemu_noise);
	CHECK(find(maps, GiB, &g, err, sizeof(err)) == 0);
	CHECK_EQ_U64(g.n, 2);
	CHECK_EQ_U64(g.ranges[0].start, 0x7f5000000000);	/* sorted */
	CHECK_EQ_U64(g.ranges[1].end, 0x7f6020000000);
	CHECK(g.shared);
	CHECK(strstr(g.desc, "/memfd:ram-node0 (deleted), shared") != NULL);
	guest_ram_free(&g);
}

static void test_hugetlbfs_backing(void)
{
	char maps[4096], err[512];
	struct guest_ram g;

	snprintf(maps, sizeof(maps), "%s"
		 "7f2a00000000-7f2a80000000 rw-s 00000000 00:2f 5 /dev/hugepages/libvirt/qemu/1-vm1/qemu_back_mem._objects_ram-node0.Ab3 (deleted)\n",
		 qemu_noise);
	CHECK(find(maps, 2 * GiB, &g, err, sizeof(err)) == 0);
	CHECK_EQ_U64(g.n, 1);
	CHECK(g.shared);
	guest_ram_free(&g);
}

static void test_split_mapping_is_joined(void)
{
	char maps[4096], err[512];
	struct guest_ram g;

	/* one 1 GiB block split into two VMAs (e.g. by an madvise) */
	snprintf(maps, sizeof(maps), "%s"
		 "7f5b40000000-7f5b60000000 rw-p 00000000 00:00 0 \n"
		 "7f5b60000000-7f5b80000000 rw-p 00000000 00:00 0 \n",
		 qemu_noise);
	CHECK(find(maps, GiB, &g, err, sizeof(err)) == 0);
	CHECK_EQ_U64(g.n, 1);
	CHECK_EQ_U64(g.ranges[0].end - g.ranges[0].start, GiB);
	guest_ram_free(&g);
}

/* Seen in the lab: a thread's stack mapped right below a 128 MiB pc.ram. */
static void test_mapping_right_below_a_block_is_not_ram(void)
{
	char maps[4096], err[512];
	struct guest_ram g;

	snprintf(maps, sizeof(maps), "%s"
		 "7f0096dff000-7f0096e00000 ---p 00000000 00:00 0 \n"
		 "7f0096e00000-7f0097600000 rw-p 00000000 00:00 0 \n"
		 "7f0097600000-7f009f600000 rw-p 00000000 00:00 0 \n"
		 "7f009f600000-7f009f601000 ---p 00000000 00:00 0 \n",
		 qemu_noise);
	CHECK(find(maps, 128 * MiB, &g, err, sizeof(err)) == 0);
	CHECK_EQ_U64(g.n, 1);
	CHECK_EQ_U64(g.ranges[0].start, 0x7f0097600000);
	CHECK_EQ_U64(g.ranges[0].end, 0x7f009f600000);
	CHECK(strstr(g.desc, "128 MiB at 0x7f0097600000 (anonymous)") != NULL);
	guest_ram_free(&g);

	/* two NUMA cells, a stack below the first: not the largest run whole */
	snprintf(maps, sizeof(maps), "%s"
		 "7f1000000000-7f1000800000 rw-p 00000000 00:00 0 \n"
		 "7f1000800000-7f1020800000 rw-p 00000000 00:00 0 \n"
		 "7f1020800000-7f1020801000 ---p 00000000 00:00 0 \n"
		 "7f2000000000-7f2020000000 rw-p 00000000 00:00 0 \n"
		 "7f2020000000-7f2020001000 ---p 00000000 00:00 0 \n",
		 qemu_noise);
	CHECK(find(maps, GiB, &g, err, sizeof(err)) == 0);
	CHECK_EQ_U64(g.n, 2);
	CHECK_EQ_U64(g.ranges[0].start, 0x7f1000800000);
	CHECK_EQ_U64(g.ranges[0].end, 0x7f1020800000);
	CHECK_EQ_U64(g.ranges[1].start, 0x7f2000000000);
	guest_ram_free(&g);
}

static void test_private_file_and_readonly_never_count(void)
{
	char maps[4096], err[512];
	struct guest_ram g;

	snprintf(maps, sizeof(maps),
		 "7f0000000000-7f0040000000 rw-p 00000000 fd:01 9 /var/lib/big.dat\n"
		 "7f1000000000-7f1040000000 r--s 00000000 00:01 8 /memfd:ro (deleted)\n"
		 "7f2000000000-7f2040000000 r--p 00000000 00:00 0 \n");
	CHECK(find(maps, GiB, &g, err, sizeof(err)) == -1);
	CHECK(strstr(err, "the largest are: none") != NULL);
}

static void test_no_match_lists_largest(void)
{
	char maps[4096], err[512];
	struct guest_ram g;

	snprintf(maps, sizeof(maps), "%s"
		 "7f5b40000000-7f5b80000000 rw-p 00000000 00:00 0 \n",
		 qemu_noise);
	CHECK(find(maps, 2 * GiB, &g, err, sizeof(err)) == -1);
	CHECK(strstr(err, "add up to the guest's memory of 2 GiB") != NULL);
	CHECK(strstr(err, "the largest are: 1 GiB at 0x7f5b40000000 (anonymous), 64 MiB at 0x55d0c2000000") == NULL);
	CHECK(strstr(err, "the largest are: 1 GiB at 0x7f5b40000000 (anonymous), 8 MiB at 0x7f5a00000000 (anonymous)") != NULL);
	CHECK(g.ranges == NULL);
}

static void test_own_process(void)
{
	char err[512];
	struct guest_ram g;

	/* no mapping of this test adds up to 1 TiB */
	CHECK(guest_ram_find_pid(getpid(), 1ull << 40, &g, err, sizeof(err)) == -1);
	CHECK(strstr(err, "1 TiB") != NULL);
	CHECK(guest_ram_find_pid(0x7ffffff0, GiB, &g, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/maps: No such file or directory") != NULL);
}

int main(void)
{
	RUN_TEST(test_anonymous_pc_ram);
	RUN_TEST(test_memfd_numa_cells);
	RUN_TEST(test_hugetlbfs_backing);
	RUN_TEST(test_split_mapping_is_joined);
	RUN_TEST(test_mapping_right_below_a_block_is_not_ram);
	RUN_TEST(test_private_file_and_readonly_never_count);
	RUN_TEST(test_no_match_lists_largest);
	RUN_TEST(test_own_process);
	return TEST_SUMMARY();
}
