/* grade.c - `forkbench grade --assignment NAME SUBMISSION_DIR`: copy a
 * student's submission into a scratch folder, build it and run the spec's
 * tests in a sandbox, write Gradescope's results.json and print a summary.
 * Exit 0 when grading completed (whatever the score), 2 on bad usage or a
 * bad assignment, 1 when the grader itself failed, 130 when interrupted. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "grade.h"
#include "grade.h"
#include "options.h"
#include "cli.h"
#include "proc.h"

/* 65100: in Debian's reserved range 65000-65533, so no account or package
 * owns it; the grader refuses a uid that already runs processes. */
static const struct fb_option grade_options[] = {
	{ "assignment", FB_OPT_STRING, 0, 0, NULL, "assignment name: its spec is ASSIGNMENTS/NAME/spec.json" },
	{ "out", FB_OPT_STRING, 0, 0, "results.json", "where to write Gradescope's results.json" },
	{ "assignments", FB_OPT_STRING, 0, 0, NULL, "folder of assignments (default: next to the build folder)" },
	{ "uid", FB_OPT_INT, 1, 4294967294.0, "65100", "unprivileged uid the steps run as, when root (grading only)" },
	{ "gid", FB_OPT_INT, 1, 4294967294.0, "65100", "unprivileged gid the steps run as, when root" },
	{ "keep", FB_OPT_FLAG, 0, 0, NULL, "keep the scratch folder (and say where it is)" },
	{ "help", FB_OPT_FLAG, 0, 0, NULL, "show this help" },
};
#define N_GRADE_OPTIONS (sizeof(grade_options) / sizeof(grade_options[0]))

static void usage(void)
{
	printf("usage: forkbench grade --assignment NAME SUBMISSION_DIR [--out results.json]\n");
	fb_options_help(grade_options, N_GRADE_OPTIONS, stdout);
}

/* The spec's path for the assignment name; -1 with err for a bad name or an
 * unknown assignment. */
static int spec_path(const struct fb_opt_values *v, char *path, size_t len, char *err, size_t err_len)
{
	const char *name = fb_opt_text(v, "assignment"), *dir = fb_opt_text(v, "assignments");
	char self[PATH_MAX / 2], fallback[PATH_MAX / 2 + 32];

	if (!name || !name[0] || strchr(name, '/') || name[0] == '.')
		return snprintf(err, err_len, "--assignment takes an assignment's name, not '%s'",
				name ? name : ""), -1;
	if (!dir) {
		fb_self_dir(self, sizeof(self));
		snprintf(fallback, sizeof(fallback), "%s/../assignments", self);
		dir = fallback;
	}
	snprintf(path, len, "%s/%s/spec.json", dir, name);
	if (access(path, R_OK))
		return snprintf(err, err_len, "unknown assignment '%s': %s: %s", name, path, strerror(errno)), -1;
	return 0;
}

/* Everything that is wrong with the command line, before anything runs. */
static int check_usage(int argc, char **argv, struct fb_opt_values *v, struct fb_grade_spec *spec)
{
	char err[PATH_MAX + 256], path[PATH_MAX];
	struct stat st;

	if (fb_options_parse(grade_options, N_GRADE_OPTIONS, argc - 1, argv + 1, v, err, sizeof(err)))
		return fb_error("grade: %s", err), 2;
	if (fb_opt_given(v, "help"))
		return usage(), 0;
	if (v->npositional != 1 || !fb_opt_text(v, "assignment"))
		return fb_error("grade: usage: forkbench grade --assignment NAME SUBMISSION_DIR [--out results.json] (see --help)"), 2;
	if (stat(v->positional[0], &st) || !S_ISDIR(st.st_mode))
		return fb_error("grade: %s is not a submission folder", v->positional[0]), 2;
	if (spec_path(v, path, sizeof(path), err, sizeof(err)) ||
	    fb_grade_spec_load(path, spec, err, sizeof(err)))
		return fb_error("grade: %s", err), 2;
	return -1;
}

/* Build and grade every test; -1 when interrupted (nothing is written then). */
static int grade_all(struct fb_grade_ctx *ctx, struct fb_grade_outcome *outcomes)
{
	json_t *test;
	size_t i;

	fb_grade_build(ctx);
	json_array_foreach(ctx->spec->tests, i, test) {
		if (fb_sandbox_interrupted())
			return -1;
		fb_grade_kind(json_string_value(json_object_get(test, "kind")))->grade(ctx, test, &outcomes[i]);
	}
	return fb_sandbox_interrupted() ? -1 : 0;
}

int fb_cmd_grade(int argc, char **argv)
{
	struct fb_opt_values v;
	struct fb_grade_spec spec;
	static struct fb_grade_ctx ctx;   /* large (run slots); one grading per process */
	char err[PATH_MAX + 256];
	double start = fb_now_s();
	int rc = check_usage(argc, argv, &v, &spec);

	if (rc >= 0)
		return rc;
	/* Ctrl-C waits for the running step to be killed and reaped. */
	fb_sandbox_block_signals();
	ctx.spec = &spec;
	ctx.sb.uid = (uid_t)fb_opt_number(&v, "uid");
	ctx.sb.gid = (gid_t)fb_opt_number(&v, "gid");
	ctx.sb.drop_ids = geteuid() == 0;
	rc = 1;
	if (fb_grade_scratch(&ctx, v.positional[0], err, sizeof(err)) ||
	    (rc = fb_sandbox_init(&ctx.sb, ctx.sb.uid, ctx.sb.gid, ctx.scratch, err, sizeof(err)))) {
		fb_error("grade: %s", err);
		rc = rc == -EBUSY ? 2 : 1;   /* a uid in use: the caller must choose another */
		goto remove_scratch;
	}
	struct fb_grade_outcome *outcomes = calloc(json_array_size(spec.tests), sizeof(*outcomes));
	if (!outcomes)
		goto remove_scratch;
	if (grade_all(&ctx, outcomes)) {
		fb_error("grade: interrupted; nothing written, every process of the submission killed and reaped");
		free(outcomes);
		rc = 130;
		goto remove_scratch;
	}
	double elapsed_s = fb_now_s() - start;
	if ((rc = fb_grade_write_results(&ctx, outcomes, elapsed_s, fb_opt_text(&v, "out"))))
		fb_error("grade: cannot write %s: %s", fb_opt_text(&v, "out"), strerror(rc < 0 ? -rc : EIO));
	fb_grade_print_summary(&ctx, outcomes, elapsed_s, stdout);
	printf("results: %s\n", fb_opt_text(&v, "out"));
	rc = rc || ctx.internal_err ? 1 : 0;
	free(outcomes);
remove_scratch:
	char kept[PATH_MAX + 16];
	if (!fb_opt_given(&v, "keep"))
		fb_grade_scratch_remove(&ctx);
	else if (fb_grade_scratch_keep(&ctx, kept, sizeof(kept)) == 0)
		printf("scratch folder kept: %s\n", kept);
	else
		fb_error("grade: the scratch folder could not be kept: %s", strerror(errno));
	fb_grade_runs_free(&ctx);
	fb_sandbox_watch_stop(&ctx.sb);
	fb_grade_spec_free(&spec);
	return rc;
}
