/* report_axes.c - the report's view of the cases swept over an axis of
 * their own (bench/family.h struct fb_axis: the parent's VMAs, threads and
 * fds, the number of forkers): per axis a plot of the median against the
 * value, and per case a least-squares slope in the axis's unit ("us per
 * 1000 VMAs"), the figure that says what one more mapping, thread or file
 * costs a fork on this machine. */
#include "report_parts.h"

#include <stdio.h>
#include <string.h>

#include "family.h"
#include "plot.h"
#include "stats.h"
#include "files.h"

#define MAX_AXIS_CASES 16

struct axis_point {
	long value;
	const struct fb_result *r;
};

/* One case's points along its axis, ascending. */
struct axis_case {
	char base[64];
	char axis_name[32];
	const struct fb_axis *axis;
	struct axis_point points[FB_AXIS_MAX_VALUES];
	size_t n;
};

static struct axis_case *case_slot(struct axis_case *cases, size_t *ncases, const char *base, const char *axis_name)
{
	for (size_t i = 0; i < *ncases; i++)
		if (strcmp(cases[i].base, base) == 0)
			return &cases[i];
	if (*ncases == MAX_AXIS_CASES)
		return NULL;
	struct axis_case *c = &cases[(*ncases)++];
	memset(c, 0, sizeof(*c));
	snprintf(c->base, sizeof(c->base), "%s", base);
	snprintf(c->axis_name, sizeof(c->axis_name), "%s", axis_name);
	return c;
}

/* The family's axis cases at 0 MiB, 4k (where the axis cases run), their
 * points sorted by value. The number of cases. */
static size_t axis_cases(const struct fb_results *res, const char *family, struct axis_case *cases)
{
	size_t ncases = 0;

	for (size_t i = 0; i < res->count; i++) {
		const struct fb_result *r = &res->items[i];
		const struct fb_axis *axis = strcmp(r->key.family, family) ? NULL : fb_key_case_axis(&r->key);
		char base[64], name[32];
		long value;
		struct axis_case *c;
		if (!axis || r->key.mem_mib || strcmp(r->key.mode, "4k") ||
		    !fb_key_axis(&r->key, base, sizeof(base), name, sizeof(name), &value) ||
		    !(c = case_slot(cases, &ncases, base, name)) || c->n == FB_AXIS_MAX_VALUES)
			continue;
		c->axis = axis;
		size_t at = c->n++;
		while (at > 0 && c->points[at - 1].value > value) {
			c->points[at] = c->points[at - 1];
			at--;
		}
		c->points[at] = (struct axis_point){ .value = value, .r = r };
	}
	return ncases;
}

static double point_us(const struct axis_point *p)
{
	return p->r->error || !p->r->nreps ? -1 : fb_result_median_ns(p->r) / 1e3;
}

/* case | slope (us per unit) | intercept | R^2 | points | range measured. */
static void slope_row(struct fb_doc *doc, const struct axis_case *c)
{
	double x[FB_AXIS_MAX_VALUES], y[FB_AXIS_MAX_VALUES];
	size_t n = 0;
	struct fb_fit fit;
	char unit[48], slope[32], icpt[32], r2[16], count[8], range[48];

	for (size_t i = 0; i < c->n; i++)
		if (point_us(&c->points[i]) >= 0) {
			x[n] = (double)c->points[i].value / c->axis->per_count;
			y[n++] = point_us(&c->points[i]);
		}
	snprintf(unit, sizeof(unit), "us per %s", c->axis->per);
	if (n < 2 || fb_linear_fit(x, y, n, &fit)) {
		fb_doc_row(doc, (const char *const[]){ c->base, unit, "-", "-", "-", n ? "1" : "0",
						      "fewer than 2 points measured" });
		return;
	}
	snprintf(slope, sizeof(slope), "%.2f", fit.slope);
	snprintf(icpt, sizeof(icpt), "%.1f", fit.intercept);
	snprintf(r2, sizeof(r2), "%.4f", fit.r2);
	snprintf(count, sizeof(count), "%zu", fit.n);
	snprintf(range, sizeof(range), "%s:%.0f .. %.0f", c->axis_name, x[0] * c->axis->per_count,
		 x[n - 1] * c->axis->per_count);
	fb_doc_row(doc, (const char *const[]){ c->base, unit, slope, icpt, r2, count, range });
}

