/* external.h - the whole-command tools a run also uses: hyperfine (and,
 * from the cow family, perf stat). Their raw outputs land in the run folder. */
#ifndef FB_EXTERNAL_H
#define FB_EXTERNAL_H

#include <stddef.h>

/* Run argv with stdout and stderr appended to log_path; the exit status,
 * 127 when it cannot be started. The child is always reaped; a log left
 * empty is removed. */
int fb_run_logged(const char *const argv[], const char *log_path);
/* hyperfine: the static exec helper spawned directly vs through `sh -c`, and
 * the dynamic one, runs times each, exported to run_dir/hyperfine.json.
 * 0, or the reason it was left out in why (and -1). */
int fb_run_hyperfine(const char *run_dir, int runs, char *why, size_t why_len);
/* perf stat's count of one COW case beside the suite's own
 * (scripts/cow-perf-check.sh) into run_dir/perf-stat.json, which says
 * itself, in words, when perf could not count here and when it counted
 * user-mode faults only; perf's own output into run_dir/perf-stat.log.
 * 0, or -1 with why. */
int fb_run_perf_check(const char *run_dir, char *why, size_t why_len);

#endif
