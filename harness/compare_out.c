/* compare_out.c - the comparison as a terminal table, Markdown and JUnit
 * XML: formatting only (see compare.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "settings.h"
#include "util.h"

static void fmt_ratio(const struct fb_compare_row *r, char *buf, size_t len)
{
	if (r->verdict == FB_NOT_COMPARABLE)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3f [%.3f, %.3f]", r->ratio, r->ratio_low, r->ratio_high);
}

static void fmt_p(const struct fb_compare_row *r, char *buf, size_t len)
{
	if (isnan(r->p))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.4f", r->p);
}

static void fmt_medians(const struct fb_compare_row *r, const struct fb_compare_opts *opts,
			char *base, char *new_run, size_t len)
{
	int absolute = strcmp(opts->normalize, "none") == 0;
	if (r->verdict == FB_NOT_COMPARABLE) {
		snprintf(base, len, "-");
		snprintf(new_run, len, "-");
	} else if (absolute) {
		snprintf(base, len, "%.1f us", r->base_median_ns / 1e3);
		snprintf(new_run, len, "%.1f us", r->new_median_ns / 1e3);
	} else {
		snprintf(base, len, "%.4g x", r->base_median_ns);
		snprintf(new_run, len, "%.4g x", r->new_median_ns);
	}
}

static void print_header(const struct fb_comparison *cmp, const struct fb_compare_opts *opts, FILE *out)
{
	fprintf(out, "Compared %zu benchmarks: %s; two-sided Mann-Whitney U test, alpha %g; a change counts when "
		"it is significant and beyond %.0f%%%s%s.\n", cmp->count, cmp->normalize_note, opts->alpha,
		opts->threshold * 100, opts->family_thresholds[0] ? " (per family: " : "", opts->family_thresholds);
	if (opts->family_thresholds[0])
		fputc(')', out);
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

/* After a comparable row's verdict in the table: its threshold, when a
 * noise file made thresholds differ from row to row. */
static const char *row_suffix(const struct fb_compare_row *r, char *buf, size_t len)
{
	if (r->verdict == FB_NOT_COMPARABLE)
		snprintf(buf, len, ": %s", r->note);
	else if (r->threshold_note[0])
		snprintf(buf, len, "; %s", r->threshold_note);
	else
		buf[0] = '\0';
	return buf;
}

static void print_totals(const struct fb_comparison *cmp, FILE *out)
{
	fprintf(out, "%zu slower (regressions), %zu faster, %zu not comparable, %zu same\n", cmp->regressions,
		cmp->improvements, cmp->not_comparable,
		cmp->count - cmp->regressions - cmp->improvements - cmp->not_comparable);
}

void fb_compare_print_table(const struct fb_comparison *cmp, const struct fb_compare_opts *opts, FILE *out)
{
	char ratio[64], p[16], base[32], new_run[32], suffix[256];

	print_header(cmp, opts, out);
	print_conditions(cmp, "  ", out);
	print_noise(cmp, "  ", out);
	fprintf(out, "\n%-46s %12s %12s %26s %8s  %s\n", "benchmark", "base", "new", "ratio new/base [interval]",
		"p", "verdict");
	for (size_t i = 0; i < cmp->count; i++) {
		const struct fb_compare_row *r = &cmp->rows[i];
		fmt_ratio(r, ratio, sizeof(ratio));
		fmt_p(r, p, sizeof(p));
		fmt_medians(r, opts, base, new_run, sizeof(base));
		fprintf(out, "%-46s %12s %12s %26s %8s  %s%s\n", r->name, base, new_run, ratio, p,
			fb_verdict_name(r->verdict), row_suffix(r, suffix, sizeof(suffix)));
	}
	fputc('\n', out);
	print_totals(cmp, out);
}

void fb_compare_write_markdown(const struct fb_comparison *cmp, const struct fb_compare_opts *opts, FILE *out)
{
	char ratio[64], p[16], base[32], new_run[32];
	int noise = cmp->noise_note[0] != '\0';   /* then a threshold column: they differ by row */

	fprintf(out, "## Comparison\n\n");
	print_header(cmp, opts, out);
	fputc('\n', out);
	print_conditions(cmp, "- ", out);
	print_noise(cmp, "- ", out);
	fprintf(out, "\n| benchmark | base | new | ratio new/base [interval] | p | verdict |%s\n"
		"| --- | --- | --- | --- | --- | --- |%s\n", noise ? " threshold |" : "", noise ? " --- |" : "");
	for (size_t i = 0; i < cmp->count; i++) {
		const struct fb_compare_row *r = &cmp->rows[i];
		fmt_ratio(r, ratio, sizeof(ratio));
		fmt_p(r, p, sizeof(p));
		fmt_medians(r, opts, base, new_run, sizeof(base));
		fprintf(out, "| %s | %s | %s | %s | %s | %s%s%s |", r->name, base, new_run, ratio, p,
			r->verdict == FB_SLOWER ? "**slower**" : fb_verdict_name(r->verdict),
			r->verdict == FB_NOT_COMPARABLE ? ": " : "", r->verdict == FB_NOT_COMPARABLE ? r->note : "");
		if (noise)
			fprintf(out, " %s |", r->verdict == FB_NOT_COMPARABLE ? "-" : r->threshold_note);
		fputc('\n', out);
	}
	fputc('\n', out);
	print_totals(cmp, out);
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
	char value[320];

	if (!d->count && !cmp->noise_note[0] && !cmp->confirm_note[0])
		return;
	fputs("  <properties>\n", out);
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
	fmt_medians(r, opts, base, new_run, sizeof(base));
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
		} else if (r->threshold_note[0]) {   /* a pass, and the threshold it passed */
			fputs("<system-out>", out);
			fb_xml_escape(r->threshold_note, out);
			fputs("</system-out>", out);
		}
		fputs("</testcase>\n", out);
	}
	fputs("</testsuite>\n</testsuites>\n", out);
}
