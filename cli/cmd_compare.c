// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * gigalloc compare A.json B.json ... | DIR: the figures of several runs
 * side by side, with each column's delta and ratio against the first
 * (the baseline), like perf diff or mmtests' compare script.
 *
 * A column is one policy of one input. With several files, a policy's
 * columns are grouped together (vanilla of A, vanilla of B, spb of A, ...);
 * with one file, its policies are compared with each other. A directory
 * (a sweep's results) aggregates: runs whose inputs differ only in the
 * seed form one column, shown as the mean, with the standard deviation
 * and the number of runs. Every numeric figure of a policy object is
 * compared; a figure given as {"mean": ...} (multi-seed outputs) is read
 * as its mean.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "json.h"
#include "jsonread.h"
#include "profile.h"
#include "provenance.h"

#define CMP_MAX_INPUTS	4096
#define CMP_MAX_KEYS	256

struct cmp_col {
	char label[160];	/* "A:vanilla", or the group for a directory */
	char group[1024];	/* inputs without the seed, and the policy */
	char policy[64];
	size_t n;		/* runs aggregated */
	double sum[CMP_MAX_KEYS], sumsq[CMP_MAX_KEYS];
	double min[CMP_MAX_KEYS], max[CMP_MAX_KEYS];
	size_t have[CMP_MAX_KEYS];	/* runs that had the figure */
};

struct cmp {
	struct cmp_col *col;
	size_t nr_col, cap_col;
	char *key[CMP_MAX_KEYS];
	size_t nr_key;
	bool json;
};

static void compare_usage(FILE *f)
{
	fputs("usage: gigalloc compare [--json] FILE.json... | DIR...\n"
	      "\n"
	      "Print the figures of gigalloc sim or replay JSON outputs side by side,\n"
	      "each column with its delta and ratio against a baseline column. With\n"
	      "several files a policy's columns sit together, each against the first\n"
	      "file's column of that policy (which is against column [0]); with one\n"
	      "file its policies are compared with [0]. The column list says which\n"
	      "column each is compared with. A directory (a sweep's results, see gigalloc\n"
	      "sweep) aggregates its *.json files: runs whose inputs differ only in\n"
	      "the seed form one column: their mean, standard deviation and count.\n"
	      "\n"
	      "  --json          one JSON object: every column's figures (n, mean,\n"
	      "                  stddev, min, max)\n"
	      "  -h, --help      this help\n"
	      "\n" ARGS_EXIT_HELP, f);
}

static int key_index(struct cmp *c, const char *k)
{
	for (size_t i = 0; i < c->nr_key; i++)
		if (!strcmp(c->key[i], k))
			return (int)i;
	if (c->nr_key == CMP_MAX_KEYS)
		return -1;
	c->key[c->nr_key] = strdup(k);
	return c->key[c->nr_key] ? (int)c->nr_key++ : -1;
}

/* A figure: a number, or the mean of a {"mean": ...} object. */
static bool figure(const struct jv *v, double *x)
{
	if (v->type == JV_OBJ)
		v = jv_get(v, "mean");
	if (!v || v->type != JV_NUM)
		return false;
	*x = v->num;
	return true;
}

/* The inputs as one line without the seed: what a sweep's seeds share. */
static void group_of(const struct jv *inputs, char *buf, size_t len)
{
	size_t k = 0;

	buf[0] = 0;
	for (size_t i = 0; inputs && inputs->type == JV_OBJ && i < inputs->n && k < len; i++) {
		const struct jv *v = &inputs->items[i];

		if (!strcmp(inputs->keys[i], "seed") || !strcmp(inputs->keys[i], "seeds"))
			continue;
		if (v->type == JV_NUM)
			k += (size_t)snprintf(buf + k, len - k, "%s=%.17g ", inputs->keys[i], v->num);
		else if (v->type == JV_STR)
			k += (size_t)snprintf(buf + k, len - k, "%s=%s ", inputs->keys[i], v->str);
		else if (v->type == JV_ARR)
			for (size_t j = 0; j < v->n && k < len; j++)
				if (v->items[j].type == JV_STR)
					k += (size_t)snprintf(buf + k, len - k, "%s=%s ",
							      inputs->keys[i], v->items[j].str);
	}
}

static struct cmp_col *column(struct cmp *c, const char *label, const char *group,
			      const char *policy, bool aggregate)
{
	struct cmp_col *col;

	if (aggregate)
		for (size_t i = 0; i < c->nr_col; i++)
			if (!strcmp(c->col[i].group, group) && !strcmp(c->col[i].policy, policy))
				return &c->col[i];
	if (c->nr_col == c->cap_col) {
		size_t cap = c->cap_col ? c->cap_col * 2 : 16;
		struct cmp_col *n = realloc(c->col, cap * sizeof(*n));

		if (!n)
			return NULL;
		c->col = n;
		c->cap_col = cap;
	}
	col = &c->col[c->nr_col++];
	memset(col, 0, sizeof(*col));
	snprintf(col->label, sizeof(col->label), "%s", label);
	snprintf(col->group, sizeof(col->group), "%.*s", (int)sizeof(col->group) - 1, group);
	snprintf(col->policy, sizeof(col->policy), "%s", policy);
	return col;
}

static void add_figure(struct cmp_col *col, int k, double x)
{
	if (!col->have[k] || x < col->min[k])
		col->min[k] = x;
	if (!col->have[k] || x > col->max[k])
		col->max[k] = x;
	col->have[k]++;
	col->sum[k] += x;
	col->sumsq[k] += x * x;
}

static void add_figures(struct cmp *c, struct cmp_col *col, const struct jv *obj)
{
	for (size_t i = 0; obj && obj->type == JV_OBJ && i < obj->n; i++) {
		double x;
		int k;

		if (!figure(&obj->items[i], &x))
			continue;
		k = key_index(c, obj->keys[i]);
		if (k >= 0)
			add_figure(col, k, x);
	}
}

/* One policy object of one input into its column. */
static int add_policy(struct cmp *c, const struct jv *pol, const char *name,
		      const char *group, bool aggregate)
{
	const struct jv *pn = jv_get(pol, "name");
	const char *policy = pn && pn->type == JV_STR ? pn->str : "?";
	char label[160];
	struct cmp_col *col;

	if (aggregate)
		snprintf(label, sizeof(label), "%s", policy);
	else
		snprintf(label, sizeof(label), "%s:%s", name, policy);
	col = column(c, label, group, policy, aggregate);
	if (!col)
		return -ENOMEM;
	col->n++;
	add_figures(c, col, pol);
	/* A multi-seed output keeps its figures in "figures": {key: {mean, ...}}. */
	add_figures(c, col, jv_get(pol, "figures"));
	return 0;
}

static const char *base_name(const char *path, char *buf, size_t len)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	if (n > 5 && !strcmp(b + n - 5, ".json"))
		n -= 5;
	snprintf(buf, len, "%.*s", (int)n, b);
	return buf;
}

