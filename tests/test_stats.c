/* test_stats.c - the harness's statistics against values computed by hand,
 * and the next run's interval widened by the machine's drift (drift.h). */
#include <math.h>
#include <string.h>

#include "check.h"
#include "drift.h"
#include "stats.h"

static int near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(b) + 1);
}

/* A benchmark's 9 repetitions, sorted 97 98 99 100 101 102 103 104 105:
 * with n = m = 9 the prediction interval is [x(1), x(9)] = [97, 105]. */
static double figure_ns[] = { 100, 104, 98, 101, 103, 99, 102, 97, 105 };

/* A run of the benchmark beside the bare loops given (nreps 0: absent). */
static void make_run(struct fb_result items[3], struct fb_results *run, double *fork_ns, size_t nfork,
		     double *vfork_ns, size_t nvfork)
{
	const struct fb_result proto[3] = {
		{ .key = FB_KEY0("spawn", "fork"), .times_ns = figure_ns, .nreps = 9 },
		{ .key = FB_KEY0("calibrate", "bare_fork"), .times_ns = fork_ns, .nreps = nfork },
		{ .key = FB_KEY0("calibrate", "bare_vfork"), .times_ns = vfork_ns, .nreps = nvfork },
	};
	memcpy(items, proto, sizeof(proto));
	*run = (struct fb_results){ .items = items, .count = 3 };
}

/* D from one run: the widest max/min of a bare loop's repetitions. */
static void check_drift_of_run(void)
{
	double fork_ns[] = { 40, 42, 41, 44, 40 }, vfork_ns[] = { 10, 10.5, 10.2, 10.4, 10.3 };
	double steady_ns[] = { 40, 40, 40, 40, 40 };
	struct fb_result items[3];
	struct fb_results run;
	struct fb_summary s;
	struct fb_drift d;
	double lo, hi;
	char text[512];

	int rc = fb_summarize(figure_ns, 9, &s);   /* before CHECK: its arguments' order is unspecified */
	CHECK(rc == 0 && s.pi_low == 97 && s.pi_high == 105,
	      "9 repetitions: within-run prediction interval [97, 105]", "[%g, %g]", s.pi_low, s.pi_high);
	/* bare fork 44/40 = 1.1, bare vfork 10.5/10 = 1.05: D = 1.1, so
	 * [97 / 1.1, 105 * 1.1] = [88.1818..., 115.5] */
	make_run(items, &run, fork_ns, 5, vfork_ns, 5);
	fb_drift_of_run(&run, NULL, &d);
	fb_drift_interval(&s, &d, &lo, &hi);
	CHECK(d.evidence == FB_DRIFT_RUN && near(d.factor, 1.1) && d.reps == 10 && near(lo, 97 / 1.1) &&
	      near(hi, 115.5), "bare loops moving 1.1x and 1.05x: D = 1.1, interval [88.18, 115.5]",
	      "evidence %d D %g reps %zu [%g, %g]", (int)d.evidence, d.factor, d.reps, lo, hi);
	/* a steady bare loop: D = 1, the within-run interval unchanged */
	make_run(items, &run, steady_ns, 5, steady_ns, 5);
	fb_drift_of_run(&run, NULL, &d);
	fb_drift_interval(&s, &d, &lo, &hi);
	CHECK(d.evidence == FB_DRIFT_RUN && d.factor == 1 && lo == 97 && hi == 105,
	      "steady bare loop: D = 1, interval [97, 105]", "evidence %d D %g [%g, %g]", (int)d.evidence, d.factor,
	      lo, hi);
	/* a filtered run: no bare loop, or one that failed or ran once, is no
	 * evidence: D = 1 and the flag says the interval is within-run only */
	make_run(items, &run, fork_ns, 0, vfork_ns, 1);
	items[1].nreps = 5;
	items[1].error = "skipped: test";
	fb_drift_of_run(&run, NULL, &d);
	fb_drift_interval(&s, &d, &lo, &hi);
	CHECK(d.evidence == FB_DRIFT_NONE && d.factor == 1 && d.reps == 0 && lo == 97 && hi == 105 &&
	      strstr(fb_drift_describe(&d, text, sizeof(text)), "within-run only"),
	      "no usable bare loop: within-run interval [97, 105], flagged within-run only",
	      "evidence %d D %g [%g, %g] \"%s\"", (int)d.evidence, d.factor, lo, hi, text);
}

/* D over runs so far: the larger of the last run's own spread and the bare
 * loops' medians over the runs. */
