/* grade_kinds.c - the kinds of test a spec may hold, one table row each:
 * how its fields are checked when the spec is loaded and how it is graded.
 * A test passes whole or not at all. */
#define _GNU_SOURCE
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "grade.h"

/* How many of text's first max bytes to keep so that no UTF-8 sequence is
 * cut in two (it would reach results.json as U+FFFD): a cut before a
 * continuation byte moves back to the sequence's start (3 bytes at most). */
static size_t utf8_cut(const char *text, size_t max)
{
	size_t n = strnlen(text, max);

	for (int back = 0; back < 3 && n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80; back++)
		n--;
	return n;
}

/* Where to start showing the last max bytes of text: at a character. */
static const char *utf8_tail(const char *text, size_t max)
{
	size_t len = strlen(text);
	const char *start = text + (len > max ? len - max : 0);

	for (int skip = 0; skip < 3 && ((unsigned char)*start & 0xc0) == 0x80; skip++)
		start++;
	return start;
}

/* Append to what the student sees; what does not fit is cut at a character. */
static void say(struct fb_grade_outcome *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct fb_grade_outcome *out, const char *fmt, ...)
{
	size_t used = strlen(out->output);
	char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t take = utf8_cut(text, sizeof(out->output) - 1 - used);
	memcpy(out->output + used, text, take);
	out->output[used + take] = '\0';
	free(text);
}

static int valid_args(json_t *test)
{
	json_t *args = json_object_get(test, "args"), *v;
	size_t i;

	if (!args)
		return 1;
	if (!json_is_array(args))
		return 0;
	json_array_foreach(args, i, v)
		if (!json_is_string(v))
			return 0;
	return 1;
}

/* The program's output, shown under a failed test so the student sees why. */
static void show_output(struct fb_grade_outcome *out, const struct fb_grade_run *run)
{
	say(out, "\n--- stdout ---\n%.*s", (int)utf8_cut(run->stdout_text, 600), run->stdout_text);
	if (run->stderr_text[0])
		say(out, "\n--- stderr ---\n%.*s", (int)utf8_cut(run->stderr_text, 400), run->stderr_text);
}

/* The run of this test's args, or NULL (with the reason said) when it
 * cannot be judged: no build, our own failure, or it did not end by itself. */
static const struct fb_grade_run *finished_run(struct fb_grade_ctx *ctx, json_t *test,
					       struct fb_grade_outcome *out)
{
	char how[128];
	json_t *args = json_object_get(test, "args");
	json_t *none = json_array();
	const struct fb_grade_run *run;

	if (!ctx->built) {
		json_decref(none);
		say(out, "not run: the build failed");
		return NULL;
	}
	run = fb_grade_run(ctx, args ? args : none);
	json_decref(none);
	if (run->failed) {
		say(out, "not run: the grader could not set up the sandbox");
		return NULL;
	}
	fb_step_describe(&run->res, &ctx->spec->run_limits, how, sizeof(how));
	if (run->res.exec_err || run->res.timed_out || !WIFEXITED(run->res.status)) {
		say(out, "the program %s", how);
		if (run->res.pids_peak >= ctx->spec->run_limits.nproc)
			say(out, " (it reached the limit of %ld processes)", ctx->spec->run_limits.nproc);
		show_output(out, run);
		return NULL;
	}
	return run;
}

static int check_build(json_t *test, char *err, size_t len)
{
	(void)test, (void)err, (void)len;
	return 0;
}

static void grade_build(struct fb_grade_ctx *ctx, json_t *test, struct fb_grade_outcome *out)
{
	char how[128];

	(void)test;
	fb_step_describe(&ctx->build, &ctx->spec->build_limits, how, sizeof(how));
	out->passed = ctx->built;
	say(out, "the build %s", how);
	/* The end of a compiler's output holds the error that stopped it. */
	say(out, "\n--- build output ---\n%s", utf8_tail(ctx->build_log, 1500));
}

static int check_behaviour(json_t *test, char *err, size_t len)
{
	json_t *lines = json_object_get(test, "lines"), *v;
	json_t *status = json_object_get(test, "exit_status"), *reaped = json_object_get(test, "reaped");
	size_t i;
	regex_t re;

	if (!valid_args(test))
		return snprintf(err, len, "args must be an array of strings"), -1;
	if (status && !json_is_integer(status))
		return snprintf(err, len, "exit_status must be an integer"), -1;
	if (reaped && !json_is_boolean(reaped))
		return snprintf(err, len, "reaped must be true or false"), -1;
	if (!status && !reaped && !lines)
		return snprintf(err, len, "needs exit_status, lines or reaped"), -1;
	if (lines && !json_is_array(lines))
		return snprintf(err, len, "lines must be an array of regular expressions"), -1;
	json_array_foreach(lines, i, v) {
		if (!json_is_string(v) || regcomp(&re, json_string_value(v), REG_EXTENDED | REG_NOSUB))
			return snprintf(err, len, "lines[%zu] is not an extended regular expression", i), -1;
		regfree(&re);
	}
	return 0;
}

/* Does some line of text match pattern? */
static int some_line_matches(const char *text, const char *pattern)
{
	regex_t re;
	char *copy = strdup(text), *save = NULL;
	int found = 0;

	if (!copy || regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB)) {
		free(copy);
		return 0;
	}
	for (char *line = strtok_r(copy, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save))
		found = regexec(&re, line, 0, NULL, 0) == 0;
	regfree(&re);
	free(copy);
	return found;
}

