/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * What the subcommands in cli/ share: messages in one format, the option
 * loop on top of the shared parser (sim/args.h), policy loading with --set,
 * and help output. Exit codes: ARGS_EXIT_OK 0, ARGS_EXIT_FAIL 1 (runtime
 * failure, including an output that could not be written), ARGS_EXIT_USAGE
 * 2 (usage error).
 */
#ifndef GA_CLI_CLI_H
#define GA_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "args.h"
#include "gigalloc.h"

#define CLI_PROG "gigalloc"

/* "gigalloc CMD: <message>\nTry 'gigalloc CMD --help'." and exit 2. */
void cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* "gigalloc: <message>" and exit 1. */
void cli_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * args_next() for a command that takes no operands: an error or a stray
 * word is a usage error (exit 2). Returns the option index or ARGS_END.
 */
int cli_next_opt(struct args *a, const char *cmd, const struct args_opt *opts,
		 size_t nr);

/* Preset `name` with every --set applied; usage errors exit 2. */
void cli_load_preset(const char *cmd, struct ga_policy *policy, const char *name);
void cli_apply_set(const char *cmd, struct ga_policy *policy, const char *assignment);

/* Print a command's help to stdout; returns the exit code (0). A write
 * error on stdout is caught when the process exits (cli_close_stdout). */
int cli_help(void (*usage)(FILE *f));

/* Registered with atexit() by main: flush and close stdout, and turn a
 * write error (a full disk, /dev/full, a closed pipe) into exit status 1. */
void cli_close_stdout(void);

double cli_now(void);

#endif /* GA_CLI_CLI_H */
