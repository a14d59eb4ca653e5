/* consistency_out.c - the run's cross-checks as JSON, text and a report
 * section (see consistency.h). Formatting only. */
#include "consistency_out.h"
#include "doc.h"
#include "consistency.h"

#include <math.h>
#include <string.h>

#include "text.h"

static const char *verdict_word(const struct fb_pair_result *p, int overhead)
{
	if (p->verdict == FB_UNCHECKED)
		return "not checked";
	if (overhead)
		return p->verdict == FB_AGREE ? "within target" : "above target";
	return p->verdict == FB_DISAGREE ? "disagree" : p->intervals_overlap ? "agree" : "apart";
}

/* NaN is not JSON: a figure that was not measured is null. */
static json_t *number_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *pairs_json(const struct fb_pair_result *list, size_t n, int overhead)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct fb_pair_result *p = &list[i];
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:f, s:b, s:s, s:s}",
			"label", p->label, "a", p->a, "b", p->b, "median_a_ns", number_or_null(p->median_a),
			"median_b_ns", number_or_null(p->median_b), "ratio", number_or_null(p->ratio),
			"tolerance", p->tolerance, "intervals_overlap", p->intervals_overlap,
			"verdict", verdict_word(p, overhead), "note", p->note));
	}
	return arr;
}

json_t *fb_consistency_json(const struct fb_consistency *c)
{
	return json_pack("{s:o, s:I, s:o, s:I, s:I, s:I, s:I, s:f}",
			 "pairs", pairs_json(c->pairs, c->npairs, 0), "pairs_disagreeing", (json_int_t)c->disagree,
			 "overhead", pairs_json(c->overheads, c->noverheads, 1),
			 "overhead_above_target", (json_int_t)c->above_target,
			 "worker_restarts", (json_int_t)c->worker_restarts,
			 "steal_flagged_repetitions", (json_int_t)c->steal_flagged,
			 "repetitions", (json_int_t)c->repetitions, "steal_bound_pct", FB_STEAL_BOUND_PCT);
}

/* The table's ctx: whether its rows are overheads (against a target) or
 * pairs (within a tolerance). */
static int overhead_rows(const void *ctx)
{
	return *(const int *)ctx;
}

static const char *cell_verdict(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)buf, (void)len;
	return verdict_word(row, overhead_rows(ctx));
}

/* The terminal's line: "fork round trip / bare loop: spawn/fork/mem_mib:0/mode:4k
 * 44.1 us vs calibrate/bare_fork/... 42.3 us = 1.043x (target within 5%)". */
static const char *cell_line(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct fb_pair_result *p = row;
	char a[32], b[32];

	if (p->verdict == FB_UNCHECKED)
		snprintf(buf, len, "%s: %s", p->label, p->note);
	else
		snprintf(buf, len, "%s: %s %s vs %s %s = %.3fx (%s %.0f%%)", p->label, p->a,
			 fb_fmt_ns(p->median_a, a, sizeof(a)), p->b, fb_fmt_ns(p->median_b, b, sizeof(b)), p->ratio,
			 overhead_rows(ctx) ? "target within" : "tolerance", p->tolerance * 100);
	return buf;
}

static const char *cell_label(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
	return ((const struct fb_pair_result *)row)->label;
}

/* "spawn/fork/mem_mib:0/mode:4k: 44.1 us"; an unchecked pair says why instead. */
static const char *cell_figure(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct fb_pair_result *p = row;
	char ns[32];

	(void)ctx;
	if (p->verdict == FB_UNCHECKED)
		return p->note;
	snprintf(buf, len, "%s: %s", p->a, fb_fmt_ns(p->median_a, ns, sizeof(ns)));
	return buf;
}

static const char *cell_second(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct fb_pair_result *p = row;
	char ns[32];

	(void)ctx;
	if (p->verdict == FB_UNCHECKED)
		return "";
	snprintf(buf, len, "%s: %s", p->b, fb_fmt_ns(p->median_b, ns, sizeof(ns)));
	return buf;
}

static const char *cell_ratio(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct fb_pair_result *p = row;

	(void)ctx;
	snprintf(buf, len, isnan(p->ratio) ? "-" : "%.3fx", p->ratio);
	return buf;
}

/* An overhead's target ("<= 1.05x"), or a pair's tolerance and whether the
 * medians' intervals meet. */
static const char *cell_allowed(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct fb_pair_result *p = row;

	if (overhead_rows(ctx))
		snprintf(buf, len, "<= %.2fx", 1 + p->tolerance);
	else
		snprintf(buf, len, "+-%.0f%%%s", p->tolerance * 100,
			 p->intervals_overlap ? ", intervals meet" : ", intervals apart");
	return buf;
}

