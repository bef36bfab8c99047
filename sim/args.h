/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The one command-line option parser every gigalloc subcommand uses, so
 * they all follow the same conventions:
 *
 *   --name value  and  --name=value     for an option that takes a value
 *   --name                              for a flag (--name=x is refused)
 *   -h, --help                          everywhere; help wins over any
 *                                       other error on the line
 *   --                                  ends the options; the rest are
 *                                       operands even if they start with -
 *
 * and one grammar for sizes (args_parse_mem). Exit codes are the same
 * everywhere: ARGS_EXIT_OK 0, ARGS_EXIT_FAIL 1 (the work failed, an
 * output could not be written), ARGS_EXIT_USAGE 2 (bad options or input).
 *
 * It lives in the simulator library (not cli/) because `sim`'s option
 * parsing is there too, where the tests check it without a process.
 */
#ifndef GA_SIM_ARGS_H
#define GA_SIM_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARGS_EXIT_OK	0
#define ARGS_EXIT_FAIL	1
#define ARGS_EXIT_USAGE	2

/* The sentence every --help ends with (and the man pages repeat). */
#define ARGS_EXIT_HELP \
	"exit status: 0 success, 1 runtime failure (including an output that\n" \
	"could not be written), 2 usage error (bad options or input).\n"

struct args_opt {
	const char *name;	/* "--mem" */
	char short_name;	/* 'h' for -h, or 0 */
	bool has_arg;
};

struct args {
	int argc;
	char **argv;
	int i;			/* next argv index */
	bool operands_only;	/* "--" seen */
	const char *value;	/* the option's value, or the operand */
	const char *name;	/* the option as written, up to any '=' */
	int name_len;
};

#define ARGS_END	(-1)	/* argv is used up */
#define ARGS_OPERAND	(-2)	/* a non-option word, in a->value */
#define ARGS_ERROR	(-3)	/* message in err */

void args_init(struct args *a, int argc, char **argv);

/*
 * The next option's index in opts[0..nr), ARGS_OPERAND, ARGS_END, or
 * ARGS_ERROR with a one-line message in err (unknown option, missing or
 * empty value, a value given to a flag).
 */
int args_next(struct args *a, const struct args_opt *opts, size_t nr,
	      char *err, size_t errlen);

/* -h or --help before any "--": the command prints its help and exits 0
 * whatever else is wrong with the line. */
bool args_want_help(int argc, char **argv);

/*
 * The size grammar of every subcommand: a decimal number of bytes with an
 * optional binary suffix K, M, G or T (any case, optionally followed by
 * "B" or "iB": 64G = 64GiB = 64gb). Returns 0, -EINVAL, -ERANGE.
 */
int args_parse_size(const char *s, uint64_t *bytes);

/*
 * A memory size for option `opt`: the size grammar, in [min, max], a
 * multiple of `align` (0: any). 0 or ARGS_EXIT_USAGE with the message every
 * subcommand gives ("--mem 'x': not a size (want e.g. 64G, 512M, 1T)").
 */
int args_parse_mem(const char *opt, const char *v, uint64_t min, uint64_t max,
		   uint64_t align, uint64_t *out, char *err, size_t errlen);

/*
 * An output file option checked before any work: the directory `path`
 * would be created in exists and is writable, and path is no directory.
 * 0, or ARGS_EXIT_FAIL with "--trace-events: cannot write x/y: why".
 * (For a file that is written later, or once per run under a suffix.)
 */
int args_check_output(const char *opt, const char *path, char *err, size_t errlen);

#endif /* GA_SIM_ARGS_H */
