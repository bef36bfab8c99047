// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Workload profiles: every built-in parses and is byte for byte its file
 * in profiles/; values land where they should; each kind of mistake in a
 * profile is reported as "file:line: what" on the right line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "profile.h"

static struct sim_profile prof;

static void test_builtins_match_files(void)
{
	const char *want[] = { "mixed", "webserver", "build", "slab-heavy", "frag" };
	unsigned int n = 0;

	for (const struct sim_builtin_profile *b = sim_builtin_profiles; b->name; b++) {
		char path[256], err[512] = "";
		char *file;

		snprintf(path, sizeof(path), "profiles/%s.profile", b->name);
		file = sim_read_file(path, NULL);
		ok(file != NULL, "%s exists", path);
		ok(file && !strcmp(file, b->text),
		   "built-in '%s' is identical to %s", b->name, path);
		free(file);
		is_long(sim_profile_parse(&prof, b->text, b->name, err, sizeof(err)), 0,
			"built-in '%s' parses %s", b->name, err);
		ok(!strcmp(prof.name, b->name), "its name is '%s'", prof.name);
		ok(prof.description[0] && prof.nr_consumers > 0 && prof.duration > 0,
		   "'%s' has a description, consumers and a duration", b->name);
		n++;
	}
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ok(sim_profile_builtin_text(want[i]) != NULL, "profile '%s' is built in",
		   want[i]);
	is_long(n, sizeof(want) / sizeof(want[0]), "no other built-in profiles");
}

static const struct sim_consumer_spec *consumer(const char *name)
{
	for (unsigned int i = 0; i < prof.nr_consumers; i++)
		if (!strcmp(prof.consumers[i].name, name))
			return &prof.consumers[i];
	return NULL;
}

/* What the mixed profile says, read back from the parse. */
static void test_values(void)
{
	const struct sim_consumer_spec *c;
	char err[512] = "";

	sim_profile_load(&prof, "mixed", err, sizeof(err));
	ok(!strcmp(prof.description,
		   "Churn of every consumer over memory kept full (the RFC's syzkaller + filler run)"),
	   "the description is the whole rest of its line");
	c = consumer("anon");
	ok(c && c->gfp == GA_GFP_HIGHUSER_MOVABLE && fabs(c->thp - 0.5) < 1e-12 &&
	   fabs(c->size_start - 0.40) < 1e-12 && fabs(c->fill - 0.04) < 1e-12,
	   "anon: movable, thp 50%%, size 40%%, fill 4%%/s");
	ok(c && c->life.nr == 2 && c->life.part[0].kind == SIM_LIFE_EXP &&
	   fabs(c->life.part[0].weight - 0.85) < 1e-12 && c->life.part[0].a == 60 &&
	   c->life.part[1].a == 1200, "anon lifetime: 85%% exp 60s | 15%% exp 1200s");
	c = consumer("pagecache");
	ok(c && c->evictable && fabs(c->dirty - 0.05) < 1e-12 && c->busy == 0 &&
	   c->order_weight[0] == 70 && c->order_weight[4] == 15 &&
	   c->life.part[0].kind == SIM_LIFE_INF, "pagecache: evictable, dirty 5%%, folio orders, inf");
	c = consumer("netbuf");
	ok(c && c->gfp == GA_GFP_ATOMIC && c->life.part[0].kind == SIM_LIFE_EXP &&
	   fabs(c->life.part[0].a - 0.2) < 1e-12, "netbuf: atomic, exp 200ms");
	c = consumer("kstacks");
	ok(c && c->order_weight[2] == 1 && c->order_weight[0] == 0,
	   "kernel stacks are order 2");
	sim_profile_load(&prof, "slab-heavy", err, sizeof(err));
	c = consumer("btrfs-slab");
	ok(c && fabs(c->size_start - 0.007) < 1e-12 && fabs(c->size_end - 0.05) < 1e-12 &&
	   c->gfp == GA_GFP_KERNEL_RECLAIMABLE, "slab-heavy ramps reclaimable slab 0.7%% -> 5%%");
	sim_profile_load(&prof, "frag", err, sizeof(err));
	ok(prof.nr_actions == 1 && prof.actions[0].kind == SIM_ACT_FREE_PATTERN &&
	   prof.actions[0].keep == 1 && prof.actions[0].of == 4 && prof.actions[0].at == 2,
	   "frag frees 3 of every 4 pages at 2s");
}

/* One bad profile: the error names file:line and says what is wrong. */
static void bad(const char *text, unsigned int line, const char *needle)
{
	char err[512] = "", prefix[64];
	int rc = sim_profile_parse(&prof, text, "bad.profile", err, sizeof(err));

	snprintf(prefix, sizeof(prefix), "bad.profile:%u: ", line);
	ok(rc == -EINVAL && !strncmp(err, prefix, strlen(prefix)) && strstr(err, needle),
	   "error at line %u mentions '%s': %s", line, needle, err);
}

#define HEAD "name t\n"
#define C(body) "consumer c\n\tgfp movable\n\tsize 10%\n" body "end\n"

