/* test_compare.c - `forkbench compare` flags real, significant slow-downs
 * and only them: synthetic runs with a known 30% slow-down among noisy
 * benchmarks, 3% noise alone, a run against itself, a real slow-down between
 * two real runs, bad inputs; and p-values that agree with Google Benchmark's
 * compare.py where it and scipy are installed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "check.h"
#include "compare.h"
#include "util.h"
#include "testutil.h"

static char build[PATH_MAX], tmp[] = "/tmp/fb-test-compare-XXXXXX";
static unsigned long long lcg = 42;

/* Uniform in [-1, 1) from a fixed-seed LCG: the same data on every run. */
static double noise(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(lcg >> 11) / (double)(1ULL << 52) - 1;
}

/* A Google Benchmark JSON file: nbench benchmarks of reps repetitions
 * each, around 100 us with +-spread noise; benchmark `slow` (or -1) scaled
 * by factor; with bare, the bare fork loop too (around 500 us); every
 * figure times machine (a slower phase of the machine). */
static void write_run(const char *path, int nbench, int reps, double spread, int slow, double factor, int bare,
		      double machine)
{
	json_t *rows = json_array();
	char name[96];

	for (int b = 0; b < nbench + bare; b++)
		for (int r = 0; r < reps; r++) {
			if (b < nbench)
				snprintf(name, sizeof(name), "spawn/case%d/mem_mib:0/mode:4k/manual_time", b);
			else
				snprintf(name, sizeof(name), "calibrate/bare_fork/mem_mib:0/mode:4k/manual_time");
			double t = (b < nbench ? 100 : 500) * (1 + spread * noise()) * (b == slow ? factor : 1) * machine;
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:f, s:f, s:s}",
				"name", name, "run_name", name, "run_type", "iteration", "repetitions", reps,
				"repetition_index", r, "iterations", 100, "real_time", t, "cpu_time", t, "time_unit", "us"));
		}
	json_t *doc = json_pack("{s:{s:s}, s:o}", "context", "date", "synthetic", "benchmarks", rows);
	json_dump_file(doc, path, JSON_INDENT(1));
	json_decref(doc);
}

static void write_synthetic(const char *path, int nbench, int reps, double spread, int slow, double factor)
{
	write_run(path, nbench, reps, spread, slow, factor, 0, 1);
}

static int compare_normalized(const char *a, const char *b, const char *normalize, struct fb_comparison *cmp)
{
	struct fb_results ra, rb;
	struct fb_compare_opts opts = { .alpha = 0.05, .threshold = 0.10, .normalize = normalize };
	char err[512];
	int rc = -1;

	if (fb_results_load(a, &ra, err, sizeof(err)) == 0) {
		if (fb_results_load(b, &rb, err, sizeof(err)) == 0) {
			rc = fb_compare(&ra, &rb, &opts, cmp, err, sizeof(err));
			fb_results_free(&rb);
		}
		fb_results_free(&ra);
	}
	return rc;
}

static int compare_files(const char *a, const char *b, struct fb_comparison *cmp)
{
	return compare_normalized(a, b, "none", cmp);
}

/* What regress leans on: a 15% slow-down caught with 5 repetitions where
 * the noise allows it; the machine's drift divided away by the run's own
 * bare loop; a slow-down that a re-measurement does not show again counted
 * as the same. */
