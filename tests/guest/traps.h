/* SPDX-License-Identifier: MIT */
/* traps.h - report CPU exceptions on COM1 instead of triple-faulting. */
#ifndef TG_TRAPS_H
#define TG_TRAPS_H

void traps_init(void);

#endif /* TG_TRAPS_H */
