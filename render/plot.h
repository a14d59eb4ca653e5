/* plot.h - plot data files and gnuplot runs for the report. */
#ifndef FB_PLOT_H
#define FB_PLOT_H

#include "results.h"

/* Render plots/<script>.gp of the source tree into run_dir/plots/<stem>.svg
 * and .png from run_dir/plots/<stem>.dat, with extra gnuplot variables
 * ("nseries=5" or NULL) and the array plotted: the data's columns with a
 * point. 0, or -1 with err saying what failed (a data file without a
 * point is one). */
int fb_plot_render(const char *run_dir, const char *script, const char *stem,
		   const char *extra_vars, char *err, size_t err_len);
/* One line of a plot over memory size: a benchmark case's median time
 * (counter NULL, in us) or the median of one of its counters. */
struct fb_plot_series {
	const char *label;        /* column heading, e.g. "fork" */
	const char *family, *kase;
	const char *counter;      /* NULL: the time */
};

/* Write run_dir/plots/<stem>.dat for plots/memory.gp: MiB, then the
 * nseries series in 4k mode, then the same in thp, at the sizes the first
 * series ran (above 0). Returns nseries, or 0 when there is nothing to plot. */
int fb_plot_data_memory(const struct fb_results *res, const char *run_dir, const char *stem,
			const struct fb_plot_series *series, size_t nseries);
/* The spawn primitives at 0 MiB, for plots/bars.gp: case, median, min,
 * p90; the number of bars (0: nothing to plot). */
int fb_plot_data_spawn_zero(const struct fb_results *res, const char *run_dir);
/* Bars of creation cost: process, kernel threads, user-level contexts:
 * the benchmarks fb_plot_threads_keys names. */
int fb_plot_data_threads(const struct fb_results *res, const char *run_dir);
extern const struct fb_bench_key fb_plot_threads_keys[];
extern const size_t fb_plot_nthreads_keys;

#endif
