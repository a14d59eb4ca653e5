/* plot.h - plot data files and gnuplot runs for the report. */
#ifndef FB_PLOT_H
#define FB_PLOT_H

#include "results.h"

/* Render plots/<script>.gp of the source tree into run_dir/plots/<stem>.svg
 * and .png from run_dir/plots/<stem>.dat, with extra gnuplot variables
 * ("nseries=5" or NULL). 0, or -1 with err saying what failed. */
int fb_plot_render(const char *run_dir, const char *script, const char *stem,
		   const char *extra_vars, char *err, size_t err_len);
/* Write run_dir/plots/<stem>.dat for the spawn plots. The memory plot's
 * columns: MiB, then nseries 4k series, then the same nseries in thp; it
 * returns nseries. The zero plot's: case, median, min, p90; it returns 4.
 * Both return 0 when there is nothing to plot. */
int fb_plot_data_spawn_memory(const struct fb_results *res, const char *run_dir);
int fb_plot_data_spawn_zero(const struct fb_results *res, const char *run_dir);
/* Bars of creation cost: process, kernel threads, user-level contexts. */
int fb_plot_data_threads(const struct fb_results *res, const char *run_dir);

#endif
