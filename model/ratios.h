/* ratios.h - the lecture's comparisons as ratios of medians measured in
 * the same run: threads vs processes, user-level vs kernel-level. */
#ifndef FB_RATIOS_H
#define FB_RATIOS_H

#include <stddef.h>
#include <stdio.h>

#include "results.h"

struct fb_ratio {
	const char *label;
	struct fb_bench_key numerator, denominator;
};

extern const struct fb_ratio fb_ratios[];
extern const size_t fb_nratios;

/* median(numerator) / median(denominator); NAN when either is missing. */
double fb_ratio_value(const struct fb_results *res, const struct fb_ratio *ratio);

struct fb_doc;
/* The ratios res has both medians for (ratios_out.c): on the terminal
 * under a line saying what they are (nothing when none), or as a doc table. */
void fb_ratios_print(const struct fb_results *res, FILE *out);
void fb_ratios_add_table(struct fb_doc *doc, const struct fb_results *res);

#endif
