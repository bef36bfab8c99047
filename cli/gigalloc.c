// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * gigalloc: the command-line front end. This file only dispatches: each
 * subcommand lives in its own cli/cmd_*.c, parses its options with the
 * shared parser (sim/args.h) and calls the libraries; the allocator's
 * behaviour lives in src/, never in cli/.
 *
 * Exit codes: 0 success, 1 runtime failure (including an output that
 * could not be written), 2 usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "sim", cmd_sim, "simulate a workload under each policy and compare them (the\n"
	  "           main job: 1 GiB regions tainted vs ideal, 1 GiB pages obtained)" },
	{ "replay", cmd_replay, "replay a kernel page allocator trace under each policy and\n"
	  "           compare the vanilla replay with the kernel's own figures" },
	{ "inspect", cmd_inspect, "this machine's 1 GiB regions from /proc/kpageflags (root)" },
	{ "demo", cmd_demo, "fill a zone and churn it, then report fragmentation" },
	{ "policy", cmd_policy, "print a policy preset's parameters" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f,
"usage: %s <command> [options]\n"
"       %s help <command>\n"
"\n"
"A user-space model of the Linux buddy page allocator.\n"
"\n"
"commands:\n", CLI_PROG, CLI_PROG);
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
"  help     show this help, or a command's ('%s help sim')\n"
"\n"
"Every command takes --opt value or --opt=value, -h/--help, and '--' to\n"
"end the options. '%s <command> --help' describes a command's options.\n"
"\n" ARGS_EXIT_HELP, CLI_PROG, CLI_PROG);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* gigalloc help [CMD]: the command's own --help. */
static int cmd_help(int argc, char **argv)
{
	static char help_arg[] = "--help";
	char *args[] = { help_arg, NULL };
	const struct command *c;

	if (!argc || !strcmp(argv[0], "help") || !strcmp(argv[0], "--help") ||
	    !strcmp(argv[0], "-h"))
		return cli_help(usage);
	if (argc > 1)
		cli_usage_error("help", "one command at a time ('%s' and '%s')",
				argv[0], argv[1]);
	c = find_command(argv[0]);
	if (!c)
		cli_usage_error("help", "unknown command '%s'", argv[0]);
	return c->run(1, args);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	const struct command *c;

	atexit(cli_close_stdout);
	if (!cmd) {
		usage(stderr);
		return ARGS_EXIT_USAGE;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
		return cmd_help(argc - 2, argv + 2);
	c = find_command(cmd);
	if (c)
		return c->run(argc - 2, argv + 2);
	if (cmd[0] == '-')
		cli_usage_error(NULL, "unknown option '%s'", cmd);
	cli_usage_error(NULL, "unknown command '%s'", cmd);
}
