// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The profile parser. The format is line based: '#' starts a comment,
 * words are separated by blanks, indentation is free. Top level:
 *
 *   name NAME                 description TEXT...
 *   duration 600s | 3x | 600s,3x
 *   consumer NAME ... end     (keys below)
 *   at TIME free-pattern CONSUMER keep N/M
 *   at TIME free CONSUMER SHARE
 *
 * Consumer keys: gfp, orders, thp, size, fill, lifetime, pin, evict, busy, dirty,
 * start, stop. Every error is reported as "file:line: message" and stops
 * the parse: a half-understood workload would silently measure something
 * else than the user meant.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gigalloc.h"
#include "profile.h"

#define MAX_WORDS 24

struct parser {
	struct sim_profile *p;
	const char *file;
	unsigned int line;
	char *err;
	size_t errlen;
	struct sim_consumer_spec *cur;	/* inside consumer ... end */
	bool seen_size, seen_gfp;
};

static int perr(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int perr(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ps->err || !ps->errlen)
		return -EINVAL;
	n = snprintf(ps->err, ps->errlen, "%s:%u: ", ps->file, ps->line);
	if (n < 0 || (size_t)n >= ps->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ------------------------------------------------------------------------ */
/* Values.                                                                   */

/* A finite non-negative decimal; *end after it. */
static int parse_number(const char *s, double *v, const char **end)
{
	char *e;
	double x;

	if (!((*s >= '0' && *s <= '9') || *s == '.'))
		return -EINVAL;
	x = strtod(s, &e);
	if (e == s || !isfinite(x) || x < 0)
		return -EINVAL;
	*v = x;
	*end = e;
	return 0;
}

int sim_parse_time(const char *s, double *seconds)
{
	static const struct { const char *unit; double mul; } units[] = {
		{ "", 1 }, { "s", 1 }, { "ms", 1e-3 }, { "m", 60 },
		{ "min", 60 }, { "h", 3600 },
	};
	const char *end;
	double v;

	if (parse_number(s, &v, &end))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].unit)) {
			/* Beyond it, ticks would not fit in 64 bits. */
			if (v * units[i].mul > SIM_MAX_PARSED_TIME_S)
				return -ERANGE;
			*seconds = v * units[i].mul;
			return 0;
		}
	}
	return -EINVAL;
}

int sim_parse_share(const char *s, double *share)
{
	const char *end;
	double v;

	if (parse_number(s, &v, &end))
		return -EINVAL;
	if (!strcmp(end, "%"))
		v /= 100;
	else if (*end)
		return -EINVAL;
	if (v > 1)
		return -ERANGE;
	*share = v;
	return 0;
}

/* One limit of a duration: a time or "<n>x" turnovers. */
static int parse_limit(const char *s, double *seconds, double *turnovers)
{
	size_t len = strlen(s);
	const char *end;
	double v;

	if (len && s[len - 1] == 'x') {
		if (parse_number(s, &v, &end) || end != s + len - 1 || v <= 0 ||
		    v > SIM_MAX_PARSED_TIME_S)
			return -EINVAL;
		if (*turnovers)
			return -EINVAL;
		*turnovers = v;
		return 0;
	}
	if (sim_parse_time(s, &v) || v <= 0 || *seconds)
		return -EINVAL;
	*seconds = v;
	return 0;
}

int sim_parse_duration(const char *s, double *seconds, double *turnovers)
{
	char buf[64], *comma;
	double sec = 0, turn = 0;

	if (strlen(s) >= sizeof(buf) || !*s)
		return -EINVAL;
	strcpy(buf, s);
	comma = strchr(buf, ',');
	if (comma) {
		*comma = 0;
		if (parse_limit(comma + 1, &sec, &turn))
			return -EINVAL;
	}
	if (parse_limit(buf, &sec, &turn))
		return -EINVAL;
	*seconds = sec;
	*turnovers = turn;
	return 0;
}

