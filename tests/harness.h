/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A small TAP producer for the tests, read by `prove`. Each ok() is one
 * test point; done_testing() prints the plan and returns the exit code.
 */
#ifndef GA_TEST_HARNESS_H
#define GA_TEST_HARNESS_H

#include <stdbool.h>

#include "gigalloc.h"

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_long(got, want, ...) \
	tap_is_long((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define zone_ok(z, ...) tap_zone_ok((z), __FILE__, __LINE__, __VA_ARGS__)

int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int tap_is_long(long long got, long long want, const char *file, int line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Run the invariant checker; one test point. */
int tap_zone_ok(struct ga_zone *z, const char *file, int line,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int done_testing(void);
int tap_failures(void);

/* A small zone for constructed scenarios: nr_pages from pfn 0, given
 * policy (NULL = vanilla), low watermarks so tests can fill it. */
struct ga_zone *test_zone(unsigned long nr_pages, unsigned int nr_cpus,
			  const struct ga_policy *policy);
/* A vanilla policy with tiny watermarks and, if !pcp, no pcp lists. */
struct ga_policy test_policy(bool pcp);

/* Deterministic PRNG (xorshift64*). */
static inline unsigned long long test_rand(unsigned long long *state)
{
	unsigned long long x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

#endif
