// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * gigalloc sim: run a workload profile against every policy preset (or
 * those named) and print the comparison. Parsing, running and reporting
 * live in the simulator library (sim/); this file is the command's face:
 * its help text and its exit codes.
 */
#include <stdio.h>

#include "args.h"
#include "commands.h"
#include "driver.h"
#include "options.h"

static void sim_usage(FILE *f)
{
	fputs(
"usage: gigalloc sim [options]\n"
"\n"
"Simulate a machine whose memory a workload keeps full, once per policy,\n"
"and compare how each keeps 1 GiB regions free of unmovable memory. At the\n"
"end, with the workload resident, 1 GiB pages are allocated until the\n"
"contiguous allocator fails. Results are a pure function of the inputs and\n"
"the seed (timing figures aside).\n"
"\n"
"options:\n"
"  --mem SIZE            simulated memory (default 64G; e.g. 2G, 256G, 1T)\n"
"  --layout NAME         the machine's physical layout: flat (default: one\n"
"                        zone of --mem from pfn 0) or server (a node as an\n"
"                        x86-64 server has it: DMA below 16 MiB, DMA32 of\n"
"                        ~3 GiB below 4 GiB with the PCI hole above it,\n"
"                        Normal from 4 GiB with the rest of --mem; each\n"
"                        request walks its zonelist with lowmem_reserve;\n"
"                        one kswapd balances the node)\n"
"  --cpus N              CPUs, for the per-CPU lists (default 8)\n"
"  --profile NAME|FILE   workload: a built-in profile or a profile file\n"
"                        (default mixed; see --list-profiles)\n"
"  --duration D          simulated time (600s, 10m), memory turnovers (3x),\n"
"                        or both (600s,3x: whichever comes first);\n"
"                        default: the profile's\n"
"  --seed N              random seed (default 1)\n"
"  --seeds LIST          run each policy once per seed (1-10, 1,4,9 or both)\n"
"                        and report mean, sd and 95 % interval per figure,\n"
"                        marking differences the intervals do not separate\n"
"  --policy A,B,...      policies to compare (default: vanilla,rfc,spb)\n"
"  --set NAME=VALUE      set a policy parameter in every policy run\n"
"                        (repeatable; 'gigalloc policy' lists them)\n"
"  --json                print one JSON object instead of the table\n"
"  --csv FILE            write the time series as CSV ('-': stdout)\n"
"  --trace-events FILE   write the RFC 40 SPB events as ftrace text (one\n"
"                        file per policy: FILE.<policy> when several)\n"
"  --report DIR          write DIR/index.html with memory maps and charts\n"
"                        (with --seeds: the mean and spread over the seeds)\n"
"  --gib-test-every T    also run the 1 GiB test every T simulated time\n"
"                        (its 1 GiB pages are freed again afterwards)\n"
"  --samples N           time-series points per run (default 50)\n"
"  --jobs N              runs in parallel (default: one per CPU, as fit in\n"
"                        half the available memory)\n"
"  --progress            progress bar even if stderr is not a terminal\n"
"  --no-progress         no progress bar\n"
"  --list-profiles       list the built-in profiles\n"
"  --show-profile NAME   print a profile's text (a start for your own)\n"
"  -h, --help            this help\n"
"\n"
"SIZE: a number of bytes with an optional K, M, G or T suffix (64G, 512M),\n"
"a multiple of 2M (one pageblock), as in every subcommand.\n"
"Options take --opt value or --opt=value; '--' ends them.\n"
"The profile format and every metric are described in docs/SIMULATOR.md.\n"
"\n" ARGS_EXIT_HELP,
	      f);
}

int cmd_sim(int argc, char **argv)
{
	struct sim_opts o;
	char err[1024];
	int rc;

	sim_opts_default(&o);
	rc = sim_opts_parse(&o, argc, argv, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "gigalloc sim: %s\nTry 'gigalloc sim --help'.\n", err);
		return rc;
	}
	if (o.help) {
		sim_usage(stdout);
		return SIM_EXIT_OK;
	}
	return sim_main(&o, stdout, stderr);
}
