/* phases_out.c - where a spawn round trip's time goes, as the end-of-run
 * text, the report's section (plots/phases.gp draws its bars) and the
 * checks' JSON (see phases_out.h). Formatting only (STYLE 3): the phases
 * come from model/phases.c, the checks and readings from
 * verdict/phase_checks.c. */
#define _GNU_SOURCE
#include "phases_out.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "files.h"
#include "plot.h"

/* Every pair of marks could bound a phase: the most names a plot can hold. */
#define NAMES_MAX (FB_MARKS * (FB_MARKS - 1) / 2)
#define NAME_LEN 48

/* NaN and infinity are not JSON: a figure not measured is null. */
static json_t *number_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static const char *agreement_word(enum fb_agreement a)
{
	return a == FB_AGREE ? "agree" : a == FB_DISAGREE ? "disagree" : "unchecked";
}

static const char *overhead_word(enum fb_agreement a)
{
	return a == FB_AGREE ? "within target" : a == FB_DISAGREE ? "above target" : "unchecked";
}

/* "%.1f" of a figure, "-" when it was not measured. */
static const char *fmt_num(double v, const char *fmt, char *buf, size_t len)
{
	if (!isfinite(v))
		return "-";
	snprintf(buf, len, fmt, v);
	return buf;
}

/* The judgement's verdict on b: by address, else by name (a judgement made
 * of another copy of the phases, e.g. read back from phases.json). */
static const struct fb_phase_verdict *verdict_of(const struct fb_phase_judgement *j, const struct fb_phase_bench *b)
{
	if (!j)
		return NULL;
	for (size_t i = 0; i < j->count; i++)
		if (j->items[i].bench == b)
			return &j->items[i];
	for (size_t i = 0; i < j->count; i++)
		if (j->items[i].bench && strcmp(j->items[i].bench->name, b->name) == 0)
			return &j->items[i];
	return NULL;
}

/* b's largest phase: the judgement's; without one, the longest median (the
 * text still names it when nothing was judged). NULL: no phases. */
static const struct fb_phase *largest_of(const struct fb_phase_bench *b, const struct fb_phase_verdict *v)
{
	size_t at = 0;

	if (!b->nphases)
		return NULL;
	if (v && v->largest < b->nphases)
		return &b->phases[v->largest];
	for (size_t i = 1; i < b->nphases; i++)
		if (b->phases[i].median_us > b->phases[at].median_us)
			at = i;
	return &b->phases[at];
}

static const char *phase_name(const struct fb_phase *ph, char *buf, size_t len)
{
	fb_phase_name(ph->from, ph->to, buf, len);
	return buf;
}

/* A phase's median as a share of the traced round trip (enter to reaped). */
static double share_pct(const struct fb_phase_bench *b, const struct fb_phase *ph)
{
	return b->span_us > 0 ? 100 * ph->median_us / b->span_us : NAN;
}

/* "fork 0 MiB 4k": a bar's label, short enough for the plot's margin. */
static const char *short_label(const struct fb_phase_bench *b, char *buf, size_t len)
{
	if (!b->key.kase[0])
		snprintf(buf, len, "%s", b->name);
	else
		snprintf(buf, len, "%s %ld MiB %s", b->key.kase, b->key.mem_mib, b->key.mode);
	return buf;
}

/* "child: 3 cow, 2.25 exec; parent: 1 cow", the non-zero kinds only;
 * "none" without one. */
static const char *faults_text(const double faults[FB_TASKS][FB_FAULT_KINDS], char *buf, size_t len)
{
	static const enum fb_fault_task order[] = { FB_TASK_CHILD, FB_TASK_PARENT };
	static const char *const task_names[FB_TASKS] = { [FB_TASK_PARENT] = "parent", [FB_TASK_CHILD] = "child" };
	size_t at = 0;

	buf[0] = '\0';
	for (size_t t = 0; t < FB_TASKS; t++) {
		const char *sep = "";
		for (int k = 0; k < FB_FAULT_KINDS; k++) {
			double n = faults[order[t]][k];
			if (!(n > 0) || at >= len)
				continue;
			if (!sep[0])
				at += snprintf(buf + at, len - at, "%s%s: ", at ? "; " : "", task_names[order[t]]);
			if (at < len)
				at += snprintf(buf + at, len - at, "%s%.3g %s", sep, n, fb_fault_kind_name((enum fb_fault_kind)k));
			sep = ", ";
		}
	}
	return buf[0] ? buf : "none";
}

