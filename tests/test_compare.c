/* test_compare.c - `forkbench compare` flags real, significant slow-downs
 * and only them: synthetic runs with a known 30% slow-down among noisy
 * benchmarks, 3% noise alone, a run against itself, recorded runs whose
 * every verdict, ratio and p-value is worked out by hand (through the
 * command, its table and JUnit, and across machines), bad inputs; and
 * p-values that agree with Google Benchmark's compare.py where it and scipy
 * are installed. A real run is measured, but no test point expects one of
 * its figures to be faster or slower than another (the machine's speed
 * moves by 1.4-2.7x for minutes). */
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
#include "files.h"
#include "jsonio.h"
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
	      strstr(cmp.confirm_note, "0 of 1 slower there too"), "a slow-down not seen again when re-measured: the same",
	      "%zu flagged, note '%s', '%s'", cmp.regressions, row ? row->note : "", cmp.confirm_note);
	fb_comparison_free(&second);
	fb_comparison_free(&cmp);
	/* measured again with the slow-down: confirmed */
	compare_files(base, slow, &cmp);
	write_run(again, 12, 5, 0.01, 7, 1.15, 1, 1);
	compare_files(base, again, &second);
	fb_compare_confirm(&cmp, &second, again);
	CHECK(cmp.regressions == 1 && strstr(cmp.confirm_note, "1 of 1 slower there too"),
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

/* NEW = BASE's 64 MiB fork rows renamed as its 0 MiB rows: real
 * measurements of two different sizes under one name, for the p-values'
 * check against compare.py (which verdict they get is not asserted). */
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

/* One benchmark of a recorded run: its 5 repetitions (the quick profile's
 * count), in us, and in NEW what compare must print for it. */
struct recorded {
	const char *name;
	double base_us[5], new_us[5];
	const char *interval;   /* "ratio [low, high]" as printed, %.3f */
	const char *p;          /* as printed, %.4f */
	const char *verdict;    /* the verdict cell, with what an inconclusive one leaves open */
};

/* Worked out by hand, threshold 10%, alpha 0.05: slower and faster need
 * p < 0.05 and the whole interval beyond 1.10 or below 1/1.10 = 0.909;
 * "same" needs the whole interval within [0.909, 1.100]; anything else is
 * inconclusive. With 5 repetitions the 95% interval of a median is the
 * whole range (ranks 2..4 cover only 1 - 2 * 6/32 = 62.5%; 1..5 cover
 * 93.75%, the most there is), so the ratio's interval is [min NEW / max
 * BASE, max NEW / min BASE]. Exact two-sided U test over 5 and 5: p = 2
 * P(U <= u), the counts of U = 0..10 among the C(10,5) = 252 orderings
 * being 1 1 2 3 5 7 9 11 14 16 18. */
static const struct recorded recorded[] = {
	/* every NEW above every BASE: U = 0, p = 2/252; medians 102 and 122,
	 * interval [120/104, 124/100] = [1.154, 1.240], wholly beyond 1.10 */
	{ "spawn/fork/mem_mib:0/mode:4k", { 100, 101, 102, 103, 104 }, { 120, 121, 122, 123, 124 },
	  "1.196 [1.154, 1.240]", "0.0079", "slower" },
	/* medians 16% apart (118/102) but one NEW below every BASE: U = 5,
	 * p = 2 (1+1+2+3+5+7)/252 = 0.1508, interval [99/104, 120/100] =
	 * [0.952, 1.200]: across 1.10, neither shown */
	{ "spawn/clone3/mem_mib:0/mode:4k", { 100, 101, 102, 103, 104 }, { 99, 117, 118, 119, 120 },
	  "1.157 [0.952, 1.200]", "0.1508", "inconclusive: interval [0.952, 1.200] crosses 1.100 (threshold 10%)" },
	/* every NEW above every BASE (p = 2/252) and medians 17% apart (119/102),
	 * but the interval [105/104, 121/100] reaches down to 1.010: a change,
	 * of a size not known to exceed 10% nor to stay within it */
	{ "spawn/clone3_pidfd/mem_mib:0/mode:4k", { 100, 101, 102, 103, 104 }, { 105, 118, 119, 120, 121 },
	  "1.167 [1.010, 1.210]", "0.0079", "inconclusive: interval [1.010, 1.210] crosses 1.100 (threshold 10%)" },
	/* issue 23's row: ratio 1.30 (132.6/102), significant (only 103.5 <
	 * 104 is a NEW below a BASE: U = 1, p = 2 (1+1)/252 = 0.0159), the
	 * interval [103.5/104, 135/100] = [0.995, 1.350] reaching below 1.10:
	 * inconclusive, once called "same" */
	{ "spawn/clone_vm_vfork/mem_mib:0/mode:4k", { 100, 101, 102, 103, 104 }, { 103.5, 131, 132.6, 134, 135 },
	  "1.300 [0.995, 1.350]", "0.0159", "inconclusive: interval [0.995, 1.350] crosses 1.100 (threshold 10%)" },
	/* every NEW below every BASE: p = 2/252; [40/54, 44/50] = [0.741,
	 * 0.880], wholly below 1/1.10 = 0.909 */
	{ "spawn/clone/mem_mib:0/mode:4k", { 50, 51, 52, 53, 54 }, { 40, 41, 42, 43, 44 },
	  "0.808 [0.741, 0.880]", "0.0079", "faster" },
	/* interleaved: U = 4+3+2+1 = 10, p = 2 * 87/252 = 0.6905; 10.25/10.2;
	 * [10.05/10.4, 10.45/10.0] = [0.966, 1.045] within [0.909, 1.100] */
	{ "spawn/vfork/mem_mib:0/mode:4k", { 10.0, 10.1, 10.2, 10.3, 10.4 }, { 10.05, 10.15, 10.25, 10.35, 10.45 },
	  "1.005 [0.966, 1.045]", "0.6905", "same" },
	/* every NEW above every BASE (p = 2/252), a real 5% slow-down (107/102
	 * = 1.049) whose interval [105/104, 109/100] = [1.010, 1.090] lies
	 * within 10%: the same, as far as the threshold is concerned */
	{ "spawn/posix_spawn_static/mem_mib:0/mode:4k", { 100, 101, 102, 103, 104 }, { 105, 106, 107, 108, 109 },
	  "1.049 [1.010, 1.090]", "0.0079", "same" },
};
#define NRECORDED (sizeof(recorded) / sizeof(recorded[0]))

/* A bench.json of the recorded figures, BASE's or NEW's, as forkbench
 * writes them (iter_median_ns is the figure compare reads). */
static void write_recorded_only(const char *path, int new_side, const char *only)
{
	json_t *rows = json_array();
	char name[128];

	for (size_t b = 0; b < NRECORDED; b++)
		for (int r = 0; r < 5 && (!only || strcmp(only, recorded[b].name) == 0); r++) {
			double us = new_side ? recorded[b].new_us[r] : recorded[b].base_us[r];
			snprintf(name, sizeof(name), "%s/manual_time", recorded[b].name);
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:f, s:f, s:s, s:f}",
				"name", name, "run_name", name, "run_type", "iteration", "repetitions", 5,
				"repetition_index", r, "iterations", 100, "real_time", us, "cpu_time", us, "time_unit", "us",
				"iter_median_ns", us * 1e3));
		}
	json_t *doc = json_pack("{s:{s:s}, s:o}", "context", "date", "recorded", "benchmarks", rows);
	json_dump_file(doc, path, JSON_INDENT(1));
	json_decref(doc);
}