static void check_regress_rules(void)
{
	char base[PATH_MAX], slow[PATH_MAX], slow_phase[PATH_MAX], again[PATH_MAX];
	struct fb_comparison cmp, second;

	snprintf(base, sizeof(base), "%s/r-base.json", tmp);
	snprintf(slow, sizeof(slow), "%s/r-slow.json", tmp);
	snprintf(slow_phase, sizeof(slow_phase), "%s/r-phase.json", tmp);
	snprintf(again, sizeof(again), "%s/r-again.json", tmp);
	/* +-1%: base within 99..101, case7 within 113.85..116.15: every
	 * repetition apart (p = 2/252 = 0.0079), the interval of the ratio from
	 * 113.85 / 101 = 1.127 up, beyond 1.10 */
	write_run(base, 12, 5, 0.01, -1, 1, 1, 1);
	write_run(slow, 12, 5, 0.01, 7, 1.15, 1, 1);
	compare_files(base, slow, &cmp);
	const struct fb_compare_row *row = fb_comparison_find(&cmp, "spawn/case7/mem_mib:0/mode:4k");
	CHECK(cmp.regressions == 1 && row && row->verdict == FB_SLOWER, "5 repetitions: a 15% slow-down flagged alone",
	      "%zu flagged; case7 is %s (ratio %g, from %g)", cmp.regressions, row ? fb_verdict_name(row->verdict) : "missing",
	      row ? row->ratio : 0, row ? row->ratio_low : 0);
	/* the same run measured again without the slow-down: not confirmed */
	write_run(again, 12, 5, 0.01, -1, 1, 1, 1);
	compare_files(base, again, &second);
	fb_compare_confirm(&cmp, &second, again);
	row = fb_comparison_find(&cmp, "spawn/case7/mem_mib:0/mode:4k");
	CHECK(cmp.regressions == 0 && row && row->verdict == FB_SAME && strstr(row->note, "not slower when measured again") &&
	      strstr(cmp.confirm_note, "0 of 1 slower again"), "a slow-down not seen again when re-measured: the same",
	      "%zu flagged, note '%s', '%s'", cmp.regressions, row ? row->note : "", cmp.confirm_note);
	fb_comparison_free(&second);
	fb_comparison_free(&cmp);
	/* measured again with the slow-down: confirmed */
	compare_files(base, slow, &cmp);
	write_run(again, 12, 5, 0.01, 7, 1.15, 1, 1);
	compare_files(base, again, &second);
	fb_compare_confirm(&cmp, &second, again);
	CHECK(cmp.regressions == 1 && strstr(cmp.confirm_note, "1 of 1 slower again"),
	      "a slow-down seen again when re-measured: still slower", "%zu flagged, '%s'", cmp.regressions,
	      cmp.confirm_note);
	fb_comparison_free(&second);
	fb_comparison_free(&cmp);
	/* the whole machine 1.4x slower, bare loop included: 12 "slower"
	 * absolute, none divided by the bare loop */
	write_run(slow_phase, 12, 5, 0.01, -1, 1, 1, 1.4);
	compare_files(base, slow_phase, &cmp);
	size_t absolute = cmp.regressions;
	fb_comparison_free(&cmp);
	compare_normalized(base, slow_phase, "bare", &cmp);
	CHECK(absolute == 13 && cmp.regressions == 0 && strstr(cmp.normalize_note, "bare_fork"),
	      "a 1.4x slower phase of the machine: flagged absolute, not divided by the bare loop",
	      "%zu absolute, %zu normalised (%s)", absolute, cmp.regressions, cmp.normalize_note);
	fb_comparison_free(&cmp);
}

static void check_synthetic(void)
{
	char base[PATH_MAX], slow[PATH_MAX], noisy[PATH_MAX];
	struct fb_comparison cmp;

	snprintf(base, sizeof(base), "%s/base.json", tmp);
	snprintf(slow, sizeof(slow), "%s/slow.json", tmp);
	snprintf(noisy, sizeof(noisy), "%s/noisy.json", tmp);
	write_synthetic(base, 12, 9, 0.05, -1, 1);
	write_synthetic(slow, 12, 9, 0.05, 7, 1.3);
	write_synthetic(noisy, 12, 9, 0.03, -1, 1);
	CHECK(compare_files(base, base, &cmp) == 0 && cmp.regressions == 0 && cmp.improvements == 0,
	      "a run compared with itself: no change", "%zu slower", cmp.regressions);
	fb_comparison_free(&cmp);
	compare_files(base, slow, &cmp);
	const struct fb_compare_row *row = fb_comparison_find(&cmp, "spawn/case7/mem_mib:0/mode:4k");
	CHECK(cmp.regressions == 1 && row && row->verdict == FB_SLOWER,
	      "30% slow-down in one of 12 noisy benchmarks: exactly that one flagged",
	      "%zu flagged; case7 is %s", cmp.regressions, row ? fb_verdict_name(row->verdict) : "missing");
	fb_comparison_free(&cmp);
	compare_files(base, noisy, &cmp);
	CHECK(cmp.regressions == 0 && cmp.improvements == 0, "3-5% noise only: nothing flagged",
	      "%zu slower, %zu faster", cmp.regressions, cmp.improvements);
	fb_comparison_free(&cmp);
	/* The quick profile's 5 repetitions, as `make regress` runs them. */
	write_synthetic(base, 12, 5, 0.05, -1, 1);
	write_synthetic(slow, 12, 5, 0.05, 7, 1.3);
	compare_files(base, slow, &cmp);
	row = fb_comparison_find(&cmp, "spawn/case7/mem_mib:0/mode:4k");
	CHECK(cmp.regressions == 1 && row && row->verdict == FB_SLOWER,
	      "5 repetitions: a 30% slow-down in one of 12 benchmarks flagged alone",
	      "%zu flagged; case7 is %s", cmp.regressions, row ? fb_verdict_name(row->verdict) : "missing");
	fb_comparison_free(&cmp);
}

