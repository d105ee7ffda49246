/* SPDX-License-Identifier: MIT */
/*
 * workload.h - the uniform, zipf, seq and phases runs: write every page
 * once, then access the hot set until passes=, phases= or secs= says
 * stop, with periodic stats and commands from COM1 ('v' verify now,
 * 's' stats now, 'q' finish).
 */
#ifndef TG_WORKLOAD_H
#define TG_WORKLOAD_H

#include <stdint.h>
#include "config.h"
#include "integrity.h"

/* Returns the last phase run (0 if the pattern has no phases). */
uint32_t tg_run_workload(struct tg_area *area, const struct tg_config *cfg);

#endif /* TG_WORKLOAD_H */