static void write_recorded(const char *path, int new_side)
{
	write_recorded_only(path, new_side, NULL);
}

/* The table's line of each recorded benchmark holds its hand-worked ratio,
 * interval and p, and ends with its verdict. */
static int table_as_worked_out(const char *text, char *why, size_t len)
{
	char tail[128];

	for (size_t b = 0; b < NRECORDED; b++) {
		const char *at = strstr(text, recorded[b].name);
		size_t line_len = at ? strcspn(at, "\n") : 0;
		snprintf(tail, sizeof(tail), "  %s", recorded[b].verdict);
		int ok = at && memmem(at, line_len, recorded[b].interval, strlen(recorded[b].interval)) &&
			 memmem(at, line_len, recorded[b].p, strlen(recorded[b].p)) && line_len >= strlen(tail) &&
			 strncmp(at + line_len - strlen(tail), tail, strlen(tail)) == 0;
		if (!ok)
			return snprintf(why, len, "%s: want %s, p %s, %s; the line: %.*s", recorded[b].name,
					recorded[b].interval, recorded[b].p, recorded[b].verdict, (int)line_len,
					at ? at : "(missing)"), 0;
	}
	return 1;
}

static void check_end_to_end(char *run_dir, size_t len)
{
	char out[PATH_MAX], err[PATH_MAX], bench[PATH_MAX + 32], relabelled[PATH_MAX], junit[PATH_MAX];
	char base[PATH_MAX], new_run[PATH_MAX], why[600];

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
	snprintf(base, sizeof(base), "%s/recorded-base.json", tmp);
	snprintf(new_run, sizeof(new_run), "%s/recorded-new.json", tmp);
	write_recorded(base, 0);
	write_recorded(new_run, 1);
	const char *cmp[] = { "compare", base, new_run, "--junit", junit, NULL };
	rc = forkbench(cmp, out, err);
	char *text = fb_slurp(out, 1 << 20), *xml = fb_slurp(junit, 1 << 20);
	int table = table_as_worked_out(text, why, sizeof(why));
	CHECK(rc == 1 && table && strstr(text, "\n1 slower (regressions), 1 faster, 0 not comparable, 2 same, "
	      "3 inconclusive (not a failure: only slower fails)\n"),
	      "recorded runs: each verdict, ratio, interval and p as worked out by hand; one slower, three "
	      "inconclusive (none of them fails), exit 1", "exit %d; %s", rc, table ? text : why);
	CHECK(text && strstr(text, "\n  inconclusive: neither slower, faster nor the same established") &&
	      strstr(text, "\n  same: the whole interval within [1 / (1 + threshold), 1 + threshold]") &&
	      strstr(text, "The figure ranked: each repetition's median iteration time (iter_median_ns)"),
	      "the table says what each verdict word means and which figure it ranked", "%s", text ? text : "");
	CHECK(xml && strstr(xml, "failures=\"1\"") && strstr(xml, "spawn/fork/mem_mib:0/mode:4k is slower: median 102.0 us "
	      "in BASE, 122.0 us in NEW") && strstr(xml, "p=0.0079") &&
	      strstr(xml, "name=\"spawn/clone_vm_vfork/mem_mib:0/mode:4k\"><system-out>inconclusive (not a failure): ratio "
		     "1.300 [0.995, 1.350], p 0.0159; interval [0.995, 1.350] crosses 1.100 (threshold 10%)</system-out>"),
	      "JUnit XML: the one slower benchmark failed, its medians and p in the body; an inconclusive one "
	      "passes with its interval", "%s", xml ? xml : "");
	free(text);
	free(xml);
	/* issue 23's row alone: inconclusive, which fails nothing (regress
	 * passes compare's exit status on to CI) */
	write_recorded_only(base, 0, "spawn/clone_vm_vfork/mem_mib:0/mode:4k");
	write_recorded_only(new_run, 1, "spawn/clone_vm_vfork/mem_mib:0/mode:4k");
	rc = forkbench(cmp, out, err);
	text = fb_slurp(out, 1 << 20);
	xml = fb_slurp(junit, 1 << 20);
	CHECK(rc == 0 && text && strstr(text, "\n0 slower (regressions), 0 faster, 0 not comparable, 0 same, 1 inconclusive "
	      "(not a failure: only slower fails)\n") && xml && strstr(xml, "failures=\"0\""),
	      "an inconclusive row alone: exit 0, no JUnit failure, and the table says it does not fail", "exit %d; %s",
	      rc, text ? text : "");
	free(text);
	free(xml);
}

