// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * One policy run. The zone runs with a manual executor, so the library's
 * background work (kcompactd, evacuation) happens at a fixed point of each
 * tick, in the run's own thread: results are reproducible bit for bit.
 * Only the wall-clock figures (events/s, RSS) vary between runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "run.h"
#include "trace_events.h"

#define PAGE_SHIFT	12
#define GIB_OWNER	(1ull << 48)	/* owner tokens of 1 GiB pages: no record */
#define PROGRESS_TICKS	1024

struct run {
	const struct sim_config *cfg;
	struct sim_result *res;
	struct ga_node *node;		/* --layout server; NULL: one zone */
	struct sim_zones zs;		/* the node's zones, or the zone */
	struct ga_zone *zone;		/* zs.main */
	struct ga_executor *ex;
	struct sim_workload w;
	uint64_t max_ticks;		/* 0: none */
	uint64_t sample_ticks, next_sample_tick;
	double sample_turn, next_sample_turn;
	size_t cap_samples, cap_tests;
	uint64_t gib_every_ticks;
	double loop_t0;
	struct sim_trace_events trace;	/* --trace-events */
	uint64_t trace_ns;		/* simulated time for the events */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the calling thread: a run stays on one thread throughout. */
static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int fail(struct run *r, int err, const char *what)
{
	struct sim_result *res = r->res;

	if (!res->err) {
		res->err = err;
		/* A long reason is cut short; the start says what failed. */
		if (snprintf(res->errmsg, sizeof(res->errmsg), "%s: %s", res->policy,
			     what) >= (int)sizeof(res->errmsg))
			res->errmsg[sizeof(res->errmsg) - 2] = '~';
	}
	return err;
}

uint64_t sim_mem_pages(uint64_t mem_bytes)
{
	return (mem_bytes >> PAGE_SHIFT) & ~(uint64_t)((1u << 9) - 1);
}

/* ------------------------------------------------------------------------ */
/* Setup.                                                                    */

static const char *const layout_names[SIM_NR_LAYOUTS] = { "flat", "server" };

const char *sim_layout_name(int layout)
{
	return layout >= 0 && layout < SIM_NR_LAYOUTS ? layout_names[layout] : "?";
}

int sim_layout_parse(const char *name)
{
	for (int l = 0; l < SIM_NR_LAYOUTS; l++)
		if (!strcmp(name, layout_names[l]))
			return l;
	return -EINVAL;
}

#define PFN_16M		0x1000ull
#define PFN_3G		0xc0000ull
#define PFN_4G		0x100000ull

/* e820 on a PC: pfn 0 (the BIOS data area) and 640 KiB-1 MiB are not RAM. */
static const struct ga_pfn_range server_dma_holes[] = { { 0, 1 }, { 0x9f, 0x100 } };
static const struct ga_pfn_range server_pci_hole[] = { { PFN_3G, PFN_4G } };

/* The server layout of `pages` pages of RAM (holes not counted out). */
static void server_layout(const struct sim_config *cfg, uint64_t pages,
			  struct ga_node_config *nc)
{
	ga_node_config_default(nc, cfg->cpus);
	ga_node_config_zone(nc, GA_ZONE_DMA, 0, PFN_16M);
	nc->zone[GA_ZONE_DMA].holes = server_dma_holes;
	nc->zone[GA_ZONE_DMA].nr_holes = 2;
	if (pages <= PFN_3G) {
		ga_node_config_zone(nc, GA_ZONE_DMA32, PFN_16M, pages);
		return;
	}
	ga_node_config_zone(nc, GA_ZONE_DMA32, PFN_16M, PFN_4G);
	nc->zone[GA_ZONE_DMA32].holes = server_pci_hole;
	nc->zone[GA_ZONE_DMA32].nr_holes = 1;
	ga_node_config_zone(nc, GA_ZONE_NORMAL, PFN_4G, PFN_4G + pages - PFN_3G);
}

static int make_node(struct run *r, uint64_t pages)
{
	const struct sim_config *cfg = r->cfg;
	struct ga_node_config nc;
	char why[300] = "", msg[360];
	int err;

	if (pages < 2 * PFN_16M)
		return fail(r, -EINVAL, "--layout server needs --mem of 32M or more");
	server_layout(cfg, pages, &nc);
	nc.policy = &cfg->policy;
	nc.ops = sim_workload_ops();
	nc.ops_ctx = &r->w;
	nc.executor = r->ex;
	err = ga_node_create(&r->node, &nc, why, sizeof(why));
	if (err) {
		snprintf(msg, sizeof(msg), "bad node: %s", why);
		return fail(r, err, msg);
	}
	sim_zones_of_node(&r->zs, r->node);
	r->zone = r->zs.main;
	return 0;
}

static int make_zone(struct run *r)
{
	const struct sim_config *cfg = r->cfg;
	uint64_t pages = sim_mem_pages(cfg->mem_bytes);
	struct ga_zone_config zc;
	char why[200] = "";
	int err;

	err = ga_executor_create(&r->ex, GA_EXECUTOR_MANUAL, 0);
	if (err)
		return fail(r, err, "cannot create the executor");
	if (cfg->layout == SIM_LAYOUT_SERVER)
		return make_node(r, pages);
	ga_zone_config_default(&zc, 0, pages, cfg->cpus);
	zc.policy = &cfg->policy;
	zc.ops = sim_workload_ops();
	zc.ops_ctx = &r->w;
	zc.executor = r->ex;
	if (ga_zone_config_check(&zc, why, sizeof(why))) {
		char msg[260];

		snprintf(msg, sizeof(msg), "bad zone: %s", why);
		return fail(r, -EINVAL, msg);
	}
	err = ga_zone_create(&r->zone, &zc);
	if (err)
		return fail(r, err, "cannot create the zone (out of memory?)");
	sim_zones_of_zone(&r->zs, r->zone);
	return 0;
}

/* Ticks the run lasts at most, and what size ramps stretch over. */
static uint64_t plan_ticks(const struct sim_config *cfg, uint64_t *ramp)
{
	double ramp_s = cfg->duration ? cfg->duration :
			cfg->profile->duration ? cfg->profile->duration : 600;

	*ramp = (uint64_t)(ramp_s * SIM_TICKS_PER_SEC);
	if (cfg->duration)
		return (uint64_t)(cfg->duration * SIM_TICKS_PER_SEC + 0.5);
	return (uint64_t)(SIM_MAX_TIME_S * SIM_TICKS_PER_SEC);
}

static void plan_samples(struct run *r)
{
	const struct sim_config *cfg = r->cfg;
	unsigned int n = cfg->samples ? cfg->samples : 50;

	r->sample_ticks = cfg->duration ?
		(uint64_t)(cfg->duration * SIM_TICKS_PER_SEC / n) : 0;
	if (r->sample_ticks && r->sample_ticks < SIM_TICKS_PER_SEC / 10)
		r->sample_ticks = SIM_TICKS_PER_SEC / 10;
	r->sample_turn = cfg->turnovers ? cfg->turnovers / n : 0;
	r->next_sample_tick = r->sample_ticks;
	r->next_sample_turn = r->sample_turn;
	r->gib_every_ticks = (uint64_t)(cfg->gib_test_every * SIM_TICKS_PER_SEC);
}

/* ------------------------------------------------------------------------ */
/* Sampling.                                                                 */

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *np;

