/* SPDX-License-Identifier: MIT */
/*
 * scan_set.h - the scan rounds an analysis works on, from a recording
 * file or scanned live from a target; and the live scanning loop that
 * `record` shares.
 */
#ifndef SCAN_SET_H
#define SCAN_SET_H

#include <signal.h>
#include <stddef.h>

#include "ip_reader.h"
#include "ip_target.h"
#include "recording.h"

struct scan_set {
	struct rec_header hdr;
	struct rec_round *rounds;
	size_t nrounds;
};

/* What to scan live, and how often. */
struct live_plan {
	struct ip_target target;	/* resolved by the caller */
	unsigned int mode;		/* IP_MODE_* */
	int rounds;
	double interval_s;		/* between round starts */
	bool numa;			/* query nodes with move_pages(2) */
	const struct ip_sys_ops *sys;	/* NULL: the real module */
	bool quiet;			/* no progress on stderr */
};

/* Set (e.g. by SIGINT) to end a live scan after the current round. */
extern volatile sig_atomic_t live_stop_requested;

/* Called after each round; h is complete from round 0 on. */
typedef int (*live_round_fn)(void *arg, const struct rec_header *h,
			     const struct rec_round *r, int index);

int live_scan(const struct live_plan *p, live_round_fn fn, void *arg,
	      char *err, size_t errlen);

int scan_set_load(const char *path, struct scan_set *s, char *err,
		  size_t errlen);
int scan_set_live(const struct live_plan *p, struct scan_set *s, char *err,
		  size_t errlen);
void scan_set_free(struct scan_set *s);

/* Decodes one round's stream (merged ranges). 0 or -1 with err. */
int round_for_each_range(const struct rec_round *r, ip_range_cb cb,
			 void *arg, char *err, size_t errlen);

/* Seconds from the first round's start to round i's start. */
double scan_set_time(const struct scan_set *s, size_t i);

#endif /* SCAN_SET_H */
