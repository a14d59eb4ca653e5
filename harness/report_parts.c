/* report_parts.c - pieces of the report that its sections share (see
 * report_parts.h): a family's table of statistics and a plot over memory.
 * report.c and report_cow.c both build on them; neither calls the other's. */
#include "report_parts.h"

#include <stdio.h>
#include <string.h>

#include "plot.h"
#include "stats.h"
#include "util.h"

/* One row per benchmark: the time's median, its 95% CI, CV, min and p90
 * over repetitions; or why it did not run. */
static void result_row(struct fb_doc *doc, const struct fb_result *r)
{
	char n[16], med[32], ci[80], cv[32], min[32], p90[32], lo[32], hi[32];
	struct fb_summary s;

	if (r->error || !r->nreps || fb_summarize(r->times_ns, r->nreps, &s)) {
		fb_doc_row(doc, (const char *const[]){ r->name, "0", r->error ? r->error : "no data", "", "", "", "" });
		return;
	}
	snprintf(n, sizeof(n), "%zu", s.n);
	fb_fmt_ns(s.median, med, sizeof(med));
	fb_fmt_ns(s.ci_low, lo, sizeof(lo));
	fb_fmt_ns(s.ci_high, hi, sizeof(hi));
	snprintf(ci, sizeof(ci), "%s .. %s (%.0f%%)", lo, hi, s.ci_level * 100);
	snprintf(cv, sizeof(cv), "%.1f%%", s.cv * 100);
	fb_fmt_ns(s.min, min, sizeof(min));
	fb_fmt_ns(s.p90, p90, sizeof(p90));
	fb_doc_row(doc, (const char *const[]){ r->name, n, med, ci, cv, min, p90 });
}

void fb_report_family_table(struct fb_doc *doc, const struct fb_results *res, const char *family)
{
	static const char *const head[] = { "benchmark", "n", "median", "95% CI of the median",
					     "CV", "min", "p90" };
	fb_doc_table(doc, 7, head);
	for (size_t i = 0; i < res->count; i++)
		if (strcmp(res->items[i].family, family) == 0)
			result_row(doc, &res->items[i]);
}

int fb_report_memory_plot(const char *run_dir, const char *stem, int nseries, const char *ylab,
			  const char *title, char *err, size_t len)
{
	char vars[512];
	snprintf(vars, sizeof(vars), "nseries=%d; ylab='%s'; plottitle='%s'", nseries, ylab, title);
	return fb_plot_render(run_dir, "memory", stem, vars, err, len);
}

