/* run_config.h - what defines a run (struct fb_run_config, one row per
 * setting in bench/settings.c) in the driver: `forkbench run`'s options and
 * profiles, the manifest's "config" and back, bench.json's context, and the
 * `forkbench run` arguments that make a run again (regress, the report's
 * "Reproduce this run"). Each is made from the settings table. */
#ifndef FB_RUN_CONFIG_H
#define FB_RUN_CONFIG_H

#include <stddef.h>
#include <jansson.h>

#include "options.h"
#include "settings.h"

/* A profile: the settings it fixes unless an option says otherwise, and
 * how often hyperfine times whole commands. */
struct fb_profile {
	const char *name;
	int repetitions;
	double min_time_s;
	int hyperfine_runs;
	long max_mem_mib;        /* -1: the whole default sweep */
	const char *family_max;  /* per-family limits on the sweep (sizes.h) */
	const char *sweep;       /* the cases' own axes: "short" or "long" (family.h) */
	const char *trace;       /* the phases pass: "all" or "few" points */
};

/* The settings' option rows, into rows (at most max): how many. Their
 * help texts live until the next call. */
size_t fb_run_config_options(struct fb_option *rows, size_t max);
/* c from `forkbench run`'s parsed options: each setting as given, else
 * the profile's, else the option's default; *profile the profile.
 * 0, or -1 with err. */
int fb_run_config_from_options(const struct fb_opt_values *v, struct fb_run_config *c,
			       const struct fb_profile **profile, char *err, size_t len);
/* "--benchmark_context=forkbench_version=...,git_revision=...,profile=...,
 * sizes_mib=0 1 16,...": what bench.json's own "context" then says of the
 * run, for whoever reads bench.json without its manifest. */
void fb_run_config_context(const struct fb_run_config *c, const char *version, const char *revision, char *buf,
			   size_t len);
/* The manifest's "config" fields of c (one per setting with a key, null
 * when not recorded); the caller adds its own. */
json_t *fb_run_config_json(const struct fb_run_config *c);
/* c from a manifest's "config" (sizes_mib a list of numbers, or in older
 * runs a text "0,1,16"). 0, or -1 with err naming the field. */
int fb_run_config_from_json(const json_t *config, struct fb_run_config *c, char *err, size_t len);
/* The `forkbench run` arguments that repeat c (argv[0] is "run"). */
int fb_run_config_run_argv(const struct fb_run_config *c, struct fb_argv *a);
/* The same as one shell command, "build/forkbench run ...", regexes quoted. */
void fb_run_config_command(const struct fb_run_config *c, char *buf, size_t len);

#endif
