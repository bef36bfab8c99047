/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The subcommands, one file each (cli/cmd_*.c). Each takes the
 * arguments after the command name and returns the process exit code
 * (0 success, 1 runtime failure, 2 usage error).
 */
#ifndef GA_CLI_COMMANDS_H
#define GA_CLI_COMMANDS_H

/* gigalloc sim: compare policies on a simulated workload (cli/cmd_sim.c). */
int cmd_sim(int argc, char **argv);
/* gigalloc replay: replay a kernel trace under each policy (cli/cmd_replay.c). */
int cmd_replay(int argc, char **argv);
/* gigalloc inspect: a live machine's 1 GiB regions (cli/cmd_inspect.c). */
int cmd_inspect(int argc, char **argv);
/* gigalloc demo: fill a zone and churn it (cli/cmd_demo.c). */
int cmd_demo(int argc, char **argv);
/* gigalloc policy: a preset's parameter table (cli/cmd_policy.c). */
int cmd_policy(int argc, char **argv);

#endif /* GA_CLI_COMMANDS_H */
