/* findings.c - the findings first (see findings.h): headline figures in
 * one table described once for the terminal and the report, the claims'
 * verdicts, what needs attention. Formatting only: the figures are the
 * results' medians and their intervals (model/stats.c). */
#include "findings.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "counters.h"
#include "ratios.h"
#include "stats.h"
#include "units.h"

#define CELL 64
#define MAX_LINES 64

/* The spawn primitives a reader compares first; bare: the floor under it. */
static const struct {
	const char *label, *kase, *bare;
} headline_cases[] = {
	{ "fork", "fork", "bare_fork" },
	{ "vfork", "vfork", "bare_vfork" },
	{ "clone (raw syscall, SIGCHLD)", "clone", NULL },
	{ "posix_spawn of a static helper", "posix_spawn_static", NULL },
	{ "fork + exec of a static helper", "fork_exec_static", NULL },
};
#define NHEADLINES (sizeof(headline_cases) / sizeof(headline_cases[0]))

struct headline {
	const char *label;
	char unit[48], at0[CELL], big4k[CELL], bigthp[CELL], vs_bare[CELL];
};

/* "488.8 [470.1, 495.3]": the median and its 95% interval in u; "-"
 * where the run has no such figure. */
static void figure_cell(const struct fb_results *res, const struct fb_bench_key *key, const struct fb_unit *u,
			char *buf, size_t len)
{
	const struct fb_result *r = fb_results_get(res, key);
	struct fb_summary s;

	if (!r || r->outcome != FB_OUTCOME_OK || !r->nreps || fb_summarize(r->times_ns, r->nreps, &s)) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%.1f [%.1f, %.1f]", fb_unit_value(u, s.median), fb_unit_value(u, s.ci_low),
		 fb_unit_value(u, s.ci_high));
}

static void fill_headline(const struct fb_results *res, size_t i, long big, struct headline *h)
{
	struct fb_bench_key k0 = FB_KEY0("spawn", ""), k4 = k0, kt = k0, bare = FB_KEY0("calibrate", "");
	struct fb_unit u;

	snprintf(k0.kase, sizeof(k0.kase), "%s", headline_cases[i].kase);
	k4 = kt = k0;
	k4.mem_mib = kt.mem_mib = big;
	snprintf(kt.mode, sizeof(kt.mode), "thp");
	fb_unit_for(&k0, fb_result_median_ns(fb_results_get(res, &k0)), &u);
	h->label = headline_cases[i].label;
	fb_unit_label(&u, h->unit, sizeof(h->unit));
	figure_cell(res, &k0, &u, h->at0, sizeof(h->at0));
	figure_cell(res, &k4, &u, h->big4k, sizeof(h->big4k));
	figure_cell(res, &kt, &u, h->bigthp, sizeof(h->bigthp));
	snprintf(h->vs_bare, sizeof(h->vs_bare), "-");
	if (headline_cases[i].bare) {
		snprintf(bare.kase, sizeof(bare.kase), "%s", headline_cases[i].bare);
		double ratio = fb_result_median_ns(fb_results_get(res, &k0)) /
			       fb_result_median_ns(fb_results_get(res, &bare));
		if (isfinite(ratio))
			snprintf(h->vs_bare, sizeof(h->vs_bare), "%.2fx", ratio);
	}
}

#define HEADLINE_CELL(field) \
	static const char *cell_##field(const void *row, const void *ctx, char *buf, size_t len) \
	{ \
		(void)ctx, (void)buf, (void)len; \
		return ((const struct headline *)row)->field; \
	}
HEADLINE_CELL(label)
HEADLINE_CELL(unit)
HEADLINE_CELL(at0)
HEADLINE_CELL(big4k)
HEADLINE_CELL(bigthp)
HEADLINE_CELL(vs_bare)

/* The headline table, its size columns named after the run's largest. */
static void headline_table(long big, struct fb_col *cols, struct fb_table *table)
{
	static char big4k[48], bigthp[48];

	/* a run without fork above 0 MiB has no largest size to name */
	if (big > 0) {
		snprintf(big4k, sizeof(big4k), "%ld MiB, 4 KiB pages", big);
		snprintf(bigthp, sizeof(bigthp), "%ld MiB, THP", big);
	} else {
		snprintf(big4k, sizeof(big4k), "largest size, 4 KiB pages");
		snprintf(bigthp, sizeof(bigthp), "largest size, THP");
	}
	const struct fb_col all[] = {
		{ .header = "operation", .cell = cell_label, .gap = 2, .width = -31 },
		{ .header = "unit", .cell = cell_unit, .gap = 1, .width = -18 },
		{ .header = "0 MiB", .cell = cell_at0, .gap = 1, .width = 24 },
		{ .header = big4k, .cell = cell_big4k, .gap = 1, .width = 27 },
		{ .header = bigthp, .cell = cell_bigthp, .gap = 1, .width = 24 },
		{ .header = "vs bare loop", .cell = cell_vs_bare, .gap = 1, .width = 12 },
	};
	memcpy(cols, all, sizeof(all));
	*table = (struct fb_table){ cols, sizeof(all) / sizeof(all[0]), NULL, .terminal_header = 1,
				    .row_size = sizeof(struct headline) };
}

