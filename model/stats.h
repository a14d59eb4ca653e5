/* stats.h - summaries of per-repetition figures. The harness owns the
 * statistics: benchmarks only produce raw rows (STYLE 2-3). */
#ifndef FB_STATS_H
#define FB_STATS_H

#include <stddef.h>

struct fb_summary {
	size_t n;
	double median, min, max, mean;
	double p25, p75;     /* quartiles, linear interpolation between ranks */
	double p90;          /* 90th percentile, linear interpolation between ranks */
	double stddev;       /* sample standard deviation (n - 1) */
	double cv;           /* stddev / mean; 0 when n < 2 */
	double mad;          /* median absolute deviation from the median (unscaled) */
	double ci_low, ci_high; /* confidence interval of the median (order statistics) */
	double ci_level;     /* its exact coverage, >= 0.95 when n >= 6 */
	double pi_low, pi_high; /* prediction interval of the next run's median (n more
				 * values), from this run's repetitions only: it assumes
				 * the machine's speed holds between runs (drift.h widens it) */
	double pi_level;     /* its exact coverage when repetitions are independent */
};

/* Median of n values (n > 0); the mean of the middle two for even n. The
 * input is not modified. */
double fb_median(const double *values, size_t n);
/* Quantile q in [0, 1] of n sorted values: linear interpolation between
 * closest ranks (R's type 7, numpy's default). */
double fb_quantile_sorted(const double *sorted, size_t n, double q);
/* Ranks (1-based) j <= k of the distribution-free confidence interval of
 * the median: the narrowest symmetric pair with binomial coverage >= level;
 * when n is too small for that, (1, n) and its lower coverage. */
void fb_median_ci_ranks(size_t n, double level, size_t *j, size_t *k, double *coverage);
/* Ranks (1-based) j <= k of the distribution-free prediction interval of
 * the median of m future values: P(x_(j) <= y_(s) <= x_(k)), s = (m+1)/2,
 * is the same for every continuous distribution (Fligner and Wolfe 1976).
 * The narrowest symmetric pair with coverage >= level; (1, n) and its lower
 * coverage when n and m are too small for that. */
void fb_median_pi_ranks(size_t n, size_t m, double level, size_t *j, size_t *k, double *coverage);
/* max/min of n positive values: the factor between the largest and the
 * smallest. NAN when n is 0 or a value is not positive (a ratio of times
 * means nothing then). */
double fb_range_ratio(const double *values, size_t n);
/* Fill s from n values (n > 0). Returns 0, or -1 when n is 0 or memory
 * runs out. */
int fb_summarize(const double *values, size_t n, struct fb_summary *s);

/* Least-squares line y = intercept + slope x over n points, with R^2
 * (1 when the points lie on the line; 0 when the line explains nothing).
 * Returns -1 when n < 2 or all x are equal. */
struct fb_fit {
	double slope, intercept, r2;
	size_t n;
};
int fb_linear_fit(const double *x, const double *y, size_t n, struct fb_fit *fit);

#endif