/* A copy of run_dir with the recorded figures (BASE's or NEW's) as its
 * bench.json; with other_cpu, as if measured on another machine (its
 * manifest's CPU model changed). */
static void recorded_copy(const char *run_dir, const char *copy, int new_side, int other_cpu)
{
	char cmd[2 * PATH_MAX + 64], path[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s'", run_dir, copy);
	if (system(cmd))
		return;
	snprintf(path, sizeof(path), "%s/bench.json", copy);
	write_recorded(path, new_side);
	if (!other_cpu)
		return;
	snprintf(path, sizeof(path), "%s/manifest.json", copy);
	json_t *m = json_load_file(path, 0, NULL);
	json_object_set_new(json_object_get(json_object_get(m, "environment"), "cpu"), "model",
			    json_string("Another CPU, 1.0 GHz"));
	json_dump_file(m, path, JSON_INDENT(1));
	json_decref(m);
}

/* Runs of different machines: refused, saying which condition; compared
 * when asked to, the conditions listed and a red test saying why. The
 * figures are the recorded ones, so the verdict is known. */
static void check_machines(const char *run_dir)
{
	char here[PATH_MAX], copy[PATH_MAX], out[PATH_MAX], err[PATH_MAX], junit[PATH_MAX];

	snprintf(here, sizeof(here), "%s/this-machine", tmp);
	snprintf(copy, sizeof(copy), "%s/other-machine", tmp);
	snprintf(out, sizeof(out), "%s/machines.out", tmp);
	snprintf(err, sizeof(err), "%s/machines.err", tmp);
	snprintf(junit, sizeof(junit), "%s/machines.xml", tmp);
	recorded_copy(run_dir, here, 0, 0);
	recorded_copy(run_dir, copy, 1, 1);
	const char *refused[] = { "compare", here, copy, NULL };
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
	const char *allowed[] = { "compare", here, copy, "--allow-different-machines", "--junit", junit, NULL };
	rc = forkbench(allowed, out, err);
	text = fb_slurp(out, 1 << 20);
	char *xml = fb_slurp(junit, 1 << 20);
	const char *failure = xml ? strstr(xml, "<failure") : NULL;
	const char *body = failure ? strchr(failure, '>') : NULL;
	CHECK(rc == 1 && text && strstr(text, "CPU model differs (another machine)") && body && body[-1] != '/' &&
	      strstr(body, "spawn/fork/mem_mib:0/mode:4k is slower: median") && xml &&
	      strstr(xml, "<property name=\"CPU model\""),
	      "--allow-different-machines: compared, the CPU model listed, a failure with a body saying why",
	      "exit %d:\n%s", rc, text);
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

/* ---- compare.py and forkbench compare on the same files ---------------- */

#define GB_BENCH "spawn/fork/mem_mib:0/mode:4k"
#define GB_REPS 9

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Google Benchmark's aggregate row of one field set: name_suffix "mean"... */
static json_t *gb_aggregate(const char *suffix, double real_us, double median_ns)
{
	char name[128];

	snprintf(name, sizeof(name), GB_BENCH "/manual_time_%s", suffix);
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:f, s:f, s:s, s:f}", "name", name, "run_name",
			 GB_BENCH "/manual_time", "run_type", "aggregate", "aggregate_name", suffix, "repetitions", GB_REPS,
			 "iterations", GB_REPS, "real_time", real_us, "cpu_time", real_us, "time_unit", "us",
			 "iter_median_ns", median_ns);
}

