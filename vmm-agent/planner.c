/* SPDX-License-Identifier: MIT */
/*
 * planner.c - the interval's sequence of promotions and demotions (see
 * planner.h for the rules).
 *
 * Two passes over the units keep memory bounded by the budget, not by
 * the guest: the first builds histograms by history byte, which give the
 * hot threshold and how deep into the hottest candidates and the coldest
 * DRAM units the budget can reach; the second collects only those.
 */
#include <stdlib.h>
#include <string.h>

#include "planner.h"
#include "units.h"

struct unit {
	uint64_t idx;
	uint32_t npages;
	uint16_t key;		/* sort key */
	uint8_t hist;
};

struct unit_list {
	struct unit *u;
	size_t n, cap;
};

static int list_add(struct unit_list *l, uint64_t idx, uint32_t npages,
		    uint8_t hist, uint16_t key)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct unit *u = realloc(l->u, cap * sizeof(*u));

		if (!u)
			return -1;
		l->u = u;
		l->cap = cap;
	}
	l->u[l->n++] = (struct unit){ idx, npages, key, hist };
	return 0;
}

/*
 * Order by key, keeping the collection (address) order within a key: a
 * counting sort, since keys are small (< 512) and lists long.
 */
static int sort_by_key(struct unit_list *l, unsigned int nkeys)
{
	size_t *start = calloc(nkeys + 1, sizeof(*start));
	struct unit *out = malloc((l->n ? l->n : 1) * sizeof(*out));

	if (!start || !out) {
		free(start);
		free(out);
		return -1;
	}
	for (size_t i = 0; i < l->n; i++)
		start[l->u[i].key + 1]++;
	for (unsigned int k = 0; k < nkeys; k++)
		start[k + 1] += start[k];
	for (size_t i = 0; i < l->n; i++)
		out[start[l->u[i].key]++] = l->u[i];
	free(start);
	free(l->u);
	l->u = out;
	l->cap = l->n ? l->n : 1;
	return 0;
}

uint64_t plan_budget_pages(unsigned int rate_mb_s, unsigned int interval_ms)
{
	uint64_t pages = (uint64_t)rate_mb_s * (1u << 20) / PAGE_SIZE_4K *
			 interval_ms / 1000;

	return pages < PLAN_MAX_PAGES ? pages : PLAN_MAX_PAGES;
}

/* Victims: cold units first, then the rest; each coldest first. */
static uint16_t victim_key(const struct hot_rules *r, uint8_t h, bool cold)
{
	return (uint16_t)(cold ? r->rank[h] : 256 + r->rank[h]);
}

/* Candidates are taken hottest first: sort key = 255 - rank. */
static uint16_t candidate_key(const struct hot_rules *r, uint8_t h)
{
	return (uint16_t)(255 - r->rank[h]);
}

/*
 * Quotas: how many pages to collect under each key, walking keys in
 * order until `want` pages are covered. Keys past the cut get nothing.
 */
static void fill_quota(const uint64_t *hist, size_t nkeys, uint64_t want,
		       uint64_t *quota)
{
	for (size_t k = 0; k < nkeys; k++) {
		quota[k] = hist[k] < want ? hist[k] : want;
		want -= quota[k];
	}
}

#define LANES	4

struct scan_totals {
	/* pages by (tier, history byte): 4 KiB units, and 2 MiB units */
	uint64_t small[TIER_NR][256], huge[TIER_NR][256];
	/*
	 * small's counts, kept in LANES copies by page index while counting:
	 * neighbours often share a (tier, byte), and each increment would
	 * wait for the store of the one before
	 */
	uint64_t lanes[LANES][TIER_NR * 256];
	uint64_t hot_hist[256];		/* hot pages by history byte */
	uint64_t cand_hist[256];	/* by candidate key */
	uint64_t vict_hist[512];	/* by victim key */
	uint64_t other_cold;		/* cold pages on other nodes */
};

/*
 * Runs body for every unit (idx, n pages, its tier and history byte),
 * testing the huge bit once per 2 MiB block: the planner's hot loop.
 */
#define FOR_EACH_UNIT(h, idx, n, tier, b, body)				\
	for (uint64_t blk_ = 0; blk_ < (h)->npages; blk_ += PAGES_PER_2M) { \
		uint64_t end_ = blk_ + PAGES_PER_2M;			\
		unsigned int n = 1;					\
		if (hotness_block_huge(h, blk_)) {			\
			n = PAGES_PER_2M;				\
			end_ = blk_ + 1;				\
		}							\
		for (uint64_t idx = blk_; idx < end_; idx++) {		\
			enum tier tier = hotness_tier(h, idx);		\
			uint8_t b = (h)->hist[idx];			\
			body						\
		}							\
	}

/* Pages by (tier, byte), then everything the plan needs from them. */
static void first_pass(const struct hotness *h, const struct plan_params *pp,
		       struct plan *out, struct scan_totals *t)
{
	const struct hot_rules *r = pp->rules;

