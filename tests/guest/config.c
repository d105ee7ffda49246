// SPDX-License-Identifier: MIT
/*
 * config.c - parser of the test guest's command line (see README.md for
 * the keys). Freestanding: no libc, no 64-bit division (the 32-bit guest
 * links without libgcc).
 */
#include "config.h"
#include "tg_abi.h"

enum key {
	K_BASE, K_HOT, K_COLD, K_PATTERN, K_PHASES, K_PHASE_SECS, K_WRITE,
	K_SEED, K_PASSES, K_SECS, K_REPORT_SECS, K_TOUCH, K_STRIDE, K_COUNT,
	K_TOUCH2, K_NKEYS
};

static const char *const key_names[K_NKEYS] = {
	"base", "hot", "cold", "pattern", "phases", "phase_secs", "write",
	"seed", "passes", "secs", "report_secs", "touch", "stride", "count",
	"touch2",
};

static const char *const pattern_names[] = {
	"uniform", "zipf", "seq", "phases", "touch",
};

#define NPATTERNS (sizeof(pattern_names) / sizeof(pattern_names[0]))

/* Numbers above this are rejected, which also keeps v * 10 from overflowing. */
#define NUM_MAX 0xFFFFFFFFFFull

const char *tg_pattern_name(enum tg_pattern p)
{
	return (unsigned)p < NPATTERNS ? pattern_names[p] : "?";
}

/* A bounded error message builder. */
struct msg {
	char *buf;
	uint32_t len;
	uint32_t pos;
};

static void msg_n(struct msg *m, const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n && s[i]; i++)
		if (m->pos + 1 < m->len)
			m->buf[m->pos++] = s[i];
	if (m->len)
		m->buf[m->pos] = '\0';
}

static void msg_s(struct msg *m, const char *s)
{
	msg_n(m, s, 0xffffffffu);
}

