/* run_folder.h - a run folder opened once into one struct: its manifest
 * (checked), the run's typed settings, its results and the optional files
 * a reader asks for; and the manifest's environment described once, by a
 * table of fields that the report, compare, matrix and syscheck read. */
#ifndef FB_RUN_FOLDER_H
#define FB_RUN_FOLDER_H

#include <limits.h>
#include <stddef.h>
#include <jansson.h>

#include "results.h"
#include "run_config.h"

/* What to read, or'ed together. */
enum {
	FB_RUN_MANIFEST = 1 << 0,   /* manifest.json, its fields checked (manifest.h) */
	FB_RUN_CONFIG = 1 << 1,     /* ...and its config fields too (implies FB_RUN_MANIFEST) */
	FB_RUN_UNCHECKED = 1 << 2,  /* manifest.json read but not checked: regress
				     * needs only the config to run again */
	FB_RUN_RESULTS = 1 << 3,    /* bench.json */
	FB_RUN_BENCH_FILE = 1 << 4, /* the path may be a bare bench.json: results, no manifest */
	FB_RUN_EXTERNAL = 1 << 5,   /* hyperfine.json, perf-stat.json, phases.json when present */
};

/* How a command words a file of the folder it cannot parse, each as it was
 * before the folder was opened in one place (rows in run_folder.c). A
 * folder that is not there, not a run folder, or without a file asked for
 * is said the same way by all: "DIR: no such run folder", "DIR: not a run
 * folder (...)", "DIR/manifest.json: missing". */
enum fb_run_words {
	FB_RUN_WORDS_REPORT,
	FB_RUN_WORDS_CLAIMS,
	FB_RUN_WORDS_MATRIX,
	FB_RUN_WORDS_COMPARE,  /* compare and noise */
	FB_RUN_WORDS_LOADER,   /* the loaders' own words: precision, consistency, regress */
};

struct fb_run {
	char path[PATH_MAX];            /* the folder (or bench.json) as given */
	char manifest_path[PATH_MAX + 16];
	json_t *manifest;               /* NULL: not asked for, or a bare bench.json */
	const char *run_id;             /* the manifest's, or NULL */
	struct fb_run_config config;    /* the manifest's config, typed ... */
	int config_ok;                  /* ... when it could be read back */
	char config_err[256];           /* else why ("" when it could) */
	struct fb_results results;      /* zeroed unless FB_RUN_RESULTS */
	json_t *hyperfine;              /* FB_RUN_EXTERNAL, NULL when absent */
	json_t *perf;
	json_t *phases;                 /* FB_RUN_EXTERNAL: phases.json, NULL when absent */
};

/* Open path with what flags ask for. The run, or NULL with err naming the
 * file and what is wrong with it, in the command's words. */
struct fb_run *fb_run_open(const char *path, unsigned flags, enum fb_run_words words, char *err, size_t len);
/* NULL is fine. */
void fb_run_close(struct fb_run *run);

/* ---- the environment a manifest records -------------------------------- */

/* Every item of manifest.json's "environment" that a reader shows or
 * checks by name; the table's order is the report's. */
enum fb_env_field {
	FB_ENV_NONE,
	FB_ENV_KERNEL, FB_ENV_DISTRIBUTION, FB_ENV_CPU_MODEL, FB_ENV_THP_ENABLED, FB_ENV_THP_DEFRAG, FB_ENV_ASLR,
	FB_ENV_PERF_PARANOID, FB_ENV_PID_MAX, FB_ENV_THREADS_MAX, FB_ENV_LOADAVG, FB_ENV_VENDOR,
	FB_ENV_DAMON_KDAMONDS_ON, FB_ENV_DAMON_SCHEMES, FB_ENV_DAMON_THREADS, FB_ENV_KHUGEPAGED_PAGES,
	FB_ENV_KHUGEPAGED_SLEEP_MS, FB_ENV_KHUGEPAGED_DEFRAG, FB_ENV_KHUGEPAGED_PTES_NONE, FB_ENV_KSM_RUN,
	FB_ENV_SWAP_KIB, FB_ENV_SWAP_USED_KIB, FB_ENV_ZSWAP, FB_ENV_NUMA_BALANCING, FB_ENV_NUMA_NODES,
	FB_ENV_SMT_ACTIVE, FB_ENV_CMDLINE, FB_ENV_AFFINITY_CPUS, FB_ENV_AFFINITY_COUNT, FB_ENV_CGROUP,
	FB_ENV_STEAL_PCT, FB_ENV_COMPILER, FB_ENV_GLIBC, FB_ENV_GOOGLE_BENCHMARK, FB_ENV_GIT_REVISION,
	/* not in the report's table */
	FB_ENV_CORES, FB_ENV_HYPERVISOR, FB_ENV_ARCH, FB_ENV_MEM_TOTAL_KIB, FB_ENV_LOADAVG_1MIN, FB_ENV_GOVERNOR,
	FB_ENV_NO_TURBO, FB_ENV_GIT_DIRTY, FB_ENV_DAMON, FB_ENV_CMDLINE_PARAMS,
	FB_ENV_COUNT
};

struct fb_env_field_row {
	const char *path;          /* under "environment", dotted: "cpu.model" */
	const char *label;         /* as the report (and by default the others) shows it */
	const char *label_compare; /* compare's, when it says it otherwise */
	const char *label_matrix;  /* matrix's column, when it says it otherwise */
	int machine;               /* a difference means another machine (comparable.h) */
	int report;                /* a row of the report's Environment table */
};

extern const struct fb_env_field_row fb_env_fields[FB_ENV_COUNT];

/* The item in an environment object (a manifest's "environment"), or NULL. */
const json_t *fb_env_get(const json_t *environment, enum fb_env_field field);
/* The same from a manifest's root. */
const json_t *fb_run_env(const json_t *manifest, enum fb_env_field field);
const char *fb_env_label_compare(enum fb_env_field field);
const char *fb_env_label_matrix(enum fb_env_field field);

#endif
