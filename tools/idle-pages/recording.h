/* SPDX-License-Identifier: MIT */
/*
 * recording.h - the idle-pages recording file: a header, then per scan
 * round its timestamp, the raw record stream and optional NUMA node
 * runs. The byte layout is documented in README.md ("Recording format").
 */
#ifndef RECORDING_H
#define RECORDING_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "idle_pages.h"

#define REC_MAGIC	"IDLEPGRC"
#define REC_MAGIC_LEN	8
#define REC_VERSION	1
#define REC_ROUND_MAGIC	0x31444e52u	/* "RND1" read little-endian */
#define REC_ROUND_HAS_NODES	(1u << 0)

struct rec_header {
	uint32_t version;
	uint32_t mode;		/* IP_MODE_* the scans used */
	uint32_t interval_ms;
	int32_t pid;
	uint64_t start_ns;	/* CLOCK_REALTIME, ns since the epoch */
	bool have_info;		/* the module answered IDLE_PAGE_GET_INFO */
	struct idle_pages_info info;
	char target[200];
};

/* A run of pages on one NUMA node (node -1: not resident / unknown). */
struct rec_node_run {
	uint64_t hva, npages;
	int32_t node;
};

struct rec_round {
	uint64_t time_ns;	/* round start, ns since the epoch */
	uint64_t duration_ns;	/* scan time */
	uint8_t *scan;		/* raw stream, decodes from IP_HVA_UNKNOWN */
	uint64_t scan_len;
	bool has_nodes;
	struct rec_node_run *nodes;
	uint64_t nnodes;
};

int rec_write_header(FILE *f, const struct rec_header *h);
int rec_write_round(FILE *f, const struct rec_round *r);

/* Reads and checks the header; 0, or -1 with err. */
int rec_read_header(FILE *f, struct rec_header *h, char *err, size_t errlen);
/*
 * Reads the next round into r (malloc'ed buffers; rec_round_free).
 * 1 = a round, 0 = clean end of file, -1 = error with err.
 */
int rec_read_round(FILE *f, struct rec_round *r, char *err, size_t errlen);
void rec_round_free(struct rec_round *r);

#endif /* RECORDING_H */
