/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Where an output came from, written into every output (JSON "version"
 * object, CSV header comment, HTML footer, text tables, inspect snapshot):
 * gigalloc's version, the git commit it was built from (when built from a
 * git checkout), the full command line, the date (UTC) and the host's
 * kernel release.
 *
 * One record per process: the CLI's main sets the command line once
 * before anything runs; programs that never set it (the tests) get
 * "(library)" as the command. The date is taken at that first call.
 */
#ifndef GA_SIM_PROVENANCE_H
#define GA_SIM_PROVENANCE_H

#include <stddef.h>
#include <stdio.h>

#include "json.h"

struct provenance {
	const char *version;	/* ga_version() */
	const char *commit;	/* "abc123def456[-dirty]" or "" */
	char command[2048];	/* argv, shell-quoted where needed */
	char date[32];		/* 2026-12-06T14:05:00Z */
	char kernel[128];	/* uname -r, or "unknown" */
};

/* Record argv as the command line (call once, first thing in main). */
void provenance_set_command(int argc, char **argv);
const struct provenance *provenance_get(void);

/* "gigalloc 0.1.0 (git abc123), 2026-12-06T14:05:00Z, Linux 6.1.0-18-amd64" */
void provenance_summary(char *buf, size_t len);
/* The "version" object of every JSON output. */
void provenance_json(struct jw *j);
/* "<prefix>version: <summary>\n<prefix>command: <command line>\n" */
void provenance_lines(FILE *f, const char *prefix);

#endif /* GA_SIM_PROVENANCE_H */