/* A question and its answer on one line: "Why ...? Because ...". */
static const char *question_sep(const char *question)
{
	size_t n = strlen(question);
	return n && question[n - 1] == '?' ? " " : ": ";
}

/* --- the end-of-run text ------------------------------------------------ */

/* The columns the case lines align to: the longest name, the longest
 * largest phase's name. */
static void line_widths(const struct fb_phases *p, const struct fb_phase_judgement *j, int *name_w, int *phase_w)
{
	char name[NAME_LEN];

	*name_w = *phase_w = 0;
	for (size_t i = 0; i < p->count; i++) {
		const struct fb_phase_bench *b = &p->benches[i];
		const struct fb_phase *ph = largest_of(b, verdict_of(j, b));
		if ((int)strlen(b->name) > *name_w)
			*name_w = (int)strlen(b->name);
		if (ph && (int)strlen(phase_name(ph, name, sizeof(name))) > *phase_w)
			*phase_w = (int)strlen(name);
	}
}

/* "  spawn/fork/mem_mib:0/mode:4k  431.5 us traced, largest child_run 120.0 us
 * (28%), overhead 1.07x"; a case without phases says why. */
static void print_case(FILE *out, const struct fb_phase_bench *b, const struct fb_phase_verdict *v, int name_w,
		       int phase_w)
{
	const struct fb_phase *ph = largest_of(b, v);
	char name[NAME_LEN];

	if (b->error[0] || !ph) {
		fprintf(out, "  %-*s  not cut into phases: %s\n", name_w, b->name, b->error[0] ? b->error : "no phase");
		return;
	}
	fprintf(out, "  %-*s %8.1f us traced, largest %-*s %7.1f us (%2.0f%%)", name_w, b->name, b->span_us, phase_w,
		phase_name(ph, name, sizeof(name)), ph->median_us, share_pct(b, ph));
	if (v && isfinite(v->overhead_ratio))
		fprintf(out, ", overhead %.2fx%s", v->overhead_ratio,
			v->overhead == FB_DISAGREE ? " (above target)" : "");
	fputc('\n', out);
}

/* One line per check that failed, naming both figures. */
static void print_failed(FILE *out, const struct fb_phase_verdict *v)
{
	const struct fb_phase_bench *b = v->bench;
	const char *name = b ? b->name : "?";

	if (v->sum == FB_DISAGREE)
		fprintf(out, "  sum off: %s: the trace's round trip %.1f us is %.3fx the worker's own %.1f us "
			"(allowed within %.0f%%)\n", name, b ? b->span_us : NAN, v->span_ratio,
			b ? b->traced_us : NAN, FB_PHASE_SUM_TOLERANCE * 100);
	if (v->overhead == FB_DISAGREE)
		fprintf(out, "  overhead above target: %s: traced batches %.2fx the untraced ones (target %.2fx)\n",
			name, v->overhead_ratio, FB_PHASE_OVERHEAD_TARGET);
	if (v->faults == FB_DISAGREE)
		fprintf(out, "  faults off: %s: %.1f child COW faults per round trip in the trace, %.1f counted "
			"(slack %d)\n", name, v->faults_traced, v->faults_counted, FB_PHASE_FAULTS_SLACK);
}

/* text after indent, wrapped at width columns, continuation lines two
 * columns further in: an answer is a few sentences long. */
