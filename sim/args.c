// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The shared option parser (see args.h for the conventions). Table-driven
 * and allocation-free: a command walks argv with args_next() and switches
 * on the index it gets back.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "options.h"

static int aerr(char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int aerr(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (err && n) {
		va_start(ap, fmt);
		vsnprintf(err, n, fmt, ap);
		va_end(ap);
	}
	return ARGS_ERROR;
}

void args_init(struct args *a, int argc, char **argv)
{
	memset(a, 0, sizeof(*a));
	a->argc = argc;
	a->argv = argv;
}

bool args_want_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	}
	return false;
}

static int short_opt(struct args *a, const char *arg, const struct args_opt *opts,
		     size_t nr, char *err, size_t n)
{
	a->name = arg;
	a->name_len = (int)strlen(arg);
	if (arg[2] == 0)
		for (size_t k = 0; k < nr; k++)
			if (opts[k].short_name && opts[k].short_name == arg[1] &&
			    !opts[k].has_arg)
				return (int)k;
	return aerr(err, n, "unknown option '%s'", arg);
}

int args_next(struct args *a, const struct args_opt *opts, size_t nr,
	      char *err, size_t n)
{
	const char *arg, *eq;
	size_t len;

	a->value = NULL;
	if (a->i >= a->argc)
		return ARGS_END;
	arg = a->argv[a->i++];
	if (!a->operands_only && !strcmp(arg, "--")) {
		a->operands_only = true;
		return args_next(a, opts, nr, err, n);
	}
	if (a->operands_only || arg[0] != '-' || !arg[1]) {
		a->value = arg;		/* "-" alone is an operand (stdin) */
		return ARGS_OPERAND;
	}
	if (arg[1] != '-')
		return short_opt(a, arg, opts, nr, err, n);
	eq = strchr(arg, '=');
	len = eq ? (size_t)(eq - arg) : strlen(arg);
	a->name = arg;
	a->name_len = (int)len;
	for (size_t k = 0; k < nr; k++) {
		if (strlen(opts[k].name) != len || strncmp(opts[k].name, arg, len))
			continue;
		if (!opts[k].has_arg) {
			if (eq)
				return aerr(err, n, "option '%.*s' takes no value",
					    (int)len, arg);
			return (int)k;
		}
		if (eq)
			a->value = eq + 1;
		else if (a->i < a->argc)
			a->value = a->argv[a->i++];
		else
			return aerr(err, n, "option '%s' needs a value", arg);
		if (!*a->value)
			return aerr(err, n, "option '%.*s' needs a non-empty value",
				    (int)len, arg);
		return (int)k;
	}
	return aerr(err, n, "unknown option '%.*s'", (int)len, arg);
}

int args_parse_size(const char *s, uint64_t *bytes)
{
	static const char suffixes[] = "KMGT";
	unsigned int shift = 0;
	const char *end, *suf;
	uint64_t v;
	int err = sim_parse_u64(s, &v, &end);

	if (err)
		return err;
	if (*end) {
		char c = *end >= 'a' && *end <= 'z' ? (char)(*end - 'a' + 'A') : *end;

		suf = strchr(suffixes, c);
		if (!c || !suf || !(end[1] == 0 || !strcasecmp(end + 1, "iB") ||
				    !strcasecmp(end + 1, "B")))
			return -EINVAL;
		shift = 10 * (unsigned int)(suf - suffixes + 1);
	}
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	*bytes = v << shift;
	return 0;
}

/* 2097152 -> "2M": the form people type. */
static void short_size(uint64_t b, char *buf, size_t len)
{
	static const char units[] = "BKMGT";
	unsigned int u = 0;

	while (u < 4 && b >= 1024 && !(b & 1023)) {
		b >>= 10;
		u++;
	}
	snprintf(buf, len, "%llu%.*s", (unsigned long long)b, u ? 1 : 0, &units[u]);
}

int args_parse_mem(const char *opt, const char *v, uint64_t min, uint64_t max,
		   uint64_t align, uint64_t *out, char *err, size_t n)
{
	char lo[32], hi[32], al[32];
	uint64_t x;
	int rc = args_parse_size(v, &x);

	if (rc) {
		aerr(err, n, "%s '%s': %s (want e.g. 64G, 512M, 1T)", opt, v,
		     rc == -ERANGE ? "too large" : "not a size");
		return ARGS_EXIT_USAGE;
	}
	short_size(min, lo, sizeof(lo));
	short_size(max, hi, sizeof(hi));
	if (x < min || x > max) {
		aerr(err, n, "%s '%s': out of range %s..%s", opt, v, lo, hi);
		return ARGS_EXIT_USAGE;
	}
	if (align && x % align) {
		short_size(align, al, sizeof(al));
		aerr(err, n, "%s '%s': not a multiple of %s (the pageblock)", opt, v, al);
		return ARGS_EXIT_USAGE;
	}
	*out = x;
	return 0;
}

int args_check_output(const char *opt, const char *path, char *err, size_t n)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct stat st;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (stat(dir, &st)) {
		aerr(err, n, "%s: cannot write %s: %s", opt, path, strerror(errno));
		return ARGS_EXIT_FAIL;
	}
	if (!S_ISDIR(st.st_mode)) {
		aerr(err, n, "%s: cannot write %s: %s is not a directory", opt, path, dir);
		return ARGS_EXIT_FAIL;
	}
	if (access(dir, W_OK | X_OK)) {
		aerr(err, n, "%s: cannot write %s: %s", opt, path, strerror(errno));
		return ARGS_EXIT_FAIL;
	}
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		aerr(err, n, "%s: cannot write %s: a directory", opt, path);
		return ARGS_EXIT_FAIL;
	}
	return 0;
}
