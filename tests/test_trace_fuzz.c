// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Deterministic mutation fuzzing of the trace parser, small enough for
 * every `make check` (a couple of seconds under ASan+UBSan). Lines of the
 * recorded 6.1 excerpt are mutated (bytes flipped, ranges cut, duplicated
 * or spliced from other lines, digits and separators inserted) and parsed.
 * Beyond "no crash", two properties are checked on every input:
 *  - an accepted event survives the round trip: printing it the kernel's
 *    way and parsing that gives the same event (so nothing was half-read);
 *  - the loader accounts for every line exactly once, also for whole
 *    mutated buffers read with --lenient.
 * tests/fuzz/fuzz_ftrace.c checks the same properties under libFuzzer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ftrace.h"
#include "harness.h"
#include "trace.h"

#define MAX_LINES	4096
#define LINE_MAX_LEN	512
#define ITERATIONS	500000
#define BUFFERS		300

struct corpus {
	char *text;
	const char *line[MAX_LINES];
	size_t len[MAX_LINES];
	size_t nr;
};

static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)(test_rand(&rng) % n);
}

static int load_corpus(struct corpus *c)
{
	const char *dir = getenv("GA_TEST_DATA") ? getenv("GA_TEST_DATA") : "tests/data";
	char path[512];
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/trace-6.1-excerpt.txt", dir);
	f = fopen(path, "rb");
	if (!f)
		return -ENOENT;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	c->text = malloc((size_t)n + 1);
	if (!c->text || fread(c->text, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	c->text[n] = '\0';
	for (char *p = c->text; *p && c->nr < MAX_LINES;) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len < LINE_MAX_LEN) {
			c->line[c->nr] = p;
			c->len[c->nr++] = len;
		}
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

/* One random edit of buf[0..*len) in place; buf holds LINE_MAX_LEN*2. */
static void mutate(char *buf, size_t *len, const struct corpus *c)
{
	static const char alphabet[] = " []():=|_-x0123456789abcdef.#\t\r\n\0";
	size_t cap = LINE_MAX_LEN * 2 - 1, at = *len ? rnd((unsigned int)*len) : 0;
	size_t n = 1 + rnd(8);

	switch (rnd(6)) {
	case 0:		/* flip bits */
		if (*len)
			buf[at] ^= (char)(1u << rnd(8));
		break;
	case 1:		/* cut a range */
		if (at + n > *len)
			n = *len - at;
		memmove(buf + at, buf + at + n, *len - at - n);
		*len -= n;
		break;
	case 2:		/* insert characters that matter to the grammar */
		if (*len + n > cap)
			break;
		memmove(buf + at + n, buf + at, *len - at);
		for (size_t i = 0; i < n; i++)
			buf[at + i] = alphabet[rnd(sizeof(alphabet) - 1)];
		*len += n;
		break;
	case 3: {	/* splice the tail of another line */
		size_t o = rnd((unsigned int)c->nr), from = rnd((unsigned int)c->len[o] + 1);
		size_t take = c->len[o] - from;

		if (at + take > cap)
			take = cap - at;
		memcpy(buf + at, c->line[o] + from, take);
		*len = at + take;
		break;
	}
	case 4:		/* duplicate a range */
		if (at + n > *len)
			n = *len - at;
		if (*len + n > cap)
			break;
		memmove(buf + at + n, buf + at, *len - at);
		*len += n;
		break;
	default:	/* truncate */
		*len = at;
		break;
	}
}

/* Parse; if it is an event, it must print and re-parse to itself. */
static bool roundtrip_ok(const char *buf, size_t len, unsigned long *events)
{
	struct ft_event ev, again;
	char out[1024];
	const char *why;
	uint64_t lost;
	enum ft_line r = ft_parse_line(buf, len, &ev, &lost, &why);

	if (r == FT_LINE_BAD)
		return why && *why;
	if (r != FT_LINE_EVENT)
		return r <= FT_LINE_BAD;
	(*events)++;
	if (ev.kind >= FT_NR_KINDS || ev.order > FT_MAX_ORDER || ev.mt > FT_MAX_MT)
		return false;
	if (ft_format_event(&ev, out, sizeof(out)) >= (int)sizeof(out))
		return false;
	if (ft_parse_line(out, strlen(out), &again, &lost, &why) != FT_LINE_EVENT)
		return false;
	return !memcmp(&ev, &again, sizeof(ev));
}

static void fuzz_lines(const struct corpus *c)
{
	unsigned long bad = 0, events = 0, clean_events = 0;
	char buf[LINE_MAX_LEN * 2];
	clock_t t0 = clock();

	for (size_t i = 0; i < c->nr; i++)
		if (!roundtrip_ok(c->line[i], c->len[i], &clean_events))
			bad++;
	is_long(bad, 0, "every recorded line round-trips");
	ok(clean_events > 1000, "... %lu of them events", clean_events);
	for (unsigned int it = 0; it < ITERATIONS; it++) {
		size_t o = rnd((unsigned int)c->nr), len = c->len[o];
		unsigned int edits = 1 + rnd(3);

		memcpy(buf, c->line[o], len);
		for (unsigned int e = 0; e < edits; e++)
			mutate(buf, &len, c);
		if (!roundtrip_ok(buf, len, &events) && bad++ < 5)
			diag("inconsistent parse: %.*s", (int)len, buf);
	}
	is_long(bad, 0, "%d mutated lines: no accepted event differs from its "
		"canonical form", ITERATIONS);
	ok(events > ITERATIONS / 20 && events < ITERATIONS,
	   "... %lu were still events, the rest rejected or skipped", events);
	diag("line fuzzing took %.2f s", (double)(clock() - t0) / CLOCKS_PER_SEC);
}

/* Every line is counted as exactly one kind of thing. */
static bool accounted(const struct trace *t)
{
	const struct trace_stats *s = &t->st;
	uint64_t sum = s->blank + s->comments + s->other_events + s->malformed +
		       s->lost_markers;

	for (int k = 0; k < FT_NR_KINDS; k++)
		sum += s->events[k];
	return sum == s->lines && t->nr == s->events[FT_ALLOC] + s->events[FT_FREE];
}

static void fuzz_buffers(const struct corpus *c)
{
	size_t cap = 64 * LINE_MAX_LEN;
	char *buf = malloc(cap), err[256];
	unsigned long bad = 0;

	for (unsigned int it = 0; it < BUFFERS && buf; it++) {
		size_t len = 0;
		struct trace t;

		while (len + LINE_MAX_LEN * 2 < cap && rnd(40)) {
			char line[LINE_MAX_LEN * 2];
			size_t o = rnd((unsigned int)c->nr), l = c->len[o];

			memcpy(line, c->line[o], l);
			if (rnd(2))
				mutate(line, &l, c);
			memcpy(buf + len, line, l);
			len += l;
			if (rnd(20))
				buf[len++] = '\n';
		}
		if (trace_load_mem(&t, buf, len, true, err, sizeof(err)) || !accounted(&t))
			bad++;
		trace_free(&t);
	}
	is_long(bad, 0, "%d mutated buffers load with --lenient and every line "
		"is accounted for once", BUFFERS);
	free(buf);
}

int main(void)
{
	struct corpus c = { 0 };

	if (load_corpus(&c)) {
		ok(0, "recorded excerpt tests/data/trace-6.1-excerpt.txt readable");
		return done_testing();
	}
	fuzz_lines(&c);
	fuzz_buffers(&c);
	free(c.text);
	return done_testing();
}
