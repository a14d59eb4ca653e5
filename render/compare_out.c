/* compare_out.c - the comparison as one table described once (terminal and
 * Markdown from the same columns) and as JUnit XML: formatting only (see compare.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare_out.h"
#include "compare.h"
#include "doc.h"
#include "settings.h"
#include "text.h"

/* What the table's cells need beside the row. */
struct compare_ctx {
	const struct fb_comparison *cmp;
	const struct fb_compare_opts *opts;
};

static const char *fmt_ratio(const struct fb_compare_row *r, char *buf, size_t len)
{
	if (r->verdict == FB_NOT_COMPARABLE)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3f [%.3f, %.3f]", r->ratio, r->ratio_low, r->ratio_high);
	return buf;
}

static const char *fmt_p(const struct fb_compare_row *r, char *buf, size_t len)
{
	if (isnan(r->p))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.4f", r->p);
	return buf;
}

/* A median in microseconds, or as a multiple of what --normalize divided by. */
static const char *fmt_median(const struct fb_compare_row *r, const struct fb_compare_opts *opts, double median,
			      char *buf, size_t len)
{
	if (r->verdict == FB_NOT_COMPARABLE)
		snprintf(buf, len, "-");
	else if (strcmp(opts->normalize, "none") == 0)
		snprintf(buf, len, "%.1f us", median / 1e3);
	else
		snprintf(buf, len, "%.4g x", median);
	return buf;
}

static const char *cell_name(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
	return ((const struct fb_compare_row *)row)->name;
}

static const char *cell_base(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct fb_compare_row *r = row;
	return fmt_median(r, ((const struct compare_ctx *)ctx)->opts, r->base_median_ns, buf, len);
}

static const char *cell_new(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct fb_compare_row *r = row;
	return fmt_median(r, ((const struct compare_ctx *)ctx)->opts, r->new_median_ns, buf, len);
}

static const char *cell_ratio(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	return fmt_ratio(row, buf, len);
}

static const char *cell_p(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	return fmt_p(row, buf, len);
}

/* A verdict with what it leaves open: "inconclusive: interval [0.995,
 * 1.350] crosses 1.100 (threshold 10%)"; with the measurement that decided
 * it, when not these figures; why a row is not comparable. */
static const char *verdict_text(const struct fb_compare_row *r, const char *word, char *buf, size_t len)
{
	if (r->verdict == FB_NOT_COMPARABLE)
		snprintf(buf, len, "%s: %s", word, r->note);
	else if (r->reason[0])   /* inconclusive, or decided by a second measurement */
		snprintf(buf, len, "%s: %s", word, r->reason);
	else
		snprintf(buf, len, "%s", word);
	return buf;
}

/* The terminal's verdict, and the threshold it was judged by when a noise
 * file made thresholds differ from row to row. */
static const char *cell_verdict_terminal(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct fb_compare_row *r = row;

	(void)ctx;
	verdict_text(r, fb_verdict_name(r->verdict), buf, len);
	if (r->threshold_note[0] && r->verdict != FB_NOT_COMPARABLE) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "; %s", r->threshold_note);
	}
	return buf;
}

/* Markdown's: a regression in bold; the threshold has a column of its own. */
static const char *cell_verdict_doc(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct fb_compare_row *r = row;

	(void)ctx;
	return verdict_text(r, r->verdict == FB_SLOWER ? "**slower**" : fb_verdict_name(r->verdict), buf, len);
}

static const char *cell_threshold(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct fb_compare_row *r = row;

	(void)ctx, (void)buf, (void)len;
	return r->verdict == FB_NOT_COMPARABLE ? "-" : r->threshold_note;
}

/* With a noise file thresholds differ by row: then Markdown has a column. */
static int noise_file_used(const void *ctx)
{
	return ((const struct compare_ctx *)ctx)->cmp->noise_note[0] != '\0';
}

/* One row per benchmark; the terminal's columns padded to line up. */
static const struct fb_col compare_cols[] = {
	{ .header = "benchmark", .cell = cell_name, .show = FB_SHOW_BOTH, .gap = 0, .width = -46 },
	{ .header = "base", .cell = cell_base, .show = FB_SHOW_BOTH, .gap = 1, .width = 12 },
	{ .header = "new", .cell = cell_new, .show = FB_SHOW_BOTH, .gap = 1, .width = 12 },
	{ .header = "ratio new/base [interval]", .cell = cell_ratio, .show = FB_SHOW_BOTH, .gap = 1, .width = 26 },
	{ .header = "p", .cell = cell_p, .show = FB_SHOW_BOTH, .gap = 1, .width = 8 },
	{ .header = "verdict", .cell = cell_verdict_terminal, .show = FB_SHOW_TERMINAL, .gap = 2 },
	{ .header = "verdict", .cell = cell_verdict_doc, .show = FB_SHOW_DOC },
	{ .header = "threshold", .cell = cell_threshold, .show = FB_SHOW_DOC, .present = noise_file_used },
};

