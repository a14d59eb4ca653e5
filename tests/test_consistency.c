/* test_consistency.c - every run checks its own figures: synthetic runs
 * that break each pair rule one at a time (and one where only noise
 * separates a pair), the overhead against the bare loop, missing second
 * methods, steal-marked repetitions, `forkbench consistency [--strict]`;
 * the threads pair's verdict on repetitions whose medians and intervals are
 * worked out by hand; and a real run in which the threads family runs
 * beside spawn/fork: its worker is restarted, never shared, both forks ran
 * in full, and the run judged the pair on its own figures. Which verdict
 * the real run's pair gets is not asserted: two live timings taken at
 * different moments on a shared machine may differ for the machine's sake. */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "consistency.h"
#include "results.h"
#include "stats.h"
#include "testutil.h"
#include "files.h"
#include "consistency_out.h"

static char build[PATH_MAX], tmp[] = "/tmp/fb-test-consistency-XXXXXX";

/* One benchmark of the synthetic run: its median in us. */
struct point {
	const char *name;
	double us;
};

/* Every pair agrees here: clone is 0.88x of fork (glibc's fork wrapper),
 * the bare loops 3-4% below the worker's round trips. */
static const struct point agreeing[] = {
	{ "spawn/fork/mem_mib:0/mode:4k", 44 }, { "spawn/fork/mem_mib:0/mode:thp", 44 },
	{ "spawn/fork/mem_mib:1/mode:4k", 55 }, { "spawn/fork/mem_mib:1/mode:thp", 55 },
	{ "spawn/clone/mem_mib:0/mode:4k", 39 }, { "spawn/clone/mem_mib:0/mode:thp", 39 },
	{ "spawn/clone/mem_mib:1/mode:4k", 49 }, { "spawn/clone/mem_mib:1/mode:thp", 49 },
	{ "spawn/clone3/mem_mib:0/mode:4k", 39 }, { "spawn/clone3/mem_mib:0/mode:thp", 39 },
	{ "spawn/clone3/mem_mib:1/mode:4k", 49 }, { "spawn/clone3/mem_mib:1/mode:thp", 49 },
	{ "spawn/vfork/mem_mib:0/mode:4k", 10.4 }, { "spawn/vfork/mem_mib:0/mode:thp", 10.4 },
	{ "threads/fork_exit_wait/mem_mib:0/mode:4k", 44 },
	{ "calibrate/bare_fork/mem_mib:0/mode:4k", 42.5 }, { "calibrate/bare_vfork/mem_mib:0/mode:4k", 10 },
	{ "cow/child_write_all/mem_mib:1/mode:4k", 500 }, { "cow/child_write_all/mem_mib:1/mode:thp", 500 },
	{ "shape/fork_vmas/vmas:16/mem_mib:0/mode:4k", 46 }, { "shape/fork_threads/threads:1/mem_mib:0/mode:4k", 44 },
	{ "storm/parallel_fork/forkers:1/mem_mib:0/mode:4k", 45 }, { "spawn/clone3_pidfd/mem_mib:0/mode:4k", 41 },
};
#define NPOINTS (sizeof(agreeing) / sizeof(agreeing[0]))
/* 8 thp rows below 2 MiB, 1 threads pair, 4 clone and 4 clone3 points,
 * shape's two first points, one forker, clone3 with a pidfd */
#define NPAIRS 21

/* How a synthetic run departs from the agreeing one. */
struct variant {
	const char *scaled;      /* this benchmark's figures times factor */
	double factor;
	double noise;            /* +- relative spread of the repetitions */
	const char *left_out;    /* names starting so are not in the run */
	double steal_pct;        /* every repetition's steal */
	int old_style;           /* no iter_median_ns: Google Benchmark's mean only */
};

static json_t *row(const char *name, int rep, double us, const struct variant *v)
{
	char run_name[200];
	snprintf(run_name, sizeof(run_name), "%s/manual_time", name);
	json_t *r = json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:f, s:f, s:s, s:f}", "name", run_name,
			      "run_name", run_name, "run_type", "iteration", "repetitions", 9, "repetition_index", rep,
			      "iterations", 100, "real_time", v->old_style ? us : us * 1.2, "cpu_time", us,
			      "time_unit", "us", "steal_pct", v->steal_pct);
	if (!v->old_style)   /* the mean is 20% above the median: the figure must be the median */
		json_object_set_new(r, "iter_median_ns", json_real(us * 1e3));
	return r;
}

