/* compare.h - compare two runs benchmark by benchmark: ratio of medians
 * with its interval, a two-sided Mann-Whitney U test over repetitions (as
 * Google Benchmark's compare.py), and a verdict. A regression is both
 * significant (p < alpha) and larger than a threshold. */
#ifndef FB_COMPARE_H
#define FB_COMPARE_H

#include <stddef.h>
#include <stdio.h>

#include "comparable.h"
#include "noise.h"
#include "results.h"

enum fb_verdict { FB_SAME, FB_FASTER, FB_SLOWER, FB_NOT_COMPARABLE };

/* A --normalize choice: its name and the calibration benchmark a run's
 * figures are divided by. */
struct fb_normalizer {
	const char *name;
	struct fb_bench_key key;
};
extern const struct fb_normalizer fb_normalizers[];
extern const size_t fb_nnormalizers;

struct fb_compare_opts {
	double alpha;                 /* significance level, 0.05 */
	double threshold;             /* relative change that matters, FB_THRESHOLD_DEFAULT */
	char family_thresholds[256];  /* "spawn=0.2,cow=0.15": per-family overrides */
	const char *normalize;        /* "none", "syscall", "touch" or "bare" */
	const struct fb_noise *noise; /* BASE's measured A/A noise, or NULL: each
				       * threshold is then at least FB_NOISE_FACTOR x it */
	int screen;                   /* slower: the medians' ratio beyond the threshold,
				       * not the whole interval (candidates that a
				       * side-by-side measurement then decides) */
};

struct fb_compare_row {
	char name[256];
	enum fb_verdict verdict;
	double base_median_ns, new_median_ns;  /* normalised when asked: then unitless */
	double ratio, ratio_low, ratio_high;   /* NEW / BASE; interval from the medians' CIs */
	double p;                              /* NAN when not tested */
	double threshold;                      /* the one that applied */
	double noise;                          /* BASE's A/A noise of it, NAN when not measured */
	char threshold_note[128];              /* with a noise file: "threshold 10% (measured A/A noise 4%)" */
	size_t n_base, n_new;
	char note[200];                        /* why not comparable, or the test used */
};

struct fb_comparison {
	struct fb_compare_row *rows;
	size_t count;
	size_t regressions, improvements, not_comparable;
	char normalize_note[200];              /* what the figures were divided by */
	struct fb_conditions_diff conditions;  /* where the two runs' manifests differ */
	size_t base_repetitions;               /* the most of any benchmark in BASE */
	char noise_note[700];                  /* the noise file used and the rule, or "" */
	char confirm_note[400];                /* what re-measuring the flagged ones found, or "" */
};

/* 0, or -1 with err (bad options, or calibration missing for --normalize). */
int fb_compare(const struct fb_results *base, const struct fb_results *new_run,
	       const struct fb_compare_opts *opts, struct fb_comparison *out, char *err, size_t err_len);
void fb_comparison_free(struct fb_comparison *cmp);
/* Hold cmp's "slower" rows to a re-measurement: confirm is BASE against a
 * run that measured the flagged benchmarks again (confirm_path names it);
 * a row stays slower only when it is slower there too, else it becomes
 * "same", saying what the re-measurement found. Rows it lacks keep theirs. */
void fb_compare_confirm(struct fb_comparison *cmp, const struct fb_comparison *confirm, const char *confirm_path);
/* Let a side-by-side measurement decide: every row that side measured is
 * slower when it is slower there, whatever the screen said, and no longer
 * slower when it is not (saying what it found); the rows it did not measure
 * keep theirs. */
void fb_compare_decide(struct fb_comparison *cmp, const struct fb_comparison *side, const char *side_path);
/* The row of benchmark name, or NULL. */
const struct fb_compare_row *fb_comparison_find(const struct fb_comparison *cmp, const char *name);
const char *fb_verdict_name(enum fb_verdict v);


#endif
