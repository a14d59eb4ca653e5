/* stats.h - summaries of per-repetition figures (the harness owns them). */
#ifndef FB_STATS_H
#define FB_STATS_H

#include <stddef.h>

/* Median of n values (n > 0); the mean of the middle two for even n. The
 * input is not modified. */
double fb_median(const double *values, size_t n);

#endif
