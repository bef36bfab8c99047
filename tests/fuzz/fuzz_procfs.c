// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer target for the readers of recorded /proc files and of
 * kpageflags (`make fuzz`; build/fuzz/fuzz_procfs).
 *
 * The first byte picks the reader: zoneinfo, buddyinfo, pagetypeinfo,
 * vmstat and iomem text parsers read the rest as a file; the kpageflags
 * classifier reads it as 8-byte flag words (tails inheriting their head);
 * the inspector (census of a recorded /proc directory) reads it as a
 * kpageflags file of any size beside a zoneinfo of one small zone, so a
 * size that is not a multiple of 8 is covered. It aborts when a reader
 * accepts and returns numbers that cannot be (more free pages than
 * spanned, more classified pages than read), or when the inspector
 * succeeds on a kpageflags that ends inside an entry.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "groundtruth.h"
#include "inspect.h"
#include "kpf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_text(unsigned int which, const uint8_t *data, size_t size)
{
	static struct gt_snapshot s;
	static struct gt_vmstat v;
	struct ga_pfn_range *r = NULL;
	size_t nr = 0;
	FILE *f = fmemopen((void *)data, size, "r");

	if (!f)
		return;
	memset(&s, 0, sizeof(s));
	switch (which) {
	case 0:
		gt_parse_zoneinfo(f, &s);
		break;
	case 1:
		gt_parse_buddyinfo(f, &s);
		break;
	case 2:
		gt_parse_pagetypeinfo(f, &s);
		break;
	case 3:
		memset(&v, 0, sizeof(v));
		gt_parse_vmstat(f, &v);
		break;
	default:
		if (!gt_parse_iomem(f, 12, &r, &nr))
			for (size_t i = 0; i < nr; i++)
				if (r[i].start >= r[i].end || (i && r[i].start < r[i - 1].start))
					abort();
		free(r);
		break;
	}
	fclose(f);
}

static void classify(const uint8_t *data, size_t size)
{
	size_t n = size / 8;
	uint64_t *flags = malloc(n ? n * 8 : 8);
	uint64_t pages[KC_NR] = { 0 }, sum = 0;
	enum kpf_class head = KC_NR;

	if (!flags)
		return;
	memcpy(flags, data, n * 8);
	inspect_count(flags, n, &head, pages);
	for (int c = 0; c < KC_NR; c++)
		sum += pages[c];
	if (sum != n)
		abort();
	free(flags);
}

static int write_file(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[256];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	ok = write(fd, buf, len) == (ssize_t)len;
	close(fd);
	return ok ? 0 : -1;
}

/* A recorded /proc of one 2048-page zone whose kpageflags is the input. */
static void census(const uint8_t *data, size_t size)
{
	static char dir[64];
	static const char zoneinfo[] =
		"Node 0, zone   Normal\n  pages free     100\n        min      10\n"
		"        low      12\n        high     14\n        spanned  2048\n"
		"        present  2048\n        managed  2000\n  start_pfn:           0\n";
	static const char buddyinfo[] =
		"Node 0, zone   Normal      1      1      1      1      1      1      1"
		"      1      1      1      0\n";
	static struct inspect in;
	struct insp_opts o = { .sys_vm = "/nonexistent" };
	char err[512];
	int rc;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz_procfs.%d", (int)getpid());
		if (mkdir(dir, 0700) && errno != EEXIST)
			abort();
		if (write_file(dir, "zoneinfo", zoneinfo, sizeof(zoneinfo) - 1) ||
		    write_file(dir, "buddyinfo", buddyinfo, sizeof(buddyinfo) - 1))
			abort();
	}
	if (write_file(dir, "kpageflags", data, size))
		abort();
	o.proc = dir;
	memset(&in, 0, sizeof(in));
	rc = inspect_run(&in, &o, err, sizeof(err));
	if (!rc && size % 8 && size < 2048 * 8)
		abort();	/* a partial entry inside the zone went unnoticed */
	if (!rc)
		inspect_free(&in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] % 8) {
	case 5:
		classify(data + 1, size - 1);
		break;
	case 6:
		census(data + 1, size - 1);
		break;
	case 7:
		break;
	default:
		parse_text(data[0] % 8, data + 1, size - 1);
		break;
	}
	return 0;
}
