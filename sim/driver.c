// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The simulator's top level. Policies run as independent jobs; a worker
 * takes the next job index from an atomic counter, so how many threads run
 * changes nothing but the wall time: every result depends only on its own
 * config. The main thread draws the progress bar meanwhile.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "driver.h"
#include "report.h"
#include "run.h"
#include "seeds.h"

#define DEFAULT_DURATION	300.0	/* for profiles that name none */
/*
 * Peak RSS of one run per byte of simulated memory, rounded up: 1341 MiB
 * for 256 GiB (12 bytes of page metadata and the workload's records per
 * 4 KiB page; docs/SIMULATOR.md).
 */
#define RUN_RSS_PER_GIB		(6ull << 20)

struct jobs {
	struct sim_config *cfg;
	struct sim_result *res;
	uint32_t *progress;
	struct sim_phase *phase;
	struct sim_progress_run *view;	/* the bar's last frame */
	double *since;		/* when the bar first saw each run's phase */
	size_t nr;
	size_t next;		/* atomic: next job to take */
};

static void *worker(void *arg)
{
	struct jobs *j = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED)) < j->nr)
		sim_run(&j->cfg[i], &j->res[i]);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------------ */
/* Progress.                                                                 */

/* One run's state for the bar: "vanilla workload 42%", "spb 1 GiB test: ...". */
static int describe_run(char *b, size_t n, const struct sim_progress_run *r)
{
	uint32_t done = r->phase.done, total = r->phase.total;

	switch (r->phase.id) {
	case SIM_PHASE_SETUP:
		return snprintf(b, n, "  %s setup", r->policy);
	case SIM_PHASE_WORKLOAD:
		return snprintf(b, n, "  %s workload %u%%", r->policy, r->permille / 10);
	case SIM_PHASE_GIB_TAKE:
		/* Taking stops at the first failure, then every region is probed. */
		return snprintf(b, n, "  %s 1 GiB test: %u taken, then %u regions to probe",
				r->policy, done, total);
	case SIM_PHASE_GIB_PROBE:
		if (!done || r->in_phase_s <= 0)
			return snprintf(b, n, "  %s 1 GiB test: probing region %u/%u",
					r->policy, done, total);
		return snprintf(b, n, "  %s 1 GiB test: probing region %u/%u, ETA %.0f s",
				r->policy, done, total,
				r->in_phase_s * (total - done) / done);
	default:
		return snprintf(b, n, "  %s done", r->policy);
	}
}

int sim_progress_format(char *line, size_t len, const struct sim_progress_run *r,
			size_t nr, bool per_run, double elapsed)
{
	char bar[31];
	uint32_t sum = 0;
	bool workload = false, gib = false;
	int k = 0;

	for (size_t i = 0; i < nr; i++) {
		sum += r[i].permille;
		workload |= r[i].phase.id <= SIM_PHASE_WORKLOAD;
		gib |= r[i].phase.id == SIM_PHASE_GIB_TAKE || r[i].phase.id == SIM_PHASE_GIB_PROBE;
	}
	sum /= nr ? (uint32_t)nr : 1;
	for (int b = 0; b < 30; b++)
		bar[b] = b < (int)(sum * 30 / 1000) ? '#' : '.';
	bar[30] = 0;
	k += snprintf(line + k, len - (size_t)k, "sim [%s] %3u%%", bar, sum / 10);
	for (size_t i = 0; i < nr && per_run && k < (int)len; i++)
		k += describe_run(line + k, len - (size_t)k, &r[i]);
	if (!per_run && k < (int)len)
		k += snprintf(line + k, len - (size_t)k, "  %zu runs", nr);
	if (k < (int)len)
		k += snprintf(line + k, len - (size_t)k, "  %.0f s", elapsed);
	if (workload && sum >= 10 && k < (int)len)
		k += snprintf(line + k, len - (size_t)k, ", workload ETA %.0f s",
			      elapsed * (1000 - sum) / sum);
	else if (gib && k < (int)len)
		k += snprintf(line + k, len - (size_t)k, ", workloads done, in the 1 GiB test");
	return k >= (int)len ? (int)len - 1 : k;
}

/*
 * The bar: overall workload progress, each run's phase, elapsed time and
 * an ETA: for the workloads by linear extrapolation, then, in the final
 * 1 GiB test, for each run's probe of every region from its rate so far.
 * The time a run entered its phase is noted here, when a frame sees it.
 */
