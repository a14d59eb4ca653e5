/* grade_measure.c - the measurement kind: a figure the program prints
 * against forkbench's own, measured side by side. The program and
 * forkbench's reference take turns (ABBA) for several rounds in the same
 * grading, on the same CPUs, and the median of the rounds' ratios is held
 * against the tolerance (grade_decide.c): a verdict taken from one figure
 * now against one figure then flipped on a busy machine (a correct program
 * lost a point in 1 of 8 gradings beside two CPU hogs). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "family.h"
#include "grade.h"
#include "proc.h"

/* A reference time takes at least this long and this many iterations, as
 * a program's own short loop does (real_time is the mean iteration, as in
 * Google Benchmark); a counter (faults) is the same in every iteration and
 * takes one. Short on purpose: beside two CPU hogs a vfork loop either ran
 * at its cost (25 us) or met a hog's time slice at nearly every wake-up
 * (3-4 ms), and a 20 ms reference window met one in all 9 rounds of a
 * grading twice in 50, while the program's 100 vforks (3 ms) escaped in
 * some; at 2 ms the reference escaped as often as the program did. */
#define REF_TARGET_S 0.002
#define REF_MIN_ITERATIONS 5

/* Test-only (FORKBENCH_TEST_REFERENCE_JITTER=F): forkbench's figure is
 * multiplied by F in even rounds, as a busy machine adds time slices to
 * some rounds and not others, so the tests reach the undecided path on
 * purpose. */
static double test_jitter(size_t round)
{
	const char *text = getenv("FORKBENCH_TEST_REFERENCE_JITTER");
	double f = text ? strtod(text, NULL) : 1;

	return f > 0 && round % 2 == 0 ? f : 1;
}

int fb_grade_reference_key(const char *reference, long size_mib, struct fb_bench_key *key)
{
	const char *slash = strchr(reference, '/');

	memset(key, 0, sizeof(*key));
	if (!slash || (size_t)(slash - reference) >= sizeof(key->family) || strlen(slash + 1) >= sizeof(key->kase))
		return -1;
	memcpy(key->family, reference, (size_t)(slash - reference));
	snprintf(key->kase, sizeof(key->kase), "%s", slash + 1);
	snprintf(key->mode, sizeof(key->mode), "4k");
	key->mem_mib = size_mib;
	return fb_key_registered(key) ? 0 : -1;
}

/* The reference point of a (checked) test: its benchmark, and for a
 * metric other than real_time the index of the case's counter. 0, or -1
 * when metric is neither. */
static int reference_point(json_t *test, struct fb_grade_ref_point *pt)
{
	const char *metric = json_string_value(json_object_get(test, "metric"));
	unsigned family, kase;
	int64_t axis_value;

	memset(pt, 0, sizeof(*pt));
	if (fb_grade_reference_key(json_string_value(json_object_get(test, "reference")),
				   (long)json_integer_value(json_object_get(test, "size_mib")), &pt->key) ||
	    fb_key_locate(&pt->key, &family, &kase, &axis_value))
		return -1;
	pt->value_index = -1;
	pt->target_s = REF_TARGET_S;
	pt->min_iterations = REF_MIN_ITERATIONS;
	if (strcmp(metric, "real_time") == 0)
		return 0;
	const char *const *names = fb_families[family]->cases[kase].value_names;
	for (int32_t i = 0; names && names[i]; i++)
		if (strcmp(names[i], metric) == 0) {
			pt->value_index = i;
			pt->target_s = 0;
			pt->min_iterations = 1;
			return 0;
		}
	return -1;
}

int fb_grade_check_measurement(json_t *test, char *err, size_t len)
{
	static const char *const strings[] = { "figure", "reference", "metric" };
	json_t *size = json_object_get(test, "size_mib");
	json_t *ratio = json_object_get(test, "ratio_tolerance");
	json_t *relative = json_object_get(test, "relative_tolerance");
	struct fb_grade_ref_point pt;

	if (!fb_grade_valid_args(test))
		return snprintf(err, len, "args must be an array of strings"), -1;
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		if (!json_is_string(json_object_get(test, strings[i])))
			return snprintf(err, len, "%s must be a string", strings[i]), -1;
	if (!json_is_integer(size) || json_integer_value(size) < 0 || json_integer_value(size) > 4096)
		return snprintf(err, len, "size_mib must be an integer from 0 to 4096"), -1;
	struct fb_bench_key key;
	const char *reference = json_string_value(json_object_get(test, "reference"));
	if (fb_grade_reference_key(reference, (long)json_integer_value(size), &key))
		return snprintf(err, len, "reference '%.80s' at %lld MiB names no benchmark case (family/case)", reference,
				(long long)json_integer_value(size)), -1;
	if (reference_point(test, &pt))
		return snprintf(err, len, "metric '%.60s' is neither real_time nor a counter of %.80s",
				json_string_value(json_object_get(test, "metric")), reference), -1;
	if (!!ratio == !!relative)
		return snprintf(err, len, "needs one of ratio_tolerance or relative_tolerance"), -1;
	if (ratio && !(json_is_number(ratio) && json_number_value(ratio) > 1))
		return snprintf(err, len, "ratio_tolerance must be a number > 1"), -1;
	if (relative && !(json_is_number(relative) && json_number_value(relative) > 0 && json_number_value(relative) < 1))
		return snprintf(err, len, "relative_tolerance must be a number > 0 and < 1"), -1;
	json_t *children = json_object_get(test, "requires_children"), *faults = json_object_get(test, "requires_faults");
	if (children && !(json_is_integer(children) && json_integer_value(children) >= 0))
		return snprintf(err, len, "requires_children must be an integer >= 0"), -1;
	if (faults && !(json_is_number(faults) && json_number_value(faults) >= 0))
		return snprintf(err, len, "requires_faults must be a number >= 0 (a multiple of the figure)"), -1;
	return 0;
}

