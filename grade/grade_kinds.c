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

void fb_grade_say(struct fb_grade_outcome *out, const char *fmt, ...)
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

int fb_grade_valid_args(json_t *test)
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

void fb_grade_show_output(struct fb_grade_outcome *out, const struct fb_grade_run *run)
{
	fb_grade_say(out, "\n--- stdout ---\n%.*s", (int)utf8_cut(run->stdout_text, 600), run->stdout_text);
	if (run->stderr_text[0])
		fb_grade_say(out, "\n--- stderr ---\n%.*s", (int)utf8_cut(run->stderr_text, 400), run->stderr_text);
}

int fb_grade_run_ended(const struct fb_grade_ctx *ctx, const struct fb_grade_run *run, struct fb_grade_outcome *out)
{
	char how[128];

	fb_step_describe(&run->res, &ctx->spec->run_limits, how, sizeof(how));
	if (run->res.exec_err || run->res.timed_out || !WIFEXITED(run->res.status)) {
		fb_grade_say(out, "the program %s", how);
		if (run->res.pids_peak >= ctx->spec->run_limits.nproc)
			fb_grade_say(out, " (it reached the limit of %ld processes)", ctx->spec->run_limits.nproc);
		fb_grade_show_output(out, run);
		return -1;
	}
	return 0;
}

const struct fb_grade_run *fb_grade_finished_run(struct fb_grade_ctx *ctx, json_t *test, struct fb_grade_outcome *out)
{
	json_t *args = json_object_get(test, "args");
	json_t *none = json_array();
	const struct fb_grade_run *run;

	if (!ctx->built) {
		json_decref(none);
		fb_grade_say(out, "not run: the build failed");
		return NULL;
	}
	run = fb_grade_run(ctx, args ? args : none);
	json_decref(none);
	if (run->failed) {
		fb_grade_say(out, "not run: the grader could not set up the sandbox");
		return NULL;
	}
	return fb_grade_run_ended(ctx, run, out) ? NULL : run;
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
	fb_grade_say(out, "the build %s", how);
	/* The end of a compiler's output holds the error that stopped it. */
	fb_grade_say(out, "\n--- build output ---\n%s", utf8_tail(ctx->build_log, 1500));
}

static int check_behaviour(json_t *test, char *err, size_t len)
{
	json_t *lines = json_object_get(test, "lines"), *v;
	json_t *status = json_object_get(test, "exit_status"), *reaped = json_object_get(test, "reaped");
	size_t i;
	regex_t re;

	if (!fb_grade_valid_args(test))
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
	const struct fb_grade_run *run = fb_grade_finished_run(ctx, test, out);
	json_t *status = json_object_get(test, "exit_status"), *v;
	size_t i;
	int failed = 0;

	if (!run)
		return;
	if (status && WEXITSTATUS(run->res.status) != json_integer_value(status)) {
		fb_grade_say(out, "exit status %d, expected %d\n", WEXITSTATUS(run->res.status),
		    (int)json_integer_value(status));
		failed = 1;
	}
	json_array_foreach(json_object_get(test, "lines"), i, v)
		if (!some_line_matches(run->stdout_text, json_string_value(v))) {
			fb_grade_say(out, "no line of stdout matches %s\n", json_string_value(v));
			failed = 1;
		}
	if (json_is_true(json_object_get(test, "reaped")) && run->res.leftovers) {
		fb_grade_say(out, "%d child process(es) were left unreaped or running when the program ended\n",
		    run->res.leftovers);
		failed = 1;
	}
	out->passed = !failed;
	if (failed)
		fb_grade_show_output(out, run);
	else
		fb_grade_say(out, "as expected");
}

/* Each row: a kind of test and what it pins down. */
static const struct fb_grade_kind kinds[] = {
	/* the submission builds with its Makefile (or the spec's command) */
	{ "build", check_build, grade_build },
	/* the program's exit status, its output lines, and that it reaps its children */
	{ "behaviour", check_behaviour, grade_behaviour },
	/* a figure the program prints against forkbench's own, taken in the same grading */
	{ "measurement", fb_grade_check_measurement, fb_grade_measurement },
};

const struct fb_grade_kind *fb_grade_kind(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}
