/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * `gigalloc sim` once the options are parsed: load the profile, run every
 * policy (on up to --jobs threads), show progress, write the outputs.
 */
#ifndef GA_SIM_DRIVER_H
#define GA_SIM_DRIVER_H

#include <stdio.h>

#include "options.h"

/* Returns SIM_EXIT_OK, SIM_EXIT_FAIL (a run failed) or SIM_EXIT_USAGE. */
int sim_main(const struct sim_opts *o, FILE *out, FILE *err);

#endif /* GA_SIM_DRIVER_H */