static void print_wrapped(FILE *out, const char *indent, const char *text, int width)
{
	int col = fprintf(out, "%s", indent), start = col;

	while (*text) {
		size_t word = strcspn(text, " ");
		if (col > start && col + 1 + (int)word > width)
			col = fprintf(out, "\n%*s", start + 2, "") - 1;
		else if (col > start)
			col += fprintf(out, " ");
		col += fprintf(out, "%.*s", (int)word, text);
		text += word;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

static void print_readings(FILE *out, const struct fb_phase_judgement *j)
{
	for (int i = 0; i < FB_PHASE_READINGS; i++) {
		const struct fb_phase_reading *r = &j->readings[i];
		char text[1024];
		if (!r->question || !r->answer[0])
			continue;
		snprintf(text, sizeof(text), "%s%s%s", r->question, question_sep(r->question), r->answer);
		print_wrapped(out, "  ", text, 100);
	}
}

void fb_phases_print(const struct fb_phases *p, const struct fb_phase_judgement *j, FILE *out)
{
	int name_w, phase_w;

	if (!p->allowed) {
		fprintf(out, "\nphases: not traced: %s\n", p->why[0] ? p->why : "no reason given");
		return;
	}
	fprintf(out, "\nwhere the time goes (kernel tracepoints, %zu cases traced; span: enter to reaped, "
		"median):\n", p->count);
	line_widths(p, j, &name_w, &phase_w);
	for (size_t i = 0; i < p->count; i++)
		print_case(out, &p->benches[i], verdict_of(j, &p->benches[i]), name_w, phase_w);
	if (!j)
		return;
	fprintf(out, "checks: %zu sums off, %zu overheads above %.2fx, %zu fault counts off\n", j->sum_off,
		j->overhead_above, FB_PHASE_OVERHEAD_TARGET, j->faults_off);
	for (size_t i = 0; i < j->count; i++)
		print_failed(out, &j->items[i]);
	print_readings(out, j);
}

/* --- the report's section ----------------------------------------------- */

static void readings_part(struct fb_doc *doc, const struct fb_phase_judgement *j)
{
	for (int i = 0; j && i < FB_PHASE_READINGS; i++) {
		const struct fb_phase_reading *r = &j->readings[i];
		if (r->question && r->answer[0])
			fb_doc_para(doc, "%s%s%s", r->question, question_sep(r->question), r->answer);
	}
}

static void method_part(struct fb_doc *doc, const struct fb_phases *p)
{
	static const char *const head[] = { "mark", "tracepoint" };

	fb_doc_para(doc, "How it was measured: the kernel's tracepoints, recorded by ftrace in a tracefs instance "
		    "of forkbench's own that follows only the benchmark's worker and the children it makes (the "
		    "worker's pid with event-fork). For each traced benchmark the run's own worker ran a few "
		    "rounds, each an untraced batch and then a traced batch of the same operation; the untraced "
		    "batches give the tracer's overhead. Each traced round trip is cut at the marks below, and a "
		    "phase runs from one mark to the next in the order they came, so a vfork, whose parent sleeps "
		    "until its child exits, has phases a fork has not. A phase's figure is its median over the "
		    "round trips that took the benchmark's usual path.%s%s%s", p->clock[0] ? " Trace clock: " : "",
		    p->clock, !p->clock[0] ? "" : strcmp(p->clock, "local") == 0 ?
		    " (the CPU's own: the run was pinned to one CPU)." : " (CLOCK_MONOTONIC).");
	fb_doc_table(doc, 2, head);
	for (int m = 0; m < FB_MARKS; m++) {
		const char *cells[] = { fb_mark_name((enum fb_mark)m), fb_mark_event((enum fb_mark)m) };
		fb_doc_row(doc, cells);
	}
}

/* The distinct phase names of the plot, in the order first seen: one
 * colour each. */
struct name_list {
	char names[NAMES_MAX][NAME_LEN];
	size_t count;
};

static size_t name_index(struct name_list *l, const char *name)
{
	for (size_t i = 0; i < l->count; i++)
		if (strcmp(l->names[i], name) == 0)
			return i;
	if (l->count == NAMES_MAX)
		return NAMES_MAX - 1;   /* cannot happen: every pair of marks fits */
	snprintf(l->names[l->count], NAME_LEN, "%s", name);
	return l->count++;
}

/* One bar's segments: bar, phase index (from 1, gnuplot's linetype), name,
 * start and end in us and as a share of the bar's phases in %. */
static void bar_segments(FILE *f, size_t bar, const struct fb_phase_bench *b, struct name_list *names)
{
	double total_us = 0, at_us = 0;
	char name[NAME_LEN];

	for (size_t i = 0; i < b->nphases; i++)
		total_us += b->phases[i].median_us;
	for (size_t i = 0; i < b->nphases; i++) {
		double end_us = at_us + b->phases[i].median_us;
		phase_name(&b->phases[i], name, sizeof(name));
		fprintf(f, "%zu %zu %s %.3f %.3f %.3f %.3f\n", bar, name_index(names, name) + 1, name, at_us, end_us,
			100 * at_us / total_us, 100 * end_us / total_us);
		at_us = end_us;
	}
}

static int plotted(const struct fb_phase_bench *b)
{
	double total_us = 0;

	for (size_t i = 0; i < b->nphases; i++)
		total_us += b->phases[i].median_us;
	return !b->error[0] && total_us > 0;
}

/* run_dir/plots/phases.dat for plots/phases.gp: index 0 the bars (bar,
 * label, span), index 1 the segments. The number of bars (0: nothing to
 * plot or not written). */
static size_t plot_data(const char *run_dir, const struct fb_phases *p, struct name_list *names)
{
	char path[PATH_MAX], label[sizeof(p->benches[0].name)];
	struct fb_membuf buf;
	size_t bars = 0;

	snprintf(path, sizeof(path), "%s/plots", run_dir);
	if (fb_mkdir(path) || fb_membuf_open(&buf))
		return 0;
	snprintf(path, sizeof(path), "%s/plots/phases.dat", run_dir);
	fputs("# bar label span_us\n", buf.f);
	for (size_t i = 0; i < p->count; i++)
		if (plotted(&p->benches[i]))
			fprintf(buf.f, "%zu \"%s\" %.3f\n", bars++, short_label(&p->benches[i], label, sizeof(label)),
				p->benches[i].span_us);
	fputs("\n\n# bar phase_index phase start_us end_us start_pct end_pct\n", buf.f);
	bars = 0;
	for (size_t i = 0; i < p->count; i++)
		if (plotted(&p->benches[i]))
			bar_segments(buf.f, bars++, &p->benches[i], names);
	return fb_membuf_commit(&buf, path) == 0 ? bars : 0;
}

static void plot_part(struct fb_doc *doc, const char *run_dir, const struct fb_phases *p)
{
	static struct name_list names;   /* static: 66 names are large for a stack */
	char vars[NAMES_MAX * NAME_LEN + 256], err[PATH_MAX + 128];
	size_t bars, at;

	names.count = 0;
	bars = plot_data(run_dir, p, &names);
	if (!bars)
		return;
	at = (size_t)snprintf(vars, sizeof(vars), "nbars=%zu; nphases=%zu; plottitle='Where a traced round "
			      "trip goes, phase by phase'; phasenames='", bars, names.count);
	for (size_t i = 0; i < names.count && at < sizeof(vars); i++)
		at += (size_t)snprintf(vars + at, sizeof(vars) - at, "%s%s", i ? " " : "", names.names[i]);
	if (at < sizeof(vars))
		snprintf(vars + at, sizeof(vars) - at, "'");
	if (fb_plot_render(run_dir, "phases", "phases", vars, err, sizeof(err)))
		fb_doc_para(doc, "Plot missing: %s.", err);
	else
		fb_doc_image(doc, "phases", "Where a traced round trip goes: each benchmark's phases (medians) in the "
			     "order they ran, as a share of their sum; the span, enter to reaped, at the right");
}

/* "1.07x", "1.15x, above target 1.10", "-". */
static const char *overhead_cell(const struct fb_phase_verdict *v, char *buf, size_t len)
{
	if (!v || !isfinite(v->overhead_ratio))
		return "-";
	snprintf(buf, len, "%.2fx%s", v->overhead_ratio, v->overhead == FB_DISAGREE ? ", above target" : "");
	if (v->overhead == FB_DISAGREE)
		snprintf(buf + strlen(buf), len - strlen(buf), " %.2f", FB_PHASE_OVERHEAD_TARGET);
	return buf;
}

/* "0.954, agree"; a check not made gives its ratio alone. */
static const char *sum_cell(const struct fb_phase_verdict *v, char *buf, size_t len)
{
	if (!v || !isfinite(v->span_ratio))
		return "-";
	snprintf(buf, len, "%.3f%s%s", v->span_ratio, v->sum == FB_UNCHECKED ? "" : ", ",
		 v->sum == FB_UNCHECKED ? "" : agreement_word(v->sum));
	return buf;
}

/* "264 vs 256 counted, agree": COW cases only. */
static const char *faults_cell(const struct fb_phase_verdict *v, char *buf, size_t len)
{
	if (!v || v->faults == FB_UNCHECKED)
		return "-";
	snprintf(buf, len, "%.1f vs %.1f counted, %s", v->faults_traced, v->faults_counted, agreement_word(v->faults));
	return buf;
}

/* Why a figure is missing or a check not made: the case's error, the
 * judgement's note, events the kernel dropped. */
static const char *note_cell(const struct fb_phase_bench *b, const struct fb_phase_verdict *v, char *buf,
			     size_t len)
{
	const char *note = b->error[0] ? b->error : v ? v->note : "";

	snprintf(buf, len, "%s", note);
	if (b->lost_events)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%zu events lost", note[0] ? "; " : "",
			 b->lost_events);
	return buf;
}

static void checks_row(struct fb_doc *doc, const struct fb_phase_bench *b, const struct fb_phase_verdict *v)
{
	char traced[32], untraced[32], overhead[64], span[32], sum[64], faults[96], events[32], complete[64];
	char note[320];

	snprintf(complete, sizeof(complete), "%zu / %zu", b->complete, b->ran);
	const char *cells[] = {
		b->name, fmt_num(b->traced_us, "%.1f", traced, sizeof(traced)),
		fmt_num(b->untraced_us, "%.1f", untraced, sizeof(untraced)), overhead_cell(v, overhead, sizeof(overhead)),
		fmt_num(b->span_us, "%.1f", span, sizeof(span)), sum_cell(v, sum, sizeof(sum)),
		faults_cell(v, faults, sizeof(faults)),
		fmt_num(b->events, "%.1f", events, sizeof(events)), complete, note_cell(b, v, note, sizeof(note)),
	};
	fb_doc_row(doc, cells);
}

static void checks_part(struct fb_doc *doc, const struct fb_phases *p, const struct fb_phase_judgement *j)
{
	static const char *const head[] = {
		"benchmark", "traced round trip (worker's own, us)", "untraced (us)", "overhead (traced / untraced)",
		"trace span (enter to reaped, us)", "trace span / worker", "child COW faults: trace vs counted",
		"events per round trip", "complete / ran", "note",
	};

	fb_doc_heading(doc, 3, "Checks");
	fb_doc_para(doc, "A phase is a figure too, checked by a second method: the trace's round trip (enter to "
		    "reaped, the kernel's clock) against the round trip the worker timed itself in the same batches "
		    "(within %.0f%%), the traced batches against the untraced ones beside them (at most %.2fx), and a "
		    "COW case's child faults in the trace against its own count (within %d).",
		    FB_PHASE_SUM_TOLERANCE * 100, FB_PHASE_OVERHEAD_TARGET, FB_PHASE_FAULTS_SLACK);
	fb_doc_table(doc, 10, head);
	for (size_t i = 0; i < p->count; i++)
		checks_row(doc, &p->benches[i], verdict_of(j, &p->benches[i]));
}

/* One row per phase of b, its name on the first only. */
static void phase_rows(struct fb_doc *doc, const struct fb_phase_bench *b, int faults_traced)
{
	for (size_t i = 0; i < b->nphases; i++) {
		const struct fb_phase *ph = &b->phases[i];
		char name[NAME_LEN], marks[64], median[32], p90[32], share[32], faults[256];
		snprintf(marks, sizeof(marks), "%s -> %s", fb_mark_name(ph->from), fb_mark_name(ph->to));
		const char *cells[] = {
			i ? "" : b->name, phase_name(ph, name, sizeof(name)), marks,
			fmt_num(ph->median_us, "%.1f", median, sizeof(median)), fmt_num(ph->p90_us, "%.1f", p90, sizeof(p90)),
			fmt_num(share_pct(b, ph), "%.0f", share, sizeof(share)),
			faults_traced ? faults_text(ph->faults, faults, sizeof(faults)) : "not traced here",
		};
		fb_doc_row(doc, cells);
	}
}

static void phases_part(struct fb_doc *doc, const struct fb_phases *p)
{
	static const char *const head[] = {
		"benchmark", "phase", "from -> to", "median (us)", "p90 (us)", "share of the span (%)",
		"faults per round trip",
	};

	fb_doc_heading(doc, 3, "Phases");
	fb_doc_table(doc, 7, head);
	for (size_t i = 0; i < p->count; i++)
		phase_rows(doc, &p->benches[i], p->faults_traced);
}

void fb_phases_section(struct fb_doc *doc, const char *run_dir, const struct fb_phases *p,
		       const struct fb_phase_judgement *j)
{
	fb_doc_heading(doc, 2, "Where the time goes (kernel tracepoints)");
	if (!p->allowed) {
		method_part(doc, p);
		fb_doc_para(doc, "Not traced: %s. The rest of the run is unchanged.", p->why[0] ? p->why : "no reason given");
		return;
	}
	readings_part(doc, j);   /* the findings first */
	method_part(doc, p);
	if (!p->count) {
		fb_doc_para(doc, "No benchmark was traced.");
		return;
	}
	plot_part(doc, run_dir, p);
	checks_part(doc, p, j);
	phases_part(doc, p);
}

/* --- JSON ------------------------------------------------------------------- */

static json_t *verdict_json(const struct fb_phase_verdict *v)
{
	const struct fb_phase_bench *b = v->bench;
	const struct fb_phase *largest = b && v->largest < b->nphases ? &b->phases[v->largest] : NULL;
	char name[NAME_LEN];

	return json_pack("{s:o, s:s, s:o, s:s, s:o, s:s, s:o, s:o, s:o, s:s}",
			 "name", b ? json_string(b->name) : json_null(), "sum", agreement_word(v->sum),
			 "span_ratio", number_or_null(v->span_ratio), "overhead", overhead_word(v->overhead),
			 "overhead_ratio", number_or_null(v->overhead_ratio), "faults", agreement_word(v->faults),
			 "faults_traced", number_or_null(v->faults_traced),
			 "faults_counted", number_or_null(v->faults_counted),
			 "largest_phase", largest ? json_string(phase_name(largest, name, sizeof(name))) : json_null(),
			 "note", v->note);
}

json_t *fb_phase_judgement_json(const struct fb_phase_judgement *j)
{
	json_t *checks = json_array(), *readings = json_array();

	for (size_t i = 0; i < j->count; i++)
		json_array_append_new(checks, verdict_json(&j->items[i]));
	for (int i = 0; i < FB_PHASE_READINGS; i++) {
		const struct fb_phase_reading *r = &j->readings[i];
		if (r->question)
			json_array_append_new(readings, json_pack("{s:s, s:o}", "question", r->question, "answer",
								  r->answer[0] ? json_string(r->answer) : json_null()));
	}
	return json_pack("{s:o, s:o}", "checks", checks, "readings", readings);
}