static void test_bad_profiles(void)
{
	bad(HEAD "colour blue\n" C(""), 2, "unknown keyword 'colour'");
	bad(HEAD C("\tspeed 3\n"), 5, "unknown consumer key 'speed'");
	bad(HEAD "consumer c\n\tgfp movable\n\tsize 10%\n", 2, "not closed by 'end'");
	bad(HEAD "end\n", 2, "'end' without 'consumer'");
	bad(HEAD C("\tsize 150%\n"), 5, "above 100%");
	bad(HEAD C("\tsize lots\n"), 5, "bad size 'lots'");
	bad(HEAD C("\tlifetime exp soon\n"), 5, "bad time 'soon'");
	bad(HEAD C("\tlifetime 80% inf | 30% exp 5s\n"), 5, "above 100%");
	bad(HEAD C("\tlifetime forever\n"), 5, "unknown lifetime kind");
	bad(HEAD C("\tlifetime uniform 5s\n"), 5, "takes 2 time values");
	bad(HEAD C("\torders 11:1\n"), 5, "order 11 above 10");
	bad(HEAD C("\torders 0:0\n"), 5, "all zero");
	bad(HEAD C("\tfill 2%\n"), 5, "want SHARE/s");
	bad(HEAD "consumer c\n\tgfp sticky\n\tsize 1%\nend\n", 3, "unknown gfp 'sticky'");
	bad(HEAD "consumer c\n\tgfp movable|__reclaimable\n\tsize 1%\nend\n", 3,
	    "movable and reclaimable");
	bad(HEAD "consumer c\n\tgfp kernel\n\tthp 10%\n\tsize 1%\nend\n", 6,
	    "thp needs a movable gfp");
	bad(HEAD "consumer c\n\tgfp movable\nend\n", 4, "has no 'size'");
	bad(HEAD "consumer c\n\tsize 1%\nend\n", 4, "has no 'gfp'");
	bad(HEAD C("") C(""), 6, "defined twice");
	bad(HEAD C("") "at 5s free-pattern d keep 1/4\n", 6, "unknown consumer 'd'");
	bad(HEAD C("") "at 5s free-pattern c keep 4/4\n", 6, "N < M");
	bad(HEAD C("") "at 9s free c 10%\nat 5s free c 10%\n", 7, "time order");
	bad(HEAD C("") "at 5s explode c\n", 6, "unknown action 'explode'");
	bad(HEAD C("") "at 5s free\n", 6, "needs a consumer");
	bad(HEAD "duration forever\n" C(""), 2, "bad duration");
	bad("name Bad!\n" C(""), 1, "bad profile name");
	bad(HEAD, 2, "no consumers");
	bad(C(""), 5, "no 'name'");
	/* Unevictable consumers that cannot fit: refused before any run. */
	bad(HEAD "consumer a\n\tgfp kernel\n\tsize 60%\nend\n"
	    "consumer b\n\tgfp movable\n\tsize 50%\nend\n", 2,
	    "need 110% of memory at 0s (a 60%, b 50%)");
	ok(!sim_profile_parse(&prof, HEAD "consumer a\n\tgfp kernel\n\tsize 60%\nend\n"
			      "consumer b\n\tgfp movable\n\tsize 50%\n\tevict on\nend\n",
			      "ok.profile", NULL, 0), "the same with b evictable fits");
	ok(!sim_profile_parse(&prof, HEAD "consumer a\n\tgfp kernel\n\tsize 60%\n"
			      "\tstop 10s\nend\nconsumer b\n\tgfp kernel\n\tsize 50%\n"
			      "\tstart 10s\nend\n", "ok.profile", NULL, 0),
	   "and with windows that do not overlap");
}

static void test_load_errors(void)
{
	char path[] = "/tmp/gigalloc_test_profile_XXXXXX";
	char err[512] = "", prefix[96];
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	ok(f != NULL, "temporary profile file");
	if (!f)
		return;
	fputs("name x\n\nconsumer a\n\tgfp movable\n\tsize 10%\n\tlifetime exp -3s\nend\n", f);
	fclose(f);
	snprintf(prefix, sizeof(prefix), "%s:6: ", path);
	ok(sim_profile_load(&prof, path, err, sizeof(err)) == -EINVAL &&
	   !strncmp(err, prefix, strlen(prefix)), "a bad file is reported as path:line: %s", err);
	unlink(path);
	ok(sim_profile_load(&prof, path, err, sizeof(err)) == -EIO && strstr(err, path) &&
	   strstr(err, "mixed"), "a missing file is named, with the built-ins: %s", err);
	ok(sim_profile_load(&prof, "no-such-profile", err, sizeof(err)) == -ENOENT &&
	   strstr(err, "unknown profile") && strstr(err, "frag"),
	   "an unknown name lists the built-ins: %s", err);
}

static void test_values_parsers(void)
{
	double s = -1, t = -1;

	ok(!sim_parse_duration("600s", &s, &t) && s == 600 && t == 0, "600s");
	ok(!sim_parse_duration("3x", &s, &t) && s == 0 && t == 3, "3x");
	ok(!sim_parse_duration("10m,2.5x", &s, &t) && s == 600 && t == 2.5, "10m,2.5x");
	ok(sim_parse_duration("3x,4x", &s, &t) == -EINVAL, "two turnover limits refused");
	ok(sim_parse_duration("0s", &s, &t) == -EINVAL, "zero duration refused");
	ok(sim_parse_duration("-5s", &s, &t) == -EINVAL, "negative duration refused");
	ok(!sim_parse_time("250ms", &s) && fabs(s - 0.25) < 1e-12, "250ms");
	ok(!sim_parse_time("2h", &s) && s == 7200, "2h");
	ok(sim_parse_time("5 s", &s) == -EINVAL, "a blank inside a time is refused");
	ok(!sim_parse_share("35%", &s) && fabs(s - 0.35) < 1e-12, "35%%");
	ok(!sim_parse_share("0.5", &s) && s == 0.5, "0.5");
	ok(sim_parse_share("101%", &s) == -ERANGE, "101%% is out of range");
}

int main(void)
{
	test_builtins_match_files();
	test_values();
	test_bad_profiles();
	test_load_errors();
	test_values_parsers();
	return done_testing();
}