static void msg_u(struct msg *m, uint32_t v)
{
	char tmp[12];
	int i = 0;

	do {
		tmp[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i--)
		msg_n(m, &tmp[i], 1);
}

static uint32_t str_len(const char *s)
{
	uint32_t n = 0;

	while (s[n])
		n++;
	return n;
}

static int str_eq_n(const char *a, uint32_t alen, const char *b)
{
	uint32_t blen = str_len(b);

	if (alen != blen)
		return 0;
	for (uint32_t i = 0; i < alen; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Parses a decimal or 0x-hex number filling exactly s[0..len). */
static int parse_num(const char *s, uint32_t len, uint64_t *out)
{
	uint64_t v = 0;
	uint32_t i = 0;
	int hex = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		hex = 1;
		i = 2;
	}
	if (i == len)
		return -1;
	for (; i < len; i++) {
		char c = s[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (hex && c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return -1;
		v = hex ? (v << 4) | d : v * 10 + d;
		if (v > NUM_MAX)
			return -1;
	}
	*out = v;
	return 0;
}

/* A number with an optional K/M/G suffix; *suffixed tells if one was given. */
static int parse_size(const char *s, uint32_t len, uint64_t *out,
		      int *suffixed)
{
	unsigned shift = 0;

	if (len) {
		switch (s[len - 1]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		}
	}
	*suffixed = shift != 0;
	if (parse_num(s, shift ? len - 1 : len, out))
		return -1;
	if (*out > (NUM_MAX >> shift))
		return -1;
	*out <<= shift;
	return 0;
}

struct parser {
	struct tg_config *cfg;
	struct msg m;
	uint32_t given;		/* bit per enum key */
	const char *key;	/* current word, for messages */
	uint32_t keylen;
	const char *val;
	uint32_t vallen;
};

/* "bad value for KEY: 'VALUE' (" - the caller says why and closes. */
static void bad_value_head(struct parser *p)
{
	msg_s(&p->m, "bad value for ");
	msg_n(&p->m, p->key, p->keylen);
	msg_s(&p->m, ": '");
	msg_n(&p->m, p->val, p->vallen);
	msg_s(&p->m, "' (");
}

static int bad_value(struct parser *p, const char *why)
{
	bad_value_head(p);
	msg_s(&p->m, why);
	msg_s(&p->m, ")");
	return -1;
}

static int get_u32(struct parser *p, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (parse_num(p->val, p->vallen, &v))
		return bad_value(p, "not a number");
	if (v < min || v > max) {
		bad_value_head(p);
		msg_s(&p->m, "range ");
		msg_u(&p->m, min);
		msg_s(&p->m, "..");
		msg_u(&p->m, max);
		msg_s(&p->m, ")");
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* hot=/cold=: a page count, or a size with K/M/G that is whole pages. */
static int get_pages(struct parser *p, uint32_t *out)
{
	uint64_t v;
	int suffixed;

	if (parse_size(p->val, p->vallen, &v, &suffixed))
		return bad_value(p, "pages, or a size with K/M/G");
	if (suffixed) {
		if (v & (TG_PAGE_SIZE - 1))
			return bad_value(p, "not a multiple of 4K");
		v >>= TG_PAGE_SHIFT;
	}
	if (v > TG_MAX_AREA_PAGES)
		return bad_value(p, "more pages than the guest can track");
	*out = (uint32_t)v;
	return 0;
}

static int get_base(struct parser *p)
{
	uint64_t v;
	int suffixed;

	if (parse_size(p->val, p->vallen, &v, &suffixed))
		return bad_value(p, "bytes, 0x-hex, or a size with K/M/G");
	if (v & 0xfffff)
		return bad_value(p, suffixed ? "not MiB aligned" :
				 "not MiB aligned; plain numbers are bytes, e.g. 16M");
	if (v < TG_MIN_BASE)
		return bad_value(p, "below 2M, where the guest image lives");
	if (v >= 0x100000000ull)
		return bad_value(p, "not below 4G");
	p->cfg->base = (uint32_t)v;
	return 0;
}

static int get_pattern(struct parser *p)
{
	for (uint32_t i = 0; i < NPATTERNS; i++) {
		if (str_eq_n(p->val, p->vallen, pattern_names[i])) {
			p->cfg->pattern = (enum tg_pattern)i;
			return 0;
		}
	}
	return bad_value(p, "uniform, zipf, seq, phases or touch");
}

/* touch=A-B,C,... (and touch2=): disjoint inclusive page ranges relative
 * to base, stored in ranges[], *n of them. */
static int get_ranges(struct parser *p, struct tg_range *ranges, uint32_t *n)
{
	uint32_t i = 0;

	while (i < p->vallen) {
		uint32_t start = i, dash = 0, end;
		uint64_t a, b;

		while (i < p->vallen && p->val[i] != ',') {
			if (p->val[i] == '-' && !dash)
				dash = i;
			i++;
		}
		end = i++;	/* skip the comma */
		if (dash) {
			if (parse_num(p->val + start, dash - start, &a) ||
			    parse_num(p->val + dash + 1, end - dash - 1, &b))
				return bad_value(p, "page ranges like 0-15,100");
		} else {
			if (parse_num(p->val + start, end - start, &a))
				return bad_value(p, "page ranges like 0-15,100");
			b = a;
		}
		if (a > b)
			return bad_value(p, "a range ends before it starts");
		if (b >= TG_MAX_AREA_PAGES)
			return bad_value(p, "page beyond what the guest can track");
		for (uint32_t r = 0; r < *n; r++)
			if (a <= ranges[r].last && b >= ranges[r].first)
				return bad_value(p, "ranges overlap");
		if (*n == TG_MAX_RANGES)
			return bad_value(p, "more than 32 ranges");
		ranges[*n].first = (uint32_t)a;
		ranges[*n].last = (uint32_t)b;
		(*n)++;
	}
	if (!*n)
		return bad_value(p, "empty");
	return 0;
}

/* touch2=: ranges like touch=, or "none" (later steps touch no page of
 * the set); check_whole() makes sure it lies inside the set. */
static int get_touch2(struct parser *p)
{
	p->cfg->has_touch2 = 1;
	if (str_eq_n(p->val, p->vallen, "none"))
		return 0;
	return get_ranges(p, p->cfg->ranges2, &p->cfg->nranges2);
}

static int set_key(struct parser *p, enum key k)
{
	struct tg_config *c = p->cfg;

	switch (k) {
	case K_BASE:		return get_base(p);
	case K_HOT:		return get_pages(p, &c->hot);
	case K_COLD:		return get_pages(p, &c->cold);
	case K_PATTERN:		return get_pattern(p);
	case K_PHASES:		return get_u32(p, 0, 1000000, &c->phases);
	case K_PHASE_SECS:	return get_u32(p, 1, 86400, &c->phase_secs);
	case K_WRITE:		return get_u32(p, 0, 100, &c->write_pct);
	case K_SEED:		return get_u32(p, 0, 0xffffffffu, &c->seed);
	case K_PASSES:		return get_u32(p, 0, 0xffffffffu, &c->passes);
	case K_SECS:		return get_u32(p, 0, 0xffffffffu, &c->secs);
	case K_REPORT_SECS:	return get_u32(p, 0, 86400, &c->report_secs);
	case K_TOUCH:		return get_ranges(p, c->ranges, &c->nranges);
	case K_STRIDE:		return get_u32(p, 1, TG_MAX_AREA_PAGES, &c->stride);
	case K_COUNT:		return get_u32(p, 1, TG_MAX_AREA_PAGES, &c->count);
	case K_TOUCH2:		return get_touch2(p);
	case K_NKEYS:		break;
	}
	return -1;
}

static int parse_word(struct parser *p, const char *w, uint32_t len)
{
	uint32_t eq = 0;

	while (eq < len && w[eq] != '=')
		eq++;
	p->key = w;
	p->keylen = eq;
	if (eq == len) {
		msg_s(&p->m, "expected key=value, got '");
		msg_n(&p->m, w, len);
		msg_s(&p->m, "'");
		return -1;
	}
	p->val = w + eq + 1;
	p->vallen = len - eq - 1;
	for (uint32_t k = 0; k < K_NKEYS; k++) {
		if (!str_eq_n(w, eq, key_names[k]))
			continue;
		if (p->given & (1u << k)) {
			msg_s(&p->m, "key '");
			msg_s(&p->m, key_names[k]);
			msg_s(&p->m, "' given twice");
			return -1;
		}
		p->given |= 1u << k;
		if (!p->vallen)
			return bad_value(p, "empty");
		return set_key(p, (enum key)k);
	}
	msg_s(&p->m, "unknown key '");
	msg_n(&p->m, w, eq);
	msg_s(&p->m, "'");
	return -1;
}

static int reject_keys(struct parser *p, uint32_t keys, const char *why)
{
	for (uint32_t k = 0; k < K_NKEYS; k++) {
		if (p->given & keys & (1u << k)) {
			msg_s(&p->m, key_names[k]);
			msg_s(&p->m, "= ");
			msg_s(&p->m, why);
			return -1;
		}
	}
	return 0;
}

#define BIT(k) (1u << (k))

/*
 * The first page of [a, b] outside the touch set (touch= ranges and
 * stride= count= points), or b + 1 if the set covers it all. Jumps over
 * whole ranges, so a large range costs no more than a small one.
 */
static uint32_t first_outside_set(const struct tg_config *c, uint32_t a,
				  uint32_t b)
{
	uint32_t pg = a;

	while (pg <= b) {
		uint32_t next = pg;

		for (uint32_t r = 0; r < c->nranges; r++)
			if (pg >= c->ranges[r].first && pg <= c->ranges[r].last)
				next = c->ranges[r].last + 1;
		if (next == pg && c->stride && pg % c->stride == 0 &&
		    pg / c->stride < c->count)
			next = c->stride == 1 ? c->count : pg + 1;
		if (next == pg)
			return pg;
		pg = next;
	}
	return b + 1;
}

/* touch2= must be a subset of the set, which step 1 maps. */
static int check_touch2(struct parser *p)
{
	const struct tg_config *c = p->cfg;

	for (uint32_t r = 0; r < c->nranges2; r++) {
		uint32_t pg = first_outside_set(c, c->ranges2[r].first,
						c->ranges2[r].last);

		if (pg <= c->ranges2[r].last) {
			msg_s(&p->m, "touch2= must be a subset of the touch set, but page ");
			msg_u(&p->m, pg);
			msg_s(&p->m, " is not in touch= or stride= count=");
			return -1;
		}
	}
	return 0;
}

/* Checks that need all keys: what applies to which pattern, and sizes. */
static int check_whole(struct parser *p)
{
	struct tg_config *c = p->cfg;
	uint64_t end;

	if (c->pattern == TG_PATTERN_TOUCH) {
		if (reject_keys(p, BIT(K_HOT) | BIT(K_COLD) | BIT(K_PHASES) |
				BIT(K_PHASE_SECS),
				"does not apply to pattern=touch"))
			return -1;
		if (!(p->given & (BIT(K_TOUCH) | BIT(K_STRIDE)))) {
			msg_s(&p->m, "pattern=touch needs touch= or stride= count=");
			return -1;
		}
		if (!(p->given & BIT(K_PASSES)))
			c->passes = 2;
	} else {
		if (reject_keys(p, BIT(K_TOUCH) | BIT(K_STRIDE) | BIT(K_COUNT) |
				BIT(K_TOUCH2),
				"applies only to pattern=touch"))
			return -1;
		if (c->pattern != TG_PATTERN_PHASES &&
		    reject_keys(p, BIT(K_PHASES) | BIT(K_PHASE_SECS),
				"applies only to pattern=phases"))
			return -1;
		if (c->pattern == TG_PATTERN_PHASES &&
		    reject_keys(p, BIT(K_PASSES),
				"does not apply to pattern=phases (phases= and phase_secs= set its length)"))
			return -1;
		if (!c->hot) {
			msg_s(&p->m, "hot= must be at least 1 page");
			return -1;
		}
		if ((uint64_t)c->hot + c->cold > TG_MAX_AREA_PAGES) {
			msg_s(&p->m, "hot+cold is more than ");
			msg_u(&p->m, TG_MAX_AREA_PAGES);
			msg_s(&p->m, " pages (2G)");
			return -1;
		}
		if (c->pattern == TG_PATTERN_PHASES && c->cold < c->hot) {
			msg_s(&p->m, "pattern=phases needs cold >= hot, so the hot window can move");
			return -1;
		}
	}
	if (!(p->given & BIT(K_STRIDE)) != !(p->given & BIT(K_COUNT))) {
		msg_s(&p->m, "stride= and count= go together");
		return -1;
	}
	if (c->stride &&
	    (uint64_t)c->stride * (c->count - 1) >= TG_MAX_AREA_PAGES) {
		msg_s(&p->m, "stride*count reaches beyond what the guest can track");
		return -1;
	}
	if (check_touch2(p))
		return -1;
	end = c->base + ((uint64_t)tg_config_area_pages(c) << TG_PAGE_SHIFT);
	if (end > 0x100000000ull) {
		msg_s(&p->m, "working area ends above 4G");
		return -1;
	}
	return 0;
}

static void set_defaults(struct tg_config *c)
{
	*c = (struct tg_config){
		.base = TG_DEFAULT_BASE,
		.hot = 1024,
		.cold = 3072,
		.pattern = TG_PATTERN_UNIFORM,
		.phases = 4,
		.phase_secs = 5,
		.write_pct = 30,
		.seed = 1,
		.passes = 10,
		.report_secs = 5,
	};
}

/* GRUB and QEMU put the kernel's path first: a word with '/' or '.' but no '='. */
static int is_kernel_path(const char *w, uint32_t len)
{
	int pathish = 0;

	for (uint32_t i = 0; i < len; i++) {
		if (w[i] == '=')
			return 0;
		if (w[i] == '/' || w[i] == '.')
			pathish = 1;
	}
	return pathish;
}

int tg_config_parse(struct tg_config *cfg, const char *cmdline,
		    char *err, uint32_t errlen)
{
	struct parser p = { .cfg = cfg, .m = { err, errlen, 0 } };
	const char *s = cmdline;
	int first = 1;

	if (errlen)
		err[0] = '\0';
	set_defaults(cfg);
	while (*s) {
		const char *w;
		uint32_t len = 0;

		while (is_space(*s))
			s++;
		if (!*s)
			break;
		w = s;
		while (s[len] && !is_space(s[len]))
			len++;
		s += len;
		if (first) {
			first = 0;
			if (is_kernel_path(w, len))
				continue;
		}
		if (parse_word(&p, w, len))
			return -1;
	}
	return check_whole(&p);
}

uint32_t tg_config_area_pages(const struct tg_config *cfg)
{
	uint32_t n = 0;

	if (cfg->pattern != TG_PATTERN_TOUCH)
		return cfg->hot + cfg->cold;
	for (uint32_t r = 0; r < cfg->nranges; r++)
		if (cfg->ranges[r].last + 1 > n)
			n = cfg->ranges[r].last + 1;
	if (cfg->stride && cfg->stride * (cfg->count - 1) + 1 > n)
		n = cfg->stride * (cfg->count - 1) + 1;
	return n;
}
