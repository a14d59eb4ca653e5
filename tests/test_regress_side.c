/* test_regress_side.c - regress's side-by-side step as compare applies it
 * (`forkbench compare BASE NEW --confirm-ab DIR`), on recorded figures: a
 * benchmark measured side by side is slower exactly when this build (B) is
 * slower than the baseline's code (A) measured in the same minutes, beyond
 * half the threshold with the interval's confidence, whatever the screen
 * against the baseline's figures said. The
 * figures are written by hand, so each verdict is worked out below. */
#define _GNU_SOURCE
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "testutil.h"
#include "files.h"

static char build[PATH_MAX], tmp[] = "/tmp/fb-test-regress-side-XXXXXX";

#define NREPS 9
/* Nine repetitions spread +-1% around 1: sorted 0.99 .. 1.01. */
static const double spread[NREPS] = { 1.0, 0.9925, 1.0075, 0.995, 1.005, 0.9975, 1.0025, 0.99, 1.01 };

/* A Google Benchmark JSON file of two benchmarks, fork at 256 MiB with
 * the n repetitions fork_us and vfork (25 us) with as many. */
static void write_values(const char *path, const double *fork_us, int n)
{
	static const char *const names[] = { "spawn/fork/mem_mib:256/mode:4k/manual_time",
					      "spawn/vfork/mem_mib:0/mode:4k/manual_time" };
	json_t *rows = json_array();

	for (int b = 0; b < 2; b++)
		for (int r = 0; r < n; r++) {
			double t = b ? 25 * spread[r % NREPS] : fork_us[r];
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:f, s:f, s:s}", "name",
							      names[b], "run_name", names[b], "run_type", "iteration",
							      "repetitions", n, "repetition_index", r, "iterations", 50,
							      "real_time", t, "cpu_time", t, "time_unit", "us"));
		}
	json_t *doc = json_pack("{s:{s:s}, s:o}", "context", "date", "synthetic", "benchmarks", rows);
	json_dump_file(doc, path, JSON_INDENT(1));
	json_decref(doc);
}

/* The same with NREPS repetitions spread +-1% around fork_us. */
static void write_bench(const char *path, double fork_us)
{
	double values[NREPS];

	for (int r = 0; r < NREPS; r++)
		values[r] = fork_us * spread[r];
	write_values(path, values, NREPS);
}

/* compare's --screen, which regress uses when the baseline's code is at
 * hand: 5 repetitions, BASE 9800 9900 10000 10100 11300, NEW 11400 11450
 * 11500 11550 11600. Every NEW above every BASE: exact p = 2/252 = 0.0079;
 * the medians' ratio 11500/10000 = 1.15, beyond 1.10; the interval from
 * 11400/11300 = 1.009 reaches below it (up to 11600/9800 = 1.184). The
 * conservative rule: inconclusive (neither slower nor within 10%); the
 * screen: slower. */
static void check_screen(void)
{
	static const double base_us[] = { 9800, 9900, 10000, 10100, 11300 }, new_us[] = { 11400, 11450, 11500, 11550, 11600 };
	char base[PATH_MAX + 16], new_run[PATH_MAX + 16], out_path[PATH_MAX + 16];

	snprintf(base, sizeof(base), "%s/screen-base.json", tmp);
	snprintf(new_run, sizeof(new_run), "%s/screen-new.json", tmp);
	snprintf(out_path, sizeof(out_path), "%s/screen.txt", tmp);
	write_values(base, base_us, 5);
	write_values(new_run, new_us, 5);
	const char *plain[] = { "compare", base, new_run, NULL };
	const char *screen[] = { "compare", base, new_run, "--screen", NULL };
	int rc_plain = run_forkbench_in(build, plain, out_path, NULL);
	char *plain_out = fb_slurp(out_path, 1 << 20);
	int rc_screen = run_forkbench_in(build, screen, out_path, NULL);
	char *out = fb_slurp(out_path, 1 << 20);
	CHECK(rc_plain == 0 && rc_screen == 1 && plain_out && strstr(plain_out, "1.150 [1.009, 1.184]") &&
	      strstr(plain_out, "inconclusive: interval [1.009, 1.184] crosses 1.100 (threshold 10%)") && out &&
	      strstr(out, "1 slower (regressions)"),
	      "medians 1.15x apart, interval from 1.009: inconclusive by the interval (exit 0), slower by --screen",
	      "exit %d without --screen, %d with:\n%s\n%s", rc_plain, rc_screen, plain_out ? plain_out : "", out ? out : "");
	free(plain_out);
	free(out);
}

/* DIR/a and DIR/b as `forkbench ab` leaves them: fork at a_us and b_us. */
static void write_ab(const char *dir, double a_us, double b_us)
{
	char path[PATH_MAX + 32];

	for (int s = 0; s < 2; s++) {
		snprintf(path, sizeof(path), "%s/%c", dir, "ab"[s]);
		mkdir(dir, 0755);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/%c/bench.json", dir, "ab"[s]);
		write_bench(path, s ? b_us : a_us);
	}
}