static struct fb_table compare_table(const struct compare_ctx *ctx)
{
	return (struct fb_table){ compare_cols, sizeof(compare_cols) / sizeof(compare_cols[0]), ctx,
				  .terminal_header = 1, .row_size = sizeof(ctx->cmp->rows[0]) };
}

static void print_header(const struct fb_comparison *cmp, const struct fb_compare_opts *opts, FILE *out)
{
	char figure[800];

	fprintf(out, "Compared %zu benchmarks: %s; two-sided Mann-Whitney U test, alpha %g; a change counts when "
		"it is significant and beyond %.0f%%%s%s%s.\n", cmp->count, cmp->normalize_note, opts->alpha,
		opts->threshold * 100, opts->family_thresholds[0] ? " (per family: " : "", opts->family_thresholds,
		opts->family_thresholds[0] ? ")" : "");
	fprintf(out, "The %s.\n", fb_comparison_figure_note(cmp, figure, sizeof(figure)));
}

/* The verdict words and their rules, from the one table that decides
 * them, after the figures. */
static void print_legend(const char *bullet, FILE *out)
{
	for (size_t i = 0; i < fb_nverdict_rules; i++)
		fprintf(out, "%s%s: %s\n", bullet, fb_verdict_rules[i].word, fb_verdict_rules[i].rule);
}

/* Where the runs' conditions differ, and a baseline with too few
 * repetitions: said before the figures, in every format that has prose. */
static void print_conditions(const struct fb_comparison *cmp, const char *bullet, FILE *out)
{
	const struct fb_conditions_diff *d = &cmp->conditions;

	if (!d->known)
		fprintf(out, "%sconditions not compared: a bench.json without its run folder has no manifest\n", bullet);
	for (size_t i = 0; i < d->count; i++)
		fprintf(out, "%s%s differs%s: base '%s', new '%s'\n", bullet, d->items[i].label,
			d->items[i].machine ? " (another machine)" : "", d->items[i].base, d->items[i].new_run);
	if (cmp->base_repetitions && cmp->base_repetitions < FB_REPETITIONS_RECOMMENDED)
		fprintf(out, "%sBASE has %zu repetitions per benchmark: %d or more are recommended (so says Google "
			"Benchmark's compare.py), or small changes cannot reach significance\n", bullet,
			cmp->base_repetitions, FB_REPETITIONS_RECOMMENDED);
}

/* The noise file that raised thresholds, and the rule: said before the
 * figures, as the conditions are. */
static void print_noise(const struct fb_comparison *cmp, const char *bullet, FILE *out)
{
	if (cmp->noise_note[0])
		fprintf(out, "%s%s\n", bullet, cmp->noise_note);
	if (cmp->confirm_note[0])
		fprintf(out, "%s%s\n", bullet, cmp->confirm_note);
}

/* The threshold a row was judged by: "10%" as always, or with a noise file
 * "threshold 22.5% (1.5 x measured A/A noise 15%; 10% otherwise)". */
static const char *threshold_text(const struct fb_compare_row *r, char *buf, size_t len)
{
	if (r->threshold_note[0])
		snprintf(buf, len, "%s", r->threshold_note);
	else
		snprintf(buf, len, "%.0f%%", r->threshold * 100);
	return buf;
}

static void print_totals(const struct fb_comparison *cmp, FILE *out)
{
	fprintf(out, "%zu slower (regressions), %zu faster, %zu not comparable, %zu same, %zu inconclusive%s\n",
		cmp->regressions, cmp->improvements, cmp->not_comparable, cmp->same, cmp->inconclusive,
		cmp->inconclusive ? " (not a failure: only slower fails)" : "");
}

void fb_compare_print_table(const struct fb_comparison *cmp, const struct fb_compare_opts *opts, FILE *out)
{
	struct compare_ctx ctx = { cmp, opts };
	struct fb_table table = compare_table(&ctx);

	print_header(cmp, opts, out);
	print_conditions(cmp, "  ", out);
	print_noise(cmp, "  ", out);
	fputc('\n', out);
	fb_table_print(&table, cmp->rows, cmp->count, out);
	fputc('\n', out);
	print_totals(cmp, out);
	print_legend("  ", out);
}

void fb_compare_write_markdown(const struct fb_comparison *cmp, const struct fb_compare_opts *opts, FILE *out)
{
	struct compare_ctx ctx = { cmp, opts };
	struct fb_table table = compare_table(&ctx);

	fprintf(out, "## Comparison\n\n");
	print_header(cmp, opts, out);
	fputc('\n', out);
	print_conditions(cmp, "- ", out);
	print_noise(cmp, "- ", out);
	fputc('\n', out);
	fb_table_write_md(&table, cmp->rows, cmp->count, out);
	print_totals(cmp, out);
	fputs("\nThe verdicts:\n\n", out);
	print_legend("- ", out);
}

