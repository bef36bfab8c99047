// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The gigalloc command's conventions, checked on the built binary
 * (GA_CLI_BIN): -h/--help in every subcommand and help winning over other
 * errors, --opt=value and --opt value alike, "--" ending the options, one
 * size grammar, exit codes 0/1/2 documented in every --help, and write
 * errors on stdout (/dev/full) turned into exit status 1.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "options.h"
#include "jsonread.h"
#include "profile.h"

#ifndef GA_CLI_BIN
#error "GA_CLI_BIN: the path of the gigalloc binary under test"
#endif

static const char *const commands[] = { "sim", "replay", "inspect", "demo", "policy",
					"compare", "sweep" };
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

/*
 * Every option that takes a value, in every subcommand, as its --help
 * lists it: "--opt=V" and "--opt V" are the same to the parser. A stray
 * flag after it ends the parse with a usage error before any work, so
 * both forms must fail the same way: on the stray flag when V is taken,
 * or with the same complaint about V.
 */
static void test_every_option_both_forms(void)
{
	size_t checked = 0, differ = 0;

	for (size_t i = 0; i < NR_COMMANDS; i++) {
		char args[512], *help, *err, *line, *save = NULL;

		snprintf(args, sizeof(args), "%s --help", commands[i]);
		cli(args, &help, &err);
		free(err);
		for (line = strtok_r(help, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char opt[64], *o1, *e1, *o2, *e2;
			int r1, r2;

			/* "  --name VALUE  text": an option with a value. */
			if (sscanf(line, " %63s", opt) != 1 || strncmp(opt, "--", 2) ||
			    !opt[2] || line[strspn(line, " ") + strlen(opt)] != ' ' ||
			    !isalpha((unsigned char)line[strspn(line, " ") + strlen(opt) + 1]))
				continue;
			opt[strcspn(opt, ",")] = 0;
			snprintf(args, sizeof(args), "%s %s=@x@ --no-such-flag", commands[i], opt);
			r1 = cli(args, &o1, &e1);
			snprintf(args, sizeof(args), "%s %s @x@ --no-such-flag", commands[i], opt);
			r2 = cli(args, &o2, &e2);
			checked++;
			if (r1 != r2 || r1 != 2 || strcmp(e1, e2) || strstr(e1, "=@x@")) {
				differ++;
				diag("%s %s: '=' form exit %d: %.*s; spaced form exit %d: %.*s",
				     commands[i], opt, r1, LINE1(e1), r2, LINE1(e2));
			}
			free(o1);
			free(e1);
			free(o2);
			free(e2);
		}
		free(help);
	}
	ok(checked >= 40 && !differ, "%zu options with a value in 7 subcommands: "
	   "--opt=V and --opt V parse alike (%zu differ)", checked, differ);
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

	is_long(cli("inspect --proc /nonexistent-ga", &a, &err), 2,
		"inspect --proc of a directory that is not there: exit 2, as in replay");
	ok(strstr(err, "--proc: not a directory: /nonexistent-ga") != NULL, "%.*s", LINE1(err));
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
	for (size_t i = 0; i < 3; i++) {
		const char *c = i == 0 ? "sim" : i == 1 ? "demo" : "replay";

		snprintf(args, sizeof(args), "%s --help", c);
		cli(args, &out, &err);
		ok(strstr(out, "SIZE: a number of bytes with an optional K, M, G or T suffix") &&
		   strstr(out, "multiple of 2M"), "%s --help states the one size grammar", c);
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

/* One --set parser (sim_policy_set): the same words from sim, demo, replay. */
static void test_set_grammar(void)
{
	static const char *const sets[][2] = {
		{ "no_such=1", "--set no_such: unknown parameter (-ENOENT); 'gigalloc policy' lists them" },
		{ "spb_steer_movable=maybe", "--set spb_steer_movable: bad value 'maybe', expected on/off (-EINVAL)" },
		{ "=1", "--set '=1': expected name=value" },
	};
	static const char *const cmds[] = { "sim --mem 1G", "demo --mem 64M --ops 0",
					    "replay tests/data/capture-6.1" };
	char args[256], *out, *err;

	for (size_t i = 0; i < 3; i++)
		for (size_t c = 0; c < 3; c++) {
			snprintf(args, sizeof(args), "%s --set %s", cmds[c], sets[i][0]);
			is_long(cli(args, &out, &err), 2, "%s: exit 2", args);
			ok(strstr(err, sets[i][1]) != NULL, "%s: %.*s", args, LINE1(err));
			free(out);
			free(err);
		}
}

static void write_file(const char *name, const char *text)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_write_errors(void)
{
	static const char *const runs[] = {
		"policy >/dev/full",
		"policy --help >/dev/full",
		"help >/dev/full",
		"sim --list-profiles >/dev/full",
		"demo --mem 64M --ops 1000 --checks 0 >/dev/full",
		"sim --mem 256M --duration 1s --policy vanilla --json >/dev/full",
		"replay tests/data/capture-6.1 --policy vanilla --no-gib-test >/dev/full",
		"inspect --proc tests/data/capture-6.1/proc --json >/dev/full",
		"inspect --proc tests/data/capture-6.1/proc --prometheus >/dev/full",
		"--version >/dev/full",
		"version >/dev/full",
		"--help >/dev/full",
		"sweep --count --mem 1G >/dev/full",
		"sweep --plan --mem 1G --policy vanilla --seeds 1-3 >/dev/full",
	};
	char *err, args[1024];

	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		is_long(cli(runs[i], NULL, &err), 1, "%s: exit 1", runs[i]);
		ok(strstr(err, "write error") || strstr(err, "No space left"),
		   "and says why: %.*s", LINE1(err));
		free(err);
	}
	/* Every subcommand's help, and compare's table. */
	for (size_t i = 0; i < NR_COMMANDS; i++) {
		snprintf(args, sizeof(args), "%s --help >/dev/full", commands[i]);
		is_long(cli(args, NULL, &err), 1, "%s: exit 1", args);
		free(err);
	}
	write_file("one.json", "{\"policies\": [{\"name\": \"vanilla\", \"tainted_spbs\": 4}]}");
	snprintf(args, sizeof(args), "compare %s/one.json >/dev/full", tmpdir);
	is_long(cli(args, NULL, &err), 1, "compare FILE >/dev/full: exit 1");
	ok(strstr(err, "write error") != NULL, "and says why: %.*s", LINE1(err));
	free(err);
	snprintf(args, sizeof(args), "compare --json %s/one.json >/dev/full", tmpdir);
	is_long(cli(args, NULL, &err), 1, "compare --json FILE >/dev/full: exit 1");
	free(err);
}

/*
 * Output files are checked before any work: --trace-events into a missing
 * directory fails at once (exit 1), in sim before the run and in replay
 * before the trace is read.
 */
static void test_output_checked_first(void)
{
	char *out, *err;

	is_long(cli("sim --mem 1G --duration 5s --policy vanilla "
		    "--trace-events /nonexistent-ga/ev.txt", &out, &err), 1,
		"sim --trace-events into a missing directory: exit 1");
	ok(strstr(err, "--trace-events: cannot write /nonexistent-ga/ev.txt: No such file") &&
	   !strstr(err, "run failed") && !out[0], "before the run: %.*s", LINE1(err));
	free(out);
	free(err);
	is_long(cli("replay tests/data/capture-6.1 --policy vanilla --no-gib-test "
		    "--trace-events /nonexistent-ga/ev.txt", &out, &err), 1,
		"replay --trace-events into a missing directory: exit 1");
	ok(strstr(err, "--trace-events: cannot write /nonexistent-ga/ev.txt") &&
	   !strstr(err, "mm_page_alloc"), "before the trace is read: %.*s", LINE1(err));
	free(out);
	free(err);
	is_long(cli("sim --mem 1G --duration 5s --policy vanilla --trace-events /tmp",
		    &out, &err), 1, "sim --trace-events naming a directory: exit 1");
	ok(strstr(err, "cannot write /tmp: a directory") != NULL, "%.*s", LINE1(err));
	free(out);
	free(err);
}

/* --version, ga_version(), and the version line of every output. */
static void test_version(void)
{
	char *out, *err, want[64];

	snprintf(want, sizeof(want), "gigalloc %s\n", ga_version());
	ok(!strcmp(ga_version(), GA_VERSION_STRING), "ga_version() = %s", ga_version());
	is_long(cli("--version", &out, &err), 0, "gigalloc --version");
	ok(!strncmp(out, want, strlen(want)) && strstr(out, "git commit: ") &&
	   strstr(out, "host kernel: Linux "), "names version, commit and kernel");
	free(out);
	free(err);
	is_long(cli("sim --mem=256M --duration 1s --policy vanilla --json", &out, &err), 0,
		"sim --json");
	ok(strstr(out, "\"command\": \"gigalloc sim --mem=256M --duration 1s --policy "
		  "vanilla --json\""), "the JSON holds the full command line");
	free(out);
	free(err);
	is_long(cli("sim --mem=256M --duration 1s --policy vanilla", &out, &err), 0, "sim");
	ok(strstr(out, "\nversion: gigalloc ") && strstr(out, "\ncommand: gigalloc sim"),
	   "the table ends with the version and command");
	free(out);
	free(err);
	is_long(cli("inspect --proc tests/data/capture-6.1/proc --json", &out, &err), 0,
		"inspect --proc DIR reads the capture's kpageflags.gz");
	ok(strstr(out, "\"version\": {") && strstr(out, "\"gib_pages_now\""),
	   "inspect JSON has its version: %.*s", LINE1(err));
	free(out);
	free(err);
	is_long(cli("inspect --proc tests/data/capture-6.1/proc --prometheus", &out, &err), 0,
		"inspect --prometheus");
	ok(!strncmp(out, "# gigalloc version: gigalloc ", 29), "a version comment first");
	free(out);
	free(err);
	is_long(cli("replay tests/data/capture-6.1 --policy vanilla --no-gib-test", &out, &err),
		0, "replay");
	ok(strstr(out, "\nversion: gigalloc ") != NULL, "replay's text names its version");
	free(out);
	free(err);
}

/*
 * Every key of sim's object a (recursively; an array's first items stand
 * for all) that b lacks, appended to miss. Sparse maps are skipped.
 */
static void missing_keys(const struct jv *a, const struct jv *b, const char *path,
			 char *miss, size_t len)
{
	char sub[256];

	if (a->type == JV_ARR && b->type == JV_ARR && a->n && b->n)
		missing_keys(&a->items[0], &b->items[0], path, miss, len);
	if (a->type != JV_OBJ || b->type != JV_OBJ)
		return;
	for (size_t i = 0; i < a->n; i++) {
		const struct jv *bv = jv_get(b, a->keys[i]);

		snprintf(sub, sizeof(sub), "%s.%s", path, a->keys[i]);
		if (!bv) {
			size_t l = strlen(miss);

			snprintf(miss + l, len - l, " %s", sub);
			continue;
		}
		if (strcmp(a->keys[i], "regions_blocked_by"))
			missing_keys(&a->items[i], bv, sub, miss, len);
	}
}

/* replay --json writes each policy with the sim's keys (issue 14 item 9). */
static void test_replay_json_keys(void)
{
	static const char *const replay_only[] = { "replay", "shadow", "probe", "node" };
	char *so, *se, *ro, *re, err[256], miss[4096] = "", extra[4096] = "";
	struct jv sj = { 0 }, rj = { 0 };
	const struct jv *sp, *rp;

	is_long(cli("sim --mem=1G --duration 1s --policy spb --json", &so, &se), 0,
		"sim --json (1 GiB, spb)");
	is_long(cli("replay tests/data/capture-6.1 --policy spb --json", &ro, &re), 0,
		"replay --json (spb)");
	ok(!jv_parse(so, &sj, err, sizeof(err)) && !jv_parse(ro, &rj, err, sizeof(err)),
	   "both parse");
	sp = jv_get(&sj, "policies");
	rp = jv_get(&rj, "policies");
	if (!ok(sp && rp && sp->n == 1 && rp->n == 1, "one policy each"))
		goto out;
	missing_keys(&sp->items[0], &rp->items[0], "", miss, sizeof(miss));
	ok(!miss[0], "replay's policy has every key of the sim's:%s", miss);
	for (size_t i = 0; i < rp->items[0].n; i++) {
		const char *k = rp->items[0].keys[i];
		bool ours = false;

		for (size_t n = 0; n < sizeof(replay_only) / sizeof(replay_only[0]); n++)
			ours |= !strcmp(k, replay_only[n]);
		if (!ours && !jv_get(&sp->items[0], k)) {
			size_t l = strlen(extra);

			snprintf(extra + l, sizeof(extra) - l, " %s", k);
		}
	}
	ok(!extra[0], "and no key of its own outside replay/shadow/probe/node:%s", extra);
	ok(jv_get(&rp->items[0], "gib_test") &&
	   jv_get(&rp->items[0], "gib_test")->type == JV_OBJ &&
	   jv_get(&rp->items[0], "tainted_ratio") &&
	   jv_get(&rp->items[0], "unusable_index")->type == JV_OBJ,
	   "the 1 GiB test, tainted_ratio and the unusable index are there");
out:
	jv_free(&sj);
	jv_free(&rj);
	free(so);
	free(se);
	free(ro);
	free(re);
}

/* compare: side by side, delta and ratio against the baseline. */
static void test_compare(void)
{
	char args[1024], *out, *err;

	write_file("A.json", "{\"gigalloc_sim_format\": 1, \"inputs\": {\"seed\": 1},\n"
		   "\"policies\": [{\"name\": \"vanilla\", \"tainted_spbs\": 40, "
		   "\"gib_pages_obtained\": 23},\n{\"name\": \"spb\", \"tainted_spbs\": 4, "
		   "\"gib_pages_obtained\": 32}]}\n");
	/* A multi-seed output: figures as {"mean": ...}. */
	write_file("B.json", "{\"policies\": [{\"name\": \"vanilla\", \"tainted_spbs\": "
		   "{\"mean\": 30, \"stddev\": 2}, \"gib_pages_obtained\": {\"mean\": 46}}]}");
	/* gigalloc sim --seeds's format: figures under "figures". */
	write_file("C.json", "{\"policies\": [{\"name\": \"vanilla\", \"figures\": "
		   "{\"tainted_spbs\": {\"n\": 2, \"mean\": 20, \"sd\": 1}}}]}");
	write_file("bad.json", "{\"policies\": [1, }");
	snprintf(args, sizeof(args), "compare %s/A.json %s/B.json", tmpdir, tmpdir);
	is_long(cli(args, &out, &err), 0, "compare A.json B.json");
	ok(strstr(out, "[0] A:vanilla") && strstr(out, "[1] B:vanilla") && strstr(out, "[2] A:spb"),
	   "columns grouped by policy: A:vanilla, B:vanilla, A:spb");
	ok(strstr(out, "-10") && strstr(out, "0.750x") && strstr(out, "+23") &&
	   strstr(out, "2.000x"), "B's vanilla against A's: tainted -10 (0.750x), "
	   "1 GiB pages +23 (2.000x)");
	ok(strstr(out, "-36") && strstr(out, "0.100x"), "A's spb against A's vanilla: -36, 0.100x");
	ok(strstr(out, "[1] B:vanilla: 1 run; against [0]") &&
	   strstr(out, "[2] A:spb: 1 run; against [0]") && !strstr(out, "[0] A:vanilla: 1 run;"),
	   "each column says which column its delta is against");
	free(out);
	free(err);
	write_file("C2.json", "{\"policies\": [{\"name\": \"spb\", \"tainted_spbs\": 2}]}");
	snprintf(args, sizeof(args), "compare %s/A.json %s/C2.json", tmpdir, tmpdir);
	is_long(cli(args, &out, &err), 0, "compare A.json C2.json");
	ok(strstr(out, "[2] C2:spb: 1 run; against [1]") && strstr(out, "0.500x"),
	   "a policy's later column against its first: [2] against [1], tainted 0.500x");
	free(out);
	free(err);
	snprintf(args, sizeof(args), "compare %s/A.json %s/no-such.json", tmpdir, tmpdir);
	is_long(cli(args, &out, &err), 2, "an input that is not there: exit 2, as in replay");
	ok(strstr(err, "no-such.json: No such file") != NULL, "%.*s", LINE1(err));
	free(out);
	free(err);
	snprintf(args, sizeof(args), "compare %s/A.json %s/C.json", tmpdir, tmpdir);
	is_long(cli(args, &out, &err), 0, "compare with a --seeds output");
	ok(strstr(out, "[1] C:vanilla") && strstr(out, "-20") && strstr(out, "0.500x"),
	   "its figures' means are compared: tainted -20, 0.500x");
	free(out);
	free(err);
	snprintf(args, sizeof(args), "compare %s/A.json %s/bad.json", tmpdir, tmpdir);
	is_long(cli(args, &out, &err), 2, "a file that is not JSON: exit 2");
	ok(strstr(err, "bad.json: not JSON: line 1") != NULL, "says where: %.*s", LINE1(err));
	free(out);
	free(err);
	is_long(cli("compare", &out, &err), 2, "compare without inputs: exit 2");
	free(out);
	free(err);
}

static bool timing_key(const char *k)
{
	return !strcmp(k, "events_per_sec") || !strcmp(k, "peak_rss_bytes") ||
	       strstr(k, "seconds") || strstr(k, "wall");
}

static struct jv *parse_text(const char *text)
{
	static struct jv v[16];
	static int used;
	char err[256];

	if (used == 16 || !text || jv_parse(text, &v[used], err, sizeof(err))) {
		diag("JSON: %s", text ? err : "no text");
		return NULL;
	}
	return &v[used++];
}

/*
 * sweep --plan through GNU parallel, then compare DIR: the aggregate of
 * each policy's two seeds equals the mean of the same runs made one by one
 * with gigalloc sim; --index N makes the plan's run N.
 */
static void test_sweep(void)
{
	static const char *const pols[] = { "vanilla", "spb" };
	const char *grid = "--mem 256M --duration 2s --policy vanilla,spb --seeds 1-2";
	char args[1024], cmd[2048], *out, *err, *plan;
	const struct jv *cols;
	struct jv *agg;
	size_t lines = 0;

	snprintf(args, sizeof(args), "sweep --plan %s --out %s/res", grid, tmpdir);
	is_long(cli(args, &plan, &err), 0, "sweep --plan");
	for (char *p = plan; (p = strchr(p, '\n')); p++)
		lines++;
	ok(lines == 4 && strstr(plan, " sim --profile mixed --mem 256M --policy spb --seed 2 ") &&
	   strstr(plan, "/res/mixed-256M-vanilla-s000001.json\n"),
	   "4 runs (2 policies x 2 seeds), one self-contained command each");
	free(err);
	is_long(cli("sweep --count --mem 1G,2G --policy vanilla,spb --seeds 1-10", &out, &err),
		0, "sweep --count");
	ok(atoi(out) == 40, "2 sizes x 2 policies x 10 seeds = %d runs", atoi(out));
	free(out);
	free(err);

	/* --seeds in sim's grammar: ranges and lists. */
	is_long(cli("sweep --count --mem 1G --policy vanilla --seeds 1-3,7,9", &out, &err),
		0, "sweep --count --seeds 1-3,7,9");
	ok(atoi(out) == 5, "5 seeds, 5 runs (%d)", atoi(out));
	free(out);
	free(err);
	is_long(cli("sweep --plan --mem 1G --policy vanilla --seeds=4,2", &out, &err), 0,
		"sweep --plan --seeds=4,2");
	ok(strstr(out, " --seed 4 ") && strstr(out, " --seed 2 ") && !strstr(out, " --seed 3 "),
	   "runs seeds 4 and 2 only");
	free(out);
	free(err);
	is_long(cli("sweep --count --seeds 1,1", &out, &err), 2, "a seed given twice: exit 2");
	ok(strstr(err, "--seeds '1,1': a seed given twice") != NULL, "%.*s", LINE1(err));
	free(out);
	free(err);
	is_long(cli("sweep --count --seeds 1-x", &out, &err), 2, "--seeds 1-x: exit 2");
	ok(strstr(err, "want seeds and ranges separated by commas") != NULL,
	   "sim's message: %.*s", LINE1(err));
	free(out);
	free(err);

	snprintf(cmd, sizeof(cmd), "%s/plan.txt", tmpdir);
	write_file("plan.txt", plan);
	free(plan);
	snprintf(cmd, sizeof(cmd), "parallel -j2 --halt now,fail=1 < %s/plan.txt", tmpdir);
	is_long(WEXITSTATUS(system(cmd)), 0, "GNU parallel runs the plan");
	snprintf(args, sizeof(args), "compare --json %s/res", tmpdir);
	is_long(cli(args, &out, &err), 0, "compare DIR --json");
	free(err);
	agg = parse_text(out);
	free(out);
	cols = agg ? jv_get(agg, "columns") : NULL;
	if (!ok(cols && cols->n == 2, "one column per policy (the seeds aggregated)"))
		return;
	for (size_t p = 0; p < 2; p++) {
		const struct jv *col = &cols->items[0], *figs, *one[2];
		size_t checked = 0, bad = 0;

		for (size_t c = 0; c < cols->n; c++)
			if (!strcmp(jv_get(&cols->items[c], "policy")->str, pols[p]))
				col = &cols->items[c];
		figs = jv_get(col, "figures");
		for (int sd = 0; sd < 2; sd++) {
			char *o, *e;

			snprintf(args, sizeof(args), "sim --mem 256M --duration 2s --policy %s "
				 "--seed %d --json", pols[p], sd + 1);
			cli(args, &o, &e);
			one[sd] = parse_text(o);
			free(o);
			free(e);
			one[sd] = one[sd] ? jv_get(one[sd], "policies") : NULL;
			one[sd] = one[sd] && one[sd]->n ? &one[sd]->items[0] : NULL;
		}
		ok(jv_get(col, "runs")->num == 2 && one[0] && one[1] && figs,
		   "%s: 2 runs aggregated, 2 made alone", pols[p]);
		if (!one[0] || !one[1] || !figs)
			continue;
		for (size_t k = 0; k < one[0]->n; k++) {
			const struct jv *a = &one[0]->items[k], *b, *f;
			double want;

			if (a->type != JV_NUM || timing_key(one[0]->keys[k]))
				continue;
			b = jv_get(one[1], one[0]->keys[k]);
			f = jv_get(jv_get(figs, one[0]->keys[k]), "mean");
			want = (a->num + b->num) / 2;
			checked++;
			if (!f || fabs(f->num - want) > 1e-9 * (fabs(want) + 1)) {
				bad++;
				diag("%s %s: aggregate %g, single runs %g and %g", pols[p],
				     one[0]->keys[k], f ? f->num : -1, a->num, b->num);
			}
		}
		ok(checked > 20 && !bad, "%s: all %zu figures of the aggregate are the mean of "
		   "the single runs", pols[p], checked);
	}

	/* --index: the Slurm path makes the same file as the plan's command. */
	snprintf(args, sizeof(args), "sweep --index 3 %s --out %s/idx", grid, tmpdir);
	is_long(cli(args, &out, &err), 0, "sweep --index 3");
	ok(strstr(err, "run 3 of 4 -> ") && strstr(err, "/idx/mixed-256M-spb-s000002.json"),
	   "runs the plan's 4th run: %.*s", LINE1(err));
	free(out);
	free(err);
	snprintf(args, sizeof(args), "%s/idx/mixed-256M-spb-s000002.json", tmpdir);
	out = sim_read_file(args, NULL);
	ok(out && strstr(out, "\"seed\": 2") && strstr(out, "\"name\": \"spb\""),
	   "its JSON is the spb run of seed 2");
	free(out);
}

int main(void)
{
	char cmd[600];

	if (!mkdtemp(tmpdir))
		return 1;
	test_help_everywhere();
	test_option_forms();
	test_every_option_both_forms();
	test_size_grammar();
	test_set_grammar();
	test_write_errors();
	test_output_checked_first();
	test_version();
	test_replay_json_keys();
	test_compare();
	test_sweep();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		diag("could not remove %s", tmpdir);
	return done_testing();
}
