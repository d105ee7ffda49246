/* SPDX-License-Identifier: MIT */
/*
 * heatmap-check - checks a real `idle-pages heatmap` of the test guest
 * running pattern=phases (tests/lab/scenarios/tool-heatmap.sh): the
 * bright band must sit at each phase's hot set, phase after phase.
 *
 * usage: heatmap-check FILE.png FIRST-LAST...
 *   FIRST-LAST: host-virtual addresses of the first and last byte of
 *   each phase's hot set, in the order the guest reported its phases.
 *
 * The PNG is decoded with libpng and its address axis and rows read from
 * its notes (heatmap_png.h); the plot needs a row per round (--height).
 * Each round's bright columns must be one phase's hot set (its inner
 * columns all bright, nothing bright outside it), or, in a round with a
 * phase change, the whole working area: the guest verifies every page at
 * each change. Phases must follow one another in the given order, each
 * in at least MIN_ROUNDS rounds, and whole-area rounds may only sit
 * between two different phases. Prints PASS:/FAIL: lines for the lab.
 */
#include <errno.h>

#include "heatmap_png.h"
#include "verdict.h"	/* tests/module: the PASS:/FAIL: lines */

#define MAX_PHASES	16
#define MIN_ROUNDS	2
#define CLASS_ALL	-1	/* the whole area bright */
#define CLASS_OTHER	-2	/* anything else */

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
	if (all_lit(lit, lo + 1, hi - 1)) {
		int inside = 0;

		for (int x = lo; x <= hi; x++)
			inside += lit[x];
		if (inside == nlit)
			return CLASS_ALL;
	}
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
	int n = argc - 2, cls[4096], count[MAX_PHASES] = { 0 };
	int last_phase = -1, order_ok = 1, all_ok = 1, other = 0;
	struct hm_png im;
	char err[256];
	bool *lit;

	if (argc < 3 || n > MAX_PHASES) {
		fprintf(stderr, "usage: heatmap-check FILE.png FIRST-LAST... (1 to %d phases)\n",
			MAX_PHASES);
		return 2;
	}
	for (int k = 0; k < n; k++)
		if (parse_band(argv[k + 2], &b[k])) {
			fprintf(stderr, "heatmap-check: bad range '%s': want FIRST-LAST (addresses, last >= first)\n",
				argv[k + 2]);
			return 2;
		}
	if (hm_png_read(argv[1], &im, err, sizeof(err))) {
		verdict(false, "%s decodes with its idle-pages notes: %s",
		      argv[1], err);
		return 1;
	}
	verdict(im.ph >= (int)im.nrounds && im.nrounds <= 4096,
	      "%s: %dx%d plot at (%d,%d), %zu rounds, %zu address segments, a row per round",
	      argv[1], im.pw, im.ph, im.x0, im.y0, im.nrounds, im.nsegs);
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
			printf("%s", cls[r] == CLASS_ALL ? "whole area" : "unexpected");
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
	/* A whole-area round must sit between two different phases. */
	for (size_t r = 0; r < im.nrounds; r++) {
		int before = -1, after = -1;

		if (cls[r] != CLASS_ALL)
			continue;
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
	verdict(!other, "every round's bright cells are one phase's hot set or the whole area (%d unexpected rounds)",
	      other);
	verdict(order_ok, "the bright band moves through the phases in the order the guest reported");
	verdict(all_ok, "whole-area rounds (the guest's verify pass) only at phase changes");
	for (int k = 0; k < n; k++)
		verdict(count[k] >= MIN_ROUNDS,
		      "phase %d's hot set is the bright band in %d rounds (at least %d)",
		      k + 1, count[k], MIN_ROUNDS);
	free(lit);
	hm_png_free(&im);
	return failures ? 1 : 0;
}
