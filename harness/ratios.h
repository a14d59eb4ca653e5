/* ratios.h - the lecture's comparisons as ratios of medians measured in
 * the same run: threads vs processes, user-level vs kernel-level. */
#ifndef FB_RATIOS_H
#define FB_RATIOS_H

#include <stddef.h>

#include "results.h"

struct fb_ratio {
	const char *label;
	struct fb_bench_key numerator, denominator;
};

extern const struct fb_ratio fb_ratios[];
extern const size_t fb_nratios;

/* median(numerator) / median(denominator); NAN when either is missing. */
double fb_ratio_value(const struct fb_results *res, const struct fb_ratio *ratio);

#endif
