// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * gigalloc inspect: what a live machine's physical memory holds, per 1 GiB
 * region of each zone, and how many 1 GiB pages it could give. Thin: parse
 * the options, run the census (inspect/), print.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "inspect.h"

#define EXIT_USAGE 2

static void inspect_usage(FILE *f)
{
	fputs("usage: gigalloc inspect [--json | --prometheus] [--save FILE] [--proc DIR]\n"
	      "\n"
	      "Classify every page frame from /proc/kpageflags (root only) and report,\n"
	      "per 1 GiB physical region of each zone, free, movable, unevictable and\n"
	      "unmovable pages, whether the region is clean or tainted, and how many\n"
	      "1 GiB pages the machine could give now and after migrating movable pages.\n"
	      "\n"
	      "  --json          one JSON object\n"
	      "  --prometheus    node_exporter textfile format\n"
	      "  --save FILE     also write a snapshot (format in docs/INSPECT.md)\n"
	      "  --proc DIR      read kpageflags, zoneinfo, ... from DIR instead of /proc\n", f);
}

static int usage_err(const char *msg, const char *arg)
{
	fprintf(stderr, "gigalloc inspect: %s%s\nTry 'gigalloc inspect --help'.\n", msg, arg);
	return EXIT_USAGE;
}

int cmd_inspect(int argc, char **argv)
{
	struct insp_opts o = { .proc = "/proc" };
	static struct inspect in;
	bool json = false, prom = false;
	char err[512] = "";
	int rc;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			inspect_usage(stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--prometheus")) {
			prom = true;
		} else if (!strcmp(a, "--save") || !strcmp(a, "--proc")) {
			if (i + 1 >= argc)
				return usage_err("missing value for ", a);
			*(!strcmp(a, "--save") ? &o.save : &o.proc) = argv[++i];
		} else {
			return usage_err("unexpected argument ", a);
		}
	}
	if (json && prom)
		return usage_err("--json and --prometheus exclude each other", "");
#ifndef __linux__
	if (!strcmp(o.proc, "/proc")) {
		fprintf(stderr, "gigalloc inspect: this is not Linux: there is no "
			"/proc/kpageflags to read (--proc DIR reads a recorded copy)\n");
		return 1;
	}
#endif
	rc = inspect_run(&in, &o, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "gigalloc inspect: %s\n", err);
		inspect_free(&in);
		return 1;
	}
	if (json)
		inspect_print_json(stdout, &in);
	else if (prom)
		inspect_print_prometheus(stdout, &in);
	else
		inspect_print_text(stdout, &in);
	inspect_free(&in);
	return 0;
}
