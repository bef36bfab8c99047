// SPDX-License-Identifier: GPL-2.0-only OR MIT
#include <inttypes.h>
#include <math.h>

#include "json.h"

static void newline(struct jw *j)
{
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

static void quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void member(struct jw *j, const char *key)
{
	if (!j->first)
		fputc(',', j->f);
	j->first = false;
	newline(j);
	if (key) {
		quoted(j->f, key);
		fputs(": ", j->f);
	}
}

static void open_(struct jw *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->f);
	j->depth++;
	j->first = true;
}

static void close_(struct jw *j, char c)
{
	j->depth--;
	if (!j->first)
		newline(j);
	fputc(c, j->f);
	j->first = false;
}

void jw_begin(struct jw *j, FILE *f)
{
	j->f = f;
	j->depth = 1;
	j->first = true;
	fputc('{', f);
}

void jw_end(struct jw *j)
{
	j->depth = 0;
	fputs("\n}\n", j->f);
}

void jw_obj(struct jw *j, const char *key)
{
	open_(j, key, '{');
}

void jw_arr(struct jw *j, const char *key)
{
	open_(j, key, '[');
}

void jw_close_obj(struct jw *j)
{
	close_(j, '}');
}

void jw_close_arr(struct jw *j)
{
	close_(j, ']');
}

void jw_u64(struct jw *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void jw_i64(struct jw *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void jw_dbl(struct jw *j, const char *key, double v)
{
	member(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.6g", v);
	else
		fputs("null", j->f);
}

void jw_str(struct jw *j, const char *key, const char *v)
{
	member(j, key);
	quoted(j->f, v);
}

void jw_bool(struct jw *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void jw_null(struct jw *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void jw_u64s(struct jw *j, const struct jw_u64_kv *kv)
{
	for (; kv->key; kv++)
		jw_u64(j, kv->key, kv->v);
}

void jw_u64_obj(struct jw *j, const char *key, const struct jw_u64_kv *kv)
{
	jw_obj(j, key);
	jw_u64s(j, kv);
	jw_close_obj(j);
}
