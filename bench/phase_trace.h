/* phase_trace.h - forkbench-bench's phases pass: after the benchmarks, a few
 * iterations of chosen spawn-like cases run again in their own worker (or
 * fb-bare), in rounds of an untraced batch and a traced one, with the
 * kernel's tracepoints recorded (tracefs.h). The raw traces and the
 * batches' round trips go to a folder that the harness turns into
 * phases.json (model/phases.c). */
#ifndef FB_PHASE_TRACE_H
#define FB_PHASE_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "benchkey.h"

/* The tracepoints, fewest that bound the phases (model/phases.h names the
 * marks each one gives). NULL-terminated. */
extern const char *const fb_trace_events[];

/* A point of the run as the pass drives it. follow: the process whose
 * children the trace must see from now on (the point's worker, started if
 * need be; for fb-bare, forkbench-bench itself, whose child it will be), or
 * -errno with reason. batch: n iterations' round trips into ns[], and the
 * process that made the children (*parent). */
struct fb_trace_point {
	const char *name;   /* the benchmark's name */
	void *point;        /* given back to follow and batch */
	pid_t (*follow)(void *point, char *reason, size_t len);
	int (*batch)(void *point, int64_t *ns, size_t n, pid_t *parent, char *reason, size_t len);
};

/* Is key one of the points traced, given the run's largest and smallest
 * non-zero memory sizes and whether the profile traces fewer (quick)? */
int fb_trace_wanted(const struct fb_bench_key *key, long largest_mib, long smallest_mib, int fewer);

/* Trace every point into dir (created): dir/N.trace and dir/points.json;
 * where tracing is not allowed, only points.json saying why. 0, or -errno
 * when dir cannot be written. */
int fb_phase_trace_run(const char *dir, const struct fb_trace_point *points, size_t count);
/* Ctrl-C: the instance removed. Async-signal-safe. */
void fb_phase_trace_abort(void);

#endif
