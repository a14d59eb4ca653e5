/* commands.h - forkbench's subcommands; each takes argv from its own name. */
#ifndef FB_COMMANDS_H
#define FB_COMMANDS_H

#include <stddef.h>

#include "benchkey.h"
#include "options.h"

/* forkbench's version: in --version, bench.json's context and manifests. */
#define FB_VERSION "0.9.0"

/* A row of the command table (commands.c). */
struct fb_command {
	const char *name;
	int (*run)(int argc, char **argv);   /* argv[0] is the command's name */
	const char *help;
	/* Its shortest call on run folders, each RUN one it opens ("RUN RUN
	 * --out DIR"); NULL when it opens none. */
	const char *reads_runs;
};
extern const struct fb_command fb_commands[];
extern const size_t fb_ncommands;

int fb_cmd_run(int argc, char **argv);
/* `run` that also gives the run folder it wrote (final) to its caller. */
int fb_run_main(int argc, char **argv, char *final, size_t final_len);
int fb_cmd_regress(int argc, char **argv);
int fb_cmd_compare(int argc, char **argv);
/* compare's option table, for regress, which passes the user's compare
 * options on. */
extern const struct fb_option fb_compare_options[];
extern const size_t fb_ncompare_options;
int fb_cmd_validate(int argc, char **argv);
/* All semantic checks, quietly, into tap_path (and junit_path): failed count or -errno. */
int fb_validate_to_file(const char *tap_path, const char *junit_path);
int fb_cmd_consistency(int argc, char **argv);
int fb_cmd_precision(int argc, char **argv);
/* Pointers to the keys precision's spread rows name (at most max), for
 * the registry test. */
size_t fb_precision_keys(const struct fb_bench_key **out, size_t max);

#endif
