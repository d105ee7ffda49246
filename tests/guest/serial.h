/* SPDX-License-Identifier: MIT */
/* serial.h - COM1 (16550) by polling: output lines, one-byte commands in. */
#ifndef TG_SERIAL_H
#define TG_SERIAL_H

void serial_init(void);
void serial_putc(char c);
/* A received byte, or -1 if none is waiting. */
int serial_getc(void);

#endif /* TG_SERIAL_H */
