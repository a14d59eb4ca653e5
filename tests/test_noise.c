/* test_noise.c - A/A noise: `forkbench noise BASELINE A/A...` writes each
 * benchmark's largest |ratio - 1| of medians into BASELINE/noise.json, and
 * compare raises that benchmark's threshold to max(threshold, 1.5 x noise):
 * an 18% slow-down of a benchmark that moves 15% between A/A runs is not
 * flagged, a 50% one is, and without the file (or with --no-noise) the 18%
 * is; a corrupt file is exit 2 with one line naming it. Synthetic run
 * folders only: the commands are called in a child, as main would. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "check.h"
#include "commands.h"
#include "compare.h"
#include "noise.h"
#include "files.h"
#include "jsonio.h"
#include "testutil.h"

static char tmp[] = "/tmp/fb-test-noise-XXXXXX";
static unsigned long long lcg = 7;

#define FORK_0 "spawn/fork/mem_mib:0/mode:4k"

/* Uniform in [-1, 1) from a fixed-seed LCG: the same data on every run. */
static double jitter(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(lcg >> 11) / (double)(1ULL << 52) - 1;
}

/* One benchmark of a synthetic run: its name and median in us (0: absent). */
struct bench {
	const char *name;
	double us;
};

/* A manifest compare and noise accept: of our schema, with a config. */
static void write_manifest(const char *dir, const char *id, int reps)
{
	char path[PATH_MAX + 32];
	json_t *m = json_pack("{s:i, s:s, s:{s:s, s:s, s:s, s:i, s:f}, s:{}, s:[]}", "schema_version", 1, "run_id", id,
			      "config", "profile", "quick", "sizes_mib", "0,64", "modes", "4k", "repetitions", reps,
			      "min_time_s", 0.05, "environment", "warnings");

	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	json_dump_file(m, path, JSON_INDENT(1));
	json_decref(m);
}

/* A run folder DIR (id: its last component): reps repetitions of each
 * benchmark around its median with +-spread noise. */
static void write_run(const char *dir, const struct bench *b, size_t n, int reps, double spread)
{
	char path[PATH_MAX + 32], name[160];
	json_t *rows = json_array();

	mkdir(dir, 0755);
	write_manifest(dir, strrchr(dir, '/') + 1, reps);
	for (size_t i = 0; i < n; i++)
		for (int r = 0; b[i].us > 0 && r < reps; r++) {
			snprintf(name, sizeof(name), "%s/manual_time", b[i].name);
			double t = b[i].us * (1 + spread * jitter());
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:f, s:f, s:s}",
				"name", name, "run_name", name, "run_type", "iteration", "repetitions", reps,
				"repetition_index", r, "iterations", 100, "real_time", t, "cpu_time", t, "time_unit", "us"));
		}
	json_t *doc = json_pack("{s:{s:s}, s:o}", "context", "date", "synthetic", "benchmarks", rows);
	snprintf(path, sizeof(path), "%s/bench.json", dir);
	json_dump_file(doc, path, JSON_INDENT(1));
	json_decref(doc);
}

/* cmd(args) in a child with stdout to OUT and stderr to ERR (in tmp):
 * its exit status. exit(), not _exit(): LeakSanitizer checks the child. */
static int run_cmd(int (*cmd)(int, char **), const char *const *args)
{
	char out[PATH_MAX], err[PATH_MAX];
	int argc = 0, status = -1;

	while (args[argc])
		argc++;
	snprintf(out, sizeof(out), "%s/out", tmp);
	snprintf(err, sizeof(err), "%s/err", tmp);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644), 1);
		dup2(open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644), 2);
		exit(cmd(argc, (char **)args));
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The child's stdout or stderr ("out", "err") as text; the caller frees it. */
static char *output(const char *which)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", tmp, which);
	return fb_slurp(path, 1 << 20);
}

static int stderr_lines(void)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/err", tmp);
	return count_lines(path);
}

static void path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmp, name);
}

/* ---- (a) forkbench noise ------------------------------------------------ */

/* Hand-made medians (all repetitions equal): BASE, two A/A runs (0: the
 * run lacks it) and the noise expected: the largest |ratio - 1|, -1 when
 * no A/A run has the benchmark (then it is not listed). */
