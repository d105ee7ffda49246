/* SPDX-License-Identifier: MIT */
/*
 * scan_check - one idle_pages scan of a target the test knows exactly,
 * checked page by page against what it touched. The target is either the
 * test guest under tg-launch (its --report file says which guest pages a
 * step touched, wrote, and which pages the launcher accounts for) or
 * touch-proc (same report format, for an ordinary process).
 *
 * usage: scan-check [--mode normal|skim|huge|dirty] [--ext]
 *                   [--expect touched|none] REPORT
 * Prints "PASS: ..." / "FAIL: ..." lines (read by the lab runner) and
 * exits non-zero if any check failed.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "ip_decode.h"
#include "ip_reader.h"
#include "report.h"
#include "verdict.h"

#define PAGES_PER_2M 512u

/* What the scan said about one 4 KiB page of the target's memory. */
struct page_seen {
	uint8_t state;		/* enum ip_state, or SEEN_NONE */
	uint8_t shift;		/* mapping size of the record */
	uint8_t dirty;
	uint8_t idle_ptes;	/* PMD_IDLE_PTES (skim) */
};
#define SEEN_NONE 0xff

struct check {
	const struct tg_report *rep;
	struct page_seen *seen;
	uint64_t outside;	/* records outside the target's memory */
	bool ad_disabled;	/* EPT without A/D bits (GET_INFO) */
};

static int on_range(void *arg, const struct ip_range *r)
{
	struct check *c = arg;
	const struct tg_report *rep = c->rep;
	uint64_t base = rep->hva_base, npages = rep->mem_size / 4096;

	for (uint64_t i = 0; i < r->npages; i++) {
		uint64_t hva = r->hva + i * 4096;

		if (hva < base || hva >= base + npages * 4096) {
			if (ip_type_state(r->type) == IP_ST_ACCESSED)
				c->outside++;
			continue;
		}
		struct page_seen *p = &c->seen[(hva - base) / 4096];

		p->state = ip_type_state(r->type);
		p->shift = r->page_shift;
		p->dirty = ip_type_dirty(r->type);
		p->idle_ptes = r->type == PMD_IDLE_PTES;
	}
	return 0;
}

/* The first up to 8 page numbers for which @bad holds, for messages. */
static void list_pages(char *out, size_t len, const struct check *c,
		       bool (*bad)(const struct check *, uint64_t))
{
	uint64_t n = c->rep->mem_size / 4096, shown = 0;
	size_t used = 0;

	out[0] = 0;
	for (uint64_t pg = 0; pg < n && shown < 8; pg++) {
		if (!bad(c, pg))
			continue;
		used += snprintf(out + used, len - used, " %#" PRIx64, pg);
		shown++;
		if (used >= len)
			break;
	}
}

static uint64_t count_pages(const struct check *c,
			    bool (*bad)(const struct check *, uint64_t))
{
	uint64_t n = c->rep->mem_size / 4096, cnt = 0;

	for (uint64_t pg = 0; pg < n; pg++)
		cnt += bad(c, pg);
	return cnt;
}

#define EXPECT_NONE(desc, pred) do {					\
	char ex_[160];							\
	uint64_t n_ = count_pages(&c, pred);				\
	list_pages(ex_, sizeof(ex_), &c, pred);				\
	verdict(n_ == 0, "%s: %" PRIu64 " page(s)%s%s", desc, n_,	\
		n_ ? ", first gfns:" : "", n_ ? ex_ : "");		\
} while (0)

static bool is_accessed(const struct check *c, uint64_t pg)
{
	return c->seen[pg].state == IP_ST_ACCESSED;
}

static bool is_dirty(const struct check *c, uint64_t pg)
{
	return c->seen[pg].dirty;
}

/* Does the 2 MiB unit holding @pg contain a page of @set? */
static bool unit_has(const struct pageset *set, uint64_t pg)
{
	uint64_t first = pg & ~(uint64_t)(PAGES_PER_2M - 1);

	return pageset_any(set, first, first + PAGES_PER_2M);
}

/* Pages the step touched, at the granularity the scan reports them. */
static bool touched(const struct check *c, uint64_t pg)
{
	if (c->seen[pg].shift == 21)
		return unit_has(&c->rep->touched, pg);
	return pageset_has(&c->rep->touched, pg);
}

static bool workload_missed(const struct check *c, uint64_t pg)
{
	return pageset_has(&c->rep->workload, pg) && !is_accessed(c, pg);
}

static bool accessed_untouched(const struct check *c, uint64_t pg)
{
	return is_accessed(c, pg) && !touched(c, pg);
}

/* Mapped by an earlier step, not touched by this one: present and idle. */
static bool untouched_not_idle(const struct check *c, uint64_t pg)
{
	return pageset_has(&c->rep->untouched, pg) && !touched(c, pg) &&
	       c->seen[pg].state != IP_ST_IDLE;
}

static bool not_reported(const struct check *c, uint64_t pg)
{
	return c->seen[pg].state == SEEN_NONE;
}

static bool written_not_dirty(const struct check *c, uint64_t pg)
{
	return pageset_has(&c->rep->written, pg) && !c->seen[pg].dirty;
}

/* Was every page of pg's 2 MiB unit mapped by an earlier step? */
static bool unit_all_untouched(const struct check *c, uint64_t pg)
{
	uint64_t first = pg & ~(uint64_t)(PAGES_PER_2M - 1);

	return pageset_count_in(&c->rep->untouched, first,
				first + PAGES_PER_2M) == PAGES_PER_2M;
}

