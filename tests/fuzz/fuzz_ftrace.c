// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer target for the trace readers (`make fuzz`, then
 * build/fuzz/fuzz_ftrace [-max_total_time=60] WORKDIR tests/fuzz/corpus/ftrace).
 * The input is parsed as one line and as a whole trace (ftrace, trace-cmd
 * and perf script lines, in lenient mode); it aborts when an accepted
 * event does not survive printing and re-parsing, or when the loader does
 * not account for every line exactly once: the same properties
 * tests/test_trace_fuzz.c checks deterministically in `make check`. A
 * loaded trace is then replayed on a small zone with the invariant
 * checker on, which must neither fail nor take long whatever the pfns
 * and orders (a free of order 31 once walked 2^31 pfns).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ftrace.h"
#include "replay.h"
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_line(const char *s, size_t len)
{
	struct ft_event ev, again;
	const char *why;
	uint64_t lost;
	char out[1024];

	switch (ft_parse_line(s, len, &ev, &lost, &why)) {
	case FT_LINE_BAD:
		if (!why || !*why)
			abort();
		return;
	case FT_LINE_EVENT:
		break;
	default:
		return;
	}
	if (ev.kind >= FT_NR_KINDS || ev.order > FT_MAX_ORDER || ev.mt > FT_MAX_MT)
		abort();
	if (ft_format_event(&ev, out, sizeof(out)) >= (int)sizeof(out))
		abort();
	if (ft_parse_line(out, strlen(out), &again, &lost, &why) != FT_LINE_EVENT ||
	    memcmp(&ev, &again, sizeof(ev)))
		abort();
}

static void replay(const struct trace *t)
{
	static struct replay_result res;
	struct replay_config cfg = { .zone_pages = 4096, .nr_cpus = 2,
				     .no_gib_test = true, .check = true };

	snprintf(cfg.policy_name, sizeof(cfg.policy_name), "%s", t->nr & 1 ? "spb" : "vanilla");
	ga_policy_preset(&cfg.policy, cfg.policy_name);
	memset(&res, 0, sizeof(res));
	if (replay_run(t, &cfg, &res)) {
		fprintf(stderr, "fuzz_ftrace: replay: %s\n", res.sim.errmsg);
		abort();
	}
}

static void check_trace(const uint8_t *data, size_t size)
{
	struct trace t;
	char err[256];
	uint64_t sum;

	if (trace_load_mem(&t, data, size, true, err, sizeof(err)))
		abort();
	sum = t.st.blank + t.st.comments + t.st.other_events + t.st.malformed +
	      t.st.lost_markers;
	for (int k = 0; k < FT_NR_KINDS; k++)
		sum += t.st.events[k];
	if (sum != t.st.lines || t.nr != t.st.events[FT_ALLOC] + t.st.events[FT_FREE])
		abort();
	replay(&t);
	trace_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_line((const char *)data, size);
	check_trace(data, size);
	return 0;
}
