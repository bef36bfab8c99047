/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Parser for one line of ftrace text output (tracefs `trace` or
 * `trace_pipe`) carrying the kmem page allocator events of
 * include/trace/events/kmem.h:
 *
 *   <comm>-<pid> [(tgid)] [<cpu>] [<irq flags>] <sec>.<usec>: <event>: <payload>
 *
 * and the same lines as `trace-cmd report` (event name padded) and
 * `perf script` ("<comm> <pid>", "kmem:<event>:") print them,
 * It never guesses: a line is an event it knows (every field present, in
 * the kernel's order, in range), a line it may skip (blank, a '#' comment,
 * another tracepoint with a well-formed prefix), a "[LOST n EVENTS]" marker,
 * or malformed, with the reason.
 */
#ifndef GA_TRACE_FTRACE_H
#define GA_TRACE_FTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ft_kind {
	FT_ALLOC,		/* mm_page_alloc that returned a page */
	FT_ALLOC_FAILED,	/* mm_page_alloc with page=NULL: a failed attempt */
	FT_FREE,		/* mm_page_free */
	FT_FREE_BATCHED,	/* mm_page_free_batched: repeats an mm_page_free */
	FT_EXTFRAG,		/* mm_page_alloc_extfrag */
	FT_PCPU_DRAIN,		/* mm_page_pcpu_drain */
	FT_ZONE_LOCKED,		/* mm_page_alloc_zone_locked */
	FT_NR_KINDS
};

extern const char *const ft_kind_name[FT_NR_KINDS];

/* ft_event.flags */
#define FT_F_GFP_EMPTY		0x01	/* gfp_flags printed empty (6.1, no pointer hashing) */
#define FT_F_GFP_UNKNOWN_BITS	0x02	/* gfp_flags had a leftover hex value */
#define FT_F_GFP_ZONE		0x04	/* __GFP_DMA/DMA32/HIGHMEM: a zone-restricted request */
#define FT_F_FRAGMENTING	0x08	/* extfrag: fallback_order < pageblock_order */
#define FT_F_CHANGE_OWNERSHIP	0x10	/* extfrag: the block was claimed */
#define FT_F_PERCPU_REFILL	0x20	/* zone_locked: a pcp refill */
#define FT_F_GFP_MT_MISMATCH	0x40	/* gfp mobility bits disagree with migratetype= */

/*
 * One event, 24 bytes so that a 10^7-event trace fits in memory.
 * arg depends on kind: ALLOC: GA_GFP_* bits of gfp_flags (or derived from
 * the migratetype when gfp_flags printed empty); EXTFRAG: FT_EXTFRAG_ARG of
 * fallback_order, fallback_migratetype and pageblock_order; otherwise 0.
 */
struct ft_event {
	uint64_t ts_ns;		/* timestamp: seconds.fraction scaled, or a raw counter */
	uint64_t pfn;
	uint16_t cpu;
	uint16_t arg;
	uint8_t kind;		/* enum ft_kind */
	uint8_t order;		/* order, or alloc_order for EXTFRAG */
	int8_t mt;		/* migratetype, alloc_migratetype; -1 if none */
	uint8_t flags;		/* FT_F_* */
};

#define FT_EXTFRAG_ARG(fo, fmt, po)	((uint16_t)((fo) | (fmt) << 5 | (po) << 10))
#define FT_EXTFRAG_FALLBACK_ORDER(arg)	((arg) & 31u)
#define FT_EXTFRAG_FALLBACK_MT(arg)	(((arg) >> 5) & 31u)
#define FT_EXTFRAG_PAGEBLOCK_ORDER(arg)	(((arg) >> 10) & 31u)

enum ft_line {
	FT_LINE_EVENT,		/* one of ours: *ev is filled */
	FT_LINE_BLANK,		/* empty or white space */
	FT_LINE_COMMENT,	/* starts with '#': the trace file's header */
	FT_LINE_OTHER,		/* a well-formed line of another tracepoint */
	FT_LINE_LOST,		/* "CPU:n [LOST m EVENTS]": *lost = m */
	FT_LINE_BAD,		/* malformed: *why says what is wrong */
};

#define FT_MAX_ORDER		31	/* accepted orders: 0..31 */
#define FT_MAX_MT		15	/* accepted migratetype values: 0..15 */
#define FT_MAX_CPU		65535

/*
 * Parse line[0..len) (no newline; NUL bytes inside make it malformed).
 * ev and lost may not be NULL. On FT_LINE_BAD, *why points to a static
 * string.
 */
enum ft_line ft_parse_line(const char *line, size_t len, struct ft_event *ev,
			   uint64_t *lost, const char **why);

/*
 * A trace_marker line (tracing_mark_write, or trace-cmd's and perf's
 * "print" event): true with its message in msg[0..msglen).
 */
bool ft_parse_marker(const char *line, size_t len, const char **msg, size_t *msglen);

/*
 * Map a gfp_flags string ("GFP_KERNEL|__GFP_COMP", "none", "") to GA_GFP_*
 * bits. *flags receives FT_F_GFP_* bits. Returns 0, or -EINVAL for a name
 * no kernel from 4.19 to 6.15 prints (with *why set).
 */
int ft_parse_gfp(const char *s, size_t len, unsigned int *gfp,
		 uint8_t *flags, const char **why);

/*
 * Print ev as the kernel prints it (one line, no newline; comm "replay",
 * 9-digit timestamp, a made-up non-NULL page pointer). gfp_flags are
 * written as the __GFP_* names of the GA_GFP_* bits, so parsing the line
 * gives ev back: tests build traces with it and the fuzzers check that
 * whatever parses survives the round trip. Returns snprintf's count.
 */
int ft_format_event(const struct ft_event *ev, char *buf, size_t len);

#endif /* GA_TRACE_FTRACE_H */
