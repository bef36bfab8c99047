// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Helpers every subcommand in cli/ uses (see cli.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "options.h"

void cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s%s%s: ", CLI_PROG, cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s%s%s --help'.\n", CLI_PROG, cmd ? " " : "",
		cmd ? cmd : "");
	exit(ARGS_EXIT_USAGE);
}

void cli_fatal(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", CLI_PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(ARGS_EXIT_FAIL);
}

int cli_next_opt(struct args *a, const char *cmd, const struct args_opt *opts,
		 size_t nr)
{
	char err[256];
	int k = args_next(a, opts, nr, err, sizeof(err));

	if (k == ARGS_ERROR)
		cli_usage_error(cmd, "%s", err);
	if (k == ARGS_OPERAND)
		cli_usage_error(cmd, "unexpected argument '%s'", a->value);
	return k;
}

int cli_next_opt_operands(struct args *a, const char *cmd, const struct args_opt *opts,
			  size_t nr)
{
	char err[256];
	int k = args_next(a, opts, nr, err, sizeof(err));

	if (k == ARGS_ERROR)
		cli_usage_error(cmd, "%s", err);
	return k;
}

/* Apply one --set; errors name the parameter and why (sim_policy_set). */
void cli_apply_set(const char *cmd, struct ga_policy *policy, const char *assignment)
{
	char msg[256];

	if (sim_policy_set(policy, assignment, msg, sizeof(msg)))
		cli_usage_error(cmd, "%s", msg);
}

void cli_load_preset(const char *cmd, struct ga_policy *policy, const char *name)
{
	const char *const *names;

	if (!ga_policy_preset(policy, name))
		return;
	fprintf(stderr, "%s %s: unknown policy '%s'; presets:", CLI_PROG, cmd, name);
	for (names = ga_policy_preset_names(); *names; names++)
		fprintf(stderr, " %s", *names);
	fprintf(stderr, "\nTry '%s %s --help'.\n", CLI_PROG, cmd);
	exit(ARGS_EXIT_USAGE);
}

int cli_help(void (*usage)(FILE *f))
{
	usage(stdout);
	return ARGS_EXIT_OK;
}

void cli_close_stdout(void)
{
	int err = 0, saved = 0;

	if (fflush(stdout)) {
		err = 1;
		saved = errno;
	} else if (ferror(stdout)) {
		err = 1;
		saved = EIO;	/* an earlier write failed */
	}
	if (fclose(stdout) && !err) {
		err = 1;
		saved = errno;
	}
	if (err) {
		fprintf(stderr, "%s: write error on standard output: %s\n", CLI_PROG,
			strerror(saved));
		_exit(ARGS_EXIT_FAIL);
	}
}

double cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
