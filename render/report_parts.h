/* report_parts.h - pieces of the report shared by its section files
 * (report.c, report_cow.c): tables and plots over memory. */
#ifndef FB_REPORT_PARTS_H
#define FB_REPORT_PARTS_H

#include <stddef.h>

#include "doc.h"
#include "results.h"

/* Median, CI, CV, min and p90 of every benchmark of a family, under the
 * heading "Every FAMILY benchmark", folded in HTML (reference material). */
void fb_report_family_table(struct fb_doc *doc, const char *run_dir, const struct fb_results *res,
			    const char *family);
/* Render plots/memory.gp for run_dir/plots/<stem>.dat (fb_plot_data_memory).
 * ylab and title must hold no single quote. 0, or -1 with err. */
int fb_report_memory_plot(const char *run_dir, const char *stem, int nseries, const char *ylab,
			  const char *title, char *err, size_t len);
/* The copy-on-write section (report_cow.c). 0, or -1 with err. */
int fb_report_cow(struct fb_doc *doc, const char *run_dir, const struct fb_results *res, char *err, size_t len);

/* The plots and fitted slopes of a family's cases on axes of their own
 * (report_axes.c). 0, or -1 with err. */
int fb_report_axes(struct fb_doc *doc, const char *run_dir, const struct fb_results *res, const char *family,
		   char *err, size_t len);
/* The sections of the shape, switch and storm families, and of exit and
 * reaping (report_breadth.c). 0, or -1 with err. */
int fb_report_breadth(struct fb_doc *doc, const char *run_dir, const struct fb_results *res, char *err, size_t len);

#endif
