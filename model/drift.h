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
	FB_DRIFT_NONE,     /* no bare loop: D = 1, the interval is within-run only */
	FB_DRIFT_RUN,      /* the spread of the run's own bare-loop repetitions */
	FB_DRIFT_RUNS,     /* that, and the spread of the bare loops' medians over the runs so far */
	FB_DRIFT_HISTORY,  /* that, over this run and the earlier ones its drift.json names */
};

/* The bare loops D reads (calibrate/bare_fork, calibrate/bare_vfork). */
#define FB_DRIFT_SPEED_KEYS 2
/* Earlier runs a run folder's drift.json keeps: of the same machine, CPU
 * placement and CPUs (comparable.h's speed conditions), finished at most
 * this many hours before it, the newest first. Between-run drift is seen
 * between runs: on a 2-core VM the speed steps by 1.4x (up to 2.7x
 * measured) for minutes, so one run's repetitions can miss a step that the
 * runs of the hours before it met. */
#define FB_DRIFT_HISTORY_MAX 10
#define FB_DRIFT_HISTORY_HOURS 12

struct fb_drift_history {
	size_t n;
	char run_id[FB_DRIFT_HISTORY_MAX][64];
	double median_ns[FB_DRIFT_HISTORY_MAX][FB_DRIFT_SPEED_KEYS];   /* NAN: the loop did not run */
};

struct fb_drift {
	double factor;            /* D >= 1: the larger of the two below */
	double run_factor;        /* widest max/min of one bare loop's repetitions; 1 when none */
	double runs_factor;       /* widest max/min of one bare loop's medians over runs; 1 when none */
	size_t reps;              /* bare-loop repetitions run_factor was read from */
	size_t runs;              /* runs runs_factor was read from (0, or 2 and more) */
	size_t hours;             /* FB_DRIFT_HISTORY: the window the earlier runs came from */
	enum fb_drift_evidence evidence;
};

/* D for the run after this one, from this run and the earlier runs of its
 * drift.json (what its report can know); history NULL or empty: the run
 * alone. */
void fb_drift_of_run(const struct fb_results *res, const struct fb_drift_history *history, struct fb_drift *d);
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

/* drift_history.c. Record in run_dir/drift.json the bare loops' medians of
 * the earlier runs in results_dir that qualify (above), beside this run's
 * manifest (already in run_dir): made when the run is, so that its report
 * re-renders the same from the folder later. 0 or -errno. */
int fb_drift_history_record(const char *run_dir, const char *results_dir);
/* Read run_dir/drift.json: 0 (h->n = 0 when the run has none: made before
 * drift.json, or a bare bench.json), or -1 with err when it is malformed. */
int fb_drift_history_load(const char *run_dir, struct fb_drift_history *h, char *err, size_t len);

#endif