	FOR_EACH_UNIT(h, idx, n, tier, b, {
		if (n == 1)
			t->lanes[idx % LANES][tier * 256 + b]++;
		else
			t->huge[tier][b] += n;
	})
	for (unsigned int l = 0; l < LANES; l++)
		for (unsigned int k = 0; k < TIER_NR * 256; k++)
			t->small[k / 256][k % 256] += t->lanes[l][k];
	for (int tier = 0; tier < TIER_NR; tier++) {
		for (unsigned int b = 0; b < 256; b++) {
			uint64_t all = t->small[tier][b] + t->huge[tier][b];
			uint64_t mov = t->small[tier][b] +
				       (pp->skip_huge ? 0 : t->huge[tier][b]);
			bool hot = hist_is_hot(r, (uint8_t)b);
			bool cold = tier != TIER_NONE &&
				    hist_is_cold(r, (uint8_t)b, h->scans);

			if (!all)
				continue;
			out->tier_pages[tier] += all;
			if (hot) {
				out->hot_pages += all;
				/* what competes for DRAM: hot pages that are or can be there */
				t->hot_hist[b] += tier == TIER_DRAM ? all : mov;
				if (tier != TIER_DRAM)
					out->hot_left_out += all;
			}
			if (cold)
				out->cold_pages += all;
			if (tier == TIER_DRAM)
				t->vict_hist[victim_key(r, (uint8_t)b, cold)] += mov;
			else if (hot && !pp->no_promote)
				t->cand_hist[candidate_key(r, (uint8_t)b)] += mov;
			else if (cold && tier == TIER_OTHER)
				t->other_cold += mov;
		}
	}
	/* indexes in no range (padding) count as not present */
	out->tier_pages[TIER_NONE] = h->guest_pages -
		out->tier_pages[TIER_DRAM] - out->tier_pages[TIER_PMEM] -
		out->tier_pages[TIER_OTHER];
	out->dram_pages = out->tier_pages[TIER_DRAM];
}

struct lists {
	struct unit_list promo, victim, other;
};

enum pick { PICK_NONE, PICK_PROMO, PICK_VICTIM, PICK_OTHER };

static int second_pass(const struct hotness *h, const struct plan_params *pp,
		       struct scan_totals *t, uint64_t budget, struct lists *l)
{
	const struct hot_rules *r = pp->rules;
	uint64_t promo_quota[256], vict_quota[512], other_quota = budget;
	/* per (tier, byte): which list, under which key */
	static const size_t nb = TIER_NR * 256;
	uint8_t *pick = calloc(nb, 1);
	uint16_t *keys = calloc(nb, sizeof(*keys));
	uint64_t *quota[TIER_NR * 256];
	int ret = -1;

	if (!pick || !keys)
		goto out;
	fill_quota(t->cand_hist, 256, budget, promo_quota);
	fill_quota(t->vict_hist, 512, budget, vict_quota);
	for (int tier = 0; tier < TIER_NR; tier++) {
		for (unsigned int b = 0; b < 256; b++) {
			size_t i = (size_t)tier * 256 + b;
			bool cold = tier != TIER_NONE &&
				    hist_is_cold(r, (uint8_t)b, h->scans);

			if (tier == TIER_DRAM) {
				keys[i] = victim_key(r, (uint8_t)b, cold);
				quota[i] = &vict_quota[keys[i]];
				pick[i] = PICK_VICTIM;
			} else if (hist_is_hot(r, (uint8_t)b)) {
				keys[i] = candidate_key(r, (uint8_t)b);
				quota[i] = &promo_quota[keys[i]];
				pick[i] = PICK_PROMO;
			} else if (cold && tier == TIER_OTHER) {
				quota[i] = &other_quota;
				pick[i] = PICK_OTHER;
			}
		}
	}
	FOR_EACH_UNIT(h, idx, n, tier, b, {
		size_t i = (size_t)tier * 256 + b;
		struct unit_list *dst;

		if (!pick[i] || !*quota[i] || (n > 1 && pp->skip_huge))
			continue;
		*quota[i] -= *quota[i] < n ? *quota[i] : n;
		dst = pick[i] == PICK_PROMO ? &l->promo :
		      pick[i] == PICK_VICTIM ? &l->victim : &l->other;
		if (list_add(dst, idx, n, b, keys[i]))
			goto out;
	})
	ret = sort_by_key(&l->promo, 256) || sort_by_key(&l->victim, 512) ?
	      -1 : 0;
out:
	free(pick);
	free(keys);
	return ret;
}

static void emit(struct plan *p, const struct unit *u, enum move_dir dir)
{
	p->ops[p->nr_ops++] = (struct move_op){
		.idx = u->idx, .npages = u->npages, .dir = (uint8_t)dir,
		.hist = u->hist,
	};
	if (dir == MOVE_PROMOTE)
		p->promote_pages += u->npages;
	else
		p->demote_pages += u->npages;
}

static bool victim_is_cold(const struct unit *v)
{
	return v->key < 256;
}

