/* SPDX-License-Identifier: MIT */
/*
 * guest_ram.h - which parts of a QEMU process are guest RAM.
 *
 * Only guest RAM is ever moved, never QEMU's own memory (heap, stacks,
 * code buffers, device state). The ranges come from /proc/<pid>/maps,
 * cross-checked with the domain's memory size from libvirt:
 *
 * - candidates are writable mappings that can hold RAM blocks: anonymous
 *   ones (memory-backend-ram, the default), memfd ("/memfd:NAME"), and
 *   shared file mappings (memory-backend-file share=on, hugetlbfs,
 *   /dev/shm); private file mappings (libraries' data) and [heap],
 *   [stack] are never candidates;
 * - adjacent pieces of the same kind are joined into runs (a VMA split
 *   leaves one mapping in pieces);
 * - the largest runs are taken while they fit, and the result must add
 *   up to the guest's memory exactly: QEMU maps each RAM block (pc.ram,
 *   or one per NUMA cell / DIMM) at exactly its size, followed by a guard
 *   page, so the blocks are the largest writable mappings and their
 *   sizes sum to <memory>. Another mapping may come to lie right below a
 *   block (seen: a thread's stack), so when whole runs do not add up, a
 *   run's last pieces may stand for its block (a search, largest first).
 *   Anything else is an error that lists the largest candidates, rather
 *   than a guess.
 */
#ifndef VMM_GUEST_RAM_H
#define VMM_GUEST_RAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ip_reader.h"

struct guest_ram {
	struct ip_hva_range *ranges;	/* sorted by address */
	size_t n;
	bool shared;	/* some block is shared memory (memfd, file, hugetlbfs) */
	char desc[512];	/* the blocks, for the log */
};

/* maps: /proc/<pid>/maps text. 0, or -1 with a reason in err. */
int guest_ram_find(FILE *maps, uint64_t guest_bytes, struct guest_ram *out,
		   char *err, size_t errlen);

/* The same for a running process. */
int guest_ram_find_pid(pid_t pid, uint64_t guest_bytes, struct guest_ram *out,
		       char *err, size_t errlen);

void guest_ram_free(struct guest_ram *g);

#endif /* VMM_GUEST_RAM_H */
