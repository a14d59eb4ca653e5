/* run_config.h - what defines a run, in one place: the settings `forkbench
 * run` takes, written as forkbench-bench's argv (run, the grader's reference
 * run), as the manifest's "config", and read back from a manifest into the
 * `forkbench run` arguments that make the run again (regress, the report's
 * "Reproduce this run"). */
#ifndef FB_RUN_CONFIG_H
#define FB_RUN_CONFIG_H

#include <stddef.h>
#include <jansson.h>

#include "sizes.h"

struct fb_run_config {
	char profile[16];        /* "quick" or "default" */
	struct fb_sizes sizes;   /* MiB */
	char modes[16];          /* "4k", "thp" or "4k,thp" */
	int repetitions;
	double min_time_s;       /* per repetition */
	char filter[1024];       /* regex over benchmark names; "" for all */
	char cpus[32];           /* the CPUs used, e.g. "1"; "" when not pinned */
	char placement[16];      /* "one-cpu" or "free"; "" when not recorded */
	char family_max[64];     /* per-family size limits, "cow:64" or "none"; "" when
				  * not recorded (runs before the limits: none) */
	char sweep[8];           /* the cases' own axes (bench/family.h): "short" or
				  * "long"; "" when not recorded (runs before the axes) */
};

/* c->sweep from --sweep text. 0, or -1 with err (not short or long). */
int fb_run_config_set_sweep(struct fb_run_config *c, const char *sweep, char *err, size_t len);
/* c->modes from --modes text. 0, or -1 with err (not 4k, thp, 4k,thp or thp,4k). */
int fb_run_config_set_modes(struct fb_run_config *c, const char *modes, char *err, size_t len);

/* An argument vector and the text it points into. */
struct fb_argv {
	const char *argv[32];
	int argc;
	char text[1536];
	size_t used;
};

/* forkbench-bench's argv for c, writing JSON to out_json; extra (a
 * NULL-terminated list, or NULL) is appended. 0, or -1 when it does not fit. */
int fb_run_config_bench_argv(const struct fb_run_config *c, const char *bench_bin, const char *out_json,
			     const char *const *extra, struct fb_argv *a);
/* "--benchmark_context=forkbench_version=...,git_revision=...,profile=...,
 * sizes_mib=0 1 16,...": what bench.json's own "context" then says of the
 * run, for whoever reads bench.json without its manifest. */
void fb_run_config_context(const struct fb_run_config *c, const char *version, const char *revision, char *buf,
			   size_t len);
/* The manifest's "config" fields of c (profile, repetitions, min_time_s,
 * filter, sizes_mib, modes, cpus, placement, family_max_mib, sweep); the caller adds
 * its own. */
json_t *fb_run_config_json(const struct fb_run_config *c);
/* c from a manifest's "config". 0, or -1 with err naming the field. */
int fb_run_config_from_json(const json_t *config, struct fb_run_config *c, char *err, size_t len);
/* The `forkbench run` arguments that repeat c (argv[0] is "run"). */
int fb_run_config_run_argv(const struct fb_run_config *c, struct fb_argv *a);
/* The same as one shell command, "build/forkbench run ...", the filter quoted. */
void fb_run_config_command(const struct fb_run_config *c, char *buf, size_t len);

#endif
