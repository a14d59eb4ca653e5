/* grade.h - `forkbench grade`: the pieces shared by the grader's files: the
 * assignment spec, the test kinds, the grading context and its outputs. */
#ifndef FB_GRADE_H
#define FB_GRADE_H

#include <jansson.h>
#include <limits.h>
#include <stddef.h>

#include "benchkey.h"
#include "results.h"
#include "sandbox.h"

/* assignments/NAME/spec.json, validated: every field the kinds read exists
 * with the right type, so grading never meets a malformed spec. */
struct fb_grade_spec {
	json_t *root;
	const char *assignment;
	const char *program;         /* what the tests run, relative to the build folder */
	json_t *build_argv;          /* array of strings; ["make"] by default */
	struct fb_limits build_limits, run_limits;
	json_t *tests;               /* array of test objects */
};

/* The outcome of one test. */
struct fb_grade_outcome {
	int passed;
	char output[2048];           /* what the student sees: why it passed or failed */
};

/* One run of the student's program, shared by the tests with the same args. */
struct fb_grade_run {
	char *key;                   /* args as compact JSON */
	struct fb_step_result res;
	char *stdout_text, *stderr_text;   /* first bytes of each, NUL-terminated */
	int failed;                  /* the sandbox itself failed (internal error) */
};

#define FB_GRADE_MAX_RUNS 16

struct fb_grade_ctx {
	const struct fb_grade_spec *spec;
	struct fb_sandbox sb;
	char scratch[PATH_MAX];      /* ours (root, 0711): logs and outputs */
	char work[PATH_MAX + 8];     /* scratch/work: the copy, owned by the sandbox uid */
	struct fb_step_result build;
	int built;                   /* the build exited 0 */
	char *build_log;
	struct fb_grade_run runs[FB_GRADE_MAX_RUNS];
	size_t nruns;
	struct fb_results reference; /* forkbench's own figures, measured on first use */
	int reference_tried, reference_loaded;
	char reference_err[256];
	int internal_err;            /* set when our side failed: exit 1 */
};

struct fb_grade_kind {
	const char *name;
	/* Check the kind's own fields of test; 0, or -1 with err saying which. */
	int (*check)(json_t *test, char *err, size_t len);
	void (*grade)(struct fb_grade_ctx *ctx, json_t *test, struct fb_grade_outcome *out);
};

/* grade_kinds.c */
const struct fb_grade_kind *fb_grade_kind(const char *name);

/* grade_spec.c: 0; or -1 with err "PATH: problem" for a missing or malformed spec. */
int fb_grade_spec_load(const char *path, struct fb_grade_spec *spec, char *err, size_t len);
void fb_grade_spec_free(struct fb_grade_spec *spec);

/* grade_run.c */
/* Build the copy in ctx->work under the build limits (once). */
void fb_grade_build(struct fb_grade_ctx *ctx);
/* The run of the program with args (a JSON array of strings), run on first use. */
const struct fb_grade_run *fb_grade_run(struct fb_grade_ctx *ctx, json_t *args);
/* forkbench's own row for benchmark name (e.g. "spawn/fork") at size_mib, 4k
 * pages, measured now on first use; NULL with ctx->reference_err filled. */
const struct fb_result *fb_grade_reference(struct fb_grade_ctx *ctx, const char *name, long size_mib);
/* The benchmark a measurement test's "reference" ("family/case") names at
 * size_mib with 4 KiB pages. 0, or -1 when no registered case runs there. */
int fb_grade_reference_key(const char *reference, long size_mib, struct fb_bench_key *key);
void fb_grade_runs_free(struct fb_grade_ctx *ctx);

/* grade_scratch.c */
#define FB_GRADE_SCRATCH_MIB 256
/* mkdtemp a scratch folder and copy the submission into scratch/work
 * (regular files and folders only, never following a link), owned by uid. */
int fb_grade_scratch(struct fb_grade_ctx *ctx, const char *submission, char *err, size_t len);
/* --keep: the scratch folder's contents in a folder that outlives us,
 * named in kept. 0, or -errno. */
int fb_grade_scratch_keep(struct fb_grade_ctx *ctx, char *kept, size_t len);
void fb_grade_scratch_remove(struct fb_grade_ctx *ctx);

/* grade_out.c */
/* Gradescope's results.json for outcomes (one per spec test), written atomically. */
int fb_grade_write_results(const struct fb_grade_ctx *ctx, const struct fb_grade_outcome *outcomes,
			   double execution_s, const char *path);
void fb_grade_print_summary(const struct fb_grade_ctx *ctx, const struct fb_grade_outcome *outcomes,
			    double execution_s, FILE *out);

#endif
