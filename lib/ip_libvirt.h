/* SPDX-License-Identifier: MIT */
/*
 * ip_libvirt.h - libvirt domain name/UUID to QEMU pid (libidlepages-virt.a,
 * link with -lvirt). Pass ip_libvirt_lookup to ip_target_resolve().
 */
#ifndef IP_LIBVIRT_H
#define IP_LIBVIRT_H

#include "ip_target.h"

#define IP_LIBVIRT_DEFAULT_URI	"qemu:///system"
#define IP_LIBVIRT_RUN_DIR	"/run/libvirt/qemu"

/*
 * Where libvirt's QEMU driver writes <name>.pid. libvirt has no public
 * call for a domain's pid; this is the system driver's state directory.
 * Changeable for session daemons and tests.
 */
extern const char *ip_libvirt_run_dir;

/* uri NULL: IP_LIBVIRT_DEFAULT_URI. Matches ip_domain_lookup_fn. */
int ip_libvirt_lookup(const char *uri, const char *domain,
		      struct ip_target *t, char *err, size_t errlen);

#endif /* IP_LIBVIRT_H */