/* Did the run do the work its figure stands for? A figure printed without
 * it earns nothing, whatever its value (a program printing "fork_us 692"
 * and forking nothing scored full marks before). Children: the most tasks
 * at once in the step's cgroup, less the program; without a cgroup, the
 * pids handed out in our pid namespace meanwhile (an upper bound: 0 still
 * proves none). Faults: those of its children only, at least
 * requires_faults times the figure: the program's own do not count, or
 * writing the memory itself and forking an idle child would pass for COW.
 * What cannot be read here is not held against the student. */
static int work_done(json_t *test, const struct fb_grade_run *run, const char *figure, double mine,
		     struct fb_grade_outcome *out)
{
	long want_children = (long)json_integer_value(json_object_get(test, "requires_children"));
	double want_faults = json_number_value(json_object_get(test, "requires_faults")) * mine;
	const struct fb_step_result *r = &run->res;
	long children = r->pids_peak >= 0 ? r->pids_peak - 1 : r->pids_allocated;

	if (want_children && children >= 0 && children < want_children) {
		fb_grade_say(out, "%s %g, but the program created %s while it ran (%s: %ld, needed %ld); a figure "
			     "printed without the work earns nothing", figure, mine,
			     children ? "too few other processes" : "no other process",
			     r->pids_peak >= 0 ? "most tasks at once, less the program" : "pids handed out meanwhile",
			     children, want_children);
		return 0;
	}
	if (want_faults > 0 && r->children_minflt >= 0 && (double)r->children_minflt < want_faults) {
		fb_grade_say(out, "%s %g, but its child processes took only %ld minor faults in all, fewer than the "
			     "figure says (the program's own faults do not count); a figure printed without the work "
			     "earns nothing", figure, mine, r->children_minflt);
		return 0;
	}
	return 1;
}

/* The line after line, or NULL at the end of the text. */
static const char *next_line(const char *line)
{
	const char *nl = strchr(line, '\n');
	return nl ? nl + 1 : NULL;
}

/* The value on the first stdout line "figure VALUE"; 0, or -1 when absent. */
static int find_figure(const char *text, const char *figure, double *value)
{
	size_t len = strlen(figure);

	for (const char *line = text; line && *line; line = next_line(line)) {
		char *end;
		if (strncmp(line, figure, len) != 0 || (line[len] != ' ' && line[len] != '\t'))
			continue;
		*value = strtod(line + len, &end);
		return end != line + len && isfinite(*value) ? 0 : -1;
	}
	return -1;
}

/* The program's figure for test from one run of a round; 0, or -1 with
 * why said (the test then fails: a correct program prints it every time). */
static int program_figure(const struct fb_grade_ctx *ctx, json_t *test, const struct fb_grade_run *run, size_t round,
			  double *mine, struct fb_grade_outcome *why)
{
	const char *figure = json_string_value(json_object_get(test, "figure"));

	if (round > 0)
		fb_grade_say(why, "in round %zu of the measurement: ", round + 1);
	if (round > 0 && fb_grade_run_ended(ctx, run, why))
		return -1;
	if (find_figure(run->stdout_text, figure, mine)) {
		fb_grade_say(why, "no line \"%s VALUE\" on stdout", figure);
		fb_grade_show_output(why, run);
		return -1;
	}
	return work_done(test, run, figure, *mine, why) ? 0 : -1;
}

/* The ratio program / reference that passes: [1/r, r] for a ratio
 * tolerance r, [1 - rel, 1 + rel] for a relative one. */
static void band_of(json_t *test, double *lo, double *hi)
{
	json_t *ratio = json_object_get(test, "ratio_tolerance");
	double x = json_number_value(ratio ? ratio : json_object_get(test, "relative_tolerance"));

	*lo = ratio ? 1 / x : 1 - x;
	*hi = ratio ? x : 1 + x;
}

