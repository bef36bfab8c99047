// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Loading a trace: read lines, parse them, keep what the replay needs and
 * count the rest. Parsing once and replaying from memory lets every policy
 * see the identical request stream, and keeps the replay loop free of text.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfnmap.h"
#include "trace.h"
#include "tracedat.h"
#include "tsource.h"

/*
 * free_unref_folios() (free_unref_page_list() in 6.1) traces mm_page_free
 * for each page of a batch, then mm_page_free_batched for each; a batch
 * from release_pages() can hold hundreds of pages. So a batched event
 * repeats a free when its pfn was freed and not allocated again since: the
 * loader keeps the set of such pfns.
 */
struct loader {
	struct trace *t;
	bool lenient;
	const char *until_marker;
	bool stop;			/* the marker was reached */
	struct pfnmap freed;		/* pfns freed and not reallocated since */
	/* Per CPU: the extfrag not yet claimed by an allocation (fb 0: none). */
	struct pending_fb {
		uint8_t fb;
		struct ft_fallback where;
	} *extfrag;
	char *err;
	size_t errlen;
};

static int keep_event(struct trace *t, const struct ft_event *ev, uint8_t fb)
{
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 65536;
		struct ft_event *n = realloc(t->ev, cap * sizeof(*n));
		uint8_t *f;

		if (!n)
			return -ENOMEM;
		t->ev = n;
		f = realloc(t->fb, cap);
		if (!f)
			return -ENOMEM;
		t->fb = f;
		t->cap = cap;
	}
	t->fb[t->nr] = fb;
	t->ev[t->nr++] = *ev;
	return 0;
}

/* An extfrag waits on its CPU for the allocation it served. */
static void note_extfrag(struct loader *ld, const struct ft_event *ev)
{
	struct pending_fb *p = &ld->extfrag[ev->cpu];

	if (p->fb)
		return;		/* a refill's later fallbacks: the first decides */
	p->fb = FT_FB_FELL_BACK | (FT_EXTFRAG_FALLBACK_MT(ev->arg) & 7u) |
		(ev->flags & FT_F_FRAGMENTING ? FT_FB_FRAGMENTING : 0) |
		(ev->flags & FT_F_CHANGE_OWNERSHIP ? FT_FB_CLAIM : 0);
	p->where.pfn = ev->pfn;
	p->where.order = (uint8_t)FT_EXTFRAG_FALLBACK_ORDER(ev->arg);
	p->where.pageblock_order = (uint8_t)FT_EXTFRAG_PAGEBLOCK_ORDER(ev->arg);
}

