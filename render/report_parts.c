/* report_parts.c - pieces of the report that its sections share (see
 * report_parts.h): a family's table of statistics and a plot over memory.
 * report.c and report_cow.c both build on them; neither calls the other's. */
#include "report_parts.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "drift.h"
#include "plot.h"
#include "stats.h"
#include "text.h"

/* "lo .. hi (level%)" for an interval of the median. */
static void fmt_interval(double lo, double hi, double level, char *buf, size_t len)
{
	char a[32], b[32];
	snprintf(buf, len, "%s .. %s (%.0f%%)", fb_fmt_ns(lo, a, sizeof(a)), fb_fmt_ns(hi, b, sizeof(b)), level * 100);
}

/* One row per benchmark, per one of what its case counts (a round trip, a
 * switch, a burst): the time's median, its 95% CI, where the next run's
 * median should fall (the within-run interval widened by the machine's
 * drift), CV, min and p90 over repetitions; or why it did not run. */
static void result_row(struct fb_doc *doc, const struct fb_result *r, const struct fb_drift *drift)
{
	char n[16], med[32], ci[80], pi[80], cv[32], min[32], p90[32];
	struct fb_summary s;
	double pi_low, pi_high;
	const char *per;
	unsigned count;

	double per_op_ns[128];

	fb_key_case_per(&r->key, &per, &count);
	for (size_t i = 0; i < r->nreps && i < 128; i++)
		per_op_ns[i] = r->times_ns[i] / count;
	if (r->error || !r->nreps || r->nreps > 128 || fb_summarize(per_op_ns, r->nreps, &s)) {
		fb_doc_row(doc, (const char *const[]){ r->name, per, "0", r->error ? r->error : "no data", "", "", "", "",
						       "" });
		return;
	}
	snprintf(n, sizeof(n), "%zu", s.n);
	fb_fmt_ns(s.median, med, sizeof(med));
	fmt_interval(s.ci_low, s.ci_high, s.ci_level, ci, sizeof(ci));
	fb_drift_interval(&s, drift, &pi_low, &pi_high);
	/* the level is the within-run part's exact one; D adds no probability */
	fmt_interval(pi_low, pi_high, s.pi_level, pi, sizeof(pi));
	snprintf(cv, sizeof(cv), "%.1f%%", s.cv * 100);
	fb_fmt_ns(s.min, min, sizeof(min));
	fb_fmt_ns(s.p90, p90, sizeof(p90));
	fb_doc_row(doc, (const char *const[]){ r->name, per, n, med, ci, pi, cv, min, p90 });
}

/* The CI says where this run's true median lies; the prediction interval,
 * wider, where the next run's median should fall: the one to read before
 * calling two runs different. Its header and a note under the table say
 * whether it accounts for drift between runs, and from which evidence. */
void fb_report_family_table(struct fb_doc *doc, const char *run_dir, const struct fb_results *res,
			    const char *family)
{
	const char *head[] = { "benchmark", "time per", "n", "median", "95% CI of the median", NULL, "CV", "min", "p90" };
	char what[512], bad_history[PATH_MAX + 96] = "", heading[64];
	struct fb_drift_history history;
	struct fb_drift drift;

	/* a malformed drift.json is said under the table; D then reads the run alone */
	fb_drift_history_load(run_dir, &history, bad_history, sizeof(bad_history));
	fb_drift_of_run(res, &history, &drift);
	snprintf(heading, sizeof(heading), "Every %s benchmark", family);
	fb_doc_details_begin(doc, 3, heading);
	head[5] = drift.evidence == FB_DRIFT_NONE ? "next run's median (95% prediction, within-run only)"
						  : "next run's median (95% prediction x machine drift D)";
	fb_doc_table(doc, 9, head);
	for (size_t i = 0; i < res->count; i++)
		if (strcmp(res->items[i].key.family, family) == 0)
			result_row(doc, &res->items[i], &drift);
	fb_doc_para(doc, "Next run's median: the distribution-free prediction interval from this run's repetitions "
		    "(its level in brackets, exact when they are independent), %s.%s%s",
		    fb_drift_describe(&drift, what, sizeof(what)), bad_history[0] ? " Not read: " : "", bad_history);
	fb_doc_details_end(doc);
}

int fb_report_memory_plot(const char *run_dir, const char *stem, int nseries, const char *ylab,
			  const char *title, char *err, size_t len)
{
	char vars[512];
	snprintf(vars, sizeof(vars), "nseries=%d; ylab='%s'; plottitle='%s'", nseries, ylab, title);
	return fb_plot_render(run_dir, "memory", stem, vars, err, len);
}

