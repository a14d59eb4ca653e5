/* grade_run.c - the steps of a grading: the student's build and the runs of
 * the program (one per distinct argument list, shared by the tests that
 * read it, and one more per round of the measurement tests). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "grade.h"
#include "files.h"

#define OUTPUT_MAX_BYTES (64 * 1024)

void fb_grade_build(struct fb_grade_ctx *ctx)
{
	const char *argv[64] = { "make" };
	char log[PATH_MAX + 16];
	json_t *cmd = ctx->spec->build_argv, *v;
	size_t i;

	json_array_foreach(cmd, i, v)
		if (i < 63)
			argv[i] = json_string_value(v), argv[i + 1] = NULL;
	snprintf(log, sizeof(log), "%s/build.log", ctx->scratch);
	if (fb_sandbox_run(&ctx->sb, &ctx->spec->build_limits, ctx->work, argv, log, NULL, &ctx->build))
		ctx->internal_err = 1;
	ctx->built = !ctx->internal_err && !ctx->build.exec_err && !ctx->build.timed_out &&
		     WIFEXITED(ctx->build.status) && WEXITSTATUS(ctx->build.status) == 0;
	free(ctx->build_log);
	ctx->build_log = fb_slurp(log, OUTPUT_MAX_BYTES);
}

/* Run the program with args; its output goes to scratch/NAME.out and .err. */
static void start_run(struct fb_grade_ctx *ctx, struct fb_grade_run *run, json_t *args, const char *name)
{
	const char *argv[64] = { ctx->spec->program };
	char out[PATH_MAX + 64], err[PATH_MAX + 64];
	size_t i;
	json_t *v;

	json_array_foreach(args, i, v)
		if (i < 62)
			argv[i + 1] = json_string_value(v), argv[i + 2] = NULL;
	snprintf(out, sizeof(out), "%s/%s.out", ctx->scratch, name);
	snprintf(err, sizeof(err), "%s/%s.err", ctx->scratch, name);
	if (fb_sandbox_run(&ctx->sb, &ctx->spec->run_limits, ctx->work, argv, out, err, &run->res))
		run->failed = ctx->internal_err = 1;
	run->stdout_text = fb_slurp(out, OUTPUT_MAX_BYTES);
	run->stderr_text = fb_slurp(err, OUTPUT_MAX_BYTES);
}

const struct fb_grade_run *fb_grade_run(struct fb_grade_ctx *ctx, json_t *args)
{
	char *key = json_dumps(args, JSON_COMPACT | JSON_ENCODE_ANY);
	struct fb_grade_run *run;

	for (size_t i = 0; i < ctx->nruns; i++)
		if (key && strcmp(ctx->runs[i].key, key) == 0) {
			free(key);
			return &ctx->runs[i];
		}
	/* More distinct argument lists than slots: the last slot is rerun. */
	run = &ctx->runs[ctx->nruns < FB_GRADE_MAX_RUNS ? ctx->nruns : FB_GRADE_MAX_RUNS - 1];
	fb_grade_run_free(run);
	run->key = key ? key : strdup("");
	char name[32];
	snprintf(name, sizeof(name), "run-%zu", ctx->nruns);
	start_run(ctx, run, args, name);
	if (ctx->nruns < FB_GRADE_MAX_RUNS)
		ctx->nruns++;
	return run;
}

void fb_grade_run_again(struct fb_grade_ctx *ctx, json_t *args, size_t round, struct fb_grade_run *run)
{
	char name[48];

	memset(run, 0, sizeof(*run));
	snprintf(name, sizeof(name), "round-%zu", round);
	start_run(ctx, run, args, name);
}

void fb_grade_run_free(struct fb_grade_run *run)
{
	free(run->key);
	free(run->stdout_text);
	free(run->stderr_text);
	memset(run, 0, sizeof(*run));
}

void fb_grade_runs_free(struct fb_grade_ctx *ctx)
{
	for (size_t i = 0; i < ctx->nruns; i++)
		fb_grade_run_free(&ctx->runs[i]);
	ctx->nruns = 0;
	free(ctx->build_log);
	ctx->build_log = NULL;
	free(ctx->measured);
	ctx->measured = NULL;
	if (ctx->ref_started)
		fb_orphan_stop(&ctx->ref);
	ctx->ref_started = 0;
}
