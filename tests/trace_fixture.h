/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Fixtures shared by the trace reader tests (test_trace_parse,
 * test_replay_inputs): where the recorded inputs are, and one line through
 * the ftrace parser. Header-only: the soak links the test helpers without
 * the trace readers.
 */
#ifndef GA_TEST_TRACE_FIXTURE_H
#define GA_TEST_TRACE_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "ftrace.h"

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

#endif
