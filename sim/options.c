// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * `gigalloc sim` option parsing. Options are long only, "--name value" or
 * "--name=value"; every refusal says which option and why, because the
 * scripts that drive the simulator depend on exact flag names and a silent
 * default would measure the wrong thing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "options.h"
#include "profile.h"
#include "run.h"

#define MIN_MEM		(64ull << 20)
#define MAX_MEM		(16ull << 40)	/* pfns fit the 32-bit record field */
#define PB_BYTES	(2ull << 20)

static int oerr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int oerr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return SIM_EXIT_USAGE;
}

void sim_opts_default(struct sim_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mem_bytes = 64ull << 30;
	o->cpus = 8;
	o->profile = "mixed";
	o->seed = 1;
}

/* ------------------------------------------------------------------------ */
/* Values.                                                                   */

int sim_parse_u64(const char *s, uint64_t *v, const char **end)
{
	uint64_t x = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (x > (UINT64_MAX - d) / 10)
			return -ERANGE;
		x = x * 10 + d;
	}
	*v = x;
	*end = s;
	return 0;
}

void sim_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	while (u < 4 && bytes >= 1024 && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)bytes, units[u]);
}

int sim_parse_uint_range(const char *s, uint64_t min, uint64_t max,
			 uint64_t *out)
{
	const char *end;
	uint64_t v;
	int err = sim_parse_u64(s, &v, &end);

	if (err)
		return err;
	if (*end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Each option.                                                              */

static int opt_mem(struct sim_opts *o, const char *v, char *err, size_t n)
{
	return args_parse_mem("--mem", v, MIN_MEM, MAX_MEM, PB_BYTES, &o->mem_bytes,
			      err, n);
}

static int opt_cpus(struct sim_opts *o, const char *v, char *err, size_t n)
{
	uint64_t x;
	int rc = sim_parse_uint_range(v, 1, GA_MAX_CPUS, &x);

	if (rc)
		return oerr(err, n, "--cpus '%s': %s", v, rc == -ERANGE ?
			    "out of range 1..1024" : "not a number");
	o->cpus = (unsigned int)x;
	return 0;
}

static int opt_duration(struct sim_opts *o, const char *v, char *err, size_t n)
{
	if (sim_parse_duration(v, &o->duration, &o->turnovers))
		return oerr(err, n, "--duration '%s': want simulated time (600s, 10m, 1h), "
			    "turnovers (3x) or both (600s,3x: whichever comes first)", v);
	if (o->duration > 100 * 24 * 3600)
		return oerr(err, n, "--duration '%s': longer than 100 days", v);
	return 0;
}

static bool preset_exists(const char *name, size_t len)
{
	for (const char *const *p = ga_policy_preset_names(); *p; p++)
		if (strlen(*p) == len && !strncmp(*p, name, len))
			return true;
	return false;
}

static int policy_list_err(char *err, size_t n, const char *name, size_t len)
{
	size_t k = (size_t)snprintf(err, n, "--policy: unknown policy '%.*s'; presets:",
				    (int)len, name);

	for (const char *const *p = ga_policy_preset_names(); *p && k < n; p++)
		k += (size_t)snprintf(err + k, n - k, " %s", *p);
	return SIM_EXIT_USAGE;
}

/* "a,b,c": each a preset, none twice. */
static int opt_policy(struct sim_opts *o, const char *v, char *err, size_t n)
{
	char *buf = o->policy_buf, *tok, *save = NULL;

	if (strlen(v) >= sizeof(o->policy_buf))
		return oerr(err, n, "--policy: list too long");
	strcpy(buf, v);
	o->nr_policies = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!preset_exists(tok, strlen(tok)))
			return policy_list_err(err, n, tok, strlen(tok));
		for (unsigned int i = 0; i < o->nr_policies; i++)
			if (!strcmp(o->policies[i], tok))
				return oerr(err, n, "--policy: '%s' given twice", tok);
		if (o->nr_policies == SIM_MAX_POLICIES)
			return oerr(err, n, "--policy: more than %d policies",
				    SIM_MAX_POLICIES);
		o->policies[o->nr_policies++] = tok;
	}
	if (!o->nr_policies)
		return oerr(err, n, "--policy: empty list");
	return 0;
}

static int opt_seed(struct sim_opts *o, const char *v, char *err, size_t n)
{
	if (sim_parse_uint_range(v, 0, UINT64_MAX, &o->seed))
		return oerr(err, n, "--seed '%s': want an unsigned decimal number", v);
	o->seed_set = true;
	return 0;
}

