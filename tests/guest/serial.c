// SPDX-License-Identifier: MIT
/* serial.c - COM1 driver: 115200 8N1, FIFOs on, no interrupts. */
#include "serial.h"
#include "io.h"
#include "tg_abi.h"

#define THR	0	/* transmit holding (write), receive buffer (read) */
#define IER	1
#define FCR	2
#define LCR	3
#define MCR	4
#define LSR	5
#define LSR_DR		0x01	/* a received byte is waiting */
#define LSR_THRE	0x20	/* room to transmit */

void serial_init(void)
{
	outb(TG_PORT_COM1 + IER, 0x00);
	outb(TG_PORT_COM1 + LCR, 0x80);	/* divisor latch */
	outb(TG_PORT_COM1 + 0, 0x01);		/* 115200 baud */
	outb(TG_PORT_COM1 + 1, 0x00);
	outb(TG_PORT_COM1 + LCR, 0x03);	/* 8N1 */
	outb(TG_PORT_COM1 + FCR, 0xc7);	/* FIFOs on and cleared */
	outb(TG_PORT_COM1 + MCR, 0x03);	/* DTR, RTS */
}

void serial_putc(char c)
{
	/* Bounded wait: a host that never drains must not hang the guest. */
	for (int i = 0; i < 100000; i++)
		if (inb(TG_PORT_COM1 + LSR) & LSR_THRE)
			break;
	outb(TG_PORT_COM1 + THR, (uint8_t)c);
}

int serial_getc(void)
{
	if (!(inb(TG_PORT_COM1 + LSR) & LSR_DR))
		return -1;
	return inb(TG_PORT_COM1 + THR);
}
