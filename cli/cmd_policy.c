// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * gigalloc policy: print a preset's parameter table, from the library's
 * own description of every switch (src/policy.c).
 */
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "gigalloc.h"

static const char *const prog = CLI_PROG;

/* ------------------------------------------------------------------------ */
/* policy                                                                    */

static void policy_usage(FILE *f)
{
	fprintf(f,
"usage: %s policy [--policy NAME]\n"
"\n"
"Print every parameter of a policy preset (default vanilla): its value,\n"
"valid range, the kernel symbol it models, and what it does. Any of them\n"
"can be changed with --set name=value in sim, replay and demo.\n"
"\n"
"  --policy NAME   the preset (default vanilla)\n"
"  -h, --help      this help\n"
"\n"
ARGS_EXIT_HELP, prog);
}

static void print_param(const struct ga_param_info *pi,
			const struct ga_policy *p)
{
	const char *field = (const char *)p + pi->offset;
	char value[16], range[32];

	if (pi->type == GA_PARAM_BOOL) {
		snprintf(value, sizeof(value), "%s",
			 *(const bool *)field ? "on" : "off");
		snprintf(range, sizeof(range), "on/off");
	} else {
		snprintf(value, sizeof(value), "%u", *(const unsigned int *)field);
		snprintf(range, sizeof(range), "%u..%u", pi->min, pi->max);
	}
	printf("%-24s %-8s %-14s %s\n%-24s %s\n", pi->name, value, range,
	       pi->source, "", pi->help);
}

int cmd_policy(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{ "--policy", 0, true }, { "--help", 'h', false },
	};
	struct args a;
	const char *name = "vanilla";
	const struct ga_param_info *params;
	struct ga_policy policy;
	size_t nr;
	int k;

	if (args_want_help(argc, argv))
		return cli_help(policy_usage);
	args_init(&a, argc, argv);
	while ((k = cli_next_opt(&a, "policy", opts, 2)) >= 0)
		name = a.value;
	cli_load_preset("policy", &policy, name);
	params = ga_policy_params(&nr);
	printf("policy %s\n\n%-24s %-8s %-14s %s\n", name, "parameter", "value",
	       "range", "source");
	for (size_t i = 0; i < nr; i++)
		print_param(&params[i], &policy);
	return 0;
}

