/* SPDX-License-Identifier: MIT */
/*
 * ip_aging.h - who else on this host clears accessed bits.
 *
 * A scan reports the pages whose accessed bits were set since the last
 * scan. Anything else that clears those bits in between takes the
 * accesses with it, and the pages read idle. DAMON does: its kdamond
 * samples pages and clears their bits, in the process's page table and,
 * through the MMU notifiers, in KVM's. Debian's 7.x kernels start one at
 * boot (DAMON_STAT, damon_stat.enabled=Y); DAMON's sysfs starts others.
 * Measured in the lab on 7.3.4: with DAMON_STAT on, 7 of 8 exact scans of
 * a test guest missed 1 to 5 of its 4122 touched pages; with it off, none.
 */
#ifndef IP_AGING_H
#define IP_AGING_H

#include <stddef.h>

/*
 * The DAMON samplers running now, read under @sys_root ("/sys" when
 * NULL). Returns how many, and names them in @what ("" if none): for
 * example "DAMON_STAT (damon_stat.enabled=Y), kdamond 0 (DAMON sysfs)".
 */
int ip_aging_peers(const char *sys_root, char *what, size_t len);

#endif /* IP_AGING_H */