/* Write the variant's bench.json into a fresh folder; its path in path. */
static void write_run(const struct variant *v, char *path, size_t len)
{
	static int serial;
	json_t *rows = json_array();

	snprintf(path, len, "%s/run%d", tmp, ++serial);
	mkdir(path, 0755);
	for (size_t p = 0; p < NPOINTS; p++) {
		if (v->left_out && strncmp(agreeing[p].name, v->left_out, strlen(v->left_out)) == 0)
			continue;
		double us = agreeing[p].us * (v->scaled && strcmp(v->scaled, agreeing[p].name) == 0 ? v->factor : 1);
		for (int r = 0; r < 9; r++)   /* a fixed pattern in [-1, 1] */
			json_array_append_new(rows, row(agreeing[p].name, r, us * (1 + v->noise * ((r % 5) - 2) / 2.0), v));
	}
	json_t *doc = json_pack("{s:{s:s}, s:o}", "context", "date", "synthetic", "benchmarks", rows);
	char file[PATH_MAX + 16];
	snprintf(file, sizeof(file), "%s/bench.json", path);
	json_dump_file(doc, file, JSON_INDENT(1));
	json_decref(doc);
}

static int evaluate(const struct variant *v, struct fb_consistency *c, char *dir, size_t len)
{
	struct fb_results res;
	char file[PATH_MAX + 16], err[512];

	write_run(v, dir, len);
	snprintf(file, sizeof(file), "%s/bench.json", dir);
	if (fb_results_load(file, &res, err, sizeof(err)))
		return -1;
	int rc = fb_consistency_evaluate(&res, c);
	fb_results_free(&res);
	return rc;
}

static const struct fb_pair_result *pair_of(const struct fb_consistency *c, const char *a)
{
	for (size_t i = 0; i < c->npairs; i++)
		if (strcmp(c->pairs[i].a, a) == 0)
			return &c->pairs[i];
	return NULL;
}

static void check_agreeing(void)
{
	struct variant v = { 0 };
	struct fb_consistency c;
	char dir[PATH_MAX];

	if (!CHECK(evaluate(&v, &c, dir, sizeof(dir)) == 0, "agreeing run evaluated", "evaluate failed"))
		return;
	CHECK(c.npairs == NPAIRS && c.disagree == 0, "agreeing run: 21 pairs, none disagrees",
	      "%zu pairs, %zu disagree", c.npairs, c.disagree);
	CHECK(c.noverheads == 2 && c.above_target == 0 && fabs(c.overheads[0].ratio - 44 / 42.5) < 1e-9,
	      "overhead: fork 1.035x and vfork 1.04x of the bare loop, within 1.05x",
	      "%zu rows, %zu above, fork %.4f", c.noverheads, c.above_target, c.noverheads ? c.overheads[0].ratio : NAN);
	json_t *j = fb_consistency_json(&c);
	char *text = j ? json_dumps(j, 0) : NULL;
	CHECK(text && strstr(text, "\"pairs_disagreeing\": 0") && strstr(text, "\"verdict\": \"agree\""),
	      "manifest JSON: pairs with verdicts", "%s", text ? text : "(null)");
	free(text);
	json_decref(j);
	fb_consistency_free(&c);
}

/* Break one pair by scaling one side; that pair must disagree, and the
 * warning must name both figures. */
static void check_breaks(const char *scaled, double factor, const char *pair_a, const char *what)
{
	struct variant v = { .scaled = scaled, .factor = factor };
	struct fb_consistency c;
	char dir[PATH_MAX], name[200];

	snprintf(name, sizeof(name), "%s: the pair disagrees and the warning names both figures", what);
	if (evaluate(&v, &c, dir, sizeof(dir)))
		return (void)CHECK(0, name, "evaluate failed");
	const struct fb_pair_result *p = pair_of(&c, pair_a);
	json_t *warnings = json_array();
	fb_consistency_warnings(&c, warnings);
	char *text = json_dumps(warnings, 0);
	CHECK(p && p->verdict == FB_DISAGREE && !p->intervals_overlap && text && strstr(text, p->a) &&
	      strstr(text, p->b), name, "pair %s: verdict %d, warnings %s", pair_a, p ? (int)p->verdict : -1,
	      text ? text : "(null)");
	free(text);
	json_decref(warnings);
	fb_consistency_free(&c);
}