/* A bench.json as forkbench writes one benchmark of 9 repetitions: each
 * repetition's real_time (Google Benchmark's mean over its iterations, us)
 * and iter_median_ns (their median), the mean a little above the median as
 * on this machine (a few slow iterations pull a mean up), +-3% from one
 * repetition to the next; then the mean and median aggregates compare.py
 * lists. Every median times median_factor, every mean times mean_factor;
 * seed picks the noise. */
static void write_gb_run(const char *path, unsigned long long seed, double median_factor, double mean_factor)
{
	json_t *rows = json_array();
	double real_us[GB_REPS], median_ns[GB_REPS], sum_real = 0, sum_median = 0;

	lcg = seed;
	for (int r = 0; r < GB_REPS; r++) {
		double median_us = 600 * (1 + 0.03 * noise());
		real_us[r] = median_us * (1.04 + 0.01 * noise()) * mean_factor;
		median_ns[r] = median_us * 1e3 * median_factor;
		sum_real += real_us[r];
		sum_median += median_ns[r];
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:f, s:f, s:s, s:f}", "name",
			GB_BENCH "/manual_time", "run_name", GB_BENCH "/manual_time", "run_type", "iteration",
			"repetitions", GB_REPS, "repetition_index", r, "iterations", 55, "real_time", real_us[r],
			"cpu_time", real_us[r], "time_unit", "us", "iter_median_ns", median_ns[r]));
	}
	qsort(real_us, GB_REPS, sizeof(double), by_value);
	qsort(median_ns, GB_REPS, sizeof(double), by_value);
	json_array_append_new(rows, gb_aggregate("mean", sum_real / GB_REPS, sum_median / GB_REPS));
	json_array_append_new(rows, gb_aggregate("median", real_us[GB_REPS / 2], median_ns[GB_REPS / 2]));
	json_t *doc = json_pack("{s:{s:s}, s:o}", "context", "date", "synthetic", "benchmarks", rows);
	json_dump_file(doc, path, JSON_INDENT(1));
	json_decref(doc);
}