static int same_args(json_t *a, json_t *b)
{
	return json_array_size(a) == json_array_size(b) && (json_array_size(a) == 0 || json_equal(a, b));
}

/* The measurement tests not yet measured whose args are test's: their
 * rounds share one program run each. Their indexes into spec->tests. */
static size_t group_of(const struct fb_grade_ctx *ctx, json_t *test, size_t *idx, size_t max)
{
	json_t *t;
	size_t i, n = 0;

	json_array_foreach(ctx->spec->tests, i, t)
		if (strcmp(json_string_value(json_object_get(t, "kind")), "measurement") == 0 && !ctx->measured[i].done &&
		    same_args(json_object_get(test, "args"), json_object_get(t, "args")) && n < max)
			idx[n++] = i;
	return n;
}

/* forkbench's figure for every test of the group still open, in the
 * program's units (us for a time). */
static void measure_references(struct fb_grade_ctx *ctx, const size_t *idx, size_t n, size_t round)
{
	for (size_t g = 0; g < n; g++) {
		struct fb_grade_measured *m = &ctx->measured[idx[g]];
		json_t *test = json_array_get(ctx->spec->tests, idx[g]);
		struct fb_grade_ref_point pt;
		double value;

		if (m->done)
			continue;
		reference_point(test, &pt);   /* checked when the spec was loaded */
		pt.round = round;
		if (fb_grade_ref_measure(&ctx->ref, &pt, &value, m->why, sizeof(m->why)) || !(value > 0)) {
			if (!m->why[0])
				snprintf(m->why, sizeof(m->why), "forkbench measured %g", value);
			m->internal_err = m->done = 1;
			continue;
		}
		m->ref[m->n] = value / (pt.value_index < 0 ? 1e3 : 1) * test_jitter(round);
	}
}

/* The program's figure for every open test of the group from this round's
 * run; a round becomes whole here (m->n counts it). */
static void take_figures(struct fb_grade_ctx *ctx, const size_t *idx, size_t n, const struct fb_grade_run *run,
			 size_t round)
{
	for (size_t g = 0; g < n; g++) {
		struct fb_grade_measured *m = &ctx->measured[idx[g]];
		struct fb_grade_outcome why = { 0 };

		if (m->done)
			continue;
		if (program_figure(ctx, json_array_get(ctx->spec->tests, idx[g]), run, round, &m->mine[m->n], &why)) {
			snprintf(m->why, sizeof(m->why), "%s", why.output);
			m->done = 1;
			continue;
		}
		snprintf(m->order + strlen(m->order), sizeof(m->order) - strlen(m->order), "%s%s", m->n ? " " : "",
			 fb_grade_program_first(round) ? "PR" : "RP");
		m->n++;
	}
}

static void decide_all(struct fb_grade_ctx *ctx, const size_t *idx, size_t n, int final, double pressure)
{
	for (size_t g = 0; g < n; g++) {
		struct fb_grade_measured *m = &ctx->measured[idx[g]];
		double lo, hi;

		if (m->done)
			continue;
		band_of(json_array_get(ctx->spec->tests, idx[g]), &lo, &hi);
		fb_grade_decide(m->mine, m->ref, m->n, lo, hi, &ctx->spec->rounds, final, pressure, &m->d);
		m->done = m->d.verdict != FB_GRADE_MORE;
	}
}

/* Our side failed: the open tests of the group end with why. */
static void fail_open(struct fb_grade_ctx *ctx, const size_t *idx, size_t n, const char *why)
{
	for (size_t g = 0; g < n; g++) {
		struct fb_grade_measured *m = &ctx->measured[idx[g]];
		if (!m->done)
			snprintf(m->why, sizeof(m->why), "%s", why), m->internal_err = m->done = 1;
	}
}

static int any_open(const struct fb_grade_ctx *ctx, const size_t *idx, size_t n)
{
	for (size_t g = 0; g < n; g++)
		if (!ctx->measured[idx[g]].done)
			return 1;
	return 0;
}

/* The rounds of test's group: round 0 takes the run the behaviour tests
 * already read (it ended just before), each later round a new one, on
 * the side ABBA puts it; no round starts after the spec's bounds. */