/* The testsuite's properties: the runs' differing conditions, so a CI page
 * shows that the comparison crossed machines or settings. */
static void junit_property(const char *name, const char *value, FILE *out)
{
	fputs("    <property name=\"", out);
	fb_xml_escape(name, out);
	fputs("\" value=\"", out);
	fb_xml_escape(value, out);
	fputs("\"/>\n", out);
}

/* ... and the noise file that raised thresholds, if any. */
static void junit_properties(const struct fb_comparison *cmp, FILE *out)
{
	const struct fb_conditions_diff *d = &cmp->conditions;
	char value[800];

	fputs("  <properties>\n", out);
	junit_property("figure", fb_comparison_figure_note(cmp, value, sizeof(value)), out);
	if (cmp->noise_note[0])
		junit_property("A/A noise", cmp->noise_note, out);
	if (cmp->confirm_note[0])
		junit_property("re-measured", cmp->confirm_note, out);
	for (size_t i = 0; i < d->count; i++) {
		snprintf(value, sizeof(value), "base '%s', new '%s'%s", d->items[i].base, d->items[i].new_run,
			 d->items[i].machine ? " (another machine)" : "");
		junit_property(d->items[i].label, value, out);
	}
	fputs("  </properties>\n", out);
}

/* A regression's failure, with a body: GitLab and most CI pages show the
 * body, not the message attribute, so a red test says why in both. */
static void junit_failure(const struct fb_compare_row *r, const struct fb_compare_opts *opts, FILE *out)
{
	char ratio[64], p[16], base[32], new_run[32], body[1024], threshold[160];

	fmt_ratio(r, ratio, sizeof(ratio));
	fmt_p(r, p, sizeof(p));
	fmt_median(r, opts, r->base_median_ns, base, sizeof(base));
	fmt_median(r, opts, r->new_median_ns, new_run, sizeof(new_run));
	threshold_text(r, threshold, sizeof(threshold));
	fputs("<failure message=\"", out);
	snprintf(body, sizeof(body), "slower: ratio %s, p=%s, beyond %s", ratio, p, threshold);
	fb_xml_escape(body, out);
	fputs("\">", out);
	snprintf(body, sizeof(body), "%s is slower: median %s in BASE, %s in NEW; ratio NEW/BASE %s (the interval from "
		 "the medians' 95%% confidence intervals); Mann-Whitney U test p=%s over %zu and %zu repetitions; a "
		 "change counts when p < alpha and the whole interval is beyond %s.", r->name, base, new_run,
		 ratio, p, r->n_base, r->n_new, threshold);
	fb_xml_escape(body, out);
	fputs("</failure>", out);
}

/* A pass, and what it passed with: an inconclusive row's interval (it
 * does not fail, but neither is it the same), the threshold of a noise file. */
static void junit_pass_note(const struct fb_compare_row *r, FILE *out)
{
	char text[400], ratio[64];

	if (r->verdict == FB_INCONCLUSIVE)
		snprintf(text, sizeof(text), "inconclusive (not a failure): ratio %s, p %.4f; %s%s%s",
			 fmt_ratio(r, ratio, sizeof(ratio)), r->p, r->reason, r->threshold_note[0] ? "; " : "",
			 r->threshold_note);
	else
		snprintf(text, sizeof(text), "%s", r->threshold_note);
	fputs("<system-out>", out);
	fb_xml_escape(text, out);
	fputs("</system-out>", out);
}

/* One testcase per benchmark: a regression is a failure, a benchmark that
 * cannot be compared is skipped with the reason. */
void fb_compare_write_junit(const struct fb_comparison *cmp, const struct fb_compare_opts *opts, FILE *out)
{
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
		"<testsuite name=\"forkbench compare\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
		cmp->count, cmp->regressions, cmp->not_comparable);
	junit_properties(cmp, out);
	for (size_t i = 0; i < cmp->count; i++) {
		const struct fb_compare_row *r = &cmp->rows[i];
		fputs("  <testcase classname=\"forkbench\" name=\"", out);
		fb_xml_escape(r->name, out);
		fputs("\">", out);
		if (r->verdict == FB_SLOWER)
			junit_failure(r, opts, out);
		else if (r->verdict == FB_NOT_COMPARABLE) {
			fputs("<skipped message=\"", out);
			fb_xml_escape(r->note, out);
			fputs("\"/>", out);
		} else if (r->verdict == FB_INCONCLUSIVE || r->threshold_note[0]) {
			junit_pass_note(r, out);
		}
		fputs("</testcase>\n", out);
	}
	fputs("</testsuite>\n</testsuites>\n", out);
}