	if (need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	np = realloc(p, n * size);
	if (np)
		*cap = n;
	return np;
}

static double sim_time(const struct run *r)
{
	return (double)r->w.now / SIM_TICKS_PER_SEC;
}

static int open_trace(struct run *r)
{
	int err;

	if (!r->cfg->trace_events[0])
		return 0;
	err = sim_trace_events_open(&r->trace, r->zone, r->cfg->trace_events,
				    r->cfg->policy_name, &r->trace_ns);
	for (size_t i = 0; !err && i < r->zs.nr; i++)
		if (r->zs.z[i] != r->zone)
			sim_trace_events_attach(&r->trace, r->zs.z[i]);
	return err ? fail(r, err, "cannot write the --trace-events file") : 0;
}

static int take_sample(struct run *r)
{
	struct sim_result *res = r->res;
	struct sim_sample *s, *arr;
	struct ga_zone_info zi;
	int err;

	arr = grow(res->samples, &r->cap_samples, res->nr_samples + 1, sizeof(*s));
	if (!arr)
		return fail(r, -ENOMEM, "out of memory for samples");
	res->samples = arr;
	s = &arr[res->nr_samples];
	memset(s, 0, sizeof(*s));
	s->t = sim_time(r);
	s->turnovers = sim_workload_turnovers(&r->w);
	err = sim_census_take_zones(&r->zs, &s->c, r->w.region_lru, r->w.region_drop);
	if (err)
		return fail(r, err, "out of memory for the census");
	sim_counters_read_zones(&r->zs, &s->k);
	s->reclaimed = r->w.st.reclaimed_pages;
	s->migrated = r->w.st.migrated_pages;
	s->dropped = r->w.st.dropped_pages;
	for (unsigned int i = 0; i < r->w.prof->nr_consumers; i++)
		s->resident[i] = r->w.cons[i].resident;
	for (size_t z = 0; z < r->zs.nr; z++) {
		ga_zone_info(r->zs.z[z], &zi);
		s->max_order = zi.max_page_order;
		for (unsigned int o = 0; o <= GA_MAX_ORDER_LIMIT; o++)
			s->nr_free[o] += zi.nr_free[o];
	}
	res->nr_samples++;
	return 0;
}

static bool sample_due(struct run *r)
{
	bool due = false;

	if (r->sample_ticks && r->w.now >= r->next_sample_tick) {
		due = true;
		while (r->next_sample_tick <= r->w.now)
			r->next_sample_tick += r->sample_ticks;
	}
	if (r->sample_turn > 0 &&
	    sim_workload_turnovers(&r->w) >= r->next_sample_turn) {
		due = true;
		while (r->next_sample_turn <= sim_workload_turnovers(&r->w))
			r->next_sample_turn += r->sample_turn;
	}
	return due;
}

/* ------------------------------------------------------------------------ */
/* The 1 GiB test.                                                           */

/* Try each region not obtained alone, to count why regions stay blocked. */
static int gib_test(struct run *r, bool final)
{
	struct sim_result *res = r->res;
	struct sim_gib_test *t, *arr;
	double t0 = now_s(), cpu0 = thread_cpu_s();
	int err;

	arr = grow(res->tests, &r->cap_tests, res->nr_tests + 1, sizeof(*t));
	if (!arr)
		return fail(r, -ENOMEM, "out of memory for the 1 GiB test");
	res->tests = arr;
	t = &arr[res->nr_tests++];
	memset(t, 0, sizeof(*t));
	t->at = sim_time(r);
	/* Zone by zone; outside the final test the pages go back at once. */
	err = sim_gib_take_zones(&r->zs, GIB_OWNER, t, final ? r->cfg->phase : NULL,
				 final);
	if (err == -EUCLEAN)
		return fail(r, err, "ga_alloc_contig_pages returned more 1 GiB "
			    "ranges than the zone has regions");
	if (err)
		return fail(r, err, "out of memory for the 1 GiB test");
	t->wall_s = now_s() - t0;
	t->cpu_s = thread_cpu_s() - cpu0;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The run.                                                                  */

static void set_progress(struct run *r, uint32_t permille)
{
	if (r->cfg->progress)
		__atomic_store_n(r->cfg->progress, permille, __ATOMIC_RELAXED);
}

static uint32_t progress_of(const struct run *r)
{
	double f = 0, g;

	if (r->cfg->duration)
		f = (double)r->w.now / (double)r->max_ticks;
	if (r->cfg->turnovers) {
		g = sim_workload_turnovers(&r->w) / r->cfg->turnovers;
		f = f > g ? f : g;
	}
	return f >= 1 ? 999 : (uint32_t)(f * 1000);
}

static bool finished(const struct run *r)
{
	if (r->w.now >= r->max_ticks)
		return true;
	return r->cfg->turnovers > 0 &&
	       sim_workload_turnovers(&r->w) >= r->cfg->turnovers;
}

/* Work outside the tick loop is not counted in the events/s figure. */
static int side_work(struct run *r, double *loop_s)
{
	bool sample = sample_due(r);
	bool gib = r->gib_every_ticks && !(r->w.now % r->gib_every_ticks);
	double t = now_s();
	int err = 0;

	if (!sample && !gib)
		return 0;
	*loop_s += t - r->loop_t0;
	if (sample)
		err = take_sample(r);
	if (!err && gib)
		err = gib_test(r, false);
	r->loop_t0 = now_s();
	return err;
}

static int drive(struct run *r)
{
	double loop_s = 0;
	int err = 0;

	r->loop_t0 = now_s();
	sim_phase_set(r->cfg->phase, SIM_PHASE_WORKLOAD, 0, 0);
	while (!finished(r) && !err) {
		/* The tick about to run, as the events' timestamp. */
		r->trace_ns = (r->w.now + 1) * (1000000000ull / SIM_TICKS_PER_SEC);
		sim_workload_tick(&r->w);
		if (ga_executor_pending(r->ex))
			ga_executor_run_pending(r->ex);
		if (r->w.st.errors)
			err = fail(r, -EUCLEAN, r->w.err);
		else
			err = side_work(r, &loop_s);
		if (!(r->w.now % PROGRESS_TICKS))
			set_progress(r, progress_of(r));
	}
	loop_s += now_s() - r->loop_t0;
	r->res->loop_s = loop_s;
	r->res->capped = !r->cfg->duration && r->w.now >= r->max_ticks;
	return err;
}

/* A zone's size and watermarks added to the node's totals. */
void sim_result_add_zone(struct sim_result *res, const struct ga_zone_info *zi)
{
	res->managed_pages += zi->managed_pages;
	res->wmark_min += zi->wmark_min;
	res->wmark_low += zi->wmark_low;
	res->wmark_high += zi->wmark_high;
	res->nr_cpus = zi->nr_cpus;
}

static void collect(struct run *r)
{
	struct sim_result *res = r->res;

	res->managed_pages = res->wmark_min = res->wmark_low = res->wmark_high = 0;
	for (size_t z = 0; z < r->zs.nr; z++) {
		struct ga_zone_info zi;

		ga_zone_info(r->zs.z[z], &zi);
		sim_result_add_zone(res, &zi);
	}
	res->nr_zones = (unsigned int)r->zs.nr;
	if (r->node)
		ga_node_stats(r->node, &res->node);
	sim_stats_read_zones(&r->zs, &res->stats);
	sim_spb_read_zones(&r->zs, &res->spb, res->spb_cost_hist);
	res->wstats = r->w.st;
	memcpy(res->anomaly, r->w.anomaly, sizeof(res->anomaly));
	res->nr_consumers = r->w.prof->nr_consumers;
	for (unsigned int i = 0; i < res->nr_consumers; i++) {
		res->cstats[i] = r->w.cons[i].st;
		res->resident[i] = r->w.cons[i].resident;
	}
	res->sim_seconds = sim_time(r);
	res->turnovers = sim_workload_turnovers(&r->w);
	res->events = r->w.st.events;
	res->events_per_sec = res->loop_s > 0 ? (double)res->events / res->loop_s : 0;
}

/*
 * The library's invariant checker: results from a broken zone are void.
 * Debug builds also recount the workload's per-region LRU and droppable
 * pages, which the census estimates are made of.
 */
static int check_zone(struct run *r)
{
	char why[512] = "", msg[600];

	if (r->node ? ga_node_check(r->node, why, sizeof(why)) :
	    ga_zone_check(r->zone, why, sizeof(why))) {
		snprintf(msg, sizeof(msg), "library invariant broken: %s", why);
		return fail(r, -EUCLEAN, msg);
	}
#ifdef GA_DEBUG
	{
		long bad = sim_workload_check_regions(&r->w, why, sizeof(why));

		if (bad < 0)
			return fail(r, (int)bad, "out of memory for the workload check");
		if (bad) {
			snprintf(msg, sizeof(msg), "workload region counts broken: %s", why);
			return fail(r, -EUCLEAN, msg);
		}
	}
#endif
	return 0;
}

static int capture_map(struct run *r, uint8_t **map)
{
	struct sim_result *res = r->res;

	if (!r->cfg->maps)
		return 0;
	*map = sim_map_capture(r->zone, &res->map_w, &res->map_h);
	return *map ? 0 : fail(r, -ENOMEM, "out of memory for the memory map");
}

/*
 * The end of the run: final census and map, the 1 GiB test with the
 * workload resident, the map after it, and the invariant checker.
 */
static int finish(struct run *r)
{
	struct sim_result *res = r->res;
	int err = 0;

	if (!res->nr_samples || res->samples[res->nr_samples - 1].t != sim_time(r))
		err = take_sample(r);
	if (err)
		return err;
	res->final = res->samples[res->nr_samples - 1].c;
	res->counters = res->samples[res->nr_samples - 1].k;
	collect(r);
	err = check_zone(r) ?: capture_map(r, &res->map_end);
	if (err || r->cfg->no_gib_test)
		return err;
	err = gib_test(r, true);
	if (err)
		return err;
	res->has_final_test = true;
	return check_zone(r) ?: capture_map(r, &res->map_gib);
}

static uint64_t peak_rss(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (uint64_t)ru.ru_maxrss * 1024;	/* Linux reports KiB */
}

int sim_run(const struct sim_config *cfg, struct sim_result *res)
{
	struct run r = { .cfg = cfg, .res = res };
	double t0 = now_s(), cpu0 = thread_cpu_s();
	uint64_t ramp;
	int err;

	memset(res, 0, sizeof(*res));
	snprintf(res->policy, sizeof(res->policy), "%s", cfg->policy_name);
	set_progress(&r, 0);
	sim_phase_set(cfg->phase, SIM_PHASE_SETUP, 0, 0);
	r.max_ticks = plan_ticks(cfg, &ramp);
	plan_samples(&r);
	err = make_zone(&r);
	if (!err)
		err = open_trace(&r);
	if (!err) {
		err = sim_workload_init_node(&r.w, r.node, r.zone, cfg->profile,
					     cfg->seed, ramp);
		if (err)
			fail(&r, err, "cannot set up the workload");
	}
	if (!err)
		err = drive(&r);
	if (!err)
		err = finish(&r);
	else if (r.zone && r.w.prof)
		collect(&r);
	sim_workload_destroy(&r.w);
	if (r.node)
		ga_node_destroy(r.node);
	else if (r.zone)
		ga_zone_destroy(r.zone);
	if (sim_trace_events_close(&r.trace) && !err)
		err = fail(&r, -EIO, "cannot write the --trace-events file");
	if (r.ex)
		ga_executor_destroy(r.ex);
	res->wall_s = now_s() - t0;
	res->cpu_s = thread_cpu_s() - cpu0;
	res->peak_rss_bytes = peak_rss();
	sim_phase_set(cfg->phase, SIM_PHASE_DONE, 0, 0);
	set_progress(&r, 1000);
	return err;
}

void sim_result_free(struct sim_result *res)
{
	free(res->samples);
	free(res->tests);
	free(res->map_end);
	free(res->map_gib);
	res->samples = NULL;
	res->tests = NULL;
	res->map_end = res->map_gib = NULL;
}
