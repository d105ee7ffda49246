/* SPDX-License-Identifier: MIT */
/*
 * guest_ram.c - guest RAM ranges of a QEMU process from /proc/<pid>/maps
 * (the approach is described in guest_ram.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "guest_ram.h"
#include "units.h"

#define MAX_CANDIDATES	4096
#define SEARCH_BUDGET	(1ul << 20)	/* choices tried, at most */
#define NONE		SIZE_MAX

/* A candidate VMA. */
struct piece {
	uint64_t start, end;
	bool shared;
	char name[160];
};

/* Adjacent pieces of the same kind: one mapping split in VMAs, or
 * separate mappings that happen to touch (see pick_blocks). */
struct run {
	size_t first, n;		/* pieces[first .. first + n) */
	uint64_t start, end;
};

static int by_size_desc(const void *a, const void *b)
{
	const struct run *x = a, *y = b;
	uint64_t sx = x->end - x->start, sy = y->end - y->start;

	if (sx != sy)
		return sx > sy ? -1 : 1;
	return x->start < y->start ? -1 : 1;
}

static int by_start(const void *a, const void *b)
{
	const struct ip_hva_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Could this mapping hold a RAM block? */
static bool is_candidate(const char *perms, const char *name)
{
	if (perms[0] != 'r' || perms[1] != 'w')
		return false;
	if (!name[0])
		return true;			/* anonymous */
	if (name[0] == '[')
		return false;			/* [heap], [stack], ... */
	if (!strncmp(name, "/memfd:", 7))
		return true;
	return perms[3] == 's';			/* shared file, hugetlbfs */
}

/* Parse one maps line; false if it is not a candidate. */
static bool parse_line(const char *line, struct piece *m)
{
	char perms[8] = "";
	int name_at = 0;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %*s %*s %*s %n",
		   &m->start, &m->end, perms, &name_at) < 3 ||
	    m->end <= m->start)
		return false;
	snprintf(m->name, sizeof(m->name), "%s", name_at ? line + name_at : "");
	m->name[strcspn(m->name, "\n")] = '\0';
	m->shared = perms[3] == 's' || !strncmp(m->name, "/memfd:", 7);
	return is_candidate(perms, m->name);
}

struct candidates {
	struct piece *pieces;
	struct run *runs;
	size_t np, nr;
};

static void candidates_free(struct candidates *c)
{
	free(c->pieces);
	free(c->runs);
}

static int read_candidates(FILE *maps, struct candidates *c)
{
	char line[512];
	struct piece m;

	memset(c, 0, sizeof(*c));
	c->pieces = calloc(MAX_CANDIDATES, sizeof(*c->pieces));
	c->runs = calloc(MAX_CANDIDATES, sizeof(*c->runs));
	if (!c->pieces || !c->runs) {
		candidates_free(c);
		return -1;
	}
	while (fgets(line, sizeof(line), maps) && c->np < MAX_CANDIDATES) {
		struct run *last = c->nr ? &c->runs[c->nr - 1] : NULL;
		const struct piece *prev = c->np ? &c->pieces[c->np - 1] : NULL;

		if (!parse_line(line, &m))
			continue;
		c->pieces[c->np] = m;
		if (last && last->end == m.start && prev->shared == m.shared &&
		    !strcmp(prev->name, m.name)) {
			last->end = m.end;
			last->n++;
		} else {
			c->runs[c->nr++] = (struct run){ c->np, 1, m.start,
							 m.end };
		}
		c->np++;
	}
	return 0;
}

static void describe_largest(const struct candidates *c, char *buf,
			     size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < c->nr && i < 4 && used < len; i++) {
		const struct run *r = &c->runs[i];
		const char *name = c->pieces[r->first].name;
		char sz[32];

		used += snprintf(buf + used, len - used, "%s%s at 0x%" PRIx64 " (%s)",
				 i ? ", " : "",
				 format_bytes(r->end - r->start, sz, sizeof(sz)),
				 r->start, name[0] ? name : "anonymous");
	}
}

