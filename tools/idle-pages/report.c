/* SPDX-License-Identifier: MIT */
/*
 * report.c - access-frequency histogram, working set sizes and hot/cold
 * totals per NUMA node.
 *
 * The working set of w consecutive rounds ending at round r is the number
 * of pages whose last access so far is in [r - w + 1, r]; a histogram of
 * "round of last access" answers it for every window in O(w).
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "layout.h"
#include "report.h"

#define PG_KNOWN	(1u << 0)	/* seen idle or accessed */
#define PG_UNKNOWN	(1u << 1)	/* seen as PUD_PRESENT */

/* Per-page state over all rounds, indexed by the layout's dense index. */
struct pages {
	uint16_t *count;	/* rounds in which accessed */
	uint32_t *last;		/* round + 1 of the last access, 0 never */
	int16_t *node;		/* REPORT_NODE_* or a node id */
	uint8_t *flags;
	uint64_t *last_hist;	/* [nrounds]: pages last accessed in round */
	uint32_t round;		/* the round being applied, from 0 */
	int16_t cur_node;
};

struct apply {
	struct pages *p;
	const struct layout *l;
	enum ip_state state;
};

static void mark_span(void *arg, uint64_t idx, uint64_t n)
{
	struct apply *a = arg;
	struct pages *p = a->p;
	uint32_t r1 = p->round + 1;

	for (uint64_t i = idx; i < idx + n; i++) {
		switch (a->state) {
		case IP_ST_ACCESSED:
			if (p->last[i] == r1)
				break;	/* reported twice this round */
			if (p->last[i])
				p->last_hist[p->last[i] - 1]--;
			p->last[i] = r1;
			p->last_hist[p->round]++;
			p->count[i]++;
			/* fallthrough */
		case IP_ST_IDLE:
			p->flags[i] |= PG_KNOWN;
			break;
		case IP_ST_PRESENT:
			p->flags[i] |= PG_UNKNOWN;
			break;
		case IP_ST_HOLE:
			break;
		}
	}
}

static int apply_range(void *arg, const struct ip_range *r)
{
	struct apply *a = arg;

	a->state = ip_type_state(r->type);
	if (a->state != IP_ST_HOLE)
		layout_for_span(a->l, r->hva, r->npages, mark_span, a);
	return 0;
}

static void node_span(void *arg, uint64_t idx, uint64_t n)
{
	struct pages *p = arg;

	for (uint64_t i = idx; i < idx + n; i++)
		p->node[i] = p->cur_node;
}

static void update_wss(struct report *rep, const struct pages *p)
{
	int r = (int)p->round;

	for (int k = 0; k < rep->nwss; k++) {
		struct wss_stat *w = &rep->wss[k];
		uint64_t sum = 0;

		if (r + 1 < w->window)
			continue;
		for (int j = r - w->window + 1; j <= r; j++)
			sum += p->last_hist[j];
		if (!w->nwin || sum < w->min)
			w->min = sum;
		if (!w->nwin || sum > w->max)
			w->max = sum;
		w->mean = (w->mean * w->nwin + (double)sum) / (w->nwin + 1);
		w->last = sum;
		w->nwin++;
	}
}

static void set_windows(struct report *rep, const struct report_opts *o)
{
	int n = (int)rep->nrounds;

	if (!o->nwindows) {
		rep->wss[rep->nwss++].window = 1;
		if (n > 1)
			rep->wss[rep->nwss++].window = n;
		return;
	}
	for (int k = 0; k < o->nwindows; k++)
		rep->wss[rep->nwss++].window = o->windows[k];
}

/* Hot/warm/cold per page, overall and per node. */
static int totals(struct report *rep, const struct pages *p, uint64_t npages)
{
	struct node_total *by_node = calloc(REPORT_MAX_NODES + 2,
					    sizeof(*by_node));

	rep->nodes = by_node;	/* compacted below */
	if (!by_node)
		return -1;
	for (uint64_t i = 0; i < npages; i++) {
		struct node_total *t;
		int node = p->node[i];

		if (p->flags[i] & PG_UNKNOWN && !(p->flags[i] & PG_KNOWN))
			rep->unknown++;
		if (!(p->flags[i] & PG_KNOWN))
			continue;
		rep->mapped++;
		rep->hist[p->count[i]]++;
		if (node >= REPORT_MAX_NODES)
			node = REPORT_NODE_NO_INFO;
		t = &by_node[node + 2];
		t->node = node;
		if (p->count[i] >= rep->hot_min) {
			rep->hot++;
			t->hot++;
		} else if (p->count[i]) {
			rep->warm++;
			t->warm++;
		} else {
			rep->cold++;
			t->cold++;
		}
	}
	if (!rep->node_rounds)
		return 0;
	for (int k = 0; k < REPORT_MAX_NODES + 2; k++)
		if (by_node[k].hot || by_node[k].warm || by_node[k].cold)
			rep->nodes[rep->nnodes++] = by_node[k];
	return 0;
}

