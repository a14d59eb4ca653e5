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

/* P(B <= k) for B ~ Binomial(n, 1/2), summed in log space so that large n
 * does not overflow. */
static double binom_half_cdf(size_t n, size_t k)
{
	double sum = 0;
	for (size_t i = 0; i <= k && i <= n; i++)
		sum += exp(lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) -
			   (double)n * log(2.0));
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
