/* drift.h - how far the machine's speed may move before the next run: a
 * factor D >= 1 read from the bare fork and vfork loops (calibrate/bare_*),
 * which track the machine, not forkbench. It widens the within-run
 * prediction interval of the next run's median (stats.h) to
 * [pi_low / D, pi_high * D]. */
#ifndef FB_DRIFT_H
#define FB_DRIFT_H

#include <stddef.h>

#include "results.h"
#include "stats.h"

/* Which evidence D was taken from. */
enum fb_drift_evidence {
	FB_DRIFT_NONE,  /* no bare loop: D = 1, the interval is within-run only */
	FB_DRIFT_RUN,   /* the spread of the run's own bare-loop repetitions */
	FB_DRIFT_RUNS,  /* that, and the spread of the bare loops' medians over the runs so far */
};

struct fb_drift {
	double factor;            /* D >= 1: the larger of the two below */
	double run_factor;        /* widest max/min of one bare loop's repetitions; 1 when none */
	double runs_factor;       /* widest max/min of one bare loop's medians over runs; 1 when none */
	size_t reps;              /* bare-loop repetitions run_factor was read from */
	size_t runs;              /* runs runs_factor was read from (0, or 2 and more) */
	enum fb_drift_evidence evidence;
};

/* D for the run after this one, from this run alone (what its report can
 * know). */
void fb_drift_of_run(const struct fb_results *res, struct fb_drift *d);
/* D for the run after runs[n - 1] (n > 0, oldest first, one configuration):
 * its own bare-loop repetitions and the bare loops' medians over all n. */
void fb_drift_of_runs(const struct fb_results *runs, size_t n, struct fb_drift *d);
/* s's prediction interval of the next median widened by d: [pi_low / D,
 * pi_high * D]. */
void fb_drift_interval(const struct fb_summary *s, const struct fb_drift *d, double *lo, double *hi);
/* One sentence on what the interval accounts for and the evidence used
 * (report note, precision). Returns buf. */
const char *fb_drift_describe(const struct fb_drift *d, char *buf, size_t len);
/* Pointers to the bare-loop keys D reads (at most max), for the registry
 * test. */
size_t fb_drift_keys(const struct fb_bench_key **out, size_t max);

#endif
