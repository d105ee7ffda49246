// SPDX-License-Identifier: MIT
/* print.c - decimal/hex output without libgcc (no 64-bit division). */
#include "print.h"
#include "serial.h"

void tg_puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

/* (hi:lo) / 10 for hi < 10, by the CPU's 64/32 divide. */
static uint32_t div10_step(uint32_t hi, uint32_t lo, uint32_t *rem)
{
	uint32_t q, r;

	__asm__("divl %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(10u));
	*rem = r;
	return q;
}

void tg_putu(uint64_t v)
{
	char tmp[21];
	int i = 0;

	do {
		uint32_t hi = (uint32_t)(v >> 32), lo = (uint32_t)v, r;
		uint32_t qhi = hi / 10;
		uint32_t qlo = div10_step(hi % 10, lo, &r);

		v = ((uint64_t)qhi << 32) | qlo;
		tmp[i++] = (char)('0' + r);
	} while (v);
	while (i--)
		serial_putc(tmp[i]);
}

void tg_putx(uint32_t v)
{
	int shift = 28;

	tg_puts("0x");
	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		serial_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

void tg_nl(void)
{
	serial_putc('\n');
}