static void check_noise_is_not_disagreement(void)
{
	struct variant v = { .scaled = "spawn/fork/mem_mib:0/mode:thp", .factor = 1.15, .noise = 0.4 };
	struct fb_consistency c;
	char dir[PATH_MAX];

	const char *name = "1.15x apart with +-40% noise: intervals meet, so the pair agrees";

	if (evaluate(&v, &c, dir, sizeof(dir)))
		return (void)BROKEN(name, "evaluate failed");
	const struct fb_pair_result *p = pair_of(&c, "spawn/fork/mem_mib:0/mode:thp");
	CHECK(p && p->ratio > 1.10 && p->intervals_overlap && p->verdict == FB_AGREE, name, "ratio %.3f overlap %d verdict %d",
	      p ? p->ratio : NAN, p ? p->intervals_overlap : -1, p ? (int)p->verdict : -1);
	fb_consistency_free(&c);
}

static void check_overhead_and_missing(void)
{
	struct variant slow = { .scaled = "calibrate/bare_fork/mem_mib:0/mode:4k", .factor = 0.8 };
	struct variant gone = { .left_out = "calibrate/" };
	struct fb_consistency c;
	char dir[PATH_MAX];

	if (evaluate(&slow, &c, dir, sizeof(dir)) == 0) {
		CHECK(c.above_target == 1 && c.overheads[0].verdict == FB_DISAGREE && c.disagree == 0,
		      "fork 1.29x of the bare loop: above target, no pair disagrees", "above %zu, pairs %zu",
		      c.above_target, c.disagree);
		fb_consistency_free(&c);
	} else {
		BROKEN("fork 1.29x of the bare loop: above target, no pair disagrees", "evaluate failed on %s", dir);
	}
	if (evaluate(&gone, &c, dir, sizeof(dir)) == 0) {
		json_t *j = fb_consistency_json(&c);
		CHECK(c.noverheads == 2 && c.overheads[0].verdict == FB_UNCHECKED &&
		      strstr(c.overheads[0].note, "calibrate/bare_fork/mem_mib:0/mode:4k is not in this run") && j,
		      "no bare loop in the run: overhead not checked, saying which figure is missing (JSON: null)",
		      "verdict %d note '%s'", (int)c.overheads[0].verdict, c.overheads[0].note);
		json_decref(j);
		fb_consistency_free(&c);
	} else {
		BROKEN("no bare loop in the run: overhead not checked, saying which figure is missing (JSON: null)",
		       "evaluate failed on %s", dir);
	}
}