/*
 * Skim: a mapped 2 MiB unit the step did not touch is reported whole
 * without descending: PMD_IDLE_PTES (4 KiB-mapped) or PMD_IDLE. On EPT
 * without A/D bits a PMD has no accessed bit, and the module skims a
 * unit only when all 512 pages below are mapped and idle: a unit with
 * unmapped pages is reported page by page there.
 */
static bool skim_not_skimmed(const struct check *c, uint64_t pg)
{
	const struct page_seen *p = &c->seen[pg];

	if (p->state == IP_ST_HOLE || unit_has(&c->rep->touched, pg))
		return false;
	if (c->ad_disabled && !unit_all_untouched(c, pg))
		return false;
	return !(p->shift == 21 && p->state == IP_ST_IDLE);
}

static bool not_2m(const struct check *c, uint64_t pg)
{
	return c->seen[pg].state != IP_ST_HOLE && c->seen[pg].shift != 21;
}

static bool idle_ptes(const struct check *c, uint64_t pg)
{
	return c->seen[pg].idle_ptes;
}

static void usage(void)
{
	fprintf(stderr, "usage: scan-check [--mode normal|skim|huge|dirty] "
		"[--ext] [--expect touched|none] REPORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "expect", required_argument, NULL, 'e' },
		{ "ext", no_argument, NULL, 'x' },
		{ 0 }
	};
	const char *mode_name = "normal", *expect = "touched";
	unsigned int mode = 0;
	struct tg_report rep;
	struct ip_reader r;
	struct check c = { .rep = &rep };
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'm': mode_name = optarg; break;
		case 'e': expect = optarg; break;
		case 'x': mode |= IP_MODE_EXT; break;
		default: usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	if (!strcmp(mode_name, "skim"))
		mode |= IP_MODE_SKIM;
	else if (!strcmp(mode_name, "huge"))
		mode |= IP_MODE_HUGE_ONLY;
	else if (!strcmp(mode_name, "dirty"))
		mode |= IP_MODE_DIRTY;
	else if (strcmp(mode_name, "normal"))
		usage();
	if (tg_report_load(&rep, argv[optind]))
		return 2;

	uint64_t npages = rep.mem_size / 4096;
	struct ip_hva_range range = { rep.hva_base, rep.hva_base + rep.mem_size };
	struct ip_scan_cbs cbs = { .range = on_range, .arg = &c };

	c.seen = malloc(npages * sizeof(*c.seen));
	if (!c.seen)
		return 2;
	memset(c.seen, SEEN_NONE, npages * sizeof(*c.seen));
	ip_reader_init(&r, NULL);
	if (ip_reader_open(&r, rep.pid, mode) ||
	    ip_reader_scan(&r, &range, 1, &cbs)) {
		verdict(false, "scan of pid %d: %s", rep.pid, r.err);
		return 1;
	}
	/* GET_INFO was asked right after SET_PID, before any read. */
	verdict(r.have_info && r.info.backend != IDLE_PAGES_BACKEND_NONE,
		"GET_INFO after SET_PID, before a read, names the backend "
		"(%s)", ip_backend_name(r.info.backend));
	/* What the module saw in this round (roots, lock hold). */
	r.info.size = sizeof(r.info);
	if (ioctl(r.fd, IDLE_PAGE_GET_INFO, &r.info))
		verdict(false, "GET_INFO: %s", strerror(errno));
	c.ad_disabled = r.info.ad_disabled;
	ip_reader_close(&r);
	printf("scan: pid %d backend %s%s roots %u memslots %u levels %u "
	       "max_lock_hold_us %.1f\n", rep.pid,
	       ip_backend_name(r.info.backend),
	       c.ad_disabled ? " (A/D bits off)" : "", r.info.nr_roots,
	       r.info.nr_memslots, r.info.root_levels,
	       r.info.max_lock_hold_ns / 1000.0);
	ip_reader_fini(&r);

	printf("scan: %" PRIu64 " pages accessed, %" PRIu64 " touched by "
	       "the step (%" PRIu64 " workload)\n",
	       count_pages(&c, is_accessed), pageset_count(&rep.touched),
	       pageset_count(&rep.workload));
	EXPECT_NONE("every page of guest memory reported", not_reported);
	if (!strcmp(expect, "none")) {
		EXPECT_NONE("nothing accessed while the guest did not run",
			    is_accessed);
		return failures ? 1 : 0;
	}
	if (strcmp(expect, "touched"))
		usage();
	EXPECT_NONE("every workload page the step touched reported accessed",
		    workload_missed);
	EXPECT_NONE("no page reported accessed that the step did not touch",
		    accessed_untouched);
	if (pageset_count(&rep.untouched))
		EXPECT_NONE("every mapped page the step did not touch reported "
			    "present and idle", untouched_not_idle);
	verdict(c.outside == 0, "no accessed records outside guest memory "
		"(%" PRIu64 ")", c.outside);
	if (mode & IP_MODE_DIRTY) {
		/*
		 * Dirty bits are never cleared, so a page written long ago
		 * and only read now is dirty too: only this way round.
		 */
		EXPECT_NONE("every page written reported dirty",
			    written_not_dirty);
		verdict(count_pages(&c, is_dirty) > 0,
			"dirty mode produced dirty records");
	}
	if (mode & IP_MODE_SKIM) {
		EXPECT_NONE("untouched 2 MiB units skimmed (PMD_IDLE_PTES)",
			    skim_not_skimmed);
		/* With 2 MiB leaves there are no PTE tables to skip. */
		if (rep.backing_4k)
			verdict(count_pages(&c, idle_ptes) > 0,
				"skim mode produced PMD_IDLE_PTES records");
	}
	if (mode & IP_MODE_HUGE_ONLY)
		EXPECT_NONE("huge-only mode reports 2 MiB units only", not_2m);
	return failures ? 1 : 0;
}
