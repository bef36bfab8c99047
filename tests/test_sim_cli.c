// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * `gigalloc sim` options and outputs: every bad flag is refused with exit
 * code 2 and a message naming the flag and the reason (--set errors name
 * the parameter and -ENOENT/-EINVAL/-ERANGE); a bad profile file is an
 * input error reported as file:line; the table, JSON, CSV and HTML report
 * carry what scripts depend on.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "harness.h"
#include "options.h"
#include "profile.h"

#define MAX_ARGS 32

static int split(char *buf, char **argv)
{
	int argc = 0;
	char *save = NULL;

	for (char *t = strtok_r(buf, " ", &save); t && argc < MAX_ARGS;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	return argc;
}

/* Parse args; expect a usage error whose message contains every needle. */
static void refused(const char *args, const char *needle1, const char *needle2)
{
	char buf[512], msg[512] = "", *argv[MAX_ARGS];
	struct sim_opts o;
	int rc;

	snprintf(buf, sizeof(buf), "%s", args);
	sim_opts_default(&o);
	rc = sim_opts_parse(&o, split(buf, argv), argv, msg, sizeof(msg));
	ok(rc == SIM_EXIT_USAGE && strstr(msg, needle1) && (!needle2 || strstr(msg, needle2)),
	   "'%s' refused: %s", args, msg);
}

static void test_bad_flags(void)
{
	refused("--frobnicate", "unknown option '--frobnicate'", NULL);
	refused("--mem", "option '--mem' needs a value", NULL);
	refused("--mem=", "needs a non-empty value", NULL);
	refused("--mem lots", "--mem 'lots'", "not a size");
	refused("--mem 16M", "--mem '16M'", "out of range");
	refused("--mem 1025M", "--mem '1025M'", "multiple of 2M");
	refused("--mem 99999999999999999999", "--mem", "too large");
	refused("--cpus 0", "--cpus '0'", "out of range");
	refused("--cpus two", "--cpus 'two'", "not a number");
	refused("--duration soon", "--duration 'soon'", "turnovers");
	refused("--duration 0s", "--duration '0s'", NULL);
	refused("--seed -1", "--seed '-1'", NULL);
	refused("--policy nosuch", "unknown policy 'nosuch'", "vanilla");
	refused("--policy vanilla,vanilla", "'vanilla' given twice", NULL);
	refused("--set nosuch=1", "--set nosuch", "-ENOENT");
	refused("--set pcp=maybe", "--set pcp", "-EINVAL");
	refused("--set watermark_scale_factor=0", "--set watermark_scale_factor",
		"-ERANGE");
	refused("--set watermark_scale_factor=99999", "out of range 1..3000", "-ERANGE");
	refused("--set pcp", "--set 'pcp'", "name=value");
	refused("--json=yes", "option '--json' takes no value", NULL);
	refused("--samples 1", "--samples '1'", NULL);
	refused("--jobs 0", "--jobs '0'", NULL);
	refused("--gib-test-every 0s", "--gib-test-every", NULL);
	refused("mixed", "unexpected argument 'mixed'", NULL);
}

static void test_good_flags(void)
{
	char buf[512], msg[512] = "", *argv[MAX_ARGS];
	struct sim_opts o;

	snprintf(buf, sizeof(buf), "--mem=256G --cpus 64 --profile build --duration 600s,3x "
		 "--seed 99 --policy vanilla --set pcp=off --set reclaim_batch=64 --json "
		 "--csv out.csv --report /tmp/r --gib-test-every 60s --samples 20 --jobs 1");
	sim_opts_default(&o);
	is_long(sim_opts_parse(&o, split(buf, argv), argv, msg, sizeof(msg)), 0,
		"every flag at once parses %s", msg);
	ok(o.mem_bytes == 256ull << 30 && o.cpus == 64 && !strcmp(o.profile, "build") &&
	   o.duration == 600 && o.turnovers == 3 && o.seed == 99 && o.nr_policies == 1 &&
	   o.nr_sets == 2 && o.json && o.gib_test_every == 60 && o.samples == 20 &&
	   o.jobs == 1, "and lands in the options");
	sim_opts_default(&o);
	ok(o.mem_bytes == 64ull << 30 && !strcmp(o.profile, "mixed") && o.seed == 1 &&
	   !o.nr_policies, "defaults: 64G, mixed, seed 1, every preset");
}

/* Run sim_main on args; stdout and stderr into strings. */
static int run(const char *args, char **out, char **err)
{
	char buf[512], msg[512] = "", *argv[MAX_ARGS];
	size_t lo = 0, le = 0;
	struct sim_opts o;
	FILE *fo = open_memstream(out, &lo), *fe = open_memstream(err, &le);
	int rc;

	snprintf(buf, sizeof(buf), "%s --no-progress", args);
	sim_opts_default(&o);
	rc = sim_opts_parse(&o, split(buf, argv), argv, msg, sizeof(msg));
	if (!rc)
		rc = sim_main(&o, fo, fe);
	else
		fputs(msg, fe);
	fclose(fo);
	fclose(fe);
	(*err)[strcspn(*err, "\n")] = 0;	/* one line, for the TAP description */
	return rc;
}

static void test_bad_profile_file(void)
{
	char path[] = "/tmp/gigalloc_sim_cli_XXXXXX", args[128];
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	char *out, *err, want[96];

	if (!ok(f != NULL, "temporary profile"))
		return;
	fputs("name oops\nconsumer a\n\tgfp movable\n\tsize 10%\n\tfill fast\nend\n", f);
	fclose(f);
	snprintf(args, sizeof(args), "--mem 512M --profile %s", path);
	snprintf(want, sizeof(want), "%s:5: ", path);
	is_long(run(args, &out, &err), SIM_EXIT_USAGE, "a bad profile file: exit 2");
	ok(strstr(err, want) && strstr(err, "bad fill 'fast'"), "reported as %s...: %s",
	   want, err);
	ok(!out[0], "nothing on stdout");
	free(out);
	free(err);
	unlink(path);
	is_long(run("--profile nosuch", &out, &err), SIM_EXIT_USAGE,
		"an unknown profile: exit 2");
	ok(strstr(err, "unknown profile 'nosuch'") && strstr(err, "webserver"),
	   "names it and lists the built-ins: %s", err);
	free(out);
	free(err);
}

static void test_list_and_show(void)
{
	char *out, *err;

	is_long(run("--list-profiles", &out, &err), 0, "--list-profiles");
	ok(strstr(out, "mixed") && strstr(out, "webserver") && strstr(out, "build") &&
	   strstr(out, "slab-heavy") && strstr(out, "frag"), "lists all five");
	free(out);
	free(err);
	is_long(run("--show-profile frag", &out, &err), 0, "--show-profile frag");
	ok(strstr(out, "free-pattern filler keep 1/4") != NULL, "prints its text");
	free(out);
	free(err);
}

static bool is_png(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char sig[8] = { 0 };
	bool png = f && fread(sig, 1, 8, f) == 8 &&
		   !memcmp(sig, "\x89PNG\r\n\x1a\n", 8);

	if (f)
		fclose(f);
	return png;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* base64 text up to the closing quote into bytes; its length. */
static size_t unbase64(const char *s, unsigned char *out, size_t cap)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned int v = 0, bits = 0;
	size_t n = 0;

	for (; *s && *s != '"' && *s != '='; s++) {
		const char *p = strchr(b64, *s);

		if (!p)
			return 0;
		v = v << 6 | (unsigned int)(p - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n < cap)
				out[n] = (unsigned char)(v >> bits);
			n++;
		}
	}
	return n;
}

