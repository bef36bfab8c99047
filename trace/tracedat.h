/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * trace-cmd's binary trace.dat, read through Debian's libtracecmd and
 * libtraceevent: each record is printed as the ftrace text line the
 * kernel would have printed ("comm-pid [cpu] sec.nsec: event: info", the
 * info from the event's own print format), so one parser serves every
 * input. Plain, gzip or zstd; compressed files are decompressed into an
 * unlinked temporary file first (libtracecmd needs to seek).
 */
#ifndef GA_TRACE_TRACEDAT_H
#define GA_TRACE_TRACEDAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* true when this build links libtracecmd. */
bool tracedat_available(void);

/*
 * 1 if path holds a trace.dat (after decompression), 0 if not (text, or
 * unreadable: the text reader reports that), with *format "plain",
 * "gzip" or "zstd".
 */
int tracedat_sniff(const char *path, const char **format);

/*
 * Call line(arg, n, text, len) for each record in time order, n counting
 * from 1. line returns 0 to go on, > 0 to stop, < 0 to fail with that
 * error. Returns 0, that error, -ENOTSUP without libtracecmd, -EINVAL
 * for a file libtracecmd refuses, -EIO, -ENOMEM; err says which.
 */
int tracedat_read(const char *path,
		  int (*line)(void *arg, uint64_t n, const char *text, size_t len),
		  void *arg, char *err, size_t errlen);

#endif /* GA_TRACE_TRACEDAT_H */
