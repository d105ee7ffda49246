/* SPDX-License-Identifier: MIT */
/*
 * cmd_decode.c - `idle-pages decode`: a raw record stream (or each round
 * of a recording) as one text line per record, for debugging the
 * interface. Stops at the first malformed byte and says where.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

struct printer {
	FILE *f;
	uint64_t cmd_offset;	/* of the last SET_HVA */
	bool had_cmd;
};

static int print_record(void *arg, const struct ip_range *r)
{
	struct printer *p = arg;
	unsigned long long a = r->hva, b = r->hva + r->npages * IP_PAGE_SIZE;

	if (r->type == PIP_CMD) {
		fprintf(p->f, "%8llu  a0  SET_HVA 0x%llx\n",
			(unsigned long long)r->offset, a);
		p->cmd_offset = r->offset;
		p->had_cmd = true;
	} else if (p->had_cmd && r->offset == p->cmd_offset) {
		fprintf(p->f, "%8s      (jumped over %llx-%llx, %llu pages)\n",
			"", a, b, (unsigned long long)r->npages);
	} else {
		unsigned int nr = (unsigned int)(r->npages >> (r->page_shift - 12));

		fprintf(p->f, "%8llu  %02x  %-13s x%-2u %012llx-%012llx\n",
			(unsigned long long)r->offset,
			PIP_COMPOSE(r->type, nr), ip_type_name(r->type), nr,
			a, b);
	}
	return 0;
}

static int decode_stream(const uint8_t *buf, size_t len, uint64_t start)
{
	struct printer p = { .f = stdout };
	struct ip_decoder d;

	ip_decoder_init(&d, start, IP_DEC_PER_RECORD);
	if (ip_decode(&d, buf, len, print_record, &p) ||
	    ip_decode_finish(&d, print_record, &p)) {
		fflush(stdout);
		fprintf(stderr, "idle-pages: malformed stream: %s\n", d.msg);
		return -1;
	}
	return 0;
}

static int decode_recording(const char *path)
{
	struct scan_set s;
	char err[512];
	int ret = 0;

	if (scan_set_load(path, &s, err, sizeof(err))) {
		fprintf(stderr, "idle-pages: %s\n", err);
		return -1;
	}
	printf("# %s, %zu rounds\n", s.hdr.target, s.nrounds);
	for (size_t i = 0; i < s.nrounds && !ret; i++) {
		printf("# round %zu at +%.3f s: %llu bytes\n", i,
		       scan_set_time(&s, i),
		       (unsigned long long)s.rounds[i].scan_len);
		ret = decode_stream(s.rounds[i].scan, s.rounds[i].scan_len,
				    IP_HVA_UNKNOWN);
	}
	scan_set_free(&s);
	return ret;
}

static uint8_t *slurp(FILE *f, size_t *len)
{
	size_t cap = 1 << 16;
	uint8_t *buf = malloc(cap), *p;
	size_t n;

	*len = 0;
	while (buf && (n = fread(buf + *len, 1, cap - *len, f)) > 0) {
		*len += n;
		if (*len == cap) {
			p = realloc(buf, cap *= 2);
			if (!p)
				free(buf);
			buf = p;
		}
	}
	return buf;
}

int cmd_decode(int argc, char **argv)
{
	struct cli_args a;
	uint8_t *buf;
	size_t len;
	FILE *f;
	int ret = cli_parse(argc, argv, "decode", CLI_DECODE, &a);

	if (ret)
		return ret > 0 ? 0 : 2;
	if (!a.target) {
		fprintf(stderr, "idle-pages decode: give a FILE ('-' for stdin)\n");
		return 2;
	}
	f = strcmp(a.target, "-") ? fopen(a.target, "rb") : stdin;
	if (!f) {
		fprintf(stderr, "idle-pages: cannot open %s: %s\n", a.target,
			strerror(errno));
		return 1;
	}
	buf = slurp(f, &len);
	if (f != stdin)
		fclose(f);
	if (!buf) {
		fprintf(stderr, "idle-pages: out of memory\n");
		return 1;
	}
	if (len >= REC_MAGIC_LEN && !memcmp(buf, REC_MAGIC, REC_MAGIC_LEN) &&
	    f != stdin)
		ret = decode_recording(a.target);
	else
		ret = decode_stream(buf, len, a.start);
	free(buf);
	return ret ? 1 : 0;
}