static int add_file(struct cmp *c, const char *path, bool aggregate)
{
	char *text = sim_read_file(path, NULL), err[256], name[128];
	const struct jv *pols, *inputs;
	char group[1024];
	struct jv root;
	int rc = 0;

	if (!text) {
		int e = errno;

		fprintf(stderr, "gigalloc compare: cannot read %s: %s\n", path, strerror(e));
		/* A name that is not there is bad input, as in replay. */
		return e == ENOENT || e == ENOTDIR ? ARGS_EXIT_USAGE : ARGS_EXIT_FAIL;
	}
	if (jv_parse(text, &root, err, sizeof(err))) {
		fprintf(stderr, "gigalloc compare: %s: not JSON: %s\n", path, err);
		free(text);
		return ARGS_EXIT_USAGE;
	}
	free(text);
	pols = jv_get(&root, "policies");
	inputs = jv_get(&root, "inputs");
	if (!pols || pols->type != JV_ARR) {
		fprintf(stderr, "gigalloc compare: %s: no \"policies\": not a gigalloc sim "
			"or replay JSON output\n", path);
		jv_free(&root);
		return ARGS_EXIT_USAGE;
	}
	group_of(inputs, group, sizeof(group));
	base_name(path, name, sizeof(name));
	for (size_t i = 0; i < pols->n && !rc; i++)
		if (pols->items[i].type == JV_OBJ)
			rc = add_policy(c, &pols->items[i], name, group, aggregate);
	jv_free(&root);
	if (rc) {
		fprintf(stderr, "gigalloc compare: out of memory\n");
		return ARGS_EXIT_FAIL;
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.json of DIR, in name order (a sweep's run order). */
static int add_dir(struct cmp *c, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (!d) {
		fprintf(stderr, "gigalloc compare: cannot read %s: %s\n", dir, strerror(errno));
		return ARGS_EXIT_FAIL;
	}
	while ((e = readdir(d)) && n < CMP_MAX_INPUTS) {
		size_t len = strlen(e->d_name);
		char **nn;

		if (len < 6 || strcmp(e->d_name + len - 5, ".json") || e->d_name[0] == '.')
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn)
			break;
		names = nn;
		names[n] = malloc(strlen(dir) + len + 2);
		if (!names[n])
			break;
		sprintf(names[n++], "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (!n) {
		fprintf(stderr, "gigalloc compare: %s holds no .json files\n", dir);
		rc = ARGS_EXIT_USAGE;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (!rc)
			rc = add_file(c, names[i], true);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Output.                                                                   */

static double mean(const struct cmp_col *col, size_t k)
{
	return col->sum[k] / (double)col->have[k];
}

static double stddev(const struct cmp_col *col, size_t k)
{
	double n = (double)col->have[k], m = mean(col, k);
	double var = n > 1 ? (col->sumsq[k] - n * m * m) / (n - 1) : 0;

	return var > 0 ? sqrt(var) : 0;
}

/* Columns in display order: by policy (first appearance), then input. */
static size_t *display_order(const struct cmp *c, bool by_policy)
{
	size_t *ord = malloc((c->nr_col ? c->nr_col : 1) * sizeof(*ord)), k = 0;

	if (!ord)
		return NULL;
	if (!by_policy) {
		for (size_t i = 0; i < c->nr_col; i++)
			ord[i] = i;
		return ord;
	}
	for (size_t i = 0; i < c->nr_col; i++) {
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen |= !strcmp(c->col[j].policy, c->col[i].policy);
		if (seen)
			continue;
		for (size_t j = i; j < c->nr_col; j++)
			if (!strcmp(c->col[j].policy, c->col[i].policy))
				ord[k++] = j;
	}
	return ord;
}

static void cell_value(char *b, size_t n, const struct cmp_col *col, size_t k)
{
	if (!col->have[k])
		snprintf(b, n, "-");
	else if (col->have[k] > 1)
		snprintf(b, n, "%.6g ±%.3g", mean(col, k), stddev(col, k));
	else
		snprintf(b, n, "%.6g", mean(col, k));
}

static void cell_diff(char *d, size_t dn, char *r, size_t rn,
		      const struct cmp_col *base, const struct cmp_col *col, size_t k)
{
	double b, x;

	snprintf(d, dn, "-");
	snprintf(r, rn, "-");
	if (!base->have[k] || !col->have[k])
		return;
	b = mean(base, k);
	x = mean(col, k);
	snprintf(d, dn, "%+.6g", x - b);
	if (b != 0)
		snprintf(r, rn, "%.3fx", x / b);
}

/* The column (index in ord) column i is compared with: with several
 * inputs, the same policy's first column, and for that one (as with one
 * input) column 0. */
static size_t baseline_index(const struct cmp *c, const size_t *ord, size_t i,
			     bool by_policy)
{
	for (size_t j = 0; by_policy && j < i; j++)
		if (!strcmp(c->col[ord[j]].policy, c->col[ord[i]].policy))
			return j;
	return 0;
}

static const struct cmp_col *baseline(const struct cmp *c, const size_t *ord,
				      size_t i, bool by_policy)
{
	return &c->col[ord[baseline_index(c, ord, i, by_policy)]];
}

static void print_text(const struct cmp *c, const size_t *ord, bool by_policy)
{
	const struct cmp_col *base = &c->col[ord[0]];
	int kw = 8, w[3] = { 8, 8, 7 };
	char v[64], d[64], r[32];

	for (size_t k = 0; k < c->nr_key; k++)
		kw = (int)strlen(c->key[k]) > kw ? (int)strlen(c->key[k]) : kw;
	for (size_t i = 0; i < c->nr_col; i++) {
		const struct cmp_col *col = &c->col[ord[i]];

		base = baseline(c, ord, i, by_policy);
		for (size_t k = 0; k < c->nr_key; k++) {
			cell_value(v, sizeof(v), col, k);
			cell_diff(d, sizeof(d), r, sizeof(r), base, col, k);
			w[0] = (int)strlen(v) > w[0] ? (int)strlen(v) : w[0];
			w[1] = (int)strlen(d) > w[1] ? (int)strlen(d) : w[1];
		}
	}
	printf("gigalloc compare: %zu column%s; delta and ratio against %s\n",
	       c->nr_col, c->nr_col == 1 ? "" : "s",
	       by_policy ? "the policy's first column (a policy's first: against [0])" :
			   "[0]");
	for (size_t i = 0; i < c->nr_col; i++) {
		const struct cmp_col *col = &c->col[ord[i]];

		printf("  [%zu] %s: %zu run%s%s%s", i, col->label, col->n,
		       col->n == 1 ? "" : "s", col->group[0] ? ", " : "", col->group);
		if (i)
			printf("; against [%zu]", baseline_index(c, ord, i, by_policy));
		putchar('\n');
	}
	printf("\n%-*s", kw, "figure");
	for (size_t i = 0; i < c->nr_col; i++) {
		char h[32];

		snprintf(h, sizeof(h), "[%zu]", i);
		printf("  %*s", w[0], h);
		if (i)
			printf("  %*s  %*s", w[1], "delta", w[2], "ratio");
	}
	putchar('\n');
	for (size_t k = 0; k < c->nr_key; k++) {
		printf("%-*s", kw, c->key[k]);
		for (size_t i = 0; i < c->nr_col; i++) {
			const struct cmp_col *col = &c->col[ord[i]];

			cell_value(v, sizeof(v), col, k);
			printf("  %*s", w[0], v);
			if (!i)
				continue;
			base = baseline(c, ord, i, by_policy);
			cell_diff(d, sizeof(d), r, sizeof(r), base, col, k);
			printf("  %*s  %*s", w[1], d, w[2], r);
		}
		putchar('\n');
	}
	putchar('\n');
	provenance_lines(stdout, "");
}

static void print_json(const struct cmp *c, const size_t *ord)
{
	struct jw j;

	jw_begin(&j, stdout);
	jw_u64(&j, "gigalloc_compare_format", 1);
	provenance_json(&j);
	jw_arr(&j, "columns");
	for (size_t i = 0; i < c->nr_col; i++) {
		const struct cmp_col *col = &c->col[ord[i]];

		jw_obj(&j, NULL);
		jw_str(&j, "label", col->label);
		jw_str(&j, "policy", col->policy);
		jw_str(&j, "inputs", col->group);
		jw_u64(&j, "runs", col->n);
		jw_obj(&j, "figures");
		for (size_t k = 0; k < c->nr_key; k++) {
			if (!col->have[k])
				continue;
			jw_obj(&j, c->key[k]);
			jw_u64(&j, "n", col->have[k]);
			jw_dbl(&j, "mean", mean(col, k));
			jw_dbl(&j, "stddev", stddev(col, k));
			jw_dbl(&j, "min", col->min[k]);
			jw_dbl(&j, "max", col->max[k]);
			jw_close_obj(&j);
		}
		jw_close_obj(&j);
		jw_close_obj(&j);
	}
	jw_close_arr(&j);
	jw_end(&j);
}

static bool is_dir(const char *path)
{
	DIR *d = opendir(path);

	if (d)
		closedir(d);
	return d != NULL;
}

int cmd_compare(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{ "--json", 0, false }, { "--help", 'h', false },
	};
	struct cmp c = { 0 };
	size_t *ord, nr_files = 0;
	struct args a;
	int k, rc = 0;

	if (args_want_help(argc, argv))
		return cli_help(compare_usage);
	args_init(&a, argc, argv);
	while (!rc) {
		char err[256];

		k = args_next(&a, opts, 2, err, sizeof(err));
		if (k == ARGS_END)
			break;
		if (k == ARGS_ERROR)
			cli_usage_error("compare", "%s", err);
		if (k == 0) {
			c.json = true;
			continue;
		}
		rc = is_dir(a.value) ? add_dir(&c, a.value) : add_file(&c, a.value, false);
		nr_files++;
	}
	if (!rc && !nr_files)
		cli_usage_error("compare", "which results? (gigalloc compare A.json B.json | DIR)");
	if (!rc && !c.nr_col) {
		fprintf(stderr, "gigalloc compare: no policy results in the inputs\n");
		rc = ARGS_EXIT_USAGE;
	}
	ord = rc ? NULL : display_order(&c, nr_files > 1);
	if (!rc && !ord)
		rc = ARGS_EXIT_FAIL;
	if (!rc) {
		if (c.json)
			print_json(&c, ord);
		else
			print_text(&c, ord, nr_files > 1);
	}
	free(ord);
	free(c.col);
	for (size_t i = 0; i < c.nr_key; i++)
		free(c.key[i]);
	return rc;
}