static const struct aa_case {
	const char *name;
	double base, aa[2];
	double noise;
} aa_cases[] = {
	{ FORK_0, 100, { 104, 97 }, 0.04 },
	{ "spawn/vfork/mem_mib:0/mode:4k", 200, { 190, 206 }, 0.05 },
	{ "cow/touch/mem_mib:64/mode:4k", 50, { 50, 55 }, 0.10 },
	{ "spawn/posix_spawn/mem_mib:0/mode:4k", 80, { 0, 81.6 }, 0.02 },
	/* the bare fork loop: the machine 4% slower in the first A/A run, 3%
	 * faster in the second */
	{ "calibrate/bare_fork/mem_mib:0/mode:4k", 500, { 520, 485 }, 0.04 },
	{ "threads/create/mem_mib:0/mode:4k", 30, { 0, 0 }, -1 },
};
#define N_AA_CASES (sizeof(aa_cases) / sizeof(aa_cases[0]))

/* Column `col` of the table as a run (-1: BASE, 0 and 1: the A/A runs). */
static void write_aa_run(const char *name, int col, int reps)
{
	struct bench b[N_AA_CASES];
	char dir[PATH_MAX];

	for (size_t i = 0; i < N_AA_CASES; i++)
		b[i] = (struct bench){ aa_cases[i].name, col < 0 ? aa_cases[i].base : aa_cases[i].aa[col] };
	path_in(dir, sizeof(dir), name);
	write_run(dir, b, N_AA_CASES, reps, 0);
}

/* One listed benchmark as expected: its noise, one ratio per A/A run (null
 * where the run lacks it). */
static int entry_ok(const json_t *entry, const struct aa_case *c)
{
	const json_t *ratios = json_object_get(entry, "ratios");
	int ok = fabs(json_number_value(json_object_get(entry, "noise")) - c->noise) < 1e-6 &&
		 json_array_size(ratios) == 2;

	for (size_t i = 0; ok && i < 2; i++)
		ok = c->aa[i] > 0 ? fabs(json_number_value(json_array_get(ratios, i)) - c->aa[i] / c->base) < 1e-6
				  : json_is_null(json_array_get(ratios, i));
	return ok;
}

/* noise.json as written, and as compare reads it back. */
static void check_noise_file(const char *base_dir)
{
	char path[PATH_MAX + 32], err[PATH_MAX + 512];
	struct fb_noise noise;

	snprintf(path, sizeof(path), "%s/noise.json", base_dir);
	json_t *doc = json_load_file(path, 0, NULL), *benchmarks = json_object_get(doc, "benchmarks");
	const json_t *runs = json_object_get(doc, "runs");
	CHECK(json_integer_value(json_object_get(doc, "schema_version")) == 1 && json_array_size(runs) == 2 &&
	      strcmp(json_string_value(json_array_get(runs, 0)) ?: "", "aa1") == 0 &&
	      strcmp(json_string_value(json_array_get(runs, 1)) ?: "", "aa2") == 0,
	      "noise.json: schema_version 1, the A/A runs' ids", "%s", path);
	for (size_t i = 0; i < N_AA_CASES; i++) {
		const struct aa_case *c = &aa_cases[i];
		const json_t *entry = json_object_get(benchmarks, c->name);
		CHECK(c->noise < 0 ? !entry : entry && entry_ok(entry, c), c->name, "noise %g, expected %g",
		      json_number_value(json_object_get(entry, "noise")), c->noise);
	}
	json_decref(doc);
	int got = fb_noise_load(base_dir, &noise, err, sizeof(err));
	CHECK(got == 1 && noise.count == N_AA_CASES - 1 && fabs(fb_noise_of(&noise, FORK_0, "none") - 0.04) < 1e-9 &&
	      isnan(fb_noise_of(&noise, "threads/create/mem_mib:0/mode:4k", "none")),
	      "noise.json read back as compare reads it", "load %d: %s", got, got < 0 ? err : "");
	/* Divided by the bare loop (1.04 and 0.97): fork moved with the machine
	 * (1.04 / 1.04, 0.97 / 0.97: noise 0); vfork 0.95 / 1.04 = 0.913462 and
	 * 1.03 / 0.97 = 1.061856: 0.086538; cow/touch 1 / 1.04 = 0.961538 and
	 * 1.1 / 0.97 = 1.134021: 0.134021. */
	CHECK(got == 1 && fabs(fb_noise_of(&noise, FORK_0, "bare")) < 1e-9 &&
	      fabs(fb_noise_of(&noise, "spawn/vfork/mem_mib:0/mode:4k", "bare") - 0.086538) < 1e-9 &&
	      fabs(fb_noise_of(&noise, "cow/touch/mem_mib:64/mode:4k", "bare") - 0.134021) < 1e-9 &&
	      fabs(fb_noise_of(&noise, "spawn/vfork/mem_mib:0/mode:4k", "syscall") - 0.05) < 1e-9,
	      "noise.json: the noise of figures divided by the bare loop, for --normalize bare",
	      "fork %g, vfork %g, cow/touch %g", fb_noise_of(&noise, FORK_0, "bare"),
	      fb_noise_of(&noise, "spawn/vfork/mem_mib:0/mode:4k", "bare"),
	      fb_noise_of(&noise, "cow/touch/mem_mib:64/mode:4k", "bare"));
	fb_noise_free(&noise);
}

