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

static void draw_progress(FILE *f, const struct jobs *j, double elapsed)
{
	char bar[31];
	uint32_t sum = 0;

	for (size_t i = 0; i < j->nr; i++)
		sum += __atomic_load_n(&j->progress[i], __ATOMIC_RELAXED);
	sum /= (uint32_t)j->nr;
	for (int k = 0; k < 30; k++)
		bar[k] = k < (int)(sum * 30 / 1000) ? '#' : '.';
	bar[30] = 0;
	fprintf(f, "\rsim [%s] %3u%%", bar, sum / 10);
	for (size_t i = 0; i < j->nr && j->nr <= SIM_MAX_POLICIES; i++)
		fprintf(f, "  %s %u%%", j->cfg[i].policy_name,
			__atomic_load_n(&j->progress[i], __ATOMIC_RELAXED) / 10);
	if (j->nr > SIM_MAX_POLICIES)
		fprintf(f, "  %zu runs", j->nr);
	fprintf(f, "  %.0f s ", elapsed);
	fflush(f);
}

static bool all_done(const struct jobs *j)
{
	for (size_t i = 0; i < j->nr; i++)
		if (__atomic_load_n(&j->progress[i], __ATOMIC_RELAXED) < 1000)
			return false;
	return true;
}

static size_t ga_min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
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
			draw_progress(err, j, now_s() - t0);
			drawn = true;
		}
	}
	for (unsigned int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (drawn)
		fprintf(err, "\r%*s\r", 60 + 16 * (int)ga_min_sz(j->nr, SIM_MAX_POLICIES), "");
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
 * the wall time changes.
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
	if (cpus > 0 && jobs > (unsigned long)cpus)
		jobs = (unsigned int)cpus;
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

static int write_outputs(const struct sim_opts *o, const struct sim_report *r,
			 FILE *out, FILE *err)
{
	const struct sim_seed_report sr = {
		.base = *r, .nr_policies = r->nr / (o->nr_seeds ? o->nr_seeds : 1),
		.nr_seeds = o->nr_seeds, .seeds = o->seeds,
	};
	bool multi = o->nr_seeds > 1;
	char msg[512];
	int rc = SIM_EXIT_OK;

	if (multi && o->json)
		sim_seeds_json(out, &sr);
	else if (multi)
		sim_seeds_table(out, &sr);
	else if (o->json)
		sim_report_json(out, r);
	else
		sim_report_table(out, r);
	if (o->csv_file) {
		bool std = !strcmp(o->csv_file, "-");
		FILE *f = std ? out : fopen(o->csv_file, "w");

		if (!f) {
			fprintf(err, "gigalloc sim: cannot write %s: %s\n", o->csv_file,
				strerror(errno));
			rc = SIM_EXIT_FAIL;
		} else {
			if (multi)
				sim_seeds_csv(f, &sr);
			else
				sim_report_csv(f, r);
			if (!std && fclose(f)) {
				fprintf(err, "gigalloc sim: cannot write %s: %s\n",
					o->csv_file, strerror(errno));
				rc = SIM_EXIT_FAIL;
			}
		}
	}
	if (o->report_dir && sim_report_html(o->report_dir, r, msg, sizeof(msg))) {
		fprintf(err, "gigalloc sim: %s\n", msg);
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
	struct jobs j = { .cfg = cfg, .res = res, .progress = progress };
	struct sim_report r = { 0 };
	double t0 = now_s();
	int rc;

	if (!cfg || !res || !progress) {
		fprintf(err, "gigalloc sim: out of memory\n");
		free(cfg);
		free(res);
		free(progress);
		return SIM_EXIT_FAIL;
	}
	rc = make_configs(o, prof, &j, err);
	if (!rc) {
		unsigned int jobs = auto_jobs(o, j.nr);

		run_jobs(&j, jobs, !o->no_progress && (o->progress || isatty(2)), err);
		r = (struct sim_report){
			.profile = prof, .mem_bytes = o->mem_bytes, .cpus = o->cpus,
			.duration = cfg[0].duration, .turnovers = cfg[0].turnovers,
			.seed = o->nr_seeds ? o->seeds[0] : o->seed, .sets = o->sets, .nr_sets = o->nr_sets,
			.res = res, .nr = j.nr, .wall_s = now_s() - t0, .jobs = jobs,
		};
		rc = check_results(&j, err);
		if (!rc)
			rc = write_outputs(o, &r, out, err);
	}
	for (size_t i = 0; i < j.nr; i++)
		sim_result_free(&res[i]);
	free(res);
	free(cfg);
	free(progress);
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
