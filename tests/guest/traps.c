// SPDX-License-Identifier: MIT
/* traps.c - IDT for vectors 0-31, all pointing at trap_stubs.S. */
#include <stdint.h>
#include "traps.h"
#include "print.h"
#include "status.h"
#include "tg_abi.h"

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t zero;
	uint8_t type;
	uint16_t off_hi;
} __attribute__((packed));

extern const uint32_t tg_trap_stubs[32];
static struct idt_gate idt[32];

void traps_init(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (uint32_t)idt };

	for (int i = 0; i < 32; i++) {
		idt[i].off_lo = (uint16_t)tg_trap_stubs[i];
		idt[i].sel = 0x08;
		idt[i].zero = 0;
		idt[i].type = 0x8e;	/* present, ring 0, 32-bit interrupt gate */
		idt[i].off_hi = (uint16_t)(tg_trap_stubs[i] >> 16);
	}
	__asm__ volatile("lidt %0" : : "m"(desc));
}

void tg_trap(uint32_t vec, uint32_t err, uint32_t eip);

void tg_trap(uint32_t vec, uint32_t err, uint32_t eip)
{
	for (int i = 0; i < 3; i++) {
		tg_puts("TG fault vec=");
		tg_putu(vec);
		tg_puts(" err=");
		tg_putx(err);
		tg_puts(" eip=");
		tg_putx(eip);
		tg_nl();
	}
	tg_exit(TG_EXIT_FAULT);
}
