/* grade_decide.c - the verdict of a measurement test from its rounds: the
 * student's figure and forkbench's, measured side by side in each round.
 * Pure arithmetic on the rounds' figures, so tests/test_grade_decide.c
 * checks every path on figures worked out by hand. */
#include <math.h>
#include <string.h>

#include "grade.h"
#include "stats.h"

/* A program's figures are a mean of its own loop, forkbench's a median:
 * on an idle machine the per-round ratio still moves by 10-30% here. A
 * spread below this is never held against a program. */
#define SPREAD_FLOOR 2.0
/* The reference's own range (its largest round over its least) from
 * which the machine counts as too noisy to decide. Idle, this 2-core guest
 * kept a vfork reference within 1.3-1.7x over 9 rounds and fork within
 * 1.1-1.3x; beside two CPU hogs one round in nine could meet a time slice
 * (25 us, then 4490 us) while the quartiles stayed within 1.1x, and the
 * program met slices in other rounds: the range sees that, the quartiles
 * do not. */
#define NOISY_REFERENCE_RANGE 2.0
/* The share of the rounds' time in which some task waited for a CPU (the
 * kernel's pressure stall information) from which the machine counts as
 * too noisy too, however steady the reference: a grading alone on this
 * 2-core guest waited 5% of its time (its own children), beside two CPU
 * hogs 55%. There the program met a hog's time slice in 2 rounds of 9 and
 * the reference in none: steady, it would have failed the program. */
#define NOISY_CPU_PRESSURE 0.20

/* The most a noisy machine widens the band the quiet ratio is held to: one
 * order of magnitude, where the unit errors it is there to catch are three. */
#define QUIET_SLACK_MAX 10.0

/* The rules, in order:
 * - pass: the ratios' median interval lies inside the band, after at least
 *   rules->min_rounds, and the rounds agree with each other as well as the
 *   machine lets them (else a program printing figures drawn at random from
 *   1-5000 us would pass a 25x band around a 1.5 ms fork most of the time);
 * - fail: the interval lies wholly outside the band after at least
 *   rules->fail_rounds (a point taken for a figure is costlier than one
 *   round more), and on a noisy machine the quiet ratio too (below);
 * - otherwise more rounds, until the last one (final). Then the machine is
 *   judged from the reference's own range and the CPU pressure, never the
 *   program's figures: when the machine was too noisy, undecided, and the
 *   points are given,
 *   unless even the quiet ratio is outside the band widened by the
 *   reference's range (at most 10x); a program whose rounds do not settle while the
 *   reference held steady fails.
 * The quiet ratio is the program's least figure over forkbench's: on a
 * busy machine a round's time is its cost plus the time slices it waited
 * for, so each side's least figure is the one the hogs disturbed least.
 * Beside two hogs forkbench's vfork met a time slice in 7 rounds of 9
 * (34 us or 2-6 ms) and a correct program's in fewer: the rounds' ratios
 * could not decide, the quiet ratio was 0.89; a figure in ns where us are
 * asked stays near 1000 however the machine moves. */
void fb_grade_decide(const double *mine, const double *ref, size_t n, double band_lo, double band_hi,
		     const struct fb_grade_rounds *rules, int final, double cpu_pressure, struct fb_grade_decision *d)
{
	double ratio[FB_GRADE_MAX_ROUNDS];
	struct fb_summary sm, sr, sq;

	memset(d, 0, sizeof(*d));
	d->rounds = n;
	for (size_t i = 0; i < n; i++)
		ratio[i] = mine[i] / ref[i];
	if (fb_summarize(mine, n, &sm) || fb_summarize(ref, n, &sr) || fb_summarize(ratio, n, &sq)) {
		/* out of memory: our failure never takes a point */
		d->verdict = final ? FB_GRADE_UNDECIDED : FB_GRADE_MORE;
		return;
	}
	d->mine_median = sm.median;
	d->ref_median = sr.median;
	d->ratio_median = sq.median;
	d->ratio_lo = sq.ci_low;    /* the median's interval, order statistics */
	d->ratio_hi = sq.ci_high;
	/* upper over lower quartile: how far the rounds disagree, untouched by
	 * one or two outlying rounds */
	d->ref_spread = sr.p75 / sr.p25;
	d->ratio_spread = sq.p75 / sq.p25;
	d->ref_range = sr.max / sr.min;
	d->cpu_pressure = cpu_pressure;
	d->noisy = d->ref_range >= NOISY_REFERENCE_RANGE || cpu_pressure >= NOISY_CPU_PRESSURE;
	d->spread_allowed = fmax(SPREAD_FLOOR, d->ref_spread * d->ref_spread);
	d->quiet_ratio = sm.min / sr.min;
	int inside = d->ratio_lo >= band_lo && d->ratio_hi <= band_hi;
	int outside = d->ratio_hi < band_lo || d->ratio_lo > band_hi;
	/* on a noisy machine the quiet ratio is held to a band widened by the
	 * reference's own range, at most QUIET_SLACK_MAX: beside two hogs
	 * forkbench's vfork met a time slice in all 9 rounds (range 4.76) and
	 * its least figure was still about 11x a correct program's (quiet
	 * ratio 0.089 against 0.1); a figure in ns where us are asked is 1000x */
	double slack = d->noisy ? fmin(fmax(1.0, d->ref_range), QUIET_SLACK_MAX) : 1.0;
	int quiet_outside = d->quiet_ratio < band_lo / slack || d->quiet_ratio > band_hi * slack;

	if (inside && n >= rules->min_rounds && d->ratio_spread <= d->spread_allowed)
		d->verdict = FB_GRADE_PASS;
	else if (outside && n >= rules->fail_rounds && (!d->noisy || quiet_outside))
		d->verdict = FB_GRADE_FAIL;
	else if (!final)
		d->verdict = FB_GRADE_MORE;
	else
		d->verdict = d->noisy && !quiet_outside ? FB_GRADE_UNDECIDED : FB_GRADE_FAIL;
}

/* ABBA: program and reference in rounds 0, 2, 4..., reference and program
 * in rounds 1, 3, 5...: P R R P P R R P, so a steady drift of the machine
 * over the grading favours neither side. */
int fb_grade_program_first(size_t round)
{
	return round % 2 == 0;
}