static const struct {
	const char *name;
	unsigned int gfp;
} gfp_names[] = {
	{ "movable", GA_GFP_HIGHUSER_MOVABLE },	/* user memory: anon, page cache */
	{ "reclaimable", GA_GFP_KERNEL_RECLAIMABLE },
	{ "unmovable", GA_GFP_KERNEL },
	{ "kernel", GA_GFP_KERNEL },
	{ "atomic", GA_GFP_ATOMIC },
	{ "nowait", GA_GFP_NOWAIT },
	{ "transhuge", GA_GFP_TRANSHUGE },
	{ "transhuge_light", GA_GFP_TRANSHUGE_LIGHT },
	/* single flags, to combine with '|' */
	{ "dma", GA_GFP_DMA },		/* zone modifiers: --layout server */
	{ "dma32", GA_GFP_DMA32 },
	{ "__highmem", GA_GFP_HIGHMEM },
	{ "__movable", GA_GFP_MOVABLE },
	{ "__reclaimable", GA_GFP_RECLAIMABLE },
	{ "high", GA_GFP_HIGH },
	{ "direct_reclaim", GA_GFP_DIRECT_RECLAIM },
	{ "kswapd_reclaim", GA_GFP_KSWAPD_RECLAIM },
	{ "nowarn", GA_GFP_NOWARN },
	{ "noretry", GA_GFP_NORETRY },
	{ "retry_mayfail", GA_GFP_RETRY_MAYFAIL },
	{ "nomemalloc", GA_GFP_NOMEMALLOC },
	{ "comp", GA_GFP_COMP },
	{ "nofail", GA_GFP_NOFAIL },
	{ "memalloc", GA_GFP_MEMALLOC },
};

int sim_parse_gfp(const char *s, unsigned int *gfp)
{
	unsigned int v = 0;
	const char *p = s;

	while (*p) {
		size_t len = strcspn(p, "|"), i;

		for (i = 0; i < sizeof(gfp_names) / sizeof(gfp_names[0]); i++)
			if (strlen(gfp_names[i].name) == len &&
			    !strncmp(gfp_names[i].name, p, len))
				break;
		if (i == sizeof(gfp_names) / sizeof(gfp_names[0]))
			return -ENOENT;
		v |= gfp_names[i].gfp;
		p += len;
		if (*p == '|' && !*++p)
			return -EINVAL;
	}
	if (!*s || ga_gfp_migratetype(v) < 0)
		return -EINVAL;
	*gfp = v;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Lifetimes: "[W%] inf | [W%] fixed T | [W%] exp T | [W%] uniform T T".    */

static int life_part(struct parser *ps, char **w, int n,
		     struct sim_life_part *part, bool *weighted)
{
	static const char *const kinds[] = { "inf", "fixed", "exp", "uniform" };
	static const int nargs[] = { 0, 1, 1, 2 };
	int k, i = 0;
	double t;

	*weighted = false;
	if (n && strchr(w[0], '%')) {
		if (sim_parse_share(w[0], &part->weight))
			return perr(ps, "bad lifetime weight '%s' (want e.g. 30%%)",
				    w[0]);
		*weighted = true;
		i = 1;
	}
	if (i >= n)
		return perr(ps, "lifetime part without a kind (inf, fixed, exp, uniform)");
	for (k = 0; k < 4; k++)
		if (!strcmp(w[i], kinds[k]))
			break;
	if (k == 4)
		return perr(ps, "unknown lifetime kind '%s' (inf, fixed, exp, uniform)",
			    w[i]);
	if (n - i - 1 != nargs[k])
		return perr(ps, "lifetime '%s' takes %d time value%s", kinds[k],
			    nargs[k], nargs[k] == 1 ? "" : "s");
	part->kind = (enum sim_life_kind)k;
	for (int a = 0; a < nargs[k]; a++) {
		if (sim_parse_time(w[i + 1 + a], &t))
			return perr(ps, "bad time '%s' (want e.g. 30s, 250ms, 10m)",
				    w[i + 1 + a]);
		if (a == 0)
			part->a = t;
		else
			part->b = t;
	}
	if ((k == SIM_LIFE_FIXED || k == SIM_LIFE_EXP) && part->a <= 0)
		return perr(ps, "lifetime '%s' needs a time above zero", kinds[k]);
	if (k == SIM_LIFE_UNIFORM && part->b < part->a)
		return perr(ps, "uniform lifetime: upper bound below lower bound");
	return 0;
}

/* Weights: given ones must not exceed 100 %, the rest share what is left. */
static int life_weights(struct parser *ps, struct sim_lifetime *life,
			const bool *weighted)
{
	double sum = 0;
	unsigned int unweighted = 0;

	for (unsigned int i = 0; i < life->nr; i++) {
		if (weighted[i])
			sum += life->part[i].weight;
		else
			unweighted++;
	}
	if (sum > 1 + 1e-9)
		return perr(ps, "lifetime weights add up to %.4g%%, above 100%%",
			    sum * 100);
	if (!unweighted && fabs(sum - 1) > 1e-6)
		return perr(ps, "lifetime weights add up to %.4g%%, not 100%%",
			    sum * 100);
	for (unsigned int i = 0; i < life->nr; i++)
		if (!weighted[i])
			life->part[i].weight = (1 - sum) / unweighted;
	return 0;
}

static int parse_lifetime(struct parser *ps, char **w, int n,
			  struct sim_lifetime *life)
{
	bool weighted[SIM_MAX_LIFE_PARTS];
	int start = 0, err;

	life->nr = 0;
	if (!n)
		return perr(ps, "missing lifetime (e.g. 'exp 60s' or '70%% inf | 30%% exp 5s')");
	for (int i = 0; i <= n; i++) {
		if (i < n && strcmp(w[i], "|"))
			continue;
		if (life->nr == SIM_MAX_LIFE_PARTS)
			return perr(ps, "more than %d lifetime parts", SIM_MAX_LIFE_PARTS);
		err = life_part(ps, w + start, i - start, &life->part[life->nr],
				&weighted[life->nr]);
		if (err)
			return err;
		life->nr++;
		start = i + 1;
	}
	return life_weights(ps, life, weighted);
}

/* ------------------------------------------------------------------------ */
/* Consumer keys.                                                            */

static int want_args(struct parser *ps, const char *key, int n, int want)
{
	if (n - 1 == want)
		return 0;
	return perr(ps, "'%s' takes %d value%s, got %d", key, want,
		    want == 1 ? "" : "s", n - 1);
}

static int share_arg(struct parser *ps, const char *key, const char *s,
		     double *v)
{
	int err = sim_parse_share(s, v);

	if (err == -ERANGE)
		return perr(ps, "%s '%s' is above 100%%", key, s);
	if (err)
		return perr(ps, "bad %s '%s' (want a share like 35%% or 0.35)",
			    key, s);
	return 0;
}

static int key_gfp(struct parser *ps, char **w, int n)
{
	int err = want_args(ps, "gfp", n, 1);

	if (err)
		return err;
	err = sim_parse_gfp(w[1], &ps->cur->gfp);
	if (err == -ENOENT)
		return perr(ps, "unknown gfp '%s' (movable, reclaimable, unmovable, "
			    "kernel, atomic, nowait, or flags joined by '|')", w[1]);
	if (err)
		return perr(ps, "bad gfp '%s' (movable and reclaimable together?)",
			    w[1]);
	ps->seen_gfp = true;
	return 0;
}

static int key_orders(struct parser *ps, char **w, int n)
{
	struct sim_consumer_spec *c = ps->cur;
	double sum = 0;

	if (n < 2)
		return perr(ps, "'orders' needs ORDER:WEIGHT pairs (e.g. 0:90 3:10)");
	memset(c->order_weight, 0, sizeof(c->order_weight));
	for (int i = 1; i < n; i++) {
		char *colon = strchr(w[i], ':'), *e;
		long o;
		double wt;
		const char *end;

		o = strtol(w[i], &e, 10);
		if (!colon || e != colon || e == w[i] || o < 0 ||
		    parse_number(colon + 1, &wt, &end) || *end)
			return perr(ps, "bad order weight '%s' (want ORDER:WEIGHT)", w[i]);
		if (o > SIM_MAX_ORDER)
			return perr(ps, "order %ld above %d (MAX_PAGE_ORDER)", o,
				    SIM_MAX_ORDER);
		c->order_weight[o] += wt;
		sum += wt;
	}
	if (sum <= 0)
		return perr(ps, "order weights are all zero");
	return 0;
}

static int key_size(struct parser *ps, char **w, int n)
{
	struct sim_consumer_spec *c = ps->cur;
	int err;

	if (n != 2 && !(n == 4 && !strcmp(w[2], "->")))
		return perr(ps, "'size' takes SHARE or 'SHARE -> SHARE'");
	err = share_arg(ps, "size", w[1], &c->size_start);
	if (err)
		return err;
	c->size_end = c->size_start;
	if (n == 4 && (err = share_arg(ps, "size", w[3], &c->size_end)))
		return err;
	ps->seen_size = true;
	return 0;
}

static int key_fill(struct parser *ps, char **w, int n)
{
	size_t len;
	char buf[64];
	int err = want_args(ps, "fill", n, 1);

	if (err)
		return err;
	if (!strcmp(w[1], "none")) {
		ps->cur->fill = 0;
		return 0;
	}
	len = strlen(w[1]);
	if (len < 3 || len >= sizeof(buf) || strcmp(w[1] + len - 2, "/s"))
		return perr(ps, "bad fill '%s' (want SHARE/s, e.g. 2%%/s, or none)",
			    w[1]);
	memcpy(buf, w[1], len - 2);
	buf[len - 2] = 0;
	if ((err = share_arg(ps, "fill", buf, &ps->cur->fill)))
		return err;
	if (ps->cur->fill <= 0)
		return perr(ps, "fill must be above zero (or 'none')");
	return 0;
}

static int key_pin(struct parser *ps, char **w, int n)
{
	int err;

	if (n < 3)
		return perr(ps, "'pin' takes SHARE and a lifetime (e.g. pin 2%% exp 600s)");
	if ((err = share_arg(ps, "pin", w[1], &ps->cur->pin)))
		return err;
	return parse_lifetime(ps, w + 2, n - 2, &ps->cur->pin_life);
}

static int key_bool(struct parser *ps, char **w, int n, bool *v)
{
	int err = want_args(ps, w[0], n, 1);

	if (err)
		return err;
	if (!strcmp(w[1], "yes") || !strcmp(w[1], "on"))
		*v = true;
	else if (!strcmp(w[1], "no") || !strcmp(w[1], "off"))
		*v = false;
	else
		return perr(ps, "'%s' takes yes or no, not '%s'", w[0], w[1]);
	return 0;
}

static int key_time(struct parser *ps, char **w, int n, double *v)
{
	int err = want_args(ps, w[0], n, 1);

	if (err)
		return err;
	if (sim_parse_time(w[1], v))
		return perr(ps, "bad time '%s' (want e.g. 30s, 250ms, 10m)", w[1]);
	return 0;
}

static int consumer_key(struct parser *ps, char **w, int n)
{
	struct sim_consumer_spec *c = ps->cur;
	const char *k = w[0];

	if (!strcmp(k, "gfp"))
		return key_gfp(ps, w, n);
	if (!strcmp(k, "orders"))
		return key_orders(ps, w, n);
	if (!strcmp(k, "thp"))
		return want_args(ps, k, n, 1) ?: share_arg(ps, k, w[1], &c->thp);
	if (!strcmp(k, "size"))
		return key_size(ps, w, n);
	if (!strcmp(k, "fill"))
		return key_fill(ps, w, n);
	if (!strcmp(k, "lifetime"))
		return parse_lifetime(ps, w + 1, n - 1, &c->life);
	if (!strcmp(k, "pin"))
		return key_pin(ps, w, n);
	if (!strcmp(k, "evict"))
		return key_bool(ps, w, n, &c->evictable);
	if (!strcmp(k, "busy"))
		return want_args(ps, k, n, 1) ?: share_arg(ps, k, w[1], &c->busy);
	if (!strcmp(k, "dirty"))
		return want_args(ps, k, n, 1) ?: share_arg(ps, k, w[1], &c->dirty);
	if (!strcmp(k, "start"))
		return key_time(ps, w, n, &c->start);
	if (!strcmp(k, "stop"))
		return key_time(ps, w, n, &c->stop);
	return perr(ps, "unknown consumer key '%s' (gfp, orders, thp, size, fill, "
		    "lifetime, pin, evict, busy, dirty, start, stop)", k);
}

/* ------------------------------------------------------------------------ */
/* Top level.                                                                */

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) >= SIM_NAME_LEN)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return false;
	return true;
}

