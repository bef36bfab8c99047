// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * trace.dat input (see tracedat.h). The decoding of the binary format and
 * of each event's print format is libtracecmd's and libtraceevent's; this
 * file only finds the file's compression, hands libtracecmd a seekable
 * file, and prints records as ftrace lines.
 */
#define _GNU_SOURCE
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

#ifdef HAVE_TRACECMD
#include <trace-cmd.h>
#endif

#include "tracedat.h"

/* tracecmd's file header: 0x17 0x08 'D' "tracing". */
static const unsigned char dat_magic[10] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
static const unsigned char zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };

bool tracedat_available(void)
{
#ifdef HAVE_TRACECMD
	return true;
#else
	return false;
#endif
}

enum comp { C_PLAIN, C_GZIP, C_ZSTD };

static int file_comp(int fd, enum comp *c)
{
	unsigned char m[4];
	ssize_t n = pread(fd, m, sizeof(m), 0);

	if (n < 0)
		return -EIO;
	*c = n >= 2 && m[0] == 0x1f && m[1] == 0x8b ? C_GZIP :
	     n == 4 && !memcmp(m, zstd_magic, 4) ? C_ZSTD : C_PLAIN;
	return 0;
}

/* Write the decompressed file to out (a file descriptor), at most limit
 * bytes (0: all). */
static int gz_copy(const char *path, int out, size_t limit)
{
	gzFile g = gzopen(path, "rb");
	char *buf = malloc(1 << 16);
	size_t done = 0;
	int n, rc = 0;

	if (!g || !buf) {
		free(buf);
		if (g)
			gzclose(g);
		return g ? -ENOMEM : -EIO;
	}
	while ((n = gzread(g, buf, 1 << 16)) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			rc = -EIO;
			break;
		}
		done += (size_t)n;
		if (limit && done >= limit)
			break;
	}
	if (n < 0)
		rc = -EIO;
	gzclose(g);
	free(buf);
	return rc;
}

#ifdef HAVE_ZSTD
static int zstd_copy(int in, int out, size_t limit)
{
	size_t isz = ZSTD_DStreamInSize(), osz = ZSTD_DStreamOutSize(), done = 0;
	ZSTD_DStream *zs = ZSTD_createDStream();
	char *ib = malloc(isz), *ob = malloc(osz);
	ssize_t n;
	int rc = 0;

	if (!zs || !ib || !ob) {
		rc = -ENOMEM;
		goto out;
	}
	ZSTD_initDStream(zs);
	while (!rc && (!limit || done < limit) && (n = read(in, ib, isz)) > 0) {
		ZSTD_inBuffer zi = { ib, (size_t)n, 0 };

		while (zi.pos < zi.size) {
			ZSTD_outBuffer zo = { ob, osz, 0 };

			if (ZSTD_isError(ZSTD_decompressStream(zs, &zo, &zi)) ||
			    write(out, ob, zo.pos) != (ssize_t)zo.pos) {
				rc = -EIO;
				break;
			}
			done += zo.pos;
		}
	}
out:
	ZSTD_freeDStream(zs);
	free(ib);
	free(ob);
	return rc;
}
#endif

/*
 * A seekable descriptor holding the decompressed file: fd itself when
 * plain, else an unlinked temporary file.
 */
static int decompressed(const char *path, int fd, enum comp c, size_t limit, int *outfd)
{
	char tmpl[4096];
	const char *dir = getenv("TMPDIR");
	int t, rc;

	if (c == C_PLAIN) {
		*outfd = fd;
		return 0;
	}
	snprintf(tmpl, sizeof(tmpl), "%s/gigalloc-tracedat.XXXXXX", dir && *dir ? dir : "/tmp");
	t = mkstemp(tmpl);
	if (t < 0)
		return -EIO;
	unlink(tmpl);
#ifdef HAVE_ZSTD
	rc = c == C_GZIP ? gz_copy(path, t, limit) : zstd_copy(fd, t, limit);
#else
	rc = c == C_GZIP ? gz_copy(path, t, limit) : -ENOTSUP;
#endif
	if (rc || lseek(t, 0, SEEK_SET)) {
		close(t);
		return rc ? rc : -EIO;
	}
	*outfd = t;
	return 0;
}

