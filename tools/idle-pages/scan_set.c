/* SPDX-License-Identifier: MIT */
/*
 * scan_set.c - rounds from a recording or a live target.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node_query.h"
#include "scan_set.h"

volatile sig_atomic_t live_stop_requested;

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A growing byte buffer and range list: one round being scanned. */
struct round_buf {
	uint8_t *bytes;
	size_t len, cap;
	struct ip_range *ranges;	/* non-hole, for the node query */
	size_t nranges, rcap;
	bool oom;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 4096;
	void *q;

	while (ncap < need)
		ncap *= 2;
	if (ncap == *cap)
		return 0;
	q = realloc(*p, ncap * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = ncap;
	return 0;
}

static int raw_to_buf(void *arg, const uint8_t *buf, size_t len)
{
	struct round_buf *rb = arg;

	if (grow((void **)&rb->bytes, &rb->cap, rb->len + len, 1)) {
		rb->oom = true;
		return 1;
	}
	memcpy(rb->bytes + rb->len, buf, len);
	rb->len += len;
	return 0;
}

static int range_to_buf(void *arg, const struct ip_range *r)
{
	struct round_buf *rb = arg;

	if (ip_type_state(r->type) == IP_ST_HOLE)
		return 0;
	if (grow((void **)&rb->ranges, &rb->rcap, rb->nranges + 1,
		 sizeof(*rb->ranges))) {
		rb->oom = true;
		return 1;
	}
	rb->ranges[rb->nranges++] = *r;
	return 0;
}

static void sleep_until(uint64_t mono_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(mono_ns / 1000000000ull),
		.tv_nsec = (long)(mono_ns % 1000000000ull),
	};

