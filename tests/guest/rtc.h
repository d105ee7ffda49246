/* SPDX-License-Identifier: MIT */
/*
 * rtc.h - wall-clock seconds from the CMOS RTC (1 s resolution), the only
 * clock the guest needs to be the same under QEMU and tg-launch.
 */
#ifndef TG_RTC_H
#define TG_RTC_H

#include <stdint.h>

/* Seconds since midnight, from a consistent read of the RTC. */
uint32_t rtc_seconds_of_day(void);

/* BCD byte -> binary (exposed for the unit test). */
uint32_t rtc_bcd(uint32_t v);

/* Elapsed seconds since clock_start(), across midnight. With on_tick it
 * first waits for the RTC's next second, so that "n seconds" lasts n whole
 * seconds rather than anything from n-1 to n. */
void clock_start(int on_tick);
uint32_t clock_elapsed(void);

#endif /* TG_RTC_H */
