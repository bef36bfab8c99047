// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * gigalloc inspect: what a live machine's physical memory holds, per 1 GiB
 * region of each zone, and how many 1 GiB pages it could give. Thin: parse
 * the options, run the census (inspect/), print.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "commands.h"
#include "inspect.h"

#define EXIT_USAGE ARGS_EXIT_USAGE

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
	      "  --proc DIR      read kpageflags, zoneinfo, ... from DIR instead of /proc\n"
	      "  -h, --help      this help\n"
	      "\n" ARGS_EXIT_HELP, f);
}

static int usage_err(const char *msg, const char *arg)
{
	fprintf(stderr, "gigalloc inspect: %s%s\nTry 'gigalloc inspect --help'.\n", msg, arg);
	return EXIT_USAGE;
}

enum { I_JSON, I_PROM, I_SAVE, I_PROC, I_HELP };

static const struct args_opt opts[] = {
	[I_JSON] = { "--json", 0, false },
	[I_PROM] = { "--prometheus", 0, false },
	[I_SAVE] = { "--save", 0, true },
	[I_PROC] = { "--proc", 0, true },
	[I_HELP] = { "--help", 'h', false },
};

int cmd_inspect(int argc, char **argv)
{
	struct args a;
	int k;
	struct insp_opts o = { .proc = "/proc" };
	static struct inspect in;
	bool json = false, prom = false;
	char err[512] = "";
	struct stat st;
	int rc;

	if (args_want_help(argc, argv)) {
		inspect_usage(stdout);
		return ARGS_EXIT_OK;
	}
	args_init(&a, argc, argv);
	while ((k = args_next(&a, opts, sizeof(opts) / sizeof(opts[0]), err,
			      sizeof(err))) != ARGS_END) {
		if (k == ARGS_ERROR)
			return usage_err(err, "");
		if (k == ARGS_OPERAND)
			return usage_err("unexpected argument ", a.value);
		if (k == I_JSON)
			json = true;
		else if (k == I_PROM)
			prom = true;
		else if (k == I_SAVE)
			o.save = a.value;
		else if (k == I_PROC)
			o.proc = a.value;
	}
	if (json && prom)
		return usage_err("--json and --prometheus exclude each other", "");
	/* A recorded copy that is not there is bad input (exit 2), as in replay. */
	if (strcmp(o.proc, "/proc") && (stat(o.proc, &st) || !S_ISDIR(st.st_mode)))
		return usage_err("--proc: not a directory: ", o.proc);
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