static int find_consumer(const struct sim_profile *p, const char *name)
{
	for (unsigned int i = 0; i < p->nr_consumers; i++)
		if (!strcmp(p->consumers[i].name, name))
			return (int)i;
	return -1;
}

static int begin_consumer(struct parser *ps, char **w, int n)
{
	struct sim_profile *p = ps->p;
	struct sim_consumer_spec *c;
	int err = want_args(ps, "consumer", n, 1);

	if (err)
		return err;
	if (ps->cur)
		return perr(ps, "'consumer' inside consumer '%s' (missing 'end'?)",
			    ps->cur->name);
	if (!valid_name(w[1]))
		return perr(ps, "bad consumer name '%s' (a-z, 0-9, '-', '_')", w[1]);
	if (find_consumer(p, w[1]) >= 0)
		return perr(ps, "consumer '%s' defined twice", w[1]);
	if (p->nr_consumers == SIM_MAX_CONSUMERS)
		return perr(ps, "more than %d consumers", SIM_MAX_CONSUMERS);
	c = &p->consumers[p->nr_consumers++];
	memset(c, 0, sizeof(*c));
	strcpy(c->name, w[1]);
	c->order_weight[0] = 1;
	c->life.nr = 1;
	c->life.part[0] = (struct sim_life_part){ SIM_LIFE_INF, 1, 0, 0 };
	c->line = ps->line;
	ps->cur = c;
	ps->seen_size = ps->seen_gfp = false;
	return 0;
}