int tracedat_sniff(const char *path, const char **format)
{
	static const char *const names[] = { "plain", "gzip", "zstd" };
	unsigned char m[sizeof(dat_magic)];
	int fd = open(path, O_RDONLY), d = -1, r = 0;
	enum comp c;

	*format = "plain";
	if (fd < 0)
		return 0;
	if (!file_comp(fd, &c) && !decompressed(path, fd, c, 1 << 16, &d)) {
		*format = names[c];
		r = pread(d, m, sizeof(m), 0) == (ssize_t)sizeof(m) &&
		    !memcmp(m, dat_magic, sizeof(m));
		if (d != fd)
			close(d);
	}
	close(fd);
	return r;
}

#ifdef HAVE_TRACECMD
struct dat_walk {
	int (*line)(void *arg, uint64_t n, const char *text, size_t len);
	void *arg;
	uint64_t n;
	int rc;
	struct trace_seq info;
	char *buf;
	size_t cap;
};

static int dat_record(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *data)
{
	struct dat_walk *w = data;
	struct tep_handle *tep = tracecmd_get_tep(h);
	struct tep_event *ev = tep_find_event_by_record(tep, rec);
	int pid, len;

	if (!ev)
		return 0;
	pid = tep_data_pid(tep, rec);
	trace_seq_reset(&w->info);
	tep_print_event(tep, &w->info, rec, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(&w->info);
	len = snprintf(w->buf, w->cap, "%s-%d [%03d] %llu.%09llu: %s: %s",
		       tep_data_comm_from_pid(tep, pid), pid, cpu,
		       (unsigned long long)(rec->ts / 1000000000u),
		       (unsigned long long)(rec->ts % 1000000000u), ev->name,
		       w->info.buffer ? w->info.buffer : "");
	if (len < 0)
		return 0;
	if ((size_t)len >= w->cap)
		len = (int)w->cap - 1;
	w->rc = w->line(w->arg, ++w->n, w->buf, (size_t)len);
	return w->rc != 0;
}

static int walk(int fd, struct dat_walk *w, char *err, size_t errlen)
{
	struct tracecmd_input *h;

	tracecmd_set_loglevel(TEP_LOG_NONE);
	h = tracecmd_open_fd(fd, TRACECMD_FL_LOAD_NO_PLUGINS | TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS);
	if (!h) {
		snprintf(err, errlen, "libtracecmd cannot read this trace.dat");
		return -EINVAL;
	}
	trace_seq_init(&w->info);
	tracecmd_iterate_events(h, NULL, 0, dat_record, w);
	trace_seq_destroy(&w->info);
	tracecmd_close(h);	/* closes fd */
	return w->rc < 0 ? w->rc : 0;
}
#endif

int tracedat_read(const char *path,
		  int (*line)(void *arg, uint64_t n, const char *text, size_t len),
		  void *arg, char *err, size_t errlen)
{
#ifdef HAVE_TRACECMD
	struct dat_walk w = { .line = line, .arg = arg, .cap = 8192 };
	int fd = open(path, O_RDONLY), d, rc;
	enum comp c;

	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -errno;
	}
	rc = file_comp(fd, &c);
	if (!rc)
		rc = decompressed(path, fd, c, 0, &d);
	if (rc) {
		close(fd);
		snprintf(err, errlen, "cannot decompress the trace.dat: %s", strerror(-rc));
		return rc;
	}
	if (d != fd)
		close(fd);
	w.buf = malloc(w.cap);
	if (!w.buf) {
		close(d);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = walk(d, &w, err, errlen);
	free(w.buf);
	return rc;
#else
	(void)path;
	(void)line;
	(void)arg;
	snprintf(err, errlen, "a binary trace.dat, and this gigalloc was built without "
		 "libtracecmd (install libtracecmd-dev and rebuild, or convert it with "
		 "`trace-cmd report`)");
	return -ENOTSUP;
#endif
}