/* The allocation ev (about to be kept) takes its CPU's pending extfrag. */
static int claim_extfrag(struct loader *ld, const struct ft_event *ev, uint8_t *fb)
{
	struct pending_fb *p = &ld->extfrag[ev->cpu];
	struct trace *t = ld->t;

	*fb = p->fb;
	if (!p->fb)
		return 0;
	p->fb = 0;
	if (t->nr_fall == t->cap_fall) {
		size_t cap = t->cap_fall ? t->cap_fall * 2 : 256;
		struct ft_fallback *n = realloc(t->fall, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->fall = n;
		t->cap_fall = cap;
	}
	p->where.ev = t->nr;
	t->fall[t->nr_fall++] = p->where;
	return 0;
}

static int remember_free(struct loader *ld, const struct ft_event *ev)
{
	struct pfnmap_entry e = { .kpfn = ev->pfn };

	if (pfnmap_find(&ld->freed, ev->pfn))
		return 0;
	return pfnmap_insert(&ld->freed, &e);
}

static void forget_free(struct loader *ld, const struct ft_event *ev)
{
	struct pfnmap_entry *e = pfnmap_find(&ld->freed, ev->pfn);

	if (e)
		pfnmap_delete(&ld->freed, e);
}

static void count_alloc(struct trace_stats *st, const struct ft_event *ev)
{
	st->alloc_pages += 1ull << ev->order;
	if (ev->mt >= 0 && ev->mt < TRACE_NR_MT)
		st->alloc_by_mt[ev->mt] += 1ull << ev->order;
	st->gfp_empty += !!(ev->flags & FT_F_GFP_EMPTY);
	st->gfp_unknown_bits += !!(ev->flags & FT_F_GFP_UNKNOWN_BITS);
	st->gfp_zone += !!(ev->flags & FT_F_GFP_ZONE);
	st->gfp_mt_mismatch += !!(ev->flags & FT_F_GFP_MT_MISMATCH);
}

static void count_extfrag(struct trace_stats *st, const struct ft_event *ev)
{
	unsigned int fmt = FT_EXTFRAG_FALLBACK_MT(ev->arg);

	if ((unsigned int)ev->mt < TRACE_NR_MT && fmt < TRACE_NR_MT)
		st->extfrag[ev->mt][fmt]++;
	st->extfrag_fragmenting += !!(ev->flags & FT_F_FRAGMENTING);
	st->extfrag_change_ownership += !!(ev->flags & FT_F_CHANGE_OWNERSHIP);
	st->pageblock_order = FT_EXTFRAG_PAGEBLOCK_ORDER(ev->arg);
}

static int take_event(struct loader *ld, const struct ft_event *ev)
{
	struct trace_stats *st = &ld->t->st;
	uint8_t fb = 0;
	int err;

	st->events[ev->kind]++;
	if (ev->cpu > st->max_cpu)
		st->max_cpu = ev->cpu;
	switch (ev->kind) {
	case FT_ALLOC:
		count_alloc(st, ev);
		forget_free(ld, ev);
		break;
	case FT_FREE:
		st->free_pages += 1ull << ev->order;
		err = remember_free(ld, ev);
		if (err)
			return err;
		break;
	case FT_FREE_BATCHED:
		st->batched_unmatched += !pfnmap_find(&ld->freed, ev->pfn);
		return 0;
	case FT_EXTFRAG:
		count_extfrag(st, ev);
		note_extfrag(ld, ev);
		return 0;
	default:
		return 0;
	}
	if (ev->pfn + (1ull << ev->order) - 1 > st->max_pfn)
		st->max_pfn = ev->pfn + (1ull << ev->order) - 1;
	if (!ld->t->nr)
		st->ts_first = ev->ts_ns;
	st->ts_last = ev->ts_ns;
	if (ev->kind == FT_ALLOC) {
		err = claim_extfrag(ld, ev, &fb);
		if (err)
			return err;
	}
	return keep_event(ld->t, ev, fb);
}

/* "# entries-in-buffer/entries-written: 44/44   #P:2" */
static void take_comment(struct trace_stats *st, const char *line, size_t len)
{
	static const char key[] = "# entries-in-buffer/entries-written: ";
	unsigned long long a, b;
	char tmp[128];

	if (len >= sizeof(tmp) || len < sizeof(key) - 1 ||
	    memcmp(line, key, sizeof(key) - 1))
		return;
	memcpy(tmp, line, len);
	tmp[len] = '\0';
	if (sscanf(tmp + sizeof(key) - 1, "%llu/%llu", &a, &b) == 2) {
		st->have_header = true;
		st->header_in_buffer = a;
		st->header_written = b;
	}
}

static void note_bad(struct trace_stats *st, uint64_t lineno, const char *why,
		     const char *line, size_t len)
{
	size_t n = len < sizeof(st->first_bad_text) - 1 ? len :
		   sizeof(st->first_bad_text) - 1;

	if (st->first_bad_line)
		return;
	st->first_bad_line = lineno;
	snprintf(st->first_bad_why, sizeof(st->first_bad_why), "%s", why);
	for (size_t i = 0; i < n; i++)	/* printable excerpt for messages */
		st->first_bad_text[i] = line[i] >= 32 && line[i] < 127 ? line[i] : '?';
	st->first_bad_text[n] = '\0';
}

static int bad_line(struct loader *ld, uint64_t lineno, const char *why,
		    const char *line, size_t len)
{
	struct trace_stats *st = &ld->t->st;

	note_bad(st, lineno, why, line, len);
	st->malformed++;
	if (ld->lenient)
		return 0;
	snprintf(ld->err, ld->errlen, "line %llu: %s: %s",
		 (unsigned long long)lineno, why, st->first_bad_text);
	return -EINVAL;
}

static void take_marker(struct loader *ld, uint64_t lineno, const char *line,
			size_t len, const struct ft_event *ev)
{
	struct trace_stats *st = &ld->t->st;
	const char *msg;
	size_t n, want;

	if (!ft_parse_marker(line, len, &msg, &n))
		return;
	st->markers++;
	if (!ld->until_marker)
		return;
	want = strlen(ld->until_marker);
	if (n < want || memcmp(msg, ld->until_marker, want))
		return;
	st->stopped_at_marker = true;
	st->marker_line = lineno;
	st->marker_ts_ns = ev->ts_ns;
	ld->stop = true;
}

/* trace-cmd report's header: "cpus=2", "version = 6", "CPU 1 is empty". */
static bool tracecmd_header_line(const char *line, size_t len)
{
	unsigned int v;
	char tmp[64];

	if (len >= sizeof(tmp))
		return false;
	memcpy(tmp, line, len);
	tmp[len] = '\0';
	return sscanf(tmp, "cpus=%u", &v) == 1 || sscanf(tmp, "version = %u", &v) == 1 ||
	       (sscanf(tmp, "CPU %u is empty", &v) == 1 && strstr(tmp, " is empty"));
}

/* Which program printed the text, from its first event line. */
static void note_style(struct loader *ld, const char *line, size_t len)
{
	struct trace *t = ld->t;

	if (t->style)
		return;
	if (memmem(line, len, " kmem:mm_page_", 14))
		t->style = "perf script";
	else if (t->st.tracecmd_header)
		t->style = "trace-cmd report";
	else
		t->style = "ftrace";
}

static int take_line(struct loader *ld, uint64_t lineno, const char *line,
		     size_t len)
{
	struct trace_stats *st = &ld->t->st;
	struct ft_event ev;
	const char *why;
	uint64_t lost = 0;

	st->lines++;
	if (tracecmd_header_line(line, len)) {
		st->tracecmd_header = true;
		st->comments++;
		return 0;
	}
	switch (ft_parse_line(line, len, &ev, &lost, &why)) {
	case FT_LINE_EVENT:
		note_style(ld, line, len);
		return take_event(ld, &ev);
	case FT_LINE_BLANK:
		st->blank++;
		return 0;
	case FT_LINE_COMMENT:
		st->comments++;
		take_comment(st, line, len);
		return 0;
	case FT_LINE_OTHER:
		st->other_events++;
		take_marker(ld, lineno, line, len, &ev);
		return 0;
	case FT_LINE_LOST:
		st->lost_markers++;
		st->lost_events += lost;
		return 0;
	default:
		return bad_line(ld, lineno, why, line, len);
	}
}

static int loader_init(struct loader *ld, struct trace *t, const struct trace_opts *o,
		       char *err, size_t errlen)
{
	memset(ld, 0, sizeof(*ld));
	ld->t = t;
	ld->lenient = o->lenient;
	ld->until_marker = o->until_marker && *o->until_marker ? o->until_marker : NULL;
	ld->err = err;
	ld->errlen = errlen;
	ld->extfrag = calloc(1u << 16, sizeof(*ld->extfrag));
	if (!ld->extfrag || pfnmap_init(&ld->freed, 4096)) {
		free(ld->extfrag);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static void loader_destroy(struct loader *ld)
{
	pfnmap_destroy(&ld->freed);
	free(ld->extfrag);
}

/* trace.dat: tracedat.c prints each record as a text line. */
static int tracedat_line(void *arg, uint64_t lineno, const char *line, size_t len)
{
	struct loader *ld = arg;
	int r;

	if (ld->stop)
		return 1;
	r = take_line(ld, lineno, line, len);
	if (r == -ENOMEM)
		snprintf(ld->err, ld->errlen, "out of memory at record %llu",
			 (unsigned long long)lineno);
	return r ? r : ld->stop;
}

static int load_tracedat(struct trace *t, const char *path, const struct trace_opts *o,
			 char *err, size_t errlen)
{
	struct loader ld;
	int r = loader_init(&ld, t, o, err, errlen);

	if (r)
		return r;
	r = tracedat_read(path, tracedat_line, &ld, err, errlen);
	loader_destroy(&ld);
	t->style = "trace.dat";
	return r < 0 ? r : 0;
}

static int load(struct trace *t, struct tsource *ts, const struct trace_opts *o,
		char *err, size_t errlen)
{
	struct loader ld;
	const char *line;
	size_t len;
	int r;

	t->format = ts_format(ts);
	r = loader_init(&ld, t, o, err, errlen);
	if (r)
		return r;
	while (!ld.stop && (r = ts_next_line(ts, &line, &len)) != 0) {
		if (r == -E2BIG) {
			t->st.lines++;
			r = bad_line(&ld, ts_line_number(ts), "line too long", "", 0);
		} else if (r < 0) {
			snprintf(err, errlen, "after line %llu: %s",
				 (unsigned long long)ts_line_number(ts), ts_error(ts));
		} else {
			r = take_line(&ld, ts_line_number(ts), line, len);
			if (r == -ENOMEM)
				snprintf(err, errlen, "out of memory at line %llu",
					 (unsigned long long)ts_line_number(ts));
		}
		if (r)
			break;
	}
	loader_destroy(&ld);
	return r;
}

int trace_load_opts(struct trace *t, const char *path, const struct trace_opts *o,
		    char *err, size_t errlen)
{
	struct tsource *ts;
	const char *format;
	int r;

	memset(t, 0, sizeof(*t));
	r = tracedat_sniff(path, &format);
	if (r > 0) {
		r = load_tracedat(t, path, o, err, errlen);
		t->format = format;
		return r;
	}
	r = ts_open(&ts, path, err, errlen);
	if (r)
		return r;
	r = load(t, ts, o, err, errlen);
	ts_close(ts);
	return r;
}

int trace_load(struct trace *t, const char *path, bool lenient, char *err,
	       size_t errlen)
{
	struct trace_opts o = { .lenient = lenient };

	return trace_load_opts(t, path, &o, err, errlen);
}

int trace_load_mem(struct trace *t, const void *buf, size_t len, bool lenient,
		   char *err, size_t errlen)
{
	struct tsource *ts;
	int r;

	memset(t, 0, sizeof(*t));
	if (ts_open_mem(&ts, buf, len)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = load(t, ts, &(struct trace_opts){ .lenient = lenient }, err, errlen);
	ts_close(ts);
	return r;
}

void trace_free(struct trace *t)
{
	free(t->ev);
	free(t->fb);
	free(t->fall);
	t->ev = NULL;
	t->fb = NULL;
	t->fall = NULL;
	t->nr_fall = t->cap_fall = 0;
	t->nr = t->cap = 0;
}