/* Run build/forkbench with args; stdout to out_path, stderr to err_path. */
static int forkbench(const char *const *args, const char *out_path, const char *err_path)
{
	return run_forkbench_in(build, args, out_path, err_path);
}

/* NEW = BASE's 64 MiB fork rows renamed as its 0 MiB rows: a real
 * slow-down between real measurements, made only here. */
static void relabel_64_as_0(const char *in, const char *out)
{
	json_error_t jerr;
	json_t *doc = fb_json_load_lenient(in, &jerr), *kept = json_array(), *row;   /* GB writes NaN */
	size_t i;
	json_array_foreach(json_object_get(doc, "benchmarks"), i, row) {
		const char *name = json_string_value(json_object_get(row, "name"));
		if (!name || strstr(name, "mem_mib:0/"))
			continue;
		char renamed[256];
		const char *at = strstr(name, "mem_mib:64/");
		if (!at)
			continue;
		snprintf(renamed, sizeof(renamed), "%.*smem_mib:0/%s", (int)(at - name), name, at + 11);
		json_object_set_new(row, "name", json_string(renamed));
		json_object_set_new(row, "run_name", json_string(renamed));
		json_array_append(kept, row);
	}
	json_object_set_new(doc, "benchmarks", kept);
	json_dump_file(doc, out, JSON_INDENT(1));
	json_decref(doc);
}

static void check_end_to_end(char *run_dir, size_t len)
{
	char out[PATH_MAX], err[PATH_MAX], bench[PATH_MAX + 32], relabelled[PATH_MAX], junit[PATH_MAX];

	snprintf(run_dir, len, "%s/run", tmp);
	snprintf(out, sizeof(out), "%s/out", tmp);
	snprintf(err, sizeof(err), "%s/err", tmp);
	const char *run[] = { "run", "--profile", "quick", "--filter", "spawn/fork/", "--sizes", "0,64",
			      "--modes", "4k", "--out", run_dir, NULL };
	int rc = forkbench(run, out, err);
	CHECK(rc == 0, "a real quick run of fork at 0 and 64 MiB", "exit %d", rc);
	snprintf(bench, sizeof(bench), "%s/bench.json", run_dir);
	snprintf(relabelled, sizeof(relabelled), "%s/relabelled.json", tmp);
	snprintf(junit, sizeof(junit), "%s/junit.xml", tmp);
	relabel_64_as_0(bench, relabelled);
	const char *self[] = { "compare", run_dir, run_dir, NULL };
	rc = forkbench(self, out, err);
	CHECK(rc == 0, "a real run compared with itself: exit 0", "exit %d", rc);
	const char *cmp[] = { "compare", bench, relabelled, "--junit", junit, NULL };
	rc = forkbench(cmp, out, err);
	FILE *f = fopen(out, "r");
	char line[512];
	int flagged = 0;
	while (f && fgets(line, sizeof(line), f))
		flagged |= strstr(line, "spawn/fork/mem_mib:0/mode:4k") && strstr(line, "slower");
	if (f)
		fclose(f);
	CHECK(rc == 1 && flagged, "64 MiB fork relabelled as 0 MiB: flagged slower, exit 1", "exit %d", rc);
	struct stat st;
	CHECK(stat(junit, &st) == 0 && st.st_size > 100, "JUnit XML written", "missing");
}

/* A copy of run_dir as if measured on another machine (its manifest's CPU
 * model changed), with NEW's 64 MiB rows as its 0 MiB ones: a real slow-down. */
