/* summary.h - the short table `forkbench run` prints at the end. */
#ifndef FB_SUMMARY_H
#define FB_SUMMARY_H

#include <stdio.h>

#include "results.h"

/* Per family and page mode: one row per case, one column per memory size,
 * each cell the median time in microseconds over repetitions; the COW
 * faults counted against expected; then every skip and error with its
 * reason. */
void fb_summary_print(const struct fb_results *results, FILE *out);

#endif
