/* SPDX-License-Identifier: MIT */
/*
 * ip_target.h - what to scan: resolves a target given as a pid or as a
 * libvirt domain name/UUID to a process, and lists the HVA ranges of it
 * to scan.
 *
 * For a VM the module knows the guest RAM (it walks the memslots), so
 * the whole address space is read from 0 and SET_HVA skips the rest.
 * For an ordinary process the ranges come from /proc/<pid>/maps.
 *
 * Domain lookup lives in ip_libvirt.c (libidlepages-virt.a, -lvirt) and
 * is passed in as a function, so this file builds without libvirt.
 */
#ifndef IP_TARGET_H
#define IP_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "ip_reader.h"

struct ip_target {
	pid_t pid;
	bool is_vm;		/* the process owns a KVM VM */
	char desc[200];		/* for humans and recordings */
};

/* Looks up a domain; fills t->pid and t->desc. 0, or -1 with err. */
typedef int (*ip_domain_lookup_fn)(const char *uri, const char *domain,
				   struct ip_target *t, char *err,
				   size_t errlen);

/*
 * spec: decimal pid, or a domain name/UUID (needs lookup; uri NULL for
 * the default). Checks that the process exists and whether it owns a VM.
 */
int ip_target_resolve(const char *spec, const char *uri,
		      ip_domain_lookup_fn lookup, struct ip_target *t,
		      char *err, size_t errlen);

/* True if /proc/<pid>/fd holds an anon_inode:kvm-vm. */
bool ip_pid_owns_kvm_vm(pid_t pid);

/*
 * The ranges to scan, sorted and merged; *out is malloc'ed. A VM gets
 * one range { 0, IP_HVA_END_ALL }; a process gets its mappings.
 */
int ip_target_ranges(const struct ip_target *t, struct ip_hva_range **out,
		     size_t *n, char *err, size_t errlen);

/*
 * Parses /proc/<pid>/maps text into sorted, merged ranges below
 * IP_USER_END_LA57 (so [vsyscall] is left out). 0 or -1 (out of memory).
 */
int ip_parse_maps(FILE *f, struct ip_hva_range **out, size_t *n);

#endif /* IP_TARGET_H */
