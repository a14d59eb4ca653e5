/* regress.h - `forkbench regress`'s side-by-side step (regress_side.c). */
#ifndef FB_REGRESS_H
#define FB_REGRESS_H

#include <stddef.h>
#include <jansson.h>

#include "benchkey.h"

/* Measure keys[0..n) (threshold: compare's, ab judges at half of it) with the baseline's code (its manifest's git
 * revision, exported and built under build-base-<rev>/ beside this build,
 * once) and this build interleaved: `forkbench ab --out out`, the baseline
 * as A. 0 when ab measured both sides (out/a and out/b hold them), or -1
 * with why (no clean revision recorded, the build failed, too many
 * benchmarks for one filter, ab failed). */
/* Can the baseline's code be had (a clean recorded revision that this
 * checkout's git holds)? 1, or 0 with why. */
int fb_regress_side_possible(const json_t *baseline_manifest, char *why, size_t len);
int fb_regress_side_by_side(const json_t *baseline_manifest, double min_time_s, double threshold,
			    const struct fb_bench_key *keys, size_t n, const char *out, char *why, size_t len);

#endif