/* run_dir/plots/<family>_<axis>.dat: the union of the values, then one
 * column per case on that axis ("?" where it has no point). The number of
 * columns, 0 when there is nothing to plot. */
static int axis_data(const char *run_dir, const char *stem, const struct axis_case *cases, size_t ncases,
		     const char *axis_name)
{
	long values[MAX_AXIS_CASES * FB_AXIS_MAX_VALUES];
	size_t nvalues = 0;
	int ncols = 0;
	char path[4096];
	struct fb_membuf buf;

	for (size_t i = 0; i < ncases; i++)
		for (size_t p = 0; strcmp(cases[i].axis_name, axis_name) == 0 && p < cases[i].n; p++) {
			size_t at = 0;
			while (at < nvalues && values[at] < cases[i].points[p].value)
				at++;
			if (at < nvalues && values[at] == cases[i].points[p].value)
				continue;
			memmove(&values[at + 1], &values[at], (nvalues++ - at) * sizeof(values[0]));
			values[at] = cases[i].points[p].value;
		}
	snprintf(path, sizeof(path), "%s/plots", run_dir);
	if (nvalues < 2 || fb_mkdir(path) || fb_membuf_open(&buf))
		return 0;
	fprintf(buf.f, "%s", axis_name);
	for (size_t i = 0; i < ncases; i++)
		if (strcmp(cases[i].axis_name, axis_name) == 0 && ++ncols)
			fprintf(buf.f, " %s", cases[i].base);
	for (size_t v = 0; v < nvalues; v++) {
		fprintf(buf.f, "\n%ld", values[v]);
		for (size_t i = 0; i < ncases; i++) {
			double us = -1;
			for (size_t p = 0; strcmp(cases[i].axis_name, axis_name) == 0 && p < cases[i].n; p++)
				if (cases[i].points[p].value == values[v])
					us = point_us(&cases[i].points[p]);
			if (strcmp(cases[i].axis_name, axis_name) == 0)
				fprintf(buf.f, us > 0 ? " %.3f" : " ?", us);
		}
	}
	fputc('\n', buf.f);
	snprintf(path, sizeof(path), "%s/plots/%s.dat", run_dir, stem);
	return fb_membuf_commit(&buf, path) ? 0 : ncols;
}

/* One plot per axis of the family's cases. 0, or -1 with err. */
static int axis_plots(struct fb_doc *doc, const char *run_dir, const char *family, const struct axis_case *cases,
		      size_t ncases, char *err, size_t len)
{
	for (size_t i = 0; i < ncases; i++) {
		size_t first = 0;
		while (strcmp(cases[first].axis_name, cases[i].axis_name))
			first++;
		if (first != i)
			continue;   /* this axis is plotted already */
		char stem[96], vars[400], title[160];
		snprintf(stem, sizeof(stem), "%s_%s", family, cases[i].axis_name);
		int ncols = axis_data(run_dir, stem, cases, ncases, cases[i].axis_name);
		if (!ncols)
			continue;
		snprintf(title, sizeof(title), "%s: median against %s", family, cases[i].axis_name);
		snprintf(vars, sizeof(vars), "nseries=%d; xlab='%s'; ylab='median per iteration (us)'; plottitle='%s'",
			 ncols, cases[i].axis_name, title);
		if (fb_plot_render(run_dir, "axis", stem, vars, err, len))
			return -1;
		fb_doc_image(doc, stem, title);
	}
	return 0;
}

int fb_report_axes(struct fb_doc *doc, const char *run_dir, const struct fb_results *res, const char *family,
		   char *err, size_t len)
{
	static const char *const head[] = { "case", "unit", "slope", "intercept (us)", "R^2", "points", "range" };
	struct axis_case cases[MAX_AXIS_CASES];
	size_t ncases = axis_cases(res, family, cases);

	if (!ncases)
		return 0;
	if (axis_plots(doc, run_dir, family, cases, ncases, err, len))
		return -1;
	fb_doc_heading(doc, 3, "Cost per unit of the axis (least-squares fit of the median)");
	fb_doc_table(doc, 7, head);
	for (size_t i = 0; i < ncases; i++)
		slope_row(doc, &cases[i]);
	return 0;
}