/* compare BASE NEW --confirm-ab DIR: exit status, stdout into out. */
static int confirm_ab(const char *base, const char *new_run, const char *dir, char **out)
{
	char out_path[PATH_MAX + 16];
	const char *args[] = { "compare", base, new_run, "--confirm-ab", dir, NULL };

	snprintf(out_path, sizeof(out_path), "%s/out.txt", tmp);
	int rc = run_forkbench_in(build, args, out_path, NULL);
	*out = fb_slurp(out_path, 1 << 20);
	return rc;
}

int main(void)
{
	char base[PATH_MAX + 16], new_run[PATH_MAX + 16], dir[PATH_MAX + 16], *out = NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	build_dir(build, sizeof(build));
	if (!mkdtemp(tmp))
		return BROKEN("a temporary folder", "mkdtemp: %m"), check_done();
	snprintf(base, sizeof(base), "%s/base.json", tmp);
	snprintf(new_run, sizeof(new_run), "%s/new.json", tmp);
	/* the screen: fork 10000 -> 18000 us, 1.8x, every repetition apart */
	write_bench(base, 10000);
	write_bench(new_run, 18000);

	/* a slower machine, not slower code: side by side both at 18000 */
	snprintf(dir, sizeof(dir), "%s/machine", tmp);
	write_ab(dir, 18000, 18000);
	int rc = confirm_ab(base, new_run, dir, &out);
	CHECK(rc == 0 && out && strstr(out, "measured side by side with BASE's code") &&
	      strstr(out, "decided there: 0 slower") && strstr(out, "0 slower (regressions)"),
	      "1.8x slower than the baseline's figures, the same side by side: not a regression (exit 0)",
	      "exit %d:\n%s", rc, out ? out : "");
	free(out);

	/* slower code: B 1.15x A side by side; ratio interval from
	 * 11500 x 0.99 / (10000 x 1.01) = 1.127 up, beyond 1.05 */
	snprintf(dir, sizeof(dir), "%s/code", tmp);
	write_ab(dir, 10000, 11500);
	rc = confirm_ab(base, new_run, dir, &out);
	CHECK(rc == 1 && out && strstr(out, "decided there: 1 slower") && strstr(out, "1 slower (regressions)"),
	      "B 1.15x A side by side: the regression stands (exit 1)", "exit %d:\n%s", rc, out ? out : "");
	free(out);

	/* half the threshold: B 1.08x A, interval from 10800 x 0.99 /
	 * 10100 = 1.0586 up: beyond 1.05 though not beyond 1.10 */
	snprintf(dir, sizeof(dir), "%s/half", tmp);
	write_ab(dir, 10000, 10800);
	rc = confirm_ab(base, new_run, dir, &out);
	CHECK(rc == 1 && out && strstr(out, "decided there: 1 slower"),
	      "B 1.08x A side by side: beyond half the 10% threshold, the regression stands", "exit %d:\n%s", rc,
	      out ? out : "");
	free(out);

	/* B 1.03x A: the medians' 95% intervals are ranks 2..8 of 9 (0.9925
	 * and 1.0075 x the median), so the ratio's is [1.03 x 0.9925 / 1.0075,
	 * 1.03 x 1.0075 / 0.9925] = [1.015, 1.046], within half the threshold
	 * (1/1.05 .. 1.05): the same, said to be the side-by-side's verdict
	 * beside the screen's 1.8 */
	snprintf(dir, sizeof(dir), "%s/small", tmp);
	write_ab(dir, 10000, 10300);
	rc = confirm_ab(base, new_run, dir, &out);
	CHECK(rc == 0 && out && strstr(out, "decided there: 0 slower") &&
	      strstr(out, "  same: side by side with BASE's code: ratio 1.030 [1.015, 1.046], p ") &&
	      strstr(out, "0 slower (regressions), 0 faster, 0 not comparable, 2 same, 0 inconclusive"),
	      "B 1.03x A side by side: within half the threshold, the same (saying it is the side-by-side's "
	      "verdict), not a regression", "exit %d:\n%s", rc, out ? out : "");
	free(out);

	/* side by side decides what it measured, flagged or not: the same
	 * figures then and now (no screen verdict), B 1.15x A side by side */
	write_bench(new_run, 10000);
	snprintf(dir, sizeof(dir), "%s/code", tmp);
	rc = confirm_ab(base, new_run, dir, &out);
	CHECK(rc == 1 && out && strstr(out, "decided there: 1 slower") && strstr(out, "1 slower (regressions)"),
	      "the same as the baseline's figures, B 1.15x A side by side: a regression (exit 1)", "exit %d:\n%s", rc,
	      out ? out : "");
	free(out);
	write_bench(new_run, 18000);

	check_screen();

	/* an ab folder without side B is bad input */
	snprintf(dir, sizeof(dir), "%s/half/b/bench.json", tmp);
	unlink(dir);
	snprintf(dir, sizeof(dir), "%s/half", tmp);
	rc = confirm_ab(base, new_run, dir, &out);
	CHECK(rc == 2, "an ab folder without side B: exit 2", "exit %d:\n%s", rc, out ? out : "");
	free(out);

	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? check_done() : 1;
}
