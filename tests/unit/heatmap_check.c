/* SPDX-License-Identifier: MIT */
/*
 * heatmap-check - checks a real `idle-pages heatmap` of the test guest
 * running pattern=phases (tests/lab/scenarios/tool-heatmap.sh): the
 * bright band must sit at each phase's hot set, phase after phase.
 *
 * usage: heatmap-check [--stopped-in-last] FILE.png FIRST-LAST...
 *   FIRST-LAST: host-virtual addresses of the first and last byte of
 *   each phase's hot set, in the order the guest reported its phases.
 *   --stopped-in-last: the recording was stopped when the last phase
 *   began, so that phase may have any number of rounds (even none) and
 *   every earlier phase ran to its end: the recording is cut by what
 *   the guest reports, never by a timer that a slow round can outrun.
 *
 * The PNG is decoded with libpng and its address axis and rows read from
 * its notes (heatmap_png.h); the plot needs a row per round (--height).
 * Each round's bright columns must be one phase's hot set (its inner
 * columns all bright, nothing bright outside it), or, in a round with a
 * phase change, the whole working area: the guest verifies every page at
 * each change. A scan that falls while the verify pass runs sees it cut
 * in two: the area's first part (with the old hot set) in one round, the
 * rest (with the new one) in the next. Phases must follow one another in
 * the given order, each in at least MIN_ROUNDS rounds, and whole-area or
 * cut rounds may only sit between two different phases, at most
 * MAX_BETWEEN in a row. Prints PASS:/FAIL: lines for the lab.
 */
#include <errno.h>

#include "heatmap_png.h"
#include "verdict.h"	/* tests/module: the PASS:/FAIL: lines */

#define MAX_PHASES	16
#define MIN_ROUNDS	2
#define CLASS_ALL	-1	/* the whole area bright */
#define CLASS_PART	-2	/* a verify pass cut in two by the scan */
#define CLASS_OTHER	-3	/* anything else */
#define MAX_BETWEEN	2	/* non-phase rounds in a row at a change */

struct band {
	uint64_t first, last;	/* HVAs, inclusive */
	int lo, hi;		/* plot columns */
};

static int parse_band(const char *s, struct band *b)
{
	char *end;

	errno = 0;
	b->first = strtoull(s, &end, 0);
	if (errno || end == s || *end != '-')
		return -1;
	s = end + 1;
	b->last = strtoull(s, &end, 0);
	if (errno || end == s || *end || b->last < b->first)
		return -1;
	return 0;
}

/* Are all columns lo..hi (inclusive) bright in @lit? */
static bool all_lit(const bool *lit, int lo, int hi)
{
	for (int x = lo; x <= hi; x++)
		if (!lit[x])
			return false;
	return true;
}

/*
 * Is the row, leaving out the columns of hot set @b (if any), one run of
 * bright columns from the area's start or up to its end (lo..hi)? That is
 * a part of the verify pass, with the hot set of the phase before or
 * after it. Edge columns may go either way.
 */
static bool verify_part(const bool *lit, int lo, int hi, const struct band *b)
{
	int first = -1, last = -1, runs = 0;

	for (int x = lo; x <= hi; x++) {
		bool on = lit[x] && !(b && x >= b->lo && x <= b->hi);

		if (!on)
			continue;
		if (last != x - 1)
			runs++;
		if (first < 0)
			first = x;
		last = x;
	}
	return runs == 1 && (first <= lo + 1 || last >= hi - 1);
}

/* The phase index whose hot set the row's bright columns are, or CLASS_*. */
static int classify(const bool *lit, int w, const struct band *b, int n)
{
	int lo = b[0].lo, hi = b[0].hi, nlit = 0;

	for (int k = 1; k < n; k++) {
		lo = b[k].lo < lo ? b[k].lo : lo;
		hi = b[k].hi > hi ? b[k].hi : hi;
	}
	for (int x = 0; x < w; x++)
		nlit += lit[x];
	for (int k = 0; k < n; k++) {
		int inside = 0;

		for (int x = b[k].lo; x <= b[k].hi; x++)
			inside += lit[x];
		/* edge columns are only partly the hot set: either way */
		if (inside == nlit && all_lit(lit, b[k].lo + 1, b[k].hi - 1))
			return k;
	}
	for (int x = lo; x <= hi; x++)
		nlit -= lit[x];
	if (nlit)	/* bright outside the working area */
		return CLASS_OTHER;
	if (all_lit(lit, lo + 1, hi - 1))
		return CLASS_ALL;
	for (int k = -1; k < n; k++)
		if (verify_part(lit, lo, hi, k >= 0 ? &b[k] : NULL))
			return CLASS_PART;
	return CLASS_OTHER;
}

static void print_lit(const bool *lit, int w)
{
	for (int x = 0; x < w; x++) {
		int start = x;

		if (!lit[x])
			continue;
		while (x + 1 < w && lit[x + 1])
			x++;
		printf(" %d-%d", start, x);
	}
}