static int end_consumer(struct parser *ps)
{
	struct sim_consumer_spec *c = ps->cur;

	if (!c)
		return perr(ps, "'end' without 'consumer'");
	if (!ps->seen_gfp)
		return perr(ps, "consumer '%s' has no 'gfp'", c->name);
	if (!ps->seen_size)
		return perr(ps, "consumer '%s' has no 'size'", c->name);
	if (c->thp > 0 && ga_gfp_migratetype(c->gfp) != GA_MT_MOVABLE)
		return perr(ps, "consumer '%s': thp needs a movable gfp", c->name);
	if (c->thp >= 1)
		return perr(ps, "consumer '%s': thp must stay below 100%%", c->name);
	if (c->pin > 0 && ga_gfp_migratetype(c->gfp) != GA_MT_MOVABLE)
		return perr(ps, "consumer '%s': only movable memory is pinned", c->name);
	if (c->stop && c->stop <= c->start)
		return perr(ps, "consumer '%s': stop is not after start", c->name);
	ps->cur = NULL;
	return 0;
}

static int parse_action(struct parser *ps, char **w, int n)
{
	struct sim_profile *p = ps->p;
	struct sim_action *a;
	int ci;

	if (n < 3)
		return perr(ps, "'at' takes TIME ACTION CONSUMER ...");
	if (p->nr_actions == SIM_MAX_ACTIONS)
		return perr(ps, "more than %d actions", SIM_MAX_ACTIONS);
	a = &p->actions[p->nr_actions];
	memset(a, 0, sizeof(*a));
	a->line = ps->line;
	if (sim_parse_time(w[1], &a->at))
		return perr(ps, "bad time '%s' (want e.g. 30s)", w[1]);
	if (p->nr_actions && a->at < p->actions[p->nr_actions - 1].at)
		return perr(ps, "action at %s is earlier than the one before: "
			    "list actions in time order", w[1]);
	if (n < 4)
		return perr(ps, "'at %s %s' needs a consumer", w[1], w[2]);
	ci = find_consumer(p, w[3]);
	if (ci < 0)
		return perr(ps, "unknown consumer '%s' (define it before 'at')", w[3]);
	a->consumer = (unsigned int)ci;
	if (!strcmp(w[2], "free-pattern")) {
		if (n != 6 || strcmp(w[4], "keep") ||
		    sscanf(w[5], "%u/%u", &a->keep, &a->of) != 2 ||
		    !a->of || a->keep >= a->of || a->of > 512)
			return perr(ps, "free-pattern wants 'keep N/M' with N < M <= 512");
		a->kind = SIM_ACT_FREE_PATTERN;
	} else if (!strcmp(w[2], "free")) {
		if (n != 5)
			return perr(ps, "'free' wants CONSUMER SHARE");
		if (share_arg(ps, "share", w[4], &a->share))
			return -EINVAL;
		a->kind = SIM_ACT_FREE_SHARE;
	} else {
		return perr(ps, "unknown action '%s' (free-pattern, free)", w[2]);
	}
	p->nr_actions++;
	return 0;
}