static void check_estimator_and_steal(void)
{
	struct variant stolen = { .steal_pct = 12 }, old = { .old_style = 1 };
	struct fb_results res;
	char dir[PATH_MAX], file[PATH_MAX + 16], err[512];

	write_run(&stolen, dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/bench.json", dir);
	if (fb_results_load(file, &res, err, sizeof(err)) == 0) {
		const struct fb_result *r = fb_results_find(&res, "spawn/fork/mem_mib:0/mode:4k");
		CHECK(r && r->iter_median && fabs(fb_result_median_ns(r) - 44e3) < 1e-6 && r->steal_flagged == 9,
		      "the figure is the median of iterations, not the mean; 9 repetitions under 12% steal marked",
		      "median %.1f steal_flagged %zu", r ? fb_result_median_ns(r) : NAN, r ? r->steal_flagged : 0);
		fb_results_free(&res);
	} else {
		BROKEN("the figure is the median of iterations, not the mean; 9 repetitions under 12% steal marked",
		       "%s", err);
	}
	write_run(&old, dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/bench.json", dir);
	if (fb_results_load(file, &res, err, sizeof(err)) == 0) {
		const struct fb_result *r = fb_results_find(&res, "spawn/fork/mem_mib:0/mode:4k");
		CHECK(r && !r->iter_median && fabs(fb_result_median_ns(r) - 44e3) < 1e-6,
		      "a run made before iter_median_ns: Google Benchmark's mean is the figure",
		      "median %.1f", r ? fb_result_median_ns(r) : NAN);
		fb_results_free(&res);
	} else {
		BROKEN("a run made before iter_median_ns: Google Benchmark's mean is the figure", "%s", err);
	}
}

#define THREADS_FORK "threads/fork_exit_wait/mem_mib:0/mode:4k"
#define SPAWN_FORK "spawn/fork/mem_mib:0/mode:4k"

/* spawn/fork's 9 repetitions, 43.6 to 44.4 us: median 44.0. With 9
 * repetitions the 95% interval of a median runs from the 2nd to the 8th
 * figure (coverage 1 - 2 * 10/512 = 96.1%; the 3rd to the 7th only
 * 1 - 2 * 46/512 = 82%): [43.7, 44.3]. */
static const double spawn_fork_us[9] = { 43.6, 43.7, 43.8, 43.9, 44.0, 44.1, 44.2, 44.3, 44.4 };

/* The pair "fork from the threads worker = spawn/fork" (tolerance 10%):
 * threads/fork_exit_wait's repetitions, and the ratio, overlap and verdict
 * worked out by hand. A pair disagrees only beyond the tolerance AND with
 * the two intervals apart. */
static const struct threads_case {
	const char *what;
	int present;
	double us[9];
	double ratio;
	int overlap;
	enum fb_agreement verdict;
} threads_cases[] = {
	/* median 47.0, [46.7, 47.3]: apart from [43.7, 44.3], but 47/44 = 1.068 is within 10% */
	{ "threads pair 1.068x, intervals apart: within tolerance, agrees", 1,
	  { 46.6, 46.7, 46.8, 46.9, 47.0, 47.1, 47.2, 47.3, 47.4 }, 47.0 / 44.0, 0, FB_AGREE },
	/* median 55.0, [54.7, 55.3]: 1.25x and apart */
	{ "threads pair 1.25x, intervals apart: disagrees", 1,
	  { 54.6, 54.7, 54.8, 54.9, 55.0, 55.1, 55.2, 55.3, 55.4 }, 55.0 / 44.0, 0, FB_DISAGREE },
	/* median 55, [40, 70]: 1.25x, but the interval holds [43.7, 44.3] */
	{ "threads pair 1.25x with +-36% noise, intervals meet: agrees", 1,
	  { 35, 40, 45, 50, 55, 60, 65, 70, 75 }, 55.0 / 44.0, 1, FB_AGREE },
	/* median 35.2, [34.9, 35.5]: 0.8x and apart, faster is as wrong as slower */
	{ "threads pair 0.80x, intervals apart: disagrees", 1,
	  { 34.8, 34.9, 35.0, 35.1, 35.2, 35.3, 35.4, 35.5, 35.6 }, 35.2 / 44.0, 0, FB_DISAGREE },
	{ "threads pair with no threads/fork_exit_wait in the run: not checked, saying so", 0, { 0 }, NAN, 0,
	  FB_UNCHECKED },
};

/* A run of spawn/fork and (when present) the case's threads/fork_exit_wait
 * repetitions, as given. */
static int evaluate_threads_case(const struct threads_case *tc, struct fb_consistency *c)
{
	static const struct variant plain = { 0 };
	static int serial;
	struct fb_results res;
	char dir[PATH_MAX], file[PATH_MAX + 16], err[512];
	json_t *rows = json_array();

	snprintf(dir, sizeof(dir), "%s/threads%d", tmp, ++serial);
	mkdir(dir, 0755);
	for (int r = 0; r < 9; r++) {
		json_array_append_new(rows, row(SPAWN_FORK, r, spawn_fork_us[r], &plain));
		if (tc->present)
			json_array_append_new(rows, row(THREADS_FORK, r, tc->us[r], &plain));
	}
	json_t *doc = json_pack("{s:{s:s}, s:o}", "context", "date", "synthetic", "benchmarks", rows);
	snprintf(file, sizeof(file), "%s/bench.json", dir);
	json_dump_file(doc, file, JSON_INDENT(1));
	json_decref(doc);
	if (fb_results_load(file, &res, err, sizeof(err)))
		return -1;
	int rc = fb_consistency_evaluate(&res, c);
	fb_results_free(&res);
	return rc;
}

/* Within the tolerance but with the intervals apart: "apart" in the JSON,
 * and the terminal lists the pair instead of counting it among those
 * that agree. */
static void check_apart_words(const struct fb_consistency *c)
{
	json_t *j = fb_consistency_json(c), *p, *found = NULL;
	struct captured out;
	size_t i;

	fb_consistency_print(c, capture(&out));
	const char *text = captured(&out);
	json_array_foreach(json_object_get(j, "pairs"), i, p)
		if (strcmp(json_string_value(json_object_get(p, "a")) ?: "", THREADS_FORK) == 0)
			found = p;
	const char *word = json_string_value(json_object_get(found, "verdict"));
	CHECK(word && !strcmp(word, "apart") && text && strstr(text, "1 within tolerance but apart") &&
	      strstr(text, "  apart ") && strstr(text, THREADS_FORK),
	      "threads pair 1.068x, intervals apart: said 'apart' in the JSON and listed on the terminal",
	      "verdict %s; terminal:\n%s", word ? word : "(none)", text);
	json_decref(j);
	free(out.text);
}

static void check_threads_pair(const struct threads_case *tc)
{
	struct fb_consistency c;

	if (evaluate_threads_case(tc, &c))
		return (void)BROKEN(tc->what, "evaluate failed");
	const struct fb_pair_result *p = pair_of(&c, THREADS_FORK);
	int ok = p && p->verdict == tc->verdict && strcmp(p->b, SPAWN_FORK) == 0;
	if (ok && tc->present)
		ok = fabs(p->ratio - tc->ratio) < 1e-9 && p->intervals_overlap == tc->overlap && fabs(p->median_b - 44e3) < 1e-6;
	else if (ok)
		ok = strstr(p->note, THREADS_FORK " is not in this run") != NULL;
	CHECK(ok, tc->what, "pair %s: verdict %d (want %d), ratio %.4f (want %.4f), overlap %d (want %d), note '%s'",
	      p ? "found" : "MISSING", p ? (int)p->verdict : -1, (int)tc->verdict, p ? p->ratio : NAN, tc->ratio,
	      p ? p->intervals_overlap : -1, tc->overlap, p ? p->note : "");
	if (tc->present && tc->verdict == FB_AGREE && !tc->overlap)
		check_apart_words(&c);
	fb_consistency_free(&c);
}

static int forkbench(const char *const *args, const char *out_path, const char *err_path)
{
	return run_forkbench_in(build, args, out_path, err_path);
}

static void check_command(void)
{
	struct variant bad = { .scaled = "threads/fork_exit_wait/mem_mib:0/mode:4k", .factor = 1.45 };
	struct variant good = { 0 };
	char dir_bad[PATH_MAX], dir_good[PATH_MAX], out[PATH_MAX + 16], err[PATH_MAX + 16];

	write_run(&bad, dir_bad, sizeof(dir_bad));
	write_run(&good, dir_good, sizeof(dir_good));
	snprintf(out, sizeof(out), "%s/out.txt", tmp);
	snprintf(err, sizeof(err), "%s/err.txt", tmp);
	int plain = forkbench((const char *[]){ "consistency", dir_bad, NULL }, out, err);
	char *text = fb_slurp(out, 1 << 16);
	CHECK(plain == 0 && strstr(text, "1 disagree") && strstr(text, "threads/fork_exit_wait/mem_mib:0/mode:4k"),
	      "forkbench consistency: a disagreement is reported, exit 0", "exit %d: %s", plain, text);
	free(text);
	int strict_bad = forkbench((const char *[]){ "consistency", dir_bad, "--strict", NULL }, out, err);
	int strict_good = forkbench((const char *[]){ "consistency", dir_good, "--strict", NULL }, out, err);
	CHECK(strict_bad == 1 && strict_good == 0, "--strict: exit 1 on a disagreement, 0 when all agree",
	      "exit %d and %d", strict_bad, strict_good);
	int missing = forkbench((const char *[]){ "consistency", "/nonexistent-run", NULL }, out, err);
	CHECK(missing == 2 && count_lines(err) == 1, "a missing run folder: one line on stderr, exit 2",
	      "exit %d, %d lines", missing, count_lines(err));
}

static double counter_sum(const struct fb_result *r, const char *counter)
{
	double sum = 0;
	for (size_t i = 0; r && i < r->nreps; i++)
		sum += json_number_value(json_object_get(r->rows[i], counter));
	return sum;
}

/* The median of a benchmark's repetitions, worked out here: the middle
 * one of the sorted figures (an odd count), or the mean of the middle two. */
static double median_of(const struct fb_result *r)
{
	double sorted[64];
	size_t n = r && r->nreps <= 64 ? r->nreps : 0;

	for (size_t i = 0; i < n; i++)
		sorted[i] = r->times_ns[i];
	for (size_t a = 1; a < n; a++)
		for (size_t b = a; b > 0 && sorted[b - 1] > sorted[b]; b--) {
			double t = sorted[b];
			sorted[b] = sorted[b - 1];
			sorted[b - 1] = t;
		}
	return n == 0 ? NAN : n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/* The run's own judgement of the threads pair, from its manifest: listed,
 * checked (agree or disagree: which one depends on the machine), and on the
 * medians of the run's own repetitions. */
static void check_run_judged_pair(json_t *manifest, const struct fb_result *fork, const struct fb_result *tfork)
{
	json_t *pairs = json_object_get(json_object_get(manifest, "consistency"), "pairs"), *p, *found = NULL;
	size_t i;

	json_array_foreach(pairs, i, p)
		if (strcmp(json_string_value(json_object_get(p, "a")) ?: "", THREADS_FORK) == 0)
			found = p;
	const char *verdict = json_string_value(json_object_get(found, "verdict"));
	double ma = json_number_value(json_object_get(found, "median_a_ns"));
	double mb = json_number_value(json_object_get(found, "median_b_ns"));
	double want_a = median_of(tfork), want_b = median_of(fork);
	CHECK(verdict && (!strcmp(verdict, "agree") || !strcmp(verdict, "apart") || !strcmp(verdict, "disagree")) &&
	      strcmp(json_string_value(json_object_get(found, "b")) ?: "", SPAWN_FORK) == 0 &&
	      fabs(ma - want_a) <= 1e-6 * want_a && fabs(mb - want_b) <= 1e-6 * want_b,
	      "the run judged the threads pair on its own figures (agree, apart or disagree: the machine decides which)",
	      "pair %s, verdict %s, medians %.0f and %.0f ns in the manifest, %.0f and %.0f ns from bench.json",
	      found ? "listed" : "MISSING", verdict ? verdict : "(none)", ma, mb, want_a, want_b);
}

/* The threads family changed its worker (cached stacks); spawn/fork has a
 * worker of its own. Both forks ran all their repetitions, each in a worker
 * of one thread, and the run cross-checked them. */
static void check_real_run(void)
{
	char results[PATH_MAX + 16], out[PATH_MAX + 16], run[PATH_MAX + 64], file[PATH_MAX + 96], err[512];
	const char *args[] = { "run", "--filter",
		"^(spawn/fork/|threads/(pthread_create_join|pthread_touch_stack_256k|fork_exit_wait)/|calibrate/bare_fork)",
		"--sizes", "0", "--modes", "4k", "--repetitions", "7", "--min-time", "0.02", "--results", results, NULL };
	struct fb_results res;

	snprintf(results, sizeof(results), "%s/results", tmp);
	snprintf(out, sizeof(out), "%s/run.txt", tmp);
	int rc = forkbench(args, out, NULL);
	char *text = fb_slurp(out, 1 << 20), *folder = strstr(text, "run folder: ");
	snprintf(run, sizeof(run), "%.*s", folder ? (int)strcspn(folder + 12, "\n") : 0, folder ? folder + 12 : "");
	free(text);
	snprintf(file, sizeof(file), "%s/bench.json", run);
	if (!CHECK(rc == 0 && fb_results_load(file, &res, err, sizeof(err)) == 0, "a real run with the threads family",
		   "exit %d, %s", rc, run))
		return;
	const struct fb_result *fork = fb_results_find(&res, SPAWN_FORK);
	const struct fb_result *tfork = fb_results_find(&res, THREADS_FORK);
	const struct fb_result *made = fb_results_find(&res, "threads/pthread_touch_stack_256k/mem_mib:0/mode:4k");
	snprintf(file, sizeof(file), "%s/bench.log", run);
	char *log = fb_slurp(file, 1 << 20), *spawn_restart = strstr(log, "restarting the spawn worker");
	CHECK(fork && counter_sum(fork, "worker_threads") == (double)fork->nreps &&
	      counter_sum(fork, "worker_restarts") == 0 && counter_sum(made, "worker_restarts") > 0,
	      "spawn/fork ran in a worker of its own (1 thread, never restarted); the threads worker was restarted",
	      "threads %.0f restarts %.0f / %.0f; bench.log: %.200s", counter_sum(fork, "worker_threads"),
	      counter_sum(fork, "worker_restarts"), counter_sum(made, "worker_restarts"),
	      spawn_restart ? spawn_restart : "(no spawn restart)");
	free(log);
	CHECK(fork && tfork && !fork->error && !tfork->error && fork->nreps == 7 && tfork->nreps == 7 &&
	      counter_sum(tfork, "worker_threads") == 7,
	      "fork at 0 MiB from both workers: 7 repetitions each, threads/fork_exit_wait's from a worker of 1 thread",
	      "spawn/fork %zu reps (%s), threads/fork_exit_wait %zu reps (%s), its worker_threads summed %.0f",
	      fork ? fork->nreps : 0, fork && fork->error ? fork->error : "ok", tfork ? tfork->nreps : 0,
	      tfork && tfork->error ? tfork->error : "ok", counter_sum(tfork, "worker_threads"));
	snprintf(file, sizeof(file), "%s/manifest.json", run);
	json_t *m = json_load_file(file, 0, NULL);
	check_run_judged_pair(m, fork, tfork);
	fb_results_free(&res);
	json_t *cfg = json_object_get(m, "config"), *cons = json_object_get(m, "consistency");
	CHECK(m && json_is_string(json_object_get(cfg, "placement")) && json_is_string(json_object_get(cfg, "cpus")) &&
	      json_is_array(json_object_get(cons, "pairs")) && json_is_array(json_object_get(cons, "overhead")) &&
	      json_is_number(json_object_get(json_object_get(json_object_get(m, "environment"), "during_run"), "steal_pct")),
	      "manifest: placement and CPU, the consistency pairs and overhead, steal during the run", "%s", file);
	json_decref(m);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	if (!mkdtemp(tmp))
		return 1;
	check_agreeing();
	check_breaks("spawn/fork/mem_mib:0/mode:thp", 1.45, "spawn/fork/mem_mib:0/mode:thp", "fork 0 MiB thp 1.45x of 4k");
	check_breaks("threads/fork_exit_wait/mem_mib:0/mode:4k", 1.45, "threads/fork_exit_wait/mem_mib:0/mode:4k",
		     "fork from the threads worker 1.45x of spawn/fork");
	check_breaks("cow/child_write_all/mem_mib:1/mode:thp", 1.3, "cow/child_write_all/mem_mib:1/mode:thp",
		     "cow at 1 MiB thp 1.3x of 4k");
	check_breaks("spawn/clone/mem_mib:1/mode:4k", 0.6, "spawn/clone/mem_mib:1/mode:4k", "clone 0.53x of fork");
	check_breaks("spawn/clone3/mem_mib:0/mode:4k", 1.5, "spawn/clone3/mem_mib:0/mode:4k", "clone3 1.33x of fork");
	/* storm's forkers, left free to land beside their children's CPU, measured 2.2x */
	check_breaks("storm/parallel_fork/forkers:1/mem_mib:0/mode:4k", 2.2, "storm/parallel_fork/forkers:1/mem_mib:0/mode:4k",
		     "one forker 2.2x spawn/fork");
	check_breaks("shape/fork_vmas/vmas:16/mem_mib:0/mode:4k", 1.4, "shape/fork_vmas/vmas:16/mem_mib:0/mode:4k",
		     "16 VMAs more 1.4x spawn/fork");
	check_noise_is_not_disagreement();
	check_overhead_and_missing();
	check_estimator_and_steal();
	check_command();
	for (size_t i = 0; i < sizeof(threads_cases) / sizeof(threads_cases[0]); i++)
		check_threads_pair(&threads_cases[i]);
	check_real_run();
	const char *rm[] = { "rm", "-rf", tmp, NULL };
	run_command(rm, NULL, NULL);
	return check_done();
}