int sim_parse_seeds(const char *s, uint64_t *seeds, unsigned int max)
{
	unsigned int n = 0;

	for (;;) {
		uint64_t a, b;
		const char *end;

		if (sim_parse_u64(s, &a, &end))
			return -EINVAL;
		b = a;
		if (*end == '-' && sim_parse_u64(end + 1, &b, &end))
			return -EINVAL;
		if (b < a || b - a >= max - n)
			return -ERANGE;
		for (uint64_t x = a;; x++) {
			for (unsigned int i = 0; i < n; i++)
				if (seeds[i] == x)
					return -EEXIST;
			seeds[n++] = x;
			if (x == b)
				break;
		}
		if (!*end)
			return (int)n;
		if (*end != ',')
			return -EINVAL;
		s = end + 1;
	}
}

static int opt_seeds(struct sim_opts *o, const char *v, char *err, size_t n)
{
	int rc = sim_parse_seeds(v, o->seeds, SIM_MAX_SEEDS);

	if (rc == -ERANGE)
		return oerr(err, n, "--seeds '%s': a range backwards or more than %d "
			    "seeds", v, SIM_MAX_SEEDS);
	if (rc == -EEXIST)
		return oerr(err, n, "--seeds '%s': a seed given twice", v);
	if (rc < 0)
		return oerr(err, n, "--seeds '%s': want seeds and ranges separated by "
			    "commas (e.g. 1-10, or 1,4,9)", v);
	o->nr_seeds = (unsigned int)rc;
	return 0;
}

static int opt_gib_every(struct sim_opts *o, const char *v, char *err, size_t n)
{
	if (sim_parse_time(v, &o->gib_test_every) || o->gib_test_every < 1)
		return oerr(err, n, "--gib-test-every '%s': want a simulated time of "
			    "at least 1s (e.g. 60s, 5m)", v);
	return 0;
}

