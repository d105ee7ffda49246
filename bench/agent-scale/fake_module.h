/* SPDX-License-Identifier: MIT */
/*
 * fake_module.h - /proc/idle_pages of a synthetic guest, served to the
 * agent's own reader (lib/ip_reader.c) through struct ip_sys_ops. A read
 * does what the module's ip_read() does, chunk by chunk, with its own
 * encoder (kvm-module/core/pt_encode.c); only the walk is replaced by the
 * guest's pattern, so the agent decodes the very bytes the module would
 * send. The guest RAM is one memslot; each open is a new scan round.
 */
#ifndef AGENT_SCALE_FAKE_MODULE_H
#define AGENT_SCALE_FAKE_MODULE_H

#include <stdint.h>

#include "ip_reader.h"
#include "pattern.h"

#define FAKE_CHUNK_PAGES	4096	/* the module's chunk_pages default */

struct fake_module_counts {
	uint64_t opens, ioctls, lseeks, reads, closes;
	uint64_t bytes;		/* record bytes read */
};

struct fake_module {
	const struct pattern *pat;
	uint64_t base, pages;	/* guest RAM: [base, base + pages * 4 KiB) */
	uint64_t pos;
	uint64_t scan;		/* rounds opened so far */
	unsigned int flags;	/* PTW_SKIM if the round was opened so */
	struct ptw_run *run_mem;
	struct ptw_runs runs;
	u8 *kbuf;
	struct fake_module_counts n;
	struct ip_sys_ops ops;
};

int fake_module_init(struct fake_module *m, const struct pattern *p,
		     uint64_t base, uint64_t pages);
void fake_module_fini(struct fake_module *m);

#endif /* AGENT_SCALE_FAKE_MODULE_H */