static void pages_free(struct pages *p)
{
	free(p->count);
	free(p->last);
	free(p->node);
	free(p->flags);
	free(p->last_hist);
}

int report_compute(const struct scan_set *s, const struct report_opts *o,
		   struct report *rep, char *err, size_t errlen)
{
	struct layout l;
	struct pages p = { 0 };
	struct apply a = { .p = &p, .l = &l };
	int ret = -1;

	memset(rep, 0, sizeof(*rep));
	if (s->nrounds > UINT16_MAX) {
		snprintf(err, errlen, "at most %d rounds", UINT16_MAX);
		return -1;
	}
	for (int k = 0; k < o->nwindows; k++)
		if (o->windows[k] < 1 || (size_t)o->windows[k] > s->nrounds) {
			snprintf(err, errlen, "window of %d rounds: must be 1..%zu (the rounds there are)",
				 o->windows[k], s->nrounds);
			return -1;
		}
	if (layout_build(&l, s, o->merge_gap, err, errlen))
		return -1;
	rep->nrounds = (int)s->nrounds;
	rep->seconds = scan_set_time(s, s->nrounds - 1);
	rep->hot_min = o->hot_min ? o->hot_min : (rep->nrounds + 1) / 2;
	set_windows(rep, o);
	p.count = calloc(l.npages, sizeof(*p.count));
	p.last = calloc(l.npages, sizeof(*p.last));
	p.node = malloc(l.npages * sizeof(*p.node));
	p.flags = calloc(l.npages, 1);
	p.last_hist = calloc(s->nrounds, sizeof(*p.last_hist));
	rep->hist = calloc(s->nrounds + 1, sizeof(*rep->hist));
	if (!p.count || !p.last || !p.node || !p.flags || !p.last_hist ||
	    !rep->hist) {
		snprintf(err, errlen, "out of memory for %llu pages",
			 (unsigned long long)l.npages);
		goto out;
	}
	for (uint64_t i = 0; i < l.npages; i++)
		p.node[i] = REPORT_NODE_NO_INFO;
	for (size_t r = 0; r < s->nrounds; r++) {
		const struct rec_round *rr = &s->rounds[r];

		p.round = (uint32_t)r;
		if (round_for_each_range(rr, apply_range, &a, err, errlen))
			goto out;
		update_wss(rep, &p);
		if (!rr->has_nodes)
			continue;
		rep->node_rounds++;
		for (uint64_t k = 0; k < rr->nnodes; k++) {
			p.cur_node = (int16_t)(rr->nodes[k].node < 0 ?
					       REPORT_NODE_NOT_RESIDENT :
					       rr->nodes[k].node);
			layout_for_span(&l, rr->nodes[k].hva,
					rr->nodes[k].npages, node_span, &p);
		}
	}
	if (totals(rep, &p, l.npages)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ret = 0;
out:
	if (ret)
		report_free(rep);
	pages_free(&p);
	layout_free(&l);
	return ret;
}

void report_free(struct report *rep)
{
	free(rep->hist);
	free(rep->nodes);
	rep->hist = NULL;
	rep->nodes = NULL;
}

static double mib(uint64_t pages)
{
	return (double)pages * IP_PAGE_SIZE / (1 << 20);
}

static void node_name(char *buf, size_t len, int node)
{
	if (node == REPORT_NODE_NOT_RESIDENT)
		snprintf(buf, len, "none");
	else if (node == REPORT_NODE_NO_INFO)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%d", node);
}

void report_print_text(FILE *f, const struct scan_set *s,
		       const struct report *rep)
{
	double share;

	fprintf(f, "target: %s\n", s->hdr.target);
	fprintf(f, "rounds: %d over %.3f s (interval %.3f s)\n", rep->nrounds,
		rep->seconds, s->hdr.interval_ms / 1000.0);
	fprintf(f, "mapped: %llu pages (%.2f MiB)\n",
		(unsigned long long)rep->mapped, mib(rep->mapped));
	if (rep->unknown)
		fprintf(f, "access unknown: %llu pages (%.2f MiB) in 1 GiB mappings (compatible format; scan with --ext to see them)\n",
			(unsigned long long)rep->unknown, mib(rep->unknown));

	fprintf(f, "\naccess frequency: pages accessed in k of %d rounds\n",
		rep->nrounds);
	fprintf(f, "%6s %12s %12s %7s\n", "k", "pages", "MiB", "share");
	for (int k = 0; k <= rep->nrounds; k++) {
		share = rep->mapped ? 100.0 * rep->hist[k] / rep->mapped : 0;
		fprintf(f, "%6d %12llu %12.2f %6.1f%%\n", k,
			(unsigned long long)rep->hist[k], mib(rep->hist[k]),
			share);
	}

	fprintf(f, "\nworking set size: distinct pages accessed in w consecutive rounds\n");
	fprintf(f, "%6s %9s %7s %12s %12s %12s %12s\n", "w", "seconds",
		"windows", "last", "min", "max", "mean");
	for (int k = 0; k < rep->nwss; k++) {
		const struct wss_stat *w = &rep->wss[k];

		fprintf(f, "%6d %9.3f %7d %12llu %12llu %12llu %12.1f  pages\n",
			w->window, w->window * s->hdr.interval_ms / 1000.0,
			w->nwin, (unsigned long long)w->last,
			(unsigned long long)w->min,
			(unsigned long long)w->max, w->mean);
		fprintf(f, "%6s %9s %7s %12.2f %12.2f %12.2f %12.2f  MiB\n",
			"", "", "", mib(w->last), mib(w->min), mib(w->max),
			w->mean * IP_PAGE_SIZE / (1 << 20));
	}

	fprintf(f, "\nhot (accessed in >= %d of %d rounds): %llu pages (%.2f MiB)\n",
		rep->hot_min, rep->nrounds, (unsigned long long)rep->hot,
		mib(rep->hot));
	fprintf(f, "warm (accessed in 1..%d rounds):  %llu pages (%.2f MiB)\n",
		rep->hot_min - 1, (unsigned long long)rep->warm, mib(rep->warm));
	fprintf(f, "cold (never accessed):             %llu pages (%.2f MiB)\n",
		(unsigned long long)rep->cold, mib(rep->cold));

	if (!rep->node_rounds) {
		fprintf(f, "\nper NUMA node: absent (the recording holds no node information%s)\n",
			s->hdr.pid ? "; record with NUMA queries allowed" : "");
		return;
	}
	fprintf(f, "\nper NUMA node (node of each page as last queried, %d of %d rounds had node info):\n",
		rep->node_rounds, rep->nrounds);
	fprintf(f, "%6s %12s %12s %12s  (MiB)\n", "node", "hot", "warm", "cold");
	for (int k = 0; k < rep->nnodes; k++) {
		char name[16];

		node_name(name, sizeof(name), rep->nodes[k].node);
		fprintf(f, "%6s %12.2f %12.2f %12.2f\n", name,
			mib(rep->nodes[k].hot), mib(rep->nodes[k].warm),
			mib(rep->nodes[k].cold));
	}
}

static json_object *u64obj(uint64_t v)
{
	return json_object_new_int64((int64_t)v);
}

static void add_hot_warm_cold(json_object *o, uint64_t hot, uint64_t warm,
			      uint64_t cold)
{
	json_object_object_add(o, "hot_pages", u64obj(hot));
	json_object_object_add(o, "warm_pages", u64obj(warm));
	json_object_object_add(o, "cold_pages", u64obj(cold));
}

int report_print_json(FILE *f, const struct scan_set *s,
		      const struct report *rep)
{
	json_object *o = json_object_new_object();
	json_object *hist = json_object_new_array();
	json_object *wss = json_object_new_array();
	json_object *nodes = rep->node_rounds ? json_object_new_array() : NULL;

	json_object_object_add(o, "target", json_object_new_string(s->hdr.target));
	json_object_object_add(o, "rounds", json_object_new_int(rep->nrounds));
	json_object_object_add(o, "seconds", json_object_new_double(rep->seconds));
	json_object_object_add(o, "interval_ms", json_object_new_int((int)s->hdr.interval_ms));
	json_object_object_add(o, "page_size", json_object_new_int((int)IP_PAGE_SIZE));
	json_object_object_add(o, "mapped_pages", u64obj(rep->mapped));
	json_object_object_add(o, "unknown_access_pages", u64obj(rep->unknown));
	for (int k = 0; k <= rep->nrounds; k++)
		json_object_array_add(hist, u64obj(rep->hist[k]));
	json_object_object_add(o, "accessed_in_k_rounds", hist);
	for (int k = 0; k < rep->nwss; k++) {
		json_object *w = json_object_new_object();

		json_object_object_add(w, "window_rounds", json_object_new_int(rep->wss[k].window));
		json_object_object_add(w, "windows", json_object_new_int(rep->wss[k].nwin));
		json_object_object_add(w, "last_pages", u64obj(rep->wss[k].last));
		json_object_object_add(w, "min_pages", u64obj(rep->wss[k].min));
		json_object_object_add(w, "max_pages", u64obj(rep->wss[k].max));
		json_object_object_add(w, "mean_pages", json_object_new_double(rep->wss[k].mean));
		json_object_array_add(wss, w);
	}
	json_object_object_add(o, "working_set", wss);
	json_object_object_add(o, "hot_min_rounds", json_object_new_int(rep->hot_min));
	add_hot_warm_cold(o, rep->hot, rep->warm, rep->cold);
	for (int k = 0; nodes && k < rep->nnodes; k++) {
		json_object *n = json_object_new_object();

		json_object_object_add(n, "node", json_object_new_int(rep->nodes[k].node));
		add_hot_warm_cold(n, rep->nodes[k].hot, rep->nodes[k].warm,
				  rep->nodes[k].cold);
		json_object_array_add(nodes, n);
	}
	/* null: the rounds carried no node information */
	json_object_object_add(o, "per_node", nodes);
	fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
	return 0;
}
