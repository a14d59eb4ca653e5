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

/* Append text to the sep-separated list in buf unless it is there. */
static void add_unique(char *buf, size_t len, const char *text, const char *sep)
{
	char padded[1024], item[160];
	size_t used = strlen(buf);

	snprintf(padded, sizeof(padded), "%s%s%s", sep, buf, sep);
	snprintf(item, sizeof(item), "%s%s%s", sep, text, sep);
	if (!strstr(padded, item))
		snprintf(buf + used, len - used, "%s%s", used ? sep : "", text);
}

/* One forkbench-bench run for every measurement test's benchmark and size:
 * 4k pages, one short repetition (a reference for a tolerance, not a
 * benchmark result). We stop being subreaper meanwhile so its workers'
 * orphans go to init and are never taken for a student's leftovers. */
static void measure_reference(struct fb_grade_ctx *ctx)
{
	char names[512] = "", sizes[128] = "", self[PATH_MAX], bench[PATH_MAX + 32];
	char filter[800], size_opt[160], out[PATH_MAX + 48], log[PATH_MAX + 32], size[24];
	json_t *test, *json;
	json_error_t jerr;
	size_t i;

	json_array_foreach(ctx->spec->tests, i, test) {
		if (strcmp(json_string_value(json_object_get(test, "kind")), "measurement"))
			continue;
		add_unique(names, sizeof(names), json_string_value(json_object_get(test, "reference")), "|");
		snprintf(size, sizeof(size), "%lld", (long long)json_integer_value(json_object_get(test, "size_mib")));
		add_unique(sizes, sizeof(sizes), size, ",");
	}
	fb_self_dir(self, sizeof(self));
	snprintf(bench, sizeof(bench), "%s/forkbench-bench", self);
	snprintf(filter, sizeof(filter), "--benchmark_filter=^(%s)/mem_mib:[0-9]+/mode:4k/", names);
	snprintf(size_opt, sizeof(size_opt), "--sizes=%s", sizes);
	snprintf(out, sizeof(out), "--benchmark_out=%s/reference.json", ctx->scratch);
	snprintf(log, sizeof(log), "%s/reference.log", ctx->scratch);
	const char *argv[] = { bench, filter, size_opt, "--modes=4k", "--benchmark_repetitions=1",
			       "--benchmark_min_time=0.05", "--benchmark_out_format=json", out, NULL };
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	int status = fb_run_logged(argv, log);
	prctl(PR_SET_CHILD_SUBREAPER, ctx->sb.subreaper);
	if (status) {
		snprintf(ctx->reference_err, sizeof(ctx->reference_err), "forkbench-bench exited with %d (see %.160s)", status, log);
		return;
	}
	json = fb_json_load_lenient(out + strlen("--benchmark_out="), &jerr);
	ctx->reference = json_incref(json_object_get(json, "benchmarks"));
	json_decref(json);
	if (!json_is_array(ctx->reference))
		snprintf(ctx->reference_err, sizeof(ctx->reference_err), "no benchmarks in forkbench-bench's output");
}

json_t *fb_grade_reference(struct fb_grade_ctx *ctx, const char *name, long size_mib)
{
	char prefix[256];
	json_t *row;
	size_t i;

	if (!ctx->reference && !ctx->reference_err[0])
		measure_reference(ctx);
	snprintf(prefix, sizeof(prefix), "%s/mem_mib:%ld/mode:4k/", name, size_mib);
	json_array_foreach(ctx->reference, i, row) {
		const char *row_name = json_string_value(json_object_get(row, "name"));
		if (row_name && strncmp(row_name, prefix, strlen(prefix)) == 0 &&
		    !json_object_get(row, "aggregate_name") && !json_object_get(row, "error_occurred"))
			return row;
	}
	if (!ctx->reference_err[0])
		snprintf(ctx->reference_err, sizeof(ctx->reference_err), "no row %s in forkbench-bench's output", prefix);
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
	json_decref(ctx->reference);
	ctx->reference = NULL;
}