	while (!live_stop_requested &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* The ranges of this round: the whole space for a VM, else the maps. */
static int round_ranges(const struct live_plan *p, bool is_vm,
			struct ip_hva_range **ranges, size_t *n, char *err,
			size_t errlen)
{
	struct ip_target t = p->target;

	free(*ranges);
	*ranges = NULL;
	t.is_vm = is_vm;
	return ip_target_ranges(&t, ranges, n, err, errlen);
}

/* After a scan: nodes of its pages, or a one-time warning why not. */
static void query_nodes(const struct live_plan *p, struct round_buf *rb,
			struct rec_round *rr, bool *warned)
{
	char err[256];

	if (!p->numa)
		return;
	if (node_query_runs(p->target.pid, rb->ranges, rb->nranges,
			    &rr->nodes, &rr->nnodes, err, sizeof(err))) {
		if (!*warned)
			fprintf(stderr, "idle-pages: no NUMA node info: %s\n",
				err);
		*warned = true;
		return;
	}
	rr->has_nodes = true;
}

int live_scan(const struct live_plan *p, live_round_fn fn, void *arg,
	      char *err, size_t errlen)
{
	struct ip_reader r;
	struct ip_hva_range *ranges = NULL;
	struct round_buf rb = { 0 };
	struct rec_header h = { .version = REC_VERSION };
	bool is_vm = p->target.is_vm, warned = false;
	uint64_t next = now_ns(CLOCK_MONOTONIC);
	size_t nranges = 0;
	int ret = -1;

	ip_reader_init(&r, p->sys);
	h.mode = p->mode;
	h.interval_ms = (uint32_t)(p->interval_s * 1000 + 0.5);
	h.pid = p->target.pid;
	h.start_ns = now_ns(CLOCK_REALTIME);
	snprintf(h.target, sizeof(h.target), "%s", p->target.desc);
	for (int i = 0; i < p->rounds && !live_stop_requested; i++) {
		struct ip_scan_cbs cbs = { range_to_buf, raw_to_buf, &rb };
		struct rec_round rr = { 0 };
		uint64_t t0;

		if (i)
			sleep_until(next);
		if (live_stop_requested)
			break;
		next = now_ns(CLOCK_MONOTONIC) + (uint64_t)(p->interval_s * 1e9);
		rr.time_ns = now_ns(CLOCK_REALTIME);
		t0 = now_ns(CLOCK_MONOTONIC);
		rb.len = rb.nranges = 0;
		if (ip_reader_open(&r, p->target.pid, p->mode))
			goto reader_err;
		if (!i) {
			/* the module knows best whether the target is a VM */
			if (r.have_info && ip_info_is_vm(&r.info))
				is_vm = true;
			h.have_info = r.have_info;
			h.info = r.info;
		}
		if (round_ranges(p, is_vm, &ranges, &nranges, err, errlen))
			goto out;
		if (ip_reader_scan(&r, ranges, nranges, &cbs)) {
			if (rb.oom)
				snprintf(r.err, sizeof(r.err), "out of memory");
			goto reader_err;
		}
		ip_reader_close(&r);
		rr.duration_ns = now_ns(CLOCK_MONOTONIC) - t0;
		rr.scan = rb.bytes;
		rr.scan_len = rb.len;
		query_nodes(p, &rb, &rr, &warned);
		if (!p->quiet)
			fprintf(stderr, "round %d/%d: %zu bytes in %.3f s\n",
				i + 1, p->rounds, rb.len, rr.duration_ns / 1e9);
		ret = fn(arg, &h, &rr, i);
		free(rr.nodes);
		if (ret) {
			snprintf(err, errlen, "could not store round %d", i);
			ret = -1;
			goto out;
		}
	}
	ret = 0;
	goto out;
reader_err:
	snprintf(err, errlen, "%s", r.err);
out:
	ip_reader_fini(&r);
	free(ranges);
	free(rb.bytes);
	free(rb.ranges);
	return ret;
}

static int append_round(struct scan_set *s, const struct rec_round *r)
{
	void *p = realloc(s->rounds, (s->nrounds + 1) * sizeof(*s->rounds));

	if (!p)
		return -1;
	s->rounds = p;
	s->rounds[s->nrounds++] = *r;
	return 0;
}

int scan_set_load(const char *path, struct scan_set *s, char *err,
		  size_t errlen)
{
	struct rec_round r;
	char why[256];
	FILE *f = fopen(path, "rb");
	int got;

	memset(s, 0, sizeof(*s));
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (rec_read_header(f, &s->hdr, why, sizeof(why)))
		goto bad;
	while ((got = rec_read_round(f, &r, why, sizeof(why))) > 0) {
		if (append_round(s, &r)) {
			rec_round_free(&r);
			snprintf(why, sizeof(why), "out of memory");
			goto bad;
		}
	}
	if (got < 0) {
		size_t n = strlen(why);

		snprintf(why + n, sizeof(why) - n, " (round %zu)", s->nrounds);
		goto bad;
	}
	fclose(f);
	if (!s->nrounds) {
		snprintf(err, errlen, "%s: the recording has no rounds", path);
		scan_set_free(s);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s: %s", path, why);
	fclose(f);
	scan_set_free(s);
	return -1;
}

/* Keeps a copy of each live round. */
static int keep_round(void *arg, const struct rec_header *h,
		      const struct rec_round *r, int index)
{
	struct scan_set *s = arg;
	struct rec_round copy = *r;

	if (!index)
		s->hdr = *h;
	copy.scan = malloc(r->scan_len ? r->scan_len : 1);
	copy.nodes = malloc((r->nnodes ? r->nnodes : 1) * sizeof(*r->nodes));
	if (!copy.scan || !copy.nodes)
		goto oom;
	memcpy(copy.scan, r->scan, r->scan_len);
	if (r->nnodes)
		memcpy(copy.nodes, r->nodes, r->nnodes * sizeof(*r->nodes));
	if (append_round(s, &copy))
		goto oom;
	return 0;
oom:
	rec_round_free(&copy);
	return -1;
}

int scan_set_live(const struct live_plan *p, struct scan_set *s, char *err,
		  size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (live_scan(p, keep_round, s, err, errlen)) {
		scan_set_free(s);
		return -1;
	}
	if (!s->nrounds) {
		snprintf(err, errlen, "interrupted before the first round");
		return -1;
	}
	return 0;
}

void scan_set_free(struct scan_set *s)
{
	for (size_t i = 0; i < s->nrounds; i++)
		rec_round_free(&s->rounds[i]);
	free(s->rounds);
	s->rounds = NULL;
	s->nrounds = 0;
}

int round_for_each_range(const struct rec_round *r, ip_range_cb cb,
			 void *arg, char *err, size_t errlen)
{
	struct ip_decoder d;

	ip_decoder_init(&d, IP_HVA_UNKNOWN, 0);
	if (ip_decode(&d, r->scan, r->scan_len, cb, arg) ||
	    ip_decode_finish(&d, cb, arg)) {
		snprintf(err, errlen, "bad record stream: %s", d.msg);
		return -1;
	}
	return 0;
}

double scan_set_time(const struct scan_set *s, size_t i)
{
	if (!s->nrounds || i >= s->nrounds)
		return 0;
	return (double)(int64_t)(s->rounds[i].time_ns - s->rounds[0].time_ns) / 1e9;
}