static int top_key(struct parser *ps, char **w, int n, const char *rest)
{
	struct sim_profile *p = ps->p;
	const char *k = w[0];

	if (!strcmp(k, "consumer"))
		return begin_consumer(ps, w, n);
	if (!strcmp(k, "end"))
		return end_consumer(ps);
	if (ps->cur)
		return consumer_key(ps, w, n);
	if (!strcmp(k, "name")) {
		if (want_args(ps, k, n, 1))
			return -EINVAL;
		if (!valid_name(w[1]))
			return perr(ps, "bad profile name '%s' (a-z, 0-9, '-', '_')", w[1]);
		strcpy(p->name, w[1]);
		return 0;
	}
	if (!strcmp(k, "description")) {
		if (strlen(rest) >= SIM_DESC_LEN)
			return perr(ps, "description longer than %d characters",
				    SIM_DESC_LEN - 1);
		strcpy(p->description, rest);
		return 0;
	}
	if (!strcmp(k, "duration")) {
		if (want_args(ps, k, n, 1))
			return -EINVAL;
		if (sim_parse_duration(w[1], &p->duration, &p->turnovers))
			return perr(ps, "bad duration '%s' (want e.g. 600s, 3x or 600s,3x)",
				    w[1]);
		return 0;
	}
	if (!strcmp(k, "at"))
		return parse_action(ps, w, n);
	return perr(ps, "unknown keyword '%s' (name, description, duration, "
		    "consumer, at)", k);
}

/*
 * Split one line (comment stripped) into words. *rest receives the text
 * after the first word, copied before the split cuts it into words.
 */
static int split_line(struct parser *ps, char *line, char **w, char *rest,
		      size_t restlen)
{
	int n = 0;
	char *s = line, *hash = strchr(line, '#'), *e;

	if (hash)
		*hash = 0;
	s += strspn(s, " \t\r");
	e = s + strcspn(s, " \t\r");
	e += strspn(e, " \t\r");
	snprintf(rest, restlen, "%s", e);
	for (e = rest + strlen(rest); e > rest && strchr(" \t\r", e[-1]); )
		*--e = 0;
	for (;;) {
		s += strspn(s, " \t\r");
		if (!*s)
			break;
		if (n == MAX_WORDS)
			return perr(ps, "more than %d words on a line", MAX_WORDS);
		w[n++] = s;
		s += strcspn(s, " \t\r");
		if (*s)
			*s++ = 0;
	}
	return n;
}

/*
 * What reclaim cannot evict must fit: at each consumer's start, the
 * non-evictable consumers active then, each at its larger target size,
 * may not need more than all of memory (the run would only fail).
 */
