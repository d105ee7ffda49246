/* SPDX-License-Identifier: MIT */
/*
 * ip_libvirt.c - resolve a libvirt domain (name or UUID) to its QEMU pid.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "ip_libvirt.h"

const char *ip_libvirt_run_dir = IP_LIBVIRT_RUN_DIR;

/* libvirt prints every error by default; we report them ourselves. */
static void quiet_errors(void *data, virErrorPtr e)
{
	(void)data;
	(void)e;
}

static const char *last_error(void)
{
	const char *m = virGetLastErrorMessage();

	return m ? m : "unknown libvirt error";
}

static bool looks_like_uuid(const char *s)
{
	size_t hex = 0;

	for (; *s; s++) {
		if (*s == '-')
			continue;
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		      (*s >= 'A' && *s <= 'F')))
			return false;
		hex++;
	}
	return hex == 32;
}

static int read_pid_file(const char *name, pid_t *pid, char *err,
			 size_t errlen)
{
	char path[512];
	long v = 0;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s.pid", ip_libvirt_run_dir, name);
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s (libvirt keeps the QEMU pid there; are you root?)",
			 path, strerror(errno));
		return -1;
	}
	ok = fscanf(f, "%ld", &v) == 1 && v > 0 && v <= INT32_MAX;
	fclose(f);
	if (!ok) {
		snprintf(err, errlen, "%s holds no valid pid", path);
		return -1;
	}
	*pid = (pid_t)v;
	return 0;
}

/* libvirt starts QEMU with "-name guest=NAME,..."; a stale pid file won't. */
static bool cmdline_names_guest(pid_t pid, const char *name, bool *readable)
{
	char path[64], buf[8192], want[300];
	size_t len, wl;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	f = fopen(path, "r");
	*readable = f != NULL;
	if (!f)
		return false;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	snprintf(want, sizeof(want), "guest=%s", name);
	wl = strlen(want);
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1) {
		const char *arg = buf + i;

		if (!strncmp(arg, want, wl) && (!arg[wl] || arg[wl] == ','))
			return true;
	}
	return false;
}

int ip_libvirt_lookup(const char *uri, const char *domain,
		      struct ip_target *t, char *err, size_t errlen)
{
	virConnectPtr conn;
	virDomainPtr dom = NULL;
	char uuid[VIR_UUID_STRING_BUFLEN] = "";
	char name[160];
	bool readable;
	int ret = -1;

	if (!uri)
		uri = IP_LIBVIRT_DEFAULT_URI;
	virSetErrorFunc(NULL, quiet_errors);
	/* read-only: looking a domain up needs no write access */
	conn = virConnectOpenReadOnly(uri);
	if (!conn) {
		snprintf(err, errlen, "cannot connect to libvirt at %s: %s",
			 uri, last_error());
		return -1;
	}
	if (looks_like_uuid(domain))
		dom = virDomainLookupByUUIDString(conn, domain);
	if (!dom)
		dom = virDomainLookupByName(conn, domain);
	if (!dom) {
		snprintf(err, errlen, "no libvirt domain named '%s' at %s",
			 domain, uri);
		goto out;
	}
	snprintf(name, sizeof(name), "%s", virDomainGetName(dom));
	virDomainGetUUIDString(dom, uuid);
	if (virDomainIsActive(dom) != 1) {
		snprintf(err, errlen, "libvirt domain '%s' is not running",
			 name);
		goto out;
	}
	if (read_pid_file(name, &t->pid, err, errlen))
		goto out;
	if (!cmdline_names_guest(t->pid, name, &readable) && readable) {
		snprintf(err, errlen, "pid %d from %s/%s.pid is not domain '%s' (its command line lacks guest=%s): stale pid file?",
			 (int)t->pid, ip_libvirt_run_dir, name, name, name);
		goto out;
	}
	snprintf(t->desc, sizeof(t->desc), "libvirt domain %s (uuid %s, pid %d)",
		 name, uuid, (int)t->pid);
	ret = 0;
out:
	if (dom)
		virDomainFree(dom);
	virConnectClose(conn);
	return ret;
}
