// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * ftrace text line parser. Formats: the TP_printk strings of
 * include/trace/events/kmem.h (v4.19 .. v6.15 print the same fields) and
 * the line prefix of kernel/trace/trace_output.c. The parser is a cursor
 * over the line with one function per token; every token is checked, so a
 * truncated, spliced or corrupted line is rejected instead of half-read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "ftrace.h"
#include "gigalloc.h"

const char *const ft_kind_name[FT_NR_KINDS] = {
	[FT_ALLOC] = "mm_page_alloc",
	[FT_ALLOC_FAILED] = "mm_page_alloc (failed)",
	[FT_FREE] = "mm_page_free",
	[FT_FREE_BATCHED] = "mm_page_free_batched",
	[FT_EXTFRAG] = "mm_page_alloc_extfrag",
	[FT_PCPU_DRAIN] = "mm_page_pcpu_drain",
	[FT_ZONE_LOCKED] = "mm_page_alloc_zone_locked",
};

struct cur {
	const char *p, *end;
};

static bool at_end(const struct cur *c)
{
	return c->p >= c->end;
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int hex_val(char ch)
{
	if (is_digit(ch))
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static bool eat(struct cur *c, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n))
		return false;
	c->p += n;
	return true;
}

static void skip_spaces(struct cur *c)
{
	while (!at_end(c) && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

/* Decimal digits (at least one) into *v, refusing overflow. */
static bool eat_dec(struct cur *c, uint64_t *v, unsigned int *ndigits)
{
	uint64_t x = 0;
	unsigned int n = 0;

	while (!at_end(c) && is_digit(*c->p)) {
		unsigned int d = (unsigned int)(*c->p - '0');

		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
		c->p++;
		n++;
	}
	*v = x;
	if (ndigits)
		*ndigits = n;
	return n > 0;
}

/* Hex digits (at least one, at most 16) into *v. */
static bool eat_hex_digits(struct cur *c, uint64_t *v)
{
	uint64_t x = 0;
	unsigned int n = 0;
	int d;

	while (!at_end(c) && (d = hex_val(*c->p)) >= 0) {
		if (++n > 16)
			return false;
		x = x << 4 | (uint64_t)d;
		c->p++;
	}
	*v = x;
	return n > 0;
}

/* An optionally negative decimal in [min, max]. */
static bool eat_int(struct cur *c, long long min, long long max, long long *v)
{
	bool neg = eat(c, "-");
	uint64_t u;

	if (!eat_dec(c, &u, NULL) || u > (uint64_t)1 << 62)
		return false;
	*v = neg ? -(long long)u : (long long)u;
	return *v >= min && *v <= max;
}

/* " key=<int in range>" */
static bool field_int(struct cur *c, const char *key, long long min,
		      long long max, long long *v)
{
	return eat(c, " ") && eat(c, key) && eat(c, "=") && eat_int(c, min, max, v);
}

/*
 * "page=<%p>": hex digits (hashed or raw), or the kernel's placeholders.
 * %p prints NULL as zeros even with hashing on (lib/vsprintf.c shows
 * NULL and error pointers unhashed).
 */
static bool field_page(struct cur *c, bool *is_null)
{
	uint64_t v;

	if (!eat(c, "page="))
		return false;
	if (eat(c, "(null)")) {
		*is_null = true;
		return true;
	}
	*is_null = false;
	if (eat(c, "(____ptrval____)") || eat(c, "(ptrval)"))
		return true;
	/* libtraceevent (trace-cmd, perf) prints NULL as "(nil)", else 0x… */
	if (eat(c, "(nil)")) {
		*is_null = true;
		return true;
	}
	eat(c, "0x");
	if (!eat_hex_digits(c, &v))
		return false;
	*is_null = v == 0;
	return true;
}

/* " pfn=0x<hex>" (v5.x+) or " pfn=<decimal>" (older kernels). */
static bool field_pfn(struct cur *c, uint64_t *pfn)
{
	if (!eat(c, " pfn="))
		return false;
	if (eat(c, "0x"))
		return eat_hex_digits(c, pfn);
	return eat_dec(c, pfn, NULL);
}

/* Nothing but white space (a CR from a converted file) may follow. */
static bool rest_blank(struct cur *c)
{
	while (!at_end(c) && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'))
		c->p++;
	return at_end(c);
}

/* ------------------------------------------------------------------------ */
/* gfp_flags (include/trace/events/mmflags.h, __def_gfpflag_names).          */

struct gfp_name {
	const char *name;
	uint16_t ga;		/* GA_GFP_* bits it stands for */
	uint8_t ftf;		/* FT_F_* bits it implies */
};

/*
 * Composite names first, as the kernel matches them. Bits with no
 * counterpart in the library (IO, FS, ZERO, ACCOUNT, KASAN, ...) map to
 * nothing; the zone modifiers are kept (gfp_zone picks the zonelist of a
 * node) and also flagged, to count zone-restricted requests.
 */
static const struct gfp_name gfp_names[] = {
	{ "GFP_TRANSHUGE", GA_GFP_TRANSHUGE, 0 },
	{ "GFP_TRANSHUGE_LIGHT", GA_GFP_TRANSHUGE_LIGHT, 0 },
	{ "GFP_HIGHUSER_MOVABLE", GA_GFP_HIGHUSER_MOVABLE, 0 },
	{ "GFP_HIGHUSER", GA_GFP_RECLAIM | GA_GFP_HIGHMEM, 0 },
	{ "GFP_USER", GA_GFP_RECLAIM, 0 },
	{ "GFP_KERNEL_ACCOUNT", GA_GFP_RECLAIM, 0 },
	{ "GFP_KERNEL", GA_GFP_RECLAIM, 0 },
	{ "GFP_NOFS", GA_GFP_RECLAIM, 0 },
	{ "GFP_ATOMIC", GA_GFP_HIGH | GA_GFP_KSWAPD_RECLAIM, 0 },
	{ "GFP_NOIO", GA_GFP_RECLAIM, 0 },
	{ "GFP_NOWAIT", GA_GFP_KSWAPD_RECLAIM, 0 },
	{ "GFP_DMA", GA_GFP_DMA, FT_F_GFP_ZONE },
	{ "GFP_DMA32", GA_GFP_DMA32, FT_F_GFP_ZONE },
	{ "__GFP_DMA", GA_GFP_DMA, FT_F_GFP_ZONE },
	{ "__GFP_DMA32", GA_GFP_DMA32, FT_F_GFP_ZONE },
	{ "__GFP_HIGHMEM", GA_GFP_HIGHMEM, 0 },
	{ "__GFP_HIGH", GA_GFP_HIGH, 0 },
	{ "__GFP_ATOMIC", 0, 0 },		/* up to v6.3 */
	{ "__GFP_IO", 0, 0 },
	{ "__GFP_FS", 0, 0 },
	{ "__GFP_NOWARN", GA_GFP_NOWARN, 0 },
	{ "__GFP_RETRY_MAYFAIL", GA_GFP_RETRY_MAYFAIL, 0 },
	{ "__GFP_NOFAIL", GA_GFP_NOFAIL, 0 },
	{ "__GFP_NORETRY", GA_GFP_NORETRY, 0 },
	{ "__GFP_COMP", GA_GFP_COMP, 0 },
	{ "__GFP_ZERO", 0, 0 },
	{ "__GFP_NOMEMALLOC", GA_GFP_NOMEMALLOC, 0 },
	{ "__GFP_MEMALLOC", GA_GFP_MEMALLOC, 0 },
	{ "__GFP_HARDWALL", 0, 0 },
	{ "__GFP_THISNODE", 0, 0 },
	{ "__GFP_RECLAIMABLE", GA_GFP_RECLAIMABLE, 0 },
	{ "__GFP_MOVABLE", GA_GFP_MOVABLE, 0 },
	{ "__GFP_ACCOUNT", 0, 0 },
	{ "__GFP_WRITE", 0, 0 },
	{ "__GFP_RECLAIM", GA_GFP_RECLAIM, 0 },
	{ "__GFP_DIRECT_RECLAIM", GA_GFP_DIRECT_RECLAIM, 0 },
	{ "__GFP_KSWAPD_RECLAIM", GA_GFP_KSWAPD_RECLAIM, 0 },
	{ "__GFP_ZEROTAGS", 0, 0 },
	{ "__GFP_SKIP_ZERO", 0, 0 },
	{ "__GFP_SKIP_KASAN", 0, 0 },
	{ "__GFP_SKIP_KASAN_POISON", 0, 0 },
	{ "__GFP_SKIP_KASAN_UNPOISON", 0, 0 },
	{ "__GFP_NOLOCKDEP", 0, 0 },
	{ "__GFP_NO_OBJ_EXT", 0, 0 },
};

static const struct gfp_name *gfp_lookup(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(gfp_names) / sizeof(gfp_names[0]); i++)
		if (strlen(gfp_names[i].name) == len &&
		    !memcmp(gfp_names[i].name, s, len))
			return &gfp_names[i];
	return NULL;
}

/* One '|'-separated token: a known name or the kernel's leftover hex. */
static int gfp_token(const char *s, size_t len, unsigned int *gfp,
		     uint8_t *flags, const char **why)
{
	const struct gfp_name *g;
	struct cur c = { s, s + len };
	uint64_t v;

	if (len > 2 && eat(&c, "0x")) {
		if (!eat_hex_digits(&c, &v) || !at_end(&c)) {
			*why = "bad hex value in gfp_flags";
			return -EINVAL;
		}
		*flags |= FT_F_GFP_UNKNOWN_BITS;
		return 0;
	}
	g = gfp_lookup(s, len);
	if (!g) {
		*why = "unknown name in gfp_flags";
		return -EINVAL;
	}
	*gfp |= g->ga;
	*flags |= g->ftf;
	return 0;
}

int ft_parse_gfp(const char *s, size_t len, unsigned int *gfp,
		 uint8_t *flags, const char **why)
{
	size_t start = 0;

	*gfp = 0;
	*flags = 0;
	if (!len) {
		*flags = FT_F_GFP_EMPTY;
		return 0;
	}
	if (len == 4 && !memcmp(s, "none", 4))
		return 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '|')
			continue;
		if (i == start) {
			*why = "empty name in gfp_flags";
			return -EINVAL;
		}
		if (gfp_token(s + start, i - start, gfp, flags, why))
			return -EINVAL;
		start = i + 1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Line prefix: "<comm>-<pid> [(<tgid>)] [<cpu>] [<flags>] <ts>: <event>:"  */

struct prefix {
	uint16_t cpu;
	uint64_t ts_ns;
	const char *name;
	size_t name_len;
	bool system;		/* "kmem:" before the name (perf script) */
};

/* "<sec>.<frac>" (trace_clock local/global/mono) or a raw counter. */
static bool eat_timestamp(struct cur *c, uint64_t *ns)
{
	uint64_t sec, frac = 0;
	unsigned int nd = 0;

	if (!eat_dec(c, &sec, NULL))
		return false;
	if (!eat(c, ".")) {
		*ns = sec;
		return true;
	}
	if (!eat_dec(c, &frac, &nd) || nd > 9 || sec > UINT64_MAX / 1000000000u - 1)
		return false;
	for (; nd < 9; nd++)
		frac *= 10;
	*ns = sec * 1000000000u + frac;
	return true;
}

/* The irq-info column ("d..1.", "dNs2.", "...."): present by default. */
static bool is_flag_char(char ch)
{
	return ch == '.' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       is_digit(ch);
}

/*
 * The event name: "mm_page_alloc:" (ftrace), padded on the left
 * ("   mm_page_alloc:", trace-cmd report) or with its system
 * ("kmem:mm_page_alloc:", perf script). Any blanks may follow.
 */
static bool parse_event_name(struct cur *c, struct prefix *px)
{
	const char *n;

	skip_spaces(c);
	n = c->p;
	for (;;) {
		while (!at_end(c) && (*c->p == '_' || is_flag_char(*c->p)) && *c->p != '.')
			c->p++;
		if (c->p == n || !eat(c, ":"))
			return false;
		if (at_end(c) || *c->p == ' ' || *c->p == '\t')
			break;
		if (n != px->name || c->p - n > 64)	/* one "system:" only */
			return false;
		n = c->p;
	}
	if (n != px->name)
		px->system = true;
	px->name = n;
	px->name_len = (size_t)(c->p - 1 - n);
	skip_spaces(c);
	return true;
}

/* After "[cpu] ": optional flags, the timestamp, the event name. */
static bool parse_after_cpu(struct cur *c, struct prefix *px)
{
	struct cur save = *c;

	if (!eat_timestamp(c, &px->ts_ns) || !eat(c, ": ")) {
		unsigned int len = 0;

		*c = save;
		while (!at_end(c) && is_flag_char(*c->p) && len <= 8) {
			c->p++;
			len++;
		}
		if (!len || len > 8 || !eat(c, " "))
			return false;
		skip_spaces(c);
		if (!eat_timestamp(c, &px->ts_ns) || !eat(c, ": "))
			return false;
	}
	skip_spaces(c);
	px->name = c->p;
	px->system = false;
	return parse_event_name(c, px);
}

/* "[NNN] " at c->p. */
static bool parse_cpu(struct cur *c, uint16_t *cpu)
{
	uint64_t v;

	if (!eat(c, "[") || !eat_dec(c, &v, NULL) || v > FT_MAX_CPU ||
	    !eat(c, "] "))
		return false;
	*cpu = (uint16_t)v;
	skip_spaces(c);
	return true;
}

/* Before '[': "<comm>-<pid>", then optionally " (<tgid>)" or "(-------)". */
static bool valid_task(const char *s, const char *e)
{
	const char *d;

	while (e > s && e[-1] == ' ')
		e--;
	if (e > s && e[-1] == ')') {
		const char *o = e - 1;

		while (o > s && o[-1] != '(')
			o--;
		if (o == s)
			return false;
		for (const char *q = o; q < e - 1; q++)
			if (!is_digit(*q) && *q != ' ' && *q != '-')
				return false;
		e = o - 1;
		while (e > s && e[-1] == ' ')
			e--;
	}
	d = e;
	while (d > s && is_digit(d[-1]))
		d--;
	if (d == e || d == s)
		return false;
	if (d[-1] == '-')			/* ftrace, trace-cmd: comm-pid */
		return true;
	if (d[-1] != ' ')			/* perf script: comm pid */
		return false;
	while (d > s && d[-1] == ' ')
		d--;
	return d > s;
}

/*
 * Find the prefix. The comm is free text (up to 15 bytes, spaces and
 * brackets allowed), so try each "[" that follows a blank and keep the
 * first one after which the rest of the prefix parses.
 */
static bool parse_prefix(const char *line, size_t len, struct cur *rest,
			 struct prefix *px)
{
	for (size_t i = 1; i < len; i++) {
		struct cur c = { line + i, line + len };

		if (line[i] != '[' || line[i - 1] != ' ')
			continue;
		if (!parse_cpu(&c, &px->cpu) || !parse_after_cpu(&c, px))
			continue;
		if (!valid_task(line, line + i))
			continue;
		*rest = c;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------------ */
/* Payloads.                                                                 */

static int bad(const char **why, const char *msg)
{
	*why = msg;
	return FT_LINE_BAD;
}

/* "page=%p pfn=0x%lx" shared by every event; a NULL page is refused. */
static bool page_pfn(struct cur *c, struct ft_event *ev, bool *is_null)
{
	return field_page(c, is_null) && field_pfn(c, &ev->pfn);
}

static int set_alloc_gfp(struct cur *c, struct ft_event *ev, const char **why)
{
	static const unsigned int from_mt[GA_MT_PCPTYPES] = {
		GA_GFP_KERNEL, GA_GFP_HIGHUSER_MOVABLE, GA_GFP_KERNEL_RECLAIMABLE,
	};
	const char *s = c->p;
	unsigned int gfp;
	size_t len;
	int gmt;

	while (!at_end(c) && *c->p != ' ' && *c->p != '\t' && *c->p != '\r')
		c->p++;
	len = (size_t)(c->p - s);
	if (!rest_blank(c))
		return bad(why, "junk after gfp_flags");
	if (ft_parse_gfp(s, len, &gfp, &ev->flags, why))
		return FT_LINE_BAD;
	if (ev->flags & FT_F_GFP_EMPTY) {
		/* 6.1 without pointer hashing: the migratetype still says it. */
		ev->arg = ev->mt >= 0 && ev->mt < GA_MT_PCPTYPES ?
			  (uint16_t)from_mt[ev->mt] : 0;
		return FT_LINE_EVENT;
	}
	gmt = ga_gfp_migratetype(gfp);
	if (gmt < 0)
		return bad(why, "gfp_flags both movable and reclaimable");
	if (gmt != ev->mt)
		ev->flags |= FT_F_GFP_MT_MISMATCH;
	ev->arg = (uint16_t)gfp;
	return FT_LINE_EVENT;
}

/* page=%p pfn=0x%lx order=%d migratetype=%d gfp_flags=%s */
static int parse_alloc(struct cur *c, struct ft_event *ev, const char **why)
{
	long long order, mt;
	bool null;

	if (!page_pfn(c, ev, &null) ||
	    !field_int(c, "order", 0, FT_MAX_ORDER, &order) ||
	    !field_int(c, "migratetype", 0, FT_MAX_MT, &mt) ||
	    !eat(c, " gfp_flags="))
		return bad(why, "mm_page_alloc: fields missing or out of range");
	if (null && ev->pfn)
		return bad(why, "mm_page_alloc: NULL page with a nonzero pfn");
	ev->kind = null ? FT_ALLOC_FAILED : FT_ALLOC;
	ev->order = (uint8_t)order;
	ev->mt = (int8_t)mt;
	return set_alloc_gfp(c, ev, why);
}

/* page=%p pfn=0x%lx order=%d (free) / order=0 (free_batched) */
static int parse_free(struct cur *c, struct ft_event *ev, bool batched,
		      const char **why)
{
	long long order;
	bool null;

	if (!page_pfn(c, ev, &null) ||
	    !field_int(c, "order", 0, batched ? 0 : FT_MAX_ORDER, &order) ||
	    !rest_blank(c))
		return bad(why, "mm_page_free: fields missing or out of range");
	if (null)
		return bad(why, "mm_page_free: NULL page");
	ev->kind = batched ? FT_FREE_BATCHED : FT_FREE;
	ev->order = (uint8_t)order;
	return FT_LINE_EVENT;
}

/* page=%p pfn=0x%lx order=%d migratetype=%d */
static int parse_drain(struct cur *c, struct ft_event *ev, const char **why)
{
	long long order, mt;
	bool null;

	if (!page_pfn(c, ev, &null) ||
	    !field_int(c, "order", 0, FT_MAX_ORDER, &order) ||
	    !field_int(c, "migratetype", 0, FT_MAX_MT, &mt) || !rest_blank(c))
		return bad(why, "mm_page_pcpu_drain: fields missing or out of range");
	if (null)
		return bad(why, "mm_page_pcpu_drain: NULL page");
	ev->kind = FT_PCPU_DRAIN;
	ev->order = (uint8_t)order;
	ev->mt = (int8_t)mt;
	return FT_LINE_EVENT;
}

/* page=%p pfn=0x%lx order=%u migratetype=%d percpu_refill=%d */
static int parse_zone_locked(struct cur *c, struct ft_event *ev, const char **why)
{
	long long order, mt, refill;
	bool null;

	if (!page_pfn(c, ev, &null) ||
	    !field_int(c, "order", 0, FT_MAX_ORDER, &order) ||
	    !field_int(c, "migratetype", 0, FT_MAX_MT, &mt) ||
	    !field_int(c, "percpu_refill", 0, 1, &refill) || !rest_blank(c))
		return bad(why, "mm_page_alloc_zone_locked: fields missing or out of range");
	if (null)
		return bad(why, "mm_page_alloc_zone_locked: NULL page");
	ev->kind = FT_ZONE_LOCKED;
	ev->order = (uint8_t)order;
	ev->mt = (int8_t)mt;
	if (refill)
		ev->flags |= FT_F_PERCPU_REFILL;
	return FT_LINE_EVENT;
}

/*
 * page=%p pfn=0x%lx alloc_order=%d fallback_order=%d pageblock_order=%d
 * alloc_migratetype=%d fallback_migratetype=%d fragmenting=%d
 * change_ownership=%d — fragmenting must be what the kernel computes.
 */
static int parse_extfrag(struct cur *c, struct ft_event *ev, const char **why)
{
	long long ao, fo, po, amt, fmt, frag, own;
	bool null;

	if (!page_pfn(c, ev, &null) ||
	    !field_int(c, "alloc_order", 0, FT_MAX_ORDER, &ao) ||
	    !field_int(c, "fallback_order", 0, FT_MAX_ORDER, &fo) ||
	    !field_int(c, "pageblock_order", 1, FT_MAX_ORDER, &po) ||
	    !field_int(c, "alloc_migratetype", 0, FT_MAX_MT, &amt) ||
	    !field_int(c, "fallback_migratetype", 0, FT_MAX_MT, &fmt) ||
	    !field_int(c, "fragmenting", 0, 1, &frag) ||
	    !field_int(c, "change_ownership", 0, 1, &own) || !rest_blank(c))
		return bad(why, "mm_page_alloc_extfrag: fields missing or out of range");
	if (null)
		return bad(why, "mm_page_alloc_extfrag: NULL page");
	if (frag != (fo < po))
		return bad(why, "mm_page_alloc_extfrag: fragmenting disagrees with the orders");
	ev->kind = FT_EXTFRAG;
	ev->order = (uint8_t)ao;
	ev->mt = (int8_t)amt;
	ev->arg = FT_EXTFRAG_ARG(fo, fmt, po);
	ev->flags = (uint8_t)((frag ? FT_F_FRAGMENTING : 0) |
			      (own ? FT_F_CHANGE_OWNERSHIP : 0));
	return FT_LINE_EVENT;
}

static bool name_is(const struct prefix *px, const char *name)
{
	return strlen(name) == px->name_len && !memcmp(px->name, name, px->name_len);
}

static int parse_payload(const struct prefix *px, struct cur *c,
			 struct ft_event *ev, const char **why)
{
	if (name_is(px, "mm_page_alloc"))
		return parse_alloc(c, ev, why);
	if (name_is(px, "mm_page_free"))
		return parse_free(c, ev, false, why);
	if (name_is(px, "mm_page_free_batched"))
		return parse_free(c, ev, true, why);
	if (name_is(px, "mm_page_alloc_extfrag"))
		return parse_extfrag(c, ev, why);
	if (name_is(px, "mm_page_pcpu_drain"))
		return parse_drain(c, ev, why);
	if (name_is(px, "mm_page_alloc_zone_locked"))
		return parse_zone_locked(c, ev, why);
	return FT_LINE_OTHER;
}

/* "CPU:%d [LOST %lu EVENTS]" (kernel/trace/trace.c, print_trace_line). */
static bool parse_lost(const char *line, size_t len, uint64_t *lost)
{
	struct cur c = { line, line + len };
	uint64_t cpu;

	return eat(&c, "CPU:") && eat_dec(&c, &cpu, NULL) && eat(&c, " [LOST ") &&
	       eat_dec(&c, lost, NULL) && eat(&c, " EVENTS]") && rest_blank(&c);
}

enum ft_line ft_parse_line(const char *line, size_t len, struct ft_event *ev,
			   uint64_t *lost, const char **why)
{
	struct prefix px;
	struct cur c = { line, line + len };
	int r;

	*why = NULL;
	memset(ev, 0, sizeof(*ev));
	ev->mt = -1;
	if (memchr(line, '\0', len))
		return (enum ft_line)bad(why, "NUL byte in line");
	if (rest_blank(&c))
		return FT_LINE_BLANK;
	skip_spaces(&c);
	if (*c.p == '#')
		return FT_LINE_COMMENT;
	/* options/stacktrace and userstacktrace add these after an event. */
	if (eat(&c, "=> ") || eat(&c, "<stack trace>") || eat(&c, "<user stack trace>"))
		return FT_LINE_OTHER;
	if (parse_lost(c.p, (size_t)(c.end - c.p), lost))
		return FT_LINE_LOST;
	if (!parse_prefix(line, len, &c, &px))
		return (enum ft_line)bad(why, "no '<task>-<pid> [<cpu>] <timestamp>: <event>:' prefix");
	ev->cpu = px.cpu;
	ev->ts_ns = px.ts_ns;
	r = parse_payload(&px, &c, ev, why);
	return (enum ft_line)r;
}

bool ft_parse_marker(const char *line, size_t len, const char **msg, size_t *msglen)
{
	struct prefix px;
	struct cur c;

	if (!len || memchr(line, '\0', len) || !parse_prefix(line, len, &c, &px))
		return false;
	/* trace-cmd and perf name the event "print" and print its ip first. */
	if (name_is(&px, "print")) {
		const char *k = memmem(c.p, (size_t)(c.end - c.p), "tracing_mark_write: ", 20);

		if (!k)
			return false;
		c.p = k + 20;
	} else if (!name_is(&px, "tracing_mark_write")) {
		return false;
	}
	*msg = c.p;
	*msglen = (size_t)(c.end - c.p);
	while (*msglen && (c.p[*msglen - 1] == '\r' || c.p[*msglen - 1] == ' '))
		(*msglen)--;
	return true;
}

/* ------------------------------------------------------------------------ */
/* Printing (the inverse of the parser).                                     */

static const struct { unsigned int bit; const char *name; } ga_gfp_names[] = {
	{ GA_GFP_MOVABLE, "__GFP_MOVABLE" },
	{ GA_GFP_RECLAIMABLE, "__GFP_RECLAIMABLE" },
	{ GA_GFP_HIGH, "__GFP_HIGH" },
	{ GA_GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
	{ GA_GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM" },
	{ GA_GFP_NOWARN, "__GFP_NOWARN" },
	{ GA_GFP_NORETRY, "__GFP_NORETRY" },
	{ GA_GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL" },
	{ GA_GFP_NOMEMALLOC, "__GFP_NOMEMALLOC" },
	{ GA_GFP_COMP, "__GFP_COMP" },
	{ GA_GFP_NOFAIL, "__GFP_NOFAIL" },
	{ GA_GFP_MEMALLOC, "__GFP_MEMALLOC" },
	{ GA_GFP_DMA, "__GFP_DMA" },
	{ GA_GFP_DMA32, "__GFP_DMA32" },
	{ GA_GFP_HIGHMEM, "__GFP_HIGHMEM" },
};

static int format_gfp(const struct ft_event *ev, char *b, size_t n)
{
	size_t k = 0;

	if (ev->flags & FT_F_GFP_EMPTY) {
		*b = '\0';
		return 0;
	}
	for (size_t i = 0; i < sizeof(ga_gfp_names) / sizeof(ga_gfp_names[0]); i++)
		if (ev->arg & ga_gfp_names[i].bit)
			k += (size_t)snprintf(b + k, k < n ? n - k : 0, "%s%s",
					      k ? "|" : "", ga_gfp_names[i].name);
	if (ev->flags & FT_F_GFP_UNKNOWN_BITS)
		k += (size_t)snprintf(b + k, k < n ? n - k : 0, "%s0x1000000", k ? "|" : "");
	if (!k)
		k = (size_t)snprintf(b, n, "none");
	return (int)k;
}

int ft_format_event(const struct ft_event *ev, char *buf, size_t len)
{
	unsigned long long sec = ev->ts_ns / 1000000000u, ns = ev->ts_ns % 1000000000u;
	unsigned long long pfn = ev->pfn, page = ev->kind == FT_ALLOC_FAILED ? 0 : 0x1000 + pfn;
	unsigned int a = ev->arg;
	char gfp[320];
	int n;

	n = snprintf(buf, len, "          replay-1       [%03u] ..... %llu.%09llu: %s: "
		     "page=%016llx pfn=0x%llx ", ev->cpu, sec, ns,
		     ev->kind == FT_ALLOC_FAILED ? "mm_page_alloc" : ft_kind_name[ev->kind],
		     page, pfn);
	if (n < 0 || (size_t)n >= len)
		return n;
	buf += n;
	len -= (size_t)n;
	switch (ev->kind) {
	case FT_ALLOC:
	case FT_ALLOC_FAILED:
		format_gfp(ev, gfp, sizeof(gfp));
		return n + snprintf(buf, len, "order=%u migratetype=%d gfp_flags=%s",
				    ev->order, ev->mt, gfp);
	case FT_EXTFRAG:
		return n + snprintf(buf, len, "alloc_order=%u fallback_order=%u "
				    "pageblock_order=%u alloc_migratetype=%d "
				    "fallback_migratetype=%u fragmenting=%d change_ownership=%d",
				    ev->order, FT_EXTFRAG_FALLBACK_ORDER(a), FT_EXTFRAG_PAGEBLOCK_ORDER(a),
				    ev->mt, FT_EXTFRAG_FALLBACK_MT(a), !!(ev->flags & FT_F_FRAGMENTING),
				    !!(ev->flags & FT_F_CHANGE_OWNERSHIP));
	case FT_PCPU_DRAIN:
		return n + snprintf(buf, len, "order=%u migratetype=%d", ev->order, ev->mt);
	case FT_ZONE_LOCKED:
		return n + snprintf(buf, len, "order=%u migratetype=%d percpu_refill=%d",
				    ev->order, ev->mt, !!(ev->flags & FT_F_PERCPU_REFILL));
	default:
		return n + snprintf(buf, len, "order=%u", ev->order);
	}
}
