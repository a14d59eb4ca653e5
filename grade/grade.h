/* grade.h - `forkbench grade`: the pieces shared by the grader's files: the
 * assignment spec, the test kinds, the grading context and its outputs. */
#ifndef FB_GRADE_H
#define FB_GRADE_H

#include <jansson.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

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
	struct fb_grade_rounds {     /* "measurement_rounds": how long a measurement test
				      * alternates the program and forkbench's reference */
		size_t min_rounds;   /* "min": rounds before a pass (3) */
		size_t fail_rounds;  /* "fail_min": rounds before a fail (5) */
		size_t max_rounds;   /* "max": then undecided or decided (9) */
		double max_s;        /* "max_s": no new round after this long (30) */
	} rounds;
};

#define FB_GRADE_MAX_ROUNDS 25

/* A measurement test's verdict from its rounds (grade_decide.c). */
enum fb_grade_verdict {
	FB_GRADE_MORE,               /* not decided yet: another round */
	FB_GRADE_PASS,
	FB_GRADE_FAIL,
	FB_GRADE_UNDECIDED,          /* the machine was too noisy to tell: points given */
};

struct fb_grade_decision {
	enum fb_grade_verdict verdict;
	size_t rounds;
	double mine_median, ref_median;   /* the program's and forkbench's figures */
	double ratio_median;              /* of the rounds' program / reference */
	double ratio_lo, ratio_hi;        /* the confidence interval of that median */
	double ratio_spread, ref_spread;  /* upper over lower quartile over the rounds */
	double spread_allowed;            /* the ratio's spread the machine's noise explains */
	double quiet_ratio;               /* the program's least figure over forkbench's */
	double ref_range;                 /* the reference's largest round over its least */
	double cpu_pressure;              /* share of the rounds' time some task waited for a CPU
					   * (NAN: no pressure stall information) */
	int noisy;                        /* the reference moved too much to decide */
};

/* The outcome of one test. */
struct fb_grade_measured;
struct fb_grade_outcome {
	int passed;
	char output[2048];           /* what the student sees: why it passed or failed */
	const struct fb_grade_measured *measured;   /* a measurement test's rounds, or NULL */
};

/* One run of the student's program, shared by the tests with the same args. */
struct fb_grade_run {
	char *key;                   /* args as compact JSON */
	struct fb_step_result res;
	char *stdout_text, *stderr_text;   /* first bytes of each, NUL-terminated */
	int failed;                  /* the sandbox itself failed (internal error) */
};

#define FB_GRADE_MAX_RUNS 16

/* One reference figure: a benchmark point and how to measure it. */
struct fb_grade_ref_point {
	struct fb_bench_key key;
	double target_s;             /* iterate at least this long */
	uint32_t min_iterations;
	int32_t value_index;         /* -1: the mean iteration time in ns; else the mean
				      * of the case's counter value_names[value_index] */
	size_t round;                /* of the measurement: each round has fresh workers */
};

/* A measurement test's rounds, side by side. */
struct fb_grade_measured {
	int done;                    /* its rounds are over (or it failed before them) */
	size_t n;
	double mine[FB_GRADE_MAX_ROUNDS], ref[FB_GRADE_MAX_ROUNDS];
	char order[FB_GRADE_MAX_ROUNDS * 3 + 1];   /* "PR RP PR": who ran first, per round */
	struct fb_grade_decision d;
	char why[2048];              /* set when it failed outside the rules (no figure, no work) */
	int internal_err;            /* our side failed: why says how */
};

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
	struct fb_orphan ref;        /* the server of forkbench's reference figures
				      * (grade_ref.c), started on first use */
	int ref_started;
	struct fb_grade_measured *measured;   /* one per spec test */
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
/* Append to what the student sees; what does not fit is cut at a character. */
void fb_grade_say(struct fb_grade_outcome *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Are test's args (if any) an array of strings? */
int fb_grade_valid_args(json_t *test);
/* The program's output, shown under a failed test so the student sees why. */
void fb_grade_show_output(struct fb_grade_outcome *out, const struct fb_grade_run *run);
/* Did run end by itself? 0; or -1 with the reason said on out. */
int fb_grade_run_ended(const struct fb_grade_ctx *ctx, const struct fb_grade_run *run, struct fb_grade_outcome *out);
/* The run of this test's args, or NULL (with the reason said) when it
 * cannot be judged: no build, our own failure, or it did not end by itself. */
const struct fb_grade_run *fb_grade_finished_run(struct fb_grade_ctx *ctx, json_t *test, struct fb_grade_outcome *out);

/* grade_measure.c: the measurement kind */
int fb_grade_check_measurement(json_t *test, char *err, size_t len);
void fb_grade_measurement(struct fb_grade_ctx *ctx, json_t *test, struct fb_grade_outcome *out);

/* grade_decide.c */
/* The verdict of n rounds of the program's figures mine[] against
 * forkbench's ref[], with the ratio allowed in [band_lo, band_hi]; final
 * when no round may follow; cpu_pressure: the share of the rounds' time in
 * which some task waited for a CPU (NAN when unknown). */
void fb_grade_decide(const double *mine, const double *ref, size_t n, double band_lo, double band_hi,
		     const struct fb_grade_rounds *rules, int final, double cpu_pressure, struct fb_grade_decision *d);
/* Does the program run before the reference in this round (ABBA)? */
int fb_grade_program_first(size_t round);

/* grade_ref.c */
/* Start the reference server (stop it with fb_orphan_stop). 0, or -1 with err. */
int fb_grade_ref_start(struct fb_orphan *ref, char *err, size_t len);
/* One figure of pt, in ns for a time. 0, or -1 with err. */
int fb_grade_ref_measure(struct fb_orphan *ref, const struct fb_grade_ref_point *pt, double *value, char *err,
			 size_t len);

/* grade_spec.c: 0; or -1 with err "PATH: problem" for a missing or malformed spec. */
int fb_grade_spec_load(const char *path, struct fb_grade_spec *spec, char *err, size_t len);
void fb_grade_spec_free(struct fb_grade_spec *spec);

/* grade_run.c */
/* Build the copy in ctx->work under the build limits (once). */
void fb_grade_build(struct fb_grade_ctx *ctx);
/* The run of the program with args (a JSON array of strings), run on first use. */
const struct fb_grade_run *fb_grade_run(struct fb_grade_ctx *ctx, json_t *args);
/* A new run of the program with args, for a round of measurement tests,
 * into run (free it with fb_grade_run_free). */
void fb_grade_run_again(struct fb_grade_ctx *ctx, json_t *args, size_t round, struct fb_grade_run *run);
void fb_grade_run_free(struct fb_grade_run *run);
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

/* `forkbench grade`. */
int fb_cmd_grade(int argc, char **argv);

#endif
