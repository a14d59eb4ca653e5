/* drift.c - the machine's drift between runs, from the bare loops (see
 * drift.h). A run's repetitions alone cannot show it: on a 2-core VM the
 * machine changes speed for minutes at a time, so consecutive runs' medians
 * move together, by more than one run's repetitions spread. */
#include "drift.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The machine-speed index: fb-bare's fork and vfork loops hold nothing of
 * forkbench (no worker, no pipe protocol), so their changes are the
 * machine's. Google Benchmark's random interleaving spreads their
 * repetitions over the whole run. */
static const struct fb_bench_key speed_keys[] = {
	FB_KEY0("calibrate", "bare_fork"),
	FB_KEY0("calibrate", "bare_vfork"),
};
#define N_SPEED_KEYS (sizeof(speed_keys) / sizeof(speed_keys[0]))
_Static_assert(N_SPEED_KEYS == FB_DRIFT_SPEED_KEYS, "drift.h's FB_DRIFT_SPEED_KEYS counts speed_keys");

size_t fb_drift_keys(const struct fb_bench_key **out, size_t max)
{
	size_t n = 0;
	for (; n < N_SPEED_KEYS && n < max; n++)
		out[n] = &speed_keys[n];
	return n;
}

/* A bare loop that ran, or NULL. */
static const struct fb_result *speed_loop(const struct fb_results *res, size_t i)
{
	const struct fb_result *r = fb_results_get(res, &speed_keys[i]);
	return r && !r->error && r->nreps ? r : NULL;
}

/* The widest max/min of one bare loop's repetitions: how far the machine's
 * speed moved within the run's minutes. max/min, not an inner order
 * statistic: one slow repetition may be a slow phase the next run meets
 * whole. The widest loop, not the loops pooled: each one's range is
 * observed, a pooled one would add the gap between their medians. NAN when
 * no loop has two repetitions. */
static double run_spread(const struct fb_results *res, size_t *reps)
{
	double widest = NAN;

	*reps = 0;
	for (size_t i = 0; i < N_SPEED_KEYS; i++) {
		const struct fb_result *r = speed_loop(res, i);
		double ratio = r && r->nreps >= 2 ? fb_range_ratio(r->times_ns, r->nreps) : NAN;
		if (isnan(ratio))
			continue;
		widest = fmax(widest, ratio);   /* fmax drops the NAN it starts from */
		*reps += r->nreps;
	}
	return widest;
}

/* A bare loop's median in a run; NAN when it did not run. */
static double speed_median(const struct fb_results *res, size_t i)
{
	const struct fb_result *r = speed_loop(res, i);
	return r ? fb_result_median_ns(r) : NAN;
}

/* The widest max/min of one bare loop's medians over n runs (rows of
 * medians, NAN where a run lacks the loop): how far run-to-run levels
 * moved. NAN when no loop is in two runs; *nruns the most runs a loop was
 * in. */
static double medians_spread(const double (*medians)[FB_DRIFT_SPEED_KEYS], size_t n, size_t *nruns)
{
	double widest = NAN, *column = malloc((n ? n : 1) * sizeof(*column));

	*nruns = 0;
	for (size_t i = 0; column && i < N_SPEED_KEYS; i++) {
		size_t m = 0;
		for (size_t k = 0; k < n; k++)
			if (!isnan(medians[k][i]))
				column[m++] = medians[k][i];
		double ratio = m >= 2 ? fb_range_ratio(column, m) : NAN;
		if (isnan(ratio))
			continue;
		widest = fmax(widest, ratio);
		*nruns = m > *nruns ? m : *nruns;
	}
	free(column);
	return widest;
}

static double runs_spread(const struct fb_results *runs, size_t n, size_t *nruns)
{
	double (*medians)[FB_DRIFT_SPEED_KEYS] = malloc(n * sizeof(*medians));
	double widest = NAN;

	*nruns = 0;
	if (!medians)
		return NAN;
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < N_SPEED_KEYS; i++)
			medians[k][i] = speed_median(&runs[k], i);
	widest = medians_spread(medians, n, nruns);
	free(medians);
	return widest;
}