static void check_noise_command(void)
{
	char base[PATH_MAX], aa1[PATH_MAX], aa2[PATH_MAX], other[PATH_MAX];

	write_aa_run("base", -1, 5);
	write_aa_run("aa1", 0, 5);
	write_aa_run("aa2", 1, 5);
	write_aa_run("other-config", 0, 9);   /* 9 repetitions: not the baseline's settings */
	path_in(base, sizeof(base), "base");
	path_in(aa1, sizeof(aa1), "aa1");
	path_in(aa2, sizeof(aa2), "aa2");
	path_in(other, sizeof(other), "other-config");
	const char *ok[] = { "noise", base, aa1, aa2, NULL };
	int rc = run_cmd(fb_cmd_noise, ok);
	char *text = output("out");
	CHECK(rc == 0 && text && strstr(text, "noise.json") && strstr(text, "largest 10.0%"),
	      "forkbench noise BASE AA1 AA2: exit 0, a summary line", "exit %d: %s", rc, text ? text : "");
	free(text);
	check_noise_file(base);

	/* Refusals, table-driven: each exit 2 with one line saying why. */
	static const struct {
		const char *label, *why;
		int args;   /* 1: no A/A run; 2: the baseline twice; 3: another configuration */
	} bad[] = {
		{ "noise without an A/A run: usage, exit 2", "usage", 1 },
		{ "the baseline as its own A/A run: exit 2", "own run", 2 },
		{ "an A/A run of other settings: exit 2 naming the condition", "repetitions differs", 3 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[] = { "noise", base, bad[i].args == 2 ? base : other, NULL };
		if (bad[i].args == 1)
			args[2] = NULL;
		rc = run_cmd(fb_cmd_noise, args);
		text = output("err");
		CHECK(rc == 2 && stderr_lines() == 1 && text && strstr(text, bad[i].why), bad[i].label, "exit %d: %s",
		      rc, text ? text : "");
		free(text);
	}
}

/* ---- (b), (c) compare with the noise file ------------------------------ */

/* Four benchmarks around their medians with 1% noise; FORK_0 scaled. */
static void write_slowed(const char *name, double fork_factor)
{
	const struct bench b[] = {
		{ FORK_0, 100 * fork_factor },
		{ "spawn/vfork/mem_mib:0/mode:4k", 40 },
		{ "spawn/posix_spawn/mem_mib:0/mode:4k", 300 },
		{ "cow/touch/mem_mib:64/mode:4k", 900 },
	};
	char dir[PATH_MAX];

	path_in(dir, sizeof(dir), name);
	write_run(dir, b, sizeof(b) / sizeof(b[0]), 9, 0.01);
}

/* The baseline's noise.json: FORK_0 moves 15% between A/A runs, the rest 2%. */
static void write_noise_15(const char *base_dir)
{
	char path[PATH_MAX + 32];
	json_t *doc = json_pack("{s:i, s:[s], s:{s:{s:f, s:[f]}, s:{s:f}, s:{s:f}, s:{s:f}}}", "schema_version", 1,
				"runs", "aa", "benchmarks", FORK_0, "noise", 0.15, "ratios", 1.15,
				"spawn/vfork/mem_mib:0/mode:4k", "noise", 0.02, "spawn/posix_spawn/mem_mib:0/mode:4k",
				"noise", 0.02, "cow/touch/mem_mib:64/mode:4k", "noise", 0.02);

	snprintf(path, sizeof(path), "%s/noise.json", base_dir);
	fb_write_json_atomic(path, doc);
	json_decref(doc);
}

/* fb_compare of two run folders, BASE's noise file used when with_noise. */
static int compare_runs(const char *base, const char *new_run, int with_noise, struct fb_comparison *cmp)
{
	struct fb_compare_opts opts = { .alpha = 0.05, .threshold = 0.10, .normalize = "none" };
	struct fb_results rb, rn;
	struct fb_noise noise;
	char path[PATH_MAX + 32], err[PATH_MAX + 512];
	int rc = -1;

	memset(cmp, 0, sizeof(*cmp));
	if (with_noise && fb_noise_load(base, &noise, err, sizeof(err)) == 1)
		opts.noise = &noise;
	snprintf(path, sizeof(path), "%s/bench.json", base);
	if (fb_results_load(path, &rb, err, sizeof(err)) == 0) {
		snprintf(path, sizeof(path), "%s/bench.json", new_run);
		if (fb_results_load(path, &rn, err, sizeof(err)) == 0) {
			rc = fb_compare(&rb, &rn, &opts, cmp, err, sizeof(err));
			fb_results_free(&rn);
		}
		fb_results_free(&rb);
	}
	if (opts.noise)
		fb_noise_free(&noise);
	return rc;
}

/* In process: the verdicts and the threshold each row records. */
static void check_verdicts(const char *base, const char *new18, const char *new50)
{
	struct fb_comparison cmp;

	compare_runs(base, new18, 1, &cmp);
	const struct fb_compare_row *fork = fb_comparison_find(&cmp, FORK_0);
	const struct fb_compare_row *vfork = fb_comparison_find(&cmp, "spawn/vfork/mem_mib:0/mode:4k");
	CHECK(cmp.regressions == 0 && fork && fork->verdict == FB_SAME && fabs(fork->threshold - 0.225) < 1e-9 &&
	      strstr(fork->threshold_note, "threshold 22.5% (1.5 x measured A/A noise 15%; 10% otherwise)"),
	      "18% slower where A/A noise is 15%: not flagged, threshold 22.5% recorded with why",
	      "%zu flagged; fork %s, threshold %g, '%s'", cmp.regressions, fork ? fb_verdict_name(fork->verdict) : "-",
	      fork ? fork->threshold : NAN, fork ? fork->threshold_note : "");
	CHECK(vfork && vfork->threshold == 0.10 &&
	      strcmp(vfork->threshold_note, "threshold 10% (measured A/A noise 2%)") == 0,
	      "2% A/A noise: the 10% threshold stands, and the row says so", "'%s'", vfork ? vfork->threshold_note : "");
	CHECK(strstr(cmp.noise_note, "noise.json") && strstr(cmp.noise_note, "1.5 x"),
	      "the comparison names the noise file and the rule", "'%s'", cmp.noise_note);
	fb_comparison_free(&cmp);
	compare_runs(base, new18, 0, &cmp);
	fork = fb_comparison_find(&cmp, FORK_0);
	CHECK(cmp.regressions == 1 && fork && fork->verdict == FB_SLOWER && !fork->threshold_note[0] && !cmp.noise_note[0],
	      "18% slower without the noise file: flagged, alone, as before", "%zu flagged", cmp.regressions);
	fb_comparison_free(&cmp);
	compare_runs(base, new50, 1, &cmp);
	fork = fb_comparison_find(&cmp, FORK_0);
	CHECK(cmp.regressions == 1 && fork && fork->verdict == FB_SLOWER,
	      "50% slower where A/A noise is 15%: still flagged, alone", "%zu flagged", cmp.regressions);
	fb_comparison_free(&cmp);
}

/* Does the file in tmp hold every one of the strings? */
static int holds(const char *name, const char *const *strings)
{
	char path[PATH_MAX];
	path_in(path, sizeof(path), name);
	char *text = fb_slurp(path, 1 << 20);
	int ok = text != NULL;
	for (size_t i = 0; ok && strings[i]; i++)
		ok = strstr(text, strings[i]) != NULL;
	free(text);
	return ok;
}

/* As the command: exit status, --no-noise, the file moved away, and the
 * threshold in the table, Markdown and JUnit. */
static void check_compare_command(const char *base, const char *new18, const char *new50)
{
	char md[PATH_MAX], junit[PATH_MAX], path[PATH_MAX + 32], away[PATH_MAX + 32];
	static const char *const in_table[] = { "threshold 22.5% (1.5 x measured A/A noise 15%; 10% otherwise)",
						"threshold 10% (measured A/A noise 2%)", "A/A noise measured with BASE", NULL };
	static const char *const in_md[] = { "| threshold |", "threshold 22.5% (1.5 x measured A/A noise 15%", NULL };
	static const char *const in_junit[] = { "<property name=\"A/A noise\"", "<system-out>threshold 22.5%", NULL };
	static const char *const in_failure[] = { "beyond threshold 22.5% (1.5 x measured A/A noise 15%", NULL };

	path_in(md, sizeof(md), "cmp.md");
	path_in(junit, sizeof(junit), "cmp.xml");
	const char *with[] = { "compare", base, new18, "--markdown", md, "--junit", junit, NULL };
	int rc = run_cmd(fb_cmd_compare, with);
	CHECK(rc == 0 && holds("out", in_table) && holds("cmp.md", in_md) && holds("cmp.xml", in_junit),
	      "compare BASE NEW18 with noise.json: exit 0; table, Markdown and JUnit give the threshold and the noise",
	      "exit %d", rc);
	const char *no_noise[] = { "compare", base, new18, "--no-noise", NULL };
	rc = run_cmd(fb_cmd_compare, no_noise);
	CHECK(rc == 1, "--no-noise: the 18% slow-down flagged, exit 1", "exit %d", rc);
	snprintf(path, sizeof(path), "%s/noise.json", base);
	snprintf(away, sizeof(away), "%s/noise.json.away", tmp);
	rename(path, away);
	const char *plain[] = { "compare", base, new18, NULL };
	rc = run_cmd(fb_cmd_compare, plain);
	/* the legend names "threshold" in every table; no row is judged by A/A noise */
	static const char *const no_threshold[] = { "A/A noise", NULL };
	CHECK(rc == 1 && !holds("out", no_threshold), "no noise.json: flagged, exit 1, the table as before", "exit %d", rc);
	rename(away, path);
	const char *fifty[] = { "compare", base, new50, "--junit", junit, NULL };
	rc = run_cmd(fb_cmd_compare, fifty);
	CHECK(rc == 1 && holds("cmp.xml", in_failure),
	      "compare BASE NEW50 with noise.json: exit 1, the failure says the threshold", "exit %d", rc);
}

/* ---- (d) a corrupt noise.json ------------------------------------------ */

static void check_corrupt(const char *base, const char *new18)
{
	static const struct {
		const char *label, *text;
	} corrupt[] = {
		{ "cut short", "{\"schema_version\": 1, \"benchmarks\": {" },
		{ "another schema version", "{\"schema_version\": 2, \"runs\": [\"a\"], \"benchmarks\": {}}" },
		{ "not an object", "[]" },
		{ "noise not a number", "{\"schema_version\": 1, \"runs\": [\"a\"], \"benchmarks\": "
					"{\"" FORK_0 "\": {\"noise\": \"big\"}}}" },
		{ "negative noise", "{\"schema_version\": 1, \"runs\": [\"a\"], \"benchmarks\": {\"x\": {\"noise\": -0.1}}}" },
		{ "no runs", "{\"schema_version\": 1, \"benchmarks\": {}}" },
	};
	char path[PATH_MAX + 32], name[160];
	const char *args[] = { "compare", base, new18, NULL, NULL };

	snprintf(path, sizeof(path), "%s/noise.json", base);
	for (size_t i = 0; i < sizeof(corrupt) / sizeof(corrupt[0]); i++) {
		fb_write_file_atomic(path, corrupt[i].text, strlen(corrupt[i].text));
		int rc = run_cmd(fb_cmd_compare, args);
		char *text = output("err");
		snprintf(name, sizeof(name), "corrupt noise.json (%s): exit 2, one line naming the file", corrupt[i].label);
		CHECK(rc == 2 && stderr_lines() == 1 && text && strstr(text, path), name, "exit %d: %s", rc, text ? text : "");
		free(text);
	}
	args[3] = "--no-noise";
	int rc = run_cmd(fb_cmd_compare, args);
	CHECK(rc == 1, "a corrupt noise.json with --no-noise: ignored, the comparison made", "exit %d", rc);
	write_noise_15(base);
}

int main(void)
{
	char base[PATH_MAX], new18[PATH_MAX], new50[PATH_MAX];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(tmp))
		return 1;
	check_noise_command();
	write_slowed("nbase", 1);
	write_slowed("new18", 1.18);
	write_slowed("new50", 1.5);
	path_in(base, sizeof(base), "nbase");
	path_in(new18, sizeof(new18), "new18");
	path_in(new50, sizeof(new50), "new50");
	write_noise_15(base);
	check_verdicts(base, new18, new50);
	check_compare_command(base, new18, new50);
	check_corrupt(base, new18);
	return fb_remove_tree(tmp) == 0 ? check_done() : 1;
}
