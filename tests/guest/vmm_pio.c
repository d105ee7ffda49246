// SPDX-License-Identifier: MIT
/* vmm_pio.c - port I/O emulation for tg-launch. */
#include "vmm_pio.h"
#include "tg_abi.h"

#include <string.h>
#include <time.h>

#define UART_LSR_DR	0x01
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_LCR_DLAB	0x80
#define RTC_B_24H_BINARY 0x06

void tg_pio_init(struct tg_pio *p, FILE *out)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
}

int tg_pio_push_input(struct tg_pio *p, uint8_t c)
{
	if (p->rx_count == TG_PIO_RX_SIZE)
		return -1;
	p->rx[(p->rx_head + p->rx_count++) % TG_PIO_RX_SIZE] = c;
	return 0;
}

static void uart_out(struct tg_pio *p, unsigned reg, uint8_t v)
{
	int dlab = p->lcr & UART_LCR_DLAB;

	switch (reg) {
	case 0:
		if (dlab) {
			p->dll = v;
		} else {
			fputc(v, p->out);
			if (v == '\n')
				fflush(p->out);
		}
		break;
	case 1:
		if (dlab)
			p->dlm = v;
		else
			p->ier = v;
		break;
	case 3: p->lcr = v; break;
	case 4: p->mcr = v; break;
	case 7: p->scr = v; break;
	default: break;		/* FCR: FIFOs need no emulation */
	}
}

static uint8_t uart_in(struct tg_pio *p, unsigned reg)
{
	int dlab = p->lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case 0:
		if (dlab)
			return p->dll;
		if (!p->rx_count)
			return 0;
		v = p->rx[p->rx_head];
		p->rx_head = (p->rx_head + 1) % TG_PIO_RX_SIZE;
		p->rx_count--;
		return v;
	case 1: return dlab ? p->dlm : p->ier;
	case 2: return 0x01;	/* IIR: no interrupt pending */
	case 3: return p->lcr;
	case 4: return p->mcr;
	case 5: return UART_LSR_THRE | UART_LSR_TEMT |
		       (p->rx_count ? UART_LSR_DR : 0);
	case 6: return 0xb0;	/* MSR: CTS, DSR, DCD */
	default: return p->scr;
	}
}

static uint8_t rtc_in(struct tg_pio *p)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	switch (p->rtc_index) {
	case 0x00: return (uint8_t)tm.tm_sec;
	case 0x02: return (uint8_t)tm.tm_min;
	case 0x04: return (uint8_t)tm.tm_hour;
	case 0x06: return (uint8_t)(tm.tm_wday + 1);
	case 0x07: return (uint8_t)tm.tm_mday;
	case 0x08: return (uint8_t)(tm.tm_mon + 1);
	case 0x09: return (uint8_t)(tm.tm_year % 100);
	case 0x0a: return 0x26;			/* UIP clear */
	case 0x0b: return RTC_B_24H_BINARY;
	case 0x0d: return 0x80;			/* battery good */
	default: return 0;
	}
}

static uint32_t le_value(const uint8_t *data, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size && i < 4; i++)
		v |= (uint32_t)data[i] << (8 * i);
	return v;
}

enum tg_pio_event tg_pio_access(struct tg_pio *p, uint16_t port, int is_out,
				uint8_t *data, unsigned size, uint32_t *value)
{
	if (port >= TG_PORT_COM1 && port < TG_PORT_COM1 + 8) {
		if (is_out)
			uart_out(p, port - TG_PORT_COM1, data[0]);
		else
			data[0] = uart_in(p, port - TG_PORT_COM1);
		return TG_PIO_NONE;
	}
	switch (port) {
	case TG_PORT_RTC_INDEX:
		if (is_out)
			p->rtc_index = data[0] & 0x7f;	/* bit 7 is NMI mask */
		else
			data[0] = p->rtc_index;
		return TG_PIO_NONE;
	case TG_PORT_RTC_DATA:
		if (!is_out)
			data[0] = rtc_in(p);
		return TG_PIO_NONE;
	case TG_PORT_STEP:
		if (!is_out)
			break;
		*value = le_value(data, size);
		return TG_PIO_STEP;
	case TG_PORT_EXIT:
		if (!is_out)
			break;
		*value = data[0];
		return TG_PIO_EXIT;
	}
	if (!is_out)
		memset(data, 0xff, size);	/* nothing there: floating bus */
	p->unknown_accesses++;
	return TG_PIO_NONE;
}