static void other_machine_copy(const char *run_dir, const char *relabelled, const char *copy)
{
	char cmd[4 * PATH_MAX + 64], path[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s' && cp '%s' '%s/bench.json'", run_dir, copy, relabelled, copy);
	if (system(cmd))
		return;
	snprintf(path, sizeof(path), "%s/manifest.json", copy);
	json_t *m = json_load_file(path, 0, NULL);
	json_object_set_new(json_object_get(json_object_get(m, "environment"), "cpu"), "model",
			    json_string("Another CPU, 1.0 GHz"));
	json_dump_file(m, path, JSON_INDENT(1));
	json_decref(m);
}

/* Runs of different machines: refused, saying which condition; compared
 * when asked to, the conditions listed and a red test saying why. */
static void check_machines(const char *run_dir)
{
	char copy[PATH_MAX], relabelled[PATH_MAX], out[PATH_MAX], err[PATH_MAX], junit[PATH_MAX];

	snprintf(copy, sizeof(copy), "%s/other-machine", tmp);
	snprintf(relabelled, sizeof(relabelled), "%s/relabelled.json", tmp);
	snprintf(out, sizeof(out), "%s/machines.out", tmp);
	snprintf(err, sizeof(err), "%s/machines.err", tmp);
	snprintf(junit, sizeof(junit), "%s/machines.xml", tmp);
	other_machine_copy(run_dir, relabelled, copy);
	const char *refused[] = { "compare", run_dir, copy, NULL };
	int rc = forkbench(refused, out, err);
	char *text = fb_slurp(err, 1 << 16);
	CHECK(rc == 2 && count_lines(err) == 1 && text && strstr(text, "different machines") && strstr(text, "Another CPU"),
	      "runs of different machines: exit 2, one line naming the CPU models", "exit %d: %s", rc, text ? text : "");
	free(text);
	const char *regress[] = { "regress", copy, NULL };
	rc = forkbench(regress, out, err);
	text = fb_slurp(err, 1 << 16);
	CHECK(rc == 2 && count_lines(err) == 1 && text && strstr(text, "another machine") && strstr(text, "Another CPU"),
	      "regress against a baseline of another machine: exit 2 before running, saying why", "exit %d: %s", rc,
	      text ? text : "");
	free(text);
	const char *allowed[] = { "compare", run_dir, copy, "--allow-different-machines", "--junit", junit, NULL };
	rc = forkbench(allowed, out, err);
	text = fb_slurp(out, 1 << 20);
	char *xml = fb_slurp(junit, 1 << 20);
	const char *failure = xml ? strstr(xml, "<failure") : NULL;
	const char *body = failure ? strchr(failure, '>') : NULL;
	CHECK(rc == 1 && text && strstr(text, "CPU model differs (another machine)") && body && body[-1] != '/' &&
	      strstr(body, "is slower: median") && xml && strstr(xml, "<property name=\"CPU model\""),
	      "--allow-different-machines: compared, the CPU model listed, a failure with a body saying why",
	      "exit %d", rc);
	free(text);
	free(xml);
}

static void check_bad_inputs(const char *run_dir)
{
	char out[PATH_MAX], err[PATH_MAX], corrupt[PATH_MAX], other[PATH_MAX], base[PATH_MAX], folder[PATH_MAX];
	char manifest[PATH_MAX + 32], bench[PATH_MAX + 32], cmd[5 * PATH_MAX];

	snprintf(out, sizeof(out), "%s/out", tmp);
	snprintf(err, sizeof(err), "%s/err", tmp);
	snprintf(base, sizeof(base), "%s/base.json", tmp);
	snprintf(corrupt, sizeof(corrupt), "%s/corrupt.json", tmp);
	FILE *f = fopen(corrupt, "w");
	fputs("{\"benchmarks\": [ {\"name\": ", f);
	fclose(f);
	const char *a[] = { "compare", base, corrupt, NULL };
	int rc = forkbench(a, out, err);
	CHECK(rc == 2 && count_lines(err) == 1, "corrupt JSON: exit 2, one line on stderr", "exit %d, %d lines",
	      rc, count_lines(err));

	snprintf(folder, sizeof(folder), "%s/v99", tmp);
	snprintf(manifest, sizeof(manifest), "%s/manifest.json", folder);
	snprintf(bench, sizeof(bench), "%s/bench.json", run_dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && cp '%s' '%s/' && echo '{\"schema_version\": 99}' > '%s'",
		 folder, bench, folder, manifest);
	rc = system(cmd);
	const char *b[] = { "compare", run_dir, folder, NULL };
	rc = forkbench(b, out, err);
	CHECK(rc == 2 && count_lines(err) == 1, "another schema version: exit 2, one line on stderr",
	      "exit %d, %d lines", rc, count_lines(err));

	snprintf(other, sizeof(other), "%s/other.json", tmp);
	write_synthetic(other, 3, 9, 0.05, -1, 1);
	json_t *doc = json_load_file(other, 0, NULL), *row;
	size_t i;
	json_array_foreach(json_object_get(doc, "benchmarks"), i, row) {   /* rename: no common benchmark */
		json_object_set_new(row, "name", json_string("threads/x/mem_mib:0/mode:4k/manual_time"));
		json_object_set_new(row, "run_name", json_string("threads/x/mem_mib:0/mode:4k/manual_time"));
	}
	json_dump_file(doc, other, 0);
	json_decref(doc);
	const char *c[] = { "compare", base, other, NULL };
	rc = forkbench(c, out, err);
	CHECK(rc == 2 && count_lines(err) == 1, "disjoint benchmark sets: not comparable rows, exit 2, never a pass",
	      "exit %d", rc);
	const char *d[] = { "compare", base, "/nonexistent/bench.json", NULL };
	rc = forkbench(d, out, err);
	CHECK(rc == 2 && count_lines(err) == 1, "missing input: exit 2, one line", "exit %d", rc);
}

/* A copy of a real bench.json with each repetition's real_time replaced
 * by iter_median_ns, the figure our compare tests (compare.py reads
 * real_time, the iterations' mean): the two must rank the same values, or
 * overlapping runs (a busy machine) rank differently and the p-values
 * part for a reason that is not the test's. */
static void with_iteration_medians(const char *in, const char *out)
{
	json_error_t jerr;
	json_t *doc = fb_json_load_lenient(in, &jerr), *row;   /* GB writes NaN */
	size_t i;
	json_array_foreach(json_object_get(doc, "benchmarks"), i, row) {
		json_t *median = json_object_get(row, "iter_median_ns");
		if (!json_is_number(median))
			continue;
		json_object_set(row, "real_time", median);
		json_object_set_new(row, "time_unit", json_string("ns"));
	}
	json_dump_file(doc, out, JSON_INDENT(1));
	json_decref(doc);
}

/* compare.py --dump_to_json: [{"name", "utest": {"time_pvalue"}}]; ours for
 * the same two files must agree within rounding. */
static void check_against_compare_py(const char *a, const char *b, const char *label)
{
	static const char *const python = "/usr/bin/python3", *const script = "/usr/share/benchmark/compare.py";
	char dump[PATH_MAX], cmd[6 * PATH_MAX], name[160];
	struct fb_comparison cmp;
	int checked = 0, agree = 1;
	double worst = 0;

	snprintf(name, sizeof(name), "U-test p-values agree with compare.py (%s)", label);
	if (access(script, R_OK) || system("/usr/bin/python3 -c 'import scipy' 2>/dev/null")) {
		SKIP(name, "needs Debian's libbenchmark-tools (compare.py) and python3-scipy; CI installs them");
		return;
	}
	snprintf(dump, sizeof(dump), "%s/compare-py.json", tmp);
	snprintf(cmd, sizeof(cmd), "%s %s --dump_to_json %s benchmarks %s %s >/dev/null 2>&1", python, script, dump, a, b);
	int rc = system(cmd);
	json_t *doc = json_load_file(dump, JSON_DECODE_ANY, NULL), *entry;
	size_t i;
	compare_files(a, b, &cmp);
	json_array_foreach(doc, i, entry) {
		json_t *p = json_object_get(json_object_get(entry, "utest"), "time_pvalue");
		char base_name[256];
		fb_results_base_name(json_string_value(json_object_get(entry, "name")), base_name, sizeof(base_name));
		const struct fb_compare_row *row = fb_comparison_find(&cmp, base_name);
		if (!json_is_number(p) || !row || isnan(row->p))
			continue;
		double diff = fabs(json_number_value(p) - row->p);
		worst = diff > worst ? diff : worst;
		agree &= diff <= 1e-9 + 1e-6 * row->p;
		checked++;
	}
	CHECK(rc == 0 && checked > 0 && agree, name, "compare.py exit %d, %d p-values checked, worst difference %g",
	      rc, checked, worst);
	json_decref(doc);
	fb_comparison_free(&cmp);
}

int main(void)
{
	char run_dir[PATH_MAX], base[PATH_MAX], slow[PATH_MAX], bench[PATH_MAX + 32], relabelled[PATH_MAX];

	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	if (!mkdtemp(tmp))
		return 1;
	check_synthetic();
	check_regress_rules();
	check_end_to_end(run_dir, sizeof(run_dir));
	check_bad_inputs(run_dir);
	check_machines(run_dir);
	snprintf(base, sizeof(base), "%s/base.json", tmp);
	snprintf(slow, sizeof(slow), "%s/slow.json", tmp);
	check_against_compare_py(base, slow, "synthetic, 9 repetitions, normal approximation");
	snprintf(bench, sizeof(bench), "%s/bench.json", run_dir);
	snprintf(relabelled, sizeof(relabelled), "%s/relabelled.json", tmp);
	snprintf(base, sizeof(base), "%s/real-base.json", tmp);
	snprintf(slow, sizeof(slow), "%s/real-new.json", tmp);
	with_iteration_medians(bench, base);
	with_iteration_medians(relabelled, slow);
	check_against_compare_py(base, slow, "real runs, 5 repetitions, exact");

	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? check_done() : 1;
}