/* --- figures per unit ---------------------------------------------------- */

/* fork's cost per GiB of parent memory: a line through the medians. */
static int fork_per_gib(const struct fb_results *res, const char *mode, char *buf, size_t len)
{
	struct fb_fit fit;

	if (fb_results_memory_fit(res, "spawn", "fork", mode, &fit) || fit.n < 3)
		return -1;
	snprintf(buf, len, "fork, cost per GiB of parent memory (%s pages): %.2f ms per GiB (a line through %zu "
		 "sizes' medians, r2 %.3f)", strcmp(mode, "thp") ? "4 KiB" : "huge", fit.slope / 1e6, fit.n, fit.r2);
	return 0;
}

static int cow_fault(const struct fb_results *res, char *buf, size_t len)
{
	struct fb_bench_key key = FB_KEY0("cow", "child_write_all");
	double lo, hi;

	key.mem_mib = fb_results_max_mib(res, "cow", "child_write_all");
	const struct fb_result *r = key.mem_mib > 0 ? fb_results_get(res, &key) : NULL;
	double ns = fb_result_counter_median(r, fb_ctr_ns_per_fault);
	if (isnan(ns) || fb_result_counter_range(r, fb_ctr_ns_per_fault, &lo, &hi))
		return -1;
	snprintf(buf, len, "a copy-on-write fault (the child writes every page of %ld MiB, 4 KiB pages): %.0f ns "
		 "(repetitions %.0f..%.0f)", key.mem_mib, ns, lo, hi);
	return 0;
}

static int thread_vs_process(const struct fb_results *res, char *buf, size_t len)
{
	double ratio = fb_ratio_value(res, &fb_ratios[0]);
	if (!isfinite(ratio) || ratio <= 0)
		return -1;
	snprintf(buf, len, "%s: %.3f (1/%.0f)", fb_ratios[0].label, ratio, 1 / ratio);
	return 0;
}

static int context_switch(const struct fb_results *res, char *buf, size_t len)
{
	const struct fb_bench_key key = FB_KEY0("switch", "futex_pingpong_threads/cpus:1");
	double ns = fb_result_counter_median(fb_results_get(res, &key), fb_ctr_ns_per_switch);
	if (isnan(ns))
		return -1;
	snprintf(buf, len, "a context switch (futex ping-pong between two threads on one CPU): %.0f ns", ns);
	return 0;
}

/* The figures the run has, one line each, into lines: how many. */
static size_t figure_lines(const struct fb_results *res, char lines[][512], size_t max)
{
	size_t n = 0;
	if (n < max && fork_per_gib(res, "4k", lines[n], 512) == 0)
		n++;
	if (n < max && fork_per_gib(res, "thp", lines[n], 512) == 0)
		n++;
	if (n < max && cow_fault(res, lines[n], 512) == 0)
		n++;
	if (n < max && thread_vs_process(res, lines[n], 512) == 0)
		n++;
	if (n < max && context_switch(res, lines[n], 512) == 0)
		n++;
	return n;
}

/* --- what needs attention ------------------------------------------------ */

struct lines {
	char text[MAX_LINES][512];
	size_t count;
};