static void check_drift_of_runs(void)
{
	double r0_ns[] = { 40, 40, 40 }, r1_ns[] = { 48, 48, 48 }, r2_ns[] = { 44, 45, 44 };
	struct fb_result items[3][3];
	struct fb_results runs[3];
	struct fb_summary s;
	struct fb_drift d;
	double lo, hi;

	make_run(items[0], &runs[0], r0_ns, 3, NULL, 0);
	make_run(items[1], &runs[1], r1_ns, 3, NULL, 0);
	make_run(items[2], &runs[2], r2_ns, 3, NULL, 0);
	fb_summarize(figure_ns, 9, &s);
	/* within run 3: 45/44 = 1.0227; medians 40, 48, 44: 48/40 = 1.2, so
	 * D = 1.2 and [97 / 1.2, 105 * 1.2] = [80.8333..., 126] */
	fb_drift_of_runs(runs, 3, &d);
	fb_drift_interval(&s, &d, &lo, &hi);
	CHECK(d.evidence == FB_DRIFT_RUNS && near(d.run_factor, 45.0 / 44) && near(d.runs_factor, 1.2) &&
	      d.runs == 3 && near(d.factor, 1.2) && near(lo, 97 / 1.2) && near(hi, 126),
	      "bare loop medians 40, 48, 44 over 3 runs: D = 1.2, interval [80.83, 126]",
	      "evidence %d run %g runs %g (%zu) D %g [%g, %g]", (int)d.evidence, d.run_factor, d.runs_factor, d.runs,
	      d.factor, lo, hi);
	/* the first run alone: its own spread, 1 (steady) */
	fb_drift_of_runs(runs, 1, &d);
	CHECK(d.evidence == FB_DRIFT_RUN && d.factor == 1 && d.runs == 0, "one run: only its own spread",
	      "evidence %d D %g runs %zu", (int)d.evidence, d.factor, d.runs);
}

/* D with the earlier runs a run folder's drift.json names: their bare
 * loops' medians beside this run's, a loop missing in a run skipped. */
static void check_drift_history(void)
{
	double r_ns[] = { 44, 45, 44 };
	struct fb_drift_history h = { .n = 2, .run_id = { "a", "b" }, .median_ns = { { 40, NAN }, { 48, 12 } } };
	struct fb_result items[3];
	struct fb_results run;
	struct fb_drift d;
	char text[512];

	/* bare fork medians 40, 48 and this run's 44: 1.2; bare vfork is in one run only */
	make_run(items, &run, r_ns, 3, NULL, 0);
	fb_drift_of_run(&run, &h, &d);
	CHECK(d.evidence == FB_DRIFT_HISTORY && near(d.run_factor, 45.0 / 44) && near(d.runs_factor, 1.2) &&
	      d.runs == 3 && near(d.factor, 1.2) && strstr(fb_drift_describe(&d, text, sizeof(text)), "drift.json"),
	      "history of 2 runs (bare fork 40, 48) and this run's 44: D = 1.2 from the history, said to come from drift.json",
	      "evidence %d run %g runs %g (%zu) D %g \"%s\"", (int)d.evidence, d.run_factor, d.runs_factor, d.runs,
	      d.factor, text);
	/* an empty history is the run alone */
	h.n = 0;
	fb_drift_of_run(&run, &h, &d);
	CHECK(d.evidence == FB_DRIFT_RUN && near(d.factor, 45.0 / 44) && d.runs == 0,
	      "empty history: D from the run's own repetitions", "evidence %d D %g runs %zu", (int)d.evidence,
	      d.factor, d.runs);
}