/* compare.py's own reading of GB_BENCH in A against B, from its
 * --dump_to_json: "slower" when its U test is significant (p < 0.05, which
 * it prints green) and the median aggregate's change is beyond +5% (which
 * it prints red), "not slower" otherwise; NULL when it did not run. */
static const char *compare_py_verdict(const char *a, const char *b, char *seen, size_t len)
{
	char dump[PATH_MAX], cmd[4 * PATH_MAX];
	double p = NAN, change = NAN;
	json_t *entry;
	size_t i;

	snprintf(dump, sizeof(dump), "%s/compare-py-verdict.json", tmp);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 /usr/share/benchmark/compare.py --no-color --dump_to_json %s "
		 "benchmarks %s %s >/dev/null 2>&1", dump, a, b);
	int rc = system(cmd);
	json_t *doc = json_load_file(dump, JSON_DECODE_ANY, NULL);
	json_array_foreach(doc, i, entry) {
		const char *name = json_string_value(json_object_get(entry, "name"));
		if (name && strcmp(name, GB_BENCH "/manual_time") == 0)
			p = json_number_value(json_object_get(json_object_get(entry, "utest"), "time_pvalue"));
		if (name && strcmp(name, GB_BENCH "/manual_time_median") == 0)
			change = json_number_value(json_object_get(json_array_get(json_object_get(entry, "measurements"), 0),
								   "time"));
	}
	json_decref(doc);
	unlink(dump);
	snprintf(seen, len, "compare.py exit %d: p %g, median's change %+.4f", rc, p, change);
	if (rc != 0 || isnan(p) || isnan(change))
		return NULL;
	return p < 0.05 && change > 0.05 ? "slower" : "not slower";
}

