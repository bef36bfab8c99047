/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A whole trace in memory: the allocation and free events the replay
 * drives the library with, in trace order, and counts of everything else
 * (failed attempts, batched-free repeats, fallbacks, pcp drains, lost
 * events, malformed lines) for the reports and the ground truth.
 */
#ifndef GA_TRACE_TRACE_H
#define GA_TRACE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ftrace.h"

#define TRACE_NR_MT	8	/* migratetype values counted separately (0..7) */

struct trace_stats {
	uint64_t lines, blank, comments, other_events;
	uint64_t malformed;		/* lines skipped with --lenient */
	uint64_t lost_markers, lost_events;	/* "[LOST n EVENTS]" lines */
	uint64_t events[FT_NR_KINDS];
	uint64_t alloc_pages, free_pages;	/* sums of 2^order */
	uint64_t alloc_by_mt[TRACE_NR_MT];	/* successful allocations, pages */
	uint64_t gfp_empty, gfp_unknown_bits, gfp_zone, gfp_mt_mismatch;
	/* mm_page_alloc_extfrag: [alloc_mt][fallback_mt] event counts. */
	uint64_t extfrag[TRACE_NR_MT][TRACE_NR_MT];
	uint64_t extfrag_fragmenting, extfrag_change_ownership;
	uint64_t batched_unmatched;	/* free_batched with no mm_page_free just before */
	/* The trace file's "# entries-in-buffer/entries-written: a/b" header. */
	bool have_header;
	uint64_t header_in_buffer, header_written;
	unsigned int max_cpu;
	uint64_t max_pfn;
	uint64_t ts_first, ts_last;	/* of the events kept */
	unsigned int pageblock_order;	/* from extfrag events; 0 if none */
	/* trace_marker lines; the load stopped at until_marker's line. */
	uint64_t markers;
	bool stopped_at_marker;
	uint64_t marker_line;
	uint64_t marker_ts_ns;
	/* "cpus=N" / "version = N" header lines of trace-cmd report. */
	bool tracecmd_header;
	/* The first malformed line (strict mode stops at it). */
	uint64_t first_bad_line;
	char first_bad_why[96];
	char first_bad_text[120];
};

/*
 * trace.fb[i]: the mm_page_alloc_extfrag the allocation ev[i] came with
 * (the first one its CPU traced since its previous allocation: a pcp
 * refill's fallbacks precede the allocation that refilled). 0: none.
 */
#define FT_FB_FELL_BACK		0x80
#define FT_FB_FRAGMENTING	0x40	/* fallback_order < pageblock_order */
#define FT_FB_CLAIM		0x20	/* change_ownership */
#define FT_FB_MT(fb)		((fb) & 0x07)	/* fallback_migratetype */

/* Where such a fallback took its block: trace.fall[], in event order. */
struct ft_fallback {
	size_t ev;			/* index of the allocation in trace.ev */
	uint64_t pfn;			/* the fallback block (the extfrag's page) */
	uint8_t order;			/* fallback_order */
	uint8_t pageblock_order;
};

struct trace {
	struct ft_event *ev;		/* FT_ALLOC and FT_FREE only */
	uint8_t *fb;			/* FT_FB_* per event (allocations only) */
	size_t nr, cap;
	struct ft_fallback *fall;	/* one per allocation with fb set */
	size_t nr_fall, cap_fall;
	struct trace_stats st;
	const char *format;		/* "plain", "gzip", "zstd", "memory" */
	const char *style;		/* "ftrace", "trace-cmd report", "perf script",
					 * "trace.dat" */
};

struct trace_opts {
	bool lenient;			/* skip malformed lines (counted) */
	/* Stop at the first trace_marker line whose message starts with this. */
	const char *until_marker;
};

/*
 * Load a trace file (see tsource.h for formats). Strict: the first
 * malformed line ends the load with -EINVAL and "line N: reason: text" in
 * err. lenient: malformed lines are counted and skipped. Other errors:
 * -ENOENT, -EACCES, -EIO, -ENOTSUP (zstd without libzstd), -ENOMEM.
 * t is zeroed first; trace_free() it whatever the result.
 */
int trace_load(struct trace *t, const char *path, bool lenient, char *err,
	       size_t errlen);
/*
 * The same with options. Besides text (ftrace, trace-cmd report, perf
 * script) this reads trace-cmd's binary trace.dat, plain or compressed,
 * when built with libtracecmd (else -ENOTSUP).
 */
int trace_load_opts(struct trace *t, const char *path, const struct trace_opts *o,
		    char *err, size_t errlen);
/* The same from text in memory. */
int trace_load_mem(struct trace *t, const void *buf, size_t len, bool lenient,
		   char *err, size_t errlen);
void trace_free(struct trace *t);

#endif /* GA_TRACE_TRACE_H */
