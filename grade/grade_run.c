/* grade_run.c - the steps of a grading: the student's build, the runs of
 * the program (one per distinct argument list, shared by the tests that
 * read it) and forkbench's own reference figures, measured in the same
 * grading so both come from the same machine under the same load. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "external.h"
#include "grade.h"
#include "run_config.h"
#include "util.h"

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

static void start_run(struct fb_grade_ctx *ctx, struct fb_grade_run *run, json_t *args)
{
	const char *argv[64] = { ctx->spec->program };
	char out[PATH_MAX + 32], err[PATH_MAX + 32];
	size_t i, n = ctx->nruns;
	json_t *v;

	json_array_foreach(args, i, v)
		if (i < 62)
			argv[i + 1] = json_string_value(v), argv[i + 2] = NULL;
	snprintf(out, sizeof(out), "%s/run-%zu.out", ctx->scratch, n);
	snprintf(err, sizeof(err), "%s/run-%zu.err", ctx->scratch, n);
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
	free(run->key);
	free(run->stdout_text);
	free(run->stderr_text);
	memset(run, 0, sizeof(*run));
	run->key = key ? key : strdup("");
	start_run(ctx, run, args);
	if (ctx->nruns < FB_GRADE_MAX_RUNS)
		ctx->nruns++;
	return run;
}

/* The forkbench run behind the measurement tests' references: each test's
 * benchmark at its size, 4k pages, one short repetition (a reference for a
 * tolerance, not a benchmark result). 0, or -1 when a reference does not
 * fit the filter. */
static int reference_config(const struct fb_grade_ctx *ctx, struct fb_run_config *c)
{
	struct fb_bench_key keys[32];
	json_t *test;
	size_t i, n = 0;

	memset(c, 0, sizeof(*c));
	snprintf(c->profile, sizeof(c->profile), "quick");
	snprintf(c->modes, sizeof(c->modes), "4k");
	c->repetitions = 1;
	c->min_time_s = 0.05;
	/* a reference may name any value of a case's own axis; the filter
	 * keeps the run to the references alone */
	snprintf(c->sweep, sizeof(c->sweep), "long");
	json_array_foreach(ctx->spec->tests, i, test) {
		if (strcmp(json_string_value(json_object_get(test, "kind")), "measurement") || n >= 32)
			continue;
		long mib = (long)json_integer_value(json_object_get(test, "size_mib"));
		fb_grade_reference_key(json_string_value(json_object_get(test, "reference")), mib, &keys[n++]);
		size_t s = 0;
		while (s < c->sizes.count && c->sizes.mib[s] != (size_t)mib)
			s++;
		if (s == c->sizes.count && c->sizes.count < FB_MAX_SIZES)
			c->sizes.mib[c->sizes.count++] = (size_t)mib;
	}
	return fb_key_filter(keys, n, c->filter, sizeof(c->filter));
}

/* We stop being subreaper meanwhile so its workers' orphans go to init
 * and are never taken for a student's leftovers. */
static void measure_reference(struct fb_grade_ctx *ctx)
{
	char self[PATH_MAX], bench[PATH_MAX + 32], out[PATH_MAX + 48], log[PATH_MAX + 32], err[PATH_MAX + 128];
	struct fb_run_config config;
	struct fb_argv args;

	ctx->reference_tried = 1;
	fb_self_dir(self, sizeof(self));
	snprintf(bench, sizeof(bench), "%s/forkbench-bench", self);
	snprintf(out, sizeof(out), "%s/reference.json", ctx->scratch);
	snprintf(log, sizeof(log), "%s/reference.log", ctx->scratch);
	if (reference_config(ctx, &config) || fb_run_config_bench_argv(&config, bench, out, NULL, &args)) {
		snprintf(ctx->reference_err, sizeof(ctx->reference_err), "too many references for one forkbench run");
		return;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	int status = fb_run_logged(args.argv, log);
	prctl(PR_SET_CHILD_SUBREAPER, ctx->sb.subreaper);
	if (status) {
		snprintf(ctx->reference_err, sizeof(ctx->reference_err), "forkbench-bench exited with %d (see %.160s)", status, log);
		return;
	}
	if (fb_results_load(out, &ctx->reference, err, sizeof(err)) == 0)
		ctx->reference_loaded = 1;
	else
		snprintf(ctx->reference_err, sizeof(ctx->reference_err), "%.250s", err);
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

const struct fb_result *fb_grade_reference(struct fb_grade_ctx *ctx, const char *name, long size_mib)
{
	struct fb_bench_key want;
	char want_name[FB_KEY_NAME_MAX];

	if (!ctx->reference_tried)
		measure_reference(ctx);
	fb_grade_reference_key(name, size_mib, &want);   /* the spec loader checked it */
	const struct fb_result *r = ctx->reference_loaded ? fb_results_get(&ctx->reference, &want) : NULL;
	if (r && !r->error && r->nreps)
		return r;
	if (!ctx->reference_err[0])
		snprintf(ctx->reference_err, sizeof(ctx->reference_err), "no row %s in forkbench-bench's output",
			 fb_key_format(&want, want_name, sizeof(want_name)));
	return NULL;
}

void fb_grade_runs_free(struct fb_grade_ctx *ctx)
{
	for (size_t i = 0; i < ctx->nruns; i++) {
		free(ctx->runs[i].key);
		free(ctx->runs[i].stdout_text);
		free(ctx->runs[i].stderr_text);
	}
	ctx->nruns = 0;
	free(ctx->build_log);
	ctx->build_log = NULL;
	if (ctx->reference_loaded)
		fb_results_free(&ctx->reference);
	ctx->reference_loaded = ctx->reference_tried = 0;
}
