// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Trace input: raw bytes from a file descriptor or memory, decoded by the
 * format the first bytes announce (gzip 1f 8b, zstd 28 b5 2f fd, else
 * plain), cut into lines in a buffer. Concatenated gzip members (what
 * `cat a.gz b.gz` makes) are read as one stream, like gzip -d does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#if defined(__has_include)
#if __has_include(<zstd.h>)
#include <zstd.h>
#define HAVE_ZSTD 1
#endif
#endif

#include "tsource.h"

#define RAW_SIZE	(64u << 10)
#define BUF_SIZE	(256u << 10)	/* decoded text; > TS_MAX_LINE */

enum ts_kind { TS_PLAIN, TS_GZIP, TS_ZSTD, TS_MEM };

struct tsource {
	enum ts_kind kind;
	int fd;				/* -1 for memory */
	bool raw_eof;
	/* Raw (possibly compressed) input. */
	unsigned char *raw;
	size_t raw_pos, raw_len;
	z_stream z;
	bool z_init, z_member_done;
#ifdef HAVE_ZSTD
	ZSTD_DStream *zs;
#endif
	/* Decoded text. */
	char *buf;
	size_t start, end;
	bool dec_eof;
	const char *mem;		/* TS_MEM: the text itself */
	size_t mem_len, mem_pos;
	uint64_t lineno;
	char err[200];
};

bool ts_have_zstd(void)
{
#ifdef HAVE_ZSTD
	return true;
#else
	return false;
#endif
}

const char *ts_format(const struct tsource *ts)
{
	static const char *const names[] = { "plain", "gzip", "zstd", "memory" };

	return names[ts->kind];
}

const char *ts_error(const struct tsource *ts)
{
	return ts->err;
}

uint64_t ts_line_number(const struct tsource *ts)
{
	return ts->lineno;
}

