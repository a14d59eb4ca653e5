/* family.h - how a benchmark family describes its cases to forkbench.
 *
 * A family (bench/<family>.c) exports one table of cases. Each case is an
 * "op": a plain C function that runs n iterations inside the lean worker
 * process (bench/worker.c) and writes one fb_sample per iteration. The
 * Google Benchmark side (bench/main.c) only reads the tables: it registers one
 * benchmark per case x memory size x page mode, asks a worker holding that
 * much resident memory to run the op, and reports the samples. So a figure
 * means "fork of a process of N MiB", not "fork of the C++ benchmark binary". */
#ifndef FB_FAMILY_H
#define FB_FAMILY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "region.h"

#define FB_MAX_VALUES 16
#define FB_REASON_LEN 200

/* One iteration's figures: time_ns becomes Google Benchmark's manual
 * iteration time; values[i] become counters named case->value_names[i],
 * reported as the mean over the iterations that measured it: NaN means
 * "not measured in this iteration" (e.g. a figure sampled on some only). */
struct fb_sample {
	double time_ns;
	double values[FB_MAX_VALUES];
};

/* What an op gets from the worker. */
struct fb_env {
	struct fb_region *region;   /* resident memory of the worker (size may be 0) */
	const char *helper_dir;     /* folder of the exec targets (fb-exit0-*) */
	int64_t param;              /* the case row's param */
	const void *data;           /* the case row's data */
	int64_t axis_value;         /* the point on the case's own axis (0: none) */
	char reason[FB_REASON_LEN]; /* set by an op that returns FB_SKIP or fails */
};

/* Op results: 0 done, FB_SKIP (feature or privilege missing: env->reason
 * says which), FB_NO_RESOURCE (EAGAIN/ENOMEM-like: reason says), or -errno
 * for a real failure (reason says what failed). */
#define FB_SKIP 1
#define FB_NO_RESOURCE 2

typedef int (*fb_op_fn)(struct fb_env *env, struct fb_sample *out, size_t n);

/* Which axes a case is swept over. Without FB_AXIS_MEM the case runs once
 * with 0 MiB; without FB_AXIS_MODE only in 4k mode. FB_AXIS_NO_ZERO leaves
 * out the 0 MiB point of the sweep (a case about the memory itself). */
enum fb_axes {
	FB_AXIS_MEM = 1 << 0,
	FB_AXIS_MODE = 1 << 1,
	FB_AXIS_NO_ZERO = 1 << 2,
};

/* A case's own axis besides memory and page mode: the parent's mappings,
 * threads or open files, the number of concurrent forkers. Every value is
 * a benchmark of its own, named "family/case/axis:N/mem_mib:..": the key's
 * case is "case/axis:N" (benchkey.h splits it). The profiles quick and
 * default run the values up to short_max (the short sweep), full runs all
 * of them (the long sweep, bench/main.c --sweep=long). */
#define FB_AXIS_MAX_VALUES 12
struct fb_axis {
	const char *name;                 /* "vmas", "threads", "fds", "forkers" */
	long values[FB_AXIS_MAX_VALUES];  /* ascending, positive; 0 ends the list */
	long short_max;                   /* the short sweep's largest value */
	const char *per;                  /* the report's slope unit, "1000 VMAs" */
	double per_count;                 /* how many values one slope unit holds: 1000 */
};

struct fb_case {
	const char *name;                 /* "fork", "cow/child_write_all", ... */
	fb_op_fn run;
	int64_t param;                    /* passed as env->param */
	const void *data;                 /* passed as env->data: what the family's op
					   * needs of this row beyond a number */
	unsigned axes;                    /* enum fb_axes */
	const char *const *value_names;   /* NULL-terminated; at most FB_MAX_VALUES */
	const char *what;                 /* one line: what time_ns measures */
	/* 0: Google Benchmark picks the iteration count from the measured
	 * time. Else a fixed count per repetition, enough to write about this
	 * many MiB of the region (at least 1): for cases whose measured time
	 * (a write loop) is a small part of what an iteration really costs
	 * (fork, exit, reading /proc), where Google Benchmark would otherwise
	 * run thousands of forks of a large parent to fill its minimum time. */
	size_t work_mib;
	/* Set for a case that runs in no worker at all but in fb-bare, the
	 * floor under the spawn figures: "fork" or "vfork" (bench/bare.c).
	 * run is then NULL. */
	const char *bare_loop;
	/* NULL, or the case's own axis: one benchmark per value, env->axis_value. */
	const struct fb_axis *axis;
	/* What one iteration is, in what a reader counts: per_count times per
	 * ("round trip", "syscall", "switch", "burst of 16 threads"); the
	 * summary and the report print time per one of these. NULL: one
	 * "iteration" (0 counts as 1). */
	const char *per;
	unsigned per_count;
};

struct fb_family {
	const char *name;                 /* "spawn", "cow", "threads" */
	const struct fb_case *cases;
	size_t ncases;
};

/* The central list (bench/families.c), NULL-terminated. */
extern const struct fb_family *const fb_families[];

/* Monotonic clock in nanoseconds (CLOCK_MONOTONIC, vDSO: no syscall). */
static inline int64_t fb_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif
