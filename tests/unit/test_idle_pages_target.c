/* SPDX-License-Identifier: MIT */
/*
 * test_idle_pages_target.c - target resolution: pids, /proc/<pid>/maps
 * parsing, KVM VM detection, and libvirt domain lookup by name and UUID
 * against libvirt's built-in test driver (test:///default, domain "test")
 * with a pid file in a temporary run directory.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "harness.h"
#include "ip_libvirt.h"
#include "ip_target.h"

static void test_parse_maps(void)
{
	static const char maps[] =
		"55d0c0000000-55d0c0021000 r--p 00000000 08:01 1 /usr/bin/x\n"
		"55d0c0021000-55d0c0100000 r-xp 00021000 08:01 1 /usr/bin/x\n"
		"7f0000000000-7f0000200000 rw-p 00000000 00:00 0\n"
		"7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0 [stack]\n"
		"garbage line\n"
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n";
	FILE *f = fmemopen((void *)maps, sizeof(maps) - 1, "r");
	struct ip_hva_range *r = NULL;
	size_t n = 0;

	CHECK_EQ_U64(ip_parse_maps(f, &r, &n), 0);
	fclose(f);
	CHECK_EQ_U64(n, 3);	/* touching ranges merged, vsyscall dropped */
	if (n == 3) {
		CHECK_EQ_U64(r[0].start, 0x55d0c0000000ull);
		CHECK_EQ_U64(r[0].end, 0x55d0c0100000ull);
		CHECK_EQ_U64(r[1].start, 0x7f0000000000ull);
		CHECK_EQ_U64(r[2].end, 0x7ffc00021000ull);
	}
	free(r);
}

static void test_pid_targets(void)
{
	struct ip_target t;
	struct ip_hva_range *r = NULL;
	char spec[32], err[300] = "";
	size_t n = 0;
	int on_stack = 0;
	uint64_t here = (uintptr_t)&on_stack;
	bool found = false;

	snprintf(spec, sizeof(spec), "%d", (int)getpid());
	CHECK_EQ_U64(ip_target_resolve(spec, NULL, NULL, &t, err, sizeof(err)), 0);
	CHECK_EQ_U64(t.pid, getpid());
	CHECK(!t.is_vm);
	CHECK(strstr(t.desc, "test_idle_pages") != NULL);
	CHECK_EQ_U64(ip_target_ranges(&t, &r, &n, err, sizeof(err)), 0);
	for (size_t i = 0; i < n; i++)
		found |= r[i].start <= here && here < r[i].end;
	CHECK(found);
	free(r);

	CHECK(ip_target_resolve("999999999", NULL, NULL, &t, err, sizeof(err)) < 0);
	CHECK(strstr(err, "no such process") != NULL);
	CHECK(ip_target_resolve("vm1", NULL, NULL, &t, err, sizeof(err)) < 0);
	CHECK(strstr(err, "without libvirt") != NULL);
	CHECK(ip_target_resolve("", NULL, NULL, &t, err, sizeof(err)) < 0);
}

/* A process holding a KVM VM fd is seen as a VM and scanned whole. */
static void test_kvm_vm_detection(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm;
	struct ip_target t = { .pid = getpid() };
	struct ip_hva_range *r = NULL;
	char err[200];
	size_t n = 0;

	CHECK(!ip_pid_owns_kvm_vm(getpid()));
	if (kvm < 0) {
		printf("  (no /dev/kvm here: VM detection checked negative only)\n");
		return;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm >= 0) {
		CHECK(ip_pid_owns_kvm_vm(getpid()));
		t.is_vm = true;
		CHECK_EQ_U64(ip_target_ranges(&t, &r, &n, err, sizeof(err)), 0);
		CHECK_EQ_U64(n, 1);
		CHECK_EQ_U64(r[0].start, 0);
		CHECK_EQ_U64(r[0].end, IP_HVA_END_ALL);
		free(r);
		close(vm);
	}
	close(kvm);
}

/* A child whose command line names the guest as libvirt's QEMU would. */
static pid_t spawn_fake_qemu(const char *name_arg)
{
	pid_t pid = fork();

	if (!pid) {
		execl("/bin/sh", "sh", "-c", "sleep 30", name_arg, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void write_pid_file(const char *dir, const char *name, pid_t pid)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.pid", dir, name);
	f = fopen(path, "w");
	fprintf(f, "%d", (int)pid);
	fclose(f);
}

static void test_libvirt_lookup(void)
{
	const char *uri = "test:///default";
	char dir[] = "/tmp/test_ip_libvirt_XXXXXX", uuid[VIR_UUID_STRING_BUFLEN];
	char spec[40], err[400] = "";
	struct ip_target t;
	virConnectPtr conn = virConnectOpenReadOnly(uri);
	virDomainPtr dom;
	pid_t qemu, other;

	CHECK(conn != NULL);
	if (!conn)
		return;
	dom = virDomainLookupByName(conn, "test");
	CHECK(dom && virDomainGetUUIDString(dom, uuid) == 0);
	CHECK(mkdtemp(dir) != NULL);
	ip_libvirt_run_dir = dir;
	qemu = spawn_fake_qemu("guest=test,debug-threads=on");
	write_pid_file(dir, "test", qemu);
	usleep(100000);	/* let the child exec so its cmdline is sh's */

	CHECK_EQ_U64(ip_target_resolve("test", uri, ip_libvirt_lookup, &t, err,
				       sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "  %s\n", err);
	CHECK_EQ_U64(t.pid, qemu);
	CHECK(strstr(t.desc, "libvirt domain test") != NULL);
	snprintf(spec, sizeof(spec), "%s", uuid);
	CHECK_EQ_U64(ip_target_resolve(spec, uri, ip_libvirt_lookup, &t, err,
				       sizeof(err)), 0);
	CHECK_EQ_U64(t.pid, qemu);

	CHECK(ip_target_resolve("nosuchdomain", uri, ip_libvirt_lookup, &t,
				err, sizeof(err)) < 0);
	CHECK(strstr(err, "no libvirt domain named 'nosuchdomain'") != NULL);

	/* a pid file naming a process that is not this guest: stale */
	other = spawn_fake_qemu("guest=other");
	write_pid_file(dir, "test", other);
	usleep(100000);
	CHECK(ip_target_resolve("test", uri, ip_libvirt_lookup, &t, err,
				sizeof(err)) < 0);
	CHECK(strstr(err, "stale pid file") != NULL);

	/* no pid file */
	snprintf(spec, sizeof(spec), "%s/test.pid", dir);
	unlink(spec);
	CHECK(ip_target_resolve("test", uri, ip_libvirt_lookup, &t, err,
				sizeof(err)) < 0);
	CHECK(strstr(err, "cannot read") != NULL);

	kill(qemu, SIGKILL);
	kill(other, SIGKILL);
	waitpid(qemu, NULL, 0);
	waitpid(other, NULL, 0);
	rmdir(dir);
	if (dom)
		virDomainFree(dom);
	virConnectClose(conn);
}

int main(void)
{
	RUN_TEST(test_parse_maps);
	RUN_TEST(test_pid_targets);
	RUN_TEST(test_kvm_vm_detection);
	RUN_TEST(test_libvirt_lookup);
	return TEST_SUMMARY();
}
