/* results.h - a run's bench.json (Google Benchmark's own schema) read into
 * one record per benchmark, with its repetitions gathered: the input of the
 * summary, the report and compare. */
#ifndef FB_RESULTS_H
#define FB_RESULTS_H

#include <stddef.h>
#include <jansson.h>

#include "benchkey.h"

/* What became of a benchmark: the bench side's error_message prefix says
 * which (bench/outcome.h); the same four words everywhere downstream. */
enum fb_outcome { FB_OUTCOME_OK, FB_OUTCOME_SKIPPED, FB_OUTCOME_NO_RESOURCE, FB_OUTCOME_FAILED };

struct fb_result {
	char name[256];          /* "spawn/fork/mem_mib:64/mode:4k": run_name without
				  * Google Benchmark's "/manual_time" suffix */
	struct fb_bench_key key;  /* family, case, mem_mib, mode: read from name */
	double *times_ns;        /* each repetition's time per iteration (below) */
	json_t **rows;           /* the iteration rows (borrowed from the document) */
	size_t nreps;
	int iter_median;         /* times_ns are the repetitions' iteration medians
				  * (iter_median_ns), not Google Benchmark's means */
	size_t steal_flagged;    /* repetitions during which the hypervisor stole
				  * more than FB_STEAL_BOUND_PCT of the CPU time */
	const char *error;       /* error_message, or NULL */
	enum fb_outcome outcome; /* from error_message (FB_OUTCOME_OK when none) */
};

/* Steal above this share of the machine's CPU time during a repetition
 * marks it: on a 2-core VM idle steal is 0-1%, and 5% of a repetition lost
 * to other guests moves a figure by about as much. */
#define FB_STEAL_BOUND_PCT 5.0

struct fb_results {
	json_t *root;
	struct fb_result *items;
	size_t count;
};

/* "ok", "skipped", "no resource", "failed". */
const char *fb_outcome_name(enum fb_outcome outcome);

/* name without the "/manual_time" or "/real_time" Google Benchmark appends. */
void fb_results_base_name(const char *run_name, char *out, size_t len);
/* 0, or -1 with err naming the file and what is wrong with it. */
int fb_results_load(const char *path, struct fb_results *out, char *err, size_t err_len);
void fb_results_free(struct fb_results *results);
const struct fb_result *fb_results_find(const struct fb_results *results, const char *name);
/* The same by key, or by its parts. */
const struct fb_result *fb_results_get(const struct fb_results *results, const struct fb_bench_key *key);
const struct fb_result *fb_results_at(const struct fb_results *results, const char *family, const char *kase,
				      long mib, const char *mode);
/* Median over repetitions of the real time (ns) or of a counter; NAN when
 * absent, or r is NULL, or the benchmark did not run (skipped, failed). Google Benchmark's own real_time and
 * cpu_time (the iterations' mean, in the row's time_unit) as a counter come
 * in ns too. */
double fb_result_median_ns(const struct fb_result *r);
double fb_result_counter_median(const struct fb_result *r, const char *counter);
/* The smallest and largest of a counter over the repetitions: 0, or -1
 * when no repetition has it. */
int fb_result_counter_range(const struct fb_result *r, const char *counter, double *lo, double *hi);
/* Does the run hold a benchmark of this family? */
int fb_results_has_family(const struct fb_results *results, const char *family);
struct fb_fit;
/* A line through a case's medians (ns) against the parent's memory (GiB),
 * over the sizes it ran at in mode: the cost per GiB (fit->slope, ns).
 * 0, or -1 when fewer than two sizes ran. */
int fb_results_memory_fit(const struct fb_results *results, const char *family, const char *kase, const char *mode,
			  struct fb_fit *fit);
/* The largest memory size a case ran at; -1 when it did not run. */
long fb_results_max_mib(const struct fb_results *results, const char *family, const char *kase);

#endif
