// SPDX-License-Identifier: MIT
/* rtc.c - MC146818 CMOS RTC reads: BCD or binary, 12 or 24 hour. */
#include "rtc.h"
#include "io.h"
#include "tg_abi.h"

#define REG_SEC		0x00
#define REG_MIN		0x02
#define REG_HOUR	0x04
#define REG_A		0x0a
#define REG_B		0x0b
#define A_UIP		0x80	/* update in progress */
#define B_24H		0x02
#define B_BINARY	0x04
#define HOUR_PM		0x80	/* 12-hour mode */

static uint32_t cmos(uint8_t reg)
{
	outb(TG_PORT_RTC_INDEX, reg | 0x80);	/* bit 7: keep NMI off */
	return inb(TG_PORT_RTC_DATA);
}

uint32_t rtc_bcd(uint32_t v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

uint32_t rtc_seconds_of_day(void)
{
	uint32_t s, m, h, b;

	/* Read twice until equal, outside an update, for a consistent time. */
	for (;;) {
		while (cmos(REG_A) & A_UIP)
			;
		s = cmos(REG_SEC);
		m = cmos(REG_MIN);
		h = cmos(REG_HOUR);
		if (s == cmos(REG_SEC) && m == cmos(REG_MIN) &&
		    h == cmos(REG_HOUR))
			break;
	}
	b = cmos(REG_B);
	if (!(b & B_BINARY)) {
		s = rtc_bcd(s);
		m = rtc_bcd(m);
		h = rtc_bcd(h & 0x7f) | (h & HOUR_PM);
	}
	if (!(b & B_24H)) {
		uint32_t pm = h & HOUR_PM;

		h &= 0x7f;
		if (h == 12)
			h = 0;
		if (pm)
			h += 12;
	}
	return h * 3600 + m * 60 + s;
}

static uint32_t last_sod, elapsed_before;

void clock_start(int on_tick)
{
	uint32_t first = rtc_seconds_of_day();

	last_sod = first;
	while (on_tick && last_sod == first)
		last_sod = rtc_seconds_of_day();
	elapsed_before = 0;
}

uint32_t clock_elapsed(void)
{
	uint32_t now = rtc_seconds_of_day();

	if (now < last_sod)	/* past midnight */
		elapsed_before += now + 86400 - last_sod;
	else
		elapsed_before += now - last_sod;
	last_sod = now;
	return elapsed_before;
}