static int raw_fill(struct tsource *ts)
{
	ssize_t n;

	if (ts->raw_pos < ts->raw_len || ts->raw_eof)
		return 0;
	do
		n = read(ts->fd, ts->raw, RAW_SIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(ts->err, sizeof(ts->err), "read: %s", strerror(errno));
		return -EIO;
	}
	ts->raw_pos = 0;
	ts->raw_len = (size_t)n;
	ts->raw_eof = n == 0;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Decoders: each appends to buf[end..BUF_SIZE) and sets dec_eof at the end. */

static int dec_plain(struct tsource *ts)
{
	size_t n, room = BUF_SIZE - ts->end;
	int err = raw_fill(ts);

	if (err)
		return err;
	n = ts->raw_len - ts->raw_pos;
	if (!n) {
		ts->dec_eof = true;
		return 0;
	}
	if (n > room)
		n = room;
	memcpy(ts->buf + ts->end, ts->raw + ts->raw_pos, n);
	ts->raw_pos += n;
	ts->end += n;
	return 0;
}

/*
 * A decoder call that consumed nothing and produced nothing at the end of
 * the input means the stream was cut short; anywhere else it cannot
 * happen (there is always output room), so it is corruption either way.
 */
static int no_progress(struct tsource *ts, const char *what)
{
	snprintf(ts->err, sizeof(ts->err), "%s: %s", what,
		 ts->raw_eof ? "unexpected end of file" : "corrupt data");
	return -EIO;
}

/* After a member's end, more input means another member follows. */
static int gz_next_member(struct tsource *ts)
{
	int err = raw_fill(ts);

	if (err)
		return err;
	if (ts->raw_pos == ts->raw_len) {
		ts->dec_eof = true;
		return 0;
	}
	if (inflateReset(&ts->z) != Z_OK) {
		snprintf(ts->err, sizeof(ts->err), "gzip: cannot reset the decoder");
		return -EIO;
	}
	ts->z_member_done = false;
	return 0;
}

static int dec_gzip(struct tsource *ts)
{
	int err = ts->z_member_done ? gz_next_member(ts) : raw_fill(ts);
	size_t in0, out0;
	int zr;

	if (err || ts->dec_eof)
		return err;
	in0 = ts->raw_pos;
	out0 = ts->end;
	ts->z.next_in = ts->raw + ts->raw_pos;
	ts->z.avail_in = (uInt)(ts->raw_len - ts->raw_pos);
	ts->z.next_out = (Bytef *)ts->buf + ts->end;
	ts->z.avail_out = (uInt)(BUF_SIZE - ts->end);
	zr = inflate(&ts->z, Z_NO_FLUSH);
	ts->raw_pos = ts->raw_len - ts->z.avail_in;
	ts->end = BUF_SIZE - ts->z.avail_out;
	if (zr == Z_STREAM_END) {
		ts->z_member_done = true;
		return 0;
	}
	if (zr != Z_OK && zr != Z_BUF_ERROR) {
		snprintf(ts->err, sizeof(ts->err), "gzip: %s",
			 ts->z.msg ? ts->z.msg : "corrupt data");
		return -EIO;
	}
	if (ts->raw_pos == in0 && ts->end == out0)
		return no_progress(ts, "gzip");
	return 0;
}

#ifdef HAVE_ZSTD
static int dec_zstd(struct tsource *ts)
{
	ZSTD_inBuffer in;
	ZSTD_outBuffer out = { ts->buf, BUF_SIZE, ts->end };
	size_t r, out0 = ts->end;
	int err = raw_fill(ts);

	if (err)
		return err;
	if (ts->raw_pos == ts->raw_len && ts->z_member_done) {
		ts->dec_eof = true;
		return 0;
	}
	in = (ZSTD_inBuffer){ ts->raw, ts->raw_len, ts->raw_pos };
	r = ZSTD_decompressStream(ts->zs, &out, &in);
	if (ZSTD_isError(r)) {
		snprintf(ts->err, sizeof(ts->err), "zstd: %s", ZSTD_getErrorName(r));
		return -EIO;
	}
	if (in.pos == ts->raw_pos && out.pos == out0 && r)
		return no_progress(ts, "zstd");
	ts->z_member_done = r == 0;	/* a frame ended and was flushed */
	ts->raw_pos = in.pos;
	ts->end = out.pos;
	return 0;
}
#endif

static int dec_more(struct tsource *ts)
{
	switch (ts->kind) {
	case TS_GZIP:
		return dec_gzip(ts);
#ifdef HAVE_ZSTD
	case TS_ZSTD:
		return dec_zstd(ts);
#endif
	default:
		return dec_plain(ts);
	}
}

/* ------------------------------------------------------------------------ */
/* Opening.                                                                  */

static int detect(struct tsource *ts, char *err, size_t errlen)
{
	static const unsigned char gz[2] = { 0x1f, 0x8b };
	static const unsigned char zst[4] = { 0x28, 0xb5, 0x2f, 0xfd };

	/* Short reads from a pipe: gather up to 4 bytes to see the magic. */
	while (ts->raw_len < 4 && !ts->raw_eof) {
		ssize_t n = read(ts->fd, ts->raw + ts->raw_len, RAW_SIZE - ts->raw_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "read: %s", strerror(errno));
			return -EIO;
		}
		ts->raw_len += (size_t)n;
		ts->raw_eof = n == 0;
	}
	if (ts->raw_len >= 2 && !memcmp(ts->raw, gz, 2)) {
		ts->kind = TS_GZIP;
		if (inflateInit2(&ts->z, 16 + MAX_WBITS) != Z_OK)
			return -ENOMEM;
		ts->z_init = true;
		return 0;
	}
	if (ts->raw_len >= 4 && !memcmp(ts->raw, zst, 4)) {
#ifdef HAVE_ZSTD
		ts->kind = TS_ZSTD;
		ts->zs = ZSTD_createDStream();
		return ts->zs ? 0 : -ENOMEM;
#else
		snprintf(err, errlen, "this is a zstd file, but gigalloc was built "
			 "without libzstd: install libzstd-dev and rebuild, or "
			 "decompress it with 'zstd -d' first");
		return -ENOTSUP;
#endif
	}
	ts->kind = TS_PLAIN;
	return 0;
}

