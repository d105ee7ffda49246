/* SPDX-License-Identifier: MIT */
/*
 * print.h - building the guest's report lines on COM1 piece by piece:
 * tg_puts("TG x="); tg_putu(n); tg_nl();
 */
#ifndef TG_PRINT_H
#define TG_PRINT_H

#include <stdint.h>

void tg_puts(const char *s);
void tg_putu(uint64_t v);	/* decimal */
void tg_putx(uint32_t v);	/* 0x-hex */
void tg_nl(void);

#endif /* TG_PRINT_H */
