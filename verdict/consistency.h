/* consistency.h - a figure is wrong until a second method agrees with it.
 * Every run checks itself: pairs of its benchmarks that are one operation
 * must agree (fork at 0 MiB in 4k and thp mode, fork from the threads
 * worker and from the spawn worker, clone and fork), and the fork and vfork
 * round trips are set against the bare loop under them (calibrate/bare_*),
 * which is the instrument's overhead. Results go into the summary, the
 * report and the manifest; a pair that disagrees is a warning, and an error
 * under `forkbench run --strict`. */
#ifndef FB_CONSISTENCY_H
#define FB_CONSISTENCY_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#include "results.h"

enum fb_agreement { FB_AGREE, FB_DISAGREE, FB_UNCHECKED };

/* One pair: a (the figure under test) against b (the second method). */
struct fb_pair_result {
	char label[96];             /* what the pair pins down */
	char a[160], b[160];        /* benchmark names */
	double median_a, median_b;  /* ns; NaN when not measured */
	double ratio;               /* median_a / median_b */
	double tolerance;           /* |ratio - 1| allowed (overhead: ratio - 1) */
	int intervals_overlap;      /* the 95% intervals of the medians meet */
	enum fb_agreement verdict;
	char note[200];             /* why unchecked */
};

struct fb_consistency {
	struct fb_pair_result *pairs;     /* one operation measured twice */
	size_t npairs, disagree;
	struct fb_pair_result *overheads; /* our figure against the bare loop */
	size_t noverheads, above_target;
	unsigned long worker_restarts;    /* summed over every repetition */
	size_t steal_flagged, repetitions;
};

/* Judge a run's results. 0, or -1 when memory runs out. */
int fb_consistency_evaluate(const struct fb_results *res, struct fb_consistency *out);
void fb_consistency_free(struct fb_consistency *c);

/* Pointers to the keys the rules name (at most max), for the test that
 * checks them against the families' registry. */
size_t fb_consistency_keys(const struct fb_bench_key **out, size_t max);

#endif
