/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Line reader for trace files: plain text, gzip (zlib) or zstd (libzstd,
 * when the build found <zstd.h>), chosen by the file's magic bytes, or an
 * in-memory buffer (tests, the fuzzer). "-" reads standard input.
 */
#ifndef GA_TRACE_TSOURCE_H
#define GA_TRACE_TSOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TS_MAX_LINE	4096	/* longer lines are reported as malformed */

struct tsource;

/*
 * Open path. Returns 0, or a negative errno with a message in err:
 * -ENOENT/-EACCES (cannot open), -ENOTSUP (zstd without libzstd),
 * -ENOMEM.
 */
int ts_open(struct tsource **tsp, const char *path, char *err, size_t errlen);
/* Read from buf[0..len) (not copied: it must outlive the source). */
int ts_open_mem(struct tsource **tsp, const void *buf, size_t len);
void ts_close(struct tsource *ts);

/*
 * Next line, without its newline, in *line and *len (valid until the next
 * call). Returns 1 for a line, 0 at the end, -EIO on a read or
 * decompression error (message from ts_error), -E2BIG for a line longer
 * than TS_MAX_LINE (it is consumed; the next call goes on after it).
 */
int ts_next_line(struct tsource *ts, const char **line, size_t *len);
/* 1-based number of the line last returned. */
uint64_t ts_line_number(const struct tsource *ts);
const char *ts_error(const struct tsource *ts);
/* "plain", "gzip", "zstd" or "memory". */
const char *ts_format(const struct tsource *ts);
/* true when this build can read zstd. */
bool ts_have_zstd(void);

#endif /* GA_TRACE_TSOURCE_H */