static int check_unevictable_fit(struct parser *ps)
{
	const struct sim_profile *p = ps->p;

	for (unsigned int i = 0; i < p->nr_consumers; i++) {
		double t = p->consumers[i].start, sum = 0;
		char names[256] = "";
		size_t k = 0;

		for (unsigned int j = 0; j < p->nr_consumers; j++) {
			const struct sim_consumer_spec *c = &p->consumers[j];
			double size = c->size_end > c->size_start ? c->size_end : c->size_start;

			if (c->evictable || c->start > t || (c->stop && c->stop <= t))
				continue;
			sum += size;
			if (k < sizeof(names))
				k += (size_t)snprintf(names + k, sizeof(names) - k, "%s%s %.4g%%",
						      k ? ", " : "", c->name, size * 100);
		}
		if (sum > 1 + 1e-9) {
			ps->line = p->consumers[i].line;
			return perr(ps, "the consumers reclaim cannot evict need %.4g%% of "
				    "memory at %gs (%s): more than there is", sum * 100, t,
				    names);
		}
	}
	return 0;
}

static int finish(struct parser *ps)
{
	struct sim_profile *p = ps->p;

	if (ps->cur) {
		ps->line = ps->cur->line;
		return perr(ps, "consumer '%s' is not closed by 'end'", ps->cur->name);
	}
	if (!p->nr_consumers)
		return perr(ps, "no consumers: a profile needs at least one");
	if (!p->name[0])
		return perr(ps, "no 'name'");
	return check_unevictable_fit(ps);
}

int sim_profile_parse(struct sim_profile *p, const char *text,
		      const char *file, char *err, size_t errlen)
{
	struct parser ps = { .p = p, .file = file, .err = err, .errlen = errlen };
	size_t len = strlen(text);
	char *buf = malloc(len + 1), *line, *next;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, text, len + 1);
	memset(p, 0, sizeof(*p));
	for (line = buf; line && !rc; line = next) {
		char *w[MAX_WORDS], rest[SIM_DESC_LEN + 1];
		int n;

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		else if (!*line)
			break;	/* the end of a text whose last line ends in \n */
		ps.line++;
		n = split_line(&ps, line, w, rest, sizeof(rest));
		if (n < 0)
			rc = n;
		else if (n)
			rc = top_key(&ps, w, n, rest);
	}
	if (!rc) {
		ps.line++;	/* errors at the end point just past the text */
		rc = finish(&ps);
	}
	free(buf);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Loading.                                                                  */

const char *sim_profile_builtin_text(const char *name)
{
	for (const struct sim_builtin_profile *b = sim_builtin_profiles; b->name; b++)
		if (!strcmp(b->name, name))
			return b->text;
	return NULL;
}

char *sim_read_file(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	if (ferror(f) || memchr(buf, 0, len)) {	/* binary data is not a profile */
		int e = ferror(f) ? errno : EILSEQ;

		free(buf);
		fclose(f);
		errno = e;
		return NULL;
	}
	fclose(f);
	buf[len] = 0;
	if (lenp)
		*lenp = len;
	return buf;
}

static void list_builtins(char *err, size_t errlen, const char *what)
{
	size_t n = (size_t)snprintf(err, errlen, "%s; built-in profiles:", what);

	for (const struct sim_builtin_profile *b = sim_builtin_profiles;
	     b->name && n < errlen; b++)
		n += (size_t)snprintf(err + n, errlen - n, " %s", b->name);
}

int sim_profile_load(struct sim_profile *p, const char *name_or_file,
		     char *err, size_t errlen)
{
	const char *text = sim_profile_builtin_text(name_or_file);
	char what[300];
	char *buf;
	int rc;

	if (text && !strchr(name_or_file, '/')) {
		snprintf(what, sizeof(what), "builtin:%s", name_or_file);
		return sim_profile_parse(p, text, what, err, errlen);
	}
	buf = sim_read_file(name_or_file, NULL);
	if (!buf) {
		int e = errno;
		bool looks_like_file = strchr(name_or_file, '/') ||
				       strstr(name_or_file, ".profile");

		snprintf(what, sizeof(what), "%s '%s': %s",
			 looks_like_file ? "cannot read profile file" : "unknown profile",
			 name_or_file, looks_like_file ? strerror(e) : "no such built-in or file");
		list_builtins(err, errlen, what);
		return looks_like_file ? -EIO : -ENOENT;
	}
	rc = sim_profile_parse(p, buf, name_or_file, err, errlen);
	free(buf);
	return rc;
}
