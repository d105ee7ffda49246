/* SPDX-License-Identifier: MIT */
/*
 * idle_pages_synth.c - synthetic scan rounds for the tool's tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idle_pages_synth.h"
#include "ip_decode.h"

void synth_append(struct rec_round *r, uint64_t base,
		  const uint8_t *accessed, uint64_t npages)
{
	/* worst case: a SET_HVA plus one byte per page */
	r->scan = realloc(r->scan, r->scan_len + PIP_SET_HVA_LEN + npages);
	ip_encode_set_hva(r->scan + r->scan_len, base);
	r->scan_len += PIP_SET_HVA_LEN;
	for (uint64_t i = 0; i < npages;) {
		uint64_t n = 1;
		uint8_t acc = accessed[i] != 0;

		while (n < PIP_MAX_NR && i + n < npages &&
		       (accessed[i + n] != 0) == acc)
			n++;
		r->scan[r->scan_len++] = PIP_COMPOSE(acc ? PTE_ACCESSED : PTE_IDLE, n);
		i += n;
	}
}

int synth_write(const char *path, const char *target,
		const struct rec_round *rounds, size_t n)
{
	struct rec_header h = {
		.version = REC_VERSION, .interval_ms = 1000, .pid = 4242,
		.start_ns = 1700000000ull * 1000000000ull,
	};
	FILE *f = fopen(path, "wb");
	int ret = 0;

	if (!f)
		return -1;
	snprintf(h.target, sizeof(h.target), "%s", target);
	ret |= rec_write_header(f, &h);
	for (size_t i = 0; i < n; i++) {
		struct rec_round r = rounds[i];

		r.time_ns = h.start_ns + i * 1000000000ull;
		ret |= rec_write_round(f, &r);
	}
	return fclose(f) || ret ? -1 : 0;
}
