/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * --trace-events: RFC 40's SPB events written as ftrace text, one line per
 * event, stamped with the run's own clock (simulated or trace time).
 */
#ifndef GA_SIM_TRACE_EVENTS_H
#define GA_SIM_TRACE_EVENTS_H

#include <stdint.h>
#include <stdio.h>

#include "gigalloc.h"

struct sim_trace_events {
	FILE *f;
	const uint64_t *now_ns;		/* the run's clock, read per event */
};

/* Open path and install the sink on zone. 0 or -errno. */
int sim_trace_events_open(struct sim_trace_events *t, struct ga_zone *zone,
			  const char *path, const char *policy,
			  const uint64_t *now_ns);
/* Send another zone's events (a node's) to the same file. */
void sim_trace_events_attach(struct sim_trace_events *t, struct ga_zone *zone);
/* Flush and close; 0 or -EIO. Does nothing if never opened. */
int sim_trace_events_close(struct sim_trace_events *t);

#endif /* GA_SIM_TRACE_EVENTS_H */