/*
 * index.html is self-contained: every image is a data: URI whose bytes are
 * exactly the PNG file written beside it (which its title names).
 */
static void check_embedded(const char *html, const char *dir)
{
	size_t imgs = 0, same = 0;

	for (const char *p = html; html && (p = strstr(p, "<img src=\"data:image/png;base64,"));
	     p++) {
		const char *t = strstr(p, "title=\"");
		char file[128], path[700];
		unsigned char *buf = malloc(4 << 20), *png;
		size_t n = unbase64(p + 32, buf, 4 << 20), len = 0;
		FILE *f;

		imgs++;
		if (!t || sscanf(t + 7, "%127[^\"]", file) != 1 || !buf) {
			free(buf);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		f = fopen(path, "rb");
		png = malloc(4 << 20);
		if (f && png)
			len = fread(png, 1, 4 << 20, f);
		if (f)
			fclose(f);
		same += n == len && n > 8 && !memcmp(buf, png, n) &&
			!memcmp(buf, "\x89PNG\r\n\x1a\n", 8);
		free(png);
		free(buf);
	}
	ok(imgs >= 4 + 2 * 3 && same == imgs && !strstr(html, "<img src=\"map_"),
	   "index.html embeds all %zu images; %zu decode to their PNG file", imgs, same);
}

/* The outputs of one small run: table, JSON keys, CSV, HTML with PNGs. */
static void test_outputs(void)
{
	static const char *const keys[] = {
		"\"name\"", "\"tainted_spbs\"", "\"ideal_tainted_spbs\"", "\"clean_spbs\"",
		"\"empty_spbs\"", "\"total_spbs\"", "\"gib_pages_obtained\"",
		"\"pages_migrated\"", "\"mixed_pageblocks\"", "\"pageblocks_with_unmovable\"",
		"\"fallbacks\"", "\"spb_visits_median\": null", "\"spb_visits_p99\": null",
		"\"sim_events\"", "\"events_per_sec\"", "\"peak_rss_bytes\"",
		"\"mem_bytes\": 536870912", "\"cpus\": 2", "\"profile\": \"mixed\"",
		"\"duration_seconds\": 5", "\"seed\": 3",
	};
	char dir[] = "/tmp/gigalloc_sim_report_XXXXXX", args[256], path[300];
	char *out, *err, *csv;
	struct stat st;

	is_long(run("--mem 512M --cpus 2 --duration 5s --seed 3 --policy vanilla", &out, &err),
		0, "a table run");
	ok(strstr(out, "tainted (ideal, ratio)") && strstr(out, "vanilla") &&
	   strstr(out, "obtained by the 1 GiB test"), "prints the comparison table");
	free(out);
	free(err);

	is_long(run("--mem 512M --cpus 2 --duration 5s --seed 3 --json", &out, &err), 0,
		"a JSON run");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ok(strstr(out, keys[i]) != NULL, "JSON has %s", keys[i]);
	ok(out[0] == '{' && out[strlen(out) - 2] == '}', "one JSON object");
	free(out);
	free(err);

	if (!ok(mkdtemp(dir) != NULL, "temporary report directory"))
		return;
	snprintf(args, sizeof(args), "--mem 512M --duration 5s --report %s --csv %s/ts.csv",
		 dir, dir);
	is_long(run(args, &out, &err), 0, "a run with --report and --csv");
	snprintf(path, sizeof(path), "%s/ts.csv", dir);
	csv = sim_read_file(path, NULL);
	ok(csv && !strncmp(csv, "# version: gigalloc ", 20) && strstr(csv, "\n# command: ") &&
	   strstr(csv, "\npolicy,t_seconds,turnovers,tainted_spbs,") &&
	   strstr(csv, "\nvanilla,") && strstr(csv, "resident_pagecache"),
	   "the CSV time series has a header and rows per policy");
	free(csv);
	snprintf(path, sizeof(path), "%s/index.html", dir);
	csv = sim_read_file(path, NULL);
	ok(csv && strstr(csv, "<footer><p>gigalloc ") && strstr(csv, ga_version()),
	   "index.html ends with the version");
	ok(csv && strstr(csv, "title=\"map_vanilla_end.png\"") &&
	   strstr(csv, "title=\"chart_tainted.png\""), "index.html shows maps and charts");
	check_embedded(csv, dir);
	free(csv);
	for (const char *const *p = ga_policy_compare_names(); *p; p++) {
		snprintf(path, sizeof(path), "%s/map_%s_gib.png", dir, *p);
		ok(!stat(path, &st) && st.st_size > 100, "%s written", path);
	}
	snprintf(path, sizeof(path), "%s/chart_gib.png", dir);
	ok(is_png(path), "charts are PNG files");

	free(out);
	free(err);

	/* RFC 40: --trace-events, one ftrace-text file per policy. */
	snprintf(args, sizeof(args), "--mem 512M --duration 5s --policy vanilla,rfc "
		 "--trace-events %s/ev", dir);
	is_long(run(args, &out, &err), 0, "a run with --trace-events");
	free(out);
	free(err);
	snprintf(path, sizeof(path), "%s/ev.rfc", dir);
	csv = sim_read_file(path, NULL);
	ok(csv && !strncmp(csv, "# tracer: nop", 13) &&
	   strstr(csv, "] ..... ") && strstr(csv, ": spb_alloc_walk: order=") &&
	   strstr(csv, " outcome=") && strstr(csv, " visited=") &&
	   strstr(csv, ": spb_pb_taint: pfn=0x"),
	   "ev.rfc holds walk and has-bit events in ftrace form");
	free(csv);
	snprintf(path, sizeof(path), "%s/ev.vanilla", dir);
	csv = sim_read_file(path, NULL);
	ok(csv && !strstr(csv, "spb_alloc_walk"), "vanilla steers nothing: no walk events");
	free(csv);
	remove_dir(dir);
}

/*
 * Outputs are checked before the work: --report makes missing parents, a
 * report directory that cannot be made fails at once (a 10-minute run
 * would otherwise come first), "--csv -" has stdout to itself, and the
 * JSON names its version.
 */
static void test_output_paths(void)
{
	char dir[] = "/tmp/gigalloc_sim_paths_XXXXXX", args[256], path[300];
	char *out, *err;
	struct stat st;

	if (!ok(mkdtemp(dir) != NULL, "temporary directory"))
		return;
	snprintf(args, sizeof(args), "--mem 256M --duration 600s --policy vanilla "
		 "--report /proc/no/such/dir");
	is_long(run(args, &out, &err), SIM_EXIT_FAIL, "--report where nothing can be made: 1");
	ok(strstr(err, "--report: cannot create /proc/no") && !out[0],
	   "refused before the run, nothing on stdout: %s", err);
	free(out);
	free(err);
	snprintf(args, sizeof(args), "--mem 256M --duration 600s --policy vanilla "
		 "--csv /proc/no/such.csv");
	is_long(run(args, &out, &err), SIM_EXIT_FAIL, "--csv that cannot be written: 1");
	ok(strstr(err, "--csv: cannot write /proc/no/such.csv") && !out[0],
	   "refused before the run: %s", err);
	free(out);
	free(err);

	snprintf(args, sizeof(args), "--mem 256M --duration 2s --policy vanilla "
		 "--report %s/a/b --csv -", dir);
	is_long(run(args, &out, &err), 0, "--report into missing parents, --csv -");
	snprintf(path, sizeof(path), "%s/a/b/index.html", dir);
	ok(!stat(path, &st) && st.st_size > 100, "parents made, index.html written");
	ok(!strncmp(out, "# version: gigalloc ", 20) && strstr(out, "\npolicy,t_seconds,") &&
	   !strstr(out, "tainted (ideal"), "--csv -: stdout holds the CSV only");
	free(out);
	free(err);
	is_long(run("--mem 256M --duration 2s --json --csv -", &out, &err), SIM_EXIT_USAGE,
		"--json with --csv -: a usage error");
	ok(strstr(err, "both want standard output") != NULL, "%s", err);
	free(out);
	free(err);

	is_long(run("--mem 256M --duration 2s --policy vanilla --json", &out, &err), 0,
		"JSON run");
	ok(strstr(out, "\"version\": {") && strstr(out, "\"gigalloc\": \"0.1.0\"") &&
	   strstr(out, "\"command\": \"") && strstr(out, "\"date\": \"20") &&
	   strstr(out, "\"host_kernel\": \""), "JSON records the version, command, date, kernel");
	free(out);
	free(err);
	snprintf(args, sizeof(args), "rm -rf %s", dir);
	if (system(args))
		diag("could not remove %s", dir);
}

/* The progress bar names each run's phase and gives an ETA in each. */
static void test_progress_line(void)
{
	struct sim_progress_run r[2] = {
		{ .policy = "vanilla", .permille = 500,
		  .phase = { .id = SIM_PHASE_WORKLOAD } },
		{ .policy = "spb", .permille = 300, .phase = { .id = SIM_PHASE_SETUP } },
	};
	char line[1024];

	sim_progress_format(line, sizeof(line), r, 2, true, 20);
	ok(strstr(line, " 40%") && strstr(line, "vanilla workload 50%") &&
	   strstr(line, "spb setup") && strstr(line, "20 s, workload ETA 30 s"),
	   "workloads: each run's phase, mean progress, ETA by extrapolation: %s", line);

	r[0] = (struct sim_progress_run){ .policy = "vanilla", .permille = 1000,
		.phase = { .id = SIM_PHASE_GIB_TAKE, .done = 12, .total = 64 },
		.in_phase_s = 5 };
	r[1] = (struct sim_progress_run){ .policy = "spb", .permille = 1000,
		.phase = { .id = SIM_PHASE_GIB_PROBE, .done = 16, .total = 64 },
		.in_phase_s = 10 };
	sim_progress_format(line, sizeof(line), r, 2, true, 300);
	ok(strstr(line, "100%") && strstr(line, "vanilla 1 GiB test: 12 taken, then 64 "
					      "regions to probe") &&
	   strstr(line, "spb 1 GiB test: probing region 16/64, ETA 30 s") &&
	   strstr(line, "workloads done, in the 1 GiB test") && !strstr(line, "workload ETA"),
	   "1 GiB test: named, not a stuck 99 %%, with the probe's ETA: %s", line);

	r[1].phase = (struct sim_phase){ .id = SIM_PHASE_DONE };
	sim_progress_format(line, sizeof(line), r, 2, false, 7);
	ok(strstr(line, "2 runs") && !strstr(line, "vanilla") && strstr(line, "in the 1 GiB test"),
	   "many runs (--seeds): counted, not listed: %s", line);
	ok(sim_progress_format(line, 16, r, 2, true, 7) == 15 && strlen(line) == 15,
	   "a short buffer truncates the line");
	r[0].phase = r[1].phase;
	sim_progress_format(line, sizeof(line), r, 2, true, 9);
	ok(strstr(line, "vanilla done  spb done  9 s") && !strstr(line, "1 GiB test") &&
	   !strstr(line, "ETA"), "all done: no phase left to wait for: %s", line);
}

int main(void)
{
	test_progress_line();
	test_output_paths();
	test_bad_flags();
	test_good_flags();
	test_bad_profile_file();
	test_list_and_show();
	test_outputs();
	return done_testing();
}
