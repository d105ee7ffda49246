/* SPDX-License-Identifier: MIT */
/*
 * vmm_pio.h - tg-launch: the guest's I/O ports: enough of a 16550 on COM1
 * to print its lines and send it command bytes, a CMOS RTC that reads the
 * host clock (UTC, binary, 24 h), the step port and the exit port.
 */
#ifndef TG_VMM_PIO_H
#define TG_VMM_PIO_H

#include <stdint.h>
#include <stdio.h>

#define TG_PIO_RX_SIZE 64

struct tg_pio {
	FILE *out;		/* where guest serial output goes */
	uint8_t lcr, ier, mcr, scr, dll, dlm;
	uint8_t rx[TG_PIO_RX_SIZE];
	unsigned rx_head, rx_count;
	uint8_t rtc_index;
	unsigned long unknown_accesses;	/* to ports nothing emulates */
};

enum tg_pio_event {
	TG_PIO_NONE,
	TG_PIO_STEP,		/* *value = step number */
	TG_PIO_EXIT,		/* *value = exit value */
};

void tg_pio_init(struct tg_pio *p, FILE *out);

/* Queues a byte for the guest to read from COM1; -1 if the queue is full. */
int tg_pio_push_input(struct tg_pio *p, uint8_t c);

/* One port access of `size` bytes; data is read for out, filled for in. */
enum tg_pio_event tg_pio_access(struct tg_pio *p, uint16_t port, int is_out,
				uint8_t *data, unsigned size, uint32_t *value);

#endif /* TG_VMM_PIO_H */
