/* report_parts.c - pieces of the report that its sections share (see
 * report_parts.h): a family's table of statistics and a plot over memory.
 * report.c and report_cow.c both build on them; neither calls the other's. */
#include "report_parts.h"

#include <stdio.h>
#include <string.h>

#include "plot.h"
#include "stats.h"
#include "util.h"

/* "lo .. hi (level%)" for an interval of the median. */
static void fmt_interval(double lo, double hi, double level, char *buf, size_t len)
{
	char a[32], b[32];
	snprintf(buf, len, "%s .. %s (%.0f%%)", fb_fmt_ns(lo, a, sizeof(a)), fb_fmt_ns(hi, b, sizeof(b)), level * 100);
}

/* One row per benchmark: the time's median, its 95% CI, where the next
 * run's median should fall, CV, min and p90 over repetitions; or why it
 * did not run. */
static void result_row(struct fb_doc *doc, const struct fb_result *r)
{
	char n[16], med[32], ci[80], pi[80], cv[32], min[32], p90[32];
	struct fb_summary s;

	if (r->error || !r->nreps || fb_summarize(r->times_ns, r->nreps, &s)) {
		fb_doc_row(doc, (const char *const[]){ r->name, "0", r->error ? r->error : "no data", "", "", "", "", "" });
		return;
	}
	snprintf(n, sizeof(n), "%zu", s.n);
	fb_fmt_ns(s.median, med, sizeof(med));
	fmt_interval(s.ci_low, s.ci_high, s.ci_level, ci, sizeof(ci));
	fmt_interval(s.pi_low, s.pi_high, s.pi_level, pi, sizeof(pi));
	snprintf(cv, sizeof(cv), "%.1f%%", s.cv * 100);
	fb_fmt_ns(s.min, min, sizeof(min));
	fb_fmt_ns(s.p90, p90, sizeof(p90));
	fb_doc_row(doc, (const char *const[]){ r->name, n, med, ci, pi, cv, min, p90 });
}

/* The CI says where this run's true median lies; the prediction interval,
 * wider, where the next run's median should fall (repetitions independent):
 * the one to read before calling two runs different. */
void fb_report_family_table(struct fb_doc *doc, const struct fb_results *res, const char *family)
{
	static const char *const head[] = { "benchmark", "n", "median", "95% CI of the median",
					     "next run's median (95% prediction)", "CV", "min", "p90" };
	fb_doc_table(doc, 8, head);
	for (size_t i = 0; i < res->count; i++)
		if (strcmp(res->items[i].key.family, family) == 0)
			result_row(doc, &res->items[i]);
}

int fb_report_memory_plot(const char *run_dir, const char *stem, int nseries, const char *ylab,
			  const char *title, char *err, size_t len)
{
	char vars[512];
	snprintf(vars, sizeof(vars), "nseries=%d; ylab='%s'; plottitle='%s'", nseries, ylab, title);
	return fb_plot_render(run_dir, "memory", stem, vars, err, len);
}