static void draw_progress(FILE *f, struct jobs *j, double t0, double now, int *width)
{
	char line[1024];
	int k;

	for (size_t i = 0; i < j->nr; i++) {
		const struct sim_phase *p = &j->phase[i];
		struct sim_progress_run *r = &j->view[i];
		uint32_t id = __atomic_load_n(&p->id, __ATOMIC_RELAXED);

		if (id != r->phase.id || !j->since[i])
			j->since[i] = now;
		*r = (struct sim_progress_run){
			.policy = j->cfg[i].policy_name,
			.permille = __atomic_load_n(&j->progress[i], __ATOMIC_RELAXED),
			.phase = { .id = id,
				   .done = __atomic_load_n(&p->done, __ATOMIC_RELAXED),
				   .total = __atomic_load_n(&p->total, __ATOMIC_RELAXED) },
			.in_phase_s = now - j->since[i],
		};
	}
	k = sim_progress_format(line, sizeof(line), j->view, j->nr,
				j->nr <= SIM_MAX_POLICIES, now - t0);
	fprintf(f, "\r%s%*s", line, *width > k ? *width - k : 0, "");
	*width = k > *width ? k : *width;
	fflush(f);
}

static bool all_done(const struct jobs *j)
{
	for (size_t i = 0; i < j->nr; i++)
		if (__atomic_load_n(&j->progress[i], __ATOMIC_RELAXED) < 1000)
			return false;
	return true;
}

#define MAX_THREADS 64

/* Run the jobs on `threads` threads; the caller's thread draws progress. */
static void run_jobs(struct jobs *j, unsigned int threads, bool progress,
		    FILE *err)
{
	pthread_t tid[MAX_THREADS];
	double t0 = now_s();
	bool drawn = false;
	unsigned int started = 0;
	int width = 0;

	for (; started < threads; started++)
		if (pthread_create(&tid[started], NULL, worker, j))
			break;
	if (!started)
		worker(j);	/* no thread could start: run here */
	while (started && !all_done(j)) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		/* Only runs longer than a second get a bar. */
		if (progress && now_s() - t0 > 1) {
			draw_progress(err, j, t0, now_s(), &width);
			drawn = true;
		}
	}
	for (unsigned int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (drawn)
		fprintf(err, "\r%*s\r", width, "");
}

/* ------------------------------------------------------------------------ */
/* Setup.                                                                    */

static int list_profiles(FILE *out, FILE *err)
{
	for (const struct sim_builtin_profile *b = sim_builtin_profiles; b->name; b++) {
		struct sim_profile p;
		char msg[512];

		if (sim_profile_parse(&p, b->text, b->name, msg, sizeof(msg))) {
			fprintf(err, "gigalloc sim: %s\n", msg);
			return SIM_EXIT_FAIL;
		}
		fprintf(out, "%-12s %s\n", p.name, p.description);
	}
	return SIM_EXIT_OK;
}

static int show_profile(const char *name, FILE *out, FILE *err)
{
	const char *text = sim_profile_builtin_text(name);
	char *buf = NULL;

	if (!text && !(buf = sim_read_file(name, NULL))) {
		fprintf(err, "gigalloc sim: --show-profile '%s': no such built-in "
			"profile or readable file (see --list-profiles)\n", name);
		return SIM_EXIT_USAGE;
	}
	fputs(text ? text : buf, out);
	free(buf);
	return SIM_EXIT_OK;
}

/* MemAvailable of /proc/meminfo in bytes; 0 if unknown. */
static uint64_t mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long long kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb << 10;
}

/*
 * By default one run per online CPU, as many as fit in half the memory
 * available now (the machine is shared): runs are independent, so only
 * the wall time changes. Not one thread per run: the scheduler would share
 * the CPUs among them and slow the longest run, which then finishes
 * last (docs/PERFORMANCE.md: 3 runs on 2 CPUs). An explicit --jobs is
 * taken as given, up to one per run.
 */
static unsigned int auto_jobs(const struct sim_opts *o, size_t nr)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int jobs = o->jobs;

	if (!jobs) {
		uint64_t per_run = (o->mem_bytes >> 30) * RUN_RSS_PER_GIB + (64ull << 20);
		uint64_t avail = mem_available();

		jobs = cpus > 0 ? (unsigned int)cpus : 1;
		if (avail && avail / 2 / per_run < jobs)
			jobs = (unsigned int)(avail / 2 / per_run);
	}
	if (jobs > MAX_THREADS)
		jobs = MAX_THREADS;
	if (jobs > nr)
		jobs = (unsigned int)nr;
	return jobs ? jobs : 1;
}

/* The policies to run: --policy, or the compared set (vanilla, rfc, spb). */
static size_t policy_names(const struct sim_opts *o, const char **names)
{
	size_t n = 0;

	if (o->nr_policies) {
		for (; n < o->nr_policies; n++)
			names[n] = o->policies[n];
		return n;
	}
	for (const char *const *p = ga_policy_compare_names(); *p && n < SIM_MAX_POLICIES; p++)
		names[n++] = *p;
	return n;
}

