// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_count, tap_failed;

static int tap_vok(int pass, const char *file, int line, const char *fmt,
		   va_list ap)
{
	tap_count++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   Failed test at %s line %d.\n", file, line);
	}
	fflush(stdout);
	return pass;
}

int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vok(pass, file, line, fmt, ap);
	va_end(ap);
	return r;
}

int tap_is_long(long long got, long long want, const char *file, int line,
		const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vok(got == want, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#          got: %lld\n#     expected: %lld\n", got, want);
	return r;
}

int tap_zone_ok(struct ga_zone *z, const char *file, int line,
		const char *fmt, ...)
{
	char err[512] = "";
	int rc = ga_zone_check(z, err, sizeof(err));
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vok(rc == 0, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   invariant violated: %s\n", err);
	return r;
}

void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int tap_failures(void)
{
	return tap_failed;
}

int done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

struct ga_policy test_policy(bool pcp)
{
	struct ga_policy p;

	ga_policy_preset(&p, "vanilla");
	p.pcp = pcp;
	p.min_free_kbytes = 16;		/* min watermark: 4 pages */
	p.watermark_scale_factor = 1;
	return p;
}

struct ga_zone *test_zone(unsigned long nr_pages, unsigned int nr_cpus,
			  const struct ga_policy *policy)
{
	struct ga_zone_config cfg;
	struct ga_zone *z;
	int err;

	ga_zone_config_default(&cfg, 0, nr_pages, nr_cpus);
	cfg.policy = policy;
	err = ga_zone_create(&z, &cfg);
	if (err) {
		printf("Bail out! ga_zone_create: %d\n", err);
		exit(1);
	}
	return z;
}