static void add_line(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_line(struct lines *l, const char *fmt, ...)
{
	va_list ap;
	if (l->count == MAX_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(l->text[l->count++], sizeof(l->text[0]), fmt, ap);
	va_end(ap);
}

/* Pairs that disagree, and pairs within their tolerance whose 95%
 * intervals do not meet: a real, systematic difference, smaller than the
 * tolerance, that the reader should see before the table calls it agreement. */
static void consistency_lines(const struct fb_consistency *c, struct lines *l)
{
	for (size_t i = 0; c && i < c->npairs; i++) {
		const struct fb_pair_result *p = &c->pairs[i];
		if (p->verdict == FB_DISAGREE)
			add_line(l, "pair disagrees: %s: %s vs %s = %.3fx (tolerance %.0f%%)", p->label, p->a, p->b, p->ratio,
				 p->tolerance * 100);
		else if (p->verdict == FB_AGREE && !p->intervals_overlap)
			add_line(l, "pair within its tolerance but apart: %s: %s vs %s = %.3fx, the two 95%% intervals do not "
				 "meet", p->label, p->a, p->b, p->ratio);
	}
	for (size_t i = 0; c && i < c->noverheads; i++)
		if (c->overheads[i].verdict == FB_DISAGREE)
			add_line(l, "instrument overhead above target: %s: %.3fx (target within %.0f%%)",
				 c->overheads[i].label, c->overheads[i].ratio, c->overheads[i].tolerance * 100);
}

static void phase_lines(const struct fb_phase_judgement *j, struct lines *l)
{
	for (size_t i = 0; j && i < j->count; i++) {
		const struct fb_phase_verdict *v = &j->items[i];
		if (v->overhead == FB_DISAGREE)
			add_line(l, "tracing overhead above target: %s: %.2fx (target %.2fx)", v->bench->name,
				 v->overhead_ratio, FB_PHASE_OVERHEAD_TARGET);
		if (v->sum == FB_DISAGREE)
			add_line(l, "phases disagree with the worker's round trip: %s: %.3fx", v->bench->name, v->span_ratio);
		if (v->faults == FB_DISAGREE)
			add_line(l, "traced faults disagree with perf: %s: %.0f against %.0f", v->bench->name,
				 v->faults_traced, v->faults_counted);
	}
}

static void attention_lines(const struct fb_findings *f, struct lines *l)
{
	const json_t *w;
	size_t i;

	consistency_lines(f->cons, l);
	phase_lines(f->phases, l);
	for (i = 0; i < f->res->count; i++)
		if (f->res->items[i].outcome == FB_OUTCOME_FAILED || f->res->items[i].outcome == FB_OUTCOME_NO_RESOURCE)
			add_line(l, "%s: %s", f->res->items[i].name, f->res->items[i].error);
	/* the run's own pairs are said above; the rest are the machine's */
	json_array_foreach(f->warnings, i, w)
		if (strcmp(json_string_value(json_object_get(w, "name")) ?: "", "consistency"))
			add_line(l, "condition: %s: %s", json_string_value(json_object_get(w, "name")),
				 json_string_value(json_object_get(w, "message")));
}

/* --- the two renderings -------------------------------------------------- */

static size_t headlines(const struct fb_results *res, struct headline *rows, long *big)
{
	*big = fb_results_max_mib(res, "spawn", "fork");
	size_t n = 0;
	for (size_t i = 0; i < NHEADLINES; i++) {
		fill_headline(res, i, *big, &rows[n]);
		if (strcmp(rows[n].at0, "-") || strcmp(rows[n].big4k, "-") || strcmp(rows[n].bigthp, "-"))
			n++;
	}
	return n;
}

/* Everything both renderings show, gathered once. */
struct gathered {
	struct headline rows[NHEADLINES];
	size_t nrows;
	struct fb_col cols[8];
	struct fb_table table;
	struct lines figures, attention;
};

static struct gathered *gather(const struct fb_findings *f)
{
	static struct gathered g;   /* static: the lines are large for a stack */
	long big;

	memset(&g, 0, sizeof(g));
	g.nrows = headlines(f->res, g.rows, &big);
	headline_table(big, g.cols, &g.table);
	g.figures.count = figure_lines(f->res, g.figures.text, MAX_LINES);
	attention_lines(f, &g.attention);
	return &g;
}

void fb_findings_print(const struct fb_findings *f, FILE *out)
{
	const struct gathered *g = gather(f);

	fprintf(out, "\nfindings: medians [95%% interval] per operation\n");
	if (g->nrows)
		fb_table_print(&g->table, g->rows, g->nrows, out);
	for (size_t i = 0; i < g->figures.count; i++)
		fprintf(out, "  %s\n", g->figures.text[i]);
	if (f->claims && f->claims->count)
		fprintf(out, "lecture claims:\n");
	for (size_t i = 0; f->claims && i < f->claims->count; i++)
		fprintf(out, "  %-16s %s\n", fb_claim_status_name(f->claims->rows[i].status), f->claims->rows[i].claim);
	fprintf(out, "needs attention:%s\n", g->attention.count ? "" : " nothing (every cross-check agrees)");
	for (size_t i = 0; i < g->attention.count; i++)
		fprintf(out, "  %s\n", g->attention.text[i]);
}

void fb_findings_section(struct fb_doc *doc, const struct fb_findings *f)
{
	static const char *const claim_head[] = { "verdict", "claim", "measured" };
	const struct gathered *g = gather(f);

	fb_doc_heading(doc, 2, "Findings");
	fb_doc_para(doc, "Medians per operation with their 95%% confidence interval in brackets; vs bare loop: the "
		    "round trip against the same one in a process that holds nothing else (calibrate/bare_*).");
	if (g->nrows)
		fb_doc_add_table(doc, &g->table, g->rows, g->nrows);
	for (size_t i = 0; i < g->figures.count; i++)
		fb_doc_para(doc, "%s.", g->figures.text[i]);
	if (f->claims && f->claims->count) {
		fb_doc_heading(doc, 3, "Lecture claims, one line each");
		fb_doc_table(doc, 3, claim_head);
		for (size_t i = 0; i < f->claims->count; i++)
			fb_doc_row(doc, (const char *const[]){ fb_claim_status_name(f->claims->rows[i].status),
							       f->claims->rows[i].claim, f->claims->rows[i].measured });
	}
	fb_doc_heading(doc, 3, "Needs attention");
	if (!g->attention.count)
		fb_doc_para(doc, "Nothing: every cross-check agrees, and no condition of the machine was flagged.");
	for (size_t i = 0; i < g->attention.count; i++)
		fb_doc_para(doc, "%s.", g->attention.text[i]);
}