static int make_configs(const struct sim_opts *o, const struct sim_profile *prof,
			struct jobs *j, FILE *err)
{
	const char *names[SIM_MAX_POLICIES];
	char msg[512];

	size_t nr_seeds = o->nr_seeds ? o->nr_seeds : 1;

	/* Policy-major: job p * nr_seeds + s is policy p under seed s. */
	j->nr = policy_names(o, names) * nr_seeds;
	for (size_t i = 0; i < j->nr; i++) {
		struct sim_config *c = &j->cfg[i];
		const char *name = names[i / nr_seeds];

		memset(c, 0, sizeof(*c));
		if (sim_opts_policy(o, name, &c->policy, msg, sizeof(msg))) {
			fprintf(err, "gigalloc sim: %s\n", msg);
			return SIM_EXIT_USAGE;
		}
		snprintf(c->policy_name, sizeof(c->policy_name), "%s", name);
		c->mem_bytes = o->mem_bytes;
		c->layout = o->layout;
		c->cpus = o->cpus;
		c->profile = prof;
		c->duration = o->duration;
		c->turnovers = o->turnovers;
		if (!c->duration && !c->turnovers) {
			c->duration = prof->duration;
			c->turnovers = prof->turnovers;
			if (!c->duration && !c->turnovers)
				c->duration = DEFAULT_DURATION;
		}
		c->seed = o->nr_seeds ? o->seeds[i % nr_seeds] : o->seed;
		c->gib_test_every = o->gib_test_every;
		c->maps = o->report_dir != NULL;
		c->samples = o->samples;
		c->progress = &j->progress[i];
		c->phase = &j->phase[i];
		/* One event file per run: FILE, or FILE.<policy>[.<seed>]. */
		if (o->trace_events && j->nr == 1)
			snprintf(c->trace_events, sizeof(c->trace_events), "%s",
				 o->trace_events);
		else if (o->trace_events && nr_seeds > 1)
			snprintf(c->trace_events, sizeof(c->trace_events), "%s.%s.%llu",
				 o->trace_events, name, (unsigned long long)c->seed);
		else if (o->trace_events)
			snprintf(c->trace_events, sizeof(c->trace_events), "%s.%s",
				 o->trace_events, name);
	}
	return SIM_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* Outputs.                                                                  */

/*
 * The output files, checked and opened before any run: a bad path fails in
 * a second, not after the simulation.
 */
struct outputs {
	FILE *csv;		/* --csv FILE, or out for "-" */
	bool csv_std;
};

static int open_outputs(const struct sim_opts *o, struct outputs *w, FILE *out,
			FILE *err)
{
	char msg[512];

	memset(w, 0, sizeof(*w));
	if (o->report_dir && sim_report_dir_prepare(o->report_dir, msg, sizeof(msg))) {
		fprintf(err, "gigalloc sim: %s\n", msg);
		return SIM_EXIT_FAIL;
	}
	/* Written per run (FILE.<policy>...), so only its directory now. */
	if (o->trace_events &&
	    args_check_output("--trace-events", o->trace_events, msg, sizeof(msg))) {
		fprintf(err, "gigalloc sim: %s\n", msg);
		return SIM_EXIT_FAIL;
	}
	if (!o->csv_file)
		return SIM_EXIT_OK;
	w->csv_std = !strcmp(o->csv_file, "-");
	w->csv = w->csv_std ? out : fopen(o->csv_file, "w");
	if (!w->csv) {
		fprintf(err, "gigalloc sim: --csv: cannot write %s: %s\n", o->csv_file,
			strerror(errno));
		return SIM_EXIT_FAIL;
	}
	return SIM_EXIT_OK;
}

/* Close the CSV file; SIM_EXIT_FAIL if any write to it failed. */
static int close_outputs(const struct sim_opts *o, struct outputs *w, FILE *err)
{
	int rc = SIM_EXIT_OK;

	if (w->csv && !w->csv_std && fclose(w->csv)) {
		fprintf(err, "gigalloc sim: cannot write %s: %s\n", o->csv_file,
			strerror(errno));
		rc = SIM_EXIT_FAIL;
	}
	w->csv = NULL;
	return rc;
}

static int write_outputs(const struct sim_opts *o, const struct sim_report *r,
			 struct outputs *w, FILE *out, FILE *err)
{
	const struct sim_seed_report sr = {
		.base = *r, .nr_policies = r->nr / (o->nr_seeds ? o->nr_seeds : 1),
		.nr_seeds = o->nr_seeds, .seeds = o->seeds,
	};
	bool multi = o->nr_seeds > 1;
	char msg[512];
	int rc = SIM_EXIT_OK;

