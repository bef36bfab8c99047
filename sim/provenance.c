// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The provenance record (see provenance.h). GA_GIT_COMMIT comes from the
 * generated gitcommit.h (the Makefile rewrites it only when the checkout's
 * commit changes, so a new commit rebuilds this file alone).
 */
#include <pthread.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "gigalloc.h"
#include "gitcommit.h"
#include "provenance.h"

static struct provenance prov;
static pthread_once_t prov_once = PTHREAD_ONCE_INIT;
static int saved_argc;
static char **saved_argv;

/* Quote a word for sh when it holds anything but safe characters. */
static size_t quote(char *buf, size_t len, const char *w)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789-_./=,:+@%";
	size_t k = 0;

	if (*w && strspn(w, safe) == strlen(w))
		return (size_t)snprintf(buf, len, "%s", w);
	k += (size_t)snprintf(buf, len, "'");
	for (; *w && k < len; w++)
		k += (size_t)snprintf(buf + k, len - k, *w == '\'' ? "'\\''" : "%c", *w);
	if (k < len)
		k += (size_t)snprintf(buf + k, len - k, "'");
	return k;
}

static void prov_init(void)
{
	struct utsname u;
	time_t now = time(NULL);
	struct tm tm;
	size_t k = 0;

	prov.version = ga_version();
	prov.commit = GA_GIT_COMMIT;
	if (gmtime_r(&now, &tm))
		strftime(prov.date, sizeof(prov.date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(prov.kernel, sizeof(prov.kernel), "%s",
		 uname(&u) ? "unknown" : u.release);
	if (!saved_argv) {
		snprintf(prov.command, sizeof(prov.command), "(library)");
		return;
	}
	for (int i = 0; i < saved_argc && k < sizeof(prov.command); i++) {
		const char *w = i ? saved_argv[i] : "gigalloc";

		if (i)
			prov.command[k++] = ' ';
		if (k < sizeof(prov.command))
			k += quote(prov.command + k, sizeof(prov.command) - k, w);
	}
	prov.command[sizeof(prov.command) - 1] = 0;
}

void provenance_set_command(int argc, char **argv)
{
	saved_argc = argc;
	saved_argv = argv;
	pthread_once(&prov_once, prov_init);
}

const struct provenance *provenance_get(void)
{
	pthread_once(&prov_once, prov_init);
	return &prov;
}

void provenance_summary(char *buf, size_t len)
{
	const struct provenance *p = provenance_get();

	snprintf(buf, len, "gigalloc %s%s%s%s, %s, Linux %s", p->version,
		 p->commit[0] ? " (git " : "", p->commit, p->commit[0] ? ")" : "",
		 p->date, p->kernel);
}

void provenance_json(struct jw *j)
{
	const struct provenance *p = provenance_get();

	jw_obj(j, "version");
	jw_str(j, "gigalloc", p->version);
	if (p->commit[0])
		jw_str(j, "git_commit", p->commit);
	else
		jw_null(j, "git_commit");
	jw_str(j, "command", p->command);
	jw_str(j, "date", p->date);
	jw_str(j, "host_kernel", p->kernel);
	jw_close_obj(j);
}

void provenance_lines(FILE *f, const char *prefix)
{
	char s[256];

	provenance_summary(s, sizeof(s));
	fprintf(f, "%sversion: %s\n%scommand: %s\n", prefix, s, prefix,
		provenance_get()->command);
}