static int opt_small_uint(const char *name, const char *v, uint64_t min,
			  uint64_t max, unsigned int *out, char *err, size_t n)
{
	uint64_t x;

	if (sim_parse_uint_range(v, min, max, &x))
		return oerr(err, n, "%s '%s': want a number in %llu..%llu", name, v,
			    (unsigned long long)min, (unsigned long long)max);
	*out = (unsigned int)x;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The option table.                                                         */

enum opt_id {
	O_MEM, O_CPUS, O_PROFILE, O_DURATION, O_SEED, O_POLICY, O_SET, O_JSON,
	O_REPORT, O_CSV, O_PROGRESS, O_NO_PROGRESS, O_GIB_EVERY, O_SAMPLES,
	O_JOBS, O_LIST_PROFILES, O_SHOW_PROFILE, O_HELP, O_SEEDS, O_TRACE_EVENTS,
	O_LAYOUT,
};

static const struct args_opt opts[] = {
	[O_MEM] = { "--mem", 0, true },
	[O_CPUS] = { "--cpus", 0, true },
	[O_PROFILE] = { "--profile", 0, true },
	[O_DURATION] = { "--duration", 0, true },
	[O_SEED] = { "--seed", 0, true },
	[O_POLICY] = { "--policy", 0, true },
	[O_SET] = { "--set", 0, true },
	[O_JSON] = { "--json", 0, false },
	[O_REPORT] = { "--report", 0, true },
	[O_CSV] = { "--csv", 0, true },
	[O_PROGRESS] = { "--progress", 0, false },
	[O_NO_PROGRESS] = { "--no-progress", 0, false },
	[O_GIB_EVERY] = { "--gib-test-every", 0, true },
	[O_SAMPLES] = { "--samples", 0, true },
	[O_JOBS] = { "--jobs", 0, true },
	[O_LIST_PROFILES] = { "--list-profiles", 0, false },
	[O_SHOW_PROFILE] = { "--show-profile", 0, true },
	[O_HELP] = { "--help", 'h', false },
	[O_SEEDS] = { "--seeds", 0, true },
	[O_TRACE_EVENTS] = { "--trace-events", 0, true },
	[O_LAYOUT] = { "--layout", 0, true },
};

#define NR_OPTS (sizeof(opts) / sizeof(opts[0]))

static int apply(struct sim_opts *o, enum opt_id id, const char *v, char *err,
		 size_t n)
{
	switch (id) {
	case O_MEM:		return opt_mem(o, v, err, n);
	case O_CPUS:		return opt_cpus(o, v, err, n);
	case O_PROFILE:		o->profile = v; return 0;
	case O_DURATION:	return opt_duration(o, v, err, n);
	case O_SEED:		return opt_seed(o, v, err, n);
	case O_POLICY:		return opt_policy(o, v, err, n);
	case O_SET:
		if (o->nr_sets == SIM_MAX_SETS)
			return oerr(err, n, "--set: more than %d", SIM_MAX_SETS);
		o->sets[o->nr_sets++] = v;
		return 0;
	case O_JSON:		o->json = true; return 0;
	case O_REPORT:		o->report_dir = v; return 0;
	case O_CSV:		o->csv_file = v; return 0;
	case O_TRACE_EVENTS:	o->trace_events = v; return 0;
	case O_LAYOUT:
		o->layout = sim_layout_parse(v);
		if (o->layout < 0)
			return oerr(err, n, "--layout '%s': want flat or server", v);
		return 0;
	case O_PROGRESS:	o->progress = true; return 0;
	case O_NO_PROGRESS:	o->no_progress = true; return 0;
	case O_GIB_EVERY:	return opt_gib_every(o, v, err, n);
	case O_SAMPLES:
		return opt_small_uint("--samples", v, 2, 100000, &o->samples, err, n);
	case O_JOBS:
		return opt_small_uint("--jobs", v, 1, 64, &o->jobs, err, n);
	case O_LIST_PROFILES:	o->list_profiles = true; return 0;
	case O_SHOW_PROFILE:	o->show_profile = v; return 0;
	case O_HELP:		o->help = true; return 0;
	case O_SEEDS:		return opt_seeds(o, v, err, n);
	}
	return oerr(err, n, "internal: option %d", (int)id);
}

int sim_opts_parse(struct sim_opts *o, int argc, char **argv, char *err,
		   size_t errlen)
{
	struct ga_policy scratch;
	struct args a;
	int id, rc;

	if (args_want_help(argc, argv)) {
		o->help = true;		/* help wins over any other error */
		return 0;
	}
	args_init(&a, argc, argv);
	while ((id = args_next(&a, opts, NR_OPTS, err, errlen)) != ARGS_END) {
		if (id == ARGS_ERROR)
			return SIM_EXIT_USAGE;
		if (id == ARGS_OPERAND)
			return oerr(err, errlen, "unexpected argument '%s'", a.value);
		rc = apply(o, (enum opt_id)id, a.value, err, errlen);
		if (rc)
			return rc;
	}
	if (o->help || o->list_profiles || o->show_profile)
		return 0;
	if (o->json && o->csv_file && !strcmp(o->csv_file, "-"))
		return oerr(err, errlen, "--json and --csv - both want standard output; "
			    "write the CSV to a file");
	if (o->nr_seeds && o->seed_set)
		return oerr(err, errlen, "--seed and --seeds: give one of them");
	/* Check every --set against every selected preset now, before any run. */
	if (o->nr_policies) {
		for (unsigned int k = 0; k < o->nr_policies; k++)
			if ((rc = sim_opts_policy(o, o->policies[k], &scratch, err, errlen)))
				return rc;
	} else {
		for (const char *const *p = ga_policy_compare_names(); *p; p++)
			if ((rc = sim_opts_policy(o, *p, &scratch, err, errlen)))
				return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Policies with --set applied.                                              */

static const struct ga_param_info *find_param(const char *name, size_t len)
{
	size_t nr;
	const struct ga_param_info *p = ga_policy_params(&nr);

	for (size_t i = 0; i < nr; i++)
		if (strlen(p[i].name) == len && !strncmp(p[i].name, name, len))
			return &p[i];
	return NULL;
}

static const char *errno_name(int err)
{
	return err == -ENOENT ? "-ENOENT" : err == -ERANGE ? "-ERANGE" : "-EINVAL";
}

int sim_policy_set(struct ga_policy *p, const char *a, char *err, size_t n)
{
	const char *eq = strchr(a, '=');
	const struct ga_param_info *pi;
	int len, rc;

	if (!eq || eq == a) {
		oerr(err, n, "--set '%s': expected name=value", a);
		return -EINVAL;
	}
	rc = ga_policy_set_assignment(p, a);
	if (!rc)
		return 0;
	len = (int)(eq - a);
	pi = find_param(a, (size_t)len);
	if (rc == -ENOENT || !pi)
		oerr(err, n, "--set %.*s: unknown parameter (%s); 'gigalloc policy' lists them",
		     len, a, errno_name(rc));
	else if (rc == -ERANGE && pi->type == GA_PARAM_UINT)
		oerr(err, n, "--set %.*s: value '%s' out of range %u..%u (%s)", len, a,
		     eq + 1, pi->min, pi->max, errno_name(rc));
	else if (rc == -ERANGE)
		oerr(err, n, "--set %.*s: value '%s' out of range (%s)", len, a, eq + 1,
		     errno_name(rc));
	else
		oerr(err, n, "--set %.*s: bad value '%s', expected %s (%s)", len, a, eq + 1,
		     pi->type == GA_PARAM_BOOL ? "on/off" : "an unsigned number",
		     errno_name(rc));
	return rc;
}

int sim_opts_policy(const struct sim_opts *o, const char *name,
		    struct ga_policy *p, char *err, size_t errlen)
{
	if (ga_policy_preset(p, name))
		return policy_list_err(err, errlen, name, strlen(name));
	for (unsigned int i = 0; i < o->nr_sets; i++)
		if (sim_policy_set(p, o->sets[i], err, errlen))
			return SIM_EXIT_USAGE;
	return 0;
}