/* The same over the history's runs and this one. */
static double history_spread(const struct fb_results *res, const struct fb_drift_history *h, size_t *nruns)
{
	double medians[FB_DRIFT_HISTORY_MAX + 1][FB_DRIFT_SPEED_KEYS];

	memcpy(medians, h->median_ns, h->n * sizeof(medians[0]));
	for (size_t i = 0; i < N_SPEED_KEYS; i++)
		medians[h->n][i] = speed_median(res, i);
	return medians_spread((const double (*)[FB_DRIFT_SPEED_KEYS])medians, h->n + 1, nruns);
}

/* D is a shift of the whole next run, on top of where its median falls
 * when the level holds (the within-run interval): the next run starts
 * minutes later and may sit at either end of the range seen, relative to
 * this run's median. The larger evidence wins; neither is a fixed figure.
 * It applies to every benchmark, the bare loops included: their medians
 * and fork's moved alike between runs (README: 1.42x and 1.40x), and all
 * families time kernel work on the guest's vCPUs. A figure that tracked
 * the machine less would get a wider interval than it needs: width lost,
 * not coverage. */
static void drift_settle(struct fb_drift *d, enum fb_drift_evidence between)
{
	if (isnan(d->run_factor))
		d->run_factor = 1, d->reps = 0;
	if (isnan(d->runs_factor))
		d->runs_factor = 1, d->runs = 0;
	d->factor = fmax(1, fmax(d->run_factor, d->runs_factor));
	d->evidence = d->runs ? between : d->reps ? FB_DRIFT_RUN : FB_DRIFT_NONE;
}

void fb_drift_of_runs(const struct fb_results *runs, size_t n, struct fb_drift *d)
{
	memset(d, 0, sizeof(*d));
	d->run_factor = run_spread(&runs[n - 1], &d->reps);
	d->runs_factor = n >= 2 ? runs_spread(runs, n, &d->runs) : NAN;
	drift_settle(d, FB_DRIFT_RUNS);
}

void fb_drift_of_run(const struct fb_results *res, const struct fb_drift_history *history, struct fb_drift *d)
{
	memset(d, 0, sizeof(*d));
	d->run_factor = run_spread(res, &d->reps);
	d->runs_factor = history && history->n ? history_spread(res, history, &d->runs) : NAN;
	d->hours = FB_DRIFT_HISTORY_HOURS;
	drift_settle(d, FB_DRIFT_HISTORY);
}

void fb_drift_interval(const struct fb_summary *s, const struct fb_drift *d, double *lo, double *hi)
{
	*lo = s->pi_low / d->factor;
	*hi = s->pi_high * d->factor;
}

const char *fb_drift_describe(const struct fb_drift *d, char *buf, size_t len)
{
	char within[96], between[160];

	if (d->evidence == FB_DRIFT_NONE)
		snprintf(buf, len, "within-run only: this run holds no bare loop (calibrate/bare_fork, calibrate/bare_vfork), "
			 "so the interval does not account for the machine's drift between runs");
	else if (d->evidence == FB_DRIFT_RUN)
		snprintf(buf, len, "widened by the machine's drift D = %.3f: the larger of the bare fork and vfork loops' "
			 "max/min over their %zu repetitions, interleaved over this whole run, i.e. how far the "
			 "machine's speed moved while it ran (no earlier run of this machine and placement is recorded beside it)",
			 d->factor, d->reps);
	else {
		if (d->reps)
			snprintf(within, sizeof(within), "%.3f over %zu repetitions", d->run_factor, d->reps);
		else
			snprintf(within, sizeof(within), "none in this run");
		if (d->evidence == FB_DRIFT_HISTORY)
			snprintf(between, sizeof(between), "over %zu runs of this machine and placement in the %zu hours up "
				 "to this one, named in drift.json", d->runs, d->hours);
		else
			snprintf(between, sizeof(between), "over the %zu runs so far", d->runs);
		snprintf(buf, len, "widened by the machine's drift D = %.3f: the larger of the bare loops' max/min within "
			 "this run (%s) and between their medians %s (%.3f)", d->factor, within, between, d->runs_factor);
	}
	return buf;
}