/*
 * Which runs (largest first) hold the guest's RAM blocks, adding up to
 * need: choice[i] is the piece of run i where its block starts, or NONE.
 * A block is a whole run or its last pieces: QEMU leaves a guard page
 * right after each block, but another mapping (a thread stack, say) may
 * come to lie right below it. Depth first, largest choices first: the
 * first path is "the largest runs that fit".
 */
struct search {
	const struct candidates *c;
	uint64_t *rest;			/* sizes of runs i.. together */
	size_t *choice;
	unsigned long budget;
};

static bool pick_blocks(struct search *s, size_t i, uint64_t need)
{
	const struct run *r;

	if (!need)
		return true;
	if (i == s->c->nr || s->rest[i] < need || !s->budget--)
		return false;
	r = &s->c->runs[i];
	for (size_t k = 0; k < r->n; k++) {
		uint64_t size = r->end - s->c->pieces[r->first + k].start;

		if (size > need)
			continue;
		s->choice[i] = k;
		if (pick_blocks(s, i + 1, need - size))
			return true;
	}
	s->choice[i] = NONE;
	return pick_blocks(s, i + 1, need);
}

static int choose(const struct candidates *c, uint64_t guest_bytes,
		  size_t *choice)
{
	struct search s = { c, NULL, choice, SEARCH_BUDGET };
	bool found;

	s.rest = calloc(c->nr + 1, sizeof(*s.rest));
	if (!s.rest)
		return -1;
	for (size_t i = c->nr; i-- > 0; )
		s.rest[i] = s.rest[i + 1] + (c->runs[i].end - c->runs[i].start);
	for (size_t i = 0; i < c->nr; i++)
		choice[i] = NONE;
	found = pick_blocks(&s, 0, guest_bytes);
	free(s.rest);
	return found ? 0 : -1;
}

int guest_ram_find(FILE *maps, uint64_t guest_bytes, struct guest_ram *out,
		   char *err, size_t errlen)
{
	struct candidates c;
	size_t *choice, taken = 0, used = 0;
	char gs[32];

	memset(out, 0, sizeof(*out));
	if (read_candidates(maps, &c)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	qsort(c.runs, c.nr, sizeof(*c.runs), by_size_desc);
	out->ranges = calloc(c.nr ? c.nr : 1, sizeof(*out->ranges));
	choice = calloc(c.nr ? c.nr : 1, sizeof(*choice));
	if (!out->ranges || !choice) {
		free(choice);
		candidates_free(&c);
		guest_ram_free(out);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!guest_bytes || choose(&c, guest_bytes, choice)) {
		char largest[400];

		describe_largest(&c, largest, sizeof(largest));
		snprintf(err, errlen, "no writable anonymous or shared mappings add up to the guest's memory of %s; the largest are: %s",
			 format_bytes(guest_bytes, gs, sizeof(gs)),
			 c.nr ? largest : "none");
		free(choice);
		candidates_free(&c);
		guest_ram_free(out);
		return -1;
	}
	for (size_t i = 0; i < c.nr; i++) {
		const struct piece *first;
		uint64_t start;

		if (choice[i] == NONE)
			continue;
		first = &c.pieces[c.runs[i].first + choice[i]];
		start = first->start;
		out->ranges[out->n++] = (struct ip_hva_range){ start,
							       c.runs[i].end };
		out->shared |= first->shared;
		if (used < sizeof(out->desc))
			used += snprintf(out->desc + used,
					 sizeof(out->desc) - used,
					 "%s%s at 0x%" PRIx64 " (%s%s)",
					 taken++ ? ", " : "",
					 format_bytes(c.runs[i].end - start, gs,
						      sizeof(gs)),
					 start,
					 first->name[0] ? first->name :
							  "anonymous",
					 first->shared ? ", shared" : "");
	}
	free(choice);
	candidates_free(&c);
	qsort(out->ranges, out->n, sizeof(*out->ranges), by_start);
	return 0;
}

int guest_ram_find_pid(pid_t pid, uint64_t guest_bytes, struct guest_ram *out,
		       char *err, size_t errlen)
{
	char path[64];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	ret = guest_ram_find(f, guest_bytes, out, err, errlen);
	fclose(f);
	return ret;
}

void guest_ram_free(struct guest_ram *g)
{
	free(g->ranges);
	g->ranges = NULL;
	g->n = 0;
}