/* One row per pair: a line on the terminal, a table in the report. */
static const struct fb_col pair_cols[] = {
	{ .header = "verdict", .cell = cell_verdict, .show = FB_SHOW_BOTH, .gap = 2, .width = -12 },
	{ .header = "pair", .cell = cell_line, .show = FB_SHOW_TERMINAL, .gap = 1 },
	{ .header = "what", .cell = cell_label, .show = FB_SHOW_DOC },
	{ .header = "figure", .cell = cell_figure, .show = FB_SHOW_DOC },
	{ .header = "second method", .cell = cell_second, .show = FB_SHOW_DOC },
	{ .header = "ratio", .cell = cell_ratio, .show = FB_SHOW_DOC },
	{ .header = "allowed", .cell = cell_allowed, .show = FB_SHOW_DOC },
};

static const int pairs_ctx = 0, overheads_ctx = 1;
static const struct fb_table pairs_table = { pair_cols, sizeof(pair_cols) / sizeof(pair_cols[0]), &pairs_ctx,
					     .row_size = sizeof(struct fb_pair_result) };
static const struct fb_table overheads_table = { pair_cols, sizeof(pair_cols) / sizeof(pair_cols[0]), &overheads_ctx,
						 .row_size = sizeof(struct fb_pair_result) };

/* Pairs within their tolerance whose 95% intervals do not meet: a real,
 * systematic difference smaller than the tolerance. */
static size_t apart(const struct fb_consistency *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->npairs; i++)
		n += c->pairs[i].verdict == FB_AGREE && !c->pairs[i].intervals_overlap;
	return n;
}

/* Agreeing pairs are counted, not listed: a default run has dozens. */
void fb_consistency_print(const struct fb_consistency *c, FILE *out)
{
	size_t agree = 0;

	fprintf(out, "\nconsistency: %zu pairs measured twice, %zu disagree, %zu within tolerance but apart\n",
		c->npairs, c->disagree, apart(c));
	for (size_t i = 0; i < c->npairs; i++) {
		if (c->pairs[i].verdict == FB_AGREE && c->pairs[i].intervals_overlap)
			agree++;
		else
			fb_table_print_row(&pairs_table, &c->pairs[i], out);
	}
	if (agree)
		fprintf(out, "  %zu agree, their intervals meeting (the report lists them)\n", agree);
	if (c->noverheads)
		fprintf(out, "overhead of the instrument (against the bare loop):\n");
	fb_table_print(&overheads_table, c->overheads, c->noverheads, out);
	fprintf(out, "workers restarted because a case changed them: %lu; repetitions under steal > %.0f%%: "
		"%zu of %zu\n", c->worker_restarts, FB_STEAL_BOUND_PCT, c->steal_flagged, c->repetitions);
}

void fb_consistency_section(struct fb_doc *doc, const struct fb_consistency *c)
{
	fb_doc_details_begin(doc, 2, "Consistency: every pair measured twice");
	fb_doc_para(doc, "A figure is wrong until a second method agrees with it. Each pair below is one "
		    "operation measured two ways in this run; a pair disagrees when the ratio of medians is "
		    "outside the tolerance and the 95%% intervals of the two medians do not meet; a pair is "
		    "apart when its ratio is within the tolerance but the two intervals do not meet: a real "
		    "difference, smaller than the tolerance. %zu of %zu pairs disagree, %zu are apart.",
		    c->disagree, c->npairs, apart(c));
	if (c->npairs)
		fb_doc_add_table(doc, &pairs_table, c->pairs, c->npairs);
	fb_doc_heading(doc, 3, "Overhead of the instrument");
	fb_doc_para(doc, "The fork and vfork round trips from the worker against the leanest static C loop "
		    "(fb-bare: fork or vfork, _exit, waitpid; no region, no pipe protocol), run interleaved "
		    "with the suite. Target: within 1.05x.");
	if (c->noverheads)
		fb_doc_add_table(doc, &overheads_table, c->overheads, c->noverheads);
	fb_doc_para(doc, "Workers restarted because a case had changed them (mappings, resident memory, page "
		    "tables, threads or huge pages moved from the worker's baseline): %lu. Repetitions during "
		    "which the hypervisor stole more than %.0f%% of the CPU time: %zu of %zu.",
		    c->worker_restarts, FB_STEAL_BOUND_PCT, c->steal_flagged, c->repetitions);
	fb_doc_details_end(doc);
}

/* One warning per pair that disagrees, naming both figures, appended to
 * the run's warnings (the summary prints them, the report shows them). */
void fb_consistency_warnings(const struct fb_consistency *c, json_t *warnings)
{
	for (size_t i = 0; i < c->npairs; i++) {
		const struct fb_pair_result *p = &c->pairs[i];
		char msg[600], a[32], b[32];
		if (p->verdict != FB_DISAGREE)
			continue;
		snprintf(msg, sizeof(msg), "%s (%s) and %s (%s) are one operation but differ %.2fx, beyond %.0f%% "
			 "with intervals apart (%s)", p->a, fb_fmt_ns(p->median_a, a, sizeof(a)), p->b,
			 fb_fmt_ns(p->median_b, b, sizeof(b)), p->ratio, p->tolerance * 100, p->label);
		json_array_append_new(warnings, json_pack("{s:s, s:s}", "name", "consistency", "message", msg));
	}
}
