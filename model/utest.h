/* utest.h - the two-sided Mann-Whitney U test as Google Benchmark's
 * compare.py runs it (scipy.stats.mannwhitneyu, method "auto"): exact
 * distribution when one sample has at most 8 values and there are no ties,
 * otherwise the normal approximation with tie and continuity correction. */
#ifndef FB_UTEST_H
#define FB_UTEST_H

#include <stddef.h>

struct fb_utest {
	double u1;        /* U statistic of the first sample */
	double p;         /* two-sided p-value */
	int exact;        /* 1 when the exact distribution was used */
};

/* 0, or -1 when a sample is empty or too large for the exact method. */
int fb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, struct fb_utest *out);

#endif
