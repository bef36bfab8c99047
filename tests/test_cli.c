// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The gigalloc command's conventions, checked on the built binary
 * (GA_CLI_BIN): -h/--help in every subcommand and help winning over other
 * errors, --opt=value and --opt value alike, "--" ending the options, one
 * size grammar, exit codes 0/1/2 documented in every --help, and write
 * errors on stdout (/dev/full) turned into exit status 1.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "options.h"
#include "profile.h"

#ifndef GA_CLI_BIN
#error "GA_CLI_BIN: the path of the gigalloc binary under test"
#endif

static const char *const commands[] = { "sim", "replay", "inspect", "demo", "policy" };
#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The first line of s, for a TAP description (printf "%.*s"). */
#define LINE1(s) (int)strcspn((s), "\n"), (s)

static char tmpdir[] = "/tmp/ga-cli-XXXXXX";

/*
 * Run "gigalloc ARGS" through the shell (so ARGS may redirect); stdout and
 * stderr into *out and *err (NULL: not wanted). Returns the exit status.
 */
static int cli(const char *args, char **out, char **err)
{
	char cmd[2048], o[600], e[600];
	int st;

	snprintf(o, sizeof(o), "%s/out", tmpdir);
	snprintf(e, sizeof(e), "%s/err", tmpdir);
	snprintf(cmd, sizeof(cmd), "%s %s >%s 2>%s", GA_CLI_BIN, args, o, e);
	if (strstr(args, ">"))	/* the caller redirects stdout itself */
		snprintf(cmd, sizeof(cmd), "%s %s 2>%s", GA_CLI_BIN, args, e);
	st = system(cmd);
	if (out) {
		*out = sim_read_file(o, NULL);
		if (!*out)
			*out = strdup("");
	}
	if (err) {
		*err = sim_read_file(e, NULL);
		if (!*err)
			*err = strdup("");
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void test_help_everywhere(void)
{
	for (size_t i = 0; i < NR_COMMANDS; i++) {
		const char *c = commands[i];
		char args[256], want[64], *out, *err, *out2, *err2;

		snprintf(want, sizeof(want), "usage: gigalloc %s", c);
		snprintf(args, sizeof(args), "%s -h", c);
		is_long(cli(args, &out, &err), 0, "%s -h: exit 0", c);
		ok(strstr(out, want) && !err[0], "%s -h prints its usage on stdout", c);
		ok(strstr(out, "exit status: 0 success, 1 runtime failure") &&
		   strstr(out, "2 usage error"), "%s --help documents the exit codes", c);
		snprintf(args, sizeof(args), "%s --no-such-flag --mem=lots --help", c);
		is_long(cli(args, &out2, &err2), 0, "%s: help wins over bad options", c);
		ok(!strcmp(out, out2), "%s: the same help", c);
		free(out2);
		free(err2);
		snprintf(args, sizeof(args), "help %s", c);
		is_long(cli(args, &out2, &err2), 0, "gigalloc help %s: exit 0", c);
		ok(!strcmp(out, out2), "gigalloc help %s = gigalloc %s --help", c, c);
		free(out2);
		free(err2);
		snprintf(args, sizeof(args), "%s --no-such-flag", c);
		is_long(cli(args, &out2, &err2), 2, "%s --no-such-flag: exit 2", c);
		ok(strstr(err2, "unknown option '--no-such-flag'") && strstr(err2, "Try 'gigalloc"),
		   "%s names the option and where help is", c);
		free(out2);
		free(err2);
		free(out);
		free(err);
	}
	{
		char *out, *err;

		is_long(cli("help nosuch", &out, &err), 2, "help of an unknown command: 2");
		ok(strstr(err, "unknown command 'nosuch'") != NULL, "and says so");
		free(out);
		free(err);
		is_long(cli("--help", &out, &err), 0, "gigalloc --help: 0");
		ok(strstr(out, "help <command>") && strstr(out, "exit status"), "top-level help");
		free(out);
		free(err);
	}
}

static void test_option_forms(void)
{
	char *a, *b, *err, args[1024], snap[600];

	is_long(cli("policy --policy=spb", &a, &err), 0, "policy --policy=spb");
	free(err);
	is_long(cli("policy --policy spb", &b, &err), 0, "policy --policy spb");
	free(err);
	ok(!strcmp(a, b) && strstr(a, "policy spb"), "both forms give the same table");
	free(a);
	free(b);

	is_long(cli("policy -- --policy", &a, &err), 2, "'--' ends the options");
	ok(strstr(err, "unexpected argument '--policy'") != NULL,
	   "what follows '--' is an operand: %.*s", LINE1(err));
	free(a);
	free(err);
	is_long(cli("replay -- --no-such-trace", &a, &err), 2,
		"replay -- --TRACE: the operand is a trace name (missing: exit 2)");
	ok(strstr(err, "--no-such-trace") && !strstr(err, "unknown option"),
	   "looked up as a file: %.*s", LINE1(err));
	free(a);
	free(err);

	/* inspect --save=FILE --proc=DIR: the recorded 6.1 guest. */
	snprintf(snap, sizeof(snap), "%s/snap.txt", tmpdir);
	snprintf(args, sizeof(args), "inspect --save=%s --proc=tests/data/capture-6.1/proc "
		 "--json", snap);
	cli(args, &a, &err);
	b = sim_read_file(snap, NULL);
	ok(!strstr(err, "unknown option") && !strstr(err, "unexpected"),
	   "inspect takes --save=FILE and --proc=DIR: %.*s", LINE1(err));
	free(a);
	free(b);
	free(err);
}

static void test_size_grammar(void)
{
	static const char *const bad[] = { "sim", "demo", "replay x" };
	char args[128], *out, *err;

	for (size_t i = 0; i < 3; i++) {
		snprintf(args, sizeof(args), "%s --mem lots", bad[i]);
		is_long(cli(args, &out, &err), 2, "%s --mem lots: exit 2", bad[i]);
		ok(strstr(err, "--mem 'lots': not a size (want e.g. 64G, 512M, 1T)") != NULL,
		   "%s: the one size message: %.*s", bad[i], LINE1(err));
		free(out);
		free(err);
		snprintf(args, sizeof(args), "%s --mem=1025M", bad[i]);
		is_long(cli(args, &out, &err), 2, "%s --mem=1025M: exit 2", bad[i]);
		ok(strstr(err, "not a multiple of 2M") != NULL, "%s: %.*s", bad[i], LINE1(err));
		free(out);
		free(err);
	}
	is_long(cli("demo --mem=64MiB --ops 2000 --checks 1", &out, &err), 0,
		"demo --mem=64MiB runs");
	ok(strstr(out, "gigalloc demo: 64 MiB (16384 pages)") &&
	   strstr(out, "invariants: ok"), "a 64 MiB zone, invariants hold");
	free(out);
	free(err);
	is_long(cli("demo --mem 64m --ops 0 --checks 0", &out, &err), 0, "demo --mem 64m");
	ok(strstr(out, "64 MiB (16384 pages)") != NULL, "lower-case suffix, same size");
	free(out);
	free(err);
}

static void test_write_errors(void)
{
	static const char *const runs[] = {
		"policy >/dev/full",
		"policy --help >/dev/full",
		"help >/dev/full",
		"sim --list-profiles >/dev/full",
		"demo --mem 64M --ops 1000 --checks 0 >/dev/full",
	};
	char *err;

	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		is_long(cli(runs[i], NULL, &err), 1, "%s: exit 1", runs[i]);
		ok(strstr(err, "write error") || strstr(err, "No space left"),
		   "and says why: %.*s", LINE1(err));
		free(err);
	}
}

int main(void)
{
	char cmd[600];

	if (!mkdtemp(tmpdir))
		return 1;
	test_help_everywhere();
	test_option_forms();
	test_size_grammar();
	test_write_errors();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		diag("could not remove %s", tmpdir);
	return done_testing();
}
