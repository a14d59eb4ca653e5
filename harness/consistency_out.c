/* consistency_out.c - the run's cross-checks as JSON, text and a report
 * section (see consistency.h). Formatting only. */
#include "consistency.h"

#include <math.h>
#include <string.h>

#include "util.h"

static const char *verdict_word(const struct fb_pair_result *p, int overhead)
{
	if (p->verdict == FB_UNCHECKED)
		return "not checked";
	if (overhead)
		return p->verdict == FB_AGREE ? "within target" : "above target";
	return p->verdict == FB_AGREE ? "agree" : "disagree";
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

/* "spawn/fork/mem_mib:0/mode:4k 44.1 us vs calibrate/bare_fork/... 42.3 us: 1.04x" */
static void pair_line(const struct fb_pair_result *p, int overhead, FILE *out)
{
	char a[32], b[32];

	if (p->verdict == FB_UNCHECKED) {
		fprintf(out, "  %-12s %s: %s\n", verdict_word(p, overhead), p->label, p->note);
		return;
	}
	fprintf(out, "  %-12s %s: %s %s vs %s %s = %.3fx (%s %.0f%%)\n", verdict_word(p, overhead), p->label,
		p->a, fb_fmt_ns(p->median_a, a, sizeof(a)), p->b, fb_fmt_ns(p->median_b, b, sizeof(b)), p->ratio,
		overhead ? "target within" : "tolerance", p->tolerance * 100);
}

/* Agreeing pairs are counted, not listed: a default run has dozens. */
void fb_consistency_print(const struct fb_consistency *c, FILE *out)
{
	size_t agree = 0;

	fprintf(out, "\nconsistency: %zu pairs measured twice, %zu disagree\n", c->npairs, c->disagree);
	for (size_t i = 0; i < c->npairs; i++) {
		if (c->pairs[i].verdict == FB_AGREE)
			agree++;
		else
			pair_line(&c->pairs[i], 0, out);
	}
	if (agree)
		fprintf(out, "  %zu agree (the report lists them)\n", agree);
	if (c->noverheads)
		fprintf(out, "overhead of the instrument (against the bare loop):\n");
	for (size_t i = 0; i < c->noverheads; i++)
		pair_line(&c->overheads[i], 1, out);
	fprintf(out, "workers restarted because a case changed them: %lu; repetitions under steal > %.0f%%: "
		"%zu of %zu\n", c->worker_restarts, FB_STEAL_BOUND_PCT, c->steal_flagged, c->repetitions);
}

static void section_rows(struct fb_doc *doc, const struct fb_pair_result *list, size_t n, int overhead)
{
	static const char *const head[] = { "verdict", "what", "figure", "second method", "ratio", "allowed" };

	fb_doc_table(doc, 6, head);
	for (size_t i = 0; i < n; i++) {
		const struct fb_pair_result *p = &list[i];
		char a[200], b[200], ratio[32], allowed[48], ta[32], tb[32];
		snprintf(a, sizeof(a), "%s: %s", p->a, fb_fmt_ns(p->median_a, ta, sizeof(ta)));
		snprintf(b, sizeof(b), "%s: %s", p->b, fb_fmt_ns(p->median_b, tb, sizeof(tb)));
		snprintf(ratio, sizeof(ratio), isnan(p->ratio) ? "-" : "%.3fx", p->ratio);
		snprintf(allowed, sizeof(allowed), overhead ? "<= %.2fx" : "+-%.0f%%%s",
			 overhead ? 1 + p->tolerance : p->tolerance * 100,
			 overhead ? "" : p->intervals_overlap ? ", intervals meet" : ", intervals apart");
		fb_doc_row(doc, (const char *const[]){ verdict_word(p, overhead), p->label,
						       p->verdict == FB_UNCHECKED ? p->note : a,
						       p->verdict == FB_UNCHECKED ? "" : b, ratio, allowed });
	}
}

void fb_consistency_section(struct fb_doc *doc, const struct fb_consistency *c)
{
	fb_doc_heading(doc, 2, "Consistency");
	fb_doc_para(doc, "A figure is wrong until a second method agrees with it. Each pair below is one "
		    "operation measured two ways in this run; a pair disagrees when the ratio of medians is "
		    "outside the tolerance and the 95%% intervals of the two medians do not meet. "
		    "%zu of %zu pairs disagree.", c->disagree, c->npairs);
	if (c->npairs)
		section_rows(doc, c->pairs, c->npairs, 0);
	fb_doc_heading(doc, 3, "Overhead of the instrument");
	fb_doc_para(doc, "The fork and vfork round trips from the worker against the leanest static C loop "
		    "(fb-bare: fork or vfork, _exit, waitpid; no region, no pipe protocol), run interleaved "
		    "with the suite. Target: within 1.05x.");
	if (c->noverheads)
		section_rows(doc, c->overheads, c->noverheads, 1);
	fb_doc_para(doc, "Workers restarted because a case had changed them (mappings, resident memory, page "
		    "tables, threads or huge pages moved from the worker's baseline): %lu. Repetitions during "
		    "which the hypervisor stole more than %.0f%% of the CPU time: %zu of %zu.",
		    c->worker_restarts, FB_STEAL_BOUND_PCT, c->steal_flagged, c->repetitions);
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