static void grade_behaviour(struct fb_grade_ctx *ctx, json_t *test, struct fb_grade_outcome *out)
{
	const struct fb_grade_run *run = finished_run(ctx, test, out);
	json_t *status = json_object_get(test, "exit_status"), *v;
	size_t i;
	int failed = 0;

	if (!run)
		return;
	if (status && WEXITSTATUS(run->res.status) != json_integer_value(status)) {
		say(out, "exit status %d, expected %d\n", WEXITSTATUS(run->res.status),
		    (int)json_integer_value(status));
		failed = 1;
	}
	json_array_foreach(json_object_get(test, "lines"), i, v)
		if (!some_line_matches(run->stdout_text, json_string_value(v))) {
			say(out, "no line of stdout matches %s\n", json_string_value(v));
			failed = 1;
		}
	if (json_is_true(json_object_get(test, "reaped")) && run->res.leftovers) {
		say(out, "%d child process(es) were left unreaped or running when the program ended\n",
		    run->res.leftovers);
		failed = 1;
	}
	out->passed = !failed;
	if (failed)
		show_output(out, run);
	else
		say(out, "as expected");
}

static int check_measurement(json_t *test, char *err, size_t len)
{
	static const char *const strings[] = { "figure", "reference", "metric" };
	json_t *size = json_object_get(test, "size_mib");
	json_t *ratio = json_object_get(test, "ratio_tolerance");
	json_t *relative = json_object_get(test, "relative_tolerance");

	if (!valid_args(test))
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
	if (!!ratio == !!relative)
		return snprintf(err, len, "needs one of ratio_tolerance or relative_tolerance"), -1;
	if (ratio && !(json_is_number(ratio) && json_number_value(ratio) > 1))
		return snprintf(err, len, "ratio_tolerance must be a number > 1"), -1;
	if (relative && !(json_is_number(relative) && json_number_value(relative) > 0))
		return snprintf(err, len, "relative_tolerance must be a number > 0"), -1;
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
		say(out, "%s %g, but the program created %s while it ran (%s: %ld, needed %ld); a figure "
		    "printed without the work earns nothing", figure, mine,
		    children ? "too few other processes" : "no other process",
		    r->pids_peak >= 0 ? "most tasks at once, less the program" : "pids handed out meanwhile",
		    children, want_children);
		return 0;
	}
	if (want_faults > 0 && r->children_minflt >= 0 && (double)r->children_minflt < want_faults) {
		say(out, "%s %g, but its child processes took only %ld minor faults in all, fewer than the "
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

/* forkbench's figure for a metric: times (real_time, cpu_time: ns from the
 * results layer) in microseconds, the unit of the handout's figures. */
static int reference_value(const struct fb_result *r, const char *metric, double *value)
{
	int is_time = strcmp(metric, "real_time") == 0 || strcmp(metric, "cpu_time") == 0;

	*value = fb_result_counter_median(r, metric) / (is_time ? 1e3 : 1);
	return isfinite(*value) ? 0 : -1;
}

static void grade_measurement(struct fb_grade_ctx *ctx, json_t *test, struct fb_grade_outcome *out)
{
	const char *figure = json_string_value(json_object_get(test, "figure"));
	const char *metric = json_string_value(json_object_get(test, "metric"));
	json_t *ratio = json_object_get(test, "ratio_tolerance");
	const struct fb_grade_run *run = finished_run(ctx, test, out);
	double mine, ref;

	if (!run)
		return;
	if (find_figure(run->stdout_text, figure, &mine)) {
		say(out, "no line \"%s VALUE\" on stdout", figure);
		show_output(out, run);
		return;
	}
	if (!work_done(test, run, figure, mine, out))
		return;
	const struct fb_result *row = fb_grade_reference(ctx, json_string_value(json_object_get(test, "reference")),
					 (long)json_integer_value(json_object_get(test, "size_mib")));
	if (!row || reference_value(row, metric, &ref) || ref <= 0) {
		say(out, "forkbench's own figure is missing: %s", ctx->reference_err);
		ctx->internal_err = 1;
		return;
	}
	if (ratio) {
		double r = json_number_value(ratio), q = mine / ref;
		out->passed = q >= 1 / r && q <= r;
		say(out, "%s %g; forkbench measured %g here (ratio %.2f, allowed %.2f to %.2f)",
		    figure, mine, ref, q, 1 / r, r);
	} else {
		double rel = json_number_value(json_object_get(test, "relative_tolerance"));
		out->passed = fabs(mine - ref) <= rel * ref;
		say(out, "%s %g; forkbench's figure here is %g (allowed within %.0f%%)", figure, mine, ref,
		    rel * 100);
	}
}

/* Each row: a kind of test and what it pins down. */
static const struct fb_grade_kind kinds[] = {
	/* the submission builds with its Makefile (or the spec's command) */
	{ "build", check_build, grade_build },
	/* the program's exit status, its output lines, and that it reaps its children */
	{ "behaviour", check_behaviour, grade_behaviour },
	/* a figure the program prints against forkbench's own, taken in the same grading */
	{ "measurement", check_measurement, grade_measurement },
};

const struct fb_grade_kind *fb_grade_kind(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}