/* The interleaved sequence; see planner.h. */
static void sequence(const struct plan_params *pp, struct lists *l,
		     uint64_t budget, struct plan *p)
{
	const struct hot_rules *r = pp->rules;
	uint64_t dram = p->dram_pages, L = pp->limit_pages;
	size_t vi = 0;

	/* 1. over the limit: coldest first */
	while (dram > L && vi < l->victim.n &&
	       l->victim.u[vi].npages <= budget) {
		emit(p, &l->victim.u[vi], MOVE_DEMOTE);
		dram -= l->victim.u[vi].npages;
		budget -= l->victim.u[vi].npages;
		vi++;
	}
	/* 2. promotions, each preceded by the demotions that make room */
	for (size_t ci = 0; ci < l->promo.n; ci++) {
		const struct unit *c = &l->promo.u[ci];
		unsigned int hits = hist_window_hits(r, c->hist);
		uint64_t freed = 0, cost = c->npages;
		size_t vj = vi;

		while (dram + c->npages > L + freed && vj < l->victim.n) {
			const struct unit *v = &l->victim.u[vj];

			if (!victim_is_cold(v) &&
			    hist_window_hits(r, v->hist) + r->gap > hits)
				break;
			freed += v->npages;
			cost += v->npages;
			vj++;
		}
		if (dram + c->npages > L + freed) {
			/* nothing left it may displace, nor may colder ones */
			break;
		}
		if (cost > budget)
			continue;
		for (; vi < vj; vi++)
			emit(p, &l->victim.u[vi], MOVE_DEMOTE);
		emit(p, c, MOVE_PROMOTE);
		dram = dram + c->npages - freed;
		budget -= cost;
	}
	/* 3. cold units still in DRAM, then cold ones on other nodes */
	for (; vi < l->victim.n && victim_is_cold(&l->victim.u[vi]); vi++) {
		if (l->victim.u[vi].npages > budget)
			continue;
		emit(p, &l->victim.u[vi], MOVE_DEMOTE);
		dram -= l->victim.u[vi].npages;
		budget -= l->victim.u[vi].npages;
	}
	for (size_t i = 0; i < l->other.n; i++) {
		if (l->other.u[i].npages > budget)
			continue;
		emit(p, &l->other.u[i], MOVE_DEMOTE);
		budget -= l->other.u[i].npages;
	}
	p->dram_pages_after = dram;
}

/* Over the limit, a candidate, or a cold unit where it should not be. */
static bool may_move(const struct plan_params *pp, const struct plan *out,
		     const struct scan_totals *t)
{
	uint64_t any = t->other_cold;

	for (unsigned int k = 0; k < 256; k++)
		any |= t->cand_hist[k] | t->vict_hist[k];	/* cold victims */
	return any || out->dram_pages > pp->limit_pages;
}

int plan_make(const struct hotness *h, const struct plan_params *pp,
	      struct plan *out)
{
	uint64_t budget = pp->budget_pages < PLAN_MAX_PAGES ?
			  pp->budget_pages : PLAN_MAX_PAGES;
	struct scan_totals *t;
	struct lists l;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(&l, 0, sizeof(l));
	t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	first_pass(h, pp, out, t);
	out->threshold_rank = hot_threshold_rank(pp->rules, t->hot_hist,
						 pp->limit_pages);
	out->threshold_hits = out->threshold_rank ?
		hist_window_hits(pp->rules,
			pp->rules->byte_of_rank[out->threshold_rank]) :
		pp->rules->min_hot;
	/* candidates below the threshold would not stay: leave them out */
	for (unsigned int k = 256 - out->threshold_rank; k < 256; k++)
		t->cand_hist[k] = 0;
	/* the second pass reads every page: only when something will move */
	if (budget && may_move(pp, out, t) &&
	    second_pass(h, pp, t, budget, &l))
		goto done;
	out->ops = malloc((l.promo.n + l.victim.n + l.other.n + 1) *
			  sizeof(*out->ops));
	if (!out->ops)
		goto done;
	sequence(pp, &l, budget, out);
	plan_address(out, h);
	out->hot_left_out -= out->promote_pages;
	ret = 0;
done:
	free(l.promo.u);
	free(l.victim.u);
	free(l.other.u);
	free(t);
	if (ret)
		plan_free(out);
	return ret;
}

void plan_free(struct plan *p)
{
	free(p->ops);
	p->ops = NULL;
	p->nr_ops = 0;
}

void plan_address(struct plan *p, const struct hotness *h)
{
	for (size_t i = 0; i < p->nr_ops; i++) {
		struct move_op *op = &p->ops[i];

		op->hva = hotness_hva(h, op->idx);
		op->from = op->now = (uint8_t)hotness_tier(h, op->idx);
	}
}

void plan_record_moves(const struct plan *p, struct hotness *h)
{
	for (size_t i = 0; i < p->nr_ops; i++)
		if (p->ops[i].now != p->ops[i].from)
			hotness_set_tier(h, p->ops[i].idx,
					 (enum tier)p->ops[i].now);
}
