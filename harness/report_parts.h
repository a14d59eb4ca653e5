/* report_parts.h - pieces of the report shared by its section files
 * (report.c, report_cow.c): tables and plots over memory. */
#ifndef FB_REPORT_PARTS_H
#define FB_REPORT_PARTS_H

#include <stddef.h>

#include "doc.h"
#include "results.h"

/* Median, CI, CV, min and p90 of every benchmark of a family. */
void fb_report_family_table(struct fb_doc *doc, const struct fb_results *res, const char *family);
/* Render plots/memory.gp for run_dir/plots/<stem>.dat (fb_plot_data_memory).
 * ylab and title must hold no single quote. 0, or -1 with err. */
int fb_report_memory_plot(const char *run_dir, const char *stem, int nseries, const char *ylab,
			  const char *title, char *err, size_t len);
/* The copy-on-write section (report_cow.c). 0, or -1 with err. */
int fb_report_cow(struct fb_doc *doc, const char *run_dir, const struct fb_results *res, char *err, size_t len);

#endif
