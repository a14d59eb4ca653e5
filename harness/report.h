/* report.h - render a run folder's report.md and report.html. */
#ifndef FB_REPORT_H
#define FB_REPORT_H

#include <stddef.h>

/* Render from the raw files of run_dir. 0, or -1 with err naming the file
 * that is missing or corrupt, or the step that failed. */
int fb_report_render(const char *run_dir, char *err, size_t err_len);

#endif
