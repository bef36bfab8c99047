// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * RFC 40's tracepoints as ftrace text: "<task>-<pid> [cpu] flags ts: event:
 * fields", the format trace-cmd and the project's own reader use.
 */
#include <errno.h>

#include "trace_events.h"

static void print_event(void *ctx, const struct ga_trace_event *ev)
{
	struct sim_trace_events *t = ctx;
	uint64_t us = *t->now_ns / 1000;
	FILE *f = t->f;

	fprintf(f, "        gigalloc-1     [000] ..... %6llu.%06llu: %s: ",
		(unsigned long long)(us / 1000000), (unsigned long long)(us % 1000000),
		ga_trace_name(ev->type));
	switch (ev->type) {
	case GA_TRACE_SPB_ALLOC_WALK:
		fprintf(f, "order=%u migratetype=%s outcome=%s visited=%u spb=%ld\n",
			ev->order, ga_migratetype_name(ev->migratetype), ev->what,
			ev->visited, ev->spb);
		break;
	case GA_TRACE_SPB_PB_TAINT:
		fprintf(f, "pfn=0x%llx spb=%ld type=%s %s\n", (unsigned long long)ev->pfn,
			ev->spb, ga_migratetype_name(ev->migratetype), ev->what);
		break;
	case GA_TRACE_SPB_EVACUATE_DONE:
		fprintf(f, "pfn=0x%llx spb=%ld moved=%lu result=%s\n",
			(unsigned long long)ev->pfn, ev->spb, ev->moved, ev->what);
		break;
	case GA_TRACE_SPB_CLAIM_REFUSED:
		fprintf(f, "pfn=0x%llx order=%u migratetype=%s reason=%s\n",
			(unsigned long long)ev->pfn, ev->order,
			ga_migratetype_name(ev->migratetype), ev->what);
		break;
	default:	/* fall-through, relax and refusal steps */
		fprintf(f, "order=%u migratetype=%s step=%s\n", ev->order,
			ga_migratetype_name(ev->migratetype), ev->what);
	}
}

int sim_trace_events_open(struct sim_trace_events *t, struct ga_zone *zone,
			  const char *path, const char *policy,
			  const uint64_t *now_ns)
{
	t->now_ns = now_ns;
	t->f = fopen(path, "w");
	if (!t->f)
		return -errno;
	fprintf(t->f, "# tracer: nop\n#\n# gigalloc, policy %s: RFC 40 SPB events\n",
		policy);
	ga_zone_set_trace(zone, print_event, t);
	return 0;
}

void sim_trace_events_attach(struct sim_trace_events *t, struct ga_zone *zone)
{
	ga_zone_set_trace(zone, print_event, t);
}

int sim_trace_events_close(struct sim_trace_events *t)
{
	int err = 0;

	if (!t->f)
		return 0;
	if (ferror(t->f))
		err = -EIO;
	if (fclose(t->f))
		err = -EIO;
	t->f = NULL;
	return err;
}