static struct tsource *ts_alloc(void)
{
	struct tsource *ts = calloc(1, sizeof(*ts));

	if (!ts)
		return NULL;
	ts->fd = -1;
	ts->buf = malloc(BUF_SIZE);
	if (!ts->buf) {
		free(ts);
		return NULL;
	}
	return ts;
}

int ts_open(struct tsource **tsp, const char *path, char *err, size_t errlen)
{
	struct tsource *ts = ts_alloc();
	int rc;

	if (!ts || !(ts->raw = malloc(RAW_SIZE))) {
		ts_close(ts);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ts->fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (ts->fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		ts_close(ts);
		return rc;
	}
	rc = detect(ts, err, errlen);
	if (rc) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		ts_close(ts);
		return rc;
	}
	*tsp = ts;
	return 0;
}

int ts_open_mem(struct tsource **tsp, const void *buf, size_t len)
{
	struct tsource *ts = ts_alloc();

	if (!ts)
		return -ENOMEM;
	ts->kind = TS_MEM;
	ts->mem = buf;
	ts->mem_len = len;
	*tsp = ts;
	return 0;
}

void ts_close(struct tsource *ts)
{
	if (!ts)
		return;
	if (ts->z_init)
		inflateEnd(&ts->z);
#ifdef HAVE_ZSTD
	if (ts->zs)
		ZSTD_freeDStream(ts->zs);
#endif
	if (ts->fd > 0)
		close(ts->fd);
	free(ts->raw);
	free(ts->buf);
	free(ts);
}

/* ------------------------------------------------------------------------ */
/* Lines.                                                                    */

static int mem_next_line(struct tsource *ts, const char **line, size_t *len)
{
	const char *s = ts->mem + ts->mem_pos, *nl;
	size_t left = ts->mem_len - ts->mem_pos;

	if (!left)
		return 0;
	nl = memchr(s, '\n', left);
	*line = s;
	*len = nl ? (size_t)(nl - s) : left;
	ts->mem_pos += *len + (nl ? 1 : 0);
	ts->lineno++;
	return *len > TS_MAX_LINE ? -E2BIG : 1;
}

/* Make room at the end of buf by dropping consumed text. */
static void compact(struct tsource *ts)
{
	if (!ts->start)
		return;
	memmove(ts->buf, ts->buf + ts->start, ts->end - ts->start);
	ts->end -= ts->start;
	ts->start = 0;
}

/* Discard the rest of an over-long line, through its newline. */
static int skip_long_line(struct tsource *ts)
{
	for (;;) {
		char *nl = memchr(ts->buf + ts->start, '\n', ts->end - ts->start);
		int err;

		if (nl) {
			ts->start = (size_t)(nl - ts->buf) + 1;
			return -E2BIG;
		}
		ts->start = ts->end = 0;
		if (ts->dec_eof)
			return -E2BIG;
		err = dec_more(ts);
		if (err)
			return err;
	}
}

int ts_next_line(struct tsource *ts, const char **line, size_t *len)
{
	if (ts->kind == TS_MEM)
		return mem_next_line(ts, line, len);
	for (;;) {
		char *s = ts->buf + ts->start;
		char *nl = memchr(s, '\n', ts->end - ts->start);
		int err;

		if (nl || (ts->dec_eof && ts->end > ts->start)) {
			*line = s;
			*len = nl ? (size_t)(nl - s) : ts->end - ts->start;
			ts->start += *len + (nl ? 1 : 0);
			ts->lineno++;
			return *len > TS_MAX_LINE ? -E2BIG : 1;
		}
		if (ts->dec_eof)
			return 0;
		if (ts->end - ts->start > TS_MAX_LINE) {
			ts->lineno++;
			return skip_long_line(ts);
		}
		compact(ts);
		err = dec_more(ts);
		if (err)
			return err;
	}
}