int main(int argc, char **argv)
{
	struct band b[MAX_PHASES];
	int n, cls[4096], count[MAX_PHASES] = { 0 };
	int last_phase = -1, order_ok = 1, all_ok = 1, other = 0;
	bool stopped_in_last = false;
	struct hm_png im;
	const char *png;
	char err[256];
	bool *lit;

	if (argc > 1 && !strcmp(argv[1], "--stopped-in-last")) {
		stopped_in_last = true;
		argv++;
		argc--;
	}
	n = argc - 2;
	if (argc < 3 || n > MAX_PHASES || (stopped_in_last && n < 2)) {
		fprintf(stderr, "usage: heatmap-check [--stopped-in-last] FILE.png FIRST-LAST... (1 to %d phases, 2 or more with --stopped-in-last)\n",
			MAX_PHASES);
		return 2;
	}
	png = argv[1];
	for (int k = 0; k < n; k++)
		if (parse_band(argv[k + 2], &b[k])) {
			fprintf(stderr, "heatmap-check: bad range '%s': want FIRST-LAST (addresses, last >= first)\n",
				argv[k + 2]);
			return 2;
		}
	if (hm_png_read(png, &im, err, sizeof(err))) {
		verdict(false, "%s decodes with its idle-pages notes: %s",
		      png, err);
		return 1;
	}
	verdict(im.ph >= (int)im.nrounds && im.nrounds <= 4096,
	      "%s: %dx%d plot at (%d,%d), %zu rounds, %zu address segments, a row per round",
	      png, im.pw, im.ph, im.x0, im.y0, im.nrounds, im.nsegs);
	if (failures)
		return 1;
	for (int k = 0; k < n; k++) {
		b[k].lo = hm_column(&im, b[k].first);
		b[k].hi = hm_column(&im, b[k].last);
		verdict(b[k].lo >= 0 && b[k].hi >= 0 && b[k].hi - b[k].lo >= 2,
		      "phase %d's hot set 0x%" PRIx64 "-0x%" PRIx64 " is on the x axis: columns %d-%d",
		      k + 1, b[k].first, b[k].last, b[k].lo, b[k].hi);
		for (int j = 0; j < k; j++)
			if (b[j].lo == b[k].lo && b[j].hi == b[k].hi)
				verdict(false, "phases %d and %d have distinct hot sets",
				      j + 1, k + 1);
	}
	if (failures)
		return 1;

	lit = calloc(im.pw, sizeof(*lit));
	if (!lit)
		return 1;
	for (size_t r = 0; r < im.nrounds; r++) {
		int y = hm_row_of_round(&im, r);

		for (int x = 0; x < im.pw; x++)
			lit[x] = hm_bright(hm_plot_pixel(&im, x, y));
		cls[r] = classify(lit, im.pw, b, n);
		printf("round %2zu: ", r);
		if (cls[r] >= 0)
			printf("phase %d", cls[r] + 1);
		else
			printf("%s", cls[r] == CLASS_ALL ? "whole area" :
			       cls[r] == CLASS_PART ? "part of the area" :
			       "unexpected");
		printf(", bright columns");
		print_lit(lit, im.pw);
		printf("\n");
		if (cls[r] == CLASS_OTHER) {
			other++;
			continue;
		}
		if (cls[r] < 0)
			continue;
		count[cls[r]]++;
		if (cls[r] < last_phase)
			order_ok = 0;
		last_phase = cls[r];
	}
	/*
	 * A whole-area or cut round must sit between two different phases,
	 * with at most MAX_BETWEEN such rounds in a row.
	 */
	for (size_t r = 0, run = 0; r < im.nrounds; r++) {
		int before = -1, after = -1;

		if (cls[r] != CLASS_ALL && cls[r] != CLASS_PART) {
			run = 0;
			continue;
		}
		if (++run > MAX_BETWEEN)
			all_ok = 0;
		for (size_t i = r; i-- > 0;)
			if (cls[i] >= 0) {
				before = cls[i];
				break;
			}
		for (size_t i = r + 1; i < im.nrounds; i++)
			if (cls[i] >= 0) {
				after = cls[i];
				break;
			}
		if (before >= 0 && after >= 0 && before == after)
			all_ok = 0;
	}
	verdict(!other, "every round's bright cells are one phase's hot set, or the whole area or a part of it from one end (the verify pass) (%d unexpected rounds)",
	      other);
	verdict(order_ok, "the bright band moves through the phases in the order the guest reported");
	verdict(all_ok, "verify-pass rounds (whole area or a part) only at phase changes, at most %d in a row",
		MAX_BETWEEN);
	for (int k = 0; k < n; k++) {
		int min = stopped_in_last && k == n - 1 ? 0 : MIN_ROUNDS;

		verdict(count[k] >= min,
		      "phase %d's hot set is the bright band in %d rounds (at least %d%s)",
		      k + 1, count[k], min,
		      min ? "" : ": the recording stopped as it began");
	}
	free(lit);
	hm_png_free(&im);
	return failures ? 1 : 0;
}