	/* "--csv -" has standard output to itself. */
	if (o->json && multi)
		sim_seeds_json(out, &sr);
	else if (o->json)
		sim_report_json(out, r);
	else if (!w->csv_std && multi)
		sim_seeds_table(out, &sr);
	else if (!w->csv_std)
		sim_report_table(out, r);
	if (w->csv && multi)
		sim_seeds_csv(w->csv, &sr);
	else if (w->csv)
		sim_report_csv(w->csv, r);
	if (o->report_dir && sim_report_html(o->report_dir, r, msg, sizeof(msg))) {
		fprintf(err, "gigalloc sim: %s\n", msg);
		rc = SIM_EXIT_FAIL;
	}
	if (fflush(out) || ferror(out)) {
		fprintf(err, "gigalloc sim: write error on the output: %s\n",
			strerror(errno));
		rc = SIM_EXIT_FAIL;
	}
	return rc;
}

static int check_results(const struct jobs *j, FILE *err)
{
	int rc = SIM_EXIT_OK;

	for (size_t i = 0; i < j->nr; i++) {
		if (j->res[i].wstats.anomalies)
			fprintf(err, "gigalloc sim: warning: %s: the library made %llu "
				"callbacks for allocations the workload does not hold "
				"(refused with -EBUSY); first: %s\n", j->res[i].policy,
				(unsigned long long)j->res[i].wstats.anomalies,
				j->res[i].anomaly);
		if (!j->res[i].err)
			continue;
		fprintf(err, "gigalloc sim: run failed: %s\n", j->res[i].errmsg);
		rc = SIM_EXIT_FAIL;
	}
	return rc;
}

static int simulate(const struct sim_opts *o, const struct sim_profile *prof,
		    FILE *out, FILE *err)
{
	size_t max = SIM_MAX_POLICIES * (o->nr_seeds ? o->nr_seeds : 1);
	struct sim_config *cfg = calloc(max, sizeof(*cfg));
	struct sim_result *res = calloc(max, sizeof(*res));
	uint32_t *progress = calloc(max, sizeof(*progress));
	struct sim_phase *phase = calloc(max, sizeof(*phase));
	struct sim_progress_run *view = calloc(max, sizeof(*view));
	double *since = calloc(max, sizeof(*since));
	struct jobs j = { .cfg = cfg, .res = res, .progress = progress, .phase = phase,
			  .view = view, .since = since };
	struct sim_report r = { 0 };
	struct outputs w;
	double t0 = now_s();
	int rc, rc2;

	if (!cfg || !res || !progress || !phase || !view || !since) {
		fprintf(err, "gigalloc sim: out of memory\n");
		free(cfg);
		free(res);
		free(progress);
		free(phase);
		free(view);
		free(since);
		return SIM_EXIT_FAIL;
	}
	rc = open_outputs(o, &w, out, err);
	if (!rc)
		rc = make_configs(o, prof, &j, err);
	if (!rc) {
		unsigned int jobs = auto_jobs(o, j.nr);

		run_jobs(&j, jobs, !o->no_progress && (o->progress || isatty(2)), err);
		r = (struct sim_report){
			.profile = prof, .mem_bytes = o->mem_bytes, .cpus = o->cpus,
			.layout = o->layout,
			.duration = cfg[0].duration, .turnovers = cfg[0].turnovers,
			.seed = o->nr_seeds ? o->seeds[0] : o->seed, .sets = o->sets, .nr_sets = o->nr_sets,
			.res = res, .nr = j.nr, .wall_s = now_s() - t0, .jobs = jobs,
			.nr_seeds = o->nr_seeds, .seeds = o->seeds,
		};
		rc = check_results(&j, err);
		if (!rc)
			rc = write_outputs(o, &r, &w, out, err);
	}
	rc2 = close_outputs(o, &w, err);
	rc = rc ? rc : rc2;
	for (size_t i = 0; i < j.nr; i++)
		sim_result_free(&res[i]);
	free(res);
	free(cfg);
	free(progress);
	free(phase);
	free(view);
	free(since);
	return rc;
}

int sim_main(const struct sim_opts *o, FILE *out, FILE *err)
{
	struct sim_profile *prof;
	char msg[1024];
	int rc;

	if (o->list_profiles)
		return list_profiles(out, err);
	if (o->show_profile)
		return show_profile(o->show_profile, out, err);
	prof = malloc(sizeof(*prof));
	if (!prof) {
		fprintf(err, "gigalloc sim: out of memory\n");
		return SIM_EXIT_FAIL;
	}
	rc = sim_profile_load(prof, o->profile, msg, sizeof(msg));
	if (rc) {
		fprintf(err, "gigalloc sim: %s\n", msg);
		free(prof);
		return SIM_EXIT_USAGE;
	}
	rc = simulate(o, prof, out, err);
	free(prof);
	return rc;
}