int main(void)
{
	/* 9 values, unsorted: sorted 1 2 3 4 5 6 7 8 100. */
	const double nine[] = { 5, 3, 100, 1, 8, 2, 7, 4, 6 };
	struct fb_summary s;

	CHECK(fb_summarize(nine, 9, &s) == 0, "summarize 9 values", "failed");
	CHECK(near(s.median, 5) && near(s.min, 1) && near(s.max, 100), "median 5, min 1, max 100",
	      "median %g min %g max %g", s.median, s.min, s.max);
	/* p90: position 0.9 * 8 = 7.2 -> 8 + 0.2 * (100 - 8) = 26.4 */
	CHECK(near(s.p90, 26.4), "p90 by linear interpolation = 26.4", "p90 %g", s.p90);
	CHECK(near(s.mean, 136.0 / 9), "mean 136/9", "mean %g", s.mean);
	/* |x - 5| = 0 1 1 2 2 3 3 4 95 -> median 2 */
	CHECK(near(s.mad, 2), "MAD 2", "mad %g", s.mad);
	/* sum of squares about the mean, by hand: sum x^2 = 10204; n mean^2 = 136^2/9 */
	double sd = sqrt((10204 - 136.0 * 136.0 / 9) / 8);
	CHECK(near(s.stddev, sd) && near(s.cv, sd / (136.0 / 9)), "sample stddev and CV", "sd %g cv %g", s.stddev, s.cv);
	/* n = 9: P(B <= 1) = 10/512, so [x(2), x(8)] covers 1 - 20/512 = 0.9609 */
	CHECK(near(s.ci_low, 2) && near(s.ci_high, 8) && near(s.ci_level, 1 - 20.0 / 512),
	      "95% CI of the median, n=9: [x(2), x(8)], coverage 0.9609", "[%g, %g] level %g",
	      s.ci_low, s.ci_high, s.ci_level);
	/* Next run's median (9 more values, its 5th): P(none of the 9 below it)
	 * = C(4,0) C(13,9) / C(18,9) = 715/48620 on each side, so [x(1), x(9)]
	 * covers 1 - 1430/48620 = 0.9706 and [x(2), x(8)] only 0.8688. */
	CHECK(near(s.pi_low, 1) && near(s.pi_high, 100) && near(s.pi_level, 1 - 1430.0 / 48620),
	      "95% prediction interval of the next median, n=9: [x(1), x(9)], coverage 0.9706",
	      "[%g, %g] level %g", s.pi_low, s.pi_high, s.pi_level);

	const double even[] = { 4, 1, 3, 2 };
	CHECK(near(fb_median(even, 4), 2.5), "median of 4 values is the mean of the middle two",
	      "%g", fb_median(even, 4));
	/* n = 5: even (1, 5) covers only 1 - 2/32 = 0.9375 */
	size_t j, k;
	double cov;
	fb_median_ci_ranks(5, 0.95, &j, &k, &cov);
	CHECK(j == 1 && k == 5 && near(cov, 0.9375), "n=5: CI is [min, max] with coverage 0.9375",
	      "j %zu k %zu cov %g", j, k, cov);
	/* n = 20: P(B <= 5) = 21700/1048576 = 0.0207 <= 0.025 < P(B <= 6) -> j = 6, k = 15 */
	fb_median_ci_ranks(20, 0.95, &j, &k, &cov);
	CHECK(j == 6 && k == 15 && near(cov, 1 - 2 * 21700.0 / 1048576), "n=20: CI ranks 6 and 15",
	      "j %zu k %zu cov %g", j, k, cov);
	/* n = m = 5: [min, max] holds the next median with 1 - 2 * 21/252 = 0.8333;
	 * n = m = 20: ranks 4 and 17 (0.9703; ranks 5 and 16 give 0.9279). */
	fb_median_pi_ranks(5, 5, 0.95, &j, &k, &cov);
	CHECK(j == 1 && k == 5 && near(cov, 1 - 42.0 / 252), "n=5: prediction interval [min, max], coverage 0.8333",
	      "j %zu k %zu cov %g", j, k, cov);
	fb_median_pi_ranks(20, 20, 0.95, &j, &k, &cov);
	CHECK(j == 4 && k == 17 && cov > 0.9702 && cov < 0.9704, "n=20: prediction interval ranks 4 and 17",
	      "j %zu k %zu cov %g", j, k, cov);
	const double one[] = { 7 };
	CHECK(fb_summarize(one, 1, &s) == 0 && s.cv == 0 && s.median == 7 && s.ci_low == 7,
	      "one value: CV 0, CI collapses to it", "cv %g", s.cv);
	CHECK(fb_summarize(one, 0, &s) == -1, "no values: refused", "accepted");

	/* y = 3 + 2x exactly, then with residuals +1 -1 +1 -1 at x = 0..3:
	 * slope stays 2 - 0.4 = 1.6 (sxy = 10 - 2 = 8, sxx = 5), by hand. */
	const double x[] = { 0, 1, 2, 3 }, line[] = { 3, 5, 7, 9 }, noisy[] = { 4, 4, 8, 8 };
	struct fb_fit fit;
	CHECK(fb_linear_fit(x, line, 4, &fit) == 0 && near(fit.slope, 2) && near(fit.intercept, 3) && near(fit.r2, 1),
	      "exact line: slope 2, intercept 3, R^2 1", "slope %g icpt %g r2 %g", fit.slope, fit.intercept, fit.r2);
	/* noisy: my = 6, sxy = (-1.5)(-2)+(-.5)(-2)+(.5)(2)+(1.5)(2) = 8, syy = 16 -> R^2 = 64/80 = 0.8 */
	CHECK(fb_linear_fit(x, noisy, 4, &fit) == 0 && near(fit.slope, 1.6) && near(fit.intercept, 3.6) && near(fit.r2, 0.8),
	      "noisy line: slope 1.6, intercept 3.6, R^2 0.8", "slope %g icpt %g r2 %g", fit.slope, fit.intercept, fit.r2);
	CHECK(fb_linear_fit(x, line, 1, &fit) == -1, "one point: no fit", "fitted");

	const double apart[] = { 2, 3, 1.5 }, zero[] = { 1, 0 };
	CHECK(near(fb_range_ratio(apart, 3), 2) && isnan(fb_range_ratio(apart, 0)) && isnan(fb_range_ratio(zero, 2)),
	      "range ratio: 3 / 1.5 = 2; none for no values or a zero", "%g", fb_range_ratio(apart, 3));
	check_drift_of_run();
	check_drift_of_runs();
	check_drift_history();
	return check_done();
}
