/* stats.c - summaries of per-repetition figures (see stats.h). */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double *sorted_copy(const double *values, size_t n)
{
	double *sorted = n ? malloc(n * sizeof(*sorted)) : NULL;
	if (sorted) {
		memcpy(sorted, values, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), cmp_double);
	}
	return sorted;
}

double fb_quantile_sorted(const double *sorted, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t lo = (size_t)floor(pos);
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + (pos - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

double fb_median(const double *values, size_t n)
{
	double *sorted = sorted_copy(values, n);
	double median = sorted ? fb_quantile_sorted(sorted, n, 0.5) : NAN;
	free(sorted);
	return median;
}

/* log of the binomial coefficient C(a, b) */
static double log_choose(size_t a, size_t b)
{
	return lgamma((double)a + 1) - lgamma((double)b + 1) - lgamma((double)(a - b) + 1);
}

/* P(B <= k) for B ~ Binomial(n, 1/2), summed in log space so that large n
 * does not overflow. */
static double binom_half_cdf(size_t n, size_t k)
{
	double sum = 0;
	for (size_t i = 0; i <= k && i <= n; i++)
		sum += exp(log_choose(n, i) - (double)n * log(2.0));
	return sum;
}

/* The median lies in [x_(j), x_(n-j+1)] unless at most j-1 values fall on
 * one side of it: coverage = 1 - 2 P(B <= j - 1). Take the largest j that
 * keeps coverage >= level. */
void fb_median_ci_ranks(size_t n, double level, size_t *j, size_t *k, double *coverage)
{
	size_t best = 1;
	for (size_t cand = 2; cand <= (n + 1) / 2; cand++)
		if (1 - 2 * binom_half_cdf(n, cand - 1) >= level)
			best = cand;
	*j = best;
	*k = n - best + 1;
	*coverage = n ? 1 - 2 * binom_half_cdf(n, best - 1) : 0;
}

/* P(exactly i of n past values lie below y_(s), the s-th smallest of m
 * future ones): the n + m values in random order, i of the x before the
 * s-th y, C(i+s-1, i) C(n-i+m-s, n-i) / C(n+m, n). */
static double below_prob(size_t n, size_t m, size_t s, size_t i)
{
	return exp(log_choose(i + s - 1, i) + log_choose(n - i + m - s, n - i) - log_choose(n + m, n));
}

/* y_(s) lies in [x_(j), x_(n-j+1)] when j to n-j of the x lie below it. */
static double pi_coverage(size_t n, size_t m, size_t j)
{
	double sum = 0;
	for (size_t i = j; i + j <= n; i++)
		sum += below_prob(n, m, (m + 1) / 2, i);
	return sum;
}

void fb_median_pi_ranks(size_t n, size_t m, double level, size_t *j, size_t *k, double *coverage)
{
	size_t best = 1;
	for (size_t cand = 2; cand <= (n + 1) / 2; cand++)
		if (pi_coverage(n, m, cand) >= level)
			best = cand;
	*j = best;
	*k = n - best + 1;
	*coverage = n && m ? pi_coverage(n, m, best) : 0;
}

double fb_range_ratio(const double *values, size_t n)
{
	double lo = INFINITY, hi = -INFINITY;

	for (size_t i = 0; i < n; i++) {
		if (!(values[i] > 0))
			return NAN;
		lo = fmin(lo, values[i]);
		hi = fmax(hi, values[i]);
	}
	return n ? hi / lo : NAN;
}

static double spread_mad(const double *sorted, size_t n, double median)
{
	double *dev = malloc(n * sizeof(*dev));
	double mad;
	if (!dev)
		return NAN;
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(sorted[i] - median);
	mad = fb_median(dev, n);
	free(dev);
	return mad;
}

int fb_summarize(const double *values, size_t n, struct fb_summary *s)
{
	double *sorted = sorted_copy(values, n);
	double sum = 0, sq = 0;
	size_t j, k;

	memset(s, 0, sizeof(*s));
	if (!sorted)
		return -1;
	s->n = n;
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->median = fb_quantile_sorted(sorted, n, 0.5);
	s->p25 = fb_quantile_sorted(sorted, n, 0.25);
	s->p75 = fb_quantile_sorted(sorted, n, 0.75);
	s->p90 = fb_quantile_sorted(sorted, n, 0.9);
	for (size_t i = 0; i < n; i++)
		sum += sorted[i];
	s->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		sq += (sorted[i] - s->mean) * (sorted[i] - s->mean);
	s->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	s->cv = n > 1 && s->mean != 0 ? s->stddev / s->mean : 0;
	s->mad = spread_mad(sorted, n, s->median);
	fb_median_ci_ranks(n, 0.95, &j, &k, &s->ci_level);
	s->ci_low = sorted[j - 1];
	s->ci_high = sorted[k - 1];
	/* The next run repeats as often as this one. A CI of the median is not
	 * this: two runs' medians differ by ~sqrt(2) of one's error, so a 95% CI
	 * holds the next median only ~83% of the time even without drift. */
	fb_median_pi_ranks(n, n, 0.95, &j, &k, &s->pi_level);
	s->pi_low = sorted[j - 1];
	s->pi_high = sorted[k - 1];
	free(sorted);
	return 0;
}

int fb_linear_fit(const double *x, const double *y, size_t n, struct fb_fit *fit)
{
	double mx = 0, my = 0, sxx = 0, sxy = 0, syy = 0;

	memset(fit, 0, sizeof(*fit));
	if (n < 2)
		return -1;
	for (size_t i = 0; i < n; i++) {
		mx += x[i] / (double)n;
		my += y[i] / (double)n;
	}
	for (size_t i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
		syy += (y[i] - my) * (y[i] - my);
	}
	if (sxx == 0)
		return -1;
	fit->n = n;
	fit->slope = sxy / sxx;
	fit->intercept = my - fit->slope * mx;
	fit->r2 = syy == 0 ? 1 : sxy * sxy / (sxx * syy);
	return 0;
}