/* forkbench compare's verdict of GB_BENCH (the end of its line), and its exit status. */
static const char *forkbench_verdict(const char *a, const char *b, int *rc, char *seen, size_t len)
{
	char out[PATH_MAX], err[PATH_MAX];
	const char *args[] = { "compare", a, b, NULL };

	snprintf(out, sizeof(out), "%s/gb.out", tmp);
	snprintf(err, sizeof(err), "%s/gb.err", tmp);
	*rc = forkbench(args, out, err);
	char *text = fb_slurp(out, 1 << 20);
	const char *line = text ? strstr(text, GB_BENCH " ") : NULL;
	snprintf(seen, len, "%.*s", line ? (int)strcspn(line, "\n") : 9, line ? line : "(missing)");
	free(text);
	size_t n = strlen(seen);
	if (n > 8 && strcmp(seen + n - 8, "  slower") == 0)
		return "slower";
	return n > 6 && strcmp(seen + n - 6, "  same") == 0 ? "same" : "other";
}

/* Issue 23: compare.py ranks real_time, forkbench compare iter_median_ns,
 * so the same files could get opposite verdicts. A real slow-down (every
 * iteration 20% slower: both figures move) is slower to both. A few slow
 * iterations in every repetition (the means 20% up, the medians as they
 * were) are a change to compare.py and not to forkbench: the difference
 * its output and README name. */
static void check_compare_py_verdicts(void)
{
	static const char *const name = "compare.py and forkbench compare both call a real 20% slow-down slower";
	static const char *const differ = "a slow-down of a few iterations (means 20% up, medians not): compare.py "
					  "slower, forkbench the same, as its output says";
	char base[PATH_MAX], slow[PATH_MAX], tail[PATH_MAX], ours[512], theirs[160];
	int rc;

	if (access("/usr/share/benchmark/compare.py", R_OK) || system("/usr/bin/python3 -c 'import scipy' 2>/dev/null")) {
		SKIP(name, "needs Debian's libbenchmark-tools (compare.py) and python3-scipy; CI installs them");
		SKIP(differ, "needs Debian's libbenchmark-tools (compare.py) and python3-scipy; CI installs them");
		return;
	}
	snprintf(base, sizeof(base), "%s/gb-base.json", tmp);
	snprintf(slow, sizeof(slow), "%s/gb-slow.json", tmp);
	snprintf(tail, sizeof(tail), "%s/gb-tail.json", tmp);
	write_gb_run(base, 1, 1, 1);
	write_gb_run(slow, 2, 1.2, 1.2);
	write_gb_run(tail, 1, 1, 1.2);   /* base's repetitions, their means 20% up */
	const char *py = compare_py_verdict(base, slow, theirs, sizeof(theirs));
	const char *fb = forkbench_verdict(base, slow, &rc, ours, sizeof(ours));
	CHECK(py && strcmp(py, "slower") == 0 && strcmp(fb, "slower") == 0 && rc == 1, name, "%s; forkbench exit %d: %s",
	      theirs, rc, ours);
	py = compare_py_verdict(base, tail, theirs, sizeof(theirs));
	fb = forkbench_verdict(base, tail, &rc, ours, sizeof(ours));
	CHECK(py && strcmp(py, "slower") == 0 && strcmp(fb, "same") == 0 && rc == 0, differ, "%s; forkbench exit %d: %s",
	      theirs, rc, ours);
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
	/* written afresh: check_synthetic left 5-repetition files under these names */
	write_synthetic(base, 12, 9, 0.05, -1, 1);
	write_synthetic(slow, 12, 9, 0.05, 7, 1.3);
	check_against_compare_py(base, slow, "synthetic, 9 repetitions, normal approximation");
	snprintf(bench, sizeof(bench), "%s/bench.json", run_dir);
	snprintf(relabelled, sizeof(relabelled), "%s/relabelled.json", tmp);
	snprintf(base, sizeof(base), "%s/real-base.json", tmp);
	snprintf(slow, sizeof(slow), "%s/real-new.json", tmp);
	with_iteration_medians(bench, base);
	with_iteration_medians(relabelled, slow);
	check_against_compare_py(base, slow, "real runs, 5 repetitions, exact");
	check_compare_py_verdicts();

	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? check_done() : 1;
}
