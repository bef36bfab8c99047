// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Recursive-descent JSON reader (RFC 8259), see jsonread.h. Depth is
 * bounded so a hostile file cannot overflow the stack.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonread.h"

#define JV_MAX_DEPTH 64

struct jp {
	const char *s, *start;
	char *err;
	size_t errlen;
	int depth;
};

static int jerr(struct jp *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int jerr(struct jp *p, const char *fmt, ...)
{
	unsigned int line = 1;
	va_list ap;
	size_t k;

	for (const char *c = p->start; c < p->s; c++)
		line += *c == '\n';
	if (p->err && p->errlen) {
		k = (size_t)snprintf(p->err, p->errlen, "line %u: ", line);
		if (k < p->errlen) {
			va_start(ap, fmt);
			vsnprintf(p->err + k, p->errlen - k, fmt, ap);
			va_end(ap);
		}
	}
	return -EINVAL;
}

static void ws(struct jp *p)
{
	while (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')
		p->s++;
}

static int value(struct jp *p, struct jv *v);

static void put_utf8(char **o, unsigned int c)
{
	if (c < 0x80) {
		*(*o)++ = (char)c;
	} else if (c < 0x800) {
		*(*o)++ = (char)(0xc0 | c >> 6);
		*(*o)++ = (char)(0x80 | (c & 0x3f));
	} else {
		*(*o)++ = (char)(0xe0 | c >> 12);
		*(*o)++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*(*o)++ = (char)(0x80 | (c & 0x3f));
	}
}

/* A string at p->s (on the opening quote) into a new buffer. */
static int string(struct jp *p, char **out)
{
	const char *e = ++p->s;
	char *o;

	while (*e && *e != '"')
		e += *e == '\\' && e[1] ? 2 : 1;
	if (!*e)
		return jerr(p, "unterminated string");
	*out = o = malloc((size_t)(e - p->s) + 1);	/* escapes only shrink */
	if (!o)
		return -ENOMEM;
	while (p->s < e) {
		char c = *p->s++;
		unsigned int u;

		if ((unsigned char)c < 0x20)
			return free(*out), *out = NULL, jerr(p, "control character in a string");
		if (c != '\\') {
			*o++ = c;
			continue;
		}
		switch (c = *p->s++) {
		case '"': case '\\': case '/': *o++ = c; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (sscanf(p->s, "%4x", &u) != 1 || e - p->s < 4)
				return free(*out), *out = NULL, jerr(p, "bad \\u escape");
			p->s += 4;
			put_utf8(&o, u >= 0xd800 && u < 0xe000 ? '?' : u);
			break;
		default:
			return free(*out), *out = NULL, jerr(p, "bad escape '\\%c'", c);
		}
	}
	*o = 0;
	p->s = e + 1;
	return 0;
}

static int grow(struct jv *v, size_t *cap, bool keys)
{
	size_t c = *cap ? *cap * 2 : 8;
	struct jv *it;

	if (v->n < *cap)
		return 0;
	it = realloc(v->items, c * sizeof(*it));
	if (!it)
		return -ENOMEM;
	v->items = it;
	if (keys) {
		char **k = realloc(v->keys, c * sizeof(*k));

		if (!k)
			return -ENOMEM;
		v->keys = k;
	}
	*cap = c;
	return 0;
}

static int container(struct jp *p, struct jv *v, bool obj)
{
	char close = obj ? '}' : ']';
	size_t cap = 0;
	int rc;

	v->type = obj ? JV_OBJ : JV_ARR;
	if (++p->depth > JV_MAX_DEPTH)
		return jerr(p, "nested deeper than %d", JV_MAX_DEPTH);
	p->s++;
	ws(p);
	if (*p->s == close) {
		p->s++;
		p->depth--;
		return 0;
	}
	for (;;) {
		if ((rc = grow(v, &cap, obj)))
			return rc;
		memset(&v->items[v->n], 0, sizeof(v->items[0]));
		if (obj) {
			ws(p);
			if (*p->s != '"')
				return jerr(p, "expected a key");
			v->keys[v->n] = NULL;
			if ((rc = string(p, &v->keys[v->n])))
				return rc;
			ws(p);
			if (*p->s++ != ':') {
				v->n++;
				return jerr(p, "expected ':'");
			}
		}
		rc = value(p, &v->items[v->n++]);
		if (rc)
			return rc;
		ws(p);
		if (*p->s == ',') {
			p->s++;
			continue;
		}
		if (*p->s++ == close)
			break;
		return jerr(p, "expected ',' or '%c'", close);
	}
	p->depth--;
	return 0;
}

static int value(struct jp *p, struct jv *v)
{
	char *end;

	memset(v, 0, sizeof(*v));
	ws(p);
	switch (*p->s) {
	case '{':
		return container(p, v, true);
	case '[':
		return container(p, v, false);
	case '"':
		v->type = JV_STR;
		return string(p, &v->str);
	case 't':
	case 'f':
	case 'n':
		if (!strncmp(p->s, "true", 4) || !strncmp(p->s, "null", 4)) {
			v->type = *p->s == 't' ? JV_BOOL : JV_NULL;
			v->b = *p->s == 't';
			p->s += 4;
			return 0;
		}
		if (!strncmp(p->s, "false", 5)) {
			v->type = JV_BOOL;
			p->s += 5;
			return 0;
		}
		return jerr(p, "unexpected word");
	default:
		if (!*p->s)
			return jerr(p, "unexpected end");
		if (*p->s != '-' && (*p->s < '0' || *p->s > '9'))
			return jerr(p, "unexpected '%c'", *p->s);
		v->type = JV_NUM;
		v->num = strtod(p->s, &end);
		if (end == p->s)
			return jerr(p, "bad number");
		p->s = end;
		return 0;
	}
}

int jv_parse(const char *text, struct jv *v, char *err, size_t errlen)
{
	struct jp p = { .s = text, .start = text, .err = err, .errlen = errlen };
	int rc = value(&p, v);

	if (!rc) {
		ws(&p);
		if (*p.s)
			rc = jerr(&p, "text after the value");
	}
	if (rc)
		jv_free(v);
	return rc;
}

void jv_free(struct jv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		jv_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	memset(v, 0, sizeof(*v));
}

const struct jv *jv_get(const struct jv *obj, const char *key)
{
	if (!obj || obj->type != JV_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (obj->keys[i] && !strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}
