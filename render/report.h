/* report.h - render a run folder's report.md and report.html. */
#ifndef FB_REPORT_H
#define FB_REPORT_H

#include <stddef.h>

#include "claims.h"
#include "results.h"

/* Render from the raw files of run_dir; res (bench.json as loaded) and
 * claims (judged from it) when the caller has them already, else NULL and
 * they are loaded and judged here. 0, or -1 with err naming the file that
 * is missing or corrupt, or the step that failed. */
int fb_report_render(const char *run_dir, const struct fb_results *res, const struct fb_claims *claims, char *err,
		     size_t err_len);
int fb_cmd_report(int argc, char **argv);

#endif