static void measure_group(struct fb_grade_ctx *ctx, json_t *test, const struct fb_grade_run *first_run)
{
	const struct fb_grade_rounds *rules = &ctx->spec->rounds;
	json_t *none = json_array(), *args = json_object_get(test, "args");
	size_t idx[64], n = group_of(ctx, test, idx, 64);
	double start = fb_now_s(), waited_s = fb_cpu_waited_s();

	for (size_t round = 0; round < rules->max_rounds && any_open(ctx, idx, n); round++) {
		struct fb_grade_run fresh = { 0 };
		const struct fb_grade_run *run = first_run;
		if (round > 0 && fb_grade_program_first(round))
			fb_grade_run_again(ctx, args ? args : none, round, &fresh), run = &fresh;
		measure_references(ctx, idx, n, round);
		if (round > 0 && !fb_grade_program_first(round))
			fb_grade_run_again(ctx, args ? args : none, round, &fresh), run = &fresh;
		if (run->failed)
			fail_open(ctx, idx, n, "the grader could not set up the sandbox for a round of the measurement");
		take_figures(ctx, idx, n, run, round);
		if (round > 0)
			fb_grade_run_free(&fresh);
		if (fb_sandbox_interrupted() || run->failed)
			break;
		/* the share of the rounds' time in which some task waited for a CPU */
		double pressure = (fb_cpu_waited_s() - waited_s) / (fb_now_s() - start);
		decide_all(ctx, idx, n, round + 1 >= rules->max_rounds || fb_now_s() - start >= rules->max_s, pressure);
	}
	json_decref(none);
}

/* What the student reads: the rounds, both medians, the ratio and its
 * spread, and the verdict's reason. */
static void describe(json_t *test, const struct fb_grade_measured *m, struct fb_grade_outcome *out)
{
	const struct fb_grade_decision *d = &m->d;
	double lo, hi;

	band_of(test, &lo, &hi);
	fb_grade_say(out, "%s: %zu rounds side by side (%s; P: your program, R: forkbench), medians %g (yours) and %.4g "
		     "(forkbench); ratio %.3f, its interval over the rounds %.3f to %.3f, allowed %.3f to %.3f; spread "
		     "between rounds (upper over lower quartile) %.2fx (ratio), %.2fx (forkbench's own; largest over least "
		     "%.2fx)", json_string_value(json_object_get(test, "figure")), d->rounds, m->order, d->mine_median,
		     d->ref_median, d->ratio_median, d->ratio_lo, d->ratio_hi, lo, hi, d->ratio_spread, d->ref_spread,
		     d->ref_range);
	if (d->verdict == FB_GRADE_UNDECIDED)
		fb_grade_say(out, "\nundecided: machine too noisy (spread %.2fx of forkbench's own figure over %zu rounds, "
			     "largest over least; tasks waited for a CPU %.0f%% of the time; the quietest rounds' ratio "
			     "%.3f); the points are given", d->ref_range, d->rounds, d->cpu_pressure * 100, d->quiet_ratio);
	else if (d->verdict == FB_GRADE_FAIL && d->noisy)
		fb_grade_say(out, "\nthe machine was noisy, but even the quietest rounds lie outside the allowed range "
			     "(your least figure over forkbench's: %.3f)", d->quiet_ratio);
	else if (d->verdict == FB_GRADE_FAIL && d->ratio_lo <= hi && d->ratio_hi >= lo)
		fb_grade_say(out, "\nthe rounds do not settle inside the allowed range while forkbench's own figure held "
			     "steady: your figures %s", d->ratio_spread > d->spread_allowed ? "scatter more than the machine does"
			     : "lie at the edge of the tolerance");
	else if (d->verdict == FB_GRADE_FAIL)
		fb_grade_say(out, "\noutside the allowed range in the rounds that decide");
}

void fb_grade_measurement(struct fb_grade_ctx *ctx, json_t *test, struct fb_grade_outcome *out)
{
	const struct fb_grade_run *run = fb_grade_finished_run(ctx, test, out);
	size_t i = 0;
	char err[256];

	if (!run)
		return;
	while (json_array_get(ctx->spec->tests, i) != test)
		i++;
	if (!ctx->measured && !(ctx->measured = calloc(json_array_size(ctx->spec->tests), sizeof(*ctx->measured)))) {
		fb_grade_say(out, "the grader ran out of memory");
		ctx->internal_err = 1;
		return;
	}
	struct fb_grade_measured *m = &ctx->measured[i];
	if (!ctx->ref_started && fb_grade_ref_start(&ctx->ref, err, sizeof(err))) {
		fb_grade_say(out, "forkbench's reference could not start: %s", err);
		ctx->internal_err = 1;
		return;
	}
	ctx->ref_started = 1;
	if (!m->done)
		measure_group(ctx, test, run);
	out->measured = m;
	if (m->internal_err) {
		fb_grade_say(out, "forkbench's own figure is missing: %s", m->why);
		ctx->internal_err = 1;
	} else if (m->why[0]) {
		fb_grade_say(out, "%s", m->why);
	} else {
		out->passed = m->d.verdict == FB_GRADE_PASS || m->d.verdict == FB_GRADE_UNDECIDED;
		describe(test, m, out);
	}
}
