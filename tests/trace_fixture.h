/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Fixtures shared by the trace reader and replay tests (test_trace_parse,
 * test_replay_inputs, test_replay_state, test_trace_replay): where the
 * recorded inputs are, one line through the ftrace parser, a trace built
 * event by event in memory and replayed (replay_built_trace), and the
 * replay command run in a child.
 * Header-only: the soak links the test helpers without the trace readers
 * (and a test that never calls replay_cli needs no cmd_replay).
 */
#ifndef GA_TEST_TRACE_FIXTURE_H
#define GA_TEST_TRACE_FIXTURE_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "ftrace.h"
#include "harness.h"
#include "replay.h"
#include "trace.h"

/* tests/data, or $GA_TEST_DATA (the tests may run from another directory). */
static inline const char *data_dir(void)
{
	const char *d = getenv("GA_TEST_DATA");

	return d ? d : "tests/data";
}

/* Parse one NUL-terminated line; lost-event counts are discarded. */
static inline enum ft_line parse(const char *line, struct ft_event *ev, const char **why)
{
	uint64_t lost = 0;

	return ft_parse_line(line, strlen(line), ev, &lost, why);
}

/* A trace built event by event, as ftrace text in memory. */
struct tb {
	char *buf;
	size_t len;
	FILE *f;
	uint64_t ts;
};

static inline void tb_open(struct tb *b)
{
	memset(b, 0, sizeof(*b));
	b->f = open_memstream(&b->buf, &b->len);
	if (!b->f) {
		printf("Bail out! open_memstream\n");
		exit(1);
	}
}

/* Append e, stamped 1 us after the previous event. */
static inline void tb_emit(struct tb *b, struct ft_event *e)
{
	char line[512];

	b->ts += 1000;
	e->ts_ns = b->ts;
	ft_format_event(e, line, sizeof(line));
	fprintf(b->f, "%s\n", line);
}

/*
 * Load the trace built in b (closing it and freeing its text) and replay
 * it under vanilla with the caller's cfg (zone size, CPUs, start state...).
 * 0 or the loader's or replay_run's error, with the reason as a diag line.
 */
static inline int replay_built_trace(struct tb *b, struct replay_config *cfg,
				     struct replay_result *res)
{
	char err[256];
	struct trace t;
	int rc;

	fclose(b->f);
	rc = trace_load_mem(&t, b->buf, b->len, false, err, sizeof(err));
	free(b->buf);
	b->buf = NULL;
	if (rc) {
		diag("load: %s", err);
		return rc;
	}
	snprintf(cfg->policy_name, sizeof(cfg->policy_name), "vanilla");
	ga_policy_preset(&cfg->policy, "vanilla");
	rc = replay_run(&t, cfg, res);
	if (rc)
		diag("replay: %s", res->sim.errmsg);
	trace_free(&t);
	return rc;
}

/* Run cmd_replay with the space-separated args in a child; its exit code,
 * its stderr in err (stdout discarded). */
static inline int replay_cli(const char *args, char *err, size_t errlen)
{
	char buf[1024], *argv[32], *save = NULL;
	char efile[] = "/tmp/gigalloc_replay_err_XXXXXX";
	int argc = 0, status, efd = mkstemp(efile);
	pid_t pid;
	ssize_t n;

	snprintf(buf, sizeof(buf), "%s", args);
	for (char *tok = strtok_r(buf, " ", &save); tok && argc < 31;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		int nul = open("/dev/null", O_WRONLY);

		dup2(nul, 1);
		dup2(efd, 2);
		_exit(cmd_replay(argc, argv));
	}
	waitpid(pid, &status, 0);
	n = pread(efd, err, errlen - 1, 0);
	err[n > 0 ? n : 0] = '\0';
	close(efd);
	unlink(efile);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif
