/* grade_out.c - a grading's outcomes as Gradescope's results.json (tests[]
 * with name, score, max_score, status, output, visibility; the top-level
 * score is their sum) and as a short summary for a terminal. Formats only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grade.h"
#include "jsonio.h"
#include "text.h"

/* JSON strings must be UTF-8 and a program's output may be anything: valid
 * UTF-8 (gcc's quotes, a student's name) is kept, an invalid byte becomes
 * U+FFFD, and jansson escapes control characters (\u0001). */
static json_t *safe_string(const char *text)
{
	char *valid = fb_utf8_valid(text);
	json_t *s = json_string(valid ? valid : "");

	free(valid);
	return s;
}

static double max_score(json_t *test)
{
	return json_number_value(json_object_get(test, "max_score"));
}

static json_t *figures_json(const double *values, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_real(values[i]));
	return a;
}

/* A measurement test's rounds, for whoever audits a grade: the verdict
 * (undecided: the machine was too noisy, the points were given), the
 * order (P: program, R: reference), both sides' figures per round. */
static json_t *rounds_json(const struct fb_grade_measured *m)
{
	static const char *const verdicts[] = { "open", "passed", "failed", "undecided" };
	const struct fb_grade_decision *d = &m->d;

	if (m->why[0])   /* failed before its rounds: no figures to keep */
		return NULL;
	return json_pack("{s:s, s:i, s:s, s:f, s:f, s:f, s:[f,f], s:f, s:f, s:f, s:f, s:o, s:b, s:o, s:o}", "verdict",
			 verdicts[d->verdict], "rounds", (int)d->rounds, "order", m->order, "program_median",
			 d->mine_median, "reference_median", d->ref_median, "ratio_median", d->ratio_median,
			 "ratio_interval", d->ratio_lo, d->ratio_hi, "ratio_spread", d->ratio_spread, "reference_spread",
			 d->ref_spread, "reference_range", d->ref_range, "quiet_ratio", d->quiet_ratio, "cpu_pressure",
			 isnan(d->cpu_pressure) ? json_null() : json_real(d->cpu_pressure), "machine_too_noisy", d->noisy, "program",
			 figures_json(m->mine, m->n),
			 "reference", figures_json(m->ref, m->n));
}

static json_t *test_json(json_t *test, const struct fb_grade_outcome *o)
{
	const char *vis = json_string_value(json_object_get(test, "visibility"));
	json_t *rounds = o->measured ? rounds_json(o->measured) : NULL;

	return json_pack("{s:s, s:f, s:f, s:s, s:o, s:s, s:o*}",
			 "name", json_string_value(json_object_get(test, "name")),
			 "score", o->passed ? max_score(test) : 0.0,
			 "max_score", max_score(test),
			 "status", o->passed ? "passed" : "failed",
			 "output", safe_string(o->output),
			 "visibility", vis ? vis : "visible",
			 "extra_data", rounds ? json_pack("{s:o}", "rounds", rounds) : NULL);
}

static json_t *sandbox_json(const struct fb_grade_ctx *ctx)
{
	const struct fb_sandbox *sb = &ctx->sb;
	char text[1024];

	fb_sandbox_describe(sb, &ctx->spec->run_limits, text, sizeof(text));
	return json_pack("{s:s, s:b, s:i, s:s, s:b, s:b, s:b, s:s, s:i, s:b}",
			 "description", text, "unprivileged_uid", sb->drop_ids, "uid", (int)sb->uid,
			 "pids_cgroup", sb->cg_parent[0] ? (sb->cg_v2 ? "v2" : "v1") : "none",
			 "network_namespace", sb->netns, "private_tmp", sb->private_tmp,
			 "minimal_root", sb->minimal_root, "root", sb->root_note,
			 "scratch_tmpfs_mib", (int)sb->scratch_tmpfs_mib, "subreaper", sb->subreaper);
}

int fb_grade_write_results(const struct fb_grade_ctx *ctx, const struct fb_grade_outcome *outcomes,
			   double execution_s, const char *path)
{
	json_t *tests = json_array(), *test;
	double score = 0, max = 0;
	char output[512];
	size_t i;

	json_array_foreach(ctx->spec->tests, i, test) {
		json_array_append_new(tests, test_json(test, &outcomes[i]));
		score += outcomes[i].passed ? max_score(test) : 0;
		max += max_score(test);
	}
	snprintf(output, sizeof(output), "%s: %g / %g points. Graded by forkbench in a sandbox; "
		 "every test says why it passed or failed.", ctx->spec->assignment ? ctx->spec->assignment : "assignment",
		 score, max);
	/* Whole seconds, as Gradescope's own examples give it. */
	json_t *root = json_pack("{s:f, s:I, s:s, s:s, s:o, s:{s:o}}", "score", score,
				 "execution_time", (json_int_t)ceil(execution_s), "output", output, "stdout_visibility", "hidden",
				 "tests", tests, "extra_data", "sandbox", sandbox_json(ctx));
	int err = root ? fb_write_json_atomic(path, root) : -1;
	json_decref(root);
	return err;
}

void fb_grade_print_summary(const struct fb_grade_ctx *ctx, const struct fb_grade_outcome *outcomes,
			    double execution_s, FILE *out)
{
	double score = 0, max = 0;
	char sandbox[1024];
	json_t *test;
	size_t i;

	json_array_foreach(ctx->spec->tests, i, test) {
		const struct fb_grade_outcome *o = &outcomes[i];
		size_t first = strcspn(o->output, "\n");
		fprintf(out, "  %s %4g/%-4g %s: %.*s\n", o->passed ? "pass" : "FAIL", o->passed ? max_score(test) : 0,
			max_score(test), json_string_value(json_object_get(test, "name")), (int)(first > 160 ? 160 : first),
			o->output);
		score += o->passed ? max_score(test) : 0;
		max += max_score(test);
	}
	fb_sandbox_describe(&ctx->sb, &ctx->spec->run_limits, sandbox, sizeof(sandbox));
	fprintf(out, "score: %g / %g in %.1f s\nsandbox: %s\n", score, max, execution_s, sandbox);
}
